/*
 * analyze_report.c - the report of `dcmguard analyze` (dg_analysis_report):
 * a table a person can read, or JSON for scripts, from the rows that
 * analyze.c measured.
 */
#include "analyze.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text; after a failed allocation every append is ignored. */
typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap ? 2 * t->cap : 4096) + (n > 0 ? (size_t)n : 0);
        char *s = n < 0 ? NULL : realloc(t->s, cap);
        if (s == NULL) {
            t->failed = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static const dg_analysis_row *find(const dg_analysis *a, const char *group, const char *name)
{
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->rows[i].group, group) == 0 && strcmp(a->rows[i].name, name) == 0)
            return &a->rows[i];
    return NULL;
}

static const char *verdict_name(int v)
{
    return v == DG_VERDICT_PASS ? "PASS" : v == DG_VERDICT_FAIL ? "FAIL" : "-";
}

/* "lo .. hi", ">= lo" or "<= hi" into buf. */
static void interval(const dg_analysis_row *r, const char *fmt, char *buf, size_t cap)
{
    char lo[32], hi[32];

    snprintf(lo, sizeof lo, fmt, r->low);
    snprintf(hi, sizeof hi, fmt, r->high);
    if (isinf(r->low) && isinf(r->high))
        snprintf(buf, cap, "-");
    else if (isinf(r->high))
        snprintf(buf, cap, ">= %s", lo);
    else if (isinf(r->low))
        snprintf(buf, cap, "<= %s", hi);
    else
        snprintf(buf, cap, "%s .. %s", lo, hi);
}

/* One line of the image-statistics table: plain value, cipher value, ideal, interval, verdict. */
static void stat_line(text *t, const dg_analysis *a, const char *name, const char *label,
                      const char *fmt)
{
    const dg_analysis_row *p = find(a, "plain", name), *c = find(a, "cipher", name);
    char pv[32] = "-", cv[32] = "-", ev[32] = "-", iv[80] = "-";

    if (p == NULL && c == NULL)
        return;
    if (p != NULL)
        snprintf(pv, sizeof pv, fmt, p->value);
    if (c != NULL) {
        snprintf(cv, sizeof cv, fmt, c->value);
        if (!isnan(c->expected))
            snprintf(ev, sizeof ev, fmt, c->expected);
        interval(c, fmt, iv, sizeof iv);
    }
    put(t, "  %-26s %13s %13s %13s  %-24s %s\n", label, pv, cv, ev, iv,
        c ? verdict_name(c->verdict) : "-");
}

static void image_table(text *t, const dg_analysis *a)
{
    char chi[40];
    const dg_analysis_row *ph = find(a, "placeholder", "entropy of frame 1");

    snprintf(chi, sizeof chi, "chi-square (df %.0f)",
             find(a, "cipher", "chi-square") ? find(a, "cipher", "chi-square")->expected : 0.0);
    put(t, "\n  %-26s %13s %13s %13s  %-24s %s\n", "image statistics", "plain", "cipher", "ideal",
        "accept (alpha 0.05)", "verdict");
    stat_line(t, a, "entropy", "entropy (bits)", "%.5f");
    stat_line(t, a, "local entropy", "local entropy (30 x 44^2)", "%.5f");
    stat_line(t, a, "chi-square", chi, "%.2f");
    stat_line(t, a, "correlation horizontal", "correlation horizontal", "%.5f");
    stat_line(t, a, "correlation vertical", "correlation vertical", "%.5f");
    stat_line(t, a, "correlation diagonal", "correlation diagonal", "%.5f");
    if (ph != NULL)
        put(t, "  %-26s %13s %13.5f  (the placeholder image in Pixel Data)\n",
            "placeholder entropy", "", ph->value);
}

/* NPCR and UACI lines of one group whose labels do (random = 1) or do not start with "random". */
static void pair_lines(text *t, const dg_analysis *a, const char *group, int random_only,
                       int *shown)
{
    for (size_t i = 0; i < a->count; i++) {
        const dg_analysis_row *r = &a->rows[i], *u, *w;
        char uname[48], wname[48];
        const char *label = r->name + 5;
        if (strcmp(r->group, group) != 0 || strncmp(r->name, "npcr ", 5) != 0 ||
            (strncmp(label, "random", 6) == 0) != random_only)
            continue;
        snprintf(uname, sizeof uname, "uaci %s", label);
        snprintf(wname, sizeof wname, "npcr %s", label);
        u = find(a, group, uname);
        w = strcmp(group, "key") == 0 ? find(a, "wrong-key", wname) : NULL;
        put(t, "  %-24s %10.4f %10.4f   %-4s %-4s", label, r->value, u ? u->value : NAN,
            verdict_name(r->verdict), u ? verdict_name(u->verdict) : "-");
        if (w != NULL)
            put(t, "   %10.4f  %s", w->value, verdict_name(w->verdict));
        put(t, "\n");
        (*shown)++;
    }
}

/* One line for the random positions: min and mean NPCR, UACI range, pass counts. */
static void random_summary(text *t, const dg_analysis *a)
{
    double nmin = HUGE_VAL, nsum = 0, umin = HUGE_VAL, umax = -HUGE_VAL;
    unsigned count = 0, npass = 0, upass = 0;

    for (size_t i = 0; i < a->count; i++) {
        const dg_analysis_row *r = &a->rows[i];
        if (strcmp(r->group, "pixel") != 0 || strstr(r->name, "random") == NULL)
            continue;
        if (strncmp(r->name, "npcr", 4) == 0) {
            nmin = fmin(nmin, r->value);
            nsum += r->value;
            npass += r->verdict == DG_VERDICT_PASS;
            count++;
        } else {
            umin = fmin(umin, r->value);
            umax = fmax(umax, r->value);
            upass += r->verdict == DG_VERDICT_PASS;
        }
    }
    if (count > 0)
        put(t,
            "  %u random positions: NPCR min %.4f mean %.4f, PASS %u/%u; UACI %.4f .. %.4f, "
            "PASS %u/%u\n",
            count, nmin, nsum / count, npass, count, umin, umax, upass, count);
}

static void sensitivity_tables(text *t, const dg_analysis *a)
{
    const dg_analysis_row *n = find(a, "pixel", "npcr (0,0)"), *u = find(a, "pixel", "uaci (0,0)");
    int shown = 0;

    if (n == NULL || u == NULL) {
        put(t, "\n  NPCR and UACI: %s\n", a->sens_what);
        return;
    }
    put(t, "\n  %-24s %10s %10s   %s\n", "one-sample change (+1)", "NPCR %", "UACI %", "verdict");
    pair_lines(t, a, "pixel", 0, &shown);
    random_summary(t, a);
    put(t, "\n  %-24s %10s %10s   %-9s   %10s\n", "one-bit key change", "NPCR %", "UACI %",
        "verdict", "wrong-key decryption NPCR % vs plain");
    pair_lines(t, a, "key", 0, &shown);
    put(t,
        "\n  accept (Wu et al., alpha 0.05): NPCR >= %.4f (ideal %.4f); UACI %.4f .. %.4f "
        "(ideal %.4f)\n",
        n->low, n->expected, u->low, u->high, u->expected);
}

static void summary(text *t, const dg_analysis *a)
{
    unsigned pass = 0, failed = 0;

    for (size_t i = 0; i < a->count; i++) {
        pass += a->rows[i].verdict == DG_VERDICT_PASS;
        failed += a->rows[i].verdict == DG_VERDICT_FAIL;
    }
    put(t,
        "\n  tests: %u PASS, %u FAIL (at alpha = 0.05 even a perfect cipher fails about 1 "
        "test in 20)\n",
        pass, failed);
    for (unsigned i = 0; i < a->note_count; i++)
        put(t, "  note: %s\n", a->notes[i]);
}

static void human(text *t, const dg_analysis *a)
{
    put(t, "dcmguard analyze: the statistics image-cipher papers report. They describe how a "
           "cipher image\nlooks, not whether it is secure: the chaos cipher passes them and is "
           "broken (docs/chaos.md).\n\n");
    put(t, "  plain image:   %s\n", a->plain_what);
    put(t, "  cipher image:  %s\n", a->cipher_what);
    put(t, "  NPCR, UACI:    %s\n", a->sens_what);
    image_table(t, a);
    sensitivity_tables(t, a);
    summary(t, a);
}

/* ---- JSON ---- */

static void json_string(text *t, const char *s)
{
    put(t, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(t, "\\%c", c);
        else if (c < 0x20)
            put(t, "\\u%04x", c);
        else
            put(t, "%c", c);
    }
    put(t, "\"");
}

static void json_number(text *t, double v)
{
    if (isnan(v) || isinf(v))
        put(t, "null");
    else
        put(t, "%.10g", v);
}

static void json_row(text *t, const dg_analysis_row *r)
{
    put(t, "    {\"group\": ");
    json_string(t, r->group);
    put(t, ", \"name\": ");
    json_string(t, r->name);
    put(t, ", \"value\": ");
    json_number(t, r->value);
    put(t, ", \"expected\": ");
    json_number(t, r->expected);
    put(t, ", \"low\": ");
    json_number(t, r->low);
    put(t, ", \"high\": ");
    json_number(t, r->high);
    put(t, ", \"verdict\": \"%s\"}",
        r->verdict == DG_VERDICT_PASS   ? "PASS"
        : r->verdict == DG_VERDICT_FAIL ? "FAIL"
                                        : "INFO");
}

static void json(text *t, const dg_analysis *a)
{
    unsigned pass = 0, failed = 0;

    put(t, "{\n  \"plain\": ");
    json_string(t, a->plain_what);
    put(t, ",\n  \"cipher\": ");
    json_string(t, a->cipher_what);
    put(t, ",\n  \"sensitivity\": ");
    json_string(t, a->sens_what);
    put(t, ",\n  \"alpha\": 0.05,\n  \"rows\": [\n");
    for (size_t i = 0; i < a->count; i++) {
        json_row(t, &a->rows[i]);
        put(t, i + 1 < a->count ? ",\n" : "\n");
        pass += a->rows[i].verdict == DG_VERDICT_PASS;
        failed += a->rows[i].verdict == DG_VERDICT_FAIL;
    }
    put(t, "  ],\n  \"pass\": %u,\n  \"fail\": %u,\n  \"notes\": [", pass, failed);
    for (unsigned i = 0; i < a->note_count; i++) {
        put(t, i ? ", " : "");
        json_string(t, a->notes[i]);
    }
    put(t, "]\n}\n");
}

DG_API int dg_analysis_report(const dg_analysis *a, int as_json, char **out, char *err,
                              size_t errlen)
{
    text t = {NULL, 0, 0, 0};

    if (a == NULL || out == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "invalid arguments to dg_analysis_report");
        return DG_EINVAL;
    }
    if (as_json)
        json(&t, a);
    else
        human(&t, a);
    if (t.failed || t.s == NULL) {
        free(t.s);
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "out of memory");
        return DG_ENOMEM;
    }
    *out = t.s;
    return DG_OK;
}
