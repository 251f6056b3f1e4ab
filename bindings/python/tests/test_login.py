"""Every MFA mode and every Duo error, through ctypes, against the emulator."""

from __future__ import annotations

import warnings

import pytest
from conftest import ACCOUNT, BYPASS, PASSWORD, Emulator

import sfmfa
from sfmfa import CacheStatus, ErrorKind, SecondFactor


def test_push(emulator: Emulator) -> None:
    user = emulator.add_user("push")
    with sfmfa.login(**emulator.options(user, authenticator="username_password_mfa")) as s:
        # One answer let the user in: it does not prove that the push happened (PUSH is for the
        # multi-step flow, tests/test_multistep.py).
        assert s.second_factor == SecondFactor.PUSH_OR_NONE
        assert s.session_id > 0
        assert s.token and s.master_token and s.token != s.master_token
        assert s.cache_status == CacheStatus.DISABLED
        assert s.cache_detail
    assert s.closed
    assert emulator.push_count(user) == 1


def test_passcode_from_the_authenticator_app(emulator: Emulator) -> None:
    # `demo` has a TOTP secret: the emulator tells the current code, as the Duo app would.
    code = emulator.passcode("demo")
    with sfmfa.login(**emulator.options("demo", passcode=code)) as s:
        assert s.second_factor == SecondFactor.PASSCODE


def test_bypass_passcode(emulator: Emulator) -> None:
    user = emulator.add_user("passcode", push={"kind": "deny"})
    with sfmfa.login(**emulator.options(user, passcode=BYPASS)) as s:
        assert s.second_factor == SecondFactor.PASSCODE
    assert emulator.push_count(user) == 0


def test_passcode_in_password(emulator: Emulator) -> None:
    user = emulator.add_user("pip", push={"kind": "deny"})
    opts = emulator.options(user, password=PASSWORD + BYPASS, passcode_in_password=True)
    with sfmfa.login(**opts) as s:
        assert s.second_factor == SecondFactor.PASSCODE_IN_PASSWORD
    assert emulator.push_count(user) == 0


def test_passcode_in_password_wins_over_a_passcode(emulator: Emulator) -> None:
    opts = emulator.options(
        "push_deny", password=PASSWORD + BYPASS, passcode="000000", passcode_in_password="on"
    )
    with sfmfa.login(**opts) as s:
        assert s.second_factor == SecondFactor.PASSCODE_IN_PASSWORD


def test_jdbc_url(emulator: Emulator) -> None:
    url = (
        f"jdbc:snowflake://127.0.0.1:{emulator.port}/?account={ACCOUNT}&user=push_deny"
        f"&ssl=off&passcode={BYPASS}&loginTimeout=20&clientStoreTemporaryCredential=false"
    )
    with sfmfa.login_from_connection_string(url, password=PASSWORD) as s:
        assert s.second_factor == SecondFactor.PASSCODE


def test_odbc_string_with_a_password_holding_semicolons(emulator: Emulator) -> None:
    user = emulator.add_user("odbc", password="ab;c}1=23")
    conn = (
        f"Driver={{SnowflakeDSIIDriver}};Server=127.0.0.1;port={emulator.port};protocol=http;"
        f"account={ACCOUNT};UID={user};PWD={{ab;c}}}}1=23}};authenticator=username_password_mfa;"
        "CLIENT_STORE_TEMPORARY_CREDENTIAL=off"
    )
    with sfmfa.login_from_connection_string(conn) as s:
        assert s.second_factor == SecondFactor.PUSH_OR_NONE


def test_connection_string_warnings_are_python_warnings(emulator: Emulator) -> None:
    url = (
        f"jdbc:snowflake://127.0.0.1:{emulator.port}/?account={ACCOUNT}&user=push_approve"
        "&ssl=off&wharehouse=WH&insecureMode=true&clientStoreTemporaryCredential=false"
    )
    with pytest.warns(sfmfa.ConfigurationWarning) as record:
        client = sfmfa.Client.from_connection_string(url, password=PASSWORD)
    with client:
        texts = [str(w.message) for w in record]
        assert any("wharehouse" in t and "'warehouse'" in t for t in texts), texts
        assert any("insecure" in t.lower() for t in texts), texts
        assert client.warnings == tuple(texts)
        assert record[0].filename == __file__  # points at the caller's line
        with client.login() as s:  # the default authenticator asks for a push too
            assert s.second_factor == SecondFactor.PUSH_OR_NONE


def test_keyword_options_reach_the_configuration(emulator: Emulator) -> None:
    # insecure_mode=True is accepted but not honoured: a warning, and the login goes on.
    with pytest.warns(sfmfa.ConfigurationWarning, match="insecure"):
        s = sfmfa.login(**emulator.options("push_approve", insecure_mode=True, database="DB"))
    s.close()
    # Other drivers' names for the same options are accepted too.
    opts = emulator.options("push_deny")
    opts.update(passcodeInPassword="on", password=PASSWORD + BYPASS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with sfmfa.login(**opts) as s:
            assert s.second_factor == SecondFactor.PASSCODE_IN_PASSWORD


# (user, extra options, errno, sqlstate, kind) of every Duo failure of the emulator's table.
DUO_FAILURES = [
    ("push_deny", {}, 390120, ErrorKind.DUO_DENIED),
    ("push_pending", {}, 390121, ErrorKind.DUO_PENDING),
    ("not_enrolled", {"passcode": BYPASS}, 390122, ErrorKind.DUO_NOT_ENROLLED),
    ("locked_user", {}, 390123, ErrorKind.DUO_LOCKED),
    ("push_timeout", {}, 390126, ErrorKind.DUO_TIMEOUT),
    ("demo", {"passcode": "000000"}, 390127, ErrorKind.DUO_INVALID),
    ("duo_down", {}, 390129, ErrorKind.DUO_EXCEPTION),
    ("push_disabled", {}, 390132, ErrorKind.DUO_PUSH_DISABLED),
]

MESSAGES = {
    390120: "Duo Security authentication is denied.",
    390121: "Duo Security authentication is pending.",
    390122: "User is not enrolled in Duo Security. Contact your local system administrator.",
    390123: "User is locked from Duo Security. Contact your local system administrator.",
    390126: "Timed out waiting for your login request approval via Duo Mobile. If your mobile "
    "device has no data service, generate a Duo passcode and enter it in the connect string.",
    390127: "Incorrect passcode was specified.",
    390129: "Request could not be completed due to a communication problem with the external "
    "service provider. Try again later.",
    390132: "Duo Push is not enabled for your MFA. Provide a passcode as part of the connection "
    "string.",
    390100: "Incorrect username or password was specified.",
}


@pytest.mark.parametrize(("user", "extra", "errno", "kind"), DUO_FAILURES)
def test_duo_failure(
    emulator: Emulator, user: str, extra: dict[str, str], errno: int, kind: ErrorKind
) -> None:
    opts = emulator.options(user, authenticator="username_password_mfa", **extra)
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**opts)
    e = info.value
    assert type(e) is sfmfa.DatabaseError
    assert isinstance(e, sfmfa.Error)
    assert (e.errno, e.sqlstate, e.kind) == (errno, "08001", kind)
    assert e.msg == MESSAGES[errno]
    assert e.result == errno - 390100 + 300  # 3xx = 390100 + xx
    assert str(e).startswith(f"{errno} (08001): {MESSAGES[errno]}")


def test_wrong_passcodes_lock_the_user(emulator: Emulator) -> None:
    user = emulator.add_user("lockout")
    for _ in range(5):
        with pytest.raises(sfmfa.DatabaseError) as info:
            sfmfa.login(**emulator.options(user, passcode="000000"))
        assert info.value.kind == ErrorKind.DUO_INVALID
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options(user, passcode=BYPASS))
    assert (info.value.errno, info.value.kind) == (390123, ErrorKind.DUO_LOCKED)


def test_bad_password(emulator: Emulator) -> None:
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options("push_approve", password="not-the-password"))
    e = info.value
    assert (e.errno, e.sqlstate, e.kind) == (390100, "28000", ErrorKind.BAD_CREDENTIALS)
    assert e.msg == MESSAGES[390100]


@pytest.mark.parametrize(
    ("code", "kind"),
    [("390120", ErrorKind.DUO_DENIED), ("390129", ErrorKind.DUO_EXCEPTION),
     ("390125", ErrorKind.DUO_SMS_SENT), ("390199", ErrorKind.SERVER_ERROR)],
)
def test_forced_codes(emulator: Emulator, code: str, kind: ErrorKind) -> None:
    emulator.force_code(code)
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options("push_approve"))
    assert (info.value.errno, info.value.kind) == (int(code), kind)
    assert info.value.hint is None or isinstance(info.value.hint, str)


def test_a_denied_push_has_a_hint(emulator: Emulator) -> None:
    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options("push_timeout"))
    assert info.value.hint and "passcode" in info.value.hint


def test_an_unknown_keyword_warns_with_the_nearest_name_and_the_login_goes_on(emulator: Emulator) -> None:
    # As the Python connector does for an unknown connection parameter (it raised ProgrammingError).
    with pytest.warns(sfmfa.ConfigurationWarning) as caught:
        with sfmfa.login(**emulator.options("push_approve", wharehouse="WH")) as s:
            assert s.session_id > 0
    (w,) = caught
    assert str(w.message) == "unknown option 'wharehouse'; nearest known name: 'warehouse'; ignored"
    assert issubclass(w.category, UserWarning)
    assert w.filename == __file__  # the caller's line, not one inside sfmfa
    with pytest.warns(sfmfa.ConfigurationWarning, match="'passcode_in_password'"):
        with sfmfa.Client(**emulator.options("push_approve", passcodeInPasword=True)) as client:
            assert client.warnings == ("unknown option 'passcodeInPasword'; nearest known name: "
                                       "'passcode_in_password'; ignored",)
    # A bad value still raises, also next to an unknown name.
    with pytest.raises(sfmfa.ProgrammingError) as info:
        sfmfa.login(**emulator.options("push_approve", wharehouse="WH", login_timeout="soon"))
    assert info.value.kind == ErrorKind.INVALID_VALUE
    # Under a warnings filter "error" the warning is raised instead.
    with warnings.catch_warnings():
        warnings.simplefilter("error", sfmfa.ConfigurationWarning)
        with pytest.raises(sfmfa.ConfigurationWarning):
            sfmfa.login(**emulator.options("push_approve", wharehouse="WH"))


def test_caller_mistakes_are_programming_errors(emulator: Emulator) -> None:
    with pytest.raises(sfmfa.ProgrammingError) as info:
        sfmfa.login(**emulator.options("push_approve", login_timeout="soon"))
    assert (info.value.kind, info.value.sqlstate) == (ErrorKind.INVALID_VALUE, "22023")
    with pytest.raises(sfmfa.ProgrammingError) as info:
        sfmfa.login(account=ACCOUNT, user="demo")
    assert info.value.kind == ErrorKind.MISSING_OPTION
    with pytest.raises(sfmfa.InterfaceError):
        sfmfa.login(**emulator.options("push_approve", role=["A"]))  # type: ignore[arg-type]
    with pytest.raises(sfmfa.InterfaceError):
        sfmfa.login(**emulator.options("push_approve", role="A\0B"))


def test_transport_failures_are_operational_errors(emulator: Emulator) -> None:
    opts = emulator.options("push_approve", port=1, login_timeout=3)  # nothing listens on port 1
    with pytest.raises(sfmfa.OperationalError) as info:
        sfmfa.login(**opts)
    assert info.value.kind in (ErrorKind.CONNECT, ErrorKind.TIMEOUT)
    assert info.value.errno in (sfmfa.Result.CONNECT, sfmfa.Result.TIMEOUT)
    assert info.value.sqlstate in ("08001", "HYT00")
    # https is refused for a plain-HTTP emulator... and http for a non-loopback host.
    with pytest.raises(sfmfa.ProgrammingError):
        sfmfa.login(**emulator.options("push_approve", host="example.com"))


def test_errors_pickle_with_their_attributes(emulator: Emulator) -> None:
    import pickle

    with pytest.raises(sfmfa.DatabaseError) as info:
        sfmfa.login(**emulator.options("push_deny"))
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is sfmfa.DatabaseError
    assert (copy.errno, copy.sqlstate, copy.kind, copy.msg, copy.hint) == (
        390120, "08001", ErrorKind.DUO_DENIED, info.value.msg, info.value.hint)


def test_the_user_agent_and_client_environment_name_the_python_binding() -> None:
    """A one-shot HTTP server on a real socket records the login request sfmfa sends."""
    import http.server
    import json
    import platform
    import threading

    seen: dict[str, object] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen["ua"] = self.headers["User-Agent"]
            seen["body"] = json.loads(body)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"success": false, "code": "390100", "message": "no", "data": {}}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.handle_request)
    t.start()
    try:
        with pytest.raises(sfmfa.DatabaseError):
            sfmfa.login(account=ACCOUNT, user="u", password=PASSWORD, host="127.0.0.1",
                        port=server.server_address[1], protocol="http", login_timeout=10)
    finally:
        t.join(30)
        server.server_close()
    version = platform.python_version()
    assert str(seen["ua"]).endswith(f" Python/{version}"), seen["ua"]
    env = seen["body"]["data"]["CLIENT_ENVIRONMENT"]  # type: ignore[index]
    assert env["BINDING"] == "Python"
