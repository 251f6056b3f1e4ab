"""sfmfa: Snowflake's MFA (Duo) login from Python, over the sfmfa C library (ctypes).

::

    import sfmfa

    with sfmfa.login(account="xy12345", user="demo", password=pw,
                     authenticator="username_password_mfa") as session:   # a Duo push
        use(session.token)

Keyword names are the Python connector's (``passcode``, ``passcode_in_password``,
``client_store_temporary_credential``, ``login_timeout``, …); every driver's name is accepted.
Failures raise PEP 249-style exceptions (:class:`Error` and its subclasses) with ``errno``
(Snowflake's code, e.g. 390120), ``sqlstate``, ``msg``, ``hint`` and ``kind`` (:class:`ErrorKind`).

The shared library is loaded on import: ``$SFMFA_LIBRARY`` when set, else the one next to this
package (pip builds it with cargo), else, in a source checkout, its ``target/release`` or
``target/debug``; see :mod:`sfmfa._ffi`. ``import sfmfa`` raises :class:`LibraryNotFoundError`
(an ``ImportError``), one sentence, when there is none.
"""

from . import _ffi

from ._client import (
    CacheInfo,
    CacheStatus,
    Client,
    ConfigurationWarning,
    OptionValue,
    ProgressEvent,
    ProgressHandler,
    ProgressKind,
    SecondFactor,
    Session,
    TokenStore,
    library_version,
    login,
    login_from_connection_string,
)
from ._errors import (
    DatabaseError,
    DataError,
    Error,
    ErrorKind,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Result,
    Warning,
)
from ._ffi import LibraryNotFoundError

# A package without its library fails here, at import, rather than at its first call.
_ffi.lib()

#: Version of this Python package.
__version__ = "0.1.0"

#: PEP 249 module globals, for tools that look for them.
apilevel = "2.0"
threadsafety = 2  # threads may share the module and clients (sessions: calls are serialised)
paramstyle = "pyformat"  # unused: sfmfa runs no query

__all__ = [
    "CacheInfo",
    "CacheStatus",
    "Client",
    "ConfigurationWarning",
    "DataError",
    "DatabaseError",
    "Error",
    "ErrorKind",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "LibraryNotFoundError",
    "NotSupportedError",
    "OperationalError",
    "OptionValue",
    "ProgrammingError",
    "ProgressEvent",
    "ProgressHandler",
    "ProgressKind",
    "Result",
    "SecondFactor",
    "Session",
    "TokenStore",
    "Warning",
    "library_version",
    "login",
    "login_from_connection_string",
]
