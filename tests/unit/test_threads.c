/*
 * test_threads.c - concurrency of the public API, for ThreadSanitizer
 * (tests/tsan.sh) and the other builds alike.
 *
 * One dg_ctx with a worker pool of 4 threads and one key store is shared by
 * 4 caller threads, as a server shares it between connections. Each caller
 * protects and restores the same small files (with and without slices, in
 * turn), checks every restored file is the original byte for byte, and
 * inspects the protected file; a fifth thread lists and purges the key store
 * meanwhile. Every call must succeed
 * and no sanitizer may report anything.
 * Usage: test_threads TESTDATA_FILES_DIR
 */
#define _GNU_SOURCE
#include "check.h"
#include "dcmguard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CALLERS 4
#define ROUNDS 2

static const char *const names[] = {
    "pydicom_CT_small.dcm",         /* tiles, 16-bit signed */
    "pydicom_SC_rgb_small_odd.dcm", /* tiles, RGB, odd size */
    "pydicom_MR_small_RLE.dcm",     /* items */
    "pydicom_emri_small.dcm",       /* tiles, 10 frames */
    "pydicom_rtdose.dcm",           /* chunks */
};
#define FILES (sizeof names / sizeof names[0])

static struct input {
    uint8_t *data;
    size_t len;
} inputs[FILES];

static dg_ctx *shared_ctx;
static atomic_int callers_left = CALLERS;
static atomic_int failures;

/* Slices kept in memory for one restore. */
typedef struct slices {
    const dg_protected *p;
} slices;

static int load_slice(void *user, const char *name, uint8_t **data, size_t *len, char *err,
                      size_t errlen)
{
    const slices *s = user;

    for (uint32_t i = 0; i < s->p->slice_count; i++) {
        if (strcmp(s->p->slices[i].name, name) != 0)
            continue;
        *data = malloc(s->p->slices[i].len ? s->p->slices[i].len : 1);
        if (*data == NULL)
            return -1;
        memcpy(*data, s->p->slices[i].data, s->p->slices[i].len);
        *len = s->p->slices[i].len;
        return 0;
    }
    snprintf(err, errlen, "no slice %s", name);
    return -1;
}

static void fail_once(const char *what, const char *file, const char *err)
{
    fprintf(stderr, "test_threads: %s %s: %s\n", what, file, err);
    atomic_fetch_add(&failures, 1);
}

static void round_trip(size_t f, unsigned flags)
{
    char err[DG_ERRLEN] = "";
    dg_protected p;
    slices s = {&p};
    uint8_t *back = NULL;
    size_t back_len = 0;
    char *text = NULL;

    if (dg_protect(shared_ctx, inputs[f].data, inputs[f].len, names[f], flags, &p, err,
                   sizeof err) != DG_OK) {
        fail_once("protect", names[f], err);
        return;
    }
    if (dg_restore(shared_ctx, p.file, p.file_len, load_slice, &s, 0, &back, &back_len, err,
                   sizeof err) != DG_OK)
        fail_once("restore", names[f], err);
    else if (back_len != inputs[f].len || memcmp(back, inputs[f].data, back_len) != 0)
        fail_once("restore", names[f], "restored bytes differ");
    if (dg_inspect(p.file, p.file_len, &text, err, sizeof err) != DG_OK)
        fail_once("inspect", names[f], err);
    free(text);
    dg_secure_free(back, back_len);
    dg_protected_free(&p);
}

static void *caller(void *arg)
{
    size_t id = (size_t)arg;

    for (int r = 0; r < ROUNDS; r++) {
        for (size_t k = 0; k < FILES; k++) {
            size_t f = (k + id) % FILES; /* callers start on different files */
            round_trip(f, (r + id) % 2 ? DG_PROTECT_SLICES : 0);
        }
    }
    atomic_fetch_sub(&callers_left, 1);
    return NULL;
}

/* Reads and purges the key store while the callers write to it. */
static void *maintainer(void *arg)
{
    char err[DG_ERRLEN];
    unsigned destroyed;
    char *text;

    (void)arg;
    while (atomic_load(&callers_left) > 0) {
        text = NULL;
        if (dg_keys_list(shared_ctx, 1, &text, err, sizeof err) != DG_OK)
            fail_once("keys list", "", err);
        free(text);
        if (dg_keys_purge(shared_ctx, &destroyed, err, sizeof err) != DG_OK)
            fail_once("keys purge", "", err);
        usleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/dcmguard-threads.XXXXXX";
    char key[sizeof dir + 16], store[sizeof dir + 16], err[DG_ERRLEN];
    pthread_t threads[CALLERS + 1];
    int started = 0;

    if (argc < 2 || mkdtemp(dir) == NULL) {
        fprintf(stderr, "usage: test_threads TESTDATA_FILES_DIR\n");
        return 2;
    }
    for (size_t f = 0; f < FILES; f++) {
        inputs[f].data = load_in(argv[1], names[f], &inputs[f].len);
        CHECK(inputs[f].data != NULL);
        if (inputs[f].data == NULL)
            return check_summary("test_threads");
    }
    snprintf(key, sizeof key, "%s/master.key", dir);
    snprintf(store, sizeof store, "%s/keys.db", dir);
    CHECK(dg_master_key_file_create(key, err, sizeof err) == DG_OK);
    CHECK(dg_ctx_create(&shared_ctx) == DG_OK);
    CHECK(dg_ctx_load_master_key(shared_ctx, key, err, sizeof err) == DG_OK);
    CHECK(dg_ctx_open_keystore(shared_ctx, store, err, sizeof err) == DG_OK);
    CHECK(dg_ctx_set_threads(shared_ctx, 4) == DG_OK);

    for (size_t t = 0; t < CALLERS; t++)
        started += pthread_create(&threads[t], NULL, caller, (void *)t) == 0;
    CHECK(started == CALLERS);
    CHECK(pthread_create(&threads[CALLERS], NULL, maintainer, NULL) == 0);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    atomic_store(&callers_left, 0);
    pthread_join(threads[CALLERS], NULL);
    CHECK(atomic_load(&failures) == 0);
    printf("test_threads: %d callers x %d rounds x %zu files on one context (4 workers)\n", CALLERS,
           ROUNDS, FILES);

    dg_ctx_destroy(shared_ctx);
    for (size_t f = 0; f < FILES; f++)
        free(inputs[f].data);
    unlink(key);
    unlink(store);
    {
        char side[sizeof dir + 32];
        /* SQLite may leave its -wal and -shm files beside the store. */
        snprintf(side, sizeof side, "%s-wal", store);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", store);
        unlink(side);
        snprintf(side, sizeof side, "%s-journal", store);
        unlink(side);
    }
    rmdir(dir);
    return check_summary("test_threads");
}
