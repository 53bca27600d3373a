/*
 * test_chaos.c - unit tests of the chaos cipher (crypto/chaos.c), its
 * correctly rounded sine (crypto/sine.c) and the image metrics
 * (crypto/metrics.c).
 *
 *   test_chaos            the spec's test vectors TV1-TV7 and intermediates,
 *                         the large-image SHA-256 digests, round trips (bit
 *                         depths, shapes, RGB, multi-frame, signed), refusals,
 *                         and the metrics against their critical values
 *   test_chaos sin [N]    dg_sin against mpfr_sin on N random arguments
 *                         (default 10 million), and the fast path's error bound
 */
#define _POSIX_C_SOURCE 200809L
#include "chaos.h"
#include "chaos_internal.h"
#include "check.h"
#include "metrics.h"
#include "random.h"
#include "sine.h"

#include <math.h>
#include <mpfr.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---- */

static const uint8_t tv_key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

/* A deterministic generator for test data (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static double rng_unit(void)
{
    return (double)(rng() >> 11) * 0x1p-53;
}

static dg_chaos_image gray(uint32_t rows, uint32_t cols, unsigned bits)
{
    dg_chaos_image img = {rows, cols, 1, 1, 0, (uint8_t)bits, bits <= 8 ? 8 : 16, 0};
    return img;
}

/* Encrypts (or decrypts) a row-major gray image held as uint16_t values. */
static int crypt16(const uint8_t *key, unsigned rounds, uint32_t rows, uint32_t cols, unsigned bits,
                   uint16_t *v, int decrypt)
{
    dg_chaos_image img = gray(rows, cols, bits);
    size_t n = (size_t)rows * cols;
    int rc;

    img.bits_allocated = 16;
    if (decrypt)
        rc = dg_chaos_decrypt(key, 32, rounds, &img, v, n * 2);
    else
        rc = dg_chaos_encrypt(key, 32, rounds, &img, v, n * 2);
    return rc;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- key schedule and keystream (spec section 11) ---- */

static void test_seeds(void)
{
    double x, r, y[4];
    const double want_x[3] = {0x1.2242fp-11, 0x1.17e4b178p-1, 0x1.ae147adp-1};
    const double want_r[3] = {0x1.b8ec1f48p+0, 0x1.b13ecc5ap+1, 0x1.8fd2145p+0};
    const double want_y[4] = {0x1.fd7245bcc9ffep-10, 0x1.bec4145131468p-8, 0x1.86d88ac8dcf3cp-6,
                              0x1.52e8500fc7709p-4};

    for (unsigned i = 1; i <= 3; i++) {
        CHECK(dg_chaos_round_seed(tv_key, 32, i, &x, &r) == DG_CHAOS_OK);
        CHECK(x == want_x[i - 1] && r == want_r[i - 1]);
    }
    CHECK(dg_chaos_round_seed(tv_key, 32, 1, &x, &r) == DG_CHAOS_OK);
    CHECK(dg_chaos_lss(x, r, y, 4) == DG_CHAOS_OK);
    for (int k = 0; k < 4; k++)
        CHECK(y[k] == want_y[k]);
}

/* TV1's intermediates: I, J and q of rounds 1 and 2, and the image after round 1. */
static void test_tv1_intermediates(void)
{
    const uint32_t want_i[2][4] = {{0, 1, 2, 3}, {1, 2, 3, 0}};
    const uint32_t want_j[2][4] = {{0, 2, 1, 3}, {1, 2, 3, 0}};
    const uint16_t want_q[2][16] = {
        {145, 20, 43, 0, 237, 4, 243, 197, 219, 251, 156, 251, 248, 76, 122, 200},
        {209, 41, 211, 188, 34, 235, 204, 92, 22, 54, 83, 226, 107, 97, 26, 101}};
    const uint8_t after_round1[16] = {247, 187, 28,  147, 79, 225, 176, 205,
                                      139, 211, 246, 156, 70, 117, 104, 100};
    uint8_t img[16];
    dg_chaos_image g = gray(4, 4, 8);

    for (unsigned round = 1; round <= 2; round++) {
        double x, r, y[8];
        uint32_t idx_i[4], idx_j[4];
        uint16_t q[16];
        CHECK(dg_chaos_round_seed(tv_key, 32, round, &x, &r) == DG_CHAOS_OK);
        CHECK(dg_chaos_lss(x, r, y, 8) == DG_CHAOS_OK);
        CHECK(dg_chaos_argsort(y, 4, idx_i) == DG_CHAOS_OK);
        CHECK(dg_chaos_argsort(y + 4, 4, idx_j) == DG_CHAOS_OK);
        CHECK(memcmp(idx_i, want_i[round - 1], sizeof idx_i) == 0);
        CHECK(memcmp(idx_j, want_j[round - 1], sizeof idx_j) == 0);
        CHECK(dg_chaos_keystream(x, r, 8, q, 16) == DG_CHAOS_OK);
        CHECK(memcmp(q, want_q[round - 1], sizeof q) == 0);
    }
    for (int t = 0; t < 16; t++)
        img[t] = (uint8_t)(17 * t);
    CHECK(dg_chaos_encrypt(tv_key, 32, 1, &g, img, sizeof img) == DG_CHAOS_OK);
    CHECK(memcmp(img, after_round1, sizeof img) == 0);
}

typedef struct vector {
    const char *name;
    uint32_t rows, cols;
    unsigned bits, rounds;
    int plain; /* 0: 17*t, 1: 200+t, 2: t*4099+1, 3: t*257, 4: zeros */
    uint16_t cipher[16];
} vector;

static const vector vectors[] = {
    {"TV1", 4, 4, 8, 2, 0, {169, 235, 221, 88, 33, 204, 89, 213, 193, 107, 16, 170, 45, 82, 90, 6}},
    {"TV2",
     4,
     4,
     8,
     3,
     0,
     {90, 177, 202, 94, 111, 227, 88, 90, 66, 241, 96, 74, 15, 115, 126, 209}},
    {"TV3", 3, 5, 8, 2, 1, {226, 56, 216, 160, 17, 124, 136, 15, 147, 213, 236, 225, 96, 159, 181}},
    {"TV4", 5, 3, 8, 3, 1, {159, 7, 36, 148, 210, 125, 63, 50, 15, 44, 12, 199, 10, 254, 238}},
    {"TV5",
     4,
     4,
     16,
     2,
     2,
     {52382, 3129, 53470, 35812, 18061, 39724, 22827, 10875, 18162, 1089, 39779, 44722, 26363,
      36242, 52830, 27836}},
    {"TV6",
     4,
     4,
     12,
     3,
     3,
     {3210, 2449, 2138, 3550, 1951, 3603, 1192, 2826, 978, 2497, 1744, 2362, 879, 3859, 3358,
      2145}},
    {"TV7",
     4,
     4,
     8,
     2,
     4,
     {35, 191, 208, 166, 241, 149, 214, 91, 238, 21, 149, 50, 249, 65, 93, 40}},
};

static uint16_t vector_plain(int kind, unsigned t)
{
    switch (kind) {
    case 0:
        return (uint16_t)(17 * t);
    case 1:
        return (uint16_t)(200 + t);
    case 2:
        return (uint16_t)((t * 4099 + 1) & 0xFFFF);
    case 3:
        return (uint16_t)((t * 257) % 4096);
    default:
        return 0;
    }
}

static void test_vectors(void)
{
    for (size_t k = 0; k < sizeof vectors / sizeof vectors[0]; k++) {
        const vector *tv = &vectors[k];
        size_t n = (size_t)tv->rows * tv->cols;
        uint16_t v[16], plain[16];
        for (unsigned t = 0; t < n; t++)
            plain[t] = v[t] = vector_plain(tv->plain, t);
        CHECK(crypt16(tv_key, tv->rounds, tv->rows, tv->cols, tv->bits, v, 0) == DG_CHAOS_OK);
        if (memcmp(v, tv->cipher, n * 2) != 0)
            fprintf(stderr, "%s differs\n", tv->name);
        CHECK(memcmp(v, tv->cipher, n * 2) == 0);
        CHECK(crypt16(tv_key, tv->rounds, tv->rows, tv->cols, tv->bits, v, 1) == DG_CHAOS_OK);
        CHECK(memcmp(v, plain, n * 2) == 0);
    }
}

/* The spec's large vectors: P(i,j) = (i + 2j) mod E, SHA-256 of the row-major cipher image. */
static void test_large_digests(void)
{
    static const struct {
        uint32_t rows, cols;
        unsigned bits, rounds;
        const char *sha;
    } big[] = {
        {256, 256, 8, 2, "daf2c94cdb50623920614f3ce434af49eccf7cd0e77e682ff593caea53d6a7a1"},
        {256, 256, 8, 3, "f4afcca983e7ad5add37013e21c6c79cb489d6349c7e25977a6894208930e01a"},
        {512, 512, 8, 2, "fceb7ddfcdc4b81d50651e190bf8bc5cea30982641dcddaae44c45c9b2af3aab"},
        {512, 512, 8, 3, "e2f967180d612c12974e11d1b62c551d16af899d71ec4b68c530badd0c48a2ef"},
        {512, 512, 16, 2, "6446f143434dcc054fd5a74743016320c2d0314dd1bf354a3bc94cf5fc20e313"},
        {384, 256, 12, 3, "3bd2a63735421dae0124f929f4af7283d5c75c466ef803d54b2dffbee3b26a73"},
    };
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
        size_t n = (size_t)big[k].rows * big[k].cols, e = (size_t)1 << big[k].bits;
        uint16_t *v = malloc(n * 2);
        uint8_t *bytes = malloc(n * 2);
        char hex[65];
        size_t len = 0;
        if (v == NULL || bytes == NULL) {
            CHECK(0);
            free(v);
            free(bytes);
            return;
        }
        for (size_t i = 0; i < big[k].rows; i++)
            for (size_t j = 0; j < big[k].cols; j++)
                v[i * big[k].cols + j] = (uint16_t)((i + 2 * j) % e);
        CHECK(crypt16(tv_key, big[k].rounds, big[k].rows, big[k].cols, big[k].bits, v, 0) ==
              DG_CHAOS_OK);
        for (size_t t = 0; t < n; t++) {
            bytes[len++] = (uint8_t)(v[t] & 0xFF);
            if (big[k].bits > 8)
                bytes[len++] = (uint8_t)(v[t] >> 8);
        }
        sha256_hex(bytes, len, hex);
        if (strcmp(hex, big[k].sha) != 0)
            fprintf(stderr, "%ux%u b%u R%u: %s\n", big[k].rows, big[k].cols, big[k].bits,
                    big[k].rounds, hex);
        CHECK(strcmp(hex, big[k].sha) == 0);
        free(v);
        free(bytes);
    }
}

/* ---- round trips ---- */

static void random_key(uint8_t key[32])
{
    do
        dg_random_secret(key, 32);
    while (dg_chaos_check_key(key, 32, DG_CHAOS_ROUNDS_MAX) != DG_CHAOS_OK);
}

/* Encrypts and decrypts a random image through the engine with a given keystream budget. */
static int round_trip(const dg_chaos_image *img, unsigned rounds, size_t budget, int *changed)
{
    size_t len = dg_chaos_buffer_size(img), spp = img->bits_allocated / 8;
    uint8_t *buf = malloc(len ? len : 1), *orig = malloc(len ? len : 1), key[32];
    int rc = -1;

    if (buf == NULL || orig == NULL || len == 0)
        goto done;
    for (size_t k = 0; k < len / spp; k++) {
        uint32_t v = (uint32_t)(rng() & ((1u << img->bits) - 1u));
        if (img->is_signed && (v >> (img->bits - 1)))
            v |= ~((1u << img->bits) - 1u); /* sign-extend into the container */
        if (spp == 1)
            buf[k] = (uint8_t)v;
        else
            ((uint16_t *)buf)[k] = (uint16_t)v;
    }
    memcpy(orig, buf, len);
    random_key(key);
    rc = dg_chaos_run(key, 32, rounds, img, buf, len, 0, budget);
    if (rc == DG_CHAOS_EDEGENERATE) {
        rc = 0; /* D7: a key whose orbit hit 0; rare, not an error of the round trip */
        *changed = 1;
        goto done;
    }
    if (rc != DG_CHAOS_OK)
        goto done;
    *changed = memcmp(buf, orig, len) != 0;
    rc = dg_chaos_run(key, 32, rounds, img, buf, len, 1, budget);
    if (rc == DG_CHAOS_OK && memcmp(buf, orig, len) != 0)
        rc = -1;
done:
    free(buf);
    free(orig);
    return rc;
}

static void test_round_trips_small(void)
{
    static const uint32_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 256, 257};
    static const unsigned depths[] = {8, 12, 16};
    int fails = 0, count = 0;

    for (size_t a = 0; a < 12; a++)
        for (size_t b = 0; b < 12; b++)
            for (size_t d = 0; d < 3; d++)
                for (unsigned rounds = 1; rounds <= 4; rounds++) {
                    dg_chaos_image img = gray(sizes[a], sizes[b], depths[d]);
                    int changed = 0;
                    if (sizes[a] * sizes[b] == 1)
                        continue;
                    count++;
                    if (round_trip(&img, rounds, (size_t)1 << 30, &changed) != 0 ||
                        (!changed && sizes[a] * sizes[b] > 8)) {
                        fprintf(stderr, "round trip %ux%u b%u R%u failed\n", sizes[a], sizes[b],
                                depths[d], rounds);
                        fails++;
                    }
                }
    CHECK(fails == 0);
    CHECK(count > 1000);
}

static void test_round_trips_layouts(void)
{
    const dg_chaos_image cases[] = {
        {64, 48, 3, 1, 0, 8, 8, 0},   /* RGB, samples of a pixel together */
        {64, 48, 3, 1, 1, 8, 8, 0},   /* RGB, planes */
        {32, 40, 1, 7, 0, 12, 16, 0}, /* multi-frame, 12 bits */
        {16, 20, 3, 4, 1, 16, 16, 0}, /* multi-frame RGB, 16 bits */
        {50, 70, 1, 1, 0, 16, 16, 1}, /* signed 16-bit (CT) */
        {50, 70, 1, 1, 0, 12, 16, 1}, /* signed 12-bit sign-extended in 16 */
        {31, 33, 1, 1, 0, 8, 8, 1},   /* signed 8-bit */
        {20, 30, 1, 1, 0, 10, 16, 0}, /* 10 bits */
        {20, 30, 1, 1, 0, 8, 16, 0},  /* 8 bits in 16-bit words */
        {1, 2, 1, 1, 0, 8, 8, 0},     /* the smallest image */
        {1, 1, 2, 1, 0, 8, 8, 0},     /* one pixel, two samples */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int changed = 0;
        CHECK(round_trip(&cases[k], 3, (size_t)1 << 30, &changed) == 0);
    }
}

/* The keystream grouping (memory budget) never changes the output. */
static void test_grouping(void)
{
    dg_chaos_image img = gray(40, 56, 12);
    size_t n = 40 * 56;
    uint16_t a[40 * 56], b[40 * 56], plain[40 * 56];

    img.bits_allocated = 16;
    for (size_t t = 0; t < n; t++)
        plain[t] = a[t] = b[t] = (uint16_t)(rng() & 4095);
    CHECK(dg_chaos_run(tv_key, 32, 5, &img, a, sizeof a, 0, (size_t)1 << 30) == DG_CHAOS_OK);
    CHECK(dg_chaos_run(tv_key, 32, 5, &img, b, sizeof b, 0, 1) == DG_CHAOS_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(dg_chaos_run(tv_key, 32, 5, &img, b, sizeof b, 1, 3 * n * 2 + 1000) == DG_CHAOS_OK);
    CHECK(memcmp(plain, b, sizeof b) == 0);
}

/* The spec's layout (D5): RGB is the gray image [R|G|B], frames stacked. */
static void test_layout_equivalence(void)
{
    enum { M = 6, N = 5 };
    uint8_t rgb[M * N * 3], planes[M * N * 3], side[M * 3 * N];
    dg_chaos_image pix = {M, N, 3, 1, 0, 8, 8, 0}, pl = {M, N, 3, 1, 1, 8, 8, 0};
    dg_chaos_image g = gray(M, 3 * N, 8);

    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            for (int c = 0; c < 3; c++) {
                uint8_t v = (uint8_t)(rng() & 255);
                rgb[(i * N + j) * 3 + c] = v;
                planes[(c * M + i) * N + j] = v;
                side[i * 3 * N + c * N + j] = v;
            }
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &pix, rgb, sizeof rgb) == DG_CHAOS_OK);
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &pl, planes, sizeof planes) == DG_CHAOS_OK);
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g, side, sizeof side) == DG_CHAOS_OK);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            for (int c = 0; c < 3; c++) {
                CHECK(rgb[(i * N + j) * 3 + c] == side[i * 3 * N + c * N + j]);
                CHECK(planes[(c * M + i) * N + j] == side[i * 3 * N + c * N + j]);
            }
}

static void test_multiframe_is_stacked(void)
{
    enum { M = 5, N = 7, F = 3 };
    uint16_t frames[F * M * N], stacked[F * M * N];
    dg_chaos_image mf = {M, N, 1, F, 0, 16, 16, 0}, g = gray(F * M, N, 16);

    for (int k = 0; k < F * M * N; k++)
        frames[k] = stacked[k] = (uint16_t)rng();
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &mf, frames, sizeof frames) == DG_CHAOS_OK);
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g, stacked, sizeof stacked) == DG_CHAOS_OK);
    CHECK(memcmp(frames, stacked, sizeof frames) == 0);
}

/* ---- refusals ---- */

static void test_refusals(void)
{
    uint8_t key[32] = {0}, one[1] = {7}, two[2] = {1, 2}, pix[16] = {0};
    uint16_t wide[16] = {0};
    dg_chaos_image g = gray(1, 1, 8), g2 = gray(1, 2, 8), g4 = gray(4, 4, 8);

    /* the all-zero key (S1 = S2 = 0) */
    CHECK(dg_chaos_encrypt(key, 32, 3, &g2, two, 2) == DG_CHAOS_EWEAKKEY);
    CHECK(dg_chaos_decrypt(key, 32, 3, &g2, two, 2) == DG_CHAOS_EWEAKKEY);
    CHECK(two[0] == 1 && two[1] == 2);
    CHECK(dg_chaos_check_key(key, 32, 3) == DG_CHAOS_EWEAKKEY);
    /* S1 = 0 only (bits 104..127 = bytes 13..15), then S2 = 0 only (bytes 16..18) */
    memcpy(key, tv_key, 32);
    key[13] = key[14] = key[15] = 0;
    CHECK(dg_chaos_check_key(key, 32, 3) == DG_CHAOS_EWEAKKEY);
    memcpy(key, tv_key, 32);
    key[16] = key[17] = key[18] = 0;
    CHECK(dg_chaos_check_key(key, 32, 3) == DG_CHAOS_EWEAKKEY);
    /* a round seed of exactly 0: X0 = 0, S1 = S2 = 2^23, U1 = 2^-4, x_1 = frac(2^19) */
    memset(key, 0, 32);
    key[15] = 0x01; /* bit 127: the most significant bit of S1 (read LSB first) */
    key[18] = 0x01; /* bit 151: the same for S2 */
    key[19] = 0x10; /* bit 155: U1 = 2^-4 */
    CHECK(dg_chaos_check_key(key, 32, 1) == DG_CHAOS_EWEAKKEY);
    CHECK(dg_chaos_check_key(tv_key, 32, 3) == DG_CHAOS_OK);
    /* 1x1 images, bad sizes, bad arguments */
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g, one, 1) == DG_CHAOS_EINVAL);
    CHECK(dg_chaos_decrypt(tv_key, 32, 3, &g, one, 1) == DG_CHAOS_EINVAL);
    CHECK(one[0] == 7);
    CHECK(dg_chaos_encrypt(tv_key, 31, 3, &g4, pix, 16) == DG_CHAOS_EINVAL);
    CHECK(dg_chaos_encrypt(NULL, 32, 3, &g4, pix, 16) == DG_CHAOS_EINVAL);
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g4, pix, 15) == DG_CHAOS_EINVAL);
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, NULL, pix, 16) == DG_CHAOS_EINVAL);
    CHECK(dg_chaos_encrypt(tv_key, 32, DG_CHAOS_ROUNDS_MAX + 1, &g4, pix, 16) == DG_CHAOS_EINVAL);
    g4.bits = 9; /* more bits than 8-bit samples hold */
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g4, pix, 16) == DG_CHAOS_EINVAL);
    /* samples >= 2^b */
    g4 = gray(4, 4, 12);
    wide[5] = 4096;
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g4, wide, sizeof wide) == DG_CHAOS_ERANGE);
    CHECK(wide[5] == 4096 && wide[0] == 0);
    /* signed: high bits that are not a sign extension */
    g4.is_signed = 1;
    wide[5] = 0x7800;
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g4, wide, sizeof wide) == DG_CHAOS_ERANGE);
    wide[5] = 0xF800; /* -2048 sign-extended: fine */
    CHECK(dg_chaos_encrypt(tv_key, 32, 3, &g4, wide, sizeof wide) == DG_CHAOS_OK);
    for (int k = 0; k < 16; k++)
        CHECK((wide[k] & 0xF800) == 0 || (wide[k] & 0xF800) == 0xF800);
}

/* ---- metrics against their critical values ---- */

static void test_metric_values(void)
{
    dg_npcr_uaci_critical c;
    double mean, sd, crit;

    /* spec section 9 table */
    CHECK(dg_metric_npcr_uaci_critical(512 * 512, 8, 0.05, &c) == 0);
    CHECK(fabs(c.npcr_mean - 99.6094) < 5e-5 && fabs(c.npcr_star - 99.5893) < 5e-5);
    CHECK(fabs(c.uaci_mean - 33.4635) < 5e-5);
    CHECK(fabs(c.uaci_low - 33.3730) < 5e-5 && fabs(c.uaci_high - 33.5541) < 5e-5);
    CHECK(dg_metric_npcr_uaci_critical(256 * 256, 8, 0.01, &c) == 0);
    CHECK(fabs(c.npcr_star - 99.5527) < 5e-5);
    CHECK(fabs(c.uaci_low - 33.2255) < 5e-5 && fabs(c.uaci_high - 33.7016) < 5e-5);
    CHECK(dg_metric_npcr_uaci_critical(512 * 512, 16, 0.05, &c) == 0);
    CHECK(fabs(c.npcr_mean - 99.9985) < 5e-5 && fabs(c.npcr_star - 99.9972) < 5e-5);
    CHECK(fabs(c.uaci_low - 33.2436) < 5e-5 && fabs(c.uaci_high - 33.4241) < 5e-5);
    CHECK(dg_metric_npcr_uaci_critical(512 * 512, 12, 0.05, &c) == 0);
    CHECK(fabs(c.npcr_star - 99.9706) < 5e-5 && fabs(c.uaci_mean - 33.3415) < 5e-5);
    /* ideal entropies */
    CHECK(dg_metric_entropy_ideal(256 * 256, 8, &mean, &sd) == 0);
    CHECK(fabs(mean - 7.99719) < 5e-6 && fabs(sd - 0.00025) < 1e-5);
    CHECK(dg_metric_entropy_ideal(512 * 512, 8, &mean, &sd) == 0);
    CHECK(fabs(mean - 7.99930) < 5e-6);
    CHECK(dg_metric_entropy_ideal(256 * 256, 12, &mean, &sd) == 0);
    CHECK(fabs(mean - 11.95442) < 5e-6);
    CHECK(dg_metric_entropy_ideal(512 * 512, 12, &mean, &sd) == 0);
    CHECK(fabs(mean - 11.98870) < 5e-6);
    CHECK(dg_metric_entropy_ideal(256 * 256, 16, &mean, &sd) == 0);
    CHECK(fabs(mean - 15.17276) < 5e-6);
    CHECK(dg_metric_entropy_ideal(512 * 512, 16, &mean, &sd) == 0);
    CHECK(fabs(mean - 15.80804) < 5e-6);
    CHECK(dg_metric_entropy_ideal(1024 * 1024, 16, &mean, &sd) == 0);
    CHECK(fabs(mean - 15.95441) < 5e-6);
    /* local entropy: the spec's mean for 30 blocks of 1936; our interval from the exact sd */
    CHECK(dg_metric_local_entropy_ideal(30, 44, 0.05, &mean, &crit, &sd) == 0);
    CHECK(fabs(mean - 7.902469317) < 1e-9);
    CHECK(fabs((sd - crit) / 2 / 1.959963984540054 - 0.0015873) < 2e-6);
    /* chi-square critical values */
    CHECK(dg_metric_chi2_critical(255, 0.05, &crit) == 0 && fabs(crit - 293.25) < 0.02);
    CHECK(dg_metric_chi2_critical(65535, 0.05, &crit) == 0 && fabs(crit - 66132) < 1.0);
}

/*
 * A random-image control: images of independent uniform samples pass each
 * test about 1 - alpha of the time. Failure counts outside a wide binomial
 * band mean a wrong critical value. (With about one sample per bin, 16 bits
 * at 256x256, NPCR is too discrete and the entropy too skewed for the
 * normal approximations: about 8% fail there, so 16 bits is checked at
 * 512x512.)
 */
static void test_random_control(unsigned bits, uint32_t rows, uint32_t cols, int trials)
{
    size_t n = (size_t)rows * cols, mask = ((size_t)1 << bits) - 1;
    uint16_t *a = malloc(n * 2), *b = malloc(n * 2);
    int fail_npcr = 0, fail_uaci = 0, fail_h = 0, fail_chi = 0, fail_corr = 0;
    double expect = 0.05 * trials, band = 4.5 * sqrt(trials * 0.05 * 0.95);
    int lo = (int)ceil(expect - band), hi = (int)floor(expect + band);
    dg_npcr_uaci_critical c;
    double mean, sd, crit;

    if (a == NULL || b == NULL) {
        CHECK(0);
        free(a);
        free(b);
        return;
    }
    CHECK(dg_metric_npcr_uaci_critical(n, bits, 0.05, &c) == 0);
    CHECK(dg_metric_entropy_ideal(n, bits, &mean, &sd) == 0);
    CHECK(dg_metric_chi2_critical(mask, 0.05, &crit) == 0);
    for (int k = 0; k < trials; k++) {
        double npcr, uaci, h, chi, r;
        uint64_t pairs;
        for (size_t t = 0; t < n; t++) {
            uint64_t x = rng();
            a[t] = (uint16_t)(x & mask);
            b[t] = (uint16_t)((x >> 20) & mask);
        }
        CHECK(dg_metric_npcr_uaci(a, b, n, bits, &npcr, &uaci) == 0);
        CHECK(dg_metric_entropy(a, n, bits, &h) == 0);
        CHECK(dg_metric_chi2(a, n, bits, &chi) == 0);
        CHECK(dg_metric_correlation(a, rows, cols, DG_CORR_HORIZONTAL, &r, &pairs) == 0);
        fail_npcr += npcr < c.npcr_star;
        fail_uaci += uaci < c.uaci_low || uaci > c.uaci_high;
        fail_h += h < mean - 1.6448536269514722 * sd;
        fail_chi += chi > crit;
        fail_corr += fabs(r) > 1.959963984540054 / sqrt((double)pairs);
    }
    printf("random control b%u %ux%u, %d trials, failures at 0.05: npcr %d uaci %d entropy %d "
           "chi2 %d corr %d\n",
           bits, rows, cols, trials, fail_npcr, fail_uaci, fail_h, fail_chi, fail_corr);
    /* failures ~ Binomial(trials, 0.05): accept mean +- 4.5 sd (outside: p < 1e-5) */
    CHECK(fail_npcr >= lo && fail_npcr <= hi);
    CHECK(fail_uaci >= lo && fail_uaci <= hi);
    CHECK(fail_h >= lo && fail_h <= hi);
    CHECK(fail_chi >= lo && fail_chi <= hi);
    CHECK(fail_corr >= lo && fail_corr <= hi);
    free(a);
    free(b);
}

/* Local entropy of random 8-bit 512x512 images: about 5% fall outside the interval. */
static void test_local_entropy_control(void)
{
    enum { M = 512, N = 512, TRIALS = 200 };
    uint16_t *v = malloc(M * N * sizeof *v);
    double mean, low, high, le;
    int fails = 0;

    if (v == NULL) {
        CHECK(0);
        return;
    }
    CHECK(dg_metric_local_entropy_ideal(30, 44, 0.05, &mean, &low, &high) == 0);
    for (int k = 0; k < TRIALS; k++) {
        for (int t = 0; t < M * N; t++)
            v[t] = (uint16_t)(rng() >> 56);
        CHECK(dg_metric_local_entropy(v, M, N, 30, 44, (uint64_t)k + 1, &le) == 0);
        fails += le < low || le > high;
    }
    printf("local entropy control: %d of %d random images outside %.6f .. %.6f\n", fails, TRIALS,
           low, high);
    CHECK(fails >= 1 && fails <= 23); /* Binomial(200, 0.05) within 4.5 sd */
    free(v);
}

/* A plain ramp fails everything that a cipher image must pass. */
static void test_metrics_detect_structure(void)
{
    enum { M = 64, N = 64 };
    uint16_t a[M * N], b[M * N];
    double npcr, uaci, h, chi, r, crit, mean, sd;
    uint64_t pairs;

    for (int t = 0; t < M * N; t++) {
        a[t] = (uint16_t)((t % N + t / N) & 255);
        b[t] = a[t];
    }
    b[100] ^= 1;
    CHECK(dg_metric_npcr_uaci(a, b, M * N, 8, &npcr, &uaci) == 0);
    CHECK(npcr > 0.0 && npcr < 0.1 && uaci < 0.01);
    CHECK(dg_metric_entropy(a, M * N, 8, &h) == 0 &&
          dg_metric_entropy_ideal(M * N, 8, &mean, &sd) == 0);
    CHECK(h < mean - 0.01);
    CHECK(dg_metric_chi2(a, M * N, 8, &chi) == 0 && dg_metric_chi2_critical(255, 0.05, &crit) == 0);
    CHECK(chi > crit);
    CHECK(dg_metric_correlation(a, M, N, DG_CORR_VERTICAL, &r, &pairs) == 0);
    CHECK(r > 0.9 && pairs == (M - 1) * N);
    CHECK(dg_metric_correlation(a, M, N, DG_CORR_DIAGONAL, &r, &pairs) == 0);
    CHECK(pairs == (M - 1) * (N - 1));
}

/* The cipher passes on a smooth image: one pixel change and one key bit, 8-bit 256x256. */
static void test_cipher_sensitivity(void)
{
    enum { M = 256, N = 256 };
    uint16_t *p = malloc(M * N * 2), *c1 = malloc(M * N * 2), *c2 = malloc(M * N * 2);
    uint8_t key[32];
    dg_npcr_uaci_critical c;
    double npcr, uaci;

    if (p == NULL || c1 == NULL || c2 == NULL) {
        CHECK(0);
        goto done;
    }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            p[i * N + j] = (uint16_t)((i + 2 * j) & 255);
    memcpy(key, tv_key, 32);
    CHECK(dg_metric_npcr_uaci_critical(M * N, 8, 0.05, &c) == 0);
    memcpy(c1, p, M * N * 2);
    CHECK(crypt16(key, 3, M, N, 8, c1, 0) == DG_CHAOS_OK);
    memcpy(c2, p, M * N * 2);
    c2[(M / 2) * N + N / 2] = (uint16_t)((c2[(M / 2) * N + N / 2] + 1) & 255);
    CHECK(crypt16(key, 3, M, N, 8, c2, 0) == DG_CHAOS_OK);
    CHECK(dg_metric_npcr_uaci(c1, c2, M * N, 8, &npcr, &uaci) == 0);
    CHECK(npcr >= c.npcr_star && uaci >= c.uaci_low && uaci <= c.uaci_high);
    memcpy(c2, p, M * N * 2);
    key[20] ^= 0x04;
    CHECK(crypt16(key, 3, M, N, 8, c2, 0) == DG_CHAOS_OK);
    CHECK(dg_metric_npcr_uaci(c1, c2, M * N, 8, &npcr, &uaci) == 0);
    CHECK(npcr >= c.npcr_star && uaci >= c.uaci_low && uaci <= c.uaci_high);
done:
    free(p);
    free(c1);
    free(c2);
}

/* ---- the sine ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One argument of the mix: mostly the LSS's (pi * x), plus the hard corners. */
static double sin_argument(uint64_t k)
{
    const double pi = 0x1.921fb54442d18p+1;
    double u = rng_unit();
    switch (k % 8) {
    case 0:
    case 1:
    case 2:
    case 3:
        return pi * u; /* the LSS domain */
    case 4:
        return pi * (1.0 - u * 0x1p-24); /* near pi: tiny results */
    case 5:
        return ldexp(1.0 + u, -(int)(rng() % 40)); /* every scale below 2 */
    case 6:
        return (u - 0.5) * 2.0 * DG_SIN_FAST_MAX; /* the whole fast domain */
    default:
        return ldexp(u - 0.5, (int)(rng() % 60)) * 3.0; /* beyond: MPFR only */
    }
}

static void test_sin_specials(void)
{
    const double pi_h = 0x1.921fb54442d18p+1;
    double y;
    CHECK(dg_sin(0.0) == 0.0 && !signbit(dg_sin(0.0)));
    CHECK(dg_sin(-0.0) == 0.0 && signbit(dg_sin(-0.0)));
    CHECK(isnan(dg_sin(NAN)) && isnan(dg_sin(INFINITY)) && isnan(dg_sin(-INFINITY)));
    CHECK(dg_sin(0x1p-1074) == 0x1p-1074);
    CHECK(dg_sin(pi_h) == 0x1.1a62633145c07p-53); /* sin of the double nearest pi */
    CHECK(dg_sin(0x1p-30) == 0x1p-30);
    CHECK(dg_sin_fast(1e300, &y) == -1);
    CHECK(dg_sin(1e300) == dg_sin_exact(1e300));
}

static int sin_check(unsigned long count)
{
    mpfr_t exact, diff, ref53;
    unsigned long mismatches = 0, measured = 0, lss = 0, lss_slow = 0, dom = 0, dom_slow = 0;
    double worst = 0.0, t0 = now();

    CHECK(dg_sin_init() == 0);
    test_sin_specials();
    mpfr_inits2(300, exact, diff, (mpfr_ptr)0);
    mpfr_init2(ref53, 53);
    for (unsigned long k = 0; k < count; k++) {
        double x = sin_argument(k), y = dg_sin(x), ref, fast, hi, lo;
        /* the reference: mpfr_sin rounded to 53 bits (dg_sin_exact does the same) */
        mpfr_set_d(ref53, x, MPFR_RNDN);
        mpfr_sin(ref53, ref53, MPFR_RNDN);
        ref = mpfr_get_d(ref53, MPFR_RNDN);
        if (memcmp(&y, &ref, sizeof y) != 0 && mismatches++ < 5)
            fprintf(stderr, "dg_sin(%a) = %a, mpfr_sin gives %a\n", x, y, ref);
        if (fabs(x) >= 0x1p-27 && fabs(x) <= DG_SIN_FAST_MAX) {
            int decided = dg_sin_fast(x, &fast) == 0;
            dom++;
            dom_slow += !decided;
            lss += k % 8 < 4;
            lss_slow += k % 8 < 4 && !decided;
        }
        if (k % 16 == 0 && dg_sin_dd(x, &hi, &lo) == 0) {
            /* relative error of the double-double against a 300-bit sin */
            double rel;
            mpfr_set_d(exact, x, MPFR_RNDN);
            mpfr_sin(exact, exact, MPFR_RNDN);
            mpfr_sub_d(diff, exact, hi, MPFR_RNDN);
            mpfr_sub_d(diff, diff, lo, MPFR_RNDN);
            mpfr_div(diff, diff, exact, MPFR_RNDN);
            rel = fabs(mpfr_get_d(diff, MPFR_RNDN));
            worst = rel > worst ? rel : worst;
            measured++;
        }
    }
    mpfr_clears(exact, diff, ref53, (mpfr_ptr)0);
    mpfr_free_cache();
    printf("dg_sin vs mpfr_sin: %lu arguments, %lu mismatches; rounding left to MPFR: %.2e of "
           "the fast domain, %.2e of pi*[0,1); fast-path error max 2^%.2f over %lu (bound "
           "2^-67); %.1f s\n",
           count, mismatches, (double)dom_slow / (double)(dom ? dom : 1),
           (double)lss_slow / (double)(lss ? lss : 1), log2(worst), measured, now() - t0);
    CHECK(mismatches == 0);
    CHECK(worst < DG_SIN_DD_REL_ERR);
    return check_summary("test_chaos sin");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sin") == 0)
        return sin_check(argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000ul);
    test_seeds();
    test_tv1_intermediates();
    test_vectors();
    test_large_digests();
    test_round_trips_small();
    test_round_trips_layouts();
    test_grouping();
    test_layout_equivalence();
    test_multiframe_is_stacked();
    test_refusals();
    test_metric_values();
    test_random_control(8, 256, 256, 1000);
    test_random_control(12, 256, 256, 300);
    test_random_control(16, 512, 512, 100);
    test_local_entropy_control();
    test_metrics_detect_structure();
    test_cipher_sensitivity();
    mpfr_free_cache();
    return check_summary("test_chaos");
}
