//! Every exit code of `sfmfa login`, each provoked against the emulator (or a closed port).

mod common;

use std::process::{Command, Output, Stdio};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn cache_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("sfmfa-cli-exit-{}-{name}", std::process::id()))
}

fn sfmfa(args: &[&str], password: &str, cache: &str) -> Command {
    let mut cmd = common::sfmfa();
    cmd.args(args)
        .env("SNOWFLAKE_PASSWORD", password)
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache_dir(cache))
        .stdin(Stdio::null());
    cmd
}

/// `sfmfa login` of `user` at the emulator's `port` with `extra` options.
fn login(port: u16, user: &str, password: &str, extra: &[&str]) -> Output {
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{port}/?account=xy12345&user={user}&ssl=off&clientStoreTemporaryCredential=off"
    );
    let mut args = vec!["login", url.as_str()];
    args.extend_from_slice(extra);
    sfmfa(&args, password, user).output().expect("sfmfa runs")
}

fn code(out: &Output) -> i32 {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.status
        .code()
        .unwrap_or_else(|| panic!("no exit code: {all}"))
}

#[test]
fn exit_0_success() {
    let emu = emulator();
    assert_eq!(code(&login(emu.port(), "demo", "abc123", &[])), 0);
}

/// A server on 127.0.0.1 that accepts a login (a session it makes up) and refuses every other
/// request, the logout among them, with a code that is not "session gone" (which a logout accepts).
/// It stops after `requests` requests. Returns its port.
fn refusing_logout_server(requests: usize) -> u16 {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let (mut head, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let answer = if head.starts_with("POST /session/v1/login-request") {
                r#"{"success":true,"code":null,"message":null,"data":{"token":"made-up-session","masterToken":"made-up-master","sessionId":42,"validityInSeconds":3600,"masterValidityInSeconds":14400}}"#
            } else {
                r#"{"success":false,"code":"390189","message":"The role requested in the connection is not allowed.","data":null}"#
            };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    port
}

/// Exit code 1, "other": a login that succeeded but whose logout the server refused. The JSON
/// output says so (`ok` false, exit code 1) and keeps the login's facts (the session id).
#[test]
fn exit_1_a_refused_logout() {
    let port = refusing_logout_server(2);
    let out = login(port, "demo", "abc123", &["--format", "json"]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["session_id"], 42, "{v}");
    assert_eq!(v["logged_out"], false, "{v}");
    assert_eq!(v["error"]["exit_code"], 1, "{v}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("logout failed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn exit_2_bad_usage_from_clap_and_from_options() {
    let out = sfmfa(&["login", "--no-such-flag"], "abc123", "usage")
        .output()
        .expect("sfmfa runs");
    assert_eq!(code(&out), 2);
    let emu = emulator();
    let out = login(emu.port(), "demo", "abc123", &["-o", "login_timeout=soon"]);
    assert_eq!(code(&out), 2);
    // No account.
    let out = sfmfa(&["login", "--user", "demo"], "abc123", "usage")
        .output()
        .expect("sfmfa runs");
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn exit_3_incorrect_password() {
    let emu = emulator();
    assert_eq!(code(&login(emu.port(), "demo", "wrong", &[])), 3);
}

#[test]
fn exit_4_duo_push_denied_and_wrong_passcode() {
    let emu = emulator();
    assert_eq!(code(&login(emu.port(), "push_deny", "abc123", &[])), 4);
    let out = login(emu.port(), "demo", "abc123", &["--passcode", "000001"]);
    assert_eq!(code(&out), 4);
}

#[test]
fn exit_5_another_server_code() {
    let emu = emulator();
    emu.control()
        .force_code("390199", Some("Something else."), 1);
    assert_eq!(code(&login(emu.port(), "demo", "abc123", &[])), 5);
}

#[test]
fn exit_6_network() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    assert_eq!(code(&login(port, "demo", "abc123", &[])), 6);
    // An HTTP status that is not a login answer (no retry for 404).
    let emu = emulator();
    emu.control().fail_http(404, 5);
    assert_eq!(code(&login(emu.port(), "demo", "abc123", &[])), 6);
}

#[test]
fn exit_7_tls() {
    // TLS spoken to the emulator's plain-HTTP port: the handshake fails.
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=on",
        emu.port()
    );
    let out = sfmfa(&["login", &url], "abc123", "tls")
        .output()
        .expect("sfmfa runs");
    assert_eq!(code(&out), 7, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn exit_8_login_timeout() {
    let emu = emulator();
    emu.control().stall(10_000, 1);
    let out = login(emu.port(), "demo", "abc123", &["-o", "login_timeout=1"]);
    assert_eq!(code(&out), 8, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn exit_130_ctrl_c_during_a_push() {
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=manual_long&ssl=off&authenticator=username_password_mfa&token_cache=file",
        emu.port()
    );
    let child = sfmfa(&["login", &url], "abc123", "cancel")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sfmfa starts");
    common::wait_for_pending_push(&emu, "manual_long");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("sfmfa ends");
    assert_eq!(code(&out), 130, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(emu.control().push_count("xy12345", "manual_long"), 1);
    // No token stored: the cache directory holds no token file.
    let stored = std::fs::read_dir(cache_dir("cancel"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().ends_with(".lck"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(stored, 0);
}

/// Exit code 9 is for a token cache that cannot be used where the cache is the point (`sfmfa cache`);
/// a login goes on without its cache: a cache directory others may write to is refused, and the
/// login still succeeds (exit 0) with a warning of the cache's state. The mapping of the `CACHE`
/// failure to 9 is checked by the unit test `every_failure_has_a_documented_code`.
#[test]
fn exit_9_is_not_a_login_failure() {
    use std::os::unix::fs::PermissionsExt;
    let dir = cache_dir("insecure");
    std::fs::create_dir_all(&dir).expect("cache dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let emu = emulator();
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off&authenticator=username_password_mfa&token_cache=file",
        emu.port()
    );
    let out = sfmfa(&["login", &url], "abc123", "insecure")
        .output()
        .expect("sfmfa runs");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn help_lists_the_exit_codes() {
    for args in [&["--help"][..], &["login", "--help"][..]] {
        let out = sfmfa(args, "", "help").output().expect("sfmfa runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        for line in ["Exit codes:", "    2    bad usage", "    130  cancelled"] {
            assert!(stdout.contains(line), "{args:?}: {stdout}");
        }
    }
}
