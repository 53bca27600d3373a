/*
 * jpegls.c - JPEG-LS through CharLS 2.x's C API.
 */
#include "jpegls.h"

#include <charls/charls.h>
#include <stdlib.h>

static int valid_image(const dg_jls_image *img)
{
    return img != NULL && img->width > 0 && img->height > 0 && img->width <= 65535 &&
           img->height <= 65535 && img->components >= 1 && img->components <= 4 && img->bits >= 2 &&
           img->bits <= 16;
}

size_t dg_jls_image_bytes(const dg_jls_image *img)
{
    if (!valid_image(img))
        return 0;
    return (size_t)img->width * img->height * (size_t)img->components * (img->bits > 8 ? 2 : 1);
}

static charls_interleave_mode interleave_of(const dg_jls_image *img)
{
    if (img->components == 1 || img->planar)
        return CHARLS_INTERLEAVE_MODE_NONE;
    return CHARLS_INTERLEAVE_MODE_SAMPLE;
}

/*
 * The most a lossless codestream of this image can take: every sample
 * coded with the longest code JPEG-LS allows, LIMIT = 2 (bits + max(8,
 * bits)) bits, plus one stuffed bit in eight after 0xFF bytes, plus the
 * marker segments. Noise codes longer than CharLS's own estimate.
 */
static size_t worst_case_size(const dg_jls_image *img)
{
    size_t samples = (size_t)img->width * img->height * (size_t)img->components;
    size_t limit_bits = 2 * ((size_t)img->bits + (img->bits > 8 ? (size_t)img->bits : 8));
    size_t bytes = samples * limit_bits / 8;
    return bytes + bytes / 7 + 4096;
}

/* One encoding attempt into a buffer of cap bytes (0: CharLS's estimate). */
static int encode_once(const dg_jls_image *img, const void *samples, size_t samples_len, size_t cap,
                       uint8_t **out, size_t *out_len, int *too_small)
{
    charls_jpegls_encoder *enc = charls_jpegls_encoder_create();
    charls_frame_info fi = {img->width, img->height, img->bits, img->components};
    charls_jpegls_errc errc;
    uint8_t *dst = NULL;
    size_t written = 0;
    int rc = DG_JLS_ECODEC;

    *too_small = 0;
    if (enc == NULL)
        return DG_JLS_ENOMEM;
    if (charls_jpegls_encoder_set_frame_info(enc, &fi) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_encoder_set_interleave_mode(enc, interleave_of(img)) !=
            CHARLS_JPEGLS_ERRC_SUCCESS)
        goto done;
    if (cap == 0 && charls_jpegls_encoder_get_estimated_destination_size(enc, &cap) !=
                        CHARLS_JPEGLS_ERRC_SUCCESS)
        goto done;
    dst = malloc(cap);
    if (dst == NULL) {
        rc = DG_JLS_ENOMEM;
        goto done;
    }
    if (charls_jpegls_encoder_set_destination_buffer(enc, dst, cap) != CHARLS_JPEGLS_ERRC_SUCCESS)
        goto done;
    errc = charls_jpegls_encoder_encode_from_buffer(enc, samples, samples_len, 0);
    if (errc == CHARLS_JPEGLS_ERRC_DESTINATION_BUFFER_TOO_SMALL)
        *too_small = 1;
    if (errc != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_encoder_get_bytes_written(enc, &written) != CHARLS_JPEGLS_ERRC_SUCCESS)
        goto done;
    *out = dst;
    *out_len = written;
    dst = NULL;
    rc = DG_JLS_OK;
done:
    free(dst);
    charls_jpegls_encoder_destroy(enc);
    return rc;
}

int dg_jls_encode(const dg_jls_image *img, const void *samples, size_t samples_len, uint8_t **out,
                  size_t *out_len)
{
    int rc, too_small;

    if (samples == NULL || out == NULL || out_len == NULL || dg_jls_image_bytes(img) == 0 ||
        samples_len != dg_jls_image_bytes(img))
        return DG_JLS_EINVAL;
    /* CharLS 2.4.1 writes two sample-interleaved components as a stream it cannot read back */
    if (img->components == 2 && interleave_of(img) == CHARLS_INTERLEAVE_MODE_SAMPLE)
        return DG_JLS_EINVAL;
    rc = encode_once(img, samples, samples_len, 0, out, out_len, &too_small);
    if (rc != DG_JLS_OK && too_small) /* noise: again, with room for the longest codes */
        rc = encode_once(img, samples, samples_len, worst_case_size(img), out, out_len, &too_small);
    return rc;
}

/* Opens a decoder on src and reads its header; the caller destroys it. */
static int open_decoder(const uint8_t *src, size_t src_len, charls_jpegls_decoder **out,
                        dg_jls_image *img, int *lossless)
{
    charls_jpegls_decoder *dec = charls_jpegls_decoder_create();
    charls_frame_info fi;
    charls_interleave_mode mode;
    int32_t near = -1;

    if (dec == NULL)
        return DG_JLS_ENOMEM;
    if (charls_jpegls_decoder_set_source_buffer(dec, src, src_len) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_decoder_read_header(dec) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_decoder_get_frame_info(dec, &fi) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_decoder_get_interleave_mode(dec, &mode) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_decoder_get_near_lossless(dec, 0, &near) != CHARLS_JPEGLS_ERRC_SUCCESS) {
        charls_jpegls_decoder_destroy(dec);
        return DG_JLS_ECODEC;
    }
    img->width = fi.width;
    img->height = fi.height;
    img->components = fi.component_count;
    img->bits = fi.bits_per_sample;
    img->planar = mode == CHARLS_INTERLEAVE_MODE_NONE && fi.component_count > 1;
    *lossless = near == 0 && mode != CHARLS_INTERLEAVE_MODE_LINE;
    *out = dec;
    return DG_JLS_OK;
}

int dg_jls_read_header(const uint8_t *src, size_t src_len, dg_jls_image *img)
{
    charls_jpegls_decoder *dec = NULL;
    int lossless = 0, rc;

    if (src == NULL || img == NULL)
        return DG_JLS_EINVAL;
    rc = open_decoder(src, src_len, &dec, img, &lossless);
    charls_jpegls_decoder_destroy(dec);
    return rc;
}

static int same_geometry(const dg_jls_image *a, const dg_jls_image *b)
{
    return a->width == b->width && a->height == b->height && a->components == b->components &&
           a->bits == b->bits && (a->components == 1 || a->planar == b->planar);
}

/*
 * Length of src up to and including its last end-of-image marker (FF D9), or
 * 0 when it has none.
 *
 * CharLS 2.4.1 (Debian 12) spins for seconds on a scan whose coded bits run
 * to the end of the buffer: its bit reader returns zero bits past the end
 * while counting a unary code, until a 32-bit counter wraps (the loop that
 * team-charls/charls#334 later bounded). At a marker the same reader stops
 * with an error. Every valid codestream ends with EOI, and entropy-coded
 * data cannot contain FF D9, so handing CharLS the bytes up to the last EOI
 * decodes every valid stream as before (padding after EOI is dropped) and
 * guarantees that the reader meets a marker before the end of the buffer.
 */
static size_t through_last_eoi(const uint8_t *src, size_t src_len)
{
    size_t i;

    for (i = src_len; i >= 2; i--)
        if (src[i - 2] == 0xFF && src[i - 1] == 0xD9)
            return i;
    return 0;
}

int dg_jls_decode(const uint8_t *src, size_t src_len, const dg_jls_image *want, void *samples,
                  size_t samples_len)
{
    charls_jpegls_decoder *dec = NULL;
    dg_jls_image got;
    int lossless = 0, rc;

    if (src == NULL || samples == NULL || dg_jls_image_bytes(want) == 0 ||
        samples_len != dg_jls_image_bytes(want))
        return DG_JLS_EINVAL;
    src_len = through_last_eoi(src, src_len);
    if (src_len == 0)
        return DG_JLS_ENOEOI;
    rc = open_decoder(src, src_len, &dec, &got, &lossless);
    if (rc != DG_JLS_OK)
        return rc;
    if (!lossless || !same_geometry(&got, want)) {
        rc = DG_JLS_ECODEC;
        goto done;
    }
    if (charls_jpegls_decoder_decode_to_buffer(dec, samples, samples_len, 0) !=
        CHARLS_JPEGLS_ERRC_SUCCESS)
        rc = DG_JLS_ECODEC;
done:
    charls_jpegls_decoder_destroy(dec);
    return rc;
}

const char *dg_jls_strerror(int status)
{
    switch (status) {
    case DG_JLS_OK:
        return "success";
    case DG_JLS_EINVAL:
        return "invalid image geometry for JPEG-LS";
    case DG_JLS_ENOMEM:
        return "out of memory";
    case DG_JLS_ENOEOI:
        return "JPEG-LS codestream has no end-of-image marker";
    default:
        return "JPEG-LS codestream could not be encoded or decoded";
    }
}
