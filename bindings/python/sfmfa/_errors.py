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
``msg`` (the documented message), ``hint`` (what the user can do, or ``None``), ``result`` and
``kind`` (both the :class:`Result`, whose names and values are the C library's ``sfmfa_result``),
so callers branch on ``kind`` without parsing text. No secret is ever part of them: the texts come from the C side, which scrubs them.
"""

from __future__ import annotations

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


#: What went wrong, for branching: the same enum as :class:`Result`, whose members carry the names
#: and values of the C library's ``sfmfa_result`` (``ErrorKind.DUO_DENIED == 320``), one vocabulary
#: with C and Java. An exception's ``kind`` is its ``result``.
ErrorKind = Result


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


def kind_of(result: int) -> ErrorKind:
    """The :class:`ErrorKind` of an ``sfmfa_result`` value: the value itself, as a member (an
    ``UNKNOWN_<value>`` member for a value this version does not know)."""
    return Result(result)


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
