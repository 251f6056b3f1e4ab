//! One Duo prompt at a time per (host, user), across the threads of this process and the processes
//! of this machine.
//!
//! A login that needs an interactive second factor (no usable cached token) first takes its *turn*
//! here. The first login of a (host, user) leads: it prompts, stores the token, and publishes its
//! outcome. The logins that waited for that turn then share the outcome instead of prompting:
//!
//! - **success**: they read the token the leader stored and log in with it (no push);
//! - **a Duo refusal** (denied, locked, push timed out, Duo unreachable): they fail with the same
//!   error, without a push of their own;
//! - **the leader's connection was lost after its push may have gone out** (a request that may
//!   start a push, or the token request after it, may have reached the server): they fail with
//!   [`ErrorKind::ConnectionLost`] and a message saying so, without a push of their own — a second
//!   push goes out only when a person logs in again;
//! - **the leader failed for a reason of its own** (its connection dropped on a request that cannot
//!   start a push, such as a passcode's; it was cancelled; its login_timeout passed; its process
//!   died): exactly one waiter takes over and leads the next turn.
//!
//! A login that arrives after a turn ended does not see that turn's outcome: it starts afresh.
//!
//! A login started on the thread that holds a turn of the same key (from the progress callback of
//! the leading login, which runs on its thread) would wait for itself: it fails at once instead,
//! with [`Failure::InvalidValue`] (a misuse by the caller).
//!
//! In one process, a turn is a slot per key (a mutex and a condition variable). Across processes it
//! is an exclusive `flock` on `sfmfa-prompt-<hash>.lck` in the token cache's directory, held by the
//! one login of each process that leads locally. The lock file holds the state of the last turn —
//! `<turn id> pending|success|refused <code>|push-lost|abandoned` — so a process that waited can
//! tell what happened while it waited; the kernel drops the lock of a process that dies, and its
//! turn still reads `pending`, which the next process takes over. The file never holds a secret.
//!
//! Every wait is bounded by the login's deadline and ends early when the login is cancelled.

#[cfg(unix)]
mod lock_file;

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::Duration;

use crate::cache::CacheKey;
use crate::cancel::LoginCancel;
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind, Failure};
use crate::progress::{Progress, Reporter};

/// How often a waiter looks again (cancel, deadline, another process's lock).
const POLL: Duration = Duration::from_millis(20);
/// Outcomes kept per key, for waiters that have not woken yet.
const RECENT: usize = 64;

/// How a turn ended.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// The leader logged in; its token (if the server issued one) is in the cache.
    Success,
    /// The leader got a Duo refusal every waiter would get too: every waiter fails with it. (A
    /// waiter is also given this for [`Outcome::PushLost`], with the error that says so.)
    Refused(Error),
    /// The leader's connection was lost after its Duo push may have gone out: the waiters fail
    /// rather than send a second push no one asked for.
    PushLost,
    /// The leader failed for a reason of its own; a waiter takes over.
    Abandoned,
}

impl Outcome {
    /// The outcome a failed interactive login publishes.
    pub fn of_failure(e: &Error) -> Outcome {
        // The failure table says which refusals every waiter would get too (denied, locked, push
        // timed out, Duo unreachable); a wrong passcode is not one: a waiter may have its own.
        if e.failure().info().shared_by_waiters {
            Outcome::Refused(e.clone())
        } else if e.kind() == ErrorKind::ConnectionLost && e.push_may_be_out() {
            // Its push may be on the phone, pending or answered: a waiter that took over would send
            // another one that no person asked for.
            Outcome::PushLost
        } else {
            Outcome::Abandoned
        }
    }

    /// What a waiter is given: the error it fails with for [`Outcome::PushLost`].
    fn for_waiter(self) -> Outcome {
        match self {
            Outcome::PushLost => Outcome::Refused(push_lost()),
            other => other,
        }
    }
}

/// The error of a login that waited for one whose connection was lost after its push may have
/// gone out.
fn push_lost() -> Error {
    Error::new(
        ErrorKind::ConnectionLost,
        "another login of the same user lost its connection after its Duo push may have gone out; \
         this login waited for it and did not send a push of its own, so that no second push \
         reaches the phone without a person deciding",
    )
    .with_hint(
        "Log in again to get a new Duo push (deny or ignore the earlier one if it is still on \
         the phone).",
    )
}

/// The error of a login started on the thread of a login of the same (host, user) that holds the
/// prompt lock: from its progress callback (or a token cache it calls). Waiting would never end.
fn reentrant() -> Error {
    Error::from_failure(
        Failure::InvalidValue,
        "a login cannot be started from a progress callback of a login of the same user: the \
         callback runs on that login's thread while it has the user's turn for the Duo prompt, so \
         the new login would wait for it until login_timeout",
    )
    .with_hint(
        "Start the second login after the first one returns, or on a thread the callback does \
         not wait for.",
    )
}

/// What [`acquire`] gives a login.
pub(crate) enum Turn {
    /// This login prompts; publish the outcome with [`Leader::finish`].
    Lead(Leader),
    /// Another login prompted while this one waited; this is how it ended (`Success` or
    /// `Refused`: never `Abandoned`, and `PushLost` comes as its waiters' error).
    Shared(Outcome),
}

#[derive(Default)]
struct SlotState {
    busy: bool,
    /// The thread of the login whose turn it is, while `busy`.
    holder: Option<ThreadId>,
    finished: u64,
    recent: VecDeque<(u64, Outcome)>,
}

#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
    changed: Condvar,
}

static SLOTS: LazyLock<Mutex<HashMap<String, Arc<Slot>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn poisoned() -> Error {
    Error::new(ErrorKind::Internal, "the prompt lock is poisoned")
}

fn slot_of(key: &str) -> Result<Arc<Slot>, Error> {
    let mut slots = SLOTS.lock().map_err(|_| poisoned())?;
    Ok(Arc::clone(slots.entry(key.to_owned()).or_default()))
}

/// The turn of the login that leads; finishing (or dropping) it lets the waiters go.
pub(crate) struct Leader {
    slot: Arc<Slot>,
    #[cfg(unix)]
    file: Option<lock_file::LockFile>,
    finished: bool,
}

impl Leader {
    /// Publishes how the turn ended and ends it.
    pub fn finish(mut self, outcome: Outcome) {
        self.publish(outcome);
    }

    fn publish(&mut self, outcome: Outcome) {
        if self.finished {
            return;
        }
        self.finished = true;
        #[cfg(unix)]
        if let Some(file) = self.file.take() {
            file.finish(&outcome);
        }
        end_turn(&self.slot, outcome);
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        self.publish(Outcome::Abandoned);
    }
}

fn end_turn(slot: &Slot, outcome: Outcome) {
    let mut state = match slot.state.lock() {
        Ok(s) => s,
        Err(e) => e.into_inner(),
    };
    state.finished += 1;
    let turn = state.finished;
    state.recent.push_back((turn, outcome));
    if state.recent.len() > RECENT {
        state.recent.pop_front();
    }
    state.busy = false;
    state.holder = None;
    drop(state);
    slot.changed.notify_all();
}

/// Takes this login's turn for `key`: waits while another login of this process or of another
/// process prompts, then leads or shares the outcome. `dir` is where the cross-process lock file
/// lives (`None`: this process only).
pub(crate) fn acquire(
    key: &CacheKey,
    dir: Option<&Path>,
    cancel: &LoginCancel,
    deadline: &Deadline,
    reporter: &Reporter,
) -> Result<Turn, Error> {
    let id = key.v2();
    let slot = slot_of(&id)?;
    let mut told = false;
    if let Some(outcome) = wait_in_process(&slot, cancel, deadline, reporter, &mut told)? {
        return Ok(Turn::Shared(outcome.for_waiter()));
    }
    // This login leads in this process; from here on, dropping `leader` publishes `Abandoned`.
    let leader = Leader {
        slot,
        #[cfg(unix)]
        file: None,
        finished: false,
    };
    match dir {
        Some(dir) => across_processes(leader, dir, &id, cancel, deadline, reporter, &mut told),
        None => Ok(Turn::Lead(leader)),
    }
}

/// Takes the turn among processes for the login that leads in this process.
#[cfg(unix)]
fn across_processes(
    mut leader: Leader,
    dir: &Path,
    id: &str,
    cancel: &LoginCancel,
    deadline: &Deadline,
    reporter: &Reporter,
    told: &mut bool,
) -> Result<Turn, Error> {
    use lock_file::{Acquired, LockFile};
    match LockFile::acquire(dir, id, cancel, deadline, reporter, told) {
        Ok(Acquired::Lead(file)) => {
            leader.file = Some(file);
            Ok(Turn::Lead(leader))
        }
        Ok(Acquired::Shared(outcome)) => {
            // Let this process's waiters share it too.
            leader.finish(outcome.clone());
            Ok(Turn::Shared(outcome.for_waiter()))
        }
        Err(e) if matches!(e.kind(), ErrorKind::Cancelled | ErrorKind::Timeout) => Err(e),
        Err(e) => {
            // The lock file cannot be used (directory not ours, …): coordinate this process only.
            log::warn!(
                "logins of other processes cannot be coordinated: {}",
                e.message()
            );
            Ok(Turn::Lead(leader))
        }
    }
}

/// Off Unix there is no lock file yet: logins are coordinated within the process only.
#[cfg(not(unix))]
fn across_processes(
    leader: Leader,
    _dir: &Path,
    _id: &str,
    _cancel: &LoginCancel,
    _deadline: &Deadline,
    _reporter: &Reporter,
    _told: &mut bool,
) -> Result<Turn, Error> {
    Ok(Turn::Lead(leader))
}

/// Waits for this process's turn. `Some(outcome)` when a turn that ended while this login waited
/// is to be shared; `None` when this login now leads (the slot is marked busy for it).
fn wait_in_process(
    slot: &Slot,
    cancel: &LoginCancel,
    deadline: &Deadline,
    reporter: &Reporter,
    told: &mut bool,
) -> Result<Option<Outcome>, Error> {
    let me = std::thread::current().id();
    let mut state: MutexGuard<'_, SlotState> = slot.state.lock().map_err(|_| poisoned())?;
    // Outcomes of turns that end after this point are this login's to share.
    let mut after = state.finished;
    loop {
        while let Some((turn, outcome)) = state.recent.iter().find(|(t, _)| *t > after) {
            match outcome {
                Outcome::Abandoned => after = *turn,
                shared => return Ok(Some(shared.clone())),
            }
        }
        if !state.busy {
            state.busy = true;
            state.holder = Some(me);
            return Ok(None);
        }
        // The turn is this thread's own: a login started from within it (its progress callback)
        // would wait for itself.
        if state.holder == Some(me) {
            return Err(reentrant());
        }
        if !*told {
            *told = true;
            // Not under the slot's lock: the callback may start a login of the same user.
            drop(state);
            reporter.emit(Progress::WaitingForOtherLogin);
            state = slot.state.lock().map_err(|_| poisoned())?;
            continue;
        }
        check_wait(cancel, deadline)?;
        let pause = POLL.min(deadline.remaining());
        state = match slot.changed.wait_timeout(state, pause) {
            Ok((s, _)) => s,
            Err(e) => e.into_inner().0,
        };
    }
}

/// Cancelled or out of time while waiting for another login.
fn check_wait(cancel: &LoginCancel, deadline: &Deadline) -> Result<(), Error> {
    cancel.check()?;
    if deadline.passed() {
        return Err(Error::new(
            ErrorKind::Timeout,
            format!(
                "login_timeout of {:.1} s passed while waiting for another login of the same user \
                 to finish its Duo prompt",
                deadline.budget().as_secs_f64()
            ),
        )
        .with_hint("Approve the other login's Duo prompt, or raise login_timeout."));
    }
    Ok(())
}
