//! Snowflake's login wire format: the request body sfmfa sends and the answers it accepts.
//!
//! See `reference/protocol.md`. The body is serialised straight into a zeroizing buffer, so the
//! password does not linger in freed memory once the request is sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::config::{Authenticator, Config};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// Path of the login request.
pub(crate) const LOGIN_PATH: &str = "/session/v1/login-request";
/// Path of the logout request (with `delete=true` in the query).
pub(crate) const LOGOUT_PATH: &str = "/session";
/// `CLIENT_APP_ID` sfmfa sends.
pub(crate) const CLIENT_APP_ID: &str = "sfmfa";

/// How the second factor is given in one login request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// No Duo fields: the `snowflake` authenticator without a passcode. The server pushes if the user
    /// is enrolled in Duo.
    None,
    /// `EXT_AUTHN_DUO_METHOD: "push"`.
    Push,
    /// `EXT_AUTHN_DUO_METHOD: "passcode"` with `PASSCODE`.
    Passcode,
    /// `EXT_AUTHN_DUO_METHOD: "passcode"`, the passcode at the end of `PASSWORD`, no `PASSCODE`.
    PasscodeInPassword,
    /// A cached MFA token in `TOKEN`, no Duo fields.
    CachedToken,
}

impl SecondFactor {
    /// The factor a configuration asks for: passcode-in-password > passcode > push (every official
    /// driver applies this precedence).
    pub(crate) fn from_config(config: &Config) -> Self {
        if config.passcode_in_password {
            SecondFactor::PasscodeInPassword
        } else if config.passcode.is_some() {
            SecondFactor::Passcode
        } else if config.authenticator == Authenticator::UsernamePasswordMfa {
            SecondFactor::Push
        } else {
            SecondFactor::None
        }
    }

    /// True when a request with this factor can make the server send a Duo push. Such a request is
    /// never sent twice.
    pub(crate) fn may_start_push(self) -> bool {
        matches!(self, SecondFactor::None | SecondFactor::Push)
    }

    /// A short name for logs and the C ABI.
    pub fn name(self) -> &'static str {
        match self {
            SecondFactor::None => "none",
            SecondFactor::Push => "push",
            SecondFactor::Passcode => "passcode",
            SecondFactor::PasscodeInPassword => "passcode_in_password",
            SecondFactor::CachedToken => "mfa_token",
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    data: LoginData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct LoginData<'a> {
    client_app_id: &'static str,
    client_app_version: &'static str,
    account_name: &'a str,
    login_name: &'a str,
    password: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authenticator: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ext_authn_duo_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passcode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    client_environment: ClientEnvironment<'a>,
    session_parameters: SessionParameters,
}

#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct ClientEnvironment<'a> {
    application: &'a str,
    os: &'static str,
    isa: &'static str,
    login_timeout: u64,
    binding: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct SessionParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_request_mfa_token: Option<bool>,
}

/// Everything that goes into one login request besides the configuration.
pub(crate) struct LoginRequest<'a> {
    pub config: &'a Config,
    pub factor: SecondFactor,
    /// The cached token, for [`SecondFactor::CachedToken`].
    pub token: Option<&'a Secret>,
    /// Ask the server for an MFA token (`SESSION_PARAMETERS.CLIENT_REQUEST_MFA_TOKEN`).
    pub request_mfa_token: bool,
}

impl LoginRequest<'_> {
    /// The JSON body, in a buffer that is wiped when dropped.
    pub fn body(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let c = self.config;
        let (method, passcode, token) = match self.factor {
            SecondFactor::None => (None, None, None),
            SecondFactor::Push => (Some("push"), None, None),
            SecondFactor::Passcode => (
                Some("passcode"),
                c.passcode.as_ref().map(Secret::expose),
                None,
            ),
            SecondFactor::PasscodeInPassword => (Some("passcode"), None, None),
            SecondFactor::CachedToken => (None, None, self.token.map(Secret::expose)),
        };
        let account = c.account_name();
        let envelope = Envelope {
            data: LoginData {
                client_app_id: CLIENT_APP_ID,
                client_app_version: env!("CARGO_PKG_VERSION"),
                account_name: &account,
                login_name: c.user.as_deref().unwrap_or_default(),
                password: c.password.as_ref().map(Secret::expose).unwrap_or_default(),
                authenticator: (c.authenticator == Authenticator::UsernamePasswordMfa)
                    .then_some("USERNAME_PASSWORD_MFA"),
                ext_authn_duo_method: method,
                passcode,
                token,
                client_environment: ClientEnvironment {
                    application: c.application.as_deref().unwrap_or(CLIENT_APP_ID),
                    os: std::env::consts::OS,
                    isa: std::env::consts::ARCH,
                    login_timeout: c.login_timeout.as_secs(),
                    binding: &c.binding.0,
                },
                session_parameters: SessionParameters {
                    client_request_mfa_token: self.request_mfa_token.then_some(true),
                },
            },
        };
        // Large enough that serialisation never reallocates (a reallocation would leave an unwiped
        // copy of the password behind).
        let mut buf = Zeroizing::new(Vec::with_capacity(8192));
        serde_json::to_writer(&mut *buf, &envelope).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot encode the login request: {e}"),
            )
        })?;
        Ok(buf)
    }

    /// The query of the login URL: a fresh `request_id` and `request_guid`, and the session context.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let c = self.config;
        let mut q = vec![
            ("request_id", uuid::Uuid::new_v4().to_string()),
            ("request_guid", uuid::Uuid::new_v4().to_string()),
        ];
        for (name, value) in [
            ("databaseName", &c.database),
            ("schemaName", &c.schema),
            ("warehouse", &c.warehouse),
            ("roleName", &c.role),
        ] {
            if let Some(v) = value {
                q.push((name, v.clone()));
            }
        }
        q
    }
}

/// The session a successful login returns.
#[derive(Debug)]
pub(crate) struct SessionData {
    pub token: Secret,
    pub master_token: Secret,
    pub session_id: i64,
    pub validity_secs: Option<u64>,
    pub master_validity_secs: Option<u64>,
    pub mfa_token: Option<Secret>,
    pub server_version: Option<String>,
    pub display_user_name: Option<String>,
    pub role: Option<String>,
}

/// What the server said to a login request.
#[derive(Debug)]
pub(crate) enum LoginAnswer {
    /// `success: true` with the session tokens.
    Success(SessionData),
    /// `success: false` with a code and message (the message not yet scrubbed).
    Refused { code: u32, message: Option<String> },
}

#[derive(Deserialize)]
struct RawAnswer {
    success: Option<bool>,
    code: Option<Value>,
    message: Option<String>,
    data: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSuccess {
    token: Option<String>,
    master_token: Option<String>,
    session_id: Option<Value>,
    validity_in_seconds: Option<u64>,
    master_validity_in_seconds: Option<u64>,
    mfa_token: Option<String>,
    server_version: Option<String>,
    display_user_name: Option<String>,
    session_info: Option<RawSessionInfo>,
    next_action: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSessionInfo {
    role_name: Option<String>,
}

fn protocol_error(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("the server's login answer is not valid: {what}"),
    )
}

/// Parses the body of an HTTP 200 answer to a login request.
pub(crate) fn parse_login_answer(body: &[u8]) -> Result<LoginAnswer, Error> {
    let raw: RawAnswer = serde_json::from_slice(body)
        .map_err(|e| protocol_error(format!("malformed JSON ({e})")))?;
    match raw.success {
        Some(false) => {
            let code = code_of(raw.code)
                .ok_or_else(|| protocol_error("a refusal without a numeric code"))?;
            Ok(LoginAnswer::Refused {
                code,
                message: raw.message,
            })
        }
        Some(true) => {
            let data = raw
                .data
                .ok_or_else(|| protocol_error("success without data"))?;
            let s: RawSuccess = serde_json::from_value(data)
                .map_err(|e| protocol_error(format!("unexpected data ({e})")))?;
            if let Some(next) = s.next_action.as_deref().filter(|_| s.token.is_none()) {
                return Err(protocol_error(format!(
                    "multi-step login ('{next}') is not supported"
                )));
            }
            let token = s
                .token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| protocol_error("no session token"))?;
            let master = s
                .master_token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| protocol_error("no master token"))?;
            let session_id = match s.session_id {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            }
            .ok_or_else(|| protocol_error("no session id"))?;
            Ok(LoginAnswer::Success(SessionData {
                token: Secret::new(token),
                master_token: Secret::new(master),
                session_id,
                validity_secs: s.validity_in_seconds,
                master_validity_secs: s.master_validity_in_seconds,
                mfa_token: s.mfa_token.filter(|t| !t.is_empty()).map(Secret::new),
                server_version: s.server_version,
                display_user_name: s.display_user_name,
                role: s.session_info.and_then(|i| i.role_name),
            }))
        }
        None => Err(protocol_error("no 'success' field")),
    }
}

/// Parses the answer to a logout: success, or the codes meaning the session is already gone.
pub(crate) fn parse_logout_answer(body: &[u8]) -> Result<(), Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match parse_login_answer_refusal(body)? {
        None => Ok(()),
        // 390111: session no longer exists; 390112: session expired. Either way it is closed.
        Some((390111 | 390112, _)) => Ok(()),
        Some((code, message)) => Err(Error::from_server(code, message.as_deref())),
    }
}

fn parse_login_answer_refusal(body: &[u8]) -> Result<Option<(u32, Option<String>)>, Error> {
    let raw: RawAnswer = serde_json::from_slice(body)
        .map_err(|e| protocol_error(format!("malformed JSON ({e})")))?;
    if raw.success != Some(false) {
        return Ok(None);
    }
    Ok(Some((code_of(raw.code).unwrap_or(0), raw.message)))
}

/// The server's `code`: a string of digits as Snowflake sends it, or a number, tolerated.
fn code_of(code: Option<Value>) -> Option<u32> {
    match code? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut c = Config::new();
        for (k, v) in [
            ("account", "xy12345"),
            ("user", "demo"),
            ("password", "abc123"),
        ]
        .iter()
        .chain(pairs)
        {
            c.set(k, v).unwrap();
        }
        c
    }

    fn body(c: &Config, token: Option<&Secret>) -> Value {
        let req = LoginRequest {
            config: c,
            factor: SecondFactor::from_config(c),
            token,
            request_mfa_token: false,
        };
        serde_json::from_slice(&req.body().unwrap()).unwrap()
    }

    #[test]
    fn precedence_passcode_in_password_over_passcode_over_push() {
        let c = config(&[("authenticator", "username_password_mfa")]);
        assert_eq!(SecondFactor::from_config(&c), SecondFactor::Push);
        let c = config(&[
            ("authenticator", "username_password_mfa"),
            ("passcode", "123456"),
        ]);
        assert_eq!(SecondFactor::from_config(&c), SecondFactor::Passcode);
        let c = config(&[("passcode", "123456"), ("passcode_in_password", "on")]);
        assert_eq!(
            SecondFactor::from_config(&c),
            SecondFactor::PasscodeInPassword
        );
        let d = body(&c, None);
        assert_eq!(d["data"]["EXT_AUTHN_DUO_METHOD"], "passcode");
        assert!(d["data"].get("PASSCODE").is_none());
        assert_eq!(SecondFactor::from_config(&config(&[])), SecondFactor::None);
    }

    #[test]
    fn cached_token_suppresses_duo_fields() {
        let c = config(&[
            ("authenticator", "username_password_mfa"),
            ("passcode", "123456"),
        ]);
        let t = Secret::from("tok");
        let req = LoginRequest {
            config: &c,
            factor: SecondFactor::CachedToken,
            token: Some(&t),
            request_mfa_token: true,
        };
        let d: Value = serde_json::from_slice(&req.body().unwrap()).unwrap();
        assert_eq!(d["data"]["TOKEN"], "tok");
        assert!(d["data"].get("EXT_AUTHN_DUO_METHOD").is_none());
        assert!(d["data"].get("PASSCODE").is_none());
        assert_eq!(
            d["data"]["SESSION_PARAMETERS"]["CLIENT_REQUEST_MFA_TOKEN"],
            true
        );
    }

    #[test]
    fn parses_success_and_refusal() {
        let ok = br#"{"success":true,"code":null,"message":null,"data":{"token":"t","masterToken":"m","sessionId":7,"mfaToken":null,"sessionInfo":{"roleName":"PUBLIC"}}}"#;
        match parse_login_answer(ok).unwrap() {
            LoginAnswer::Success(s) => {
                assert_eq!(s.session_id, 7);
                assert_eq!(s.token.expose(), "t");
                assert!(s.mfa_token.is_none());
                assert_eq!(s.role.as_deref(), Some("PUBLIC"));
            }
            other => panic!("{other:?}"),
        }
        let no = br#"{"success":false,"code":"390120","message":"denied","data":null}"#;
        assert!(matches!(
            parse_login_answer(no).unwrap(),
            LoginAnswer::Refused { code: 390120, .. }
        ));
        let numeric = br#"{"success":false,"code":390127,"message":null,"data":null}"#;
        assert!(matches!(
            parse_login_answer(numeric).unwrap(),
            LoginAnswer::Refused { code: 390127, .. }
        ));
    }

    #[test]
    fn malformed_and_incomplete_answers_are_protocol_errors() {
        for body in [
            &b"{\"success\": tru"[..],
            br#"{"success":true,"data":{}}"#,
            br#"{"success":true,"data":null}"#,
            br#"{"data":{}}"#,
            br#"{"success":false,"code":null}"#,
            br#"{"success":true,"data":{"nextAction":"EXT_AUTHN_DUO_ALL","inFlightCtx":"x"}}"#,
        ] {
            assert_eq!(
                parse_login_answer(body).unwrap_err().kind(),
                ErrorKind::Protocol
            );
        }
    }

    #[test]
    fn logout_answers() {
        parse_logout_answer(br#"{"success":true,"code":null,"data":null,"message":null}"#).unwrap();
        parse_logout_answer(br#"{"success":false,"code":"390111","data":null,"message":"gone"}"#)
            .unwrap();
        assert!(parse_logout_answer(br#"{"success":false,"code":"390100","data":null}"#).is_err());
    }
}
