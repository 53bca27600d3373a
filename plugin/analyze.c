/*
 * analyze.c - `dcmguard analyze`: the statistics that image-cipher papers
 * report (Khan et al. section 4, spec section 9), for a plain DICOM image
 * and its protected form, with their ideal values, critical values at
 * alpha = 0.05 and PASS/FAIL (dcmguard.h, docs/security-analysis.md).
 *
 * The images: every frame and sample of the Pixel Data laid out as the chaos
 * cipher lays them out (frames stacked, samples side by side: one gray image
 * of (frames*rows) x (samples*cols)). Signed samples are read as offset
 * binary (value + 2^(b-1)), which keeps their order. The cipher image is the
 * protected file's native Pixel Data, or for an AES-mode file the bytes of
 * its encrypted tiles as 8-bit samples, or (no protected file) the tool's
 * own chaos encryption. NPCR and UACI need two encryptions of related
 * inputs, so they always come from the tool's own chaos encryptions.
 */
#define _POSIX_C_SOURCE 200809L
#include "analyze.h"
#include "chaos.h"
#include "dicom.h"
#include "format.h"
#include "internal.h"
#include "jpegls.h"
#include "kdf.h"
#include "metrics.h"
#include "random.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 0.05
#define Z_ONE_SIDED 1.6448536269514722 /* P(Z > z) = 0.05 */
#define Z_TWO_SIDED 1.959963984540054  /* P(|Z| > z) = 0.05 */
#define MAX_SAMPLES ((size_t)1 << 28)
#define DEFAULT_POSITIONS 100

static const unsigned key_bits[] = {0, 51, 52, 103, 104, 127, 128, 151, 152, 203, 204, 255};

/* ---- rows ---- */

/* Adds a row; a tested row passes when low <= value <= high. 0 or -1 (memory). */
static int add_row(dg_analysis *a, const char *group, const char *name, double value,
                   double expected, double low, double high, int tested)
{
    dg_analysis_row *r;

    if (a->count == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        dg_analysis_row *n = realloc(a->rows, cap * sizeof *n);
        if (n == NULL)
            return -1;
        a->rows = n;
        a->cap = cap;
    }
    r = &a->rows[a->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->group, sizeof r->group, "%s", group);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->value = value;
    r->expected = expected;
    r->low = low;
    r->high = high;
    r->verdict = !tested ? DG_VERDICT_INFO
                         : (value >= low && value <= high ? DG_VERDICT_PASS : DG_VERDICT_FAIL);
    return 0;
}

static void add_note(dg_analysis *a, const char *text)
{
    if (a->note_count < sizeof a->notes / sizeof a->notes[0])
        snprintf(a->notes[a->note_count++], sizeof a->notes[0], "%s", text);
}

/* Wipes (the plain image is patient data) and frees. */
static void gray_free(dg_gray *g)
{
    if (g->v != NULL)
        dg_wipe(g->v, (size_t)g->rows * g->cols * sizeof *g->v);
    free(g->v);
    memset(g, 0, sizeof *g);
}

static int gray_alloc(dg_gray *g, uint32_t rows, uint32_t cols, unsigned bits)
{
    g->rows = rows;
    g->cols = cols;
    g->bits = bits;
    g->v = malloc((size_t)rows * cols * sizeof *g->v);
    return g->v != NULL ? 0 : -1;
}

/* ---- reading native pixel data ---- */

/* One stored sample: 8 bits, or 16 bits in the dataset's byte order. */
static uint32_t raw_sample(const dg_dicom_info *in, const uint8_t *px, size_t k)
{
    if (in->bits_allocated == 8)
        return px[k];
    return in->big_endian ? (uint32_t)(px[2 * k] << 8 | px[2 * k + 1])
                          : (uint32_t)(px[2 * k] | px[2 * k + 1] << 8);
}

static int check_native(const dg_dicom_info *in, size_t file_len, size_t *count, char *err,
                        size_t errlen)
{
    uint64_t n, bytes;

    if (!in->has_pixels)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "no Pixel Data");
    if (in->deflated || !in->pixels_located)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "a deflated dataset (inflate it first)");
    if (in->encapsulated)
        return dg_fail(err, errlen, DG_EUNSUPPORTED,
                       "compressed Pixel Data (decompress it first, e.g. dcmdjpeg, dcmdjpls)");
    if ((in->bits_allocated != 8 && in->bits_allocated != 16) || in->bits_stored < 1 ||
        in->bits_stored > in->bits_allocated)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "BitsAllocated %u / BitsStored %u",
                       (unsigned)in->bits_allocated, (unsigned)in->bits_stored);
    n = (uint64_t)in->rows * in->cols * in->frames * in->samples_per_pixel;
    bytes = n * (in->bits_allocated / 8);
    if (n < 2 || n > MAX_SAMPLES || (uint64_t)in->frames * in->rows > UINT32_MAX ||
        (uint64_t)in->samples_per_pixel * in->cols > UINT32_MAX)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "an image of %llu samples",
                       (unsigned long long)n);
    if (bytes > in->pixel_value_length || in->pixel_value_offset + bytes > file_len)
        return dg_fail(err, errlen, DG_EINPUT, "Pixel Data shorter than its frames");
    *count = (size_t)n;
    return DG_OK;
}

/* The samples as one gray image (frames stacked, samples side by side), offset binary. */
static int native_gray(const dg_dicom_info *in, const uint8_t *file, size_t len, dg_gray *g,
                       char *err, size_t errlen)
{
    size_t count, m = in->rows, n = in->cols, spp = in->samples_per_pixel, k = 0;
    uint32_t mask = (1u << in->bits_stored) - 1u;
    uint32_t flip = in->pixel_representation ? 1u << (in->bits_stored - 1) : 0u;
    const uint8_t *px = file + in->pixel_value_offset;
    int rc = check_native(in, len, &count, err, errlen);

    if (rc != DG_OK)
        return rc;
    if (gray_alloc(g, in->frames * in->rows, in->samples_per_pixel * in->cols, in->bits_stored))
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    for (size_t f = 0; f < in->frames; f++)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                for (size_t c = 0; c < spp; c++, k++) {
                    size_t src =
                        in->planar_configuration && spp > 1 ? ((f * spp + c) * m + i) * n + j : k;
                    uint32_t v = (raw_sample(in, px, src) & mask) ^ flip;
                    g->v[(f * m + i) * g->cols + c * n + j] = (uint16_t)v;
                }
    return DG_OK;
}

/* Stretches the samples linearly from [min, max] to [0, 2^bits - 1]. */
static void rescale(dg_gray *g, unsigned bits)
{
    size_t n = (size_t)g->rows * g->cols;
    uint16_t lo = UINT16_MAX, hi = 0;
    double top = ldexp(1.0, (int)bits) - 1.0;

    for (size_t t = 0; t < n; t++) {
        lo = g->v[t] < lo ? g->v[t] : lo;
        hi = g->v[t] > hi ? g->v[t] : hi;
    }
    for (size_t t = 0; t < n; t++)
        g->v[t] = hi > lo ? (uint16_t)floor((g->v[t] - lo) * top / (hi - lo) + 0.5) : 0;
    g->bits = bits;
}

static int read_plain(dg_analysis *a, const uint8_t *file, size_t len,
                      const dg_analyze_options *opt, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    dg_dicom *d = NULL;
    dg_dicom_info in;
    int rc;

    if (dg_dicom_parse(file, len, &d, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "PLAIN: not a readable DICOM file: %s", why);
    rc = dg_dicom_get_info(d, &in) == 0 ? native_gray(&in, file, len, &a->plain, why, sizeof why)
                                        : DG_EINPUT;
    dg_dicom_free(d);
    if (rc != DG_OK)
        return dg_fail(err, errlen, rc, "PLAIN: %s", why);
    snprintf(a->plain_what, sizeof a->plain_what,
             "%u x %u samples (%u frame(s) of %u x %u, %u sample(s)/pixel), BitsStored %u%s",
             a->plain.rows, a->plain.cols, (unsigned)in.frames, (unsigned)in.rows,
             (unsigned)in.cols, (unsigned)in.samples_per_pixel, (unsigned)in.bits_stored,
             in.pixel_representation ? " signed (read as offset binary)" : "");
    if (opt->bits != 0 && opt->bits != a->plain.bits) {
        size_t l = strlen(a->plain_what);
        rescale(&a->plain, opt->bits);
        snprintf(a->plain_what + l, sizeof a->plain_what - l,
                 ", stretched linearly from its [min, max] to %u bits", opt->bits);
    }
    return DG_OK;
}

/* ---- the cipher image of a protected file ---- */

/*
 * The sealed parts (IV || AES-256-CBC ciphertext || HMAC tag) of the
 * segment records of a tiles element, without their 52-byte heads, in a
 * malloc'd buffer. -1 when the element is not a sequence of records.
 */
static int sealed_parts(const uint8_t *p, size_t n, uint8_t **out, size_t *out_len, size_t *records)
{
    uint8_t *buf = malloc(n ? n : 1);
    size_t at = 0, len = 0;

    *records = 0;
    if (buf == NULL)
        return -1;
    while (at + DG_TILE_HEAD_LEN <= n && memcmp(p + at, "DGTL", 4) == 0) {
        size_t sealed = dg_load_u32(p + at + 48);
        if (sealed > n - at - DG_TILE_HEAD_LEN)
            break;
        memcpy(buf + len, p + at + DG_TILE_HEAD_LEN, sealed);
        len += sealed;
        at += DG_TILE_HEAD_LEN + sealed;
        ++*records;
    }
    /* a padding byte may follow the last record (DICOM values have even lengths) */
    if (*records == 0 || n - at > 1) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* AES mode: the sealed bytes of the tiles as an 8-bit image about as wide as tall. */
static int tiles_gray(dg_analysis *a, const uint8_t *element, size_t element_len, char *err,
                      size_t errlen)
{
    uint8_t *bytes = NULL;
    size_t n = 0, records = 0;
    uint32_t w, h;

    if (sealed_parts(element, element_len, &bytes, &n, &records) != 0)
        return dg_fail(err, errlen, DG_EFORMAT,
                       "PROTECTED: the tiles element is not made of records");
    w = (uint32_t)ceil(sqrt((double)n));
    h = w ? (uint32_t)(n / w) : 0;
    if (n < 4 || n > MAX_SAMPLES || gray_alloc(&a->cipher, h, w, 8) != 0) {
        free(bytes);
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "PROTECTED: %zu bytes of tiles", n);
    }
    for (size_t t = 0; t < (size_t)h * w; t++)
        a->cipher.v[t] = bytes[t];
    free(bytes);
    snprintf(a->cipher_what, sizeof a->cipher_what,
             "AES mode: the sealed parts (IV, AES-256-CBC ciphertext of the JPEG-LS tile, "
             "HMAC-SHA256 tag) of the %zu tile records, %zu bytes, read as an 8-bit image of "
             "%u x %u (the 52-byte record heads left out)",
             records, n, h, w);
    return DG_OK;
}

/* The entropy of the placeholder's first frame (a JPEG-LS item), as an INFO row. */
static int placeholder_row(dg_analysis *a, const dg_dicom *d, const dg_dicom_info *in,
                           const uint8_t *file)
{
    uint64_t off, len;
    dg_jls_image img;
    uint16_t *v = NULL;
    uint8_t *raw = NULL;
    size_t bytes, n;
    double h;
    int rc = -1;

    if (!in->encapsulated || in->item_count < 2 || dg_dicom_get_item(d, 1, &off, &len) != 0 ||
        len < 8 || dg_jls_read_header(file + off + 8, (size_t)len - 8, &img) != DG_JLS_OK)
        return -1;
    bytes = dg_jls_image_bytes(&img);
    n = (size_t)img.width * img.height * (size_t)img.components;
    raw = malloc(bytes ? bytes : 1);
    v = malloc((n ? n : 1) * sizeof *v);
    if (raw == NULL || v == NULL || bytes == 0 ||
        dg_jls_decode(file + off + 8, (size_t)len - 8, &img, raw, bytes) != DG_JLS_OK)
        goto done;
    for (size_t t = 0; t < n; t++)
        v[t] = img.bits <= 8 ? raw[t] : ((uint16_t *)(void *)raw)[t];
    if (dg_metric_entropy(v, n, (unsigned)img.bits, &h) == 0)
        rc = add_row(a, "placeholder", "entropy of frame 1", h, NAN, -HUGE_VAL, HUGE_VAL, 0);
done:
    free(raw);
    free(v);
    return rc;
}

static int read_protected(dg_analysis *a, const uint8_t *file, size_t len, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    dg_dicom *d = NULL;
    dg_dicom_info in;
    const uint8_t *tiles, *head;
    size_t tiles_len = 0, head_len = 0;
    int rc;

    if (dg_dicom_parse(file, len, &d, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "PROTECTED: not a readable DICOM file: %s", why);
    dg_dicom_get_info(d, &in);
    if (dg_dicom_get_private(d, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_TILES, &tiles,
                             &tiles_len) == DG_DICOM_OK &&
        tiles_len > 0) {
        rc = tiles_gray(a, tiles, tiles_len, err, errlen);
        if (rc == DG_OK && placeholder_row(a, d, &in, file) == 0)
            add_note(a, "The Pixel Data of an AES-mode file is a placeholder image (its entropy "
                        "is in the table); the real pixels are in the encrypted tiles.");
    } else if (dg_dicom_get_private(d, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER, &head,
                                    &head_len) == DG_DICOM_OK &&
               in.encapsulated) {
        rc = dg_fail(err, errlen, DG_EUNSUPPORTED,
                     "PROTECTED keeps its tiles in slice files (--slices-dir); protect without it");
    } else {
        rc = native_gray(&in, file, len, &a->cipher, why, sizeof why);
        if (rc != DG_OK)
            rc = dg_fail(err, errlen, rc, "PROTECTED: %s", why);
        else
            snprintf(a->cipher_what, sizeof a->cipher_what,
                     "the Pixel Data of PROTECTED: %u x %u samples, BitsStored %u", a->cipher.rows,
                     a->cipher.cols, a->cipher.bits);
    }
    dg_dicom_free(d);
    return rc;
}

/* ---- statistics of one image ---- */

static int stat_rows(dg_analysis *a, const char *group, const dg_gray *g)
{
    static const char *const dir_name[3] = {"correlation horizontal", "correlation vertical",
                                            "correlation diagonal"};
    size_t n = (size_t)g->rows * g->cols;
    int tested = strcmp(group, "cipher") == 0, rc = 0;
    double h, mean, sd, chi, crit, r, le, lmean, llow, lhigh;
    uint64_t pairs;

    if (dg_metric_entropy(g->v, n, g->bits, &h) != 0 ||
        dg_metric_entropy_ideal(n, g->bits, &mean, &sd) != 0 ||
        dg_metric_chi2(g->v, n, g->bits, &chi) != 0 ||
        dg_metric_chi2_critical(((uint64_t)1 << g->bits) - 1, ALPHA, &crit) != 0)
        return -1;
    rc |= add_row(a, group, "entropy", h, mean, mean - Z_ONE_SIDED * sd, HUGE_VAL, tested);
    if (g->bits == 8 &&
        dg_metric_local_entropy(g->v, g->rows, g->cols, DG_LOCAL_ENTROPY_K, DG_LOCAL_ENTROPY_SIDE,
                                0x6c6f63616cull, &le) == 0 &&
        dg_metric_local_entropy_ideal(DG_LOCAL_ENTROPY_K, DG_LOCAL_ENTROPY_SIDE, ALPHA, &lmean,
                                      &llow, &lhigh) == 0)
        rc |= add_row(a, group, "local entropy", le, lmean, llow, lhigh, tested);
    rc |= add_row(a, group, "chi-square", chi, ldexp(1.0, (int)g->bits) - 1.0, -HUGE_VAL, crit,
                  tested);
    for (int dir = 0; dir < 3; dir++) {
        if (dg_metric_correlation(g->v, g->rows, g->cols, (dg_corr_dir)dir, &r, &pairs) != 0)
            continue;
        double band = Z_TWO_SIDED / sqrt((double)pairs);
        rc |= add_row(a, group, dir_name[dir], r, 0.0, -band, band, tested);
    }
    return rc;
}

/* ---- the tool's own chaos encryptions ---- */

typedef struct sens {
    const dg_analyze_options *opt;
    unsigned rounds;
    uint64_t counter;           /* keys and positions drawn so far */
    uint8_t key[32];            /* K: a throwaway key of the analysis */
    uint16_t *c1, *work, *back; /* Enc(K, P); scratch; a decryption */
    dg_npcr_uaci_critical crit;
} sens;

/* The next analysis key: random, or SHA-256 of the seed and a counter. 0 or -1. */
static int next_key(sens *s, uint8_t key[32])
{
    for (int tries = 0; tries < 64; tries++) {
        uint8_t in[40];
        memcpy(in, "dg-anlyz", 8);
        for (int i = 0; i < 8; i++) {
            in[8 + i] = (uint8_t)(s->opt->seed >> (8 * i));
            in[16 + i] = (uint8_t)(s->counter >> (8 * i));
        }
        memset(in + 24, 0, 16);
        s->counter++;
        if (s->opt->seed != 0 ? dg_sha256(in, sizeof in, key) : dg_random_secret(key, 32))
            return -1;
        if (dg_chaos_check_key(key, 32, s->rounds) == DG_CHAOS_OK)
            return 0;
    }
    return -1;
}

/* A value in [0, bound): random, or from the seed. */
static uint64_t next_index(sens *s, uint64_t bound)
{
    uint64_t z;

    if (s->opt->seed == 0) {
        if (dg_random_bytes((uint8_t *)&z, sizeof z) != 0)
            z = s->counter * 0x9E3779B97F4A7C15ull;
    } else {
        z = (s->opt->seed ^ 0x706f73ull) + 0x9E3779B97F4A7C15ull * ++s->counter;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
    }
    return z % bound;
}

static int chaos_run(const uint8_t key[32], unsigned rounds, const dg_gray *g, uint16_t *v,
                     int decrypt)
{
    dg_chaos_image img = {g->rows, g->cols, 1, 1, 0, (uint8_t)g->bits, 16, 0};
    size_t len = (size_t)g->rows * g->cols * sizeof *v;

    return decrypt ? dg_chaos_decrypt(key, 32, rounds, &img, v, len)
                   : dg_chaos_encrypt(key, 32, rounds, &img, v, len);
}

/* c1 = Enc(K, P) under a fresh key K (a key whose keystream collapses is replaced: D7). */
static int first_encryption(sens *s, const dg_gray *p)
{
    size_t bytes = (size_t)p->rows * p->cols * sizeof *p->v;

    for (int tries = 0; tries < 8; tries++) {
        int rc;
        if (next_key(s, s->key) != 0)
            return DG_ECRYPTO;
        memcpy(s->c1, p->v, bytes);
        rc = chaos_run(s->key, s->rounds, p, s->c1, 0);
        if (rc == DG_CHAOS_OK)
            return DG_OK;
        if (rc != DG_CHAOS_EDEGENERATE)
            return rc == DG_CHAOS_ENOMEM ? DG_ENOMEM : DG_EINVAL;
    }
    return DG_ECRYPTO;
}

static int npcr_uaci_rows(dg_analysis *a, sens *s, const dg_gray *p, const char *group,
                          const char *label, const uint16_t *other)
{
    size_t n = (size_t)p->rows * p->cols;
    char name[48];
    double npcr, uaci;
    int rc = 0;

    if (dg_metric_npcr_uaci(s->c1, other, n, p->bits, &npcr, &uaci) != 0)
        return -1;
    snprintf(name, sizeof name, "npcr %s", label);
    rc |= add_row(a, group, name, npcr, s->crit.npcr_mean, s->crit.npcr_star, HUGE_VAL, 1);
    snprintf(name, sizeof name, "uaci %s", label);
    rc |= add_row(a, group, name, uaci, s->crit.uaci_mean, s->crit.uaci_low, s->crit.uaci_high, 1);
    return rc;
}

/* NPCR/UACI between Enc(K, P) and Enc(K, P with sample (i,j) + 1 mod E). */
static int pixel_change(dg_analysis *a, sens *s, const dg_gray *p, size_t i, size_t j, int random)
{
    size_t n = (size_t)p->rows * p->cols, t = i * p->cols + j;
    char label[40];

    memcpy(s->work, p->v, n * sizeof *p->v);
    s->work[t] = (uint16_t)((s->work[t] + 1u) & ((1u << p->bits) - 1u));
    if (chaos_run(s->key, s->rounds, p, s->work, 0) != DG_CHAOS_OK)
        return -1;
    snprintf(label, sizeof label, "%s(%zu,%zu)", random ? "random " : "", i, j);
    return npcr_uaci_rows(a, s, p, "pixel", label, s->work);
}

/* NPCR/UACI between Enc(K, P) and Enc(K ^ bit, P); and Dec(K ^ bit, Enc(K, P)) against P. */
static int key_change(dg_analysis *a, sens *s, const dg_gray *p, unsigned bit)
{
    size_t n = (size_t)p->rows * p->cols;
    uint8_t k2[32];
    char label[24], note[160];
    double npcr, uaci;
    int rc;

    memcpy(k2, s->key, 32);
    k2[bit >> 3] ^= (uint8_t)(0x80u >> (bit & 7));
    memcpy(s->work, p->v, n * sizeof *p->v);
    memcpy(s->back, s->c1, n * sizeof *p->v);
    rc = chaos_run(k2, s->rounds, p, s->work, 0);
    if (rc == DG_CHAOS_OK)
        rc = chaos_run(k2, s->rounds, p, s->back, 1);
    dg_wipe(k2, sizeof k2);
    if (rc == DG_CHAOS_EWEAKKEY || rc == DG_CHAOS_EDEGENERATE) {
        snprintf(note, sizeof note, "Key bit %u: the flipped key is refused by the cipher (%s).",
                 bit, dg_chaos_strerror(rc));
        add_note(a, note);
        return 0;
    }
    if (rc != DG_CHAOS_OK)
        return -1;
    snprintf(label, sizeof label, "bit %u", bit);
    rc = npcr_uaci_rows(a, s, p, "key", label, s->work);
    if (rc == 0 && dg_metric_npcr_uaci(p->v, s->back, n, p->bits, &npcr, &uaci) == 0) {
        char name[48];
        snprintf(name, sizeof name, "npcr bit %u", bit);
        rc |=
            add_row(a, "wrong-key", name, npcr, s->crit.npcr_mean, s->crit.npcr_star, HUGE_VAL, 1);
        snprintf(name, sizeof name, "uaci bit %u", bit);
        rc |= add_row(a, "wrong-key", name, uaci, NAN, -HUGE_VAL, HUGE_VAL, 0);
    }
    return rc;
}

static int sensitivity_rows(dg_analysis *a, sens *s, const dg_gray *p)
{
    size_t m = p->rows, n = p->cols;
    unsigned extra = s->opt->positions;
    int rc = 0;

    rc |= pixel_change(a, s, p, 0, 0, 0);
    rc |= pixel_change(a, s, p, m / 2, n / 2, 0);
    rc |= pixel_change(a, s, p, m - 1, n - 1, 0);
    for (unsigned k = 0; k < extra && rc == 0; k++) {
        uint64_t t = next_index(s, (uint64_t)m * n);
        rc |= pixel_change(a, s, p, (size_t)(t / n), (size_t)(t % n), 1);
    }
    for (size_t b = 0; b < sizeof key_bits / sizeof key_bits[0] && rc == 0; b++)
        rc |= key_change(a, s, p, key_bits[b]);
    return rc;
}

static void sens_free(sens *s, size_t n)
{
    if (s->c1 != NULL)
        dg_wipe(s->c1, n * sizeof *s->c1);
    if (s->work != NULL)
        dg_wipe(s->work, n * sizeof *s->work);
    if (s->back != NULL)
        dg_wipe(s->back, n * sizeof *s->back);
    free(s->c1);
    free(s->work);
    free(s->back);
    dg_wipe(s->key, sizeof s->key);
}

/*
 * Encrypts the plain image (the cipher image when there is no PROTECTED)
 * and, unless told not to, measures NPCR and UACI.
 */
static int own_encryptions(dg_analysis *a, const dg_analyze_options *opt, int need_cipher,
                           char *err, size_t errlen)
{
    const dg_gray *p = &a->plain;
    size_t n = (size_t)p->rows * p->cols;
    sens s;
    int rc;

    memset(&s, 0, sizeof s);
    s.opt = opt;
    s.rounds = opt->rounds ? opt->rounds : DG_CHAOS_ROUNDS_DEFAULT;
    s.c1 = malloc(n * sizeof *s.c1);
    s.work = malloc(n * sizeof *s.work);
    s.back = malloc(n * sizeof *s.back);
    if (s.c1 == NULL || s.work == NULL || s.back == NULL) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
        goto done;
    }
    rc = first_encryption(&s, p);
    if (rc != DG_OK) {
        rc = dg_fail(err, errlen, rc, "the chaos cipher refused the plain image");
        goto done;
    }
    if (need_cipher) {
        if (gray_alloc(&a->cipher, p->rows, p->cols, p->bits) != 0) {
            rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(a->cipher.v, s.c1, n * sizeof *s.c1);
        snprintf(a->cipher_what, sizeof a->cipher_what,
                 "the chaos cipher (%u rounds) applied by this tool to the plain image under a "
                 "%s key",
                 s.rounds, opt->seed ? "seeded" : "random");
    }
    if (!(opt->flags & DG_ANALYZE_NO_SENSITIVITY)) {
        snprintf(a->sens_what, sizeof a->sens_what,
                 "the tool's own chaos encryptions (%u rounds, %u bits) of the plain image under "
                 "a %s key K",
                 s.rounds, p->bits, opt->seed ? "seeded" : "random");
        if (dg_metric_npcr_uaci_critical(n, p->bits, ALPHA, &s.crit) != 0 ||
            sensitivity_rows(a, &s, p) != 0)
            rc = dg_fail(err, errlen, DG_ENOMEM, "the sensitivity tests failed");
    }
done:
    sens_free(&s, n);
    return rc;
}

/* ---- the public API ---- */

DG_API void dg_analysis_free(dg_analysis *a)
{
    if (a == NULL)
        return;
    gray_free(&a->plain);
    gray_free(&a->cipher);
    free(a->rows);
    free(a);
}

DG_API int dg_analyze(const uint8_t *plain, size_t plain_len, const uint8_t *protected_file,
                      size_t protected_len, const dg_analyze_options *options, dg_analysis **out,
                      char *err, size_t errlen)
{
    dg_analyze_options opt = {0, 0, DEFAULT_POSITIONS, 0, 0};
    dg_analysis *a;
    int rc;

    if (plain == NULL || out == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_analyze");
    *out = NULL;
    if (options != NULL)
        opt = *options;
    if (opt.bits > 16 || opt.rounds > DG_CHAOS_ROUNDS_MAX || opt.positions > 100000)
        return dg_fail(err, errlen, DG_EINVAL, "bits 1..16, rounds 1..%d, positions <= 100000",
                       DG_CHAOS_ROUNDS_MAX);
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    snprintf(a->sens_what, sizeof a->sens_what, "not measured");
    rc = read_plain(a, plain, plain_len, &opt, err, errlen);
    if (rc == DG_OK && protected_file != NULL)
        rc = read_protected(a, protected_file, protected_len, err, errlen);
    if (rc == DG_OK && (protected_file == NULL || !(opt.flags & DG_ANALYZE_NO_SENSITIVITY)))
        rc = own_encryptions(a, &opt, protected_file == NULL, err, errlen);
    if (rc == DG_OK &&
        (stat_rows(a, "plain", &a->plain) != 0 || stat_rows(a, "cipher", &a->cipher) != 0))
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    if (rc != DG_OK) {
        dg_analysis_free(a);
        return rc;
    }
    *out = a;
    return DG_OK;
}

DG_API size_t dg_analysis_row_count(const dg_analysis *a)
{
    return a != NULL ? a->count : 0;
}

DG_API int dg_analysis_row_get(const dg_analysis *a, size_t i, dg_analysis_row *row)
{
    if (a == NULL || row == NULL || i >= a->count)
        return DG_EINVAL;
    *row = a->rows[i];
    return DG_OK;
}

DG_API int dg_analysis_png(const dg_analysis *a, const char *path, char *err, size_t errlen)
{
    if (a == NULL || path == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_analysis_png");
    return dg_figure_write(a, path, err, errlen);
}
