//! The host: its name resolves and a TCP connect succeeds. No request is sent.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use sfmfa::Config;

use super::{Check, bad, ok};

/// How long the TCP connect may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The `host` check.
pub(super) fn checks(config: &Config) -> Vec<Check> {
    vec![host(config)]
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
                    format!("{target} reachable (TCP connect to {addr}; TLS not checked)"),
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
