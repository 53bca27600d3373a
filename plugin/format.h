/*
 * format.h - the protected-file format (docs/format.md describes it byte
 * for byte).
 *
 * A protected file is a DICOM file whose Pixel Data is a placeholder and
 * which carries a private block, creator "DCMGUARD 1" in group 7FD1:
 *
 *   (7FD1,xx01) OB  header    clear, authenticated: what is protected, how,
 *                             under which master key; the wrapped data key
 *   (7FD1,xx10) OB  envelope  sealed: SHA-256 and size of the original, the
 *                             pixel model, and every original byte that is
 *                             not carried by a segment
 *   (7FD1,xx20) OB  tiles     the sealed segments, one record each (absent
 *                             when they are kept as slice files)
 *   (7FD1,xx30) OB  phi       the patient's values under a one-time pad:
 *                             pad id, alphabet, ciphertext, HMAC tag
 *
 * Sealing is AES-256-CBC + HMAC-SHA256 (crypto/seal.h) under keys derived
 * from the instance's random data key. The envelope's associated data is
 * the header; a segment's is its 52-byte record head, which names the
 * protection id, key id, segment number, frame and tile position: a
 * segment moved, swapped, replayed from another protection or taken from
 * another instance does not authenticate.
 */
#ifndef DG_FORMAT_H
#define DG_FORMAT_H

#include "buffer.h"
#include "keywrap.h"
#include "masterkey.h"
#include "pixels.h"

#include <stddef.h>
#include <stdint.h>

#define DG_PRIVATE_GROUP 0x7FD1
#define DG_PRIVATE_CREATOR "DCMGUARD 1"
#define DG_ELEM_HEADER 0x01
#define DG_ELEM_ENVELOPE 0x10
#define DG_ELEM_TILES 0x20
#define DG_ELEM_PHI 0x30

#define DG_FORMAT_VERSION 3   /* what protect writes */
#define DG_FORMAT_VERSION_2 2 /* still restored: master key used directly, digest of the original  \
                               */
#define DG_MODE_AES_TILES 1
#define DG_MODE_CHAOS_PIXELS 2 /* the research chaos cipher in place (chaosmode.h) */

#define DG_FLAG_SLICES 1u  /* segments are kept in slice files */
#define DG_FLAG_DECODED 2u /* compressed input was decoded first: restore gives it uncompressed */

#define DG_CODEC_RAW 0
#define DG_CODEC_JPEGLS 1

#define DG_PROTECTION_ID_LEN 16

/*
 * Version 3: the clear identity the header is bound to, as the clear
 * dataset says it (pseudonymous Patient ID, Study, Series and SOP Instance
 * UIDs, SOP Class UID); restore refuses a block on another instance.
 */
#define DG_BIND_FIELDS 5
#define DG_BIND_MAX 255
extern const uint16_t dg_bind_tags[DG_BIND_FIELDS][2];
extern const char *const dg_bind_names[DG_BIND_FIELDS];

typedef struct dg_header {
    uint16_t version;
    uint16_t mode;
    uint32_t flags;
    uint8_t key_id[DG_KEY_ID_LEN];
    uint8_t protection_id[DG_PROTECTION_ID_LEN];
    uint8_t wrapped_key[DG_WRAP_MAX];
    uint16_t wrapped_len;
    uint8_t pixel_kind;
    uint8_t codec;
    uint32_t segment_count;
    uint32_t frames;
    uint16_t tile_rows, tile_cols;
    uint64_t original_size;
    char bind[DG_BIND_FIELDS][DG_BIND_MAX + 1]; /* version 3 */
} dg_header;

void dg_header_encode(const dg_header *h, dg_buf *out);
int dg_header_decode(const uint8_t *p, size_t n, dg_header *h);

#define DG_SLICE_BASE_MAX 200

/* The envelope's plaintext. prefix and suffix borrow from the decoded bytes. */
typedef struct dg_envelope {
    uint16_t version;
    /* version 3: of the original with every hole zeroed; version 2: of the original */
    uint8_t sha256[32];
    uint64_t original_size;
    uint64_t pixel_offset; /* where the covered pixel bytes start in the original */
    dg_pixmodel model;
    char slice_base[DG_SLICE_BASE_MAX + 1];
    const uint8_t *prefix; /* original[0 .. pixel_offset) */
    uint64_t prefix_len;
    const uint8_t *suffix; /* original[pixel_offset + covered .. size) */
    uint64_t suffix_len;
    /*
     * The PHI holes: ranges of the original whose bytes travel under the
     * one-time pad, not here (prefix and suffix hold zeros there). Each is
     * 16 bytes, u64 offset and u64 length; sorted, disjoint, outside the
     * pixel bytes.
     */
    uint32_t hole_count;
    const uint8_t *holes;
    uint32_t deid_options;
    const uint8_t *replacements; /* the de-identification's replacement values (deid.h) */
    uint64_t replacements_len;
    /* chaos mode only (model.kind DG_PIX_CHAOS) */
    uint8_t chaos_bits, chaos_signed, chaos_rounds;
    uint32_t chaos_key_counter;
    uint8_t chaos_digest[32];
    const uint8_t *chaos_residual;
    uint64_t chaos_residual_len;
} dg_envelope;

void dg_envelope_encode(const dg_envelope *e, dg_buf *out);
int dg_envelope_decode(const uint8_t *p, size_t n, dg_envelope *e);

/* Hole i of an envelope. */
void dg_envelope_hole(const dg_envelope *e, uint32_t i, uint64_t *offset, uint64_t *length);

/*
 * The PHI record: "DGPI" | u16 version | u8 alphabet | u8 policy |
 * pad id (32 hex digits) | u64 message length | u64 ciphertext length |
 * ciphertext | (version 3) patient-value tag (32) | HMAC-SHA256 tag (32)
 * over the header element's bytes followed by everything before the tag.
 */
#define DG_PHI_TAG_LEN 32
#define DG_PAD_ID_LEN 32

typedef struct dg_phi_record {
    uint16_t version;
    uint8_t alphabet;
    uint8_t policy;
    char pad_id[DG_PAD_ID_LEN + 1];
    uint64_t message_len;
    uint64_t ct_len;
    const uint8_t *ct;     /* borrowed */
    const uint8_t *pv_tag; /* version 3: HMAC under the pad's own key, of the patient values */
    const uint8_t *tag;    /* borrowed */
    size_t signed_len;     /* bytes covered by the tag (the record before it) */
} dg_phi_record;

/* Encodes everything up to the ciphertext; the caller appends pv_tag (v3) and the tag. */
void dg_phi_record_encode(const dg_phi_record *r, dg_buf *out);
int dg_phi_record_decode(const uint8_t *p, size_t n, dg_phi_record *r);

#define DG_TILE_HEAD_LEN 52

typedef struct dg_tile_head {
    uint16_t version;
    uint16_t codec;
    uint8_t protection_id[DG_PROTECTION_ID_LEN];
    uint8_t key_id[DG_KEY_ID_LEN];
    uint32_t segment;
    uint32_t frame;
    uint16_t row, col;
    uint32_t reserved;
    uint32_t sealed_len;
} dg_tile_head;

/* What the head of segment seg says, for the file described by h and m (sealed_len left 0). */
void dg_tile_head_for(const dg_header *h, const dg_pixmodel *m, uint32_t seg, dg_tile_head *t);

void dg_tile_head_encode(const dg_tile_head *t, uint8_t out[DG_TILE_HEAD_LEN]);
int dg_tile_head_decode(const uint8_t in[DG_TILE_HEAD_LEN], dg_tile_head *t);

/*
 * The name of a slice file: <the 32 hex digits of the protection id>[.f<frame>].r<row>c<col>.enc
 * when base is empty (every file protected since issue 11: the input's name is not kept);
 * <base>.<first 8 hex digits of the id>[.f<frame>].r<row>c<col>.enc for older files.
 */
int dg_slice_name(const char *base, const uint8_t protection_id[DG_PROTECTION_ID_LEN],
                  int multi_frame, uint32_t frame, uint16_t row, uint16_t col, char *out,
                  size_t cap);

#endif
