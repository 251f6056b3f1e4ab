//! When a request is sent again, and how long to wait first.
//!
//! Only what the server cannot have acted on is retried: a connection that never opened, and an
//! HTTP status that says "not now" (429, and 5xx for requests that cannot start a push). A request
//! that may have started a Duo push is never sent twice, and a login the server answered (any Duo
//! code, a bad password) is never retried here.

use std::sync::Arc;
use std::time::Duration;

use crate::cancel::LoginCancel;
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};
use crate::progress::{Progress, Reporter};
use crate::transport::{AttemptError, HttpAnswer, SentHook, Transport};

/// Attempts at most, the first included.
pub(crate) const MAX_ATTEMPTS: u32 = 7;
const BASE_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// What kind of request is being sent, which decides what may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotence {
    /// Sending it twice could send a second Duo push: retried only when it certainly did not arrive
    /// or was refused before processing (429, 503).
    MayStartPush,
    /// Sending it twice is harmless (passcode, token, logout): also retried on any 5xx.
    Repeatable,
}

fn status_is_retryable(status: u16, idem: Idempotence) -> bool {
    match idem {
        Idempotence::MayStartPush => matches!(status, 429 | 503),
        Idempotence::Repeatable => status == 429 || (500..=599).contains(&status),
    }
}

/// Decorrelated jitter: a random pause between the base and three times the previous one, capped.
fn next_delay(previous: Duration) -> Duration {
    let low = BASE_DELAY.as_millis() as u64;
    let high = (previous.as_millis() as u64).saturating_mul(3).max(low + 1);
    Duration::from_millis(fastrand::u64(low..high)).min(MAX_DELAY)
}

/// What a request runs under: the login's deadline, its cancel, and where its progress goes.
#[derive(Clone, Copy)]
pub(crate) struct Watch<'a> {
    pub deadline: &'a Deadline,
    pub cancel: &'a LoginCancel,
    pub reporter: &'a Reporter,
}

/// Sends `body` to `path`, retrying as the module describes, all within the deadline; a retry is
/// announced as [`Progress::Retrying`], and a cancel ends the pause before it. `on_sent` runs once,
/// when the first attempt that is written in full has been written (not for a connection that
/// never opened).
#[allow(clippy::too_many_arguments)]
pub(crate) fn post_with_retry(
    transport: &Transport,
    path: &str,
    query: &[(&str, String)],
    headers: &[(&str, &str)],
    body: &[u8],
    idem: Idempotence,
    watch: Watch<'_>,
    on_sent: Option<SentHook>,
) -> Result<HttpAnswer, Error> {
    let on_sent = on_sent.map(|hook| {
        let fired = std::sync::atomic::AtomicBool::new(false);
        Arc::new(move || {
            if !fired.swap(true, std::sync::atomic::Ordering::Relaxed) {
                hook();
            }
        }) as SentHook
    });
    let deadline = watch.deadline;
    let mut delay = BASE_DELAY;
    let mut attempt = 1;
    // The failure of the attempt before, kept for when the deadline passes before the next starts.
    let mut previous: Option<Error> = None;
    loop {
        watch.cancel.check()?;
        let sent = on_sent.clone();
        let failure = match transport.post(path, query, headers, body, deadline, watch.cancel, sent)
        {
            Ok(answer) if status_is_retryable(answer.status, idem) => Error::new(
                ErrorKind::HttpStatus,
                format!("{} answered HTTP {}", transport.base_url(), answer.status),
            )
            .with_http_status(answer.status),
            Ok(answer) => return Ok(answer),
            // The deadline passed before this attempt could connect: what went wrong is what the
            // attempt before met (a refused connection stays CONNECT on a loaded machine).
            Err(AttemptError::NotSent(e))
                if e.kind() == ErrorKind::Timeout && deadline.remaining().is_zero() =>
            {
                return Err(match previous {
                    Some(before) => gave_up(before, attempt - 1, deadline),
                    None => e,
                });
            }
            Err(AttemptError::NotSent(e)) => e,
            // It may have reached the server: never sent again, and when it may have started a
            // push, the error says so (the prompt lock's waiters then send no push either).
            Err(AttemptError::MaybeSent(e)) if idem == Idempotence::MayStartPush => {
                return Err(e.with_push_may_be_out());
            }
            Err(AttemptError::MaybeSent(e) | AttemptError::Fatal(e)) => return Err(e),
        };
        if attempt >= MAX_ATTEMPTS {
            return Err(gave_up(failure, attempt, deadline));
        }
        delay = next_delay(delay);
        if delay >= deadline.remaining() {
            return Err(gave_up(failure, attempt, deadline));
        }
        log::warn!(
            "attempt {attempt} failed ({failure}); retrying in {} ms",
            delay.as_millis()
        );
        attempt += 1;
        watch.reporter.emit(Progress::Retrying {
            attempt,
            delay,
            reason: failure.message().to_owned(),
        });
        previous = Some(failure);
        watch.cancel.pause(delay)?;
    }
}

fn gave_up(last: Error, attempts: u32, deadline: &Deadline) -> Error {
    let message = format!(
        "{} (gave up after {attempts} attempt{} in {:.1} s)",
        last.message(),
        if attempts == 1 { "" } else { "s" },
        deadline.elapsed().as_secs_f64()
    );
    let mut e = Error::new(last.kind(), message);
    if let Some(status) = last.http_status() {
        e = e.with_http_status(status);
    }
    if let Some(hint) = last.hint() {
        e = e.with_hint(hint);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_capable_requests_retry_only_refusals_before_processing() {
        for s in [429, 503] {
            assert!(status_is_retryable(s, Idempotence::MayStartPush));
        }
        for s in [500, 502, 504, 400, 403, 404] {
            assert!(!status_is_retryable(s, Idempotence::MayStartPush));
        }
        for s in [429, 500, 502, 503, 504] {
            assert!(status_is_retryable(s, Idempotence::Repeatable));
        }
        assert!(!status_is_retryable(403, Idempotence::Repeatable));
    }

    #[test]
    fn delays_are_jittered_and_bounded() {
        let mut d = BASE_DELAY;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            d = next_delay(d);
            assert!(d >= BASE_DELAY && d <= MAX_DELAY);
            seen.insert(d);
        }
        assert!(seen.len() > 5, "delays should vary");
    }
}
