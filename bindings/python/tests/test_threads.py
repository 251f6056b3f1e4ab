"""Threads: one push for 16 Python threads, cancel from another thread and from a progress
callback, close() racing login(). ctypes releases the GIL during each foreign call, so these
threads really are inside sfmfa_client_login at the same time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import Emulator, wait_until

import sfmfa
from sfmfa import CacheStatus, ErrorKind, ProgressEvent, ProgressKind

MFA = {"authenticator": "username_password_mfa", "client_store_temporary_credential": True}
PROMPTLY = 5.0  # a generous bound: a cancel takes microseconds


class Waiting:
    """A progress callback counting "waiting for another login" events, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind == ProgressKind.WAITING_FOR_OTHER_LOGIN:
            with self.lock:
                self.count += 1


def sixteen_logins(emulator: Emulator, user: str, clients: list[sfmfa.Client], waiting: Waiting) -> list[object]:
    barrier = threading.Barrier(16)

    def one(i: int) -> object:
        barrier.wait()
        try:
            return clients[i % len(clients)].login()
        except sfmfa.Error as e:
            return e

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(one, i) for i in range(16)]
        wait_until("one push is pending", lambda: emulator.pending(user) == 1)
        wait_until("15 logins wait for it", lambda: waiting.count == 15)
        assert emulator.push_count(user) == 1
        assert emulator.answer(user, True)
        return [f.result(timeout=60) for f in futures]


def test_sixteen_threads_on_one_client_send_one_push(emulator: Emulator) -> None:
    user = emulator.manual_user("pool16")
    waiting = Waiting()
    with sfmfa.Client(progress=waiting, **emulator.options(user, token_cache="memory", login_timeout=60, **MFA)) as client:
        results = sixteen_logins(emulator, user, [client], waiting)
    statuses: Counter[CacheStatus] = Counter()
    for r in results:
        assert isinstance(r, sfmfa.Session), r
        statuses[r.cache_status] += 1
        r.close()
    assert statuses == {CacheStatus.STORED: 1, CacheStatus.HIT: 15}
    assert emulator.push_count(user) == 1
    assert emulator.login_count(user) == 16


def test_sixteen_clients_sharing_the_file_cache_send_one_push(emulator: Emulator, cache_dir: Path) -> None:
    user = emulator.manual_user("files16")
    waiting = Waiting()
    clients = [
        sfmfa.Client(progress=waiting, **emulator.options(user, token_cache="file", login_timeout=60, **MFA))
        for _ in range(16)
    ]
    try:
        results = sixteen_logins(emulator, user, clients, waiting)
    finally:
        for c in clients:
            c.close()
    assert all(isinstance(r, sfmfa.Session) for r in results), results
    assert emulator.push_count(user) == 1


def test_a_denied_push_fails_every_waiter(emulator: Emulator) -> None:
    user = emulator.manual_user("denied16")
    waiting = Waiting()
    with sfmfa.Client(progress=waiting, **emulator.options(user, token_cache="memory", login_timeout=60, **MFA)) as client:
        barrier = threading.Barrier(4)

        def one() -> object:
            barrier.wait()
            try:
                return client.login()
            except sfmfa.Error as e:
                return e

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(one) for _ in range(4)]
            wait_until("one push is pending", lambda: emulator.pending(user) == 1)
            wait_until("3 logins wait", lambda: waiting.count == 3)
            assert emulator.answer(user, False)
            results = [f.result(timeout=60) for f in futures]
    assert all(isinstance(r, sfmfa.Error) for r in results), results
    assert [(type(r), r.errno, r.kind) for r in results if isinstance(r, sfmfa.Error)] == [
        (sfmfa.DatabaseError, 390120, ErrorKind.DUO_DENIED)
    ] * 4
    assert emulator.push_count(user) == 1


def login_in_thread(client: sfmfa.Client) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["result"] = client.login()
        except BaseException as e:  # noqa: BLE001 - the test inspects it
            out["result"] = e
        out["at"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    return t, out


def test_cancel_from_another_thread(emulator: Emulator) -> None:
    user = emulator.manual_user("cancel")
    with sfmfa.Client(**emulator.options(user, token_cache="memory", login_timeout=60, **MFA)) as client:
        t, out = login_in_thread(client)
        wait_until("the push is pending", lambda: emulator.pending(user) == 1)
        cancelled_at = time.monotonic()
        assert client.cancel() == 1
        t.join(timeout=30)
        e = out["result"]
        assert isinstance(e, sfmfa.OperationalError), e
        assert (e.kind, e.result, e.sqlstate) == (ErrorKind.CANCELLED, sfmfa.Result.CANCELLED, "HY008")
        assert out["at"] - cancelled_at < PROMPTLY  # type: ignore[operator]
        # Approving now reaches nobody: no token was stored; the client still works.
        assert emulator.answer(user, True)
        assert not client.cached_token().present
        assert client.cancel() == 0
        t, out = login_in_thread(client)
        wait_until("the next push is pending", lambda: emulator.pending(user) == 1)
        assert emulator.answer(user, True)
        t.join(timeout=30)
        assert isinstance(out["result"], sfmfa.Session)
        out["result"].close()


def test_cancel_a_login_waiting_for_another_login(emulator: Emulator) -> None:
    user = emulator.manual_user("cancelwait")
    opts = emulator.options(user, token_cache="memory", login_timeout=60, **MFA)
    waiting = Waiting()
    with sfmfa.Client(**opts) as first, sfmfa.Client(progress=waiting, **opts) as second:
        t1, out1 = login_in_thread(first)
        wait_until("the push is pending", lambda: emulator.pending(user) == 1)
        t2, out2 = login_in_thread(second)
        wait_until("the second login waits", lambda: waiting.count == 1)
        assert second.cancel() == 1
        t2.join(timeout=30)
        assert getattr(out2["result"], "kind", None) == ErrorKind.CANCELLED
        assert t1.is_alive()  # the first one still waits for its push
        assert first.cancel() == 1
        t1.join(timeout=30)
        assert getattr(out1["result"], "kind", None) == ErrorKind.CANCELLED


def test_cancel_from_the_progress_callback(emulator: Emulator) -> None:
    user = emulator.manual_user("cancelcb")
    client = sfmfa.Client(**emulator.options(user, login_timeout=60))

    def on_progress(event: ProgressEvent) -> None:
        if event.kind == ProgressKind.PUSH_SENT:
            client.cancel()

    client.progress = on_progress
    with client, pytest.raises(sfmfa.OperationalError) as info:
        client.login()
    assert info.value.kind == ErrorKind.CANCELLED


def test_close_racing_a_login_frees_the_client_once_after_the_login_returned(emulator: Emulator) -> None:
    user = emulator.manual_user("closerace")
    entered, release = threading.Event(), threading.Event()

    def hold(event: ProgressEvent) -> None:  # keeps the login inside sfmfa_client_login
        if event.kind == ProgressKind.PUSH_SENT:
            entered.set()
            release.wait(30)

    client = sfmfa.Client(progress=hold, **emulator.options(user, login_timeout=60))
    handle = client._handle
    t, out = login_in_thread(client)
    assert entered.wait(30)
    client.close()  # cancels; cannot free while the login runs
    assert client.closed and handle.in_flight == 1 and handle.frees == 0
    with pytest.raises(sfmfa.InterfaceError):
        client.login()
    with pytest.raises(sfmfa.InterfaceError):
        client.cancel()
    release.set()
    t.join(timeout=30)
    assert getattr(out["result"], "kind", None) == ErrorKind.CANCELLED
    assert handle.frees == 1 and handle.in_flight == 0
    client.close()
    del client
    import gc

    gc.collect()
    assert handle.frees == 1


def test_close_while_many_threads_log_in(emulator: Emulator) -> None:
    """Eight threads log in again and again while the client is closed under them: each ends with
    a session, a cancelled login or InterfaceError (closed); the client is freed exactly once."""
    client = sfmfa.Client(**emulator.options("push_approve"))
    handle = client._handle
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def loop() -> None:
        while True:
            try:
                client.login().close()
                what = "session"
            except sfmfa.InterfaceError:
                what = "closed"
            except sfmfa.OperationalError as e:
                assert e.kind == ErrorKind.CANCELLED
                what = "cancelled"
            with lock:
                outcomes[what] += 1
            if what == "closed":
                return

    threads = [threading.Thread(target=loop) for _ in range(8)]
    for t in threads:
        t.start()
    wait_until("some logins succeed", lambda: outcomes["session"] >= 16)
    client.close()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert outcomes["closed"] == 8
    assert handle.frees == 1 and handle.in_flight == 0
    stop.set()
