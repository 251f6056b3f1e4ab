//! The invariants the fuzz targets check on every input. `tests/fuzz_corpus.rs` runs them over the
//! committed seed corpus in `cargo test`, so they build and hold on stable too.
//!
//! For any text: parsing never panics, nor does anything read from the result; every byte offset a
//! message or warning names is inside the string; a password placed in the string never appears in
//! an error, a warning or a `Debug` print; a value quoted the format's way (percent-encoding,
//! `{…}` with `}}`) reads back as itself; the auto-detecting entry point agrees with the parser it
//! picks.
#![allow(dead_code)]

use sfmfa::config::OPTIONS;
use sfmfa::connstr::Format;
use sfmfa::{Config, Error};

/// A password no input holds by chance; it must never reach a message.
pub const MARKER: &str = "Zq9-MARKER-xK2";

/// `s` percent-decoded (lossy): what a value shown in a message may read like.
fn decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Every text a parse result exposes (error, hint, warnings, Debug, validation), after reading every
/// option back and checking that each byte offset named is inside `s`.
fn inspect(s: &str, result: &Result<Config, Error>) -> Vec<String> {
    let mut texts = Vec::new();
    match result {
        Ok(c) => {
            for w in c.warnings() {
                if let Some(p) = w.position() {
                    assert!(
                        p < s.len().max(1),
                        "warning at byte {p} of {} bytes",
                        s.len()
                    );
                }
                texts.push(w.to_string());
            }
            for spec in OPTIONS {
                let _ = c.get(spec.name);
            }
            let _ = (c.second_factor(), c.host(), c.port(), c.protocol());
            if let Err(e) = c.validate() {
                texts.push(e.to_string());
            }
            texts.push(format!("{c:?}"));
        }
        Err(e) => {
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
            texts.extend(e.hint().map(str::to_owned));
        }
    }
    // A value shown in a message may itself read "byte 123": check the offsets only when it cannot.
    let offsets_are_ours = !decoded(s).contains("byte");
    for t in texts.iter().filter(|_| offsets_are_ours) {
        for p in byte_offsets(t) {
            assert!(p <= s.len(), "'byte {p}' of {} bytes in: {t}", s.len());
        }
    }
    texts
}

/// The numbers after "byte " in a message.
fn byte_offsets(text: &str) -> Vec<usize> {
    text.match_indices("byte ")
        .filter_map(|(i, m)| {
            let digits: String = text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

fn assert_no_marker(what: &str, texts: &[String]) {
    for t in texts {
        assert!(!t.contains(MARKER), "{what}: the password is in: {t}");
    }
}

/// What `Config::get` reads back for a text option set to `v`.
fn text_value(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `s` as a JDBC URL.
pub fn jdbc_url(s: &str) {
    inspect(s, &Config::from_jdbc_url(s));

    // A password first, the input as the rest of the query: the password is in no message. (Skipped
    // when the input itself spells the marker, even percent-encoded.)
    if !decoded(s).contains(MARKER) {
        let rest = s.split_once('?').map_or(s, |(_, q)| q);
        let url = format!("jdbc:snowflake://h.example.com/?password={MARKER}&{rest}");
        assert_no_marker(&url, &inspect(&url, &Config::from_jdbc_url(&url)));
    }

    // Any text, percent-encoded, reads back as itself.
    let encoded = percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC);
    let url = format!("jdbc:snowflake://h.example.com/?role={encoded}");
    match Config::from_jdbc_url(&url) {
        Ok(c) => assert_eq!(c.get("role").ok().flatten(), text_value(s), "{url}"),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// `s` as an ODBC connection string.
pub fn odbc_string(s: &str) {
    inspect(s, &Config::from_odbc_connection_string(s));

    // A password first, in braces: it is in no message, whatever follows.
    if !s.contains(MARKER) {
        let odbc = format!("PWD={{{MARKER}}};{s}");
        assert_no_marker(
            &odbc,
            &inspect(&odbc, &Config::from_odbc_connection_string(&odbc)),
        );
    }

    // Any text in braces, '}' doubled, reads back as itself.
    let odbc = format!("UID=u;role={{{}}}", s.replace('}', "}}"));
    match Config::from_odbc_connection_string(&odbc) {
        Ok(c) => assert_eq!(c.get("role").ok().flatten(), text_value(s), "{odbc}"),
        Err(e) => panic!("{odbc}: {e}"),
    }
}

/// `s` through the entry point that detects the format: the same result as the parser it picks.
pub fn connection_string(s: &str) {
    let result = Config::from_connection_string(s);
    inspect(s, &result);
    let direct = match Format::detect(s) {
        Ok(Format::Jdbc) => Config::from_jdbc_url(s),
        Ok(Format::Odbc) => Config::from_odbc_connection_string(s),
        Err(e) => Err(e),
    };
    let shown = |r: &Result<Config, Error>| match r {
        Ok(c) => format!("{c:?}"),
        Err(e) => format!("{e:?}"),
    };
    assert_eq!(shown(&result), shown(&direct), "{s}");
}

/// The login's secrets as the login-answer checks give them: a password and a passcode no input
/// holds by chance.
pub const ANSWER_SECRETS: [&str; 2] = [MARKER, "864213"];

/// A login answer (any bytes, as a server could send): reading it never panics; what it turns into
/// (the refusal's or the parse error's message and hint, or the description of an answer the login
/// goes on with) holds no control character, stays bounded, and holds no form of the login's
/// secrets in any ASCII case, even when the server echoes them.
pub fn login_answer(body: &[u8]) {
    let texts = match sfmfa::fuzzing::login_answer(body, &ANSWER_SECRETS) {
        Ok(description) => vec![description],
        Err(e) => vec![
            e.message().to_owned(),
            e.hint().unwrap_or_default().to_owned(),
            format!("{e:?}"),
        ],
    };
    for text in &texts {
        assert!(
            !text.chars().any(char::is_control),
            "control character in {text:?}"
        );
        assert!(text.len() < 6000, "{} bytes", text.len());
        let lower = text.to_ascii_lowercase();
        for secret in ANSWER_SECRETS {
            let secret = secret.to_ascii_lowercase();
            let encoded =
                percent_encoding::utf8_percent_encode(&secret, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    .to_ascii_lowercase();
            assert!(!lower.contains(&secret), "a secret in {text:?}");
            assert!(
                !lower.contains(&encoded),
                "a percent-encoded secret in {text:?}"
            );
        }
    }
}
