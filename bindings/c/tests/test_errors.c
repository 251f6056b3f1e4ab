/*
 * Every failure a C caller can reach through a real login or sfmfa_client_new: Duo refusals, bad
 * credentials, configuration errors found at client creation, transport (refused port, TLS trust)
 * and the login timeout. After each: the result, the last error (result, server code, SQLSTATE,
 * message, hint), that the getters do not change it, that no secret is in it, that *out is
 * untouched, and that the next successful call clears it.
 */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

struct opt {
    const char *key;
    const char *value;
};

#define SESSION_SENTINEL ((sfmfa_session *)(uintptr_t)0x5e55)
#define CLIENT_SENTINEL ((sfmfa_client *)(uintptr_t)0xc11e)

struct expect {
    sfmfa_result result;
    uint32_t code;
    const char *sqlstate;   /* NULL: any 5 characters or empty */
    const char *in_message; /* NULL: not checked */
    const char *in_hint;    /* NULL: not checked */
};

static sfmfa_config *config_with(const char *user, const struct opt *opts, size_t n)
{
    sfmfa_config *cfg = base_config(user);
    for (size_t i = 0; i < n; i++)
        set_ok(cfg, opts[i].key, opts[i].value);
    return cfg;
}

/* A login that must fail with `e`; `secret` is an extra text that must not show up. */
static void login_fails(const char *what, const char *user, const struct opt *opts, size_t n, struct expect e,
                        const char *secret)
{
    printf("# %s\n", what);
    sfmfa_config *cfg = config_with(user, opts, n);
    sfmfa_client *client = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    CHECK(r == SFMFA_RESULT_OK && client != NULL, "%s: client created (%s)", what, sfmfa_result_name(r));
    if (client == NULL)
        return;
    sfmfa_session *s = SESSION_SENTINEL;
    double t0 = now_seconds();
    r = sfmfa_client_login(client, &s);
    double took = now_seconds() - t0;
    CHECK(r == e.result, "%s: login -> %s in %.2f s (expected %s)", what, sfmfa_result_name(r), took,
          sfmfa_result_name(e.result));
    CHECK(s == SESSION_SENTINEL, "%s: *out untouched on failure", what);
    if (r == SFMFA_RESULT_OK && s != SESSION_SENTINEL) {
        sfmfa_session_close(s);
        sfmfa_session_free(s);
    }
    check_last_error(what, e.result, e.code, e.sqlstate, e.in_message, e.in_hint, secret);
    check_cleared_by_success(what);
    sfmfa_client_free(client);
}

/* sfmfa_client_new must fail with `e` (no network traffic). */
static void client_new_fails(const char *what, sfmfa_config *cfg, struct expect e, const char *secret)
{
    printf("# %s\n", what);
    sfmfa_client *client = CLIENT_SENTINEL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    CHECK(r == e.result, "%s: sfmfa_client_new -> %s (expected %s)", what, sfmfa_result_name(r),
          sfmfa_result_name(e.result));
    CHECK(client == CLIENT_SENTINEL, "%s: *out untouched on failure", what);
    if (r == SFMFA_RESULT_OK && client != CLIENT_SENTINEL)
        sfmfa_client_free(client);
    check_last_error(what, e.result, e.code, e.sqlstate, e.in_message, e.in_hint, secret);
    check_cleared_by_success(what);
}

static void duo_refusals(void)
{
    const struct opt mfa[] = {{"authenticator", "username_password_mfa"}};

    /* push_approve: its own user, so that wrong passcodes here do not lock `demo` (lockout after 5). */
    const struct opt wrong[] = {{"authenticator", "username_password_mfa"}, {"passcode", WRONG_PASSCODE}};
    login_fails("wrong passcode", "push_approve", wrong, 2,
                (struct expect){SFMFA_RESULT_DUO_INVALID, 390127, "08001", "Incorrect passcode was specified.", NULL},
                NULL);

    login_fails("push denied", "push_deny", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_DENIED, 390120, "08001", NULL, NULL}, NULL);

    login_fails("push timeout (server, ~1.5 s)", "push_timeout", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_TIMEOUT, 390126, "08001", "Timed out", "passcode"}, NULL);

    login_fails("push disabled", "push_disabled", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_PUSH_DISABLED, 390132, "08001", NULL, "passcode"}, NULL);

    login_fails("push pending", "push_pending", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_PENDING, 390121, "08001", NULL, NULL}, NULL);

    login_fails("locked user", "locked_user", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_LOCKED, 390123, "08001", NULL, NULL}, NULL);

    const struct opt pc[] = {{"passcode", TEST_PASSCODE}};
    login_fails("locked user with a passcode", "locked_user", pc, 1,
                (struct expect){SFMFA_RESULT_DUO_LOCKED, 390123, "08001", NULL, NULL}, NULL);

    login_fails("passcode for a user not enrolled", "not_enrolled", pc, 1,
                (struct expect){SFMFA_RESULT_DUO_NOT_ENROLLED, 390122, "08001", NULL, NULL}, NULL);

    login_fails("Duo unreachable", "duo_down", mfa, 1,
                (struct expect){SFMFA_RESULT_DUO_EXCEPTION, 390129, "08001", NULL, NULL}, NULL);
}

static void bad_credentials(void)
{
    const struct opt badpw[] = {{"password", "wrongpw42"}};
    login_fails("bad password", "demo", badpw, 1,
                (struct expect){SFMFA_RESULT_BAD_CREDENTIALS, 390100, "28000", NULL, NULL}, "wrongpw42");

    login_fails("unknown user", "nobody_here", NULL, 0,
                (struct expect){SFMFA_RESULT_BAD_CREDENTIALS, 390100, "28000", NULL, NULL}, NULL);

    /* A wrong password in front of a good passcode. */
    const struct opt pip[] = {{"password", "wrongpw42" TEST_PASSCODE}, {"passcode_in_password", "yes"}};
    login_fails("bad password with passcode in password", "demo", pip, 2,
                (struct expect){SFMFA_RESULT_BAD_CREDENTIALS, 390100, "28000", NULL, NULL}, "wrongpw42");
}

static void client_new_errors(void)
{
    const struct expect missing = {SFMFA_RESULT_MISSING_OPTION, 0, NULL, "password", NULL};
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    set_ok(cfg, "account", TEST_ACCOUNT);
    set_ok(cfg, "user", "demo");
    set_ok(cfg, "host", test_host());
    set_ok(cfg, "port", test_port());
    set_ok(cfg, "protocol", test_protocol());
    client_new_fails("missing password", cfg, missing, NULL);
    /* Reset by an empty value is "missing" too. */
    set_ok(cfg, "password", TEST_PASSWORD);
    set_ok(cfg, "password", "");
    client_new_fails("password reset by an empty value", cfg, missing, NULL);
    sfmfa_config_free(cfg);

    cfg = base_config("demo");
    set_ok(cfg, "user", "");
    client_new_fails("missing user", cfg, (struct expect){SFMFA_RESULT_MISSING_OPTION, 0, NULL, "user", NULL}, NULL);
    sfmfa_config_free(cfg);

    cfg = base_config("demo");
    set_ok(cfg, "account", "");
    client_new_fails("missing account", cfg,
                     (struct expect){SFMFA_RESULT_MISSING_OPTION, 0, NULL, "account", NULL}, NULL);
    sfmfa_config_free(cfg);

    cfg = base_config("demo");
    set_ok(cfg, "protocol", "http");
    set_ok(cfg, "host", "example.com");
    client_new_fails("http to a non-loopback host", cfg,
                     (struct expect){SFMFA_RESULT_INVALID_VALUE, 0, NULL, "protocol", NULL}, NULL);
    set_ok(cfg, "host", "");
    client_new_fails("http to the default (non-loopback) host", cfg,
                     (struct expect){SFMFA_RESULT_INVALID_VALUE, 0, NULL, "protocol", NULL}, NULL);
    sfmfa_config_free(cfg);

    /* passcode_in_password with a password that does not end with 6 digits: names the option, not the value. */
    cfg = base_config("demo");
    set_ok(cfg, "passcode_in_password", "on");
    client_new_fails("passcode_in_password without a passcode at the end", cfg,
                     (struct expect){SFMFA_RESULT_INVALID_VALUE, 0, NULL, "password", NULL}, NULL);
    sfmfa_config_free(cfg);

    /* ca_file is read by sfmfa_client_new. */
    cfg = base_config("demo");
    set_ok(cfg, "ca_file", "/nonexistent/sfmfa-test-ca.pem");
    client_new_fails("unreadable ca_file", cfg, (struct expect){SFMFA_RESULT_TLS, 0, NULL, "ca_file", NULL}, NULL);
    sfmfa_config_free(cfg);

    char path[] = "/tmp/sfmfa-c-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        const char junk[] = "this is not a PEM certificate\n";
        CHECK(write(fd, junk, sizeof junk - 1) == (ssize_t)(sizeof junk - 1), "wrote a junk ca_file");
        close(fd);
        cfg = base_config("demo");
        set_ok(cfg, "ca_file", path);
        client_new_fails("ca_file without a certificate", cfg,
                         (struct expect){SFMFA_RESULT_TLS, 0, NULL, "ca_file", NULL}, NULL);
        sfmfa_config_free(cfg);
        unlink(path);
    }
}

static void config_unchanged_on_failure(void)
{
    printf("# a failed sfmfa_config_set leaves the configuration unchanged\n");
    sfmfa_config *cfg = base_config("demo");
    set_ok(cfg, "passcode", TEST_PASSCODE);
    CHECK_RESULT(sfmfa_config_set(cfg, "port", "70000"), SFMFA_RESULT_INVALID_VALUE, "port=70000");
    CHECK_RESULT(sfmfa_config_set(cfg, "host", "\xff"), SFMFA_RESULT_INVALID_UTF8, "host=<invalid UTF-8>");
    CHECK_RESULT(sfmfa_config_set(cfg, "protocol", "gopher"), SFMFA_RESULT_INVALID_VALUE, "protocol=gopher");
    CHECK_RESULT(sfmfa_config_set(cfg, "login_timeout", "abc"), SFMFA_RESULT_INVALID_VALUE, "login_timeout=abc");
    sfmfa_client *client = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    CHECK_RESULT(r, SFMFA_RESULT_OK, "client after failed sets");
    sfmfa_session *s = NULL;
    if (client != NULL) {
        r = sfmfa_client_login(client, &s);
        CHECK(r == SFMFA_RESULT_OK, "login with the unchanged port, host and protocol -> %s", sfmfa_result_name(r));
        if (s != NULL) {
            sfmfa_session_close(s);
            sfmfa_session_free(s);
        }
    }
    sfmfa_client_free(client);

    /* The client copies the configuration: changing it afterwards does not affect the client. */
    sfmfa_client *c2 = NULL;
    r = sfmfa_client_new(cfg, &c2);
    set_ok(cfg, "password", "wrongpw42");
    set_ok(cfg, "port", "1");
    s = NULL;
    if (c2 != NULL) {
        r = sfmfa_client_login(c2, &s);
        CHECK(r == SFMFA_RESULT_OK, "client keeps its own copy of the configuration -> %s", sfmfa_result_name(r));
        if (s != NULL) {
            sfmfa_session_close(s);
            sfmfa_session_free(s);
        }
    }
    sfmfa_config_free(cfg);
    /* ... and outlives it. */
    if (c2 != NULL) {
        s = NULL;
        r = sfmfa_client_login(c2, &s);
        CHECK(r == SFMFA_RESULT_OK, "client works after its configuration is freed -> %s", sfmfa_result_name(r));
        if (s != NULL) {
            sfmfa_session_close(s);
            sfmfa_session_free(s);
        }
    }
    sfmfa_client_free(c2);
}

static void transport_errors(void)
{
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    const struct opt refused[] = {{"protocol", "http"}, {"host", "127.0.0.1"}, {"port", port}, {"login_timeout", "2"}};
    login_fails("connection refused (closed port)", "demo", refused, 4,
                (struct expect){SFMFA_RESULT_CONNECT, 0, NULL, NULL, NULL}, NULL);

    if (test_https()) {
        /* No ca_file: the built-in web roots do not trust the emulator's CA. */
        const struct opt no_ca[] = {{"ca_file", ""}};
        login_fails("https without the emulator's CA", "demo", no_ca, 1,
                    (struct expect){SFMFA_RESULT_TLS, 0, NULL, NULL, "ca_file"}, NULL);
        const char *wrong = env_or("SFMFA_TEST_WRONG_CA", "");
        if (wrong[0] != '\0') {
            const struct opt wrong_ca[] = {{"ca_file", wrong}};
            login_fails("https with another CA", "demo", wrong_ca, 1,
                        (struct expect){SFMFA_RESULT_TLS, 0, NULL, NULL, NULL}, NULL);
        } else {
            printf("# skipped: https with another CA (SFMFA_TEST_WRONG_CA not set)\n");
        }
    }

    /* login_timeout shorter than the push: the client gives up first. */
    const struct opt to[] = {{"authenticator", "username_password_mfa"}, {"login_timeout", "0.5"}};
    login_fails("login_timeout=0.5 against a push that times out after 1.5 s", "push_timeout", to, 2,
                (struct expect){SFMFA_RESULT_TIMEOUT, 0, NULL, NULL, NULL}, NULL);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    printf("# sfmfa %s against %s://%s:%s%s\n", sfmfa_version(), test_protocol(), test_host(), test_port(),
           test_slow() ? " (slow mode)" : "");
    duo_refusals();
    bad_credentials();
    client_new_errors();
    config_unchanged_on_failure();
    transport_errors();
    return summary();
}
