//! [`Config`]: the settings of a login, set by option name.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::choices::{Authenticator, Protocol, TokenCacheChoice};
use super::defaults;
use super::lookup::{describe_name, find_option, nearest_option, option_by_id};
use super::options::{OptionId, OptionSpec, Support, WarnWhen};
use super::values::{
    check_len, check_type, exact, is_loopback, non_empty, parse_bool, parse_host, parse_opt,
    parse_port, parse_seconds, parse_word, split_passcode,
};
use super::warnings::{ConfigWarning, MAX_WARNINGS, WarningKind};
use crate::error::{Error, ErrorKind};
use crate::factor::SecondFactor;
use crate::secret::Secret;

/// The settings of a login. Build with [`Config::new`] and [`Config::set`]; checked as a whole by
/// [`Config::validate`] (which `Client::new` calls).
#[derive(Debug, Clone)]
pub struct Config {
    account: Option<String>,
    user: Option<String>,
    password: Option<Secret>,
    host: Option<String>,
    port: Option<u16>,
    protocol: Protocol,
    authenticator: Authenticator,
    passcode: Option<Secret>,
    passcode_in_password: bool,
    login_timeout: Duration,
    ca_file: Option<PathBuf>,
    database: Option<String>,
    schema: Option<String>,
    warehouse: Option<String>,
    role: Option<String>,
    application: Option<String>,
    region: Option<String>,
    store_temporary_credential: bool,
    token_cache: TokenCacheChoice,
    credential_cache_dir: Option<PathBuf>,
    /// Which binding drives the library ("Rust", "C", …), for the User-Agent.
    binding: (Cow<'static, str>, Cow<'static, str>),
    /// What was accepted but deserves a look (unknown keys, options not honoured, repeats).
    warnings: Vec<ConfigWarning>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            account: None,
            user: None,
            password: None,
            host: None,
            port: None,
            protocol: defaults::PROTOCOL,
            authenticator: defaults::AUTHENTICATOR,
            passcode: None,
            passcode_in_password: defaults::PASSCODE_IN_PASSWORD,
            login_timeout: defaults::LOGIN_TIMEOUT,
            ca_file: None,
            database: None,
            schema: None,
            warehouse: None,
            role: None,
            application: None,
            region: None,
            store_temporary_credential: defaults::STORE_TEMPORARY_CREDENTIAL,
            token_cache: defaults::TOKEN_CACHE,
            credential_cache_dir: None,
            binding: (
                Cow::Borrowed("Rust"),
                Cow::Borrowed(env!("CARGO_PKG_VERSION")),
            ),
            warnings: Vec::new(),
        }
    }
}

impl Config {
    /// A configuration with every option at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets option `name` (canonical name, alias or any driver's name for it; case, `_` and `-`
    /// ignored) from its text form. An empty value unsets an optional option; one longer than
    /// [`MAX_VALUE_LEN`](super::MAX_VALUE_LEN) bytes is refused. Errors name the option and what it
    /// expects, never the value (of any option: a password typed as `login_timeout` is not printed
    /// back); an unknown name is an error ([`ErrorKind::UnknownOption`]) that shows the name only when
    /// it looks like one (1 to 64 ASCII letters, `_`, `-`, `.`), its length otherwise. Setting an
    /// option sfmfa does not honour to a value it would have to act on records a [`ConfigWarning`].
    pub fn set(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        self.set_at(name, value, None)?;
        Ok(self)
    }

    /// [`Config::set`], for a key found at byte `position` of a connection string; returns the option.
    pub(crate) fn set_at(
        &mut self,
        name: &str,
        value: &str,
        position: Option<usize>,
    ) -> Result<&'static OptionSpec, Error> {
        let spec = find_option(name).ok_or_else(|| {
            let mut message = format!("unknown option {}", describe_name(name));
            if let Some(near) = nearest_option(name) {
                message.push_str(&format!("; nearest known name: '{}'", near.name));
            }
            Error::new(ErrorKind::UnknownOption, message)
        })?;
        self.store(spec, name, value, position)?;
        Ok(spec)
    }

    /// [`Config::set`] for an option sfmfa uses, by its identifier (the connection-string parsers
    /// set what they derive this way).
    pub(crate) fn set_option(&mut self, id: OptionId, value: &str) -> Result<(), Error> {
        let spec = option_by_id(id).ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!("option {id:?} has no row of its own in the option table"),
            )
        })?;
        self.store(spec, spec.name, value, None)
    }

    /// Stores the value of option `spec`, given as `name`: one arm per option sfmfa uses, and the
    /// check (and warning) of those it accepts without using. An empty value goes back to the default.
    fn store(
        &mut self,
        spec: &'static OptionSpec,
        name: &str,
        value: &str,
        position: Option<usize>,
    ) -> Result<(), Error> {
        check_len(spec, value)?;
        let text = || non_empty(value);
        match spec.id {
            OptionId::Account => self.account = text(),
            OptionId::User => self.user = text(),
            OptionId::Password => self.password = exact(value).map(Secret::new),
            OptionId::Host => self.host = parse_opt(spec, value, parse_host)?,
            OptionId::Port => self.port = parse_opt(spec, value, parse_port)?,
            OptionId::Protocol => {
                self.protocol =
                    parse_word(spec, value, Protocol::parse)?.unwrap_or(defaults::PROTOCOL)
            }
            OptionId::Ssl => {
                self.protocol = match parse_opt(spec, value, parse_bool)? {
                    Some(true) => Protocol::Https,
                    Some(false) => Protocol::Http,
                    None => defaults::PROTOCOL,
                }
            }
            OptionId::Authenticator => {
                self.authenticator = parse_word(spec, value, Authenticator::parse)?
                    .unwrap_or(defaults::AUTHENTICATOR)
            }
            OptionId::Passcode => self.passcode = text().map(Secret::new),
            OptionId::PasscodeInPassword => {
                self.passcode_in_password =
                    parse_opt(spec, value, parse_bool)?.unwrap_or(defaults::PASSCODE_IN_PASSWORD)
            }
            OptionId::LoginTimeout => {
                self.login_timeout =
                    parse_opt(spec, value, parse_seconds)?.unwrap_or(defaults::LOGIN_TIMEOUT)
            }
            OptionId::CaFile => self.ca_file = text().map(PathBuf::from),
            OptionId::Database => self.database = text(),
            OptionId::Schema => self.schema = text(),
            OptionId::Warehouse => self.warehouse = text(),
            OptionId::Role => self.role = text(),
            OptionId::Application => self.application = text(),
            OptionId::Region => self.region = text(),
            OptionId::ClientStoreTemporaryCredential => {
                self.store_temporary_credential = parse_opt(spec, value, parse_bool)?
                    .unwrap_or(defaults::STORE_TEMPORARY_CREDENTIAL)
            }
            OptionId::TokenCache => {
                self.token_cache = parse_word(spec, value, TokenCacheChoice::parse)?
                    .unwrap_or(defaults::TOKEN_CACHE)
            }
            OptionId::CredentialCacheDir => self.credential_cache_dir = text().map(PathBuf::from),
            OptionId::NotUsed => self.accept_unused(spec, name, value, position)?,
        }
        Ok(())
    }

    /// Checks the value of an option sfmfa accepts without using, and records a warning when the
    /// value asks for what sfmfa does not do.
    fn accept_unused(
        &mut self,
        spec: &'static OptionSpec,
        name: &str,
        value: &str,
        position: Option<usize>,
    ) -> Result<(), Error> {
        check_type(spec, value)?;
        let Support::NotHonoured { when, reason } = spec.support else {
            return Ok(());
        };
        // A later value replaces what an earlier one said.
        self.warnings.retain(|w| {
            !matches!(w.kind(), WarningKind::NotHonoured { option, .. } if *option == spec.name)
        });
        if warns(when, value) {
            self.push_warning(ConfigWarning::new(
                WarningKind::NotHonoured {
                    option: spec.name,
                    reason,
                },
                Some(name.trim()),
                position,
            ));
        }
        Ok(())
    }

    /// The value of option `name` (any of its names) that a login uses, as text: the canonical form
    /// of booleans (`true`/`false`), words, ports and seconds; the default when unset (the host derived
    /// from the account); `None` for an unset option without a default and for options sfmfa does not
    /// use. A secret that is set reads `****`: its value never leaves through here. Fails with
    /// [`ErrorKind::UnknownOption`] for an unknown name.
    pub fn get(&self, name: &str) -> Result<Option<String>, Error> {
        let spec = find_option(name).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownOption,
                format!("unknown option {}", describe_name(name)),
            )
        })?;
        let text = |v: &Option<String>| v.clone();
        let secret = |v: &Option<Secret>| v.as_ref().map(|_| "****".to_owned());
        let flag = |b: bool| Some(b.to_string());
        let word = |w: &'static str| Some(w.to_owned());
        Ok(match spec.id {
            OptionId::Account => text(&self.account),
            OptionId::User => text(&self.user),
            OptionId::Password => secret(&self.password),
            OptionId::Host => (self.host.is_some() || self.account.is_some()).then(|| self.host()),
            OptionId::Port => Some(self.port().to_string()),
            OptionId::Protocol => word(self.protocol.as_str()),
            OptionId::Ssl => flag(self.protocol == Protocol::Https),
            OptionId::Authenticator => word(self.authenticator.as_str()),
            OptionId::Passcode => secret(&self.passcode),
            OptionId::PasscodeInPassword => flag(self.passcode_in_password),
            OptionId::LoginTimeout => Some(self.login_timeout.as_secs_f64().to_string()),
            OptionId::CaFile => self.ca_file.as_ref().map(|p| p.display().to_string()),
            OptionId::Database => text(&self.database),
            OptionId::Schema => text(&self.schema),
            OptionId::Warehouse => text(&self.warehouse),
            OptionId::Role => text(&self.role),
            OptionId::Application => text(&self.application),
            OptionId::Region => text(&self.region),
            OptionId::ClientStoreTemporaryCredential => flag(self.store_temporary_credential),
            OptionId::TokenCache => word(self.token_cache.as_str()),
            OptionId::CredentialCacheDir => self
                .credential_cache_dir
                .as_ref()
                .map(|p| p.display().to_string()),
            OptionId::NotUsed => None,
        })
    }

    /// What was accepted but deserves a look: unknown keys of a connection string (with the nearest
    /// known name), options sfmfa does not honour given a value it would have to act on, options given
    /// twice. In the order they were found; none of them names a value. At most [`MAX_WARNINGS`], then
    /// one [`WarningKind::Omitted`] that counts the others.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Records a warning and logs it at `warn` level; past [`MAX_WARNINGS`], only counts it in one
    /// last [`WarningKind::Omitted`] (logged once).
    pub(crate) fn push_warning(&mut self, warning: ConfigWarning) {
        if let Some(last) = self.warnings.last_mut()
            && let WarningKind::Omitted { count } = last.kind()
        {
            *last = ConfigWarning::new(WarningKind::Omitted { count: count + 1 }, None, None);
            return;
        }
        let warning = if self.keeps_warnings() {
            warning
        } else {
            ConfigWarning::new(WarningKind::Omitted { count: 1 }, None, None)
        };
        log::warn!("sfmfa configuration: {warning}");
        self.warnings.push(warning);
    }

    /// Whether the next warning is kept in full (the work of describing it, such as finding the
    /// nearest name, is worth doing).
    pub(crate) fn keeps_warnings(&self) -> bool {
        self.warnings.len() < MAX_WARNINGS
    }

    /// The second factor a login with this configuration asks for (without a cached MFA token):
    /// passcode-in-password wins over a passcode, which wins over a push, asked for explicitly with
    /// every authenticator (`EXT_AUTHN_DUO_METHOD: "push"`, as the JDBC, ODBC and .NET drivers do).
    pub fn second_factor(&self) -> SecondFactor {
        SecondFactor::requested(self.passcode_in_password, self.passcode.is_some())
    }

    /// Records which binding drives the library, for the User-Agent (`C`, `Java`, `Python`…).
    pub fn set_binding(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        version: impl Into<Cow<'static, str>>,
    ) -> &mut Self {
        self.binding = (name.into(), version.into());
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
                "invalid value for option 'protocol': http is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1), and the host is not one",
            )
            .with_hint("Use protocol=https."));
        }
        if self.passcode_in_password {
            let pw = self
                .password
                .as_ref()
                .map(Secret::expose)
                .unwrap_or_default();
            if split_passcode(pw).is_none() {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "invalid value for option 'password': with passcode_in_password it must be the password followed by the 6-digit passcode",
                ));
            }
        }
        Ok(())
    }

    /// The password without the Duo passcode: with `passcode_in_password`, the password minus its
    /// last 6 digits (what a cached-token login sends, as snowflake-connector-python 5 does);
    /// otherwise the password as given.
    pub(crate) fn password_without_passcode(&self) -> &str {
        let pw = self
            .password
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default();
        match split_passcode(pw) {
            Some((password, _)) if self.passcode_in_password => password,
            _ => pw,
        }
    }

    /// The account name as sent in `ACCOUNT_NAME`: the part before the first `.` (a region suffix
    /// only shapes the default host).
    pub(crate) fn account_name(&self) -> String {
        let account = self.account.as_deref().unwrap_or_default();
        account.split('.').next().unwrap_or(account).to_owned()
    }

    /// The host: the option, or `<account>.snowflakecomputing.com`, with the `region` option
    /// (other than `us-west-2`) after an account that has no region suffix of its own.
    pub fn host(&self) -> String {
        if let Some(h) = &self.host {
            return h.clone();
        }
        let account = self
            .account
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match self.region.as_deref().map(str::to_ascii_lowercase) {
            Some(region) if !account.contains('.') && region != "us-west-2" => {
                format!("{account}.{region}.{}", defaults::DOMAIN)
            }
            _ => format!("{account}.{}", defaults::DOMAIN),
        }
    }

    /// The port: the option, or 443 for https and 80 for http.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.protocol {
            Protocol::Http => defaults::HTTP_PORT,
            Protocol::Https => defaults::HTTPS_PORT,
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

    /// The directory of the token cache file (`credential_cache_dir`), when set.
    pub fn credential_cache_dir(&self) -> Option<&Path> {
        self.credential_cache_dir.as_deref()
    }

    /// The user, when set.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The account as set (a region suffix included), when set.
    pub(crate) fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The `host` option as set, without the default derived from the account.
    pub(crate) fn host_option(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The password as given (with `passcode_in_password`, the passcode at its end), when set.
    pub(crate) fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// The Duo passcode, when set.
    pub(crate) fn passcode(&self) -> Option<&Secret> {
        self.passcode.as_ref()
    }

    /// The PEM file of trusted certificate authorities (`ca_file`), when set.
    pub(crate) fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The name of the application on top of sfmfa (`application`), when set.
    pub(crate) fn application(&self) -> Option<&str> {
        self.application.as_deref()
    }

    /// The session's database, when set.
    pub(crate) fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The session's schema, when set.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The session's warehouse, when set.
    pub(crate) fn warehouse(&self) -> Option<&str> {
        self.warehouse.as_deref()
    }

    /// The session's role, when set.
    pub(crate) fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    /// The binding that drives the library and its version ([`Config::set_binding`]).
    pub(crate) fn binding(&self) -> (&str, &str) {
        (&self.binding.0, &self.binding.1)
    }
}

/// Whether a value of a [`Support::NotHonoured`] option asks for what sfmfa does not do.
fn warns(when: WarnWhen, value: &str) -> bool {
    match when {
        WarnWhen::Set => !value.trim().is_empty(),
        WarnWhen::True => parse_bool(value.trim()) == Ok(true),
        WarnWhen::False => parse_bool(value.trim()) == Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{OPTIONS, OptionType};

    fn base() -> Config {
        let mut c = Config::new();
        c.set("account", "xy12345").unwrap();
        c.set("user", "demo").unwrap();
        c.set("password", "abc123").unwrap();
        c
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
        assert!(e.message().contains("'port'") && !e.message().contains("70000"));
        let e = c.set("login_timeout", "-1").unwrap_err();
        assert!(e.message().contains("login_timeout"));
        c.set("login_timeout", "0").unwrap();
        assert_eq!(c.login_timeout(), Duration::ZERO, "0 means no limit");
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
    fn not_honoured_options_warn_only_when_asked_for_what_sfmfa_does_not_do() {
        let mut c = base();
        c.set("insecureMode", "false").unwrap();
        c.set("ocspFailOpen", "true").unwrap();
        c.set("tracing", "ALL").unwrap();
        c.set("CLIENT_SESSION_KEEP_ALIVE", "true").unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        c.set("insecureMode", "on").unwrap();
        c.set("ocsp_fail_open", "off").unwrap();
        c.set("proxyPassword", "prox-secret-77").unwrap();
        let texts: Vec<String> = c.warnings().iter().map(|w| w.to_string()).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[0].contains("'insecureMode' (option 'insecure_mode') is not honoured"));
        assert!(texts[1].contains("option 'ocsp_fail_open' is not honoured"));
        assert!(texts.iter().all(|t| !t.contains("prox-secret-77")));
        // A later value replaces what the earlier one said.
        c.set("insecure_mode", "false").unwrap();
        assert_eq!(c.warnings().len(), 2);
        assert!(
            c.warnings()
                .iter()
                .all(|w| w.option() != Some("insecure_mode"))
        );
        // The type is still checked.
        assert_eq!(
            c.set("insecureMode", "maybe").unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        c.validate().unwrap();
    }

    #[test]
    fn password_is_kept_exactly_and_hosts_are_names() {
        let mut c = base();
        c.set("password", " pw with spaces ").unwrap();
        assert_eq!(
            c.password.as_ref().map(Secret::expose),
            Some(" pw with spaces ")
        );
        c.set("password", "  ").unwrap();
        assert!(c.password.is_none());
        for bad in [
            "https://xy12345.snowflakecomputing.com",
            "user@host",
            "host/path",
            "a b",
        ] {
            let e = c.set("host", bad).unwrap_err();
            assert!(e.message().contains("'host'"), "{}", e.message());
        }
        c.set("host", "XY12345.SnowflakeComputing.com").unwrap();
        assert_eq!(c.host(), "xy12345.snowflakecomputing.com");
    }

    #[test]
    fn region_shapes_the_default_host() {
        let mut c = base();
        c.set("region", "eu-central-1").unwrap();
        assert_eq!(c.host(), "xy12345.eu-central-1.snowflakecomputing.com");
        c.set("region", "us-west-2").unwrap();
        assert_eq!(c.host(), "xy12345.snowflakecomputing.com");
        c.set("region", "eu-central-1").unwrap();
        c.set("account", "xy12345.us-east-1").unwrap();
        assert_eq!(c.host(), "xy12345.us-east-1.snowflakecomputing.com");
    }

    #[test]
    fn ssl_off_is_http() {
        let mut c = base();
        c.set("ssl", "off").unwrap();
        assert_eq!(c.protocol(), Protocol::Http);
        c.set("ssl", "on").unwrap();
        assert_eq!(c.protocol(), Protocol::Https);
    }

    #[test]
    fn every_option_sfmfa_uses_has_one_row_and_the_others_share_not_used() {
        let mut seen = std::collections::HashSet::new();
        for spec in OPTIONS {
            assert_eq!(
                spec.id == OptionId::NotUsed,
                spec.support != Support::Used,
                "{}",
                spec.name
            );
            if spec.id != OptionId::NotUsed {
                assert!(seen.insert(spec.id), "{:?} is in two rows", spec.id);
            }
        }
    }

    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let c = Config::new();
        for spec in OPTIONS.iter().filter(|s| s.support == Support::Used) {
            let Some(default) = spec.default else {
                continue;
            };
            // The host's default depends on the account; the table shows its form.
            if spec.id == OptionId::Host {
                assert_eq!(c.get(spec.name).unwrap(), None);
                continue;
            }
            let got = c.get(spec.name).unwrap();
            let got = got.as_deref().unwrap_or_default();
            match spec.ty {
                OptionType::Bool => {
                    assert_eq!(parse_bool(got), parse_bool(default), "{}", spec.name)
                }
                _ => assert_eq!(got, default, "{}", spec.name),
            }
            // An empty value goes back to the default.
            let mut changed = base();
            changed.set(spec.name, "").unwrap();
            assert_eq!(
                changed.get(spec.name).unwrap(),
                c.get(spec.name).unwrap(),
                "{}",
                spec.name
            );
        }
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
