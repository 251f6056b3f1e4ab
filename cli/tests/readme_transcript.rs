#![cfg(target_os = "linux")]
//! The README's recorded `sfmfa` session is true: every command of it runs again here, against the
//! emulator, and prints what the README shows (numbers, times and hashes aside: session ids, ports
//! and dates differ from run to run). A change of wording or behaviour fails this test until the
//! transcript is recorded again.

use std::path::Path;
use std::process::{Command, Stdio};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

const README: &str = include_str!("../../README.md");
const MARKER: &str = "<!-- transcript: checked by cli/tests/readme_transcript.rs -->";
/// The HOME of the recording.
const RECORDED_HOME: &str = "/home/dana";

/// One command of the transcript, what it printed (stdout and stderr together) and its exit code.
struct Step {
    command: String,
    output: Vec<String>,
    exit: i32,
}

fn transcript() -> Vec<Step> {
    let start = README
        .find(MARKER)
        .expect("the README has the transcript marker");
    let block = &README[start..];
    let open = block
        .find("```console\n")
        .expect("a console block after the marker")
        + 11;
    let close = block[open..].find("```").expect("the block ends") + open;
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = block[open..close].lines().peekable();
    while let Some(line) = lines.next() {
        let command = line
            .strip_prefix("$ ")
            .unwrap_or_else(|| panic!("expected a command, found {line:?}"));
        let mut output = Vec::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("$ ") {
                break;
            }
            output.push((*next).to_owned());
            lines.next();
        }
        if command == "echo $?" {
            let last = steps.last_mut().expect("echo $? follows a command");
            last.exit = output.join("").trim().parse().expect("an exit code");
        } else {
            steps.push(Step {
                command: command.to_owned(),
                output,
                exit: 0,
            });
        }
    }
    steps
}

/// What may differ between two runs: the home directory, 64-digit hashes, every number.
fn normalize(text: &str, home: &Path) -> String {
    let text = text.replace(&*home.to_string_lossy(), RECORDED_HOME);
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let hex = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        if hex >= 64 {
            out.push('H');
            i += hex;
        } else if chars[i].is_ascii_digit() {
            out.push('N');
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_readme_session_runs_as_recorded() {
    // The recording's machine has no Secret Service and a usable kernel keyring, so that `auto`
    // keeps tokens in keyutils; a machine whose kernel keyring is blocked prints other lines.
    if let Err(e) = sfmfa::cache::KeystoreCache::keyutils() {
        eprintln!("SKIPPED the_readme_session_runs_as_recorded: no kernel keyring here ({e})");
        return;
    }
    let emu = Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts");
    let home = tempfile::tempdir().expect("a home");
    let steps = transcript();
    assert!(steps.len() >= 5, "the transcript has its commands");
    for step in &steps {
        let words: Vec<&str> = step.command.split_whitespace().collect();
        if words.first() == Some(&"cat") {
            // The profile the session uses: written as the README shows it, on the emulator's port.
            let path = home.path().join(words[1].trim_start_matches("~/"));
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
            let text = step.output.join("\n") + "\n";
            let text = text.replace("port = 8080", &format!("port = {}", emu.port()));
            std::fs::write(&path, text).expect("profile written");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            continue;
        }
        assert_eq!(words[0], "sfmfa", "{}", step.command);
        // stdout and stderr on one pipe, in the order written, as in a terminal.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "exec \"$0\" \"$@\" 2>&1", env!("CARGO_BIN_EXE_sfmfa")])
            .args(&words[1..])
            .env("HOME", home.path())
            .env("SNOWFLAKE_PASSWORD", "abc123")
            .env_remove("SNOWFLAKE_HOME")
            .env_remove("SF_TEMPORARY_CREDENTIAL_CACHE_DIR")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR")
            .stdin(Stdio::null());
        for (k, _) in std::env::vars() {
            if k.starts_with("SNOWFLAKE_") && k != "SNOWFLAKE_PASSWORD" {
                cmd.env_remove(k);
            }
        }
        let out = cmd.output().expect("sfmfa runs");
        let actual = String::from_utf8_lossy(&out.stdout);
        let expected = step.output.join("\n");
        assert_eq!(
            normalize(actual.trim_end(), home.path()),
            normalize(expected.trim_end(), home.path()),
            "`{}` printed (the README's transcript must be recorded again):\n{actual}",
            step.command
        );
        assert_eq!(out.status.code(), Some(step.exit), "`{}`", step.command);
    }
}
