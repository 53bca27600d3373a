/*
 * test_jpeg.c - unit tests of codecs/jpeg: decoding of synthetic images
 * encoded here with TurboJPEG at quality 100, hand-made headers (lossless,
 * 12-bit, progressive, odd components, broken segments), truncations and
 * corruptions (which must never crash, and a truncated frame never decodes),
 * and the JPEG frames of the real files of testdata/files, against DCMTK's
 * dcmdjpeg when it is installed.
 *
 * Usage: test_jpeg [TESTDATA_FILES_DIR]   (default ../shared/testdata)
 * The real-file checks are skipped, passing, when the files are missing.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "check.h"
#include "jpeg.h"

static const char *data_dir = "../shared/testdata";
static char tmp_dir[64];

static uint32_t rng = 2024;
static uint32_t next_random(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}


/* A heap copy of exactly len bytes, so that ASan sees any read past src + len. */
static uint8_t *copy_exact(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    if (p != NULL && len > 0)
        memcpy(p, src, len);
    return p;
}

static int decode_copy(const uint8_t *src, size_t len, const dg_jpeg_image *want, uint8_t *out,
                       size_t out_len)
{
    uint8_t *p = copy_exact(src, len);
    int rc = dg_jpeg_decode(p, len, want, out, out_len);

    free(p);
    return rc;
}

static int max_diff(const uint8_t *a, const uint8_t *b, size_t n, double *mean)
{
    int worst = 0;
    double sum = 0;

    for (size_t i = 0; i < n; i++) {
        int d = abs((int)a[i] - (int)b[i]);
        sum += d;
        if (d > worst)
            worst = d;
    }
    if (mean != NULL)
        *mean = n ? sum / (double)n : 0;
    return worst;
}

/* ---- synthetic images ---------------------------------------------------- */

/* A smooth image with a little noise, encoded with TurboJPEG (accurate DCT). */
static uint8_t *make_image(uint32_t w, uint32_t h, int comps, int subsamp, uint8_t **jpeg,
                           unsigned long *jpeg_len)
{
    size_t n = (size_t)w * h * (size_t)comps;
    uint8_t *px = malloc(n);
    tjhandle tj = tjInitCompress();

    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (int c = 0; c < comps; c++) {
                int v = (int)((x * 200) / w + (y * 40) / h) + c * 9 + (int)(next_random() % 5);
                px[((size_t)y * w + x) * (size_t)comps + (size_t)c] = (uint8_t)(v > 255 ? 255 : v);
            }
    *jpeg = NULL;
    *jpeg_len = 0;
    CHECK(tj != NULL);
    CHECK(tjCompress2(tj, px, (int)w, 0, (int)h, comps == 3 ? TJPF_RGB : TJPF_GRAY, jpeg, jpeg_len,
                      subsamp, 100, TJFLAG_ACCURATEDCT) == 0);
    tjDestroy(tj);
    return px;
}

/* Offset of the first SOFn marker's 0xFF in a TurboJPEG codestream (no fill bytes there). */
static size_t find_sof(const uint8_t *p, size_t len)
{
    size_t pos = 2;

    while (pos + 4 <= len && p[pos] == 0xFF) {
        uint8_t m = p[pos + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xCC)
            return pos;
        pos += 2 + ((size_t)p[pos + 2] << 8 | p[pos + 3]);
    }
    return 0;
}

static void test_synthetic(uint32_t w, uint32_t h, int comps, int subsamp, int tolerance)
{
    uint8_t *jpeg = NULL;
    unsigned long jpeg_len = 0;
    uint8_t *px = make_image(w, h, comps, subsamp, &jpeg, &jpeg_len);
    size_t n = (size_t)w * h * (size_t)comps;
    uint8_t *out = malloc(n), *again = malloc(n);
    dg_jpeg_image want = {w, h, comps, 8}, got = {0, 0, 0, 0};
    double mean = 0;
    int worst;

    CHECK(dg_jpeg_read_header(jpeg, jpeg_len, &got) == DG_JPEG_OK);
    CHECK(got.width == w && got.height == h && got.components == comps && got.bits == 8);
    CHECK(decode_copy(jpeg, jpeg_len, &want, out, n) == DG_JPEG_OK);
    worst = max_diff(px, out, n, &mean);
    printf("  %ux%u x%d subsampling %d: %lu bytes, max |error| %d, mean %.3f\n", w, h, comps,
           subsamp, jpeg_len, worst, mean);
    CHECK(worst <= tolerance);
    CHECK(mean < 1.5);
    /* The same codestream decodes to the same samples. */
    CHECK(decode_copy(jpeg, jpeg_len, &want, again, n) == DG_JPEG_OK);
    CHECK(memcmp(out, again, n) == 0);

    /* DICOM pads odd-length fragments with a zero after EOI: ignored. */
    {
        uint8_t *padded = malloc(jpeg_len + 1);
        memcpy(padded, jpeg, jpeg_len);
        padded[jpeg_len] = 0;
        CHECK(dg_jpeg_decode(padded, jpeg_len + 1, &want, again, n) == DG_JPEG_OK);
        CHECK(memcmp(out, again, n) == 0);
        free(padded);
    }

    /* A header that does not match what is expected is refused. */
    dg_jpeg_image wrong = want;
    wrong.width = w + 1;
    uint8_t *big = malloc((size_t)(w + 1) * (h + 1) * 3);
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, big, (size_t)(w + 1) * h * (size_t)comps) ==
          DG_JPEG_ECODEC);
    wrong = want;
    wrong.height = h + 1;
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, big, (size_t)w * (h + 1) * (size_t)comps) ==
          DG_JPEG_ECODEC);
    wrong = want;
    wrong.components = comps == 3 ? 1 : 3;
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, big, (size_t)w * h * (size_t)wrong.components) ==
          DG_JPEG_ECODEC);
    wrong = want;
    wrong.bits = 12;
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, big, n) == DG_JPEG_EUNSUPPORTED);
    free(big);

    /* Invalid arguments. */
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &want, out, n - 1) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &want, out, n + 1) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_decode(NULL, jpeg_len, &want, out, n) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, NULL, out, n) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &want, NULL, n) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_read_header(NULL, jpeg_len, &got) == DG_JPEG_EINVAL);
    CHECK(dg_jpeg_read_header(jpeg, jpeg_len, NULL) == DG_JPEG_EINVAL);
    wrong = want;
    wrong.bits = 16;
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, out, n) == DG_JPEG_EINVAL);
    wrong = want;
    wrong.components = 2;
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &wrong, out, n) == DG_JPEG_EINVAL);

    /* Every truncation is refused, from the empty stream to the one without its last byte. */
    int truncated_ok = 0;
    for (size_t len = 0; len < jpeg_len; len++)
        if (decode_copy(jpeg, len, &want, out, n) == DG_JPEG_OK)
            truncated_ok++;
    CHECK(truncated_ok == 0);

    /* Corruption of each byte: any status, but never a crash or a read out of bounds. */
    uint8_t *bad = copy_exact(jpeg, jpeg_len);
    for (size_t i = 0; i < jpeg_len; i++) {
        static const uint8_t values[] = {0x00, 0xFF, 0x7F};
        for (size_t v = 0; v < sizeof(values); v++) {
            uint8_t keep = bad[i];
            bad[i] = values[v] == keep ? (uint8_t)~keep : values[v];
            (void)dg_jpeg_decode(bad, jpeg_len, &want, out, n);
            if (dg_jpeg_read_header(bad, jpeg_len, &got) == DG_JPEG_OK)
                CHECK(got.width >= 1 && got.height >= 1);
            bad[i] = keep;
        }
    }
    free(bad);

    tjFree(jpeg);
    free(px);
    free(out);
    free(again);
}

/* ---- hand-made headers ----------------------------------------------------- */

static int header_of(const uint8_t *p, size_t len)
{
    dg_jpeg_image img;
    uint8_t *q = copy_exact(p, len);
    int rc = dg_jpeg_read_header(q, len, &img);

    free(q);
    return rc;
}

/* The synthetic gray codestream with its SOF altered, or a segment inserted before it. */
static void test_headers(void)
{
    uint8_t *jpeg = NULL;
    unsigned long jpeg_len = 0;
    uint8_t *px = make_image(24, 16, 1, TJSAMP_GRAY, &jpeg, &jpeg_len);
    size_t sof = find_sof(jpeg, jpeg_len), n = 24 * 16;
    uint8_t *b = copy_exact(jpeg, jpeg_len), *out = malloc(n), *ref = malloc(n);
    dg_jpeg_image want = {24, 16, 1, 8};

    CHECK(sof > 0 && jpeg[sof + 1] == 0xC0);
    CHECK(dg_jpeg_decode(jpeg, jpeg_len, &want, ref, n) == DG_JPEG_OK);

    /* Lossless (SOF3, as in transfer syntaxes .57 and .70), its variants, the rest. */
    static const uint8_t unsupported[] = {0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC8,
                                          0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF};
    for (size_t i = 0; i < sizeof(unsupported); i++) {
        b[sof + 1] = unsupported[i];
        CHECK(header_of(b, jpeg_len) == DG_JPEG_EUNSUPPORTED);
        CHECK(dg_jpeg_decode(b, jpeg_len, &want, out, n) == DG_JPEG_EUNSUPPORTED);
    }
    b[sof + 1] = 0xC1; /* extended sequential: decodes like baseline */
    CHECK(header_of(b, jpeg_len) == DG_JPEG_OK);
    CHECK(dg_jpeg_decode(b, jpeg_len, &want, out, n) == DG_JPEG_OK);
    CHECK(memcmp(out, ref, n) == 0);
    b[sof + 1] = 0xC0;

    /* Precision: 12 is unsupported, anything else but 8 corrupt. */
    b[sof + 4] = 12;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_EUNSUPPORTED);
    CHECK(dg_jpeg_decode(b, jpeg_len, &want, out, n) == DG_JPEG_EUNSUPPORTED);
    b[sof + 4] = 16;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    b[sof + 4] = 8;
    /* Height 0 (a DNL marker would give it) and width 0. */
    b[sof + 5] = b[sof + 6] = 0;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    memcpy(b, jpeg, jpeg_len);
    b[sof + 7] = b[sof + 8] = 0;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    memcpy(b, jpeg, jpeg_len);
    /* Sampling factor 0, quantisation table 4. */
    b[sof + 11] = 0x01;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    memcpy(b, jpeg, jpeg_len);
    b[sof + 12] = 4;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    memcpy(b, jpeg, jpeg_len);
    /* A component count that does not agree with the segment length. */
    b[sof + 9] = 3;
    CHECK(header_of(b, jpeg_len) == DG_JPEG_ECODEC);
    memcpy(b, jpeg, jpeg_len);

    /* Fill bytes, a COM segment and a TEM marker before the SOF: accepted, as by libjpeg. */
    {
        static const uint8_t extra[] = {0xFF, 0xFF, 0xFE, 0x00, 0x05, 'd', 'c', 'm', 0xFF, 0x01};
        uint8_t *c = malloc(jpeg_len + sizeof(extra));
        memcpy(c, jpeg, sof);
        memcpy(c + sof, extra, sizeof(extra));
        memcpy(c + sof + sizeof(extra), jpeg + sof, jpeg_len - sof);
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_OK);
        CHECK(decode_copy(c, jpeg_len + sizeof(extra), &want, out, n) == DG_JPEG_OK);
        CHECK(memcmp(out, ref, n) == 0);
        /* Garbage between segments, an unknown marker, a hierarchical DHP: refused. */
        c[sof] = 0x00;
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_ECODEC);
        c[sof] = 0xFF;
        c[sof + 2] = 0xF0;
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_ECODEC);
        c[sof + 2] = 0xDE;
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_EUNSUPPORTED);
        c[sof + 2] = 0xDA; /* SOS before the frame header */
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_ECODEC);
        c[sof + 2] = 0xFE;
        c[sof + 3] = 0xFF; /* a COM running past the end */
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_ECODEC);
        c[sof + 3] = 0x00;
        c[sof + 4] = 0x01; /* length 1 */
        CHECK(header_of(c, jpeg_len + sizeof(extra)) == DG_JPEG_ECODEC);
        free(c);
    }

    /* Minimal streams: 2 and 4 components are unsupported, 3 is fine. */
    {
        uint8_t s[32] = {0xFF, 0xD8, 0xFF, 0xC0, 0, 0, 8, 0, 10, 0, 20};
        for (int comps = 1; comps <= 4; comps++) {
            size_t seg = 8 + 3 * (size_t)comps;
            s[4] = 0;
            s[5] = (uint8_t)seg;
            s[11] = (uint8_t)comps;
            for (int c = 0; c < comps; c++) {
                s[12 + 3 * c] = (uint8_t)(c + 1);
                s[13 + 3 * c] = 0x11;
                s[14 + 3 * c] = 0;
            }
            dg_jpeg_image img = {0, 0, 0, 0};
            uint8_t *exact = copy_exact(s, 4 + seg);
            int rc = dg_jpeg_read_header(exact, 4 + seg, &img);
            free(exact);
            if (comps == 1 || comps == 3) {
                CHECK(rc == DG_JPEG_OK);
                CHECK(img.width == 20 && img.height == 10 && img.components == comps &&
                      img.bits == 8);
                /* A header alone does not decode. */
                dg_jpeg_image w = {20, 10, comps, 8};
                uint8_t buf[600];
                CHECK(decode_copy(s, 4 + seg, &w, buf, 200 * (size_t)comps) == DG_JPEG_ECODEC);
            } else {
                CHECK(rc == DG_JPEG_EUNSUPPORTED);
            }
            /* Every shorter prefix of the header is refused. */
            for (size_t len = 0; len < 4 + seg; len++)
                CHECK(header_of(s, len) == DG_JPEG_ECODEC);
        }
    }
    CHECK(header_of((const uint8_t *)"not a jpeg", 10) == DG_JPEG_ECODEC);

    free(b);
    free(out);
    free(ref);
    free(px);
    tjFree(jpeg);
}

/* ---- real files -------------------------------------------------------------- */

typedef struct frames {
    blob frame[64];
    int count;
} frames;

/*
 * The frames of the encapsulated Pixel Data (explicit VR little endian,
 * undefined length, the last one in the file): fragments after the Basic
 * Offset Table, a new frame at each fragment that starts with SOI.
 */
static int split_frames(blob file, frames *out)
{
    static const uint8_t tag[] = {0xE0, 0x7F, 0x10, 0x00};
    size_t pos = 0, at = 0;
    int found = 0;

    out->count = 0;
    for (size_t i = 0; i + 12 <= file.len; i++)
        if (memcmp(file.data + i, tag, 4) == 0 && file.data[i + 5] == 'B' &&
            (file.data[i + 4] == 'O' || file.data[i + 4] == 'W') &&
            memcmp(file.data + i + 8, "\xFF\xFF\xFF\xFF", 4) == 0) {
            at = i + 12;
            found = 1;
        }
    if (!found)
        return -1;
    pos = at;
    for (int item = 0;; item++) {
        uint32_t len;
        if (pos + 8 > file.len || file.data[pos] != 0xFE || file.data[pos + 1] != 0xFF)
            return -1;
        len = (uint32_t)file.data[pos + 4] | (uint32_t)file.data[pos + 5] << 8 |
              (uint32_t)file.data[pos + 6] << 16 | (uint32_t)file.data[pos + 7] << 24;
        if (file.data[pos + 2] == 0xDD && file.data[pos + 3] == 0xE0)
            return out->count;
        if (file.data[pos + 2] != 0x00 || file.data[pos + 3] != 0xE0 || len > file.len - pos - 8)
            return -1;
        pos += 8;
        if (item > 0) {
            const uint8_t *frag = file.data + pos;
            int starts = len >= 2 && frag[0] == 0xFF && frag[1] == 0xD8;
            if (starts || out->count == 0) {
                if (out->count == 64)
                    return -1;
                out->frame[out->count].data = NULL;
                out->frame[out->count].len = 0;
                out->count++;
            }
            blob *f = &out->frame[out->count - 1];
            uint8_t *grown = realloc(f->data, f->len + len + 1);
            if (grown == NULL)
                return -1;
            memcpy(grown + f->len, frag, len);
            f->data = grown;
            f->len += len;
        }
        pos += len;
    }
}

static void free_frames(frames *fr)
{
    for (int i = 0; i < fr->count; i++)
        free(fr->frame[i].data);
    fr->count = 0;
}

/* dcmdjpeg's decoding (DCMTK's own IJG code), colour-by-pixel; NULL data without dcmdjpeg. */
static blob dcmdjpeg_pixels(const char *name)
{
    char cmd[2048], out[256], raw[512];
    blob b = {NULL, 0};

    snprintf(out, sizeof(out), "%s/decoded.dcm", tmp_dir);
    snprintf(cmd, sizeof(cmd), "dcmdjpeg -q +px '%s/%s' '%s' && dcmdump -q +W '%s' '%s' >/dev/null",
             data_dir, name, out, tmp_dir, out);
    if (system(cmd) != 0)
        return b;
    snprintf(raw, sizeof(raw), "%s/decoded.dcm.0.raw", tmp_dir);
    b = load_path(raw);
    unlink(raw);
    unlink(out);
    return b;
}

typedef struct real_file {
    const char *name;
    uint32_t width, height;
    int components, frames;
    int status; /* of every frame */
} real_file;

static const real_file real_files[] = {
    /* JPEG Baseline (.50): gray, RGB stored as RGB, YBR_FULL, YBR_FULL_422 (30 frames). */
    {"pljd_JPEGBaseline_1s_1f_u_08_08.dcm", 100, 100, 1, 1, DG_JPEG_OK},
    {"pydicom_SC_rgb_dcmtk_+eb+cr.dcm", 100, 100, 3, 1, DG_JPEG_OK},
    {"pydicom_SC_rgb_dcmtk_+eb+cy+n1.dcm", 100, 100, 3, 1, DG_JPEG_OK},
    {"pydicom_examples_ybr_color.dcm", 320, 240, 3, 30, DG_JPEG_OK},
    /* JPEG Extended (.51), 12 bits. */
    {"pydicom_JPGExtended.dcm", 256, 1024, 1, 1, DG_JPEG_EUNSUPPORTED},
    /* Lossless (.70 and .57), 8 to 16 bits. */
    {"dcmqats_5_JPEGLL70_dcmcjpeg.dcm", 384, 384, 1, 1, DG_JPEG_EUNSUPPORTED},
    {"pydicom_JPGLosslessP14SV1_1s_1f_8b.dcm", 1024, 768, 1, 1, DG_JPEG_EUNSUPPORTED},
    {"pydicom_JPEG-LL.dcm", 256, 1024, 1, 1, DG_JPEG_EUNSUPPORTED},
    {"dp_CT0012_jpegll57_frag_nobot.dcm", 512, 512, 1, 2, DG_JPEG_EUNSUPPORTED},
    {"gdcm_00191113_XA_4frames_jpegll.dcm", 512, 512, 1, 4, DG_JPEG_EUNSUPPORTED},
};

static void test_real_file(const real_file *rf, int have_dcmdjpeg)
{
    char path[1024];
    blob file, ref = {NULL, 0};
    frames fr;
    size_t n = (size_t)rf->width * rf->height * (size_t)rf->components;
    uint8_t *out = malloc(n);
    dg_jpeg_image want = {rf->width, rf->height, rf->components, 8};

    snprintf(path, sizeof(path), "%s/%s", data_dir, rf->name);
    file = load_path(path);
    CHECK(file.data != NULL);
    if (file.data == NULL) {
        free(out);
        return;
    }
    CHECK(split_frames(file, &fr) == rf->frames);
    if (rf->status == DG_JPEG_OK && have_dcmdjpeg) {
        ref = dcmdjpeg_pixels(rf->name);
        CHECK(ref.len == n * (size_t)rf->frames);
    }
    int worst = 0, differing = 0;
    for (int i = 0; i < fr.count; i++) {
        dg_jpeg_image got = {0, 0, 0, 0};
        int rc = dg_jpeg_read_header(fr.frame[i].data, fr.frame[i].len, &got);
        CHECK(rc == rf->status);
        if (rc == DG_JPEG_OK)
            CHECK(got.width == rf->width && got.height == rf->height &&
                  got.components == rf->components && got.bits == 8);
        CHECK(decode_copy(fr.frame[i].data, fr.frame[i].len, &want, out, n) == rf->status);
        if (rf->status == DG_JPEG_OK && ref.len == n * (size_t)rf->frames) {
            int d = max_diff(out, ref.data + n * (size_t)i, n, NULL);
            if (d > worst)
                worst = d;
            differing += memcmp(out, ref.data + n * (size_t)i, n) != 0;
        }
    }
    if (rf->status == DG_JPEG_OK) {
        printf("  %s: %d frame(s) decoded", rf->name, fr.count);
        if (ref.data != NULL)
            printf(", max |difference| from dcmdjpeg %d (%d frame(s) not identical)", worst,
                   differing);
        printf("\n");
        /* libjpeg-turbo's IDCT (ISLOW), fancy upsampling and YCbCr->RGB conversion give
         * exactly the samples of DCMTK's IJG 6b code on these frames. */
        CHECK(worst == 0 && differing == 0);
    } else {
        printf("  %s: refused (%s)\n", rf->name, dg_jpeg_strerror(rf->status));
    }

    /* The first frame truncated, and randomly corrupted: refused or decoded, never a crash. */
    if (fr.count > 0 && rf->status == DG_JPEG_OK) {
        blob f = fr.frame[0];
        size_t step = f.len / 97 + 1;
        int truncated_ok = 0;
        for (size_t len = 0; len < f.len - 2; len += step)
            truncated_ok += decode_copy(f.data, len, &want, out, n) == DG_JPEG_OK;
        CHECK(truncated_ok == 0);
        uint8_t *bad = copy_exact(f.data, f.len);
        for (int t = 0; t < 200; t++) {
            memcpy(bad, f.data, f.len);
            for (int k = 0; k < 1 + t % 4; k++)
                bad[next_random() % f.len] = (uint8_t)next_random();
            (void)dg_jpeg_decode(bad, f.len, &want, out, n);
        }
        free(bad);
    }
    free_frames(&fr);
    free(ref.data);
    free(file.data);
    free(out);
}

static void test_real_files(void)
{
    char probe[1024];
    int have_dcmdjpeg;

    snprintf(probe, sizeof(probe), "%s/%s", data_dir, real_files[0].name);
    if (access(probe, R_OK) != 0) {
        printf("test_jpeg: no test data in %s, real files skipped\n", data_dir);
        return;
    }
    strcpy(tmp_dir, "/tmp/dg_test_jpeg_XXXXXX");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        CHECK(0);
        return;
    }
    have_dcmdjpeg = system("dcmdjpeg --version >/dev/null 2>&1") == 0 &&
                    system("dcmdump --version >/dev/null 2>&1") == 0;
    if (!have_dcmdjpeg)
        printf("test_jpeg: dcmdjpeg/dcmdump not found, comparisons with DCMTK skipped\n");
    for (size_t i = 0; i < sizeof(real_files) / sizeof(real_files[0]); i++)
        test_real_file(&real_files[i], have_dcmdjpeg);
    rmdir(tmp_dir);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    printf("synthetic images (quality 100):\n");
    test_synthetic(37, 23, 1, TJSAMP_GRAY, 4);
    test_synthetic(40, 30, 3, TJSAMP_444, 6);
    test_synthetic(33, 17, 3, TJSAMP_422, 12);
    test_synthetic(16, 16, 3, TJSAMP_420, 12);
    test_synthetic(1, 1, 1, TJSAMP_GRAY, 4);
    test_headers();
    printf("real files:\n");
    test_real_files();
    for (int s = DG_JPEG_EUNSUPPORTED; s <= DG_JPEG_OK; s++)
        CHECK(dg_jpeg_strerror(s) != NULL && dg_jpeg_strerror(s)[0] != '\0');
    return check_summary("test_jpeg");
}
