//! HTTPS logins of one client share one TLS configuration, with its session store: the second
//! login to the emulator resumes the TLS session of the first instead of a full handshake, while
//! every request still has the login's deadline (the login itself succeeds as before).

mod common;

use common::*;

#[test]
fn the_second_https_login_resumes_the_tls_session() {
    let emu = emulator(true);
    let ctl = emu.control();
    let client = sfmfa::Client::new(config(&emu, "plain", &[])).expect("a client");

    let session = client.login().expect("first login");
    let (full, resumed) = ctl.tls_handshakes();
    assert!(full >= 1, "the first login made a full handshake");
    session.close().expect("logout");

    let before = ctl.tls_handshakes();
    let session = client.login().expect("second login");
    let after = ctl.tls_handshakes();
    assert_eq!(
        after,
        (before.0, before.1 + 1),
        "the second login's one connection resumed (first login: {full} full, {resumed} resumed)"
    );
    session.close().expect("logout");
    // Every connection after the first resumed: the logouts and the second login.
    assert_eq!(ctl.tls_handshakes().0, 1, "{:?}", ctl.tls_handshakes());

    // Another client has a session store of its own: its first login makes a full handshake.
    let other = sfmfa::Client::new(config(&emu, "plain", &[])).expect("another client");
    let (full_before, _) = ctl.tls_handshakes();
    other
        .login()
        .expect("another client's login")
        .close()
        .expect("logout");
    assert_eq!(ctl.tls_handshakes().0, full_before + 1);
}
