//! The login history, shaped like Snowflake's `LOGIN_HISTORY` view.

use serde::{Deserialize, Serialize};

/// One login attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Emulator clock, unix seconds.
    pub event_timestamp: u64,
    /// `ACCOUNT_NAME` as sent.
    pub account: String,
    /// `LOGIN_NAME` as sent.
    pub user_name: String,
    /// Whether the login succeeded.
    pub is_success: bool,
    /// The error code on failure.
    pub error_code: Option<String>,
    /// The error message on failure.
    pub error_message: Option<String>,
    /// Always `"PASSWORD"`.
    pub first_authentication_factor: String,
    /// `"DUO_PUSH"`, `"DUO_PASSCODE"`, `"DUO_SMS"`, `"MFA_TOKEN"` or none.
    pub second_authentication_factor: Option<String>,
    /// `CLIENT_APP_ID` of the request.
    pub client_app_id: Option<String>,
    /// Normalised authenticator (`SNOWFLAKE` or `USERNAME_PASSWORD_MFA`).
    pub authenticator: String,
    /// The `request_id` / `requestId` query parameter.
    pub request_id: Option<String>,
}
