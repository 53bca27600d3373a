/*
 * scan.h - the bounded raw scan of a Part-10 file (internal to dicom/).
 *
 * Before DCMTK sees a file, scan.cpp walks its bytes itself: the preamble
 * and "DICM", the File Meta group, then every element of the dataset in the
 * file's transfer syntax. Every declared length is checked against the bytes
 * really left, sequence nesting is limited to DG_DICOM_MAX_DEPTH, and the
 * position of the top-level Pixel Data value (and of its items when it is
 * encapsulated) is recorded so that the pipeline can work on the original
 * bytes. The scan never reads outside the buffer, whatever the input.
 */
#ifndef DG_SCAN_H
#define DG_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "dicom.h"

/* One encapsulated item: offset of its (FFFE,E000) tag, and 8 + value length. */
typedef struct dg_scan_item {
    uint64_t offset;
    uint64_t length;
} dg_scan_item;

typedef struct dg_scan {
    char transfer_syntax[68]; /* (0002,0010), trimmed */
    int implicit_vr;          /* dataset is implicit VR little endian */
    int no_meta;              /* no File Meta group: the encoding was guessed */
    int big_endian;           /* dataset is explicit VR big endian */
    int deflated;             /* dataset is deflated: not scanned */
    int has_pixels;           /* top-level (7FE0,0010) found */
    int encapsulated;         /* ... with undefined length */
    uint64_t pixel_value_offset;
    uint64_t pixel_value_length;
    uint32_t item_count; /* encapsulated items, offset table included */
    uint32_t item_cap;
    dg_scan_item *items; /* malloc'd, item_count entries */
    uint64_t dataset_offset;
    size_t element_count;
    size_t element_cap;
    dg_dicom_element *elements; /* malloc'd, element_count entries */
} dg_scan;

/*
 * Scans buf. Returns DG_DICOM_OK, DG_DICOM_EPARSE (err says why),
 * DG_DICOM_ENOMEM or DG_DICOM_EINTERNAL. On failure nothing needs freeing;
 * on success release the scan with dg_scan_free().
 */
int dg_scan_file(const uint8_t *buf, size_t len, dg_scan *scan, char *err, size_t errlen);
void dg_scan_free(dg_scan *scan);

#endif
