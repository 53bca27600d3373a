/*
 * test_pipeline.c - tests of the protect/restore pipeline through the
 * public API (plugin/dcmguard.h), plus the pixel model's exact inverse.
 *
 * The tamper test flips every byte of small protected files, one at a
 * time: a restore must either refuse, or give back exactly the original
 * (bytes outside the protected data, such as the clear placeholder, are not
 * used by restore). Every flip inside the values of the DCMGUARD private
 * elements (header, envelope, tiles) must be refused.
 * Usage: test_pipeline TESTDATA_FILES_DIR
 */
#define _GNU_SOURCE
#include "check.h"
#include "dcmguard.h"
#include "dicom.h"
#include "format.h"
#include "pixels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *files_dir = "testdata/files";

static uint8_t *read_file(const char *name, size_t *len)
{
    return load_in(files_dir, name, len);
}

static dg_ctx *new_ctx(char *key_path)
{
    char err[DG_ERRLEN];
    dg_ctx *ctx = NULL;
    int fd = mkstemp(key_path);
    close(fd);
    unlink(key_path);
    if (dg_master_key_file_create(key_path, err, sizeof err) != DG_OK)
        return NULL;
    char store_path[4200];
    if (dg_ctx_create(&ctx) != DG_OK || dg_ctx_load_master_key(ctx, key_path, err, sizeof err))
        return NULL;
    snprintf(store_path, sizeof store_path, "%s.keystore", key_path);
    if (dg_ctx_open_keystore(ctx, store_path, err, sizeof err) != DG_OK) {
        fprintf(stderr, "%s\n", err);
        dg_ctx_destroy(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- pixel model: extract then insert is the identity on the frame ---- */

static void pixel_inverse(uint32_t w, uint32_t h, uint16_t comps, uint8_t sb, int planar, int be,
                          uint16_t flip, uint16_t tr, uint16_t tc)
{
    dg_pixmodel m;
    memset(&m, 0, sizeof m);
    m.kind = DG_PIX_TILED;
    m.sample_bytes = sb;
    m.planar = (uint8_t)planar;
    m.big_endian = (uint8_t)be;
    m.sign_flip = flip;
    m.components = comps;
    m.width = w;
    m.height = h;
    m.frames = 2;
    m.tile_rows = tr;
    m.tile_cols = tc;
    m.segment_count = 2u * tr * tc;
    m.frame_bytes = (uint64_t)w * h * comps * sb;
    m.covered = 2 * m.frame_bytes;
    CHECK(dg_pix_check(&m) == 0);
    uint8_t *src = malloc(m.covered), *dst = calloc(1, m.covered);
    for (uint64_t i = 0; i < m.covered; i++)
        src[i] = (uint8_t)(i * 2654435761u >> 13);
    for (uint32_t s = 0; s < m.segment_count; s++) {
        dg_tile t;
        dg_jls_image img;
        dg_pix_tile(&m, s, &t);
        void *samples = malloc(dg_pix_tile_bytes(&m, &t));
        dg_pix_extract(&m, &t, src + t.frame * m.frame_bytes, samples, &img);
        CHECK(img.width == t.w && img.height == t.h && img.bits >= 2 && img.bits <= 16);
        dg_pix_insert(&m, &t, dst + t.frame * m.frame_bytes, samples);
        free(samples);
    }
    CHECK(memcmp(src, dst, m.covered) == 0);
    free(src);
    free(dst);
}

/* ---- protect/restore ---- */

/*
 * No 32-byte run of the original Pixel Data value (sampled every 512 bytes,
 * skipping runs of one repeated byte) appears anywhere in the protected file.
 */
static int no_pixel_run_survives(const uint8_t *in, size_t len, const uint8_t *out, size_t out_len)
{
    char err[DG_ERRLEN];
    dg_dicom *d = NULL;
    dg_dicom_info info;
    int clean = 1;

    if (dg_dicom_parse(in, len, &d, err, sizeof err) != 0 || dg_dicom_get_info(d, &info) != 0) {
        dg_dicom_free(d);
        return 0;
    }
    for (uint64_t at = 0; info.pixels_located && at + 32 <= info.pixel_value_length; at += 512) {
        const uint8_t *run = in + info.pixel_value_offset + at;
        int uniform = 1;
        for (int i = 1; i < 32; i++)
            uniform &= run[i] == run[0];
        if (!uniform && memmem(out, out_len, run, 32) != NULL)
            clean = 0;
    }
    dg_dicom_free(d);
    return clean;
}

static void round_trip(dg_ctx *ctx, const char *name)
{
    char err[DG_ERRLEN];
    size_t len = 0, back_len = 0;
    uint8_t *in = read_file(name, &len), *back = NULL;
    dg_protected p;

    CHECK(in != NULL);
    if (in == NULL)
        return;
    CHECK(dg_protect(ctx, in, len, name, 0, &p, err, sizeof err) == DG_OK);
    CHECK(dg_restore(ctx, p.file, p.file_len, NULL, NULL, 0, &back, &back_len, err, sizeof err) ==
          DG_OK);
    CHECK(back_len == len && back && memcmp(in, back, len) == 0);
    CHECK(no_pixel_run_survives(in, len, p.file, p.file_len));
    free(back);
    dg_protected_free(&p);
    free(in);
}

/*
 * Whether byte `at` lies in the value of one of the DCMGUARD elements
 * (7FD1,1001/1010/1020/1030): explicit VR little endian, OB, so the value follows
 * tag (4), VR (2), reserved (2) and a 4-byte length.
 */
static int in_protected_value(const uint8_t *file, size_t len, size_t at)
{
    static const uint8_t elements[4] = {0x01, 0x10, 0x20, 0x30};
    for (int i = 0; i < 4; i++) {
        const uint8_t tag[8] = {0xD1, 0x7F, elements[i], 0x10, 'O', 'B', 0, 0};
        const uint8_t *p = memmem(file, len, tag, sizeof tag);
        if (p != NULL) {
            size_t start = (size_t)(p - file) + 12, n = dg_load_u32(p + 8);
            if (at >= start && at < start + n)
                return 1;
        }
    }
    return 0;
}

/*
 * Every byte of a protected file flipped, one at a time: restore refuses it,
 * or gives the original back (a flip outside the protected values), never
 * anything else. mode is DG_MODE_AES or DG_MODE_CHAOS.
 */
static void tamper_every_byte(dg_ctx *ctx, const char *name, dg_pixel_mode mode)
{
    char err[DG_ERRLEN];
    size_t len = 0, refused = 0, identical = 0, altered = 0, block_accepted = 0;
    uint8_t *in = read_file(name, &len);
    dg_protected p;
    int rc;

    dg_ctx_set_mode(ctx, mode);
    rc = in != NULL ? dg_protect(ctx, in, len, name, 0, &p, err, sizeof err) : DG_EINVAL;
    dg_ctx_set_mode(ctx, DG_MODE_AES);
    if (rc != DG_OK) {
        CHECK(0);
        free(in);
        return;
    }
    /* every byte (mask 0x5A), then each single bit of every 11th byte */
    for (size_t k = 0; k < p.file_len + 8 * (p.file_len / 11); k++) {
        size_t i = k < p.file_len ? k : 11 * ((k - p.file_len) / 8);
        uint8_t mask = k < p.file_len ? 0x5A : (uint8_t)(1u << ((k - p.file_len) % 8));
        uint8_t *back = NULL;
        size_t back_len = 0;
        p.file[i] ^= mask;
        if (dg_restore(ctx, p.file, p.file_len, NULL, NULL, 0, &back, &back_len, err, sizeof err) !=
            DG_OK) {
            refused++;
        } else if (back_len == len && memcmp(back, in, len) == 0) {
            identical++;
            if (in_protected_value(p.file, p.file_len, i)) {
                block_accepted++;
                fprintf(stderr, "accepted flip at %zu of %s\n", i, name);
            }
        } else {
            altered++;
        }
        free(back);
        p.file[i] ^= mask;
    }
    printf("tamper %s (%s): %zu bytes and %zu single bits tried, %zu refused, %zu gave the "
           "original, %zu altered, %zu "
           "accepted inside the protected values\n",
           name, mode == DG_MODE_CHAOS ? "chaos" : "aes", p.file_len, 8 * (p.file_len / 11),
           refused, identical, altered, block_accepted);
    CHECK(altered == 0);
    CHECK(block_accepted == 0);
    CHECK(refused > 0);
    dg_protected_free(&p);
    free(in);
}

/* Where the PHI record's value starts, and its length (0 when absent). */
static size_t phi_record(const uint8_t *file, size_t len, size_t *n)
{
    const uint8_t tag[8] = {0xD1, 0x7F, 0x30, 0x10, 'O', 'B', 0, 0};
    const uint8_t *p = memmem(file, len, tag, sizeof tag);
    *n = p ? dg_load_u32(p + 8) : 0;
    return p ? (size_t)(p - file) + 12 : 0;
}

/*
 * A flipped bit in the one-time-pad ciphertext or in its MAC is refused as
 * an authentication failure; restore --deidentified gives the original
 * pixel bytes under a header that is not the original one.
 */
static void patient_record(dg_ctx *ctx, const char *name)
{
    char err[DG_ERRLEN];
    size_t len = 0, n = 0, at, back_len = 0;
    uint8_t *in = read_file(name, &len), *back = NULL;
    dg_protected p;
    dg_dicom *a = NULL, *b = NULL;
    dg_dicom_info ia, ib;

    if (in == NULL || dg_protect(ctx, in, len, name, 0, &p, err, sizeof err) != DG_OK) {
        CHECK(0);
        free(in);
        return;
    }
    at = phi_record(p.file, p.file_len, &n);
    CHECK(at != 0 && n > 56 + 32);
    if (at != 0 && n > 56 + 32) {
        size_t targets[2] = {at + 56, at + n - 1 - (n & 1 ? 0 : 1)}; /* ct[0], a tag byte */
        for (int i = 0; i < 2; i++) {
            p.file[targets[i]] ^= 0x01;
            CHECK(dg_restore(ctx, p.file, p.file_len, NULL, NULL, 0, &back, &back_len, err,
                             sizeof err) == DG_EAUTH);
            CHECK(back == NULL);
            p.file[targets[i]] ^= 0x01;
        }
    }
    /* these files do not say Burned In Annotation NO: without the override, refused */
    CHECK(dg_restore(ctx, p.file, p.file_len, NULL, NULL, DG_RESTORE_DEIDENTIFIED, &back, &back_len,
                     err, sizeof err) == DG_EUNSUPPORTED);
    CHECK(back == NULL);
    CHECK(dg_restore(ctx, p.file, p.file_len, NULL, NULL,
                     DG_RESTORE_DEIDENTIFIED | DG_RESTORE_BURNED_IN_OK, &back, &back_len, err,
                     sizeof err) == DG_OK);
    CHECK(back != NULL && (back_len != len || memcmp(back, in, len) != 0));
    if (back != NULL && dg_dicom_parse(in, len, &a, err, sizeof err) == 0 &&
        dg_dicom_parse(back, back_len, &b, err, sizeof err) == 0) {
        dg_dicom_get_info(a, &ia);
        dg_dicom_get_info(b, &ib);
        CHECK(ia.pixel_value_length == ib.pixel_value_length &&
              memcmp(in + ia.pixel_value_offset, back + ib.pixel_value_offset,
                     (size_t)ia.pixel_value_length) == 0);
        CHECK(strcmp(ia.transfer_syntax, ib.transfer_syntax) == 0);
    } else {
        CHECK(0);
    }
    dg_dicom_free(a);
    dg_dicom_free(b);
    free(back);
    dg_protected_free(&p);
    free(in);
}

/* Truncation at any length is refused. */
static void truncations(dg_ctx *ctx, const char *name)
{
    char err[DG_ERRLEN];
    size_t len = 0, ok = 0;
    uint8_t *in = read_file(name, &len);
    dg_protected p;

    if (in == NULL || dg_protect(ctx, in, len, name, 0, &p, err, sizeof err) != DG_OK) {
        CHECK(0);
        free(in);
        return;
    }
    for (size_t cut = 0; cut < p.file_len; cut += 97) {
        uint8_t *back = NULL;
        size_t back_len = 0;
        if (dg_restore(ctx, p.file, cut, NULL, NULL, 0, &back, &back_len, err, sizeof err) == DG_OK)
            ok++;
        free(back);
    }
    CHECK(ok == 0);
    dg_protected_free(&p);
    free(in);
}

/* A wrong master key is named as such; a record from another protection is refused. */
static void foreign_parts(dg_ctx *ctx, dg_ctx *other, const char *name)
{
    char err[DG_ERRLEN];
    size_t len = 0, back_len = 0;
    uint8_t *in = read_file(name, &len), *back = NULL;
    dg_protected a, b;

    if (in == NULL) {
        CHECK(0);
        return;
    }
    CHECK(dg_protect(ctx, in, len, name, 0, &a, err, sizeof err) == DG_OK);
    CHECK(dg_protect(ctx, in, len, name, 0, &b, err, sizeof err) == DG_OK);
    CHECK(dg_restore(other, a.file, a.file_len, NULL, NULL, 0, &back, &back_len, err, sizeof err) ==
          DG_EKEY);
    CHECK(strstr(err, "master key") != NULL);
    /* Same instance, same sizes: put b's first tile record (replay of another protection) into a.
     */
    static const uint8_t magic[4] = {'D', 'G', 'T', 'L'};
    uint8_t *ra = memmem(a.file, a.file_len, magic, 4), *rb = memmem(b.file, b.file_len, magic, 4);
    CHECK(ra && rb && a.file_len == b.file_len);
    if (ra && rb && a.file_len == b.file_len) {
        size_t rec = DG_TILE_HEAD_LEN + dg_load_u32(rb + 48);
        memcpy(ra, rb, rec);
        CHECK(dg_restore(ctx, a.file, a.file_len, NULL, NULL, 0, &back, &back_len, err,
                         sizeof err) == DG_EAUTH);
    }
    /* b's wrapped key in a's header: the envelope no longer authenticates. */
    static const uint8_t hmagic[4] = {'D', 'G', 'P', 'H'};
    uint8_t *ha = memmem(a.file, a.file_len, hmagic, 4),
            *hb = memmem(b.file, b.file_len, hmagic, 4);
    if (ha && hb) {
        memcpy(ha + 38, hb + 38, 40);
        CHECK(dg_restore(ctx, a.file, a.file_len, NULL, NULL, 0, &back, &back_len, err,
                         sizeof err) != DG_OK);
    }
    dg_protected_free(&a);
    dg_protected_free(&b);
    free(in);
}

static void refuses_bad_input(dg_ctx *ctx)
{
    char err[DG_ERRLEN];
    dg_protected p;
    static const uint8_t junk[300] = {1, 2, 3};
    CHECK(dg_protect(ctx, junk, sizeof junk, "junk", 0, &p, err, sizeof err) == DG_EINPUT);
    CHECK(strlen(err) > 0 && strchr(err, '\n') == NULL);
    CHECK(p.file == NULL);
}

static void refuses_double_protection(dg_ctx *ctx, const char *name)
{
    char err[DG_ERRLEN];
    size_t len = 0;
    uint8_t *in = read_file(name, &len);
    dg_protected p, q;
    CHECK(in && dg_protect(ctx, in, len, name, 0, &p, err, sizeof err) == DG_OK);
    CHECK(dg_protect(ctx, p.file, p.file_len, name, 0, &q, err, sizeof err) == DG_EINPUT);
    CHECK(strstr(err, "already protected") != NULL);
    dg_protected_free(&p);
    free(in);
}

int main(int argc, char **argv)
{
    /* key files and stores in a private folder: dcmguard refuses others' (private_file.h) */
    char dir[] = "/tmp/dgtestpipeXXXXXX", k1[64], k2[64];

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(k1, sizeof k1, "%s/keyAXXXXXX", dir);
    snprintf(k2, sizeof k2, "%s/keyBXXXXXX", dir);
    dg_ctx *ctx, *other;

    if (argc > 1)
        files_dir = argv[1];
    pixel_inverse(17, 9, 1, 2, 0, 0, 0, 2, 3);
    pixel_inverse(17, 9, 1, 2, 0, 1, 0x8000, 3, 2);
    pixel_inverse(16, 8, 3, 1, 0, 0, 0, 2, 2);
    pixel_inverse(16, 8, 3, 1, 1, 0, 0x80, 2, 2);
    pixel_inverse(5, 5, 3, 2, 1, 1, 0x8000, 5, 5);
    pixel_inverse(1, 1, 1, 1, 0, 0, 0, 1, 1);

    ctx = new_ctx(k1);
    other = new_ctx(k2);
    CHECK(ctx != NULL && other != NULL);
    if (ctx == NULL || other == NULL)
        return check_summary("test_pipeline");
    round_trip(ctx, "pydicom_MR_small.dcm");
    round_trip(ctx, "pydicom_MR_small_bigendian.dcm");
    round_trip(ctx, "pydicom_test-SR.dcm");
    round_trip(ctx, "pydicom_MR_small_RLE.dcm");
    round_trip(ctx, "wg04_CT1_UNC_explicit_le.dcm");
    round_trip(ctx, "dcmqact_Philips_S4010_I40_rgb_pc1.dcm");
    round_trip(ctx, "dp_IM00001_US_rgb_8frames_ivrle.dcm");
    round_trip(ctx, "pydicom_SC_ybr_full_422_uncompressed.dcm");
    round_trip(ctx, "dcmqa12_12bitUnsigned.dcm");
    tamper_every_byte(ctx, "pydicom_MR_small.dcm", DG_MODE_AES);
    tamper_every_byte(ctx, "pydicom_MR_small_jpeg_ls_lossless.dcm", DG_MODE_AES);
    tamper_every_byte(ctx, "pydicom_test-SR.dcm", DG_MODE_AES);
    tamper_every_byte(ctx, "pydicom_MR_small.dcm", DG_MODE_CHAOS);
    patient_record(ctx, "pydicom_MR_small.dcm");
    patient_record(ctx, "pydicom_MR_small_bigendian.dcm");
    patient_record(ctx, "pydicom_MR_small_jpeg_ls_lossless.dcm");
    truncations(ctx, "pydicom_MR_small.dcm");
    foreign_parts(ctx, other, "pydicom_MR_small.dcm");
    refuses_bad_input(ctx);
    refuses_double_protection(ctx, "pydicom_MR_small.dcm");
    dg_ctx_destroy(ctx);
    dg_ctx_destroy(other);
    unlink(k1);
    unlink(k2);
    return check_summary("test_pipeline");
}
