/*
 * Shared helpers of the C tests: CHECK macros (one line per check, thread-safe counters), the
 * emulator's address from the environment, configuration and last-error helpers.
 *
 * Environment: SFMFA_TEST_HOST (default 127.0.0.1), SFMFA_TEST_PORT (required for network tests),
 * SFMFA_TEST_PROTOCOL (http|https, default http), SFMFA_TEST_CA (CA PEM for https),
 * SFMFA_TEST_WRONG_CA (a PEM of another CA, optional), SFMFA_TEST_SLOW=1 (valgrind: long timeouts).
 *
 * Every program includes this header once (the helpers are static).
 */
#ifndef SFMFA_TEST_CHECK_H
#define SFMFA_TEST_CHECK_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sfmfa.h"

#define TEST_ACCOUNT "xy12345"
#define TEST_PASSWORD "abc123"
#define TEST_PASSCODE "987654"
#define WRONG_PASSCODE "000000"

static atomic_int g_passed;
static atomic_int g_failed;

static inline void check_impl(bool ok, const char *file, int line, const char *fmt, ...)
{
    char desc[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    char text[1024];
    if (ok) {
        atomic_fetch_add(&g_passed, 1);
        snprintf(text, sizeof text, "ok   - %s\n", desc);
    } else {
        atomic_fetch_add(&g_failed, 1);
        snprintf(text, sizeof text, "FAIL - %s (%s:%d)\n", desc, file, line);
    }
    fputs(text, stdout); /* one call per line: lines of different threads do not interleave */
    fflush(stdout);
}

/* CHECK(condition, printf-format, ...): counts and prints one line. Evaluates to the condition. */
#define CHECK(cond, ...) check_impl((cond) ? true : false, __FILE__, __LINE__, __VA_ARGS__)

/* CHECK_RESULT(got, expected, what): compares two sfmfa_result values and names both. */
#define CHECK_RESULT(got, expected, what)                                                          \
    do {                                                                                           \
        sfmfa_result got_ = (got);                                                                 \
        sfmfa_result exp_ = (expected);                                                            \
        CHECK(got_ == exp_, "%s: %s (expected %s)", (what), sfmfa_result_name(got_),               \
              sfmfa_result_name(exp_));                                                            \
    } while (0)

static inline int summary(void)
{
    int p = atomic_load(&g_passed), f = atomic_load(&g_failed);
    printf("%d passed, %d failed\n", p, f);
    fflush(stdout);
    return f == 0 && p > 0 ? 0 : 1;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

static inline bool test_slow(void) { return strcmp(env_or("SFMFA_TEST_SLOW", "0"), "0") != 0; }
static const char *test_host(void) { return env_or("SFMFA_TEST_HOST", "127.0.0.1"); }
static const char *test_port(void) { return env_or("SFMFA_TEST_PORT", ""); }
static const char *test_protocol(void) { return env_or("SFMFA_TEST_PROTOCOL", "http"); }
static inline bool test_https(void) { return strcmp(test_protocol(), "https") == 0; }
static const char *test_ca(void) { return env_or("SFMFA_TEST_CA", ""); }
/* True when run.sh said where the emulator listens; otherwise says so on stderr (exit with 2). */
static inline bool emulator_given(void)
{
    if (test_port()[0] != '\0')
        return true;
    fprintf(stderr, "SFMFA_TEST_PORT is not set\n");
    return false;
}

/* Runs one call of the emulator's control API through curl; the answer's body (truncated to `cap`) goes to `out` when not NULL. The
 * body is JSON without single quotes (it is put in single quotes for the shell). */
static inline bool control(const char *method, const char *path, const char *body, char *out, size_t cap)
{
    char cmd[2048], ca[600] = "", data[1100] = "";
    if (test_https())
        snprintf(ca, sizeof ca, " --cacert '%s'", test_ca());
    if (body != NULL)
        snprintf(data, sizeof data, " -d '%s'", body);
    int n = snprintf(cmd, sizeof cmd,
                     "curl -fsS --max-time 30 -X %s -H 'Content-Type: application/json'%s%s '%s://%s:%s/control/%s'",
                     method, ca, data, test_protocol(), test_host(), test_port(), path);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return false;
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return false;
    char sink[4096];
    char *buf = out != NULL ? out : sink;
    size_t size = out != NULL ? cap : sizeof sink;
    size_t got = fread(buf, 1, size - 1, p);
    buf[got] = '\0';
    while (fread(sink, 1, sizeof sink, p) > 0) {
        /* drain the rest */
    }
    int status = pclose(p);
    return status == 0;
}

/* Generous login timeouts: under valgrind everything is 20-50x slower. */
static const char *test_login_timeout(void) { return test_slow() ? "60" : "20"; }

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sets an option that must be accepted (and checks the last error is cleared). */
static inline void set_ok(sfmfa_config *cfg, const char *key, const char *value)
{
    sfmfa_result r = sfmfa_config_set(cfg, key, value);
    if (r != SFMFA_RESULT_OK || sfmfa_last_error_result() != SFMFA_RESULT_OK) {
        CHECK(false, "sfmfa_config_set(%s) -> %s", key, sfmfa_result_name(r));
    }
}

/* A configuration for `user` of the test account against the emulator (password abc123). */
static sfmfa_config *base_config(const char *user)
{
    sfmfa_config *cfg = NULL;
    sfmfa_result r = sfmfa_config_new(&cfg);
    if (r != SFMFA_RESULT_OK || cfg == NULL) {
        CHECK(false, "sfmfa_config_new -> %s", sfmfa_result_name(r));
        printf("%d passed, %d failed\n", atomic_load(&g_passed), atomic_load(&g_failed));
        exit(1);
    }
    set_ok(cfg, "account", TEST_ACCOUNT);
    set_ok(cfg, "user", user);
    set_ok(cfg, "password", TEST_PASSWORD);
    set_ok(cfg, "host", test_host());
    set_ok(cfg, "port", test_port());
    set_ok(cfg, "protocol", test_protocol());
    set_ok(cfg, "login_timeout", test_login_timeout());
    /* Token caching is on by default; these tests count prompts, so they run without it. */
    set_ok(cfg, "client_store_temporary_credential", "off");
    if (test_https() && test_ca()[0] != '\0')
        set_ok(cfg, "ca_file", test_ca());
    return cfg;
}

/* Everything the last-error getters report on this thread. */
struct last_error {
    sfmfa_result result;
    uint32_t server_code;
    char sqlstate[64];
    char message[2048];
    char hint[2048];
    bool read_ok;
};

typedef sfmfa_result (*text_getter)(char *, size_t, size_t *);

/* Reads one text through the buffer protocol: size query, then the copy. */
static inline bool read_text(text_getter get, char *buf, size_t cap)
{
    size_t needed = (size_t)-1;
    sfmfa_result r = get(NULL, 0, &needed);
    if (r != SFMFA_RESULT_BUFFER_TOO_SMALL || needed == (size_t)-1 || needed + 1 > cap)
        return false;
    size_t got = (size_t)-1;
    memset(buf, 'X', cap);
    r = get(buf, needed + 1, &got);
    return r == SFMFA_RESULT_OK && got == needed && buf[needed] == '\0' && strlen(buf) == needed;
}

static inline struct last_error read_last_error(void)
{
    struct last_error le;
    memset(&le, 0, sizeof le);
    le.result = sfmfa_last_error_result();
    le.server_code = sfmfa_last_error_server_code();
    le.read_ok = read_text(sfmfa_last_error_sqlstate, le.sqlstate, sizeof le.sqlstate)
        && read_text(sfmfa_last_error_message, le.message, sizeof le.message)
        && read_text(sfmfa_last_error_hint, le.hint, sizeof le.hint);
    return le;
}

/* Texts that must never appear in an error message or hint. */
static const char *const SECRETS[] = {TEST_PASSWORD, TEST_PASSCODE, WRONG_PASSCODE, "wrongpw42", NULL};

static inline bool has_secret(const char *text, const char *extra)
{
    for (size_t i = 0; SECRETS[i] != NULL; i++)
        if (strstr(text, SECRETS[i]) != NULL)
            return true;
    return extra != NULL && extra[0] != '\0' && strstr(text, extra) != NULL;
}

/*
 * After a failed call: the last error holds `expected` (and `code`, `sqlstate`, text pieces when not
 * NULL/0), the getters do not change it, and no secret is in the message or hint. Returns it.
 */
static inline struct last_error check_last_error(const char *what, sfmfa_result expected, uint32_t code,
                                          const char *sqlstate, const char *in_message,
                                          const char *in_hint, const char *secret)
{
    struct last_error le = read_last_error();
    CHECK(le.result == expected, "%s: last error result %s (expected %s)", what,
          sfmfa_result_name(le.result), sfmfa_result_name(expected));
    CHECK(le.read_ok, "%s: last error texts read through the buffer protocol", what);
    CHECK(le.server_code == code, "%s: server code %u (expected %u)", what, (unsigned)le.server_code,
          (unsigned)code);
    if (sqlstate != NULL)
        CHECK(strcmp(le.sqlstate, sqlstate) == 0, "%s: SQLSTATE '%s' (expected '%s')", what, le.sqlstate,
              sqlstate);
    else
        CHECK(strlen(le.sqlstate) == 5 || le.sqlstate[0] == '\0', "%s: SQLSTATE '%s' is 5 characters or empty",
              what, le.sqlstate);
    CHECK(le.message[0] != '\0', "%s: message is not empty: %s", what, le.message);
    if (in_message != NULL)
        CHECK(strstr(le.message, in_message) != NULL, "%s: message contains '%s'", what, in_message);
    if (in_hint != NULL)
        CHECK(strstr(le.hint, in_hint) != NULL, "%s: hint '%s' contains '%s'", what, le.hint, in_hint);
    CHECK(!has_secret(le.message, secret) && !has_secret(le.hint, secret),
          "%s: no secret in message or hint", what);
    /* Reading does not clear or change it. */
    struct last_error again = read_last_error();
    CHECK(again.result == le.result && again.server_code == le.server_code
              && strcmp(again.sqlstate, le.sqlstate) == 0 && strcmp(again.message, le.message) == 0
              && strcmp(again.hint, le.hint) == 0,
          "%s: the getters do not change the last error", what);
    return le;
}

/* A successful fallible call clears the last error of this thread. */
static inline void check_cleared_by_success(const char *what)
{
    sfmfa_config *cfg = NULL;
    sfmfa_result r = sfmfa_config_new(&cfg);
    struct last_error le = read_last_error();
    CHECK(r == SFMFA_RESULT_OK && le.result == SFMFA_RESULT_OK && le.server_code == 0 && le.read_ok
              && le.sqlstate[0] == '\0' && le.message[0] == '\0' && le.hint[0] == '\0',
          "%s: a successful call clears the last error (result %s, message '%s')", what,
          sfmfa_result_name(le.result), le.message);
    sfmfa_config_free(cfg);
}

#endif /* SFMFA_TEST_CHECK_H */

/* A port on 127.0.0.1 that nothing listens on (bound, then closed): a connection to it is refused. */
static inline int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}
