/*
 * sine.c - correctly rounded sin() for binary64 (see sine.h): a table-driven
 * double-double fast path with a proven error bound, and mpfr_sin whenever
 * that bound cannot decide the rounding.
 *
 * Fast path, for 2^-27 <= a = |x| <= 4.5:
 *
 *   reduction   r = a                      when a <  P2 (the double below pi/2)
 *               r = (pi_h - a) + pi_l + pi_ll   otherwise, sin(a) = sin(pi - a)
 *               pi_h + pi_l + pi_ll is pi to about 160 bits; pi_h - a is exact
 *               (Sterbenz: pi_h/2 <= a <= 2 pi_h). r = rh + rl, |rl| <= 0.62 ulp(rh).
 *               If r < 0 (a > pi), sin(a) = -sin(-r).
 *   table       i = round(256 rh), c = i/256, hh = rh - c, exact, |hh| <= 2^-9.
 *               S = sin(c) and C = cos(c) as double-doubles (Sh+Sl, Ch+Cl), made
 *               with MPFR at first use (i = 0..403).
 *   evaluation  sin(c + hh + rl) = S cos(hh) + C sin(hh) + cos(c + hh) rl + ...
 *               = Sh + Ch*hh                             (two_sum, two_prod: exact)
 *               + [Sl + Cl*hh + (Ch - Sh*hh)*rl] + C*ts + S*tc
 *               ts = hh^3 (-1/6 + hh^2/120 - hh^4/5040)  (sin(hh) - hh)
 *               tc = -hh^2/2 + hh^4 (1/24 - hh^2/720)    (cos(hh) - 1)
 *
 * Error bound, relative to y = sin(r) (u = 2^-53). For r in (0, pi/2 + 2^-52]:
 * y >= 0.63 r; |hh| <= r; for i >= 1, S <= 2y (r >= c/2 and sin c <= 2 sin(c/2)).
 *   reduction: |pi - pi_h - pi_l - pi_ll| < 2^-160, rounding of rl + pi_ll
 *              <= 2^-105 rh: below 2^-100 y
 *   table:     |Sh + Sl - sin c| <= u^2 S, same for C: below 2^-104 y
 *   series:    |hh^9/9!| + 2y |hh^8/8!| <= 2^-86 y
 *   rl term:   cos(c+hh) - (C - S hh) <= hh^2/2, times |rl| <= 2^-52.6 r:
 *              2^-70.9 y
 *   ts:        about 5 roundings, |ts| <= hh^3/6: 5u hh^3/6 + u |ts| <= 2^-70.3 y
 *   tc:        2 roundings of |tc| <= hh^2/2 <= 2^-19, times S <= 2y: 2^-70 y
 *   S*tc:      one rounding: u 2^-19 2y = 2^-71 y
 *   sums:      the small terms are added smallest first; the last two
 *              additions round at most u (2^-18 + 2^-19.9) y and 2^-73 y: 2^-70.6 y
 *   total:     below 3.6 * 2^-70 = 2^-68.2 y; DG_SIN_DD_REL_ERR = 2^-67 leaves a
 *              factor 2 (the tests measure the real maximum against MPFR).
 * (For i = 0, S = 0 and C = 1, and the same terms are smaller.)
 *
 * Rounding test: with yh + yl the result (fast_two_sum, |yl| <= ulp(yh)/2) and
 * e = 2^-67 |yh| (>= the bound times |y|), RN(y) = yh whenever
 *   fl(yl + e) < ulp_up(yh)/2  and  fl(yl - e) > -ulp_down(yh)/2.
 * Rounding is monotonic and both halves are doubles, so each floating-point
 * comparison implies the exact one. A tie is impossible (sin of a nonzero
 * double is transcendental), and ulp_down is half of ulp_up at a power of 2.
 *
 * Tiny arguments: for 0 < |x| < 2^-27, |x - sin x| < |x|^3/6 < 2^-54 |x| / 6,
 * while half an ulp below x is at least 2^-55 |x|: sin(x) rounds to x.
 */
#define _POSIX_C_SOURCE 200809L
#include "sine.h"

#include <float.h>
#include <math.h>
#include <mpfr.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "dg_sin needs binary64 evaluation without extended precision (FLT_EVAL_METHOD == 0)"
#endif
#ifdef __FAST_MATH__
#error "dg_sin must not be built with -ffast-math"
#endif
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define TINY 0x1p-27
#define TABLE_STEP 256.0
#define TABLE_LEN 404
#define HALF_PI_BELOW 0x1.921fb54442d18p+0 /* the double just below pi/2 */

typedef struct entry {
    double sh, sl, ch, cl;
} entry;

static entry table[TABLE_LEN];
static double pi_h, pi_l, pi_ll;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static atomic_int table_ready;

/* Splits the value of m into hi + lo (each rounded to nearest); m is changed. */
static void split_mpfr(mpfr_t m, double *hi, double *lo)
{
    *hi = mpfr_get_d(m, MPFR_RNDN);
    mpfr_sub_d(m, m, *hi, MPFR_RNDN);
    *lo = mpfr_get_d(m, MPFR_RNDN);
}

static void build_tables(void)
{
    mpfr_t c, s, k;

    mpfr_inits2(256, c, s, k, (mpfr_ptr)0);
    for (int i = 0; i < TABLE_LEN; i++) {
        mpfr_set_ui(c, (unsigned long)i, MPFR_RNDN);
        mpfr_div_2ui(c, c, 8, MPFR_RNDN); /* i / 256, exact */
        mpfr_sin_cos(s, k, c, MPFR_RNDN);
        split_mpfr(s, &table[i].sh, &table[i].sl);
        split_mpfr(k, &table[i].ch, &table[i].cl);
    }
    mpfr_const_pi(c, MPFR_RNDN);
    pi_h = mpfr_get_d(c, MPFR_RNDN);
    mpfr_sub_d(c, c, pi_h, MPFR_RNDN);
    split_mpfr(c, &pi_l, &pi_ll);
    mpfr_clears(c, s, k, (mpfr_ptr)0);
    atomic_store_explicit(&table_ready, 1, memory_order_release);
}

int dg_sin_init(void)
{
    if (atomic_load_explicit(&table_ready, memory_order_acquire))
        return 0;
    return pthread_once(&table_once, build_tables) == 0 ? 0 : -1;
}

/* s + e = a + b exactly, for any a and b. */
static inline void two_sum(double a, double b, double *s, double *e)
{
    double sum = a + b, bb = sum - a;
    *e = (a - (sum - bb)) + (b - bb);
    *s = sum;
}

/* s + e = a + b exactly, when a == 0 or exponent(a) >= exponent(b). */
static inline void fast_two_sum(double a, double b, double *s, double *e)
{
    double sum = a + b;
    *e = b - (sum - a);
    *s = sum;
}

/* Veltkamp: a = hi + lo, each with at most 26 significant bits. */
static inline void split(double a, double *hi, double *lo)
{
    double t = 134217729.0 * a; /* 2^27 + 1 */
    *hi = t - (t - a);
    *lo = a - *hi;
}

/* Dekker: p + e = a * b exactly (no overflow or underflow here). */
static inline void two_prod(double a, double b, double *p, double *e)
{
    double ah, al, bh, bl, prod = a * b;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    *e = ((ah * bh - prod) + ah * bl + al * bh) + al * bl;
    *p = prod;
}

/* sin(rh + rl) for 0 < rh <= pi/2 + 2^-52, as yh + yl (header comment). */
static inline void eval(double rh, double rl, double *yh, double *yl)
{
    int i = (int)(rh * TABLE_STEP + 0.5);
    const entry *t = &table[i];
    double hh = rh - (double)i * (1.0 / TABLE_STEP);
    double h2 = hh * hh;
    double ts = hh * h2 *
                (-0x1.5555555555555p-3 + h2 * (0x1.1111111111111p-7 + h2 * -0x1.a01a01a01a01ap-13));
    double tc = -0.5 * h2 + h2 * h2 * (0x1.5555555555555p-5 + h2 * -0x1.6c16c16c16c17p-10);
    double ph, pl, s1, e1, small;

    two_prod(t->ch, hh, &ph, &pl);
    fast_two_sum(t->sh, ph, &s1, &e1);
    small = e1 + pl + t->sl + t->cl * hh + (t->ch - t->sh * hh) * rl;
    small = small + t->ch * ts;
    small = small + t->sh * tc;
    fast_two_sum(s1, small, yh, yl);
}

/* The fast path for TINY <= |x| <= DG_SIN_FAST_MAX, tables built. */
static inline void fast_dd(double x, double *hi, double *lo)
{
    double a = fabs(x), rh, rl, yh, yl;
    int neg = signbit(x) != 0;

    if (a < HALF_PI_BELOW) {
        rh = a;
        rl = 0.0;
    } else {
        /* r = pi - a = (pi_h - a) + pi_l + pi_ll, with pi_h - a exact */
        two_sum(pi_h - a, pi_l, &rh, &rl);
        rl = rl + pi_ll;
        if (rh < 0.0) { /* a > pi: sin(a) = -sin(a - pi) */
            neg = !neg;
            rh = -rh;
            rl = -rl;
        }
    }
    eval(rh, rl, &yh, &yl);
    *hi = neg ? -yh : yh;
    *lo = neg ? -yl : yl;
}

int dg_sin_dd(double x, double *hi, double *lo)
{
    double a = fabs(x);

    if (!(a >= TINY && a <= DG_SIN_FAST_MAX) || hi == NULL || lo == NULL)
        return -1;
    if (dg_sin_init() != 0)
        return -1;
    fast_dd(x, hi, lo);
    return 0;
}

/* A double from its biased exponent field (fraction 0): 2^(e - 1023). */
static inline double pow2_biased(uint64_t e)
{
    uint64_t bits = e << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* 1 when yh (> 0, normal, exponent field > 54) is RN(y) for every y within the bound. */
static inline int rounding_is_safe(double yh, double yl)
{
    uint64_t bits;
    double half_up, half_down, e;

    memcpy(&bits, &yh, sizeof bits);
    half_up = pow2_biased((bits >> 52) - 53);
    half_down = (bits & 0xFFFFFFFFFFFFFull) == 0 ? half_up * 0.5 : half_up;
    e = yh * DG_SIN_DD_REL_ERR;
    return yl + e < half_up && yl - e > -half_down;
}

/* 0 and *y when x is in the fast domain and its rounding is decided. */
static inline int fast_rounded(double x, double *y)
{
    double hi, lo;

    fast_dd(x, &hi, &lo);
    if (!(hi < 0.0 ? rounding_is_safe(-hi, -lo) : rounding_is_safe(hi, lo)))
        return -1;
    *y = hi;
    return 0;
}

int dg_sin_fast(double x, double *y)
{
    double a = fabs(x);

    if (!(a >= TINY && a <= DG_SIN_FAST_MAX) || y == NULL || dg_sin_init() != 0)
        return -1;
    return fast_rounded(x, y);
}

double dg_sin_exact(double x)
{
    mpfr_t m;
    double y;

    mpfr_init2(m, 53);
    mpfr_set_d(m, x, MPFR_RNDN); /* exact: 53 bits */
    mpfr_sin(m, m, MPFR_RNDN);
    y = mpfr_get_d(m, MPFR_RNDN); /* exact: 53 bits, normal range */
    mpfr_clear(m);
    return y;
}

double dg_sin(double x)
{
    double a = fabs(x), y;

    if (a < TINY)
        return x;
    if (a <= DG_SIN_FAST_MAX && dg_sin_init() == 0 && fast_rounded(x, &y) == 0)
        return y;
    return dg_sin_exact(x);
}
