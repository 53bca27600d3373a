/*
 * files.h - the CLI's dealings with the file system: expanding inputs into
 * a list of jobs with their output paths, reading whole files, and writing
 * files atomically (a temporary name in the same directory, fsync, rename),
 * so that a failed or interrupted run never leaves a partial output.
 */
#ifndef DG_CLI_FILES_H
#define DG_CLI_FILES_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_job {
    char *in;    /* the input file */
    char *out;   /* where its result goes */
    char *error; /* set when planning already failed for this input */
} dg_job;

typedef struct dg_jobs {
    dg_job *items;
    size_t count, cap;
} dg_jobs;

/*
 * Expands inputs (files, or directories recursed in name order; symbolic
 * links to directories are not followed) and maps each file to an output:
 * OUT is a directory when an input is a directory, when there are several
 * inputs or when OUT is an existing directory (files then go to
 * OUT/<name>, directory contents to OUT/<path below the directory>);
 * otherwise OUT is the output file. Returns 0, or -1 with err set when the
 * inputs cannot be planned at all.
 */
int dg_jobs_plan(char *const *inputs, int count, const char *out, dg_jobs *jobs, char *err,
                 size_t errlen);
void dg_jobs_free(dg_jobs *jobs);

/* Reads a whole regular file (at most 4 GiB) into a malloc'd buffer. */
int dg_file_read(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen);

/*
 * Writes data to path atomically with mode 0600, creating missing parent
 * directories. An existing path is replaced only when replace is set (the
 * caller's own input, rewritten in place); otherwise it is refused, never
 * overwritten. On failure nothing is left at path or beside it.
 */
int dg_file_write(const char *path, const uint8_t *data, size_t len, int replace, char *err,
                  size_t errlen);

/*
 * The two halves of dg_file_write, for a caller with work to finish in
 * between: stage writes and syncs a temporary file beside path (*staged,
 * malloc'd); commit renames it onto path as dg_file_write does and frees
 * staged (on failure the staged file stays, for the caller to discard or
 * name); discard removes it.
 */
int dg_file_stage(const char *path, const uint8_t *data, size_t len, char **staged, char *err,
                  size_t errlen);
int dg_file_commit(char *staged, const char *path, int replace, char *err, size_t errlen);
void dg_file_discard(char *staged);

/* 1 when both paths name the same existing file. */
int dg_file_same(const char *a, const char *b);

/* The last component of a path (a pointer into it). */
const char *dg_file_base(const char *path);

#endif
