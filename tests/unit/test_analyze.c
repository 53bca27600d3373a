/*
 * test_analyze.c - unit tests of `dcmguard analyze` (plugin/analyze.c):
 * its PASS/FAIL agrees with the critical values on a random-image control,
 * its values agree with the metrics computed here independently, a
 * structured image fails, the chaos cipher's own encryptions pass, and the
 * report, JSON and PNG come out.
 *
 *   test_analyze TESTDATA_FILES_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "dcmguard.h"
#include "dicom.h"
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CT "wg04_CT1_UNC_explicit_le.dcm" /* 512 x 512, 16 bits, signed */

static uint64_t rng_state = 0x5DEECE66Dull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Where the native Pixel Data of file lies, and how many 16-bit samples it holds. */
static int pixel_range(const uint8_t *file, size_t len, size_t *off, size_t *count)
{
    dg_dicom *d = NULL;
    dg_dicom_info in;
    int ok;

    if (dg_dicom_parse(file, len, &d, NULL, 0) != 0)
        return -1;
    ok = dg_dicom_get_info(d, &in) == 0 && in.pixels_located && !in.encapsulated &&
         in.bits_allocated == 16 && in.bits_stored == 16;
    *off = (size_t)in.pixel_value_offset;
    *count = (size_t)in.rows * in.cols;
    dg_dicom_free(d);
    return ok ? 0 : -1;
}

/* A copy of file whose 16-bit samples are independent uniform values; the samples as read. */
static uint8_t *random_control(const uint8_t *file, size_t len, uint16_t *samples)
{
    uint8_t *copy = malloc(len);
    size_t off, count;

    if (copy == NULL || pixel_range(file, len, &off, &count) != 0) {
        free(copy);
        return NULL;
    }
    memcpy(copy, file, len);
    for (size_t t = 0; t < count; t++) {
        uint16_t v = (uint16_t)(rng() >> 48);
        copy[off + 2 * t] = (uint8_t)v;
        copy[off + 2 * t + 1] = (uint8_t)(v >> 8);
        samples[t] = v ^ 0x8000u; /* signed samples are analysed as offset binary */
    }
    return copy;
}

static const dg_analysis_row *row(const dg_analysis *a, const char *group, const char *name,
                                  dg_analysis_row *r)
{
    for (size_t i = 0; i < dg_analysis_row_count(a); i++)
        if (dg_analysis_row_get(a, i, r) == DG_OK && strcmp(r->group, group) == 0 &&
            strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

/* Every tested row says PASS exactly when low <= value <= high. */
static void check_verdicts(const dg_analysis *a)
{
    dg_analysis_row r;
    int bad = 0;

    for (size_t i = 0; i < dg_analysis_row_count(a); i++) {
        CHECK(dg_analysis_row_get(a, i, &r) == DG_OK);
        if (r.verdict == DG_VERDICT_INFO)
            continue;
        if ((r.verdict == DG_VERDICT_PASS) != (r.value >= r.low && r.value <= r.high))
            bad++;
    }
    CHECK(bad == 0);
}

/* The cipher rows: values and critical values recomputed here from the samples. */
static void check_cipher_rows(const dg_analysis *a, const uint16_t *v, size_t n)
{
    dg_analysis_row r;
    double h, mean, sd, chi, crit, corr;
    uint64_t pairs;

    CHECK(dg_metric_entropy(v, n, 16, &h) == 0 && dg_metric_entropy_ideal(n, 16, &mean, &sd) == 0);
    CHECK(row(a, "cipher", "entropy", &r) != NULL);
    CHECK(fabs(r.value - h) < 1e-12 && fabs(r.expected - mean) < 1e-12);
    CHECK(fabs(r.low - (mean - 1.6448536269514722 * sd)) < 1e-9 && isinf(r.high));
    CHECK(dg_metric_chi2(v, n, 16, &chi) == 0 && dg_metric_chi2_critical(65535, 0.05, &crit) == 0);
    CHECK(row(a, "cipher", "chi-square", &r) != NULL);
    CHECK(fabs(r.value - chi) < 1e-6 && fabs(r.high - crit) < 1e-9 && isinf(r.low));
    CHECK(dg_metric_correlation(v, 512, 512, DG_CORR_VERTICAL, &corr, &pairs) == 0);
    CHECK(row(a, "cipher", "correlation vertical", &r) != NULL);
    CHECK(fabs(r.value - corr) < 1e-12);
    CHECK(fabs(r.high - 1.959963984540054 / sqrt((double)pairs)) < 1e-12 && r.low == -r.high);
}

/* The full analysis of the CT against one random control; report, JSON and PNG. */
static void test_control_full(const uint8_t *ct, size_t ct_len, const char *png)
{
    uint16_t *v = malloc(512 * 512 * sizeof *v);
    uint8_t *control = v ? random_control(ct, ct_len, v) : NULL;
    dg_analyze_options opt = {0, 3, 2, 42, 0};
    dg_analysis *a = NULL;
    dg_analysis_row r;
    char err[DG_ERRLEN], *text = NULL, *json = NULL;
    unsigned char sig[8] = {0};
    FILE *f;

    CHECK(control != NULL);
    if (control == NULL)
        goto done;
    CHECK(dg_analyze(ct, ct_len, control, ct_len, &opt, &a, err, sizeof err) == DG_OK);
    if (a == NULL)
        goto done;
    check_verdicts(a);
    check_cipher_rows(a, v, 512 * 512);
    CHECK(row(a, "pixel", "npcr (256,256)", &r) != NULL && fabs(r.low - 99.9972) < 5e-5);
    CHECK(row(a, "key", "uaci bit 255", &r) != NULL && fabs(r.high - 33.4241) < 5e-5);
    CHECK(row(a, "plain", "correlation horizontal", &r) != NULL && r.value > 0.9);
    CHECK(dg_analysis_report(a, 0, &text, err, sizeof err) == DG_OK);
    CHECK(text != NULL && strstr(text, "entropy (bits)") != NULL && strstr(text, "bit 152"));
    CHECK(dg_analysis_report(a, 1, &json, err, sizeof err) == DG_OK);
    CHECK(json != NULL && strstr(json, "\"rows\": [") && strstr(json, "\"verdict\": \"PASS\""));
    CHECK(dg_analysis_png(a, png, err, sizeof err) == DG_OK);
    f = fopen(png, "rb");
    CHECK(f != NULL && fread(sig, 1, 8, f) == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0);
    if (f != NULL)
        fclose(f);
    remove(png);
done:
    free(text);
    free(json);
    dg_analysis_free(a);
    free(control);
    free(v);
}

/*
 * Random controls: each of the cipher image's 5 tests (entropy, chi-square,
 * three correlations) fails about 5% of the time; 40 controls make 200
 * tests, so 1..23 failures (Binomial(200, 0.05) within 4.5 sd) are expected.
 */
static void test_control_rates(const uint8_t *ct, size_t ct_len)
{
    uint16_t *v = malloc(512 * 512 * sizeof *v);
    dg_analyze_options opt = {0, 0, 0, 0, DG_ANALYZE_NO_SENSITIVITY};
    int tests = 0, fails = 0;

    for (int k = 0; k < 40 && v != NULL; k++) {
        uint8_t *control = random_control(ct, ct_len, v);
        dg_analysis *a = NULL;
        dg_analysis_row r;
        CHECK(control != NULL &&
              dg_analyze(ct, ct_len, control, ct_len, &opt, &a, NULL, 0) == DG_OK);
        for (size_t i = 0; a != NULL && i < dg_analysis_row_count(a); i++) {
            if (dg_analysis_row_get(a, i, &r) != DG_OK || strcmp(r.group, "cipher") != 0)
                continue;
            tests++;
            fails += r.verdict == DG_VERDICT_FAIL;
        }
        if (a != NULL)
            check_verdicts(a);
        dg_analysis_free(a);
        free(control);
    }
    printf("random controls: %d of %d cipher-image tests FAIL at alpha = 0.05\n", fails, tests);
    CHECK(tests == 200);
    CHECK(fails >= 1 && fails <= 23);
    free(v);
}

/* The plain image as its own "cipher image" fails entropy, chi-square and correlation. */
static void test_structure_fails(const uint8_t *ct, size_t ct_len)
{
    dg_analyze_options opt = {0, 0, 0, 0, DG_ANALYZE_NO_SENSITIVITY};
    dg_analysis *a = NULL;
    dg_analysis_row r;

    CHECK(dg_analyze(ct, ct_len, ct, ct_len, &opt, &a, NULL, 0) == DG_OK);
    if (a == NULL)
        return;
    CHECK(row(a, "cipher", "entropy", &r) && r.verdict == DG_VERDICT_FAIL);
    CHECK(row(a, "cipher", "chi-square", &r) && r.verdict == DG_VERDICT_FAIL);
    CHECK(row(a, "cipher", "correlation diagonal", &r) && r.verdict == DG_VERDICT_FAIL);
    dg_analysis_free(a);
}

/* Without PROTECTED the tool encrypts the image itself (here at 8 bits): it mostly passes. */
static void test_own_encryption(const uint8_t *ct, size_t ct_len)
{
    dg_analyze_options opt = {8, 3, 4, 7, 0};
    dg_analysis *a = NULL;
    dg_analysis_row r;
    int pass = 0, fail = 0;

    CHECK(dg_analyze(ct, ct_len, NULL, 0, &opt, &a, NULL, 0) == DG_OK);
    if (a == NULL)
        return;
    check_verdicts(a);
    for (size_t i = 0; i < dg_analysis_row_count(a); i++) {
        CHECK(dg_analysis_row_get(a, i, &r) == DG_OK);
        pass += r.verdict == DG_VERDICT_PASS;
        fail += r.verdict == DG_VERDICT_FAIL;
    }
    CHECK(row(a, "cipher", "local entropy", &r) != NULL);
    CHECK(row(a, "pixel", "npcr (0,0)", &r) != NULL && fabs(r.low - 99.5893) < 5e-5);
    CHECK(pass > 40 && fail < pass / 4);
    dg_analysis_free(a);
}

static void test_refusals(const uint8_t *ct, size_t ct_len)
{
    dg_analyze_options opt = {17, 0, 0, 0, 0};
    dg_analysis *a = NULL;
    char err[DG_ERRLEN];
    uint8_t junk[200] = {0};

    CHECK(dg_analyze(ct, ct_len, NULL, 0, &opt, &a, err, sizeof err) == DG_EINVAL && a == NULL);
    CHECK(dg_analyze(junk, sizeof junk, NULL, 0, NULL, &a, err, sizeof err) != DG_OK && a == NULL);
    CHECK(dg_analyze(NULL, 0, NULL, 0, NULL, &a, err, sizeof err) == DG_EINVAL);
    CHECK(dg_analysis_row_count(NULL) == 0);
}

int main(int argc, char **argv)
{
    size_t len = 0;
    uint8_t *ct;
    char png[64];

    if (argc < 2) {
        fprintf(stderr, "usage: test_analyze TESTDATA_FILES_DIR\n");
        return 2;
    }
    ct = load_in(argv[1], CT, &len);
    CHECK(ct != NULL);
    if (ct == NULL)
        return check_summary("test_analyze");
    snprintf(png, sizeof png, "/tmp/test_analyze.%ld.png", (long)getpid());
    test_control_full(ct, len, png);
    test_control_rates(ct, len);
    test_structure_fails(ct, len);
    test_own_encryption(ct, len);
    test_refusals(ct, len);
    free(ct);
    return check_summary("test_analyze");
}
