"""Snowflake's multi-step Duo flow (``nextAction``) through the binding: users with the emulator's
legacy flow answer step 1 with ``EXT_AUTHN_DUO_ALL`` and an ``inFlightCtx``, step 2 runs the Duo
factor, step 3 hands out the tokens. Also what the second factor reports, ``login_timeout=0`` and
a passcode-in-password login repeated with the token cache on."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ACCOUNT, BYPASS, PASSWORD, Emulator

import sfmfa
from sfmfa import CacheStatus, ErrorKind, ProgressEvent, ProgressKind, SecondFactor

MFA = {"authenticator": "username_password_mfa"}


def legacy_user(emulator: Emulator, prefix: str, **extra: Any) -> str:
    """A fresh enrolled user (push approved at once, bypass 987654) on the multi-step flow."""
    user = emulator.add_user(prefix, **extra)
    emulator.call("POST", "legacy", {"account": ACCOUNT, "user": user, "value": True})
    return user


def steps(events: list[ProgressEvent]) -> list[int]:
    return [e.step for e in events if e.kind == ProgressKind.LOGIN_STEP]


def test_multi_step_push(emulator: Emulator) -> None:
    user = legacy_user(emulator, "ms_push")
    events: list[ProgressEvent] = []
    with sfmfa.login(progress=events.append, **emulator.options(user, **MFA)) as s:
        # EXT_AUTHN_SUCCESS after the push step proves the approved push.
        assert s.second_factor == SecondFactor.PUSH
        assert s.session_id > 0 and s.token
    assert emulator.push_count(user) == 1, "one push for the three steps"
    assert emulator.login_count(user) == 3, "step 1, the Duo step and the token request"
    kinds = [e.kind for e in events]
    assert kinds[:4] == [
        ProgressKind.PUSH_SENT,
        ProgressKind.LOGIN_STEP,
        ProgressKind.PUSH_SENT,  # announced again before the step that pushes
        ProgressKind.LOGIN_STEP,
    ], events
    assert steps(events) == [2, 3]
    step2, step3 = (e for e in events if e.kind == ProgressKind.LOGIN_STEP)
    assert "step 2 of 3" in step2.message and "EXT_AUTHN_DUO_ALL" in step2.message
    assert "step 3 of 3" in step3.message and "EXT_AUTHN_SUCCESS" in step3.message
    assert (step2.attempt, step2.delay_ms) == (0, 0)
    assert all(e.step == 0 for e in events if e.kind != ProgressKind.LOGIN_STEP)


def test_multi_step_push_of_the_embedded_legacy_user_with_the_default_authenticator(
    emulator: Emulator,
) -> None:
    before = emulator.push_count("legacy")
    events: list[ProgressEvent] = []
    with sfmfa.login(progress=events.append, **emulator.options("legacy")) as s:
        assert s.second_factor == SecondFactor.PUSH
    assert emulator.push_count("legacy") == before + 1
    assert steps(events) == [2, 3]


def test_multi_step_passcode(emulator: Emulator) -> None:
    user = legacy_user(emulator, "ms_passcode", push={"kind": "deny"})
    events: list[ProgressEvent] = []
    with sfmfa.login(progress=events.append, **emulator.options(user, passcode=BYPASS, **MFA)) as s:
        assert s.second_factor == SecondFactor.PASSCODE
    assert emulator.push_count(user) == 0
    assert emulator.login_count(user) == 3
    kinds = [e.kind for e in events]
    assert kinds[:4] == [
        ProgressKind.PASSCODE_SENT,
        ProgressKind.LOGIN_STEP,
        ProgressKind.PASSCODE_SENT,
        ProgressKind.LOGIN_STEP,
    ], events
    assert steps(events) == [2, 3]


def test_multi_step_passcode_in_password(emulator: Emulator) -> None:
    user = legacy_user(emulator, "ms_pip", push={"kind": "deny"})
    opts = emulator.options(user, password=PASSWORD + BYPASS, passcode_in_password=True, **MFA)
    events: list[ProgressEvent] = []
    with sfmfa.login(progress=events.append, **opts) as s:
        assert s.second_factor == SecondFactor.PASSCODE_IN_PASSWORD
    assert emulator.push_count(user) == 0
    assert steps(events) == [2, 3]


def test_multi_step_wrong_passcode_fails_at_the_duo_step(emulator: Emulator) -> None:
    user = legacy_user(emulator, "ms_wrong")
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options(user, passcode="000000", **MFA))
    assert (info.value.errno, info.value.kind) == (390127, ErrorKind.DUO_INVALID)
    assert "step 2" in str(info.value)
    assert emulator.push_count(user) == 0


@pytest.mark.parametrize("legacy", [False, True], ids=["one_step", "multi_step"])
def test_passcode_in_password_three_times_with_the_token_cache(
    emulator: Emulator, legacy: bool
) -> None:
    """The first login stores the MFA token; the next ones send it with the password without
    its trailing passcode, so the same password string logs in again and again without Duo."""
    user = legacy_user(emulator, "pip3") if legacy else emulator.add_user("pip3")
    opts = emulator.options(
        user,
        password=PASSWORD + BYPASS,
        passcode_in_password=True,
        client_store_temporary_credential=True,
        token_cache="memory",
        **MFA,
    )
    events: list[ProgressEvent] = []
    with sfmfa.Client(progress=events.append, **opts) as client:
        got = []
        for _ in range(3):
            with client.login() as s:
                got.append((s.second_factor, s.cache_status))
    assert got == [
        (SecondFactor.PASSCODE_IN_PASSWORD, CacheStatus.STORED),
        (SecondFactor.MFA_TOKEN, CacheStatus.HIT),
        (SecondFactor.MFA_TOKEN, CacheStatus.HIT),
    ]
    assert emulator.push_count(user) == 0
    assert emulator.login_count(user) == (3 if legacy else 1) + 2
    assert [e.kind for e in events].count(ProgressKind.USING_CACHED_TOKEN) == 2
    assert steps(events) == ([2, 3] if legacy else [])


def test_a_malformed_step_is_a_protocol_error_naming_the_step(emulator: Emulator) -> None:
    body = {"success": True, "data": {"nextAction": "EXT_AUTHN_DUO_ALL"}, "code": None,
            "message": None}
    emulator.call("POST", "faults", {"kind": "answer", "body": body, "times": 1})
    user = emulator.add_user("ms_bad")
    with pytest.raises(sfmfa.OperationalError) as info:
        sfmfa.login(**emulator.options(user, **MFA))
    e = info.value
    assert (e.kind, e.result) == (ErrorKind.PROTOCOL, sfmfa.Result.PROTOCOL)
    assert "step 1" in e.msg and "inFlightCtx" in e.msg, e.msg
    assert emulator.push_count(user) == 0


def test_login_timeout_zero_means_no_limit(emulator: Emulator) -> None:
    for zero in (0, "0", 0.0):
        with sfmfa.login(**emulator.options("push_approve", login_timeout=zero, **MFA)) as s:
            assert s.second_factor == SecondFactor.PUSH_OR_NONE
    with pytest.raises(sfmfa.ProgrammingError) as info:
        sfmfa.login(**emulator.options("push_approve", login_timeout=-1))
    assert info.value.kind == ErrorKind.INVALID_VALUE


def test_a_not_enrolled_user_reports_push_or_none(emulator: Emulator) -> None:
    user = emulator.add_user("ms_plain", duo_enrolled=False)
    with sfmfa.login(**emulator.options(user)) as s:
        assert s.second_factor == SecondFactor.PUSH_OR_NONE
    assert emulator.push_count(user) == 0


def test_progress_event_step_defaults_to_zero() -> None:
    e = ProgressEvent(ProgressKind.PUSH_SENT, 0, 0, "Duo push sent")
    assert e.step == 0
    assert ProgressKind(9) is ProgressKind.LOGIN_STEP
    assert SecondFactor(5) is SecondFactor.PUSH_OR_NONE
