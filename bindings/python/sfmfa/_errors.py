"""Exceptions: the complete PEP 249 set, in its hierarchy, as the Snowflake Python connector has it.

::

    Warning                  (PEP 249; sfmfa raises none: configuration warnings are
                             ConfigurationWarning, a UserWarning, as the connector's are)
    Error
     +-- InterfaceError      a misuse of the binding: a closed handle, a NUL in a string,
     |                       sfmfa_result 100 (NULL argument), 101 (invalid UTF-8), 104
     +-- DatabaseError       3xx: the server refused the login (390100 bad password, every Duo
         |                   code 3901xx), as the connector raises for a refused login
         +-- DataError        (PEP 249; no sfmfa failure)
         +-- OperationalError 2xx transport (connect, TLS, HTTP status, connection lost, protocol,
         |                    login_timeout), 4xx token cache, 900 cancelled
         +-- IntegrityError   (PEP 249; no sfmfa failure)
         +-- InternalError    901 internal, 902 panic caught at the C boundary
         +-- ProgrammingError 102 unknown option, 103 invalid value, 105 missing option (the
         |                    connector's class for a missing user, password or account)
         +-- NotSupportedError (PEP 249; no sfmfa failure)

:func:`class_of` holds the mapping of every ``sfmfa_result``; ``tests/test_errors_pep249.py`` walks
the failure table (``bindings/failures.tsv``) and checks each row's class.

Every exception carries ``errno`` (Snowflake's code such as 390120, or the ``sfmfa_result`` value
when the server did not refuse the login, as the connector puts its own codes there), ``sqlstate``,
``msg`` (the documented message), ``hint`` (what the user can do, or ``None``), ``result`` and
``kind`` (both the :class:`Result`, whose names and values are the C library's ``sfmfa_result``),
so callers branch on ``kind`` without parsing text. No secret is ever part of them: the texts come from the C side, which scrubs them.
"""

from __future__ import annotations

from ._ffi import Result

__all__ = [
    "DataError",
    "DatabaseError",
    "Error",
    "ErrorKind",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Result",
    "Warning",
]


#: What went wrong, for branching: the same enum as :class:`Result`, whose members carry the names
#: and values of the C library's ``sfmfa_result`` (``ErrorKind.DUO_DENIED == 320``), one vocabulary
#: with C and Java. An exception's ``kind`` is its ``result``.
ErrorKind = Result


class Warning(Exception):  # noqa: A001 - PEP 249 names it so (the connector's is an Exception too)
    """PEP 249 ``Warning``: an important warning such as a data truncation. Part of the PEP 249
    set; sfmfa raises none (its configuration warnings are :class:`ConfigurationWarning`s)."""


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
        self.errno = int(errno)
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


class DataError(DatabaseError):
    """PEP 249 ``DataError`` (problems with processed data); no sfmfa failure is one."""


class OperationalError(DatabaseError):
    """Transport failures, ``login_timeout``, the token cache, a cancelled login (PEP 249)."""


class IntegrityError(DatabaseError):
    """PEP 249 ``IntegrityError`` (relational integrity); no sfmfa failure is one."""


class InternalError(DatabaseError):
    """A bug in sfmfa, or a panic caught at the C boundary (PEP 249)."""


class ProgrammingError(DatabaseError):
    """An unknown option, an invalid value, a missing account/user/password (PEP 249)."""


class NotSupportedError(DatabaseError):
    """PEP 249 ``NotSupportedError`` (a method or API the database does not support); no sfmfa
    failure is one."""


def kind_of(result: int) -> ErrorKind:
    """The :class:`ErrorKind` of an ``sfmfa_result`` value: the value itself, as a member (an
    ``UNKNOWN_<value>`` member for a value this version does not know)."""
    return Result(result)


#: The class of every ``sfmfa_result`` this version knows: the one the Snowflake Python connector
#: raises for the same failure (a refused login is ``DatabaseError`` with the server's code; a
#: missing user/password/account and an invalid parameter value are ``ProgrammingError``; no
#: connection, a lost one, a timeout are ``OperationalError``).
_CLASS_OF: dict[Result, type[Error]] = {
    Result.NULL_ARGUMENT: InterfaceError,
    Result.INVALID_UTF8: InterfaceError,
    Result.UNKNOWN_OPTION: ProgrammingError,
    Result.INVALID_VALUE: ProgrammingError,
    Result.BUFFER_TOO_SMALL: InterfaceError,
    Result.MISSING_OPTION: ProgrammingError,
    Result.CONNECT: OperationalError,
    Result.TLS: OperationalError,
    Result.HTTP_STATUS: OperationalError,
    Result.CONNECTION_LOST: OperationalError,
    Result.PROTOCOL: OperationalError,
    Result.TIMEOUT: OperationalError,
    Result.BAD_CREDENTIALS: DatabaseError,
    Result.DUO_DENIED: DatabaseError,
    Result.DUO_PENDING: DatabaseError,
    Result.DUO_NOT_ENROLLED: DatabaseError,
    Result.DUO_LOCKED: DatabaseError,
    Result.DUO_REQUESTED: DatabaseError,
    Result.DUO_SMS_SENT: DatabaseError,
    Result.DUO_TIMEOUT: DatabaseError,
    Result.DUO_INVALID: DatabaseError,
    Result.DUO_SUCCEEDED: DatabaseError,
    Result.DUO_EXCEPTION: DatabaseError,
    Result.DUO_PUSH_DISABLED: DatabaseError,
    Result.SERVER_ERROR: DatabaseError,
    Result.CACHE: OperationalError,
    Result.CANCELLED: OperationalError,
    Result.INTERNAL: InternalError,
    Result.PANIC: InternalError,
}


def class_of(result: int) -> type[Error]:
    """The exception class for an ``sfmfa_result`` value (see the module docstring); a value
    newer than this binding gets its band's class (1xx ``ProgrammingError``, 3xx
    ``DatabaseError``, 2xx and 4xx–9xx ``OperationalError``, anything else ``InternalError``)."""
    known = _CLASS_OF.get(Result(result))
    if known is not None:
        return known
    if 100 <= result < 200:
        return ProgrammingError
    if 300 <= result < 400:
        return DatabaseError
    if 200 <= result < 1000:
        return OperationalError
    return InternalError
