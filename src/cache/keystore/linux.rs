//! Linux keystores: the Secret Service over D-Bus, and the kernel keyutils persistent keyring.
//!
//! keyutils needs a real session keyring. A process started without a PAM login has only the
//! per-user "user-session" keyring, and the store then fails with "access denied" (the kernel
//! silently moves the thread to a new session keyring halfway through the store's own calls).
//! So every keyutils operation first makes the *calling thread* join a session keyring if it has
//! only the user-session one: a no-op on a desktop login, one system call otherwise. It is per
//! thread, because threads that existed before any join (thread pools, JVM threads) do not
//! inherit it. Keys are linked into the per-user persistent keyring, so they outlive the process
//! (until reboot, or 3 days without access by default).

use std::time::Duration;

use super::{Backend, KeystoreCache, SERVICE, cache_error, store_error};
use crate::error::Error;

/// The well-known D-Bus name of the Secret Service.
const SECRETS_BUS_NAME: &str = "org.freedesktop.secrets";

/// How long the reachability probe waits for the D-Bus daemon to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

impl KeystoreCache {
    /// The Secret Service (gnome-keyring, KWallet…) on the D-Bus session bus.
    ///
    /// Fails, saying why, when there is no session bus, no Secret Service on it (neither running
    /// nor activatable), no default collection, or the default collection is locked (an unlock
    /// would need a prompt, which a login must not wait for).
    pub fn secret_service() -> Result<Self, Error> {
        open_secret_service(false)
    }

    /// [`KeystoreCache::secret_service`], but only when a Secret Service is running now: one that
    /// D-Bus could start on demand is not started (as [`KeystoreCache::os_default`] chooses). For
    /// tools that look without changing anything (`sfmfa cache`, `sfmfa doctor`).
    pub fn secret_service_running() -> Result<Self, Error> {
        open_secret_service(true)
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
}

/// The Secret Service when one is running now and usable, else keyutils; both reasons when
/// neither works.
pub(super) fn os_default() -> Result<KeystoreCache, Error> {
    let secret_service = match open_secret_service(true) {
        Ok(cache) => return Ok(cache),
        Err(e) => e,
    };
    KeystoreCache::keyutils().map_err(|e| {
        cache_error(format!(
            "no OS keystore: {}; {}",
            secret_service.message(),
            e.message()
        ))
    })
}

fn open_secret_service(require_running: bool) -> Result<KeystoreCache, Error> {
    probe_secret_service(require_running)?;
    let store = dbus_secret_service_keyring_store::Store::new()
        .map_err(|e| store_error(Backend::SecretService, "could not open", e))?;
    Ok(KeystoreCache {
        store,
        backend: Backend::SecretService,
    })
}

/// Makes the calling thread join a session keyring if it has only the per-user "user-session" one
/// (asking for the session keyring with "create" does exactly that; with a real session keyring
/// it just returns it).
pub(super) fn join_session_keyring() -> Result<(), Error> {
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

/// The v2 keys in keyutils: the users of the `user` keys described as linux-keyutils-keyring-store
/// describes them (`keyring:<user>@<service>`) with service [`SERVICE`], linked into the user's
/// persistent keyring or the thread's session keyring.
pub(super) fn list_keyutils() -> Result<Vec<String>, Error> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier, KeyType};
    join_session_keyring()?;
    let suffix = format!("@{SERVICE}");
    let mut keys = Vec::new();
    let mut rings = Vec::new();
    if let Ok(persistent) = KeyRing::get_persistent(KeyRingIdentifier::Session) {
        rings.push(persistent);
    }
    let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(|e| {
        cache_error(format!(
            "the kernel keyutils keyring is unavailable: no session keyring ({e:?})"
        ))
    })?;
    rings.push(session);
    for ring in rings {
        let links = ring.get_links(4096).map_err(|e| {
            cache_error(format!(
                "could not list the kernel keyutils keyring ({e:?})"
            ))
        })?;
        for node in links.iter() {
            let Some(key) = node.as_key() else { continue };
            let Ok(meta) = key.metadata() else { continue };
            if meta.get_type() != KeyType::User {
                continue;
            }
            if let Some(user) = meta
                .get_description()
                .strip_prefix("keyring:")
                .and_then(|d| d.strip_suffix(suffix.as_str()))
            {
                keys.push(user.to_owned());
            }
        }
    }
    Ok(keys)
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
    // The fix of each cause, as the error's hint (`sfmfa doctor` shows it).
    const START_BUS: &str = "run in a desktop session, or start a session bus with a keyring \
        daemon (dbus-run-session -- $SHELL, then gnome-keyring-daemon --unlock --components=secrets \
        with the keyring password on stdin); otherwise keyutils or the file is used";
    const START_SERVICE: &str = "start the keyring daemon: log in to the desktop, or run \
        gnome-keyring-daemon --unlock --components=secrets with the keyring password on stdin \
        (or open KWallet); otherwise keyutils or the file is used";
    const INSTALL_LIBDBUS: &str = "install the D-Bus library (Debian/Ubuntu: apt-get install \
        libdbus-1-3; Fedora: dnf install dbus-libs); otherwise keyutils or the file is used";
    const UNLOCK: &str = "unlock the default collection (the login keyring): in a desktop session \
        open Passwords and Keys (seahorse) or KWallet Manager and unlock it; without a desktop, \
        restart the daemon unlocked: gnome-keyring-daemon --replace --unlock --components=secrets \
        with the keyring password on stdin";

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
            )
            .with_hint(START_BUS));
        }
    }

    // libdbus is opened here, not linked (libdbus-sys/): a machine without it has no Secret
    // Service to reach, and the library still loads for the other stores.
    libdbus_sys::load().map_err(|e| {
        unavailable(format!(
            "libdbus ({}) cannot be loaded: {e}",
            libdbus_sys::LIBRARY_NAME
        ))
        .with_hint(INSTALL_LIBDBUS)
    })?;
    let connection = dbus::blocking::Connection::new_session().map_err(|e| {
        unavailable(format!("cannot connect to the D-Bus session bus ({e})")).with_hint(START_BUS)
    })?;
    if require_running {
        let bus = connection.with_proxy(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            PROBE_TIMEOUT,
        );
        let (owned,): (bool,) = bus
            .method_call("org.freedesktop.DBus", "NameHasOwner", (SECRETS_BUS_NAME,))
            .map_err(|e| {
                unavailable(format!("the D-Bus session bus does not answer ({e})"))
                    .with_hint(START_BUS)
            })?;
        if !owned {
            return Err(unavailable(format!(
                "no Secret Service is running (nothing owns {SECRETS_BUS_NAME} on the session bus)"
            ))
            .with_hint(START_SERVICE));
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
        .with_hint(START_SERVICE)
    })?;
    let collection = service.get_default_collection().map_err(|e| {
        unavailable(format!(
            "no default collection (no login keyring has been created and unlocked) ({e})"
        ))
        .with_hint(START_SERVICE)
    })?;
    match collection.is_locked() {
        Ok(false) => Ok(()),
        Ok(true) => Err(unavailable(
            "the default collection is locked (an unlock needs a prompt, which sfmfa never \
             waits for); unlock it and retry"
                .into(),
        )
        .with_hint(UNLOCK)),
        Err(e) => Err(unavailable(format!(
            "the default collection cannot be used (no login keyring has been created and \
             unlocked) ({e})"
        ))
        .with_hint(START_SERVICE)),
    }
}
