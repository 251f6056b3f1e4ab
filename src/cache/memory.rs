//! The in-memory layer: tokens this process has seen, shared by every client in the process, so that
//! a connection pool reads the keystore once and not once per connection.
//!
//! Entries are kept per store ([`TokenCache::identity`]: `file:<directory>`, the keystore and its
//! service, `memory`), so a client never sees the tokens of another store — another cache
//! directory, another keystore. And an entry is used only while its store still holds it, as far
//! as the store can tell cheaply ([`TokenCache::version`]): the file store's entries are checked
//! against the file's device, inode, size and times on every read (one `lstat`), so a deleted,
//! replaced or rewritten file is read again and a deleted file means no hit. The keystores cannot
//! tell cheaply: their entries are trusted (see [`StoreVersion::Untracked`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use super::{CacheKey, StoreVersion, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// A token and the state of its store when it was read.
struct Entry {
    token: Secret,
    version: StoreVersion,
}

impl Entry {
    /// Whether the entry still stands for the store, whose state is `now`.
    fn holds(&self, now: &StoreVersion) -> bool {
        match now {
            StoreVersion::Untracked => true,
            StoreVersion::Is(_) => &self.version == now,
            StoreVersion::Unknown => false,
        }
    }
}

/// (store identity, v2 key) → entry.
type Tokens = HashMap<(String, String), Entry>;

static TOKENS: LazyLock<Mutex<Tokens>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn tokens() -> Result<std::sync::MutexGuard<'static, Tokens>, Error> {
    TOKENS.lock().map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "the in-memory token cache lock is poisoned",
        )
    })
}

fn slot(store: &str, key: &CacheKey) -> (String, String) {
    (store.to_owned(), key.v2())
}

/// The identity of the memory-only store.
const MEMORY: &str = "memory";

/// Tokens held by this process only (`token_cache=memory`), keyed by Snowflake's v2 key.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryCache;

impl TokenCache for MemoryCache {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        Ok(tokens()?
            .get(&slot(MEMORY, key))
            .map(|entry| entry.token.clone()))
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        let entry = Entry {
            token: token.clone(),
            version: StoreVersion::Untracked,
        };
        tokens()?.insert(slot(MEMORY, key), entry);
        Ok(())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        tokens()?.remove(&slot(MEMORY, key));
        Ok(())
    }

    fn name(&self) -> &'static str {
        MEMORY
    }
}

/// A persistent store with the in-memory layer in front: reads are answered from memory while the
/// store's state is the one the token was read in, writes and deletes go to both.
pub struct Layered {
    store: Arc<dyn TokenCache>,
    /// The store's identity, computed once.
    identity: String,
}

impl Layered {
    /// Puts the in-memory layer in front of `store`.
    pub fn new(store: Arc<dyn TokenCache>) -> Self {
        let identity = store.identity();
        Layered { store, identity }
    }

    /// Remembers what the store answered, in the state `version` it had before it was asked.
    fn remember(
        &self,
        key: &CacheKey,
        token: Option<&Secret>,
        version: StoreVersion,
    ) -> Result<(), Error> {
        let mut tokens = tokens()?;
        match token {
            Some(t) => {
                let entry = Entry {
                    token: t.clone(),
                    version,
                };
                tokens.insert(slot(&self.identity, key), entry);
            }
            None => {
                tokens.remove(&slot(&self.identity, key));
            }
        }
        Ok(())
    }
}

/// The `until` of a call without a deadline: the store's own limits bound it.
fn no_deadline() -> Instant {
    Instant::now() + Duration::from_secs(365 * 24 * 3600)
}

impl TokenCache for Layered {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read_until(key, no_deadline())
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.write_until(key, token, no_deadline())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.delete_until(key, no_deadline())
    }

    fn read_fresh(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read_fresh_until(key, no_deadline())
    }

    fn read_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        // Taken before the store is read: a change after this point shows as a different version
        // next time, never the reverse.
        let version = self.store.version();
        if let Some(entry) = tokens()?.get(&slot(&self.identity, key))
            && entry.holds(&version)
        {
            return Ok(Some(entry.token.clone()));
        }
        let token = self.store.read_until(key, until)?;
        self.remember(key, token.as_ref(), version)?;
        Ok(token)
    }

    fn write_until(&self, key: &CacheKey, token: &Secret, until: Instant) -> Result<(), Error> {
        // The store's state after the write is not known here (another process may write right
        // after): a store that can tell is read once more before the token is used from memory.
        let version = match self.store.version() {
            StoreVersion::Untracked => StoreVersion::Untracked,
            _ => StoreVersion::Unknown,
        };
        self.remember(key, Some(token), version)?;
        self.store.write_until(key, token, until)
    }

    fn delete_until(&self, key: &CacheKey, until: Instant) -> Result<(), Error> {
        self.remember(key, None, StoreVersion::Unknown)?;
        self.store.delete_until(key, until)
    }

    fn read_fresh_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        let version = self.store.version();
        let token = self.store.read_fresh_until(key, until)?;
        self.remember(key, token.as_ref(), version)?;
        Ok(token)
    }

    fn name(&self) -> &'static str {
        self.store.name()
    }

    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn version(&self) -> StoreVersion {
        self.store.version()
    }

    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        self.store.coordination_dir()
    }
}
