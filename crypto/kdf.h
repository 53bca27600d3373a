/*
 * kdf.h - deriving keys from keys (HKDF-SHA256, RFC 5869), HMAC-SHA256
 * and SHA-256.
 *
 * Every key dcmguard uses for one purpose is derived from a parent key with
 * a label naming that purpose, so that no key is ever used for two things.
 */
#ifndef DG_KDF_H
#define DG_KDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * out = HKDF-SHA256(salt = none, ikm = key, info = label || 0x00 || context).
 * context may be NULL when context_len is 0. Returns 0 or -1.
 */
int dg_kdf(const uint8_t *key, size_t key_len, const char *label, const uint8_t *context,
           size_t context_len, uint8_t *out, size_t out_len);

/* out = HMAC-SHA256(key, data). Returns 0 or -1. */
int dg_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
                   uint8_t out[32]);

/* SHA-256 of a buffer (not secret material). Returns 0 or -1. */
int dg_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* SHA-256 of the concatenation of n buffers. Returns 0 or -1. */
int dg_sha256_parts(size_t n, const uint8_t *const *parts, const size_t *lens, uint8_t out[32]);
/* Constant-time comparison: 1 when equal, 0 otherwise. */
int dg_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif
