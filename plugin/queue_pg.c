/*
 * queue_pg.c - the gateway's journal and forwarding queue on PostgreSQL,
 * shared by every gateway on one database (see queue_pg.h, dcmguard.h).
 *
 * One row per instance in dcmguard.journal (the columns of the SQLite
 * journal, plus a lease). Any gateway forwards any pending instance: the
 * Orthanc servers share their index and storage, so an instance one node
 * stored is readable by every other. dg_queue_pg_due leases the rows it
 * returns to this node (lease_owner, lease_until = now + the lease) in one
 * statement (FOR UPDATE SKIP LOCKED), so two nodes never take the same row
 * while the lease runs. Reporting the outcome (forwarded, failed, removed)
 * ends the lease. A node that dies mid-forward leaves its lease to run
 * out; another node then takes the row: the archive may receive that
 * instance twice (a C-STORE of the same SOP Instance, which archives
 * accept as a replacement), never zero times.
 *
 * The connection is crypto/pgconn.h's (shared by threads, reconnected
 * after a server restart, no password in the URI).
 */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include "pgconn.h"
#include "queue_pg.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define Q_SCHEMA_VERSION "1"
#define Q_SETUP_LOCK "4706182758390272844" /* pg_advisory_xact_lock key: journal setup */

static const char schema_sql[] =
    "CREATE SCHEMA IF NOT EXISTS dcmguard;"
    "CREATE TABLE IF NOT EXISTS dcmguard.journal_meta(name text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dcmguard.journal("
    " key text PRIMARY KEY,"                   /* HKDF of the original SOP Instance UID */
    " sop_class text NOT NULL,"                /* SOP Class UID (not identifying) */
    " id text NOT NULL UNIQUE,"                /* Orthanc's id of the stored instance */
    " stored integer NOT NULL,"                /* 1 while the gateways hold it */
    " forward integer NOT NULL,"               /* dg_forward_state */
    " attempts integer NOT NULL,"              /* failed forwarding attempts */
    " next_try bigint NOT NULL,"               /* Unix seconds */
    " added bigint NOT NULL,"                  /* Unix seconds */
    " last_error text,"                        /* why the last attempt failed */
    " lease_owner text,"                       /* the node forwarding it now */
    " lease_until bigint NOT NULL DEFAULT 0);" /* Unix seconds */
    "CREATE INDEX IF NOT EXISTS journal_due ON dcmguard.journal(forward, next_try);"
    "INSERT INTO dcmguard.journal_meta VALUES ('schema_version', '" Q_SCHEMA_VERSION "')"
    " ON CONFLICT (name) DO NOTHING;";

struct dg_queue_pg {
    dg_pg *pg;
    unsigned backoff_first, backoff_max, lease;
    char owner[48]; /* this node in lease_owner: pid and a random tag */
};

static int fail(dg_queue_pg *q, const PGresult *res, const char *op, char *err, size_t errlen)
{
    (void)dg_pg_error(q->pg, res, op, NULL, err, errlen);
    return DG_ESTORE;
}

/* Runs one statement with text parameters in autocommit; *rows gets the rows it changed. */
static int run(dg_queue_pg *q, const char *sql, int n, const char *const *values, unsigned *rows,
               const char *op, char *err, size_t errlen)
{
    PGresult *res;
    int rc = DG_OK;

    if (dg_pg_lock(q->pg, op, err, errlen) != 0)
        return DG_ESTORE;
    res = dg_pg_first(q->pg, sql, n, values, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(q, res, op, err, errlen);
    else if (rows != NULL)
        *rows = (unsigned)strtoul(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    dg_pg_unlock(q->pg);
    return rc;
}

static int set_up(dg_queue_pg *q, char *err, size_t errlen)
{
    const char *op = "cannot create the journal";
    PGresult *res;
    char version[16] = "";
    int rc = dg_pg_lock(q->pg, op, err, errlen) == 0 ? DG_OK : DG_ESTORE;

    if (rc != DG_OK)
        return rc;
    if (dg_pg_begin(q->pg, op, err, errlen) != 0 ||
        dg_pg_run(q->pg, "SELECT pg_advisory_xact_lock(" Q_SETUP_LOCK ")", op, err, errlen) != 0 ||
        dg_pg_run(q->pg, schema_sql, op, err, errlen) != 0)
        rc = DG_ESTORE;
    if (rc == DG_OK) {
        res = dg_pg_exec(q->pg,
                         "SELECT value FROM dcmguard.journal_meta WHERE name = 'schema_version'", 0,
                         NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            rc = fail(q, res, op, err, errlen);
        else if (PQntuples(res) == 1)
            snprintf(version, sizeof version, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    if (rc == DG_OK && strcmp(version, Q_SCHEMA_VERSION) != 0)
        rc = dg_fail(err, errlen, DG_ESTORE,
                     "gateway journal %s: journal schema version %.8s, this dcmguard knows version "
                     "%s",
                     dg_pg_name(q->pg), version, Q_SCHEMA_VERSION);
    if (rc == DG_OK && dg_pg_commit(q->pg, op, err, errlen) != 0)
        rc = DG_ESTORE;
    if (rc != DG_OK)
        dg_pg_roll_back(q->pg);
    dg_pg_unlock(q->pg);
    return rc;
}

int dg_queue_pg_open(const char *uri, dg_queue_pg **out, char *err, size_t errlen)
{
    dg_queue_pg *q = calloc(1, sizeof *q);
    uint8_t tag[6];
    int rc;

    *out = NULL;
    if (q == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    q->backoff_first = 5;
    q->backoff_max = 300;
    q->lease = 300;
    dg_random_bytes(tag, sizeof tag);
    snprintf(q->owner, sizeof q->owner, "%ld-%02x%02x%02x%02x%02x%02x", (long)getpid(), tag[0],
             tag[1], tag[2], tag[3], tag[4], tag[5]);
    rc = dg_pg_open(uri, "gateway journal", &q->pg, err, errlen);
    if (rc != 0) {
        free(q);
        return rc == -2 ? DG_EINVAL : DG_ESTORE;
    }
    rc = set_up(q, err, errlen);
    if (rc != DG_OK) {
        dg_queue_pg_close(q);
        return rc;
    }
    *out = q;
    return DG_OK;
}

void dg_queue_pg_close(dg_queue_pg *q)
{
    if (q == NULL)
        return;
    dg_pg_close(q->pg);
    free(q);
}

void dg_queue_pg_set_backoff(dg_queue_pg *q, unsigned first, unsigned max)
{
    q->backoff_first = first;
    q->backoff_max = max;
}

void dg_queue_pg_set_lease(dg_queue_pg *q, unsigned seconds)
{
    q->lease = seconds;
}

static const char upsert_sql[] =
    "INSERT INTO dcmguard.journal"
    " (key, sop_class, id, stored, forward, attempts, next_try, added, last_error)"
    " VALUES ($1, $2, $3, 1, $4, 0, $5, $5, NULL)"
    " ON CONFLICT (key) DO UPDATE SET sop_class = $2, id = $3, stored = 1, forward = $4,"
    " attempts = 0, next_try = $5, added = $5, last_error = NULL, lease_owner = NULL,"
    " lease_until = 0";

/*
 * One statement: a record of the same key (the same instance again) is
 * replaced. A record of the same id under another key (which the ids,
 * digests of the protected UIDs, do not allow but for a collision) is
 * deleted first, as the SQLite journal's INSERT OR REPLACE does.
 */
int dg_queue_pg_add(dg_queue_pg *q, const char *key, const char *sop_class, const char *id,
                    int forward, int64_t now, char *err, size_t errlen)
{
    const char *op = "cannot record an instance";
    char state[24], when[24];
    const char *values[5] = {key, sop_class, id, state, when};
    PGresult *res;
    int rc = DG_OK;

    dg_pg_format_int(state, forward ? DG_FORWARD_PENDING : DG_FORWARD_NONE);
    dg_pg_format_int(when, now);
    if (dg_pg_lock(q->pg, op, err, errlen) != 0)
        return DG_ESTORE;
    res = dg_pg_first(q->pg, upsert_sql, 5, values, 0);
    if (dg_pg_sqlstate_is(res, "23505")) {
        PQclear(res);
        res = dg_pg_exec(q->pg, "DELETE FROM dcmguard.journal WHERE id = $2 AND key <> $1", 2,
                         (const char *const[]){key, id}, 0);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            res = dg_pg_exec(q->pg, upsert_sql, 5, values, 0);
        }
    }
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(q, res, op, err, errlen);
    PQclear(res);
    dg_pg_unlock(q->pg);
    return rc;
}

int dg_queue_pg_find(dg_queue_pg *q, const char *key, dg_queue_entry *entry, int *found, char *err,
                     size_t errlen)
{
    const char *op = "cannot read an instance";
    const char *values[1] = {key};
    int64_t stored = 0, forward = 0, attempts = 0;
    PGresult *res;
    int rc = DG_OK;

    if (dg_pg_lock(q->pg, op, err, errlen) != 0)
        return DG_ESTORE;
    res = dg_pg_first(
        q->pg,
        "SELECT sop_class, id, stored, forward, attempts, added, coalesce(last_error, '')"
        " FROM dcmguard.journal WHERE key = $1",
        1, values, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(q, res, op, err, errlen);
    } else if (PQntuples(res) == 1) {
        if (dg_pg_get_text(res, 0, 0, entry->sop_class, sizeof entry->sop_class) != 0 ||
            dg_pg_get_text(res, 0, 1, entry->id, sizeof entry->id) != 0 ||
            dg_pg_get_int(res, 0, 2, &stored) != 0 || dg_pg_get_int(res, 0, 3, &forward) != 0 ||
            dg_pg_get_int(res, 0, 4, &attempts) != 0 ||
            dg_pg_get_int(res, 0, 5, &entry->added) != 0 ||
            dg_pg_get_text(res, 0, 6, entry->last_error, sizeof entry->last_error) != 0) {
            (void)dg_pg_error(q->pg, NULL, op, "a journal row is damaged", err, errlen);
            rc = DG_ESTORE;
        } else {
            *found = 1;
            entry->stored = (int)stored;
            entry->forward = (dg_forward_state)forward;
            entry->attempts = (unsigned)attempts;
        }
    }
    PQclear(res);
    dg_pg_unlock(q->pg);
    return rc;
}

int dg_queue_pg_due(dg_queue_pg *q, int64_t now, char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned max,
                    unsigned *count, char *err, size_t errlen)
{
    const char *op = "cannot read the forwarding queue";
    char when[24], limit[24], until[24];
    const char *values[4] = {when, limit, q->owner, until};
    PGresult *res;
    int rc = DG_OK;

    dg_pg_format_int(when, now);
    dg_pg_format_int(limit, max > 100000 ? 100000 : max);
    dg_pg_format_int(until, now + q->lease);
    if (dg_pg_lock(q->pg, op, err, errlen) != 0)
        return DG_ESTORE;
    res = dg_pg_first(q->pg,
                      "WITH taken AS (UPDATE dcmguard.journal SET lease_owner = $3,"
                      " lease_until = $4 WHERE id IN (SELECT id FROM dcmguard.journal"
                      " WHERE forward = 1 AND next_try <= $1 AND lease_until <= $1"
                      " ORDER BY next_try, added LIMIT $2 FOR UPDATE SKIP LOCKED)"
                      " RETURNING id, next_try, added)"
                      " SELECT id FROM taken ORDER BY next_try, added",
                      4, values, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(q, res, op, err, errlen);
    } else {
        for (int i = 0; i < PQntuples(res) && *count < max; i++)
            if (dg_pg_get_text(res, i, 0, ids[*count], DG_QUEUE_ID_MAX + 1) == 0)
                (*count)++;
    }
    PQclear(res);
    dg_pg_unlock(q->pg);
    return rc;
}

int dg_queue_pg_forwarded(dg_queue_pg *q, const char *id, char *err, size_t errlen)
{
    const char *values[1] = {id};

    return run(q,
               "UPDATE dcmguard.journal SET forward = 2, last_error = NULL, lease_owner = NULL,"
               " lease_until = 0 WHERE id = $1 AND forward = 1",
               1, values, NULL, "cannot record a forwarding", err, errlen);
}

int dg_queue_pg_failed(dg_queue_pg *q, const char *id, int64_t now, const char *why, char *err,
                       size_t errlen)
{
    char when[24], first[24], max[24], reason[DG_QUEUE_WHY_MAX + 1];
    const char *values[5] = {id, when, first, max, reason};

    dg_pg_format_int(when, now);
    dg_pg_format_int(first, q->backoff_first);
    dg_pg_format_int(max, q->backoff_max);
    snprintf(reason, sizeof reason, "%s", why != NULL ? why : "");
    /* the delay doubles with each failure (first << attempts so far), at most max */
    return run(q,
               "UPDATE dcmguard.journal SET attempts = attempts + 1,"
               " next_try = $2::bigint + least($4::bigint, $3::bigint << least(attempts, 30)),"
               " last_error = $5, lease_owner = NULL, lease_until = 0"
               " WHERE id = $1 AND forward = 1",
               5, values, NULL, "cannot record a failed forwarding", err, errlen);
}

int dg_queue_pg_removed(dg_queue_pg *q, const char *id, char *err, size_t errlen)
{
    const char *values[1] = {id};

    return run(q,
               "UPDATE dcmguard.journal SET stored = 0, lease_owner = NULL, lease_until = 0,"
               " forward = CASE forward WHEN 1 THEN 3 ELSE forward END WHERE id = $1",
               1, values, NULL, "cannot record a deletion", err, errlen);
}

int dg_queue_pg_get_stats(dg_queue_pg *q, dg_queue_stats *st, char *err, size_t errlen)
{
    const char *op = "cannot count the journal";
    int64_t v[5] = {0};
    PGresult *res;
    int rc = DG_OK;

    if (dg_pg_lock(q->pg, op, err, errlen) != 0)
        return DG_ESTORE;
    res =
        dg_pg_first(q->pg,
                    "SELECT count(*), count(*) FILTER (WHERE forward = 1),"
                    " count(*) FILTER (WHERE forward = 2), count(*) FILTER (WHERE forward = 3),"
                    " coalesce(min(next_try) FILTER (WHERE forward = 1), 0) FROM dcmguard.journal",
                    0, NULL, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        rc = fail(q, res, op, err, errlen);
    } else {
        for (int i = 0; i < 5 && rc == DG_OK; i++)
            if (dg_pg_get_int(res, 0, i, &v[i]) != 0)
                rc = dg_fail(err, errlen, DG_ESTORE, "gateway journal %s: %s", dg_pg_name(q->pg),
                             op);
        st->instances = (uint64_t)v[0];
        st->pending = (uint64_t)v[1];
        st->forwarded = (uint64_t)v[2];
        st->dropped = (uint64_t)v[3];
        st->next_attempt = v[4];
    }
    PQclear(res);
    dg_pg_unlock(q->pg);
    return rc;
}
