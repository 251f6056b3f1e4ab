//! No secret in any output: logs at the most verbose level, errors (Display and Debug), and the
//! Debug of every public type, across every mode and failure.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use sfmfa_emulator::{PushBehaviour, UserConfig};

struct Capture(Arc<Mutex<Vec<String>>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!(
                "{} {} {}",
                record.level(),
                record.target(),
                record.args()
            ));
        }
    }
    fn flush(&self) {}
}

const SECRET_PASSWORD: &str = "Pw-7gq2Kx-unmistakable";
const SECRET_BYPASS: &str = "482916";

#[test]
fn no_secret_appears_in_logs_errors_or_debug_output() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    log::set_boxed_logger(Box::new(Capture(Arc::clone(&lines)))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut outputs = Vec::new();
    let mut tokens = Vec::new();
    for tls in [false, true] {
        let emu = emulator(tls);
        let ctl = emu.control();
        ctl.add_user(
            ACCOUNT,
            UserConfig {
                duo_enrolled: true,
                bypass_codes: vec![SECRET_BYPASS.into()],
                push: PushBehaviour::Approve { delay_ms: 0 },
                ..UserConfig::new("secretive", SECRET_PASSWORD)
            },
        );
        let mfa = ("authenticator", "username_password_mfa");
        let pip = format!("{SECRET_PASSWORD}{SECRET_BYPASS}");
        let good: Vec<Vec<(&str, &str)>> = vec![
            vec![("password", SECRET_PASSWORD)],
            vec![mfa, ("password", SECRET_PASSWORD)],
            vec![
                mfa,
                ("password", SECRET_PASSWORD),
                ("passcode", SECRET_BYPASS),
            ],
            vec![mfa, ("password", &pip), ("passcode_in_password", "true")],
        ];
        for pairs in &good {
            let c = config(&emu, "secretive", pairs);
            outputs.push(format!("{c:?}"));
            let client = sfmfa::Client::new(c).unwrap();
            outputs.push(format!("{client:?}"));
            let s = client.login().unwrap();
            outputs.push(format!("{s:?}"));
            tokens.push(s.token().expose().to_owned());
            tokens.push(s.master_token().expose().to_owned());
            s.close().unwrap();
        }
        // Failures: wrong passcode, wrong password (the wrong one is a secret too), a server that
        // echoes the request in its message, transport faults.
        let wrong_pw = "Wrong-Pw-9zz-unmistakable";
        let bad: Vec<Vec<(&str, &str)>> = vec![
            vec![mfa, ("password", SECRET_PASSWORD), ("passcode", "135799")],
            vec![mfa, ("password", wrong_pw)],
        ];
        for pairs in &bad {
            let e = login(config(&emu, "secretive", pairs)).unwrap_err();
            outputs.push(format!("{e} {e:?} {:?}", e.hint()));
        }
        ctl.force_code(
            "390127",
            Some(&format!(
                "bad passcode 135799 for password {SECRET_PASSWORD}"
            )),
            1,
        );
        let e = login(config(
            &emu,
            "secretive",
            &[mfa, ("password", SECRET_PASSWORD), ("passcode", "135799")],
        ))
        .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains("server said"),
            "the server's text is kept: {shown}"
        );
        outputs.push(shown);
        for fault in 0..3 {
            match fault {
                0 => ctl.malformed_json(1),
                1 => ctl.drop_after_processing(1),
                _ => ctl.fail_http(503, 1),
            }
            let r = login(config(
                &emu,
                "secretive",
                &[
                    mfa,
                    ("password", SECRET_PASSWORD),
                    ("passcode", SECRET_BYPASS),
                ],
            ));
            if let Err(e) = r {
                outputs.push(format!("{e} {e:?}"));
            }
        }
        // Option errors mention the option, never the value of a secret.
        let mut c = sfmfa::Config::new();
        c.set("password", SECRET_PASSWORD).unwrap();
        c.set("passcode_in_password", "on").unwrap();
        for r in [
            c.validate().map(|_| ()),
            c.clone().set("passcode", "").map(|_| ()),
        ] {
            if let Err(e) = r {
                outputs.push(format!("{e} {e:?}"));
            }
        }
    }

    let logged = lines.lock().unwrap().clone();
    assert!(
        logged.len() > 20,
        "the capture saw the login logs ({} lines)",
        logged.len()
    );
    assert!(
        logged.iter().any(|l| l.contains("login request")),
        "sfmfa's own lines are captured"
    );
    let everything = logged.iter().chain(outputs.iter());
    let mut secrets: Vec<&str> = vec![
        SECRET_PASSWORD,
        SECRET_BYPASS,
        "Wrong-Pw-9zz-unmistakable",
        "135799",
    ];
    secrets.extend(tokens.iter().map(String::as_str));
    for text in everything {
        for s in &secrets {
            assert!(!text.contains(s), "secret leaked into: {text}");
        }
    }
}
