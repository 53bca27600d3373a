/*
 * jpeg.c - lossy 8-bit JPEG decoding through libjpeg-turbo's TurboJPEG API.
 *
 * The frame header is read here, by a bounds-checked walk over the markers
 * up to the first SOFn, rather than with tjDecompressHeader3(): that tells
 * lossless and 12-bit codestreams apart from corrupt ones (libjpeg-turbo 2.1
 * only says "unsupported"), and tjDecompressHeader3() of 2.1 refuses the
 * sampling factors it has no TJSAMP_* name for, which tjDecompress2()
 * decodes fine. The walk accepts exactly the markers libjpeg accepts before a
 * frame header, without skipping garbage, so both see the same SOFn.
 *
 * Determinism: decoding a given codestream gives the same samples on every
 * run of a given libjpeg-turbo build: the accurate integer IDCT (ISLOW,
 * asked for with TJFLAG_ACCURATEDCT, also TurboJPEG's default when
 * decompressing), fancy upsampling and the YCbCr->RGB conversion are all
 * integer arithmetic, and libjpeg-turbo's SIMD versions of them are bit-exact
 * with its C code. Another build, version or decoder (DCMTK's IJG fork, GDCM)
 * may still differ by a little on some samples: lossy JPEG only defines the
 * IDCT's accuracy, not its exact output.
 */
#include "jpeg.h"

#include <limits.h>
#include <turbojpeg.h>

static int valid_geometry(const dg_jpeg_image *img)
{
    return img != NULL && img->width > 0 && img->height > 0 && img->width <= 65535 &&
           img->height <= 65535 && (img->components == 1 || img->components == 3) &&
           (img->bits == 8 || img->bits == 12);
}

/* Bytes of the decoded 8-bit samples; 0 when the geometry is invalid or does not fit. */
static size_t image_bytes(const dg_jpeg_image *img)
{
    if (!valid_geometry(img) || img->bits != 8)
        return 0;
    if ((size_t)img->width > SIZE_MAX / img->height / (size_t)img->components)
        return 0;
    return (size_t)img->width * img->height * (size_t)img->components;
}

/* Reads a frame header's segment (after its length), whose marker is SOFn. */
static int read_frame_header(uint8_t marker, const uint8_t *seg, size_t n, dg_jpeg_image *img)
{
    uint32_t height, width;
    int precision, count;

    /* SOF0 baseline and SOF1 extended sequential, Huffman-coded, are all
     * transfer syntaxes .50 and .51 hold. Not SOF3 (lossless, .57 and .70),
     * SOF2 (progressive), SOF5..7 (hierarchical), SOF9..15 (arithmetic
     * coding, lossless and hierarchical variants included), C8 (reserved). */
    if (marker != 0xC0 && marker != 0xC1)
        return DG_JPEG_EUNSUPPORTED;
    if (n < 6)
        return DG_JPEG_ECODEC;
    precision = seg[0];
    height = (uint32_t)seg[1] << 8 | seg[2];
    width = (uint32_t)seg[3] << 8 | seg[4];
    count = seg[5];
    if (n != 6 + 3 * (size_t)count)
        return DG_JPEG_ECODEC;
    if (precision == 12)
        return DG_JPEG_EUNSUPPORTED;
    /* A height of 0 defers it to a DNL marker, which libjpeg does not support either. */
    if (precision != 8 || width == 0 || height == 0 || count == 0)
        return DG_JPEG_ECODEC;
    if (count != 1 && count != 3)
        return DG_JPEG_EUNSUPPORTED;
    for (int i = 0; i < count; i++) {
        const uint8_t *c = seg + 6 + 3 * i;
        int h = c[1] >> 4, v = c[1] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4 || c[2] > 3)
            return DG_JPEG_ECODEC;
    }
    img->width = width;
    img->height = height;
    img->components = count;
    img->bits = precision;
    return DG_JPEG_OK;
}

/* Walks from SOI to the first SOFn, never past src + src_len. */
static int parse_header(const uint8_t *src, size_t src_len, dg_jpeg_image *img)
{
    size_t pos = 2;

    if (src_len < 4 || src[0] != 0xFF || src[1] != 0xD8)
        return DG_JPEG_ECODEC;
    for (;;) {
        uint8_t marker;
        size_t len;

        if (pos >= src_len || src[pos] != 0xFF)
            return DG_JPEG_ECODEC;
        while (pos < src_len && src[pos] == 0xFF) /* fill bytes */
            pos++;
        if (pos >= src_len)
            return DG_JPEG_ECODEC;
        marker = src[pos++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; /* TEM and RSTn stand alone; libjpeg lets them pass here */
        if (marker == 0xDE || marker == 0xDF)
            return DG_JPEG_EUNSUPPORTED; /* DHP, EXP: hierarchical */
        if (src_len - pos < 2)
            return DG_JPEG_ECODEC;
        len = (size_t)src[pos] << 8 | src[pos + 1];
        if (len < 2 || len > src_len - pos)
            return DG_JPEG_ECODEC;
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xCC)
            return read_frame_header(marker, src + pos + 2, len - 2, img);
        /* DHT, DAC, DNL, DQT, DRI, APPn, COM: the rest libjpeg rejects too. */
        if (marker != 0xC4 && marker != 0xCC && !(marker >= 0xDB && marker <= 0xDD) &&
            !(marker >= 0xE0 && marker <= 0xEF) && marker != 0xFE)
            return DG_JPEG_ECODEC;
        pos += len;
    }
}

int dg_jpeg_read_header(const uint8_t *src, size_t src_len, dg_jpeg_image *img)
{
    dg_jpeg_image got;
    int rc;

    if (src == NULL || img == NULL)
        return DG_JPEG_EINVAL;
    rc = parse_header(src, src_len, &got);
    if (rc == DG_JPEG_OK)
        *img = got;
    return rc;
}

int dg_jpeg_decode(const uint8_t *src, size_t src_len, const dg_jpeg_image *want, uint8_t *samples,
                   size_t samples_len)
{
    tjhandle tj = NULL;
    dg_jpeg_image got;
    int rc;

    if (src == NULL || samples == NULL || !valid_geometry(want) || src_len > ULONG_MAX)
        return DG_JPEG_EINVAL;
    if (want->bits != 8)
        return DG_JPEG_EUNSUPPORTED;
    if (image_bytes(want) == 0 || samples_len != image_bytes(want))
        return DG_JPEG_EINVAL;
    rc = parse_header(src, src_len, &got);
    if (rc != DG_JPEG_OK)
        return rc;
    if (got.width != want->width || got.height != want->height ||
        got.components != want->components || got.bits != want->bits)
        return DG_JPEG_ECODEC;
    tj = tjInitDecompress();
    if (tj == NULL)
        return DG_JPEG_ENOMEM;
    /* The size asked for is the image's own, so TurboJPEG does not scale;
     * a warning (corrupt or truncated data) is an error. */
    if (tjDecompress2(tj, src, (unsigned long)src_len, samples, (int)want->width, 0,
                      (int)want->height, want->components == 3 ? TJPF_RGB : TJPF_GRAY,
                      TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) != 0)
        rc = DG_JPEG_ECODEC;
    tjDestroy(tj);
    return rc;
}

const char *dg_jpeg_strerror(int status)
{
    switch (status) {
    case DG_JPEG_OK:
        return "success";
    case DG_JPEG_EINVAL:
        return "invalid arguments or image geometry for JPEG decoding";
    case DG_JPEG_ENOMEM:
        return "out of memory";
    case DG_JPEG_EUNSUPPORTED:
        return "unsupported JPEG process: only 8-bit baseline/extended lossy JPEG is decoded "
               "(not lossless, 12-bit, progressive, hierarchical or arithmetic-coded JPEG)";
    default:
        return "JPEG codestream is corrupt, truncated or does not match the image";
    }
}
