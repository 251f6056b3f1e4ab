//! `dev.sfmfa.Native.session*`: what a login produced, and logging out.

use jni::EnvUnowned;
use jni::objects::{JClass, JString};
use jni::sys::jlong;
use sfmfa::cache::CacheStatus;
use sfmfa::{SecondFactor, Session};

use crate::errors::{CallResult, ThrowJava};
use crate::handles::{borrow, free};
use crate::strings::{to_java, to_java_opt};

/// Which text of a session a `sessionText` call asks for (the Java side's constants).
const TOKEN: i32 = 0;
const MASTER_TOKEN: i32 = 1;
const SECOND_FACTOR: i32 = 2;
const CACHE_STATUS: i32 = 3;
const CACHE_DETAIL: i32 = 4;
const CACHE_BACKEND: i32 = 5;

/// The `SfmfaSession.SecondFactor` constant.
fn second_factor(f: SecondFactor) -> &'static str {
    match f {
        SecondFactor::None => "NONE",
        SecondFactor::Push => "PUSH",
        SecondFactor::Passcode => "PASSCODE",
        SecondFactor::PasscodeInPassword => "PASSCODE_IN_PASSWORD",
        SecondFactor::MfaToken => "MFA_TOKEN",
        SecondFactor::PushOrNone => "PUSH_OR_NONE",
    }
}

/// The `CacheStatus` constant (Java).
fn cache_status(s: CacheStatus) -> &'static str {
    match s {
        CacheStatus::Hit => "HIT",
        CacheStatus::Stored => "STORED",
        CacheStatus::NotIssued => "NOT_ISSUED",
        CacheStatus::Disabled => "DISABLED",
        CacheStatus::WrongAuthenticator => "WRONG_AUTHENTICATOR",
        CacheStatus::Unavailable => "UNAVAILABLE",
        CacheStatus::WriteFailed => "WRITE_FAILED",
    }
}

/// `static native String sessionText(long session, int which)`: the session token, the master
/// token (secrets: copied into a Java string only when asked), the second factor, the cache
/// status, its detail or its backend (null when none).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_sessionText<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    session: jlong,
    which: i32,
) -> JString<'local> {
    env.with_env(|env| -> CallResult<JString<'local>> {
        let session = borrow::<Session>(session)?;
        let report = session.cache_report();
        match which {
            TOKEN => to_java(env, session.token().expose()),
            MASTER_TOKEN => to_java(env, session.master_token().expose()),
            SECOND_FACTOR => to_java(env, second_factor(session.second_factor())),
            CACHE_STATUS => to_java(env, cache_status(report.status)),
            CACHE_DETAIL => to_java(env, &report.detail),
            CACHE_BACKEND => to_java_opt(env, report.backend),
            other => Err(sfmfa::Error::new(
                sfmfa::ErrorKind::Internal,
                format!("sessionText: no text number {other}"),
            )
            .into()),
        }
    })
    .resolve::<ThrowJava>()
}

/// `static native long sessionId(long session)`: the server's session id.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_sessionId<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    session: jlong,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> { Ok(borrow::<Session>(session)?.session_id()) })
        .resolve::<ThrowJava>()
}

/// `static native void sessionClose(long session)`: logs out; closing a closed session does
/// nothing.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_sessionClose<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    session: jlong,
) {
    env.with_env(|_env| -> CallResult<()> {
        borrow::<Session>(session)?.close()?;
        Ok(())
    })
    .resolve::<ThrowJava>()
}

/// `static native void sessionFree(long session)`: frees the session (its tokens are wiped).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_sessionFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    session: jlong,
) {
    env.with_env(|_env| -> CallResult<()> { free::<Session>(session) })
        .resolve::<ThrowJava>()
}
