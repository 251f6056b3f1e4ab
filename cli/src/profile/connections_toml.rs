//! `connections.toml` and `config.toml` of the `snow` CLI and the Python connector, in
//! `$SNOWFLAKE_HOME`, else `~/.snowflake`: a connection is a table `[NAME]` of `connections.toml`,
//! the default connection is named by `default_connection_name` of `config.toml`.

use std::path::{Path, PathBuf};

use super::{Pairs, permissions};
use crate::exit::CliError;

/// The directory of `connections.toml` and `config.toml`: `$SNOWFLAKE_HOME`, else `~/.snowflake`.
fn snowflake_home() -> Option<PathBuf> {
    match std::env::var_os("SNOWFLAKE_HOME") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".snowflake")),
    }
}

/// The path of `connections.toml`, when a home directory is known.
pub fn path() -> Option<PathBuf> {
    snowflake_home().map(|home| home.join("connections.toml"))
}

/// Reads a TOML file under the permission rule of [`permissions::check`]. `None` when it does not
/// exist.
fn read_toml(path: &Path) -> Result<Option<toml::Table>, CliError> {
    let Some(text) = permissions::read(path)? else {
        return Ok(None);
    };
    // The parser's message may quote the file's text (a password): only its position is shown.
    let table = text.parse::<toml::Table>().map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(" at byte {}", s.start))
            .unwrap_or_default();
        CliError::usage(format!("{} is not valid TOML{at}", path.display()))
    })?;
    Ok(Some(table))
}

/// The (key, value) pairs of a TOML section, values as text.
fn pairs(section: &toml::Table) -> Pairs {
    section
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), text))
        })
        .collect()
}

/// The name of the default connection: `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, else
/// `default_connection_name` of `config.toml`. `None` when neither names one.
pub fn default_name() -> Result<Option<String>, CliError> {
    if let Ok(name) = std::env::var("SNOWFLAKE_DEFAULT_CONNECTION_NAME") {
        return Ok(Some(name));
    }
    let Some(home) = snowflake_home() else {
        return Ok(None);
    };
    match read_toml(&home.join("config.toml"))?
        .and_then(|t| t.get("default_connection_name").cloned())
    {
        Some(toml::Value::String(name)) => Ok(Some(name)),
        _ => Ok(None),
    }
}

/// The keys of connection `name` in `connections.toml`; `None` when the file or the connection is
/// not there.
pub fn connection(name: &str) -> Result<Option<Pairs>, CliError> {
    let Some(path) = path() else {
        return Ok(None);
    };
    Ok(match read_toml(&path)? {
        Some(table) => match table.get(name) {
            Some(toml::Value::Table(section)) => Some(pairs(section)),
            _ => None,
        },
        None => None,
    })
}
