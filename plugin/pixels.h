/*
 * pixels.h - how dcmguard cuts the Pixel Data of one file into segments.
 *
 * A segment is the unit that is encoded, encrypted and authenticated on its
 * own. There are three ways to cut, chosen from the file (dg_pix_plan):
 *
 *   TILED   native pixel data of 8 or 16 bits per sample: each frame is cut
 *           into a grid of tiles; a tile's samples are encoded losslessly
 *           with JPEG-LS at the precision its own values need, so bits set
 *           above BitsStored survive. Signed samples are coded with their
 *           sign bit flipped (a bijection that keeps the values contiguous);
 *           big-endian words are coded as numbers and written back big
 *           endian.
 *   ITEMS   encapsulated (already compressed) pixel data: each item of the
 *           pixel sequence (offset table and fragments, with their item
 *           headers) is one segment, encrypted as it is.
 *   CHUNKS  native pixel data that JPEG-LS cannot carry (1- or 32-bit
 *           samples, a value shorter than its frames say): fixed-size chunks
 *           of the raw bytes, encrypted as they are.
 *
 * The segments cover `covered` bytes of the Pixel Data value from its first
 * byte; anything after that stays with the rest of the file.
 */
#ifndef DG_PIXELS_H
#define DG_PIXELS_H

#include "dicom.h"
#include "jpegls.h"

#include <stddef.h>
#include <stdint.h>

/*
 * DG_PIX_CHAOS is not a way to cut: in the chaos mode (chaosmode.h) the
 * covered bytes are the samples of every frame, encrypted in place.
 */
enum { DG_PIX_NONE = 0, DG_PIX_TILED = 1, DG_PIX_ITEMS = 2, DG_PIX_CHUNKS = 3, DG_PIX_CHAOS = 4 };

#define DG_PIX_CHUNK_BYTES (1u << 20)
#define DG_PIX_MAX_GRID 256
#define DG_PIX_MAX_FRAME_BYTES (128u << 20) /* one decoded frame; larger images are refused */

typedef struct dg_pixmodel {
    uint8_t kind;
    uint8_t sample_bytes;   /* TILED: 1 or 2 */
    uint8_t planar;         /* TILED: 1 = one plane per component */
    uint8_t big_endian;     /* TILED: 16-bit words stored big endian */
    uint16_t sign_flip;     /* TILED: XOR applied to each sample before coding */
    uint16_t components;    /* TILED */
    uint32_t width, height; /* TILED: samples per row and rows of one frame */
    uint32_t frames;
    uint16_t tile_rows, tile_cols;
    uint32_t segment_count;
    uint64_t frame_bytes; /* TILED */
    uint64_t chunk_bytes; /* CHUNKS */
    uint64_t covered;     /* bytes of the Pixel Data value the segments carry */
} dg_pixmodel;

/* Where one tile lies: frame, grid position and sample rectangle. */
typedef struct dg_tile {
    uint32_t frame;
    uint16_t row, col;
    uint32_t x0, y0, w, h;
} dg_tile;

/*
 * Plans the segments for a parsed file. tile_rows x tile_cols = 0 x 0
 * chooses the grid from the image size. Fails (DG_EINVAL-like -1 with err)
 * only when a requested grid does not fit the image.
 */
int dg_pix_plan(const dg_dicom_info *info, unsigned tile_rows, unsigned tile_cols, dg_pixmodel *m,
                char *err, size_t errlen);

/*
 * Refuses (-1, err says why) pixel data whose declared geometry does not
 * fit what the file holds, before anything is allocated from it: frames
 * beyond the native bytes or the fragments, or a frame beyond
 * DG_PIX_MAX_FRAME_BYTES.
 */
int dg_pix_check_geometry(const dg_dicom_info *info, char *err, size_t errlen);

/* Checks a model read back from a protected file: -1 when inconsistent. */
int dg_pix_check(const dg_pixmodel *m);

/* TILED: the tile of segment seg. */
void dg_pix_tile(const dg_pixmodel *m, uint32_t seg, dg_tile *t);

/* CHUNKS: the byte range of segment seg within the covered bytes. */
void dg_pix_chunk(const dg_pixmodel *m, uint32_t seg, uint64_t *offset, uint64_t *length);

/*
 * TILED: copies a tile out of its frame into JPEG-LS samples (*img tells the
 * geometry and the precision the values need). samples must hold
 * dg_pix_tile_bytes(m, t) bytes.
 */
size_t dg_pix_tile_bytes(const dg_pixmodel *m, const dg_tile *t);
void dg_pix_extract(const dg_pixmodel *m, const dg_tile *t, const uint8_t *frame, void *samples,
                    dg_jls_image *img);

/* TILED: writes decoded samples back into their frame (the exact inverse). */
void dg_pix_insert(const dg_pixmodel *m, const dg_tile *t, uint8_t *frame, const void *samples);

/* The placeholder image written in place of the Pixel Data. */
typedef struct dg_placeholder {
    uint8_t *frame; /* one JPEG-LS frame, used for every frame (malloc'd) */
    size_t frame_len;
    uint32_t frames;
    uint16_t bits_allocated, bits_stored, high_bit;
    const char *photometric; /* NULL: keep the file's */
} dg_placeholder;

/*
 * 0 and a placeholder, or -1 when the geometry does not allow one. notice
 * (cols x rows, 0..255, or NULL for none) is drawn white on black, as the
 * file's photometric interpretation and pixel representation display them.
 */
int dg_pix_placeholder(const dg_dicom_info *info, const uint8_t *notice, dg_placeholder *ph);
void dg_pix_placeholder_free(dg_placeholder *ph);

#endif
