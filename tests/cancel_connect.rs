//! Cancelling a login whose TCP connect hangs (Linux: the login's socket is registered for the
//! cancel before it connects). The server is a listener whose accept queue is full, so the
//! kernel drops the login's SYN and the connect would wait for its own timeout (10 s); the cancel
//! must end it promptly. The bound on "promptly" (2 s) is far above what a cancel takes.
#![cfg(target_os = "linux")]

mod common;

use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::wait_until;
use sfmfa::ErrorKind;

const PROMPTLY: Duration = Duration::from_secs(2);

/// A loopback listener with an accept queue of one (std listens with the system's maximum),
/// never accepting.
#[allow(unsafe_code)]
fn small_listener() -> (OwnedFd, SocketAddr) {
    // SAFETY: socket(2) takes no pointers; the result is checked before it is owned.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` was just returned by socket(2) and is owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut sa = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    let mut len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: `sa` is a valid sockaddr_in of `len` bytes, alive across the call.
    let rc = unsafe { libc::bind(fd.as_raw_fd(), (&raw const sa).cast(), len) };
    assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
    // SAFETY: listen(2) takes no pointers.
    let rc = unsafe { libc::listen(fd.as_raw_fd(), 0) };
    assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
    // SAFETY: `sa` has room for a sockaddr_in and `len` says so.
    let rc = unsafe { libc::getsockname(fd.as_raw_fd(), (&raw mut sa).cast(), &raw mut len) };
    assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
    let addr = SocketAddr::from(([127, 0, 0, 1], u16::from_be(sa.sin_port)));
    (fd, addr)
}

/// This process's sockets whose connect to `port` is in progress.
fn connecting_to(port: u16) -> usize {
    common::tcp_sockets_to(port, common::TCP_SYN_SENT).len()
}

#[test]
fn a_login_whose_connect_hangs_is_cancelled_promptly() {
    let (_listener, addr) = small_listener();
    // Fill the queue: once a connect times out, the next SYN is dropped too.
    let mut queued = Vec::new();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => queued.push(s),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
            Err(e) => panic!("filling the queue: {e}"),
        }
        assert!(queued.len() < 16, "the listen queue does not fill up");
    }
    wait_until("the probe's SYN_SENT socket is gone", || {
        connecting_to(addr.port()) == 0
    });

    let mut config = sfmfa::Config::new();
    for (k, v) in [
        ("account", common::ACCOUNT),
        ("user", "hanging_connect"),
        ("password", common::PASSWORD),
        ("host", "127.0.0.1"),
        ("port", &addr.port().to_string()),
        ("protocol", "http"),
        ("login_timeout", "60"),
        ("client_store_temporary_credential", "off"),
    ] {
        config.set(k, v).unwrap();
    }
    let client = Arc::new(sfmfa::Client::new(config).unwrap());
    let login = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || (client.login(), Instant::now()))
    };
    wait_until("the login's connect is in progress", || {
        connecting_to(addr.port()) == 1
    });
    let cancelled_at = Instant::now();
    assert_eq!(client.cancel(), 1);
    let (result, returned_at) = login.join().unwrap();
    let took = returned_at.saturating_duration_since(cancelled_at);
    assert_eq!(result.err().map(|e| e.kind()), Some(ErrorKind::Cancelled));
    assert!(took < PROMPTLY, "cancel took {took:?}");
    assert_eq!(
        connecting_to(addr.port()),
        0,
        "the login's socket is closed"
    );
}
