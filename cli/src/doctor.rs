//! `sfmfa doctor`: which token stores are usable here and why not, the cache directory and its
//! permissions, the host's reachability (a TCP connect, no login) and the configuration's
//! warnings; each problem with its fix.
//!
//! Not yet: the TLS handshake with the host (only the TCP connect is tried).

use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::fs::PermissionsExt;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Serialize;

const EXIT_CODES: &str = "Exit status: 0 when every check passed; 1 when a finding needs fixing \
(each has its fix); 2 bad usage.";

/// Check this machine's token stores, cache directory and (given a connection string or
/// --account) the host's reachability; no login.
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
    /// `store:file`, `store:keyutils`, `store:secret-service`, `cache-dir`, `host`, `config`.
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
    let mut checks = Vec::new();
    // The directory first: the file store's check tightens a 0700-less directory of ours.
    cache_dir(&mut checks);
    stores(&mut checks);
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
                checks.push(host(&config));
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

fn stores(checks: &mut Vec<Check>) {
    match sfmfa::cache::FileCache::new().and_then(|c| c.list_keys().map(|_| c)) {
        Ok(c) => checks.push(ok("store:file", format!("usable ({})", c.path().display()))),
        Err(e) => checks.push(bad(
            "store:file",
            "problem",
            e.message(),
            e.hint().unwrap_or(
                "set SF_TEMPORARY_CREDENTIAL_CACHE_DIR (or HOME) to a directory of your own",
            ),
        )),
    }
    #[cfg(target_os = "linux")]
    {
        use sfmfa::cache::KeystoreCache;
        match KeystoreCache::keyutils() {
            Ok(_) => checks.push(ok("store:keyutils", "usable")),
            Err(e) => checks.push(bad(
                "store:keyutils",
                "warning",
                e.message(),
                "a kernel with CONFIG_KEYS and CONFIG_PERSISTENT_KEYRINGS, and keyctl allowed (containers may block it); \
                 otherwise the Secret Service or the file is used",
            )),
        }
        match KeystoreCache::secret_service_running() {
            Ok(_) => checks.push(ok(
                "store:secret-service",
                "usable (running, default collection unlocked)",
            )),
            Err(e) => checks.push(bad(
                "store:secret-service",
                "warning",
                e.message(),
                "run in a desktop session with gnome-keyring or KWallet unlocked (or start one: \
                 gnome-keyring-daemon --unlock); otherwise keyutils or the file is used",
            )),
        }
    }
}

fn cache_dir(checks: &mut Vec<Check>) {
    let Some(dir) = sfmfa::cache::file::cache_dir_from(|n| std::env::var_os(n)) else {
        checks.push(bad(
            "cache-dir",
            "problem",
            "no cache directory: none of SF_TEMPORARY_CREDENTIAL_CACHE_DIR, XDG_CACHE_HOME and HOME is set",
            "set SF_TEMPORARY_CREDENTIAL_CACHE_DIR",
        ));
        return;
    };
    match std::fs::symlink_metadata(&dir) {
        Err(_) => checks.push(ok(
            "cache-dir",
            format!(
                "{} does not exist yet; it is created 0700 on the first token",
                dir.display()
            ),
        )),
        Ok(m) if m.file_type().is_symlink() => checks.push(bad(
            "cache-dir",
            "problem",
            format!(
                "{} is a symbolic link, which the cache never follows",
                dir.display()
            ),
            "point SF_TEMPORARY_CREDENTIAL_CACHE_DIR at the directory itself",
        )),
        Ok(m) => {
            let mode = m.permissions().mode() & 0o777;
            if !m.is_dir() {
                checks.push(bad(
                    "cache-dir",
                    "problem",
                    format!("{} is not a directory", dir.display()),
                    "remove it or point SF_TEMPORARY_CREDENTIAL_CACHE_DIR elsewhere",
                ));
            } else if mode != 0o700 {
                checks.push(bad(
                    "cache-dir",
                    "warning",
                    format!("{} has mode {mode:04o}", dir.display()),
                    format!(
                        "chmod 700 '{}' (sfmfa tightens it on its next write)",
                        dir.display()
                    ),
                ));
            } else {
                checks.push(ok("cache-dir", format!("{} (mode 0700)", dir.display())));
            }
        }
    }
}

fn host(config: &sfmfa::Config) -> Check {
    let target = format!("{}:{}", config.host(), config.port());
    let addrs = match target.to_socket_addrs() {
        Ok(a) => a.collect::<Vec<_>>(),
        Err(e) => {
            return bad(
                "host",
                "problem",
                format!("{target}: the name does not resolve ({e})"),
                "check the account identifier / host, and DNS",
            );
        }
    };
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, Duration::from_secs(5)) {
            Ok(_) => {
                return ok(
                    "host",
                    format!("{target} reachable (TCP connect to {addr}; TLS not checked)"),
                );
            }
            Err(e) => last = Some(e),
        }
    }
    bad(
        "host",
        "problem",
        format!(
            "{target}: no TCP connection ({})",
            last.map_or_else(|| "no address".to_owned(), |e| e.to_string())
        ),
        "check the network, proxy and firewall (port 443 to Snowflake)",
    )
}
