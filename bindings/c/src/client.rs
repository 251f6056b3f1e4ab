//! `sfmfa_client`: logs in with a configuration.

use crate::{
    Handle, check_out, guard, guard_void, sfmfa_config, sfmfa_result, sfmfa_session, write_out,
};
use sfmfa_core::Client;

/// A client that logs in with one configuration. Thread-safe: any number of threads may call
/// `sfmfa_client_login` on the same client at once. Free it with `sfmfa_client_free` once no call
/// on it is running.
pub struct sfmfa_client {
    _private: [u8; 0],
}

impl Handle for sfmfa_client {
    type Rust = Client;
}

/// Checks `cfg` (required options, http only for loopback hosts, a readable `ca_file`) and creates a
/// client from a copy of it, written to `*out`. No network traffic. The configuration is read here,
/// once: later `sfmfa_config_set` calls on `cfg` do not change this client (a passcode set after
/// this call is not sent; create a new client for it). The caller keeps `cfg` and owns the new
/// client (free it with `sfmfa_client_free`).
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_new(
    cfg: *const sfmfa_config,
    out: *mut *mut sfmfa_client,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new and not being mutated (documented).
        let config = unsafe { sfmfa_config::borrow(cfg, "cfg") }?;
        check_out(out, "out")?;
        let client = Client::new(config.clone())?;
        // SAFETY: out was checked non-NULL.
        unsafe { write_out(out, sfmfa_client::into_raw(client)) };
        Ok(())
    })
}

/// Logs in: sends the login request (a Duo push, a passcode, or the passcode in the password, as
/// configured) and blocks until the server answers or `login_timeout` passes. On success writes a
/// new session to `*out` (free it with `sfmfa_session_free`). On failure `*out` is untouched and the
/// detail (Snowflake code, SQLSTATE, message, hint) is read with `sfmfa_last_error_*` on this thread.
/// Any thread; concurrent calls on one client are allowed.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_login(
    client: *const sfmfa_client,
    out: *mut *mut sfmfa_session,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: client is NULL or from sfmfa_client_new and not freed during the call (documented).
        let client = unsafe { sfmfa_client::borrow(client, "client") }?;
        check_out(out, "out")?;
        let session = client.login()?;
        // SAFETY: out was checked non-NULL.
        unsafe { write_out(out, sfmfa_session::into_raw(session)) };
        Ok(())
    })
}

/// Cancels every login of this client in progress now: each returns `SFMFA_RESULT_CANCELLED`
/// promptly, wherever it was (waiting for Duo, for another login of the same user, between retries),
/// with its socket closed and no token stored. Logins started afterwards are not affected. Writes
/// how many logins were cancelled to `*cancelled` unless it is NULL. Any thread, while other threads
/// are in `sfmfa_client_login` on the same client.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_cancel(
    client: *const sfmfa_client,
    cancelled: *mut u32,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: client is NULL or from sfmfa_client_new and not freed during the call (documented).
        let client = unsafe { sfmfa_client::borrow(client, "client") }?;
        let n = u32::try_from(client.cancel()).unwrap_or(u32::MAX);
        if !cancelled.is_null() {
            // SAFETY: cancelled is non-NULL and points to a u32 the caller owns (documented).
            unsafe { write_out(cancelled, n) };
        }
        Ok(())
    })
}

/// Frees a client. NULL is ignored. No call on it may be running. Sessions it made stay valid.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_free(client: *mut sfmfa_client) {
    // SAFETY: client is NULL or from sfmfa_client_new, freed once, not in use (documented).
    guard_void(|| unsafe { sfmfa_client::free(client) })
}
