//! `sfmfa doctor`: which token stores are usable here and why not, the cache directory and its
//! permissions (`stores`), the host's reachability and its TLS handshake with the trust settings
//! a login uses (`network`), and the configuration's warnings; each problem with its fix.
//!
//! A doctor run only looks: it creates no directory or file (no lock file, no token index),
//! changes no mode and sends no request; the TLS check closes its connection after the handshake.

mod network;
mod stores;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::target::Target;

const EXIT_CODES: &str = "Exit status: 0 when every check passed; 1 when a finding needs fixing \
(each has its fix); 2 bad usage.";

/// Check this machine's token stores, cache directory and (given a connection string or
/// --account) the host's reachability and TLS; no login.
#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct DoctorArgs {
    /// The host to check (optional): as for `sfmfa cache inspect`, a connection string, `-c NAME`,
    /// flags; without any, the default connection's host when one is named.
    #[command(flatten)]
    target: Target,
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

/// Runs `sfmfa doctor`; its exit code.
pub fn run(args: &DoctorArgs) -> u8 {
    let mut checks = stores::checks();
    match args.target.config() {
        // Nothing names a host: no host to check (the stores are checked all the same).
        Ok(config) if !args.target.given() && config.host().starts_with('.') => {}
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
            e.message,
            "correct the connection string, profile or options",
        )),
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
    if out.ok { 0 } else { 1 }
}
