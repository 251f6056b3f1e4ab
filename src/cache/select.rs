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

/// The environment variable with which an administrator turns MFA-token caching off or picks the
/// store for every program on a machine that uses sfmfa (`none`, or one of the words of
/// `token_cache`).
pub const ADMIN_VARIABLE: &str = "SFMFA_TOKEN_CACHE";

/// What the administrator's variable says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Admin {
    /// Not set (or empty): the application decides.
    Unset,
    /// Caching off, with the sentence of the report.
    Off(String),
    /// This store, unless the application keeps tokens in fewer places.
    Store(TokenCacheChoice),
}

impl Admin {
    fn read(value: Option<&std::ffi::OsStr>) -> Admin {
        let Some(value) = value else {
            return Admin::Unset;
        };
        let word = value.to_str().map(str::trim);
        match word {
            Some("") => Admin::Unset,
            Some(word) => match TokenCacheChoice::parse(word) {
                Some(TokenCacheChoice::None) => {
                    Admin::Off(format!("caching is off: {ADMIN_VARIABLE}=none"))
                }
                Some(choice) => Admin::Store(choice),
                None => Admin::Off(unknown_admin_value()),
            },
            None => Admin::Off(unknown_admin_value()),
        }
    }
}

/// The report of an unreadable administrator's switch: caching is off (a switch meant to turn it
/// off must not turn it on by a typo). The value is not repeated (it could be anything).
fn unknown_admin_value() -> String {
    format!(
        "caching is off: {ADMIN_VARIABLE} is set to a value that is not one of {}; an administrator's \
         switch that cannot be read turns caching off",
        TokenCacheChoice::WORDS.join(", ")
    )
}

/// Opens the cache `config` asks for, under the administrator's [`ADMIN_VARIABLE`]. Opening never
/// fails a client: an unusable store becomes `Off(Unavailable, reason)`.
pub(crate) fn for_config(config: &Config, explicit: Option<Arc<dyn TokenCache>>) -> CacheSetup {
    let admin = Admin::read(std::env::var_os(ADMIN_VARIABLE).as_deref());
    for_config_with(config, explicit, &admin)
}

/// [`for_config`] with the administrator's switch given. The precedence (README, "MFA token
/// caching"): whichever of the administrator and the application keeps tokens in fewer places wins
/// — none, then this process's memory, then a persistent store; between two persistent stores the
/// administrator's wins, except over a store the application supplies itself.
fn for_config_with(
    config: &Config,
    explicit: Option<Arc<dyn TokenCache>>,
    admin: &Admin,
) -> CacheSetup {
    if config.authenticator() != Authenticator::UsernamePasswordMfa {
        return CacheSetup::Off(
            CacheStatus::WrongAuthenticator,
            "MFA tokens are cached only with authenticator=username_password_mfa".into(),
        );
    }
    // The administrator turned caching off: over every choice of the application.
    if let Admin::Off(why) = admin {
        return CacheSetup::Off(CacheStatus::Disabled, why.clone());
    }
    // The application turned it off: the administrator's variable never turns it on.
    if !config.store_temporary_credential() {
        return CacheSetup::Off(
            CacheStatus::Disabled,
            "caching is off (client_store_temporary_credential=false)".into(),
        );
    }
    if config.token_cache() == TokenCacheChoice::None {
        return CacheSetup::Off(
            CacheStatus::Disabled,
            format!(
                "caching is off (token_cache={})",
                TokenCacheChoice::None.as_str()
            ),
        );
    }
    // This process only: the administrator's `memory` over every store of the application, the
    // application's `memory` over every store of the administrator.
    if *admin == Admin::Store(TokenCacheChoice::Memory) {
        if explicit.is_some() {
            log::info!("{ADMIN_VARIABLE}=memory: the application's own token store is not used");
        }
        return CacheSetup::Ready(Arc::new(MemoryCache));
    }
    if let Some(cache) = explicit {
        return CacheSetup::Ready(cache);
    }
    let choice = match admin {
        Admin::Store(choice) if config.token_cache() != TokenCacheChoice::Memory => {
            if *choice != config.token_cache() {
                log::info!(
                    "{ADMIN_VARIABLE}={} replaces token_cache={}",
                    choice.as_str(),
                    config.token_cache().as_str()
                );
            }
            *choice
        }
        _ => config.token_cache(),
    };
    match choice {
        TokenCacheChoice::None => CacheSetup::Off(
            CacheStatus::Disabled,
            format!(
                "caching is off (token_cache={})",
                TokenCacheChoice::None.as_str()
            ),
        ),
        TokenCacheChoice::Memory => CacheSetup::Ready(Arc::new(MemoryCache)),
        TokenCacheChoice::File => file_store(config),
        TokenCacheChoice::Auto => match keystore(TokenCacheChoice::Keystore) {
            CacheSetup::Ready(store) => read_through(store, config),
            CacheSetup::Off(_, why) => {
                log::info!("no OS keystore ({why}); using the cache file");
                file_store(config)
            }
        },
        choice => keystore(choice),
    }
}

/// `auto`'s keystore, reading the v2 file too when the keystore has no token
/// (src/cache/read_through.rs).
#[cfg(unix)]
fn read_through(store: Arc<dyn TokenCache>, config: &Config) -> CacheSetup {
    match file_cache(config) {
        Some(file) => {
            CacheSetup::Ready(Arc::new(super::read_through::ReadThrough::new(store, file)))
        }
        None => CacheSetup::Ready(store),
    }
}

#[cfg(not(unix))]
fn read_through(store: Arc<dyn TokenCache>, _config: &Config) -> CacheSetup {
    CacheSetup::Ready(store)
}

/// The file store of `config`: in `credential_cache_dir` when set, else where the environment
/// says (`None` when it says nowhere).
#[cfg(unix)]
fn file_cache(config: &Config) -> Option<super::FileCache> {
    match config.credential_cache_dir() {
        Some(dir) => Some(super::FileCache::in_dir(dir)),
        None => super::FileCache::new().ok(),
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
            // keyutils calls are system calls that wait on nothing outside the kernel (no prompt,
            // no daemon): they run on the caller's thread, which starts no thread per call. The
            // other keystores can block on an unlock or access prompt: never longer than the
            // bound (src/cache/bounded.rs).
            let direct = store.backend() == "keyutils";
            let store: Arc<dyn TokenCache> = Arc::new(store);
            let store: Arc<dyn TokenCache> = if direct {
                store
            } else {
                Arc::new(Bounded::new(store, bounded::DEFAULT_LIMIT))
            };
            let store: Arc<dyn TokenCache> = Arc::new(Layered::new(store));
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
fn file_store(config: &Config) -> CacheSetup {
    let file = match config.credential_cache_dir() {
        Some(dir) => Ok(super::FileCache::in_dir(dir)),
        None => super::FileCache::new(),
    };
    match file {
        Ok(file) => CacheSetup::Ready(Arc::new(Layered::new(Arc::new(file)))),
        Err(e) => CacheSetup::Off(
            CacheStatus::Unavailable,
            format!("the file cache is unavailable: {}", e.message()),
        ),
    }
}

#[cfg(not(unix))]
fn file_store(_config: &Config) -> CacheSetup {
    CacheSetup::Off(
        CacheStatus::Unavailable,
        "the file cache is available on Unix only".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn mfa(pairs: &[(&str, &str)]) -> Config {
        let mut c = Config::new();
        c.set("authenticator", "username_password_mfa").unwrap();
        c.set("client_store_temporary_credential", "on").unwrap();
        // Nothing is created until a write, and these tests write nothing.
        c.set("credential_cache_dir", "/nonexistent/sfmfa-select-test")
            .unwrap();
        for (k, v) in pairs {
            c.set(k, v).unwrap();
        }
        c
    }

    /// The store's name, or the status and the sentence of the report.
    fn outcome(setup: CacheSetup) -> Result<&'static str, (CacheStatus, String)> {
        match setup {
            CacheSetup::Ready(store) => Ok(store.name()),
            CacheSetup::Off(status, why) => Err((status, why)),
        }
    }

    fn with(
        admin: &Admin,
        pairs: &[(&str, &str)],
        explicit: bool,
    ) -> Result<&'static str, (CacheStatus, String)> {
        let explicit: Option<Arc<dyn TokenCache>> = explicit.then(|| Arc::new(MemoryCache) as _);
        outcome(for_config_with(&mfa(pairs), explicit, admin))
    }

    #[test]
    fn the_variable_is_read_as_a_word_and_anything_else_turns_caching_off() {
        assert_eq!(Admin::read(None), Admin::Unset);
        assert_eq!(Admin::read(Some(OsStr::new(""))), Admin::Unset);
        assert_eq!(
            Admin::read(Some(OsStr::new("NONE"))),
            Admin::Off("caching is off: SFMFA_TOKEN_CACHE=none".into())
        );
        assert_eq!(
            Admin::read(Some(OsStr::new(" file "))),
            Admin::Store(TokenCacheChoice::File)
        );
        let Admin::Off(why) = Admin::read(Some(OsStr::new("off-please"))) else {
            panic!("an unknown word must turn caching off");
        };
        assert!(
            why.starts_with("caching is off: SFMFA_TOKEN_CACHE"),
            "{why}"
        );
        assert!(
            !why.contains("off-please"),
            "the value is not repeated: {why}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            assert!(matches!(
                Admin::read(Some(OsStr::from_bytes(b"\xff"))),
                Admin::Off(_)
            ));
        }
    }

    #[test]
    fn the_administrators_none_wins_over_everything_the_application_chooses() {
        let off = Admin::Off("caching is off: SFMFA_TOKEN_CACHE=none".into());
        for pairs in [
            &[][..],
            &[("token_cache", "memory")],
            &[("token_cache", "file")],
        ] {
            for explicit in [false, true] {
                assert_eq!(
                    with(&off, pairs, explicit),
                    Err((
                        CacheStatus::Disabled,
                        "caching is off: SFMFA_TOKEN_CACHE=none".to_owned()
                    )),
                    "{pairs:?} explicit={explicit}"
                );
            }
        }
    }

    #[test]
    fn an_application_that_caches_less_is_never_made_to_cache_more() {
        let file = Admin::Store(TokenCacheChoice::File);
        let r = with(
            &file,
            &[("client_store_temporary_credential", "off")],
            false,
        );
        assert!(
            matches!(&r, Err((CacheStatus::Disabled, why)) if why.contains("client_store_temporary_credential")),
            "{r:?}"
        );
        let r = with(&file, &[("token_cache", "none")], false);
        assert!(
            matches!(&r, Err((CacheStatus::Disabled, why)) if why.contains("token_cache=none")),
            "{r:?}"
        );
        assert_eq!(
            with(&file, &[("token_cache", "memory")], false),
            Ok("memory")
        );
    }

    #[test]
    fn the_administrators_store_replaces_the_applications_except_its_own_store() {
        let file = Admin::Store(TokenCacheChoice::File);
        assert_eq!(with(&file, &[("token_cache", "auto")], false), Ok("file"));
        assert_eq!(
            with(&file, &[("token_cache", "keyutils")], false),
            Ok("file")
        );
        // The application's own store (here a MemoryCache, named "memory") is kept.
        assert_eq!(with(&file, &[("token_cache", "auto")], true), Ok("memory"));
        let memory = Admin::Store(TokenCacheChoice::Memory);
        assert_eq!(
            with(&memory, &[("token_cache", "file")], false),
            Ok("memory")
        );
        assert_eq!(
            with(&Admin::Unset, &[("token_cache", "file")], false),
            Ok("file")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_store_is_in_credential_cache_dir() {
        let CacheSetup::Ready(store) =
            for_config_with(&mfa(&[("token_cache", "file")]), None, &Admin::Unset)
        else {
            panic!("the file store opens without touching the disk");
        };
        assert_eq!(store.identity(), "file:/nonexistent/sfmfa-select-test");
        assert_eq!(
            store.coordination_dir().as_deref(),
            Some(std::path::Path::new("/nonexistent/sfmfa-select-test"))
        );
    }
}
