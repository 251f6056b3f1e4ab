//! Which cache a configuration gets, and why it gets none.

use std::sync::Arc;

use super::memory::{Layered, MemoryCache};
use super::{CacheStatus, TokenCache};
use crate::config::{Authenticator, Config, TokenCacheChoice};

/// The cache of a client, or the reason it has none.
#[derive(Clone)]
pub(crate) enum CacheSetup {
    /// Tokens are read and stored here.
    Ready(Arc<dyn TokenCache>),
    /// No caching, on purpose: the status says which purpose, the text says more.
    Off(CacheStatus, String),
}

/// Opens the cache `config` asks for. Opening never fails a client: an unusable store becomes
/// `Off(Unavailable, reason)`.
pub(crate) fn for_config(config: &Config, explicit: Option<Arc<dyn TokenCache>>) -> CacheSetup {
    if config.authenticator() != Authenticator::UsernamePasswordMfa {
        return CacheSetup::Off(
            CacheStatus::WrongAuthenticator,
            "MFA tokens are cached only with authenticator=username_password_mfa".into(),
        );
    }
    if !config.store_temporary_credential() {
        return CacheSetup::Off(
            CacheStatus::Disabled,
            "caching is off (client_store_temporary_credential=false)".into(),
        );
    }
    if let Some(cache) = explicit {
        return CacheSetup::Ready(cache);
    }
    match config.token_cache() {
        TokenCacheChoice::None => CacheSetup::Off(
            CacheStatus::Disabled,
            format!(
                "caching is off (token_cache={})",
                TokenCacheChoice::None.as_str()
            ),
        ),
        TokenCacheChoice::Memory => CacheSetup::Ready(Arc::new(MemoryCache)),
        TokenCacheChoice::File => file_store(),
        TokenCacheChoice::Auto => match keystore(TokenCacheChoice::Keystore) {
            ready @ CacheSetup::Ready(_) => ready,
            CacheSetup::Off(_, why) => {
                log::info!("no OS keystore ({why}); using the cache file");
                file_store()
            }
        },
        choice => keystore(choice),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn keystore(choice: TokenCacheChoice) -> CacheSetup {
    use super::{Bounded, KeystoreCache, bounded};
    use std::sync::{LazyLock, Mutex};

    // Opening a keystore probes it (a D-Bus round trip for the Secret Service, ~9 ms): do it once per
    // process and choice, not once per client, so a pool of clients probes once. Only a store that
    // opened is kept; an unavailable one is probed again next time.
    type Opened = Vec<(TokenCacheChoice, Arc<dyn TokenCache>)>;
    static OPENED: LazyLock<Mutex<Opened>> = LazyLock::new(|| Mutex::new(Vec::new()));
    let Ok(mut opened) = OPENED.lock() else {
        return CacheSetup::Off(
            CacheStatus::Unavailable,
            "the keystore registry lock is poisoned".into(),
        );
    };
    if let Some((_, store)) = opened.iter().find(|(c, _)| *c == choice) {
        return CacheSetup::Ready(Arc::clone(store));
    }
    let store = match choice {
        #[cfg(target_os = "linux")]
        TokenCacheChoice::SecretService => KeystoreCache::secret_service(),
        #[cfg(target_os = "linux")]
        TokenCacheChoice::Keyutils => KeystoreCache::keyutils(),
        #[cfg(not(target_os = "linux"))]
        TokenCacheChoice::SecretService | TokenCacheChoice::Keyutils => {
            return CacheSetup::Off(
                CacheStatus::Unavailable,
                "token_cache=secret-service and token_cache=keyutils exist on Linux only; \
                 token_cache=keystore uses this OS's keystore"
                    .into(),
            );
        }
        _ => KeystoreCache::os_default(),
    };
    match store {
        Ok(store) => {
            // A keystore call can block on an unlock or access prompt: never longer than the bound.
            let bounded = Bounded::new(Arc::new(store), bounded::DEFAULT_LIMIT);
            let store: Arc<dyn TokenCache> = Arc::new(Layered::new(Arc::new(bounded)));
            opened.push((choice, Arc::clone(&store)));
            CacheSetup::Ready(store)
        }
        Err(e) => CacheSetup::Off(
            CacheStatus::Unavailable,
            format!("the OS keystore is unavailable: {}", e.message()),
        ),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn keystore(_choice: TokenCacheChoice) -> CacheSetup {
    CacheSetup::Off(
        CacheStatus::Unavailable,
        "sfmfa knows no OS keystore on this platform".into(),
    )
}

#[cfg(unix)]
fn file_store() -> CacheSetup {
    match super::FileCache::new() {
        Ok(file) => CacheSetup::Ready(Arc::new(Layered::new(Arc::new(file)))),
        Err(e) => CacheSetup::Off(
            CacheStatus::Unavailable,
            format!("the file cache is unavailable: {}", e.message()),
        ),
    }
}

#[cfg(not(unix))]
fn file_store() -> CacheSetup {
    CacheSetup::Off(
        CacheStatus::Unavailable,
        "the file cache is available on Unix only".into(),
    )
}
