//! Finding an option by any of its names, and the nearest name for a "did you mean".

use std::collections::HashMap;
use std::sync::LazyLock;

use super::options::{OPTIONS, OptionId, OptionSpec};

/// The form names are compared in: leading dashes dropped, `_` and `-` dropped, ASCII lower case.
pub fn normalize_name(name: &str) -> String {
    normalized_chars(name).collect()
}

/// The characters of [`normalize_name`], one at a time: compared as they come by [`find_option`],
/// which allocates nothing per name of the table (most differ at their first character).
fn normalized_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.trim()
        .trim_start_matches('-')
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
}

/// Every normalised name with its option, for [`nearest_option`] (a message's "did you mean"): built
/// at the first unknown name only.
static BY_NAME: LazyLock<HashMap<String, &'static OptionSpec>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for spec in OPTIONS {
        for name in spec.names() {
            // The first entry wins; a test checks that no name belongs to two options.
            map.entry(normalize_name(name)).or_insert(spec);
        }
    }
    map
});

/// Finds an option by its canonical name, an alias or a driver's name for it, ignoring case, `_`,
/// `-` and leading dashes.
///
/// The table is searched in order, so a name given to two options would find the first (a test
/// checks that none is). A search costs less than building a map of every name, which the first
/// option set in a process (a command line's, a binding's) would wait for.
pub fn find_option(name: &str) -> Option<&'static OptionSpec> {
    let wanted = normalize_name(name);
    OPTIONS.iter().find(|spec| {
        spec.names()
            .any(|known| normalized_chars(known).eq(wanted.chars()))
    })
}

/// The row of an option sfmfa uses, by its identifier; `None` for [`OptionId::NotUsed`], which many
/// rows share.
pub(crate) fn option_by_id(id: OptionId) -> Option<&'static OptionSpec> {
    if id == OptionId::NotUsed {
        return None;
    }
    OPTIONS.iter().find(|spec| spec.id == id)
}

/// The option whose name is nearest to `name` (the edit distance between the normalised forms,
/// counting a swap of two neighbours as one edit), for "did you mean" messages. `None` for an empty
/// name and for one longer than 64 characters (no option name is that long, and the distance costs
/// length × length).
pub fn nearest_option(name: &str) -> Option<&'static OptionSpec> {
    let wanted = normalize_name(name);
    if wanted.is_empty() || wanted.chars().count() > 64 {
        return None;
    }
    BY_NAME
        .iter()
        .map(|(known, spec)| (strsim::osa_distance(&wanted, known), spec.name, *spec))
        // Ties are broken by name so that the answer does not depend on the map's order.
        .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))
        .map(|(_, _, spec)| spec)
}

/// Option names come from callers and may hold anything; keep messages short and on one line. Only
/// for names that are shown: known names as given, and unknown ones that [`shows_name`] allows.
pub(crate) fn printable(name: &str) -> String {
    name.chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The longest unknown name a message shows.
const SHOWN_NAME_MAX: usize = 64;

/// Whether an unknown option name may be shown in a message: a password or passcode typed where a
/// name goes must not be printed back. Shown are names that look like option names: 1 to 64
/// characters (blanks around them aside) of ASCII letters, `_`, `-` and `.`, at least one a letter.
/// No option name holds a digit, and most passwords and every passcode do; so anything with a digit,
/// a blank inside, a symbol or a non-ASCII character is described by its length only.
pub(crate) fn shows_name(name: &str) -> bool {
    let name = name.trim();
    name.len() <= SHOWN_NAME_MAX
        && name.chars().any(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.'))
}

/// An unknown option name for a message: `'name'` when [`shows_name`] allows it, otherwise its
/// length and why it is not shown.
pub(crate) fn describe_name(name: &str) -> String {
    if shows_name(name) {
        format!("'{}'", name.trim())
    } else {
        format!(
            "(a name of {} characters, not shown: {NOT_SHOWN_WHY})",
            name.trim().chars().count()
        )
    }
}

/// Why a name is not shown, for messages.
pub(crate) const NOT_SHOWN_WHY: &str =
    "only names of letters, '_', '-' and '.' are, as anything else could be a secret";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, OPTIONS};
    use crate::error::ErrorKind;

    #[test]
    fn every_name_belongs_to_one_option() {
        let mut owner = std::collections::HashMap::new();
        for spec in OPTIONS {
            for n in spec.names() {
                let previous = owner.insert(normalize_name(n), spec.name);
                assert!(
                    previous.is_none() || previous == Some(spec.name),
                    "{n} names both {previous:?} and {}",
                    spec.name
                );
                assert_eq!(find_option(n).map(|s| s.name), Some(spec.name), "{n}");
            }
        }
        assert!(find_option("").is_none() && find_option("--").is_none());
    }

    #[test]
    fn names_ignore_case_separators_and_leading_dashes() {
        for n in [
            "passcodeInPassword",
            "PASSCODE_IN_PASSWORD",
            "passcode-in-password",
            "--mfa-passcode-in-password",
            "Mfa_Passcode_In_Password",
        ] {
            assert_eq!(
                find_option(n).map(|s| s.name),
                Some("passcode_in_password"),
                "{n}"
            );
        }
        assert_eq!(
            nearest_option("wharehouse").map(|s| s.name),
            Some("warehouse")
        );
        assert_eq!(
            nearest_option("passcodeInPasword").map(|s| s.name),
            Some("passcode_in_password")
        );
        assert!(
            nearest_option(&"warehouse".repeat(8)).is_none(),
            "too long to compare"
        );
        assert!(nearest_option("--").is_none());
        for (name, shown) in [
            ("wharehouse", true),
            (" --mfa-passcode ", true),
            ("client.session_keep-alive", true),
            ("hunter2", false),
            ("518273", false),
            ("...", false),
            ("", false),
            ("pass word", false),
            ("Tr0ub4dor&3", false),
            ("pässword", false),
            (&"a".repeat(64), true),
            (&"a".repeat(65), false),
        ] {
            assert_eq!(shows_name(name), shown, "{name}");
        }
        assert_eq!(
            describe_name("hunter2"),
            format!("(a name of 7 characters, not shown: {NOT_SHOWN_WHY})")
        );
        let e = Config::new().set("wharehouse", "w").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownOption);
        assert!(e.message().contains("'warehouse'"), "{}", e.message());
    }
}
