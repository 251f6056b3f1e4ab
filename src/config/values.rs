//! The parsers of option values: booleans, hosts, ports, seconds, words, the passcode in a password.

use std::time::Duration;

use super::options::{OptionSpec, OptionType};
use crate::error::{Error, ErrorKind};

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn non_empty(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// A value kept exactly as given (a password may start or end with a space); blank means unset.
pub(super) fn exact(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.to_owned())
}

/// The error for a value of option `spec` that does not parse: the option and what it expects, never
/// the value, whatever the option. A password or passcode typed in the wrong place (`login_timeout`,
/// `passcode_in_password=518273`) must not be printed back.
pub(super) fn invalid(spec: &OptionSpec, expected: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "invalid value for option '{}': expected {expected}",
            spec.name
        ),
    )
}

/// The longest option value accepted, in bytes: far above any real value (a path, a password, a
/// host), low enough that no value makes work or messages large.
pub const MAX_VALUE_LEN: usize = 8192;

/// Refuses a value longer than [`MAX_VALUE_LEN`], naming the option and the limit.
pub(super) fn check_len(spec: &OptionSpec, value: &str) -> Result<(), Error> {
    if value.len() > MAX_VALUE_LEN {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "invalid value for option '{}': longer than the limit of {MAX_VALUE_LEN} bytes",
                spec.name
            ),
        ));
    }
    Ok(())
}

/// Checks that a value parses as its option's type, for options whose value sfmfa does not keep.
pub(super) fn check_type(spec: &OptionSpec, value: &str) -> Result<(), Error> {
    match spec.ty {
        OptionType::Bool => parse_opt(spec, value, parse_bool).map(drop),
        OptionType::Port => parse_opt(spec, value, parse_port).map(drop),
        OptionType::Seconds => parse_opt(spec, value, parse_seconds).map(drop),
        OptionType::OneOf(words) => parse_word(spec, value, |v| {
            words.iter().find(|w| w.eq_ignore_ascii_case(v))
        })
        .map(drop),
        OptionType::Text | OptionType::Secret | OptionType::Path => Ok(()),
    }
}

pub(super) fn parse_opt<T>(
    spec: &OptionSpec,
    value: &str,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse(v)
        .map(Some)
        .map_err(|expected| invalid(spec, expected))
}

/// A word of the list of option `spec`, in any case, as `parse` reads it; `None` for a blank value
/// (the option's default).
pub(super) fn parse_word<T>(
    spec: &OptionSpec,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Error> {
    let OptionType::OneOf(words) = spec.ty else {
        return Err(Error::new(ErrorKind::Internal, "option is not a word list"));
    };
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse(v)
        .map(Some)
        .ok_or_else(|| invalid(spec, &format!("one of {}", words.join(", "))))
}

/// `on/off`, `true/false`, `yes/no`, `1/0`, any case.
pub fn parse_bool(v: &str) -> Result<bool, &'static str> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err("on/off, true/false, yes/no or 1/0"),
    }
}

/// A host name or an IP address: no scheme, user, path, query or blank.
pub(super) fn parse_host(v: &str) -> Result<String, &'static str> {
    if v.contains("://") {
        return Err("a host name without a scheme, e.g. xy12345.snowflakecomputing.com");
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "/@?#\\\"'<>{}|^`".contains(c);
    if v.chars().any(bad) {
        return Err("a host name or an IP address, without user, path or query");
    }
    Ok(v.to_ascii_lowercase())
}

pub(super) fn parse_port(v: &str) -> Result<u16, &'static str> {
    match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err("a port number from 1 to 65535"),
    }
}

/// A password followed by a 6-digit passcode, split in two: the rule of `passcode_in_password`
/// (the service splits off the last 6 digits).
pub(super) fn split_passcode(pw: &str) -> Option<(&str, &str)> {
    let at = pw.len().checked_sub(6).filter(|at| *at > 0)?;
    (pw.is_char_boundary(at) && pw.as_bytes()[at..].iter().all(u8::is_ascii_digit))
        .then(|| pw.split_at(at))
}

/// Seconds, 0 included: for `login_timeout`, 0 means no limit, as in JDBC and ODBC.
pub(super) fn parse_seconds(v: &str) -> Result<Duration, &'static str> {
    const EXPECTED: &str = "a number of seconds from 0 (no limit) to 86400";
    let secs: f64 = v.parse().map_err(|_| EXPECTED)?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(EXPECTED);
    }
    Ok(Duration::from_secs_f64(secs))
}
