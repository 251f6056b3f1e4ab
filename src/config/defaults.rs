//! The defaults of the options sfmfa uses, written once: [`Config`](super::Config) starts from them,
//! an empty value goes back to them, and the option table's default column shows them.

use std::time::Duration;

use super::choices::{Authenticator, Protocol, TokenCacheChoice};

/// `protocol`.
pub(super) const PROTOCOL: Protocol = Protocol::Https;
/// `authenticator`.
pub(super) const AUTHENTICATOR: Authenticator = Authenticator::Snowflake;
/// `token_cache`.
pub(super) const TOKEN_CACHE: TokenCacheChoice = TokenCacheChoice::Auto;
/// `passcode_in_password`.
pub(super) const PASSCODE_IN_PASSWORD: bool = false;
/// `client_store_temporary_credential`.
pub(super) const STORE_TEMPORARY_CREDENTIAL: bool = true;

/// `login_timeout` in seconds, as the table shows it; [`LOGIN_TIMEOUT`] is read from it.
pub(super) const LOGIN_TIMEOUT_TEXT: &str = "120";
/// `login_timeout`.
pub(super) const LOGIN_TIMEOUT: Duration = Duration::from_secs(number(LOGIN_TIMEOUT_TEXT));

/// `port` with https, as the table shows it; [`HTTPS_PORT`] is read from it.
pub(super) const HTTPS_PORT_TEXT: &str = "443";
/// `port` with https.
pub(super) const HTTPS_PORT: u16 = port(HTTPS_PORT_TEXT);
/// `port` with http.
pub(super) const HTTP_PORT: u16 = 80;

/// The domain of the default host, `<account>[.<region>].snowflakecomputing.com`.
pub(super) const DOMAIN: &str = "snowflakecomputing.com";
/// `host`, as the table shows it.
pub(super) const HOST_TEXT: &str = "<account>.snowflakecomputing.com";

/// `ssl`, as the table shows it: `on` when the default protocol is https.
pub(super) const SSL_TEXT: &str = match PROTOCOL {
    Protocol::Https => "on",
    Protocol::Http => "off",
};

/// A boolean default as the table shows it.
pub(super) const fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The digits of a default, at compile time (a default that is not a number does not compile).
const fn number(text: &str) -> u64 {
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty(), "a numeric default is empty");
    let mut value = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "a numeric default is not a number"
        );
        value = value * 10 + (bytes[i] - b'0') as u64;
        i += 1;
    }
    value
}

/// A port default, at compile time.
const fn port(text: &str) -> u16 {
    let value = number(text);
    assert!(
        value > 0 && value <= u16::MAX as u64,
        "a port default is out of range"
    );
    value as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_text_names_the_domain() {
        assert_eq!(HOST_TEXT, format!("<account>.{DOMAIN}"));
        assert_eq!(LOGIN_TIMEOUT, Duration::from_secs(120));
        assert_eq!(HTTPS_PORT, 443);
    }
}
