//! Per-behaviour tests over real sockets: every code, tokens, lockout, clock, faults, concurrency.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use sfmfa_emulator::{Emulator, EmulatorConfig, Fault, PushBehaviour, StartOptions, UserConfig};

fn expect_code(port: u16, data: Value, code: &str) -> Value {
    let v = login(port, data);
    assert_eq!(v["success"], json!(false), "{v}");
    assert_eq!(code_of(&v).as_deref(), Some(code), "{v}");
    assert!(v.get("data").is_some(), "data key present: {v}");
    assert_eq!(
        v["message"].as_str(),
        Some(sfmfa_emulator::code_message(code))
    );
    v
}

fn expect_success(port: u16, data: Value) -> Value {
    let v = login(port, data);
    assert_eq!(v["success"], json!(true), "{v}");
    assert!(v["code"].is_null());
    let d = &v["data"];
    assert!(d["token"].is_string() && d["masterToken"].is_string());
    assert!(d["sessionId"].is_u64());
    assert!(d["sessionInfo"].is_object());
    v
}

fn mfa_token(v: &Value) -> String {
    v["data"]["mfaToken"]
        .as_str()
        .expect("mfaToken")
        .to_string()
}

#[test]
fn every_code_reachable_from_default_users() {
    let emu = start_default();
    let p = emu.port();
    expect_code(
        p,
        json!({"ACCOUNT_NAME": "xy12345", "LOGIN_NAME": "demo", "PASSWORD": "nope"}),
        "390100",
    );
    expect_code(p, creds("nobody", json!({})), "390100");
    expect_code(p, creds("push_deny", json!({})), "390120");
    expect_code(p, creds("push_pending", json!({})), "390121");
    expect_code(
        p,
        creds(
            "not_enrolled",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
        ),
        "390122",
    );
    expect_code(p, creds("locked_user", json!({})), "390123");
    expect_code(
        p,
        creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "call"})),
        "390124",
    );
    expect_code(
        p,
        creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "sms"})),
        "390125",
    );
    let t0 = Instant::now();
    expect_code(p, creds("push_timeout", json!({})), "390126");
    assert!(t0.elapsed() >= Duration::from_millis(1400));
    expect_code(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "000000"}),
        ),
        "390127",
    );
    expect_code(p, creds("duo_down", json!({})), "390129");
    expect_code(
        p,
        creds("push_disabled", json!({"EXT_AUTHN_DUO_METHOD": "push"})),
        "390132",
    );
    emu.control().force_code("390128", None, 1);
    expect_code(p, creds("demo", json!({})), "390128");
    // Plain users log in with the password alone.
    let v = expect_success(p, creds("plain", json!({"AUTHENTICATOR": "SNOWFLAKE"})));
    assert_eq!(v["data"]["mfaToken"], Value::Null);
    let c = emu.control();
    assert_eq!(
        c.push_count("xy12345", "duo_down"),
        0,
        "no push when Duo is down"
    );
    assert_eq!(c.push_count("xy12345", "push_disabled"), 0);
    assert_eq!(c.push_count("xy12345", "push_deny"), 1);
    assert_eq!(
        c.push_count("xy12345", "demo"),
        0,
        "no push for a wrong password"
    );
    let h = c.login_history();
    let plain = h
        .iter()
        .find(|e| e.user_name == "plain")
        .expect("plain in history");
    assert!(plain.is_success && plain.second_authentication_factor.is_none());
    assert_eq!(plain.request_id.as_deref(), Some("rid-1"));
    assert_eq!(plain.authenticator, "SNOWFLAKE");
}

#[test]
fn passcode_paths_and_history_factors() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    // Bypass code, TOTP, passcode in password (flag, and method passcode without PASSCODE).
    expect_success(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
        ),
    );
    let totp = c.current_passcode("xy12345", "demo").expect("totp");
    expect_success(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": totp}),
        ),
    );
    expect_success(
        p,
        creds(
            "demo",
            json!({"PASSWORD": "abc123987654", "passcodeInPassword": true, "EXT_AUTHN_DUO_METHOD": "passcode"}),
        ),
    );
    expect_success(
        p,
        creds(
            "demo",
            json!({"PASSWORD": "abc123987654", "EXT_AUTHN_DUO_METHOD": "passcode"}),
        ),
    );
    expect_code(
        p,
        creds(
            "demo",
            json!({"PASSWORD": "abc124987654", "EXT_AUTHN_DUO_METHOD": "passcode"}),
        ),
        "390100",
    );
    expect_code(
        p,
        creds(
            "demo",
            json!({"PASSWORD": "abc123", "passcodeInPassword": true}),
        ),
        "390127",
    );
    // SMS: a one-time code.
    expect_code(
        p,
        creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "sms"})),
        "390125",
    );
    let sms = c.sms_outbox("xy12345", "demo");
    assert_eq!(sms.len(), 1);
    expect_success(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": sms[0]}),
        ),
    );
    expect_code(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": sms[0]}),
        ),
        "390127",
    );
    let factors: Vec<Option<String>> = c
        .login_history()
        .iter()
        .filter(|e| e.is_success)
        .map(|e| e.second_authentication_factor.clone())
        .collect();
    assert!(factors.contains(&Some("DUO_PASSCODE".into())));
    assert!(factors.contains(&Some("DUO_SMS".into())));
}

#[test]
fn what_a_token_login_answers_in_mfa_token_is_chosen_by_the_test() {
    let emu = start_default();
    let p = emu.port();
    let req = json!({"AUTHENTICATOR": "USERNAME_PASSWORD_MFA", "SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}});
    let tok = mfa_token(&expect_success(p, creds("demo", req.clone())));
    let mut with_tok = creds("demo", req.clone());
    with_tok["TOKEN"] = json!(tok);
    // Fresh by default.
    assert_ne!(mfa_token(&expect_success(p, with_tok.clone())), tok);
    let set = |answer: &str| {
        post_json(
            p,
            "/control/token_on_token_login",
            &json!({"answer": answer}),
        )
        .status
    };
    assert_eq!(set("same"), 200);
    assert_eq!(mfa_token(&expect_success(p, with_tok.clone())), tok);
    // A prompted login still gets a fresh token.
    assert_ne!(mfa_token(&expect_success(p, creds("demo", req))), tok);
    assert_eq!(set("null"), 200);
    assert!(expect_success(p, with_tok.clone())["data"]["mfaToken"].is_null());
    assert_eq!(set("sometimes"), 400);
    emu.control()
        .set_token_on_token_login(sfmfa_emulator::TokenOnTokenLogin::Fresh);
    assert_ne!(mfa_token(&expect_success(p, with_tok)), tok);
}

#[test]
fn token_issue_and_six_invalidations() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let mfa = |extra: Value| creds("demo", extra);
    let req = json!({"AUTHENTICATOR": "USERNAME_PASSWORD_MFA", "SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}});
    let first = expect_success(p, mfa(req.clone()));
    assert_eq!(first["data"]["mfaTokenValidityInSeconds"], json!(14400));
    let tok = mfa_token(&first);
    let with_tok = |t: &str| {
        let mut d = mfa(req.clone());
        d["TOKEN"] = json!(t);
        d
    };
    // Valid: no push, factor MFA_TOKEN, a fresh token issued.
    let pushes = c.push_count("xy12345", "demo");
    let v = expect_success(p, with_tok(&tok));
    assert!(v["data"]["mfaToken"].is_string());
    assert_eq!(c.push_count("xy12345", "demo"), pushes);
    assert_eq!(
        c.login_history()
            .last()
            .and_then(|e| e.second_authentication_factor.clone())
            .as_deref(),
        Some("MFA_TOKEN")
    );
    // String "true" tolerated for CLIENT_REQUEST_MFA_TOKEN.
    let mut d = mfa(json!({"AUTHENTICATOR": "USERNAME_PASSWORD_MFA"}));
    d["SESSION_PARAMETERS"] = json!({"CLIENT_REQUEST_MFA_TOKEN": "true"});
    assert!(expect_success(p, d)["data"]["mfaToken"].is_string());

    // (1) caching off for the account, then for the user.
    c.set_allow_mfa_caching_account("xy12345", Some(false));
    c.set_allow_mfa_caching_user("xy12345", "demo", None);
    expect_code(p, with_tok(&tok), "390127");
    c.set_allow_mfa_caching_account("xy12345", Some(true));
    c.set_allow_mfa_caching_user("xy12345", "demo", Some(false));
    expect_code(p, with_tok(&tok), "390127");
    c.set_allow_mfa_caching_user("xy12345", "demo", Some(true));
    expect_success(p, with_tok(&tok));
    // (2) another authenticator.
    let mut d = with_tok(&tok);
    d["AUTHENTICATOR"] = json!("SNOWFLAKE");
    expect_code(p, d, "390127");
    // (3a) another user name presenting the token.
    let mut d = with_tok(&tok);
    d["LOGIN_NAME"] = json!("push_approve");
    expect_code(p, d, "390127");
    // (4) invalid credentials: the password check comes first.
    let mut d = with_tok(&tok);
    d["PASSWORD"] = json!("wrong");
    expect_code(p, d, "390100");
    // (5a) altered byte.
    let mut bytes = tok.clone().into_bytes();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    expect_code(
        p,
        with_tok(&String::from_utf8(bytes).unwrap_or_default()),
        "390127",
    );
    expect_code(p, with_tok("MFA-TOKEN-17"), "390127");
    // (6) another account with the same user and password.
    let mut u = UserConfig::new("demo", "abc123");
    u.duo_enrolled = true;
    c.add_user("other_acct", u);
    c.set_allow_mfa_caching_account("other_acct", Some(true));
    let mut d = with_tok(&tok);
    d["ACCOUNT_NAME"] = json!("OTHER_ACCT");
    expect_code(p, d, "390127");
    // (5b) expiry on the emulator clock.
    let fresh = mfa_token(&expect_success(p, with_tok(&tok)));
    c.advance(14_399);
    expect_success(p, with_tok(&fresh));
    c.advance(2);
    expect_code(p, with_tok(&fresh), "390127");
    // (3b) password change.
    let t2 = mfa_token(&expect_success(p, mfa(req.clone())));
    c.set_password("xy12345", "demo", "newpass");
    let mut d = with_tok(&t2);
    d["PASSWORD"] = json!("newpass");
    expect_code(p, d, "390127");
    // No token when not requested, or when caching is off for the user.
    assert!(expect_success(p, creds("push_approve", json!({})))["data"]["mfaToken"].is_null());
    let mut d = creds("no_cache", req.clone());
    d["AUTHENTICATOR"] = json!("USERNAME_PASSWORD_MFA");
    assert!(expect_success(p, d)["data"]["mfaToken"].is_null());
}

#[test]
fn lockout_after_five_wrong_passcodes_and_clock_moves_totp() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let pc = |code: &str| {
        creds(
            "push_approve",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": code}),
        )
    };
    // A success resets the count.
    for _ in 0..4 {
        expect_code(p, pc("000000"), "390127");
    }
    expect_success(p, pc("987654"));
    for _ in 0..5 {
        expect_code(p, pc("000000"), "390127");
    }
    expect_code(p, pc("987654"), "390123");
    // Clock: a passcode from an hour ago is rejected, the new one accepted.
    let now = c.current_passcode("xy12345", "demo").expect("totp");
    let ok = creds(
        "demo",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": now}),
    );
    expect_success(p, ok.clone());
    c.advance(3600);
    let later = c.current_passcode("xy12345", "demo").expect("totp");
    if later != now {
        expect_code(p, ok, "390127");
    }
    expect_success(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": later}),
        ),
    );
}

#[test]
fn push_counted_once_when_client_disconnects() {
    let emu = start_default();
    let c = emu.control();
    let body = json!({"data": creds("manual", json!({}))}).to_string();
    let mut s = connect(emu.port());
    s.write_all(&raw_request(
        "POST",
        "/session/v1/login-request",
        &[],
        body.as_bytes(),
        false,
    ))
    .expect("write");
    let t0 = Instant::now();
    while c.pending_pushes("xy12345", "manual") == 0 {
        assert!(t0.elapsed() < Duration::from_secs(5), "push never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(s);
    assert_eq!(c.push_count("xy12345", "manual"), 1);
    assert!(c.answer_push("xy12345", "manual", true));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(c.push_count("xy12345", "manual"), 1);
    assert_eq!(c.total_pushes(), 1);
    assert_eq!(c.login_count("xy12345", "manual"), 1);
    assert!(
        !c.answer_push("xy12345", "manual", true),
        "nothing left to answer"
    );
}

#[test]
fn manual_push_approve_and_deny() {
    let emu = start_default();
    let c = emu.control();
    let p = emu.port();
    for (approve, success) in [(true, true), (false, false)] {
        let c2 = c.clone();
        let answerer = std::thread::spawn(move || {
            let t0 = Instant::now();
            while !c2.answer_push("xy12345", "MANUAL", approve) {
                assert!(t0.elapsed() < Duration::from_secs(5));
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let v = login(p, creds("manual", json!({"EXT_AUTHN_DUO_METHOD": "push"})));
        answerer.join().expect("answerer");
        assert_eq!(v["success"], json!(success), "{v}");
        if !success {
            assert_eq!(code_of(&v).as_deref(), Some("390120"));
        }
    }
    // Unanswered → 390126 after the user's 1.5 s.
    expect_code(p, creds("manual", json!({})), "390126");
}

#[test]
fn faults_consumed_in_order() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    c.fail_http(503, 1);
    c.malformed_json(1);
    c.incomplete_response(1);
    c.force_code("390129", None, 1);
    let body = json!({"data": creds("push_approve", json!({}))}).to_string();
    let r = send(p, "POST", "/session/v1/login-request", &[], body.as_bytes()).expect("503");
    assert_eq!(
        (r.status, r.body.as_slice()),
        (503, &b"Service Unavailable"[..])
    );
    let r = send(p, "POST", "/session/v1/login-request", &[], body.as_bytes()).expect("malformed");
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    let r = send(p, "POST", "/session/v1/login-request", &[], body.as_bytes()).expect("incomplete");
    assert_eq!(r.json(), json!({"success": true, "data": {}}));
    expect_code(p, creds("push_approve", json!({})), "390129");
    expect_success(p, creds("push_approve", json!({})));
    assert_eq!(
        c.push_count("xy12345", "push_approve"),
        1,
        "faults before processing send no push"
    );
    assert_eq!(c.login_count("xy12345", "push_approve"), 5);
    // clear_faults.
    c.fail_http(500, 3);
    c.clear_faults();
    expect_success(p, creds("push_approve", json!({})));
}

#[test]
fn drop_before_and_after_processing_and_stall() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let body = json!({"data": creds("push_approve", json!({}))}).to_string();
    c.drop_before_processing(1);
    assert!(send(p, "POST", "/session/v1/login-request", &[], body.as_bytes()).is_err());
    assert_eq!(c.push_count("xy12345", "push_approve"), 0);
    c.drop_after_processing(1);
    assert!(send(p, "POST", "/session/v1/login-request", &[], body.as_bytes()).is_err());
    assert_eq!(
        c.push_count("xy12345", "push_approve"),
        1,
        "processed: push sent and counted"
    );
    assert_eq!(c.open_sessions(), 1);
    c.stall(300, 1);
    let t0 = Instant::now();
    expect_success(p, creds("push_approve", json!({})));
    assert!(t0.elapsed() >= Duration::from_millis(300));
}

#[test]
fn thirty_two_concurrent_push_logins() {
    let emu = start_default();
    let p = emu.port();
    let handles: Vec<_> = (0..32)
        .map(|_| {
            std::thread::spawn(move || {
                login(p, creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "push"})))
            })
        })
        .collect();
    for h in handles {
        let v = h.join().expect("thread");
        assert_eq!(v["success"], json!(true), "{v}");
    }
    assert_eq!(emu.control().push_count("xy12345", "demo"), 32);
    assert_eq!(emu.control().open_sessions(), 32);
}

#[test]
fn malformed_requests_do_not_kill_the_server() {
    let emu = start_default();
    let p = emu.port();
    let mut s = connect(p);
    s.write_all(b"\x16\x03\x01 garbage\r\n\r\n").expect("write");
    assert_eq!(read_response(&mut s).expect("400").status, 400);
    let huge = "POST /session/v1/login-request HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n";
    let mut s = connect(p);
    s.write_all(huge.as_bytes()).expect("write");
    assert_eq!(read_response(&mut s).expect("413").status, 413);
    let mut s = connect(p);
    s.write_all(&vec![b'A'; 70 * 1024]).ok();
    assert_eq!(read_response(&mut s).map(|r| r.status).unwrap_or(400), 400);
    // Half a request then close.
    let mut s = connect(p);
    s.write_all(b"POST /session/v1/login-request HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
        .expect("write");
    drop(s);
    for bad in [
        &b"not json"[..],
        b"{\"data\": 5}",
        &[0x1f, 0x8b, 1, 2, 3][..],
        b"[]",
    ] {
        let r = send(p, "POST", "/session/v1/login-request", &[], bad).expect("bad body");
        assert_eq!(r.status, 400);
    }
    // Wrong types inside data are treated as missing.
    expect_code(
        p,
        json!({"ACCOUNT_NAME": 1, "LOGIN_NAME": [], "PASSWORD": {}}),
        "390100",
    );
    // Chunked body and gzip without header work; keep-alive serves several requests.
    let body = gzip(
        json!({"data": creds("push_approve", json!({}))})
            .to_string()
            .as_bytes(),
    );
    let mut chunked =
        b"POST /session/v1/login-request HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    chunked.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
    chunked.extend_from_slice(&body);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let mut s = connect(p);
    s.write_all(&chunked).expect("write");
    assert_eq!(
        read_response(&mut s).expect("chunked").json()["success"],
        json!(true)
    );
    s.write_all(&raw_request("POST", "/telemetry/send", &[], b"{}", false))
        .expect("write");
    assert_eq!(
        read_response(&mut s).expect("keep-alive").json(),
        json!({"success": true})
    );
    s.write_all(&raw_request("GET", "/anything/else", &[], b"", true))
        .expect("write");
    assert_eq!(
        read_response(&mut s).expect("default").json(),
        json!({"data": null, "code": null, "message": null, "success": true})
    );
    let mut rest = Vec::new();
    assert_eq!(
        s.read_to_end(&mut rest).unwrap_or(0),
        0,
        "closed after Connection: close"
    );
    expect_success(p, creds("push_approve", json!({})));
}

#[test]
fn sessions_logout_heartbeat_renew() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let v = expect_success(p, creds("plain", json!({})));
    let token = v["data"]["token"].as_str().expect("token").to_string();
    let master = v["data"]["masterToken"]
        .as_str()
        .expect("master")
        .to_string();
    let auth = |t: &str| format!("Snowflake Token=\"{t}\"");
    let r = send(
        p,
        "POST",
        "/session/heartbeat",
        &[("Authorization", &auth(&token))],
        b"",
    )
    .expect("hb");
    assert_eq!(r.json()["success"], json!(true));
    let body = json!({"oldSessionToken": token, "requestType": "RENEW"}).to_string();
    let r = send(
        p,
        "POST",
        "/session/token-request",
        &[("Authorization", &auth(&master))],
        body.as_bytes(),
    )
    .expect("renew");
    let new_token = r.json()["data"]["sessionToken"]
        .as_str()
        .expect("new token")
        .to_string();
    assert_ne!(new_token, token);
    let r = send(
        p,
        "POST",
        "/session?delete=true",
        &[("Authorization", &auth(&new_token))],
        b"",
    )
    .expect("logout");
    assert_eq!(
        r.json(),
        json!({"code": null, "data": null, "message": null, "success": true})
    );
    let r = send(
        p,
        "POST",
        "/session?delete=true",
        &[("Authorization", &auth(&new_token))],
        b"",
    )
    .expect("logout 2");
    assert_eq!(code_of(&r.json()).as_deref(), Some("390111"));
    assert_eq!((c.open_sessions(), c.closed_sessions()), (0, 1));
}

#[test]
fn legacy_next_action_flow() {
    let emu = start_default();
    let p = emu.port();
    let base = creds(
        "legacy",
        json!({"SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}}),
    );
    let v = login(p, base.clone());
    assert_eq!(v["success"], json!(true));
    assert_eq!(v["data"]["nextAction"], json!("EXT_AUTHN_DUO_ALL"));
    let ctx1 = v["data"]["inFlightCtx"].as_str().expect("ctx").to_string();
    let mut d = base.clone();
    d["EXT_AUTHN_DUO_METHOD"] = json!("push");
    let r = post_json(
        p,
        "/session/v1/login-request",
        &json!({"data": d, "inFlightCtx": ctx1}),
    );
    let v = r.json();
    assert_eq!(v["data"]["nextAction"], json!("EXT_AUTHN_SUCCESS"), "{v}");
    let ctx2 = v["data"]["inFlightCtx"].as_str().expect("ctx2").to_string();
    assert_eq!(emu.control().push_count("xy12345", "legacy"), 1);
    let third =
        json!({"data": {"ACCOUNT_NAME": "xy12345", "CLIENT_APP_ID": "x"}, "inFlightCtx": ctx2});
    let v = post_json(p, "/session/v1/login-request", &third).json();
    assert_eq!(v["success"], json!(true));
    assert!(
        v["data"]["token"].is_string() && v["data"]["mfaToken"].is_string(),
        "{v}"
    );
    // A used or unknown context.
    let v = post_json(p, "/session/v1/login-request", &third).json();
    assert_eq!(code_of(&v).as_deref(), Some("390100"));
}

#[test]
fn http_control_api() {
    let emu = start_default();
    let p = emu.port();
    let r = post_json(
        p,
        "/control/push",
        &json!({"account": "xy12345", "user": "plain", "behaviour": {"kind": "deny"}}),
    );
    assert_eq!(r.status, 200);
    post_json(
        p,
        "/control/enrolled",
        &json!({"account": "xy12345", "user": "plain", "value": true}),
    );
    expect_code(p, creds("plain", json!({})), "390120");
    let v = get(p, "/control/counters?account=xy12345&user=plain");
    assert_eq!(
        (v["push_count"].as_u64(), v["login_count"].as_u64()),
        (Some(1), Some(1))
    );
    post_json(
        p,
        "/control/faults",
        &json!({"kind": "fail_http", "status": 502, "times": 1}),
    );
    let r = post_json(
        p,
        "/session/v1/login-request",
        &json!({"data": creds("plain", json!({}))}),
    );
    assert_eq!(r.status, 502);
    post_json(
        p,
        "/control/faults",
        &json!({"kind": "force_code", "code": "390121"}),
    );
    send(p, "DELETE", "/control/faults", &[], b"").expect("delete faults");
    let before = get(p, "/control/clock")["now"].as_u64().expect("now");
    let after = post_json(p, "/control/clock/advance", &json!({"secs": 100})).json()["now"]
        .as_u64()
        .expect("now");
    assert!(after >= before + 100);
    assert!(get(p, "/control/passcode?account=xy12345&user=demo")["passcode"].is_string());
    assert!(
        get(p, "/control/history")
            .as_array()
            .is_some_and(|h| !h.is_empty())
    );
    let mut u = serde_json::to_value(UserConfig::new("newbie", "pw")).expect("user json");
    u["push"] = serde_json::to_value(PushBehaviour::Approve { delay_ms: 0 }).expect("push");
    post_json(
        p,
        "/control/users",
        &json!({"account": "xy12345", "user": u}),
    );
    post_json(
        p,
        "/control/password",
        &json!({"account": "xy12345", "user": "newbie", "password": "pw2"}),
    );
    let mut d = creds("newbie", json!({}));
    d["PASSWORD"] = json!("pw2");
    expect_success(p, d);
    assert_eq!(
        post_json(
            p,
            "/control/caching",
            &json!({"account": "nope", "allow": true})
        )
        .status,
        404
    );
    assert_eq!(get(p, "/control/sessions")["open"], json!(1));
    assert_eq!(post_json(p, "/control/nope", &json!({})).status, 404);
    assert_eq!(
        post_json(p, "/control/password", &json!({"bad": 1})).status,
        400
    );
    let r = post_json(p, "/control/shutdown", &json!({}));
    assert_eq!(r.status, 200);
    assert!(emu.wait_stopped(Some(Duration::from_secs(10))));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", p)).is_err(),
        "port freed"
    );
}

#[test]
fn shutdown_frees_port_and_wakes_waits() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    c.set_push("xy12345", "manual", PushBehaviour::Manual);
    let body = json!({"data": creds("manual", json!({}))}).to_string();
    let mut s = connect(p);
    s.write_all(&raw_request(
        "POST",
        "/session/v1/login-request",
        &[],
        body.as_bytes(),
        false,
    ))
    .expect("write");
    let idle = connect(p);
    while c.pending_pushes("xy12345", "manual") == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let t0 = Instant::now();
    emu.shutdown();
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "shutdown does not wait for pushes or idle sockets"
    );
    drop(idle);
    assert!(std::net::TcpStream::connect(("127.0.0.1", p)).is_err());
}

#[test]
fn answer_fault_sends_the_scripted_body_without_processing() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let scripted = json!({
        "success": true,
        "data": {"nextAction": "EXT_AUTHN_DUO_PUSH_N_PASSCODE", "inFlightCtx": "x"},
        "code": null, "message": null,
    });
    c.add_fault(
        Fault::Answer {
            body: scripted.clone(),
        },
        2,
    );
    c.answer_json(json!({"success": true, "data": null}), 1);
    assert_eq!(login(p, creds("push_approve", json!({}))), scripted);
    assert_eq!(login(p, creds("push_approve", json!({}))), scripted);
    assert_eq!(
        login(p, creds("push_approve", json!({}))),
        json!({"success": true, "data": null})
    );
    // Over HTTP, with any JSON body (here a step that lacks its inFlightCtx).
    let malformed = json!({"success": true, "data": {"nextAction": "EXT_AUTHN_SUCCESS"}});
    let r = post_json(
        p,
        "/control/faults",
        &json!({"kind": "answer", "body": malformed, "times": 1}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(login(p, creds("push_approve", json!({}))), malformed);
    // Not processed: no push, no history; counted like other faulted requests.
    assert_eq!(c.push_count("xy12345", "push_approve"), 0);
    assert!(c.login_history().is_empty());
    assert_eq!(c.login_count("xy12345", "push_approve"), 4);
    assert_eq!(c.total_logins(), 4);
    // Consumed: the next request is processed.
    expect_success(p, creds("push_approve", json!({})));
    assert_eq!(c.push_count("xy12345", "push_approve"), 1);
}

#[test]
fn require_duo_method_refuses_logins_naming_no_factor() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let bare = || creds("push_approve", json!({}));
    // Off by default; a token for later.
    let ask = json!({"SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}});
    let tok = mfa_token(&expect_success(p, creds("push_approve", ask)));
    assert!(c.set_require_duo_method("XY12345", true));
    assert!(!c.set_require_duo_method("nope", true));
    let pushes = c.push_count("xy12345", "push_approve");
    expect_code(p, bare(), "390124");
    assert_eq!(c.push_count("xy12345", "push_approve"), pushes, "no push");
    let last = c.login_history().last().cloned().expect("history");
    assert_eq!(
        (last.is_success, last.error_code.as_deref()),
        (false, Some("390124"))
    );
    // Any named factor passes.
    expect_success(
        p,
        creds("push_approve", json!({"EXT_AUTHN_DUO_METHOD": "push"})),
    );
    expect_success(p, creds("push_approve", json!({"PASSCODE": "987654"})));
    expect_success(
        p,
        creds(
            "push_approve",
            json!({"passcodeInPassword": true, "PASSWORD": "abc123987654"}),
        ),
    );
    expect_success(p, creds("push_approve", json!({"TOKEN": tok})));
    // The password comes first; users not enrolled are not concerned.
    let mut d = bare();
    d["PASSWORD"] = json!("nope");
    expect_code(p, d, "390100");
    expect_success(p, creds("plain", json!({})));
    // Legacy: step 1 needs a factor; steps 2 and 3 carry the context.
    expect_code(p, creds("legacy", json!({})), "390124");
    let v = login(p, creds("legacy", json!({"EXT_AUTHN_DUO_METHOD": "push"})));
    let ctx = v["data"]["inFlightCtx"].as_str().expect("ctx").to_string();
    let d = json!({"data": creds("legacy", json!({})), "inFlightCtx": ctx});
    let v = post_json(p, "/session/v1/login-request", &d).json();
    let ctx = v["data"]["inFlightCtx"].as_str().expect("ctx2").to_string();
    let d = json!({"data": {"ACCOUNT_NAME": "xy12345"}, "inFlightCtx": ctx});
    let v = post_json(p, "/session/v1/login-request", &d).json();
    assert!(v["data"]["token"].is_string(), "{v}");
    // Other accounts are unaffected; the control endpoint turns it off.
    expect_success(
        p,
        json!({"ACCOUNT_NAME": "nocache_acct", "LOGIN_NAME": "demo", "PASSWORD": "abc123"}),
    );
    let set = |body: Value| post_json(p, "/control/require_duo_method", &body).status;
    assert_eq!(set(json!({"account": "nope", "value": true})), 404);
    assert_eq!(set(json!({"account": "xy12345"})), 400);
    assert_eq!(set(json!({"account": "xy12345", "value": false})), 200);
    expect_success(p, bare());
    assert_eq!(set(json!({"account": "xy12345", "value": true})), 200);
    expect_code(p, bare(), "390124");
}

#[test]
fn require_duo_method_from_toml() {
    let toml = r#"
[[accounts]]
name = "strict"
require_duo_method = true
  [[accounts.users]]
  name = "u"
  password = "pw"
  duo_enrolled = true
"#;
    let cfg = EmulatorConfig::from_toml_str(toml).expect("config");
    let emu = Emulator::start(cfg, StartOptions::default()).expect("start");
    let p = emu.port();
    let base = json!({"ACCOUNT_NAME": "strict", "LOGIN_NAME": "u", "PASSWORD": "pw"});
    expect_code(p, base.clone(), "390124");
    let mut d = base;
    d["EXT_AUTHN_DUO_METHOD"] = json!("push");
    expect_success(p, d);
    assert_eq!(emu.control().push_count("strict", "u"), 1);
}
