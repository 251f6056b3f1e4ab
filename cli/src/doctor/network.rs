//! The host: its name resolves, a TCP connect succeeds, and (with `protocol=https`) a TLS
//! handshake with the trust settings a login uses completes (`sfmfa::check_tls`, the login's own
//! transport). No request is sent.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use sfmfa::{Config, Protocol, TlsCheck, TlsProblem};

use super::{Check, bad, ok};

/// How long the TCP connect, and then the TLS handshake, may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The `host` check, then the `tls` check.
pub(super) fn checks(config: &Config) -> Vec<Check> {
    let host = host(config);
    let reachable = host.status == "ok";
    let tls = if config.protocol() == Protocol::Http {
        ok(
            "tls",
            "TLS is not used: protocol=http (allowed for a loopback host only)",
        )
    } else if reachable {
        tls(config)
    } else {
        bad(
            "tls",
            "problem",
            "not checked: no TCP connection to the host",
            "fix the host finding first",
        )
    };
    vec![host, tls]
}

fn host(config: &Config) -> Check {
    let target = format!("{}:{}", config.host(), config.port());
    let addrs = match target.to_socket_addrs() {
        Ok(a) => a.collect::<Vec<_>>(),
        Err(e) => {
            return bad(
                "host",
                "problem",
                format!("{target}: the name does not resolve ({e})"),
                "check the account identifier / host, and DNS",
            );
        }
    };
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, TIMEOUT) {
            Ok(_) => {
                return ok(
                    "host",
                    format!("{target} reachable (TCP connect to {addr})"),
                );
            }
            Err(e) => last = Some(e),
        }
    }
    bad(
        "host",
        "problem",
        format!(
            "{target}: no TCP connection ({})",
            last.map_or_else(|| "no address".to_owned(), |e| e.to_string())
        ),
        "check the network, proxy and firewall (port 443 to Snowflake)",
    )
}

fn tls(config: &Config) -> Check {
    let host = config.host();
    let port = config.port();
    let ca_file = config
        .get("ca_file")
        .ok()
        .flatten()
        .filter(|p| !p.is_empty());
    let trust = match &ca_file {
        Some(path) => format!("the CA file {path} (ca_file)"),
        None => "the built-in web roots".to_owned(),
    };
    let (problem, error) = match sfmfa::check_tls(config, TIMEOUT) {
        Ok(TlsCheck::Verified) => {
            return ok(
                "tls",
                format!(
                    "TLS ok with {host}:{port}: the certificate chain leads to a CA of {trust} and is \
                     valid for {host} now"
                ),
            );
        }
        Ok(TlsCheck::NotUsed) => return ok("tls", "TLS is not used: protocol=http"),
        Ok(TlsCheck::Failed { problem, error }) => (problem, error),
        Ok(_) => return bad("tls", "problem", "unknown result", "report this as a bug"),
        Err(e) => {
            return bad(
                "tls",
                "problem",
                e.message(),
                e.hint()
                    .unwrap_or("check the network, and the ca_file option"),
            );
        }
    };
    let (what, fix) = match problem {
        TlsProblem::UntrustedIssuer => (
            format!("untrusted issuer: the certificate chain does not lead to a CA of {trust}"),
            match &ca_file {
                Some(path) => format!(
                    "{path} does not hold the CA that signed {host}'s certificate: point ca_file \
                     at the PEM file of that CA (or drop ca_file to trust the built-in web roots)"
                ),
                None => format!(
                    "if {host} is reached through a private CA or a TLS-inspecting proxy, give \
                     its CA certificate (PEM): -o ca_file=/path/to/ca.pem (ODBC: CABundleFile); \
                     otherwise check that {host} is your Snowflake account's host"
                ),
            },
        ),
        TlsProblem::Expired => (
            "expired certificate".to_owned(),
            "check this machine's clock (date -u); if it is right, the certificate of the \
             server (or of a proxy in between) has expired and its owner must renew it"
                .to_owned(),
        ),
        TlsProblem::NotYetValid => (
            "certificate not valid yet".to_owned(),
            "check this machine's clock (date -u): it is probably behind".to_owned(),
        ),
        TlsProblem::WrongName => (
            format!("wrong name: the certificate is not valid for {host}"),
            "check the account identifier / host; a proxy that intercepts TLS needs its CA in \
             ca_file"
                .to_owned(),
        ),
        TlsProblem::BadCertificate => (
            "certificate refused".to_owned(),
            "the server's certificate is not acceptable (see the detail): check for a proxy \
             that intercepts TLS, or tell the server's owner"
                .to_owned(),
        ),
        _ => (
            "handshake failure".to_owned(),
            format!(
                "check that port {port} of {host} serves HTTPS (an emulator or proxy on a \
                 loopback host without TLS needs protocol=http / ssl=off) and that no proxy or \
                 firewall interferes"
            ),
        ),
    };
    bad(
        "tls",
        "problem",
        format!("{what} ({})", error.message()),
        fix,
    )
}
