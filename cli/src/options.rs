//! What every command takes to name a connection: a connection string (the first argument or
//! `--connection-string`) and `-o KEY=VALUE` options under any driver's name, read the same way.

use clap::Args;

/// A JDBC URL or an ODBC connection string, as the first argument or as a flag.
#[derive(Args)]
pub struct ConnectionString {
    /// A JDBC URL (`jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo`) or an ODBC connection
    /// string (`Server=…;UID=demo`); the flags override its keys.
    #[arg(value_name = "CONNECTION_STRING")]
    connection_string: Option<String>,
    /// The same, as a flag.
    #[arg(
        long = "connection-string",
        value_name = "STRING",
        conflicts_with = "connection_string"
    )]
    connection_string_flag: Option<String>,
}

impl ConnectionString {
    /// Whether one was given.
    pub fn given(&self) -> bool {
        self.text().is_some()
    }

    /// Sets its options, if one was given, over what `config` holds.
    pub fn apply_to(&self, config: &mut sfmfa::Config) -> Result<(), sfmfa::Error> {
        if let Some(s) = self.text() {
            config.apply_connection_string(s)?;
        }
        Ok(())
    }

    fn text(&self) -> Option<&str> {
        self.connection_string
            .as_deref()
            .or(self.connection_string_flag.as_deref())
    }
}

/// Applies each `-o KEY=VALUE` of `options` to `config`, in order. Neither the text of an `-o` nor
/// its key is printed back (a password typed there must not reach the terminal): an error names the
/// `-o` by its number, and sfmfa's own messages show a key only when it looks like an option name.
pub fn apply(config: &mut sfmfa::Config, options: &[String]) -> Result<(), String> {
    for (i, kv) in options.iter().enumerate() {
        let n = i + 1;
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            format!("-o number {n}: expected KEY=VALUE, and its text (not shown) has no '='")
        })?;
        config
            .set(k, v)
            .map_err(|e| format!("-o number {n}: {e}"))?;
    }
    Ok(())
}
