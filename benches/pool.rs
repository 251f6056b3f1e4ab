//! Pool warm-up: N logins of one user start at once (N = 1, 8, 32), as threads of one process and as
//! separate processes. Counts the Duo pushes the emulator sent and the wall time until every login
//! finished, for sfmfa and, when `SFMFA_BENCH_PYTHON` names a Python with snowflake-connector-python
//! (bench/run.sh makes one), for the official Python connector with
//! `client_store_temporary_credential=True`. The phone approves each push after 1 s. Run with
//! `make bench`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use sfmfa::cache::FileCache;
use sfmfa_emulator::{Emulator, EmulatorConfig, PushBehaviour, StartOptions, UserConfig};

const SIZES: [usize; 3] = [1, 8, 32];
const APPROVE_AFTER: Duration = Duration::from_secs(1);

fn config(port: u16, user: &str) -> sfmfa::Config {
    let mut c = sfmfa::Config::new();
    let port = port.to_string();
    for (k, v) in [
        ("account", "xy12345"),
        ("user", user),
        ("password", "abc123"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("protocol", "http"),
        ("authenticator", "username_password_mfa"),
        ("client_store_temporary_credential", "on"),
        ("token_cache", "file"),
        ("login_timeout", "120"),
    ] {
        c.set(k, v).expect("valid option");
    }
    c
}

/// Child mode: one login with the file cache of `SF_TEMPORARY_CREDENTIAL_CACHE_DIR`.
fn child(port: u16, user: &str) {
    match sfmfa::Client::new(config(port, user)).and_then(|c| c.login()) {
        Ok(_) => println!("ok"),
        Err(e) => println!("error: {e}"),
    }
}

fn sfmfa_threads(port: u16, user: &str, n: usize, dir: &Path) -> usize {
    let start = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let client = sfmfa::Client::new(config(port, user))
                .expect("client")
                .with_token_cache(Arc::new(FileCache::in_dir(dir)));
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                client.login().is_ok()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or(false))
        .filter(|ok| *ok)
        .count()
}

fn sfmfa_processes(port: u16, user: &str, n: usize, dir: &Path) -> usize {
    let exe = std::env::current_exe().expect("own path");
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(&exe)
                .env("SFMFA_POOL_CHILD", format!("{port} {user}"))
                .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir)
                .stdout(Stdio::piped())
                .spawn()
                .expect("child starts")
        })
        .collect();
    children
        .into_iter()
        .filter_map(|c| c.wait_with_output().ok())
        .filter(|o| String::from_utf8_lossy(&o.stdout).trim() == "ok")
        .count()
}

fn python(python: &str, mode: &str, port: u16, user: &str, n: usize, dir: &Path) -> usize {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/pool_python.py");
    let out = Command::new(python)
        .args([script, mode, &port.to_string(), user, &n.to_string()])
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir)
        .env("HOME", dir)
        .stderr(Stdio::null())
        .output()
        .expect("python runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Time from `Client::cancel` to the return of a login that waits for a push (median, p90, max of
/// 50), the socket closed by ureq's agent shutdown.
fn cancel_latency(emu: &Emulator) {
    const RUNS: usize = 50;
    let ctl = emu.control();
    ctl.add_user(
        "xy12345",
        UserConfig {
            duo_enrolled: true,
            push: PushBehaviour::Manual,
            push_timeout_ms: Some(120_000),
            ..UserConfig::new("cancel_bench", "abc123")
        },
    );
    let mut mc = config(emu.port(), "cancel_bench");
    mc.set("client_store_temporary_credential", "off")
        .expect("valid");
    let client = Arc::new(sfmfa::Client::new(mc).expect("client"));
    let mut took = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let login = {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                let r = client.login();
                (r.is_err(), Instant::now())
            })
        };
        while ctl.pending_pushes("xy12345", "cancel_bench") <= run {
            std::thread::sleep(Duration::from_millis(1));
        }
        let t0 = Instant::now();
        client.cancel();
        let (failed, returned) = login.join().expect("login thread");
        assert!(failed, "the login was cancelled");
        took.push(returned.saturating_duration_since(t0));
    }
    took.sort();
    println!();
    println!(
        "Cancel of a login waiting for a push ({RUNS} runs): median {:.0} µs, p90 {:.0} µs, max {:.0} µs",
        took[RUNS / 2].as_secs_f64() * 1e6,
        took[RUNS * 9 / 10].as_secs_f64() * 1e6,
        took[RUNS - 1].as_secs_f64() * 1e6
    );
}

fn main() {
    if let Ok(spec) = std::env::var("SFMFA_POOL_CHILD") {
        let (port, user) = spec.split_once(' ').expect("port user");
        child(port.parse().expect("port"), user);
        return;
    }
    let emu = Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts");
    let ctl = emu.control();
    let py = std::env::var("SFMFA_BENCH_PYTHON").ok();

    println!("Pool warm-up: N logins of one user at once; the phone approves each push after 1 s.");
    println!();
    println!("| client | N | as | pushes | successful logins | wall time |");
    println!("|---|---|---|---|---|---|");
    let mut clients: Vec<&str> = vec!["sfmfa"];
    if py.is_some() {
        clients.push("snowflake-connector-python");
    }
    for client in clients {
        for mode in ["threads", "processes"] {
            for n in SIZES {
                let tag = if client == "sfmfa" { "sfmfa" } else { "py" };
                let user = format!("warm_{tag}_{mode}_{n}");
                ctl.add_user(
                    "xy12345",
                    UserConfig {
                        duo_enrolled: true,
                        push: PushBehaviour::Approve {
                            delay_ms: APPROVE_AFTER.as_millis() as u64,
                        },
                        ..UserConfig::new(&user, "abc123")
                    },
                );
                let dir = tempfile::tempdir().expect("temporary directory");
                let started = Instant::now();
                let ok = match (client, mode, &py) {
                    ("sfmfa", "threads", _) => sfmfa_threads(emu.port(), &user, n, dir.path()),
                    ("sfmfa", _, _) => sfmfa_processes(emu.port(), &user, n, dir.path()),
                    (_, mode, Some(py)) => python(py, mode, emu.port(), &user, n, dir.path()),
                    _ => 0,
                };
                let wall = started.elapsed();
                println!(
                    "| {client} | {n} | {mode} | {} | {ok}/{n} | {:.2} s |",
                    ctl.push_count("xy12345", &user),
                    wall.as_secs_f64()
                );
            }
        }
    }
    cancel_latency(&emu);
    if py.is_none() {
        println!();
        println!(
            "(snowflake-connector-python rows skipped: SFMFA_BENCH_PYTHON is not set; bench/run.sh sets it)"
        );
    }
}
