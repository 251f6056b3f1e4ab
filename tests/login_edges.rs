//! Edges where drivers pass their users' settings through: `login_timeout=0`, a host name that does
//! not resolve, an account that refuses logins naming no Duo method, and passcode-in-password with
//! the token cache (three logins in a row in every mode).

mod common;

use common::*;
use sfmfa::{ErrorKind, SecondFactor};

#[test]
fn a_name_that_does_not_resolve_is_a_connect_failure() {
    let mut c = sfmfa::Config::new();
    for (k, v) in [
        ("account", "xy12345"),
        ("user", "demo"),
        ("password", PASSWORD),
        ("host", "no-such-host.invalid"),
        // Connect failures are retried within the deadline; a short one keeps the test short.
        ("login_timeout", "2"),
        ("client_store_temporary_credential", "off"),
    ] {
        c.set(k, v).unwrap();
    }
    let e = login(c).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(e.sqlstate(), "08001", "nothing was sent: not 08S01");
}

#[test]
fn login_timeout_zero_means_no_limit() {
    let emu = emulator(false);
    let s = login(config(
        &emu,
        "demo",
        &[
            ("authenticator", "username_password_mfa"),
            ("login_timeout", "0"),
        ],
    ))
    .unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
    s.close().unwrap();
    // A push that is never approved still ends: with the service's own push timeout (1.5 s).
    let e = login(config(&emu, "push_timeout", &[("login_timeout", "0")])).unwrap_err();
    assert_eq!(e.server_code(), Some(390126), "{e}");
}

#[test]
fn an_account_that_requires_the_duo_method_accepts_every_mode() {
    let emu = emulator(false);
    let ctl = emu.control();
    assert!(ctl.set_require_duo_method(ACCOUNT, true));
    for options in [
        vec![],
        vec![("authenticator", "username_password_mfa")],
        vec![("passcode", BYPASS)],
    ] {
        login(config(&emu, "push_approve", &options))
            .unwrap_or_else(|e| panic!("{options:?}: {e}"));
    }
}

/// A mode: user, options, the second factor of its first login, its pushes.
type Mode<'a> = (&'a str, Vec<(&'a str, &'a str)>, SecondFactor, u64);

/// Three logins in a row in every mode with caching on: the first prompts, the next two use the
/// cached token (passcode in password too: the token login sends the password without its passcode).
#[test]
fn three_logins_in_a_row_in_every_mode_with_caching_on() {
    let emu = emulator(false);
    let ctl = emu.control();
    let pip = format!("{PASSWORD}{BYPASS}");
    let mfa = ("authenticator", "username_password_mfa");
    let modes: [Mode; 3] = [
        ("push_approve", vec![], SecondFactor::PushOrNone, 1),
        (
            "demo",
            vec![("passcode", BYPASS)],
            SecondFactor::Passcode,
            0,
        ),
        (
            "push_deny",
            vec![("password", &pip), ("passcode_in_password", "on")],
            SecondFactor::PasscodeInPassword,
            0,
        ),
    ];
    for (user, options, first, pushes) in modes {
        let mut all = vec![
            mfa,
            ("client_store_temporary_credential", "on"),
            ("token_cache", "memory"),
        ];
        all.extend(options);
        let client = sfmfa::Client::new(config(&emu, user, &all)).unwrap();
        let before = ctl.push_count(ACCOUNT, user);
        for i in 0..3 {
            let s = client
                .login()
                .unwrap_or_else(|e| panic!("{user}, login {}: {e}", i + 1));
            let want = if i == 0 {
                first
            } else {
                SecondFactor::MfaToken
            };
            assert_eq!(s.second_factor(), want, "{user}, login {}", i + 1);
            s.close().unwrap();
        }
        assert_eq!(ctl.push_count(ACCOUNT, user) - before, pushes, "{user}");
    }
}
