//! How the token stores are named to a person: the library reports a store by its short name
//! (`file`, `secret-service`, …, see `src/cache/keystore/mod.rs`); a data engineer reads "the
//! Secret Service" or "the file /home/me/.cache/snowflake/credential_cache_v2.json".

/// The store the library calls `backend`, in words: "the Secret Service", "the file …" (with the
/// path of the cache file this process uses), or the short name itself for a store this version
/// does not know.
pub fn describe(backend: &str) -> String {
    match backend {
        "file" => file(),
        "secret-service" => "the Secret Service".to_owned(),
        "keyutils" => "the kernel keyutils keyring".to_owned(),
        "keychain" => "the login Keychain".to_owned(),
        "credential-manager" => "the Windows Credential Manager".to_owned(),
        "memory" => "this process's memory".to_owned(),
        other => format!("the store '{other}'"),
    }
}

/// The cache file this process uses, in words.
#[cfg(unix)]
fn file() -> String {
    match sfmfa::cache::FileCache::new() {
        Ok(file) => format!("the file {}", file.path().display()),
        Err(_) => "the cache file".to_owned(),
    }
}

#[cfg(not(unix))]
fn file() -> String {
    "the cache file".to_owned()
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn known_stores_have_words_and_unknown_ones_keep_their_name() {
        assert_eq!(describe("secret-service"), "the Secret Service");
        assert_eq!(describe("keyutils"), "the kernel keyutils keyring");
        assert_eq!(describe("gated"), "the store 'gated'");
        // The file is named by the path of the cache file (or as "the cache file" without one).
        let file = describe("file");
        assert!(
            file.ends_with("credential_cache_v2.json") || file == "the cache file",
            "{file}"
        );
    }
}
