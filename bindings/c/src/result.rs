//! `sfmfa_result`: the stable, banded result codes of the C ABI.

use sfmfa_core::error::{Error, ErrorKind};

/// The result of a fallible C function. Values are stable and never reused:
/// 0 success; 1xx caller errors; 2xx transport; 3xx authentication (3xx = 390100 + xx for Snowflake's
/// login codes); 4xx token cache; 9xx cancelled, internal, panic.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sfmfa_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// `sfmfa_config_set` was given an option name no table entry or alias knows.
    UnknownOption = 102,
    /// An option value does not parse or is not allowed (the message names the option).
    InvalidValue = 103,
    /// The output buffer is too small; the needed length was written to the length out-parameter.
    BufferTooSmall = 104,
    /// A required option (account, user, password) is not set.
    MissingOption = 105,
    /// The server could not be reached (DNS, refused, unreachable, connect timeout).
    Connect = 200,
    /// TLS failed: untrusted certificate, wrong host name, unreadable `ca_file`.
    Tls = 201,
    /// The server answered with an HTTP status that is not a login answer.
    HttpStatus = 202,
    /// The connection broke after the request was sent; not retried (it may have started a push).
    ConnectionLost = 203,
    /// The answer was not Snowflake's protocol (malformed JSON, success without tokens).
    Protocol = 204,
    /// `login_timeout` passed.
    Timeout = 205,
    /// 390100: incorrect user name or password.
    BadCredentials = 300,
    /// 390120 EXT_AUTHN_DENIED: the Duo push was denied.
    DuoDenied = 320,
    /// 390121 EXT_AUTHN_PENDING.
    DuoPending = 321,
    /// 390122 EXT_AUTHN_NOT_ENROLLED.
    DuoNotEnrolled = 322,
    /// 390123 EXT_AUTHN_LOCKED.
    DuoLocked = 323,
    /// 390124 EXT_AUTHN_REQUESTED.
    DuoRequested = 324,
    /// 390125 EXT_AUTHN_SMS_SENT: log in again with the passcode from the SMS.
    DuoSmsSent = 325,
    /// 390126 EXT_AUTHN_TIMEOUT: the push was not approved in time; use a passcode.
    DuoTimeout = 326,
    /// 390127 EXT_AUTHN_INVALID: wrong passcode (or a rejected MFA token).
    DuoInvalid = 327,
    /// 390128 EXT_AUTHN_SUCCEEDED (not expected as a failure; mapped for completeness).
    DuoSucceeded = 328,
    /// 390129 EXT_AUTHN_EXCEPTION: Duo unreachable; try later.
    DuoException = 329,
    /// 390132 EXT_AUTHN_DUO_PUSH_DISABLED: provide a passcode.
    DuoPushDisabled = 332,
    /// The server refused the login with another code; read it with `sfmfa_last_error_server_code`.
    ServerError = 399,
    /// The token cache could not be used (insecure or foreign-owned file or directory, lock not
    /// taken, I/O failure); the message says which file and why.
    Cache = 400,
    /// The login was cancelled.
    Cancelled = 900,
    /// A bug in sfmfa, reported rather than hidden.
    Internal = 901,
    /// A panic inside sfmfa was caught at the boundary.
    Panic = 902,
}

impl sfmfa_result {
    /// Every value, for lookups from a C integer (an out-of-range enum value would be undefined
    /// behaviour in Rust, so C integers are matched against this list instead of cast).
    pub(crate) const ALL: [sfmfa_result; 30] = {
        use sfmfa_result as R;
        [
            R::Ok,
            R::NullArgument,
            R::InvalidUtf8,
            R::UnknownOption,
            R::InvalidValue,
            R::BufferTooSmall,
            R::MissingOption,
            R::Connect,
            R::Tls,
            R::HttpStatus,
            R::ConnectionLost,
            R::Protocol,
            R::Timeout,
            R::BadCredentials,
            R::DuoDenied,
            R::DuoPending,
            R::DuoNotEnrolled,
            R::DuoLocked,
            R::DuoRequested,
            R::DuoSmsSent,
            R::DuoTimeout,
            R::DuoInvalid,
            R::DuoSucceeded,
            R::DuoException,
            R::DuoPushDisabled,
            R::ServerError,
            R::Cache,
            R::Cancelled,
            R::Internal,
            R::Panic,
        ]
    };

    /// The result code of an error.
    pub(crate) fn from_error(e: &Error) -> Self {
        use sfmfa_result as R;
        match e.kind() {
            ErrorKind::UnknownOption => R::UnknownOption,
            ErrorKind::InvalidValue => R::InvalidValue,
            ErrorKind::MissingOption => R::MissingOption,
            ErrorKind::Connect => R::Connect,
            ErrorKind::Tls => R::Tls,
            ErrorKind::HttpStatus => R::HttpStatus,
            ErrorKind::ConnectionLost => R::ConnectionLost,
            ErrorKind::Protocol => R::Protocol,
            ErrorKind::Timeout => R::Timeout,
            ErrorKind::Cancelled => R::Cancelled,
            ErrorKind::BadCredentials => R::BadCredentials,
            ErrorKind::Duo => match e.server_code() {
                Some(390120) => R::DuoDenied,
                Some(390121) => R::DuoPending,
                Some(390122) => R::DuoNotEnrolled,
                Some(390123) => R::DuoLocked,
                Some(390124) => R::DuoRequested,
                Some(390125) => R::DuoSmsSent,
                Some(390126) => R::DuoTimeout,
                Some(390127) => R::DuoInvalid,
                Some(390128) => R::DuoSucceeded,
                Some(390129) => R::DuoException,
                Some(390132) => R::DuoPushDisabled,
                _ => R::ServerError,
            },
            ErrorKind::Server => R::ServerError,
            ErrorKind::Cache => R::Cache,
            _ => R::Internal,
        }
    }

    /// The constant's name, e.g. `SFMFA_RESULT_DUO_DENIED`.
    pub(crate) fn name(self) -> &'static std::ffi::CStr {
        use sfmfa_result as R;
        match self {
            R::Ok => c"SFMFA_RESULT_OK",
            R::NullArgument => c"SFMFA_RESULT_NULL_ARGUMENT",
            R::InvalidUtf8 => c"SFMFA_RESULT_INVALID_UTF8",
            R::UnknownOption => c"SFMFA_RESULT_UNKNOWN_OPTION",
            R::InvalidValue => c"SFMFA_RESULT_INVALID_VALUE",
            R::BufferTooSmall => c"SFMFA_RESULT_BUFFER_TOO_SMALL",
            R::MissingOption => c"SFMFA_RESULT_MISSING_OPTION",
            R::Connect => c"SFMFA_RESULT_CONNECT",
            R::Tls => c"SFMFA_RESULT_TLS",
            R::HttpStatus => c"SFMFA_RESULT_HTTP_STATUS",
            R::ConnectionLost => c"SFMFA_RESULT_CONNECTION_LOST",
            R::Protocol => c"SFMFA_RESULT_PROTOCOL",
            R::Timeout => c"SFMFA_RESULT_TIMEOUT",
            R::BadCredentials => c"SFMFA_RESULT_BAD_CREDENTIALS",
            R::DuoDenied => c"SFMFA_RESULT_DUO_DENIED",
            R::DuoPending => c"SFMFA_RESULT_DUO_PENDING",
            R::DuoNotEnrolled => c"SFMFA_RESULT_DUO_NOT_ENROLLED",
            R::DuoLocked => c"SFMFA_RESULT_DUO_LOCKED",
            R::DuoRequested => c"SFMFA_RESULT_DUO_REQUESTED",
            R::DuoSmsSent => c"SFMFA_RESULT_DUO_SMS_SENT",
            R::DuoTimeout => c"SFMFA_RESULT_DUO_TIMEOUT",
            R::DuoInvalid => c"SFMFA_RESULT_DUO_INVALID",
            R::DuoSucceeded => c"SFMFA_RESULT_DUO_SUCCEEDED",
            R::DuoException => c"SFMFA_RESULT_DUO_EXCEPTION",
            R::DuoPushDisabled => c"SFMFA_RESULT_DUO_PUSH_DISABLED",
            R::ServerError => c"SFMFA_RESULT_SERVER_ERROR",
            R::Cache => c"SFMFA_RESULT_CACHE",
            R::Cancelled => c"SFMFA_RESULT_CANCELLED",
            R::Internal => c"SFMFA_RESULT_INTERNAL",
            R::Panic => c"SFMFA_RESULT_PANIC",
        }
    }
}

/// The name of a result value, e.g. `"SFMFA_RESULT_DUO_DENIED"`, as a static NUL-terminated string
/// the caller must not free; `"SFMFA_RESULT_UNKNOWN"` for a value that is not a result. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_result_name(result: u32) -> *const std::ffi::c_char {
    std::panic::catch_unwind(|| {
        sfmfa_result::ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or(c"SFMFA_RESULT_UNKNOWN", |r| r.name())
    })
    .unwrap_or(c"SFMFA_RESULT_UNKNOWN")
    .as_ptr()
}
