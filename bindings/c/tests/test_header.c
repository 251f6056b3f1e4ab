/* The header on its own, compiled as C99 and as C++17 with -Wall -Wextra -pedantic -Werror by
 * run.sh: it must be valid in both languages, and its version macros must describe the library
 * that is loaded. No emulator needed. */
#include <sfmfa.h>

#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

int main(void) {
    char expected[32];
    const char *loaded = sfmfa_version();
    sfmfa_result ok = SFMFA_RESULT_OK;

    snprintf(expected, sizeof expected, "%d.%d.%d", (int)SFMFA_VERSION_MAJOR, (int)SFMFA_VERSION_MINOR,
             (int)SFMFA_VERSION_PATCH);
    check(strcmp(SFMFA_VERSION, expected) == 0, "SFMFA_VERSION spells the numeric macros");
    check(loaded != NULL && strcmp(loaded, SFMFA_VERSION) == 0, "sfmfa_version() is the header's version");
    check(sfmfa_version_number() == SFMFA_VERSION_NUMBER, "sfmfa_version_number() is SFMFA_VERSION_NUMBER");
    check(SFMFA_VERSION_NUMBER == SFMFA_VERSION_MAJOR * 10000 + SFMFA_VERSION_MINOR * 100 + SFMFA_VERSION_PATCH,
          "SFMFA_VERSION_NUMBER is major*10000 + minor*100 + patch");
#if SFMFA_VERSION_NUMBER < 100
#error "SFMFA_VERSION_NUMBER is usable in #if and at least 0.1.0"
#endif
    check(strcmp(sfmfa_result_name(ok), "SFMFA_RESULT_OK") == 0, "sfmfa_result_name of the header's enum");
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
