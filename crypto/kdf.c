/*
 * kdf.c - HKDF-SHA256 through OpenSSL 3's EVP_KDF, SHA-256, and a
 * constant-time comparison.
 */
#include "kdf.h"
#include "random.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <string.h>

#define DG_KDF_MAX_INFO 512

static size_t build_info(uint8_t *info, const char *label, const uint8_t *context,
                         size_t context_len)
{
    size_t label_len = strlen(label);
    if (label_len + 1 + context_len > DG_KDF_MAX_INFO)
        return 0;
    memcpy(info, label, label_len);
    info[label_len] = 0;
    if (context_len > 0)
        memcpy(info + label_len + 1, context, context_len);
    return label_len + 1 + context_len;
}

int dg_kdf(const uint8_t *key, size_t key_len, const char *label, const uint8_t *context,
           size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t info[DG_KDF_MAX_INFO];
    size_t info_len = build_info(info, label, context, context_len);
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *kctx = NULL;
    int rc = -1;

    if (info_len == 0)
        return -1;
    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL)
        goto done;
    kctx = EVP_KDF_CTX_new(kdf);
    if (kctx == NULL)
        goto done;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_len),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_KDF_derive(kctx, out, out_len, params) == 1)
        rc = 0;
done:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    dg_wipe(info, sizeof info);
    return rc;
}

int dg_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
                   uint8_t out[32])
{
    unsigned int n = 0;
    if (key_len > INT32_MAX || HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) == NULL ||
        n != 32)
        return -1;
    return 0;
}

int dg_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
        return -1;
    return 0;
}

int dg_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

int dg_sha256_parts(size_t n, const uint8_t *const *parts, const size_t *lens, uint8_t out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

    for (size_t i = 0; ok && i < n; i++)
        ok = lens[i] == 0 || EVP_DigestUpdate(md, parts[i], lens[i]) == 1;
    ok = ok && EVP_DigestFinal_ex(md, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
