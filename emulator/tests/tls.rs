//! HTTPS: a rustls client trusting only the emulator's CA file reaches both SANs.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;

use common::{raw_request, read_response};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::json;
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn client_config(ca_file: &std::path::Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).expect("CA PEM") {
        roots.add(cert.expect("cert")).expect("add root");
    }
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(cfg)
}

#[test]
fn https_with_the_ca_file_on_localhost_and_ip() {
    let dir = std::env::temp_dir().join(format!("sfmfa-emu-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("ca.pem");
    let opts = StartOptions {
        port: 0,
        tls: true,
        ca_file: Some(ca.clone()),
        ..Default::default()
    };
    let emu = Emulator::start(EmulatorConfig::embedded_default(), opts).expect("start");
    assert_eq!(emu.base_url(), format!("https://localhost:{}", emu.port()));
    assert_eq!(emu.ca_file(), Some(ca.as_path()));
    let cfg = client_config(&ca);
    for host in ["localhost", "127.0.0.1"] {
        let name = ServerName::try_from(host.to_string()).expect("server name");
        let conn = rustls::ClientConnection::new(cfg.clone(), name).expect("client");
        let tcp = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let body = json!({"data": {"ACCOUNT_NAME": "xy12345", "LOGIN_NAME": "plain", "PASSWORD": "abc123"}}).to_string();
        tls.write_all(&raw_request(
            "POST",
            "/session/v1/login-request",
            &[],
            body.as_bytes(),
            false,
        ))
        .expect("write");
        let r = read_response(&mut tls).expect("response");
        assert_eq!(r.json()["success"], json!(true), "{host}");
        // Keep-alive over TLS.
        tls.write_all(&raw_request("POST", "/telemetry/send", &[], b"{}", true))
            .expect("write");
        assert_eq!(
            read_response(&mut tls).expect("second").json(),
            json!({"success": true})
        );
    }
    // A client that does not trust the CA is refused.
    let other =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("other cert");
    let other_pem = dir.join("other.pem");
    std::fs::write(&other_pem, other.cert.pem()).expect("write");
    let conn = rustls::ClientConnection::new(
        client_config(&other_pem),
        ServerName::try_from("localhost").expect("name"),
    )
    .expect("client");
    let tcp = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    assert!(
        tls.write_all(b"GET / HTTP/1.1\r\n\r\n")
            .and_then(|_| tls.flush())
            .is_err()
            || read_response(&mut tls).is_err()
    );
    emu.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// An emulator over TLS with the embedded users and its own temporary CA file.
fn tls_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::embedded_default(),
        StartOptions {
            tls: true,
            ..Default::default()
        },
    )
    .expect("start")
}

#[test]
fn temporary_ca_file_is_owned_and_removed() {
    let emu = tls_emulator();
    let path = emu.ca_file().expect("ca file").to_path_buf();
    let pem = std::fs::read_to_string(&path).expect("pem");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    drop(emu);
    assert!(!path.exists());
}

#[test]
fn handshakes_are_counted_full_or_resumed() {
    let emu = tls_emulator();
    let ctl = emu.control();
    assert_eq!(ctl.tls_handshakes(), (0, 0));
    // One client configuration (one session store) for two connections: the second resumes.
    let cfg = client_config(emu.ca_file().expect("ca file"));
    for expected in [(1, 0), (1, 1)] {
        let conn = rustls::ClientConnection::new(
            cfg.clone(),
            ServerName::try_from("localhost").expect("name"),
        )
        .expect("client");
        let tcp = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(&raw_request("POST", "/telemetry/send", &[], b"{}", false))
            .expect("write");
        // Reading the answer also takes in the session tickets the server sent.
        assert_eq!(
            read_response(&mut tls).expect("answer").json(),
            json!({"success": true})
        );
        assert_eq!(ctl.tls_handshakes(), expected);
    }
    // A client with a fresh configuration has no session to resume.
    let conn = rustls::ClientConnection::new(
        client_config(emu.ca_file().expect("ca file")),
        ServerName::try_from("localhost").expect("name"),
    )
    .expect("client");
    let tcp = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(&raw_request("POST", "/telemetry/send", &[], b"{}", false))
        .expect("write");
    read_response(&mut tls).expect("answer");
    assert_eq!(ctl.tls_handshakes(), (2, 1));
    // The control API tells the same, counting the connection it is asked on (resumed).
    let conn = rustls::ClientConnection::new(cfg, ServerName::try_from("localhost").expect("name"))
        .expect("client");
    let tcp = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(&raw_request(
        "GET",
        "/control/tls_handshakes",
        &[],
        b"",
        false,
    ))
    .expect("write");
    assert_eq!(
        read_response(&mut tls).expect("answer").json(),
        json!({"full": 2, "resumed": 2})
    );
    emu.shutdown();
}
