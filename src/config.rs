//! Every option sfmfa understands, in one table: canonical name, the names each official driver gives
//! it, type, default, whether sfmfa uses it, documentation.
//!
//! All entry points (the Rust API, `sfmfa_config_set`, the connection-string parsers of
//! [`crate::connstr`], the CLI, and the bindings) set options through [`Config::set`], so a name means
//! the same thing everywhere.
//!
//! # Names
//!
//! An option is found by its canonical name, by one of sfmfa's own aliases, or by the name any
//! official driver gives it ([`DriverNames`]). Case, `_` and `-` are ignored, and so are leading dashes,
//! so `passcode_in_password` (Python), `passcodeInPassword` (JDBC, ODBC, Node.js), `PASSCODEINPASSWORD`
//! and `--mfa-passcode-in-password` (SnowSQL) are one option. The driver names come from:
//!
//! - JDBC: `SFSessionProperty` of snowflake-jdbc and
//!   <https://docs.snowflake.com/en/developer-guide/jdbc/jdbc-parameters>;
//! - ODBC: <https://docs.snowflake.com/en/developer-guide/odbc/odbc-parameters>;
//! - SnowSQL: the flags and config-file keys of <https://docs.snowflake.com/en/user-guide/snowsql-start>;
//! - Python: `DEFAULT_CONFIGURATION` in snowflake-connector-python's `connection.py`;
//! - Node.js: the options of snowflake-connector-nodejs (`connection_config.js`) and Snowflake's MFA
//!   page (`passcode`, `passcodeInPassword`).
//!
//! # Options sfmfa does not use
//!
//! Drivers pass keys that matter to them but not to a login (`tracing`, `CLIENT_SESSION_KEEP_ALIVE`,
//! `Driver`, …). They are in the table as [`Support::Ignored`] and accepted silently. Keys that would
//! change security or routing (`insecureMode`, `ocspFailOpen`, proxies, `DSN`) are
//! [`Support::NotHonoured`]: accepted, never acted on, and a [`ConfigWarning`] says so whenever the value
//! asks for something sfmfa does not do. Keys that are in no table row are reported by the
//! connection-string parsers as warnings with the nearest known name; [`Config::set`] rejects them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::factor::SecondFactor;
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

impl OptionType {
    /// A short name for the documentation.
    pub fn describe(self) -> &'static str {
        match self {
            OptionType::Text => "text",
            OptionType::Secret => "secret",
            OptionType::Bool => "boolean",
            OptionType::Port => "port",
            OptionType::Seconds => "seconds",
            OptionType::OneOf(_) => "word",
            OptionType::Path => "path",
        }
    }
}

/// The names official drivers give an option. Each list holds one driver's spellings: a connection
/// string key or property (JDBC, ODBC), a keyword argument (Python), an option (Node.js), a flag with its
/// dashes or a config-file key (SnowSQL). Empty when the driver has no such option.
#[derive(Debug, Clone, Copy)]
pub struct DriverNames {
    /// snowflake-jdbc connection properties (URL keys and `java.util.Properties`).
    pub jdbc: &'static [&'static str],
    /// Snowflake ODBC driver connection parameters.
    pub odbc: &'static [&'static str],
    /// SnowSQL command-line flags and config-file keys.
    pub snowsql: &'static [&'static str],
    /// snowflake-connector-python keyword arguments of `connect()`.
    pub python: &'static [&'static str],
    /// snowflake-sdk (Node.js) connection options.
    pub node: &'static [&'static str],
}

impl DriverNames {
    /// Each driver's label with its names, in the order of the documentation.
    pub fn by_driver(&self) -> [(&'static str, &'static [&'static str]); 5] {
        [
            ("JDBC", self.jdbc),
            ("ODBC", self.odbc),
            ("SnowSQL", self.snowsql),
            ("Python", self.python),
            ("Node.js", self.node),
        ]
    }
}

const NO_DRIVER: DriverNames = DriverNames {
    jdbc: &[],
    odbc: &[],
    snowsql: &[],
    python: &[],
    node: &[],
};

/// When a [`Support::NotHonoured`] option makes a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarnWhen {
    /// Whenever it has a non-empty value.
    Set,
    /// When its (boolean) value is true.
    True,
    /// When its (boolean) value is false.
    False,
}

impl WarnWhen {
    fn applies(self, value: &str) -> bool {
        match self {
            WarnWhen::Set => !value.trim().is_empty(),
            WarnWhen::True => parse_bool(value.trim()) == Ok(true),
            WarnWhen::False => parse_bool(value.trim()) == Ok(false),
        }
    }
}

/// What sfmfa does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The option shapes the login.
    Used,
    /// Accepted so that drivers' strings work as they are; it does not matter to a login (session
    /// settings, driver logging and tuning). No warning.
    Ignored,
    /// Accepted but never acted on, because acting on it would change security or routing; a
    /// [`ConfigWarning`] is recorded when the value asks for what sfmfa does not do.
    NotHonoured {
        /// Which values make the warning.
        when: WarnWhen,
        /// What sfmfa does instead (the text of the warning).
        reason: &'static str,
    },
}

/// One option: how it is named, typed and documented.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The canonical name (snake case).
    pub name: &'static str,
    /// The names official drivers give it.
    pub drivers: DriverNames,
    /// sfmfa's own other names for it.
    pub aliases: &'static [&'static str],
    /// How the value is parsed.
    pub ty: OptionType,
    /// The default, as text, or `None` when unset by default.
    pub default: Option<&'static str>,
    /// Whether sfmfa uses it.
    pub support: Support,
    /// What it does.
    pub doc: &'static str,
}

impl OptionSpec {
    /// True when the value must never appear in a message.
    pub fn is_secret(&self) -> bool {
        self.ty == OptionType::Secret
    }

    /// Every name the option is found by: the canonical name, the aliases, the driver names.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + use<> {
        let d = self.drivers;
        std::iter::once(self.name)
            .chain(self.aliases.iter().copied())
            .chain(
                [d.jdbc, d.odbc, d.snowsql, d.python, d.node]
                    .into_iter()
                    .flatten()
                    .copied(),
            )
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

const PROXY_REASON: &str = "sfmfa takes no proxy from connection options; it uses the proxy of the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY) when one is set, else connects directly";
const DSN_REASON: &str = "sfmfa reads no odbc.ini or registry data source: only the keys in the connection string are used";

/// A table row for an option drivers pass that does not matter to a login: text, accepted silently.
const fn ignored(name: &'static str, drivers: DriverNames, doc: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        drivers,
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Ignored,
        doc,
    }
}

/// A table row for an option sfmfa accepts but never acts on, with a warning `when` its value asks for
/// it.
const fn not_honoured(
    name: &'static str,
    drivers: DriverNames,
    ty: OptionType,
    default: Option<&'static str>,
    when: WarnWhen,
    reason: &'static str,
    doc: &'static str,
) -> OptionSpec {
    OptionSpec {
        name,
        drivers,
        aliases: &[],
        ty,
        default,
        support: Support::NotHonoured { when, reason },
        doc,
    }
}

/// The option table. Order is the order of the documentation: the options sfmfa uses, then those it
/// accepts without using.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "account",
        drivers: DriverNames {
            jdbc: &["account"],
            odbc: &["account"],
            snowsql: &["--accountname"],
            python: &["account"],
            node: &["account"],
        },
        aliases: &["account_name"],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Account identifier, e.g. `xy12345` or `myorg-myaccount`; a region suffix (`xy12345.us-east-1`) goes into the default host. In a connection string without it, the first label of the host (`xy12345` of `xy12345.snowflakecomputing.com`).",
    },
    OptionSpec {
        name: "user",
        drivers: DriverNames {
            jdbc: &["user"],
            odbc: &["uid"],
            snowsql: &["--username"],
            python: &["user"],
            node: &["username"],
        },
        aliases: &["login_name"],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Login name of the user.",
    },
    OptionSpec {
        name: "password",
        drivers: DriverNames {
            jdbc: &["password"],
            odbc: &["pwd"],
            snowsql: &["password"],
            python: &["password"],
            node: &["password"],
        },
        aliases: &[],
        ty: OptionType::Secret,
        default: None,
        support: Support::Used,
        doc: "Password, kept exactly as given (spaces included); with `passcode_in_password` the password followed by the 6-digit passcode.",
    },
    OptionSpec {
        name: "host",
        drivers: DriverNames {
            jdbc: &[],
            odbc: &["server"],
            snowsql: &["--host"],
            python: &["host"],
            node: &["host"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: Some("<account>.snowflakecomputing.com"),
        support: Support::Used,
        doc: "Host name of the Snowflake service (a name or an IP address, no scheme or path). In a JDBC URL, the URL's host.",
    },
    OptionSpec {
        name: "port",
        drivers: DriverNames {
            jdbc: &[],
            odbc: &["port"],
            snowsql: &["--port"],
            python: &["port"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::Port,
        default: Some("443"),
        support: Support::Used,
        doc: "TCP port (default 443 for https, 80 for http). In a JDBC URL, the URL's port.",
    },
    OptionSpec {
        name: "protocol",
        drivers: DriverNames {
            jdbc: &[],
            odbc: &[],
            snowsql: &[],
            python: &["protocol"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::OneOf(&["https", "http"]),
        default: Some("https"),
        support: Support::Used,
        doc: "`https`, or `http` for a loopback host only. In a JDBC URL, `jdbc:snowflake://http://…` or `ssl=off`.",
    },
    OptionSpec {
        name: "ssl",
        drivers: DriverNames {
            jdbc: &["ssl"],
            ..NO_DRIVER
        },
        aliases: &[],
        ty: OptionType::Bool,
        default: Some("on"),
        support: Support::Used,
        doc: "JDBC's switch for the protocol: `off` is `protocol=http` (loopback hosts only), `on` is `protocol=https`.",
    },
    OptionSpec {
        name: "authenticator",
        drivers: DriverNames {
            jdbc: &["authenticator"],
            odbc: &["authenticator"],
            snowsql: &["--authenticator"],
            python: &["authenticator"],
            node: &["authenticator"],
        },
        aliases: &[],
        ty: OptionType::OneOf(&["snowflake", "username_password_mfa"]),
        default: Some("snowflake"),
        support: Support::Used,
        doc: "`snowflake` (password; Duo if the user is enrolled) or `username_password_mfa` (password + Duo, MFA-token caching).",
    },
    OptionSpec {
        name: "passcode",
        drivers: DriverNames {
            jdbc: &["passcode"],
            odbc: &["passcode"],
            snowsql: &["--mfa-passcode"],
            python: &["passcode"],
            node: &["passcode"],
        },
        aliases: &[],
        ty: OptionType::Secret,
        default: None,
        support: Support::Used,
        doc: "Duo passcode (from the Duo app, an SMS or a hardware token) instead of a push.",
    },
    OptionSpec {
        name: "passcode_in_password",
        drivers: DriverNames {
            jdbc: &["passcodeInPassword"],
            odbc: &["passcodeInPassword"],
            snowsql: &["--mfa-passcode-in-password"],
            python: &["passcode_in_password"],
            node: &["passcodeInPassword"],
        },
        aliases: &[],
        ty: OptionType::Bool,
        default: Some("false"),
        support: Support::Used,
        doc: "The password ends with the Duo passcode; the server splits off the last 6 digits. Wins over `passcode` (as in every driver; Node.js documents it).",
    },
    OptionSpec {
        name: "login_timeout",
        drivers: DriverNames {
            jdbc: &["loginTimeout"],
            odbc: &["login_timeout"],
            snowsql: &[],
            python: &["login_timeout"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::Seconds,
        default: Some("120"),
        support: Support::Used,
        doc: "Seconds for the whole login: connects, retries and the wait for Duo approval. 0 means no limit, as in JDBC and ODBC (a push still ends with the service's own push timeout).",
    },
    OptionSpec {
        name: "ca_file",
        drivers: DriverNames {
            odbc: &["CABundleFile"],
            ..NO_DRIVER
        },
        aliases: &["cafile"],
        ty: OptionType::Path,
        default: None,
        support: Support::Used,
        doc: "PEM file of the certificate authorities to trust instead of the built-in web roots (private CA, TLS-inspecting proxy).",
    },
    OptionSpec {
        name: "database",
        drivers: DriverNames {
            jdbc: &["db", "database"],
            odbc: &["database"],
            snowsql: &["--dbname"],
            python: &["database"],
            node: &["database"],
        },
        aliases: &["databaseName"],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Database of the session (sent as `databaseName`).",
    },
    OptionSpec {
        name: "schema",
        drivers: DriverNames {
            jdbc: &["schema"],
            odbc: &["schema"],
            snowsql: &["--schemaname"],
            python: &["schema"],
            node: &["schema"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Schema of the session (sent as `schemaName`).",
    },
    OptionSpec {
        name: "warehouse",
        drivers: DriverNames {
            jdbc: &["warehouse"],
            odbc: &["warehouse"],
            snowsql: &["--warehouse", "warehousename"],
            python: &["warehouse"],
            node: &["warehouse"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Warehouse of the session.",
    },
    OptionSpec {
        name: "role",
        drivers: DriverNames {
            jdbc: &["role"],
            odbc: &["role"],
            snowsql: &["--rolename"],
            python: &["role"],
            node: &["role"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Role of the session (sent as `roleName`).",
    },
    OptionSpec {
        name: "client_store_temporary_credential",
        drivers: DriverNames {
            jdbc: &["clientStoreTemporaryCredential", "clientRequestMfaToken"],
            odbc: &[
                "CLIENT_STORE_TEMPORARY_CREDENTIAL",
                "CLIENT_REQUEST_MFA_TOKEN",
            ],
            snowsql: &[],
            python: &[
                "client_store_temporary_credential",
                "client_request_mfa_token",
            ],
            node: &["clientStoreTemporaryCredential", "clientRequestMFAToken"],
        },
        aliases: &[],
        ty: OptionType::Bool,
        default: Some("true"),
        support: Support::Used,
        doc: "Cache the MFA token (with `authenticator=username_password_mfa`): one Duo prompt, then up to four hours without one. On by default on every OS, Linux included.",
    },
    OptionSpec {
        name: "token_cache",
        drivers: NO_DRIVER,
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
        support: Support::Used,
        doc: "Where MFA tokens are cached: `auto` (the OS keystore when one is usable, else the file), `keystore` (the OS keystore only), `secret-service`, `keyutils`, `file` (`credential_cache_v2.json`, owner-only), `memory` (this process only), `none`.",
    },
    OptionSpec {
        name: "application",
        drivers: DriverNames {
            jdbc: &["application"],
            odbc: &["application"],
            snowsql: &[],
            python: &["application"],
            node: &["application"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Name of the application or driver on top of sfmfa, reported to the server in `CLIENT_ENVIRONMENT`.",
    },
    OptionSpec {
        name: "region",
        drivers: DriverNames {
            jdbc: &[],
            odbc: &[],
            snowsql: &["--region"],
            python: &["region"],
            node: &["region"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: None,
        support: Support::Used,
        doc: "Region of the account, for the default host `<account>.<region>.snowflakecomputing.com` when the account has no region suffix (`us-west-2` adds nothing). Snowflake deprecates it for an account identifier with the region.",
    },
    // Accepted, not used.
    ignored(
        "client_session_keep_alive",
        DriverNames {
            jdbc: &["CLIENT_SESSION_KEEP_ALIVE"],
            odbc: &["CLIENT_SESSION_KEEP_ALIVE"],
            snowsql: &[],
            python: &["client_session_keep_alive"],
            node: &["clientSessionKeepAlive"],
        },
        "Session heartbeats: the driver's business after the login.",
    ),
    ignored(
        "client_session_keep_alive_heartbeat_frequency",
        DriverNames {
            jdbc: &["CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY"],
            odbc: &[],
            snowsql: &[],
            python: &["client_session_keep_alive_heartbeat_frequency"],
            node: &["clientSessionKeepAliveHeartbeatFrequency"],
        },
        "Session heartbeats: the driver's business after the login.",
    ),
    ignored(
        "tracing",
        DriverNames {
            jdbc: &["tracing"],
            odbc: &["tracing"],
            ..NO_DRIVER
        },
        "The driver's log level; sfmfa logs through the `log` crate.",
    ),
    ignored(
        "network_timeout",
        DriverNames {
            jdbc: &["networkTimeout"],
            odbc: &["network_timeout"],
            snowsql: &[],
            python: &["network_timeout"],
            node: &[],
        },
        "Timeout of the driver's requests after the login; the login itself is bounded by `login_timeout`.",
    ),
    ignored(
        "query_timeout",
        DriverNames {
            jdbc: &["queryTimeout"],
            ..NO_DRIVER
        },
        "Query setting; sfmfa runs no query.",
    ),
    ignored(
        "socket_timeout",
        DriverNames {
            python: &["socket_timeout"],
            ..NO_DRIVER
        },
        "Socket timeout of the driver's requests; the login is bounded by `login_timeout`.",
    ),
    ignored(
        "timezone",
        DriverNames {
            python: &["timezone"],
            ..NO_DRIVER
        },
        "Session parameter the driver sets after the login.",
    ),
    ignored(
        "autocommit",
        DriverNames {
            python: &["autocommit"],
            ..NO_DRIVER
        },
        "Session parameter the driver sets after the login.",
    ),
    ignored(
        "validate_default_parameters",
        DriverNames {
            jdbc: &["validateDefaultParameters"],
            odbc: &[],
            snowsql: &[],
            python: &["validate_default_parameters"],
            node: &["validateDefaultParameters"],
        },
        "The driver's check of database, schema, warehouse and role after the login.",
    ),
    ignored(
        "client_prefetch_threads",
        DriverNames {
            jdbc: &["CLIENT_PREFETCH_THREADS"],
            odbc: &[],
            snowsql: &[],
            python: &["client_prefetch_threads"],
            node: &[],
        },
        "Query-result download setting; sfmfa runs no query.",
    ),
    ignored(
        "driver",
        DriverNames {
            odbc: &["Driver"],
            ..NO_DRIVER
        },
        "The ODBC driver's name (`Driver={SnowflakeDSIIDriver}`), for the driver manager.",
    ),
    ignored(
        "no_proxy",
        DriverNames {
            jdbc: &["nonProxyHosts"],
            odbc: &["no_proxy"],
            snowsql: &[],
            python: &[],
            node: &["noProxy"],
        },
        "Hosts reached without a proxy; sfmfa uses `NO_PROXY` of the environment.",
    ),
    not_honoured(
        "insecure_mode",
        DriverNames {
            jdbc: &["insecureMode"],
            odbc: &[],
            snowsql: &[],
            python: &["insecure_mode", "disable_ocsp_checks"],
            node: &["insecureConnect"],
        },
        OptionType::Bool,
        Some("false"),
        WarnWhen::True,
        "sfmfa has no switch that weakens TLS: it always verifies the certificate chain and the host name (and checks no revocation through OCSP, with or without this option); for a private CA or a TLS-inspecting proxy set ca_file",
        "Drivers: skip OCSP revocation checks.",
    ),
    not_honoured(
        "ocsp_fail_open",
        DriverNames {
            jdbc: &["ocspFailOpen"],
            odbc: &[],
            snowsql: &[],
            python: &["ocsp_fail_open"],
            node: &["ocspFailOpen"],
        },
        OptionType::Bool,
        Some("true"),
        WarnWhen::False,
        "sfmfa checks no certificate revocation through OCSP, so it cannot fail closed on it; certificates are verified against the trust roots (or ca_file)",
        "Drivers: what to do when the OCSP responder cannot be reached.",
    ),
    not_honoured(
        "proxy",
        DriverNames {
            odbc: &["proxy"],
            ..NO_DRIVER
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        PROXY_REASON,
        "Drivers: the proxy as `host:port`.",
    ),
    not_honoured(
        "use_proxy",
        DriverNames {
            jdbc: &["useProxy"],
            ..NO_DRIVER
        },
        OptionType::Bool,
        Some("false"),
        WarnWhen::True,
        PROXY_REASON,
        "Drivers: connect through the proxy of `proxyHost`/`proxyPort`.",
    ),
    not_honoured(
        "proxy_host",
        DriverNames {
            jdbc: &["proxyHost"],
            odbc: &[],
            snowsql: &[],
            python: &["proxy_host"],
            node: &["proxyHost"],
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        PROXY_REASON,
        "Drivers: the proxy's host.",
    ),
    not_honoured(
        "proxy_port",
        DriverNames {
            jdbc: &["proxyPort"],
            odbc: &[],
            snowsql: &[],
            python: &["proxy_port"],
            node: &["proxyPort"],
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        PROXY_REASON,
        "Drivers: the proxy's port.",
    ),
    not_honoured(
        "proxy_user",
        DriverNames {
            jdbc: &["proxyUser"],
            odbc: &[],
            snowsql: &[],
            python: &["proxy_user"],
            node: &["proxyUser"],
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        PROXY_REASON,
        "Drivers: the proxy's user.",
    ),
    not_honoured(
        "proxy_password",
        DriverNames {
            jdbc: &["proxyPassword"],
            odbc: &[],
            snowsql: &[],
            python: &["proxy_password"],
            node: &["proxyPassword"],
        },
        OptionType::Secret,
        None,
        WarnWhen::Set,
        PROXY_REASON,
        "Drivers: the proxy's password (a secret: never shown, never kept).",
    ),
    not_honoured(
        "dsn",
        DriverNames {
            odbc: &["DSN"],
            ..NO_DRIVER
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        DSN_REASON,
        "ODBC: the data source whose odbc.ini section holds the other keys.",
    ),
    not_honoured(
        "filedsn",
        DriverNames {
            odbc: &["FILEDSN"],
            ..NO_DRIVER
        },
        OptionType::Text,
        None,
        WarnWhen::Set,
        DSN_REASON,
        "ODBC: a file data source holding the other keys.",
    ),
];

/// The form names are compared in: leading dashes dropped, `_` and `-` dropped, ASCII lower case.
pub fn normalize_name(name: &str) -> String {
    name.trim()
        .trim_start_matches('-')
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

static BY_NAME: LazyLock<HashMap<String, &'static OptionSpec>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for spec in OPTIONS {
        for name in spec.names() {
            // The first entry wins; a test checks that no name belongs to two options.
            map.entry(normalize_name(name)).or_insert(spec);
        }
    }
    map
});

/// Finds an option by its canonical name, an alias or a driver's name for it, ignoring case, `_`,
/// `-` and leading dashes.
pub fn find_option(name: &str) -> Option<&'static OptionSpec> {
    BY_NAME.get(&normalize_name(name)).copied()
}

/// The option whose name is nearest to `name` (the edit distance between the normalised forms,
/// counting a swap of two neighbours as one edit), for "did you mean" messages. `None` for an empty
/// name and for one longer than 64 characters (no option name is that long, and the distance costs
/// length × length).
pub fn nearest_option(name: &str) -> Option<&'static OptionSpec> {
    let wanted = normalize_name(name);
    if wanted.is_empty() || wanted.chars().count() > 64 {
        return None;
    }
    BY_NAME
        .iter()
        .map(|(known, spec)| (strsim::osa_distance(&wanted, known), spec.name, *spec))
        // Ties are broken by name so that the answer does not depend on the map's order.
        .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))
        .map(|(_, _, spec)| spec)
}

/// Which of two given values of one option a connection string keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// The first (ODBC's rule for a repeated keyword, `SQLDriverConnect`).
    First,
    /// The last (the JDBC driver's rule: later keys overwrite earlier ones).
    Last,
}

/// What a [`ConfigWarning`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A key no option knows; ignored.
    UnknownKey {
        /// The option whose name is nearest.
        nearest: Option<&'static str>,
    },
    /// A key no option knows, right after the value of a secret option: it may be the rest of that
    /// value (a `;` or `&` inside it), so its name is not shown.
    UnknownKeyAfterSecret {
        /// The secret option's key as given (e.g. `PWD`).
        secret_key: String,
        /// How to write such a value in this format.
        hint: &'static str,
    },
    /// An option sfmfa accepts but does not act on, given a value that asks for what sfmfa does not do.
    NotHonoured {
        /// The option.
        option: &'static str,
        /// What sfmfa does instead.
        reason: &'static str,
    },
    /// An option given twice with different values.
    Duplicate {
        /// The option.
        option: &'static str,
        /// The key of the other occurrence.
        other_key: String,
        /// Where the other occurrence is (byte offset).
        other_position: Option<usize>,
        /// Which one is used.
        kept: Kept,
    },
    /// Text without `=`; ignored (never shown: it may be part of a secret).
    NoEquals,
    /// A value without a key (`=value`); ignored.
    EmptyKey,
}

/// Something about a configuration that is not an error but must not go unnoticed: an unknown key, an
/// option sfmfa does not honour, a repeated option. `Display` names keys and byte positions, never a
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    kind: WarningKind,
    key: Option<String>,
    position: Option<usize>,
}

impl ConfigWarning {
    /// A warning about `key` (as given, shortened for display) at byte `position` of a connection
    /// string, if it came from one.
    pub(crate) fn new(kind: WarningKind, key: Option<&str>, position: Option<usize>) -> Self {
        ConfigWarning {
            kind,
            key: key.map(printable),
            position,
        }
    }

    /// What the warning is about.
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// The key as given, when it is shown.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The byte offset (0-based) of the key in the connection string, when it came from one.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The canonical option the warning is about, when there is one.
    pub fn option(&self) -> Option<&'static str> {
        match &self.kind {
            WarningKind::NotHonoured { option, .. } | WarningKind::Duplicate { option, .. } => {
                Some(option)
            }
            _ => None,
        }
    }
}

fn at(position: Option<usize>) -> String {
    position.map_or_else(String::new, |p| format!(" at byte {p}"))
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.as_deref().unwrap_or("?");
        let at_key = at(self.position);
        match &self.kind {
            WarningKind::UnknownKey { nearest } => {
                match &self.key {
                    Some(key) => write!(f, "unknown key '{key}'{at_key} ignored")?,
                    None => write!(
                        f,
                        "unknown key{at_key} ignored; it is not shown because it is not a plain name"
                    )?,
                }
                if let Some(n) = nearest {
                    write!(f, "; nearest known name: '{n}'")?;
                }
                Ok(())
            }
            WarningKind::UnknownKeyAfterSecret { secret_key, hint } => write!(
                f,
                "unknown key{at_key} ignored; its name is not shown because it follows the value of '{secret_key}' and may be part of it ({hint})"
            ),
            WarningKind::NotHonoured { option, reason } => {
                if key.eq_ignore_ascii_case(option) {
                    write!(f, "option '{option}'{at_key} is not honoured: {reason}")
                } else {
                    write!(
                        f,
                        "'{key}'{at_key} (option '{option}') is not honoured: {reason}"
                    )
                }
            }
            WarningKind::Duplicate {
                option,
                other_key,
                other_position,
                kept,
            } => {
                let which = match kept {
                    Kept::First => "the first one is used (the ODBC rule)",
                    Kept::Last => "the last one is used (the JDBC rule)",
                };
                write!(
                    f,
                    "option '{option}' is given twice with different values, as '{other_key}'{} and '{key}'{at_key}; {which}",
                    at(*other_position)
                )
            }
            WarningKind::NoEquals => write!(f, "text without '='{at_key} ignored"),
            WarningKind::EmptyKey => write!(f, "a value without a key{at_key} ignored"),
        }
    }
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
    pub(crate) region: Option<String>,
    pub(crate) store_temporary_credential: bool,
    pub(crate) token_cache: TokenCacheChoice,
    /// Which binding drives the library ("Rust", "C", …), for the User-Agent.
    pub(crate) binding: (Cow<'static, str>, Cow<'static, str>),
    /// What was accepted but deserves a look (unknown keys, options not honoured, repeats).
    pub(crate) warnings: Vec<ConfigWarning>,
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
            region: None,
            store_temporary_credential: true,
            token_cache: TokenCacheChoice::Auto,
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
    /// ignored) from its text form. An empty value unsets an optional option. Errors name the option,
    /// never a secret's value; an unknown name is an error ([`ErrorKind::UnknownOption`]). Setting an
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
            let mut message = format!("unknown option '{}'", printable(name));
            if let Some(near) = nearest_option(name) {
                message.push_str(&format!("; nearest known name: '{}'", near.name));
            }
            Error::new(ErrorKind::UnknownOption, message)
        })?;
        match spec.support {
            Support::Used => self.apply(spec, value)?,
            Support::Ignored => check_type(spec, value)?,
            Support::NotHonoured { when, reason } => {
                check_type(spec, value)?;
                // A later value replaces what an earlier one said.
                self.warnings.retain(|w| {
                    !matches!(w.kind, WarningKind::NotHonoured { option, .. } if option == spec.name)
                });
                if when.applies(value) {
                    self.push_warning(ConfigWarning::new(
                        WarningKind::NotHonoured {
                            option: spec.name,
                            reason,
                        },
                        Some(name.trim()),
                        position,
                    ));
                }
            }
        }
        Ok(spec)
    }

    /// Stores the value of an option sfmfa uses.
    fn apply(&mut self, spec: &'static OptionSpec, value: &str) -> Result<(), Error> {
        let text = || non_empty(value);
        match spec.name {
            "account" => self.account = text(),
            "user" => self.user = text(),
            "password" => self.password = exact(value).map(Secret::new),
            "host" => self.host = parse_opt(spec, value, parse_host)?,
            "port" => self.port = parse_opt(spec, value, parse_port)?,
            "protocol" => {
                self.protocol = match parse_one_of(spec, value)? {
                    "http" => Protocol::Http,
                    _ => Protocol::Https,
                }
            }
            "ssl" => {
                self.protocol = match parse_opt(spec, value, parse_bool)? {
                    Some(false) => Protocol::Http,
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
            "region" => self.region = text(),
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
                format!("unknown option '{}'", printable(name)),
            )
        })?;
        let text = |v: &Option<String>| v.clone();
        let secret = |v: &Option<Secret>| v.as_ref().map(|_| "****".to_owned());
        let flag = |b: bool| Some(b.to_string());
        Ok(match spec.name {
            "account" => text(&self.account),
            "user" => text(&self.user),
            "password" => secret(&self.password),
            "host" => (self.host.is_some() || self.account.is_some()).then(|| self.host()),
            "port" => Some(self.port().to_string()),
            "protocol" => Some(
                match self.protocol {
                    Protocol::Http => "http",
                    Protocol::Https => "https",
                }
                .to_owned(),
            ),
            "ssl" => flag(self.protocol == Protocol::Https),
            "authenticator" => Some(
                match self.authenticator {
                    Authenticator::Snowflake => "snowflake",
                    Authenticator::UsernamePasswordMfa => "username_password_mfa",
                }
                .to_owned(),
            ),
            "passcode" => secret(&self.passcode),
            "passcode_in_password" => flag(self.passcode_in_password),
            "login_timeout" => Some(self.login_timeout.as_secs_f64().to_string()),
            "ca_file" => self.ca_file.as_ref().map(|p| p.display().to_string()),
            "database" => text(&self.database),
            "schema" => text(&self.schema),
            "warehouse" => text(&self.warehouse),
            "role" => text(&self.role),
            "application" => text(&self.application),
            "region" => text(&self.region),
            "client_store_temporary_credential" => flag(self.store_temporary_credential),
            "token_cache" => Some(
                match self.token_cache {
                    TokenCacheChoice::Auto => "auto",
                    TokenCacheChoice::Keystore => "keystore",
                    TokenCacheChoice::SecretService => "secret-service",
                    TokenCacheChoice::Keyutils => "keyutils",
                    TokenCacheChoice::File => "file",
                    TokenCacheChoice::Memory => "memory",
                    TokenCacheChoice::None => "none",
                }
                .to_owned(),
            ),
            _ => None,
        })
    }

    /// What was accepted but deserves a look: unknown keys of a connection string (with the nearest
    /// known name), options sfmfa does not honour given a value it would have to act on, options given
    /// twice. In the order they were found; none of them names a value.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Records a warning and logs it at `warn` level.
    pub(crate) fn push_warning(&mut self, warning: ConfigWarning) {
        log::warn!("sfmfa configuration: {warning}");
        self.warnings.push(warning);
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
                format!("{account}.{region}.snowflakecomputing.com")
            }
            _ => format!("{account}.snowflakecomputing.com"),
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

/// A value kept exactly as given (a password may start or end with a space); blank means unset.
fn exact(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.to_owned())
}

/// Option names come from callers and may hold anything; keep messages short and on one line.
pub(crate) fn printable(name: &str) -> String {
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

/// Checks that a value parses as its option's type, for options whose value sfmfa does not keep.
fn check_type(spec: &OptionSpec, value: &str) -> Result<(), Error> {
    match spec.ty {
        OptionType::Bool => parse_opt(spec, value, parse_bool).map(drop),
        OptionType::Port => parse_opt(spec, value, parse_port).map(drop),
        OptionType::Seconds => parse_opt(spec, value, parse_seconds).map(drop),
        OptionType::OneOf(_) => parse_one_of(spec, value).map(drop),
        OptionType::Text | OptionType::Secret | OptionType::Path => Ok(()),
    }
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

/// A host name or an IP address: no scheme, user, path, query or blank.
fn parse_host(v: &str) -> Result<String, &'static str> {
    if v.contains("://") {
        return Err("a host name without a scheme, e.g. xy12345.snowflakecomputing.com");
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "/@?#\\\"'<>{}|^`".contains(c);
    if v.chars().any(bad) {
        return Err("a host name or an IP address, without user, path or query");
    }
    Ok(v.to_ascii_lowercase())
}

fn parse_port(v: &str) -> Result<u16, &'static str> {
    match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err("a port number from 1 to 65535"),
    }
}

/// A password followed by a 6-digit passcode, split in two: the rule of `passcode_in_password`
/// (the service splits off the last 6 digits).
fn split_passcode(pw: &str) -> Option<(&str, &str)> {
    let at = pw.len().checked_sub(6).filter(|at| *at > 0)?;
    (pw.is_char_boundary(at) && pw.as_bytes()[at..].iter().all(u8::is_ascii_digit))
        .then(|| pw.split_at(at))
}

/// Seconds, 0 included: for `login_timeout`, 0 means no limit, as in JDBC and ODBC.
fn parse_seconds(v: &str) -> Result<Duration, &'static str> {
    const EXPECTED: &str = "a number of seconds from 0 (no limit) to 86400";
    let secs: f64 = v.parse().map_err(|_| EXPECTED)?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(EXPECTED);
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The option table as Markdown, for the README (between `<!-- options:begin -->` and
/// `<!-- options:end -->`; `tests/readme_options.rs` checks that it is current): the options sfmfa uses,
/// then those it accepts without using, each with the names every official driver gives it.
pub fn markdown_table() -> String {
    let code = |names: &[&str]| -> String {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::new();
    out.push_str("Options sfmfa uses:\n\n");
    out.push_str(
        "| option | JDBC | ODBC | SnowSQL | Python | Node.js | type | default | meaning |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for spec in OPTIONS.iter().filter(|s| s.support == Support::Used) {
        let mut name = format!("`{}`", spec.name);
        if !spec.aliases.is_empty() {
            name.push_str(&format!(" (also {})", code(spec.aliases)));
        }
        let jdbc = match spec.name {
            "host" => "the URL's host".to_owned(),
            "port" => "the URL's port".to_owned(),
            "protocol" => "`http://` in the URL, `ssl`".to_owned(),
            _ => code(spec.drivers.jdbc),
        };
        let ty = match spec.ty {
            OptionType::OneOf(words) => words.join(" \\| "),
            other => other.describe().to_owned(),
        };
        out.push_str(&format!(
            "| {name} | {jdbc} | {} | {} | {} | {} | {ty} | {} | {} |\n",
            code(spec.drivers.odbc),
            code(spec.drivers.snowsql),
            code(spec.drivers.python),
            code(spec.drivers.node),
            spec.default.map(|d| format!("`{d}`")).unwrap_or_default(),
            cell(spec.doc),
        ));
    }
    out.push_str("\nAccepted from drivers' strings but not used by sfmfa:\n\n");
    out.push_str("| option | JDBC | ODBC | SnowSQL | Python | Node.js | what sfmfa does |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for spec in OPTIONS.iter().filter(|s| s.support != Support::Used) {
        let does = match spec.support {
            Support::NotHonoured { when, reason } => {
                let when = match when {
                    WarnWhen::Set => "set",
                    WarnWhen::True => "true",
                    WarnWhen::False => "false",
                };
                format!(
                    "{} Not honoured; a warning when {when}: {reason}.",
                    spec.doc
                )
            }
            _ => format!("{} Ignored.", spec.doc),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            spec.name,
            code(spec.drivers.jdbc),
            code(spec.drivers.odbc),
            code(spec.drivers.snowsql),
            code(spec.drivers.python),
            code(spec.drivers.node),
            cell(&does),
        ));
    }
    out
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
    fn every_name_belongs_to_one_option() {
        let mut owner = std::collections::HashMap::new();
        for spec in OPTIONS {
            for n in spec.names() {
                let previous = owner.insert(normalize_name(n), spec.name);
                assert!(
                    previous.is_none() || previous == Some(spec.name),
                    "{n} names both {previous:?} and {}",
                    spec.name
                );
                assert_eq!(find_option(n).map(|s| s.name), Some(spec.name), "{n}");
            }
        }
        assert!(find_option("").is_none() && find_option("--").is_none());
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
    fn names_ignore_case_separators_and_leading_dashes() {
        for n in [
            "passcodeInPassword",
            "PASSCODE_IN_PASSWORD",
            "passcode-in-password",
            "--mfa-passcode-in-password",
            "Mfa_Passcode_In_Password",
        ] {
            assert_eq!(
                find_option(n).map(|s| s.name),
                Some("passcode_in_password"),
                "{n}"
            );
        }
        assert_eq!(
            nearest_option("wharehouse").map(|s| s.name),
            Some("warehouse")
        );
        assert_eq!(
            nearest_option("passcodeInPasword").map(|s| s.name),
            Some("passcode_in_password")
        );
        assert!(
            nearest_option(&"warehouse".repeat(8)).is_none(),
            "too long to compare"
        );
        assert!(nearest_option("--").is_none());
        let e = Config::new().set("wharehouse", "w").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownOption);
        assert!(e.message().contains("'warehouse'"), "{}", e.message());
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
    fn markdown_table_lists_every_option_and_name() {
        let table = markdown_table();
        for spec in OPTIONS {
            assert!(table.contains(&format!("`{}`", spec.name)), "{}", spec.name);
            for n in spec
                .drivers
                .by_driver()
                .iter()
                .flat_map(|(_, names)| names.iter())
            {
                assert!(table.contains(&format!("`{n}`")), "{n}");
            }
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
