/*
 * private_file.h - the checks a file holding secrets (the master key, the
 * key store and its -wal and -shm files) must pass before dcmguard trusts
 * it: a regular file, not a symbolic link, owned by the user running
 * dcmguard, no access for group or others, in a folder others cannot
 * write to.
 */
#ifndef DG_PRIVATE_FILE_H
#define DG_PRIVATE_FILE_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * Checks what lstat says of path (st from lstat, or fstat of a descriptor
 * opened with O_NOFOLLOW). Returns 0, or -1 with the reason (without the
 * path) in why.
 */
int dg_private_file_check(const struct stat *st, char *why, size_t whylen);

/*
 * lstat + dg_private_file_check; an absent file passes when absent_ok
 * (*exists is then 0). Returns 0 or -1 with the reason in why.
 */
int dg_private_path_check(const char *path, int absent_ok, int *exists, char *why, size_t whylen);

/* The folder holding path must not be writable by group or others; 0 or -1 with why. */
int dg_private_folder_check(const char *path, char *why, size_t whylen);

#endif
