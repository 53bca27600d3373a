/*
 * scan.cpp - bounded raw walk over the bytes of a Part-10 file.
 *
 * DCMTK trusts declared lengths and recurses once per nesting level, so a
 * hostile file could make it allocate huge buffers or run out of stack.
 * This walk runs first and refuses such files. It reads the 128-byte
 * preamble and "DICM", the File Meta group (always explicit VR little
 * endian), picks the dataset encoding from (0002,0010), then visits every
 * element of the dataset:
 *
 *   - every length is checked against the bytes really left in the
 *     enclosing region before it is used;
 *   - sequences (SQ, UN or implicit VR with undefined length, dictionary SQ
 *     in implicit VR) are walked into, item by item, and nesting deeper than
 *     DG_DICOM_MAX_DEPTH is refused;
 *   - opaque values that start with an item tag (UN, or unknown tags in
 *     implicit VR) are probed as sequences too, because DCMTK may know them
 *     as SQ from its private dictionary: only their depth can refuse a file;
 *   - the top-level Pixel Data is recorded: its value range, and for
 *     encapsulated data the position of every item;
 *   - every element met (File Meta included, nested ones too) is listed
 *     with its depth, its enclosing sequence and its value range, so that
 *     the pipeline can find any value in the original bytes.
 *
 * Elements of one dataset or item must come in ascending tag order, each
 * tag once (DCMTK would silently reorder or merge them).
 *
 * Every step moves forward by at least 8 bytes and every recursion adds a
 * nesting level, so the walk ends on any input. A deflated dataset is
 * inflated (at most DG_SCAN_MAX_INFLATED bytes) and walked the same way,
 * only to check it: DCMTK then inflates it again itself.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctag.h"

#include <new>
#include <zlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

#define UNDEFINED_LENGTH 0xFFFFFFFFu
#define DG_SCAN_MAX_INFLATED (128u << 20) /* a larger deflated dataset is refused */
#define PREAMBLE_LENGTH 128
#define META_START (PREAMBLE_LENGTH + 4)

#define TS_IMPLICIT_LE "1.2.840.10008.1.2"
#define TS_EXPLICIT_LE "1.2.840.10008.1.2.1"
#define TS_EXPLICIT_BE "1.2.840.10008.1.2.2"
#define TS_DEFLATED "1.2.840.10008.1.2.1.99"

/* How the elements of one nesting level are encoded. */
struct encoding {
    int implicit_vr;
    int big_endian;
};

static const struct encoding explicit_le = {0, 0};
static const struct encoding implicit_le = {1, 0};

/* One element (or item) header as found in the bytes. */
struct header {
    uint16_t group;
    uint16_t element;
    char vr[3]; /* "" for implicit VR and for (FFFE,xxxx) tags */
    uint32_t length;
    size_t offset; /* of the tag */
    size_t value;  /* of the value */
};

/* The state of one scan. */
struct walker {
    const uint8_t *buf;
    size_t len;
    dg_scan *out;
    char *err;
    size_t errlen;
    int quiet;      /* > 0 while probing: errors are not reported */
    int32_t parent; /* index of the sequence element being walked, -1 at the top */
    int too_deep;   /* the depth limit was hit (always reported) */
};

static int walk_dataset(struct walker *w, size_t pos, size_t end, struct encoding enc, int depth,
                        int until_delimiter, size_t *next);

static int fail(struct walker *w, const char *fmt, ...)
{
    va_list ap;

    if (w->quiet > 0 || w->err == NULL || w->errlen == 0)
        return DG_DICOM_EPARSE;
    va_start(ap, fmt);
    vsnprintf(w->err, w->errlen, fmt, ap);
    va_end(ap);
    return DG_DICOM_EPARSE;
}

/* Reported even while probing: a probe may not hide a nesting too deep. */
static int fail_too_deep(struct walker *w)
{
    w->too_deep = 1;
    if (w->err != NULL && w->errlen > 0)
        snprintf(w->err, w->errlen, "sequences nested deeper than %d", DG_DICOM_MAX_DEPTH);
    return DG_DICOM_EPARSE;
}

static uint16_t get_u16(const uint8_t *p, int big_endian)
{
    if (big_endian)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get_u32(const uint8_t *p, int big_endian)
{
    if (big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int vr_in_list(const char *vr, const char *list)
{
    for (; list[0] != '\0'; list += 2) {
        if (vr[0] == list[0] && vr[1] == list[1])
            return 1;
    }
    return 0;
}

/*
 * Size of the length field that follows an explicit VR: 2, or 4 for the VRs
 * that have 2 reserved bytes and a 4-byte length. 0 for a VR DICOM does not
 * define: its header layout would be a guess, so such files are refused.
 */
static int vr_length_size(const char *vr)
{
    if (vr_in_list(vr, "OBODOFOLOVOWSQUCUNURUTSVUV"))
        return 4;
    if (vr_in_list(vr, "AEASATCSDADSDTFLFDISLOLTPNSHSLSSSTTMUIULUS"))
        return 2;
    return 0;
}

static int is_vr(const struct header *h, const char *vr)
{
    return h->vr[0] == vr[0] && h->vr[1] == vr[1];
}

static int is_tag(const struct header *h, uint16_t group, uint16_t element)
{
    return h->group == group && h->element == element;
}

/* Reads a tag followed by a 4-byte length, as items and delimiters are. */
static int read_item_header(struct walker *w, size_t pos, size_t end, struct encoding enc,
                            struct header *h)
{
    const uint8_t *p = w->buf + pos;

    if (end - pos < 8)
        return fail(w, "truncated item header at offset %zu", pos);
    h->group = get_u16(p, enc.big_endian);
    h->element = get_u16(p + 2, enc.big_endian);
    h->vr[0] = '\0';
    h->length = get_u32(p + 4, enc.big_endian);
    h->offset = pos;
    h->value = pos + 8;
    return DG_DICOM_OK;
}

/* Reads one element header in the given encoding (pos < end). */
static int read_header(struct walker *w, size_t pos, size_t end, struct encoding enc,
                       struct header *h)
{
    const uint8_t *p = w->buf + pos;
    int size;

    if (end - pos < 8)
        return fail(w, "truncated element header at offset %zu", pos);
    h->group = get_u16(p, enc.big_endian);
    if (enc.implicit_vr || h->group == 0xFFFE)
        return read_item_header(w, pos, end, enc, h);

    h->element = get_u16(p + 2, enc.big_endian);
    h->vr[0] = (char)p[4];
    h->vr[1] = (char)p[5];
    h->vr[2] = '\0';
    h->offset = pos;
    size = vr_length_size(h->vr);
    if (size == 0)
        return fail(w, "element (%04X,%04X) has an unknown VR (bytes %02X %02X)", h->group,
                    h->element, p[4], p[5]);
    if (size == 2) {
        h->length = get_u16(p + 6, enc.big_endian);
        h->value = pos + 8;
        return DG_DICOM_OK;
    }
    if (end - pos < 12)
        return fail(w, "truncated element header at offset %zu", pos);
    h->length = get_u32(p + 8, enc.big_endian);
    h->value = pos + 12;
    return DG_DICOM_OK;
}

/* A defined length must fit in what is left of the enclosing region. */
static int check_fits(struct walker *w, const struct header *h, size_t end)
{
    if (h->length > end - h->value)
        return fail(w, "element (%04X,%04X) length %u exceeds the %zu bytes left", h->group,
                    h->element, h->length, end - h->value);
    return DG_DICOM_OK;
}

static int add_item(struct walker *w, size_t offset, uint64_t length)
{
    dg_scan *s = w->out;
    dg_scan_item *grown;
    uint32_t cap;

    if (s->item_count == s->item_cap) {
        if (s->item_cap > UINT32_MAX / 2)
            return fail(w, "too many Pixel Data items");
        cap = s->item_cap != 0 ? s->item_cap * 2 : 16;
        grown = (dg_scan_item *)realloc(s->items, (size_t)cap * sizeof(*grown));
        if (grown == NULL)
            return DG_DICOM_ENOMEM;
        s->items = grown;
        s->item_cap = cap;
    }
    s->items[s->item_count].offset = offset;
    s->items[s->item_count].length = length;
    s->item_count++;
    return DG_DICOM_OK;
}

/* Lists one element; *index receives its place in the list. */
static int add_element(struct walker *w, const struct header *h, int depth, int32_t *index)
{
    dg_scan *s = w->out;
    dg_dicom_element *grown, *e;
    size_t cap;

    if (s->element_count == s->element_cap) {
        if (s->element_cap > (size_t)INT32_MAX / 2)
            return fail(w, "too many elements");
        cap = s->element_cap != 0 ? s->element_cap * 2 : 256;
        grown = (dg_dicom_element *)realloc(s->elements, cap * sizeof(*grown));
        if (grown == NULL)
            return DG_DICOM_ENOMEM;
        s->elements = grown;
        s->element_cap = cap;
    }
    e = &s->elements[s->element_count];
    memset(e, 0, sizeof(*e));
    e->group = h->group;
    e->element = h->element;
    memcpy(e->vr, h->vr, sizeof(e->vr));
    e->depth = (uint16_t)depth;
    e->parent = w->parent;
    e->value_offset = h->value;
    e->value_length = h->length == UNDEFINED_LENGTH ? 0 : h->length;
    *index = (int32_t)s->element_count++;
    return DG_DICOM_OK;
}

static int record_pixels(struct walker *w, int encapsulated, size_t offset, size_t length)
{
    dg_scan *s = w->out;

    if (s->has_pixels)
        return fail(w, "Pixel Data (7FE0,0010) appears twice");
    s->has_pixels = 1;
    s->encapsulated = encapsulated;
    s->pixel_value_offset = offset;
    s->pixel_value_length = length;
    return DG_DICOM_OK;
}

/*
 * Walks the items of a sequence whose header is sq. A defined-length
 * sequence ends exactly at the end of its value; an undefined-length one at
 * its (FFFE,E0DD) delimiter, before end. enc is the encoding of the items.
 */
static int walk_sequence(struct walker *w, const struct header *sq, size_t end, struct encoding enc,
                         int depth, size_t *next)
{
    int defined = sq->length != UNDEFINED_LENGTH;
    size_t stop = defined ? sq->value + sq->length : end;
    size_t pos = sq->value;
    struct header item = {};
    int rc;

    if (depth + 1 > DG_DICOM_MAX_DEPTH)
        return fail_too_deep(w);
    if (w->parent >= 0)
        w->out->elements[w->parent].is_sequence = 1;
    for (;;) {
        if (defined && pos == stop)
            break;
        if (!defined && stop - pos < 8)
            return fail(w, "sequence (%04X,%04X) has no sequence delimiter", sq->group,
                        sq->element);
        rc = read_item_header(w, pos, stop, enc, &item);
        if (rc != DG_DICOM_OK)
            return rc;
        if (!defined && is_tag(&item, 0xFFFE, 0xE0DD)) {
            pos = item.value;
            break;
        }
        if (!is_tag(&item, 0xFFFE, 0xE000))
            return fail(w,
                        "sequence (%04X,%04X): expected an item at offset %zu, found (%04X,%04X)",
                        sq->group, sq->element, pos, item.group, item.element);
        if (item.length == UNDEFINED_LENGTH) {
            rc = walk_dataset(w, item.value, stop, enc, depth + 1, 1, &pos);
        } else {
            rc = check_fits(w, &item, stop);
            if (rc == DG_DICOM_OK)
                rc = walk_dataset(w, item.value, item.value + item.length, enc, depth + 1, 0, &pos);
        }
        if (rc != DG_DICOM_OK)
            return rc;
    }
    *next = pos;
    return DG_DICOM_OK;
}

/*
 * An opaque value that starts with an item tag may still be a sequence to
 * DCMTK (a private SQ it knows by its creator). Walk it as one to bound its
 * depth; if it does not parse as a sequence, leave it as plain bytes.
 */
static int probe_sequence(struct walker *w, const struct header *h, int depth)
{
    const uint8_t item_tag[4] = {0xFE, 0xFF, 0x00, 0xE0};
    size_t after, listed = w->out->element_count;
    int rc;

    if (h->length < 8 || memcmp(w->buf + h->value, item_tag, 4) != 0)
        return DG_DICOM_OK;
    w->quiet++;
    rc = walk_sequence(w, h, h->value + h->length, implicit_le, depth, &after);
    w->quiet--;
    if (rc == DG_DICOM_EPARSE && !w->too_deep) {
        /* plain bytes after all: forget what the probe listed */
        w->out->element_count = listed;
        if (w->parent >= 0)
            w->out->elements[w->parent].is_sequence = 0;
        return DG_DICOM_OK;
    }
    return rc;
}

/* Encapsulated Pixel Data: defined-length items up to (FFFE,E0DD). */
static int walk_fragments(struct walker *w, const struct header *h, size_t end, struct encoding enc,
                          int depth, size_t *next)
{
    size_t pos = h->value;
    struct header item = {};
    int rc;

    for (;;) {
        if (end - pos < 8)
            return fail(w, "encapsulated Pixel Data has no sequence delimiter");
        rc = read_item_header(w, pos, end, enc, &item);
        if (rc != DG_DICOM_OK)
            return rc;
        if (is_tag(&item, 0xFFFE, 0xE0DD))
            break;
        if (!is_tag(&item, 0xFFFE, 0xE000))
            return fail(
                w, "encapsulated Pixel Data: expected an item at offset %zu, found (%04X,%04X)",
                pos, item.group, item.element);
        if (item.length == UNDEFINED_LENGTH)
            return fail(w, "encapsulated Pixel Data item at offset %zu has an undefined length",
                        pos);
        rc = check_fits(w, &item, end);
        if (rc == DG_DICOM_OK && depth == 0)
            rc = add_item(w, pos, 8 + (uint64_t)item.length);
        if (rc != DG_DICOM_OK)
            return rc;
        pos = item.value + item.length;
    }
    *next = item.value;
    if (depth == 0)
        return record_pixels(w, 1, h->value, item.value - h->value);
    return DG_DICOM_OK;
}

/* An element with an undefined length: a sequence or encapsulated pixels. */
static int walk_undefined(struct walker *w, const struct header *h, size_t end, struct encoding enc,
                          int depth, size_t *next)
{
    int pixel_data = is_tag(h, 0x7FE0, 0x0010);

    if (enc.implicit_vr)
        return pixel_data ? walk_fragments(w, h, end, enc, depth, next)
                          : walk_sequence(w, h, end, enc, depth, next);
    if (is_vr(h, "SQ"))
        return walk_sequence(w, h, end, enc, depth, next);
    if (is_vr(h, "UN"))
        return walk_sequence(w, h, end, implicit_le, depth, next);
    if (pixel_data && (is_vr(h, "OB") || is_vr(h, "OW")))
        return walk_fragments(w, h, end, enc, depth, next);
    return fail(w, "element (%04X,%04X) with VR %s has an undefined length", h->group, h->element,
                h->vr);
}

/* In implicit VR only the data dictionary says whether a tag is a sequence. */
static int dictionary_says_sequence(const struct header *h)
{
    DcmTag tag(h->group, h->element);

    return tag.getEVR() == EVR_SQ;
}

/* A defined-length element: walk into it when it is a sequence. */
static int walk_defined(struct walker *w, const struct header *h, size_t end, struct encoding enc,
                        int depth, size_t *next)
{
    size_t after;
    int rc;

    rc = check_fits(w, h, end);
    if (rc != DG_DICOM_OK)
        return rc;
    *next = h->value + h->length;
    if (enc.implicit_vr ? dictionary_says_sequence(h) : is_vr(h, "SQ"))
        return walk_sequence(w, h, end, enc, depth, &after);
    if (enc.implicit_vr || is_vr(h, "UN"))
        rc = probe_sequence(w, h, depth);
    if (rc == DG_DICOM_OK && depth == 0 && is_tag(h, 0x7FE0, 0x0010))
        rc = record_pixels(w, 0, h->value, h->length);
    return rc;
}

/*
 * Walks the elements from pos. A defined-length region ends exactly at end;
 * with until_delimiter the region is an undefined-length item that ends at
 * its (FFFE,E00D) delimiter, which must come before end. *next receives the
 * offset just past what was walked.
 */
static int walk_dataset(struct walker *w, size_t pos, size_t end, struct encoding enc, int depth,
                        int until_delimiter, size_t *next)
{
    struct header h = {};
    int32_t index, outer = w->parent;
    uint32_t previous = 0, tag;
    int rc, first = 1;

    while (pos < end) {
        rc = read_header(w, pos, end, enc, &h);
        if (rc != DG_DICOM_OK)
            return rc;
        if (until_delimiter && is_tag(&h, 0xFFFE, 0xE00D)) {
            *next = h.value;
            return DG_DICOM_OK;
        }
        if (h.group == 0xFFFE)
            return fail(w, "unexpected (FFFE,%04X) at offset %zu", h.element, pos);
        tag = (uint32_t)h.group << 16 | h.element;
        if (!first && tag <= previous)
            return fail(w, "element (%04X,%04X) at offset %zu is %s", h.group, h.element, pos,
                        tag == previous ? "repeated" : "out of ascending tag order");
        previous = tag;
        first = 0;
        /* DCMTK would sort it into the File Meta group when writing */
        if (h.group == 0x0002 && depth == 0)
            return fail(w, "File Meta element (0002,%04X) inside the dataset at offset %zu",
                        h.element, pos);
        rc = add_element(w, &h, depth, &index);
        if (rc != DG_DICOM_OK)
            return rc;
        w->parent = index;
        if (h.length == UNDEFINED_LENGTH)
            rc = walk_undefined(w, &h, end, enc, depth, &pos);
        else
            rc = walk_defined(w, &h, end, enc, depth, &pos);
        w->parent = outer;
        if (rc != DG_DICOM_OK)
            return rc;
        if (h.length == UNDEFINED_LENGTH)
            w->out->elements[index].value_length = pos - h.value;
    }
    if (until_delimiter)
        return fail(w, "item ending at offset %zu has no item delimiter", end);
    *next = pos;
    return DG_DICOM_OK;
}

/* Copies the Transfer Syntax UID, trimmed of padding, and checks its form. */
static int copy_transfer_syntax(struct walker *w, const struct header *h)
{
    char *ts = w->out->transfer_syntax;
    const uint8_t *value = w->buf + h->value;
    size_t n = h->length;
    size_t i;

    while (n > 0 && (value[n - 1] == '\0' || value[n - 1] == ' '))
        n--;
    while (n > 0 && value[0] == ' ') {
        value++;
        n--;
    }
    if (n == 0 || n > 64)
        return fail(w, "Transfer Syntax UID has %zu characters", n);
    for (i = 0; i < n; i++) {
        if (value[i] != '.' && (value[i] < '0' || value[i] > '9'))
            return fail(w, "Transfer Syntax UID is not a UID");
        ts[i] = (char)value[i];
    }
    ts[n] = '\0';
    return DG_DICOM_OK;
}

/*
 * Walks the File Meta group (0002): explicit VR little endian, ending where
 * the first tag of another group starts, tags ascending. A group length,
 * when present, must agree with the elements, or DCMTK and the scan would
 * start the dataset at different offsets.
 */
static int walk_meta(struct walker *w, size_t pos, size_t *dataset_start)
{
    uint64_t declared_end = 0;
    struct header h = {};
    int32_t index, previous = -1;
    int have_ts = 0;
    int rc;

    while (w->len - pos >= 2 && get_u16(w->buf + pos, 0) == 0x0002) {
        rc = read_header(w, pos, w->len, explicit_le, &h);
        if (rc != DG_DICOM_OK)
            return rc;
        /* A repeated group (F6): DCMTK would end the File Meta where the scan does not. */
        if ((int32_t)h.element <= previous)
            return fail(w, "File Meta element (0002,%04X) at offset %zu is %s", h.element, pos,
                        (int32_t)h.element == previous ? "repeated" : "out of ascending tag order");
        previous = h.element;
        if (h.length == UNDEFINED_LENGTH)
            return fail(w, "File Meta element (0002,%04X) has an undefined length", h.element);
        rc = check_fits(w, &h, w->len);
        if (rc == DG_DICOM_OK)
            rc = add_element(w, &h, 0, &index);
        if (rc == DG_DICOM_OK && h.element == 0x0000 && h.length == 4)
            declared_end = h.value + 4 + (uint64_t)get_u32(w->buf + h.value, 0);
        if (rc == DG_DICOM_OK && h.element == 0x0010) {
            rc = copy_transfer_syntax(w, &h);
            have_ts = 1;
        }
        if (rc != DG_DICOM_OK)
            return rc;
        pos = h.value + h.length;
    }
    if (!have_ts)
        return fail(w, "no Transfer Syntax UID (0002,0010) in the File Meta Information");
    if (declared_end != 0 && declared_end != pos)
        return fail(w, "File Meta group length ends at offset %llu but its elements end at %zu",
                    (unsigned long long)declared_end, pos);
    *dataset_start = pos;
    return DG_DICOM_OK;
}

/* A group 0002 element in explicit VR little endian starts at pos. */
static int meta_starts_at(const struct walker *w, size_t pos)
{
    const uint8_t *p = w->buf + pos;
    return w->len - pos >= 8 && get_u16(p, 0) == 0x0002 && p[4] >= 'A' && p[4] <= 'Z' &&
           p[5] >= 'A' && p[5] <= 'Z';
}

/*
 * A dataset without File Meta Information: guess its encoding as DCMTK does
 * (explicit VR when the first element's VR field holds two capital letters,
 * implicit VR otherwise; little endian). DCMTK must then agree (dicom.cpp).
 */
static void guess_encoding(struct walker *w)
{
    const uint8_t *p = w->buf;
    int vr_like = w->len >= 8 && p[4] >= 'A' && p[4] <= 'Z' && p[5] >= 'A' && p[5] <= 'Z';
    strcpy(w->out->transfer_syntax, vr_like ? TS_EXPLICIT_LE : TS_IMPLICIT_LE);
    w->out->no_meta = 1;
}

/*
 * Finds the dataset: after the File Meta group of a Part-10 file (128-byte
 * preamble and "DICM"), after a File Meta group with no preamble, or from
 * the first byte of a bare dataset.
 */
static int find_dataset(struct walker *w, size_t *start)
{
    if (w->len >= META_START && memcmp(w->buf + PREAMBLE_LENGTH, "DICM", 4) == 0)
        return walk_meta(w, META_START, start);
    if (meta_starts_at(w, 0))
        return walk_meta(w, 0, start);
    if (w->len < 8)
        return fail(w, "only %zu bytes: not a DICOM file", w->len);
    guess_encoding(w);
    *start = 0;
    return DG_DICOM_OK;
}

/* Inflates the raw deflate stream from start (as DCMTK will), refusing more than the cap. */
static int inflate_dataset(struct walker *w, size_t start, uint8_t **out, size_t *out_len)
{
    z_stream z;
    size_t cap = 1u << 20;
    uint8_t *buf = (uint8_t *)malloc(cap), *grown;
    int zrc = Z_OK;

    if (buf == NULL)
        return DG_DICOM_ENOMEM;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        free(buf);
        return DG_DICOM_EINTERNAL;
    }
    z.next_in = (Bytef *)(w->buf + start);
    z.avail_in = (uInt)(w->len - start > UINT32_MAX ? UINT32_MAX : w->len - start);
    while (zrc == Z_OK) {
        if (z.total_out == cap) {
            if (cap >= DG_SCAN_MAX_INFLATED)
                break;
            grown = (uint8_t *)realloc(buf, cap * 2);
            if (grown == NULL)
                break;
            buf = grown;
            cap *= 2;
        }
        z.next_out = buf + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        zrc = inflate(&z, Z_NO_FLUSH);
    }
    *out_len = z.total_out;
    inflateEnd(&z);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return fail(w,
                    zrc == Z_OK ? "the deflated dataset inflates beyond %u MiB"
                                : "the deflated dataset does not inflate (%u MiB cap)",
                    DG_SCAN_MAX_INFLATED >> 20);
    }
    *out = buf;
    return DG_DICOM_OK;
}

/*
 * A deflated dataset is walked on its inflated bytes with the same checks,
 * so that no length DCMTK will trust is larger than the data. Nothing is
 * recorded: offsets in inflated bytes mean nothing in the file.
 */
static int check_deflated(struct walker *w, size_t start)
{
    struct walker inner = *w;
    dg_scan scratch;
    uint8_t *inflated = NULL;
    size_t len = 0, end = 0;
    int rc = inflate_dataset(w, start, &inflated, &len);

    if (rc != DG_DICOM_OK)
        return rc;
    memset(&scratch, 0, sizeof(scratch));
    inner.buf = inflated;
    inner.len = len;
    inner.out = &scratch;
    inner.parent = -1;
    rc = walk_dataset(&inner, 0, len, explicit_le, 0, 0, &end);
    dg_scan_free(&scratch);
    free(inflated);
    return rc;
}

static int scan_bytes(struct walker *w)
{
    dg_scan *s = w->out;
    struct encoding enc = explicit_le;
    size_t start = 0, end = 0;
    int rc;

    rc = find_dataset(w, &start);
    if (rc != DG_DICOM_OK)
        return rc;
    s->dataset_offset = start;
    if (strcmp(s->transfer_syntax, TS_DEFLATED) == 0) {
        s->deflated = 1;
        return check_deflated(w, start);
    }
    if (strcmp(s->transfer_syntax, TS_IMPLICIT_LE) == 0)
        enc = implicit_le;
    else if (strcmp(s->transfer_syntax, TS_EXPLICIT_BE) == 0)
        enc.big_endian = 1;
    s->implicit_vr = enc.implicit_vr;
    s->big_endian = enc.big_endian;
    return walk_dataset(w, start, w->len, enc, 0, 0, &end);
}

int dg_scan_file(const uint8_t *buf, size_t len, dg_scan *scan, char *err, size_t errlen)
{
    struct walker w;
    int rc;

    if (buf == NULL || scan == NULL)
        return DG_DICOM_EINVAL;
    memset(scan, 0, sizeof(*scan));
    memset(&w, 0, sizeof(w));
    w.buf = buf;
    w.len = len;
    w.out = scan;
    w.err = err;
    w.errlen = errlen;
    w.parent = -1;
    try {
        rc = scan_bytes(&w);
    } catch (const std::bad_alloc &) {
        rc = DG_DICOM_ENOMEM;
    } catch (...) {
        rc = DG_DICOM_EINTERNAL;
    }
    if (rc != DG_DICOM_OK)
        dg_scan_free(scan);
    return rc;
}

void dg_scan_free(dg_scan *scan)
{
    if (scan == NULL)
        return;
    free(scan->items);
    scan->items = NULL;
    free(scan->elements);
    scan->elements = NULL;
    scan->element_count = 0;
    scan->element_cap = 0;
    scan->item_count = 0;
    scan->item_cap = 0;
}
