//! The HTTP control API under `/control/`: JSON in and out, mirroring [`crate::Control`].

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{PushBehaviour, UserConfig};
use crate::control::Control;
use crate::faults::Fault;
use crate::http::{Reply, Request, Response};
use crate::state::State;

#[derive(Deserialize)]
struct UserRef {
    account: String,
    user: String,
}

#[derive(Deserialize)]
struct AddUser {
    account: String,
    user: UserConfig,
}

#[derive(Deserialize)]
struct SetPassword {
    account: String,
    user: String,
    password: String,
}

#[derive(Deserialize)]
struct SetPush {
    account: String,
    user: String,
    behaviour: PushBehaviour,
}

#[derive(Deserialize)]
struct SetFlag {
    account: String,
    user: String,
    value: bool,
}

#[derive(Deserialize)]
struct SetAccountFlag {
    account: String,
    value: bool,
}

#[derive(Deserialize)]
struct SetTokenOnTokenLogin {
    answer: crate::state::TokenOnTokenLogin,
}

#[derive(Deserialize)]
struct SetCaching {
    account: String,
    #[serde(default)]
    user: Option<String>,
    allow: Option<bool>,
}

#[derive(Deserialize)]
struct Answer {
    account: String,
    user: String,
    approve: bool,
}

#[derive(Deserialize)]
struct Advance {
    secs: u64,
}

#[derive(Deserialize)]
struct AddFault {
    #[serde(flatten)]
    fault: Fault,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

fn ok(v: Value) -> Reply {
    Reply::Send(Response::json(200, &v))
}

fn err(status: u16, msg: &str) -> Reply {
    Reply::Send(Response::json(status, &json!({"error": msg})))
}

fn body<T: for<'de> Deserialize<'de>>(req: &Request) -> Result<T, Reply> {
    serde_json::from_slice(&req.body).map_err(|e| err(400, &format!("invalid JSON body: {e}")))
}

fn user_query(req: &Request) -> Result<UserRef, Reply> {
    match (req.query("account"), req.query("user")) {
        (Some(a), Some(u)) => Ok(UserRef {
            account: a.to_string(),
            user: u.to_string(),
        }),
        _ => Err(err(400, "query parameters account and user are required")),
    }
}

fn found(ok_: bool) -> Reply {
    if ok_ {
        ok(json!({"ok": true}))
    } else {
        err(404, "unknown account or user")
    }
}

/// Handles `/control/...`.
pub fn handle(state: &Arc<State>, req: &Request) -> Reply {
    match dispatch(&Control::new(state.clone()), req) {
        Ok(r) | Err(r) => r,
    }
}

fn dispatch(c: &Control, req: &Request) -> Result<Reply, Reply> {
    let m = req.method.to_ascii_uppercase();
    let r = match (m.as_str(), req.path.as_str()) {
        ("GET", "/control/counters") => match (req.query("account"), req.query("user")) {
            (Some(a), Some(u)) => ok(json!({
                "push_count": c.push_count(a, u),
                "login_count": c.login_count(a, u),
                "total_pushes": c.total_pushes(),
                "total_logins": c.total_logins(),
            })),
            _ => ok(json!({"total_pushes": c.total_pushes(), "total_logins": c.total_logins()})),
        },
        ("GET", "/control/tls_handshakes") => {
            let (full, resumed) = c.tls_handshakes();
            ok(json!({"full": full, "resumed": resumed}))
        }
        ("POST", "/control/counters/reset") => {
            c.reset_counters();
            ok(json!({"ok": true}))
        }
        ("POST", "/control/users") => {
            let b: AddUser = body(req)?;
            c.add_user(&b.account, b.user);
            ok(json!({"ok": true}))
        }
        ("POST", "/control/password") => {
            let b: SetPassword = body(req)?;
            found(c.set_password(&b.account, &b.user, &b.password))
        }
        ("POST", "/control/push") => {
            let b: SetPush = body(req)?;
            found(c.set_push(&b.account, &b.user, b.behaviour))
        }
        ("POST", "/control/enrolled") => {
            let b: SetFlag = body(req)?;
            found(c.set_enrolled(&b.account, &b.user, b.value))
        }
        ("POST", "/control/locked") => {
            let b: SetFlag = body(req)?;
            found(c.set_locked(&b.account, &b.user, b.value))
        }
        ("POST", "/control/legacy") => {
            let b: SetFlag = body(req)?;
            found(c.set_legacy_next_action(&b.account, &b.user, b.value))
        }
        ("POST", "/control/caching") => {
            let b: SetCaching = body(req)?;
            found(match &b.user {
                Some(u) => c.set_allow_mfa_caching_user(&b.account, u, b.allow),
                None => c.set_allow_mfa_caching_account(&b.account, b.allow),
            })
        }
        ("POST", "/control/require_duo_method") => {
            let b: SetAccountFlag = body(req)?;
            found(c.set_require_duo_method(&b.account, b.value))
        }
        ("POST", "/control/token_on_token_login") => {
            let b: SetTokenOnTokenLogin = body(req)?;
            c.set_token_on_token_login(b.answer);
            ok(json!({}))
        }
        ("GET", "/control/passcode") => {
            let u = user_query(req)?;
            ok(json!({"passcode": c.current_passcode(&u.account, &u.user)}))
        }
        ("GET", "/control/pushes") => {
            let u = user_query(req)?;
            ok(json!({"pending": c.pending_pushes(&u.account, &u.user)}))
        }
        ("POST", "/control/answer") => {
            let b: Answer = body(req)?;
            ok(json!({"answered": c.answer_push(&b.account, &b.user, b.approve)}))
        }
        ("GET", "/control/sms") => {
            let u = user_query(req)?;
            ok(json!({"messages": c.sms_outbox(&u.account, &u.user)}))
        }
        ("GET", "/control/history") => ok(json!(c.login_history())),
        ("GET", "/control/clock") => ok(json!({"now": c.now()})),
        ("POST", "/control/clock/advance") => {
            let b: Advance = body(req)?;
            c.advance(b.secs);
            ok(json!({"now": c.now()}))
        }
        ("POST", "/control/faults") => {
            let b: AddFault = body(req)?;
            c.add_fault(b.fault, b.times);
            ok(json!({"ok": true}))
        }
        ("DELETE", "/control/faults") => {
            c.clear_faults();
            ok(json!({"ok": true}))
        }
        ("GET", "/control/sessions") => {
            ok(json!({"open": c.open_sessions(), "closed": c.closed_sessions()}))
        }
        ("POST", "/control/shutdown") => {
            Reply::SendThenStop(Response::json(200, &json!({"ok": true})))
        }
        _ => err(404, "unknown control endpoint"),
    };
    Ok(r)
}
