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
    DG_ACT_PATIENT_ID /* the keyed Patient ID: set by the walk, not by dg_deid_action */
} dg_deid_act;

/* The action for a tag under the given options. */
dg_deid_act dg_deid_action(uint16_t group, uint16_t element, unsigned options);

/* The walk's state. */
typedef struct dg_deid {
    unsigned options;
    uint8_t pseudonym_key[32]; /* derived from the master key */
    /*
     * Every replacement value, NUL-terminated, in walk order. Protection
     * appends to it; a replay (restore --deidentified) reads it back
     * instead of computing values from originals it no longer has.
     */
    dg_buf *replacements;
    int replay;
    size_t replay_at;
    int failed;
} dg_deid;

/*
 * Applies the profile to the dataset of d, then sets Patient Identity
 * Removed (0012,0062) = YES, De-identification Method (0012,0063) and the
 * De-identification Method Code Sequence (0012,0064). Returns 0 or -1.
 */
int dg_deidentify(dg_dicom *d, dg_deid *state);

/* 1 when File Meta element (0002,element) can identify: SOP Instance UID, AE titles, private info.
 */
int dg_deid_meta_is_phi(uint16_t element);

#endif
