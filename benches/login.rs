//! Login latency against the emulator over loopback (HTTP and HTTPS), per mode: median and p90 of
//! N sequential logins, each a fresh connection (as sfmfa always uses). Run with `make bench`.

use std::time::{Duration, Instant};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

const N: usize = 200;

fn config(emu: &Emulator, user: &str, extra: &[(&str, &str)]) -> sfmfa::Config {
    let mut c = sfmfa::Config::new();
    let port = emu.port().to_string();
    let tls = emu.ca_file().is_some();
    let ca = emu
        .ca_file()
        .and_then(|p| p.to_str())
        .unwrap_or("")
        .to_owned();
    let base = [
        ("account", "xy12345"),
        ("user", user),
        ("password", "abc123"),
        ("host", if tls { "localhost" } else { "127.0.0.1" }),
        ("port", port.as_str()),
        ("protocol", if tls { "https" } else { "http" }),
        ("ca_file", ca.as_str()),
        // Every login measured is a full one, not a cached-token login.
        ("client_store_temporary_credential", "off"),
    ];
    for (k, v) in base.iter().chain(extra) {
        c.set(k, v).expect("valid option");
    }
    c
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    println!("| transport | mode | logins | median | p90 |");
    println!("|---|---|---|---|---|");
    for tls in [false, true] {
        let emu = Emulator::start(
            EmulatorConfig::embedded_default(),
            StartOptions {
                tls,
                ..StartOptions::default()
            },
        )
        .expect("emulator");
        type Mode<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
        let modes: [Mode; 3] = [
            (
                "passcode",
                "demo",
                vec![
                    ("authenticator", "username_password_mfa"),
                    ("passcode", "987654"),
                ],
            ),
            (
                "push (approved at once)",
                "push_approve",
                vec![("authenticator", "username_password_mfa")],
            ),
            ("plain password", "plain", vec![]),
        ];
        for (name, user, extra) in modes {
            let client = sfmfa::Client::new(config(&emu, user, &extra)).expect("client");
            let mut times = Vec::with_capacity(N);
            for _ in 0..N {
                let t = Instant::now();
                let s = client.login().expect("login");
                times.push(t.elapsed());
                drop(s);
            }
            times.sort();
            println!(
                "| {} | {name} | {N} | {:.2} ms | {:.2} ms |",
                if tls { "https" } else { "http" },
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.9).as_secs_f64() * 1e3
            );
        }
    }
}
