//! One HTTP/1.1 POST and its answer on a connection of the transport's chain, without ureq's
//! request machinery (used when no proxy applies: `super::Transport::post`).
//!
//! A login is one request on a fresh connection, so most of what a general client does per
//! request is not needed: no header map, no URI rebuilt per query parameter, no redirects, no
//! pool, no decompression. The request is written as one byte string (head and body, built in a
//! buffer that is wiped when dropped), the head of the answer is parsed in place with httparse,
//! and the body is read by `Content-Length`, by chunks, or to the end of the stream, into a
//! buffer that is wiped when dropped. Connecting, TLS, deadlines, the "sent" report and the
//! wiping of the connection's buffers are the chain's (src/transport/tcp.rs, tls.rs and
//! `super::WipingTransport`), as for requests through ureq.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use ureq::unversioned::transport::{NextTimeout, Transport};
use zeroize::Zeroizing;

/// Characters of a query name or value sent as they are (RFC 3986's unreserved ones); every other
/// byte is percent-encoded.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The most headers an answer may have.
const MAX_HEADERS: usize = 64;

/// What a request is made of.
pub(crate) struct Request<'a> {
    /// The `Host` header's value.
    pub host: &'a str,
    pub user_agent: &'a str,
    /// Path of the URL, from its first `/`.
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    /// More headers (the logout's `Authorization`).
    pub headers: &'a [(&'a str, &'a str)],
    /// JSON.
    pub body: &'a [u8],
}

/// A header the request cannot carry (a control character in it would end the header early).
#[derive(Debug)]
pub(crate) struct BadHeader;

impl Request<'_> {
    /// The request's bytes: head and body, in a buffer wiped when dropped (the body holds the
    /// password, a header the session token). Sized up front, so it is never reallocated.
    pub(crate) fn bytes(&self) -> Result<Zeroizing<Vec<u8>>, BadHeader> {
        let clean = |s: &str| !s.bytes().any(|b| b.is_ascii_control() && b != b'\t');
        if !clean(self.host)
            || !clean(self.user_agent)
            || self.headers.iter().any(|(n, v)| !clean(n) || !clean(v))
        {
            return Err(BadHeader);
        }
        // Room for the fixed part of the head; a percent-encoded byte takes three.
        let query: usize = self
            .query
            .iter()
            .map(|(n, v)| 3 * (n.len() + v.len()) + 2)
            .sum();
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum();
        let capacity =
            192 + self.path.len() + query + self.host.len() + self.user_agent.len() + headers;
        let mut head = Zeroizing::new(String::with_capacity(capacity));
        head.push_str("POST ");
        head.push_str(self.path);
        for (i, (name, value)) in self.query.iter().enumerate() {
            head.push(if i == 0 { '?' } else { '&' });
            push_encoded(&mut head, name);
            head.push('=');
            push_encoded(&mut head, value);
        }
        head.push_str(" HTTP/1.1\r\nHost: ");
        head.push_str(self.host);
        head.push_str("\r\nUser-Agent: ");
        head.push_str(self.user_agent);
        head.push_str(
            "\r\nContent-Type: application/json\r\nAccept: application/snowflake\r\nContent-Length: ",
        );
        head.push_str(itoa::Buffer::new().format(self.body.len()));
        head.push_str("\r\n");
        for (name, value) in self.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = Zeroizing::new(Vec::with_capacity(head.len() + self.body.len()));
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(self.body);
        Ok(bytes)
    }
}

/// `part` of a query (a name or a value), percent-encoded (copied as it is when nothing in it
/// needs encoding, as in the request ids, without formatting it piece by piece).
fn push_encoded(head: &mut String, part: &str) {
    head.push_str(&std::borrow::Cow::from(utf8_percent_encode(part, QUERY)));
}

/// Why an answer could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection failed (or its time ran out): ureq's error, as the chain reports it.
    Transport(ureq::Error),
    /// The server's bytes are not a valid HTTP/1.1 answer.
    Invalid(String),
    /// The connection ended before the answer did (where, in words).
    Closed(&'static str),
    /// The body is larger than the limit.
    TooLarge(u64),
}

impl From<ureq::Error> for ReadError {
    fn from(e: ureq::Error) -> Self {
        ReadError::Transport(e)
    }
}

/// How the length of a body is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    /// Up to the end of the stream.
    Close,
}

/// The head of an answer, as far as it matters here.
struct Head {
    status: u16,
    framing: Framing,
    /// Bytes of the input the head took.
    size: usize,
}

/// Parses the head at the start of `input`: `Ok(None)` while it is incomplete.
fn parse_head(input: &[u8]) -> Result<Option<Head>, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut answer = httparse::Response::new(&mut headers);
    let size = match answer.parse(input) {
        Ok(httparse::Status::Complete(size)) => size,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(ReadError::Invalid(e.to_string())),
    };
    let status = answer
        .code
        .ok_or_else(|| ReadError::Invalid("no status".into()))?;
    let mut length = None;
    let mut chunked = false;
    for header in answer.headers.iter() {
        let framing = ["content-length", "transfer-encoding", "content-encoding"]
            .iter()
            .any(|name| header.name.eq_ignore_ascii_case(name));
        if !framing {
            // Any other header is not read (and may hold bytes that are not UTF-8).
            continue;
        }
        let value = std::str::from_utf8(header.value)
            .map_err(|_| ReadError::Invalid(format!("header {} is not text", header.name)))?
            .trim();
        if header.name.eq_ignore_ascii_case("content-length") {
            let n: u64 = value
                .parse()
                .map_err(|_| ReadError::Invalid("invalid Content-Length".into()))?;
            if length.is_some_and(|l| l != n) {
                return Err(ReadError::Invalid("conflicting Content-Length".into()));
            }
            length = Some(n);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked must be the last coding (RFC 9112 §6.3); any other coding is not asked for.
            let codings: Vec<&str> = value.split(',').map(str::trim).collect();
            if codings.iter().any(|c| !c.eq_ignore_ascii_case("chunked")) {
                return Err(ReadError::Invalid(format!("transfer coding '{value}'")));
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("content-encoding")
            && !value.eq_ignore_ascii_case("identity")
        {
            // No Accept-Encoding is sent: a compressed body was not asked for.
            return Err(ReadError::Invalid(format!("content coding '{value}'")));
        }
    }
    let framing = match (chunked, length) {
        (true, _) => Framing::Chunked,
        (false, Some(n)) => Framing::Length(n),
        (false, None) => Framing::Close,
    };
    Ok(Some(Head {
        status,
        framing,
        size,
    }))
}

/// Reads one answer from `conn` (whose request was written), within `timeout()` per wait (the
/// time left of the login's deadline). The body is at most `max_body` bytes. Returns the status
/// and the body; the input it took is consumed (and wiped with the connection's buffers).
pub(crate) fn read_answer(
    conn: &mut dyn Transport,
    timeout: &dyn Fn() -> NextTimeout,
    max_body: u64,
) -> Result<(u16, Zeroizing<Vec<u8>>), ReadError> {
    let head = loop {
        match parse_head(conn.buffers().input())? {
            // An interim answer (100 Continue, 103 Early Hints) precedes the real one.
            Some(head) if (100..200).contains(&head.status) && head.status != 101 => {
                conn.buffers().input_consume(head.size);
            }
            Some(head) => break head,
            None => {
                if conn.buffers().input_append_buf().is_empty() {
                    return Err(ReadError::Invalid("the answer's head is too large".into()));
                }
                if !conn.await_input(timeout())? {
                    return Err(ReadError::Closed(if conn.buffers().input().is_empty() {
                        "closed before an answer"
                    } else {
                        "closed in the answer's head"
                    }));
                }
            }
        }
    };
    conn.buffers().input_consume(head.size);
    let mut body = Body::new(head.framing, max_body)?;
    match head.framing {
        Framing::Length(n) => {
            while (body.bytes.len() as u64) < n {
                let want = usize::try_from(n - body.bytes.len() as u64).unwrap_or(usize::MAX);
                if !take(conn, &mut body, want, timeout)? {
                    return Err(ReadError::Closed("closed in the answer's body"));
                }
            }
        }
        Framing::Close => while take(conn, &mut body, usize::MAX, timeout)? {},
        Framing::Chunked => read_chunks(conn, &mut body, timeout)?,
    }
    Ok((head.status, body.bytes))
}

/// A body being read: wiped when dropped, grown (into a new buffer, the old one wiped) only when
/// the answer did not say its length.
struct Body {
    bytes: Zeroizing<Vec<u8>>,
    max: u64,
}

impl Body {
    fn new(framing: Framing, max: u64) -> Result<Self, ReadError> {
        let capacity = match framing {
            Framing::Length(n) if n > max => return Err(ReadError::TooLarge(max)),
            Framing::Length(n) => usize::try_from(n).unwrap_or(0),
            Framing::Chunked | Framing::Close => 4096,
        };
        Ok(Body {
            bytes: Zeroizing::new(Vec::with_capacity(capacity)),
            max,
        })
    }

    fn push(&mut self, part: &[u8]) -> Result<(), ReadError> {
        let len = self.bytes.len() + part.len();
        if len as u64 > self.max {
            return Err(ReadError::TooLarge(self.max));
        }
        if len > self.bytes.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(len.max(2 * self.bytes.capacity())));
            bigger.extend_from_slice(&self.bytes);
            self.bytes = bigger;
        }
        self.bytes.extend_from_slice(part);
        Ok(())
    }
}

/// Moves up to `want` bytes of input into `body`, reading when none is waiting. `Ok(false)`: the
/// stream ended.
fn take(
    conn: &mut dyn Transport,
    body: &mut Body,
    want: usize,
    timeout: &dyn Fn() -> NextTimeout,
) -> Result<bool, ReadError> {
    if conn.buffers().input().is_empty() && !conn.await_input(timeout())? {
        return Ok(false);
    }
    let input = conn.buffers().input();
    let n = input.len().min(want);
    body.push(&input[..n])?;
    conn.buffers().input_consume(n);
    Ok(true)
}

/// Reads a chunked body (RFC 9112 §7.1) to its last chunk; trailers are not read (nothing more
/// is read from the connection).
fn read_chunks(
    conn: &mut dyn Transport,
    body: &mut Body,
    timeout: &dyn Fn() -> NextTimeout,
) -> Result<(), ReadError> {
    let closed = || ReadError::Closed("closed in the answer's body");
    loop {
        let size = loop {
            match httparse::parse_chunk_size(conn.buffers().input()) {
                Ok(httparse::Status::Complete((used, size))) => {
                    conn.buffers().input_consume(used);
                    break size;
                }
                Ok(httparse::Status::Partial) => {
                    if conn.buffers().input_append_buf().is_empty() {
                        return Err(ReadError::Invalid("a chunk size line is too long".into()));
                    }
                    if !conn.await_input(timeout())? {
                        return Err(closed());
                    }
                }
                Err(_) => return Err(ReadError::Invalid("invalid chunk size".into())),
            }
        };
        if size == 0 {
            return Ok(());
        }
        if body.bytes.len() as u64 + size > body.max {
            return Err(ReadError::TooLarge(body.max));
        }
        let end = body.bytes.len() + usize::try_from(size).unwrap_or(usize::MAX);
        while body.bytes.len() < end {
            if !take(conn, body, end - body.bytes.len(), timeout)? {
                return Err(closed());
            }
        }
        // The CRLF after the chunk's data.
        while conn.buffers().input().len() < 2 {
            if conn.buffers().input_append_buf().is_empty() || !conn.await_input(timeout())? {
                return Err(closed());
            }
        }
        if &conn.buffers().input()[..2] != b"\r\n" {
            return Err(ReadError::Invalid("no CRLF after a chunk".into()));
        }
        conn.buffers().input_consume(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use ureq::unversioned::transport::{Buffers, LazyBuffers};

    /// A connection that hands out `parts` one per read, then the end of the stream.
    #[derive(Debug)]
    struct Canned {
        buffers: LazyBuffers,
        parts: std::collections::VecDeque<Vec<u8>>,
    }

    impl Transport for Canned {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            let Some(mut part) = self.parts.pop_front() else {
                return Ok(false);
            };
            let room = self.buffers.input_append_buf();
            let n = room.len().min(part.len());
            room[..n].copy_from_slice(&part[..n]);
            self.buffers.input_appended(n);
            if n < part.len() {
                self.parts.push_front(part.split_off(n));
            }
            Ok(true)
        }
        fn is_open(&mut self) -> bool {
            false
        }
    }

    fn read(parts: &[&[u8]]) -> Result<(u16, Vec<u8>), ReadError> {
        let mut conn = Canned {
            buffers: LazyBuffers::new(1024, 64),
            parts: parts.iter().map(|p| p.to_vec()).collect(),
        };
        let timeout = || NextTimeout {
            after: Duration::from_secs(5).into(),
            reason: ureq::Timeout::Global,
            ..NextTimeout::default()
        };
        read_answer(&mut conn, &timeout, 100).map(|(s, b)| (s, b.to_vec()))
    }

    #[test]
    fn the_request_is_one_byte_string_with_its_query_encoded() {
        let query = [
            ("request_id", "a-1".to_owned()),
            ("roleName", "my role&x=1".to_owned()),
        ];
        let request = Request {
            host: "h.example:8080",
            user_agent: "sfmfa/1",
            path: "/session/v1/login-request",
            query: &query,
            headers: &[("Authorization", "Snowflake Token=\"t\"")],
            body: b"{\"data\":{}}",
        };
        let bytes = request.bytes().unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert_eq!(
            text,
            "POST /session/v1/login-request?request_id=a-1&roleName=my%20role%26x%3D1 HTTP/1.1\r\n\
             Host: h.example:8080\r\nUser-Agent: sfmfa/1\r\nContent-Type: application/json\r\n\
             Accept: application/snowflake\r\nContent-Length: 11\r\n\
             Authorization: Snowflake Token=\"t\"\r\n\r\n{\"data\":{}}"
        );
        assert!(bytes.capacity() == bytes.len(), "sized up front");
    }

    #[test]
    fn a_header_with_a_line_break_is_refused() {
        let request = Request {
            host: "h",
            user_agent: "u",
            path: "/",
            query: &[],
            headers: &[("Authorization", "x\r\nEvil: 1")],
            body: b"",
        };
        assert!(request.bytes().is_err());
    }

    #[test]
    fn answers_framed_by_length_by_chunks_and_by_close_are_read_whole() {
        let by_length: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nContent-Le",
            b"ngth: 5\r\n\r\nhel",
            b"lo",
        ];
        assert_eq!(read(by_length).unwrap(), (200, b"hello".to_vec()));
        let chunked: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r",
            b"\n2;ext=1\r\nlo\r\n0\r\n\r\n",
        ];
        assert_eq!(read(chunked).unwrap(), (200, b"hello".to_vec()));
        let latin1: &[&[u8]] =
            &[b"HTTP/1.1 200 OK\r\nX-Note: caf\xe9\r\nContent-Length: 2\r\n\r\nok"];
        assert_eq!(read(latin1).unwrap(), (200, b"ok".to_vec()));
        let by_close: &[&[u8]] = &[b"HTTP/1.1 503 Busy\r\n\r\nhel", b"lo"];
        assert_eq!(read(by_close).unwrap(), (503, b"hello".to_vec()));
        let interim: &[&[u8]] =
            &[b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"];
        assert_eq!(read(interim).unwrap(), (200, Vec::new()));
    }

    #[test]
    fn broken_and_oversized_answers_are_errors() {
        let early: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhel"];
        assert!(matches!(read(early), Err(ReadError::Closed(_))));
        assert!(matches!(read(&[]), Err(ReadError::Closed(_))));
        let in_head: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\nContent-"];
        assert!(matches!(read(in_head), Err(ReadError::Closed(_))));
        assert!(matches!(
            read(&[b"garbage\r\n\r\n"]),
            Err(ReadError::Invalid(_))
        ));
        let big: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n"];
        assert!(matches!(read(big), Err(ReadError::TooLarge(100))));
        let gzip: &[&[u8]] =
            &[b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx"];
        assert!(matches!(read(gzip), Err(ReadError::Invalid(_))));
        let conflict: &[&[u8]] =
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy"];
        assert!(matches!(read(conflict), Err(ReadError::Invalid(_))));
        let huge_chunk: &[&[u8]] =
            &[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfff\r\n"];
        assert!(matches!(read(huge_chunk), Err(ReadError::TooLarge(100))));
        let head = vec![b'x'; 2048];
        let too_long: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\nX: ", &head[..1000], &head[..100]];
        assert!(matches!(read(too_long), Err(ReadError::Invalid(_))));
    }
}
