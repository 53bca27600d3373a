/*
 * otp.h - one-time pads over three alphabets, as in "Securing Medical
 * Records with Multi Level Encryption":
 *
 *   binary    bytes,      c = m XOR k
 *   vigenere  letters A-Z, c = (m + k) mod 26  (the Vigenere square)
 *   numeric   digits 0-9,  c = (m + k) mod 10
 *
 * Any byte string can be encrypted in every mode: for the letter and digit
 * modes the message is first written in that alphabet by a fixed-width
 * bijective encoding (each 4-byte block as 7 letters or 10 digits, a
 * shorter last block as the fewest symbols that can hold it), so the
 * ciphertext length depends on the message length only. The pad is one
 * uniformly random symbol per ciphertext symbol, drawn from the OS CSPRNG
 * by rejection sampling (no modulo bias). Symbols are stored as ASCII:
 * 'A'..'Z' and '0'..'9' in the letter and digit modes.
 *
 * A one-time pad hides everything but the length and authenticates
 * nothing: the caller MACs the ciphertext (see plugin/phi.c).
 */
#ifndef DG_OTP_H
#define DG_OTP_H

#include <stddef.h>
#include <stdint.h>

enum { DG_OTP_OK = 0, DG_OTP_EINVAL = -1, DG_OTP_ENOMEM = -2, DG_OTP_ERANDOM = -3 };

typedef enum dg_otp_alphabet {
    DG_OTP_ALPHA_BINARY = 0,
    DG_OTP_ALPHA_LETTERS = 1,
    DG_OTP_ALPHA_DIGITS = 2
} dg_otp_alphabet;

/* Symbols needed to carry a message of msg_len bytes (0 on overflow). */
size_t dg_otp_length(dg_otp_alphabet a, size_t msg_len);

/*
 * Encrypts msg with a fresh pad. *pad and *ct are malloc'd, both
 * dg_otp_length(a, msg_len) bytes long; wipe and free the pad with
 * dg_otp_free_pad.
 */
int dg_otp_encrypt(dg_otp_alphabet a, const uint8_t *msg, size_t msg_len, uint8_t **pad,
                   uint8_t **ct, size_t *len);

/*
 * Decrypts ct (len symbols) with pad (len symbols) into msg (msg_cap bytes;
 * *msg_len receives the message length). Refuses (DG_OTP_EINVAL) symbols
 * outside the alphabet, a length no message has, and blocks that decode
 * to a value too large for their bytes.
 */
int dg_otp_decrypt(dg_otp_alphabet a, const uint8_t *ct, const uint8_t *pad, size_t len,
                   uint8_t *msg, size_t msg_cap, size_t *msg_len);

void dg_otp_free_pad(uint8_t *pad, size_t len);

#endif
