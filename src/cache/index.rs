//! sfmfa's index of the tokens it cached: which host and user, and when, each v2 key belongs to.
//!
//! The v2 key is a SHA-256 hash of (host, user) (`key`), so no store can say whose token an entry
//! is. When sfmfa stores a token (in the file or in an OS keystore) it also records, in
//! `sfmfa_token_index.json` beside `credential_cache_v2.json`, the store, the key, the host, the
//! user and the time; when it removes one it drops the record. `sfmfa cache list` reads it.
//!
//! Why a separate file: `credential_cache_v2.json` is shared with Snowflake's drivers
//! (docs/protocol.md §4.4). sfmfa keeps unknown top-level keys, but nothing documents that the
//! other drivers do (jdbc even rewrites the object it reads), and a driver that parses the file
//! into a fixed shape could reject an extra key. A file of sfmfa's own name is one no driver opens.
//!
//! The index holds no secret: the file is 0600 in the 0700 cache directory all the same. It is
//! only a hint: a record is shown only when its (host, user) hashes to the entry's key, so it
//! cannot name the wrong owner; a token another driver wrote, or rewrote, has no record (or an
//! older time). Updates are made under the cache file's lock (`credential_cache_v2.json.lck`),
//! bounded like every other use of it, and a failure is logged, never fatal.
//!
//! Format: `{"version": 1, "entries": {"<store>:<v2 key>": {"host": "<host[:port]>",
//! "user": "<user>", "written_at": <Unix seconds>}}}`.

use std::collections::HashMap;
use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::file::FileCache;
use super::{CacheKey, mfa_token_key};
use crate::error::{Error, ErrorKind};

/// The index file's name, in the directory of the cache file.
pub const INDEX_FILE_NAME: &str = "sfmfa_token_index.json";

/// The index is refused, unread, past this size (it holds a few hundred bytes per token).
const MAX_INDEX_SIZE: u64 = 4 * 1024 * 1024;

/// What sfmfa recorded about one token it stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRecord {
    /// `host[:port]` as the cache key has it.
    pub host: String,
    /// The login name.
    pub user: String,
    /// When sfmfa stored the token, in seconds since the Unix epoch.
    pub written_at: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct IndexDoc {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    entries: HashMap<String, IndexRecord>,
}

/// The index in one cache directory.
#[derive(Debug, Clone)]
pub struct TokenIndex {
    cache: FileCache,
}

impl TokenIndex {
    /// The index in `dir` (the cache file's directory).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        TokenIndex {
            cache: FileCache::in_dir(dir),
        }
    }

    /// The index in the directory the environment names for the cache file; `None` when none is
    /// named (see [`super::file::cache_dir_from`]).
    pub fn from_env() -> Option<Self> {
        super::file::cache_dir_from(|name| std::env::var_os(name)).map(Self::in_dir)
    }

    /// The index file's path.
    pub fn path(&self) -> PathBuf {
        self.cache.dir().join(INDEX_FILE_NAME)
    }

    /// Records that sfmfa stored the token of `key` in `store` now.
    pub fn record(&self, store: &str, key: &CacheKey) -> Result<(), Error> {
        let record = IndexRecord {
            host: key.service.clone(),
            user: key.user.clone(),
            written_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let id = entry_id(store, &key.v2());
        self.update(|doc| doc.entries.insert(id, record.clone()) != Some(record))
    }

    /// Drops the record of the v2 key `v2_key` in `store`, if any.
    pub fn forget(&self, store: &str, v2_key: &str) -> Result<(), Error> {
        if fs::symlink_metadata(self.path()).is_err() {
            return Ok(());
        }
        let id = entry_id(store, v2_key);
        self.update(|doc| doc.entries.remove(&id).is_some())
    }

    /// The record of `v2_key` in `store`, when there is one whose (host, user) hashes to the key.
    pub fn lookup(&self, store: &str, v2_key: &str) -> Result<Option<IndexRecord>, Error> {
        Ok(self.records()?.remove(&entry_id(store, v2_key)))
    }

    /// Every record whose (host, user) hashes to its key, by `"<store>:<v2 key>"`.
    pub fn records(&self) -> Result<HashMap<String, IndexRecord>, Error> {
        let mut doc = self.read_doc()?;
        doc.entries.retain(|id, r| {
            id.split_once(':')
                .is_some_and(|(_, key)| mfa_token_key(&r.host, &r.user) == key)
        });
        Ok(doc.entries)
    }

    fn read_doc(&self) -> Result<IndexDoc, Error> {
        let path = self.path();
        let mut file = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(IndexDoc::default()),
            Err(e) => return Err(io_error("could not open", &path, &e)),
        };
        let mut bytes = Vec::new();
        Read::by_ref(&mut file)
            .take(MAX_INDEX_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error("could not read", &path, &e))?;
        if bytes.len() as u64 > MAX_INDEX_SIZE {
            return Err(index_error(format!(
                "the token index {} is larger than {MAX_INDEX_SIZE} bytes; remove it",
                path.display()
            )));
        }
        // A damaged index is only a lost hint: start again.
        Ok(serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// Read-modify-write under the cache file's exclusive lock; written only when `change` says
    /// something changed.
    fn update(&self, change: impl FnOnce(&mut IndexDoc) -> bool) -> Result<(), Error> {
        let Some(dir) = self.cache.open_dir(true)? else {
            return Ok(());
        };
        let _lock = self.cache.lock_now(true)?;
        let mut doc = self.read_doc()?;
        if !change(&mut doc) {
            return Ok(());
        }
        doc.version = 1;
        let bytes = serde_json::to_vec_pretty(&doc)
            .map_err(|e| index_error(format!("could not encode the token index: {e}")))?;
        let path = self.path();
        let tmp = self
            .cache
            .dir()
            .join(format!(".{INDEX_FILE_NAME}.{:016x}.tmp", fastrand::u64(..)));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)
            .and_then(|mut f| {
                f.set_permissions(Permissions::from_mode(0o600))?;
                f.write_all(&bytes)?;
                f.sync_all()
            })
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(io_error("could not write", &path, &e));
        }
        let _ = dir.sync_all();
        Ok(())
    }
}

/// Records a stored token in the index of `dir`; a failure is logged only.
pub(crate) fn record_quietly(dir: Option<&Path>, store: &str, key: &CacheKey) {
    if let Some(dir) = dir
        && let Err(e) = TokenIndex::in_dir(dir).record(store, key)
    {
        log::warn!("could not record the token in sfmfa's token index: {e}");
    }
}

/// Drops a removed token from the index of `dir`; a failure is logged only.
pub(crate) fn forget_quietly(dir: Option<&Path>, store: &str, v2_key: &str) {
    if let Some(dir) = dir
        && let Err(e) = TokenIndex::in_dir(dir).forget(store, v2_key)
    {
        log::warn!("could not update sfmfa's token index: {e}");
    }
}

fn entry_id(store: &str, v2_key: &str) -> String {
    format!("{store}:{v2_key}")
}

fn index_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Cache, message)
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> Error {
    index_error(format!("token index: {what} {}: {e}", path.display()))
}
