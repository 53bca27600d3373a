/*
 * inspect.c - describing a protected file without any key. Everything
 * printed comes from the clear header and the sizes of the private block:
 * no key, pad or plaintext byte is ever read.
 */
#include "format.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(uint8_t kind)
{
    switch (kind) {
    case DG_PIX_NONE:
        return "none (no pixel data, or kept whole in the envelope)";
    case DG_PIX_TILED:
        return "tiles (JPEG-LS lossless, then AES-256-CBC + HMAC-SHA256)";
    case DG_PIX_ITEMS:
        return "compressed items encrypted as they are (AES-256-CBC + HMAC-SHA256)";
    case DG_PIX_CHUNKS:
        return "raw chunks (AES-256-CBC + HMAC-SHA256)";
    case DG_PIX_CHAOS:
        return "chaos cipher in place (research cipher with published attacks; "
               "cipher image authenticated by SHA-256 in the sealed envelope)";
    default:
        return "unknown";
    }
}

static size_t private_len(const dg_dicom *d, uint8_t element)
{
    const uint8_t *v;
    size_t n = 0;
    if (dg_dicom_get_private(d, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, element, &v, &n) != 0)
        return 0;
    return n;
}

/* The patient record: which pad, never its bytes (there are none here). */
static void describe_phi(const dg_dicom *d, dg_buf *out)
{
    static const char *const alphabets[] = {"binary (XOR)", "vigenere (letters mod 26)",
                                            "numeric (digits mod 10)"};
    const uint8_t *p;
    size_t n;
    dg_phi_record r;
    char line[256];

    if (dg_dicom_get_private(d, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_PHI, &p, &n) != 0 ||
        dg_phi_record_decode(p, n, &r) != 0) {
        const char *none = "patient header: no valid patient record\n";
        dg_buf_put(out, none, strlen(none));
        return;
    }
    snprintf(line, sizeof line,
             "patient header: de-identified (PS3.15 E.1-1); originals under a one-time pad\n"
             "pad: %s, %s, id %s\n"
             "patient values: %llu bytes as %llu symbols, HMAC-SHA256 authenticated\n",
             alphabets[r.alphabet], r.policy ? "single-use" : "reusable", r.pad_id,
             (unsigned long long)r.message_len, (unsigned long long)r.ct_len);
    dg_buf_put(out, line, strlen(line));
}

/* Version 3: the clear identity the header is bound to, and whether the clear dataset agrees. */
static void describe_binding(const dg_dicom *d, const dg_header *h, dg_buf *out)
{
    char line[400], clear[DG_BIND_MAX + 1];
    int n, all = 1;

    if (h->version < 3) {
        dg_buf_put(out, "binding: none (format 2: the clear header is not bound)\n", 56);
        return;
    }
    for (int i = 0; i < DG_BIND_FIELDS; i++) {
        if (dg_dicom_get_string(d, dg_bind_tags[i][0], dg_bind_tags[i][1], clear, sizeof clear) !=
            DG_DICOM_OK)
            clear[0] = '\0';
        all &= strcmp(clear, h->bind[i]) == 0;
        n = snprintf(line, sizeof line, "bound %s: %s%s\n", dg_bind_names[i],
                     h->bind[i][0] ? h->bind[i] : "(empty)",
                     strcmp(clear, h->bind[i]) == 0 ? "" : "  [the clear header differs]");
        dg_buf_put(out, line, n > 0 ? strlen(line) : 0);
    }
    n = snprintf(line, sizeof line, "binding: %s\n",
                 all ? "the clear header matches" : "MISMATCH: restore will refuse this file");
    dg_buf_put(out, line, n > 0 ? strlen(line) : 0);
}

static void describe(const dg_dicom *d, const dg_dicom_info *info, const dg_header *h, dg_buf *out)
{
    char line[256], id[2 * DG_KEY_ID_LEN + 1];
    int n;

    dg_key_id_hex(h->key_id, id);
#define LINE(...)                                                                                  \
    do {                                                                                           \
        n = snprintf(line, sizeof line, __VA_ARGS__);                                              \
        dg_buf_put(out, line, n > 0 ? (size_t)n : 0);                                              \
    } while (0)
    LINE("protected: yes (dcmguard format %u)\n", (unsigned)h->version);
    LINE("mode: %s\n", h->mode == DG_MODE_CHAOS_PIXELS
                           ? "chaos (NOT for patient data: see docs/chaos.md)"
                           : "aes-tiles");
    if (h->flags & DG_FLAG_DECODED)
        LINE("input: compressed, decoded before protection: restore gives the decoded image in "
             "Explicit VR Little Endian with the original header\n");
    LINE("master key id: %s\n", id);
    LINE("protection id: ");
    for (int i = 0; i < DG_PROTECTION_ID_LEN; i++)
        LINE("%02x", h->protection_id[i]);
    LINE("\n");
    LINE("data key: AES-256 key wrapped with RFC 5649 (%u bytes)\n", (unsigned)h->wrapped_len);
    LINE("pixels: %s\n", kind_name(h->pixel_kind));
    LINE("frames: %u\n", (unsigned)h->frames);
    if (h->pixel_kind == DG_PIX_TILED)
        LINE("tile grid: %ux%u per frame\n", (unsigned)h->tile_rows, (unsigned)h->tile_cols);
    LINE("segments: %u\n", (unsigned)h->segment_count);
    LINE("segments stored: %s\n",
         (h->flags & DG_FLAG_SLICES) ? "in separate slice files (.enc)" : "inside this file");
    LINE("original size: %llu bytes\n", (unsigned long long)h->original_size);
    describe_binding(d, h, out);
    LINE("envelope: %zu bytes (sealed: original header with the patient values zeroed, layout, "
         "SHA-256%s)\n",
         private_len(d, DG_ELEM_ENVELOPE),
         h->version >= 3 ? " of the original with its holes zeroed" : " of the original");
    LINE("tiles: %zu bytes\n", private_len(d, DG_ELEM_TILES));
    describe_phi(d, out);
    LINE("placeholder transfer syntax: %s\n", info->transfer_syntax);
#undef LINE
    dg_buf_put(out, "", 1);
}

DG_API int dg_inspect(const uint8_t *in, size_t in_len, char **text, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    dg_dicom *d = NULL;
    dg_dicom_info info;
    const uint8_t *hb;
    size_t hlen;
    dg_header h;
    dg_buf out;
    int rc = DG_OK;

    if (in == NULL || text == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_inspect");
    *text = NULL;
    dg_buf_init(&out);
    if (dg_dicom_parse(in, in_len, &d, why, sizeof why) != DG_DICOM_OK) {
        rc = dg_fail(err, errlen, DG_EFORMAT, "not a readable DICOM file: %s", why);
        goto done;
    }
    if (dg_dicom_get_private(d, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER, &hb, &hlen) !=
        DG_DICOM_OK) {
        rc = dg_fail(err, errlen, DG_EFORMAT, "not protected by dcmguard (no DCMGUARD block)");
        goto done;
    }
    if (dg_header_decode(hb, hlen, &h) != 0 || dg_dicom_get_info(d, &info) != 0) {
        rc = dg_fail(err, errlen, DG_EFORMAT, "the dcmguard header is malformed");
        goto done;
    }
    describe(d, &info, &h, &out);
    if (out.failed) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
        goto done;
    }
    *text = (char *)out.data;
    dg_buf_init(&out);
done:
    dg_buf_free(&out);
    dg_dicom_free(d);
    return rc;
}
