//! The session endpoints besides login: logout, heartbeat, token renewal, telemetry.

use serde_json::{Value, json};

use crate::codes;
use crate::http::{Request, Response};
use crate::sessions::{MASTER_VALIDITY_SECS, SESSION_VALIDITY_SECS};
use crate::state::State;

/// `{"data":null,"code":null,"message":null,"success":true}`, the answer to anything harmless.
pub fn ok_null() -> Response {
    Response::json(
        200,
        &json!({"data": null, "code": null, "message": null, "success": true}),
    )
}

/// The service's answer to a request whose session token is missing, unknown or closed (390111).
pub(crate) fn session_gone() -> Response {
    Response::json(
        200,
        &json!({
            "data": null,
            "code": codes::SESSION_GONE,
            "message": codes::message(codes::SESSION_GONE),
            "success": false,
        }),
    )
}

/// `POST /session?delete=true`: closes the session of the Authorization token.
pub fn logout(state: &State, req: &Request) -> Response {
    let closed = match req.snowflake_token() {
        Some(t) => state.lock().sessions.close(t),
        None => false,
    };
    if closed { ok_null() } else { session_gone() }
}

/// `POST /session/heartbeat`: success while the session is open.
pub fn heartbeat(state: &State, req: &Request) -> Response {
    let open = req
        .snowflake_token()
        .is_some_and(|t| state.lock().sessions.is_open(t));
    if open { ok_null() } else { session_gone() }
}

/// `POST /session/token-request` with the master token: a new session token (RENEW).
pub fn renew(state: &State, req: &Request) -> Response {
    let Some(master) = req.snowflake_token() else {
        return session_gone();
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let old = body.get("oldSessionToken").and_then(Value::as_str);
    let renewed = state.lock().sessions.renew(master, old);
    match renewed {
        Some((token, s)) => Response::json(
            200,
            &json!({
                "data": {
                    "sessionToken": token,
                    "validityInSecondsST": SESSION_VALIDITY_SECS,
                    "masterToken": s.master_token,
                    "validityInSecondsMT": MASTER_VALIDITY_SECS,
                    "sessionId": s.id,
                },
                "code": null, "message": null, "success": true,
            }),
        ),
        None => session_gone(),
    }
}

/// `POST /telemetry/send`: accepted and ignored.
pub fn telemetry() -> Response {
    Response::json(200, &json!({"success": true}))
}
