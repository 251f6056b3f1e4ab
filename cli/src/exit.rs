//! Exit codes of `sfmfa`: one per failure class, derived from sfmfa's failure table
//! (`sfmfa::Error::kind`), so that a script can tell a wrong password from a denied push, a network
//! problem, a timeout or a Ctrl-C.

use std::fmt;

use sfmfa::ErrorKind;

/// Any other failure: a bug in sfmfa, or a failed logout after a login.
pub const OTHER: u8 = 1;
/// Bad usage: a flag or an option value, a missing account, user or password, no terminal to
/// prompt on (clap's own usage errors exit 2 too).
pub const USAGE: u8 = 2;
/// The server refused the user name or password (390100).
pub const CREDENTIALS: u8 = 3;
/// The server refused the second factor: a Duo code 390120–390132 (push denied or timed out,
/// wrong passcode, not enrolled, locked out…).
pub const DUO: u8 = 4;
/// The server refused the login with another code.
pub const SERVER: u8 = 5;
/// Network: the server could not be reached, the connection broke, an HTTP status or an answer
/// that is not Snowflake's login protocol.
pub const NETWORK: u8 = 6;
/// TLS: untrusted certificate, wrong host name, handshake failure.
pub const TLS: u8 = 7;
/// `login_timeout` passed.
pub const TIMEOUT: u8 = 8;
/// The token cache could not be used.
pub const CACHE: u8 = 9;
/// Cancelled (Ctrl-C), as a shell reports SIGINT: 128 + 2.
pub const CANCELLED: u8 = 130;

/// The table shown at the end of `sfmfa --help` (and in the README's CLI section).
pub const TABLE: &str = "\
Exit codes:
    0    success
    1    other failure (a bug in sfmfa, a failed logout)
    2    bad usage: flags, option values, a missing account/user/password, no terminal to prompt on
    3    refused by the server: incorrect user name or password (390100)
    4    refused by the server: Duo second factor (390120-390132: denied, timed out, wrong passcode, ...)
    5    refused by the server: any other login code
    6    network: not reachable, connection lost, HTTP status, not Snowflake's protocol
    7    TLS: certificate, host name, handshake
    8    timeout: login_timeout passed
    9    the token cache could not be used (sfmfa cache; a login goes on without it)
    130  cancelled (Ctrl-C)";

/// The exit code of a failed login.
pub fn code_of(error: &sfmfa::Error) -> u8 {
    match error.kind() {
        ErrorKind::UnknownOption | ErrorKind::InvalidValue | ErrorKind::MissingOption => USAGE,
        ErrorKind::BadCredentials => CREDENTIALS,
        ErrorKind::Duo => DUO,
        ErrorKind::Server => SERVER,
        ErrorKind::Connect
        | ErrorKind::HttpStatus
        | ErrorKind::ConnectionLost
        | ErrorKind::Protocol => NETWORK,
        ErrorKind::Tls => TLS,
        ErrorKind::Timeout => TIMEOUT,
        ErrorKind::Cache => CACHE,
        ErrorKind::Cancelled => CANCELLED,
        ErrorKind::Internal => OTHER,
        // ErrorKind is non-exhaustive: a kind added later is "other" until it has a class.
        #[allow(unreachable_patterns)]
        _ => OTHER,
    }
}

/// A failure of a subcommand: the message for stderr and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code (one of the constants of this module).
    pub code: u8,
    /// What went wrong, for a person; never a secret.
    pub message: String,
}

impl CliError {
    /// A failure of class `code`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }

    /// Bad usage (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(USAGE, message)
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError::new(OTHER, message)
    }
}

impl From<sfmfa::Error> for CliError {
    fn from(e: sfmfa::Error) -> Self {
        let message = match e.hint() {
            Some(hint) => format!("{e}\n  hint: {hint}"),
            None => e.to_string(),
        };
        CliError::new(code_of(&e), message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfmfa::error::Failure;

    /// Every row of the failure table has an exit code, and each code is in the help's table.
    #[test]
    fn every_failure_has_a_documented_code() {
        for failure in Failure::ALL {
            let e = sfmfa::Error::from_failure(*failure, "x");
            let code = code_of(&e);
            assert!(
                TABLE.contains(&format!("\n    {code:<4} ")),
                "{failure:?} -> {code} is not in the table"
            );
        }
        assert_eq!(
            code_of(&sfmfa::Error::from_failure(Failure::DuoDenied, "x")),
            DUO
        );
        assert_eq!(
            code_of(&sfmfa::Error::from_failure(Failure::Cancelled, "x")),
            CANCELLED
        );
    }
}
