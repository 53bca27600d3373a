/*
 * test_dicom.c - unit test of dicom/ (the DCMTK layer) on real files.
 *
 * Usage: test_dicom [TESTDATA_DIR]   (default ../shared/testdata)
 *
 * Checks parsing and pixel location on the WG04 CT1 encodings and on
 * encapsulated files, refusal of broken files, robustness against
 * truncation and random corruption, the nesting limit, private blocks, and
 * write round trips (re-parsed here and checked with dcmdump when it is
 * installed). Skips, passing, when the test data are missing.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dicom.h"

#define CT1_PIXEL_BYTES 524288
#define PRIVATE_GROUP 0x7FD1
#define PRIVATE_CREATOR "DCMGUARD 1"

static const char *data_dir = "../shared/testdata";
static char tmp_dir[64];
static int have_dcmtk_tools;

/* ---- helpers ----------------------------------------------------------- */


static blob load(const char *name)
{
    char path[1024];

    blob b;

    snprintf(path, sizeof(path), "%s/%s", data_dir, name);
    b = load_path(path);
    if (b.data == NULL) { /* the negative files live in testdata/bad */
        snprintf(path, sizeof(path), "%s/../bad/%s", data_dir, name);
        b = load_path(path);
    }
    return b;
}

static int save(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return 0;
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static uint32_t rng_state = 0x2545F491u;

static uint32_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void fill_random(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)next_random();
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    size_t i;

    for (i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    }
    return 0;
}

static dg_dicom *parse_blob(blob b, dg_dicom_info *info)
{
    char err[256] = "";
    dg_dicom *d = NULL;

    if (dg_dicom_parse(b.data, b.len, &d, err, sizeof(err)) != DG_DICOM_OK) {
        fprintf(stderr, "parse failed: %s\n", err);
        return NULL;
    }
    dg_dicom_get_info(d, info);
    return d;
}

/* dcmdump must read the file without error. */
static int dcmdump_accepts(const char *path)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd), "dcmdump -q '%s' >/dev/null 2>&1", path);
    return system(cmd) == 0;
}

/* DCMTK's own copy of the Pixel Data (dcmdump +W writes it in host order). */
static blob dcmdump_pixels(const char *name)
{
    char cmd[1024];
    char raw[512];
    blob b;

    snprintf(cmd, sizeof(cmd), "dcmdump -q +W '%s' '%s/%s' >/dev/null 2>&1", tmp_dir, data_dir,
             name);
    snprintf(raw, sizeof(raw), "%s/%s.0.raw", tmp_dir, name);
    if (system(cmd) != 0) {
        b.data = NULL;
        b.len = 0;
        return b;
    }
    b = load_path(raw);
    unlink(raw);
    return b;
}

/*
 * Walks the items of an encapsulated Pixel Data range with no help from the
 * library: returns the number of items, or -1 if the layout is wrong.
 */
static long count_items_by_hand(const uint8_t *buf, uint64_t offset, uint64_t length)
{
    static const uint8_t item[4] = {0xFE, 0xFF, 0x00, 0xE0};
    static const uint8_t delim[8] = {0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0};
    uint64_t pos = offset, end = offset + length;
    long n = 0;

    while (pos + 8 <= end && memcmp(buf + pos, item, 4) == 0) {
        pos += 8 + (uint64_t)le32(buf + pos + 4);
        n++;
    }
    if (pos + 8 != end || memcmp(buf + pos, delim, 8) != 0)
        return -1;
    return n;
}

static dg_dicom *write_and_reparse(dg_dicom *d, dg_dicom_ts ts, const char *name, blob *out,
                                   dg_dicom_info *info);

/* ---- parsing real files ------------------------------------------------ */

static void test_ct1_explicit_le(void)
{
    static const uint8_t header[12] = {0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0, 0, 0, 0x08, 0x00};
    blob b = load("wg04_CT1_UNC_explicit_le.dcm");
    blob raw = {NULL, 0};
    dg_dicom_info info;
    dg_dicom *d;
    char s[80];

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    CHECK(strcmp(info.transfer_syntax, "1.2.840.10008.1.2.1") == 0);
    CHECK(info.rows == 512 && info.cols == 512 && info.frames == 1);
    CHECK(info.bits_allocated == 16 && info.bits_stored == 16 && info.high_bit == 15);
    CHECK(info.pixel_representation == 1 && info.samples_per_pixel == 1);
    CHECK(strcmp(info.photometric, "MONOCHROME2") == 0);
    CHECK(info.has_pixels && info.pixels_located && !info.encapsulated && !info.big_endian);
    CHECK(info.pixel_value_length == CT1_PIXEL_BYTES);
    CHECK(info.pixel_value_offset >= 12 && info.pixel_value_offset + CT1_PIXEL_BYTES <= b.len);
    CHECK(memcmp(b.data + info.pixel_value_offset - 12, header, 12) == 0);
    CHECK(dg_dicom_get_string(d, 0x0008, 0x0060, s, sizeof(s)) == DG_DICOM_OK);
    CHECK(strcmp(s, "CT") == 0);
    CHECK(dg_dicom_get_string(d, 0x0008, 0x0018, s, sizeof(s)) == DG_DICOM_OK);
    CHECK(strcmp(s, info.sop_instance_uid) == 0 && s[0] != '\0');
    CHECK(dg_dicom_get_string(d, 0x0008, 0x0060, s, 2) == DG_DICOM_EINVAL);
    CHECK(dg_dicom_get_string(d, 0x0009, 0x0010, s, sizeof(s)) == DG_DICOM_OK);
    CHECK(strcmp(s, "GEMS_IDEN_01") == 0);
    CHECK(dg_dicom_get_string(d, 0x0009, 0x0011, s, sizeof(s)) == DG_DICOM_ENOTFOUND);
    if (have_dcmtk_tools) {
        raw = dcmdump_pixels("wg04_CT1_UNC_explicit_le.dcm");
        CHECK(raw.len == CT1_PIXEL_BYTES);
        CHECK(raw.data != NULL && memcmp(raw.data, b.data + info.pixel_value_offset, raw.len) == 0);
    }
done:
    dg_dicom_free(d);
    free(raw.data);
    free(b.data);
}

/* The other encodings of CT1 hold the same pixels; big endian byte-swapped. */
static void test_ct1_other_encodings(void)
{
    blob le = load("wg04_CT1_UNC_explicit_le.dcm");
    blob be = load("wg04_CT1_UNC_explicit_be.dcm");
    blob im = load("wg04_CT1_UNC_implicit_le.dcm");
    dg_dicom_info lei, bei, imi;
    dg_dicom *ld = NULL, *bd = NULL, *id = NULL;
    const uint8_t *lp, *bp;
    size_t i, swapped_ok = 1;

    CHECK(le.data && be.data && im.data);
    if (!le.data || !be.data || !im.data)
        goto done;
    ld = parse_blob(le, &lei);
    bd = parse_blob(be, &bei);
    id = parse_blob(im, &imi);
    CHECK(ld && bd && id);
    if (!ld || !bd || !id)
        goto done;
    CHECK(bei.big_endian == 1 && imi.big_endian == 0);
    CHECK(bei.pixels_located && imi.pixels_located && !bei.encapsulated && !imi.encapsulated);
    CHECK(bei.pixel_value_length == CT1_PIXEL_BYTES && imi.pixel_value_length == CT1_PIXEL_BYTES);
    CHECK(bei.rows == 512 && imi.rows == 512 && bei.pixel_representation == 1);
    CHECK(strcmp(imi.transfer_syntax, "1.2.840.10008.1.2") == 0);
    lp = le.data + lei.pixel_value_offset;
    bp = be.data + bei.pixel_value_offset;
    CHECK(memcmp(lp, im.data + imi.pixel_value_offset, CT1_PIXEL_BYTES) == 0);
    for (i = 0; i < CT1_PIXEL_BYTES; i += 2)
        swapped_ok &= lp[i] == bp[i + 1] && lp[i + 1] == bp[i];
    CHECK(swapped_ok);
done:
    dg_dicom_free(ld);
    dg_dicom_free(bd);
    dg_dicom_free(id);
    free(le.data);
    free(be.data);
    free(im.data);
}

static void check_encapsulated_file(const char *name, uint32_t expected_items)
{
    static const uint8_t item[4] = {0xFE, 0xFF, 0x00, 0xE0};
    blob b = load(name);
    dg_dicom_info info;
    uint64_t off, len, expect;
    dg_dicom *d;
    uint32_t i;
    int items_ok = 1;

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    CHECK(info.has_pixels && info.encapsulated && info.pixels_located);
    CHECK(info.item_count == expected_items);
    CHECK(count_items_by_hand(b.data, info.pixel_value_offset, info.pixel_value_length) ==
          (long)expected_items);
    expect = info.pixel_value_offset;
    for (i = 0; i < info.item_count; i++) {
        items_ok &= dg_dicom_get_item(d, i, &off, &len) == DG_DICOM_OK;
        items_ok &= off == expect && memcmp(b.data + off, item, 4) == 0;
        items_ok &= len == 8 + (uint64_t)le32(b.data + off + 4);
        expect = off + len;
    }
    CHECK(items_ok);
    CHECK(expect + 8 == info.pixel_value_offset + info.pixel_value_length);
    CHECK(dg_dicom_get_item(d, info.item_count, &off, &len) == DG_DICOM_ENOTFOUND);
done:
    dg_dicom_free(d);
    free(b.data);
}

static void test_encapsulated(void)
{
    check_encapsulated_file("wg04_CT1_UNC_jpegls_bot.dcm", 2);
    check_encapsulated_file("dp_CT0012_jpegll57_frag_nobot.dcm", 18);
    check_encapsulated_file("gdcm_00191113_XA_4frames_jpegll.dcm", 5); /* odd item */
    check_encapsulated_file("pydicom_JPEG2000-embedded-sequence-delimiter.dcm", 2);
}

/* A deflated file is parsed by DCMTK alone, and can be written inflated. */
static void test_deflated(void)
{
    blob b = load("pydicom_image_dfl.dcm");
    dg_dicom_info info, info2;
    dg_dicom *d = NULL, *d2 = NULL;
    blob out = {NULL, 0};

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    CHECK(info.deflated == 1 && info.pixels_located == 0 && info.has_pixels == 1);
    CHECK(info.rows == 512 && info.cols == 512);
    d2 = write_and_reparse(d, DG_DICOM_TS_EXPLICIT_LE, "inflated.dcm", &out, &info2);
    CHECK(d2 != NULL);
    if (d2 == NULL)
        goto done;
    CHECK(!info2.deflated && info2.pixels_located && info2.pixel_value_length == 512 * 512);
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    free(out.data);
    free(b.data);
}

static void check_refused(const char *name)
{
    blob b = load(name);
    char err[256] = "";
    dg_dicom *d = NULL;

    CHECK(b.data != NULL);
    if (b.data == NULL)
        return;
    CHECK(dg_dicom_parse(b.data, b.len, &d, err, sizeof(err)) == DG_DICOM_EPARSE);
    CHECK(d == NULL && err[0] != '\0');
    free(b.data);
}

/* Files without File Meta (bare datasets, or meta without preamble) are read as DCMTK reads them.
 */
static void check_no_meta(const char *name, const char *ts)
{
    blob b = load(name);
    char err[256] = "";
    dg_dicom *d = NULL;
    dg_dicom_info info;

    CHECK(b.data != NULL);
    if (b.data == NULL)
        return;
    CHECK(dg_dicom_parse(b.data, b.len, &d, err, sizeof(err)) == DG_DICOM_OK);
    CHECK(d != NULL && dg_dicom_get_info(d, &info) == DG_DICOM_OK);
    CHECK(d == NULL ||
          (info.has_pixels && info.pixels_located && strcmp(info.transfer_syntax, ts) == 0));
    dg_dicom_free(d);
    free(b.data);
}

static void test_refused(void)
{
    char err[256] = "";
    dg_dicom *d = NULL;

    check_refused("pydicom_no_meta.dcm");
    check_refused("pydicom_MR_truncated.dcm");
    check_refused("pydicom_rtplan_truncated.dcm");
    check_no_meta("fodicom_CR-MONO1-10-chest.dcm", "1.2.840.10008.1.2");
    check_no_meta("pydicom_JLSL_RGB_ILV0.dcm", "1.2.840.10008.1.2.4.80");
    CHECK(dg_dicom_parse((const uint8_t *)"", 0, &d, err, sizeof(err)) == DG_DICOM_EPARSE);
    CHECK(strstr(err, "not a DICOM file") != NULL);
    CHECK(dg_dicom_parse(NULL, 10, &d, err, sizeof(err)) == DG_DICOM_EINVAL);
}

/* ---- robustness -------------------------------------------------------- */

/* Parses (and when it parses, writes) whatever the bytes are. */
static int try_parse(const uint8_t *buf, size_t len)
{
    char err[256] = "";
    dg_dicom_info info;
    dg_dicom *d = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    int rc;

    rc = dg_dicom_parse(buf, len, &d, err, sizeof(err));
    if (rc != DG_DICOM_OK)
        return err[0] != '\0' ? rc : 1;
    dg_dicom_get_info(d, &info);
    if (dg_dicom_write(d, DG_DICOM_TS_EXPLICIT_LE, &out, &out_len, err, sizeof(err)) == 0)
        free(out);
    dg_dicom_free(d);
    return rc;
}

static void test_truncations(void)
{
    static const char *names[] = {"wg04_CT1_UNC_explicit_le.dcm", "pydicom_test-SR.dcm",
                                  "wg04_CT1_UNC_jpegls_bot.dcm"};
    size_t f, k, cut;
    int ok = 1;

    for (f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
        blob b = load(names[f]);
        dg_dicom_info info;
        dg_dicom *d;

        CHECK(b.data != NULL);
        if (b.data == NULL)
            continue;
        d = parse_blob(b, &info);
        dg_dicom_free(d);
        for (k = 0; k < 20; k++) {
            cut = k < 2 ? k * 131 : b.len * k / 20 + k;
            if (cut >= b.len)
                cut = b.len - 1;
            int rc = try_parse(b.data, cut);
            ok &= rc == DG_DICOM_OK || rc == DG_DICOM_EPARSE;
            /* a cut through the Pixel Data can never be accepted */
            if (info.pixels_located && cut >= info.pixel_value_offset &&
                cut < info.pixel_value_offset + info.pixel_value_length)
                ok &= rc == DG_DICOM_EPARSE;
        }
        free(b.data);
    }
    CHECK(ok);
}

static void test_corruptions(void)
{
    static const char *names[] = {"pydicom_test-SR.dcm", "pydicom_MR_small_jpeg_ls_lossless.dcm",
                                  "pydicom_MR_small_implicit.dcm", "pydicom_MR_small_bigendian.dcm",
                                  "pydicom_rtdose.dcm"};
    size_t f, k, pos;
    int ok = 1;

    rng_state = 12345;
    for (f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
        blob b = load(names[f]);
        uint8_t saved;

        CHECK(b.data != NULL);
        if (b.data == NULL)
            continue;
        for (k = 0; k < 100; k++) {
            pos = next_random() % b.len;
            saved = b.data[pos];
            b.data[pos] = (uint8_t)(k % 3 == 0 ? 0xFF : next_random());
            int rc = try_parse(b.data, b.len);
            ok &= rc == DG_DICOM_OK || rc == DG_DICOM_EPARSE;
            b.data[pos] = saved;
        }
        free(b.data);
    }
    CHECK(ok);
}

/* ---- synthetic nesting ------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* Appends an explicit VR LE element with a short (2-byte) length. */
static size_t put_short_element(uint8_t *p, uint16_t g, uint16_t e, const char *vr,
                                const char *value, size_t len)
{
    put16(p, g);
    put16(p + 2, e);
    p[4] = (uint8_t)vr[0];
    p[5] = (uint8_t)vr[1];
    put16(p + 6, (uint16_t)len);
    memcpy(p + 8, value, len);
    return 8 + len;
}

/* Appends an implicit VR LE element. */
static size_t put_implicit_element(uint8_t *p, uint16_t g, uint16_t e, const char *value,
                                   size_t len)
{
    put16(p, g);
    put16(p + 2, e);
    put32(p + 4, (uint32_t)len);
    memcpy(p + 8, value, len);
    return 8 + len;
}

/*
 * Preamble, DICM, a File Meta group for the transfer syntax, and the SOP
 * Class and Instance UIDs in the dataset's encoding.
 */
static size_t put_file_start(uint8_t *p, const char *ts, int implicit_vr)
{
    static const char sop_class[] = "1.2.840.10008.5.1.4.1.1.7\0";
    static const char sop_instance[] = "1.2.3.4.5.6.7.8.9\0";
    const size_t class_len = sizeof(sop_class) - 1, instance_len = sizeof(sop_instance) - 1;
    size_t n, meta_start, ts_len = strlen(ts);
    char ts_value[66] = {0};

    memset(p, 0, 128);
    memcpy(p + 128, "DICM", 4);
    memcpy(ts_value, ts, ts_len);
    ts_len += ts_len & 1;
    n = 132 + put_short_element(p + 132, 0x0002, 0x0000, "UL", "\0\0\0\0", 4);
    meta_start = n;
    memcpy(p + n, "\x02\x00\x01\x00OB\0\0\x02\0\0\0\0\x01", 14);
    n += 14;
    n += put_short_element(p + n, 0x0002, 0x0002, "UI", sop_class, class_len);
    n += put_short_element(p + n, 0x0002, 0x0003, "UI", sop_instance, instance_len);
    n += put_short_element(p + n, 0x0002, 0x0010, "UI", ts_value, ts_len);
    put32(p + 140, (uint32_t)(n - meta_start));
    if (implicit_vr) {
        n += put_implicit_element(p + n, 0x0008, 0x0016, sop_class, class_len);
        n += put_implicit_element(p + n, 0x0008, 0x0018, sop_instance, instance_len);
    } else {
        n += put_short_element(p + n, 0x0008, 0x0016, "UI", sop_class, class_len);
        n += put_short_element(p + n, 0x0008, 0x0018, "UI", sop_instance, instance_len);
    }
    return n;
}

/* Explicit VR LE, undefined-length Content Sequences nested levels deep. */
static blob nested_undefined(int levels)
{
    blob b;
    size_t n;
    int i;

    b.data = calloc(1, 1024 + (size_t)levels * 40);
    n = put_file_start(b.data, "1.2.840.10008.1.2.1", 0);
    for (i = 0; i < levels; i++) {
        memcpy(b.data + n, "\x40\x00\x30\xA7SQ\0\0\xFF\xFF\xFF\xFF", 12);
        memcpy(b.data + n + 12, "\xFE\xFF\x00\xE0\xFF\xFF\xFF\xFF", 8);
        n += 20;
    }
    n += put_short_element(b.data + n, 0x0040, 0xA010, "CS", "CONTAINS", 8);
    for (i = 0; i < levels; i++) {
        memcpy(b.data + n, "\xFE\xFF\x0D\xE0\0\0\0\0\xFE\xFF\xDD\xE0\0\0\0\0", 16);
        n += 16;
    }
    b.len = n;
    return b;
}

/* Implicit VR LE, defined-length private (0009,1010) values nested as sequences. */
static blob nested_private_defined(int levels)
{
    size_t start, inner, n;
    blob b;
    int i;

    b.data = calloc(1, 1024 + (size_t)levels * 16 + 8);
    start = put_file_start(b.data, "1.2.840.10008.1.2", 1);
    /* build inside out at the end of the buffer, then move into place */
    n = 1024 + (size_t)levels * 16;
    inner = n;
    memcpy(b.data + n, "\x10\x00\x10\x00\0\0\0\0", 8); /* (0010,0010) empty */
    n += 8;
    for (i = 0; i < levels; i++) {
        uint32_t content = (uint32_t)(n - inner);
        inner -= 8;
        put16(b.data + inner, 0xFFFE);
        put16(b.data + inner + 2, 0xE000);
        put32(b.data + inner + 4, content);
        inner -= 8;
        put16(b.data + inner, 0x0009);
        put16(b.data + inner + 2, 0x1010);
        put32(b.data + inner + 4, content + 8);
    }
    /* the private creator (0009,0010) first, implicit VR */
    memcpy(b.data + start, "\x09\x00\x10\x00\x08\x00\x00\x00TESTPRIV", 16);
    memmove(b.data + start + 16, b.data + inner, n - inner);
    b.len = start + 16 + (n - inner);
    return b;
}

static int parse_status(blob b, char *err, size_t errlen)
{
    dg_dicom *d = NULL;
    int rc = dg_dicom_parse(b.data, b.len, &d, err, errlen);

    dg_dicom_free(d);
    return rc;
}

static void test_nesting(void)
{
    char err[256] = "";
    blob b;

    b = nested_undefined(100);
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_EPARSE);
    CHECK(strstr(err, "nested deeper than 64") != NULL);
    free(b.data);
    b = nested_undefined(65);
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_EPARSE);
    free(b.data);
    b = nested_undefined(64);
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_OK);
    free(b.data);
    b = nested_undefined(10);
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_OK);
    free(b.data);

    b = nested_private_defined(100);
    err[0] = '\0';
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_EPARSE);
    CHECK(strstr(err, "nested deeper than 64") != NULL);
    free(b.data);
    b = nested_private_defined(10);
    CHECK(parse_status(b, err, sizeof(err)) == DG_DICOM_OK);
    free(b.data);
}

/* ---- editing and writing ----------------------------------------------- */

/* Writes d, saves it under tmp_dir/name, checks dcmdump, parses it back. */
static dg_dicom *write_and_reparse(dg_dicom *d, dg_dicom_ts ts, const char *name, blob *out,
                                   dg_dicom_info *info)
{
    char path[512];
    char err[256] = "";
    int rc;

    out->data = NULL;
    out->len = 0;
    rc = dg_dicom_write(d, ts, &out->data, &out->len, err, sizeof(err));
    CHECK(rc == DG_DICOM_OK);
    if (rc != DG_DICOM_OK) {
        fprintf(stderr, "write failed: %s\n", err);
        return NULL;
    }
    CHECK(out->len > 132 && memcmp(out->data + 128, "DICM", 4) == 0);
    CHECK(out->data[0] == 0 && out->data[127] == 0);
    CHECK(contains(out->data, 512, "2.25.") && contains(out->data, 512, "DCMGUARD"));
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    CHECK(save(path, out->data, out->len));
    if (have_dcmtk_tools)
        CHECK(dcmdump_accepts(path));
    return parse_blob(*out, info);
}

static void test_jpegls_round_trip(void)
{
    blob b = load("wg04_CT1_UNC_explicit_le.dcm");
    uint8_t frame[1001], priv1[1000], priv2[1000], other[10];
    const uint8_t *frames[1] = {frame};
    size_t lengths[1] = {sizeof(frame)};
    const uint8_t *value;
    size_t value_len;
    uint64_t off, len;
    dg_dicom_info info, info2;
    dg_dicom *d = NULL, *d2 = NULL;
    blob out = {NULL, 0};
    char s[80];

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    fill_random(frame, sizeof(frame));
    fill_random(priv1, sizeof(priv1));
    fill_random(priv2, sizeof(priv2));
    fill_random(other, sizeof(other));
    CHECK(dg_dicom_set_encapsulated_pixels(d, frames, lengths, 1) == DG_DICOM_OK);
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, other, 10) == 0);
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, priv1, 1000) == 0);
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x10, priv2, 1000) == 0);
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, "OTHER", 0x01, other, 10) == 0);
    CHECK(dg_dicom_put_private(d, 0x0009, PRIVATE_CREATOR, 0x05, other, 10) == 0);
    CHECK(dg_dicom_get_string(d, 0x0009, 0x0011, s, sizeof(s)) == 0);
    CHECK(strcmp(s, PRIVATE_CREATOR) == 0);
    CHECK(dg_dicom_set_u16(d, 0x0028, 0x0101, 12) == DG_DICOM_OK);
    CHECK(dg_dicom_set_string(d, 0x0010, 0x0010, "Anon^Test") == DG_DICOM_OK);
    CHECK(dg_dicom_set_string(d, 0x0028, 0x0101, "12") == DG_DICOM_EINVAL); /* US */
    CHECK(dg_dicom_set_string(d, 0x0002, 0x0010, "1.2") == DG_DICOM_EINVAL);
    CHECK(dg_dicom_put_private(d, 0x0010, PRIVATE_CREATOR, 0x01, other, 10) == DG_DICOM_EINVAL);
    CHECK(dg_dicom_write(d, DG_DICOM_TS_EXPLICIT_LE, &out.data, &out.len, s, sizeof(s)) ==
          DG_DICOM_EINVAL);
    CHECK(out.data == NULL && s[0] != '\0');

    d2 = write_and_reparse(d, DG_DICOM_TS_JPEGLS_LOSSLESS, "ct1_jpegls.dcm", &out, &info2);
    CHECK(d2 != NULL);
    if (d2 == NULL)
        goto done;
    CHECK(strcmp(info2.transfer_syntax, "1.2.840.10008.1.2.4.80") == 0);
    CHECK(info2.encapsulated && info2.item_count == 2);
    CHECK(info2.bits_stored == 12 && info2.rows == 512);
    CHECK(dg_dicom_get_string(d2, 0x0010, 0x0010, s, sizeof(s)) == 0);
    CHECK(strcmp(s, "Anon^Test") == 0);
    CHECK(dg_dicom_get_item(d2, 0, &off, &len) == 0 && len == 12 && le32(out.data + off + 8) == 0);
    CHECK(dg_dicom_get_item(d2, 1, &off, &len) == 0 && len == 8 + 1002);
    CHECK(memcmp(out.data + off + 8, frame, 1001) == 0 && out.data[off + 8 + 1001] == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, &value, &value_len) == 0);
    CHECK(value_len == 1000 && memcmp(value, priv1, 1000) == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, PRIVATE_CREATOR, 0x10, &value, &value_len) == 0);
    CHECK(value_len == 1000 && memcmp(value, priv2, 1000) == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, "OTHER", 0x01, &value, &value_len) == 0);
    CHECK(value_len == 10 && memcmp(value, other, 10) == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, PRIVATE_CREATOR, 0x02, &value, &value_len) ==
          DG_DICOM_ENOTFOUND);
    CHECK(dg_dicom_remove_private_block(d2, PRIVATE_GROUP, PRIVATE_CREATOR) == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, &value, &value_len) ==
          DG_DICOM_ENOTFOUND);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, "OTHER", 0x01, &value, &value_len) == 0);
    CHECK(dg_dicom_remove_private_block(d2, PRIVATE_GROUP, PRIVATE_CREATOR) == 0);
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    free(out.data);
    free(b.data);
}

/* Three frames: the Basic Offset Table counts 8 + padded length per frame. */
static void test_offset_table(void)
{
    static const uint8_t f1[5] = {1, 2, 3, 4, 5}, f2[6] = {6}, f3[7] = {7};
    const uint8_t *frames[3] = {f1, f2, f3};
    size_t lengths[3] = {5, 6, 7};
    blob b = load("pydicom_MR_small.dcm");
    dg_dicom_info info, info2;
    dg_dicom *d = NULL, *d2 = NULL;
    blob out = {NULL, 0};
    uint64_t off, len;
    const uint8_t *bot;

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    CHECK(dg_dicom_set_encapsulated_pixels(d, frames, lengths, 0) == DG_DICOM_EINVAL);
    CHECK(dg_dicom_set_encapsulated_pixels(d, frames, lengths, 3) == DG_DICOM_OK);
    CHECK(dg_dicom_set_u16(d, 0x0028, 0x0008, 3) == DG_DICOM_EINVAL); /* IS, not US */
    CHECK(dg_dicom_set_string(d, 0x0028, 0x0008, "3") == DG_DICOM_OK);
    d2 = write_and_reparse(d, DG_DICOM_TS_JPEGLS_LOSSLESS, "bot.dcm", &out, &info2);
    CHECK(d2 != NULL);
    if (d2 == NULL)
        goto done;
    CHECK(info2.item_count == 4 && info2.frames == 3);
    CHECK(dg_dicom_get_item(d2, 0, &off, &len) == 0 && len == 8 + 12);
    bot = out.data + off + 8;
    CHECK(le32(bot) == 0 && le32(bot + 4) == 8 + 6 && le32(bot + 8) == 8 + 6 + 8 + 6);
    CHECK(dg_dicom_get_item(d2, 1, &off, &len) == 0 && len == 8 + 6);
    CHECK(memcmp(out.data + off + 8, f1, 5) == 0 && out.data[off + 8 + 5] == 0);
    CHECK(dg_dicom_get_item(d2, 3, &off, &len) == 0 && len == 8 + 8);
    CHECK(off == info2.pixel_value_offset + 20 + 14 + 14);
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    free(out.data);
    free(b.data);
}

static void test_sr_round_trip(void)
{
    blob b = load("pydicom_test-SR.dcm");
    dg_dicom_info info, info2;
    dg_dicom *d = NULL, *d2 = NULL;
    blob out = {NULL, 0};
    char s[80];

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL)
        goto done;
    CHECK(!info.has_pixels && !info.pixels_located);
    CHECK(dg_dicom_remove_pixels(d) == DG_DICOM_OK);
    d2 = write_and_reparse(d, DG_DICOM_TS_EXPLICIT_LE, "sr_explicit.dcm", &out, &info2);
    CHECK(d2 != NULL);
    if (d2 == NULL)
        goto done;
    CHECK(strcmp(info2.transfer_syntax, "1.2.840.10008.1.2.1") == 0 && !info2.has_pixels);
    CHECK(strcmp(info2.sop_instance_uid, info.sop_instance_uid) == 0);
    CHECK(dg_dicom_get_string(d2, 0x0008, 0x0060, s, sizeof(s)) == 0 && strcmp(s, "SR") == 0);
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    free(out.data);
    free(b.data);
}

/* Big endian in, explicit little endian out: DCMTK swaps the OW pixels. */
static void test_big_endian_round_trip(void)
{
    blob be = load("wg04_CT1_UNC_explicit_be.dcm");
    blob le = load("wg04_CT1_UNC_explicit_le.dcm");
    uint8_t priv[100];
    const uint8_t *value;
    size_t value_len;
    dg_dicom_info info, info2, lei;
    dg_dicom *d = NULL, *d2 = NULL, *ld = NULL;
    blob out = {NULL, 0};

    CHECK(be.data != NULL && le.data != NULL);
    if (be.data == NULL || le.data == NULL)
        goto done;
    d = parse_blob(be, &info);
    ld = parse_blob(le, &lei);
    CHECK(d != NULL && ld != NULL);
    if (d == NULL || ld == NULL)
        goto done;
    fill_random(priv, sizeof(priv));
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, priv, 100) == 0);
    d2 = write_and_reparse(d, DG_DICOM_TS_EXPLICIT_LE, "ct1_from_be.dcm", &out, &info2);
    CHECK(d2 != NULL);
    if (d2 == NULL)
        goto done;
    CHECK(!info2.big_endian && info2.pixel_value_length == CT1_PIXEL_BYTES);
    CHECK(memcmp(out.data + info2.pixel_value_offset, le.data + lei.pixel_value_offset,
                 CT1_PIXEL_BYTES) == 0);
    CHECK(dg_dicom_get_private(d2, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, &value, &value_len) == 0);
    CHECK(value_len == 100 && memcmp(value, priv, 100) == 0);
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    dg_dicom_free(ld);
    free(out.data);
    free(be.data);
    free(le.data);
}

/* dcmconv re-encodes our file: private OB must come back from UN (implicit) and big endian. */
static void check_private_after_dcmconv(const char *option, const uint8_t *priv, size_t n)
{
    char cmd[1024], path[512];
    const uint8_t *value;
    size_t value_len;
    dg_dicom_info info;
    dg_dicom *d = NULL;
    blob b;

    snprintf(path, sizeof(path), "%s/conv%s.dcm", tmp_dir, option);
    snprintf(cmd, sizeof(cmd), "dcmconv %s '%s/private.dcm' '%s' >/dev/null 2>&1", option, tmp_dir,
             path);
    CHECK(system(cmd) == 0);
    b = load_path(path);
    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d != NULL) {
        CHECK(dg_dicom_get_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, &value, &value_len) ==
              0);
        CHECK(value_len == n && memcmp(value, priv, n) == 0);
    }
    dg_dicom_free(d);
    free(b.data);
    unlink(path);
}

static void test_private_reencoded(void)
{
    blob b = load("pydicom_MR_small.dcm");
    uint8_t priv[1000];
    dg_dicom_info info, info2;
    dg_dicom *d = NULL, *d2 = NULL;
    blob out = {NULL, 0};

    CHECK(b.data != NULL);
    d = b.data != NULL ? parse_blob(b, &info) : NULL;
    CHECK(d != NULL);
    if (d == NULL || !have_dcmtk_tools)
        goto done;
    fill_random(priv, sizeof(priv));
    CHECK(dg_dicom_put_private(d, PRIVATE_GROUP, PRIVATE_CREATOR, 0x01, priv, 1000) == 0);
    d2 = write_and_reparse(d, DG_DICOM_TS_EXPLICIT_LE, "private.dcm", &out, &info2);
    CHECK(d2 != NULL);
    check_private_after_dcmconv("+ti", priv, sizeof(priv));
    check_private_after_dcmconv("+tb", priv, sizeof(priv));
done:
    dg_dicom_free(d);
    dg_dicom_free(d2);
    free(out.data);
    free(b.data);
}

static void test_bad_arguments(void)
{
    const uint8_t *frames[1] = {NULL};
    size_t lengths[1] = {0};
    dg_dicom_info info;
    uint8_t *out = NULL;
    size_t out_len = 0;

    CHECK(dg_dicom_get_info(NULL, &info) == DG_DICOM_EINVAL);
    CHECK(dg_dicom_set_encapsulated_pixels(NULL, frames, lengths, 1) == DG_DICOM_EINVAL);
    CHECK(dg_dicom_write(NULL, DG_DICOM_TS_EXPLICIT_LE, &out, &out_len, NULL, 0) ==
          DG_DICOM_EINVAL);
    CHECK(dg_dicom_remove(NULL, 0x0010, 0x0010) == DG_DICOM_EINVAL);
    dg_dicom_free(NULL);
}

/* ---- threads ----------------------------------------------------------- */

static void *parse_and_write_loop(void *arg)
{
    blob *b = arg;
    int i, failures = 0;

    for (i = 0; i < 10; i++)
        failures += try_parse(b->data, b->len) != DG_DICOM_OK;
    return failures != 0 ? arg : NULL;
}

static void test_threads(void)
{
    blob b = load("pydicom_CT_small.dcm");
    pthread_t threads[4];
    void *result;
    int i, ok = 1;

    CHECK(b.data != NULL);
    if (b.data == NULL)
        return;
    for (i = 0; i < 4; i++)
        ok &= pthread_create(&threads[i], NULL, parse_and_write_loop, &b) == 0;
    for (i = 0; i < 4; i++)
        ok &= pthread_join(threads[i], &result) == 0 && result == NULL;
    CHECK(ok);
    free(b.data);
}

/* ---- main -------------------------------------------------------------- */

static void remove_tmp_files(void)
{
    static const char *names[] = {"ct1_jpegls.dcm",  "bot.dcm",     "sr_explicit.dcm",
                                  "ct1_from_be.dcm", "private.dcm", "inflated.dcm"};
    char path[512];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp_dir, names[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
}

int main(int argc, char **argv)
{
    blob probe;

    if (argc > 1)
        data_dir = argv[1];
    probe = load("wg04_CT1_UNC_explicit_le.dcm");
    if (probe.data == NULL) {
        printf("test_dicom: no test data in %s, skipped\n", data_dir);
        return check_summary("test_dicom");
    }
    free(probe.data);
    strcpy(tmp_dir, "/tmp/dg_test_dicom_XXXXXX");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    have_dcmtk_tools = system("dcmdump --version >/dev/null 2>&1") == 0 &&
                       system("dcmconv --version >/dev/null 2>&1") == 0;
    if (!have_dcmtk_tools)
        printf("test_dicom: dcmdump/dcmconv not found, their checks are skipped\n");

    test_ct1_explicit_le();
    test_ct1_other_encodings();
    test_encapsulated();
    test_deflated();
    test_refused();
    test_truncations();
    test_corruptions();
    test_nesting();
    test_jpegls_round_trip();
    test_offset_table();
    test_sr_round_trip();
    test_big_endian_round_trip();
    test_private_reencoded();
    test_bad_arguments();
    test_threads();

    remove_tmp_files();
    return check_summary("test_dicom");
}
