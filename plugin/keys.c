/*
 * keys.c - the key-store half of the public API: opening the store named
 * by -s, pad settings, and the keys list/purge/destroy maintenance calls.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include "buffer.h"
#include "internal.h"
#include "keystore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The audit records of one pad destroyed by a purge or by expiry. */
typedef struct destroyed_pads {
    dg_ctx *ctx;
    const char *action;
    int rc;
    char *err;
    size_t errlen;
} destroyed_pads;

static int audit_destroyed(void *user, const char *id)
{
    destroyed_pads *d = user;

    if (d->rc == DG_OK)
        d->rc = dg_audit_event(d->ctx, d->action, NULL, id, DG_OK, NULL, d->err, d->errlen);
    return d->rc == DG_OK ? 0 : -1;
}

DG_API int dg_ctx_open_keystore(dg_ctx *ctx, const char *path, char *err, size_t errlen)
{
    dg_keystore *ks = NULL;
    char why[DG_ERRLEN];
    destroyed_pads d = {ctx, "pad-expire", DG_OK, err, errlen};
    int rc = DG_OK;

    if (ctx == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no key store given");
    if (dg_keystore_open(path, &ks, why, sizeof why) != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "%s", why); /* why names the store */
    dg_keystore_close(ctx->store);
    ctx->store = ks;
    ctx->have_secret = 0; /* another store, another pseudonym secret */
    if (dg_keystore_created(ks))
        rc = dg_audit_event(ctx, "keystore-create", NULL, NULL, DG_OK, NULL, err, errlen);
    if (rc == DG_OK) {
        dg_keystore_take_expired(ks, audit_destroyed, &d);
        rc = d.rc;
    }
    if (rc != DG_OK) {
        dg_keystore_close(ks);
        ctx->store = NULL;
    }
    return rc;
}

DG_API int dg_ctx_set_otp(dg_ctx *ctx, dg_otp_mode mode, dg_otp_policy policy, uint64_t ttl_seconds)
{
    if (ctx == NULL || (unsigned)mode > DG_OTP_NUMERIC || (unsigned)policy > DG_OTP_SINGLE_USE)
        return DG_EINVAL;
    ctx->otp_mode = mode;
    ctx->otp_policy = policy;
    ctx->otp_ttl = ttl_seconds;
    return DG_OK;
}

DG_API int dg_ctx_set_retain(dg_ctx *ctx, unsigned options)
{
    const unsigned known = DG_RETAIN_UIDS | DG_RETAIN_DEVICE | DG_RETAIN_INSTITUTION |
                           DG_RETAIN_PATIENT_CHARS | DG_RETAIN_FULL_DATES |
                           DG_RETAIN_MODIFIED_DATES | DG_RETAIN_SAFE_PRIVATE;
    if (ctx == NULL || (options & ~known) != 0 ||
        ((options & DG_RETAIN_FULL_DATES) && (options & DG_RETAIN_MODIFIED_DATES)))
        return DG_EINVAL;
    ctx->deid_options = options;
    return DG_OK;
}

DG_API int dg_parse_retain(const char *s, unsigned *bits)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"patient-chars", DG_RETAIN_PATIENT_CHARS},
                 {"device", DG_RETAIN_DEVICE},
                 {"institution", DG_RETAIN_INSTITUTION},
                 {"dates", DG_RETAIN_FULL_DATES},
                 {"modified-dates", DG_RETAIN_MODIFIED_DATES},
                 {"safe-private", DG_RETAIN_SAFE_PRIVATE},
                 {"uids", DG_RETAIN_UIDS}};
    if (s == NULL || bits == NULL)
        return DG_EINVAL;
    while (*s) {
        size_t len = strcspn(s, ","), i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == len && strncmp(s, names[i].name, len) == 0)
                break;
        if (i == sizeof names / sizeof names[0])
            return DG_EINVAL;
        *bits |= names[i].bit;
        s += len + (s[len] == ',');
    }
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
    errno = 0;
    n = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return DG_EINVAL;
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

static const char *alphabet_name(int a)
{
    return a == DG_OTP_VIGENERE ? "vigenere" : a == DG_OTP_NUMERIC ? "numeric" : "binary";
}

static void format_time(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == 0 || gmtime_r(&tt, &tm) == NULL)
        snprintf(out, cap, "never");
    else
        strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct listing {
    dg_buf text;
    int json;
    unsigned count;
} listing;

static int list_one(void *user, const dg_pad_info *info)
{
    listing *l = user;
    char created[32], expires[32], line[512];
    int n;

    format_time(info->created, created, sizeof created);
    format_time(info->expires, expires, sizeof expires);
    if (l->json)
        n = snprintf(line, sizeof line,
                     "%s{\"id\":\"%s\",\"instance\":\"%s\",\"mode\":\"%s\",\"policy\":\"%s\","
                     "\"created\":\"%s\",\"expires\":\"%s\",\"length\":%llu,\"claimed\":%s}",
                     l->count ? "," : "", info->id, info->instance, alphabet_name(info->alphabet),
                     info->policy ? "single-use" : "reusable", created, expires,
                     (unsigned long long)info->length, info->claimed ? "true" : "false");
    else
        n = snprintf(line, sizeof line,
                     "%s  %-8s  %-10s  created %s  expires %s  %llu bytes  %s%s\n", info->id,
                     alphabet_name(info->alphabet), info->policy ? "single-use" : "reusable",
                     created, expires, (unsigned long long)info->length, info->instance,
                     info->claimed ? "  CLAIMED (restore interrupted: keys release)" : "");
    if (n > 0)
        dg_buf_put(&l->text, line, strlen(line));
    l->count++;
    return l->text.failed ? -1 : 0;
}

static int need_store(dg_ctx *ctx, char *err, size_t errlen)
{
    if (ctx == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no context");
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open");
    return DG_OK;
}

DG_API int dg_keys_list(dg_ctx *ctx, int json, char **text, char *err, size_t errlen)
{
    listing l;
    char why[DG_ERRLEN];
    int rc = need_store(ctx, err, errlen);

    if (rc != DG_OK || text == NULL)
        return rc != DG_OK ? rc : DG_EINVAL;
    *text = NULL;
    memset(&l, 0, sizeof l);
    dg_buf_init(&l.text);
    l.json = json;
    if (json)
        dg_buf_put(&l.text, "[", 1);
    if (dg_keystore_list(ctx->store, list_one, &l, why, sizeof why) != DG_KS_OK) {
        dg_buf_free(&l.text);
        return dg_fail(err, errlen, DG_ESTORE, "cannot list the key store: %s", why);
    }
    dg_buf_put(&l.text, json ? "]\n" : "", json ? 3 : 1);
    if (l.text.failed) {
        dg_buf_free(&l.text);
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    }
    *text = (char *)l.text.data;
    return DG_OK;
}

DG_API int dg_keys_purge(dg_ctx *ctx, unsigned *destroyed, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    unsigned n = 0;
    int rc = need_store(ctx, err, errlen);

    if (rc != DG_OK)
        return rc;
    destroyed_pads d = {ctx, "pad-purge", DG_OK, err, errlen};

    if (dg_keystore_purge_ids(ctx->store, (int64_t)time(NULL), audit_destroyed, &d, &n, why,
                              sizeof why) != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot purge the key store: %s", why);
    if (destroyed != NULL)
        *destroyed = n;
    return d.rc;
}

DG_API int dg_keys_destroy(dg_ctx *ctx, const char *id, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    int rc = need_store(ctx, err, errlen);

    if (rc != DG_OK || id == NULL)
        return rc != DG_OK ? rc : DG_EINVAL;
    rc = dg_keystore_delete(ctx->store, id, why, sizeof why);
    if (rc == DG_KS_ENOTFOUND)
        rc = dg_fail(err, errlen, DG_ENOPAD, "no pad %.40s in the key store", id);
    else if (rc != DG_KS_OK)
        rc = dg_fail(err, errlen, DG_ESTORE, "cannot destroy pad %.40s: %s", id, why);
    snprintf(why, sizeof why, "%s", rc != DG_OK && err != NULL ? err : "");
    if (dg_audit_event(ctx, "pad-destroy", NULL, id, rc, why, rc == DG_OK ? err : NULL, errlen) !=
            DG_OK &&
        rc == DG_OK)
        rc = DG_ESTORE;
    return rc;
}

DG_API int dg_keys_scrub_pending(dg_ctx *ctx)
{
    return ctx != NULL && ctx->store != NULL && dg_keystore_scrub_pending(ctx->store);
}

DG_API int dg_keys_release(dg_ctx *ctx, const char *id, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    int rc = need_store(ctx, err, errlen);

    if (rc != DG_OK || id == NULL)
        return rc != DG_OK ? rc : DG_EINVAL;
    rc = dg_keystore_release(ctx->store, id, why, sizeof why);
    if (rc == DG_KS_ENOTFOUND)
        return dg_fail(err, errlen, DG_ENOPAD, "no claimed pad %s in the key store", id);
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot release pad %s: %s", id, why);
    return DG_OK;
}
