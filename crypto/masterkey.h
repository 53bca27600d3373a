/*
 * masterkey.h - the master key file made by `dcmguard keygen`.
 *
 * A master key is 256 random bits. Its file is one line of text,
 *     dcmguard-master-key-v1 <64 hex digits>
 * created with mode 0600 and never overwritten. A key file that group or
 * others may read or write is refused. The key id is the first 8 bytes of
 * HKDF(master key, "dcmguard/v1/key-id"): it names the key in protected
 * files (for rotation) and reveals nothing about it.
 */
#ifndef DG_MASTERKEY_H
#define DG_MASTERKEY_H

#include <stddef.h>
#include <stdint.h>

#define DG_KEY_ID_LEN 8

typedef struct dg_master_key {
    uint8_t key[32];
    uint8_t id[DG_KEY_ID_LEN];
} dg_master_key;

/* Creates a new key file; refuses when path exists. 0 or -1 with err set. */
int dg_master_key_create(const char *path, char *err, size_t errlen);

/* Loads and checks a key file. 0 or -1 with err set (never with key bytes). */
int dg_master_key_load(const char *path, dg_master_key *mk, char *err, size_t errlen);

/* Derives the key id of a key (used by load; exposed for tests). */
int dg_master_key_derive_id(dg_master_key *mk);

/* Hex form of a key id: 16 digits and a NUL. */
void dg_key_id_hex(const uint8_t id[DG_KEY_ID_LEN], char out[2 * DG_KEY_ID_LEN + 1]);

void dg_master_key_wipe(dg_master_key *mk);

#endif
