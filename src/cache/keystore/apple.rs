//! macOS: the user's login Keychain, as generic passwords (service, account).
//!
//! Reading an item another program created (a token Snowflake's Python or Rust driver cached)
//! may make macOS ask the user once whether sfmfa may use it; that dialog is the Keychain's own.

use super::{Backend, KeystoreCache, store_error};
use crate::error::Error;

/// The login Keychain of the user running the process.
pub(super) fn keychain() -> Result<KeystoreCache, Error> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| store_error(Backend::Keychain, "could not open", e))?;
    Ok(KeystoreCache {
        store,
        backend: Backend::Keychain,
    })
}
