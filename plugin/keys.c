/*
 * keys.c - the key-store half of the public API: opening the store named
 * by -s, pad settings, and the keys list/purge/destroy maintenance calls.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

DG_API int dg_ctx_open_keystore(dg_ctx *ctx, const char *path, char *err, size_t errlen)
{
    if (ctx == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no key store given");
    return DG_OK; /* TODO(issue 3) */
}

DG_API int dg_ctx_set_otp(dg_ctx *ctx, dg_otp_mode mode, dg_otp_policy policy,
                          uint64_t ttl_seconds)
{
    if (ctx == NULL || (unsigned)mode > DG_OTP_NUMERIC || (unsigned)policy > DG_OTP_SINGLE_USE)
        return DG_EINVAL;
    ctx->otp_mode = mode;
    ctx->otp_policy = policy;
    ctx->otp_ttl = ttl_seconds;
    return DG_OK;
}

DG_API int dg_ctx_set_mode(dg_ctx *ctx, dg_pixel_mode mode)
{
    if (ctx == NULL || (unsigned)mode > DG_MODE_CHAOS)
        return DG_EINVAL;
    ctx->mode = mode;
    return DG_OK;
}

DG_API int dg_parse_duration(const char *text, uint64_t *seconds)
{
    char *end;
    unsigned long long n, unit = 1;
    if (text == NULL || seconds == NULL || *text < '0' || *text > '9')
        return DG_EINVAL;
    n = strtoull(text, &end, 10);
    if (*end == 's')
        unit = 1, end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'd')
        unit = 86400, end++;
    else if (*end == '\0' && n != 0)
        return DG_EINVAL; /* a bare number other than 0 has no unit */
    if (*end != '\0' || n > UINT64_MAX / unit)
        return DG_EINVAL;
    *seconds = n * unit;
    return DG_OK;
}

DG_API int dg_keys_list(dg_ctx *ctx, int json, char **text, char *err, size_t errlen)
{
    (void)ctx;
    (void)json;
    *text = calloc(1, 3);
    if (*text && json)
        memcpy(*text, "[]", 3);
    return *text ? DG_OK : dg_fail(err, errlen, DG_ENOMEM, "out of memory");
}

DG_API int dg_keys_purge(dg_ctx *ctx, unsigned *destroyed, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    if (destroyed)
        *destroyed = 0;
    return DG_OK;
}

DG_API int dg_keys_destroy(dg_ctx *ctx, const char *id, char *err, size_t errlen)
{
    (void)ctx;
    return dg_fail(err, errlen, DG_ENOPAD, "no pad %s in the key store", id ? id : "");
}

DG_API int dg_restore_done(dg_ctx *ctx, const uint8_t *in, size_t in_len, char *err,
                           size_t errlen)
{
    (void)ctx;
    (void)in;
    (void)in_len;
    (void)err;
    (void)errlen;
    return DG_OK;
}
