//! Snowflake's cross-driver v2 token-cache key (docs/protocol.md §4.3).
//!
//! `SnowflakeTokenCache.v2.MfaToken.<sha256 hex>` of the compact JSON with sorted keys
//! `{"snowflake":<normalized server>,"username":<normalized user>}`. Snowflake's newer drivers
//! (sf_core, Python 5.x) use the same key, so a token one of them cached is one sfmfa can use, and
//! the reverse.

use std::collections::BTreeMap;

use super::CacheKey;

/// The prefix of every v2 MFA-token key.
pub const MFA_TOKEN_PREFIX: &str = "SnowflakeTokenCache.v2.MfaToken.";

/// The v2 key of the MFA token of `user` at `host_and_port` (`host`, `host:port`, or a URL).
pub fn mfa_token_key(host_and_port: &str, user: &str) -> String {
    let mut fields = BTreeMap::new();
    fields.insert("snowflake", normalize_url(host_and_port));
    fields.insert("username", normalize_identifier(user));
    // Inserted from the BTreeMap in key order, so the JSON is sorted whatever serde_json's map is
    // (its `preserve_order` feature may be on through another crate). Display of a Value is compact
    // and escapes strings exactly as serde_json::to_string does.
    let object: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
        .collect();
    let json = serde_json::Value::Object(object).to_string();
    let digest = ring::digest::digest(&ring::digest::SHA256, json.as_bytes());
    let mut key = String::with_capacity(MFA_TOKEN_PREFIX.len() + 64);
    key.push_str(MFA_TOKEN_PREFIX);
    for byte in digest.as_ref() {
        key.push(HEX[usize::from(byte >> 4)]);
        key.push(HEX[usize::from(byte & 0x0f)]);
    }
    key
}

const HEX: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
];

/// The server part of the key: no scheme, userinfo, query or fragment; lower case; an explicit
/// `:port` kept; no trailing `/`.
pub fn normalize_url(server: &str) -> String {
    let rest = match server.find("://") {
        Some(i) => &server[i + 3..],
        None => server,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let rest = rest.split('?').next().unwrap_or_default();
    // Userinfo is an `@` inside the authority, i.e. before the first `/`.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(i) => &rest[i + 1..],
        None => rest,
    };
    rest.to_lowercase().trim_end_matches('/').to_owned()
}

/// The user part of the key: lower case, unless the name is quoted (contains `"`), when Snowflake
/// treats it as case-sensitive and it is kept as given.
pub fn normalize_identifier(user: &str) -> String {
    if user.contains('"') {
        user.to_owned()
    } else {
        user.to_lowercase()
    }
}

impl CacheKey {
    /// Snowflake's cross-driver v2 key of this (service, user), as the file and keystore backends
    /// store it.
    ///
    /// A cached-token login asks for it several times (the in-memory layer, the store on a miss,
    /// the prompt lock), and each computation is a JSON document and a SHA-256 (about 13 000
    /// instructions, more than the rest of the cache hit): the keys of the last few (service,
    /// user) pairs are remembered for the process.
    pub fn v2(&self) -> String {
        if let Ok(memo) = MEMO.lock()
            && let Some((_, _, key)) = memo
                .iter()
                .find(|(service, user, _)| *service == self.service && *user == self.user)
        {
            return key.clone();
        }
        let key = mfa_token_key(&self.service, &self.user);
        if let Ok(mut memo) = MEMO.lock() {
            if memo.len() >= MEMO_SIZE {
                memo.remove(0);
            }
            memo.push((self.service.clone(), self.user.clone(), key.clone()));
        }
        key
    }
}

/// How many (service, user) keys [`CacheKey::v2`] remembers (the oldest is forgotten first).
const MEMO_SIZE: usize = 16;

/// (service, user, v2 key) of the keys computed last, oldest first. Names only: no secret.
static MEMO: std::sync::Mutex<Vec<(String, String, String)>> = std::sync::Mutex::new(Vec::new());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remembered_key_is_the_computed_one_for_every_pair() {
        // More pairs than are remembered, each asked twice (computed, then remembered or, once
        // forgotten, computed again): always the key of that pair.
        let keys: Vec<CacheKey> = (0..MEMO_SIZE + 3)
            .flat_map(|i| {
                [
                    CacheKey {
                        service: format!("acct{i}.snowflakecomputing.com"),
                        user: "User".into(),
                    },
                    CacheKey {
                        service: format!("acct{i}.snowflakecomputing.com"),
                        user: format!("\"user {i}\""),
                    },
                ]
            })
            .collect();
        for _ in 0..2 {
            for key in &keys {
                assert_eq!(key.v2(), mfa_token_key(&key.service, &key.user));
            }
        }
    }

    #[test]
    fn golden_vector_b() {
        assert_eq!(
            mfa_token_key(
                "https://myorg-myaccount.privatelink.snowflakecomputing.com",
                "\"First Last\"@long-corporate-domain.example.com",
            ),
            "SnowflakeTokenCache.v2.MfaToken.10c5dde84bb8f584c0df06ea826d418c4f580e08f9db10187c0cb5e2a732a0d6"
        );
        // The same through a CacheKey, whose service never has a scheme.
        let key = CacheKey {
            service: "myorg-myaccount.privatelink.snowflakecomputing.com".into(),
            user: "\"First Last\"@long-corporate-domain.example.com".into(),
        };
        assert_eq!(
            key.v2(),
            "SnowflakeTokenCache.v2.MfaToken.10c5dde84bb8f584c0df06ea826d418c4f580e08f9db10187c0cb5e2a732a0d6"
        );
    }

    #[test]
    fn url_normalization() {
        assert_eq!(normalize_url("localhost:8080"), "localhost:8080");
        assert_eq!(
            normalize_url("https://User:Pw@Acct.SnowflakeComputing.com:8443/?a=b#frag"),
            "acct.snowflakecomputing.com:8443"
        );
        assert_eq!(normalize_url("HTTP://Host.Example/"), "host.example");
        assert_eq!(normalize_url("host.example/path/"), "host.example/path");
        assert_eq!(normalize_url("u@host.example"), "host.example");
    }

    #[test]
    fn port_case_and_user_quoting_change_the_key() {
        let base = mfa_token_key("acct.example.com", "demo");
        assert_ne!(mfa_token_key("acct.example.com:8443", "demo"), base);
        assert_eq!(mfa_token_key("ACCT.Example.com", "DEMO"), base);
        assert_eq!(mfa_token_key("https://acct.example.com/", "Demo"), base);
        assert_eq!(normalize_identifier("Demo.User"), "demo.user");
        assert_eq!(normalize_identifier("\"Demo\""), "\"Demo\"");
        assert_ne!(mfa_token_key("acct.example.com", "\"Demo\""), base);
        assert!(base.starts_with(MFA_TOKEN_PREFIX));
        assert_eq!(base.len(), MFA_TOKEN_PREFIX.len() + 64);
    }

    #[test]
    fn json_is_compact_sorted_and_escaped_like_serde_json() {
        // Build the expected preimage independently and compare hashes.
        let user = "a\"b\\c\u{1}é";
        let expected = format!(
            "{{\"snowflake\":\"h\",\"username\":{}}}",
            serde_json::to_string(user).unwrap()
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, expected.as_bytes());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(mfa_token_key("h", user), format!("{MFA_TOKEN_PREFIX}{hex}"));
    }
}
