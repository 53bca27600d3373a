/*
 * bench_chaos.c - speed of the chaos cipher (crypto/chaos.c) on one core,
 * against the spec's reference figures (chaos-cipher.md section 10: 512x512,
 * 8 bits, 3 rounds in 34 ms on an Intel Xeon VM with glibc's sin), and the
 * context needed to compare machines: the cost of one Logistic-Sine step
 * with glibc's sin and with dg_sin, and AES-256-GCM on the same data.
 * Times are CPU times of the benchmark's thread (best of REPEATS), so that
 * other jobs on a shared machine count less; wall time is also shown.
 *
 *   bench_chaos [REPEATS]     prints a markdown table; best of REPEATS (5)
 */
#define _POSIX_C_SOURCE 200809L
#include "chaos.h"
#include "sine.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint8_t key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

/*
 * CPU time of this thread: the machine may be shared, and CPU time does not
 * count the time spent waiting for a core (wall time does; see docs).
 */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best-of-repeats milliseconds (CPU, and wall for encryption) for one image. */
static int time_image(uint32_t rows, uint32_t cols, unsigned bits, unsigned rounds, int repeats,
                      double *enc_ms, double *dec_ms, double *wall_ms)
{
    dg_chaos_image img = {rows, cols, 1, 1, 0, (uint8_t)bits, bits <= 8 ? 8 : 16, 0};
    size_t len = dg_chaos_buffer_size(&img), n = (size_t)rows * cols;
    uint8_t *buf = malloc(len);
    int rc = -1;

    if (buf == NULL)
        return -1;
    for (size_t t = 0; t < n; t++) {
        unsigned v = (unsigned)((t % cols + 2 * (t / cols)) & ((1u << bits) - 1u));
        if (bits <= 8)
            buf[t] = (uint8_t)v;
        else
            ((uint16_t *)buf)[t] = (uint16_t)v;
    }
    *enc_ms = *dec_ms = *wall_ms = 1e30;
    for (int r = 0; r < repeats; r++) {
        double w0 = wall(), t0 = now(), t1, t2;
        if (dg_chaos_encrypt(key, 32, rounds, &img, buf, len) != DG_CHAOS_OK)
            goto done;
        t1 = now();
        *wall_ms = fmin(*wall_ms, (wall() - w0) * 1e3);
        if (dg_chaos_decrypt(key, 32, rounds, &img, buf, len) != DG_CHAOS_OK)
            goto done;
        t2 = now();
        *enc_ms = fmin(*enc_ms, (t1 - t0) * 1e3);
        *dec_ms = fmin(*dec_ms, (t2 - t1) * 1e3);
    }
    rc = 0;
done:
    free(buf);
    return rc;
}

/* Nanoseconds per Logistic-Sine step with a given sin (a serial chain, as in the cipher). */
static double lss_ns(double (*sine)(double), long steps)
{
    const double pi = 0x1.921fb54442d18p+1, r = 3.7;
    double x = 0.3, t0 = now();

    for (long k = 0; k < steps; k++) {
        double a = r * x;
        a = a * (1.0 - x);
        double b = (4.0 - r) * sine(pi * x);
        b = b / 4.0;
        double y = a + b;
        x = y - floor(y);
    }
    if (x < 0.0) /* keeps the chain alive */
        printf("%g\n", x);
    return (now() - t0) / (double)steps * 1e9;
}

/* AES-256-GCM throughput in GB/s over a 256 KiB buffer (a 512x512 8-bit image). */
static double aes_gcm_gbs(void)
{
    enum { LEN = 512 * 512, LOOPS = 400 };
    uint8_t *in = calloc(1, LEN), *out = malloc(LEN + 16), iv[12] = {0}, tag[16];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    double t0, secs = -1.0;
    int n;

    if (in == NULL || out == NULL || ctx == NULL)
        goto done;
    t0 = now();
    for (int k = 0; k < LOOPS; k++) {
        if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
            EVP_EncryptUpdate(ctx, out, &n, in, LEN) != 1 ||
            EVP_EncryptFinal_ex(ctx, out, &n) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
            goto done;
    }
    secs = now() - t0;
done:
    EVP_CIPHER_CTX_free(ctx);
    free(in);
    free(out);
    return secs > 0.0 ? (double)LEN * LOOPS / secs / 1e9 : 0.0;
}

int main(int argc, char **argv)
{
    static const struct {
        uint32_t rows, cols;
        unsigned bits, rounds;
        double ref_enc, ref_dec;
    } cases[] = {
        {256, 256, 8, 2, 5.5, 5.9}, {512, 512, 8, 2, 22, 24},     {512, 512, 8, 3, 34, 36},
        {512, 512, 16, 2, 22, 24},  {1024, 1024, 8, 2, 103, 110}, {512, 512, 16, 3, 0, 0},
        {512, 512, 12, 3, 0, 0},
    };
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    double glibc_ns, dg_ns;

    if (repeats < 1 || dg_sin_init() != 0)
        return 2;
    glibc_ns = lss_ns(sin, 3000000);
    dg_ns = lss_ns(dg_sin, 3000000);
    printf("one Logistic-Sine step (serial chain): %.1f ns with glibc sin, %.1f ns with dg_sin "
           "(spec's machine: about 34 ns with glibc sin)\n",
           glibc_ns, dg_ns);
    printf("AES-256-GCM (OpenSSL) on 256 KiB: %.2f GB/s\n\n", aes_gcm_gbs());
    printf("| size | b | R | encrypt ms (CPU) | decrypt ms (CPU) | encrypt ms (wall) | ns/pixel "
           "(enc, CPU) | spec reference enc/dec ms |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double e, d, w;
        if (time_image(cases[k].rows, cases[k].cols, cases[k].bits, cases[k].rounds, repeats, &e,
                       &d, &w) != 0) {
            fprintf(stderr, "bench_chaos: encryption failed\n");
            return 1;
        }
        printf("| %ux%u | %u | %u | %.1f | %.1f | %.1f | %.1f | ", cases[k].rows, cases[k].cols,
               cases[k].bits, cases[k].rounds, e, d, w,
               e * 1e6 / ((double)cases[k].rows * cases[k].cols));
        if (cases[k].ref_enc > 0)
            printf("%.1f / %.1f |\n", cases[k].ref_enc, cases[k].ref_dec);
        else
            printf("- |\n");
    }
    return 0;
}
