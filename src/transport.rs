//! HTTP(S) to Snowflake with ureq + rustls: one fresh connection per request, certificate
//! verification always on, an optional private CA, and errors that say whether the request may have
//! reached the server (which decides whether it may be sent again).

use std::io::ErrorKind as IoKind;
use std::path::Path;
use std::time::Duration;

use std::sync::Arc;

use ureq::Agent;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector};
use zeroize::Zeroizing;

use crate::cancel::LoginCancel;
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};

/// Largest answer body accepted; a login answer is a few kilobytes.
const MAX_BODY: u64 = 1 << 20;

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
/// Each request gets an agent of its own (cheap: the configuration and the connector, with its
/// cached TLS setup, are shared), so that cancelling one login shuts down that login's socket and
/// no other.
pub(crate) struct Transport {
    agent_config: ureq::config::Config,
    connector: SharedConnector,
    base_url: String,
    user_agent: String,
}

/// ureq's default connector chain (TCP, then rustls), shared by the agents of one `Transport`.
#[derive(Debug, Clone, Default)]
struct SharedConnector(Arc<DefaultConnector>);

impl Connector for SharedConnector {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained)
    }
}

/// ureq's resolver, with every lookup failure reported as "host not found": a name that does not
/// resolve is a connect failure (nothing was sent), never a connection lost mid-request.
#[derive(Debug, Default)]
struct NameResolver(DefaultResolver);

impl Resolver for NameResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match self.0.resolve(uri, config, timeout) {
            Err(ureq::Error::Io(e)) => {
                log::debug!("name lookup failed: {e}");
                Err(ureq::Error::HostNotFound)
            }
            other => other,
        }
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
    /// Builds the agent: TLS roots (web roots, or only the CA file), no pooling, no redirects.
    pub fn new(endpoint: Endpoint<'_>) -> Result<Self, Error> {
        let roots = match endpoint.ca_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    Error::new(
                        ErrorKind::Tls,
                        format!("cannot read ca_file '{}': {e}", path.display()),
                    )
                })?;
                let certs = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<Result<Vec<Certificate<'static>>, _>>()
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::Tls,
                            format!("ca_file '{}' is not valid PEM: {e}", path.display()),
                        )
                    })?;
                if certs.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Tls,
                        format!("ca_file '{}' holds no certificate", path.display()),
                    ));
                }
                RootCerts::new_with_certs(&certs)
            }
            None => RootCerts::WebPki,
        };
        let tls = TlsConfig::builder().root_certs(roots).build();
        let agent_config = Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            // A fresh connection per request: a stale pooled connection would make a failure
            // ambiguous (sent or not?), and login makes too few requests to gain from reuse.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .max_redirects(0)
            .https_only(endpoint.https)
            .user_agent(user_agent(endpoint.binding))
            .build();
        let scheme = if endpoint.https { "https" } else { "http" };
        let host = endpoint.host;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        Ok(Transport {
            agent_config,
            connector: SharedConnector::default(),
            base_url: format!("{scheme}://{host}:{}", endpoint.port),
            user_agent: user_agent(endpoint.binding),
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
    pub fn post(
        &self,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: &Deadline,
        cancel: &LoginCancel,
    ) -> Result<HttpAnswer, AttemptError> {
        let remaining = deadline.remaining();
        if remaining.is_zero() {
            return Err(AttemptError::NotSent(timeout_error(deadline)));
        }
        let agent = Agent::with_parts(
            self.agent_config.clone(),
            self.connector.clone(),
            NameResolver::default(),
        );
        cancel.attach(&agent).map_err(AttemptError::Fatal)?;
        let answer = self.post_with(&agent, path, query, headers, body, deadline);
        cancel.detach();
        match answer {
            // Whatever the request's error, a cancelled login reports the cancel.
            Err(_) if cancel.is_cancelled() => {
                Err(AttemptError::Fatal(crate::cancel::cancelled_error()))
            }
            other => other,
        }
    }

    fn post_with(
        &self,
        agent: &Agent,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: &Deadline,
    ) -> Result<HttpAnswer, AttemptError> {
        let remaining = deadline.remaining();
        let url = format!("{}{path}", self.base_url);
        let mut req = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/snowflake");
        for (name, value) in query {
            req = req.query(*name, value);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req
            .config()
            .timeout_global(Some(remaining))
            // A connect in progress is the one step a cancel cannot interrupt: keep it short.
            .timeout_connect(Some(remaining.min(Duration::from_secs(10))))
            .build();
        let mut response = req
            .send(body)
            .map_err(|e| classify(e, deadline, &self.base_url))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| match classify(e, deadline, &self.base_url) {
                AttemptError::NotSent(e) | AttemptError::Fatal(e) | AttemptError::MaybeSent(e) => {
                    AttemptError::MaybeSent(e)
                }
            })?;
        Ok(HttpAnswer {
            status,
            body: Zeroizing::new(body),
        })
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
        U::Protocol(p) => AttemptError::MaybeSent(Error::new(
            ErrorKind::Protocol,
            format!("{base} answered with invalid HTTP: {p}"),
        )),
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
