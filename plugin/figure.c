/*
 * figure.c - the picture of `dcmguard analyze --png`: the paper's Figure 2
 * (A plain image, B its histogram, C cipher image, D its histogram) with
 * adjacent-pixel scatter plots (horizontal, vertical, diagonal) of both
 * images and their main figures. Drawn into an RGB buffer and written with
 * libpng's simplified API; the labels use a 5x7 bitmap font defined here.
 */
#include "analyze.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL 256
#define GAP 16
#define LABEL 22
#define COLS 4
#define ROWS 3
#define WIDTH (GAP + COLS * (PANEL + GAP))
#define HEIGHT (GAP + ROWS * (LABEL + PANEL + GAP))
#define SCATTER_PAIRS 5000

typedef struct canvas {
    uint8_t *px; /* WIDTH x HEIGHT, RGB */
} canvas;

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

static const rgb black = {0, 0, 0}, white = {255, 255, 255}, grey = {170, 170, 170};
static const rgb blue = {30, 80, 200}, red = {200, 40, 40}, light = {244, 244, 244};

/* ---- drawing ---- */

static void dot(canvas *c, int x, int y, rgb col)
{
    uint8_t *p;

    if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT)
        return;
    p = c->px + ((size_t)y * WIDTH + (size_t)x) * 3;
    p[0] = col.r;
    p[1] = col.g;
    p[2] = col.b;
}

static void box(canvas *c, int x, int y, int w, int h, rgb col)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            dot(c, i, j, col);
}

static void frame_box(canvas *c, int x, int y, int w, int h, rgb col)
{
    box(c, x - 1, y - 1, w + 2, 1, col);
    box(c, x - 1, y + h, w + 2, 1, col);
    box(c, x - 1, y - 1, 1, h + 2, col);
    box(c, x + w, y - 1, 1, h + 2, col);
}

/* ---- text ---- */

typedef struct glyph {
    char ch;
    uint8_t rows[7]; /* bit 4 is the leftmost column */
} glyph;

static const glyph font[] = {
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'+', {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08}},
    {'-', {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}},
    {'/', {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10}},
    {'0', {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}},
    {'1', {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}},
    {'2', {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}},
    {'3', {0x1e, 0x01, 0x01, 0x0e, 0x01, 0x01, 0x1e}},
    {'4', {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}},
    {'5', {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}},
    {'6', {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}},
    {'7', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}},
    {'9', {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}},
    {':', {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00}},
    {'<', {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}},
    {'=', {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00}},
    {'>', {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}},
    {'A', {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}},
    {'B', {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e}},
    {'C', {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}},
    {'D', {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c}},
    {'E', {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f}},
    {'F', {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10}},
    {'G', {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f}},
    {'H', {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}},
    {'I', {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f}},
    {'M', {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}},
    {'P', {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10}},
    {'Q', {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d}},
    {'R', {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}},
    {'S', {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}},
    {'T', {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a}},
    {'X', {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04}},
    {'Z', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}},
    {'^', {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00}},
    {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f}},
    {'|', {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
};

static const uint8_t *glyph_rows(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
    for (size_t i = 0; i < sizeof font / sizeof font[0]; i++)
        if (font[i].ch == ch)
            return font[i].rows;
    return NULL; /* a space, or a character the font lacks */
}

/* Writes s at (x, y), each font pixel scale x scale; stops at max_w pixels. */
static void text(canvas *c, int x, int y, int scale, int max_w, const char *s, rgb col)
{
    for (int k = 0; s[k] != '\0' && (k + 1) * 6 * scale <= max_w; k++) {
        const uint8_t *g = glyph_rows(s[k]);
        if (g == NULL)
            continue;
        for (int r = 0; r < 7; r++)
            for (int b = 0; b < 5; b++)
                if (g[r] & (0x10 >> b))
                    box(c, x + (k * 6 + b) * scale, y + r * scale, scale, scale, col);
    }
}

/* Panel (col, row) of the grid: its top-left corner below the label. */
static void panel_at(int col, int row, int *x, int *y)
{
    *x = GAP + col * (PANEL + GAP);
    *y = GAP + row * (LABEL + PANEL + GAP) + LABEL;
}

static void label(canvas *c, int col, int row, const char *s)
{
    int x, y;
    panel_at(col, row, &x, &y);
    text(c, x, y - LABEL + 2, 2, PANEL, s, black);
}

/* ---- panels ---- */

static void range(const dg_gray *g, uint16_t *lo, uint16_t *hi)
{
    size_t n = (size_t)g->rows * g->cols;
    *lo = UINT16_MAX;
    *hi = 0;
    for (size_t t = 0; t < n; t++) {
        *lo = g->v[t] < *lo ? g->v[t] : *lo;
        *hi = g->v[t] > *hi ? g->v[t] : *hi;
    }
}

/* The image scaled to fit the panel (nearest sample), gray levels stretched or full range. */
static void image_panel(canvas *c, int col, int row, const dg_gray *g, int stretch)
{
    double scale = fmin((double)PANEL / g->cols, (double)PANEL / g->rows);
    int w = (int)(g->cols * scale), h = (int)(g->rows * scale), x, y;
    uint16_t lo = 0, hi = (uint16_t)((1u << g->bits) - 1u);

    if (stretch)
        range(g, &lo, &hi);
    panel_at(col, row, &x, &y);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            size_t si = (size_t)(j / scale), sj = (size_t)(i / scale);
            uint16_t v = g->v[si * g->cols + sj];
            uint8_t l = hi > lo ? (uint8_t)((v - lo) * 255.0 / (hi - lo) + 0.5) : 0;
            dot(c, x + i, y + j, (rgb){l, l, l});
        }
    frame_box(c, x, y, w, h, grey);
}

/* The value range a panel spans: the image's own [min, max] (plain) or all 2^bits values. */
static void span(const dg_gray *g, int own, uint16_t *lo, uint16_t *hi)
{
    *lo = 0;
    *hi = (uint16_t)((1u << g->bits) - 1u);
    if (own)
        range(g, lo, hi);
    if (*hi == *lo)
        *hi = (uint16_t)(*lo + 1);
}

/* "VALUES lo..hi" at the foot of a panel. */
static void span_caption(canvas *c, int x, int y, uint16_t lo, uint16_t hi)
{
    char s[48];
    snprintf(s, sizeof s, "VALUES %u..%u", (unsigned)lo, (unsigned)hi);
    text(c, x + 4, y + PANEL - 11, 1, PANEL - 8, s, black);
}

/* 256 bars (fewer for fewer values) over [lo, hi], scaled to the tallest. */
static void histogram_panel(canvas *c, int col, int row, const dg_gray *g, int own, rgb bar)
{
    size_t n = (size_t)g->rows * g->cols, counts[256] = {0}, top = 1;
    uint16_t lo, hi;
    unsigned bins;
    int x, y, bw;

    span(g, own, &lo, &hi);
    bins = (unsigned)(hi - lo) + 1 < 256 ? (unsigned)(hi - lo) + 1 : 256;
    bw = PANEL / (int)bins;
    panel_at(col, row, &x, &y);
    box(c, x, y, PANEL, PANEL, light);
    for (size_t t = 0; t < n; t++)
        counts[(size_t)((double)(g->v[t] - lo) * bins / ((double)(hi - lo) + 1.0))]++;
    for (unsigned b = 0; b < bins; b++)
        top = counts[b] > top ? counts[b] : top;
    for (unsigned b = 0; b < bins; b++) {
        int h = (int)((double)counts[b] / (double)top * (PANEL - 16) + 0.5);
        box(c, x + (int)b * bw, y + PANEL - 14 - h, bw, h, bar);
    }
    span_caption(c, x, y, lo, hi);
    frame_box(c, x, y, PANEL, PANEL, grey);
}

/* splitmix64, for the scatter plot's sample of pairs (not secret). */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* 5000 random pairs of neighbours (di, dj) as dots, value against value over [lo, hi]. */
static void scatter_panel(canvas *c, int col, int row, const dg_gray *g, int di, int dj, int own,
                          rgb ink)
{
    uint64_t seed = 0x73636174ull;
    uint16_t lo, hi;
    int x, y, side = PANEL - 16;

    span(g, own, &lo, &hi);
    panel_at(col, row, &x, &y);
    box(c, x, y, PANEL, PANEL, white);
    for (int k = 0; k < SCATTER_PAIRS && g->rows > (uint32_t)di && g->cols > (uint32_t)dj; k++) {
        size_t i = (size_t)(mix(&seed) % (g->rows - di)), j = (size_t)(mix(&seed) % (g->cols - dj));
        double a = (g->v[i * g->cols + j] - lo) / (double)(hi - lo);
        double b = (g->v[(i + di) * g->cols + j + dj] - lo) / (double)(hi - lo);
        box(c, x + 2 + (int)(a * (side - 2)), y + side - (int)(b * (side - 2)), 2, 2, ink);
    }
    span_caption(c, x, y, lo, hi);
    frame_box(c, x, y, PANEL, PANEL, grey);
}

static const dg_analysis_row *find(const dg_analysis *a, const char *group, const char *name)
{
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->rows[i].group, group) == 0 && strcmp(a->rows[i].name, name) == 0)
            return &a->rows[i];
    return NULL;
}

/* A line "NAME value" of a figures panel, when the row exists. */
static void figure_line(canvas *c, int x, int *y, const dg_analysis *a, const char *group,
                        const char *name, const char *caption, const char *fmt)
{
    const dg_analysis_row *r = find(a, group, name);
    char line[64], value[32];

    if (r == NULL)
        return;
    snprintf(value, sizeof value, fmt, r->value);
    snprintf(line, sizeof line, "%s %s", caption, value);
    text(c, x, *y, 2, PANEL, line, black);
    *y += 22;
}

static void figures_panel(canvas *c, int col, int row, const dg_analysis *a, const char *group)
{
    int x, y;
    const dg_analysis_row *e = find(a, group, "entropy");

    panel_at(col, row, &x, &y);
    figure_line(c, x, &y, a, group, "entropy", "ENTROPY", "%.5f");
    if (e != NULL && strcmp(group, "cipher") == 0) {
        char line[64];
        snprintf(line, sizeof line, "IDEAL   %.5f", e->expected);
        text(c, x, y, 2, PANEL, line, black);
        y += 22;
    }
    figure_line(c, x, &y, a, group, "correlation horizontal", "CORR H", "%+.4f");
    figure_line(c, x, &y, a, group, "correlation vertical", "CORR V", "%+.4f");
    figure_line(c, x, &y, a, group, "correlation diagonal", "CORR D", "%+.4f");
    if (strcmp(group, "cipher") == 0) {
        figure_line(c, x, &y, a, group, "chi-square", "CHI2", "%.1f");
        figure_line(c, x, &y, a, "pixel", "npcr (0,0)", "NPCR %", "%.4f");
        figure_line(c, x, &y, a, "pixel", "uaci (0,0)", "UACI %", "%.4f");
        text(c, x, y + 8, 1, PANEL, "NPCR/UACI: ONE-SAMPLE CHANGE AT (0,0)", grey);
    }
}

static void draw(canvas *c, const dg_analysis *a)
{
    box(c, 0, 0, WIDTH, HEIGHT, white);
    label(c, 0, 0, "A PLAIN IMAGE");
    image_panel(c, 0, 0, &a->plain, 1);
    label(c, 1, 0, "B HISTOGRAM");
    histogram_panel(c, 1, 0, &a->plain, 1, blue);
    label(c, 2, 0, "C CIPHER IMAGE");
    image_panel(c, 2, 0, &a->cipher, 0);
    label(c, 3, 0, "D HISTOGRAM");
    histogram_panel(c, 3, 0, &a->cipher, 0, red);
    label(c, 0, 1, "PLAIN H-ADJ.");
    scatter_panel(c, 0, 1, &a->plain, 0, 1, 1, blue);
    label(c, 1, 1, "PLAIN V-ADJ.");
    scatter_panel(c, 1, 1, &a->plain, 1, 0, 1, blue);
    label(c, 2, 1, "PLAIN D-ADJ.");
    scatter_panel(c, 2, 1, &a->plain, 1, 1, 1, blue);
    label(c, 3, 1, "PLAIN");
    figures_panel(c, 3, 1, a, "plain");
    label(c, 0, 2, "CIPHER H-ADJ.");
    scatter_panel(c, 0, 2, &a->cipher, 0, 1, 0, red);
    label(c, 1, 2, "CIPHER V-ADJ.");
    scatter_panel(c, 1, 2, &a->cipher, 1, 0, 0, red);
    label(c, 2, 2, "CIPHER D-ADJ.");
    scatter_panel(c, 2, 2, &a->cipher, 1, 1, 0, red);
    label(c, 3, 2, "CIPHER");
    figures_panel(c, 3, 2, a, "cipher");
}

/* Writes "what detail" into err (when there is one); returns status. */
static int say(char *err, size_t errlen, int status, const char *what, const char *detail)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s%s", what, detail);
    return status;
}

int dg_figure_write(const dg_analysis *a, const char *path, char *err, size_t errlen)
{
    canvas c;
    png_image img;
    int rc = DG_OK;

    if (a->plain.v == NULL || a->cipher.v == NULL)
        return say(err, errlen, DG_EINVAL, "nothing to draw", "");
    c.px = malloc((size_t)WIDTH * HEIGHT * 3);
    if (c.px == NULL)
        return say(err, errlen, DG_ENOMEM, "out of memory", "");
    draw(&c, a);
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = WIDTH;
    img.height = HEIGHT;
    img.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_file(&img, path, 0, c.px, 0, NULL))
        rc = say(err, errlen, DG_EINVAL, "cannot write the PNG: ", img.message);
    png_image_free(&img);
    free(c.px);
    return rc;
}
