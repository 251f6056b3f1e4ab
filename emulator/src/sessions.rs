//! Sessions created by successful logins: session and master tokens, close and renew.

use std::collections::HashMap;

/// Session-token validity announced to clients (seconds).
pub const SESSION_VALIDITY_SECS: u64 = 3600;
/// Master-token validity announced to clients (seconds).
pub const MASTER_VALIDITY_SECS: u64 = 14_400;

/// One open session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Numeric session id (a JSON number on the wire).
    pub id: u64,
    /// Master token (used to renew).
    pub master_token: String,
    /// Account key as the login sent it.
    pub account: String,
    /// The user's configured name.
    pub user: String,
    /// The session's role (upper case).
    pub role: String,
}

/// Open sessions keyed by session token.
#[derive(Debug, Default)]
pub struct Sessions {
    open: HashMap<String, Session>,
    closed: u64,
}

fn new_session_id() -> u64 {
    // Below 2^53 so that every JSON parser keeps it exact.
    1_000_000_000_000 + crate::random::u64() % 8_000_000_000_000_000
}

impl Sessions {
    /// Opens a session of `user` in `account` with `role`; returns (session token, the session).
    pub fn open(&mut self, account: &str, user: &str, role: &str) -> (String, Session) {
        let token = format!("ETSESSION-{}", crate::random::hex(24));
        let s = Session {
            id: new_session_id(),
            master_token: format!("ETMASTER-{}", crate::random::hex(24)),
            account: account.to_string(),
            user: user.to_string(),
            role: role.to_string(),
        };
        self.open.insert(token.clone(), s.clone());
        (token, s)
    }

    /// Closes the session of `token`; false when unknown.
    pub fn close(&mut self, token: &str) -> bool {
        let found = self.open.remove(token).is_some();
        if found {
            self.closed += 1;
        }
        found
    }

    /// True when `token` is an open session token.
    pub fn is_open(&self, token: &str) -> bool {
        self.open.contains_key(token)
    }

    /// The open session of `token`.
    pub fn get(&self, token: &str) -> Option<&Session> {
        self.open.get(token)
    }

    /// Replaces the session token of the session whose master token is `master` (and whose
    /// current token is `old`, when given). Returns the new token and the session.
    pub fn renew(&mut self, master: &str, old: Option<&str>) -> Option<(String, Session)> {
        let key = self
            .open
            .iter()
            .find(|(k, s)| s.master_token == master && old.is_none_or(|o| o == k.as_str()))
            .map(|(k, _)| k.clone())?;
        let s = self.open.remove(&key)?;
        let token = format!("ETSESSION-{}", crate::random::hex(24));
        self.open.insert(token.clone(), s.clone());
        Some((token, s))
    }

    /// Number of open sessions.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// Number of sessions closed by logout.
    pub fn closed_count(&self) -> u64 {
        self.closed
    }
}
