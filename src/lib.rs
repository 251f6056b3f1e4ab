//! sfmfa: the client side of Snowflake's multi-factor (Duo) login.
//!
//! Password + Duo push, Duo passcode, or passcode appended to the password, with Snowflake's error
//! codes, one deadline for the whole login, no retry storms, and no secret in any message or log.
//! The C ABI (`bindings/c/include/sfmfa.h`) is the `sfmfa-c` crate in `bindings/c/`, built on this one.
//!
//! ```no_run
//! let mut config = sfmfa::Config::new();
//! config.set("account", "xy12345")?.set("user", "demo")?.set("password", "secret")?;
//! config.set("authenticator", "username_password_mfa")?; // Duo push unless a passcode is given
//! let session = sfmfa::Client::new(config)?.login()?;   // blocks until the push is approved
//! println!("session {}", session.session_id());
//! session.close()?;
//! # Ok::<(), sfmfa::Error>(())
//! ```

pub mod cache;
mod cancel;
pub mod config;
mod deadline;
mod environment;
pub mod error;
mod exchange;
mod factor;
mod login;
pub mod progress;
mod prompt_lock;
pub mod protocol;
mod retry;
pub mod secret;
mod server_text;
mod tls_check;
mod transport;

pub use config::connstr;
pub use config::{Authenticator, Config, ConfigWarning, Protocol};
pub use error::{Error, ErrorKind};
pub use factor::SecondFactor;
pub use login::{Client, Session};
pub use progress::{Progress, ProgressCallback};
pub use secret::Secret;
pub use tls_check::{TlsCheck, TlsProblem, check_tls};

/// Entry points of the fuzz targets in `fuzz/` and of their corpus test; not part of the API (hidden
/// from the docs, may change in any release).
#[doc(hidden)]
pub mod fuzzing {
    use crate::protocol::{LoginAnswer, parse_login_answer};
    use crate::server_text::{self, Scrubber};

    /// What a login answer becomes, the way a login reads it: the error a refusal or a malformed
    /// answer turns into (its server text cleaned of `secrets`), or, for an answer the login goes
    /// on with, a description (never a token).
    pub fn login_answer(body: &[u8], secrets: &[&str]) -> Result<String, crate::Error> {
        let scrubber = Scrubber::new(secrets.iter().copied());
        match parse_login_answer(body)? {
            LoginAnswer::Refused { code, message } => {
                Err(server_text::refusal(code, message.as_deref(), &scrubber))
            }
            LoginAnswer::Success(data) => Ok(format!("session {}", data.session_id)),
            LoginAnswer::Next { action, ctx } => Ok(format!(
                "next step after {}, context {}",
                action.map_or("none".into(), |a| server_text::next_action(&a, &scrubber)),
                if ctx.is_some() { "given" } else { "absent" }
            )),
        }
    }
}

/// The library version (`major.minor.patch`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
