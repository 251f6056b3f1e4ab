//! One deadline for a whole login (`login_timeout`): every connect, retry pause and wait takes its
//! time from the same budget.

use std::time::{Duration, Instant};

/// A point in time after which the login gives up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    start: Instant,
    end: Instant,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        let start = Instant::now();
        Deadline {
            start,
            end: start + budget,
        }
    }

    /// Time left, zero when passed.
    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// True once the deadline has passed.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.end
    }

    /// Time since the login started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The whole budget.
    pub fn budget(&self) -> Duration {
        self.end - self.start
    }
}
