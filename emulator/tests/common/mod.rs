//! A tiny raw-socket HTTP client for the emulator's tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

pub fn start_default() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default()).expect("start")
}

/// Builds raw request bytes.
pub fn raw_request(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    close: bool,
) -> Vec<u8> {
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one response (Content-Length framed) from a stream.
pub fn read_response<S: Read>(s: &mut S) -> std::io::Result<Resp> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..p]).into_owned();
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < p + 4 + len {
                let n = s.read(&mut chunk)?;
                if n == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "short body",
                    ));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(Resp {
                status,
                body: buf[p + 4..p + 4 + len].to_vec(),
            });
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed without a response",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    s
}

/// One request on a fresh connection.
pub fn send(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let mut s = connect(port);
    s.write_all(&raw_request(method, target, headers, body, true))?;
    read_response(&mut s)
}

pub fn post_json(port: u16, target: &str, v: &Value) -> Resp {
    send(
        port,
        "POST",
        target,
        &[("Content-Type", "application/json")],
        v.to_string().as_bytes(),
    )
    .expect("request")
}

pub fn get(port: u16, target: &str) -> Value {
    send(port, "GET", target, &[], b"").expect("request").json()
}

/// POSTs a login with these `data` fields; returns the JSON answer.
pub fn login(port: u16, data: Value) -> Value {
    let r = post_json(
        port,
        "/session/v1/login-request?requestId=rid-1",
        &json!({ "data": data }),
    );
    assert_eq!(r.status, 200, "HTTP status");
    r.json()
}

/// The `data` of a login for `user` in xy12345 with password abc123 plus `extra` fields.
pub fn creds(user: &str, extra: Value) -> Value {
    let mut d = json!({
        "ACCOUNT_NAME": "xy12345", "LOGIN_NAME": user, "PASSWORD": "abc123",
        "CLIENT_APP_ID": "test", "CLIENT_APP_VERSION": "1.0",
    });
    if let (Some(d), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    d
}

pub fn code_of(v: &Value) -> Option<String> {
    v.get("code").and_then(Value::as_str).map(str::to_string)
}

pub fn gzip(b: &[u8]) -> Vec<u8> {
    use flate2::write::GzEncoder;
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).expect("gzip");
    e.finish().expect("gzip")
}
