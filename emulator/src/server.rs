//! The running server: a 127.0.0.1 listener, one thread per connection, keep-alive, clean stop.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::EmulatorConfig;
use crate::control::Control;
use crate::http::{self, ReadError, Reply, Response};
use crate::router;
use crate::state::State;
use crate::tls;

/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A client that does not read its answer is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// How to start the emulator.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Port on 127.0.0.1; 0 = an ephemeral port.
    pub port: u16,
    /// Serve HTTPS with a certificate made at start-up.
    pub tls: bool,
    /// Where to write the CA PEM (TLS only); None = a temporary file owned (and deleted) by the Emulator.
    pub ca_file: Option<PathBuf>,
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// Live connections, so that a stop can unblock and join them.
#[derive(Default)]
struct Connections {
    sockets: Mutex<HashMap<u64, TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_id: AtomicU64,
}

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
        // Wake the blocking accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
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
            conns: Connections::default(),
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

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.state.is_stopping() {
            break;
        }
        let Ok(stream) = conn else { continue };
        let id = shared.conns.next_id.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns.sockets).insert(id, clone);
        }
        let s = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("sfmfa-emulator-conn".into())
            .spawn(move || {
                serve_connection(&s, stream);
                lock(&s.conns.sockets).remove(&id);
            });
        let mut threads = lock(&shared.conns.threads);
        threads.retain(|h| !h.is_finished());
        match spawned {
            Ok(h) => threads.push(h),
            Err(_) => {
                // Out of threads: the stream was moved into the failed closure and is closed.
                lock(&shared.conns.sockets).remove(&id);
            }
        }
    }
    drop(listener);
    // Unblock every connection (reads and push waits), then join them.
    for (_, s) in lock(&shared.conns.sockets).drain() {
        let _ = s.shutdown(Shutdown::Both);
    }
    let threads: Vec<_> = lock(&shared.conns.threads).drain(..).collect();
    for h in threads {
        let _ = h.join();
    }
    let (m, cv) = &shared.stopped;
    *lock(m) = true;
    cv.notify_all();
}

fn serve_connection(shared: &Arc<Shared>, tcp: TcpStream) {
    let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = tcp.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = tcp.set_nodelay(true);
    let mut stream: Box<dyn Stream> = match &shared.tls {
        Some(cfg) => match rustls::ServerConnection::new(cfg.clone()) {
            Ok(conn) => Box::new(rustls::StreamOwned::new(conn, tcp)),
            Err(_) => return,
        },
        None => Box::new(tcp),
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
        match router::route(&shared.state, &req) {
            Reply::Drop => return,
            Reply::Send(resp) => {
                let keep = req.keep_alive && !shared.state.is_stopping();
                if http::write_response(&mut stream, &resp, keep).is_err() || !keep {
                    return;
                }
            }
            Reply::SendThenStop(resp) => {
                let _ = http::write_response(&mut stream, &resp, false);
                drop(stream);
                shared.request_stop();
                return;
            }
        }
    }
}
