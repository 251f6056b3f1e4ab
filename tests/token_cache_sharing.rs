//! Where the token cache lives and who shares it (issue 17), against the emulator:
//! - `credential_cache_dir` puts the file store in the application's directory, over
//!   `SF_TEMPORARY_CREDENTIAL_CACHE_DIR`, with the same safety rules;
//! - the administrator's `SFMFA_TOKEN_CACHE` (in a child process, so that this process's
//!   environment is never changed while tests run) turns caching off over the application, or picks
//!   the store;
//! - `token_cache=auto` reads a token another driver left in `credential_cache_v2.json` when the
//!   keystore has none, without writing or locking that file.
#![cfg(unix)]

mod common;

#[path = "common/child.rs"]
mod child;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use sfmfa::SecondFactor;
use sfmfa::cache::{CacheStatus, mfa_token_key};
use sfmfa_emulator::{Emulator, UserConfig};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");

/// Selects what the child process does when this binary is re-run by a test.
const CHILD_MODE: &str = "SFMFA_SHARING_TEST_CHILD";
/// The emulator's port the child logs in to.
const CHILD_PORT: &str = "SFMFA_SHARING_TEST_PORT";
/// The directory the child passes as `credential_cache_dir`.
const CHILD_DIR: &str = "SFMFA_SHARING_TEST_DIR";

/// The directory `SF_TEMPORARY_CREDENTIAL_CACHE_DIR` names in this process (and its children):
/// set once, before any test reads it, so a token that lands there instead of in
/// `credential_cache_dir` is seen.
#[allow(unsafe_code)] // std::env::set_var
fn env_cache_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("sfmfa-sharing-test-env-{}", std::process::id()));
        // SAFETY (of the test's env use): set once, before any test in this process reads it.
        unsafe { std::env::set_var("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", &dir) };
        dir
    })
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), PermissionsExt::from_mode(0o700)).unwrap();
    dir
}

/// The v2 key of `user` at the plain emulator `emu`.
fn key_of(emu: &Emulator, user: &str) -> String {
    mfa_token_key(&format!("127.0.0.1:{}", emu.port()), user)
}

/// A Duo-enrolled user of the default account whose pushes are approved at once, with a name no
/// other run uses (the keystore outlives the run).
fn fresh_user(emu: &Emulator, tag: &str) -> String {
    let name = format!("sharing_{tag}_{}", std::process::id());
    emu.control().add_user(
        ACCOUNT,
        UserConfig {
            duo_enrolled: true,
            ..UserConfig::new(&name, PASSWORD)
        },
    );
    name
}

fn tokens_in(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("credential_cache_v2.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["tokens"].clone()
}

#[test]
fn credential_cache_dir_holds_the_token_and_the_next_login_uses_it() {
    let elsewhere = env_cache_dir();
    let base = private_dir();
    let dir = base.path().join("app-cache");
    let emu = emulator(false);
    let ctl = emu.control();
    let dir_text = dir.to_str().unwrap();
    let first = login(config(
        &emu,
        "push_approve",
        &[
            MFA,
            ON,
            ("token_cache", "file"),
            ("credential_cache_dir", dir_text),
        ],
    ))
    .unwrap();
    let r = first.cache_report();
    assert_eq!(
        (r.status, r.backend),
        (CacheStatus::Stored, Some("file")),
        "{r:?}"
    );
    let key = key_of(&emu, "push_approve");
    assert!(
        tokens_in(&dir)[&key].is_string(),
        "the token is in {}",
        dir.display()
    );
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
    let file = std::fs::metadata(dir.join("credential_cache_v2.json")).unwrap();
    assert_eq!(file.mode() & 0o777, 0o600);
    assert!(
        !elsewhere.join("credential_cache_v2.json").exists(),
        "nothing in SF_TEMPORARY_CREDENTIAL_CACHE_DIR"
    );

    // Another client, the option by the Node.js driver's name: the token from that directory.
    let second = login(config(
        &emu,
        "push_approve",
        &[
            MFA,
            ON,
            ("token_cache", "file"),
            ("credentialCacheDir", dir_text),
        ],
    ))
    .unwrap();
    assert_eq!(
        second.cache_report().status,
        CacheStatus::Hit,
        "{:?}",
        second.cache_report()
    );
    assert_eq!(second.second_factor(), SecondFactor::MfaToken);
    assert_eq!(
        ctl.push_count(ACCOUNT, "push_approve"),
        1,
        "one push for two logins"
    );

    // The JDBC driver's name for it is accepted too.
    let mut c = config(&emu, "push_approve", &[]);
    c.set("net.snowflake.jdbc.temporaryCredentialCacheDir", dir_text)
        .unwrap();
    assert_eq!(
        c.get("credential_cache_dir").unwrap().as_deref(),
        Some(dir_text)
    );
}

#[test]
fn credential_cache_dir_is_never_followed_through_a_symlink() {
    env_cache_dir();
    let base = private_dir();
    let real = base.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, PermissionsExt::from_mode(0o700)).unwrap();
    let link = base.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let emu = emulator(false);
    let s = login(config(
        &emu,
        "push_approve",
        &[
            MFA,
            ON,
            ("token_cache", "file"),
            ("credential_cache_dir", link.to_str().unwrap()),
        ],
    ))
    .expect("a cache failure never fails a login");
    let r = s.cache_report();
    assert_eq!(r.status, CacheStatus::WriteFailed, "{r:?}");
    assert!(r.detail.contains("symbolic link"), "{r:?}");
    assert!(!real.join("credential_cache_v2.json").exists());
}

/// The `REPORT …` lines of a child's output (the first one follows the harness's "test … ").
fn reports(out: &str) -> Vec<&str> {
    out.lines()
        .filter_map(|l| l.find("REPORT ").map(|i| &l[i..]))
        .collect()
}

/// Runs this binary's `child_process` with `SFMFA_TOKEN_CACHE=admin` against `emu`.
fn run_child(mode: &str, admin: &str, emu: &Emulator, dir: &Path) -> String {
    let mut cmd = child::self_command("child_process");
    cmd.env(CHILD_MODE, mode)
        .env(CHILD_PORT, emu.port().to_string())
        .env(CHILD_DIR, dir)
        .env("SFMFA_TOKEN_CACHE", admin);
    child::stdout_of(&mut cmd)
}

/// Child side of the administrator's-switch tests (run with `SFMFA_TOKEN_CACHE` set); does
/// nothing in a normal run. Prints one line per login: `REPORT <status> <backend> <detail>`.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let port = std::env::var(CHILD_PORT).unwrap();
    let dir = std::env::var(CHILD_DIR).unwrap();
    let app_cache = match mode.as_str() {
        "memory-app" => "memory",
        "keyutils-app" => "keyutils",
        other => panic!("unknown child mode {other}"),
    };
    for _ in 0..2 {
        let mut c = sfmfa::Config::new();
        for (k, v) in [
            ("account", ACCOUNT),
            ("user", "push_approve"),
            ("password", PASSWORD),
            ("host", "127.0.0.1"),
            ("port", port.as_str()),
            ("protocol", "http"),
            MFA,
            ON,
            ("token_cache", app_cache),
            ("credential_cache_dir", dir.as_str()),
        ] {
            c.set(k, v).unwrap();
        }
        let s = login(c).unwrap();
        let r = s.cache_report();
        println!("REPORT {:?} {:?} {}", r.status, r.backend, r.detail);
    }
}

#[test]
fn the_administrators_none_turns_caching_off_over_the_application() {
    env_cache_dir();
    let emu = emulator(false);
    let base = private_dir();
    let out = run_child("memory-app", "none", &emu, base.path());
    let lines = reports(&out);
    assert_eq!(lines.len(), 2, "{out}");
    for line in &lines {
        assert_eq!(
            *line, "REPORT Disabled None caching is off: SFMFA_TOKEN_CACHE=none",
            "{out}"
        );
    }
    assert_eq!(
        emu.control().push_count(ACCOUNT, "push_approve"),
        2,
        "no token used"
    );

    // A value that is not a word of token_cache turns caching off too.
    let out = run_child("memory-app", "off", &emu, base.path());
    assert!(
        reports(&out)
            .iter()
            .all(|l| l.starts_with("REPORT Disabled None caching is off: SFMFA_TOKEN_CACHE")),
        "{out}"
    );
}

#[test]
fn the_administrators_store_replaces_the_applications_store() {
    env_cache_dir();
    let emu = emulator(false);
    let base = private_dir();
    // The application asks for keyutils; the administrator's file wins, in credential_cache_dir.
    let out = run_child("keyutils-app", "file", &emu, base.path());
    let lines = reports(&out);
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("REPORT Stored Some(\"file\")"),
        "{out}"
    );
    assert!(lines[1].starts_with("REPORT Hit Some(\"file\")"), "{out}");
    assert!(tokens_in(base.path())[key_of(&emu, "push_approve")].is_string());
    assert_eq!(emu.control().push_count(ACCOUNT, "push_approve"), 1);
}

/// A token for `user` at `emu`, issued by the emulator (a login with the file store in a scratch
/// directory, then read from that file).
fn issued_token(emu: &Emulator, user: &str) -> String {
    let scratch = private_dir();
    login(config(
        emu,
        user,
        &[
            MFA,
            ON,
            ("token_cache", "file"),
            ("credential_cache_dir", scratch.path().to_str().unwrap()),
        ],
    ))
    .unwrap();
    tokens_in(scratch.path())[key_of(emu, user)]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Writes `credential_cache_v2.json` in `dir` as snowflake-connector-python writes it
/// (`json.dump` with its default separators), next to an entry of another kind, mode 0600.
fn plant_official_file(dir: &Path, key: &str, token: &str) -> Vec<u8> {
    let text = format!(
        "{{\"tokens\": {{\"SnowflakeTokenCache.v2.IdToken.0f0e\": \"an-id-token\", \"{key}\": \"{token}\"}}}}"
    );
    let path = dir.join("credential_cache_v2.json");
    std::fs::write(&path, &text).unwrap();
    std::fs::set_permissions(&path, PermissionsExt::from_mode(0o600)).unwrap();
    text.into_bytes()
}

/// What in `dir` shows that someone wrote or locked there: the names of its entries, and the cache
/// file's bytes and modification time.
fn dir_state(dir: &Path) -> (Vec<String>, Vec<u8>, i64, i64) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let path = dir.join("credential_cache_v2.json");
    let meta = std::fs::metadata(&path).unwrap();
    (
        names,
        std::fs::read(&path).unwrap(),
        meta.mtime(),
        meta.mtime_nsec(),
    )
}

#[test]
fn auto_uses_a_token_another_driver_left_in_the_file_without_touching_the_file() {
    env_cache_dir();
    let emu = emulator(false);
    let ctl = emu.control();
    let user = fresh_user(&emu, "readthrough");
    let token = issued_token(&emu, &user);
    assert_eq!(ctl.push_count(ACCOUNT, &user), 1);
    let dir = private_dir();
    plant_official_file(dir.path(), &key_of(&emu, &user), &token);
    let before = dir_state(dir.path());

    let client = sfmfa::Client::new(config(
        &emu,
        &user,
        &[
            MFA,
            ON,
            ("token_cache", "auto"),
            ("credential_cache_dir", dir.path().to_str().unwrap()),
        ],
    ))
    .unwrap();
    let s = client.login().unwrap();
    let r = s.cache_report().clone();
    // Clean the keystore before any assertion can fail.
    let deleted = client.delete_cached_token();
    assert_eq!(r.status, CacheStatus::Hit, "{r:?}");
    assert_ne!(
        r.backend,
        Some("file"),
        "auto chose an OS keystore here: {r:?}"
    );
    assert_eq!(s.second_factor(), SecondFactor::MfaToken);
    assert_eq!(
        ctl.push_count(ACCOUNT, &user),
        1,
        "no push: the driver's token was used"
    );
    assert_eq!(
        dir_state(dir.path()),
        before,
        "the other driver's file is untouched, no lock file"
    );
    deleted.unwrap();
}

#[test]
fn a_rejected_token_of_another_driver_is_left_in_its_file_and_not_offered_again() {
    env_cache_dir();
    let emu = emulator(false);
    let ctl = emu.control();
    let user = fresh_user(&emu, "rejected");
    let token = issued_token(&emu, &user);
    let dir = private_dir();
    plant_official_file(dir.path(), &key_of(&emu, &user), &token);
    let before = dir_state(dir.path());
    ctl.advance(4 * 3600 + 60); // past the token's four hours

    let client = sfmfa::Client::new(config(
        &emu,
        &user,
        &[
            MFA,
            ON,
            ("token_cache", "auto"),
            ("credential_cache_dir", dir.path().to_str().unwrap()),
        ],
    ))
    .unwrap();
    let first = client.login().unwrap();
    let second = client.login().unwrap();
    let (r1, r2) = (first.cache_report().clone(), second.cache_report().clone());
    let deleted = client.delete_cached_token();
    assert_eq!(
        (r1.status, r1.evicted),
        (CacheStatus::Stored, true),
        "{r1:?}"
    );
    assert_ne!(r1.backend, Some("file"), "{r1:?}");
    assert_eq!(
        r2.status,
        CacheStatus::Hit,
        "the new token, from the keystore: {r2:?}"
    );
    assert_eq!(
        ctl.push_count(ACCOUNT, &user),
        2,
        "one push for the dead token, none after"
    );
    assert_eq!(
        dir_state(dir.path()),
        before,
        "the dead token stays in the other driver's file"
    );

    // Deleted from the keystore: the dead token of the file is not offered again in this process.
    deleted.unwrap();
    let third = client.login().unwrap();
    let r3 = third.cache_report().clone();
    client.delete_cached_token().unwrap();
    assert_eq!(
        (r3.status, r3.evicted),
        (CacheStatus::Stored, false),
        "{r3:?}"
    );
    assert_eq!(ctl.push_count(ACCOUNT, &user), 3);
}
