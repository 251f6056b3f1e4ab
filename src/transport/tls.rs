//! TLS for the requests of a `Transport`: rustls with ring, on the connection of the layer below
//! (sfmfa's TCP connection on Linux, ureq's elsewhere, or the tunnel through a proxy).
//!
//! In place of ureq's rustls connector, for two reasons. The client configuration is sfmfa's own,
//! built once per `Transport` ([`client_config`]): every login of a `Client` shares its session
//! store, so a second HTTPS login to the same host resumes the TLS session, whatever ureq does
//! with its configurations. And the connection's buffers are [`ZeroedBuffers`] (ureq's fill
//! theirs a byte at a time in the release build: see src/transport/buffers.rs).
//!
//! The rest is as ureq does it: certificate verification always on, SNI for host names (none for
//! IP addresses), every TLS version rustls offers, and errors in ureq's form (a rustls error
//! inside an I/O error), which `super::classify` sorts.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, Transport, TransportAdapter,
};

use super::buffers::ZeroedBuffers;
use crate::error::{Error, ErrorKind};

/// The rustls client configuration of one `Transport`: ring, every TLS version, and as trusted
/// roots the certificates of `ca_file` only, or else the web's (Mozilla's, through webpki-roots).
pub(crate) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, Error> {
    let roots = match ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                Error::new(
                    ErrorKind::Tls,
                    format!("cannot read ca_file '{}': {e}", path.display()),
                )
            })?;
            let mut roots = RootCertStore::empty();
            let mut certificates = 0;
            for item in ureq::tls::parse_pem(&pem) {
                match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => {
                        certificates += 1;
                        // A certificate rustls cannot use as a root is skipped, as ureq did.
                        let _ = roots.add(CertificateDer::from(c.der()).into_owned());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        return Err(Error::new(
                            ErrorKind::Tls,
                            format!("ca_file '{}' is not valid PEM: {e}", path.display()),
                        ));
                    }
                }
            }
            if certificates == 0 {
                return Err(Error::new(
                    ErrorKind::Tls,
                    format!("ca_file '{}' holds no certificate", path.display()),
                ));
            }
            if roots.is_empty() {
                // ureq left the store empty here, and every handshake then failed as "unknown
                // issuer"; said at once instead.
                return Err(Error::new(
                    ErrorKind::Tls,
                    format!(
                        "ca_file '{}': none of its {certificates} certificates can be a trusted root",
                        path.display()
                    ),
                ));
            }
            roots
        }
        None => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
    };
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS set-up failed: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps the connection below in TLS when the request's URL is https (and it is not TLS yet).
#[derive(Debug)]
pub(crate) struct TlsConnector {
    config: Arc<ClientConfig>,
    /// The server's host as its URL has it, and its name for TLS, worked out once: every request
    /// of a `Transport` goes to that host (a proxy's tunnel carries TLS to it too).
    server: Option<(String, ServerName<'static>)>,
}

impl TlsConnector {
    /// TLS with `config`, to `host` (as a URL has it, an IPv6 address in brackets) and any other.
    pub(crate) fn new(config: Arc<ClientConfig>, host: Option<&str>) -> Self {
        let server = host.and_then(|host| Some((host.to_owned(), server_name(host).ok()?)));
        TlsConnector { config, server }
    }
}

/// The TLS name of a URL's host: SNI for a host name, none for an IP address.
fn server_name(host: &str) -> Result<ServerName<'static>, ureq::Error> {
    ServerName::try_from(super::unbracketed(host))
        .map(|name| name.to_owned())
        .map_err(|_| ureq::Error::Tls("invalid host name for TLS"))
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Err(ureq::Error::ConnectionFailed);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or_else(|| ureq::Error::BadUri(format!("no host in {}", details.uri)))?;
        let name = match &self.server {
            Some((known, name)) if known == host => name.clone(),
            _ => server_name(host)?,
        };
        let mut conn = ClientConnection::new(Arc::clone(&self.config), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        // The handshake gets what is left of the connect's time, counted from when it began.
        let mut timeout = details.timeout;
        if let (UreqDuration::Exact(after), UreqInstant::Exact(now), UreqInstant::Exact(began)) =
            (timeout.after, (details.current_time)(), details.now)
        {
            let elapsed = now.saturating_duration_since(began);
            timeout.after = UreqDuration::Exact(after.saturating_sub(elapsed));
        }
        sock.set_timeout(timeout);
        conn.complete_io(&mut sock)?;
        let config = details.config;
        Ok(Some(Either::B(TlsTransport {
            buffers: ZeroedBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            stream: StreamOwned::new(conn, sock),
        })))
    }
}

/// A TLS connection: the plaintext side's buffers and the rustls stream over the layer below.
pub(crate) struct TlsTransport {
    buffers: ZeroedBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = self.buffers.output();
        let amount = amount.min(output.len());
        self.stream.write_all(&output[..amount])?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Never pooled (see super::WipingTransport): not reusable, without probing the socket.
        false
    }

    fn is_tls(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_of(pem: &str) -> Result<Arc<ClientConfig>, Error> {
        let dir = std::env::temp_dir().join(format!("sfmfa-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.pem", pem.len()));
        std::fs::write(&path, pem).unwrap();
        let result = client_config(Some(&path));
        let _ = std::fs::remove_file(&path);
        result
    }

    #[test]
    fn the_servers_tls_name_is_worked_out_once_from_its_url_host() {
        let config = client_config(None).unwrap();
        let name = |host: &str| TlsConnector::new(Arc::clone(&config), Some(host)).server;
        let ip = std::net::IpAddr::from([127, 0, 0, 1]);
        assert_eq!(
            name("127.0.0.1"),
            Some(("127.0.0.1".to_owned(), ServerName::IpAddress(ip.into())))
        );
        let v6 = std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST);
        assert_eq!(
            name("[::1]"),
            Some(("[::1]".to_owned(), ServerName::IpAddress(v6.into())))
        );
        assert_eq!(
            name("xy12345.snowflakecomputing.com"),
            Some((
                "xy12345.snowflakecomputing.com".to_owned(),
                ServerName::try_from("xy12345.snowflakecomputing.com").unwrap()
            ))
        );
        // Not a name TLS accepts: nothing kept, the connect then says why (as before).
        assert_eq!(name("bad name"), None);
        assert!(server_name("bad name").is_err());
    }

    #[test]
    fn a_ca_file_without_a_usable_certificate_is_refused_with_why() {
        let none = config_of("not a certificate\n").unwrap_err();
        assert!(none.message().ends_with("holds no certificate"), "{none}");
        // A certificate block whose content is no certificate rustls can trust.
        let unusable = config_of("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(
            unusable
                .message()
                .ends_with("none of its 1 certificates can be a trusted root"),
            "{unusable}"
        );
        assert!(client_config(None).is_ok(), "the web's roots");
    }
}
