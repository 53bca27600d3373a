/*
 * files.c - inputs, outputs and atomic writes for the CLI.
 */
#define _GNU_SOURCE
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_BYTES ((uint64_t)4 << 30)

const char *dg_file_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static char *join(const char *a, const char *b)
{
    char *s = NULL;
    size_t la = strlen(a);
    if (la > 0 && a[la - 1] == '/')
        return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
    return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static int add_job(dg_jobs *jobs, const char *in, char *out)
{
    if (jobs->count == jobs->cap) {
        size_t cap = jobs->cap ? jobs->cap * 2 : 64;
        dg_job *p = realloc(jobs->items, cap * sizeof *p);
        if (p == NULL)
            return -1;
        jobs->items = p;
        jobs->cap = cap;
    }
    jobs->items[jobs->count].in = strdup(in);
    jobs->items[jobs->count].out = out;
    jobs->items[jobs->count].error = NULL;
    if (jobs->items[jobs->count].in == NULL)
        return -1;
    jobs->count++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the entries of a directory in name order (without . and ..). */
static int list_dir(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0, cap = 0;
    char **v = NULL;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **p = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *p);
            if (p == NULL)
                break;
            v = p;
        }
        if ((v[n] = strdup(e->d_name)) == NULL)
            break;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(v, n, sizeof *v, by_name);
    *names = v;
    *count = n;
    return 0;
}

static int walk(const char *dir, const char *rel, const char *out, dg_jobs *jobs, int depth)
{
    char **names = NULL;
    size_t n = 0;
    int rc = 0;

    if (depth > 64 || list_dir(dir, &names, &n) != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(dir, names[i]);
        char *sub = rel[0] ? join(rel, names[i]) : strdup(names[i]);
        struct stat lst, st;
        if (path == NULL || sub == NULL)
            rc = -1;
        else if (lstat(path, &lst) == 0 && S_ISDIR(lst.st_mode))
            rc = walk(path, sub, out, jobs, depth + 1);
        else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = add_job(jobs, path, join(out, sub));
        free(path);
        free(sub);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Two inputs must never write the same output. */
static void mark_collisions(dg_jobs *jobs)
{
    for (size_t i = 0; i < jobs->count; i++)
        for (size_t j = i + 1; j < jobs->count; j++)
            if (jobs->items[j].error == NULL &&
                strcmp(jobs->items[i].out, jobs->items[j].out) == 0 &&
                asprintf(&jobs->items[j].error, "its output %s would overwrite that of %s",
                         jobs->items[j].out, jobs->items[i].in) < 0)
                jobs->items[j].error = NULL;
}

int dg_jobs_plan(char *const *inputs, int count, const char *out, dg_jobs *jobs, char *err,
                 size_t errlen)
{
    size_t out_len = strlen(out);
    /* "out/" says a directory, existing or not */
    int out_is_dir = count > 1 || is_dir(out) || (out_len > 0 && out[out_len - 1] == '/');

    memset(jobs, 0, sizeof *jobs);
    for (int i = 0; i < count; i++)
        if (is_dir(inputs[i]))
            out_is_dir = 1;
    for (int i = 0; i < count; i++) {
        struct stat st;
        int rc;
        if (stat(inputs[i], &st) != 0) {
            rc = add_job(jobs, inputs[i], strdup(out));
            if (rc == 0 && asprintf(&jobs->items[jobs->count - 1].error, "%s", strerror(errno)) < 0)
                rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(inputs[i], "", out, jobs, 0);
        } else {
            rc = add_job(jobs, inputs[i],
                         out_is_dir ? join(out, dg_file_base(inputs[i])) : strdup(out));
        }
        if (rc != 0) {
            snprintf(err, errlen, "%s: cannot list the input (out of memory or unreadable)",
                     inputs[i]);
            return -1;
        }
    }
    for (size_t i = 0; i < jobs->count; i++)
        if (jobs->items[i].out == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    mark_collisions(jobs);
    return 0;
}

void dg_jobs_free(dg_jobs *jobs)
{
    for (size_t i = 0; i < jobs->count; i++) {
        free(jobs->items[i].in);
        free(jobs->items[i].out);
        free(jobs->items[i].error);
    }
    free(jobs->items);
    memset(jobs, 0, sizeof *jobs);
}

int dg_file_read(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    /* O_NONBLOCK: a FIFO without a writer must not hang the run (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE_BYTES) {
        snprintf(err, errlen, "not a regular file of at most 4 GiB");
        goto fail;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "read failed: %s", n < 0 ? strerror(errno) : "file shrank");
            goto fail;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *len = got;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path)
{
    char *dir = strdup(path);
    int rc = 0;

    if (dir == NULL)
        return -1;
    for (char *p = dir + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    free(dir);
    return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of the directory holding path, so that the rename is durable. */
static void sync_parent(const char *path)
{
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    int fd;

    if (dir == NULL)
        return;
    if (slash == dir)
        slash[1] = 0;
    else if (slash != NULL)
        *slash = 0;
    fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int dg_file_stage(const char *path, const uint8_t *data, size_t len, char **staged, char *err,
                  size_t errlen)
{
    char *tmp = NULL;
    const char *base = dg_file_base(path);
    int fd;

    *staged = NULL;
    if (make_parents(path) != 0) {
        snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(errno));
        return -1;
    }
    if (asprintf(&tmp, "%.*s.%s.dcmguard-XXXXXX", (int)(base - path), path, base) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        dg_file_discard(tmp);
        return -1;
    }
    if (close(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        dg_file_discard(tmp);
        return -1;
    }
    *staged = tmp;
    return 0;
}

void dg_file_discard(char *staged)
{
    if (staged == NULL)
        return;
    unlink(staged);
    free(staged);
}

/*
 * rename without replacing: renameat2's RENAME_NOREPLACE; where the file
 * system has none, link + unlink; where it has no hard links either, a
 * check then a rename (a race with another writer is possible there).
 */
static int rename_new(const char *from, const char *to)
{
    struct stat st;

    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
    if (link(from, to) == 0) {
        (void)unlink(from); /* at worst a hidden second name of the same bytes, mode 0600 */
        return 0;
    }
    if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS)
        return -1;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

int dg_file_commit(char *staged, const char *path, int replace, char *err, size_t errlen)
{
    int rc = replace ? rename(staged, path) : rename_new(staged, path);

    if (rc != 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "%s already exists: not overwritten", path);
        else
            snprintf(err, errlen, "cannot rename onto %s: %s", path, strerror(errno));
        return -1;
    }
    sync_parent(path);
    free(staged);
    return 0;
}

int dg_file_write(const char *path, const uint8_t *data, size_t len, int replace, char *err,
                  size_t errlen)
{
    char *staged = NULL;

    if (dg_file_stage(path, data, len, &staged, err, errlen) != 0)
        return -1;
    if (dg_file_commit(staged, path, replace, err, errlen) != 0) {
        dg_file_discard(staged);
        return -1;
    }
    return 0;
}

int dg_file_same(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}
