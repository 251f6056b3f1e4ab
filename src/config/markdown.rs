//! The option table as Markdown, for the README.

use super::options::{OPTIONS, OptionId, OptionType, Support, WarnWhen};

/// The option table as Markdown, for the README (between `<!-- options:begin -->` and
/// `<!-- options:end -->`; `tests/readme_options.rs` checks that it is current): the options sfmfa uses,
/// then those it accepts without using, each with the names every official driver gives it.
pub fn markdown_table() -> String {
    let code = |names: &[&str]| -> String {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::new();
    out.push_str("Options sfmfa uses:\n\n");
    out.push_str(
        "| option | JDBC | ODBC | SnowSQL | Python | Node.js | type | default | meaning |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for spec in OPTIONS.iter().filter(|s| s.support == Support::Used) {
        let mut name = format!("`{}`", spec.name);
        if !spec.aliases.is_empty() {
            name.push_str(&format!(" (also {})", code(spec.aliases)));
        }
        // JDBC takes these from the URL itself, not from a key.
        let jdbc = match spec.id {
            OptionId::Host => "the URL's host".to_owned(),
            OptionId::Port => "the URL's port".to_owned(),
            OptionId::Protocol => "`http://` in the URL, `ssl`".to_owned(),
            _ => code(spec.drivers.jdbc),
        };
        let ty = match spec.ty {
            OptionType::OneOf(words) => words.join(" \\| "),
            other => other.describe().to_owned(),
        };
        out.push_str(&format!(
            "| {name} | {jdbc} | {} | {} | {} | {} | {ty} | {} | {} |\n",
            code(spec.drivers.odbc),
            code(spec.drivers.snowsql),
            code(spec.drivers.python),
            code(spec.drivers.node),
            spec.default.map(|d| format!("`{d}`")).unwrap_or_default(),
            cell(spec.doc),
        ));
    }
    out.push_str("\nAccepted from drivers' strings but not used by sfmfa:\n\n");
    out.push_str("| option | JDBC | ODBC | SnowSQL | Python | Node.js | what sfmfa does |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for spec in OPTIONS.iter().filter(|s| s.support != Support::Used) {
        let does = match spec.support {
            Support::NotHonoured { when, reason } => {
                let when = match when {
                    WarnWhen::Set => "set",
                    WarnWhen::True => "true",
                    WarnWhen::False => "false",
                };
                format!(
                    "{} Not honoured; a warning when {when}: {reason}.",
                    spec.doc
                )
            }
            _ => format!("{} Ignored.", spec.doc),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            spec.name,
            code(spec.drivers.jdbc),
            code(spec.drivers.odbc),
            code(spec.drivers.snowsql),
            code(spec.drivers.python),
            code(spec.drivers.node),
            cell(&does),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_table_lists_every_option_and_name() {
        let table = markdown_table();
        for spec in OPTIONS {
            assert!(table.contains(&format!("`{}`", spec.name)), "{}", spec.name);
            for n in spec
                .drivers
                .by_driver()
                .iter()
                .flat_map(|(_, names)| names.iter())
            {
                assert!(table.contains(&format!("`{n}`")), "{n}");
            }
        }
    }
}
