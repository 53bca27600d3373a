/*
 * analyze.h - what analyze.c (the statistics) hands figure.c (the PNG):
 * the two images and the rows of results. Internal to the library.
 */
#ifndef DG_ANALYZE_H
#define DG_ANALYZE_H

#include "dcmguard.h"

#include <stddef.h>
#include <stdint.h>

/* A gray image of sample values < 2^bits, row major. */
typedef struct dg_gray {
    uint16_t *v;
    uint32_t rows, cols;
    unsigned bits;
} dg_gray;

struct dg_analysis {
    dg_gray plain, cipher;
    char plain_what[256];  /* where the plain samples came from and how they were read */
    char cipher_what[256]; /* what the cipher image is */
    char sens_what[256];   /* how NPCR and UACI were obtained, or why not */
    char notes[4][256];    /* remarks printed after the table */
    unsigned note_count;
    dg_analysis_row *rows;
    size_t count, cap;
};

/* Draws the figure of a into path (figure.c). */
int dg_figure_write(const dg_analysis *a, const char *path, char *err, size_t errlen);

#endif
