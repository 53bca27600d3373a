/*
 * jpegls.h - lossless JPEG-LS encoding and decoding of one image, through
 * CharLS's charls_jpegls_* C API (the only CharLS symbols dcmguard calls:
 * Orthanc's process also holds DCMTK's CharLS fork, which exports the old
 * JpegLs* names).
 *
 * Samples of 2..8 bits are one byte each, 9..16 bits one native uint16.
 * With planar = 1 the buffer holds each component's plane in turn
 * (interleave mode "none"); with planar = 0 the components of a pixel are
 * next to each other (interleave mode "sample").
 */
#ifndef DG_JPEGLS_H
#define DG_JPEGLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_jls_image {
    uint32_t width, height;
    int components; /* 1..4 */
    int bits;       /* 2..16 */
    int planar;     /* 0 or 1 (ignored for one component) */
} dg_jls_image;

enum {
    DG_JLS_OK = 0,
    DG_JLS_EINVAL = -1,
    DG_JLS_ENOMEM = -2,
    DG_JLS_ECODEC = -3,
    DG_JLS_ENOEOI = -4 /* no end-of-image marker: refused before CharLS sees it */
};

/* Bytes one image of this geometry takes; 0 when the geometry is invalid. */
size_t dg_jls_image_bytes(const dg_jls_image *img);

/* Encodes losslessly into a malloc'd codestream (the caller frees it). */
int dg_jls_encode(const dg_jls_image *img, const void *samples, size_t samples_len, uint8_t **out,
                  size_t *out_len);

/* Reads the geometry from a codestream's header. */
int dg_jls_read_header(const uint8_t *src, size_t src_len, dg_jls_image *img);

/*
 * Decodes a codestream whose header must match want exactly (width, height,
 * components, bits, interleave, lossless) into samples. The codestream must
 * end with an EOI marker (trailing padding is ignored); one without is
 * refused with DG_JLS_ENOEOI without being decoded.
 */
int dg_jls_decode(const uint8_t *src, size_t src_len, const dg_jls_image *want, void *samples,
                  size_t samples_len);

/* One line describing the last CharLS error code (static text). */
const char *dg_jls_strerror(int status);

#endif
