//! The six conditions under which Snowflake invalidates a cached MFA token (product documents), each
//! against the emulator: after the change, the next login sends the cached token, the server rejects
//! it, sfmfa evicts it and prompts once (one push), and stores the new token when one is issued.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;
use sfmfa::cache::{CacheKey, CacheStatus, MemoryCache, TokenCache};
use sfmfa::{SecondFactor, Secret};
use sfmfa_emulator::Emulator;

const CACHED: [(&str, &str); 3] = [
    ("authenticator", "username_password_mfa"),
    ("client_store_temporary_credential", "on"),
    ("token_cache", "memory"),
];

fn cached_config(emu: &Emulator, user: &str, extra: &[(&str, &str)]) -> sfmfa::Config {
    let pairs: Vec<(&str, &str)> = CACHED.iter().chain(extra).copied().collect();
    config(emu, user, &pairs)
}

/// Logs in once (a push) so that a token is cached; returns the push count after it.
fn fill_cache(emu: &Emulator, user: &str) -> u64 {
    let s = login(cached_config(emu, user, &[])).unwrap();
    assert_eq!(
        s.cache_report().status,
        CacheStatus::Stored,
        "{:?}",
        s.cache_report()
    );
    emu.control().push_count(ACCOUNT, user)
}

/// The next login after a change: the cached token is rejected and evicted, one push follows.
fn expect_rejected_then_one_push(
    emu: &Emulator,
    account: &str,
    user: &str,
    cfg: sfmfa::Config,
    want: CacheStatus,
) {
    let ctl = emu.control();
    let before = ctl.push_count(account, user);
    let logins_before = ctl.login_count(account, user);
    let s = login(cfg).unwrap();
    let r = s.cache_report();
    assert!(r.evicted, "the rejected token was evicted: {r:?}");
    assert_eq!(r.status, want, "{r:?}");
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
    assert_eq!(
        ctl.push_count(account, user) - before,
        1,
        "exactly one prompt"
    );
    assert_eq!(
        ctl.login_count(account, user) - logins_before,
        2,
        "token login, then one interactive login"
    );
    let history = ctl.login_history();
    let token_try = &history[history.len() - 2];
    assert_eq!(
        token_try.error_code.as_deref(),
        Some("390127"),
        "{token_try:?}"
    );
}

#[test]
fn caching_turned_off_for_the_account_or_the_user() {
    for scope in ["account", "user"] {
        let emu = emulator(false);
        let ctl = emu.control();
        fill_cache(&emu, "push_approve");
        match scope {
            "account" => assert!(ctl.set_allow_mfa_caching_account(ACCOUNT, Some(false))),
            _ => assert!(ctl.set_allow_mfa_caching_user(ACCOUNT, "push_approve", Some(false))),
        };
        // Caching is off on the server: no new token is issued.
        let cfg = cached_config(&emu, "push_approve", &[]);
        expect_rejected_then_one_push(&emu, ACCOUNT, "push_approve", cfg, CacheStatus::NotIssued);
    }
}

#[test]
fn another_authenticator() {
    // A token issued to a `snowflake`-authenticator login (as python 4 and go request it) is not
    // valid for a username_password_mfa login.
    let emu = emulator(false);
    let body = format!(
        r#"{{"data":{{"ACCOUNT_NAME":"{ACCOUNT}","LOGIN_NAME":"push_approve","PASSWORD":"{PASSWORD}","EXT_AUTHN_DUO_METHOD":"passcode","PASSCODE":"{BYPASS}","SESSION_PARAMETERS":{{"CLIENT_REQUEST_MFA_TOKEN":true}}}}}}"#
    );
    let mut tcp = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    write!(
        tcp,
        "POST /session/v1/login-request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let token = json["data"]["mfaToken"]
        .as_str()
        .expect("a token for the snowflake authenticator")
        .to_owned();
    let cfg = cached_config(&emu, "push_approve", &[]);
    MemoryCache
        .write(&CacheKey::for_config(&cfg), &Secret::new(token))
        .unwrap();
    expect_rejected_then_one_push(&emu, ACCOUNT, "push_approve", cfg, CacheStatus::Stored);
}

#[test]
fn password_changed() {
    let emu = emulator(false);
    fill_cache(&emu, "push_approve");
    assert!(
        emu.control()
            .set_password(ACCOUNT, "push_approve", "n3w-Passw0rd")
    );
    let cfg = cached_config(&emu, "push_approve", &[("password", "n3w-Passw0rd")]);
    expect_rejected_then_one_push(&emu, ACCOUNT, "push_approve", cfg, CacheStatus::Stored);
}

#[test]
fn invalid_credentials_fail_without_a_push_and_keep_the_token() {
    // With a wrong password the server answers 390100 before looking at the token: no push, and the
    // token stays (it is still good with the right password).
    let emu = emulator(false);
    let ctl = emu.control();
    let pushes = fill_cache(&emu, "push_approve");
    let e = login(cached_config(
        &emu,
        "push_approve",
        &[("password", "wrong")],
    ))
    .unwrap_err();
    assert_eq!(e.server_code(), Some(390100));
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), pushes);
    let s = login(cached_config(&emu, "push_approve", &[])).unwrap();
    assert_eq!(s.cache_report().status, CacheStatus::Hit);
}

#[test]
fn expired_or_altered_token() {
    let emu = emulator(false);
    fill_cache(&emu, "push_approve");
    emu.control().advance(4 * 3600 + 1);
    let cfg = cached_config(&emu, "push_approve", &[]);
    expect_rejected_then_one_push(&emu, ACCOUNT, "push_approve", cfg, CacheStatus::Stored);

    // Flip one character of the cached token: not cryptographically valid any more.
    let cfg = cached_config(&emu, "push_approve", &[]);
    let key = CacheKey::for_config(&cfg);
    let token = MemoryCache.read(&key).unwrap().unwrap();
    let mut altered: Vec<char> = token.expose().chars().collect();
    let i = altered.len() / 2;
    altered[i] = if altered[i] == 'A' { 'B' } else { 'A' };
    MemoryCache
        .write(&key, &Secret::new(altered.into_iter().collect()))
        .unwrap();
    expect_rejected_then_one_push(&emu, ACCOUNT, "push_approve", cfg, CacheStatus::Stored);
}

#[test]
fn another_account() {
    // The cache key is (host, user): a token of account xy12345 offered for nocache_acct's user
    // `demo` on the same host is rejected.
    let emu = emulator(false);
    let ctl = emu.control();
    assert!(ctl.set_allow_mfa_caching_account("nocache_acct", Some(true)));
    fill_cache(&emu, "demo");
    let cfg = cached_config(&emu, "demo", &[("account", "nocache_acct")]);
    expect_rejected_then_one_push(&emu, "nocache_acct", "demo", cfg, CacheStatus::Stored);
}
