/*
 * metrics.h - the statistics used to judge image ciphers, with the values
 * an ideal cipher would give and their critical values (spec section 9):
 * global and local Shannon entropy, NPCR and UACI (Wu, Noonan & Agaian
 * 2011), adjacent-pixel correlation and the histogram chi-square test.
 *
 * Images are arrays of uint16_t sample values < 2^bits (bits 1..16), row
 * major. Percentages are in percent (NPCR 99.6094, not 0.996094). Every
 * function returns 0, or -1 for bad arguments (or, where it allocates, when
 * memory runs out). These are statistics about ciphertext images: passing
 * them says nothing about security (the chaos cipher passes every one of
 * them and is broken by a chosen-ciphertext attack).
 */
#ifndef DG_METRICS_H
#define DG_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The quantile z with P(Z > z) = p for a standard normal Z (0 < p < 1). */
int dg_metric_normal_upper(double p, double *z);

/* H = -sum p_v log2 p_v over the 2^bits values. */
int dg_metric_entropy(const uint16_t *v, size_t n, unsigned bits, double *h);

/*
 * The mean and standard deviation of the entropy of n independent uniform
 * samples, both exact (from the multinomial law of the bin counts). The
 * spec's sqrt((E-1)/2) / (n ln 2) agrees when bins hold many samples; with
 * about one sample per bin (16 bits, 256x256) the true deviation is 17%
 * smaller.
 */
int dg_metric_entropy_ideal(uint64_t n, unsigned bits, double *mean, double *sd);

/* sum over the 2^bits bins of (count - n/E)^2 / (n/E); df = 2^bits - 1. */
int dg_metric_chi2(const uint16_t *v, size_t n, unsigned bits, double *chi2);

/* Upper critical value of chi-square with df degrees of freedom (Wilson-Hilferty). */
int dg_metric_chi2_critical(uint64_t df, double alpha, double *critical);

/* NPCR and UACI (percent) of two cipher images of n samples. */
int dg_metric_npcr_uaci(const uint16_t *a, const uint16_t *b, size_t n, unsigned bits, double *npcr,
                        double *uaci);

/* Wu et al.'s means and critical values for n samples of b bits at level alpha (percent). */
typedef struct dg_npcr_uaci_critical {
    double npcr_mean, npcr_star;           /* pass: NPCR >= npcr_star (one-sided) */
    double uaci_mean, uaci_low, uaci_high; /* pass: uaci_low <= UACI <= uaci_high */
} dg_npcr_uaci_critical;

int dg_metric_npcr_uaci_critical(uint64_t n, unsigned bits, double alpha, dg_npcr_uaci_critical *c);

typedef enum dg_corr_dir {
    DG_CORR_HORIZONTAL = 0, /* (i, j) and (i, j+1) */
    DG_CORR_VERTICAL = 1,   /* (i, j) and (i+1, j) */
    DG_CORR_DIAGONAL = 2    /* (i, j) and (i+1, j+1) */
} dg_corr_dir;

/*
 * Pearson correlation of all adjacent pairs in one direction (0 when a
 * side of the pairs is constant); *pairs = their number. An ideal cipher
 * gives about N(0, 1/pairs): the 0.05 band is +-1.96/sqrt(pairs).
 */
int dg_metric_correlation(const uint16_t *v, uint32_t rows, uint32_t cols, dg_corr_dir dir,
                          double *r, uint64_t *pairs);

/*
 * Local Shannon entropy (Wu et al. 2013), 8-bit images only: the mean
 * entropy of k non-overlapping square blocks of side x side samples drawn
 * at random (seed) from the grid of such blocks. -1 when the image holds
 * fewer than k blocks. Wu et al. use k = 30 and side 44 (1936 samples).
 */
int dg_metric_local_entropy(const uint16_t *v, uint32_t rows, uint32_t cols, unsigned k,
                            unsigned side, uint64_t seed, double *mean);

/*
 * What an ideal cipher gives for that mean: its expectation (7.902469317 for
 * 30 x 1936) and the two-sided acceptance interval at level alpha, from the
 * exact deviation of one block's entropy divided by sqrt(k). (The interval
 * 7.901901305 .. 7.903037329 quoted in the spec divides by k instead: a
 * random image falls outside it about 70% of the time.)
 */
int dg_metric_local_entropy_ideal(unsigned k, unsigned side, double alpha, double *mean,
                                  double *low, double *high);

#define DG_LOCAL_ENTROPY_K 30
#define DG_LOCAL_ENTROPY_SIDE 44

/* Histogram of the 2^bits values (counts has 2^bits entries, zeroed here). */
int dg_metric_histogram(const uint16_t *v, size_t n, unsigned bits, uint64_t *counts);

#endif
