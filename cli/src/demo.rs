//! `sfmfa demo`: the main flows against the embedded emulator, told in plain words.

use std::time::Instant;

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

const ACCOUNT: &str = "xy12345";
const USER: &str = "demo";

/// Runs the demo; fails when a flow does not behave as the demo says it does.
pub fn run() -> Result<(), String> {
    let emu = Emulator::start(
        EmulatorConfig::embedded_default(),
        StartOptions {
            tls: true,
            ..StartOptions::default()
        },
    )
    .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let ctl = emu.control();
    let ca = emu
        .ca_file()
        .and_then(|p| p.to_str())
        .ok_or("the emulator wrote no CA file")?
        .to_owned();
    println!("sfmfa {} demo", sfmfa::VERSION);
    println!(
        "Snowflake login emulator running at {} (HTTPS, certificate from its own CA)",
        emu.base_url()
    );
    println!(
        "User '{USER}' of account '{ACCOUNT}' is enrolled in Duo; the emulated phone approves pushes after 0.2 s.\n"
    );

    let config = |extra: &[(&str, &str)]| -> Result<sfmfa::Client, String> {
        let mut c = sfmfa::Config::new();
        let port = emu.port().to_string();
        let base = [
            ("account", ACCOUNT),
            ("user", USER),
            ("password", "abc123"),
            ("host", "localhost"),
            ("port", port.as_str()),
            ("ca_file", ca.as_str()),
            ("authenticator", "username_password_mfa"),
            ("login_timeout", "30"),
            // Steps 1–3 show each factor; step 4 shows the token cache.
            ("client_store_temporary_credential", "off"),
        ];
        for (k, v) in base.iter().chain(extra) {
            c.set(k, v).map_err(|e| e.to_string())?;
        }
        sfmfa::Client::new(c).map_err(|e| e.to_string())
    };

    println!("1. Password + Duo push (authenticator=username_password_mfa, no passcode)");
    println!(
        "   Sending the login; Snowflake sends a push to the phone and waits for the answer..."
    );
    let started = Instant::now();
    let push = config(&[])?
        .login()
        .map_err(|e| format!("push login failed: {e}"))?;
    println!(
        "   Logged in after {:.2} s: session {}, second factor: {}. Pushes sent so far: {}.\n",
        started.elapsed().as_secs_f64(),
        push.session_id(),
        push.second_factor().name(),
        ctl.push_count(ACCOUNT, USER)
    );

    let code = ctl
        .current_passcode(ACCOUNT, USER)
        .ok_or("the demo user has no authenticator app")?;
    println!("2. Password + Duo passcode (the Duo app shows {code} right now)");
    let started = Instant::now();
    let passcode = config(&[("passcode", &code)])?
        .login()
        .map_err(|e| format!("passcode login failed: {e}"))?;
    println!(
        "   Logged in after {:.2} s: session {}, second factor: {}. No push: still {} sent.\n",
        started.elapsed().as_secs_f64(),
        passcode.session_id(),
        passcode.second_factor().name(),
        ctl.push_count(ACCOUNT, USER)
    );

    println!("3. A wrong passcode (000000)");
    let before = ctl.login_count(ACCOUNT, USER);
    match config(&[("passcode", "000000")])?.login() {
        Ok(_) => return Err("a wrong passcode was accepted".into()),
        Err(e) => {
            println!("   Refused, as it should be: {e}");
            if let Some(hint) = e.hint() {
                println!("   What to do: {hint}");
            }
            println!(
                "   The login was sent {} time(s): a Duo refusal is never retried (retries lock users out).\n",
                ctl.login_count(ACCOUNT, USER) - before
            );
        }
    }

    println!("4. MFA token caching (on by default; this demo keeps the token in memory)");
    let cached = [
        ("client_store_temporary_credential", "on"),
        ("token_cache", "memory"),
    ];
    let pushes = ctl.push_count(ACCOUNT, USER);
    let client = config(&cached)?;
    for attempt in ["first", "second"] {
        let started = Instant::now();
        let s = client
            .login()
            .map_err(|e| format!("{attempt} cached login failed: {e}"))?;
        let report = s.cache_report();
        println!(
            "   {attempt} login after {:.2} s: second factor {}; cache: {} ({}).",
            started.elapsed().as_secs_f64(),
            s.second_factor().name(),
            report.status.name(),
            report.detail
        );
        s.close().map_err(|e| format!("logout failed: {e}"))?;
    }
    println!(
        "   Pushes for these two logins: {} (the second used the cached token).\n",
        ctl.push_count(ACCOUNT, USER) - pushes
    );

    for s in [&push, &passcode] {
        s.close().map_err(|e| format!("logout failed: {e}"))?;
    }
    println!(
        "Logged out of both sessions. Open sessions on the emulator: {}.",
        ctl.open_sessions()
    );
    Ok(())
}
