//! SELECT on the login history: the `SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY` view (ACCOUNTADMIN) and
//! the `INFORMATION_SCHEMA.LOGIN_HISTORY[_BY_USER]` table functions (a user's own logins; any
//! user's with ACCOUNTADMIN), with WHERE, ORDER BY and LIMIT.

use std::cmp::Ordering;

use super::Caller;
use super::error::SqlError;
use super::expr::{Context, Expr, Row, Value, compare, eval, truth};
use super::parse::{Select, Source};
use super::result::{ColType, Column, ResultSet};
use super::statements::is_admin;
use crate::history::HistoryEntry;
use crate::state::State;

/// The view's columns, in order.
const COLUMNS: [(&str, ColType); 11] = [
    ("EVENT_ID", ColType::Fixed),
    ("EVENT_TIMESTAMP", ColType::TimestampLtz),
    ("EVENT_TYPE", ColType::Text),
    ("USER_NAME", ColType::Text),
    ("CLIENT_IP", ColType::Text),
    ("REPORTED_CLIENT_TYPE", ColType::Text),
    ("FIRST_AUTHENTICATION_FACTOR", ColType::Text),
    ("SECOND_AUTHENTICATION_FACTOR", ColType::Text),
    ("IS_SUCCESS", ColType::Text),
    ("ERROR_CODE", ColType::Fixed),
    ("ERROR_MESSAGE", ColType::Text),
];

/// Default and largest RESULT_LIMIT of the table functions.
const DEFAULT_RESULT_LIMIT: i64 = 100;
const MAX_RESULT_LIMIT: i64 = 10_000;

/// One history entry as a row of the view.
struct Event<'a> {
    id: i64,
    e: &'a HistoryEntry,
}

/// `REPORTED_CLIENT_TYPE` of a `CLIENT_APP_ID`.
fn client_type(app: Option<&str>) -> &'static str {
    match app {
        Some("PythonConnector") => "PYTHON_DRIVER",
        Some("JavaScript") => "JAVASCRIPT_DRIVER",
        Some("Go") => "GO_DRIVER",
        Some(a) if a.starts_with("JDBC") => "JDBC_DRIVER",
        Some(a) if a.starts_with("ODBC") => "ODBC_DRIVER",
        _ => "OTHER",
    }
}

impl Row for Event<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        let text = |s: &str| Value::Text(s.to_string());
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
        Some(match name {
            "EVENT_ID" => Value::Int(self.id),
            "EVENT_TIMESTAMP" => {
                Value::Ts(i64::try_from(self.e.event_timestamp).unwrap_or(i64::MAX))
            }
            "EVENT_TYPE" => text("LOGIN"),
            "USER_NAME" => Value::Text(self.e.user_name.to_uppercase()),
            "CLIENT_IP" => text("127.0.0.1"),
            "REPORTED_CLIENT_TYPE" => text(client_type(self.e.client_app_id.as_deref())),
            "FIRST_AUTHENTICATION_FACTOR" => text(&self.e.first_authentication_factor),
            "SECOND_AUTHENTICATION_FACTOR" => opt(&self.e.second_authentication_factor),
            "IS_SUCCESS" => text(if self.e.is_success { "YES" } else { "NO" }),
            "ERROR_CODE" => self
                .e
                .error_code
                .as_deref()
                .and_then(|c| c.parse().ok())
                .map_or(Value::Null, Value::Int),
            "ERROR_MESSAGE" => opt(&self.e.error_message),
            _ => return None,
        })
    }
}

/// A row with no columns, to evaluate table-function arguments.
struct NoRow;

impl Row for NoRow {
    fn get(&self, _: &str) -> Option<Value> {
        None
    }
}

/// The table function's arguments: (user, start, end, limit).
struct Args {
    user: Option<String>,
    start: Option<i64>,
    end: Option<i64>,
    limit: i64,
}

fn table_args(
    by_user: bool,
    args: &[(Option<String>, Expr)],
    cx: &Context,
) -> Result<Args, SqlError> {
    let positional: &[&str] = if by_user {
        &[
            "USER_NAME",
            "TIME_RANGE_START",
            "TIME_RANGE_END",
            "RESULT_LIMIT",
        ]
    } else {
        &["TIME_RANGE_START", "TIME_RANGE_END", "RESULT_LIMIT"]
    };
    let mut out = Args {
        user: None,
        start: None,
        end: None,
        limit: DEFAULT_RESULT_LIMIT,
    };
    for (i, (named, e)) in args.iter().enumerate() {
        let name = match named {
            Some(n) => n.as_str(),
            None => positional.get(i).copied().unwrap_or("?"),
        };
        let v = eval(e, &NoRow, cx)?;
        let ts = |v: Value| match v {
            Value::Ts(t) | Value::Int(t) => Ok(Some(t)),
            Value::Text(s) => super::expr::parse_timestamp(&s)
                .map(Some)
                .ok_or_else(|| SqlError::invalid_value(name, "a timestamp")),
            Value::Null => Ok(None),
            Value::Bool(_) => Err(SqlError::invalid_value(name, "a timestamp")),
        };
        match (name, v) {
            ("USER_NAME", Value::Text(u)) if by_user => out.user = Some(u),
            ("TIME_RANGE_START", v) => out.start = ts(v)?,
            ("TIME_RANGE_END", v) => out.end = ts(v)?,
            ("RESULT_LIMIT", Value::Int(n)) if (1..=MAX_RESULT_LIMIT).contains(&n) => out.limit = n,
            _ => {
                return Err(SqlError::invalid_value(
                    name,
                    "USER_NAME => '<name>' (LOGIN_HISTORY_BY_USER), TIME_RANGE_START / TIME_RANGE_END => <timestamp>, RESULT_LIMIT => 1..10000",
                ));
            }
        }
    }
    Ok(out)
}

/// Runs a SELECT on the login history.
pub fn select(state: &State, caller: &Caller, s: &Select) -> Result<ResultSet, SqlError> {
    let now = i64::try_from(state.clock.now()).unwrap_or(i64::MAX);
    let me = caller.user.to_uppercase();
    let cx = Context { now, user: &me };
    // Which rows the relation has, before WHERE.
    let (only_user, start, end, limit) = match &s.source {
        Source::AccountUsage => {
            if !is_admin(caller) {
                return Err(SqlError::insufficient_privileges(
                    "view 'SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY'",
                ));
            }
            (None, None, None, None)
        }
        Source::TableFunction(by_user, args) => {
            let a = table_args(*by_user, args, &cx)?;
            let user = match (by_user, a.user) {
                (true, Some(u)) => Some(u),
                (true, None) => Some(me.clone()),
                // LOGIN_HISTORY(): every user's with ACCOUNTADMIN, else one's own.
                (false, _) => (!is_admin(caller)).then(|| me.clone()),
            };
            if let Some(u) = &user
                && !u.eq_ignore_ascii_case(&me)
                && !is_admin(caller)
            {
                return Err(SqlError::insufficient_privileges(&format!(
                    "user '{}'",
                    u.to_uppercase()
                )));
            }
            (user, a.start, a.end, Some(a.limit))
        }
    };
    let g = state.lock();
    let mut events: Vec<Event> = g
        .history
        .iter()
        .enumerate()
        .filter(|(_, e)| e.account.eq_ignore_ascii_case(&caller.account))
        .map(|(i, e)| Event {
            id: i64::try_from(i).unwrap_or(i64::MAX) + 1,
            e,
        })
        .filter(|ev| {
            let t = i64::try_from(ev.e.event_timestamp).unwrap_or(i64::MAX);
            only_user
                .as_ref()
                .is_none_or(|u| ev.e.user_name.eq_ignore_ascii_case(u))
                && start.is_none_or(|s| t >= s)
                && end.is_none_or(|e| t <= e)
        })
        .collect();
    if let Some(limit) = limit {
        // The most recent RESULT_LIMIT events.
        let skip = events
            .len()
            .saturating_sub(usize::try_from(limit).unwrap_or(usize::MAX));
        events.drain(..skip);
    }

    let mut kept = Vec::new();
    for ev in events {
        let keep = match &s.filter {
            Some(f) => truth(&eval(f, &ev, &cx)?) == Some(true),
            None => true,
        };
        if keep {
            kept.push(ev);
        }
    }
    if !s.order.is_empty() {
        let mut keyed = Vec::new();
        for ev in kept {
            let keys = s
                .order
                .iter()
                .map(|(e, _)| eval(e, &ev, &cx))
                .collect::<Result<Vec<_>, _>>()?;
            keyed.push((keys, ev));
        }
        let mut err = None;
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), (_, desc)) in a.iter().zip(b).zip(&s.order) {
                // NULLs sort last ascending and first descending, as in the service.
                let o = match compare(x, y) {
                    Ok(Some(o)) => o,
                    Ok(None) => match (x, y) {
                        (Value::Null, Value::Null) => Ordering::Equal,
                        (Value::Null, _) => Ordering::Greater,
                        _ => Ordering::Less,
                    },
                    Err(e) => {
                        err = Some(e);
                        Ordering::Equal
                    }
                };
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        if let Some(e) = err {
            return Err(e);
        }
        kept = keyed.into_iter().map(|(_, ev)| ev).collect();
    }
    if let Some(n) = s.limit {
        kept.truncate(usize::try_from(n).unwrap_or(0));
    }

    let columns: Vec<(String, String)> = match &s.columns {
        None => COLUMNS
            .iter()
            .map(|(c, _)| (c.to_string(), c.to_string()))
            .collect(),
        Some(cols) => cols.clone(),
    };
    let mut out_cols = Vec::new();
    for (c, alias) in &columns {
        let ty = COLUMNS
            .iter()
            .find(|(n, _)| n == c)
            .map(|(_, t)| *t)
            .ok_or_else(|| SqlError::invalid_identifier(c))?;
        out_cols.push(Column::new(alias, ty));
    }
    let rows = kept
        .iter()
        .map(|ev| {
            columns
                .iter()
                .map(|(c, _)| ev.get(c).unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(ResultSet {
        columns: out_cols,
        rows,
    })
}
