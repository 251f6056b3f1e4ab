//! The running server: a 127.0.0.1 listener, one thread per connection, keep-alive, clean stop.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::EmulatorConfig;
use crate::conns::{self, Conn, ConnIo, Connections};
use crate::control::Control;
use crate::http::{self, ReadError, Reply, Response};
use crate::router;
use crate::state::State;
use crate::tls;

/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A client that does not read its answer is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The first pause of the accept loop when it cannot take a connection (no descriptor left,
/// every connection busy); it doubles up to `MAX_BACKOFF` and resets on success.
const MIN_BACKOFF: Duration = Duration::from_millis(10);
/// The longest pause of the accept loop.
const MAX_BACKOFF: Duration = Duration::from_millis(100);
/// How many idle connections go at once when accept() runs out of descriptors.
const EVICT_ON_EXHAUSTION: usize = 8;

/// How to start the emulator.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Port on 127.0.0.1; 0 = an ephemeral port.
    pub port: u16,
    /// Serve HTTPS with a certificate made at start-up.
    pub tls: bool,
    /// Where to write the CA PEM (TLS only); None = a temporary file owned (and deleted) by the Emulator.
    pub ca_file: Option<PathBuf>,
    /// At most this many open connections; at the cap the longest idle one is closed for a new
    /// one, and when all are busy new ones wait in the listen backlog. None = the soft file
    /// limit (`RLIMIT_NOFILE`) minus some headroom, or no cap when the limit is unknown.
    pub max_connections: Option<usize>,
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// What every thread of one emulator shares.
struct Shared {
    state: Arc<State>,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    conns: Connections,
    stopped: (Mutex<bool>, Condvar),
}

impl Shared {
    /// Asks the accept loop to stop (it then closes connections and joins threads).
    fn request_stop(&self) {
        self.state.set_stopping();
        // Wake the blocking accept(). Out of descriptors, free some first (the accept loop also
        // looks at the flag between its pauses, so this is only for a blocked accept()).
        for _ in 0..10 {
            if TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok() {
                return;
            }
            self.conns.evict_oldest_idle(EVICT_ON_EXHAUSTION);
            std::thread::sleep(MIN_BACKOFF);
        }
    }
}

/// A running emulator. Stops (threads joined, port freed) on `shutdown` or drop.
pub struct Emulator {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
    ca_file: Option<PathBuf>,
    ca_owned: bool,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn temp_ca_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "sfmfa-emulator-ca-{}-{}.pem",
        std::process::id(),
        crate::random::hex(6)
    ))
}

impl Emulator {
    /// Binds 127.0.0.1:`opts.port` and starts serving `cfg`.
    pub fn start(cfg: EmulatorConfig, opts: StartOptions) -> io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", opts.port))?;
        let addr = listener.local_addr()?;
        let (tls_cfg, ca_file, ca_owned) = if opts.tls {
            let setup = tls::make()?;
            let (path, owned) = match opts.ca_file {
                Some(p) => (p, false),
                None => (temp_ca_path(), true),
            };
            std::fs::write(&path, setup.ca_pem.as_bytes())?;
            (Some(setup.config), Some(path), owned)
        } else {
            (None, None, false)
        };
        let shared = Arc::new(Shared {
            state: Arc::new(State::new(&cfg)),
            addr,
            tls: tls_cfg,
            conns: Connections::new(
                opts.max_connections
                    .or_else(conns::default_cap)
                    .unwrap_or(usize::MAX),
            ),
            stopped: (Mutex::new(false), Condvar::new()),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("sfmfa-emulator-accept".into())
            .spawn(move || accept_loop(listener, s))?;
        Ok(Emulator {
            shared,
            accept: Some(accept),
            ca_file,
            ca_owned,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.shared.addr.port()
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS.
    pub fn base_url(&self) -> String {
        if self.shared.tls.is_some() {
            format!("https://localhost:{}", self.port())
        } else {
            format!("http://127.0.0.1:{}", self.port())
        }
    }

    /// The PEM file of the CA that signed the server certificate (TLS only).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// A handle to the shared state.
    pub fn control(&self) -> Control {
        Control::new(self.shared.state.clone())
    }

    /// Waits until the emulator has stopped (e.g. after `POST /control/shutdown`), at most
    /// `timeout` when given. Returns true when it has stopped.
    pub fn wait_stopped(&self, timeout: Option<Duration>) -> bool {
        let (m, cv) = &self.shared.stopped;
        let g = lock(m);
        let g = match timeout {
            Some(t) => match cv.wait_timeout_while(g, t, |stopped| !*stopped) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            },
            None => match cv.wait_while(g, |stopped| !*stopped) {
                Ok(g) => g,
                Err(e) => e.into_inner(),
            },
        };
        *g
    }

    /// Stops the server: no new connections, open ones closed, threads joined, port freed.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.request_stop();
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        if self.ca_owned
            && let Some(p) = &self.ca_file
        {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True for accept() errors that mean "out of descriptors or memory": free some and wait.
fn is_exhaustion(e: &io::Error) -> bool {
    // EMFILE, ENFILE, ENOBUFS, ENOMEM (Linux numbers; std names none of the first three).
    matches!(e.raw_os_error(), Some(24 | 23 | 105 | 12)) || e.kind() == io::ErrorKind::OutOfMemory
}

/// Errors about one pending connection only (it went away): take the next one at once.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// The accept loop's pause: short when something was freed (its thread closes it within
/// moments), else twice as long as the last one, up to `MAX_BACKOFF`.
fn pause(freed: usize, backoff: &mut Duration) {
    if freed > 0 {
        *backoff = MIN_BACKOFF;
    }
    std::thread::sleep(*backoff);
    if freed == 0 {
        *backoff = (*backoff * 2).min(MAX_BACKOFF);
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let conns = &shared.conns;
    let mut backoff = MIN_BACKOFF;
    while !shared.state.is_stopping() {
        // At the cap: make room by closing the longest idle connection; when every connection
        // is busy (push waits), leave new clients in the listen backlog until one is done.
        if conns.at_cap() && conns.evict_oldest_idle(1) == 0 {
            pause(0, &mut backoff);
            continue;
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if is_per_connection(&e) => continue,
            Err(e) if is_exhaustion(&e) => {
                // EMFILE & co. would fail again at once: do not spin, free descriptors.
                let freed = conns.evict_oldest_idle(EVICT_ON_EXHAUSTION);
                pause(freed, &mut backoff);
                continue;
            }
            Err(_) => {
                pause(0, &mut backoff);
                continue;
            }
        };
        backoff = MIN_BACKOFF;
        if shared.state.is_stopping() {
            break;
        }
        let (id, conn) = conns.add(stream);
        let s = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("sfmfa-emulator-conn".into())
            .spawn(move || {
                serve_connection(&s, &conn);
                drop(conn);
                s.conns.remove(id);
            });
        match spawned {
            Ok(h) => conns.keep_thread(h),
            Err(_) => {
                // Out of threads: the closure (and its Arc) is gone; forget the connection, which
                // closes it, and free idle ones before trying again.
                conns.remove(id);
                let freed = conns.evict_oldest_idle(EVICT_ON_EXHAUSTION);
                pause(freed, &mut backoff);
            }
        }
    }
    drop(listener);
    // Unblock every connection (reads and push waits), then join them.
    conns.close_all_and_join();
    let (m, cv) = &shared.stopped;
    *lock(m) = true;
    cv.notify_all();
}

fn serve_connection(shared: &Arc<Shared>, conn: &Arc<Conn>) {
    let tcp = conn.stream();
    let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = tcp.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = tcp.set_nodelay(true);
    let io = ConnIo(conn.clone());
    let mut stream: Box<dyn Stream> = match &shared.tls {
        Some(cfg) => match rustls::ServerConnection::new(cfg.clone()) {
            Ok(mut c) => {
                // The handshake first (rather than on the first read), so that its kind is known
                // and counted: full, or a resumed session (Control::tls_handshakes).
                let mut io = io;
                while c.is_handshaking() {
                    if c.complete_io(&mut io).is_err() {
                        return;
                    }
                }
                let resumed = c.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
                {
                    let mut g = shared.state.lock();
                    if resumed {
                        g.tls_resumed_handshakes += 1;
                    } else {
                        g.tls_full_handshakes += 1;
                    }
                }
                Box::new(rustls::StreamOwned::new(c, io))
            }
            Err(_) => return,
        },
        None => Box::new(io),
    };
    let mut buf = Vec::new();
    loop {
        if shared.state.is_stopping() {
            return;
        }
        let req = match http::read_request(&mut stream, &mut buf) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, msg)) => {
                let resp = Response::json(
                    status,
                    &serde_json::json!({"data": null, "code": null, "message": msg, "success": false}),
                );
                let _ = http::write_response(&mut stream, &resp, false);
                return;
            }
        };
        // Busy from here until the answer is written: never evicted (a push wait included).
        if !conn.begin_request() {
            return;
        }
        match router::route(&shared.state, &req) {
            Reply::Drop => return,
            Reply::Send(resp) => {
                let keep = req.keep_alive && !shared.state.is_stopping();
                if http::write_response(&mut stream, &resp, keep).is_err() || !keep {
                    return;
                }
                if !conn.end_request(shared.conns.now_ms()) {
                    return;
                }
            }
            Reply::SendThenStop(resp) => {
                let _ = http::write_response(&mut stream, &resp, false);
                drop(stream);
                // The registry still holds the socket: close our side now, as a drop used to.
                let _ = tcp.shutdown(Shutdown::Both);
                shared.request_stop();
                return;
            }
        }
    }
}
