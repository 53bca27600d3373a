/*
 * pgconn.c - one shared PostgreSQL connection with reconnection and
 * uniform messages (see pgconn.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "pgconn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_CONNECT_TIMEOUT "10" /* seconds; the URI may set its own */

struct dg_pg {
    PGconn *conn;
    pthread_mutex_t lock;
    const char *what;
    char *uri;
};

int dg_pg_is_uri(const char *name)
{
    return name != NULL &&
           (strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0);
}

/* The first line of a libpq message, without "ERROR:  ", "FATAL:  " and the newline. */
static void first_line(const char *msg, char *out, size_t cap)
{
    size_t n;

    if (msg == NULL || msg[0] == 0)
        msg = "no answer from the server";
    if (strncmp(msg, "ERROR:  ", 8) == 0 || strncmp(msg, "FATAL:  ", 8) == 0)
        msg += 8;
    n = strcspn(msg, "\r\n");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), msg);
}

static int say(char *err, size_t errlen, const char *what, const char *name, const char *op,
               const char *detail)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s %s: %s: %s", what, name, op, detail);
    return -1;
}

int dg_pg_error(dg_pg *pg, const PGresult *res, const char *op, const char *detail, char *err,
                size_t errlen)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : NULL;
    char line[200];

    if (detail == NULL) {
        if (msg == NULL || msg[0] == 0)
            msg = PQerrorMessage(pg->conn);
        first_line(msg, line, sizeof line);
        detail = line;
    }
    return say(err, errlen, pg->what, pg->uri, op, detail);
}

/* Refuses what libpq cannot parse and a URI that carries a password. */
static int check_uri(const char *uri, const char *what, char *err, size_t errlen)
{
    char *why = NULL, line[200];
    PQconninfoOption *opts = PQconninfoParse(uri, &why);
    int rc = 0;

    if (opts == NULL) {
        first_line(why, line, sizeof line);
        PQfreemem(why);
        return say(err, errlen, what, "(PostgreSQL URI)", "not a valid PostgreSQL URI", line);
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != 0)
            rc = say(err, errlen, what, "(PostgreSQL URI)", "a password in the URI is refused",
                     "put it in ~/.pgpass (PGPASSFILE), a service file or PGPASSWORD");
    PQconninfoFree(opts);
    return rc;
}

int dg_pg_open(const char *uri, const char *what, dg_pg **out, char *err, size_t errlen)
{
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *values[] = {PG_CONNECT_TIMEOUT, "dcmguard", uri, NULL};
    dg_pg *pg;

    *out = NULL;
    if (check_uri(uri, what, err, errlen) != 0)
        return -2;
    pg = calloc(1, sizeof *pg);
    if (pg == NULL || (pg->uri = strdup(uri)) == NULL || pthread_mutex_init(&pg->lock, NULL) != 0) {
        if (pg != NULL)
            free(pg->uri);
        free(pg);
        return say(err, errlen, what, uri, "cannot connect", "out of memory");
    }
    pg->what = what;
    pg->conn = PQconnectdbParams(keys, values, 1); /* the URI's own settings win */
    if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
        if (pg->conn == NULL)
            say(err, errlen, what, uri, "cannot connect", "out of memory");
        else
            dg_pg_error(pg, NULL, "cannot connect", NULL, err, errlen);
        dg_pg_close(pg);
        return -1;
    }
    *out = pg;
    return 0;
}

void dg_pg_close(dg_pg *pg)
{
    if (pg == NULL)
        return;
    PQfinish(pg->conn);
    (void)pthread_mutex_destroy(&pg->lock);
    free(pg->uri);
    free(pg);
}

PGconn *dg_pg_conn(dg_pg *pg)
{
    return pg->conn;
}

const char *dg_pg_name(const dg_pg *pg)
{
    return pg->uri;
}

int dg_pg_lock(dg_pg *pg, const char *op, char *err, size_t errlen)
{
    if (pthread_mutex_lock(&pg->lock) != 0)
        return say(err, errlen, pg->what, pg->uri, op, "cannot lock the connection");
    if (PQstatus(pg->conn) == CONNECTION_OK && PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
        return 0;
    PQreset(pg->conn);
    if (PQstatus(pg->conn) == CONNECTION_OK)
        return 0;
    dg_pg_error(pg, NULL, op, NULL, err, errlen);
    (void)pthread_mutex_unlock(&pg->lock);
    return -1;
}

void dg_pg_unlock(dg_pg *pg)
{
    (void)pthread_mutex_unlock(&pg->lock); /* held by this thread: cannot fail */
}

PGresult *dg_pg_exec(dg_pg *pg, const char *sql, int n, const char *const *values, int binary)
{
    return PQexecParams(pg->conn, sql, n, NULL, values, NULL, NULL, binary);
}

PGresult *dg_pg_first(dg_pg *pg, const char *sql, int n, const char *const *values, int binary)
{
    PGresult *res = dg_pg_exec(pg, sql, n, values, binary);

    if (PQstatus(pg->conn) == CONNECTION_OK)
        return res;
    PQclear(res);
    PQreset(pg->conn);
    return dg_pg_exec(pg, sql, n, values, binary);
}

static int ran(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int dg_pg_run(dg_pg *pg, const char *sql, const char *op, char *err, size_t errlen)
{
    PGresult *res = PQexec(pg->conn, sql);
    int rc = ran(res) ? 0 : dg_pg_error(pg, res, op, NULL, err, errlen);

    PQclear(res);
    return rc;
}

int dg_pg_begin(dg_pg *pg, const char *op, char *err, size_t errlen)
{
    PGresult *res = dg_pg_first(pg, "BEGIN", 0, NULL, 0);
    int rc = ran(res) ? 0 : dg_pg_error(pg, res, op, NULL, err, errlen);

    PQclear(res);
    return rc;
}

int dg_pg_commit(dg_pg *pg, const char *op, char *err, size_t errlen)
{
    return dg_pg_run(pg, "COMMIT", op, err, errlen);
}

void dg_pg_roll_back(dg_pg *pg)
{
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
        PQclear(PQexec(pg->conn, "ROLLBACK"));
}

int dg_pg_sqlstate_is(const PGresult *res, const char *state)
{
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    return s != NULL && strcmp(s, state) == 0;
}

int dg_pg_get_int(const PGresult *res, int row, int col, int64_t *out)
{
    int n = PQgetlength(res, row, col);
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
    uint64_t v = 0;

    if (PQgetisnull(res, row, col) || (n != 2 && n != 4 && n != 8))
        return -1;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 2)
        *out = (int16_t)(uint16_t)v;
    else if (n == 4)
        *out = (int32_t)(uint32_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

int dg_pg_get_text(const PGresult *res, int row, int col, char *out, size_t cap)
{
    int n = PQgetlength(res, row, col);

    if (PQgetisnull(res, row, col) || n < 0 || (size_t)n >= cap)
        return -1;
    memcpy(out, PQgetvalue(res, row, col), (size_t)n);
    out[n] = 0;
    return 0;
}

void dg_pg_format_int(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
}
