/*
 * deid.h - the de-identified header: what the PS3.15 Annex E Basic
 * Application Level Confidentiality Profile does to each attribute, and
 * the walk that does it to a parsed dataset.
 *
 * Every attribute the profile removes, empties or replaces (at any depth,
 * private attributes included) is PHI to dcmguard: its original value
 * travels under the one-time pad (phi.c), and the clear header gets the
 * profile's treatment. UIDs become keyed pseudonyms, 2.25.<decimal of the
 * first 128 bits of HMAC-SHA256(pseudonym key, UID)>, and Patient ID
 * becomes "DG-" + 24 hex digits of the same HMAC: the same study, series or
 * patient always maps to the same pseudonym under one master key, and
 * nobody without that key can compute or invert the mapping.
 */
#ifndef DG_DEID_H
#define DG_DEID_H

#include "buffer.h"
#include "dicom.h"

#include <stddef.h>
#include <stdint.h>

/* What happens to one attribute, compound actions resolved. */
typedef enum dg_deid_act {
    DG_ACT_KEEP = 0,
    DG_ACT_REMOVE,
    DG_ACT_EMPTY,
    DG_ACT_DUMMY,
    DG_ACT_UID,
    DG_ACT_PATIENT_ID, /* the keyed Patient ID */
    DG_ACT_SHIFT,      /* a date moved by the patient's offset (--retain modified-dates) */
    DG_ACT_ZERO,       /* a sample payload: zeros in the clear, sealed in the envelope */
    DG_ACT_DOCUMENT    /* an encapsulated document: a dummy document in the clear */
} dg_deid_act;

/* One element as the classification sees it (from the raw scan or from DCMTK's walk). */
typedef struct dg_deid_elem {
    uint16_t group, element;
    const char *vr;      /* as the file or DCMTK gives it; "" (implicit VR) counts as UN */
    int is_sequence;     /* its value is a sequence of items */
    const char *creator; /* private (gggg,xxEE): the block's creator; (gggg,00xx): its value */
} dg_deid_elem;

/*
 * What the clear header gets for one element under the given options: the
 * 2026c table (with its option columns) for the attributes it lists, the
 * payload rule, private attributes (kept only when safe-private lists
 * them), and deny by default for everything else (deid.c says how). A
 * sequence classified DG_ACT_KEEP is walked into.
 */
dg_deid_act dg_deid_classify(const dg_deid_elem *e, unsigned options);

/*
 * 1 when the original value of an element classified act travels under the
 * pad (a hole). Private creators never are: they name a vendor's block, and
 * the replay of restore --deidentified needs them to classify the block.
 */
int dg_deid_is_hole(dg_deid_act act, const dg_deid_elem *e);

/* The walk's state. */
typedef struct dg_deid {
    unsigned options;
    uint8_t pseudonym_key[32]; /* keys the pseudonyms and the date shift (given by the caller) */
    /*
     * Every replacement value, NUL-terminated, in walk order. Protection
     * appends to it; a replay (restore --deidentified) reads it back
     * instead of computing values from originals it no longer has.
     */
    dg_buf *replacements;
    int replay;
    size_t replay_at;
    int failed;
    long shift_days; /* modified-dates: this patient's offset, in days (negative) */
    char mime[72];   /* MIME type of an encapsulated document, for its dummy */
} dg_deid;

/* The date shift of modified-dates lies in [-DG_DEID_SHIFT_MAX_DAYS, -1] days. */
#define DG_DEID_SHIFT_MAX_DAYS 3652

/*
 * Applies the profile to the dataset of d, then sets Patient Identity
 * Removed (0012,0062) = YES, De-identification Method (0012,0063) and the
 * De-identification Method Code Sequence (0012,0064). Returns 0 or -1.
 */
int dg_deidentify(dg_dicom *d, dg_deid *state);

/*
 * 1 when the value of File Meta element (0002,element) is a hole: every
 * element but the group length, version, SOP Class, Transfer Syntax and
 * implementation (the clear header gets a fresh File Meta group anyway).
 */
int dg_deid_meta_is_phi(uint16_t element);

#endif
