/*
 * random.c - random bytes and wiping, on OpenSSL's DRBG, which OpenSSL
 * seeds from the operating system (getrandom). Secrets come from the
 * private DRBG so that they never share a generator state with values that
 * are published, such as IVs.
 */
#include "random.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

static int fill(int (*gen)(unsigned char *, int), uint8_t *buf, size_t len)
{
    while (len > 0) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (gen(buf, n) != 1)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int dg_random_bytes(uint8_t *buf, size_t len)
{
    return fill(RAND_bytes, buf, len);
}

int dg_random_secret(uint8_t *buf, size_t len)
{
    return fill(RAND_priv_bytes, buf, len);
}

void dg_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        OPENSSL_cleanse(p, len);
}
