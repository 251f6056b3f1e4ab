//! `sfmfa login` in a real pseudo-terminal (portable-pty) against the in-process emulator: the
//! prompts do not echo, the spinner counts down while a push waits, Ctrl-C (0x03 through the line
//! discipline) cancels and leaves the terminal sane; and the same runs on pipes: nothing is asked
//! for, and stderr has no control character. Every wait polls the emulator or the output, with
//! generous deadlines; nothing is timed.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::num::NonZeroU16;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

/// Longest wait for anything (a loaded 2-core CI machine).
const PATIENCE: Duration = Duration::from_secs(60);
/// The approve message of the spinner.
const APPROVE: &str = "Approve the Duo push on your phone…";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

fn url(port: u16, user: &str, extra: &str) -> String {
    format!("jdbc:snowflake://127.0.0.1:{port}/?account=xy12345&user={user}&ssl=off{extra}")
}

/// Polls `done` every 20 ms until it holds; panics with `what()` after [`PATIENCE`].
fn wait_until(mut done: impl FnMut() -> bool, what: impl Fn() -> String) {
    let end = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < end, "gave up waiting: {}", what());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The names in the token cache directory that are not lock files (a stored token writes
/// `credential_cache_v2.json` and the index).
fn stored_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".lck"))
                .collect()
        })
        .unwrap_or_default()
}

/// `sfmfa` running on the slave side of a PTY; everything it writes to the terminal is collected.
struct PtyRun {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl PtyRun {
    /// Starts `sfmfa args` in a new PTY (its controlling terminal) with `env` set, no
    /// `SNOWFLAKE_PASSWORD`, and the token cache in `cache`.
    fn start(args: &[&str], env: &[(&str, &str)], cache: &Path) -> PtyRun {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a PTY");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sfmfa"));
        cmd.args(args);
        for var in common::snowflake_variables() {
            cmd.env_remove(var);
        }
        cmd.env("HOME", common::empty_home());
        cmd.env("SNOWFLAKE_HOME", common::empty_home());
        cmd.env("TERM", "xterm-256color");
        cmd.env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("sfmfa starts");
        // Only the child holds the slave now: once it ends, reading the master ends.
        drop(pair.slave);
        let reader = pair.master.try_clone_reader().expect("a reader");
        let writer = pair.master.take_writer().expect("a writer");
        let (output, reader) = common::collect(reader);
        PtyRun {
            master: pair.master,
            child,
            writer,
            output,
            reader: Some(reader),
        }
    }

    /// Everything the terminal received so far.
    fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output")).into_owned()
    }

    /// Waits until the terminal received `text`.
    fn wait_for(&self, text: &str) {
        wait_until(
            || self.output().contains(text),
            || format!("{text:?} in {:?}", self.output()),
        );
    }

    /// Whether the terminal echoes what is typed (its termios' ECHO flag).
    fn echoes(&self) -> bool {
        let termios = self.master.get_termios().expect("the PTY's termios");
        termios.local_flags.bits() & libc::ECHO != 0
    }

    /// Types `bytes` on the terminal.
    fn type_in(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("typed");
        self.writer.flush().expect("flushed");
    }

    /// Waits for the exit code, then for the last of the output.
    fn wait_exit(&mut self) -> u32 {
        let end = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < end,
                "sfmfa did not end; output so far: {:?}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader ends");
        }
        status.exit_code()
    }

    /// The terminal's screen after everything it received.
    fn screen(&self) -> vt100::Parser {
        let (rows, cols) = (NonZeroU16::new(30), NonZeroU16::new(120));
        let mut parser = vt100::Parser::new(rows.expect("rows"), cols.expect("cols"), 0);
        parser.process(&self.output.lock().expect("output"));
        parser
    }
}

/// The terminal is left sane: the spinner's line is gone from the screen, the cursor is shown and
/// the terminal echoes again.
fn assert_sane(run: &PtyRun) {
    let screen = run.screen();
    let contents = screen.screen().contents();
    assert!(
        !contents.contains(APPROVE),
        "spinner left on screen:\n{contents}"
    );
    assert!(!screen.screen().hide_cursor(), "cursor hidden:\n{contents}");
    assert!(run.echoes(), "echo left off:\n{contents}");
}

/// No password anywhere: `sfmfa login` asks for it on the terminal; what is typed is not echoed
/// (the test types only once the terminal's echo is off) and the login succeeds.
#[test]
fn password_is_asked_for_without_echo() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(emu.port(), "push_approve", "");
    let mut run = PtyRun::start(
        &["login", &url, "--password-env", "SFMFA_PTY_NO_PASSWORD"],
        &[],
        cache.path(),
    );
    run.wait_for("Password:");
    wait_until(|| !run.echoes(), || format!("echo off; {:?}", run.output()));
    run.type_in(b"abc123\r");
    assert_eq!(run.wait_exit(), 0, "{}", run.output());
    let output = run.output();
    assert!(output.contains("second factor: push"), "{output}");
    assert!(output.contains("logged out"), "{output}");
    assert!(
        !output.contains("abc123"),
        "the password was echoed: {output}"
    );
    assert_sane(&run);
}

/// Ctrl-C at the password prompt: exit 130, and the terminal echoes again (the prompt had turned
/// echo off, and SIGINT's default death left it off: the user's shell then showed nothing typed).
#[test]
fn ctrl_c_at_the_password_prompt_gives_the_terminal_back() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(emu.port(), "push_approve", "");
    let mut run = PtyRun::start(
        &["login", &url, "--password-env", "SFMFA_PTY_NO_PASSWORD"],
        &[],
        cache.path(),
    );
    run.wait_for("Password:");
    wait_until(|| !run.echoes(), || format!("echo off; {:?}", run.output()));
    run.type_in(b"\x03");
    assert_eq!(run.wait_exit(), 130, "{}", run.output());
    assert_sane(&run);
    assert_eq!(emu.control().push_count("xy12345", "push_approve"), 0);
}

/// `-m` without a value: the Duo passcode is asked for on the terminal without echo.
#[test]
fn passcode_is_asked_for_without_echo() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(emu.port(), "push_approve", "");
    let mut run = PtyRun::start(
        &["login", &url, "-m"],
        &[("SNOWFLAKE_PASSWORD", "abc123")],
        cache.path(),
    );
    run.wait_for("Duo passcode:");
    wait_until(|| !run.echoes(), || format!("echo off; {:?}", run.output()));
    run.type_in(b"987654\r");
    assert_eq!(run.wait_exit(), 0, "{}", run.output());
    let output = run.output();
    assert!(output.contains("second factor: passcode)"), "{output}");
    assert!(
        !output.contains("987654"),
        "the passcode was echoed: {output}"
    );
    assert_eq!(emu.control().push_count("xy12345", "push_approve"), 0);
    assert_sane(&run);
}

/// The seconds left in every spinner line with the approve message so far, and the spinner
/// frames (the character before the message).
fn spinner_lines(output: &str) -> (BTreeSet<u64>, BTreeSet<char>) {
    let (mut left, mut frames) = (BTreeSet::new(), BTreeSet::new());
    for (at, _) in output.match_indices(APPROVE) {
        let after = &output[at + APPROVE.len()..];
        if let Some(rest) = after.strip_prefix(" (") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if rest[digits.len()..].starts_with(" s left)") {
                left.extend(digits.parse::<u64>().ok());
            }
        }
        if let Some(frame) = output[..at]
            .strip_suffix(' ')
            .and_then(|s| s.chars().last())
        {
            frames.insert(frame);
        }
    }
    (left, frames)
}

/// While a `manual` push waits, the terminal shows the approve message with a turning spinner and
/// the seconds left of `login_timeout` counting down; the test approves the push through the
/// emulator and the login succeeds, the spinner cleared.
#[test]
fn the_spinner_counts_down_while_a_push_waits() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(emu.port(), "manual_long", "&loginTimeout=300");
    let mut run = PtyRun::start(
        &["login", &url],
        &[("SNOWFLAKE_PASSWORD", "abc123")],
        cache.path(),
    );
    let control = emu.control();
    wait_until(
        || control.pending_pushes("xy12345", "manual_long") == 1,
        || format!("a pending push; {:?}", run.output()),
    );
    wait_until(
        || {
            let (left, frames) = spinner_lines(&run.output());
            left.len() >= 2 && frames.len() >= 2
        },
        || format!("two seconds-left values and frames: {:?}", run.output()),
    );
    let (left, _) = spinner_lines(&run.output());
    assert!(left.iter().all(|&s| s <= 300), "{left:?}");
    // Still waiting for the phone.
    assert_eq!(control.pending_pushes("xy12345", "manual_long"), 1);
    assert!(control.answer_push("xy12345", "manual_long", true));
    assert_eq!(run.wait_exit(), 0, "{}", run.output());
    let contents = run.screen().screen().contents();
    assert!(contents.contains("second factor: push"), "{contents}");
    assert!(contents.contains("logged out"), "{contents}");
    assert_sane(&run);
}

/// Ctrl-C (0x03 typed on the terminal: the line discipline sends SIGINT to the foreground process
/// group) while the push waits: exit 130, no token stored, one push sent, the terminal sane.
#[test]
fn ctrl_c_during_a_push_cancels_cleanly() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(
        emu.port(),
        "manual_long",
        "&authenticator=username_password_mfa&token_cache=file",
    );
    let mut run = PtyRun::start(
        &["login", &url],
        &[("SNOWFLAKE_PASSWORD", "abc123")],
        cache.path(),
    );
    let control = emu.control();
    wait_until(
        || control.pending_pushes("xy12345", "manual_long") == 1,
        || format!("a pending push; {:?}", run.output()),
    );
    run.wait_for(APPROVE);
    run.type_in(b"\x03");
    assert_eq!(run.wait_exit(), 130, "{}", run.output());
    let contents = run.screen().screen().contents();
    assert!(contents.contains("sfmfa: "), "{contents}");
    assert_eq!(stored_files(cache.path()), Vec::<String>::new());
    assert_eq!(control.push_count("xy12345", "manual_long"), 1);
    assert_sane(&run);
}

/// `sfmfa login` with stdin, stdout and stderr on pipes.
fn piped(args: &[&str], password: Option<&str>, cache: &Path) -> std::process::Child {
    let mut cmd = common::sfmfa();
    cmd.args(args)
        .env_remove("SNOWFLAKE_PASSWORD")
        .env_remove("SNOWFLAKE_PASSCODE")
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        cmd.env("SNOWFLAKE_PASSWORD", password);
    }
    cmd.spawn().expect("sfmfa starts")
}

/// Without a terminal nothing is asked for: a missing password or `-m` without a value is bad
/// usage (exit 2) with a message that says what to do, and no prompt.
#[test]
fn on_pipes_nothing_is_asked_for() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(emu.port(), "push_approve", "");
    for (args, password, want) in [
        (
            vec!["login", url.as_str()],
            None,
            "no password: set it in the environment variable SNOWFLAKE_PASSWORD",
        ),
        (
            vec!["login", url.as_str(), "-m"],
            Some("abc123"),
            "Duo passcode needed (-m/--mfa-passcode without a value), but stdin is not a terminal",
        ),
    ] {
        // stdin stays open (a pipe nobody writes to): a prompt would hang, not fail.
        let out = piped(&args, password, cache.path())
            .wait_with_output()
            .expect("sfmfa ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("Password:") && !stderr.contains("passcode:"),
            "{stderr}"
        );
    }
    assert_eq!(emu.control().login_count("xy12345", "push_approve"), 0);
}

/// On a pipe, stderr gets plain lines while a `manual` push waits (the approve message with the
/// seconds left), and no control character at all (nothing below 0x20 but `\n`, no DEL); the
/// push is then approved and the login succeeds.
#[test]
fn on_pipes_stderr_has_no_control_characters() {
    let emu = emulator();
    let cache = tempfile::tempdir().expect("temp dir");
    let url = url(
        emu.port(),
        "manual_long",
        "&authenticator=username_password_mfa&token_cache=file",
    );
    let mut child = piped(&["login", &url], Some("abc123"), cache.path());
    let stderr = child.stderr.take().expect("stderr");
    let (collected, reader) = common::collect(stderr);
    let so_far = || String::from_utf8_lossy(&collected.lock().expect("stderr")).into_owned();
    let control = emu.control();
    wait_until(
        || control.pending_pushes("xy12345", "manual_long") == 1 && so_far().contains(APPROVE),
        || format!("a pending push and its line; stderr {:?}", so_far()),
    );
    assert!(control.answer_push("xy12345", "manual_long", true));
    let out = child.wait_with_output().expect("sfmfa ends");
    reader.join().expect("the reader ends");
    let stderr = so_far();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let bad: Vec<u8> = collected
        .lock()
        .expect("stderr")
        .iter()
        .copied()
        .filter(|&b| (b < 0x20 && b != b'\n') || b == 0x7f)
        .collect();
    assert!(bad.is_empty(), "control bytes {bad:?} in {stderr:?}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(APPROVE) && l.ends_with(" s left)")),
        "{stderr}"
    );
    assert!(stderr.contains("MFA token stored in the file "), "{stderr}");
    assert!(
        stdout.contains("token cache: MFA token stored in the file "),
        "{stdout}"
    );
    assert!(!stderr.contains("abc123") && !stdout.contains("abc123"));
}
