/*
 * jpeg.h - decoding of one lossy 8-bit JPEG codestream (one DICOM frame of
 * JPEG Baseline 1.2.840.10008.1.2.4.50 or of JPEG Extended
 * 1.2.840.10008.1.2.4.51 with 8-bit samples) through libjpeg-turbo's
 * TurboJPEG C API.
 *
 * The codestream must be the whole frame, from its SOI marker (FF D8) on:
 * when a frame is split over several fragments the caller concatenates them.
 * Bytes after the EOI marker (the DICOM even-length padding) are ignored.
 *
 * Samples are 8-bit, one byte each, components interleaved (colour-by-pixel,
 * Planar Configuration 0). A 3-component image comes out as RGB: a YCbCr
 * codestream (what YBR_FULL_422 and YBR_FULL mean in a lossy JPEG DICOM
 * frame) is converted by libjpeg-turbo, an RGB one is copied, so the caller
 * must then set Photometric Interpretation to RGB, as DCMTK's dcmdjpeg does.
 * Which of the two a codestream is follows libjpeg's rules (a JFIF marker
 * means YCbCr, an Adobe marker says which, component ids 'R','G','B' mean
 * RGB, anything else YCbCr). One component stays MONOCHROME1/2 as it was.
 *
 * Refused with DG_JPEG_EUNSUPPORTED: lossless JPEG (SOF3, transfer syntaxes
 * .57 and .70), 12-bit samples (libjpeg-turbo 2.1 as built by Debian 12 only
 * decodes 8-bit), progressive, hierarchical and arithmetic-coded JPEG, and
 * images of other than 1 or 3 components.
 */
#ifndef DG_JPEG_H
#define DG_JPEG_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_jpeg_image {
    uint32_t width, height; /* 1..65535 */
    int components;         /* 1 (gray) or 3 */
    int bits;               /* 8 (12 is recognised but refused: DG_JPEG_EUNSUPPORTED) */
} dg_jpeg_image;

enum {
    DG_JPEG_OK = 0,
    DG_JPEG_EINVAL = -1,
    DG_JPEG_ENOMEM = -2,
    DG_JPEG_ECODEC = -3,
    DG_JPEG_EUNSUPPORTED = -4
};

/*
 * Reads the geometry from the codestream's frame header (its first SOF
 * marker); img is written only on success. DG_JPEG_ECODEC when src is not a
 * well-formed JPEG up to its frame header, DG_JPEG_EUNSUPPORTED when it is a
 * JPEG this decoder refuses (see above).
 */
int dg_jpeg_read_header(const uint8_t *src, size_t src_len, dg_jpeg_image *img);

/*
 * Decodes a codestream whose header must match want exactly (width, height,
 * components, bits = 8) into samples, whose length must be
 * width * height * components. Any libjpeg warning (a truncated or corrupt
 * entropy-coded segment, for instance) fails the decoding: a frame decodes
 * completely or not at all. samples is garbage after a failure.
 */
int dg_jpeg_decode(const uint8_t *src, size_t src_len, const dg_jpeg_image *want, uint8_t *samples,
                   size_t samples_len);

/* One line describing a status (static text). */
const char *dg_jpeg_strerror(int status);

#endif
