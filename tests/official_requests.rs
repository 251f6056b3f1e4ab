//! Compares the login request sfmfa sends in each mode, field by field, with what the official
//! drivers sent in the same mode (`tests/data/official-driver-login-requests.json`: python =
//! snowflake-connector-python 5.2.0, python4 = 4.8.1, node = snowflake-sdk 3.3.0), and documents
//! every deliberate difference.
//!
//! A capture server inside the test records sfmfa's first login request per mode. The fields
//! compared are the union, over sfmfa and the driver, of the keys of `data` (`SESSION_PARAMETERS`
//! key by key, `CLIENT_ENVIRONMENT` and `CLIENT_CAPABILITIES` as whole values), the query keys (ids
//! vary per request, so only keys are compared), the method and path, and the headers
//! content-type, accept, user-agent, authorization and content-encoding. Each field is equal, or
//! listed in [`DIFFERENCES`], or the test fails. An entry of [`DIFFERENCES`] that no comparison
//! uses fails the test too, so the list below stays true.
//!
//! # Deliberate differences (docs/protocol.md §1, §2, §6)
//!
//! | field | sfmfa sends | the drivers send | why |
//! |---|---|---|---|
//! | `data.CLIENT_APP_ID` | `"sfmfa"` | `"PythonConnector"`, `"JavaScript"` | names the client; sfmfa is not an official driver |
//! | `data.CLIENT_APP_VERSION` | sfmfa's version | the driver's version | same |
//! | `data.CLIENT_ENVIRONMENT` | APPLICATION, OS, ISA, LOGIN_TIMEOUT, BINDING, and every key all drivers send (OS_VERSION, OS_DETAILS, LIBC_FAMILY, LIBC_VERSION, CORE_VERSION, APPLICATION_PATH, CERT_REVOCATION_CHECK_MODE) | runtime details | free-form, keys vary by driver, not validated (§2.1); a key all three drivers send is checked for presence and JSON type |
//! | `data.SVN_REVISION` | absent | python: `null` | python's build revision, always null; node omits it too |
//! | `data.CLIENT_CAPABILITIES` | absent | python 5: `{"SMK_ID_AS_STRING": true}` | about query results; sfmfa runs no query (§2.1) |
//! | `data.AUTHENTICATOR`, password | absent | node: `"SNOWFLAKE"` | absence means SNOWFLAKE; python 4/5, go, jdbc, libsfc omit it (§0, §2.1) |
//! | `data.AUTHENTICATOR`, MFA authenticator | `"USERNAME_PASSWORD_MFA"` | python 4: absent | like node and python 5 / sf_core; the server accepts both (§0) |
//! | `data.AUTHENTICATOR`, passcode with the default authenticator | absent | node: `"USERNAME_PASSWORD_MFA"` | node forces the MFA authenticator for any passcode; sfmfa keeps the user's choice, like python, go, jdbc (§2.2, §6) |
//! | `data.EXT_AUTHN_DUO_METHOD`, password | `"push"` | python 4, node: absent | asked for explicitly with every authenticator, like python 5, jdbc, libsfc, .NET: required on MFA-enforced accounts (§2.2) |
//! | `data.EXT_AUTHN_DUO_METHOD`, push | `"push"` | python 4: absent | explicit, like python 5, node, jdbc, libsfc; absent means push to the server (§0, §2.2) |
//! | `data.PASSWORD`, passcode in password | `"abc123987654"` | python 5: `"abc123"` | python 5.2.0 quirk: it splits the password itself; every other driver sends it whole and the server splits (§6) |
//! | `data.PASSCODE`, passcode in password | absent | python 5: `"987654"` | the same python 5.2.0 quirk (§6) |
//! | `data.passcodeInPassword` | absent | node: `true` | the server recognises the mode by method `passcode` without `PASSCODE`; python, go, jdbc send no flag (§0, §2.2) |
//! | `data.SESSION_PARAMETERS.CLIENT_REQUEST_MFA_TOKEN` | always: `true` with the MFA authenticator (caching on by default), `false` otherwise | node: `false`; python 4: `false`, python 5: `true` with the MFA authenticator | sfmfa caches by default on every OS, Linux included (§2.1, §4) |
//! | `data.SESSION_PARAMETERS.CLIENT_STORE_TEMPORARY_CREDENTIAL` | absent | node: `false`; python 5: `true` with the MFA authenticator | the flag is about ID tokens (SSO), which sfmfa never stores; `CLIENT_REQUEST_MFA_TOKEN` asks for the MFA token |
//! | `data.SESSION_PARAMETERS.CLIENT_APPLICATION_PATH`, `CLIENT_COMPILER`, `CLIENT_RUNTIME_NAME`, `CLIENT_RUNTIME_VERSION` | absent | python 5 | describe the Python runtime and script; sfmfa's runtime is in CLIENT_ENVIRONMENT |
//! | `data.SESSION_PARAMETERS.CLIENT_PREFETCH_THREADS` | absent | python 4: `4` | a query-result download setting; sfmfa runs no query |
//! | `query.request_id` | a UUID | python 5: absent; node: `requestId` | sfmfa uses `request_id` like python 4 and libsfc; node, jdbc, go say `requestId` (§1.1) |
//! | `query.request_guid` | a UUID | python 4 and 5: absent | python 4 adds it only for `*.snowflakecomputing.com` hosts, python 5 never; node, jdbc, go, libsfc always (§1.1) |
//! | `query.databaseName`, `schemaName`, `warehouse`, `roleName` | only when set | python 5: always, empty | like python 4, node, jdbc, go (§1.1) |
//! | header `accept` | `application/snowflake` | node: `application/json` | like python, go, libsfc, sf_core (§1.2) |
//! | header `user-agent` | `sfmfa/<ver> (<os>-<arch>) <binding>/<ver>` | the driver's | names the client, in go's and sf_core's format (§1.2) |
//! | header `authorization` | absent | python: `Snowflake Token="None"` | a login has no token yet; python's header is an artefact, node and go send none (§1.2) |
//! | header `content-encoding` | absent (plain JSON) | python 4: `gzip` | like python 5, node, jdbc, go, libsfc; the body is a few hundred bytes (§1.2) |
//!
//! The fields that must be equal (`ACCOUNT_NAME`, `LOGIN_NAME`, `PASSWORD`, `EXT_AUTHN_DUO_METHOD`,
//! `PASSCODE`) may differ only for a named driver and mode, must agree with at least two of the
//! three drivers, and are checked against the values each mode requires.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const CAPTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/official-driver-login-requests.json"
);

const LOGIN_PATH: &str = "/session/v1/login-request";

/// The drivers of the captures.
const DRIVERS: &[&str] = &["python", "python4", "node"];

/// The headers compared (lower case).
const HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "user-agent",
    "authorization",
    "content-encoding",
];

/// Fields that carry the credentials and the second factor: a difference must name one driver and
/// explicit modes, never `*`.
const MUST_EQUAL: &[&str] = &[
    "data.ACCOUNT_NAME",
    "data.LOGIN_NAME",
    "data.PASSWORD",
    "data.EXT_AUTHN_DUO_METHOD",
    "data.PASSCODE",
];

/// Fields of [`MUST_EQUAL`] where sfmfa sides with fewer than two of the three captured drivers,
/// deliberately: (field, mode, why).
const MINORITY_BY_DESIGN: &[(&str, &str, &str)] = &[(
    "data.EXT_AUTHN_DUO_METHOD",
    "password",
    "\"push\" with every authenticator, as python 5 (sf_core), jdbc, libsfc (ODBC) and .NET send it; python 4 and node omit it",
)];

/// Documented deliberate differences: (field, driver, mode, why). Each of the first three columns
/// is `*` (any) or a `|`-separated list of names. See the table at the top of the file.
const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "data.CLIENT_APP_ID",
        "*",
        "*",
        "names the client: sfmfa is not one of the official drivers and sends \"sfmfa\"",
    ),
    (
        "data.CLIENT_APP_VERSION",
        "*",
        "*",
        "sfmfa's own version, not a driver's",
    ),
    (
        "data.CLIENT_ENVIRONMENT",
        "*",
        "*",
        "free-form description of the client; keys vary by driver and the server does not validate them (docs/protocol.md §2.1)",
    ),
    (
        "data.SVN_REVISION",
        "python|python4",
        "*",
        "python's build revision, always null; sfmfa has none and omits it, like node",
    ),
    (
        "data.CLIENT_CAPABILITIES",
        "python",
        "*",
        "sf_core's SMK_ID_AS_STRING is about query results; sfmfa runs no query (docs/protocol.md §2.1)",
    ),
    (
        "data.AUTHENTICATOR",
        "node",
        "password",
        "node sends \"SNOWFLAKE\"; sfmfa omits it for the snowflake authenticator like python 4/5, go, jdbc, libsfc: absent means SNOWFLAKE (docs/protocol.md §0, §2.1)",
    ),
    (
        "data.AUTHENTICATOR",
        "python4",
        "push|passcode|passcode_in_password_mfa_auth",
        "python 4 omits it for username_password_mfa (like jdbc, go); sfmfa sends \"USERNAME_PASSWORD_MFA\" like node and python 5; the server accepts both (docs/protocol.md §0)",
    ),
    (
        "data.AUTHENTICATOR",
        "node",
        "passcode_default_auth|passcode_in_password",
        "node forces USERNAME_PASSWORD_MFA whenever a passcode is used; sfmfa keeps the authenticator the user chose, like python 4/5, go, jdbc (docs/protocol.md §2.2, §6)",
    ),
    (
        "data.EXT_AUTHN_DUO_METHOD",
        "python4|node",
        "password",
        "python 4, node and go send no Duo method with the default authenticator; sfmfa asks for the push explicitly like python 5 (sf_core), jdbc, libsfc (ODBC) and .NET: a login without it is reported to fail on MFA-enforced accounts (docs/protocol.md §2.2)",
    ),
    (
        "data.EXT_AUTHN_DUO_METHOD",
        "python4",
        "push",
        "python 4 (and go) omit the method for push, the server default; sfmfa sends \"push\" explicitly like python 5, node, jdbc, libsfc (docs/protocol.md §2.2)",
    ),
    (
        "data.PASSWORD",
        "python",
        "passcode_in_password|passcode_in_password_mfa_auth",
        "python 5.2.0 quirk: it splits password and passcode itself; every other driver sends the password whole and the server splits it (docs/protocol.md §6)",
    ),
    (
        "data.PASSCODE",
        "python",
        "passcode_in_password|passcode_in_password_mfa_auth",
        "the same python 5.2.0 quirk: the last 6 digits of the password sent as PASSCODE (docs/protocol.md §6)",
    ),
    (
        "data.passcodeInPassword",
        "node",
        "passcode_in_password|passcode_in_password_mfa_auth",
        "node (and libsfc) add passcodeInPassword: true; the server recognises the mode by EXT_AUTHN_DUO_METHOD=passcode without PASSCODE, as python, go, jdbc rely on (docs/protocol.md §0, §2.2)",
    ),
    (
        "data.SESSION_PARAMETERS.CLIENT_REQUEST_MFA_TOKEN",
        "*",
        "*",
        "sfmfa always sends CLIENT_REQUEST_MFA_TOKEN (like node): true with the MFA authenticator because caching is on by default on every OS (like python 5.2.0), false otherwise; node sends false unless told, python 4 false by default on Linux, python 5 omits it for the plain password",
    ),
    (
        "data.SESSION_PARAMETERS.CLIENT_STORE_TEMPORARY_CREDENTIAL",
        "*",
        "*",
        "CLIENT_STORE_TEMPORARY_CREDENTIAL is about ID tokens (SSO), which sfmfa never stores; CLIENT_REQUEST_MFA_TOKEN alone asks for the MFA token. node always sends false, python 5.2.0 true with the MFA authenticator",
    ),
    (
        "data.SESSION_PARAMETERS.CLIENT_APPLICATION_PATH|data.SESSION_PARAMETERS.CLIENT_COMPILER|data.SESSION_PARAMETERS.CLIENT_RUNTIME_NAME|data.SESSION_PARAMETERS.CLIENT_RUNTIME_VERSION",
        "python",
        "*",
        "python 5 describes its Python runtime and script here; sfmfa's runtime is described in CLIENT_ENVIRONMENT",
    ),
    (
        "data.SESSION_PARAMETERS.CLIENT_PREFETCH_THREADS",
        "python4",
        "*",
        "a query-result download setting; sfmfa runs no query",
    ),
    (
        "query.request_id",
        "python",
        "*",
        "python 5 (sf_core) sends no request id; sfmfa sends request_id like python 4 and libsfc (docs/protocol.md §1.1)",
    ),
    (
        "query.request_id|query.requestId",
        "node",
        "*",
        "node names it requestId (like jdbc, go); sfmfa uses request_id like python 4 and libsfc (docs/protocol.md §1.1)",
    ),
    (
        "query.request_guid",
        "python|python4",
        "*",
        "python 4 adds request_guid only for *.snowflakecomputing.com hosts, python 5 never; sfmfa always sends it, like node, jdbc, go, libsfc (docs/protocol.md §1.1)",
    ),
    (
        "query.databaseName|query.schemaName|query.warehouse|query.roleName",
        "python",
        "*",
        "python 5 (sf_core) always sends the session context, empty when unset; sfmfa only when set, like python 4, node, jdbc, go (docs/protocol.md §1.1)",
    ),
    (
        "header.accept",
        "node",
        "*",
        "node sends application/json; sfmfa sends application/snowflake like python, go, libsfc (docs/protocol.md §1.2)",
    ),
    (
        "header.user-agent",
        "*",
        "*",
        "names the client: sfmfa/<version> (<os>-<arch>) <binding>/<version>, go's and sf_core's format (docs/protocol.md §1.2)",
    ),
    (
        "header.authorization",
        "python|python4",
        "*",
        "python sends Snowflake Token=\"None\", an artefact of its auth class; a login has no token yet, and node and go send none (docs/protocol.md §1.2)",
    ),
    (
        "header.content-encoding",
        "python4",
        "*",
        "python 4 gzips every POST body; sfmfa sends plain JSON like python 5, node, jdbc, go, libsfc (docs/protocol.md §1.2)",
    ),
];

/// One mode: capture name, the description the captures give, sfmfa's options besides account,
/// user and password abc123, and what sfmfa must send in it.
struct Mode {
    name: &'static str,
    description: &'static str,
    options: &'static [(&'static str, &'static str)],
    password: &'static str,
    duo_method: Option<&'static str>,
    passcode: Option<&'static str>,
    authenticator: Option<&'static str>,
}

const MFA: (&str, &str) = ("authenticator", "username_password_mfa");
const PIP: (&str, &str) = ("passcode_in_password", "on");

const MODES: &[Mode] = &[
    Mode {
        name: "password",
        description: "plain password, default authenticator",
        options: &[],
        password: "abc123",
        duo_method: Some("push"),
        passcode: None,
        authenticator: None,
    },
    Mode {
        name: "push",
        description: "authenticator=username_password_mfa, no passcode (Duo push)",
        options: &[MFA],
        password: "abc123",
        duo_method: Some("push"),
        passcode: None,
        authenticator: Some("USERNAME_PASSWORD_MFA"),
    },
    Mode {
        name: "passcode",
        description: "authenticator=username_password_mfa + passcode=987654",
        options: &[MFA, ("passcode", "987654")],
        password: "abc123",
        duo_method: Some("passcode"),
        passcode: Some("987654"),
        authenticator: Some("USERNAME_PASSWORD_MFA"),
    },
    Mode {
        name: "passcode_default_auth",
        description: "default authenticator + passcode=987654",
        options: &[("passcode", "987654")],
        password: "abc123",
        duo_method: Some("passcode"),
        passcode: Some("987654"),
        authenticator: None,
    },
    Mode {
        name: "passcode_in_password",
        description: "default authenticator + passcode_in_password, password=abc123987654",
        options: &[PIP],
        password: "abc123987654",
        duo_method: Some("passcode"),
        passcode: None,
        authenticator: None,
    },
    Mode {
        name: "passcode_in_password_mfa_auth",
        description: "authenticator=username_password_mfa + passcode_in_password, password=abc123987654",
        options: &[MFA, PIP],
        password: "abc123987654",
        duo_method: Some("passcode"),
        passcode: None,
        authenticator: Some("USERNAME_PASSWORD_MFA"),
    },
];

// ---------------------------------------------------------------------------------------------
// The capture server.

/// One HTTP request as the capture server saw it.
#[derive(Debug)]
struct Captured {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    headers: BTreeMap<String, String>,
    body: Value,
}

/// A canned success answer, shaped like the captures' `response_body`.
fn success_body() -> String {
    json!({
        "data": {
            "masterToken": "MASTER-TOKEN-1",
            "token": "SESSION-TOKEN-1",
            "validityInSeconds": 3600,
            "masterValidityInSeconds": 14400,
            "displayUserName": "DEMO",
            "serverVersion": "8.0.0",
            "firstLogin": false,
            "remMeToken": null,
            "remMeValidityInSeconds": 0,
            "healthCheckInterval": 45,
            "newClientForUpgrade": null,
            "sessionId": 1001,
            "parameters": [],
            "sessionInfo": {
                "databaseName": null,
                "schemaName": null,
                "warehouseName": null,
                "roleName": "PUBLIC"
            },
            "idToken": null,
            "idTokenValidityInSeconds": 0,
            "responseData": null,
            "mfaToken": null,
            "mfaTokenValidityInSeconds": 0
        },
        "code": null,
        "message": null,
        "success": true
    })
    .to_string()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads one HTTP/1.1 request from `stream` and answers 200 with [`success_body`].
fn serve_one(stream: TcpStream) -> Result<Captured, String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| format!("request line: {e}"))?;
    let mut parts = line.split_whitespace();
    let method = parts.next().ok_or("no method")?.to_owned();
    let target = parts.next().ok_or("no target")?.to_owned();
    let (path, query_text) = target.split_once('?').unwrap_or((&target, ""));
    let query = query_text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let mut headers = BTreeMap::new();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("header: {e}"))?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (name, value) = l
            .split_once(':')
            .ok_or_else(|| format!("bad header {l:?}"))?;
        headers
            .entry(name.trim().to_ascii_lowercase())
            .or_insert_with(|| value.trim().to_owned());
    }
    if headers.contains_key("transfer-encoding") {
        return Err("chunked body: expected Content-Length".into());
    }
    let len: usize = headers
        .get("content-length")
        .ok_or("no Content-Length")?
        .parse()
        .map_err(|e| format!("Content-Length: {e}"))?;
    let mut raw = vec![0; len];
    reader
        .read_exact(&mut raw)
        .map_err(|e| format!("body: {e}"))?;
    let body: Value = serde_json::from_slice(&raw).map_err(|e| format!("body is not JSON: {e}"))?;
    let answer = success_body();
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
    let stream = reader.get_mut();
    stream
        .write_all(response.as_bytes())
        .and_then(|()| stream.flush())
        .map_err(|e| format!("answer: {e}"))?;
    Ok(Captured {
        method,
        path: path.to_owned(),
        query,
        headers,
        body,
    })
}

/// Starts the capture server: its port, and the requests it records.
fn capture_server() -> (u16, mpsc::Receiver<Result<Captured, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let record = stream.map_err(|e| e.to_string()).and_then(serve_one);
            if tx.send(record).is_err() {
                break;
            }
        }
    });
    (port, rx)
}

// ---------------------------------------------------------------------------------------------
// Field extraction and comparison.

/// The comparable fields of a request: path → value (absent fields are not in the map).
fn fields(
    method: &str,
    path: &str,
    query_keys: &[String],
    headers: &BTreeMap<String, String>,
    body: &Value,
) -> BTreeMap<String, Value> {
    let mut f = BTreeMap::new();
    f.insert("request.method".to_owned(), json!(method));
    f.insert("request.path".to_owned(), json!(path));
    if let Some(top) = body.as_object() {
        for (k, v) in top {
            if k != "data" {
                f.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(data) = body.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            match v.as_object() {
                Some(params) if k == "SESSION_PARAMETERS" => {
                    for (pk, pv) in params {
                        f.insert(format!("data.SESSION_PARAMETERS.{pk}"), pv.clone());
                    }
                }
                _ => {
                    f.insert(format!("data.{k}"), v.clone());
                }
            }
        }
    }
    for k in query_keys {
        f.insert(format!("query.{k}"), json!("(present)"));
    }
    for h in HEADERS {
        if let Some(v) = headers.get(*h) {
            f.insert(format!("header.{h}"), json!(v));
        }
    }
    f
}

/// The fields of a driver's capture.
fn capture_fields(req: &Value) -> BTreeMap<String, Value> {
    let query_keys: Vec<String> = req["query"]
        .as_object()
        .map(|q| q.keys().cloned().collect())
        .unwrap_or_default();
    let mut headers = BTreeMap::new();
    for h in req["headers"].as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (h[0].as_str(), h[1].as_str()) {
            headers
                .entry(k.to_ascii_lowercase())
                .or_insert_with(|| v.to_owned());
        }
    }
    fields(
        req["method"].as_str().unwrap_or_default(),
        req["path_only"].as_str().unwrap_or_default(),
        &query_keys,
        &headers,
        &req["body_json"],
    )
}

fn matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern.split('|').any(|p| p == value)
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 100 {
                format!("{}…", s.chars().take(100).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// The first login request of process 1 of `captures[<driver>_<mode>]`.
fn driver_request<'a>(captures: &'a Value, driver: &str, mode: &Mode) -> &'a Value {
    let name = format!("{driver}_{}", mode.name);
    let capture = &captures[&name];
    assert!(capture.is_object(), "no capture {name}");
    assert_eq!(capture["driver"], driver, "{name}: driver");
    assert_eq!(capture["mode"], mode.name, "{name}: mode");
    assert_eq!(
        capture["description"], mode.description,
        "{name}: sfmfa is configured for another mode than the capture"
    );
    capture["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["process"] == 1 && r["path_only"] == LOGIN_PATH)
        .unwrap_or_else(|| panic!("{name}: no login request in process 1"))
}

/// Logs sfmfa in once in `mode` against the capture server and returns its login request.
fn sfmfa_request(
    port: u16,
    rx: &mpsc::Receiver<Result<Captured, String>>,
    mode: &Mode,
) -> Captured {
    let mut cfg = sfmfa::Config::new();
    for (k, v) in [
        ("protocol", "http"),
        ("host", "127.0.0.1"),
        ("port", &port.to_string()),
        ("account", "xy12345"),
        ("user", "demo"),
        ("password", mode.password),
        ("login_timeout", "20"),
        // Caching stays on (the default request), but in memory: nothing outside the test.
        ("token_cache", "memory"),
    ]
    .iter()
    .chain(mode.options)
    {
        cfg.set(k, v).unwrap();
    }
    let session = sfmfa::Client::new(cfg)
        .and_then(|c| c.login())
        .unwrap_or_else(|e| panic!("{}: login failed: {e}", mode.name));
    assert_eq!(session.session_id(), 1001, "{}: canned answer", mode.name);
    let req = rx
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{}: no request captured: {e}", mode.name))
        .unwrap_or_else(|e| panic!("{}: capture failed: {e}", mode.name));
    assert!(
        rx.try_recv().is_err(),
        "{}: sfmfa sent more than one request",
        mode.name
    );
    req
}

/// What sfmfa must send in `mode`, whatever the drivers do.
fn check_required(mode: &Mode, req: &Captured) -> Vec<String> {
    let data = &req.body["data"];
    let s = |v: Option<&str>| v.map_or(Value::Null, |v| json!(v));
    let got = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
    let mut failures = Vec::new();
    for (field, want) in [
        ("ACCOUNT_NAME", json!("xy12345")),
        ("LOGIN_NAME", json!("demo")),
        ("PASSWORD", json!(mode.password)),
        ("EXT_AUTHN_DUO_METHOD", s(mode.duo_method)),
        ("PASSCODE", s(mode.passcode)),
        ("AUTHENTICATOR", s(mode.authenticator)),
        ("TOKEN", Value::Null),
    ] {
        if got(field) != want {
            failures.push(format!(
                "data.{field} [sfmfa, {}]: sfmfa sent {}, the mode requires {}",
                mode.name,
                show(data.get(field)),
                if want.is_null() {
                    "(absent)".to_owned()
                } else {
                    want.to_string()
                }
            ));
        }
    }
    for id in ["request_id", "request_guid"] {
        match req.query.get(id).map(|v| uuid::Uuid::parse_str(v)) {
            Some(Ok(u)) if u.get_version_num() == 4 => {}
            other => failures.push(format!(
                "query.{id} [sfmfa, {}]: not a UUID v4: {other:?}",
                mode.name
            )),
        }
    }
    if req.query.get("request_id") == req.query.get("request_guid") {
        failures.push(format!(
            "query [sfmfa, {}]: request_id == request_guid",
            mode.name
        ));
    }
    failures
}

/// The JSON type of a value, for the presence check.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The paths of a login body down to `data`'s objects (`data.X`, `data.CLIENT_ENVIRONMENT.Y`,
/// `data.SESSION_PARAMETERS.Z`, top-level keys), each with its JSON type.
fn typed_paths(body: &Value) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        out.insert(k.clone(), json_type(v));
    }
    for (k, v) in body["data"].as_object().into_iter().flatten() {
        out.insert(format!("data.{k}"), json_type(v));
        if k == "CLIENT_ENVIRONMENT" || k == "SESSION_PARAMETERS" {
            for (ik, iv) in v.as_object().into_iter().flatten() {
                out.insert(format!("data.{k}.{ik}"), json_type(iv));
            }
        }
    }
    out
}

/// Every field that all three drivers send in `mode` is in sfmfa's request, with a JSON type one
/// of the drivers gives it (issue: "what every official driver sends").
fn common_fields_present(captures: &Value, mode: &Mode, ours: &Value) -> Vec<String> {
    let theirs: Vec<BTreeMap<String, &'static str>> = DRIVERS
        .iter()
        .map(|d| typed_paths(&driver_request(captures, d, mode)["body_json"]))
        .collect();
    let ours = typed_paths(ours);
    let mut failures = Vec::new();
    for (path, ty) in &theirs[0] {
        let types: BTreeSet<&str> = theirs.iter().filter_map(|t| t.get(path).copied()).collect();
        if types.is_empty() || theirs.iter().any(|t| !t.contains_key(path)) {
            continue;
        }
        match ours.get(path) {
            None => failures.push(format!(
                "{path} [{}]: every driver sends it ({ty}); sfmfa does not",
                mode.name
            )),
            Some(t) if !types.contains(t) => failures.push(format!(
                "{path} [{}]: sfmfa sends a {t}; the drivers send {types:?}",
                mode.name
            )),
            Some(_) => {}
        }
    }
    failures
}

#[test]
fn login_requests_match_the_official_drivers() {
    let text = std::fs::read_to_string(CAPTURES).unwrap_or_else(|e| panic!("{CAPTURES}: {e}"));
    let root: Value = serde_json::from_str(&text).unwrap();
    let captures = &root["captures"];

    // The table itself: known names, and no wildcard on the fields that must be equal.
    for (field, driver, mode, why) in DIFFERENCES {
        assert!(!why.is_empty(), "{field}: no reason");
        assert!(
            *driver == "*" || driver.split('|').all(|d| DRIVERS.contains(&d)),
            "{field}: unknown driver {driver}"
        );
        assert!(
            *mode == "*" || mode.split('|').all(|m| MODES.iter().any(|x| x.name == m)),
            "{field}: unknown mode {mode}"
        );
        if field.split('|').any(|f| MUST_EQUAL.contains(&f)) {
            assert!(
                *driver != "*" && *mode != "*",
                "{field} must be equal: a difference must name the driver and the modes"
            );
        }
    }

    let (port, rx) = capture_server();
    let mut used = vec![false; DIFFERENCES.len()];
    let mut failures = Vec::new();
    let mut summary = Vec::new();

    for mode in MODES {
        let req = sfmfa_request(port, &rx, mode);
        failures.extend(check_required(mode, &req));
        let query_keys: Vec<String> = req.query.keys().cloned().collect();
        let ours = fields(&req.method, &req.path, &query_keys, &req.headers, &req.body);

        let mut agree: BTreeMap<&str, usize> = BTreeMap::new();
        for driver in DRIVERS {
            let theirs = capture_fields(driver_request(captures, driver, mode));
            for m in MUST_EQUAL {
                *agree.entry(m).or_default() += usize::from(ours.get(*m) == theirs.get(*m));
            }
            let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
            let (mut equal, mut documented) = (0, 0);
            for key in keys {
                let (a, b) = (ours.get(key), theirs.get(key));
                if a == b {
                    equal += 1;
                    continue;
                }
                match DIFFERENCES.iter().position(|(f, d, m, _)| {
                    matches(f, key) && matches(d, driver) && matches(m, mode.name)
                }) {
                    Some(i) => {
                        used[i] = true;
                        documented += 1;
                    }
                    None => failures.push(format!(
                        "{key} [{driver}, {}]: undocumented difference: sfmfa sends {}, {driver} sends {}",
                        mode.name,
                        show(a),
                        show(b)
                    )),
                }
            }
            summary.push((mode.name, *driver, equal, documented));
        }
        failures.extend(common_fields_present(captures, mode, &req.body));
        for m in MUST_EQUAL {
            let n = agree.get(m).copied().unwrap_or_default();
            let by_design = MINORITY_BY_DESIGN
                .iter()
                .any(|(f, md, _)| f == m && *md == mode.name);
            if n < 2 && !by_design {
                failures.push(format!(
                    "{m} [{}]: sfmfa agrees with only {n} of {} drivers",
                    mode.name,
                    DRIVERS.len()
                ));
            }
        }
    }

    eprintln!(
        "\nsfmfa's login request versus the official drivers (fields equal / documented differences):"
    );
    eprintln!(
        "{:<31} {:<8} {:>5} {:>10}",
        "mode", "driver", "equal", "documented"
    );
    for (mode, driver, equal, documented) in &summary {
        eprintln!("{mode:<31} {driver:<8} {equal:>5} {documented:>10}");
    }

    for (i, (field, driver, mode, _)) in DIFFERENCES.iter().enumerate() {
        if !used[i] {
            failures.push(format!(
                "stale DIFFERENCES entry ({field}, {driver}, {mode}): no comparison needed it"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}
