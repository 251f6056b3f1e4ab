//! SnowSQL's configuration file, `~/.snowsql/config` (INI). `[connections]` holds SnowSQL's default
//! connection and the defaults of every named one ("If a connection doesn't specify a value, it will
//! default to these", in the file SnowSQL writes); `[connections.NAME]` is connection NAME. Its keys
//! are SnowSQL's (`accountname`, `username`, `password`, `dbname`, `schemaname`, `warehousename`,
//! `rolename`, `authenticator`, `host`, `port`, `region`, `proxy_host`, `private_key_path`, …): they
//! are given to sfmfa's option table as they are, which knows them under those names, and a key it
//! does not know is not a login's business and is skipped there.
//!
//! Values are read as SnowSQL's documentation describes them: a value with special characters is
//! enclosed in single or double quotes (`password = "x#y"`), a quote inside one is escaped with a
//! backslash (`\"`, `\'`; optional in an unquoted value), and a comment starts with `#` or `;` at
//! the start of a line or after a blank. Other backslashes are kept as they are.
//!
//! Only the user's own file is read, not the system-wide ones SnowSQL reads before it
//! (`/etc/snowsql.cnf`, …): a password belongs in a file only its owner can read.

use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};

use super::{Pairs, permissions};
use crate::exit::CliError;

/// The section of SnowSQL's default connection; `[connections.NAME]` are the named ones.
const CONNECTIONS: &str = "connections";

/// `~/.snowsql/config`, when `HOME` is set.
pub fn path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".snowsql").join("config"))
}

/// SnowSQL's file, parsed.
pub struct SnowSqlConfig {
    ini: Ini,
}

impl SnowSqlConfig {
    /// Reads SnowSQL's file at `path` under the permission rule of [`permissions::check`]. `None`
    /// when it does not exist. A parse error names the line and column, never the text there.
    pub fn read(path: &Path) -> Result<Option<SnowSqlConfig>, CliError> {
        let Some(text) = permissions::read(path)? else {
            return Ok(None);
        };
        Self::parse(&text).map(Some).map_err(|why| {
            CliError::usage(format!(
                "{} is not a valid SnowSQL config file: {why}",
                path.display()
            ))
        })
    }

    /// Whether `path` holds connection `name`, without a word on stderr: for the note that a
    /// connection of `connections.toml` hides SnowSQL's. A file that cannot be read holds none.
    pub fn has_quietly(path: &Path, name: &str) -> bool {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| Self::parse(&text).ok())
            .is_some_and(|config| config.ini.section(Some(section_of(name))).is_some())
    }

    /// Parses the text of a SnowSQL file. The error says where and why, never what is there: the
    /// text may be a password.
    fn parse(text: &str) -> Result<SnowSqlConfig, String> {
        let options = ParseOption {
            enabled_quote: true,
            // SnowSQL documents only `\"` and `\'`, done below; `C:\dir` keeps its backslash.
            enabled_escape: false,
            enabled_indented_mutiline_value: false,
            enabled_preserve_key_leading_whitespace: false,
        };
        let ini = Ini::load_from_str_opt(text, options).map_err(|e| {
            // The parser's own words are kept when they are fixed text; a message it formats could
            // quote a character of the file.
            let why = match &e.msg {
                std::borrow::Cow::Borrowed(words) => (*words).to_owned(),
                std::borrow::Cow::Owned(words) if words.ends_with("but found EOF.") => {
                    "the file ends inside a quoted value (a quote is not closed)".to_owned()
                }
                std::borrow::Cow::Owned(_) => "the text there is not shown".to_owned(),
            };
            format!("line {}, column {}: {why}", e.line, e.col)
        })?;
        Ok(SnowSqlConfig { ini })
    }

    /// Connection `name`: the keys of `[connections.NAME]` over those of `[connections]`. `None`
    /// when there is no `[connections.NAME]`.
    pub fn connection(&self, name: &str) -> Option<Pairs> {
        let named = self.section(&section_of(name))?;
        let mut pairs = named;
        for (key, value) in self.section(CONNECTIONS).unwrap_or_default() {
            if !pairs.iter().any(|(k, _)| *k == key) {
                pairs.push((key, value));
            }
        }
        Some(pairs)
    }

    /// SnowSQL's default connection, `[connections]`; `None` when it has no key.
    pub fn default_connection(&self) -> Option<Pairs> {
        self.section(CONNECTIONS).filter(|pairs| !pairs.is_empty())
    }

    /// The keys of every section called `name` (a later one wins), keys in lower case as SnowSQL
    /// compares them, quote escapes undone.
    fn section(&self, name: &str) -> Option<Pairs> {
        let mut found = false;
        let mut pairs: Pairs = Vec::new();
        for properties in self.ini.section_all(Some(name)) {
            found = true;
            for (key, value) in properties.iter() {
                let key = key.trim().to_lowercase();
                pairs.retain(|(k, _)| *k != key);
                pairs.push((key, unescape_quotes(value)));
            }
        }
        found.then_some(pairs)
    }
}

/// The section of connection `name`.
fn section_of(name: &str) -> String {
    format!("{CONNECTIONS}.{name}")
}

/// `\"` and `\'` as the quotes they stand for (SnowSQL's escapes); any other backslash is kept.
fn unescape_quotes(value: &str) -> String {
    value.replace("\\\"", "\"").replace("\\'", "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SnowSqlConfig {
        match SnowSqlConfig::parse(text) {
            Ok(config) => config,
            Err(e) => panic!("{e}"),
        }
    }

    fn get(pairs: &Pairs, key: &str) -> Option<String> {
        pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    /// The quoting and comment rules of SnowSQL's documentation ("Configuring SnowSQL").
    #[test]
    fn quotes_escapes_and_comments() {
        let config = parse(
            "[connections.dev]\n\
             password = \"my$^\\\"\\'pwd\" # the password\n\
             username = 'x#y;z'\n\
             accountname = xy12345 # a comment\n\
             dbname = plain\\\"quote\n\
             private_key_path = C:\\keys\\rsa.p8\n\
             # accountname = commented-out\n",
        );
        let pairs = config.connection("dev").unwrap_or_default();
        assert_eq!(get(&pairs, "password").as_deref(), Some("my$^\"'pwd"));
        assert_eq!(get(&pairs, "username").as_deref(), Some("x#y;z"));
        assert_eq!(get(&pairs, "accountname").as_deref(), Some("xy12345"));
        assert_eq!(get(&pairs, "dbname").as_deref(), Some("plain\"quote"));
        assert_eq!(
            get(&pairs, "private_key_path").as_deref(),
            Some("C:\\keys\\rsa.p8")
        );
    }

    /// A named connection takes what it does not set from `[connections]`.
    #[test]
    fn named_connection_over_defaults() {
        let config = parse(
            "[connections]\naccountname = xy12345\nusername = demo\n\n\
             [connections.other]\nusername = other\n",
        );
        let pairs = config.connection("other").unwrap_or_default();
        assert_eq!(get(&pairs, "username").as_deref(), Some("other"));
        assert_eq!(get(&pairs, "accountname").as_deref(), Some("xy12345"));
        assert!(config.connection("missing").is_none());
        let default = config.default_connection().unwrap_or_default();
        assert_eq!(get(&default, "username").as_deref(), Some("demo"));
    }

    /// Every connection key SnowSQL documents that matters to a login is a name of sfmfa's option
    /// table (which is how they are applied).
    #[test]
    fn snowsql_keys_are_option_names() {
        for key in [
            "accountname",
            "username",
            "password",
            "authenticator",
            "host",
            "port",
            "protocol",
            "region",
            "dbname",
            "databasename",
            "schemaname",
            "warehousename",
            "rolename",
        ] {
            assert!(
                sfmfa::config::find_option(key).is_some(),
                "{key} is not an option name"
            );
        }
    }

    /// An unclosed quote is reported by position, without the text.
    #[test]
    fn parse_error_hides_the_text() {
        let e = match SnowSqlConfig::parse("[connections]\npassword = \"s3cr3t-pw\n") {
            Ok(_) => panic!("parsed"),
            Err(e) => e,
        };
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(e.contains("quote is not closed"), "{e}");
    }
}
