"""One vocabulary with the C library: ``Result`` (= ``ErrorKind``) and ``SecondFactor`` carry exactly the names and
values of the header's ``sfmfa_result`` and ``sfmfa_second_factor`` (a row added to the failure table without its
Python member fails here), and every row of the failure table that is a Snowflake login code
(bindings/failures.tsv, generated from the table) comes out of a real login against the emulator as that kind, with
its code and SQLSTATE; so do the rows that can be provoked cheaply."""

from __future__ import annotations

import re
import socket
from typing import NamedTuple

import pytest
from conftest import REPO, Emulator

import sfmfa
from sfmfa import ErrorKind, Result, SecondFactor

HEADER = (REPO / "bindings" / "c" / "include" / "sfmfa.h").read_text()


class Row(NamedTuple):
    value: int
    name: str
    server_code: int
    sqlstate: str
    shared: bool


def failure_table() -> list[Row]:
    rows = []
    for line in (REPO / "bindings" / "failures.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        value, name, code, sqlstate, shared = line.split("\t")
        rows.append(Row(int(value), name, int(code), sqlstate, shared == "true"))
    return rows


TABLE = failure_table()
BY_NAME = {r.name: r for r in TABLE}


def header_enum(name: str, prefix: str) -> dict[str, int]:
    block = re.search(rf"enum {name}\b[^{{]*\{{(.*?)\}};", HEADER, re.S)
    assert block, name
    return {k: int(v) for k, v in re.findall(rf"{prefix}(\w+) = (\d+),", block.group(1))}


def test_every_result_of_the_header_is_a_kind_with_its_value() -> None:
    header = header_enum("sfmfa_result", "SFMFA_RESULT_")
    assert {m.name: m.value for m in Result} == header
    assert ErrorKind is Result
    assert {r.name: r.value for r in TABLE} == {k: v for k, v in header.items() if k != "OK"}


def test_second_factors_are_the_headers() -> None:
    assert {m.name: m.value for m in SecondFactor} == header_enum(
        "sfmfa_second_factor", "SFMFA_SECOND_FACTOR_"
    )
    assert SecondFactor.MFA_TOKEN.value == 4


def _refused(emulator: Emulator, code: int) -> sfmfa.Error:
    body = {"success": False, "code": str(code), "message": "refused by test_failures", "data": None}
    emulator.call("POST", "faults", {"kind": "answer", "body": body, "times": 1})
    try:
        with pytest.raises(sfmfa.Error) as info:
            sfmfa.login(**emulator.options("push_approve"))
    finally:
        emulator.clear_faults()
    return info.value


def _assert_kind(e: sfmfa.Error, row: Row, code: int) -> None:
    assert (e.kind.name, e.kind.value, e.result, e.sqlstate) == (
        row.name, row.value, Result(row.value), row.sqlstate), e
    assert e.errno == (code if code else row.value), e


SERVER_ROWS = [r for r in TABLE if r.server_code]


def test_the_table_has_every_documented_code() -> None:
    assert len(SERVER_ROWS) == 12


@pytest.mark.parametrize("row", SERVER_ROWS, ids=[r.name for r in SERVER_ROWS])
def test_every_server_code_of_the_table_is_its_kind(emulator: Emulator, row: Row) -> None:
    e = _refused(emulator, row.server_code)
    _assert_kind(e, row, row.server_code)
    assert isinstance(e, sfmfa.DatabaseError)


def test_an_unknown_server_code_is_server_error(emulator: Emulator) -> None:
    _assert_kind(_refused(emulator, 394508), BY_NAME["SERVER_ERROR"], 394508)


def test_failures_without_a_server_code_are_their_kinds(emulator: Emulator) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provoked: dict[str, sfmfa.Error] = {}
    with pytest.raises(sfmfa.Error) as info:
        sfmfa.login(**emulator.options("push_approve", port=port))
    provoked["CONNECT"] = info.value
    # UNKNOWN_OPTION is not raised from Python: an unknown keyword is a ConfigurationWarning
    # (tests/test_login.py), as an unknown key of a connection string is.
    with pytest.raises(sfmfa.Error) as info:
        sfmfa.login(**emulator.options("push_approve", login_timeout="soon"))
    provoked["INVALID_VALUE"] = info.value
    with pytest.raises(sfmfa.Error) as info:
        sfmfa.login(account="xy12345", user="demo")
    provoked["MISSING_OPTION"] = info.value
    emulator.call("POST", "faults", {"kind": "malformed_json", "times": 1})
    try:
        with pytest.raises(sfmfa.Error) as info:
            sfmfa.login(**emulator.options("push_approve"))
        provoked["PROTOCOL"] = info.value
    finally:
        emulator.clear_faults()
    for name, e in provoked.items():
        _assert_kind(e, BY_NAME[name], 0)
