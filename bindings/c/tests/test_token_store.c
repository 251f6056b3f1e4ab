/*
 * A token store supplied by the application (sfmfa_token_store_new,
 * sfmfa_client_new_with_token_store), against the emulator: the first login stores its MFA token
 * through the put callback (keyed by the v2 key), the second reads it through get (no push, the
 * MFA token as second factor), a small first buffer is answered with BUFFER_TOO_SMALL and a second
 * get, a failing get or put is reported as the cache's UNAVAILABLE / WRITE_FAILED while the login
 * succeeds, a rejected token is deleted through the delete callback, release is called once after
 * the store and its last client are freed, and NULL arguments are refused. Pushes are counted
 * through the emulator's control API (curl).
 */
#include "check.h"

#include <pthread.h>

/* --- the emulator's control API ---------------------------------------------------------------- */

static long push_count(const char *user)
{
    char path[256], out[1024];
    snprintf(path, sizeof path, "counters?account=%s&user=%s", TEST_ACCOUNT, user);
    if (!control("GET", path, NULL, out, sizeof out)) {
        CHECK(false, "GET /control/%s", path);
        return -1;
    }
    const char *at = strstr(out, "\"push_count\"");
    at = at == NULL ? NULL : strchr(at, ':');
    return at == NULL ? -1 : strtol(at + 1, NULL, 10);
}

/* A new enrolled user (password abc123, pushes approved at once); its unique name goes to `name`. */
static void new_user(char *name, size_t cap, const char *tag)
{
    static int seq;
    snprintf(name, cap, "ts_%s_%ld_%d_%ld", tag, (long)getpid(), ++seq, (long)time(NULL));
    char body[512];
    snprintf(body, sizeof body,
             "{\"account\":\"%s\",\"user\":{\"name\":\"%s\",\"password\":\"%s\",\"duo_enrolled\":true,"
             "\"push\":{\"kind\":\"approve\",\"delay_ms\":0}}}",
             TEST_ACCOUNT, name, TEST_PASSWORD);
    CHECK(control("POST", "users", body, NULL, 0), "created user %s", name);
}

/* --- the application's store: one entry, in memory -------------------------------------------- */

struct app_store {
    pthread_mutex_t lock;
    char key[128];
    unsigned char token[8192];
    size_t token_len; /* 0: empty */
    int gets, puts, deletes, releases;
    int too_small; /* get answers BUFFER_TOO_SMALL while its buffer is smaller than this */
    bool fail_get, fail_put;
    bool bad_key;  /* a key that is not a v2 MFA-token key was seen */
};

static int32_t app_get(void *userdata, const char *key, uint8_t *buf, size_t buf_len, size_t *token_len)
{
    struct app_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->gets++;
    int32_t rc;
    if (strncmp(key, "SnowflakeTokenCache.v2.MfaToken.", 32) != 0 || strlen(key) != 32 + 64)
        s->bad_key = true;
    if (s->fail_get) {
        rc = SFMFA_TOKEN_STORE_FAILED;
    } else if (s->token_len == 0 || strcmp(key, s->key) != 0) {
        rc = SFMFA_TOKEN_STORE_NOT_FOUND;
    } else if (s->token_len > buf_len || (int)buf_len < s->too_small) {
        *token_len = s->token_len > buf_len ? s->token_len : buf_len + 1;
        rc = SFMFA_TOKEN_STORE_BUFFER_TOO_SMALL;
    } else {
        memcpy(buf, s->token, s->token_len);
        *token_len = s->token_len;
        rc = SFMFA_TOKEN_STORE_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int32_t app_put(void *userdata, const char *key, const uint8_t *token, size_t token_len)
{
    struct app_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->puts++;
    int32_t rc = SFMFA_TOKEN_STORE_FAILED;
    if (!s->fail_put && token_len > 0 && token_len <= sizeof s->token && strlen(key) < sizeof s->key) {
        strcpy(s->key, key);
        memcpy(s->token, token, token_len);
        s->token_len = token_len;
        rc = SFMFA_TOKEN_STORE_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int32_t app_delete(void *userdata, const char *key)
{
    struct app_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->deletes++;
    int32_t rc = SFMFA_TOKEN_STORE_NOT_FOUND;
    if (s->token_len > 0 && strcmp(key, s->key) == 0) {
        memset(s->token, 0, sizeof s->token);
        s->token_len = 0;
        rc = SFMFA_TOKEN_STORE_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void app_release(void *userdata)
{
    struct app_store *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->releases++;
    pthread_mutex_unlock(&s->lock);
}

static void app_init(struct app_store *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

static sfmfa_config *mfa_config(const char *user)
{
    sfmfa_config *cfg = base_config(user);
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "client_store_temporary_credential", "on");
    return cfg;
}

static sfmfa_client *client_with(sfmfa_config *cfg, sfmfa_token_store *store)
{
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new_with_token_store(cfg, store, &client), SFMFA_RESULT_OK,
                 "sfmfa_client_new_with_token_store");
    return client;
}

/* Logs in; checks success and the cache status; returns the second factor (99 on failure). */
static sfmfa_second_factor login_expect(sfmfa_client *client, sfmfa_cache_status want, const char *what,
                                        char *detail, size_t cap)
{
    sfmfa_session *s = NULL;
    sfmfa_second_factor f = 99;
    sfmfa_result r = client == NULL ? SFMFA_RESULT_NULL_ARGUMENT : sfmfa_client_login(client, &s);
    CHECK_RESULT(r, SFMFA_RESULT_OK, what);
    if (s == NULL)
        return f;
    sfmfa_cache_status status = 99;
    bool evicted = false;
    sfmfa_session_cache_status(s, &status, &evicted);
    size_t n = 0;
    detail[0] = '\0';
    sfmfa_session_cache_detail(s, detail, cap, &n);
    CHECK(status == want, "%s: cache status %u (want %u): %s", what, (unsigned)status, (unsigned)want, detail);
    sfmfa_session_second_factor(s, &f);
    sfmfa_session_free(s);
    return f;
}

static void stores_then_reads_through_the_callbacks(void)
{
    char user[128], detail[512];
    new_user(user, sizeof user, "roundtrip");
    struct app_store app;
    app_init(&app);
    app.too_small = 4096 + 1; /* the first get's buffer is "too small": sfmfa must ask again */
    sfmfa_token_store *store = NULL;
    CHECK_RESULT(sfmfa_token_store_new(app_get, app_put, app_delete, app_release, &app, &store), SFMFA_RESULT_OK,
                 "sfmfa_token_store_new");
    sfmfa_config *cfg = mfa_config(user);
    sfmfa_client *client = client_with(cfg, store);
    sfmfa_token_store_free(store); /* the client keeps its own reference */
    CHECK(app.releases == 0, "release not called while a client uses the store");

    long pushes = push_count(user);
    login_expect(client, SFMFA_CACHE_STATUS_STORED, "first login stores through put", detail, sizeof detail);
    CHECK(app.puts == 1 && app.token_len > 0, "put called once with a token (%d puts, %zu bytes)", app.puts,
          app.token_len);
    CHECK(strstr(detail, "application store") != NULL, "the detail names the application's store: %s", detail);
    CHECK(push_count(user) == pushes + 1, "one push for the first login");

    int gets = app.gets;
    sfmfa_second_factor f =
        login_expect(client, SFMFA_CACHE_STATUS_HIT, "second login reads through get", detail, sizeof detail);
    CHECK(f == SFMFA_SECOND_FACTOR_MFA_TOKEN, "second login used the MFA token");
    CHECK(app.gets == gets + 2, "get asked again with the size it reported (%d calls)", app.gets - gets);
    CHECK(push_count(user) == pushes + 1, "no push for the second login");
    CHECK(!app.bad_key, "every key is a v2 MFA-token key");

    bool present = false;
    char backend[64];
    size_t n = 0;
    sfmfa_result r = sfmfa_client_cache_inspect(client, &present, backend, sizeof backend, &n);
    CHECK(r == SFMFA_RESULT_OK && present && strcmp(backend, "application store") == 0,
          "inspect through get: present %d, store \"%s\"", (int)present, r == SFMFA_RESULT_OK ? backend : "?");
    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "delete through the delete callback");
    CHECK(app.deletes == 1 && app.token_len == 0, "the token is gone from the application's store");

    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
    CHECK(app.releases == 1, "release called once, after the store and its last client were freed");
    pthread_mutex_destroy(&app.lock);
}

static void failing_callbacks_are_reported_and_the_login_succeeds(void)
{
    char user[128], detail[512];
    new_user(user, sizeof user, "failing");
    struct app_store app;
    app_init(&app);
    app.fail_put = true;
    sfmfa_token_store *store = NULL;
    sfmfa_token_store_new(app_get, app_put, app_delete, NULL, &app, &store);
    sfmfa_config *cfg = mfa_config(user);
    sfmfa_client *client = client_with(cfg, store);
    login_expect(client, SFMFA_CACHE_STATUS_WRITE_FAILED, "a failing put", detail, sizeof detail);
    CHECK(strstr(detail, "callback returned 3") != NULL, "the detail says the callback failed: %s", detail);
    sfmfa_client_free(client);

    /* A failing get, and a user the server issues no token for: the store was unavailable. */
    app.fail_put = false;
    app.fail_get = true;
    set_ok(cfg, "user", "no_cache");
    client = client_with(cfg, store);
    login_expect(client, SFMFA_CACHE_STATUS_UNAVAILABLE, "a failing get", detail, sizeof detail);
    CHECK(strstr(detail, "failed reading the token") != NULL, "the detail says get failed: %s", detail);
    sfmfa_client_free(client);
    sfmfa_token_store_free(store);
    sfmfa_config_free(cfg);
    pthread_mutex_destroy(&app.lock);
}

static void a_rejected_token_is_deleted_through_the_callback(void)
{
    char user[128], detail[512];
    new_user(user, sizeof user, "rejected");
    struct app_store app;
    app_init(&app);
    sfmfa_token_store *store = NULL;
    sfmfa_token_store_new(app_get, app_put, app_delete, NULL, &app, &store);
    sfmfa_config *cfg = mfa_config(user);
    sfmfa_client *client = client_with(cfg, store);
    login_expect(client, SFMFA_CACHE_STATUS_STORED, "login that stores", detail, sizeof detail);
    /* The application's store holds a token the server will not accept. */
    pthread_mutex_lock(&app.lock);
    memset(app.token, 'x', 32);
    app.token_len = 32;
    pthread_mutex_unlock(&app.lock);
    long pushes = push_count(user);
    sfmfa_session *s = NULL;
    CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, "login with a rejected token");
    bool evicted = false;
    sfmfa_cache_status status = 99;
    if (s != NULL)
        sfmfa_session_cache_status(s, &status, &evicted);
    CHECK(status == SFMFA_CACHE_STATUS_STORED && evicted, "evicted and stored anew (status %u, evicted %d)",
          (unsigned)status, (int)evicted);
    CHECK(app.deletes >= 1, "the delete callback was called (%d)", app.deletes);
    CHECK(app.token_len > 32 && app.token[0] != 'x', "the new token replaced the rejected one");
    CHECK(push_count(user) == pushes + 1, "one push");
    sfmfa_session_free(s);
    sfmfa_client_free(client);
    sfmfa_token_store_free(store);
    sfmfa_config_free(cfg);
    pthread_mutex_destroy(&app.lock);
}

static void null_arguments(void)
{
    struct app_store app;
    app_init(&app);
    sfmfa_token_store *store = (sfmfa_token_store *)&app; /* must stay untouched */
    CHECK_RESULT(sfmfa_token_store_new(NULL, app_put, app_delete, NULL, &app, &store), SFMFA_RESULT_NULL_ARGUMENT,
                 "token_store_new(NULL get)");
    CHECK_RESULT(sfmfa_token_store_new(app_get, NULL, app_delete, NULL, &app, &store), SFMFA_RESULT_NULL_ARGUMENT,
                 "token_store_new(NULL put)");
    CHECK_RESULT(sfmfa_token_store_new(app_get, app_put, NULL, NULL, &app, &store), SFMFA_RESULT_NULL_ARGUMENT,
                 "token_store_new(NULL del)");
    CHECK_RESULT(sfmfa_token_store_new(app_get, app_put, app_delete, NULL, &app, NULL), SFMFA_RESULT_NULL_ARGUMENT,
                 "token_store_new(NULL out)");
    CHECK(store == (sfmfa_token_store *)&app, "out untouched on failure");
    store = NULL;
    sfmfa_token_store_new(app_get, app_put, app_delete, NULL, &app, &store);
    sfmfa_config *cfg = mfa_config("push_approve");
    sfmfa_client *client = (sfmfa_client *)&app;
    CHECK_RESULT(sfmfa_client_new_with_token_store(NULL, store, &client), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_new_with_token_store(NULL cfg)");
    CHECK_RESULT(sfmfa_client_new_with_token_store(cfg, NULL, &client), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_new_with_token_store(NULL store)");
    CHECK_RESULT(sfmfa_client_new_with_token_store(cfg, store, NULL), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_new_with_token_store(NULL out)");
    CHECK(client == (sfmfa_client *)&app, "client untouched on failure");
    sfmfa_token_store_free(NULL);
    sfmfa_token_store_free(store);
    sfmfa_config_free(cfg);
    CHECK(app.gets == 0 && app.puts == 0 && app.deletes == 0, "no callback called by these failures");
    pthread_mutex_destroy(&app.lock);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    stores_then_reads_through_the_callbacks();
    failing_callbacks_are_reported_and_the_login_succeeds();
    a_rejected_token_is_deleted_through_the_callback();
    null_arguments();
    return summary();
}
