/*
 * chaosmode.h - the chaos pixel mode (`protect --mode chaos`): the pixel
 * data is encrypted in place with the research chaos cipher
 * (crypto/chaos.h), so the protected file still shows an image of the same
 * geometry, in an uncompressed transfer syntax. It is NOT the default and
 * not for real patient data: see docs/chaos.md.
 *
 * What makes it a dcmguard mode rather than the bare cipher:
 *   - compressed input (JPEG, JPEG-LS, RLE, deflated) is first decoded into
 *     an uncompressed file, which is then what restore gives back;
 *   - the cipher sees only the BitsStored bits of each sample; bits above
 *     them (or not sign-extended) are kept, sealed, in the envelope, so the
 *     original comes back bit for bit;
 *   - the per-instance chaos key is derived from the instance's data key
 *     (itself wrapped under the master key);
 *   - the cipher image is authenticated: its SHA-256 is in the sealed
 *     envelope and is checked before anything is decrypted.
 */
#ifndef DG_CHAOSMODE_H
#define DG_CHAOSMODE_H

#include "dicom.h"
#include "internal.h"
#include "pixels.h"

#include <stddef.h>
#include <stdint.h>

/* What restore needs to undo the cipher (kept in the sealed envelope). */
typedef struct dg_chaos_params {
    uint8_t bits;      /* BitsStored */
    uint8_t is_signed; /* PixelRepresentation */
    uint8_t rounds;
    uint32_t key_counter;    /* which derived key the cipher accepted */
    uint8_t digest[32];      /* SHA-256 of the cipher samples, little endian */
    const uint8_t *residual; /* bits the cipher does not see, XOR form; NULL when none */
    uint64_t residual_len;
} dg_chaos_params;

/*
 * Gives an uncompressed version of a file whose pixel data is compressed
 * or deflated (*native malloc'd, an Explicit VR Little Endian Part-10
 * file), or *native = NULL when the file can be used as it is. d is the
 * file (in) as parsed, with its info; decoding edits d.
 */
int dg_chaos_decode(dg_dicom *d, const dg_dicom_info *info, const uint8_t *in, uint8_t **native,
                    size_t *native_len, char *err, size_t errlen);

/* Checks the image fits the cipher and fills the model (kind DG_PIX_CHAOS). */
int dg_chaos_plan(const dg_dicom_info *info, dg_pixmodel *m, dg_chaos_params *cp, char *err,
                  size_t errlen);

/*
 * Encrypts the covered pixel bytes of the original (pixels, in the file's
 * byte order). *cipher (host-order samples, for the output's Pixel Data)
 * and *residual are malloc'd; cp gets the counter, digest and residual.
 */
int dg_chaos_encrypt_pixels(const uint8_t data_key[32], const dg_pixmodel *m, dg_chaos_params *cp,
                            const uint8_t *pixels, uint8_t **cipher, uint8_t **residual, char *err,
                            size_t errlen);

/*
 * Checks the cipher samples (little endian, as in the protected file)
 * against the digest, decrypts them and writes the original pixel bytes,
 * in the original byte order, to out (m->covered bytes).
 */
int dg_chaos_decrypt_pixels(const uint8_t data_key[32], const dg_pixmodel *m,
                            const dg_chaos_params *cp, const uint8_t *cipher_le, uint8_t *out,
                            char *err, size_t errlen);

#endif
