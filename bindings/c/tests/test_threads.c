/*
 * Threads. Phase 1: 8 pthreads log in at once on one client with passcode 987654 (the client is
 * documented thread-safe). Phase 2: the even threads log in on that client, the odd ones at the same
 * time on another client with a wrong passcode. Every thread then reads its
 * own last error after all logins are done (so a shared last error would show), swaps outcome with a
 * local call, and checks again: the last error is per thread.
 */
#include "check.h"

#include <pthread.h>

#define THREADS 8

static pthread_barrier_t g_start, g_logged_in, g_swapped;
static sfmfa_client *g_good, *g_bad;
static int64_t g_ids[THREADS];

/* Phase 1: all 8 threads log in at once on one client with the passcode. */
static void *all_good(void *arg)
{
    int i = (int)(intptr_t)arg;
    sfmfa_session *s = NULL;
    pthread_barrier_wait(&g_start);
    sfmfa_result r = sfmfa_client_login(g_good, &s);
    pthread_barrier_wait(&g_logged_in);
    CHECK(r == SFMFA_RESULT_OK && s != NULL, "phase 1, thread %d: concurrent login on one client -> %s", i,
          sfmfa_result_name(r));
    CHECK(sfmfa_last_error_result() == SFMFA_RESULT_OK, "phase 1, thread %d: no last error", i);
    int64_t id = 0;
    if (s != NULL && sfmfa_session_id(s, &id) == SFMFA_RESULT_OK)
        g_ids[i] = id;
    pthread_barrier_wait(&g_swapped);
    if (s != NULL) {
        CHECK(sfmfa_session_close(s) == SFMFA_RESULT_OK, "phase 1, thread %d: session closed", i);
        sfmfa_session_free(s);
    }
    return NULL;
}

/* Phase 2: even threads succeed on the good client, odd ones fail on the other. */
static void *worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    bool good = i % 2 == 0;
    sfmfa_session *s = NULL;

    pthread_barrier_wait(&g_start);
    sfmfa_result r = sfmfa_client_login(good ? g_good : g_bad, &s);
    pthread_barrier_wait(&g_logged_in);

    /* Every thread has finished its login: each reads its own outcome. */
    if (good) {
        CHECK(r == SFMFA_RESULT_OK && s != NULL, "thread %d: login with the passcode -> %s", i, sfmfa_result_name(r));
        struct last_error le = read_last_error();
        CHECK(le.result == SFMFA_RESULT_OK && le.server_code == 0 && le.message[0] == '\0',
              "thread %d: own last error is clear although other threads failed (%s '%s')", i,
              sfmfa_result_name(le.result), le.message);
        int64_t id = 0;
        if (s != NULL && sfmfa_session_id(s, &id) == SFMFA_RESULT_OK)
            g_ids[i] = id;
    } else {
        CHECK(r == SFMFA_RESULT_DUO_INVALID && s == NULL, "thread %d: login with a wrong passcode -> %s", i,
              sfmfa_result_name(r));
        char what[64];
        snprintf(what, sizeof what, "thread %d", i);
        check_last_error(what, SFMFA_RESULT_DUO_INVALID, 390127, "08001", "Incorrect passcode was specified.",
                         NULL, NULL);
    }

    /* Swap: the good threads fail locally, the bad ones succeed; others must not see it. */
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    if (good)
        sfmfa_config_set(cfg, "port", "70000");
    pthread_barrier_wait(&g_swapped);
    if (good) {
        struct last_error le = read_last_error();
        CHECK(le.result == SFMFA_RESULT_INVALID_VALUE && le.server_code == 0 && strstr(le.message, "port") != NULL,
              "thread %d: after the swap own last error is INVALID_VALUE (%s)", i, sfmfa_result_name(le.result));
    } else {
        struct last_error le = read_last_error();
        CHECK(le.result == SFMFA_RESULT_OK && le.server_code == 0 && le.message[0] == '\0',
              "thread %d: after the swap own last error is clear (%s)", i, sfmfa_result_name(le.result));
    }
    sfmfa_config_free(cfg);

    if (s != NULL) {
        CHECK(sfmfa_session_close(s) == SFMFA_RESULT_OK, "thread %d: session closed", i);
        sfmfa_session_free(s);
    }
    return NULL;
}

static sfmfa_client *make_client(const char *user, const char *passcode)
{
    sfmfa_config *cfg = base_config(user);
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "passcode", passcode);
    sfmfa_client *c = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &c);
    CHECK(r == SFMFA_RESULT_OK && c != NULL, "client for %s -> %s", user, sfmfa_result_name(r));
    sfmfa_config_free(cfg);
    return c;
}

int main(void)
{
    if (!emulator_given())
        return 2;
    printf("# %d threads against %s://%s:%s\n", THREADS, test_protocol(), test_host(), test_port());
    g_good = make_client("demo", TEST_PASSCODE);
    /* no_cache: a user of its own for wrong passcodes (the emulator locks a user after 5). */
    g_bad = make_client("no_cache", WRONG_PASSCODE);
    if (g_good == NULL || g_bad == NULL)
        return summary();

    /* The main thread's own last error, set before the threads run. */
    sfmfa_config *cfg = NULL;
    sfmfa_config_new(&cfg);
    sfmfa_config_set(cfg, "no_such_option", "x");

    for (int phase = 1; phase <= 2; phase++) {
        printf("# phase %d: %s\n", phase,
               phase == 1 ? "8 threads, one client, passcode" : "4 threads good passcode, 4 threads wrong passcode");
        memset(g_ids, 0, sizeof g_ids);
        pthread_barrier_init(&g_start, NULL, THREADS);
        pthread_barrier_init(&g_logged_in, NULL, THREADS);
        pthread_barrier_init(&g_swapped, NULL, THREADS);
        pthread_t t[THREADS];
        double t0 = now_seconds();
        for (int i = 0; i < THREADS; i++) {
            int e = pthread_create(&t[i], NULL, phase == 1 ? all_good : worker, (void *)(intptr_t)i);
            CHECK(e == 0, "phase %d: thread %d started", phase, i);
            if (e != 0)
                return summary(); /* the barriers would never open */
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(t[i], NULL);
        printf("# phase %d done in %.2f s\n", phase, now_seconds() - t0);
        pthread_barrier_destroy(&g_start);
        pthread_barrier_destroy(&g_logged_in);
        pthread_barrier_destroy(&g_swapped);

        int step = phase == 1 ? 1 : 2;
        bool distinct = true;
        for (int i = 0; i < THREADS; i += step)
            for (int j = i + step; j < THREADS; j += step)
                distinct = distinct && g_ids[i] > 0 && g_ids[i] != g_ids[j];
        CHECK(distinct, "phase %d: the concurrent logins got distinct session ids", phase);
    }

    struct last_error le = read_last_error();
    CHECK(le.result == SFMFA_RESULT_UNKNOWN_OPTION && strstr(le.message, "no_such_option") != NULL,
          "main thread: its own last error survives the threads (%s)", sfmfa_result_name(le.result));
    sfmfa_config_free(cfg);

    sfmfa_client_free(g_good);
    sfmfa_client_free(g_bad);
    return summary();
}
