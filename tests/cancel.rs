//! Cancelling a login from another thread: while it waits for a push, and while it waits for
//! another login of the same user. The bound on "promptly" (2 s) is far above the few
//! milliseconds a cancel takes, so that the test never flakes on a loaded machine.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use sfmfa::{ErrorKind, Progress};

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const ON: (&str, &str) = ("client_store_temporary_credential", "on");
const PROMPTLY: Duration = Duration::from_secs(2);

/// This process's connections to the emulator's `port` that are still open on the client's side.
fn open_connections_to(port: u16) -> std::collections::BTreeMap<String, String> {
    tcp_sockets_to(port, TCP_ESTABLISHED)
}

#[test]
fn a_login_waiting_for_a_push_is_cancelled_promptly_and_its_socket_closed() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "cancel_push");
    // Connections to the port that are not the login's (none expected: a socket left over from
    // another test's emulator that had the same port number would be one) are not its to close.
    let before = open_connections_to(emu.port());
    let logins = || -> std::collections::BTreeMap<String, String> {
        open_connections_to(emu.port())
            .into_iter()
            .filter(|(inode, _)| !before.contains_key(inode))
            .collect()
    };
    let client = Arc::new(
        sfmfa::Client::new(config(
            &emu,
            "cancel_push",
            &[MFA, ON, ("token_cache", "memory"), ("login_timeout", "60")],
        ))
        .unwrap(),
    );
    let login = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || {
            let result = client.login();
            (result, Instant::now())
        })
    };
    wait_until("the push is pending", || {
        ctl.pending_pushes(ACCOUNT, "cancel_push") == 1
    });
    let open = logins();
    assert_eq!(
        open.len(),
        1,
        "the login's connection; {} connection(s) to the port before the login; now: {open:#?}",
        before.len()
    );

    let cancelled_at = Instant::now();
    assert_eq!(client.cancel(), 1, "one login in progress");
    let (result, returned_at) = login.join().unwrap();
    let took = returned_at.saturating_duration_since(cancelled_at);
    let e = result.expect_err("the login is cancelled");
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    assert!(took < PROMPTLY, "cancel took {took:?}");
    let left = logins();
    assert!(left.is_empty(), "the socket is closed: {left:#?}");

    // Even if the push is approved now, nothing reaches the client: no token is stored.
    assert!(ctl.answer_push(ACCOUNT, "cancel_push", true));
    assert!(!client.inspect_cache().unwrap().unwrap().present);
    // The client is still usable: a later login is not affected by the earlier cancel.
    let later = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || client.login())
    };
    wait_until("the next push is pending", || {
        ctl.pending_pushes(ACCOUNT, "cancel_push") == 1
    });
    assert!(ctl.answer_push(ACCOUNT, "cancel_push", true));
    assert!(later.join().unwrap().is_ok());
    assert!(client.inspect_cache().unwrap().unwrap().present);
}

#[test]
fn a_login_waiting_for_another_login_is_cancelled_promptly() {
    let emu = emulator(false);
    let ctl = emu.control();
    manual_user(&ctl, "cancel_wait");
    let pairs = [MFA, ON, ("token_cache", "memory"), ("login_timeout", "60")];
    let first = sfmfa::Client::new(config(&emu, "cancel_wait", &pairs)).unwrap();
    let first_login = std::thread::spawn(move || first.login());
    wait_until("the first push is pending", || {
        ctl.pending_pushes(ACCOUNT, "cancel_wait") == 1
    });

    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = Arc::new(
        sfmfa::Client::new(config(&emu, "cancel_wait", &pairs))
            .unwrap()
            .with_progress(move |event| {
                if *event == Progress::WaitingForOtherLogin {
                    let _ = tx.send(());
                }
            }),
    );
    let waiting_login = {
        let waiter = Arc::clone(&waiter);
        std::thread::spawn(move || (waiter.login(), Instant::now()))
    };
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the second login waits for the first");
    let cancelled_at = Instant::now();
    assert_eq!(waiter.cancel(), 1);
    let (result, returned_at) = waiting_login.join().unwrap();
    let took = returned_at.saturating_duration_since(cancelled_at);
    assert_eq!(result.err().map(|e| e.kind()), Some(ErrorKind::Cancelled));
    assert!(took < PROMPTLY, "cancel took {took:?}");

    // The first login goes on undisturbed.
    assert!(ctl.answer_push(ACCOUNT, "cancel_wait", true));
    assert!(first_login.join().unwrap().is_ok());
    assert_eq!(ctl.push_count(ACCOUNT, "cancel_wait"), 1);
}

#[test]
fn a_cancel_with_no_login_in_progress_does_nothing() {
    let emu = emulator(false);
    let client = sfmfa::Client::new(config(&emu, "push_approve", &[])).unwrap();
    assert_eq!(client.cancel(), 0);
    assert!(client.login().is_ok());
}
