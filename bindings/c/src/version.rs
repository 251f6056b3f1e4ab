//! The library's version: macros for the compiler, a function for the library actually loaded.
//! (`SFMFA_VERSION`, the same as a string literal, is built from these macros in cbindgen.toml's trailer.)

/// Major version of the header: incompatible C API changes raise it (and the soname,
/// `libsfmfa.so.<major>`).
pub const SFMFA_VERSION_MAJOR: u32 = 0;

/// Minor version of the header: functions added compatibly.
pub const SFMFA_VERSION_MINOR: u32 = 1;

/// Patch version of the header: fixes only.
pub const SFMFA_VERSION_PATCH: u32 = 0;

/// The header's version as one comparable number, `major * 10000 + minor * 100 + patch`, for
/// `#if SFMFA_VERSION_NUMBER >= …` checks.
pub const SFMFA_VERSION_NUMBER: u32 =
    SFMFA_VERSION_MAJOR * 10000 + SFMFA_VERSION_MINOR * 100 + SFMFA_VERSION_PATCH;

/// The version of the library loaded at run time, e.g. `"0.1.0"`, as a static NUL-terminated
/// string the caller must not free. Compare it with the `SFMFA_VERSION_*` macros to detect a header
/// built against another release. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_version() -> *const std::ffi::c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// The version of the library loaded at run time as `major * 10000 + minor * 100 + patch`
/// (compare with `SFMFA_VERSION_NUMBER`). Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn sfmfa_version_number() -> u32 {
    SFMFA_VERSION_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macros_follow_the_crate_version() {
        let version = format!("{SFMFA_VERSION_MAJOR}.{SFMFA_VERSION_MINOR}.{SFMFA_VERSION_PATCH}");
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            version,
            sfmfa_core::VERSION,
            "the C crate and the core release together"
        );
    }
}
