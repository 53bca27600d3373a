/*
 * secret.c - one key, one purpose: the keys the master key gives (each
 * from its own HKDF label), and the pseudonym secret that the key store
 * holds.
 *
 * The pseudonym secret is 32 random bytes drawn when a store is first used
 * for protection and kept in that store, wrapped (RFC 5649) under
 * HKDF(master key, "dcmguard/v3/pseudonym-secret-wrap"). The pseudonym key
 * (UIDs, Patient ID, the date shift) and the gateway journal's key are
 * derived from it, so neither the master key alone nor the store alone can
 * compute or test a pseudonym. Every gateway on one store gets the same
 * secret; sites that must share pseudonyms export it (dg_keys_export_secret)
 * and create their store from it (dg_keys_import_secret).
 */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"
#include "kdf.h"
#include "keystore.h"
#include "keywrap.h"
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET_NAME "pseudonym-secret"
#define SECRET_FILE_MAGIC "dcmguard-pseudonym-secret-v1 "

int dg_master_keys_derive(dg_ctx *ctx)
{
    dg_master_keys *d = &ctx->derived;
    const uint8_t *mk = ctx->master.key;
    uint8_t both[64];
    int rc = -1;

    if (dg_kdf(mk, 32, "dcmguard/v3/key-wrap", NULL, 0, d->kek, 32) != 0 ||
        dg_kdf(mk, 32, "dcmguard/v3/pseudonym-secret-wrap", NULL, 0, d->secret_kek, 32) != 0 ||
        dg_kdf(mk, 32, "dcmguard/v3/pad-at-rest", NULL, 0, both, 64) != 0)
        goto done;
    memcpy(d->pad_rest.enc, both, 32);
    memcpy(d->pad_rest.mac, both + 32, 32);
    rc = 0;
done:
    dg_wipe(both, sizeof both);
    return rc;
}

/* The keys the secret gives; the secret itself is wiped by the caller. */
static int use_secret(dg_ctx *ctx, const uint8_t secret[32])
{
    if (dg_kdf(secret, 32, "dcmguard/v3/pseudonym", NULL, 0, ctx->pseudonym_key, 32) != 0 ||
        dg_kdf(secret, 32, "dcmguard/v3/gateway-journal", NULL, 0, ctx->journal_key, 32) != 0)
        return -1;
    ctx->have_secret = 1;
    return 0;
}

/* The secret of the store, unwrapped; DG_ENOPAD-like DG_ESTORE when absent (*absent set). */
static int read_secret(dg_ctx *ctx, uint8_t secret[32], int *absent, char *err, size_t errlen)
{
    uint8_t wrapped[DG_WRAP_MAX];
    size_t len = 0, n = 0;
    char why[DG_ERRLEN];
    int rc = dg_keystore_meta_get(ctx->store, SECRET_NAME, wrapped, sizeof wrapped, &len, why,
                                  sizeof why);

    *absent = rc == DG_KS_ENOTFOUND;
    if (*absent)
        return DG_ESTORE;
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "%s", why);
    if (dg_key_unwrap(ctx->derived.secret_kek, wrapped, len, secret, 32, &n) != DG_WRAP_OK ||
        n != 32)
        return dg_fail(err, errlen, DG_EKEY,
                       "the key store's pseudonym secret does not open under this master key");
    return DG_OK;
}

/* Stores secret wrapped unless the store has one; *inserted says which. */
static int add_secret(dg_ctx *ctx, const uint8_t secret[32], int *inserted, char *err,
                      size_t errlen)
{
    uint8_t wrapped[DG_WRAP_MAX];
    size_t len = 0;
    char why[DG_ERRLEN];

    if (dg_key_wrap(ctx->derived.secret_kek, secret, 32, wrapped, sizeof wrapped, &len) !=
        DG_WRAP_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "wrapping the pseudonym secret failed");
    if (dg_keystore_meta_add(ctx->store, SECRET_NAME, wrapped, len, inserted, why, sizeof why) !=
        DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "%s", why);
    return DG_OK;
}

/* Reads the store's secret, drawing one first when the store has none. */
static int load_or_create(dg_ctx *ctx, uint8_t secret[32], char *err, size_t errlen)
{
    int absent = 0, inserted = 0;
    int rc = read_secret(ctx, secret, &absent, err, errlen);

    if (rc == DG_OK || !absent)
        return rc;
    if (dg_random_secret(secret, 32) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "the random generator failed");
    rc = add_secret(ctx, secret, &inserted, err, errlen);
    if (rc != DG_OK || inserted)
        return rc;
    /* another process or gateway drew one first: everyone uses that one */
    rc = read_secret(ctx, secret, &absent, err, errlen);
    return absent ? dg_fail(err, errlen, DG_ESTORE, "the pseudonym secret vanished") : rc;
}

int dg_ctx_load_secret(dg_ctx *ctx, char *err, size_t errlen)
{
    uint8_t secret[32];
    int rc = DG_OK;

    if (!ctx->have_master)
        return dg_fail(err, errlen, DG_EKEY, "no master key loaded");
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open: it holds the pseudonym secret");
    pthread_mutex_lock(&ctx->secret_lock);
    if (!ctx->have_secret) {
        rc = load_or_create(ctx, secret, err, errlen);
        if (rc == DG_OK && use_secret(ctx, secret) != 0)
            rc = dg_fail(err, errlen, DG_ECRYPTO, "key derivation failed");
        dg_wipe(secret, sizeof secret);
    }
    pthread_mutex_unlock(&ctx->secret_lock);
    return rc;
}

static int write_secret_file(const char *path, const uint8_t secret[32], char *err, size_t errlen)
{
    char line[sizeof SECRET_FILE_MAGIC + 66];
    size_t at = strlen(SECRET_FILE_MAGIC);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ok;

    if (fd < 0)
        return dg_fail(err, errlen, DG_EINVAL, "secret file %s: %s", path, strerror(errno));
    memcpy(line, SECRET_FILE_MAGIC, at);
    for (size_t i = 0; i < 32; i++)
        snprintf(line + at + 2 * i, 3, "%02x", secret[i]);
    line[at + 64] = '\n';
    ok = write(fd, line, at + 65) == (ssize_t)(at + 65) && fsync(fd) == 0;
    dg_wipe(line, sizeof line);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return dg_fail(err, errlen, DG_EINVAL, "secret file %s: cannot write it", path);
    }
    return DG_OK;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int read_secret_file(const char *path, uint8_t secret[32], char *err, size_t errlen)
{
    char line[sizeof SECRET_FILE_MAGIC + 80];
    size_t at = strlen(SECRET_FILE_MAGIC), n;
    FILE *f = fopen(path, "re");
    int rc = DG_OK;

    if (f == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "secret file %s: %s", path, strerror(errno));
    n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = 0;
    if (n != at + 65 || memcmp(line, SECRET_FILE_MAGIC, at) != 0 || line[at + 64] != '\n')
        rc = dg_fail(err, errlen, DG_EINVAL, "secret file %s: not a dcmguard pseudonym secret",
                     path);
    for (size_t i = 0; rc == DG_OK && i < 32; i++) {
        int hi = hex_value(line[at + 2 * i]), lo = hex_value(line[at + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            rc = dg_fail(err, errlen, DG_EINVAL, "secret file %s: not a dcmguard pseudonym secret",
                         path);
        else
            secret[i] = (uint8_t)(hi << 4 | lo);
    }
    dg_wipe(line, sizeof line);
    return rc;
}

DG_API int dg_keys_export_secret(dg_ctx *ctx, const char *path, char *err, size_t errlen)
{
    uint8_t secret[32];
    int absent = 0, rc;

    if (ctx == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_keys_export_secret");
    if (!ctx->have_master || ctx->store == NULL)
        return dg_fail(err, errlen, DG_EKEY,
                       "exporting the secret needs the master key and the store");
    rc = read_secret(ctx, secret, &absent, err, errlen);
    if (absent)
        rc = dg_fail(err, errlen, DG_ESTORE, "the key store has no pseudonym secret yet");
    if (rc == DG_OK)
        rc = write_secret_file(path, secret, err, errlen);
    dg_wipe(secret, sizeof secret);
    return rc;
}

DG_API int dg_keys_import_secret(dg_ctx *ctx, const char *path, char *err, size_t errlen)
{
    uint8_t secret[32];
    int inserted = 0, rc;

    if (ctx == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_keys_import_secret");
    if (!ctx->have_master || ctx->store == NULL)
        return dg_fail(err, errlen, DG_EKEY,
                       "importing the secret needs the master key and the store");
    rc = read_secret_file(path, secret, err, errlen);
    if (rc == DG_OK)
        rc = add_secret(ctx, secret, &inserted, err, errlen);
    if (rc == DG_OK && !inserted)
        rc = dg_fail(err, errlen, DG_EINVAL,
                     "the key store has a pseudonym secret already: import into a new store");
    dg_wipe(secret, sizeof secret);
    ctx->have_secret = 0;
    return rc;
}
