/*
 * seal.h - authenticated encryption: AES-256-CBC under a fresh random IV,
 * then HMAC-SHA256 over what was encrypted (encrypt-then-MAC) with a
 * separate key.
 *
 * A sealed message is   IV (16) || ciphertext (PKCS#7 padded) || tag (32)
 * and the tag is HMAC-SHA256(mac_key, u64be(aad_len) || aad || IV || ciphertext).
 * The associated data (aad) is authenticated but not stored: the caller
 * passes the same bytes to dg_open, which checks the tag in constant time
 * before it decrypts anything.
 */
#ifndef DG_SEAL_H
#define DG_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define DG_SEAL_IV_LEN 16
#define DG_SEAL_TAG_LEN 32
#define DG_SEAL_OVERHEAD_MAX (DG_SEAL_IV_LEN + 16 + DG_SEAL_TAG_LEN)

enum {
    DG_SEAL_OK = 0,
    DG_SEAL_EINVAL = -1, /* bad arguments or a message too short to be sealed */
    DG_SEAL_EAUTH = -2,  /* the tag does not match: wrong key or altered data */
    DG_SEAL_ECRYPTO = -3 /* OpenSSL failed */
};

/* Two independent 256-bit keys: one for AES, one for HMAC. */
typedef struct dg_seal_key {
    uint8_t enc[32];
    uint8_t mac[32];
} dg_seal_key;

/* Exact size of the sealed form of a plaintext of plain_len bytes. */
size_t dg_seal_size(size_t plain_len);

/* Seals plain into out (out_cap >= dg_seal_size(plain_len)). */
int dg_seal(const dg_seal_key *key, const uint8_t *aad, size_t aad_len, const uint8_t *plain,
            size_t plain_len, uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * Checks and opens a sealed message into plain (plain_cap >= sealed_len is
 * always enough). Nothing is written to plain unless the tag is right.
 */
int dg_open(const dg_seal_key *key, const uint8_t *aad, size_t aad_len, const uint8_t *sealed,
            size_t sealed_len, uint8_t *plain, size_t plain_cap, size_t *plain_len);

/*
 * XORs buf with the AES-256-CTR keystream of key from a zero counter block.
 * Only for a key that encrypts one message in its life (a key derived from
 * an instance's fresh data key): a second message under the same key would
 * reuse the keystream. It hides, it does not authenticate: the caller MACs.
 */
int dg_ctr_xor(const uint8_t key[32], uint8_t *buf, size_t len);

#endif
