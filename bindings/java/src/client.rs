//! `dev.sfmfa.Native.client*`: a client, its logins, cancel and progress. A client is shared by
//! any number of Java threads; each call holds the handle's read lock on the Java side.

use jni::EnvUnowned;
use jni::objects::{JClass, JObject, JString};
use jni::sys::jlong;
use sfmfa::{Client, Config, Session};

use crate::errors::{CallResult, ThrowJava};
use crate::handles::{borrow, free, into_handle};
use crate::progress;
use crate::strings::to_java;

/// `static native long clientNew(long config)`: checks the configuration and makes a client from a
/// copy of it. No network traffic.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: jlong,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> {
        let config = borrow::<Config>(config)?.clone();
        Ok(into_handle(Client::new(config)?))
    })
    .resolve::<ThrowJava>()
}

/// `static native void clientSetProgress(long client, Object dispatcher)`: delivers the events of
/// later logins to `dispatcher` (a `ProgressDispatcher`), or to nobody when it is null.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientSetProgress<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    dispatcher: JObject<'local>,
) {
    env.with_env(|env| -> CallResult<()> {
        let client = borrow::<Client>(client)?;
        if dispatcher.is_null() {
            client.set_progress(None);
        } else {
            let global = env.new_global_ref(&dispatcher)?;
            client.set_progress(Some(progress::callback(global)));
        }
        Ok(())
    })
    .resolve::<ThrowJava>()
}

/// `static native long clientLogin(long client)`: logs in (blocks while Duo waits for the user)
/// and returns a session handle; throws the failure's `SQLException` (`dev.sfmfa.Exceptions`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientLogin<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> {
        let session: Session = borrow::<Client>(client)?.login()?;
        Ok(into_handle(session))
    })
    .resolve::<ThrowJava>()
}

/// `static native long clientCancel(long client)`: cancels the logins running now; returns how
/// many.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientCancel<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> {
        let cancelled = borrow::<Client>(client)?.cancel();
        Ok(jlong::try_from(cancelled).unwrap_or(jlong::MAX))
    })
    .resolve::<ThrowJava>()
}

/// `static native String clientUserAgent(long client)`: the User-Agent the client sends.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientUserAgent<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> JString<'local> {
    env.with_env(|env| -> CallResult<JString<'local>> {
        let agent = borrow::<Client>(client)?.user_agent().to_owned();
        to_java(env, &agent)
    })
    .resolve::<ThrowJava>()
}

/// `static native void clientFree(long client)`. The Java side calls it once no call is running
/// on the client (after cancelling the logins).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_clientFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    env.with_env(|_env| -> CallResult<()> { free::<Client>(client) })
        .resolve::<ThrowJava>()
}
