//! The detail of the last failure on the calling thread (libgit2 style), for C callers.
//!
//! Every fallible function clears it on entry and sets it when it fails; the getters below read it
//! without changing it. It never holds a secret.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::sfmfa_result;
use crate::strings::copy_out;
use sfmfa_core::error::{Error, Failure};

#[derive(Default)]
struct LastError {
    result: Option<sfmfa_result>,
    server_code: u32,
    sqlstate: String,
    message: String,
    hint: String,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

pub(crate) fn clear() {
    LAST_ERROR.with(|l| *l.borrow_mut() = LastError::default());
}

pub(crate) fn set(result: sfmfa_result, error: &Error) {
    LAST_ERROR.with(|l| {
        *l.borrow_mut() = LastError {
            result: Some(result),
            server_code: error.server_code().unwrap_or(0),
            sqlstate: error.sqlstate().to_owned(),
            message: error.to_string(),
            hint: error.hint().unwrap_or_default().to_owned(),
        }
    });
}

fn read<T>(f: impl FnOnce(&LastError) -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(|| LAST_ERROR.with(|l| f(&l.borrow())))).ok()
}

fn copy_field(
    field: fn(&LastError) -> &str,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    read(|l| {
        // SAFETY: forwarded from the public function, whose contract is copy_out's.
        match unsafe { copy_out(field(l), buf, buf_len, out_len) } {
            Ok(()) => sfmfa_result::OK,
            Err(e) => e.result,
        }
    })
    .unwrap_or(sfmfa_result::from(Failure::Panic))
}

/// The result of the last failed sfmfa call on this thread, or `SFMFA_RESULT_OK` when the last
/// fallible call succeeded. Reading does not clear it. Call from the thread that made the call.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_last_error_result() -> sfmfa_result {
    read(|l| l.result.unwrap_or(sfmfa_result::OK)).unwrap_or(sfmfa_result::from(Failure::Panic))
}

/// Snowflake's code of the last failure on this thread (e.g. 390120), or 0 when the server did not
/// refuse the login (transport, caller errors) or nothing failed.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_last_error_server_code() -> u32 {
    read(|l| l.server_code).unwrap_or(0)
}

/// Copies the SQLSTATE of the last failure on this thread (5 characters, e.g. `"08001"`; empty when
/// nothing failed) into `buf` with a terminating NUL.
///
/// `buf` (may be NULL when `buf_len` is 0) must be writable for `buf_len` bytes; `out_len` must not
/// be NULL and receives the length without the NUL, also when the result is
/// `SFMFA_RESULT_BUFFER_TOO_SMALL` (then `buf` is untouched). Does not change the last error.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_last_error_sqlstate(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_field(|l| &l.sqlstate, buf, buf_len, out_len)
}

/// Copies the message of the last failure on this thread (UTF-8, no secret ever; empty when nothing
/// failed) into `buf`, as `sfmfa_last_error_sqlstate` does.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_last_error_message(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_field(|l| &l.message, buf, buf_len, out_len)
}

/// Copies the hint of the last failure on this thread (what the user can do, e.g. "use a passcode";
/// empty when there is none) into `buf`, as `sfmfa_last_error_sqlstate` does.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_last_error_hint(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    copy_field(|l| &l.hint, buf, buf_len, out_len)
}
