/*
 * Snowflake's multi-step Duo flow (nextAction) through the C ABI, against the emulator.
 *
 * Users on the emulator's legacy flow (POST /control/legacy) answer step 1 with nextAction
 * EXT_AUTHN_DUO_ALL and an inFlightCtx; step 2 (the same request with that context) sends the push
 * or checks the passcode and answers EXT_AUTHN_SUCCESS with a new context; step 3 hands out the
 * tokens. Every mode: push (default and MFA authenticators: exactly one push, second factor PUSH,
 * LOGIN_STEP events for steps 2 and 3 with their `step`), passcode and passcode in the password (no
 * push), and the MFA authenticator with token_cache=memory (the token of step 3 is cached and the
 * next login uses it: MFA_TOKEN, no further push; a passcode-in-password login three times in a row).
 *
 * Malformed steps through the emulator's `answer` fault (HTTP 200 with a scripted body, not
 * processed): a nextAction without inFlightCtx, an unknown nextAction, an endless DUO_ALL loop (fails
 * at step 2, does not hang) and a context the server refuses at step 2 (390100, "step 2").
 *
 * Every user is created by this run (unique names), so the emulator's counters
 * (GET /control/counters) count this run's pushes only. The control API is called with curl
 * (popen), with the emulator's CA for https.
 */
#include "check.h"

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_EVENTS 32

/* --- the emulator's control API, through curl ------------------------------------------------- */

static long json_number(const char *json, const char *field)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", field);
    const char *at = strstr(json, key);
    if (at == NULL)
        return -1;
    at = strchr(at + strlen(key), ':');
    return at == NULL ? -1 : strtol(at + 1, NULL, 10);
}

static long counter(const char *user, const char *field)
{
    char path[256], out[1024];
    snprintf(path, sizeof path, "counters?account=%s&user=%s", TEST_ACCOUNT, user);
    if (!control("GET", path, NULL, out, sizeof out)) {
        CHECK(false, "GET /control/%s", path);
        return -1;
    }
    return json_number(out, field);
}

static long push_count(const char *user) { return counter(user, "push_count"); }
static long login_count(const char *user) { return counter(user, "login_count"); }

/* A new enrolled user (password abc123, bypass code 987654, push approved at once), on the
 * multi-step flow when `legacy`. Writes its unique name to `name`. */
static void new_user(char *name, size_t cap, const char *tag, bool legacy)
{
    static int seq;
    snprintf(name, cap, "ms_%s_%ld_%d_%ld", tag, (long)getpid(), ++seq, (long)time(NULL));
    char body[1024];
    snprintf(body, sizeof body,
             "{\"account\":\"%s\",\"user\":{\"name\":\"%s\",\"password\":\"%s\",\"duo_enrolled\":true,"
             "\"bypass_codes\":[\"%s\"],\"push\":{\"kind\":\"approve\",\"delay_ms\":0}}}",
             TEST_ACCOUNT, name, TEST_PASSWORD, TEST_PASSCODE);
    CHECK(control("POST", "users", body, NULL, 0), "created user %s", name);
    if (legacy) {
        snprintf(body, sizeof body, "{\"account\":\"%s\",\"user\":\"%s\",\"value\":true}", TEST_ACCOUNT, name);
        CHECK(control("POST", "legacy", body, NULL, 0), "%s is on the multi-step flow", name);
    }
}

/* The next `times` login requests are answered with HTTP 200 and `answer` (not processed). */
static void answer_fault(const char *answer, int times)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"kind\":\"answer\",\"body\":%s,\"times\":%d}", answer, times);
    CHECK(control("POST", "faults", body, NULL, 0), "fault: answer %s (%d times)", answer, times);
}

static void clear_faults(void) { CHECK(control("DELETE", "faults", NULL, NULL, 0), "faults cleared"); }

/* --- progress events ------------------------------------------------------------------------- */

struct recorder {
    sfmfa_progress_kind kinds[MAX_EVENTS];
    uint32_t steps[MAX_EVENTS];
    char messages[MAX_EVENTS][256];
    int count;
    bool null_message;
};

static void record(void *userdata, const sfmfa_progress *event)
{
    struct recorder *rec = userdata;
    if (event->message == NULL)
        rec->null_message = true;
    if (rec->count < MAX_EVENTS) {
        rec->kinds[rec->count] = event->kind;
        rec->steps[rec->count] = event->step;
        snprintf(rec->messages[rec->count], sizeof rec->messages[0], "%s",
                 event->message != NULL ? event->message : "");
        rec->count++;
    }
}

static const char *kind_name(sfmfa_progress_kind k)
{
    switch (k) {
    case SFMFA_PROGRESS_KIND_USING_CACHED_TOKEN: return "USING_CACHED_TOKEN";
    case SFMFA_PROGRESS_KIND_WAITING_FOR_OTHER_LOGIN: return "WAITING_FOR_OTHER_LOGIN";
    case SFMFA_PROGRESS_KIND_PUSH_SENT: return "PUSH_SENT";
    case SFMFA_PROGRESS_KIND_PASSCODE_SENT: return "PASSCODE_SENT";
    case SFMFA_PROGRESS_KIND_RETRYING: return "RETRYING";
    case SFMFA_PROGRESS_KIND_TOKEN_STORED: return "TOKEN_STORED";
    case SFMFA_PROGRESS_KIND_TOKEN_NOT_CACHED: return "TOKEN_NOT_CACHED";
    case SFMFA_PROGRESS_KIND_WARNING: return "WARNING";
    case SFMFA_PROGRESS_KIND_LOGIN_STEP: return "LOGIN_STEP";
    default: return "?";
    }
}

/* "PUSH_SENT LOGIN_STEP(2) ..." */
static void describe(const struct recorder *rec, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < rec->count && used < cap; i++) {
        int n = rec->kinds[i] == SFMFA_PROGRESS_KIND_LOGIN_STEP
            ? snprintf(out + used, cap - used, "%s%s(%u)", i ? " " : "", kind_name(rec->kinds[i]),
                       (unsigned)rec->steps[i])
            : snprintf(out + used, cap - used, "%s%s", i ? " " : "", kind_name(rec->kinds[i]));
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* The events of a multi-step login begin with: announce, LOGIN_STEP(2), announce, LOGIN_STEP(3);
 * `step` is 0 in every other event; the step messages name the step and the server's nextAction. */
static void check_steps(const char *what, const struct recorder *rec, sfmfa_progress_kind announce)
{
    char seen[1024];
    describe(rec, seen, sizeof seen);
    CHECK(rec->count >= 4 && rec->kinds[0] == announce && rec->kinds[1] == SFMFA_PROGRESS_KIND_LOGIN_STEP &&
              rec->steps[1] == 2 && rec->kinds[2] == announce &&
              rec->kinds[3] == SFMFA_PROGRESS_KIND_LOGIN_STEP && rec->steps[3] == 3,
          "%s: events %s, LOGIN_STEP(2), %s, LOGIN_STEP(3), ... (got %s)", what, kind_name(announce),
          kind_name(announce), seen);
    int steps = 0;
    bool zero_elsewhere = true;
    for (int i = 0; i < rec->count; i++) {
        if (rec->kinds[i] == SFMFA_PROGRESS_KIND_LOGIN_STEP)
            steps++;
        else
            zero_elsewhere = zero_elsewhere && rec->steps[i] == 0;
    }
    CHECK(steps == 2, "%s: two LOGIN_STEP events (got %d)", what, steps);
    CHECK(zero_elsewhere, "%s: `step` is 0 in the other events", what);
    CHECK(!rec->null_message, "%s: every event has a message", what);
    if (rec->count >= 4) {
        CHECK(strstr(rec->messages[1], "step 2") != NULL && strstr(rec->messages[1], "EXT_AUTHN_DUO_ALL") != NULL,
              "%s: the step-2 message names the step and nextAction: %s", what, rec->messages[1]);
        CHECK(strstr(rec->messages[3], "step 3") != NULL && strstr(rec->messages[3], "EXT_AUTHN_SUCCESS") != NULL,
              "%s: the step-3 message names the step and nextAction: %s", what, rec->messages[3]);
    }
}

/* --- logins ---------------------------------------------------------------------------------- */

struct opt {
    const char *key;
    const char *value;
};

static sfmfa_client *new_client(const char *user, const struct opt *opts, size_t n, struct recorder *rec)
{
    sfmfa_config *cfg = base_config(user);
    for (size_t i = 0; i < n; i++)
        set_ok(cfg, opts[i].key, opts[i].value);
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "sfmfa_client_new");
    sfmfa_config_free(cfg);
    if (client != NULL && rec != NULL)
        CHECK_RESULT(sfmfa_client_set_progress_callback(client, record, rec), SFMFA_RESULT_OK,
                     "sfmfa_client_set_progress_callback");
    return client;
}

/* Logs in; on success checks the second factor (and the cache status when `cache` >= 0). */
static bool login_ok(const char *what, sfmfa_client *client, sfmfa_second_factor factor, int cache)
{
    sfmfa_session *s = NULL;
    sfmfa_result r = client != NULL ? sfmfa_client_login(client, &s) : SFMFA_RESULT_NULL_ARGUMENT;
    if (r != SFMFA_RESULT_OK) {
        struct last_error le = read_last_error();
        CHECK(false, "%s: login -> %s (%u: %s)", what, sfmfa_result_name(r), (unsigned)le.server_code, le.message);
        return false;
    }
    sfmfa_second_factor f = (sfmfa_second_factor)99;
    CHECK(sfmfa_session_second_factor(s, &f) == SFMFA_RESULT_OK && f == factor,
          "%s: second factor %u (expected %u)", what, (unsigned)f, (unsigned)factor);
    if (cache >= 0) {
        sfmfa_cache_status status = (sfmfa_cache_status)99;
        bool evicted = true;
        CHECK(sfmfa_session_cache_status(s, &status, &evicted) == SFMFA_RESULT_OK &&
                  status == (sfmfa_cache_status)cache && !evicted,
              "%s: cache status %u (expected %d), nothing evicted", what, (unsigned)status, cache);
    }
    int64_t id = 0;
    CHECK(sfmfa_session_id(s, &id) == SFMFA_RESULT_OK && id > 0, "%s: session id %lld", what, (long long)id);
    CHECK_RESULT(sfmfa_session_close(s), SFMFA_RESULT_OK, "session close");
    sfmfa_session_free(s);
    return true;
}

static void mode(const char *what, const char *tag, const struct opt *opts, size_t n, sfmfa_second_factor factor,
                 sfmfa_progress_kind announce, long pushes)
{
    printf("# multi-step: %s\n", what);
    char user[128];
    new_user(user, sizeof user, tag, true);
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    sfmfa_client *client = new_client(user, opts, n, &rec);
    login_ok(what, client, factor, -1);
    sfmfa_client_free(client);
    check_steps(what, &rec, announce);
    long got = push_count(user);
    CHECK(got == pushes, "%s: %ld push(es) counted (expected %ld)", what, got, pushes);
    got = login_count(user);
    CHECK(got == 3, "%s: three requests (steps 1, 2, 3) counted (got %ld)", what, got);
}

static void every_mode(void)
{
    const struct opt push_default[] = {{"authenticator", "snowflake"}};
    mode("push, authenticator snowflake", "push_sf", push_default, 1, SFMFA_SECOND_FACTOR_PUSH,
         SFMFA_PROGRESS_KIND_PUSH_SENT, 1);
    const struct opt push_mfa[] = {{"authenticator", "username_password_mfa"}};
    mode("push, authenticator username_password_mfa", "push_mfa", push_mfa, 1, SFMFA_SECOND_FACTOR_PUSH,
         SFMFA_PROGRESS_KIND_PUSH_SENT, 1);
    const struct opt passcode[] = {{"authenticator", "username_password_mfa"}, {"passcode", TEST_PASSCODE}};
    mode("passcode", "passcode", passcode, 2, SFMFA_SECOND_FACTOR_PASSCODE, SFMFA_PROGRESS_KIND_PASSCODE_SENT, 0);
    const struct opt pip[] = {{"authenticator", "username_password_mfa"},
                              {"password", TEST_PASSWORD TEST_PASSCODE},
                              {"passcode_in_password", "on"}};
    mode("passcode in password", "pip", pip, 3, SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD,
         SFMFA_PROGRESS_KIND_PASSCODE_SENT, 0);
}

/* The MFA authenticator with token_cache=memory: step 3's mfaToken is cached, the next login uses it. */
static void cached_push(void)
{
    const char *what = "multi-step push, token cached";
    printf("# %s\n", what);
    char user[128];
    new_user(user, sizeof user, "cache_push", true);
    const struct opt opts[] = {{"authenticator", "username_password_mfa"},
                               {"client_store_temporary_credential", "on"},
                               {"token_cache", "memory"}};
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    sfmfa_client *client = new_client(user, opts, 3, &rec);
    login_ok("first login (multi-step push)", client, SFMFA_SECOND_FACTOR_PUSH, SFMFA_CACHE_STATUS_STORED);
    check_steps("first login (multi-step push)", &rec, SFMFA_PROGRESS_KIND_PUSH_SENT);
    CHECK(rec.count == 5 && rec.kinds[4] == SFMFA_PROGRESS_KIND_TOKEN_STORED,
          "first login: TOKEN_STORED last (%d events)", rec.count);
    CHECK(push_count(user) == 1, "%s: one push", what);

    memset(&rec, 0, sizeof rec);
    login_ok("second login (cached token)", client, SFMFA_SECOND_FACTOR_MFA_TOKEN, SFMFA_CACHE_STATUS_HIT);
    CHECK(rec.count == 1 && rec.kinds[0] == SFMFA_PROGRESS_KIND_USING_CACHED_TOKEN && rec.steps[0] == 0,
          "second login: USING_CACHED_TOKEN only (%d events)", rec.count);
    long pushes = push_count(user);
    CHECK(pushes == 1, "%s: no further push (%ld)", what, pushes);
    long logins = login_count(user);
    CHECK(logins == 4, "%s: three steps, then one request with the token (%ld)", what, logins);
    sfmfa_client_free(client);
}

/* A passcode-in-password login three times in a row with caching on: the cached-token logins send the
 * password without its passcode, so they succeed; no push ever. */
static void cached_passcode_in_password(bool legacy)
{
    const char *what = legacy ? "multi-step passcode in password x3, token cached"
                              : "one-step passcode in password x3, token cached";
    printf("# %s\n", what);
    char user[128];
    new_user(user, sizeof user, "cache_pip", legacy);
    const struct opt opts[] = {{"authenticator", "username_password_mfa"},
                               {"password", TEST_PASSWORD TEST_PASSCODE},
                               {"passcode_in_password", "on"},
                               {"client_store_temporary_credential", "on"},
                               {"token_cache", "memory"}};
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    sfmfa_client *client = new_client(user, opts, 5, &rec);
    login_ok("passcode in password, 1st login", client, SFMFA_SECOND_FACTOR_PASSCODE_IN_PASSWORD,
             SFMFA_CACHE_STATUS_STORED);
    if (legacy)
        check_steps("passcode in password, 1st login", &rec, SFMFA_PROGRESS_KIND_PASSCODE_SENT);
    login_ok("passcode in password, 2nd login", client, SFMFA_SECOND_FACTOR_MFA_TOKEN, SFMFA_CACHE_STATUS_HIT);
    login_ok("passcode in password, 3rd login", client, SFMFA_SECOND_FACTOR_MFA_TOKEN, SFMFA_CACHE_STATUS_HIT);
    sfmfa_client_free(client);
    long pushes = push_count(user);
    CHECK(pushes == 0, "%s: no push (%ld)", what, pushes);
    long logins = login_count(user);
    CHECK(logins == (legacy ? 3 : 1) + 2, "%s: %ld requests", what, logins);
}

/* --- malformed steps ------------------------------------------------------------------------- */

/* `ctx`: the scripted inFlightCtx (a secret: never in the message), or NULL. */
static void malformed(const char *what, const char *answer, const char *ctx, int times, sfmfa_result expected,
                      uint32_t code, const char *sqlstate, const char *in_message, const char *in_message2)
{
    printf("# malformed step: %s\n", what);
    char user[128];
    new_user(user, sizeof user, "bad", false);
    answer_fault(answer, times);
    sfmfa_client *client = new_client(user, (const struct opt[]){{"authenticator", "username_password_mfa"}}, 1,
                                      NULL);
    sfmfa_session *s = NULL;
    double t0 = now_seconds();
    sfmfa_result r = client != NULL ? sfmfa_client_login(client, &s) : SFMFA_RESULT_NULL_ARGUMENT;
    double took = now_seconds() - t0;
    CHECK(r == expected && s == NULL, "%s: login -> %s (expected %s) in %.2f s", what, sfmfa_result_name(r),
          sfmfa_result_name(expected), took);
    struct last_error le = check_last_error(what, expected, code, sqlstate, in_message, NULL, ctx);
    if (in_message2 != NULL)
        CHECK(strstr(le.message, in_message2) != NULL, "%s: message contains '%s': %s", what, in_message2,
              le.message);
    CHECK(took < (test_slow() ? 60.0 : 10.0), "%s: no hang (%.2f s)", what, took);
    sfmfa_session_free(s);
    sfmfa_client_free(client);
    clear_faults();
    long pushes = push_count(user);
    CHECK(pushes == 0, "%s: no push (%ld)", what, pushes);
}

static void malformed_steps(void)
{
    malformed("nextAction without inFlightCtx",
              "{\"success\":true,\"data\":{\"nextAction\":\"EXT_AUTHN_DUO_ALL\"},\"code\":null,\"message\":null}", NULL,
              1, SFMFA_RESULT_PROTOCOL, 0, NULL, "step 1", "inFlightCtx");
    malformed("unknown nextAction",
              "{\"success\":true,\"data\":{\"nextAction\":\"FOO\",\"inFlightCtx\":\"IFC-foo\"},\"code\":null,"
              "\"message\":null}",
              "IFC-foo", 1, SFMFA_RESULT_PROTOCOL, 0, NULL, "step 1", "FOO");
    malformed("endless EXT_AUTHN_DUO_ALL loop",
              "{\"success\":true,\"data\":{\"nextAction\":\"EXT_AUTHN_DUO_ALL\",\"inFlightCtx\":\"IFC-loop\"},"
              "\"code\":null,\"message\":null}",
              "IFC-loop", 5, SFMFA_RESULT_PROTOCOL, 0, NULL, "step 2", "EXT_AUTHN_DUO_ALL");
    /* Step 1 scripted with a context the emulator never issued: it refuses step 2 with 390100. */
    malformed("a context the server refuses at step 2",
              "{\"success\":true,\"data\":{\"nextAction\":\"EXT_AUTHN_DUO_ALL\",\"inFlightCtx\":\"IFC-bogus\"},"
              "\"code\":null,\"message\":null}",
              "IFC-bogus", 1, SFMFA_RESULT_BAD_CREDENTIALS, 390100, "28000", "step 2", NULL);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    printf("# sfmfa %s against %s://%s:%s%s\n", sfmfa_version(), test_protocol(), test_host(), test_port(),
           test_slow() ? " (slow mode)" : "");
    CHECK(control("DELETE", "faults", NULL, NULL, 0), "the control API answers (curl)");
    every_mode();
    cached_push();
    cached_passcode_in_password(false);
    cached_passcode_in_password(true);
    malformed_steps();
    return summary();
}
