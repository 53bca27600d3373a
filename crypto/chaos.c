/*
 * chaos.c - the chaos image cipher of chaos.h: key schedule (spec section 2),
 * Logistic-Sine keystream (1, 3), high-speed scrambling (4), pixel adaptive
 * diffusion by modular addition (5) and their inverses, over one gray image
 * laid out as the spec's defaults say (6).
 *
 * The image is copied into a column-major working buffer (t = j*M + i, the
 * order of the diffusion chain), transformed there, and copied back.
 *
 * Speed: the keystream is a serial chain of sin() calls, so its latency sets
 * the speed. The rounds' keystreams do not depend on the data, so the chains
 * of several rounds are run side by side (up to CHAIN_GROUP at a time, as
 * long as their keystreams fit in the memory budget), which lets the CPU
 * overlap them. The output is the same whatever the grouping.
 */
#include "chaos.h"
#include "chaos_internal.h"
#include "random.h"
#include "sine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define LSS_PI 0x1.921fb54442d18p+1 /* the double nearest pi */
#define TWO32 4294967296.0
#define CHAIN_GROUP 4
#define DEFAULT_STREAM_BUDGET ((size_t)96 << 20) /* bytes of stored keystream */

/* Round seeds derived from the key (secret). */
typedef struct schedule {
    double x[DG_CHAOS_ROUNDS_MAX], r[DG_CHAOS_ROUNDS_MAX];
    unsigned rounds;
} schedule;

/* Everything one encryption or decryption works with. */
typedef struct work {
    size_t rows, cols, len; /* logical image: rows x cols, len samples */
    size_t nscr;            /* rows + cols: LSS values used by the scrambling */
    uint16_t mask;          /* E - 1 */
    uint16_t *v, *z;        /* working image and scratch, column-major */
    uint16_t *q;            /* keystreams of a group of rounds, group * len */
    double *y;              /* scrambling values of a group of rounds, group * nscr */
    uint32_t *off, *jj;     /* per row: (I[i] + 1) mod N; J repeated twice (2N) */
    size_t group;           /* rounds whose keystreams are made together */
} work;

/* ---- key schedule (section 2) ---- */

static unsigned key_bit(const uint8_t *key, unsigned i)
{
    return (key[i >> 3] >> (7 - (i & 7))) & 1u;
}

/* int_MSBfirst(k[start .. start+n-1]) */
static uint64_t bits_msb(const uint8_t *key, unsigned start, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 1) | key_bit(key, start + i);
    return v;
}

/* sum_t k[start+t] 2^t (MATLAB bi2de, LSB first) */
static uint32_t bits_lsb(const uint8_t *key, unsigned start, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)key_bit(key, start + i) << i;
    return v;
}

static int valid_rounds(unsigned rounds)
{
    return rounds >= 1 && rounds <= DG_CHAOS_ROUNDS_MAX;
}

/* The key's fields (secret). */
typedef struct key_fields {
    double x0, r0, u[2];
    uint32_t s[2];
} key_fields;

/* Round seeds; DG_CHAOS_EWEAKKEY when S1, S2 or some x_i is 0. */
static int make_schedule(const uint8_t *key, size_t key_len, unsigned rounds, schedule *s)
{
    key_fields k;
    int rc = DG_CHAOS_OK;

    if (key == NULL || key_len != DG_CHAOS_KEY_LEN || !valid_rounds(rounds))
        return DG_CHAOS_EINVAL;
    k.x0 = (double)bits_msb(key, 0, 52) * 0x1p-52;
    k.r0 = (double)bits_msb(key, 52, 52) * 0x1p-52;
    k.s[0] = bits_lsb(key, 104, 24);
    k.s[1] = bits_lsb(key, 128, 24);
    k.u[0] = (double)bits_msb(key, 152, 52) * 0x1p-52;
    k.u[1] = (double)bits_msb(key, 204, 52) * 0x1p-52;
    s->rounds = rounds;
    if (k.s[0] == 0 || k.s[1] == 0)
        rc = DG_CHAOS_EWEAKKEY;
    for (unsigned i = 0; i < rounds && rc == DG_CHAOS_OK; i++) {
        /* D2: rounds 1.. use (S1,U1), (S2,U2), (S1,U2), (S2,U1), ... */
        unsigned a = i % 2, b = (i + i / 2) % 2;
        double p = (double)k.s[a] * (k.x0 + k.u[b]), q = (double)k.s[a] * (k.r0 + k.u[b]);
        s->x[i] = p - floor(p);
        s->r[i] = q - 4.0 * floor(q / 4.0);
        if (s->x[i] == 0.0)
            rc = DG_CHAOS_EWEAKKEY;
    }
    dg_wipe(&k, sizeof k);
    return rc;
}

/* ---- the Logistic-Sine map (section 1) ---- */

/* The rest of f once s = sin(PI * x) is known (each operation rounded as the spec writes it). */
static inline double lss_finish(double x, double r, double s)
{
    double a = r * x;
    a = a * (1.0 - x);
    double b = (4.0 - r) * s;
    b = b / 4.0;
    double y = a + b;
    /* y - floor(y): both terms are >= 0 and y < 2 */
    return y >= 1.0 ? y - 1.0 : y;
}

/* f(x) for x in [0,1), r in [0,4). */
static inline double lss_step(double x, double r)
{
    return lss_finish(x, r, dg_sin(LSS_PI * x));
}

static inline uint16_t quantize(double y, uint16_t mask)
{
    return (uint16_t)((uint64_t)(y * TWO32) & mask);
}

/*
 * Runs the chains of rounds first..first+count-1 side by side: y for the
 * first nscr outputs, q for the first len. 1 when some output is exactly 0.
 */
static int make_streams(const schedule *s, unsigned first, unsigned count, work *w)
{
    double x[CHAIN_GROUP], r[CHAIN_GROUP];
    size_t steps = w->len > w->nscr ? w->len : w->nscr;
    int zero = 0;

    for (unsigned k = 0; k < count; k++) {
        x[k] = s->x[first + k];
        r[k] = s->r[first + k];
    }
    for (size_t t = 0; t < steps; t++) {
        /* the chains are independent: the CPU overlaps their sin() calls */
        for (unsigned k = 0; k < count; k++) {
            x[k] = lss_step(x[k], r[k]);
            zero |= x[k] == 0.0;
            if (t < w->nscr)
                w->y[k * w->nscr + t] = x[k];
            if (t < w->len)
                w->q[k * w->len + t] = quantize(x[k], w->mask);
        }
    }
    dg_wipe(x, sizeof x);
    dg_wipe(r, sizeof r);
    return zero;
}

/* ---- sorting (section 4, step 2) ---- */

typedef struct keyed {
    double v;
    uint32_t i;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->i < b->i ? -1 : (a->i > b->i);
}

int dg_chaos_argsort(const double *v, size_t n, uint32_t *idx)
{
    keyed *k;

    if (v == NULL || idx == NULL || n == 0 || n > UINT32_MAX)
        return DG_CHAOS_EINVAL;
    k = malloc(n * sizeof *k);
    if (k == NULL)
        return DG_CHAOS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        k[i].v = v[i];
        k[i].i = (uint32_t)i;
    }
    qsort(k, n, sizeof *k, keyed_cmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = k[i].i;
    dg_wipe(k, n * sizeof *k);
    free(k);
    return DG_CHAOS_OK;
}

/* ---- high-speed scrambling (section 4) ---- */

/* From the round's values y: off[i] = (I[i] + 1) mod N, jj[k] = J[k mod N], k < 2N. */
static int scramble_tables(work *w, const double *y)
{
    uint32_t *order = w->off; /* I first, then turned into offsets in place */
    int rc = dg_chaos_argsort(y, w->rows, order);

    if (rc != DG_CHAOS_OK)
        return rc;
    for (size_t i = 0; i < w->rows; i++)
        order[i] = (uint32_t)((order[i] + 1) % w->cols);
    rc = dg_chaos_argsort(y + w->rows, w->cols, w->jj);
    if (rc != DG_CHAOS_OK)
        return rc;
    memcpy(w->jj + w->cols, w->jj, w->cols * sizeof *w->jj);
    return DG_CHAOS_OK;
}

/*
 * Path j is the cells (i, S[i][j]) with S[i][j] = J[(j + I[i] + 1) mod N];
 * encryption moves each pixel (d_j = (S[0][j] + 1) mod M) rows up its path:
 * Z[(i - d_j) mod M, S[(i - d_j) mod M][j]] = V[i, S[i][j]]. Decryption
 * makes the opposite move. Reads w->v, writes w->z, then swaps them.
 */
static void scramble(work *w, int inverse)
{
    const size_t m = w->rows, n = w->cols;
    const uint32_t *off = w->off, *jj = w->jj;
    uint16_t *src = w->v, *dst = w->z;

    for (size_t j = 0; j < n; j++) {
        size_t d = ((size_t)jj[j + off[0]] + 1) % m;
        size_t i2 = d == 0 ? 0 : m - d; /* (0 - d) mod M */
        for (size_t i = 0; i < m; i++) {
            size_t from = (size_t)jj[j + off[i]] * m + i;
            size_t to = (size_t)jj[j + off[i2]] * m + i2;
            if (inverse)
                dst[from] = src[to];
            else
                dst[to] = src[from];
            if (++i2 == m)
                i2 = 0;
        }
    }
    w->v = dst;
    w->z = src;
}

/* ---- pixel adaptive diffusion, modular addition (section 5) ---- */

static void diffuse(work *w, const uint16_t *q)
{
    uint16_t *v = w->v, mask = w->mask;
    size_t len = w->len;

    v[0] = (uint16_t)((v[0] + v[len - 1] + q[0]) & mask);
    for (size_t t = 1; t < len; t++)
        v[t] = (uint16_t)((v[t] + v[t - 1] + q[t]) & mask);
}

/* The inverse, front to back: v[t] = z[t] - z[t-1] - q[t], then v[0] from v[L-1]. */
static void undiffuse(work *w, const uint16_t *q)
{
    uint16_t *v = w->v, mask = w->mask, z0 = v[0], prev = v[0];
    size_t len = w->len;

    for (size_t t = 1; t < len; t++) {
        uint16_t cur = v[t];
        v[t] = (uint16_t)((cur - prev - q[t]) & mask);
        prev = cur;
    }
    v[0] = (uint16_t)((z0 - v[len - 1] - q[0]) & mask);
}

/* ---- layout (section 6, D5) and sample ranges ---- */

size_t dg_chaos_buffer_size(const dg_chaos_image *img)
{
    uint64_t rows, cols;

    if (img == NULL || img->rows == 0 || img->cols == 0 || img->samples_per_pixel == 0 ||
        img->frames == 0 || img->bits < 1 || img->bits > 16 || img->planar > 1 ||
        img->is_signed > 1 || (img->bits_allocated != 8 && img->bits_allocated != 16) ||
        img->bits > img->bits_allocated)
        return 0;
    rows = (uint64_t)img->frames * img->rows;
    cols = (uint64_t)img->samples_per_pixel * img->cols;
    if (rows > UINT32_MAX || cols > UINT32_MAX || rows * cols > (SIZE_MAX / 16) || rows * cols < 2)
        return 0;
    return (size_t)(rows * cols) * (img->bits_allocated / 8);
}

/* Index in the caller's buffer of sample c of pixel (i, j) of frame f. */
static size_t buffer_index(const dg_chaos_image *img, size_t f, size_t i, size_t j, size_t c)
{
    size_t m = img->rows, n = img->cols, spp = img->samples_per_pixel;
    if (img->planar)
        return ((f * spp + c) * m + i) * n + j;
    return ((f * m + i) * n + j) * spp + c;
}

/* The b-bit pattern of a container value, or -1 when it does not fit. */
static int32_t to_pattern(const dg_chaos_image *img, uint32_t u)
{
    uint32_t mask = (1u << img->bits) - 1u, high = u >> img->bits;
    uint32_t width = img->bits_allocated, ext = (1u << (width - img->bits)) - 1u;

    if (!img->is_signed)
        return high == 0 ? (int32_t)u : -1;
    if (high != ((u >> (img->bits - 1)) & 1u ? ext : 0u))
        return -1;
    return (int32_t)(u & mask);
}

/* The container value of a b-bit pattern (sign-extended when signed). */
static uint32_t from_pattern(const dg_chaos_image *img, uint32_t p)
{
    uint32_t width_mask = img->bits_allocated == 8 ? 0xFFu : 0xFFFFu;
    uint32_t mask = (1u << img->bits) - 1u;

    if (img->is_signed && ((p >> (img->bits - 1)) & 1u))
        return (p | ~mask) & width_mask;
    return p;
}

/* Fills the working image from the buffer; DG_CHAOS_ERANGE if a sample does not fit. */
static int load(work *w, const dg_chaos_image *img, const void *buf)
{
    const uint8_t *b8 = buf;
    const uint16_t *b16 = buf;

    for (size_t f = 0; f < img->frames; f++)
        for (size_t i = 0; i < img->rows; i++)
            for (size_t j = 0; j < img->cols; j++)
                for (size_t c = 0; c < img->samples_per_pixel; c++) {
                    size_t k = buffer_index(img, f, i, j, c);
                    uint32_t u = img->bits_allocated == 8 ? b8[k] : b16[k];
                    int32_t p = to_pattern(img, u);
                    if (p < 0)
                        return DG_CHAOS_ERANGE;
                    w->v[(c * img->cols + j) * w->rows + f * img->rows + i] = (uint16_t)p;
                }
    return DG_CHAOS_OK;
}

static void store(const work *w, const dg_chaos_image *img, void *buf)
{
    uint8_t *b8 = buf;
    uint16_t *b16 = buf;

    for (size_t f = 0; f < img->frames; f++)
        for (size_t i = 0; i < img->rows; i++)
            for (size_t j = 0; j < img->cols; j++)
                for (size_t c = 0; c < img->samples_per_pixel; c++) {
                    size_t k = buffer_index(img, f, i, j, c);
                    uint16_t p = w->v[(c * img->cols + j) * w->rows + f * img->rows + i];
                    uint32_t u = from_pattern(img, p);
                    if (img->bits_allocated == 8)
                        b8[k] = (uint8_t)u;
                    else
                        b16[k] = (uint16_t)u;
                }
}

/* ---- the whole cipher (section 6) ---- */

static void work_free(work *w)
{
    if (w->v != NULL)
        dg_wipe(w->v, w->len * sizeof *w->v);
    if (w->z != NULL)
        dg_wipe(w->z, w->len * sizeof *w->z);
    if (w->q != NULL)
        dg_wipe(w->q, w->group * w->len * sizeof *w->q);
    if (w->y != NULL)
        dg_wipe(w->y, w->group * w->nscr * sizeof *w->y);
    if (w->off != NULL)
        dg_wipe(w->off, w->rows * sizeof *w->off);
    if (w->jj != NULL)
        dg_wipe(w->jj, 2 * w->cols * sizeof *w->jj);
    free(w->v);
    free(w->z);
    free(w->q);
    free(w->y);
    free(w->off);
    free(w->jj);
    memset(w, 0, sizeof *w);
}

static int work_alloc(work *w, const dg_chaos_image *img, unsigned rounds, size_t budget)
{
    size_t per_round;

    memset(w, 0, sizeof *w);
    w->rows = (size_t)img->frames * img->rows;
    w->cols = (size_t)img->samples_per_pixel * img->cols;
    w->len = w->rows * w->cols;
    w->nscr = w->rows + w->cols;
    w->mask = (uint16_t)((1u << img->bits) - 1u);
    per_round = w->len * sizeof *w->q + w->nscr * sizeof *w->y;
    w->group = budget / per_round;
    if (w->group > CHAIN_GROUP)
        w->group = CHAIN_GROUP;
    if (w->group > rounds)
        w->group = rounds;
    if (w->group == 0)
        w->group = 1;
    w->v = malloc(w->len * sizeof *w->v);
    w->z = malloc(w->len * sizeof *w->z);
    w->q = malloc(w->group * w->len * sizeof *w->q);
    w->y = malloc(w->group * w->nscr * sizeof *w->y);
    w->off = malloc(w->rows * sizeof *w->off);
    w->jj = malloc(2 * w->cols * sizeof *w->jj);
    if (w->v == NULL || w->z == NULL || w->q == NULL || w->y == NULL || w->off == NULL ||
        w->jj == NULL) {
        work_free(w);
        return DG_CHAOS_ENOMEM;
    }
    return DG_CHAOS_OK;
}

/* Rounds first..first+count-1 forward: scramble then diffuse, each. */
static int encrypt_group(work *w, const schedule *s, unsigned first, unsigned count)
{
    int rc;

    if (make_streams(s, first, count, w))
        return DG_CHAOS_EDEGENERATE;
    for (unsigned k = 0; k < count; k++) {
        rc = scramble_tables(w, w->y + k * w->nscr);
        if (rc != DG_CHAOS_OK)
            return rc;
        scramble(w, 0);
        diffuse(w, w->q + k * w->len);
    }
    return DG_CHAOS_OK;
}

/* Rounds first+count-1 down to first: undiffuse then unscramble, each. */
static int decrypt_group(work *w, const schedule *s, unsigned first, unsigned count)
{
    int rc;

    (void)make_streams(s, first, count, w);
    for (unsigned k = count; k-- > 0;) {
        undiffuse(w, w->q + k * w->len);
        rc = scramble_tables(w, w->y + k * w->nscr);
        if (rc != DG_CHAOS_OK)
            return rc;
        scramble(w, 1);
    }
    return DG_CHAOS_OK;
}

static int transform(work *w, const schedule *s, int decrypt)
{
    unsigned g = (unsigned)w->group, n = s->rounds;
    int rc = DG_CHAOS_OK;

    if (!decrypt) {
        for (unsigned first = 0; first < n && rc == DG_CHAOS_OK; first += g)
            rc = encrypt_group(w, s, first, n - first < g ? n - first : g);
        return rc;
    }
    for (unsigned end = n; end > 0 && rc == DG_CHAOS_OK;) {
        unsigned count = end < g ? end : g;
        rc = decrypt_group(w, s, end - count, count);
        end -= count;
    }
    return rc;
}

int dg_chaos_run(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                 void *samples, size_t samples_len, int decrypt, size_t stream_budget)
{
    schedule s;
    work w;
    int rc;

    memset(&w, 0, sizeof w);
    if (rounds == 0)
        rounds = DG_CHAOS_ROUNDS_DEFAULT;
    if (samples == NULL || dg_chaos_buffer_size(img) == 0 ||
        samples_len != dg_chaos_buffer_size(img) || !valid_rounds(rounds))
        return DG_CHAOS_EINVAL;
    if (dg_sin_init() != 0)
        return DG_CHAOS_ENOMEM;
    rc = make_schedule(key, key_len, rounds, &s);
    if (rc != DG_CHAOS_OK)
        goto done;
    rc = work_alloc(&w, img, rounds, stream_budget);
    if (rc != DG_CHAOS_OK)
        goto done;
    rc = load(&w, img, samples);
    if (rc == DG_CHAOS_OK)
        rc = transform(&w, &s, decrypt);
    if (rc == DG_CHAOS_OK)
        store(&w, img, samples);
done:
    work_free(&w);
    dg_wipe(&s, sizeof s);
    return rc;
}

int dg_chaos_encrypt(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                     void *samples, size_t samples_len)
{
    return dg_chaos_run(key, key_len, rounds, img, samples, samples_len, 0, DEFAULT_STREAM_BUDGET);
}

int dg_chaos_decrypt(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                     void *samples, size_t samples_len)
{
    return dg_chaos_run(key, key_len, rounds, img, samples, samples_len, 1, DEFAULT_STREAM_BUDGET);
}

int dg_chaos_check_key(const uint8_t *key, size_t key_len, unsigned rounds)
{
    schedule s;
    int rc = make_schedule(key, key_len, rounds == 0 ? DG_CHAOS_ROUNDS_DEFAULT : rounds, &s);
    dg_wipe(&s, sizeof s);
    return rc;
}

const char *dg_chaos_strerror(int status)
{
    switch (status) {
    case DG_CHAOS_OK:
        return "ok";
    case DG_CHAOS_EINVAL:
        return "invalid argument or image geometry";
    case DG_CHAOS_ENOMEM:
        return "out of memory";
    case DG_CHAOS_EWEAKKEY:
        return "weak key (S1 = 0, S2 = 0 or a round seed of 0)";
    case DG_CHAOS_ERANGE:
        return "a sample does not fit in BitsStored";
    case DG_CHAOS_EDEGENERATE:
        return "the keystream of this key collapses to 0 for this image size";
    default:
        return "unknown status";
    }
}

/* ---- intermediates for tests and analysis ---- */

int dg_chaos_round_seed(const uint8_t *key, size_t key_len, unsigned round, double *x, double *r)
{
    schedule s;
    int rc;

    if (x == NULL || r == NULL || !valid_rounds(round))
        return DG_CHAOS_EINVAL;
    rc = make_schedule(key, key_len, round, &s);
    if (rc == DG_CHAOS_OK) {
        *x = s.x[round - 1];
        *r = s.r[round - 1];
    }
    dg_wipe(&s, sizeof s);
    return rc;
}

int dg_chaos_lss(double x, double r, double *out, size_t n)
{
    if (out == NULL || !(x >= 0.0 && x < 1.0) || !(r >= 0.0 && r < 4.0) || dg_sin_init() != 0)
        return DG_CHAOS_EINVAL;
    for (size_t k = 0; k < n; k++)
        out[k] = x = lss_step(x, r);
    return DG_CHAOS_OK;
}

int dg_chaos_keystream(double x, double r, unsigned bits, uint16_t *q, size_t n)
{
    uint16_t mask;

    if (q == NULL || bits < 1 || bits > 16 || !(x >= 0.0 && x < 1.0) || !(r >= 0.0 && r < 4.0) ||
        dg_sin_init() != 0)
        return DG_CHAOS_EINVAL;
    mask = (uint16_t)((1u << bits) - 1u);
    for (size_t k = 0; k < n; k++) {
        x = lss_step(x, r);
        q[k] = quantize(x, mask);
    }
    return DG_CHAOS_OK;
}
