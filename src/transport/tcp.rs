//! The TCP connection of a login request on Linux: a non-blocking socket whose every wait is a
//! `poll` bounded by the request's deadline.
//!
//! ureq's own TCP connection makes the socket blocking after the connect (two `ioctl`s around it),
//! sets `TCP_NODELAY`, and sets `SO_SNDTIMEO` / `SO_RCVTIMEO` to the time left before each write
//! and each read (the time left changes every time, so each is a `setsockopt`). A login request
//! is one write and (mostly) one read: here the socket is created non-blocking, stays so, and the
//! deadline is applied by the `poll` that waits for the connect and for the answer; a write to a
//! socket whose buffer has room (a login request always fits) waits for nothing. Per plain-HTTP
//! request that is `socket`, `connect`, `poll`, `sendto`, `poll`, `recvfrom`, `close`, against
//! eleven calls through ureq's connection.
//!
//! A direct connection of a request that reports "sent" holds its writes until it next reads, and
//! sends them in one write: over TLS the end of the handshake (ChangeCipherSpec, Finished) and the
//! request leave together (one `sendto` and one packet instead of three). The report that the
//! request was written in full then comes from here, after that write ([`SentSignal`]).
//!
//! `TCP_NODELAY` is set where it matters: at once for TLS (as ureq does: a handshake is writes and
//! reads in turn, where a write may follow bytes of ours the peer has not acknowledged yet), and
//! for plain HTTP only if a second write follows a write with no read between them (a request
//! larger than the output buffer): a single write per request is never held back by Nagle's
//! algorithm.
//!
//! A cancel still closes the socket promptly: each socket is registered with ureq's shutdown before
//! it connects, and `shutdown(2)` wakes a `poll` waiting on it (a read then sees the end of the
//! stream, a connect in progress is aborted) — so unlike ureq's blocking connect, a connect that
//! hangs no longer holds a cancelled login up to its connect timeout.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, ShutdownHandle, Transport,
};
use ureq::{ProxyProtocol, Timeout};

use super::buffers::ZeroedBuffers;

/// The shortest time an address is given to connect when a name has several.
const MIN_PER_ADDRESS: Duration = Duration::from_millis(10);

/// "The request has been written in full", moved down to the socket: a connection that holds its
/// writes until it reads (see [`TcpConnection`]) is the one that knows when the request really
/// left, so the layer above ([`super::WipingTransport`]) arms the signal once it has handed the
/// whole request over, and the connection runs the hook after the write that sends it.
pub(crate) struct SentSignal {
    hook: Mutex<Option<super::SentHook>>,
    armed: AtomicBool,
}

impl SentSignal {
    /// A signal that runs `hook` once.
    pub(crate) fn new(hook: super::SentHook) -> Arc<Self> {
        Arc::new(SentSignal {
            hook: Mutex::new(Some(hook)),
            armed: AtomicBool::new(false),
        })
    }

    /// The whole request has been handed to the connection: the hook runs after its next write.
    pub(crate) fn arm(&self) {
        self.armed.store(true, Ordering::Release);
    }

    /// Runs the hook (once) if the request was handed over and everything is written.
    fn fire_if_armed(&self) {
        if self.armed.load(Ordering::Acquire) {
            let hook = match self.hook.lock() {
                Ok(mut hook) => hook.take(),
                Err(e) => e.into_inner().take(),
            };
            if let Some(hook) = hook {
                hook();
            }
        }
    }
}

thread_local! {
    /// The signal of the connection being made on this thread, from [`offer`] to the
    /// [`TcpConnector`] that takes it (or to [`withdraw`]).
    static OFFERED: RefCell<Option<Arc<SentSignal>>> = const { RefCell::new(None) };
}

/// Offers `signal` to the connection the chain is about to make on this thread: a direct TCP
/// connection takes it (and holds its writes until it reads); a proxy's does not.
pub(crate) fn offer(signal: Arc<SentSignal>) {
    OFFERED.with(|o| *o.borrow_mut() = Some(signal));
}

/// Ends the offer: `true` if a connection took the signal (it then runs the hook), `false` if none
/// did (the caller runs it).
pub(crate) fn withdraw() -> bool {
    OFFERED.with(|o| o.borrow_mut().take()).is_none()
}

/// Opens the TCP connection of a request (unless an earlier connector of the chain, a proxy's,
/// already did).
#[derive(Debug, Default)]
pub(crate) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpConnection>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() {
            return Ok(chained.map(Either::A));
        }
        if let Some(proxy) = details.config.proxy()
            && !matches!(proxy.protocol(), ProxyProtocol::Http | ProxyProtocol::Https)
        {
            // As ureq without its socks feature: the environment's SOCKS proxy is not used.
            log::warn!("a SOCKS proxy is configured in the environment; sfmfa connects directly");
        }
        if details.timeout.after.is_zero() {
            return Err(ureq::Error::Timeout(details.timeout.reason));
        }
        let start = Instant::now();
        let budget = details.timeout.not_zero().map(|t| *t);
        let addrs: Vec<SocketAddr> = details.addrs.iter().copied().collect();
        // Each socket is registered before it connects, so a cancel (ureq's shutdown) also ends
        // a connect in progress.
        let register = |stream: &Arc<TcpStream>| {
            (details.register_shutdown)(Arc::downgrade(stream) as Weak<dyn ShutdownHandle>)
        };
        let stream = connect_any(&addrs, start, budget, details.timeout.reason, &register)?;
        let nodelay = details.needs_tls() && details.config.no_delay();
        if nodelay {
            stream.set_nodelay(true)?;
        }
        let connection = TcpConnection {
            stream,
            buffers: HeldBuffers {
                inner: ZeroedBuffers::new(
                    details.config.input_buffer_size(),
                    details.config.output_buffer_size(),
                ),
                held: 0,
            },
            nodelay: nodelay || !details.config.no_delay(),
            wrote_since_read: false,
            sent: OFFERED.with(|o| o.borrow_mut().take()),
        };
        Ok(Some(Either::B(connection)))
    }
}

/// Tries the addresses in turn, each with half of the time left (the last with all of it), until
/// one connects. The error is that of the last address, as ureq reports it: a connect that ran
/// out of time is `Timeout(Connect)`, or `Timeout(reason)` once the whole budget is spent.
fn connect_any(
    addrs: &[SocketAddr],
    start: Instant,
    budget: Option<Duration>,
    reason: Timeout,
    register: &dyn Fn(&Arc<TcpStream>) -> Result<(), ureq::Error>,
) -> Result<Arc<TcpStream>, ureq::Error> {
    let mut last = None;
    for (i, addr) in addrs.iter().enumerate() {
        let left = budget.map(|b| b.saturating_sub(start.elapsed()));
        if left.is_some_and(|l| l.is_zero()) {
            return Err(ureq::Error::Timeout(reason));
        }
        let this = match left {
            Some(l) if i + 1 < addrs.len() => Some((l / 2).max(MIN_PER_ADDRESS).min(l)),
            other => other,
        };
        let stream = Arc::new(nonblocking_socket(addr)?);
        register(&stream)?;
        match connect_one(&stream, *addr, this) {
            Ok(()) => return Ok(stream),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                if budget.is_some_and(|b| start.elapsed() >= b) {
                    return Err(ureq::Error::Timeout(reason));
                }
                last = Some(ureq::Error::Timeout(Timeout::Connect));
            }
            Err(e) if tries_next_address(&e) => last = Some(ureq::Error::Io(e)),
            Err(e) => return Err(ureq::Error::Io(e)),
        }
    }
    Err(last.unwrap_or_else(|| {
        ureq::Error::Io(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ))
    }))
}

/// A failed connect that concerns this address only (ureq's rule): the next one may work.
fn tries_next_address(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// Connects the non-blocking `stream` to `addr` within `timeout` (`None`: no limit).
fn connect_one(stream: &TcpStream, addr: SocketAddr, timeout: Option<Duration>) -> io::Result<()> {
    let started = Instant::now();
    match sys::connect(stream.as_raw_fd(), &addr) {
        Ok(()) => return Ok(()),
        Err(e)
            if e.raw_os_error() == Some(libc::EINPROGRESS)
                || e.kind() == io::ErrorKind::Interrupted => {}
        Err(e) => return Err(e),
    }
    let revents = wait(stream.as_raw_fd(), libc::POLLOUT, started, timeout)?;
    if revents & (libc::POLLERR | libc::POLLHUP) != 0 {
        return Err(stream
            .take_error()?
            .unwrap_or_else(|| io::Error::other("connect failed")));
    }
    Ok(())
}

/// A TCP socket of `addr`'s family, non-blocking and close-on-exec from the start.
fn nonblocking_socket(addr: &SocketAddr) -> io::Result<TcpStream> {
    let family = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    let fd = sys::socket(family)?;
    Ok(TcpStream::from(fd))
}

/// Waits until `fd` is ready for `events`, at most `timeout` from `started` (`None`: no limit).
/// Returns the events that happened; `TimedOut` when the time ran out first.
fn wait(
    fd: RawFd,
    events: libc::c_short,
    started: Instant,
    timeout: Option<Duration>,
) -> io::Result<libc::c_short> {
    loop {
        let millis = match timeout {
            None => -1,
            Some(t) => {
                let left = t.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                // Rounded up: a wait of 0 ms would spin until the last millisecond.
                let ms = left.as_nanos().div_ceil(1_000_000);
                libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
            }
        };
        match sys::poll(fd, events, millis) {
            Ok(None) => return Err(io::ErrorKind::TimedOut.into()),
            Ok(Some(revents)) => return Ok(revents),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The connection of one request: the socket, ureq's buffers, and whether Nagle's algorithm is
/// already off.
///
/// With a [`SentSignal`] (a direct connection of a request that reports "sent"), writes are held
/// (in the output buffer, after the bytes already held) until the connection next waits for
/// input, then sent in one write: over TLS, the end of the handshake (ChangeCipherSpec, Finished)
/// and the request go in one write and one packet instead of three. The signal's hook runs right
/// after that write, before the wait for the answer.
pub(crate) struct TcpConnection {
    /// In an `Arc` so that ureq's shutdown (a cancel) can close it while a read waits.
    stream: Arc<TcpStream>,
    buffers: HeldBuffers,
    /// `TCP_NODELAY` is set (or must not be).
    nodelay: bool,
    /// A write happened since the last read.
    wrote_since_read: bool,
    /// Writes are held until the next read, and this runs once the request is out.
    sent: Option<Arc<SentSignal>>,
}

/// Room left in the output buffer under which the held bytes are written at once.
const MIN_ROOM: usize = 2 * 1024;

/// ureq's buffers, with the output buffer's first `held` bytes written by ureq (or rustls) and
/// not sent yet: what they write next goes after them.
#[derive(Debug)]
struct HeldBuffers {
    inner: ZeroedBuffers,
    held: usize,
}

impl Buffers for HeldBuffers {
    fn output(&mut self) -> &mut [u8] {
        let held = self.held;
        let output = self.inner.output();
        let start = held.min(output.len());
        &mut output[start..]
    }

    fn input(&self) -> &[u8] {
        self.inner.input()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.inner.input_append_buf()
    }

    fn input_appended(&mut self, amount: usize) {
        self.inner.input_appended(amount);
    }

    fn input_consume(&mut self, amount: usize) {
        self.inner.input_consume(amount);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        let held = self.held;
        let (tmp, output) = self.inner.tmp_and_output();
        let start = held.min(output.len());
        (tmp, &mut output[start..])
    }

    fn can_use_input(&self) -> bool {
        self.inner.can_use_input()
    }
}

impl TcpConnection {
    /// Writes `output[start..end]` of the output buffer, waiting (within `timeout`) while the
    /// socket's buffer is full.
    fn send(&mut self, start: usize, end: usize, timeout: &NextTimeout) -> Result<(), ureq::Error> {
        let left = limit(timeout)?;
        if self.wrote_since_read && !self.nodelay {
            // Write after write: Nagle's algorithm could hold this one until the peer
            // acknowledges the last (up to its delayed-ACK time).
            self.stream.set_nodelay(true)?;
            self.nodelay = true;
        }
        self.wrote_since_read = true;
        let started = Instant::now();
        let mut stream = &*self.stream;
        let mut output = &self.buffers.inner.output()[start..end];
        while !output.is_empty() {
            match stream.write(output) {
                Ok(0) => return Err(ureq::Error::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => output = &output[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait(stream.as_raw_fd(), libc::POLLOUT, started, left)
                        .map_err(|e| io_error(e, timeout))?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ureq::Error::Io(e)),
            }
        }
        Ok(())
    }

    /// Writes the held bytes. They count as handed over either way: on failure the connection is
    /// dead, and the buffer's whole length is again what the layer above sees (and wipes).
    fn send_held(&mut self, timeout: &NextTimeout) -> Result<(), ureq::Error> {
        let held = std::mem::take(&mut self.buffers.held);
        if held == 0 {
            return Ok(());
        }
        self.send(0, held, timeout)
    }
}

impl Drop for TcpConnection {
    fn drop(&mut self) {
        // Held bytes never sent (the request failed before its answer was awaited) are outside
        // what the layer above sees of the buffer: wiped here (plain HTTP: the password).
        let held = self.buffers.held;
        if held > 0 {
            let output = self.buffers.inner.output();
            let end = held.min(output.len());
            zeroize::Zeroize::zeroize(&mut output[..end]);
        }
    }
}

impl std::fmt::Debug for TcpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpConnection")
            .field("peer", &self.stream.peer_addr().ok())
            .finish_non_exhaustive()
    }
}

/// ureq's error for an I/O failure of a wait bounded by `timeout`.
fn io_error(e: io::Error, timeout: &NextTimeout) -> ureq::Error {
    if e.kind() == io::ErrorKind::TimedOut {
        ureq::Error::Timeout(timeout.reason)
    } else {
        ureq::Error::Io(e)
    }
}

/// The time a wait may take: `None` for no limit; `Err` when there is none left.
fn limit(timeout: &NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|t| *t))
}

impl Transport for TcpConnection {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        if self.sent.is_none() {
            return self.send(0, amount, &timeout);
        }
        let size = self.buffers.inner.output().len();
        self.buffers.held = (self.buffers.held + amount).min(size);
        if size - self.buffers.held < MIN_ROOM {
            self.send_held(&timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        self.send_held(&timeout)?;
        if let Some(sent) = &self.sent {
            sent.fire_if_armed();
        }
        let left = limit(&timeout)?;
        self.wrote_since_read = false;
        let started = Instant::now();
        let mut stream = &*self.stream;
        loop {
            // Wait first: an answer is rarely there the moment it is asked for.
            wait(stream.as_raw_fd(), libc::POLLIN, started, left)
                .map_err(|e| io_error(e, &timeout))?;
            let input = self.buffers.input_append_buf();
            match stream.read(input) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    return Ok(n > 0);
                }
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ureq::Error::Io(e)),
            }
        }
    }

    fn is_open(&mut self) -> bool {
        // Never asked by sfmfa's connections (they are never pooled); if asked, the honest
        // answer without a probe is "not reusable".
        false
    }
}

/// The system calls std has no safe wrapper for: a socket created non-blocking, a connect that
/// does not wait, `poll`.
#[allow(unsafe_code)]
mod sys {
    use std::io;
    use std::net::SocketAddr;
    use std::os::fd::{FromRawFd, OwnedFd, RawFd};

    /// A new TCP socket of `family`, non-blocking and close-on-exec.
    pub(super) fn socket(family: libc::c_int) -> io::Result<OwnedFd> {
        // SAFETY: socket(2) takes no pointers; the result is checked before it is used.
        let fd = unsafe {
            libc::socket(
                family,
                libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by socket(2), is open and owned by nothing else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// connect(2) of `fd` to `addr` (on a non-blocking socket: `EINPROGRESS` while it runs).
    pub(super) fn connect(fd: RawFd, addr: &SocketAddr) -> io::Result<()> {
        let rc = match addr {
            SocketAddr::V4(a) => {
                let sa = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: `sa` is a valid sockaddr_in that lives across the call, and the length
                // passed is its size.
                unsafe {
                    libc::connect(
                        fd,
                        (&raw const sa).cast::<libc::sockaddr>(),
                        size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    )
                }
            }
            SocketAddr::V6(a) => {
                let sa = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: `sa` is a valid sockaddr_in6 that lives across the call, and the length
                // passed is its size.
                unsafe {
                    libc::connect(
                        fd,
                        (&raw const sa).cast::<libc::sockaddr>(),
                        size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    )
                }
            }
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// poll(2) of one descriptor for `events`, up to `millis` (-1: no limit): the events that
    /// happened, `None` when the time ran out.
    pub(super) fn poll(
        fd: RawFd,
        events: libc::c_short,
        millis: libc::c_int,
    ) -> io::Result<Option<libc::c_short>> {
        let mut pfd = libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        // SAFETY: `pfd` is one valid pollfd that lives across the call, and 1 is the count.
        let rc = unsafe { libc::poll(&raw mut pfd, 1, millis) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((rc > 0).then_some(pfd.revents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::atomic::AtomicUsize;

    fn no_register(_: &Arc<TcpStream>) -> Result<(), ureq::Error> {
        Ok(())
    }

    fn timeout(after: Duration) -> NextTimeout {
        NextTimeout {
            after: after.into(),
            reason: Timeout::Global,
            ..NextTimeout::default()
        }
    }

    /// A connection to `addr` as the connector makes it for plain HTTP.
    fn connection(addr: SocketAddr) -> TcpConnection {
        let stream = connect_any(
            &[addr],
            Instant::now(),
            Some(Duration::from_secs(5)),
            Timeout::Connect,
            &no_register,
        )
        .unwrap();
        TcpConnection {
            stream,
            buffers: HeldBuffers {
                inner: ZeroedBuffers::new(8 * 1024, 8 * 1024),
                held: 0,
            },
            nodelay: false,
            wrote_since_read: false,
            sent: None,
        }
    }

    fn send(c: &mut TcpConnection, bytes: &[u8]) {
        c.buffers.output()[..bytes.len()].copy_from_slice(bytes);
        c.transmit_output(bytes.len(), timeout(Duration::from_secs(5)))
            .unwrap();
    }

    /// A port on loopback where nothing listens.
    fn closed_port() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }

    #[test]
    fn one_write_per_request_keeps_nagle_and_a_write_after_a_write_turns_it_off() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let (mut peer, _) = l.accept().unwrap();
        send(&mut c, b"request");
        assert!(!c.stream.nodelay().unwrap(), "no setsockopt for one write");
        peer.write_all(b"answer").unwrap();
        assert!(c.await_input(timeout(Duration::from_secs(5))).unwrap());
        assert_eq!(c.buffers.input(), b"answer");
        send(&mut c, b"next request");
        assert!(
            !c.stream.nodelay().unwrap(),
            "a read came between the writes"
        );
        send(&mut c, b"rest of it");
        assert!(c.stream.nodelay().unwrap(), "write after write");
        let mut got = vec![0; 29];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(got, b"requestnext requestrest of it");
    }

    #[test]
    fn held_writes_go_in_one_write_at_the_next_read_and_the_armed_hook_runs_after_it() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let (peer, _) = l.accept().unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let peer = Arc::new(Mutex::new(peer));
        let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let hook = {
            let (peer, seen) = (Arc::clone(&peer), Arc::clone(&seen));
            // What the peer has received when the hook runs: the whole request.
            Arc::new(move || {
                let mut got = vec![0; 22];
                peer.lock().unwrap().read_exact(&mut got).unwrap();
                seen.lock().unwrap().push(got);
            })
        };
        let signal = SentSignal::new(hook);
        c.sent = Some(Arc::clone(&signal));

        // A handshake-like exchange before the request: written at the read, no hook.
        send(&mut c, b"hello");
        peer.lock().unwrap().write_all(b"hi").unwrap();
        assert!(c.await_input(timeout(Duration::from_secs(5))).unwrap());
        let mut hello = [0; 5];
        peer.lock().unwrap().read_exact(&mut hello).unwrap();
        assert_eq!(&hello, b"hello");
        assert!(seen.lock().unwrap().is_empty(), "not armed: no hook");

        send(&mut c, b"finished;");
        send(&mut c, b"head;");
        send(&mut c, b"body;end");
        peer.lock().unwrap().set_nonblocking(true).unwrap();
        let mut probe = [0; 1];
        let early = peer.lock().unwrap().read(&mut probe);
        assert!(
            matches!(&early, Err(e) if e.kind() == io::ErrorKind::WouldBlock),
            "held until the read: {early:?}"
        );
        peer.lock().unwrap().set_nonblocking(false).unwrap();
        signal.arm();
        peer.lock().unwrap().write_all(b"answer").unwrap();
        assert!(c.await_input(timeout(Duration::from_secs(5))).unwrap());
        assert_eq!(*seen.lock().unwrap(), [b"finished;head;body;end".to_vec()]);
        assert!(!c.stream.nodelay().unwrap(), "one write: Nagle stays on");
        // Once only.
        send(&mut c, b"more");
        peer.lock().unwrap().write_all(b"x").unwrap();
        assert!(c.await_input(timeout(Duration::from_secs(5))).unwrap());
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn held_writes_larger_than_the_buffer_are_sent_in_order_and_the_hook_runs_once_after_all() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let (mut peer, _) = l.accept().unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        let signal = {
            let ran = Arc::clone(&ran);
            SentSignal::new(Arc::new(move || {
                ran.fetch_add(1, Ordering::SeqCst);
            }))
        };
        c.sent = Some(Arc::clone(&signal));
        // 20 parts of 1000 bytes into an 8 KiB buffer, handed over as much as fits each time
        // (as the layers above do): some are sent before the read.
        let request: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let mut handed = 0;
        while handed < request.len() {
            let output = c.buffers.output();
            let n = output.len().min(1000).min(request.len() - handed);
            output[..n].copy_from_slice(&request[handed..handed + n]);
            c.transmit_output(n, timeout(Duration::from_secs(5)))
                .unwrap();
            handed += n;
        }
        assert_eq!(ran.load(Ordering::SeqCst), 0, "not armed yet");
        signal.arm();
        let reader = std::thread::spawn(move || {
            let mut got = vec![0; 20_000];
            peer.read_exact(&mut got).unwrap();
            peer.write_all(b"ok").unwrap();
            got
        });
        assert!(c.await_input(timeout(Duration::from_secs(5))).unwrap());
        assert_eq!(reader.join().unwrap(), request);
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_held_write_that_fails_runs_no_hook() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let (peer, _) = l.accept().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let signal = {
            let ran = Arc::clone(&ran);
            SentSignal::new(Arc::new(move || ran.store(true, Ordering::SeqCst)))
        };
        c.sent = Some(Arc::clone(&signal));
        send(&mut c, b"request");
        signal.arm();
        // The peer is gone and the socket shut: the held write fails.
        drop(peer);
        let _ = c.stream.shutdown(std::net::Shutdown::Write);
        assert!(c.await_input(timeout(Duration::from_secs(5))).is_err());
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!(c.buffers.held, 0);
    }

    #[test]
    fn a_read_gives_up_at_its_timeout() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let _peer = l.accept().unwrap();
        let e = c
            .await_input(timeout(Duration::from_millis(50)))
            .unwrap_err();
        assert!(matches!(e, ureq::Error::Timeout(Timeout::Global)), "{e:?}");
        // No time left: no wait at all.
        let e = c.await_input(timeout(Duration::ZERO)).unwrap_err();
        assert!(matches!(e, ureq::Error::Timeout(Timeout::Global)), "{e:?}");
    }

    #[test]
    fn a_shutdown_from_another_thread_ends_a_waiting_read() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = connection(l.local_addr().unwrap());
        let _peer = l.accept().unwrap();
        let handle = Arc::downgrade(&c.stream) as Weak<dyn ShutdownHandle>;
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            if let Some(h) = handle.upgrade() {
                h.shutdown();
            }
        });
        // Without the shutdown this would wait the full minute.
        let progress = c.await_input(timeout(Duration::from_secs(60))).unwrap();
        assert!(!progress, "the end of the stream");
        canceller.join().unwrap();
    }

    #[test]
    fn a_refused_connect_is_an_io_error_and_the_next_address_is_tried() {
        let closed = closed_port();
        let e = connect_any(
            &[closed],
            Instant::now(),
            Some(Duration::from_secs(5)),
            Timeout::Connect,
            &no_register,
        )
        .unwrap_err();
        assert!(
            matches!(&e, ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused),
            "{e:?}"
        );
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap();
        let registered = std::sync::Mutex::new(0);
        let register = |_: &Arc<TcpStream>| {
            *registered.lock().unwrap() += 1;
            Ok(())
        };
        let stream = connect_any(
            &[closed, open],
            Instant::now(),
            Some(Duration::from_secs(5)),
            Timeout::Connect,
            &register,
        )
        .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), open);
        assert_eq!(*registered.lock().unwrap(), 2, "every socket is registered");
    }

    #[test]
    fn a_connect_that_cannot_be_registered_is_not_made() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let refuse = |_: &Arc<TcpStream>| {
            Err(ureq::Error::Io(io::Error::new(
                io::ErrorKind::NotConnected,
                "Agent is shut down",
            )))
        };
        let e = connect_any(
            &[l.local_addr().unwrap()],
            Instant::now(),
            Some(Duration::from_secs(5)),
            Timeout::Connect,
            &refuse,
        )
        .unwrap_err();
        assert!(matches!(e, ureq::Error::Io(_)), "{e:?}");
        assert!(l.accept().is_err(), "no connection reached the listener");
    }

    #[test]
    fn a_connect_that_hangs_times_out_and_is_ended_by_a_shutdown() {
        let Some((_listener, addr)) = full_listener() else {
            eprintln!("skipped: could not fill a listen queue here");
            return;
        };
        let e = connect_any(
            &[addr],
            Instant::now(),
            Some(Duration::from_millis(100)),
            Timeout::Connect,
            &no_register,
        )
        .unwrap_err();
        assert!(matches!(e, ureq::Error::Timeout(Timeout::Connect)), "{e:?}");

        let slot: Arc<std::sync::Mutex<Option<Weak<dyn ShutdownHandle>>>> = Arc::default();
        let for_canceller = Arc::clone(&slot);
        let canceller = std::thread::spawn(move || {
            for _ in 0..500 {
                std::thread::sleep(Duration::from_millis(10));
                let handle = for_canceller.lock().unwrap().clone();
                if let Some(h) = handle.and_then(|h| h.upgrade()) {
                    h.shutdown();
                    return;
                }
            }
        });
        let register = |s: &Arc<TcpStream>| {
            *slot.lock().unwrap() = Some(Arc::downgrade(s) as Weak<dyn ShutdownHandle>);
            Ok(())
        };
        // Without the shutdown this would wait the full minute.
        let e = connect_any(
            &[addr],
            Instant::now(),
            Some(Duration::from_secs(60)),
            Timeout::Connect,
            &register,
        )
        .unwrap_err();
        assert!(!matches!(e, ureq::Error::Timeout(_)), "{e:?}");
        canceller.join().unwrap();
    }

    /// A loopback listener whose accept queue is full (a connect to it hangs: the kernel drops
    /// the SYN), with the connections that fill it.
    fn full_listener() -> Option<((OwnedListener, Vec<TcpStream>), SocketAddr)> {
        let listener = OwnedListener::new()?;
        let addr = listener.addr;
        let mut queued = Vec::new();
        for _ in 0..8 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
                Ok(s) => queued.push(s),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    return Some(((listener, queued), addr));
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// A listening socket with a queue of one (std listens with the system's maximum).
    struct OwnedListener {
        _fd: std::os::fd::OwnedFd,
        addr: SocketAddr,
    }

    impl OwnedListener {
        #[allow(unsafe_code)]
        fn new() -> Option<Self> {
            let fd = sys::socket(libc::AF_INET).ok()?;
            let sa = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: 0,
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
                },
                sin_zero: [0; 8],
            };
            let len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
            // SAFETY: `sa` is a valid sockaddr_in of `len` bytes, alive across the call.
            let rc = unsafe { libc::bind(fd.as_raw_fd(), (&raw const sa).cast(), len) };
            // SAFETY: listen(2) takes no pointers.
            if rc != 0 || unsafe { libc::listen(fd.as_raw_fd(), 0) } != 0 {
                return None;
            }
            let mut bound = sa;
            let mut bound_len = len;
            // SAFETY: `bound` has room for a sockaddr_in and `bound_len` says so.
            let rc = unsafe {
                libc::getsockname(fd.as_raw_fd(), (&raw mut bound).cast(), &raw mut bound_len)
            };
            if rc != 0 {
                return None;
            }
            let port = u16::from_be(bound.sin_port);
            Some(OwnedListener {
                _fd: fd,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
            })
        }
    }
}
