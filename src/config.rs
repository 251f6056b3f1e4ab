//! Every option sfmfa understands, in one table: canonical name, aliases, type, default, documentation.
//!
//! All entry points (the Rust API, `sfmfa_config_set`, and later the connection-string parsers and the
//! bindings) set options through [`Config::set`], so a name means the same thing everywhere.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The type of an option's value, which decides how its text is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionType {
    /// Free text.
    Text,
    /// Free text that is a secret: never echoed in an error.
    Secret,
    /// `on/off`, `true/false`, `yes/no`, `1/0`, any case.
    Bool,
    /// A TCP port, 1–65535.
    Port,
    /// Seconds, an integer or a decimal (`1.5`), greater than zero.
    Seconds,
    /// One of a fixed list of words, any case.
    OneOf(&'static [&'static str]),
    /// A file system path.
    Path,
}

/// One option: how it is named, typed and documented.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The canonical name (snake case).
    pub name: &'static str,
    /// Other names drivers use for it (JDBC, ODBC, Python, Node.js), matched case-insensitively.
    pub aliases: &'static [&'static str],
    /// How the value is parsed.
    pub ty: OptionType,
    /// The default, as text, or `None` when unset by default.
    pub default: Option<&'static str>,
    /// What it does.
    pub doc: &'static str,
}

impl OptionSpec {
    /// True when the value must never appear in a message.
    pub fn is_secret(&self) -> bool {
        self.ty == OptionType::Secret
    }
}

/// The authenticators sfmfa speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticator {
    /// User name + password; Duo follows when the user is enrolled (a push unless a passcode is given).
    Snowflake,
    /// User name + password + Duo, with MFA-token caching possible.
    UsernamePasswordMfa,
}

/// `http` (loopback only) or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Plain HTTP; accepted only for a loopback host (tests, the emulator).
    Http,
    /// HTTPS with certificate verification.
    Https,
}

/// Where MFA tokens are cached (option `token_cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCacheChoice {
    /// The OS keystore when one is usable, else the file.
    Auto,
    /// The OS keystore only (Secret Service, else kernel keyutils, on Linux).
    Keystore,
    /// The Secret Service over D-Bus (GNOME Keyring, KWallet).
    SecretService,
    /// The kernel keyutils persistent keyring.
    Keyutils,
    /// `credential_cache_v2.json` in the cache directory.
    File,
    /// This process only.
    Memory,
    /// No caching at all.
    None,
}

/// The option table. Order is the order of the documentation.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "account",
        aliases: &["accountName", "account_name"],
        ty: OptionType::Text,
        default: None,
        doc: "Account identifier, e.g. `xy12345` or `myorg-myaccount`; a region suffix (`xy12345.us-east-1`) goes into the default host.",
    },
    OptionSpec {
        name: "user",
        aliases: &["username", "uid", "login_name"],
        ty: OptionType::Text,
        default: None,
        doc: "Login name of the user.",
    },
    OptionSpec {
        name: "password",
        aliases: &["pwd"],
        ty: OptionType::Secret,
        default: None,
        doc: "Password; with `passcode_in_password` the password followed by the 6-digit passcode.",
    },
    OptionSpec {
        name: "host",
        aliases: &["server"],
        ty: OptionType::Text,
        default: Some("<account>.snowflakecomputing.com"),
        doc: "Host name of the Snowflake service.",
    },
    OptionSpec {
        name: "port",
        aliases: &[],
        ty: OptionType::Port,
        default: Some("443"),
        doc: "TCP port (default 443 for https, 80 for http).",
    },
    OptionSpec {
        name: "protocol",
        aliases: &[],
        ty: OptionType::OneOf(&["https", "http"]),
        default: Some("https"),
        doc: "`https`, or `http` for a loopback host only.",
    },
    OptionSpec {
        name: "authenticator",
        aliases: &[],
        ty: OptionType::OneOf(&["snowflake", "username_password_mfa"]),
        default: Some("snowflake"),
        doc: "`snowflake` (password; Duo if the user is enrolled) or `username_password_mfa` (password + Duo, MFA-token caching).",
    },
    OptionSpec {
        name: "passcode",
        aliases: &["mfa_passcode", "mfa-passcode"],
        ty: OptionType::Secret,
        default: None,
        doc: "Duo passcode (from the Duo app, an SMS or a hardware token) instead of a push.",
    },
    OptionSpec {
        name: "passcode_in_password",
        aliases: &[
            "passcodeInPassword",
            "mfa_passcode_in_password",
            "mfa-passcode-in-password",
        ],
        ty: OptionType::Bool,
        default: Some("false"),
        doc: "The password ends with the Duo passcode; the server splits off the last 6 digits. Wins over `passcode`.",
    },
    OptionSpec {
        name: "login_timeout",
        aliases: &["loginTimeout"],
        ty: OptionType::Seconds,
        default: Some("120"),
        doc: "Seconds for the whole login: connects, retries and the wait for Duo approval.",
    },
    OptionSpec {
        name: "ca_file",
        aliases: &["cafile", "ca_bundle_file"],
        ty: OptionType::Path,
        default: None,
        doc: "PEM file of the certificate authorities to trust instead of the built-in web roots (private CA, TLS-inspecting proxy).",
    },
    OptionSpec {
        name: "database",
        aliases: &["db", "databaseName"],
        ty: OptionType::Text,
        default: None,
        doc: "Database of the session (sent as `databaseName`).",
    },
    OptionSpec {
        name: "schema",
        aliases: &["schemaName"],
        ty: OptionType::Text,
        default: None,
        doc: "Schema of the session (sent as `schemaName`).",
    },
    OptionSpec {
        name: "warehouse",
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        doc: "Warehouse of the session.",
    },
    OptionSpec {
        name: "role",
        aliases: &["roleName"],
        ty: OptionType::Text,
        default: None,
        doc: "Role of the session (sent as `roleName`).",
    },
    OptionSpec {
        name: "client_store_temporary_credential",
        aliases: &[
            "client_request_mfa_token",
            "clientStoreTemporaryCredential",
            "clientRequestMfaToken",
        ],
        ty: OptionType::Bool,
        default: Some("true"),
        doc: "Cache the MFA token (with `authenticator=username_password_mfa`): one Duo prompt, then up to four hours without one. On by default on every OS, Linux included.",
    },
    OptionSpec {
        name: "token_cache",
        aliases: &[],
        ty: OptionType::OneOf(&[
            "auto",
            "keystore",
            "secret-service",
            "keyutils",
            "file",
            "memory",
            "none",
        ]),
        default: Some("auto"),
        doc: "Where MFA tokens are cached: `auto` (the OS keystore when one is usable, else the file), `keystore` (the OS keystore only), `secret-service`, `keyutils`, `file` (`credential_cache_v2.json`, owner-only), `memory` (this process only), `none`.",
    },
    OptionSpec {
        name: "application",
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        doc: "Name of the application or driver on top of sfmfa, reported to the server in `CLIENT_ENVIRONMENT`.",
    },
];

/// Finds an option by its canonical name or an alias, ignoring case and `-`/`_` differences in aliases.
pub fn find_option(name: &str) -> Option<&'static OptionSpec> {
    let wanted = name.trim();
    OPTIONS.iter().find(|spec| {
        spec.name.eq_ignore_ascii_case(wanted)
            || spec.aliases.iter().any(|a| a.eq_ignore_ascii_case(wanted))
    })
}

/// The settings of a login. Build with [`Config::new`] and [`Config::set`]; checked as a whole by
/// [`Config::validate`] (which `Client::new` calls).
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) account: Option<String>,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<Secret>,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) protocol: Protocol,
    pub(crate) authenticator: Authenticator,
    pub(crate) passcode: Option<Secret>,
    pub(crate) passcode_in_password: bool,
    pub(crate) login_timeout: Duration,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) database: Option<String>,
    pub(crate) schema: Option<String>,
    pub(crate) warehouse: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) store_temporary_credential: bool,
    pub(crate) token_cache: TokenCacheChoice,
    /// Which binding drives the library ("Rust", "C", …), for the User-Agent.
    pub(crate) binding: (&'static str, &'static str),
}

impl Default for Config {
    fn default() -> Self {
        Config {
            account: None,
            user: None,
            password: None,
            host: None,
            port: None,
            protocol: Protocol::Https,
            authenticator: Authenticator::Snowflake,
            passcode: None,
            passcode_in_password: false,
            login_timeout: Duration::from_secs(120),
            ca_file: None,
            database: None,
            schema: None,
            warehouse: None,
            role: None,
            application: None,
            store_temporary_credential: true,
            token_cache: TokenCacheChoice::Auto,
            binding: ("Rust", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl Config {
    /// A configuration with every option at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets option `name` (canonical or alias, any case) from its text form. An empty value unsets an
    /// optional option. Errors name the option, never a secret's value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        let spec = find_option(name).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownOption,
                format!("unknown option '{}'", printable(name)),
            )
        })?;
        let text = || non_empty(value);
        match spec.name {
            "account" => self.account = text(),
            "user" => self.user = text(),
            "password" => self.password = text().map(Secret::new),
            "host" => self.host = text().map(|h| h.to_ascii_lowercase()),
            "port" => self.port = parse_opt(spec, value, parse_port)?,
            "protocol" => {
                self.protocol = match parse_one_of(spec, value)? {
                    "http" => Protocol::Http,
                    _ => Protocol::Https,
                }
            }
            "authenticator" => {
                self.authenticator = match parse_one_of(spec, value)? {
                    "username_password_mfa" => Authenticator::UsernamePasswordMfa,
                    _ => Authenticator::Snowflake,
                }
            }
            "passcode" => self.passcode = text().map(Secret::new),
            "passcode_in_password" => {
                self.passcode_in_password = parse_opt(spec, value, parse_bool)?.unwrap_or(false)
            }
            "login_timeout" => {
                self.login_timeout =
                    parse_opt(spec, value, parse_seconds)?.unwrap_or(Duration::from_secs(120))
            }
            "ca_file" => self.ca_file = text().map(PathBuf::from),
            "database" => self.database = text(),
            "schema" => self.schema = text(),
            "warehouse" => self.warehouse = text(),
            "role" => self.role = text(),
            "application" => self.application = text(),
            "client_store_temporary_credential" => {
                self.store_temporary_credential =
                    parse_opt(spec, value, parse_bool)?.unwrap_or(true)
            }
            "token_cache" => {
                self.token_cache = match parse_one_of(spec, value)? {
                    "keystore" => TokenCacheChoice::Keystore,
                    "secret-service" => TokenCacheChoice::SecretService,
                    "keyutils" => TokenCacheChoice::Keyutils,
                    "file" => TokenCacheChoice::File,
                    "memory" => TokenCacheChoice::Memory,
                    "none" => TokenCacheChoice::None,
                    _ => TokenCacheChoice::Auto,
                }
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!("option '{other}' is in the table but not handled"),
                ));
            }
        }
        Ok(self)
    }

    /// Records which binding drives the library, for the User-Agent (`C`, `Java`, `Python`…).
    pub fn set_binding(&mut self, name: &'static str, version: &'static str) -> &mut Self {
        self.binding = (name, version);
        self
    }

    /// Checks the configuration as a whole: required options, and http only for loopback hosts.
    pub fn validate(&self) -> Result<(), Error> {
        for (name, missing) in [
            ("account", self.account.is_none()),
            ("user", self.user.is_none()),
            ("password", self.password.is_none()),
        ] {
            if missing {
                return Err(Error::new(
                    ErrorKind::MissingOption,
                    format!("option '{name}' is required"),
                ));
            }
        }
        if self.protocol == Protocol::Http && !is_loopback(&self.host()) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "invalid value for option 'protocol': http is allowed only for a loopback host, not '{}'",
                    self.host()
                ),
            )
            .with_hint("Use protocol=https."));
        }
        if self.passcode_in_password {
            let pw = self
                .password
                .as_ref()
                .map(Secret::expose)
                .unwrap_or_default();
            let tail_is_passcode =
                pw.len() > 6 && pw.as_bytes()[pw.len() - 6..].iter().all(u8::is_ascii_digit);
            if !tail_is_passcode {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "invalid value for option 'password': with passcode_in_password it must be the password followed by the 6-digit passcode",
                ));
            }
        }
        Ok(())
    }

    /// The account name as sent in `ACCOUNT_NAME`: the part before the first `.` (a region suffix
    /// only shapes the default host).
    pub(crate) fn account_name(&self) -> String {
        let account = self.account.as_deref().unwrap_or_default();
        account.split('.').next().unwrap_or(account).to_owned()
    }

    /// The host: the option, or `<account>.snowflakecomputing.com`.
    pub fn host(&self) -> String {
        match &self.host {
            Some(h) => h.clone(),
            None => format!(
                "{}.snowflakecomputing.com",
                self.account
                    .as_deref()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            ),
        }
    }

    /// The port: the option, or 443 for https and 80 for http.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.protocol {
            Protocol::Http => 80,
            Protocol::Https => 443,
        })
    }

    /// `http` or `https`.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The authenticator.
    pub fn authenticator(&self) -> Authenticator {
        self.authenticator
    }

    /// The whole-login deadline.
    pub fn login_timeout(&self) -> Duration {
        self.login_timeout
    }

    /// Whether MFA tokens are cached (`client_store_temporary_credential`).
    pub fn store_temporary_credential(&self) -> bool {
        self.store_temporary_credential
    }

    /// Where MFA tokens are cached (`token_cache`).
    pub fn token_cache(&self) -> TokenCacheChoice {
        self.token_cache
    }

    /// The user, when set.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn non_empty(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// Option names come from callers and may hold anything; keep messages short and on one line.
fn printable(name: &str) -> String {
    name.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn invalid(spec: &OptionSpec, value: &str, expected: &str) -> Error {
    let shown = if spec.is_secret() {
        String::new()
    } else {
        format!(" '{}'", printable(value))
    };
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "invalid value{shown} for option '{}': expected {expected}",
            spec.name
        ),
    )
}

fn parse_opt<T>(
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
        .map_err(|expected| invalid(spec, value, expected))
}

fn parse_one_of(spec: &OptionSpec, value: &str) -> Result<&'static str, Error> {
    let OptionType::OneOf(words) = spec.ty else {
        return Err(Error::new(ErrorKind::Internal, "option is not a word list"));
    };
    let v = value.trim();
    if v.is_empty() {
        return Ok(words[0]);
    }
    words
        .iter()
        .find(|w| w.eq_ignore_ascii_case(v))
        .copied()
        .ok_or_else(|| invalid(spec, value, &format!("one of {}", words.join(", "))))
}

/// `on/off`, `true/false`, `yes/no`, `1/0`, any case.
pub fn parse_bool(v: &str) -> Result<bool, &'static str> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err("on/off, true/false, yes/no or 1/0"),
    }
}

fn parse_port(v: &str) -> Result<u16, &'static str> {
    match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err("a port number from 1 to 65535"),
    }
}

fn parse_seconds(v: &str) -> Result<Duration, &'static str> {
    const EXPECTED: &str = "a number of seconds greater than 0 and at most 86400";
    let secs: f64 = v.parse().map_err(|_| EXPECTED)?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(EXPECTED);
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        let mut c = Config::new();
        c.set("account", "xy12345").unwrap();
        c.set("user", "demo").unwrap();
        c.set("password", "abc123").unwrap();
        c
    }

    #[test]
    fn table_names_are_unique_across_aliases() {
        let mut seen = std::collections::HashSet::new();
        for spec in OPTIONS {
            for n in std::iter::once(&spec.name).chain(spec.aliases) {
                assert!(
                    seen.insert(n.to_ascii_lowercase()),
                    "duplicate option name {n}"
                );
            }
        }
    }

    #[test]
    fn every_table_entry_can_be_set() {
        for spec in OPTIONS {
            let value = match spec.ty {
                OptionType::Bool => "on",
                OptionType::Port => "8443",
                OptionType::Seconds => "30",
                OptionType::OneOf(words) => words[0],
                _ => "x",
            };
            Config::new().set(spec.name, value).unwrap();
        }
    }

    #[test]
    fn defaults_and_derived_values() {
        let c = base();
        assert_eq!(c.host(), "xy12345.snowflakecomputing.com");
        assert_eq!(c.port(), 443);
        assert_eq!(c.login_timeout(), Duration::from_secs(120));
        assert_eq!(c.authenticator(), Authenticator::Snowflake);
        let mut c = base();
        c.set("account", "xy12345.us-east-1").unwrap();
        assert_eq!(c.host(), "xy12345.us-east-1.snowflakecomputing.com");
        assert_eq!(c.account_name(), "xy12345");
        c.validate().unwrap();
    }

    #[test]
    fn aliases_and_booleans() {
        let mut c = base();
        for v in ["on", "TRUE", "Yes", "1"] {
            c.set("passcodeInPassword", v).unwrap();
            assert!(c.passcode_in_password);
        }
        for v in ["off", "False", "NO", "0"] {
            c.set("PASSCODE_IN_PASSWORD", v).unwrap();
            assert!(!c.passcode_in_password);
        }
        c.set("authenticator", "USERNAME_PASSWORD_MFA").unwrap();
        assert_eq!(c.authenticator(), Authenticator::UsernamePasswordMfa);
        c.set("loginTimeout", "1.5").unwrap();
        assert_eq!(c.login_timeout(), Duration::from_millis(1500));
    }

    #[test]
    fn bad_values_name_the_option_but_never_a_secret() {
        let mut c = base();
        let e = c.set("port", "70000").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.message().contains("'port'") && e.message().contains("70000"));
        let e = c.set("login_timeout", "0").unwrap_err();
        assert!(e.message().contains("login_timeout"));
        let e = c.set("authenticator", "oauth").unwrap_err();
        assert!(e.message().contains("authenticator"));
        let e = c.set("no_such_option", "1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownOption);
        c.set("password", "hunter2secret").unwrap();
        c.set("passcode_in_password", "true").unwrap();
        let e = c.validate().unwrap_err();
        assert!(e.message().contains("'password'") && !e.message().contains("hunter2"));
    }

    #[test]
    fn http_only_for_loopback() {
        let mut c = base();
        c.set("protocol", "http").unwrap();
        assert_eq!(c.validate().unwrap_err().kind(), ErrorKind::InvalidValue);
        for host in ["127.0.0.1", "localhost", "::1", "127.3.2.1"] {
            c.set("host", host).unwrap();
            c.validate().unwrap();
        }
        assert_eq!(c.port(), 80);
    }

    #[test]
    fn required_options() {
        let mut c = Config::new();
        assert_eq!(c.validate().unwrap_err().kind(), ErrorKind::MissingOption);
        c.set("account", "a").unwrap();
        c.set("user", "u").unwrap();
        assert!(c.validate().unwrap_err().message().contains("'password'"));
    }
}
