//! The OS keystore backends: the freedesktop Secret Service (over D-Bus) and the kernel keyutils
//! persistent keyring, through keyring-core and one store crate each.
//!
//! A token is stored under service [`SERVICE`] (`snowflake_credential_cache`) and user = the v2 key
//! ([`CacheKey::v2`]): the names Snowflake's newer drivers use with their keyring libraries, so a
//! token one of them cached is one sfmfa can use, and the reverse. In the Secret Service the item
//! carries the attributes `service` and `username`, as `secret-tool` and libsecret clients expect.
//!
//! Each [`KeystoreCache`] holds its own store object (keyring-core's process-global default store
//! is never set), so several backends can live in one process.
//!
//! keyutils needs a real session keyring. A process started without a PAM login has only the
//! per-user "user-session" keyring, and the store then fails with "access denied" (the kernel
//! silently moves the thread to a new session keyring halfway through the store's own calls).
//! So every keyutils operation first makes the *calling thread* join a session keyring if it has
//! only the user-session one: a no-op on a desktop login, one system call otherwise. It is per
//! thread, because threads that existed before any join (thread pools, JVM threads) do not
//! inherit it. Keys are linked into the per-user persistent keyring, so they outlive the process
//! (until reboot, or 3 days without access by default).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroize;

use super::{CacheKey, TokenCache};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The keyring service name of Snowflake's cross-driver token cache.
pub const SERVICE: &str = "snowflake_credential_cache";

/// The well-known D-Bus name of the Secret Service.
const SECRETS_BUS_NAME: &str = "org.freedesktop.secrets";

/// How long the reachability probe waits for the D-Bus daemon to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Which store a [`KeystoreCache`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    SecretService,
    Keyutils,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keyutils => "keyutils",
        }
    }

    /// The store's name in messages for a person.
    fn label(self) -> &'static str {
        match self {
            Backend::SecretService => "the Secret Service",
            Backend::Keyutils => "the kernel keyutils keyring",
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
    /// The Secret Service (gnome-keyring, KWallet…) on the D-Bus session bus.
    ///
    /// Fails, saying why, when there is no session bus, no Secret Service on it (neither running
    /// nor activatable), no default collection, or the default collection is locked (an unlock
    /// would need a prompt, which a login must not wait for).
    pub fn secret_service() -> Result<Self, Error> {
        Self::open_secret_service(false)
    }

    /// The kernel keyutils keyring: keys in the calling thread's session keyring, linked into the
    /// per-user persistent keyring so other processes of the user find them.
    ///
    /// Fails when keyutils cannot be used here (system calls refused, no persistent keyring).
    pub fn keyutils() -> Result<Self, Error> {
        probe_keyutils()?;
        let store = linux_keyutils_keyring_store::Store::new()
            .map_err(|e| store_error(Backend::Keyutils, "could not open", e))?;
        Ok(KeystoreCache {
            store,
            backend: Backend::Keyutils,
        })
    }

    /// The Secret Service when one is running now and usable (it is probed; a Secret Service that
    /// D-Bus would have to start is not started), else keyutils. [`KeystoreCache::backend`] says
    /// which. When neither works, the error gives both reasons.
    pub fn os_default() -> Result<Self, Error> {
        let secret_service = match Self::open_secret_service(true) {
            Ok(cache) => return Ok(cache),
            Err(e) => e,
        };
        Self::keyutils().map_err(|e| {
            cache_error(format!(
                "no OS keystore: {}; {}",
                secret_service.message(),
                e.message()
            ))
        })
    }

    /// The backend in use: `"secret-service"` or `"keyutils"`.
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    fn open_secret_service(require_running: bool) -> Result<Self, Error> {
        probe_secret_service(require_running)?;
        let store = dbus_secret_service_keyring_store::Store::new()
            .map_err(|e| store_error(Backend::SecretService, "could not open", e))?;
        Ok(KeystoreCache {
            store,
            backend: Backend::SecretService,
        })
    }

    /// The entry of `key`, built from this cache's own store on the calling thread.
    fn entry(&self, key: &CacheKey) -> Result<Entry, Error> {
        if self.backend == Backend::Keyutils {
            join_session_keyring()?;
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
            .map_err(|e| store_error(self.backend, "could not store the token in", e))
    }

    fn delete(&self, key: &CacheKey) -> Result<(), Error> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(store_error(
                self.backend,
                "could not remove the token from",
                e,
            )),
        }
    }

    fn name(&self) -> &'static str {
        self.backend.name()
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
        keyring_core::Error::NoStorageAccess(e) => match backend {
            Backend::Keyutils => {
                format!("access denied ({e}); the thread could not use a session keyring")
            }
            Backend::SecretService => format!(
                "access refused ({e}); the collection is locked or the unlock prompt was dismissed"
            ),
        },
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

/// Makes the calling thread join a session keyring if it has only the per-user "user-session" one
/// (asking for the session keyring with "create" does exactly that; with a real session keyring
/// it just returns it).
fn join_session_keyring() -> Result<(), Error> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    KeyRing::from_special_id(KeyRingIdentifier::Session, true)
        .map(drop)
        .map_err(|e| {
            cache_error(format!(
                "the kernel keyutils keyring is unavailable: this thread could not join a session \
                 keyring ({e:?})"
            ))
        })
}

/// Checks that keyutils works here: a session keyring, the persistent keyring (without it a token
/// would not outlive the thread's session), and a search that is allowed.
fn probe_keyutils() -> Result<(), Error> {
    use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};
    join_session_keyring()?;
    let unavailable = |what: &str, e: KeyError| {
        cache_error(format!(
            "the kernel keyutils keyring is unavailable: {what} ({e:?})"
        ))
    };
    let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
        .map_err(|e| unavailable("no session keyring", e))?;
    KeyRing::get_persistent(KeyRingIdentifier::Session).map_err(|e| {
        unavailable(
            "no persistent keyring (kernel without CONFIG_PERSISTENT_KEYRINGS, or keyctl refused)",
            e,
        )
    })?;
    match session.search(&format!("keyring:sfmfa-probe@{SERVICE}")) {
        Ok(_) | Err(KeyError::KeyDoesNotExist) => Ok(()),
        Err(e @ (KeyError::AccessDenied | KeyError::PermissionDenied)) => {
            Err(unavailable("access denied to the session keyring", e))
        }
        Err(e) => Err(unavailable("a search of the session keyring failed", e)),
    }
}

/// Checks, without prompting and without starting anything, that the Secret Service can store a
/// token now. With `require_running`, a Secret Service that D-Bus could activate but that is not
/// running counts as unavailable.
fn probe_secret_service(require_running: bool) -> Result<(), Error> {
    use dbus_secret_service::{EncryptionType, SecretService};

    let unavailable =
        |why: String| cache_error(format!("the Secret Service is unavailable: {why}"));

    // libdbus would otherwise try to autolaunch a bus daemon (with X11) or fail obscurely.
    let address = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|a| !a.is_empty());
    if address.is_none() {
        let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|d| !d.is_empty())
            .map(|d| std::path::PathBuf::from(d).join("bus"));
        if !runtime_bus.is_some_and(|bus| bus.exists()) {
            return Err(unavailable(
                "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no \
                 $XDG_RUNTIME_DIR/bus)"
                    .into(),
            ));
        }
    }

    let connection = dbus::blocking::Connection::new_session()
        .map_err(|e| unavailable(format!("cannot connect to the D-Bus session bus ({e})")))?;
    if require_running {
        let bus = connection.with_proxy(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            PROBE_TIMEOUT,
        );
        let (owned,): (bool,) = bus
            .method_call("org.freedesktop.DBus", "NameHasOwner", (SECRETS_BUS_NAME,))
            .map_err(|e| unavailable(format!("the D-Bus session bus does not answer ({e})")))?;
        if !owned {
            return Err(unavailable(format!(
                "no Secret Service is running (nothing owns {SECRETS_BUS_NAME} on the session bus)"
            )));
        }
    }
    drop(connection);

    // A plain (unencrypted) session: no key exchange, and no secret crosses it here.
    let service = SecretService::connect(EncryptionType::Plain).map_err(|e| {
        unavailable(match &e {
            dbus_secret_service::Error::Dbus(d)
                if d.name() == Some("org.freedesktop.DBus.Error.ServiceUnknown") =>
            {
                format!("no Secret Service on the session bus ({SECRETS_BUS_NAME} is neither running nor activatable)")
            }
            _ => format!("cannot open a Secret Service session ({e})"),
        })
    })?;
    let collection = service.get_default_collection().map_err(|e| {
        unavailable(format!(
            "no default collection (no login keyring has been created and unlocked) ({e})"
        ))
    })?;
    match collection.is_locked() {
        Ok(false) => Ok(()),
        Ok(true) => Err(unavailable(
            "the default collection is locked; unlock it (log in to the desktop, or run \
             gnome-keyring-daemon --unlock) and retry"
                .into(),
        )),
        Err(e) => Err(unavailable(format!(
            "the default collection cannot be used (no login keyring has been created and \
             unlocked) ({e})"
        ))),
    }
}
