/*
 * keystore.h - the key store: an SQLite database holding one-time pads and
 * their metadata, never anything else.
 *
 * The file is created with mode 0600 (its -wal and -shm files too) and
 * opened in WAL mode with secure_delete on, synchronous=FULL (a pad is on
 * disk when dg_keystore_put returns: a lost pad is a lost identity) and a
 * busy timeout, so several processes can share one store. Every change is
 * one transaction. After pads are deleted the WAL is checkpointed and
 * truncated so that deleted pad bytes do not linger in it.
 *
 * A pad row: id (32 hex digits), instance (a pseudonymous label, never
 * PHI), alphabet, policy, created and expires (Unix seconds; expires 0 =
 * never), length and the pad bytes. Opening the store deletes every pad
 * whose time has passed.
 *
 * The same file holds the audit trail (table audit, audit.h): one row per
 * audited act, hash-chained. Stores made before the trail get the table
 * when next opened.
 */
#ifndef DG_KEYSTORE_H
#define DG_KEYSTORE_H

#include "audit.h"

#include <stddef.h>
#include <stdint.h>

enum {
    DG_KS_OK = 0,
    DG_KS_EINVAL = -1,
    DG_KS_ENOMEM = -2,
    DG_KS_ENOTFOUND = -3, /* no such pad (destroyed, expired or never made) */
    DG_KS_EIO = -4,       /* SQLite failed: locked too long, disk full, corrupt ... */
    DG_KS_EFORMAT = -5    /* the file is not a dcmguard key store */
};

#define DG_KS_ID_LEN 32 /* hex digits */
#define DG_KS_INSTANCE_MAX 64

typedef struct dg_keystore dg_keystore;

typedef struct dg_pad_info {
    char id[DG_KS_ID_LEN + 1];
    char instance[DG_KS_INSTANCE_MAX + 1];
    int alphabet; /* dg_otp_alphabet */
    int policy;   /* 0 reusable, 1 single-use */
    int64_t created, expires;
    uint64_t length;
} dg_pad_info;

/* Opens (creating when absent) the store at path and purges expired pads. */
int dg_keystore_open(const char *path, dg_keystore **out, char *err, size_t errlen);
void dg_keystore_close(dg_keystore *ks);

/* Stores a pad durably (committed and synced before it returns). */
int dg_keystore_put(dg_keystore *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
                    size_t errlen);

/*
 * Reads a pad that exists and has not expired at time now: *pad is
 * malloc'd (info->length bytes); wipe it with dg_wipe before free.
 */
int dg_keystore_get(dg_keystore *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
                    char *err, size_t errlen);

/* Deletes one pad (DG_KS_ENOTFOUND when absent). */
int dg_keystore_delete(dg_keystore *ks, const char *id, char *err, size_t errlen);

/* Deletes every pad with 0 < expires <= now; *count receives how many. */
int dg_keystore_purge(dg_keystore *ks, int64_t now, unsigned *count, char *err, size_t errlen);

/*
 * Like dg_keystore_purge, and calls fn with the id of every pad destroyed
 * (after the commit; fn may be NULL).
 */
typedef int (*dg_pad_id_visitor)(void *user, const char *id);
int dg_keystore_purge_ids(dg_keystore *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                          unsigned *count, char *err, size_t errlen);

/* 1 when dg_keystore_open created the store (it was absent or empty). */
int dg_keystore_created(const dg_keystore *ks);

/*
 * Calls fn with the id of every pad the purge at dg_keystore_open destroyed
 * (expired), once: the list is emptied.
 */
void dg_keystore_take_expired(dg_keystore *ks, dg_pad_id_visitor fn, void *user);

/*
 * The audit trail (audit.h), in the same store: appends r (its time and
 * fields set) as the next record, setting r->seq, r->prev and r->hash, in
 * one transaction, durably.
 */
int dg_keystore_audit_append(dg_keystore *ks, dg_audit_record *r, char *err, size_t errlen);

/* Calls fn for every record with time >= since, in seq order; fn returns 0 to go on. */
typedef int (*dg_audit_visitor)(void *user, const dg_audit_record *r);
int dg_keystore_audit_list(dg_keystore *ks, int64_t since, dg_audit_visitor fn, void *user,
                           char *err, size_t errlen);

/* Calls fn for the metadata of every pad, ordered by creation; fn returns 0 to go on. */
typedef int (*dg_pad_visitor)(void *user, const dg_pad_info *info);
int dg_keystore_list(dg_keystore *ks, dg_pad_visitor fn, void *user, char *err, size_t errlen);

#endif
