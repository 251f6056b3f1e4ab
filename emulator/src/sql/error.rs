//! A statement's failure in the service's shape: a 6-digit code, a SQLSTATE and a message.
//! Messages never contain a string literal of the statement (it may be a password).

/// Why a statement failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// Snowflake's error code, six digits (a JSON string on the wire).
    pub code: &'static str,
    /// The SQLSTATE.
    pub sql_state: &'static str,
    /// The message.
    pub message: String,
}

/// The statements this emulator runs, named in the error for anything else.
pub const SUPPORTED: &str = "ALTER ACCOUNT SET|UNSET ALLOW_CLIENT_MFA_CACHING; \
ALTER USER <name> SET|UNSET ALLOW_CLIENT_MFA_CACHING|MINS_TO_BYPASS_MFA|DISABLE_MFA|PASSWORD|DEFAULT_ROLE|COMMENT; \
CREATE USER <name> PASSWORD = '...'; DESCRIBE USER <name>; \
SHOW PARAMETERS [LIKE '...'] IN ACCOUNT | IN USER <name>; \
SELECT ... FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY | TABLE(INFORMATION_SCHEMA.LOGIN_HISTORY[_BY_USER](...)) \
[WHERE ...] [ORDER BY ...] [LIMIT n]";

impl SqlError {
    /// 001003 / 42000: the text does not parse.
    pub fn syntax(detail: &str) -> SqlError {
        SqlError {
            code: "001003",
            sql_state: "42000",
            message: format!("SQL compilation error:\nsyntax error: {detail}."),
        }
    }

    /// 000002 / 0A000: a statement or clause outside the emulator's surface (the emulator's choice of code).
    pub fn unsupported(what: &str) -> SqlError {
        SqlError {
            code: "000002",
            sql_state: "0A000",
            message: format!(
                "Unsupported feature: {what}. sfmfa-emulator runs only these statements: {SUPPORTED}."
            ),
        }
    }

    /// 003001 / 42501: the session's role may not do this.
    pub fn insufficient_privileges(object: &str) -> SqlError {
        SqlError {
            code: "003001",
            sql_state: "42501",
            message: format!(
                "SQL access control error:\nInsufficient privileges to operate on {object}."
            ),
        }
    }

    /// 002003 / 02000: the user does not exist (or the session may not see it).
    pub fn no_such_user(name: &str) -> SqlError {
        SqlError {
            code: "002003",
            sql_state: "02000",
            message: format!(
                "SQL compilation error:\nUser '{}' does not exist or not authorized.",
                name.to_uppercase()
            ),
        }
    }

    /// 002002 / 42710: CREATE of a user that exists.
    pub fn already_exists(name: &str) -> SqlError {
        SqlError {
            code: "002002",
            sql_state: "42710",
            message: format!(
                "SQL compilation error:\nObject '{}' already exists.",
                name.to_uppercase()
            ),
        }
    }

    /// 001011 / 22023: a property or parameter got a value of the wrong kind (the emulator's choice of code).
    pub fn invalid_value(property: &str, expected: &str) -> SqlError {
        SqlError {
            code: "001011",
            sql_state: "22023",
            message: format!(
                "SQL compilation error:\ninvalid value for property '{property}': {expected}."
            ),
        }
    }

    /// 000904 / 42000: a column the view does not have.
    pub fn invalid_identifier(name: &str) -> SqlError {
        SqlError {
            code: "000904",
            sql_state: "42000",
            message: format!(
                "SQL compilation error: error line 0 at position 0\ninvalid identifier '{}'",
                name.to_uppercase()
            ),
        }
    }
}
