/*
 * test_jpegls.c - unit tests of codecs/jpegls: lossless round trips over
 * geometries, depths and interleaves, refusal of mismatched headers, and the
 * end-of-image rule that keeps CharLS 2.4.1 from spinning on a scan that
 * runs to the end of its buffer (docs/reliability.md, F5).
 */
#include "check.h"
#include "jpegls.h"

#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next_random(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static int noise; /* 1: samples uniform over the whole range, coded longer than CharLS estimates */

static void round_trip(uint32_t w, uint32_t h, int comps, int bits, int planar)
{
    dg_jls_image img = {w, h, comps, bits, planar};
    size_t n = dg_jls_image_bytes(&img);
    uint8_t *a = malloc(n), *b = malloc(n), *code = NULL;
    size_t code_len = 0;
    uint32_t maxv = (1u << bits) - 1;

    for (size_t i = 0; i < n / (bits > 8 ? 2 : 1); i++) {
        uint32_t v = noise ? next_random() : (uint32_t)(i % w) * 3 + (next_random() % 7);
        v &= maxv;
        if (bits > 8)
            ((uint16_t *)a)[i] = (uint16_t)v;
        else
            a[i] = (uint8_t)v;
    }
    CHECK(dg_jls_encode(&img, a, n, &code, &code_len) == DG_JLS_OK);
    dg_jls_image got;
    CHECK(dg_jls_read_header(code, code_len, &got) == DG_JLS_OK);
    CHECK(got.width == w && got.height == h && got.components == comps && got.bits == bits);
    CHECK(dg_jls_decode(code, code_len, &img, b, n) == DG_JLS_OK);
    CHECK(memcmp(a, b, n) == 0);
    /* A header that does not match what is expected is refused. */
    dg_jls_image wrong = img;
    wrong.width = w + 1;
    CHECK(dg_jls_decode(code, code_len, &wrong, b, dg_jls_image_bytes(&wrong)) != DG_JLS_OK);
    /* A truncated codestream never decodes silently. */
    CHECK(dg_jls_decode(code, code_len / 2, &img, b, n) != DG_JLS_OK);
    free(code);
    free(a);
    free(b);
}

/* Offset just past the SOS marker segment: where the coded bits begin. */
static size_t scan_start(const uint8_t *code, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (code[i] == 0xFF && code[i + 1] == 0xDA)
            return i + 2 + ((size_t)code[i + 2] << 8 | code[i + 3]);
    return 0;
}

static void end_of_image_rule(void)
{
    dg_jls_image img = {64, 64, 1, 16, 0};
    size_t n = dg_jls_image_bytes(&img), code_len = 0, start;
    uint8_t *a = calloc(1, n), *b = malloc(n), *code = NULL, *copy;

    for (size_t i = 0; i < n / 2; i++)
        ((uint16_t *)(void *)a)[i] = (uint16_t)(next_random() & 0xFFFF);
    CHECK(dg_jls_encode(&img, a, n, &code, &code_len) == DG_JLS_OK);
    CHECK(code_len > 4 && code[code_len - 2] == 0xFF && code[code_len - 1] == 0xD9);
    copy = malloc(code_len + 64);

    /* Padding after EOI (DICOM pads fragments to even length) is ignored. */
    memcpy(copy, code, code_len);
    memset(copy + code_len, 0, 3);
    memset(b, 0xAA, n);
    CHECK(dg_jls_decode(copy, code_len + 3, &img, b, n) == DG_JLS_OK);
    CHECK(memcmp(a, b, n) == 0);

    /* No EOI: refused as such, before CharLS decodes anything. */
    CHECK(dg_jls_decode(code, code_len - 2, &img, b, n) == DG_JLS_ENOEOI);
    CHECK(dg_jls_decode(code, code_len - 1, &img, b, n) == DG_JLS_ENOEOI);

    /*
     * F5's shape: a valid header, then zero bits to the end of the buffer.
     * CharLS 2.4.1 counted them for seconds; it must be refused for the
     * missing EOI, and with EOI after the zeros, refused by CharLS.
     */
    start = scan_start(code, code_len);
    CHECK(start > 0 && start + 32 < code_len);
    memcpy(copy, code, start);
    memset(copy + start, 0, 32);
    CHECK(dg_jls_decode(copy, start + 32, &img, b, n) == DG_JLS_ENOEOI);
    copy[start + 32] = 0xFF;
    copy[start + 33] = 0xD9;
    CHECK(dg_jls_decode(copy, start + 34, &img, b, n) == DG_JLS_ECODEC);

    free(copy);
    free(code);
    free(a);
    free(b);
}

int main(void)
{
    end_of_image_rule();
    round_trip(64, 64, 1, 16, 0);
    round_trip(37, 11, 1, 12, 0);
    round_trip(1, 1, 1, 2, 0);
    round_trip(100, 3, 1, 8, 0);
    round_trip(33, 17, 3, 8, 0);
    round_trip(33, 17, 3, 8, 1);
    round_trip(20, 20, 3, 16, 1);
    /* every layout the planner hands the codec, smooth and as pure noise */
    for (noise = 0; noise <= 1; noise++)
        for (int bits = 2; bits <= 16; bits++) {
            round_trip(67, 45, 1, bits, 0);
            round_trip(33, 17, 3, bits, 0);
            round_trip(33, 17, 3, bits, 1);
            round_trip(19, 23, 4, bits, 0);
            round_trip(19, 23, 4, bits, 1);
            round_trip(19, 23, 2, bits, 1);
        }
    noise = 1;
    round_trip(256, 256, 1, 8, 0); /* the reviewer's case: CharLS's estimate is too small */
    round_trip(256, 256, 1, 16, 0);
    /* two sample-interleaved components: refused (CharLS cannot read its own stream back) */
    dg_jls_image two = {8, 8, 2, 8, 0};
    uint8_t two_samples[128] = {0}, *two_out = NULL;
    size_t two_len = 0;
    CHECK(dg_jls_encode(&two, two_samples, sizeof two_samples, &two_out, &two_len) ==
          DG_JLS_EINVAL);
    dg_jls_image bad = {0, 5, 1, 8, 0};
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(dg_jls_encode(&bad, "x", 1, &out, &out_len) == DG_JLS_EINVAL);
    CHECK(dg_jls_read_header((const uint8_t *)"not jpeg-ls", 11, &bad) != DG_JLS_OK);
    return check_summary("test_jpegls");
}
