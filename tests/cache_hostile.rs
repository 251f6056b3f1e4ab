//! The token cache under hostile conditions (issue 14, items 1, 7 and 8), with real files, real
//! locks held by another process and real logins against the emulator:
//!
//! 1. every cache wait comes out of the login's one deadline (a cache lock held by another process,
//!    a keystore call), and a cache file past the size limit is refused without being read;
//! 7. the in-memory layer is keyed by the store it fronts and never outlives it (a deleted file, a
//!    fresh directory);
//! 8. a symlinked cache directory is refused, and temporary files left by a killed writer are
//!    removed by the next write.
#![cfg(unix)]

mod common;

#[path = "common/child.rs"]
mod child;

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use sfmfa::cache::file::{DEFAULT_LOCK_TIMEOUT, FILE_NAME, LOCK_FILE_NAME, MAX_FILE_SIZE};
use sfmfa::cache::{CacheKey, CacheStatus, FileCache, TokenCache};
use sfmfa::{Client, ErrorKind, Secret};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");
const FILE: (&str, &str) = ("token_cache", "file");

/// Selects a child mode when this test binary is re-run by a test.
const CHILD_MODE: &str = "SFMFA_HOSTILE_CHILD";
const CHILD_DIR: &str = "SFMFA_HOSTILE_DIR";

/// What "returns within login_timeout" allows on top of the timeout: generous, so that a loaded
/// 2-core machine does not make the promise flaky (the cache's own slack is a few milliseconds).
const SLACK: Duration = Duration::from_millis(1500);

/// The file store's directory comes from the environment when a client is made: clients of these
/// tests are made one at a time, each with its own directory.
static ENV: Mutex<()> = Mutex::new(());

/// A client of `user` whose token cache is the file store (behind the in-memory layer, as
/// `token_cache=file` gives it) in `dir`.
#[allow(unsafe_code)] // std::env::set_var, serialised by ENV and read only by Client::new here
fn file_client(emu: &sfmfa_emulator::Emulator, dir: &Path, pairs: &[(&str, &str)]) -> Client {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY (of the test's env use): every writer and reader of this variable in this process
    // holds ENV.
    unsafe { std::env::set_var("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", dir) };
    let mut all = vec![MFA, ON, FILE];
    all.extend_from_slice(pairs);
    Client::new(config(emu, "push_approve", &all)).unwrap()
}

fn key(user: &str) -> CacheKey {
    CacheKey {
        service: "xy12345.snowflakecomputing.com".into(),
        user: user.into(),
    }
}

/// A fresh 0700 directory of ours inside `tmp`.
fn private_dir(tmp: &Path, name: &str) -> PathBuf {
    let dir = tmp.join(name);
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// A process (this test binary, re-run) that holds the exclusive lock of the cache file in `dir`
/// until it is killed. Returns once the lock is held.
struct LockHolder(Child);

impl LockHolder {
    fn start(dir: &Path) -> Self {
        let mut child = child::self_command("child_process")
            .env(CHILD_MODE, "hold-lock")
            .env(CHILD_DIR, dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("CHILD-LOCKED") => break,
                Some(Ok(_)) => {}
                other => panic!("the lock holder did not start: {other:?}"),
            }
        }
        LockHolder(child)
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Child side of the cross-process tests; does nothing in a normal run.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os(CHILD_DIR).unwrap());
    match mode.as_str() {
        "hold-lock" => {
            let lock = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(dir.join(LOCK_FILE_NAME))
                .unwrap();
            lock.lock().unwrap();
            println!("CHILD-LOCKED");
            // Held until the test kills this process (at most a minute, should the test die).
            std::thread::sleep(Duration::from_secs(60));
        }
        "write-loop" => {
            let cache = FileCache::in_dir(&dir);
            for i in 0u64.. {
                cache
                    .write(&key("loop"), &Secret::new(format!("loop-token-{i}")))
                    .unwrap();
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

// ---- 1. The deadline -----------------------------------------------------------------------------

#[test]
fn a_cache_lock_held_by_another_process_waits_only_within_login_timeout() {
    let emu = emulator(false);
    let tmp = tempfile::tempdir().unwrap();
    let dir = private_dir(tmp.path(), "sf");
    // A cache file exists, so a login reads it under the lock.
    FileCache::in_dir(&dir)
        .write(&key("someone-else"), &Secret::from("t"))
        .unwrap();
    let _holder = LockHolder::start(&dir);

    let client = file_client(&emu, &dir, &[("login_timeout", "1")]);
    let start = Instant::now();
    let result = client.login();
    let took = start.elapsed();
    eprintln!("login_timeout=1 with the cache lock held: {took:?}, {result:?}");
    assert!(
        took < Duration::from_secs(1) + SLACK,
        "login_timeout=1 returned after {took:?}"
    );
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.message().contains("login_timeout"), "{e}");
    assert!(!e.message().contains(PASSWORD), "{e}");
    // Failed before the exchange: no push went out.
    assert_eq!(emu.control().push_count(ACCOUNT, "push_approve"), 0);

    // With time to spare the login succeeds without the cache and says why.
    let client = file_client(&emu, &dir, &[("login_timeout", "30")]);
    let start = Instant::now();
    let session = client.login().unwrap();
    let took = start.elapsed();
    eprintln!(
        "login_timeout=30 with the cache lock held: {took:?}, {:?}",
        session.cache_report()
    );
    // One wait for the lock per login (the read's, 2 s): the later steps (the double check, the
    // write) try briefly once a step has failed. Before: a full wait per step, 6 s.
    assert!(
        took < DEFAULT_LOCK_TIMEOUT + Duration::from_millis(1000) + SLACK,
        "{took:?}"
    );
    let report = session.cache_report();
    assert_eq!(report.status, CacheStatus::WriteFailed, "{report:?}");
    assert!(
        report.detail.contains("held by another process"),
        "{report:?}"
    );
}

#[test]
fn an_oversized_cache_file_is_refused_without_reading_it_and_left_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = private_dir(tmp.path(), "sf");
    let path = dir.join(FILE_NAME);
    // 100 MB (sparse: the test does not fill the disk; a reader that reads it reads 100 MB).
    let size: u64 = 100 * 1000 * 1000;
    let file = File::create_new(&path).unwrap();
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .unwrap();
    file.set_len(size).unwrap();
    drop(file);
    assert!(size > MAX_FILE_SIZE);

    let cache = FileCache::in_dir(&dir);
    let e = cache.read(&key("demo")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cache);
    let expected = format!("is {size} bytes, more than the limit of {MAX_FILE_SIZE} bytes");
    assert!(e.message().contains(&expected), "{e}");
    // Writing does not replace it (other drivers' entries may be in it): the write fails, saying
    // why, and the file is as it was.
    let e = cache.write(&key("demo"), &Secret::from("t")).unwrap_err();
    assert!(e.message().contains(&expected), "{e}");
    assert!(e.hint().is_some_and(|h| h.contains("rm ")), "{e:?}");
    assert_eq!(fs::metadata(&path).unwrap().len(), size);

    // A login with login_timeout=1 is not held up by it: it prompts, and reports the refusal.
    let emu = emulator(false);
    let client = file_client(&emu, &dir, &[("login_timeout", "1")]);
    let start = Instant::now();
    let session = client.login().unwrap();
    let took = start.elapsed();
    eprintln!("login_timeout=1 with a 100 MB cache file: {took:?}");
    assert!(took < Duration::from_secs(1) + SLACK, "{took:?}");
    let report = session.cache_report();
    assert_eq!(report.status, CacheStatus::WriteFailed, "{report:?}");
    assert!(report.detail.contains(&expected), "{report:?}");
    assert_eq!(fs::metadata(&path).unwrap().len(), size);
}

// ---- 7. Cache state that outlives its store ------------------------------------------------------

#[test]
fn the_memory_layer_does_not_outlive_the_file_or_cross_directories() {
    let emu = emulator(false);
    let ctl = emu.control();
    let tmp = tempfile::tempdir().unwrap();
    let dir_a = private_dir(tmp.path(), "a");
    let file_a = dir_a.join(FILE_NAME);

    let a = file_client(&emu, &dir_a, &[]);
    assert_eq!(
        a.login().unwrap().cache_report().status,
        CacheStatus::Stored
    );
    assert_eq!(a.login().unwrap().cache_report().status, CacheStatus::Hit);
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 1);

    // The file is deleted (by the user, or another program): no hit, a prompt, the token stored
    // again.
    fs::remove_file(&file_a).unwrap();
    let r = a.login().unwrap().cache_report().clone();
    assert_eq!(r.status, CacheStatus::Stored, "{r:?}");
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 2);
    assert!(file_a.exists());

    // The file is replaced by one without our token (another program rewrote it).
    fs::write(&file_a, r#"{"tokens": {}}"#).unwrap();
    let r = a.login().unwrap().cache_report().clone();
    assert_eq!(r.status, CacheStatus::Stored, "{r:?}");
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 3);

    // A fresh directory, same process, same (host, user): its store is empty, so no hit, and
    // directory a's token is not written into it by a hit.
    let dir_b = private_dir(tmp.path(), "b");
    let b = file_client(&emu, &dir_b, &[]);
    let r = b.login().unwrap().cache_report().clone();
    assert_eq!(r.status, CacheStatus::Stored, "{r:?}");
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 4);
    // Each client goes on hitting its own store.
    assert_eq!(a.login().unwrap().cache_report().status, CacheStatus::Hit);
    assert_eq!(b.login().unwrap().cache_report().status, CacheStatus::Hit);
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), 4);
}

// ---- 8. Cache directory and files ----------------------------------------------------------------

#[test]
fn a_symlinked_cache_directory_is_refused_and_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let real = private_dir(tmp.path(), "real");
    let link = tmp.path().join("link");
    symlink(&real, &link).unwrap();

    for dir in [link.clone(), link.join("")] {
        let cache = FileCache::in_dir(&dir);
        let e = cache.write(&key("demo"), &Secret::from("t")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cache);
        assert!(e.message().contains("symbolic link"), "{e}");
        let e = cache.read(&key("demo")).unwrap_err();
        assert!(e.message().contains("symbolic link"), "{e}");
        cache.delete(&key("demo")).unwrap_or_else(|e| {
            assert!(e.message().contains("symbolic link"), "{e}");
        });
    }
    // Nothing was created through the link, not even a lock file.
    assert_eq!(fs::read_dir(&real).unwrap().count(), 0);

    // Through a login: it succeeds, without the cache, and says why.
    let emu = emulator(false);
    let session = file_client(&emu, &link, &[]).login().unwrap();
    let report = session.cache_report();
    assert_eq!(report.status, CacheStatus::WriteFailed, "{report:?}");
    assert!(report.detail.contains("symbolic link"), "{report:?}");
    assert_eq!(fs::read_dir(&real).unwrap().count(), 0);
}

/// Our temporary files in `dir`: `.credential_cache_v2.json.<16 hex>.tmp`.
fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(&format!(".{FILE_NAME}.")) && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn temporary_files_of_killed_writers_are_removed_by_the_next_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = private_dir(tmp.path(), "sf");
    let cache = FileCache::in_dir(&dir);
    cache.write(&key("demo"), &Secret::from("ours")).unwrap();

    // Writers killed (SIGKILL) at random points of their writes.
    for _ in 0..20 {
        let mut writer = child::self_command("child_process")
            .env(CHILD_MODE, "write-loop")
            .env(CHILD_DIR, &dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + fastrand::u64(..40)));
        writer.kill().unwrap();
        writer.wait().unwrap();
    }
    eprintln!("left by the killed writers: {:?}", temp_files(&dir));
    // What a writer killed between creating its temporary file and renaming it leaves behind: a
    // 0600 copy of the tokens under the store's own naming pattern.
    let copy = fs::read(cache.path()).unwrap();
    for n in ["00000000deadbeef", "0123456789abcdef", "ffffffffffffffff"] {
        let p = dir.join(format!(".{FILE_NAME}.{n}.tmp"));
        fs::write(&p, &copy).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    }
    // Files that are not the store's temporary files are left alone.
    let foreign = [format!(".{FILE_NAME}.not-ours.tmp"), "notes.tmp".to_owned()];
    for name in &foreign {
        fs::write(dir.join(name), "x").unwrap();
    }
    assert!(temp_files(&dir).len() >= 4);

    cache.write(&key("demo"), &Secret::from("after")).unwrap();
    assert_eq!(temp_files(&dir), vec![foreign[0].clone()]);
    assert!(dir.join(&foreign[1]).exists());
    assert_eq!(cache.read(&key("demo")).unwrap().unwrap().expose(), "after");
    assert!(cache.read(&key("loop")).unwrap().is_some());
}
