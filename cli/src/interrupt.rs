//! Ctrl-C in `sfmfa login`. While a secret is asked for, the terminal's echo is off: Ctrl-C puts
//! the terminal back as it was and exits 130 (the default SIGINT death left the user's terminal
//! without echo). Once the login runs, Ctrl-C cancels it through the library (`Client::cancel`),
//! which ends it with the `CANCELLED` failure: exit 130 too, with the spinner cleared.

use std::sync::{Arc, Mutex, PoisonError};

use crate::exit::{CANCELLED, CliError};

/// What Ctrl-C has to act on now.
enum State {
    /// Nothing of ours yet (options being read): exit 130.
    Starting,
    /// A prompt with the terminal's settings from before it (`None` where they cannot be read).
    Prompting(Option<TerminalSettings>),
    /// The login, cancelled through its client.
    LoggingIn(Arc<sfmfa::Client>),
}

static STATE: Mutex<State> = Mutex::new(State::Starting);

/// Installs the Ctrl-C handler (once per process).
pub fn install() -> Result<(), CliError> {
    ctrlc::set_handler(on_interrupt)
        .map_err(|e| CliError::from(format!("cannot handle Ctrl-C: {e}")))
}

fn on_interrupt() {
    let state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    match &*state {
        State::LoggingIn(client) => {
            client.cancel();
        }
        State::Prompting(settings) => {
            if let Some(settings) = settings {
                settings.restore();
            }
            // The prompt's line ends here, as the terminal's own ^C would end it.
            eprintln!();
            std::process::exit(i32::from(CANCELLED));
        }
        State::Starting => std::process::exit(i32::from(CANCELLED)),
    }
}

/// Runs `prompt` (which turns the terminal's echo off) so that Ctrl-C during it restores the
/// terminal and exits 130.
pub fn prompting<T>(prompt: impl FnOnce() -> T) -> T {
    set(State::Prompting(TerminalSettings::save()));
    let value = prompt();
    set(State::Starting);
    value
}

/// From now on Ctrl-C cancels `client`'s login.
pub fn logging_in(client: Arc<sfmfa::Client>) {
    set(State::LoggingIn(client));
}

fn set(state: State) {
    *STATE.lock().unwrap_or_else(PoisonError::into_inner) = state;
}

/// The settings of the terminal on stdin.
#[cfg(unix)]
struct TerminalSettings(nix::sys::termios::Termios);

#[cfg(unix)]
impl TerminalSettings {
    fn save() -> Option<Self> {
        nix::sys::termios::tcgetattr(std::io::stdin())
            .ok()
            .map(TerminalSettings)
    }

    fn restore(&self) {
        // Nothing more can be done if it fails: the process is ending.
        let _ = nix::sys::termios::tcsetattr(
            std::io::stdin(),
            nix::sys::termios::SetArg::TCSANOW,
            &self.0,
        );
    }
}

/// Elsewhere the prompt library restores the console itself.
#[cfg(not(unix))]
struct TerminalSettings;

#[cfg(not(unix))]
impl TerminalSettings {
    fn save() -> Option<Self> {
        None
    }

    fn restore(&self) {}
}
