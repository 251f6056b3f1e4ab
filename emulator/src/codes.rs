//! Snowflake's login error codes and their documented messages (verbatim from the product documents).

/// Incorrect user name or password.
pub const INCORRECT_USERNAME_PASSWORD: &str = "390100";
/// Session no longer exists (logout / heartbeat with an unknown token).
pub const SESSION_GONE: &str = "390111";
/// The role the login names is not the user's.
pub const ROLE_NOT_AUTHORIZED: &str = "390189";
/// Duo push denied.
pub const EXT_AUTHN_DENIED: &str = "390120";
/// Duo authentication pending.
pub const EXT_AUTHN_PENDING: &str = "390121";
/// User not enrolled in Duo.
pub const EXT_AUTHN_NOT_ENROLLED: &str = "390122";
/// User locked from Duo.
pub const EXT_AUTHN_LOCKED: &str = "390123";
/// Duo authentication required (unsupported method).
pub const EXT_AUTHN_REQUESTED: &str = "390124";
/// Passcode sent by SMS.
pub const EXT_AUTHN_SMS_SENT: &str = "390125";
/// Push not approved in time.
pub const EXT_AUTHN_TIMEOUT: &str = "390126";
/// Wrong passcode, or an MFA token the server rejects.
pub const EXT_AUTHN_INVALID: &str = "390127";
/// Duo unreachable.
pub const EXT_AUTHN_EXCEPTION: &str = "390129";
/// Duo Push not enabled for the user.
pub const EXT_AUTHN_DUO_PUSH_DISABLED: &str = "390132";

/// The documented message of a code, or a generic one for codes outside the table.
pub fn message(code: &str) -> &'static str {
    match code {
        "390100" => "Incorrect username or password was specified.",
        "390111" => "Session no longer exists. New login required to access the service.",
        "390120" => "Duo Security authentication is denied.",
        "390189" => {
            "Role specified in the connect string does not exist or not authorized. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC."
        }
        "390121" => "Duo Security authentication is pending.",
        "390122" => {
            "User is not enrolled in Duo Security. Contact your local system administrator."
        }
        "390123" => "User is locked from Duo Security. Contact your local system administrator.",
        "390124" => "Duo Security authentication is required.",
        "390125" => {
            "Duo Security temporary passcode is sent via SMS. Please authenticate using the passcode."
        }
        "390126" => {
            "Timed out waiting for your login request approval via Duo Mobile. If your mobile device has no data service, generate a Duo passcode and enter it in the connect string."
        }
        "390127" => "Incorrect passcode was specified.",
        "390128" => "Duo Security authentication is successful.",
        "390129" => {
            "Request could not be completed due to a communication problem with the external service provider. Try again later."
        }
        "390132" => {
            "Duo Push is not enabled for your MFA. Provide a passcode as part of the connection string."
        }
        _ => "Authentication failed.",
    }
}
