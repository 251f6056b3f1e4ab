//! A login through an HTTP CONNECT proxy of the environment: the request goes through the tunnel,
//! and "sent" (PasscodeSent, PushSent) is reported for the request, once it is written — not when
//! the CONNECT to the proxy is (ureq makes the proxy's connection through the same connector).
//!
//! The proxy here answers a CONNECT only after a pause, and the test records whether it had
//! answered when the event came: a report at the CONNECT would come during the pause.
//! Its own test binary: it sets ALL_PROXY for the whole process.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use sfmfa::Progress;

/// What the proxy saw.
#[derive(Default)]
struct Seen {
    /// CONNECT lines, in order.
    connects: Mutex<Vec<String>>,
    /// Set right before the proxy answers a CONNECT.
    answered: AtomicBool,
    /// Bytes relayed from the client to the server.
    relayed: AtomicUsize,
}

/// A CONNECT proxy on loopback that waits `pause` before it answers a CONNECT, then relays.
fn proxy(listener: TcpListener, pause: Duration, seen: Arc<Seen>) {
    for client in listener.incoming() {
        let Ok(mut client) = client else { return };
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if client.read(&mut byte).unwrap_or(0) == 0 {
                    return;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let line = head.lines().next().unwrap_or_default().to_owned();
            let target = line
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            seen.connects.lock().unwrap().push(line);
            std::thread::sleep(pause);
            let Ok(mut server) = TcpStream::connect(&target) else {
                return;
            };
            seen.answered.store(true, Ordering::SeqCst);
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_err()
            {
                return;
            }
            let (mut client_in, mut server_out) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let up = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    match client_in.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            seen.relayed.fetch_add(n, Ordering::SeqCst);
                            if server_out.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = server_out.shutdown(std::net::Shutdown::Write);
            });
            let _ = std::io::copy(&mut server, &mut client);
            let _ = client.shutdown(std::net::Shutdown::Write);
            let _ = up.join();
        });
    }
}

#[test]
#[allow(unsafe_code)]
fn through_a_connect_proxy_sent_is_reported_for_the_request_not_for_the_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    // SAFETY: no other thread of this test binary runs yet (its only test starts here, before
    // the emulator and the proxy start theirs), so nothing reads the environment concurrently.
    unsafe {
        for name in [
            "NO_PROXY",
            "no_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            std::env::remove_var(name);
        }
        std::env::set_var("ALL_PROXY", &proxy_url);
    }
    let seen = Arc::new(Seen::default());
    {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || proxy(listener, Duration::from_millis(300), seen));
    }
    let emu = emulator(false);

    let answered_at_event: Arc<Mutex<Vec<bool>>> = Arc::default();
    let client = {
        let (answered_at_event, seen) = (Arc::clone(&answered_at_event), Arc::clone(&seen));
        sfmfa::Client::new(config(
            &emu,
            "demo",
            &[
                ("authenticator", "username_password_mfa"),
                ("passcode", BYPASS),
            ],
        ))
        .unwrap()
        .with_progress(move |event| {
            if matches!(event, Progress::PasscodeSent | Progress::PushSent) {
                answered_at_event
                    .lock()
                    .unwrap()
                    .push(seen.answered.load(Ordering::SeqCst));
            }
        })
    };
    let session = client.login().expect("login through the proxy");
    assert!(!session.token().expose().is_empty());

    let connects = seen.connects.lock().unwrap().clone();
    assert_eq!(
        connects,
        [format!("CONNECT 127.0.0.1:{} HTTP/1.1", emu.port())],
        "the login went through the proxy"
    );
    assert!(seen.relayed.load(Ordering::SeqCst) > 0);
    assert_eq!(
        *answered_at_event.lock().unwrap(),
        [true],
        "one report, once the tunnel was up and the request written"
    );
}
