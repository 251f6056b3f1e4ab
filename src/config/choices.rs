//! The options whose value is one of a few words, as types.

/// The authenticators sfmfa speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticator {
    /// User name + password; Duo follows when the user is enrolled (a push unless a passcode is given).
    Snowflake,
    /// User name + password + Duo, with MFA-token caching possible.
    UsernamePasswordMfa,
}

/// `http` (loopback only) or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Plain HTTP; accepted only for a loopback host (tests, the emulator).
    Http,
    /// HTTPS with certificate verification.
    Https,
}

/// Where MFA tokens are cached (option `token_cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCacheChoice {
    /// The OS keystore when one is usable, else the file.
    Auto,
    /// The OS keystore only (Secret Service, else kernel keyutils, on Linux).
    Keystore,
    /// The Secret Service over D-Bus (GNOME Keyring, KWallet).
    SecretService,
    /// The kernel keyutils persistent keyring.
    Keyutils,
    /// `credential_cache_v2.json` in the cache directory.
    File,
    /// This process only.
    Memory,
    /// No caching at all.
    None,
}
