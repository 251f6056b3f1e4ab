//! Driver-style configuration: every name of every option, boolean spellings, the precedence of the
//! second factor, JDBC URLs and ODBC connection strings (syntax, errors with positions, no secret in
//! any message), and the seed examples of Snowflake's MFA page against the emulator.

mod common;

use common::*;
use sfmfa::config::{OPTIONS, OptionSpec, OptionType, Support, WarnWhen};
use sfmfa::{Config, ErrorKind, SecondFactor};
use sfmfa_emulator::{PushBehaviour, UserConfig};

fn get(c: &Config, name: &str) -> Option<String> {
    c.get(name).unwrap()
}

fn warnings(c: &Config) -> Vec<String> {
    c.warnings().iter().map(ToString::to_string).collect()
}

fn jdbc(query: &str) -> Config {
    let url = format!("jdbc:snowflake://xy12345.snowflakecomputing.com/?{query}");
    Config::from_connection_string(&url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn odbc(s: &str) -> Config {
    Config::from_connection_string(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn parse_err(s: &str) -> sfmfa::Error {
    match Config::from_connection_string(s) {
        Ok(_) => panic!("{s}: parsed, expected an error"),
        Err(e) => e,
    }
}

/// A value of the option's type that differs from its default, and how `Config::get` reads it back.
fn sample(spec: &OptionSpec) -> (&'static str, &'static str) {
    match spec.ty {
        OptionType::Bool if matches!(spec.default, Some("true" | "on")) => ("off", "false"),
        OptionType::Bool => ("on", "true"),
        OptionType::Port => ("8443", "8443"),
        OptionType::Seconds => ("30", "30"),
        OptionType::OneOf(words) => {
            let last = words[words.len() - 1];
            (last, last)
        }
        OptionType::Secret => ("s3cret-sample", "****"),
        OptionType::Path => ("/etc/ssl/ca.pem", "/etc/ssl/ca.pem"),
        OptionType::Text => ("sample-text", "sample-text"),
    }
}

/// Each name of each option, through `Config::set`, a JDBC URL and an ODBC string, reaches that
/// option: the option reads back the value, and no key is reported unknown.
#[test]
fn every_name_of_every_option_reaches_its_option() {
    let mut checked = 0;
    for spec in OPTIONS {
        let (value, expected) = sample(spec);
        for name in spec.names() {
            let mut via_set = Config::new();
            via_set.set(name, value).unwrap();
            let via_jdbc = Config::from_connection_string(&format!(
                "jdbc:snowflake://127.0.0.1/?{name}={}",
                value.replace('/', "%2F")
            ))
            .unwrap();
            let via_odbc = Config::from_connection_string(&format!("{name}={value}")).unwrap();
            for (how, c) in [("set", &via_set), ("jdbc", &via_jdbc), ("odbc", &via_odbc)] {
                let got = get(c, spec.name);
                if spec.support == Support::Used {
                    assert_eq!(
                        got.as_deref(),
                        Some(expected),
                        "{how}: {name} -> {}",
                        spec.name
                    );
                } else {
                    assert_eq!(
                        got, None,
                        "{how}: {name}: sfmfa keeps no value of {}",
                        spec.name
                    );
                }
                let w = warnings(c);
                assert!(
                    w.iter().all(|w| !w.contains("unknown key")),
                    "{how}: {name}: {w:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked} checks");
}

/// The names the drivers' documentation uses, row by row (Snowflake's MFA page, the JDBC and ODBC
/// parameter references, SnowSQL's flags and config keys, the Python and Node.js options).
#[test]
fn each_drivers_spelling_means_the_same_option() {
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        // driver, key, value, option, read back
        (
            "JDBC",
            "passcodeInPassword",
            "on",
            "passcode_in_password",
            "true",
        ),
        (
            "ODBC",
            "passcodeInPassword",
            "on",
            "passcode_in_password",
            "true",
        ),
        (
            "Python",
            "passcode_in_password",
            "True",
            "passcode_in_password",
            "true",
        ),
        (
            "Node.js",
            "passcodeInPassword",
            "true",
            "passcode_in_password",
            "true",
        ),
        (
            "SnowSQL",
            "--mfa-passcode-in-password",
            "1",
            "passcode_in_password",
            "true",
        ),
        ("JDBC", "passcode", "123456", "passcode", "****"),
        ("SnowSQL", "--mfa-passcode", "123456", "passcode", "****"),
        ("sfmfa", "mfa_passcode", "123456", "passcode", "****"),
        (
            "JDBC",
            "clientRequestMfaToken",
            "false",
            "client_store_temporary_credential",
            "false",
        ),
        (
            "JDBC",
            "clientStoreTemporaryCredential",
            "false",
            "client_store_temporary_credential",
            "false",
        ),
        (
            "ODBC",
            "CLIENT_REQUEST_MFA_TOKEN",
            "false",
            "client_store_temporary_credential",
            "false",
        ),
        (
            "Python",
            "client_request_mfa_token",
            "False",
            "client_store_temporary_credential",
            "false",
        ),
        (
            "Node.js",
            "clientRequestMFAToken",
            "false",
            "client_store_temporary_credential",
            "false",
        ),
        (
            "ODBC",
            "Server",
            "Host.Example.com",
            "host",
            "host.example.com",
        ),
        ("ODBC", "UID", "demo", "user", "demo"),
        ("ODBC", "PWD", "abc123", "password", "****"),
        ("JDBC", "user", "demo", "user", "demo"),
        ("Node.js", "username", "demo", "user", "demo"),
        ("SnowSQL", "--username", "demo", "user", "demo"),
        ("SnowSQL", "--accountname", "xy12345", "account", "xy12345"),
        ("sfmfa", "accountName", "xy12345", "account", "xy12345"),
        ("JDBC", "db", "SALES", "database", "SALES"),
        ("SnowSQL", "--dbname", "SALES", "database", "SALES"),
        ("SnowSQL", "--schemaname", "PUBLIC", "schema", "PUBLIC"),
        ("SnowSQL", "--rolename", "ANALYST", "role", "ANALYST"),
        ("SnowSQL", "warehousename", "WH", "warehouse", "WH"),
        ("JDBC", "loginTimeout", "45", "login_timeout", "45"),
        ("Python", "login_timeout", "45", "login_timeout", "45"),
        (
            "ODBC",
            "CABundleFile",
            "/etc/ca.pem",
            "ca_file",
            "/etc/ca.pem",
        ),
        ("JDBC", "ssl", "off", "protocol", "http"),
        ("Python", "protocol", "http", "protocol", "http"),
        ("Python", "region", "eu-central-1", "region", "eu-central-1"),
        (
            "JDBC",
            "authenticator",
            "USERNAME_PASSWORD_MFA",
            "authenticator",
            "username_password_mfa",
        ),
    ];
    for (driver, key, value, option, expected) in rows {
        let mut c = Config::new();
        c.set(key, value)
            .unwrap_or_else(|e| panic!("{driver} {key}: {e}"));
        assert_eq!(
            get(&c, option).as_deref(),
            Some(*expected),
            "{driver} {key}={value}"
        );
    }
}

#[test]
fn booleans_accept_every_spelling_in_any_case() {
    for (spellings, expected) in [
        (
            ["on", "ON", "On", "true", "TRUE", "True", "yes", "Yes", "1"],
            "true",
        ),
        (
            [
                "off", "OFF", "Off", "false", "FALSE", "False", "no", "NO", "0",
            ],
            "false",
        ),
    ] {
        for v in spellings {
            for key in ["passcodeInPassword", "passcode_in_password"] {
                let mut c = Config::new();
                // Start from the opposite value so that a no-op cannot pass.
                c.set(key, if expected == "true" { "off" } else { "on" })
                    .unwrap();
                c.set(key, v).unwrap();
                assert_eq!(get(&c, key).as_deref(), Some(expected), "{key}={v}");
            }
            let c = jdbc(&format!("passcodeInPassword={v}"));
            assert_eq!(get(&c, "passcode_in_password").as_deref(), Some(expected));
            let c = odbc(&format!("PASSCODEINPASSWORD = {v} ;"));
            assert_eq!(get(&c, "passcode_in_password").as_deref(), Some(expected));
        }
    }
    for bad in ["maybe", "2", "enabled", "t"] {
        let e = Config::new().set("passcodeInPassword", bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(
            e.message().contains("'passcode_in_password'"),
            "{}",
            e.message()
        );
        let e = parse_err(&format!("UID=u;passcodeInPassword={bad}"));
        assert!(
            e.message().contains("key 'passcodeInPassword' at byte 6"),
            "{}",
            e.message()
        );
    }
}

/// passcode-in-password > passcode > push, whatever the order and whichever entry point; Node.js
/// documents that passcodeInPassword wins when a passcode is given too.
#[test]
fn second_factor_precedence() {
    let mfa = ("authenticator", "username_password_mfa");
    let cases: &[(&[(&str, &str)], SecondFactor)] = &[
        (&[], SecondFactor::Push),
        (&[mfa], SecondFactor::Push),
        (&[("passcode", "123456")], SecondFactor::Passcode),
        (&[mfa, ("passcode", "123456")], SecondFactor::Passcode),
        (
            &[("passcodeInPassword", "on")],
            SecondFactor::PasscodeInPassword,
        ),
        (
            &[mfa, ("passcodeInPassword", "on")],
            SecondFactor::PasscodeInPassword,
        ),
        // The Node.js rule: passcodeInPassword wins over a passcode given too, in either order.
        (
            &[("passcode", "123456"), ("passcodeInPassword", "true")],
            SecondFactor::PasscodeInPassword,
        ),
        (
            &[("passcodeInPassword", "true"), ("passcode", "123456")],
            SecondFactor::PasscodeInPassword,
        ),
        (
            &[
                mfa,
                ("passcode_in_password", "yes"),
                ("--mfa-passcode", "123456"),
            ],
            SecondFactor::PasscodeInPassword,
        ),
        (
            &[("passcode", "123456"), ("passcodeInPassword", "off")],
            SecondFactor::Passcode,
        ),
        // Empty values unset.
        (
            &[("passcode", ""), ("passcodeInPassword", "")],
            SecondFactor::Push,
        ),
        (&[mfa, ("passcode", "")], SecondFactor::Push),
    ];
    for (pairs, expected) in cases {
        let mut via_set = Config::new();
        for (k, v) in *pairs {
            via_set.set(k, v).unwrap();
        }
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let via_jdbc = jdbc(&query.join("&"));
        let via_odbc = odbc(&query.join(";"));
        for (how, c) in [("set", via_set), ("jdbc", via_jdbc), ("odbc", via_odbc)] {
            assert_eq!(c.second_factor(), *expected, "{how}: {pairs:?}");
        }
    }
}

#[test]
fn jdbc_urls() {
    // Host, port, derived account; the path may be '/' or missing; '?' may follow the host directly.
    for url in [
        "jdbc:snowflake://xy12345.snowflakecomputing.com",
        "jdbc:snowflake://xy12345.snowflakecomputing.com/",
        "jdbc:snowflake://xy12345.snowflakecomputing.com/?",
        "jdbc:snowflake://xy12345.snowflakecomputing.com?user=demo",
        "JDBC:SNOWFLAKE://XY12345.snowflakecomputing.com/?user=demo",
        "  jdbc:snowflake://xy12345.snowflakecomputing.com:443/?user=demo  ",
        "jdbc:snowflake://https://xy12345.snowflakecomputing.com/?user=demo",
    ] {
        let c = Config::from_connection_string(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(get(&c, "account").as_deref(), Some("xy12345"), "{url}");
        assert_eq!(
            get(&c, "host").as_deref(),
            Some("xy12345.snowflakecomputing.com")
        );
        assert_eq!(get(&c, "port").as_deref(), Some("443"));
        assert_eq!(get(&c, "protocol").as_deref(), Some("https"));
        assert!(c.warnings().is_empty(), "{url}: {:?}", warnings(&c));
    }
    // An explicit account wins over the host's first label; the host stays the host.
    let c = Config::from_connection_string(
        "jdbc:snowflake://myorg-myacct.privatelink.snowflakecomputing.com:8443/?account=xy12345",
    )
    .unwrap();
    assert_eq!(get(&c, "account").as_deref(), Some("xy12345"));
    assert_eq!(
        get(&c, "host").as_deref(),
        Some("myorg-myacct.privatelink.snowflakecomputing.com")
    );
    assert_eq!(get(&c, "port").as_deref(), Some("8443"));
    // An IP address or a bracketed IPv6 address implies no account; http:// and ssl=off mean http.
    for (url, host, port) in [
        (
            "jdbc:snowflake://127.0.0.1:8080/?ssl=off",
            "127.0.0.1",
            "8080",
        ),
        (
            "jdbc:snowflake://http://127.0.0.1:8080",
            "127.0.0.1",
            "8080",
        ),
        ("jdbc:snowflake://[::1]:9000/?ssl=OFF", "::1", "9000"),
    ] {
        let c = Config::from_connection_string(url).unwrap();
        assert_eq!(get(&c, "account"), None, "{url}");
        assert_eq!(get(&c, "protocol").as_deref(), Some("http"), "{url}");
        assert_eq!(get(&c, "host").as_deref(), Some(host));
        assert_eq!(get(&c, "port").as_deref(), Some(port));
    }
    // Percent-decoding as java.net.URLDecoder: '+' is a space, %2B a plus, UTF-8 escapes.
    let c = jdbc("user=d%C3%A9mo+x%2By&application=My%20App%26Co&role=%41nalyst");
    assert_eq!(get(&c, "user").as_deref(), Some("démo x+y"));
    assert_eq!(get(&c, "application").as_deref(), Some("My App&Co"));
    assert_eq!(get(&c, "role").as_deref(), Some("Analyst"));
    // Keys are case-insensitive and percent-decoded too.
    let c = jdbc("USER=a&PassCodeInPassword=ON&%64atabase=SALES&WAREHOUSE=wh");
    assert_eq!(get(&c, "user").as_deref(), Some("a"));
    assert_eq!(get(&c, "passcode_in_password").as_deref(), Some("true"));
    assert_eq!(get(&c, "database").as_deref(), Some("SALES"));
    assert_eq!(get(&c, "warehouse").as_deref(), Some("wh"));
    // Empty values unset, '&&' and a leading or trailing '&' are nothing, '=' may be in a value,
    // '#' is a character of the value, never a fragment.
    let c = jdbc("&&user=demo&&role=&database=a=b&schema=s#1&");
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    assert_eq!(get(&c, "role"), None);
    assert_eq!(get(&c, "database").as_deref(), Some("a=b"));
    assert_eq!(get(&c, "schema").as_deref(), Some("s#1"));
    assert!(c.warnings().is_empty(), "{:?}", warnings(&c));
    // A pair without '=' or without a key is ignored with a warning that shows no text.
    let c = jdbc("user=demo&secretish&=orphan");
    assert_eq!(
        warnings(&c),
        [
            "text without '=' at byte 59 ignored",
            "a value without a key at byte 69 ignored"
        ]
    );
}

#[test]
fn odbc_strings() {
    // Braces keep ';', '=', blanks and '{'; '}}' is one '}'; blanks around keys and unbraced values go.
    let c = odbc(
        "Driver={SnowflakeDSIIDriver}; Server = XY12345.snowflakecomputing.com ;UID=demo;role={a;b=c }}d{ };warehouse = wh one ;",
    );
    assert_eq!(
        get(&c, "host").as_deref(),
        Some("xy12345.snowflakecomputing.com")
    );
    assert_eq!(get(&c, "account").as_deref(), Some("xy12345"));
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    assert_eq!(get(&c, "role").as_deref(), Some("a;b=c }d{"));
    assert_eq!(get(&c, "warehouse").as_deref(), Some("wh one"));
    assert!(
        c.warnings().is_empty(),
        "Driver is accepted silently: {:?}",
        warnings(&c)
    );
    // Blanks after the closing brace; no trailing ';'; empty pairs; '=' inside an unbraced value.
    let c = odbc(";;UID = {demo}  ;; database=a=b");
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    assert_eq!(get(&c, "database").as_deref(), Some("a=b"));
    // An explicit account wins; an empty string is an empty configuration.
    let c = odbc("server=myacct.eu-central-1.snowflakecomputing.com;account=xy12345");
    assert_eq!(get(&c, "account").as_deref(), Some("xy12345"));
    let c = odbc("");
    assert_eq!(get(&c, "account"), None);
    assert!(c.warnings().is_empty());
    // DSN lookup is not supported: a warning, the other keys still apply.
    let c = odbc("DSN=snowflake_prod;UID=demo");
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    let w = warnings(&c);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("at byte 0") && w[0].contains("reads no odbc.ini"),
        "{w:?}"
    );
    assert!(
        !w[0].contains("snowflake_prod"),
        "no value in a warning: {w:?}"
    );
    // Text without '=' is ignored and not shown.
    let c = odbc("UID=demo;hunter2;role=r");
    assert_eq!(warnings(&c), ["text without '=' at byte 9 ignored"]);
    assert_eq!(get(&c, "role").as_deref(), Some("r"));
}

/// The same option twice with different values: the JDBC URL keeps the last (the JDBC driver's
/// map), the ODBC string the first (SQLDriverConnect's rule); both warn with both positions. Equal
/// repeats are silent.
#[test]
fn repeated_options() {
    let c = jdbc("user=first&role=r&USER=second");
    assert_eq!(get(&c, "user").as_deref(), Some("second"));
    assert_eq!(
        warnings(&c),
        [
            "option 'user' is given twice with different values, as 'user' at byte 49 and 'USER' at byte 67; the last one is used (the JDBC rule)"
        ]
    );
    let c = odbc("UID=first;role=r;user=second");
    assert_eq!(get(&c, "user").as_deref(), Some("first"));
    assert_eq!(
        warnings(&c),
        [
            "option 'user' is given twice with different values, as 'UID' at byte 0 and 'user' at byte 17; the first one is used (the ODBC rule)"
        ]
    );
    // Two names of one option with the same meaning: no warning.
    let c = odbc("passcodeInPassword=on;passcode_in_password=TRUE;UID=a;uid=a");
    assert!(c.warnings().is_empty(), "{:?}", warnings(&c));
    // A repeated secret: the warning names keys only.
    let c = odbc("PWD=first-secret-1;pwd=other-secret-2");
    let w = warnings(&c).join("\n");
    assert!(
        w.contains("'PWD' at byte 0") && w.contains("'pwd' at byte 19"),
        "{w}"
    );
    assert!(!w.contains("secret-1") && !w.contains("secret-2"), "{w}");
    // Config::set is a setter: the last call wins, no warning.
    let mut c = Config::new();
    c.set("user", "a").unwrap().set("UID", "b").unwrap();
    assert_eq!(get(&c, "user").as_deref(), Some("b"));
    assert!(c.warnings().is_empty());
}

#[test]
fn unknown_keys_are_warnings_with_the_nearest_name() {
    let c = jdbc("user=demo&wharehouse=wh&passcodeInPasword=on&someDriverFlag=1");
    assert_eq!(
        warnings(&c),
        [
            "unknown key 'wharehouse' at byte 59 ignored; nearest known name: 'warehouse'",
            "unknown key 'passcodeInPasword' at byte 73 ignored; nearest known name: 'passcode_in_password'",
            "unknown key 'someDriverFlag' at byte 94 ignored; nearest known name: 'driver'",
        ]
    );
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    let c = odbc("UID=demo; Wharehouse = wh");
    assert_eq!(
        warnings(&c),
        ["unknown key 'Wharehouse' at byte 10 ignored; nearest known name: 'warehouse'"]
    );
    // A key right after a secret may be the rest of it (an unquoted ';' or '&'): not named.
    let c = odbc("UID=demo;PWD=abc;def=123;role=r");
    let w = warnings(&c);
    assert_eq!(w.len(), 1);
    assert!(w[0].starts_with("unknown key at byte 17 ignored"), "{w:?}");
    assert!(w[0].contains("'PWD'") && !w[0].contains("def"), "{w:?}");
    let c = jdbc("password=abc&def=123");
    let w = warnings(&c);
    assert!(w[0].contains("%26") && !w[0].contains("def"), "{w:?}");
    // A key that is not a plain name (letters, '_', '-', '.') could be a secret: not shown either.
    let c = odbc("UID=demo;p@ss:w0rd!=x;user2=y");
    let w = warnings(&c);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("unknown key of 10 characters at byte 9 ignored; it is not shown"),
        "{w:?}"
    );
    assert!(
        w[1].starts_with("unknown key of 5 characters at byte 22 ignored; it is not shown")
            && w[1].ends_with("nearest known name: 'user'"),
        "{w:?}"
    );
    assert!(!w.join(" ").contains("w0rd") && !w.join(" ").contains("user2"));
    // sfmfa_config_set's Rust side still refuses an unknown name: one option, the caller wants to know.
    let e = Config::new().set("wharehouse", "wh").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownOption);
}

/// Options that would weaken security or change the route are accepted, never acted on, and a
/// warning says so when the value asks for it.
#[test]
fn security_and_routing_options_are_not_honoured_silently() {
    for spec in OPTIONS {
        let Support::NotHonoured { when, reason } = spec.support else {
            continue;
        };
        let value = match when {
            WarnWhen::Set => "something",
            WarnWhen::True => "true",
            WarnWhen::False => "false",
        };
        let c = jdbc(&format!(
            "{}={value}",
            spec.drivers.jdbc.first().unwrap_or(&spec.name)
        ));
        let w = warnings(&c);
        assert_eq!(w.len(), 1, "{}: {w:?}", spec.name);
        assert!(
            w[0].contains("is not honoured") && w[0].contains(reason),
            "{w:?}"
        );
        assert!(!w[0].contains("something"), "no value in a warning: {w:?}");
    }
    let c = jdbc("insecureMode=false&ocspFailOpen=true&useProxy=false&nonProxyHosts=x");
    assert!(c.warnings().is_empty(), "{:?}", warnings(&c));
    let c = jdbc("insecureMode=true");
    assert!(warnings(&c)[0].starts_with("'insecureMode' at byte 49 (option 'insecure_mode') is not honoured: sfmfa has no switch that weakens TLS"));
}

/// Errors name the key and the byte offset; a secret's value is never in them.
#[test]
fn errors_name_key_and_position_never_a_secret() {
    let cases: &[(&str, &str, &str)] = &[
        // string, in the message, never in it
        (
            "UID=demo;PWD={abc123",
            "key 'PWD' at byte 9: the value opened with '{' at byte 13 is not closed",
            "abc123",
        ),
        (
            "PWD={abc}123;UID=demo",
            "key 'PWD' at byte 0: unexpected text at byte 9 after the '}'",
            "abc",
        ),
        (
            "PWD={hunter2};port=70000",
            "key 'port' at byte 14: invalid value for option 'port': expected a port number",
            "hunter2",
        ),
        (
            "PWD=hunter2;passcodeInPassword=perhaps",
            "key 'passcodeInPassword' at byte 12",
            "hunter2",
        ),
        (
            "jdbc:snowflake://h.example.com/?password=hunt%zzer2",
            "key 'password' at byte 32: invalid percent-encoding in its value (a '%' at byte 45",
            "hunt",
        ),
        (
            "jdbc:snowflake://h.example.com/?password=hunter2&p%x=1",
            "invalid percent-encoding in the key at byte 49",
            "hunter2",
        ),
        (
            "jdbc:snowflake://h.example.com/?password=%ff%fe",
            "key 'password' at byte 32: its value is not UTF-8",
            "%ff",
        ),
        (
            "jdbc:snowflake://demo:hunter2@h.example.com/",
            "'@' in the host part at byte 17",
            "hunter2",
        ),
        (
            "jdbc:snowflake://h.example.com:80a/?password=hunter2",
            "key 'port' at byte 31: invalid value for option 'port'",
            "80a",
        ),
        (
            "jdbc:snowflake://h.example.com:/?password=hunter2",
            "empty port after ':' at byte 30",
            "hunter2",
        ),
        (
            "jdbc:snowflake://:443/?password=hunter2",
            "no host at byte 17",
            "hunter2",
        ),
        (
            "jdbc:snowflake://[::1/?password=hunter2",
            "'[' at byte 17 is not closed",
            "hunter2",
        ),
        (
            "jdbc:snowflake://h.example.com/db?password=hunter2",
            "unexpected path at byte 30",
            "hunter2",
        ),
        (
            "jdbc:snowflake://h.example.com/user=demo",
            "unexpected path at byte 30: a JDBC URL has only '/' between the host and the '?' of its parameters (is the '?' missing?)",
            "demo",
        ),
        (
            "jdbc:snowflake://h.example.com/?authenticator=externalbrowser&password=hunter2",
            "key 'authenticator' at byte 32: invalid value for option 'authenticator'",
            "externalbrowser",
        ),
        (
            "jdbc:mysql://h.example.com/?password=hunter2",
            "a Snowflake JDBC URL starts with 'jdbc:snowflake://' (byte 0)",
            "hunter2",
        ),
        ("demo:hunter2@xy12345/db", "neither a JDBC URL", "hunter2"),
        (
            "https://demo:hunter2@h.example.com",
            "neither a JDBC URL",
            "hunter2",
        ),
        (
            "Server=https://h.example.com;PWD=hunter2",
            "key 'Server' at byte 0: invalid value for option 'host'",
            "h.example.com",
        ),
    ];
    for (s, needle, secret) in cases {
        let e = parse_err(s);
        assert_eq!(e.kind(), ErrorKind::InvalidValue, "{s}");
        let text = format!("{e} {:?} {}", e, e.hint().unwrap_or_default());
        assert!(text.contains(needle), "{s}:\n  {e}\n  expected: {needle}");
        assert!(!text.contains(secret), "{s}: '{secret}' in: {text}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Against the emulator

/// The seed examples of Snowflake's MFA page, as written, then pointed at the emulator: the first
/// sends a passcode, the second the passcode at the end of the password, neither a push.
#[test]
fn seed_examples_produce_the_expected_requests() {
    let emu = emulator(false);
    let ctl = emu.control();
    let port = emu.port().to_string();
    let seed_passcode =
        "jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo&passcode=123456";
    let seed_pip =
        "jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo&passcodeInPassword=on";

    // As written: the account and the host come from the URL, the factor from the key.
    let c = Config::from_connection_string(seed_passcode).unwrap();
    assert_eq!(get(&c, "account").as_deref(), Some(ACCOUNT));
    assert_eq!(
        get(&c, "host").as_deref(),
        Some("xy12345.snowflakecomputing.com")
    );
    assert_eq!(get(&c, "user").as_deref(), Some("demo"));
    assert_eq!(c.second_factor(), SecondFactor::Passcode);
    let c = Config::from_connection_string(seed_pip).unwrap();
    assert_eq!(c.second_factor(), SecondFactor::PasscodeInPassword);

    // Pointed at the emulator; the password comes separately, as JDBC Properties would give it.
    let point = |url: &str, password: &str| {
        let mut c = Config::from_connection_string(url).unwrap();
        c.set("host", "127.0.0.1").unwrap();
        c.set("port", &port).unwrap();
        c.set("protocol", "http").unwrap();
        c.set("password", password).unwrap();
        c.set("login_timeout", "20").unwrap();
        c.set("client_store_temporary_credential", "off").unwrap();
        c
    };
    // The seed's own passcode 123456 is not one the emulator's Duo accepts: a passcode request
    // refused with 390127, and no push.
    let e = login(point(seed_passcode, PASSWORD)).unwrap_err();
    assert_eq!(e.server_code(), Some(390127), "{e}");
    // The user's bypass code in the same URL: accepted.
    let s = login(point(&seed_passcode.replace("123456", BYPASS), PASSWORD)).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::Passcode);
    s.close().unwrap();
    // Passcode in password: the password abc123 followed by the passcode.
    let s = login(point(seed_pip, &format!("{PASSWORD}{BYPASS}"))).unwrap();
    assert_eq!(s.second_factor(), SecondFactor::PasscodeInPassword);
    s.close().unwrap();

    assert_eq!(ctl.push_count(ACCOUNT, "demo"), 0, "no push");
    let history: Vec<(bool, Option<String>, Option<String>)> = ctl
        .login_history()
        .into_iter()
        .filter(|h| h.user_name == "demo")
        .map(|h| (h.is_success, h.error_code, h.second_authentication_factor))
        .collect();
    assert_eq!(
        history,
        [
            (false, Some("390127".to_owned()), None),
            (true, None, Some("DUO_PASSCODE".to_owned())),
            (true, None, Some("DUO_PASSCODE".to_owned())),
        ]
    );
}

/// Whole connection strings that point at the emulator themselves: a JDBC URL with the address,
/// `account` and `ssl=off`, an ODBC string with `Server`, `UID`, `PWD`, and over HTTPS a `ca_file`
/// percent-encoded in the URL. Passwords with the formats' special characters arrive intact.
#[test]
fn connection_strings_log_in_against_the_emulator() {
    for tls in [false, true] {
        let emu = emulator(tls);
        let ctl = emu.control();
        let tricky = "p@ss&w+rd; {x}=}y #1";
        ctl.add_user(
            ACCOUNT,
            UserConfig {
                duo_enrolled: true,
                bypass_codes: vec![BYPASS.into()],
                push: PushBehaviour::Approve { delay_ms: 0 },
                ..UserConfig::new("tricky", tricky)
            },
        );
        let port = emu.port();
        let (scheme, host, ca) = match emu.ca_file() {
            Some(ca) => ("https", "localhost", ca.to_str().unwrap().to_owned()),
            None => ("http", "127.0.0.1", String::new()),
        };
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let jdbc_url = format!(
            "jdbc:snowflake://{scheme}://{host}:{port}/?account={ACCOUNT}&user=tricky&password={}&passcode={BYPASS}&authenticator=username_password_mfa&loginTimeout=20&clientRequestMfaToken=false&CABundleFile={}&tracing=ALL",
            enc(tricky),
            enc(&ca)
        );
        let odbc_string = format!(
            "Driver={{SnowflakeDSIIDriver}};Server={host};port={port};protocol={scheme};account={ACCOUNT};UID=tricky;PWD={{{}}};authenticator=username_password_mfa;passcodeInPassword=on;login_timeout=20;CLIENT_REQUEST_MFA_TOKEN=false;CABundleFile={{{ca}}};CLIENT_SESSION_KEEP_ALIVE=true",
            format!("{tricky}{BYPASS}").replace('}', "}}")
        );
        for (s, factor) in [
            (jdbc_url, SecondFactor::Passcode),
            (odbc_string, SecondFactor::PasscodeInPassword),
        ] {
            let c = Config::from_connection_string(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(c.warnings().is_empty(), "{s}: {:?}", warnings(&c));
            let session = login(c).unwrap_or_else(|e| panic!("tls={tls} {s}: {e}"));
            assert_eq!(session.second_factor(), factor);
            session.close().unwrap();
        }
        assert_eq!(ctl.push_count(ACCOUNT, "tricky"), 0);
        // The wrong password through the same path is refused (the decoding is not lenient by luck).
        let bad = format!(
            "jdbc:snowflake://{scheme}://{host}:{port}/?account={ACCOUNT}&user=tricky&password=p@ss&w+rd&passcode={BYPASS}&CABundleFile={}",
            enc(&ca)
        );
        let e = login(Config::from_connection_string(&bad).unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadCredentials, "{e}");
    }
}
