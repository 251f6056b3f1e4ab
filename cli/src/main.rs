//! `sfmfa`: log in to Snowflake with Duo MFA from the command line, or run the offline demo.

// On Linux with glibc the process starts in `start::main`, not in std's runtime start-up
// (cli/src/start.rs says why).
// (Test builds keep libtest's own `main`.)
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

mod cache;
mod completions;
mod demo;
mod doctor;
mod echo_margin;
mod exit;
mod interrupt;
mod login;
mod manpage;
mod math;
mod options;
mod profile;
mod prompt;
mod report;
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
mod start;
mod status;
mod store_names;
mod target;

use clap::{CommandFactory, Parser, Subcommand};

/// Snowflake multi-factor (Duo) login.
#[derive(Parser)]
#[command(name = "sfmfa", version, about, after_help = exit::TABLE)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in once and log out again; prints what happened.
    #[command(disable_help_flag = true, after_help = exit::TABLE)]
    Login(Box<login::LoginArgs>),
    /// Run a push login, a passcode login and a failed passcode login against the embedded emulator.
    Demo,
    /// List, inspect and delete the cached MFA tokens (never shown).
    Cache(cache::CacheArgs),
    /// Check the token stores, the cache directory and the host's reachability (no login).
    Doctor(doctor::DoctorArgs),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page sfmfa(1), or a subcommand's, in roff; or write them all to a folder.
    Man(manpage::ManArgs),
}

/// `sfmfa login` alone: the same command line parser as [`Cli`] for `sfmfa login …`, without the
/// other subcommands. clap builds every argument of every subcommand (with its help) before it
/// parses; `login`, the command a script runs again and again, needs none of the others. Its
/// attributes are [`Cli`]'s and [`Command::Login`]'s (a test compares the help and the errors).
#[derive(Parser)]
#[command(name = "sfmfa", version, about, after_help = exit::TABLE)]
struct LoginOnly {
    #[command(subcommand)]
    command: LoginCommand,
}

/// The one subcommand of [`LoginOnly`].
#[derive(Subcommand)]
enum LoginCommand {
    /// Log in once and log out again; prints what happened.
    #[command(disable_help_flag = true, after_help = exit::TABLE)]
    Login(Box<login::LoginArgs>),
}

/// The command line: through [`LoginOnly`] when it starts with `login`, else through [`Cli`].
fn parse() -> Cli {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|first| first == "login")
    {
        let LoginCommand::Login(args) = LoginOnly::parse().command;
        return Cli {
            command: Command::Login(args),
        };
    }
    Cli::parse()
}

/// The program: the command line parsed and run; the process's exit code.
#[cfg_attr(test, allow(dead_code))]
fn run() -> u8 {
    let cli = parse();
    let result = match cli.command {
        Command::Login(args) => login::run(&args),
        Command::Demo => demo::run().map_err(exit::CliError::from),
        Command::Cache(args) => return cache::run(&args),
        Command::Doctor(args) => return doctor::run(&args),
        Command::Completions(args) => completions::run(&args, Cli::command()),
        Command::Man(args) => manpage::run(&args, Cli::command()),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sfmfa: {e}");
            e.code
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::{Cli, LoginOnly};

    /// What clap makes of `argv`: the `login` subcommand's matches, or the exit code and the text
    /// of the error (a help text, a usage error).
    fn outcome<P: CommandFactory>(argv: &[&str]) -> String {
        match P::command().try_get_matches_from(argv) {
            Ok(matches) => match matches.subcommand() {
                Some((name, sub)) => format!("{name}: {sub:?}"),
                None => "no subcommand".to_owned(),
            },
            Err(e) => format!("exit {}: {}", e.exit_code(), e.render()),
        }
    }

    #[test]
    fn login_only_parses_login_command_lines_as_the_whole_tree_does() {
        let lines: &[&[&str]] = &[
            &["sfmfa", "login", "--help"],
            &["sfmfa", "login"],
            &[
                "sfmfa",
                "login",
                "-a",
                "xy12345",
                "-u",
                "demo",
                "-m",
                "123456",
                "-h",
                "127.0.0.1",
                "-p",
                "8080",
                "-o",
                "protocol=http",
                "-o",
                "token_cache=none",
                "--format",
                "json",
            ],
            &[
                "sfmfa",
                "login",
                "jdbc:snowflake://h/?user=u",
                "--passcode",
                "-c",
                "prod",
            ],
            &["sfmfa", "login", "--mfa-passcode-in-pasword"],
            &["sfmfa", "login", "--format", "xml"],
            &["sfmfa", "login", "-a"],
            &["sfmfa", "login", "x", "--connection-string", "y"],
            &["sfmfa", "login", "-V"],
            &["sfmfa", "login", "--version"],
            &["sfmfa", "login", "-h"],
            &["sfmfa", "login", "help"],
        ];
        for argv in lines {
            assert_eq!(outcome::<LoginOnly>(argv), outcome::<Cli>(argv), "{argv:?}");
        }
    }
}
