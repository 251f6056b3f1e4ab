//! Minimal HTTP/1.1 for the emulator: request parsing (httparse; Content-Length and chunked
//! bodies, `Expect: 100-continue`, size limits) and response writing.

use std::io::{self, Read, Write};

use serde_json::Value;

/// Largest accepted request head (request line + headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body (after de-chunking; before gunzip).
pub const MAX_BODY: usize = 1024 * 1024;

/// Largest body accepted after gunzip (a gzip bomb must not exhaust memory).
const MAX_INFLATED: u64 = 4 * 1024 * 1024;

/// A request body, decompressed when it starts with the gzip magic `1f 8b` (with or without
/// Content-Encoding: the Python drivers gzip every POST body).
pub fn decode_body(body: &[u8]) -> Result<Vec<u8>, &'static str> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(body)
            .take(MAX_INFLATED + 1)
            .read_to_end(&mut out)
            .map_err(|_| "invalid gzip body")?;
        if out.len() as u64 > MAX_INFLATED {
            return Err("request body too large");
        }
        Ok(out)
    } else {
        Ok(body.to_vec())
    }
}

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method, e.g. `POST`.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    /// Headers as sent.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
}

impl Request {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First query parameter with this name.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The token of an `Authorization: Snowflake Token="..."` header.
    pub fn snowflake_token(&self) -> Option<&str> {
        let v = self.header("authorization")?.trim();
        let rest = v.strip_prefix("Snowflake")?.trim_start();
        let rest = rest.strip_prefix("Token=")?;
        Some(rest.trim_matches('"'))
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: v.to_string().into_bytes(),
        }
    }

    /// A response with a raw body.
    pub fn raw(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// What the connection does with a request.
#[derive(Debug)]
pub enum Reply {
    /// Write this response.
    Send(Response),
    /// Close the socket without answering.
    Drop,
    /// Write this response, close, and stop the emulator.
    SendThenStop(Response),
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed, or the idle timeout fired: close quietly.
    Closed,
    /// Malformed or oversized: answer this status with the message, then close.
    Bad(u16, &'static str),
}

/// Reason phrase of a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Writes a response with Content-Length and the Connection header.
pub fn write_response<W: Write>(w: &mut W, resp: &Response, keep_alive: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(&resp.body);
    w.write_all(&out)?;
    w.flush()
}

/// Reads more bytes into `buf`; Ok(false) on EOF.
fn fill<S: Read>(s: &mut S, buf: &mut Vec<u8>) -> Result<bool, ReadError> {
    let mut chunk = [0u8; 16 * 1024];
    match s.read(&mut chunk) {
        Ok(0) => Ok(false),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(true),
        Err(_) => Err(ReadError::Closed),
    }
}

/// Percent-decodes a query component (`+` is a space).
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode(v)),
            None => (url_decode(p), String::new()),
        })
        .collect()
}

/// Reads one request from `s`. `buf` carries bytes already read past the previous request.
pub fn read_request<S: Read + Write>(s: &mut S, buf: &mut Vec<u8>) -> Result<Request, ReadError> {
    // The head.
    let (head_len, method, target, headers, minor) = loop {
        let mut hdrs = [httparse::EMPTY_HEADER; 128];
        let mut req = httparse::Request::new(&mut hdrs);
        match req.parse(buf) {
            Ok(httparse::Status::Complete(n)) => {
                let method = req.method.unwrap_or("").to_string();
                let target = req.path.unwrap_or("/").to_string();
                let minor = req.version.unwrap_or(1);
                let headers: Vec<(String, String)> = req
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                break (n, method, target, headers, minor);
            }
            Ok(httparse::Status::Partial) => {
                if buf.len() > MAX_HEAD {
                    return Err(ReadError::Bad(400, "request head too large"));
                }
                if !fill(s, buf)? {
                    return Err(ReadError::Closed);
                }
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(ReadError::Bad(400, "too many headers"));
            }
            Err(_) => return Err(ReadError::Bad(400, "malformed HTTP request")),
        }
    };
    if head_len > MAX_HEAD {
        return Err(ReadError::Bad(400, "request head too large"));
    }
    buf.drain(..head_len);

    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let connection = find("connection").unwrap_or_default().to_ascii_lowercase();
    let keep_alive = if minor == 0 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let chunked = find("transfer-encoding")
        .map(|v| v.to_ascii_lowercase().contains("chunked"))
        .unwrap_or(false);
    let content_length = match find("content-length") {
        Some(v) => Some(
            v.parse::<usize>()
                .map_err(|_| ReadError::Bad(400, "invalid Content-Length"))?,
        ),
        None => None,
    };
    if content_length.is_some_and(|n| n > MAX_BODY) {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    let expects_continue = find("expect")
        .map(|v| v.eq_ignore_ascii_case("100-continue"))
        .unwrap_or(false);
    if expects_continue && (chunked || content_length.unwrap_or(0) > 0) && buf.is_empty() {
        // curl and others wait for this before sending large bodies.
        let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = s.flush();
    }

    let body = if chunked {
        read_chunked(s, buf)?
    } else {
        let n = content_length.unwrap_or(0);
        while buf.len() < n {
            if !fill(s, buf)? {
                return Err(ReadError::Closed);
            }
        }
        buf.drain(..n).collect()
    };

    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (target, Vec::new()),
    };
    Ok(Request {
        method,
        path,
        query,
        headers,
        body,
        keep_alive,
    })
}

/// Decodes a chunked body from `buf` (reading more as needed); trailers are skipped.
fn read_chunked<S: Read>(s: &mut S, buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        // Chunk-size line.
        let line_end = loop {
            if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                break p;
            }
            if buf.len() > MAX_HEAD {
                return Err(ReadError::Bad(400, "malformed chunk"));
            }
            if !fill(s, buf)? {
                return Err(ReadError::Closed);
            }
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_str = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_str, 16)
            .map_err(|_| ReadError::Bad(400, "malformed chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers until an empty line.
            loop {
                if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                    buf.drain(..p + 2);
                    if p == 0 {
                        return Ok(body);
                    }
                    continue;
                }
                if buf.len() > MAX_HEAD {
                    return Err(ReadError::Bad(400, "malformed trailers"));
                }
                if !fill(s, buf)? {
                    return Err(ReadError::Closed);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Bad(413, "request body too large"));
        }
        while buf.len() < size + 2 {
            if !fill(s, buf)? {
                return Err(ReadError::Closed);
            }
        }
        body.extend_from_slice(&buf[..size]);
        if &buf[size..size + 2] != b"\r\n" {
            return Err(ReadError::Bad(400, "malformed chunk"));
        }
        buf.drain(..size + 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_detected_by_magic() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"{\"a\":1}").unwrap_or_default();
        let gz = e.finish().unwrap_or_default();
        assert_eq!(decode_body(&gz).as_deref(), Ok(&b"{\"a\":1}"[..]));
        assert_eq!(decode_body(b"{}").as_deref(), Ok(&b"{}"[..]));
        assert!(decode_body(&[0x1f, 0x8b, 0, 1]).is_err());
    }

    struct Mem(std::io::Cursor<Vec<u8>>, Vec<u8>);
    impl Read for Mem {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            self.0.read(b)
        }
    }
    impl Write for Mem {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.1.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn parses_content_length_and_pipelined() {
        let raw = b"POST /a?x=1&y=a%20b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
        let mut m = Mem(std::io::Cursor::new(raw.to_vec()), Vec::new());
        let mut buf = Vec::new();
        let r = read_request(&mut m, &mut buf).expect("first");
        assert_eq!(r.path, "/a");
        assert_eq!(r.query("y"), Some("a b"));
        assert_eq!(r.body, b"abc");
        assert!(r.keep_alive);
        let r2 = read_request(&mut m, &mut buf).expect("second");
        assert_eq!(r2.path, "/b");
        assert!(!r2.keep_alive);
    }

    #[test]
    fn parses_chunked() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let mut m = Mem(std::io::Cursor::new(raw.to_vec()), Vec::new());
        let mut buf = Vec::new();
        let r = read_request(&mut m, &mut buf).expect("chunked");
        assert_eq!(r.body, b"abcde");
    }

    #[test]
    fn rejects_garbage_and_huge_bodies() {
        let mut m = Mem(
            std::io::Cursor::new(b"\x01\x02 nonsense\r\n\r\n".to_vec()),
            Vec::new(),
        );
        assert!(matches!(
            read_request(&mut m, &mut Vec::new()),
            Err(ReadError::Bad(400, _))
        ));
        let raw = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        let mut m = Mem(std::io::Cursor::new(raw.into_bytes()), Vec::new());
        assert!(matches!(
            read_request(&mut m, &mut Vec::new()),
            Err(ReadError::Bad(413, _))
        ));
    }

    #[test]
    fn url_decoding_edge_cases() {
        assert_eq!(url_decode("a%2"), "a%2");
        assert_eq!(url_decode("%zz"), "%zz");
        assert_eq!(url_decode("%41"), "A");
    }
}
