/*
 * context.c - the dg_ctx handle: configuration, the master key, the worker
 * pool, and the small helpers every pipeline file uses.
 */
#include "internal.h"
#include "kdf.h"
#include "keystore.h"
#include "random.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DG_VERSION
#define DG_VERSION "0.0.0"
#endif

DG_API const char *dg_version(void)
{
    return DG_VERSION;
}

DG_API const char *dg_status_name(int status)
{
    switch (status) {
    case DG_OK:
        return "ok";
    case DG_EINVAL:
        return "invalid argument";
    case DG_ENOMEM:
        return "out of memory";
    case DG_EINPUT:
        return "unreadable input";
    case DG_EFORMAT:
        return "not a protected file";
    case DG_EAUTH:
        return "authentication failed";
    case DG_EKEY:
        return "key problem";
    case DG_ECODEC:
        return "codec failure";
    case DG_ECRYPTO:
        return "cryptographic failure";
    case DG_EUNSUPPORTED:
        return "unsupported";
    case DG_ESLICE:
        return "slice problem";
    case DG_ESTORE:
        return "key store problem";
    case DG_ENOPAD:
        return "one-time pad gone";
    default:
        return "unknown error";
    }
}

int dg_fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

DG_API int dg_ctx_create(dg_ctx **out)
{
    dg_ctx *ctx;
    if (out == NULL)
        return DG_EINVAL;
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return DG_ENOMEM;
    pthread_mutex_init(&ctx->pool_lock, NULL);
    pthread_mutex_init(&ctx->secret_lock, NULL);
    *out = ctx;
    return DG_OK;
}

DG_API void dg_ctx_destroy(dg_ctx *ctx)
{
    if (ctx == NULL)
        return;
    dg_pool_destroy(ctx->pool);
    pthread_mutex_destroy(&ctx->pool_lock);
    pthread_mutex_destroy(&ctx->secret_lock);
    dg_master_key_wipe(&ctx->master);
    dg_wipe(&ctx->derived, sizeof ctx->derived);
    dg_wipe(ctx->pseudonym_key, sizeof ctx->pseudonym_key);
    dg_wipe(ctx->journal_key, sizeof ctx->journal_key);
    dg_keystore_close(ctx->store);
    free(ctx);
}

DG_API int dg_ctx_load_master_key(dg_ctx *ctx, const char *path, char *err, size_t errlen)
{
    if (ctx == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no key file given");
    if (dg_master_key_load(path, &ctx->master, err, errlen) != 0) {
        ctx->have_master = 0;
        return DG_EKEY;
    }
    if (dg_master_keys_derive(ctx) != 0) {
        dg_master_key_wipe(&ctx->master);
        ctx->have_master = 0;
        return dg_fail(err, errlen, DG_ECRYPTO, "key derivation failed");
    }
    ctx->have_master = 1;
    ctx->have_secret = 0; /* the secret opens under the key it was wrapped with */
    return DG_OK;
}

DG_API int dg_master_key_file_create(const char *path, char *err, size_t errlen)
{
    if (path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no key file given");
    return dg_master_key_create(path, err, errlen) == 0 ? DG_OK : DG_EKEY;
}

DG_API void dg_secure_free(void *p, size_t len)
{
    dg_wipe(p, len);
    free(p);
}

DG_API int dg_ctx_set_tiles(dg_ctx *ctx, unsigned rows, unsigned cols)
{
    if (ctx == NULL || (rows == 0) != (cols == 0) || rows > 256 || cols > 256)
        return DG_EINVAL;
    ctx->tile_rows = rows;
    ctx->tile_cols = cols;
    return DG_OK;
}

DG_API int dg_ctx_set_threads(dg_ctx *ctx, unsigned threads)
{
    if (ctx == NULL || threads > 256)
        return DG_EINVAL;
    pthread_mutex_lock(&ctx->pool_lock);
    dg_pool_destroy(ctx->pool);
    ctx->pool = NULL;
    ctx->threads = threads;
    pthread_mutex_unlock(&ctx->pool_lock);
    return DG_OK;
}

dg_pool *dg_ctx_pool(dg_ctx *ctx)
{
    dg_pool *p;
    pthread_mutex_lock(&ctx->pool_lock);
    if (ctx->pool == NULL)
        ctx->pool = dg_pool_create(ctx->threads);
    p = ctx->pool;
    pthread_mutex_unlock(&ctx->pool_lock);
    return p;
}

int dg_instance_keys_derive(dg_instance_keys *k)
{
    uint8_t both[64];
    int rc = -1;

    if (dg_kdf(k->data_key, 32, "dcmguard/v1/tiles", NULL, 0, both, 64) != 0)
        goto done;
    memcpy(k->tiles.enc, both, 32);
    memcpy(k->tiles.mac, both + 32, 32);
    if (dg_kdf(k->data_key, 32, "dcmguard/v1/envelope", NULL, 0, both, 64) != 0)
        goto done;
    memcpy(k->envelope.enc, both, 32);
    memcpy(k->envelope.mac, both + 32, 32);
    if (dg_kdf(k->data_key, 32, "dcmguard/v1/phi-mac", NULL, 0, k->phi_mac, 32) != 0)
        goto done;
    if (dg_kdf(k->data_key, 32, "dcmguard/v3/phi-cipher", NULL, 0, k->phi_cipher, 32) != 0)
        goto done;
    rc = 0;
done:
    dg_wipe(both, sizeof both);
    return rc;
}

void dg_instance_keys_wipe(dg_instance_keys *k)
{
    dg_wipe(k, sizeof *k);
}
