//! What `sfmfa login` reports once it is done: the lines of the text output, and the one JSON
//! object of `--format json` (its fields are documented in the README's CLI section and in
//! `sfmfa login --help`; cli/tests/login.rs parses them back).

use clap::ValueEnum;
use serde::Serialize;
use sfmfa::cache::{CacheReport, CacheStatus};

use crate::exit::{self, CliError};
use crate::store_names;

/// The output format of `sfmfa login`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for a person.
    Text,
    /// One JSON object on stdout.
    Json,
}

/// The help of `--format`, with the JSON fields (the README has the same as a table).
pub const JSON_FIELDS: &str = "\
What to print on stdout once done: text, or json: one object (the progress lines stay on stderr
either way). Its fields:
    ok              true when the login and the logout succeeded
    session_id      the session's id (null when the login failed)
    second_factor   push, passcode, passcode_in_password, mfa_token or push_or_none
    elapsed_ms      milliseconds the login took (null when it did not start)
    cache.status    hit, stored, not_issued, disabled, wrong_authenticator, unavailable, write_failed
    cache.store     the store used: file, secret-service, keyutils, keychain, credential-manager
    cache.evicted   a cached token the server refused was removed before the Duo prompt
    cache.detail    what the cache did and why, in words
    logged_out      whether the session was closed
    error           null on success; else exit_code (as in text mode), kind (usage, credentials,
                    duo, server, network, tls, timeout, cache, cancelled, other), failure (sfmfa's
                    failure name, e.g. BAD_CREDENTIALS), code (Snowflake's, e.g. 390100), sqlstate,
                    message, hint (null when unknown)";

/// The JSON object of `sfmfa login --format json`. Every field is always present (null when it
/// does not apply), so that a script can read any of them without checking.
#[derive(Serialize, Default)]
pub struct LoginReport {
    /// True when the login and the logout succeeded.
    pub ok: bool,
    /// The session's id.
    pub session_id: Option<i64>,
    /// The second factor that let the user in (`SecondFactor::name`).
    pub second_factor: Option<&'static str>,
    /// Milliseconds the login took.
    pub elapsed_ms: Option<u64>,
    /// What the token cache did.
    pub cache: Option<CacheJson>,
    /// Whether the session was closed.
    pub logged_out: bool,
    /// Why it failed.
    pub error: Option<ErrorJson>,
}

/// `cache` of [`LoginReport`].
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct CacheJson {
    /// A stable name of [`CacheStatus`].
    pub status: &'static str,
    /// The store's short name (`file`, `secret-service`, …), when one was used.
    pub store: Option<&'static str>,
    /// A cached token the server no longer accepted was removed before the Duo prompt.
    pub evicted: bool,
    /// The same words as the text output's.
    pub detail: String,
}

/// `error` of [`LoginReport`].
#[derive(Serialize, Debug, Clone)]
pub struct ErrorJson {
    /// The exit code, the same as in text mode.
    pub exit_code: u8,
    /// The exit code's class (`usage`, `credentials`, …).
    pub kind: &'static str,
    /// sfmfa's failure name (`BAD_CREDENTIALS`, `DUO_DENIED`, …), when the library failed.
    pub failure: Option<&'static str>,
    /// Snowflake's login code, when the server refused the login.
    pub code: Option<u32>,
    /// The SQLSTATE drivers report, when the library failed.
    pub sqlstate: Option<&'static str>,
    /// What went wrong (never a secret).
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

impl ErrorJson {
    /// A failure of the library: all it knows.
    pub fn from_error(e: &sfmfa::Error) -> Self {
        let exit_code = exit::code_of(e);
        ErrorJson {
            exit_code,
            kind: class_name(exit_code),
            failure: Some(e.failure().name()),
            code: e.server_code(),
            sqlstate: Some(e.sqlstate()),
            message: e.message().to_owned(),
            hint: e.hint().map(str::to_owned),
        }
    }

    /// A failure of the command itself (bad usage, no terminal to prompt on…).
    pub fn from_cli(e: &CliError) -> Self {
        ErrorJson {
            exit_code: e.code,
            kind: class_name(e.code),
            failure: None,
            code: None,
            sqlstate: None,
            message: e.message.clone(),
            hint: None,
        }
    }
}

/// The class of an exit code (`cli/src/exit.rs`), as `error.kind` names it.
pub fn class_name(code: u8) -> &'static str {
    match code {
        exit::USAGE => "usage",
        exit::CREDENTIALS => "credentials",
        exit::DUO => "duo",
        exit::SERVER => "server",
        exit::NETWORK => "network",
        exit::TLS => "tls",
        exit::TIMEOUT => "timeout",
        exit::CACHE => "cache",
        exit::CANCELLED => "cancelled",
        _ => "other",
    }
}

/// A stable name of a cache status, for `cache.status`.
pub fn status_name(status: CacheStatus) -> &'static str {
    match status {
        CacheStatus::Hit => "hit",
        CacheStatus::Stored => "stored",
        CacheStatus::NotIssued => "not_issued",
        CacheStatus::Disabled => "disabled",
        CacheStatus::WrongAuthenticator => "wrong_authenticator",
        CacheStatus::Unavailable => "unavailable",
        CacheStatus::WriteFailed => "write_failed",
    }
}

/// What the token cache did, in words: "MFA token stored in the Secret Service", "used the MFA
/// token cached in the file …", "not cached: caching is off (token_cache=none)".
pub fn cache_words(report: &CacheReport) -> String {
    let store = report.backend.map(store_names::describe);
    let store = store.as_deref().unwrap_or("the token cache");
    let words = match report.status {
        CacheStatus::Hit => format!("used the MFA token cached in {store}, no Duo prompt"),
        CacheStatus::Stored => format!("MFA token stored in {store}"),
        CacheStatus::NotIssued => "not cached: the server issued no MFA token \
             (ALLOW_CLIENT_MFA_CACHING is off for this account or user)"
            .to_owned(),
        // The library's reasons: "caching is off (token_cache=none)", "MFA tokens are cached
        // only with authenticator=username_password_mfa", "… unavailable: …", "… not stored …".
        CacheStatus::Disabled
        | CacheStatus::WrongAuthenticator
        | CacheStatus::Unavailable
        | CacheStatus::WriteFailed => format!("not cached: {}", report.detail),
    };
    if report.evicted {
        format!("{words} (a cached MFA token the server no longer accepted was removed first)")
    } else {
        words
    }
}

/// `cache` of the JSON object.
pub fn cache_json(report: &CacheReport) -> CacheJson {
    CacheJson {
        status: status_name(report.status),
        store: report.backend,
        evicted: report.evicted,
        detail: cache_words(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: CacheStatus, backend: Option<&'static str>, detail: &str) -> CacheReport {
        CacheReport {
            status,
            backend,
            evicted: false,
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn cache_statuses_in_words() {
        assert_eq!(
            cache_words(&report(
                CacheStatus::Stored,
                Some("secret-service"),
                "MFA token stored in secret-service"
            )),
            "MFA token stored in the Secret Service"
        );
        assert_eq!(
            cache_words(&report(
                CacheStatus::Disabled,
                None,
                "caching is off (token_cache=none)"
            )),
            "not cached: caching is off (token_cache=none)"
        );
        assert!(
            cache_words(&report(CacheStatus::NotIssued, Some("file"), ""))
                .contains("ALLOW_CLIENT_MFA_CACHING is off for this account or user")
        );
        let mut hit = report(CacheStatus::Hit, Some("keyutils"), "");
        hit.evicted = true;
        assert_eq!(
            cache_words(&hit),
            "used the MFA token cached in the kernel keyutils keyring, no Duo prompt \
             (a cached MFA token the server no longer accepted was removed first)"
        );
    }

    #[test]
    fn every_exit_code_has_a_class_in_the_help() {
        for code in [
            exit::OTHER,
            exit::USAGE,
            exit::CREDENTIALS,
            exit::DUO,
            exit::SERVER,
            exit::NETWORK,
            exit::TLS,
            exit::TIMEOUT,
            exit::CACHE,
            exit::CANCELLED,
        ] {
            assert!(JSON_FIELDS.contains(class_name(code)), "{code}");
        }
    }
}
