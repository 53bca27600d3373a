/*
 * metrics.c - image-cipher statistics and their ideal and critical values
 * (metrics.h; formulas in ../shared/docs/chaos-cipher.md section 9).
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bits_ok(unsigned bits)
{
    return bits >= 1 && bits <= 16;
}

int dg_metric_normal_upper(double p, double *z)
{
    double lo = -40.0, hi = 40.0;

    if (z == NULL || !(p > 0.0 && p < 1.0))
        return -1;
    /* P(Z > z) = erfc(z / sqrt 2) / 2 decreases in z: bisection to full precision */
    for (int i = 0; i < 200 && hi - lo > 0.0; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(mid / sqrt(2.0)) > p)
            lo = mid;
        else
            hi = mid;
    }
    *z = 0.5 * (lo + hi);
    return 0;
}

int dg_metric_histogram(const uint16_t *v, size_t n, unsigned bits, uint64_t *counts)
{
    size_t e = (size_t)1 << (bits_ok(bits) ? bits : 1);

    if (v == NULL || counts == NULL || !bits_ok(bits))
        return -1;
    memset(counts, 0, e * sizeof *counts);
    for (size_t t = 0; t < n; t++) {
        if (v[t] >= e)
            return -1;
        counts[v[t]]++;
    }
    return 0;
}

/* A malloc'd histogram, or NULL. */
static uint64_t *histogram(const uint16_t *v, size_t n, unsigned bits)
{
    uint64_t *counts;

    if (!bits_ok(bits))
        return NULL;
    counts = malloc(((size_t)1 << bits) * sizeof *counts);
    if (counts != NULL && dg_metric_histogram(v, n, bits, counts) != 0) {
        free(counts);
        counts = NULL;
    }
    return counts;
}

int dg_metric_entropy(const uint16_t *v, size_t n, unsigned bits, double *h)
{
    uint64_t *counts;
    double sum = 0.0;

    if (h == NULL || n == 0 || (counts = histogram(v, n, bits)) == NULL)
        return -1;
    for (size_t k = 0; k < ((size_t)1 << bits); k++)
        if (counts[k] > 0) {
            double p = (double)counts[k] / (double)n;
            sum -= p * log2(p);
        }
    free(counts);
    *h = sum;
    return 0;
}

/* -(k/n) log2(k/n), 0 for k = 0. */
static double plogp(double k, double n)
{
    return k > 0.0 ? -(k / n) * log2(k / n) : 0.0;
}

/* The probabilities of Binomial(n, p) that matter: pmf[i] = P(k0 + i), i < *count. */
typedef struct binom {
    uint64_t k0;
    size_t count;
    double *pmf;
} binom;

static void binom_free(binom *b)
{
    free(b->pmf);
    b->pmf = NULL;
}

/* Fills b over the mode +- (12 sd + 32): what lies beyond weighs less than 1e-30. */
static int binom_make(uint64_t n, double p, binom *b)
{
    double nn = (double)n, q, pm;
    uint64_t mode, lo, hi, half;

    if (p >= 1.0) { /* all in one point: k = n */
        b->k0 = n;
        b->count = 1;
        b->pmf = malloc(sizeof *b->pmf);
        if (b->pmf == NULL)
            return -1;
        b->pmf[0] = 1.0;
        return 0;
    }
    q = p / (1.0 - p);
    mode = (uint64_t)floor((nn + 1.0) * p);
    mode = mode > n ? n : mode;
    half = (uint64_t)(12.0 * sqrt(nn * p * (1.0 - p))) + 32;
    lo = mode > half ? mode - half : 0;
    hi = n - mode > half ? mode + half : n;
    b->k0 = lo;
    b->count = (size_t)(hi - lo + 1);
    b->pmf = malloc(b->count * sizeof *b->pmf);
    if (b->pmf == NULL)
        return -1;
    pm = exp(lgamma(nn + 1.0) - lgamma((double)mode + 1.0) - lgamma(nn - (double)mode + 1.0) +
             (double)mode * log(p) + (nn - (double)mode) * log1p(-p));
    b->pmf[mode - lo] = pm;
    for (uint64_t k = mode; k < hi; k++)
        b->pmf[k + 1 - lo] = b->pmf[k - lo] * (nn - (double)k) / ((double)k + 1.0) * q;
    for (uint64_t k = mode; k > lo; k--)
        b->pmf[k - 1 - lo] = b->pmf[k - lo] * (double)k / (nn - (double)k + 1.0) / q;
    return 0;
}

/*
 * g(k) = plogp(k) minus its tangent at the mean count m: H = sum over the E
 * bins of g(count) + a constant (the counts sum to n), so the variance of H
 * comes from g without the large linear part that would cancel.
 */
static double g_reduced(double k, double n, double m, double slope)
{
    return plogp(k, n) - slope * (k - m);
}

/* E[g(X2) | X1 = k1] for two bins of the multinomial: X2 | k1 ~ Binomial(n - k1, p/(1-p)). */
static int conditional_mean(uint64_t n, double p, uint64_t k1, double m, double slope, double *out)
{
    binom c;
    double sum = 0.0, nn = (double)n;

    if (binom_make(n - k1, p / (1.0 - p), &c) != 0)
        return -1;
    for (size_t i = 0; i < c.count; i++)
        sum += c.pmf[i] * g_reduced((double)(c.k0 + i), nn, m, slope);
    binom_free(&c);
    *out = sum;
    return 0;
}

int dg_metric_entropy_ideal(uint64_t n, unsigned bits, double *mean, double *sd)
{
    double e, p, nn, m, slope, mu = 0.0, mu_r = 0.0, var = 0.0, cov = 0.0, cm;
    binom b;
    int rc = -1;

    if (mean == NULL || sd == NULL || n == 0 || !bits_ok(bits))
        return -1;
    e = ldexp(1.0, (int)bits);
    p = 1.0 / e;
    nn = (double)n;
    m = nn * p;
    slope = -(log2(m / nn) + 1.0 / log(2.0)) / nn;
    if (binom_make(n, p, &b) != 0)
        return -1;
    /* each bin's count is Binomial(n, 1/E): E[H] = E * E[plogp(count)] */
    for (size_t i = 0; i < b.count; i++) {
        mu += b.pmf[i] * plogp((double)(b.k0 + i), nn);
        mu_r += b.pmf[i] * g_reduced((double)(b.k0 + i), nn, m, slope);
    }
    /* Var H = E Var g(X1) + E (E - 1) Cov(g(X1), g(X2)) */
    for (size_t i = 0; i < b.count; i++) {
        double d = g_reduced((double)(b.k0 + i), nn, m, slope) - mu_r;
        var += b.pmf[i] * d * d;
        if (conditional_mean(n, p, b.k0 + i, m, slope, &cm) != 0)
            goto done;
        cov += b.pmf[i] * d * (cm - mu_r);
    }
    *mean = e * mu;
    var = e * var + e * (e - 1.0) * cov;
    *sd = var > 0.0 ? sqrt(var) : 0.0;
    rc = 0;
done:
    binom_free(&b);
    return rc;
}

int dg_metric_chi2(const uint16_t *v, size_t n, unsigned bits, double *chi2)
{
    uint64_t *counts;
    double expect, sum = 0.0;

    if (chi2 == NULL || n == 0 || (counts = histogram(v, n, bits)) == NULL)
        return -1;
    expect = (double)n / ldexp(1.0, (int)bits);
    for (size_t k = 0; k < ((size_t)1 << bits); k++) {
        double d = (double)counts[k] - expect;
        sum += d * d / expect;
    }
    free(counts);
    *chi2 = sum;
    return 0;
}

int dg_metric_chi2_critical(uint64_t df, double alpha, double *critical)
{
    double z, a, c;

    if (critical == NULL || df == 0 || dg_metric_normal_upper(alpha, &z) != 0)
        return -1;
    a = 2.0 / (9.0 * (double)df);
    c = 1.0 - a + z * sqrt(a);
    *critical = (double)df * c * c * c;
    return 0;
}

int dg_metric_npcr_uaci(const uint16_t *a, const uint16_t *b, size_t n, unsigned bits, double *npcr,
                        double *uaci)
{
    uint64_t differ = 0, total = 0;
    double f = ldexp(1.0, (int)(bits_ok(bits) ? bits : 1)) - 1.0;

    if (a == NULL || b == NULL || npcr == NULL || uaci == NULL || n == 0 || !bits_ok(bits))
        return -1;
    for (size_t t = 0; t < n; t++) {
        unsigned d = a[t] > b[t] ? (unsigned)(a[t] - b[t]) : (unsigned)(b[t] - a[t]);
        differ += d != 0;
        total += d;
    }
    *npcr = 100.0 * (double)differ / (double)n;
    *uaci = 100.0 * (double)total / ((double)n * f);
    return 0;
}

int dg_metric_npcr_uaci_critical(uint64_t n, unsigned bits, double alpha, dg_npcr_uaci_critical *c)
{
    double f, nn, z1, z2, var;

    if (c == NULL || n == 0 || !bits_ok(bits) || dg_metric_normal_upper(alpha, &z1) != 0 ||
        dg_metric_normal_upper(alpha / 2.0, &z2) != 0)
        return -1;
    f = ldexp(1.0, (int)bits) - 1.0;
    nn = (double)n;
    c->npcr_mean = 100.0 * f / (f + 1.0);
    c->npcr_star = 100.0 * (f - z1 * sqrt(f / nn)) / (f + 1.0);
    c->uaci_mean = 100.0 * (f + 2.0) / (3.0 * f + 3.0);
    var = (f + 2.0) * (f * f + 2.0 * f + 3.0) / (18.0 * (f + 1.0) * (f + 1.0) * nn * f);
    c->uaci_low = c->uaci_mean - 100.0 * z2 * sqrt(var);
    c->uaci_high = c->uaci_mean + 100.0 * z2 * sqrt(var);
    return 0;
}

/* Offsets of the second sample of a pair, and the ranges of the first. */
static int pair_geometry(uint32_t rows, uint32_t cols, dg_corr_dir dir, size_t *di, size_t *dj)
{
    *di = dir == DG_CORR_HORIZONTAL ? 0 : 1;
    *dj = dir == DG_CORR_VERTICAL ? 0 : 1;
    if (dir > DG_CORR_DIAGONAL || rows <= *di || cols <= *dj)
        return -1;
    return 0;
}

int dg_metric_correlation(const uint16_t *v, uint32_t rows, uint32_t cols, dg_corr_dir dir,
                          double *r, uint64_t *pairs)
{
    size_t di, dj, count;
    double mx = 0.0, my = 0.0, sxy = 0.0, sxx = 0.0, syy = 0.0;

    if (v == NULL || r == NULL || pairs == NULL || pair_geometry(rows, cols, dir, &di, &dj) != 0)
        return -1;
    count = (size_t)(rows - di) * (cols - dj);
    for (size_t i = 0; i + di < rows; i++)
        for (size_t j = 0; j + dj < cols; j++) {
            mx += v[i * cols + j];
            my += v[(i + di) * cols + j + dj];
        }
    mx /= (double)count;
    my /= (double)count;
    for (size_t i = 0; i + di < rows; i++)
        for (size_t j = 0; j + dj < cols; j++) {
            double x = v[i * cols + j] - mx, y = v[(i + di) * cols + j + dj] - my;
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
        }
    *r = sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : 0.0;
    *pairs = count;
    return 0;
}

/* splitmix64: the block choice of the local entropy (not secret). */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Entropy of one side x side block at (top, left), 8-bit samples. */
static double block_entropy(const uint16_t *v, uint32_t cols, size_t top, size_t left,
                            unsigned side)
{
    uint32_t counts[256] = {0};
    double n = (double)side * side, h = 0.0;

    for (size_t i = 0; i < side; i++)
        for (size_t j = 0; j < side; j++)
            counts[v[(top + i) * cols + left + j] & 255]++;
    for (int k = 0; k < 256; k++)
        h += plogp(counts[k], n);
    return h;
}

int dg_metric_local_entropy(const uint16_t *v, uint32_t rows, uint32_t cols, unsigned k,
                            unsigned side, uint64_t seed, double *mean)
{
    size_t grid_r, grid_c, cells;
    uint32_t *order;
    double sum = 0.0;

    if (v == NULL || mean == NULL || k == 0 || side == 0)
        return -1;
    grid_r = rows / side;
    grid_c = cols / side;
    cells = grid_r * grid_c;
    if (cells < k || (order = malloc(cells * sizeof *order)) == NULL)
        return -1;
    /* a partial Fisher-Yates shuffle picks k distinct blocks */
    for (size_t c = 0; c < cells; c++)
        order[c] = (uint32_t)c;
    for (size_t c = 0; c < k; c++) {
        size_t pick = c + (size_t)(splitmix(&seed) % (cells - c));
        uint32_t t = order[c];
        order[c] = order[pick];
        order[pick] = t;
        sum += block_entropy(v, cols, (order[c] / grid_c) * side, (order[c] % grid_c) * side, side);
    }
    free(order);
    *mean = sum / k;
    return 0;
}

int dg_metric_local_entropy_ideal(unsigned k, unsigned side, double alpha, double *mean,
                                  double *low, double *high)
{
    double m, sd, z;

    if (mean == NULL || low == NULL || high == NULL || k == 0 || side == 0 ||
        dg_metric_normal_upper(alpha / 2.0, &z) != 0 ||
        dg_metric_entropy_ideal((uint64_t)side * side, 8, &m, &sd) != 0)
        return -1;
    *mean = m;
    *low = m - z * sd / sqrt((double)k);
    *high = m + z * sd / sqrt((double)k);
    return 0;
}
