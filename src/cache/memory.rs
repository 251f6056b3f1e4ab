//! The in-memory layer: tokens this process has seen, shared by every client in the process, so that
//! a connection pool reads the keystore once and not once per connection.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use super::{CacheKey, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

static TOKENS: LazyLock<Mutex<HashMap<String, Secret>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn tokens() -> Result<std::sync::MutexGuard<'static, HashMap<String, Secret>>, Error> {
    TOKENS.lock().map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "the in-memory token cache lock is poisoned",
        )
    })
}

/// Tokens held by this process only (`token_cache=memory`), keyed by Snowflake's v2 key.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryCache;

impl TokenCache for MemoryCache {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        Ok(tokens()?.get(&key.v2()).cloned())
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        tokens()?.insert(key.v2(), token.clone());
        Ok(())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        tokens()?.remove(&key.v2());
        Ok(())
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

/// A persistent store with the in-memory layer in front: reads are answered from memory when they
/// can be, writes and deletes go to both.
pub struct Layered {
    store: Arc<dyn TokenCache>,
}

impl Layered {
    /// Puts the in-memory layer in front of `store`.
    pub fn new(store: Arc<dyn TokenCache>) -> Self {
        Layered { store }
    }
}

impl TokenCache for Layered {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        if let Some(token) = MemoryCache.read(key)? {
            return Ok(Some(token));
        }
        let token = self.store.read(key)?;
        if let Some(t) = &token {
            MemoryCache.write(key, t)?;
        }
        Ok(token)
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        MemoryCache.write(key, token)?;
        self.store.write(key, token)
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        MemoryCache.delete(key)?;
        self.store.delete(key)
    }

    fn name(&self) -> &'static str {
        self.store.name()
    }

    fn read_fresh(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        let token = self.store.read_fresh(key)?;
        match &token {
            Some(t) => MemoryCache.write(key, t)?,
            None => MemoryCache.delete(key)?,
        }
        Ok(token)
    }

    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        self.store.coordination_dir()
    }
}
