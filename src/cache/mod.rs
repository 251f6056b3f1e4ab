//! The token cache seam: where the login flow reads, stores and evicts MFA tokens.
//!
//! Here: the `TokenCache` interface, Snowflake's cross-driver v2 key (`key`), the OS keystores
//! (`keystore`), the `credential_cache_v2.json` file (`file`), the in-memory layer (`memory`), and
//! the choice of one of them from the options (`select`). A cache is consulted only with the
//! `username_password_mfa` authenticator, and a cache failure never fails a login that still has
//! time. Every wait of a login's cache call ends at the login's deadline (`*_until`); a login whose
//! deadline passes while it reads the cache fails with `Timeout` (src/login.rs, `within_deadline`).

pub mod bounded;
#[cfg(unix)]
pub mod file;
#[cfg(unix)]
pub mod index;
pub mod key;
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
pub mod keystore;
pub mod memory;
#[cfg(unix)]
pub mod read_through;
pub(crate) mod select;

pub use bounded::Bounded;
#[cfg(unix)]
pub use file::{FileCache, FileProbe};
#[cfg(unix)]
pub use index::{IndexRecord, TokenIndex};
pub use key::mfa_token_key;
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
pub use keystore::KeystoreCache;
pub use memory::MemoryCache;
#[cfg(unix)]
pub use read_through::ReadThrough;
pub use select::ADMIN_VARIABLE;

use crate::config::Config;
use crate::error::Error;
use crate::secret::Secret;
use std::time::Instant;

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
///
/// The `*_until` methods are what a login calls: the call returns by `until` (the login's deadline)
/// give or take the store's own non-blocking work, giving up any wait (a lock held by another
/// process, a keystore that does not answer) at that instant. Their default implementations ignore
/// `until` and call the plain methods, which wait as long as the store's own limits allow.
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
    /// Which store this is, for the in-memory layer: its entries are kept per identity, so a store
    /// never sees another's (two cache directories, two keystores). The default is [`Self::name`].
    fn identity(&self) -> String {
        self.name().to_owned()
    }
    /// The store's state now, as far as it can tell cheaply, so that the in-memory layer can tell
    /// whether a token it holds is still the store's (see [`StoreVersion`]). The default is
    /// [`StoreVersion::Untracked`].
    fn version(&self) -> StoreVersion {
        StoreVersion::Untracked
    }
    /// [`TokenCache::read`], giving up any wait at `until`.
    fn read_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let _ = until;
        self.read(key)
    }
    /// [`TokenCache::write`], giving up any wait at `until`.
    fn write_until(&self, key: &CacheKey, token: &Secret, until: Instant) -> Result<(), Error> {
        let _ = until;
        self.write(key, token)
    }
    /// [`TokenCache::delete`], giving up any wait at `until`.
    fn delete_until(&self, key: &CacheKey, until: Instant) -> Result<(), Error> {
        let _ = until;
        self.delete(key)
    }
    /// [`TokenCache::read_fresh`], giving up any wait at `until`. A store that overrides
    /// `read_fresh` and waits should override this too (the default calls `read_fresh`).
    fn read_fresh_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let _ = until;
        self.read_fresh(key)
    }
}

/// What the in-memory layer knows of a store's state ([`TokenCache::version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreVersion {
    /// The store cannot tell cheaply (the OS keystores): the in-memory layer trusts the tokens it
    /// holds for it, and a token removed from the store by another program stays in use in this
    /// process until the server rejects it (it is then evicted) or the process ends.
    Untracked,
    /// The store's state now (the file: device, inode, size and times; empty when there is no
    /// file). A token the in-memory layer holds is used only while the state is the one it was read
    /// in; on any change the store is read again.
    Is(Vec<u64>),
    /// The state could not be told: the store is read.
    Unknown,
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
