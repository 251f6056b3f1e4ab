//! SnowSQL's and the `snow` CLI's flags of `sfmfa login`, against the emulator; no prompt when stdin
//! is not a terminal.

use std::process::{Command, Output, Stdio};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn login(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfmfa"));
    cmd.arg("login")
        .args(args)
        .env_remove("SNOWFLAKE_PASSWORD")
        .env(
            "SF_TEMPORARY_CREDENTIAL_CACHE_DIR",
            std::env::temp_dir().join(format!("sfmfa-cli-flags-{}", std::process::id())),
        )
        .stdin(Stdio::null());
    if let Some(pw) = password {
        cmd.env("SNOWFLAKE_PASSWORD", pw);
    }
    cmd.output().expect("sfmfa runs")
}

fn ok(out: &Output) -> String {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    stdout.into_owned()
}

/// SnowSQL: `-a -u -h -p -m PASSCODE --authenticator`, short and long.
#[test]
fn snowsql_flags_short_and_long() {
    let emu = emulator();
    let port = emu.port().to_string();
    for names in [
        ["-a", "-u", "-h", "-p", "-m"],
        [
            "--accountname",
            "--username",
            "--host",
            "--port",
            "--mfa-passcode",
        ],
    ] {
        let passcode = emu
            .control()
            .current_passcode("xy12345", "demo")
            .expect("a passcode");
        let out = login(
            &[
                names[0],
                "xy12345",
                names[1],
                "demo",
                names[2],
                "127.0.0.1",
                names[3],
                &port,
                names[4],
                &passcode,
                "--authenticator",
                "username_password_mfa",
                "-o",
                "protocol=http",
                "-o",
                "clientStoreTemporaryCredential=off",
            ],
            Some("abc123"),
        );
        assert!(ok(&out).contains("second factor: passcode)"), "{names:?}");
        assert_eq!(emu.control().push_count("xy12345", "demo"), 0);
    }
}

/// SnowSQL's `--mfa-passcode-in-password`, and the `snow` CLI's `--account --user`.
#[test]
fn passcode_in_password_and_snow_cli_names() {
    let emu = emulator();
    let passcode = emu
        .control()
        .current_passcode("xy12345", "demo")
        .expect("a passcode");
    let out = login(
        &[
            "--account",
            "xy12345",
            "--user",
            "demo",
            "--host",
            "127.0.0.1",
            "--port",
            &emu.port().to_string(),
            "--mfa-passcode-in-password",
            "-o",
            "protocol=http",
            "-o",
            "clientStoreTemporaryCredential=off",
        ],
        Some(&format!("abc123{passcode}")),
    );
    assert!(ok(&out).contains("second factor: passcode_in_password"));
}

/// `-m` with no value asks on a terminal; stdin is not one here: a clear error, exit 2, and no
/// request reaches the server. The same for a missing password.
#[test]
fn no_prompt_when_stdin_is_not_a_terminal() {
    let emu = emulator();
    let port = emu.port().to_string();
    let base = [
        "-a",
        "xy12345",
        "-u",
        "demo",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-o",
        "protocol=http",
    ];
    let mut args = base.to_vec();
    args.push("-m");
    let out = login(&args, Some("abc123"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("-m/--mfa-passcode without a value") && stderr.contains("not a terminal"),
        "{stderr}"
    );
    let out = login(&base, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no password"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert_eq!(emu.control().login_count("xy12345", "demo"), 0);
}

/// `-h` is SnowSQL's host; `--help` still prints help.
#[test]
fn dash_h_is_the_host_and_help_is_long() {
    let out = login(&["--help"], None);
    let stdout = ok(&out);
    assert!(stdout.contains("-h, --host <HOST>"), "{stdout}");
    assert!(stdout.contains("--mfa-passcode"), "{stdout}");
}
