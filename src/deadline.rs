//! One deadline for a whole login (`login_timeout`): every connect, retry pause and wait takes its
//! time from the same budget. A budget of zero means no limit (`login_timeout=0`, as in JDBC and
//! ODBC): the login then ends when the server answers, the push with the service's own timeout.

use std::time::{Duration, Instant};

/// What "time left" is without a limit: long enough never to end a login, short enough that
/// adding it to a clock reading never overflows.
const UNLIMITED: Duration = Duration::from_secs(365 * 24 * 3600);

/// A point in time after which the login gives up, or none.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    start: Instant,
    end: Option<Instant>,
}

impl Deadline {
    /// A deadline `budget` from now; no deadline when `budget` is zero.
    pub fn after(budget: Duration) -> Self {
        let start = Instant::now();
        Deadline {
            start,
            end: (!budget.is_zero()).then(|| start + budget.min(UNLIMITED)),
        }
    }

    /// Time left, zero when passed; a year when there is no limit.
    pub fn remaining(&self) -> Duration {
        match self.end {
            Some(end) => end.saturating_duration_since(Instant::now()),
            None => UNLIMITED,
        }
    }

    /// True once the deadline has passed.
    pub fn passed(&self) -> bool {
        self.end.is_some_and(|end| Instant::now() >= end)
    }

    /// The instant the login gives up (a year from now when there is no limit).
    pub fn instant(&self) -> Instant {
        self.end.unwrap_or_else(|| Instant::now() + UNLIMITED)
    }

    /// Time since the login started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The whole budget (a year when there is no limit).
    pub fn budget(&self) -> Duration {
        self.end.map_or(UNLIMITED, |end| end - self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_means_no_limit() {
        let d = Deadline::after(Duration::ZERO);
        assert!(!d.passed());
        assert!(d.remaining() > Duration::from_secs(86_400));
        let d = Deadline::after(Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(d.passed());
        assert_eq!(d.remaining(), Duration::ZERO);
    }
}
