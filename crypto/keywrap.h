/*
 * keywrap.h - wrapping a data key under a master key: AES-256 Key Wrap with
 * Padding (RFC 5649) through OpenSSL. A wrapped key carries its own
 * integrity check, so a wrong master key or an altered wrapped key is
 * detected when it is unwrapped.
 */
#ifndef DG_KEYWRAP_H
#define DG_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

/* A wrapped key is at most this long (for keys up to 64 bytes). */
#define DG_WRAP_MAX 80

enum { DG_WRAP_OK = 0, DG_WRAP_EINVAL = -1, DG_WRAP_EAUTH = -2, DG_WRAP_ECRYPTO = -3 };

int dg_key_wrap(const uint8_t kek[32], const uint8_t *key, size_t key_len, uint8_t *out,
                size_t out_cap, size_t *out_len);

/* DG_WRAP_EAUTH when the integrity check fails (wrong kek or altered input). */
int dg_key_unwrap(const uint8_t kek[32], const uint8_t *wrapped, size_t wrapped_len, uint8_t *out,
                  size_t out_cap, size_t *out_len);

#endif
