/*
 * The timer of the process rows of `make bench` (bench/bench.py compiles it with gcc -O2): one
 * login = one process. For each line "run K" on stdin it starts PROGRAM ARGS... K times, one after
 * the other (posix_spawn, glibc's vfork+exec; stdin, stdout and stderr on /dev/null), waits for
 * each, and answers one line "ok NS NS ..." with the time from just before the spawn to the end of
 * the wait; "error WHY" when a run does not exit with 0. Timing from C keeps the parent's own cost
 * the same for every process row (the sfmfa CLI and the C floor alike).
 *
 *   spawn PROGRAM [ARGS...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spawn PROGRAM [ARGS...]\n");
        return 2;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    char line[64];
    static long long times[100000];
    while (fgets(line, sizeof line, stdin) != NULL) {
        long k = 0;
        if (sscanf(line, "run %ld", &k) != 1 || k < 0 || k > 100000) {
            printf("error bad command\n");
            fflush(stdout);
            continue;
        }
        char why[256] = "";
        for (long i = 0; i < k && why[0] == '\0'; i++) {
            long long t = now_ns();
            pid_t pid;
            int status = 0;
            int rc = posix_spawn(&pid, argv[1], &actions, NULL, argv + 1, environ);
            if (rc != 0) {
                snprintf(why, sizeof why, "cannot start %s: %s", argv[1], strerror(rc));
                break;
            }
            waitpid(pid, &status, 0);
            times[i] = now_ns() - t;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                snprintf(why, sizeof why, "%s exited with status %d", argv[1],
                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        if (why[0] != '\0') {
            printf("error %s\n", why);
        } else {
            fputs("ok", stdout);
            for (long i = 0; i < k; i++)
                printf(" %lld", times[i]);
            fputc('\n', stdout);
        }
        fflush(stdout);
    }
    return 0;
}
