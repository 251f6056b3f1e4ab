/*
 * No secret and no token of a login stays in this process's memory once the object holding it is
 * freed (issue 14, item 4).
 *
 * A push login with the file token cache (the server issues an MFA token), a second login with the
 * cached token, and a passcode login. The program learns every secret and token of them: the
 * password and passcode it sets, the session and master tokens through the getters, the MFA tokens
 * from the cache file (read with read(2), no stdio buffer). It keeps them only XOR-masked and wipes
 * every plaintext copy of its own with a volatile loop, then scans every private writable mapping of
 * the process (heap, anonymous mappings, thread stacks, .data/.bss) through /proc/self/maps:
 *   - after sfmfa_session_free: no session token, no master token;
 *   - after sfmfa_client_cache_delete and sfmfa_client_free: no MFA token (nor any other token the
 *     cache file held: they passed through the library too);
 *   - after sfmfa_config_free: no password, no passcode.
 * Every copy found is reported with its mapping and offset.
 *
 * Under AddressSanitizer (freed memory sits in its quarantine, contents intact) and valgrind
 * (SFMFA_TEST_SLOW=1: freed blocks are held back the same way) the logins run but the scans are
 * skipped: they would report the tools' own copies.
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define MASK 0x5Au
#define MAX_SECRETS 64
#define MAX_SECRET_LEN 4096

/* A secret, stored XOR-masked so that this table is never a copy of it. */
struct masked {
    unsigned char bytes[MAX_SECRET_LEN];
    size_t len;
    char what[64];
};

static struct masked g_secrets[MAX_SECRETS];
static int g_count;

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

/* Masks `plain` (len bytes) into the table and wipes it. Returns the index, -1 when full. */
static int remember(const char *what, unsigned char *plain, size_t len)
{
    if (g_count >= MAX_SECRETS || len == 0 || len > MAX_SECRET_LEN) {
        wipe(plain, len);
        return -1;
    }
    struct masked *m = &g_secrets[g_count];
    for (size_t i = 0; i < len; i++)
        m->bytes[i] = (unsigned char)(plain[i] ^ MASK);
    wipe(plain, len);
    m->len = len;
    snprintf(m->what, sizeof m->what, "%s", what);
    return g_count++;
}

/* The same for a literal (the literal itself is in read-only memory, which is not scanned). */
static int remember_literal(const char *what, const char *literal)
{
    unsigned char buf[256];
    size_t n = strlen(literal);
    if (n > sizeof buf)
        return -1;
    memcpy(buf, literal, n);
    return remember(what, buf, n);
}

/* Reads a session text through its getter straight into a buffer that is masked and wiped. */
static int remember_session_text(const char *what, sfmfa_result (*get)(const sfmfa_session *, char *, size_t, size_t *),
                                 const sfmfa_session *s)
{
    char buf[MAX_SECRET_LEN + 1];
    size_t n = 0;
    sfmfa_result r = get(s, buf, sizeof buf, &n);
    CHECK(r == SFMFA_RESULT_OK && n > 0, "%s read (%zu bytes)", what, n);
    if (r != SFMFA_RESULT_OK)
        return -1;
    int i = remember(what, (unsigned char *)buf, n);
    wipe(buf, sizeof buf);
    return i;
}

/* Every string value of the cache file's "tokens" object, remembered (read with read(2)); their
 * indices go to g_file_tokens. */
static unsigned char g_file[1 << 20];
static int g_file_tokens[MAX_SECRETS + 1];
static int g_file_count;

static int remember_file_tokens(const char *what)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/credential_cache_v2.json", env_or("SF_TEMPORARY_CREDENTIAL_CACHE_DIR", "."));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t len = 0;
    for (;;) {
        ssize_t got = read(fd, g_file + len, sizeof g_file - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    g_file[len] = 0;
    int found = 0;
    unsigned char *p = (unsigned char *)strstr((char *)g_file, "\"tokens\"");
    p = p != NULL ? (unsigned char *)strchr((char *)p, '{') : NULL;
    /* {"key":"value", ...}: keys and values are plain (base64url, hex) strings. */
    while (p != NULL && *p != '\0' && *p != '}') {
        unsigned char *key = (unsigned char *)strchr((char *)p, '"');
        unsigned char *key_end = key != NULL ? (unsigned char *)strchr((char *)key + 1, '"') : NULL;
        unsigned char *value = key_end != NULL ? (unsigned char *)strchr((char *)key_end + 1, '"') : NULL;
        unsigned char *value_end = value != NULL ? (unsigned char *)strchr((char *)value + 1, '"') : NULL;
        if (value_end == NULL)
            break;
        size_t n = (size_t)(value_end - value - 1);
        /* Only a token not remembered yet (a renewed token is new; the others were seen). */
        bool known = false;
        for (int i = 0; i < g_count && !known; i++) {
            if (g_secrets[i].len != n)
                continue;
            known = true;
            for (size_t j = 0; j < n && known; j++)
                known = (unsigned char)(value[1 + j] ^ MASK) == g_secrets[i].bytes[j];
        }
        int index = known ? -1 : remember(what, value + 1, n);
        if (index >= 0) {
            g_file_tokens[g_file_count++] = index;
            found++;
        }
        p = value_end + 1;
        while (*p == ' ' || *p == ',' || *p == '\n')
            p++;
    }
    wipe(g_file, sizeof g_file);
    return found;
}

/* Occurrences of secret `m` in [start, end), reported one line each. */
static int count_in(const struct masked *m, const unsigned char *start, const unsigned char *end, const char *region)
{
    int hits = 0;
    if ((size_t)(end - start) < m->len)
        return 0;
    const unsigned char *last = end - m->len;
    for (const unsigned char *p = start; p <= last; p++) {
        if ((unsigned char)(*p ^ MASK) != m->bytes[0])
            continue;
        size_t j = 1;
        while (j < m->len && (unsigned char)(p[j] ^ MASK) == m->bytes[j])
            j++;
        if (j == m->len) {
            hits++;
            printf("#    %s found in %s at offset 0x%zx\n", m->what, region, (size_t)(p - start));
        }
    }
    return hits;
}

static char g_maps[1 << 20];

/* Copies of each secret in `which` (indices, -1 ends) over every private writable mapping. */
static void scan(const char *when, const int *which)
{
    if (UNDER_ASAN || test_slow()) {
        CHECK(true, "%s: scan skipped under %s (freed memory is kept by the tool)", when,
              UNDER_ASAN ? "AddressSanitizer" : "valgrind");
        return;
    }
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0, "%s: /proc/self/maps opened", when);
    if (fd < 0)
        return;
    size_t len = 0;
    for (;;) {
        ssize_t got = read(fd, g_maps + len, sizeof g_maps - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    g_maps[len] = '\0';
    int hits[MAX_SECRETS] = {0};
    size_t scanned = 0;
    for (char *line = g_maps; line != NULL && *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        uintptr_t lo = 0, hi = 0;
        char perms[8] = "";
        int name_at = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %n", &lo, &hi, perms, &name_at) >= 3) {
            const char *name = name_at > 0 ? line + name_at : "";
            bool private_rw = perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p';
            bool device = strncmp(name, "/dev/", 5) == 0;
            if (private_rw && !device && hi > lo) {
                char region[160];
                snprintf(region, sizeof region, "%s [%" PRIxPTR "-%" PRIxPTR "]", name[0] ? name : "(anonymous)", lo,
                         hi);
                for (int k = 0; which[k] >= 0; k++)
                    hits[k] += count_in(&g_secrets[which[k]], (const unsigned char *)lo, (const unsigned char *)hi,
                                        region);
                scanned += hi - lo;
            }
        }
        line = next;
    }
    CHECK(scanned > 0, "%s: %zu KiB of writable memory scanned", when, scanned / 1024);
    for (int k = 0; which[k] >= 0; k++)
        CHECK(hits[k] == 0, "%s: %s: %d copies left in memory", when, g_secrets[which[k]].what, hits[k]);
}

static sfmfa_config *config_for(const char *user)
{
    sfmfa_config *cfg = base_config(user);
    set_ok(cfg, "authenticator", "username_password_mfa");
    return cfg;
}

/* Push, then the cached MFA token, with the file cache. */
static void push_and_cached_token(void)
{
    int password = remember_literal("password", TEST_PASSWORD);
    sfmfa_config *cfg = config_for("push_approve");
    set_ok(cfg, "client_store_temporary_credential", "on");
    set_ok(cfg, "token_cache", "file");
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "client (file cache)");
    if (client == NULL) {
        sfmfa_config_free(cfg);
        return;
    }
    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "no cached token before the first login");

    int tokens[8], n = 0;
    for (int round = 0; round < 2; round++) {
        sfmfa_session *s = NULL;
        CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, round == 0 ? "push login" : "cached-token login");
        if (s == NULL)
            break;
        sfmfa_second_factor f = SFMFA_SECOND_FACTOR_NONE;
        sfmfa_session_second_factor(s, &f);
        CHECK(round == 0 || f == SFMFA_SECOND_FACTOR_MFA_TOKEN, "login %d: second factor %u", round + 1, (unsigned)f);
        tokens[n++] = remember_session_text(round == 0 ? "session token (push login)" : "session token (token login)",
                                            sfmfa_session_token, s);
        tokens[n++] = remember_session_text(round == 0 ? "master token (push login)" : "master token (token login)",
                                            sfmfa_session_master_token, s);
        int issued = remember_file_tokens(round == 0 ? "MFA token (issued)" : "MFA token (renewed)");
        if (round == 0)
            CHECK(issued >= 1, "the cache file holds the issued MFA token (%d new)", issued);
        sfmfa_session_free(s);
    }
    tokens[n] = -1;
    scan("after sfmfa_session_free", tokens);

    CHECK_RESULT(sfmfa_client_cache_delete(client), SFMFA_RESULT_OK, "cache delete");
    sfmfa_client_free(client);
    g_file_tokens[g_file_count] = -1;
    CHECK(g_file_count >= 1, "MFA tokens to look for: %d", g_file_count);
    scan("after cache delete and sfmfa_client_free", g_file_tokens);

    sfmfa_config_free(cfg);
    int pw[] = {password, -1};
    scan("after sfmfa_config_free", pw);
}

/* A passcode login without the cache: the passcode joins the secrets. */
static void passcode_login(void)
{
    int first = g_count;
    remember_literal("password", TEST_PASSWORD);
    remember_literal("passcode", TEST_PASSCODE);
    sfmfa_config *cfg = config_for("demo");
    set_ok(cfg, "passcode", TEST_PASSCODE);
    sfmfa_client *client = NULL;
    CHECK_RESULT(sfmfa_client_new(cfg, &client), SFMFA_RESULT_OK, "client (passcode)");
    sfmfa_session *s = NULL;
    CHECK_RESULT(sfmfa_client_login(client, &s), SFMFA_RESULT_OK, "passcode login");
    if (s != NULL) {
        int tokens[] = {remember_session_text("session token (passcode login)", sfmfa_session_token, s),
                        remember_session_text("master token (passcode login)", sfmfa_session_master_token, s), -1};
        CHECK_RESULT(sfmfa_session_close(s), SFMFA_RESULT_OK, "logout");
        sfmfa_session_free(s);
        scan("after logout and sfmfa_session_free", tokens);
    }
    sfmfa_client_free(client);
    sfmfa_config_free(cfg);
    int secrets[] = {first, first + 1, -1};
    scan("after sfmfa_client_free and sfmfa_config_free (passcode login)", secrets);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    push_and_cached_token();
    passcode_login();
    return summary();
}
