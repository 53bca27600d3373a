/*
 * dicom.h - reading and writing DICOM files for dcmguard.
 *
 * This is the C face of a thin layer over DCMTK (dicom.cpp is the only C++
 * in the project). No C++ type or exception crosses this header. The layer
 * knows DICOM and nothing else: it does not know about codecs, keys or the
 * protected-file format.
 *
 * A dg_dicom is one parsed Part-10 file held in memory. Parsing does two
 * things: a bounded raw scan of the bytes (scan.cpp) that checks every
 * length against the real size, limits sequence nesting and records where
 * the top-level Pixel Data value lies in the original bytes, and a full
 * DCMTK parse of the same bytes. A file is accepted only when both agree.
 *
 * Every function returns 0 on success or a negative DG_DICOM_E* status; on
 * failure the optional err buffer receives one line saying why.
 */
#ifndef DG_DICOM_H
#define DG_DICOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DG_DICOM_OK = 0,
    DG_DICOM_EPARSE = -1,    /* not a readable DICOM file (truncated, malformed, ...) */
    DG_DICOM_ENOMEM = -2,    /* out of memory */
    DG_DICOM_EINVAL = -3,    /* bad argument */
    DG_DICOM_ENOTFOUND = -4, /* the attribute or block is not present */
    DG_DICOM_EINTERNAL = -5  /* DCMTK failed in an unexpected way */
};

/* Sequence nesting deeper than this is refused (DCMTK recurses on the stack). */
#define DG_DICOM_MAX_DEPTH 64

typedef struct dg_dicom dg_dicom;

/* What the pipeline needs to know about a file, all read from the top level. */
typedef struct dg_dicom_info {
    char transfer_syntax[68];    /* (0002,0010), e.g. "1.2.840.10008.1.2.1" */
    char sop_class_uid[68];      /* (0008,0016), "" when absent */
    char sop_instance_uid[68];   /* (0008,0018), "" when absent */
    char photometric[20];        /* (0028,0004), "" when absent */
    int big_endian;              /* dataset encoded big endian (1.2.840.10008.1.2.2) */
    int deflated;                /* dataset deflated (1.2.840.10008.1.2.1.99) */
    int has_pixels;              /* top-level (7FE0,0010) present */
    int encapsulated;            /* Pixel Data has undefined length (items) */
    uint32_t rows, cols, frames; /* frames = NumberOfFrames, 1 when absent */
    uint16_t samples_per_pixel, bits_allocated, bits_stored, high_bit;
    uint16_t pixel_representation, planar_configuration;
    /*
     * Where the Pixel Data value lies in the parsed bytes: set when
     * has_pixels and the dataset is not deflated. For native pixel data the
     * range is the element's value. For encapsulated pixel data it runs from
     * the first item tag up to and including the Sequence Delimitation Item.
     */
    int pixels_located;
    uint64_t pixel_value_offset;
    uint64_t pixel_value_length;
    uint32_t item_count;     /* encapsulated: items including the offset table */
    uint64_t dataset_offset; /* where the dataset starts (after any File Meta) */
} dg_dicom_info;

/*
 * Parses a whole Part-10 file (preamble, "DICM", File Meta, dataset). The
 * bytes are not kept: the caller may free buf afterwards, but item and
 * offset information refers to positions in buf.
 */
int dg_dicom_parse(const uint8_t *buf, size_t len, dg_dicom **out, char *err, size_t errlen);

/*
 * The same, without copying large values: a value longer than
 * DG_DICOM_BORROW_BYTES (the Pixel Data of a large image) stays in buf and
 * is read from there only if it is ever asked for, so that a 200 MB image
 * is not held twice. buf must stay unchanged until dg_dicom_free.
 */
#define DG_DICOM_BORROW_BYTES (1024u * 1024u)
int dg_dicom_parse_borrowed(const uint8_t *buf, size_t len, dg_dicom **out, char *err,
                            size_t errlen);
void dg_dicom_free(dg_dicom *d);

/* Describes the file as parsed: later edits do not change it. */
int dg_dicom_get_info(const dg_dicom *d, dg_dicom_info *info);

/*
 * Encapsulated pixel data: offset (in the parsed buffer) and length of item
 * i, both covering the 8-byte item header and its value. Item 0 is the Basic
 * Offset Table. The delimiter item is not an item.
 */
int dg_dicom_get_item(const dg_dicom *d, uint32_t i, uint64_t *offset, uint64_t *length);

/*
 * Reads a top-level string attribute (leading/trailing spaces removed).
 * Returns DG_DICOM_ENOTFOUND when absent, DG_DICOM_EINVAL when the value
 * and its NUL do not fit in cap or the element has no string form.
 */
int dg_dicom_get_string(const dg_dicom *d, uint16_t group, uint16_t element, char *out, size_t cap);

/*
 * Editing the parsed dataset (top level only). set_string needs a tag whose
 * dictionary VR is a string VR, set_u16 one whose VR is US; File Meta
 * (group 0002) tags are refused (DG_DICOM_EINVAL): dg_dicom_write makes it.
 */
int dg_dicom_set_string(dg_dicom *d, uint16_t group, uint16_t element, const char *value);
int dg_dicom_set_u16(dg_dicom *d, uint16_t group, uint16_t element, uint16_t value);
int dg_dicom_remove(dg_dicom *d, uint16_t group, uint16_t element); /* absent is not an error */

/* Removes the top-level Pixel Data and any Extended Offset Table. */
int dg_dicom_remove_pixels(dg_dicom *d);

/*
 * Replaces the Pixel Data with encapsulated frames (one fragment per frame,
 * a Basic Offset Table filled in) and removes any Extended Offset Table.
 * The frame bytes are copied. The dataset must then be written with
 * DG_DICOM_TS_JPEGLS_LOSSLESS.
 */
int dg_dicom_set_encapsulated_pixels(dg_dicom *d, const uint8_t *const *frames,
                                     const size_t *lengths, uint32_t count);

/*
 * Replaces the Pixel Data with native samples: OB for bits_allocated 8, OW
 * in host byte order for 16 (len bytes). Write with DG_DICOM_TS_EXPLICIT_LE.
 */
int dg_dicom_set_native_pixels(dg_dicom *d, const void *samples, size_t len, int bits_allocated);

/* Decodes RLE Lossless pixel data in place (DCMTK's own RLE codec). */
int dg_dicom_decode_rle(dg_dicom *d);

/*
 * Private block: creator string in (group,00xx) and elements (group,xxEE)
 * with VR OB. group must be odd. put_private reserves the first free
 * creator slot 0x10..0xFF (reusing a slot already holding this creator) and
 * replaces any element it writes; get_private finds the slot by its creator
 * and hands out a borrowed pointer valid until the next edit or free.
 * A value of odd length is written padded with one 0x00 byte (DICOM values
 * have even lengths), so it reads back one byte longer.
 */
int dg_dicom_put_private(dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                         const uint8_t *value, size_t length);

/*
 * The same, the value being the n parts one after the other: each part is
 * copied once, straight into the element (no joined copy in between).
 */
int dg_dicom_put_private_parts(dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                               const uint8_t *const *parts, const size_t *lens, size_t n);
int dg_dicom_get_private(const dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                         const uint8_t **value, size_t *length);
/* Removes the creator and every element of that private block (absent is not an error). */
int dg_dicom_remove_private_block(dg_dicom *d, uint16_t group, const char *creator);

/*
 * Every element of the parsed bytes, in file order, as the raw scan found
 * it: the File Meta elements, then the dataset's, nested ones included
 * (items and delimiters are not elements). Empty for a deflated dataset.
 */
typedef struct dg_dicom_element {
    uint16_t group, element;
    char vr[3];            /* as written in the file; "" in implicit VR */
    uint8_t is_sequence;   /* its value was walked as a sequence of items */
    uint16_t depth;        /* 0 at the top level (and for File Meta) */
    int32_t parent;        /* index of the enclosing sequence, -1 at the top level */
    uint64_t value_offset; /* in the parsed bytes */
    uint64_t value_length; /* bytes; an undefined length is resolved to its delimiter */
} dg_dicom_element;

/* A borrowed view of the element list, valid until dg_dicom_free. */
int dg_dicom_elements(const dg_dicom *d, const dg_dicom_element **list, size_t *count);

/* What an editor wants done with one element (see dg_dicom_edit). */
typedef enum {
    DG_DICOM_KEEP = 0,    /* leave it; a sequence is then walked into */
    DG_DICOM_REMOVE = 1,  /* delete it */
    DG_DICOM_EMPTY = 2,   /* make its value empty (a sequence loses its items) */
    DG_DICOM_REPLACE = 3, /* set its value to the string written in replacement (OB, OW, UN:
                             its bytes, padded to an even length with a space) */
    DG_DICOM_ZERO = 4     /* keep the element and its length, every value byte set to zero */
} dg_dicom_edit_action;

/* An element of the dataset as the editor sees it. */
typedef struct dg_dicom_visit {
    uint16_t group, element;
    char vr[3];          /* DCMTK's VR for it */
    unsigned depth;      /* 0 at the top level */
    const char *value;   /* string VRs: the whole value, backslashes included; else NULL */
    const char *creator; /* private elements (gggg,xxEE): their block's creator; else NULL */
} dg_dicom_visit;

/*
 * Returns a dg_dicom_edit_action; for DG_DICOM_REPLACE it writes a NUL-
 * terminated value into replacement (cap bytes). A negative return stops
 * the walk and dg_dicom_edit returns DG_DICOM_EINVAL.
 */
typedef int (*dg_dicom_editor)(void *user, const dg_dicom_visit *v, char *replacement, size_t cap);

/*
 * Walks every element of the dataset (not the File Meta) depth first, in
 * order, and applies what fn says. The walk order depends only on the
 * tags, so two files with the same structure are visited alike.
 */
int dg_dicom_edit(dg_dicom *d, dg_dicom_editor fn, void *user);

/*
 * The VR the data dictionary gives (group,element) in vr ("SQ", "PN", ...;
 * "xs", "ox" and the like for tags of several VRs). Returns 1 when the
 * dictionary knows the tag, 0 (and vr "") when it does not.
 */
int dg_dicom_dict_vr(uint16_t group, uint16_t element, char vr[3]);

/*
 * Appends an item holding a code (0008,0100) value, (0008,0102) scheme,
 * (0008,0104) meaning to the top-level sequence (group,element), creating
 * the sequence when absent.
 */
int dg_dicom_add_code(dg_dicom *d, uint16_t group, uint16_t element, const char *value,
                      const char *scheme, const char *meaning);

typedef enum {
    DG_DICOM_TS_EXPLICIT_LE = 0,     /* 1.2.840.10008.1.2.1 */
    DG_DICOM_TS_JPEGLS_LOSSLESS = 1, /* 1.2.840.10008.1.2.4.80 */
    DG_DICOM_TS_AS_PARSED = 2        /* the transfer syntax the file was read in */
} dg_dicom_ts;

/*
 * Writes the dataset as a Part-10 file (128-byte zero preamble, fresh File
 * Meta naming dcmguard as the implementation) into a malloc'd buffer that
 * the caller frees with free().
 */
int dg_dicom_write(dg_dicom *d, dg_dicom_ts ts, uint8_t **out, size_t *out_len, char *err,
                   size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
