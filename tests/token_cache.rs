//! MFA-token caching in the login flow, against the emulator: stored after the first prompt, used
//! instead of the next one (in this process and in another), evicted when the server rejects it,
//! and a report of what the cache did on every login.

mod common;

#[path = "common/child.rs"]
mod child;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::*;
use sfmfa::SecondFactor;
use sfmfa::cache::CacheStatus;

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");

/// One cache directory for this test process (and the children it starts).
#[allow(unsafe_code)] // std::env::set_var
fn cache_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("sfmfa-token-cache-test-{}", std::process::id()));
        // SAFETY (of the test's env use): set once, before any test in this process reads it.
        unsafe { std::env::set_var("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", &dir) };
        dir
    })
}

#[test]
fn memory_cache_stores_then_replaces_the_prompt() {
    let emu = emulator(false);
    let ctl = emu.control();
    let c = sfmfa::Client::new(config(
        &emu,
        "push_approve",
        &[MFA, ON, ("token_cache", "memory")],
    ))
    .unwrap();
    let first = c.login().unwrap();
    let r = first.cache_report();
    assert_eq!(
        (r.status, r.backend, r.evicted),
        (CacheStatus::Stored, Some("memory"), false),
        "{r:?}"
    );
    let second = c.login().unwrap();
    assert_eq!(second.cache_report().status, CacheStatus::Hit);
    assert_eq!(second.second_factor(), SecondFactor::MfaToken);
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 1);
    let inspected = c.inspect_cache().unwrap().unwrap();
    assert!(inspected.present);
    c.delete_cached_token().unwrap();
    assert!(!c.inspect_cache().unwrap().unwrap().present);
    assert_eq!(
        c.login().unwrap().cache_report().status,
        CacheStatus::Stored
    );
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 2);
}

#[test]
fn every_reason_for_not_caching_is_reported() {
    let emu = emulator(false);
    let report = |user: &str, pairs: &[(&str, &str)]| {
        login(config(&emu, user, pairs))
            .unwrap()
            .cache_report()
            .clone()
    };
    let r = report("push_approve", &[MFA]);
    assert_eq!(r.status, CacheStatus::Disabled);
    assert!(
        r.detail.contains("client_store_temporary_credential"),
        "{r:?}"
    );
    let r = report("push_approve", &[MFA, ON, ("token_cache", "none")]);
    assert_eq!(r.status, CacheStatus::Disabled);
    assert!(r.detail.contains("token_cache=none"));
    let r = report("plain", &[ON]);
    assert_eq!(r.status, CacheStatus::WrongAuthenticator);
    // The user's ALLOW_CLIENT_MFA_CACHING is off: the server issues no token.
    let r = report("no_cache", &[MFA, ON, ("token_cache", "memory")]);
    assert_eq!(r.status, CacheStatus::NotIssued, "{r:?}");
}

#[test]
fn a_rejected_token_is_evicted_and_the_login_prompts_once() {
    let emu = emulator(false);
    let ctl = emu.control();
    let c =
        sfmfa::Client::new(config(&emu, "demo", &[MFA, ON, ("token_cache", "memory")])).unwrap();
    c.login().unwrap();
    ctl.advance(4 * 3600 + 60); // past the token's four hours
    let s = c.login().unwrap();
    let r = s.cache_report();
    assert_eq!((r.status, r.evicted), (CacheStatus::Stored, true), "{r:?}");
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 2, "exactly one new prompt");
    assert_eq!(c.login().unwrap().cache_report().status, CacheStatus::Hit);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 2);
}

/// Logs in with `backend`, then checks that a second login in another process uses the stored
/// token without a push.
fn second_process_uses_the_token(backend: &str) {
    let dir = cache_dir();
    let emu = emulator(false);
    let ctl = emu.control();
    let c = sfmfa::Client::new(config(
        &emu,
        "push_approve",
        &[MFA, ON, ("token_cache", backend)],
    ))
    .unwrap();
    let s = c.login().unwrap();
    assert_eq!(
        s.cache_report().status,
        CacheStatus::Stored,
        "{backend}: {:?}",
        s.cache_report()
    );
    assert_eq!(s.cache_report().backend, Some(backend));
    if backend == "file" {
        // The cache holds the token and nothing else: no password, no passcode.
        let text = std::fs::read_to_string(dir.join("credential_cache_v2.json")).unwrap();
        assert!(!text.contains(PASSWORD) && !text.contains(BYPASS), "{text}");
    }

    let stdout = child::stdout_of(
        child::self_command("child_login")
            .env("SFMFA_CHILD_PORT", emu.port().to_string())
            .env("SFMFA_CHILD_BACKEND", backend)
            .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir),
    );
    assert!(
        stdout.contains("child: hit mfa_token"),
        "{backend}: {stdout}"
    );
    assert_eq!(
        ctl.push_count(ACCOUNT, "push_approve"),
        1,
        "{backend}: the second process sent no push"
    );
    // Keystore entries outlive the test (the persistent keyring, the keyring file): remove ours.
    c.delete_cached_token().unwrap();
    assert!(!c.inspect_cache().unwrap().unwrap().present);
}

#[test]
fn file_cache_token_is_used_by_another_process() {
    second_process_uses_the_token("file");
    let _ = std::fs::remove_dir_all(cache_dir());
}

#[test]
#[cfg(target_os = "linux")]
fn keyutils_token_is_used_by_another_process() {
    second_process_uses_the_token("keyutils");
}

#[test]
#[cfg(target_os = "linux")]
fn secret_service_token_is_used_by_another_process() {
    // Needs a Secret Service: `make test` runs this file under ci/with-secret-service.sh with
    // SFMFA_TEST_SECRET_SERVICE=1, and then an unreachable store is a failure, not a skip.
    if std::env::var("SFMFA_TEST_SECRET_SERVICE").as_deref() != Ok("1") {
        eprintln!("skipped: run under ci/with-secret-service.sh with SFMFA_TEST_SECRET_SERVICE=1");
        return;
    }
    second_process_uses_the_token("secret-service");
}

/// The Secret Service, counting the writes that reach it.
#[cfg(target_os = "linux")]
struct CountingSecretService {
    store: sfmfa::cache::KeystoreCache,
    writes: std::sync::atomic::AtomicU32,
}

#[cfg(target_os = "linux")]
impl sfmfa::cache::TokenCache for CountingSecretService {
    fn read(&self, key: &sfmfa::cache::CacheKey) -> Result<Option<sfmfa::Secret>, sfmfa::Error> {
        self.store.read(key)
    }
    fn write(
        &self,
        key: &sfmfa::cache::CacheKey,
        token: &sfmfa::Secret,
    ) -> Result<(), sfmfa::Error> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.store.write(key, token)
    }
    fn delete(&self, key: &sfmfa::cache::CacheKey) -> Result<(), sfmfa::Error> {
        self.store.delete(key)
    }
    fn name(&self) -> &'static str {
        self.store.name()
    }
}

#[test]
#[cfg(target_os = "linux")]
fn secret_service_is_not_rewritten_when_a_hit_gets_the_same_token_back() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    if std::env::var("SFMFA_TEST_SECRET_SERVICE").as_deref() != Ok("1") {
        eprintln!("skipped: run under ci/with-secret-service.sh with SFMFA_TEST_SECRET_SERVICE=1");
        return;
    }
    cache_dir();
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.set_token_on_token_login(sfmfa_emulator::TokenOnTokenLogin::Same);
    let cache = Arc::new(CountingSecretService {
        store: sfmfa::cache::KeystoreCache::secret_service().unwrap(),
        writes: std::sync::atomic::AtomicU32::new(0),
    });
    let config = config(
        &emu,
        "push_approve",
        &[MFA, ON, ("token_cache", "secret-service")],
    );
    let client = sfmfa::Client::new(config)
        .unwrap()
        .with_token_cache(Arc::clone(&cache) as Arc<dyn sfmfa::cache::TokenCache>);
    assert_eq!(
        client.login().unwrap().cache_report().status,
        CacheStatus::Stored
    );
    let again = client.login().unwrap();
    assert_eq!(again.cache_report().status, CacheStatus::Hit);
    assert!(again.mfa_token_issued());
    assert_eq!(
        cache.writes.load(Ordering::SeqCst),
        1,
        "the unchanged token was written again"
    );
    client.delete_cached_token().unwrap();
}

/// Run by `second_process_uses_the_token` in a child process; nothing otherwise.
#[test]
fn child_login() {
    let Ok(port) = std::env::var("SFMFA_CHILD_PORT") else {
        return;
    };
    let backend = std::env::var("SFMFA_CHILD_BACKEND").unwrap_or_else(|_| "file".into());
    let mut c = sfmfa::Config::new();
    for (k, v) in [
        ("account", ACCOUNT),
        ("user", "push_approve"),
        ("password", PASSWORD),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("protocol", "http"),
        MFA,
        ("token_cache", backend.as_str()),
    ] {
        c.set(k, v).unwrap();
    }
    let s = login(c).unwrap();
    let status = if s.cache_report().status == CacheStatus::Hit {
        "hit"
    } else {
        "miss"
    };
    println!("child: {status} {}", s.second_factor().name());
}
