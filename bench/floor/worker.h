/*
 * The worker side of bench/bench.py's protocol, shared by the C programs of `make bench`: for each
 * line "run K" on stdin, K timed operations, answered with one line "ok NS NS ..." (the time of
 * each, in nanoseconds) or "error WHY" at the first one that fails.
 */
#ifndef SFMFA_BENCH_WORKER_H
#define SFMFA_BENCH_WORKER_H

#include <stdio.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline long long bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One operation: sets *ns to the time it took (the operation decides what the timer covers) and
 * returns NULL, or a message saying why it failed. */
typedef const char *(*bench_operation)(void *ctx, long long *ns);

/* Serves "run K" lines until stdin ends; returns 0. */
static inline int bench_serve(bench_operation operation, void *ctx)
{
    char line[64];
    static long long times[100000];
    while (fgets(line, sizeof line, stdin) != NULL) {
        long k = 0;
        if (sscanf(line, "run %ld", &k) != 1 || k < 0 || k > 100000) {
            printf("error bad command\n");
            fflush(stdout);
            continue;
        }
        const char *why = NULL;
        for (long i = 0; i < k && why == NULL; i++)
            why = operation(ctx, &times[i]);
        if (why != NULL) {
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

#endif
