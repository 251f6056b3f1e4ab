//! The configuration under hostile input (issue 14, items 2 and 9): no value that could be a secret
//! is echoed in a message, whatever option (or option name) it was given as; connection strings and
//! values have a size limit; warnings are bounded.

use sfmfa::config::{OPTIONS, OptionType};
use sfmfa::{Config, ErrorKind};

/// Texts a user could have typed where an option value or name was expected.
const SECRETS: &[&str] = &[
    "518273",
    "Tr0ub4dor&3",
    "hunter2secret",
    "correct horse battery staple",
    "pw;with=odd{chars}",
];

fn all_text(e: &sfmfa::Error) -> String {
    format!("{e} | {e:?} | {}", e.hint().unwrap_or_default())
}

fn assert_hidden(text: &str, secret: &str, what: &str) {
    assert!(
        !text.contains(secret),
        "{what}: '{secret}' is echoed in: {text}"
    );
}

/// Every option whose value is checked, given a secret: the error names the option and never the
/// value.
#[test]
fn an_invalid_value_is_never_echoed_whatever_the_option() {
    let mut failures = 0;
    for spec in OPTIONS {
        for secret in SECRETS {
            let Err(e) = Config::new().set(spec.name, secret) else {
                continue;
            };
            failures += 1;
            assert_eq!(e.kind(), ErrorKind::InvalidValue, "{}", spec.name);
            let text = all_text(&e);
            assert!(
                text.contains(&format!("'{}'", spec.name)),
                "{}: {text}",
                spec.name
            );
            assert_hidden(&text, secret, spec.name);
        }
    }
    assert!(
        failures >= 10,
        "typed options refuse free text ({failures})"
    );
    // The example of the issue.
    let e = Config::new()
        .set("passcode_in_password", "518273")
        .unwrap_err();
    let text = all_text(&e);
    assert!(
        text.contains("'passcode_in_password'") && text.contains("expected"),
        "{text}"
    );
    assert_hidden(&text, "518273", "passcode_in_password");
    for (key, ty) in [("login_timeout", "seconds"), ("port", "port")] {
        let e = Config::new().set(key, "Tr0ub4dor&3").unwrap_err();
        assert_hidden(&all_text(&e), "Tr0ub4dor", ty);
    }
    // The same through both connection-string formats.
    for s in [
        "jdbc:snowflake://h.example.com/?login_timeout=Tr0ub4dor%263",
        "jdbc:snowflake://h.example.com/?passcodeInPassword=518273",
        "UID=demo;login_timeout={Tr0ub4dor&3}",
        "UID=demo;passcodeInPassword=518273",
        "Server=h.example.com;port=518273",
        "Server=Tr0ub4dor@3;UID=demo",
    ] {
        let e = Config::from_connection_string(s).unwrap_err();
        let text = all_text(&e);
        assert_hidden(&text, "Tr0ub4dor", s);
        assert_hidden(&text, "518273", s);
    }
}

/// `http` for a host that is not loopback: the host is not echoed (it could be anything typed).
#[test]
fn the_http_check_does_not_echo_the_host() {
    let mut c = Config::new();
    c.set("account", "a")
        .unwrap()
        .set("user", "u")
        .unwrap()
        .set("password", "p")
        .unwrap()
        .set("host", "Tr0ub4dor.3")
        .unwrap()
        .set("protocol", "http")
        .unwrap();
    let e = c.validate().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert_hidden(&all_text(&e).to_lowercase(), "tr0ub4dor", "validate");
}

/// An unknown option name is shown only when it looks like an option name (letters, `_`, `-`, `.`;
/// no digit, at most 64 characters): anything else could be a secret typed in the wrong place. The
/// nearest known name is still suggested.
#[test]
fn an_unknown_name_that_could_be_a_secret_is_not_echoed() {
    for secret in SECRETS {
        let e = Config::new().set(secret, "x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownOption);
        let text = all_text(&e);
        assert_hidden(&text, secret, "Config::set name");
        assert!(
            text.contains(&format!("{} characters", secret.chars().count())),
            "{text}"
        );
        let e = Config::new().get(secret).unwrap_err();
        assert_hidden(&all_text(&e), secret, "Config::get name");
    }
    // A typo still gets its suggestion, with or without being shown.
    let e = Config::new().set("passcode1", "x").unwrap_err();
    let text = all_text(&e);
    assert!(
        !text.contains("passcode1") && text.contains("'passcode'"),
        "{text}"
    );
    let e = Config::new().set("wharehouse", "x").unwrap_err();
    let text = all_text(&e);
    assert!(
        text.contains("'wharehouse'") && text.contains("'warehouse'"),
        "{text}"
    );
}

/// Connection strings: unknown keys, keys whose value has a syntax error, text without `=`.
#[test]
fn connection_string_keys_that_could_be_secrets_are_not_echoed() {
    let c = Config::from_connection_string("UID=demo;Tr0ub4dor3=x;hunter2secret=y;wharehouse=w")
        .unwrap();
    let w: Vec<String> = c.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 3, "{w:?}");
    for text in &w {
        assert_hidden(text, "Tr0ub4dor", "warning");
        assert_hidden(text, "hunter2", "warning");
    }
    assert!(w[2].contains("'wharehouse'"), "{w:?}");
    let c = Config::from_connection_string(
        "jdbc:snowflake://h.example.com/?user=u&518273=1&Tr0ub4dor3&x=1",
    )
    .unwrap();
    for text in c.warnings().iter().map(ToString::to_string) {
        assert_hidden(&text, "518273", "JDBC warning");
        assert_hidden(&text, "Tr0ub4dor", "JDBC warning");
    }
    for s in [
        "UID=demo;Tr0ub4dor3={abc",
        "UID=demo;Tr0ub4dor3={abc}x",
        "jdbc:snowflake://h.example.com/?Tr0ub4dor3=%zz",
        "jdbc:snowflake://h.example.com/?Tr0ub4dor3=%ff",
    ] {
        let e = Config::from_connection_string(s).unwrap_err();
        assert_hidden(&all_text(&e), "Tr0ub4dor", s);
    }
}

/// A 1 MiB connection string of unknown keys is refused at once, naming the limit.
#[test]
fn a_huge_connection_string_is_refused() {
    let pair = "someUnknownKey=1;";
    let s = pair.repeat((1 << 20) / pair.len());
    let e = Config::from_connection_string(&s).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.message().contains("65536"), "{}", e.message());
    let url = format!(
        "jdbc:snowflake://h.example.com/?{}",
        "someUnknownKey=1&".repeat((1 << 20) / pair.len())
    );
    let e = Config::from_connection_string(&url).unwrap_err();
    assert!(e.message().contains("65536"), "{}", e.message());
}

/// Below the size limit, warnings are bounded: the first 50, then one that counts the rest.
#[test]
fn warnings_are_bounded() {
    let n = 3000;
    let s: String = (0..n).map(|i| format!("unknownKey{i}=1;")).collect();
    assert!(s.len() < 65536);
    let c = Config::from_connection_string(&s).unwrap();
    let w: Vec<String> = c.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 51, "50 warnings and a summary");
    assert!(
        w[50].contains(&format!("{} more warnings", n - 50)),
        "{}",
        w[50]
    );
    // Long keys: no nearest-name search (it costs length × length), one warning each.
    let key = "k".repeat(60_000);
    let c = Config::from_connection_string(&format!("{key}=1")).unwrap();
    assert_eq!(c.warnings().len(), 1);
    assert!(!c.warnings()[0].to_string().contains("nearest"));
}

/// An option value beyond the limit is refused with the limit named, never the value.
#[test]
fn a_huge_value_is_refused() {
    for spec in OPTIONS {
        let value = if spec.ty == OptionType::Secret {
            "s".repeat(100_000)
        } else {
            "v".repeat(100_000)
        };
        let e = Config::new().set(spec.name, &value).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue, "{}", spec.name);
        let text = all_text(&e);
        assert!(text.contains("8192"), "{}: {text}", spec.name);
        assert!(text.len() < 1000, "{}: {} bytes", spec.name, text.len());
    }
}
