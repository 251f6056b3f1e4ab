/*
 * The API surface without a Duo flow: every NULL argument of every function (result NULL_ARGUMENT,
 * out-parameter untouched), invalid UTF-8, unknown options, bad option values, aliases, _free(NULL),
 * sfmfa_version, sfmfa_result_name, and the buffer protocol of the last-error getters. Logs in once
 * (passcode) to get a real session for the session functions.
 */
#include "check.h"

#define CFG_SENTINEL ((sfmfa_config *)(uintptr_t)0xcf6)
#define CLIENT_SENTINEL ((sfmfa_client *)(uintptr_t)0xc11e)
#define SESSION_SENTINEL ((sfmfa_session *)(uintptr_t)0x5e55)

/* After a call that failed with NULL_ARGUMENT: last error and message naming the parameter. */
static void null_arg(const char *what, sfmfa_result r, const char *param)
{
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT, "%s -> %s", what, sfmfa_result_name(r));
    char needle[64];
    snprintf(needle, sizeof needle, "'%s'", param);
    check_last_error(what, SFMFA_RESULT_NULL_ARGUMENT, 0, NULL, needle, NULL, NULL);
}

static void set_fails(sfmfa_config *cfg, const char *what, const char *key, const char *value,
                      sfmfa_result expected, const char *in_message, const char *secret)
{
    sfmfa_result r = sfmfa_config_set(cfg, key, value);
    CHECK(r == expected, "%s -> %s (expected %s)", what, sfmfa_result_name(r), sfmfa_result_name(expected));
    check_last_error(what, expected, 0, NULL, in_message, NULL, secret);
    check_cleared_by_success(what);
}

static void free_null(void)
{
    printf("# _free(NULL) is a no-op\n");
    /* Set a last error first: _free(NULL) does nothing, not even touch it. */
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    sfmfa_config_set(cfg, "no_such_option", "1");
    sfmfa_config_free(NULL);
    sfmfa_client_free(NULL);
    sfmfa_session_free(NULL);
    CHECK(true, "sfmfa_config_free(NULL), sfmfa_client_free(NULL), sfmfa_session_free(NULL) returned");
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_UNKNOWN_OPTION, "_free(NULL) leaves the last error alone");
    sfmfa_config_free(cfg);
}

static void version_and_names(void)
{
    printf("# version and result names\n");
    const char *v = sfmfa_version();
    CHECK(v != NULL && v[0] != '\0', "sfmfa_version() = '%s'", v != NULL ? v : "(null)");
    CHECK(v != NULL && strchr(v, '.') != NULL, "sfmfa_version() looks like a version");
    CHECK(v == sfmfa_version(), "sfmfa_version() is a static string");

    const char *n = sfmfa_result_name(SFMFA_RESULT_DUO_DENIED);
    CHECK(n != NULL && strcmp(n, "SFMFA_RESULT_DUO_DENIED") == 0, "sfmfa_result_name(DUO_DENIED) = %s", n);
    const struct {
        sfmfa_result r;
        const char *name;
    } names[] = {
        {SFMFA_RESULT_OK, "SFMFA_RESULT_OK"},
        {SFMFA_RESULT_NULL_ARGUMENT, "SFMFA_RESULT_NULL_ARGUMENT"},
        {SFMFA_RESULT_INVALID_UTF8, "SFMFA_RESULT_INVALID_UTF8"},
        {SFMFA_RESULT_UNKNOWN_OPTION, "SFMFA_RESULT_UNKNOWN_OPTION"},
        {SFMFA_RESULT_INVALID_VALUE, "SFMFA_RESULT_INVALID_VALUE"},
        {SFMFA_RESULT_BUFFER_TOO_SMALL, "SFMFA_RESULT_BUFFER_TOO_SMALL"},
        {SFMFA_RESULT_MISSING_OPTION, "SFMFA_RESULT_MISSING_OPTION"},
        {SFMFA_RESULT_CONNECT, "SFMFA_RESULT_CONNECT"},
        {SFMFA_RESULT_TLS, "SFMFA_RESULT_TLS"},
        {SFMFA_RESULT_HTTP_STATUS, "SFMFA_RESULT_HTTP_STATUS"},
        {SFMFA_RESULT_CONNECTION_LOST, "SFMFA_RESULT_CONNECTION_LOST"},
        {SFMFA_RESULT_PROTOCOL, "SFMFA_RESULT_PROTOCOL"},
        {SFMFA_RESULT_TIMEOUT, "SFMFA_RESULT_TIMEOUT"},
        {SFMFA_RESULT_BAD_CREDENTIALS, "SFMFA_RESULT_BAD_CREDENTIALS"},
        {SFMFA_RESULT_DUO_PENDING, "SFMFA_RESULT_DUO_PENDING"},
        {SFMFA_RESULT_DUO_NOT_ENROLLED, "SFMFA_RESULT_DUO_NOT_ENROLLED"},
        {SFMFA_RESULT_DUO_LOCKED, "SFMFA_RESULT_DUO_LOCKED"},
        {SFMFA_RESULT_DUO_REQUESTED, "SFMFA_RESULT_DUO_REQUESTED"},
        {SFMFA_RESULT_DUO_SMS_SENT, "SFMFA_RESULT_DUO_SMS_SENT"},
        {SFMFA_RESULT_DUO_TIMEOUT, "SFMFA_RESULT_DUO_TIMEOUT"},
        {SFMFA_RESULT_DUO_INVALID, "SFMFA_RESULT_DUO_INVALID"},
        {SFMFA_RESULT_DUO_SUCCEEDED, "SFMFA_RESULT_DUO_SUCCEEDED"},
        {SFMFA_RESULT_DUO_EXCEPTION, "SFMFA_RESULT_DUO_EXCEPTION"},
        {SFMFA_RESULT_DUO_PUSH_DISABLED, "SFMFA_RESULT_DUO_PUSH_DISABLED"},
        {SFMFA_RESULT_SERVER_ERROR, "SFMFA_RESULT_SERVER_ERROR"},
        {SFMFA_RESULT_CACHE, "SFMFA_RESULT_CACHE"},
        {SFMFA_RESULT_CANCELLED, "SFMFA_RESULT_CANCELLED"},
        {SFMFA_RESULT_INTERNAL, "SFMFA_RESULT_INTERNAL"},
        {SFMFA_RESULT_PANIC, "SFMFA_RESULT_PANIC"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        n = sfmfa_result_name(names[i].r);
        CHECK(n != NULL && strcmp(n, names[i].name) == 0, "sfmfa_result_name(%u) = %s", (unsigned)names[i].r,
              n != NULL ? n : "(null)");
    }
    const uint32_t unknown[] = {1, 99, 106, 206, 301, 330, 333, 401, 903, 390120, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        n = sfmfa_result_name(unknown[i]);
        CHECK(n != NULL && strcmp(n, "SFMFA_RESULT_UNKNOWN") == 0, "sfmfa_result_name(%u) = %s",
              (unsigned)unknown[i], n != NULL ? n : "(null)");
    }
}

/* With nothing failed yet on a fresh thread state, the getters report empty texts. */
static void last_error_when_nothing_failed(void)
{
    printf("# last error when nothing failed\n");
    sfmfa_config *cfg = NULL;
    CHECK_RESULT(sfmfa_config_new(&cfg), SFMFA_RESULT_OK, "sfmfa_config_new");
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "last error result OK");
    CHECK(sfmfa_last_error_server_code() == 0, "last error server code 0");
    char buf[8];
    memset(buf, 'X', sizeof buf);
    size_t len = 99;
    CHECK(sfmfa_last_error_message(buf, sizeof buf, &len) == SFMFA_RESULT_OK && len == 0 && buf[0] == '\0',
          "empty message");
    len = 99;
    CHECK(sfmfa_last_error_sqlstate(buf, sizeof buf, &len) == SFMFA_RESULT_OK && len == 0 && buf[0] == '\0',
          "empty SQLSTATE");
    len = 99;
    CHECK(sfmfa_last_error_hint(buf, sizeof buf, &len) == SFMFA_RESULT_OK && len == 0 && buf[0] == '\0',
          "empty hint");
    len = 99;
    CHECK(sfmfa_last_error_message(NULL, 0, &len) == SFMFA_RESULT_BUFFER_TOO_SMALL && len == 0,
          "size query of an empty message: BUFFER_TOO_SMALL, length 0");
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "the getters do not set the last error");
    sfmfa_config_free(cfg);
}

/* The getters' own buffer protocol on a real message, and their NULL out_len. */
static void last_error_buffers(void)
{
    printf("# last-error getters: buffer protocol and NULL out_len\n");
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    CHECK_RESULT(sfmfa_config_set(cfg, "no_such_option", "1"), SFMFA_RESULT_UNKNOWN_OPTION, "unknown option");
    size_t needed = 0;
    CHECK(sfmfa_last_error_message(NULL, 0, &needed) == SFMFA_RESULT_BUFFER_TOO_SMALL && needed > 0,
          "message size query: %zu bytes", needed);
    char small[4];
    memset(small, 'X', sizeof small);
    size_t len = 0;
    sfmfa_result r = sfmfa_last_error_message(small, sizeof small, &len);
    CHECK(r == SFMFA_RESULT_BUFFER_TOO_SMALL && len == needed && small[0] == 'X' && small[3] == 'X',
          "message into 4 bytes: too small, length %zu, buffer untouched", len);
    char exact[512];
    len = 0;
    if (needed < sizeof exact) {
        memset(exact, 'X', sizeof exact);
        r = sfmfa_last_error_message(exact, needed, &len);
        CHECK(r == SFMFA_RESULT_BUFFER_TOO_SMALL && exact[0] == 'X', "message into needed bytes (no NUL room): too small");
        r = sfmfa_last_error_message(exact, needed + 1, &len);
        CHECK(r == SFMFA_RESULT_OK && len == needed && exact[needed] == '\0' && strlen(exact) == needed,
              "message into needed+1 bytes: '%s'", exact);
    }
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_UNKNOWN_OPTION,
          "BUFFER_TOO_SMALL of a getter does not replace the last error");

    char buf[64];
    memset(buf, 'X', sizeof buf);
    r = sfmfa_last_error_sqlstate(buf, sizeof buf, NULL);
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT && buf[0] == 'X', "sfmfa_last_error_sqlstate(out_len NULL) -> %s, buf untouched",
          sfmfa_result_name(r));
    r = sfmfa_last_error_message(buf, sizeof buf, NULL);
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT && buf[0] == 'X', "sfmfa_last_error_message(out_len NULL) -> %s, buf untouched",
          sfmfa_result_name(r));
    r = sfmfa_last_error_hint(buf, sizeof buf, NULL);
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT && buf[0] == 'X', "sfmfa_last_error_hint(out_len NULL) -> %s, buf untouched",
          sfmfa_result_name(r));
    r = sfmfa_last_error_message(NULL, 0, NULL);
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT, "sfmfa_last_error_message(NULL, 0, NULL) -> %s", sfmfa_result_name(r));
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_UNKNOWN_OPTION,
          "the getters' NULL_ARGUMENT does not change the last error (documented: does not change it)");
    sfmfa_config_free(cfg);
}

static void config_nulls(void)
{
    printf("# NULL arguments: config\n");
    null_arg("sfmfa_config_new(NULL)", sfmfa_config_new(NULL), "out");

    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    null_arg("sfmfa_config_set(NULL, key, value)", sfmfa_config_set(NULL, "user", "demo"), "cfg");
    null_arg("sfmfa_config_set(cfg, NULL, value)", sfmfa_config_set(cfg, NULL, "demo"), "key");
    null_arg("sfmfa_config_set(cfg, key, NULL)", sfmfa_config_set(cfg, "user", NULL), "value of option 'user'");
    null_arg("sfmfa_config_set(cfg, NULL, NULL)", sfmfa_config_set(cfg, NULL, NULL), "key");

    /* client_new: NULL cfg (out untouched), NULL out. */
    sfmfa_client *client = CLIENT_SENTINEL;
    null_arg("sfmfa_client_new(NULL, &out)", sfmfa_client_new(NULL, &client), "cfg");
    CHECK(client == CLIENT_SENTINEL, "sfmfa_client_new(NULL, &out): out untouched");
    set_ok(cfg, "account", TEST_ACCOUNT);
    set_ok(cfg, "user", "demo");
    set_ok(cfg, "password", TEST_PASSWORD);
    null_arg("sfmfa_client_new(cfg, NULL)", sfmfa_client_new(cfg, NULL), "out");
    sfmfa_config_free(cfg);
}

static void config_values(void)
{
    printf("# options: unknown names, invalid UTF-8, bad values, aliases\n");
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);

    set_fails(cfg, "unknown option", "no_such_option", "1", SFMFA_RESULT_UNKNOWN_OPTION, "no_such_option", NULL);
    set_fails(cfg, "unknown option (empty name)", "", "1", SFMFA_RESULT_UNKNOWN_OPTION, NULL, NULL);
    set_fails(cfg, "unknown option with a secret-looking value", "passwd", TEST_PASSWORD,
              SFMFA_RESULT_UNKNOWN_OPTION, "passwd", NULL);
    set_fails(cfg, "invalid UTF-8 in the key", "us\xff" "er", "demo", SFMFA_RESULT_INVALID_UTF8, "key", NULL);
    set_fails(cfg, "invalid UTF-8 in the value", "user", "de\xc3\x28mo", SFMFA_RESULT_INVALID_UTF8, "user", NULL);
    set_fails(cfg, "invalid UTF-8 in a password value", "password", "abc\xe2\x82", SFMFA_RESULT_INVALID_UTF8,
              "password", NULL);
    set_fails(cfg, "truncated UTF-8 sequence in the key", "\xe2\x82", "1", SFMFA_RESULT_INVALID_UTF8, "key", NULL);

    set_fails(cfg, "port=70000", "port", "70000", SFMFA_RESULT_INVALID_VALUE, "'port'", NULL);
    set_fails(cfg, "port=0", "port", "0", SFMFA_RESULT_INVALID_VALUE, "'port'", NULL);
    set_fails(cfg, "port=-1", "port", "-1", SFMFA_RESULT_INVALID_VALUE, "'port'", NULL);
    set_fails(cfg, "port=abc", "port", "abc", SFMFA_RESULT_INVALID_VALUE, "'port'", NULL);
    set_fails(cfg, "login_timeout=abc", "login_timeout", "abc", SFMFA_RESULT_INVALID_VALUE, "'login_timeout'", NULL);
    set_fails(cfg, "login_timeout=-5", "login_timeout", "-5", SFMFA_RESULT_INVALID_VALUE, "'login_timeout'", NULL);
    set_fails(cfg, "loginTimeout=abc (alias)", "loginTimeout", "abc", SFMFA_RESULT_INVALID_VALUE, "'login_timeout'",
              NULL);
    set_fails(cfg, "authenticator=oauth", "authenticator", "oauth", SFMFA_RESULT_INVALID_VALUE, "'authenticator'",
              NULL);
    set_fails(cfg, "authenticator=externalbrowser", "authenticator", "externalbrowser", SFMFA_RESULT_INVALID_VALUE,
              "'authenticator'", NULL);
    set_fails(cfg, "protocol=ftp", "protocol", "ftp", SFMFA_RESULT_INVALID_VALUE, "'protocol'", NULL);
    set_fails(cfg, "passcode_in_password=maybe", "passcode_in_password", "maybe", SFMFA_RESULT_INVALID_VALUE,
              "'passcode_in_password'", NULL);

    printf("# options: canonical names, aliases, any case, booleans\n");
    const char *const ok[][2] = {
        {"account", TEST_ACCOUNT}, {"ACCOUNT", TEST_ACCOUNT}, {"accountName", TEST_ACCOUNT},
        {"account_name", TEST_ACCOUNT}, {"user", "demo"}, {"username", "demo"}, {"UID", "demo"},
        {"login_name", "demo"}, {"password", TEST_PASSWORD}, {"pwd", TEST_PASSWORD}, {"host", "localhost"},
        {"server", "localhost"}, {"port", "1"}, {"port", "65535"}, {"protocol", "http"}, {"protocol", "HTTPS"},
        {"authenticator", "SNOWFLAKE"}, {"authenticator", "username_password_mfa"}, {"passcode", TEST_PASSCODE},
        {"mfa_passcode", TEST_PASSCODE}, {"mfa-passcode", TEST_PASSCODE}, {"passcode_in_password", "on"},
        {"passcodeInPassword", "off"}, {"PASSCODEINPASSWORD", "TRUE"}, {"mfa_passcode_in_password", "false"},
        {"mfa-passcode-in-password", "yes"}, {"passcode_in_password", "no"}, {"passcode_in_password", "1"},
        {"passcode_in_password", "0"}, {"login_timeout", "0.5"}, {"loginTimeout", "120"},
        {"login_timeout", "0"} /* no limit, as in JDBC and ODBC */, {"loginTimeout", "0"},
        {"login_timeout", "86400"}, {"ca_file", "/etc/ssl/certs/ca-certificates.crt"}, {"cafile", ""},
        {"ca_bundle_file", ""}, {"database", "DB"}, {"db", "DB"}, {"databaseName", "DB"}, {"schema", "S"},
        {"schemaName", "S"}, {"warehouse", "WH"}, {"role", "R"}, {"roleName", "R"}, {"application", "c-tests"},
        {"passcode", ""}, {"port", ""}, {"login_timeout", ""}, {"host", ""},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sfmfa_result r = sfmfa_config_set(cfg, ok[i][0], ok[i][1]);
        CHECK(r == SFMFA_RESULT_OK && sfmfa_last_error_result() == SFMFA_RESULT_OK, "set %s=%s -> %s", ok[i][0],
              ok[i][1], sfmfa_result_name(r));
    }
    set_fails(cfg, "login_timeout=86401", "login_timeout", "86401", SFMFA_RESULT_INVALID_VALUE, "'login_timeout'",
              NULL);
    sfmfa_config_free(cfg);
}

/* A secret typed in the wrong place: as the value of an option that is not secret, or as an option
 * name. The message names the option and what it expects, never the text (issue 14, item 2). A value
 * beyond the size limit is refused with the limit named (item 9). */
static void config_secrets_in_the_wrong_place(void)
{
    printf("# a secret as another option's value or as a name is not echoed\n");
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    const char *secret = "Kx31-Zq8_pw";
    const char *const typed[] = {"login_timeout", "loginTimeout", "port", "protocol", "authenticator", "ssl",
                                 "passcode_in_password", "client_store_temporary_credential", "token_cache", NULL};
    for (size_t i = 0; typed[i] != NULL; i++) {
        char what[128];
        snprintf(what, sizeof what, "%s=<secret>", typed[i]);
        set_fails(cfg, what, typed[i], secret, SFMFA_RESULT_INVALID_VALUE, "expected", secret);
    }
    set_fails(cfg, "passcode_in_password=518273", "passcode_in_password", "518273", SFMFA_RESULT_INVALID_VALUE,
              "'passcode_in_password': expected", "518273");
    set_fails(cfg, "host=<secret with '@'>", "host", "Kx31@Zq8_pw", SFMFA_RESULT_INVALID_VALUE, "'host'",
              "Kx31@Zq8_pw");
    set_fails(cfg, "a secret as the option name", secret, "x", SFMFA_RESULT_UNKNOWN_OPTION, "11 characters", secret);
    set_fails(cfg, "a secret with symbols as the option name", "Zq8-pw-Kx31!v", "x", SFMFA_RESULT_UNKNOWN_OPTION,
              "13 characters", "Zq8-pw-Kx31!v");
    set_fails(cfg, "a password as the option name, a suggestion still", TEST_PASSWORD, "x",
              SFMFA_RESULT_UNKNOWN_OPTION, "nearest known name", NULL);
    set_fails(cfg, "a plain unknown name is named", "wharehouse", "x", SFMFA_RESULT_UNKNOWN_OPTION,
              "'wharehouse'", NULL);

    printf("# a value beyond the size limit\n");
    size_t big = 100000;
    char *value = malloc(big + 1);
    if (value != NULL) {
        memset(value, 's', big);
        value[big] = '\0';
        set_fails(cfg, "a 100 kB password", "password", value, SFMFA_RESULT_INVALID_VALUE, "8192", NULL);
        set_fails(cfg, "a 100 kB user", "user", value, SFMFA_RESULT_INVALID_VALUE, "8192", NULL);
        struct last_error le;
        sfmfa_config_set(cfg, "user", value);
        le = read_last_error();
        CHECK(strlen(le.message) < 300, "the message of a huge value is short (%zu bytes)", strlen(le.message));
        free(value);
    }
    sfmfa_config_free(cfg);
}

static sfmfa_session *login_for_session(void)
{
    sfmfa_config *cfg = base_config("demo");
    set_ok(cfg, "passcode", TEST_PASSCODE);
    sfmfa_client *client = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    CHECK_RESULT(r, SFMFA_RESULT_OK, "client for the session tests");
    sfmfa_session *s = NULL;
    if (client != NULL) {
        r = sfmfa_client_login(client, &s);
        CHECK(r == SFMFA_RESULT_OK && s != NULL, "login for the session tests -> %s", sfmfa_result_name(r));
    }
    /* client_login: NULL client (out untouched), NULL out. */
    sfmfa_session *sent = SESSION_SENTINEL;
    null_arg("sfmfa_client_login(NULL, &out)", sfmfa_client_login(NULL, &sent), "client");
    CHECK(sent == SESSION_SENTINEL, "sfmfa_client_login(NULL, &out): out untouched");
    if (client != NULL)
        null_arg("sfmfa_client_login(client, NULL)", sfmfa_client_login(client, NULL), "out");
    sfmfa_client_free(client);
    return s;
}

static void session_nulls(sfmfa_session *s)
{
    printf("# NULL arguments: session\n");
    int64_t id = 424242;
    null_arg("sfmfa_session_id(NULL, &out)", sfmfa_session_id(NULL, &id), "session");
    CHECK(id == 424242, "sfmfa_session_id(NULL, &out): out untouched");
    sfmfa_second_factor f = (sfmfa_second_factor)77;
    null_arg("sfmfa_session_second_factor(NULL, &out)", sfmfa_session_second_factor(NULL, &f), "session");
    CHECK(f == 77, "sfmfa_session_second_factor(NULL, &out): out untouched");

    char buf[1024];
    size_t len = 31337;
    memset(buf, 'X', sizeof buf);
    null_arg("sfmfa_session_token(NULL, buf, n, &len)", sfmfa_session_token(NULL, buf, sizeof buf, &len), "session");
    CHECK(len == 31337 && buf[0] == 'X', "sfmfa_session_token(NULL, ...): out_len and buf untouched");
    null_arg("sfmfa_session_master_token(NULL, buf, n, &len)",
             sfmfa_session_master_token(NULL, buf, sizeof buf, &len), "session");
    CHECK(len == 31337 && buf[0] == 'X', "sfmfa_session_master_token(NULL, ...): out_len and buf untouched");
    null_arg("sfmfa_session_close(NULL)", sfmfa_session_close(NULL), "session");
    null_arg("sfmfa_session_token(NULL, NULL, 0, NULL)", sfmfa_session_token(NULL, NULL, 0, NULL), "session");

    if (s == NULL) {
        CHECK(false, "no session: session out-parameter NULL checks skipped");
        return;
    }
    null_arg("sfmfa_session_id(s, NULL)", sfmfa_session_id(s, NULL), "out");
    null_arg("sfmfa_session_second_factor(s, NULL)", sfmfa_session_second_factor(s, NULL), "out");
    null_arg("sfmfa_session_token(s, buf, n, NULL)", sfmfa_session_token(s, buf, sizeof buf, NULL), "out_len");
    CHECK(buf[0] == 'X', "sfmfa_session_token(s, buf, n, NULL): buf untouched");
    null_arg("sfmfa_session_master_token(s, buf, n, NULL)", sfmfa_session_master_token(s, buf, sizeof buf, NULL),
             "out_len");
    CHECK(buf[0] == 'X', "sfmfa_session_master_token(s, buf, n, NULL): buf untouched");
    null_arg("sfmfa_session_token(s, NULL, 0, NULL)", sfmfa_session_token(s, NULL, 0, NULL), "out_len");

    /* A NULL buffer with a length asks the size like buf_len 0. */
    len = 0;
    sfmfa_result r = sfmfa_session_token(s, NULL, 0, &len);
    CHECK(r == SFMFA_RESULT_BUFFER_TOO_SMALL && len > 0, "sfmfa_session_token(s, NULL, 0, &len): size %zu", len);
    check_last_error("token size query", SFMFA_RESULT_BUFFER_TOO_SMALL, 0, NULL, NULL, NULL, NULL);

    /* The message of BUFFER_TOO_SMALL never holds the token. */
    char tok[1024];
    size_t tl = 0;
    if (sfmfa_session_token(s, tok, sizeof tok, &tl) == SFMFA_RESULT_OK) {
        sfmfa_session_token(s, NULL, 0, &len);
        struct last_error le = read_last_error();
        CHECK(strstr(le.message, tok) == NULL, "BUFFER_TOO_SMALL message does not contain the token");
        memset(tok, 0, sizeof tok);
    }

    CHECK_RESULT(sfmfa_session_close(s), SFMFA_RESULT_OK, "close of the test session");
    CHECK_RESULT(sfmfa_session_close(s), SFMFA_RESULT_OK, "second close of the test session");
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "close clears the last error");
}

static void config_binding(void)
{
    printf("# sfmfa_config_set_binding\n");
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    CHECK_RESULT(sfmfa_config_set_binding(cfg, "Python", "3.11.7"), SFMFA_RESULT_OK, "Python/3.11.7");
    CHECK_RESULT(sfmfa_config_set_binding(cfg, "C", "1"), SFMFA_RESULT_OK, "C/1");
    null_arg("sfmfa_config_set_binding(NULL, name, version)", sfmfa_config_set_binding(NULL, "C", "1"), "cfg");
    null_arg("sfmfa_config_set_binding(cfg, NULL, version)", sfmfa_config_set_binding(cfg, NULL, "1"), "name");
    null_arg("sfmfa_config_set_binding(cfg, name, NULL)", sfmfa_config_set_binding(cfg, "C", NULL), "version");
    const char *bad[][2] = {{"", "1"}, {"C", ""}, {"Py thon", "1"}, {"C", "1\r\nX-Evil: 1"},
                            {"C", "123456789012345678901234567890123"}, {"Caf\xc3\xa9", "1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(sfmfa_config_set_binding(cfg, bad[i][0], bad[i][1]) == SFMFA_RESULT_INVALID_VALUE,
              "binding name or version %zu cannot go into a header: INVALID_VALUE", i);
    sfmfa_config_free(cfg);
}

int main(void)
{
    free_null();
    version_and_names();
    last_error_when_nothing_failed();
    last_error_buffers();
    config_nulls();
    config_values();
    config_secrets_in_the_wrong_place();
    config_binding();
    if (test_port()[0] != '\0') {
        sfmfa_session *s = login_for_session();
        session_nulls(s);
        sfmfa_session_free(s);
    } else {
        printf("# SFMFA_TEST_PORT not set: session tests skipped\n");
    }
    free_null();
    return summary();
}
