//! Windows: the Credential Manager, as generic credentials of the current user.
//!
//! The store's default layout (target name `<user>.<service>`) is the one the `keyring` crate has
//! always used, so Snowflake's Rust-core drivers and sfmfa find each other's tokens.

use std::collections::HashMap;

use keyring_core::CredentialStore;

use super::{Backend, KeystoreCache, SERVICE, store_error};
use crate::error::Error;

/// The Credential Manager of the user running the process.
pub(super) fn credential_manager() -> Result<KeystoreCache, Error> {
    let store = windows_native_keyring_store::Store::new()
        .map_err(|e| store_error(Backend::CredentialManager, "could not open", e))?;
    Ok(KeystoreCache {
        store,
        backend: Backend::CredentialManager,
    })
}

/// The users (v2 keys) of the generic credentials whose target is `<user>.`[`SERVICE`]. The store's
/// search has no attributes to match (a generic credential has none): it enumerates the user's
/// credentials and keeps the targets that match a regular expression, then splits each target at
/// its last `.` into user and service.
pub(super) fn list_keys(store: &CredentialStore) -> Result<Vec<String>, Error> {
    // SERVICE is letters and underscores: nothing in it needs escaping.
    let pattern = format!(r"\.{SERVICE}$");
    let spec = HashMap::from([("pattern", pattern.as_str())]);
    let entries = store.search(&spec).map_err(|e| {
        store_error(
            Backend::CredentialManager,
            "could not list the tokens in",
            e,
        )
    })?;
    Ok(entries
        .iter()
        .filter_map(|e| e.get_specifiers())
        .filter(|(service, _)| service == SERVICE)
        .map(|(_, user)| user)
        .collect())
}
