//! Text that comes from the server, made fit for an error message: scrubbed of every form of the
//! login's secrets, control characters escaped, length bounded.
//!
//! A server's message may echo the request (a proxy's error page, a misconfigured gateway, a
//! server bug); whatever it holds must not put a secret, a terminal escape sequence or a NUL into
//! an error that C, Java, Python or a terminal will show.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;
use crate::secret::Secret;

/// The longest server text kept in a message, in characters; the rest is cut and counted.
pub(crate) const MAX_CHARS: usize = 512;

/// What stands where a secret was.
const MASK: &str = "****";

/// Secrets shorter than this (in bytes) are not masked inside the text, which would blank out
/// ordinary words; when one appears, the whole text is withheld instead.
const MIN_MASKED: usize = 3;

/// Characters a URL query keeps unescaped (RFC 3986 unreserved): the other percent-encoded form.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Every form in which the login's secrets could come back in a server's text.
pub(crate) struct Scrubber {
    /// Lower-cased (ASCII) forms, longest first so that a form containing another is masked whole.
    forms: Vec<zeroize::Zeroizing<String>>,
    /// Whether a secret too short to mask was given.
    short: Vec<zeroize::Zeroizing<String>>,
}

impl Scrubber {
    /// The forms of `secrets`: as given, JSON-escaped, percent-encoded (every non-alphanumeric
    /// byte, or only the reserved ones), form-encoded (`+` for a space), each matched without
    /// regard to ASCII case.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut forms = Vec::new();
        let mut short = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let json = serde_json::to_string(secret).unwrap_or_default();
            let json = json
                .strip_prefix('"')
                .and_then(|j| j.strip_suffix('"'))
                .unwrap_or_default()
                .to_owned();
            let all = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
            let query = utf8_percent_encode(secret, QUERY).to_string();
            let form = query.replace("%20", "+");
            for form in [secret.to_owned(), json, all, query, form] {
                let form = zeroize::Zeroizing::new(form.to_ascii_lowercase());
                let list = if form.len() < MIN_MASKED {
                    &mut short
                } else {
                    &mut forms
                };
                if !form.is_empty() && !list.contains(&form) {
                    list.push(form);
                }
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Scrubber { forms, short }
    }

    /// The forms of the given secrets (absent ones skipped).
    pub(crate) fn of(secrets: &[Option<&Secret>]) -> Self {
        Self::new(secrets.iter().flatten().map(|s| s.expose()))
    }

    /// Whether `text` holds a form of a secret long enough to mask (without regard to ASCII case).
    pub(crate) fn holds_secret(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        self.forms.iter().any(|f| lower.contains(f.as_str()))
    }

    /// `text` with every form of every secret replaced by `****`, or `None` when a secret too short
    /// to mask appears in it (the caller then shows no server text at all).
    pub(crate) fn scrub(&self, text: &str) -> Option<String> {
        let lower = text.to_ascii_lowercase();
        if self.short.iter().any(|s| lower.contains(s.as_str())) {
            return None;
        }
        // Byte ranges to mask, found in the lower-cased copy (ASCII lower-casing keeps offsets).
        let mut masked = vec![false; text.len()];
        for form in &self.forms {
            let mut from = 0;
            while let Some(at) = lower[from..].find(form.as_str()) {
                let start = from + at;
                masked[start..start + form.len()].fill(true);
                from = start + form.len();
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut in_mask = false;
        for (i, c) in text.char_indices() {
            if masked[i] {
                if !in_mask {
                    out.push_str(MASK);
                }
                in_mask = true;
            } else {
                in_mask = false;
                out.push(c);
            }
        }
        Some(out)
    }
}

/// `text` fit for a message: control characters (C0, DEL, C1) and the Unicode characters that
/// reorder or hide text (bidi controls, zero-width) written as `\u{…}`, at most [`MAX_CHARS`]
/// characters followed by how many were cut.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 2));
    let total = text.chars().count();
    for c in text.chars().take(MAX_CHARS) {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    if total > MAX_CHARS {
        out.push_str(&format!(" … ({} more characters)", total - MAX_CHARS));
    }
    out
}

/// A JSON parse error of a server's answer, for a message: what and where, without the values
/// serde quotes (an answer's value may be a token): `invalid type: string "…", expected u64 at line
/// 1 column 40`.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    // Everything between the first and the last quote is the answer's (a value may itself hold
    // quotes, escaped or not); what serde writes around it (the kind of error, what it expected,
    // where) stays.
    let text = e.to_string();
    let is_quote = |c: char| c == '"' || c == '`';
    let shown = match (text.find(is_quote), text.rfind(is_quote)) {
        (Some(first), Some(last)) if first < last => {
            format!("{}\"…\"{}", &text[..first], &text[last + 1..])
        }
        (Some(first), _) => format!("{}…", &text[..first]),
        _ => text,
    };
    sanitize(&shown)
}

/// The error of a server's refusal (`success: false`, `code`, `message`): the documented code's
/// message, with the server's own text cleaned by `scrubber` (or withheld, saying so).
pub(crate) fn refusal(code: u32, message: Option<&str>, scrubber: &Scrubber) -> Error {
    // A server that echoes the request may put a passcode where the code goes.
    if scrubber.holds_secret(&code.to_string()) {
        return Error::from_failure(
            crate::error::Failure::ServerError,
            "the server refused the login with a code that repeats a secret of the login (code and \
             text withheld)",
        );
    }
    // Scrubbed here; `Error::from_server` sanitises (once: a second cut would miscount).
    match message.map(|m| scrubber.scrub(m)) {
        Some(None) => Error::from_server(code, None).with_context(
            "the server's text was withheld: it contained a secret too short to mask",
        ),
        Some(Some(m)) => Error::from_server(code, Some(&m)),
        None => Error::from_server(code, None),
    }
}

/// A server's `nextAction`, which may end up in a message: scrubbed by `scrubber`, then cut and
/// sanitised like an identifier; a known action comes back as it was.
pub(crate) fn next_action(text: &str, scrubber: &Scrubber) -> String {
    match scrubber.scrub(text) {
        Some(scrubbed) => identifier(&scrubbed).into_owned(),
        None => "(withheld: it held a secret)".to_owned(),
    }
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}') // zero-width no-break space
}

/// A server's short identifier (a `nextAction`, a code it sent) for a message: sanitised and cut
/// to 64 characters.
pub(crate) fn identifier(text: &str) -> Cow<'_, str> {
    if text.chars().count() <= 64 && !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let cut: String = text.chars().take(64).collect();
    Cow::Owned(sanitize(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(text: &str, secrets: &[&str]) -> Option<String> {
        Scrubber::new(secrets.iter().copied()).scrub(text)
    }

    #[test]
    fn every_form_of_a_secret_is_masked() {
        let pw = "p@ss word\"é";
        let json = r#"p@ss word\"é"#;
        let pct = "p%40ss%20word%22%C3%A9";
        let form = "p%40ss+word%22%C3%A9";
        for text in [
            pw,
            json,
            pct,
            form,
            &pw.to_ascii_uppercase(),
            &pct.to_lowercase(),
        ] {
            let said = format!("bad login for [{text}]");
            assert_eq!(
                scrub(&said, &[pw]).as_deref(),
                Some("bad login for [****]"),
                "{said}"
            );
        }
    }

    #[test]
    fn overlapping_and_repeated_secrets_leave_no_piece() {
        // Passcode in password: the whole password, its password part and its passcode part.
        let out = scrub(
            "got secret123456, then secret and 123456 and 123456secret",
            &["secret123456", "secret", "123456"],
        );
        assert_eq!(
            out.as_deref(),
            Some("got ****, then **** and **** and ****")
        );
    }

    #[test]
    fn a_short_secret_withholds_the_text() {
        assert_eq!(scrub("password 'ab' rejected", &["ab"]), None);
        assert_eq!(
            scrub("password rejected", &["ab"]).as_deref(),
            Some("password rejected")
        );
    }

    #[test]
    fn control_characters_are_escaped_and_length_bounded() {
        assert_eq!(
            sanitize("a\0b\x1b[31mc\u{202e}d"),
            "a\\u{0}b\\u{1b}[31mc\\u{202e}d"
        );
        let long = "x".repeat(MAX_CHARS + 10);
        let out = sanitize(&long);
        assert!(out.starts_with(&"x".repeat(MAX_CHARS)));
        assert!(out.ends_with("(10 more characters)"), "{out}");
        assert_eq!(
            sanitize("Incorrect passcode was specified."),
            "Incorrect passcode was specified."
        );
    }

    #[test]
    fn json_errors_keep_no_value_even_with_quotes_inside() {
        // Found by the login_answer fuzz target: a value with a quote inside.
        let e = serde_json::from_str::<u64>(r#""a\"b 864213(\"c""#).unwrap_err();
        let shown = json_error(&e);
        assert!(!shown.contains("864213"), "{shown}");
        assert!(shown.contains("expected u64"), "{shown}");
    }

    #[test]
    fn json_errors_keep_no_value() {
        let e = serde_json::from_str::<u64>(r#""tok-secret-123""#).unwrap_err();
        let shown = json_error(&e);
        assert!(!shown.contains("tok-secret-123"), "{shown}");
        assert!(shown.contains("invalid type"), "{shown}");
    }

    #[test]
    fn identifiers_are_cut_and_escaped() {
        assert_eq!(identifier("EXT_AUTHN_SUCCESS"), "EXT_AUTHN_SUCCESS");
        assert_eq!(identifier("A\x1b[2J"), "A\\u{1b}[2J");
        assert_eq!(identifier(&"y".repeat(100)).chars().count(), 64);
    }
}
