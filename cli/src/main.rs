//! `sfmfa`: log in to Snowflake with Duo MFA from the command line, or run the offline demo.

mod cache;
mod completions;
mod demo;
mod doctor;
mod echo_margin;
mod exit;
mod interrupt;
mod login;
mod manpage;
mod options;
mod profile;
mod prompt;
mod report;
mod status;
mod store_names;
mod target;

use std::process::ExitCode;

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Login(args) => login::run(&args),
        Command::Demo => demo::run().map_err(exit::CliError::from),
        Command::Cache(args) => return cache::run(&args),
        Command::Doctor(args) => return doctor::run(&args),
        Command::Completions(args) => completions::run(&args, Cli::command()),
        Command::Man(args) => manpage::run(&args, Cli::command()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sfmfa: {e}");
            ExitCode::from(e.code)
        }
    }
}
