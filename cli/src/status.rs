//! The live status of `sfmfa login` on stderr, driven by the library's progress events
//! (`src/progress.rs`): what the login waits for, and the seconds left of `login_timeout`.
//!
//! When stderr is a terminal: a spinner (indicatif; its steady tick runs on its own thread, since
//! events arrive only when the login's state changes) with what the login waits for — "Approve the
//! Duo push on your phone…" — and a line above it for each event worth keeping (cached token used,
//! retry, token stored…). When stderr is not a terminal: plain lines, one per event, with no
//! control character at all (no `\r`, no escape sequence; nothing below 0x20 but the `\n` that ends
//! each line).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use sfmfa::progress::Progress;

use crate::echo_margin::EchoMargin;
use crate::store_names;

/// How often the spinner turns (and the seconds left are redrawn).
const TICK: Duration = Duration::from_millis(120);

/// The status display of one login. Shared with the client's progress callback.
pub struct Status {
    /// The moment `login_timeout` passes; `None` when it is 0 (no limit).
    deadline: Option<Instant>,
    /// When the login started (for the seconds waited, without a limit).
    started: Instant,
    /// The spinner, on a terminal; `None` when stderr is not a terminal or once finished.
    spinner: Mutex<Option<ProgressBar>>,
    /// Whether stderr is a terminal.
    terminal: bool,
}

impl Status {
    /// Starts the display of a login that begins now, with `login_timeout` (0: no limit). On a
    /// terminal the spinner shows `first` at once; otherwise `first` is printed as a line.
    pub fn start(login_timeout: Duration, first: &str) -> Arc<Status> {
        let started = Instant::now();
        let deadline = (!login_timeout.is_zero()).then(|| started + login_timeout);
        let terminal = std::io::stderr().is_terminal();
        let status = Arc::new(Status {
            deadline,
            started,
            spinner: Mutex::new(None),
            terminal,
        });
        if terminal {
            let target = ProgressDrawTarget::term_like_with_hz(Box::new(EchoMargin::stderr()), 20);
            let spinner = ProgressBar::with_draw_target(None, target).with_style(status.style());
            spinner.set_message(clean(first));
            spinner.enable_steady_tick(TICK);
            *status.slot() = Some(spinner);
        } else {
            status.plain_line(first);
        }
        status
    }

    /// The callback to give `sfmfa::Client::with_progress`.
    pub fn callback(self: &Arc<Self>) -> impl Fn(&Progress) + Send + Sync + 'static {
        let status = Arc::clone(self);
        move |event| status.show(event)
    }

    /// Shows one event: a new spinner message for what the login now waits for, a line for
    /// what happened.
    pub fn show(&self, event: &Progress) {
        let waits_for = waiting_message(event);
        let line = event_line(event);
        if !self.terminal {
            // Every event gets its line; a wait without one (the push) tells how long it may last.
            let line = line.or_else(|| {
                waits_for.map(|w| match self.deadline {
                    Some(_) => format!("{w} ({})", clock_text(self.deadline, self.started)),
                    None => w,
                })
            });
            if let Some(line) = line {
                self.plain_line(&line);
            }
            return;
        }
        let slot = self.slot();
        match slot.as_ref() {
            Some(spinner) => {
                if let Some(line) = line {
                    // Printed above the spinner, which is redrawn below it.
                    spinner.suspend(|| eprintln!("{}", clean(&line)));
                }
                if let Some(message) = waits_for {
                    spinner.set_message(clean(&message));
                }
            }
            None => {
                if let Some(line) = line {
                    eprintln!("{}", clean(&line));
                }
            }
        }
    }

    /// Ends the display: the spinner's line is cleared (the cursor stays where the line began, and
    /// indicatif never hides it). Call it once the login returned, whatever its outcome.
    pub fn finish(&self) {
        if let Some(spinner) = self.slot().take() {
            spinner.finish_and_clear();
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<ProgressBar>> {
        self.spinner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The spinner's look: a frame, what the login waits for, and the seconds left.
    fn style(&self) -> ProgressStyle {
        let (deadline, started) = (self.deadline, self.started);
        let clock = move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&clock_text(deadline, started));
        };
        ProgressStyle::with_template("{spinner} {msg} ({clock})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key("clock", clock)
    }

    /// One line on stderr, without any control character.
    fn plain_line(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}", clean(text));
    }
}

/// "57 s left" before `deadline`, rounded up; without a deadline "12 s so far" since `started`.
fn clock_text(deadline: Option<Instant>, started: Instant) -> String {
    let now = Instant::now();
    match deadline {
        Some(deadline) => {
            let left = deadline.saturating_duration_since(now);
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            format!("{secs} s left")
        }
        None => format!("{} s so far", now.duration_since(started).as_secs()),
    }
}

/// What the login waits for after `event`, for the spinner; `None` when the event does not change
/// it.
fn waiting_message(event: &Progress) -> Option<String> {
    match event {
        Progress::PushSent => Some("Approve the Duo push on your phone…".to_owned()),
        Progress::WaitingForOtherLogin => {
            Some("Waiting for another login of the same user to finish its Duo prompt…".to_owned())
        }
        Progress::PasscodeSent => Some("Duo passcode sent, waiting for the server…".to_owned()),
        Progress::UsingCachedToken { backend } => Some(format!(
            "Logging in with the MFA token cached in {}…",
            store_names::describe(backend)
        )),
        Progress::LoginStep { step: 3, .. } => {
            Some("Duo step done, asking for the session…".to_owned())
        }
        Progress::Retrying { attempt, .. } => Some(format!("Retrying (attempt {attempt})…")),
        _ => None,
    }
}

/// The line an event leaves on stderr (above the spinner on a terminal); `None` for the push,
/// which the spinner shows (without a terminal: its waiting message, with the seconds left).
fn event_line(event: &Progress) -> Option<String> {
    Some(match event {
        Progress::PushSent => return None,
        Progress::UsingCachedToken { backend } => format!(
            "using the cached MFA token ({}): no Duo prompt",
            store_names::describe(backend)
        ),
        Progress::WaitingForOtherLogin => {
            "waiting for another login of the same user to finish its Duo prompt".to_owned()
        }
        Progress::PasscodeSent => "Duo passcode sent".to_owned(),
        Progress::LoginStep { .. } => event.to_string(),
        Progress::Retrying {
            attempt,
            delay,
            reason,
        } => format!(
            "retrying (attempt {attempt}) in {} ms, because: {reason}",
            delay.as_millis()
        ),
        Progress::TokenStored { backend } => {
            format!("MFA token stored in {}", store_names::describe(backend))
        }
        Progress::TokenNotCached { reason } => format!("MFA token not cached: {reason}"),
        Progress::Warning { message } => format!("warning: {message}"),
        // Progress is non-exhaustive: an event added later is shown as the library words it.
        #[allow(unreachable_patterns)]
        _ => event.to_string(),
    })
}

/// `text` with every control character (C0, DEL, C1: `\r`, ESC, `\n`…) shown escaped, so that no
/// text can move the cursor or break a line.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\r\x1b[2Kb\nc\u{9b}"), "a\\r\\u{1b}[2Kb\\nc\\u{9b}");
        assert_eq!(clean("Approve… 57 s"), "Approve… 57 s");
    }

    #[test]
    fn the_clock_counts_down_and_without_a_limit_up() {
        let now = Instant::now();
        assert_eq!(
            clock_text(Some(now + Duration::from_secs(90)), now),
            "90 s left"
        );
        assert_eq!(clock_text(Some(now), now), "0 s left");
        assert!(clock_text(None, now).ends_with(" s so far"));
    }

    #[test]
    fn every_event_has_a_line_or_a_waiting_message() {
        let events = [
            Progress::UsingCachedToken { backend: "file" },
            Progress::WaitingForOtherLogin,
            Progress::PushSent,
            Progress::PasscodeSent,
            Progress::LoginStep {
                step: 2,
                of: 3,
                action: "EXT_AUTHN_DUO_ALL".into(),
            },
            Progress::Retrying {
                attempt: 2,
                delay: Duration::from_millis(250),
                reason: "connection refused".into(),
            },
            Progress::TokenStored {
                backend: "secret-service",
            },
            Progress::TokenNotCached {
                reason: "caching is off (token_cache=none)".into(),
            },
            Progress::Warning {
                message: "unknown key".into(),
            },
        ];
        for event in &events {
            assert!(
                event_line(event).is_some() || waiting_message(event).is_some(),
                "{event:?}"
            );
        }
        assert_eq!(
            event_line(&events[6]).as_deref(),
            Some("MFA token stored in the Secret Service")
        );
        assert_eq!(
            event_line(&events[5]).as_deref(),
            Some("retrying (attempt 2) in 250 ms, because: connection refused")
        );
    }
}
