//! What the login request says about the machine (`CLIENT_ENVIRONMENT`): the fields every official
//! driver sends, with the drivers' value shapes (snowflake-connector-python 4.8.1 and 5.2.0,
//! snowflake-sdk 3.3.0): `OS_VERSION` (the kernel release), `OS_DETAILS` (the identification
//! fields of `/etc/os-release`), `LIBC_FAMILY`, `LIBC_VERSION`, `CORE_VERSION`, `APPLICATION_PATH`
//! and `CERT_REVOCATION_CHECK_MODE`.
//!
//! Nothing secret, nothing about the user beyond what the drivers send. Read once per process: the
//! machine does not change between logins.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;

/// The machine-dependent part of `CLIENT_ENVIRONMENT`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) struct Machine {
    /// The kernel release (`uname -r`), as snowflake-sdk sends it; empty where unknown.
    pub os_version: String,
    /// `PRETTY_NAME`, `NAME`, `VERSION_ID`, `VERSION`, `ID` of `/etc/os-release`; empty elsewhere.
    pub os_details: BTreeMap<&'static str, String>,
    /// `glibc`, `musl`, or empty (the drivers send the family of the C library they run on).
    pub libc_family: &'static str,
    /// The C library's version (glibc's own report); empty where unknown.
    pub libc_version: String,
    /// The version of the core that builds the request: sfmfa's own.
    pub core_version: &'static str,
    /// The program that logs in (the drivers send their script's path); empty where unknown.
    pub application_path: String,
    /// sfmfa verifies certificates against the trusted roots and does not check revocation
    /// (OCSP/CRL), which the drivers report as `DISABLED`.
    pub cert_revocation_check_mode: &'static str,
}

/// The keys of `/etc/os-release` the drivers send (and no others: the file may hold anything).
const OS_RELEASE_KEYS: [&str; 5] = ["PRETTY_NAME", "NAME", "VERSION_ID", "VERSION", "ID"];

static MACHINE: LazyLock<Machine> = LazyLock::new(|| Machine {
    os_version: kernel_release(),
    os_details: std::fs::read_to_string("/etc/os-release")
        .map(|text| os_release(&text))
        .unwrap_or_default(),
    libc_family: libc_family(),
    libc_version: libc_version(),
    core_version: env!("CARGO_PKG_VERSION"),
    application_path: std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default(),
    cert_revocation_check_mode: "DISABLED",
});

/// This machine's description, computed at the first login of the process.
pub(crate) fn machine() -> &'static Machine {
    &MACHINE
}

/// [`machine`] as the members of a JSON object (`"OS_VERSION":"…",…`, without the braces),
/// rendered once per process: every login request carries them unchanged.
pub(crate) fn machine_json_members() -> &'static str {
    static MEMBERS: LazyLock<String> = LazyLock::new(|| {
        // A struct of strings and a map of strings always serialises.
        let object = serde_json::to_string(machine()).unwrap_or_else(|_| "{}".to_owned());
        let members = object
            .strip_prefix('{')
            .and_then(|o| o.strip_suffix('}'))
            .unwrap_or_default();
        members.to_owned()
    });
    &MEMBERS
}

/// The identification fields of an os-release file (`KEY=value`, values optionally quoted).
fn os_release(text: &str) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        if let Some(known) = OS_RELEASE_KEYS.iter().find(|k| **k == key.trim()) {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            out.insert(*known, unquoted.replace("\\\"", "\""));
        }
    }
    out
}

#[cfg(unix)]
#[allow(unsafe_code)] // std has no uname
fn kernel_release() -> String {
    // SAFETY: utsname is plain old data; all-zero bytes are a valid value.
    let mut name: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is a valid, writable utsname for the duration of the call.
    if unsafe { libc::uname(&mut name) } != 0 {
        return String::new();
    }
    // SAFETY: on success uname NUL-terminates every field within its array.
    unsafe { std::ffi::CStr::from_ptr(name.release.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(not(unix))]
fn kernel_release() -> String {
    String::new()
}

fn libc_family() -> &'static str {
    if cfg!(target_env = "gnu") && cfg!(target_os = "linux") {
        "glibc"
    } else if cfg!(target_env = "musl") {
        "musl"
    } else {
        ""
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // glibc's own answer; std has none
fn libc_version() -> String {
    // SAFETY: gnu_get_libc_version returns a static, NUL-terminated string (never NULL).
    unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn libc_version() -> String {
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_keeps_the_identification_fields_only() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                    VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n\
                    HOME_URL=\"https://www.debian.org/\"\n# comment\n";
        let d = os_release(text);
        assert_eq!(d.len(), 5);
        assert_eq!(d["ID"], "debian");
        assert_eq!(d["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
        assert!(!d.contains_key("HOME_URL"));
    }

    #[test]
    fn this_machine_is_described() {
        let m = machine();
        assert_eq!(m.core_version, crate::VERSION);
        assert_eq!(m.cert_revocation_check_mode, "DISABLED");
        if cfg!(target_os = "linux") {
            assert!(!m.os_version.is_empty());
        }
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(m.libc_family, "glibc");
            assert!(m.libc_version.starts_with("2."), "{}", m.libc_version);
        }
    }
}
