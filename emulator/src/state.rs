//! The emulator's shared state: users, counters, history, faults, sessions and pending pushes.
//! One mutex guards it; one condition variable wakes push waits (answers, shutdown).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::config::{EmulatorConfig, UserConfig};
use crate::faults::FaultQueue;
use crate::history::HistoryEntry;
use crate::sessions::Sessions;
use crate::token::TokenSigner;

/// A user and what the emulator tracks about them.
#[derive(Debug)]
pub struct UserState {
    /// Configuration (password, Duo, push behaviour, …), changed by control calls.
    pub cfg: UserConfig,
    /// Consecutive wrong passcodes (reset by a success).
    pub failed_passcodes: u32,
    /// SMS passcodes not used yet (each works once).
    pub sms_codes: Vec<String>,
    /// Every SMS passcode sent, oldest first.
    pub sms_outbox: Vec<String>,
    /// Pushes sent to this user's phone.
    pub push_count: u64,
    /// Login requests that named this user.
    pub login_count: u64,
    /// `MINS_TO_BYPASS_MFA`: until this emulator-clock time (unix seconds) the password alone logs in.
    pub bypass_mfa_until: Option<u64>,
    /// `COMMENT` (set by SQL).
    pub comment: Option<String>,
    /// `EXT_AUTHN_UID`: the user's id at Duo while enrolled.
    pub duo_uid: String,
}

impl UserState {
    /// A user as configured, with no counters yet.
    pub fn new(cfg: UserConfig) -> UserState {
        UserState {
            cfg,
            failed_passcodes: 0,
            sms_codes: Vec::new(),
            sms_outbox: Vec::new(),
            push_count: 0,
            login_count: 0,
            bypass_mfa_until: None,
            comment: None,
            duo_uid: format!("DU{}", crate::random::hex(9).to_uppercase()),
        }
    }

    /// True while `MINS_TO_BYPASS_MFA` lets the password alone log in.
    pub fn mfa_bypassed(&self, now: u64) -> bool {
        self.bypass_mfa_until.is_some_and(|until| now < until)
    }
}

/// An account and its users (keyed by lower-case login name).
#[derive(Debug)]
pub struct AccountState {
    /// `ALLOW_CLIENT_MFA_CACHING`; unset means Snowflake's default, false.
    pub allow_caching: Option<bool>,
    /// Refuse logins that name no Duo factor (see `AccountConfig::require_duo_method`).
    pub require_duo_method: bool,
    /// Users by lower-case name.
    pub users: HashMap<String, UserState>,
}

/// State of a legacy multi-step login between its requests.
#[derive(Debug, Clone)]
pub struct InFlight {
    /// Account key (lower case).
    pub account: String,
    /// User key (lower case).
    pub user: String,
    /// 1: waiting for the Duo re-post (step 2); 2: Duo passed, waiting for the token request.
    pub stage: u8,
    /// The second factor step 2 passed with (`DUO_PUSH`, `DUO_PASSCODE`, `DUO_SMS`); None at stage 1.
    pub factor: Option<&'static str>,
    /// The first request asked for an MFA token.
    pub request_mfa_token: bool,
    /// Normalised authenticator of the first request.
    pub authenticator: String,
}

/// A push waiting for the phone.
#[derive(Debug)]
pub struct PendingPush {
    /// Unique id.
    pub id: u64,
    /// Account key (lower case).
    pub account: String,
    /// User key (lower case).
    pub user: String,
    /// Answerable through `Control::answer_push`.
    pub manual: bool,
    /// The answer once given.
    pub answer: Option<bool>,
}

/// Everything behind the mutex.
#[derive(Debug)]
pub struct Inner {
    /// Accounts by lower-case name.
    pub accounts: HashMap<String, AccountState>,
    /// Global push lifetime (ms).
    pub push_timeout_ms: u64,
    /// Wrong passcodes before a lock.
    pub lockout_after: u32,
    /// Pushes sent, all users.
    pub total_pushes: u64,
    /// Login requests, all users.
    pub total_logins: u64,
    /// TLS handshakes completed in full (no session resumed).
    pub tls_full_handshakes: u64,
    /// TLS handshakes that resumed an earlier session.
    pub tls_resumed_handshakes: u64,
    /// Login history.
    pub history: Vec<HistoryEntry>,
    /// Scripted faults.
    pub faults: FaultQueue,
    /// Open sessions.
    pub sessions: Sessions,
    /// Legacy-flow contexts by inFlightCtx value.
    pub inflight: HashMap<String, InFlight>,
    /// Pushes waiting for an answer.
    pub pending: Vec<PendingPush>,
    /// Next push id.
    pub next_push_id: u64,
    /// What a successful token login answers in `mfaToken` (when one is issued at all).
    pub token_on_token_login: TokenOnTokenLogin,
}

/// What a successful login with a cached MFA token (`TOKEN`) answers in `mfaToken`, when the
/// request asks for one and caching is allowed. Snowflake's behaviour is not documented
/// (docs/protocol.md §9): the drivers' tests say the server normally issues no new token then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenOnTokenLogin {
    /// A freshly issued token (the default).
    #[default]
    Fresh,
    /// The token the request presented, unchanged.
    Same,
    /// None (`mfaToken` null).
    Null,
}

impl Inner {
    /// The user (account and user matched case-insensitively).
    pub fn user(&self, account: &str, user: &str) -> Option<&UserState> {
        self.accounts
            .get(&account.to_lowercase())?
            .users
            .get(&user.to_lowercase())
    }

    /// The user, mutable.
    pub fn user_mut(&mut self, account: &str, user: &str) -> Option<&mut UserState> {
        self.accounts
            .get_mut(&account.to_lowercase())?
            .users
            .get_mut(&user.to_lowercase())
    }

    /// The account's `require_duo_method` setting (false for an unknown account).
    pub fn require_duo_method(&self, account: &str) -> bool {
        self.accounts
            .get(&account.to_lowercase())
            .is_some_and(|a| a.require_duo_method)
    }

    /// Effective `ALLOW_CLIENT_MFA_CACHING` for a user: the user override, else the account's.
    pub fn caching_allowed(&self, account: &str, user: &str) -> bool {
        let Some(acct) = self.accounts.get(&account.to_lowercase()) else {
            return false;
        };
        let account_value = acct.allow_caching.unwrap_or(false);
        match acct.users.get(&user.to_lowercase()) {
            Some(u) => u.cfg.allow_client_mfa_caching.unwrap_or(account_value),
            None => false,
        }
    }
}

/// The shared state.
#[derive(Debug)]
pub struct State {
    inner: Mutex<Inner>,
    cond: Condvar,
    /// The emulator clock.
    pub clock: Clock,
    /// MFA-token signer (random key per emulator).
    pub signer: TokenSigner,
    stopping: AtomicBool,
}

impl State {
    /// Builds the state from a configuration.
    pub fn new(cfg: &EmulatorConfig) -> State {
        let mut accounts = HashMap::new();
        for a in &cfg.accounts {
            let users = a
                .users
                .iter()
                .map(|u| (u.name.to_lowercase(), UserState::new(u.clone())))
                .collect();
            accounts.insert(
                a.name.to_lowercase(),
                AccountState {
                    allow_caching: Some(a.allow_client_mfa_caching),
                    require_duo_method: a.require_duo_method,
                    users,
                },
            );
        }
        State {
            inner: Mutex::new(Inner {
                accounts,
                push_timeout_ms: cfg.push_timeout_ms,
                lockout_after: cfg.lockout_after,
                total_pushes: 0,
                total_logins: 0,
                tls_full_handshakes: 0,
                tls_resumed_handshakes: 0,
                history: Vec::new(),
                faults: FaultQueue::default(),
                sessions: Sessions::default(),
                inflight: HashMap::new(),
                pending: Vec::new(),
                next_push_id: 1,
                token_on_token_login: TokenOnTokenLogin::default(),
            }),
            cond: Condvar::new(),
            clock: Clock::default(),
            signer: TokenSigner::new(),
            stopping: AtomicBool::new(false),
        }
    }

    /// Locks the state. A panic in another thread never makes the state unusable.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes every waiting push (after an answer or at shutdown).
    pub fn notify(&self) {
        self.cond.notify_all();
    }

    /// True once the emulator is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Marks the emulator as stopping and wakes every wait.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// Sleeps `dur`, returning early when the emulator stops.
    pub fn sleep(&self, dur: Duration) {
        let deadline = Instant::now() + dur;
        let mut g = self.lock();
        while !self.is_stopping() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            g = match self.cond.wait_timeout(g, deadline - now) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
    }

    /// Registers a pending push and returns its id.
    pub fn add_pending(&self, inner: &mut Inner, account: &str, user: &str, manual: bool) -> u64 {
        let id = inner.next_push_id;
        inner.next_push_id += 1;
        inner.pending.push(PendingPush {
            id,
            account: account.to_lowercase(),
            user: user.to_lowercase(),
            manual,
            answer: None,
        });
        id
    }

    /// Waits until push `id` is answered, the deadline passes or the emulator stops; removes it.
    /// Returns the answer (true = approved), or None on timeout.
    pub fn wait_push(&self, id: u64, deadline: Instant) -> Option<bool> {
        let mut g = self.lock();
        let answer = loop {
            let answer = g.pending.iter().find(|p| p.id == id).and_then(|p| p.answer);
            if answer.is_some() || self.is_stopping() {
                break answer;
            }
            let now = Instant::now();
            if now >= deadline {
                break None;
            }
            g = match self.cond.wait_timeout(g, deadline - now) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        };
        g.pending.retain(|p| p.id != id);
        answer
    }
}
