//! A login that used the cached token and got no new token back — none, or the same one — writes
//! nothing: the cache file is not replaced (same inode, times and bytes) and a keystore is not
//! written. Against the emulator, told what a token login answers in `mfaToken`.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use sfmfa::cache::{CacheKey, CacheStatus, KeystoreCache, TokenCache};
use sfmfa::{Error, Secret};
use sfmfa_emulator::TokenOnTokenLogin;

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");

/// A fresh cache directory of this test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sfmfa-unchanged-{name}-{}-{}",
        std::process::id(),
        unique()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn unique() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Everything a rewrite would change about the file: inode, size, times, bytes.
#[derive(Debug, PartialEq, Eq)]
struct FileState {
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    bytes: Vec<u8>,
}

fn state(path: &Path) -> FileState {
    let m = std::fs::symlink_metadata(path).unwrap();
    FileState {
        ino: m.ino(),
        size: m.size(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
        bytes: std::fs::read(path).unwrap(),
    }
}

/// The directory's entries, sorted (a temporary file left behind would show).
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn file_hit_leaves_the_file_alone(answer: TokenOnTokenLogin, user: &str) {
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.set_token_on_token_login(answer);
    let dir = fresh_dir(user);
    let pairs = [
        MFA,
        ON,
        ("token_cache", "file"),
        ("credential_cache_dir", dir.to_str().unwrap()),
    ];
    let first = login(config(&emu, user, &pairs)).unwrap();
    assert_eq!(first.cache_report().status, CacheStatus::Stored);
    let file = dir.join("credential_cache_v2.json");
    let index = dir.join("sfmfa_token_index.json");
    let (before, index_before, names_before) = (state(&file), state(&index), entries(&dir));

    // A new client each time; the in-memory layer may answer the read, but the write after the
    // hit is what this is about.
    for _ in 0..2 {
        let again = login(config(&emu, user, &pairs)).unwrap();
        let r = again.cache_report();
        assert_eq!(r.status, CacheStatus::Hit, "{r:?}");
        assert_eq!(again.mfa_token_issued(), answer == TokenOnTokenLogin::Same);
        assert_eq!(state(&file), before, "the cache file was rewritten");
        assert_eq!(state(&index), index_before, "the token index was rewritten");
        assert_eq!(entries(&dir), names_before);
    }
    assert_eq!(ctl.push_count(ACCOUNT, user), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hit_that_gets_the_same_token_back_does_not_rewrite_the_file() {
    file_hit_leaves_the_file_alone(TokenOnTokenLogin::Same, "push_approve");
}

#[test]
fn a_hit_that_gets_no_token_back_does_not_rewrite_the_file() {
    file_hit_leaves_the_file_alone(TokenOnTokenLogin::Null, "demo");
}

#[test]
fn a_hit_that_gets_a_new_token_stores_it() {
    let emu = emulator(false);
    let dir = fresh_dir("fresh");
    let pairs = [
        MFA,
        ON,
        ("token_cache", "file"),
        ("credential_cache_dir", dir.to_str().unwrap()),
    ];
    login(config(&emu, "push_approve", &pairs)).unwrap();
    let file = dir.join("credential_cache_v2.json");
    let before = state(&file);
    let again = login(config(&emu, "push_approve", &pairs)).unwrap();
    assert_eq!(again.cache_report().status, CacheStatus::Hit);
    let after = state(&file);
    assert_ne!(
        after.bytes, before.bytes,
        "the renewed token was not stored"
    );
    assert_ne!(
        after.ino, before.ino,
        "the file is replaced, not rewritten in place"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The kernel keyring, counting the writes that reach it.
struct CountingKeyutils {
    store: KeystoreCache,
    writes: AtomicU32,
    /// The keys this test wrote, removed at the end.
    written: Mutex<Vec<CacheKey>>,
}

impl TokenCache for CountingKeyutils {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.store.read(key)
    }
    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.written.lock().unwrap().push(key.clone());
        self.store.write(key, token)
    }
    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.store.delete(key)
    }
    fn name(&self) -> &'static str {
        self.store.name()
    }
}

#[test]
fn a_hit_that_gets_the_same_token_back_does_not_write_keyutils() {
    let store = match KeystoreCache::keyutils() {
        Ok(store) => store,
        Err(e) => {
            println!("SKIPPED: the kernel keyring is unusable here: {e}");
            return;
        }
    };
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.set_token_on_token_login(TokenOnTokenLogin::Same);
    let cache = Arc::new(CountingKeyutils {
        store,
        writes: AtomicU32::new(0),
        written: Mutex::new(Vec::new()),
    });
    // The port makes the key this test's own: nothing another run left behind is found.
    let pairs = [MFA, ON, ("token_cache", "keyutils")];
    let client = || {
        sfmfa::Client::new(config(&emu, "push_approve", &pairs))
            .unwrap()
            .with_token_cache(Arc::clone(&cache) as Arc<dyn TokenCache>)
    };
    let first = client().login().unwrap();
    assert_eq!(first.cache_report().status, CacheStatus::Stored);
    assert_eq!(cache.writes.load(Ordering::SeqCst), 1);
    let again = client().login().unwrap();
    assert_eq!(again.cache_report().status, CacheStatus::Hit);
    assert!(again.mfa_token_issued());
    assert_eq!(
        cache.writes.load(Ordering::SeqCst),
        1,
        "the unchanged token was written again"
    );
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 1);
    for key in cache.written.lock().unwrap().iter() {
        cache.store.delete(key).unwrap();
    }
}
