//! `sfmfa login` with a connection string, flags and `-o` options against the emulator.

use std::process::{Command, Output};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn sfmfa_login(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfmfa"));
    cmd.arg("login").args(args).env_remove("SNOWFLAKE_PASSWORD");
    // Any token cache stays out of the user's ~/.cache.
    let cache = std::env::temp_dir().join(format!("sfmfa-cli-test-{}", std::process::id()));
    cmd.env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", &cache);
    if let Some(pw) = password {
        cmd.env("SFMFA_CLI_TEST_PASSWORD", pw);
    }
    cmd.output().expect("sfmfa runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn login_from_a_jdbc_url_with_warnings_on_stderr() {
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off&wharehouse=WH&passcode=987654",
        emu.port()
    );
    let out = sfmfa_login(
        &[&url, "--password-env", "SFMFA_CLI_TEST_PASSWORD"],
        Some("abc123"),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("second factor: passcode"), "{stdout}");
    let at = url.find("wharehouse").unwrap_or_default();
    let expected = format!(
        "warning: unknown key 'wharehouse' at byte {at} ignored; nearest known name: 'warehouse'"
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(emu.control().push_count("xy12345", "demo"), 0);
}

#[test]
fn flags_and_options_override_an_odbc_string() {
    let emu = emulator();
    let odbc = format!(
        "Server=127.0.0.1;port={};protocol=http;account=xy12345;UID=nobody;PWD={{abc123987654}}",
        emu.port()
    );
    // --user overrides UID; -o takes any driver's name and is applied last.
    let out = sfmfa_login(
        &[
            "--connection-string",
            &odbc,
            "--user",
            "demo",
            "--passcode",
            "000000",
            "-o",
            "passcodeInPassword=on",
        ],
        None,
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("second factor: passcode_in_password"),
        "{stdout}"
    );
    assert!(!stderr.contains("abc123") && !stdout.contains("abc123"));
}

#[test]
fn errors_name_the_key_and_no_password_is_asked_for_clearly() {
    let out = sfmfa_login(&["Server=h.example.com;PWD={abc123"], None);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("key 'PWD' at byte 21: the value opened with '{' at byte 25 is not closed"),
        "{stderr}"
    );
    assert!(!stderr.contains("abc123"), "{stderr}");
    let out = sfmfa_login(&["--account", "xy12345", "--user", "demo"], None);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no password: set it in the environment variable SNOWFLAKE_PASSWORD"),
        "{stderr}"
    );
}

/// The multi-step Duo flow (`nextAction`) through the CLI: the embedded user `legacy` answers
/// with it: three requests, one push, reported as a push (the flow proves it).
#[test]
fn multi_step_login_of_a_legacy_user() {
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=legacy&ssl=off&authenticator=username_password_mfa&clientStoreTemporaryCredential=off",
        emu.port()
    );
    let out = sfmfa_login(
        &[&url, "--password-env", "SFMFA_CLI_TEST_PASSWORD"],
        Some("abc123"),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("second factor: push)"), "{stdout}");
    assert_eq!(emu.control().push_count("xy12345", "legacy"), 1);
    assert_eq!(emu.control().login_count("xy12345", "legacy"), 3);
}

/// Passcode in password with the token cache on (the default), three runs in a row: the first
/// stores the token, the next two use it (their password is sent without the passcode).
#[test]
fn passcode_in_password_three_runs_in_a_row_with_the_token_cache() {
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=push_deny&ssl=off&authenticator=username_password_mfa&passcodeInPassword=on&token_cache=file",
        emu.port()
    );
    for (run, want) in [
        (1, "second factor: passcode_in_password"),
        (2, "second factor: mfa_token"),
        (3, "second factor: mfa_token"),
    ] {
        let out = sfmfa_login(
            &[&url, "--password-env", "SFMFA_CLI_TEST_PASSWORD"],
            Some("abc123987654"),
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "run {run}: {stdout}\n{stderr}");
        assert!(stdout.contains(want), "run {run}: {stdout}");
    }
    assert_eq!(emu.control().push_count("xy12345", "push_deny"), 0);
}

/// A password typed where another option's value or an option name goes is not printed back
/// (issue 14, item 2).
#[test]
fn a_secret_in_the_wrong_place_is_not_printed() {
    let secret = "Kx31-Zq8_pw";
    for option in [
        format!("login_timeout={secret}"),
        format!("passcodeInPassword={secret}"),
        format!("{secret}=x"),
        secret.to_owned(),
    ] {
        let out = sfmfa_login(
            &["--account", "xy12345", "--user", "demo", "-o", &option],
            Some("abc123"),
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "-o {option}: {stdout}\n{stderr}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "-o {option}: {stdout}\n{stderr}"
        );
        assert!(stderr.contains("-o"), "-o {option}: {stderr}");
    }
    // In a connection string too, as a key or a value.
    for s in [
        format!("Server=h.example.com;UID=u;{secret}=1;loginTimeout={secret}"),
        format!("jdbc:snowflake://h.example.com/?{secret}=%zz"),
    ] {
        let out = sfmfa_login(&[&s], Some("abc123"));
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success() && !all.contains(secret), "{s}: {all}");
    }
}
