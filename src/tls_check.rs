//! The TLS handshake a login would make, alone: for diagnostics (`sfmfa doctor`). It goes through
//! the login's own transport (src/transport.rs): the same trust roots (the built-in web roots, or
//! only the certificates of `ca_file`), the same connector chain; nothing is sent over the
//! connection.

use std::time::Duration;

use crate::config::{Config, Protocol};
use crate::error::Error;
use crate::transport::{Endpoint, HandshakeError, Transport};

/// What [`check_tls`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsCheck {
    /// `protocol=http` (a loopback host): a login uses no TLS, and nothing was tried.
    NotUsed,
    /// The handshake completed: the certificate chain leads to a trusted root and is valid for
    /// the host, now.
    Verified,
    /// The handshake failed.
    Failed {
        /// The cause, for a program to act on.
        problem: TlsProblem,
        /// What a login would report for it (kind [`crate::ErrorKind::Tls`], with a hint).
        error: Error,
    },
}

/// Why a TLS handshake failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The certificate does not lead to a trusted root (a private CA or a TLS-inspecting proxy
    /// that `ca_file` does not name, or the wrong server). Also when a trusted root has the
    /// issuer's name but its key did not sign the certificate (a CA made again with a new key,
    /// or another CA of the same name in `ca_file`).
    UntrustedIssuer,
    /// The certificate has expired (or this machine's clock is ahead).
    Expired,
    /// The certificate is not valid yet (or this machine's clock is behind).
    NotYetValid,
    /// The certificate is not valid for the host name connected to.
    WrongName,
    /// The certificate was refused for another reason (revoked, malformed, an unsupported
    /// algorithm…).
    BadCertificate,
    /// The handshake itself failed (not TLS on that port, no common protocol version or cipher,
    /// an alert from the server, the connection closed).
    Handshake,
}

impl TlsProblem {
    /// The problem as rustls reports it.
    pub(crate) fn of(e: &rustls::Error) -> Self {
        use rustls::CertificateError as C;
        match e {
            rustls::Error::InvalidCertificate(c) => match c {
                C::UnknownIssuer | C::BadSignature => TlsProblem::UntrustedIssuer,
                C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotYetValid,
                C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::WrongName,
                _ => TlsProblem::BadCertificate,
            },
            _ => TlsProblem::Handshake,
        }
    }
}

/// Connects to the host of `config` and, with `protocol=https`, completes a TLS handshake with
/// the trust settings a login uses (`ca_file`, else the built-in web roots), within `timeout`;
/// then closes the connection without sending a request. `Err` when there is no handshake to
/// judge: `ca_file` cannot be read, or no connection (kind `Connect`). With `protocol=http`,
/// nothing is tried.
pub fn check_tls(config: &Config, timeout: Duration) -> Result<TlsCheck, Error> {
    if config.protocol() == Protocol::Http {
        return Ok(TlsCheck::NotUsed);
    }
    let host = config.host();
    let transport = Transport::new(Endpoint {
        https: true,
        host: &host,
        port: config.port(),
        ca_file: config.ca_file(),
        binding: config.binding(),
    })?;
    match transport.handshake(timeout) {
        Ok(_) => Ok(TlsCheck::Verified),
        Err(HandshakeError::Tls(problem, error)) => Ok(TlsCheck::Failed { problem, error }),
        Err(HandshakeError::Connect(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CertificateError as C;

    #[test]
    fn problems_from_rustls() {
        let cert = |c| TlsProblem::of(&rustls::Error::InvalidCertificate(c));
        assert_eq!(cert(C::UnknownIssuer), TlsProblem::UntrustedIssuer);
        assert_eq!(cert(C::Expired), TlsProblem::Expired);
        assert_eq!(cert(C::NotValidYet), TlsProblem::NotYetValid);
        assert_eq!(cert(C::NotValidForName), TlsProblem::WrongName);
        assert_eq!(cert(C::BadSignature), TlsProblem::UntrustedIssuer);
        assert_eq!(cert(C::BadEncoding), TlsProblem::BadCertificate);
        assert_eq!(
            TlsProblem::of(&rustls::Error::AlertReceived(
                rustls::AlertDescription::HandshakeFailure
            )),
            TlsProblem::Handshake
        );
    }
}
