//! `sfmfa_config`: the options of a login, set by name.

use std::ffi::c_char;

use super::strings::str_arg;
use super::{Handle, check_out, guard, guard_void, sfmfa_result, write_out};
use crate::config::{Config, find_option};

/// The options of a login (account, user, password, authenticator, passcode, …). Created with
/// `sfmfa_config_new`, changed with `sfmfa_config_set`, freed with `sfmfa_config_free`. Not safe for
/// concurrent mutation: one thread at a time may call `sfmfa_config_set` on it, while no other thread
/// uses it.
pub struct sfmfa_config {
    _private: [u8; 0],
}

impl Handle for sfmfa_config {
    type Rust = Config;
}

/// Creates a configuration with every option at its default and writes it to `*out`. The caller
/// owns it and frees it with `sfmfa_config_free`. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_new(out: *mut *mut sfmfa_config) -> sfmfa_result {
    guard(|| {
        check_out(out, "out")?;
        let mut config = Config::new();
        config.set_binding("C", "1");
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { write_out(out, sfmfa_config::into_raw(config)) };
        Ok(())
    })
}

/// Sets option `key` (canonical name or any alias, any case: `passcodeInPassword`,
/// `passcode_in_password`, …) to `value` (text; booleans accept on/off, true/false, yes/no, 1/0).
/// An empty `value` resets an optional option. Both strings are NUL-terminated UTF-8, copied; the
/// caller keeps ownership. Fails with `SFMFA_RESULT_UNKNOWN_OPTION` or `SFMFA_RESULT_INVALID_VALUE`
/// (the message names the option, never a secret's value); the configuration is unchanged on failure.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_set(
    cfg: *mut sfmfa_config,
    key: *const c_char,
    value: *const c_char,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new, used by one thread (documented).
        let config = unsafe { sfmfa_config::borrow_mut(cfg, "cfg") }?;
        // SAFETY: key and value are NULL or NUL-terminated strings, per the documented contract.
        let key = unsafe { str_arg(key, "key") }?;
        let what = match find_option(key) {
            Some(spec) => format!("value of option '{}'", spec.name),
            None => "value".to_owned(),
        };
        // SAFETY: as above.
        let value = unsafe { str_arg(value, &what) }?;
        config.set(key, value)?;
        Ok(())
    })
}

/// Frees a configuration. NULL is ignored. Clients made from it are not affected (they copy it).
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_free(cfg: *mut sfmfa_config) {
    // SAFETY: cfg is NULL or from sfmfa_config_new and not freed before (documented).
    guard_void(|| unsafe { sfmfa_config::free(cfg) })
}
