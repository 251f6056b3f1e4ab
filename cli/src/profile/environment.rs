//! The `SNOWFLAKE_*` environment variables of the `snow` CLI and the Python connector: the options
//! of a login (`SNOWFLAKE_ACCOUNT`, …) and the overrides of a connection's keys
//! (`SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`).

use super::Pairs;

/// The keys of `SNOWFLAKE_<KEY>` that a login uses.
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

/// The options of `SNOWFLAKE_<KEY>` environment variables (`SNOWFLAKE_ACCOUNT`, `SNOWFLAKE_USER`,
/// …). `SNOWFLAKE_PASSWORD` is among them unless `--password-env` names another variable.
pub fn options() -> Pairs {
    KEYS.iter()
        .filter_map(|key| {
            let var = format!("SNOWFLAKE_{}", key.to_uppercase());
            std::env::var(var).ok().map(|v| ((*key).to_owned(), v))
        })
        .collect()
}

/// The keys `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` sets for connection `name` (NAME in upper case),
/// key in lower case. Empty when none is set.
pub fn connection_overrides(name: &str) -> Pairs {
    let prefix = format!("SNOWFLAKE_CONNECTIONS_{}_", name.to_uppercase());
    std::env::vars()
        .filter_map(|(var, value)| {
            var.strip_prefix(&prefix)
                .map(|key| (key.to_lowercase(), value))
        })
        .collect()
}
