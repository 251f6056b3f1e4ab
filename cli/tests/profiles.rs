//! `-c/--connection` from `connections.toml`, the `SNOWFLAKE_*` environment, and their precedence:
//! flags > environment > profile.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::embedded_default(), StartOptions::default())
        .expect("emulator starts")
}

/// A SNOWFLAKE_HOME with `connections.toml` (mode `mode`) holding `[dev]` for the emulator, with
/// user `user`, and `config.toml` naming `dev` the default.
fn home(name: &str, port: u16, user: &str, mode: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sfmfa-cli-profile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("connections.toml");
    std::fs::write(
        &file,
        format!(
            "[dev]\naccount = \"xy12345\"\nuser = \"{user}\"\npassword = \"abc123\"\nhost = \"127.0.0.1\"\nport = {port}\nprotocol = \"http\"\nwarehouse = \"WH\"\n"
        ),
    )
    .expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    let config = dir.join("config.toml");
    std::fs::write(&config, "default_connection_name = \"dev\"\n").expect("write");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    dir
}

fn login(home: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfmfa"));
    cmd.arg("login")
        .args(args)
        .args(["-o", "clientStoreTemporaryCredential=off"])
        .env("SNOWFLAKE_HOME", home)
        .stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("SNOWFLAKE_") && k != "SNOWFLAKE_HOME" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("sfmfa runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn named_and_default_connection() {
    let emu = emulator();
    let home = home("named", emu.port(), "demo", 0o600);
    let out = login(&home, &["-c", "dev"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("abc123"));
    // The default connection of config.toml, then of SNOWFLAKE_DEFAULT_CONNECTION_NAME.
    let out = login(&home, &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = login(&home, &[], &[("SNOWFLAKE_DEFAULT_CONNECTION_NAME", "prod")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = login(&home, &["--connection", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no connection 'nope'"),
        "{}",
        text(&out)
    );
    assert_eq!(emu.control().login_count("xy12345", "demo"), 2);
}

#[test]
fn flags_over_environment_over_profile() {
    let emu = emulator();
    let home = home("precedence", emu.port(), "nobody", 0o600);
    // Profile alone: user nobody, refused (3).
    let out = login(&home, &["-c", "dev"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Environment over profile.
    let out = login(&home, &["-c", "dev"], &[("SNOWFLAKE_USER", "demo")]);
    assert!(out.status.success(), "{}", text(&out));
    // SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> changes the profile itself.
    let out = login(
        &home,
        &["-c", "dev"],
        &[("SNOWFLAKE_CONNECTIONS_DEV_USER", "demo")],
    );
    assert!(out.status.success(), "{}", text(&out));
    // Flags over environment: --user push_deny wins over SNOWFLAKE_USER=demo (Duo refusal, 4).
    let out = login(
        &home,
        &["-c", "dev", "-u", "push_deny"],
        &[("SNOWFLAKE_USER", "demo")],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    // The environment's password over the profile's.
    let out = login(
        &home,
        &["-c", "dev", "-u", "demo"],
        &[("SNOWFLAKE_PASSWORD", "bad")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}

#[test]
fn permissions_of_connections_toml() {
    let emu = emulator();
    let home = home("readable", emu.port(), "demo", 0o644);
    let out = login(&home, &["-c", "dev"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("warning: Bad owner or permissions on"),
        "{}",
        text(&out)
    );
    let home = self::home("writable", emu.port(), "demo", 0o666);
    let out = login(&home, &["-c", "dev"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("others may write to it"),
        "{}",
        text(&out)
    );
}
