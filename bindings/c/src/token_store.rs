//! A token store supplied by the application: `sfmfa_token_store` (get, put and delete callbacks
//! with a user-data pointer) and `sfmfa_client_new_with_token_store`.
//!
//! The callbacks are keyed by Snowflake's v2 key (`SnowflakeTokenCache.v2.MfaToken.<sha256 hex>` of
//! the host and user, never the host or user themselves) and see the token as bytes and a length.
//! sfmfa owns the buffer a `get` fills and wipes it after use. A callback's failure is the cache's:
//! the login goes on (the session's cache status says `UNAVAILABLE` or `WRITE_FAILED`, the detail
//! names the callback), never fails because of it. The store has no in-memory layer: every login
//! asks the callbacks. The callbacks are called on the threads that call `sfmfa_client_login` (or
//! `sfmfa_client_cache_delete` / `_inspect`), possibly several at once, and the release callback
//! once, on the thread that drops the last reference.

use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::{
    CallError, Handle, check_out, guard, guard_void, sfmfa_client, sfmfa_config, sfmfa_result,
    write_out,
};
use sfmfa_core::Client;
use sfmfa_core::Secret;
use sfmfa_core::cache::{CacheKey, TokenCache};
use sfmfa_core::error::{Error, ErrorKind};

/// A token store callback succeeded (`get`: the token was written to the buffer).
pub const SFMFA_TOKEN_STORE_OK: i32 = 0;
/// `get`: the store holds no token under the key. `delete`: there was none (not an error).
pub const SFMFA_TOKEN_STORE_NOT_FOUND: i32 = 1;
/// `get`: the token is longer than `buf_len`; its length was written to `*token_len` and sfmfa
/// calls `get` once more with a buffer that large (at most `SFMFA_TOKEN_STORE_MAX_TOKEN` bytes).
pub const SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL: i32 = 2;
/// The store failed. sfmfa reports it as the reason the cache was not used (the login goes on).
/// Any value other than the ones above means the same.
pub const SFMFA_TOKEN_STORE_FAILED: i32 = 3;
/// The longest token sfmfa reads from a store, in bytes (MFA tokens are a few hundred bytes).
pub const SFMFA_TOKEN_STORE_MAX_TOKEN: usize = 65536;

/// The size of the buffer of a first `get` (larger than any MFA token Snowflake issues).
const FIRST_BUFFER: usize = 4096;

/// Reads the token stored under `key` (a NUL-terminated v2 key, valid during the call) into `buf`
/// (`buf_len` bytes, owned by sfmfa, wiped after use): writes the token's length to `*token_len` and
/// returns `SFMFA_TOKEN_STORE_OK`; or returns `SFMFA_TOKEN_STORE_NOT_FOUND`; or, when the token is
/// longer than `buf_len`, writes its length to `*token_len` and returns
/// `SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL`; or returns `SFMFA_TOKEN_STORE_FAILED`. The token is UTF-8
/// text without a NUL (an MFA token as the server issued it); an empty token counts as none.
pub type sfmfa_token_store_get_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        key: *const c_char,
        buf: *mut u8,
        buf_len: usize,
        token_len: *mut usize,
    ) -> i32,
>;

/// Stores `token_len` bytes at `token` under `key` (a NUL-terminated v2 key), replacing any token
/// there. Both pointers are valid during the call only: copy the token (and wipe your copies when
/// you drop them). Returns `SFMFA_TOKEN_STORE_OK` or `SFMFA_TOKEN_STORE_FAILED`.
pub type sfmfa_token_store_put_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        key: *const c_char,
        token: *const u8,
        token_len: usize,
    ) -> i32,
>;

/// Removes the token under `key` (a NUL-terminated v2 key, valid during the call): called when the
/// server rejected it, or by `sfmfa_client_cache_delete`. Returns `SFMFA_TOKEN_STORE_OK`,
/// `SFMFA_TOKEN_STORE_NOT_FOUND` (also a success) or `SFMFA_TOKEN_STORE_FAILED`.
pub type sfmfa_token_store_delete_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, key: *const c_char) -> i32>;

/// Called once with `userdata` when sfmfa no longer needs it: after `sfmfa_token_store_free` and
/// the freeing of every client made with the store, on the thread that freed the last of them.
pub type sfmfa_token_store_release_callback = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// A token store made of the application's callbacks (`sfmfa_token_store_new`). Give it to any
/// number of clients with `sfmfa_client_new_with_token_store`; free it with
/// `sfmfa_token_store_free` whenever you like (the clients keep what they need).
pub struct sfmfa_token_store {
    _private: [u8; 0],
}

impl Handle for sfmfa_token_store {
    type Rust = Arc<CallbackStore>;
}

/// The callbacks and the caller's pointer, as a [`TokenCache`].
pub(crate) struct CallbackStore {
    get: unsafe extern "C" fn(*mut c_void, *const c_char, *mut u8, usize, *mut usize) -> i32,
    put: unsafe extern "C" fn(*mut c_void, *const c_char, *const u8, usize) -> i32,
    delete: unsafe extern "C" fn(*mut c_void, *const c_char) -> i32,
    release: sfmfa_token_store_release_callback,
    userdata: *mut c_void,
}

// SAFETY: the header documents that the callbacks and `userdata` must be usable from every thread
// that calls into a client made with the store, at once; sfmfa only passes the pointer back.
unsafe impl Send for CallbackStore {}
// SAFETY: as above; sfmfa never reads or writes through `userdata`.
unsafe impl Sync for CallbackStore {}

impl Drop for CallbackStore {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: a function of this signature (documented), called once, as the last use of
            // `userdata`.
            unsafe { release(self.userdata) };
        }
    }
}

/// The name of this store in reports.
const NAME: &str = "application store";

fn failed(doing: &str, code: i32) -> Error {
    Error::new(
        ErrorKind::Cache,
        format!("the application's token store failed {doing} (its callback returned {code})"),
    )
}

fn c_key(key: &CacheKey) -> Result<CString, Error> {
    // A v2 key is ASCII (a prefix and hex digits): never a NUL.
    CString::new(key.v2())
        .map_err(|_| Error::new(ErrorKind::Cache, "the token cache key holds a NUL byte"))
}

impl CallbackStore {
    /// One `get` into a buffer of `size` bytes: the token, or the length it needs.
    fn get_into(&self, key: &CString, size: usize) -> Result<Result<Option<Secret>, usize>, Error> {
        let mut buf = Zeroizing::new(vec![0u8; size]);
        let mut len: usize = 0;
        // SAFETY: `get` has this signature (documented); key, buf (size bytes) and len live for
        // the call.
        let code = unsafe {
            (self.get)(
                self.userdata,
                key.as_ptr(),
                buf.as_mut_ptr(),
                size,
                &mut len,
            )
        };
        match code {
            SFMFA_TOKEN_STORE_OK if len > size => Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "the application's token store reported a token of {len} bytes in a buffer of {size}"
                ),
            )),
            SFMFA_TOKEN_STORE_OK if len == 0 => Ok(Ok(None)),
            SFMFA_TOKEN_STORE_OK => match std::str::from_utf8(&buf[..len]) {
                Ok(text) if !text.contains('\0') => Ok(Ok(Some(Secret::new(text.to_owned())))),
                _ => Err(Error::new(
                    ErrorKind::Cache,
                    "the application's token store returned a token that is not UTF-8 text",
                )),
            },
            SFMFA_TOKEN_STORE_NOT_FOUND => Ok(Ok(None)),
            SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL if len > size => Ok(Err(len)),
            SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL => Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "the application's token store said a buffer of {size} bytes is too small for a token of {len}"
                ),
            )),
            other => Err(failed("reading the token", other)),
        }
    }
}

impl TokenCache for CallbackStore {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        let key = c_key(key)?;
        match self.get_into(&key, FIRST_BUFFER)? {
            Ok(token) => Ok(token),
            Err(needed) if needed <= SFMFA_TOKEN_STORE_MAX_TOKEN => match self
                .get_into(&key, needed)?
            {
                Ok(token) => Ok(token),
                Err(again) => Err(Error::new(
                    ErrorKind::Cache,
                    format!("the application's token store asked for {again} bytes after {needed}"),
                )),
            },
            Err(needed) => Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "the application's token store holds a token of {needed} bytes, more than \
                     {SFMFA_TOKEN_STORE_MAX_TOKEN}"
                ),
            )),
        }
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        let key = c_key(key)?;
        let bytes = token.expose().as_bytes();
        // SAFETY: `put` has this signature (documented); key and the token's bytes live for the call.
        match unsafe { (self.put)(self.userdata, key.as_ptr(), bytes.as_ptr(), bytes.len()) } {
            SFMFA_TOKEN_STORE_OK => Ok(()),
            other => Err(failed("storing the token", other)),
        }
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        let key = c_key(key)?;
        // SAFETY: `delete` has this signature (documented); key lives for the call.
        match unsafe { (self.delete)(self.userdata, key.as_ptr()) } {
            SFMFA_TOKEN_STORE_OK | SFMFA_TOKEN_STORE_NOT_FOUND => Ok(()),
            other => Err(failed("removing the token", other)),
        }
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

/// Creates a token store from the application's callbacks, written to `*out` (free it with
/// `sfmfa_token_store_free`). `get`, `put` and `del` (the delete callback) are required; `release` may be NULL.
/// `userdata` is passed back unchanged to every callback; it must stay valid, and the callbacks
/// callable, from every thread that calls into a client made with the store, at once, until
/// `release` is called (or, without `release`, until the store and all those clients are freed).
/// A callback must return promptly (a login's `login_timeout` cannot interrupt it), must not
/// unwind (no C++ exception) and must not log in on a client made with the same store. On failure
/// `release` is not called. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_token_store_new(
    get: sfmfa_token_store_get_callback,
    put: sfmfa_token_store_put_callback,
    del: sfmfa_token_store_delete_callback,
    release: sfmfa_token_store_release_callback,
    userdata: *mut c_void,
    out: *mut *mut sfmfa_token_store,
) -> sfmfa_result {
    guard(|| {
        let get = get.ok_or_else(|| CallError::null("get"))?;
        let put = put.ok_or_else(|| CallError::null("put"))?;
        let delete = del.ok_or_else(|| CallError::null("del"))?;
        check_out(out, "out")?;
        let store = Arc::new(CallbackStore {
            get,
            put,
            delete,
            release,
            userdata,
        });
        // SAFETY: out was checked non-NULL.
        unsafe { write_out(out, sfmfa_token_store::into_raw(store)) };
        Ok(())
    })
}

/// Frees the caller's reference to a store. NULL is ignored. Clients made with it keep using it;
/// `release` is called when the last of them is freed too. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_token_store_free(store: *mut sfmfa_token_store) {
    // SAFETY: store is NULL or from sfmfa_token_store_new, freed once, not in use (documented).
    guard_void(|| unsafe { sfmfa_token_store::free(store) })
}

/// `sfmfa_client_new`, with MFA tokens kept in `store` instead of the store `token_cache` names.
/// Caching still needs `authenticator=username_password_mfa` and
/// `client_store_temporary_credential` on, and the administrator's `SFMFA_TOKEN_CACHE=none` (or
/// `memory`) still wins over it. The client holds its own reference to the store: the caller may
/// free the store at once. The caller keeps `cfg` and owns the new client. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_client_new_with_token_store(
    cfg: *const sfmfa_config,
    store: *const sfmfa_token_store,
    out: *mut *mut sfmfa_client,
) -> sfmfa_result {
    guard(|| {
        // SAFETY: cfg is NULL or from sfmfa_config_new and not being mutated (documented).
        let config = unsafe { sfmfa_config::borrow(cfg, "cfg") }?;
        // SAFETY: store is NULL or a live store from sfmfa_token_store_new (documented).
        let store = unsafe { sfmfa_token_store::borrow(store, "store") }?;
        check_out(out, "out")?;
        let cache: Arc<dyn TokenCache> = Arc::clone(store) as Arc<dyn TokenCache>;
        let client = Client::new(config.clone())?.with_token_cache(cache);
        // SAFETY: out was checked non-NULL.
        unsafe { write_out(out, sfmfa_client::into_raw(client)) };
        Ok(())
    })
}
