//! Which refusals of a cached-token login evict the token (README "Login rules"): every refusal
//! but of the credentials, as Snowflake's Rust core does, followed by one login without the token;
//! a refusal of the credentials (390100) keeps it. Each case counts the requests and the pushes.

mod common;

use common::*;
use serde_json::json;
use sfmfa::{ErrorKind, SecondFactor};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");
const MEMORY: (&str, &str) = ("token_cache", "memory");

/// A client of `user` (push approved at once) whose first login cached a token.
fn with_cached_token(emu: &sfmfa_emulator::Emulator, user: &str) -> sfmfa::Client {
    let client = sfmfa::Client::new(config(emu, user, &[MFA, ON, MEMORY])).unwrap();
    let first = client.login().unwrap();
    assert!(first.mfa_token_issued());
    assert!(client.inspect_cache().unwrap().unwrap().present);
    client
}

/// The emulator's (requests, pushes) of push_approve so far.
fn counts(ctl: &sfmfa_emulator::Control) -> (u64, u64) {
    (
        ctl.login_count(ACCOUNT, "push_approve"),
        ctl.push_count(ACCOUNT, "push_approve"),
    )
}

fn refused_token_is_evicted(code: &str) {
    let emu = emulator(false);
    let ctl = emu.control();
    let client = with_cached_token(&emu, "push_approve");
    let (logins, pushes) = counts(&ctl);
    ctl.force_code(code, Some("refused for the test"), 1);
    let s = client.login().unwrap_or_else(|e| panic!("{code}: {e}"));
    assert!(s.cache_report().evicted, "{code}: evicted");
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone, "{code}");
    assert_eq!(
        ctl.login_count(ACCOUNT, "push_approve") - logins,
        2,
        "{code}: the token login, then one without it"
    );
    assert_eq!(
        ctl.push_count(ACCOUNT, "push_approve") - pushes,
        1,
        "{code}"
    );
    // The new login's token replaced it: the next login uses the cache again.
    let s = client.login().unwrap();
    assert_eq!(s.second_factor(), SecondFactor::MfaToken, "{code}");
}

#[test]
fn a_token_refused_with_390195_is_evicted() {
    refused_token_is_evicted("390195");
}

#[test]
fn a_token_refused_with_an_unknown_code_is_evicted() {
    refused_token_is_evicted("390999");
}

#[test]
fn a_token_refused_with_a_duo_code_is_evicted() {
    refused_token_is_evicted("390127");
}

#[test]
fn a_token_answered_with_a_duo_step_is_evicted() {
    let emu = emulator(false);
    let ctl = emu.control();
    let client = with_cached_token(&emu, "push_approve");
    let logins = ctl.login_count(ACCOUNT, "push_approve");
    ctl.answer_json(
        json!({"success": true, "code": null, "message": null,
               "data": {"nextAction": "EXT_AUTHN_DUO_ALL", "inFlightCtx": "IFC-t"}}),
        1,
    );
    let s = client.login().unwrap();
    assert!(s.cache_report().evicted);
    assert_eq!(ctl.login_count(ACCOUNT, "push_approve") - logins, 2);
}

#[test]
fn a_refusal_of_the_credentials_keeps_the_token() {
    let emu = emulator(false);
    let ctl = emu.control();
    let client = with_cached_token(&emu, "push_approve");
    let (logins, pushes) = counts(&ctl);
    ctl.force_code("390100", None, 1);
    let e = client.login().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadCredentials, "{e}");
    assert_eq!(
        ctl.login_count(ACCOUNT, "push_approve") - logins,
        1,
        "no retry"
    );
    assert_eq!(ctl.push_count(ACCOUNT, "push_approve"), pushes, "no push");
    assert!(
        client.inspect_cache().unwrap().unwrap().present,
        "the token is kept"
    );
    let s = client.login().unwrap();
    assert_eq!(s.second_factor(), SecondFactor::MfaToken);
}
