//! The fault matrix (issue 14): every fault of the emulator and every hostile-server behaviour ×
//! every MFA login mode × token caching on and off. In every cell the login fails with a typed error
//! of the rows expected for that behaviour, returns within `login_timeout` plus [`SLACK`], sends at
//! most one push, caches nothing, and shows no secret in its error (message, hint, `Debug`) or its
//! progress events.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use sfmfa::error::Failure;
use sfmfa::{Client, Config, Progress};
use sfmfa_emulator::{Control, Fault};

/// The login deadline of every cell.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(2);
/// What a cell may take beyond `login_timeout`: the last attempt's teardown and the test's own
/// bookkeeping on a loaded machine. The promise is the deadline; this is not a benchmark.
const SLACK: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, Copy)]
enum Mode {
    Push,
    Passcode,
    PasscodeInPassword,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::Push, Mode::Passcode, Mode::PasscodeInPassword];

    fn options(self) -> Vec<(&'static str, String)> {
        let mut o = vec![("authenticator", "username_password_mfa".to_owned())];
        match self {
            Mode::Push => {}
            Mode::Passcode => o.push(("passcode", BYPASS.to_owned())),
            Mode::PasscodeInPassword => {
                o.push(("password", format!("{PASSWORD}{BYPASS}")));
                o.push(("passcode_in_password", "on".to_owned()));
            }
        }
        o
    }
}

/// What plays the server in a cell.
#[derive(Debug, Clone)]
enum Behaviour {
    /// The emulator with this fault on every login request.
    Fault(Fault),
    /// A raw TCP server on loopback that misbehaves so.
    Hostile(Hostile),
}

#[derive(Debug, Clone, Copy)]
enum Hostile {
    /// Reads the request, never answers.
    Silent,
    /// Reads the request, closes the connection.
    Close,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// Answers HTTP 200 with a 2 MiB body.
    Huge,
    /// Answers a status line one byte every 200 ms.
    Trickle,
    /// Answers a refusal whose message is the whole request body (password, passcode and all).
    EchoRequest,
}

fn behaviours() -> Vec<(Behaviour, &'static [Failure])> {
    use Failure as F;
    let fault = |f: Fault| Behaviour::Fault(f);
    let hostile = Behaviour::Hostile;
    let refusal = |code: &str, message: &str| {
        fault(Fault::Answer {
            body: json!({"success": false, "code": code, "message": message, "data": null}),
        })
    };
    vec![
        (
            fault(Fault::FailHttp { status: 503 }),
            &[F::HttpStatus, F::Timeout],
        ),
        (
            fault(Fault::FailHttp { status: 500 }),
            &[F::HttpStatus, F::Timeout],
        ),
        (
            fault(Fault::FailHttp { status: 429 }),
            &[F::HttpStatus, F::Timeout],
        ),
        (fault(Fault::FailHttp { status: 404 }), &[F::HttpStatus]),
        (
            fault(Fault::DropBeforeProcessing),
            &[F::ConnectionLost, F::Timeout],
        ),
        (
            fault(Fault::DropAfterProcessing),
            &[F::ConnectionLost, F::Timeout],
        ),
        (fault(Fault::Stall { ms: 10_000 }), &[F::Timeout]),
        (fault(Fault::MalformedJson), &[F::Protocol]),
        (fault(Fault::IncompleteResponse), &[F::Protocol]),
        (
            fault(Fault::ForceCode {
                code: "390120".into(),
                message: None,
            }),
            &[F::DuoDenied],
        ),
        (
            fault(Fault::ForceCode {
                code: "390127".into(),
                message: None,
            }),
            &[F::DuoInvalid],
        ),
        (
            fault(Fault::ForceCode {
                code: "390129".into(),
                message: None,
            }),
            &[F::DuoException],
        ),
        (
            fault(Fault::ForceCode {
                code: "390100".into(),
                message: None,
            }),
            &[F::BadCredentials],
        ),
        (
            fault(Fault::ForceCode {
                code: "390199".into(),
                message: None,
            }),
            &[F::ServerError],
        ),
        (
            refusal(
                "390100",
                &format!(
                    "{PASSWORD} {BYPASS} {PASSWORD}{BYPASS} {} \u{1b}[2J",
                    PASSWORD.to_uppercase()
                ),
            ),
            &[F::BadCredentials],
        ),
        (
            fault(Fault::Answer {
                body: json!({"success": true, "data": {"nextAction": "EXT_AUTHN_DUO_ALL",
                                                       "inFlightCtx": "ctx-xyz"}}),
            }),
            &[F::Protocol],
        ),
        (hostile(Hostile::Silent), &[F::Timeout]),
        (hostile(Hostile::Close), &[F::ConnectionLost, F::Timeout]),
        (
            hostile(Hostile::Garbage),
            &[F::Protocol, F::ConnectionLost, F::HttpStatus, F::Timeout],
        ),
        (hostile(Hostile::Huge), &[F::Protocol, F::ConnectionLost]),
        (hostile(Hostile::Trickle), &[F::Timeout]),
        (hostile(Hostile::EchoRequest), &[F::BadCredentials]),
    ]
}

/// A misbehaving server on 127.0.0.1 that stops by itself (when dropped, or after a minute).
struct HostileServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl HostileServer {
    fn start(how: Hostile) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(60);
            while !stopping.load(Ordering::Relaxed) && Instant::now() < until {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let stopping = stopping.clone();
                        thread::spawn(move || serve(stream, how, &stopping));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        HostileServer { port, stop }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut stream: TcpStream, how: Hostile, stop: &AtomicBool) {
    let body = read_http_request(&mut stream);
    let answer = |stream: &mut TcpStream, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match how {
        Hostile::Silent => {
            let until = Instant::now() + Duration::from_secs(30);
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                thread::sleep(Duration::from_millis(20));
            }
        }
        Hostile::Close => {}
        Hostile::Garbage => {
            let _ = stream.write_all(b"\x00\x1b[2JSSH-2.0-not-http\r\n\r\n\xff\xfe");
        }
        Hostile::Huge => answer(&mut stream, &vec![b' '; 2 << 20]),
        Hostile::Trickle => {
            for b in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".iter() {
                if stop.load(Ordering::Relaxed) || stream.write_all(&[*b]).is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(200));
            }
        }
        Hostile::EchoRequest => {
            let echoed = String::from_utf8_lossy(&body).into_owned();
            let refusal =
                json!({"success": false, "code": "390100", "message": echoed, "data": null});
            answer(&mut stream, refusal.to_string().as_bytes());
        }
    }
}

impl Mode {
    /// Every secret the login holds in this mode, as text that must appear nowhere (any ASCII
    /// case). In push mode the passcode is no secret of the login: the server may say it.
    fn secrets(self) -> &'static [&'static str] {
        match self {
            Mode::Push => &[PASSWORD],
            Mode::Passcode | Mode::PasscodeInPassword => &[PASSWORD, BYPASS],
        }
    }
}

fn assert_no_secret(cell: &str, mode: Mode, text: &str) {
    let lower = text.to_ascii_lowercase();
    for s in mode.secrets() {
        assert!(
            !lower.contains(&s.to_ascii_lowercase()),
            "{cell}: '{s}' in {text}"
        );
    }
}

/// Runs one cell; returns its description for the summary.
fn run_cell(behaviour: &Behaviour, expected: &[Failure], mode: Mode, caching: bool) -> String {
    let cell = format!(
        "{behaviour:?} × {mode:?} × caching {}",
        if caching { "on" } else { "off" }
    );
    // Each cell its own emulator (faults apply to its next requests) and its own user.
    let emu = emulator(false);
    let ctl: Control = emu.control();
    let mut config: Config = config(&emu, "push_approve", &[]);
    let hostile = match behaviour {
        Behaviour::Fault(f) => {
            ctl.add_fault(f.clone(), 1000);
            None
        }
        Behaviour::Hostile(how) => Some(HostileServer::start(*how)),
    };
    if let Some(server) = &hostile {
        config.set("port", &server.port.to_string()).unwrap();
    }
    config
        .set("login_timeout", &LOGIN_TIMEOUT.as_secs().to_string())
        .unwrap();
    for (k, v) in mode.options() {
        config.set(k, &v).unwrap();
    }
    if caching {
        config
            .set("client_store_temporary_credential", "on")
            .unwrap();
        config.set("token_cache", "memory").unwrap();
    }
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = events.clone();
    let client = Client::new(config)
        .unwrap()
        .with_progress(move |p: &Progress| {
            sink.lock().unwrap().push(format!("{p:?}"));
        });

    let started = Instant::now();
    let result = client.login();
    let took = started.elapsed();

    let e = match result {
        Ok(_) => panic!("{cell}: the login succeeded"),
        Err(e) => e,
    };
    assert!(
        expected.contains(&e.failure()),
        "{cell}: {:?} ({e}), expected one of {expected:?}",
        e.failure()
    );
    assert!(
        took <= LOGIN_TIMEOUT + SLACK,
        "{cell}: returned after {took:?}"
    );
    let pushes = ctl.push_count(ACCOUNT, "push_approve");
    assert!(pushes <= 1, "{cell}: {pushes} pushes");
    if caching {
        let cached = client.inspect_cache().unwrap();
        assert!(
            !cached.is_some_and(|c| c.present),
            "{cell}: a token is cached after a failed login"
        );
    }
    assert_no_secret(&cell, mode, &format!("{e} | {e:?} | {:?}", e.hint()));
    for event in events.lock().unwrap().iter() {
        assert_no_secret(&cell, mode, event);
    }
    format!("{cell}: {:?} in {took:.2?}, {pushes} push(es)", e.failure())
}

#[test]
fn every_fault_in_every_mode_fails_typed_in_time_with_at_most_one_push_and_no_secret() {
    let mut cells = Vec::new();
    for (behaviour, expected) in behaviours() {
        for mode in Mode::ALL {
            for caching in [false, true] {
                cells.push((behaviour.clone(), expected, mode, caching));
            }
        }
    }
    let total = cells.len();
    let queue = Mutex::new(cells);
    let done = Mutex::new(Vec::new());
    // Cells run side by side (most of their time is waiting for a deadline).
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                loop {
                    let Some((b, expected, mode, caching)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let line = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_cell(&b, expected, mode, caching)
                    }))
                    .map_err(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_default()
                    });
                    done.lock().unwrap().push(line);
                }
            });
        }
    });
    let done = done.into_inner().unwrap();
    assert_eq!(done.len(), total, "every cell ran");
    let mut failed = Vec::new();
    for line in &done {
        match line {
            Ok(line) => println!("ok   {line}"),
            Err(why) => failed.push(why.as_str()),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {total} cells failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
