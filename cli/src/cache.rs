//! `sfmfa cache`: list, inspect and delete the MFA tokens sfmfa caches, in every store it uses (the
//! file `credential_cache_v2.json`, and on Linux the kernel keyutils keyring and the Secret
//! Service). Never a token: only which host and user it belongs to, where, and since when.
//!
//! Host and user: a store knows only the v2 key, a SHA-256 hash of (host, user). sfmfa records the
//! host, user and time of the tokens it stores in its own index beside the cache file
//! (`sfmfa::cache::TokenIndex`); an entry without a record (written by another driver) is listed
//! as "unknown host/user (written by another driver)" with its key.

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::target::Target;
use sfmfa::cache::{CacheKey, TokenCache};
#[cfg(unix)]
use sfmfa::cache::{FileCache, IndexRecord, TokenIndex};

/// Exit status: success (`list`; `inspect` found a token; `delete` removed at least one).
pub const EXIT_OK: u8 = 0;
/// Exit status: `inspect` found no token; `delete` found nothing to remove.
pub const EXIT_NOT_FOUND: u8 = 1;
/// Exit status: bad usage (also clap's own); the same code as every command's.
pub const EXIT_USAGE: u8 = crate::exit::USAGE;
/// Exit status: a store failed (refused file, keystore error) or a store asked for with `--store`
/// is unavailable; the code every command gives a token-cache failure.
pub const EXIT_STORE_ERROR: u8 = crate::exit::CACHE;

const EXIT_CODES: &str = "Exit status: 0 found / listed / deleted; 1 not found (inspect: no \
token cached; delete: nothing to remove); 2 bad usage; 9 a store failed or a store named with \
--store is unavailable (the reason is on stderr, and in the JSON as stores[].error).";

/// Manage the cached MFA tokens (never shows a token).
#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct CacheArgs {
    #[command(subcommand)]
    command: CacheCommand,
}

#[derive(Subcommand)]
enum CacheCommand {
    /// Every cached MFA token of every store: store, host, user, written when.
    #[command(after_help = EXIT_CODES)]
    List(ListArgs),
    /// Whether a token is cached for a host and user, and in which stores.
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),
    /// Remove the cached token of one host and user (or every token with --all).
    #[command(after_help = EXIT_CODES)]
    Delete(DeleteArgs),
}

/// Output and store selection, common to the subcommands.
#[derive(Args)]
struct Common {
    /// Output format. JSON fields: see `sfmfa cache --help` and the README.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Only these stores (repeatable); default: every store sfmfa uses here.
    #[arg(long = "store", value_enum)]
    stores: Vec<StoreName>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// A store sfmfa uses.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StoreName {
    /// `credential_cache_v2.json`.
    File,
    /// The kernel keyutils keyring (Linux).
    Keyutils,
    /// The Secret Service over D-Bus (Linux).
    SecretService,
    /// The login Keychain (macOS).
    Keychain,
    /// The Credential Manager (Windows).
    CredentialManager,
}

impl StoreName {
    fn name(self) -> &'static str {
        match self {
            StoreName::File => "file",
            StoreName::Keyutils => "keyutils",
            StoreName::SecretService => "secret-service",
            StoreName::Keychain => "keychain",
            StoreName::CredentialManager => "credential-manager",
        }
    }
}

#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct InspectArgs {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct DeleteArgs {
    #[command(flatten)]
    target: Target,
    /// Every cached MFA token of every store (also those other drivers wrote).
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    common: Common,
}

/// One store as opened for this run.
enum Opened {
    #[cfg(unix)]
    File(FileCache),
    Keystore(sfmfa::cache::KeystoreCache),
}

impl Opened {
    fn list_keys(&self) -> Result<Vec<String>, sfmfa::Error> {
        match self {
            #[cfg(unix)]
            Opened::File(c) => c.list_keys(),
            Opened::Keystore(c) => c.list_keys(),
        }
    }

    fn delete_v2_key(&self, key: &str) -> Result<bool, sfmfa::Error> {
        match self {
            #[cfg(unix)]
            Opened::File(c) => c.delete_v2_key(key),
            Opened::Keystore(c) => c.delete_v2_key(key),
        }
    }

    /// Whether a token is stored under `key`; the token itself is dropped (and wiped) at once.
    fn contains(&self, key: &CacheKey) -> Result<bool, sfmfa::Error> {
        let found = match self {
            #[cfg(unix)]
            Opened::File(c) => c.read(key)?,
            Opened::Keystore(c) => c.read(key)?,
        };
        Ok(found.is_some())
    }
}

/// A store's state in the output (JSON `stores[]`).
#[derive(Serialize)]
struct StoreReport {
    /// `file`, `keyutils` or `secret-service`.
    store: &'static str,
    /// True when the store could be opened here.
    available: bool,
    /// Where it is: the cache directory for the file store.
    location: Option<String>,
    /// Why it is unavailable (when `available` is false).
    reason: Option<String>,
    /// What failed while it was used.
    error: Option<String>,
    /// `inspect`: whether it holds the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    present: Option<bool>,
}

/// One cached token (JSON `tokens[]`, `deleted[]`).
#[derive(Serialize)]
struct TokenReport {
    store: &'static str,
    /// The v2 key (a hash of host and user; not a secret).
    key: String,
    host: Option<String>,
    user: Option<String>,
    /// RFC 3339, UTC.
    written_at: Option<String>,
    written_at_unix: Option<u64>,
    /// True when sfmfa's index knows the entry (host, user and time are then set).
    written_by_sfmfa: bool,
}

struct Stores {
    opened: Vec<(StoreName, Opened)>,
    reports: Vec<StoreReport>,
    /// A store named with --store was unavailable, or a store failed.
    failed: bool,
}

impl Stores {
    fn open(common: &Common) -> Self {
        let explicit = !common.stores.is_empty();
        let wanted: Vec<StoreName> = if explicit {
            common.stores.clone()
        } else {
            default_stores()
        };
        let mut stores = Stores {
            opened: Vec::new(),
            reports: Vec::new(),
            failed: false,
        };
        for name in wanted {
            if stores.reports.iter().any(|r| r.store == name.name()) {
                continue;
            }
            let (opened, location) = open_store(name);
            let mut report = StoreReport {
                store: name.name(),
                available: opened.is_ok(),
                location,
                reason: None,
                error: None,
                present: None,
            };
            match opened {
                Ok(o) => stores.opened.push((name, o)),
                Err(why) => {
                    stores.failed |= explicit;
                    report.reason = Some(why);
                }
            }
            stores.reports.push(report);
        }
        stores
    }

    fn error(&mut self, store: StoreName, e: &sfmfa::Error) {
        self.failed = true;
        eprintln!("sfmfa: {}: {e}", store.name());
        if let Some(r) = self.reports.iter_mut().find(|r| r.store == store.name()) {
            r.error = Some(e.to_string());
        }
    }
}

/// The stores sfmfa uses on this OS (`--store` picks among them).
fn default_stores() -> Vec<StoreName> {
    if cfg!(target_os = "linux") {
        vec![
            StoreName::File,
            StoreName::Keyutils,
            StoreName::SecretService,
        ]
    } else if cfg!(target_os = "macos") {
        vec![StoreName::File, StoreName::Keychain]
    } else if cfg!(target_os = "windows") {
        // The file store is the Unix drivers' (an owner-only file): on Windows the Credential
        // Manager is the one store.
        vec![StoreName::CredentialManager]
    } else {
        vec![StoreName::File]
    }
}

fn open_store(name: StoreName) -> (Result<Opened, String>, Option<String>) {
    let keystore = |r: Result<sfmfa::cache::KeystoreCache, sfmfa::Error>| {
        (
            r.map(Opened::Keystore).map_err(|e| e.message().to_owned()),
            None,
        )
    };
    match name {
        #[cfg(unix)]
        StoreName::File => match FileCache::new() {
            Ok(c) => {
                let dir = c.dir().display().to_string();
                (Ok(Opened::File(c)), Some(dir))
            }
            Err(e) => (Err(e.message().to_owned()), None),
        },
        #[cfg(target_os = "linux")]
        StoreName::Keyutils => keystore(sfmfa::cache::KeystoreCache::keyutils()),
        #[cfg(target_os = "linux")]
        StoreName::SecretService => keystore(sfmfa::cache::KeystoreCache::secret_service_running()),
        #[cfg(any(target_os = "macos", target_os = "windows"))]
        StoreName::Keychain | StoreName::CredentialManager if default_stores().contains(&name) => {
            keystore(sfmfa::cache::KeystoreCache::os_default())
        }
        _ => {
            let _ = keystore;
            (Err("this store does not exist on this OS".into()), None)
        }
    }
}

/// Runs `sfmfa cache`; its exit code.
pub fn run(args: &CacheArgs) -> u8 {
    match &args.command {
        CacheCommand::List(a) => list(&a.common),
        CacheCommand::Inspect(a) => inspect(a),
        CacheCommand::Delete(a) => delete(a),
    }
}

/// What sfmfa's token index knows (store:key → host, user, time): on Unix, beside the cache file.
#[cfg(unix)]
fn index_records() -> std::collections::HashMap<String, IndexRecord> {
    match TokenIndex::from_env().map(|i| i.records()) {
        Some(Ok(records)) => records,
        Some(Err(e)) => {
            eprintln!("warning: sfmfa's token index could not be read: {e}");
            Default::default()
        }
        None => Default::default(),
    }
}

/// Elsewhere sfmfa keeps no index (it lives beside the Unix cache file): tokens are listed by key.
#[cfg(not(unix))]
struct IndexRecord {
    host: String,
    user: String,
    written_at: u64,
}

#[cfg(not(unix))]
fn index_records() -> std::collections::HashMap<String, IndexRecord> {
    std::collections::HashMap::new()
}

fn token_report(
    store: StoreName,
    key: String,
    index: &std::collections::HashMap<String, IndexRecord>,
) -> TokenReport {
    let record = index.get(&format!("{}:{key}", store.name()));
    TokenReport {
        store: store.name(),
        host: record.map(|r| r.host.clone()),
        user: record.map(|r| r.user.clone()),
        written_at: record.map(|r| rfc3339(r.written_at)),
        written_at_unix: record.map(|r| r.written_at),
        written_by_sfmfa: record.is_some(),
        key,
    }
}

#[derive(Serialize)]
struct ListOutput {
    tokens: Vec<TokenReport>,
    stores: Vec<StoreReport>,
}

fn list(common: &Common) -> u8 {
    let mut stores = Stores::open(common);
    let index = index_records();
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    for (name, store) in &stores.opened {
        match store.list_keys() {
            Ok(keys) => tokens.extend(keys.into_iter().map(|k| token_report(*name, k, &index))),
            Err(e) => errors.push((*name, e)),
        }
    }
    for (name, e) in &errors {
        stores.error(*name, e);
    }
    let failed = stores.failed;
    let out = ListOutput {
        tokens,
        stores: stores.reports,
    };
    match common.format {
        Format::Json => print_json(&out),
        Format::Text => {
            if out.tokens.is_empty() {
                println!("no cached MFA token");
            }
            for t in &out.tokens {
                println!("{}", token_line(t));
            }
            print_unavailable(&out.stores);
        }
    }
    if failed { EXIT_STORE_ERROR } else { EXIT_OK }
}

fn token_line(t: &TokenReport) -> String {
    match (&t.host, &t.user, &t.written_at) {
        (Some(host), Some(user), Some(at)) => {
            format!("{:<15} {host}  {user}  written {at}  ({})", t.store, t.key)
        }
        _ => format!(
            "{:<15} unknown host/user (written by another driver)  ({})",
            t.store, t.key
        ),
    }
}

fn print_unavailable(stores: &[StoreReport]) {
    for s in stores {
        if let Some(reason) = &s.reason {
            eprintln!("note: store {} not used: {reason}", s.store);
        }
    }
}

#[derive(Serialize)]
struct InspectOutput {
    host: String,
    user: String,
    key: String,
    found: bool,
    tokens: Vec<TokenReport>,
    stores: Vec<StoreReport>,
}

/// The cache key of the (host, user) `target` names.
fn cache_key(target: &Target) -> Result<CacheKey, String> {
    let config = target.config().map_err(|e| e.message)?;
    if config.user().is_none_or(str::is_empty) {
        return Err("no user: give --user, -c NAME, or a connection string with one".into());
    }
    if config.host().starts_with('.') {
        return Err("no host: give --account or --host, -c NAME, or a connection string".into());
    }
    Ok(CacheKey::for_config(&config))
}

fn inspect(args: &InspectArgs) -> u8 {
    let key = match cache_key(&args.target) {
        Ok(k) => k,
        Err(e) => return usage(&e),
    };
    let mut stores = Stores::open(&args.common);
    let index = index_records();
    let v2 = key.v2();
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    for (name, store) in &stores.opened {
        match store.contains(&key) {
            Ok(present) => {
                if let Some(r) = stores.reports.iter_mut().find(|r| r.store == name.name()) {
                    r.present = Some(present);
                }
                if present {
                    tokens.push(token_report(*name, v2.clone(), &index));
                }
            }
            Err(e) => errors.push((*name, e)),
        }
    }
    for (name, e) in &errors {
        stores.error(*name, e);
    }
    let failed = stores.failed;
    let out = InspectOutput {
        host: key.service.clone(),
        user: key.user.clone(),
        key: v2,
        found: !tokens.is_empty(),
        tokens,
        stores: stores.reports,
    };
    match args.common.format {
        Format::Json => print_json(&out),
        Format::Text => {
            if out.found {
                let names: Vec<&str> = out.tokens.iter().map(|t| t.store).collect();
                println!(
                    "a token is cached for {} at {} in: {}",
                    out.user,
                    out.host,
                    names.join(", ")
                );
            } else {
                println!("no token cached for {} at {}", out.user, out.host);
            }
            print_unavailable(&out.stores);
        }
    }
    if failed {
        EXIT_STORE_ERROR
    } else if out.found {
        EXIT_OK
    } else {
        EXIT_NOT_FOUND
    }
}

#[derive(Serialize)]
struct DeleteOutput {
    deleted: Vec<TokenReport>,
    stores: Vec<StoreReport>,
}

fn delete(args: &DeleteArgs) -> u8 {
    let key = match (args.all, args.target.given()) {
        (true, true) => return usage("--all takes no host or user"),
        (false, false) => return usage("name a host and user (as for `sfmfa login`), or --all"),
        (true, false) => None,
        (false, true) => match cache_key(&args.target) {
            Ok(k) => Some(k.v2()),
            Err(e) => return usage(&e),
        },
    };
    let mut stores = Stores::open(&args.common);
    let index = index_records();
    let mut deleted = Vec::new();
    let mut errors = Vec::new();
    for (name, store) in &stores.opened {
        let keys = match &key {
            Some(k) => Ok(vec![k.clone()]),
            None => store.list_keys(),
        };
        let keys = match keys {
            Ok(keys) => keys,
            Err(e) => {
                errors.push((*name, e));
                continue;
            }
        };
        for k in keys {
            match store.delete_v2_key(&k) {
                Ok(true) => deleted.push(token_report(*name, k, &index)),
                Ok(false) => {}
                Err(e) => errors.push((*name, e)),
            }
        }
    }
    for (name, e) in &errors {
        stores.error(*name, e);
    }
    let failed = stores.failed;
    let out = DeleteOutput {
        deleted,
        stores: stores.reports,
    };
    match args.common.format {
        Format::Json => print_json(&out),
        Format::Text => {
            if out.deleted.is_empty() {
                println!("nothing to delete");
            }
            for t in &out.deleted {
                println!("deleted: {}", token_line(t));
            }
            print_unavailable(&out.stores);
        }
    }
    if failed {
        EXIT_STORE_ERROR
    } else if out.deleted.is_empty() {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    }
}

fn usage(message: &str) -> u8 {
    eprintln!("sfmfa: {message}");
    EXIT_USAGE
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("sfmfa: could not encode the output: {e}"),
    }
}

/// `secs` since the Unix epoch as RFC 3339 UTC (`2024-05-01T12:00:00Z`).
pub fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
