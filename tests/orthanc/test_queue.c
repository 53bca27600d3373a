/*
 * test_queue.c - unit tests of the gateway's journal and forwarding queue
 * (plugin/queue.c): keyed names, records, due order, back-off, deletion,
 * persistence across a reopen, file modes, and several threads at once.
 * With a PostgreSQL URI (tests/keystore_pg.sh starts a server): the same
 * journal shared by several gateways (queue_pg.c): any node finds any
 * record, leases, take-over once a lease has run out, back-off, and four
 * nodes draining one queue, each instance taken exactly once.
 * Usage: test_queue TESTDATA_FILES_DIR [POSTGRESQL_URI]
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "dcmguard.h"
#include "dicom.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/dcmguard-queue.XXXXXX";
static char err[DG_ERRLEN];

static void path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* A context with the master key keyname (made when absent) and the key store storename. */
static dg_ctx *context_on(const char *keyname, const char *storename)
{
    char key[512], store[512];
    dg_ctx *ctx = NULL;
    path(key, sizeof key, keyname);
    path(store, sizeof store, storename);
    if ((access(key, F_OK) != 0 && dg_master_key_file_create(key, err, sizeof err) != DG_OK) ||
        dg_ctx_create(&ctx) != DG_OK ||
        dg_ctx_load_master_key(ctx, key, err, sizeof err) != DG_OK ||
        dg_ctx_open_keystore(ctx, store, err, sizeof err) != DG_OK) {
        fprintf(stderr, "cannot make a context: %s\n", err);
        exit(1);
    }
    return ctx;
}

static dg_ctx *context(const char *keyname)
{
    char store[128];
    snprintf(store, sizeof store, "%s.db", keyname);
    return context_on(keyname, store);
}

static void test_keys(dg_ctx *ctx, const char *files)
{
    char a[DG_QUEUE_KEY_LEN + 1], b[DG_QUEUE_KEY_LEN + 1], c[DG_QUEUE_KEY_LEN + 1];
    char cls[DG_QUEUE_UID_MAX + 1], file[1024];
    dg_ctx *other = context("other.key"), *nokey = NULL;
    uint8_t *buf;
    FILE *f;
    long n;

    CHECK(dg_queue_key(ctx, "1.2.3.4", a, err, sizeof err) == DG_OK && strlen(a) == 64);
    CHECK(dg_queue_key(ctx, "1.2.3.4", b, err, sizeof err) == DG_OK && strcmp(a, b) == 0);
    CHECK(strspn(a, "0123456789abcdef") == 64 && strstr(a, "1.2.3.4") == NULL);
    CHECK(dg_queue_key(ctx, "1.2.3.5", b, err, sizeof err) == DG_OK && strcmp(a, b) != 0);
    CHECK(dg_queue_key(other, "1.2.3.4", c, err, sizeof err) == DG_OK && strcmp(a, c) != 0);
    dg_ctx_destroy(other);
    /* the same master key on another store: the journal key comes from the store's secret */
    other = context_on("master.key", "second-store.db");
    CHECK(dg_queue_key(other, "1.2.3.4", c, err, sizeof err) == DG_OK && strcmp(a, c) != 0);
    CHECK(dg_ctx_create(&nokey) == DG_OK &&
          dg_queue_key(nokey, "1", a, err, sizeof err) == DG_EKEY);

    snprintf(file, sizeof file, "%s/pydicom_CT_small.dcm", files);
    f = fopen(file, "rb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n);
    CHECK(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    CHECK(dg_queue_key_file(ctx, buf, (size_t)n, a, cls, err, sizeof err) == DG_OK);
    CHECK(strcmp(cls, "1.2.840.10008.5.1.4.1.1.2") == 0);
    CHECK(dg_queue_key(ctx, "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322", b, err,
                       sizeof err) == DG_OK &&
          strcmp(a, b) == 0);
    CHECK(dg_queue_key_file(ctx, buf, 100, a, cls, err, sizeof err) == DG_EINPUT);
    free(buf);
    dg_ctx_destroy(other);
    dg_ctx_destroy(nokey);
}

static void test_records(dg_queue *q)
{
    dg_queue_entry e;
    dg_queue_stats s;
    char ids[8][DG_QUEUE_ID_MAX + 1];
    unsigned n = 0;
    int found = -1;

    CHECK(dg_queue_add(q, "k1", "1.2.840.10008.5.1.4.1.1.2", "id-1", 1, 1000, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_add(q, "k2", "1.2.840.10008.5.1.4.1.1.4", "id-2", 1, 1001, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_add(q, "k3", "1.2.840.10008.5.1.4.1.1.4", "id-3", 0, 1002, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_add(q, "", "c", "id", 1, 0, err, sizeof err) == DG_EINVAL);
    CHECK(dg_queue_find(q, "k1", &e, &found, err, sizeof err) == DG_OK && found == 1);
    CHECK(strcmp(e.id, "id-1") == 0 && e.stored == 1 && e.forward == DG_FORWARD_PENDING);
    CHECK(strcmp(e.sop_class, "1.2.840.10008.5.1.4.1.1.2") == 0 && e.added == 1000);
    CHECK(dg_queue_find(q, "nope", &e, &found, err, sizeof err) == DG_OK && found == 0);

    /* Due: the pending ones, oldest first; none before they are due. */
    CHECK(dg_queue_due(q, 999, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(q, 2000, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);
    CHECK(n == 2 && strcmp(ids[0], "id-1") == 0 && strcmp(ids[1], "id-2") == 0);
    CHECK(dg_queue_due(q, 2000, ids, 1, &n, err, sizeof err) == DG_OK && n == 1);

    /* Back-off: 5, 10, 20, ... up to 300 s by default; then 2, 4, 4 with (2, 4). */
    CHECK(dg_queue_failed(q, "id-1", 2000, "archive down", err, sizeof err) == DG_OK);
    CHECK(dg_queue_due(q, 2004, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
    CHECK(dg_queue_due(q, 2005, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);
    CHECK(dg_queue_failed(q, "id-1", 2005, "archive down", err, sizeof err) == DG_OK);
    CHECK(dg_queue_due(q, 2014, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
    CHECK(dg_queue_due(q, 2015, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);
    CHECK(dg_queue_find(q, "k1", &e, &found, err, sizeof err) == DG_OK && e.attempts == 2);
    CHECK(strcmp(e.last_error, "archive down") == 0);
    CHECK(dg_queue_set_backoff(q, 0, 4) == DG_EINVAL && dg_queue_set_backoff(q, 5, 4) == DG_EINVAL);
    CHECK(dg_queue_set_backoff(q, 2, 4) == DG_OK);
    for (int i = 0; i < 40; i++)
        dg_queue_failed(q, "id-2", 3000, "x", err, sizeof err);
    CHECK(dg_queue_due(q, 3003, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
    CHECK(dg_queue_due(q, 3004, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);

    /* Forwarded, removed, stats. */
    CHECK(dg_queue_forwarded(q, "id-1", err, sizeof err) == DG_OK);
    CHECK(dg_queue_failed(q, "id-1", 4000, "late", err, sizeof err) == DG_OK);
    CHECK(dg_queue_find(q, "k1", &e, &found, err, sizeof err) == DG_OK);
    CHECK(e.forward == DG_FORWARD_DONE && e.last_error[0] == '\0');
    CHECK(dg_queue_removed(q, "id-1", err, sizeof err) == DG_OK);
    CHECK(dg_queue_find(q, "k1", &e, &found, err, sizeof err) == DG_OK);
    CHECK(e.stored == 0 && e.forward == DG_FORWARD_DONE);
    CHECK(dg_queue_removed(q, "id-2", err, sizeof err) == DG_OK);
    CHECK(dg_queue_find(q, "k2", &e, &found, err, sizeof err) == DG_OK);
    CHECK(e.forward == DG_FORWARD_DROPPED);
    CHECK(dg_queue_due(q, 9999, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_get_stats(q, &s, err, sizeof err) == DG_OK);
    CHECK(s.instances == 3 && s.pending == 0 && s.forwarded == 1 && s.dropped == 1);

    /* The same key again (the instance sent anew) replaces its record. */
    CHECK(dg_queue_add(q, "k2", "1.2.840.10008.5.1.4.1.1.4", "id-2", 1, 5000, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_get_stats(q, &s, err, sizeof err) == DG_OK && s.instances == 3);
    CHECK(s.pending == 1 && s.next_attempt == 5000);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    blob b = load_path(path);
    *len = b.len;
    return b.data;
}

/* dg_queue_key_file (fast path or not) names every file as DCMTK's full parse does. */
static void test_names_agree(dg_ctx *ctx, const char *files)
{
    char path[1024], key[DG_QUEUE_KEY_LEN + 1], want[DG_QUEUE_KEY_LEN + 1];
    char cls[DG_QUEUE_UID_MAX + 1];
    struct dirent *e;
    DIR *d = opendir(files);
    int compared = 0, same = 0;

    CHECK(d != NULL);
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t len;
        uint8_t *buf;
        dg_dicom *dicom = NULL;
        dg_dicom_info info;

        snprintf(path, sizeof path, "%s/%s", files, e->d_name);
        if (e->d_name[0] == '.' || (buf = slurp(path, &len)) == NULL)
            continue;
        if (dg_dicom_parse(buf, len, &dicom, NULL, 0) == DG_DICOM_OK &&
            dg_dicom_get_info(dicom, &info) == DG_DICOM_OK && info.sop_instance_uid[0] != '\0') {
            compared++;
            same += dg_queue_key(ctx, info.sop_instance_uid, want, err, sizeof err) == DG_OK &&
                    dg_queue_key_file(ctx, buf, len, key, cls, err, sizeof err) == DG_OK &&
                    strcmp(key, want) == 0 && strcmp(cls, info.sop_class_uid) == 0;
            if (strcmp(key, want) != 0)
                fprintf(stderr, "%s: named differently from DCMTK's parse\n", e->d_name);
        }
        dg_dicom_free(dicom);
        free(buf);
    }
    if (d != NULL)
        closedir(d);
    CHECK(compared >= 60 && same == compared);
}

typedef struct worker_arg {
    dg_queue *q;
    int base;
} worker_arg;

static void *add_many(void *p)
{
    worker_arg *a = p;
    char key[32], id[32], e[DG_ERRLEN];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "t%d-%d", a->base, i);
        snprintf(id, sizeof id, "i%d-%d", a->base, i);
        if (dg_queue_add(a->q, key, "1.2", id, 1, 1, e, sizeof e) != DG_OK)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(dg_queue *q)
{
    pthread_t t[4];
    worker_arg a[4];
    void *rc;
    int failed = 0;
    dg_queue_stats s;

    for (int i = 0; i < 4; i++) {
        a[i].q = q;
        a[i].base = i;
        pthread_create(&t[i], NULL, add_many, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &rc);
        failed += rc != NULL;
    }
    CHECK(failed == 0);
    CHECK(dg_queue_get_stats(q, &s, err, sizeof err) == DG_OK && s.instances == 803);
}

static void test_files(void)
{
    char db[512], wal[520];
    struct stat st;
    dg_queue *q = NULL;
    dg_queue_stats s;

    path(db, sizeof db, "journal.db");
    snprintf(wal, sizeof wal, "%s-wal", db);
    CHECK(stat(db, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(stat(wal, &st) != 0 || (st.st_mode & 0777) == 0600);
    CHECK(dg_queue_open(db, 1, &q, err, sizeof err) == DG_OK);
    CHECK(dg_queue_get_stats(q, &s, err, sizeof err) == DG_OK && s.instances == 803);
    dg_queue_close(q);
    path(db, sizeof db, "missing/journal.db");
    CHECK(dg_queue_open(db, 0, &q, err, sizeof err) == DG_ESTORE && q == NULL);
    CHECK(strchr(err, '\n') == NULL && strstr(err, "missing") != NULL);
    path(db, sizeof db, "garbage.db");
    FILE *f = fopen(db, "w");
    fputs("this is not an SQLite database, not at all, really not one", f);
    fclose(f);
    CHECK(dg_queue_open(db, 0, &q, err, sizeof err) == DG_ESTORE && q == NULL);
}

/* Two nodes on one PostgreSQL journal. */
static void test_pg_nodes(const char *uri)
{
    dg_queue *a = NULL, *b = NULL;
    dg_queue_entry e;
    dg_queue_stats s;
    char ids[8][DG_QUEUE_ID_MAX + 1];
    unsigned n = 0;
    int found = 0;

    CHECK(dg_queue_open(uri, 0, &a, err, sizeof err) == DG_OK);
    CHECK(dg_queue_open(uri, 0, &b, err, sizeof err) == DG_OK);
    if (a == NULL || b == NULL) {
        fprintf(stderr, "%s\n", err);
        goto done;
    }
    CHECK(dg_queue_set_lease(a, 60) == DG_OK && dg_queue_set_lease(b, 60) == DG_OK);
    CHECK(dg_queue_add(a, "k1", "1.2.840.10008.5.1.4.1.1.2", "id-1", 1, 1000, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_add(a, "k2", "1.2.840.10008.5.1.4.1.1.4", "id-2", 1, 1001, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_add(b, "k3", "1.2.840.10008.5.1.4.1.1.4", "id-3", 0, 1002, err, sizeof err) ==
          DG_OK);
    /* storage commitment: any node finds what another stored */
    CHECK(dg_queue_find(b, "k1", &e, &found, err, sizeof err) == DG_OK && found == 1);
    CHECK(strcmp(e.id, "id-1") == 0 && e.stored == 1 && e.forward == DG_FORWARD_PENDING);
    CHECK(e.added == 1000 && strcmp(e.sop_class, "1.2.840.10008.5.1.4.1.1.2") == 0);
    CHECK(dg_queue_find(a, "nope", &e, &found, err, sizeof err) == DG_OK && found == 0);
    /* a leases both; b gets nothing while the lease runs, both once it has run out */
    CHECK(dg_queue_due(a, 999, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(a, 2000, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);
    CHECK(n == 2 && strcmp(ids[0], "id-1") == 0 && strcmp(ids[1], "id-2") == 0);
    CHECK(dg_queue_due(b, 2000, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(b, 2059, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(b, 2060, ids, 8, &n, err, sizeof err) == DG_OK && n == 2);
    CHECK(dg_queue_due(a, 2060, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    /* outcomes end the lease: done is done for everyone; a failure waits out the back-off */
    CHECK(dg_queue_forwarded(b, "id-1", err, sizeof err) == DG_OK);
    CHECK(dg_queue_failed(b, "id-2", 2060, "archive down", err, sizeof err) == DG_OK);
    CHECK(dg_queue_due(a, 2064, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(a, 2065, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
    CHECK(n == 1 && strcmp(ids[0], "id-2") == 0);
    CHECK(dg_queue_failed(a, "id-2", 2065, "archive down", err, sizeof err) == DG_OK);
    CHECK(dg_queue_due(b, 2074, ids, 8, &n, err, sizeof err) == DG_OK && n == 0);
    CHECK(dg_queue_due(b, 2075, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
    CHECK(dg_queue_find(a, "k2", &e, &found, err, sizeof err) == DG_OK && e.attempts == 2);
    CHECK(strcmp(e.last_error, "archive down") == 0);
    CHECK(dg_queue_find(a, "k1", &e, &found, err, sizeof err) == DG_OK);
    CHECK(e.forward == DG_FORWARD_DONE && e.last_error[0] == '\0');
    CHECK(dg_queue_removed(a, "id-2", err, sizeof err) == DG_OK);
    CHECK(dg_queue_find(b, "k2", &e, &found, err, sizeof err) == DG_OK);
    CHECK(e.forward == DG_FORWARD_DROPPED && e.stored == 0);
    CHECK(dg_queue_get_stats(b, &s, err, sizeof err) == DG_OK);
    CHECK(s.instances == 3 && s.pending == 0 && s.forwarded == 1 && s.dropped == 1);
    /* the same key again replaces its record, due at once, lease gone */
    CHECK(dg_queue_add(b, "k2", "1.2.840.10008.5.1.4.1.1.4", "id-2", 1, 5000, err, sizeof err) ==
          DG_OK);
    CHECK(dg_queue_get_stats(a, &s, err, sizeof err) == DG_OK && s.instances == 3);
    CHECK(s.pending == 1 && s.next_attempt == 5000);
    CHECK(dg_queue_due(a, 5000, ids, 8, &n, err, sizeof err) == DG_OK && n == 1);
done:
    dg_queue_close(a);
    dg_queue_close(b);
}

typedef struct drain_arg {
    const char *uri;
    int node;
    unsigned taken;
    char (*got)[DG_QUEUE_ID_MAX + 1];
    int failed;
} drain_arg;

/* One node: its own connection, takes 10 at a time until nothing is due. */
static void *drain(void *p)
{
    drain_arg *a = p;
    dg_queue *q = NULL;
    char e[DG_ERRLEN];
    unsigned n;

    if (dg_queue_open(a->uri, 0, &q, e, sizeof e) != DG_OK) {
        a->failed = 1;
        return NULL;
    }
    do {
        n = 0;
        if (dg_queue_due(q, 100, a->got + a->taken, 10, &n, e, sizeof e) != DG_OK)
            a->failed = 1;
        a->taken += n;
    } while (n > 0 && a->taken + 10 <= 400);
    dg_queue_close(q);
    return NULL;
}

static int compare_ids(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

/* Four nodes drain 400 due instances at once: each is taken by exactly one. */
static void test_pg_drain(const char *uri)
{
    static char got[4][400][DG_QUEUE_ID_MAX + 1], all[1600][DG_QUEUE_ID_MAX + 1];
    pthread_t t[4];
    drain_arg a[4];
    dg_queue *q = NULL;
    char key[32], id[32];
    unsigned total = 0, dups = 0;
    int failed = 0;

    CHECK(dg_queue_open(uri, 0, &q, err, sizeof err) == DG_OK);
    if (q == NULL)
        return;
    for (int i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "drain-%d", i);
        snprintf(id, sizeof id, "d-%03d", i);
        failed |= dg_queue_add(q, key, "1.2", id, 1, 1, err, sizeof err) != DG_OK;
    }
    dg_queue_close(q);
    CHECK(!failed);
    for (int i = 0; i < 4; i++) {
        a[i] = (drain_arg){uri, i, 0, got[i], 0};
        pthread_create(&t[i], NULL, drain, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        failed |= a[i].failed;
        memcpy(all[total], got[i], a[i].taken * sizeof all[0]);
        total += a[i].taken;
    }
    qsort(all, total, sizeof all[0], compare_ids);
    for (unsigned i = 1; i < total; i++)
        dups += strcmp(all[i - 1], all[i]) == 0;
    printf("drain: %u taken by 4 nodes (%u, %u, %u, %u), %u twice\n", total, a[0].taken, a[1].taken,
           a[2].taken, a[3].taken, dups);
    CHECK(!failed && total == 400 && dups == 0);
}

int main(int argc, char **argv)
{
    char db[512];
    dg_ctx *ctx;
    dg_queue *q = NULL;

    if (argc < 2 || argc > 3 || mkdtemp(dir) == NULL) {
        fprintf(stderr, "usage: test_queue TESTDATA_FILES_DIR [POSTGRESQL_URI]\n");
        return 2;
    }
    if (argc == 3) {
        test_pg_nodes(argv[2]);
        test_pg_drain(argv[2]);
        rmdir(dir);
        return check_summary("orthanc_queue_pg");
    }
    ctx = context("master.key");
    test_keys(ctx, argv[1]);
    test_names_agree(ctx, argv[1]);
    path(db, sizeof db, "journal.db");
    CHECK(dg_queue_open(db, 0, &q, err, sizeof err) == DG_OK);
    if (q != NULL) {
        test_records(q);
        test_threads(q);
        dg_queue_close(q);
        test_files();
    }
    dg_ctx_destroy(ctx);
    snprintf(db, sizeof db, "rm -rf %s", dir);
    if (system(db) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return check_summary("orthanc_queue");
}
