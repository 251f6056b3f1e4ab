//! What second factor a login asks for, and what a session proves happened. A leaf: the
//! configuration and the wire format both use it, and it uses neither.

/// The second factor of a login: what a request asks for, and, on a session, what the exchange
/// with the server proves happened (never a factor that did not happen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// No second factor. Not reported by this version: a push request that succeeds in one step is
    /// [`SecondFactor::PushOrNone`], because the answer does not tell whether the user is enrolled
    /// in Duo. Kept so that its C value is never reused.
    None,
    /// A Duo push the user approved: the server's multi-step answer (`nextAction:
    /// EXT_AUTHN_SUCCESS` after the push step) proves it. As a request: `EXT_AUTHN_DUO_METHOD: "push"`.
    Push,
    /// `EXT_AUTHN_DUO_METHOD: "passcode"` with `PASSCODE`, accepted.
    Passcode,
    /// `EXT_AUTHN_DUO_METHOD: "passcode"`, the passcode at the end of `PASSWORD`, no `PASSCODE`,
    /// accepted.
    PasscodeInPassword,
    /// A cached MFA token in `TOKEN`, no Duo fields, accepted.
    MfaToken,
    /// A push was asked for and the server let the user in with one answer, which does not say
    /// whether it pushed: a user enrolled in Duo approved a push, a user not enrolled logged in
    /// with the password alone.
    PushOrNone,
}

impl SecondFactor {
    /// The factor a login asks for without a cached MFA token: passcode-in-password > passcode >
    /// push (every official driver applies this precedence). A push is asked for explicitly with
    /// every authenticator, as the JDBC, ODBC and .NET drivers and Snowflake's Rust core do.
    pub(crate) fn requested(passcode_in_password: bool, passcode_given: bool) -> Self {
        if passcode_in_password {
            SecondFactor::PasscodeInPassword
        } else if passcode_given {
            SecondFactor::Passcode
        } else {
            SecondFactor::Push
        }
    }

    /// True when a request with this factor can make the server send a Duo push. Such a request is
    /// never sent twice.
    pub(crate) fn may_start_push(self) -> bool {
        matches!(
            self,
            SecondFactor::None | SecondFactor::Push | SecondFactor::PushOrNone
        )
    }

    /// What a one-step success of a request asking for this factor proves.
    pub(crate) fn proven_in_one_step(self) -> Self {
        match self {
            SecondFactor::None | SecondFactor::Push | SecondFactor::PushOrNone => {
                SecondFactor::PushOrNone
            }
            other => other,
        }
    }

    /// A short name for logs and the C ABI.
    pub fn name(self) -> &'static str {
        match self {
            SecondFactor::None => "none",
            SecondFactor::Push => "push",
            SecondFactor::Passcode => "passcode",
            SecondFactor::PasscodeInPassword => "passcode_in_password",
            SecondFactor::MfaToken => "mfa_token",
            SecondFactor::PushOrNone => "push_or_none",
        }
    }
}
