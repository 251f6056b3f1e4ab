//! The token cache seam: where the login flow reads, stores and evicts MFA tokens.
//!
//! Here: the `TokenCache` interface, Snowflake's cross-driver v2 key (`key`), and the
//! `credential_cache_v2.json` backend (`file`). Still to come (issue 3): the OS keystore backends,
//! the in-memory layer, and the options that choose a backend for the login flow (until then a
//! cache is attached with `Client::with_token_cache`). A cache is consulted only with the
//! `username_password_mfa` authenticator, and a cache failure never fails a login.

#[cfg(unix)]
pub mod file;
pub mod key;

#[cfg(unix)]
pub use file::FileCache;
pub use key::mfa_token_key;

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
}
