//! `dev.sfmfa.Native.config*`: building a configuration from `Properties` or a JDBC URL. A
//! configuration handle lives only while `SfmfaClient`'s constructor builds a client from it.

use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jboolean, jlong};
use jni::{Env, EnvUnowned};
use sfmfa::{Config, ErrorKind};

use crate::errors::{CallResult, ThrowJava};
use crate::handles::{borrow, borrow_mut, free, into_handle};
use crate::strings::{text, to_java};

/// A configuration that names this binding in the User-Agent.
fn for_java(mut config: Config) -> Config {
    config.set_binding("Java", crate::VERSION);
    config
}

/// `static native long configNew()`: every option at its default.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_configNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> { Ok(into_handle(for_java(Config::new()))) })
        .resolve::<ThrowJava>()
}

/// `static native long configFromUrl(String url)`: a JDBC URL
/// (`jdbc:snowflake://host[:port]/?key=value&…`); unknown keys become warnings.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_configFromUrl<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    url: JString<'local>,
) -> jlong {
    env.with_env(|env| -> CallResult<jlong> {
        let url = text(env, &url, "the JDBC URL")?;
        Ok(into_handle(for_java(Config::from_jdbc_url(&url)?)))
    })
    .resolve::<ThrowJava>()
}

/// `static native String configSet(long config, String key, String value, boolean lenient)`: sets
/// one option by any driver's name for it. With `lenient`, an unknown name is not an error: it is
/// ignored and the warning is returned (JDBC drivers ignore `Properties` they do not know). Returns
/// null otherwise. The value is never in a message.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_configSet<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: jlong,
    key: JString<'local>,
    value: JString<'local>,
    lenient: jboolean,
) -> JString<'local> {
    env.with_env(|env| -> CallResult<JString<'local>> {
        let config = borrow_mut::<Config>(config)?;
        let key = text(env, &key, "an option name")?;
        let value = text(env, &value, "an option value")?;
        match config.set(&key, &value) {
            Ok(_) => Ok(JString::null()),
            Err(e) if lenient && e.kind() == ErrorKind::UnknownOption => {
                to_java(env, &format!("{}; ignored", e.message()))
            }
            Err(e) => Err(e.into()),
        }
    })
    .resolve::<ThrowJava>()
}

/// `static native String[] configWarnings(long config)`: unknown keys of a URL, options sfmfa
/// does not honour, options given twice. Never a value.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_configWarnings<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: jlong,
) -> JObjectArray<'local, JString<'local>> {
    env.with_env(|env| -> CallResult<JObjectArray<'local, JString<'local>>> {
        let config = borrow::<Config>(config)?;
        strings_array(env, config.warnings().iter().map(ToString::to_string))
    })
    .resolve::<ThrowJava>()
}

fn strings_array<'local>(
    env: &mut Env<'local>,
    items: impl ExactSizeIterator<Item = String>,
) -> CallResult<JObjectArray<'local, JString<'local>>> {
    let array = JObjectArray::<JString>::new(env, items.len(), JString::null())?;
    for (i, item) in items.enumerate() {
        let s = to_java(env, &item)?;
        array.set_element(env, i, &s)?;
    }
    Ok(array)
}

/// `static native void configFree(long config)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_configFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: jlong,
) {
    env.with_env(|_env| -> CallResult<()> { free::<Config>(config) })
        .resolve::<ThrowJava>()
}
