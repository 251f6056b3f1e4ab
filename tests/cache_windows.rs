//! The Windows Credential Manager token cache, for real: no mock. Built for
//! `x86_64-pc-windows-gnu` and run under Wine by `ci/windows-under-wine.sh` (`make test-windows`),
//! or natively on Windows with `cargo test --test cache_windows`.
//!
//! - A token stored, read back, replaced and deleted through the `TokenCache` interface of
//!   `KeystoreCache::os_default()` (which must be the Credential Manager).
//! - The credential as the Win32 API sees it: a generic credential whose target is
//!   `<v2 key>.snowflake_credential_cache`, user name the v2 key, the token as UTF-16LE, persisted
//!   per user (enterprise); and a credential written with `CredWriteW` by another program is read.
//! - A token crossing processes both ways (a child is this binary run again).
//! - One login against the emulator with `token_cache=keystore`: the Duo push's token is stored in
//!   the Credential Manager, and a login in another process uses it (no second push; the session's
//!   second factor is the MFA token). The emulator is the one at 127.0.0.1:`SFMFA_TEST_EMULATOR_PORT`
//!   (under Wine: the Linux emulator the script started), else one started in this process. Its
//!   push counter is read over HTTP (`/control/counters`).
//!
//! The child modes `write`, `read` and `delete` of `child_process` also let the script check that a
//! token outlives the Wine server (the prefix's registry), between two runs.
#![cfg(windows)]

#[path = "common/child.rs"]
mod child;

use std::sync::atomic::{AtomicU32, Ordering};

use sfmfa::cache::keystore::SERVICE;
use sfmfa::cache::{CacheKey, CacheStatus, KeystoreCache, TokenCache};
use sfmfa::{Config, SecondFactor, Secret};

/// Selects a child mode when this test binary is run again (by a test or by the script).
const CHILD_MODE: &str = "SFMFA_WINDOWS_TEST_CHILD";
/// The user part of the key the child writes, reads or deletes.
const CHILD_USER: &str = "SFMFA_WINDOWS_TEST_USER";
/// The token the child writes, or the one it expects to read.
const CHILD_TOKEN: &str = "SFMFA_WINDOWS_TEST_TOKEN";
/// The port of an emulator already running on 127.0.0.1 (plain HTTP).
const EMULATOR_PORT: &str = "SFMFA_TEST_EMULATOR_PORT";

const HOST: &str = "sfmfa-windows-test.snowflakecomputing.com";
const ACCOUNT: &str = "xy12345";
/// The emulator's default user whose Duo push is approved at once.
const PUSH_USER: &str = "push_approve";

/// A key no other test, run or process uses.
fn unique_key(tag: &str) -> CacheKey {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    key_for_user(&format!("{tag}-{}-{n}", std::process::id()))
}

fn key_for_user(user: &str) -> CacheKey {
    CacheKey {
        service: HOST.into(),
        user: user.into(),
    }
}

/// The OS default keystore, which on Windows must be the Credential Manager.
fn credential_manager() -> KeystoreCache {
    let cache = KeystoreCache::os_default().expect("the Credential Manager opens");
    assert_eq!(cache.backend(), "credential-manager");
    cache
}

/// Deletes its key when dropped, so a failing test leaves nothing behind.
struct Cleanup<'a>(&'a dyn TokenCache, CacheKey);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.delete(&self.1);
    }
}

/// Child side of the cross-process tests and of the script's persistence check; does nothing in a
/// normal run. Prints `CHILD-…` lines, never a token.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let cache = credential_manager();
    let user = std::env::var(CHILD_USER).unwrap_or_default();
    let key = key_for_user(&user);
    let token = std::env::var(CHILD_TOKEN).unwrap_or_default();
    match mode.as_str() {
        "write" => {
            cache.write(&key, &Secret::new(token)).unwrap();
            println!("CHILD-WROTE");
        }
        "read" => match cache.read(&key).unwrap() {
            Some(found) if found.expose() == token => println!("CHILD-READ=same"),
            Some(_) => println!("CHILD-READ=different"),
            None => println!("CHILD-READ=none"),
        },
        "delete" => {
            cache.delete(&key).unwrap();
            assert!(cache.read(&key).unwrap().is_none());
            println!("CHILD-DELETED");
        }
        "login" => {
            let port: u16 = std::env::var(EMULATOR_PORT).unwrap().parse().unwrap();
            let session = sfmfa::Client::new(login_config(port))
                .unwrap()
                .login()
                .unwrap();
            let report = session.cache_report();
            println!(
                "CHILD-LOGIN cache={} backend={} factor={}",
                report.status.name(),
                report.backend.unwrap_or("-"),
                session.second_factor().name()
            );
        }
        other => panic!("unknown child mode {other}"),
    }
}

/// Runs this binary again in `mode` for `user` (and `token`); returns its stdout.
fn run_child(mode: &str, user: &str, token: &str, port: Option<u16>) -> String {
    let mut cmd = child::self_command("child_process");
    cmd.env(CHILD_MODE, mode)
        .env(CHILD_USER, user)
        .env(CHILD_TOKEN, token);
    if let Some(port) = port {
        cmd.env(EMULATOR_PORT, port.to_string());
    }
    child::stdout_of(&mut cmd)
}

#[test]
fn a_token_is_stored_read_replaced_and_deleted() {
    let store = credential_manager();
    let cache: &dyn TokenCache = &store;
    let key = unique_key("roundtrip");
    let _cleanup = Cleanup(cache, key.clone());
    assert!(cache.read(&key).unwrap().is_none());
    cache.write(&key, &Secret::from("token-one")).unwrap();
    assert_eq!(cache.read(&key).unwrap().unwrap().expose(), "token-one");
    // A token of the length Snowflake issues (a few hundred characters), with URL-safe base64's
    // characters, replaces the first.
    let long: String = "abcXYZ019-_.~".chars().cycle().take(600).collect();
    cache.write(&key, &Secret::new(long.clone())).unwrap();
    assert_eq!(cache.read(&key).unwrap().unwrap().expose(), long);
    cache.delete(&key).unwrap();
    assert!(cache.read(&key).unwrap().is_none());
    // Deleting a missing token is not an error.
    cache.delete(&key).unwrap();
    assert!(!store.delete_v2_key(&key.v2()).unwrap());
}

#[test]
fn two_keys_are_two_credentials() {
    let cache = credential_manager();
    let (a, b) = (unique_key("two-a"), unique_key("two-b"));
    let _cleanup = (Cleanup(&cache, a.clone()), Cleanup(&cache, b.clone()));
    cache.write(&a, &Secret::from("token-a")).unwrap();
    cache.write(&b, &Secret::from("token-b")).unwrap();
    assert_eq!(cache.read(&a).unwrap().unwrap().expose(), "token-a");
    assert_eq!(cache.read(&b).unwrap().unwrap().expose(), "token-b");
    assert!(cache.delete_v2_key(&a.v2()).unwrap());
    assert!(cache.read(&a).unwrap().is_none());
    assert_eq!(cache.read(&b).unwrap().unwrap().expose(), "token-b");
}

#[test]
fn the_stored_tokens_are_listed_by_key() {
    let cache = credential_manager();
    let (a, b) = (unique_key("list-a"), unique_key("list-b"));
    let _cleanup = (Cleanup(&cache, a.clone()), Cleanup(&cache, b.clone()));
    // The same key under another service is another program's credential: never listed.
    let elsewhere = unique_key("list-elsewhere");
    let _other = win32::Foreign::write(
        &format!("{}.another_service", elsewhere.v2()),
        &elsewhere.v2(),
        &utf16le("not-ours"),
    );
    cache.write(&a, &Secret::from("token-a")).unwrap();
    cache.write(&b, &Secret::from("token-b")).unwrap();
    let keys = cache.list_keys().unwrap();
    assert!(keys.contains(&a.v2()) && keys.contains(&b.v2()), "{keys:?}");
    assert!(!keys.contains(&elsewhere.v2()), "{keys:?}");
    assert!(cache.delete_v2_key(&a.v2()).unwrap());
    let keys = cache.list_keys().unwrap();
    assert!(
        !keys.contains(&a.v2()) && keys.contains(&b.v2()),
        "{keys:?}"
    );
}

#[test]
fn the_credential_has_the_layout_other_drivers_read() {
    let cache = credential_manager();
    let key = unique_key("layout");
    let _cleanup = Cleanup(&cache, key.clone());
    let target = format!("{}.{SERVICE}", key.v2());
    cache.write(&key, &Secret::from("layout-token")).unwrap();
    let seen = win32::read_generic(&target).expect("a generic credential under the target name");
    assert_eq!(seen.user_name, key.v2());
    assert_eq!(seen.blob, utf16le("layout-token"));
    assert_eq!(seen.persist, win32::CRED_PERSIST_ENTERPRISE);
    cache.delete(&key).unwrap();
    assert!(win32::read_generic(&target).is_none());
}

#[test]
fn a_credential_another_program_wrote_is_read() {
    let cache = credential_manager();
    let key = unique_key("foreign");
    let _cleanup = Cleanup(&cache, key.clone());
    let target = format!("{}.{SERVICE}", key.v2());
    win32::write_generic(&target, &key.v2(), &utf16le("written-by-win32"));
    assert_eq!(
        cache.read(&key).unwrap().unwrap().expose(),
        "written-by-win32"
    );
    cache.delete(&key).unwrap();
    assert!(win32::read_generic(&target).is_none());
}

#[test]
fn a_token_crosses_processes_both_ways() {
    let cache = credential_manager();
    let key = unique_key("cross");
    let _cleanup = Cleanup(&cache, key.clone());
    cache.write(&key, &Secret::from("from-the-parent")).unwrap();
    let out = run_child("read", &key.user, "from-the-parent", None);
    assert!(out.contains("CHILD-READ=same"), "{out}");
    let out = run_child("write", &key.user, "from-the-child", None);
    assert!(out.contains("CHILD-WROTE"), "{out}");
    assert_eq!(
        cache.read(&key).unwrap().unwrap().expose(),
        "from-the-child"
    );
    let out = run_child("delete", &key.user, "", None);
    assert!(out.contains("CHILD-DELETED"), "{out}");
    assert!(cache.read(&key).unwrap().is_none());
}

/// A push login of `PUSH_USER` against the emulator on `port`, caching in the OS keystore.
fn login_config(port: u16) -> Config {
    let mut c = Config::new();
    for (k, v) in [
        ("account", ACCOUNT),
        ("user", PUSH_USER),
        ("password", "abc123"),
        ("host", "127.0.0.1"),
        ("port", &port.to_string()),
        ("protocol", "http"),
        ("login_timeout", "30"),
        ("authenticator", "username_password_mfa"),
        ("client_store_temporary_credential", "on"),
        ("token_cache", "keystore"),
    ] {
        c.set(k, v).unwrap();
    }
    c
}

/// The emulator's Duo push count of `PUSH_USER`, over its control API.
fn push_count(port: u16) -> u64 {
    let url =
        format!("http://127.0.0.1:{port}/control/counters?account={ACCOUNT}&user={PUSH_USER}");
    let body = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let counters: serde_json::Value = serde_json::from_str(&body).unwrap();
    counters["push_count"].as_u64().unwrap()
}

#[test]
fn a_login_stores_its_token_and_a_login_in_another_process_uses_it() {
    // The emulator the script runs natively, else one in this process (a plain Windows run).
    let mut _own = None;
    let port = match std::env::var(EMULATOR_PORT) {
        Ok(port) => port.parse().unwrap(),
        Err(_) => {
            let emu = sfmfa_emulator::Emulator::start(
                sfmfa_emulator::EmulatorConfig::embedded_default(),
                sfmfa_emulator::StartOptions::default(),
            )
            .unwrap();
            let port = emu.port();
            _own = Some(emu);
            port
        }
    };
    let config = login_config(port);
    let key = CacheKey::for_config(&config);
    let store = credential_manager();
    let _cleanup = Cleanup(&store, key.clone());
    store.delete(&key).unwrap();
    let pushes = push_count(port);

    let client = sfmfa::Client::new(config).unwrap();
    let first = client.login().unwrap();
    let r = first.cache_report();
    assert_eq!(
        (r.status, r.backend),
        (CacheStatus::Stored, Some("credential-manager")),
        "{r:?}"
    );
    assert_ne!(first.second_factor(), SecondFactor::MfaToken);
    assert_eq!(push_count(port), pushes + 1);
    // In the Credential Manager itself, not only in the client's memory.
    assert!(store.read(&key).unwrap().is_some());

    let out = run_child("login", "", "", Some(port));
    assert!(
        out.contains("CHILD-LOGIN cache=hit backend=credential-manager factor=mfa_token"),
        "{out}"
    );
    assert_eq!(
        push_count(port),
        pushes + 1,
        "the cached token saved a push"
    );

    client.delete_cached_token().unwrap();
    assert!(store.read(&key).unwrap().is_none());
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The Credential Manager through advapi32 directly, as another program (a driver) uses it.
#[allow(unsafe_code)] // Win32 calls; each says why it is sound.
mod win32 {
    use std::ffi::c_void;
    use std::ptr;

    const CRED_TYPE_GENERIC: u32 = 1;
    /// Kept for the user across logons (and roaming); the `keyring` crates' choice.
    pub const CRED_PERSIST_ENTERPRISE: u32 = 3;

    /// The Win32 API's `CREDENTIALW`, field for field.
    #[repr(C)]
    struct CredentialW {
        flags: u32,
        kind: u32,
        target_name: *mut u16,
        comment: *mut u16,
        last_written: [u32; 2],
        credential_blob_size: u32,
        credential_blob: *mut u8,
        persist: u32,
        attribute_count: u32,
        attributes: *mut c_void,
        target_alias: *mut u16,
        user_name: *mut u16,
    }

    #[link(name = "advapi32")]
    unsafe extern "system" {
        fn CredReadW(
            target: *const u16,
            kind: u32,
            flags: u32,
            credential: *mut *mut CredentialW,
        ) -> i32;
        fn CredWriteW(credential: *const CredentialW, flags: u32) -> i32;
        fn CredDeleteW(target: *const u16, kind: u32, flags: u32) -> i32;
        fn CredFree(buffer: *const c_void);
    }

    /// What [`read_generic`] found.
    pub struct Seen {
        pub user_name: String,
        pub blob: Vec<u8>,
        pub persist: u32,
    }

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }

    /// The generic credential under `target`, if any.
    pub fn read_generic(target: &str) -> Option<Seen> {
        let target = wide(target);
        let mut found: *mut CredentialW = ptr::null_mut();
        // SAFETY: `target` is NUL-terminated and outlives the call; `found` is a valid out pointer.
        if unsafe { CredReadW(target.as_ptr(), CRED_TYPE_GENERIC, 0, &mut found) } == 0 {
            return None;
        }
        // SAFETY: CredReadW succeeded, so `found` points at a CREDENTIALW it allocated, whose blob
        // has `credential_blob_size` bytes and whose user name is NUL-terminated (or null).
        let seen = unsafe {
            let c = &*found;
            let blob = if c.credential_blob.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(c.credential_blob, c.credential_blob_size as usize)
                    .to_vec()
            };
            let mut user = Vec::new();
            if !c.user_name.is_null() {
                let mut p = c.user_name;
                while *p != 0 {
                    user.push(*p);
                    p = p.add(1);
                }
            }
            Seen {
                user_name: String::from_utf16_lossy(&user),
                blob,
                persist: c.persist,
            }
        };
        // SAFETY: `found` came from CredReadW and is freed once, after its last use above.
        unsafe { CredFree(found.cast()) };
        Some(seen)
    }

    /// Writes a generic credential as another program would; panics when Windows refuses.
    pub fn write_generic(target: &str, user: &str, blob: &[u8]) {
        let mut target = wide(target);
        let mut user = wide(user);
        let mut blob = blob.to_vec();
        let credential = CredentialW {
            flags: 0,
            kind: CRED_TYPE_GENERIC,
            target_name: target.as_mut_ptr(),
            comment: ptr::null_mut(),
            last_written: [0, 0],
            credential_blob_size: u32::try_from(blob.len()).unwrap(),
            credential_blob: blob.as_mut_ptr(),
            persist: CRED_PERSIST_ENTERPRISE,
            attribute_count: 0,
            attributes: ptr::null_mut(),
            target_alias: ptr::null_mut(),
            user_name: user.as_mut_ptr(),
        };
        // SAFETY: every pointer in `credential` points into a buffer alive until after the call,
        // strings NUL-terminated, the blob `credential_blob_size` bytes long.
        let ok = unsafe { CredWriteW(&credential, 0) };
        assert_ne!(
            ok,
            0,
            "CredWriteW failed: {}",
            std::io::Error::last_os_error()
        );
    }

    /// A generic credential another program wrote; deleted when dropped.
    pub struct Foreign(String);

    impl Foreign {
        /// Writes it (see [`write_generic`]).
        pub fn write(target: &str, user: &str, blob: &[u8]) -> Self {
            write_generic(target, user, blob);
            Foreign(target.to_owned())
        }
    }

    impl Drop for Foreign {
        fn drop(&mut self) {
            let target = wide(&self.0);
            // SAFETY: `target` is NUL-terminated and outlives the call.
            unsafe { CredDeleteW(target.as_ptr(), CRED_TYPE_GENERIC, 0) };
        }
    }
}
