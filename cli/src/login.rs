//! `sfmfa login`: one login with options from a connection string, flags and `-o key=value`.

use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use crate::exit::{self, CliError};
use crate::interrupt;
use crate::options::ConnectionString;
use crate::profile;
use crate::prompt;
use crate::report::{self, ErrorJson, Format, LoginReport};
use crate::status::Status;

/// Flags of `sfmfa login`. Every option goes through sfmfa's option table, so a connection string and
/// `-o` take the names of any driver (`-o passcodeInPassword=on`, `-o UID=demo`). The password is best
/// not a flag or in a connection string on the command line (it would show in `ps`): by default it
/// comes from an environment variable.
#[derive(Args)]
pub struct LoginArgs {
    #[command(flatten)]
    connection_string: ConnectionString,
    /// A connection of `connections.toml` (`$SNOWFLAKE_HOME`, else `~/.snowflake`), else
    /// `[connections.NAME]` of SnowSQL's `~/.snowsql/config`; without it the default connection
    /// (`SNOWFLAKE_DEFAULT_CONNECTION_NAME`, `default_connection_name` of `config.toml`), else
    /// SnowSQL's `[connections]`. Flags > `SNOWFLAKE_*` environment variables > profile.
    #[arg(short = 'c', long = "connection", value_name = "NAME")]
    connection: Option<String>,
    /// Account identifier (SnowSQL's `-a/--accountname`, the `snow` CLI's `--account`).
    #[arg(
        short = 'a',
        long = "accountname",
        visible_alias = "account",
        value_name = "ACCOUNT"
    )]
    account: Option<String>,
    /// Login name (SnowSQL's `-u/--username`, the `snow` CLI's `--user`).
    #[arg(
        short = 'u',
        long = "username",
        visible_alias = "user",
        value_name = "USER"
    )]
    user: Option<String>,
    /// Host name, when it is not `<account>.snowflakecomputing.com` (SnowSQL's `-h/--host`).
    #[arg(short = 'h', long)]
    host: Option<String>,
    /// Port (SnowSQL's `-p/--port`).
    #[arg(short = 'p', long)]
    port: Option<String>,
    /// Environment variable that holds the password, read when no password is given otherwise.
    #[arg(long, default_value = "SNOWFLAKE_PASSWORD")]
    password_env: String,
    /// `snowflake` or `username_password_mfa`.
    #[arg(long)]
    authenticator: Option<String>,
    /// Duo passcode instead of a push (SnowSQL's and the `snow` CLI's `-m/--mfa-passcode`). With no
    /// value it is asked for on the terminal, without echo.
    #[arg(
        short = 'm',
        long = "mfa-passcode",
        visible_alias = "passcode",
        value_name = "PASSCODE",
        num_args = 0..=1
    )]
    passcode: Option<Option<String>>,
    /// The password ends with the Duo passcode (SnowSQL's `--mfa-passcode-in-password`).
    #[arg(
        long = "mfa-passcode-in-password",
        visible_alias = "passcode-in-password"
    )]
    passcode_in_password: bool,
    /// Any option under any driver's name, as `key=value` (repeatable, applied last), e.g.
    /// `-o host=127.0.0.1 -o protocol=http`.
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// What to print on stdout once done: `text`, or `json` (one object). The progress lines stay
    /// on stderr either way.
    #[arg(long, value_enum, default_value_t = Format::Text, long_help = report::JSON_FIELDS)]
    format: Format,
    /// Print help (`-h` is SnowSQL's `--host`).
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

/// The configuration of `sfmfa login`: the connection string, then the flags, then `-o` options, then
/// the password from the environment when none of them gave one.
pub fn config(args: &LoginArgs) -> Result<sfmfa::Config, CliError> {
    // The profile, then the SNOWFLAKE_* environment, then the command line over them.
    let mut config = profile::base(args.connection.as_deref())?;
    args.connection_string
        .apply_to(&mut config)
        .map_err(usage)?;
    let mut set = |k: &str, v: &str| config.set(k, v).map(|_| ()).map_err(usage);
    let prompted_passcode = match &args.passcode {
        Some(None) => Some(prompt::secret("Duo passcode", "-m/--mfa-passcode")?),
        _ => None,
    };
    let passcode = match &args.passcode {
        Some(Some(v)) => Some(v),
        _ => prompted_passcode.as_ref(),
    };
    for (key, value) in [
        ("account", args.account.as_ref()),
        ("user", args.user.as_ref()),
        ("host", args.host.as_ref()),
        ("port", args.port.as_ref()),
        ("authenticator", args.authenticator.as_ref()),
        ("passcode", passcode),
    ] {
        if let Some(v) = value {
            set(key, v)?;
        }
    }
    if args.passcode_in_password {
        set("passcode_in_password", "true")?;
    }
    crate::options::apply(&mut config, &args.options).map_err(CliError::usage)?;
    if config.get("password").map_err(usage)?.is_none() {
        let password = match std::env::var(&args.password_env) {
            Ok(password) => password,
            Err(_) if prompt::can_prompt() => prompt::secret("Password", "")?,
            Err(_) => {
                return Err(CliError::usage(format!(
                    "no password: set it in the environment variable {} (stdin is not a terminal to ask on)",
                    args.password_env
                )));
            }
        };
        config.set("password", &password).map_err(usage)?;
    }
    Ok(config)
}

/// A configuration error: bad usage (exit code 2), whatever its kind.
fn usage(e: sfmfa::Error) -> CliError {
    CliError::usage(e.to_string())
}

/// Runs `sfmfa login`: the live status on stderr while it logs in, then what happened (text on
/// stdout, or one JSON object with `--format json`). Ctrl-C cancels the login (the library's
/// cancel): exit code 130. A failure is returned for `main` to print on stderr, in either format.
pub fn run(args: &LoginArgs) -> Result<(), CliError> {
    let mut report = LoginReport::default();
    let result = login_and_logout(args, &mut report);
    if args.format == Format::Json {
        report.ok = result.is_ok();
        report.error = result.as_ref().err().map(|failed| failed.json());
        match serde_json::to_string(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => return Err(CliError::from(format!("cannot write the JSON output: {e}"))),
        }
    }
    result.map_err(Failed::into_cli)
}

/// One login and its logout; what happened goes into `report` as it happens (and, in text mode,
/// to stdout).
fn login_and_logout(args: &LoginArgs, report: &mut LoginReport) -> Result<(), Failed> {
    let text = args.format == Format::Text;
    interrupt::install()?;
    let config = config(args)?;
    let first = format!(
        "Logging in to {} as {}…",
        config.host(),
        config.user().unwrap_or_default()
    );
    let login_timeout = config.login_timeout();
    // The configuration's warnings come as progress events of the login, with the other lines.
    let client = Arc::new(sfmfa::Client::new(config).map_err(usage)?);
    interrupt::logging_in(Arc::clone(&client));
    let status = Status::start(login_timeout, &first);
    client.set_progress(Some(Arc::new(status.callback())));
    let started = Instant::now();
    let result = client.login();
    // Whatever the outcome (Ctrl-C included): the spinner's line is cleared before anything else.
    status.finish();
    let elapsed = started.elapsed();
    report.elapsed_ms = Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
    let session = result?;
    let factor = session.second_factor().name();
    report.session_id = Some(session.session_id());
    report.second_factor = Some(factor);
    report.cache = Some(report::cache_json(session.cache_report()));
    if text {
        println!(
            "logged in: session {} in {:.2} s (second factor: {factor})",
            session.session_id(),
            elapsed.as_secs_f64(),
        );
        println!(
            "token cache: {}",
            report::cache_words(session.cache_report())
        );
    }
    session.close().map_err(|e| {
        let message = format!("logout failed: {e}");
        let mut json = ErrorJson::from_error(&e);
        (json.exit_code, json.kind) = (exit::OTHER, report::class_name(exit::OTHER));
        json.message.clone_from(&message);
        Failed {
            cli: CliError::from(message),
            json: Some(Box::new(json)),
        }
    })?;
    report.logged_out = true;
    if text {
        println!("logged out");
    }
    Ok(())
}

/// A failure of `sfmfa login`: what `main` prints, and the JSON `error` (built from the library's
/// error when there is one, which knows more than its message).
struct Failed {
    cli: CliError,
    json: Option<Box<ErrorJson>>,
}

impl Failed {
    fn json(&self) -> ErrorJson {
        match &self.json {
            Some(json) => ErrorJson::clone(json),
            None => ErrorJson::from_cli(&self.cli),
        }
    }

    fn into_cli(self) -> CliError {
        self.cli
    }
}

impl From<CliError> for Failed {
    fn from(cli: CliError) -> Self {
        Failed { cli, json: None }
    }
}

impl From<sfmfa::Error> for Failed {
    fn from(e: sfmfa::Error) -> Self {
        Failed {
            json: Some(Box::new(ErrorJson::from_error(&e))),
            cli: CliError::from(e),
        }
    }
}
