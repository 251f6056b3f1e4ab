/*
 * Login latency through the C ABI (libsfmfa.so): a worker of `make bench` (bench/bench.py compiles
 * it with gcc -O2 against the release library and drives it). The floor of the Python and Java
 * rows, which go through the same calls.
 *
 *   login_bench PORT   passcode logins (bypass code) of user `demo` over http on 127.0.0.1, token
 *                      caching off (client_store_temporary_credential=off), one client. For each line "run K" on stdin: K logins, each
 *                      timing sfmfa_client_login only (the logout and free come after the timer),
 *                      answered with one line "ok NS NS ..." (or "error WHY").
 */
#include <stdio.h>
#include <stdlib.h>

#include "sfmfa.h"
#include "../floor/worker.h"

static void fail(const char *what)
{
    char message[512] = "";
    size_t len = 0;
    sfmfa_last_error_message(message, sizeof message, &len);
    printf("error %s: %s\n", what, message);
    fflush(stdout);
    exit(1);
}

/* One login, timing sfmfa_client_login only; the logout and the free come after the timer (so that
 * the emulator's sessions do not pile up). bench_serve's operation. */
static const char *timed_login(void *ctx, long long *ns)
{
    sfmfa_client *client = ctx;
    sfmfa_session *session = NULL;
    long long t = bench_now_ns();
    sfmfa_result r = sfmfa_client_login(client, &session);
    *ns = bench_now_ns() - t;
    if (r != SFMFA_RESULT_OK)
        fail("sfmfa_client_login");
    if (sfmfa_session_close(session) != SFMFA_RESULT_OK)
        fail("sfmfa_session_close");
    sfmfa_session_free(session);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: login_bench PORT\n");
        return 2;
    }
    /* The options of the Rust row (bench.py's PASSCODE): the same request, the same floor. */
    const char *options[][2] = {
        {"account", "xy12345"},
        {"user", "demo"},
        {"password", "abc123"},
        {"authenticator", "username_password_mfa"},
        {"passcode", "987654"},
        {"client_store_temporary_credential", "off"},
        {"host", "127.0.0.1"},
        {"port", argv[1]},
        {"protocol", "http"},
    };
    sfmfa_config *cfg = NULL;
    if (sfmfa_config_new(&cfg) != SFMFA_RESULT_OK)
        fail("sfmfa_config_new");
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (sfmfa_config_set(cfg, options[i][0], options[i][1]) != SFMFA_RESULT_OK)
            fail(options[i][0]);
    sfmfa_client *client = NULL;
    if (sfmfa_client_new(cfg, &client) != SFMFA_RESULT_OK)
        fail("sfmfa_client_new");
    bench_serve(timed_login, client);
    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
    return 0;
}
