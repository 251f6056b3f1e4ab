//! The Rust workers of `make bench` (bench/bench.py builds this with `cargo bench --no-run` and
//! drives it): one long-lived process per row of the main table, so that start-up is never timed.
//! For each line `run K` on stdin a worker does K logins one after the other and answers one line
//! `ok NS NS ...` (each login's wall time in nanoseconds), or `error WHY`; to `notes` it answers
//! `notes TEXT`, what the row's figures should be read with (empty for most).
//!
//! ```text
//! rows sfmfa [--fresh|--prime] [--expect FACTOR] KEY=VALUE...
//!     sfmfa's `Client::login` with these options; one client for every login, or with --fresh a
//!     new `Client` per login (built inside the timer: a first login, so a full TLS handshake).
//!     The logout (`Session::close`) follows each login outside the timer. --expect checks the
//!     second factor of every timed login (`mfa_token` for the cached-token rows). --prime: one
//!     untimed login first (it stores the MFA token), and the cached token deleted at the end.
//! rows tls --full|--resumed PORT CA_FILE REQUEST_FILE [LOGOUT_FILE]
//!     The TLS floor: rustls (ring, as sfmfa) connects to 127.0.0.1:PORT trusting CA_FILE, writes
//!     REQUEST_FILE (the login request sfmfa sends, captured by bench.py), reads the answer to
//!     its Content-Length and closes the connection. --full: resumption disabled, every login a
//!     full handshake; --resumed: one client configuration (its session cache and tickets) for
//!     every login, as sfmfa keeps. With LOGOUT_FILE (sfmfa's logout request) each login's
//!     session is then logged out on a connection of its own, outside the timer, as the sfmfa rows
//!     log out theirs.
//! rows probe-keyutils
//!     Prints `ok`, or `unavailable: WHY` when the kernel keyutils store cannot be used here.
//! ```
//!
//! Not a benchmark of its own: `cargo bench --bench rows` without arguments prints this usage.

use std::cell::Cell;
use std::io::{BufRead, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::{CertificateDer, IpAddr as PkiIp, ServerName};

const USAGE: &str = "usage: rows sfmfa [--fresh|--prime] [--expect FACTOR] KEY=VALUE... | \
                     rows tls --full|--resumed PORT CA_FILE REQUEST_FILE [LOGOUT_FILE] | \
                     rows probe-keyutils";

/// One timed login; Err says why it failed (the worker answers `error WHY` and goes on).
type Login = Box<dyn FnMut() -> Result<u64, String>>;

/// A row's worker.
struct Worker {
    login: Login,
    /// The answer to `notes`: what the row's figures should be read with (may be empty).
    notes: Box<dyn Fn() -> String>,
    /// What it does once its stdin is closed.
    finish: Box<dyn FnOnce()>,
}

impl Worker {
    fn new(login: Login) -> Self {
        Worker {
            login,
            notes: Box::new(String::new),
            finish: Box::new(|| ()),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench` to every bench target; it is not ours.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--bench")
        .collect();
    let worker = match args.split_first() {
        Some((&"sfmfa", rest)) => sfmfa_worker(rest),
        Some((&"tls", rest)) => tls_worker(rest),
        Some((&"probe-keyutils", _)) => {
            probe_keyutils();
            return;
        }
        _ => {
            eprintln!("{USAGE}");
            return;
        }
    };
    match worker {
        Ok(worker) => {
            let finish = serve(worker);
            finish();
        }
        Err(e) => {
            // Said on stdout too, where bench.py waits for the first answer.
            println!("error {e}");
            std::process::exit(2);
        }
    }
}

/// The worker loop: `run K` → K timed logins → one line; `notes` → `notes TEXT`. Returns the
/// worker's finish once stdin is closed.
fn serve(worker: Worker) -> Box<dyn FnOnce()> {
    let Worker {
        mut login,
        notes,
        finish,
    } = worker;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        let reply = match line.strip_prefix("run ").map(str::parse::<usize>) {
            _ if line == "notes" => format!("notes {}", notes()),
            Some(Ok(k)) => (0..k)
                .map(|_| login())
                .collect::<Result<Vec<u64>, String>>()
                .map(|ns| {
                    let mut s = String::from("ok");
                    for n in ns {
                        s.push(' ');
                        s.push_str(&n.to_string());
                    }
                    s
                })
                .unwrap_or_else(|e| format!("error {e}")),
            _ => "error bad command".to_owned(),
        };
        if writeln!(out, "{reply}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    finish
}

fn sfmfa_worker(args: &[&str]) -> Result<Worker, String> {
    let mut fresh = false;
    let mut prime = false;
    let mut expect: Option<String> = None;
    let mut config = sfmfa::Config::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--fresh" => fresh = true,
            "--prime" => prime = true,
            "--expect" => expect = rest.next().map(|s| (*s).to_owned()),
            kv => {
                let (k, v) = kv.split_once('=').ok_or(format!("not KEY=VALUE: {kv}"))?;
                config.set(k, v).map_err(|e| format!("option {k}: {e}"))?;
            }
        }
    }
    let check = move |session: &sfmfa::Session| -> Result<(), String> {
        let factor = session.second_factor().name();
        match &expect {
            Some(want) if want != factor => Err(format!(
                "second factor {factor}, expected {want} (cache: {:?})",
                session.cache_report()
            )),
            _ => Ok(()),
        }
    };
    let close = |session: sfmfa::Session| -> Result<(), String> {
        // Logged out so that the emulator's sessions do not pile up; outside the timer.
        session.close().map_err(|e| format!("logout: {e}"))
    };
    if fresh {
        let login = move || {
            let t = Instant::now();
            let client = sfmfa::Client::new(config.clone()).map_err(|e| e.to_string())?;
            let session = client.login().map_err(|e| e.to_string())?;
            let ns = t.elapsed().as_nanos() as u64;
            // Dropped after the timer, like the one client of the other rows.
            drop(client);
            check(&session)?;
            close(session)?;
            Ok(ns)
        };
        return Ok(Worker::new(Box::new(login)));
    }
    let client = Arc::new(sfmfa::Client::new(config).map_err(|e| e.to_string())?);
    if prime {
        // The cached-token rows: this first login (a push approved at once) stores the MFA token
        // that every timed login then sends.
        close(client.login().map_err(|e| format!("first login: {e}"))?)?;
    }
    let timed = Arc::clone(&client);
    let login = move || {
        let t = Instant::now();
        let session = timed.login().map_err(|e| e.to_string())?;
        let ns = t.elapsed().as_nanos() as u64;
        check(&session)?;
        close(session)?;
        Ok(ns)
    };
    let finish = move || {
        if prime {
            // No bench token left behind in a persistent store (keyutils outlives the run).
            let _ = client.delete_cached_token();
        }
    };
    Ok(Worker {
        finish: Box::new(finish),
        ..Worker::new(Box::new(login))
    })
}

fn tls_worker(args: &[&str]) -> Result<Worker, String> {
    let (mode, port, ca_file, request_file, logout_file) = match args {
        [m, p, c, r] => (m, p, c, r, None),
        [m, p, c, r, l] => (m, p, c, r, Some(l)),
        _ => return Err(USAGE.to_owned()),
    };
    let full = match *mode {
        "--full" => true,
        "--resumed" => false,
        _ => return Err(USAGE.to_owned()),
    };
    let port: u16 = port.parse().map_err(|_| format!("bad port {port}"))?;
    let pem = std::fs::read(ca_file).map_err(|e| format!("{ca_file}: {e}"))?;
    let request = std::fs::read(request_file).map_err(|e| format!("{request_file}: {e}"))?;
    let logout = match logout_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?),
        None => None,
    };
    let mut roots = rustls::RootCertStore::empty();
    for item in ureq::tls::parse_pem(&pem) {
        if let Ok(ureq::tls::PemItem::Certificate(c)) = item {
            roots
                .add(CertificateDer::from(c.der().to_vec()))
                .map_err(|e| format!("CA: {e}"))?;
        }
    }
    // The provider and versions ureq gives sfmfa (ureq's tls/rustls.rs: ring, ALL_VERSIONS).
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    if full {
        config.resumption = rustls::client::Resumption::disabled();
    }
    let mut floor = TlsFloor {
        config: Arc::new(config),
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        answer: vec![0u8; 65536],
    };
    let mut logins = 0u64;
    // Resumed handshakes the server refused (it had forgotten the session): counted, not failed.
    let unresumed = Rc::new(Cell::new(0u64));
    let count = Rc::clone(&unresumed);
    let login = move || {
        let t = Instant::now();
        let (kind, body) = floor.post(&request)?;
        let ns = t.elapsed().as_nanos() as u64;
        // The row must be what it says: full handshakes, or resumed ones after the first login.
        let resumable = !full && logins > 0;
        logins += 1;
        match kind {
            Some(rustls::HandshakeKind::Full) if resumable => count.set(count.get() + 1),
            Some(rustls::HandshakeKind::Full) => {}
            Some(rustls::HandshakeKind::Resumed) if !full => {}
            _ => return Err(format!("TLS handshake {kind:?}")),
        }
        if let Some(logout) = &logout {
            let request = with_session_token(logout, &floor.answer[body])?;
            floor.post(&request).map_err(|e| format!("logout: {e}"))?;
        }
        Ok(ns)
    };
    let notes = move || match unresumed.get() {
        0 => String::new(),
        n => format!("{n} logins did a full handshake (the server had dropped the session)"),
    };
    Ok(Worker {
        notes: Box::new(notes),
        ..Worker::new(Box::new(login))
    })
}

/// The TLS floor's client: one rustls configuration, the server's address, an answer buffer.
struct TlsFloor {
    config: Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    answer: Vec<u8>,
}

impl TlsFloor {
    /// One request on a new connection, closed before it returns (as sfmfa closes its own): the
    /// handshake's kind, and where the answer's body is in `self.answer`.
    fn post(
        &mut self,
        request: &[u8],
    ) -> Result<(Option<rustls::HandshakeKind>, std::ops::Range<usize>), String> {
        let sock = TcpStream::connect(self.addr).map_err(|e| format!("connect: {e}"))?;
        // ureq's default (no_delay): without it a handshake flight could wait for a delayed ACK.
        sock.set_nodelay(true).map_err(|e| e.to_string())?;
        // sfmfa's https rows use host 127.0.0.1 too (an IP address: no SNI, the IP SAN).
        let name = ServerName::IpAddress(PkiIp::from(std::net::IpAddr::from(Ipv4Addr::LOCALHOST)));
        let conn = rustls::ClientConnection::new(Arc::clone(&self.config), name)
            .map_err(|e| e.to_string())?;
        let mut tls = rustls::StreamOwned::new(conn, sock);
        tls.write_all(request)
            .and_then(|()| tls.flush())
            .map_err(|e| format!("write: {e}"))?;
        let body = read_answer(&mut tls, &mut self.answer)?;
        Ok((tls.conn.handshake_kind(), body))
    }
}

/// `logout` (sfmfa's captured logout request) with the session token of `login_answer` in its
/// `Authorization: Snowflake Token="..."` header.
fn with_session_token(logout: &[u8], login_answer: &[u8]) -> Result<Vec<u8>, String> {
    let key = b"\"token\":\"";
    let at = find(login_answer, key).ok_or("no session token in the login answer")? + key.len();
    let len = find(&login_answer[at..], b"\"").ok_or("unterminated session token")?;
    let header = b"Token=\"";
    let from = find(logout, header).ok_or("no token in the logout request")? + header.len();
    let to = from + find(&logout[from..], b"\"").ok_or("unterminated logout token")?;
    Ok([&logout[..from], &login_answer[at..at + len], &logout[to..]].concat())
}

/// Reads an HTTP answer to its Content-Length; Err unless it is a 200 with `"success":true`, else
/// where its body is in `buf`.
fn read_answer(r: &mut impl Read, buf: &mut [u8]) -> Result<std::ops::Range<usize>, String> {
    let (mut got, mut total) = (0usize, usize::MAX);
    let mut head = 0;
    while got < total {
        if got == buf.len() {
            return Err("answer too long".into());
        }
        let n = r.read(&mut buf[got..]).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("answer cut short".into());
        }
        got += n;
        if head == 0
            && let Some(end) = find(&buf[..got], b"\r\n\r\n")
        {
            head = end + 4;
            let text = String::from_utf8_lossy(&buf[..head]).to_ascii_lowercase();
            let len = text
                .split("\r\n")
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or("no Content-Length")?;
            total = head + len;
        }
    }
    if !buf.starts_with(b"HTTP/1.1 200") {
        return Err("status is not 200".into());
    }
    if find(&buf[head..total], b"\"success\":true").is_none() {
        return Err("the login failed (no \"success\":true)".into());
    }
    Ok(head..total)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(target_os = "linux")]
fn probe_keyutils() {
    match sfmfa::cache::KeystoreCache::keyutils() {
        Ok(_) => println!("ok"),
        Err(e) => println!("unavailable: {}", e.message()),
    }
}

#[cfg(not(target_os = "linux"))]
fn probe_keyutils() {
    println!("unavailable: not Linux");
}
