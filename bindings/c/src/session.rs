//! `sfmfa_session`: the result of a login.

use std::ffi::c_char;

use crate::strings::copy_out;
use crate::{Handle, check_out, guard, guard_void, sfmfa_result, write_out};
use sfmfa_core::Session;
use sfmfa_core::protocol::SecondFactor;

/// A logged-in Snowflake session (session token, master token, id). Getters may be called from any
/// thread; `sfmfa_session_close` and `sfmfa_session_free` must not run while another call on the same
/// session runs.
pub struct sfmfa_session {
    _private: [u8; 0],
}

impl Handle for sfmfa_session {
    type Rust = Session;
}

/// The second factor of a login, as far as the exchange with the server proves it (never a factor
/// that did not happen). Values are stable.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sfmfa_second_factor {
    /// No second factor. Not reported by this version (a push request that succeeds in one answer
    /// is `SFMFA_SECOND_FACTOR_PUSH_OR_NONE`); kept so that the value is never reused.
    None = 0,
    /// A Duo push the user approved, proven by the server's multi-step answer (`EXT_AUTHN_SUCCESS`
    /// after the push step).
    Push = 1,
    /// A passcode in its own field, accepted.
    Passcode = 2,
    /// The passcode at the end of the password, accepted.
    PasscodeInPassword = 3,
    /// A cached MFA token, accepted.
    MfaToken = 4,
    /// A push was asked for and the server let the user in with one answer, which does not say
    /// whether it pushed (a user not enrolled in Duo logs in with the password alone).
    PushOrNone = 5,
}

/// Writes the server's session id to `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_id(session: *const sfmfa_session, out: *mut i64) -> sfmfa_result {
    guard(|| {
        // SAFETY: session is NULL or a live session (documented).
        let session = unsafe { sfmfa_session::borrow(session, "session") }?;
        check_out(out, "out")?;
        // SAFETY: out checked non-NULL.
        unsafe { write_out(out, session.session_id()) };
        Ok(())
    })
}

/// Writes the second factor of the login that made `session` to `*out` (what the exchange with
/// the server proves; see `sfmfa_second_factor`). Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_second_factor(
    session: *const sfmfa_session,
    out: *mut sfmfa_second_factor,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: session is NULL or a live session (documented).
        let session = unsafe { sfmfa_session::borrow(session, "session") }?;
        check_out(out, "out")?;
        let factor = match session.second_factor() {
            SecondFactor::None => sfmfa_second_factor::None,
            SecondFactor::Push => sfmfa_second_factor::Push,
            SecondFactor::Passcode => sfmfa_second_factor::Passcode,
            SecondFactor::PasscodeInPassword => sfmfa_second_factor::PasscodeInPassword,
            SecondFactor::MfaToken => sfmfa_second_factor::MfaToken,
            SecondFactor::PushOrNone => sfmfa_second_factor::PushOrNone,
        };
        // SAFETY: out checked non-NULL.
        unsafe { write_out(out, factor) };
        Ok(())
    })
}

/// Copies the session token (a secret: it authorises every request of the session, sent as
/// `Authorization: Snowflake Token="<token>"`) into `buf` with a terminating NUL. `out_len` must not
/// be NULL and receives the length without the NUL, also when the result is
/// `SFMFA_RESULT_BUFFER_TOO_SMALL` (then `buf` is untouched; pass `buf_len` 0 to ask the size). Wipe
/// the copy when done with it.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_token(
    session: *const sfmfa_session,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_session_text(session, |s| s.token().expose(), buf, buf_len, out_len)
}

/// Copies the master token (a secret, used to renew the session token) into `buf`, as
/// `sfmfa_session_token` does.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_master_token(
    session: *const sfmfa_session,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_session_text(
        session,
        |s| s.master_token().expose(),
        buf,
        buf_len,
        out_len,
    )
}

/// The body of every session text getter: borrow the session, copy one of its strings out with the
/// buffer protocol documented at `sfmfa_session_token`.
pub(crate) fn copy_session_text(
    session: *const sfmfa_session,
    field: fn(&Session) -> &str,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: session is NULL or a live session (the getters' documented contract).
        let session = unsafe { sfmfa_session::borrow(session, "session") }?;
        // SAFETY: buf/out_len follow the buffer protocol the getters document.
        unsafe { copy_out(field(session), buf, buf_len, out_len) }
    })
}

/// Logs out (`POST /session?delete=true`), blocking for at most `login_timeout` (30 s at most).
/// Closing a closed session succeeds without network traffic. The session must still be freed.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_close(session: *mut sfmfa_session) -> sfmfa_result {
    guard(|| {
        // SAFETY: session is NULL or a live session not used concurrently (documented).
        let session = unsafe { sfmfa_session::borrow(session, "session") }?;
        session.close()?;
        Ok(())
    })
}

/// Frees a session and wipes its tokens. NULL is ignored. It does not log out: call
/// `sfmfa_session_close` first to end the session on the server.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_free(session: *mut sfmfa_session) {
    // SAFETY: session is NULL or from sfmfa_client_login, freed once, not in use (documented).
    guard_void(|| unsafe { sfmfa_session::free(session) })
}
