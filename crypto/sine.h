/*
 * sine.h - a correctly rounded sin() for binary64, so that the chaos
 * cipher (chaos.c) gives the same bits on every machine and with every libm.
 *
 * dg_sin(x) is sin(x) rounded to the nearest double (ties cannot happen:
 * the sine of a nonzero double is transcendental), for every double x.
 * It is computed in two steps (Ziv's strategy):
 *
 *   1. a fast double-double evaluation (dg_sin_dd) whose relative error is
 *      proven below DG_SIN_DD_REL_ERR for 2^-27 <= |x| <= DG_SIN_FAST_MAX;
 *   2. when that approximation cannot decide the rounding (the true value may
 *      lie on either side of a rounding boundary), or when x is outside the
 *      fast domain, MPFR's mpfr_sin at 53 bits, round to nearest, which is
 *      correctly rounded by construction.
 *
 * |x| < 2^-27 returns x itself: sin(x) then lies within half an ulp of x
 * (sine.c gives the proof). NaN and infinities give NaN.
 *
 * Requirements: binary64 evaluation without extended precision
 * (FLT_EVAL_METHOD == 0: x86-64 SSE2, AArch64), no contraction into FMA
 * (-ffp-contract=off), no -ffast-math, default rounding mode.
 * All functions are thread-safe; the tables are built once, on first use.
 */
#ifndef DG_SINE_H
#define DG_SINE_H

/* Upper end of the fast path's domain (|x|). */
#define DG_SIN_FAST_MAX 4.5

/* Proven bound on the relative error of dg_sin_dd (sine.c has the analysis). */
#define DG_SIN_DD_REL_ERR 0x1p-67

/* Correctly rounded sin(x). */
double dg_sin(double x);

/*
 * The fast path alone: 0 and *y = the correctly rounded sin(x) when the
 * double-double approximation decides the rounding; -1 (and *y untouched)
 * when it cannot, or when x is outside the fast domain.
 */
int dg_sin_fast(double x, double *y);

/* The exact path alone: mpfr_sin at 53 bits, round to nearest. */
double dg_sin_exact(double x);

/*
 * The fast path's approximation: 0 and sin(x) ~ *hi + *lo, with
 * |*hi + *lo - sin(x)| < DG_SIN_DD_REL_ERR * |sin(x)| and |*lo| <= ulp(*hi)/2;
 * -1 when x is outside the fast domain (2^-27 <= |x| <= DG_SIN_FAST_MAX).
 * Exposed so that the tests can measure the error against MPFR.
 */
int dg_sin_dd(double x, double *hi, double *lo);

/* Builds the tables now (otherwise done on first use). 0 or -1. */
int dg_sin_init(void);

#endif
