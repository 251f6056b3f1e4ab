//! Maps a request to its handler.

use crate::endpoints;
use crate::http::{Reply, Request};
use std::sync::Arc;

use crate::state::State;
use crate::{control_api, login, query};

/// Answers one request.
pub fn route(state: &Arc<State>, req: &Request) -> Reply {
    let post = req.method.eq_ignore_ascii_case("POST");
    match req.path.as_str() {
        "/session/v1/login-request" if post => login::handle(state, req),
        "/session" if post && req.query("delete") == Some("true") => {
            Reply::Send(endpoints::logout(state, req))
        }
        "/session/heartbeat" if post => Reply::Send(endpoints::heartbeat(state, req)),
        "/session/token-request" if post => Reply::Send(endpoints::renew(state, req)),
        "/queries/v1/query-request" if post => Reply::Send(query::handle(state, req)),
        "/telemetry/send" if post => Reply::Send(endpoints::telemetry()),
        p if p.starts_with("/control/") => control_api::handle(state, req),
        _ => Reply::Send(endpoints::ok_null()),
    }
}
