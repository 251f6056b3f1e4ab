//! The `sfmfa-emulator` binary: listening line, port file, answers, stops by itself.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_sfmfa-emulator");

#[test]
fn runs_answers_and_exits_after() {
    let dir = std::env::temp_dir().join(format!("sfmfa-emu-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port_file = dir.join("port");
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--exit-after", "5", "--port-file"])
        .arg(&port_file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let port: u16 = std::fs::read_to_string(&port_file)
        .expect("port file")
        .trim()
        .parse()
        .expect("port");
    assert_eq!(
        line.trim_end(),
        format!("sfmfa-emulator listening on http://127.0.0.1:{port}")
    );
    let v = login(port, creds("push_approve", json!({})));
    assert_eq!(v["success"], json!(true));
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(15),
            "did not exit by itself"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tls_prints_the_ca_line_and_bad_config_exits_2() {
    let dir = std::env::temp_dir().join(format!("sfmfa-emu-bin-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("ca.pem");
    let mut child = Command::new(BIN)
        .args(["--tls", "--exit-after", "20", "--ca-file"])
        .arg(&ca)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut l1, mut l2) = (String::new(), String::new());
    out.read_line(&mut l1).expect("line 1");
    out.read_line(&mut l2).expect("line 2");
    assert!(
        l1.starts_with("sfmfa-emulator listening on https://localhost:"),
        "{l1}"
    );
    assert_eq!(l2.trim_end(), format!("CA certificate: {}", ca.display()));
    assert!(
        std::fs::read_to_string(&ca)
            .expect("ca")
            .contains("BEGIN CERTIFICATE")
    );
    let _ = child.kill();
    let _ = child.wait();
    // A bad config is an error, not a crash.
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "accounts = 5").expect("write");
    let st = Command::new(BIN)
        .arg("--config")
        .arg(&bad)
        .status()
        .expect("run");
    assert_eq!(st.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn control_shutdown_stops_the_binary() {
    let dir = std::env::temp_dir().join(format!("sfmfa-emu-bin-stop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port_file = dir.join("port");
    let mut child = Command::new(BIN)
        .args(["--exit-after", "30", "--port-file"])
        .arg(&port_file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let port: u16 = std::fs::read_to_string(&port_file)
        .expect("port")
        .trim()
        .parse()
        .expect("port");
    assert_eq!(post_json(port, "/control/shutdown", &json!({})).status, 200);
    let t0 = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "shutdown did not stop the binary"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
