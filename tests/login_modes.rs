//! Every MFA mode against the emulator, over real sockets, HTTP and HTTPS.

mod common;

use common::*;
use sfmfa::SecondFactor;

fn check_modes(tls: bool) {
    let emu = emulator(tls);
    let ctl = emu.control();
    let mfa = ("authenticator", "username_password_mfa");

    // Plain password: a user without Duo.
    // A push is asked for, but the answer does not say whether one was sent: push or none.
    let s = login(config(&emu, "plain", &[])).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
    assert!(s.session_id() > 0);
    assert_eq!(ctl.push_count(ACCOUNT, "plain"), 0);
    s.close().unwrap();

    // Duo push, the default of the MFA authenticator: exactly one push.
    let s = login(config(&emu, "demo", &[mfa])).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 1);
    s.close().unwrap();

    // The snowflake authenticator for an enrolled user: a push, asked for explicitly.
    let s = login(config(&emu, "demo", &[])).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PushOrNone);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 2);

    // An explicit passcode: the bypass code, and the TOTP the user's app shows now.
    let s = login(config(&emu, "demo", &[mfa, ("passcode", BYPASS)])).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::Passcode);
    let totp = ctl
        .current_passcode(ACCOUNT, "demo")
        .expect("demo has a TOTP secret");
    let s2 = login(config(&emu, "demo", &[mfa, ("passcode", &totp)])).unwrap();
    assert_ne!(s.session_id(), s2.session_id());

    // Passcode in password, with either authenticator; it wins over an explicit passcode.
    let pip = format!("{PASSWORD}{BYPASS}");
    for auth in ["snowflake", "username_password_mfa"] {
        let s = login(config(
            &emu,
            "demo",
            &[
                ("authenticator", auth),
                ("password", &pip),
                ("passcode_in_password", "on"),
                ("passcode", "000000"),
            ],
        ))
        .unwrap();
        assert_eq!(s.second_factor(), SecondFactor::PasscodeInPassword);
    }
    assert_eq!(
        ctl.push_count(ACCOUNT, "demo"),
        2,
        "passcode logins send no push"
    );

    let factors: Vec<Option<String>> = ctl
        .login_history()
        .into_iter()
        .filter(|h| h.user_name.eq_ignore_ascii_case("demo") && h.is_success)
        .map(|h| h.second_authentication_factor)
        .collect();
    assert_eq!(
        factors,
        [
            "DUO_PUSH",
            "DUO_PUSH",
            "DUO_PASSCODE",
            "DUO_PASSCODE",
            "DUO_PASSCODE",
            "DUO_PASSCODE"
        ]
        .map(|f| Some(f.to_owned()))
    );
}

#[test]
fn every_mode_over_http() {
    check_modes(false);
}

#[test]
fn every_mode_over_https() {
    check_modes(true);
}

#[test]
fn https_by_ip_address_and_session_details() {
    let emu = emulator(true);
    let mut c = config(&emu, "demo", &[("passcode", BYPASS)]);
    c.set("host", "127.0.0.1").unwrap();
    let s = login(c).unwrap();
    assert!(!s.token().expose().is_empty() && !s.master_token().expose().is_empty());
    assert!(s.validity_secs().is_some());
    assert!(s.server_version().is_some());
}

#[test]
fn close_logs_out_once() {
    let emu = emulator(false);
    let ctl = emu.control();
    let s = login(config(&emu, "demo", &[("passcode", BYPASS)])).unwrap();
    assert_eq!(ctl.open_sessions(), 1);
    assert!(!s.is_closed());
    s.close().unwrap();
    assert!(s.is_closed());
    s.close().unwrap(); // a no-op: no second logout request
    assert_eq!(ctl.closed_sessions(), 1);
    assert_eq!(ctl.open_sessions(), 0);
}

#[test]
fn session_context_goes_in_the_query() {
    let emu = emulator(false);
    let s = login(config(
        &emu,
        "demo",
        &[
            ("passcode", BYPASS),
            ("database", "DB1"),
            ("schema", "S1"),
            ("warehouse", "WH"),
            ("role", "ANALYST"),
        ],
    ))
    .unwrap();
    assert!(s.session_id() > 0);
    let last = emu.control().login_history().pop().unwrap();
    assert!(
        last.request_id.is_some_and(|id| id.len() == 36),
        "request_id is a UUID"
    );
}
