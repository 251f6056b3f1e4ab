"""The high layer: configuration from keyword arguments, :class:`Client`, :class:`Session`.

Handles: every C handle (config, client, session) is owned by one :class:`_Handle`, which frees it
exactly once: on ``close()``, at the end of a ``with`` block, or from a ``weakref.finalize``
finalizer when the Python object is collected without being closed. ctypes releases the GIL during
a foreign call, so ``close()`` can run while another thread is inside ``sfmfa_client_login`` on the
same client: the handle counts the calls in flight and the last one to return frees the pointer;
a client's ``close()`` also cancels its logins in progress first.

Secrets: a Python ``str`` cannot be wiped, so a password given as ``str`` stays in the interpreter's
memory until it is collected, and so does a token read from :attr:`Session.token`. What this module
does control: option values are copied into ``ctypes`` buffers that are overwritten with zeros right
after ``sfmfa_config_set`` copied them, the keyword dictionaries are emptied before anything that can
fail, and no message, log line or exception is built from a value.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import re
import sys
import threading
import warnings
import weakref
from collections.abc import Callable
from ctypes import byref, c_bool, c_int64, c_size_t, c_uint32
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar, Union

from . import _ffi, _token_store
from ._errors import Error, ErrorKind, InterfaceError, Result, class_of, kind_of
from ._token_store import TokenStore

__all__ = [
    "CacheInfo",
    "CacheStatus",
    "Client",
    "ConfigurationWarning",
    "OptionValue",
    "ProgressEvent",
    "ProgressHandler",
    "ProgressKind",
    "SecondFactor",
    "Session",
    "TokenStore",
    "library_version",
    "login",
    "login_from_connection_string",
]

_log = logging.getLogger("sfmfa")

#: What an option value may be: text, UTF-8 bytes (a ``bytearray`` password can be wiped by the
#: caller after the call), a boolean (``True`` -> ``"true"``), a number, a path, or ``None`` (the
#: option is left at its default).
OptionValue = Union[str, bytes, bytearray, bool, int, float, "os.PathLike[str]", None]

ProgressKind = _ffi.ProgressKind
CacheStatus = _ffi.CacheStatus
SecondFactor = _ffi.SecondFactor


class ConfigurationWarning(UserWarning):
    """A configuration warning: an unknown keyword argument or key of a connection string (named
    with the nearest known name, then ignored, as the Python connector warns about an unknown
    connection parameter and goes on), an option sfmfa accepts but does not honour
    (``insecure_mode=True``, proxies), an option given twice."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _warn(text: str) -> None:
    """Issues ``text`` as a :class:`ConfigurationWarning` attributed to the caller's line outside
    this package (``Client(...)``, ``sfmfa.login(...)``), whatever the depth of the call."""
    level, frame = 1, sys._getframe(0)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        level, frame = level + 1, frame.f_back
    warnings.warn(text, ConfigurationWarning, stacklevel=level)


@dataclass(frozen=True)
class ProgressEvent:
    """One progress event of a login, a copy made for the callback."""

    #: What happened (``ProgressKind.UNKNOWN_<n>`` for a kind newer than this binding).
    kind: ProgressKind
    #: For ``RETRYING``: the attempt that comes next (2 for the first retry); otherwise 0.
    attempt: int
    #: For ``RETRYING``: the pause before it, in milliseconds; otherwise 0.
    delay_ms: int
    #: A sentence for a person; never a secret.
    message: str
    #: For ``LOGIN_STEP``: the step of a multi-step login that starts (2: the Duo step, which
    #: waits for the push or checks the passcode; 3: the request for the session tokens);
    #: otherwise 0.
    step: int = 0


#: A progress callback: called on the thread that logs in, with each :class:`ProgressEvent`.
ProgressHandler = Callable[[ProgressEvent], object]


@dataclass(frozen=True)
class CacheInfo:
    """Whether an MFA token is cached for a client's (host, user), without the token."""

    #: True when a token is cached.
    present: bool
    #: The store asked (``"file"``, ``"memory"``, …); ``""`` when the configuration does not cache.
    store: str


# --- errors -------------------------------------------------------------------------------------


def _last_text(fn: Callable[[Any, int, Any], int]) -> str:
    rc, data = _ffi.read_string(fn)
    return data.decode("utf-8", "replace") if rc == Result.OK else ""


def _last_error(rc: int) -> Error:
    """The exception for a failed call that returned ``rc``: the detail is read from the C
    library's last error of this thread, so call it right after the failed call."""
    lib = _ffi.lib()
    server_code = int(lib.sfmfa_last_error_server_code())
    msg = _last_text(lib.sfmfa_last_error_message)
    if not msg:
        name = lib.sfmfa_result_name(rc)
        msg = name.decode("ascii", "replace") if name else f"sfmfa_result {rc}"
    sqlstate = _last_text(lib.sfmfa_last_error_sqlstate)
    prefix = f"{server_code} ({sqlstate}): "
    if server_code and msg.startswith(prefix):
        msg = msg[len(prefix) :]  # `msg` is the documented message; str(e) adds code and state
    hint = _last_text(lib.sfmfa_last_error_hint) or None
    result = Result(rc)  # UNKNOWN_<n> for a value newer than this binding
    return class_of(rc)(
        msg,
        errno=server_code or rc,
        sqlstate=sqlstate,
        hint=hint,
        result=result,
        kind=kind_of(rc),
    )


def _check(rc: int) -> None:
    """Raises the exception of a failed call (read at once, on this thread); nothing when ``rc`` is OK."""
    if rc:  # Result.OK is 0; a plain int test, as this runs after every call into C
        raise _last_error(rc)


def _closed(what: str) -> InterfaceError:
    return InterfaceError(
        f"the {what} is closed",
        errno=Result.NULL_ARGUMENT,
        result=Result.NULL_ARGUMENT,
        kind=ErrorKind.NULL_ARGUMENT,
    )


# --- handles ------------------------------------------------------------------------------------

P = TypeVar("P")


class _Handle(Generic[P]):
    """One C pointer and its ``_free`` function: freed exactly once, never while a call uses it.

    ``use()`` counts a call in flight; ``close()`` refuses new calls and frees the pointer at
    once, or when the last call in flight returns. ``frees`` counts the frees (0 or 1), for tests.
    """

    def __init__(self, ptr: P, free: Callable[[P], None], what: str) -> None:
        self._ptr: P | None = ptr
        self._free = free
        self._what = what
        self._lock = threading.Lock()
        self._in_flight = 0
        self._closed = False
        self.frees = 0
        #: Objects C may still use (progress trampolines): kept alive until the free.
        self.keep: list[object] = []

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran (the pointer may still wait for a call in flight)."""
        return self._closed

    @property
    def freed(self) -> bool:
        """True once the C handle was freed."""
        return self.frees > 0

    @property
    def in_flight(self) -> int:
        """How many calls use the pointer now."""
        return self._in_flight

    @classmethod
    def placeholder(cls, what: str) -> _Handle[Any]:
        """A handle that never held a pointer: closed, every ``use()`` raises ``InterfaceError``."""
        handle: _Handle[Any] = cls(None, lambda _ptr: None, what)
        handle._closed = True
        return handle

    def use(self) -> _InUse[P]:
        """The pointer, for the duration of one call (``with handle.use() as ptr``);
        ``InterfaceError`` once closed."""
        return _InUse(self)

    def _enter(self) -> P:
        with self._lock:
            if self._closed or self._ptr is None:
                raise _closed(self._what)
            self._in_flight += 1
            return self._ptr

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            ptr = self._take_if_done()
        if ptr is not None:
            self._do_free(ptr)

    def _take_if_done(self) -> P | None:
        if self._closed and self._in_flight == 0 and self._ptr is not None:
            ptr, self._ptr = self._ptr, None
            return ptr
        return None

    def _do_free(self, ptr: P) -> None:
        self.frees += 1
        self._free(ptr)
        self.keep.clear()  # C can no longer call what it kept

    def close(self, before_free: Callable[[P], None] | None = None) -> None:
        """Refuses new calls; frees now, or when the last call in flight returns. Idempotent.

        ``before_free(ptr)`` runs once, first, while the pointer is still valid (a client cancels
        its logins in progress there)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            ptr = self._ptr
            if ptr is None:
                return
            self._in_flight += 1  # our own use for before_free
        try:
            if before_free is not None:
                before_free(ptr)
        finally:
            self._leave()


class _InUse(Generic[P]):
    """The context manager of :meth:`_Handle.use`: counts the call in flight on entry, ends it on
    exit. A class, not a ``@contextmanager`` generator: it runs on every call into C (a login
    makes several), and a generator-based one costs about five times as much."""

    __slots__ = ("_handle",)

    def __init__(self, handle: _Handle[P]) -> None:
        self._handle = handle

    def __enter__(self) -> P:
        return self._handle._enter()

    def __exit__(self, *_exc: object) -> None:
        self._handle._leave()


def _finalize(owner: Any, handle: _Handle[Any]) -> weakref.finalize[..., None]:
    """The safety net: closes ``handle`` when ``owner`` is collected (or at interpreter exit)."""
    return weakref.finalize(owner, handle.close)


# --- options ------------------------------------------------------------------------------------


def _to_buffer(key: str, value: OptionValue) -> ctypes.Array[ctypes.c_char]:
    """Copies one option value into a NUL-terminated buffer the caller wipes; no local of this
    frame names the value when it raises (``capture_locals`` tracebacks stay clean)."""
    if isinstance(value, (bytes, bytearray)):
        # Raw UTF-8, copied straight into the buffer: a bytearray the caller wipes afterwards
        # leaves no copy of the secret in Python's memory.
        if b"\0" in value:
            del value
            raise _nul_error(key)
        n = len(value)
        buf = ctypes.create_string_buffer(n + 1)
        src = (ctypes.c_char * n).from_buffer(value) if isinstance(value, bytearray) else value
        ctypes.memmove(buf, src, n)
        del src, value
        return buf
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        type_name = type(value).__name__
        del value
        raise _invalid_value(
            f"option {_key_text(key)}: expected str, bytes, bool, int, float or a path, got {type_name}"
        )
    data = value.encode("utf-8")
    del value
    if b"\0" in data:
        del data
        raise _nul_error(key)
    buf = ctypes.create_string_buffer(data)
    del data
    return buf


#: An unknown option name a message may show: letters, ``_``, ``-`` and ``.`` (no option name holds a
#: digit or a symbol, most passwords do), as the library's own messages decide.
_SHOWN_NAME = re.compile(r"[A-Za-z_.-]{1,64}")


def _key_text(key: object) -> str:
    """An option name for a message: quoted when it looks like an option name, otherwise only its
    length (a password passed as a keyword name must not be printed back)."""
    if isinstance(key, str):
        name = key.strip()
        if _SHOWN_NAME.fullmatch(name) and any(c.isalpha() for c in name):
            return repr(name)
        return f"(a name of {len(name)} characters, not shown)"
    return f"(a name of type {type(key).__name__})"


def _invalid_value(message: str) -> InterfaceError:
    return InterfaceError(
        message, errno=Result.INVALID_VALUE, result=Result.INVALID_VALUE, kind=ErrorKind.INVALID_VALUE
    )


def _nul_error(key: str) -> InterfaceError:
    return _invalid_value(f"option {_key_text(key)}: the value contains a NUL character")


def _wipe(buf: ctypes.Array[ctypes.c_char]) -> None:
    ctypes.memset(buf, 0, ctypes.sizeof(buf))


def _key_bytes(key: str) -> bytes:
    if not isinstance(key, str) or "\0" in key:
        raise _invalid_value("an option name must be a str without NUL characters")
    return key.encode("utf-8")


#: The interpreter's version for the User-Agent (`3.11.7`; a `+` suffix of a dev build is kept).
_PYTHON_VERSION = platform.python_version().encode("ascii", "replace")[:32]


class _Config:
    """An ``sfmfa_config`` handle. Not for concurrent mutation: it is only changed while it is
    built, by one thread, then read."""

    def __init__(self, ptr: Any) -> None:
        lib = _ffi.lib()
        #: Warnings of this binding (unknown keyword arguments), before the library's own.
        self.ignored: list[str] = []
        self.handle: _Handle[Any] = _Handle(ptr, lib.sfmfa_config_free, "configuration")
        self._finalizer = _finalize(self, self.handle)
        # The User-Agent names this binding: "... Python/3.11.7" instead of the C ABI's "C/1".
        with self.handle.use() as cfg:
            rc = lib.sfmfa_config_set_binding(cfg, b"Python", _PYTHON_VERSION)
            _check(rc)

    @classmethod
    def new(cls) -> _Config:
        lib = _ffi.lib()
        out = ctypes.POINTER(_ffi.SfmfaConfig)()
        rc = lib.sfmfa_config_new(byref(out))
        _check(rc)
        return cls(out)

    @classmethod
    def from_connection_string(cls, buf: ctypes.Array[ctypes.c_char]) -> _Config:
        lib = _ffi.lib()
        out = ctypes.POINTER(_ffi.SfmfaConfig)()
        rc = lib.sfmfa_config_from_connection_string(buf, byref(out))
        _wipe(buf)
        _check(rc)
        return cls(out)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> _Config:
        """A configuration with ``options`` set; empties ``options`` (see :meth:`apply`)."""
        config = cls.new()
        try:
            config.apply(options)
        except BaseException:
            config.close()
            raise
        return config

    @classmethod
    def from_string_and_overrides(
        cls, buf: ctypes.Array[ctypes.c_char], overrides: dict[str, Any]
    ) -> _Config:
        """A configuration from the connection string in ``buf`` (wiped), then ``overrides`` set
        over its keys; empties ``overrides``, also when the string does not parse."""
        try:
            config = cls.from_connection_string(buf)
        except BaseException:
            overrides.clear()
            raise
        try:
            config.apply(overrides)
        except BaseException:
            config.close()
            raise
        return config

    def apply(self, options: dict[str, Any]) -> None:
        """Sets every option of ``options``, a dictionary this call empties: each value is turned
        into a buffer in place, set, and wiped, and the dictionary is cleared even on failure.

        An unknown name is not an error: the library's message (which names the nearest known
        name, and never a name that looks like a secret) goes to :attr:`ignored` and the other
        options are set; an invalid value still raises."""
        try:
            for key in list(options):
                if options[key] is None:
                    del options[key]
                else:
                    options[key] = _to_buffer(key, options[key])
            lib = _ffi.lib()
            with self.handle.use() as ptr:
                for key, buf in options.items():
                    rc = lib.sfmfa_config_set(ptr, _key_bytes(key), buf)
                    _wipe(buf)
                    if rc == Result.UNKNOWN_OPTION:
                        self.ignored.append(f"{_last_error(rc).msg}; ignored")
                        continue
                    _check(rc)
        finally:
            for buf in options.values():
                if isinstance(buf, ctypes.Array):
                    _wipe(buf)
            options.clear()

    def warnings(self) -> tuple[str, ...]:
        """The configuration's warnings: the unknown keyword arguments, then the library's
        (unknown keys of a connection string, options not honoured, duplicates)."""
        lib = _ffi.lib()
        with self.handle.use() as ptr:
            n = c_size_t(0)
            rc = lib.sfmfa_config_warning_count(ptr, byref(n))
            _check(rc)
            out = []
            for i in range(n.value):

                def warning(buf: Any, size: int, out_len: Any, i: int = i) -> int:
                    return int(lib.sfmfa_config_warning(ptr, i, buf, size, out_len))

                rc, data = _ffi.read_string(warning)
                _check(rc)
                out.append(data.decode("utf-8", "replace"))
            return (*self.ignored, *out)

    def close(self) -> None:
        self._finalizer()


# --- progress -----------------------------------------------------------------------------------


def _trampoline(client: weakref.ReferenceType[Client]) -> Any:
    """A C progress callback that calls the client's current Python handler. It never lets an
    exception reach C: anything the handler raises is logged (every time) and the login goes on."""

    def call(_userdata: int | None, event_p: Any) -> None:
        try:
            ev = event_p.contents
            kind = ProgressKind.of(ev.kind)
            level = logging.WARNING if kind == ProgressKind.WARNING else logging.DEBUG
            logged = _log.isEnabledFor(level)  # what `_log.log` would ask first
            owner = client()
            handler = owner._progress if owner is not None else None
            if handler is None and not logged:
                return  # nobody listens: no event is built
            raw = ev.message
            event = ProgressEvent(
                kind=kind,
                attempt=int(ev.attempt),
                delay_ms=int(ev.delay_ms),
                message=raw.decode("utf-8", "replace") if raw else "",
                step=int(ev.step),
            )
            if logged:
                _log.log(level, "login progress: %s", event.message)
            if handler is not None:
                handler(event)
        except BaseException:  # noqa: BLE001 - nothing may unwind into C
            try:
                _log.exception("sfmfa: the progress callback raised; the login goes on")
            except BaseException:  # noqa: BLE001 - not even a failing log handler
                pass

    return _ffi.ProgressCallback(call)


# --- session ------------------------------------------------------------------------------------


#: The NULL progress callback: no events.
_NO_PROGRESS = ctypes.cast(None, _ffi.ProgressCallback)

#: ``struct sfmfa_session *``, the out-parameter of a login.
_SESSION_P = ctypes.POINTER(_ffi.SfmfaSession)


class _About:
    """What a session says of itself: its id, second factor and cache report (none of it secret)."""

    __slots__ = ("session_id", "second_factor", "cache_status", "cache_evicted", "cache_detail")

    def __init__(
        self,
        session_id: int,
        second_factor: SecondFactor,
        cache_status: CacheStatus,
        cache_evicted: bool,
        cache_detail: str,
    ) -> None:
        self.session_id = session_id
        self.second_factor = second_factor
        self.cache_status = cache_status
        self.cache_evicted = cache_evicted
        self.cache_detail = cache_detail

    @classmethod
    def read(cls, ptr: Any) -> _About:
        """Reads it through the session pointer ``ptr`` (valid for the whole call)."""
        lib = _ffi.lib()
        sid = c_int64(0)
        factor = c_uint32(0)
        status = c_uint32(0)
        evicted = c_bool(False)
        _check(lib.sfmfa_session_id(ptr, byref(sid)))
        _check(lib.sfmfa_session_second_factor(ptr, byref(factor)))
        _check(lib.sfmfa_session_cache_status(ptr, byref(status), byref(evicted)))
        rc, detail = _ffi.read_string(
            lambda buf, size, n: lib.sfmfa_session_cache_detail(ptr, buf, size, n)
        )
        _check(rc)
        return cls(
            sid.value,
            SecondFactor.of(factor.value),
            CacheStatus.of(status.value),
            bool(evicted.value),
            detail.decode("utf-8", "replace"),
        )


class Session:
    """A logged-in Snowflake session: its tokens, id, how the second factor was given and what the
    token cache did. Use it as a context manager, or call :meth:`close`: closing logs out on the
    server (``POST /session?delete=true``) and frees the handle (wiping the tokens on the C side);
    it is idempotent. A session collected without ``close()`` is freed, without logging out.

    Calls on one session are serialised (the C library forbids closing it while a getter runs).
    """

    def __init__(self, ptr: Any) -> None:
        lib = _ffi.lib()
        self._lock = threading.Lock()
        self._handle: _Handle[Any] = _Handle(ptr, lib.sfmfa_session_free, "session")
        self._finalizer = _finalize(self, self._handle)
        # The session's id, second factor and cache report, read from C on first use (four calls
        # that a login need not wait for: a C login returns without them too); :meth:`close`
        # reads them before the handle goes, so they stay readable afterwards.
        self._read: _About | None = None

    def _about(self) -> _About:
        about = self._read
        if about is None:
            with self._lock:
                about = self._read
                if about is None:
                    with self._handle.use() as p:
                        about = self._read = _About.read(p)
        return about

    @property
    def session_id(self) -> int:
        """The server's session id."""
        return self._about().session_id

    @property
    def second_factor(self) -> SecondFactor:
        """The second factor of this login, as far as the exchange with the server proves it:
        ``PUSH`` (an approved push, proven by the server's multi-step answer), ``PUSH_OR_NONE`` (a
        push was asked for and one answer let the user in; a user not enrolled in Duo logs in with
        the password alone), ``PASSCODE``, ``PASSCODE_IN_PASSWORD`` or ``MFA_TOKEN`` (a cached
        token). ``NONE`` is not reported by this library version."""
        return self._about().second_factor

    @property
    def cache_status(self) -> CacheStatus:
        """What the MFA-token cache did during this login (hit, stored, not issued, …)."""
        return self._about().cache_status

    @property
    def cache_evicted(self) -> bool:
        """True when a cached token the server rejected was removed before this login prompted."""
        return self._about().cache_evicted

    @property
    def cache_detail(self) -> str:
        """One sentence on what the token cache did and why (never a token)."""
        return self._about().cache_detail

    def _secret(self, fn_name: str) -> str:
        lib = _ffi.lib()
        fn = getattr(lib, fn_name)
        with self._lock, self._handle.use() as p:
            rc, data = _ffi.read_string(lambda buf, size, n: fn(p, buf, size, n))
            _check(rc)
        return data.decode("utf-8")

    @property
    def token(self) -> str:
        """The session token (a secret: sent as ``Authorization: Snowflake Token="…"``). Read on
        each access; a Python ``str`` cannot be wiped, so keep it no longer than needed."""
        return self._secret("sfmfa_session_token")

    @property
    def master_token(self) -> str:
        """The master token (a secret, used to renew the session token)."""
        return self._secret("sfmfa_session_master_token")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._handle.closed

    def close(self) -> None:
        """Logs out and frees the session. Idempotent. The handle is freed even when the logout
        fails; the failure is raised then (:class:`OperationalError`)."""
        with self._lock:
            if self._handle.closed:
                return
            error: Error | None = None

            def logout(p: Any) -> None:
                nonlocal error
                if self._read is None:
                    try:  # still readable once the handle is gone
                        self._read = _About.read(p)
                    except Error:  # the logout matters more; the getters then raise
                        pass
                rc = _ffi.lib().sfmfa_session_close(p)
                if rc != Result.OK:
                    error = _last_error(rc)

            self._handle.close(before_free=logout)
            self._finalizer.detach()
        if error is not None:
            raise error

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
            return
        try:
            self.close()
        except Error as e:  # do not hide the exception that ended the block
            _log.warning("sfmfa: logout failed: %s", e)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        try:
            about = self._about()
        except Error:  # closed before anything was read (its close() failed to read)
            return f"<sfmfa.Session {state}>"
        return (
            f"<sfmfa.Session id={about.session_id} second_factor={about.second_factor.name} "
            f"cache={about.cache_status.name} {state}>"
        )


# --- client -------------------------------------------------------------------------------------


class Client:
    """Logs in with one configuration, as often and from as many threads as needed.

    ``Client(**options)`` takes the Python connector's keyword names (``account``, ``user``,
    ``password``, ``passcode``, ``passcode_in_password``, ``authenticator``,
    ``client_store_temporary_credential``, ``login_timeout``, ``host``, ``port``, ``protocol``, …);
    every name goes to ``sfmfa_config_set``, which also accepts the JDBC, ODBC, SnowSQL and Node.js
    names. Booleans become ``"true"``/``"false"``, numbers their decimal text, ``None`` leaves an
    option at its default. ``progress`` is called with each :class:`ProgressEvent`.
    ``token_store`` (a :class:`TokenStore`) keeps the MFA tokens in the application's own store
    instead of the one ``token_cache`` names; this package holds it until the client is freed.

    An unknown keyword is not an error: it is named with the nearest known name in a
    :class:`ConfigurationWarning` and ignored, as the Python connector does; an invalid value
    raises ``ProgrammingError``. Configuration warnings are issued as
    :class:`ConfigurationWarning` and kept in :attr:`warnings`. A client is a context manager; :meth:`close` cancels its logins in progress
    and frees it once the last one returned.
    """

    # Until the constructor has made the C client: a client whose constructor raised (a debugger
    # or a traceback's locals still show it) reads as closed and refuses every call.
    _handle: _Handle[Any] = _Handle.placeholder("client")
    _finalizer: Callable[[], object] = staticmethod(lambda: None)
    _progress: ProgressHandler | None = None

    def __init__(
        self,
        *,
        progress: ProgressHandler | None = None,
        token_store: TokenStore | None = None,
        **options: OptionValue,
    ) -> None:
        self._init(_Config.from_options(options), progress, token_store)  # empties `options`

    @classmethod
    def from_connection_string(
        cls,
        connection_string: str,
        /,
        *,
        progress: ProgressHandler | None = None,
        token_store: TokenStore | None = None,
        **overrides: OptionValue,
    ) -> Client:
        """A client from a JDBC URL (``jdbc:snowflake://…``) or an ODBC connection string, with
        ``overrides`` (keyword options) applied over the string's keys. The string's unknown keys
        and options not honoured are :attr:`warnings`. ``token_store`` as in :class:`Client`."""
        buf = _to_buffer("connection_string", connection_string)
        del connection_string  # no frame of a traceback names it from here on
        self = cls.__new__(cls)
        self._init(_Config.from_string_and_overrides(buf, overrides), progress, token_store)
        return self

    def _init(
        self, config: _Config, progress: ProgressHandler | None, token_store: TokenStore | None = None
    ) -> None:
        lib = _ffi.lib()
        self._config = config
        self._progress = progress
        out = ctypes.POINTER(_ffi.SfmfaClient)()
        try:
            self.warnings: tuple[str, ...] = config.warnings()
            """The configuration's warnings, also issued as :class:`ConfigurationWarning`."""
            for text in self.warnings:  # (may raise under a warnings filter "error")
                _warn(text)
            with config.handle.use() as cfg:
                if token_store is None:
                    rc = lib.sfmfa_client_new(cfg, byref(out))
                    _check(rc)
                else:
                    _new_client_with_store(cfg, token_store, out)
        except BaseException:
            config.close()
            raise
        self._handle: _Handle[Any] = _Handle(out, lib.sfmfa_client_free, "client")
        self._finalizer = weakref.finalize(self, _close_client, self._handle, config.handle)
        self._trampoline = _trampoline(weakref.ref(self))
        self._handle.keep.append(self._trampoline)  # C may call it until the client is freed
        # The library's own warnings come as WARNING progress events at the start of each login.
        self._warns = len(self.warnings) > len(config.ignored)
        self._reporting = False
        self._reporting_lock = threading.Lock()
        with self._handle.use() as p:
            error = self._report_if_listened(p)
        if error is not None:
            self._finalizer()
            raise error

    def _listened(self) -> bool:
        """Whether a login's progress events have anyone to go to: a handler, or sfmfa's logger
        at the level the events are logged at (DEBUG; WARNING for the configuration's warnings)."""
        return (
            self._progress is not None
            or _log.isEnabledFor(logging.DEBUG)
            or (self._warns and _log.isEnabledFor(logging.WARNING))
        )

    def _report_if_listened(self, p: Any) -> Error | None:
        """Registers the progress trampoline with the C client when events have anyone to go to,
        and unregisters it otherwise: an event nobody listens to costs a call from C into Python
        (the GIL taken back, the arguments converted) for nothing. The library reads the callback
        when a login starts, so a login in progress keeps the one it started with. Returns the
        error of a failed registration."""
        with self._reporting_lock:
            wanted = self._listened()
            if wanted == self._reporting:
                return None
            callback = self._trampoline if wanted else _NO_PROGRESS
            rc = _ffi.lib().sfmfa_client_set_progress_callback(p, callback, None)
            if rc:
                return _last_error(rc)
            self._reporting = wanted
            return None

    @property
    def progress(self) -> ProgressHandler | None:
        """The progress callback (``None`` for none); may be replaced at any time: logins in
        progress call the new one from their next event on. A login that started while nobody
        listened (no callback, and the ``sfmfa`` logger not enabled for its events) reports
        nothing: the C library is then told of no callback, which spares each event a call into
        Python."""
        return self._progress

    @progress.setter
    def progress(self, handler: ProgressHandler | None) -> None:
        self._progress = handler

    def login(self) -> Session:
        """Logs in (a Duo push, a passcode or the passcode in the password, as configured) and
        blocks until the server answers or ``login_timeout`` passes. Any thread; concurrent logins
        on one client are allowed. Raises an :class:`Error` subclass on failure."""
        lib = _ffi.lib()
        out = _SESSION_P()
        with self._handle.use() as p:
            if self._listened() != self._reporting:
                error = self._report_if_listened(p)
                if error is not None:
                    raise error
            rc = lib.sfmfa_client_login(p, byref(out))
            _check(rc)  # read on this thread, before anything else calls C
        return Session(out)

    def cancel(self) -> int:
        """Cancels every login of this client in progress now (from any thread, also from a
        progress callback); each raises :class:`OperationalError` with kind ``CANCELLED``.
        Returns how many were cancelled. Later logins are not affected."""
        with self._handle.use() as p:
            n = c_uint32(0)
            rc = _ffi.lib().sfmfa_client_cancel(p, byref(n))
            _check(rc)
            return n.value

    def cached_token(self) -> CacheInfo:
        """Whether an MFA token is cached for this client's (host, user), and in which store;
        the token itself is never revealed. No network traffic."""
        lib = _ffi.lib()
        present = c_bool(False)
        with self._handle.use() as p:
            rc, store = _ffi.read_string(
                lambda buf, size, n: lib.sfmfa_client_cache_inspect(p, byref(present), buf, size, n)
            )
            _check(rc)
        return CacheInfo(present=bool(present.value), store=store.decode("utf-8", "replace"))

    def delete_cached_token(self) -> None:
        """Deletes the cached MFA token of this client's (host, user); deleting a token that is
        not there succeeds. No network traffic."""
        with self._handle.use() as p:
            rc = _ffi.lib().sfmfa_client_cache_delete(p)
            _check(rc)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran, and for a client whose constructor raised."""
        return self._handle.closed

    def close(self) -> None:
        """Cancels the logins in progress and frees the client (and its configuration) once the
        last call in flight returned; later calls raise :class:`InterfaceError`. Idempotent.
        Sessions made by the client stay valid."""
        self._finalizer()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<sfmfa.Client {'closed' if self.closed else 'open'}>"


def _new_client_with_store(cfg: Any, token_store: TokenStore, out: Any) -> None:
    """``sfmfa_client_new_with_token_store`` into ``out``, with the C store of ``token_store``;
    the store's own reference is freed at once (the client keeps one: ``release`` comes when the
    client is freed, or now when the client could not be made)."""
    lib = _ffi.lib()
    rc, store = _token_store.new_c_store(token_store)
    _check(rc)
    try:
        rc = lib.sfmfa_client_new_with_token_store(cfg, store, byref(out))
        error = _last_error(rc) if rc != Result.OK else None  # read before anything else calls C
    finally:
        lib.sfmfa_token_store_free(store)
    if error is not None:
        raise error


def _cancel(ptr: Any) -> None:
    _ffi.lib().sfmfa_client_cancel(ptr, None)


def _close_client(client: _Handle[Any], config: _Handle[Any]) -> None:
    client.close(before_free=_cancel)
    config.close()


# --- one-call logins ----------------------------------------------------------------------------


def login(
    *,
    progress: ProgressHandler | None = None,
    token_store: TokenStore | None = None,
    **options: OptionValue,
) -> Session:
    """Logs in once with the Python connector's keyword names and returns the :class:`Session`.

    ``sfmfa.login(account="xy12345", user="demo", password=pw, authenticator="username_password_mfa")``
    sends a Duo push; add ``passcode="123456"`` for a passcode, or ``passcode_in_password=True``
    with the passcode at the end of the password. See :class:`Client` for the names and values
    (and ``token_store``).
    """
    config = _Config.from_options(options)  # empties `options`: no secret stays in this frame
    return _login_once(config, progress, token_store)


def login_from_connection_string(
    connection_string: str,
    /,
    *,
    progress: ProgressHandler | None = None,
    token_store: TokenStore | None = None,
    **overrides: OptionValue,
) -> Session:
    """Logs in once with a JDBC URL or an ODBC connection string, ``overrides`` (keyword options,
    e.g. ``password=pw``) applied over the string's keys. Returns the :class:`Session`."""
    buf = _to_buffer("connection_string", connection_string)
    del connection_string  # no frame of a traceback names it from here on
    return _login_once(_Config.from_string_and_overrides(buf, overrides), progress, token_store)


def _login_once(
    config: _Config, progress: ProgressHandler | None, token_store: TokenStore | None
) -> Session:
    """One login on a client made for it (and closed after it) from ``config``."""
    client = Client.__new__(Client)
    client._init(config, progress, token_store)
    with client:
        return client.login()


def library_version() -> str:
    """The version of the loaded C library (``sfmfa_version``)."""
    v = _ffi.lib().sfmfa_version()
    return v.decode("ascii") if v else ""

