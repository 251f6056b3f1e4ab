//! The OS keystore token caches against the real stores, no mocks.
//!
//! keyutils (always, on Linux): roundtrips through the `TokenCache` trait, a token crossing
//! processes both ways, and a thread that existed before any keyring use (the per-thread session
//! keyring join). Keys live in the per-user persistent keyring, which outlives this run, so every
//! test uses its own user (with the pid) and deletes what it wrote.
//!
//! Secret Service: only with `SFMFA_TEST_SECRET_SERVICE=1`, set under `ci/with-secret-service.sh`
//! (a private bus and keyring). Without it those tests print a skip line and pass; with it, an
//! unreachable store FAILS them, so CI cannot skip them silently. They also check that
//! `secret-tool` (libsecret) finds our item by the standard attributes, both ways.
//!
//! `os_default()` is checked to pick the Secret Service under the wrapper and keyutils in a
//! child process that has no session bus.
#![cfg(target_os = "linux")]

#[path = "common/child.rs"]
mod child;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};

use sfmfa::cache::keystore::SERVICE;
use sfmfa::cache::{CacheKey, KeystoreCache, TokenCache};
use sfmfa::{ErrorKind, Secret};

/// Selects a child mode when this test binary is re-run by a test.
const CHILD_MODE: &str = "SFMFA_KEYSTORE_TEST_CHILD";
/// The backend the child opens: "keyutils" or "secret-service".
const CHILD_BACKEND: &str = "SFMFA_KEYSTORE_TEST_BACKEND";
/// The user part of the key the child reads or writes.
const CHILD_USER: &str = "SFMFA_KEYSTORE_TEST_USER";
/// Set to 1 (by the wrapper run) to run the Secret Service tests.
const SECRET_SERVICE_SWITCH: &str = "SFMFA_TEST_SECRET_SERVICE";

const HOST: &str = "sfmfa-keystore-test.snowflakecomputing.com";

/// A key no other test, run or process uses.
fn unique_key(tag: &str) -> CacheKey {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    CacheKey {
        service: HOST.into(),
        user: format!("{tag}-{}-{n}", std::process::id()),
    }
}

fn key_for_user(user: &str) -> CacheKey {
    CacheKey {
        service: HOST.into(),
        user: user.into(),
    }
}

/// Deletes its key when dropped, so a failing test leaves nothing in the persistent keyring.
struct Cleanup<'a>(&'a dyn TokenCache, CacheKey);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.delete(&self.1);
    }
}

fn open(backend: &str) -> KeystoreCache {
    match backend {
        "keyutils" => KeystoreCache::keyutils().unwrap(),
        "secret-service" => KeystoreCache::secret_service().unwrap(),
        other => panic!("unknown backend {other}"),
    }
}

/// The Secret Service cache when this run is meant to test it; `None` (after a skip line) when not.
/// Under the switch, an unreachable store fails the test.
fn secret_service_or_skip() -> Option<KeystoreCache> {
    if std::env::var(SECRET_SERVICE_SWITCH).as_deref() != Ok("1") {
        println!("skipped: run under ci/with-secret-service.sh");
        return None;
    }
    match KeystoreCache::secret_service() {
        Ok(cache) => Some(cache),
        Err(e) => panic!("{SECRET_SERVICE_SWITCH}=1 but the Secret Service is unreachable: {e}"),
    }
}

/// Re-runs this test binary with only `child_process` and the child environment; returns its
/// stdout. `no_bus` removes every way to reach a D-Bus session bus.
fn run_child(mode: &str, backend: &str, user: &str, no_bus: Option<&Path>) -> String {
    let mut cmd = child::self_command("child_process");
    cmd.env(CHILD_MODE, mode)
        .env(CHILD_BACKEND, backend)
        .env(CHILD_USER, user);
    if let Some(runtime_dir) = no_bus {
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", runtime_dir);
    }
    child::stdout_of(&mut cmd)
}

/// Child side of the cross-process tests; does nothing in a normal run.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let backend = std::env::var(CHILD_BACKEND).unwrap();
    let key = key_for_user(&std::env::var(CHILD_USER).unwrap());
    match mode.as_str() {
        "read" => {
            let token = open(&backend).read(&key).unwrap();
            println!(
                "CHILD-TOKEN={}",
                token.as_ref().map_or("<none>", Secret::expose)
            );
        }
        "write" => {
            open(&backend)
                .write(&key, &Secret::from("from-the-child"))
                .unwrap();
            println!("CHILD-WROTE");
        }
        "os-default" => match KeystoreCache::os_default() {
            Ok(cache) => println!("CHILD-BACKEND={}", cache.backend()),
            Err(e) => println!("CHILD-ERROR={e}"),
        },
        "open-secret-service" => match KeystoreCache::secret_service() {
            Ok(_) => println!("CHILD-OPENED"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Cache);
                println!("CHILD-ERROR={e}");
            }
        },
        other => panic!("unknown child mode {other}"),
    }
}

/// Write, read, replace, delete, delete again, through the trait object.
fn roundtrip(cache: &dyn TokenCache) {
    let key = unique_key("roundtrip");
    let _cleanup = Cleanup(cache, key.clone());
    assert!(cache.read(&key).unwrap().is_none());
    cache.write(&key, &Secret::from("token-one")).unwrap();
    assert_eq!(cache.read(&key).unwrap().unwrap().expose(), "token-one");
    cache.write(&key, &Secret::from("token-two")).unwrap();
    assert_eq!(cache.read(&key).unwrap().unwrap().expose(), "token-two");
    cache.delete(&key).unwrap();
    assert!(cache.read(&key).unwrap().is_none());
    cache.delete(&key).unwrap();

    // Another user at the same host is another entry.
    let other = unique_key("roundtrip-other");
    let _cleanup_other = Cleanup(cache, other.clone());
    cache.write(&key, &Secret::from("mine")).unwrap();
    assert!(cache.read(&other).unwrap().is_none());
    cache.delete(&key).unwrap();
}

/// This process writes, a child reads; the child writes, this process reads.
fn across_processes(cache: &dyn TokenCache, backend: &str) {
    let key = unique_key("cross");
    let _cleanup = Cleanup(cache, key.clone());
    cache.write(&key, &Secret::from("from-the-parent")).unwrap();
    let out = run_child("read", backend, &key.user, None);
    assert!(out.contains("CHILD-TOKEN=from-the-parent"), "{out}");

    cache.delete(&key).unwrap();
    let out = run_child("read", backend, &key.user, None);
    assert!(out.contains("CHILD-TOKEN=<none>"), "{out}");

    let out = run_child("write", backend, &key.user, None);
    assert!(out.contains("CHILD-WROTE"), "{out}");
    assert_eq!(
        cache.read(&key).unwrap().unwrap().expose(),
        "from-the-child"
    );
}

// ---- keyutils ---------------------------------------------------------------------------------

#[test]
fn keyutils_roundtrip() {
    let cache: Arc<dyn TokenCache> = Arc::new(KeystoreCache::keyutils().unwrap());
    assert_eq!(cache.name(), "keyutils");
    roundtrip(cache.as_ref());
}

#[test]
fn keyutils_across_processes() {
    let cache = KeystoreCache::keyutils().unwrap();
    across_processes(&cache, "keyutils");
}

#[test]
fn keyutils_from_a_thread_that_predates_any_keyring_use() {
    // Spawned first, so it starts without the session keyring the test thread joins below: the
    // situation of a thread pool or a JVM thread.
    let (go_tx, go_rx) = mpsc::channel::<(KeystoreCache, CacheKey)>();
    let early = std::thread::spawn(move || {
        let (cache, key) = go_rx.recv().unwrap();
        let seen = cache.read(&key).unwrap().map(|t| t.expose().to_owned());
        cache
            .write(&key, &Secret::from("from-the-early-thread"))
            .unwrap();
        seen
    });

    let cache = KeystoreCache::keyutils().unwrap();
    let key = unique_key("early-thread");
    let _cleanup = Cleanup(&cache, key.clone());
    cache
        .write(&key, &Secret::from("from-the-test-thread"))
        .unwrap();
    go_tx.send((cache.clone(), key.clone())).unwrap();
    let seen = early.join().unwrap();
    assert_eq!(seen.as_deref(), Some("from-the-test-thread"));
    assert_eq!(
        cache.read(&key).unwrap().unwrap().expose(),
        "from-the-early-thread"
    );
}

#[test]
fn keyutils_from_many_threads_at_once() {
    let cache = Arc::new(KeystoreCache::keyutils().unwrap());
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || {
                let key = unique_key(&format!("threads-{i}"));
                let token = Secret::new(format!("token-{i}"));
                cache.write(&key, &token).unwrap();
                let back = cache.read(&key).unwrap().unwrap();
                cache.delete(&key).unwrap();
                back == token
            })
        })
        .collect();
    for worker in workers {
        assert!(worker.join().unwrap());
    }
}

#[test]
fn keyutils_uses_the_cross_driver_names() {
    // The item is addressed by service snowflake_credential_cache and user = the v2 key; the
    // keyutils store describes it as keyring:<user>@<service>.
    let key = unique_key("names");
    assert_eq!(SERVICE, "snowflake_credential_cache");
    assert!(key.v2().starts_with("SnowflakeTokenCache.v2.MfaToken."));
    let cache = KeystoreCache::keyutils().unwrap();
    let _cleanup = Cleanup(&cache, key.clone());
    cache.write(&key, &Secret::from("named")).unwrap();
    let description = format!("keyring:{}@{SERVICE}", key.v2());
    let proc_keys = std::fs::read_to_string("/proc/keys").unwrap_or_default();
    if !proc_keys.is_empty() {
        assert!(
            proc_keys.contains(&description),
            "no key {description} in /proc/keys"
        );
    }
}

// ---- Secret Service ---------------------------------------------------------------------------

#[test]
fn secret_service_roundtrip() {
    let Some(cache) = secret_service_or_skip() else {
        return;
    };
    assert_eq!(cache.backend(), "secret-service");
    assert_eq!(TokenCache::name(&cache), "secret-service");
    roundtrip(&cache);
}

#[test]
fn secret_service_across_processes() {
    let Some(cache) = secret_service_or_skip() else {
        return;
    };
    across_processes(&cache, "secret-service");
}

#[test]
fn secret_tool_sees_our_item_and_we_see_its() {
    let Some(cache) = secret_service_or_skip() else {
        return;
    };
    let key = unique_key("secret-tool");
    let _cleanup = Cleanup(&cache, key.clone());
    cache
        .write(&key, &Secret::from("seen-by-libsecret"))
        .unwrap();
    let out = Command::new("secret-tool")
        .args(["lookup", "service", SERVICE, "username", &key.v2()])
        .output()
        .expect("secret-tool (package libsecret-tools)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "seen-by-libsecret"
    );

    // The other way: an item another client stored with only the two standard attributes.
    cache.delete(&key).unwrap();
    let mut store = Command::new("secret-tool")
        .args([
            "store",
            "--label=other driver",
            "service",
            SERVICE,
            "username",
            &key.v2(),
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = store.stdin.take().unwrap();
        stdin.write_all(b"stored-by-libsecret").unwrap();
    }
    assert!(store.wait().unwrap().success());
    assert_eq!(
        cache.read(&key).unwrap().unwrap().expose(),
        "stored-by-libsecret"
    );
}

#[test]
fn os_default_prefers_a_running_secret_service() {
    let Some(_) = secret_service_or_skip() else {
        return;
    };
    let cache = KeystoreCache::os_default().unwrap();
    assert_eq!(cache.backend(), "secret-service");
    assert_eq!(TokenCache::name(&cache), "secret-service");
}

// ---- without a session bus ---------------------------------------------------------------------

#[test]
fn os_default_falls_back_to_keyutils_without_a_session_bus() {
    let empty_runtime = tempfile::tempdir().unwrap();
    let out = run_child(
        "os-default",
        "keyutils",
        "unused",
        Some(empty_runtime.path()),
    );
    assert!(out.contains("CHILD-BACKEND=keyutils"), "{out}");
}

#[test]
fn secret_service_without_a_session_bus_says_why() {
    let empty_runtime = tempfile::tempdir().unwrap();
    let out = run_child(
        "open-secret-service",
        "secret-service",
        "unused",
        Some(empty_runtime.path()),
    );
    assert!(out.contains("CHILD-ERROR="), "{out}");
    assert!(out.contains("no D-Bus session bus"), "{out}");
}
