//! The head of a login answer may be as large as 16 KiB, though a connection's input buffer
//! starts at 4 KiB and grows only when an answer needs it (src/transport/buffers.rs); beyond
//! 16 KiB the answer is refused as a protocol error. A server on 127.0.0.1 answers with a padded
//! head, over a real socket.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::thread;

use common::*;
use sfmfa::ErrorKind;

/// A successful one-step login answer.
const SUCCESS: &str = r#"{"success":true,"code":null,"message":null,"data":{"token":"session-t","masterToken":"master-t","sessionId":7,"validityInSeconds":3600,"masterValidityInSeconds":14400,"sessionInfo":{"roleName":"PUBLIC"}}}"#;

/// Serves one login on 127.0.0.1: reads the request, answers [`SUCCESS`] with
/// a header of `padding` bytes in its head. Returns the port.
fn padded_server(padding: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        read_http_request(&mut stream);
        let answer = format!(
            "HTTP/1.1 200 OK\r\nX-Padding: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{SUCCESS}",
            "p".repeat(padding),
            SUCCESS.len()
        );
        let _ = stream.write_all(answer.as_bytes());
    });
    port
}

fn login_to(port: u16) -> Result<sfmfa::Session, sfmfa::Error> {
    let mut c = sfmfa::Config::new();
    for (k, v) in [
        ("account", "xy12345"),
        ("user", "demo"),
        ("password", PASSWORD),
        ("authenticator", "username_password_mfa"),
        ("passcode", BYPASS),
        ("host", "127.0.0.1"),
        ("protocol", "http"),
        ("login_timeout", "20"),
        ("client_store_temporary_credential", "off"),
    ] {
        c.set(k, v).unwrap();
    }
    c.set("port", &port.to_string()).unwrap();
    login(c)
}

#[test]
fn a_head_larger_than_the_first_buffer_is_read_in_full() {
    // 12 KiB of head: the input grows from 4 to 8 to 16 KiB while the head is read.
    let session = login_to(padded_server(12 * 1024)).unwrap();
    assert_eq!(session.role(), Some("PUBLIC"));
}

#[test]
fn a_head_larger_than_16_kib_is_refused() {
    let e = login_to(padded_server(17 * 1024)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.message().contains("head is too large"), "{e}");
}
