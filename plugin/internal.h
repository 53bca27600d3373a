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

/*
 * The keys the master key gives, each HKDF-SHA256(master key, its own
 * label): the master key itself is used for nothing else.
 */
typedef struct dg_master_keys {
    uint8_t kek[32];        /* "dcmguard/v3/key-wrap": wraps data keys */
    dg_seal_key pad_rest;   /* "dcmguard/v3/pad-at-rest": seals pads in the key store */
    uint8_t secret_kek[32]; /* "dcmguard/v3/pseudonym-secret-wrap": wraps the store's secret */
} dg_master_keys;

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
    dg_master_keys derived;    /* from the master key, one label each (secret.c) */
    pthread_mutex_t secret_lock;
    int have_secret;           /* the store's pseudonym secret is loaded */
    uint8_t pseudonym_key[32]; /* from the pseudonym secret */
    uint8_t journal_key[32];   /* from the pseudonym secret */
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
    uint8_t phi_mac[32];    /* authenticates the one-time-pad ciphertext */
    uint8_t phi_cipher[32]; /* hides that ciphertext in the file (format 3) */
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
/* Derives ctx->derived from the loaded master key. 0 or -1. */
int dg_master_keys_derive(dg_ctx *ctx);

/*
 * The pseudonym and journal keys, from the key store's pseudonym secret
 * (created with the store on first use, held there wrapped under
 * derived.secret_kek): copies them into ctx on first call.
 */
int dg_ctx_load_secret(dg_ctx *ctx, char *err, size_t errlen);

/* snprintf into err when err is not NULL; returns status. */
int dg_fail(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
