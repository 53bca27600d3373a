/*
 * test_crypto.c - unit tests of crypto/: sealing (AES-256-CBC + HMAC),
 * key wrap, HKDF and master key files.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "kdf.h"
#include "keywrap.h"
#include "masterkey.h"
#include "random.h"
#include "seal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dg_seal_key random_key(void)
{
    dg_seal_key k;
    dg_random_secret(k.enc, 32);
    dg_random_secret(k.mac, 32);
    return k;
}

static void test_seal_round_trip(void)
{
    dg_seal_key k = random_key();
    uint8_t aad[20] = "tile 3 of frame 0";
    for (size_t len = 0; len < 70; len += 7) {
        uint8_t plain[70], sealed[200], back[200];
        size_t n = 0, m = 0;
        dg_random_bytes(plain, len);
        CHECK(dg_seal(&k, aad, sizeof aad, plain, len, sealed, sizeof sealed, &n) == DG_SEAL_OK);
        CHECK(n == dg_seal_size(len));
        CHECK(dg_open(&k, aad, sizeof aad, sealed, n, back, sizeof back, &m) == DG_SEAL_OK);
        CHECK(m == len && memcmp(plain, back, len) == 0);
    }
}

static void test_seal_fresh_iv(void)
{
    dg_seal_key k = random_key();
    uint8_t plain[32] = {0}, a[100], b[100];
    size_t na, nb;
    CHECK(dg_seal(&k, NULL, 0, plain, 32, a, sizeof a, &na) == DG_SEAL_OK);
    CHECK(dg_seal(&k, NULL, 0, plain, 32, b, sizeof b, &nb) == DG_SEAL_OK);
    CHECK(na == nb && memcmp(a, b, 16) != 0 && memcmp(a + 16, b + 16, na - 16) != 0);
}

/* Every single-bit change of the sealed bytes, of the aad or of the key is refused. */
static void test_seal_tamper(void)
{
    dg_seal_key k = random_key(), other = random_key();
    uint8_t plain[40], sealed[200], back[200], aad[8] = "frame 1";
    size_t n, m;
    int refused = 0, tried = 0;

    dg_random_bytes(plain, sizeof plain);
    dg_seal(&k, aad, sizeof aad, plain, sizeof plain, sealed, sizeof sealed, &n);
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            sealed[i] ^= (uint8_t)(1 << bit);
            tried++;
            refused +=
                dg_open(&k, aad, sizeof aad, sealed, n, back, sizeof back, &m) == DG_SEAL_EAUTH;
            sealed[i] ^= (uint8_t)(1 << bit);
        }
    }
    CHECK(tried == refused);
    aad[0] ^= 1;
    CHECK(dg_open(&k, aad, sizeof aad, sealed, n, back, sizeof back, &m) == DG_SEAL_EAUTH);
    aad[0] ^= 1;
    CHECK(dg_open(&other, aad, sizeof aad, sealed, n, back, sizeof back, &m) == DG_SEAL_EAUTH);
    CHECK(dg_open(&k, aad, sizeof aad, sealed, n - 16, back, sizeof back, &m) != DG_SEAL_OK);
    CHECK(dg_open(&k, aad, sizeof aad, sealed, 10, back, sizeof back, &m) != DG_SEAL_OK);
    CHECK(dg_open(&k, aad, sizeof aad, sealed, n, back, sizeof back, &m) == DG_SEAL_OK);
}

/* RFC 5649 section 6, second vector, checks the AES-KW-PAD construction (192-bit KEK there),
 * so here: wrap/unwrap round trip, integrity, and the expected length. */
static void test_key_wrap(void)
{
    uint8_t kek[32], kek2[32], key[32], wrapped[DG_WRAP_MAX], back[64];
    size_t n = 0, m = 0;

    dg_random_secret(kek, 32);
    dg_random_secret(kek2, 32);
    dg_random_secret(key, 32);
    CHECK(dg_key_wrap(kek, key, 32, wrapped, sizeof wrapped, &n) == DG_WRAP_OK && n == 40);
    CHECK(dg_key_unwrap(kek, wrapped, n, back, sizeof back, &m) == DG_WRAP_OK);
    CHECK(m == 32 && memcmp(key, back, 32) == 0);
    CHECK(dg_key_unwrap(kek2, wrapped, n, back, sizeof back, &m) == DG_WRAP_EAUTH);
    wrapped[5] ^= 0x40;
    CHECK(dg_key_unwrap(kek, wrapped, n, back, sizeof back, &m) == DG_WRAP_EAUTH);
}

/*
 * HKDF by its definition (RFC 5869), computed with OpenSSL's one-shot HMAC:
 * PRK = HMAC(salt = 32 zero bytes, IKM); T1 = HMAC(PRK, info || 0x01), with
 * dg_kdf's info = label || 0x00 || context.
 */
static void test_hkdf_definition(void)
{
    uint8_t ikm[22], salt[32] = {0}, prk[32], t1[32], okm[32], info[16];
    unsigned int n = 0;
    memset(ikm, 0x0b, sizeof ikm);
    memcpy(info, "label\0ctx\1", 10);
    HMAC(EVP_sha256(), salt, 32, ikm, sizeof ikm, prk, &n);
    HMAC(EVP_sha256(), prk, 32, info, 10, t1, &n);
    CHECK(dg_kdf(ikm, sizeof ikm, "label", (const uint8_t *)"ctx", 3, okm, sizeof okm) == 0);
    CHECK(memcmp(okm, t1, 32) == 0);
}

static void test_sha256_vector(void)
{
    uint8_t d[32];
    static const uint8_t abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    CHECK(dg_sha256((const uint8_t *)"abc", 3, d) == 0 && memcmp(d, abc, 32) == 0);
}

static void test_master_key_file(void)
{
    char dir[] = "/tmp/dgkeyXXXXXX", path[64], err[256];
    dg_master_key a, b;
    struct stat st;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/master.key", dir);
    CHECK(dg_master_key_create(path, err, sizeof err) == 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(dg_master_key_create(path, err, sizeof err) != 0 && strstr(err, "already exists"));
    CHECK(dg_master_key_load(path, &a, err, sizeof err) == 0);
    CHECK(dg_master_key_load(path, &b, err, sizeof err) == 0);
    CHECK(memcmp(a.key, b.key, 32) == 0 && memcmp(a.id, b.id, 8) == 0);
    chmod(path, 0644);
    CHECK(dg_master_key_load(path, &b, err, sizeof err) != 0 && strstr(err, "chmod 600"));
    unlink(path);
    CHECK(dg_master_key_load(path, &b, err, sizeof err) != 0);
    rmdir(dir);
}

int main(void)
{
    test_seal_round_trip();
    test_seal_fresh_iv();
    test_seal_tamper();
    test_key_wrap();
    test_hkdf_definition();
    test_sha256_vector();
    test_master_key_file();
    return check_summary("test_crypto");
}
