//! A time limit on a store's calls, so that a keystore that waits for a person never holds up a
//! login.
//!
//! An OS keystore may block a call on a dialog: the Secret Service shows an unlock prompt when the
//! collection was locked after sfmfa probed it (and waits for an answer for up to a year), and the
//! macOS Keychain asks whether sfmfa may read an item another program created. A login must not
//! hang on that, and a keystore failure must never fail a login. So each call runs on a worker
//! thread and the login waits at most [`Bounded::limit`]; after that the call is abandoned (its
//! thread finishes on its own whenever the store returns) and reported as a cache failure. While an
//! abandoned call is still running, further calls fail at once instead of queueing behind it.
//!
//! A login's calls (`*_until`) wait at most until the login's deadline too, whichever comes first.
//!
//! Used for the keystores that can block (the Secret Service, the Keychain, the Credential
//! Manager), not for keyutils: its calls are system calls that wait on nothing outside the kernel,
//! made on the caller's thread (src/cache/select.rs).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::{CacheKey, StoreVersion, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// How long a login waits for one keystore call by default. Long enough for a person to answer an
/// unlock prompt that appeared in front of them; short next to a login's budget (120 s).
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(15);

/// `store` with every call limited to `limit`.
pub struct Bounded {
    store: Arc<dyn TokenCache>,
    limit: Duration,
    /// Abandoned calls that have not returned yet.
    stuck: Arc<AtomicUsize>,
}

impl Bounded {
    /// Limits each call of `store` to `limit`.
    pub fn new(store: Arc<dyn TokenCache>, limit: Duration) -> Self {
        Bounded {
            store,
            limit,
            stuck: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The longest a caller waits for one call.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// The `until` of a call without a deadline (far away): the limit bounds it.
    fn no_deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs(365 * 24 * 3600)
    }

    fn run<T: Send + 'static>(
        &self,
        doing: &str,
        until: Instant,
        call: impl FnOnce(&dyn TokenCache) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let name = self.store.name();
        if self.stuck.load(Ordering::Acquire) > 0 {
            return Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "{name}: an earlier call has not returned yet (is the store waiting for an \
                     unlock or access prompt?); not {doing} it this time"
                ),
            ));
        }
        // A rendezvous channel: the worker's send completes only if the caller is still receiving,
        // so every abandoned call is counted exactly once (never left in a buffer, uncounted).
        let (tx, rx) = mpsc::sync_channel(0);
        let store = Arc::clone(&self.store);
        let stuck = Arc::clone(&self.stuck);
        let worker = std::thread::Builder::new()
            .name("sfmfa-keystore".into())
            .spawn(move || {
                let result = call(store.as_ref());
                // The receiver gone means the caller gave up on this call: it counted it as stuck.
                if tx.send(result).is_err() {
                    stuck.fetch_sub(1, Ordering::AcqRel);
                }
            });
        if let Err(e) = worker {
            return Err(Error::new(
                ErrorKind::Cache,
                format!("{name}: could not start a thread for the store call ({e})"),
            ));
        }
        let left = until.saturating_duration_since(Instant::now());
        let deadline_first = left < self.limit;
        let wait = self.limit.min(left);
        let outcome = rx.recv_timeout(wait);
        if outcome.is_err() {
            // Abandoned: counted before the receiver is dropped, and the worker's send fails only
            // once it is, so the worker's decrement can never come first. Calls still running that
            // are not abandoned are not counted: other threads' calls run side by side.
            self.stuck.fetch_add(1, Ordering::AcqRel);
            drop(rx);
        }
        match outcome {
            Ok(result) => result,
            Err(_) if deadline_first => Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "{name} did not answer within the time the login allows this step \
                     (login_timeout; waited {:.1} s); going on without it",
                    wait.as_secs_f32()
                ),
            )),
            Err(_) => Err(Error::new(
                ErrorKind::Cache,
                format!(
                    "{name} did not answer within {} s (is it waiting for an unlock or access \
                     prompt?); going on without it",
                    self.limit.as_secs_f32()
                ),
            )),
        }
    }
}

impl TokenCache for Bounded {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read_until(key, self.no_deadline())
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.write_until(key, token, self.no_deadline())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.delete_until(key, self.no_deadline())
    }

    fn read_fresh(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read_fresh_until(key, self.no_deadline())
    }

    fn read_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let key = key.clone();
        self.run("reading", until, move |store| store.read_until(&key, until))
    }

    fn write_until(&self, key: &CacheKey, token: &Secret, until: Instant) -> Result<(), Error> {
        let (key, token) = (key.clone(), token.clone());
        self.run("storing", until, move |store| {
            store.write_until(&key, &token, until)
        })
    }

    fn delete_until(&self, key: &CacheKey, until: Instant) -> Result<(), Error> {
        let key = key.clone();
        self.run("deleting", until, move |store| {
            store.delete_until(&key, until)
        })
    }

    fn read_fresh_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let key = key.clone();
        self.run("reading", until, move |store| {
            store.read_fresh_until(&key, until)
        })
    }

    fn name(&self) -> &'static str {
        self.store.name()
    }

    fn identity(&self) -> String {
        self.store.identity()
    }

    fn version(&self) -> StoreVersion {
        self.store.version()
    }

    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        self.store.coordination_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};

    /// A store whose calls block until the test opens the gate, like a keystore waiting on a
    /// prompt.
    #[derive(Default)]
    struct Gated {
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl Gated {
        fn wait(&self) {
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
        }
        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    impl TokenCache for Gated {
        fn read(&self, _: &CacheKey) -> Result<Option<Secret>, Error> {
            self.wait();
            Ok(Some(Secret::new("tok".into())))
        }
        fn write(&self, _: &CacheKey, _: &Secret) -> Result<(), Error> {
            self.wait();
            Ok(())
        }
        fn delete(&self, _: &CacheKey) -> Result<(), Error> {
            self.wait();
            Ok(())
        }
        fn name(&self) -> &'static str {
            "gated"
        }
    }

    fn key() -> CacheKey {
        CacheKey {
            service: "h".into(),
            user: "u".into(),
        }
    }

    #[test]
    fn a_hanging_call_is_abandoned_and_later_calls_fail_fast_until_it_returns() {
        let gated = Arc::new(Gated::default());
        let bounded = Bounded::new(gated.clone(), Duration::from_millis(50));

        let e = bounded.read(&key()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cache);
        assert!(e.message().contains("did not answer within"), "{e}");

        // The abandoned call still holds the store: the next call does not queue behind it.
        let e = bounded.write(&key(), &Secret::new("t".into())).unwrap_err();
        assert!(e.message().contains("has not returned yet"), "{e}");

        gated.open();
        // Once the worker has returned (and uncounted itself) the store is used again.
        let mut attempts = 0;
        let token = loop {
            match bounded.read(&key()) {
                Ok(t) => break t,
                Err(e) if e.message().contains("has not returned yet") && attempts < 1000 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(token.unwrap().expose(), "tok");
        bounded.delete(&key()).unwrap();
    }

    #[test]
    fn a_call_waits_no_longer_than_the_callers_deadline() {
        // The limit (15 s) is far off; the login's deadline (100 ms) ends the wait.
        let gated = Arc::new(Gated::default());
        let bounded = Bounded::new(gated.clone(), DEFAULT_LIMIT);
        let start = Instant::now();
        let e = bounded
            .read_until(&key(), Instant::now() + Duration::from_millis(100))
            .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(e.kind(), ErrorKind::Cache);
        assert!(e.message().contains("the time the login allows"), "{e}");
        gated.open();
    }

    #[test]
    fn a_call_in_progress_on_another_thread_does_not_refuse_this_one() {
        // A store whose reads wait until two of them run at once: before only abandoned calls
        // were counted, the second was refused while the first was merely in progress.
        struct Pair {
            running: Mutex<u32>,
            both: Condvar,
        }
        impl TokenCache for Pair {
            fn read(&self, _: &CacheKey) -> Result<Option<Secret>, Error> {
                let mut running = self.running.lock().unwrap();
                *running += 1;
                self.both.notify_all();
                // Bounded only so that a refused partner cannot hang the test; nothing is timed.
                while *running < 2 {
                    let (guard, waited) = self
                        .both
                        .wait_timeout(running, Duration::from_secs(10))
                        .unwrap();
                    running = guard;
                    if waited.timed_out() {
                        break;
                    }
                }
                Ok(None)
            }
            fn write(&self, _: &CacheKey, _: &Secret) -> Result<(), Error> {
                Ok(())
            }
            fn delete(&self, _: &CacheKey) -> Result<(), Error> {
                Ok(())
            }
            fn name(&self) -> &'static str {
                "pair"
            }
        }
        let pair = Arc::new(Pair {
            running: Mutex::new(0),
            both: Condvar::new(),
        });
        let bounded = Arc::new(Bounded::new(pair.clone(), DEFAULT_LIMIT));
        let other = {
            let bounded = Arc::clone(&bounded);
            std::thread::spawn(move || bounded.read(&key()).map(|t| t.is_none()))
        };
        // Wait until the other thread's call is in the store, then call alongside it.
        let mut running = pair.running.lock().unwrap();
        while *running < 1 {
            running = pair.both.wait(running).unwrap();
        }
        drop(running);
        assert!(bounded.read(&key()).unwrap().is_none());
        assert!(other.join().unwrap().unwrap());
    }

    #[test]
    fn a_call_that_answers_in_time_passes_its_result_through() {
        let gated = Arc::new(Gated::default());
        gated.open();
        let bounded = Bounded::new(gated, DEFAULT_LIMIT);
        assert_eq!(bounded.read(&key()).unwrap().unwrap().expose(), "tok");
        bounded.write(&key(), &Secret::new("t".into())).unwrap();
        assert_eq!(bounded.name(), "gated");
    }
}
