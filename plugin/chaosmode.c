/*
 * chaosmode.c - the chaos pixel mode: decoding compressed input, checking
 * the image fits the cipher, and encrypting or decrypting the samples of
 * every frame in place, bit for bit. See chaosmode.h; the cipher itself is
 * crypto/chaos.c.
 */
#include "chaosmode.h"
#include "buffer.h"
#include "chaos.h"
#include "jpeg.h"
#include "jpegls.h"
#include "kdf.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS_RLE "1.2.840.10008.1.2.5"
#define TS_JPEG_BASELINE "1.2.840.10008.1.2.4.50"
#define TS_JPEG_EXTENDED "1.2.840.10008.1.2.4.51"
#define TS_JPEGLS_LOSSLESS "1.2.840.10008.1.2.4.80"
#define TS_JPEGLS_NEAR "1.2.840.10008.1.2.4.81"

/* Derived keys the cipher may refuse (weak, or an orbit that collapses): try the next. */
#define MAX_KEY_TRIES 16

/* ---- decoding compressed input ----------------------------------------- */

/* One decoded frame's geometry and where its samples go. */
typedef struct frame_out {
    uint8_t *dst;   /* frame_bytes bytes in the native layout */
    size_t bytes;   /* of one frame */
    int bits_alloc; /* 8 or 16 */
    int planar;     /* what the decoder produced */
    int components;
    int photometric_rgb; /* JPEG colour was converted to RGB */
} frame_out;

/* The fragments of frame f: one per frame, or all of them for a single frame. */
static int frame_bytes_of(const dg_dicom *d, const dg_dicom_info *info, const uint8_t *in,
                          uint32_t f, uint8_t **data, size_t *len)
{
    uint32_t fragments = info->item_count > 0 ? info->item_count - 1 : 0;
    uint32_t first = f + 1, last = f + 1;
    size_t total = 0;
    uint64_t off, n;

    if (fragments == 0 || (fragments != info->frames && info->frames != 1))
        return -1;
    if (info->frames == 1)
        last = fragments;
    for (uint32_t i = first; i <= last; i++) {
        if (dg_dicom_get_item(d, i, &off, &n) != 0 || n < 8)
            return -1;
        total += (size_t)(n - 8);
    }
    *data = malloc(total ? total : 1);
    if (*data == NULL)
        return -1;
    *len = 0;
    for (uint32_t i = first; i <= last; i++) {
        dg_dicom_get_item(d, i, &off, &n);
        memcpy(*data + *len, in + off + 8, (size_t)(n - 8));
        *len += (size_t)(n - 8);
    }
    return 0;
}

/* Widens decoded bytes to 16-bit samples when BitsAllocated says 16. */
static void store_samples(const frame_out *fo, const uint8_t *src, int src_bits, size_t count)
{
    if (fo->bits_alloc == 8 || src_bits > 8) {
        memcpy(fo->dst, src, fo->bytes);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint16_t v = src[i];
        memcpy(fo->dst + 2 * i, &v, 2);
    }
}

static int decode_jpegls_frame(const uint8_t *src, size_t len, frame_out *fo)
{
    dg_jls_image img;
    size_t need;
    uint8_t *buf;
    int rc;

    if (dg_jls_read_header(src, len, &img) != DG_JLS_OK)
        return -1;
    need = dg_jls_image_bytes(&img);
    if (need == 0 ||
        (size_t)img.width * img.height * img.components * (size_t)(fo->bits_alloc / 8) != fo->bytes)
        return -1;
    buf = malloc(need);
    if (buf == NULL)
        return -1;
    rc = dg_jls_decode(src, len, &img, buf, need);
    if (rc == DG_JLS_OK)
        store_samples(fo, buf, img.bits, (size_t)img.width * img.height * img.components);
    fo->planar = img.components > 1 ? img.planar : 0;
    fo->components = img.components;
    dg_wipe(buf, need);
    free(buf);
    return rc == DG_JLS_OK ? 0 : -1;
}

static int decode_jpeg_frame(const uint8_t *src, size_t len, frame_out *fo)
{
    dg_jpeg_image img;
    size_t need;
    uint8_t *buf;
    int rc;

    if (dg_jpeg_read_header(src, len, &img) != DG_JPEG_OK || img.bits != 8)
        return -1;
    need = (size_t)img.width * img.height * img.components;
    if (need * (size_t)(fo->bits_alloc / 8) != fo->bytes)
        return -1;
    buf = malloc(need);
    if (buf == NULL)
        return -1;
    rc = dg_jpeg_decode(src, len, &img, buf, need);
    if (rc == DG_JPEG_OK)
        store_samples(fo, buf, 8, need);
    fo->planar = 0;
    fo->components = img.components;
    fo->photometric_rgb = img.components == 3;
    dg_wipe(buf, need);
    free(buf);
    return rc == DG_JPEG_OK ? 0 : -1;
}

/* Decodes every frame of JPEG or JPEG-LS pixel data into one native buffer. */
static int decode_frames(dg_dicom *d, const dg_dicom_info *info, const uint8_t *in, int jpegls,
                         uint8_t **pixels, size_t *pixels_len, frame_out *fo)
{
    size_t frame =
        (size_t)info->rows * info->cols * info->samples_per_pixel * (info->bits_allocated / 8);
    uint8_t *src = NULL;
    size_t src_len = 0;

    if (frame == 0 || info->frames > SIZE_MAX / frame)
        return -1;
    *pixels_len = frame * info->frames;
    *pixels = malloc(*pixels_len ? *pixels_len : 1);
    if (*pixels == NULL)
        return -1;
    for (uint32_t f = 0; f < info->frames; f++) {
        int rc;
        fo->dst = *pixels + f * frame;
        fo->bytes = frame;
        if (frame_bytes_of(d, info, in, f, &src, &src_len) != 0)
            return -1;
        rc = jpegls ? decode_jpegls_frame(src, src_len, fo) : decode_jpeg_frame(src, src_len, fo);
        /* Compressed pixels: as sensitive as the decoded ones, but public in the input. */
        free(src);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Puts decoded frames in place of the encapsulated ones and says how they are laid out. */
static int replace_with_decoded(dg_dicom *d, const dg_dicom_info *info, const uint8_t *in,
                                int jpegls, char *err, size_t errlen)
{
    frame_out fo;
    uint8_t *pixels = NULL;
    size_t len = 0;
    int rc = DG_OK;

    memset(&fo, 0, sizeof fo);
    fo.bits_alloc = info->bits_allocated;
    if (decode_frames(d, info, in, jpegls, &pixels, &len, &fo) != 0) {
        rc = dg_fail(err, errlen, DG_ECODEC, "chaos mode: the %s pixel data does not decode",
                     jpegls ? "JPEG-LS" : "JPEG");
        goto done;
    }
    if (dg_dicom_set_native_pixels(d, pixels, len, info->bits_allocated) != 0 ||
        (fo.components > 1 && dg_dicom_set_u16(d, 0x0028, 0x0006, (uint16_t)fo.planar) != 0) ||
        (fo.photometric_rgb && dg_dicom_set_string(d, 0x0028, 0x0004, "RGB") != 0))
        rc = dg_fail(err, errlen, DG_EINPUT, "chaos mode: cannot store the decoded pixels");
done:
    if (pixels != NULL)
        dg_wipe(pixels, len);
    free(pixels);
    return rc;
}

static int decode_encapsulated(dg_dicom *d, const dg_dicom_info *info, const uint8_t *in, char *err,
                               size_t errlen)
{
    const char *ts = info->transfer_syntax;

    if (strcmp(ts, TS_RLE) == 0)
        return dg_dicom_decode_rle(d) == 0
                   ? DG_OK
                   : dg_fail(err, errlen, DG_ECODEC,
                             "chaos mode: the RLE pixel data does not decode");
    if (info->bits_allocated != 8 && info->bits_allocated != 16)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "chaos mode: %u bits allocated",
                       (unsigned)info->bits_allocated);
    if (strcmp(ts, TS_JPEGLS_LOSSLESS) == 0 || strcmp(ts, TS_JPEGLS_NEAR) == 0)
        return replace_with_decoded(d, info, in, 1, err, errlen);
    if (strcmp(ts, TS_JPEG_BASELINE) == 0 || strcmp(ts, TS_JPEG_EXTENDED) == 0)
        return replace_with_decoded(d, info, in, 0, err, errlen);
    return dg_fail(err, errlen, DG_EUNSUPPORTED,
                   "chaos mode cannot decode pixel data in transfer syntax %s "
                   "(JPEG baseline, JPEG-LS, RLE and uncompressed are supported)",
                   ts);
}

int dg_chaos_decode(dg_dicom *d, const dg_dicom_info *info, const uint8_t *in, uint8_t **native,
                    size_t *native_len, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    int rc = DG_OK;

    *native = NULL;
    *native_len = 0;
    if (!info->has_pixels || (!info->deflated && !info->encapsulated))
        return DG_OK; /* nothing to decode */
    if (dg_pix_check_geometry(info, why, sizeof why) != 0)
        return dg_fail(err, errlen, DG_EINPUT, "%s", why);
    if (info->encapsulated)
        rc = decode_encapsulated(d, info, in, err, errlen);
    if (rc == DG_OK &&
        dg_dicom_write(d, DG_DICOM_TS_EXPLICIT_LE, native, native_len, why, sizeof why) != 0)
        rc = dg_fail(err, errlen, DG_EINPUT, "chaos mode: cannot write the decoded file: %s", why);
    return rc;
}

/* ---- planning ---------------------------------------------------------- */

int dg_chaos_plan(const dg_dicom_info *info, dg_pixmodel *m, dg_chaos_params *cp, char *err,
                  size_t errlen)
{
    uint64_t frame;

    memset(m, 0, sizeof *m);
    if (!info->has_pixels || !info->pixels_located || info->encapsulated)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "chaos mode needs native pixel data");
    if (info->bits_allocated != 8 && info->bits_allocated != 16)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "chaos mode: %u bits allocated (8 or 16 only)",
                       (unsigned)info->bits_allocated);
    if (info->bits_stored < 1 || info->bits_stored > info->bits_allocated)
        return dg_fail(err, errlen, DG_EINPUT, "chaos mode: BitsStored %u does not fit",
                       (unsigned)info->bits_stored);
    if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "chaos mode: %u samples per pixel",
                       (unsigned)info->samples_per_pixel);
    if (strstr(info->photometric, "_422") != NULL || strstr(info->photometric, "_420") != NULL)
        return dg_fail(err, errlen, DG_EUNSUPPORTED,
                       "chaos mode: subsampled colour (%s) is not supported", info->photometric);
    frame =
        (uint64_t)info->rows * info->cols * info->samples_per_pixel * (info->bits_allocated / 8);
    if (frame == 0 || (uint64_t)info->rows * info->cols < 2 ||
        frame * info->frames > info->pixel_value_length)
        return dg_fail(err, errlen, DG_EUNSUPPORTED,
                       "chaos mode: the image is too small or its pixel data too short");
    m->kind = DG_PIX_CHAOS;
    m->sample_bytes = (uint8_t)(info->bits_allocated / 8);
    m->planar = (uint8_t)(info->samples_per_pixel > 1 ? info->planar_configuration : 0);
    m->big_endian = (uint8_t)(info->big_endian && m->sample_bytes == 2);
    m->components = info->samples_per_pixel;
    m->width = info->cols;
    m->height = info->rows;
    m->frames = info->frames;
    m->frame_bytes = frame;
    m->covered = frame * info->frames;
    cp->bits = (uint8_t)info->bits_stored;
    cp->is_signed = info->pixel_representation == 1;
    cp->rounds = DG_CHAOS_ROUNDS_DEFAULT;
    return DG_OK;
}

static void image_of(const dg_pixmodel *m, const dg_chaos_params *cp, dg_chaos_image *img)
{
    img->rows = m->height;
    img->cols = m->width;
    img->samples_per_pixel = m->components;
    img->frames = m->frames;
    img->planar = m->planar;
    img->bits = cp->bits;
    img->bits_allocated = (uint8_t)(8 * m->sample_bytes);
    img->is_signed = cp->is_signed;
}

/* ---- samples ----------------------------------------------------------- */

static uint16_t load_sample(const uint8_t *p, int bytes, int big_endian)
{
    if (bytes == 1)
        return p[0];
    return big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[0] | p[1] << 8);
}

static void store_sample(uint8_t *p, int bytes, int big_endian, uint16_t v)
{
    if (bytes == 1) {
        p[0] = (uint8_t)v;
    } else if (big_endian) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

/* The value the cipher accepts for v: its low b bits, sign-extended when signed. */
static uint16_t canonical(uint16_t v, unsigned bits, int is_signed, int bytes)
{
    uint16_t mask = bits >= 16 ? 0xFFFF : (uint16_t)((1u << bits) - 1);
    uint16_t low = v & mask;
    uint16_t container = bytes == 1 ? 0xFF : 0xFFFF;

    if (is_signed && bits < 16 && (low >> (bits - 1)) & 1)
        low |= (uint16_t)(container & ~mask);
    return low;
}

/* The chaos key of this instance: HKDF(data key, "dcmguard/v1/chaos", counter). */
static int chaos_key(const uint8_t data_key[32], uint32_t counter, uint8_t key[32])
{
    uint8_t ctx[4];
    dg_store_u32(ctx, counter);
    return dg_kdf(data_key, 32, "dcmguard/v1/chaos", ctx, sizeof ctx, key, 32);
}

static int digest_le(const dg_pixmodel *m, const uint8_t *host, uint8_t out[32])
{
    uint8_t *le = malloc(m->covered ? (size_t)m->covered : 1);
    size_t n = (size_t)m->covered / m->sample_bytes;
    int rc;

    if (le == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint16_t v = 0;
        memcpy(&v, host + i * m->sample_bytes, m->sample_bytes);
        store_sample(le + i * m->sample_bytes, m->sample_bytes, 0,
                     m->sample_bytes == 1 ? host[i] : v);
    }
    rc = dg_sha256(le, (size_t)m->covered, out);
    free(le); /* ciphertext */
    return rc;
}

/* Host-order canonical samples and the XOR residue of what the cipher cannot carry. */
static int split_samples(const dg_pixmodel *m, const dg_chaos_params *cp, const uint8_t *pixels,
                         uint8_t *host, uint8_t *residual, int *any_residual)
{
    size_t n = (size_t)m->covered / m->sample_bytes;
    int bytes = m->sample_bytes;

    *any_residual = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t v = load_sample(pixels + i * bytes, bytes, m->big_endian);
        uint16_t c = canonical(v, cp->bits, cp->is_signed, bytes);
        store_sample(residual + i * bytes, bytes, 0, (uint16_t)(v ^ c));
        *any_residual |= v != c;
        if (bytes == 1)
            host[i] = (uint8_t)c;
        else
            memcpy(host + 2 * i, &c, 2);
    }
    return 0;
}

int dg_chaos_encrypt_pixels(const uint8_t data_key[32], const dg_pixmodel *m, dg_chaos_params *cp,
                            const uint8_t *pixels, uint8_t **cipher, uint8_t **residual, char *err,
                            size_t errlen)
{
    dg_chaos_image img;
    uint8_t key[32];
    size_t len = (size_t)m->covered;
    int any = 0, rc = DG_CHAOS_EWEAKKEY;

    *cipher = malloc(len ? len : 1);
    *residual = malloc(len ? len : 1);
    if (*cipher == NULL || *residual == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    image_of(m, cp, &img);
    split_samples(m, cp, pixels, *cipher, *residual, &any);
    cp->residual = any ? *residual : NULL;
    cp->residual_len = any ? len : 0;
    for (cp->key_counter = 0; cp->key_counter < MAX_KEY_TRIES; cp->key_counter++) {
        if (chaos_key(data_key, cp->key_counter, key) != 0)
            break;
        rc = dg_chaos_encrypt(key, sizeof key, cp->rounds, &img, *cipher, len);
        if (rc != DG_CHAOS_EWEAKKEY && rc != DG_CHAOS_EDEGENERATE)
            break;
    }
    dg_wipe(key, sizeof key);
    if (rc != DG_CHAOS_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "chaos cipher: %s", dg_chaos_strerror(rc));
    if (digest_le(m, *cipher, cp->digest) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "SHA-256 failed");
    return DG_OK;
}

int dg_chaos_decrypt_pixels(const uint8_t data_key[32], const dg_pixmodel *m,
                            const dg_chaos_params *cp, const uint8_t *cipher_le, uint8_t *out,
                            char *err, size_t errlen)
{
    dg_chaos_image img;
    uint8_t digest[32], key[32];
    size_t len = (size_t)m->covered, n = len / m->sample_bytes;
    uint8_t *host;
    int rc;

    if (dg_sha256(cipher_le, len, digest) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "SHA-256 failed");
    if (!dg_equal(digest, cp->digest, 32))
        return dg_fail(err, errlen, DG_EAUTH,
                       "the cipher image does not authenticate (altered pixels)");
    host = malloc(len ? len : 1);
    if (host == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        uint16_t v = load_sample(cipher_le + i * m->sample_bytes, m->sample_bytes, 0);
        if (m->sample_bytes == 1)
            host[i] = (uint8_t)v;
        else
            memcpy(host + 2 * i, &v, 2);
    }
    image_of(m, cp, &img);
    rc = chaos_key(data_key, cp->key_counter, key) == 0
             ? dg_chaos_decrypt(key, sizeof key, cp->rounds, &img, host, len)
             : DG_CHAOS_EINVAL;
    dg_wipe(key, sizeof key);
    if (rc == DG_CHAOS_OK) {
        for (size_t i = 0; i < n; i++) {
            uint16_t v = 0, r = 0;
            if (m->sample_bytes == 1)
                v = host[i];
            else
                memcpy(&v, host + 2 * i, 2);
            if (cp->residual != NULL)
                r = load_sample(cp->residual + i * m->sample_bytes, m->sample_bytes, 0);
            store_sample(out + i * m->sample_bytes, m->sample_bytes, m->big_endian, v ^ r);
        }
    }
    dg_wipe(host, len);
    free(host);
    return rc == DG_CHAOS_OK
               ? DG_OK
               : dg_fail(err, errlen, DG_ECRYPTO, "chaos cipher: %s", dg_chaos_strerror(rc));
}
