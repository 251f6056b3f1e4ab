/*
 * The failure table through the C library: every row of bindings/failures.tsv (generated from the
 * Rust table with the header, drift-checked) is named by sfmfa_result_name as SFMFA_RESULT_<name>;
 * every row that is a Snowflake login code comes out of a real login as its result, with its code
 * and SQLSTATE, when the emulator answers the login with that code (its `answer` fault); an unknown
 * code is SFMFA_RESULT_SERVER_ERROR; and the rows that can be provoked cheaply (a closed port, an
 * unknown option, a bad value, a missing option, a malformed answer) are theirs. Java's FailuresTest
 * and Python's test_failures.py walk the same rows.
 *
 * Environment: as check.h; SFMFA_TEST_FAILURES names the table (default bindings/failures.tsv, run
 * from the repository root as run.sh does).
 */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

struct row {
    uint32_t value;
    char name[64];
    uint32_t server_code;
    char sqlstate[8];
};

static struct row ROWS[128];
static size_t N_ROWS;

static bool read_table(void)
{
    const char *path = env_or("SFMFA_TEST_FAILURES", "bindings/failures.tsv");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        CHECK(false, "open %s", path);
        return false;
    }
    char line[512];
    while (fgets(line, sizeof line, f) != NULL && N_ROWS < sizeof ROWS / sizeof ROWS[0]) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        struct row *r = &ROWS[N_ROWS];
        char shared[8];
        if (sscanf(line, "%u\t%63s\t%u\t%7s\t%7s", &r->value, r->name, &r->server_code, r->sqlstate, shared) == 5)
            N_ROWS++;
        else
            CHECK(false, "a row of %s: %s", path, line);
    }
    fclose(f);
    CHECK(N_ROWS > 20, "read %zu rows from %s", N_ROWS, path);
    return N_ROWS > 20;
}

static const struct row *row_named(const char *name)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(ROWS[i].name, name) == 0)
            return &ROWS[i];
    CHECK(false, "the table has a row %s", name);
    return NULL;
}

/* The last error after a failed call is `row` (its value, name, SQLSTATE) with server code `code`. */
static void check_row(const char *what, sfmfa_result got, const struct row *row, uint32_t code)
{
    if (row == NULL)
        return;
    char name[96];
    snprintf(name, sizeof name, "SFMFA_RESULT_%s", row->name);
    CHECK(got == row->value && strcmp(sfmfa_result_name(got), name) == 0, "%s: result %s = %u (expected %s = %u)",
          what, sfmfa_result_name(got), (unsigned)got, name, (unsigned)row->value);
    check_last_error(what, (sfmfa_result)row->value, code, row->sqlstate, NULL, NULL, NULL);
}

/* Logs in with `cfg` (freed) and returns the result. */
static sfmfa_result login(sfmfa_config *cfg)
{
    sfmfa_client *client = NULL;
    sfmfa_session *session = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    if (r != SFMFA_RESULT_OK)
        return r;
    r = sfmfa_client_login(client, &session);
    sfmfa_session_free(session);
    sfmfa_client_free(client);
    return r;
}

static void refused_with(uint32_t code, const struct row *row)
{
    char body[512], what[96];
    snprintf(body, sizeof body,
             "{\"kind\":\"answer\",\"body\":{\"success\":false,\"code\":\"%u\",\"message\":\"refused by test_failures\","
             "\"data\":null},\"times\":1}",
             (unsigned)code);
    CHECK(control("POST", "faults", body, NULL, 0), "fault: answer code %u", (unsigned)code);
    snprintf(what, sizeof what, "server code %u", (unsigned)code);
    sfmfa_client *client = NULL;
    sfmfa_session *session = NULL;
    sfmfa_config *cfg = base_config("push_approve");
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    CHECK(r == SFMFA_RESULT_OK, "%s: client", what);
    if (r == SFMFA_RESULT_OK) {
        r = sfmfa_client_login(client, &session);
        check_row(what, r, row, code);
        CHECK(session == NULL, "%s: no session", what);
    }
    sfmfa_client_free(client);
    CHECK(control("DELETE", "faults", NULL, NULL, 0), "faults cleared");
}

int main(void)
{
    if (!emulator_given() || !read_table())
        return 2;

    /* Every row's name in the library is the table's. */
    for (size_t i = 0; i < N_ROWS; i++) {
        char name[96];
        snprintf(name, sizeof name, "SFMFA_RESULT_%s", ROWS[i].name);
        CHECK(strcmp(sfmfa_result_name(ROWS[i].value), name) == 0, "sfmfa_result_name(%u) is %s",
              (unsigned)ROWS[i].value, name);
    }

    /* Every Snowflake code of the table, and one it does not know. */
    size_t codes = 0;
    for (size_t i = 0; i < N_ROWS; i++) {
        if (ROWS[i].server_code != 0) {
            refused_with(ROWS[i].server_code, &ROWS[i]);
            codes++;
        }
    }
    CHECK(codes == 12, "walked the table's %zu Snowflake codes", codes);
    refused_with(394508, row_named("SERVER_ERROR"));

    /* Rows without a server code that are cheap to provoke. */
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    sfmfa_config *cfg = base_config("push_approve");
    set_ok(cfg, "port", port);
    if (test_https())
        set_ok(cfg, "host", "127.0.0.1");
    check_row("a closed port", login(cfg), row_named("CONNECT"), 0);

    cfg = base_config("push_approve");
    check_row("an unknown option", sfmfa_config_set(cfg, "wharehouse", "WH"), row_named("UNKNOWN_OPTION"), 0);
    check_row("a bad value", sfmfa_config_set(cfg, "login_timeout", "soon"), row_named("INVALID_VALUE"), 0);
    check_row("a NULL argument", sfmfa_config_set(cfg, NULL, "x"), row_named("NULL_ARGUMENT"), 0);
    sfmfa_config_free(cfg);

    cfg = NULL;
    CHECK(sfmfa_config_new(&cfg) == SFMFA_RESULT_OK, "an empty configuration");
    if (cfg != NULL) {
        sfmfa_client *client = NULL;
        check_row("no account, user, password", sfmfa_client_new(cfg, &client), row_named("MISSING_OPTION"), 0);
        sfmfa_client_free(client);
        sfmfa_config_free(cfg);
    }

    CHECK(control("POST", "faults", "{\"kind\":\"malformed_json\",\"times\":1}", NULL, 0), "fault: malformed_json");
    check_row("a malformed answer", login(base_config("push_approve")), row_named("PROTOCOL"), 0);
    CHECK(control("DELETE", "faults", NULL, NULL, 0), "faults cleared");

    return summary();
}
