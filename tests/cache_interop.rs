//! Tokens shared with Snowflake's newer drivers through `credential_cache_v2.json`: an entry written
//! the way they write it (docs/protocol.md §4.3–4.4, golden vector B) is read by sfmfa, and the reverse.
#![cfg(unix)]

use sfmfa::Secret;
use sfmfa::cache::{CacheKey, FileCache, TokenCache};

/// docs/protocol.md §4.3 golden vector B, computed by Snowflake's spec, not by sfmfa.
const GOLDEN_KEY: &str = "SnowflakeTokenCache.v2.MfaToken.10c5dde84bb8f584c0df06ea826d418c4f580e08f9db10187c0cb5e2a732a0d6";

fn golden() -> CacheKey {
    CacheKey {
        service: "myorg-myaccount.privatelink.snowflakecomputing.com".into(),
        user: "\"First Last\"@long-corporate-domain.example.com".into(),
    }
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    dir
}

#[test]
fn a_token_written_by_a_newer_driver_is_used() {
    let dir = private_dir();
    let path = dir.path().join("credential_cache_v2.json");
    // As sf_core writes it: {"tokens": {key: token}}, 0600, plus another entry of its own.
    let json = format!(
        r#"{{"tokens":{{"{GOLDEN_KEY}":"driver-token-1","SnowflakeTokenCache.v2.IdToken.abc":"id-token"}}}}"#
    );
    std::fs::write(&path, json).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let cache = FileCache::in_dir(dir.path());
    let token = cache.read(&golden()).unwrap().expect("the driver's entry");
    assert_eq!(token.expose(), "driver-token-1");
}

#[test]
fn a_token_written_by_sfmfa_is_where_a_newer_driver_looks() {
    let dir = private_dir();
    let cache = FileCache::in_dir(dir.path());
    cache
        .write(&golden(), &Secret::from("sfmfa-token-2"))
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("credential_cache_v2.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["tokens"][GOLDEN_KEY], "sfmfa-token-2", "{text}");
}
