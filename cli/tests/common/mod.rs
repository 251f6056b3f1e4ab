//! What the tests of `sfmfa login` share: runs that no profile or `SNOWFLAKE_*` variable of the
//! machine's user reaches (a developer's own `~/.snowsql/config` `[connections]` is a default
//! connection, and its password would turn "no password: exit 2" into a login).

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// An empty directory, the same for the whole test process, that is HOME and SNOWFLAKE_HOME.
pub fn empty_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// The names of the `SNOWFLAKE_*` variables of this process's environment (SnowSQL's and the
/// connector's settings), which a run must not inherit.
pub fn snowflake_variables() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("SNOWFLAKE_") || k.starts_with("SNOWSQL_"))
        .collect()
}

/// The `sfmfa` binary with HOME and SNOWFLAKE_HOME in an empty directory and no `SNOWFLAKE_*`
/// variable inherited; a test sets the ones it means.
pub fn sfmfa() -> Command {
    sfmfa_at(empty_home())
}

/// [`sfmfa`] with HOME and SNOWFLAKE_HOME at `home` (a test's own profiles), stdin not a terminal.
pub fn sfmfa_at(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfmfa"));
    for var in snowflake_variables() {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("SNOWFLAKE_HOME", home)
        .stdin(std::process::Stdio::null());
    cmd
}

/// Everything `stream` yields, read on a thread of its own into a buffer the test can look at while
/// the program runs; join the handle once the program has ended.
pub fn collect(
    mut stream: impl std::io::Read + Send + 'static,
) -> (
    std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    std::thread::JoinHandle<()>,
) {
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&buffer);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("the buffer")
                .extend_from_slice(&buf[..n]);
        }
    });
    (buffer, reader)
}

/// Waits (up to 30 s) until the emulator holds a pending push for `user` of account `xy12345`.
pub fn wait_for_pending_push(emu: &sfmfa_emulator::Emulator, user: &str) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while emu.control().pending_pushes("xy12345", user) == 0 {
        assert!(
            std::time::Instant::now() < end,
            "no push arrived for {user}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
