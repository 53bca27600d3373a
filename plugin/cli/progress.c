/*
 * progress.c - the live progress line and the JSON summary of a protect or
 * restore run (see progress.h).
 */
#define _GNU_SOURCE
#include "progress.h"
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct failure {
    char *file, *reason;
} failure;

struct dg_progress {
    const char *command;
    size_t total, done, failed, listed; /* listed: failures kept with their reason */
    uint64_t bytes_total, bytes_done;
    int live;           /* drawing the line */
    int drawn;          /* a line is on screen */
    double start, last; /* monotonic seconds */
    failure *failures;
    size_t failures_cap;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

dg_progress *dg_progress_start(const char *command, size_t files, uint64_t bytes, int show)
{
    dg_progress *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->command = command;
    p->total = files;
    p->bytes_total = bytes;
    p->live = show > 0 || (show == 0 && isatty(STDERR_FILENO));
    p->start = p->last = now();
    return p;
}

/* "1:02:03" or "2:03". */
static void format_duration(double s, char *out, size_t len)
{
    unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, len, "%lu:%02lu", t / 60, t % 60);
}

static void draw(dg_progress *p, double t)
{
    double elapsed = t - p->start, rate = elapsed > 0 ? p->bytes_done / elapsed : 0;
    char el[32], left[32] = "?";

    format_duration(elapsed, el, sizeof el);
    if (rate > 0 && p->bytes_done > 0)
        format_duration((p->bytes_total - p->bytes_done) / rate, left, sizeof left);
    fprintf(stderr, "\r\033[K%s: %zu/%zu files, %.1f MB/s, elapsed %s, left %s, %zu failed",
            p->command, p->done, p->total, rate / 1e6, el, left, p->failed);
    fflush(stderr);
    p->drawn = 1;
    p->last = t;
}

void dg_progress_clear(dg_progress *p)
{
    if (p != NULL && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

static void remember_failure(dg_progress *p, const char *file, const char *reason)
{
    if (p->listed == p->failures_cap) {
        size_t cap = p->failures_cap ? 2 * p->failures_cap : 16;
        failure *f = realloc(p->failures, cap * sizeof *f);
        if (f == NULL)
            return; /* counted, not listed */
        p->failures = f;
        p->failures_cap = cap;
    }
    p->failures[p->listed].file = strdup(file);
    p->failures[p->listed].reason = strdup(reason);
    p->listed++;
}

void dg_progress_done(dg_progress *p, const char *file, uint64_t bytes, const char *reason)
{
    double t;

    if (p == NULL)
        return;
    p->done++;
    p->bytes_done += bytes;
    if (reason != NULL) {
        remember_failure(p, file, reason);
        p->failed++;
    }
    t = now();
    /* at most ten redraws a second, and always the last one */
    if (p->live && (t - p->last >= 0.1 || p->done == p->total || !p->drawn))
        draw(p, t);
}

/* Appends s as a JSON string. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static int write_summary(const dg_progress *p, double seconds, const char *path, char *err,
                         size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int rc;

    if (f == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fprintf(f, "{\n  \"command\": ");
    json_string(f, p->command);
    fprintf(f,
            ",\n  \"files\": %zu,\n  \"succeeded\": %zu,\n  \"failed\": %zu,\n"
            "  \"bytes\": %llu,\n  \"seconds\": %.3f,\n  \"failures\": [",
            p->total, p->done - p->failed, p->failed, (unsigned long long)p->bytes_done, seconds);
    for (size_t i = 0; i < p->listed; i++) {
        fprintf(f, "%s\n    {\"file\": ", i ? "," : "");
        json_string(f, p->failures[i].file);
        fprintf(f, ", \"reason\": ");
        json_string(f, p->failures[i].reason);
        fputc('}', f);
    }
    fprintf(f, "%s]\n}\n", p->failed ? "\n  " : "");
    fclose(f);
    rc = dg_file_write(path, (const uint8_t *)text, len, 1, err, errlen); /* the last run's */
    free(text);
    return rc;
}

int dg_progress_finish(dg_progress *p, const char *json_path, char *err, size_t errlen)
{
    double t;
    int rc = 0;

    if (p == NULL)
        return 0;
    t = now();
    if (p->live) {
        draw(p, t);
        fputc('\n', stderr);
    }
    if (json_path != NULL)
        rc = write_summary(p, t - p->start, json_path, err, errlen);
    for (size_t i = 0; i < p->listed; i++) {
        free(p->failures[i].file);
        free(p->failures[i].reason);
    }
    free(p->failures);
    free(p);
    return rc;
}
