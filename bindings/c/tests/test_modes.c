/*
 * Every login mode against the emulator: plain password, Duo push, explicit passcode, passcode in
 * the password. Each checks the session id, the second factor (PUSH_OR_NONE for a push request
 * answered in one step), both tokens through the buffer protocol, and close (twice) / free. Also
 * linked statically (test_modes_static). The multi-step flow is in test_multistep.
 */
#include "check.h"

struct opt {
    const char *key;
    const char *value;
};

static const char *factor_name(sfmfa_second_factor f)
{
    switch (f) {
    case SFMFA_SECOND_FACTOR_NONE: return "NONE";
    case SFMFA_SECOND_FACTOR_PUSH: return "PUSH";
    case SFMFA_SECOND_FACTOR_PASSCODE: return "PASSCODE";
    case SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD: return "PASSCODE_IN_PASSWORD";
    case SFMFA_SECOND_FACTOR_MFA_TOKEN: return "MFA_TOKEN";
    case SFMFA_SECOND_FACTOR_PUSH_OR_NONE: return "PUSH_OR_NONE";
    default: return "?";
    }
}

typedef sfmfa_result (*token_getter)(const sfmfa_session *, char *, size_t, size_t *);

/* The buffer protocol of a token getter; returns the token (malloc'd) or NULL. */
static char *check_token(const char *mode, const char *name, const sfmfa_session *s, token_getter get)
{
    size_t needed = (size_t)-1;
    sfmfa_result r = get(s, NULL, 0, &needed);
    CHECK_RESULT(r, SFMFA_RESULT_BUFFER_TOO_SMALL, "size query of the token");
    CHECK(needed != (size_t)-1 && needed > 0 && needed < 100000, "%s: %s size query reports %zu bytes",
          mode, name, needed);
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_BUFFER_TOO_SMALL,
          "%s: %s size query leaves BUFFER_TOO_SMALL as the last error", mode, name);
    if (needed == (size_t)-1 || needed == 0 || needed >= 100000)
        return NULL;

    /* One byte short (no room for the NUL): too small, buffer untouched, length reported again. */
    char *buf = malloc(needed + 1);
    memset(buf, 'X', needed + 1);
    size_t len = 0;
    r = get(s, buf, needed, &len);
    bool untouched = true;
    for (size_t i = 0; i < needed + 1; i++)
        untouched = untouched && buf[i] == 'X';
    CHECK(r == SFMFA_RESULT_BUFFER_TOO_SMALL && len == needed && untouched,
          "%s: %s with a buffer one byte short -> %s, length %zu, buffer untouched", mode, name,
          sfmfa_result_name(r), len);

    len = (size_t)-1;
    r = get(s, buf, needed + 1, &len);
    CHECK(r == SFMFA_RESULT_OK && len == needed && buf[needed] == '\0' && strlen(buf) == needed,
          "%s: %s copied (%s, %zu bytes, NUL-terminated)", mode, name, sfmfa_result_name(r), len);
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "%s: %s copy clears the last error", mode, name);
    CHECK(strstr(buf, TEST_PASSWORD) == NULL && strstr(buf, TEST_PASSCODE) == NULL,
          "%s: %s holds neither password nor passcode", mode, name);

    /* A bigger buffer: same text. */
    char big[4096];
    memset(big, 'Y', sizeof big);
    if (needed + 1 <= sizeof big) {
        len = 0;
        r = get(s, big, sizeof big, &len);
        CHECK(r == SFMFA_RESULT_OK && len == needed && strcmp(big, buf) == 0,
              "%s: %s with a large buffer gives the same text", mode, name);
    }
    return buf;
}

static void wipe_free(char *p)
{
    if (p != NULL) {
        volatile char *v = p;
        while (*v != '\0')
            *v++ = 0;
        free(p);
    }
}

static void run_mode(const char *mode, const char *user, const struct opt *opts, size_t n_opts,
                     sfmfa_second_factor expected)
{
    printf("# mode: %s (user %s)\n", mode, user);
    sfmfa_config *cfg = base_config(user);
    for (size_t i = 0; i < n_opts; i++)
        set_ok(cfg, opts[i].key, opts[i].value);

    sfmfa_client *client = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    CHECK(r == SFMFA_RESULT_OK && client != NULL, "%s: sfmfa_client_new -> %s", mode, sfmfa_result_name(r));
    /* The client holds a copy: the configuration can go now. */
    sfmfa_config_free(cfg);
    if (client == NULL)
        return;

    sfmfa_session *s = NULL;
    double t0 = now_seconds();
    r = sfmfa_client_login(client, &s);
    double took = now_seconds() - t0;
    if (r != SFMFA_RESULT_OK) {
        struct last_error le = read_last_error();
        CHECK(false, "%s: login -> %s (%u %s: %s)", mode, sfmfa_result_name(r), (unsigned)le.server_code,
              le.sqlstate, le.message);
        sfmfa_client_free(client);
        return;
    }
    CHECK(s != NULL, "%s: login OK in %.2f s, session written", mode, took);
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK && sfmfa_last_error_server_code() == 0,
          "%s: no last error after the login", mode);

    /* Sessions stay valid after the client is freed (documented). */
    sfmfa_client_free(client);

    int64_t id = -1;
    r = sfmfa_session_id(s, &id);
    CHECK(r == SFMFA_RESULT_OK && id > 0, "%s: session id %lld > 0", mode, (long long)id);

    sfmfa_second_factor f = (sfmfa_second_factor)99;
    r = sfmfa_session_second_factor(s, &f);
    CHECK(r == SFMFA_RESULT_OK && f == expected, "%s: second factor %s (expected %s)", mode, factor_name(f),
          factor_name(expected));

    char *token = check_token(mode, "session token", s, sfmfa_session_token);
    char *master = check_token(mode, "master token", s, sfmfa_session_master_token);
    CHECK(token != NULL && master != NULL && strcmp(token, master) != 0,
          "%s: session and master tokens differ", mode);
    wipe_free(token);
    wipe_free(master);

    r = sfmfa_session_close(s);
    CHECK_RESULT(r, SFMFA_RESULT_OK, "session close");
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "%s: close leaves no last error", mode);
    r = sfmfa_session_close(s);
    CHECK_RESULT(r, SFMFA_RESULT_OK, "second session close (no-op)");

    /* The getters still work on a closed session. */
    int64_t id2 = -1;
    r = sfmfa_session_id(s, &id2);
    CHECK(r == SFMFA_RESULT_OK && id2 == id, "%s: session id still readable after close", mode);
    sfmfa_session_free(s);
}

/* Two logins of one client give two different sessions. */
static void two_sessions(void)
{
    printf("# two sessions from one client\n");
    sfmfa_config *cfg = base_config("demo");
    set_ok(cfg, "passcode", TEST_PASSCODE);
    sfmfa_client *client = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    CHECK_RESULT(r, SFMFA_RESULT_OK, "two sessions: client");
    if (client == NULL)
        return;
    sfmfa_session *a = NULL, *b = NULL;
    sfmfa_result ra = sfmfa_client_login(client, &a);
    sfmfa_result rb = sfmfa_client_login(client, &b);
    CHECK(ra == SFMFA_RESULT_OK && rb == SFMFA_RESULT_OK && a != NULL && b != NULL && a != b,
          "two sessions: both logins OK (%s, %s)", sfmfa_result_name(ra), sfmfa_result_name(rb));
    if (a != NULL && b != NULL) {
        int64_t ia = 0, ib = 0;
        sfmfa_session_id(a, &ia);
        sfmfa_session_id(b, &ib);
        CHECK(ia > 0 && ib > 0 && ia != ib, "two sessions: different ids (%lld, %lld)", (long long)ia,
              (long long)ib);
        char ta[1024], tb[1024];
        size_t la = 0, lb = 0;
        sfmfa_result r1 = sfmfa_session_token(a, ta, sizeof ta, &la);
        sfmfa_result r2 = sfmfa_session_token(b, tb, sizeof tb, &lb);
        CHECK(r1 == SFMFA_RESULT_OK && r2 == SFMFA_RESULT_OK && strcmp(ta, tb) != 0,
              "two sessions: different session tokens");
        memset(ta, 0, sizeof ta);
        memset(tb, 0, sizeof tb);
        CHECK_RESULT(sfmfa_session_close(a), SFMFA_RESULT_OK, "two sessions: close first");
        CHECK_RESULT(sfmfa_session_close(b), SFMFA_RESULT_OK, "two sessions: close second");
    }
    sfmfa_session_free(a);
    sfmfa_session_free(b);
    sfmfa_client_free(client);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    printf("# sfmfa %s against %s://%s:%s%s\n", sfmfa_version(), test_protocol(), test_host(), test_port(),
           test_slow() ? " (slow mode)" : "");

    /* A push is asked for with every authenticator; one answer that lets the user in does not say
     * whether the server pushed (PUSH is reported for the multi-step flow only: test_multistep). */
    run_mode("plain password (user plain, not enrolled)", "plain", NULL, 0, SFMFA_SECOND_FACTOR_PUSH_OR_NONE);

    const struct opt snowflake[] = {{"authenticator", "snowflake"}};
    run_mode("authenticator=snowflake, enrolled user (push asked for)", "demo", snowflake, 1,
             SFMFA_SECOND_FACTOR_PUSH_OR_NONE);

    const struct opt push[] = {{"authenticator", "username_password_mfa"}};
    run_mode("Duo push (username_password_mfa)", "demo", push, 1, SFMFA_SECOND_FACTOR_PUSH_OR_NONE);
    run_mode("Duo push, approved at once", "push_approve", push, 1, SFMFA_SECOND_FACTOR_PUSH_OR_NONE);

    /* login_timeout=0 means no limit (JDBC and ODBC). */
    const struct opt no_limit[] = {{"authenticator", "username_password_mfa"}, {"login_timeout", "0"}};
    run_mode("Duo push with login_timeout=0 (no limit)", "push_approve", no_limit, 2,
             SFMFA_SECOND_FACTOR_PUSH_OR_NONE);

    const struct opt passcode[] = {{"authenticator", "username_password_mfa"}, {"passcode", TEST_PASSCODE}};
    run_mode("explicit passcode (username_password_mfa)", "demo", passcode, 2, SFMFA_SECOND_FACTOR_PASSCODE);

    const struct opt passcode_alias[] = {{"MFA_PASSCODE", TEST_PASSCODE}};
    run_mode("explicit passcode (alias mfa_passcode, authenticator snowflake)", "demo", passcode_alias, 1,
             SFMFA_SECOND_FACTOR_PASSCODE);

    const struct opt pip[] = {{"password", TEST_PASSWORD TEST_PASSCODE}, {"passcode_in_password", "on"}};
    run_mode("passcode in password", "demo", pip, 2, SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD);

    const struct opt pip_alias[] = {{"authenticator", "username_password_mfa"},
                                    {"pwd", TEST_PASSWORD TEST_PASSCODE},
                                    {"passcodeInPassword", "TRUE"}};
    run_mode("passcode in password (aliases pwd, passcodeInPassword)", "demo", pip_alias, 3,
             SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD);

    /* passcode_in_password wins over passcode (documented). */
    const struct opt pip_wins[] = {{"authenticator", "username_password_mfa"},
                                   {"passcode", WRONG_PASSCODE},
                                   {"password", TEST_PASSWORD TEST_PASSCODE},
                                   {"passcode_in_password", "1"}};
    run_mode("passcode in password wins over passcode", "demo", pip_wins, 4,
             SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD);

    /* An empty value resets an optional option: the passcode is gone, so a push is sent. */
    const struct opt reset[] = {{"authenticator", "username_password_mfa"},
                                {"passcode", TEST_PASSCODE},
                                {"passcode", ""}};
    run_mode("passcode reset by an empty value -> push", "demo", reset, 3, SFMFA_SECOND_FACTOR_PUSH_OR_NONE);

    two_sessions();
    return summary();
}
