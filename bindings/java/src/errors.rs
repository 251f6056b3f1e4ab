//! How a failed native call reaches Java: an `sfmfa::Error` becomes the `java.sql.SQLException`
//! that `dev.sfmfa.Exceptions.of` makes of it (kind, message, SQLSTATE, vendor code = Snowflake
//! code, hint): the JDK subclass its SQLSTATE calls for, implementing `dev.sfmfa.SfmfaError`. A
//! handle that is not live is an `IllegalStateException` (a bug of the Java side, which checks
//! `close()` itself); a JNI failure an exception of kind `INTERNAL`, a panic one of kind `PANIC`.

use std::fmt;

use jni::Env;
use jni::errors::ErrorPolicy;
use jni::objects::{JString, JThrowable, JValue};
use jni::{jni_sig, jni_str};
use sfmfa::error::Failure;
use sfmfa::{Error, ErrorKind};

/// Why a native call failed.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The library refused: configuration, network, server, Duo, cache, cancel.
    Sfmfa(Error),
    /// A handle that is not live, or of another type: a bug of the Java side.
    Handle(String),
    /// A JNI call failed (a Java exception may be pending, which then wins).
    Jni(jni::errors::Error),
}

/// The result of the body of a native call.
pub(crate) type CallResult<T> = Result<T, CallError>;

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Sfmfa(e) => write!(f, "{e}"),
            CallError::Handle(message) => f.write_str(message),
            CallError::Jni(e) => write!(f, "JNI failure in sfmfa-jni: {e}"),
        }
    }
}

impl std::error::Error for CallError {}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        CallError::Sfmfa(e)
    }
}

impl From<jni::errors::Error> for CallError {
    fn from(e: jni::errors::Error) -> Self {
        CallError::Jni(e)
    }
}

/// The value of the `SfmfaError.Kind` constant for `e`: its row of the failure table, whose
/// value and name the Java enum carries (checked against the C header by the Java tests).
pub(crate) fn java_kind(e: &Error) -> i32 {
    // Result values are at most three digits; a value that did not fit would be a bug, reported.
    i32::try_from(e.failure().value()).unwrap_or(Failure::Internal as i32)
}

/// Throws `e` as the exception `dev.sfmfa.Exceptions.of` makes. Returns `Ok` once the exception
/// is pending.
fn throw_sfmfa(env: &mut Env<'_>, e: &Error) -> jni::errors::Result<()> {
    let message = JString::from_str(env, e.message())?;
    let sqlstate = JString::from_str(env, e.sqlstate())?;
    let hint = match e.hint() {
        Some(hint) => JString::from_str(env, hint)?,
        None => JString::null(),
    };
    // Snowflake's codes are six digits; 0 means "no server code".
    let code = e
        .server_code()
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(0);
    let exception = env
        .call_static_method(
            jni_str!("dev/sfmfa/Exceptions"),
            jni_str!("of"),
            jni_sig!(
                "(ILjava/lang/String;Ljava/lang/String;ILjava/lang/String;)Ljava/sql/SQLException;"
            ),
            &[
                JValue::Int(java_kind(e)),
                JValue::Object(&message),
                JValue::Object(&sqlstate),
                JValue::Int(code),
                JValue::Object(&hint),
            ],
        )?
        .l()?;
    let throwable = env.cast_local::<JThrowable>(exception)?;
    pending(env.throw(throwable))
}

/// `env.throw*` answers `Err(JavaException)` once the exception is pending: that is success here.
fn pending(thrown: jni::errors::Result<()>) -> jni::errors::Result<()> {
    match thrown {
        Ok(()) | Err(jni::errors::Error::JavaException) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The error policy of every native method: throw the matching Java exception and return the
/// type's default (0, null, false), which Java never sees because the exception is pending.
pub(crate) struct ThrowJava;

impl<T: Default> ErrorPolicy<T, CallError> for ThrowJava {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: CallError,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            // A Java exception is already on its way (e.g. from a failed JNI call): it wins.
            return Ok(T::default());
        }
        match err {
            CallError::Sfmfa(e) => throw_sfmfa(env, &e)?,
            CallError::Handle(message) => pending(env.throw_new(
                jni_str!("java/lang/IllegalStateException"),
                jni::strings::JNIString::from(message),
            ))?,
            CallError::Jni(e) => throw_sfmfa(
                env,
                &Error::new(
                    ErrorKind::Internal,
                    format!("JNI failure in sfmfa-jni: {e}"),
                ),
            )?,
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let what = payload
            .downcast_ref::<&'static str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        // Dropping a payload could itself panic: never drop it here.
        std::mem::forget(payload);
        log::error!("sfmfa-jni: a Rust panic was caught at the JNI boundary: {what}");
        if env.exception_check() {
            return Ok(T::default());
        }
        throw_sfmfa(
            env,
            &Error::from_failure(
                Failure::Panic,
                format!("a bug in sfmfa (a Rust panic was caught at the JNI boundary): {what}"),
            ),
        )?;
        Ok(T::default())
    }
}
