//! Strings across the boundary: NUL-terminated UTF-8 in, caller-buffer copies out.

use std::ffi::{CStr, c_char};

use crate::CallError;
use sfmfa_core::error::Failure;

/// Borrows a C string argument as `&str`. `what` names it in the error ("key", "value of option
/// 'password'"), never its content.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, CallError> {
    if ptr.is_null() {
        return Err(CallError::null(what));
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    let cstr = unsafe { CStr::from_ptr(ptr) };
    cstr.to_str()
        .map_err(|_| CallError::new(Failure::InvalidUtf8, format!("{what} is not valid UTF-8")))
}

/// Copies `text` and a NUL into `buf` (`buf_len` bytes). `*out_len` receives the length of `text`
/// (without the NUL) on success and also when the buffer is too small, so the caller can size it.
///
/// # Safety
/// `buf` is NULL or writable for `buf_len` bytes; `out_len` is NULL or writable.
pub(crate) unsafe fn copy_out(
    text: &str,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> Result<(), CallError> {
    if out_len.is_null() {
        return Err(CallError::null("out_len"));
    }
    let needed = text.len();
    if buf.is_null() || buf_len < needed + 1 {
        // SAFETY: out_len is non-NULL and writable per the contract.
        unsafe { *out_len = needed };
        return Err(CallError::new(
            Failure::BufferTooSmall,
            format!(
                "buffer of {buf_len} bytes is too small; {} are needed",
                needed + 1
            ),
        ));
    }
    // SAFETY: buf is writable for buf_len >= needed + 1 bytes; the source is a valid &str and the
    // regions cannot overlap (one is ours, one the caller's).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), needed);
        *buf.add(needed) = 0;
        *out_len = needed;
    }
    Ok(())
}
