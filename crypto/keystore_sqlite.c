/*
 * keystore_sqlite.c - the key store's SQLite backend (the embedded
 * default): a store string that is a path names an SQLite file. The
 * interface and its guarantees are in keystore.h and keystore_backend.h.
 *
 * The file is created with mode 0600 (its -wal and -shm files too) and
 * opened in WAL mode with secure_delete on, synchronous=FULL (a pad is on
 * disk when sqlite_put returns) and a busy timeout, so several processes
 * can share one store. A destroyed pad is overwritten in place, deleted,
 * and the WAL checkpointed and truncated so that its bytes do not linger;
 * when a reader keeps the WAL, the meta row 'scrub_pending' says so until
 * a later open or write empties it. A single-use pad is claimed (column
 * claimed) in the same write transaction that reads it.
 *
 * A store is one SQLite connection, opened with
 * SQLITE_OPEN_FULLMUTEX, plus a mutex of our own held through each whole
 * operation, so that one thread's transaction never takes in another
 * thread's statements: any number of threads may share a store
 * (but not its closing).
 *
 * Processes share the file through SQLite's locks: a writer takes the
 * write lock up front (BEGIN IMMEDIATE), waits for it through the busy
 * handler (KS_BUSY_TIMEOUT_MS) and retries a busy answer that came without
 * waiting until KS_RETRY_MS have passed. A store that stays locked longer
 * gives DG_KS_EIO, with SQLite's "database is locked" in the message.
 *
 * The file is recognised by its application_id; user_version is the
 * schema version.
 */
#define _POSIX_C_SOURCE 200809L
#include "keystore_backend.h"
#include "private_file.h"
#include "random.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define KS_APPLICATION_ID 0x44474B53 /* "DGKS" */
#define KS_STR(x) #x
#define KS_XSTR(x) KS_STR(x) /* KS_XSTR(KS_APPLICATION_ID): "0x44474B53", for SQL */
#define KS_SCHEMA_VERSION 2  /* 2: the meta table (pseudonym secret, pending scrub) and claims */
#define KS_BUSY_TIMEOUT_MS 15000
#define KS_RETRY_MS 15000             /* counted from the first attempt */
#define KS_CHECKPOINT_TIMEOUT_MS 1000 /* best effort: do not hold the caller up */

#define KS_COLUMNS "id, instance, alphabet, policy, created, expires, length, claimed"

static const char schema_sql[] =
    "CREATE TABLE pads(id TEXT PRIMARY KEY, instance TEXT NOT NULL, alphabet INTEGER NOT NULL,"
    " policy INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " length INTEGER NOT NULL, pad BLOB NOT NULL, claimed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX pads_expires ON pads(expires);"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);";

/* Version 1 stores (before claims and the meta table) are upgraded on open. */
static const char upgrade_1_sql[] =
    "ALTER TABLE pads ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "PRAGMA user_version=2;";

/* The audit trail (audit.h); added to older stores when they are opened. */
static const char audit_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, instance TEXT NOT NULL, pad TEXT NOT NULL,"
    " outcome TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);";

#define KS_AUDIT_COLUMNS "seq, time, actor, action, instance, pad, outcome, prev, hash"

/* Ids of pads, collected by a purge. */
struct id_list {
    char (*ids)[DG_KS_ID_LEN + 1];
    size_t n, cap;
};

struct dg_ks_store {
    sqlite3 *db;
    pthread_mutex_t lock;
    char *path;
    int created;            /* this open created the store */
    struct id_list expired; /* pads the purge at open destroyed, until taken */
};

static int sqlite_purge_ids(dg_ks_store *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                            unsigned *count, char *err, size_t errlen);
static void sqlite_close(dg_ks_store *ks);

/* ---- errors ---- */

static void set_error(char *err, size_t errlen, const char *path, const char *what,
                      const char *detail)
{
    if (err == NULL || errlen == 0)
        return;
    if (detail != NULL)
        snprintf(err, errlen, "key store %s: %s: %s", path, what, detail);
    else
        snprintf(err, errlen, "key store %s: %s", path, what);
}

static int code_of(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_NOMEM:
        return DG_KS_ENOMEM;
    case SQLITE_NOTADB:
        return DG_KS_EFORMAT;
    case SQLITE_TOOBIG:
        return DG_KS_EINVAL;
    default:
        return DG_KS_EIO;
    }
}

/* Reports the connection's last error for the operation op; returns its DG_KS code. */
static int fail(const dg_ks_store *ks, int sqlite_rc, const char *op, char *err, size_t errlen)
{
    int code = code_of(sqlite_rc);

    if (code == DG_KS_EFORMAT)
        set_error(err, errlen, ks->path, "not a dcmguard key store", sqlite3_errmsg(ks->db));
    else
        set_error(err, errlen, ks->path, op, sqlite3_errmsg(ks->db));
    return code;
}

/* ---- waiting for locks ---- */

static int is_busy(int sqlite_rc)
{
    return (sqlite_rc & 0xff) == SQLITE_BUSY || (sqlite_rc & 0xff) == SQLITE_LOCKED;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return KS_RETRY_MS; /* cannot tell: stop retrying */
    return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Waits 5 to 40 ms, a little longer each attempt, so that waiting processes spread out. */
static void pause_before_retry(unsigned attempt)
{
    struct timespec t = {0, (long)(5 + 5 * (attempt % 8)) * 1000000L};

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Runs sql, again while SQLite answers busy and KS_RETRY_MS have not passed. */
static int exec_retrying(sqlite3 *db, const char *sql)
{
    struct timespec start;
    unsigned attempt = 0;
    int rc;

    if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
        return sqlite3_exec(db, sql, NULL, NULL, NULL);
    while (is_busy(rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) &&
           elapsed_ms(&start) < KS_RETRY_MS)
        pause_before_retry(attempt++);
    return rc;
}

/* The first step of a statement, again (after a reset) while SQLite answers busy. */
static int first_step_retrying(sqlite3_stmt *st)
{
    struct timespec start;
    unsigned attempt = 0;
    int rc;

    if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
        return sqlite3_step(st);
    while (is_busy(rc = sqlite3_step(st)) && elapsed_ms(&start) < KS_RETRY_MS) {
        sqlite3_reset(st); /* returns the busy code again; the statement can run anew */
        pause_before_retry(attempt++);
    }
    return rc;
}

/* ---- statements and transactions ---- */

static int prepare(const dg_ks_store *ks, const char *sql, sqlite3_stmt **st, const char *op,
                   char *err, size_t errlen)
{
    int rc = sqlite3_prepare_v2(ks->db, sql, -1, st, NULL);

    if (rc != SQLITE_OK)
        return fail(ks, rc, op, err, errlen);
    return DG_KS_OK;
}

/* Runs a statement that returns one integer (a pragma, a count). */
static int query_int(const dg_ks_store *ks, const char *sql, int64_t *value, const char *op,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, sql, &st, op, err, errlen), step;

    if (rc != DG_KS_OK)
        return rc;
    step = first_step_retrying(st);
    if (step == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    else
        rc = fail(ks, step == SQLITE_DONE ? SQLITE_ERROR : step, op, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

typedef int (*write_fn)(dg_ks_store *ks, void *arg, char *err, size_t errlen);

/* Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back when anything fails. */
static int in_write_transaction(dg_ks_store *ks, const char *op, write_fn fn, void *arg, char *err,
                                size_t errlen)
{
    int rc = exec_retrying(ks->db, "BEGIN IMMEDIATE"), code;

    if (rc != SQLITE_OK)
        return fail(ks, rc, op, err, errlen);
    code = fn(ks, arg, err, errlen);
    if (code == DG_KS_OK) {
        rc = exec_retrying(ks->db, "COMMIT");
        if (rc != SQLITE_OK)
            code = fail(ks, rc, op, err, errlen);
    }
    if (code != DG_KS_OK && !sqlite3_get_autocommit(ks->db))
        (void)sqlite3_exec(ks->db, "ROLLBACK", NULL, NULL, NULL); /* the error is reported */
    return code;
}

/*
 * Copies the latest pages into the database file and truncates the WAL, so
 * that deleted pads (overwritten, then zeroed by secure_delete) leave no
 * older copy behind. While another connection reads, the WAL cannot be
 * emptied: -1 then.
 */
static int truncate_wal(dg_ks_store *ks)
{
    int rc;

    if (sqlite3_busy_timeout(ks->db, KS_CHECKPOINT_TIMEOUT_MS) != SQLITE_OK)
        return -1;
    rc = sqlite3_wal_checkpoint_v2(ks->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    (void)sqlite3_busy_timeout(ks->db, KS_BUSY_TIMEOUT_MS); /* cannot fail on an open db */
    return rc == SQLITE_OK ? 0 : -1;
}

/* 1 when a destroyed pad may still have a copy in the WAL (its scrub is pending). */
static int scrub_is_pending(dg_ks_store *ks)
{
    int64_t n = 0;
    char ignored[8];

    if (query_int(ks, "SELECT count(*) FROM meta WHERE name = 'scrub_pending'", &n, "", ignored,
                  0) != DG_KS_OK)
        return 1; /* cannot tell: say pending */
    return n > 0;
}

/*
 * Finishes a pending scrub when the WAL can now be emptied: called after
 * every write and on open, so the first chance after the last reader
 * closes is taken.
 */
static void retry_scrub(dg_ks_store *ks)
{
    if (!scrub_is_pending(ks) || truncate_wal(ks) != 0)
        return;
    if (exec_retrying(ks->db, "DELETE FROM meta WHERE name = 'scrub_pending'") == SQLITE_OK)
        (void)truncate_wal(ks); /* the WAL now holds only that change */
}

static int lock_store(dg_ks_store *ks, char *err, size_t errlen)
{
    if (pthread_mutex_lock(&ks->lock) != 0) {
        set_error(err, errlen, ks->path, "cannot lock the connection", NULL);
        return DG_KS_EIO;
    }
    return DG_KS_OK;
}

static void unlock_store(dg_ks_store *ks)
{
    (void)pthread_mutex_unlock(&ks->lock); /* held by this thread: cannot fail */
}

/* ---- checking arguments and rows ---- */

static int is_pad_id(const char *id)
{
    size_t n = 0;

    if (id == NULL)
        return 0;
    for (; n <= DG_KS_ID_LEN && id[n] != 0; n++)
        if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f') ||
              (id[n] >= 'A' && id[n] <= 'F')))
            return 0;
    return n == DG_KS_ID_LEN;
}

static int is_pad_info(const dg_pad_info *info)
{
    return is_pad_id(info->id) && memchr(info->instance, 0, sizeof info->instance) != NULL &&
           info->alphabet >= 0 && info->alphabet <= 2 && (info->policy == 0 || info->policy == 1) &&
           info->created >= 0 && info->expires >= 0 && info->length <= (uint64_t)INT64_MAX;
}

/* Copies text column col into out (cap bytes); -1 when it is missing or too long. */
static int copy_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);

    if (text == NULL || n < 0 || (size_t)n >= cap)
        return -1;
    memcpy(out, text, (size_t)n + 1);
    return 0;
}

/* Reads the KS_COLUMNS of the current row; DG_KS_EFORMAT when the row is not a pad's. */
static int read_info(const dg_ks_store *ks, sqlite3_stmt *st, dg_pad_info *info, char *err,
                     size_t errlen)
{
    int64_t length = sqlite3_column_int64(st, 6);

    memset(info, 0, sizeof *info);
    if (copy_text(st, 0, info->id, sizeof info->id) != 0 ||
        copy_text(st, 1, info->instance, sizeof info->instance) != 0 || length < 0) {
        set_error(err, errlen, ks->path, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    info->alphabet = sqlite3_column_int(st, 2);
    info->policy = sqlite3_column_int(st, 3);
    info->created = sqlite3_column_int64(st, 4);
    info->expires = sqlite3_column_int64(st, 5);
    info->length = (uint64_t)length;
    info->claimed = sqlite3_column_int64(st, 7);
    if (!is_pad_info(info)) {
        set_error(err, errlen, ks->path, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    return DG_KS_OK;
}

/* ---- opening ---- */

/* Refuses a file that is not private (private_file.h); an absent file is fine. */
static int check_file_mode(const char *store, const char *file, char *err, size_t errlen)
{
    char why[160];

    if (dg_private_path_check(file, 1, NULL, why, sizeof why) == 0)
        return DG_KS_OK;
    if (strcmp(store, file) == 0)
        set_error(err, errlen, store, why, NULL);
    else
        set_error(err, errlen, store, file, why);
    return DG_KS_EINVAL;
}

/*
 * The database, its WAL (pads) and its -shm (an index into the WAL) must
 * all be private, and their folder writable by their owner only (so that
 * nobody else can put a link or a file of theirs in place of one of them).
 */
static int check_file_modes(const char *path, char *err, size_t errlen)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    size_t n = strlen(path);
    char *name = malloc(n + 5), why[256];
    int rc = DG_KS_OK;

    if (name == NULL) {
        set_error(err, errlen, path, "out of memory", NULL);
        return DG_KS_ENOMEM;
    }
    if (dg_private_folder_check(path, why, sizeof why) != 0) {
        set_error(err, errlen, path, why, NULL);
        rc = DG_KS_EINVAL;
    }
    for (size_t i = 0; rc == DG_KS_OK && i < 3; i++) {
        memcpy(name, path, n);
        memcpy(name + n, suffixes[i], strlen(suffixes[i]) + 1);
        rc = check_file_mode(path, name, err, errlen);
    }
    free(name);
    return rc;
}

static dg_ks_store *new_keystore(const char *path)
{
    dg_ks_store *ks = calloc(1, sizeof *ks);
    size_t n = strlen(path) + 1;

    if (ks == NULL)
        return NULL;
    ks->path = malloc(n);
    if (ks->path == NULL || pthread_mutex_init(&ks->lock, NULL) != 0) {
        free(ks->path);
        free(ks);
        return NULL;
    }
    memcpy(ks->path, path, n);
    return ks;
}

static int connect_db(dg_ks_store *ks, char *err, size_t errlen)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
                SQLITE_OPEN_NOFOLLOW; /* a symbolic link is refused (private_file.h) */
    int rc = sqlite3_open_v2(ks->path, &ks->db, flags, NULL);

    if (rc != SQLITE_OK) {
        set_error(err, errlen, ks->path, "cannot open", sqlite3_errstr(rc));
        return code_of(rc);
    }
    if (sqlite3_extended_result_codes(ks->db, 1) != SQLITE_OK ||
        sqlite3_busy_timeout(ks->db, KS_BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_db_config(ks->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
        sqlite3_db_config(ks->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK) {
        set_error(err, errlen, ks->path, "cannot configure", sqlite3_errmsg(ks->db));
        return DG_KS_EIO;
    }
    return DG_KS_OK;
}

/* Per-connection settings; secure_delete is read back as it may be compiled out. */
static int configure_connection(dg_ks_store *ks, char *err, size_t errlen)
{
    const char *op = "cannot configure";
    int64_t secure = 0;
    int rc = exec_retrying(ks->db, "PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
                                   " PRAGMA secure_delete=ON;");

    if (rc != SQLITE_OK)
        return fail(ks, rc, op, err, errlen);
    rc = query_int(ks, "PRAGMA secure_delete", &secure, op, err, errlen);
    if (rc == DG_KS_OK && secure != 1) {
        set_error(err, errlen, ks->path, op, "SQLite refuses secure_delete");
        rc = DG_KS_EIO;
    }
    return rc;
}

/* DG_KS_OK when the file is ours or an empty database that can become ours. */
static int check_ownership(dg_ks_store *ks, int *is_ours, char *err, size_t errlen)
{
    /*
     * One statement, so one snapshot: read apart, the application id and the
     * count of objects could straddle another process's creation of the
     * store (id 0 then, objects afterwards) and call it someone else's file.
     */
    static const char sql[] =
        "SELECT CASE (SELECT application_id FROM pragma_application_id())"
        " WHEN " KS_XSTR(KS_APPLICATION_ID) " THEN 1"
                                            " WHEN 0 THEN (CASE (SELECT count(*) FROM "
                                            "sqlite_master) WHEN 0 THEN 0 ELSE -1 END)"
                                            " ELSE -1 END";
    int64_t verdict = -1;
    int rc = query_int(ks, sql, &verdict, "cannot read the header", err, errlen);

    if (rc != DG_KS_OK)
        return rc;
    *is_ours = verdict == 1;
    if (verdict < 0) {
        set_error(err, errlen, ks->path, "not a dcmguard key store", NULL);
        return DG_KS_EFORMAT;
    }
    return DG_KS_OK;
}

static int enable_wal(dg_ks_store *ks, char *err, size_t errlen)
{
    const char *op = "cannot switch to WAL mode";
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, "PRAGMA journal_mode=WAL", &st, op, err, errlen), step;
    const unsigned char *mode;

    if (rc != DG_KS_OK)
        return rc;
    step = first_step_retrying(st);
    if (step != SQLITE_ROW) {
        rc = fail(ks, step == SQLITE_DONE ? SQLITE_ERROR : step, op, err, errlen);
        goto done;
    }
    mode = sqlite3_column_text(st, 0);
    if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
        set_error(err, errlen, ks->path, op, "the file system does not allow it");
        rc = DG_KS_EIO;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

/* Inside the write transaction: another process may have created the store meanwhile. */
static int create_schema(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    const char *op = "cannot create the key store";
    char sql[160];
    int is_ours = 0, rc = check_ownership(ks, &is_ours, err, errlen);

    (void)arg;
    if (rc != DG_KS_OK || is_ours)
        return rc;
    rc = sqlite3_exec(ks->db, schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(ks->db, audit_schema_sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(ks, rc, op, err, errlen);
    ks->created = 1;
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             KS_APPLICATION_ID, KS_SCHEMA_VERSION);
    rc = sqlite3_exec(ks->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(ks, rc, op, err, errlen);
    return DG_KS_OK;
}

static int upgrade_from_1(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    int64_t version = 0;
    int rc = query_int(ks, "PRAGMA user_version", &version, "cannot read the header", err, errlen);

    (void)arg;
    if (rc != DG_KS_OK || version != 1) /* another process upgraded it meanwhile */
        return rc;
    rc = sqlite3_exec(ks->db, upgrade_1_sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DG_KS_OK : fail(ks, rc, "cannot upgrade the key store", err, errlen);
}

static int check_version(dg_ks_store *ks, char *err, size_t errlen)
{
    int64_t version = 0;
    char what[96];
    int rc = query_int(ks, "PRAGMA user_version", &version, "cannot read the header", err, errlen);

    if (rc == DG_KS_OK && version == 1) {
        rc = in_write_transaction(ks, "cannot upgrade the key store", upgrade_from_1, NULL, err,
                                  errlen);
        if (rc == DG_KS_OK)
            version = KS_SCHEMA_VERSION;
    }
    if (rc != DG_KS_OK || version == KS_SCHEMA_VERSION)
        return rc;
    snprintf(what, sizeof what, "schema version %lld, this dcmguard knows version %d",
             (long long)version, KS_SCHEMA_VERSION);
    set_error(err, errlen, ks->path, "not a dcmguard key store", what);
    return DG_KS_EFORMAT;
}

/*
 * A store SQLite finds damaged is refused at once, before a pad is added to
 * it or read from it (quick_check reads every page: linear in the store).
 */
static int check_integrity(dg_ks_store *ks, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char what[160];
    const unsigned char *verdict;
    int rc = prepare(ks, "PRAGMA quick_check(1)", &st, "cannot check the store", err, errlen), step;

    if (rc != DG_KS_OK)
        return rc;
    step = first_step_retrying(st);
    if (step != SQLITE_ROW) {
        rc = fail(ks, step == SQLITE_DONE ? SQLITE_ERROR : step, "cannot check the store", err,
                  errlen);
    } else if ((verdict = sqlite3_column_text(st, 0)) == NULL ||
               strcmp((const char *)verdict, "ok") != 0) {
        snprintf(what, sizeof what, "%.120s", verdict ? (const char *)verdict : "no verdict");
        for (char *c = what; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        set_error(err, errlen, ks->path, "the key store is damaged (SQLite quick_check)", what);
        rc = DG_KS_EIO;
    }
    sqlite3_finalize(st);
    return rc;
}

static int create_audit_table(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    int rc = sqlite3_exec(ks->db, audit_schema_sql, NULL, NULL, NULL);

    (void)arg;
    return rc == SQLITE_OK ? DG_KS_OK : fail(ks, rc, "cannot add the audit table", err, errlen);
}

/* A store made before the audit trail gets its table (a write only then). */
static int add_audit_table(dg_ks_store *ks, char *err, size_t errlen)
{
    int64_t present = 0;
    int rc =
        query_int(ks, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit'",
                  &present, "cannot read the schema", err, errlen);

    if (rc != DG_KS_OK || present)
        return rc;
    return in_write_transaction(ks, "cannot add the audit table", create_audit_table, NULL, err,
                                errlen);
}

/* Recognises (or creates) the store; owner-only file modes through umask 077. */
static int set_up_store(dg_ks_store *ks, char *err, size_t errlen)
{
    mode_t old_mask = umask(077);
    int is_ours = 0, rc = connect_db(ks, err, errlen);

    if (rc != DG_KS_OK)
        goto done;
    rc = configure_connection(ks, err, errlen);
    if (rc != DG_KS_OK)
        goto done;
    rc = check_ownership(ks, &is_ours, err, errlen);
    if (rc != DG_KS_OK)
        goto done;
    rc = enable_wal(ks, err, errlen);
    if (rc != DG_KS_OK)
        goto done;
    if (!is_ours)
        rc = in_write_transaction(ks, "cannot create the key store", create_schema, NULL, err,
                                  errlen);
    if (rc != DG_KS_OK)
        goto done;
    rc = check_version(ks, err, errlen);
    if (rc == DG_KS_OK)
        rc = check_integrity(ks, err, errlen);
    if (rc == DG_KS_OK)
        rc = add_audit_table(ks, err, errlen);
done:
    umask(old_mask);
    return rc;
}

static int append_id(struct id_list *list, const char *id)
{
    if (list->n == list->cap) {
        size_t cap = list->cap > 0 ? 2 * list->cap : 16;
        char(*ids)[DG_KS_ID_LEN + 1] =
            cap > SIZE_MAX / sizeof *ids ? NULL : realloc(list->ids, cap * sizeof *ids);
        if (ids == NULL)
            return -1;
        list->ids = ids;
        list->cap = cap;
    }
    snprintf(list->ids[list->n++], DG_KS_ID_LEN + 1, "%s", id);
    return 0;
}

static int remember_expired(void *user, const char *id)
{
    dg_ks_store *ks = user;
    return append_id(&ks->expired, id) == 0 ? 0 : -1;
}

static int sqlite_created(const dg_ks_store *ks)
{
    return ks != NULL && ks->created;
}

static void sqlite_take_expired(dg_ks_store *ks, dg_pad_id_visitor fn, void *user)
{
    if (ks == NULL)
        return;
    for (size_t i = 0; fn != NULL && i < ks->expired.n; i++)
        if (fn(user, ks->expired.ids[i]) != 0)
            break;
    free(ks->expired.ids);
    memset(&ks->expired, 0, sizeof ks->expired);
}

static int sqlite_open(const char *path, dg_ks_store **out, char *err, size_t errlen)
{
    dg_ks_store *ks = NULL;
    unsigned purged = 0;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (path == NULL || path[0] == 0 || out == NULL) {
        set_error(err, errlen, path != NULL ? path : "(null)", "no path given", NULL);
        return DG_KS_EINVAL;
    }
    rc = check_file_modes(path, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    ks = new_keystore(path);
    if (ks == NULL) {
        set_error(err, errlen, path, "out of memory", NULL);
        return DG_KS_ENOMEM;
    }
    rc = set_up_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        goto done;
    rc = sqlite_purge_ids(ks, (int64_t)time(NULL), remember_expired, ks, &purged, err, errlen);
    if (rc == DG_KS_OK && purged == 0)
        retry_scrub(ks);
done:
    if (rc != DG_KS_OK)
        sqlite_close(ks);
    else
        *out = ks;
    return rc;
}

static void sqlite_close(dg_ks_store *ks)
{
    if (ks == NULL)
        return;
    (void)sqlite3_close(ks->db); /* every statement is finalized: cannot be busy */
    (void)pthread_mutex_destroy(&ks->lock);
    free(ks->expired.ids);
    free(ks->path);
    free(ks);
}

/* ---- put ---- */

struct put_args {
    const dg_pad_info *info;
    const uint8_t *pad;
};

static int bind_row(sqlite3_stmt *st, const dg_pad_info *info, const uint8_t *pad)
{
    static const uint8_t empty[1];
    const void *bytes = info->length > 0 ? (const void *)pad : (const void *)empty;

    if (sqlite3_bind_text(st, 1, info->id, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, info->instance, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int(st, 3, info->alphabet) != SQLITE_OK ||
        sqlite3_bind_int(st, 4, info->policy) != SQLITE_OK ||
        sqlite3_bind_int64(st, 5, info->created) != SQLITE_OK ||
        sqlite3_bind_int64(st, 6, info->expires) != SQLITE_OK ||
        sqlite3_bind_int64(st, 7, (sqlite3_int64)info->length) != SQLITE_OK)
        return SQLITE_ERROR;
    return sqlite3_bind_blob64(st, 8, bytes, (sqlite3_uint64)info->length, SQLITE_STATIC);
}

static int insert_pad(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    const struct put_args *a = arg;
    const char *op = "cannot store a pad";
    sqlite3_stmt *st = NULL;
    int rc = prepare(
            ks,
            "INSERT INTO pads(id, instance, alphabet, policy, created, expires, length, pad)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &st, op, err, errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    step = bind_row(st, a->info, a->pad);
    if (step == SQLITE_OK)
        step = sqlite3_step(st);
    if ((step & 0xff) == SQLITE_CONSTRAINT) {
        set_error(err, errlen, ks->path, op, "a pad with that id exists already");
        rc = DG_KS_EINVAL;
    } else if (step != SQLITE_DONE) {
        rc = fail(ks, step, op, err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_put(dg_ks_store *ks, const dg_pad_info *info, const uint8_t *pad, char *err,
                      size_t errlen)
{
    struct put_args args = {info, pad};
    int rc;

    if (ks == NULL || info == NULL || (pad == NULL && info->length > 0) || !is_pad_info(info)) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot store a pad",
                  "invalid pad or metadata");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = in_write_transaction(ks, "cannot store a pad", insert_pad, &args, err, errlen);
    retry_scrub(ks);
    unlock_store(ks);
    return rc;
}

/* ---- get ---- */

/* Copies the pad of the current row (column 8) into a malloc'd buffer. */
static int copy_pad(const dg_ks_store *ks, sqlite3_stmt *st, const dg_pad_info *info, uint8_t **pad,
                    char *err, size_t errlen)
{
    const void *bytes = sqlite3_column_blob(st, 8);
    int n = sqlite3_column_bytes(st, 8);

    if (sqlite3_column_type(st, 8) != SQLITE_BLOB || n < 0 || (uint64_t)n != info->length) {
        set_error(err, errlen, ks->path, "a pad row is damaged", NULL);
        return DG_KS_EFORMAT;
    }
    if (n > 0 && bytes == NULL)
        return fail(ks, sqlite3_errcode(ks->db), "cannot read a pad", err, errlen);
    *pad = malloc(n > 0 ? (size_t)n : 1);
    if (*pad == NULL) {
        set_error(err, errlen, ks->path, "cannot read a pad", "out of memory");
        return DG_KS_ENOMEM;
    }
    if (n > 0)
        memcpy(*pad, bytes, (size_t)n);
    return DG_KS_OK;
}

static int select_pad(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info,
                      uint8_t **pad, char *err, size_t errlen)
{
    const char *op = "cannot read a pad";
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks,
                     "SELECT " KS_COLUMNS ", pad FROM pads"
                     " WHERE id = ?1 AND (expires = 0 OR expires > ?2) AND claimed = 0",
                     &st, op, err, errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
        rc = fail(ks, sqlite3_errcode(ks->db), op, err, errlen);
        goto done;
    }
    step = first_step_retrying(st);
    if (step == SQLITE_DONE) {
        set_error(err, errlen, ks->path, "no such pad (destroyed, expired or never stored)", id);
        rc = DG_KS_ENOTFOUND;
    } else if (step != SQLITE_ROW) {
        rc = fail(ks, step, op, err, errlen);
    } else {
        rc = read_info(ks, st, info, err, errlen);
        if (rc == DG_KS_OK)
            rc = copy_pad(ks, st, info, pad, err, errlen);
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_get(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info,
                      uint8_t **pad, char *err, size_t errlen)
{
    int rc;

    if (pad != NULL)
        *pad = NULL;
    if (ks == NULL || info == NULL || pad == NULL || !is_pad_id(id)) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot read a pad",
                  "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = select_pad(ks, id, now, info, pad, err, errlen);
    unlock_store(ks);
    return rc;
}

/* ---- delete and purge: overwrite in place, delete, then empty the WAL ---- */

struct delete_args {
    const char *id;
    int64_t now;
    unsigned count;
    struct id_list *ids; /* a purge's destroyed pads, when wanted */
};

static int run_delete(dg_ks_store *ks, const char *sql, struct delete_args *a, const char *op,
                      char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, sql, &st, op, err, errlen), step;

    if (rc != DG_KS_OK)
        return rc;
    step = a->id != NULL ? sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC)
                         : sqlite3_bind_int64(st, 1, a->now);
    if (step == SQLITE_OK)
        step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        a->count = (unsigned)sqlite3_changes(ks->db);
    else
        rc = fail(ks, step, op, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

/*
 * Overwrites the pads that where selects with zeros (in place: the page
 * keeps its size), deletes them and notes that the WAL still holds their
 * older pages until it is emptied.
 */
static int scrub_and_delete(dg_ks_store *ks, const char *where, struct delete_args *a,
                            const char *op, char *err, size_t errlen)
{
    char sql[160];
    int rc;

    snprintf(sql, sizeof sql, "UPDATE pads SET pad = zeroblob(length(pad)) WHERE %s", where);
    rc = run_delete(ks, sql, a, op, err, errlen);
    if (rc != DG_KS_OK || a->count == 0)
        return rc;
    snprintf(sql, sizeof sql, "DELETE FROM pads WHERE %s", where);
    rc = run_delete(ks, sql, a, op, err, errlen);
    if (rc == DG_KS_OK && a->count > 0) {
        int step = sqlite3_exec(ks->db,
                                "INSERT OR REPLACE INTO meta(name, value)"
                                " VALUES ('scrub_pending', x'01')",
                                NULL, NULL, NULL);
        if (step != SQLITE_OK)
            rc = fail(ks, step, op, err, errlen);
    }
    return rc;
}

static int delete_one(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct delete_args *a = arg;
    int rc = scrub_and_delete(ks, "id = ?1", a, "cannot delete a pad", err, errlen);

    if (rc == DG_KS_OK && a->count == 0) {
        set_error(err, errlen, ks->path, "no such pad (destroyed, expired or never stored)", a->id);
        rc = DG_KS_ENOTFOUND;
    }
    return rc;
}

/* A claimed pad's end: it must still be there, claimed. */
static int delete_claimed(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct delete_args *a = arg;
    int rc = scrub_and_delete(ks, "id = ?1 AND claimed <> 0", a, "cannot destroy a claimed pad",
                              err, errlen);

    if (rc == DG_KS_OK && a->count == 0) {
        set_error(err, errlen, ks->path, "no such claimed pad", a->id);
        rc = DG_KS_ENOTFOUND;
    }
    return rc;
}

/* The ids of the pads delete_expired is about to destroy (inside its transaction). */
static int collect_expired(dg_ks_store *ks, struct delete_args *a, char *err, size_t errlen)
{
    const char *op = "cannot purge expired pads";
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, "SELECT id FROM pads WHERE expires > 0 AND expires <= ?1", &st, op, err,
                     errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    step = sqlite3_bind_int64(st, 1, a->now);
    if (step == SQLITE_OK)
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const unsigned char *id = sqlite3_column_text(st, 0);
            if (id != NULL && append_id(a->ids, (const char *)id) != 0) {
                set_error(err, errlen, ks->path, op, "out of memory");
                rc = DG_KS_ENOMEM;
                break;
            }
        }
    if (rc == DG_KS_OK && step != SQLITE_DONE)
        rc = fail(ks, step, op, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int delete_expired(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct delete_args *a = arg;
    int rc = a->ids != NULL ? collect_expired(ks, a, err, errlen) : DG_KS_OK;

    if (rc == DG_KS_OK)
        rc = scrub_and_delete(ks, "expires > 0 AND expires <= ?1", a, "cannot purge expired pads",
                              err, errlen);
    return rc;
}

static int delete_by(dg_ks_store *ks, const char *id, write_fn fn, const char *op, char *err,
                     size_t errlen)
{
    struct delete_args args = {id, 0, 0, NULL};
    int rc;

    if (ks == NULL || !is_pad_id(id)) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", op, "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = in_write_transaction(ks, op, fn, &args, err, errlen);
    retry_scrub(ks);
    unlock_store(ks);
    return rc;
}

static int sqlite_delete(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    return delete_by(ks, id, delete_one, "cannot delete a pad", err, errlen);
}

static int sqlite_finish_claim(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    return delete_by(ks, id, delete_claimed, "cannot destroy a claimed pad", err, errlen);
}

static int sqlite_purge(dg_ks_store *ks, int64_t now, unsigned *count, char *err, size_t errlen)
{
    return sqlite_purge_ids(ks, now, NULL, NULL, count, err, errlen);
}

static int sqlite_purge_ids(dg_ks_store *ks, int64_t now, dg_pad_id_visitor fn, void *user,
                            unsigned *count, char *err, size_t errlen)
{
    struct id_list ids = {NULL, 0, 0};
    struct delete_args args = {NULL, now, 0, fn != NULL ? &ids : NULL};
    int rc;

    if (count != NULL)
        *count = 0;
    if (ks == NULL) {
        set_error(err, errlen, "(null)", "cannot purge expired pads", "no key store");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = in_write_transaction(ks, "cannot purge expired pads", delete_expired, &args, err, errlen);
    if (rc == DG_KS_OK && args.count > 0)
        retry_scrub(ks);
    unlock_store(ks);
    if (rc == DG_KS_OK && count != NULL)
        *count = args.count;
    for (size_t i = 0; rc == DG_KS_OK && i < ids.n; i++)
        if (fn(user, ids.ids[i]) != 0)
            break;
    free(ids.ids);
    return rc;
}

static int sqlite_scrub_pending(dg_ks_store *ks)
{
    int pending;

    if (ks == NULL || lock_store(ks, NULL, 0) != DG_KS_OK)
        return 1;
    retry_scrub(ks);
    pending = scrub_is_pending(ks);
    unlock_store(ks);
    return pending;
}

/* ---- claims: a single-use pad taken by one restore, atomically ---- */

struct claim_args {
    const char *id;
    int64_t now;
    dg_pad_info *info;
    uint8_t **pad;
};

static int claim_in_transaction(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct claim_args *a = arg;
    struct delete_args mark = {a->id, 0, 0, NULL};
    int rc = select_pad(ks, a->id, a->now, a->info, a->pad, err, errlen);

    if (rc != DG_KS_OK || a->info->policy != 1)
        return rc;
    rc = run_delete(ks, "UPDATE pads SET claimed = 1 WHERE id = ?1 AND claimed = 0", &mark,
                    "cannot claim a pad", err, errlen);
    if (rc == DG_KS_OK && mark.count != 1) {
        set_error(err, errlen, ks->path, "no such pad (destroyed, expired or never stored)", a->id);
        rc = DG_KS_ENOTFOUND;
    }
    return rc;
}

static int sqlite_claim(dg_ks_store *ks, const char *id, int64_t now, dg_pad_info *info,
                        uint8_t **pad, char *err, size_t errlen)
{
    struct claim_args args = {id, now, info, pad};
    int rc;

    if (pad != NULL)
        *pad = NULL;
    if (ks == NULL || info == NULL || pad == NULL || !is_pad_id(id)) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot claim a pad",
                  "invalid pad id");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = in_write_transaction(ks, "cannot claim a pad", claim_in_transaction, &args, err, errlen);
    unlock_store(ks);
    if (rc != DG_KS_OK && *pad != NULL) {
        memset(*pad, 0, (size_t)info->length); /* caller's dg_wipe is not reachable here */
        free(*pad);
        *pad = NULL;
    }
    return rc;
}

static int unclaim(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct delete_args *a = arg;
    int rc = run_delete(ks, "UPDATE pads SET claimed = 0 WHERE id = ?1 AND claimed <> 0", a,
                        "cannot release a pad", err, errlen);

    if (rc == DG_KS_OK && a->count == 0) {
        set_error(err, errlen, ks->path, "no such claimed pad", a->id);
        rc = DG_KS_ENOTFOUND;
    }
    return rc;
}

static int sqlite_release(dg_ks_store *ks, const char *id, char *err, size_t errlen)
{
    return delete_by(ks, id, unclaim, "cannot release a pad", err, errlen);
}

/* ---- the store's named values (the wrapped pseudonym secret) ---- */

struct meta_args {
    const char *name;
    const uint8_t *value;
    size_t len;
    int inserted;
};

static int insert_meta(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    struct meta_args *a = arg;
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, "INSERT OR IGNORE INTO meta(name, value) VALUES (?1, ?2)", &st,
                     "cannot store a value", err, errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    step = sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
    if (step == SQLITE_OK)
        step = sqlite3_bind_blob64(st, 2, a->value, a->len, SQLITE_STATIC);
    if (step == SQLITE_OK)
        step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        a->inserted = sqlite3_changes(ks->db) == 1;
    else
        rc = fail(ks, step, "cannot store a value", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_meta_add(dg_ks_store *ks, const char *name, const uint8_t *value, size_t len,
                           int *inserted, char *err, size_t errlen)
{
    struct meta_args args = {name, value, len, 0};
    int rc;

    if (ks == NULL || name == NULL || value == NULL) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot store a value",
                  "invalid arguments");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = in_write_transaction(ks, "cannot store a value", insert_meta, &args, err, errlen);
    unlock_store(ks);
    if (inserted != NULL)
        *inserted = args.inserted;
    return rc;
}

static int sqlite_meta_get(dg_ks_store *ks, const char *name, uint8_t *value, size_t cap,
                           size_t *len, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc, step, n;

    if (ks == NULL || name == NULL || value == NULL || len == NULL) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot read a value",
                  "invalid arguments");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = prepare(ks, "SELECT value FROM meta WHERE name = ?1", &st, "cannot read a value", err,
                 errlen);
    if (rc != DG_KS_OK)
        goto done;
    step = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (step == SQLITE_OK)
        step = first_step_retrying(st);
    if (step == SQLITE_DONE) {
        set_error(err, errlen, ks->path, "no such value", name);
        rc = DG_KS_ENOTFOUND;
    } else if (step != SQLITE_ROW) {
        rc = fail(ks, step, "cannot read a value", err, errlen);
    } else if ((n = sqlite3_column_bytes(st, 0)) < 0 || (size_t)n > cap) {
        set_error(err, errlen, ks->path, "a stored value is damaged", name);
        rc = DG_KS_EFORMAT;
    } else {
        if (n > 0)
            memcpy(value, sqlite3_column_blob(st, 0), (size_t)n);
        *len = (size_t)n;
    }
done:
    sqlite3_finalize(st);
    unlock_store(ks);
    return rc;
}

/* ---- list ---- */

struct pad_list {
    dg_pad_info *items;
    size_t n, cap;
};

static int append_info(struct pad_list *list, const dg_pad_info *info)
{
    if (list->n == list->cap) {
        size_t cap = list->cap > 0 ? 2 * list->cap : 64;
        dg_pad_info *items =
            cap > SIZE_MAX / sizeof *items ? NULL : realloc(list->items, cap * sizeof *items);
        if (items == NULL)
            return -1;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = *info;
    return 0;
}

/* Reads every pad's metadata, so that the visitor runs with no statement open. */
static int collect_infos(dg_ks_store *ks, struct pad_list *list, char *err, size_t errlen)
{
    const char *op = "cannot list the pads";
    sqlite3_stmt *st = NULL;
    dg_pad_info info;
    int rc = prepare(ks, "SELECT " KS_COLUMNS " FROM pads ORDER BY created, id", &st, op, err,
                     errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    for (step = first_step_retrying(st); step == SQLITE_ROW; step = sqlite3_step(st)) {
        rc = read_info(ks, st, &info, err, errlen);
        if (rc != DG_KS_OK)
            goto done;
        if (append_info(list, &info) != 0) {
            set_error(err, errlen, ks->path, op, "out of memory");
            rc = DG_KS_ENOMEM;
            goto done;
        }
    }
    if (step != SQLITE_DONE)
        rc = fail(ks, step, op, err, errlen);
done:
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_list(dg_ks_store *ks, dg_pad_visitor fn, void *user, char *err, size_t errlen)
{
    struct pad_list list = {NULL, 0, 0};
    int rc;

    if (ks == NULL || fn == NULL) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot list the pads",
                  "no key store or visitor");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = collect_infos(ks, &list, err, errlen);
    unlock_store(ks);
    for (size_t i = 0; rc == DG_KS_OK && i < list.n; i++)
        if (fn(user, &list.items[i]) != 0)
            break;
    free(list.items);
    return rc;
}

/* ---- the audit trail ---- */

/* Reads the hash of the last record into prev (zeros when the trail is empty) and its seq. */
static int last_record(dg_ks_store *ks, dg_audit_record *r, char *err, size_t errlen)
{
    const char *op = "cannot append to the audit trail";
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &st, op, err,
                     errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    step = sqlite3_step(st);
    r->seq = 1;
    if (step == SQLITE_ROW) {
        r->seq = sqlite3_column_int64(st, 0) + 1;
        if (copy_text(st, 1, r->prev, sizeof r->prev) != 0) {
            set_error(err, errlen, ks->path, op, "the last audit record is damaged");
            rc = DG_KS_EFORMAT;
        }
    } else if (step != SQLITE_DONE) {
        rc = fail(ks, step, op, err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insert_record(dg_ks_store *ks, void *arg, char *err, size_t errlen)
{
    dg_audit_record *r = arg;
    const char *op = "cannot append to the audit trail";
    sqlite3_stmt *st = NULL;
    const char *text[] = {r->actor, r->action, r->instance, r->pad, r->outcome, r->prev, r->hash};
    int rc = last_record(ks, r, err, errlen), step = SQLITE_OK;

    if (rc != DG_KS_OK)
        return rc;
    if (dg_audit_seal(r) != 0) {
        set_error(err, errlen, ks->path, op, "SHA-256 failed");
        return DG_KS_EIO;
    }
    rc = prepare(
        ks, "INSERT INTO audit(" KS_AUDIT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &st, op, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    if (sqlite3_bind_int64(st, 1, r->seq) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, r->time) != SQLITE_OK)
        step = SQLITE_ERROR;
    for (int i = 0; step == SQLITE_OK && i < 7; i++)
        step = sqlite3_bind_text(st, 3 + i, text[i], -1, SQLITE_STATIC);
    if (step == SQLITE_OK)
        step = sqlite3_step(st);
    if (step != SQLITE_DONE)
        rc = fail(ks, step, op, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_audit_append(dg_ks_store *ks, dg_audit_record *r, char *err, size_t errlen)
{
    int rc;

    if (ks == NULL || r == NULL) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot append to the audit trail",
                  "no key store or record");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc =
        in_write_transaction(ks, "cannot append to the audit trail", insert_record, r, err, errlen);
    unlock_store(ks);
    return rc;
}

/* Reads the current row into r; DG_KS_EFORMAT when a field does not fit (the row was altered). */
static int read_record(const dg_ks_store *ks, sqlite3_stmt *st, dg_audit_record *r, char *err,
                       size_t errlen)
{
    char *text[] = {r->actor, r->action, r->instance, r->pad, r->outcome, r->prev, r->hash};
    size_t caps[] = {sizeof r->actor,   sizeof r->action, sizeof r->instance, sizeof r->pad,
                     sizeof r->outcome, sizeof r->prev,   sizeof r->hash};

    memset(r, 0, sizeof *r);
    r->seq = sqlite3_column_int64(st, 0);
    r->time = sqlite3_column_int64(st, 1);
    for (int i = 0; i < 7; i++)
        if (copy_text(st, 2 + i, text[i], caps[i]) != 0) {
            char what[64];
            snprintf(what, sizeof what, "audit record %lld", (long long)r->seq);
            set_error(err, errlen, ks->path, what, "a field is missing or too long (altered)");
            return DG_KS_EFORMAT;
        }
    return DG_KS_OK;
}

struct record_list {
    dg_audit_record *items;
    size_t n, cap;
};

static int collect_records(dg_ks_store *ks, int64_t since, struct record_list *list, char *err,
                           size_t errlen)
{
    const char *op = "cannot read the audit trail";
    sqlite3_stmt *st = NULL;
    int rc = prepare(ks, "SELECT " KS_AUDIT_COLUMNS " FROM audit WHERE time >= ?1 ORDER BY seq",
                     &st, op, err, errlen),
        step;

    if (rc != DG_KS_OK)
        return rc;
    step = sqlite3_bind_int64(st, 1, since);
    for (step = step == SQLITE_OK ? first_step_retrying(st) : step; step == SQLITE_ROW;
         step = sqlite3_step(st)) {
        if (list->n == list->cap) {
            size_t cap = list->cap > 0 ? 2 * list->cap : 64;
            dg_audit_record *items =
                cap > SIZE_MAX / sizeof *items ? NULL : realloc(list->items, cap * sizeof *items);
            if (items == NULL) {
                set_error(err, errlen, ks->path, op, "out of memory");
                rc = DG_KS_ENOMEM;
                goto done;
            }
            list->items = items;
            list->cap = cap;
        }
        rc = read_record(ks, st, &list->items[list->n], err, errlen);
        if (rc != DG_KS_OK)
            goto done;
        list->n++;
    }
    if (step != SQLITE_DONE)
        rc = fail(ks, step, op, err, errlen);
done:
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_audit_list(dg_ks_store *ks, int64_t since, dg_audit_visitor fn, void *user,
                             char *err, size_t errlen)
{
    struct record_list list = {NULL, 0, 0};
    int rc;

    if (ks == NULL || fn == NULL) {
        set_error(err, errlen, ks != NULL ? ks->path : "(null)", "cannot read the audit trail",
                  "no key store or visitor");
        return DG_KS_EINVAL;
    }
    rc = lock_store(ks, err, errlen);
    if (rc != DG_KS_OK)
        return rc;
    rc = collect_records(ks, since, &list, err, errlen);
    unlock_store(ks);
    for (size_t i = 0; rc == DG_KS_OK && i < list.n; i++)
        if (fn(user, &list.items[i]) != 0)
            break;
    free(list.items);
    return rc;
}

const dg_ks_backend dg_ks_sqlite = {
    .name = "SQLite",
    .open = sqlite_open,
    .close = sqlite_close,
    .put = sqlite_put,
    .get = sqlite_get,
    .delete_pad = sqlite_delete,
    .purge = sqlite_purge,
    .list = sqlite_list,
    .claim = sqlite_claim,
    .release = sqlite_release,
    .finish_claim = sqlite_finish_claim,
    .scrub_pending = sqlite_scrub_pending,
    .meta_add = sqlite_meta_add,
    .meta_get = sqlite_meta_get,
    .purge_ids = sqlite_purge_ids,
    .created = sqlite_created,
    .take_expired = sqlite_take_expired,
    .audit_append = sqlite_audit_append,
    .audit_list = sqlite_audit_list,
};
