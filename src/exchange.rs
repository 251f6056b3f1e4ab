//! One login exchange with the server: the login request and, when the server answers with
//! `nextAction`, the steps of Snowflake's multi-step Duo flow (README "Login rules"):
//!
//! 1. the login request → `success: true`, `nextAction: EXT_AUTHN_DUO_ALL` (or
//!    `EXT_AUTHN_DUO_PUSH_N_PASSCODE`) and an `inFlightCtx`;
//! 2. the same request with that top-level `inFlightCtx` (the push waits here, or the passcode is
//!    checked) → `nextAction: EXT_AUTHN_SUCCESS` and a new `inFlightCtx` (or the tokens at once);
//! 3. the new context alone, without password or Duo fields → the session tokens.
//!
//! The steps are one login: they share its deadline, its cancel and the caller's turn of the prompt
//! lock; a step that may start a push is sent once. Anything else the server answers (no context, an
//! unknown `nextAction`, more steps than these) ends the login with an error naming the step.

use std::sync::Arc;

use crate::config::{Authenticator, Config};
use crate::error::{Error, ErrorKind};
use crate::factor::SecondFactor;
use crate::progress::{Progress, step_name};
use crate::protocol::{self, LoginAnswer, LoginFields, LoginRequest, SessionData, Step};
use crate::retry::{Idempotence, Watch, post_with_retry};
use crate::secret::Secret;
use crate::server_text::{self, Scrubber};
use crate::transport::{SentHook, Transport};

/// The steps of the documented flow.
const STEPS: u32 = 3;

/// The `nextAction` values that ask for the Duo step.
const DUO_ACTIONS: [&str; 2] = ["EXT_AUTHN_DUO_ALL", "EXT_AUTHN_DUO_PUSH_N_PASSCODE"];
/// The `nextAction` that ends the Duo step.
const SUCCESS_ACTION: &str = "EXT_AUTHN_SUCCESS";

/// A successful exchange: the session, and the second factor the exchange proves.
pub(crate) struct Exchanged {
    pub data: SessionData,
    pub factor: SecondFactor,
}

/// How the server answered a login with a cached token.
pub(crate) enum TokenAnswer {
    /// It accepted the token.
    Accepted(SessionData),
    /// It did not accept the token (any refusal but of the credentials, or a request for Duo):
    /// the token is to be evicted and the login made once without it. The error says why.
    NotAccepted(Error),
}

/// A step's answer that is not a refusal (refusals are errors).
enum Reply {
    /// The session tokens.
    Session(SessionData),
    /// Another step, as `LoginAnswer::Next`.
    Next {
        action: Option<String>,
        ctx: Option<Secret>,
    },
}

/// Where the requests of one login go, and under which watch.
pub(crate) struct Exchange<'a> {
    pub transport: &'a Transport,
    pub config: &'a Config,
    pub watch: Watch<'a>,
}

impl Exchange<'_> {
    /// A login that asks for `factor` (push, passcode, passcode in password), through every step
    /// the server asks for.
    pub fn interactive(
        &self,
        factor: SecondFactor,
        request_mfa_token: bool,
    ) -> Result<Exchanged, Error> {
        let first = self.post(factor, None, request_mfa_token, Step::First, 1)?;
        let (action, ctx) = match first {
            Reply::Session(data) => {
                return Ok(Exchanged {
                    data,
                    factor: factor.proven_in_one_step(),
                });
            }
            Reply::Next { action, ctx } => expect_step(1, action, ctx, &DUO_ACTIONS)?,
        };

        self.step_starts(2, &action);
        let second = self.post(factor, None, request_mfa_token, Step::Duo { ctx: &ctx }, 2)?;
        drop(ctx);
        let (action, ctx) = match second {
            // The server may hand out the tokens with the Duo step's answer.
            Reply::Session(data) => return Ok(Exchanged { data, factor }),
            Reply::Next { action, ctx } => expect_step(2, action, ctx, &[SUCCESS_ACTION])?,
        };

        self.step_starts(3, &action);
        match self.post(
            factor,
            None,
            request_mfa_token,
            Step::Tokens { ctx: &ctx },
            3,
        )? {
            Reply::Session(data) => Ok(Exchanged { data, factor }),
            Reply::Next { action, .. } => Err(step_error(
                3,
                format!(
                    "the server asked for another step ({}) after the documented {STEPS}",
                    shown(action.as_deref())
                ),
            )),
        }
    }

    /// A login with a cached token instead of Duo. A refusal of the credentials (390100) is an
    /// error (the token is not what failed); any other refusal, and an answer asking for Duo, is
    /// [`TokenAnswer::NotAccepted`].
    pub fn with_token(&self, token: &Secret) -> Result<TokenAnswer, Error> {
        let factor = SecondFactor::MfaToken;
        match self.post(factor, Some(token), true, Step::First, 1) {
            Ok(Reply::Session(data)) => Ok(TokenAnswer::Accepted(data)),
            Ok(Reply::Next { action, .. }) => Ok(TokenAnswer::NotAccepted(Error::new(
                ErrorKind::Protocol,
                format!(
                    "the server asked for Duo ({}) instead of accepting the cached MFA token",
                    shown(action.as_deref())
                ),
            ))),
            Err(e) if e.server_code().is_some() && !e.is_credentials_refusal() => {
                Ok(TokenAnswer::NotAccepted(e))
            }
            Err(e) => Err(e),
        }
    }

    /// What reports the request of `factor` once it has been written to the socket: push sent,
    /// passcode sent (nothing for a cached token).
    fn announce(&self, factor: SecondFactor) -> Option<SentHook> {
        let event = match factor {
            SecondFactor::MfaToken => return None,
            f if f.may_start_push() => Progress::PushSent,
            _ => Progress::PasscodeSent,
        };
        let reporter = self.watch.reporter.clone();
        Some(Arc::new(move || reporter.emit(event.clone())))
    }

    /// Every secret of this login, in every form it could come back in (with the passcode in the
    /// password, also its password part and its passcode part alone).
    fn scrubber(&self, token: Option<&Secret>, ctx: Option<&Secret>) -> Scrubber {
        let password = self.config.password().map_or("", Secret::expose);
        let password_part = self.config.password_without_passcode();
        let passcode_part = password.get(password_part.len()..).unwrap_or_default();
        let passcode = self.config.passcode().map_or("", Secret::expose);
        let token = token.map_or("", Secret::expose);
        let ctx = ctx.map_or("", Secret::expose);
        Scrubber::new([password, password_part, passcode_part, passcode, token, ctx])
    }

    fn step_starts(&self, step: u32, action: &str) {
        log::info!(
            "multi-step login: step {step} of {STEPS} ({}) after nextAction {action}",
            step_name(step)
        );
        self.watch.reporter.emit(Progress::LoginStep {
            step,
            of: STEPS,
            action: action.to_owned(),
        });
    }

    /// One request of the login (with its transport-level retries) and its parsed answer; a
    /// refusal comes back as the server's error, scrubbed of the request's secrets.
    fn post(
        &self,
        factor: SecondFactor,
        token: Option<&Secret>,
        request_mfa_token: bool,
        step: Step<'_>,
        number: u32,
    ) -> Result<Reply, Error> {
        self.watch.cancel.check()?;
        let fields = login_fields(self.config);
        let request = LoginRequest {
            fields: &fields,
            factor,
            token,
            request_mfa_token,
            step,
        };
        let body = request.body();
        let query = request.query()?;
        log::info!(
            "login request (step {number}) to {} as {} (authenticator {:?}, second factor {}, request_id {})",
            self.transport.base_url(),
            self.config.user().unwrap_or_default(),
            self.config.authenticator(),
            factor.name(),
            query[0].1
        );
        // Announced once the request has been written in full: never for a connection that did
        // not open, and before the answer (the push's outcome) is read.
        let announce = match step {
            Step::Tokens { .. } => None,
            _ => self.announce(factor),
        };
        // The token request of step 3 cannot start a push; the first two steps may.
        let idem = match step {
            Step::First | Step::Duo { .. } if factor.may_start_push() => Idempotence::MayStartPush,
            _ => Idempotence::Repeatable,
        };
        let in_step = |e: Error| {
            if number > 1 {
                e.with_context(format!(
                    "at step {number} of the multi-step login: {}",
                    step_name(number)
                ))
            } else {
                e
            }
        };
        // The token request of a push login follows the push: a connection lost on it leaves the
        // push answered on the phone, as one lost on the requests that may start it (marked by
        // `post_with_retry`) leaves it there, maybe pending.
        let after_push = matches!(step, Step::Tokens { .. }) && factor.may_start_push();
        let answer = post_with_retry(
            self.transport,
            protocol::LOGIN_PATH,
            &query,
            &[],
            &body,
            idem,
            self.watch,
            announce,
        )
        .map_err(|e| match e.kind() {
            ErrorKind::ConnectionLost if after_push => e.with_push_may_be_out(),
            _ => e,
        })
        .map_err(in_step)?;
        drop(body);
        if answer.status != 200 {
            return Err(in_step(
                Error::new(
                    ErrorKind::HttpStatus,
                    format!(
                        "{} answered the login with HTTP {}",
                        self.transport.base_url(),
                        answer.status
                    ),
                )
                .with_http_status(answer.status),
            ));
        }
        match protocol::parse_login_answer(&answer.body).map_err(in_step)? {
            LoginAnswer::Refused { code, message } => {
                let ctx = match step {
                    Step::First => None,
                    Step::Duo { ctx } | Step::Tokens { ctx } => Some(ctx),
                };
                let scrubber = self.scrubber(token, ctx);
                let e = in_step(server_text::refusal(code, message.as_deref(), &scrubber));
                log::info!("login refused: {e}");
                Err(e)
            }
            LoginAnswer::Success(data) => Ok(Reply::Session(data)),
            // The action may end up in a message: scrubbed like any server text (a known action
            // never changes).
            LoginAnswer::Next { action, ctx } => Ok(Reply::Next {
                action: action.map(|a| server_text::next_action(&a, &self.scrubber(token, None))),
                ctx,
            }),
        }
    }
}

/// What every request of a login says, from the configuration.
pub(crate) fn login_fields(config: &Config) -> LoginFields<'_> {
    LoginFields {
        account_name: config.account_name(),
        login_name: config.user().unwrap_or_default(),
        password: config.password(),
        password_without_passcode: config.password_without_passcode(),
        passcode: config.passcode(),
        username_password_mfa: config.authenticator() == Authenticator::UsernamePasswordMfa,
        application: config.application(),
        login_timeout_secs: config.login_timeout().as_secs(),
        binding: config.binding().0,
        database: config.database(),
        schema: config.schema(),
        warehouse: config.warehouse(),
        role: config.role(),
    }
}

/// The `nextAction` and context of a step's answer, checked against what the flow expects next.
fn expect_step(
    step: u32,
    action: Option<String>,
    ctx: Option<Secret>,
    expected: &[&str],
) -> Result<(String, Secret), Error> {
    let Some(action) = action else {
        return Err(step_error(
            step,
            "the server's answer has an inFlightCtx but no nextAction and no session token"
                .to_owned(),
        ));
    };
    if !expected.contains(&action.as_str()) {
        let what = if DUO_ACTIONS.contains(&action.as_str()) || action == SUCCESS_ACTION {
            "out of the documented order"
        } else {
            "unknown to this library"
        };
        return Err(step_error(
            step,
            format!(
                "the server answered nextAction '{}' ({what}; expected {})",
                shown(Some(&action)),
                expected.join(" or ")
            ),
        ));
    }
    let Some(ctx) = ctx else {
        return Err(step_error(
            step,
            format!("the server answered nextAction '{action}' without an inFlightCtx"),
        ));
    };
    Ok((action, ctx))
}

fn step_error(step: u32, what: String) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "multi-step login failed at step {step} of {STEPS} ({}): {what}",
            step_name(step)
        ),
    )
}

/// Server text in a message: bounded and printable (it comes from the network).
fn shown(action: Option<&str>) -> String {
    match action {
        None => "none".to_owned(),
        Some(a) => server_text::identifier(a).into_owned(),
    }
}

#[cfg(test)]
mod request_tests {
    use serde_json::Value;

    use super::*;

    pub(super) fn config(pairs: &[(&str, &str)]) -> Config {
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
            fields: &login_fields(c),
            factor: c.second_factor(),
            token,
            request_mfa_token: false,
            step: Step::First,
        };
        serde_json::from_slice(&req.body()).unwrap()
    }

    #[test]
    fn precedence_passcode_in_password_over_passcode_over_push() {
        let c = config(&[("authenticator", "username_password_mfa")]);
        assert_eq!(c.second_factor(), SecondFactor::Push);
        let c = config(&[
            ("authenticator", "username_password_mfa"),
            ("passcode", "123456"),
        ]);
        assert_eq!(c.second_factor(), SecondFactor::Passcode);
        let c = config(&[("passcode", "123456"), ("passcode_in_password", "on")]);
        assert_eq!(c.second_factor(), SecondFactor::PasscodeInPassword);
        let d = body(&c, None);
        assert_eq!(d["data"]["EXT_AUTHN_DUO_METHOD"], "passcode");
        assert!(d["data"].get("PASSCODE").is_none());
        // A push is asked for with the default authenticator too (JDBC, ODBC, .NET, sf_core).
        assert_eq!(config(&[]).second_factor(), SecondFactor::Push);
        assert_eq!(
            body(&config(&[]), None)["data"]["EXT_AUTHN_DUO_METHOD"],
            "push"
        );
    }

    #[test]
    fn cached_token_suppresses_duo_fields() {
        let c = config(&[
            ("authenticator", "username_password_mfa"),
            ("passcode", "123456"),
        ]);
        let t = Secret::from("tok");
        let req = LoginRequest {
            fields: &login_fields(&c),
            factor: SecondFactor::MfaToken,
            token: Some(&t),
            request_mfa_token: true,
            step: Step::First,
        };
        let d: Value = serde_json::from_slice(&req.body()).unwrap();
        assert_eq!(d["data"]["TOKEN"], "tok");
        assert!(d["data"].get("EXT_AUTHN_DUO_METHOD").is_none());
        assert!(d["data"].get("PASSCODE").is_none());
        assert_eq!(
            d["data"]["SESSION_PARAMETERS"]["CLIENT_REQUEST_MFA_TOKEN"],
            true
        );
    }
}

#[cfg(test)]
mod step_tests {
    use serde_json::Value;

    use super::*;

    /// The tests' configuration, with the passcode appended to the password.
    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut c = super::request_tests::config(&[("password", "abc123987654")]);
        for (k, v) in pairs {
            c.set(k, v).unwrap();
        }
        c
    }

    fn body(c: &Config, factor: SecondFactor, token: Option<&Secret>, step: Step<'_>) -> Value {
        let req = LoginRequest {
            fields: &login_fields(c),
            factor,
            token,
            request_mfa_token: true,
            step,
        };
        serde_json::from_slice(&req.body()).unwrap()
    }

    #[test]
    fn a_token_login_sends_the_password_without_the_passcode() {
        let c = config(&[("passcode_in_password", "on")]);
        let t = Secret::from("tok");
        let d = body(&c, SecondFactor::MfaToken, Some(&t), Step::First);
        assert_eq!(d["data"]["PASSWORD"], "abc123");
        assert_eq!(d["data"]["TOKEN"], "tok");
        // The interactive login still sends it whole: the server splits it.
        let d = body(&c, SecondFactor::PasscodeInPassword, None, Step::First);
        assert_eq!(d["data"]["PASSWORD"], "abc123987654");
        // Without passcode_in_password the password is the password, digits and all.
        let c = config(&[]);
        let d = body(&c, SecondFactor::MfaToken, Some(&t), Step::First);
        assert_eq!(d["data"]["PASSWORD"], "abc123987654");
    }

    #[test]
    fn steps_carry_the_context_and_the_last_no_credentials() {
        let c = config(&[("passcode", "123456")]);
        let ctx = Secret::from("IFC-1");
        let d = body(&c, SecondFactor::Passcode, None, Step::Duo { ctx: &ctx });
        assert_eq!(d["inFlightCtx"], "IFC-1");
        assert_eq!(d["data"]["PASSCODE"], "123456");
        assert_eq!(d["data"]["EXT_AUTHN_DUO_METHOD"], "passcode");
        let d = body(&c, SecondFactor::Passcode, None, Step::Tokens { ctx: &ctx });
        assert_eq!(d["inFlightCtx"], "IFC-1");
        for absent in ["PASSWORD", "PASSCODE", "EXT_AUTHN_DUO_METHOD", "TOKEN"] {
            assert!(d["data"].get(absent).is_none(), "{absent}");
        }
        assert_eq!(d["data"]["LOGIN_NAME"], "demo");
        assert_eq!(
            d["data"]["SESSION_PARAMETERS"]["CLIENT_REQUEST_MFA_TOKEN"],
            true
        );
        let d = body(&c, SecondFactor::Passcode, None, Step::First);
        assert!(d.get("inFlightCtx").is_none());
    }

    #[test]
    fn client_environment_has_every_field_the_drivers_all_send() {
        let d = body(&config(&[]), SecondFactor::Push, None, Step::First);
        let env = &d["data"]["CLIENT_ENVIRONMENT"];
        for key in [
            "OS_VERSION",
            "LIBC_FAMILY",
            "LIBC_VERSION",
            "CORE_VERSION",
            "APPLICATION_PATH",
            "CERT_REVOCATION_CHECK_MODE",
            "OS",
            "ISA",
        ] {
            assert!(env[key].is_string(), "{key}: {env}");
        }
        assert!(env["OS_DETAILS"].is_object());
        let c = config(&[]);
        let req = LoginRequest {
            fields: &login_fields(&c),
            factor: SecondFactor::Push,
            token: None,
            request_mfa_token: false,
            step: Step::First,
        };
        let d: Value = serde_json::from_slice(&req.body()).unwrap();
        assert_eq!(
            d["data"]["SESSION_PARAMETERS"]["CLIENT_REQUEST_MFA_TOKEN"],
            false
        );
    }
}
