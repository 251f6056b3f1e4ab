//! Helpers shared by the integration tests: an emulator per test and configurations pointing at it.
#![allow(dead_code)]

use sfmfa::{Config, Progress};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sfmfa_emulator::{Control, Emulator, EmulatorConfig, PushBehaviour, StartOptions, UserConfig};

/// The account of the emulator's embedded default configuration.
pub const ACCOUNT: &str = "xy12345";
/// The password of every user of the embedded default configuration.
pub const PASSWORD: &str = "abc123";
/// A bypass passcode the default users accept.
pub const BYPASS: &str = "987654";

/// Starts an emulator with the embedded default users, over HTTP or HTTPS.
pub fn emulator(tls: bool) -> Emulator {
    Emulator::start(
        EmulatorConfig::embedded_default(),
        StartOptions {
            tls,
            ..StartOptions::default()
        },
    )
    .expect("emulator starts")
}

/// A configuration for `user` of the default account against `emu`, plus `pairs`.
pub fn config(emu: &Emulator, user: &str, pairs: &[(&str, &str)]) -> Config {
    let mut c = Config::new();
    let port = emu.port().to_string();
    let (protocol, host) = if emu.ca_file().is_some() {
        ("https", "localhost")
    } else {
        ("http", "127.0.0.1")
    };
    c.set("account", ACCOUNT).unwrap();
    c.set("user", user).unwrap();
    c.set("password", PASSWORD).unwrap();
    c.set("host", host).unwrap();
    c.set("port", &port).unwrap();
    c.set("protocol", protocol).unwrap();
    c.set("login_timeout", "20").unwrap();
    // Token caching is on by default; tests that count pushes turn it on where they test it.
    c.set("client_store_temporary_credential", "off").unwrap();
    if let Some(ca) = emu.ca_file() {
        c.set("ca_file", ca.to_str().unwrap()).unwrap();
    }
    for (k, v) in pairs {
        c.set(k, v).unwrap();
    }
    c
}

/// Logs in once with a fresh client.
pub fn login(c: Config) -> Result<sfmfa::Session, sfmfa::Error> {
    sfmfa::Client::new(c)?.login()
}

/// Adds `name` to the default account; its pushes wait for the test's answer
/// (`Control::answer_push`) for up to a minute.
pub fn manual_user(ctl: &Control, name: &str) {
    ctl.add_user(
        ACCOUNT,
        UserConfig {
            duo_enrolled: true,
            push: PushBehaviour::Manual,
            push_timeout_ms: Some(60_000),
            ..UserConfig::new(name, PASSWORD)
        },
    );
}

/// Polls `done` every 10 ms for up to 30 s; fails the test with `what` otherwise.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A client whose progress events are collected in the returned list.
pub fn recording(c: Config) -> (sfmfa::Client, Arc<Mutex<Vec<Progress>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let client = sfmfa::Client::new(c)
        .unwrap()
        .with_progress(move |e| sink.lock().unwrap().push(e.clone()));
    (client, events)
}

/// `/proc/net/tcp`'s state of an established connection.
pub const TCP_ESTABLISHED: &str = "01";
/// `/proc/net/tcp`'s state of a connect in progress.
pub const TCP_SYN_SENT: &str = "02";

/// This process's TCP sockets to remote port `port` in `state` (`TCP_ESTABLISHED`,
/// `TCP_SYN_SENT`), as their socket inodes with the /proc/net/tcp line, for messages. Only sockets
/// among this process's descriptors count: other processes of the machine may hold connections to
/// a port of the same number. Keyed by inode because the kernel prints /proc/net/tcp a page at a
/// time without a snapshot: while other threads open and close sockets, one socket's line can be
/// printed twice.
pub fn tcp_sockets_to(port: u16, state: &str) -> std::collections::BTreeMap<String, String> {
    let ours: std::collections::HashSet<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(
                target
                    .strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_owned(),
            )
        })
        .collect();
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let remote_port = cols[2].rsplit(':').next().unwrap();
            (u16::from_str_radix(remote_port, 16).unwrap() == port
                && cols[3] == state
                && ours.contains(cols[9]))
            .then(|| (cols[9].to_owned(), line.trim().to_owned()))
        })
        .collect()
}

/// Reads one HTTP request (head and a Content-Length body) from a test server's connection, waiting
/// at most 10 s per read; returns its body (empty if the connection ended first).
pub fn read_http_request(stream: &mut std::net::TcpStream) -> Vec<u8> {
    use std::io::Read;
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + len {
                return data[end + 4..end + 4 + len].to_vec();
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return Vec::new(),
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}
