//! The permission rule of a file that may hold a password (`connections.toml`, `config.toml`,
//! SnowSQL's `config`): one others may write to is refused, one others may read is used with a
//! warning. This is the rule of the Python connector for `connections.toml` ("Bad owner or
//! permissions on …" when group or others may read it, an error when they may write to it).
//! SnowSQL documents no check of its own, only that the file must be secured (`chmod 700`); a file
//! another user can change could send the login, password included, to a host of their choosing,
//! so sfmfa holds SnowSQL's file to the same rule.

use std::path::Path;

use crate::exit::CliError;

/// Group or others may write.
#[cfg(unix)]
const WRITABLE_BY_OTHERS: u32 = 0o022;
/// Group or others may read.
#[cfg(unix)]
const READABLE_BY_OTHERS: u32 = 0o044;

/// Applies the rule to `path` with metadata `meta`: an error (exit code 2) when others may write to
/// it, a warning on stderr when others may read it.
#[cfg(unix)]
pub fn check(path: &Path, meta: &std::fs::Metadata) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    if mode & WRITABLE_BY_OTHERS != 0 {
        return Err(CliError::usage(format!(
            "Bad owner or permissions on {}: others may write to it; run chmod 0600 {}",
            path.display(),
            path.display()
        )));
    }
    if mode & READABLE_BY_OTHERS != 0 {
        eprintln!(
            "warning: Bad owner or permissions on {}: others may read it; run chmod 0600 {}",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// Windows has no mode bits: a file's ACL decides, which the Python connector does not check
/// either (a file in the user's profile is the user's).
#[cfg(not(unix))]
pub fn check(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), CliError> {
    Ok(())
}

/// The text of `path` once the rule allows it; `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<String>, CliError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) => return Ok(None),
    };
    check(path, &meta)?;
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}
