//! The options whose value is one of a few words, as types. Each word is written once, here: the
//! option table's word list, the parser and [`crate::Config::get`] read it from these types.

/// Declares the type of a word option: the enum, and `ALL`, `WORDS`, `as_str` and `parse` from one
/// list of `Variant => "word"` (its order is the order of the documentation).
macro_rules! word_type {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of the documentation.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The word of every value, in the order of [`Self::ALL`].
            pub const WORDS: &'static [&'static str] = &[$($word,)+];

            /// The option's word for this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// The value a word names, in any case; `None` for any other text.
            pub fn parse(word: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str().eq_ignore_ascii_case(word))
            }
        }
    };
}

word_type! {
    /// The authenticators sfmfa speaks (option `authenticator`).
    pub enum Authenticator {
        /// User name + password; Duo follows when the user is enrolled (a push unless a passcode is given).
        Snowflake => "snowflake",
        /// User name + password + Duo, with MFA-token caching possible.
        UsernamePasswordMfa => "username_password_mfa",
    }
}

word_type! {
    /// `http` (loopback only) or `https` (option `protocol`).
    pub enum Protocol {
        /// HTTPS with certificate verification.
        Https => "https",
        /// Plain HTTP; accepted only for a loopback host (tests, the emulator).
        Http => "http",
    }
}

word_type! {
    /// Where MFA tokens are cached (option `token_cache`).
    pub enum TokenCacheChoice {
        /// The OS keystore when one is usable, else the file.
        Auto => "auto",
        /// The OS keystore only (Secret Service, else kernel keyutils, on Linux).
        Keystore => "keystore",
        /// The Secret Service over D-Bus (GNOME Keyring, KWallet).
        SecretService => "secret-service",
        /// The kernel keyutils persistent keyring.
        Keyutils => "keyutils",
        /// `credential_cache_v2.json` in the cache directory.
        File => "file",
        /// This process only.
        Memory => "memory",
        /// No caching at all.
        None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_back_in_any_case() {
        for value in TokenCacheChoice::ALL {
            assert_eq!(TokenCacheChoice::parse(value.as_str()), Some(*value));
            let upper = value.as_str().to_ascii_uppercase();
            assert_eq!(TokenCacheChoice::parse(&upper), Some(*value));
        }
        for value in Protocol::ALL {
            assert_eq!(Protocol::parse(value.as_str()), Some(*value));
        }
        for value in Authenticator::ALL {
            assert_eq!(Authenticator::parse(value.as_str()), Some(*value));
        }
        assert_eq!(Protocol::parse("ftp"), None);
        assert_eq!(TokenCacheChoice::parse(""), None);
        assert_eq!(TokenCacheChoice::WORDS.len(), TokenCacheChoice::ALL.len());
    }
}
