//! `Control`: the Rust handle tests use to drive the emulator (the HTTP control API mirrors it).

use std::sync::Arc;

use crate::config::{PushBehaviour, UserConfig};
use crate::duo;
use crate::faults::Fault;
use crate::history::HistoryEntry;
use crate::state::{AccountState, State, TokenOnTokenLogin, UserState};

/// A cheap, cloneable handle to a running emulator's state. Accounts and users are matched
/// case-insensitively. Setters return false when the account or user does not exist.
#[derive(Clone, Debug)]
pub struct Control {
    state: Arc<State>,
}

impl Control {
    pub(crate) fn new(state: Arc<State>) -> Control {
        Control { state }
    }

    fn with_user<R>(
        &self,
        account: &str,
        user: &str,
        f: impl FnOnce(&mut UserState) -> R,
    ) -> Option<R> {
        let mut g = self.state.lock();
        g.user_mut(account, user).map(f)
    }

    fn with_account<R>(&self, account: &str, f: impl FnOnce(&mut AccountState) -> R) -> Option<R> {
        let mut g = self.state.lock();
        g.accounts.get_mut(&account.to_lowercase()).map(f)
    }

    // ---- users -------------------------------------------------------------------------------

    /// Adds (or replaces) a user; creates the account (caching unset = false) when missing.
    pub fn add_user(&self, account: &str, user: UserConfig) {
        let mut g = self.state.lock();
        let acct = g
            .accounts
            .entry(account.to_lowercase())
            .or_insert_with(|| AccountState {
                allow_caching: None,
                require_duo_method: false,
                users: Default::default(),
            });
        let key = user.name.to_lowercase();
        acct.users.insert(key, UserState::new(user));
    }

    /// Changes a user's password (this invalidates their MFA tokens).
    pub fn set_password(&self, account: &str, user: &str, password: &str) -> bool {
        self.with_user(account, user, |u| u.cfg.password = password.to_string())
            .is_some()
    }

    /// Changes what the user's phone does with a push.
    pub fn set_push(&self, account: &str, user: &str, behaviour: PushBehaviour) -> bool {
        self.with_user(account, user, |u| u.cfg.push = behaviour)
            .is_some()
    }

    /// Enrolls or un-enrolls the user in Duo.
    pub fn set_enrolled(&self, account: &str, user: &str, enrolled: bool) -> bool {
        self.with_user(account, user, |u| u.cfg.duo_enrolled = enrolled)
            .is_some()
    }

    /// Locks or unlocks the user (unlocking also resets the wrong-passcode count).
    pub fn set_locked(&self, account: &str, user: &str, locked: bool) -> bool {
        self.with_user(account, user, |u| {
            u.cfg.locked = locked;
            u.failed_passcodes = 0;
        })
        .is_some()
    }

    /// Opts the user into (or out of) the legacy multi-step `nextAction` flow.
    pub fn set_legacy_next_action(&self, account: &str, user: &str, on: bool) -> bool {
        self.with_user(account, user, |u| u.cfg.legacy_next_action = on)
            .is_some()
    }

    /// Sets the account's `ALLOW_CLIENT_MFA_CACHING` (None = unset = false).
    pub fn set_allow_mfa_caching_account(&self, account: &str, allow: Option<bool>) -> bool {
        self.with_account(account, |a| a.allow_caching = allow)
            .is_some()
    }

    /// Turns the account's `require_duo_method` setting on or off: when on, a password login of an
    /// enrolled user that names no Duo factor is refused with 390124. False for an unknown account.
    pub fn set_require_duo_method(&self, account: &str, on: bool) -> bool {
        self.with_account(account, |a| a.require_duo_method = on)
            .is_some()
    }

    /// Sets the user's `ALLOW_CLIENT_MFA_CACHING` override (None = follow the account).
    pub fn set_allow_mfa_caching_user(
        &self,
        account: &str,
        user: &str,
        allow: Option<bool>,
    ) -> bool {
        self.with_user(account, user, |u| u.cfg.allow_client_mfa_caching = allow)
            .is_some()
    }

    /// Sets what a successful login with a cached MFA token answers in `mfaToken` (when a token
    /// is asked for and caching is allowed): a fresh token (the default), the presented one, or
    /// none.
    pub fn set_token_on_token_login(&self, answer: TokenOnTokenLogin) {
        self.state.lock().token_on_token_login = answer;
    }

    // ---- Duo ---------------------------------------------------------------------------------

    /// The TOTP passcode the user's authenticator app shows now (emulator clock), if they have a secret.
    pub fn current_passcode(&self, account: &str, user: &str) -> Option<String> {
        let secret = self
            .with_user(account, user, |u| u.cfg.totp_secret.clone())
            .flatten()?;
        let key = duo::decode_secret(&secret)?;
        Some(duo::totp(&key, self.state.clock.now(), duo::TOTP_DIGITS))
    }

    /// Pushes waiting for an answer on the user's phone (behaviours `manual` and `timeout`).
    pub fn pending_pushes(&self, account: &str, user: &str) -> usize {
        let (a, u) = (account.to_lowercase(), user.to_lowercase());
        let g = self.state.lock();
        g.pending
            .iter()
            .filter(|p| p.account == a && p.user == u && p.answer.is_none())
            .count()
    }

    /// Answers the oldest unanswered `manual` push of the user; false when there is none.
    pub fn answer_push(&self, account: &str, user: &str, approve: bool) -> bool {
        let (a, u) = (account.to_lowercase(), user.to_lowercase());
        let mut g = self.state.lock();
        let found = g
            .pending
            .iter_mut()
            .find(|p| p.account == a && p.user == u && p.manual && p.answer.is_none());
        let answered = match found {
            Some(p) => {
                p.answer = Some(approve);
                true
            }
            None => false,
        };
        drop(g);
        self.state.notify();
        answered
    }

    /// SMS passcodes sent to the user, oldest first.
    pub fn sms_outbox(&self, account: &str, user: &str) -> Vec<String> {
        self.with_user(account, user, |u| u.sms_outbox.clone())
            .unwrap_or_default()
    }

    // ---- counters ----------------------------------------------------------------------------

    /// Pushes sent to the user's phone.
    pub fn push_count(&self, account: &str, user: &str) -> u64 {
        self.with_user(account, user, |u| u.push_count).unwrap_or(0)
    }

    /// Login requests that named this user.
    pub fn login_count(&self, account: &str, user: &str) -> u64 {
        self.with_user(account, user, |u| u.login_count)
            .unwrap_or(0)
    }

    /// Pushes sent, all users.
    pub fn total_pushes(&self) -> u64 {
        self.state.lock().total_pushes
    }

    /// Login requests, all users (including unknown ones).
    pub fn total_logins(&self) -> u64 {
        self.state.lock().total_logins
    }

    /// TLS handshakes completed so far, as `(full, resumed)`: a resumed one reused a session the
    /// client kept from an earlier connection (rustls's `HandshakeKind::Resumed`). Both zero for
    /// plain http.
    pub fn tls_handshakes(&self) -> (u64, u64) {
        let g = self.state.lock();
        (g.tls_full_handshakes, g.tls_resumed_handshakes)
    }

    /// Sets every push and login counter to zero.
    pub fn reset_counters(&self) {
        let mut g = self.state.lock();
        g.total_pushes = 0;
        g.total_logins = 0;
        for a in g.accounts.values_mut() {
            for u in a.users.values_mut() {
                u.push_count = 0;
                u.login_count = 0;
            }
        }
    }

    // ---- history -----------------------------------------------------------------------------

    /// Every login recorded so far, oldest first.
    pub fn login_history(&self) -> Vec<HistoryEntry> {
        self.state.lock().history.clone()
    }

    // ---- clock -------------------------------------------------------------------------------

    /// The emulator clock (unix seconds).
    pub fn now(&self) -> u64 {
        self.state.clock.now()
    }

    /// Moves the emulator clock forward.
    pub fn advance(&self, secs: u64) {
        self.state.clock.advance(secs);
    }

    // ---- faults ------------------------------------------------------------------------------

    /// Queues a fault for the next `times` login requests.
    pub fn add_fault(&self, fault: Fault, times: u32) {
        self.state.lock().faults.push(fault, times);
    }

    /// Answers the next `times` login requests with this HTTP status, without processing.
    pub fn fail_http(&self, status: u16, times: u32) {
        self.add_fault(Fault::FailHttp { status }, times);
    }

    /// Closes the next `times` login requests without answering or processing (no push).
    pub fn drop_before_processing(&self, times: u32) {
        self.add_fault(Fault::DropBeforeProcessing, times);
    }

    /// Processes the next `times` login requests (pushes counted), then closes without answering.
    pub fn drop_after_processing(&self, times: u32) {
        self.add_fault(Fault::DropAfterProcessing, times);
    }

    /// Processes the next `times` login requests, then waits `ms` before answering.
    pub fn stall(&self, ms: u64, times: u32) {
        self.add_fault(Fault::Stall { ms }, times);
    }

    /// Answers the next `times` login requests with a truncated JSON body.
    pub fn malformed_json(&self, times: u32) {
        self.add_fault(Fault::MalformedJson, times);
    }

    /// Answers the next `times` login requests with `{"success": true, "data": {}}`.
    pub fn incomplete_response(&self, times: u32) {
        self.add_fault(Fault::IncompleteResponse, times);
    }

    /// Answers the next `times` login requests with `success:false` and `code`, without processing.
    pub fn force_code(&self, code: &str, message: Option<&str>, times: u32) {
        self.add_fault(
            Fault::ForceCode {
                code: code.to_string(),
                message: message.map(str::to_string),
            },
            times,
        );
    }

    /// Answers the next `times` login requests with HTTP 200 and `body`, without processing.
    pub fn answer_json(&self, body: serde_json::Value, times: u32) {
        self.add_fault(Fault::Answer { body }, times);
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.state.lock().faults.clear();
    }

    // ---- sessions ----------------------------------------------------------------------------

    /// Sessions currently open.
    pub fn open_sessions(&self) -> usize {
        self.state.lock().sessions.open_count()
    }

    /// Sessions closed by logout.
    pub fn closed_sessions(&self) -> u64 {
        self.state.lock().sessions.closed_count()
    }
}
