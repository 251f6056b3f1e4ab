//! `sfmfa doctor`: JSON parsed back, the Secret Service down (no bus) and up (under
//! ci/with-secret-service.sh, skipped with a message when gnome-keyring is absent).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn doctor(dir: &Path, args: &[&str], with_secret_service: bool) -> Output {
    let bin = env!("CARGO_BIN_EXE_sfmfa");
    let mut cmd = if with_secret_service {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/with-secret-service.sh");
        let mut c = Command::new("sh");
        c.arg(script).arg(bin);
        c
    } else {
        let mut c = Command::new(bin);
        c.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR");
        c
    };
    cmd.arg("doctor")
        .args(args)
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir)
        .output()
        .expect("sfmfa runs")
}

fn check<'a>(out: &'a Value, name: &str) -> &'a Value {
    out["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == name))
        .unwrap_or_else(|| panic!("no check {name}: {out}"))
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn secret_service_down_is_a_finding_with_its_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = doctor(tmp.path(), &["--format", "json"], false);
    let v = parse(&out);
    let ss = check(&v, "store:secret-service");
    assert_eq!(ss["status"], "warning", "{v}");
    assert!(
        ss["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no D-Bus session bus")),
        "{v}"
    );
    assert!(ss["fix"].as_str().is_some_and(|f| !f.is_empty()));
    assert_eq!(check(&v, "store:file")["status"], "ok", "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cache_dir_permissions_and_an_unreachable_host() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("c");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // A port nothing listens on: bind one, then drop it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let url = format!("jdbc:snowflake://127.0.0.1:{port}/?account=xy12345&user=demo&wharehouse=x");
    let out = doctor(&dir, &[&url, "--format", "json"], false);
    let v = parse(&out);
    let c = check(&v, "cache-dir");
    assert_eq!(c["status"], "warning", "{v}");
    assert!(
        c["fix"].as_str().is_some_and(|f| f.contains("chmod 700")),
        "{v}"
    );
    assert_eq!(check(&v, "host")["status"], "problem", "{v}");
    assert_eq!(check(&v, "config")["status"], "warning", "{v}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn secret_service_up() {
    let have = |c: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("gnome-keyring-daemon") && have("dbus-run-session")) {
        eprintln!("SKIPPED secret_service_up: gnome-keyring or dbus-run-session is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = doctor(tmp.path(), &["--format", "json"], true);
    let v = parse(&out);
    assert_eq!(check(&v, "store:secret-service")["status"], "ok", "{v}");
    assert_eq!(check(&v, "store:file")["status"], "ok", "{v}");
}
