//! Accounts, users and global settings, read from TOML (see README.md, "Configuration").

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The embedded default configuration (`emulator/default.toml`).
const DEFAULT_TOML: &str = include_str!("../default.toml");

/// Push lifetime when neither the user nor the configuration sets one.
pub const DEFAULT_PUSH_TIMEOUT_MS: u64 = 60_000;
/// The one role with privileges in the emulator's SQL (see README.md, "Privileges").
pub const ADMIN_ROLE: &str = "ACCOUNTADMIN";
/// Consecutive wrong passcodes before a user is locked, unless configured.
pub const DEFAULT_LOCKOUT_AFTER: u32 = 5;

/// The whole emulator configuration: global settings plus accounts and their users.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    /// How long a push waits for an answer before 390126 (milliseconds), unless a user overrides it.
    #[serde(default = "default_push_timeout_ms")]
    pub push_timeout_ms: u64,
    /// Consecutive wrong passcodes after which a user becomes locked (390123).
    #[serde(default = "default_lockout_after")]
    pub lockout_after: u32,
    /// The accounts.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
}

/// One Snowflake account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Account name (`ACCOUNT_NAME` in the login request); compared case-insensitively.
    pub name: String,
    /// The account parameter `ALLOW_CLIENT_MFA_CACHING` (Snowflake's default is false).
    #[serde(default)]
    pub allow_client_mfa_caching: bool,
    /// Refuse (390124) a password login of an enrolled user that names no Duo factor at all: no
    /// `EXT_AUTHN_DUO_METHOD`, `PASSCODE`, `TOKEN`, `passcodeInPassword` or `inFlightCtx`.
    /// Models a report that MFA-enforced accounts reject such logins; off by default.
    #[serde(default)]
    pub require_duo_method: bool,
    /// The users of the account.
    #[serde(default)]
    pub users: Vec<UserConfig>,
}

/// One user: credentials, Duo enrollment and how their phone behaves.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Login name (`LOGIN_NAME`); compared case-insensitively.
    pub name: String,
    /// The password.
    pub password: String,
    /// Enrolled in Duo (`EXT_AUTHN_DUO`): when false, a plain password login succeeds.
    #[serde(default)]
    pub duo_enrolled: bool,
    /// Base32 TOTP secret of the user's authenticator app (RFC 6238, SHA-1, 30 s, 6 digits).
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// Static passcodes Duo accepts (Duo "bypass codes"); reusable.
    #[serde(default)]
    pub bypass_codes: Vec<String>,
    /// What the phone does with a push.
    #[serde(default)]
    pub push: PushBehaviour,
    /// Push lifetime for this user (milliseconds); the global `push_timeout_ms` when absent.
    #[serde(default)]
    pub push_timeout_ms: Option<u64>,
    /// The user-level `ALLOW_CLIENT_MFA_CACHING` override; the account's value when absent.
    #[serde(default)]
    pub allow_client_mfa_caching: Option<bool>,
    /// Locked from Duo (390123).
    #[serde(default)]
    pub locked: bool,
    /// The user has a phone that receives SMS passcodes.
    #[serde(default)]
    pub phone_sms: bool,
    /// Answer with the legacy multi-step `nextAction` flow (classic Python 4.x) instead of one step.
    #[serde(default)]
    pub legacy_next_action: bool,
    /// The role a session of this user gets (`DEFAULT_ROLE`); PUBLIC when absent. A login may
    /// name another role (`roleName`), but ACCOUNTADMIN only when it is this one.
    #[serde(default)]
    pub default_role: Option<String>,
}

impl UserConfig {
    /// A user with a password, not enrolled in Duo, everything else at its default.
    pub fn new(name: &str, password: &str) -> UserConfig {
        UserConfig {
            name: name.to_string(),
            password: password.to_string(),
            duo_enrolled: false,
            totp_secret: None,
            bypass_codes: Vec::new(),
            push: PushBehaviour::default(),
            push_timeout_ms: None,
            allow_client_mfa_caching: None,
            locked: false,
            phone_sms: false,
            legacy_next_action: false,
            default_role: None,
        }
    }

    /// The user's default role, upper case (PUBLIC when none is set).
    pub fn role(&self) -> String {
        self.default_role
            .as_deref()
            .unwrap_or("PUBLIC")
            .to_uppercase()
    }
}

// The password never appears in a Debug print.
impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("duo_enrolled", &self.duo_enrolled)
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("bypass_codes", &self.bypass_codes.len())
            .field("push", &self.push)
            .field("push_timeout_ms", &self.push_timeout_ms)
            .field("allow_client_mfa_caching", &self.allow_client_mfa_caching)
            .field("locked", &self.locked)
            .field("phone_sms", &self.phone_sms)
            .field("legacy_next_action", &self.legacy_next_action)
            .field("default_role", &self.default_role)
            .finish()
    }
}

/// What the user's phone does when Duo sends it a push.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum PushBehaviour {
    /// Approve after `delay_ms` → success.
    Approve {
        /// Time the "user" takes to tap Approve.
        #[serde(default)]
        delay_ms: u64,
    },
    /// Deny after `delay_ms` → 390120.
    Deny {
        /// Time the "user" takes to tap Deny.
        #[serde(default)]
        delay_ms: u64,
    },
    /// Never answered: 390126 after the push lifetime.
    Timeout,
    /// Duo Push is not enabled for the user → 390132 (no push sent).
    Disabled,
    /// Waits for `Control::answer_push` (or times out → 390126).
    Manual,
    /// Answers 390121 (authentication pending) at once; the push is sent but not awaited.
    Pending,
    /// Duo unreachable → 390129 (no push sent).
    Exception,
}

impl Default for PushBehaviour {
    fn default() -> Self {
        PushBehaviour::Approve { delay_ms: 0 }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The TOML is invalid or does not match the format.
    Parse(String),
    /// The TOML parsed but is inconsistent (duplicate names, bad TOTP secret, …).
    Invalid(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io(e) => write!(f, "cannot read the configuration: {e}"),
            ConfigError::Parse(e) => write!(f, "invalid configuration TOML: {e}"),
            ConfigError::Invalid(e) => write!(f, "invalid configuration: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {}

fn default_push_timeout_ms() -> u64 {
    DEFAULT_PUSH_TIMEOUT_MS
}

fn default_lockout_after() -> u32 {
    DEFAULT_LOCKOUT_AFTER
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            push_timeout_ms: DEFAULT_PUSH_TIMEOUT_MS,
            lockout_after: DEFAULT_LOCKOUT_AFTER,
            accounts: Vec::new(),
        }
    }
}

impl EmulatorConfig {
    /// The embedded default configuration (account `xy12345`, user `demo` and the test users).
    pub fn embedded_default() -> EmulatorConfig {
        match Self::from_toml_str(DEFAULT_TOML) {
            Ok(cfg) => cfg,
            // default.toml is checked by a unit test, so this is unreachable in a released build.
            Err(e) => panic!("embedded default.toml is invalid: {e}"),
        }
    }

    /// Parses and validates a configuration from TOML text.
    pub fn from_toml_str(s: &str) -> Result<EmulatorConfig, ConfigError> {
        let cfg: EmulatorConfig =
            toml::from_str(s).map_err(|e| ConfigError::Parse(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads, parses and validates a configuration file.
    pub fn from_file(p: &Path) -> Result<EmulatorConfig, ConfigError> {
        let text = std::fs::read_to_string(p).map_err(ConfigError::Io)?;
        Self::from_toml_str(&text)
    }

    /// Checks names are unique (case-insensitively) and TOTP secrets decode.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut accounts = std::collections::HashSet::new();
        for a in &self.accounts {
            if !accounts.insert(a.name.to_lowercase()) {
                return Err(ConfigError::Invalid(format!(
                    "duplicate account {:?}",
                    a.name
                )));
            }
            let mut users = std::collections::HashSet::new();
            for u in &a.users {
                if !users.insert(u.name.to_lowercase()) {
                    return Err(ConfigError::Invalid(format!(
                        "duplicate user {:?} in account {:?}",
                        u.name, a.name
                    )));
                }
                if let Some(secret) = &u.totp_secret
                    && crate::duo::decode_secret(secret).is_none()
                {
                    return Err(ConfigError::Invalid(format!(
                        "user {:?}: totp_secret is not valid base32",
                        u.name
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_parses_and_has_demo() {
        let cfg = EmulatorConfig::from_toml_str(DEFAULT_TOML).expect("default.toml");
        let acct = cfg
            .accounts
            .iter()
            .find(|a| a.name == "xy12345")
            .expect("xy12345");
        let demo = acct.users.iter().find(|u| u.name == "demo").expect("demo");
        assert_eq!(demo.password, "abc123");
        assert!(demo.duo_enrolled);
        assert!(demo.bypass_codes.contains(&"987654".to_string()));
        assert!(matches!(demo.push, PushBehaviour::Approve { .. }));
        assert!(!acct.require_duo_method, "off by default");
    }

    #[test]
    fn require_duo_method_parses() {
        let t = "[[accounts]]\nname = \"a\"\nrequire_duo_method = true\n";
        let cfg = EmulatorConfig::from_toml_str(t).expect("config");
        assert!(cfg.accounts[0].require_duo_method);
    }

    #[test]
    fn debug_hides_password() {
        let u = UserConfig::new("x", "s3cret-pw");
        assert!(!format!("{u:?}").contains("s3cret-pw"));
    }

    #[test]
    fn duplicate_users_rejected() {
        let t = r#"
[[accounts]]
name = "a"
  [[accounts.users]]
  name = "u"
  password = "p"
  [[accounts.users]]
  name = "U"
  password = "p"
"#;
        assert!(matches!(
            EmulatorConfig::from_toml_str(t),
            Err(ConfigError::Invalid(_))
        ));
    }
}
