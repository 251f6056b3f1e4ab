//! The administrator's statements: ALTER ACCOUNT, ALTER USER, CREATE USER, DESCRIBE USER and
//! SHOW PARAMETERS, with the service's privileges (ACCOUNTADMIN for the account and for other
//! users; a user may describe themselves, show their own parameters and change their own password).

use super::Caller;
use super::error::SqlError;
use super::expr::{Value, like_ci};
use super::parse::{Change, Lit, Scope, Statement};
use super::result::{ColType, Column, ResultSet};
use crate::config::{ADMIN_ROLE, UserConfig};
use crate::state::{Inner, State, UserState};

const DONE: &str = "Statement executed successfully.";
const CACHING: &str = "ALLOW_CLIENT_MFA_CACHING";
const CACHING_DESCRIPTION: &str =
    "Allows clients to cache MFA tokens so that repeated logins skip the Duo prompt";

/// Runs a statement other than SELECT.
pub fn run(state: &State, caller: &Caller, stmt: Statement) -> Result<ResultSet, SqlError> {
    let now = state.clock.now();
    let mut g = state.lock();
    match stmt {
        Statement::AlterAccount(change) => alter_account(&mut g, caller, change),
        Statement::AlterUser {
            if_exists,
            name,
            change,
        } => alter_user(&mut g, caller, &name, if_exists, change, now),
        Statement::CreateUser {
            if_not_exists,
            name,
            props,
        } => create_user(&mut g, caller, &name, if_not_exists, props),
        Statement::DescribeUser(name) => describe_user(&g, caller, &name, now),
        Statement::ShowParameters { like, scope } => {
            show_parameters(&g, caller, like.as_deref(), scope)
        }
        Statement::Select(_) => Err(SqlError::unsupported("SELECT here")),
    }
}

/// True when the session's role is ACCOUNTADMIN.
pub fn is_admin(caller: &Caller) -> bool {
    caller.role.eq_ignore_ascii_case(ADMIN_ROLE)
}

fn account_object(caller: &Caller) -> String {
    format!("account '{}'", caller.account.to_uppercase())
}

fn user_object(name: &str) -> String {
    format!("user '{}'", name.to_uppercase())
}

fn is_self(caller: &Caller, name: &str) -> bool {
    caller.user.eq_ignore_ascii_case(name)
}

fn boolean(property: &str, lit: &Lit) -> Result<bool, SqlError> {
    match lit {
        Lit::Bool(b) => Ok(*b),
        Lit::Str(s) | Lit::Ident(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Lit::Str(s) | Lit::Ident(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(SqlError::invalid_value(property, "TRUE or FALSE")),
    }
}

fn text(property: &str, lit: &Lit) -> Result<String, SqlError> {
    match lit {
        Lit::Str(s) => Ok(s.clone()),
        _ => Err(SqlError::invalid_value(property, "a string literal")),
    }
}

fn name_value(property: &str, lit: &Lit) -> Result<String, SqlError> {
    match lit {
        Lit::Str(s) | Lit::Ident(s) => Ok(s.clone()),
        _ => Err(SqlError::invalid_value(property, "a name")),
    }
}

fn alter_account(g: &mut Inner, caller: &Caller, change: Change) -> Result<ResultSet, SqlError> {
    if !is_admin(caller) {
        return Err(SqlError::insufficient_privileges(&account_object(caller)));
    }
    let only = |p: &str| {
        SqlError::unsupported(&format!(
            "ALTER ACCOUNT SET|UNSET {p} (the emulator has only {CACHING})"
        ))
    };
    let value = match &change {
        Change::Set(props) => {
            let mut v = None;
            for (p, lit) in props {
                if p != CACHING {
                    return Err(only(p));
                }
                v = Some(boolean(p, lit)?);
            }
            v
        }
        Change::Unset(props) => match props.iter().find(|p| *p != CACHING) {
            Some(p) => return Err(only(p)),
            None => None,
        },
    };
    let acct = g
        .accounts
        .get_mut(&caller.account.to_lowercase())
        .ok_or_else(|| SqlError::insufficient_privileges(&account_object(caller)))?;
    acct.allow_caching = value;
    Ok(ResultSet::status(DONE))
}

/// One validated change to a user, applied only once every change of the statement is valid.
enum Edit {
    Caching(Option<bool>),
    BypassMinutes(Option<u64>),
    DisableMfa,
    Password(String),
    DefaultRole(Option<String>),
    Comment(Option<String>),
}

fn edits(change: Change) -> Result<Vec<(String, Edit)>, SqlError> {
    let unsupported = |verb: &str, p: &str| {
        SqlError::unsupported(&format!(
            "ALTER USER {verb} {p} (the emulator has {CACHING}, MINS_TO_BYPASS_MFA, DISABLE_MFA, PASSWORD, DEFAULT_ROLE, COMMENT)"
        ))
    };
    let mut out = Vec::new();
    match change {
        Change::Set(props) => {
            for (p, lit) in props {
                let e = match p.as_str() {
                    CACHING => Edit::Caching(Some(boolean(&p, &lit)?)),
                    "MINS_TO_BYPASS_MFA" => match lit {
                        Lit::Num(n) if n >= 0 => {
                            Edit::BypassMinutes((n > 0).then_some(n.unsigned_abs()))
                        }
                        _ => {
                            return Err(SqlError::invalid_value(&p, "a number of minutes >= 0"));
                        }
                    },
                    "DISABLE_MFA" => {
                        if !boolean(&p, &lit)? {
                            return Err(SqlError::invalid_value(
                                &p,
                                "TRUE (a user enrolls again by themselves)",
                            ));
                        }
                        Edit::DisableMfa
                    }
                    "PASSWORD" => Edit::Password(text(&p, &lit)?),
                    "DEFAULT_ROLE" => Edit::DefaultRole(Some(name_value(&p, &lit)?)),
                    "COMMENT" => Edit::Comment(Some(text(&p, &lit)?)),
                    _ => return Err(unsupported("SET", &p)),
                };
                out.push((p, e));
            }
        }
        Change::Unset(props) => {
            for p in props {
                let e = match p.as_str() {
                    CACHING => Edit::Caching(None),
                    "MINS_TO_BYPASS_MFA" => Edit::BypassMinutes(None),
                    "DEFAULT_ROLE" => Edit::DefaultRole(None),
                    "COMMENT" => Edit::Comment(None),
                    _ => return Err(unsupported("UNSET", &p)),
                };
                out.push((p, e));
            }
        }
    }
    Ok(out)
}

fn alter_user(
    g: &mut Inner,
    caller: &Caller,
    name: &str,
    if_exists: bool,
    change: Change,
    now: u64,
) -> Result<ResultSet, SqlError> {
    let edits = edits(change)?;
    let admin = is_admin(caller);
    // A user may change their own password; everything else, and other users, need ACCOUNTADMIN.
    let own_password =
        is_self(caller, name) && edits.iter().all(|(_, e)| matches!(e, Edit::Password(_)));
    if !admin && !own_password {
        return Err(SqlError::insufficient_privileges(&user_object(name)));
    }
    let Some(u) = g.user_mut(&caller.account, name) else {
        return if if_exists {
            Ok(ResultSet::status(DONE))
        } else {
            Err(SqlError::no_such_user(name))
        };
    };
    for (_, e) in edits {
        apply(u, e, now);
    }
    Ok(ResultSet::status(DONE))
}

fn apply(u: &mut UserState, e: Edit, now: u64) {
    match e {
        Edit::Caching(v) => u.cfg.allow_client_mfa_caching = v,
        Edit::BypassMinutes(m) => u.bypass_mfa_until = m.map(|m| now.saturating_add(m * 60)),
        Edit::DisableMfa => {
            // Enrollment cancelled: logins behave as for a user never enrolled.
            u.cfg.duo_enrolled = false;
            u.duo_uid = format!("DU{}", crate::random::hex(9).to_uppercase());
        }
        // A new password invalidates the user's MFA tokens (they bind a hash of it).
        Edit::Password(p) => u.cfg.password = p,
        Edit::DefaultRole(r) => u.cfg.default_role = r,
        Edit::Comment(c) => u.comment = c,
    }
}

fn create_user(
    g: &mut Inner,
    caller: &Caller,
    name: &str,
    if_not_exists: bool,
    props: Vec<(String, Lit)>,
) -> Result<ResultSet, SqlError> {
    if !is_admin(caller) {
        return Err(SqlError::insufficient_privileges(&account_object(caller)));
    }
    let mut password = None;
    let mut role = None;
    let mut comment = None;
    for (p, lit) in &props {
        match p.as_str() {
            "PASSWORD" => password = Some(text(p, lit)?),
            "DEFAULT_ROLE" => role = Some(name_value(p, lit)?),
            "COMMENT" => comment = Some(text(p, lit)?),
            "MUST_CHANGE_PASSWORD" | "DISABLED" if !boolean(p, lit)? => {}
            _ => {
                return Err(SqlError::unsupported(&format!(
                    "CREATE USER … {p} (the emulator has PASSWORD, DEFAULT_ROLE, COMMENT, \
                     MUST_CHANGE_PASSWORD = FALSE, DISABLED = FALSE)"
                )));
            }
        }
    }
    if g.user(&caller.account, name).is_some() {
        return if if_not_exists {
            Ok(ResultSet::status(&format!(
                "{} already exists, statement succeeded.",
                name.to_uppercase()
            )))
        } else {
            Err(SqlError::already_exists(name))
        };
    }
    let Some(password) = password else {
        return Err(SqlError::invalid_value(
            "PASSWORD",
            "CREATE USER on the emulator needs a PASSWORD (its users log in with one)",
        ));
    };
    let mut cfg = UserConfig::new(name, &password);
    cfg.default_role = role;
    let mut user = UserState::new(cfg);
    user.comment = comment;
    let acct = g
        .accounts
        .get_mut(&caller.account.to_lowercase())
        .ok_or_else(|| SqlError::insufficient_privileges(&account_object(caller)))?;
    acct.users.insert(name.to_lowercase(), user);
    Ok(ResultSet::status(&format!(
        "User {} successfully created.",
        name.to_uppercase()
    )))
}

fn describe_user(g: &Inner, caller: &Caller, name: &str, now: u64) -> Result<ResultSet, SqlError> {
    if !is_admin(caller) && !is_self(caller, name) {
        return Err(SqlError::insufficient_privileges(&user_object(name)));
    }
    let u = g
        .user(&caller.account, name)
        .ok_or_else(|| SqlError::no_such_user(name))?;
    let null = || "null".to_string();
    let enrolled = u.cfg.duo_enrolled;
    let bypass = u
        .bypass_mfa_until
        .filter(|until| *until > now)
        .map_or_else(null, |until| (until - now).div_ceil(60).to_string());
    let rows: Vec<(&str, String, &str, &str)> = vec![
        ("NAME", u.cfg.name.to_uppercase(), "null", "Name"),
        (
            "COMMENT",
            u.comment.clone().unwrap_or_else(null),
            "null",
            "user comment associated to an object in the dictionary",
        ),
        (
            "LOGIN_NAME",
            u.cfg.name.to_uppercase(),
            "null",
            "Login name of the user",
        ),
        (
            "PASSWORD",
            "********".into(),
            "null",
            "Password of the user",
        ),
        (
            "DISABLED",
            "false".into(),
            "false",
            "Whether the user is disabled",
        ),
        (
            "DEFAULT_ROLE",
            u.cfg
                .default_role
                .as_ref()
                .map_or_else(null, |r| r.to_uppercase()),
            "null",
            "Primary principal of user session will be set to this role",
        ),
        (
            "MINS_TO_BYPASS_MFA",
            bypass,
            "null",
            "Temporary bypass MFA for the user for a specified number of minutes",
        ),
        (
            "EXT_AUTHN_DUO",
            enrolled.to_string(),
            "false",
            "Whether Duo Security is enabled as second factor authentication",
        ),
        (
            "EXT_AUTHN_UID",
            if enrolled { u.duo_uid.clone() } else { null() },
            "null",
            "External authentication ID of the user",
        ),
        (
            "HAS_MFA",
            enrolled.to_string(),
            "false",
            "Whether the user is enrolled for multi-factor authentication",
        ),
        (
            "HAS_PASSWORD",
            "true".into(),
            "false",
            "Whether the user has a password",
        ),
    ];
    Ok(ResultSet {
        columns: ["property", "value", "default", "description"]
            .iter()
            .map(|c| Column::new(c, ColType::Text))
            .collect(),
        rows: rows
            .into_iter()
            .map(|(p, v, d, desc)| {
                vec![
                    Value::Text(p.into()),
                    Value::Text(v),
                    Value::Text(d.into()),
                    Value::Text(desc.into()),
                ]
            })
            .collect(),
    })
}

fn show_parameters(
    g: &Inner,
    caller: &Caller,
    like: Option<&str>,
    scope: Scope,
) -> Result<ResultSet, SqlError> {
    let acct = g.accounts.get(&caller.account.to_lowercase());
    let account_value = acct.and_then(|a| a.allow_caching);
    let (value, level) = match &scope {
        Scope::Account => (account_value, account_value.map(|_| "ACCOUNT")),
        Scope::User(name) => {
            if !is_admin(caller) && !is_self(caller, name) {
                return Err(SqlError::insufficient_privileges(&user_object(name)));
            }
            let u = g
                .user(&caller.account, name)
                .ok_or_else(|| SqlError::no_such_user(name))?;
            match u.cfg.allow_client_mfa_caching {
                Some(v) => (Some(v), Some("USER")),
                None => (account_value, account_value.map(|_| "ACCOUNT")),
            }
        }
    };
    let mut rows = Vec::new();
    if like.is_none_or(|p| like_ci(CACHING, p)) {
        rows.push(
            [
                CACHING,
                if value.unwrap_or(false) {
                    "true"
                } else {
                    "false"
                },
                "false",
                level.unwrap_or(""),
                CACHING_DESCRIPTION,
                "BOOLEAN",
            ]
            .iter()
            .map(|s| Value::Text((*s).to_string()))
            .collect(),
        );
    }
    Ok(ResultSet {
        columns: ["key", "value", "default", "level", "description", "type"]
            .iter()
            .map(|c| Column::new(c, ColType::Text))
            .collect(),
        rows,
    })
}
