"""PEP 249's exception set and hierarchy, the class of every row of the failure table
(bindings/failures.tsv) as the Snowflake Python connector would raise it, and enums that print
their names."""

from __future__ import annotations

import json
import pickle

import pytest
from conftest import REPO, Emulator
from test_failures import TABLE, Row

import sfmfa
from sfmfa import CacheStatus, ProgressKind, Result, SecondFactor

#: PEP 249's classes and the parent it gives each.
PEP249 = {
    "Warning": Exception,
    "Error": Exception,
    "InterfaceError": "Error",
    "DatabaseError": "Error",
    "DataError": "DatabaseError",
    "OperationalError": "DatabaseError",
    "IntegrityError": "DatabaseError",
    "InternalError": "DatabaseError",
    "ProgrammingError": "DatabaseError",
    "NotSupportedError": "DatabaseError",
}


@pytest.mark.parametrize("name", PEP249)
def test_every_pep249_exception_is_there_with_its_parent(name: str) -> None:
    cls = getattr(sfmfa, name)
    parent = PEP249[name]
    parent_cls = parent if isinstance(parent, type) else getattr(sfmfa, parent)
    assert cls.__bases__ == (parent_cls,)
    assert name in sfmfa.__all__
    assert cls.__doc__


def test_warning_is_not_the_builtin_and_not_an_error() -> None:
    assert sfmfa.Warning is not Warning
    assert not issubclass(sfmfa.Warning, sfmfa.Error) and not issubclass(sfmfa.Error, sfmfa.Warning)


#: The connector's class for each failure: a refused login is DatabaseError with the server's code
#: (its authenticator raises DatabaseError for every failed login-request); a missing user, password
#: or account and a bad parameter value are ProgrammingError; no connection, a lost one, a bad
#: answer and a timeout are OperationalError; a misuse of the API (a closed handle) InterfaceError.
EXPECTED = {
    "NULL_ARGUMENT": sfmfa.InterfaceError,
    "INVALID_UTF8": sfmfa.InterfaceError,
    "UNKNOWN_OPTION": sfmfa.ProgrammingError,
    "INVALID_VALUE": sfmfa.ProgrammingError,
    "BUFFER_TOO_SMALL": sfmfa.InterfaceError,
    "MISSING_OPTION": sfmfa.ProgrammingError,
    "CONNECT": sfmfa.OperationalError,
    "TLS": sfmfa.OperationalError,
    "HTTP_STATUS": sfmfa.OperationalError,
    "CONNECTION_LOST": sfmfa.OperationalError,
    "PROTOCOL": sfmfa.OperationalError,
    "TIMEOUT": sfmfa.OperationalError,
    "BAD_CREDENTIALS": sfmfa.DatabaseError,
    "DUO_DENIED": sfmfa.DatabaseError,
    "DUO_PENDING": sfmfa.DatabaseError,
    "DUO_NOT_ENROLLED": sfmfa.DatabaseError,
    "DUO_LOCKED": sfmfa.DatabaseError,
    "DUO_REQUESTED": sfmfa.DatabaseError,
    "DUO_SMS_SENT": sfmfa.DatabaseError,
    "DUO_TIMEOUT": sfmfa.DatabaseError,
    "DUO_INVALID": sfmfa.DatabaseError,
    "DUO_SUCCEEDED": sfmfa.DatabaseError,
    "DUO_EXCEPTION": sfmfa.DatabaseError,
    "DUO_PUSH_DISABLED": sfmfa.DatabaseError,
    "SERVER_ERROR": sfmfa.DatabaseError,
    "CACHE": sfmfa.OperationalError,
    "CANCELLED": sfmfa.OperationalError,
    "INTERNAL": sfmfa.InternalError,
    "PANIC": sfmfa.InternalError,
}


def test_the_expectations_cover_the_table_exactly() -> None:
    assert sorted(EXPECTED) == sorted(r.name for r in TABLE)


@pytest.mark.parametrize("row", TABLE, ids=[r.name for r in TABLE])
def test_every_row_of_the_failure_table_has_the_connectors_class(row: Row) -> None:
    from sfmfa._errors import class_of

    assert class_of(row.value) is EXPECTED[row.name]
    assert Result(row.value).name == row.name


def test_values_newer_than_the_binding_get_their_bands_class() -> None:
    from sfmfa._errors import class_of

    assert class_of(150) is sfmfa.ProgrammingError
    assert class_of(250) is sfmfa.OperationalError
    assert class_of(350) is sfmfa.DatabaseError
    assert class_of(450) is sfmfa.OperationalError
    assert class_of(5000) is sfmfa.InternalError


def test_a_closed_session_is_an_interface_error_with_an_int_errno(emulator: Emulator) -> None:
    s = sfmfa.login(**emulator.options("push_approve"))
    s.close()
    with pytest.raises(sfmfa.InterfaceError) as info:
        s.token  # noqa: B018
    assert type(info.value.errno) is int and info.value.errno == 100
    assert "errno=100," in repr(info.value)
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), again.errno, again.kind) == (sfmfa.InterfaceError, 100, Result.NULL_ARGUMENT)


@pytest.mark.parametrize("member", [SecondFactor.PUSH, CacheStatus.DISABLED, ProgressKind.PUSH_SENT, Result.DUO_DENIED])
def test_enums_print_their_names(member: Result) -> None:
    name = f"{type(member).__name__}.{member.name}"
    assert str(member) == name and f"{member}" == name and "%s" % member == name
    assert repr(member) == f"<{name}: {int(member)}>"
    assert f"{member:d}" == str(int(member)) and f"{member:>40}" == name.rjust(40)
    assert member == int(member) and json.dumps(member) == str(int(member))


def test_an_unknown_value_prints_its_name_too() -> None:
    assert str(Result(777)) == "Result.UNKNOWN_777"
    assert f"{SecondFactor(99)}" == "SecondFactor.UNKNOWN_99"


def test_the_readme_names_the_pep249_set() -> None:
    section = (REPO / "README.md").read_text().split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    for name in PEP249:
        assert f"`{name}`" in section, name
