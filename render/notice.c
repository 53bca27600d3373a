/*
 * notice.c - draws the placeholder's notice with FreeType (see notice.h).
 * The font (DG_NOTICE_FONT, Debian's fonts-dejavu-core) is loaded once per
 * process and freed when it ends; FreeType faces are not thread-safe, so
 * drawing holds a lock.
 */
#include "notice.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include <pthread.h>

#ifndef DG_NOTICE_FONT
#define DG_NOTICE_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#endif

#define MIN_TITLE_PX 8 /* below this the notice is not drawn at all */
#define MIN_ID_PX 6    /* below this the id line is left out */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FT_Library library;
static FT_Face face;
static int loaded; /* 1 loaded, -1 failed (not retried) */

static int load_font(void)
{
    if (loaded == 0) {
        loaded =
            FT_Init_FreeType(&library) == 0 && FT_New_Face(library, DG_NOTICE_FONT, 0, &face) == 0
                ? 1
                : -1;
    }
    return loaded;
}

/* Frees the font when the process (or a dlclose'd plugin) ends, so that leak checkers see nothing.
 */
__attribute__((destructor)) static void unload_font(void)
{
    if (loaded == 1) {
        FT_Done_Face(face);
        FT_Done_FreeType(library);
    }
    loaded = 0;
}

/* Width in pixels of text at the face's current size (unhinted advances: no glyph is loaded). */
static long text_width(const char *text)
{
    FT_Fixed adv;
    long w = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (FT_Get_Advance(face, FT_Get_Char_Index(face, *c), FT_LOAD_NO_HINTING, &adv) == 0)
            w += adv; /* 16.16 pixels */
    return w >> 16;
}

/* The largest pixel size, up to max_px, at which text fits width. */
static unsigned fitting_size(const char *text, uint32_t width, unsigned max_px)
{
    const unsigned probe = 100;
    long w;

    if (FT_Set_Pixel_Sizes(face, 0, probe) != 0)
        return 0;
    w = text_width(text);
    if (w <= 0)
        return 0;
    double fit = (double)probe * (0.9 * width) / (double)w;
    return fit < max_px ? (unsigned)fit : max_px;
}

/*
 * Puts the glyph bitmap at (x, y) (top left) into mask, as full ink where
 * FreeType's coverage reaches 96 of 255: two levels instead of antialiased
 * edges make the JPEG-LS placeholder 3 to 5 times smaller (bench_placeholder).
 */
static void blit(uint8_t *mask, uint32_t width, uint32_t height, const FT_Bitmap *b, long x, long y)
{
    for (unsigned r = 0; r < b->rows; r++) {
        long my = y + (long)r;
        if (my < 0 || my >= (long)height)
            continue;
        for (unsigned c = 0; c < b->width; c++) {
            long mx = x + (long)c;
            if (mx >= 0 && mx < (long)width && b->buffer[r * (long)b->pitch + c] >= 96)
                mask[my * (size_t)width + mx] = 255;
        }
    }
}

/* Draws one line at pixel size px, centred, its top at y. */
static void draw_line(uint8_t *mask, uint32_t width, uint32_t height, const char *text, unsigned px,
                      long y)
{
    long pen, baseline;

    if (FT_Set_Pixel_Sizes(face, 0, px) != 0)
        return;
    pen = ((long)width - text_width(text)) / 2;
    baseline = y + (face->size->metrics.ascender >> 6);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (FT_Load_Char(face, *c, FT_LOAD_RENDER) != 0)
            continue;
        blit(mask, width, height, &face->glyph->bitmap, pen + face->glyph->bitmap_left,
             baseline - face->glyph->bitmap_top);
        pen += face->glyph->advance.x >> 6;
    }
}

static int draw_locked(uint8_t *mask, uint32_t width, uint32_t height, const char *const *lines,
                       unsigned count)
{
    unsigned title = height / 10, id = 0, n = count, sizes[8];
    long total = 0, y;

    if (count == 0 || count > 8)
        return 0;
    /* the title lines share one size: the largest at which each fits */
    for (unsigned i = 0; i + 1 < count; i++) {
        unsigned s = fitting_size(lines[i], width, title);
        title = s < title ? s : title;
    }
    if (count == 1)
        title = fitting_size(lines[0], width, title);
    if (title < MIN_TITLE_PX)
        return 0;
    if (count > 1) {
        id = fitting_size(lines[count - 1], width, title * 6 / 10);
        if (id < MIN_ID_PX)
            n = count - 1;
    }
    for (unsigned i = 0; i < n; i++) {
        sizes[i] = i + 1 == count && count > 1 ? id : title;
        total += (long)sizes[i] * 14 / 10;
    }
    y = ((long)height - total) / 2;
    for (unsigned i = 0; i < n; i++) {
        draw_line(mask, width, height, lines[i], sizes[i], y);
        y += (long)sizes[i] * 14 / 10;
    }
    return (int)n;
}

int dg_notice_draw(uint8_t *mask, uint32_t width, uint32_t height, const char *const *lines,
                   unsigned count)
{
    int rc;

    if (mask == NULL || lines == NULL || width == 0 || height == 0)
        return 0;
    pthread_mutex_lock(&lock);
    rc = load_font() == 1 ? draw_locked(mask, width, height, lines, count) : -1;
    pthread_mutex_unlock(&lock);
    return rc;
}
