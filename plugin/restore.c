/*
 * restore.c - rebuilding the original file from a protected one.
 *
 * Every check comes before any use: the header is decoded strictly, the
 * data key unwraps only under the right master key, the envelope and every
 * segment authenticate before they are decrypted, each segment must be the
 * one expected at its place, and the rebuilt file must have the SHA-256
 * recorded at protection. The patient values come back from their
 * one-time pad (phi.c) into the holes the envelope left; a single-use pad
 * is destroyed once the file is whole. Without the pad, restore
 * --deidentified rebuilds the file with its holes, replays the
 * de-identification on it (deid.c) and gives the original pixels under
 * the de-identified header. Any failure returns nothing.
 */
#include "chaosmode.h"
#include "deid.h"
#include "format.h"
#include "internal.h"
#include "kdf.h"
#include "phi.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct restoration {
    const uint8_t *in; /* the protected file */
    dg_dicom *dicom;
    const uint8_t *header_bytes;
    size_t header_len;
    dg_header header;
    dg_instance_keys keys;
    uint8_t *envelope_plain;
    size_t envelope_cap;
    dg_envelope env;
    const uint8_t **records; /* one per segment, borrowed */
    size_t *record_lens;
    uint8_t **slice_data; /* slices loaded from outside (owned) */
    uint8_t **pieces;     /* ITEMS: decrypted segments, joined at the end */
    size_t *piece_lens;
    int *segment_status;
    uint8_t *out;
    const uint8_t *phi_bytes; /* the PHI record element, borrowed */
    size_t phi_len;
    dg_phi_record phi;
    uint8_t *phi_msg;   /* the patient values, decrypted */
    char instance[68];  /* the clear (pseudonymous) SOP Instance UID, for messages */
    char clear_uid[68]; /* the same, empty when absent: what the pad's row must name */
} restoration;

static void restoration_free(restoration *r)
{
    uint32_t n = r->header.segment_count;
    dg_dicom_free(r->dicom);
    dg_instance_keys_wipe(&r->keys);
    if (r->envelope_plain != NULL)
        dg_wipe(r->envelope_plain, r->envelope_cap);
    free(r->envelope_plain);
    for (uint32_t i = 0; r->slice_data != NULL && i < n; i++)
        free(r->slice_data[i]);
    for (uint32_t i = 0; r->pieces != NULL && i < n; i++) {
        if (r->pieces[i] != NULL)
            dg_wipe(r->pieces[i], r->piece_lens[i]);
        free(r->pieces[i]);
    }
    free(r->slice_data);
    free(r->pieces);
    free(r->piece_lens);
    free(r->records);
    free(r->record_lens);
    free(r->segment_status);
    if (r->out != NULL)
        dg_wipe(r->out, r->env.original_size);
    free(r->out);
    if (r->phi_msg != NULL)
        dg_wipe(r->phi_msg, (size_t)r->phi.message_len);
    free(r->phi_msg);
}

static int read_header(restoration *r, const uint8_t *in, size_t in_len, char *err, size_t errlen)
{
    char why[DG_ERRLEN];

    if (dg_dicom_parse(in, in_len, &r->dicom, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EFORMAT, "not a readable DICOM file: %s", why);
    if (dg_dicom_get_private(r->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER,
                             &r->header_bytes, &r->header_len) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EFORMAT, "not protected by dcmguard (no DCMGUARD block)");
    if (dg_header_decode(r->header_bytes, r->header_len, &r->header) != 0)
        return dg_fail(err, errlen, DG_EFORMAT,
                       "the dcmguard header is malformed or of an "
                       "unknown version");
    if (dg_dicom_get_private(r->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_PHI,
                             &r->phi_bytes, &r->phi_len) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EFORMAT, "the dcmguard patient record is missing");
    if (dg_dicom_get_string(r->dicom, 0x0008, 0x0018, r->clear_uid, sizeof r->clear_uid) != 0)
        r->clear_uid[0] = '\0';
    snprintf(r->instance, sizeof r->instance, "%s",
             r->clear_uid[0] ? r->clear_uid : "(no SOP Instance UID)");
    return DG_OK;
}

/* Version 3: the clear dataset must name the instance the header is bound to. */
static int check_binding(restoration *r, char *err, size_t errlen)
{
    char clear[DG_BIND_MAX + 1];

    if (r->header.version < 3)
        return DG_OK;
    for (int i = 0; i < DG_BIND_FIELDS; i++) {
        if (dg_dicom_get_string(r->dicom, dg_bind_tags[i][0], dg_bind_tags[i][1], clear,
                                sizeof clear) != DG_DICOM_OK)
            clear[0] = '\0';
        if (strcmp(clear, r->header.bind[i]) != 0)
            return dg_fail(err, errlen, DG_EAUTH,
                           "the dcmguard block belongs to another instance (its %s is not the "
                           "clear header's)",
                           dg_bind_names[i]);
    }
    return DG_OK;
}

static int unwrap_keys(restoration *r, const dg_ctx *ctx, char *err, size_t errlen)
{
    char want[2 * DG_KEY_ID_LEN + 1], have[2 * DG_KEY_ID_LEN + 1];
    size_t n = 0;
    int rc;

    if (!dg_equal(r->header.key_id, ctx->master.id, DG_KEY_ID_LEN)) {
        dg_key_id_hex(r->header.key_id, want);
        dg_key_id_hex(ctx->master.id, have);
        return dg_fail(err, errlen, DG_EKEY,
                       "protected under master key %s, but the key given is %s", want, have);
    }
    /* version 2 wrapped under the master key itself; version 3 under its key-wrap key */
    rc =
        dg_key_unwrap(r->header.version == DG_FORMAT_VERSION_2 ? ctx->master.key : ctx->derived.kek,
                      r->header.wrapped_key, r->header.wrapped_len, r->keys.data_key,
                      sizeof r->keys.data_key, &n);
    if (rc != DG_WRAP_OK || n != sizeof r->keys.data_key)
        return dg_fail(err, errlen, DG_EAUTH,
                       "the wrapped data key does not authenticate "
                       "(wrong master key or altered file)");
    if (dg_instance_keys_derive(&r->keys) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "key derivation failed");
    return DG_OK;
}

/* The header and the authenticated envelope must tell the same story. */
static int consistent(const dg_header *h, const dg_envelope *e)
{
    const dg_pixmodel *m = &e->model;
    if (h->pixel_kind != m->kind || h->segment_count != m->segment_count ||
        h->original_size != e->original_size || h->tile_rows != m->tile_rows ||
        h->tile_cols != m->tile_cols)
        return 0;
    if (h->codec != (m->kind == DG_PIX_TILED ? DG_CODEC_JPEGLS : DG_CODEC_RAW))
        return 0;
    if ((h->mode == DG_MODE_CHAOS_PIXELS) != (m->kind == DG_PIX_CHAOS))
        return 0;
    return m->kind != DG_PIX_TILED || h->frames == m->frames;
}

static int open_envelope(restoration *r, char *err, size_t errlen)
{
    const uint8_t *sealed;
    size_t sealed_len, n = 0;

    if (dg_dicom_get_private(r->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_ENVELOPE,
                             &sealed, &sealed_len) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EFORMAT, "the dcmguard envelope is missing");
    r->envelope_cap = sealed_len;
    r->envelope_plain = malloc(sealed_len ? sealed_len : 1);
    if (r->envelope_plain == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    if (dg_open(&r->keys.envelope, r->header_bytes, r->header_len, sealed, sealed_len,
                r->envelope_plain, r->envelope_cap, &n) != DG_SEAL_OK)
        return dg_fail(err, errlen, DG_EAUTH, "the envelope does not authenticate (altered file)");
    if (dg_envelope_decode(r->envelope_plain, n, &r->env) != 0 || !consistent(&r->header, &r->env))
        return dg_fail(err, errlen, DG_EFORMAT, "the envelope is inconsistent");
    return DG_OK;
}

static int alloc_segments(restoration *r, char *err, size_t errlen)
{
    uint32_t n = r->header.segment_count;
    size_t k = n ? n : 1;
    r->records = calloc(k, sizeof *r->records);
    r->record_lens = calloc(k, sizeof *r->record_lens);
    r->slice_data = calloc(k, sizeof *r->slice_data);
    r->pieces = calloc(k, sizeof *r->pieces);
    r->piece_lens = calloc(k, sizeof *r->piece_lens);
    r->segment_status = calloc(k, sizeof *r->segment_status);
    if (!r->records || !r->record_lens || !r->slice_data || !r->pieces || !r->piece_lens ||
        !r->segment_status)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    return DG_OK;
}

/* Splits the embedded tiles element into records (their heads are checked later). */
static int split_records(restoration *r, char *err, size_t errlen)
{
    const uint8_t *all;
    size_t left, n = r->header.segment_count;

    if (n == 0)
        return DG_OK;
    if (dg_dicom_get_private(r->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_TILES, &all,
                             &left) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EFORMAT, "the dcmguard tiles are missing");
    for (size_t i = 0; i < n; i++) {
        uint32_t sealed_len;
        if (left < DG_TILE_HEAD_LEN)
            return dg_fail(err, errlen, DG_EAUTH, "the tiles are truncated at segment %zu", i);
        sealed_len = dg_load_u32(all + 48);
        if (sealed_len > left - DG_TILE_HEAD_LEN)
            return dg_fail(err, errlen, DG_EAUTH, "the tiles are truncated at segment %zu", i);
        r->records[i] = all;
        r->record_lens[i] = DG_TILE_HEAD_LEN + sealed_len;
        all += r->record_lens[i];
        left -= r->record_lens[i];
    }
    if (left != 0)
        return dg_fail(err, errlen, DG_EAUTH, "unexpected bytes after the last tile");
    return DG_OK;
}

static int load_slices(restoration *r, dg_slice_loader load, void *user, char *err, size_t errlen)
{
    const dg_pixmodel *m = &r->env.model;
    int multi = m->kind != DG_PIX_TILED || m->frames > 1;
    char name[256], why[DG_ERRLEN];

    if (load == NULL)
        return dg_fail(err, errlen, DG_ESLICE,
                       "this file's tiles are in slice files: give "
                       "their directory (--slices-dir)");
    for (uint32_t i = 0; i < m->segment_count; i++) {
        dg_tile_head want;
        dg_tile_head_for(&r->header, &r->env.model, i, &want);
        if (dg_slice_name(r->env.slice_base, r->header.protection_id, multi, want.frame, want.row,
                          want.col, name, sizeof name) != 0)
            return dg_fail(err, errlen, DG_EFORMAT, "bad slice name");
        why[0] = 0;
        if (load(user, name, &r->slice_data[i], &r->record_lens[i], why, sizeof why) != 0)
            return dg_fail(err, errlen, DG_ESLICE, "slice %s: %s", name,
                           why[0] ? why : "cannot be read");
        r->records[i] = r->slice_data[i];
    }
    return DG_OK;
}

static int check_head(const restoration *r, uint32_t seg, dg_tile_head *got)
{
    dg_tile_head want;
    const uint8_t *rec = r->records[seg];

    if (r->record_lens[seg] < DG_TILE_HEAD_LEN || dg_tile_head_decode(rec, got) != 0)
        return -1;
    dg_tile_head_for(&r->header, &r->env.model, seg, &want);
    if (got->sealed_len != r->record_lens[seg] - DG_TILE_HEAD_LEN)
        return -1;
    return got->version == want.version &&
                   memcmp(got->protection_id, want.protection_id, DG_PROTECTION_ID_LEN) == 0 &&
                   memcmp(got->key_id, want.key_id, DG_KEY_ID_LEN) == 0 &&
                   got->segment == want.segment && got->frame == want.frame &&
                   got->row == want.row && got->col == want.col && got->codec == want.codec
               ? 0
               : -1;
}

/* Decodes a tile straight into its frame in the output. */
static int place_tile(restoration *r, uint32_t seg, const uint8_t *plain, size_t plain_len)
{
    const dg_pixmodel *m = &r->env.model;
    dg_tile tile;
    dg_jls_image want;
    size_t bytes;
    void *samples;
    int rc;

    dg_pix_tile(m, seg, &tile);
    if (dg_jls_read_header(plain, plain_len, &want) != DG_JLS_OK)
        return DG_ECODEC;
    if (want.width != tile.w || want.height != tile.h || want.components != m->components ||
        (want.bits > 8) != (m->sample_bytes == 2) ||
        (m->components > 1 && want.planar != m->planar))
        return DG_ECODEC;
    bytes = dg_pix_tile_bytes(m, &tile);
    samples = malloc(bytes);
    if (samples == NULL)
        return DG_ENOMEM;
    rc = dg_jls_decode(plain, plain_len, &want, samples, bytes);
    if (rc == DG_JLS_OK)
        dg_pix_insert(m, &tile, r->out + r->env.pixel_offset + tile.frame * m->frame_bytes,
                      samples);
    dg_wipe(samples, bytes);
    free(samples);
    return rc == DG_JLS_OK ? DG_OK : DG_ECODEC;
}

static int place_raw(restoration *r, uint32_t seg, uint8_t *plain, size_t plain_len, int *kept)
{
    uint64_t off, len;
    if (r->env.model.kind == DG_PIX_ITEMS) {
        r->pieces[seg] = plain; /* joined in order once all are open */
        r->piece_lens[seg] = plain_len;
        *kept = 1;
        return DG_OK;
    }
    dg_pix_chunk(&r->env.model, seg, &off, &len);
    if (plain_len != len)
        return DG_EFORMAT;
    memcpy(r->out + r->env.pixel_offset + off, plain, plain_len);
    return DG_OK;
}

static int restore_segment(void *arg, uint32_t seg)
{
    restoration *r = arg;
    dg_tile_head head;
    uint8_t *plain = NULL;
    size_t plain_len = 0, cap;
    int rc = DG_EAUTH, kept = 0;

    if (check_head(r, seg, &head) != 0)
        goto done;
    cap = head.sealed_len ? head.sealed_len : 1;
    plain = malloc(cap);
    if (plain == NULL) {
        rc = DG_ENOMEM;
        goto done;
    }
    if (dg_open(&r->keys.tiles, r->records[seg], DG_TILE_HEAD_LEN,
                r->records[seg] + DG_TILE_HEAD_LEN, head.sealed_len, plain, cap,
                &plain_len) != DG_SEAL_OK)
        goto done;
    if (r->env.model.kind == DG_PIX_TILED)
        rc = place_tile(r, seg, plain, plain_len);
    else
        rc = place_raw(r, seg, plain, plain_len, &kept);
done:
    if (!kept && plain != NULL) {
        dg_wipe(plain, plain_len);
        free(plain);
    }
    r->segment_status[seg] = rc;
    return rc != DG_OK;
}

static int join_items(restoration *r, char *err, size_t errlen)
{
    uint64_t at = 0;
    for (uint32_t i = 0; i < r->header.segment_count; i++) {
        if (r->piece_lens[i] > r->env.model.covered - at)
            return dg_fail(err, errlen, DG_EFORMAT, "pixel items overflow the pixel data");
        memcpy(r->out + r->env.pixel_offset + at, r->pieces[i], r->piece_lens[i]);
        at += r->piece_lens[i];
    }
    if (at != r->env.model.covered)
        return dg_fail(err, errlen, DG_EFORMAT, "pixel items do not fill the pixel data");
    return DG_OK;
}

static int rebuild(restoration *r, dg_ctx *ctx, char *err, size_t errlen)
{
    const dg_envelope *e = &r->env;
    uint32_t n = r->header.segment_count;
    dg_pool *pool = dg_ctx_pool(ctx);

    if (pool == NULL || e->original_size > SIZE_MAX ||
        (r->out = malloc(e->original_size ? e->original_size : 1)) == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    memcpy(r->out, e->prefix, e->prefix_len);
    memcpy(r->out + e->prefix_len + e->model.covered, e->suffix, e->suffix_len);
    if (dg_pool_run(pool, n, restore_segment, r) != 0) {
        for (uint32_t i = 0; i < n; i++)
            if (r->segment_status[i] != DG_OK)
                return dg_fail(err, errlen, r->segment_status[i], "pixel segment %u does not %s", i,
                               r->segment_status[i] == DG_EAUTH ? "authenticate (altered, "
                                                                  "swapped or foreign)"
                                                                : "decode");
    }
    if (e->model.kind == DG_PIX_ITEMS && join_items(r, err, errlen) != DG_OK)
        return DG_EFORMAT;
    return DG_OK;
}

/* Chaos mode: the protected file's Pixel Data is the cipher image; decrypt it into place. */
static int place_chaos_pixels(restoration *r, char *err, size_t errlen)
{
    const dg_envelope *e = &r->env;
    dg_chaos_params cp;
    dg_dicom_info info;

    if (e->model.kind != DG_PIX_CHAOS)
        return DG_OK;
    dg_dicom_get_info(r->dicom, &info);
    if (!info.pixels_located || info.encapsulated || info.big_endian ||
        info.pixel_value_length < e->model.covered)
        return dg_fail(err, errlen, DG_EFORMAT,
                       "the cipher image is missing or has the wrong size");
    memset(&cp, 0, sizeof cp);
    cp.bits = e->chaos_bits;
    cp.is_signed = e->chaos_signed;
    cp.rounds = e->chaos_rounds;
    cp.key_counter = e->chaos_key_counter;
    memcpy(cp.digest, e->chaos_digest, 32);
    cp.residual = e->chaos_residual;
    cp.residual_len = e->chaos_residual_len;
    return dg_chaos_decrypt_pixels(r->keys.data_key, &e->model, &cp,
                                   r->in + info.pixel_value_offset, r->out + e->pixel_offset, err,
                                   errlen);
}

/* Every envelope hole gets its patient bytes back, then the whole file must match. */
static int fill_holes_and_check(restoration *r, char *err, size_t errlen)
{
    const dg_envelope *e = &r->env;
    uint64_t total = 0, off, len;
    uint8_t digest[32];

    for (uint32_t i = 0; i < e->hole_count; i++) {
        dg_envelope_hole(e, i, &off, &len);
        total += len;
    }
    if (total != r->phi.message_len)
        return dg_fail(err, errlen, DG_EFORMAT, "the patient record does not fit the file");
    /* version 3: the digest is of the file with its holes zeroed, as it is now */
    if (e->version >= 3 && dg_sha256(r->out, e->original_size, digest) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "SHA-256 failed");
    dg_holes_scatter(e->holes, e->hole_count, r->phi_msg, r->out);
    if (e->version < 3 && dg_sha256(r->out, e->original_size, digest) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "SHA-256 failed");
    if (!dg_equal(digest, e->sha256, 32))
        return dg_fail(err, errlen, DG_EAUTH,
                       "the rebuilt file does not match the SHA-256 "
                       "recorded at protection");
    return DG_OK;
}

/* The patient values, from the pad in the key store. */
static int open_patient_values(restoration *r, dg_ctx *ctx, char *err, size_t errlen)
{
    return dg_phi_open(ctx, &r->keys, r->header_bytes, r->header_len, r->phi_bytes, r->phi_len,
                       r->clear_uid, &r->phi, &r->phi_msg, err, errlen);
}

/* A single-use pad, claimed by this restore, is gone once its file is whole again. */
static int consume_pad(dg_ctx *ctx, const dg_phi_record *phi, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    int rc;

    if (phi->policy != DG_OTP_SINGLE_USE)
        return DG_OK;
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open");
    rc = dg_keystore_finish_claim(ctx->store, phi->pad_id, why, sizeof why);
    if (rc == DG_KS_ENOTFOUND) /* a delete that finds nothing is no success */
        return dg_fail(err, errlen, DG_ENOPAD,
                       "the single-use pad %s was not claimed by this restore", phi->pad_id);
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot destroy the single-use pad: %s", why);
    if (rc == DG_KS_OK)
        return dg_audit_event(ctx, "pad-claim", NULL, phi->pad_id, DG_OK, NULL, err, errlen);
    return DG_OK;
}

/*
 * Pixels that may show the patient: Burned In Annotation not NO (absent
 * included: nobody said the pixels are clean), or Recognizable Visual
 * Features YES. Refused unless the caller overrides; an overridden output
 * does not claim Patient Identity Removed.
 */
static int check_burned_in(dg_dicom *d, unsigned flags, char *err, size_t errlen)
{
    char burned[20] = "", visual[20] = "";
    int have_burned = dg_dicom_get_string(d, 0x0028, 0x0301, burned, sizeof burned) == 0;

    dg_dicom_get_string(d, 0x0028, 0x0302, visual, sizeof visual);
    if (have_burned && strcmp(burned, "NO") == 0 && strcmp(visual, "YES") != 0)
        return DG_OK;
    if (!(flags & DG_RESTORE_BURNED_IN_OK))
        return dg_fail(err, errlen, DG_EUNSUPPORTED,
                       "the pixels may show the patient's identity (Burned In Annotation %s, "
                       "Recognizable Visual Features %s): not given back de-identified; "
                       "--allow-burned-in overrides",
                       have_burned ? (burned[0] ? burned : "empty") : "absent",
                       visual[0] ? visual : "absent");
    return dg_dicom_set_string(d, 0x0012, 0x0062, "NO") == 0
               ? DG_OK
               : dg_fail(err, errlen, DG_EFORMAT, "cannot label the de-identified file");
}

DG_API int dg_burned_in_warning(const uint8_t *file, size_t len, char *msg, size_t cap)
{
    static const char *const prone[] = {"US", "SC", "XA", "ES", "OT"};
    char modality[20] = "", burned[20] = "";
    dg_dicom *d = NULL;
    int warn = 0;

    if (file == NULL || msg == NULL || cap == 0 || dg_dicom_parse(file, len, &d, NULL, 0) != 0)
        return 0;
    dg_dicom_get_string(d, 0x0008, 0x0060, modality, sizeof modality);
    for (size_t i = 0; i < sizeof prone / sizeof prone[0]; i++)
        if (strcmp(modality, prone[i]) == 0)
            warn = snprintf(msg, cap,
                            "modality %s often has text burned into its pixels: check them "
                            "before sharing",
                            modality) > 0;
    if (!warn && dg_dicom_get_string(d, 0x0028, 0x0301, burned, sizeof burned) != 0)
        warn = snprintf(msg, cap,
                        "Burned In Annotation (0028,0301) is absent: check the pixels for text "
                        "before sharing") > 0;
    dg_dicom_free(d);
    return warn;
}

/* restore --deidentified: the holed file, de-identified again by replay, in its own syntax. */
static int deidentified_output(restoration *r, unsigned flags, uint8_t **out, size_t *out_len,
                               char *err, size_t errlen)
{
    dg_buf replay = {(uint8_t *)r->env.replacements, (size_t)r->env.replacements_len,
                     (size_t)r->env.replacements_len, 0};
    char why[DG_ERRLEN];
    dg_dicom *d = NULL;
    dg_dicom_info info;
    dg_deid state;
    int rc = DG_OK;

    if (dg_dicom_parse(r->out, (size_t)r->env.original_size, &d, why, sizeof why) != 0)
        return dg_fail(err, errlen, DG_EFORMAT, "the file without its patient values: %s", why);
    dg_dicom_get_info(d, &info);
    memset(&state, 0, sizeof state);
    state.options = r->env.deid_options;
    state.replacements = &replay;
    state.replay = 1;
    if (info.deflated)
        rc = dg_fail(err, errlen, DG_EUNSUPPORTED,
                     "a deflated dataset cannot be given back without its pad");
    else if (dg_deidentify(d, &state) != 0)
        rc = dg_fail(err, errlen, DG_EFORMAT, "the de-identification does not replay");
    else if ((rc = check_burned_in(d, flags, err, errlen)) != DG_OK)
        ;
    else if (dg_dicom_write(d, DG_DICOM_TS_AS_PARSED, out, out_len, why, sizeof why) != 0)
        rc = dg_fail(err, errlen, DG_EFORMAT, "cannot write the de-identified file: %s", why);
    dg_dicom_free(d);
    return rc;
}

/* Audits a restore (status rc, err saying why when refused); DG_OK when the record is written. */
static int audit_restore(dg_ctx *ctx, const restoration *r, int deidentified, int rc, char *err,
                         size_t errlen)
{
    char why[DG_ERRLEN];

    snprintf(why, sizeof why, "%s", rc != DG_OK && err != NULL ? err : "");
    return dg_audit_event(ctx, deidentified ? "restore-deidentified" : "restore", r->instance,
                          r->phi.pad_id, rc, why, rc != DG_OK ? NULL : err, errlen);
}

static int check_restore_args(dg_ctx *ctx, const uint8_t *in, unsigned flags, uint8_t **out,
                              size_t *out_len, char *err, size_t errlen)
{
    if (ctx == NULL || in == NULL || out == NULL || out_len == NULL ||
        (flags & ~(DG_RESTORE_DEIDENTIFIED | DG_RESTORE_KEEP_PAD | DG_RESTORE_BURNED_IN_OK)) != 0)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_restore");
    *out = NULL;
    *out_len = 0;
    if (!ctx->have_master)
        return dg_fail(err, errlen, DG_EKEY, "no master key loaded");
    return DG_OK;
}

DG_API int dg_restore(dg_ctx *ctx, const uint8_t *in, size_t in_len, dg_slice_loader load,
                      void *user, unsigned flags, uint8_t **out, size_t *out_len, char *err,
                      size_t errlen)
{
    int deidentified = (flags & DG_RESTORE_DEIDENTIFIED) != 0, claimed = 0;
    restoration r;
    int rc;

    rc = check_restore_args(ctx, in, flags, out, out_len, err, errlen);
    if (rc != DG_OK)
        return rc;
    memset(&r, 0, sizeof r);
    r.in = in;
    rc = read_header(&r, in, in_len, err, errlen);
    if (rc == DG_OK)
        rc = check_binding(&r, err, errlen);
    if (rc == DG_OK)
        rc = unwrap_keys(&r, ctx, err, errlen);
    if (rc == DG_OK)
        rc = open_envelope(&r, err, errlen);
    if (rc == DG_OK && !deidentified) {
        rc = open_patient_values(&r, ctx, err, errlen);
        claimed = rc == DG_OK;
    }
    if (rc == DG_OK)
        rc = alloc_segments(&r, err, errlen);
    if (rc == DG_OK)
        rc = (r.header.flags & DG_FLAG_SLICES) ? load_slices(&r, load, user, err, errlen)
                                               : split_records(&r, err, errlen);
    if (rc == DG_OK)
        rc = rebuild(&r, ctx, err, errlen);
    if (rc == DG_OK)
        rc = place_chaos_pixels(&r, err, errlen);
    if (rc == DG_OK && deidentified)
        rc = deidentified_output(&r, flags, out, out_len, err, errlen);
    if (rc == DG_OK && !deidentified)
        rc = fill_holes_and_check(&r, err, errlen);
    /* The record is written before the original leaves, whatever the outcome. */
    if (audit_restore(ctx, &r, deidentified, rc, err, errlen) != DG_OK && rc == DG_OK) {
        rc = DG_ESTORE;
        if (*out != NULL) /* a de-identified answer, made already: withheld */
            dg_secure_free(*out, *out_len);
        *out = NULL;
        *out_len = 0;
    }
    if (rc == DG_OK && !deidentified && !(flags & DG_RESTORE_KEEP_PAD))
        rc = consume_pad(ctx, &r.phi, err, errlen);
    else if (rc != DG_OK && claimed) /* the claim is undone: no identity lost */
        dg_phi_release(ctx, &r.phi);
    if (rc == DG_OK && !deidentified) {
        *out = r.out;
        *out_len = (size_t)r.env.original_size;
        r.out = NULL;
    }
    restoration_free(&r);
    return rc;
}

/* After a DG_RESTORE_KEEP_PAD restore: destroys (or, release, gives back) its claimed pad. */
static int end_restore(dg_ctx *ctx, const uint8_t *in, size_t in_len, int release, char *err,
                       size_t errlen)
{
    restoration r;
    int rc;

    if (ctx == NULL || in == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_restore_done");
    if (!ctx->have_master)
        return dg_fail(err, errlen, DG_EKEY, "no master key loaded");
    memset(&r, 0, sizeof r);
    rc = read_header(&r, in, in_len, err, errlen);
    if (rc == DG_OK)
        rc = unwrap_keys(&r, ctx, err, errlen);
    if (rc == DG_OK) {
        rc = dg_phi_verify(&r.keys, r.header_bytes, r.header_len, r.phi_bytes, r.phi_len, &r.phi);
        if (rc != DG_OK)
            rc = dg_fail(err, errlen, rc, "the patient record does not authenticate");
    }
    if (rc == DG_OK && release)
        dg_phi_release(ctx, &r.phi);
    else if (rc == DG_OK)
        rc = consume_pad(ctx, &r.phi, err, errlen);
    restoration_free(&r);
    return rc;
}

DG_API int dg_restore_done(dg_ctx *ctx, const uint8_t *in, size_t in_len, char *err, size_t errlen)
{
    return end_restore(ctx, in, in_len, 0, err, errlen);
}

DG_API int dg_restore_abandon(dg_ctx *ctx, const uint8_t *in, size_t in_len, char *err,
                              size_t errlen)
{
    return end_restore(ctx, in, in_len, 1, err, errlen);
}
