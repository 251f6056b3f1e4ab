/*
 * sfmfa_config_from_connection_string and the configuration's warnings: NULL arguments and invalid
 * UTF-8 (out-parameter untouched), syntax errors that name the key and byte offset but no secret,
 * warnings through the buffer protocol, and logins against the emulator from a JDBC URL, an ODBC
 * string, and the seed URL of Snowflake's MFA page completed with sfmfa_config_set.
 */
#include "check.h"

#define CFG_SENTINEL ((sfmfa_config *)(uintptr_t)0xcf6)

/* Percent-encodes everything but unreserved characters (for a path inside a JDBC URL). */
static void percent_encode(const char *in, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0' && o + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'
            || *p == '.' || *p == '_') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

/* Parses a string that must fail: the result, the untouched out-parameter, and the last error. */
static void parse_fails(const char *what, const char *s, sfmfa_result expected, const char *in_message,
                        const char *secret)
{
    sfmfa_config *cfg = CFG_SENTINEL;
    sfmfa_result r = sfmfa_config_from_connection_string(s, &cfg);
    CHECK(r == expected, "%s -> %s (expected %s)", what, sfmfa_result_name(r), sfmfa_result_name(expected));
    CHECK(cfg == CFG_SENTINEL, "%s: out-parameter untouched", what);
    check_last_error(what, expected, 0, NULL, in_message, NULL, secret);
    check_cleared_by_success(what);
}

static void errors(void)
{
    printf("# arguments and syntax errors\n");
    sfmfa_config *cfg = CFG_SENTINEL;
    sfmfa_result r = sfmfa_config_from_connection_string(NULL, &cfg);
    CHECK(r == SFMFA_RESULT_NULL_ARGUMENT && cfg == CFG_SENTINEL, "NULL string -> %s, out untouched",
          sfmfa_result_name(r));
    check_last_error("NULL string", SFMFA_RESULT_NULL_ARGUMENT, 0, NULL, "'connection_string'", NULL, NULL);
    r = sfmfa_config_from_connection_string("UID=demo", NULL);
    CHECK_RESULT(r, SFMFA_RESULT_NULL_ARGUMENT, "NULL out");
    check_last_error("NULL out", SFMFA_RESULT_NULL_ARGUMENT, 0, NULL, "'out'", NULL, NULL);

    parse_fails("invalid UTF-8", "UID=demo;PWD=abc\xe2\x82", SFMFA_RESULT_INVALID_UTF8, "connection_string",
                NULL);
    parse_fails("unterminated brace", "UID=demo;PWD={" TEST_PASSWORD, SFMFA_RESULT_INVALID_VALUE,
                "key 'PWD' at byte 9", NULL);
    parse_fails("text after a closing brace", "PWD={" TEST_PASSWORD "}x;UID=demo", SFMFA_RESULT_INVALID_VALUE,
                "key 'PWD' at byte 0: unexpected text at byte 12", NULL);
    parse_fails("bad percent-encoding", "jdbc:snowflake://h.example.com/?password=" TEST_PASSWORD "%zz",
                SFMFA_RESULT_INVALID_VALUE, "key 'password' at byte 32", NULL);
    parse_fails("bad port", "jdbc:snowflake://h.example.com:99999/?password=" TEST_PASSWORD,
                SFMFA_RESULT_INVALID_VALUE, "key 'port' at byte 31", NULL);
    parse_fails("user and password before the host", "jdbc:snowflake://demo:" TEST_PASSWORD "@h.example.com/",
                SFMFA_RESULT_INVALID_VALUE, "'@' in the host part at byte 17", NULL);
    parse_fails("not a Snowflake URL", "jdbc:mysql://h/?password=" TEST_PASSWORD, SFMFA_RESULT_INVALID_VALUE,
                "jdbc:snowflake://", NULL);
    parse_fails("unsupported authenticator", "UID=demo;authenticator=externalbrowser", SFMFA_RESULT_INVALID_VALUE,
                "key 'authenticator' at byte 9", NULL);
}

/* Reads warning i through the buffer protocol (size query, then the copy). */
static bool read_warning(const sfmfa_config *cfg, size_t i, char *buf, size_t cap)
{
    size_t needed = (size_t)-1;
    sfmfa_result r = sfmfa_config_warning(cfg, i, NULL, 0, &needed);
    if (r != SFMFA_RESULT_BUFFER_TOO_SMALL || needed == (size_t)-1 || needed + 1 > cap)
        return false;
    size_t got = (size_t)-1;
    r = sfmfa_config_warning(cfg, i, buf, needed + 1, &got);
    return r == SFMFA_RESULT_OK && got == needed && strlen(buf) == needed;
}

static void warnings(void)
{
    printf("# warnings\n");
    const char *s = "jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo&wharehouse=wh"
                    "&insecureMode=true&password=" TEST_PASSWORD "&" TEST_PASSCODE "=1&tracing=ALL";
    sfmfa_config *cfg = NULL;
    sfmfa_result r = sfmfa_config_from_connection_string(s, &cfg);
    CHECK(r == SFMFA_RESULT_OK && cfg != NULL, "JDBC URL with unknown keys parses -> %s", sfmfa_result_name(r));
    if (cfg == NULL)
        return;
    size_t n = 99;
    r = sfmfa_config_warning_count(cfg, &n);
    CHECK(r == SFMFA_RESULT_OK && n == 3, "3 warnings (got %zu)", n);
    const char *expect[] = {
        "unknown key 'wharehouse' at byte 59 ignored; nearest known name: 'warehouse'",
        "'insecureMode' at byte 73 (option 'insecure_mode') is not honoured",
        "unknown key at byte 107 ignored; its name is not shown",
    };
    for (size_t i = 0; i < 3 && i < n; i++) {
        char text[1024];
        bool ok = read_warning(cfg, i, text, sizeof text);
        CHECK(ok && strstr(text, expect[i]) != NULL, "warning %zu: %s", i, ok ? text : "(not read)");
        CHECK(ok && !has_secret(text, NULL), "warning %zu holds no secret", i);
    }
    char buf[8];
    size_t len = 77;
    r = sfmfa_config_warning(cfg, n, buf, sizeof buf, &len);
    CHECK(r == SFMFA_RESULT_INVALID_VALUE && len == 77, "index out of range -> %s, out_len untouched",
          sfmfa_result_name(r));
    check_last_error("warning index out of range", SFMFA_RESULT_INVALID_VALUE, 0, NULL, "out of range", NULL,
                     NULL);
    CHECK_RESULT(sfmfa_config_warning(cfg, 0, buf, sizeof buf, NULL), SFMFA_RESULT_NULL_ARGUMENT,
                 "warning: NULL out_len");
    CHECK_RESULT(sfmfa_config_warning(NULL, 0, buf, sizeof buf, &len), SFMFA_RESULT_NULL_ARGUMENT,
                 "warning: NULL cfg");
    CHECK_RESULT(sfmfa_config_warning_count(NULL, &n), SFMFA_RESULT_NULL_ARGUMENT, "warning count: NULL cfg");
    CHECK_RESULT(sfmfa_config_warning_count(cfg, NULL), SFMFA_RESULT_NULL_ARGUMENT, "warning count: NULL out");

    /* sfmfa_config_set still refuses an unknown name, and records a warning for a value it will not honour. */
    CHECK_RESULT(sfmfa_config_set(cfg, "wharehouse", "wh"), SFMFA_RESULT_UNKNOWN_OPTION,
                 "sfmfa_config_set of an unknown name");
    check_last_error("sfmfa_config_set of an unknown name", SFMFA_RESULT_UNKNOWN_OPTION, 0, NULL, "'warehouse'",
                     NULL, NULL);
    CHECK_RESULT(sfmfa_config_set(cfg, "proxyHost", "proxy.example.com"), SFMFA_RESULT_OK,
                 "sfmfa_config_set(proxyHost)");
    sfmfa_config_warning_count(cfg, &n);
    CHECK(n == 4, "sfmfa_config_set(proxyHost) added a warning (%zu)", n);
    sfmfa_config_free(cfg);

    /* A configuration built with sfmfa_config_set alone has none. */
    cfg = base_config("demo");
    n = 99;
    r = sfmfa_config_warning_count(cfg, &n);
    CHECK(r == SFMFA_RESULT_OK && n == 0, "sfmfa_config_new + _set: %zu warnings", n);
    sfmfa_config_free(cfg);

    /* A clean string has none. */
    cfg = NULL;
    r = sfmfa_config_from_connection_string("Driver={SnowflakeDSIIDriver};Server=xy12345.snowflakecomputing.com;"
                                            "UID=demo;PWD={a;b}}c};CLIENT_SESSION_KEEP_ALIVE=true",
                                            &cfg);
    n = 99;
    sfmfa_config_warning_count(cfg, &n);
    CHECK(r == SFMFA_RESULT_OK && n == 0, "ODBC string without surprises: %s, %zu warnings", sfmfa_result_name(r),
          n);
    sfmfa_config_free(cfg);
}

static void login_with(const char *what, sfmfa_config *cfg, sfmfa_second_factor expected)
{
    sfmfa_client *client = NULL;
    sfmfa_session *s = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    CHECK(r == SFMFA_RESULT_OK, "%s: client -> %s", what, sfmfa_result_name(r));
    if (r == SFMFA_RESULT_OK)
        r = sfmfa_client_login(client, &s);
    if (r != SFMFA_RESULT_OK) {
        struct last_error le = read_last_error();
        CHECK(false, "%s: login -> %s (%u: %s)", what, sfmfa_result_name(r), (unsigned)le.server_code, le.message);
    } else {
        sfmfa_second_factor f = (sfmfa_second_factor)99;
        sfmfa_session_second_factor(s, &f);
        CHECK(f == expected, "%s: logged in, second factor %d (expected %d)", what, (int)f, (int)expected);
        CHECK_RESULT(sfmfa_session_close(s), SFMFA_RESULT_OK, "session close");
    }
    sfmfa_session_free(s);
    sfmfa_client_free(client);
}

static void logins(void)
{
    printf("# logins from connection strings\n");
    char ca[1024];
    percent_encode(test_https() ? test_ca() : "", ca, sizeof ca);
    char s[4096];

    /* A JDBC URL holding everything: the emulator's address, account, passcode. */
    snprintf(s, sizeof s,
             "jdbc:snowflake://%s://%s:%s/?account=" TEST_ACCOUNT "&user=demo&password=" TEST_PASSWORD
             "&passcode=" TEST_PASSCODE "&authenticator=username_password_mfa&loginTimeout=%s"
             "&clientRequestMfaToken=false&CABundleFile=%s",
             test_protocol(), test_host(), test_port(), test_login_timeout(), ca);
    sfmfa_config *cfg = NULL;
    sfmfa_result r = sfmfa_config_from_connection_string(s, &cfg);
    CHECK(r == SFMFA_RESULT_OK && cfg != NULL, "JDBC URL parses -> %s", sfmfa_result_name(r));
    if (cfg != NULL)
        login_with("JDBC URL, passcode", cfg, SFMFA_SECOND_FACTOR_PASSCODE);
    sfmfa_config_free(cfg);

    /* An ODBC string, passcode in password. */
    snprintf(s, sizeof s,
             "Driver={SnowflakeDSIIDriver};Server=%s;port=%s;protocol=%s;account=" TEST_ACCOUNT
             ";UID=demo;PWD={" TEST_PASSWORD TEST_PASSCODE "};passcodeInPassword=on;login_timeout=%s;"
             "CLIENT_REQUEST_MFA_TOKEN=false;CABundleFile={%s}",
             test_host(), test_port(), test_protocol(), test_login_timeout(), test_https() ? test_ca() : "");
    cfg = NULL;
    r = sfmfa_config_from_connection_string(s, &cfg);
    CHECK(r == SFMFA_RESULT_OK && cfg != NULL, "ODBC string parses -> %s", sfmfa_result_name(r));
    if (cfg != NULL)
        login_with("ODBC string, passcode in password", cfg, SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD);
    sfmfa_config_free(cfg);

    /* The seed URL of Snowflake's MFA page, completed and pointed at the emulator with sfmfa_config_set. */
    cfg = NULL;
    r = sfmfa_config_from_connection_string(
        "jdbc:snowflake://xy12345.snowflakecomputing.com/?user=demo&passcodeInPassword=on", &cfg);
    CHECK(r == SFMFA_RESULT_OK && cfg != NULL, "seed URL parses -> %s", sfmfa_result_name(r));
    if (cfg == NULL)
        return;
    set_ok(cfg, "password", TEST_PASSWORD TEST_PASSCODE);
    set_ok(cfg, "host", test_host());
    set_ok(cfg, "port", test_port());
    set_ok(cfg, "protocol", test_protocol());
    set_ok(cfg, "login_timeout", test_login_timeout());
    set_ok(cfg, "client_store_temporary_credential", "off");
    if (test_https())
        set_ok(cfg, "ca_file", test_ca());
    login_with("seed URL (account from the host), passcode in password", cfg,
               SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD);
    sfmfa_config_free(cfg);
}

/* Keys and values that could be secrets are not echoed; a huge string is refused; warnings are bounded
 * (issue 14, items 2 and 9). */
static void hostile_strings(void)
{
    printf("# hostile connection strings\n");
    const char *secret = "Kx31-Zq8_pw";
    parse_fails("a secret as login_timeout", "UID=demo;login_timeout={Kx31-Zq8_pw}", SFMFA_RESULT_INVALID_VALUE,
                "'login_timeout'", secret);
    parse_fails("a secret as a key whose value is not closed", "UID=demo;Kx31-Zq8_pw={abc", SFMFA_RESULT_INVALID_VALUE,
                "at byte 9", secret);
    parse_fails("a secret as a key whose value does not decode", "jdbc:snowflake://h.example.com/?Kx31-Zq8_pw=%zz",
                SFMFA_RESULT_INVALID_VALUE, "at byte 32", secret);

    sfmfa_config *cfg = NULL;
    sfmfa_result r = sfmfa_config_from_connection_string("UID=demo;Kx31-Zq8_pw=1;518273=2;wharehouse=w", &cfg);
    size_t n = 0;
    sfmfa_config_warning_count(cfg, &n);
    CHECK(r == SFMFA_RESULT_OK && n == 3, "unknown keys: %s, %zu warnings", sfmfa_result_name(r), n);
    for (size_t i = 0; i < n; i++) {
        char text[1024];
        bool ok = read_warning(cfg, i, text, sizeof text);
        CHECK(ok && !has_secret(text, secret) && strstr(text, "518273") == NULL, "warning %zu: %s", i,
              ok ? text : "(not read)");
    }
    sfmfa_config_free(cfg);

    /* 1 MiB of unknown keys: refused at once, the limit named. */
    const char *pair = "someUnknownKey=1;";
    size_t plen = strlen(pair), count = (1u << 20) / plen;
    char *huge = malloc(count * plen + 1);
    if (huge != NULL) {
        for (size_t i = 0; i < count; i++)
            memcpy(huge + i * plen, pair, plen);
        huge[count * plen] = '\0';
        parse_fails("a 1 MiB connection string", huge, SFMFA_RESULT_INVALID_VALUE, "65536", NULL);
        /* Just below the limit: accepted, with 50 warnings and one that counts the rest. */
        size_t below = 65536 / plen;
        huge[below * plen] = '\0';
        cfg = NULL;
        r = sfmfa_config_from_connection_string(huge, &cfg);
        n = 0;
        sfmfa_config_warning_count(cfg, &n);
        CHECK(r == SFMFA_RESULT_OK && n == 51, "%zu unknown keys: %s, %zu warnings (expected 51)", below,
              sfmfa_result_name(r), n);
        char text[1024], expected[64];
        snprintf(expected, sizeof expected, "%zu more warnings", below - 50);
        bool ok = n == 51 && read_warning(cfg, 50, text, sizeof text);
        CHECK(ok && strstr(text, expected) != NULL, "the last warning counts the rest: %s", ok ? text : "(not read)");
        sfmfa_config_free(cfg);
        free(huge);
    }
}

int main(void)
{
    if (!emulator_given())
        return 2;
    errors();
    warnings();
    hostile_strings();
    logins();
    return summary();
}
