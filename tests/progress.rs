//! Progress events: what a driver shows its user ("check your phone"), in the order they happen.

mod common;

use std::sync::Mutex;

use common::*;
use sfmfa::Progress;

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");

fn names(events: &Mutex<Vec<Progress>>) -> Vec<&'static str> {
    events.lock().unwrap().drain(..).map(|e| e.name()).collect()
}

#[test]
fn push_then_token_stored_then_cached_token() {
    let emu = emulator(false);
    let (client, events) = recording(config(
        &emu,
        "push_approve",
        &[MFA, ON, ("token_cache", "memory")],
    ));
    client.login().unwrap();
    assert_eq!(names(&events), ["push_sent", "token_stored"]);
    client.login().unwrap();
    assert_eq!(names(&events), ["using_cached_token"]);
}

#[test]
fn passcode_and_passcode_in_password() {
    let emu = emulator(false);
    let (client, events) = recording(config(&emu, "demo", &[("passcode", BYPASS)]));
    client.login().unwrap();
    assert_eq!(names(&events), ["passcode_sent", "token_not_cached"]);
    let pip = format!("{PASSWORD}{BYPASS}");
    let (client, events) = recording(config(
        &emu,
        "demo",
        &[("password", &pip), ("passcode_in_password", "on")],
    ));
    client.login().unwrap();
    assert_eq!(names(&events), ["passcode_sent", "token_not_cached"]);
}

#[test]
fn caching_off_says_why() {
    let emu = emulator(false);
    let (client, events) = recording(config(&emu, "push_approve", &[MFA]));
    client.login().unwrap();
    let events = events.lock().unwrap();
    match events.last() {
        Some(Progress::TokenNotCached { reason }) => {
            assert!(
                reason.contains("client_store_temporary_credential"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_retry_is_announced_with_its_attempt_and_delay() {
    let emu = emulator(false);
    emu.control().fail_http(503, 1);
    let (client, events) = recording(config(&emu, "push_approve", &[]));
    client.login().unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events[0], Progress::PushSent);
    match &events[1] {
        Progress::Retrying {
            attempt,
            delay,
            reason,
        } => {
            assert_eq!(*attempt, 2);
            assert!(!delay.is_zero());
            assert!(reason.contains("503"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_panicking_callback_does_not_break_the_login() {
    let emu = emulator(false);
    let client = sfmfa::Client::new(config(&emu, "push_approve", &[]))
        .unwrap()
        .with_progress(|_| panic!("a careless callback"));
    assert!(client.login().is_ok());
}

#[test]
fn connection_string_warnings_come_first() {
    let emu = emulator(false);
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account={ACCOUNT}&user=push_approve&password={PASSWORD}&protocol=http&passcodeInPasword=on",
        emu.port()
    );
    let c = sfmfa::Config::from_connection_string(&url).unwrap();
    let (client, events) = recording(c);
    client.login().unwrap();
    let events = events.lock().unwrap();
    match &events[0] {
        Progress::Warning { message } => {
            assert!(message.contains("passcodeInPasword"), "{message}");
            assert!(
                message.contains("passcode_in_password"),
                "names the nearest: {message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!events.iter().any(|e| e.to_string().contains(PASSWORD)));
}

/// A port nothing listens on (bound, then closed again).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_refused_connection_reports_no_push_and_no_passcode_sent() {
    for pairs in [
        &[MFA][..],
        &[MFA, ("passcode", BYPASS)][..],
        &[
            ("passcode_in_password", "on"),
            ("password", &format!("{PASSWORD}{BYPASS}")),
        ][..],
    ] {
        let mut c = sfmfa::Config::new();
        for (k, v) in [
            ("account", ACCOUNT),
            ("user", "push_approve"),
            ("password", PASSWORD),
            ("host", "127.0.0.1"),
            ("protocol", "http"),
            ("login_timeout", "1"),
            ("client_store_temporary_credential", "off"),
        ]
        .iter()
        .chain(pairs)
        {
            c.set(k, v).unwrap();
        }
        c.set("port", &closed_port().to_string()).unwrap();
        let (client, events) = recording(c);
        let e = client.login().unwrap_err();
        assert_eq!(e.kind(), sfmfa::ErrorKind::Connect, "{e}");
        let seen = names(&events);
        assert!(
            !seen.contains(&"push_sent") && !seen.contains(&"passcode_sent"),
            "{pairs:?}: {seen:?}"
        );
    }
}

#[test]
fn push_sent_comes_before_the_outcome_of_the_push() {
    // The push is denied: the event still comes (the request was written), then the failure.
    let emu = emulator(false);
    let (client, events) = recording(config(&emu, "push_deny", &[MFA]));
    let e = client.login().unwrap_err();
    assert!(e.server_code().is_some(), "{e}");
    assert_eq!(names(&events), ["push_sent"]);
}
