//! Cancelling logins from another thread.
//!
//! Each login in progress holds a [`LoginCancel`], registered with its client's [`Cancels`].
//! [`Cancels::cancel_all`] marks every registered login cancelled, shuts down the sockets of the
//! request it is making ([`InFlight`]: those sfmfa's connector registered, or the HTTP agent's
//! through ureq's `Agent::shutdown`; a shut-down socket wakes a read blocked on the server's
//! answer) and wakes it from a pause. A login checks its flag at every step, so it
//! returns [`ErrorKind::Cancelled`] promptly wherever it was: waiting for a push, for another login
//! of the same user, or between retries. On Linux a TCP connect in progress is ended too (the
//! socket is registered before it connects: src/transport/tcp.rs); elsewhere it is not
//! interrupted (it is bounded by its own timeout, at most 10 s).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use ureq::unversioned::transport::ShutdownHandle;

use crate::error::{Error, ErrorKind};

/// The cancellation state of one login.
#[derive(Default)]
pub(crate) struct LoginCancel {
    cancelled: AtomicBool,
    /// What closes the request in flight, if any.
    in_flight: Mutex<Option<InFlight>>,
    /// Wakes a login that pauses (between retries).
    pause: Mutex<()>,
    woken: Condvar,
}

impl LoginCancel {
    /// True once the login was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// `Err(Cancelled)` once the login was cancelled.
    pub fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            Err(cancelled_error())
        } else {
            Ok(())
        }
    }

    /// Cancels: marks, closes the request's sockets, wakes a pause.
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        if let Ok(slot) = self.in_flight.lock()
            && let Some(in_flight) = slot.as_ref()
        {
            match in_flight {
                InFlight::Agent(agent) => agent.clone().shutdown(),
                InFlight::Sockets(sockets) => sockets.shutdown(),
            }
        }
        let _guard = self.pause.lock();
        self.woken.notify_all();
    }

    /// Makes `agent` (a request through ureq) or `sockets` (a request of sfmfa's own,
    /// src/transport/http1.rs) what a cancel shuts down, until [`LoginCancel::detach`]. Fails when
    /// the login is already cancelled (the request is not made then).
    pub fn attach(&self, in_flight: InFlight) -> Result<(), Error> {
        let mut slot = self
            .in_flight
            .lock()
            .map_err(|_| Error::new(ErrorKind::Internal, "cancel lock poisoned"))?;
        // Checked under the lock cancel() takes, so a cancel cannot fall between check and attach.
        self.check()?;
        *slot = Some(in_flight);
        Ok(())
    }

    /// Forgets the finished request (its agent or sockets).
    pub fn detach(&self) {
        if let Ok(mut slot) = self.in_flight.lock() {
            *slot = None;
        }
    }

    /// Sleeps `duration` unless cancelled first (then `Err(Cancelled)` at once).
    pub fn pause(&self, duration: Duration) -> Result<(), Error> {
        let mut guard = self
            .pause
            .lock()
            .map_err(|_| Error::new(ErrorKind::Internal, "cancel lock poisoned"))?;
        let end = std::time::Instant::now() + duration;
        loop {
            self.check()?;
            let left = end.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            guard = match self.woken.wait_timeout(guard, left) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
    }
}

/// What a cancel closes of the request in flight.
pub(crate) enum InFlight {
    /// A request made through ureq: its agent's shutdown closes its sockets.
    Agent(ureq::Agent),
    /// A request made by sfmfa on a connection of its own chain: the sockets it registered.
    Sockets(Arc<Sockets>),
}

/// The sockets of one request, registered by the connector that opens each one before it
/// connects (ureq's `ConnectionDetails::register_shutdown`), shut down by a cancel.
#[derive(Default)]
pub(crate) struct Sockets {
    /// Whether a cancel came, and the sockets registered.
    state: Mutex<(bool, Vec<Weak<dyn ShutdownHandle>>)>,
}

impl Sockets {
    /// Registers `socket`; fails once a cancel came (the connector then makes no connection).
    pub fn register(&self, socket: Weak<dyn ShutdownHandle>) -> Result<(), ureq::Error> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 {
            return Err(ureq::Error::Io(std::io::Error::other(
                "the login was cancelled",
            )));
        }
        state.1.retain(|s| s.strong_count() > 0);
        state.1.push(socket);
        Ok(())
    }

    /// Shuts every registered socket down (a read or connect waiting on it ends at once).
    fn shutdown(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = true;
        for socket in state.1.iter().filter_map(Weak::upgrade) {
            socket.shutdown();
        }
    }
}

/// The logins in progress on one client.
#[derive(Default)]
pub(crate) struct Cancels {
    active: Mutex<Vec<Weak<LoginCancel>>>,
}

impl Cancels {
    /// Registers a new login; it stays cancellable while the returned value lives.
    pub fn begin(&self) -> Arc<LoginCancel> {
        let login = Arc::new(LoginCancel::default());
        if let Ok(mut active) = self.active.lock() {
            active.retain(|w| w.strong_count() > 0);
            active.push(Arc::downgrade(&login));
        }
        login
    }

    /// Cancels every login in progress now; logins started later are not affected. Returns how many
    /// were cancelled.
    pub fn cancel_all(&self) -> usize {
        let logins: Vec<Arc<LoginCancel>> = match self.active.lock() {
            Ok(active) => active.iter().filter_map(Weak::upgrade).collect(),
            Err(_) => Vec::new(),
        };
        for login in &logins {
            login.cancel();
        }
        logins.len()
    }
}

/// The error of a cancelled login.
pub(crate) fn cancelled_error() -> Error {
    Error::new(
        ErrorKind::Cancelled,
        "the login was cancelled by the application",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl ShutdownHandle for Counting {
        fn shutdown(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_cancel_shuts_the_registered_sockets_and_refuses_later_ones() {
        let cancels = Cancels::default();
        let login = cancels.begin();
        let sockets = Arc::new(Sockets::default());
        login
            .attach(InFlight::Sockets(Arc::clone(&sockets)))
            .unwrap();
        let socket = Arc::new(Counting::default());
        let weak: Weak<dyn ShutdownHandle> = Arc::downgrade(&socket) as Weak<dyn ShutdownHandle>;
        sockets.register(weak.clone()).unwrap();
        assert_eq!(cancels.cancel_all(), 1);
        assert_eq!(socket.0.load(Ordering::SeqCst), 1);
        assert!(login.is_cancelled());
        // A connect that starts after the cancel is not made.
        assert!(sockets.register(weak).is_err());
        // Nor is another request attached.
        assert!(login.attach(InFlight::Sockets(Arc::default())).is_err());
    }
}
