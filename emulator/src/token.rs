//! MFA tokens: opaque strings `base64url(claims JSON) "." base64url(HMAC-SHA256)`, signed with a
//! per-emulator random key. The MAC input also binds a hash of the user's password, so a password
//! change invalidates the token without the token carrying the password or its hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::{digest, hmac};
use serde::{Deserialize, Serialize};

/// MFA token lifetime: four hours, on the emulator clock.
pub const MFA_TOKEN_VALIDITY_SECS: u64 = 14_400;

/// What a token asserts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Account name, lower case.
    pub acct: String,
    /// Login name, lower case.
    pub user: String,
    /// Normalised authenticator (`SNOWFLAKE` or `USERNAME_PASSWORD_MFA`).
    pub auth: String,
    /// Issued at (emulator clock, unix seconds).
    pub iat: u64,
    /// Expires at (emulator clock, unix seconds).
    pub exp: u64,
    /// Random nonce so two tokens issued in the same second differ.
    pub nonce: String,
}

/// Why a token was rejected (for tests and the README; the client always sees 390127).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not of the token format, or the MAC does not match (altered, forged, other emulator,
    /// or the password changed since issuance).
    BadSignature,
    /// Issued for another account.
    OtherAccount,
    /// Issued for another user.
    OtherUser,
    /// Issued for another authenticator.
    OtherAuthenticator,
    /// Past its four hours.
    Expired,
}

/// Signs and verifies tokens with a key that lives as long as the emulator.
pub struct TokenSigner {
    key: hmac::Key,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(<key>)")
    }
}

impl Default for TokenSigner {
    fn default() -> Self {
        Self::new()
    }
}

/// `absent` and `SNOWFLAKE` are the default authenticator; other names are upper-cased.
pub fn normalise_authenticator(a: Option<&str>) -> String {
    match a.map(str::trim) {
        None | Some("") => "SNOWFLAKE".to_string(),
        Some(s) => s.to_ascii_uppercase(),
    }
}

fn password_digest(password: &str) -> digest::Digest {
    digest::digest(&digest::SHA256, password.as_bytes())
}

impl TokenSigner {
    /// A signer with a fresh random key.
    pub fn new() -> TokenSigner {
        let mut k = [0u8; 32];
        crate::random::fill(&mut k);
        TokenSigner {
            key: hmac::Key::new(hmac::HMAC_SHA256, &k),
        }
    }

    fn mac_input(claims_b64: &str, password: &str) -> Vec<u8> {
        let mut input = claims_b64.as_bytes().to_vec();
        input.push(b'.');
        input.extend_from_slice(password_digest(password).as_ref());
        input
    }

    /// Issues a token for (account, user, authenticator) bound to `password`, valid from `now`.
    pub fn issue(&self, account: &str, user: &str, auth: &str, password: &str, now: u64) -> String {
        let claims = Claims {
            acct: account.to_lowercase(),
            user: user.to_lowercase(),
            auth: auth.to_string(),
            iat: now,
            exp: now + MFA_TOKEN_VALIDITY_SECS,
            nonce: crate::random::hex(8),
        };
        // Serialising a struct of strings and integers cannot fail.
        let json = serde_json::to_vec(&claims).unwrap_or_default();
        let claims_b64 = B64.encode(json);
        let tag = hmac::sign(&self.key, &Self::mac_input(&claims_b64, password));
        format!("{claims_b64}.{}", B64.encode(tag.as_ref()))
    }

    /// Checks a token presented by (account, user, authenticator) whose current password is `password`.
    pub fn verify(
        &self,
        token: &str,
        account: &str,
        user: &str,
        auth: &str,
        password: &str,
        now: u64,
    ) -> Result<Claims, Rejection> {
        let (claims_b64, mac_b64) = token.split_once('.').ok_or(Rejection::BadSignature)?;
        let mac = B64.decode(mac_b64).map_err(|_| Rejection::BadSignature)?;
        hmac::verify(&self.key, &Self::mac_input(claims_b64, password), &mac)
            .map_err(|_| Rejection::BadSignature)?;
        let json = B64
            .decode(claims_b64)
            .map_err(|_| Rejection::BadSignature)?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| Rejection::BadSignature)?;
        if claims.acct != account.to_lowercase() {
            return Err(Rejection::OtherAccount);
        }
        if claims.user != user.to_lowercase() {
            return Err(Rejection::OtherUser);
        }
        if claims.auth != auth {
            return Err(Rejection::OtherAuthenticator);
        }
        if now >= claims.exp {
            return Err(Rejection::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_rejections() {
        let s = TokenSigner::new();
        let t = s.issue("XY12345", "Demo", "SNOWFLAKE", "pw", 1000);
        assert!(
            s.verify(&t, "xy12345", "demo", "SNOWFLAKE", "pw", 1001)
                .is_ok()
        );
        assert_eq!(
            s.verify(&t, "xy12345", "demo", "SNOWFLAKE", "pw2", 1001),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            s.verify(&t, "other", "demo", "SNOWFLAKE", "pw", 1001),
            Err(Rejection::OtherAccount)
        );
        assert_eq!(
            s.verify(&t, "xy12345", "demo", "USERNAME_PASSWORD_MFA", "pw", 1001),
            Err(Rejection::OtherAuthenticator)
        );
        assert_eq!(
            s.verify(
                &t,
                "xy12345",
                "demo",
                "SNOWFLAKE",
                "pw",
                1000 + MFA_TOKEN_VALIDITY_SECS
            ),
            Err(Rejection::Expired)
        );
        // Any altered byte fails.
        let mut bytes = t.clone().into_bytes();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(
            s.verify(&altered, "xy12345", "demo", "SNOWFLAKE", "pw", 1001),
            Err(Rejection::BadSignature)
        );
        // Another emulator's key fails.
        let other = TokenSigner::new();
        assert!(
            other
                .verify(&t, "xy12345", "demo", "SNOWFLAKE", "pw", 1001)
                .is_err()
        );
    }

    #[test]
    fn authenticator_normalisation() {
        assert_eq!(normalise_authenticator(None), "SNOWFLAKE");
        assert_eq!(normalise_authenticator(Some("snowflake")), "SNOWFLAKE");
        assert_eq!(
            normalise_authenticator(Some("username_password_mfa")),
            "USERNAME_PASSWORD_MFA"
        );
    }
}
