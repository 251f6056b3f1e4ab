//! `POST /queries/v1/query-request`: runs one statement for the session of the
//! `Authorization: Snowflake Token="…"` header and answers in the service's JSON result format.

use serde_json::{Value, json};

use crate::endpoints::session_gone;
use crate::http::{Request, Response, decode_body};
use crate::sql::{self, Caller, SqlError};
use crate::state::State;

/// A query id shaped like the service's (`01b2c3d4-0000-…`).
fn query_id() -> String {
    let h = crate::random::hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn failure(e: &SqlError, qid: &str) -> Response {
    Response::json(
        200,
        &json!({
            "data": {
                "internalError": false,
                "errorCode": e.code,
                "age": 0,
                "sqlState": e.sql_state,
                "queryId": qid,
                "line": -1,
                "pos": -1,
                "type": "COMPILATION",
            },
            "code": e.code,
            "message": e.message,
            "success": false,
        }),
    )
}

/// Handles one query request.
pub fn handle(state: &State, req: &Request) -> Response {
    let caller = {
        let g = state.lock();
        match req.snowflake_token().and_then(|t| g.sessions.get(t)) {
            Some(s) => Caller {
                account: s.account.clone(),
                user: s.user.clone(),
                role: s.role.clone(),
            },
            None => return session_gone(),
        }
    };
    let qid = query_id();
    let body: Value = match decode_body(&req.body)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        Some(v) => v,
        None => return failure(&SqlError::syntax("the request body is not JSON"), &qid),
    };
    let Some(sql_text) = body.get("sqlText").and_then(Value::as_str) else {
        return failure(&SqlError::syntax("the request has no sqlText"), &qid);
    };
    if body.get("asyncExec").and_then(Value::as_bool) == Some(true) {
        return failure(
            &SqlError::unsupported("asynchronous execution (asyncExec)"),
            &qid,
        );
    }
    let has_bindings = body
        .get("bindings")
        .is_some_and(|b| !b.is_null() && b.as_object().is_none_or(|o| !o.is_empty()));
    if has_bindings {
        return failure(&SqlError::unsupported("bind variables"), &qid);
    }
    match sql::run(state, &caller, sql_text) {
        Ok(rs) => {
            let n = rs.rows.len();
            Response::json(
                200,
                &json!({
                    "data": {
                        // The session's time zone, which TIMESTAMP_LTZ values are shown in (the
                        // Node.js driver needs it to print one); the emulator clock is UTC.
                        "parameters": [{"name": "TIMEZONE", "value": "UTC"}],
                        "rowtype": rs.rowtype(),
                        "rowset": rs.rowset(),
                        "total": n,
                        "returned": n,
                        "queryId": qid,
                        "databaseProvider": null,
                        "finalDatabaseName": null,
                        "finalSchemaName": null,
                        "finalWarehouseName": null,
                        "finalRoleName": caller.role,
                        "numberOfBinds": 0,
                        "arrayBindSupported": false,
                        "version": 1,
                        "queryResultFormat": "json",
                    },
                    "code": null,
                    "message": null,
                    "success": true,
                }),
            )
        }
        Err(e) => failure(&e, &qid),
    }
}
