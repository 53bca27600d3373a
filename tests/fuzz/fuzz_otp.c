/*
 * fuzz_otp.c - libFuzzer harness for the one-time-pad decoder
 * (crypto/otp.c) and the patient record decoder (plugin/format.c).
 *
 * In a restore, the pad ciphertext is decrypted only after its HMAC
 * verified and the pad comes from the key store, so fuzz_restore cannot
 * reach the decoder with altered bytes. It is fuzzed here directly: on any
 * ciphertext and pad it must refuse cleanly or give a message of the
 * length the ciphertext length implies, and whatever decrypts must survive a
 * fresh encryption and decryption at the same length.
 *
 * The first byte picks the decoder (and the alphabet); the rest is split
 * in half: ciphertext, then pad.
 */
#include "fuzz_common.h"
#include "format.h"
#include "otp.h"

/* The message survives a fresh encryption and decryption, at the same length. */
static int round_trips(dg_otp_alphabet a, const uint8_t *msg, size_t msg_len, size_t len)
{
    uint8_t *pad = NULL, *ct = NULL, *back = malloc(msg_len + 1);
    size_t len2 = 0, got = 0;
    int same = 0;

    if (back != NULL && dg_otp_encrypt(a, msg, msg_len, &pad, &ct, &len2) == DG_OTP_OK) {
        same = len2 == len &&
               dg_otp_decrypt(a, ct, pad, len2, back, msg_len + 1, &got) == DG_OTP_OK &&
               got == msg_len && memcmp(back, msg, msg_len) == 0;
        dg_otp_free_pad(pad, len2);
        free(ct);
    }
    free(back);
    return same;
}

static void otp(dg_otp_alphabet a, const uint8_t *p, size_t n)
{
    size_t len = n / 2, got = 0, cap = len + 8;
    uint8_t *msg = malloc(cap);

    if (msg == NULL)
        return;
    if (dg_otp_decrypt(a, p, p + len, len, msg, cap, &got) == DG_OTP_OK) {
        if (got > len || dg_otp_length(a, got) != len || !round_trips(a, msg, got, len))
            dgf_die("fuzz_otp", "a decrypted message does not fit its ciphertext");
    }
    free(msg);
}

static void phi_record(const uint8_t *p, size_t n)
{
    dg_phi_record r;
    dg_buf again;

    if (dg_phi_record_decode(p, n, &r) != 0)
        return;
    if (r.ct_len > n || r.signed_len + DG_PHI_TAG_LEN > n || r.alphabet > 2)
        dgf_die("fuzz_otp", "an accepted patient record points outside its bytes");
    /* What decodes encodes back to the same signed bytes. */
    dg_buf_init(&again);
    dg_phi_record_encode(&r, &again);
    if (!again.failed && (again.len != r.signed_len || memcmp(again.data, p, again.len) != 0))
        dgf_die("fuzz_otp", "a patient record does not re-encode to its bytes");
    dg_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        otp(DG_OTP_ALPHA_BINARY, data + 1, size - 1);
        break;
    case 1:
        otp(DG_OTP_ALPHA_LETTERS, data + 1, size - 1);
        break;
    case 2:
        otp(DG_OTP_ALPHA_DIGITS, data + 1, size - 1);
        break;
    default:
        phi_record(data + 1, size - 1);
        break;
    }
    return 0;
}
