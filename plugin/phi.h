/*
 * phi.h - the patient's values: where they lie in the original file (the
 * holes), and their journey under a one-time pad whose pad waits in the
 * key store.
 *
 * A hole is the value of an element that the de-identification profile
 * removes, empties or replaces (deid.h), at any depth, or of any element
 * inside a sequence it removes, plus the identifying File Meta values. For
 * a deflated dataset, whose bytes cannot be told apart, the whole dataset
 * is one hole. The bytes of all holes, in file order, are the message the
 * pad encrypts; the envelope keeps the rest of the file with zeros there.
 */
#ifndef DG_PHI_H
#define DG_PHI_H

#include "buffer.h"
#include "dicom.h"
#include "format.h"
#include "internal.h"
#include "keystore.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dg_holes {
    uint32_t count;
    uint8_t *table; /* count entries of 16 bytes: u64 offset, u64 length */
    uint64_t total; /* sum of the lengths */
} dg_holes;

/* file: the bytes d was parsed from (private creators are read from them). */
int dg_holes_find(const dg_dicom *d, const uint8_t *file, unsigned options, size_t file_len,
                  dg_holes *h);
void dg_holes_free(dg_holes *h);

/* Copies the bytes of every hole of file, in order, into msg (total bytes). */
void dg_holes_gather(const uint8_t *table, uint32_t count, const uint8_t *file, uint8_t *msg);

/* buf holds file[base .. base + len): zeroes the bytes of every hole in it. */
void dg_holes_zero(const uint8_t *table, uint32_t count, uint64_t base, uint8_t *buf, uint64_t len);

/* Puts msg back into the holes of file. */
void dg_holes_scatter(const uint8_t *table, uint32_t count, const uint8_t *msg, uint8_t *file);

/* A PHI record made at protection, and the pad still to be stored. */
typedef struct dg_phi_sealed {
    dg_buf record;
    dg_pad_info info;
    uint8_t *pad;
} dg_phi_sealed;

/*
 * Encrypts msg with a fresh pad in the context's alphabet and MACs the
 * result under the instance's key, bound to the header element's bytes.
 * instance labels the pad in the key store (a pseudonym, never PHI).
 */
int dg_phi_seal(const dg_ctx *ctx, const dg_instance_keys *keys, const dg_buf *header_bytes,
                const uint8_t *msg, size_t msg_len, const char *instance, dg_phi_sealed *out,
                char *err, size_t errlen);

/* Stores the pad durably: the last step before protection reports success. */
int dg_phi_commit(dg_ctx *ctx, dg_phi_sealed *s, char *err, size_t errlen);
void dg_phi_sealed_free(dg_phi_sealed *s);

/*
 * Checks the record's tag, claims its pad (a single-use pad is then taken
 * by this restore: finish it with dg_keystore_finish_claim or give it back
 * with dg_phi_release), checks that the store's row names this instance,
 * policy and alphabet, decrypts and (version 3) checks the patient-value
 * tag under the pad's own key: *msg (malloc'd, wipe it) holds message_len
 * bytes. instance is the clear SOP Instance UID.
 */
int dg_phi_open(dg_ctx *ctx, const dg_instance_keys *keys, const uint8_t *header_bytes,
                size_t header_len, const uint8_t *record, size_t record_len, const char *instance,
                dg_phi_record *rec, uint8_t **msg, char *err, size_t errlen);

/* Gives a claimed single-use pad back (a restore failed after dg_phi_open). */
void dg_phi_release(dg_ctx *ctx, const dg_phi_record *rec);

/* Checks a record's tag only (for dg_restore_done). */
int dg_phi_verify(const dg_instance_keys *keys, const uint8_t *header_bytes, size_t header_len,
                  const uint8_t *record, size_t record_len, dg_phi_record *rec);

#endif
