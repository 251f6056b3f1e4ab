//! Connection profiles: `connections.toml` of the `snow` CLI and the Python connector, SnowSQL's
//! `~/.snowsql/config`, and the `SNOWFLAKE_*` environment variables. Precedence (the layers of
//! [`base`], then the command line): flags > environment > profile.
//!
//! Which profile applies:
//!
//! - `-c NAME`: connection NAME of `connections.toml`; when that file does not have it,
//!   `[connections.NAME]` of SnowSQL's file (over its `[connections]` defaults, as SnowSQL does).
//!   When both have it, `connections.toml` wins, as it does for the newer tools that read it, and a
//!   note on stderr says that SnowSQL's is not used. In neither: an error.
//! - no `-c`: the default connection named by `SNOWFLAKE_DEFAULT_CONNECTION_NAME` or
//!   `default_connection_name` of `config.toml`, looked up the same way; when none is named,
//!   SnowSQL's default connection, `[connections]`.
//!
//! `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` overrides key KEY of connection NAME, whichever file it
//! comes from (or defines it).

mod connections_toml;
mod environment;
mod permissions;
mod snowsql;

use std::path::Path;

use crate::exit::CliError;
use snowsql::SnowSqlConfig;

/// A profile's options: (key under any driver's name, value), the first of an option wins.
pub type Pairs = Vec<(String, String)>;

/// The options of `SNOWFLAKE_<KEY>` environment variables (`SNOWFLAKE_ACCOUNT`, `SNOWFLAKE_USER`,
/// …). `SNOWFLAKE_PASSWORD` is among them unless `--password-env` names another variable.
pub fn environment() -> Pairs {
    environment::options()
}

/// The options of connection `name` (`-c`), or of the default connection when `name` is `None`.
/// Empty when no profile applies.
pub fn connection(name: Option<&str>) -> Result<Pairs, CliError> {
    match name {
        Some(name) => named(name, true),
        None => match connections_toml::default_name()? {
            Some(name) => named(&name, false),
            None => snowsql_default(),
        },
    }
}

/// The configuration below the command line: the profile (`connection`, else the default
/// connection), then the `SNOWFLAKE_*` environment over it. The command line is applied over this
/// (flags > environment > profile). Keys sfmfa does not know (`private_key_path`…) are skipped:
/// they are not a login's business.
pub fn base(connection: Option<&str>) -> Result<sfmfa::Config, CliError> {
    let mut config = sfmfa::Config::new();
    for (layer, pairs) in [
        ("connection", self::connection(connection)?),
        ("environment", environment()),
    ] {
        for (key, value) in pairs {
            if config.get(&key).is_err() {
                continue;
            }
            config
                .set(&key, &value)
                .map_err(|e| CliError::usage(format!("{layer}: {e}")))?;
        }
    }
    Ok(config)
}

/// Connection `name` from `connections.toml`, else from SnowSQL's file, with the environment's
/// overrides. `explicit`: named by `-c`, so that not finding it is an error.
fn named(name: &str, explicit: bool) -> Result<Pairs, CliError> {
    let toml_path = connections_toml::path();
    let snowsql_path = snowsql::path();
    let found = match connections_toml::connection(name)? {
        Some(pairs) => {
            if let (Some(toml_path), Some(snowsql_path)) = (&toml_path, &snowsql_path)
                && SnowSqlConfig::has_quietly(snowsql_path, name)
            {
                eprintln!(
                    "note: connection '{name}' is in {} and in {}: using {}",
                    toml_path.display(),
                    snowsql_path.display(),
                    toml_path.display()
                );
            }
            Some(pairs)
        }
        None => match &snowsql_path {
            Some(path) => SnowSqlConfig::read(path)?.and_then(|c| c.connection(name)),
            None => None,
        },
    };
    let overrides = environment::connection_overrides(name);
    let found = match (found, overrides.is_empty()) {
        (found, true) => found,
        (found, false) => {
            let mut pairs = found.unwrap_or_default();
            for (key, value) in overrides {
                pairs.retain(|(k, _)| *k != key);
                pairs.insert(0, (key, value));
            }
            Some(pairs)
        }
    };
    match found {
        Some(pairs) => Ok(pairs),
        None if explicit => Err(CliError::usage(format!(
            "no connection '{name}' in {} or {}",
            shown(toml_path.as_deref(), "connections.toml"),
            shown(snowsql_path.as_deref(), "~/.snowsql/config")
        ))),
        None => Ok(Vec::new()),
    }
}

/// SnowSQL's default connection, `[connections]` of its file; empty when there is none.
fn snowsql_default() -> Result<Pairs, CliError> {
    let Some(path) = snowsql::path() else {
        return Ok(Vec::new());
    };
    Ok(SnowSqlConfig::read(&path)?
        .and_then(|c| c.default_connection())
        .unwrap_or_default())
}

/// A path for a message, or what it is called when it is not known.
fn shown(path: Option<&Path>, otherwise: &str) -> String {
    path.map_or_else(|| otherwise.to_owned(), |p| p.display().to_string())
}
