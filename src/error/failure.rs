//! The one table of failures: every way an sfmfa operation can fail, with its stable result value,
//! its name, Snowflake's login code and documented message where the server refused the login, the
//! SQLSTATE drivers report, and whether the logins waiting at the prompt lock share it.
//!
//! Each row is written here once. The C enum `sfmfa_result` (values and names), the C library's
//! mapping of errors to results, the Java `SfmfaError.Kind` and the Python `Result` are derived
//! from it or checked against it; [`super::SERVER_CODES`] is built from it at compile time.
//!
//! Values are stable and never reused: 0 is success (not a row); 1xx caller errors; 2xx transport;
//! 3xx authentication, where 3xx = 390100 + xx for Snowflake's login codes; 4xx token cache; 9xx
//! cancelled, internal, panic. The doc comment of each variant is the documentation of its row in
//! every language.
//!
//! Where the codes, names and messages come from (Snowflake's MFA pages; 390100 from the drivers'
//! fixtures), and which columns are sfmfa's own choice (SQLSTATEs, hints): docs/product-codes.md.

use super::ErrorKind;

/// One row of the failure table. Read it with [`Failure::info`]; iterate with [`Failure::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureInfo {
    /// The failure this row describes; `failure as u32` is its stable result value.
    pub failure: Failure,
    /// The name every binding uses, e.g. `DUO_DENIED` (C: `SFMFA_RESULT_DUO_DENIED`).
    pub name: &'static str,
    /// The coarse category (what [`super::Error::kind`] reports).
    pub kind: ErrorKind,
    /// The SQLSTATE drivers report with it.
    pub sqlstate: &'static str,
    /// Snowflake's login code when this row is the server refusing the login, e.g. 390120.
    pub server_code: Option<u32>,
    /// The documented name of the login code, e.g. `EXT_AUTHN_DENIED`.
    pub server_code_name: Option<&'static str>,
    /// The documented message of the login code, verbatim.
    pub message: Option<&'static str>,
    /// What the user can do about it, where the documents say.
    pub hint: Option<&'static str>,
    /// Whether the logins that waited at the prompt lock for the one that prompted fail with the
    /// same error instead of prompting again: a refusal every one of them would get too. Such a row
    /// always has a server code (the lock file records the code).
    pub shared_by_waiters: bool,
    /// What the failure means, one or more lines (the variant's doc comment, which the C header
    /// and the bindings' documentation repeat).
    pub doc: &'static str,
}

impl FailureInfo {
    /// The columns a row does not set.
    const BLANK: FailureInfo = FailureInfo {
        failure: Failure::Internal,
        name: "",
        kind: ErrorKind::Internal,
        sqlstate: "",
        server_code: None,
        server_code_name: None,
        message: None,
        hint: None,
        shared_by_waiters: false,
        doc: "",
    };
}

/// Declares [`Failure`] and its rows from one list: per row the doc comment, the variant and its
/// value, the name, the kind, the SQLSTATE, then any other columns of [`FailureInfo`].
macro_rules! failure_table {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $value:literal, $name:literal, $kind:ident, $sqlstate:literal
            $(, $column:ident: $cell:expr)* $(,)?;
    )+) => {
        /// Every way an sfmfa operation can fail: one variant per row of the failure table, whose
        /// discriminant is the row's stable result value (C: `sfmfa_result`).
        #[repr(u32)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Failure {
            $( $(#[doc = $doc])+ $variant = $value, )+
        }

        impl Failure {
            /// Every row, in the order of their values.
            pub const ALL: &'static [Failure] = &[$(Failure::$variant),+];

            /// The row of this failure.
            pub const fn info(self) -> &'static FailureInfo {
                match self {
                    $(Failure::$variant => const {
                        &FailureInfo {
                            failure: Failure::$variant,
                            name: $name,
                            kind: ErrorKind::$kind,
                            sqlstate: $sqlstate,
                            doc: concat!($($doc, "\n"),+),
                            $($column: $cell,)*
                            ..FailureInfo::BLANK
                        }
                    },)+
                }
            }
        }
    };
}

failure_table! {
    /// A required pointer argument was NULL (or, in a binding, a handle that is closed).
    NullArgument = 100, "NULL_ARGUMENT", InvalidValue, "22023";
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101, "INVALID_UTF8", InvalidValue, "22023";
    /// An option name that no table entry or alias knows.
    UnknownOption = 102, "UNKNOWN_OPTION", UnknownOption, "22023";
    /// An option value does not parse or is not allowed (the message names the option), or a call
    /// is made where it is not allowed (a login started from a progress callback of a login of the
    /// same user, which would wait for that login forever).
    InvalidValue = 103, "INVALID_VALUE", InvalidValue, "22023";
    /// The output buffer is too small; the needed length was written to the length out-parameter.
    BufferTooSmall = 104, "BUFFER_TOO_SMALL", InvalidValue, "22023";
    /// A required option (account, user, password) is not set.
    MissingOption = 105, "MISSING_OPTION", MissingOption, "22023";
    /// The server could not be reached (DNS, refused, unreachable, connect timeout).
    Connect = 200, "CONNECT", Connect, "08001";
    /// TLS failed: untrusted certificate, wrong host name, handshake failure, unreadable `ca_file`.
    Tls = 201, "TLS", Tls, "08001";
    /// The server answered with an HTTP status that is not a login answer (after any retries).
    HttpStatus = 202, "HTTP_STATUS", HttpStatus, "08001";
    /// The connection broke after the request was sent; not retried (it may have started a push).
    ConnectionLost = 203, "CONNECTION_LOST", ConnectionLost, "08S01";
    /// The answer was not Snowflake's protocol (malformed JSON, success without tokens).
    Protocol = 204, "PROTOCOL", Protocol, "08S01";
    /// `login_timeout` passed before the login finished.
    Timeout = 205, "TIMEOUT", Timeout, "HYT00";
    /// 390100: incorrect user name or password.
    BadCredentials = 300, "BAD_CREDENTIALS", BadCredentials, "28000",
        server_code: Some(390100),
        server_code_name: Some("INCORRECT_USERNAME_PASSWORD"),
        message: Some("Incorrect username or password was specified."),
        hint: Some("Check the user name and the password; with passcode_in_password the password must end with the 6-digit passcode.");
    /// 390120 EXT_AUTHN_DENIED: the Duo push was denied.
    DuoDenied = 320, "DUO_DENIED", Duo, "08001",
        server_code: Some(390120),
        server_code_name: Some("EXT_AUTHN_DENIED"),
        message: Some("Duo Security authentication is denied."),
        hint: Some("The Duo push was denied on the phone. Approve the next one, or log in with a passcode."),
        shared_by_waiters: true;
    /// 390121 EXT_AUTHN_PENDING: Duo authentication is pending.
    DuoPending = 321, "DUO_PENDING", Duo, "08001",
        server_code: Some(390121),
        server_code_name: Some("EXT_AUTHN_PENDING"),
        message: Some("Duo Security authentication is pending.");
    /// 390122 EXT_AUTHN_NOT_ENROLLED: the user is not enrolled in Duo.
    DuoNotEnrolled = 322, "DUO_NOT_ENROLLED", Duo, "08001",
        server_code: Some(390122),
        server_code_name: Some("EXT_AUTHN_NOT_ENROLLED"),
        message: Some("User is not enrolled in Duo Security. Contact your local system administrator.");
    /// 390123 EXT_AUTHN_LOCKED: the user is locked out of Duo.
    DuoLocked = 323, "DUO_LOCKED", Duo, "08001",
        server_code: Some(390123),
        server_code_name: Some("EXT_AUTHN_LOCKED"),
        message: Some("User is locked from Duo Security. Contact your local system administrator."),
        shared_by_waiters: true;
    /// 390124 EXT_AUTHN_REQUESTED: a second factor is required and none was given.
    DuoRequested = 324, "DUO_REQUESTED", Duo, "08001",
        server_code: Some(390124),
        server_code_name: Some("EXT_AUTHN_REQUESTED"),
        message: Some("Duo Security authentication is required."),
        hint: Some("Approve the Duo push, or provide a passcode (passcode=<code> or passcode_in_password=true).");
    /// 390125 EXT_AUTHN_SMS_SENT: log in again with the passcode from the SMS.
    DuoSmsSent = 325, "DUO_SMS_SENT", Duo, "08001",
        server_code: Some(390125),
        server_code_name: Some("EXT_AUTHN_SMS_SENT"),
        message: Some("Duo Security temporary passcode is sent via SMS. Please authenticate using the passcode."),
        hint: Some("Log in again with the passcode from the SMS: passcode=<code>.");
    /// 390126 EXT_AUTHN_TIMEOUT: the push was not approved in time; use a passcode.
    DuoTimeout = 326, "DUO_TIMEOUT", Duo, "08001",
        server_code: Some(390126),
        server_code_name: Some("EXT_AUTHN_TIMEOUT"),
        message: Some("Timed out waiting for your login request approval via Duo Mobile. If your mobile device has no data service, generate a Duo passcode and enter it in the connect string."),
        hint: Some("The push was not approved in time. Use a Duo passcode instead: passcode=<code> or passcode_in_password=true."),
        shared_by_waiters: true;
    /// 390127 EXT_AUTHN_INVALID: wrong passcode (or a rejected MFA token). Not shared at the prompt
    /// lock: a waiter may have a passcode of its own.
    DuoInvalid = 327, "DUO_INVALID", Duo, "08001",
        server_code: Some(390127),
        server_code_name: Some("EXT_AUTHN_INVALID"),
        message: Some("Incorrect passcode was specified."),
        hint: Some("Use the current passcode from the Duo app (they change every 30 seconds).");
    /// 390128 EXT_AUTHN_SUCCEEDED (not expected as a failure; mapped for completeness).
    DuoSucceeded = 328, "DUO_SUCCEEDED", Duo, "08001",
        server_code: Some(390128),
        server_code_name: Some("EXT_AUTHN_SUCCEEDED"),
        message: Some("Duo Security authentication is successful.");
    /// 390129 EXT_AUTHN_EXCEPTION: Snowflake could not reach Duo; try later.
    DuoException = 329, "DUO_EXCEPTION", Duo, "08001",
        server_code: Some(390129),
        server_code_name: Some("EXT_AUTHN_EXCEPTION"),
        message: Some("Request could not be completed due to a communication problem with the external service provider. Try again later."),
        hint: Some("Duo could not be reached by Snowflake. Try again later."),
        shared_by_waiters: true;
    /// 390132 EXT_AUTHN_DUO_PUSH_DISABLED: Duo Push is not enabled for the user; provide a passcode.
    DuoPushDisabled = 332, "DUO_PUSH_DISABLED", Duo, "08001",
        server_code: Some(390132),
        server_code_name: Some("EXT_AUTHN_DUO_PUSH_DISABLED"),
        message: Some("Duo Push is not enabled for your MFA. Provide a passcode as part of the connection string."),
        hint: Some("Provide a passcode: passcode=<code> or passcode_in_password=true.");
    /// The server refused the login with a code that has no row of its own; the error carries the
    /// code (C: `sfmfa_last_error_server_code`).
    ServerError = 399, "SERVER_ERROR", Server, "08001";
    /// The token cache could not be used (insecure or foreign-owned file or directory, lock not
    /// taken, I/O failure); the message says which file and why.
    Cache = 400, "CACHE", Cache, "HY000";
    /// The login was cancelled.
    Cancelled = 900, "CANCELLED", Cancelled, "HY008";
    /// A bug in sfmfa, reported rather than hidden.
    Internal = 901, "INTERNAL", Internal, "XX000";
    /// A panic inside sfmfa was caught at the boundary of a binding.
    Panic = 902, "PANIC", Internal, "XX000";
}

impl Failure {
    /// The stable result value (C: the `sfmfa_result` constant).
    pub const fn value(self) -> u32 {
        self as u32
    }

    /// The name every binding uses, e.g. `DUO_DENIED`.
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// The coarse category.
    pub const fn kind(self) -> ErrorKind {
        self.info().kind
    }

    /// The row whose result value is `value`.
    pub fn from_value(value: u32) -> Option<Failure> {
        Failure::ALL.iter().copied().find(|f| f.value() == value)
    }

    /// The row of Snowflake's login code `code`: its own row when it has one, else
    /// [`Failure::ServerError`].
    pub fn from_server_code(code: u32) -> Failure {
        Failure::ALL
            .iter()
            .copied()
            .find(|f| f.info().server_code == Some(code))
            .unwrap_or(Failure::ServerError)
    }

    /// The row an error of `kind` has when nothing more specific is known (no server code, not a
    /// binding's own failure such as a NULL argument).
    pub const fn of_kind(kind: ErrorKind) -> Failure {
        match kind {
            ErrorKind::UnknownOption => Failure::UnknownOption,
            ErrorKind::InvalidValue => Failure::InvalidValue,
            ErrorKind::MissingOption => Failure::MissingOption,
            ErrorKind::Connect => Failure::Connect,
            ErrorKind::Tls => Failure::Tls,
            ErrorKind::HttpStatus => Failure::HttpStatus,
            ErrorKind::ConnectionLost => Failure::ConnectionLost,
            ErrorKind::Protocol => Failure::Protocol,
            ErrorKind::Timeout => Failure::Timeout,
            ErrorKind::Cancelled => Failure::Cancelled,
            ErrorKind::BadCredentials => Failure::BadCredentials,
            // A Duo refusal is known by its code; without one it is just a refusal.
            ErrorKind::Duo | ErrorKind::Server => Failure::ServerError,
            ErrorKind::Cache => Failure::Cache,
            ErrorKind::Internal => Failure::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `DuoPushDisabled` → `DUO_PUSH_DISABLED`.
    fn screaming_snake(camel: &str) -> String {
        let mut out = String::new();
        for (i, c) in camel.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    #[test]
    fn rows_are_consistent() {
        let mut last = 0;
        for &f in Failure::ALL {
            let row = f.info();
            assert_eq!(row.failure, f);
            assert!(f.value() > last, "{f:?}: values ascend and never repeat");
            last = f.value();
            assert_eq!(row.name, screaming_snake(&format!("{f:?}")));
            assert_eq!(row.sqlstate.len(), 5, "{f:?}");
            assert!(!row.doc.trim().is_empty(), "{f:?} is documented");
            assert_eq!(Failure::from_value(f.value()), Some(f));
            let band = f.value() / 100;
            assert!(matches!(band, 1 | 2 | 3 | 4 | 9), "{f:?}: a known band");
            match row.server_code {
                Some(code) => {
                    assert_eq!(band, 3);
                    assert_eq!(code, 390100 + (f.value() - 300), "{f:?}: 3xx = 390100 + xx");
                    assert!(row.server_code_name.is_some() && row.message.is_some());
                    assert_eq!(Failure::from_server_code(code), f);
                }
                None => assert!(row.server_code_name.is_none() && row.message.is_none()),
            }
            assert!(
                !row.shared_by_waiters || row.server_code.is_some(),
                "{f:?}: a shared refusal is recorded by its code"
            );
        }
        assert_eq!(Failure::from_value(0), None);
        assert_eq!(Failure::from_server_code(394508), Failure::ServerError);
    }

    #[test]
    fn of_kind_keeps_the_kind() {
        for &f in Failure::ALL {
            let k = f.kind();
            if !matches!(k, ErrorKind::Duo) {
                assert_eq!(Failure::of_kind(k).kind(), k, "{f:?}");
            }
        }
    }

    #[test]
    fn shared_refusals_are_the_duo_refusals_every_waiter_gets() {
        let shared: Vec<u32> = Failure::ALL
            .iter()
            .filter(|f| f.info().shared_by_waiters)
            .filter_map(|f| f.info().server_code)
            .collect();
        assert_eq!(shared, [390120, 390123, 390126, 390129]);
    }
}
