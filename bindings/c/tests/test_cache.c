/*
 * The MFA-token cache through the C ABI: what a login reports (stored, hit, disabled, wrong
 * authenticator), inspecting and deleting a cached token without seeing it, the file store, and
 * NULL arguments of the cache functions.
 */
#include "check.h"

static sfmfa_session *login_ok(sfmfa_client *client, const char *what)
{
    sfmfa_session *s = NULL;
    sfmfa_result r = sfmfa_client_login(client, &s);
    CHECK_RESULT(r, SFMFA_RESULT_OK, what);
    return s;
}

static void expect_status(const sfmfa_session *s, sfmfa_cache_status want, bool want_evicted, const char *what)
{
    sfmfa_cache_status status = 99;
    bool evicted = true;
    sfmfa_result r = sfmfa_session_cache_status(s, &status, &evicted);
    CHECK(r == SFMFA_RESULT_OK && status == want && evicted == want_evicted, "%s: cache status %u (want %u), evicted %d",
          what, (unsigned)status, (unsigned)want, (int)evicted);
    char detail[512];
    size_t n = 0;
    r = sfmfa_session_cache_detail(s, detail, sizeof detail, &n);
    CHECK(r == SFMFA_RESULT_OK && n > 0 && !has_secret(detail, NULL), "%s: detail \"%s\"", what,
          r == SFMFA_RESULT_OK ? detail : "");
}

static void caching_with(const char *store)
{
    sfmfa_config *cfg = base_config("push_approve");
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "client_store_temporary_credential", "on");
    set_ok(cfg, "token_cache", store);
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "client");
    if (client == NULL) {
        sfmfa_config_free(cfg);
        return;
    }
    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "delete before the first login");

    sfmfa_session *first = login_ok(client, "first login (prompts)");
    if (first != NULL)
        expect_status(first, SFMFA_CACHE_STATUS_STORED, false, store);

    bool present = false;
    char backend[64];
    size_t n = 0;
    sfmfa_result r = sfmfa_client_cache_inspect(client, &present, backend, sizeof backend, &n);
    CHECK(r == SFMFA_RESULT_OK && present && strcmp(backend, store) == 0, "%s: inspect -> present %d, backend %s",
          store, (int)present, r == SFMFA_RESULT_OK ? backend : "?");

    sfmfa_session *second = login_ok(client, "second login (cached token)");
    if (second != NULL) {
        expect_status(second, SFMFA_CACHE_STATUS_HIT, false, store);
        sfmfa_second_factor f = 99;
        sfmfa_session_second_factor(second, &f);
        CHECK(f == SFMFA_SECOND_FACTOR_MFA_TOKEN, "%s: second login used the MFA token", store);
    }

    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "delete");
    present = true;
    r = sfmfa_client_cache_inspect(client, &present, backend, sizeof backend, &n);
    CHECK(r == SFMFA_RESULT_OK && !present, "%s: nothing cached after delete", store);

    sfmfa_session_free(first);
    sfmfa_session_free(second);
    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
}

static void not_caching(void)
{
    sfmfa_config *cfg = base_config("push_approve"); /* base_config turns caching off */
    set_ok(cfg, "authenticator", "username_password_mfa");
    sfmfa_client *client = NULL;
    sfmfa_client_new(cfg, &client);
    sfmfa_session *s = login_ok(client, "login without caching");
    if (s != NULL)
        expect_status(s, SFMFA_CACHE_STATUS_DISABLED, false, "caching off");
    sfmfa_session_free(s);
    bool present = true;
    size_t n = 99;
    char backend[8];
    sfmfa_result r = sfmfa_client_cache_inspect(client, &present, backend, sizeof backend, &n);
    CHECK(r == SFMFA_RESULT_OK && !present && n == 0, "inspect on a client that does not cache");
    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "delete on a client that does not cache");
    sfmfa_client_free(client);

    set_ok(cfg, "client_store_temporary_credential", "on");
    set_ok(cfg, "authenticator", "snowflake");
    set_ok(cfg, "user", "plain");
    sfmfa_client_new(cfg, &client);
    s = login_ok(client, "snowflake authenticator with caching on");
    if (s != NULL)
        expect_status(s, SFMFA_CACHE_STATUS_WRONG_AUTHENTICATOR, false, "wrong authenticator");
    sfmfa_session_free(s);
    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
}

static void null_arguments(void)
{
    sfmfa_cache_status status = 77;
    bool b = true;
    size_t n = 55;
    char buf[16];
    CHECK_RESULT(sfmfa_session_cache_status(NULL, &status, &b), SFMFA_RESULT_NULL_ARGUMENT, "cache_status(NULL session)");
    CHECK(status == 77 && b, "out-parameters untouched");
    CHECK_RESULT(sfmfa_session_cache_detail(NULL, buf, sizeof buf, &n), SFMFA_RESULT_NULL_ARGUMENT, "cache_detail(NULL)");
    CHECK_RESULT(sfmfa_client_cache_delete(NULL), SFMFA_RESULT_NULL_ARGUMENT, "client_cache_delete(NULL)");
    CHECK_RESULT(sfmfa_client_cache_inspect(NULL, &b, buf, sizeof buf, &n), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_cache_inspect(NULL client)");
    sfmfa_config *cfg = base_config("plain");
    sfmfa_client *client = NULL;
    sfmfa_client_new(cfg, &client);
    CHECK_RESULT(sfmfa_client_cache_inspect(client, NULL, buf, sizeof buf, &n), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_cache_inspect(NULL present)");
    CHECK_RESULT(sfmfa_client_cache_inspect(client, &b, buf, sizeof buf, NULL), SFMFA_RESULT_NULL_ARGUMENT,
                 "client_cache_inspect(NULL out_len)");
    CHECK(b, "present untouched on failure");
    sfmfa_session *s = login_ok(client, "login for NULL checks");
    if (s != NULL) {
        CHECK_RESULT(sfmfa_session_cache_status(s, NULL, &b), SFMFA_RESULT_NULL_ARGUMENT, "cache_status(NULL status)");
        CHECK_RESULT(sfmfa_session_cache_status(s, &status, NULL), SFMFA_RESULT_NULL_ARGUMENT, "cache_status(NULL evicted)");
        CHECK(status == 77, "status untouched when evicted is NULL");
        CHECK_RESULT(sfmfa_session_cache_detail(s, buf, sizeof buf, NULL), SFMFA_RESULT_NULL_ARGUMENT, "cache_detail(NULL out_len)");
    }
    sfmfa_session_free(s);
    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    caching_with("memory");
    if (getenv("SF_TEMPORARY_CREDENTIAL_CACHE_DIR") != NULL)
        caching_with("file");
    not_caching();
    null_arguments();
    return summary();
}
