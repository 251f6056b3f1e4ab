//! Errors: what went wrong, Snowflake's server codes with their documented messages, SQLSTATE and hints.
//!
//! No error ever carries a secret: messages are built from option names, codes and server text that
//! the login flow has scrubbed of the request's secrets.

use std::fmt;

mod failure;

pub use failure::{Failure, FailureInfo};

/// One row of the table of login codes Snowflake documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCodeInfo {
    /// The numeric code, e.g. 390120.
    pub code: u32,
    /// The documented name, e.g. `EXT_AUTHN_DENIED`.
    pub name: &'static str,
    /// The documented message, verbatim.
    pub message: &'static str,
    /// The SQLSTATE drivers report with it.
    pub sqlstate: &'static str,
    /// What the user can do about it, where the documents say.
    pub hint: Option<&'static str>,
    /// Whether a login that failed with this code may ever be sent again automatically. It never is
    /// for Duo codes: a retry would send another push or count towards a lockout.
    pub retryable: bool,
}

/// The documented login codes (messages verbatim), in the order of the failure table whose rows
/// they are built from at compile time.
pub const SERVER_CODES: &[ServerCodeInfo] = &SERVER_CODE_ROWS;

/// How many rows of the failure table are Snowflake login codes.
const SERVER_CODE_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < Failure::ALL.len() {
        if Failure::ALL[i].info().server_code.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

const SERVER_CODE_ROWS: [ServerCodeInfo; SERVER_CODE_COUNT] = {
    let mut rows = [ServerCodeInfo {
        code: 0,
        name: "",
        message: "",
        sqlstate: "",
        hint: None,
        retryable: false,
    }; SERVER_CODE_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < Failure::ALL.len() {
        let row = Failure::ALL[i].info();
        if let (Some(code), Some(name), Some(message)) =
            (row.server_code, row.server_code_name, row.message)
        {
            rows[n] = ServerCodeInfo {
                code,
                name,
                message,
                sqlstate: row.sqlstate,
                hint: row.hint,
                // No documented code is ever sent again automatically: a retry of a Duo refusal would
                // send another push or count towards a lockout, and 390100 would fail the same way.
                retryable: false,
            };
            n += 1;
        }
        i += 1;
    }
    rows
};

/// Looks up a documented login code.
pub fn server_code_info(code: u32) -> Option<&'static ServerCodeInfo> {
    SERVER_CODES.iter().find(|info| info.code == code)
}

/// What kind of failure an [`Error`] is. Callers branch on this, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An option name that no table entry or alias knows.
    UnknownOption,
    /// An option value that does not parse or is not allowed.
    InvalidValue,
    /// A required option was not set.
    MissingOption,
    /// The server could not be reached: DNS, refused, unreachable, connect timeout.
    Connect,
    /// TLS failed: certificate not trusted, wrong host name, handshake failure, unreadable `ca_file`.
    Tls,
    /// The server answered with an HTTP status that is not a login answer (after any retries).
    HttpStatus,
    /// The connection broke after the request was sent; the login is not retried (it may have
    /// started a push).
    ConnectionLost,
    /// The answer was not Snowflake's login protocol: malformed JSON, or a success without tokens.
    Protocol,
    /// `login_timeout` passed before the login finished.
    Timeout,
    /// The login was cancelled by the caller.
    Cancelled,
    /// Incorrect user name or password (390100).
    BadCredentials,
    /// The server refused the login with a Duo code (390120–390132); see [`Error::server_code`].
    Duo,
    /// The server refused the login with a code this library does not know specifically.
    Server,
    /// The token cache could not be used: an insecure or foreign-owned cache file or directory, a
    /// lock that could not be taken, an I/O failure. A cache failure never fails a login by itself.
    Cache,
    /// A bug in this library (it is reported, never hidden).
    Internal,
}

/// A failed operation. `Display` gives a message a person can read; no secret is ever in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    failure: Failure,
    message: String,
    server_code: Option<u32>,
    sqlstate: &'static str,
    hint: Option<String>,
    http_status: Option<u16>,
    /// The connection was lost after a request that may have started a Duo push (or after the
    /// push was answered) may have reached the server: the push may be on the phone.
    push_may_be_out: bool,
}

impl Error {
    /// An error of `kind` with a message; its failure is the kind's row ([`Failure::of_kind`]),
    /// whose SQLSTATE it carries.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            failure: Failure::of_kind(kind),
            message: message.into(),
            server_code: None,
            sqlstate: Failure::of_kind(kind).info().sqlstate,
            hint: None,
            http_status: None,
            push_may_be_out: false,
        }
    }

    /// An error of a row of the failure table (e.g. a binding's [`Failure::NullArgument`]) with a
    /// message: its kind and SQLSTATE are the row's. For the server's refusals use
    /// [`Error::from_server`], which also carries the code.
    pub fn from_failure(failure: Failure, message: impl Into<String>) -> Self {
        let row = failure.info();
        Error {
            kind: row.kind,
            failure,
            message: message.into(),
            server_code: None,
            sqlstate: row.sqlstate,
            hint: None,
            http_status: None,
            push_may_be_out: false,
        }
    }

    /// An error the server answered with `success: false`. `server_message` must already be scrubbed
    /// of secrets; its control characters are escaped and its length bounded here. A documented code gets its documented message, SQLSTATE and hint; the server's own
    /// text is kept when it differs, so nothing the server said is lost.
    pub fn from_server(code: u32, server_message: Option<&str>) -> Self {
        let info = server_code_info(code);
        let failure = Failure::from_server_code(code);
        // Control characters escaped and length bounded here, whoever the caller; secrets are the
        // caller's to scrub (it knows them).
        let server_message = server_message
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(crate::server_text::sanitize);
        let server_message = server_message.as_deref();
        let message = match (info, server_message) {
            (Some(info), Some(said)) if said != info.message => {
                format!("{} (server said: {said})", info.message)
            }
            (Some(info), _) => info.message.to_owned(),
            (None, Some(said)) => said.to_owned(),
            (None, None) => format!("login refused by the server with code {code}"),
        };
        Error {
            kind: failure.kind(),
            failure,
            message,
            server_code: Some(code),
            sqlstate: failure.info().sqlstate,
            hint: failure.info().hint.map(str::to_owned),
            http_status: None,
            push_may_be_out: false,
        }
    }

    /// Adds a hint (what the user can do).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds where it happened to the message ("… (at step 3 of the multi-step login: …)").
    pub(crate) fn with_context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{} ({context})", self.message);
        self
    }

    /// True when the server refused the credentials themselves (390100): a cached token sent with
    /// them is not what failed, so it is kept.
    pub(crate) fn is_credentials_refusal(&self) -> bool {
        self.kind == ErrorKind::BadCredentials
    }

    /// Marks an error of a request that may have reached the server after this login's Duo push
    /// may have gone out (see [`Error::push_may_be_out`]).
    pub(crate) fn with_push_may_be_out(mut self) -> Self {
        self.push_may_be_out = true;
        self
    }

    /// True when the login failed after its Duo push may have gone out (the request that may start
    /// it, or a later step, may have reached the server before the connection was lost): the
    /// prompt lock's waiters then fail too instead of sending a second push.
    pub(crate) fn push_may_be_out(&self) -> bool {
        self.push_may_be_out
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// What kind of failure this is (the coarse category).
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Which row of the failure table this error is: its stable result value and name in every
    /// binding, its SQLSTATE, and whether the prompt lock's waiters share it.
    pub fn failure(&self) -> Failure {
        self.failure
    }

    /// The message, without secrets.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Snowflake's code (e.g. 390120) when the server refused the login.
    pub fn server_code(&self) -> Option<u32> {
        self.server_code
    }

    /// The documented name of the server code, e.g. `EXT_AUTHN_DENIED`.
    pub fn server_code_name(&self) -> Option<&'static str> {
        self.server_code.and_then(server_code_info).map(|i| i.name)
    }

    /// The SQLSTATE drivers report for this error.
    pub fn sqlstate(&self) -> &'static str {
        self.sqlstate
    }

    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The HTTP status of the last answer, for [`ErrorKind::HttpStatus`].
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// True for a Duo refusal that must never be retried automatically (denied, locked, timeout…).
    pub fn is_duo_failure(&self) -> bool {
        self.kind == ErrorKind::Duo
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.server_code {
            Some(code) => write!(f, "{code} ({}): {}", self.sqlstate, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_duo_code_has_its_row() {
        for code in [
            390100, 390120, 390121, 390122, 390123, 390124, 390125, 390126, 390127, 390128, 390129,
            390132,
        ] {
            let info = server_code_info(code).expect("documented code");
            assert_eq!(info.code, code);
            assert!(!info.retryable);
        }
        assert!(server_code_info(390130).is_none());
    }

    #[test]
    fn server_errors_carry_documented_fields() {
        let e = Error::from_server(390126, None);
        assert_eq!(e.kind(), ErrorKind::Duo);
        assert_eq!(e.sqlstate(), "08001");
        assert!(e.hint().unwrap_or_default().contains("passcode"));
        assert_eq!(e.server_code_name(), Some("EXT_AUTHN_TIMEOUT"));
        assert!(
            e.to_string()
                .starts_with("390126 (08001): Timed out waiting")
        );

        let e = Error::from_server(
            390100,
            Some("Incorrect username or password was specified."),
        );
        assert_eq!(e.kind(), ErrorKind::BadCredentials);
        assert_eq!(e.sqlstate(), "28000");
        assert_eq!(e.message(), "Incorrect username or password was specified.");

        let e = Error::from_server(390132, None);
        assert!(e.hint().unwrap_or_default().contains("passcode"));
    }

    #[test]
    fn every_error_has_its_row() {
        for info in SERVER_CODES {
            let e = Error::from_server(info.code, None);
            let f = e.failure();
            assert_eq!(f.info().server_code, Some(info.code));
            assert_eq!(e.kind(), f.kind());
            assert_eq!(e.sqlstate(), f.info().sqlstate);
            assert_eq!(e.message(), info.message);
        }
        assert_eq!(SERVER_CODES.len(), 12);
        let e = Error::from_server(394508, None);
        assert_eq!(
            (e.failure(), e.kind(), e.sqlstate()),
            (Failure::ServerError, ErrorKind::Server, "08001")
        );
        let e = Error::new(ErrorKind::Timeout, "late");
        assert_eq!((e.failure(), e.sqlstate()), (Failure::Timeout, "HYT00"));
        let e = Error::from_failure(Failure::NullArgument, "argument 'cfg' is NULL");
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert_eq!(e.sqlstate(), "22023");
    }

    #[test]
    fn server_text_that_differs_is_kept() {
        let e = Error::from_server(
            390126,
            Some("Timed out while waiting for your approval via Duo Mobile."),
        );
        assert!(e.message().contains("server said: Timed out while waiting"));
        let e = Error::from_server(394508, Some("MFA with TOTP is required."));
        assert_eq!(e.kind(), ErrorKind::Server);
        assert_eq!(e.message(), "MFA with TOTP is required.");
    }
}
