/*
 * queue.c - the gateway's journal and durable forwarding queue.
 *
 * One SQLite file (WAL, busy timeout, created mode 0600) with one row per
 * instance a gateway stored: the keyed name of its original SOP Instance
 * UID (never the UID), its SOP Class, the id the gateway stored it under and
 * where its forwarding stands. Storage commitment reads it; the forwarding
 * worker takes due rows from it and reports back, with a doubling delay
 * after each failure. Every call holds one mutex, so threads may share a
 * dg_queue. The schema is in SCHEMA below.
 *
 * A journal named by a postgresql:// URI is queue_pg.c's instead, shared
 * by several gateways (with a lease on each forwarding): every dg_queue_*
 * call below hands such a queue to its dg_queue_pg_* counterpart once its
 * arguments are checked.
 */
#define _POSIX_C_SOURCE 200809L /* open, O_CLOEXEC, strnlen */
#include "buffer.h"
#include "dicom.h"
#include "internal.h"
#include "kdf.h"
#include "pgconn.h"
#include "queue_pg.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 10000

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS dcmguard_journal ("
    " key TEXT PRIMARY KEY,"      /* HKDF of the original SOP Instance UID */
    " sop_class TEXT NOT NULL,"   /* SOP Class UID (not identifying) */
    " id TEXT NOT NULL UNIQUE,"   /* the gateway's id of the stored instance */
    " stored INTEGER NOT NULL,"   /* 1 while the gateway holds it */
    " forward INTEGER NOT NULL,"  /* dg_forward_state */
    " attempts INTEGER NOT NULL," /* failed forwarding attempts */
    " next_try INTEGER NOT NULL," /* Unix seconds */
    " added INTEGER NOT NULL,"    /* Unix seconds */
    " last_error TEXT);"          /* why the last attempt failed */
    "CREATE INDEX IF NOT EXISTS dcmguard_journal_due ON dcmguard_journal(forward, next_try);";

enum { S_ADD, S_FIND, S_DUE, S_DONE, S_ATTEMPTS, S_FAILED, S_REMOVED, S_STATS, S_COUNT };

static const char *const SQL[S_COUNT] = {
    [S_ADD] = "INSERT OR REPLACE INTO dcmguard_journal"
              " (key, sop_class, id, stored, forward, attempts, next_try, added, last_error)"
              " VALUES (?1, ?2, ?3, 1, ?4, 0, ?5, ?5, NULL)",
    [S_FIND] = "SELECT sop_class, id, stored, forward, attempts, added, last_error"
               " FROM dcmguard_journal"
               " WHERE key = ?1",
    [S_DUE] = "SELECT id FROM dcmguard_journal WHERE forward = 1 AND next_try <= ?1"
              " ORDER BY next_try, added LIMIT ?2",
    [S_DONE] = "UPDATE dcmguard_journal SET forward = 2, last_error = NULL"
               " WHERE id = ?1 AND forward = 1",
    [S_ATTEMPTS] = "SELECT attempts FROM dcmguard_journal WHERE id = ?1 AND forward = 1",
    [S_FAILED] = "UPDATE dcmguard_journal SET attempts = ?2, next_try = ?3, last_error = ?4"
                 " WHERE id = ?1 AND forward = 1",
    [S_REMOVED] = "UPDATE dcmguard_journal SET stored = 0,"
                  " forward = CASE forward WHEN 1 THEN 3 ELSE forward END WHERE id = ?1",
    [S_STATS] = "SELECT count(*), coalesce(sum(forward = 1), 0), coalesce(sum(forward = 2), 0),"
                " coalesce(sum(forward = 3), 0),"
                " coalesce(min(CASE forward WHEN 1 THEN next_try END), 0) FROM dcmguard_journal",
};

struct dg_queue {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    pthread_mutex_t lock;
    unsigned backoff_first, backoff_max;
    dg_queue_pg *pg; /* a PostgreSQL journal: everything else is unused */
};

/* Fails with SQLite's message for the connection. */
static int db_fail(dg_queue *q, char *err, size_t errlen, const char *what)
{
    return dg_fail(err, errlen, DG_ESTORE, "gateway journal: %s: %s", what, sqlite3_errmsg(q->db));
}

/* Creates the file with mode 0600 before SQLite does (its -wal and -shm then get the same mode). */
static int create_private(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return dg_fail(err, errlen, DG_ESTORE, "gateway journal %s cannot be opened or created",
                       path);
    close(fd);
    return DG_OK;
}

static int configure(dg_queue *q, int full_sync, char *err, size_t errlen)
{
    char sql[128];

    if (sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS) != SQLITE_OK)
        return db_fail(q, err, errlen, "busy timeout");
    if (sqlite3_exec(q->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(q, err, errlen, "WAL mode");
    snprintf(sql, sizeof sql, "PRAGMA synchronous=%s", full_sync ? "FULL" : "NORMAL");
    if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(q, err, errlen, "synchronous mode");
    if (sqlite3_exec(q->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(q, err, errlen, "schema (is this a dcmguard journal?)");
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v3(q->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &q->stmt[i], NULL) !=
            SQLITE_OK)
            return db_fail(q, err, errlen, "statement");
    return DG_OK;
}

/* A journal in PostgreSQL (full_sync does not apply: the server's settings rule). */
static int open_pg(const char *uri, dg_queue **out, char *err, size_t errlen)
{
    dg_queue *q = calloc(1, sizeof *q);
    int rc;

    if (q == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    rc = dg_queue_pg_open(uri, &q->pg, err, errlen);
    if (rc != DG_OK) {
        free(q);
        return rc;
    }
    *out = q;
    return DG_OK;
}

DG_API int dg_queue_open(const char *path, int full_sync, dg_queue **out, char *err, size_t errlen)
{
    dg_queue *q = NULL;
    int rc;

    if (path == NULL || *path == '\0' || out == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no gateway journal given");
    *out = NULL;
    if (dg_pg_is_uri(path))
        return open_pg(path, out, err, errlen);
    if ((rc = create_private(path, err, errlen)) != DG_OK)
        return rc;
    q = calloc(1, sizeof *q);
    if (q == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    pthread_mutex_init(&q->lock, NULL);
    q->backoff_first = 5;
    q->backoff_max = 300;
    if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = dg_fail(err, errlen, DG_ESTORE, "gateway journal %s cannot be opened: %s", path,
                     q->db ? sqlite3_errmsg(q->db) : "out of memory");
        goto fail;
    }
    if ((rc = configure(q, full_sync, err, errlen)) != DG_OK)
        goto fail;
    *out = q;
    return DG_OK;
fail:
    dg_queue_close(q);
    return rc;
}

DG_API void dg_queue_close(dg_queue *q)
{
    if (q == NULL)
        return;
    if (q->pg != NULL) {
        dg_queue_pg_close(q->pg);
        free(q);
        return;
    }
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(q->stmt[i]);
    sqlite3_close(q->db);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

DG_API int dg_queue_set_backoff(dg_queue *q, unsigned first, unsigned max)
{
    if (q == NULL || first == 0 || max < first)
        return DG_EINVAL;
    if (q->pg != NULL) {
        dg_queue_pg_set_backoff(q->pg, first, max);
        return DG_OK;
    }
    pthread_mutex_lock(&q->lock);
    q->backoff_first = first;
    q->backoff_max = max;
    pthread_mutex_unlock(&q->lock);
    return DG_OK;
}

DG_API int dg_queue_set_lease(dg_queue *q, unsigned seconds)
{
    if (q == NULL || seconds == 0)
        return DG_EINVAL;
    if (q->pg != NULL)
        dg_queue_pg_set_lease(q->pg, seconds);
    return DG_OK;
}

DG_API int dg_queue_key(dg_ctx *ctx, const char *sop_instance_uid, char key[DG_QUEUE_KEY_LEN + 1],
                        char *err, size_t errlen)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t mac[DG_QUEUE_KEY_LEN / 2];

    if (ctx == NULL || sop_instance_uid == NULL || key == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_key");
    /* keyed from the store's pseudonym secret: the master key alone cannot test a UID */
    if (dg_ctx_load_secret(ctx, err, errlen) != DG_OK)
        return DG_EKEY;
    if (dg_kdf(ctx->journal_key, sizeof ctx->journal_key, "dcmguard/v3/gateway-journal",
               (const uint8_t *)sop_instance_uid, strlen(sop_instance_uid), mac, sizeof mac) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "cannot derive the journal name");
    for (size_t i = 0; i < sizeof mac; i++) {
        key[2 * i] = hex[mac[i] >> 4];
        key[2 * i + 1] = hex[mac[i] & 15];
    }
    key[DG_QUEUE_KEY_LEN] = '\0';
    return DG_OK;
}

/*
 * The fast path of dg_queue_key_file: a bounded walk of the File Meta and of
 * the dataset's top level up to (0008,0018), for the explicit and implicit
 * VR little-endian encodings only. It reads two UIDs and nothing else; any
 * surprise (another encoding, an undefined length before the UIDs, a value
 * that is not a UID) returns -1 and the caller parses the file in full.
 */
typedef struct peek {
    const uint8_t *p;
    size_t at, len;
    int implicit;
} peek;

static int is_uid(const uint8_t *v, size_t n)
{
    if (n == 0 || n > DG_QUEUE_UID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((v[i] < '0' || v[i] > '9') && v[i] != '.')
            return 0;
    return 1;
}

/* 1 for the explicit VRs with a 2-byte reserved field and a 4-byte length. */
static int long_vr(const uint8_t *vr)
{
    static const char vrs[][3] = {"OB", "OW", "OF", "SQ", "UT", "UN", "OD",
                                  "OL", "OV", "UC", "UR", "SV", "UV"};
    for (size_t i = 0; i < sizeof vrs / sizeof *vrs; i++)
        if (vr[0] == vrs[i][0] && vr[1] == vrs[i][1])
            return 1;
    return 0;
}

/* The next element's tag, value and length; -1 when short or of undefined length. */
static int peek_element(peek *k, uint32_t *tag, const uint8_t **value, uint32_t *vlen)
{
    const uint8_t *e = k->p + k->at;
    size_t head = 8;

    if (k->len - k->at < 8)
        return -1;
    *tag = (uint32_t)dg_load_u16(e) << 16 | dg_load_u16(e + 2);
    if (k->implicit && *tag >> 16 != 0x0002) {
        *vlen = dg_load_u32(e + 4);
    } else if (long_vr(e + 4)) {
        if (k->len - k->at < 12)
            return -1;
        *vlen = dg_load_u32(e + 8);
        head = 12;
    } else {
        *vlen = dg_load_u16(e + 6);
    }
    if (*vlen == 0xFFFFFFFFu || *vlen > k->len - k->at - head)
        return -1;
    *value = e + head;
    k->at += head + *vlen;
    return 0;
}

/* Copies a UID value without its padding; 0, or -1 when it is not a UID. */
static int take_uid(const uint8_t *v, uint32_t n, char *out)
{
    while (n > 0 && (v[n - 1] == '\0' || v[n - 1] == ' '))
        n--;
    if (!is_uid(v, n))
        return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static int peek_uids(const uint8_t *file, size_t len, char *cls, char *inst)
{
    static const char implicit_ts[] = "1.2.840.10008.1.2";
    peek k = {file, 132, len, 0};
    const uint8_t *v;
    uint32_t tag, n;
    char ts[DG_QUEUE_UID_MAX + 1] = "";

    if (len < 132 || memcmp(file + 128, "DICM", 4) != 0)
        return -1;
    while (k.len - k.at >= 2 && file[k.at] == 0x02 && file[k.at + 1] == 0x00) {
        if (peek_element(&k, &tag, &v, &n) != 0)
            return -1;
        if (tag == 0x00020010 && take_uid(v, n, ts) != 0)
            return -1;
    }
    if (strcmp(ts, implicit_ts) == 0)
        k.implicit = 1;
    else if (strcmp(ts, "1.2.840.10008.1.2.2") == 0 || strcmp(ts, "1.2.840.10008.1.2.1.99") == 0 ||
             ts[0] == '\0')
        return -1; /* big endian, deflated, or no transfer syntax: the full parse decides */
    cls[0] = inst[0] = '\0';
    while (inst[0] == '\0' && peek_element(&k, &tag, &v, &n) == 0 && tag <= 0x00080018) {
        if ((tag == 0x00080016 && take_uid(v, n, cls) != 0) ||
            (tag == 0x00080018 && take_uid(v, n, inst) != 0))
            return -1;
    }
    return cls[0] != '\0' && inst[0] != '\0' ? 0 : -1;
}

DG_API int dg_queue_key_file(dg_ctx *ctx, const uint8_t *file, size_t len,
                             char key[DG_QUEUE_KEY_LEN + 1], char sop_class[DG_QUEUE_UID_MAX + 1],
                             char *err, size_t errlen)
{
    char why[DG_ERRLEN], inst[DG_QUEUE_UID_MAX + 1];
    dg_dicom *d = NULL;
    dg_dicom_info info;
    int rc;

    if (file == NULL || sop_class == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_key_file");
    if (peek_uids(file, len, sop_class, inst) == 0)
        return dg_queue_key(ctx, inst, key, err, errlen);
    if (dg_dicom_parse(file, len, &d, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "not a readable DICOM file: %s", why);
    if (dg_dicom_get_info(d, &info) != DG_DICOM_OK) {
        rc = dg_fail(err, errlen, DG_EINPUT, "cannot read the DICOM attributes");
        goto done;
    }
    if (info.sop_instance_uid[0] == '\0' || strlen(info.sop_class_uid) > DG_QUEUE_UID_MAX) {
        rc = dg_fail(err, errlen, DG_EINPUT, "no usable SOP Instance or SOP Class UID");
        goto done;
    }
    memcpy(sop_class, info.sop_class_uid, strlen(info.sop_class_uid) + 1);
    rc = dg_queue_key(ctx, info.sop_instance_uid, key, err, errlen);
done:
    dg_dicom_free(d);
    return rc;
}

/* Runs a statement that returns no row; resets it whatever happens. */
static int step_done(dg_queue *q, sqlite3_stmt *s, char *err, size_t errlen, const char *what)
{
    int rc = sqlite3_step(s) == SQLITE_DONE ? DG_OK : db_fail(q, err, errlen, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

static int valid_text(const char *s, size_t max)
{
    return s != NULL && *s != '\0' && strlen(s) <= max;
}

DG_API int dg_queue_add(dg_queue *q, const char *key, const char *sop_class, const char *id,
                        int forward, int64_t now, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc;

    if (q == NULL || !valid_text(key, DG_QUEUE_KEY_LEN) || sop_class == NULL ||
        strlen(sop_class) > DG_QUEUE_UID_MAX || !valid_text(id, DG_QUEUE_ID_MAX))
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_add");
    if (q->pg != NULL)
        return dg_queue_pg_add(q->pg, key, sop_class, id, forward, now, err, errlen);
    pthread_mutex_lock(&q->lock);
    s = q->stmt[S_ADD];
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sop_class, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, forward ? DG_FORWARD_PENDING : DG_FORWARD_NONE);
    sqlite3_bind_int64(s, 5, now);
    rc = step_done(q, s, err, errlen, "cannot record an instance");
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static void copy_column(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

DG_API int dg_queue_find(dg_queue *q, const char *key, dg_queue_entry *entry, int *found, char *err,
                         size_t errlen)
{
    sqlite3_stmt *s;
    int rc = DG_OK, step;

    if (q == NULL || key == NULL || entry == NULL || found == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_find");
    memset(entry, 0, sizeof *entry);
    *found = 0;
    if (q->pg != NULL)
        return dg_queue_pg_find(q->pg, key, entry, found, err, errlen);
    pthread_mutex_lock(&q->lock);
    s = q->stmt[S_FIND];
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    *found = step == SQLITE_ROW;
    if (step == SQLITE_ROW) {
        copy_column(s, 0, entry->sop_class, sizeof entry->sop_class);
        copy_column(s, 1, entry->id, sizeof entry->id);
        entry->stored = sqlite3_column_int(s, 2);
        entry->forward = (dg_forward_state)sqlite3_column_int(s, 3);
        entry->attempts = (unsigned)sqlite3_column_int(s, 4);
        entry->added = sqlite3_column_int64(s, 5);
        copy_column(s, 6, entry->last_error, sizeof entry->last_error);
    } else if (step != SQLITE_DONE) {
        rc = db_fail(q, err, errlen, "cannot read an instance");
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

DG_API int dg_queue_due(dg_queue *q, int64_t now, char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned max,
                        unsigned *count, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = DG_OK, step;

    if (q == NULL || ids == NULL || count == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_due");
    *count = 0;
    if (q->pg != NULL)
        return dg_queue_pg_due(q->pg, now, ids, max, count, err, errlen);
    pthread_mutex_lock(&q->lock);
    s = q->stmt[S_DUE];
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, (int)(max > 100000 ? 100000 : max));
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        copy_column(s, 0, ids[(*count)++], DG_QUEUE_ID_MAX + 1);
    if (step != SQLITE_DONE)
        rc = db_fail(q, err, errlen, "cannot read the forwarding queue");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

DG_API int dg_queue_forwarded(dg_queue *q, const char *id, char *err, size_t errlen)
{
    int rc;

    if (q == NULL || id == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_forwarded");
    if (q->pg != NULL)
        return dg_queue_pg_forwarded(q->pg, id, err, errlen);
    pthread_mutex_lock(&q->lock);
    sqlite3_bind_text(q->stmt[S_DONE], 1, id, -1, SQLITE_STATIC);
    rc = step_done(q, q->stmt[S_DONE], err, errlen, "cannot record a forwarding");
    pthread_mutex_unlock(&q->lock);
    return rc;
}

/* The delay before attempt number attempts + 1: first, doubled each time, at most max. */
static int64_t backoff(const dg_queue *q, unsigned attempts)
{
    int64_t delay = q->backoff_first;
    for (unsigned i = 1; i < attempts && delay < q->backoff_max; i++)
        delay *= 2;
    return delay < q->backoff_max ? delay : q->backoff_max;
}

/* Reads the attempts of a pending id; -1 when it is not pending. */
static int pending_attempts(dg_queue *q, const char *id)
{
    sqlite3_stmt *s = q->stmt[S_ATTEMPTS];
    int n = -1;

    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return n;
}

DG_API int dg_queue_failed(dg_queue *q, const char *id, int64_t now, const char *why, char *err,
                           size_t errlen)
{
    sqlite3_stmt *s;
    int rc = DG_OK, attempts;

    if (q == NULL || id == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_failed");
    if (q->pg != NULL)
        return dg_queue_pg_failed(q->pg, id, now, why, err, errlen);
    pthread_mutex_lock(&q->lock);
    attempts = pending_attempts(q, id);
    if (attempts >= 0) {
        s = q->stmt[S_FAILED];
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, attempts + 1);
        sqlite3_bind_int64(s, 3, now + backoff(q, (unsigned)attempts + 1));
        sqlite3_bind_text(s, 4, why ? why : "", why ? (int)strnlen(why, DG_QUEUE_WHY_MAX) : 0,
                          SQLITE_STATIC);
        rc = step_done(q, s, err, errlen, "cannot record a failed forwarding");
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

DG_API int dg_queue_removed(dg_queue *q, const char *id, char *err, size_t errlen)
{
    int rc;

    if (q == NULL || id == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_removed");
    if (q->pg != NULL)
        return dg_queue_pg_removed(q->pg, id, err, errlen);
    pthread_mutex_lock(&q->lock);
    sqlite3_bind_text(q->stmt[S_REMOVED], 1, id, -1, SQLITE_STATIC);
    rc = step_done(q, q->stmt[S_REMOVED], err, errlen, "cannot record a deletion");
    pthread_mutex_unlock(&q->lock);
    return rc;
}

DG_API int dg_queue_get_stats(dg_queue *q, dg_queue_stats *st, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = DG_OK;

    if (q == NULL || st == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_queue_get_stats");
    memset(st, 0, sizeof *st);
    if (q->pg != NULL)
        return dg_queue_pg_get_stats(q->pg, st, err, errlen);
    pthread_mutex_lock(&q->lock);
    s = q->stmt[S_STATS];
    if (sqlite3_step(s) == SQLITE_ROW) {
        st->instances = (uint64_t)sqlite3_column_int64(s, 0);
        st->pending = (uint64_t)sqlite3_column_int64(s, 1);
        st->forwarded = (uint64_t)sqlite3_column_int64(s, 2);
        st->dropped = (uint64_t)sqlite3_column_int64(s, 3);
        st->next_attempt = sqlite3_column_int64(s, 4);
    } else {
        rc = db_fail(q, err, errlen, "cannot count the journal");
    }
    sqlite3_reset(s);
    pthread_mutex_unlock(&q->lock);
    return rc;
}
