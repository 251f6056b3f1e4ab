//! A string that must never be seen: zeroized when dropped, redacted in `Debug` and `Display`.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (password, passcode, session or MFA token).
///
/// The bytes are wiped when the value is dropped. `Debug` prints `Secret(****)`, so a secret inside a
/// struct that derives `Debug` stays hidden; read the value only with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    /// Wraps a string; the caller's copy is moved in, not duplicated.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret itself. Call sites are the only places a secret leaves this type; keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Replaces every occurrence of each non-trivial secret in `text` by `****`.
///
/// Used on text that comes from outside (a server's message) before it goes into an error or a log,
/// so that even a server that echoes the request cannot make a secret appear there.
pub(crate) fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        // Very short secrets would blank out ordinary words; a 1–2 character password is scrubbed by
        // never being echoed ourselves, not here.
        if secret.expose().len() >= 3 {
            out = out.replace(secret.expose(), "****");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::from("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(****)");
        assert_eq!(format!("{s}"), "****");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn scrub_removes_every_occurrence() {
        let pw = Secret::from("abc123");
        let pc = Secret::from("987654");
        let text = "bad password abc123 and passcode 987654 (abc123)";
        assert_eq!(
            scrub(text, &[&pw, &pc]),
            "bad password **** and passcode **** (****)"
        );
    }
}
