/*
 * keystore.h - the key store: one-time pads and their metadata, never
 * anything else, in one of two backends chosen by the store string:
 *   - a path: an SQLite file (keystore_sqlite.c), the embedded default;
 *   - a libpq URI, postgresql://... or postgres://... (the host may be a
 *     Unix socket folder: postgresql:///db?host=/run/postgresql): a
 *     PostgreSQL database (keystore_pg.c) that several gateways share.
 *     A password in the URI is refused: libpq reads it from its password
 *     file (~/.pgpass, PGPASSFILE), a service file or the environment.
 * Both behave the same through this interface (keystore_backend.h).
 *
 * A pad is durable when dg_keystore_put returns (a lost pad is a lost
 * identity). Every change is one transaction; any number of threads and
 * processes may share a store. Each backend creates its schema when
 * absent and refuses a database whose schema version it does not know.
 *
 * A pad row: id (32 hex digits), instance (a pseudonymous label, never
 * PHI), alphabet, policy, created and expires (Unix seconds; expires 0 =
 * never), length, the pad bytes (as the caller gives them: dcmguard seals
 * them under a key derived from the master key before they come here) and
 * claimed (a single-use pad taken by a restore that has not finished).
 * Opening the store deletes every pad whose time has passed.
 *
 * Destroying a pad overwrites its bytes in place, deletes the row and
 * empties the WAL; when a reader keeps the WAL from being emptied the scrub
 * is noted as pending and every later open or write retries it.
 *
 * The store also keeps named values (the meta table): the pseudonym
 * secret, wrapped under a key derived from the master key.
 *
 * The same store holds the audit trail (audit.h): one row per audited act,
 * hash-chained, so that every gateway on one store writes one trail. An
 * SQLite store made before the trail gets its table when next opened.
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
    DG_KS_EIO = -4,     /* the database failed: locked too long, disk full, corrupt, server down */
    DG_KS_EFORMAT = -5, /* the file or database is not a dcmguard key store */
    DG_KS_EUNSUPPORTED = -6 /* the backend does not do that (yet) */
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
    int64_t claimed; /* nonzero: claimed by a restore not yet finished */
} dg_pad_info;

/* Opens (creating when absent) the store named by store and purges expired pads. */
int dg_keystore_open(const char *store, dg_keystore **out, char *err, size_t errlen);
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

/*
 * Takes a pad for a restore, in one write transaction: a single-use pad is
 * marked claimed (then no other claim or get finds it); a reusable one is
 * only read. DG_KS_ENOTFOUND when absent, expired or already claimed.
 * *pad as for dg_keystore_get.
 */
int dg_keystore_claim(dg_keystore *ks, const char *id, int64_t now, dg_pad_info *info,
                      uint8_t **pad, char *err, size_t errlen);
/* Gives a claimed pad back (the restore failed); DG_KS_ENOTFOUND when it is not claimed. */
int dg_keystore_release(dg_keystore *ks, const char *id, char *err, size_t errlen);
/* Destroys a claimed pad (the restore is done); DG_KS_ENOTFOUND when it is not claimed. */
int dg_keystore_finish_claim(dg_keystore *ks, const char *id, char *err, size_t errlen);
/* 1 when a destroyed pad may still have a copy in the WAL (retried first), else 0. */
int dg_keystore_scrub_pending(dg_keystore *ks);
/*
 * Named values: meta_add stores value under name unless name exists
 * (*inserted says which); meta_get copies it (DG_KS_ENOTFOUND when absent).
 */
int dg_keystore_meta_add(dg_keystore *ks, const char *name, const uint8_t *value, size_t len,
                         int *inserted, char *err, size_t errlen);
int dg_keystore_meta_get(dg_keystore *ks, const char *name, uint8_t *value, size_t cap, size_t *len,
                         char *err, size_t errlen);
/* Deletes one pad, overwriting it first (DG_KS_ENOTFOUND when absent). */
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
 * The audit trail (audit.h): appends r (its time and fields set) as the
 * next record, setting r->seq, r->prev and r->hash, in one transaction,
 * durably.
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
