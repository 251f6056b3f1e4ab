//! `-c/--connection` and the default connection from `connections.toml` and from SnowSQL's
//! `~/.snowsql/config`, the `SNOWFLAKE_*` environment, their precedence (flags > environment >
//! profile), the permission rule of each file and parse errors that keep the password to themselves.
//! Every test runs the real `sfmfa` against the in-process emulator, with HOME and SNOWFLAKE_HOME in
//! a fresh directory.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

mod common;

use sfmfa_emulator::{Emulator, EmulatorConfig, StartOptions, UserConfig};
use tempfile::TempDir;

/// A user of the emulator (not enrolled in Duo) whose password has every character SnowSQL's
/// documentation says must be quoted or escaped, and a backslash.
const QUOTED_USER: &str = "quoted";
const QUOTED_PASSWORD: &str = "p#ss; w\"rd'x\\y";

fn emulator() -> Emulator {
    let mut config = EmulatorConfig::embedded_default();
    for account in &mut config.accounts {
        if account.name == "xy12345" {
            account
                .users
                .push(UserConfig::new(QUOTED_USER, QUOTED_PASSWORD));
        }
    }
    Emulator::start(config, StartOptions::default()).expect("emulator starts")
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A fresh directory that is both HOME and SNOWFLAKE_HOME.
fn home() -> TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `connections.toml` (mode `mode`) holding `[dev]` for the emulator with user `user`, and
/// `config.toml` naming `dev` the default.
fn connections_toml(home: &Path, port: u16, user: &str, mode: u32) {
    write(
        &home.join("connections.toml"),
        &format!(
            "[dev]\naccount = \"xy12345\"\nuser = \"{user}\"\npassword = \"abc123\"\nhost = \"127.0.0.1\"\nport = {port}\nprotocol = \"http\"\nwarehouse = \"WH\"\n"
        ),
        mode,
    );
    write(
        &home.join("config.toml"),
        "default_connection_name = \"dev\"\n",
        0o600,
    );
}

/// SnowSQL's `~/.snowsql/config` with `text`, `PORT` replaced by the emulator's port.
fn snowsql_config(home: &Path, port: u16, text: &str, mode: u32) {
    write(
        &home.join(".snowsql").join("config"),
        &text.replace("PORT", &port.to_string()),
        mode,
    );
}

/// SnowSQL's default connection (`[connections]`: user demo) and `[connections.quoted]`, in
/// SnowSQL's own key names, with quotes, escapes and comments as its documentation shows them.
const SNOWSQL: &str = r#"[connections]
# The default connection, and the defaults of the named ones.
accountname = xy12345
username = demo
password = abc123
host = 127.0.0.1   # a comment after a blank
port = PORT
protocol = http
dbname = DB
schemaname = PUBLIC
warehousename = WH
rolename = ANALYST
private_key_path = /nonexistent/rsa_key.p8

[connections.quoted]
username = quoted
password = "p#ss; w\"rd\'x\y"   # quoted: '#' and ';' are the password's
"#;

fn login(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::sfmfa_at(home);
    cmd.arg("login")
        .args(args)
        .args(["-o", "clientStoreTemporaryCredential=off"]);
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
    let home = home();
    connections_toml(home.path(), emu.port(), "demo", 0o600);
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("abc123"));
    // The default connection of config.toml, then of SNOWFLAKE_DEFAULT_CONNECTION_NAME.
    let out = login(home.path(), &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = login(
        home.path(),
        &[],
        &[("SNOWFLAKE_DEFAULT_CONNECTION_NAME", "prod")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = login(home.path(), &["--connection", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no connection 'nope'"),
        "{}",
        text(&out)
    );
    assert_eq!(emu.control().login_count("xy12345", "demo"), 2);
}

/// SnowSQL's `[connections.NAME]` with `-c NAME` (its keys: accountname, username, dbname, …; the
/// rest from `[connections]`), and `[connections]` as the default connection when no default is
/// named. The quoted password with `#`, `;`, escaped quotes and a backslash reaches the server as
/// it is, and is never printed.
#[test]
fn snowsql_named_and_default_connection() {
    let emu = emulator();
    let home = home();
    snowsql_config(home.path(), emu.port(), SNOWSQL, 0o600);
    let out = login(home.path(), &["-c", "quoted"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("p#ss"), "{}", text(&out));
    assert_eq!(emu.control().login_count("xy12345", QUOTED_USER), 1);
    // No -c and no default named: SnowSQL's default connection, user demo (a Duo push).
    let out = login(home.path(), &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("second factor: push"), "{}", text(&out));
    assert_eq!(emu.control().login_count("xy12345", "demo"), 1);
    // A default named by the environment is looked up in SnowSQL's file too.
    let out = login(
        home.path(),
        &[],
        &[("SNOWFLAKE_DEFAULT_CONNECTION_NAME", "quoted")],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(emu.control().login_count("xy12345", QUOTED_USER), 2);
    // A name in neither file.
    let out = login(home.path(), &["-c", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no connection 'nope' in") && text(&out).contains(".snowsql/config"),
        "{}",
        text(&out)
    );
    // SnowSQL's authenticator key reaches the login request.
    let with_authenticator =
        format!("{SNOWSQL}\n[connections.mfa]\nauthenticator = username_password_mfa\n");
    snowsql_config(home.path(), emu.port(), &with_authenticator, 0o600);
    let out = login(home.path(), &["-c", "mfa"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let history = emu.control().login_history();
    let last = history.last().expect("a login");
    assert_eq!(last.authenticator, "USERNAME_PASSWORD_MFA", "{last:?}");
    assert_eq!(history[0].authenticator, "SNOWFLAKE", "{history:?}");
}

/// A connection in both files: `connections.toml`'s is used, and a note says so. A default named
/// in `config.toml` is found in SnowSQL's file when `connections.toml` lacks it.
#[test]
fn connections_toml_wins_over_snowsql() {
    let emu = emulator();
    let home = home();
    connections_toml(home.path(), emu.port(), "demo", 0o600);
    let both = "[connections.dev]\naccountname = xy12345\nusername = nobody\npassword = abc123\nhost = 127.0.0.1\nport = PORT\nprotocol = http\n\n[connections.sqlonly]\naccountname = xy12345\nusername = quoted\npassword = 'p#ss; w\"rd\\'x\\y'\nhost = 127.0.0.1\nport = PORT\nprotocol = http\n";
    snowsql_config(home.path(), emu.port(), both, 0o600);
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("note: connection 'dev' is in")
            && stderr.contains("connections.toml")
            && stderr.contains(".snowsql/config"),
        "{stderr}"
    );
    assert_eq!(emu.control().login_count("xy12345", "nobody"), 0);
    // The default of config.toml (dev) comes from connections.toml as well.
    let out = login(home.path(), &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(emu.control().login_count("xy12345", "demo"), 2);
    // A default only SnowSQL's file has.
    write(
        &home.path().join("config.toml"),
        "default_connection_name = \"sqlonly\"\n",
        0o600,
    );
    let out = login(home.path(), &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("note:"), "{}", text(&out));
    assert_eq!(emu.control().login_count("xy12345", QUOTED_USER), 1);
}

#[test]
fn flags_over_environment_over_profile() {
    let emu = emulator();
    let home = home();
    connections_toml(home.path(), emu.port(), "nobody", 0o600);
    // Profile alone: user nobody, refused (3).
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Environment over profile.
    let out = login(home.path(), &["-c", "dev"], &[("SNOWFLAKE_USER", "demo")]);
    assert!(out.status.success(), "{}", text(&out));
    // SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> changes the profile itself.
    let out = login(
        home.path(),
        &["-c", "dev"],
        &[("SNOWFLAKE_CONNECTIONS_DEV_USER", "demo")],
    );
    assert!(out.status.success(), "{}", text(&out));
    // Flags over environment: --user push_deny wins over SNOWFLAKE_USER=demo (Duo refusal, 4).
    let out = login(
        home.path(),
        &["-c", "dev", "-u", "push_deny"],
        &[("SNOWFLAKE_USER", "demo")],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    // The environment's password over the profile's.
    let out = login(
        home.path(),
        &["-c", "dev", "-u", "demo"],
        &[("SNOWFLAKE_PASSWORD", "bad")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}

/// The same precedence with a SnowSQL profile, whose keys have SnowSQL's names (`username` is
/// overridden by `SNOWFLAKE_USER` and by `-u`).
#[test]
fn flags_over_environment_over_snowsql_profile() {
    let emu = emulator();
    let home = home();
    let nobody = SNOWSQL.replace("username = demo", "username = nobody");
    snowsql_config(home.path(), emu.port(), &nobody, 0o600);
    // Profile alone: user nobody, refused (3).
    let out = login(home.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Environment over profile.
    let out = login(home.path(), &[], &[("SNOWFLAKE_USER", "demo")]);
    assert!(out.status.success(), "{}", text(&out));
    // SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> changes a SnowSQL connection too (quoted's password).
    let out = login(
        home.path(),
        &["-c", "quoted"],
        &[("SNOWFLAKE_CONNECTIONS_QUOTED_PASSWORD", "wrong")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Flags over environment: -u push_deny over SNOWFLAKE_USER=demo (Duo refusal, 4).
    let out = login(
        home.path(),
        &["-u", "push_deny"],
        &[("SNOWFLAKE_USER", "demo")],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    // The environment's password over the profile's.
    let out = login(
        home.path(),
        &["-u", "demo"],
        &[("SNOWFLAKE_PASSWORD", "bad")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Two requests named demo: the environment's user, and the flag's with the wrong password.
    assert_eq!(emu.control().login_count("xy12345", "demo"), 2);
}

#[test]
fn permissions_of_connections_toml() {
    let emu = emulator();
    let home = self::home();
    connections_toml(home.path(), emu.port(), "demo", 0o644);
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("warning: Bad owner or permissions on"),
        "{}",
        text(&out)
    );
    let home = self::home();
    connections_toml(home.path(), emu.port(), "demo", 0o666);
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("others may write to it"),
        "{}",
        text(&out)
    );
}

/// SnowSQL's file under the same rule: its documentation's `chmod 700` passes quietly, readable by
/// others is used with a warning, writable by others is refused before any request.
#[test]
fn permissions_of_snowsql_config() {
    let emu = emulator();
    let home = home();
    let file = home.path().join(".snowsql").join("config");
    snowsql_config(home.path(), emu.port(), SNOWSQL, 0o700);
    let out = login(home.path(), &[], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("warning:"), "{}", text(&out));
    snowsql_config(home.path(), emu.port(), SNOWSQL, 0o644);
    let out = login(home.path(), &["-c", "quoted"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let expected = format!("warning: Bad owner or permissions on {}", file.display());
    assert!(text(&out).contains(&expected), "{}", text(&out));
    snowsql_config(home.path(), emu.port(), SNOWSQL, 0o620);
    let out = login(home.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("others may write to it"),
        "{}",
        text(&out)
    );
    assert_eq!(emu.control().total_logins(), 2);
}

/// A file that does not parse is refused (exit 2) with its path and the position, and the password
/// on the broken line is not printed: TOML and SnowSQL's INI.
#[test]
fn parse_errors_do_not_print_the_password() {
    let emu = emulator();
    let home = home();
    write(
        &home.path().join("connections.toml"),
        "[dev]\naccount = \"xy12345\"\npassword = \"T0ml-s3cret\nuser = \"demo\"\n",
        0o600,
    );
    let out = login(home.path(), &["-c", "dev"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("is not valid TOML at byte"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("T0ml-s3cret"), "{}", text(&out));
    assert!(!text(&out).contains("s3cret"), "{}", text(&out));

    let home = self::home();
    snowsql_config(
        home.path(),
        emu.port(),
        "[connections]\naccountname = xy12345\npassword = \"Ini-s3cret#x\nusername = demo\n",
        0o600,
    );
    let out = login(home.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("is not a valid SnowSQL config file: line"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("s3cret"), "{}", text(&out));
    assert_eq!(emu.control().total_logins(), 0);
}

/// `sfmfa` with `args` (any subcommand), HOME and SNOWFLAKE_HOME at `home`, no inherited
/// `SNOWFLAKE_*` variable, and the token cache in `cache`.
fn sfmfa(home: &Path, cache: &Path, args: &[&str]) -> Output {
    common::sfmfa_at(home)
        .args(args)
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", cache)
        .output()
        .expect("sfmfa runs")
}

/// `sfmfa cache` and `sfmfa doctor` name a connection as `sfmfa login` does: `-c NAME` (or the
/// default connection for doctor) finds the host and user the login cached a token for.
#[test]
fn cache_and_doctor_take_the_same_profiles_as_login() {
    let emu = emulator();
    let home = home();
    let cache = home.path().join("cache");
    connections_toml(home.path(), emu.port(), "demo", 0o600);
    let login = sfmfa(
        home.path(),
        &cache,
        &[
            "login",
            "-c",
            "dev",
            "--authenticator",
            "username_password_mfa",
            "-o",
            "token_cache=file",
        ],
    );
    assert!(login.status.success(), "{}", text(&login));
    assert_eq!(emu.control().push_count("xy12345", "demo"), 1);

    let inspect = sfmfa(
        home.path(),
        &cache,
        &["cache", "inspect", "-c", "dev", "--store", "file"],
    );
    assert_eq!(inspect.status.code(), Some(0), "{}", text(&inspect));
    let port = emu.port().to_string();
    assert!(
        text(&inspect).contains(&format!("127.0.0.1:{port}")),
        "{}",
        text(&inspect)
    );

    // doctor: without arguments it checks the default connection's host (config.toml names dev).
    let doctor = sfmfa(home.path(), &cache, &["doctor", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&doctor.stdout).expect("doctor's JSON");
    let host = v["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "host"))
        .unwrap_or_else(|| panic!("no host check: {v}"));
    assert_eq!(host["status"], "ok", "{v}");
    assert!(
        host["detail"].as_str().is_some_and(|d| d.contains(&port)),
        "{v}"
    );

    let delete = sfmfa(
        home.path(),
        &cache,
        &["cache", "delete", "--connection", "dev", "--store", "file"],
    );
    assert_eq!(delete.status.code(), Some(0), "{}", text(&delete));
    let again = sfmfa(
        home.path(),
        &cache,
        &["cache", "inspect", "-c", "dev", "--store", "file"],
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    // An unknown connection is bad usage, as for login.
    let unknown = sfmfa(home.path(), &cache, &["cache", "inspect", "-c", "nope"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}

/// A flag or an environment variable that sets an option to its default value still wins over the
/// profile: `--authenticator snowflake` (the default) over a profile's `username_password_mfa` means
/// no cached MFA token is used, so the user gets a push. (The profile used to fill in every option
/// still at its default, so the flag was overridden and the cached token sent.)
#[test]
fn a_flag_at_the_default_value_still_beats_the_profile() {
    let emu = emulator();
    let home = home();
    let cache = home.path().join("cache");
    write(
        &home.path().join("connections.toml"),
        &format!(
            "[mfa]\naccount = \"xy12345\"\nuser = \"demo\"\npassword = \"abc123\"\nhost = \"127.0.0.1\"\nport = {}\nprotocol = \"http\"\nauthenticator = \"username_password_mfa\"\ntoken_cache = \"file\"\n",
            emu.port()
        ),
        0o600,
    );
    let pushes = || emu.control().push_count("xy12345", "demo");
    for _ in 0..2 {
        let out = sfmfa(home.path(), &cache, &["login", "-c", "mfa"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    assert_eq!(
        pushes(),
        1,
        "the second login of the profile uses its cached token"
    );

    let out = sfmfa(
        home.path(),
        &cache,
        &["login", "-c", "mfa", "--authenticator", "snowflake"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("second factor: push"), "{}", text(&out));
    assert_eq!(
        pushes(),
        2,
        "--authenticator snowflake: no MFA token, a push"
    );

    let out = common::sfmfa_at(home.path())
        .args(["login", "-c", "mfa"])
        .env("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", &cache)
        .env("SNOWFLAKE_AUTHENTICATOR", "snowflake")
        .output()
        .expect("sfmfa runs");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        pushes(),
        3,
        "SNOWFLAKE_AUTHENTICATOR=snowflake: no MFA token, a push"
    );
}
