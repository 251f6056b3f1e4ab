"""No password or passcode in a raised exception: its str, repr, args, attributes, its formatted
traceback (also with capture_locals=True, which shows every frame's locals), the chained
exceptions, the frames' locals themselves, or a log record.

The secrets are made by functions called inline, so that no local of the test's own frames holds
them: the only place they could show is the library's frames."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

import pytest
from conftest import ACCOUNT, BYPASS, PASSWORD, Emulator, failing

import sfmfa
from sfmfa import ErrorKind

_PARTS = ("Zq8", "-pw-", "Kx31", "!v")


def secret() -> str:
    """A wrong password that appears nowhere else."""
    return "".join(_PARTS)


def secret_passcode() -> str:
    return "pc" + "".join(reversed(_PARTS))


SECRETS = (secret(), secret_passcode(), PASSWORD + "5" + "31642")


def frames(tb: TracebackType | None) -> list[Any]:
    out = []
    while tb is not None:
        out.append(tb.tb_frame)
        tb = tb.tb_next
    return out


def assert_clean(e: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    texts = [
        str(e),
        repr(e),
        repr(e.args),
        repr(vars(e)),
        "".join(traceback.format_exception(e)),
        "".join(traceback.TracebackException.from_exception(e, capture_locals=True).format()),
        caplog.text,
    ]
    chain: BaseException | None = e
    while chain is not None:
        for frame in frames(chain.__traceback__):
            for name, value in frame.f_locals.items():
                texts.append(f"{name}={value!r}")
                if isinstance(value, dict):
                    texts.extend(repr(v) for v in value.values())
        chain = chain.__cause__ or chain.__context__
    for text in texts:
        for s in SECRETS:
            assert s not in text, f"a secret leaked into: {text[:300]}"


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_a_wrong_password(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    opts = emulator.options("push_approve")
    del opts["password"]
    e = failing(lambda: sfmfa.login(password=secret(), **opts))
    assert e.kind == ErrorKind.BAD_CREDENTIALS
    assert_clean(e, caplog)


def test_a_wrong_password_in_a_client(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    opts = emulator.options("push_approve")
    del opts["password"]

    def go() -> None:
        with sfmfa.Client(password=secret(), **opts) as client:
            client.login()

    e = failing(go)
    assert e.errno == 390100
    assert_clean(e, caplog)


def test_a_wrong_passcode(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    e = failing(lambda: sfmfa.login(passcode=secret_passcode(), **emulator.options("demo")))
    assert e.kind == ErrorKind.DUO_INVALID
    assert_clean(e, caplog)


def test_a_wrong_passcode_in_the_password(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    opts = emulator.options("demo", passcode_in_password=True)
    del opts["password"]
    e = failing(lambda: sfmfa.login(password=SECRETS[2], **opts))
    assert e.errno in (390127, 390100)
    assert_clean(e, caplog)


def test_a_failure_after_the_password_was_set(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    opts = emulator.options("push_approve")
    del opts["password"]
    # The password is set first, then an unknown option warns and the login fails.
    with pytest.warns(sfmfa.ConfigurationWarning) as caught:
        e = failing(lambda: sfmfa.login(password=secret(), passcode=secret_passcode(), no_such_option="x", **opts))
    assert e.kind == ErrorKind.BAD_CREDENTIALS
    assert_clean(e, caplog)
    for w in caught:
        assert not any(s in str(w.message) for s in SECRETS)
    del opts["login_timeout"]
    e = failing(lambda: sfmfa.login(password=secret(), login_timeout="never", **opts))
    assert e.kind == ErrorKind.INVALID_VALUE
    assert_clean(e, caplog)
    e = failing(lambda: sfmfa.login(password=secret(), role=object(), **opts))  # type: ignore[arg-type]
    assert isinstance(e, sfmfa.InterfaceError)
    assert_clean(e, caplog)


def test_a_connection_string_with_a_wrong_password(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    def conn() -> str:
        return (
            f"Server=127.0.0.1;port={emulator.port};protocol=http;account={ACCOUNT};UID=push_approve;"
            f"PWD={{{secret()}}};CLIENT_STORE_TEMPORARY_CREDENTIAL=off"
        )

    e = failing(lambda: sfmfa.login_from_connection_string(conn()))
    assert e.errno == 390100
    assert_clean(e, caplog)
    # A syntax error after the password: the message names the key and offset, not the value.
    e = failing(lambda: sfmfa.login_from_connection_string(conn() + ";PWD2={" + secret_passcode()))
    assert isinstance(e, sfmfa.ProgrammingError)
    assert_clean(e, caplog)
    with pytest.warns(sfmfa.ConfigurationWarning, match="'bogus'"):
        e = failing(lambda: sfmfa.login_from_connection_string(conn(), passcode=secret_passcode(), bogus=1))
    assert_clean(e, caplog)


def test_a_bytearray_password_can_be_wiped_by_the_caller(emulator: Emulator) -> None:
    pw = bytearray(PASSWORD.encode())
    opts = emulator.options("push_approve")
    del opts["password"]
    with sfmfa.login(password=pw, **opts) as s:
        assert s.session_id > 0
    pw[:] = bytes(len(pw))
    assert pw == bytearray(len(PASSWORD))


def test_session_repr_shows_no_token(emulator: Emulator) -> None:
    with sfmfa.login(**emulator.options("push_approve", passcode=BYPASS)) as s:
        token, master = s.token, s.master_token
        assert token not in repr(s) and master not in repr(s)
        assert token not in repr(vars(s)) and master not in repr(vars(s))
