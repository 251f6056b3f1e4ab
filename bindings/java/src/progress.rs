//! Progress events to Java: a Rust progress callback that calls
//! `dev.sfmfa.ProgressDispatcher.deliver(String kind, int attempt, long delayMillis, String message,
//! int step)` on the login thread (`step`: for `login_step` events, the step of a multi-step login
//! that starts; else 0). The dispatcher catches what the user's listener throws; anything that still
//! comes back (an exception thrown while logging, say) is cleared here and logged, so a listener can
//! never break a login or leave an exception pending in Rust.

use std::sync::Arc;

use jni::objects::{JObject, JString, JValue};
use jni::refs::Global;
use jni::{Env, JavaVM, jni_sig, jni_str};
use sfmfa::{Progress, ProgressCallback};

/// A callback that delivers every event to `dispatcher`.
pub(crate) fn callback(dispatcher: Global<JObject<'static>>) -> ProgressCallback {
    Arc::new(move |event: &Progress| {
        if let Err(e) = deliver(&dispatcher, event) {
            log::warn!(
                "sfmfa-jni: the progress event {} was not delivered to Java: {e}",
                event.name()
            );
        }
    })
}

fn deliver(dispatcher: &Global<JObject<'static>>, event: &Progress) -> jni::errors::Result<()> {
    let vm = JavaVM::singleton()?;
    // Events come on the thread that called login(), which the JVM has attached: this only pushes a
    // local frame. Any exception left pending by the call is caught and cleared when it returns.
    vm.attach_current_thread(|env| call(env, dispatcher, event))
}

fn call(
    env: &mut Env<'_>,
    dispatcher: &Global<JObject<'static>>,
    event: &Progress,
) -> jni::errors::Result<()> {
    let (attempt, delay_ms) = match event {
        Progress::Retrying { attempt, delay, .. } => (
            i32::try_from(*attempt).unwrap_or(i32::MAX),
            i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
        ),
        _ => (0, 0),
    };
    let step = match event {
        Progress::LoginStep { step, .. } => i32::try_from(*step).unwrap_or(i32::MAX),
        _ => 0,
    };
    let kind = JString::from_str(env, event.name())?;
    let message = JString::from_str(env, event.to_string())?;
    env.call_method(
        dispatcher.as_obj(),
        jni_str!("deliver"),
        jni_sig!("(Ljava/lang/String;IJLjava/lang/String;I)V"),
        &[
            JValue::Object(&kind),
            JValue::Int(attempt),
            JValue::Long(delay_ms),
            JValue::Object(&message),
            JValue::Int(step),
        ],
    )?;
    Ok(())
}
