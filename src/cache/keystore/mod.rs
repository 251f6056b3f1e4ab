//! The OS keystore backends, through keyring-core and one store crate each: on Linux the
//! freedesktop Secret Service (over D-Bus) and the kernel keyutils persistent keyring (`linux`), on
//! macOS the login Keychain (`apple`), on Windows the Credential Manager (`windows`).
//!
//! A token is stored under service [`SERVICE`] (`snowflake_credential_cache`) and user = the v2 key
//! ([`CacheKey::v2`]): the names Snowflake's newer drivers use with their keyring libraries, so a
//! token one of them cached is one sfmfa can use, and the reverse. In the Secret Service the item
//! carries the attributes `service` and `username`, as `secret-tool` and libsecret clients expect;
//! in the Keychain it is a generic password (service, account); in the Credential Manager a generic
//! credential whose target is `<key>.snowflake_credential_cache`, the layout of the `keyring` crate
//! those drivers use.
//!
//! Each [`KeystoreCache`] holds its own store object (keyring-core's process-global default store
//! is never set), so several backends can live in one process.

#[cfg(target_os = "macos")]
mod apple;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "windows")]
mod windows;

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroize;

use super::{CacheKey, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The keyring service name of Snowflake's cross-driver token cache.
pub const SERVICE: &str = "snowflake_credential_cache";

/// Which store a [`KeystoreCache`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    #[cfg(target_os = "linux")]
    SecretService,
    #[cfg(target_os = "linux")]
    Keyutils,
    #[cfg(target_os = "macos")]
    Keychain,
    #[cfg(target_os = "windows")]
    CredentialManager,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService => "secret-service",
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "keyutils",
            #[cfg(target_os = "macos")]
            Backend::Keychain => "keychain",
            #[cfg(target_os = "windows")]
            Backend::CredentialManager => "credential-manager",
        }
    }

    /// The store's name in messages for a person.
    fn label(self) -> &'static str {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService => "the Secret Service",
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "the kernel keyutils keyring",
            #[cfg(target_os = "macos")]
            Backend::Keychain => "the login Keychain",
            #[cfg(target_os = "windows")]
            Backend::CredentialManager => "the Windows Credential Manager",
        }
    }

    /// Why the store refused access, in words for this store.
    fn access_refused(self) -> &'static str {
        match self {
            #[cfg(target_os = "linux")]
            Backend::SecretService => "the collection is locked or the unlock prompt was dismissed",
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "the thread could not use a session keyring",
            #[cfg(target_os = "macos")]
            Backend::Keychain => "the Keychain is locked or access to the item was denied",
            #[cfg(target_os = "windows")]
            Backend::CredentialManager => "the Credential Manager refused access",
        }
    }
}

/// MFA tokens in an OS keystore, shared with Snowflake's newer drivers. Safe to share between
/// threads; each call talks to the store (put a memory layer in front to read it once).
#[derive(Clone)]
pub struct KeystoreCache {
    store: Arc<CredentialStore>,
    backend: Backend,
}

impl fmt::Debug for KeystoreCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeystoreCache")
            .field("backend", &self.backend.name())
            .finish_non_exhaustive()
    }
}

impl KeystoreCache {
    /// The usual keystore of this OS: the login Keychain on macOS, the Credential Manager on
    /// Windows; on Linux the Secret Service when one is running now and usable (it is probed; a
    /// Secret Service that D-Bus would have to start is not started), else keyutils.
    /// [`KeystoreCache::backend`] says which. When none works, the error gives the reasons.
    pub fn os_default() -> Result<Self, Error> {
        #[cfg(target_os = "linux")]
        return linux::os_default();
        #[cfg(target_os = "macos")]
        return apple::keychain();
        #[cfg(target_os = "windows")]
        return windows::credential_manager();
    }

    /// The backend in use: `"secret-service"`, `"keyutils"`, `"keychain"` or
    /// `"credential-manager"`.
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    /// Removes the token stored under the v2 key `v2_key` (as [`KeystoreCache::list_keys`] gives
    /// it), whoever wrote it. True when there was one.
    pub fn delete_v2_key(&self, v2_key: &str) -> Result<bool, Error> {
        let removed = match self.entry_v2(v2_key)?.delete_credential() {
            Ok(()) => true,
            Err(keyring_core::Error::NoEntry) => false,
            Err(e) => {
                return Err(store_error(
                    self.backend,
                    "could not remove the token from",
                    e,
                ));
            }
        };
        #[cfg(unix)] // the index is a file beside the cache file (unix only)
        super::index::forget_quietly(
            self.coordination_dir().as_deref(),
            self.backend.name(),
            v2_key,
        );
        Ok(removed)
    }

    /// The v2 keys of the MFA tokens under service [`SERVICE`] in this store, whichever program
    /// wrote them; never the tokens. keyutils: the keys linked into the user's persistent keyring
    /// and the thread's session keyring; the Secret Service: a search by the `service` attribute;
    /// the Credential Manager: its generic credentials whose target ends in `.` [`SERVICE`].
    pub fn list_keys(&self) -> Result<Vec<String>, Error> {
        let mut keys = match self.backend {
            #[cfg(target_os = "linux")]
            Backend::Keyutils => linux::list_keyutils()?,
            #[cfg(target_os = "windows")]
            Backend::CredentialManager => windows::list_keys(&*self.store)?,
            #[allow(unreachable_patterns)]
            _ => self.search_keys()?,
        };
        keys.retain(|k| k.starts_with(super::key::MFA_TOKEN_PREFIX));
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// The users of the entries of service [`SERVICE`], through the store's search.
    fn search_keys(&self) -> Result<Vec<String>, Error> {
        let spec = std::collections::HashMap::from([("service", SERVICE)]);
        let entries = self
            .store
            .search(&spec)
            .map_err(|e| store_error(self.backend, "could not list the tokens in", e))?;
        Ok(entries
            .iter()
            .filter_map(|e| {
                e.get_specifiers().map(|(_, user)| user).or_else(|| {
                    e.get_attributes()
                        .ok()
                        .and_then(|mut a| a.remove("username"))
                })
            })
            .collect())
    }

    /// The entry of the v2 key `v2_key`, built from this cache's own store on the calling thread.
    fn entry_v2(&self, v2_key: &str) -> Result<Entry, Error> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            linux::join_session_keyring()?;
        }
        self.store
            .build(SERVICE, v2_key, None)
            .map_err(|e| store_error(self.backend, "could not address the token in", e))
    }

    /// The entry of `key`, built from this cache's own store on the calling thread.
    fn entry(&self, key: &CacheKey) -> Result<Entry, Error> {
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            linux::join_session_keyring()?;
        }
        self.store
            .build(SERVICE, &key.v2(), None)
            .map_err(|e| store_error(self.backend, "could not address the token in", e))
    }
}

impl TokenCache for KeystoreCache {
    fn read(&self, key: &CacheKey) -> Result<Option<Secret>, Error> {
        match self.entry(key)?.get_password() {
            Ok(token) => Ok(Some(Secret::new(token))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(store_error(
                self.backend,
                "could not read the token from",
                e,
            )),
        }
    }

    fn write(&self, key: &CacheKey, token: &Secret) -> Result<(), Error> {
        self.entry(key)?
            .set_password(token.expose())
            .map_err(|e| store_error(self.backend, "could not store the token in", e))?;
        // The index lives beside the cache file, the directory the user's processes share.
        #[cfg(unix)]
        super::index::record_quietly(self.coordination_dir().as_deref(), self.backend.name(), key);
        Ok(())
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        self.delete_v2_key(&key.v2()).map(drop)
    }

    fn name(&self) -> &'static str {
        self.backend.name()
    }

    /// The backend and the service: the in-memory layer keeps each keystore's entries apart.
    fn identity(&self) -> String {
        format!("keystore:{}:{SERVICE}", self.backend.name())
    }

    /// The directory of the token cache file: the keystore is shared by the user's processes.
    fn coordination_dir(&self) -> Option<std::path::PathBuf> {
        #[cfg(unix)]
        return super::file::cache_dir_from(|name| std::env::var_os(name));
        #[cfg(not(unix))]
        return None;
    }
}

fn cache_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Cache, message)
}

/// A store failure as a cache error. The store's error can hold secret bytes (a token that is not
/// UTF-8): those are wiped and never shown.
fn store_error(backend: Backend, doing: &str, error: keyring_core::Error) -> Error {
    let store = backend.label();
    let why = match error {
        keyring_core::Error::NoStorageAccess(e) => {
            format!("access refused ({e}); {}", backend.access_refused())
        }
        keyring_core::Error::PlatformFailure(e) => format!("the store failed: {e}"),
        keyring_core::Error::BadEncoding(mut bytes) => {
            bytes.zeroize();
            "the stored token is not UTF-8".to_owned()
        }
        keyring_core::Error::BadDataFormat(mut bytes, _) => {
            bytes.zeroize();
            "the stored token is malformed".to_owned()
        }
        keyring_core::Error::Ambiguous(entries) => format!(
            "{} items match the key; remove the duplicates",
            entries.len()
        ),
        other => other.to_string(),
    };
    cache_error(format!("{doing} {store}: {why}"))
}
