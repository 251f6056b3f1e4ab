//! The option table: every option sfmfa understands, with its names, type, default and documentation.

use super::choices::{Authenticator, Protocol, TokenCacheChoice};
use super::defaults;

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

/// What sfmfa does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The option shapes the login.
    Used,
    /// Accepted so that drivers' strings work as they are; it does not matter to a login (session
    /// settings, driver logging and tuning). No warning.
    Ignored,
    /// Accepted but never acted on, because acting on it would change security or routing; a
    /// [`ConfigWarning`](super::ConfigWarning) is recorded when the value asks for what sfmfa does not do.
    NotHonoured {
        /// Which values make the warning.
        when: WarnWhen,
        /// What sfmfa does instead (the text of the warning).
        reason: &'static str,
    },
}

/// Which option a table row is: [`Config`](super::Config) stores and reads an option by matching on
/// it, so the compiler checks that every option sfmfa uses is handled. Each option sfmfa uses has
/// its own identifier, in one row; the options it accepts without using share [`OptionId::NotUsed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionId {
    /// `account`.
    Account,
    /// `user`.
    User,
    /// `password`.
    Password,
    /// `host`.
    Host,
    /// `port`.
    Port,
    /// `protocol`.
    Protocol,
    /// `ssl`.
    Ssl,
    /// `authenticator`.
    Authenticator,
    /// `passcode`.
    Passcode,
    /// `passcode_in_password`.
    PasscodeInPassword,
    /// `login_timeout`.
    LoginTimeout,
    /// `ca_file`.
    CaFile,
    /// `database`.
    Database,
    /// `schema`.
    Schema,
    /// `warehouse`.
    Warehouse,
    /// `role`.
    Role,
    /// `client_store_temporary_credential`.
    ClientStoreTemporaryCredential,
    /// `token_cache`.
    TokenCache,
    /// `credential_cache_dir`.
    CredentialCacheDir,
    /// `application`.
    Application,
    /// `region`.
    Region,
    /// Every option sfmfa accepts without using ([`Support::Ignored`], [`Support::NotHonoured`]).
    NotUsed,
}

/// One option: how it is named, typed and documented.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The canonical name (snake case).
    pub name: &'static str,
    /// Which option it is, for [`Config`](super::Config) to store and read it.
    pub id: OptionId,
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

const PROXY_REASON: &str = "sfmfa takes no proxy from connection options; it uses the proxy of the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY) when one is set, else connects directly";
const DSN_REASON: &str = "sfmfa reads no odbc.ini or registry data source: only the keys in the connection string are used";

/// A table row for an option drivers pass that does not matter to a login: text, accepted silently.
const fn ignored(name: &'static str, drivers: DriverNames, doc: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        id: OptionId::NotUsed,
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
        id: OptionId::NotUsed,
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
        id: OptionId::Account,
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
        id: OptionId::User,
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
        id: OptionId::Password,
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
        id: OptionId::Host,
        drivers: DriverNames {
            jdbc: &[],
            odbc: &["server"],
            snowsql: &["--host"],
            python: &["host"],
            node: &["host"],
        },
        aliases: &[],
        ty: OptionType::Text,
        default: Some(defaults::HOST_TEXT),
        support: Support::Used,
        doc: "Host name of the Snowflake service (a name or an IP address, no scheme or path). In a JDBC URL, the URL's host.",
    },
    OptionSpec {
        name: "port",
        id: OptionId::Port,
        drivers: DriverNames {
            jdbc: &[],
            odbc: &["port"],
            snowsql: &["--port"],
            python: &["port"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::Port,
        default: Some(defaults::HTTPS_PORT_TEXT),
        support: Support::Used,
        doc: "TCP port (default 443 for https, 80 for http). In a JDBC URL, the URL's port.",
    },
    OptionSpec {
        name: "protocol",
        id: OptionId::Protocol,
        drivers: DriverNames {
            jdbc: &[],
            odbc: &[],
            snowsql: &[],
            python: &["protocol"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::OneOf(Protocol::WORDS),
        default: Some(defaults::PROTOCOL.as_str()),
        support: Support::Used,
        doc: "`https`, or `http` for a loopback host only. In a JDBC URL, `jdbc:snowflake://http://…` or `ssl=off`.",
    },
    OptionSpec {
        name: "ssl",
        id: OptionId::Ssl,
        drivers: DriverNames {
            jdbc: &["ssl"],
            ..NO_DRIVER
        },
        aliases: &[],
        ty: OptionType::Bool,
        default: Some(defaults::SSL_TEXT),
        support: Support::Used,
        doc: "JDBC's switch for the protocol: `off` is `protocol=http` (loopback hosts only), `on` is `protocol=https`.",
    },
    OptionSpec {
        name: "authenticator",
        id: OptionId::Authenticator,
        drivers: DriverNames {
            jdbc: &["authenticator"],
            odbc: &["authenticator"],
            snowsql: &["--authenticator"],
            python: &["authenticator"],
            node: &["authenticator"],
        },
        aliases: &[],
        ty: OptionType::OneOf(Authenticator::WORDS),
        default: Some(defaults::AUTHENTICATOR.as_str()),
        support: Support::Used,
        doc: "`snowflake` (password; Duo if the user is enrolled) or `username_password_mfa` (password + Duo, MFA-token caching).",
    },
    OptionSpec {
        name: "passcode",
        id: OptionId::Passcode,
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
        id: OptionId::PasscodeInPassword,
        drivers: DriverNames {
            jdbc: &["passcodeInPassword"],
            odbc: &["passcodeInPassword"],
            snowsql: &["--mfa-passcode-in-password"],
            python: &["passcode_in_password"],
            node: &["passcodeInPassword"],
        },
        aliases: &[],
        ty: OptionType::Bool,
        default: Some(defaults::flag(defaults::PASSCODE_IN_PASSWORD)),
        support: Support::Used,
        doc: "The password ends with the Duo passcode; the server splits off the last 6 digits. Wins over `passcode` (as in every driver; Node.js documents it).",
    },
    OptionSpec {
        name: "login_timeout",
        id: OptionId::LoginTimeout,
        drivers: DriverNames {
            jdbc: &["loginTimeout"],
            odbc: &["login_timeout"],
            snowsql: &[],
            python: &["login_timeout"],
            node: &[],
        },
        aliases: &[],
        ty: OptionType::Seconds,
        default: Some(defaults::LOGIN_TIMEOUT_TEXT),
        support: Support::Used,
        doc: "Seconds for the whole login: connects, retries and the wait for Duo approval. 0 means no limit, as in JDBC and ODBC (a push still ends with the service's own push timeout).",
    },
    OptionSpec {
        name: "ca_file",
        id: OptionId::CaFile,
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
        id: OptionId::Database,
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
        id: OptionId::Schema,
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
        id: OptionId::Warehouse,
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
        id: OptionId::Role,
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
        id: OptionId::ClientStoreTemporaryCredential,
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
        default: Some(defaults::flag(defaults::STORE_TEMPORARY_CREDENTIAL)),
        support: Support::Used,
        doc: "Cache the MFA token (with `authenticator=username_password_mfa`): one Duo prompt, then up to four hours without one. On by default on every OS, Linux included.",
    },
    OptionSpec {
        name: "token_cache",
        id: OptionId::TokenCache,
        drivers: NO_DRIVER,
        aliases: &[],
        ty: OptionType::OneOf(TokenCacheChoice::WORDS),
        default: Some(defaults::TOKEN_CACHE.as_str()),
        support: Support::Used,
        doc: "Where MFA tokens are cached: `auto` (the OS keystore when one is usable, else the file), `keystore` (the OS keystore only), `secret-service`, `keyutils`, `file` (`credential_cache_v2.json`, owner-only), `memory` (this process only), `none`.",
    },
    OptionSpec {
        name: "credential_cache_dir",
        id: OptionId::CredentialCacheDir,
        drivers: DriverNames {
            // A Java system property of snowflake-jdbc (`-Dnet.snowflake.jdbc.temporaryCredentialCacheDir=…`),
            // accepted here as a connection property too.
            jdbc: &["net.snowflake.jdbc.temporaryCredentialCacheDir"],
            odbc: &[],
            snowsql: &[],
            python: &[],
            node: &["credentialCacheDir"],
        },
        aliases: &[],
        ty: OptionType::Path,
        default: None,
        support: Support::Used,
        doc: "The directory of the token cache file `credential_cache_v2.json` (`token_cache=file`, the file `auto` falls back to and reads through), instead of `$SF_TEMPORARY_CREDENTIAL_CACHE_DIR`, `$XDG_CACHE_HOME/snowflake` or `~/.cache/snowflake`. The same rules as there: created 0700, owned by the user, never a symbolic link.",
    },
    OptionSpec {
        name: "application",
        id: OptionId::Application,
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
        id: OptionId::Region,
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
