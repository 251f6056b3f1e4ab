//! Progress events in C: `sfmfa_client_set_progress_callback` and the event it delivers.

use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

use crate::{Handle, guard, sfmfa_client, sfmfa_result};
use sfmfa_core::progress::Progress;

/// What a login is doing (the `kind` of an `sfmfa_progress`). Values are stable.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sfmfa_progress_kind {
    /// A cached MFA token is sent instead of a Duo prompt.
    UsingCachedToken = 1,
    /// Another login of the same (host, user) is prompting; this one waits for its outcome.
    WaitingForOtherLogin = 2,
    /// A request that makes Duo push to the user's phone was written to the connection in full:
    /// "approve the login on your phone". Never reported when the connection did not open.
    PushSent = 3,
    /// A request with a Duo passcode was written to the connection in full (never when the
    /// connection did not open).
    PasscodeSent = 4,
    /// A request failed before the server acted on it; it is sent again after `delay_ms`
    /// (`attempt` is the attempt that comes next).
    Retrying = 5,
    /// The MFA token the server issued was stored.
    TokenStored = 6,
    /// No MFA token was cached by this login; `message` says why.
    TokenNotCached = 7,
    /// Something about the configuration the user should know; `message` says what.
    Warning = 8,
    /// The server answered with `nextAction`: step `step` of a multi-step login starts (2: the Duo
    /// step, which waits for the push or checks the passcode; 3: the request for the session
    /// tokens). Until the next event, the login waits for this step.
    LoginStep = 9,
}

/// One progress event. Valid only during the callback that receives it: copy what you keep.
#[repr(C)]
pub struct sfmfa_progress {
    /// What happened.
    pub kind: sfmfa_progress_kind,
    /// For `SFMFA_PROGRESS_KIND_RETRYING`: the attempt that comes next (2 for the first retry);
    /// otherwise 0.
    pub attempt: u32,
    /// For `SFMFA_PROGRESS_KIND_RETRYING`: the pause before it, in milliseconds; otherwise 0.
    pub delay_ms: u64,
    /// A sentence for a person, NUL-terminated UTF-8, never NULL, never a secret.
    pub message: *const c_char,
    /// For `SFMFA_PROGRESS_KIND_LOGIN_STEP`: the step that starts (2 or 3); otherwise 0.
    pub step: u32,
}

/// A progress callback: `userdata` as given to `sfmfa_client_set_progress_callback`, and the event.
/// Called on the thread that called `sfmfa_client_login`, synchronously: it must return quickly, may
/// call `sfmfa_client_cancel`, and must not call `sfmfa_client_login` on the same client. A login it
/// starts on another client of the same (host, user) that would wait for the calling login's Duo
/// prompt returns `SFMFA_RESULT_INVALID_VALUE` at once.
pub type sfmfa_progress_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const sfmfa_progress)>;

/// The caller's `userdata`, carried to the threads that log in.
struct UserData(*mut c_void);
// SAFETY: the header documents that `userdata` must be usable from every thread that calls
// `sfmfa_client_login` on the client; sfmfa only passes the pointer back, never dereferences it.
unsafe impl Send for UserData {}
// SAFETY: as above; sfmfa never reads or writes through the pointer.
unsafe impl Sync for UserData {}

/// The kind and the numeric fields (attempt, delay_ms, step) of an event.
fn to_c(event: &Progress) -> (sfmfa_progress_kind, u32, u64, u32) {
    let (kind, attempt, delay_ms) = match event {
        Progress::UsingCachedToken { .. } => (sfmfa_progress_kind::UsingCachedToken, 0, 0),
        Progress::WaitingForOtherLogin => (sfmfa_progress_kind::WaitingForOtherLogin, 0, 0),
        Progress::PushSent => (sfmfa_progress_kind::PushSent, 0, 0),
        Progress::PasscodeSent => (sfmfa_progress_kind::PasscodeSent, 0, 0),
        Progress::Retrying { attempt, delay, .. } => (
            sfmfa_progress_kind::Retrying,
            *attempt,
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        ),
        Progress::TokenStored { .. } => (sfmfa_progress_kind::TokenStored, 0, 0),
        Progress::TokenNotCached { .. } => (sfmfa_progress_kind::TokenNotCached, 0, 0),
        Progress::Warning { .. } => (sfmfa_progress_kind::Warning, 0, 0),
        Progress::LoginStep { .. } => (sfmfa_progress_kind::LoginStep, 0, 0),
    };
    let step = match event {
        Progress::LoginStep { step, .. } => *step,
        _ => 0,
    };
    (kind, attempt, delay_ms, step)
}

/// Sets the function that receives the progress events of this client's later logins (NULL
/// removes it). `userdata` is passed back unchanged; it must stay valid, and usable from every
/// thread that calls `sfmfa_client_login`, until the callback is replaced or the client freed.
/// Logins already running keep the callback they started with. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_set_progress_callback(
    client: *const sfmfa_client,
    callback: sfmfa_progress_callback,
    userdata: *mut c_void,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: client is NULL or from sfmfa_client_new and not freed during the call (documented).
        let client = unsafe { sfmfa_client::borrow(client, "client") }?;
        let Some(callback) = callback else {
            client.set_progress(None);
            return Ok(());
        };
        let userdata = UserData(userdata);
        client.set_progress(Some(Arc::new(move |event: &Progress| {
            // Display never contains a NUL, but a lossy fallback keeps this total.
            let message = CString::new(event.to_string())
                .unwrap_or_else(|_| CString::from(c"(message unavailable)"));
            let (kind, attempt, delay_ms, step) = to_c(event);
            let event = sfmfa_progress {
                kind,
                attempt,
                delay_ms,
                message: message.as_ptr(),
                step,
            };
            let userdata = &userdata;
            // SAFETY: the caller gave a function of this signature; `event` and its message live
            // until the call returns, as documented.
            unsafe { callback(userdata.0, &event) };
        })));
        Ok(())
    })
}
