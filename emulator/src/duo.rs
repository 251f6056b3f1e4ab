//! Duo's second factor: TOTP passcodes (RFC 6238), bypass and SMS codes, and push waits.

use std::time::{Duration, Instant};

use ring::hmac;

/// TOTP time step (seconds).
pub const TOTP_STEP: u64 = 30;
/// Digits of a Duo passcode.
pub const TOTP_DIGITS: u32 = 6;

/// Decodes a base32 TOTP secret (RFC 4648; case, spaces and padding tolerated).
pub fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

/// HOTP/TOTP value (RFC 4226 dynamic truncation, HMAC-SHA1) for `counter`, as `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let tag = hmac::sign(&k, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let bin = (u32::from(mac[offset] & 0x7f) << 24)
        | (u32::from(mac[offset + 1]) << 16)
        | (u32::from(mac[offset + 2]) << 8)
        | u32::from(mac[offset + 3]);
    let modulus = 10u64.pow(digits);
    format!(
        "{:0width$}",
        u64::from(bin) % modulus,
        width = digits as usize
    )
}

/// TOTP (RFC 6238, SHA-1, 30 s step) at unix time `t`.
pub fn totp(key: &[u8], t: u64, digits: u32) -> String {
    hotp(key, t / TOTP_STEP, digits)
}

/// True when `code` is the TOTP of the previous, current or next step at time `t`.
pub fn totp_matches(key: &[u8], t: u64, code: &str) -> bool {
    let step = t / TOTP_STEP;
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|s| hotp(key, *s, TOTP_DIGITS) == code)
}

/// A random six-digit SMS passcode.
pub fn sms_code() -> String {
    let n = crate::random::u64() % 1_000_000;
    format!("{n:06}")
}

/// Deadline of a push that started now and lives `ms` milliseconds.
pub fn push_deadline(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_appendix_b_sha1() {
        let vectors = [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, want) in vectors {
            assert_eq!(totp(RFC_SECRET, t, 8), want, "t={t}");
        }
    }

    #[test]
    fn six_digit_truncation() {
        // The 6-digit value is the 8-digit value modulo 10^6.
        assert_eq!(totp(RFC_SECRET, 59, 6), "287082");
        assert_eq!(totp(RFC_SECRET, 1_111_111_109, 6), "081804");
        assert_eq!(totp(RFC_SECRET, 1_234_567_890, 6), "005924");
    }

    #[test]
    fn window_accepts_neighbours_only() {
        let t = 1_000_000_020;
        let prev = totp(RFC_SECRET, t - 30, 6);
        let next = totp(RFC_SECRET, t + 30, 6);
        let far = totp(RFC_SECRET, t + 90, 6);
        assert!(totp_matches(RFC_SECRET, t, &prev));
        assert!(totp_matches(RFC_SECRET, t, &next));
        assert!(!totp_matches(RFC_SECRET, t, &far) || far == prev || far == next);
    }

    #[test]
    fn base32_secret() {
        assert_eq!(decode_secret("GEZDGNBV").as_deref(), Some(&b"12345"[..]));
        assert_eq!(decode_secret("gezd gnbv").as_deref(), Some(&b"12345"[..]));
        assert!(decode_secret("!!").is_none());
    }
}
