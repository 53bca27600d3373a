/*
 * seal.c - AES-256-CBC + HMAC-SHA256, encrypt-then-MAC, on OpenSSL 3.
 *
 * The cipher and MAC implementations are fetched once per process; each
 * call gets its own contexts, so any number of threads may seal at once.
 */
#include "seal.h"
#include "kdf.h"
#include "random.h"

#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

static EVP_CIPHER *aes_cbc;
static EVP_MAC *hmac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_algorithms(void)
{
    aes_cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int algorithms_ready(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    return aes_cbc != NULL && hmac != NULL;
}

size_t dg_seal_size(size_t plain_len)
{
    return DG_SEAL_IV_LEN + (plain_len / 16 + 1) * 16 + DG_SEAL_TAG_LEN;
}

static void put_u64be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* tag = HMAC(mac_key, u64be(aad_len) || aad || body) */
static int compute_tag(const dg_seal_key *key, const uint8_t *aad, size_t aad_len,
                       const uint8_t *body, size_t body_len, uint8_t tag[DG_SEAL_TAG_LEN])
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);
    uint8_t len_be[8];
    size_t tag_len = 0;
    int rc = DG_SEAL_ECRYPTO;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };

    if (ctx == NULL)
        return DG_SEAL_ECRYPTO;
    put_u64be(len_be, (uint64_t)aad_len);
    if (EVP_MAC_init(ctx, key->mac, sizeof key->mac, params) != 1)
        goto done;
    if (EVP_MAC_update(ctx, len_be, sizeof len_be) != 1)
        goto done;
    if (aad_len > 0 && EVP_MAC_update(ctx, aad, aad_len) != 1)
        goto done;
    if (EVP_MAC_update(ctx, body, body_len) != 1)
        goto done;
    if (EVP_MAC_final(ctx, tag, &tag_len, DG_SEAL_TAG_LEN) != 1 || tag_len != DG_SEAL_TAG_LEN)
        goto done;
    rc = DG_SEAL_OK;
done:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

/* Runs AES-256-CBC with PKCS#7 padding in one direction over in[0..len). */
static int run_cbc(const uint8_t key[32], const uint8_t iv[16], int encrypt, const uint8_t *in,
                   size_t len, uint8_t *out, size_t *out_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, rc = DG_SEAL_ECRYPTO;

    if (ctx == NULL)
        return DG_SEAL_ECRYPTO;
    if (len > (size_t)INT_MAX - 32)
        goto done;
    if (EVP_CipherInit_ex2(ctx, aes_cbc, key, iv, encrypt, NULL) != 1)
        goto done;
    if (EVP_CipherUpdate(ctx, out, &n1, in, (int)len) != 1)
        goto done;
    if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1)
        goto done;
    *out_len = (size_t)n1 + (size_t)n2;
    rc = DG_SEAL_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int dg_seal(const dg_seal_key *key, const uint8_t *aad, size_t aad_len, const uint8_t *plain,
            size_t plain_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t need = dg_seal_size(plain_len), ct_len = 0;
    int rc;

    if (key == NULL || out == NULL || out_len == NULL || (plain == NULL && plain_len > 0) ||
        (aad == NULL && aad_len > 0) || out_cap < need)
        return DG_SEAL_EINVAL;
    if (!algorithms_ready())
        return DG_SEAL_ECRYPTO;
    if (dg_random_bytes(out, DG_SEAL_IV_LEN) != 0)
        return DG_SEAL_ECRYPTO;
    rc = run_cbc(key->enc, out, 1, plain, plain_len, out + DG_SEAL_IV_LEN, &ct_len);
    if (rc != DG_SEAL_OK)
        return rc;
    rc =
        compute_tag(key, aad, aad_len, out, DG_SEAL_IV_LEN + ct_len, out + DG_SEAL_IV_LEN + ct_len);
    if (rc != DG_SEAL_OK)
        return rc;
    *out_len = DG_SEAL_IV_LEN + ct_len + DG_SEAL_TAG_LEN;
    return DG_SEAL_OK;
}

int dg_ctr_xor(const uint8_t key[32], uint8_t *buf, size_t len)
{
    static const uint8_t zero_iv[16];
    EVP_CIPHER_CTX *c;
    int out = 0, rc = DG_SEAL_ECRYPTO;

    if (key == NULL || (buf == NULL && len > 0) || len > INT_MAX)
        return DG_SEAL_EINVAL;
    if (len == 0)
        return DG_SEAL_OK;
    c = EVP_CIPHER_CTX_new();
    if (c == NULL)
        return DG_SEAL_ECRYPTO;
    if (EVP_EncryptInit_ex2(c, EVP_aes_256_ctr(), key, zero_iv, NULL) == 1 &&
        EVP_EncryptUpdate(c, buf, &out, buf, (int)len) == 1 && (size_t)out == len)
        rc = DG_SEAL_OK;
    EVP_CIPHER_CTX_free(c);
    return rc;
}

int dg_open(const dg_seal_key *key, const uint8_t *aad, size_t aad_len, const uint8_t *sealed,
            size_t sealed_len, uint8_t *plain, size_t plain_cap, size_t *plain_len)
{
    uint8_t tag[DG_SEAL_TAG_LEN];
    size_t body_len, ct_len;
    int rc;

    if (key == NULL || sealed == NULL || plain == NULL || plain_len == NULL ||
        (aad == NULL && aad_len > 0))
        return DG_SEAL_EINVAL;
    if (sealed_len < DG_SEAL_IV_LEN + 16 + DG_SEAL_TAG_LEN)
        return DG_SEAL_EINVAL;
    body_len = sealed_len - DG_SEAL_TAG_LEN;
    ct_len = body_len - DG_SEAL_IV_LEN;
    if (ct_len % 16 != 0 || plain_cap < ct_len)
        return DG_SEAL_EINVAL;
    if (!algorithms_ready())
        return DG_SEAL_ECRYPTO;
    rc = compute_tag(key, aad, aad_len, sealed, body_len, tag);
    if (rc != DG_SEAL_OK)
        return rc;
    if (!dg_equal(tag, sealed + body_len, DG_SEAL_TAG_LEN))
        return DG_SEAL_EAUTH;
    /* The tag is right, so the padding is ours: a failure here is not an oracle. */
    rc = run_cbc(key->enc, sealed, 0, sealed + DG_SEAL_IV_LEN, ct_len, plain, plain_len);
    return rc == DG_SEAL_OK ? DG_SEAL_OK : DG_SEAL_EAUTH;
}
