/*
 * notice.h - a few lines of text drawn with FreeType (a Debian font) into
 * an 8-bit coverage mask: what a protected file's placeholder image shows
 * ("PROTECTED BY DCMGUARD - PIXEL DATA ENCRYPTED" and an instance id).
 * Knows nothing of DICOM, keys or codecs; plugin/ turns the mask into
 * samples.
 */
#ifndef DG_NOTICE_H
#define DG_NOTICE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Draws lines, centred, into mask (width x height bytes, row by row, which
 * the caller has zeroed): 0 is background, 255 ink (two levels only). The text is sized
 * to the image (title lines as large as fit, up to a tenth of the height;
 * the last line, the id, smaller). Returns the number of lines drawn (0
 * when the image is too small for legible text), or -1 when the font cannot
 * be loaded. Thread-safe.
 */
int dg_notice_draw(uint8_t *mask, uint32_t width, uint32_t height, const char *const *lines,
                   unsigned count);

#endif
