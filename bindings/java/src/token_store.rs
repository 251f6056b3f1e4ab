//! `dev.sfmfa.TokenStore`: a token store supplied by the Java application, as the core's
//! [`TokenCache`], and `dev.sfmfa.Native.clientNewWithTokenStore`.
//!
//! This crate does not link the C ABI, so the store is not made of `sfmfa_token_store` callbacks:
//! it implements [`TokenCache`] directly, as `bindings/c/src/token_store.rs` does over C callbacks,
//! with the same contract. Keys are Snowflake's v2 keys; the token crosses as a `byte[]` (UTF-8).
//! The methods are called on the threads that log in (attached to the JVM if they are not, with
//! jni's `attach_current_thread`), possibly several at once. An exception a method throws is
//! cleared here and is the store's failure: the login goes on and the session's cache status says
//! `UNAVAILABLE` (get) or `WRITE_FAILED` (put); the report and the log name the method and the
//! exception's class, never its message (it may quote the token). The global reference to the Java
//! object is dropped with the client, the store's last user.

use std::sync::Arc;

use jni::errors::Error as JniError;
use jni::objects::{JByteArray, JClass, JObject, JString, JThrowable, JValue};
use jni::refs::Global;
use jni::sys::jlong;
use jni::{Env, EnvUnowned, JavaVM, jni_sig, jni_str};
use sfmfa::cache::{CacheKey, TokenCache};
use sfmfa::{Client, Config, Error, ErrorKind, Secret};
use zeroize::Zeroizing;

use crate::errors::{CallResult, ThrowJava};
use crate::handles::{borrow, into_handle};

/// The name of this store in reports (the C ABI's store has the same one).
const NAME: &str = "application store";

/// The longest token read from a store, in bytes (`SFMFA_TOKEN_STORE_MAX_TOKEN` of the C ABI).
const MAX_TOKEN: usize = 65536;

/// The application's `dev.sfmfa.TokenStore`, as a [`TokenCache`].
pub(crate) struct JavaStore {
    /// The Java object; dropping it deletes the global reference (attaching the thread if needed).
    store: Global<JObject<'static>>,
}

/// How a call into the store ended when it did not return.
enum Failed {
    /// The Java method threw an exception of this class (cleared).
    Threw(String),
    /// A JNI call failed.
    Jni(JniError),
}

fn cache_error(message: String) -> Error {
    Error::new(ErrorKind::Cache, message)
}

/// The class name of `thrown`, read after the exception was cleared; never its message.
fn class_name(env: &mut Env<'_>, thrown: &JThrowable<'_>) -> String {
    let name = (|| -> jni::errors::Result<String> {
        let class = env
            .call_method(
                thrown,
                jni_str!("getClass"),
                jni_sig!("()Ljava/lang/Class;"),
                &[],
            )?
            .l()?;
        let name = env
            .call_method(
                &class,
                jni_str!("getName"),
                jni_sig!("()Ljava/lang/String;"),
                &[],
            )?
            .l()?;
        env.cast_local::<JString>(name)?.try_to_string(env)
    })();
    if env.exception_check() {
        env.exception_clear();
    }
    name.unwrap_or_else(|_| "an exception".to_owned())
}

impl JavaStore {
    /// Runs `body` with the store object on this thread, attached to the JVM; an exception left
    /// pending by it is cleared and becomes [`Failed::Threw`].
    fn call<T>(
        &self,
        body: impl FnOnce(&mut Env<'_>, &JObject<'static>) -> jni::errors::Result<T>,
    ) -> Result<T, Failed> {
        let outcome = JavaVM::singleton().and_then(|vm| {
            vm.attach_current_thread(|env| -> jni::errors::Result<Result<T, Failed>> {
                let result = body(env, self.store.as_obj());
                if let Some(thrown) = env.exception_occurred() {
                    env.exception_clear();
                    return Ok(Err(Failed::Threw(class_name(env, &thrown))));
                }
                Ok(result.map_err(Failed::Jni))
            })
        });
        match outcome {
            Ok(result) => result,
            // Not expected (the closure clears what it sees): the class, never the message.
            Err(JniError::CaughtJavaException { name, .. }) => Err(Failed::Threw(name)),
            Err(e) => Err(Failed::Jni(e)),
        }
    }

    /// The cache error of a failed `method` (`doing` says what for), logged.
    fn failed(method: &str, doing: &str, failed: Failed) -> Error {
        let why = match failed {
            Failed::Threw(class) => format!("{method}() threw {class}"),
            Failed::Jni(e) => format!("JNI failure calling {method}(): {e}"),
        };
        log::warn!("sfmfa-jni: the application's token store failed {doing}: {why}");
        cache_error(format!(
            "the application's token store failed {doing}: {why}"
        ))
    }
}

impl TokenCache for JavaStore {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        let bytes = self
            .call(
                |env, store| -> jni::errors::Result<Option<Result<Zeroizing<Vec<u8>>, usize>>> {
                    let key = JString::from_str(env, key.v2())?;
                    let value = env
                        .call_method(
                            store,
                            jni_str!("get"),
                            jni_sig!("(Ljava/lang/String;)[B"),
                            &[JValue::Object(&key)],
                        )?
                        .l()?;
                    if value.is_null() {
                        return Ok(None);
                    }
                    let array = env.cast_local::<JByteArray>(value)?;
                    let len = array.len(env)?;
                    if len > MAX_TOKEN {
                        return Ok(Some(Err(len)));
                    }
                    // The application's array is its own: only this copy is wiped.
                    Ok(Some(Ok(Zeroizing::new(env.convert_byte_array(&array)?))))
                },
            )
            .map_err(|f| Self::failed("get", "reading the token", f))?;
        match bytes {
            None => Ok(None),
            Some(Err(len)) => Err(cache_error(format!(
                "the application's token store holds a token of {len} bytes, more than {MAX_TOKEN}"
            ))),
            Some(Ok(bytes)) if bytes.is_empty() => Ok(None),
            Some(Ok(bytes)) => match std::str::from_utf8(&bytes) {
                Ok(text) if !text.contains('\0') => Ok(Some(Secret::new(text.to_owned()))),
                _ => Err(cache_error(
                    "the application's token store returned a token that is not UTF-8 text"
                        .to_owned(),
                )),
            },
        }
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.call(|env, store| -> jni::errors::Result<()> {
            let key = JString::from_str(env, key.v2())?;
            // A new array, handed to the application: the token is its to keep.
            let bytes = env.byte_array_from_slice(token.expose().as_bytes())?;
            env.call_method(
                store,
                jni_str!("put"),
                jni_sig!("(Ljava/lang/String;[B)V"),
                &[JValue::Object(&key), JValue::Object(&bytes)],
            )?;
            Ok(())
        })
        .map_err(|f| Self::failed("put", "storing the token", f))
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.call(|env, store| -> jni::errors::Result<()> {
            let key = JString::from_str(env, key.v2())?;
            env.call_method(
                store,
                jni_str!("delete"),
                jni_sig!("(Ljava/lang/String;)V"),
                &[JValue::Object(&key)],
            )?;
            Ok(())
        })
        .map_err(|f| Self::failed("delete", "removing the token", f))
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

/// `static native long clientNewWithTokenStore(long config, TokenStore store)`: `clientNew`, with
/// MFA tokens kept in `store` (a `dev.sfmfa.TokenStore`, not null) instead of the store
/// `token_cache` names. The client holds a global reference to `store` until it is freed.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientNewWithTokenStore<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: jlong,
    store: JObject<'local>,
) -> jlong {
    env.with_env(|env| -> CallResult<jlong> {
        if store.is_null() {
            return Err(Error::new(ErrorKind::InvalidValue, "the token store is null").into());
        }
        let config = borrow::<Config>(config)?.clone();
        let store = JavaStore {
            store: env.new_global_ref(&store)?,
        };
        let client = Client::new(config)?.with_token_cache(Arc::new(store));
        Ok(into_handle(client))
    })
    .resolve::<ThrowJava>()
}
