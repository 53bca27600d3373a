/*
 * fuzz_common.h - what the libFuzzer harnesses of tests/fuzz/ share: a
 * private temporary directory (removed at exit), a dg_ctx with a master key
 * and a key store in it, and the check that a refusal is a clean one.
 *
 * The master key is the file named by the environment variable
 * DG_FUZZ_MASTER_KEY when it is set (run.sh sets it to the key its seed
 * corpus of protected files was made with), else a fresh one made with
 * dg_master_key_file_create in the temporary directory.
 *
 * Included by one harness each (static functions, no separate object).
 */
#ifndef DG_FUZZ_COMMON_H
#define DG_FUZZ_COMMON_H

#define _GNU_SOURCE
#include "dcmguard.h"
#include "dicom.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dgf_dir[256];

static inline int dgf_remove_entry(const char *path, const struct stat *st, int type,
                                   struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static inline void dgf_remove_dir(void)
{
    if (dgf_dir[0] != '\0')
        nftw(dgf_dir, dgf_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A private directory, on tmpfs when there is one (the key store writes there). */
static inline const char *dgf_tempdir(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    if (dgf_dir[0] != '\0')
        return dgf_dir;
    snprintf(dgf_dir, sizeof dgf_dir, "%s/dcmguard-fuzz.XXXXXX", base);
    if (mkdtemp(dgf_dir) == NULL) {
        perror("dcmguard fuzz: mkdtemp");
        abort();
    }
    atexit(dgf_remove_dir);
    return dgf_dir;
}

static inline void dgf_die(const char *what, const char *err)
{
    fprintf(stderr, "dcmguard fuzz: %s: %s\n", what, err);
    abort();
}

/* A context ready for dg_protect and dg_restore: master key, key store, one thread. */
static inline dg_ctx *dgf_context(void)
{
    char err[DG_ERRLEN] = "";
    char key[300], store[300];
    const char *given = getenv("DG_FUZZ_MASTER_KEY");
    dg_ctx *ctx = NULL;

    snprintf(store, sizeof store, "%s/keys.db", dgf_tempdir());
    if (given != NULL && given[0] != '\0') {
        snprintf(key, sizeof key, "%s", given);
    } else {
        snprintf(key, sizeof key, "%s/master.key", dgf_tempdir());
        if (dg_master_key_file_create(key, err, sizeof err) != DG_OK)
            dgf_die("master key", err);
    }
    if (dg_ctx_create(&ctx) != DG_OK)
        dgf_die("context", "out of memory");
    if (dg_ctx_load_master_key(ctx, key, err, sizeof err) != DG_OK)
        dgf_die("master key", err);
    if (dg_ctx_open_keystore(ctx, store, err, sizeof err) != DG_OK)
        dgf_die("key store", err);
    /* One thread: the tile loop runs in the fuzzing thread, as coverage wants. */
    if (dg_ctx_set_threads(ctx, 1) != DG_OK)
        dgf_die("threads", "refused");
    return ctx;
}

/*
 * A refusal must be clean: a known negative status and one line of text
 * saying why (not empty, no newline, NUL-terminated in the buffer).
 */
static inline void dgf_check_refusal(const char *call, int status, const char *err, size_t errlen)
{
    const char *nul = memchr(err, '\0', errlen);

    if (status >= 0 || status < DG_ENOPAD)
        dgf_die(call, "returned a status outside dg_status");
    if (nul == NULL)
        dgf_die(call, "error message not terminated");
    if (err[0] == '\0')
        dgf_die(call, "refused without saying why");
    if (strchr(err, '\n') != NULL)
        dgf_die(call, "error message of more than one line");
}

#endif
