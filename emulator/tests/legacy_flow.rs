//! The legacy multi-step `nextAction` flow over real sockets, in every Duo mode: step 1 answers
//! EXT_AUTHN_DUO_ALL, step 2 runs the factor it carries (push, PASSCODE, passcode in password),
//! step 3 returns the tokens. Step 2 bodies mimic classic Python 4.x, which re-posts the step-1
//! body with `EXT_AUTHN_DUO_METHOD` overwritten to "push".

mod common;

use common::*;
use serde_json::{Value, json};
use sfmfa_emulator::Control;

const LOGIN: &str = "/session/v1/login-request";

/// Posts `data` with an optional top-level `inFlightCtx`.
fn post(port: u16, data: &Value, ctx: Option<&str>) -> Value {
    let mut body = json!({ "data": data });
    if let Some(ctx) = ctx {
        body["inFlightCtx"] = json!(ctx);
    }
    let r = post_json(port, LOGIN, &body);
    assert_eq!(r.status, 200, "HTTP status");
    r.json()
}

/// Asserts a `success:true` nextAction answer and returns its context.
fn expect_next(v: &Value, action: &str) -> String {
    assert_eq!(v["success"], json!(true), "{v}");
    assert!(v["code"].is_null() && v["message"].is_null(), "{v}");
    assert_eq!(v["data"]["nextAction"], json!(action), "{v}");
    assert!(v["data"].get("token").is_none(), "no session yet: {v}");
    v["data"]["inFlightCtx"]
        .as_str()
        .expect("inFlightCtx")
        .to_string()
}

/// Step 2 as classic Python 4.x sends it: the step-1 body, method overwritten to push.
fn py4_step2(port: u16, step1: &Value, ctx: &str) -> Value {
    let mut d = step1.clone();
    d["EXT_AUTHN_DUO_METHOD"] = json!("push");
    post(port, &d, Some(ctx))
}

/// Step 3: a fresh base body (no password, no login name) plus the context.
fn step3(port: u16, ctx: &str, request_mfa_token: bool) -> Value {
    let d = json!({
        "ACCOUNT_NAME": "xy12345", "CLIENT_APP_ID": "PythonConnector",
        "SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": request_mfa_token},
    });
    post(port, &d, Some(ctx))
}

fn expect_tokens(v: &Value) {
    assert_eq!(v["success"], json!(true), "{v}");
    assert!(v["data"]["token"].is_string(), "{v}");
    assert!(v["data"]["masterToken"].is_string(), "{v}");
}

fn expect_failure(v: &Value, code: &str) {
    assert_eq!(v["success"], json!(false), "{v}");
    assert_eq!(code_of(v).as_deref(), Some(code), "{v}");
    assert_eq!(
        v["message"].as_str(),
        Some(sfmfa_emulator::code_message(code))
    );
}

fn last_factor(c: &Control) -> Option<String> {
    c.login_history()
        .last()
        .and_then(|e| e.second_authentication_factor.clone())
}

/// The whole flow with a Python 4.x style step 2; returns the step-3 answer.
fn full_flow(port: u16, step1: &Value) -> Value {
    let ctx1 = expect_next(&post(port, step1, None), "EXT_AUTHN_DUO_ALL");
    let ctx2 = expect_next(&py4_step2(port, step1, &ctx1), "EXT_AUTHN_SUCCESS");
    let v = step3(port, &ctx2, false);
    expect_tokens(&v);
    v
}

#[test]
fn step1_answers_next_action_in_every_mode_without_duo() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    let modes = [
        json!({}),
        json!({"EXT_AUTHN_DUO_METHOD": "push"}),
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "000000"}),
        json!({"PASSCODE": "000000"}),
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSWORD": "abc123000000"}),
        json!({"passcodeInPassword": true, "PASSWORD": "abc123000000"}),
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "passcodeInPassword": true, "PASSWORD": "abc123"}),
    ];
    // More wrong passcodes than lockout_after: step 1 never checks them.
    for _ in 0..2 {
        for extra in &modes {
            let v = post(p, &creds("legacy", extra.clone()), None);
            expect_next(&v, "EXT_AUTHN_DUO_ALL");
        }
    }
    assert_eq!(c.push_count("xy12345", "legacy"), 0, "step 1 sends no push");
    assert!(
        c.login_history().is_empty(),
        "a nextAction answer is no login yet"
    );
    // The password is still checked first, in every mode.
    let bad = [
        json!({"PASSWORD": "nope"}),
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654", "PASSWORD": "nope"}),
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSWORD": "abc124987654"}),
    ];
    for extra in bad {
        expect_failure(&post(p, &creds("legacy", extra), None), "390100");
    }
    // Not locked by the wrong passcodes above: a full flow still works.
    full_flow(p, &creds("legacy", json!({"PASSCODE": "987654"})));
}

#[test]
fn step1_keeps_sms_unknown_methods_lock_enrollment_and_token_as_one_step() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    assert!(c.set_legacy_next_action("xy12345", "demo", true));
    expect_failure(
        &post(
            p,
            &creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "sms"})),
            None,
        ),
        "390125",
    );
    expect_failure(
        &post(
            p,
            &creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "call"})),
            None,
        ),
        "390124",
    );
    assert!(c.set_legacy_next_action("xy12345", "locked_user", true));
    expect_failure(&post(p, &creds("locked_user", json!({})), None), "390123");
    assert!(c.set_legacy_next_action("xy12345", "plain", true));
    expect_tokens(&post(p, &creds("plain", json!({})), None));
    // A TOKEN login stays one step.
    let v = full_flow(
        p,
        &creds(
            "legacy",
            json!({"SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}}),
        ),
    );
    let tok = v["data"]["mfaToken"]
        .as_str()
        .expect("mfaToken")
        .to_string();
    let v = post(p, &creds("legacy", json!({"TOKEN": tok})), None);
    expect_tokens(&v);
    assert_eq!(last_factor(&c).as_deref(), Some("MFA_TOKEN"));
    let v = post(p, &creds("legacy", json!({"TOKEN": "MFA-TOKEN-BAD"})), None);
    expect_failure(&v, "390127");
}

#[test]
fn explicit_passcode_runs_at_step2_even_when_python4_says_push() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    for extra in [
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
        json!({"PASSCODE": "987654"}),
    ] {
        full_flow(p, &creds("legacy", extra));
        assert_eq!(last_factor(&c).as_deref(), Some("DUO_PASSCODE"));
    }
    // The PASSCODE wins over a passcode appended to the password.
    let step1 = creds(
        "legacy",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
    );
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    let mut d = step1.clone();
    d["PASSWORD"] = json!("abc123000000");
    expect_next(&post(p, &d, Some(&ctx)), "EXT_AUTHN_SUCCESS");
    assert_eq!(
        c.push_count("xy12345", "legacy"),
        0,
        "no push in passcode mode"
    );
}

#[test]
fn passcode_in_password_runs_at_step2() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    for extra in [
        // Python 4.x: method passcode, no PASSCODE; its step 2 says push.
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSWORD": "abc123987654"}),
        // Node.js / libsfc style flag.
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "passcodeInPassword": true, "PASSWORD": "abc123987654"}),
        json!({"passcodeInPassword": true, "PASSWORD": "abc123987654"}),
    ] {
        full_flow(p, &creds("legacy", extra));
        assert_eq!(last_factor(&c).as_deref(), Some("DUO_PASSCODE"));
    }
    // A step 2 that keeps method passcode (no Python 4.x overwrite) works too.
    let step1 = creds(
        "legacy",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSWORD": "abc123987654"}),
    );
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    expect_next(&post(p, &step1, Some(&ctx)), "EXT_AUTHN_SUCCESS");
    // Passcode mode with the bare password at step 2: the passcode is missing.
    let bare = creds("legacy", json!({"EXT_AUTHN_DUO_METHOD": "passcode"}));
    let ctx = expect_next(&post(p, &bare, None), "EXT_AUTHN_DUO_ALL");
    expect_failure(&post(p, &bare, Some(&ctx)), "390127");
    assert_eq!(c.push_count("xy12345", "legacy"), 0);
}

#[test]
fn push_runs_at_step2_one_push_per_request() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    full_flow(p, &creds("legacy", json!({})));
    assert_eq!(c.push_count("xy12345", "legacy"), 1);
    assert_eq!(last_factor(&c).as_deref(), Some("DUO_PUSH"));
    // Step 1 in passcode mode, step 2 with the bare password and method push: a push.
    let step1 = creds(
        "legacy",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
    );
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    let d = creds("legacy", json!({"EXT_AUTHN_DUO_METHOD": "push"}));
    let ctx2 = expect_next(&post(p, &d, Some(&ctx)), "EXT_AUTHN_SUCCESS");
    assert_eq!(c.push_count("xy12345", "legacy"), 2);
    expect_tokens(&step3(p, &ctx2, false));
    assert_eq!(last_factor(&c).as_deref(), Some("DUO_PUSH"));
    // A denied push at step 2 is the Duo code.
    c.set_push(
        "xy12345",
        "legacy",
        sfmfa_emulator::PushBehaviour::Deny { delay_ms: 0 },
    );
    let step1 = creds("legacy", json!({}));
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    expect_failure(&py4_step2(p, &step1, &ctx), "390120");
    assert_eq!(c.push_count("xy12345", "legacy"), 3);
}

#[test]
fn sms_passcode_factor_recorded_as_duo_sms() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    assert!(c.set_legacy_next_action("xy12345", "demo", true));
    let v = post(
        p,
        &creds("demo", json!({"EXT_AUTHN_DUO_METHOD": "sms"})),
        None,
    );
    expect_failure(&v, "390125");
    let sms = c.sms_outbox("xy12345", "demo");
    assert_eq!(sms.len(), 1);
    full_flow(
        p,
        &creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": sms[0]}),
        ),
    );
    assert_eq!(last_factor(&c).as_deref(), Some("DUO_SMS"));
    // An SMS code works once.
    let step1 = creds("demo", json!({"PASSCODE": sms[0]}));
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    expect_failure(&py4_step2(p, &step1, &ctx), "390127");
}

#[test]
fn wrong_passcode_at_step2_consumes_the_context_and_counts_toward_lockout() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    let step1 = creds("legacy", json!({"PASSCODE": "000000"}));
    for _ in 0..5 {
        let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
        expect_failure(&py4_step2(p, &step1, &ctx), "390127");
        expect_failure(&py4_step2(p, &step1, &ctx), "390100");
    }
    expect_failure(&post(p, &step1, None), "390123");
    let failures: Vec<_> = c
        .login_history()
        .iter()
        .filter(|e| e.error_code.as_deref() == Some("390127"))
        .map(|e| e.user_name.clone())
        .collect();
    assert_eq!(failures.len(), 5);
    assert!(failures.iter().all(|u| u == "legacy"), "{failures:?}");
}

#[test]
fn step2_and_step3_password_rules() {
    let emu = start_default();
    let p = emu.port();
    // Step 2 with a wrong password.
    let step1 = creds("legacy", json!({"PASSCODE": "987654"}));
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    let mut d = step1.clone();
    d["PASSWORD"] = json!("nope");
    expect_failure(&post(p, &d, Some(&ctx)), "390100");
    // Step 2 without a password (the context names the user).
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    let d = json!({"ACCOUNT_NAME": "xy12345", "PASSCODE": "987654"});
    let ctx2 = expect_next(&post(p, &d, Some(&ctx)), "EXT_AUTHN_SUCCESS");
    // Step 3 with a wrong password, then with the used context.
    let d = json!({"ACCOUNT_NAME": "xy12345", "PASSWORD": "nope"});
    expect_failure(&post(p, &d, Some(&ctx2)), "390100");
    expect_failure(&step3(p, &ctx2, false), "390100");
    // Step 3 accepts the step-1 body again (password with the passcode appended).
    let step1 = creds(
        "legacy",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSWORD": "abc123987654"}),
    );
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    let ctx2 = expect_next(&py4_step2(p, &step1, &ctx), "EXT_AUTHN_SUCCESS");
    expect_tokens(&post(p, &step1, Some(&ctx2)));
    // An unknown context.
    expect_failure(&step3(p, "IFC-unknown", false), "390100");
}

#[test]
fn mfa_token_requested_at_step1_or_step3() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    let ask = json!({"SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}});
    let flow = |user: &str, at_step1: bool, at_step3: bool| -> Value {
        let extra = if at_step1 { ask.clone() } else { json!({}) };
        let step1 = creds(user, extra);
        let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
        let ctx2 = expect_next(&py4_step2(p, &step1, &ctx), "EXT_AUTHN_SUCCESS");
        let v = step3(p, &ctx2, at_step3);
        expect_tokens(&v);
        v["data"]["mfaToken"].clone()
    };
    assert!(flow("legacy", true, false).is_string());
    assert!(flow("legacy", false, true).is_string());
    assert!(flow("legacy", false, false).is_null());
    // Caching off for the user: never a token.
    assert!(c.set_legacy_next_action("xy12345", "no_cache", true));
    assert!(flow("no_cache", true, true).is_null());
}

#[test]
fn every_step_counts_for_the_user() {
    let emu = start_default();
    let (p, c) = (emu.port(), emu.control());
    let step1 = creds(
        "legacy",
        json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
    );
    let ctx = expect_next(&post(p, &step1, None), "EXT_AUTHN_DUO_ALL");
    // Step 2 without LOGIN_NAME: attributed through the context.
    let d = json!({"ACCOUNT_NAME": "xy12345", "PASSCODE": "987654"});
    let ctx2 = expect_next(&post(p, &d, Some(&ctx)), "EXT_AUTHN_SUCCESS");
    expect_tokens(&step3(p, &ctx2, false));
    assert_eq!(c.login_count("xy12345", "legacy"), 3);
    assert_eq!(c.total_logins(), 3);
    let h = c.login_history();
    assert_eq!(h.len(), 1, "one login in the history: {h:?}");
    assert!(h[0].is_success);
    assert_eq!(h[0].user_name, "legacy");
    assert_eq!(
        h[0].second_authentication_factor.as_deref(),
        Some("DUO_PASSCODE")
    );
}
