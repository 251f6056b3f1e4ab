"""The low layer: ``libsfmfa.so`` loaded with ctypes, every exported C function declared.

This module mirrors ``include/sfmfa.h`` one to one and adds no behaviour. :data:`PROTOTYPES` names
every C function with its return type and parameter types; :func:`load` applies them to the
library, so a call with a wrong argument type fails in Python instead of in C.
``tests/test_header.py`` parses the header and fails when this table and the header disagree.

Type choices:

* The C enums (``sfmfa_result``, ``sfmfa_cache_status``, …) are ``uint32_t`` typedefs in C before
  C23, so they are ``c_uint32`` here; their values are the ``IntEnum`` classes below.
* Strings in (``const char *``) are ``c_char_p``; a secret is passed as a
  ``ctypes.create_string_buffer`` the caller wipes afterwards (``c_char_p`` accepts one).
* Strings out are written into a caller buffer (``char *``), declared ``POINTER(c_char)`` so that
  ctypes never turns them into an immutable ``bytes`` behind our back; :func:`read_string` runs the
  buffer protocol (ask the size, allocate, copy).
* The two ``const char *`` results (:func:`sfmfa_result_name`, :func:`sfmfa_version`) are static
  strings the caller must not free, so ``c_char_p`` as a return type is safe for them.
* Handles are pointers to opaque ``Structure`` subclasses, so a session cannot be passed where a
  client is expected.

Where the library is found (:func:`find_library`): ``$SFMFA_LIBRARY`` when it is set (nothing else
is tried then), else ``libsfmfa.so`` next to this package (an installed package carries it: pip
builds it with cargo, see ``setup.py``), else, only when this package is the one of a source
checkout (``bindings/python/sfmfa``), the checkout's ``target/release`` then ``target/debug``.
When none loads, the error is one sentence saying what to do.
"""

from __future__ import annotations

import ctypes
import enum
import os
import sys
import threading
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char,
    c_char_p,
    c_int32,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_uint8,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, Final

__all__ = [
    "LIBRARY_ENV",
    "PROTOTYPES",
    "CacheStatus",
    "LibraryNotFoundError",
    "ProgressCallback",
    "ProgressKind",
    "Result",
    "SecondFactor",
    "SfmfaClient",
    "SfmfaConfig",
    "SfmfaProgress",
    "SfmfaSession",
    "find_library",
    "lib",
    "load",
    "read_string",
]

#: Environment variable naming the shared library to load (a path to ``libsfmfa.so``).
LIBRARY_ENV: Final = "SFMFA_LIBRARY"

if sys.platform == "darwin":  # pragma: no cover - only Linux is built and tested here
    _LIB_NAME = "libsfmfa.dylib"
elif sys.platform == "win32":  # pragma: no cover
    _LIB_NAME = "sfmfa.dll"
else:
    _LIB_NAME = "libsfmfa.so"


class _OpenEnum(enum.IntEnum):
    """An ``IntEnum`` that also takes values a newer library may send: ``Kind(99)`` is a member
    named ``UNKNOWN_99`` instead of a ``ValueError``.

    It prints by name, as :class:`enum.Enum` does: ``str()``, ``format()`` and f-strings give
    ``SecondFactor.PUSH`` (``IntEnum`` gives the bare number from Python 3.11 on); ``repr()`` is
    ``<SecondFactor.PUSH: 1>``. It still compares, hashes and serialises (``json``) as its int,
    and an integer format (``f"{kind:d}"``) gives the number.
    """

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    def __format__(self, spec: str) -> str:
        if spec and spec[-1] in "bcdnoxX":
            return int.__format__(int(self), spec)
        return format(str(self), spec)

    @classmethod
    def of(cls, value: int) -> Any:
        """``cls(value)``, faster for a known value (a dictionary look-up instead of the enum
        machinery): what the getters run after each call into C."""
        member = cls._value2member_map_.get(value)
        return member if member is not None else cls(value)

    @classmethod
    def _missing_(cls, value: object) -> _OpenEnum | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class Result(_OpenEnum):
    """``sfmfa_result``: 0 ok; 1xx caller errors; 2xx transport; 3xx authentication; 4xx token
    cache; 9xx cancelled, internal, panic. Values are stable and never reused."""

    OK = 0
    NULL_ARGUMENT = 100
    INVALID_UTF8 = 101
    UNKNOWN_OPTION = 102
    INVALID_VALUE = 103
    BUFFER_TOO_SMALL = 104
    MISSING_OPTION = 105
    CONNECT = 200
    TLS = 201
    HTTP_STATUS = 202
    CONNECTION_LOST = 203
    PROTOCOL = 204
    TIMEOUT = 205
    BAD_CREDENTIALS = 300
    DUO_DENIED = 320
    DUO_PENDING = 321
    DUO_NOT_ENROLLED = 322
    DUO_LOCKED = 323
    DUO_REQUESTED = 324
    DUO_SMS_SENT = 325
    DUO_TIMEOUT = 326
    DUO_INVALID = 327
    DUO_SUCCEEDED = 328
    DUO_EXCEPTION = 329
    DUO_PUSH_DISABLED = 332
    SERVER_ERROR = 399
    CACHE = 400
    CANCELLED = 900
    INTERNAL = 901
    PANIC = 902


class CacheStatus(_OpenEnum):
    """``sfmfa_cache_status``: what the MFA-token cache did during a login."""

    HIT = 0
    STORED = 1
    NOT_ISSUED = 2
    DISABLED = 3
    WRONG_AUTHENTICATOR = 4
    UNAVAILABLE = 5
    WRITE_FAILED = 6


class ProgressKind(_OpenEnum):
    """``sfmfa_progress_kind``: what a login is doing."""

    USING_CACHED_TOKEN = 1
    WAITING_FOR_OTHER_LOGIN = 2
    PUSH_SENT = 3
    PASSCODE_SENT = 4
    RETRYING = 5
    TOKEN_STORED = 6
    TOKEN_NOT_CACHED = 7
    WARNING = 8
    #: The server answered with ``nextAction``: step ``step`` of a multi-step login starts (2: the
    #: Duo step, which waits for the push or checks the passcode; 3: the request for the tokens).
    LOGIN_STEP = 9


class SecondFactor(_OpenEnum):
    """``sfmfa_second_factor``: the second factor of a login, as far as the exchange with the
    server proves it (never a factor that did not happen). Values are stable."""

    #: No second factor. Not reported by this library version (a push request that succeeds in
    #: one answer is ``PUSH_OR_NONE``); kept so that the value is never reused.
    NONE = 0
    #: A Duo push the user approved, proven by the server's multi-step answer
    #: (``EXT_AUTHN_SUCCESS`` after the push step).
    PUSH = 1
    #: A passcode in its own field, accepted.
    PASSCODE = 2
    #: The passcode at the end of the password, accepted.
    PASSCODE_IN_PASSWORD = 3
    #: A cached MFA token, accepted.
    MFA_TOKEN = 4
    #: A push was asked for and the server let the user in with one answer, which does not say
    #: whether it pushed (a user not enrolled in Duo logs in with the password alone).
    PUSH_OR_NONE = 5


class SfmfaConfig(Structure):
    """Opaque ``struct sfmfa_config``."""


class SfmfaClient(Structure):
    """Opaque ``struct sfmfa_client``."""


class SfmfaSession(Structure):
    """Opaque ``struct sfmfa_session``."""


class SfmfaProgress(Structure):
    """``struct sfmfa_progress``: one progress event, valid only during the callback."""

    _fields_ = [
        ("kind", c_uint32),
        ("attempt", c_uint32),
        ("delay_ms", c_uint64),
        ("message", c_char_p),
        ("step", c_uint32),
    ]


#: ``sfmfa_progress_callback``: ``void (*)(void *userdata, const struct sfmfa_progress *event)``.
ProgressCallback = CFUNCTYPE(None, c_void_p, POINTER(SfmfaProgress))

#: ``sfmfa_token_store_get_callback``: ``int32_t (*)(void *userdata, const char *key, uint8_t *buf,
#: size_t buf_len, size_t *token_len)``.
TokenStoreGetCallback = CFUNCTYPE(c_int32, c_void_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t))
#: ``sfmfa_token_store_put_callback``: ``int32_t (*)(void *userdata, const char *key, const uint8_t
#: *token, size_t token_len)``.
TokenStorePutCallback = CFUNCTYPE(c_int32, c_void_p, c_char_p, POINTER(c_uint8), c_size_t)
#: ``sfmfa_token_store_delete_callback``: ``int32_t (*)(void *userdata, const char *key)``.
TokenStoreDeleteCallback = CFUNCTYPE(c_int32, c_void_p, c_char_p)
#: ``sfmfa_token_store_release_callback``: ``void (*)(void *userdata)``.
TokenStoreReleaseCallback = CFUNCTYPE(None, c_void_p)


class SfmfaTokenStore(Structure):
    """Opaque ``sfmfa_token_store``."""


_store_p = POINTER(SfmfaTokenStore)
_config_p = POINTER(SfmfaConfig)
_client_p = POINTER(SfmfaClient)
_session_p = POINTER(SfmfaSession)
_result = c_uint32
_buf = POINTER(c_char)
_size_p = POINTER(c_size_t)

#: Every function of ``include/sfmfa.h``: name -> (return type, parameter types).
PROTOTYPES: Final[dict[str, tuple[Any, tuple[Any, ...]]]] = {
    # cache
    "sfmfa_session_cache_status": (
        _result,
        (_session_p, POINTER(c_uint32), POINTER(c_bool)),
    ),
    "sfmfa_session_cache_detail": (_result, (_session_p, _buf, c_size_t, _size_p)),
    "sfmfa_client_cache_delete": (_result, (_client_p,)),
    "sfmfa_client_cache_inspect": (
        _result,
        (_client_p, POINTER(c_bool), _buf, c_size_t, _size_p),
    ),
    # client
    "sfmfa_client_new": (_result, (_config_p, POINTER(_client_p))),
    "sfmfa_client_new_with_token_store": (
        _result,
        (_config_p, _store_p, POINTER(_client_p)),
    ),
    "sfmfa_client_login": (_result, (_client_p, POINTER(_session_p))),
    "sfmfa_client_cancel": (_result, (_client_p, POINTER(c_uint32))),
    "sfmfa_client_free": (None, (_client_p,)),
    "sfmfa_client_set_progress_callback": (
        _result,
        (_client_p, ProgressCallback, c_void_p),
    ),
    # config
    "sfmfa_config_new": (_result, (POINTER(_config_p),)),
    "sfmfa_config_set": (_result, (_config_p, c_char_p, c_char_p)),
    "sfmfa_config_set_binding": (_result, (_config_p, c_char_p, c_char_p)),
    "sfmfa_config_from_connection_string": (_result, (c_char_p, POINTER(_config_p))),
    "sfmfa_config_warning_count": (_result, (_config_p, _size_p)),
    "sfmfa_config_warning": (_result, (_config_p, c_size_t, _buf, c_size_t, _size_p)),
    "sfmfa_config_free": (None, (_config_p,)),
    # last error (per thread)
    "sfmfa_last_error_result": (_result, ()),
    "sfmfa_last_error_server_code": (c_uint32, ()),
    "sfmfa_last_error_sqlstate": (_result, (_buf, c_size_t, _size_p)),
    "sfmfa_last_error_message": (_result, (_buf, c_size_t, _size_p)),
    "sfmfa_last_error_hint": (_result, (_buf, c_size_t, _size_p)),
    # misc
    "sfmfa_result_name": (c_char_p, (c_uint32,)),
    "sfmfa_version": (c_char_p, ()),
    "sfmfa_version_number": (c_uint32, ()),
    # token store of the application
    "sfmfa_token_store_new": (
        _result,
        (
            TokenStoreGetCallback,
            TokenStorePutCallback,
            TokenStoreDeleteCallback,
            TokenStoreReleaseCallback,
            c_void_p,
            POINTER(_store_p),
        ),
    ),
    "sfmfa_token_store_free": (None, (_store_p,)),
    # session
    "sfmfa_session_id": (_result, (_session_p, POINTER(c_int64))),
    "sfmfa_session_second_factor": (_result, (_session_p, POINTER(c_uint32))),
    "sfmfa_session_token": (_result, (_session_p, _buf, c_size_t, _size_p)),
    "sfmfa_session_master_token": (_result, (_session_p, _buf, c_size_t, _size_p)),
    "sfmfa_session_close": (_result, (_session_p,)),
    "sfmfa_session_free": (None, (_session_p,)),
}


class LibraryNotFoundError(ImportError):
    """``libsfmfa.so`` could not be loaded: raised by ``import sfmfa``, with one sentence saying
    which library was expected, why it did not load and what to do."""


_PACKAGE_DIR = Path(__file__).resolve().parent


def _checkout_root() -> Path | None:
    """The repository when this package is its ``bindings/python/sfmfa`` (a source checkout),
    else ``None`` (an installed package)."""
    if len(_PACKAGE_DIR.parents) < 3:
        return None
    root = _PACKAGE_DIR.parents[2]
    if _PACKAGE_DIR.parent == root / "bindings" / "python" and (root / "bindings" / "c" / "Cargo.toml").is_file():
        return root
    return None


def _candidates() -> list[Path]:
    """The places :func:`find_library` tries when ``$SFMFA_LIBRARY`` is not set, in order."""
    places = [_PACKAGE_DIR / _LIB_NAME]
    root = _checkout_root()
    if root is not None:
        places += [root / "target" / profile / _LIB_NAME for profile in ("release", "debug")]
    return places


def _open(path: Path) -> tuple[ctypes.CDLL | None, str]:
    """The library at ``path`` with every function of :data:`PROTOTYPES`, or ``None`` and why not."""
    if not path.is_file():
        return None, "no such file"
    try:
        cdll = ctypes.CDLL(str(path))
    except OSError as e:
        return None, str(e)
    missing = [name for name in PROTOTYPES if not hasattr(cdll, name)]
    if missing:
        return None, f"older than this binding, lacks {', '.join(missing)}"
    return cdll, ""


def find_library() -> tuple[ctypes.CDLL, Path]:
    """Loads the shared library and returns it with its path.

    A library that lacks a function of :data:`PROTOTYPES` (an older build) is passed over.
    Raises :class:`LibraryNotFoundError`, one sentence, when none can be loaded.
    """
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        cdll, why = _open(Path(explicit))
        if cdll is not None:
            return cdll, Path(explicit)
        raise LibraryNotFoundError(
            f"sfmfa: cannot load ${LIBRARY_ENV} ({explicit}): {why}; "
            f"point it to a {_LIB_NAME} of this version, or unset it to use the package's own."
        )
    problems: list[str] = []
    for path in _candidates():
        cdll, why = _open(path)
        if cdll is not None:
            return cdll, path
        if why != "no such file":
            problems.append(f"{path}: {why}")
    own = _PACKAGE_DIR / _LIB_NAME
    root = _checkout_root()
    if root is None:
        reason = problems[0] if problems else f"{own} is missing"
        raise LibraryNotFoundError(
            f"sfmfa: this installation has no usable C library ({reason}); reinstall sfmfa with pip, "
            f"which builds it with cargo, or set ${LIBRARY_ENV} to a {_LIB_NAME}."
        )
    reason = "; ".join(problems) if problems else "none is built"
    raise LibraryNotFoundError(
        f"sfmfa: no usable {_LIB_NAME} next to the package or in {root / 'target'} ({reason}); "
        f"build it with `cargo build -p sfmfa-c` (or `make python`), or set ${LIBRARY_ENV}."
    )


def load(cdll: ctypes.CDLL) -> ctypes.CDLL:
    """Sets ``restype`` and ``argtypes`` of every function of :data:`PROTOTYPES` on ``cdll``.

    Raises :class:`LibraryNotFoundError` when the library lacks one of them (an older build)."""
    missing = [name for name in PROTOTYPES if not hasattr(cdll, name)]
    if missing:
        raise LibraryNotFoundError(
            f"sfmfa: {cdll._name} is older than this binding: it lacks {', '.join(missing)}; "
            "rebuild it (`cargo build`, `make python`)"
        )
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(cdll, name)
        fn.restype = restype
        fn.argtypes = list(argtypes)
    return cdll


_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_lib_path: Path | None = None


def lib() -> ctypes.CDLL:
    """The loaded, declared library (loaded on first use, once per process)."""
    global _lib, _lib_path
    if _lib is None:
        with _lock:
            if _lib is None:
                cdll, path = find_library()
                _lib_path = path
                _lib = load(cdll)
    return _lib


def library_path() -> Path:
    """The path of the shared library in use (loading it if needed)."""
    lib()
    assert _lib_path is not None
    return _lib_path


def read_string(call: Callable[[Any, int, Any], int], initial: int = 256) -> tuple[int, bytes]:
    """Runs the buffer protocol of the string-out functions: ``call(buf, buf_len, out_len)``
    returns a ``sfmfa_result``; on ``BUFFER_TOO_SMALL`` ``out_len`` holds the needed length
    (without the NUL) and the call is repeated with a buffer that fits.

    Returns ``(result, bytes)``; ``bytes`` is empty unless the result is ``OK``. The buffer is
    wiped before it is dropped (it may hold a token).
    """
    size = initial
    for _ in range(4):  # the needed size can only grow between two calls by a racing writer
        buf = ctypes.create_string_buffer(size)
        out_len = c_size_t(0)
        rc = call(buf, size, ctypes.byref(out_len))
        if rc == _BUFFER_TOO_SMALL:
            size = out_len.value + 1
            continue
        if rc != _OK:
            return rc, b""
        data = buf[: out_len.value]  # only the string's bytes, not a copy of the whole buffer
        ctypes.memset(buf, 0, size)
        return rc, data
    return Result.BUFFER_TOO_SMALL, b""


# Plain ints for the comparisons of read_string (an IntEnum member is slower to fetch and compare).
_OK: Final = int(Result.OK)
_BUFFER_TOO_SMALL: Final = int(Result.BUFFER_TOO_SMALL)
