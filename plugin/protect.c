/*
 * protect.c - turning a DICOM file into a protected one.
 *
 * The steps, in order:
 *   1. parse the input, find its patient values (phi.c) and plan its
 *      segments (pixels.c);
 *   2. draw a fresh data key and protection id, wrap the key under the
 *      key-wrap key derived from the master key;
 *   3. copy the input bytes outside the segments with their holes zeroed,
 *      then encode (JPEG-LS) and seal every segment in parallel, digesting
 *      the input with its holes zeroed alongside;
 *   4. de-identify the clear header (deid.c);
 *   5. encrypt the patient values under a fresh one-time pad;
 *   6. seal the envelope: the SHA-256 of the input with its holes zeroed
 *      and every input byte that neither the segments nor the pad carry
 *      (the patient values are authenticated under the pad's own key);
 *   7. write the output: the de-identified dataset with a placeholder
 *      image instead of its Pixel Data and the private block (format.h);
 *   8. store the pad in the key store, durably.
 * Nothing is returned unless every step succeeded.
 */
#include "chaosmode.h"
#include "deid.h"
#include "format.h"
#include "internal.h"
#include "kdf.h"
#include "notice.h"
#include "phi.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything one protection holds, so that one function can free it all. */
typedef struct protection {
    dg_dicom *dicom;
    dg_dicom_info info;
    dg_pixmodel model;
    dg_instance_keys keys;
    dg_header header;
    dg_buf header_bytes;
    uint64_t *item_offsets, *item_lengths; /* ITEMS */
    uint8_t **records;                     /* one sealed record per segment */
    size_t *record_lens;
    int *segment_status;
    dg_buf envelope_plain;
    uint8_t *envelope_sealed;
    size_t envelope_len;
    dg_placeholder placeholder;
    char slice_base[DG_SLICE_BASE_MAX + 1]; /* empty: slices are named from the protection id */
    dg_holes holes;
    dg_buf replacements; /* what de-identification put in place of originals */
    uint8_t *outside;    /* the envelope's copy of the non-pixel bytes, holes zeroed */
    size_t outside_len;
    uint64_t pixel_offset, suffix_len; /* outside: the pixel_offset bytes before, then the suffix */
    uint8_t digest[32];                /* SHA-256 of the input with its holes zeroed */
    int digest_status;
    dg_phi_sealed phi;
    int chaos; /* --mode chaos */
    dg_chaos_params chaos_params;
    uint8_t *chaos_cipher;   /* the cipher samples, host order */
    uint8_t *chaos_residual; /* bits the cipher does not carry */
    uint8_t *decoded;        /* chaos mode: the input, decoded */
    size_t decoded_len;
} protection;

static void protection_free(protection *p)
{
    dg_dicom_free(p->dicom);
    dg_instance_keys_wipe(&p->keys);
    dg_buf_free(&p->header_bytes);
    free(p->item_offsets);
    free(p->item_lengths);
    if (p->records != NULL)
        for (uint32_t i = 0; i < p->model.segment_count; i++)
            free(p->records[i]);
    free(p->records);
    free(p->record_lens);
    free(p->segment_status);
    dg_buf_free(&p->envelope_plain);
    free(p->envelope_sealed);
    dg_pix_placeholder_free(&p->placeholder);
    dg_holes_free(&p->holes);
    dg_buf_free(&p->replacements);
    if (p->outside != NULL)
        dg_wipe(p->outside, p->outside_len);
    free(p->outside);
    dg_phi_sealed_free(&p->phi);
    free(p->chaos_cipher); /* ciphertext */
    if (p->chaos_residual != NULL)
        dg_wipe(p->chaos_residual, (size_t)p->model.covered);
    free(p->chaos_residual);
    if (p->decoded != NULL)
        dg_wipe(p->decoded, p->decoded_len);
    free(p->decoded);
}

static int parse_input(protection *p, const uint8_t *in, size_t in_len, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    const uint8_t *v;
    size_t vlen;

    if (dg_dicom_parse_borrowed(in, in_len, &p->dicom, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "not a readable DICOM file: %s", why);
    if (dg_dicom_get_info(p->dicom, &p->info) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "cannot read the DICOM attributes");
    if (dg_dicom_get_private(p->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER, &v,
                             &vlen) == DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "already protected by dcmguard");
    return DG_OK;
}

/* With DG_PROTECT_REQUIRE_UIDS: the three UIDs an archive files an instance under. */
static int check_uids(protection *p, unsigned flags, char *err, size_t errlen)
{
    static const struct {
        uint16_t group, element;
        const char *name;
    } need[] = {{0x0020, 0x000D, "Study Instance UID"},
                {0x0020, 0x000E, "Series Instance UID"},
                {0x0008, 0x0018, "SOP Instance UID"}};
    char uid[68];

    if (!(flags & DG_PROTECT_REQUIRE_UIDS))
        return DG_OK;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        uid[0] = '\0';
        dg_dicom_get_string(p->dicom, need[i].group, need[i].element, uid, sizeof uid);
        if (uid[strspn(uid, " ")] == '\0')
            return dg_fail(err, errlen, DG_EINPUT, "no %s: an archive cannot file the instance",
                           need[i].name);
    }
    return DG_OK;
}

static int find_patient_values(protection *p, const dg_ctx *ctx, const uint8_t *in, size_t in_len,
                               char *err, size_t errlen)
{
    int rc = dg_holes_find(p->dicom, in, ctx->deid_options, in_len, &p->holes);
    if (rc != DG_OK)
        return dg_fail(err, errlen, rc, "cannot locate the patient values");
    return DG_OK;
}

/* Step 4: the clear header follows the confidentiality profile. */
static int deidentify(protection *p, dg_ctx *ctx, char *err, size_t errlen)
{
    dg_deid state;
    int rc;

    memset(&state, 0, sizeof state);
    state.options = ctx->deid_options;
    state.replacements = &p->replacements;
    /* from the key store's pseudonym secret: the master key alone cannot test a pseudonym */
    rc = dg_ctx_load_secret(ctx, err, errlen);
    if (rc != DG_OK)
        return rc;
    memcpy(state.pseudonym_key, ctx->pseudonym_key, sizeof state.pseudonym_key);
    rc = dg_deidentify(p->dicom, &state);
    dg_wipe(state.pseudonym_key, sizeof state.pseudonym_key);
    if (rc != 0 || p->replacements.failed)
        return dg_fail(err, errlen, DG_EINPUT, "cannot de-identify the header");
    return DG_OK;
}

/* Step 5: the patient values under a fresh pad, labelled by the pseudonymous instance UID. */
static int seal_patient_values(protection *p, const dg_ctx *ctx, const uint8_t *in, char *err,
                               size_t errlen)
{
    char instance[68] = "";
    uint8_t *msg = malloc(p->holes.total ? (size_t)p->holes.total : 1);
    int rc;

    if (msg == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    dg_holes_gather(p->holes.table, p->holes.count, in, msg);
    dg_dicom_get_string(p->dicom, 0x0008, 0x0018, instance, sizeof instance);
    rc = dg_phi_seal(ctx, &p->keys, &p->header_bytes, msg, (size_t)p->holes.total, instance,
                     &p->phi, err, errlen);
    dg_wipe(msg, (size_t)p->holes.total);
    free(msg);
    return rc;
}

static int read_items(protection *p, char *err, size_t errlen)
{
    uint32_t n = p->model.segment_count;
    uint64_t expect = p->info.pixel_value_offset;

    p->item_offsets = calloc(n ? n : 1, sizeof *p->item_offsets);
    p->item_lengths = calloc(n ? n : 1, sizeof *p->item_lengths);
    if (p->item_offsets == NULL || p->item_lengths == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        if (dg_dicom_get_item(p->dicom, i, &p->item_offsets[i], &p->item_lengths[i]) != 0 ||
            p->item_offsets[i] != expect || p->item_lengths[i] > UINT32_MAX - 4096)
            return dg_fail(err, errlen, DG_EINPUT, "pixel data item %u is not where expected", i);
        expect += p->item_lengths[i];
    }
    if (expect != p->info.pixel_value_offset + p->model.covered)
        return dg_fail(err, errlen, DG_EINPUT, "pixel data items do not fill the pixel data");
    return DG_OK;
}

static int plan(protection *p, dg_ctx *ctx, char *err, size_t errlen)
{
    char why[DG_ERRLEN];

    if (dg_pix_check_geometry(&p->info, why, sizeof why) != 0)
        return dg_fail(err, errlen, DG_EINPUT, "%s", why);
    if (p->chaos)
        return dg_chaos_plan(&p->info, &p->model, &p->chaos_params, err, errlen);
    if (dg_pix_plan(&p->info, ctx->tile_rows, ctx->tile_cols, &p->model, why, sizeof why) != 0)
        return dg_fail(err, errlen, DG_EINVAL, "%s", why);
    if (p->model.kind == DG_PIX_ITEMS)
        return read_items(p, err, errlen);
    return DG_OK;
}

static int make_keys(protection *p, dg_ctx *ctx, unsigned flags, size_t in_len, char *err,
                     size_t errlen)
{
    dg_header *h = &p->header;
    size_t wrapped = 0;

    if (dg_random_secret(p->keys.data_key, sizeof p->keys.data_key) != 0 ||
        dg_random_bytes(h->protection_id, sizeof h->protection_id) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "the random generator failed");
    if (dg_instance_keys_derive(&p->keys) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "key derivation failed");
    if (dg_key_wrap(ctx->derived.kek, p->keys.data_key, sizeof p->keys.data_key, h->wrapped_key,
                    sizeof h->wrapped_key, &wrapped) != DG_WRAP_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "wrapping the data key failed");
    h->version = DG_FORMAT_VERSION;
    h->mode = p->chaos ? DG_MODE_CHAOS_PIXELS : DG_MODE_AES_TILES;
    h->flags = (flags & DG_PROTECT_SLICES) ? DG_FLAG_SLICES : 0;
    if (p->decoded != NULL)
        h->flags |= DG_FLAG_DECODED;
    memcpy(h->key_id, ctx->master.id, DG_KEY_ID_LEN);
    h->wrapped_len = (uint16_t)wrapped;
    h->pixel_kind = p->model.kind;
    h->codec = p->model.kind == DG_PIX_TILED ? DG_CODEC_JPEGLS : DG_CODEC_RAW;
    h->segment_count = p->model.segment_count;
    h->frames = p->model.kind == DG_PIX_TILED || p->chaos ? p->model.frames : p->info.frames;
    h->tile_rows = p->model.tile_rows;
    h->tile_cols = p->model.tile_cols;
    h->original_size = in_len;
    return DG_OK;
}

/* The header, bound to the clear identity the de-identified dataset now carries. */
static int bind_header(protection *p, char *err, size_t errlen)
{
    dg_header *h = &p->header;

    for (int i = 0; i < DG_BIND_FIELDS; i++)
        if (dg_dicom_get_string(p->dicom, dg_bind_tags[i][0], dg_bind_tags[i][1], h->bind[i],
                                sizeof h->bind[i]) != DG_DICOM_OK)
            h->bind[i][0] = '\0';
    dg_header_encode(h, &p->header_bytes);
    if (p->header_bytes.failed)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    return DG_OK;
}

/* Shared, read-only state of the parallel segment loop. */
typedef struct segment_job {
    protection *p;
    const uint8_t *in;
} segment_job;

/* Encodes one tile as JPEG-LS; *plain is malloc'd. */
static int encode_tile(const protection *p, const uint8_t *in, uint32_t seg, uint8_t **plain,
                       size_t *plain_len)
{
    const dg_pixmodel *m = &p->model;
    dg_tile tile;
    dg_jls_image img;
    void *samples;
    int rc;

    dg_pix_tile(m, seg, &tile);
    samples = malloc(dg_pix_tile_bytes(m, &tile));
    if (samples == NULL)
        return DG_ENOMEM;
    dg_pix_extract(m, &tile, in + p->info.pixel_value_offset + tile.frame * m->frame_bytes, samples,
                   &img);
    rc = dg_jls_encode(&img, samples, dg_pix_tile_bytes(m, &tile), plain, plain_len);
    dg_wipe(samples, dg_pix_tile_bytes(m, &tile));
    free(samples);
    return rc == DG_JLS_OK ? DG_OK : DG_ECODEC;
}

/* The bytes segment seg carries as they are (ITEMS and CHUNKS). */
static void raw_segment(const protection *p, const uint8_t *in, uint32_t seg, const uint8_t **plain,
                        size_t *plain_len)
{
    uint64_t off, len;
    if (p->model.kind == DG_PIX_ITEMS) {
        *plain = in + p->item_offsets[seg];
        *plain_len = (size_t)p->item_lengths[seg];
        return;
    }
    dg_pix_chunk(&p->model, seg, &off, &len);
    *plain = in + p->info.pixel_value_offset + off;
    *plain_len = (size_t)len;
}

static int seal_record(const protection *p, uint32_t seg, const uint8_t *plain, size_t plain_len,
                       uint8_t **record, size_t *record_len)
{
    dg_tile_head head;
    size_t sealed_len = dg_seal_size(plain_len), written = 0;
    uint8_t *r;

    if (sealed_len > UINT32_MAX)
        return DG_EUNSUPPORTED;
    dg_tile_head_for(&p->header, &p->model, seg, &head);
    head.sealed_len = (uint32_t)sealed_len;
    r = malloc(DG_TILE_HEAD_LEN + sealed_len);
    if (r == NULL)
        return DG_ENOMEM;
    dg_tile_head_encode(&head, r);
    if (dg_seal(&p->keys.tiles, r, DG_TILE_HEAD_LEN, plain, plain_len, r + DG_TILE_HEAD_LEN,
                sealed_len, &written) != DG_SEAL_OK ||
        written != sealed_len) {
        free(r);
        return DG_ECRYPTO;
    }
    *record = r;
    *record_len = DG_TILE_HEAD_LEN + sealed_len;
    return DG_OK;
}

static int protect_segment(void *arg, uint32_t seg)
{
    segment_job *job = arg;
    protection *p = job->p;
    const uint8_t *plain = NULL;
    uint8_t *encoded = NULL;
    size_t plain_len = 0;
    int rc = DG_OK;

    if (p->model.kind == DG_PIX_TILED) {
        rc = encode_tile(p, job->in, seg, &encoded, &plain_len);
        plain = encoded;
    } else {
        raw_segment(p, job->in, seg, &plain, &plain_len);
    }
    if (rc == DG_OK)
        rc = seal_record(p, seg, plain, plain_len, &p->records[seg], &p->record_lens[seg]);
    if (encoded != NULL)
        dg_wipe(encoded, plain_len);
    free(encoded);
    p->segment_status[seg] = rc;
    return rc != DG_OK;
}

/*
 * The envelope's copy of every input byte outside the pixel segments, with
 * the holes zeroed: the prefix up to the Pixel Data's value, then the suffix.
 */
static int copy_outside(protection *p, const uint8_t *in, size_t in_len, char *err, size_t errlen)
{
    p->pixel_offset = p->model.kind == DG_PIX_NONE ? in_len : p->info.pixel_value_offset;
    p->suffix_len = in_len - p->pixel_offset - p->model.covered;
    p->outside_len = (size_t)(p->pixel_offset + p->suffix_len);
    p->outside = malloc(p->outside_len + 1);
    if (p->outside == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    memcpy(p->outside, in, p->pixel_offset);
    memcpy(p->outside + p->pixel_offset, in + p->pixel_offset + p->model.covered, p->suffix_len);
    dg_holes_zero(p->holes.table, p->holes.count, 0, p->outside, p->pixel_offset);
    dg_holes_zero(p->holes.table, p->holes.count, p->pixel_offset + p->model.covered,
                  p->outside + p->pixel_offset, p->suffix_len);
    return DG_OK;
}

/* The SHA-256 of the original with its holes zeroed: no digest of a patient value. */
static int digest_original(protection *p, const uint8_t *in)
{
    const uint8_t *parts[3] = {p->outside, in + p->pixel_offset, p->outside + p->pixel_offset};
    size_t lens[3] = {(size_t)p->pixel_offset, (size_t)p->model.covered, (size_t)p->suffix_len};

    p->digest_status = dg_sha256_parts(3, parts, lens, p->digest) == 0 ? DG_OK : DG_ECRYPTO;
    return p->digest_status != DG_OK;
}

/*
 * Item 0 of the parallel loop digests the input (one pass over all of it,
 * so it starts first); item i > 0 is segment i - 1.
 */
static int protect_item(void *arg, uint32_t item)
{
    segment_job *job = arg;
    return item == 0 ? digest_original(job->p, job->in) : protect_segment(arg, item - 1);
}

/* Every segment sealed, and the input digested alongside (copy_outside comes first). */
static int seal_segments(protection *p, dg_ctx *ctx, const uint8_t *in, char *err, size_t errlen)
{
    uint32_t n = p->model.segment_count;
    segment_job job = {p, in};
    dg_pool *pool;

    if (n == UINT32_MAX)
        return dg_fail(err, errlen, DG_EUNSUPPORTED, "too many pixel segments");
    p->records = calloc(n ? n : 1, sizeof *p->records);
    p->record_lens = calloc(n ? n : 1, sizeof *p->record_lens);
    p->segment_status = calloc(n ? n : 1, sizeof *p->segment_status);
    pool = dg_ctx_pool(ctx);
    if (p->records == NULL || p->record_lens == NULL || p->segment_status == NULL || pool == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    if (dg_pool_run(pool, n + 1, protect_item, &job) == 0)
        return DG_OK;
    if (p->digest_status != DG_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "SHA-256 failed");
    for (uint32_t i = 0; i < n; i++)
        if (p->segment_status[i] != DG_OK)
            return dg_fail(err, errlen, p->segment_status[i], "pixel segment %u: %s", i,
                           dg_status_name(p->segment_status[i]));
    return dg_fail(err, errlen, DG_ECRYPTO, "a pixel segment failed");
}

static int seal_envelope(protection *p, unsigned ctx_options, size_t in_len, const char *name,
                         char *err, size_t errlen)
{
    dg_envelope e;
    size_t cap, written = 0;

    memset(&e, 0, sizeof e);
    e.version = DG_FORMAT_VERSION;
    e.original_size = in_len;
    e.model = p->model;
    e.pixel_offset = p->pixel_offset;
    e.prefix_len = p->pixel_offset;
    e.suffix_len = p->suffix_len;
    e.prefix = p->outside;
    e.suffix = p->outside + p->pixel_offset;
    memcpy(e.sha256, p->digest, sizeof e.sha256);
    e.hole_count = p->holes.count;
    e.holes = p->holes.table;
    e.deid_options = ctx_options;
    e.replacements = p->replacements.data;
    e.replacements_len = p->replacements.len;
    e.chaos_bits = p->chaos_params.bits;
    e.chaos_signed = p->chaos_params.is_signed;
    e.chaos_rounds = p->chaos_params.rounds;
    e.chaos_key_counter = p->chaos_params.key_counter;
    memcpy(e.chaos_digest, p->chaos_params.digest, 32);
    e.chaos_residual = p->chaos_params.residual;
    e.chaos_residual_len = p->chaos_params.residual_len;
    (void)name; /* slices are named from the protection id: the input's name is not kept */
    dg_envelope_encode(&e, &p->envelope_plain);
    if (p->envelope_plain.failed)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    cap = dg_seal_size(p->envelope_plain.len);
    p->envelope_sealed = malloc(cap);
    if (p->envelope_sealed == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    if (dg_seal(&p->keys.envelope, p->header_bytes.data, p->header_bytes.len,
                p->envelope_plain.data, p->envelope_plain.len, p->envelope_sealed, cap,
                &written) != DG_SEAL_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "sealing the envelope failed");
    p->envelope_len = written;
    return DG_OK;
}

/* Image Comments of every placeholder: what the image is */
#define DG_NOTICE_COMMENT                                                                          \
    "PROTECTED BY DCMGUARD - PIXEL DATA ENCRYPTED: this image is a placeholder, not the acquired " \
    "image; key holders restore the original"

/*
 * The notice the placeholder shows, drawn over cols x rows (malloc'd; NULL
 * without one: no font, or no room). The id is the de-identified SOP
 * Instance UID; replace_pixels says the same in Image Comments.
 */
static uint8_t *draw_notice(protection *p)
{
    char uid[68] = "", id[96];
    /* two title lines, or four short ones where the image is narrow */
    const char *wide[] = {"PROTECTED BY DCMGUARD", "PIXEL DATA ENCRYPTED", id};
    const char *narrow[] = {"PROTECTED", "BY DCMGUARD", "PIXEL DATA", "ENCRYPTED", id};
    uint8_t *mask;
    unsigned has_id;

    dg_dicom_get_string(p->dicom, 0x0008, 0x0018, uid, sizeof uid);
    snprintf(id, sizeof id, "instance %s", uid);
    has_id = uid[0] != '\0';
    if (p->info.rows > 65535 || p->info.cols > 65535 ||
        (uint64_t)p->info.rows * p->info.cols > DG_PIX_MAX_FRAME_BYTES)
        return NULL;
    mask = calloc((size_t)p->info.rows * p->info.cols, 1);
    if (mask != NULL && dg_notice_draw(mask, p->info.cols, p->info.rows, wide, 2 + has_id) <= 0 &&
        dg_notice_draw(mask, p->info.cols, p->info.rows, narrow, 4 + has_id) <= 0) {
        free(mask);
        mask = NULL;
    }
    return mask;
}

/*
 * A 1-bit image keeps its Bits Allocated/Stored/High Bit (its IOD fixes
 * them): the placeholder is then native, every bit zero.
 */
static int one_bit_placeholder(protection *p, char *err, size_t errlen)
{
    uint64_t bits = (uint64_t)p->info.rows * p->info.cols * p->info.frames *
                    (p->info.samples_per_pixel ? p->info.samples_per_pixel : 1);
    size_t len = (size_t)((bits + 15) / 16 * 2);
    uint8_t *zeros = calloc(len ? len : 1, 1);
    int rc;

    if (zeros == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    rc = dg_dicom_set_native_pixels(p->dicom, zeros, len, 8);
    free(zeros);
    return rc == DG_DICOM_OK
               ? DG_OK
               : dg_fail(err, errlen, DG_EINPUT, "cannot write the placeholder image");
}

/* Puts the placeholder image in place of the Pixel Data (or removes it). */
static int replace_pixels(protection *p, int *jpegls, char *err, size_t errlen)
{
    dg_placeholder *ph = &p->placeholder;
    const uint8_t **frames = NULL;
    size_t *lens = NULL;
    uint8_t *notice;
    int rc = DG_OK;

    *jpegls = 0;
    if (!p->info.has_pixels)
        return DG_OK;
    if (p->info.bits_allocated == 1 && !p->info.encapsulated) {
        rc = one_bit_placeholder(p, err, errlen);
        if (rc == DG_OK && dg_dicom_set_string(p->dicom, 0x0020, 0x4000, DG_NOTICE_COMMENT) != 0)
            rc = dg_fail(err, errlen, DG_EINPUT, "cannot write the placeholder image");
        return rc;
    }
    notice = draw_notice(p);
    rc = dg_pix_placeholder(&p->info, notice, ph);
    free(notice);
    if (rc != 0)
        return dg_dicom_remove_pixels(p->dicom) == DG_DICOM_OK
                   ? DG_OK
                   : dg_fail(err, errlen, DG_EINPUT, "cannot remove the pixel data");
    frames = calloc(ph->frames, sizeof *frames);
    lens = calloc(ph->frames, sizeof *lens);
    if (frames == NULL || lens == NULL) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < ph->frames; i++) {
        frames[i] = ph->frame;
        lens[i] = ph->frame_len;
    }
    if (dg_dicom_set_encapsulated_pixels(p->dicom, frames, lens, ph->frames) != 0 ||
        dg_dicom_set_u16(p->dicom, 0x0028, 0x0100, ph->bits_allocated) != 0 ||
        dg_dicom_set_u16(p->dicom, 0x0028, 0x0101, ph->bits_stored) != 0 ||
        dg_dicom_set_u16(p->dicom, 0x0028, 0x0102, ph->high_bit) != 0 ||
        (p->info.samples_per_pixel > 1 && dg_dicom_set_u16(p->dicom, 0x0028, 0x0006, 0) != 0) ||
        (ph->photometric != NULL &&
         dg_dicom_set_string(p->dicom, 0x0028, 0x0004, ph->photometric) != 0) ||
        dg_dicom_set_string(p->dicom, 0x0020, 0x4000, DG_NOTICE_COMMENT) != 0) {
        rc = dg_fail(err, errlen, DG_EINPUT, "cannot write the placeholder image");
        goto done;
    }
    *jpegls = 1;
done:
    free(frames);
    free(lens);
    return rc;
}

static int put_block(protection *p, char *err, size_t errlen)
{
    int rc = dg_dicom_put_private(p->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER,
                                  p->header_bytes.data, p->header_bytes.len);
    if (rc == DG_DICOM_OK)
        rc = dg_dicom_put_private(p->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_ENVELOPE,
                                  p->envelope_sealed, p->envelope_len);
    if (rc == DG_DICOM_OK)
        rc = dg_dicom_put_private(p->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_PHI,
                                  p->phi.record.data, p->phi.record.len);
    return rc == DG_DICOM_OK ? DG_OK
                             : dg_fail(err, errlen, DG_EINPUT, "cannot write the private block");
}

/*
 * The records go straight into the tiles element, then are freed (and the
 * memory given back to the system), so that the output is assembled with
 * one copy of them besides the written file.
 */
#define DG_TRIM_BYTES (16u << 20)

static int put_tiles(protection *p, char *err, size_t errlen)
{
    int rc = dg_dicom_put_private_parts(p->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR,
                                        DG_ELEM_TILES, (const uint8_t *const *)p->records,
                                        p->record_lens, p->model.segment_count);
    size_t total = 0;

    for (uint32_t i = 0; i < p->model.segment_count; i++) {
        total += p->record_lens[i];
        free(p->records[i]); /* ciphertext: no need to wipe */
        p->records[i] = NULL;
    }
    if (total >= DG_TRIM_BYTES) /* a large file: give the records' memory back before writing */
        dg_release_free_memory();
    return rc == DG_DICOM_OK ? DG_OK : dg_fail(err, errlen, DG_EINPUT, "cannot write the tiles");
}

/* Hands the sealed records over as slices (ownership moves to out). */
static int give_slices(protection *p, dg_protected *out, char *err, size_t errlen)
{
    uint32_t n = p->model.segment_count;
    int multi = p->model.kind != DG_PIX_TILED || p->model.frames > 1;

    if (n == 0)
        return DG_OK;
    out->slices = calloc(n, sizeof *out->slices);
    if (out->slices == NULL)
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        dg_tile_head head;
        dg_tile_head_for(&p->header, &p->model, i, &head);
        if (dg_slice_name(p->slice_base, p->header.protection_id, multi, head.frame, head.row,
                          head.col, out->slices[i].name, sizeof out->slices[i].name) != 0)
            return dg_fail(err, errlen, DG_EINVAL, "slice name too long");
        out->slices[i].data = p->records[i];
        out->slices[i].len = p->record_lens[i];
        p->records[i] = NULL;
        out->slice_count = i + 1;
    }
    return DG_OK;
}

/* Chaos mode: the samples of every frame, encrypted in place. */
static int encrypt_chaos(protection *p, const uint8_t *in, char *err, size_t errlen)
{
    if (!p->chaos)
        return DG_OK;
    return dg_chaos_encrypt_pixels(p->keys.data_key, &p->model, &p->chaos_params,
                                   in + p->info.pixel_value_offset, &p->chaos_cipher,
                                   &p->chaos_residual, err, errlen);
}

/* Chaos mode: the cipher image becomes the output's Pixel Data, uncompressed. */
static int put_chaos_pixels(protection *p, char *err, size_t errlen)
{
    if (dg_dicom_set_native_pixels(p->dicom, p->chaos_cipher, (size_t)p->model.covered,
                                   8 * p->model.sample_bytes) != 0)
        return dg_fail(err, errlen, DG_EINPUT, "cannot write the cipher image");
    return DG_OK;
}

static int write_output(protection *p, unsigned flags, dg_protected *out, char *err, size_t errlen)
{
    char why[DG_ERRLEN];
    int jpegls = 0, rc;

    rc = p->chaos ? put_chaos_pixels(p, err, errlen) : replace_pixels(p, &jpegls, err, errlen);
    if (rc == DG_OK)
        rc = put_block(p, err, errlen);
    if (rc == DG_OK && !(flags & DG_PROTECT_SLICES))
        rc = put_tiles(p, err, errlen);
    if (rc != DG_OK)
        return rc;
    if (dg_dicom_write(p->dicom, jpegls ? DG_DICOM_TS_JPEGLS_LOSSLESS : DG_DICOM_TS_EXPLICIT_LE,
                       &out->file, &out->file_len, why, sizeof why) != DG_DICOM_OK)
        return dg_fail(err, errlen, DG_EINPUT, "cannot write the protected file: %s", why);
    if (flags & DG_PROTECT_SLICES)
        return give_slices(p, out, err, errlen);
    return DG_OK;
}

/*
 * Chaos mode works on uncompressed samples: compressed input is decoded
 * first, and that decoded file is what restore gives back.
 */
static int decode_for_chaos(protection *p, const uint8_t **in, size_t *in_len, unsigned flags,
                            char *err, size_t errlen)
{
    int rc;

    if (flags & DG_PROTECT_SLICES)
        return dg_fail(err, errlen, DG_EINVAL, "chaos mode has no tiles to keep as slices");
    rc = dg_chaos_decode(p->dicom, &p->info, *in, &p->decoded, &p->decoded_len, err, errlen);
    if (rc != DG_OK || p->decoded == NULL)
        return rc;
    /* from here on the decoded file is the input */
    *in = p->decoded;
    *in_len = p->decoded_len;
    dg_dicom_free(p->dicom);
    p->dicom = NULL;
    return parse_input(p, *in, *in_len, err, errlen);
}

DG_API int dg_protect(dg_ctx *ctx, const uint8_t *in, size_t in_len, const char *name,
                      unsigned flags, dg_protected *out, char *err, size_t errlen)
{
    protection p;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (ctx == NULL || in == NULL || out == NULL ||
        (flags & ~(DG_PROTECT_SLICES | DG_PROTECT_REQUIRE_UIDS)) != 0)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_protect");
    if (!ctx->have_master)
        return dg_fail(err, errlen, DG_EKEY, "no master key loaded");
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open for the one-time pads");
    memset(&p, 0, sizeof p);
    dg_buf_init(&p.header_bytes);
    dg_buf_init(&p.envelope_plain);
    dg_buf_init(&p.replacements);
    p.chaos = ctx->mode == DG_MODE_CHAOS;
    rc = parse_input(&p, in, in_len, err, errlen);
    if (rc == DG_OK)
        rc = check_uids(&p, flags, err, errlen);
    if (rc == DG_OK && p.chaos)
        rc = decode_for_chaos(&p, &in, &in_len, flags, err, errlen);
    if (rc == DG_OK)
        rc = find_patient_values(&p, ctx, in, in_len, err, errlen);
    if (rc == DG_OK)
        rc = plan(&p, ctx, err, errlen);
    if (rc == DG_OK)
        rc = make_keys(&p, ctx, flags, in_len, err, errlen);
    if (rc == DG_OK)
        rc = copy_outside(&p, in, in_len, err, errlen);
    if (rc == DG_OK)
        rc = seal_segments(&p, ctx, in, err, errlen);
    if (rc == DG_OK)
        rc = encrypt_chaos(&p, in, err, errlen);
    if (rc == DG_OK)
        rc = deidentify(&p, ctx, err, errlen);
    if (rc == DG_OK)
        rc = bind_header(&p, err, errlen);
    if (rc == DG_OK)
        rc = seal_patient_values(&p, ctx, in, err, errlen);
    if (rc == DG_OK)
        rc = seal_envelope(&p, ctx->deid_options, in_len, name, err, errlen);
    if (rc == DG_OK)
        rc = write_output(&p, flags, out, err, errlen);
    if (rc == DG_OK)
        rc = dg_phi_commit(ctx, &p.phi, err, errlen);
    if (rc == DG_OK)
        rc = dg_audit_event(ctx, "protect", p.phi.info.instance, p.phi.info.id, DG_OK, NULL, err,
                            errlen);
    if (rc != DG_OK)
        dg_protected_free(out);
    protection_free(&p);
    return rc;
}

DG_API void dg_protected_free(dg_protected *p)
{
    if (p == NULL)
        return;
    free(p->file);
    for (uint32_t i = 0; i < p->slice_count; i++)
        free(p->slices[i].data);
    free(p->slices);
    memset(p, 0, sizeof *p);
}
