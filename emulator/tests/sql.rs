//! The administrator's SQL over `POST /queries/v1/query-request`, from this project's side: real
//! sockets, real logins, the documents' statements verbatim, then the affected user's logins.

mod common;

use common::*;
use serde_json::{Value, json};

/// The documents' statements, verbatim (`/work` product documents: the MFA and Duo pages).
const SET_CACHING: &str = "ALTER ACCOUNT SET ALLOW_CLIENT_MFA_CACHING = TRUE;";
const UNSET_CACHING: &str = "ALTER ACCOUNT UNSET ALLOW_CLIENT_MFA_CACHING;";
const HISTORY: &str = "SELECT EVENT_TIMESTAMP,
       USER_NAME,
       IS_SUCCESS
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  WHERE SECOND_AUTHENTICATION_FACTOR = 'MFA_TOKEN';";

/// Logs `user` in (push approved at once for the users used here) and returns the session token.
fn session(port: u16, user: &str) -> String {
    let v = login(port, creds(user, json!({})));
    assert_eq!(v["success"], json!(true), "{v}");
    v["data"]["token"].as_str().expect("token").to_string()
}

/// Runs `sql` with the session `token`; returns the whole JSON answer.
fn query(port: u16, token: &str, sql: &str) -> Value {
    let auth = format!("Snowflake Token=\"{token}\"");
    let body =
        json!({"sqlText": sql, "asyncExec": false, "sequenceId": 1, "querySubmissionTime": 0});
    let r = send(
        port,
        "POST",
        "/queries/v1/query-request?requestId=q-1",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        body.to_string().as_bytes(),
    )
    .expect("query request");
    assert_eq!(r.status, 200);
    r.json()
}

/// Runs `sql`, expects success, returns the rows as strings (null → "NULL").
fn rows(port: u16, token: &str, sql: &str) -> Vec<Vec<String>> {
    let v = query(port, token, sql);
    assert_eq!(v["success"], json!(true), "{sql}: {v}");
    let d = &v["data"];
    assert_eq!(d["queryResultFormat"], "json");
    assert!(d["queryId"].is_string());
    let rowset = d["rowset"].as_array().expect("rowset");
    assert_eq!(d["total"].as_u64(), Some(rowset.len() as u64));
    assert_eq!(d["returned"].as_u64(), Some(rowset.len() as u64));
    let ncols = d["rowtype"].as_array().expect("rowtype").len();
    rowset
        .iter()
        .map(|r| {
            let r = r.as_array().expect("row");
            assert_eq!(r.len(), ncols);
            r.iter()
                .map(|c| c.as_str().unwrap_or("NULL").to_string())
                .collect()
        })
        .collect()
}

/// Expects a failure with `code` and the service's error shape; returns the message.
fn fails(port: u16, token: &str, sql: &str, code: &str, sql_state: &str) -> String {
    let v = query(port, token, sql);
    assert_eq!(v["success"], json!(false), "{sql}: {v}");
    assert_eq!(v["code"], json!(code), "{sql}: {v}");
    assert_eq!(v["data"]["sqlState"], json!(sql_state), "{sql}: {v}");
    assert!(v["data"]["queryId"].is_string());
    v["message"].as_str().expect("message").to_string()
}

fn describe(port: u16, token: &str, user: &str) -> std::collections::HashMap<String, String> {
    rows(port, token, &format!("DESCRIBE USER {user}"))
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

fn with_mfa_token_request() -> Value {
    json!({"SESSION_PARAMETERS": {"CLIENT_REQUEST_MFA_TOKEN": true}})
}

#[test]
fn caching_statements_decide_whether_a_login_gets_an_mfa_token() {
    let emu = start_default();
    let p = emu.port();
    let admin = session(p, "admin");

    // ALTER ACCOUNT UNSET: back to the default, false; push_approve follows the account.
    assert_eq!(
        rows(p, &admin, UNSET_CACHING),
        vec![vec!["Statement executed successfully.".to_string()]]
    );
    let shown = rows(
        p,
        &admin,
        "SHOW PARAMETERS LIKE 'ALLOW_CLIENT_MFA_CACHING' IN ACCOUNT",
    );
    assert_eq!(
        shown[0][..4],
        ["ALLOW_CLIENT_MFA_CACHING", "false", "false", ""]
    );
    let v = login(p, creds("push_approve", with_mfa_token_request()));
    assert_eq!(v["success"], json!(true), "{v}");
    assert!(
        v["data"]["mfaToken"].is_null(),
        "caching off → no token: {v}"
    );

    // ALTER ACCOUNT SET … = TRUE: the next login gets one, and a token login works.
    rows(p, &admin, SET_CACHING);
    let shown = rows(p, &admin, "show parameters like 'allow_client%' in account");
    assert_eq!(
        shown[0][..4],
        ["ALLOW_CLIENT_MFA_CACHING", "true", "false", "ACCOUNT"]
    );
    let v = login(p, creds("push_approve", with_mfa_token_request()));
    let token = v["data"]["mfaToken"]
        .as_str()
        .expect("mfaToken")
        .to_string();
    let pushes = emu.control().push_count("xy12345", "push_approve");
    let v = login(p, creds("push_approve", json!({"TOKEN": token})));
    assert_eq!(v["success"], json!(true), "{v}");
    assert_eq!(emu.control().push_count("xy12345", "push_approve"), pushes);

    // The user level wins over the account: ALTER USER … SET, SHOW … IN USER, then UNSET.
    rows(
        p,
        &admin,
        "ALTER USER push_approve SET ALLOW_CLIENT_MFA_CACHING = FALSE",
    );
    let shown = rows(
        p,
        &admin,
        "SHOW PARAMETERS LIKE 'ALLOW_CLIENT_MFA_CACHING' IN USER \"push_approve\"",
    );
    assert_eq!(shown[0][1..4], ["false", "false", "USER"]);
    let v = login(p, creds("push_approve", json!({"TOKEN": token})));
    assert_eq!(
        code_of(&v).as_deref(),
        Some("390127"),
        "cached token refused: {v}"
    );
    rows(
        p,
        &admin,
        "ALTER USER push_approve UNSET ALLOW_CLIENT_MFA_CACHING",
    );
    let v = login(p, creds("push_approve", json!({"TOKEN": token})));
    assert_eq!(v["success"], json!(true), "{v}");

    // The control API acts on the same state.
    assert!(
        emu.control()
            .set_allow_mfa_caching_account("xy12345", Some(false))
    );
    let shown = rows(p, &admin, "SHOW PARAMETERS IN ACCOUNT");
    assert_eq!(shown[0][1], "false");
}

#[test]
fn mins_to_bypass_mfa_lets_the_password_alone_log_in_for_n_minutes() {
    let emu = start_default();
    let p = emu.port();
    let c = emu.control();
    let admin = session(p, "admin");
    // push_deny's phone denies every push: only a bypass lets it in.
    assert_eq!(
        code_of(&login(p, creds("push_deny", json!({})))).as_deref(),
        Some("390120")
    );
    let pushes = c.push_count("xy12345", "push_deny");

    rows(
        p,
        &admin,
        "ALTER USER push_deny SET MINS_TO_BYPASS_MFA = 10",
    );
    assert_eq!(describe(p, &admin, "push_deny")["MINS_TO_BYPASS_MFA"], "10");
    let v = login(p, creds("push_deny", json!({})));
    assert_eq!(v["success"], json!(true), "bypass: {v}");
    assert_eq!(c.push_count("xy12345", "push_deny"), pushes, "no push sent");
    let last = c.login_history().pop().expect("history");
    assert!(last.is_success && last.second_authentication_factor.is_none());
    let empty = rows(
        p,
        &admin,
        "SELECT USER_NAME, SECOND_AUTHENTICATION_FACTOR FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY \
         WHERE USER_NAME = 'PUSH_DENY' AND IS_SUCCESS = 'YES'",
    );
    assert_eq!(
        empty,
        vec![vec!["PUSH_DENY".to_string(), "NULL".to_string()]]
    );

    // Ten minutes later (emulator clock) MFA is enforced again.
    c.advance(10 * 60);
    assert_eq!(
        describe(p, &admin, "push_deny")["MINS_TO_BYPASS_MFA"],
        "null"
    );
    assert_eq!(
        code_of(&login(p, creds("push_deny", json!({})))).as_deref(),
        Some("390120")
    );
    assert_eq!(c.push_count("xy12345", "push_deny"), pushes + 1);
}

#[test]
fn disable_mfa_cancels_enrollment_and_describe_shows_it() {
    let emu = start_default();
    let p = emu.port();
    let admin = session(p, "admin");
    let before = describe(p, &admin, "demo");
    assert_eq!(before["EXT_AUTHN_DUO"], "true");
    assert_eq!(before["HAS_MFA"], "true");
    assert!(before["EXT_AUTHN_UID"].starts_with("DU"));
    for k in ["NAME", "LOGIN_NAME", "DISABLED", "MINS_TO_BYPASS_MFA"] {
        assert!(before.contains_key(k), "{k}");
    }
    assert_eq!(before["NAME"], "DEMO");
    assert_eq!(before["PASSWORD"], "********");

    rows(p, &admin, "ALTER USER demo SET DISABLE_MFA = TRUE");
    let after = describe(p, &admin, "demo");
    assert_eq!(after["EXT_AUTHN_DUO"], "false");
    assert_eq!(after["EXT_AUTHN_UID"], "null");
    // As for a user never enrolled: the password alone, no push; a passcode is 390122.
    let pushes = emu.control().push_count("xy12345", "demo");
    let v = login(p, creds("demo", json!({})));
    assert_eq!(v["success"], json!(true), "{v}");
    assert_eq!(emu.control().push_count("xy12345", "demo"), pushes);
    let v = login(
        p,
        creds(
            "demo",
            json!({"EXT_AUTHN_DUO_METHOD": "passcode", "PASSCODE": "987654"}),
        ),
    );
    assert_eq!(code_of(&v).as_deref(), Some("390122"), "{v}");
}

#[test]
fn the_documents_history_query_lists_mfa_token_logins() {
    let emu = start_default();
    let p = emu.port();
    let admin = session(p, "admin");
    let v = login(p, creds("push_approve", with_mfa_token_request()));
    let token = v["data"]["mfaToken"]
        .as_str()
        .expect("mfaToken")
        .to_string();
    for _ in 0..2 {
        let v = login(p, creds("push_approve", json!({"TOKEN": token})));
        assert_eq!(v["success"], json!(true), "{v}");
    }
    let v = query(p, &admin, HISTORY);
    let names: Vec<&str> = v["data"]["rowtype"]
        .as_array()
        .expect("rowtype")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["EVENT_TIMESTAMP", "USER_NAME", "IS_SUCCESS"]);
    assert_eq!(v["data"]["rowtype"][0]["type"], "timestamp_ltz");
    let r = rows(p, &admin, HISTORY);
    assert_eq!(r.len(), 2, "{r:?}");
    for row in &r {
        assert_eq!(row[1..], ["PUSH_APPROVE", "YES"]);
        let secs: u64 = row[0]
            .split('.')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("ts");
        assert!(secs.abs_diff(emu.control().now()) < 3600);
    }

    // Variations: the table function, a time range, ORDER BY, filters on IS_SUCCESS and the factor.
    login(p, creds("push_approve", json!({"PASSWORD": "wrong"})));
    let r = rows(
        p,
        &admin,
        "select user_name, is_success, error_code, second_authentication_factor \
         from table(information_schema.login_history_by_user(USER_NAME => 'PUSH_APPROVE', RESULT_LIMIT => 10)) \
         where event_timestamp >= dateadd(hours, -1, current_timestamp()) \
         order by event_timestamp desc, event_id desc",
    );
    assert_eq!(r.len(), 4, "{r:?}");
    assert_eq!(r[0], ["PUSH_APPROVE", "NO", "390100", "NULL"]);
    assert_eq!(r[3][3], "DUO_PUSH");
    let r = rows(
        p,
        &admin,
        "SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE IS_SUCCESS = 'NO' \
         OR SECOND_AUTHENTICATION_FACTOR IN ('DUO_PUSH') ORDER BY EVENT_TIMESTAMP",
    );
    // admin's own push login, push_approve's push login, the wrong password.
    assert_eq!(r.len(), 3, "{r:?}");
    let none = rows(
        p,
        &admin,
        "SELECT USER_NAME FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY \
         WHERE EVENT_TIMESTAMP < '2000-01-01 00:00:00'",
    );
    assert!(none.is_empty());
}

#[test]
fn create_user_and_password_change_invalidate_tokens() {
    let emu = start_default();
    let p = emu.port();
    let admin = session(p, "admin");
    let status = rows(
        p,
        &admin,
        "CREATE USER carol PASSWORD = 's3cret-Pw' DEFAULT_ROLE = PUBLIC COMMENT = 'from SQL'",
    );
    assert_eq!(status[0][0], "User CAROL successfully created.");
    let msg = fails(
        p,
        &admin,
        "CREATE USER carol PASSWORD = 's3cret-Pw'",
        "002002",
        "42710",
    );
    assert!(!msg.contains("s3cret"), "{msg}");
    assert!(
        rows(p, &admin, "CREATE USER IF NOT EXISTS carol PASSWORD = 'x'")[0][0]
            .contains("already exists")
    );
    let v = login(
        p,
        json!({"ACCOUNT_NAME": "xy12345", "LOGIN_NAME": "carol", "PASSWORD": "s3cret-Pw"}),
    );
    assert_eq!(v["success"], json!(true), "{v}");
    assert_eq!(describe(p, &admin, "carol")["EXT_AUTHN_DUO"], "false");

    // ALTER USER … SET PASSWORD invalidates the user's MFA tokens.
    let v = login(p, creds("push_approve", with_mfa_token_request()));
    let token = v["data"]["mfaToken"]
        .as_str()
        .expect("mfaToken")
        .to_string();
    rows(p, &admin, "ALTER USER push_approve SET PASSWORD = 'n3w-Pw'");
    let v = login(
        p,
        creds(
            "push_approve",
            json!({"PASSWORD": "n3w-Pw", "TOKEN": token}),
        ),
    );
    assert_eq!(code_of(&v).as_deref(), Some("390127"), "{v}");
    let v = login(p, creds("push_approve", json!({"PASSWORD": "n3w-Pw"})));
    assert_eq!(v["success"], json!(true), "{v}");
    // IF EXISTS on a user that does not exist succeeds; without it, 002003.
    rows(
        p,
        &admin,
        "ALTER USER IF EXISTS nobody SET MINS_TO_BYPASS_MFA = 5",
    );
    fails(
        p,
        &admin,
        "ALTER USER nobody SET MINS_TO_BYPASS_MFA = 5",
        "002003",
        "02000",
    );
}

#[test]
fn privileges_follow_the_session_role() {
    let emu = start_default();
    let p = emu.port();
    let user = session(p, "push_approve"); // role PUBLIC
    for sql in [
        SET_CACHING,
        UNSET_CACHING,
        HISTORY,
        "ALTER USER demo SET DISABLE_MFA = TRUE",
    ] {
        fails(p, &user, sql, "003001", "42501");
    }
    fails(p, &user, "CREATE USER x PASSWORD = 'y'", "003001", "42501");
    fails(p, &user, "DESCRIBE USER demo", "003001", "42501");
    fails(
        p,
        &user,
        "ALTER USER push_approve SET MINS_TO_BYPASS_MFA = 60",
        "003001",
        "42501",
    );
    fails(
        p,
        &user,
        "SELECT * FROM TABLE(INFORMATION_SCHEMA.LOGIN_HISTORY_BY_USER(USER_NAME => 'DEMO'))",
        "003001",
        "42501",
    );
    // One's own: DESCRIBE, SHOW … IN USER, the table function, one's password.
    assert_eq!(describe(p, &user, "push_approve")["EXT_AUTHN_DUO"], "true");
    rows(p, &user, "SHOW PARAMETERS IN USER push_approve");
    let own = rows(
        p,
        &user,
        "SELECT USER_NAME FROM TABLE(INFORMATION_SCHEMA.LOGIN_HISTORY())",
    );
    assert!(
        !own.is_empty() && own.iter().all(|r| r[0] == "PUSH_APPROVE"),
        "{own:?}"
    );
    rows(p, &user, "ALTER USER push_approve SET PASSWORD = 'abc123'");

    // A login may not name ACCOUNTADMIN unless it is the user's role.
    let v = login(p, creds("push_approve", json!({})));
    assert_eq!(v["data"]["sessionInfo"]["roleName"], "PUBLIC");
    let r = post_json(
        p,
        "/session/v1/login-request?roleName=ACCOUNTADMIN",
        &json!({"data": creds("push_approve", json!({}))}),
    );
    assert_eq!(code_of(&r.json()).as_deref(), Some("390189"));
    // Another role name is accepted and carries PUBLIC's rights.
    let r = post_json(
        p,
        "/session/v1/login-request?roleName=analyst",
        &json!({"data": creds("push_approve", json!({}))}),
    );
    let v = r.json();
    assert_eq!(v["data"]["sessionInfo"]["roleName"], "ANALYST", "{v}");
    let analyst = v["data"]["token"].as_str().expect("token").to_string();
    fails(p, &analyst, SET_CACHING, "003001", "42501");
    let r = post_json(
        p,
        "/session/v1/login-request?roleName=accountadmin",
        &json!({"data": creds("admin", json!({}))}),
    );
    assert_eq!(r.json()["data"]["sessionInfo"]["roleName"], "ACCOUNTADMIN");
}

#[test]
fn sessions_and_unsupported_sql_get_the_services_errors() {
    let emu = start_default();
    let p = emu.port();
    let v = query(p, "ETSESSION-unknown", "DESCRIBE USER demo");
    assert_eq!(v["success"], json!(false));
    assert_eq!(code_of(&v).as_deref(), Some("390111"), "{v}");

    let admin = session(p, "admin");
    for sql in [
        "SELECT 1",
        "DROP USER demo",
        "ALTER SESSION SET TIMEZONE = 'UTC'",
        "SHOW USERS",
    ] {
        let msg = fails(p, &admin, sql, "000002", "0A000");
        assert!(
            msg.contains("ALTER ACCOUNT SET|UNSET ALLOW_CLIENT_MFA_CACHING"),
            "{msg}"
        );
    }
    fails(
        p,
        &admin,
        "ALTER ACCOUNT SET ALLOW_ID_TOKEN = TRUE",
        "000002",
        "0A000",
    );
    fails(p, &admin, "DESCRIBE USER", "001003", "42000");
    fails(
        p,
        &admin,
        "SELECT NO_SUCH_COLUMN FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY",
        "000904",
        "42000",
    );
    // A password in a statement that fails is never echoed.
    let msg = fails(
        p,
        &admin,
        "ALTER USER demo SET PASSWORD = 'hunter2' PASSWORD",
        "001003",
        "42000",
    );
    assert!(!msg.contains("hunter2"), "{msg}");

    // After logout the token is refused.
    let r = send(
        p,
        "POST",
        "/session?delete=true",
        &[("Authorization", &format!("Snowflake Token=\"{admin}\""))],
        b"{}",
    )
    .expect("logout");
    assert_eq!(r.json()["success"], json!(true));
    assert_eq!(
        code_of(&query(p, &admin, "DESCRIBE USER demo")).as_deref(),
        Some("390111")
    );

    // The Python 4.x connector gzips its bodies.
    let admin = session(p, "admin");
    let body = json!({"sqlText": "DESC USER demo", "asyncExec": false, "sequenceId": 1});
    let r = send(
        p,
        "POST",
        "/queries/v1/query-request?requestId=q-2",
        &[
            ("Content-Encoding", "gzip"),
            ("Authorization", &format!("Snowflake Token=\"{admin}\"")),
        ],
        &gzip(body.to_string().as_bytes()),
    )
    .expect("gzip query");
    assert_eq!(r.json()["success"], json!(true));
}
