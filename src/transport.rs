//! HTTP(S) to Snowflake: one fresh connection per request, certificate verification always on, an
//! optional private CA, and errors that say whether the request may have reached the server (which
//! decides whether it may be sent again).
//!
//! The connections come from one connector chain (a CONNECT proxy's tunnel, TCP, TLS: see
//! [`connector_chain`]). Without a proxy in the environment sfmfa writes the request and reads
//! the answer itself (src/transport/http1.rs: a login is one POST on a fresh connection, and
//! ureq's general request machinery was about 40% of a login's instructions); through a proxy,
//! ureq makes the request (its tunnel, `NO_PROXY` and proxy credentials).

use std::io::ErrorKind as IoKind;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout};
use zeroize::{Zeroize, Zeroizing};

use crate::cancel::{InFlight, LoginCancel};
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};
use crate::tls_check::TlsProblem;

mod buffers;
mod http1;
#[cfg(target_os = "linux")]
mod tcp;
mod tls;

/// A connection of ureq's connector chain, as the chain hands it over.
type Connection = Box<dyn ureq::unversioned::transport::Transport>;

/// A connector chain that hands over boxed connections.
type Chain = dyn Connector<(), Out = Connection>;

/// Boxes the connections of the chain `C`.
#[derive(Debug)]
struct Boxing<C>(C);

impl<C: Connector<()>> Connector<()> for Boxing<C> {
    type Out = Connection;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Connection>, ureq::Error> {
        Ok(self
            .0
            .connect(details, chained)?
            .map(ureq::unversioned::transport::Transport::boxed))
    }
}

/// The connector chain of a [`Transport`]: an HTTP CONNECT proxy of the environment (ureq's),
/// TCP (sfmfa's connection on Linux, src/transport/tcp.rs: fewer system calls per request;
/// ureq's elsewhere), then for https sfmfa's TLS with `tls` (src/transport/tls.rs).
fn connector_chain(tls: Arc<rustls::ClientConfig>, host: Option<&str>) -> Arc<Chain> {
    use ureq::unversioned::transport::ConnectProxyConnector;
    #[cfg(target_os = "linux")]
    let tcp = tcp::TcpConnector;
    #[cfg(not(target_os = "linux"))]
    let tcp = ureq::unversioned::transport::TcpConnector::default();
    let chain =
        ().chain(ConnectProxyConnector::default())
            .chain(tcp)
            .chain(tls::TlsConnector::new(tls, host));
    Arc::new(Boxing(chain))
}

/// The longest a connect may take (of what is left of the login's deadline): a host that does not
/// answer is given up on in time for a retry.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A ureq timeout of `after`, reported as `reason` when it runs out.
fn next_timeout(after: Duration, reason: ureq::Timeout) -> NextTimeout {
    NextTimeout {
        after: after.into(),
        reason,
        ..NextTimeout::default()
    }
}

/// Largest answer body accepted; a login answer is a few kilobytes.
const MAX_BODY: u64 = 1 << 20;

/// Largest size of the buffer each transport reads into (ureq's default is 128 KiB). It holds the
/// whole head of an answer (so it is also the largest head accepted: a login answer's is under
/// 1 KiB); the body streams through it. It starts at 4 KiB and doubles only when full
/// (src/transport/buffers.rs): its bytes are zeroed when it is allocated and again (the outermost
/// transport's) when the connection goes, so what it takes is paid twice per request.
const INPUT_BUFFER: usize = 16 * 1024;

/// Size of the buffer each transport writes from (ureq's default is 128 KiB). ureq needs the
/// longest line of a request head to fit (the logout's `Authorization`, with the session token:
/// a few hundred bytes); a login request (1–2 KiB) is sent in one write from it.
const OUTPUT_BUFFER: usize = 8 * 1024;

/// An HTTP answer: status and body (wiped when dropped, it holds session tokens).
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
}

/// A failed attempt, classified by whether the server may have acted on it.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// The request never left: refused, unreachable, DNS, connect timeout. Safe to send again.
    NotSent(Error),
    /// The request may have reached the server (dropped connection, read timeout, garbage answer).
    /// Never sent again: it may have started a Duo push.
    MaybeSent(Error),
    /// Sending again cannot help: TLS trust failure, bad URL.
    Fatal(Error),
}

/// The HTTP client of one `Client`.
///
/// Each request gets an agent of its own (cheap: the connector, with its cached TLS setup, and the
/// resolver, with its cached addresses, are shared), so that cancelling one login shuts down that
/// login's socket and no other.
///
/// The rustls client configuration is the transport's own, built once (src/transport/tls.rs): one
/// session store serves every login of a `Client`, and a second HTTPS login to the same host
/// resumes the TLS session instead of a full handshake.
pub(crate) struct Transport {
    https: bool,
    connector: Arc<Chain>,
    resolver: NameResolver,
    /// The server's address when its host is an IP address: sfmfa's own requests then skip the
    /// resolver (and the parsing of the host) altogether.
    address: Option<SocketAddr>,
    base_url: String,
    /// `base_url` as a URI, for the connector chain of sfmfa's own requests.
    base_uri: ureq::http::Uri,
    /// `host:port` of `base_url`.
    authority: Arc<str>,
    /// The `Host` header: `authority`, without the port when it is the scheme's default.
    host_header: String,
    /// What the connector chain reads of ureq's configuration in sfmfa's own requests (buffer
    /// sizes, `TCP_NODELAY`, no proxy).
    direct_config: ureq::config::Config,
    user_agent: String,
}

/// Called on the login thread once a request has been written to the socket in full (when the
/// transport starts waiting for the answer): what a "push sent" event waits for.
pub(crate) type SentHook = Arc<dyn Fn() + Send + Sync>;

/// The connector chain of a `Transport` ([`connector_chain`]), shared by its agents, with every
/// connection it makes wrapped in a [`WipingTransport`].
#[derive(Clone)]
struct SharedConnector {
    chain: Arc<Chain>,
    /// `host:port` of the server the requests go to: any other connection ureq makes through this
    /// connector is one to a proxy (the tunnel the request then goes through).
    target: Arc<str>,
    /// The hook of the request this connector's agent sends, if any.
    on_sent: Option<SentHook>,
    /// Whether the request's connection gathers what it is handed into one write: ureq hands a
    /// request over in parts (head, then body); sfmfa's own requests (src/transport/http1.rs)
    /// come whole.
    gather: Gather,
}

impl std::fmt::Debug for SharedConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedConnector")
            .field("on_sent", &self.on_sent.is_some())
            .finish_non_exhaustive()
    }
}

impl Connector for SharedConnector {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if details.uri.authority().map(|a| a.as_str()) != Some(&*self.target) {
            // The connection to a proxy, under the request's (tunnelled) one: what passes through
            // is wiped, but written as it comes (the request's transport gathers it) and "sent" is
            // the request's transport's to report, not this one's (its CONNECT is no request).
            let inner = self.chain.connect(details, chained)?;
            return Ok(inner.map(|inner| {
                Box::new(WipingTransport::new(inner, Sent::Here(None), Gather::No)) as Self::Out
            }));
        }
        // On Linux a direct connection takes over "sent" (it holds its writes until it reads, so
        // it is the one that knows when the request left); through a proxy, or elsewhere, the
        // WipingTransport reports it.
        #[cfg(target_os = "linux")]
        let (inner, sent) = match self.on_sent.clone() {
            Some(hook) if details.config.proxy().is_none() => {
                let signal = tcp::SentSignal::new(Arc::clone(&hook));
                tcp::offer(Arc::clone(&signal));
                let inner = self.chain.connect(details, chained);
                let sent = if tcp::withdraw() {
                    Sent::Delegated(signal)
                } else {
                    Sent::Here(Some(hook))
                };
                (inner?, sent)
            }
            _ => (
                self.chain.connect(details, chained)?,
                Sent::Here(self.on_sent.clone()),
            ),
        };
        #[cfg(not(target_os = "linux"))]
        let (inner, sent) = (
            self.chain.connect(details, chained)?,
            Sent::Here(self.on_sent.clone()),
        );
        Ok(
            inner
                .map(|inner| Box::new(WipingTransport::new(inner, sent, self.gather)) as Self::Out),
        )
    }
}

/// A connection of ureq's chain that wipes its buffers when it is dropped, sends each request in
/// one write, reports when the request has been written, and is never kept for another request.
///
/// Wiping: ureq reads the answer into the buffers of the outermost transport (rustls's plaintext
/// side for https, the socket's for http) and writes the request from them: the session and MFA
/// tokens of an answer and the password of a request pass through them. They are plain `Vec`s,
/// freed without being wiped; so they are zeroed here, through the `Buffers` API, before the
/// transport goes. (What rustls keeps inside itself is out of reach: README, "Secrets in memory".)
///
/// One write: ureq writes the head of a request, then its body, each with a write (a system call,
/// and over TLS a record) of its own. Here what ureq hands over is gathered (in `staged`, wiped
/// like the buffers) and the whole request goes in one write when ureq starts waiting for the
/// answer — or earlier, in output-buffer-sized writes, once [`OUTPUT_BUFFER`] bytes are waiting.
/// A request sfmfa writes itself (src/transport/http1.rs) is handed over whole, and goes through
/// as it comes ([`Gather::No`]: no staging, no second copy).
///
/// Sent: on Linux a direct connection holds its writes until it reads (src/transport/tcp.rs), so
/// this transport only arms its signal once the whole request is handed over, and the connection
/// runs the hook after the write that sends it; otherwise the hook runs here.
///
/// Never kept: ureq asks a transport whether it is still open before pooling it, which for TCP
/// costs a non-blocking read probe (three system calls) after every answer. Nothing is pooled here
/// (`max_idle_connections(0)`), so the answer is "no" without asking the socket.
/// Who reports that a request was written in full.
enum Sent {
    /// The [`WipingTransport`], with this hook (if any), when ureq starts waiting for the answer.
    Here(Option<SentHook>),
    /// The connection under it, once armed (src/transport/tcp.rs: it holds writes until it reads).
    #[cfg(target_os = "linux")]
    Delegated(Arc<tcp::SentSignal>),
}

struct WipingTransport {
    inner: Box<dyn ureq::unversioned::transport::Transport>,
    /// The request bytes ureq has handed over and that were not written yet. Its capacity
    /// ([`STAGED_CAPACITY`]) is reserved up front and never exceeded, so it is never reallocated
    /// (a reallocation would leave a copy of the password behind).
    staged: Vec<u8>,
    /// True once any bytes of the request were handed to the socket.
    transmitted: bool,
    on_sent: Sent,
    /// Writes go through as they are handed over: the connection to a proxy, under the request's,
    /// and the connection of a request sfmfa writes itself, in one piece.
    pass_through: bool,
}

/// Whether a [`WipingTransport`] gathers the request it is handed before writing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gather {
    /// Into [`WipingTransport::staged`], written in one piece when the answer is awaited.
    Yes,
    /// Written as handed over.
    No,
}

/// Capacity of [`WipingTransport::staged`]: less than [`OUTPUT_BUFFER`] bytes wait there before a
/// hand-over, and one hand-over brings at most [`OUTPUT_BUFFER`] more.
const STAGED_CAPACITY: usize = 2 * OUTPUT_BUFFER;

impl WipingTransport {
    fn new(
        inner: Box<dyn ureq::unversioned::transport::Transport>,
        on_sent: Sent,
        gather: Gather,
    ) -> Self {
        let gather = gather == Gather::Yes;
        WipingTransport {
            inner,
            staged: if gather {
                Vec::with_capacity(STAGED_CAPACITY)
            } else {
                Vec::new()
            },
            transmitted: false,
            on_sent,
            pass_through: !gather,
        }
    }

    /// Writes the staged bytes, in as few writes of the inner transport as its output buffer
    /// allows (one for any login request), then wipes them.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let result = write_all(
            self.inner.as_mut(),
            &self.staged,
            timeout,
            &mut self.transmitted,
        );
        self.staged.as_mut_slice().zeroize();
        self.staged.clear();
        result
    }
}

/// Writes `bytes` through the output buffer of `transport`, in writes of that buffer's size.
/// `transmitted` is set before the first write (a failed write may still have sent some bytes).
fn write_all(
    transport: &mut dyn ureq::unversioned::transport::Transport,
    bytes: &[u8],
    timeout: NextTimeout,
    transmitted: &mut bool,
) -> Result<(), ureq::Error> {
    let mut sent = 0;
    while sent < bytes.len() {
        let output = transport.buffers().output();
        let n = output.len().min(bytes.len() - sent);
        output[..n].copy_from_slice(&bytes[sent..sent + n]);
        *transmitted = true;
        transport.transmit_output(n, timeout)?;
        sent += n;
    }
    Ok(())
}

impl std::fmt::Debug for WipingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WipingTransport")
            .field("inner", &self.inner)
            .field("staged", &self.staged.len())
            .field("transmitted", &self.transmitted)
            .finish_non_exhaustive()
    }
}

impl ureq::unversioned::transport::Transport for WipingTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.pass_through {
            self.transmitted = true;
            return self.inner.transmit_output(amount, timeout);
        }
        let output = self.inner.buffers().output();
        let amount = amount.min(output.len());
        if self.staged.len() + amount > self.staged.capacity() {
            // Not reached (see STAGED_CAPACITY). The buffer is never grown: the new part is set
            // aside (the flush reuses the output buffer), what waits is written, then the part.
            // (Two writes; the request is still written in order and in full.)
            let part = Zeroizing::new(output[..amount].to_vec());
            self.flush(timeout)?;
            return write_all(self.inner.as_mut(), &part, timeout, &mut self.transmitted);
        } else {
            self.staged.extend_from_slice(&output[..amount]);
        }
        // ureq's copy in the output buffer is overwritten by the next part, or wiped on drop.
        if self.staged.len() >= OUTPUT_BUFFER {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // ureq writes the whole request (headers, then body; sfmfa never sends `Expect:
        // 100-continue`) before it waits for the answer: what is staged is the rest of the
        // request, and once it is written the request has left in full.
        self.flush(timeout)?;
        if self.transmitted {
            match &mut self.on_sent {
                Sent::Here(hook) => {
                    if let Some(hook) = hook.take() {
                        hook();
                    }
                }
                #[cfg(target_os = "linux")]
                Sent::Delegated(signal) => signal.arm(),
            }
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        false
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

impl Drop for WipingTransport {
    fn drop(&mut self) {
        self.staged.as_mut_slice().zeroize();
        wipe_buffers(self.inner.buffers());
    }
}

/// Zeroes both buffers of a ureq transport in full: consuming every pending input byte makes the
/// next `input_append_buf` the whole input buffer (unconsumed, consumed and free parts alike).
fn wipe_buffers(buffers: &mut dyn Buffers) {
    let pending = buffers.input().len();
    buffers.input_consume(pending);
    buffers.input_append_buf().zeroize();
    buffers.output().zeroize();
}

/// Why [`Transport::handshake`] failed.
#[derive(Debug)]
pub(crate) enum HandshakeError {
    /// TLS failed: the cause, and the error a login would report for it.
    Tls(TlsProblem, Error),
    /// No connection (name lookup, refused, timeout).
    Connect(Error),
}

/// A connector that runs the chain of a [`SharedConnector`] (TCP, then TLS for https) and stops
/// there: it records that the connection was made (and whether it is TLS), then fails the request
/// before anything is written, dropping the connection.
#[derive(Debug)]
struct HandshakeOnly {
    chain: SharedConnector,
    connected: Arc<std::sync::OnceLock<bool>>,
}

impl Connector for HandshakeOnly {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = self.chain.connect(details, chained)? {
            let _ = self.connected.set(transport.is_tls());
        }
        Err(ureq::Error::Io(std::io::Error::other(
            "sfmfa: connection checked; nothing is sent",
        )))
    }
}

/// The rustls error inside a ureq error, if TLS is what failed.
fn rustls_error(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    }
}

/// A URL's host as a name or address: an IPv6 address without its brackets.
fn unbracketed(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// How long the addresses of a name are reused before the next login looks the name up again.
const RESOLVED_TTL: Duration = Duration::from_secs(60);

/// The resolver of one `Transport` (shared by its agents): it never starts a thread.
///
/// ureq's default resolver runs `to_socket_addrs` on a thread of its own whenever a timeout is set
/// (so that it can give up waiting), even for an IP address. Here an IP address needs no lookup at
/// all, and a name is looked up on the calling (login) thread, once: its addresses are then reused
/// for [`RESOLVED_TTL`] by every later login of the same `Client` (which also spares `localhost`
/// a read of /etc/hosts per request). The trade-off: a lookup cannot be interrupted without a
/// thread, so the first login of a client (or the first after the TTL) waits for the system's
/// resolver however long it takes (its own timeouts, see resolv.conf(5)) and only then reports the
/// login's deadline as passed if it has; concurrent logins of the client wait for that one lookup
/// (the cache's lock is held while it runs); and a change of the name's addresses is seen up to
/// [`RESOLVED_TTL`] late. Every lookup failure is reported as "host not found": a name that does
/// not resolve is a connect failure (nothing was sent), never a connection lost mid-request.
#[derive(Debug, Clone, Default)]
struct NameResolver {
    cache: Arc<Mutex<Option<Resolved>>>,
}

/// The last lookup of a [`NameResolver`].
#[derive(Debug)]
struct Resolved {
    /// `host:port` as looked up.
    key: String,
    addrs: Vec<SocketAddr>,
    /// When it was looked up.
    at: Instant,
}

impl NameResolver {
    /// The addresses of `host` (a name, or an IP address bare or in brackets) at `port`.
    fn addresses(
        &self,
        host: &str,
        port: u16,
        timeout: NextTimeout,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let bare = unbracketed(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let key = format!("{bare}:{port}");
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.as_ref()
            && hit.key == key
            && hit.at.elapsed() < RESOLVED_TTL
        {
            return Ok(hit.addrs.clone());
        }
        if timeout.after.is_zero() {
            return Err(ureq::Error::Timeout(timeout.reason));
        }
        let started = Instant::now();
        let addrs: Vec<SocketAddr> = match (bare, port).to_socket_addrs() {
            Ok(found) => found.collect(),
            Err(e) => {
                log::debug!("name lookup failed: {e}");
                return Err(ureq::Error::HostNotFound);
            }
        };
        if addrs.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        *cache = Some(Resolved {
            key,
            addrs: addrs.clone(),
            at: Instant::now(),
        });
        if started.elapsed() >= *timeout.after {
            // Kept for the next login, but this one's time is up.
            return Err(ureq::Error::Timeout(timeout.reason));
        }
        Ok(addrs)
    }
}

impl Resolver for NameResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(host), Some(port)) = (uri.host(), uri.port_u16()) else {
            return Err(ureq::Error::BadUri(format!("no host or port in {uri}")));
        };
        let addrs = self.addresses(host, port, timeout)?;
        let mut result = self.empty();
        for addr in config.ip_family().keep_wanted(addrs.into_iter()).take(16) {
            result.push(addr);
        }
        if result.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(result)
    }
}

/// Where and how the transport connects: what the login takes from its configuration (the
/// transport itself knows nothing of options, so the data's way runs config → login → transport).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint<'a> {
    /// `https` (else plain `http`, which the configuration allows for loopback hosts only).
    pub https: bool,
    /// Host name or IP address (an IPv6 address without brackets).
    pub host: &'a str,
    /// TCP port.
    pub port: u16,
    /// PEM file whose certificates are the only trusted roots; `None`: the web's roots.
    pub ca_file: Option<&'a Path>,
    /// The binding that drives the library and its version, for the User-Agent.
    pub binding: (&'a str, &'a str),
}

impl Transport {
    /// The transport of one `Client`: its TLS configuration (trusting the CA file's roots only,
    /// or the web's), built once so that its logins share one TLS session store.
    pub fn new(endpoint: Endpoint<'_>) -> Result<Self, Error> {
        let tls = tls::client_config(endpoint.ca_file)?;
        let scheme = if endpoint.https { "https" } else { "http" };
        let host = endpoint.host;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        let base_url = format!("{scheme}://{host}:{}", endpoint.port);
        let base_uri: ureq::http::Uri = base_url.parse().map_err(|e| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("invalid host or port: {e}"),
            )
        })?;
        let default_port = if endpoint.https { 443 } else { 80 };
        let host_header = if endpoint.port == default_port {
            host.clone()
        } else {
            format!("{host}:{}", endpoint.port)
        };
        let address = unbracketed(endpoint.host)
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, endpoint.port));
        Ok(Transport {
            https: endpoint.https,
            connector: connector_chain(tls, base_uri.host()),
            resolver: NameResolver::default(),
            address,
            authority: Arc::from(format!("{host}:{}", endpoint.port)),
            base_url,
            base_uri,
            host_header,
            direct_config: Agent::config_builder()
                .proxy(None)
                .input_buffer_size(INPUT_BUFFER)
                .output_buffer_size(OUTPUT_BUFFER)
                .build(),
            user_agent: user_agent(endpoint.binding),
        })
    }

    /// The configuration of one request's agent: no pooling, no redirects, and the request's
    /// timeouts (TLS is the connector's, src/transport/tls.rs).
    fn agent_config(&self, global: Duration, connect: Duration) -> ureq::config::Config {
        Agent::config_builder()
            .http_status_as_error(false)
            // A fresh connection per request: a stale pooled connection would make a failure
            // ambiguous (sent or not?), and login makes too few requests to gain from reuse.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .max_redirects(0)
            .https_only(self.https)
            .user_agent(self.user_agent.as_str())
            .input_buffer_size(INPUT_BUFFER)
            .output_buffer_size(OUTPUT_BUFFER)
            .max_response_header_size(INPUT_BUFFER)
            .timeout_global(Some(global))
            .timeout_connect(Some(connect))
            .build()
    }

    /// Connects and, for https, completes the TLS handshake exactly as [`Transport::post`] would
    /// (the same agent configuration, connector chain and trust roots), then drops the connection
    /// before any byte of a request is written. `Ok(true)`: a TLS handshake was made and the
    /// certificate verified; `Ok(false)`: plain http, connected. For diagnostics
    /// (src/tls_check.rs).
    pub fn handshake(&self, timeout: Duration) -> Result<bool, HandshakeError> {
        let connected: Arc<std::sync::OnceLock<bool>> = Arc::default();
        let connector = HandshakeOnly {
            chain: SharedConnector {
                chain: Arc::clone(&self.connector),
                target: Arc::clone(&self.authority),
                on_sent: None,
                // Nothing is written: the connection is dropped once made.
                gather: Gather::No,
            },
            connected: Arc::clone(&connected),
        };
        let agent = Agent::with_parts(
            self.agent_config(timeout, timeout),
            connector,
            self.resolver.clone(),
        );
        let result = agent.get(format!("{}/", self.base_url)).call();
        if let Some(tls) = connected.get() {
            return Ok(*tls);
        }
        let e = match result {
            Ok(_) => {
                return Err(HandshakeError::Connect(Error::new(
                    ErrorKind::Internal,
                    "the handshake check sent a request",
                )));
            }
            Err(e) => e,
        };
        Err(match (rustls_error(&e), &e) {
            (Some(tls), _) => {
                HandshakeError::Tls(TlsProblem::of(tls), tls_error(&self.base_url, tls))
            }
            (None, ureq::Error::Tls(what)) => {
                let tls = rustls::Error::General((*what).to_owned());
                HandshakeError::Tls(TlsProblem::of(&tls), tls_error(&self.base_url, &tls))
            }
            (None, _) => HandshakeError::Connect(Error::new(
                ErrorKind::Connect,
                format!("cannot connect to {}: {e}", self.base_url),
            )),
        })
    }

    /// `scheme://host:port`, for messages.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The User-Agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// One POST, bounded by what is left of `deadline`; a cancel of the login closes its socket.
    /// `on_sent` runs on this thread once the request has been written in full (never when the
    /// connection could not be opened or broke while the request was being written).
    #[allow(clippy::too_many_arguments)]
    pub fn post(
        &self,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: &Deadline,
        cancel: &LoginCancel,
        on_sent: Option<SentHook>,
    ) -> Result<HttpAnswer, AttemptError> {
        let remaining = deadline.remaining();
        if remaining.is_zero() {
            return Err(AttemptError::NotSent(timeout_error(deadline)));
        }
        let connector = |gather| SharedConnector {
            chain: Arc::clone(&self.connector),
            target: Arc::clone(&self.authority),
            on_sent,
            gather,
        };
        let request = self.request(path, query, headers, body);
        // Without a proxy in the environment sfmfa makes the request itself (src/transport/
        // http1.rs), and hands it to the connection whole; through a proxy ureq does (its CONNECT
        // tunnel, NO_PROXY and credentials), head and body apart.
        if ureq::Proxy::try_from_env().is_none() {
            let connector = connector(Gather::No);
            let sockets = Arc::new(crate::cancel::Sockets::default());
            return cancellable(cancel, InFlight::Sockets(Arc::clone(&sockets)), || {
                self.post_direct(&connector, &sockets, &request, deadline)
            });
        }
        // Outside Linux a connect in progress is the one step a cancel cannot interrupt: keep it
        // short (on Linux the cancel ends it too, src/transport/tcp.rs).
        let agent = Agent::with_parts(
            self.agent_config(remaining, remaining.min(CONNECT_TIMEOUT)),
            connector(Gather::Yes),
            self.resolver.clone(),
        );
        cancellable(cancel, InFlight::Agent(agent.clone()), || {
            self.post_with(&agent, &request, deadline)
        })
    }

    /// A POST to `path` of this transport's server.
    fn request<'a>(
        &'a self,
        path: &'a str,
        query: &'a [(&'a str, String)],
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> http1::Request<'a> {
        http1::Request {
            host: &self.host_header,
            user_agent: &self.user_agent,
            path,
            query,
            headers,
            body,
        }
    }

    /// One POST made by sfmfa on a connection of the chain (src/transport/http1.rs): the same
    /// connection, deadline, "sent" report and error classes as a request through ureq.
    fn post_direct(
        &self,
        connector: &SharedConnector,
        sockets: &Arc<crate::cancel::Sockets>,
        request: &http1::Request<'_>,
        deadline: &Deadline,
    ) -> Result<HttpAnswer, AttemptError> {
        use ureq::unversioned::transport::time::Instant as UreqInstant;
        let classify = |e| classify(e, deadline, &self.base_url);
        let request = request.bytes().map_err(|http1::BadHeader| bad_header())?;
        // The connect gets at most 10 s of what is left (ureq's rule in the other path).
        let remaining = deadline.remaining();
        let connect = if remaining > CONNECT_TIMEOUT {
            next_timeout(CONNECT_TIMEOUT, ureq::Timeout::Connect)
        } else {
            next_timeout(remaining, ureq::Timeout::Global)
        };
        let addrs = match self.address {
            Some(address) => {
                let mut addrs = self.resolver.empty();
                addrs.push(address);
                addrs
            }
            None => self
                .resolver
                .resolve(&self.base_uri, &self.direct_config, connect)
                .map_err(classify)?,
        };
        let registry = Arc::clone(sockets);
        let details = ConnectionDetails {
            uri: &self.base_uri,
            addrs,
            config: &self.direct_config,
            request_level: false,
            resolver: &self.resolver,
            now: UreqInstant::now(),
            timeout: connect,
            current_time: Arc::new(UreqInstant::now),
            // Only a proxy's connector runs the chain again, and no proxy is used here.
            run_connector: Arc::new(|_: &ConnectionDetails| Err(ureq::Error::ConnectionFailed)),
            register_shutdown: Arc::new(move |socket| registry.register(socket)),
        };
        let mut conn = connector
            .connect(&details, None)
            .map_err(classify)?
            .ok_or_else(|| classify(ureq::Error::ConnectionFailed))?;
        let left = || next_timeout(deadline.remaining(), ureq::Timeout::Global);
        let mut transmitted = false;
        write_all(conn.as_mut(), &request, left(), &mut transmitted).map_err(classify)?;
        drop(request);
        match http1::read_answer(conn.as_mut(), &left, MAX_BODY) {
            Ok((status, body)) => Ok(HttpAnswer { status, body }),
            // Sorted as the same failures of a request through ureq are.
            Err(http1::ReadError::Transport(e)) => Err(classify(e)),
            Err(http1::ReadError::Closed(what)) => Err(classify(ureq::Error::Io(
                std::io::Error::new(IoKind::UnexpectedEof, what),
            ))),
            Err(http1::ReadError::Invalid(what)) => Err(invalid_http(&self.base_url, what)),
            Err(http1::ReadError::TooLarge(n)) => Err(classify(ureq::Error::BodyExceedsLimit(n))),
        }
    }

    /// One POST through ureq (a proxy's tunnel, or the tests of the connection layer).
    fn post_with(
        &self,
        agent: &Agent,
        request: &http1::Request<'_>,
        deadline: &Deadline,
    ) -> Result<HttpAnswer, AttemptError> {
        let http1::Request {
            path,
            query,
            headers,
            body,
            ..
        } = *request;
        let url = format!("{}{path}", self.base_url);
        let mut req = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/snowflake");
        for (name, value) in query {
            req = req.query(*name, value);
        }
        for (name, value) in headers {
            req = req.header(*name, wiped_header_value(value)?);
        }
        let mut response = req
            .send(body)
            .map_err(|e| classify(e, deadline, &self.base_url))?;
        let status = response.status().as_u16();
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut reader = response.body_mut().with_config().limit(MAX_BODY).reader();
        let body = read_body(&mut reader, length).map_err(|e| {
            match classify(ureq_error(e), deadline, &self.base_url) {
                AttemptError::NotSent(e) | AttemptError::Fatal(e) | AttemptError::MaybeSent(e) => {
                    AttemptError::MaybeSent(e)
                }
            }
        })?;
        Ok(HttpAnswer { status, body })
    }
}

/// Runs `request` as the login's request in flight: a cancel shuts `in_flight` down, and whatever
/// the request's error, a cancelled login reports the cancel.
fn cancellable(
    cancel: &LoginCancel,
    in_flight: InFlight,
    request: impl FnOnce() -> Result<HttpAnswer, AttemptError>,
) -> Result<HttpAnswer, AttemptError> {
    cancel.attach(in_flight).map_err(AttemptError::Fatal)?;
    let answer = request();
    cancel.detach();
    match answer {
        Err(_) if cancel.is_cancelled() => {
            Err(AttemptError::Fatal(crate::cancel::cancelled_error()))
        }
        other => other,
    }
}

/// Reads a whole answer body into a wiped-on-drop buffer sized from `Content-Length` up front.
/// A body longer than announced (or without a length, or compressed) grows the buffer by moving it
/// into a larger one, the old one wiped: `Read::read_to_end` would reallocate a plain `Vec` and
/// leave the tokens of the answer behind in freed memory.
fn read_body(
    reader: &mut impl std::io::Read,
    length: Option<u64>,
) -> std::io::Result<Zeroizing<Vec<u8>>> {
    const UNKNOWN: usize = 16 * 1024;
    let initial = length
        .and_then(|n| usize::try_from(n.min(MAX_BODY)).ok())
        .unwrap_or(UNKNOWN)
        .max(1024);
    let mut buf = Zeroizing::new(vec![0u8; initial]);
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            let mut bigger = Zeroizing::new(vec![0u8; buf.len().saturating_mul(2)]);
            bigger[..filled].copy_from_slice(&buf[..filled]);
            buf = bigger;
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == IoKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// A header value (the logout's `Authorization` holds the session token) whose bytes are wiped
/// when ureq drops its last reference: `HeaderValue::from_str` would copy it into a plain buffer.
fn wiped_header_value(value: &str) -> Result<ureq::http::HeaderValue, AttemptError> {
    struct Wiped(Zeroizing<Vec<u8>>);
    impl AsRef<[u8]> for Wiped {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    let bytes = bytes::Bytes::from_owner(Wiped(Zeroizing::new(value.as_bytes().to_vec())));
    ureq::http::HeaderValue::from_maybe_shared(bytes).map_err(|_| bad_header())
}

/// A header value no request may carry; sending again cannot help.
fn bad_header() -> AttemptError {
    AttemptError::Fatal(Error::new(
        ErrorKind::InvalidValue,
        "a request header holds a character HTTP does not allow",
    ))
}

/// An answer that is not valid HTTP; the request may have reached the server.
fn invalid_http(base: &str, what: impl std::fmt::Display) -> AttemptError {
    AttemptError::MaybeSent(Error::new(
        ErrorKind::Protocol,
        format!("{base} answered with invalid HTTP: {what}"),
    ))
}

/// The ureq error inside an I/O error of ureq's body reader (it wraps its own errors so).
fn ureq_error(e: std::io::Error) -> ureq::Error {
    if e.get_ref().is_some_and(|inner| inner.is::<ureq::Error>()) {
        match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
            Some(Ok(inner)) => *inner,
            Some(Err(other)) => ureq::Error::Io(std::io::Error::other(other)),
            None => ureq::Error::Io(std::io::Error::other("body read failed")),
        }
    } else {
        ureq::Error::Io(e)
    }
}

fn user_agent((binding, version): (&str, &str)) -> String {
    format!(
        "sfmfa/{} ({}-{}) {binding}/{version}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

pub(crate) fn timeout_error(deadline: &Deadline) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!(
            "login_timeout of {:.1} s passed before the login finished",
            deadline.budget().as_secs_f64()
        ),
    )
    .with_hint("Raise login_timeout, or check the network and the Duo approval.")
}

/// Sorts a ureq failure into "never left", "may have arrived" and "hopeless".
fn classify(e: ureq::Error, deadline: &Deadline, base: &str) -> AttemptError {
    use ureq::Error as U;
    use ureq::Timeout as T;
    let connect = |what: String| {
        Error::new(
            ErrorKind::Connect,
            format!("cannot connect to {base}: {what}"),
        )
    };
    match e {
        U::HostNotFound => AttemptError::NotSent(connect("the host name does not resolve".into())),
        U::ConnectionFailed => AttemptError::NotSent(connect("connection failed".into())),
        U::Timeout(T::Resolve | T::Connect) if !deadline.passed() => {
            AttemptError::NotSent(connect("connect timed out".into()))
        }
        U::Timeout(_) => AttemptError::MaybeSent(timeout_error(deadline)),
        U::Io(io) => {
            if let Some(tls) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                return AttemptError::Fatal(tls_error(base, tls));
            }
            match io.kind() {
                IoKind::ConnectionRefused
                | IoKind::HostUnreachable
                | IoKind::NetworkUnreachable
                | IoKind::AddrNotAvailable
                | IoKind::NetworkDown => AttemptError::NotSent(connect(io.to_string())),
                IoKind::TimedOut | IoKind::WouldBlock if deadline.passed() => {
                    AttemptError::MaybeSent(timeout_error(deadline))
                }
                _ => AttemptError::MaybeSent(Error::new(
                    ErrorKind::ConnectionLost,
                    format!("connection to {base} lost during the login request: {io}"),
                )),
            }
        }
        U::Rustls(tls) => AttemptError::Fatal(tls_error(base, &tls)),
        U::Tls(what) => AttemptError::Fatal(Error::new(
            ErrorKind::Tls,
            format!("TLS with {base} failed: {what}"),
        )),
        U::Pem(e) => AttemptError::Fatal(Error::new(ErrorKind::Tls, format!("bad PEM: {e}"))),
        U::BadUri(what) => AttemptError::Fatal(Error::new(
            ErrorKind::InvalidValue,
            format!("invalid host or port: {what}"),
        )),
        U::RequireHttpsOnly(_) => {
            AttemptError::Fatal(Error::new(ErrorKind::InvalidValue, "https is required"))
        }
        U::Protocol(p) => invalid_http(base, p),
        U::BodyExceedsLimit(n) => AttemptError::MaybeSent(Error::new(
            ErrorKind::Protocol,
            format!("{base} answered with a body larger than {n} bytes"),
        )),
        other => AttemptError::MaybeSent(Error::new(
            ErrorKind::ConnectionLost,
            format!("request to {base} failed: {other}"),
        )),
    }
}

fn tls_error(base: &str, e: &rustls::Error) -> Error {
    Error::new(ErrorKind::Tls, format!("TLS with {base} failed: {e}"))
        .with_hint("If the server uses a private CA or a TLS-inspecting proxy, set ca_file to its PEM certificate.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::{LazyBuffers, Transport as UreqTransport};

    /// What the fake connection saw, in order.
    type Events = Arc<Mutex<Vec<String>>>;

    /// A connection that records every write and answers with a canned response.
    #[derive(Debug)]
    struct Recording {
        buffers: LazyBuffers,
        writes: Arc<Mutex<Vec<Vec<u8>>>>,
        events: Events,
        answer: Option<Vec<u8>>,
    }

    impl UreqTransport for Recording {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.writes.lock().unwrap().push(bytes);
            self.events.lock().unwrap().push("write".into());
            Ok(())
        }

        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            let Some(answer) = self.answer.take() else {
                return Ok(false);
            };
            let input = self.buffers.input_append_buf();
            input[..answer.len()].copy_from_slice(&answer);
            self.buffers.input_appended(answer.len());
            Ok(true)
        }

        fn is_open(&mut self) -> bool {
            self.events.lock().unwrap().push("probe".into());
            true
        }
    }

    /// Hands out one [`Recording`] connection, wrapped as `post` wraps every connection.
    struct RecordingConnector {
        bare: BareRecording,
        on_sent: SentHook,
    }

    impl std::fmt::Debug for RecordingConnector {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("RecordingConnector")
        }
    }

    impl Connector for RecordingConnector {
        type Out = Box<dyn ureq::unversioned::transport::Transport>;

        fn connect(
            &self,
            details: &ConnectionDetails,
            _: Option<()>,
        ) -> Result<Option<Self::Out>, ureq::Error> {
            let inner = self.bare.connect(details, None)?;
            Ok(inner.map(|inner| {
                Box::new(WipingTransport::new(
                    Box::new(inner),
                    Sent::Here(Some(Arc::clone(&self.on_sent))),
                    Gather::Yes,
                )) as Self::Out
            }))
        }
    }

    /// Hands out one bare [`Recording`] connection (wrapped by [`RecordingConnector`] as `post`
    /// wraps every connection, or by `post_direct`'s [`SharedConnector`]).
    #[derive(Debug)]
    struct BareRecording {
        writes: Arc<Mutex<Vec<Vec<u8>>>>,
        events: Events,
    }

    impl Connector for BareRecording {
        type Out = Recording;

        fn connect(
            &self,
            details: &ConnectionDetails,
            _: Option<()>,
        ) -> Result<Option<Self::Out>, ureq::Error> {
            let config = details.config;
            Ok(Some(Recording {
                buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
                writes: Arc::clone(&self.writes),
                events: Arc::clone(&self.events),
                answer: Some(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
                        .to_vec(),
                ),
            }))
        }
    }

    fn transport() -> Transport {
        Transport::new(Endpoint {
            https: false,
            host: "127.0.0.1",
            port: 9,
            ca_file: None,
            binding: ("test", "0"),
        })
        .unwrap()
    }

    #[test]
    fn an_ip_host_is_the_address_of_every_request_and_a_name_goes_to_the_resolver() {
        let address = |host: &str| {
            Transport::new(Endpoint {
                https: true,
                host,
                port: 443,
                ca_file: None,
                binding: ("test", "0"),
            })
            .unwrap()
            .address
        };
        assert_eq!(address("127.0.0.1"), Some("127.0.0.1:443".parse().unwrap()));
        assert_eq!(address("::1"), Some("[::1]:443".parse().unwrap()));
        assert_eq!(address("[::1]"), Some("[::1]:443".parse().unwrap()));
        assert_eq!(address("localhost"), None);
        assert_eq!(address("xy12345.snowflakecomputing.com"), None);
    }

    /// Sends `body` through a recording connection; the writes it made and the events in order.
    fn send(body: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
        let t = transport();
        let writes = Arc::default();
        let events: Events = Arc::default();
        let sent_events = Arc::clone(&events);
        let connector = RecordingConnector {
            bare: BareRecording {
                writes: Arc::clone(&writes),
                events: Arc::clone(&events),
            },
            on_sent: Arc::new(move || sent_events.lock().unwrap().push("sent".into())),
        };
        let agent = Agent::with_parts(
            t.agent_config(Duration::from_secs(5), Duration::from_secs(5)),
            connector,
            t.resolver.clone(),
        );
        let deadline = Deadline::after(Duration::from_secs(5));
        let request = t.request("/session/v1/login-request", &[], &[], body);
        let answer = t.post_with(&agent, &request, &deadline).unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(&answer.body[..], b"{}");
        drop(agent);
        let writes = writes.lock().unwrap().clone();
        let events = events.lock().unwrap().clone();
        (writes, events)
    }

    #[test]
    fn a_request_goes_in_one_write_and_is_reported_sent_after_it() {
        let body = format!("{{\"data\":{{\"PASSWORD\":\"{}\"}}}}", "p".repeat(1500));
        let (writes, events) = send(body.as_bytes());
        assert_eq!(writes.len(), 1, "head and body in one write");
        let request = String::from_utf8(writes[0].clone()).unwrap();
        assert!(request.starts_with("POST /session/v1/login-request HTTP/1.1\r\n"));
        assert!(request.ends_with(&format!("\r\n\r\n{body}")));
        // The hook runs once the request was written in full; the connection is never probed
        // for reuse (nothing is pooled).
        assert_eq!(events, ["write", "sent"]);
    }

    #[test]
    fn sfmfas_own_request_goes_in_one_write_and_is_reported_sent_after_it() {
        let t = transport();
        let writes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let events: Events = Arc::default();
        let sent_events = Arc::clone(&events);
        let connector = SharedConnector {
            chain: Arc::new(Boxing(BareRecording {
                writes: Arc::clone(&writes),
                events: Arc::clone(&events),
            })),
            target: Arc::clone(&t.authority),
            on_sent: Some(Arc::new(move || {
                sent_events.lock().unwrap().push("sent".into())
            })),
            gather: Gather::No,
        };
        let body = format!("{{\"data\":{{\"PASSWORD\":\"{}\"}}}}", "p".repeat(1500));
        let query = [("request_id", "1".to_owned())];
        let request = t.request("/session/v1/login-request", &query, &[], body.as_bytes());
        let deadline = Deadline::after(Duration::from_secs(5));
        let answer = t
            .post_direct(&connector, &Arc::default(), &request, &deadline)
            .unwrap();
        assert_eq!((answer.status, &answer.body[..]), (200, &b"{}"[..]));
        let writes = writes.lock().unwrap().clone();
        assert_eq!(writes.len(), 1, "head and body in one write");
        let request = String::from_utf8(writes[0].clone()).unwrap();
        assert!(request.starts_with("POST /session/v1/login-request?request_id=1 HTTP/1.1\r\n"));
        assert!(request.contains("\r\nHost: 127.0.0.1:9\r\n"));
        assert!(request.ends_with(&format!("\r\n\r\n{body}")));
        assert_eq!(*events.lock().unwrap(), ["write", "sent"]);
    }

    #[test]
    fn a_request_larger_than_the_output_buffer_is_sent_in_order_and_in_full() {
        let body = format!(
            "{{\"data\":{{\"PASSWORD\":\"{}\"}}}}",
            "p".repeat(3 * OUTPUT_BUFFER)
        );
        let (writes, events) = send(body.as_bytes());
        assert!(writes.len() > 1);
        assert!(writes.iter().all(|w| w.len() <= OUTPUT_BUFFER));
        let request = String::from_utf8(writes.concat()).unwrap();
        assert!(request.starts_with("POST /session/v1/login-request HTTP/1.1\r\n"));
        assert!(request.ends_with(&format!("\r\n\r\n{body}")));
        assert_eq!(events.last().map(String::as_str), Some("sent"));
        assert_eq!(events.iter().filter(|e| *e == "sent").count(), 1);
        assert!(!events.iter().any(|e| e == "probe"));
    }
}
