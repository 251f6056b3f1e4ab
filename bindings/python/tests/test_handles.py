"""Handles are freed exactly once (close, with, finalizer), sessions log out on close, and a
progress callback that raises never reaches C."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import PKG_ROOT, Emulator

import sfmfa
from sfmfa import ProgressEvent, ProgressKind


def test_session_close_logs_out_once(emulator: Emulator) -> None:
    before = emulator.sessions()
    s = sfmfa.login(**emulator.options("push_approve"))
    handle = s._handle
    assert emulator.sessions()["open"] == before["open"] + 1
    s.close()
    s.close()
    assert s.closed and handle.frees == 1
    assert emulator.sessions()["closed"] == before["closed"] + 1
    with pytest.raises(sfmfa.InterfaceError):
        s.token  # noqa: B018 - the property calls C
    assert s.session_id > 0  # what was copied at login stays readable
    assert "closed" in repr(s)


def test_a_sessions_report_is_read_on_first_use_and_stays_readable_after_close(
    emulator: Emulator,
) -> None:
    def report(s: sfmfa.Session) -> tuple[object, ...]:
        return (s.session_id, s.second_factor, s.cache_status, s.cache_evicted, s.cache_detail)

    with sfmfa.Client(**emulator.options("push_approve")) as client:
        read = client.login()
        assert read._read is None  # the login did not wait for the four calls into C
        first = report(read)
        assert first[0] > 0 and first[4]
        never = client.login()
        never.close()  # nothing read before: close() reads it while the handle is still valid
        assert never.session_id > 0 and never.session_id != first[0]
        assert report(never)[1:] == first[1:]
        read.close()
        assert report(read) == first
        assert f"id={first[0]}" in repr(read) and "closed" in repr(read)


def test_with_closes_the_session_also_on_an_exception(emulator: Emulator) -> None:
    with pytest.raises(RuntimeError), sfmfa.login(**emulator.options("push_approve")) as s:
        raise RuntimeError("boom")
    assert s.closed and s._handle.frees == 1


def test_finalizers_free_what_was_not_closed(emulator: Emulator) -> None:
    client = sfmfa.Client(**emulator.options("push_approve"))
    session = client.login()
    handles = [client._handle, client._config.handle, session._handle]
    del client, session
    gc.collect()
    assert [h.frees for h in handles] == [1, 1, 1]


def test_a_closed_client_frees_its_configuration_and_keeps_its_sessions(emulator: Emulator) -> None:
    with sfmfa.Client(**emulator.options("push_approve")) as client:
        session = client.login()
    assert client._handle.frees == 1 and client._config.handle.frees == 1
    assert session.token  # sessions outlive their client
    session.close()
    with pytest.raises(sfmfa.InterfaceError):
        client.login()
    with pytest.raises(sfmfa.InterfaceError):
        client.cached_token()


def unfreed_handles() -> int:
    from sfmfa._client import _Handle

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, _Handle) and not o.freed)


def test_failures_leave_no_handle_behind(emulator: Emulator) -> None:
    before = unfreed_handles()
    with pytest.raises(sfmfa.ProgrammingError):
        sfmfa.Client(**emulator.options("push_approve", login_timeout="never"))
    with pytest.raises(sfmfa.ProgrammingError):
        sfmfa.login_from_connection_string("Server=127.0.0.1;PWD={open")
    with pytest.raises(sfmfa.ProgrammingError):
        sfmfa.login(account="xy12345", user="u")  # no password: sfmfa_client_new refuses
    with pytest.raises(sfmfa.DatabaseError):
        sfmfa.login(**emulator.options("push_deny"))
    assert unfreed_handles() == before


def test_no_double_free_under_glibc_checks(emulator: Emulator) -> None:
    """Every path that frees (close twice, with, finalizer at exit, a session outliving its client)
    in a child whose malloc aborts on any double free or heap corruption."""
    script = textwrap.dedent(
        f"""
        import gc, sfmfa
        opts = dict(account="xy12345", user="push_approve", password="abc123",
                    host="127.0.0.1", port={emulator.port}, protocol="http",
                    client_store_temporary_credential=False)
        c = sfmfa.Client(**opts)
        s = c.login(); c.close(); c.close(); s.close(); s.close()
        with sfmfa.Client(**opts) as c2:
            with c2.login() as s2:
                pass
        c3 = sfmfa.Client(**opts); s3 = c3.login(); del c3; gc.collect(); s3.token; del s3
        leftover = sfmfa.Client(**opts).login()   # freed by the finalizer at interpreter exit
        keep = sfmfa.Client(**opts)
        print("ok")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(PKG_ROOT), MALLOC_CHECK_="3", MALLOC_PERTURB_="165")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, "ok"), out.stderr


def test_a_progress_callback_that_raises_never_reaches_c(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[ProgressKind | int] = []

    def bad(event: ProgressEvent) -> None:
        seen.append(event.kind)
        raise ValueError("callback bug")

    caplog.set_level(logging.DEBUG, logger="sfmfa")
    opts = emulator.options(
        "push_approve",
        authenticator="username_password_mfa",
        client_store_temporary_credential=True,
        token_cache="memory",
    )
    with sfmfa.Client(progress=bad, **opts) as client:
        with client.login() as s:  # the login goes on
            assert s.session_id > 0
        with client.login():
            pass
    assert seen == [ProgressKind.PUSH_SENT, ProgressKind.TOKEN_STORED, ProgressKind.USING_CACHED_TOKEN]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3, "logged every time"
    assert all("progress callback raised" in r.getMessage() for r in errors)
    assert all(r.exc_info and r.exc_info[0] is ValueError for r in errors)
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("Duo push sent" in m for m in debug)


def test_a_callback_raising_systemexit_does_not_stop_the_login(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    def bad(event: ProgressEvent) -> None:
        raise SystemExit(3)

    with sfmfa.login(progress=bad, **emulator.options("push_approve", authenticator="username_password_mfa")) as s:
        assert s.session_id > 0
    assert any("progress callback raised" in r.getMessage() for r in caplog.records)


def test_progress_events_carry_kind_attempt_delay_and_message(emulator: Emulator) -> None:
    events: list[ProgressEvent] = []
    emulator.call("POST", "faults", {"kind": "fail_http", "status": 503, "times": 1})
    with sfmfa.login(progress=events.append, **emulator.options("push_approve", passcode="987654")):
        pass
    kinds = [e.kind for e in events]
    assert kinds == [
        ProgressKind.PASSCODE_SENT,
        ProgressKind.RETRYING,  # the 503 is retried; the passcode is not announced twice
        ProgressKind.TOKEN_NOT_CACHED,
    ], events
    retry = events[1]
    assert retry.attempt == 2 and retry.delay_ms > 0 and retry.message
    assert (events[0].attempt, events[0].delay_ms) == (0, 0)
    assert "username_password_mfa" in events[2].message


def test_progress_goes_where_it_is_listened_to_login_by_login(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a callback and with the logger quiet the C client has no callback; a callback set
    later, or the logger turned to DEBUG, gets the events of the next login, and the
    configuration's warnings still reach the log at WARNING."""
    events: list[ProgressEvent] = []
    passcode = [ProgressKind.PASSCODE_SENT, ProgressKind.TOKEN_NOT_CACHED]
    caplog.set_level(logging.WARNING, logger="sfmfa")
    with sfmfa.Client(**emulator.options("push_approve", passcode="987654")) as client:
        assert not client._reporting
        with client.login():
            pass
        assert not client._reporting and not caplog.records
        client.progress = events.append
        with client.login():
            pass
        assert client._reporting and [e.kind for e in events] == passcode
        client.progress = None
        with client.login():
            pass
        assert not client._reporting and len(events) == 2
        caplog.set_level(logging.DEBUG, logger="sfmfa")
        with client.login():
            pass
        assert client._reporting
        assert [r.getMessage() for r in caplog.records] == [
            "login progress: Duo passcode sent",
            f"login progress: {events[1].message}",
        ]
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="sfmfa")
    with pytest.warns(sfmfa.ConfigurationWarning, match="insecure"):
        client = sfmfa.Client(**emulator.options("push_approve", passcode="987654", insecure_mode=True))
    with client:
        assert client._reporting  # for the warning's event
        with client.login():
            pass
    logged = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert len(logged) == 1 and logged[0][0] == logging.WARNING and "insecure" in logged[0][1], logged


def test_warnings_as_errors_leave_no_handle_behind(emulator: Emulator) -> None:
    import warnings

    before = unfreed_handles()
    with warnings.catch_warnings():
        warnings.simplefilter("error", sfmfa.ConfigurationWarning)
        with pytest.raises(sfmfa.ConfigurationWarning, match="insecure"):
            sfmfa.Client(**emulator.options("push_approve", insecure_mode=True))
    assert unfreed_handles() == before


def test_a_client_whose_constructor_raised_still_has_a_repr() -> None:
    """Issue 14 item 12: a debugger or a traceback's locals show the half-built client."""
    with pytest.raises(sfmfa.ProgrammingError) as info:
        sfmfa.Client(account="xy12345", user="u", password="pw", login_timeout="soon")
    tb = info.value.__traceback__
    half_built = []
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if isinstance(candidate, sfmfa.Client):
            half_built.append(candidate)
        tb = tb.tb_next
    assert half_built, "the constructor's frame is in the traceback"
    for client in half_built:
        assert repr(client) == "<sfmfa.Client closed>"
        assert client.closed
        client.close()  # idempotent, nothing to free
        with pytest.raises(sfmfa.InterfaceError):
            client.login()
