/*
 * Progress events and cancel through the C ABI.
 *
 * 1. A push login with the MFA authenticator and the in-memory token cache reports PUSH_SENT then
 *    TOKEN_STORED; the second login reports USING_CACHED_TOKEN. The callback runs on the thread that
 *    called sfmfa_client_login and gets userdata back; the message is never NULL.
 * 2. A login waiting for a push (user manual_long: the push is never answered) is cancelled from
 *    another thread with sfmfa_client_cancel: it returns SFMFA_RESULT_CANCELLED promptly.
 * 3. A login waiting for another login of the same user is cancelled: CANCELLED too, while the first
 *    one still waits for its push (then cancelled as well).
 * 4. A callback that logs in on another client of the same user, on PUSH_SENT (while its own login
 *    has the user's turn for the Duo prompt): that login returns SFMFA_RESULT_INVALID_VALUE at once,
 *    well before login_timeout (it used to wait for the calling login until then), with a message
 *    that says why; the calling login then succeeds.
 * 5. A login to a closed port (connection refused) reports no PUSH_SENT and no PASSCODE_SENT: those
 *    events mean the request was written (issue 14, item 6).
 */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 32

/* Events seen by one callback, with the thread it ran on. */
struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    sfmfa_progress_kind kinds[MAX_EVENTS];
    int count;
    bool other_thread;
    bool null_message;
    pthread_t login_thread;
};

static void record(void *userdata, const sfmfa_progress *event)
{
    struct recorder *rec = userdata;
    pthread_mutex_lock(&rec->lock);
    if (rec->count < MAX_EVENTS)
        rec->kinds[rec->count++] = event->kind;
    if (!pthread_equal(pthread_self(), rec->login_thread))
        rec->other_thread = true;
    if (event->message == NULL || event->message[0] == '\0')
        rec->null_message = true;
    pthread_cond_broadcast(&rec->changed);
    pthread_mutex_unlock(&rec->lock);
}

static void recorder_init(struct recorder *rec)
{
    memset(rec, 0, sizeof *rec);
    pthread_mutex_init(&rec->lock, NULL);
    pthread_cond_init(&rec->changed, NULL);
}

static void recorder_destroy(struct recorder *rec)
{
    pthread_mutex_destroy(&rec->lock);
    pthread_cond_destroy(&rec->changed);
}

/* Waits (up to 30 s) until `kind` was recorded; true when it was. */
static bool wait_for(struct recorder *rec, sfmfa_progress_kind kind)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    bool seen = false;
    pthread_mutex_lock(&rec->lock);
    for (;;) {
        for (int i = 0; i < rec->count; i++)
            seen = seen || rec->kinds[i] == kind;
        if (seen || pthread_cond_timedwait(&rec->changed, &rec->lock, &until) != 0)
            break;
    }
    pthread_mutex_unlock(&rec->lock);
    return seen;
}

static sfmfa_client *caching_client(const char *user, struct recorder *rec)
{
    sfmfa_config *cfg = base_config(user);
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "client_store_temporary_credential", "on");
    set_ok(cfg, "token_cache", "memory");
    set_ok(cfg, "login_timeout", "60");
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "sfmfa_client_new");
    sfmfa_config_free(cfg);
    if (rec != NULL)
        CHECK_RESULT(sfmfa_client_set_progress_callback(client, record, rec), SFMFA_RESULT_OK,
                     "sfmfa_client_set_progress_callback");
    return client;
}

static void test_events(void)
{
    struct recorder rec;
    recorder_init(&rec);
    rec.login_thread = pthread_self();
    sfmfa_client *client = caching_client("push_approve", &rec);
    sfmfa_session *s = NULL;
    CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, "first login");
    CHECK(rec.count == 2 && rec.kinds[0] == SFMFA_PROGRESS_KIND_PUSH_SENT &&
              rec.kinds[1] == SFMFA_PROGRESS_KIND_TOKEN_STORED,
          "first login: PUSH_SENT, TOKEN_STORED (got %d events, first %u)", rec.count,
          rec.count > 0 ? (unsigned)rec.kinds[0] : 0u);
    sfmfa_session_free(s);
    s = NULL;
    rec.count = 0;
    CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, "second login");
    CHECK(rec.count == 1 && rec.kinds[0] == SFMFA_PROGRESS_KIND_USING_CACHED_TOKEN,
          "second login: USING_CACHED_TOKEN (got %d events)", rec.count);
    CHECK(!rec.other_thread, "the callback runs on the thread that logs in");
    CHECK(!rec.null_message, "every event has a message");
    sfmfa_session_free(s);
    s = NULL;

    /* NULL removes the callback. */
    CHECK_RESULT(sfmfa_client_set_progress_callback(client, NULL, NULL), SFMFA_RESULT_OK, "remove callback");
    rec.count = 0;
    CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, "third login");
    CHECK(rec.count == 0, "no events once the callback is removed");
    sfmfa_session_free(s);
    CHECK_RESULT(sfmfa_client_set_progress_callback(NULL, record, &rec), SFMFA_RESULT_NULL_ARGUMENT,
                 "set_progress_callback(NULL client)");
    CHECK_RESULT(sfmfa_client_cancel(NULL, NULL), SFMFA_RESULT_NULL_ARGUMENT, "cancel(NULL client)");
    uint32_t n = 99;
    CHECK_RESULT(sfmfa_client_cancel(client, &n), SFMFA_RESULT_OK, "cancel with nothing running");
    CHECK(n == 0, "nothing to cancel -> 0 (got %u)", n);
    sfmfa_client_free(client);
    recorder_destroy(&rec);
}

struct login_job {
    sfmfa_client *client;
    sfmfa_result result;
    double returned_at;
};

static void *run_login(void *arg)
{
    struct login_job *job = arg;
    sfmfa_session *s = NULL;
    job->result = sfmfa_client_login(job->client, &s);
    job->returned_at = now_seconds();
    sfmfa_session_free(s);
    return NULL;
}

static void start_login(struct login_job *job, pthread_t *thread, struct recorder *rec)
{
    pthread_create(thread, NULL, run_login, job);
    pthread_mutex_lock(&rec->lock);
    rec->login_thread = *thread;
    pthread_mutex_unlock(&rec->lock);
}

/* Valgrind slows everything down ~50x: the bound on "promptly" grows with it. */
static double prompt_bound(void) { return test_slow() ? 20.0 : 2.0; }

static void test_cancel(void)
{
    struct recorder first_rec, second_rec;
    recorder_init(&first_rec);
    recorder_init(&second_rec);
    struct login_job first = {.client = caching_client("manual_long", &first_rec)};
    struct login_job second = {.client = caching_client("manual_long", &second_rec)};
    pthread_t t1, t2;

    start_login(&first, &t1, &first_rec);
    CHECK(wait_for(&first_rec, SFMFA_PROGRESS_KIND_PUSH_SENT), "the first login sends a push");
    start_login(&second, &t2, &second_rec);
    CHECK(wait_for(&second_rec, SFMFA_PROGRESS_KIND_WAITING_FOR_OTHER_LOGIN),
          "the second login waits for the first");

    uint32_t n = 0;
    double t0 = now_seconds();
    CHECK_RESULT(sfmfa_client_cancel(second.client, &n), SFMFA_RESULT_OK, "cancel the waiting login");
    CHECK(n == 1, "one login cancelled (got %u)", n);
    pthread_join(t2, NULL);
    CHECK_RESULT(second.result, SFMFA_RESULT_CANCELLED, "the waiting login");
    CHECK(second.returned_at - t0 < prompt_bound(), "the waiting login returned in %.3f s", second.returned_at - t0);

    /* The first one is still waiting for its push (sent well before: give it time to arrive). */
    nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000}, NULL);
    t0 = now_seconds();
    CHECK_RESULT(sfmfa_client_cancel(first.client, &n), SFMFA_RESULT_OK, "cancel the login waiting for a push");
    CHECK(n == 1, "one login cancelled (got %u)", n);
    pthread_join(t1, NULL);
    CHECK_RESULT(first.result, SFMFA_RESULT_CANCELLED, "the login waiting for a push");
    CHECK(first.returned_at - t0 < prompt_bound(), "the push wait returned in %.3f s", first.returned_at - t0);

    sfmfa_client_free(first.client);
    sfmfa_client_free(second.client);
    recorder_destroy(&first_rec);
    recorder_destroy(&second_rec);
}

/* What the callback of test_login_from_callback did. */
struct nested_login {
    sfmfa_client *other;
    bool called;
    sfmfa_result result;
    double took;
    struct last_error error;
};

static void login_from_callback(void *userdata, const sfmfa_progress *event)
{
    struct nested_login *n = userdata;
    if (event->kind != SFMFA_PROGRESS_KIND_PUSH_SENT || n->called)
        return;
    n->called = true;
    sfmfa_session *s = NULL;
    double t0 = now_seconds();
    n->result = sfmfa_client_login(n->other, &s);
    n->took = now_seconds() - t0;
    n->error = read_last_error();
    sfmfa_session_free(s);
}

static sfmfa_client *client_with_timeout(const char *user, const char *login_timeout)
{
    sfmfa_config *cfg = base_config(user);
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "client_store_temporary_credential", "on");
    set_ok(cfg, "token_cache", "memory");
    set_ok(cfg, "login_timeout", login_timeout);
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "sfmfa_client_new");
    sfmfa_config_free(cfg);
    return client;
}

static void test_login_from_callback(void)
{
    /* no_cache: the server issues no MFA token, so every login of the user takes the prompt turn.
     * "At once" is well inside login_timeout: under 5 s of 10 (valgrind: 30 s of 120). */
    const char *timeout = test_slow() ? "120" : "10";
    double bound = test_slow() ? 30.0 : 5.0;
    struct nested_login n;
    memset(&n, 0, sizeof n);
    sfmfa_client *first = client_with_timeout("no_cache", timeout);
    n.other = client_with_timeout("no_cache", timeout);
    CHECK_RESULT(sfmfa_client_set_progress_callback(first, login_from_callback, &n), SFMFA_RESULT_OK,
                 "sfmfa_client_set_progress_callback");
    sfmfa_session *s = NULL;
    double t0 = now_seconds();
    CHECK_RESULT(sfmfa_client_login(first, &s), SFMFA_RESULT_OK, "the login whose callback logs in");
    double took = now_seconds() - t0;
    CHECK(n.called, "the callback saw PUSH_SENT and logged in");
    CHECK_RESULT(n.result, SFMFA_RESULT_INVALID_VALUE, "a login from the callback of a login of the same user");
    CHECK(n.took < bound, "it returned at once: %.3f s (login_timeout %s s)", n.took, timeout);
    CHECK(took < bound, "the calling login was not held up: %.3f s", took);
    CHECK(n.error.result == SFMFA_RESULT_INVALID_VALUE && strstr(n.error.message, "progress callback") != NULL,
          "the last error says why: %s", n.error.message);
    sfmfa_session_free(s);
    sfmfa_client_free(first);
    sfmfa_client_free(n.other);
}

static void test_refused(void)
{
    const char *passcodes[] = {NULL, TEST_PASSCODE};
    for (int i = 0; i < 2; i++) {
        struct recorder rec;
        recorder_init(&rec);
        rec.login_thread = pthread_self();
        sfmfa_config *cfg = base_config("push_approve");
        char port[16];
        snprintf(port, sizeof port, "%d", closed_port());
        set_ok(cfg, "authenticator", "username_password_mfa");
        set_ok(cfg, "protocol", "http");
        set_ok(cfg, "host", "127.0.0.1");
        set_ok(cfg, "port", port);
        set_ok(cfg, "ca_file", "");
        set_ok(cfg, "login_timeout", "1");
        if (passcodes[i] != NULL)
            set_ok(cfg, "passcode", passcodes[i]);
        sfmfa_client *client = NULL;
        CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "client to a closed port");
        sfmfa_config_free(cfg);
        CHECK_RESULT(sfmfa_client_set_progress_callback(client, record, &rec), SFMFA_RESULT_OK, "callback");
        sfmfa_session *s = NULL;
        CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_CONNECT,
                     i == 0 ? "push login to a closed port" : "passcode login to a closed port");
        bool sent = false;
        for (int k = 0; k < rec.count; k++)
            sent = sent || rec.kinds[k] == SFMFA_PROGRESS_KIND_PUSH_SENT || rec.kinds[k] == SFMFA_PROGRESS_KIND_PASSCODE_SENT;
        CHECK(!sent, "%s to a closed port: no PUSH_SENT or PASSCODE_SENT (%d events)", i == 0 ? "push" : "passcode",
              rec.count);
        sfmfa_session_free(s);
        sfmfa_client_free(client);
        recorder_destroy(&rec);
    }
}

int main(void)
{
    test_events();
    test_cancel();
    test_login_from_callback();
    test_refused();
    return summary();
}
