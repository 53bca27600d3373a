/*
 * test_keystore_pg.c - the key store on a real PostgreSQL server
 * (tests/keystore_pg.sh starts one and runs this with its socket folder):
 * the same behaviour as on SQLite (put, get, delete, purge, expiry, list,
 * many writers), schema creation and version check, a password in the URI
 * refused and read from libpq's password file instead, and a server that
 * stops and comes back (DG_PG_HALT / DG_PG_RESUME are shell commands).
 *
 * usage: test_keystore_pg SOCKET_DIR
 * Databases the script makes first: ks_basic, ks_race, ks_threads,
 * ks_version, ks_foreign, ks_restart, and ks_pw owned by the role dgpw.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "keystore.h"
#include "random.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *sock;

static void uri(char *out, size_t cap, const char *db, const char *user)
{
    snprintf(out, cap, "postgresql:///%s?host=%s&user=%s", db, sock, user);
}

static void make_id(char id[DG_KS_ID_LEN + 1], unsigned a, unsigned b)
{
    snprintf(id, DG_KS_ID_LEN + 1, "%016x%016x", a, b);
}

static dg_pad_info pad_info(const char *id, int64_t created, int64_t expires, uint64_t length)
{
    dg_pad_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.id, sizeof info.id, "%.*s", (int)sizeof info.id - 1, id);
    snprintf(info.instance, sizeof info.instance, "2.25.%u", (unsigned)length);
    info.alphabet = 1;
    info.policy = (int)(length % 2);
    info.created = created;
    info.expires = expires;
    info.length = length;
    return info;
}

struct listing {
    unsigned count;
    int64_t last_created;
    int ordered;
};

static int visit(void *user, const dg_pad_info *info)
{
    struct listing *l = user;
    l->ordered &= info->created >= l->last_created;
    l->last_created = info->created;
    l->count++;
    return 0;
}

/* Runs sql on database db as postgres; 0 when it worked. */
static int psql(const char *db, const char *sql)
{
    char conninfo[300];
    PGconn *c;
    PGresult *r;
    int ok;

    uri(conninfo, sizeof conninfo, db, "postgres");
    c = PQconnectdb(conninfo);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "psql: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static void test_put_get_delete_list(void)
{
    char store[300], err[256] = "", id[3][DG_KS_ID_LEN + 1];
    uint8_t pad[3][1000], *back = NULL;
    dg_keystore *ks = NULL;
    dg_pad_info info, got;
    struct listing l = {0, 0, 1};

    uri(store, sizeof store, "ks_basic", "postgres");
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    for (unsigned i = 0; i < 3; i++) {
        make_id(id[i], 1, i);
        dg_random_bytes(pad[i], sizeof pad[i]);
        info = pad_info(id[i], 100 - (int64_t)i, 0, i == 2 ? 0 : 999 + i);
        CHECK(dg_keystore_put(ks, &info, pad[i], err, sizeof err) == DG_KS_OK);
    }
    /* the same id twice is refused */
    info = pad_info(id[0], 5, 0, 10);
    CHECK(dg_keystore_put(ks, &info, pad[0], err, sizeof err) == DG_KS_EINVAL);
    CHECK(strstr(err, "exists already") != NULL);
    for (unsigned i = 0; i < 3; i++) {
        CHECK(dg_keystore_get(ks, id[i], 0, &got, &back, err, sizeof err) == DG_KS_OK);
        CHECK(back != NULL && got.length == (i == 2 ? 0 : 999 + i) &&
              memcmp(back, pad[i], got.length) == 0);
        CHECK(strcmp(got.id, id[i]) == 0 && got.alphabet == 1 && got.created == 100 - (int64_t)i);
        CHECK(got.policy == (int)(got.length % 2));
        free(back);
        back = NULL;
    }
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 3 &&
          l.ordered);
    CHECK(dg_keystore_delete(ks, id[1], err, sizeof err) == DG_KS_OK);
    CHECK(dg_keystore_delete(ks, id[1], err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_get(ks, id[1], 0, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND &&
          back == NULL);
    CHECK(dg_keystore_get(ks, "not-an-id", 0, &got, &back, err, sizeof err) == DG_KS_EINVAL);
    dg_keystore_close(ks);
    /* reopened: what was stored is still there */
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    l = (struct listing){0, 0, 1};
    CHECK(ks != NULL && dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK &&
          l.count == 2);
    dg_keystore_close(ks);
}

static void test_expiry(void)
{
    char store[300], err[256], id[3][DG_KS_ID_LEN + 1];
    uint8_t pad[16] = {0}, *back = NULL;
    dg_keystore *ks = NULL;
    dg_pad_info info, got;
    unsigned count = 0;
    struct listing l = {0, 0, 1};

    uri(store, sizeof store, "ks_basic", "postgres");
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (unsigned i = 0; i < 3; i++) {
        make_id(id[i], 2, i);
        info = pad_info(id[i], 1, i == 0 ? 0 : 50 * (int64_t)i, 16); /* never, 50, 100 */
        CHECK(dg_keystore_put(ks, &info, pad, err, sizeof err) == DG_KS_OK);
    }
    CHECK(dg_keystore_get(ks, id[1], 49, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    back = NULL;
    CHECK(dg_keystore_get(ks, id[1], 50, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_purge(ks, 60, &count, err, sizeof err) == DG_KS_OK && count == 1);
    CHECK(dg_keystore_get(ks, id[2], 60, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    back = NULL;
    dg_keystore_close(ks);
    /* opening purges what has expired by now (100 is long past) */
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    CHECK(ks != NULL &&
          dg_keystore_get(ks, id[2], 0, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_get(ks, id[0], 0, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK);
    dg_keystore_close(ks);
}

/* Each child opens the store (the first ones race to create it) and puts 50 pads. */
static int child_puts(const char *store, unsigned child, int go)
{
    char err[256], id[DG_KS_ID_LEN + 1], c;
    dg_keystore *ks = NULL;
    uint8_t pad[200];
    int failed = 0;

    if (read(go, &c, 1) < 0)
        return 1;
    if (dg_keystore_open(store, &ks, err, sizeof err) != DG_KS_OK) {
        fprintf(stderr, "child %u: %s\n", child, err);
        return 1;
    }
    for (unsigned i = 0; i < 50; i++) {
        dg_pad_info info;
        make_id(id, 100 + child, i);
        info = pad_info(id, (int64_t)(child * 1000 + i), 0, 100 + i);
        dg_random_bytes(pad, sizeof pad);
        if (dg_keystore_put(ks, &info, pad, err, sizeof err) != DG_KS_OK) {
            fprintf(stderr, "child %u: %s\n", child, err);
            failed = 1;
        }
    }
    dg_keystore_close(ks);
    return failed;
}

static void test_parallel_processes(void)
{
    char store[300], err[256];
    int go[2], ok = 1;
    pid_t pids[4];
    dg_keystore *ks = NULL;
    struct listing l = {0, 0, 1};

    uri(store, sizeof store, "ks_race", "postgres");
    CHECK(pipe(go) == 0);
    fflush(NULL);
    for (unsigned c = 0; c < 4; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            close(go[1]);
            _exit(child_puts(store, c, go[0]));
        }
        ok &= pids[c] > 0;
    }
    close(go[0]);
    close(go[1]);
    for (unsigned c = 0; c < 4; c++) {
        int status = 0;
        ok &= pids[c] > 0 && waitpid(pids[c], &status, 0) == pids[c] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    }
    CHECK(ok);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    CHECK(ks != NULL && dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK &&
          l.count == 200);
    dg_keystore_close(ks);
}

struct thread_job {
    dg_keystore *ks;
    unsigned n;
    int failed;
};

static void *thread_puts(void *arg)
{
    struct thread_job *job = arg;
    char err[256], id[DG_KS_ID_LEN + 1];
    uint8_t pad[200], *back = NULL;
    for (unsigned i = 0; i < 25; i++) {
        dg_pad_info info, got;
        make_id(id, 200 + job->n, i);
        info = pad_info(id, (int64_t)i, 0, 100 + i);
        dg_random_bytes(pad, sizeof pad);
        if (dg_keystore_put(job->ks, &info, pad, err, sizeof err) != DG_KS_OK ||
            dg_keystore_get(job->ks, id, 0, &got, &back, err, sizeof err) != DG_KS_OK ||
            memcmp(back, pad, info.length) != 0)
            job->failed = 1;
        free(back);
        back = NULL;
        if (i % 2 == 0 && dg_keystore_delete(job->ks, id, err, sizeof err) != DG_KS_OK)
            job->failed = 1;
    }
    return NULL;
}

static void test_parallel_threads(void)
{
    char store[300], err[256];
    dg_keystore *ks = NULL;
    pthread_t threads[4];
    struct thread_job jobs[4];
    struct listing l = {0, 0, 1};
    int ok = 1;

    uri(store, sizeof store, "ks_threads", "postgres");
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (unsigned t = 0; t < 4; t++) {
        jobs[t] = (struct thread_job){ks, t, 0};
        ok &= pthread_create(&threads[t], NULL, thread_puts, &jobs[t]) == 0;
    }
    for (unsigned t = 0; t < 4; t++)
        ok &= pthread_join(threads[t], NULL) == 0 && !jobs[t].failed;
    CHECK(ok);
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 4 * 12);
    dg_keystore_close(ks);
}

static void test_schema_checks(void)
{
    char store[300], err[256] = "";
    dg_keystore *ks = NULL;

    /* a later schema version is refused, and says which */
    uri(store, sizeof store, "ks_version", "postgres");
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    dg_keystore_close(ks);
    ks = NULL;
    CHECK(psql("ks_version",
               "UPDATE dcmguard.meta SET value = '99' WHERE name = 'schema_version'") == 0);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_EFORMAT && ks == NULL);
    CHECK(strstr(err, "schema version 99") != NULL);
    /* a schema named dcmguard that is not ours */
    uri(store, sizeof store, "ks_foreign", "postgres");
    CHECK(psql("ks_foreign", "CREATE SCHEMA dcmguard; CREATE TABLE dcmguard.pads(x int);"
                             "CREATE TABLE dcmguard.meta(name text, value text)") == 0);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_EFORMAT && ks == NULL);
    CHECK(strstr(err, "not a dcmguard key store") != NULL);
}

static void test_passwords(void)
{
    char store[400], err[512] = "", passfile[300];
    dg_keystore *ks = NULL;
    FILE *f;

    /* in the URI: refused before any connection, and not repeated in the message */
    snprintf(store, sizeof store, "postgresql://dgpw:hunter2@/ks_pw?host=%s", sock);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_EINVAL && ks == NULL);
    CHECK(strstr(err, "password") != NULL && strstr(err, "hunter2") == NULL);
    snprintf(store, sizeof store, "postgresql:///ks_pw?host=%s&user=dgpw&password=hunter2", sock);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_EINVAL && ks == NULL);
    CHECK(strstr(err, "hunter2") == NULL);
    /* none given: the server refuses, the message says so */
    uri(store, sizeof store, "ks_pw", "dgpw");
    snprintf(passfile, sizeof passfile, "%s/pgpass-test", sock);
    setenv("PGPASSFILE", "/nonexistent/pgpass", 1);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_EIO && ks == NULL);
    CHECK(strstr(err, "password") != NULL);
    /* libpq's password file */
    f = fopen(passfile, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fprintf(f, "%s:*:ks_pw:dgpw:dgpw-secret-for-tests\n", sock);
    fclose(f);
    CHECK(chmod(passfile, 0600) == 0);
    setenv("PGPASSFILE", passfile, 1);
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        fprintf(stderr, "%s\n", err);
    dg_keystore_close(ks);
    unsetenv("PGPASSFILE");
    unlink(passfile);
}

/* The server stops under an open store, then comes back: errors, then normal service. */
static void test_restart(void)
{
    const char *halt = getenv("DG_PG_HALT"), *resume = getenv("DG_PG_RESUME");
    char store[300], err[512] = "", id[2][DG_KS_ID_LEN + 1];
    uint8_t pad[64], *back = NULL;
    dg_keystore *ks = NULL, *late = NULL;
    dg_pad_info info, got;

    CHECK(halt != NULL && resume != NULL);
    if (halt == NULL || resume == NULL)
        return;
    uri(store, sizeof store, "ks_restart", "postgres");
    CHECK(dg_keystore_open(store, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    dg_random_bytes(pad, sizeof pad);
    make_id(id[0], 5, 0);
    make_id(id[1], 5, 1);
    info = pad_info(id[0], 1, 0, sizeof pad);
    CHECK(dg_keystore_put(ks, &info, pad, err, sizeof err) == DG_KS_OK);
    CHECK(system(halt) == 0);
    info = pad_info(id[1], 1, 0, sizeof pad);
    CHECK(dg_keystore_put(ks, &info, pad, err, sizeof err) == DG_KS_EIO);
    CHECK(strstr(err, "cannot store a pad") != NULL);
    printf("server down, put: %s\n", err);
    CHECK(dg_keystore_get(ks, id[0], 0, &got, &back, err, sizeof err) == DG_KS_EIO && back == NULL);
    CHECK(dg_keystore_open(store, &late, err, sizeof err) == DG_KS_EIO && late == NULL);
    printf("server down, open: %s\n", err);
    CHECK(system(resume) == 0);
    CHECK(dg_keystore_put(ks, &info, pad, err, sizeof err) == DG_KS_OK);
    CHECK(dg_keystore_get(ks, id[0], 0, &got, &back, err, sizeof err) == DG_KS_OK &&
          memcmp(back, pad, sizeof pad) == 0);
    free(back);
    dg_keystore_close(ks);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_keystore_pg SOCKET_DIR\n");
        return 2;
    }
    sock = argv[1];
    test_put_get_delete_list();
    test_expiry();
    test_parallel_processes();
    test_parallel_threads();
    test_schema_checks();
    test_passwords();
    test_restart();
    return check_summary("keystore_pg");
}
