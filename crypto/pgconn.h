/*
 * pgconn.h - one PostgreSQL connection (libpq) shared by the threads of a
 * process, as the PostgreSQL key store (keystore_pg.c) and the gateway's
 * PostgreSQL journal (plugin/queue_pg.c) use it.
 *
 * The database is named by a libpq URI, postgresql://... or postgres://...;
 * a password in it is refused, so that none ends up in a command line, a
 * configuration file or a message: libpq reads it from ~/.pgpass
 * (PGPASSFILE), a service file (PGSERVICEFILE) or PGPASSWORD. Messages
 * name the database by its URI, which therefore holds no secret:
 * "<what> <URI>: <op>: <libpq's first line>".
 *
 * dg_pg_lock takes the connection for one whole operation (a mutex) and
 * makes a connection the server dropped (a restart, a network cut) anew;
 * dg_pg_first runs an operation's first statement and, when the connection
 * turns out dead, resets it and runs the statement once more (nothing was
 * done before it). Later failures are errors: the caller fails closed.
 */
#ifndef DG_PGCONN_H
#define DG_PGCONN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dg_pg dg_pg;

/* 1 when name is a postgresql:// or postgres:// URI. */
int dg_pg_is_uri(const char *name);

/* Connects to uri; what ("key store", "gateway journal") starts every message. -1 on failure. */
/* -2 when the URI is refused (unparsable, or holds a password). */
int dg_pg_open(const char *uri, const char *what, dg_pg **out, char *err, size_t errlen);
void dg_pg_close(dg_pg *pg);
PGconn *dg_pg_conn(dg_pg *pg);
const char *dg_pg_name(const dg_pg *pg); /* the URI */

/* Takes the connection (reconnecting when needed) for op; -1 (reported) when it cannot. */
int dg_pg_lock(dg_pg *pg, const char *op, char *err, size_t errlen);
void dg_pg_unlock(dg_pg *pg);

/* Formats "<what> <URI>: op: detail" into err; returns -1. detail NULL: the last libpq error of
 * res/conn. */
int dg_pg_error(dg_pg *pg, const PGresult *res, const char *op, const char *detail, char *err,
                size_t errlen);

/* PQexecParams with text parameters; binary: results in binary format. */
PGresult *dg_pg_exec(dg_pg *pg, const char *sql, int n, const char *const *values, int binary);
/* The same for an operation's first statement: retried once on a fresh connection. */
PGresult *dg_pg_first(dg_pg *pg, const char *sql, int n, const char *const *values, int binary);

/* A statement that must succeed (command or rows); 0 or -1 (reported). */
int dg_pg_run(dg_pg *pg, const char *sql, const char *op, char *err, size_t errlen);
/* BEGIN (as a first statement), COMMIT, and ROLLBACK of whatever is open. */
int dg_pg_begin(dg_pg *pg, const char *op, char *err, size_t errlen);
int dg_pg_commit(dg_pg *pg, const char *op, char *err, size_t errlen);
void dg_pg_roll_back(dg_pg *pg);

/* 1 when res failed with SQLSTATE state (e.g. "23505", a unique violation). */
int dg_pg_sqlstate_is(const PGresult *res, const char *state);

/* Binary-format columns: an int2/int4/int8, a text (NUL-terminated into cap bytes); -1 when
 * NULL/ill-sized. */
int dg_pg_get_int(const PGresult *res, int row, int col, int64_t *out);
int dg_pg_get_text(const PGresult *res, int row, int col, char *out, size_t cap);

/* Decimal text of v, for a parameter. */
void dg_pg_format_int(char buf[24], int64_t v);

#endif
