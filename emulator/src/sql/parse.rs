//! A recursive-descent recogniser of exactly the emulator's SQL surface (see README.md, "SQL").
//! Keywords are case-insensitive; an identifier is a word or a `"quoted"` name. Anything else is
//! an error that names what is supported.

use super::error::SqlError;
use super::expr::{CmpOp, Expr, Value};
use super::lex::{Tok, tokens};

/// A literal on the right of `PROPERTY =`.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `'…'`
    Str(String),
    /// An integer.
    Num(i64),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// A bare word or quoted identifier (e.g. a role name).
    Ident(String),
}

/// `SET a = x, b = y` or `UNSET a, b` (property names upper case).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `SET`
    Set(Vec<(String, Lit)>),
    /// `UNSET`
    Unset(Vec<String>),
}

/// Where SHOW PARAMETERS looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// `IN ACCOUNT`
    Account,
    /// `IN USER name`
    User(String),
}

/// The relation a SELECT reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY`
    AccountUsage,
    /// `TABLE([db.]INFORMATION_SCHEMA.LOGIN_HISTORY[_BY_USER](args))`: (by_user, arguments with
    /// their optional `NAME =>`).
    TableFunction(bool, Vec<(Option<String>, Expr)>),
}

/// A SELECT on the login history.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The columns (upper case) with their output names; None = `*`.
    pub columns: Option<Vec<(String, String)>>,
    /// The relation.
    pub source: Source,
    /// The WHERE condition.
    pub filter: Option<Expr>,
    /// ORDER BY keys; true = DESC.
    pub order: Vec<(Expr, bool)>,
    /// LIMIT.
    pub limit: Option<i64>,
}

/// One statement of the surface.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `ALTER ACCOUNT SET|UNSET …`
    AlterAccount(Change),
    /// `ALTER USER [IF EXISTS] name SET|UNSET …`
    AlterUser {
        /// IF EXISTS given.
        if_exists: bool,
        /// The user.
        name: String,
        /// What changes.
        change: Change,
    },
    /// `CREATE USER [IF NOT EXISTS] name PROP = value …`
    CreateUser {
        /// IF NOT EXISTS given.
        if_not_exists: bool,
        /// The user.
        name: String,
        /// Properties (names upper case).
        props: Vec<(String, Lit)>,
    },
    /// `DESCRIBE|DESC USER name`
    DescribeUser(String),
    /// `SHOW PARAMETERS [LIKE 'p'] IN ACCOUNT | IN USER name`
    ShowParameters {
        /// The LIKE pattern.
        like: Option<String>,
        /// Where.
        scope: Scope,
    },
    /// A SELECT on the login history.
    Select(Select),
}

/// Parses one statement (a trailing `;` is allowed, a second statement is not).
pub fn parse(sql: &str) -> Result<Statement, SqlError> {
    let toks = tokens(sql)?;
    let mut p = Parser { toks, pos: 0 };
    while p.sym(";") {}
    let stmt = p.statement()?;
    while p.sym(";") {}
    if let Some(t) = p.peek() {
        return Err(if stmt_separator_seen(&p.toks[..p.pos]) {
            SqlError::unsupported("more than one statement in a request")
        } else {
            SqlError::syntax(&format!("unexpected {}", t.describe()))
        });
    }
    Ok(stmt)
}

fn stmt_separator_seen(done: &[Tok]) -> bool {
    done.last() == Some(&Tok::Sym(";"))
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn peek_at_word(&self, off: usize, w: &str) -> bool {
        matches!(self.toks.get(self.pos + off), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn unexpected(&self, wanted: &str) -> SqlError {
        match self.peek() {
            Some(t) => SqlError::syntax(&format!("unexpected {}, expected {wanted}", t.describe())),
            None => SqlError::syntax(&format!("unexpected end of statement, expected {wanted}")),
        }
    }

    /// Consumes the keyword when it is next.
    fn kw(&mut self, w: &str) -> bool {
        let hit = self.peek_word(w);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_kw(&mut self, w: &str) -> Result<(), SqlError> {
        if self.kw(w) {
            Ok(())
        } else {
            Err(self.unexpected(w))
        }
    }

    fn sym(&mut self, s: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Sym(x)) if *x == s);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), SqlError> {
        if self.sym(s) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{s}'")))
        }
    }

    /// A word or a quoted identifier.
    fn ident(&mut self, what: &str) -> Result<String, SqlError> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn statement(&mut self) -> Result<Statement, SqlError> {
        let Some(Tok::Word(first)) = self.peek().cloned() else {
            return Err(match self.peek() {
                Some(_) => SqlError::unsupported("this statement"),
                None => SqlError::syntax("empty statement"),
            });
        };
        let first = first.to_uppercase();
        match first.as_str() {
            "ALTER" if self.peek_at_word(1, "ACCOUNT") => {
                self.pos += 2;
                Ok(Statement::AlterAccount(self.change()?))
            }
            "ALTER" if self.peek_at_word(1, "USER") => {
                self.pos += 2;
                let if_exists = self.if_exists()?;
                let name = self.ident("a user name")?;
                Ok(Statement::AlterUser {
                    if_exists,
                    name,
                    change: self.change()?,
                })
            }
            "CREATE" if self.peek_at_word(1, "USER") => {
                self.pos += 2;
                let if_not_exists = if self.kw("IF") {
                    self.expect_kw("NOT")?;
                    self.expect_kw("EXISTS")?;
                    true
                } else {
                    false
                };
                let name = self.ident("a user name")?;
                let mut props = Vec::new();
                while matches!(self.peek(), Some(Tok::Word(_))) {
                    props.push(self.assignment()?);
                    self.sym(",");
                }
                Ok(Statement::CreateUser {
                    if_not_exists,
                    name,
                    props,
                })
            }
            "DESCRIBE" | "DESC" if self.peek_at_word(1, "USER") => {
                self.pos += 2;
                Ok(Statement::DescribeUser(self.ident("a user name")?))
            }
            "SHOW" if self.peek_at_word(1, "PARAMETERS") => {
                self.pos += 2;
                let like = if self.kw("LIKE") {
                    match self.peek().cloned() {
                        Some(Tok::Str(s)) => {
                            self.pos += 1;
                            Some(s)
                        }
                        _ => return Err(self.unexpected("a pattern string")),
                    }
                } else {
                    None
                };
                self.expect_kw("IN")?;
                let scope = if self.kw("ACCOUNT") {
                    Scope::Account
                } else if self.kw("USER") {
                    Scope::User(self.ident("a user name")?)
                } else {
                    return Err(SqlError::unsupported(
                        "SHOW PARAMETERS other than IN ACCOUNT or IN USER <name>",
                    ));
                };
                Ok(Statement::ShowParameters { like, scope })
            }
            "SELECT" => {
                self.pos += 1;
                Ok(Statement::Select(self.select()?))
            }
            _ => Err(SqlError::unsupported(&format!("statement '{first}'"))),
        }
    }

    fn if_exists(&mut self) -> Result<bool, SqlError> {
        if self.peek_word("IF") && self.peek_at_word(1, "EXISTS") {
            self.pos += 2;
            return Ok(true);
        }
        Ok(false)
    }

    fn change(&mut self) -> Result<Change, SqlError> {
        if self.kw("SET") {
            let mut v = vec![self.assignment()?];
            while self.sym(",") || matches!(self.peek(), Some(Tok::Word(_))) {
                v.push(self.assignment()?);
            }
            Ok(Change::Set(v))
        } else if self.kw("UNSET") {
            let mut v = vec![self.ident("a property name")?.to_uppercase()];
            while self.sym(",") {
                v.push(self.ident("a property name")?.to_uppercase());
            }
            Ok(Change::Unset(v))
        } else {
            Err(self.unexpected("SET or UNSET"))
        }
    }

    /// `NAME = literal`
    fn assignment(&mut self) -> Result<(String, Lit), SqlError> {
        let name = self.ident("a property name")?.to_uppercase();
        self.expect_sym("=")?;
        let neg = self.sym("-");
        let lit = match self.peek().cloned() {
            Some(Tok::Str(s)) if !neg => Lit::Str(s),
            Some(Tok::Num(n)) => Lit::Num(if neg { -n } else { n }),
            Some(Tok::Word(w)) if !neg && w.eq_ignore_ascii_case("TRUE") => Lit::Bool(true),
            Some(Tok::Word(w)) if !neg && w.eq_ignore_ascii_case("FALSE") => Lit::Bool(false),
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) if !neg => Lit::Ident(w),
            _ => return Err(self.unexpected(&format!("a value for {name}"))),
        };
        self.pos += 1;
        Ok((name, lit))
    }

    fn select(&mut self) -> Result<Select, SqlError> {
        if !matches!(
            self.peek(),
            Some(Tok::Word(_) | Tok::Quoted(_) | Tok::Sym("*"))
        ) {
            return Err(SqlError::unsupported(
                "SELECT of anything but columns of the login history",
            ));
        }
        let columns = if self.sym("*") {
            None
        } else {
            let mut cols = Vec::new();
            loop {
                let c = self.column_ref()?;
                let alias = if self.kw("AS") {
                    self.ident("a column alias")?.to_uppercase()
                } else {
                    c.clone()
                };
                cols.push((c, alias));
                if !self.sym(",") {
                    break;
                }
            }
            Some(cols)
        };
        if !self.kw("FROM") {
            return Err(SqlError::unsupported(
                "SELECT without FROM the login history",
            ));
        }
        let source = self.source()?;
        // An optional table alias.
        if self.kw("AS") || self.is_alias() {
            self.ident("a table alias")?;
        }
        let filter = if self.kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let e = self.expr()?;
                let desc = if self.kw("DESC") {
                    true
                } else {
                    self.kw("ASC");
                    false
                };
                order.push((e, desc));
                if !self.sym(",") {
                    break;
                }
            }
        }
        let limit = if self.kw("LIMIT") {
            match self.peek().cloned() {
                Some(Tok::Num(n)) => {
                    self.pos += 1;
                    Some(n)
                }
                _ => return Err(self.unexpected("a row count")),
            }
        } else {
            None
        };
        Ok(Select {
            columns,
            source,
            filter,
            order,
            limit,
        })
    }

    fn is_alias(&self) -> bool {
        match self.peek() {
            Some(Tok::Quoted(_)) => true,
            Some(Tok::Word(w)) => !["WHERE", "ORDER", "LIMIT"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k)),
            _ => false,
        }
    }

    /// `a.b.c` → its last part, upper case (a column of the one relation).
    fn column_ref(&mut self) -> Result<String, SqlError> {
        let mut name = self.ident("a column name")?;
        while self.sym(".") {
            name = self.ident("a column name")?;
        }
        Ok(name.to_uppercase())
    }

    fn dotted(&mut self) -> Result<Vec<String>, SqlError> {
        let mut parts = vec![self.ident("a view or function name")?.to_uppercase()];
        while self.sym(".") {
            parts.push(self.ident("a name")?.to_uppercase());
        }
        Ok(parts)
    }

    fn source(&mut self) -> Result<Source, SqlError> {
        if self.peek_word("TABLE") && matches!(self.toks.get(self.pos + 1), Some(Tok::Sym("("))) {
            self.pos += 2;
            let path = self.dotted()?;
            let n = path.len();
            let func = path[n - 1].as_str();
            let schema_ok = n >= 2 && path[n - 2] == "INFORMATION_SCHEMA" && n <= 3;
            let by_user = match func {
                "LOGIN_HISTORY_BY_USER" if schema_ok => true,
                "LOGIN_HISTORY" if schema_ok => false,
                _ => {
                    return Err(SqlError::unsupported(&format!(
                        "table function {}",
                        path.join(".")
                    )));
                }
            };
            self.expect_sym("(")?;
            let mut args = Vec::new();
            if !self.sym(")") {
                loop {
                    let named = match (self.peek().cloned(), self.toks.get(self.pos + 1)) {
                        (Some(Tok::Word(w)), Some(Tok::Sym("=>"))) => {
                            self.pos += 2;
                            Some(w.to_uppercase())
                        }
                        _ => None,
                    };
                    args.push((named, self.expr()?));
                    if self.sym(")") {
                        break;
                    }
                    self.expect_sym(",")?;
                }
            }
            self.expect_sym(")")?;
            return Ok(Source::TableFunction(by_user, args));
        }
        let path = self.dotted()?;
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["SNOWFLAKE", "ACCOUNT_USAGE", "LOGIN_HISTORY"]
            | ["ACCOUNT_USAGE", "LOGIN_HISTORY"] => Ok(Source::AccountUsage),
            _ => Err(SqlError::unsupported(&format!(
                "SELECT from {} (only the login history)",
                path.join(".")
            ))),
        }
    }

    // ---- expressions: OR < AND < NOT < predicate < additive < unary < primary ----------------

    fn expr(&mut self) -> Result<Expr, SqlError> {
        let mut e = self.and()?;
        while self.kw("OR") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, SqlError> {
        let mut e = self.not()?;
        while self.kw("AND") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, SqlError> {
        if self.kw("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, SqlError> {
        let left = self.primary()?;
        let ops = [
            ("=", CmpOp::Eq),
            ("<>", CmpOp::Ne),
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ];
        for (s, op) in ops {
            if self.sym(s) {
                return Ok(Expr::Cmp(Box::new(left), op, Box::new(self.primary()?)));
            }
        }
        if self.kw("IS") {
            let not = self.kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull(Box::new(left), not));
        }
        let not = self.kw("NOT");
        if self.kw("IN") {
            self.expect_sym("(")?;
            let mut list = vec![self.primary()?];
            while self.sym(",") {
                list.push(self.primary()?);
            }
            self.expect_sym(")")?;
            return Ok(Expr::In(Box::new(left), list, not));
        }
        if self.kw("LIKE") {
            return Ok(Expr::Like(
                Box::new(left),
                Box::new(self.primary()?),
                false,
                not,
            ));
        }
        if self.kw("ILIKE") {
            return Ok(Expr::Like(
                Box::new(left),
                Box::new(self.primary()?),
                true,
                not,
            ));
        }
        if self.kw("BETWEEN") {
            let lo = self.primary()?;
            self.expect_kw("AND")?;
            let hi = self.primary()?;
            return Ok(Expr::Between(
                Box::new(left),
                Box::new(lo),
                Box::new(hi),
                not,
            ));
        }
        if not {
            return Err(self.unexpected("IN, LIKE, ILIKE or BETWEEN"));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, SqlError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.unexpected("an expression"));
        };
        self.pos += 1;
        Ok(match t {
            Tok::Str(s) => Expr::Lit(Value::Text(s)),
            Tok::Num(n) => Expr::Lit(Value::Int(n)),
            Tok::Sym("-") => Expr::Neg(Box::new(self.primary()?)),
            Tok::Sym("(") => {
                let e = self.expr()?;
                self.expect_sym(")")?;
                e
            }
            Tok::Quoted(q) => {
                let mut name = q;
                while self.sym(".") {
                    name = self.ident("a column name")?;
                }
                Expr::Col(name.to_uppercase())
            }
            Tok::Word(w) => {
                let up = w.to_uppercase();
                match up.as_str() {
                    "TRUE" => return Ok(Expr::Lit(Value::Bool(true))),
                    "FALSE" => return Ok(Expr::Lit(Value::Bool(false))),
                    "NULL" => return Ok(Expr::Lit(Value::Null)),
                    _ => {}
                }
                if self.sym("(") {
                    let mut args = Vec::new();
                    if !self.sym(")") {
                        loop {
                            args.push(self.expr()?);
                            if self.sym(")") {
                                break;
                            }
                            self.expect_sym(",")?;
                        }
                    }
                    return Ok(Expr::Func(up, args));
                }
                if matches!(
                    up.as_str(),
                    "CURRENT_TIMESTAMP" | "CURRENT_DATE" | "LOCALTIMESTAMP" | "SYSDATE"
                ) {
                    return Ok(Expr::Func(up, Vec::new()));
                }
                let mut name = up;
                while self.sym(".") {
                    name = self.ident("a column name")?.to_uppercase();
                }
                Expr::Col(name)
            }
            other => {
                self.pos -= 1;
                return Err(SqlError::syntax(&format!(
                    "unexpected {}, expected an expression",
                    other.describe()
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_statements_parse() {
        assert_eq!(
            parse("ALTER ACCOUNT SET ALLOW_CLIENT_MFA_CACHING = TRUE;"),
            Ok(Statement::AlterAccount(Change::Set(vec![(
                "ALLOW_CLIENT_MFA_CACHING".into(),
                Lit::Bool(true)
            )])))
        );
        assert_eq!(
            parse("alter account unset allow_client_mfa_caching"),
            Ok(Statement::AlterAccount(Change::Unset(vec![
                "ALLOW_CLIENT_MFA_CACHING".into()
            ])))
        );
        assert_eq!(
            parse("ALTER USER IF EXISTS \"demo\" SET MINS_TO_BYPASS_MFA = 10"),
            Ok(Statement::AlterUser {
                if_exists: true,
                name: "demo".into(),
                change: Change::Set(vec![("MINS_TO_BYPASS_MFA".into(), Lit::Num(10))]),
            })
        );
        assert_eq!(
            parse("DESC USER bob"),
            Ok(Statement::DescribeUser("bob".into()))
        );
        let q = "SELECT EVENT_TIMESTAMP,\n       USER_NAME,\n       IS_SUCCESS\n  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY\n  WHERE SECOND_AUTHENTICATION_FACTOR = 'MFA_TOKEN';";
        let Ok(Statement::Select(s)) = parse(q) else {
            panic!("select")
        };
        assert_eq!(s.source, Source::AccountUsage);
        assert_eq!(s.columns.map(|c| c.len()), Some(3));
    }

    #[test]
    fn table_function_with_named_arguments_and_where() {
        let q = "select * from table(information_schema.login_history_by_user(USER_NAME => 'X', RESULT_LIMIT => 5)) \
                 where is_success = 'YES' and event_timestamp >= dateadd(hour, -1, current_timestamp()) \
                 order by event_timestamp desc limit 3";
        let Ok(Statement::Select(s)) = parse(q) else {
            panic!("select")
        };
        assert!(matches!(s.source, Source::TableFunction(true, ref a) if a.len() == 2));
        assert_eq!(s.order.len(), 1);
        assert_eq!(s.limit, Some(3));
    }

    #[test]
    fn outside_the_surface_is_unsupported_and_names_the_surface() {
        for q in [
            "SELECT 1",
            "DROP USER x",
            "ALTER SESSION SET A = 1",
            "SHOW USERS",
            "x; y",
        ] {
            let e = parse(q).expect_err(q);
            assert!(e.code == "000002" || e.code == "001003", "{q}: {e:?}");
        }
        let e = parse("DROP USER x").expect_err("drop");
        assert!(e.message.contains("ALTER ACCOUNT"), "{}", e.message);
        let e = parse("SELECT * FROM t; SELECT 1").expect_err("two");
        assert_eq!(e.code, "000002");
    }

    #[test]
    fn a_password_is_never_in_a_syntax_error() {
        let e = parse("CREATE USER bob PASSWORD = 'hunter2' 'extra'").expect_err("syntax");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let e = parse("ALTER USER bob SET PASSWORD = 'hunter2' )").expect_err("syntax");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
