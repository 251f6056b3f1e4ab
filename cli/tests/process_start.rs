//! What the CLI's own process start (cli/src/start.rs, in place of std's runtime start-up on Linux
//! with glibc) must still do: give a closed stdout `/dev/null` and ignore SIGPIPE, as every Rust
//! program's start-up does.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

/// Started with its stdout closed, `sfmfa login` has `/dev/null` as its stdout while the push
/// waits. With descriptor 1 left closed, the first file or socket the CLI opened would take it,
/// and what it prints would go there: here, the login's connection to the server.
#[test]
fn a_closed_stdout_is_dev_null() {
    let emu = Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts");
    let url = format!(
        "jdbc:snowflake://127.0.0.1:{}/?account=xy12345&user=manual_long&ssl=off\
         &authenticator=username_password_mfa&clientStoreTemporaryCredential=off",
        emu.port()
    );
    let sh = format!("exec \"$0\" login '{url}' >&-");
    // As common::sfmfa() runs it, through a shell that closes descriptor 1 first.
    let mut shell = Command::new("/bin/sh");
    shell.args(["-c", &sh, env!("CARGO_BIN_EXE_sfmfa")]);
    for var in common::snowflake_variables() {
        shell.env_remove(var);
    }
    let mut child = shell
        .env("HOME", common::empty_home())
        .env("SNOWFLAKE_HOME", common::empty_home())
        .env("SNOWFLAKE_PASSWORD", "abc123")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts");
    common::wait_for_pending_push(&emu, "manual_long");
    let stdout = std::fs::read_link(format!("/proc/{}/fd/1", child.id()));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        stdout.expect("descriptor 1 is open"),
        std::path::PathBuf::from("/dev/null")
    );
}

/// Writing its help into a pipe nobody reads is an error the CLI gets (EPIPE), not a death by
/// SIGPIPE.
#[test]
fn a_closed_pipe_is_no_sigpipe_death() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let status = common::sfmfa()
        .arg("--help")
        .stdout(writer)
        .stderr(Stdio::null())
        .status()
        .expect("sfmfa runs");
    assert_eq!(status.signal(), None, "{status:?}");
    assert!(status.code().is_some(), "{status:?}");
}
