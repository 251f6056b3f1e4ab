//! The token-cache seam of the login flow, with an in-memory cache: a token the server issues is
//! stored, the next login sends it instead of pushing, a rejected token is evicted and the login
//! runs once more interactively, and the `snowflake` authenticator never touches the cache.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::*;
use sfmfa::cache::{CacheKey, TokenCache};
use sfmfa::{Error, ErrorKind, SecondFactor, Secret};

#[derive(Default)]
struct Memory {
    tokens: Mutex<HashMap<CacheKey, Secret>>,
    reads: Mutex<u32>,
    fail: bool,
}

impl TokenCache for Memory {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        *self.reads.lock().unwrap() += 1;
        if self.fail {
            return Err(Error::new(ErrorKind::Internal, "keystore unavailable"));
        }
        Ok(self.tokens.lock().unwrap().get(key).cloned())
    }
    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        if self.fail {
            return Err(Error::new(ErrorKind::Internal, "keystore unavailable"));
        }
        self.tokens
            .lock()
            .unwrap()
            .insert(key.clone(), token.clone());
        Ok(())
    }
    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.tokens.lock().unwrap().remove(key);
        Ok(())
    }
    fn name(&self) -> &'static str {
        "memory-test"
    }
}

fn client(emu: &sfmfa_emulator::Emulator, cache: &Arc<Memory>, auth: &str) -> sfmfa::Client {
    let cache: Arc<dyn TokenCache> = Arc::clone(cache) as Arc<dyn TokenCache>;
    sfmfa::Client::new(config(
        emu,
        "demo",
        &[
            ("authenticator", auth),
            ("client_store_temporary_credential", "on"),
        ],
    ))
    .unwrap()
    .with_token_cache(cache)
}

#[test]
fn issued_token_replaces_the_next_push_and_a_rejected_one_is_evicted() {
    let emu = emulator(false);
    let ctl = emu.control();
    let cache = Arc::new(Memory::default());
    let c = client(&emu, &cache, "username_password_mfa");

    let first = c.login().unwrap();
    assert_eq!(first.second_factor(), SecondFactor::PushOrNone);
    assert!(first.mfa_token_issued(), "the client asked for a token");
    assert_eq!(cache.tokens.lock().unwrap().len(), 1);

    let second = c.login().unwrap();
    assert_eq!(second.second_factor(), SecondFactor::MfaToken);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 1, "no second push");
    let last = ctl.login_history().pop().unwrap();
    assert_eq!(
        last.second_authentication_factor.as_deref(),
        Some("MFA_TOKEN")
    );

    // The server stops accepting the token: evicted, one push, a new token stored.
    let old = cache
        .tokens
        .lock()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    ctl.advance(5 * 3600);
    let third = c.login().unwrap();
    assert_eq!(third.second_factor(), SecondFactor::PushOrNone);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 2);
    let new = cache
        .tokens
        .lock()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_ne!(old, new, "the rejected token was replaced");
}

#[test]
fn the_snowflake_authenticator_never_reads_the_cache() {
    let emu = emulator(false);
    let cache = Arc::new(Memory::default());
    let s = client(&emu, &cache, "snowflake").login().unwrap();
    assert!(!s.mfa_token_issued());
    assert_eq!(*cache.reads.lock().unwrap(), 0);
    assert!(cache.tokens.lock().unwrap().is_empty());
}

#[test]
fn a_failing_cache_never_fails_the_login() {
    let emu = emulator(false);
    let cache = Arc::new(Memory {
        fail: true,
        ..Memory::default()
    });
    let s = client(&emu, &cache, "username_password_mfa")
        .login()
        .unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
}
