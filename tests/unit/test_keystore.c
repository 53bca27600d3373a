/*
 * test_keystore.c - unit tests of crypto/keystore.c: storing, reading,
 * deleting, expiring and listing pads; file modes; refusing files that are
 * not key stores; no deleted pad bytes left in the files; several
 * processes and threads writing at once.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "keystore.h"
#include "random.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void path_in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void make_id(char id[DG_KS_ID_LEN + 1], unsigned a, unsigned b)
{
    snprintf(id, DG_KS_ID_LEN + 1, "%08x%08x%016x", a, b, 0xd1u);
}

static dg_pad_info pad_info(const char *id, int64_t created, int64_t expires, uint64_t length)
{
    dg_pad_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.id, sizeof info.id, "%.*s", (int)sizeof info.id - 1, id);
    snprintf(info.instance, sizeof info.instance, "instance-%.16s", id);
    info.alphabet = 1;
    info.policy = 1;
    info.created = created;
    info.expires = expires;
    info.length = length;
    return info;
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void remove_store(const char *path)
{
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static int write_file(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, n, f) == n;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok && chmod(path, 0600) == 0 ? 0 : -1;
}

/* Reads a whole file (an absent one is empty); malloc'd. */
static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long size;
    *n = 0;
    if (f == NULL)
        return calloc(1, 1);
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) != NULL &&
        fread(data, 1, (size_t)size, f) == (size_t)size)
        *n = (size_t)size;
    fclose(f);
    return data;
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

/* How many 16-byte pieces of pad occur in the database or its WAL. */
static int pieces_in_files(const char *path, const uint8_t *pad, size_t len)
{
    char wal[300];
    size_t n_db = 0, n_wal = 0;
    int found = 0;
    snprintf(wal, sizeof wal, "%s-wal", path);
    uint8_t *db = read_file(path, &n_db), *w = read_file(wal, &n_wal);
    for (size_t off = 0; db != NULL && w != NULL && off + 16 <= len; off += 16)
        found += contains(db, n_db, pad + off, 16) || contains(w, n_wal, pad + off, 16);
    free(db);
    free(w);
    return found;
}

static int put_random_pad(dg_keystore *ks, const dg_pad_info *info, uint8_t *pad)
{
    char err[256];
    dg_random_bytes(pad, (size_t)info->length);
    return dg_keystore_put(ks, info, pad, err, sizeof err);
}

struct listing {
    int count;
    int64_t last_created;
    int ordered;
    int stop_after;
};

static int visit(void *user, const dg_pad_info *info)
{
    struct listing *l = user;
    if (info->created < l->last_created)
        l->ordered = 0;
    l->last_created = info->created;
    l->count++;
    return l->stop_after > 0 && l->count >= l->stop_after;
}

static void test_put_get_delete_list(void)
{
    char path[128], wal[140], err[256] = "", id[3][DG_KS_ID_LEN + 1];
    dg_keystore *ks = NULL;
    uint8_t pad[3][100], *back = NULL;
    dg_pad_info info[3], got;
    struct listing l = {0, 0, 1, 0};

    path_in_dir(path, sizeof path, "basic.db");
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    CHECK(mode_of(path) == 0600);
    for (int i = 0; i < 3; i++) {
        make_id(id[i], 1, (unsigned)i);
        info[i] = pad_info(id[i], 300 - 100 * i, 0, (uint64_t)(i == 2 ? 0 : 40 + i));
        CHECK(put_random_pad(ks, &info[i], pad[i]) == DG_KS_OK);
    }
    CHECK(mode_of(wal) == 0600);
    wal[strlen(wal) - 3] = 0;
    CHECK(mode_of(strcat(wal, "shm")) == 0600);
    CHECK(dg_keystore_put(ks, &info[0], pad[0], err, sizeof err) == DG_KS_EINVAL); /* same id */
    CHECK(dg_keystore_get(ks, id[1], 1000, &got, &back, err, sizeof err) == DG_KS_OK);
    CHECK(back != NULL && got.length == 41 && memcmp(back, pad[1], 41) == 0);
    CHECK(strcmp(got.id, id[1]) == 0 && strcmp(got.instance, info[1].instance) == 0 &&
          got.alphabet == 1 && got.policy == 1 && got.created == 200 && got.expires == 0);
    dg_wipe(back, 41);
    free(back);
    CHECK(dg_keystore_get(ks, id[2], 1000, &got, &back, err, sizeof err) == DG_KS_OK);
    CHECK(got.length == 0 && back != NULL);
    free(back);
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK);
    CHECK(l.count == 3 && l.ordered);
    l = (struct listing){0, 0, 1, 2};
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 2);
    CHECK(dg_keystore_delete(ks, id[1], err, sizeof err) == DG_KS_OK);
    CHECK(dg_keystore_delete(ks, id[1], err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_get(ks, id[1], 1000, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(back == NULL && strstr(err, id[1]) != NULL);
    CHECK(dg_keystore_get(ks, "not-an-id", 1000, &got, &back, err, sizeof err) == DG_KS_EINVAL);
    info[0].alphabet = 3;
    CHECK(dg_keystore_put(ks, &info[0], pad[0], err, sizeof err) == DG_KS_EINVAL);
    dg_keystore_close(ks);
    /* the pads survive a reopening */
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    l = (struct listing){0, 0, 1, 0};
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 2);
    dg_keystore_close(ks);
}

static void test_expiry(void)
{
    char path[128], err[256], id[3][DG_KS_ID_LEN + 1];
    dg_keystore *ks = NULL;
    uint8_t pad[32], *back = NULL;
    dg_pad_info info, got;
    unsigned count = 99;
    int64_t past = (int64_t)time(NULL) - 10;

    path_in_dir(path, sizeof path, "expiry.db");
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (int i = 0; i < 3; i++)
        make_id(id[i], 2, (unsigned)i);
    info = pad_info(id[0], 500, 1000, sizeof pad);
    CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);
    info = pad_info(id[1], 500, 0, sizeof pad); /* never expires */
    CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);
    info = pad_info(id[2], past - 100, past, sizeof pad); /* already expired */
    CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);

    CHECK(dg_keystore_get(ks, id[0], 999, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    CHECK(dg_keystore_get(ks, id[0], 1000, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_purge(ks, 999, &count, err, sizeof err) == DG_KS_OK && count == 0);
    CHECK(dg_keystore_purge(ks, 1000, &count, err, sizeof err) == DG_KS_OK && count == 1);
    CHECK(dg_keystore_get(ks, id[0], 999, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_get(ks, id[1], INT64_MAX, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    dg_keystore_close(ks);

    /* opening purges what has expired by the clock */
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    CHECK(dg_keystore_get(ks, id[2], past - 1, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
    CHECK(dg_keystore_purge(ks, INT64_MAX, &count, err, sizeof err) == DG_KS_OK && count == 0);
    CHECK(dg_keystore_get(ks, id[1], INT64_MAX, &got, &back, err, sizeof err) == DG_KS_OK);
    free(back);
    dg_keystore_close(ks);
}

static void test_file_modes(void)
{
    char path[128], wal[140], err[256] = "";
    dg_keystore *ks = NULL;

    path_in_dir(path, sizeof path, "basic.db");
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(chmod(path, 0640) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) != DG_KS_OK && ks == NULL);
    CHECK(strstr(err, "0640") != NULL && strchr(err, '\n') == NULL);
    CHECK(chmod(path, 0604) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) != DG_KS_OK && ks == NULL);
    CHECK(chmod(path, 0600) == 0);
    /* a WAL that others may read is refused too */
    CHECK(write_file(wal, (const uint8_t *)"", 0) == 0 && chmod(wal, 0644) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) != DG_KS_OK && ks == NULL);
    CHECK(unlink(wal) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    dg_keystore_close(ks);
}

static void test_refuses_other_files(void)
{
    char path[128], err[256] = "";
    dg_keystore *ks = NULL;
    sqlite3 *db = NULL;
    uint8_t junk[8192];
    int sizes[] = {50, 100, 4096, 8192};

    /* an SQLite database of some other program */
    path_in_dir(path, sizeof path, "other.db");
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_close(db);
    CHECK(chmod(path, 0600) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_EFORMAT && ks == NULL);
    CHECK(strstr(err, "not a dcmguard key store") != NULL);
    remove_store(path);
    /* an empty database that belongs to another application */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA application_id=1234", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(chmod(path, 0600) == 0);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_EFORMAT && ks == NULL);
    remove_store(path);
    /* random bytes */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int rc;
        path_in_dir(path, sizeof path, "junk.db");
        dg_random_bytes(junk, (size_t)sizes[i]);
        CHECK(write_file(path, junk, (size_t)sizes[i]) == 0);
        rc = dg_keystore_open(path, &ks, err, sizeof err);
        CHECK((rc == DG_KS_EFORMAT || rc == DG_KS_EIO) && ks == NULL);
        CHECK(err[0] != 0 && strchr(err, '\n') == NULL);
        remove_store(path);
    }
}

/* A key store whose pages were overwritten gives errors, never a crash. */
static void test_damaged_store(void)
{
    char path[128], err[256], id[DG_KS_ID_LEN + 1];
    dg_keystore *ks = NULL;
    uint8_t pad[3000], *data, *back = NULL;
    size_t n = 0;
    struct listing l = {0, 0, 1, 0};
    dg_pad_info info, got;

    path_in_dir(path, sizeof path, "damaged.db");
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (unsigned i = 0; i < 20; i++) {
        make_id(id, 3, i);
        info = pad_info(id, i, 0, sizeof pad);
        CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);
    }
    dg_keystore_close(ks); /* the last connection folds the WAL into the file */
    data = read_file(path, &n);
    CHECK(data != NULL && n > 3 * 4096);
    for (int round = 0; data != NULL && round < 8; round++) {
        uint8_t *copy = malloc(n);
        if (copy == NULL)
            break;
        memcpy(copy, data, n);
        dg_random_bytes(copy + 4096 + 512 * (size_t)round * 3, 1024); /* past the header */
        remove_store(path);
        CHECK(write_file(path, copy, n) == 0);
        if (dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK) {
            make_id(id, 3, (unsigned)round);
            (void)dg_keystore_list(ks, visit, &l, err, sizeof err);
            if (dg_keystore_get(ks, id, 1, &got, &back, err, sizeof err) == DG_KS_OK)
                free(back);
            (void)dg_keystore_delete(ks, id, err, sizeof err);
            dg_keystore_close(ks);
        }
        free(copy);
    }
    free(data);
    remove_store(path);
}

/* After a delete, no 16-byte piece of the pad is left in the database or its WAL. */
static void test_deleted_pad_is_gone(void)
{
    char path[128], err[256], id[6][DG_KS_ID_LEN + 1];
    static uint8_t pads[6][10000];
    static const size_t lengths[6] = {48, 10000, 700, 5000, 64, 2000};
    dg_keystore *ks = NULL;
    dg_pad_info info;

    path_in_dir(path, sizeof path, "shred.db");
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (unsigned i = 0; i < 6; i++) {
        make_id(id[i], 4, i);
        info = pad_info(id[i], i, 0, lengths[i]);
        CHECK(put_random_pad(ks, &info, pads[i]) == DG_KS_OK);
    }
    /* the search finds pads that are there */
    CHECK(pieces_in_files(path, pads[0], lengths[0]) > 0);
    CHECK(pieces_in_files(path, pads[1], lengths[1]) > 0);
    CHECK(dg_keystore_delete(ks, id[0], err, sizeof err) == DG_KS_OK);
    CHECK(dg_keystore_delete(ks, id[1], err, sizeof err) == DG_KS_OK);
    CHECK(pieces_in_files(path, pads[0], lengths[0]) == 0);
    CHECK(pieces_in_files(path, pads[1], lengths[1]) == 0);
    CHECK(pieces_in_files(path, pads[3], lengths[3]) > 0); /* the others stay */
    /* purging shreds as well */
    info = pad_info("00000000000000000000000000000abc", 1, 5, 3000);
    CHECK(put_random_pad(ks, &info, pads[2]) == DG_KS_OK);
    CHECK(pieces_in_files(path, pads[2], 3000) > 0);
    unsigned count = 0;
    CHECK(dg_keystore_purge(ks, 5, &count, err, sizeof err) == DG_KS_OK && count == 1);
    CHECK(pieces_in_files(path, pads[2], 3000) == 0);
    dg_keystore_close(ks);
}

/* Each child process puts 50 pads; they start together. */
static int child_puts(const char *path, unsigned child, int go)
{
    char err[256], id[DG_KS_ID_LEN + 1], c;
    dg_keystore *ks = NULL;
    uint8_t pad[200];
    int failed = 0;

    if (read(go, &c, 1) < 0)
        return 1;
    if (dg_keystore_open(path, &ks, err, sizeof err) != DG_KS_OK) {
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

static int all_pads_there(dg_keystore *ks, unsigned first, unsigned writers, unsigned each)
{
    char err[256], id[DG_KS_ID_LEN + 1];
    int found = 0;
    for (unsigned w = 0; w < writers; w++) {
        for (unsigned i = 0; i < each; i++) {
            dg_pad_info got;
            uint8_t *back = NULL;
            make_id(id, first + w, i);
            if (dg_keystore_get(ks, id, 0, &got, &back, err, sizeof err) == DG_KS_OK)
                found += got.length == 100 + i;
            free(back);
        }
    }
    return found;
}

static void test_parallel_processes(void)
{
    char path[128], err[256];
    int go[2];
    pid_t pids[4];
    int ok = 1;
    dg_keystore *ks = NULL;
    struct listing l = {0, 0, 1, 0};

    path_in_dir(path, sizeof path, "parallel.db"); /* does not exist yet: they race to make it */
    CHECK(pipe(go) == 0);
    fflush(NULL);
    for (unsigned c = 0; c < 4; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            close(go[1]);
            _exit(child_puts(path, c, go[0]));
        }
        ok &= pids[c] > 0;
    }
    close(go[0]);
    close(go[1]); /* every child's read returns: go */
    for (unsigned c = 0; c < 4; c++) {
        int status = 0;
        ok &= pids[c] > 0 && waitpid(pids[c], &status, 0) == pids[c] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    }
    CHECK(ok);
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 200);
    CHECK(all_pads_there(ks, 100, 4, 50) == 200);
    dg_keystore_close(ks);
}

struct thread_job {
    dg_keystore *ks;
    unsigned n;
    int failed;
};

/* Puts 25 pads and deletes every other one again, on a shared dg_keystore. */
static void *thread_puts(void *arg)
{
    struct thread_job *job = arg;
    char err[256], id[DG_KS_ID_LEN + 1];
    uint8_t pad[200];
    for (unsigned i = 0; i < 25; i++) {
        dg_pad_info info;
        make_id(id, 200 + job->n, i);
        info = pad_info(id, (int64_t)i, 0, 100 + i);
        dg_random_bytes(pad, sizeof pad);
        if (dg_keystore_put(job->ks, &info, pad, err, sizeof err) != DG_KS_OK)
            job->failed = 1;
        make_id(id, 300 + job->n, i);
        info = pad_info(id, (int64_t)i, 0, 10);
        if (dg_keystore_put(job->ks, &info, pad, err, sizeof err) != DG_KS_OK ||
            dg_keystore_delete(job->ks, id, err, sizeof err) != DG_KS_OK)
            job->failed = 1;
    }
    return NULL;
}

static void test_parallel_threads(void)
{
    char path[128], err[256];
    dg_keystore *ks = NULL;
    pthread_t threads[4];
    struct thread_job jobs[4];
    struct listing l = {0, 0, 1, 0};
    int ok = 1;

    path_in_dir(path, sizeof path, "threads.db");
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (unsigned t = 0; t < 4; t++) {
        jobs[t] = (struct thread_job){ks, t, 0};
        ok &= pthread_create(&threads[t], NULL, thread_puts, &jobs[t]) == 0;
    }
    for (unsigned t = 0; t < 4; t++)
        ok &= pthread_join(threads[t], NULL) == 0 && !jobs[t].failed;
    CHECK(ok);
    CHECK(dg_keystore_list(ks, visit, &l, err, sizeof err) == DG_KS_OK && l.count == 100);
    CHECK(all_pads_there(ks, 200, 4, 25) == 100);
    dg_keystore_close(ks);
}

/* Issue 12: one claimer per thread, each on its own connection. */
struct claim_job {
    const char *path;
    const char *id;
    int got; /* 1: this claim got the pad */
    int error;
};

static void *thread_claims(void *arg)
{
    struct claim_job *job = arg;
    char err[256];
    dg_keystore *ks = NULL;
    dg_pad_info info;
    uint8_t *pad = NULL;
    int rc;

    if (dg_keystore_open(job->path, &ks, err, sizeof err) != DG_KS_OK) {
        job->error = 1;
        return NULL;
    }
    rc = dg_keystore_claim(ks, job->id, 1000, &info, &pad, err, sizeof err);
    job->got = rc == DG_KS_OK;
    job->error = rc != DG_KS_OK && rc != DG_KS_ENOTFOUND;
    free(pad);
    dg_keystore_close(ks);
    return NULL;
}

static void test_claims(void)
{
    char path[128], err[256], id[DG_KS_ID_LEN + 1], id2[DG_KS_ID_LEN + 1];
    dg_keystore *ks = NULL;
    dg_pad_info info, got;
    uint8_t pad[64], *back = NULL, value[80];
    size_t len = 0;
    int inserted = -1;

    path_in_dir(path, sizeof path, "claims.db");
    CHECK(dg_keystore_open(path, &ks, err, sizeof err) == DG_KS_OK);
    if (ks == NULL)
        return;
    for (int round = 0; round < 5; round++) {
        pthread_t threads[8];
        struct claim_job jobs[8];
        int winners = 0, errors = 0;

        make_id(id, 900, (unsigned)round);
        info = pad_info(id, 1, 0, sizeof pad); /* single-use */
        CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);
        for (int t = 0; t < 8; t++) {
            jobs[t] = (struct claim_job){path, id, 0, 0};
            if (pthread_create(&threads[t], NULL, thread_claims, &jobs[t]) != 0)
                jobs[t].error = 1;
        }
        for (int t = 0; t < 8; t++) {
            pthread_join(threads[t], NULL);
            winners += jobs[t].got;
            errors += jobs[t].error;
        }
        CHECK(winners == 1 && errors == 0);
        /* claimed: get finds nothing, release gives it back, finish destroys it once */
        CHECK(dg_keystore_get(ks, id, 1000, &got, &back, err, sizeof err) == DG_KS_ENOTFOUND);
        CHECK(dg_keystore_release(ks, id, err, sizeof err) == DG_KS_OK);
        CHECK(dg_keystore_release(ks, id, err, sizeof err) == DG_KS_ENOTFOUND);
        CHECK(dg_keystore_claim(ks, id, 1000, &got, &back, err, sizeof err) == DG_KS_OK &&
              got.claimed == 0 && memcmp(back, pad, sizeof pad) == 0);
        free(back);
        back = NULL;
        CHECK(dg_keystore_finish_claim(ks, id, err, sizeof err) == DG_KS_OK);
        CHECK(dg_keystore_finish_claim(ks, id, err, sizeof err) == DG_KS_ENOTFOUND);
        CHECK(pieces_in_files(path, pad, sizeof pad) == 0);
    }
    /* a reusable pad is read by every claim and never marked */
    make_id(id2, 901, 0);
    info = pad_info(id2, 1, 0, sizeof pad);
    info.policy = 0;
    CHECK(put_random_pad(ks, &info, pad) == DG_KS_OK);
    for (int i = 0; i < 3; i++) {
        CHECK(dg_keystore_claim(ks, id2, 1000, &got, &back, err, sizeof err) == DG_KS_OK);
        free(back);
        back = NULL;
    }
    CHECK(dg_keystore_finish_claim(ks, id2, err, sizeof err) == DG_KS_ENOTFOUND);
    /* named values: the first insert wins */
    CHECK(dg_keystore_meta_add(ks, "pseudonym-secret", (const uint8_t *)"first", 5, &inserted, err,
                               sizeof err) == DG_KS_OK &&
          inserted == 1);
    CHECK(dg_keystore_meta_add(ks, "pseudonym-secret", (const uint8_t *)"second", 6, &inserted, err,
                               sizeof err) == DG_KS_OK &&
          inserted == 0);
    CHECK(dg_keystore_meta_get(ks, "pseudonym-secret", value, sizeof value, &len, err,
                               sizeof err) == DG_KS_OK &&
          len == 5 && memcmp(value, "first", 5) == 0);
    CHECK(dg_keystore_meta_get(ks, "absent", value, sizeof value, &len, err, sizeof err) ==
          DG_KS_ENOTFOUND);
    CHECK(dg_keystore_scrub_pending(ks) == 0); /* no reader: every scrub finished */
    dg_keystore_close(ks);
}

static void remove_dir(void)
{
    const char *names[] = {"basic.db",    "expiry.db",  "shred.db",
                           "parallel.db", "threads.db", "claims.db"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_in_dir(path, sizeof path, names[i]);
        remove_store(path);
    }
    CHECK(rmdir(dir) == 0);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%.40s/dg-keystore-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_put_get_delete_list();
    test_expiry();
    test_file_modes();
    test_refuses_other_files();
    test_damaged_store();
    test_deleted_pad_is_gone();
    test_parallel_processes();
    test_parallel_threads();
    test_claims();
    remove_dir();
    return check_summary("keystore");
}
