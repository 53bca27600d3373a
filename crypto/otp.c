/*
 * otp.c - one-time pads over bytes, letters and digits (see otp.h).
 *
 * Letters and digits: the message is cut into 4-byte blocks. The value of
 * a block, read big-endian, is written most significant symbol first in a
 * fixed number of symbols: 7 letters or 10 digits for a whole block, and
 * for a last block of k = 1, 2 or 3 bytes the fewest symbols s with
 * base^s >= 256^k (letters 2, 4, 6; digits 3, 5, 8). Every symbol count
 * of a last block is smaller than a whole block's and differs from the
 * others, so a ciphertext length names exactly one message length, and a
 * block decodes only to a value below 256^k. The pad symbol is added mod
 * the base.
 */
#include "otp.h"
#include "random.h"

#include <stdlib.h>
#include <string.h>

/* Random bytes drawn at once for the pad symbols. */
#define RANDOM_BATCH 4096

typedef struct symbol_set {
    unsigned base;           /* 26 or 10 */
    uint8_t first;           /* the ASCII symbol of 0: 'A' or '0' */
    size_t block_symbols[5]; /* symbols of a block of 0, 1, 2, 3, 4 bytes */
} symbol_set;

static const symbol_set letters = {26, 'A', {0, 2, 4, 6, 7}};
static const symbol_set digits = {10, '0', {0, 3, 5, 8, 10}};

static const symbol_set *symbols_of(dg_otp_alphabet a)
{
    if (a == DG_OTP_ALPHA_LETTERS)
        return &letters;
    if (a == DG_OTP_ALPHA_DIGITS)
        return &digits;
    return NULL;
}

static int is_alphabet(dg_otp_alphabet a)
{
    return a == DG_OTP_ALPHA_BINARY || a == DG_OTP_ALPHA_LETTERS || a == DG_OTP_ALPHA_DIGITS;
}

size_t dg_otp_length(dg_otp_alphabet a, size_t msg_len)
{
    const symbol_set *set = symbols_of(a);
    size_t blocks = msg_len / 4, whole = 0;

    if (a == DG_OTP_ALPHA_BINARY)
        return msg_len;
    if (set == NULL)
        return 0;
    whole = set->block_symbols[4];
    if (blocks > (SIZE_MAX - whole) / whole)
        return 0;
    return blocks * whole + set->block_symbols[msg_len % 4];
}

/* The message length that len symbols carry, or -1 when none does. */
static int message_length(const symbol_set *set, size_t len, size_t *msg_len)
{
    size_t whole = set->block_symbols[4], rest = len % whole;

    for (size_t k = 0; k < 4; k++) {
        if (set->block_symbols[k] == rest) {
            *msg_len = len / whole * 4 + k;
            return 0;
        }
    }
    return -1;
}

static void wipe_and_free(uint8_t *p, size_t len)
{
    if (p == NULL)
        return;
    dg_wipe(p, len);
    free(p);
}

void dg_otp_free_pad(uint8_t *pad, size_t len)
{
    wipe_and_free(pad, len);
}

/*
 * Fills out with n uniformly random ASCII symbols. A random byte b is used
 * only when b < limit, the largest multiple of the base that fits in a
 * byte, so b mod base is uniform.
 */
static int draw_pad_symbols(const symbol_set *set, uint8_t *out, size_t n)
{
    uint8_t batch[RANDOM_BATCH];
    unsigned limit = 256 - 256 % set->base;
    size_t filled = 0;
    int rc = DG_OTP_OK;

    while (filled < n) {
        size_t want = n - filled;
        want += want / 8 + 16; /* rejection discards under 9% of the bytes */
        if (want > sizeof batch)
            want = sizeof batch;
        if (dg_random_secret(batch, want) != 0) {
            rc = DG_OTP_ERANDOM;
            break;
        }
        for (size_t i = 0; i < want && filled < n; i++)
            if (batch[i] < limit)
                out[filled++] = (uint8_t)(set->first + batch[i] % set->base);
    }
    dg_wipe(batch, sizeof batch);
    return rc;
}

/* Writes the k bytes of one block as symbol values (0..base-1), most significant first. */
static void encode_block(const symbol_set *set, const uint8_t *in, size_t k, uint8_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < k; i++)
        v = v << 8 | in[i];
    for (size_t i = set->block_symbols[k]; i-- > 0;) {
        out[i] = (uint8_t)(v % set->base);
        v /= set->base;
    }
}

static void encode_message(const symbol_set *set, const uint8_t *msg, size_t msg_len, uint8_t *out)
{
    size_t whole = set->block_symbols[4];

    for (; msg_len >= 4; msg_len -= 4, msg += 4, out += whole)
        encode_block(set, msg, 4, out);
    if (msg_len > 0)
        encode_block(set, msg, msg_len, out);
}

/* Turns symbol values into ciphertext symbols: c = (m + k) mod base, as ASCII. */
static void add_pad(const symbol_set *set, uint8_t *values, const uint8_t *pad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned k = (unsigned)(pad[i] - set->first);
        values[i] = (uint8_t)(set->first + (values[i] + k) % set->base);
    }
}

static int encrypt_bytes(const uint8_t *msg, size_t len, uint8_t *pad, uint8_t *ct)
{
    if (len > 0 && dg_random_secret(pad, len) != 0)
        return DG_OTP_ERANDOM;
    for (size_t i = 0; i < len; i++)
        ct[i] = msg[i] ^ pad[i];
    return DG_OTP_OK;
}

static int encrypt_symbols(const symbol_set *set, const uint8_t *msg, size_t msg_len, uint8_t *pad,
                           uint8_t *ct, size_t len)
{
    int rc = draw_pad_symbols(set, pad, len);

    if (rc != DG_OTP_OK)
        return rc;
    encode_message(set, msg, msg_len, ct);
    add_pad(set, ct, pad, len);
    return DG_OTP_OK;
}

int dg_otp_encrypt(dg_otp_alphabet a, const uint8_t *msg, size_t msg_len, uint8_t **pad,
                   uint8_t **ct, size_t *len)
{
    uint8_t *p = NULL, *c = NULL;
    size_t n = 0;
    int rc = DG_OTP_EINVAL;

    if (pad == NULL || ct == NULL || len == NULL)
        return DG_OTP_EINVAL;
    *pad = *ct = NULL;
    *len = 0;
    if (!is_alphabet(a) || (msg == NULL && msg_len > 0))
        return DG_OTP_EINVAL;
    n = dg_otp_length(a, msg_len);
    if (n == 0 && msg_len > 0)
        return DG_OTP_EINVAL;
    p = malloc(n > 0 ? n : 1);
    c = malloc(n > 0 ? n : 1);
    if (p == NULL || c == NULL) {
        rc = DG_OTP_ENOMEM;
        goto done;
    }
    if (a == DG_OTP_ALPHA_BINARY)
        rc = encrypt_bytes(msg, msg_len, p, c);
    else
        rc = encrypt_symbols(symbols_of(a), msg, msg_len, p, c, n);
    if (rc != DG_OTP_OK)
        goto done;
    *pad = p;
    *ct = c;
    *len = n;
    p = c = NULL;
done:
    wipe_and_free(p, n);
    wipe_and_free(c, n);
    return rc;
}

static int in_alphabet(const symbol_set *set, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < set->first || s[i] >= set->first + set->base)
            return 0;
    return 1;
}

/* Decodes one block of k bytes from its ciphertext and pad symbols; -1 when too large. */
static int decode_block(const symbol_set *set, const uint8_t *ct, const uint8_t *pad, size_t k,
                        uint8_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < set->block_symbols[k]; i++) {
        unsigned m = ((unsigned)ct[i] + set->base - pad[i]) % set->base;
        v = v * set->base + m;
    }
    if (v >> (8 * k) != 0)
        return -1;
    for (size_t i = k; i-- > 0;) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
    return 0;
}

static int decode_message(const symbol_set *set, const uint8_t *ct, const uint8_t *pad,
                          uint8_t *msg, size_t msg_len)
{
    size_t whole = set->block_symbols[4];

    for (; msg_len >= 4; msg_len -= 4, msg += 4, ct += whole, pad += whole)
        if (decode_block(set, ct, pad, 4, msg) != 0)
            return -1;
    if (msg_len > 0 && decode_block(set, ct, pad, msg_len, msg) != 0)
        return -1;
    return 0;
}

static int decrypt_symbols(const symbol_set *set, const uint8_t *ct, const uint8_t *pad, size_t len,
                           uint8_t *msg, size_t msg_cap, size_t *msg_len)
{
    size_t n = 0;

    if (message_length(set, len, &n) != 0 || n > msg_cap || (msg == NULL && n > 0))
        return DG_OTP_EINVAL;
    if (!in_alphabet(set, ct, len) || !in_alphabet(set, pad, len))
        return DG_OTP_EINVAL;
    if (decode_message(set, ct, pad, msg, n) != 0) {
        dg_wipe(msg, n);
        return DG_OTP_EINVAL;
    }
    *msg_len = n;
    return DG_OTP_OK;
}

int dg_otp_decrypt(dg_otp_alphabet a, const uint8_t *ct, const uint8_t *pad, size_t len,
                   uint8_t *msg, size_t msg_cap, size_t *msg_len)
{
    if (msg_len == NULL)
        return DG_OTP_EINVAL;
    *msg_len = 0;
    if (!is_alphabet(a) || (len > 0 && (ct == NULL || pad == NULL)))
        return DG_OTP_EINVAL;
    if (a != DG_OTP_ALPHA_BINARY)
        return decrypt_symbols(symbols_of(a), ct, pad, len, msg, msg_cap, msg_len);
    if (len > msg_cap || (msg == NULL && len > 0))
        return DG_OTP_EINVAL;
    for (size_t i = 0; i < len; i++)
        msg[i] = ct[i] ^ pad[i];
    *msg_len = len;
    return DG_OTP_OK;
}
