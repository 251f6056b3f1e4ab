"""A token store supplied by the application (``Client(..., token_store=store)``), through the C
library's callbacks and real ctypes, against the emulator: the first login stores through ``put``
(one push), the second reads through ``get`` (no push), a method that raises is the cache's
``WRITE_FAILED`` / ``UNAVAILABLE`` and the login succeeds, a token longer than the first buffer
round-trips, one longer than the library reads is reported, and the store is let go on release."""

from __future__ import annotations

import gc
import logging
import threading
import weakref

import pytest
from conftest import Emulator

import sfmfa
from sfmfa import CacheStatus, SecondFactor
from sfmfa import _token_store

MFA = {"authenticator": "username_password_mfa", "client_store_temporary_credential": True}
KEY_PREFIX = "SnowflakeTokenCache.v2.MfaToken."


class DictStore:
    """An application's store: a dictionary, with a record of the calls."""

    def __init__(self) -> None:
        self.tokens: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            self.calls.append(("get", key))
            return self.tokens.get(key)

    def put(self, key: str, token: bytes) -> None:
        with self.lock:
            self.calls.append(("put", key))
            self.tokens[key] = token

    def delete(self, key: str) -> None:
        with self.lock:
            self.calls.append(("delete", key))
            self.tokens.pop(key, None)

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.calls if m == method)


class Broken(Exception):
    """What a failing store raises; its message quotes a secret that must not be logged."""


class FailingPut(DictStore):
    def put(self, key: str, token: bytes) -> None:
        super().put(key, token)
        raise Broken(f"disk full while writing {token.decode()}")


class FailingGet(DictStore):
    def get(self, key: str) -> bytes | None:
        super().get(key)
        raise Broken("vault sealed: secret-in-message")


def test_first_login_stores_through_put_and_the_second_reads_through_get(emulator: Emulator) -> None:
    user = emulator.add_user("appstore")
    store = DictStore()
    with sfmfa.Client(token_store=store, **emulator.options(user, **MFA)) as client:
        with client.login() as s:
            assert s.cache_status == CacheStatus.STORED, s.cache_detail
            assert "application store" in s.cache_detail
        assert emulator.push_count(user) == 1
        assert store.count("put") == 1
        [(key, token)] = store.tokens.items()
        assert key.startswith(KEY_PREFIX) and len(key) == len(KEY_PREFIX) + 64
        assert user not in key and len(token) > 0
        with client.login() as s:
            assert (s.cache_status, s.second_factor) == (CacheStatus.HIT, SecondFactor.MFA_TOKEN)
        assert emulator.push_count(user) == 1, "the second login sent no push"
        assert client.cached_token() == sfmfa.CacheInfo(present=True, store="application store")
        client.delete_cached_token()
        assert store.tokens == {} and store.count("delete") == 1
    # A new client (a new process would do the same) reads the application's store too.
    store.tokens[key] = token
    with sfmfa.login(token_store=store, **emulator.options(user, **MFA)) as s:
        assert s.second_factor == SecondFactor.MFA_TOKEN
    assert emulator.push_count(user) == 1


def test_a_put_that_raises_is_write_failed_and_the_login_succeeds(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    user = emulator.add_user("appstore_put")
    store = FailingPut()
    with caplog.at_level(logging.WARNING, logger="sfmfa"):
        with sfmfa.login(token_store=store, **emulator.options(user, **MFA)) as s:
            assert s.cache_status == CacheStatus.WRITE_FAILED, s.cache_detail
            assert s.session_id > 0
            token = store.tokens[next(iter(store.tokens))].decode()
    assert "Broken" in caplog.text and "put()" in caplog.text
    assert token not in caplog.text and "disk full" not in caplog.text
    assert token not in s.cache_detail


def test_a_get_that_raises_is_unavailable_and_the_login_succeeds(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    store = FailingGet()
    # A user the server issues no token for: what the cache reports is the failed read.
    with caplog.at_level(logging.WARNING, logger="sfmfa"):
        with sfmfa.login(token_store=store, **emulator.options("no_cache", **MFA)) as s:
            assert s.cache_status == CacheStatus.UNAVAILABLE, s.cache_detail
            assert "failed reading the token" in s.cache_detail
    assert store.count("get") >= 1
    assert "Broken" in caplog.text and "get()" in caplog.text
    assert "secret-in-message" not in caplog.text


def test_release_lets_go_of_the_store(emulator: Emulator) -> None:
    before = _token_store.live_count()
    store = DictStore()
    ref = weakref.ref(store)
    client = sfmfa.Client(token_store=store, **emulator.options("push_approve", **MFA))
    del store
    gc.collect()
    assert ref() is not None, "the binding keeps the store while C may call it"
    assert _token_store.live_count() == before + 1
    client.login().close()
    client.close()
    gc.collect()
    assert ref() is None, "release dropped the binding's reference"
    assert _token_store.live_count() == before


def test_a_client_that_cannot_be_made_releases_the_store() -> None:
    before = _token_store.live_count()
    store = DictStore()
    ref = weakref.ref(store)
    with pytest.raises(sfmfa.ProgrammingError, match="account"):
        sfmfa.Client(token_store=store)  # sfmfa_client_new_with_token_store fails: no account
    del store
    gc.collect()
    assert ref() is None
    assert _token_store.live_count() == before


def test_an_object_without_the_methods_is_refused() -> None:
    with pytest.raises(sfmfa.InterfaceError, match="no put, delete method"):
        sfmfa.Client(token_store=object.__new__(type("OnlyGet", (), {"get": lambda self, k: None})))
    assert isinstance(DictStore(), sfmfa.TokenStore)


def test_a_token_longer_than_the_first_buffer_round_trips(emulator: Emulator) -> None:
    """The emulator's tokens carry the user name: a long name makes a token over 4096 bytes, which
    ``get`` answers with BUFFER_TOO_SMALL and its size before the library asks again."""
    user = emulator.add_user("long_" + "u" * 3200)
    store = DictStore()
    with sfmfa.Client(token_store=store, **emulator.options(user, **MFA)) as client:
        with client.login() as s:
            assert s.cache_status == CacheStatus.STORED, s.cache_detail
        [token] = store.tokens.values()
        assert len(token) > 4096
        gets = store.count("get")
        with client.login() as s:
            assert (s.cache_status, s.second_factor) == (CacheStatus.HIT, SecondFactor.MFA_TOKEN)
        assert store.count("get") == gets + 2, "asked again with the size get reported"
    assert emulator.push_count(user) == 1


def test_a_token_longer_than_the_library_reads_is_reported(emulator: Emulator) -> None:
    class Huge(DictStore):
        def get(self, key: str) -> bytes | None:
            super().get(key)
            return b"x" * (_token_store.MAX_TOKEN + 1)

    store = Huge()
    with sfmfa.login(token_store=store, **emulator.options("no_cache", **MFA)) as s:
        assert s.cache_status == CacheStatus.UNAVAILABLE, s.cache_detail
        assert "65537 bytes" in s.cache_detail
    assert store.count("get") >= 1


def test_text_from_get_is_a_token(emulator: Emulator) -> None:
    """A store may keep tokens as text (a keyring does): ``get`` may return ``str``."""
    user = emulator.add_user("appstore_str")
    store = DictStore()
    with sfmfa.Client(token_store=store, **emulator.options(user, **MFA)) as client:
        client.login().close()

        class TextStore(DictStore):
            def get(self, key: str) -> str | None:  # type: ignore[override]
                token = store.tokens.get(key)
                return None if token is None else token.decode()

        with sfmfa.login(token_store=TextStore(), **emulator.options(user, **MFA)) as s:
            assert s.second_factor == SecondFactor.MFA_TOKEN
    assert emulator.push_count(user) == 1


def test_logins_on_many_threads_share_the_store(emulator: Emulator) -> None:
    """Callbacks run on the logging-in threads (not the interpreter's main thread), at once."""
    user = emulator.add_user("appstore_threads")
    store = DictStore()
    with sfmfa.Client(token_store=store, **emulator.options(user, **MFA)) as client:
        client.login().close()
        results: list[SecondFactor] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with client.login() as s:
                    results.append(s.second_factor)
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == [] and results == [SecondFactor.MFA_TOKEN] * 4
    assert emulator.push_count(user) == 1
