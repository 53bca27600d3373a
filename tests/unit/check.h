/*
 * check.h - the few macros dcmguard's C unit tests use.
 *
 * Each test program calls CHECK(...) as often as it likes and ends with
 * return check_summary(name): it prints "N passed, N failed" and returns
 * non-zero when anything failed, which is what ctest looks at.
 */
#ifndef DG_CHECK_H
#define DG_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed != 0;
}

#endif
