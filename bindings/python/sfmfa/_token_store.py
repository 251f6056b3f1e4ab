"""A token store supplied by the application: :class:`TokenStore` and the C store made from it.

The C library calls a store through four callbacks (``sfmfa_token_store_new``, see
``bindings/c/src/token_store.rs``): ``get``, ``put`` and ``delete`` on the threads that log in
(several at once, the GIL released by the login call: ctypes takes it for each callback), and
``release`` once, when the C store and the last client made with it are freed.

Lifetime: the four ctypes callbacks are made once, at import, and never freed, so C can never call
a collected trampoline. Each store given to a client is registered under a number, passed to C as
``userdata``; the registry holds the application's object (the only reference this package keeps)
until ``release`` removes it. A callback never lets an exception reach C: anything the
application's method raises becomes ``SFMFA_TOKEN_STORE_FAILED`` and is logged with the method's
name and the exception's type, never its message (it may quote the token) nor a token.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
from typing import Any, Protocol, Union, runtime_checkable

from . import _ffi
from ._errors import ErrorKind, InterfaceError, Result

__all__ = ["TokenStore"]

_log = logging.getLogger("sfmfa")

#: ``SFMFA_TOKEN_STORE_OK``: the call succeeded (``get``: the token was written).
OK = 0
#: ``SFMFA_TOKEN_STORE_NOT_FOUND``: ``get`` found no token; ``delete`` found none (a success).
NOT_FOUND = 1
#: ``SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL``: ``get``'s buffer is too small; the size was written.
BUFFER_TOO_SMALL = 2
#: ``SFMFA_TOKEN_STORE_FAILED``: the store failed; the login goes on without it.
FAILED = 3
#: ``SFMFA_TOKEN_STORE_MAX_TOKEN``: the longest token the library reads from a store, in bytes.
MAX_TOKEN = 65536

#: What :meth:`TokenStore.get` may return: the token as UTF-8 bytes (or text), or ``None``.
TokenValue = Union[bytes, bytearray, memoryview, str, None]


@runtime_checkable
class TokenStore(Protocol):
    """Where a client keeps MFA tokens, supplied by the application (Node.js's
    ``setCustomCredentialManager``): give one to ``Client(..., token_store=store)``.

    Any object with these three methods will do (subclassing is optional). Keys are Snowflake's v2
    keys (``SnowflakeTokenCache.v2.MfaToken.<sha256 hex>`` of the host and user), never the host or
    user themselves. The methods are called on the threads that log in, possibly several at once:
    make them thread-safe, and quick (``login_timeout`` cannot interrupt them). An exception raised
    by a method means the store failed: the login goes on without the cache and the session's
    ``cache_status`` says ``UNAVAILABLE`` (``get``) or ``WRITE_FAILED`` (``put``); the exception's
    type is logged on the ``sfmfa`` logger, never its message. A method must not log in with a
    client that uses the same store.

    Caching still needs ``authenticator="username_password_mfa"`` and
    ``client_store_temporary_credential=True``; the administrator's ``SFMFA_TOKEN_CACHE=none`` (or
    ``memory``) still wins over the store. There is no in-memory layer: every login calls ``get``.
    """

    def get(self, key: str) -> TokenValue:
        """The token stored under ``key`` (UTF-8 ``bytes``, or ``str``), or ``None`` when there is
        none. An empty token counts as none; a token longer than 65536 bytes is refused (the
        login goes on without it). The library may call ``get`` twice for one read when the token
        is longer than its first buffer (4096 bytes)."""
        ...

    def put(self, key: str, token: bytes) -> None:
        """Stores ``token`` (the MFA token the server issued, UTF-8 ``bytes``) under ``key``,
        replacing any token there. The bytes are the application's to keep: protect them as a
        password (they log the user in without a second factor for up to four hours)."""
        ...

    def delete(self, key: str) -> None:
        """Removes the token under ``key`` (called when the server rejected it, and by
        ``Client.delete_cached_token``); a key with no token is not an error."""
        ...


# --- the registry -------------------------------------------------------------------------------

_lock = threading.Lock()
_ids = itertools.count(1)
#: userdata -> the application's store, from ``sfmfa_token_store_new`` until ``release``.
_live: dict[int, Any] = {}


def live_count() -> int:
    """How many stores C may still call (registered, not yet released); for tests."""
    with _lock:
        return len(_live)


def _store(userdata: int | None) -> Any:
    with _lock:
        return _live[int(userdata or 0)]


def _failed(method: str, exc: BaseException) -> int:
    """Logs that ``method`` raised (the exception's type only) and returns FAILED."""
    try:
        _log.warning(
            "sfmfa: the application's token store raised %s in %s(); the login goes on without the cache",
            type(exc).__name__,
            method,
        )
    except BaseException:  # noqa: BLE001 - not even a failing log handler may reach C
        pass
    return FAILED


def _as_bytes(token: object) -> bytes | bytearray | memoryview:
    if isinstance(token, str):
        return token.encode("utf-8")
    if isinstance(token, (bytes, bytearray, memoryview)):
        return token
    raise TypeError(f"get() returned {type(token).__name__}, not bytes, str or None")


def _get(userdata: int | None, key: bytes, buf: Any, buf_len: int, token_len: Any) -> int:
    try:
        token = _store(userdata).get(key.decode("ascii"))
        if token is None:
            return NOT_FOUND
        data = _as_bytes(token)
        del token
        n = len(data) if not isinstance(data, memoryview) else data.nbytes
        token_len[0] = n
        if n > buf_len:
            return BUFFER_TOO_SMALL  # the library asks again with a buffer of n bytes
        if n:
            src = data if isinstance(data, bytes) else bytes(data)
            ctypes.memmove(buf, src, n)
            del src
        return OK
    except BaseException as e:  # noqa: BLE001 - nothing may unwind into C
        return _failed("get", e)


def _put(userdata: int | None, key: bytes, token: Any, token_len: int) -> int:
    try:
        _store(userdata).put(key.decode("ascii"), ctypes.string_at(token, token_len))
        return OK
    except BaseException as e:  # noqa: BLE001
        return _failed("put", e)


def _delete(userdata: int | None, key: bytes) -> int:
    try:
        _store(userdata).delete(key.decode("ascii"))
        return OK
    except BaseException as e:  # noqa: BLE001
        return _failed("delete", e)


def _release(userdata: int | None) -> None:
    try:
        with _lock:
            _live.pop(int(userdata or 0), None)
    except BaseException:  # noqa: BLE001
        pass


# Made once and kept for the life of the interpreter: C may call them at any time.
_GET = _ffi.TokenStoreGetCallback(_get)
_PUT = _ffi.TokenStorePutCallback(_put)
_DELETE = _ffi.TokenStoreDeleteCallback(_delete)
_RELEASE = _ffi.TokenStoreReleaseCallback(_release)


def _check_store(store: object) -> None:
    missing = [m for m in ("get", "put", "delete") if not callable(getattr(store, m, None))]
    if missing:
        raise InterfaceError(
            f"token_store: a {type(store).__name__} has no {', '.join(missing)} method "
            "(see sfmfa.TokenStore)",
            errno=Result.INVALID_VALUE,
            result=Result.INVALID_VALUE,
            kind=ErrorKind.INVALID_VALUE,
        )


def new_c_store(store: object) -> tuple[int, Any]:
    """Makes the C store of ``store``: ``(rc, pointer)``. On success the caller frees the pointer
    with ``sfmfa_token_store_free`` (the store stays registered until ``release``); on failure
    nothing stays registered."""
    _check_store(store)
    with _lock:
        userdata = next(_ids)
        _live[userdata] = store
    out = ctypes.POINTER(_ffi.SfmfaTokenStore)()
    rc = _ffi.lib().sfmfa_token_store_new(
        _GET, _PUT, _DELETE, _RELEASE, ctypes.c_void_p(userdata), ctypes.byref(out)
    )
    if rc != Result.OK:
        with _lock:  # C does not call release when it made no store
            _live.pop(userdata, None)
    return rc, out
