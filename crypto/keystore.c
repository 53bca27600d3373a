/*
 * keystore.c - the key store's interface: dg_keystore_open picks the
 * backend from the store string (a postgresql:// or postgres:// URI ->
 * PostgreSQL, anything else is a path -> SQLite) and every other
 * dg_keystore_* call goes through that backend's table
 * (keystore_backend.h). Nothing here touches a database.
 */
#include "keystore_backend.h"
#include "pgconn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dg_keystore {
    const dg_ks_backend *backend;
    dg_ks_store *store;
};

static int refuse_null(const char *op, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "key store (null): %s: no key store", op);
    return DG_KS_EINVAL;
}

int dg_ks_valid_id(const char *id)
{
    size_t n = 0;

    if (id == NULL)
        return 0;
    for (; n <= DG_KS_ID_LEN && id[n] != 0; n++)
        if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f') ||
              (id[n] >= 'A' && id[n] <= 'F')))
            return 0;
    return n == DG_KS_ID_LEN;
}

int dg_ks_valid_info(const dg_pad_info *info)
{
    return info != NULL && dg_ks_valid_id(info->id) &&
           memchr(info->instance, 0, sizeof info->instance) != NULL && info->alphabet >= 0 &&
           info->alphabet <= 2 && (info->policy == 0 || info->policy == 1) && info->created >= 0 &&
           info->expires >= 0 && info->length <= (uint64_t)INT64_MAX;
}

int dg_keystore_open(const char *store, dg_keystore **out, char *err, size_t errlen)
{
    const dg_ks_backend *backend = dg_pg_is_uri(store) ? &dg_ks_postgresql : &dg_ks_sqlite;
    dg_keystore *ks;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (out == NULL)
        return refuse_null("cannot open", err, errlen);
    ks = calloc(1, sizeof *ks);
    if (ks == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "key store: out of memory");
        return DG_KS_ENOMEM;
    }
    ks->backend = backend;
    rc = backend->open(store, &ks->store, err, errlen);
    if (rc != DG_KS_OK) {
        free(ks);
        return rc;
    }
    *out = ks;
    return DG_KS_OK;
}

void dg_keystore_close(dg_keystore *ks)
{
    if (ks == NULL)
        return;
    ks->backend->close(ks->store);
    free(ks);
}

int dg_keystore_put(dg_keystore *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
                    size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot store a pad", err, errlen);
    return ks->backend->put(ks->store, info, pad, err, errlen);
}

int dg_keystore_get(dg_keystore *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
                    char *err, size_t errlen)
{
    if (pad != NULL)
        *pad = NULL;
    if (ks == NULL)
        return refuse_null("cannot read a pad", err, errlen);
    return ks->backend->get(ks->store, id, now, info, pad, err, errlen);
}

int dg_keystore_delete(dg_keystore *ks, const char *id, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot delete a pad", err, errlen);
    return ks->backend->delete_pad(ks->store, id, err, errlen);
}

int dg_keystore_purge(dg_keystore *ks, int64_t now, unsigned *count, char *err, size_t errlen)
{
    if (count != NULL)
        *count = 0;
    if (ks == NULL)
        return refuse_null("cannot purge expired pads", err, errlen);
    return ks->backend->purge(ks->store, now, count, err, errlen);
}

int dg_keystore_list(dg_keystore *ks, dg_pad_visitor fn, void *user, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot list the pads", err, errlen);
    return ks->backend->list(ks->store, fn, user, err, errlen);
}

/* ---- the audit trail and what it needs (issue 13) ---- */

static int no_trail(const dg_keystore *ks, const char *op, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "key store: %s: the %s backend has no audit trail yet", op,
                 ks->backend->name);
    return DG_KS_EUNSUPPORTED;
}

int dg_keystore_purge_ids(dg_keystore *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                          unsigned *count, char *err, size_t errlen)
{
    if (count != NULL)
        *count = 0;
    if (ks == NULL)
        return refuse_null("cannot purge expired pads", err, errlen);
    if (ks->backend->purge_ids == NULL) /* the pads go, unnamed */
        return ks->backend->purge(ks->store, now, count, err, errlen);
    return ks->backend->purge_ids(ks->store, now, fn, user, count, err, errlen);
}

int dg_keystore_created(const dg_keystore *ks)
{
    return ks != NULL && ks->backend->created != NULL && ks->backend->created(ks->store);
}

void dg_keystore_take_expired(dg_keystore *ks, dg_pad_id_visitor fn, void *user)
{
    if (ks != NULL && ks->backend->take_expired != NULL)
        ks->backend->take_expired(ks->store, fn, user);
}

int dg_keystore_audit_append(dg_keystore *ks, dg_audit_record *r, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot append to the audit trail", err, errlen);
    if (ks->backend->audit_append == NULL)
        return no_trail(ks, "cannot append to the audit trail", err, errlen);
    return ks->backend->audit_append(ks->store, r, err, errlen);
}

int dg_keystore_audit_list(dg_keystore *ks, int64_t since, dg_audit_visitor fn, void *user,
                           char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot read the audit trail", err, errlen);
    if (ks->backend->audit_list == NULL)
        return no_trail(ks, "cannot read the audit trail", err, errlen);
    return ks->backend->audit_list(ks->store, since, fn, user, err, errlen);
}

static int unsupported(const dg_keystore *ks, const char *op, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "key store: %s: not supported by the %s backend", op,
                 ks->backend->name);
    return DG_KS_EIO;
}

int dg_keystore_claim(dg_keystore *ks, const char *id, int64_t now, dg_pad_info *info,
                      uint8_t **pad, char *err, size_t errlen)
{
    if (pad != NULL)
        *pad = NULL;
    if (ks == NULL)
        return refuse_null("cannot claim a pad", err, errlen);
    if (ks->backend->claim == NULL)
        return unsupported(ks, "cannot claim a pad", err, errlen);
    return ks->backend->claim(ks->store, id, now, info, pad, err, errlen);
}

int dg_keystore_release(dg_keystore *ks, const char *id, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot release a pad", err, errlen);
    if (ks->backend->release == NULL)
        return unsupported(ks, "cannot release a pad", err, errlen);
    return ks->backend->release(ks->store, id, err, errlen);
}

int dg_keystore_finish_claim(dg_keystore *ks, const char *id, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot destroy a claimed pad", err, errlen);
    if (ks->backend->finish_claim == NULL)
        return unsupported(ks, "cannot destroy a claimed pad", err, errlen);
    return ks->backend->finish_claim(ks->store, id, err, errlen);
}

int dg_keystore_scrub_pending(dg_keystore *ks)
{
    if (ks == NULL || ks->backend->scrub_pending == NULL)
        return 0; /* a backend without a WAL of its own to scrub */
    return ks->backend->scrub_pending(ks->store);
}

int dg_keystore_meta_add(dg_keystore *ks, const char *name, const uint8_t *value, size_t len,
                         int *inserted, char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot store a value", err, errlen);
    if (ks->backend->meta_add == NULL)
        return unsupported(ks, "cannot store a value", err, errlen);
    return ks->backend->meta_add(ks->store, name, value, len, inserted, err, errlen);
}

int dg_keystore_meta_get(dg_keystore *ks, const char *name, uint8_t *value, size_t cap, size_t *len,
                         char *err, size_t errlen)
{
    if (ks == NULL)
        return refuse_null("cannot read a value", err, errlen);
    if (ks->backend->meta_get == NULL)
        return unsupported(ks, "cannot read a value", err, errlen);
    return ks->backend->meta_get(ks->store, name, value, cap, len, err, errlen);
}
