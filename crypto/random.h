/*
 * random.h - random bytes from the operating system's CSPRNG (through
 * OpenSSL) and wiping of secrets.
 */
#ifndef DG_RANDOM_H
#define DG_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with public random bytes (IVs, identifiers). 0 or -1. */
int dg_random_bytes(uint8_t *buf, size_t len);

/* Fills buf with secret random bytes (keys, pads). 0 or -1. */
int dg_random_secret(uint8_t *buf, size_t len);

/* Overwrites a secret so that the compiler cannot drop the write. */
void dg_wipe(void *p, size_t len);

#endif
