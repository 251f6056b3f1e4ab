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
#include <unistd.h>

#include "worker.h"

extern char **environ;

/* The program to start and how. */
struct spawned {
    char **argv;
    posix_spawn_file_actions_t actions;
};

/* One process started and waited for (bench_serve's operation). */
static const char *timed_spawn(void *ctx, long long *ns)
{
    struct spawned *p = ctx;
    static char why[256];
    long long t = bench_now_ns();
    pid_t pid;
    int status = 0;
    int rc = posix_spawn(&pid, p->argv[0], &p->actions, NULL, p->argv, environ);
    if (rc != 0) {
        snprintf(why, sizeof why, "cannot start %s: %s", p->argv[0], strerror(rc));
        return why;
    }
    waitpid(pid, &status, 0);
    *ns = bench_now_ns() - t;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, sizeof why, "%s exited with status %d", p->argv[0],
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return why;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spawn PROGRAM [ARGS...]\n");
        return 2;
    }
    struct spawned p = {.argv = argv + 1};
    posix_spawn_file_actions_init(&p.actions);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&p.actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    return bench_serve(timed_spawn, &p);
}
