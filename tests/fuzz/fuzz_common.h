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
 * DG_FUZZ_MASK (a comma-separated list, run.sh sets it) names findings that
 * are reported and not fixed yet: inputs that would only find them again
 * are skipped, so that a run can look for new ones. Each name is one entry
 * of docs/reliability.md and one reproducer in regressions/:
 *   deflated     a deflated dataset escapes the bounded scan (dicom/scan.cpp)
 *   placeholder  the placeholder image is sized by the declared Rows, Columns
 *                and NumberOfFrames, unchecked (plugin/protect.c, pixels.c)
 *   no-meta      without File Meta, DCMTK guesses an encoding (big endian)
 *                the scan did not check (dicom/dicom.cpp)
 *   charls-slow  CharLS takes seconds to refuse some small JPEG-LS streams,
 *                which chaos mode decodes (plugin/chaosmode.c)
 * Remove a name from run.sh once its fix lands.
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

static inline int dgf_masking(const char *name)
{
    const char *mask = getenv("DG_FUZZ_MASK");
    size_t n = strlen(name);

    for (const char *p = mask; p != NULL && *p != '\0';
         p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

/* The input declares the deflated transfer syntax (the scan does not walk it). */
static inline int dgf_is_deflated(const uint8_t *data, size_t size)
{
    static const char ts[] = "1.2.840.10008.1.2.1.99";
    return memmem(data, size, ts, sizeof ts - 1) != NULL;
}

/* The input declares a JPEG-LS transfer syntax. */
static inline int dgf_is_jpegls(const uint8_t *data, size_t size)
{
    static const char ts[] = "1.2.840.10008.1.2.4.8";
    return memmem(data, size, ts, sizeof ts - 1) != NULL;
}

/* The input parses and declares an image whose placeholder would be huge. */
static inline int dgf_huge_placeholder(const uint8_t *data, size_t size)
{
    dg_dicom *d = NULL;
    dg_dicom_info info;
    int huge = 0;

    if (dg_dicom_parse(data, size, &d, NULL, 0) != DG_DICOM_OK)
        return 0;
    if (dg_dicom_get_info(d, &info) == DG_DICOM_OK && info.has_pixels)
        huge = (uint64_t)info.rows * info.cols * 3 * 2 > ((uint64_t)64 << 20) || info.frames > 4096;
    dg_dicom_free(d);
    return huge;
}

/* No "DICM" at 128 and no File Meta group at 0: DCMTK will guess the encoding. */
static inline int dgf_no_meta(const uint8_t *data, size_t size)
{
    if (size >= 132 && memcmp(data + 128, "DICM", 4) == 0)
        return 0;
    return !(size >= 2 && data[0] == 0x02 && data[1] == 0x00);
}

/* Whether the input is one that DG_FUZZ_MASK says to skip. */
static inline int dgf_masked(const uint8_t *data, size_t size, int check_placeholder)
{
    static int deflated = -1, placeholder = -1, no_meta = -1;

    if (deflated < 0) {
        deflated = dgf_masking("deflated");
        placeholder = dgf_masking("placeholder");
        no_meta = dgf_masking("no-meta");
    }
    if (deflated && dgf_is_deflated(data, size))
        return 1;
    if (no_meta && dgf_no_meta(data, size))
        return 1;
    return check_placeholder && placeholder && dgf_huge_placeholder(data, size);
}

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
