//! Which Snowflake host and user `sfmfa cache` and `sfmfa doctor` are about, named as for
//! `sfmfa login`: a connection string, a profile (`-c NAME`, else the default connection), the
//! `SNOWFLAKE_*` environment, and the flags, with the same precedence (flags > environment >
//! profile).

use clap::Args;

use crate::exit::CliError;
use crate::options::ConnectionString;
use crate::profile;

/// The host and user a command is about.
#[derive(Args)]
pub struct Target {
    #[command(flatten)]
    connection_string: ConnectionString,
    /// A connection of `connections.toml` or of SnowSQL's `~/.snowsql/config`, as for `sfmfa login`;
    /// without it the default connection, when one is named.
    #[arg(short = 'c', long = "connection", value_name = "NAME")]
    connection: Option<String>,
    /// Account identifier (SnowSQL's `--accountname`).
    #[arg(long, visible_alias = "accountname")]
    account: Option<String>,
    /// Login name (SnowSQL's `--username`).
    #[arg(long, visible_alias = "username")]
    user: Option<String>,
    /// Host (default `<account>.snowflakecomputing.com`).
    #[arg(long)]
    host: Option<String>,
    /// Port (default 443).
    #[arg(long)]
    port: Option<u16>,
    /// Any option under any driver's name, as `key=value` (repeatable, applied last).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
}

impl Target {
    /// Whether the command line names a connection (a profile in the environment alone does not:
    /// `sfmfa cache delete` with nothing given is a usage error, not a delete of the default).
    pub fn given(&self) -> bool {
        self.connection_string.given()
            || self.connection.is_some()
            || self.account.is_some()
            || self.user.is_some()
            || self.host.is_some()
            || self.port.is_some()
            || !self.options.is_empty()
    }

    /// The configuration the arguments, the environment and the profile give (errors are bad usage).
    pub fn config(&self) -> Result<sfmfa::Config, CliError> {
        let usage = |e: sfmfa::Error| CliError::usage(e.to_string());
        let mut config = profile::base(self.connection.as_deref())?;
        self.connection_string
            .apply_to(&mut config)
            .map_err(usage)?;
        let port = self.port.map(|p| p.to_string());
        for (key, value) in [
            ("account", &self.account),
            ("user", &self.user),
            ("host", &self.host),
            ("port", &port),
        ] {
            if let Some(v) = value {
                config.set(key, v).map_err(usage)?;
            }
        }
        crate::options::apply(&mut config, &self.options).map_err(CliError::usage)?;
        Ok(config)
    }
}
