//! `sfmfa_config`: the options of a login, set by name.

use std::ffi::c_char;

use crate::strings::{copy_out, str_arg};
use crate::{CallError, Handle, check_out, guard, guard_void, sfmfa_result, write_out};
use sfmfa_core::config::{Config, find_option};
use sfmfa_core::error::Failure;

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

/// Sets option `key` (canonical name, alias, or the name any official driver gives it; case, `_`,
/// `-` and leading dashes ignored: `passcodeInPassword`, `passcode_in_password`,
/// `--mfa-passcode-in-password`, …) to `value` (text; booleans accept on/off, true/false, yes/no,
/// 1/0). An empty `value` resets an optional option. An option sfmfa accepts but does not honour
/// (`insecureMode`, proxies) set to a value it would have to act on succeeds and records a warning
/// (`sfmfa_config_warning`). Both strings are NUL-terminated UTF-8, copied; the
/// caller keeps ownership. Fails with `SFMFA_RESULT_UNKNOWN_OPTION` or `SFMFA_RESULT_INVALID_VALUE`,
/// also for a value longer than 8192 bytes. The message names the option and what it expects, never
/// the value (of any option: a password typed in the wrong place stays out of it); an unknown `key`
/// is named only when it looks like an option name (letters, `_`, `-`, `.`, at most 64), otherwise
/// by its length, with the nearest known name either way. The configuration is unchanged on failure.
/// A client reads its configuration once, in `sfmfa_client_new`, which copies it: set every option
/// (a passcode too) before creating the client; a change made afterwards reaches only clients
/// created afterwards.
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

/// Names the binding that drives the library through the C ABI (`"Python"`, `"3.11"`), for the
/// `User-Agent` of every request (`sfmfa/<version> (<os>-<arch>) <name>/<version>`) and
/// `CLIENT_ENVIRONMENT.BINDING` of the login request; a configuration made through the C ABI says
/// `C/1` until then. `name` and `version` are NUL-terminated, 1 to 32 characters each of `A-Z`,
/// `a-z`, `0-9`, `.`, `_`, `+`, `-` (they go into an HTTP header), copied. Fails with
/// `SFMFA_RESULT_INVALID_VALUE` otherwise; the configuration is unchanged on failure. One thread at a
/// time, as `sfmfa_config_set`.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_set_binding(
    cfg: *mut sfmfa_config,
    name: *const c_char,
    version: *const c_char,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new, used by one thread (documented).
        let config = unsafe { sfmfa_config::borrow_mut(cfg, "cfg") }?;
        // SAFETY: name and version are NULL or NUL-terminated strings (documented).
        let name = unsafe { str_arg(name, "name") }?;
        // SAFETY: as above.
        let version = unsafe { str_arg(version, "version") }?;
        for (what, text) in [("name", name), ("version", version)] {
            let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-');
            if text.is_empty() || text.len() > 32 || !text.chars().all(token) {
                return Err(CallError::new(
                    Failure::InvalidValue,
                    format!(
                        "binding {what}: 1 to 32 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'"
                    ),
                ));
            }
        }
        config.set_binding(name.to_owned(), version.to_owned());
        Ok(())
    })
}

/// Creates a configuration from a connection string and writes it to `*out`: a JDBC URL
/// (`jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo&passcodeInPassword=on`, keys and
/// values percent-decoded, keys case-insensitive) or an ODBC connection string
/// (`Server=xy12345.snowflakecomputing.com;UID=demo;PWD={abc;123};passcode=123456`, `{…}` quoting with
/// `}}` for `}`), told apart by the `jdbc:` prefix. Every key goes through the option table of
/// `sfmfa_config_set`. Unknown keys and options sfmfa does not honour (`insecureMode=true`, proxies,
/// `DSN=`) are not errors: read them with `sfmfa_config_warning_count` / `sfmfa_config_warning`. Without
/// an `account` key, the account is the first label of the host. An option given twice: the last
/// occurrence is used in a JDBC URL, the first in an ODBC string (each driver's rule), with a warning.
/// `connection_string` is NUL-terminated UTF-8 of at most 65536 bytes, copied; the caller keeps
/// ownership. The caller owns the new configuration and frees it with `sfmfa_config_free`. Fails with
/// `SFMFA_RESULT_INVALID_VALUE` on a longer string, a syntax error or a bad value (the message names
/// the key, when it looks like an option name, and its byte offset, 0-based, never a value); `*out` is
/// written only on success. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_from_connection_string(
    connection_string: *const c_char,
    out: *mut *mut sfmfa_config,
) -> sfmfa_result {
    guard(|| {
        check_out(out, "out")?;
        // SAFETY: connection_string is NULL or NUL-terminated, per the documented contract.
        let text = unsafe { str_arg(connection_string, "connection_string") }?;
        let mut config = Config::from_connection_string(text)?;
        config.set_binding("C", "1");
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { write_out(out, sfmfa_config::into_raw(config)) };
        Ok(())
    })
}

/// Writes to `*out` how many warnings the configuration holds: unknown keys of its connection string
/// (each with its byte offset and the nearest known name), options sfmfa accepts but does not honour
/// given a value it would have to act on, options given twice. At most 51: the first 50, then one
/// that counts the others (`… and 3950 more warnings, not kept`). Any thread, while no thread changes
/// the configuration.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_warning_count(
    cfg: *const sfmfa_config,
    out: *mut usize,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new / _from_connection_string (documented).
        let config = unsafe { sfmfa_config::borrow(cfg, "cfg") }?;
        check_out(out, "out")?;
        // SAFETY: out checked non-NULL.
        unsafe { write_out(out, config.warnings().len()) };
        Ok(())
    })
}

/// Copies warning `index` (0-based, below the count of `sfmfa_config_warning_count`) into `buf` with a
/// terminating NUL, e.g. `unknown key 'wharehouse' at byte 58 ignored; nearest known name:
/// 'warehouse'`. The text names keys (an unknown one only when it looks like an option name, as for
/// `sfmfa_config_set`) and byte offsets, never a value. `out_len` must not be NULL and
/// receives the length without the NUL, also when the result is `SFMFA_RESULT_BUFFER_TOO_SMALL` (then
/// `buf` is untouched; pass `buf_len` 0 to ask the size). An index out of range fails with
/// `SFMFA_RESULT_INVALID_VALUE`. Any thread, while no thread changes the configuration.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_warning(
    cfg: *const sfmfa_config,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new / _from_connection_string (documented).
        let config = unsafe { sfmfa_config::borrow(cfg, "cfg") }?;
        let warnings = config.warnings();
        let warning = warnings.get(index).ok_or_else(|| {
            CallError::new(
                Failure::InvalidValue,
                format!(
                    "warning index {index} is out of range: the configuration has {} warnings",
                    warnings.len()
                ),
            )
        })?;
        // SAFETY: buf/out_len follow the buffer protocol documented above.
        unsafe { copy_out(&warning.to_string(), buf, buf_len, out_len) }
    })
}

/// Frees a configuration. NULL is ignored. Clients made from it are not affected (they copy it).
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_config_free(cfg: *mut sfmfa_config) {
    // SAFETY: cfg is NULL or from sfmfa_config_new and not freed before (documented).
    guard_void(|| unsafe { sfmfa_config::free(cfg) })
}
