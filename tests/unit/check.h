/*
 * check.h - the few macros dcmguard's C unit tests use.
 *
 * Each test program calls CHECK(...) as often as it likes and ends with
 * return check_summary(name): it prints "N passed, N failed" and returns
 * non-zero when anything failed, which is what ctest looks at. load_path
 * and load_in read a test file into memory.
 */
#ifndef DG_CHECK_H
#define DG_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

/* A whole file in memory (data NULL and len 0 when unreadable or empty). */
typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

static inline blob load_path(const char *path)
{
    blob b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    long size;

    if (f == NULL)
        return b;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        b.data = malloc((size_t)size);
        if (b.data != NULL && fread(b.data, 1, (size_t)size, f) == (size_t)size)
            b.len = (size_t)size;
    }
    fclose(f);
    if (b.len == 0) {
        free(b.data);
        b.data = NULL;
    }
    return b;
}

/* dir/name in memory: a malloc'd buffer (NULL when unreadable or empty). */
static inline uint8_t *load_in(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    blob b;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    b = load_path(path);
    *len = b.len;
    return b.data;
}

#endif
