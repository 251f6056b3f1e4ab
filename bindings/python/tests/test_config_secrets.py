"""A password typed in the wrong place (the value of another option, an option name, a key of a
connection string) is in no exception text; a huge connection string is refused at once and the
warnings of a big one are bounded (issue 14, items 2 and 9)."""

from __future__ import annotations

import traceback
import warnings

import pytest
from conftest import Emulator, failing

import sfmfa
from sfmfa import ErrorKind

_PARTS = ("Zq8", "-pw-", "Kx31", "!v")


def secret() -> str:
    """A password that appears nowhere else."""
    return "".join(_PARTS)


def plain_secret() -> str:
    """A password that looks like a name but for its digits."""
    return "".join(_PARTS[:3]).replace("-", "_")


def passcode() -> str:
    """A passcode given to a boolean option (made here, so that no source line shows it)."""
    return str(518 * 1000 + 273)


def exception_text(e: BaseException) -> str:
    return "\n".join([str(e), repr(e), repr(e.args), repr(vars(e)), "".join(traceback.format_exception(e))])


def assert_no_secret(text: str) -> None:
    for s in (secret(), plain_secret()):
        assert s not in text, f"a secret leaked into: {text[:300]}"


def test_a_password_as_login_timeout(emulator: Emulator) -> None:
    opts = emulator.options("push_approve")
    del opts["login_timeout"]
    e = failing(lambda: sfmfa.login(login_timeout=secret(), **opts))
    assert e.kind == ErrorKind.INVALID_VALUE
    assert "login_timeout" in str(e)
    assert_no_secret(exception_text(e))
    e = failing(lambda: sfmfa.login(passcode_in_password=passcode(), **opts))
    assert passcode() not in exception_text(e)


def test_a_password_as_an_option_name(emulator: Emulator) -> None:
    opts = emulator.options("push_approve")
    for name in (secret(), plain_secret()):
        # An unknown name is a warning (the login goes on); it does not show a name like this one.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with sfmfa.login(**{name: "x"}, **opts) as session:
                assert session.session_id > 0
        (w,) = caught
        assert "characters" in str(w.message)
        assert_no_secret(str(w.message))
        # Refused by the binding itself (a value it cannot pass to C): the name is not shown either.
        e = failing(lambda name=name: sfmfa.login(**{name: "x\0y"}, **opts))
        assert "characters" in str(e)
        assert_no_secret(exception_text(e))


def test_a_password_as_a_key_of_a_connection_string(emulator: Emulator) -> None:
    base = f"Server=127.0.0.1;port={emulator.port};protocol=http;account=xy12345;UID=u"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with sfmfa.Client.from_connection_string(f"{base};{plain_secret()}=1;PWD=p;{secret()}") as client:
            assert len(client.warnings) == 2
            assert_no_secret("\n".join(client.warnings))
    assert_no_secret("\n".join(str(w.message) for w in caught))
    e = failing(lambda: sfmfa.Client.from_connection_string(f"{base};PWD=p;login_timeout={{{secret()}}}"))
    assert_no_secret(exception_text(e))
    e = failing(lambda: sfmfa.Client.from_connection_string(f"{base};{plain_secret()}={{x"))
    assert_no_secret(exception_text(e))


def test_a_huge_connection_string_is_refused_and_warnings_are_bounded() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = failing(lambda: sfmfa.Client.from_connection_string("someUnknownKey=1;" * 61_681))
    assert not caught
    assert e.kind == ErrorKind.INVALID_VALUE
    assert "65536" in str(e)
    s = "".join(f"unknownKey{i}=1;" for i in range(3000)) + "Server=h.example.com;account=a;UID=u;PWD=p"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with sfmfa.Client.from_connection_string(s) as client:
            assert len(client.warnings) == 51
            assert "2950 more warnings" in client.warnings[-1]
