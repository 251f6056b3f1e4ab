//! `sfmfa cache list/inspect/delete` after real logins against the emulator: the file store (a
//! temporary directory through SF_TEMPORARY_CREDENTIAL_CACHE_DIR), the kernel keyutils store, and
//! the Secret Service (a private gnome-keyring of the test's own, through
//! ci/with-secret-service.sh; skipped with a message when gnome-keyring is absent).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn sfmfa(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sfmfa"))
        .args(args)
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir)
        .env("SFMFA_CLI_TEST_PASSWORD", "abc123987654")
        .output()
        .expect("sfmfa runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// A passcode-in-password login that stores its token in `store` (`file` or `keyutils`).
fn login(emu: &Emulator, dir: &Path, user: &str, store: &str) {
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user={user}&ssl=off&authenticator=username_password_mfa&passcodeInPassword=on&token_cache={store}",
        emu.port()
    );
    let out = sfmfa(
        dir,
        &["login", &url, "--password-env", "SFMFA_CLI_TEST_PASSWORD"],
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// The tokens the cache file holds (to check that no output shows them).
fn file_tokens(dir: &Path) -> Vec<String> {
    let bytes = std::fs::read(dir.join("credential_cache_v2.json")).expect("cache file");
    let doc: Value = serde_json::from_slice(&bytes).expect("json");
    doc["tokens"]
        .as_object()
        .map(|m| {
            m.values()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn list_inspect_delete_on_the_file_store() {
    let emu = emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    login(&emu, &dir, "demo", "file");
    login(&emu, &dir, "push_deny", "file");
    let host = format!("127.0.0.1:{}", emu.port());
    let tokens = file_tokens(&dir);
    assert_eq!(tokens.len(), 2);

    let out = sfmfa(
        &dir,
        &["cache", "list", "--store", "file", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for token in &tokens {
        assert!(!text(&out).contains(token.as_str()), "a token was printed");
    }
    let listed = json(&out);
    let entries = listed["tokens"].as_array().expect("tokens[]");
    assert_eq!(entries.len(), 2, "{listed}");
    let mut users: Vec<&str> = entries
        .iter()
        .map(|e| e["user"].as_str().expect("user"))
        .collect();
    users.sort();
    assert_eq!(users, ["demo", "push_deny"]);
    for e in entries {
        assert_eq!(e["store"], "file");
        assert_eq!(e["host"], host.as_str());
        assert_eq!(e["written_by_sfmfa"], true);
        assert!(e["written_at"].as_str().is_some_and(|t| t.ends_with('Z')));
        assert!(e["written_at_unix"].as_u64().is_some());
        assert!(
            e["key"]
                .as_str()
                .is_some_and(|k| k.starts_with("SnowflakeTokenCache.v2.MfaToken."))
        );
    }
    assert_eq!(listed["stores"][0]["store"], "file");
    assert_eq!(listed["stores"][0]["available"], true);
    assert_eq!(
        listed["stores"][0]["location"],
        dir.display().to_string().as_str()
    );

    // Text output: store, host, user, written when.
    let out = sfmfa(&dir, &["cache", "list", "--store", "file"]);
    let shown = text(&out);
    assert!(
        shown.contains(&format!("{host}  demo  written ")),
        "{shown}"
    );

    // inspect: by the login's connection string, and by flags.
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off",
        emu.port()
    );
    let out = sfmfa(&dir, &["cache", "inspect", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let inspected = json(&out);
    assert_eq!(inspected["found"], true);
    assert_eq!(inspected["host"], host.as_str());
    assert_eq!(inspected["user"], "demo");
    assert_eq!(inspected["tokens"][0]["store"], "file");
    let port = emu.port().to_string();
    let by_flags = [
        "cache",
        "inspect",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--user",
        "DEMO",
        "--store",
        "file",
    ];
    let out = sfmfa(&dir, &by_flags);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("a token is cached for DEMO"),
        "{}",
        text(&out)
    );

    // delete one user; then inspect says not found (1), and a second delete finds nothing (1).
    let out = sfmfa(&dir, &["cache", "delete", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let deleted = json(&out);
    assert_eq!(deleted["deleted"][0]["user"], "demo");
    assert_eq!(deleted["deleted"][0]["store"], "file");
    let out = sfmfa(&dir, &["cache", "inspect", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(json(&out)["found"], false);
    let out = sfmfa(&dir, &["cache", "delete", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = sfmfa(
        &dir,
        &["cache", "list", "--store", "file", "--format", "json"],
    );
    let users: Vec<Value> = json(&out)["tokens"]
        .as_array()
        .expect("tokens[]")
        .iter()
        .map(|e| e["user"].clone())
        .collect();
    assert_eq!(users, [Value::from("push_deny")]);

    // The next login of the deleted user is not a cached one: it prompts (passcode in password).
    login(&emu, &dir, "demo", "file");
    assert_eq!(file_tokens(&dir).len(), 2);
}

#[test]
fn entries_of_other_drivers_are_listed_without_host_and_deleted_with_all() {
    let emu = emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    login(&emu, &dir, "demo", "file");
    // Another driver's entry (a key sfmfa's index does not know) and a non-MFA entry.
    let path = dir.join("credential_cache_v2.json");
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let foreign = format!("SnowflakeTokenCache.v2.MfaToken.{}", "ab".repeat(32));
    doc["tokens"][&foreign] = Value::from("foreign-token-value");
    doc["tokens"]["SnowflakeTokenCache.v2.IdToken.x"] = Value::from("id-token-value");
    std::fs::write(&path, serde_json::to_vec(&doc).expect("encode")).expect("write");

    let out = sfmfa(&dir, &["cache", "list", "--store", "file"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains(&format!(
            "unknown host/user (written by another driver)  ({foreign})"
        )),
        "{shown}"
    );
    assert!(
        !shown.contains("foreign-token-value") && !shown.contains("IdToken"),
        "{shown}"
    );
    let listed = json(&sfmfa(
        &dir,
        &["cache", "list", "--store", "file", "--format", "json"],
    ));
    let other = listed["tokens"]
        .as_array()
        .expect("tokens[]")
        .iter()
        .find(|e| e["key"] == foreign.as_str())
        .expect("the foreign entry is listed");
    assert_eq!(other["host"], Value::Null);
    assert_eq!(other["written_by_sfmfa"], false);

    // --all takes no host; then removes both MFA entries and keeps the id token.
    let out = sfmfa(&dir, &["cache", "delete", "--all", "--user", "demo"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = sfmfa(
        &dir,
        &[
            "cache", "delete", "--all", "--store", "file", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json(&out)["deleted"].as_array().map(Vec::len), Some(2));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(doc["tokens"].as_object().map(|m| m.len()), Some(1), "{doc}");
    let out = sfmfa(&dir, &["cache", "delete", "--all", "--store", "file"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn a_store_error_has_its_own_exit_code() {
    use std::os::unix::fs::PermissionsExt;
    let emu = emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    login(&emu, &dir, "demo", "file");
    let path = dir.join("credential_cache_v2.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    for args in [
        &["cache", "list", "--store", "file", "--format", "json"][..],
        &[
            "cache",
            "inspect",
            "--account",
            "xy12345",
            "--user",
            "demo",
            "--store",
            "file",
        ],
        &["cache", "delete", "--all", "--store", "file"],
    ] {
        let out = sfmfa(&dir, args);
        assert_eq!(out.status.code(), Some(9), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("mode 0644"), "{args:?}: {}", text(&out));
    }
    let listed = json(&sfmfa(
        &dir,
        &["cache", "list", "--store", "file", "--format", "json"],
    ));
    assert!(
        listed["stores"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("0644"))
    );
    // Usage errors: 2.
    let out = sfmfa(&dir, &["cache", "inspect", "--account", "xy12345"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = sfmfa(&dir, &["cache", "delete"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn exit_codes_are_in_the_help() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for sub in [&["cache", "--help"][..], &["cache", "inspect", "--help"]] {
        let out = sfmfa(tmp.path(), sub);
        let shown = text(&out);
        assert!(
            shown.contains("0 found")
                && shown.contains("1 not found")
                && shown.contains("9 a store failed"),
            "{shown}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn list_inspect_delete_on_the_keyutils_store() {
    let emu = emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    login(&emu, &dir, "demo", "keyutils");
    let host = format!("127.0.0.1:{}", emu.port());
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off",
        emu.port()
    );
    let out = sfmfa(
        &dir,
        &["cache", "list", "--store", "keyutils", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listed = json(&out);
    // The persistent keyring is the user's: other tests' tokens may be there too.
    let ours: Vec<&Value> = listed["tokens"]
        .as_array()
        .expect("tokens[]")
        .iter()
        .filter(|e| e["host"] == host.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{listed}");
    assert_eq!(ours[0]["user"], "demo");
    assert_eq!(ours[0]["store"], "keyutils");
    assert_eq!(ours[0]["written_by_sfmfa"], true);

    let out = sfmfa(&dir, &["cache", "inspect", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let inspected = json(&out);
    let stores: Vec<&Value> = inspected["tokens"]
        .as_array()
        .expect("tokens[]")
        .iter()
        .map(|t| &t["store"])
        .collect();
    assert_eq!(stores, [&Value::from("keyutils")], "{inspected}");

    let out = sfmfa(&dir, &["cache", "delete", &url, "--store", "keyutils"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = sfmfa(&dir, &["cache", "inspect", &url, "--store", "keyutils"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let listed = json(&sfmfa(
        &dir,
        &["cache", "list", "--store", "keyutils", "--format", "json"],
    ));
    let key = inspected["key"].as_str().expect("key");
    assert!(
        !listed["tokens"]
            .as_array()
            .expect("tokens[]")
            .iter()
            .any(|e| e["key"] == key),
        "{listed}"
    );
}

/// Set to a test's name in the copy of this test binary that ci/with-secret-service.sh runs: that
/// copy runs the test's body on the private bus.
#[cfg(target_os = "linux")]
const PRIVATE_BUS: &str = "SFMFA_CLI_TEST_PRIVATE_BUS";

/// Runs the test `name` of this binary again, alone, on a private D-Bus session bus with a fresh,
/// unlocked gnome-keyring Secret Service (ci/with-secret-service.sh), and checks that it passed.
/// Returns true in that copy, where the caller runs the test's body; false in the first run (or
/// when gnome-keyring or dbus-run-session is missing: then the test says it was skipped).
#[cfg(target_os = "linux")]
fn on_a_private_secret_service(name: &str) -> bool {
    if std::env::var(PRIVATE_BUS).is_ok_and(|n| n == name) {
        return true;
    }
    let have = |c: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("gnome-keyring-daemon") && have("dbus-run-session")) {
        eprintln!("SKIPPED {name}: gnome-keyring or dbus-run-session is not installed");
        return false;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/with-secret-service.sh");
    let me = std::env::current_exe().expect("the test binary's path");
    let out = Command::new("sh")
        .arg(script)
        .arg(me)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(PRIVATE_BUS, name)
        .output()
        .expect("ci/with-secret-service.sh runs");
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("1 passed"), "the test did not run: {shown}");
    false
}

#[cfg(target_os = "linux")]
#[test]
fn list_inspect_delete_on_the_secret_service_store() {
    use sfmfa::cache::{CacheKey, KeystoreCache, TokenCache};
    if !on_a_private_secret_service("list_inspect_delete_on_the_secret_service_store") {
        return;
    }
    let emu = emulator();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("cache");
    login(&emu, &dir, "demo", "secret-service");
    let host = format!("127.0.0.1:{}", emu.port());
    // The token, read from the Secret Service itself, to check that no output shows it.
    let store = KeystoreCache::secret_service_running().expect("the private Secret Service");
    let key = CacheKey {
        service: host.clone(),
        user: "demo".into(),
    };
    let token = store
        .read(&key)
        .expect("read")
        .expect("the login stored its token in the Secret Service");
    let token = token.expose().to_owned();
    assert!(
        !dir.join("credential_cache_v2.json").exists(),
        "not in the file"
    );

    let list = [
        "cache",
        "list",
        "--store",
        "secret-service",
        "--format",
        "json",
    ];
    let out = sfmfa(&dir, &list);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(&token), "a token was printed");
    let listed = json(&out);
    let entries = listed["tokens"].as_array().expect("tokens[]");
    assert_eq!(entries.len(), 1, "{listed}");
    assert_eq!(entries[0]["store"], "secret-service");
    assert_eq!(entries[0]["host"], host.as_str());
    assert_eq!(entries[0]["user"], "demo");
    assert_eq!(entries[0]["written_by_sfmfa"], true);
    assert_eq!(entries[0]["key"], key.v2().as_str());
    assert_eq!(listed["stores"][0]["store"], "secret-service");
    assert_eq!(listed["stores"][0]["available"], true);

    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=demo&ssl=off",
        emu.port()
    );
    let inspect = [
        "cache",
        "inspect",
        &url,
        "--store",
        "secret-service",
        "--format",
        "json",
    ];
    let out = sfmfa(&dir, &inspect);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(&token), "a token was printed");
    let inspected = json(&out);
    assert_eq!(inspected["found"], true, "{inspected}");
    assert_eq!(inspected["tokens"][0]["store"], "secret-service");

    let out = sfmfa(
        &dir,
        &[
            "cache",
            "delete",
            &url,
            "--store",
            "secret-service",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json(&out)["deleted"][0]["user"], "demo");
    assert_eq!(
        store.read(&key).expect("read").map(|t| t.expose().len()),
        None
    );

    let out = sfmfa(&dir, &list);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        json(&out)["tokens"],
        Value::Array(Vec::new()),
        "{}",
        text(&out)
    );
    let out = sfmfa(&dir, &inspect);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}
