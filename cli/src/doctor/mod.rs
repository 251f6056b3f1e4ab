//! `sfmfa doctor`: which token stores are usable here and why not, the cache directory and its
//! permissions (`stores`), the host's reachability and its TLS handshake with the trust settings
//! a login uses (`network`), and the configuration's warnings; each problem with its fix.
//!
//! A doctor run only looks: it creates no directory or file (no lock file, no token index),
//! changes no mode and sends no request; the TLS check closes its connection after the handshake.

mod network;
mod stores;

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

const EXIT_CODES: &str = "Exit status: 0 when every check passed; 1 when a finding needs fixing \
(each has its fix); 2 bad usage.";

/// Check this machine's token stores, cache directory and (given a connection string or
/// --account) the host's reachability and TLS; no login.
#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct DoctorArgs {
    /// A JDBC URL or ODBC connection string, as for `sfmfa login` (optional).
    #[arg(value_name = "CONNECTION_STRING")]
    connection_string: Option<String>,
    /// Account identifier (optional).
    #[arg(long)]
    account: Option<String>,
    /// Any option under any driver's name, as `key=value` (repeatable, applied last).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// One check (JSON `checks[]`).
#[derive(Serialize)]
struct Check {
    /// `store:file`, `store:keyutils`, `store:secret-service`, `cache-dir`, `host`, `tls`,
    /// `config`.
    check: String,
    /// `ok`, `warning` (usable, but worth fixing) or `problem` (needs fixing).
    status: &'static str,
    /// What was found.
    detail: String,
    /// What to do about it (when status is not `ok`).
    fix: Option<String>,
}

#[derive(Serialize)]
struct Output {
    /// True when no check has status `problem` or `warning`.
    ok: bool,
    checks: Vec<Check>,
}

fn ok(check: &str, detail: impl Into<String>) -> Check {
    Check {
        check: check.into(),
        status: "ok",
        detail: detail.into(),
        fix: None,
    }
}

fn bad(
    check: &str,
    status: &'static str,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        check: check.into(),
        status,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// Runs `sfmfa doctor`.
pub fn run(args: &DoctorArgs) -> ExitCode {
    let mut checks = stores::checks();
    if args.connection_string.is_some() || args.account.is_some() || !args.options.is_empty() {
        match config(args) {
            Ok(config) => {
                for w in config.warnings() {
                    checks.push(bad(
                        "config",
                        "warning",
                        w.to_string(),
                        "correct the option named",
                    ));
                }
                checks.extend(network::checks(&config));
            }
            Err(e) => checks.push(bad(
                "config",
                "problem",
                e,
                "correct the connection string or options",
            )),
        }
    }
    let out = Output {
        ok: checks.iter().all(|c| c.status == "ok"),
        checks,
    };
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&out) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("sfmfa: could not encode the output: {e}"),
        },
        Format::Text => {
            for c in &out.checks {
                println!("[{}] {}: {}", c.status, c.check, c.detail);
                if let Some(fix) = &c.fix {
                    println!("    fix: {fix}");
                }
            }
        }
    }
    ExitCode::from(if out.ok { 0 } else { 1 })
}

fn config(args: &DoctorArgs) -> Result<sfmfa::Config, String> {
    let mut config = crate::options::config_from(args.connection_string.as_deref())
        .map_err(|e| e.to_string())?;
    if let Some(a) = &args.account {
        config.set("account", a).map_err(|e| e.to_string())?;
    }
    crate::options::apply(&mut config, &args.options)?;
    Ok(config)
}
