//! The file token cache against real files in temporary directories: roundtrips, other drivers'
//! entries kept, another process reading what this one wrote, modes, refusals (world-readable file,
//! foreign directory, symlink), repair of a corrupt file, concurrent writers, and the directory
//! search order. Never touches the real ~/.cache.
#![cfg(unix)]

#[path = "common/child.rs"]
mod child;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::sync::Arc;

use sfmfa::cache::file::{FILE_NAME, LOCK_FILE_NAME};
use sfmfa::cache::{CacheKey, FileCache, TokenCache};
use sfmfa::{ErrorKind, Secret};

/// Selects a child mode when this test binary is re-run by a test.
const CHILD_MODE: &str = "SFMFA_CACHE_TEST_CHILD";
const CHILD_DIR: &str = "SFMFA_CACHE_TEST_DIR";

fn key(user: &str) -> CacheKey {
    CacheKey {
        service: "xy12345.snowflakecomputing.com".into(),
        user: user.into(),
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Re-runs this test binary with only `test` and the child environment; returns its stdout.
fn run_child(test: &str, mode: &str, dir: &Path, extra_env: &[(&str, &str)]) -> String {
    let mut cmd = child::self_command(test);
    cmd.env(CHILD_MODE, mode).env(CHILD_DIR, dir);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    child::stdout_of(&mut cmd)
}

/// Child side of the cross-process tests; does nothing in a normal run.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let dir = std::env::var_os(CHILD_DIR).unwrap();
    match mode.as_str() {
        "read" => {
            let cache = FileCache::in_dir(dir);
            let token = cache.read(&key("demo")).unwrap();
            println!(
                "CHILD-TOKEN={}",
                token.as_ref().map_or("<none>", Secret::expose)
            );
        }
        "write" => {
            FileCache::in_dir(dir)
                .write(&key("child"), &Secret::from("from-the-child"))
                .unwrap();
            println!("CHILD-WROTE");
        }
        "env" => {
            let cache = FileCache::new().unwrap();
            println!("CHILD-DIR={}", cache.dir().display());
        }
        other => panic!("unknown child mode {other}"),
    }
}

#[test]
fn roundtrip_through_the_trait() {
    let tmp = tempfile::tempdir().unwrap();
    let cache: Arc<dyn TokenCache> = Arc::new(FileCache::in_dir(tmp.path().join("sf")));
    assert_eq!(cache.name(), "file");
    assert!(cache.read(&key("demo")).unwrap().is_none());
    // A read creates nothing, not even the directory.
    assert!(!tmp.path().join("sf").exists());

    cache.write(&key("demo"), &Secret::from("tok-1")).unwrap();
    assert_eq!(cache.read(&key("demo")).unwrap().unwrap().expose(), "tok-1");
    assert!(cache.read(&key("other")).unwrap().is_none());
    cache.write(&key("demo"), &Secret::from("tok-2")).unwrap();
    assert_eq!(cache.read(&key("demo")).unwrap().unwrap().expose(), "tok-2");

    let json = read_json(&tmp.path().join("sf").join(FILE_NAME));
    assert_eq!(json["tokens"][key("demo").v2()], "tok-2");
    assert_eq!(json["tokens"].as_object().unwrap().len(), 1);

    cache.delete(&key("demo")).unwrap();
    assert!(cache.read(&key("demo")).unwrap().is_none());
    // Deleting a missing token, or from a missing file, is not an error.
    cache.delete(&key("demo")).unwrap();
    FileCache::in_dir(tmp.path().join("nothing"))
        .delete(&key("demo"))
        .unwrap();
    assert!(!tmp.path().join("nothing").exists());
}

#[test]
fn other_drivers_entries_survive_writes_and_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(FILE_NAME);
    let foreign = "3f0c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
    fs::write(
        &file,
        format!(
            r#"{{"tokens": {{"{foreign}": "py-token", "n": null}}, "other": {{"x": [1, 2]}}}}"#
        ),
    )
    .unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700)).unwrap();

    let cache = FileCache::in_dir(tmp.path());
    cache.write(&key("demo"), &Secret::from("ours")).unwrap();
    let json = read_json(&file);
    assert_eq!(json["tokens"][foreign], "py-token");
    assert!(json["tokens"]["n"].is_null());
    assert_eq!(json["other"]["x"][1], 2);
    assert_eq!(json["tokens"][key("demo").v2()], "ours");

    cache.delete(&key("demo")).unwrap();
    let json = read_json(&file);
    assert_eq!(json["tokens"][foreign], "py-token");
    assert_eq!(json["other"]["x"][0], 1);
    assert!(json["tokens"].get(key("demo").v2()).is_none());
}

#[test]
fn another_process_reads_what_this_one_wrote_and_the_reverse() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = FileCache::in_dir(tmp.path().join("sf"));
    cache
        .write(&key("demo"), &Secret::from("cross-process-token"))
        .unwrap();
    let out = run_child("child_process", "read", cache.dir(), &[]);
    assert!(out.contains("CHILD-TOKEN=cross-process-token"), "{out}");

    let out = run_child("child_process", "write", cache.dir(), &[]);
    assert!(out.contains("CHILD-WROTE"), "{out}");
    assert_eq!(
        cache.read(&key("child")).unwrap().unwrap().expose(),
        "from-the-child"
    );
    assert_eq!(
        cache.read(&key("demo")).unwrap().unwrap().expose(),
        "cross-process-token"
    );
}

#[test]
fn modes_after_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a").join("b").join("snowflake");
    let cache = FileCache::in_dir(&dir);
    cache.write(&key("demo"), &Secret::from("t")).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
    assert_eq!(mode(&dir.join(LOCK_FILE_NAME)), 0o600);
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // The cache file, its lock, and sfmfa's token index (cache/index.rs).
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n == sfmfa::cache::index::INDEX_FILE_NAME)
    );
    assert_eq!(mode(&dir.join(sfmfa::cache::index::INDEX_FILE_NAME)), 0o600);

    // A 0755 directory of ours is tightened to 0700.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    cache.write(&key("demo"), &Secret::from("t2")).unwrap();
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn world_readable_file_is_refused_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = FileCache::in_dir(tmp.path());
    cache.write(&key("demo"), &Secret::from("leaky")).unwrap();
    let file = cache.path();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();

    let e = cache.read(&key("demo")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cache);
    assert_eq!(e.sqlstate(), "HY000");
    assert!(e.message().contains("0644"), "{e}");
    assert!(e.message().contains("may already have leaked"), "{e}");
    assert!(e.message().contains("Remove the file"), "{e}");
    assert!(!e.message().contains("leaky"), "{e}");

    let e = cache.write(&key("demo"), &Secret::from("new")).unwrap_err();
    assert!(e.message().contains("0644"), "{e}");
    let e = cache.delete(&key("demo")).unwrap_err();
    assert!(e.message().contains("0644"), "{e}");
    // Not silently fixed.
    assert_eq!(mode(&file), 0o644);
}

#[test]
fn directory_of_another_user_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("foreign");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    if let Err(e) = std::os::unix::fs::chown(&dir, Some(65534), Some(65534)) {
        eprintln!("skipped: chown to uid 65534 failed ({e}); not running as root?");
        return;
    }
    let cache = FileCache::in_dir(&dir);
    let e = cache.write(&key("demo"), &Secret::from("t")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cache);
    assert!(e.message().contains("owned by uid 65534"), "{e}");
    let e = cache.read(&key("demo")).unwrap_err();
    assert!(e.message().contains("owned by uid 65534"), "{e}");
    assert!(!dir.join(FILE_NAME).exists());
}

#[test]
fn symlink_in_place_of_the_file_is_refused_and_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sf");
    let target = tmp.path().join("target.json");
    fs::write(&target, r#"{"tokens": {}}"#).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    let cache = FileCache::in_dir(&dir);
    cache.write(&key("x"), &Secret::from("x")).unwrap();
    fs::remove_file(cache.path()).unwrap();
    symlink(&target, cache.path()).unwrap();

    let e = cache.write(&key("demo"), &Secret::from("t")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cache);
    assert!(e.message().contains("symbolic link"), "{e}");
    let e = cache.read(&key("demo")).unwrap_err();
    assert!(e.message().contains("symbolic link"), "{e}");
    assert_eq!(fs::read_to_string(&target).unwrap(), r#"{"tokens": {}}"#);
    assert!(
        fs::symlink_metadata(cache.path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn writing_the_token_the_file_holds_leaves_the_file_alone() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let cache = FileCache::in_dir(tmp.path());
    cache.write(&key("demo"), &Secret::from("same")).unwrap();
    let state = |path: &Path| {
        let m = fs::symlink_metadata(path).unwrap();
        (
            m.ino(),
            (m.mtime(), m.mtime_nsec()),
            (m.ctime(), m.ctime_nsec()),
            fs::read(path).unwrap(),
        )
    };
    let index = tmp.path().join("sfmfa_token_index.json");
    let (before, index_before) = (state(&cache.path()), state(&index));
    cache.write(&key("demo"), &Secret::from("same")).unwrap();
    assert_eq!(state(&cache.path()), before, "the file was replaced");
    assert_eq!(state(&index), index_before, "the index was rewritten");
    // Another token is written as before: a new file.
    cache.write(&key("demo"), &Secret::from("other")).unwrap();
    assert_ne!(state(&cache.path()).0, before.0);
    assert_eq!(cache.read(&key("demo")).unwrap().unwrap().expose(), "other");
}

#[test]
fn corrupt_file_reads_as_empty_and_is_repaired_by_the_next_write() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = FileCache::in_dir(tmp.path());
    cache.write(&key("demo"), &Secret::from("t")).unwrap();
    for corrupt in ["{not json", "", "[1,2]", r#"{"tokens": "oops", "keep": 1}"#] {
        fs::write(cache.path(), corrupt).unwrap();
        assert!(cache.read(&key("demo")).unwrap().is_none(), "{corrupt:?}");
        cache.write(&key("demo"), &Secret::from("fixed")).unwrap();
        assert_eq!(cache.read(&key("demo")).unwrap().unwrap().expose(), "fixed");
        let json = read_json(&cache.path());
        assert!(json["tokens"].is_object());
        if corrupt.contains("keep") {
            assert_eq!(json["keep"], 1);
        }
    }
}

#[test]
fn concurrent_writers_lose_no_update() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sf");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let cache = FileCache::in_dir(&dir);
            std::thread::spawn(move || {
                for i in 0..50 {
                    cache
                        .write(
                            &key(&format!("u{t}-{i}")),
                            &Secret::new(format!("tok-{t}-{i}")),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let json = read_json(&dir.join(FILE_NAME));
    assert_eq!(json["tokens"].as_object().unwrap().len(), 400);
    let cache = FileCache::in_dir(&dir);
    for t in 0..8 {
        for i in 0..50 {
            let token = cache.read(&key(&format!("u{t}-{i}"))).unwrap().unwrap();
            assert_eq!(token.expose(), format!("tok-{t}-{i}"));
        }
    }
}

#[test]
fn a_held_lock_makes_a_write_fail_not_go_unlocked() {
    let tmp = tempfile::tempdir().unwrap();
    let cache =
        FileCache::in_dir(tmp.path()).with_lock_timeout(std::time::Duration::from_millis(200));
    cache.write(&key("demo"), &Secret::from("before")).unwrap();
    // Another open file description holds the lock, as another process would.
    let held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(cache.lock_path())
        .unwrap();
    held.lock().unwrap();
    let e = cache
        .write(&key("demo"), &Secret::from("after"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cache);
    assert!(e.message().contains("held by another process"), "{e}");
    held.unlock().unwrap();
    assert_eq!(
        cache.read(&key("demo")).unwrap().unwrap().expose(),
        "before"
    );
}

#[test]
fn search_order_in_a_child_process() {
    let tmp = tempfile::tempdir().unwrap();
    let sf = tmp.path().join("sfdir");
    let xdg = tmp.path().join("xdg");
    let home = tmp.path().join("home");
    let (sf, xdg, home) = (
        sf.to_str().unwrap(),
        xdg.to_str().unwrap(),
        home.to_str().unwrap(),
    );
    let out = run_child(
        "child_process",
        "env",
        tmp.path(),
        &[
            ("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", sf),
            ("XDG_CACHE_HOME", xdg),
            ("HOME", home),
        ],
    );
    assert!(out.contains(&format!("CHILD-DIR={sf}\n")), "{out}");
    let out = run_child(
        "child_process",
        "env",
        tmp.path(),
        &[
            ("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", ""),
            ("XDG_CACHE_HOME", xdg),
            ("HOME", home),
        ],
    );
    assert!(
        out.contains(&format!("CHILD-DIR={xdg}/snowflake\n")),
        "{out}"
    );
    let out = run_child(
        "child_process",
        "env",
        tmp.path(),
        &[
            ("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", ""),
            ("XDG_CACHE_HOME", ""),
            ("HOME", home),
        ],
    );
    assert!(
        out.contains(&format!("CHILD-DIR={home}/.cache/snowflake\n")),
        "{out}"
    );
}
