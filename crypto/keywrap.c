/*
 * keywrap.c - RFC 5649 AES-256 key wrap with padding (OpenSSL's
 * "AES-256-WRAP-PAD").
 */
#include "keywrap.h"
#include "random.h"

#include <openssl/evp.h>

static int run_wrap(const uint8_t kek[32], int encrypt, const uint8_t *in, size_t in_len,
                    uint8_t *out, size_t *out_len)
{
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-WRAP-PAD", NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, rc = DG_WRAP_ECRYPTO;

    if (cipher == NULL || ctx == NULL)
        goto done;
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex2(ctx, cipher, kek, NULL, encrypt, NULL) != 1)
        goto done;
    if (EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) != 1) {
        rc = encrypt ? DG_WRAP_ECRYPTO : DG_WRAP_EAUTH;
        goto done;
    }
    if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
        rc = encrypt ? DG_WRAP_ECRYPTO : DG_WRAP_EAUTH;
        goto done;
    }
    *out_len = (size_t)n1 + (size_t)n2;
    rc = DG_WRAP_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return rc;
}

int dg_key_wrap(const uint8_t kek[32], const uint8_t *key, size_t key_len, uint8_t *out,
                size_t out_cap, size_t *out_len)
{
    size_t need = ((key_len + 7) / 8) * 8 + 8;
    if (kek == NULL || key == NULL || out == NULL || out_len == NULL || key_len == 0 ||
        key_len > 64 || out_cap < need)
        return DG_WRAP_EINVAL;
    return run_wrap(kek, 1, key, key_len, out, out_len);
}

int dg_key_unwrap(const uint8_t kek[32], const uint8_t *wrapped, size_t wrapped_len, uint8_t *out,
                  size_t out_cap, size_t *out_len)
{
    uint8_t tmp[DG_WRAP_MAX];
    size_t n = 0;
    int rc;

    if (kek == NULL || wrapped == NULL || out == NULL || out_len == NULL || wrapped_len < 16 ||
        wrapped_len > DG_WRAP_MAX || wrapped_len % 8 != 0)
        return DG_WRAP_EINVAL;
    rc = run_wrap(kek, 0, wrapped, wrapped_len, tmp, &n);
    if (rc == DG_WRAP_OK && n > out_cap)
        rc = DG_WRAP_EINVAL;
    if (rc == DG_WRAP_OK) {
        for (size_t i = 0; i < n; i++)
            out[i] = tmp[i];
        *out_len = n;
    }
    dg_wipe(tmp, sizeof tmp);
    return rc;
}
