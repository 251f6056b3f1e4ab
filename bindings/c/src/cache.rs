//! The token cache from C: what it did during a login, and a client's cached token (deleted or
//! inspected without being revealed).

use std::ffi::c_char;

use crate::session::copy_session_text;
use crate::strings::copy_out;
use crate::{Handle, check_out, guard, sfmfa_client, sfmfa_result, sfmfa_session, write_out};
use sfmfa_core::cache::CacheStatus;

/// What the MFA-token cache did during a login.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sfmfa_cache_status {
    /// A cached token was used: no Duo prompt.
    Hit = 0,
    /// No usable cached token; the login prompted and the new token was stored.
    Stored = 1,
    /// The login prompted but the server issued no token (ALLOW_CLIENT_MFA_CACHING is off).
    NotIssued = 2,
    /// Caching is off by option (`client_store_temporary_credential`, `token_cache=none`).
    Disabled = 3,
    /// The authenticator is not `username_password_mfa`.
    WrongAuthenticator = 4,
    /// The store could not be used; `sfmfa_session_cache_detail` says why.
    Unavailable = 5,
    /// The token could not be stored; `sfmfa_session_cache_detail` says why.
    WriteFailed = 6,
}

impl From<CacheStatus> for sfmfa_cache_status {
    fn from(s: CacheStatus) -> Self {
        match s {
            CacheStatus::Hit => sfmfa_cache_status::Hit,
            CacheStatus::Stored => sfmfa_cache_status::Stored,
            CacheStatus::NotIssued => sfmfa_cache_status::NotIssued,
            CacheStatus::Disabled => sfmfa_cache_status::Disabled,
            CacheStatus::WrongAuthenticator => sfmfa_cache_status::WrongAuthenticator,
            CacheStatus::Unavailable => sfmfa_cache_status::Unavailable,
            CacheStatus::WriteFailed => sfmfa_cache_status::WriteFailed,
        }
    }
}

/// Writes what the token cache did during the login that made `session` to `*status`, and whether
/// a rejected cached token was removed first to `*evicted`. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_cache_status(
    session: *const sfmfa_session,
    status: *mut sfmfa_cache_status,
    evicted: *mut bool,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: session is NULL or a live session (documented).
        let session = unsafe { sfmfa_session::borrow(session, "session") }?;
        check_out(status, "status")?;
        check_out(evicted, "evicted")?;
        let report = session.cache_report();
        // SAFETY: both checked non-NULL.
        unsafe {
            write_out(status, report.status.into());
            write_out(evicted, report.evicted);
        }
        Ok(())
    })
}

/// Copies one sentence on what the token cache did and why (e.g. "the file cache is unavailable:
/// …"; never a token) into `buf`, with the buffer protocol of `sfmfa_session_token`.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_session_cache_detail(
    session: *const sfmfa_session,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_session_text(session, |s| &s.cache_report().detail, buf, buf_len, out_len)
}

/// Deletes the cached MFA token of the client's (host, user) from the store its configuration
/// selects. Deleting a token that is not there succeeds; a client that does not cache deletes
/// nothing. No network traffic. Any thread, also while logins run on the client.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_cache_delete(client: *const sfmfa_client) -> sfmfa_result {
    guard(|| {
        // SAFETY: client is NULL or a live client from sfmfa_client_new (documented).
        let client = unsafe { sfmfa_client::borrow(client, "client") }?;
        client.delete_cached_token()?;
        Ok(())
    })
}

/// Tells whether a token is cached for the client's (host, user), without revealing it: `*present`
/// receives the answer and the name of the store asked ("file", "memory", …; empty when the client
/// does not cache) is copied into `buf` with the buffer protocol of `sfmfa_session_token`. No
/// network traffic. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_cache_inspect(
    client: *const sfmfa_client,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: client is NULL or a live client from sfmfa_client_new (documented).
        let client = unsafe { sfmfa_client::borrow(client, "client") }?;
        check_out(present, "present")?;
        let inspection = client.inspect_cache()?;
        let (found, backend) = inspection.map_or((false, ""), |i| (i.present, i.backend));
        // SAFETY: buf/out_len per the documented contract; present checked non-NULL. The name is
        // copied first so that `*present` is written only when everything succeeded.
        unsafe {
            copy_out(backend, buf, buf_len, out_len)?;
            write_out(present, found);
        }
        Ok(())
    })
}
