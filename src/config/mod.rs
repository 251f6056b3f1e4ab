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
//!
//! # Modules
//!
//! - `options`: the table ([`OPTIONS`], [`OptionSpec`], [`OptionId`]);
//! - `defaults`: the defaults of the options sfmfa uses, which the table shows;
//! - `choices`: the word options as types ([`Authenticator`], [`Protocol`], [`TokenCacheChoice`]);
//! - `lookup`: names ([`find_option`], [`nearest_option`], [`normalize_name`]);
//! - `values`: the parsers of values ([`parse_bool`], [`is_loopback`], …);
//! - `warnings`: [`ConfigWarning`];
//! - `settings`: [`Config`];
//! - `markdown`: [`markdown_table`], the table for the README;
//! - [`connstr`]: JDBC URLs and ODBC connection strings.

mod choices;
pub mod connstr;
mod defaults;
mod lookup;
mod markdown;
mod options;
mod settings;
mod values;
mod warnings;

pub use choices::{Authenticator, Protocol, TokenCacheChoice};
pub use lookup::{find_option, nearest_option, normalize_name};
pub(crate) use lookup::{printable, shows_name};
pub use markdown::markdown_table;
pub use options::{DriverNames, OPTIONS, OptionId, OptionSpec, OptionType, Support, WarnWhen};
pub use settings::Config;
pub use values::{MAX_VALUE_LEN, is_loopback, parse_bool};
pub use warnings::{ConfigWarning, Kept, MAX_WARNINGS, WarningKind};
