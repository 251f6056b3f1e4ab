//! Connection strings → [`Config`]: JDBC URLs (`jdbc:snowflake://host[:port]/?key=value&…`) and ODBC
//! connection strings (`key=value;…`).
//!
//! Both parsers only split the text; every key goes through [`Config::set`], so names, aliases and
//! types are those of the one option table in [`crate::config`].
//!
//! # JDBC URL
//!
//! As snowflake-jdbc's `SnowflakeConnectString` reads it: the prefix `jdbc:snowflake://` (any case),
//! optionally `http://` or `https://`, the host (a name, an IPv4 address or a bracketed IPv6 address),
//! an optional `:port`, an optional `/`, then `?` and `key=value` pairs separated by `&`. Keys and values
//! are percent-decoded like `java.net.URLDecoder` does (`+` is a space; an invalid `%` escape is an
//! error). Keys are case-insensitive. A pair without `=` or without a key is ignored with a warning;
//! empty pairs (`&&`) are skipped; an empty value unsets the option. `#` has no special meaning (it is
//! part of a value, never the start of a fragment that would cut a password short). Without an
//! `account` key, the account is the host's first label (`xy12345` of `xy12345.snowflakecomputing.com`;
//! for a `…global.snowflakecomputing.com` host, the part before its last `-`), as the JDBC driver does;
//! the host stays the host.
//!
//! # ODBC connection string
//!
//! As `SQLDriverConnect` reads it: `key=value` pairs separated by `;`, keys case-insensitive, blanks
//! around keys and around unbraced values dropped, a trailing `;` allowed. A value that starts with `{`
//! runs to the matching `}` and may hold `;`, `=` and blanks; `}}` inside it is one `}`; only blanks
//! may follow the closing `}` before the next `;`. `Server`, `UID`, `PWD` and the rest are the table's
//! names. DSN-less: `DSN=`/`FILEDSN=` are accepted with a warning, because sfmfa reads no `odbc.ini`.
//! The account is derived from `Server` as for JDBC.
//!
//! # Rules common to both
//!
//! - Unknown keys are never fatal: each is recorded as a [`ConfigWarning`] with its byte position and
//!   the nearest known name. A key that follows the value of a secret option (`PWD`, `password`,
//!   `passcode`, …) may be the rest of a secret that contains `;` or `&`: its name is not shown; nor
//!   is one that does not look like an option name (1 to 64 ASCII letters, `_`, `-`, `.`), which could
//!   be a password typed as a key. At most [`MAX_WARNINGS`](crate::config::MAX_WARNINGS) warnings are
//!   kept, then one that counts the others.
//! - A string longer than [`MAX_CONNECTION_STRING_LEN`] (64 KiB) is refused before it is read.
//! - An option given twice with different values: the JDBC rule for a JDBC URL (the last one is
//!   used), the ODBC rule for an ODBC string (the first one is used, as `SQLDriverConnect` specifies),
//!   so a string means what it means to the official driver; a warning names both keys and positions.
//! - Errors name the key (as warnings do) and its byte position (0-based, in the string as given),
//!   never a value, of any option.

use zeroize::Zeroizing;

use crate::config::{
    Config, ConfigWarning, Kept, OptionId, OptionSpec, OptionType, WarningKind, find_option,
    nearest_option, parse_bool, printable, shows_name,
};
use crate::error::{Error, ErrorKind};

/// The two connection-string formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `jdbc:snowflake://host[:port]/?key=value&…`
    Jdbc,
    /// `key=value;key={value};…`
    Odbc,
}

const JDBC_PREFIX: &str = "jdbc:snowflake://";

/// The longest connection string accepted, in bytes (64 KiB): a real JDBC URL or ODBC string is well
/// under 2 KiB, and the limit bounds the work and the warnings a string can cause.
pub const MAX_CONNECTION_STRING_LEN: usize = 64 * 1024;

impl Format {
    /// Which format `s` is in: a JDBC URL when it starts with `jdbc:` (any case, blanks before it
    /// allowed), an ODBC string when its first part is a key (it holds no `://` or `@` before the first
    /// `=` or `;`). Fails, without showing the text, for anything else (another URL, a DSN such as
    /// `user:password@account`).
    pub fn detect(s: &str) -> Result<Format, Error> {
        let t = s.trim_start();
        if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("jdbc:")) {
            return Ok(Format::Jdbc);
        }
        let first = t.split(['=', ';']).next().unwrap_or_default();
        if first.contains("://") || first.contains('@') {
            return Err(syntax(
                "the connection string is neither a JDBC URL (jdbc:snowflake://host/?key=value&…) nor an ODBC string (key=value;…)",
            ));
        }
        Ok(Format::Odbc)
    }

    /// How a value holding this format's separator is written.
    fn quoting_hint(self) -> &'static str {
        match self {
            Format::Jdbc => "percent-encode '&' as %26 and '+' as %2B in a value",
            Format::Odbc => "write a value holding ';' in braces, {like;this}, with '}' doubled",
        }
    }

    fn kept(self) -> Kept {
        match self {
            Format::Jdbc => Kept::Last,
            Format::Odbc => Kept::First,
        }
    }
}

impl Config {
    /// A configuration from a JDBC URL or an ODBC connection string (detected by [`Format::detect`]),
    /// with every other option at its default. See the [module documentation](crate::connstr) for the
    /// rules. Unknown keys and options sfmfa does not honour are in [`Config::warnings`].
    pub fn from_connection_string(s: &str) -> Result<Config, Error> {
        let mut config = Config::new();
        apply(&mut config, s, Format::detect(s)?)?;
        Ok(config)
    }

    /// Sets the options of a JDBC URL or an ODBC connection string on this configuration, over what
    /// it holds (a tool that layers a profile below the command line: the profile first, then the
    /// string). On error the configuration may hold some of the string's options: drop it.
    pub fn apply_connection_string(&mut self, s: &str) -> Result<&mut Self, Error> {
        apply(self, s, Format::detect(s)?)?;
        Ok(self)
    }

    /// A configuration from a JDBC URL, `jdbc:snowflake://host[:port]/?key=value&…`.
    pub fn from_jdbc_url(s: &str) -> Result<Config, Error> {
        let mut config = Config::new();
        apply(&mut config, s, Format::Jdbc)?;
        Ok(config)
    }

    /// A configuration from an ODBC connection string, `key=value;key={value};…`.
    pub fn from_odbc_connection_string(s: &str) -> Result<Config, Error> {
        let mut config = Config::new();
        apply(&mut config, s, Format::Odbc)?;
        Ok(config)
    }
}

/// Sets the options of `s` on `config`. On error `config` may hold some of them: callers start from a
/// fresh configuration and drop it on error.
pub(crate) fn apply(config: &mut Config, s: &str, format: Format) -> Result<(), Error> {
    if s.len() > MAX_CONNECTION_STRING_LEN {
        return Err(syntax(format!(
            "connection string: {} bytes, longer than the limit of {MAX_CONNECTION_STRING_LEN} bytes (a real one is a few hundred)",
            s.len()
        )));
    }
    let mut pairs = Pairs {
        config,
        format,
        seen: Vec::new(),
        after_secret: None,
    };
    match format {
        Format::Jdbc => jdbc(&mut pairs, s)?,
        Format::Odbc => odbc(&mut pairs, s)?,
    }
    derive_account(pairs.config)
}

fn syntax(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, message)
}

/// A key of the string for a message: `key 'UID'` for a known option's key or an unknown one that
/// looks like a name ([`shows_name`]) and does not follow a secret's value, otherwise `a key of N
/// characters` (it could be a secret: a password typed as a key, or the rest of one after an
/// unquoted `;` or `&`).
fn key_text(key: &str, after_secret: bool) -> String {
    if find_option(key).is_some() || (!after_secret && shows_name(key)) {
        format!("key '{}'", printable(key.trim()))
    } else {
        format!("a key of {} characters", key.trim().chars().count())
    }
}

/// An error of [`Config::set`] for a key of the string: the key and its position first.
fn at_key(e: Error, key: &str, position: usize) -> Error {
    let out = Error::new(
        e.kind(),
        format!(
            "connection string: {} at byte {position}: {}",
            key_text(key, false),
            e.message()
        ),
    );
    match e.hint() {
        Some(hint) => out.with_hint(hint),
        None => out,
    }
}

/// One occurrence of an option, to find repeats.
struct Seen {
    option: &'static str,
    key: String,
    position: usize,
    /// The value in a form where equal meanings compare equal; may be a secret, never shown.
    value: Zeroizing<String>,
}

/// The pairs of one string, applied in order.
struct Pairs<'c> {
    config: &'c mut Config,
    format: Format,
    seen: Vec<Seen>,
    /// The key of the previous pair when it was a secret option.
    after_secret: Option<String>,
}

impl Pairs<'_> {
    fn warn(&mut self, kind: WarningKind, key: Option<&str>, position: usize) {
        self.config
            .push_warning(ConfigWarning::new(kind, key, Some(position)));
    }

    /// `key=value`, the key at byte `position`.
    fn pair(&mut self, key: &str, position: usize, value: &str) -> Result<(), Error> {
        let Some(spec) = find_option(key) else {
            // The nearest name costs a comparison with every name of the table: only for a warning
            // that is kept (a string may hold thousands of unknown keys).
            let nearest = || {
                self.config
                    .keeps_warnings()
                    .then(|| nearest_option(key).map(|s| s.name))
                    .flatten()
            };
            let (kind, shown) = match self.after_secret.take() {
                Some(secret_key) => (
                    WarningKind::UnknownKeyAfterSecret {
                        secret_key,
                        hint: self.format.quoting_hint(),
                    },
                    None,
                ),
                None if shows_name(key) => {
                    (WarningKind::UnknownKey { nearest: nearest() }, Some(key))
                }
                None => (
                    WarningKind::UnknownKeyNotShown {
                        chars: key.chars().count(),
                        nearest: nearest(),
                    },
                    None,
                ),
            };
            self.warn(kind, shown, position);
            return Ok(());
        };
        self.after_secret = spec.is_secret().then(|| printable(key));
        let value_form = comparable(spec, value);
        if let Some(i) = self.seen.iter().position(|s| s.option == spec.name) {
            let kept = self.format.kept();
            if self.seen[i].value != value_form {
                let (other_key, other_position) = (self.seen[i].key.clone(), self.seen[i].position);
                self.warn(
                    WarningKind::Duplicate {
                        option: spec.name,
                        other_key,
                        other_position: Some(other_position),
                        kept,
                    },
                    Some(key),
                    position,
                );
            }
            if kept == Kept::First {
                return Ok(());
            }
            self.seen.remove(i);
        }
        self.config
            .set_at(key, value, Some(position))
            .map_err(|e| at_key(e, key, position))?;
        self.seen.push(Seen {
            option: spec.name,
            key: printable(key),
            position,
            value: value_form,
        });
        Ok(())
    }
}

/// The value in the form two occurrences are compared in: booleans and words by meaning, text trimmed,
/// secrets exactly.
fn comparable(spec: &OptionSpec, value: &str) -> Zeroizing<String> {
    let v = value.trim();
    Zeroizing::new(match spec.ty {
        OptionType::Secret => value.to_owned(),
        OptionType::Bool => match parse_bool(v) {
            Ok(b) => b.to_string(),
            Err(_) => v.to_owned(),
        },
        OptionType::OneOf(_) => v.to_ascii_lowercase(),
        _ => v.to_owned(),
    })
}

/// Without an `account`, the first label of a named host, as the JDBC driver derives it.
fn derive_account(config: &mut Config) -> Result<(), Error> {
    if config.account().is_some() {
        return Ok(());
    }
    let Some(host) = config.host_option() else {
        return Ok(());
    };
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let Some((first, _)) = host.split_once('.') else {
        return Ok(());
    };
    let account = match first.rfind('-') {
        Some(dash) if host.contains(".global.") => &first[..dash],
        _ => first,
    };
    if account.is_empty() {
        return Ok(());
    }
    let account = account.to_owned();
    config.set_option(OptionId::Account, &account)
}

// ---------------------------------------------------------------------------------------------------
// JDBC

/// Why a percent-encoded text could not be decoded.
enum DecodeError {
    /// A `%` not followed by two hex digits, at this byte of the text.
    BadEscape(usize),
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

/// `java.net.URLDecoder`: `+` is a space, `%XX` a byte, the bytes UTF-8.
fn url_decode(raw: &str) -> Result<String, DecodeError> {
    let bytes = raw.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(DecodeError::BadEscape(i));
        }
    }
    let plus_as_space = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| DecodeError::NotUtf8)
}

fn jdbc(pairs: &mut Pairs<'_>, s: &str) -> Result<(), Error> {
    let end = s.trim_end().len();
    let start = s.len() - s.trim_start().len();
    let has_prefix = s
        .get(start..start + JDBC_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(JDBC_PREFIX));
    if !has_prefix || start + JDBC_PREFIX.len() > end {
        return Err(syntax(format!(
            "connection string: a Snowflake JDBC URL starts with '{JDBC_PREFIX}' (byte {start})"
        )));
    }
    let mut pos = start + JDBC_PREFIX.len();
    for (scheme, protocol) in [("https://", "https"), ("http://", "http")] {
        if s.get(pos..pos + scheme.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        {
            pairs.pair("protocol", pos, protocol)?;
            pos += scheme.len();
            break;
        }
    }

    // host[:port]
    let authority_end = s[pos..end].find(['/', '?']).map_or(end, |o| pos + o);
    let authority = &s[pos..authority_end];
    let (host, host_pos, port) = split_authority(authority, pos)?;
    pairs.pair("host", host_pos, host)?;
    if let Some((port, port_pos)) = port {
        if port.is_empty() {
            return Err(syntax(format!(
                "connection string: empty port after ':' at byte {}",
                port_pos - 1
            )));
        }
        pairs.pair("port", port_pos, port)?;
    }

    // [/][?query]
    let mut rest = authority_end;
    if s[rest..end].starts_with('/') {
        let path_end = s[rest..end].find('?').map_or(end, |o| rest + o);
        if path_end > rest + 1 {
            let mut message = format!(
                "connection string: unexpected path at byte {rest}: a JDBC URL has only '/' between the host and the '?' of its parameters"
            );
            if s[rest..path_end].contains('=') {
                message.push_str(" (is the '?' missing?)");
            }
            return Err(syntax(message));
        }
        rest = path_end;
    }
    if rest < end {
        // s[rest] is '?'
        jdbc_query(pairs, s, rest + 1, end)?;
    }
    Ok(())
}

/// A piece of the string and its byte offset.
type Located<'a> = (&'a str, usize);

/// Splits `host[:port]` (IPv6 in brackets) starting at byte `base`: host, its position, and the port
/// with its position.
fn split_authority(
    authority: &str,
    base: usize,
) -> Result<(&str, usize, Option<Located<'_>>), Error> {
    // `user:password@host` is no JDBC form, and its pieces must not reach a message.
    if authority.contains('@') {
        return Err(syntax(format!(
            "connection string: '@' in the host part at byte {base}: a JDBC URL takes no user or password before the host (use ?user=…&password=…)"
        )));
    }
    let (host, host_pos, after) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner.find(']').ok_or_else(|| {
            syntax(format!(
                "connection string: the IPv6 address opened with '[' at byte {base} is not closed by ']'"
            ))
        })?;
        (&inner[..close], base + 1, close + 2)
    } else {
        let host_end = authority.find(':').unwrap_or(authority.len());
        (&authority[..host_end], base, host_end)
    };
    if host.is_empty() {
        return Err(syntax(format!(
            "connection string: no host at byte {base} (jdbc:snowflake://<host>[:<port>]/?…)"
        )));
    }
    let tail = &authority[after.min(authority.len())..];
    let port = match tail.strip_prefix(':') {
        Some(port) => Some((port, base + after + 1)),
        None if tail.is_empty() => None,
        None => {
            return Err(syntax(format!(
                "connection string: unexpected text after the host at byte {}",
                base + after
            )));
        }
    };
    Ok((host, host_pos, port))
}

/// The `key=value&…` of a JDBC URL, in `s[from..to]`.
fn jdbc_query(pairs: &mut Pairs<'_>, s: &str, from: usize, to: usize) -> Result<(), Error> {
    let mut pos = from;
    for part in s[from..to].split('&') {
        let part_pos = pos;
        pos += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let Some((raw_key, raw_value)) = part.split_once('=') else {
            pairs.warn(WarningKind::NoEquals, None, part_pos);
            continue;
        };
        if raw_key.is_empty() {
            pairs.warn(WarningKind::EmptyKey, None, part_pos);
            continue;
        }
        let key = match url_decode(raw_key) {
            Ok(key) => key,
            Err(DecodeError::BadEscape(i)) => {
                return Err(syntax(format!(
                    "connection string: invalid percent-encoding in the key at byte {part_pos} (a '%' at byte {} is not followed by two hex digits)",
                    part_pos + i
                )));
            }
            Err(DecodeError::NotUtf8) => {
                return Err(syntax(format!(
                    "connection string: the key at byte {part_pos} is not UTF-8 once percent-decoded"
                )));
            }
        };
        let value_pos = part_pos + raw_key.len() + 1;
        let value = match url_decode(raw_value) {
            Ok(value) => Zeroizing::new(value),
            Err(DecodeError::BadEscape(i)) => {
                return Err(syntax(format!(
                    "connection string: {} at byte {part_pos}: invalid percent-encoding in its value (a '%' at byte {} is not followed by two hex digits)",
                    key_text(&key, pairs.after_secret.is_some()),
                    value_pos + i
                )));
            }
            Err(DecodeError::NotUtf8) => {
                return Err(syntax(format!(
                    "connection string: {} at byte {part_pos}: its value is not UTF-8 once percent-decoded",
                    key_text(&key, pairs.after_secret.is_some())
                )));
            }
        };
        pairs.pair(&key, part_pos, &value)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// ODBC

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn odbc(pairs: &mut Pairs<'_>, s: &str) -> Result<(), Error> {
    let bytes = s.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let key_end = s[i..].find(['=', ';']).map_or(len, |o| i + o);
        let raw_key = &s[i..key_end];
        let key = raw_key.trim();
        let key_pos = i + (raw_key.len() - raw_key.trim_start().len());
        if key_end == len || bytes[key_end] == b';' {
            if !key.is_empty() {
                pairs.warn(WarningKind::NoEquals, None, key_pos);
            }
            i = key_end + 1;
            continue;
        }
        // The value, after '='.
        let mut j = key_end + 1;
        while j < len && is_blank(bytes[j]) {
            j += 1;
        }
        let (value, next) = if j < len && bytes[j] == b'{' {
            let shown_key = key_text(key, pairs.after_secret.is_some());
            braced_value(s, &shown_key, key_pos, j)?
        } else {
            let value_end = s[j..].find(';').map_or(len, |o| j + o);
            (
                Zeroizing::new(s[j..value_end].trim().to_owned()),
                value_end + 1,
            )
        };
        if key.is_empty() {
            pairs.warn(WarningKind::EmptyKey, None, key_end);
        } else {
            pairs.pair(key, key_pos, &value)?;
        }
        i = next;
    }
    Ok(())
}

/// The value in braces that opens at byte `open`: its text (`}}` unescaped) and where the next pair
/// starts. `key` is the key as errors name it ([`key_text`]).
fn braced_value(
    s: &str,
    key: &str,
    key_pos: usize,
    open: usize,
) -> Result<(Zeroizing<String>, usize), Error> {
    let bytes = s.as_bytes();
    let mut value = Zeroizing::new(String::new());
    let mut j = open + 1;
    loop {
        let Some(close) = s[j..].find('}').map(|o| j + o) else {
            return Err(syntax(format!(
                "connection string: {} at byte {key_pos}: the value opened with '{{' at byte {open} is not closed by '}}'",
                key
            )));
        };
        value.push_str(&s[j..close]);
        if bytes.get(close + 1) == Some(&b'}') {
            value.push('}');
            j = close + 2;
        } else {
            j = close + 1;
            break;
        }
    }
    let after = j;
    while j < bytes.len() && is_blank(bytes[j]) {
        j += 1;
    }
    if j < bytes.len() && bytes[j] != b';' {
        return Err(syntax(format!(
            "connection string: {} at byte {key_pos}: unexpected text at byte {j} after the '}}' that closes its value at byte {} (a '}}' inside a value is written '}}}}')",
            key,
            after - 1
        )));
    }
    Ok((value, j + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_decoding_follows_url_decoder() {
        assert_eq!(url_decode("a+b%2Bc%26d").ok().as_deref(), Some("a b+c&d"));
        assert_eq!(url_decode("%C3%A9").ok().as_deref(), Some("é"));
        assert!(matches!(url_decode("ab%2"), Err(DecodeError::BadEscape(2))));
        assert!(matches!(url_decode("%zz"), Err(DecodeError::BadEscape(0))));
        assert!(matches!(url_decode("%ff"), Err(DecodeError::NotUtf8)));
    }

    #[test]
    fn authority_forms() {
        let (h, p, port) = split_authority("[::1]:8080", 10).ok().unwrap();
        assert_eq!((h, p, port), ("::1", 11, Some(("8080", 16))));
        let (h, _, port) = split_authority("example.com", 0).ok().unwrap();
        assert_eq!((h, port), ("example.com", None));
        assert!(split_authority("[::1", 0).is_err());
        assert!(split_authority("[::1]x", 0).is_err());
        assert!(split_authority(":443", 0).is_err());
    }

    #[test]
    fn account_derivation() {
        for (host, account) in [
            ("xy12345.snowflakecomputing.com", Some("xy12345")),
            (
                "xy12345.us-east-1.privatelink.snowflakecomputing.com",
                Some("xy12345"),
            ),
            (
                "myacct-1234567890abcdef.global.snowflakecomputing.com",
                Some("myacct"),
            ),
            ("my-org-acct.snowflakecomputing.com", Some("my-org-acct")),
            ("127.0.0.1", None),
            ("localhost", None),
            ("::1", None),
        ] {
            let mut c = Config::new();
            c.set("host", host).unwrap();
            derive_account(&mut c).unwrap();
            assert_eq!(c.account(), account, "{host}");
        }
    }
}
