//! `sfmfa doctor`: JSON parsed back; the cache directory is only looked at (its mode stays, a
//! missing one is not created, no lock file appears); the TLS handshake against the emulator's
//! HTTPS (untrusted, trusted through ca_file, plain HTTP); the Secret Service down (no bus), up and
//! locked (under ci/with-secret-service.sh, skipped with a message when gnome-keyring is absent).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

/// The D-Bus call that locks the default collection of the private Secret Service (gnome-keyring
/// locks at once, without a prompt); then the command that follows runs.
const LOCK_THEN_RUN: &str = "dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
    array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null && exec \"$@\"";

/// How `sfmfa doctor` is run.
#[derive(Clone, Copy, PartialEq)]
enum Bus {
    /// No session bus at all.
    None,
    /// A private Secret Service (ci/with-secret-service.sh).
    SecretService,
    /// The same, with its default collection locked before sfmfa starts.
    Locked,
}

fn doctor(dir: &Path, args: &[&str], bus: Bus) -> Output {
    let bin = env!("CARGO_BIN_EXE_sfmfa");
    let mut cmd = if bus == Bus::None {
        let mut c = Command::new(bin);
        c.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR");
        c
    } else {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/with-secret-service.sh");
        let mut c = Command::new("sh");
        c.arg(script);
        if bus == Bus::Locked {
            c.args(["sh", "-c", LOCK_THEN_RUN, "lock-then-run"]);
        }
        c.arg(bin);
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

fn has(value: &Value, part: &str) -> bool {
    value.as_str().is_some_and(|s| s.contains(part))
}

/// Whether gnome-keyring and dbus-run-session are installed (CI installs both).
fn secret_service_installed(test: &str) -> bool {
    let have = |c: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let installed = have("gnome-keyring-daemon") && have("dbus-run-session");
    if !installed {
        eprintln!("SKIPPED {test}: gnome-keyring or dbus-run-session is not installed");
    }
    installed
}

/// Every entry of `dir` (name, mode, contents of files): what a run must leave as it was.
fn snapshot(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            let e = e.expect("entry");
            let meta = e.metadata().expect("metadata");
            let bytes = if meta.is_file() {
                std::fs::read(e.path()).expect("read")
            } else {
                Vec::new()
            };
            (
                e.file_name().to_string_lossy().into_owned(),
                meta.permissions().mode() & 0o777,
                bytes,
            )
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn secret_service_down_is_a_finding_with_its_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = doctor(tmp.path(), &["--format", "json"], Bus::None);
    let v = parse(&out);
    let ss = check(&v, "store:secret-service");
    assert_eq!(ss["status"], "warning", "{v}");
    assert!(has(&ss["detail"], "no D-Bus session bus"), "{v}");
    assert!(has(&ss["fix"], "dbus-run-session"), "{v}");
    assert_eq!(check(&v, "store:file")["status"], "ok", "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cache_dir_permissions_and_an_unreachable_host() {
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
    let out = doctor(&dir, &[&url, "--format", "json"], Bus::None);
    let v = parse(&out);
    let c = check(&v, "cache-dir");
    assert_eq!(c["status"], "warning", "{v}");
    assert!(has(&c["detail"], "mode 0755"), "{v}");
    assert!(has(&c["fix"], "chmod 700"), "{v}");
    assert_eq!(check(&v, "host")["status"], "problem", "{v}");
    let tls = check(&v, "tls");
    assert_eq!(tls["status"], "problem", "{v}");
    assert!(has(&tls["detail"], "not checked"), "{v}");
    assert_eq!(check(&v, "config")["status"], "warning", "{v}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn doctor_changes_nothing_in_the_cache_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("c");
    std::fs::create_dir(&dir).expect("mkdir");
    // A cache file as sfmfa writes it (0600), one MFA token in it, in a directory left at 0755.
    let file = dir.join("credential_cache_v2.json");
    let key = format!("SnowflakeTokenCache.v2.MfaToken.{}", "cd".repeat(32));
    std::fs::write(&file, format!(r#"{{"tokens": {{"{key}": "a-token"}}}}"#)).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let before = snapshot(&dir);

    for format in ["json", "text"] {
        let out = doctor(&dir, &["--format", format], Bus::None);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let mode = std::fs::metadata(&dir).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "doctor changed the directory's mode");
        assert_eq!(snapshot(&dir), before, "doctor changed the cache directory");
    }
    let v = parse(&doctor(&dir, &["--format", "json"], Bus::None));
    let c = check(&v, "cache-dir");
    assert_eq!(c["status"], "warning", "{v}");
    assert!(
        has(&c["fix"], &format!("chmod 700 '{}'", dir.display())),
        "{v}"
    );
    let file_store = check(&v, "store:file");
    assert_eq!(file_store["status"], "ok", "{v}");
    assert!(has(&file_store["detail"], "1 MFA token"), "{v}");
    assert!(
        !v.to_string().contains("a-token"),
        "a token was printed: {v}"
    );
}

#[test]
fn a_missing_cache_dir_is_not_created() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("a").join("cache");
    let out = doctor(&dir, &["--format", "json"], Bus::None);
    let v = parse(&out);
    assert!(
        has(&check(&v, "cache-dir")["detail"], "does not exist yet"),
        "{v}"
    );
    assert_eq!(check(&v, "store:file")["status"], "ok", "{v}");
    assert!(!tmp.path().join("a").exists(), "doctor created a directory");
}

fn tls_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::embedded_default(),
        StartOptions {
            tls: true,
            ..StartOptions::default()
        },
    )
    .expect("emulator starts")
}

#[test]
fn tls_with_an_untrusted_certificate_is_a_problem_with_its_fix() {
    let emu = tls_emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "jdbc:snowflake://localhost:{}/?account=xy12345&user=demo",
        emu.port()
    );
    let out = doctor(tmp.path(), &[&url, "--format", "json"], Bus::None);
    let v = parse(&out);
    assert_eq!(check(&v, "host")["status"], "ok", "{v}");
    let tls = check(&v, "tls");
    assert_eq!(tls["status"], "problem", "{v}");
    assert!(has(&tls["detail"], "untrusted issuer"), "{v}");
    assert!(has(&tls["fix"], "ca_file"), "{v}");
    assert_eq!(out.status.code(), Some(1));
    // Nothing but the handshake: no login reached the emulator.
    assert_eq!(emu.control().total_logins(), 0);

    // Another emulator's CA does not vouch for this one: the fix names the file given.
    let other = tls_emulator();
    let other_ca = other.ca_file().expect("CA file").display().to_string();
    let trust = format!("ca_file={other_ca}");
    let v = parse(&doctor(
        tmp.path(),
        &[&url, "-o", &trust, "--format", "json"],
        Bus::None,
    ));
    let tls = check(&v, "tls");
    assert_eq!(tls["status"], "problem", "{v}");
    assert!(has(&tls["detail"], "untrusted issuer"), "{v}");
    assert!(has(&tls["fix"], &other_ca), "{v}");
}

#[test]
fn tls_trusted_through_ca_file_is_ok() {
    let emu = tls_emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ca = emu.ca_file().expect("CA file").display().to_string();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!(
            "jdbc:snowflake://{host}:{}/?account=xy12345&user=demo",
            emu.port()
        );
        let trust = format!("ca_file={ca}");
        let out = doctor(
            tmp.path(),
            &[&url, "-o", &trust, "--format", "json"],
            Bus::None,
        );
        let v = parse(&out);
        let tls = check(&v, "tls");
        assert_eq!(tls["status"], "ok", "{v}");
        assert!(has(&tls["detail"], "TLS ok"), "{v}");
        assert!(has(&tls["detail"], &ca), "{v}");
    }
    assert_eq!(emu.control().total_logins(), 0);
}

#[test]
fn plain_http_says_tls_is_not_used() {
    let emu = Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts");
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off",
        emu.port()
    );
    let v = parse(&doctor(tmp.path(), &[&url, "--format", "json"], Bus::None));
    assert_eq!(check(&v, "host")["status"], "ok", "{v}");
    let tls = check(&v, "tls");
    assert_eq!(tls["status"], "ok", "{v}");
    assert!(has(&tls["detail"], "TLS is not used"), "{v}");
}

#[test]
fn secret_service_up() {
    if !secret_service_installed("secret_service_up") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = doctor(tmp.path(), &["--format", "json"], Bus::SecretService);
    let v = parse(&out);
    assert_eq!(check(&v, "store:secret-service")["status"], "ok", "{v}");
    assert_eq!(check(&v, "store:file")["status"], "ok", "{v}");
}

#[test]
fn a_locked_secret_service_collection_is_a_finding_with_the_unlock() {
    if !secret_service_installed("a_locked_secret_service_collection_is_a_finding_with_the_unlock")
    {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = doctor(tmp.path(), &["--format", "json"], Bus::Locked);
    let v = parse(&out);
    let ss = check(&v, "store:secret-service");
    assert_eq!(ss["status"], "warning", "{v}");
    assert!(has(&ss["detail"], "default collection is locked"), "{v}");
    // The fix of this cause (not the one for a missing bus or daemon).
    assert!(has(&ss["fix"], "unlock the default collection"), "{v}");
    assert!(!has(&ss["fix"], "dbus-run-session"), "{v}");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(out.status.code(), Some(1));
}
