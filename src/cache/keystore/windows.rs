//! Windows: the Credential Manager, as generic credentials of the current user.
//!
//! The store's default layout (target name `<user>.<service>`) is the one the `keyring` crate has
//! always used, so Snowflake's Rust-core drivers and sfmfa find each other's tokens.

use super::{Backend, KeystoreCache, store_error};
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
