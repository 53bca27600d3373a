/*
 * test_otp.c - unit tests of crypto/otp.c: one-time pads over bytes,
 * letters and digits, and the bijective block encoding under the letter
 * and digit modes.
 */
#include "check.h"
#include "otp.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const dg_otp_alphabet all_alphabets[] = {DG_OTP_ALPHA_BINARY, DG_OTP_ALPHA_LETTERS,
                                                DG_OTP_ALPHA_DIGITS};

static unsigned base_of(dg_otp_alphabet a)
{
    return a == DG_OTP_ALPHA_LETTERS ? 26 : a == DG_OTP_ALPHA_DIGITS ? 10 : 256;
}

static uint8_t first_of(dg_otp_alphabet a)
{
    return a == DG_OTP_ALPHA_LETTERS ? 'A' : a == DG_OTP_ALPHA_DIGITS ? '0' : 0;
}

/* The length the header promises, computed independently of otp.c. */
static size_t expected_length(dg_otp_alphabet a, size_t n)
{
    static const size_t letters[4] = {0, 2, 4, 6}, digits[4] = {0, 3, 5, 8};
    if (a == DG_OTP_ALPHA_LETTERS)
        return n / 4 * 7 + letters[n % 4];
    if (a == DG_OTP_ALPHA_DIGITS)
        return n / 4 * 10 + digits[n % 4];
    return n;
}

static int all_in_alphabet(dg_otp_alphabet a, const uint8_t *s, size_t n)
{
    if (a == DG_OTP_ALPHA_BINARY)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < first_of(a) || s[i] >= first_of(a) + base_of(a))
            return 0;
    return 1;
}

/* The encoding of msg (ciphertext minus pad), as ASCII symbols; malloc'd. */
static uint8_t *encoding_of(dg_otp_alphabet a, const uint8_t *msg, size_t n, size_t *len)
{
    uint8_t *pad = NULL, *ct = NULL;
    if (dg_otp_encrypt(a, msg, n, &pad, &ct, len) != DG_OTP_OK)
        return NULL;
    for (size_t i = 0; i < *len; i++) {
        unsigned b = base_of(a), c = ct[i] - first_of(a), k = pad[i] - first_of(a);
        ct[i] = (uint8_t)(first_of(a) + (c + b - k) % b);
    }
    dg_otp_free_pad(pad, *len);
    return ct;
}

/* Encrypts and decrypts msg; checks lengths, alphabets and the round trip. */
static int round_trips(dg_otp_alphabet a, const uint8_t *msg, size_t n)
{
    uint8_t *pad = NULL, *ct = NULL, *back = malloc(n + 1);
    size_t len = 0, m = 0;
    int ok = back != NULL && dg_otp_encrypt(a, msg, n, &pad, &ct, &len) == DG_OTP_OK &&
             len == expected_length(a, n) && len == dg_otp_length(a, n) &&
             all_in_alphabet(a, pad, len) && all_in_alphabet(a, ct, len) &&
             dg_otp_decrypt(a, ct, pad, len, back, n, &m) == DG_OTP_OK && m == n &&
             memcmp(back, msg, n) == 0;
    dg_otp_free_pad(pad, len);
    free(ct);
    free(back);
    return ok;
}

static void test_round_trip_small(void)
{
    uint8_t msg[64];
    for (size_t i = 0; i < 3; i++) {
        int failures = 0;
        for (size_t n = 0; n <= sizeof msg; n++) {
            for (int rep = 0; rep < 20; rep++) {
                dg_random_bytes(msg, n);
                failures += !round_trips(all_alphabets[i], msg, n);
            }
            memset(msg, 0xff, n); /* the largest block values */
            failures += !round_trips(all_alphabets[i], msg, n);
            memset(msg, 0, n);
            failures += !round_trips(all_alphabets[i], msg, n);
        }
        CHECK(failures == 0);
    }
}

static void test_round_trip_large(void)
{
    static const size_t sizes[] = {1000, 65537, 1 << 20};
    uint8_t *msg = malloc(1 << 20);
    CHECK(msg != NULL);
    if (msg == NULL)
        return;
    dg_random_bytes(msg, 1 << 20);
    for (size_t i = 0; i < 3; i++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            CHECK(round_trips(all_alphabets[i], msg, sizes[s]));
    free(msg);
}

/* Known answers of the encoding: one block, big-endian, most significant symbol first. */
static void test_known_encodings(void)
{
    static const struct {
        dg_otp_alphabet a;
        uint8_t msg[8];
        size_t n;
        const char *enc;
    } cases[] = {
        {DG_OTP_ALPHA_LETTERS, {0x00}, 1, "AA"},
        {DG_OTP_ALPHA_LETTERS, {0xff}, 1, "JV"}, /* 255 = 9*26 + 21 */
        {DG_OTP_ALPHA_LETTERS, {0x01, 0x02}, 2, "AAJY"},
        {DG_OTP_ALPHA_LETTERS, {0xff, 0xff, 0xff, 0xff}, 4, "NXMRLXV"},
        {DG_OTP_ALPHA_LETTERS, {0, 0, 0, 1, 0xff}, 5, "AAAAAABJV"},
        {DG_OTP_ALPHA_DIGITS, {0xff}, 1, "255"},
        {DG_OTP_ALPHA_DIGITS, {0x12, 0x34}, 2, "04660"},
        {DG_OTP_ALPHA_DIGITS, {0x01, 0x00, 0x00}, 3, "00065536"},
        {DG_OTP_ALPHA_DIGITS, {0xde, 0xad, 0xbe, 0xef}, 4, "3735928559"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0;
        uint8_t *enc = encoding_of(cases[i].a, cases[i].msg, cases[i].n, &len);
        CHECK(enc != NULL && len == strlen(cases[i].enc) && memcmp(enc, cases[i].enc, len) == 0);
        free(enc);
    }
}

/* Decrypts a ciphertext given as text under an all-zero pad. */
static int decrypt_text(dg_otp_alphabet a, const char *ct, uint8_t *msg, size_t cap, size_t *n)
{
    size_t len = strlen(ct);
    uint8_t pad[64];
    memset(pad, first_of(a), sizeof pad);
    return dg_otp_decrypt(a, (const uint8_t *)ct, pad, len, msg, cap, n);
}

static void test_decrypt_refuses(void)
{
    uint8_t msg[32];
    size_t n = 99;
    /* symbols outside the alphabet */
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "Aa", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "A[", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "@A", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "A0", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "00:", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "/00", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "0A0", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    /* a bad pad symbol is refused as well */
    CHECK(dg_otp_decrypt(DG_OTP_ALPHA_LETTERS, (const uint8_t *)"AA", (const uint8_t *)"Az", 2, msg,
                         sizeof msg, &n) == DG_OTP_EINVAL);
    /* lengths no message has */
    for (size_t len = 0; len <= 30; len++) {
        char text[31];
        int letters_ok = len % 7 == 0 || len % 7 == 2 || len % 7 == 4 || len % 7 == 6;
        int digits_ok = len % 10 == 0 || len % 10 == 3 || len % 10 == 5 || len % 10 == 8;
        memset(text, 'A', len);
        text[len] = 0;
        CHECK((decrypt_text(DG_OTP_ALPHA_LETTERS, text, msg, sizeof msg, &n) == DG_OTP_OK) ==
              letters_ok);
        memset(text, '0', len);
        CHECK((decrypt_text(DG_OTP_ALPHA_DIGITS, text, msg, sizeof msg, &n) == DG_OTP_OK) ==
              digits_ok);
    }
    /* block values at and past 256^k */
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "JV", msg, sizeof msg, &n) == DG_OTP_OK && n == 1 &&
          msg[0] == 0xff);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "JW", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "ZZ", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "NXMRLXV", msg, sizeof msg, &n) == DG_OTP_OK &&
          n == 4 && memcmp(msg, "\xff\xff\xff\xff", 4) == 0);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "NXMRLXW", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_LETTERS, "AAAAAAAZZZZ", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "255", msg, sizeof msg, &n) == DG_OTP_OK);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "256", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "65535", msg, sizeof msg, &n) == DG_OTP_OK);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "65536", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "16777216", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "4294967295", msg, sizeof msg, &n) == DG_OTP_OK);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "4294967296", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "9999999999", msg, sizeof msg, &n) == DG_OTP_EINVAL);
    /* a buffer too small, bad arguments */
    CHECK(decrypt_text(DG_OTP_ALPHA_DIGITS, "0000000000", msg, 3, &n) == DG_OTP_EINVAL);
    CHECK(dg_otp_decrypt(DG_OTP_ALPHA_BINARY, msg, msg, 8, msg, 7, &n) == DG_OTP_EINVAL);
    CHECK(dg_otp_decrypt((dg_otp_alphabet)3, msg, msg, 0, msg, 7, &n) == DG_OTP_EINVAL);
    CHECK(dg_otp_length((dg_otp_alphabet)3, 8) == 0);
    CHECK(dg_otp_length(DG_OTP_ALPHA_DIGITS, SIZE_MAX) == 0);
}

static void test_encrypt_arguments(void)
{
    uint8_t *pad = NULL, *ct = NULL, msg[4] = {1, 2, 3, 4};
    size_t len = 7;
    CHECK(dg_otp_encrypt((dg_otp_alphabet)7, msg, 4, &pad, &ct, &len) == DG_OTP_EINVAL);
    CHECK(pad == NULL && ct == NULL && len == 0);
    CHECK(dg_otp_encrypt(DG_OTP_ALPHA_BINARY, NULL, 4, &pad, &ct, &len) == DG_OTP_EINVAL);
    CHECK(dg_otp_encrypt(DG_OTP_ALPHA_DIGITS, NULL, 0, &pad, &ct, &len) == DG_OTP_OK);
    CHECK(pad != NULL && ct != NULL && len == 0);
    dg_otp_free_pad(pad, len);
    free(ct);
    dg_otp_free_pad(NULL, 0);
}

/* Pearson's statistic of counts[0..k) against a uniform distribution. */
static double chi_square(const unsigned long *counts, unsigned k)
{
    unsigned long total = 0;
    double chi = 0;
    for (unsigned i = 0; i < k; i++)
        total += counts[i];
    for (unsigned i = 0; i < k; i++) {
        double e = (double)total / k, d = (double)counts[i] - e;
        chi += d * d / e;
    }
    return chi;
}

/* Loose bound: mean k-1, standard deviation sqrt(2(k-1)); 6 deviations over. */
static double chi_bound(unsigned k)
{
    double dof = k - 1.0, sd = 1.0;
    while (sd * sd < 2 * dof) /* sqrt without libm */
        sd += 0.01;
    return dof + 6 * sd + 10;
}

/* Symbol counts of the pad and of the ciphertext of an all-zero message. */
static int count_symbols(dg_otp_alphabet a, size_t msg_len, unsigned long *pad_counts,
                         unsigned long *ct_counts)
{
    uint8_t *msg = calloc(msg_len, 1), *pad = NULL, *ct = NULL;
    size_t len = 0;
    int rc = msg != NULL ? dg_otp_encrypt(a, msg, msg_len, &pad, &ct, &len) : -1;
    for (size_t i = 0; rc == DG_OTP_OK && i < len; i++) {
        pad_counts[pad[i] - first_of(a)]++;
        ct_counts[ct[i] - first_of(a)]++;
    }
    dg_otp_free_pad(pad, len);
    free(ct);
    free(msg);
    return rc;
}

static void test_pad_statistics(void)
{
    for (size_t i = 0; i < 3; i++) {
        dg_otp_alphabet a = all_alphabets[i];
        unsigned k = base_of(a);
        unsigned long pad_counts[256] = {0}, ct_counts[256] = {0};
        int every_value = 1;
        CHECK(count_symbols(a, 200000, pad_counts, ct_counts) == DG_OTP_OK);
        for (unsigned v = 0; v < k; v++)
            every_value &= pad_counts[v] > 0 && ct_counts[v] > 0;
        CHECK(every_value);
        CHECK(chi_square(pad_counts, k) < chi_bound(k));
        CHECK(chi_square(ct_counts, k) < chi_bound(k));
    }
}

/* The statistic above catches the bias of "random byte mod 26" without rejection. */
static void test_statistics_can_fail(void)
{
    static uint8_t bytes[350000];
    unsigned long counts[26] = {0};
    dg_random_bytes(bytes, sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++)
        counts[bytes[i] % 26]++;
    CHECK(chi_square(counts, 26) > chi_bound(26));
}

static int compare_strings(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Distinct messages of one length have distinct encodings (every 1- and 2-byte message). */
static void test_bijective(void)
{
    enum { COUNT = 256 + 65536 };
    for (size_t i = 1; i < 3; i++) {
        dg_otp_alphabet a = all_alphabets[i];
        char **enc = calloc(COUNT, sizeof *enc);
        int ok = enc != NULL;
        for (unsigned v = 0; ok && v < COUNT; v++) {
            uint8_t msg[2] = {(uint8_t)(v < 256 ? v : (v - 256) >> 8), (uint8_t)(v - 256)};
            size_t len = 0;
            uint8_t *e = encoding_of(a, msg, v < 256 ? 1 : 2, &len);
            ok = e != NULL && (enc[v] = calloc(len + 1, 1)) != NULL;
            if (ok)
                memcpy(enc[v], e, len);
            free(e);
        }
        CHECK(ok);
        if (ok)
            qsort(enc, COUNT, sizeof *enc, compare_strings);
        for (unsigned v = 1; ok && v < COUNT; v++)
            ok = strcmp(enc[v - 1], enc[v]) != 0;
        CHECK(ok);
        for (unsigned v = 0; enc != NULL && v < COUNT; v++)
            free(enc[v]);
        free(enc);
    }
}

/* Any symbol string that decodes is the encoding of what it decodes to. */
static void test_decoding_is_inverse(void)
{
    for (size_t i = 1; i < 3; i++) {
        dg_otp_alphabet a = all_alphabets[i];
        int accepted = 0, mismatches = 0;
        for (int rep = 0; rep < 2000; rep++) {
            uint8_t sym[30], msg[16], pad[30];
            size_t len = expected_length(a, (size_t)(rep % 12)), n = 0, elen = 0;
            dg_random_bytes(sym, len);
            for (size_t j = 0; j < len; j++)
                sym[j] = (uint8_t)(first_of(a) + sym[j] % base_of(a));
            memset(pad, first_of(a), len);
            if (dg_otp_decrypt(a, sym, pad, len, msg, sizeof msg, &n) != DG_OTP_OK)
                continue;
            accepted++;
            uint8_t *enc = encoding_of(a, msg, n, &elen);
            mismatches += enc == NULL || elen != len || memcmp(enc, sym, len) != 0;
            free(enc);
        }
        CHECK(accepted > 100 && mismatches == 0);
    }
}

int main(void)
{
    test_round_trip_small();
    test_round_trip_large();
    test_known_encodings();
    test_decrypt_refuses();
    test_encrypt_arguments();
    test_pad_statistics();
    test_statistics_can_fail();
    test_bijective();
    test_decoding_is_inverse();
    return check_summary("otp");
}
