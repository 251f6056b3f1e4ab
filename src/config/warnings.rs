//! What a configuration accepted but deserves a look: unknown keys, options not honoured, repeats.

use std::fmt;

use super::lookup::{NOT_SHOWN_WHY, printable};

/// Which of two given values of one option a connection string keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// The first (ODBC's rule for a repeated keyword, `SQLDriverConnect`).
    First,
    /// The last (the JDBC driver's rule: later keys overwrite earlier ones).
    Last,
}

/// What a [`ConfigWarning`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A key no option knows; ignored. Its name is shown ([`ConfigWarning::key`]) when it looks like
    /// an option name (letters, `_`, `-`, `.`); see [`WarningKind::UnknownKeyNotShown`].
    UnknownKey {
        /// The option whose name is nearest.
        nearest: Option<&'static str>,
    },
    /// A key no option knows that is not shown because it could be a secret typed in the wrong place:
    /// it holds a digit, a blank, a symbol or a non-ASCII character, or is longer than 64 characters
    /// (option names do not). Ignored.
    UnknownKeyNotShown {
        /// Its length in characters.
        chars: usize,
        /// The option whose name is nearest (none for a key longer than 64 characters).
        nearest: Option<&'static str>,
    },
    /// A key no option knows, right after the value of a secret option: it may be the rest of that
    /// value (a `;` or `&` inside it), so its name is not shown.
    UnknownKeyAfterSecret {
        /// The secret option's key as given (e.g. `PWD`).
        secret_key: String,
        /// How to write such a value in this format.
        hint: &'static str,
    },
    /// An option sfmfa accepts but does not act on, given a value that asks for what sfmfa does not do.
    NotHonoured {
        /// The option.
        option: &'static str,
        /// What sfmfa does instead.
        reason: &'static str,
    },
    /// An option given twice with different values.
    Duplicate {
        /// The option.
        option: &'static str,
        /// The key of the other occurrence.
        other_key: String,
        /// Where the other occurrence is (byte offset).
        other_position: Option<usize>,
        /// Which one is used.
        kept: Kept,
    },
    /// Text without `=`; ignored (never shown: it may be part of a secret).
    NoEquals,
    /// A value without a key (`=value`); ignored.
    EmptyKey,
    /// The last warning kept: [`Config::warnings`](super::Config::warnings) keeps the first
    /// [`MAX_WARNINGS`] and then this one, which counts the others.
    Omitted {
        /// How many warnings were not kept.
        count: usize,
    },
}

/// How many warnings a configuration keeps; past them, one [`WarningKind::Omitted`] counts the rest, so
/// that a string of thousands of unknown keys makes a bounded list.
pub const MAX_WARNINGS: usize = 50;

/// Something about a configuration that is not an error but must not go unnoticed: an unknown key, an
/// option sfmfa does not honour, a repeated option. `Display` names keys and byte positions, never a
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    kind: WarningKind,
    key: Option<String>,
    position: Option<usize>,
}

impl ConfigWarning {
    /// A warning about `key` (as given, shortened for display) at byte `position` of a connection
    /// string, if it came from one.
    pub(crate) fn new(kind: WarningKind, key: Option<&str>, position: Option<usize>) -> Self {
        ConfigWarning {
            kind,
            key: key.map(printable),
            position,
        }
    }

    /// What the warning is about.
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// The key as given, when it is shown.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The byte offset (0-based) of the key in the connection string, when it came from one.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The canonical option the warning is about, when there is one.
    pub fn option(&self) -> Option<&'static str> {
        match &self.kind {
            WarningKind::NotHonoured { option, .. } | WarningKind::Duplicate { option, .. } => {
                Some(option)
            }
            _ => None,
        }
    }
}

fn nearest_name(f: &mut fmt::Formatter<'_>, nearest: Option<&str>) -> fmt::Result {
    match nearest {
        Some(n) => write!(f, "; nearest known name: '{n}'"),
        None => Ok(()),
    }
}

fn at(position: Option<usize>) -> String {
    position.map_or_else(String::new, |p| format!(" at byte {p}"))
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.as_deref().unwrap_or("?");
        let at_key = at(self.position);
        match &self.kind {
            WarningKind::UnknownKey { nearest } => {
                match &self.key {
                    Some(key) => write!(f, "unknown key '{key}'{at_key} ignored")?,
                    None => write!(f, "unknown key{at_key} ignored")?,
                }
                nearest_name(f, *nearest)
            }
            WarningKind::UnknownKeyNotShown { chars, nearest } => {
                write!(
                    f,
                    "unknown key of {chars} characters{at_key} ignored; it is not shown: {NOT_SHOWN_WHY}"
                )?;
                nearest_name(f, *nearest)
            }
            WarningKind::UnknownKeyAfterSecret { secret_key, hint } => write!(
                f,
                "unknown key{at_key} ignored; its name is not shown because it follows the value of '{secret_key}' and may be part of it ({hint})"
            ),
            WarningKind::NotHonoured { option, reason } => {
                if key.eq_ignore_ascii_case(option) {
                    write!(f, "option '{option}'{at_key} is not honoured: {reason}")
                } else {
                    write!(
                        f,
                        "'{key}'{at_key} (option '{option}') is not honoured: {reason}"
                    )
                }
            }
            WarningKind::Duplicate {
                option,
                other_key,
                other_position,
                kept,
            } => {
                let which = match kept {
                    Kept::First => "the first one is used (the ODBC rule)",
                    Kept::Last => "the last one is used (the JDBC rule)",
                };
                write!(
                    f,
                    "option '{option}' is given twice with different values, as '{other_key}'{} and '{key}'{at_key}; {which}",
                    at(*other_position)
                )
            }
            WarningKind::NoEquals => write!(f, "text without '='{at_key} ignored"),
            WarningKind::EmptyKey => write!(f, "a value without a key{at_key} ignored"),
            WarningKind::Omitted { count } => write!(
                f,
                "… and {count} more warnings, not kept (only the first {MAX_WARNINGS} are)"
            ),
        }
    }
}
