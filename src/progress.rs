//! Progress events of a login, for drivers that tell their user what is happening ("check your
//! phone", "waiting for another login").
//!
//! Events are delivered synchronously, on the thread that called `Client::login`, in the order
//! they happen. A callback must return quickly (the login waits for it) and must not call back into
//! the same client's `login` (it may call `cancel`). A login it starts on any client of the same
//! (host, user) while the calling login has the user's turn for the Duo prompt would wait for that
//! login forever: it fails at once instead, with [`crate::error::Failure::InvalidValue`]. A callback
//! that panics is not allowed to break the login: the panic is caught and logged.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What a login is doing. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A cached MFA token is being sent instead of a Duo prompt (`backend` names the store).
    UsingCachedToken {
        /// The store the token came from.
        backend: &'static str,
    },
    /// Another login of the same (host, user) is prompting: this one waits for its outcome.
    WaitingForOtherLogin,
    /// A login request that makes Duo push to the user's phone was written to the connection in
    /// full: waiting for approval. Never reported for a connection that did not open.
    PushSent,
    /// A login request with a Duo passcode (separate or appended to the password) was written to
    /// the connection in full. Never reported for a connection that did not open.
    PasscodeSent,
    /// The server answered with `nextAction`: the login goes on with step `step` of a multi-step
    /// login (2: the Duo step, which waits for the push or checks the passcode; 3: the request for
    /// the session tokens). Until the next event, this step is what the login waits for.
    LoginStep {
        /// The step that starts now (2 or 3).
        step: u32,
        /// The steps of the documented flow (3).
        of: u32,
        /// The server's `nextAction` that asked for it (e.g. `EXT_AUTHN_DUO_ALL`).
        action: String,
    },
    /// A request failed before the server could act on it and is sent again after `delay`.
    Retrying {
        /// The attempt that comes next (2 for the first retry).
        attempt: u32,
        /// The pause before it.
        delay: Duration,
        /// Why the previous attempt failed.
        reason: String,
    },
    /// The MFA token the server issued was stored (`backend` names the store).
    TokenStored {
        /// The store.
        backend: &'static str,
    },
    /// No MFA token was cached by this login, and why (caching off, not issued, store failed…).
    TokenNotCached {
        /// One sentence for a person.
        reason: String,
    },
    /// Something about the configuration the user should know (an unknown option, …).
    Warning {
        /// One sentence for a person.
        message: String,
    },
}

impl Progress {
    /// A short, stable name of the event kind ("push_sent", …).
    pub fn name(&self) -> &'static str {
        match self {
            Progress::UsingCachedToken { .. } => "using_cached_token",
            Progress::WaitingForOtherLogin => "waiting_for_other_login",
            Progress::PushSent => "push_sent",
            Progress::PasscodeSent => "passcode_sent",
            Progress::LoginStep { .. } => "login_step",
            Progress::Retrying { .. } => "retrying",
            Progress::TokenStored { .. } => "token_stored",
            Progress::TokenNotCached { .. } => "token_not_cached",
            Progress::Warning { .. } => "warning",
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::UsingCachedToken { backend } => {
                write!(f, "using the MFA token cached in {backend}")
            }
            Progress::WaitingForOtherLogin => {
                f.write_str("waiting for another login of the same user to finish its Duo prompt")
            }
            Progress::PushSent => f.write_str("Duo push sent: approve the login on your phone"),
            Progress::PasscodeSent => f.write_str("Duo passcode sent"),
            Progress::LoginStep { step, of, action } => write!(
                f,
                "multi-step login, step {step} of {of} ({}), after the server's {action}",
                step_name(*step)
            ),
            Progress::Retrying {
                attempt,
                delay,
                reason,
            } => write!(
                f,
                "retrying (attempt {attempt}) in {} ms after: {reason}",
                delay.as_millis()
            ),
            Progress::TokenStored { backend } => write!(f, "MFA token stored in {backend}"),
            Progress::TokenNotCached { reason } => write!(f, "MFA token not cached: {reason}"),
            Progress::Warning { message } => write!(f, "warning: {message}"),
        }
    }
}

/// What a step of the multi-step login does, for messages.
pub(crate) fn step_name(step: u32) -> &'static str {
    match step {
        1 => "the login request",
        2 => "the Duo step",
        3 => "the request for the session tokens",
        _ => "a step past the documented flow",
    }
}

/// A progress callback, shared by every login of a client.
pub type ProgressCallback = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Delivers events to the callback, if any, and to the log (debug level).
#[derive(Clone, Default)]
pub(crate) struct Reporter {
    callback: Option<ProgressCallback>,
}

impl Reporter {
    pub fn new(callback: Option<ProgressCallback>) -> Self {
        Reporter { callback }
    }

    pub fn emit(&self, event: Progress) {
        log::debug!("progress: {event}");
        if let Some(callback) = &self.callback {
            let call = std::panic::AssertUnwindSafe(|| callback(&event));
            if std::panic::catch_unwind(call).is_err() {
                log::error!("the progress callback panicked on {}", event.name());
            }
        }
    }
}
