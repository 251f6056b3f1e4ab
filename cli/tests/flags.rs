//! SnowSQL's and the `snow` CLI's flags of `sfmfa login`, against the emulator; no prompt when stdin
//! is not a terminal.

use std::process::Output;

mod common;

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn login(args: &[&str], password: Option<&str>) -> Output {
    // No profile of the machine's user applies: HOME and SNOWFLAKE_HOME are an empty folder (a
    // SnowSQL `[connections]` there would be the default connection, its password included).
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = common::sfmfa_at(home.path());
    cmd.arg("login").args(args).env(
        "SF_TEMPORARY_CREDENTIAL_CACHE_DIR",
        std::env::temp_dir().join(format!("sfmfa-cli-flags-{}", std::process::id())),
    );
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
    // --authenticator reached the request.
    let history = emu.control().login_history();
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .all(|h| h.authenticator == "USERNAME_PASSWORD_MFA"),
        "{history:?}"
    );
}

/// SnowSQL's `--mfa-passcode-in-password` (and its alias `--passcode-in-password`), and the
/// `snow` CLI's `--account --user`. The passcode is demo's Duo bypass code, which stays valid.
#[test]
fn passcode_in_password_and_snow_cli_names() {
    let emu = emulator();
    for flag in ["--mfa-passcode-in-password", "--passcode-in-password"] {
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
                flag,
                "-o",
                "protocol=http",
                "-o",
                "clientStoreTemporaryCredential=off",
            ],
            Some("abc123987654"),
        );
        assert!(
            ok(&out).contains("second factor: passcode_in_password"),
            "{flag}"
        );
    }
    assert_eq!(emu.control().push_count("xy12345", "demo"), 0);
}

/// The `snow` CLI's flags of a Duo login together: `--account --user --mfa-passcode
/// --authenticator`. The authenticator is the one the request names; one sfmfa does not do is
/// refused before any request (exit 2).
#[test]
fn snow_cli_flags_together() {
    let emu = emulator();
    let port = emu.port().to_string();
    let snow = |authenticator: &str, passcode: &str| {
        login(
            &[
                "--account",
                "xy12345",
                "--user",
                "demo",
                "--mfa-passcode",
                passcode,
                "--authenticator",
                authenticator,
                "-o",
                "host=127.0.0.1",
                "-o",
                &format!("port={port}"),
                "-o",
                "protocol=http",
                "-o",
                "clientStoreTemporaryCredential=off",
            ],
            Some("abc123"),
        )
    };
    for (authenticator, sent) in [
        ("username_password_mfa", "USERNAME_PASSWORD_MFA"),
        ("snowflake", "SNOWFLAKE"),
    ] {
        let out = snow(authenticator, "987654");
        assert!(
            ok(&out).contains("second factor: passcode)"),
            "{authenticator}"
        );
        let history = emu.control().login_history();
        let last = history.last().expect("a login");
        assert_eq!(last.authenticator, sent, "{last:?}");
        assert_eq!(
            last.second_authentication_factor.as_deref(),
            Some("DUO_PASSCODE"),
            "{last:?}"
        );
    }
    // A wrong passcode is the server's Duo refusal (4): the flag's value is what was sent.
    let out = snow("username_password_mfa", "000000");
    assert_eq!(out.status.code(), Some(4));
    let out = snow("externalbrowser", "987654");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(emu.control().login_count("xy12345", "demo"), 3);
    assert_eq!(emu.control().push_count("xy12345", "demo"), 0);
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
