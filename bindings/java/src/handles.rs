//! Native objects handed to Java as `long` handles.
//!
//! A handle is the address of a boxed Rust value. Every live handle is in a registry with its type,
//! so that a handle used after it was freed, freed twice, or passed as the wrong type is an
//! `IllegalStateException` instead of undefined behaviour. The Java side guarantees that no call
//! uses a handle while it is being freed (a read/write lock per handle); the registry catches the
//! rest of the mistakes.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use jni::EnvUnowned;
use jni::objects::JClass;
use jni::sys::jlong;

use crate::errors::{CallError, CallResult, ThrowJava};

/// The types a handle can point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Config,
    Client,
    Session,
}

/// A Rust type handed to Java as a handle.
pub(crate) trait Handle: Sized + 'static {
    /// Its entry in the registry.
    const KIND: Kind;
    /// Its name in messages.
    const NAME: &'static str;
}

impl Handle for sfmfa::Config {
    const KIND: Kind = Kind::Config;
    const NAME: &'static str = "configuration";
}

impl Handle for sfmfa::Client {
    const KIND: Kind = Kind::Client;
    const NAME: &'static str = "client";
}

impl Handle for sfmfa::Session {
    const KIND: Kind = Kind::Session;
    const NAME: &'static str = "session";
}

static LIVE: LazyLock<Mutex<HashMap<usize, Kind>>> = LazyLock::new(Default::default);

/// The registry. Its updates never panic half-way, so a poisoned lock still holds a valid map.
fn live() -> MutexGuard<'static, HashMap<usize, Kind>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn not_live<T: Handle>(handle: jlong) -> CallError {
    CallError::Handle(format!(
        "the {} handle {handle:#x} is not live (already closed, or not a {})",
        T::NAME,
        T::NAME
    ))
}

/// Boxes `value` and returns its handle; Java owns it until [`free`].
pub(crate) fn into_handle<T: Handle>(value: T) -> jlong {
    let ptr = Box::into_raw(Box::new(value));
    live().insert(ptr as usize, T::KIND);
    ptr as jlong
}

fn check<T: Handle>(handle: jlong) -> CallResult<*mut T> {
    match live().get(&(handle as usize)) {
        Some(kind) if *kind == T::KIND => Ok(handle as *mut T),
        _ => Err(not_live::<T>(handle)),
    }
}

/// The value behind a live handle of type `T`, for the duration of one native call.
pub(crate) fn borrow<'a, T: Handle>(handle: jlong) -> CallResult<&'a T> {
    let ptr = check::<T>(handle)?;
    // SAFETY: a registered handle of kind T came from `into_handle::<T>` and was not freed (free
    // unregisters before it drops). The Java side holds the handle's read lock during this call and
    // frees only under its write lock, so the value outlives the reference.
    Ok(unsafe { &*ptr })
}

/// Like [`borrow`], mutably: only for configurations, which the Java side uses from one thread and
/// never shares.
pub(crate) fn borrow_mut<'a, T: Handle>(handle: jlong) -> CallResult<&'a mut T> {
    let ptr = check::<T>(handle)?;
    // SAFETY: as in `borrow`; in addition the one Java thread that owns a configuration handle makes
    // one call at a time on it, so this is the only reference.
    Ok(unsafe { &mut *ptr })
}

/// Unregisters and drops the value behind `handle`. A handle that is not live is an error, so a
/// second free cannot reach the allocator.
pub(crate) fn free<T: Handle>(handle: jlong) -> CallResult<()> {
    let registered = {
        let mut live = live();
        match live.get(&(handle as usize)) {
            Some(kind) if *kind == T::KIND => live.remove(&(handle as usize)).is_some(),
            _ => false,
        }
    };
    if !registered {
        return Err(not_live::<T>(handle));
    }
    // SAFETY: the handle was registered as a T, so it came from Box::into_raw in `into_handle::<T>`;
    // it is now unregistered, so no later borrow or free can reach it, and the Java side's write
    // lock guarantees no call is using it.
    drop(unsafe { Box::from_raw(handle as *mut T) });
    Ok(())
}

/// `static native long liveHandles()`: how many native objects are live now (all types), for tests
/// that check every handle is released exactly once.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_liveHandles<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    env.with_env(|_env| -> CallResult<jlong> {
        Ok(jlong::try_from(live().len()).unwrap_or(jlong::MAX))
    })
    .resolve::<ThrowJava>()
}

/// `static native void testingPanic(String message)`: panics inside the boundary, so that a test can
/// show a Rust panic reaches Java as an `SfmfaError` of kind `PANIC` and never unwinds into the
/// JVM. Has no other effect.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sfmfa_Native_testingPanic<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    message: jni::objects::JString<'local>,
) {
    env.with_env(|env| -> CallResult<()> {
        let message = crate::strings::text(env, &message, "the message")?;
        panic!("{}", message.as_str())
    })
    .resolve::<ThrowJava>()
}
