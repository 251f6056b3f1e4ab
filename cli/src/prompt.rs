//! Secrets asked for on the terminal, without echo; never when stdin is not a terminal.

use std::io::IsTerminal;

use crate::exit::CliError;

/// Whether a secret may be asked for: stdin is a terminal.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks for `what` on the terminal without echo. When stdin is not a terminal, a bad-usage error
/// that names `flag` (the flag that asked for the prompt, or nothing) instead.
pub fn secret(what: &str, flag: &str) -> Result<String, CliError> {
    if !can_prompt() {
        let by = if flag.is_empty() {
            String::new()
        } else {
            format!(" ({flag} without a value)")
        };
        return Err(CliError::usage(format!(
            "{what} needed{by}, but stdin is not a terminal to ask on: give it as a value instead"
        )));
    }
    let value = crate::interrupt::prompting(|| rpassword::prompt_password(format!("{what}: ")))
        .map_err(|e| match e.kind() {
            // Ctrl-C: SIGINT may interrupt the read before the handler (cli/src/interrupt.rs) ends
            // the process; either way the prompt library has put the terminal back, and it is 130.
            std::io::ErrorKind::Interrupted => CliError::new(
                crate::exit::CANCELLED,
                format!("cancelled at the {what} prompt"),
            ),
            _ => CliError::usage(format!("could not read the {what} from the terminal: {e}")),
        })?;
    Ok(value.trim_end_matches(['\r', '\n']).to_owned())
}
