/*
 * keystore_backend.h - the interface every key-store backend implements.
 *
 * keystore.c holds the public dg_keystore_* functions (keystore.h): it
 * picks a backend from the store string and calls it through this table.
 * A backend defines its own struct dg_ks_store, opaque to everyone else.
 * Each function keeps the contract of the public function of the same
 * name in keystore.h (codes, messages naming the store, thread safety);
 * the interface checks that ks is not NULL before it calls one.
 *
 * Backends: keystore_sqlite.c (a path), keystore_pg.c (a postgresql://
 * or postgres:// URI, through libpq).
 */
#ifndef DG_KEYSTORE_BACKEND_H
#define DG_KEYSTORE_BACKEND_H

#include "keystore.h"

typedef struct dg_ks_store dg_ks_store;

typedef struct dg_ks_backend {
    const char *name; /* for messages: "SQLite", "PostgreSQL" */
    int (*open)(const char *store, dg_ks_store **out, char *err, size_t errlen);
    void (*close)(dg_ks_store *ks);
    int (*put)(dg_ks_store *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
               size_t errlen);
    int (*get)(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
               char *err, size_t errlen);
    int (*delete_pad)(dg_ks_store *ks, const char *id, char *err, size_t errlen);
    int (*purge)(dg_ks_store *ks, int64_t now, unsigned *count, char *err, size_t errlen);
    int (*list)(dg_ks_store *ks, dg_pad_visitor fn, void *user, char *err, size_t errlen);
    /*
     * Issue 12 (single-use claims, scrubbing, the pseudonym secret). A
     * backend that lacks one leaves it NULL: the interface then answers
     * DG_KS_EIO "not supported by the <name> backend".
     */
    int (*claim)(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
                 char *err, size_t errlen);
    int (*release)(dg_ks_store *ks, const char *id, char *err, size_t errlen);
    int (*finish_claim)(dg_ks_store *ks, const char *id, char *err, size_t errlen);
    int (*scrub_pending)(dg_ks_store *ks);
    int (*meta_add)(dg_ks_store *ks, const char *name, const uint8_t *value, size_t len,
                    int *inserted, char *err, size_t errlen);
    int (*meta_get)(dg_ks_store *ks, const char *name, uint8_t *value, size_t cap, size_t *len,
                    char *err, size_t errlen);
    /*
     * The audit trail and what it needs to know (issue 13). A backend that
     * leaves them NULL has no trail yet: dg_keystore_audit_* answer
     * DG_KS_EUNSUPPORTED and the library says so (docs/audit.md).
     */
    int (*purge_ids)(dg_ks_store *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                     unsigned *count, char *err, size_t errlen);
    int (*created)(const dg_ks_store *ks);
    void (*take_expired)(dg_ks_store *ks, dg_pad_id_visitor fn, void *user);
    int (*audit_append)(dg_ks_store *ks, dg_audit_record *r, char *err, size_t errlen);
    int (*audit_list)(dg_ks_store *ks, int64_t since, dg_audit_visitor fn, void *user, char *err,
                      size_t errlen);
} dg_ks_backend;

extern const dg_ks_backend dg_ks_sqlite;
extern const dg_ks_backend dg_ks_postgresql;

/* Checks shared by the backends: a pad id is DG_KS_ID_LEN hex digits. */
int dg_ks_valid_id(const char *id);
int dg_ks_valid_info(const dg_pad_info *info);

#endif
