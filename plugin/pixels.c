/*
 * pixels.c - cutting Pixel Data into segments, moving tile samples in and
 * out of frames, and the placeholder image.
 */
#include "pixels.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tiles of about this many samples a side when the grid is chosen for the user. */
#define AUTO_TILE_SIDE 256

static unsigned auto_grid(uint32_t side)
{
    unsigned n = (unsigned)((side + AUTO_TILE_SIDE - 1) / AUTO_TILE_SIDE);
    if (side >= 64 && n < 2)
        n = 2; /* two tiles at least, so that two cores have work */
    if (n > 16)
        n = 16;
    return n ? n : 1;
}

static int is_ybr_422(const char *photometric)
{
    return strcmp(photometric, "YBR_FULL_422") == 0 || strcmp(photometric, "YBR_PARTIAL_422") == 0;
}

/* The native sample grid of one frame, or 0 when JPEG-LS cannot carry it. */
static int native_geometry(const dg_dicom_info *info, dg_pixmodel *m)
{
    uint64_t frame_bytes;

    if (info->bits_allocated != 8 && info->bits_allocated != 16)
        return 0;
    /* two samples a pixel (no photometric interpretation has them) go as raw chunks:
       CharLS 2.4.1 cannot read back two sample-interleaved components */
    if (info->rows == 0 || info->cols == 0 || info->samples_per_pixel == 0 ||
        info->samples_per_pixel == 2 || info->samples_per_pixel > 4 || info->rows > 65535 ||
        info->cols > 65535)
        return 0;
    m->sample_bytes = (uint8_t)(info->bits_allocated / 8);
    m->height = info->rows;
    m->width = info->cols;
    m->components = info->samples_per_pixel;
    m->planar = info->samples_per_pixel > 1 && info->planar_configuration == 1;
    if (info->samples_per_pixel == 3 && is_ybr_422(info->photometric)) {
        /* Two pixels share one Cb and one Cr: Y Y Cb Cr, i.e. 2 samples a pixel. */
        if (info->cols % 2 != 0 || m->planar)
            return 0;
        m->width = info->cols * 2;
        m->components = 1;
    }
    if (m->width > 65535)
        return 0;
    m->big_endian = info->big_endian && m->sample_bytes == 2;
    m->sign_flip = info->pixel_representation == 1 ? (m->sample_bytes == 2 ? 0x8000 : 0x80) : 0;
    frame_bytes = (uint64_t)m->width * m->height * m->components * m->sample_bytes;
    if ((uint64_t)info->frames * frame_bytes > info->pixel_value_length)
        return 0;
    m->frame_bytes = frame_bytes;
    m->frames = info->frames;
    return 1;
}

static int plan_grid(dg_pixmodel *m, unsigned rows, unsigned cols, char *err, size_t errlen)
{
    uint64_t count;

    if (rows == 0 && cols == 0) {
        rows = auto_grid(m->height);
        cols = auto_grid(m->width);
    }
    if (rows == 0 || cols == 0 || rows > DG_PIX_MAX_GRID || cols > DG_PIX_MAX_GRID ||
        rows > m->height || cols > m->width) {
        snprintf(err, errlen, "a %ux%u tile grid does not fit a %ux%u image", rows, cols,
                 (unsigned)m->height, (unsigned)m->width);
        return -1;
    }
    count = (uint64_t)m->frames * rows * cols;
    if (count > UINT32_MAX) {
        snprintf(err, errlen, "too many tiles (%llu)", (unsigned long long)count);
        return -1;
    }
    m->tile_rows = (uint16_t)rows;
    m->tile_cols = (uint16_t)cols;
    m->segment_count = (uint32_t)count;
    m->covered = (uint64_t)m->frames * m->frame_bytes;
    return 0;
}

static void plan_chunks(const dg_dicom_info *info, dg_pixmodel *m)
{
    m->kind = DG_PIX_CHUNKS;
    m->chunk_bytes = DG_PIX_CHUNK_BYTES;
    m->covered = info->pixel_value_length;
    m->segment_count = (uint32_t)((m->covered + m->chunk_bytes - 1) / m->chunk_bytes);
}

int dg_pix_check_geometry(const dg_dicom_info *info, char *err, size_t errlen)
{
    int subsampled = info->samples_per_pixel == 3 && strstr(info->photometric, "_422") != NULL;
    uint64_t samples =
        (uint64_t)info->rows * info->cols * (subsampled ? 2 : info->samples_per_pixel);
    uint64_t frame = info->bits_allocated >= 8 ? samples * (info->bits_allocated / 8)
                                               : (samples * info->bits_allocated + 7) / 8;

    if (!info->has_pixels || !info->pixels_located)
        return 0;
    if (samples * (info->bits_allocated > 8 ? 2 : 1) > DG_PIX_MAX_FRAME_BYTES)
        return dg_fail(err, errlen, -1,
                       "a frame of %u x %u x %u samples is beyond the %u MiB limit", info->rows,
                       info->cols, info->samples_per_pixel, DG_PIX_MAX_FRAME_BYTES >> 20);
    if (info->encapsulated && info->frames > (info->item_count > 0 ? info->item_count - 1 : 0))
        return dg_fail(err, errlen, -1, "%u frames declared but only %u pixel data fragments",
                       info->frames, info->item_count > 0 ? info->item_count - 1 : 0);
    if (!info->encapsulated && frame > 0 && frame * info->frames > info->pixel_value_length + 1)
        return dg_fail(err, errlen, -1,
                       "the Pixel Data holds %llu bytes but %u frames of %u x %u need %llu",
                       (unsigned long long)info->pixel_value_length, info->frames, info->rows,
                       info->cols, (unsigned long long)(frame * info->frames));
    return 0;
}

int dg_pix_plan(const dg_dicom_info *info, unsigned tile_rows, unsigned tile_cols, dg_pixmodel *m,
                char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->kind = DG_PIX_NONE;
    if (!info->has_pixels || !info->pixels_located)
        return 0;
    if (info->encapsulated) {
        m->kind = DG_PIX_ITEMS;
        m->segment_count = info->item_count;
        m->covered = info->pixel_value_length - 8; /* the delimiter item stays outside */
        return 0;
    }
    if (!native_geometry(info, m)) {
        memset(m, 0, sizeof *m);
        plan_chunks(info, m);
        return 0;
    }
    m->kind = DG_PIX_TILED;
    return plan_grid(m, tile_rows, tile_cols, err, errlen);
}

int dg_pix_check(const dg_pixmodel *m)
{
    uint64_t tiles;

    switch (m->kind) {
    case DG_PIX_NONE:
        return m->segment_count == 0 && m->covered == 0 ? 0 : -1;
    case DG_PIX_ITEMS:
        return 0;
    case DG_PIX_CHUNKS:
        if (m->chunk_bytes == 0 || m->chunk_bytes > (1u << 30))
            return -1;
        return m->segment_count == (m->covered + m->chunk_bytes - 1) / m->chunk_bytes ? 0 : -1;
    case DG_PIX_TILED:
        break;
    case DG_PIX_CHAOS:
        return m->segment_count == 0 && (m->sample_bytes == 1 || m->sample_bytes == 2) &&
                       (m->components == 1 || m->components == 3) && m->width > 0 &&
                       m->height > 0 && m->frames > 0 &&
                       m->frame_bytes ==
                           (uint64_t)m->width * m->height * m->components * m->sample_bytes &&
                       m->covered == m->frame_bytes * m->frames
                   ? 0
                   : -1;
    default:
        return -1;
    }
    if ((m->sample_bytes != 1 && m->sample_bytes != 2) || m->components < 1 || m->components > 4 ||
        m->width == 0 || m->height == 0 || m->width > 65535 || m->height > 65535 ||
        m->tile_rows == 0 || m->tile_cols == 0 || m->tile_rows > m->height ||
        m->tile_cols > m->width || m->frames == 0)
        return -1;
    if (m->frame_bytes != (uint64_t)m->width * m->height * m->components * m->sample_bytes)
        return -1;
    tiles = (uint64_t)m->frames * m->tile_rows * m->tile_cols;
    if (tiles != m->segment_count || m->covered != (uint64_t)m->frames * m->frame_bytes)
        return -1;
    return 0;
}

void dg_pix_tile(const dg_pixmodel *m, uint32_t seg, dg_tile *t)
{
    uint32_t per_frame = (uint32_t)m->tile_rows * m->tile_cols;
    uint32_t in_frame = seg % per_frame;
    uint32_t x1, y1;

    t->frame = seg / per_frame;
    t->row = (uint16_t)(in_frame / m->tile_cols);
    t->col = (uint16_t)(in_frame % m->tile_cols);
    t->y0 = (uint32_t)((uint64_t)t->row * m->height / m->tile_rows);
    y1 = (uint32_t)((uint64_t)(t->row + 1) * m->height / m->tile_rows);
    t->x0 = (uint32_t)((uint64_t)t->col * m->width / m->tile_cols);
    x1 = (uint32_t)((uint64_t)(t->col + 1) * m->width / m->tile_cols);
    t->h = y1 - t->y0;
    t->w = x1 - t->x0;
}

void dg_pix_chunk(const dg_pixmodel *m, uint32_t seg, uint64_t *offset, uint64_t *length)
{
    uint64_t start = (uint64_t)seg * m->chunk_bytes;
    uint64_t end = start + m->chunk_bytes;
    if (end > m->covered)
        end = m->covered;
    *offset = start;
    *length = end - start;
}

size_t dg_pix_tile_bytes(const dg_pixmodel *m, const dg_tile *t)
{
    return (size_t)t->w * t->h * m->components * m->sample_bytes;
}

/*
 * A tile is a set of runs: for each plane (one per component when planar,
 * else one holding all components) and each tile row, `run` consecutive
 * samples of the frame. These return the frame offset (in samples) of run
 * (plane, y) and the number of runs.
 */
static size_t run_samples(const dg_pixmodel *m, const dg_tile *t)
{
    return (size_t)t->w * (m->planar ? 1 : m->components);
}

static size_t run_start(const dg_pixmodel *m, const dg_tile *t, unsigned plane, uint32_t y)
{
    size_t plane_samples = (size_t)m->width * m->height;
    if (m->planar)
        return plane * plane_samples + (size_t)(t->y0 + y) * m->width + t->x0;
    return ((size_t)(t->y0 + y) * m->width + t->x0) * m->components;
}

static unsigned plane_count(const dg_pixmodel *m)
{
    return m->planar ? m->components : 1;
}

static unsigned bits_for(unsigned max)
{
    unsigned bits = 2;
    while (bits < 16 && (max >> bits) != 0)
        bits++;
    return bits;
}

/*
 * The JPEG-LS precision of a tile whose largest value needs `bits` bits.
 * CharLS has fast code paths for 8-, 12- and 16-bit lossless coding and a
 * generic one, about a fifth slower, for every other precision; a 9- to
 * 12-bit tile is therefore coded at 12 bits (about 2% larger than at its
 * exact precision) and an 8-bit container at 8. Tiles of 13 to 15 bits keep
 * their exact precision: at 16 they would grow by a tenth. Any precision
 * decodes to the same samples.
 */
static unsigned jpegls_precision(unsigned sample_bytes, unsigned bits)
{
    if (sample_bytes == 1)
        return 8;
    return bits <= 12 ? 12 : bits;
}

static unsigned extract_run8(const uint8_t *src, uint8_t *dst, size_t n, uint8_t flip)
{
    unsigned max = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = src[i] ^ flip;
        dst[i] = v;
        max |= v;
    }
    return max;
}

static unsigned extract_run16(const uint8_t *src, uint16_t *dst, size_t n, uint16_t flip, int be)
{
    unsigned max = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t v = be ? (uint16_t)(src[2 * i] << 8 | src[2 * i + 1])
                        : (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        v ^= flip;
        dst[i] = v;
        max |= v;
    }
    return max;
}

void dg_pix_extract(const dg_pixmodel *m, const dg_tile *t, const uint8_t *frame, void *samples,
                    dg_jls_image *img)
{
    size_t run = run_samples(m, t), k = 0;
    unsigned ormask = 0; /* the OR of all values has the same bit length as their maximum */

    for (unsigned p = 0; p < plane_count(m); p++) {
        for (uint32_t y = 0; y < t->h; y++, k += run) {
            const uint8_t *src = frame + run_start(m, t, p, y) * m->sample_bytes;
            if (m->sample_bytes == 1)
                ormask |= extract_run8(src, (uint8_t *)samples + k, run, (uint8_t)m->sign_flip);
            else
                ormask |=
                    extract_run16(src, (uint16_t *)samples + k, run, m->sign_flip, m->big_endian);
        }
    }
    img->width = t->w;
    img->height = t->h;
    img->components = m->components;
    img->planar = m->planar;
    img->bits = (int)jpegls_precision(m->sample_bytes, bits_for(ormask));
}

static void insert_run8(uint8_t *dst, const uint8_t *src, size_t n, uint8_t flip)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ^ flip;
}

static void insert_run16(uint8_t *dst, const uint16_t *src, size_t n, uint16_t flip, int be)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t v = src[i] ^ flip;
        dst[2 * i] = (uint8_t)(be ? v >> 8 : v);
        dst[2 * i + 1] = (uint8_t)(be ? v : v >> 8);
    }
}

void dg_pix_insert(const dg_pixmodel *m, const dg_tile *t, uint8_t *frame, const void *samples)
{
    size_t run = run_samples(m, t), k = 0;

    for (unsigned p = 0; p < plane_count(m); p++) {
        for (uint32_t y = 0; y < t->h; y++, k += run) {
            uint8_t *dst = frame + run_start(m, t, p, y) * m->sample_bytes;
            if (m->sample_bytes == 1)
                insert_run8(dst, (const uint8_t *)samples + k, run, (uint8_t)m->sign_flip);
            else
                insert_run16(dst, (const uint16_t *)samples + k, run, m->sign_flip, m->big_endian);
        }
    }
}

/* The background and ink sample values: black and white however the file is displayed. */
static void notice_values(const dg_dicom_info *info, int bits, unsigned *bg, unsigned *ink)
{
    unsigned max = (1u << bits) - 1;

    if (info->pixel_representation == 1) { /* two's complement: most negative, most positive */
        *bg = 1u << (bits - 1);
        *ink = max >> 1;
    } else if (strcmp(info->photometric, "MONOCHROME1") == 0) { /* 0 is white */
        *bg = max;
        *ink = 0;
    } else {
        *bg = 0;
        *ink = max;
    }
}

/*
 * Fills samples (interleaved, host order) from the notice's coverage: each
 * of the 256 coverage levels is blended once, then looked up per pixel.
 */
static void fill_notice(const dg_jls_image *img, const dg_dicom_info *info, const uint8_t *notice,
                        void *samples)
{
    uint16_t level[256];
    unsigned bg, ink, comps = (unsigned)img->components;
    size_t n = (size_t)img->width * img->height;

    notice_values(info, img->bits, &bg, &ink);
    for (unsigned a = 0; a < 256; a++)
        level[a] = (uint16_t)(((unsigned long)bg * (255 - a) + (unsigned long)ink * a + 127) / 255);
    if (img->bits <= 8) {
        uint8_t *d = samples;
        for (size_t i = 0; i < n; i++)
            for (unsigned c = 0; c < comps; c++)
                *d++ = (uint8_t)level[notice ? notice[i] : 0];
    } else {
        uint16_t *d = samples;
        for (size_t i = 0; i < n; i++)
            for (unsigned c = 0; c < comps; c++)
                *d++ = level[notice ? notice[i] : 0];
    }
}

int dg_pix_placeholder(const dg_dicom_info *info, const uint8_t *notice, dg_placeholder *ph)
{
    dg_jls_image img;
    void *samples = NULL;
    size_t bytes;
    int bits = info->bits_stored, rc = -1;

    memset(ph, 0, sizeof *ph);
    if (!info->has_pixels || info->rows == 0 || info->cols == 0 || info->frames == 0 ||
        (info->samples_per_pixel != 1 && info->samples_per_pixel != 3) || info->rows > 65535 ||
        info->cols > 65535)
        return -1;
    if (bits < 2 || bits > 16)
        bits = info->bits_allocated <= 8 ? 8 : 16;
    img.width = info->cols;
    img.height = info->rows;
    img.components = info->samples_per_pixel;
    img.bits = bits;
    img.planar = 0;
    bytes = dg_jls_image_bytes(&img);
    if (bytes >
        DG_PIX_MAX_FRAME_BYTES) /* geometry not checked against pixel bytes: no placeholder */
        return -1;
    samples = malloc(bytes ? bytes : 1);
    if (samples == NULL)
        return -1;
    fill_notice(&img, info, notice, samples);
    if (dg_jls_encode(&img, samples, bytes, &ph->frame, &ph->frame_len) != DG_JLS_OK)
        goto done;
    ph->frames = info->frames;
    ph->bits_allocated = bits <= 8 ? 8 : 16;
    ph->bits_stored = (uint16_t)bits;
    ph->high_bit = (uint16_t)(bits - 1);
    ph->photometric = strncmp(info->photometric, "YBR", 3) == 0 ? "RGB" : NULL;
    rc = 0;
done:
    free(samples);
    return rc;
}

void dg_pix_placeholder_free(dg_placeholder *ph)
{
    free(ph->frame);
    memset(ph, 0, sizeof *ph);
}
