//! `dev.sfmfa.Native.cache*`: the cached MFA token of a client's (host, user), deleted or inspected
//! without revealing it.

use jni::objects::{JClass, JObject, JString, JValue};
use jni::sys::jlong;
use jni::{EnvUnowned, jni_sig, jni_str};
use sfmfa::Client;

use crate::errors::{CallResult, ThrowJava};
use crate::handles::borrow;

/// `static native void cacheDelete(long client)`: deletes the cached token, if any.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_cacheDelete<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    env.with_env(|_env| -> CallResult<()> {
        borrow::<Client>(client)?.delete_cached_token()?;
        Ok(())
    })
    .resolve::<ThrowJava>()
}

/// `static native CacheInspection cacheInspect(long client)`: whether a token is cached and in
/// which store; null when this configuration does not cache.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_cacheInspect<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> JObject<'local> {
    env.with_env(|env| -> CallResult<JObject<'local>> {
        let Some(inspection) = borrow::<Client>(client)?.inspect_cache()? else {
            return Ok(JObject::null());
        };
        let backend = JString::from_str(env, inspection.backend)?;
        Ok(env.new_object(
            jni_str!("dev/sfmfa/CacheInspection"),
            jni_sig!("(ZLjava/lang/String;)V"),
            &[JValue::Bool(inspection.present), JValue::Object(&backend)],
        )?)
    })
    .resolve::<ThrowJava>()
}
