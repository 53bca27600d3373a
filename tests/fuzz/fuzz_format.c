/*
 * fuzz_format.c - libFuzzer harness for the decoders of the protected
 * format (plugin/format.c) and the JPEG-LS decoder (codecs/jpegls.c).
 *
 * In a real restore these run only on authenticated bytes (the header is
 * the envelope's associated data, the envelope and the tiles open only
 * under their MAC), so fuzz_restore cannot reach them with altered input.
 * They are fuzzed here directly, as defence in depth: they must hold on any
 * bytes, whoever made them.
 *
 * The first input byte picks the decoder; the rest is its input.
 */
#include "fuzz_common.h"
#include "format.h"
#include "jpegls.h"
#include "pixels.h"

/* Decoded images larger than this are not decoded (the header is still read). */
#define MAX_DECODED_BYTES (4u << 20)

static void header(const uint8_t *p, size_t n)
{
    dg_header h;
    dg_buf again;

    if (dg_header_decode(p, n, &h) != 0)
        return;
    /* What decodes encodes back to the same bytes: the decoder is strict. */
    dg_buf_init(&again);
    dg_header_encode(&h, &again);
    if (again.failed || again.len != n || memcmp(again.data, p, n) != 0)
        dgf_die("dg_header_decode", "accepted bytes the encoder would not write");
    dg_buf_free(&again);
}

static void envelope(const uint8_t *p, size_t n)
{
    dg_envelope e;

    if (dg_envelope_decode(p, n, &e) != 0)
        return;
    if (e.prefix_len + e.suffix_len > n)
        dgf_die("dg_envelope_decode", "prefix and suffix longer than the input");
    if (e.model.kind == DG_PIX_TILED) {
        dg_tile t;
        for (uint32_t i = 0; i < e.model.segment_count && i < 4096; i++) {
            dg_pix_tile(&e.model, i, &t);
            if (t.w == 0 || t.h == 0 || t.x0 + t.w > e.model.width || t.y0 + t.h > e.model.height ||
                t.frame >= e.model.frames)
                dgf_die("dg_pix_check", "accepted a model with a tile outside its frame");
        }
    }
}

static void tile_head(const uint8_t *p, size_t n)
{
    dg_tile_head t;

    if (n >= DG_TILE_HEAD_LEN)
        dg_tile_head_decode(p, &t);
}

static void jpegls(const uint8_t *p, size_t n)
{
    dg_jls_image img;
    size_t bytes;
    void *samples;

    if (dg_jls_read_header(p, n, &img) != DG_JLS_OK)
        return;
    bytes = dg_jls_image_bytes(&img);
    if (bytes == 0 || bytes > MAX_DECODED_BYTES)
        return;
    samples = malloc(bytes);
    if (samples == NULL)
        return;
    dg_jls_decode(p, n, &img, samples, bytes);
    free(samples);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        header(data + 1, size - 1);
        break;
    case 1:
        envelope(data + 1, size - 1);
        break;
    case 2:
        tile_head(data + 1, size - 1);
        break;
    default:
        jpegls(data + 1, size - 1);
        break;
    }
    return 0;
}
