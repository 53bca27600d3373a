/*
 * progress.h - what a protect or restore run tells its user while it goes
 * and when it ends: one live line on a terminal (files done/total, MB/s,
 * elapsed, time left, failures) and, on request, a JSON summary for scripts
 * (totals, and each failed input with its reason).
 *
 * The live line goes to stderr, only when stderr is a terminal, unless
 * forced (--progress) or silenced (--quiet, which wins). The summary names
 * inputs by the names the user gave (their own choice) and the reasons
 * dcmguard gives on stderr; no value read from a file.
 */
#ifndef DG_CLI_PROGRESS_H
#define DG_CLI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_progress dg_progress;

/* show: -1 silenced, 0 on a terminal only, 1 forced. NULL when out of memory. */
dg_progress *dg_progress_start(const char *command, size_t files, uint64_t bytes, int show);

/* Before printing anything else on the terminal: clears the live line. */
void dg_progress_clear(dg_progress *p);

/* One input done (bytes: its size); reason is NULL on success. */
void dg_progress_done(dg_progress *p, const char *file, uint64_t bytes, const char *reason);

/*
 * Ends the live line and, when json_path is not NULL, writes the summary
 * there (atomically, mode 0600). Returns 0, or -1 with err set when the
 * summary cannot be written. Frees p.
 */
int dg_progress_finish(dg_progress *p, const char *json_path, char *err, size_t errlen);

#endif
