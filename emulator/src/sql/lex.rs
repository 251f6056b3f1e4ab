//! Splits SQL text into tokens: words, quoted identifiers, string literals, numbers and symbols.
//! Comments (`--`, `//`, `/* */`) and white space are skipped.

use super::error::SqlError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An unquoted word (identifier or keyword), as written.
    Word(String),
    /// A `"quoted"` identifier, with `""` unescaped.
    Quoted(String),
    /// A `'string'` literal, with `''` and backslash escapes unescaped.
    Str(String),
    /// An unsigned integer literal.
    Num(i64),
    /// Punctuation or an operator: `, ( ) . ; * = < > <= >= <> != =>` and `-`, `+`.
    Sym(&'static str),
}

impl Tok {
    /// How an error names the token. A string literal is never quoted back: it may be a password.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("'{w}'"),
            Tok::Quoted(q) => format!("'\"{q}\"'"),
            Tok::Str(_) => "a string literal".to_string(),
            Tok::Num(n) => format!("'{n}'"),
            Tok::Sym(s) => format!("'{s}'"),
        }
    }
}

const SYMBOLS: [&str; 16] = [
    "=>", "<=", ">=", "<>", "!=", ",", "(", ")", ".", ";", "*", "=", "<", ">", "-", "+",
];

/// Tokenises `sql`.
pub fn tokens(sql: &str) -> Result<Vec<Tok>, SqlError> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if sql[i..].starts_with("--") || sql[i..].starts_with("//") {
            i = sql[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map(|n| i + 2 + n + 2)
                .ok_or_else(|| SqlError::syntax("unterminated comment"))?;
        } else if c == b'\'' {
            let (s, next) = string_literal(sql, i)?;
            out.push(Tok::Str(s));
            i = next;
        } else if c == b'"' {
            let (s, next) = quoted_identifier(sql, i)?;
            out.push(Tok::Quoted(s));
            i = next;
        } else if c.is_ascii_digit() {
            let end = sql[i..]
                .find(|ch: char| !ch.is_ascii_digit())
                .map_or(b.len(), |n| i + n);
            let n = sql[i..end]
                .parse()
                .map_err(|_| SqlError::syntax("number out of range"))?;
            out.push(Tok::Num(n));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let end = sql[i..]
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '$'))
                .map_or(b.len(), |n| i + n);
            out.push(Tok::Word(sql[i..end].to_string()));
            i = end;
        } else if let Some(sym) = SYMBOLS.iter().find(|s| sql[i..].starts_with(**s)) {
            out.push(Tok::Sym(sym));
            i += sym.len();
        } else {
            let ch = sql[i..].chars().next().unwrap_or('?');
            return Err(SqlError::syntax(&format!("unexpected character '{ch}'")));
        }
    }
    Ok(out)
}

/// A `'…'` literal starting at `start`: `''` is a quote, and `\'`, `\\`, `\n`, `\t` are escapes.
fn string_literal(sql: &str, start: usize) -> Result<(String, usize), SqlError> {
    let mut out = String::new();
    let mut chars = sql[start + 1..].char_indices();
    while let Some((j, ch)) = chars.next() {
        match ch {
            '\'' => {
                if sql[start + 1 + j + 1..].starts_with('\'') {
                    out.push('\'');
                    chars.next();
                } else {
                    return Ok((out, start + 1 + j + 1));
                }
            }
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, c)) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(SqlError::syntax("unterminated string literal"))
}

/// A `"…"` identifier starting at `start`; `""` is a double quote.
fn quoted_identifier(sql: &str, start: usize) -> Result<(String, usize), SqlError> {
    let mut out = String::new();
    let mut chars = sql[start + 1..].char_indices();
    while let Some((j, ch)) = chars.next() {
        if ch == '"' {
            if sql[start + 1 + j + 1..].starts_with('"') {
                out.push('"');
                chars.next();
            } else {
                return Ok((out, start + 1 + j + 1));
            }
        } else {
            out.push(ch);
        }
    }
    Err(SqlError::syntax("unterminated quoted identifier"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_strings_numbers_symbols_and_comments() {
        let t =
            tokens("SELECT a, \"b\"\"c\" -- x\n FROM t WHERE x >= 'it''s' /* y */ AND n => 42;")
                .expect("tokens");
        assert_eq!(
            t,
            vec![
                Tok::Word("SELECT".into()),
                Tok::Word("a".into()),
                Tok::Sym(","),
                Tok::Quoted("b\"c".into()),
                Tok::Word("FROM".into()),
                Tok::Word("t".into()),
                Tok::Word("WHERE".into()),
                Tok::Word("x".into()),
                Tok::Sym(">="),
                Tok::Str("it's".into()),
                Tok::Word("AND".into()),
                Tok::Word("n".into()),
                Tok::Sym("=>"),
                Tok::Num(42),
                Tok::Sym(";"),
            ]
        );
    }

    #[test]
    fn unterminated_literals_are_errors_that_do_not_echo_the_text() {
        let e = tokens("ALTER USER x SET PASSWORD = 'hunter2").expect_err("unterminated");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        assert!(tokens("\"abc").is_err());
        assert!(tokens("/* abc").is_err());
    }
}
