"""The official snowflake-connector-python against sfmfa-emulator: the administrator runs the MFA
documents' SQL, then the affected users log in and see the effect.

Run by emulator/tests/peers/run.sh (one process per connector version, inside a private network
namespace with the emulator on 127.0.0.1). Prints one line per check and `N passed, M failed`;
exits 1 when a check fails.

    python admin_sql.py --port PORT
"""

import argparse
import datetime
import sys
import tempfile
import traceback
import warnings

import snowflake.connector
from emulator_control import ACCOUNT, Emulator
from snowflake.connector.errors import DatabaseError, ProgrammingError

PASSWORD = "abc123"

# The documents' statements, verbatim.
SET_CACHING = "ALTER ACCOUNT SET ALLOW_CLIENT_MFA_CACHING = TRUE;"
UNSET_CACHING = "ALTER ACCOUNT UNSET ALLOW_CLIENT_MFA_CACHING;"
HISTORY = """SELECT EVENT_TIMESTAMP,
       USER_NAME,
       IS_SUCCESS
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  WHERE SECOND_AUTHENTICATION_FACTOR = 'MFA_TOKEN';"""

warnings.simplefilter("ignore")


def connect(port, user, password=PASSWORD, mfa=True, cache_mfa_token=False):
    kwargs = dict(
        account=ACCOUNT,
        user=user,
        password=password,
        host="127.0.0.1",
        port=port,
        protocol="http",
        login_timeout=30,
        network_timeout=30,
        client_session_keep_alive=False,
        client_request_mfa_token=cache_mfa_token,
        client_store_temporary_credential=cache_mfa_token,
    )
    if mfa:
        kwargs["authenticator"] = "username_password_mfa"
    return snowflake.connector.connect(**kwargs)


def run(con, sql):
    cur = con.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall(), [d[0] for d in cur.description]
    finally:
        cur.close()


def describe(con, user):
    rows, cols = run(con, f"DESCRIBE USER {user}")
    assert cols == ["property", "value", "default", "description"], cols
    return {r[0]: r[1] for r in rows}


def expect_error(con, sql, errno, sqlstate):
    try:
        run(con, sql)
    except ProgrammingError as e:
        assert e.errno == errno, (sql, e.errno, e.msg)
        assert e.sqlstate == sqlstate, (sql, e.sqlstate)
        assert e.sfqid, "the error carries the query id"
        return e.msg
    raise AssertionError(f"{sql!r} succeeded")


CHECKS = []


def check(f):
    CHECKS.append(f)
    return f


@check
def caching_unset_means_no_token_and_set_means_a_token(port, emu, admin):
    rows, _ = run(admin, UNSET_CACHING)
    assert rows == [("Statement executed successfully.",)], rows
    rows, cols = run(admin, "SHOW PARAMETERS LIKE 'ALLOW_CLIENT_MFA_CACHING' IN ACCOUNT")
    assert cols[:4] == ["key", "value", "default", "level"], cols
    assert rows[0][:2] == ("ALLOW_CLIENT_MFA_CACHING", "false"), rows
    # Caching off: the connector asks for a token and gets none, so every login pushes.
    before = emu.pushes("push_approve")
    for _ in range(2):
        connect(port, "push_approve", cache_mfa_token=True).close()
        assert emu.last_login("push_approve")["second_authentication_factor"] == "DUO_PUSH"
    assert emu.pushes("push_approve") == before + 2

    rows, _ = run(admin, SET_CACHING)
    rows, _ = run(admin, "SHOW PARAMETERS LIKE 'ALLOW_CLIENT_MFA_CACHING' IN ACCOUNT")
    assert rows[0][1] == "true", rows
    # Caching on: one push, then the connector's cached MFA token logs in without one.
    before = emu.pushes("push_approve")
    connect(port, "push_approve", cache_mfa_token=True).close()
    con = connect(port, "push_approve", cache_mfa_token=True)
    assert emu.pushes("push_approve") == before + 1, "the second login used the cached token"
    assert emu.last_login("push_approve")["second_authentication_factor"] == "MFA_TOKEN"
    con.close()


@check
def history_query_lists_the_mfa_token_logins(port, emu, admin):
    rows, cols = run(admin, HISTORY)
    assert cols == ["EVENT_TIMESTAMP", "USER_NAME", "IS_SUCCESS"], cols
    assert rows, "at least the MFA_TOKEN login of the check before"
    for ts, user, ok in rows:
        assert isinstance(ts, datetime.datetime), type(ts)
        assert (user, ok) == ("PUSH_APPROVE", "YES"), (user, ok)
    # The table function, a time range and ORDER BY.
    rows, _ = run(
        admin,
        "select user_name, second_authentication_factor "
        "from table(information_schema.login_history_by_user(user_name => 'PUSH_APPROVE')) "
        "where is_success = 'YES' and event_timestamp > dateadd(hour, -1, current_timestamp()) "
        "order by event_timestamp desc, event_id desc limit 1",
    )
    assert rows == [("PUSH_APPROVE", "MFA_TOKEN")], rows


@check
def mins_to_bypass_mfa_logs_in_without_a_push(port, emu, admin):
    try:
        connect(port, "push_deny").close()
        raise AssertionError("push_deny's phone denies every push")
    except DatabaseError as e:
        assert e.errno == 390120, e.errno
    run(admin, "ALTER USER push_deny SET MINS_TO_BYPASS_MFA = 10")
    assert describe(admin, "push_deny")["MINS_TO_BYPASS_MFA"] == "10"
    before = emu.pushes("push_deny")
    con = connect(port, "push_deny")
    rows, _ = run(con, "DESCRIBE USER push_deny")
    con.close()
    assert emu.pushes("push_deny") == before, "no push during the bypass"
    assert emu.last_login("push_deny")["second_authentication_factor"] is None
    rows, _ = run(
        admin,
        "SELECT SECOND_AUTHENTICATION_FACTOR FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY "
        "WHERE USER_NAME = 'PUSH_DENY' AND IS_SUCCESS = 'YES'",
    )
    assert rows == [(None,)], rows


@check
def disable_mfa_turns_ext_authn_duo_false(port, emu, admin):
    assert describe(admin, "demo")["EXT_AUTHN_DUO"] == "true"
    run(admin, "ALTER USER demo SET DISABLE_MFA = TRUE")
    props = describe(admin, "demo")
    assert props["EXT_AUTHN_DUO"] == "false", props
    assert props["HAS_MFA"] == "false", props
    for k in ("NAME", "LOGIN_NAME", "DISABLED", "EXT_AUTHN_UID", "MINS_TO_BYPASS_MFA"):
        assert k in props, k
    before = emu.pushes("demo")
    connect(port, "demo").close()
    assert emu.pushes("demo") == before, "a user no longer enrolled gets no push"


@check
def create_user_and_a_new_password(port, emu, admin):
    rows, _ = run(admin, "CREATE USER erin PASSWORD = 'first-Pw1' DEFAULT_ROLE = PUBLIC")
    assert rows == [("User ERIN successfully created.",)], rows
    connect(port, "erin", password="first-Pw1", mfa=False).close()
    run(admin, "ALTER USER erin SET PASSWORD = 'second-Pw2'")
    try:
        connect(port, "erin", password="first-Pw1", mfa=False).close()
        raise AssertionError("the old password still works")
    except DatabaseError as e:
        assert e.errno == 390100, e.errno
    connect(port, "erin", password="second-Pw2", mfa=False).close()
    msg = expect_error(admin, "CREATE USER erin PASSWORD = 'third-Pw3'", 2002, "42710")
    assert "third-Pw3" not in msg, msg


@check
def privileges_and_unsupported_sql(port, emu, admin):
    con = connect(port, "push_approve")
    try:
        for sql in (SET_CACHING, UNSET_CACHING, HISTORY, "ALTER USER demo SET MINS_TO_BYPASS_MFA = 5"):
            expect_error(con, sql, 3001, "42501")
        assert describe(con, "push_approve")["EXT_AUTHN_DUO"] == "true"
        msg = expect_error(con, "SELECT 1", 2, "0A000")
        assert "ALTER ACCOUNT SET|UNSET ALLOW_CLIENT_MFA_CACHING" in msg, msg
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    port = ap.parse_args().port
    emu = Emulator(port)
    version = snowflake.connector.__version__ if hasattr(snowflake.connector, "__version__") else "?"
    passed = failed = 0
    with tempfile.TemporaryDirectory() as cache_dir:
        import os

        # The connector's MFA-token cache: a private folder per run.
        os.environ["SF_TEMPORARY_CREDENTIAL_CACHE_DIR"] = cache_dir
        admin = connect(port, "admin")
        for f in CHECKS:
            try:
                f(port, emu, admin)
                print(f"ok   {f.__name__}", flush=True)
                passed += 1
            except Exception:
                print(f"FAIL {f.__name__}", flush=True)
                traceback.print_exc()
                failed += 1
        admin.close()
    print(f"snowflake-connector-python {version}: {passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
