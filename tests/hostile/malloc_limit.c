/*
 * malloc_limit.c - an LD_PRELOAD library for tests/hostile.sh: any single
 * allocation (malloc, calloc, realloc, aligned forms; C++ new goes through
 * malloc) larger than DG_MALLOC_LIMIT_MB megabytes (default 256) prints one
 * line naming its size and aborts the process.
 *
 * It makes "no allocation driven by a declared length before that length is
 * checked against the real size" testable in a plain build: a hostile file
 * of a few hundred bytes declaring 4 GB must never get as far as asking for
 * them, even if the allocation would have failed cleanly or been lazily
 * mapped (which a peak-RSS figure would not show). Under ASan, hostile.sh
 * uses ASan's max_allocation_size_mb instead.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The project builds with hidden visibility: these must be seen to interpose. */
#define EXPORT __attribute__((visibility("default")))

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void (*real_free)(void *);

static size_t limit;
static int resolving;

/* dlsym may allocate before the real functions are known: serve it from here. */
static _Alignas(max_align_t) unsigned char early[8192];
static size_t early_used;

static void *early_alloc(size_t n)
{
    size_t at = (early_used + 15) & ~(size_t)15;

    if (n > sizeof early - at)
        return NULL;
    early_used = at + n;
    return early + at;
}

static int is_early(const void *p)
{
    return (const unsigned char *)p >= early && (const unsigned char *)p < early + sizeof early;
}

static void resolve(void)
{
    const char *mb;

    if (real_malloc != NULL || resolving)
        return;
    resolving = 1;
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    mb = getenv("DG_MALLOC_LIMIT_MB");
    limit = (size_t)(mb != NULL ? strtoull(mb, NULL, 10) : 256) << 20;
    resolving = 0;
}

static void check(size_t n)
{
    char line[160];
    int len;

    if (limit == 0 || n <= limit)
        return;
    len = snprintf(line, sizeof line, "malloc_limit: one allocation of %zu bytes (limit %zu MB)\n",
                   n, limit >> 20);
    if (len > 0)
        (void)!write(2, line, (size_t)len);
    abort();
}

EXPORT void *malloc(size_t n)
{
    resolve();
    if (real_malloc == NULL)
        return early_alloc(n);
    check(n);
    return real_malloc(n);
}

EXPORT void *calloc(size_t count, size_t size)
{
    void *p;

    resolve();
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    if (real_calloc == NULL) {
        p = early_alloc(count * size);
        if (p != NULL)
            memset(p, 0, count * size);
        return p;
    }
    check(count * size);
    return real_calloc(count, size);
}

EXPORT void *realloc(void *old, size_t n)
{
    void *p;

    resolve();
    if (is_early(old)) {
        size_t room = (size_t)(early + sizeof early - (unsigned char *)old);
        p = malloc(n);
        if (p != NULL)
            memcpy(p, old, n < room ? n : room);
        return p;
    }
    check(n);
    return real_realloc(old, n);
}

EXPORT void free(void *p)
{
    if (p == NULL || is_early(p))
        return;
    resolve();
    if (real_free != NULL)
        real_free(p);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    check(n);
    return real_posix_memalign(out, align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    check(n);
    return real_aligned_alloc(align, n);
}

EXPORT void *memalign(size_t align, size_t n)
{
    resolve();
    check(n);
    return real_memalign(align, n);
}
