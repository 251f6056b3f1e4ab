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
}
