"""Fixtures: one sfmfa-emulator process for the test session (port 0, port file, --exit-after so
that it never outlives the run), controlled over HTTP with urllib, and fresh users per test."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PKG_ROOT = Path(__file__).resolve().parents[1]  # bindings/python
REPO = PKG_ROOT.parents[1]
sys.path.insert(0, str(PKG_ROOT))
# The library under test: the debug build unless the caller names another one. Tests of the search
# order run in subprocesses without this variable.
os.environ.setdefault("SFMFA_LIBRARY", str(REPO / "target" / "debug" / "libsfmfa.so"))

ACCOUNT = "xy12345"
PASSWORD = "abc123"
BYPASS = "987654"
EMULATOR = Path(os.environ.get("SFMFA_EMULATOR", REPO / "target" / "debug" / "sfmfa-emulator"))


def failing(call: Callable[[], object]) -> Any:
    """The :class:`sfmfa.Error` that ``call`` raises (the test fails when it raises none)."""
    import sfmfa

    try:
        call()
    except sfmfa.Error as e:
        return e
    pytest.fail("no exception")


def wait_until(what: str, done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Polls ``done`` every 10 ms for up to ``timeout`` s; fails the test with ``what`` otherwise."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.01)


class Emulator:
    """A running sfmfa-emulator and its control API."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._names = itertools.count(1)

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        url = f"{self.url}/control/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def counters(self, user: str, account: str = ACCOUNT) -> dict[str, int]:
        return self.call("GET", "counters", account=account, user=user)

    def push_count(self, user: str) -> int:
        return int(self.counters(user)["push_count"])

    def login_count(self, user: str) -> int:
        return int(self.counters(user)["login_count"])

    def pending(self, user: str) -> int:
        return int(self.call("GET", "pushes", account=ACCOUNT, user=user)["pending"])

    def answer(self, user: str, approve: bool) -> bool:
        body = {"account": ACCOUNT, "user": user, "approve": approve}
        return bool(self.call("POST", "answer", body)["answered"])

    def passcode(self, user: str) -> str:
        return str(self.call("GET", "passcode", account=ACCOUNT, user=user)["passcode"])

    def force_code(self, code: str, times: int = 1) -> None:
        self.call("POST", "faults", {"kind": "force_code", "code": code, "times": times})

    def clear_faults(self) -> None:
        self.call("DELETE", "faults")

    def sessions(self) -> dict[str, int]:
        return self.call("GET", "sessions")

    def add_user(self, prefix: str, push: dict[str, Any] | None = None, **extra: Any) -> str:
        """Adds an enrolled user with a unique name (bypass code 987654) and returns the name."""
        name = f"{prefix}_{next(self._names)}"
        user = {
            "name": name,
            "password": extra.pop("password", PASSWORD),
            "duo_enrolled": extra.pop("duo_enrolled", True),
            "bypass_codes": [BYPASS],
            "push": push or {"kind": "approve", "delay_ms": 0},
            **extra,
        }
        self.call("POST", "users", {"account": ACCOUNT, "user": user})
        return name

    def manual_user(self, prefix: str) -> str:
        """A user whose push waits up to 60 s for :meth:`answer`."""
        return self.add_user(prefix, push={"kind": "manual"}, push_timeout_ms=60_000)

    def options(self, user: str, **extra: Any) -> dict[str, Any]:
        """Keyword options of a login of ``user`` against this emulator (caching off unless
        ``extra`` turns it on), as the Python connector names them."""
        opts: dict[str, Any] = {
            "account": ACCOUNT,
            "user": user,
            "password": PASSWORD,
            "host": "127.0.0.1",
            "port": self.port,
            "protocol": "http",
            "login_timeout": 20,
            "client_store_temporary_credential": False,
        }
        opts.update(extra)
        return opts


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    if not EMULATOR.is_file():
        pytest.fail(f"{EMULATOR} is missing: run `cargo build --workspace` (make test-python does)")
    port_file = tmp_path_factory.mktemp("emulator") / "port"
    proc = subprocess.Popen(
        [str(EMULATOR), "--port", "0", "--port-file", str(port_file), "--exit-after", "1800"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until("the emulator writes its port", lambda: port_file.is_file()
                   and port_file.read_text().strip().isdigit())
        emu = Emulator(proc, int(port_file.read_text().strip()))
        yield emu
    finally:
        try:
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port_of(port_file)}/control/shutdown",
                                       data=b"", method="POST"), timeout=5).read()
        except Exception:  # noqa: BLE001 - it may be gone already; terminate below
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def port_of(port_file: Path) -> str:
    try:
        return port_file.read_text().strip()
    except OSError:
        return "0"


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults are global to the emulator: a test that adds some leaves none behind."""
    yield
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").clear_faults()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private directory for the file token cache (and the prompt lock files)."""
    d = tmp_path / "cache"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", str(d))
    return d
