//! `sfmfa login` with a connection string, flags and `-o` options against the emulator.

mod common;

use std::process::Output;

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn sfmfa_login(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = common::sfmfa();
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

/// `sfmfa login` with `extra` flags, the password in `SNOWFLAKE_PASSWORD` and the token cache in
/// `cache`, stdin not a terminal.
fn sfmfa_login_cached(
    port: u16,
    query: &str,
    extra: &[&str],
    password: &str,
    cache: &std::path::Path,
) -> Output {
    let url = format!("jdbc:snowflake://127.0.0.1:{port}/?account=xy12345&ssl=off&{query}");
    common::sfmfa()
        .arg("login")
        .arg(&url)
        .args(extra)
        .env("SNOWFLAKE_PASSWORD", password)
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sfmfa runs")
}

/// The one JSON object on stdout, parsed back.
fn json_of(out: &Output) -> serde_json::Value {
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.trim_end().lines().count(),
        1,
        "one object on one line: {stdout}\n{}",
        text(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// `--format json` of two successful logins of a user whose token is cached: the first prompts
/// (passcode) and stores the token in the file, the second uses it. Every documented field is
/// there; the progress lines stay on stderr.
#[test]
fn json_output_of_a_success_parses_back() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let query =
        "user=push_approve&authenticator=username_password_mfa&token_cache=file&passcode=987654";
    let out = sfmfa_login_cached(
        emu.port(),
        query,
        &["--format", "json"],
        "abc123",
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = json_of(&out);
    let mut fields: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "cache",
            "elapsed_ms",
            "error",
            "logged_out",
            "ok",
            "second_factor",
            "session_id"
        ]
    );
    assert_eq!(json["ok"], true);
    assert!(json["session_id"].as_i64().is_some(), "{json}");
    assert_eq!(json["second_factor"], "passcode");
    assert!(json["elapsed_ms"].as_u64().is_some(), "{json}");
    assert_eq!(json["logged_out"], true);
    assert!(json["error"].is_null(), "{json}");
    assert_eq!(json["cache"]["status"], "stored");
    assert_eq!(json["cache"]["store"], "file");
    assert_eq!(json["cache"]["evicted"], false);
    let file = cache.path().join("credential_cache_v2.json");
    let stored = format!("MFA token stored in the file {}", file.display());
    assert_eq!(json["cache"]["detail"], stored.as_str());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Duo passcode sent"), "{stderr}");
    assert!(stderr.contains(&stored), "{stderr}");

    let out = sfmfa_login_cached(
        emu.port(),
        query,
        &["--format", "json"],
        "abc123",
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = json_of(&out);
    assert_eq!(json["second_factor"], "mfa_token");
    assert_eq!(json["cache"]["status"], "hit");
    let used = format!("used the MFA token cached in the file {}", file.display());
    assert!(
        json["cache"]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with(&used)),
        "{json}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "using the cached MFA token (the file {})",
            file.display()
        )),
        "{stderr}"
    );
    assert_eq!(emu.control().push_count("xy12345", "push_approve"), 0);
}

/// `--format json` of failures: the same exit code as text mode and the error's fields (a wrong
/// password: 3, Snowflake's 390100; no password and no terminal to ask on: 2, usage). Neither
/// stream shows the password.
#[test]
fn json_output_of_a_failure_parses_back() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let out = sfmfa_login_cached(
        emu.port(),
        "user=demo",
        &["--format", "json"],
        "Wr0ng-pw-9",
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let json = json_of(&out);
    assert_eq!(json["ok"], false);
    assert_eq!(json["logged_out"], false);
    assert!(
        json["session_id"].is_null() && json["cache"].is_null(),
        "{json}"
    );
    assert!(json["elapsed_ms"].as_u64().is_some(), "{json}");
    let error = &json["error"];
    assert_eq!(error["exit_code"], 3);
    assert_eq!(error["kind"], "credentials");
    assert_eq!(error["failure"], "BAD_CREDENTIALS");
    assert_eq!(error["code"], 390100);
    assert!(
        error["sqlstate"].as_str().is_some_and(|s| s.len() == 5),
        "{json}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{json}"
    );
    assert!(error.get("hint").is_some(), "{json}");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains("Wr0ng-pw-9"), "{all}");
    // The human message is still on stderr.
    assert!(text(&out.stderr).contains("sfmfa: "), "{all}");

    let out = common::sfmfa()
        .args([
            "login",
            "--account",
            "xy12345",
            "--user",
            "demo",
            "--format",
            "json",
        ])
        .env_remove("SNOWFLAKE_PASSWORD")
        .output()
        .expect("sfmfa runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let json = json_of(&out);
    assert_eq!(json["ok"], false);
    assert!(json["elapsed_ms"].is_null(), "{json}");
    assert_eq!(json["error"]["exit_code"], 2);
    assert_eq!(json["error"]["kind"], "usage");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no password")),
        "{json}"
    );
}

/// What the token cache did, in words on stdout, for each reason not to cache; each event also has
/// its plain line on stderr.
#[test]
fn text_output_tells_the_cache_status_in_words() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let mfa = "authenticator=username_password_mfa&passcode=987654";
    for (query, want) in [
        (
            format!("user=push_approve&{mfa}&token_cache=none"),
            "token cache: not cached: caching is off (token_cache=none)",
        ),
        (
            "user=push_approve&passcode=987654".to_owned(),
            "token cache: not cached: MFA tokens are cached only with authenticator=username_password_mfa",
        ),
        (
            format!("user=push_disabled&{mfa}&token_cache=file"),
            "token cache: not cached: the server issued no MFA token (ALLOW_CLIENT_MFA_CACHING is off for this account or user)",
        ),
    ] {
        // push_disabled is told not to cache on the server's side.
        assert!(
            emu.control()
                .set_allow_mfa_caching_user("xy12345", "push_disabled", Some(false))
        );
        let out = sfmfa_login_cached(emu.port(), &query, &[], "abc123", cache.path());
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{query}: {stdout}\n{stderr}");
        assert!(
            stdout.contains("second factor: passcode)"),
            "{query}: {stdout}"
        );
        assert!(stdout.contains(want), "{query}: {stdout}");
        assert!(
            stdout.trim_end().ends_with("logged out"),
            "{query}: {stdout}"
        );
        for line in [
            "Logging in to 127.0.0.1 as ",
            "Duo passcode sent",
            "MFA token not cached: ",
        ] {
            assert!(stderr.contains(line), "{query}: {stderr}");
        }
    }
}

/// A request refused before processing (HTTP 503) is retried: stderr tells the attempt and why,
/// as a plain line, and the login succeeds.
#[test]
fn a_retry_has_its_line_on_stderr() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    emu.control().fail_http(503, 1);
    let out = sfmfa_login_cached(emu.port(), "user=push_approve", &[], "abc123", cache.path());
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let retry = stderr
        .lines()
        .find(|l| l.starts_with("retrying (attempt 2) in "))
        .unwrap_or_else(|| panic!("no retry line: {stderr}"));
    assert!(
        retry.contains(" ms, because: ") && retry.contains("503"),
        "{retry}"
    );
}

/// Two logins of one user with the token cache on, in two processes: while the first waits for
/// its `manual` push, the second says on stderr that it waits for the other login; once the push
/// is approved, the first stores the token and the second uses it (one push in all).
#[test]
fn a_second_login_of_the_same_user_says_it_waits_for_the_first() {
    use std::time::{Duration, Instant};
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=manual_long&ssl=off&authenticator=username_password_mfa&token_cache=file",
        emu.port()
    );
    let start = || {
        common::sfmfa()
            .args(["login", &url])
            .env("SNOWFLAKE_PASSWORD", "abc123")
            .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sfmfa starts")
    };
    let control = emu.control();
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let end = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(Instant::now() < end, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let first = start();
    wait("the first push", &|| {
        control.pending_pushes("xy12345", "manual_long") == 1
    });
    let mut second = start();
    let stderr = second.stderr.take().expect("stderr");
    let (seen, reader) = common::collect(stderr);
    let so_far = || text(&seen.lock().expect("stderr"));
    wait("the second login's waiting line", &|| {
        so_far().contains("waiting for another login of the same user")
    });
    assert!(control.answer_push("xy12345", "manual_long", true));
    let first = first.wait_with_output().expect("the first ends");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("token cache: MFA token stored in the file "));
    let second_out = second.wait_with_output().expect("the second ends");
    reader.join().expect("the reader ends");
    let stdout = text(&second_out.stdout);
    assert!(second_out.status.success(), "{stdout}\n{}", so_far());
    assert!(stdout.contains("second factor: mfa_token"), "{stdout}");
    assert!(
        stdout.contains("token cache: used the MFA token cached in the file "),
        "{stdout}"
    );
    assert_eq!(control.push_count("xy12345", "manual_long"), 1);
}
