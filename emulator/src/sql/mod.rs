//! The administrator's side of Snowflake's MFA documents, in SQL: the statements a session runs
//! through `POST /queries/v1/query-request` (see README.md, "SQL"). The text is recognised by a
//! small hand-written parser of exactly this surface (`parse.rs`); statements act on the same
//! state as the control API.

mod error;
mod expr;
mod lex;
mod login_history;
mod parse;
mod result;
mod statements;

pub use error::SqlError;
pub use result::ResultSet;

use crate::state::State;

/// Who runs a statement: the session's account, user and role.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account the session logged in to.
    pub account: String,
    /// The session's user.
    pub user: String,
    /// The session's role (upper case).
    pub role: String,
}

/// Parses and runs one statement.
pub fn run(state: &State, caller: &Caller, sql: &str) -> Result<ResultSet, SqlError> {
    match parse::parse(sql)? {
        parse::Statement::Select(s) => login_history::select(state, caller, &s),
        other => statements::run(state, caller, other),
    }
}
