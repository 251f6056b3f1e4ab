//! `sfmfa login`: one login with options from flags and `-o key=value`.

use std::time::Instant;

use clap::Args;

/// Flags of `sfmfa login`. The password is never a flag (it would show in `ps`): it comes from an
/// environment variable.
#[derive(Args)]
pub struct LoginArgs {
    /// Account identifier.
    #[arg(long)]
    account: String,
    /// Login name.
    #[arg(long)]
    user: String,
    /// Environment variable that holds the password.
    #[arg(long, default_value = "SNOWFLAKE_PASSWORD")]
    password_env: String,
    /// `snowflake` or `username_password_mfa`.
    #[arg(long)]
    authenticator: Option<String>,
    /// Duo passcode instead of a push.
    #[arg(long)]
    passcode: Option<String>,
    /// The password ends with the Duo passcode.
    #[arg(long)]
    passcode_in_password: bool,
    /// Any other option, as `key=value` (repeatable), e.g. `-o host=127.0.0.1 -o protocol=http`.
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
}

/// Runs `sfmfa login`.
pub fn run(args: &LoginArgs) -> Result<(), String> {
    let password = std::env::var(&args.password_env).map_err(|_| {
        format!(
            "set the password in the environment variable {}",
            args.password_env
        )
    })?;
    let mut config = sfmfa::Config::new();
    let mut set = |k: &str, v: &str| config.set(k, v).map(|_| ()).map_err(|e| e.to_string());
    set("account", &args.account)?;
    set("user", &args.user)?;
    set("password", &password)?;
    if let Some(a) = &args.authenticator {
        set("authenticator", a)?;
    }
    if let Some(p) = &args.passcode {
        set("passcode", p)?;
    }
    if args.passcode_in_password {
        set("passcode_in_password", "true")?;
    }
    for kv in &args.options {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("'-o {kv}': expected KEY=VALUE"))?;
        set(k, v)?;
    }
    let client = sfmfa::Client::new(config).map_err(|e| e.to_string())?;
    let started = Instant::now();
    eprintln!("logging in (approve the Duo push on your phone if one arrives)...");
    let session = client.login().map_err(|e| match e.hint() {
        Some(hint) => format!("{e}\n  hint: {hint}"),
        None => e.to_string(),
    })?;
    println!(
        "logged in: session {} in {:.2} s (second factor: {})",
        session.session_id(),
        started.elapsed().as_secs_f64(),
        session.second_factor().name()
    );
    session.close().map_err(|e| format!("logout failed: {e}"))?;
    println!("logged out");
    Ok(())
}
