//! The token cache seam: where the login flow reads, stores and evicts MFA tokens.
//!
//! Here: the `TokenCache` interface, Snowflake's cross-driver v2 key (`key`), the OS keystores
//! (`keystore`), the `credential_cache_v2.json` file (`file`), the in-memory layer (`memory`), and
//! the choice of one of them from the options (`select`). A cache is consulted only with the
//! `username_password_mfa` authenticator, and a cache failure never fails a login.

pub mod bounded;
#[cfg(unix)]
pub mod file;
pub mod key;
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
pub mod keystore;
pub mod memory;
pub(crate) mod select;

pub use bounded::Bounded;
#[cfg(unix)]
pub use file::FileCache;
pub use key::mfa_token_key;
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
pub use keystore::KeystoreCache;
pub use memory::MemoryCache;

use crate::config::Config;
use crate::error::Error;
use crate::secret::Secret;

/// What a cached token belongs to: the service (host and port) and the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// `host[:port]` in lower case, the port only when it is not 443.
    pub service: String,
    /// The login name as configured.
    pub user: String,
}

impl CacheKey {
    /// The key of a configuration's (host, user).
    pub fn for_config(config: &Config) -> Self {
        let host = config.host().to_ascii_lowercase();
        let service = match config.port() {
            443 => host,
            port => format!("{host}:{port}"),
        };
        CacheKey {
            service,
            user: config.user().unwrap_or_default().to_owned(),
        }
    }
}

/// A store of MFA tokens. Implementations must be safe to call from many threads at once.
pub trait TokenCache: Send + Sync {
    /// The token stored under `key`, if any.
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error>;
    /// Stores `token` under `key`, replacing any previous one.
    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error>;
    /// Removes the token under `key`; removing a missing token is not an error.
    fn delete(&self, key: &CacheKey) -> Result<(), Error>;
    /// A short name of the backend, for reports ("secret-service", "file", …).
    fn name(&self) -> &'static str;
    /// The token under `key` as the persistent store holds it now, past any in-memory layer (which
    /// it refreshes). Used when another process may have replaced or removed the token.
    fn read_fresh(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read(key)
    }
    /// Where logins of several processes that share this store coordinate their Duo prompts (the
    /// directory of the prompt lock files); `None` when the store is not shared between processes.
    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        None
    }
}

/// What the token cache did during one login (one value; see [`CacheReport`] for the detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheStatus {
    /// A cached token was used: no Duo prompt.
    Hit,
    /// No usable cached token; the login prompted and the token the server issued was stored.
    Stored,
    /// The login prompted, but the server issued no token (`ALLOW_CLIENT_MFA_CACHING` is off for the
    /// account or user).
    NotIssued,
    /// Caching is off by option.
    Disabled,
    /// The authenticator is not `username_password_mfa`, which alone caches tokens.
    WrongAuthenticator,
    /// The store could not be used (the detail says why); the login went on without it.
    Unavailable,
    /// The token was issued but could not be stored (the detail says why).
    WriteFailed,
}

impl CacheStatus {
    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            CacheStatus::Hit => "hit",
            CacheStatus::Stored => "stored",
            CacheStatus::NotIssued => "not issued by the server",
            CacheStatus::Disabled => "caching off",
            CacheStatus::WrongAuthenticator => "wrong authenticator",
            CacheStatus::Unavailable => "store unavailable",
            CacheStatus::WriteFailed => "write failed",
        }
    }
}

/// What the token cache did during one login, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheReport {
    /// The outcome.
    pub status: CacheStatus,
    /// The store used, when there was one ("file", "memory", …).
    pub backend: Option<&'static str>,
    /// True when a cached token was rejected by the server and removed before the login prompted.
    pub evicted: bool,
    /// One sentence for a person (never a token).
    pub detail: String,
}

/// Whether a token is cached for a configuration, without revealing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheInspection {
    /// True when the store holds a token for this (host, user).
    pub present: bool,
    /// The store that was asked.
    pub backend: &'static str,
}
