/*
 * bench_placeholder.c - what the placeholder's notice costs per instance:
 * for a few image geometries, the placeholder frame without the notice
 * (a flat image, as before) and with it (FreeType drawing + JPEG-LS of the
 * mostly flat image): bytes, and milliseconds per instance, the drawing
 * alone too (best of 20, one thread; the font is loaded before timing, as a
 * long-running gateway does).
 *
 *   bench_placeholder            (tests/bench/bench_placeholder.sh runs it)
 */
#define _POSIX_C_SOURCE 200809L
#include "notice.h"
#include "pixels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One placeholder (drawn when notice is set); its bytes in *len, its time returned; *draw: the
 * drawing's. */
static double one(const dg_dicom_info *info, int notice, size_t *len, double *draw)
{
    static const char *lines[] = {"PROTECTED BY DCMGUARD", "PIXEL DATA ENCRYPTED",
                                  "instance 2.25.161493504326271351865404611724429738679"};
    double t0 = now_ms();
    uint8_t *mask = NULL;
    dg_placeholder ph;

    if (notice) {
        mask = calloc((size_t)info->rows * info->cols, 1);
        if (mask == NULL || dg_notice_draw(mask, info->cols, info->rows, lines, 3) <= 0) {
            fprintf(stderr, "notice not drawn for %ux%u\n", info->cols, info->rows);
            exit(1);
        }
        *draw = now_ms() - t0;
    }
    if (dg_pix_placeholder(info, mask, &ph) != 0) {
        fprintf(stderr, "no placeholder\n");
        exit(1);
    }
    *len = ph.frame_len;
    dg_pix_placeholder_free(&ph);
    free(mask);
    return now_ms() - t0;
}

int main(void)
{
    static const struct {
        const char *what;
        uint32_t cols, rows;
        uint16_t spp, bits, sign;
        const char *photometric;
    } g[] = {
        {"CT 512x512 16-bit signed", 512, 512, 1, 16, 1, "MONOCHROME2"},
        {"MR 256x256 12-bit", 256, 256, 1, 12, 0, "MONOCHROME2"},
        {"US 640x480 RGB 8-bit", 640, 480, 3, 8, 0, "RGB"},
        {"CR 2048x2500 MONOCHROME1 12-bit", 2048, 2500, 1, 12, 0, "MONOCHROME1"},
        {"MG 3328x4084 12-bit", 3328, 4084, 1, 12, 0, "MONOCHROME2"},
    };
    const char *lines[] = {"warm-up"};
    uint8_t m[64 * 64];

    dg_notice_draw(m, 64, 64, lines, 1); /* loads the font */
    printf("%-34s %12s %12s %10s %10s %10s\n", "geometry", "flat bytes", "notice bytes", "flat ms",
           "notice ms", "of it draw");
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        dg_dicom_info info;
        double best[2] = {1e9, 1e9}, draw = 0, best_draw = 1e9;
        size_t len[2] = {0, 0};

        memset(&info, 0, sizeof info);
        info.has_pixels = 1;
        info.cols = g[i].cols;
        info.rows = g[i].rows;
        info.frames = 1;
        info.samples_per_pixel = g[i].spp;
        info.bits_allocated = g[i].bits <= 8 ? 8 : 16;
        info.bits_stored = g[i].bits;
        info.pixel_representation = g[i].sign;
        snprintf(info.photometric, sizeof info.photometric, "%s", g[i].photometric);
        for (int round = 0; round < 20; round++)
            for (int n = 0; n < 2; n++) {
                double t = one(&info, n, &len[n], &draw);
                best[n] = t < best[n] ? t : best[n];
                if (n == 1 && draw < best_draw)
                    best_draw = draw;
            }
        printf("%-34s %12zu %12zu %10.2f %10.2f %10.2f\n", g[i].what, len[0], len[1], best[0],
               best[1], best_draw);
    }
    return 0;
}
