//! Cross-process tests: re-run the current test binary with one test selected, as a second process.
#![allow(dead_code)]

use std::process::Command;

/// A command that re-runs this test binary with only `test` (`--exact`), its output not captured.
pub fn self_command(test: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary's path"));
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"]);
    cmd
}

/// Runs `cmd`, fails the test (with both outputs) unless it succeeds, and returns its stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the child process runs");
    assert!(
        out.status.success(),
        "child failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
