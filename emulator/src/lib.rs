//! sfmfa-emulator: an independent, offline emulator of Snowflake's login service with Duo MFA.
//!
//! It serves `POST /session/v1/login-request` (password, Duo push / passcode / SMS, MFA tokens,
//! the legacy `nextAction` flow), logout, heartbeat, token renewal, telemetry and the
//! administrator's SQL of the MFA documents (`POST /queries/v1/query-request`) on 127.0.0.1,
//! over HTTP or HTTPS, plus a control API under `/control/`. Tests drive it through [`Control`].
//! It shares no code with the `sfmfa` client. See README.md for the flow and the code table.

mod clock;
mod codes;
mod config;
mod conns;
mod control;
mod control_api;
mod duo;
mod endpoints;
mod faults;
mod history;
mod http;
mod login;
mod query;
mod random;
mod router;
mod server;
mod sessions;
mod sql;
mod state;
mod tls;
mod token;

pub use codes::message as code_message;
pub use config::{AccountConfig, ConfigError, EmulatorConfig, PushBehaviour, UserConfig};
pub use control::Control;
pub use duo::{hotp, totp};
pub use faults::Fault;
pub use history::HistoryEntry;
pub use server::{Emulator, StartOptions};
pub use state::TokenOnTokenLogin;
pub use token::MFA_TOKEN_VALIDITY_SECS;
