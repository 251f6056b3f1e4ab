//! Connection profiles of the `snow` CLI and the Python connector (`connections.toml`), and the
//! `SNOWFLAKE_*` environment variables they read. Precedence: flags > environment > profile.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::exit::CliError;

/// The keys of a profile and of `SNOWFLAKE_<KEY>` that a login uses.
const KEYS: &[&str] = &[
    "account",
    "user",
    "password",
    "authenticator",
    "host",
    "port",
    "protocol",
    "passcode",
    "passcode_in_password",
    "login_timeout",
];

/// The directory of `connections.toml` and `config.toml`: `$SNOWFLAKE_HOME`, else `~/.snowflake`.
fn snowflake_home() -> Option<PathBuf> {
    match std::env::var_os("SNOWFLAKE_HOME") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".snowflake")),
    }
}

/// Reads a TOML file with the connector's permission rule: a file others may write to is refused,
/// one others may read is used with a warning.
fn read_toml(path: &std::path::Path) -> Result<Option<toml::Table>, CliError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) => return Ok(None),
    };
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 {
        return Err(CliError::usage(format!(
            "Bad owner or permissions on {}: others may write to it; run chmod 0600 {}",
            path.display(),
            path.display()
        )));
    }
    if mode & 0o044 != 0 {
        eprintln!(
            "warning: Bad owner or permissions on {}: others may read it; run chmod 0600 {}",
            path.display(),
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
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
fn pairs(section: &toml::Table) -> Vec<(String, String)> {
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

/// The connection `name` (or the default connection when `name` is `None` and one is named) from
/// `connections.toml`. `None` when no profile applies.
pub fn connection(name: Option<&str>) -> Result<Vec<(String, String)>, CliError> {
    let Some(home) = snowflake_home() else {
        return Ok(Vec::new());
    };
    let explicit = name.is_some();
    let name = match name {
        Some(n) => n.to_owned(),
        None => match std::env::var("SNOWFLAKE_DEFAULT_CONNECTION_NAME") {
            Ok(n) => n,
            Err(_) => match read_toml(&home.join("config.toml"))?
                .and_then(|t| t.get("default_connection_name").cloned())
            {
                Some(toml::Value::String(n)) => n,
                _ => return Ok(Vec::new()),
            },
        },
    };
    let path = home.join("connections.toml");
    let mut found = match read_toml(&path)? {
        Some(table) => match table.get(&name) {
            Some(toml::Value::Table(section)) => Some(pairs(section)),
            _ => None,
        },
        None => None,
    };
    // SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> overrides a key of the connection (or defines it).
    let prefix = format!("SNOWFLAKE_CONNECTIONS_{}_", name.to_uppercase());
    for (var, value) in std::env::vars() {
        if let Some(key) = var.strip_prefix(&prefix) {
            let key = key.to_lowercase();
            let pairs = found.get_or_insert_with(Vec::new);
            pairs.retain(|(k, _)| *k != key);
            pairs.push((key, value));
        }
    }
    match found {
        Some(pairs) => Ok(pairs),
        None if explicit => Err(CliError::usage(format!(
            "no connection '{name}' in {}",
            path.display()
        ))),
        None => Ok(Vec::new()),
    }
}

/// The options of `SNOWFLAKE_<KEY>` environment variables (`SNOWFLAKE_ACCOUNT`, `SNOWFLAKE_USER`,
/// …). `SNOWFLAKE_PASSWORD` is among them unless `--password-env` names another variable.
pub fn environment() -> Vec<(String, String)> {
    KEYS.iter()
        .filter_map(|key| {
            let var = format!("SNOWFLAKE_{}", key.to_uppercase());
            std::env::var(var).ok().map(|v| ((*key).to_owned(), v))
        })
        .collect()
}
