/*
 * bench_codec.c - how much the pipeline's JPEG-LS encoding costs against a
 * bare CharLS loop over the same frames.
 *
 *   bench_codec FILE...
 *
 * For every native 8/16-bit single-component frame of the files it times,
 * on one thread, best of 5 rounds:
 *   bare     charls_jpegls_encoder_* on the whole frame (precision: what the
 *            pipeline chooses from the frame's largest value)
 *   pipeline dcmguard's per-tile work without the crypto: plan the default
 *            grid, copy each tile out of the frame (dg_pix_extract) and
 *            encode it (dg_jls_encode)
 * and prints both totals, their ratio, and the encoded sizes.
 */
#define _POSIX_C_SOURCE 200809L
#include "dicom.h"
#include "jpegls.h"
#include "pixels.h"

#include <charls/charls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct frame {
    uint8_t *raw;
    dg_dicom_info info;
    dg_pixmodel model;
} frame;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc(*len);
    if (b && fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static int load(const char *path, frame *fr)
{
    size_t len;
    uint8_t *buf = slurp(path, &len);
    dg_dicom *d = NULL;
    char err[256];
    int ok = 0;

    if (buf && dg_dicom_parse(buf, len, &d, err, sizeof err) == 0 &&
        dg_dicom_get_info(d, &fr->info) == 0 &&
        dg_pix_plan(&fr->info, 0, 0, &fr->model, err, sizeof err) == 0 &&
        fr->model.kind == DG_PIX_TILED && fr->model.components == 1) {
        fr->raw = malloc(fr->model.frame_bytes);
        memcpy(fr->raw, buf + fr->info.pixel_value_offset, fr->model.frame_bytes);
        ok = 1;
    }
    dg_dicom_free(d);
    free(buf);
    return ok;
}

/* The bare loop: the whole frame, straight through CharLS's C API. */
static size_t bare_encode(const frame *fr, void *samples, size_t samples_len, int bits)
{
    charls_jpegls_encoder *enc = charls_jpegls_encoder_create();
    charls_frame_info fi = {fr->model.width, fr->model.height, bits, 1};
    size_t cap = 0, written = 0;
    void *dst;

    if (charls_jpegls_encoder_set_frame_info(enc, &fi) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_encoder_get_estimated_destination_size(enc, &cap) !=
            CHARLS_JPEGLS_ERRC_SUCCESS) {
        charls_jpegls_encoder_destroy(enc);
        return 0;
    }
    dst = malloc(cap);
    if (charls_jpegls_encoder_set_destination_buffer(enc, dst, cap) != CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_encoder_encode_from_buffer(enc, samples, samples_len, 0) !=
            CHARLS_JPEGLS_ERRC_SUCCESS ||
        charls_jpegls_encoder_get_bytes_written(enc, &written) != CHARLS_JPEGLS_ERRC_SUCCESS)
        written = 0;
    free(dst);
    charls_jpegls_encoder_destroy(enc);
    return written;
}

static size_t pipeline_encode(const frame *fr)
{
    size_t total = 0;
    for (uint32_t s = 0; s < fr->model.tile_rows * fr->model.tile_cols; s++) {
        dg_tile t;
        dg_jls_image img;
        uint8_t *code = NULL;
        size_t code_len = 0;
        dg_pix_tile(&fr->model, s, &t);
        void *samples = malloc(dg_pix_tile_bytes(&fr->model, &t));
        dg_pix_extract(&fr->model, &t, fr->raw, samples, &img);
        if (dg_jls_encode(&img, samples, dg_pix_tile_bytes(&fr->model, &t), &code, &code_len) == 0)
            total += code_len;
        free(code);
        free(samples);
    }
    return total;
}

int main(int argc, char **argv)
{
    frame *frames = calloc((size_t)argc, sizeof *frames);
    void **samples = calloc((size_t)argc, sizeof *samples);
    int *bits = calloc((size_t)argc, sizeof *bits);
    int n = 0;
    double best_bare = 1e9, best_pipe = 1e9;
    size_t bare_bytes = 0, pipe_bytes = 0, raw_bytes = 0;

    for (int i = 1; i < argc; i++)
        if (load(argv[i], &frames[n]))
            n++;
    if (n == 0) {
        fprintf(stderr, "bench_codec: no native single-component frame in the files given\n");
        return 1;
    }
    /* The bare loop gets its samples ready-made (native uint16 or bytes, sign-flipped as the
     * pipeline codes them), so only the encoder is timed. */
    for (int i = 0; i < n; i++) {
        dg_tile whole = {0, 0, 0, 0, 0, frames[i].model.width, frames[i].model.height};
        dg_jls_image img;
        samples[i] = malloc(frames[i].model.frame_bytes);
        dg_pix_extract(&frames[i].model, &whole, frames[i].raw, samples[i], &img);
        bits[i] = img.bits;
        raw_bytes += frames[i].model.frame_bytes;
    }
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        size_t b = 0, p = 0;
        for (int i = 0; i < n; i++)
            b += bare_encode(&frames[i], samples[i], frames[i].model.frame_bytes, bits[i]);
        double t1 = now();
        for (int i = 0; i < n; i++)
            p += pipeline_encode(&frames[i]);
        double t2 = now();
        if (t1 - t0 < best_bare)
            best_bare = t1 - t0;
        if (t2 - t1 < best_pipe)
            best_pipe = t2 - t1;
        bare_bytes = b;
        pipe_bytes = p;
    }
    printf("frames: %d (%.1f MB of samples)\n", n, raw_bytes / 1e6);
    printf("bare CharLS loop:   %.3f s  %.1f MB/s  %zu bytes (ratio %.3f)\n", best_bare,
           raw_bytes / 1e6 / best_bare, bare_bytes, (double)raw_bytes / bare_bytes);
    printf("pipeline encoding:  %.3f s  %.1f MB/s  %zu bytes (ratio %.3f)\n", best_pipe,
           raw_bytes / 1e6 / best_pipe, pipe_bytes, (double)raw_bytes / pipe_bytes);
    printf("pipeline / bare time: %.3f\n", best_pipe / best_bare);
    return 0;
}
