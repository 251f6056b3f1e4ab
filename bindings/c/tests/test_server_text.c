/*
 * A hostile server's text through the C ABI (issue 14 items 2 and 3): the emulator's `answer` fault
 * refuses the login with a message holding a NUL, terminal escape sequences, bidi overrides, 100 000
 * characters, or the login's secrets in another case or split in passcode-in-password mode. The
 * last error's message must be one C string (its reported length is its strlen), hold no control
 * byte, be bounded, and hold no secret in any case.
 */
#include "check.h"

#include <ctype.h>
#include <unistd.h>

/* POSTs `body` (any size: it goes through a file) to the emulator's control API at `path`. */
static bool control_file(const char *method, const char *path, const char *body)
{
    char file[] = "/tmp/sfmfa-server-text-XXXXXX";
    int fd = mkstemp(file);
    if (fd < 0)
        return false;
    FILE *f = fdopen(fd, "w");
    bool ok = f != NULL && fputs(body, f) >= 0;
    if (f != NULL)
        ok = fclose(f) == 0 && ok;
    char cmd[1024], ca[600] = "";
    if (test_https())
        snprintf(ca, sizeof ca, " --cacert '%s'", test_ca());
    snprintf(cmd, sizeof cmd,
             "curl -fsS -o /dev/null --max-time 30 -X %s -H 'Content-Type: application/json'%s --data-binary @%s "
             "'%s://%s:%s/control/%s'",
             method, ca, file, test_protocol(), test_host(), test_port(), path);
    ok = ok && system(cmd) == 0;
    unlink(file);
    return ok;
}

/* Logs in with `cfg` (freed) while the emulator answers once with code `code` and `json_message`
 * (already JSON-escaped); returns the last error. */
static struct last_error refused(sfmfa_config *cfg, const char *code, const char *json_message)
{
    static char body[150000];
    snprintf(body, sizeof body,
             "{\"kind\":\"answer\",\"body\":{\"success\":false,\"code\":\"%s\",\"message\":\"%s\",\"data\":null},"
             "\"times\":1}",
             code, json_message);
    CHECK(control_file("POST", "faults", body), "fault: answer %s", code);
    sfmfa_client *client = NULL;
    sfmfa_session *session = NULL;
    sfmfa_result r = sfmfa_client_new(cfg, &client);
    sfmfa_config_free(cfg);
    if (r == SFMFA_RESULT_OK)
        r = sfmfa_client_login(client, &session);
    struct last_error le = read_last_error();
    CHECK(r != SFMFA_RESULT_OK && session == NULL, "code %s refuses the login (%s)", code, sfmfa_result_name(r));
    sfmfa_session_free(session);
    sfmfa_client_free(client);
    return le;
}

static bool has_control_byte(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return true;
    return false;
}

/* strstr without regard to ASCII case. */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static void nul_escape_and_bidi(void)
{
    struct last_error le =
        refused(base_config("push_approve"), "390199", "before\\u0000after \\u001b[2J\\u001b[31mred \\u202etxt.exe");
    CHECK(le.read_ok, "the message is one C string: its length is its strlen (message: %s)", le.message);
    CHECK(le.result == SFMFA_RESULT_SERVER_ERROR && le.server_code == 390199, "unknown code: SERVER_ERROR 390199");
    CHECK(!has_control_byte(le.message), "no control byte in the message");
    CHECK(strstr(le.message, "before\\u{0}after") != NULL, "the NUL is written \\u{0}: %s", le.message);
    CHECK(strstr(le.message, "\\u{1b}[2J\\u{1b}[31mred") != NULL, "ESC is written \\u{1b}: %s", le.message);
    CHECK(strstr(le.message, "\\u{202e}txt.exe") != NULL, "the bidi override is written \\u{202e}: %s", le.message);
}

static void long_text(void)
{
    static char text[100001];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    struct last_error le = refused(base_config("push_approve"), "390199", text);
    CHECK(le.read_ok && strlen(le.message) < 700, "100 000 characters are cut (%zu bytes)", strlen(le.message));
    CHECK(strstr(le.message, "more characters") != NULL, "and the cut is said: %.80s…", le.message);
}

static void secrets_in_any_case(void)
{
    struct last_error le =
        refused(base_config("push_approve"), "390100", "password abc123 or ABC123 or Abc123 refused");
    CHECK(le.read_ok && le.server_code == 390100, "390100");
    CHECK(!contains_nocase(le.message, TEST_PASSWORD), "the password in no case: %s", le.message);
    CHECK(strstr(le.message, "password **** or **** or **** refused") != NULL, "masked: %s", le.message);
}

static void passcode_in_password_parts(void)
{
    sfmfa_config *cfg = base_config("push_approve");
    set_ok(cfg, "authenticator", "username_password_mfa");
    set_ok(cfg, "password", TEST_PASSWORD TEST_PASSCODE);
    set_ok(cfg, "passcode_in_password", "on");
    struct last_error le =
        refused(cfg, "390127", "password " TEST_PASSWORD " and passcode " TEST_PASSCODE " rejected");
    CHECK(le.read_ok && le.result == SFMFA_RESULT_DUO_INVALID, "390127 is DUO_INVALID");
    CHECK(!has_secret(le.message, NULL) && !has_secret(le.hint, NULL), "neither part alone: %s", le.message);
}

int main(void)
{
    if (!emulator_given())
        return 2;
    nul_escape_and_bidi();
    long_text();
    secrets_in_any_case();
    passcode_in_password_parts();
    return summary();
}
