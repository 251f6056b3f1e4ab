//! The file backend: `credential_cache_v2.json`, shared with Snowflake's newer drivers (sf_core).
//!
//! Layout and locking follow sf_core (docs/protocol.md §4.4): `{"tokens": {"<v2 key>": "<token>"}}`
//! in `$SF_TEMPORARY_CREDENTIAL_CACHE_DIR`, `$XDG_CACHE_HOME/snowflake` or `$HOME/.cache/snowflake`;
//! `flock` on the regular file `credential_cache_v2.json.lck` beside it. Other drivers' entries and
//! other top-level keys are kept on every write.
//!
//! Security: the directory is ours and 0700, the file ours and 0600; neither the directory nor the
//! file is ever reached through a symlink (the directory's last component is opened `O_NOFOLLOW`,
//! like the file; a symlink higher up the path, such as `/tmp` on macOS, is the system's and is
//! followed). A token file that group or others can read is refused, not fixed: its token may
//! already have leaked, so the user is told to remove it.
//!
//! Bounds: every wait for the lock is bounded by the lock timeout and by the caller's deadline
//! (`*_until`, the login's `login_timeout`), whichever comes first, and so is the wait for the
//! other threads of this process. The file is refused, unread, past [`MAX_FILE_SIZE`].
//!
//! Temporary files: a write creates `.credential_cache_v2.json.<16 hex digits>.tmp` under the
//! exclusive lock and renames it over the file. A writer that dies in between (`kill -9`) leaves
//! it, a 0600 copy of the tokens; the next write, under the same lock, removes every file of that
//! pattern owned by the user, since no live writer can have one while it holds the lock.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::{CacheKey, StoreVersion, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The cache file's name, the same as sf_core's.
pub const FILE_NAME: &str = "credential_cache_v2.json";
/// The lock file's name, beside the cache file.
pub const LOCK_FILE_NAME: &str = "credential_cache_v2.json.lck";
/// How long an operation waits for the lock by default (sf_core: 20 tries, 100 ms apart).
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest cache file read, in bytes (1 MiB). Real files hold a few tokens of about 200 bytes
/// each (a thousand tokens with their keys take about 300 kB). A larger file is treated as
/// corrupt: it is neither read into memory nor rewritten (other programs' entries may be in it),
/// and every read and write fails, saying so, until it is removed.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Threads of this process take the lock of a directory one at a time, so polling `flock` is only
/// ever a contest between processes: the lock paths whose turn is taken, and a signal when one is
/// given back. A lock held by another process in one directory does not hold up the others.
static IN_PROCESS: LazyLock<(Mutex<HashSet<PathBuf>>, Condvar)> =
    LazyLock::new(|| (Mutex::new(HashSet::new()), Condvar::new()));

/// This thread's turn at a lock path among the threads of this process; given back when dropped.
struct Turn(PathBuf);

impl Turn {
    /// Waits for the turn at `path` until `until`; `None` when it is still taken then.
    fn take(path: &Path, until: Instant) -> Option<Turn> {
        let (busy, freed) = &*IN_PROCESS;
        let mut busy = busy.lock().unwrap_or_else(PoisonError::into_inner);
        while busy.contains(path) {
            let left = until.checked_duration_since(Instant::now())?;
            busy = freed
                .wait_timeout(busy, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        busy.insert(path.to_path_buf());
        Some(Turn(path.to_path_buf()))
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (busy, freed) = &*IN_PROCESS;
        busy.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
        freed.notify_all();
    }
}

/// The directory of the cache file from an environment lookup: `$SF_TEMPORARY_CREDENTIAL_CACHE_DIR`,
/// then `$XDG_CACHE_HOME/snowflake`, then `$HOME/.cache/snowflake`. Empty values are skipped.
/// `None` when none of them is set.
pub fn cache_dir_from(lookup: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("SF_TEMPORARY_CREDENTIAL_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("snowflake")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("snowflake")))
}

/// What [`FileCache::probe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProbe {
    /// The directory's permission bits (a write tightens them to `0o700`); `None` when the
    /// directory does not exist yet (the first write creates it).
    pub dir_mode: Option<u32>,
    /// How many MFA tokens the file holds, whichever program wrote them (0 without a file).
    pub tokens: usize,
}

/// MFA tokens in `credential_cache_v2.json`. Safe to share between threads and processes.
#[derive(Debug, Clone)]
pub struct FileCache {
    dir: PathBuf,
    lock_timeout: Duration,
}

impl FileCache {
    /// The cache in the directory the environment names (see [`cache_dir_from`]). Nothing is
    /// created until the first write. Fails when neither of the variables is set.
    pub fn new() -> Result<Self, Error> {
        cache_dir_from(|name| std::env::var_os(name))
            .map(Self::in_dir)
            .ok_or_else(|| {
                cache_error(
                    "no directory for the token cache file: none of SF_TEMPORARY_CREDENTIAL_CACHE_DIR, \
                     XDG_CACHE_HOME and HOME is set",
                )
            })
    }

    /// The cache in `dir` (created 0700 on the first write if it does not exist). A trailing `/`
    /// is dropped, so that the directory itself is checked, not what a link there points to.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        FileCache {
            dir: dir.into().components().collect(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// Sets how long an operation waits for another process's lock before it fails.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The directory of the cache file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The lock file's path.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE_NAME)
    }

    /// Checks (and creates, when `create`) the directory. `Ok(None)` when it is missing and not
    /// created; otherwise the open directory, for the fsync after a rename. Refuses a symlink, a
    /// directory of another user, and anything but a directory.
    pub(crate) fn open_dir(&self, create: bool) -> Result<Option<File>, Error> {
        self.open_dir_as(create, true)
    }

    /// [`FileCache::open_dir`]; with `fix_mode` false the directory is never changed: one that
    /// group or others may write to is refused instead of being narrowed to 0700.
    fn open_dir_as(&self, create: bool, fix_mode: bool) -> Result<Option<File>, Error> {
        let dir = &self.dir;
        match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(dir_symlink_error(dir)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !create {
                    return Ok(None);
                }
                if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                    DirBuilder::new()
                        .recursive(true)
                        .mode(0o755)
                        .create(parent)
                        .map_err(|e| io_error("could not create the directory", parent, &e))?;
                }
                match DirBuilder::new().mode(0o700).create(dir) {
                    Ok(()) => {}
                    // Another process created it meanwhile; it is checked below like any other.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_error("could not create the directory", dir, &e)),
                }
            }
            Err(e) => return Err(io_error("could not inspect the directory", dir, &e)),
        }
        // O_NOFOLLOW: a link put in its place after the check above is refused too.
        let handle = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(dir)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => dir_symlink_error(dir),
                Some(libc::ENOTDIR) => not_a_directory(dir),
                _ => io_error("could not open the directory", dir, &e),
            })?;
        let meta = handle
            .metadata()
            .map_err(|e| io_error("could not inspect the directory", dir, &e))?;
        check_dir(dir, &meta)?;
        if !fix_mode && meta.mode() & 0o022 != 0 {
            return Err(cache_error(format!(
                "the token cache directory {} has mode {:04o}: group or others may write to it; \
                 not reading it",
                dir.display(),
                meta.mode() & 0o777
            )));
        }
        if fix_mode && meta.mode() & 0o777 != 0o700 {
            // Ours but too open (or umask-trimmed): tighten it, as sf_core does. The file inside
            // is checked on its own, so a token that was exposed is still refused.
            handle
                .set_permissions(Permissions::from_mode(0o700))
                .map_err(|e| io_error("could not set mode 0700 on the directory", dir, &e))?;
        }
        Ok(Some(handle))
    }

    /// Takes this process's turn (after the other threads') and then the file lock, shared or
    /// exclusive: waits for the threads until `until`, for another process at most the lock
    /// timeout and never past `until`. Both are released when the returned guard is dropped.
    fn lock(&self, exclusive: bool, until: Instant) -> Result<Held, Error> {
        let path = self.lock_path();
        let started = Instant::now();
        // The other threads of this process: as long as the caller's deadline allows (they each
        // hold the turn for one bounded step).
        let Some(turn) = Turn::take(&path, until) else {
            return Err(cache_error(format!(
                "the token cache lock {} is held by another thread of this process; gave up after \
                 {} ms, at the end of the time the login allows this step (login_timeout)",
                path.display(),
                started.elapsed().as_millis()
            )));
        };
        // Another process: the lock timeout, and never past the caller's deadline.
        let waiting = Instant::now();
        let own_limit = waiting + self.lock_timeout;
        let give_up = own_limit.min(until);
        let file = open_lock_file(&path)?;
        let mut pause = Duration::from_millis(2);
        loop {
            let attempt = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match attempt {
                Ok(()) => {
                    return Ok(Held {
                        _file: file,
                        _turn: turn,
                    });
                }
                Err(fs::TryLockError::WouldBlock) if Instant::now() < give_up => {
                    let left = give_up.saturating_duration_since(Instant::now());
                    std::thread::sleep(pause.min(left));
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    let why = if give_up < own_limit {
                        "at the end of the time the login allows this step (login_timeout)"
                    } else {
                        "at the lock timeout"
                    };
                    return Err(cache_error(format!(
                        "the token cache lock {} is held by another process; gave up after {} ms, \
                         {why}",
                        path.display(),
                        waiting.elapsed().as_millis()
                    )));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(io_error("could not lock", &path, &e));
                }
            }
        }
    }

    /// [`FileCache::lock`] with no deadline of the caller's: the lock timeout bounds the wait.
    pub(crate) fn lock_now(&self, exclusive: bool) -> Result<Held, Error> {
        self.lock(exclusive, self.no_deadline())
    }

    /// The token under `key`, read without changing anything: no lock taken (nor its lock file
    /// created), no directory created or narrowed, no repair. For reading the file of another
    /// program (the read-through of `token_cache=auto`, src/cache/read_through.rs), whose writers
    /// replace it atomically (sf_core and sfmfa rename a complete file over it): a reader sees the
    /// old file or the new one. A file being rewritten in place by a writer that does not rename
    /// reads as invalid JSON, which is no token. The same refusals as a read: a symbolic link, a
    /// file or directory of another user, a file group or others may read, a file over
    /// [`MAX_FILE_SIZE`]; and a directory group or others may write to.
    pub fn read_unlocked(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        if self.open_dir_as(false, false)?.is_none() {
            return Ok(None);
        }
        let Some(bytes) = self.read_bytes()? else {
            return Ok(None);
        };
        let mut doc = Document::repair(Some(&bytes));
        if doc.repaired {
            log::info!(
                "token cache file {} is not valid JSON of the v2 format (being rewritten?); no token read from it",
                self.path().display()
            );
            return Ok(None);
        }
        Ok(doc.take_token(&key.v2()))
    }

    /// The v2 keys of the MFA tokens in the file (`SnowflakeTokenCache.v2.MfaToken.…` with a
    /// non-empty string value), whichever program wrote them; never the tokens. Empty without a
    /// file. Refused like a read (a file group or others may read, a symlink, …).
    pub fn list_keys(&self) -> Result<Vec<String>, Error> {
        if self.open_dir(false)?.is_none() {
            return Ok(Vec::new());
        }
        match fs::symlink_metadata(self.path()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            _ => {}
        }
        let _lock = self.lock(false, self.no_deadline())?;
        Ok(self.read_bytes()?.map(|b| mfa_keys(&b)).unwrap_or_default())
    }

    /// Looks at the store as a read would, changing nothing: no directory is created, no mode is
    /// tightened, no lock file is created and no lock is taken (a write replaces the file by a
    /// rename, so the file read here is one whole version of it). Fails, saying why, wherever a
    /// read would: a symbolic link, a directory or file of another user, a file group or others
    /// may read, a file that is too large. For tools that only report (`sfmfa doctor`).
    pub fn probe(&self) -> Result<FileProbe, Error> {
        let dir = &self.dir;
        let meta = match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(dir_symlink_error(dir)),
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(FileProbe {
                    dir_mode: None,
                    tokens: 0,
                });
            }
            Err(e) => return Err(io_error("could not inspect the directory", dir, &e)),
        };
        check_dir(dir, &meta)?;
        let tokens = self.read_bytes()?.map_or(0, |b| mfa_keys(&b).len());
        Ok(FileProbe {
            dir_mode: Some(meta.mode() & 0o777),
            tokens,
        })
    }

    /// Removes the token stored under the v2 key `v2_key` (as [`FileCache::list_keys`] gives it),
    /// whoever wrote it. True when there was one.
    pub fn delete_v2_key(&self, v2_key: &str) -> Result<bool, Error> {
        match fs::symlink_metadata(self.path()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            _ => {}
        }
        let mut removed = false;
        self.update(self.no_deadline(), |tokens| match tokens.remove(v2_key) {
            Some(mut old) => {
                zeroize_value(&mut old);
                removed = true;
                true
            }
            None => false,
        })?;
        super::index::forget_quietly(Some(&self.dir), "file", v2_key);
        Ok(removed)
    }

    /// The `until` of a call without a deadline of the caller's (far away): the lock timeout
    /// bounds it.
    fn no_deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs(365 * 24 * 3600)
    }

    /// Removes the temporary files of writers that died between creating and renaming them. Called
    /// under the exclusive lock: writers create them only while they hold it, so any there now is
    /// a dead writer's. Only regular files of this user, named as [`FileCache::create_temp`] names
    /// them, are removed; a failure is logged, never fatal.
    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_str().is_some_and(is_temp_name) {
                continue;
            }
            let path = entry.path();
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() && meta.uid() == euid() => {
                    match fs::remove_file(&path) {
                        Ok(()) => log::info!(
                            "removed {}, left by a token cache writer that died",
                            path.display()
                        ),
                        Err(e) => log::warn!("could not remove {}: {e}", path.display()),
                    }
                }
                _ => {}
            }
        }
    }

    /// The cache file's bytes, `None` when it does not exist. Refuses a symlink, a file that is not
    /// ours, and a file group or others may read or write.
    fn read_bytes(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let path = self.path();
        let mut file = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(open_error("could not open the token cache file", &path, &e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| io_error("could not inspect the token cache file", &path, &e))?;
        check_file(&path, &meta)?;
        if meta.len() > MAX_FILE_SIZE {
            return Err(too_large(&path, &meta.len().to_string()));
        }
        let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
        let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
        // Bounded even if the file grows after the check.
        (&mut file)
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error("could not read the token cache file", &path, &e))?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(too_large(&path, &format!("at least {}", MAX_FILE_SIZE + 1)));
        }
        Ok(Some(bytes))
    }

    /// Replaces the cache file with `doc`: a new 0600 file beside it, synced, renamed over it, and
    /// the directory synced, so a reader sees the old file or the new one, never half of one.
    fn write_doc(&self, dir: &File, doc: &Document) -> Result<(), Error> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(doc.size_hint));
        serde_json::to_writer(&mut *bytes, &doc.value)
            .map_err(|e| cache_error(format!("could not encode the token cache: {e}")))?;
        let (tmp_path, mut tmp) = self.create_temp()?;
        let result = tmp
            .write_all(&bytes)
            .and_then(|()| tmp.sync_all())
            .map_err(|e| io_error("could not write", &tmp_path, &e))
            .and_then(|()| {
                fs::rename(&tmp_path, self.path()).map_err(|e| {
                    io_error("could not replace the token cache file with", &tmp_path, &e)
                })
            });
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
            return result;
        }
        dir.sync_all()
            .map_err(|e| io_error("could not sync the directory", &self.dir, &e))
    }

    /// A new, empty 0600 file with a random name in the cache directory (`O_EXCL`, so never one
    /// that someone placed there).
    fn create_temp(&self) -> Result<(PathBuf, File), Error> {
        let mut last = None;
        for _ in 0..8 {
            let path = self
                .dir
                .join(format!(".{FILE_NAME}.{:016x}.tmp", fastrand::u64(..)));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&path)
            {
                Ok(file) => {
                    // The umask cannot widen 0600, but make the mode exact anyway.
                    file.set_permissions(Permissions::from_mode(0o600))
                        .map_err(|e| io_error("could not set mode 0600 on", &path, &e))?;
                    return Ok((path, file));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(io_error("could not create", &path, &e)),
            }
        }
        let e = last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists));
        Err(io_error(
            "could not create a temporary file in",
            &self.dir,
            &e,
        ))
    }

    /// Read-modify-write under the exclusive lock. `change` returns false when nothing changed, and
    /// then the file is left as it is. A file that cannot be read (refused, too large) is not
    /// replaced: the update fails with the reason.
    fn update(
        &self,
        until: Instant,
        change: impl FnOnce(&mut Map<String, Value>) -> bool,
    ) -> Result<(), Error> {
        let Some(dir) = self.open_dir(true)? else {
            return Err(cache_error(format!(
                "the token cache directory {} could not be created",
                self.dir.display()
            )));
        };
        let _lock = self.lock(true, until)?;
        self.remove_stale_temps();
        let bytes = self.read_bytes()?;
        let existed = bytes.is_some();
        let mut doc = Document::repair(bytes.as_deref().map(|b| &b[..]));
        let changed = match doc.tokens_mut() {
            Some(tokens) => change(tokens),
            None => false,
        };
        if changed || (existed && doc.repaired) {
            self.write_doc(&dir, &doc)?;
        }
        Ok(())
    }
}

impl TokenCache for FileCache {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        self.read_until(key, self.no_deadline())
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.write_until(key, token, self.no_deadline())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.delete_until(key, self.no_deadline())
    }

    // The file is always read afresh: `read_fresh` is `read`, within the deadline too.
    fn read_fresh_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        self.read_until(key, until)
    }

    fn read_until(&self, key: &CacheKey, until: Instant) -> Result<Option<Secret>, Error> {
        // A read creates nothing: no directory, and no cache file (the lock file only once the
        // cache file exists).
        if self.open_dir(false)?.is_none() {
            return Ok(None);
        }
        match fs::symlink_metadata(self.path()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        let _lock = self.lock(false, until)?;
        let Some(bytes) = self.read_bytes()? else {
            return Ok(None);
        };
        let mut doc = Document::repair(Some(&bytes));
        if doc.repaired {
            log::warn!(
                "token cache file {} is not valid; treating it as empty until the next write",
                self.path().display()
            );
        }
        let key = key.v2();
        Ok(doc.take_token(&key))
    }

    /// Replaces the file with one holding `token` under `key` — unless the file holds that token
    /// there already: then nothing is written (no rename, no fsync, no index record).
    fn write_until(&self, key: &CacheKey, token: &Secret, until: Instant) -> Result<(), Error> {
        let v2 = key.v2();
        let mut stored = false;
        self.update(until, |tokens| {
            if tokens.get(&v2).and_then(Value::as_str) == Some(token.expose()) {
                return false;
            }
            let value = Value::String(token.expose().to_owned());
            if let Some(mut old) = tokens.insert(v2, value) {
                zeroize_value(&mut old);
            }
            stored = true;
            true
        })?;
        if stored {
            super::index::record_quietly(Some(&self.dir), "file", key);
        }
        Ok(())
    }

    fn delete_until(&self, key: &CacheKey, until: Instant) -> Result<(), Error> {
        // Nothing to delete without a file; and a delete creates nothing.
        match fs::symlink_metadata(self.path()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            _ => {}
        }
        let key = key.v2();
        self.update(until, |tokens| match tokens.remove(&key) {
            Some(mut old) => {
                zeroize_value(&mut old);
                true
            }
            None => false,
        })?;
        super::index::forget_quietly(Some(&self.dir), "file", &key);
        Ok(())
    }

    fn coordination_dir(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }

    /// `file:` and the directory: entries of the in-memory layer are never shared between two
    /// directories.
    fn identity(&self) -> String {
        let dir = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
        format!("file:{}", dir.display())
    }

    /// The cache file's device, inode, size, modification and change times (one `lstat`, no lock):
    /// every replace (a new inode), change of contents, mode or owner shows. Empty without a file.
    fn version(&self) -> StoreVersion {
        match fs::symlink_metadata(self.path()) {
            Ok(m) => StoreVersion::Is(vec![
                m.dev(),
                m.ino(),
                m.size(),
                m.mtime() as u64,
                m.mtime_nsec() as u64,
                m.ctime() as u64,
                m.ctime_nsec() as u64,
            ]),
            Err(e) if e.kind() == io::ErrorKind::NotFound => StoreVersion::Is(Vec::new()),
            Err(_) => StoreVersion::Unknown,
        }
    }

    fn name(&self) -> &'static str {
        "file"
    }
}

/// The guard of [`FileCache::lock`]: the file lock, released before this process's turn.
pub(crate) struct Held {
    _file: File,
    _turn: Turn,
}

/// True for the names [`FileCache::create_temp`] gives: `.credential_cache_v2.json.<16 hex>.tmp`.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_prefix(FILE_NAME))
        .and_then(|n| n.strip_prefix('.'))
        .and_then(|n| n.strip_suffix(".tmp"))
        .is_some_and(|hex| {
            hex.len() == 16 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
}

/// The parsed cache file. Every string in it is wiped when it is dropped: other drivers' tokens
/// pass through our memory too.
struct Document {
    value: Value,
    /// True when the file was not `{"tokens": {...}}` and was replaced by what could be kept.
    repaired: bool,
    /// Capacity for the encoded output, so the buffer is not reallocated (leaving copies).
    size_hint: usize,
}

impl Document {
    /// Parses the file's bytes, keeping what can be kept: a valid object with a bad `tokens` keeps
    /// its other keys; anything else becomes `{"tokens": {}}`.
    fn repair(bytes: Option<&[u8]>) -> Self {
        // Room for the file plus a new token (MFA tokens are a few hundred bytes).
        let size_hint = bytes.map_or(0, <[u8]>::len) + 4096;
        let mut repaired = false;
        let mut root = match bytes.map(serde_json::from_slice::<Value>) {
            Some(Ok(Value::Object(map))) => map,
            Some(Ok(mut other)) => {
                zeroize_value(&mut other);
                repaired = true;
                Map::new()
            }
            Some(Err(_)) => {
                repaired = true;
                Map::new()
            }
            None => Map::new(),
        };
        match root.get_mut("tokens") {
            Some(Value::Object(_)) => {}
            Some(other) => {
                zeroize_value(other);
                *other = Value::Object(Map::new());
                repaired = true;
            }
            None => {
                root.insert("tokens".to_owned(), Value::Object(Map::new()));
            }
        }
        Document {
            value: Value::Object(root),
            repaired,
            size_hint,
        }
    }

    fn tokens_mut(&mut self) -> Option<&mut Map<String, Value>> {
        self.value.get_mut("tokens").and_then(Value::as_object_mut)
    }

    /// Moves the token under `key` out into a [`Secret`]; `None` unless it is a non-empty string.
    fn take_token(&mut self, key: &str) -> Option<Secret> {
        match self.tokens_mut()?.get_mut(key)? {
            Value::String(s) if !s.is_empty() => Some(Secret::new(std::mem::take(s))),
            _ => None,
        }
    }
}

impl Drop for Document {
    fn drop(&mut self) {
        zeroize_value(&mut self.value);
    }
}

/// Wipes every string in `value` (object keys are v2 hashes and other drivers' key names, not
/// secrets, and cannot be borrowed mutably).
fn zeroize_value(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_value),
        Value::Object(map) => map.values_mut().for_each(zeroize_value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Opens (creating, 0600) a lock file of this user: no symlink followed, a regular file owned by the
/// effective user, its mode fixed to 0600 (a lock file holds nothing secret, so fixing it hides
/// nothing).
pub(crate) fn open_lock_file(path: &Path) -> Result<File, Error> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| open_error("could not open the lock file", path, &e))?;
    let meta = file
        .metadata()
        .map_err(|e| io_error("could not inspect the lock file", path, &e))?;
    if !meta.is_file() || meta.uid() != euid() {
        return Err(cache_error(format!(
            "the lock file {} is not a regular file of this user; refusing to use it",
            path.display()
        )));
    }
    if meta.mode() & 0o777 != 0o600 {
        file.set_permissions(Permissions::from_mode(0o600))
            .map_err(|e| io_error("could not set mode 0600 on the lock file", path, &e))?;
    }
    Ok(file)
}

/// The v2 keys of the MFA tokens in a cache file's bytes (non-empty string values), sorted.
fn mfa_keys(bytes: &[u8]) -> Vec<String> {
    let mut doc = Document::repair(Some(bytes));
    let mut keys: Vec<String> = doc
        .tokens_mut()
        .map(|tokens| {
            tokens
                .iter()
                .filter(|(k, v)| {
                    k.starts_with(super::key::MFA_TOKEN_PREFIX)
                        && v.as_str().is_some_and(|s| !s.is_empty())
                })
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Refuses a cache directory that is not a directory of this user.
fn check_dir(dir: &Path, meta: &fs::Metadata) -> Result<(), Error> {
    if !meta.is_dir() {
        return Err(not_a_directory(dir));
    }
    if meta.uid() != euid() {
        return Err(cache_error(format!(
            "the token cache directory {} is owned by uid {}, not by this user (uid {}); \
             refusing to use it. Point SF_TEMPORARY_CREDENTIAL_CACHE_DIR at a directory of your own",
            dir.display(),
            meta.uid(),
            euid()
        )));
    }
    Ok(())
}

/// Refuses a cache file that is not a regular file of ours with mode 0600 or narrower.
fn check_file(path: &Path, meta: &fs::Metadata) -> Result<(), Error> {
    if !meta.is_file() {
        return Err(cache_error(format!(
            "the token cache file {} is not a regular file; refusing to use it",
            path.display()
        )));
    }
    if meta.uid() != euid() {
        return Err(cache_error(format!(
            "the token cache file {} is owned by uid {}, not by this user (uid {}); refusing to use it. \
             Remove it",
            path.display(),
            meta.uid(),
            euid()
        )));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(cache_error(format!(
            "the token cache file {} has mode {mode:04o}: group or others may read or write it, so the \
             tokens in it may already have leaked and it is not used. Remove the file (rm '{}') and \
             log in again; it will be recreated with mode 0600",
            path.display(),
            path.display()
        ))
        .with_hint(format!("rm '{}'", path.display())));
    }
    Ok(())
}

// The one libc call of the file store: std has no geteuid.
#[allow(unsafe_code)]
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions, touches no memory of ours and cannot fail.
    unsafe { libc::geteuid() }
}

fn dir_symlink_error(dir: &Path) -> Error {
    cache_error(format!(
        "the token cache directory {} is a symbolic link; the token cache never follows one. \
         Point SF_TEMPORARY_CREDENTIAL_CACHE_DIR at the directory itself",
        dir.display()
    ))
}

fn not_a_directory(dir: &Path) -> Error {
    cache_error(format!(
        "the token cache directory {} is not a directory",
        dir.display()
    ))
}

/// The file is past [`MAX_FILE_SIZE`]: treated as corrupt, left as it is.
fn too_large(path: &Path, size: &str) -> Error {
    cache_error(format!(
        "the token cache file {} is {size} bytes, more than the limit of {MAX_FILE_SIZE} bytes; \
         it is treated as corrupt: not read, and not rewritten (entries of other programs may be \
         in it). Remove it (rm '{}') to cache tokens again",
        path.display(),
        path.display()
    ))
    .with_hint(format!("rm '{}'", path.display()))
}

fn cache_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Cache, message)
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> Error {
    cache_error(format!("token cache: {what} {}: {e}", path.display()))
}

/// An open error, with ELOOP (what O_NOFOLLOW gives for a symlink) said plainly.
fn open_error(what: &str, path: &Path, e: &io::Error) -> Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        cache_error(format!(
            "{} is a symbolic link; the token cache never follows one. Remove the link",
            path.display()
        ))
    } else {
        io_error(what, path, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            cache_dir_from(env(&[
                ("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", "/sf"),
                ("XDG_CACHE_HOME", "/xdg"),
                ("HOME", "/home/u"),
            ])),
            Some(PathBuf::from("/sf"))
        );
        assert_eq!(
            cache_dir_from(env(&[
                ("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", ""),
                ("XDG_CACHE_HOME", "/xdg"),
                ("HOME", "/home/u"),
            ])),
            Some(PathBuf::from("/xdg/snowflake"))
        );
        assert_eq!(
            cache_dir_from(env(&[("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.cache/snowflake"))
        );
        assert_eq!(cache_dir_from(env(&[])), None);
    }

    #[test]
    fn repair_keeps_what_can_be_kept() {
        let mut d = Document::repair(Some(br#"{"tokens": 3, "other": {"a": 1}}"#));
        assert!(d.repaired);
        assert_eq!(d.value["other"]["a"], 1);
        assert!(d.tokens_mut().is_some_and(|t| t.is_empty()));
        let d = Document::repair(Some(b"not json"));
        assert!(d.repaired);
        let d = Document::repair(Some(b"[1]"));
        assert!(d.repaired);
        let mut d = Document::repair(Some(br#"{"tokens": {"k": "v", "n": null}}"#));
        assert!(!d.repaired);
        assert_eq!(d.take_token("n"), None);
        assert_eq!(
            d.take_token("k").map(|s| s.expose().to_owned()),
            Some("v".into())
        );
    }
}
