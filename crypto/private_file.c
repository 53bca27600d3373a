/*
 * private_file.c - checks of the files that hold secrets (private_file.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "private_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int dg_private_file_check(const struct stat *st, char *why, size_t whylen)
{
    if (S_ISLNK(st->st_mode)) {
        snprintf(why, whylen, "is a symbolic link (refused: it could point anywhere)");
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, whylen, "not a regular file");
        return -1;
    }
    if (st->st_uid != geteuid()) {
        snprintf(why, whylen, "belongs to uid %u, not to the user running dcmguard (uid %u)",
                 (unsigned)st->st_uid, (unsigned)geteuid());
        return -1;
    }
    if (st->st_mode & 077) {
        snprintf(why, whylen, "group or others may access it (mode %04o); run chmod 600",
                 (unsigned)(st->st_mode & 07777));
        return -1;
    }
    return 0;
}

int dg_private_path_check(const char *path, int absent_ok, int *exists, char *why, size_t whylen)
{
    struct stat st;

    if (exists != NULL)
        *exists = 0;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT && absent_ok)
            return 0;
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    if (exists != NULL)
        *exists = 1;
    return dg_private_file_check(&st, why, whylen);
}

int dg_private_folder_check(const char *path, char *why, size_t whylen)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
    char *dir = malloc(n + 1);
    struct stat st;
    int rc = 0;

    if (dir == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    memcpy(dir, slash == NULL ? "." : path, n);
    dir[n] = '\0';
    if (stat(dir, &st) != 0) {
        snprintf(why, whylen, "its folder %s: %s", dir, strerror(errno));
        rc = -1;
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, whylen,
                 "its folder %s is writable by group or others (mode %04o): they could replace "
                 "or redirect the file; use a folder only its owner can write to",
                 dir, (unsigned)(st.st_mode & 07777));
        rc = -1;
    }
    free(dir);
    return rc;
}
