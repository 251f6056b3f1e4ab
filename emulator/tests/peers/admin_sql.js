// The official Node.js driver (snowflake-sdk) against sfmfa-emulator: the administrator runs the MFA
// documents' SQL, then the affected users log in and see the effect. The Node.js counterpart of
// admin_sql.py, run by run.sh inside the same private network namespace.
//   SNOWFLAKE_SDK=<path to node_modules/snowflake-sdk> node admin_sql.js --port PORT
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const snowflake = require(process.env.SNOWFLAKE_SDK);

snowflake.configure({ logLevel: 'OFF', disableOCSPChecks: true });

const ACCOUNT = 'xy12345';
const PASSWORD = 'abc123';
// The documents' statements, verbatim.
const SET_CACHING = 'ALTER ACCOUNT SET ALLOW_CLIENT_MFA_CACHING = TRUE;';
const UNSET_CACHING = 'ALTER ACCOUNT UNSET ALLOW_CLIENT_MFA_CACHING;';
const HISTORY = `SELECT EVENT_TIMESTAMP,
       USER_NAME,
       IS_SUCCESS
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  WHERE SECOND_AUTHENTICATION_FACTOR = 'MFA_TOKEN';`;

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const base = `http://127.0.0.1:${port}`;
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfmfa-node-cache-'));

async function control(p) {
  const r = await fetch(base + p);
  return r.json();
}

async function pushes(user) {
  return (await control(`/control/counters?account=${ACCOUNT}&user=${user}`)).push_count;
}

async function lastLogin(user) {
  const rows = (await control('/control/history')).filter((h) => h.user_name.toLowerCase() === user);
  return rows[rows.length - 1];
}

async function connect(user, { password = PASSWORD, mfa = true, cache = false } = {}) {
  const opts = {
    account: ACCOUNT,
    username: user,
    password,
    accessUrl: base,
    clientRequestMFAToken: cache,
    clientStoreTemporaryCredential: cache,
    credentialCacheDir: cacheDir,
  };
  if (mfa) opts.authenticator = 'USERNAME_PASSWORD_MFA';
  const conn = snowflake.createConnection(opts);
  await new Promise((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  return conn;
}

function destroy(conn) {
  return new Promise((resolve) => conn.destroy(() => resolve()));
}

function run(conn, sqlText) {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      complete: (err, stmt, rows) => {
        if (err) reject(err);
        else resolve({ rows, columns: stmt.getColumns().map((c) => c.getName()) });
      },
    });
  });
}

async function describe(conn, user) {
  const { rows, columns } = await run(conn, `DESCRIBE USER ${user}`);
  assert.deepEqual(columns, ['property', 'value', 'default', 'description']);
  return Object.fromEntries(rows.map((r) => [r.property, r.value]));
}

async function expectError(conn, sql, code, sqlState) {
  try {
    await run(conn, sql);
  } catch (e) {
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    assert.equal(e.sqlState, sqlState, sql);
    return e.message;
  }
  assert.fail(`${sql} succeeded`);
}

const checks = {
  async cachingUnsetMeansNoTokenAndSetMeansAToken(admin) {
    await run(admin, UNSET_CACHING);
    let { rows } = await run(admin, "SHOW PARAMETERS LIKE 'ALLOW_CLIENT_MFA_CACHING' IN ACCOUNT");
    assert.equal(rows[0].value, 'false');
    let before = await pushes('push_approve');
    for (let i = 0; i < 2; i++) {
      await destroy(await connect('push_approve', { cache: true }));
      assert.equal((await lastLogin('push_approve')).second_authentication_factor, 'DUO_PUSH');
    }
    assert.equal(await pushes('push_approve'), before + 2, 'caching off: every login pushes');

    await run(admin, SET_CACHING);
    ({ rows } = await run(admin, "show parameters like 'allow_client_mfa_caching' in account"));
    assert.equal(rows[0].value, 'true');
    before = await pushes('push_approve');
    await destroy(await connect('push_approve', { cache: true }));
    await destroy(await connect('push_approve', { cache: true }));
    assert.equal(await pushes('push_approve'), before + 1, 'the second login used the cached token');
    assert.equal((await lastLogin('push_approve')).second_authentication_factor, 'MFA_TOKEN');
  },

  async historyQueryListsTheMfaTokenLogins(admin) {
    const { rows, columns } = await run(admin, HISTORY);
    assert.deepEqual(columns, ['EVENT_TIMESTAMP', 'USER_NAME', 'IS_SUCCESS']);
    assert.ok(rows.length >= 1, 'the MFA_TOKEN login of the check before');
    for (const r of rows) {
      assert.equal(r.USER_NAME, 'PUSH_APPROVE');
      assert.equal(r.IS_SUCCESS, 'YES');
      assert.match(String(r.EVENT_TIMESTAMP.toJSON()), /^\d{4}-\d\d-\d\dT/);
    }
  },

  async minsToBypassMfaLogsInWithoutAPush(admin) {
    await assert.rejects(connect('push_deny'), (e) => String(e.code) === '390120');
    await run(admin, 'ALTER USER push_deny SET MINS_TO_BYPASS_MFA = 10');
    assert.equal((await describe(admin, 'push_deny')).MINS_TO_BYPASS_MFA, '10');
    const before = await pushes('push_deny');
    await destroy(await connect('push_deny'));
    assert.equal(await pushes('push_deny'), before, 'no push during the bypass');
    assert.equal((await lastLogin('push_deny')).second_authentication_factor, null);
  },

  async disableMfaTurnsExtAuthnDuoFalse(admin) {
    assert.equal((await describe(admin, 'demo')).EXT_AUTHN_DUO, 'true');
    await run(admin, 'ALTER USER demo SET DISABLE_MFA = TRUE');
    assert.equal((await describe(admin, 'demo')).EXT_AUTHN_DUO, 'false');
    const before = await pushes('demo');
    await destroy(await connect('demo'));
    assert.equal(await pushes('demo'), before, 'a user no longer enrolled gets no push');
  },

  async privilegesAndUnsupportedSql() {
    const conn = await connect('push_approve');
    try {
      for (const sql of [SET_CACHING, HISTORY, 'ALTER USER demo SET MINS_TO_BYPASS_MFA = 5']) {
        await expectError(conn, sql, '003001', '42501');
      }
      const msg = await expectError(conn, 'SELECT 1', '000002', '0A000');
      assert.ok(msg.includes('ALTER ACCOUNT SET|UNSET ALLOW_CLIENT_MFA_CACHING'), msg);
    } finally {
      await destroy(conn);
    }
  },
};

(async () => {
  let passed = 0;
  let failed = 0;
  const admin = await connect('admin');
  for (const [name, f] of Object.entries(checks)) {
    try {
      await f(admin);
      console.log(`ok   ${name}`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${name}`);
      console.log(e && e.stack ? e.stack : e);
      failed++;
    }
  }
  await destroy(admin);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const version = require(path.join(process.env.SNOWFLAKE_SDK, 'package.json')).version;
  finish(`snowflake-sdk ${version} (Node.js): ${passed} passed, ${failed} failed`, failed ? 1 : 0);
})().catch((e) => finish(String(e && e.stack ? e.stack : e), 1));

// Exits once the last line is written (process.exit alone may cut a piped stdout short).
function finish(line, code) {
  process.stdout.write(`${line}\n`, () => process.exit(code));
}
