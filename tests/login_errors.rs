//! Every Duo code and every transport failure, as the caller sees them; nothing retried that must
//! not be.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sfmfa::ErrorKind;

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");

fn expect_code(
    emu: &sfmfa_emulator::Emulator,
    user: &str,
    pairs: &[(&str, &str)],
    code: u32,
) -> sfmfa::Error {
    let ctl = emu.control();
    let before = ctl.login_count(ACCOUNT, user);
    let e = login(config(emu, user, pairs)).expect_err("login must fail");
    assert_eq!(e.server_code(), Some(code), "{user}: {e}");
    assert_eq!(
        ctl.login_count(ACCOUNT, user) - before,
        1,
        "{user}: a refused login is never retried"
    );
    e
}

#[test]
fn every_duo_code_from_the_emulator() {
    for tls in [false, true] {
        let emu = emulator(tls);
        let ctl = emu.control();

        let e = expect_code(&emu, "demo", &[("password", "wrong-password")], 390100);
        assert_eq!(e.kind(), ErrorKind::BadCredentials);
        assert_eq!(e.sqlstate(), "28000");
        assert_eq!(
            ctl.push_count(ACCOUNT, "demo"),
            0,
            "no push for a wrong password"
        );

        let e = expect_code(&emu, "push_deny", &[MFA], 390120);
        assert_eq!(e.kind(), ErrorKind::Duo);
        assert_eq!(e.message(), "Duo Security authentication is denied.");
        assert_eq!(e.sqlstate(), "08001");
        assert_eq!(ctl.push_count(ACCOUNT, "push_deny"), 1);

        expect_code(&emu, "push_pending", &[MFA], 390121);
        expect_code(&emu, "not_enrolled", &[MFA, ("passcode", BYPASS)], 390122);
        let e = expect_code(&emu, "locked_user", &[MFA], 390123);
        assert!(e.message().contains("locked"));

        let e = expect_code(&emu, "push_timeout", &[MFA], 390126);
        assert!(
            e.hint().unwrap().contains("passcode"),
            "a push timeout suggests a passcode"
        );
        assert_eq!(ctl.push_count(ACCOUNT, "push_timeout"), 1);

        let e = expect_code(&emu, "demo", &[MFA, ("passcode", "000000")], 390127);
        assert_eq!(e.message(), "Incorrect passcode was specified.");
        expect_code(&emu, "duo_down", &[MFA], 390129);
        let e = expect_code(&emu, "push_disabled", &[MFA], 390132);
        assert!(
            e.hint().unwrap().contains("passcode"),
            "push disabled asks for a passcode"
        );

        // The codes a real service sends in situations the client cannot steer: forced.
        for (code, kind) in [
            ("390124", ErrorKind::Duo),
            ("390125", ErrorKind::Duo),
            ("390128", ErrorKind::Duo),
            ("390199", ErrorKind::Server),
        ] {
            ctl.force_code(code, None, 1);
            let e = expect_code(&emu, "demo", &[MFA], code.parse().unwrap());
            assert_eq!(e.kind(), kind, "{code}");
        }
    }
}

#[test]
fn push_is_never_sent_twice_when_the_connection_drops_after_sending() {
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.drop_after_processing(1);
    let e = login(config(&emu, "demo", &[MFA])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionLost, "{e}");
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 1);
    assert_eq!(ctl.login_count(ACCOUNT, "demo"), 1, "not re-sent");
}

#[test]
fn push_is_never_sent_twice_when_the_login_times_out_while_waiting() {
    let emu = emulator(false);
    let ctl = emu.control();
    // `manual`'s push is never answered; the client gives up first.
    let e = login(config(&emu, "manual", &[MFA, ("login_timeout", "0.7")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(e.sqlstate(), "HYT00");
    // Let the server-side push expire too, then count.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(ctl.push_count(ACCOUNT, "manual"), 1);
    assert_eq!(ctl.login_count(ACCOUNT, "manual"), 1);

    // A stalled answer after the push: same rule.
    ctl.stall(3000, 1);
    let e = login(config(&emu, "demo", &[MFA, ("login_timeout", "1")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(ctl.login_count(ACCOUNT, "demo"), 1);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 1);
}

#[test]
fn a_dropped_connection_before_processing_is_not_resent_either() {
    // The client cannot tell "dropped before" from "dropped after": it never re-sends.
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.drop_before_processing(1);
    let e = login(config(&emu, "demo", &[MFA])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionLost);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 0);
}

#[test]
fn service_unavailable_is_retried_with_one_push() {
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.fail_http(503, 2);
    let s = login(config(&emu, "demo", &[MFA])).unwrap();
    assert!(s.session_id() > 0);
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 1);

    ctl.fail_http(429, 1);
    login(config(&emu, "demo", &[MFA])).unwrap();
    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 2);
}

#[test]
fn ambiguous_server_errors_are_retried_only_when_no_push_can_start() {
    let emu = emulator(false);
    let ctl = emu.control();
    // A 500 may come after the server sent a push: a push-capable request is not re-sent.
    ctl.fail_http(500, 1);
    let e = login(config(&emu, "demo", &[MFA])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HttpStatus);
    assert_eq!(e.http_status(), Some(500));
    ctl.clear_faults();
    // A passcode request can be repeated safely.
    ctl.fail_http(500, 1);
    ctl.fail_http(502, 1);
    login(config(&emu, "demo", &[MFA, ("passcode", BYPASS)])).unwrap();
}

#[test]
fn retries_stop_at_the_deadline() {
    let emu = emulator(false);
    emu.control().fail_http(503, 1000);
    let started = Instant::now();
    let e = login(config(&emu, "demo", &[MFA, ("login_timeout", "1.5")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HttpStatus, "{e}");
    assert!(e.message().contains("gave up after"), "{e}");
    // Behaviour, not speed: the login never outlives its deadline (generous slack for CI).
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn connection_refused_is_a_connect_error_within_the_deadline() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there now
    let mut c = sfmfa::Config::new();
    for (k, v) in [
        ("account", ACCOUNT),
        ("user", "demo"),
        ("password", PASSWORD),
        ("host", "127.0.0.1"),
        ("protocol", "http"),
        ("login_timeout", "1"),
    ] {
        c.set(k, v).unwrap();
    }
    c.set("port", &port.to_string()).unwrap();
    let started = Instant::now();
    let e = login(c).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn malformed_and_incomplete_answers_are_protocol_errors() {
    let emu = emulator(false);
    let ctl = emu.control();
    ctl.malformed_json(1);
    let e = login(config(&emu, "demo", &[MFA, ("passcode", BYPASS)])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(e.sqlstate(), "08S01");
    ctl.incomplete_response(1);
    let e = login(config(&emu, "demo", &[MFA, ("passcode", BYPASS)])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.message().contains("session token"), "{e}");
}

#[test]
fn tls_needs_a_trusted_certificate() {
    let emu = emulator(true);
    // Without the emulator's CA, the built-in web roots do not trust it.
    let mut c = config(&emu, "demo", &[("passcode", BYPASS)]);
    c.set("ca_file", "").unwrap();
    let e = login(c).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.hint().unwrap().contains("ca_file"));
    assert_eq!(emu.control().total_logins(), 0, "nothing was sent");

    // Another emulator's CA does not vouch for this one.
    let other = emulator(true);
    let mut c = config(&emu, "demo", &[("passcode", BYPASS)]);
    c.set("ca_file", other.ca_file().unwrap().to_str().unwrap())
        .unwrap();
    assert_eq!(login(c).unwrap_err().kind(), ErrorKind::Tls);

    // A missing CA file is reported when the client is made.
    let mut c = config(&emu, "demo", &[]);
    c.set("ca_file", "/nonexistent/ca.pem").unwrap();
    let e = sfmfa::Client::new(c).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls);
    assert!(e.message().contains("/nonexistent/ca.pem"));

    // Plain HTTP to a TLS port is not a login answer.
    let mut c = config(
        &emu,
        "demo",
        &[("passcode", BYPASS), ("login_timeout", "2")],
    );
    c.set("protocol", "http").unwrap();
    c.set("host", "127.0.0.1").unwrap();
    c.set("ca_file", "").unwrap();
    assert!(login(c).is_err());
}
