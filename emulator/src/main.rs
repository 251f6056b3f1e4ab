//! `sfmfa-emulator`: runs the emulator until `--exit-after`, `POST /control/shutdown`, or a signal.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

/// Offline emulator of Snowflake's login service with Duo MFA (127.0.0.1 only).
#[derive(Parser, Debug)]
#[command(name = "sfmfa-emulator", version)]
struct Args {
    /// Configuration TOML (default: the embedded default.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 = ephemeral).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a certificate signed by a CA made at start-up.
    #[arg(long)]
    tls: bool,
    /// Where to write the CA certificate (PEM) with --tls (default: a temporary file).
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Write the bound port to this file (useful with --port 0).
    #[arg(long)]
    port_file: Option<PathBuf>,
    /// At most this many open connections (default: the file limit minus some headroom);
    /// at the cap the longest idle connection is closed for a new one.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Stop by itself after this many seconds.
    #[arg(long)]
    exit_after: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = match &args.config {
        Some(p) => match EmulatorConfig::from_file(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("sfmfa-emulator: {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => EmulatorConfig::embedded_default(),
    };
    let opts = StartOptions {
        port: args.port,
        tls: args.tls,
        ca_file: args.ca_file.clone(),
        max_connections: args.max_connections,
    };
    let emu = match Emulator::start(cfg, opts) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("sfmfa-emulator: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(p) = &args.port_file
        && let Err(e) = std::fs::write(p, format!("{}\n", emu.port()))
    {
        eprintln!("sfmfa-emulator: cannot write {}: {e}", p.display());
        return ExitCode::from(1);
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "sfmfa-emulator listening on {}", emu.base_url());
    if let Some(ca) = emu.ca_file() {
        let _ = writeln!(out, "CA certificate: {}", ca.display());
    }
    let _ = out.flush();
    drop(out);
    emu.wait_stopped(args.exit_after.map(Duration::from_secs));
    emu.shutdown();
    ExitCode::SUCCESS
}
