//! The token stores (the file, and on Linux keyutils and the Secret Service) and the cache
//! directory: what a login could use here, found without changing anything.

use super::{Check, bad, ok};

/// The checks of the cache directory and of every store, in that order.
pub(super) fn checks() -> Vec<Check> {
    let mut checks = Vec::new();
    // The file is the Unix drivers' store; Windows keeps tokens in the Credential Manager only.
    #[cfg(unix)]
    checks.extend([cache_dir(), file_store()]);
    #[cfg(target_os = "linux")]
    checks.extend([keyutils(), secret_service()]);
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    checks.extend([os_keystore()]);
    checks
}

/// The login Keychain (macOS) or the Credential Manager (Windows).
#[cfg(any(target_os = "macos", target_os = "windows"))]
fn os_keystore() -> Check {
    match sfmfa::cache::KeystoreCache::os_default() {
        Ok(k) => ok(&format!("store:{}", k.backend()), "usable"),
        Err(e) => bad(
            "store:keystore",
            "problem",
            e.message(),
            e.hint().unwrap_or(
                "run in the user's own session (the keystore belongs to a logged-in user)",
            ),
        ),
    }
}

/// The file store, through [`sfmfa::cache::FileCache::probe`]: no directory created, no mode
/// changed, no lock file.
#[cfg(unix)]
fn file_store() -> Check {
    let probed = sfmfa::cache::FileCache::new().and_then(|c| c.probe().map(|p| (c, p)));
    match probed {
        Ok((c, p)) if p.dir_mode.is_none() => ok(
            "store:file",
            format!(
                "usable ({}; the directory is created 0700 with the first token)",
                c.path().display()
            ),
        ),
        Ok((c, p)) => ok(
            "store:file",
            format!(
                "usable ({}; {} MFA token{})",
                c.path().display(),
                p.tokens,
                if p.tokens == 1 { "" } else { "s" }
            ),
        ),
        Err(e) => bad(
            "store:file",
            "problem",
            e.message(),
            e.hint().unwrap_or(
                "set SF_TEMPORARY_CREDENTIAL_CACHE_DIR (or HOME) to a directory of your own",
            ),
        ),
    }
}

#[cfg(target_os = "linux")]
fn keyutils() -> Check {
    match sfmfa::cache::KeystoreCache::keyutils() {
        Ok(_) => ok("store:keyutils", "usable"),
        Err(e) => bad(
            "store:keyutils",
            "warning",
            e.message(),
            "a kernel with CONFIG_KEYS and CONFIG_PERSISTENT_KEYRINGS, and keyctl allowed \
             (containers may block it); otherwise the Secret Service or the file is used",
        ),
    }
}

/// A Secret Service running now (none is started), with an unlocked default collection. The
/// library's error says which of these is missing, and its hint how to fix that.
#[cfg(target_os = "linux")]
fn secret_service() -> Check {
    match sfmfa::cache::KeystoreCache::secret_service_running() {
        Ok(_) => ok(
            "store:secret-service",
            "usable (running, default collection unlocked)",
        ),
        Err(e) => bad(
            "store:secret-service",
            "warning",
            e.message(),
            e.hint().unwrap_or(
                "run in a desktop session with gnome-keyring or KWallet unlocked; otherwise \
                 keyutils or the file is used",
            ),
        ),
    }
}

#[cfg(unix)]
fn cache_dir() -> Check {
    use std::os::unix::fs::PermissionsExt;
    let Some(dir) = sfmfa::cache::file::cache_dir_from(|n| std::env::var_os(n)) else {
        return bad(
            "cache-dir",
            "problem",
            "no cache directory: none of SF_TEMPORARY_CREDENTIAL_CACHE_DIR, XDG_CACHE_HOME and HOME is set",
            "set SF_TEMPORARY_CREDENTIAL_CACHE_DIR",
        );
    };
    match std::fs::symlink_metadata(&dir) {
        Err(_) => ok(
            "cache-dir",
            format!(
                "{} does not exist yet; it is created 0700 on the first token",
                dir.display()
            ),
        ),
        Ok(m) if m.file_type().is_symlink() => bad(
            "cache-dir",
            "problem",
            format!(
                "{} is a symbolic link, which the cache never follows",
                dir.display()
            ),
            "point SF_TEMPORARY_CREDENTIAL_CACHE_DIR at the directory itself",
        ),
        Ok(m) if !m.is_dir() => bad(
            "cache-dir",
            "problem",
            format!("{} is not a directory", dir.display()),
            "remove it or point SF_TEMPORARY_CREDENTIAL_CACHE_DIR elsewhere",
        ),
        Ok(m) => match m.permissions().mode() & 0o777 {
            0o700 => ok("cache-dir", format!("{} (mode 0700)", dir.display())),
            mode => bad(
                "cache-dir",
                "warning",
                format!("{} has mode {mode:04o}", dir.display()),
                format!(
                    "chmod 700 '{}' (sfmfa also tightens it on its next write; doctor changes \
                     nothing)",
                    dir.display()
                ),
            ),
        },
    }
}
