/*
 * chaos.h - the chaos-based image cipher of Hua, Yi & Zhou (2018) as
 * restated by Khan et al. ("Medical Image Encryption Into Smart Healthcare
 * IoT System"): a Logistic-Sine map keystream, R rounds of high-speed
 * scrambling and pixel adaptive diffusion by modular addition (MIE-MA),
 * following ../shared/docs/chaos-cipher.md (the "spec") and docs/chaos.md.
 *
 * WARNING: a published research design with practical published attacks
 * (chosen ciphertext, about M*N+1 queries), an effective key far below 256
 * bits and no integrity of its own. It is here for research, comparison and
 * compatibility; dcmguard's default protection is AES (seal.h).
 *
 * The cipher works in place on the samples of one image buffer:
 *   - b = bits (1..16; the spec's vectors cover 8, 12 and 16) is given by
 *     the caller from BitsStored, never derived from the data; E = 2^b;
 *   - a sample is one uint8_t (bits_allocated 8) or one uint16_t in native
 *     byte order (bits_allocated 16);
 *   - unsigned samples must be < E; signed samples (PixelRepresentation 1)
 *     must be b-bit two's-complement values sign-extended to the container,
 *     are encrypted as their raw b-bit patterns and come back sign-extended;
 *     anything else is DG_CHAOS_ERANGE (the buffer is then left unchanged);
 *   - frames and samples per pixel are laid out as the spec's defaults (D5):
 *     one gray image of (frames*rows) x (samples_per_pixel*cols), frame f in
 *     rows f*rows.., the planes side by side [R|G|B];
 *   - R rounds (0 means DG_CHAOS_ROUNDS_DEFAULT = 3; design decision D2 picks
 *     the round seeds for R >= 3), a 32-byte key.
 * Refused: weak keys (S1 = 0, S2 = 0, or a round seed x_i = 0), images of a
 * single sample (not invertible), and, for encryption only, a key whose LSS
 * orbit collapses to 0 within this image (design decision D7): draw another
 * key. Every function returns DG_CHAOS_OK or a negative status; key
 * material and intermediate keystreams are wiped before returning.
 */
#ifndef DG_CHAOS_H
#define DG_CHAOS_H

#include <stddef.h>
#include <stdint.h>

#define DG_CHAOS_KEY_LEN 32
#define DG_CHAOS_ROUNDS_DEFAULT 3
#define DG_CHAOS_ROUNDS_MAX 16

enum {
    DG_CHAOS_OK = 0,
    DG_CHAOS_EINVAL = -1,     /* a bad argument: NULL, sizes, bits, rounds, a 1x1 image */
    DG_CHAOS_ENOMEM = -2,     /* out of memory */
    DG_CHAOS_EWEAKKEY = -3,   /* S1 = 0, S2 = 0 or a round seed x_i = 0 */
    DG_CHAOS_ERANGE = -4,     /* a sample does not fit in b bits */
    DG_CHAOS_EDEGENERATE = -5 /* encryption: the keystream collapsed to 0 (D7), use another key */
};

/* What the samples of the buffer are: DICOM's image pixel attributes. */
typedef struct dg_chaos_image {
    uint32_t rows;              /* Rows: M of one frame */
    uint32_t cols;              /* Columns: N */
    uint32_t samples_per_pixel; /* SamplesPerPixel: 1 (gray) or more (3 for RGB) */
    uint32_t frames;            /* NumberOfFrames (1 when absent) */
    uint8_t planar;             /* PlanarConfiguration: 0 samples of a pixel together, 1 planes */
    uint8_t bits;               /* BitsStored: b, 1..16 */
    uint8_t bits_allocated;     /* BitsAllocated: 8 (uint8_t) or 16 (uint16_t, native order) */
    uint8_t is_signed;          /* PixelRepresentation: 1 for two's complement */
} dg_chaos_image;

/* Bytes of the sample buffer for this image, or 0 when the geometry is invalid. */
size_t dg_chaos_buffer_size(const dg_chaos_image *img);

/* Encrypts the samples in place. samples_len must be dg_chaos_buffer_size(img). */
int dg_chaos_encrypt(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                     void *samples, size_t samples_len);

/* Decrypts in place what dg_chaos_encrypt made with the same key, rounds and image. */
int dg_chaos_decrypt(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                     void *samples, size_t samples_len);

/* Checks a key without encrypting: DG_CHAOS_OK or DG_CHAOS_EWEAKKEY (for `rounds`). */
int dg_chaos_check_key(const uint8_t *key, size_t key_len, unsigned rounds);

/* A short name for a status (static text). */
const char *dg_chaos_strerror(int status);

/*
 * Intermediate values, for the test vectors of the spec (section 11) and for
 * analysis; no secret is kept by these functions.
 *
 * dg_chaos_round_seed: the seed (x_i, r_i) of round `round` (1-based).
 * dg_chaos_lss: out[k] = f^(k+1)(x), k < n: the first output after one step.
 * dg_chaos_keystream: q[k] = floor(f^(k+1)(x) * 2^32) mod 2^bits.
 * dg_chaos_argsort: idx = the stable ascending order of v (ties: lower index).
 */
int dg_chaos_round_seed(const uint8_t *key, size_t key_len, unsigned round, double *x, double *r);
int dg_chaos_lss(double x, double r, double *out, size_t n);
int dg_chaos_keystream(double x, double r, unsigned bits, uint16_t *q, size_t n);
int dg_chaos_argsort(const double *v, size_t n, uint32_t *idx);

#endif
