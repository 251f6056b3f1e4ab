//! `POST /session/v1/login-request`: password, MFA token, Duo passcode / SMS / push, the legacy
//! multi-step flow, faults, history and counters. The flow is described in README.md.

use std::sync::MutexGuard;
use std::time::Duration;

use serde_json::{Value, json};

use crate::codes;
use crate::config::ADMIN_ROLE;
use crate::config::{PushBehaviour, UserConfig};
use crate::duo;
use crate::faults::Fault;
use crate::history::HistoryEntry;
use crate::http::{Reply, Request, Response, decode_body, reason};
use crate::sessions::{MASTER_VALIDITY_SECS, SESSION_VALIDITY_SECS};
use crate::state::{InFlight, Inner, State, TokenOnTokenLogin};
use crate::token::{MFA_TOKEN_VALIDITY_SECS, normalise_authenticator};

/// The fields of a login request the emulator uses.
#[derive(Debug, Default, Clone)]
struct LoginRequest {
    account: String,
    user: String,
    password: Option<String>,
    authenticator: String,
    method: Option<String>,
    passcode: Option<String>,
    passcode_in_password: bool,
    token: Option<String>,
    request_mfa_token: bool,
    client_app_id: Option<String>,
    request_id: Option<String>,
    in_flight: Option<String>,
    database: Option<String>,
    schema: Option<String>,
    warehouse: Option<String>,
    role: Option<String>,
}

/// Second factor of a success, as LOGIN_HISTORY names it.
type Factor = Option<&'static str>;

/// What processing decided.
enum Outcome {
    Success(Factor),
    Failure(&'static str),
    NextAction(&'static str, String),
}

fn str_field(data: &Value, key: &str) -> Option<String> {
    match data.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn parse(req: &Request, body: &Value) -> Result<LoginRequest, &'static str> {
    let data = body.get("data").ok_or("missing \"data\"")?;
    if !data.is_object() {
        return Err("\"data\" is not an object");
    }
    let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let q = |k: &str| req.query(k).map(str::to_string).filter(|s| !s.is_empty());
    Ok(LoginRequest {
        account: str_field(data, "ACCOUNT_NAME").unwrap_or_default(),
        user: str_field(data, "LOGIN_NAME").unwrap_or_default(),
        password: str_field(data, "PASSWORD"),
        authenticator: normalise_authenticator(str_field(data, "AUTHENTICATOR").as_deref()),
        method: nonempty(str_field(data, "EXT_AUTHN_DUO_METHOD")).map(|m| m.to_ascii_lowercase()),
        passcode: nonempty(str_field(data, "PASSCODE")),
        passcode_in_password: truthy(data.get("passcodeInPassword")),
        token: nonempty(str_field(data, "TOKEN")),
        request_mfa_token: truthy(
            data.get("SESSION_PARAMETERS")
                .and_then(|p| p.get("CLIENT_REQUEST_MFA_TOKEN")),
        ),
        client_app_id: str_field(data, "CLIENT_APP_ID"),
        request_id: q("request_id").or_else(|| q("requestId")),
        in_flight: body
            .get("inFlightCtx")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        database: q("databaseName"),
        schema: q("schemaName"),
        warehouse: q("warehouse"),
        role: q("roleName"),
    })
}

fn failure_body(code: &str, message: &str) -> Value {
    // 390100 carries nextAction RETRY_LOGIN like the service; data is never absent.
    let next = if code == codes::INCORRECT_USERNAME_PASSWORD {
        json!("RETRY_LOGIN")
    } else {
        Value::Null
    };
    json!({
        "data": {"nextAction": next, "inFlightCtx": null, "authnMethod": "PASSWORD"},
        "code": code,
        "message": message,
        "success": false,
    })
}

fn record(state: &State, g: &mut Inner, lr: &LoginRequest, outcome: Result<Factor, (&str, &str)>) {
    let (is_success, code, message, factor) = match outcome {
        Ok(f) => (true, None, None, f),
        Err((c, m)) => (false, Some(c.to_string()), Some(m.to_string()), None),
    };
    g.history.push(HistoryEntry {
        event_timestamp: state.clock.now(),
        account: lr.account.clone(),
        user_name: lr.user.clone(),
        is_success,
        error_code: code,
        error_message: message,
        first_authentication_factor: "PASSWORD".to_string(),
        second_authentication_factor: factor.map(str::to_string),
        client_app_id: lr.client_app_id.clone(),
        authenticator: lr.authenticator.clone(),
        request_id: lr.request_id.clone(),
    });
}

/// Turns an outcome into the response body, recording history and opening sessions.
fn finish(state: &State, lr: &LoginRequest, outcome: Outcome) -> Value {
    let mut g = state.lock();
    match outcome {
        Outcome::Failure(code) => {
            let msg = codes::message(code);
            record(state, &mut g, lr, Err((code, msg)));
            failure_body(code, msg)
        }
        Outcome::NextAction(action, ctx) => json!({
            "data": {"nextAction": action, "inFlightCtx": ctx},
            "code": null, "message": null, "success": true,
        }),
        Outcome::Success(factor) => {
            let (display, password, role) = match g.user_mut(&lr.account, &lr.user) {
                Some(u) => {
                    u.failed_passcodes = 0;
                    let role =
                        session_role(&u.cfg, lr.role.as_deref()).unwrap_or_else(|| u.cfg.role());
                    (u.cfg.name.clone(), u.cfg.password.clone(), role)
                }
                None => {
                    // The user vanished while a push waited.
                    let msg = codes::message(codes::INCORRECT_USERNAME_PASSWORD);
                    record(
                        state,
                        &mut g,
                        lr,
                        Err((codes::INCORRECT_USERNAME_PASSWORD, msg)),
                    );
                    return failure_body(codes::INCORRECT_USERNAME_PASSWORD, msg);
                }
            };
            let presented = lr.token.as_ref().filter(|_| factor == Some("MFA_TOKEN"));
            let mfa_token = if !lr.request_mfa_token || !g.caching_allowed(&lr.account, &lr.user) {
                None
            } else {
                match (presented, g.token_on_token_login) {
                    (Some(_), TokenOnTokenLogin::Null) => None,
                    (Some(tok), TokenOnTokenLogin::Same) => Some(tok.clone()),
                    _ => Some(state.signer.issue(
                        &lr.account,
                        &lr.user,
                        &lr.authenticator,
                        &password,
                        state.clock.now(),
                    )),
                }
            };
            let (token, session) = g.sessions.open(&lr.account, &display, &role);
            record(state, &mut g, lr, Ok(factor));
            json!({
                "data": {
                    "token": token,
                    "masterToken": session.master_token,
                    "validityInSeconds": SESSION_VALIDITY_SECS,
                    "masterValidityInSeconds": MASTER_VALIDITY_SECS,
                    "displayUserName": display,
                    "serverVersion": "8.0.0",
                    "firstLogin": false,
                    "remMeToken": null,
                    "remMeValidityInSeconds": 0,
                    "healthCheckInterval": 45,
                    "newClientForUpgrade": null,
                    "sessionId": session.id,
                    "parameters": [],
                    "sessionInfo": {
                        "databaseName": lr.database,
                        "schemaName": lr.schema,
                        "warehouseName": lr.warehouse,
                        "roleName": session.role,
                    },
                    "idToken": null,
                    "idTokenValidityInSeconds": 0,
                    "responseData": null,
                    "mfaTokenValidityInSeconds": if mfa_token.is_some() { MFA_TOKEN_VALIDITY_SECS } else { 0 },
                    "mfaToken": mfa_token,
                },
                "code": null,
                "message": null,
                "success": true,
            })
        }
    }
}

/// Sends a push and waits for the phone. Takes the lock guard so the wait happens unlocked.
/// The push is counted the moment it is sent.
fn run_push(state: &State, mut g: MutexGuard<'_, Inner>, lr: &LoginRequest) -> Outcome {
    let global_timeout = g.push_timeout_ms;
    let Some(u) = g.user_mut(&lr.account, &lr.user) else {
        return Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD);
    };
    let behaviour = u.cfg.push;
    let timeout_ms = u.cfg.push_timeout_ms.unwrap_or(global_timeout);
    if matches!(behaviour, PushBehaviour::Disabled) {
        return Outcome::Failure(codes::EXT_AUTHN_DUO_PUSH_DISABLED);
    }
    if matches!(behaviour, PushBehaviour::Exception) {
        return Outcome::Failure(codes::EXT_AUTHN_EXCEPTION);
    }
    u.push_count += 1;
    g.total_pushes += 1;
    match behaviour {
        PushBehaviour::Approve { delay_ms } => {
            drop(g);
            state.sleep(Duration::from_millis(delay_ms));
            Outcome::Success(Some("DUO_PUSH"))
        }
        PushBehaviour::Deny { delay_ms } => {
            drop(g);
            state.sleep(Duration::from_millis(delay_ms));
            Outcome::Failure(codes::EXT_AUTHN_DENIED)
        }
        PushBehaviour::Pending => Outcome::Failure(codes::EXT_AUTHN_PENDING),
        PushBehaviour::Timeout | PushBehaviour::Manual => {
            let manual = matches!(behaviour, PushBehaviour::Manual);
            let id = state.add_pending(&mut g, &lr.account, &lr.user, manual);
            drop(g);
            match state.wait_push(id, duo::push_deadline(timeout_ms)) {
                Some(true) => Outcome::Success(Some("DUO_PUSH")),
                Some(false) => Outcome::Failure(codes::EXT_AUTHN_DENIED),
                None => Outcome::Failure(codes::EXT_AUTHN_TIMEOUT),
            }
        }
        PushBehaviour::Disabled | PushBehaviour::Exception => {
            Outcome::Failure(codes::EXT_AUTHN_EXCEPTION)
        }
    }
}

/// Checks a passcode (TOTP window, bypass codes, unused SMS codes); counts wrong ones toward lockout.
fn check_passcode(state: &State, g: &mut Inner, lr: &LoginRequest, code: Option<&str>) -> Outcome {
    let lockout_after = g.lockout_after;
    let now = state.clock.now();
    let Some(u) = g.user_mut(&lr.account, &lr.user) else {
        return Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD);
    };
    if let Some(code) = code {
        if u.cfg.bypass_codes.iter().any(|b| b == code) {
            return Outcome::Success(Some("DUO_PASSCODE"));
        }
        let totp_ok = u
            .cfg
            .totp_secret
            .as_deref()
            .and_then(duo::decode_secret)
            .is_some_and(|k| duo::totp_matches(&k, now, code));
        if totp_ok {
            return Outcome::Success(Some("DUO_PASSCODE"));
        }
        if let Some(i) = u.sms_codes.iter().position(|c| c == code) {
            u.sms_codes.remove(i);
            return Outcome::Success(Some("DUO_SMS"));
        }
    }
    u.failed_passcodes += 1;
    if lockout_after > 0 && u.failed_passcodes >= lockout_after {
        u.cfg.locked = true;
    }
    Outcome::Failure(codes::EXT_AUTHN_INVALID)
}

/// The role a session gets when the login names `requested` (roleName), upper case: the user's
/// default role when none is named. The emulator has no GRANT and only ACCOUNTADMIN carries
/// privileges, so any role may be named except ACCOUNTADMIN by a user whose default role it is
/// not (None: refused with 390189).
fn session_role(cfg: &UserConfig, requested: Option<&str>) -> Option<String> {
    let default = cfg.role();
    match requested.map(str::to_uppercase) {
        None => Some(default),
        Some(r) if r == ADMIN_ROLE && default != ADMIN_ROLE => None,
        Some(r) => Some(r),
    }
}

/// Splits a passcode appended to the password: the last six characters when they are digits.
fn split_passcode(pw: &str) -> Option<(&str, &str)> {
    if pw.len() < 6 || !pw.is_char_boundary(pw.len() - 6) {
        return None;
    }
    let (p, c) = pw.split_at(pw.len() - 6);
    c.bytes().all(|b| b.is_ascii_digit()).then_some((p, c))
}

/// Checks the password. With `split` (passcode-in-password), `PASSWORD` may be the stored password
/// followed by a 6-digit passcode, which is returned. A wrong password is 390100.
fn check_password<'a>(
    sent: &'a str,
    stored: &str,
    split: bool,
) -> Result<Option<&'a str>, Outcome> {
    if split
        && let Some((p, c)) = split_passcode(sent)
        && p == stored
    {
        return Ok(Some(c));
    }
    if sent == stored {
        Ok(None)
    } else {
        Err(Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD))
    }
}

/// True when the request names no Duo factor at all (what `require_duo_method` refuses).
fn names_no_duo_factor(lr: &LoginRequest) -> bool {
    lr.method.is_none()
        && lr.passcode.is_none()
        && lr.token.is_none()
        && !lr.passcode_in_password
        && lr.in_flight.is_none()
}

/// The one-step flow (and the first step of the legacy flow).
fn process(state: &State, lr: &mut LoginRequest) -> Outcome {
    if let Some(ctx) = lr.in_flight.clone() {
        return legacy_continue(state, lr, &ctx);
    }
    let mut g = state.lock();
    let Some(u) = g.user(&lr.account, &lr.user) else {
        return Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD);
    };
    let stored = u.cfg.password.clone();
    let enrolled = u.cfg.duo_enrolled;
    let locked = u.cfg.locked;
    let legacy = u.cfg.legacy_next_action;
    let phone_sms = u.cfg.phone_sms;
    let role_ok = session_role(&u.cfg, lr.role.as_deref()).is_some();
    let bypassed = u.mfa_bypassed(state.clock.now());
    let sent = lr.password.clone().unwrap_or_default();

    // 1. Password (with the passcode split off when it is appended).
    let pip = lr.passcode_in_password
        || (lr.method.as_deref() == Some("passcode") && lr.passcode.is_none());
    let appended = match check_password(&sent, &stored, pip) {
        Ok(code) => code.map(str::to_string),
        Err(outcome) => return outcome,
    };
    let passcode = if pip { appended } else { lr.passcode.clone() };

    // ACCOUNTADMIN only for a user whose role it is (the emulator has no GRANT); checked before Duo.
    if !role_ok {
        return Outcome::Failure(codes::ROLE_NOT_AUTHORIZED);
    }

    // ALTER USER … SET MINS_TO_BYPASS_MFA: the password alone, no Duo, no second factor.
    if bypassed {
        return Outcome::Success(None);
    }

    // 2. A cached MFA token replaces Duo; an invalid one is 390127 (no fallback to Duo).
    if let Some(tok) = &lr.token {
        let valid = g.caching_allowed(&lr.account, &lr.user)
            && state
                .signer
                .verify(
                    tok,
                    &lr.account,
                    &lr.user,
                    &lr.authenticator,
                    &stored,
                    state.clock.now(),
                )
                .is_ok();
        return if valid {
            Outcome::Success(Some("MFA_TOKEN"))
        } else {
            Outcome::Failure(codes::EXT_AUTHN_INVALID)
        };
    }

    // The account insists on an explicit Duo factor; checked before Duo is consulted, so no push.
    if enrolled && g.require_duo_method(&lr.account) && names_no_duo_factor(lr) {
        return Outcome::Failure(codes::EXT_AUTHN_REQUESTED);
    }

    // 3. Lock and enrollment.
    if locked {
        return Outcome::Failure(codes::EXT_AUTHN_LOCKED);
    }
    let wants_passcode = pip || passcode.is_some() || lr.method.as_deref() == Some("passcode");
    let explicit_duo = wants_passcode || lr.method.as_deref() == Some("sms");
    if !enrolled {
        return if explicit_duo {
            Outcome::Failure(codes::EXT_AUTHN_NOT_ENROLLED)
        } else {
            Outcome::Success(None)
        };
    }

    // Legacy step 1: every push or passcode mode answers nextAction; Duo runs at step 2.
    let push_mode = matches!(lr.method.as_deref(), None | Some("push"));
    if legacy && (wants_passcode || push_mode) {
        return Outcome::NextAction("EXT_AUTHN_DUO_ALL", legacy_start(&mut g, lr));
    }

    // 4. Passcode and SMS.
    if wants_passcode {
        return check_passcode(state, &mut g, lr, passcode.as_deref());
    }
    match lr.method.as_deref() {
        Some("sms") => {
            if !phone_sms {
                return Outcome::Failure(codes::EXT_AUTHN_REQUESTED);
            }
            let code = duo::sms_code();
            if let Some(u) = g.user_mut(&lr.account, &lr.user) {
                u.sms_codes.push(code.clone());
                u.sms_outbox.push(code);
            }
            Outcome::Failure(codes::EXT_AUTHN_SMS_SENT)
        }
        // 5. Push (the default).
        None | Some("push") => run_push(state, g, lr),
        Some(_) => Outcome::Failure(codes::EXT_AUTHN_REQUESTED),
    }
}

/// A fresh, unguessable `inFlightCtx` value.
fn new_ctx() -> String {
    format!("IFC-{}", crate::random::hex(16))
}

/// Legacy step 1: remembers who is logging in and returns the context for step 2.
fn legacy_start(g: &mut Inner, lr: &LoginRequest) -> String {
    let ctx = new_ctx();
    let entry = InFlight {
        account: lr.account.clone(),
        user: lr.user.clone(),
        stage: 1,
        factor: None,
        request_mfa_token: lr.request_mfa_token,
        authenticator: lr.authenticator.clone(),
    };
    g.inflight.insert(ctx.clone(), entry);
    ctx
}

/// Steps 2 and 3 of the legacy flow: the Duo re-post, then the token request.
fn legacy_continue(state: &State, lr: &mut LoginRequest, ctx: &str) -> Outcome {
    let mut g = state.lock();
    // Removed at once: a context works once, whatever the outcome.
    let Some(entry) = g.inflight.remove(ctx) else {
        return Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD);
    };
    lr.account = entry.account.clone();
    lr.user = entry.user.clone();
    lr.authenticator = entry.authenticator.clone();
    lr.request_mfa_token |= entry.request_mfa_token;
    let Some(u) = g.user(&lr.account, &lr.user) else {
        return Outcome::Failure(codes::INCORRECT_USERNAME_PASSWORD);
    };
    let locked = u.cfg.locked;
    // The password is optional here, but when sent it must match. Python 4.x re-posts the step-1
    // body, so a passcode appended to it is always split off (even with method push).
    let appended = match lr.password.as_deref() {
        None => None,
        Some(sent) => match check_password(sent, &u.cfg.password, true) {
            Ok(code) => code.map(str::to_string),
            Err(outcome) => return outcome,
        },
    };
    if entry.stage >= 2 {
        return Outcome::Success(entry.factor);
    }
    if locked {
        return Outcome::Failure(codes::EXT_AUTHN_LOCKED);
    }
    match legacy_factor(state, g, lr, appended) {
        Outcome::Success(factor) => legacy_passed(state, lr, entry, factor),
        other => other,
    }
}

/// Legacy step 2 passed: a new context for step 3 remembers the factor for LOGIN_HISTORY.
fn legacy_passed(state: &State, lr: &LoginRequest, entry: InFlight, factor: Factor) -> Outcome {
    let next = new_ctx();
    let mut g = state.lock();
    // A Duo success resets the wrong-passcode count, as in the one-step flow.
    if let Some(u) = g.user_mut(&lr.account, &lr.user) {
        u.failed_passcodes = 0;
    }
    let entry = InFlight {
        stage: 2,
        factor,
        ..entry
    };
    g.inflight.insert(next.clone(), entry);
    Outcome::NextAction("EXT_AUTHN_SUCCESS", next)
}

/// Legacy step 2: runs the Duo factor the re-post carries. A `PASSCODE` wins, then a passcode
/// appended to the password; passcode mode without either is a missing passcode (390127);
/// otherwise method absent or push sends one push. Consumes the guard so a push waits unlocked.
fn legacy_factor(
    state: &State,
    mut g: MutexGuard<'_, Inner>,
    lr: &LoginRequest,
    appended: Option<String>,
) -> Outcome {
    let passcode_mode = lr.passcode_in_password || lr.method.as_deref() == Some("passcode");
    match lr.passcode.clone().or(appended) {
        Some(code) => check_passcode(state, &mut g, lr, Some(&code)),
        None if passcode_mode => check_passcode(state, &mut g, lr, None),
        None => match lr.method.as_deref() {
            None | Some("push") => run_push(state, g, lr),
            Some(_) => Outcome::Failure(codes::EXT_AUTHN_REQUESTED),
        },
    }
}

/// Counts the request for its user (resolving a legacy context when the body names nobody).
fn count_login(state: &State, lr: Option<&LoginRequest>) {
    let mut g = state.lock();
    g.total_logins += 1;
    let Some(lr) = lr else { return };
    let (account, user) = match lr.in_flight.as_ref().and_then(|c| g.inflight.get(c)) {
        Some(e) => (e.account.clone(), e.user.clone()),
        None => (lr.account.clone(), lr.user.clone()),
    };
    if let Some(u) = g.user_mut(&account, &user) {
        u.login_count += 1;
    }
}

/// Handles one login request, applying the next scripted fault first.
pub fn handle(state: &State, req: &Request) -> Reply {
    let fault = state.lock().faults.take();
    let parsed: Result<LoginRequest, &'static str> = decode_body(&req.body)
        .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|_| "body is not JSON"))
        .and_then(|v| parse(req, &v));
    count_login(state, parsed.as_ref().ok());

    match &fault {
        Some(Fault::FailHttp { status }) => {
            return Reply::Send(Response::raw(*status, "text/plain", reason(*status)));
        }
        Some(Fault::DropBeforeProcessing) => return Reply::Drop,
        Some(Fault::MalformedJson) => {
            return Reply::Send(Response::raw(
                200,
                "application/json",
                "{\"data\": {\"token\": \"ETSESSION-trunc",
            ));
        }
        Some(Fault::Answer { body }) => {
            return Reply::Send(Response::json(200, body));
        }
        Some(Fault::IncompleteResponse) => {
            return Reply::Send(Response::json(200, &json!({"success": true, "data": {}})));
        }
        Some(Fault::ForceCode { code, message }) => {
            let msg = message
                .clone()
                .unwrap_or_else(|| codes::message(code).to_string());
            if let Ok(lr) = &parsed {
                let mut g = state.lock();
                record(state, &mut g, lr, Err((code, &msg)));
            }
            return Reply::Send(Response::json(200, &failure_body(code, &msg)));
        }
        _ => {}
    }

    let mut lr = match parsed {
        Ok(lr) => lr,
        Err(msg) => {
            return Reply::Send(Response::json(
                400,
                &json!({"data": null, "code": null, "message": msg, "success": false}),
            ));
        }
    };
    let outcome = process(state, &mut lr);
    let body = finish(state, &lr, outcome);
    match fault {
        Some(Fault::DropAfterProcessing) => Reply::Drop,
        Some(Fault::Stall { ms }) => {
            state.sleep(Duration::from_millis(ms));
            Reply::Send(Response::json(200, &body))
        }
        _ => Reply::Send(Response::json(200, &body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_passcode_rules() {
        assert_eq!(split_passcode("abc123987654"), Some(("abc123", "987654")));
        assert_eq!(split_passcode("abc12"), None);
        assert_eq!(split_passcode("abc123abcdef"), None);
        assert_eq!(split_passcode("ééé123456"), Some(("ééé", "123456")));
    }
}
