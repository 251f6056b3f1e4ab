"""The public API: every name documented, typed (py.typed shipped), and the PEP 249 hierarchy."""

from __future__ import annotations

import inspect

import pytest
from conftest import PKG_ROOT

import sfmfa


def public_members(obj: object) -> list[tuple[str, object]]:
    out = []
    for name, member in vars(obj).items():
        if name.startswith("_") or name in ("warnings",):
            continue
        if isinstance(member, (property, staticmethod, classmethod)) or inspect.isfunction(member):
            out.append((name, member))
    return out


@pytest.mark.parametrize("name", sorted(sfmfa.__all__))
def test_every_public_name_is_documented(name: str) -> None:
    obj = getattr(sfmfa, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        assert inspect.getdoc(obj), f"sfmfa.{name} has no docstring"
    if inspect.isclass(obj):
        for member_name, member in public_members(obj):
            assert inspect.getdoc(member), f"sfmfa.{name}.{member_name} has no docstring"


def test_the_package_is_typed() -> None:
    assert (PKG_ROOT / "sfmfa" / "py.typed").is_file()
    for fn in (sfmfa.login, sfmfa.login_from_connection_string, sfmfa.Client.login):
        hints = inspect.get_annotations(fn)
        assert hints.get("return") == "Session", fn


def test_pep249_hierarchy() -> None:
    assert issubclass(sfmfa.Error, Exception)
    for cls in (sfmfa.OperationalError, sfmfa.ProgrammingError, sfmfa.InternalError):
        assert issubclass(cls, sfmfa.DatabaseError)
    assert issubclass(sfmfa.DatabaseError, sfmfa.Error)
    assert issubclass(sfmfa.InterfaceError, sfmfa.Error)
    assert not issubclass(sfmfa.InterfaceError, sfmfa.DatabaseError)
    assert sfmfa.apilevel == "2.0"


def test_every_result_has_a_class_and_a_kind() -> None:
    from sfmfa._errors import class_of, kind_of

    expected = {
        sfmfa.Result.NULL_ARGUMENT: sfmfa.InterfaceError,
        sfmfa.Result.UNKNOWN_OPTION: sfmfa.ProgrammingError,
        sfmfa.Result.MISSING_OPTION: sfmfa.ProgrammingError,
        sfmfa.Result.CONNECT: sfmfa.OperationalError,
        sfmfa.Result.TIMEOUT: sfmfa.OperationalError,
        sfmfa.Result.BAD_CREDENTIALS: sfmfa.DatabaseError,
        sfmfa.Result.DUO_DENIED: sfmfa.DatabaseError,
        sfmfa.Result.SERVER_ERROR: sfmfa.DatabaseError,
        sfmfa.Result.CACHE: sfmfa.OperationalError,
        sfmfa.Result.CANCELLED: sfmfa.OperationalError,
        sfmfa.Result.PANIC: sfmfa.InternalError,
    }
    for result, cls in expected.items():
        assert class_of(result) is cls, result
    for result in sfmfa.Result:
        if result != sfmfa.Result.OK:
            assert kind_of(result) in sfmfa.ErrorKind
    assert kind_of(sfmfa.Result.DUO_TIMEOUT) == sfmfa.ErrorKind.DUO_TIMEOUT
