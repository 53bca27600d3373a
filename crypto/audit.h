/*
 * audit.h - the audit trail's records and their hash chain.
 *
 * Every record carries the SHA-256 of its own content and of the record
 * before it (prev), so that an edited, removed, inserted or reordered
 * record breaks the chain at that place. The records are stored by the key
 * store's backend (dg_keystore_audit_append/list in keystore.h); this file
 * only hashes and checks them. A record never holds a patient value or a
 * secret: pseudonymous instance UIDs and pad ids only (docs/audit.md).
 */
#ifndef DG_AUDIT_H
#define DG_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define DG_AUDIT_ACTOR_MAX 128
#define DG_AUDIT_ACTION_MAX 32
#define DG_AUDIT_INSTANCE_MAX 64
#define DG_AUDIT_PAD_MAX 32
#define DG_AUDIT_OUTCOME_MAX 256
#define DG_AUDIT_HASH_HEX 64

typedef struct dg_audit_record {
    int64_t seq;  /* 1, 2, 3 ... in the order written */
    int64_t time; /* Unix seconds, UTC */
    char actor[DG_AUDIT_ACTOR_MAX + 1];
    char action[DG_AUDIT_ACTION_MAX + 1];
    char instance[DG_AUDIT_INSTANCE_MAX + 1]; /* pseudonymous SOP Instance UID, or "" */
    char pad[DG_AUDIT_PAD_MAX + 1];           /* pad id, or "" */
    char outcome[DG_AUDIT_OUTCOME_MAX + 1];   /* "success" or "refused: why" */
    char prev[DG_AUDIT_HASH_HEX + 1];         /* hash of record seq - 1 (64 zeros for the first) */
    char hash[DG_AUDIT_HASH_HEX + 1];         /* hash of this record */
} dg_audit_record;

/* Fills r from the arguments (NULL = ""), truncating and replacing control characters. */
void dg_audit_fill(dg_audit_record *r, int64_t time, const char *actor, const char *action,
                   const char *instance, const char *pad, const char *outcome);

/* Computes r->hash from time, the fields and prev (all set; seq is not hashed: the prev links
 * give the order, gaps in seq show removals); 0 or -1. */
int dg_audit_seal(dg_audit_record *r);

/*
 * Checks n records read in seq order: each hash against its content, each
 * prev against the record before, seq without gaps from 1. On the first
 * break, writes one line saying which record and what (edited, removed,
 * inserted, reordered) to why and returns 1 (0 when intact, -1 on error).
 */
int dg_audit_check(const dg_audit_record *records, size_t n, char *why, size_t whylen);

#endif
