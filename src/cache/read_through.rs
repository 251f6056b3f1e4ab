//! `token_cache=auto`'s read-through: the OS keystore first, then, when it has no token for the
//! key, `credential_cache_v2.json` — read only.
//!
//! Why: on Linux without a Secret Service, `auto` keeps tokens in the kernel keyring, while the
//! official Python connector (and Snowflake's other newer drivers on Linux) keep theirs in the v2
//! file. Without the read-through a token one of them cached is not seen and the user gets a second
//! Duo push for the same (host, user).
//!
//! Rules:
//! - The file is only read, without its lock and without creating or changing anything in its
//!   directory ([`FileCache::read_unlocked`]): it belongs to another program, whose writers may
//!   lock it differently. Tokens are written to the keystore only.
//! - A token found in the file is used like one from the keystore. When the server rejects it, it
//!   is **not** removed from the file (that would be a write, under a lock, to another program's
//!   file): sfmfa only stops offering it in this process (a process-wide list of rejected file
//!   tokens, wiped on drop), and the login prompts and stores its new token in the keystore, which
//!   is read first from then on. The other program finds its dead token, is refused, evicts it and
//!   prompts — exactly what it would do if sfmfa had evicted it, since the token is dead either way.
//! - A file that cannot be read (refused, corrupt) is logged and counts as no token: it never makes
//!   the login's cache step fail (which would shorten the keystore's later steps).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Instant;

use super::file::FileCache;
use super::{CacheKey, StoreVersion, TokenCache};
use crate::error::Error;
use crate::secret::Secret;

/// (file identity, v2 key) → the file's token that was rejected or deleted in this process.
type Ignored = HashMap<(String, String), Secret>;

static IGNORED: LazyLock<Mutex<Ignored>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// A keystore, read through to the v2 file when it has no token (see the module's rules).
pub struct ReadThrough {
    keystore: Arc<dyn TokenCache>,
    file: FileCache,
    /// The file's identity, computed once.
    file_identity: String,
}

impl ReadThrough {
    /// `keystore`, falling back to reading (only reading) `file`.
    pub fn new(keystore: Arc<dyn TokenCache>, file: FileCache) -> Self {
        let file_identity = file.identity();
        ReadThrough {
            keystore,
            file,
            file_identity,
        }
    }

    /// The file's token under `key`, unless this process stopped using it; `None` on any failure
    /// (logged).
    fn token_in_file(&self, key: &CacheKey) -> Option<Secret> {
        let token = match self.file.read_unlocked(key) {
            Ok(token) => token?,
            Err(e) => {
                log::warn!(
                    "token_cache=auto: {} has no token and {} could not be read: {}",
                    self.keystore.name(),
                    self.file.path().display(),
                    e.message()
                );
                return None;
            }
        };
        let slot = (self.file_identity.clone(), key.v2());
        let ignored = IGNORED.lock().unwrap_or_else(PoisonError::into_inner);
        if ignored.get(&slot) == Some(&token) {
            return None;
        }
        log::info!(
            "token_cache=auto: {} has no token for this user; using the one in {}",
            self.keystore.name(),
            self.file.path().display()
        );
        Some(token)
    }

    /// The keystore's answer, completed by the file when the keystore has no token or failed.
    fn through(
        &self,
        key: &CacheKey,
        keystore: Result<Option<Secret>, Error>,
    ) -> Result<Option<Secret>, Error> {
        match keystore {
            Ok(Some(token)) => Ok(Some(token)),
            Ok(None) => Ok(self.token_in_file(key)),
            Err(e) => match self.token_in_file(key) {
                Some(token) => Ok(Some(token)),
                None => Err(e),
            },
        }
    }

    /// Stops offering the file's current token under `key` in this process.
    fn ignore_file_token(&self, key: &CacheKey) {
        if let Ok(Some(token)) = self.file.read_unlocked(key) {
            let slot = (self.file_identity.clone(), key.v2());
            IGNORED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(slot, token);
        }
    }
}

impl TokenCache for ReadThrough {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        let keystore = self.keystore.read(key);
        self.through(key, keystore)
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.keystore.write(key, token)
    }

    /// Deletes from the keystore; the file's token is not deleted (read only) but no longer
    /// offered in this process.
    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.ignore_file_token(key);
        self.keystore.delete(key)
    }

    fn name(&self) -> &'static str {
        self.keystore.name()
    }

    fn read_fresh(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        let keystore = self.keystore.read_fresh(key);
        self.through(key, keystore)
    }

    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        self.keystore.coordination_dir()
    }

    fn identity(&self) -> String {
        format!("{}+read:{}", self.keystore.identity(), self.file_identity)
    }

    fn version(&self) -> StoreVersion {
        self.keystore.version()
    }

    fn read_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let keystore = self.keystore.read_until(key, until);
        self.through(key, keystore)
    }

    fn write_until(&self, key: &CacheKey, token: &Secret, until: Instant) -> Result<(), Error> {
        self.keystore.write_until(key, token, until)
    }

    fn delete_until(&self, key: &CacheKey, until: Instant) -> Result<(), Error> {
        self.ignore_file_token(key);
        self.keystore.delete_until(key, until)
    }

    fn read_fresh_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let keystore = self.keystore.read_fresh_until(key, until);
        self.through(key, keystore)
    }
}
