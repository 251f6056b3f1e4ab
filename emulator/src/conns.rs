//! The registry of live connections: one descriptor each, idle or busy, oldest idle evicted first.
//!
//! Each connection's `TcpStream` lives once, in an `Arc<Conn>` shared by its thread (which reads
//! and writes through `&TcpStream`) and by the registry (which can `shutdown` it to evict it or to
//! stop the server). No `try_clone`, so a connection costs one file descriptor, not two.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// Waiting for (or still receiving) a request: may be evicted.
const IDLE: u8 = 0;
/// Processing a request or writing its answer (e.g. a push wait): never evicted.
const BUSY: u8 = 1;
/// Shut down by the registry; its thread is on its way out.
const EVICTED: u8 = 2;

/// Descriptors kept free for everything that is not a connection (stdio, the listener, files).
fn headroom(limit: usize) -> usize {
    (limit / 8).clamp(16, 256)
}

/// The default cap on connections: the soft `RLIMIT_NOFILE` minus some headroom, read from
/// `/proc/self/limits` (std has no getrlimit and the workspace denies unsafe code). None when
/// unknown or unlimited; accept() failing with EMFILE is then the only brake.
pub(crate) fn default_cap() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse::<usize>()
        .ok()?;
    Some(soft.saturating_sub(headroom(soft)).max(1))
}

/// One live connection.
pub(crate) struct Conn {
    stream: TcpStream,
    phase: AtomicU8,
    /// When it last became idle, in ms since the registry's epoch.
    idle_since: AtomicU64,
}

impl Conn {
    /// The socket (for timeouts and options; reads and writes go through [`ConnIo`]).
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// A request has arrived: false when the connection was evicted meanwhile (then close it).
    pub(crate) fn begin_request(&self) -> bool {
        self.phase
            .compare_exchange(IDLE, BUSY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// The answer is written; waiting for the next request. False when evicted meanwhile.
    pub(crate) fn end_request(&self, now_ms: u64) -> bool {
        self.idle_since.store(now_ms, Ordering::SeqCst);
        self.phase
            .compare_exchange(BUSY, IDLE, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    fn is_evicted(&self) -> bool {
        self.phase.load(Ordering::SeqCst) == EVICTED
    }

    /// Evicts it if it is idle; true when it was.
    fn evict_if_idle(&self) -> bool {
        let won = self
            .phase
            .compare_exchange(IDLE, EVICTED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if won {
            let _ = self.stream.shutdown(Shutdown::Both);
        }
        won
    }
}

/// Reads and writes through the shared stream (`&TcpStream` is `Read + Write`): no second descriptor.
pub(crate) struct ConnIo(pub(crate) Arc<Conn>);

impl Read for ConnIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.0.stream).read(buf)
    }
}

impl Write for ConnIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.0.stream).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        (&self.0.stream).flush()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Live connections and their threads.
pub(crate) struct Connections {
    live: Mutex<HashMap<u64, Arc<Conn>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_id: AtomicU64,
    epoch: Instant,
    cap: usize,
}

impl Connections {
    /// A registry that keeps at most `cap` connections that are not being evicted.
    pub(crate) fn new(cap: usize) -> Connections {
        Connections {
            live: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
            cap: cap.max(1),
        }
    }

    /// Milliseconds since the registry was made.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Registers a fresh connection, idle (it has not sent a request yet).
    pub(crate) fn add(&self, stream: TcpStream) -> (u64, Arc<Conn>) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let conn = Arc::new(Conn {
            stream,
            phase: AtomicU8::new(IDLE),
            idle_since: AtomicU64::new(self.now_ms()),
        });
        lock(&self.live).insert(id, conn.clone());
        (id, conn)
    }

    /// Forgets a connection whose thread is done (its descriptor closes with the last `Arc`).
    pub(crate) fn remove(&self, id: u64) {
        lock(&self.live).remove(&id);
    }

    /// Connections that are not being evicted.
    pub(crate) fn count(&self) -> usize {
        lock(&self.live)
            .values()
            .filter(|c| !c.is_evicted())
            .count()
    }

    /// True when a new connection would go past the cap.
    pub(crate) fn at_cap(&self) -> bool {
        self.count() >= self.cap
    }

    /// Shuts down up to `n` idle connections, the longest idle first; returns how many.
    /// Busy ones (a login in progress, a push wait) are never touched.
    pub(crate) fn evict_oldest_idle(&self, n: usize) -> usize {
        let live = lock(&self.live);
        let mut idle: Vec<&Arc<Conn>> = live
            .values()
            .filter(|c| c.phase.load(Ordering::SeqCst) == IDLE)
            .collect();
        idle.sort_by_key(|c| c.idle_since.load(Ordering::SeqCst));
        idle.into_iter()
            .filter(|c| c.evict_if_idle())
            .take(n)
            .count()
    }

    /// Keeps a connection thread's handle (finished ones are dropped).
    pub(crate) fn keep_thread(&self, h: JoinHandle<()>) {
        let mut threads = lock(&self.threads);
        threads.retain(|h| !h.is_finished());
        threads.push(h);
    }

    /// Stops: shuts down every connection (unblocking reads and push waits), joins the threads.
    pub(crate) fn close_all_and_join(&self) {
        for c in lock(&self.live).values() {
            let _ = c.stream.shutdown(Shutdown::Both);
        }
        let threads: Vec<_> = lock(&self.threads).drain(..).collect();
        for h in threads {
            let _ = h.join();
        }
        lock(&self.live).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair(l: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
        let (server, _) = l.accept().expect("accept");
        (client, server)
    }

    fn closed(client: &mut TcpStream) -> bool {
        client
            .set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .ok();
        matches!(client.read(&mut [0u8; 1]), Ok(0))
    }

    #[test]
    fn evicts_the_oldest_idle_and_never_a_busy_one() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let reg = Connections::new(2);
        let mut clients = Vec::new();
        let mut conns = Vec::new();
        for i in 0..3 {
            let (c, s) = pair(&l);
            let (_, conn) = reg.add(s);
            conn.idle_since.store(10 - i, Ordering::SeqCst); // the last one added is the oldest
            clients.push(c);
            conns.push(conn);
        }
        assert!(reg.at_cap());
        // The oldest idle one is busy now: it is skipped.
        assert!(conns[2].begin_request());
        assert_eq!(reg.evict_oldest_idle(1), 1);
        assert!(conns[1].is_evicted(), "the oldest idle goes first");
        assert!(!conns[0].is_evicted() && !conns[2].is_evicted());
        assert!(closed(&mut clients[1]));
        assert_eq!(reg.count(), 2);
        // An evicted connection cannot start a request; a busy one is never evicted.
        assert!(!conns[1].begin_request());
        assert_eq!(reg.evict_oldest_idle(5), 1);
        assert!(!conns[2].is_evicted());
        assert_eq!(reg.evict_oldest_idle(5), 0);
        // Back to idle, it can go.
        assert!(conns[2].end_request(reg.now_ms()));
        assert_eq!(reg.evict_oldest_idle(5), 1);
        assert!(!conns[2].end_request(reg.now_ms()));
    }

    #[test]
    fn the_default_cap_leaves_headroom() {
        assert_eq!(headroom(64), 16);
        assert_eq!(headroom(1024), 128);
        assert_eq!(headroom(1 << 20), 256);
        if let Some(cap) = default_cap() {
            assert!(cap >= 1);
        }
    }
}
