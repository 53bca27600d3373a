/*
 * internal.h - what the pipeline's files share and the public API hides:
 * the context behind dg_ctx and the per-instance keys.
 */
#ifndef DG_INTERNAL_H
#define DG_INTERNAL_H

#include "dcmguard.h"
#include "masterkey.h"
#include "pool.h"
#include "seal.h"

#include <pthread.h>

struct dg_ctx {
    dg_master_key master;
    int have_master;
    unsigned tile_rows, tile_cols;
    unsigned threads;
    dg_pixel_mode mode;
    dg_otp_mode otp_mode;
    dg_otp_policy otp_policy;
    uint64_t otp_ttl;          /* seconds; 0 = never expires */
    unsigned deid_options;     /* DG_RETAIN_* = DG_DEID_OPT_* bits */
    struct dg_keystore *store; /* NULL until dg_ctx_open_keystore */
    pthread_mutex_t pool_lock;
    dg_pool *pool;                /* made on first use */
    char actor[DG_ACTOR_MAX + 1]; /* the audit trail's default actor; "" = unknown */
    int audit_syslog;             /* also send each audit record to syslog */
};

/* The pool of ctx, created on first use; NULL when that fails. */
dg_pool *dg_ctx_pool(dg_ctx *ctx);

/* The keys of one instance, all derived from its random data key. */
typedef struct dg_instance_keys {
    uint8_t data_key[32];
    dg_seal_key tiles;
    dg_seal_key envelope;
    uint8_t phi_mac[32]; /* authenticates the one-time-pad ciphertext */
} dg_instance_keys;

int dg_instance_keys_derive(dg_instance_keys *k);
void dg_instance_keys_wipe(dg_instance_keys *k);

/*
 * audit.c: appends one record (actor from the thread or ctx) when a key
 * store is open; DG_OK when none is. status DG_OK is "success", any other
 * is "refused: why" (why: an error message, never a patient value).
 */
int dg_audit_event(dg_ctx *ctx, const char *action, const char *instance, const char *pad,
                   int status, const char *why, char *err, size_t errlen);

/* snprintf into err when err is not NULL; returns status. */
int dg_fail(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
