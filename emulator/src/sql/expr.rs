//! Expressions of a WHERE clause or ORDER BY, their values, and how they are evaluated on a row.
//! Comparisons follow the service: string equality is case-sensitive, NULL compares as unknown
//! (a WHERE keeps only rows where the condition is true), a string compared with a timestamp is
//! read as a timestamp (`YYYY-MM-DD[ HH:MI:SS[.fff]]`, UTC).

use std::cmp::Ordering;

use super::error::SqlError;

/// A value of a column or an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// TEXT.
    Text(String),
    /// NUMBER with scale 0.
    Int(i64),
    /// BOOLEAN.
    Bool(bool),
    /// TIMESTAMP_LTZ, unix seconds on the emulator clock.
    Ts(i64),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>` or `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column of the row (upper case).
    Col(String),
    /// A literal.
    Lit(Value),
    /// `- e`
    Neg(Box<Expr>),
    /// `NOT e`
    Not(Box<Expr>),
    /// `a AND b`
    And(Box<Expr>, Box<Expr>),
    /// `a OR b`
    Or(Box<Expr>, Box<Expr>),
    /// `a op b`
    Cmp(Box<Expr>, CmpOp, Box<Expr>),
    /// `e IS [NOT] NULL` (true = NOT)
    IsNull(Box<Expr>, bool),
    /// `e [NOT] IN (list)` (true = NOT)
    In(Box<Expr>, Vec<Expr>, bool),
    /// `e [NOT] LIKE|ILIKE pattern`: (case-insensitive, negated)
    Like(Box<Expr>, Box<Expr>, bool, bool),
    /// `e [NOT] BETWEEN lo AND hi` (true = NOT)
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// A function call (upper-case name).
    Func(String, Vec<Expr>),
}

/// What evaluation needs besides the row: the emulator clock and the session's user.
pub struct Context<'a> {
    /// Emulator clock, unix seconds.
    pub now: i64,
    /// The session's user (upper case), for CURRENT_USER().
    pub user: &'a str,
}

/// Looks a column up in the row being evaluated.
pub trait Row {
    /// The value of column `name` (upper case), or None when the view has no such column.
    fn get(&self, name: &str) -> Option<Value>;
}

/// The functions an expression may call.
pub const FUNCTIONS: &str = "CURRENT_TIMESTAMP, SYSDATE, CURRENT_DATE, CURRENT_USER, DATEADD, \
TIMESTAMPADD, TO_TIMESTAMP, TO_TIMESTAMP_LTZ, UPPER, LOWER";

/// Evaluates `e` on `row`.
pub fn eval(e: &Expr, row: &dyn Row, cx: &Context) -> Result<Value, SqlError> {
    Ok(match e {
        Expr::Col(c) => row.get(c).ok_or_else(|| SqlError::invalid_identifier(c))?,
        Expr::Lit(v) => v.clone(),
        Expr::Neg(x) => match eval(x, row, cx)? {
            Value::Int(n) => Value::Int(-n),
            Value::Null => Value::Null,
            _ => return Err(SqlError::invalid_value("-", "a number")),
        },
        Expr::Not(x) => match truth(&eval(x, row, cx)?) {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::And(a, b) => {
            let (a, b) = (truth(&eval(a, row, cx)?), truth(&eval(b, row, cx)?));
            match (a, b) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Or(a, b) => {
            let (a, b) = (truth(&eval(a, row, cx)?), truth(&eval(b, row, cx)?));
            match (a, b) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        Expr::Cmp(a, op, b) => {
            let (a, b) = (eval(a, row, cx)?, eval(b, row, cx)?);
            match compare(&a, &b)? {
                None => Value::Null,
                Some(o) => Value::Bool(match op {
                    CmpOp::Eq => o == Ordering::Equal,
                    CmpOp::Ne => o != Ordering::Equal,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Ge => o != Ordering::Less,
                }),
            }
        }
        Expr::IsNull(x, not) => Value::Bool((eval(x, row, cx)? == Value::Null) != *not),
        Expr::In(x, list, not) => {
            let v = eval(x, row, cx)?;
            let mut found = Some(false);
            for item in list {
                match compare(&v, &eval(item, row, cx)?)? {
                    Some(Ordering::Equal) => {
                        found = Some(true);
                        break;
                    }
                    None => found = None,
                    Some(_) => {}
                }
            }
            match found {
                Some(b) => Value::Bool(b != *not),
                None => Value::Null,
            }
        }
        Expr::Like(x, pat, ci, not) => match (eval(x, row, cx)?, eval(pat, row, cx)?) {
            (Value::Null, _) | (_, Value::Null) => Value::Null,
            (v, Value::Text(p)) => {
                let s = text_of(&v);
                let m = if *ci {
                    like(&s.to_uppercase(), &p.to_uppercase())
                } else {
                    like(&s, &p)
                };
                Value::Bool(m != *not)
            }
            _ => return Err(SqlError::invalid_value("LIKE", "a string pattern")),
        },
        Expr::Between(x, lo, hi, not) => {
            let v = eval(x, row, cx)?;
            let lo = compare(&v, &eval(lo, row, cx)?)?;
            let hi = compare(&v, &eval(hi, row, cx)?)?;
            match (lo, hi) {
                (Some(l), Some(h)) => {
                    Value::Bool((l != Ordering::Less && h != Ordering::Greater) != *not)
                }
                _ => Value::Null,
            }
        }
        Expr::Func(name, args) => call(name, args, row, cx)?,
    })
}

/// True/false/unknown of a condition's value.
pub fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Null => None,
        Value::Int(n) => Some(*n != 0),
        Value::Text(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::Text(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Ts(t) => format_timestamp(*t),
        Value::Null => String::new(),
    }
}

/// Orders two values; None when either is NULL. A string meets a number or a timestamp by being
/// read as one; anything else of different kinds is an error, as in the service.
pub fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, SqlError> {
    Ok(Some(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => return Ok(None),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Ts(x), Value::Ts(y)) => x.cmp(y),
        (Value::Ts(x), Value::Text(s)) => x.cmp(&timestamp_of(s)?),
        (Value::Text(s), Value::Ts(y)) => timestamp_of(s)?.cmp(y),
        (Value::Int(x), Value::Text(s)) => x.cmp(&number_of(s)?),
        (Value::Text(s), Value::Int(y)) => number_of(s)?.cmp(y),
        (Value::Bool(x), Value::Text(s)) => match truth(b) {
            Some(y) => x.cmp(&y),
            None => return Err(SqlError::invalid_value(s, "TRUE or FALSE")),
        },
        (Value::Text(_), Value::Bool(y)) => match truth(a) {
            Some(x) => x.cmp(y),
            None => return Err(SqlError::invalid_value("comparison", "TRUE or FALSE")),
        },
        _ => {
            return Err(SqlError::invalid_value(
                "comparison",
                "operands of comparable types",
            ));
        }
    }))
}

fn number_of(s: &str) -> Result<i64, SqlError> {
    s.trim()
        .parse()
        .map_err(|_| SqlError::invalid_value("comparison", "a number"))
}

fn timestamp_of(s: &str) -> Result<i64, SqlError> {
    parse_timestamp(s)
        .ok_or_else(|| SqlError::invalid_value("timestamp", "YYYY-MM-DD[ HH:MI:SS[.fff]] (UTC)"))
}

/// `%` matches any run, `_` one character; `\` escapes.
fn like(s: &str, p: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), p.chars().collect());
    fn go(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('%') => (0..=s.len()).any(|i| go(&s[i..], &p[1..])),
            Some('_') => !s.is_empty() && go(&s[1..], &p[1..]),
            Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && go(&s[1..], &p[2..]),
            Some(c) => s.first() == Some(c) && go(&s[1..], &p[1..]),
        }
    }
    go(&s, &p)
}

/// LIKE for SHOW PARAMETERS (case-insensitive).
pub fn like_ci(s: &str, p: &str) -> bool {
    like(&s.to_uppercase(), &p.to_uppercase())
}

fn call(name: &str, args: &[Expr], row: &dyn Row, cx: &Context) -> Result<Value, SqlError> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(SqlError::invalid_value(name, &format!("{n} argument(s)")))
        }
    };
    Ok(match name {
        "CURRENT_TIMESTAMP" | "SYSDATE" | "GETDATE" | "LOCALTIMESTAMP" => {
            arity(0)?;
            Value::Ts(cx.now)
        }
        "CURRENT_DATE" => {
            arity(0)?;
            Value::Ts(cx.now - cx.now.rem_euclid(86_400))
        }
        "CURRENT_USER" => {
            arity(0)?;
            Value::Text(cx.user.to_string())
        }
        "DATEADD" | "TIMESTAMPADD" => {
            arity(3)?;
            let unit = match &args[0] {
                Expr::Col(u) => u.clone(),
                Expr::Lit(Value::Text(u)) => u.to_uppercase(),
                _ => return Err(SqlError::invalid_value(name, "a date or time part")),
            };
            let secs = unit_seconds(&unit)
                .ok_or_else(|| SqlError::invalid_value(name, "a date or time part"))?;
            let n = match eval(&args[1], row, cx)? {
                Value::Int(n) => n,
                Value::Null => return Ok(Value::Null),
                _ => return Err(SqlError::invalid_value(name, "a number of units")),
            };
            match to_timestamp(eval(&args[2], row, cx)?)? {
                Value::Ts(t) => Value::Ts(t + n * secs),
                other => other,
            }
        }
        "TO_TIMESTAMP" | "TO_TIMESTAMP_LTZ" | "TO_TIMESTAMP_NTZ" | "TO_TIMESTAMP_TZ" => {
            arity(1)?;
            to_timestamp(eval(&args[0], row, cx)?)?
        }
        "UPPER" | "LOWER" => {
            arity(1)?;
            match eval(&args[0], row, cx)? {
                Value::Null => Value::Null,
                v if name == "UPPER" => Value::Text(text_of(&v).to_uppercase()),
                v => Value::Text(text_of(&v).to_lowercase()),
            }
        }
        _ => {
            return Err(SqlError::unsupported(&format!(
                "function {name} (functions: {FUNCTIONS})"
            )));
        }
    })
}

fn to_timestamp(v: Value) -> Result<Value, SqlError> {
    Ok(match v {
        Value::Ts(t) => Value::Ts(t),
        Value::Int(n) => Value::Ts(n),
        Value::Text(s) => Value::Ts(timestamp_of(&s)?),
        Value::Null => Value::Null,
        Value::Bool(_) => return Err(SqlError::invalid_value("timestamp", "a timestamp")),
    })
}

/// Seconds in a DATEADD unit (months and years are 30 and 365 days: the emulator's simplification).
fn unit_seconds(unit: &str) -> Option<i64> {
    Some(match unit.to_uppercase().as_str() {
        "SECOND" | "SECONDS" | "S" | "SEC" | "SECS" => 1,
        "MINUTE" | "MINUTES" | "M" | "MI" | "MIN" | "MINS" => 60,
        "HOUR" | "HOURS" | "H" | "HH" | "HR" | "HRS" => 3_600,
        "DAY" | "DAYS" | "D" | "DD" => 86_400,
        "WEEK" | "WEEKS" | "W" | "WK" => 7 * 86_400,
        "MONTH" | "MONTHS" | "MM" | "MON" | "MONS" => 30 * 86_400,
        "YEAR" | "YEARS" | "Y" | "YY" | "YYYY" | "YR" | "YRS" => 365 * 86_400,
        _ => return None,
    })
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD`, optionally followed by ` ` or `T` and `HH:MI[:SS[.fff]]`, and an optional `Z`
/// or `+00:00`; read as UTC. None when it is not such a timestamp.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix("+00:00"))
        .unwrap_or(s);
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (y, m, dd): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return None;
    }
    let mut secs = days_from_civil(y, m, dd) * 86_400;
    if let Some(t) = time {
        let t = t.split('.').next()?;
        let mut p = t.split(':');
        let h: i64 = p.next()?.parse().ok()?;
        let mi: i64 = p.next()?.parse().ok()?;
        let se: i64 = match p.next() {
            Some(x) => x.parse().ok()?,
            None => 0,
        };
        if p.next().is_some() || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs += h * 3_600 + mi * 60 + se;
    }
    Some(secs)
}

/// `YYYY-MM-DD HH:MI:SS` (UTC) of unix seconds.
pub fn format_timestamp(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let rem = t.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(parse_timestamp("1970-01-01"), Some(0));
        assert_eq!(parse_timestamp("2023-11-14 22:13:20"), Some(1_700_000_000));
        assert_eq!(
            parse_timestamp("2023-11-14T22:13:20.5Z"),
            Some(1_700_000_000)
        );
        assert_eq!(format_timestamp(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(parse_timestamp("2023-13-01"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn like_patterns() {
        assert!(like("MFA_TOKEN", "MFA%"));
        assert!(like("MFA_TOKEN", "MFA\\_TOKEN"));
        assert!(!like("MFAXTOKEN", "MFA\\_TOKEN"));
        assert!(like("ab", "a_"));
        assert!(like_ci("allow_client_mfa_caching", "ALLOW%"));
    }
}
