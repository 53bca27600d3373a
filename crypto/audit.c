/*
 * audit.c - hashing and checking the audit trail's hash chain (audit.h).
 *
 * A record's hash is SHA-256 over a version label and each field as a
 * 4-byte big-endian length followed by its bytes (time as decimal text,
 * prev as its 64 hex digits), so that no two records serialise alike.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "audit.h"
#include "kdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_LABEL "dcmguard/v1/audit-record"

static const char zero_hash[DG_AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Copies text (NULL = "") into out, at most cap - 1 bytes, control characters as '?'. */
static void copy_field(char *out, size_t cap, const char *text)
{
    size_t n = 0;

    for (; text != NULL && text[n] != '\0' && n + 1 < cap; n++)
        out[n] = (unsigned char)text[n] < 0x20 || text[n] == 0x7f ? '?' : text[n];
    out[n] = '\0';
}

void dg_audit_fill(dg_audit_record *r, int64_t time, const char *actor, const char *action,
                   const char *instance, const char *pad, const char *outcome)
{
    memset(r, 0, sizeof *r);
    r->time = time;
    copy_field(r->actor, sizeof r->actor, actor);
    copy_field(r->action, sizeof r->action, action);
    copy_field(r->instance, sizeof r->instance, instance);
    copy_field(r->pad, sizeof r->pad, pad);
    copy_field(r->outcome, sizeof r->outcome, outcome);
    memcpy(r->prev, zero_hash, sizeof r->prev);
}

static size_t put_field(uint8_t *buf, size_t off, const char *text, size_t len)
{
    buf[off] = (uint8_t)(len >> 24);
    buf[off + 1] = (uint8_t)(len >> 16);
    buf[off + 2] = (uint8_t)(len >> 8);
    buf[off + 3] = (uint8_t)len;
    memcpy(buf + off + 4, text, len);
    return off + 4 + len;
}

/* The hash of r's content as 64 hex digits. */
static int hash_of(const dg_audit_record *r, char out[DG_AUDIT_HASH_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t buf[sizeof AUDIT_LABEL + 8 * 4 + 24 + sizeof *r], digest[32];
    char time_text[24];
    const char *fields[] = {AUDIT_LABEL, time_text, r->actor,   r->action,
                            r->instance, r->pad,    r->outcome, r->prev};
    size_t off = 0;

    snprintf(time_text, sizeof time_text, "%lld", (long long)r->time);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        off = put_field(buf, off, fields[i], strnlen(fields[i], DG_AUDIT_OUTCOME_MAX + 1));
    if (dg_sha256(buf, off, digest) != 0)
        return -1;
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[DG_AUDIT_HASH_HEX] = '\0';
    return 0;
}

int dg_audit_seal(dg_audit_record *r)
{
    return hash_of(r, r->hash);
}

/* "record 5 was removed" or "records 5 to 7 were removed". */
static void say_removed(char *why, size_t whylen, long long first, long long last)
{
    if (first == last)
        snprintf(why, whylen, "record %lld was removed", first);
    else
        snprintf(why, whylen, "records %lld to %lld were removed", first, last);
}

/* The index of the record whose hash is h, or -1. */
static long find_hash(const dg_audit_record *records, size_t n, const char *h)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(records[i].hash, h) == 0)
            return (long)i;
    return -1;
}

/* Says why records[i] does not follow records[i - 1] (or does not start the chain). */
static void explain_link(const dg_audit_record *records, size_t n, size_t i, char *why,
                         size_t whylen)
{
    const dg_audit_record *r = &records[i];
    const char *want = i == 0 ? zero_hash : records[i - 1].hash;
    long j = find_hash(records, n, r->prev);

    if (j >= (long)i)
        snprintf(
            why, whylen,
            "records were reordered: record %lld follows record %lld in the chain, not %s %lld",
            (long long)r->seq, (long long)records[j].seq, i == 0 ? "the start" : "record",
            i == 0 ? 0LL : (long long)records[i - 1].seq);
    else if (i + 1 < n && strcmp(records[i + 1].prev, want) == 0)
        snprintf(why, whylen,
                 "record %lld was inserted: record %lld follows record %lld in the chain",
                 (long long)r->seq, (long long)records[i + 1].seq,
                 i == 0 ? 0LL : (long long)records[i - 1].seq);
    else if (j >= 0 && (size_t)j + 2 == i)
        snprintf(why, whylen,
                 "record %lld was inserted: record %lld follows record %lld in the chain",
                 (long long)records[i - 1].seq, (long long)r->seq, (long long)records[j].seq);
    else if (j >= 0)
        snprintf(
            why, whylen,
            "records were reordered: record %lld follows record %lld in the chain, not record %lld",
            (long long)r->seq, (long long)records[j].seq, (long long)records[i - 1].seq);
    else if (strcmp(r->prev, zero_hash) == 0)
        snprintf(why, whylen,
                 "record %lld claims to start the chain (records before it were removed "
                 "and the chain restarted)",
                 (long long)r->seq);
    else if (i > 0 && r->seq > records[i - 1].seq + 1)
        say_removed(why, whylen, (long long)records[i - 1].seq + 1, (long long)r->seq - 1);
    else if (i == 0 && r->seq > 1)
        say_removed(why, whylen, 1, (long long)r->seq - 1);
    else
        snprintf(why, whylen,
                 "record %lld does not follow record %lld (a record between them was removed, or "
                 "record %lld was edited and re-hashed)",
                 (long long)r->seq, i == 0 ? 0LL : (long long)records[i - 1].seq,
                 i == 0 ? 0LL : (long long)records[i - 1].seq);
}

int dg_audit_check(const dg_audit_record *records, size_t n, char *why, size_t whylen)
{
    char h[DG_AUDIT_HASH_HEX + 1];

    for (size_t i = 0; i < n; i++) {
        const dg_audit_record *r = &records[i];
        const char *want = i == 0 ? zero_hash : records[i - 1].hash;

        if (hash_of(r, h) != 0) {
            snprintf(why, whylen, "SHA-256 failed");
            return -1;
        }
        if (strcmp(h, r->hash) != 0) {
            snprintf(why, whylen, "record %lld was edited: its content does not match its hash",
                     (long long)r->seq);
            return 1;
        }
        if (strcmp(r->prev, want) != 0) {
            explain_link(records, n, i, why, whylen);
            return 1;
        }
        if (r->seq != (i == 0 ? 1 : records[i - 1].seq + 1)) {
            say_removed(why, whylen, i == 0 ? 1LL : (long long)records[i - 1].seq + 1,
                        (long long)r->seq - 1);
            return 1;
        }
    }
    return 0;
}
