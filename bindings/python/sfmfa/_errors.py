"""Exceptions, in the PEP 249 hierarchy the Snowflake Python connector uses.

::

    Error
     +-- InterfaceError      a misuse of the binding: a closed handle, a NUL in a string,
     |                       sfmfa_result 100 (NULL argument), 101 (invalid UTF-8), 104
     +-- DatabaseError       3xx: the server refused the login (390100 bad password, every Duo
         |                   code 3901xx), as the Python connector raises for a refused login
         +-- ProgrammingError 102 unknown option, 103 invalid value, 105 missing option
         +-- OperationalError 2xx transport (connect, TLS, HTTP status, connection lost, protocol,
         |                    login_timeout), 4xx token cache, 900 cancelled
         +-- InternalError    901 internal, 902 panic caught at the C boundary

Every exception carries ``errno`` (Snowflake's code such as 390120, or the ``sfmfa_result`` value
when the server did not refuse the login, as the connector puts its own codes there), ``sqlstate``,
``msg`` (the documented message), ``hint`` (what the user can do, or ``None``), ``result`` (the
:class:`Result`) and ``kind`` (:class:`ErrorKind`), so callers branch on ``kind`` without parsing
text. No secret is ever part of them: the texts come from the C side, which scrubs them.
"""

from __future__ import annotations

import enum
from typing import Final

from ._ffi import Result

__all__ = [
    "DatabaseError",
    "Error",
    "ErrorKind",
    "InterfaceError",
    "InternalError",
    "OperationalError",
    "ProgrammingError",
    "Result",
]


class ErrorKind(enum.Enum):
    """What went wrong, coarser than :class:`Result` where callers act the same way."""

    #: The binding was misused (NULL, invalid UTF-8, a closed handle, a buffer protocol failure).
    INTERFACE = "interface"
    #: ``sfmfa_config_set`` does not know the option name.
    UNKNOWN_OPTION = "unknown_option"
    #: An option value does not parse or is not allowed.
    INVALID_VALUE = "invalid_value"
    #: account, user or password is not set.
    MISSING_OPTION = "missing_option"
    #: The server could not be reached, TLS failed, or the connection broke (2xx except timeout).
    NETWORK = "network"
    #: The answer was not a login answer (an HTTP status, malformed JSON).
    PROTOCOL = "protocol"
    #: ``login_timeout`` passed.
    LOGIN_TIMEOUT = "login_timeout"
    #: 390100: incorrect user name or password.
    BAD_CREDENTIALS = "bad_credentials"
    #: 390120: the Duo push was denied.
    DENIED = "denied"
    #: 390121: the Duo authentication is pending.
    PENDING = "pending"
    #: 390122: the user is not enrolled in Duo.
    NOT_ENROLLED = "not_enrolled"
    #: 390123: the user is locked out of Duo.
    LOCKED = "locked"
    #: 390124 (Duo authentication required) and 390125 (passcode sent by SMS).
    PASSCODE_REQUIRED = "passcode_required"
    #: 390126: the push was not approved in time (use a passcode).
    PUSH_TIMEOUT = "push_timeout"
    #: 390127: wrong passcode (or a rejected MFA token).
    INVALID_PASSCODE = "invalid_passcode"
    #: 390129: Duo could not be reached by the service; try later.
    DUO_UNAVAILABLE = "duo_unavailable"
    #: 390132: Duo Push is not enabled for the user (use a passcode).
    PUSH_DISABLED = "push_disabled"
    #: Another code of the server (390128 and codes sfmfa does not know).
    SERVER = "server"
    #: The token cache could not be used.
    CACHE = "cache"
    #: The login was cancelled (:meth:`sfmfa.Client.cancel`).
    CANCELLED = "cancelled"
    #: A bug in sfmfa (or a panic caught at the C boundary).
    INTERNAL = "internal"


class Error(Exception):
    """Base class of every sfmfa exception (PEP 249 ``Error``).

    Attributes are set from the C library's last error of the calling thread; ``str(e)`` is
    ``"<errno> (<sqlstate>): <msg>"`` as in the Snowflake connector, plus the hint.
    """

    #: Snowflake's code (e.g. 390120) when the server refused the login, else the ``sfmfa_result``.
    errno: int
    #: SQLSTATE, five characters (``"08001"``), or ``""``.
    sqlstate: str
    #: The message (the documented one for Snowflake's codes); never a secret.
    msg: str
    #: What the user can do about it, or ``None``.
    hint: str | None
    #: The ``sfmfa_result`` of the failed call.
    result: Result
    #: What went wrong, for branching.
    kind: ErrorKind

    def __init__(
        self,
        msg: str,
        *,
        errno: int = -1,
        sqlstate: str = "",
        hint: str | None = None,
        result: Result = Result.INTERNAL,
        kind: ErrorKind = ErrorKind.INTERNAL,
    ) -> None:
        self.msg = msg
        self.errno = errno
        self.sqlstate = sqlstate
        self.hint = hint
        self.result = result
        self.kind = kind
        super().__init__(self._text())

    def _text(self) -> str:
        head = str(self.errno) if self.errno >= 390000 else self.result.name
        text = f"{head} ({self.sqlstate}): {self.msg}" if self.sqlstate else f"{head}: {self.msg}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(errno={self.errno}, sqlstate={self.sqlstate!r}, "
            f"kind={self.kind.name}, msg={self.msg!r})"
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Pickling (multiprocessing) keeps the attributes; args holds only the formatted text.
        return (
            _rebuild,
            (type(self), self.msg, self.errno, self.sqlstate, self.hint, self.result, self.kind),
        )


def _rebuild(
    cls: type[Error],
    msg: str,
    errno: int,
    sqlstate: str,
    hint: str | None,
    result: Result,
    kind: ErrorKind,
) -> Error:
    return cls(msg, errno=errno, sqlstate=sqlstate, hint=hint, result=result, kind=kind)


class InterfaceError(Error):
    """The binding was used wrongly (a closed handle, a NUL in a string) (PEP 249)."""


class DatabaseError(Error):
    """The server refused the login: 390100 and the Duo codes (PEP 249 ``DatabaseError``)."""


class ProgrammingError(DatabaseError):
    """An unknown option, an invalid value, a missing account/user/password (PEP 249)."""


class OperationalError(DatabaseError):
    """Transport failures, ``login_timeout``, the token cache, a cancelled login (PEP 249)."""


class InternalError(DatabaseError):
    """A bug in sfmfa, or a panic caught at the C boundary (PEP 249)."""


_KIND: Final[dict[Result, ErrorKind]] = {
    Result.NULL_ARGUMENT: ErrorKind.INTERFACE,
    Result.INVALID_UTF8: ErrorKind.INTERFACE,
    Result.BUFFER_TOO_SMALL: ErrorKind.INTERFACE,
    Result.UNKNOWN_OPTION: ErrorKind.UNKNOWN_OPTION,
    Result.INVALID_VALUE: ErrorKind.INVALID_VALUE,
    Result.MISSING_OPTION: ErrorKind.MISSING_OPTION,
    Result.CONNECT: ErrorKind.NETWORK,
    Result.TLS: ErrorKind.NETWORK,
    Result.CONNECTION_LOST: ErrorKind.NETWORK,
    Result.HTTP_STATUS: ErrorKind.PROTOCOL,
    Result.PROTOCOL: ErrorKind.PROTOCOL,
    Result.TIMEOUT: ErrorKind.LOGIN_TIMEOUT,
    Result.BAD_CREDENTIALS: ErrorKind.BAD_CREDENTIALS,
    Result.DUO_DENIED: ErrorKind.DENIED,
    Result.DUO_PENDING: ErrorKind.PENDING,
    Result.DUO_NOT_ENROLLED: ErrorKind.NOT_ENROLLED,
    Result.DUO_LOCKED: ErrorKind.LOCKED,
    Result.DUO_REQUESTED: ErrorKind.PASSCODE_REQUIRED,
    Result.DUO_SMS_SENT: ErrorKind.PASSCODE_REQUIRED,
    Result.DUO_TIMEOUT: ErrorKind.PUSH_TIMEOUT,
    Result.DUO_INVALID: ErrorKind.INVALID_PASSCODE,
    Result.DUO_SUCCEEDED: ErrorKind.SERVER,
    Result.DUO_EXCEPTION: ErrorKind.DUO_UNAVAILABLE,
    Result.DUO_PUSH_DISABLED: ErrorKind.PUSH_DISABLED,
    Result.SERVER_ERROR: ErrorKind.SERVER,
    Result.CACHE: ErrorKind.CACHE,
    Result.CANCELLED: ErrorKind.CANCELLED,
    Result.INTERNAL: ErrorKind.INTERNAL,
    Result.PANIC: ErrorKind.INTERNAL,
}


def kind_of(result: int) -> ErrorKind:
    """The :class:`ErrorKind` of an ``sfmfa_result`` value (``INTERNAL`` for an unknown one)."""
    return _KIND.get(Result(result), ErrorKind.INTERNAL)


def class_of(result: int) -> type[Error]:
    """The exception class for an ``sfmfa_result`` value, by band (see the module docstring)."""
    if result in (Result.NULL_ARGUMENT, Result.INVALID_UTF8, Result.BUFFER_TOO_SMALL):
        return InterfaceError
    if 100 <= result < 200:
        return ProgrammingError
    if 300 <= result < 400:
        return DatabaseError
    if result in (Result.INTERNAL, Result.PANIC) or not 200 <= result < 1000:
        return InternalError
    return OperationalError
