//! Java strings in and out.

use jni::Env;
use jni::objects::JString;
use sfmfa::{Error, ErrorKind};
use zeroize::Zeroizing;

use crate::errors::CallResult;

/// The text of a Java string argument; `what` names it when it is null. The copy is wiped when
/// dropped, since it may be a password, a passcode or a URL that holds one.
pub(crate) fn text(env: &Env<'_>, s: &JString<'_>, what: &str) -> CallResult<Zeroizing<String>> {
    if s.is_null() {
        return Err(Error::new(ErrorKind::InvalidValue, format!("{what} is null")).into());
    }
    Ok(Zeroizing::new(s.try_to_string(env)?))
}

/// A new Java string.
pub(crate) fn to_java<'local>(env: &mut Env<'local>, s: &str) -> CallResult<JString<'local>> {
    Ok(JString::from_str(env, s)?)
}

/// A new Java string, or null.
pub(crate) fn to_java_opt<'local>(
    env: &mut Env<'local>,
    s: Option<&str>,
) -> CallResult<JString<'local>> {
    match s {
        Some(s) => to_java(env, s),
        None => Ok(JString::null()),
    }
}
