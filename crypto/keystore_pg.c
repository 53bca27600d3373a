/*
 * keystore_pg.c - the key store's PostgreSQL backend (libpq): a store
 * string postgresql://... or postgres://... names a database that several
 * gateways and CLI processes share. The interface and its guarantees are
 * in keystore.h and keystore_backend.h.
 *
 * The tables live in the schema "dcmguard" (so the store can share a
 * database with Orthanc's index): dcmguard.meta (what the schema is and
 * its version) and dcmguard.pads. The first open creates them, under a
 * transaction-scoped advisory lock so that gateways starting together do
 * not race; every open checks the version.
 *
 * The connection (one per store, shared by threads under a mutex,
 * reconnected after a server restart, no password in the URI) is
 * pgconn.h's; every failure is reported as DG_KS_EIO with libpq's first
 * line and the caller fails closed.
 */
#define _POSIX_C_SOURCE 200809L
#include "keystore_backend.h"
#include "pgconn.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_APPLICATION "dcmguard key store"
#define PG_SCHEMA_VERSION 1
#define PG_SETUP_LOCK "4706182758390272843" /* pg_advisory_xact_lock key: "DGKS" setup */

#define PG_COLUMNS "id, instance, alphabet, policy, created, expires, length"

static const char schema_sql[] =
    "CREATE SCHEMA IF NOT EXISTS dcmguard;"
    "CREATE TABLE dcmguard.meta(name text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE dcmguard.pads(id text PRIMARY KEY, instance text NOT NULL,"
    " alphabet integer NOT NULL, policy integer NOT NULL, created bigint NOT NULL,"
    " expires bigint NOT NULL, length bigint NOT NULL, pad bytea NOT NULL);"
    "CREATE INDEX pads_expires ON dcmguard.pads(expires);";

/* Ids of pads, collected by a purge. */
struct id_list {
    char (*ids)[DG_KS_ID_LEN + 1];
    size_t n;
};

struct dg_ks_store {
    dg_pg *pg;
    int created;            /* this open made the schema */
    struct id_list expired; /* pads the purge at open destroyed, until taken */
};

static void set_error(char *err, size_t errlen, const dg_ks_store *ks, const char *what,
                      const char *detail)
{
    if (err == NULL || errlen == 0)
        return;
    if (detail != NULL)
        snprintf(err, errlen, "key store %s: %s: %s", dg_pg_name(ks->pg), what, detail);
    else
        snprintf(err, errlen, "key store %s: %s", dg_pg_name(ks->pg), what);
}

/* Reports res's error (or the connection's) for operation op; returns DG_KS_EIO. */
static int fail(const dg_ks_store *ks, const PGresult *res, const char *op, char *err,
                size_t errlen)
{
    (void)dg_pg_error(ks->pg, res, op, NULL, err, errlen);
    return DG_KS_EIO;
}

static int lock_store(dg_ks_store *ks, const char *op, char *err, size_t errlen)
{
    return dg_pg_lock(ks->pg, op, err, errlen) == 0 ? DG_KS_OK : DG_KS_EIO;
}

static void unlock_store(dg_ks_store *ks)
{
    dg_pg_unlock(ks->pg);
}

static int begin(dg_ks_store *ks, const char *op, char *err, size_t errlen)
{
    return dg_pg_begin(ks->pg, op, err, errlen) == 0 ? DG_KS_OK : DG_KS_EIO;
}

static int commit(dg_ks_store *ks, const char *op, char *err, size_t errlen)
{
    return dg_pg_commit(ks->pg, op, err, errlen) == 0 ? DG_KS_OK : DG_KS_EIO;
}

static int exec_sql(dg_ks_store *ks, const char *sql, const char *op, char *err, size_t errlen)
{
    return dg_pg_run(ks->pg, sql, op, err, errlen) == 0 ? DG_KS_OK : DG_KS_EIO;
}

/* Reads the PG_COLUMNS of one row; DG_KS_EFORMAT when it is not a pad's. */
static int read_info(const dg_ks_store *ks, const PGresult *res, int row, dg_pad_info *info,
                     char *err, size_t errlen)
{
    int64_t alphabet = -1, policy = -1, length = -1;

    memset(info, 0, sizeof *info);
    if (dg_pg_get_text(res, row, 0, info->id, sizeof info->id) != 0 ||
        dg_pg_get_text(res, row, 1, info->instance, sizeof info->instance) != 0 ||
        dg_pg_get_int(res, row, 2, &alphabet) != 0 || dg_pg_get_int(res, row, 3, &policy) != 0 ||
        dg_pg_get_int(res, row, 4, &info->created) != 0 ||
        dg_pg_get_int(res, row, 5, &info->expires) != 0 ||
        dg_pg_get_int(res, row, 6, &length) != 0 || length < 0 || alphabet < 0 || alphabet > 2 ||
        policy < 0 || policy > 1) {
        set_error(err, errlen, ks, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    info->alphabet = (int)alphabet;
    info->policy = (int)policy;
    info->length = (uint64_t)length;
    if (!dg_ks_valid_info(info)) {
        set_error(err, errlen, ks, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    return DG_KS_OK;
}

/* ---- opening ---- */

/* One text value of a one-row query; *found 0 when there is no row. */
static int query_text(dg_ks_store *ks, const char *sql, char *out, size_t cap, int *found,
                      const char *op, char *err, size_t errlen)
{
    PGresult *res = PQexec(dg_pg_conn(ks->pg), sql);
    int rc = DG_KS_OK;

    *found = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
    } else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        *found = 1;
        snprintf(out, cap, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* Inside the setup transaction: creates the tables unless they exist. */
static int create_schema(dg_ks_store *ks, char *err, size_t errlen)
{
    const char *op = "cannot create the key store";
    char value[64], sql[256];
    int found = 0;
    int rc = query_text(ks, "SELECT to_regclass('dcmguard.meta')::text", value, sizeof value,
                        &found, op, err, errlen);

    if (rc != DG_KS_OK || found)
        return rc;
    rc = query_text(ks, "SELECT to_regclass('dcmguard.pads')::text", value, sizeof value, &found,
                    op, err, errlen);
    if (rc == DG_KS_OK && found) {
        set_error(err, errlen, ks, "not a dcmguard key store",
                  "the schema dcmguard has a pads table but no meta table");
        return DG_KS_EFORMAT;
    }
    if (rc == DG_KS_OK)
        rc = exec_sql(ks, schema_sql, op, err, errlen);
    ks->created = rc == DG_KS_OK;
    snprintf(sql, sizeof sql,
             "INSERT INTO dcmguard.meta VALUES ('application', '" PG_APPLICATION "'),"
             " ('schema_version', '%d')",
             PG_SCHEMA_VERSION);
    if (rc == DG_KS_OK)
        rc = exec_sql(ks, sql, op, err, errlen);
    return rc;
}

static int check_version(dg_ks_store *ks, char *err, size_t errlen)
{
    const char *op = "cannot read the schema version";
    char app[64] = "", version[32] = "", what[128];
    int found_app = 0, found_version = 0;
    int rc = query_text(ks, "SELECT value FROM dcmguard.meta WHERE name = 'application'", app,
                        sizeof app, &found_app, op, err, errlen);

    if (rc == DG_KS_OK)
        rc = query_text(ks, "SELECT value FROM dcmguard.meta WHERE name = 'schema_version'",
                        version, sizeof version, &found_version, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    if (!found_app || strcmp(app, PG_APPLICATION) != 0 || !found_version) {
        set_error(err, errlen, ks, "not a dcmguard key store", "dcmguard.meta is not ours");
        return DG_KS_EFORMAT;
    }
    if (strtol(version, NULL, 10) != PG_SCHEMA_VERSION) {
        snprintf(what, sizeof what, "schema version %.20s, this dcmguard knows version %d", version,
                 PG_SCHEMA_VERSION);
        set_error(err, errlen, ks, "not a dcmguard key store", what);
        return DG_KS_EFORMAT;
    }
    return DG_KS_OK;
}

/* Creates the schema when absent (one node at a time) and checks its version. */
static int set_up_store(dg_ks_store *ks, char *err, size_t errlen)
{
    const char *op = "cannot create the key store";
    int rc = begin(ks, op, err, errlen);

    if (rc == DG_KS_OK)
        rc = exec_sql(ks, "SELECT pg_advisory_xact_lock(" PG_SETUP_LOCK ")", op, err, errlen);
    if (rc == DG_KS_OK)
        rc = create_schema(ks, err, errlen);
    if (rc == DG_KS_OK)
        rc = check_version(ks, err, errlen);
    if (rc == DG_KS_OK) /* issue 12: claims of single-use pads, the wrapped pseudonym secret */
        rc = exec_sql(ks,
                      "SET LOCAL client_min_messages = warning;"
                      "CREATE TABLE IF NOT EXISTS dcmguard.claims(id text PRIMARY KEY);"
                      "CREATE TABLE IF NOT EXISTS dcmguard.secrets(name text PRIMARY KEY,"
                      " value bytea NOT NULL);"
                      /* issue 13: the audit trail (audit.h), one chain for every node */
                      "CREATE TABLE IF NOT EXISTS dcmguard.audit(seq bigint PRIMARY KEY,"
                      " time bigint NOT NULL, actor text NOT NULL, action text NOT NULL,"
                      " instance text NOT NULL, pad text NOT NULL, outcome text NOT NULL,"
                      " prev text NOT NULL, hash text NOT NULL);",
                      op, err, errlen);
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    return rc;
}

static int pg_purge_ids(dg_ks_store *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                        unsigned *count, char *err, size_t errlen);
static int remember_expired(void *user, const char *id);
static void pg_close(dg_ks_store *ks);

static int pg_open(const char *store, dg_ks_store **out, char *err, size_t errlen)
{
    dg_ks_store *ks = calloc(1, sizeof *ks);
    unsigned purged = 0;
    int rc;

    *out = NULL;
    if (ks == NULL) {
        snprintf(err, errlen, "key store: out of memory");
        return DG_KS_ENOMEM;
    }
    rc = dg_pg_open(store, "key store", &ks->pg, err, errlen);
    if (rc != 0) {
        free(ks);
        return rc == -2 ? DG_KS_EINVAL : DG_KS_EIO;
    }
    rc = set_up_store(ks, err, errlen);
    if (rc == DG_KS_OK)
        rc = pg_purge_ids(ks, (int64_t)time(NULL), remember_expired, ks, &purged, err, errlen);
    if (rc != DG_KS_OK)
        pg_close(ks);
    else
        *out = ks;
    return rc;
}

static void pg_close(dg_ks_store *ks)
{
    if (ks == NULL)
        return;
    dg_pg_close(ks->pg);
    free(ks->expired.ids);
    free(ks);
}

/* ---- put ---- */

static int insert_pad(dg_ks_store *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
                      size_t errlen)
{
    const char *op = "cannot store a pad";
    static const char empty[1];
    char alphabet[24], policy[24], created[24], expires[24], length[24];
    const char *values[8] = {info->id, info->instance, alphabet, policy,
                             created,  expires,        length,   NULL};
    int lengths[8] = {0}, formats[8] = {0};
    PGresult *res;
    int rc = DG_KS_OK;

    dg_pg_format_int(alphabet, info->alphabet);
    dg_pg_format_int(policy, info->policy);
    dg_pg_format_int(created, info->created);
    dg_pg_format_int(expires, info->expires);
    dg_pg_format_int(length, (int64_t)info->length);
    values[7] = info->length > 0 ? (const char *)pad : empty;
    lengths[7] = (int)info->length;
    formats[7] = 1; /* the pad as raw bytes */
    res = PQexecParams(dg_pg_conn(ks->pg),
                       "INSERT INTO dcmguard.pads(" PG_COLUMNS ", pad)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       8, NULL, values, lengths, formats, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        rc = DG_KS_OK;
    } else if (dg_pg_sqlstate_is(res, "23505")) {
        set_error(err, errlen, ks, op, "a pad with that id exists already");
        rc = DG_KS_EINVAL;
    } else {
        rc = fail(ks, res, op, err, errlen);
    }
    PQclear(res);
    return rc;
}

static int pg_put(dg_ks_store *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
                  size_t errlen)
{
    const char *op = "cannot store a pad";
    int rc;

    if (info == NULL || (pad == NULL && info->length > 0) || !dg_ks_valid_info(info) ||
        info->length > (uint64_t)INT32_MAX) {
        set_error(err, errlen, ks, op, "invalid pad or metadata");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = insert_pad(ks, info, pad, err, errlen);
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    unlock_store(ks);
    return rc;
}

/* ---- get ---- */

/* Copies the pad (column 7) of row 0 into a malloc'd buffer and wipes it in the result. */
static int copy_pad(const dg_ks_store *ks, PGresult *res, const dg_pad_info *info, uint8_t **pad,
                    char *err, size_t errlen)
{
    int n = PQgetlength(res, 0, 7);
    char *bytes = PQgetvalue(res, 0, 7);

    if (PQgetisnull(res, 0, 7) || n < 0 || (uint64_t)n != info->length) {
        set_error(err, errlen, ks, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    *pad = malloc(n > 0 ? (size_t)n : 1);
    if (*pad == NULL) {
        set_error(err, errlen, ks, "cannot read a pad", "out of memory");
        return DG_KS_ENOMEM;
    }
    if (n > 0) {
        memcpy(*pad, bytes, (size_t)n);
        dg_wipe(bytes, (size_t)n);
    }
    return DG_KS_OK;
}

static int select_pad(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info,
                      uint8_t **pad, char *err, size_t errlen)
{
    const char *op = "cannot read a pad";
    char now_text[24];
    const char *values[2] = {id, now_text};
    PGresult *res;
    int rc;

    dg_pg_format_int(now_text, now);
    res = dg_pg_first(ks->pg,
                      "SELECT " PG_COLUMNS ", pad FROM dcmguard.pads"
                      " WHERE id = $1 AND (expires = 0 OR expires > $2)"
                      " AND id NOT IN (SELECT id FROM dcmguard.claims)",
                      2, values, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
    } else if (PQntuples(res) == 0) {
        set_error(err, errlen, ks, "no such pad (destroyed, expired or never stored)", id);
        rc = DG_KS_ENOTFOUND;
    } else {
        rc = read_info(ks, res, 0, info, err, errlen);
        if (rc == DG_KS_OK)
            rc = copy_pad(ks, res, info, pad, err, errlen);
    }
    PQclear(res);
    return rc;
}

static int pg_get(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
                  char *err, size_t errlen)
{
    const char *op = "cannot read a pad";
    int rc;

    if (info == NULL || pad == NULL || !dg_ks_valid_id(id)) {
        set_error(err, errlen, ks, op, "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = select_pad(ks, id, now, info, pad, err, errlen);
    unlock_store(ks);
    return rc;
}

/* ---- delete and purge ---- */

/*
 * Runs one DELETE ... RETURNING id with one parameter in its own
 * transaction; *count gets the rows deleted, ids (when not NULL) their ids.
 */
static int run_delete(dg_ks_store *ks, const char *sql, const char *param, unsigned *count,
                      struct id_list *ids, const char *op, char *err, size_t errlen)
{
    const char *values[1] = {param};
    PGresult *res;
    int rc = lock_store(ks, op, err, errlen);

    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK) {
        res = dg_pg_exec(ks->pg, sql, 1, values, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            *count = (unsigned)PQntuples(res);
        else
            rc = fail(ks, res, op, err, errlen);
        if (rc == DG_KS_OK && ids != NULL && *count > 0) {
            ids->ids = calloc(*count, sizeof *ids->ids);
            if (ids->ids == NULL) {
                set_error(err, errlen, ks, op, "out of memory");
                rc = DG_KS_ENOMEM;
            }
            for (unsigned i = 0; rc == DG_KS_OK && i < *count; i++)
                if (dg_pg_get_text(res, (int)i, 0, ids->ids[ids->n], DG_KS_ID_LEN + 1) == 0)
                    ids->n++;
        }
        PQclear(res);
    }
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    unlock_store(ks);
    return rc;
}

static int pg_delete(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    const char *op = "cannot delete a pad";
    unsigned count = 0;
    int rc;

    if (!dg_ks_valid_id(id)) {
        set_error(err, errlen, ks, op, "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = run_delete(ks, "DELETE FROM dcmguard.pads WHERE id = $1 RETURNING id", id, &count, NULL,
                    op, err, errlen);
    if (rc == DG_KS_OK && count == 0) {
        set_error(err, errlen, ks, "no such pad (destroyed, expired or never stored)", id);
        rc = DG_KS_ENOTFOUND;
    }
    return rc;
}

static int pg_purge_ids(dg_ks_store *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                        unsigned *count, char *err, size_t errlen)
{
    struct id_list ids = {NULL, 0};
    char now_text[24];
    unsigned n = 0;
    int rc;

    dg_pg_format_int(now_text, now);
    rc = run_delete(
        ks, "DELETE FROM dcmguard.pads WHERE expires > 0 AND expires <= $1 RETURNING id", now_text,
        &n, fn != NULL ? &ids : NULL, "cannot purge expired pads", err, errlen);
    if (rc == DG_KS_OK && count != NULL)
        *count = n;
    for (size_t i = 0; rc == DG_KS_OK && i < ids.n; i++)
        if (fn(user, ids.ids[i]) != 0)
            break;
    free(ids.ids);
    return rc;
}

static int pg_purge(dg_ks_store *ks, int64_t now, unsigned *count, char *err, size_t errlen)
{
    return pg_purge_ids(ks, now, NULL, NULL, count, err, errlen);
}

/* The purge at open keeps the ids it destroyed until dg_keystore_take_expired. */
static int remember_expired(void *user, const char *id)
{
    dg_ks_store *ks = user;
    char(*grown)[DG_KS_ID_LEN + 1] = realloc(ks->expired.ids, (ks->expired.n + 1) * sizeof *grown);

    if (grown == NULL)
        return -1;
    ks->expired.ids = grown;
    memcpy(ks->expired.ids[ks->expired.n++], id, DG_KS_ID_LEN + 1);
    return 0;
}

static int pg_created(const dg_ks_store *ks)
{
    return ks->created;
}

static void pg_take_expired(dg_ks_store *ks, dg_pad_id_visitor fn, void *user)
{
    for (size_t i = 0; fn != NULL && i < ks->expired.n; i++)
        if (fn(user, ks->expired.ids[i]) != 0)
            break;
    free(ks->expired.ids);
    memset(&ks->expired, 0, sizeof ks->expired);
}

/* ---- list ---- */

static int collect_infos(dg_ks_store *ks, dg_pad_info **items, size_t *n, char *err, size_t errlen)
{
    const char *op = "cannot list the pads";
    PGresult *res = dg_pg_first(
        ks->pg, "SELECT " PG_COLUMNS " FROM dcmguard.pads ORDER BY created, id", 0, NULL, 1);
    int rows, rc = DG_KS_OK;

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
        goto done;
    }
    rows = PQntuples(res);
    *items = calloc(rows > 0 ? (size_t)rows : 1, sizeof **items);
    if (*items == NULL) {
        set_error(err, errlen, ks, op, "out of memory");
        rc = DG_KS_ENOMEM;
        goto done;
    }
    for (int i = 0; i < rows && rc == DG_KS_OK; i++)
        rc = read_info(ks, res, i, &(*items)[i], err, errlen);
    *n = (size_t)rows;
done:
    PQclear(res);
    return rc;
}

static int pg_list(dg_ks_store *ks, dg_pad_visitor fn, void *user, char *err, size_t errlen)
{
    const char *op = "cannot list the pads";
    dg_pad_info *items = NULL;
    size_t n = 0;
    int rc;

    if (fn == NULL) {
        set_error(err, errlen, ks, op, "no visitor");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = collect_infos(ks, &items, &n, err, errlen);
    unlock_store(ks);
    for (size_t i = 0; rc == DG_KS_OK && i < n; i++)
        if (fn(user, &items[i]) != 0)
            break;
    free(items);
    return rc;
}

/* ---- claims and the pseudonym secret (issue 12) ---- */

/* Runs one statement inside the caller's transaction; *count gets its rows. */
static int run_in_tx(dg_ks_store *ks, const char *sql, int n, const char *const *values,
                     unsigned *count, const char *op, char *err, size_t errlen)
{
    PGresult *res = dg_pg_exec(ks->pg, sql, n, values, 0);
    int rc = DG_KS_OK;

    if (PQresultStatus(res) == PGRES_COMMAND_OK)
        *count = (unsigned)strtoul(PQcmdTuples(res), NULL, 10);
    else
        rc = fail(ks, res, op, err, errlen);
    PQclear(res);
    return rc;
}

/*
 * One transaction: read the pad and, when it is single-use, insert its
 * claim. The claims table's primary key makes a second concurrent claim
 * wait for the first and then insert nothing: it gets DG_KS_ENOTFOUND.
 */
static int pg_claim(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info, uint8_t **pad,
                    char *err, size_t errlen)
{
    const char *op = "cannot claim a pad";
    const char *values[1] = {id};
    unsigned count = 0;
    int rc;

    if (info == NULL || pad == NULL || !dg_ks_valid_id(id)) {
        set_error(err, errlen, ks, op, "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = select_pad(ks, id, now, info, pad, err, errlen);
    if (rc == DG_KS_OK && info->policy == 1) {
        rc =
            run_in_tx(ks, "INSERT INTO dcmguard.claims(id) VALUES ($1) ON CONFLICT (id) DO NOTHING",
                      1, values, &count, op, err, errlen);
        if (rc == DG_KS_OK && count != 1) {
            set_error(err, errlen, ks, "no such pad (destroyed, expired or never stored)", id);
            rc = DG_KS_ENOTFOUND;
        }
    }
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK) {
        dg_pg_roll_back(ks->pg);
        if (*pad != NULL) {
            dg_wipe(*pad, (size_t)info->length);
            free(*pad);
            *pad = NULL;
        }
    }
    unlock_store(ks);
    return rc;
}

/* Removes the claim of id (and, finish, the pad itself) in one transaction. */
static int end_claim(dg_ks_store *ks, const char *id, int finish, const char *op, char *err,
                     size_t errlen)
{
    const char *values[1] = {id};
    unsigned count = 0, pads = 0;
    int rc;

    if (!dg_ks_valid_id(id)) {
        set_error(err, errlen, ks, op, "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = run_in_tx(ks, "DELETE FROM dcmguard.claims WHERE id = $1", 1, values, &count, op, err,
                       errlen);
    if (rc == DG_KS_OK && finish)
        rc = run_in_tx(ks, "DELETE FROM dcmguard.pads WHERE id = $1", 1, values, &pads, op, err,
                       errlen);
    if (rc == DG_KS_OK && (count != 1 || (finish && pads != 1))) {
        set_error(err, errlen, ks, "no such claimed pad", id);
        rc = DG_KS_ENOTFOUND;
    }
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    unlock_store(ks);
    return rc;
}

static int pg_release(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    return end_claim(ks, id, 0, "cannot release a pad", err, errlen);
}

static int pg_finish_claim(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    return end_claim(ks, id, 1, "cannot destroy a claimed pad", err, errlen);
}

static int pg_meta_add(dg_ks_store *ks, const char *name, const uint8_t *value, size_t len,
                       int *inserted, char *err, size_t errlen)
{
    static const char hex[] = "0123456789abcdef";
    const char *op = "cannot store a value";
    char text[2 * 256 + 3];
    const char *values[2] = {name, text};
    unsigned count = 0;
    int rc;

    if (inserted != NULL)
        *inserted = 0;
    if (name == NULL || value == NULL || len > 256) {
        set_error(err, errlen, ks, op, "invalid arguments");
        return DG_KS_EINVAL;
    }
    memcpy(text, "\\x", 2); /* bytea hex input: \x<digits> */
    for (size_t i = 0; i < len; i++) {
        text[2 + 2 * i] = hex[value[i] >> 4];
        text[3 + 2 * i] = hex[value[i] & 15];
    }
    text[2 + 2 * len] = 0;
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = run_in_tx(ks,
                       "INSERT INTO dcmguard.secrets(name, value) VALUES ($1, $2::bytea)"
                       " ON CONFLICT (name) DO NOTHING",
                       2, values, &count, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    unlock_store(ks);
    if (inserted != NULL)
        *inserted = rc == DG_KS_OK && count == 1;
    return rc;
}

static int pg_meta_get(dg_ks_store *ks, const char *name, uint8_t *value, size_t cap, size_t *len,
                       char *err, size_t errlen)
{
    const char *op = "cannot read a value";
    const char *values[1] = {name};
    PGresult *res;
    int rc, n;

    if (name == NULL || value == NULL || len == NULL) {
        set_error(err, errlen, ks, op, "invalid arguments");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    res = dg_pg_first(ks->pg, "SELECT value FROM dcmguard.secrets WHERE name = $1", 1, values, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
    } else if (PQntuples(res) == 0) {
        set_error(err, errlen, ks, "no such value", name);
        rc = DG_KS_ENOTFOUND;
    } else if ((n = PQgetlength(res, 0, 0)) < 0 || (size_t)n > cap) {
        set_error(err, errlen, ks, "a stored value is damaged", name);
        rc = DG_KS_EFORMAT;
    } else {
        memcpy(value, PQgetvalue(res, 0, 0), (size_t)n);
        *len = (size_t)n;
    }
    PQclear(res);
    unlock_store(ks);
    return rc;
}

/* ---- the audit trail (issue 13) ---- */

#define PG_AUDIT_COLUMNS "seq, time, actor, action, instance, pad, outcome, prev, hash"

/* Inside the transaction, the table locked: the last record's seq and hash (zeros when none). */
static int last_record(dg_ks_store *ks, dg_audit_record *r, const char *op, char *err,
                       size_t errlen)
{
    PGresult *res = dg_pg_exec(
        ks->pg, "SELECT seq, hash FROM dcmguard.audit ORDER BY seq DESC LIMIT 1", 0, NULL, 1);
    int64_t seq = 0;
    int rc = DG_KS_OK;

    r->seq = 1;
    memset(r->prev, '0', DG_AUDIT_HASH_HEX);
    r->prev[DG_AUDIT_HASH_HEX] = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
    } else if (PQntuples(res) == 1) {
        if (dg_pg_get_int(res, 0, 0, &seq) != 0 ||
            dg_pg_get_text(res, 0, 1, r->prev, sizeof r->prev) != 0) {
            set_error(err, errlen, ks, op, "the last audit record is damaged");
            rc = DG_KS_EFORMAT;
        }
        r->seq = seq + 1;
    }
    PQclear(res);
    return rc;
}

static int insert_record(dg_ks_store *ks, dg_audit_record *r, const char *op, char *err,
                         size_t errlen)
{
    char seq[24], when[24];
    const char *values[9] = {seq,    when,       r->actor, r->action, r->instance,
                             r->pad, r->outcome, r->prev,  r->hash};
    unsigned count = 0;

    dg_pg_format_int(seq, r->seq);
    dg_pg_format_int(when, r->time);
    return run_in_tx(ks,
                     "INSERT INTO dcmguard.audit(" PG_AUDIT_COLUMNS ")"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                     9, values, &count, op, err, errlen);
}

/*
 * One transaction; the table lock (which readers do not need) makes every
 * node append after the record the previous appender wrote, so the chain
 * stays one line whatever the number of gateways.
 */
static int pg_audit_append(dg_ks_store *ks, dg_audit_record *r, char *err, size_t errlen)
{
    const char *op = "cannot append to the audit trail";
    int rc;

    if (r == NULL) {
        set_error(err, errlen, ks, op, "no record");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = begin(ks, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = exec_sql(ks, "LOCK TABLE dcmguard.audit IN SHARE ROW EXCLUSIVE MODE", op, err, errlen);
    if (rc == DG_KS_OK)
        rc = last_record(ks, r, op, err, errlen);
    if (rc == DG_KS_OK && dg_audit_seal(r) != 0) {
        set_error(err, errlen, ks, op, "SHA-256 failed");
        rc = DG_KS_EIO;
    }
    if (rc == DG_KS_OK)
        rc = insert_record(ks, r, op, err, errlen);
    if (rc == DG_KS_OK)
        rc = commit(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        dg_pg_roll_back(ks->pg);
    unlock_store(ks);
    return rc;
}

/* Row i of an audit query into r; DG_KS_EFORMAT when a field does not fit (the row was altered). */
static int read_record(const dg_ks_store *ks, const PGresult *res, int i, dg_audit_record *r,
                       char *err, size_t errlen)
{
    char *text[] = {r->actor, r->action, r->instance, r->pad, r->outcome, r->prev, r->hash};
    size_t caps[] = {sizeof r->actor,   sizeof r->action, sizeof r->instance, sizeof r->pad,
                     sizeof r->outcome, sizeof r->prev,   sizeof r->hash};
    char what[64];

    memset(r, 0, sizeof *r);
    if (dg_pg_get_int(res, i, 0, &r->seq) != 0 || dg_pg_get_int(res, i, 1, &r->time) != 0) {
        set_error(err, errlen, ks, "an audit record is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    for (int k = 0; k < 7; k++)
        if (dg_pg_get_text(res, i, 2 + k, text[k], caps[k]) != 0) {
            snprintf(what, sizeof what, "audit record %lld", (long long)r->seq);
            set_error(err, errlen, ks, what, "a field is missing or too long (altered)");
            return DG_KS_EFORMAT;
        }
    return DG_KS_OK;
}

static int pg_audit_list(dg_ks_store *ks, int64_t since, dg_audit_visitor fn, void *user, char *err,
                         size_t errlen)
{
    const char *op = "cannot read the audit trail";
    char from[24];
    const char *values[1] = {from};
    dg_audit_record *items = NULL;
    PGresult *res;
    int rows = 0, rc;

    if (fn == NULL) {
        set_error(err, errlen, ks, op, "no visitor");
        return DG_KS_EINVAL;
    }
    dg_pg_format_int(from, since);
    rc = lock_store(ks, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    res = dg_pg_first(
        ks->pg, "SELECT " PG_AUDIT_COLUMNS " FROM dcmguard.audit WHERE time >= $1 ORDER BY seq", 1,
        values, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail(ks, res, op, err, errlen);
    } else {
        rows = PQntuples(res);
        items = calloc(rows > 0 ? (size_t)rows : 1, sizeof *items);
        if (items == NULL) {
            set_error(err, errlen, ks, op, "out of memory");
            rc = DG_KS_ENOMEM;
        }
        for (int i = 0; rc == DG_KS_OK && i < rows; i++)
            rc = read_record(ks, res, i, &items[i], err, errlen);
    }
    PQclear(res);
    unlock_store(ks);
    for (int i = 0; rc == DG_KS_OK && i < rows; i++)
        if (fn(user, &items[i]) != 0)
            break;
    free(items);
    return rc;
}

const dg_ks_backend dg_ks_postgresql = {
    .name = "PostgreSQL",
    .open = pg_open,
    .close = pg_close,
    .put = pg_put,
    .get = pg_get,
    .delete_pad = pg_delete,
    .purge = pg_purge,
    .list = pg_list,
    .claim = pg_claim,
    .release = pg_release,
    .finish_claim = pg_finish_claim,
    .scrub_pending = NULL, /* PostgreSQL: dead tuples until VACUUM (docs/threat-model.md) */
    .meta_add = pg_meta_add,
    .meta_get = pg_meta_get,
    /* the audit trail (issue 13) */
    .purge_ids = pg_purge_ids,
    .created = pg_created,
    .take_expired = pg_take_expired,
    .audit_append = pg_audit_append,
    .audit_list = pg_audit_list,
};
