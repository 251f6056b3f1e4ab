//! Snowflake's login wire format: the request body sfmfa sends and the answers it accepts.
//!
//! See `docs/protocol.md`. The body is serialised straight into a zeroizing buffer, so the
//! password does not linger in freed memory once the request is sent.

use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::server_text::{self, Scrubber};

pub use crate::factor::SecondFactor;

/// Path of the login request.
pub(crate) const LOGIN_PATH: &str = "/session/v1/login-request";
/// Path of the logout request (with `delete=true` in the query).
pub(crate) const LOGOUT_PATH: &str = "/session";
/// `CLIENT_APP_ID` sfmfa sends.
pub(crate) const CLIENT_APP_ID: &str = "sfmfa";

/// Which request of a login this is: Snowflake's login is one request, or, when the server answers
/// with `nextAction`, up to three (`reference` in README "Login rules").
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    /// The login request: credentials and the second factor.
    First,
    /// The Duo step of a multi-step login: the first request again, with the server's context.
    Duo {
        /// The `inFlightCtx` of the server's `EXT_AUTHN_DUO_*` answer.
        ctx: &'a Secret,
    },
    /// The last step of a multi-step login: the context of `EXT_AUTHN_SUCCESS`, no password and
    /// no Duo fields, to get the session tokens.
    Tokens {
        /// The `inFlightCtx` of the server's `EXT_AUTHN_SUCCESS` answer.
        ctx: &'a Secret,
    },
}

/// What every request of a login says about the account, the user and the client. The login flow
/// takes it from the configuration; the wire format does not read the configuration itself.
pub(crate) struct LoginFields<'a> {
    /// `ACCOUNT_NAME`: the account without a region suffix.
    pub account_name: String,
    /// `LOGIN_NAME`.
    pub login_name: &'a str,
    /// `PASSWORD` as given (with the passcode at its end for passcode-in-password).
    pub password: Option<&'a Secret>,
    /// `PASSWORD` of a cached-token request: without an appended passcode (it would not match).
    pub password_without_passcode: &'a str,
    /// `PASSCODE` of a passcode request.
    pub passcode: Option<&'a Secret>,
    /// `AUTHENTICATOR: USERNAME_PASSWORD_MFA` when true; no `AUTHENTICATOR` (Snowflake's password
    /// authenticator) otherwise.
    pub username_password_mfa: bool,
    /// `CLIENT_ENVIRONMENT.APPLICATION`; sfmfa's own id when unset.
    pub application: Option<&'a str>,
    /// `CLIENT_ENVIRONMENT.LOGIN_TIMEOUT`, whole seconds.
    pub login_timeout_secs: u64,
    /// `CLIENT_ENVIRONMENT.BINDING`.
    pub binding: &'a str,
    /// The session's database, schema, warehouse and role, for the query of the URL.
    pub database: Option<&'a str>,
    /// See [`LoginFields::database`].
    pub schema: Option<&'a str>,
    /// See [`LoginFields::database`].
    pub warehouse: Option<&'a str>,
    /// See [`LoginFields::database`].
    pub role: Option<&'a str>,
}

/// Everything that goes into one login request.
pub(crate) struct LoginRequest<'a> {
    /// What every request of the login says.
    pub fields: &'a LoginFields<'a>,
    pub factor: SecondFactor,
    /// The cached token, for [`SecondFactor::MfaToken`].
    pub token: Option<&'a Secret>,
    /// Ask the server for an MFA token (`SESSION_PARAMETERS.CLIENT_REQUEST_MFA_TOKEN`).
    pub request_mfa_token: bool,
    /// Which request of the login this is.
    pub step: Step<'a>,
}

impl LoginRequest<'_> {
    /// The JSON body, in a buffer that is wiped when dropped.
    pub fn body(&self) -> Zeroizing<Vec<u8>> {
        let c = self.fields;
        let password = c.password.map(Secret::expose).unwrap_or_default();
        let (password, method, passcode, token) = match self.factor {
            SecondFactor::Push | SecondFactor::None | SecondFactor::PushOrNone => {
                (Some(password), Some("push"), None, None)
            }
            SecondFactor::Passcode => (
                Some(password),
                Some("passcode"),
                c.passcode.map(Secret::expose),
                None,
            ),
            SecondFactor::PasscodeInPassword => (Some(password), Some("passcode"), None, None),
            // The token replaces the passcode: the password goes without it (it would not match).
            SecondFactor::MfaToken => (
                Some(c.password_without_passcode),
                None,
                None,
                self.token.map(Secret::expose),
            ),
        };
        let (password, method, passcode, token, ctx) = match self.step {
            Step::First => (password, method, passcode, token, None),
            Step::Duo { ctx } => (password, method, passcode, token, Some(ctx.expose())),
            Step::Tokens { ctx } => (None, None, None, None, Some(ctx.expose())),
        };
        // Room for the worst case (every byte of every string escaped as `\u00XX`), so that the
        // buffer never grows: growing would leave an unwiped copy of the password behind.
        let application = c.application.unwrap_or(CLIENT_APP_ID);
        let strings = [
            c.account_name.as_str(),
            c.login_name,
            application,
            c.binding,
        ]
        .into_iter()
        .chain([password, passcode, token, ctx].into_iter().flatten())
        .map(str::len)
        .sum::<usize>();
        let capacity = 1024 + crate::environment::machine_json_members().len() + 6 * strings;
        let mut json = JsonObject::new(Zeroizing::new(Vec::with_capacity(capacity)));
        json.open("data");
        json.string("CLIENT_APP_ID", CLIENT_APP_ID);
        json.string("CLIENT_APP_VERSION", env!("CARGO_PKG_VERSION"));
        json.string("ACCOUNT_NAME", &c.account_name);
        json.string("LOGIN_NAME", c.login_name);
        json.optional("PASSWORD", password);
        json.optional(
            "AUTHENTICATOR",
            c.username_password_mfa.then_some("USERNAME_PASSWORD_MFA"),
        );
        json.optional("EXT_AUTHN_DUO_METHOD", method);
        json.optional("PASSCODE", passcode);
        json.optional("TOKEN", token);
        json.open("CLIENT_ENVIRONMENT");
        json.string("APPLICATION", application);
        json.string("OS", std::env::consts::OS);
        json.string("ISA", std::env::consts::ARCH);
        json.raw("LOGIN_TIMEOUT", &c.login_timeout_secs.to_string());
        json.string("BINDING", c.binding);
        json.members(crate::environment::machine_json_members());
        json.close();
        json.open("SESSION_PARAMETERS");
        // Always sent, `false` included, as the official drivers do with the MFA authenticator.
        json.raw(
            "CLIENT_REQUEST_MFA_TOKEN",
            if self.request_mfa_token {
                "true"
            } else {
                "false"
            },
        );
        json.close();
        json.close();
        // The context of a multi-step login, top-level as the service expects it.
        json.optional("inFlightCtx", ctx);
        json.finish()
    }

    /// The query of the login URL: a fresh `request_id` and `request_guid`, and the session context.
    pub fn query(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let c = self.fields;
        let [request_id, request_guid] = request_ids()?;
        // Encoded into a stack buffer: `to_string` goes through the formatting machinery.
        let text = |id: uuid::Uuid| {
            let mut buf = uuid::Uuid::encode_buffer();
            id.hyphenated().encode_lower(&mut buf).to_owned()
        };
        let mut q = vec![
            ("request_id", text(request_id)),
            ("request_guid", text(request_guid)),
        ];
        for (name, value) in [
            ("databaseName", c.database),
            ("schemaName", c.schema),
            ("warehouse", c.warehouse),
            ("roleName", c.role),
        ] {
            if let Some(v) = value {
                q.push((name, v.to_owned()));
            }
        }
        Ok(q)
    }
}

/// A JSON object written member by member into a buffer wiped on drop: the login body, in the
/// order of its fields, with every string escaped by serde_json. Written by hand rather than
/// derived so that the machine's part of `CLIENT_ENVIRONMENT`, the same in every request, is
/// rendered once per process ([`crate::environment::machine_json_members`]).
struct JsonObject {
    buf: Zeroizing<Vec<u8>>,
    /// The buffer's capacity when it was handed over: it must still be that at the end.
    capacity: usize,
    /// Whether the object being written has no member yet, for each open object.
    empty: Vec<bool>,
}

impl JsonObject {
    /// The outermost object, opened. The buffer must be large enough never to grow: growing
    /// would leave an unwiped copy of the password behind.
    fn new(mut buf: Zeroizing<Vec<u8>>) -> Self {
        let capacity = buf.capacity();
        buf.push(b'{');
        JsonObject {
            buf,
            capacity,
            empty: vec![true],
        }
    }

    /// The comma before a member of the innermost open object, unless it is the first.
    fn separate(&mut self) {
        if let Some(empty) = self.empty.last_mut() {
            if !*empty {
                self.buf.push(b',');
            }
            *empty = false;
        }
    }

    /// Starts the member `name`: the comma before it, the quoted name and the colon.
    fn key(&mut self, name: &str) {
        self.separate();
        self.quoted(name);
        self.buf.push(b':');
    }

    /// `s` as a JSON string.
    fn quoted(&mut self, s: &str) {
        // Most strings of a login body need no escape: copied as they are. The bytes serde_json
        // escapes are these (its compact formatter leaves every other character, DEL and
        // non-ASCII included, as it is).
        if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
            return;
        }
        // Writing to a Vec cannot fail, and a &str always serialises.
        let _ = serde_json::to_writer(&mut *self.buf, s);
    }

    /// The member `name` with the string `value`.
    fn string(&mut self, name: &str, value: &str) {
        self.key(name);
        self.quoted(value);
    }

    /// The member `name` with the string `value`, or no member at all.
    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(name, value);
        }
    }

    /// The member `name` with `value`, already JSON (a number, `true`, `false`).
    fn raw(&mut self, name: &str, value: &str) {
        self.key(name);
        self.buf.extend_from_slice(value.as_bytes());
    }

    /// Members already written as JSON (`"A":1,"B":"x"`), or none when `members` is empty.
    fn members(&mut self, members: &str) {
        if members.is_empty() {
            return;
        }
        self.separate();
        self.buf.extend_from_slice(members.as_bytes());
    }

    /// Opens the member `name`, an object.
    fn open(&mut self, name: &str) {
        self.key(name);
        self.buf.push(b'{');
        self.empty.push(true);
    }

    /// Closes the innermost open object.
    fn close(&mut self) {
        self.empty.pop();
        self.buf.push(b'}');
    }

    /// Closes the outermost object and hands over the bytes.
    fn finish(mut self) -> Zeroizing<Vec<u8>> {
        while !self.empty.is_empty() {
            self.close();
        }
        debug_assert_eq!(self.buf.capacity(), self.capacity, "the body's buffer grew");
        self.buf
    }
}

/// A login's `request_id` and `request_guid`: two random (version 4) UUIDs from one draw of the
/// system's random source, where `Uuid::new_v4` makes one `getrandom` system call per UUID.
fn request_ids() -> Result<[uuid::Uuid; 2], Error> {
    let mut bytes = [[0u8; 16]; 2];
    getrandom::fill(bytes.as_flattened_mut()).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("no random bytes for the request ids: {e}"),
        )
    })?;
    // Sets the version and variant bits, as `new_v4` does.
    Ok(bytes.map(|b| uuid::Builder::from_random_bytes(b).into_uuid()))
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
    /// `success: true` without tokens but with `nextAction` or `inFlightCtx`: the server wants
    /// another step of a multi-step login. Either may be missing; the flow decides what that means.
    Next {
        /// `data.nextAction` (`EXT_AUTHN_DUO_ALL`, `EXT_AUTHN_SUCCESS`, …).
        action: Option<String>,
        /// `data.inFlightCtx`: it stands for the login so far, so it is kept as a secret.
        ctx: Option<Secret>,
    },
}

/// An answer as it first parses: `data` kept as a tree, whatever its shape.
#[derive(Deserialize)]
struct RawAnswer {
    success: Option<bool>,
    code: Option<Value>,
    message: Option<String>,
    data: Option<Value>,
}

/// An answer read in one pass with `data` straight into the fields sfmfa reads (no tree of the
/// whole answer, which was a fifth of a login's instructions). Any answer it does not take
/// (`data` of another shape, a field of another type, a key twice, invalid JSON) goes through
/// [`RawAnswer`], which decides its outcome and error message as it always did. One difference:
/// the fields sfmfa does not read are skipped without a tree's checks, so a number beyond `f64`
/// or an unpaired surrogate escape in one of them no longer makes the answer malformed.
#[derive(Deserialize)]
struct OnePassAnswer {
    success: Option<bool>,
    code: Option<Value>,
    message: Option<String>,
    data: Option<RawSuccess>,
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
    in_flight_ctx: Option<String>,
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
    if let Ok(answer) = serde_json::from_slice::<OnePassAnswer>(body) {
        let data = answer.data;
        return login_answer(answer.success, answer.code, answer.message, move || {
            data.ok_or_else(|| protocol_error("success without data"))
        });
    }
    let raw: RawAnswer = serde_json::from_slice(body)
        .map_err(|e| protocol_error(format!("malformed JSON ({})", server_text::json_error(&e))))?;
    let data = raw.data;
    login_answer(raw.success, raw.code, raw.message, move || {
        let data = data.ok_or_else(|| protocol_error("success without data"))?;
        serde_json::from_value(data).map_err(|e| {
            protocol_error(format!("unexpected data ({})", server_text::json_error(&e)))
        })
    })
}

/// The answer of `success`, `code` and `message`, with a success's `data` from `data()`.
fn login_answer(
    success: Option<bool>,
    code: Option<Value>,
    message: Option<String>,
    data: impl FnOnce() -> Result<RawSuccess, Error>,
) -> Result<LoginAnswer, Error> {
    match success {
        Some(false) => {
            let code =
                code_of(code).ok_or_else(|| protocol_error("a refusal without a numeric code"))?;
            Ok(LoginAnswer::Refused { code, message })
        }
        Some(true) => {
            let s = data()?;
            let no_token = s.token.as_deref().is_none_or(str::is_empty);
            if no_token && (s.next_action.is_some() || s.in_flight_ctx.is_some()) {
                return Ok(LoginAnswer::Next {
                    action: s.next_action.filter(|a| !a.is_empty()),
                    ctx: s.in_flight_ctx.filter(|c| !c.is_empty()).map(Secret::new),
                });
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

/// Parses the answer to a logout: success, or the codes meaning the session is already gone. A
/// refusal's text is cleaned with `scrubber` (the session's tokens).
pub(crate) fn parse_logout_answer(body: &[u8], scrubber: &Scrubber) -> Result<(), Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match parse_login_answer_refusal(body)? {
        None => Ok(()),
        // 390111: session no longer exists; 390112: session expired. Either way it is closed.
        Some((390111 | 390112, _)) => Ok(()),
        Some((code, message)) => {
            // Scrubbed here, sanitised by `Error::from_server`.
            let message = message.and_then(|m| scrubber.scrub(&m));
            Err(Error::from_server(code, message.as_deref()))
        }
    }
}

fn parse_login_answer_refusal(body: &[u8]) -> Result<Option<(u32, Option<String>)>, Error> {
    let raw: RawAnswer = serde_json::from_slice(body)
        .map_err(|e| protocol_error(format!("malformed JSON ({})", server_text::json_error(&e))))?;
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

    /// The whole body of a passcode request, byte for byte: the members in the drivers' order,
    /// every string escaped, the machine's part of `CLIENT_ENVIRONMENT` as serde renders it.
    #[test]
    fn the_body_is_the_members_in_order_with_strings_escaped() {
        let password = Secret::from("p\"w\\d\u{1}é");
        let passcode = Secret::from("123456");
        let fields = LoginFields {
            account_name: "XY12345".to_owned(),
            login_name: "demo \"user\"",
            password: Some(&password),
            password_without_passcode: "unused",
            passcode: Some(&passcode),
            username_password_mfa: true,
            application: None,
            login_timeout_secs: 120,
            binding: "Rust",
            database: None,
            schema: None,
            warehouse: None,
            role: None,
        };
        let request = LoginRequest {
            fields: &fields,
            factor: SecondFactor::Passcode,
            token: None,
            request_mfa_token: false,
            step: Step::First,
        };
        let body = request.body();
        let machine = serde_json::to_string(crate::environment::machine()).unwrap();
        let expected = format!(
            "{{\"data\":{{\"CLIENT_APP_ID\":\"sfmfa\",\"CLIENT_APP_VERSION\":\"{}\",\
             \"ACCOUNT_NAME\":\"XY12345\",\"LOGIN_NAME\":\"demo \\\"user\\\"\",\
             \"PASSWORD\":\"p\\\"w\\\\d\\u0001é\",\"AUTHENTICATOR\":\"USERNAME_PASSWORD_MFA\",\
             \"EXT_AUTHN_DUO_METHOD\":\"passcode\",\"PASSCODE\":\"123456\",\
             \"CLIENT_ENVIRONMENT\":{{\"APPLICATION\":\"sfmfa\",\"OS\":\"{}\",\"ISA\":\"{}\",\
             \"LOGIN_TIMEOUT\":120,\"BINDING\":\"Rust\",{}}},\
             \"SESSION_PARAMETERS\":{{\"CLIENT_REQUEST_MFA_TOKEN\":false}}}}}}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            &machine[1..machine.len() - 1],
        );
        assert_eq!(String::from_utf8(body.to_vec()).unwrap(), expected);

        // The last step of a multi-step login: no password, no Duo fields, the context at the top.
        let ctx = Secret::from("ctx");
        let tokens = LoginRequest {
            step: Step::Tokens { ctx: &ctx },
            request_mfa_token: true,
            ..request
        };
        let body: Value = serde_json::from_slice(&tokens.body()).unwrap();
        let data = body["data"].as_object().unwrap();
        assert!(!data.contains_key("PASSWORD") && !data.contains_key("PASSCODE"));
        assert_eq!(data["SESSION_PARAMETERS"]["CLIENT_REQUEST_MFA_TOKEN"], true);
        assert_eq!(body["inFlightCtx"], "ctx");

        // A context far larger than any fixed buffer, all of it escaped: the body is written
        // where it started (a buffer that grew would have left a copy of the password behind).
        let big = Secret::from("\u{1}".repeat(20_000).as_str());
        let duo = LoginRequest {
            step: Step::Duo { ctx: &big },
            ..request
        };
        // (JsonObject::finish checks in test builds that the buffer never grew.)
        let big_body = duo.body();
        assert!(big_body.len() > 120_000, "{}", big_body.len());
        let parsed: Value = serde_json::from_slice(&big_body).unwrap();
        assert_eq!(parsed["inFlightCtx"].as_str().unwrap().len(), 20_000);
        assert_eq!(body.as_object().unwrap().len(), 2);
    }

    #[test]
    fn a_string_is_written_as_serde_json_writes_it() {
        // Every ASCII character alone, then with text around it, and non-ASCII ones: the copy
        // taken when nothing needs escaping and serde_json's escape must agree byte for byte.
        let mut cases: Vec<String> = (0u8..=0x7f).map(|b| char::from(b).to_string()).collect();
        cases.extend((0u8..=0x7f).map(|b| format!("ab{}cd", char::from(b))));
        cases.extend(
            [
                "",
                "é",
                "\u{2028}",
                "\u{fffd}",
                "日本語",
                "😀",
                "plain-text_1.2",
            ]
            .map(String::from),
        );
        for s in cases {
            let mut json = JsonObject::new(Zeroizing::new(Vec::with_capacity(64)));
            json.buf.clear();
            json.quoted(&s);
            let expected = serde_json::to_string(&s).unwrap();
            assert_eq!(
                String::from_utf8(json.buf.to_vec()).unwrap(),
                expected,
                "{s:?}"
            );
        }
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
        ] {
            assert_eq!(
                parse_login_answer(body).unwrap_err().kind(),
                ErrorKind::Protocol
            );
        }
    }

    #[test]
    fn logout_answers() {
        parse_logout_answer(
            br#"{"success":true,"code":null,"data":null,"message":null}"#,
            &Scrubber::new([]),
        )
        .unwrap();
        parse_logout_answer(
            br#"{"success":false,"code":"390111","data":null,"message":"gone"}"#,
            &Scrubber::new([]),
        )
        .unwrap();
        assert!(
            parse_logout_answer(
                br#"{"success":false,"code":"390100","data":null}"#,
                &Scrubber::new([])
            )
            .is_err()
        );
    }

    #[test]
    fn a_refusal_reads_only_success_code_and_message() {
        for data in [
            "null",
            "5",
            r#""text""#,
            "[1,[2,{}]]",
            r#"{"token":5,"sessionId":[],"sessionInfo":"x","nextAction":{}}"#,
            r#"{"token":"t","token":"u"}"#,
        ] {
            let body =
                format!(r#"{{"data":{data},"success":false,"code":"390100","message":"m"}}"#);
            match parse_login_answer(body.as_bytes()).unwrap() {
                LoginAnswer::Refused { code, message } => {
                    assert_eq!((code, message.as_deref()), (390100, Some("m")), "{data}");
                }
                other => panic!("{data}: {other:?}"),
            }
            assert_eq!(
                parse_login_answer_refusal(body.as_bytes()).unwrap(),
                Some((390100, Some("m".to_owned())))
            );
        }
        // A field sfmfa does not read is skipped without the tree's checks: a number beyond f64
        // there no longer makes the answer malformed. In a field it reads, it still does.
        assert!(matches!(
            parse_login_answer(br#"{"success":false,"code":"1","data":{"a":1e400}}"#),
            Ok(LoginAnswer::Refused { code: 1, .. })
        ));
        assert!(matches!(
            parse_login_answer(br#"{"success":false,"code":"1","data":{"a":"\ud800"}}"#),
            Ok(LoginAnswer::Refused { code: 1, .. })
        ));
        let e = parse_login_answer(br#"{"success":false,"code":1e400}"#).unwrap_err();
        assert!(
            e.message().contains("malformed JSON (number out of range"),
            "{e}"
        );
        // Invalid JSON is refused as before, wherever it is.
        let e =
            parse_login_answer(br#"{"success":false,"code":"1","data":{"a":tru}}"#).unwrap_err();
        assert!(e.message().contains("malformed JSON"), "{e}");
    }

    #[test]
    fn a_null_or_missing_data_is_a_success_without_data() {
        for body in [
            &br#"{"success":true,"data":null}"#[..],
            br#"{"success":true}"#,
        ] {
            let e = parse_login_answer(body).unwrap_err();
            assert!(e.message().ends_with("success without data"), "{e}");
        }
        assert_eq!(
            parse_login_answer_refusal(br#"{"success":true,"data":null}"#).unwrap(),
            None
        );
    }

    #[test]
    fn session_ids_as_numbers_and_strings() {
        for (id, expected) in [
            ("7", Some(7)),
            (r#""7""#, Some(7)),
            ("-7", Some(-7)),
            ("9223372036854775808", None),
            ("7.0", None),
            (r#""x""#, None),
            ("[7]", None),
            ("null", None),
        ] {
            let body = format!(
                r#"{{"success":true,"data":{{"token":"t","masterToken":"m","sessionId":{id}}}}}"#
            );
            match (parse_login_answer(body.as_bytes()), expected) {
                (Ok(LoginAnswer::Success(s)), Some(n)) => assert_eq!(s.session_id, n, "{id}"),
                (Err(e), None) => assert!(e.message().ends_with("no session id"), "{id}: {e}"),
                (other, _) => panic!("{id}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let body = br#"{"success":true,"extra":[{"a":null}],"code":null,"data":{"firstLogin":false,"parameters":[{"name":"X","value":1.5}],"token":"t","idToken":null,"masterToken":"m","sessionId":7,"sessionInfo":{"databaseName":null,"roleName":"R","warehouseName":"W"},"healthCheckInterval":45}}"#;
        match parse_login_answer(body).unwrap() {
            LoginAnswer::Success(s) => {
                assert_eq!((s.token.expose(), s.master_token.expose()), ("t", "m"));
                assert_eq!(s.role.as_deref(), Some("R"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn data_that_does_not_fit_keeps_its_outcome_and_message() {
        // A key twice: the last one counts, as in the `Value` tree.
        let body =
            br#"{"success":true,"data":{"token":"a","token":"b","masterToken":"m","sessionId":7}}"#;
        match parse_login_answer(body).unwrap() {
            LoginAnswer::Success(s) => assert_eq!(s.token.expose(), "b"),
            other => panic!("{other:?}"),
        }
        // Fields of another type: the tree's message, which names no position and the first key in
        // order (`token`), not the first in the text.
        let body = br#"{"success":true,"data":{"validityInSeconds":"x","token":5}}"#;
        let e = parse_login_answer(body).unwrap_err();
        assert_eq!(
            e.message(),
            "the server's login answer is not valid: unexpected data (invalid type: integer \"…\", \
             expected a string)"
        );
    }

    #[test]
    fn request_ids_are_two_different_v4_uuids() {
        let [id, guid] = request_ids().unwrap();
        for u in [id, guid] {
            assert_eq!(u.get_version(), Some(uuid::Version::Random), "{u}");
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122, "{u}");
            // As they go into the URL: hyphenated, parsed back the same.
            assert_eq!(uuid::Uuid::parse_str(&u.to_string()).unwrap(), u);
        }
        assert_ne!(id, guid);
        assert_ne!(request_ids().unwrap(), [id, guid]);
    }

    #[test]
    fn next_action_answers_are_steps() {
        let a = br#"{"success":true,"data":{"nextAction":"EXT_AUTHN_DUO_ALL","inFlightCtx":"x"}}"#;
        match parse_login_answer(a).unwrap() {
            LoginAnswer::Next { action, ctx } => {
                assert_eq!(action.as_deref(), Some("EXT_AUTHN_DUO_ALL"));
                assert_eq!(ctx.unwrap().expose(), "x");
            }
            other => panic!("{other:?}"),
        }
        let a = br#"{"success":true,"data":{"inFlightCtx":"x"}}"#;
        assert!(matches!(
            parse_login_answer(a).unwrap(),
            LoginAnswer::Next { action: None, .. }
        ));
    }
}
