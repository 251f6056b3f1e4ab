/*
 * The raw-socket floor of `make bench` (bench/bench.py compiles it with gcc -O2): what a login
 * request costs with nothing around it. One POST = connect to 127.0.0.1:PORT, write the request
 * sfmfa sends (head and body, captured from sfmfa by bench.py) in one write, read the answer up to
 * its Content-Length, close. The answer must be `200` with `"success":true` (a floor that fails
 * its login would be a floor of nothing).
 *
 *   post REQUEST_FILE PORT [LOGOUT_FILE]
 *                                    one POST, exit 0 on a successful login (the process floor);
 *                                    with LOGOUT_FILE (sfmfa's logout request, captured the same
 *                                    way) then the logout as sfmfa sends it, with the session token
 *                                    of this login in its Authorization header (what `sfmfa login`
 *                                    does after a login)
 *   post --worker REQUEST_FILE PORT [LOGOUT_FILE]
 *                                    worker: for each line "run K" on stdin, K timed POSTs, answered
 *                                    with one line "ok NS NS ..." (or "error WHY"); with
 *                                    LOGOUT_FILE each login's session is logged out after its timer
 *                                    stops, as sfmfa's in-process rows log out theirs (so that the
 *                                    server has the same untimed work between two timed logins)
 *   post --noop                      exit at once (the floor of starting a process at all)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

static char *request;
static size_t request_len;
static char *logout;
static size_t logout_len;
static struct sockaddr_in addr;
/* Login answers are a few kilobytes; 64 KiB leaves room without being worth a realloc loop. */
static char answer[65536];

static int load(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc((size_t)n);
    *len = fread(*buf, 1, (size_t)n, f);
    fclose(f);
    return *len == (size_t)n ? 0 : -1;
}

/* Where the answer's body starts, and its end, after a successful post(). */
static size_t body_at, body_end;

/* One POST of req[0..len]; NULL on success, else why it failed. */
static const char *post_bytes(const char *req, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return "socket";
    const char *why = NULL;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        why = "connect";
        goto out;
    }
    size_t sent = 0;
    while (sent < len) { /* one write in practice; the loop only covers a short write */
        ssize_t n = write(fd, req + sent, len - sent);
        if (n <= 0) {
            why = "write";
            goto out;
        }
        sent += (size_t)n;
    }
    size_t got = 0, head = 0, total = 0;
    for (;;) {
        if (got == sizeof answer) {
            why = "answer too long";
            goto out;
        }
        ssize_t n = read(fd, answer + got, sizeof answer - got);
        if (n <= 0) {
            why = "answer cut short";
            goto out;
        }
        got += (size_t)n;
        if (head == 0) {
            char *end = memmem(answer, got, "\r\n\r\n", 4);
            if (end == NULL)
                continue;
            head = (size_t)(end - answer) + 4;
            char *cl = memmem(answer, head, "\r\nContent-Length:", 17);
            if (cl == NULL)
                cl = memmem(answer, head, "\r\ncontent-length:", 17);
            if (cl == NULL) {
                why = "no Content-Length";
                goto out;
            }
            total = head + strtoul(cl + 17, NULL, 10);
        }
        if (got >= total)
            break;
    }
    if (got < 12 || memcmp(answer + 9, "200", 3) != 0)
        why = "status is not 200";
    else if (memmem(answer + head, total - head, "\"success\":true", 14) == NULL)
        why = "the server answered \"success\":false";
    body_at = head;
    body_end = total;
out:
    close(fd);
    return why;
}

static const char *post(void)
{
    return post_bytes(request, request_len);
}

/* The logout of the session just opened: the captured logout request with this session's token
 * in place of the one in its `Authorization: Snowflake Token="..."` header. */
static const char *post_logout(void)
{
    static char buf[65536];
    char *tok = memmem(answer + body_at, body_end - body_at, "\"token\":\"", 9);
    char *at = memmem(logout, logout_len, "Token=\"", 7);
    if (tok == NULL || at == NULL)
        return "no session token in the answer, or none in the logout request";
    tok += 9;
    char *tok_end = memchr(tok, '"', (size_t)(answer + body_end - tok));
    char *at_end = memchr(at + 7, '"', (size_t)(logout + logout_len - (at + 7)));
    if (tok_end == NULL || at_end == NULL)
        return "unterminated token";
    size_t pre = (size_t)(at + 7 - logout), tlen = (size_t)(tok_end - tok);
    size_t post_len = (size_t)(logout + logout_len - at_end);
    if (pre + tlen + post_len > sizeof buf)
        return "logout request too long";
    memcpy(buf, logout, pre);
    memcpy(buf + pre, tok, tlen);
    memcpy(buf + pre + tlen, at_end, post_len);
    return post_bytes(buf, pre + tlen + post_len);
}

/* One timed POST of the captured request (bench_serve's operation), then the untimed logout of its
 * session when the worker has a logout request. */
static const char *timed_post(void *ctx, long long *ns)
{
    (void)ctx;
    long long t = bench_now_ns();
    const char *why = post();
    *ns = bench_now_ns() - t;
    if (why == NULL && logout != NULL)
        why = post_logout();
    return why;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--noop") == 0)
        return 0;
    int is_worker = (argc == 4 || argc == 5) && strcmp(argv[1], "--worker") == 0;
    if (!is_worker && argc != 3 && argc != 4) {
        fprintf(stderr, "usage: post REQUEST_FILE PORT [LOGOUT_FILE] | "
                        "post --worker REQUEST_FILE PORT [LOGOUT_FILE] | post --noop\n");
        return 2;
    }
    if (load(argv[is_worker + 1], &request, &request_len) != 0) {
        fprintf(stderr, "post: cannot read %s: %s\n", argv[is_worker + 1], strerror(errno));
        return 2;
    }
    const char *logout_file = argc == is_worker + 4 ? argv[is_worker + 3] : NULL;
    if (logout_file != NULL && load(logout_file, &logout, &logout_len) != 0) {
        fprintf(stderr, "post: cannot read %s: %s\n", logout_file, strerror(errno));
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[is_worker + 2]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (is_worker)
        return bench_serve(timed_post, NULL);
    const char *why = post();
    if (why == NULL && logout != NULL)
        why = post_logout();
    if (why != NULL) {
        fprintf(stderr, "post: %s\n", why);
        return 1;
    }
    return 0;
}
