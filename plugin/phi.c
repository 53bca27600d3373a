/*
 * phi.c - finding the patient's values in the original bytes, and sealing
 * them under a one-time pad (crypto/otp.c) whose pad is kept in the key
 * store (crypto/keystore.c). See phi.h.
 */
#include "phi.h"
#include "deid.h"
#include "kdf.h"
#include "otp.h"
#include "random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the holes --------------------------------------------------------- */

static void add_hole(dg_buf *table, dg_holes *h, uint64_t offset, uint64_t length)
{
    uint8_t entry[16];

    if (length == 0)
        return;
    dg_store_u64(entry, offset);
    dg_store_u64(entry + 8, length);
    dg_buf_put(table, entry, 16);
    h->count++;
    h->total += length;
}

static int is_pixel_data(const dg_dicom_element *e)
{
    return e->depth == 0 && e->group == 0x7FE0 && e->element == 0x0010;
}

/*
 * Encapsulated Pixel Data inside an item (an icon image of a compressed
 * file): never a hole. Zeroing it would zero its item tags too, and the
 * file without its holes could not be parsed for a de-identified restore;
 * like every pixel, it stays sealed under the data key (the clear header
 * and that restore drop it or the sequence holding it).
 */
static int is_nested_encapsulated(const dg_dicom_element *e, const uint8_t *file)
{
    static const uint8_t item[4] = {0xFE, 0xFF, 0x00, 0xE0};
    return e->depth > 0 && e->group == 0x7FE0 && e->element == 0x0010 && e->value_length >= 8 &&
           memcmp(file + e->value_offset, item, 4) == 0;
}

/*
 * The creator of private element i: the value of (group,00xx) in the same
 * item, searched backwards while the tags still ascend (an item's elements
 * are in tag order, so a larger or equal tag means an earlier item).
 */
static void creator_of(const dg_dicom_element *els, size_t i, const uint8_t *file, char *out,
                       size_t cap)
{
    const dg_dicom_element *e = &els[i];
    uint32_t tag = (uint32_t)e->group << 16 | e->element;
    uint16_t slot = (uint16_t)(e->element >> 8);

    out[0] = '\0';
    for (size_t j = i; j-- > 0;) {
        const dg_dicom_element *c = &els[j];
        size_t n;
        if (c->parent != e->parent)
            continue;
        if (((uint32_t)c->group << 16 | c->element) >= tag)
            return;
        if (c->group != e->group || c->element != slot)
            continue;
        n = c->value_length < cap - 1 ? (size_t)c->value_length : cap - 1;
        memcpy(out, file + c->value_offset, n);
        out[n] = '\0';
        while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
            out[--n] = '\0';
        return;
    }
}

/*
 * Walks the element list once, classifying each element as deid.c's walk
 * will (dg_deid_classify). inherited[i] says that sequence i is removed or
 * emptied as a whole, so everything under it is a hole.
 */
static void find_in_elements(const dg_dicom_element *els, size_t n, const uint8_t *file,
                             uint8_t *inherited, unsigned options, dg_buf *table, dg_holes *h)
{
    char creator[80];

    for (size_t i = 0; i < n; i++) {
        const dg_dicom_element *e = &els[i];
        int above = e->parent >= 0 && inherited[e->parent];
        dg_deid_elem de = {e->group, e->element, e->vr, e->is_sequence, NULL};
        dg_deid_act act;

        if (e->group == 0x0002 && e->parent < 0) {
            if (dg_deid_meta_is_phi(e->element))
                add_hole(table, h, e->value_offset, e->value_length);
            continue;
        }
        if (e->group & 1) {
            if (e->element >= 0x0010 && e->element <= 0x00FF) {
                size_t len = e->value_length < sizeof creator - 1 ? (size_t)e->value_length
                                                                  : sizeof creator - 1;
                memcpy(creator, file + e->value_offset, len);
                creator[len] = '\0';
            } else {
                creator_of(els, i, file, creator, sizeof creator);
            }
            de.creator = creator;
        }
        act = dg_deid_classify(&de, options);
        if (e->is_sequence) {
            inherited[i] = (uint8_t)(above || act != DG_ACT_KEEP);
            continue;
        }
        if (is_pixel_data(e) || is_nested_encapsulated(e, file))
            continue;
        if (above ? !dg_deid_is_hole(DG_ACT_REMOVE, &de) : !dg_deid_is_hole(act, &de))
            continue;
        add_hole(table, h, e->value_offset, e->value_length);
    }
}

int dg_holes_find(const dg_dicom *d, const uint8_t *file, unsigned options, size_t file_len,
                  dg_holes *h)
{
    const dg_dicom_element *els;
    dg_dicom_info info;
    uint8_t *inherited = NULL;
    dg_buf table;
    size_t n;

    memset(h, 0, sizeof *h);
    dg_buf_init(&table);
    if (dg_dicom_elements(d, &els, &n) != DG_DICOM_OK || dg_dicom_get_info(d, &info) != 0)
        return DG_EINVAL;
    inherited = calloc(n ? n : 1, 1);
    if (inherited == NULL)
        return DG_ENOMEM;
    find_in_elements(els, n, file, inherited, options, &table, h);
    if (info.deflated)
        add_hole(&table, h, info.dataset_offset, file_len - info.dataset_offset);
    free(inherited);
    if (table.failed) {
        dg_buf_free(&table);
        return DG_ENOMEM;
    }
    h->table = table.data;
    return DG_OK;
}

void dg_holes_free(dg_holes *h)
{
    free(h->table);
    memset(h, 0, sizeof *h);
}

void dg_holes_gather(const uint8_t *table, uint32_t count, const uint8_t *file, uint8_t *msg)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t off = dg_load_u64(table + 16 * (size_t)i);
        uint64_t len = dg_load_u64(table + 16 * (size_t)i + 8);
        memcpy(msg, file + off, len);
        msg += len;
    }
}

void dg_holes_zero(const uint8_t *table, uint32_t count, uint64_t base, uint8_t *buf, uint64_t len)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t off = dg_load_u64(table + 16 * (size_t)i);
        uint64_t end = off + dg_load_u64(table + 16 * (size_t)i + 8);
        if (off < base)
            off = base;
        if (end > base + len)
            end = base + len;
        if (off < end)
            memset(buf + (off - base), 0, end - off);
    }
}

void dg_holes_scatter(const uint8_t *table, uint32_t count, const uint8_t *msg, uint8_t *file)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t off = dg_load_u64(table + 16 * (size_t)i);
        uint64_t len = dg_load_u64(table + 16 * (size_t)i + 8);
        memcpy(file + off, msg, len);
        msg += len;
    }
}

/* ---- sealing under the pad --------------------------------------------- */

static int record_tag(const dg_instance_keys *keys, const uint8_t *header_bytes, size_t header_len,
                      const uint8_t *record, size_t signed_len, uint8_t tag[32])
{
    dg_buf msg;
    int rc;

    dg_buf_init(&msg);
    dg_buf_put(&msg, header_bytes, header_len);
    dg_buf_put(&msg, record, signed_len);
    rc = msg.failed ? -1 : dg_hmac_sha256(keys->phi_mac, 32, msg.data, msg.len, tag);
    free(msg.data); /* public bytes: the header and the ciphertext */
    return rc;
}

static int new_pad_id(char id[DG_PAD_ID_LEN + 1])
{
    uint8_t raw[DG_PAD_ID_LEN / 2];

    if (dg_random_bytes(raw, sizeof raw) != 0)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static void describe_pad(const dg_ctx *ctx, const char *id, const char *instance, size_t len,
                         dg_pad_info *info)
{
    int64_t now = (int64_t)time(NULL);

    memset(info, 0, sizeof *info);
    memcpy(info->id, id, DG_PAD_ID_LEN + 1);
    snprintf(info->instance, sizeof info->instance, "%s", instance ? instance : "");
    info->alphabet = (int)ctx->otp_mode;
    info->policy = (int)ctx->otp_policy;
    info->created = now;
    info->expires = ctx->otp_ttl ? now + (int64_t)ctx->otp_ttl : 0;
    info->length = len;
}

/*
 * What a stored pad is bound to: its row's id, instance, alphabet and
 * policy. A row whose policy or instance was changed in the store no
 * longer opens.
 */
static void pad_aad(const dg_pad_info *info, dg_buf *aad)
{
    dg_buf_put(aad, "dcmguard/v3/pad", 16);
    dg_buf_put(aad, info->id, DG_PAD_ID_LEN);
    dg_buf_put(aad, info->instance, strlen(info->instance) + 1);
    dg_buf_put_u8(aad, (uint8_t)info->alphabet);
    dg_buf_put_u8(aad, (uint8_t)info->policy);
}

/* The patient-value tag: HMAC(the pad's own MAC key, header || message). */
static int value_tag(const uint8_t key[32], const uint8_t *header_bytes, size_t header_len,
                     const uint8_t *msg, size_t msg_len, uint8_t tag[32])
{
    dg_buf all;
    int rc;

    dg_buf_init(&all);
    dg_buf_put(&all, header_bytes, header_len);
    dg_buf_put(&all, msg, msg_len);
    rc = all.failed ? -1 : dg_hmac_sha256(key, 32, all.data, all.len, tag);
    if (all.data != NULL)
        dg_wipe(all.data, all.cap);
    free(all.data);
    return rc;
}

/*
 * The stored form of a pad: Seal(pad-at-rest key, aad, pad || MAC key).
 * Replaces out->pad and sets out->info.length.
 */
static int seal_pad_at_rest(const dg_ctx *ctx, dg_phi_sealed *out, const uint8_t mac_key[32],
                            size_t pad_len)
{
    size_t plain_len = pad_len + 32, cap = dg_seal_size(plain_len), written = 0;
    uint8_t *plain = malloc(plain_len), *sealed = malloc(cap);
    dg_buf aad;
    int rc = -1;

    dg_buf_init(&aad);
    out->info.length = 0;
    if (plain != NULL && sealed != NULL) {
        memcpy(plain, out->pad, pad_len);
        memcpy(plain + pad_len, mac_key, 32);
        pad_aad(&out->info, &aad);
        if (!aad.failed && dg_seal(&ctx->derived.pad_rest, aad.data, aad.len, plain, plain_len,
                                   sealed, cap, &written) == DG_SEAL_OK)
            rc = 0;
        dg_wipe(plain, plain_len);
    }
    free(plain);
    free(aad.data);
    dg_otp_free_pad(out->pad, pad_len);
    out->pad = NULL;
    if (rc != 0) {
        free(sealed);
        return -1;
    }
    out->pad = sealed; /* freed by dg_phi_sealed_free as a pad of info.length bytes */
    out->info.length = written;
    return 0;
}

int dg_phi_seal(const dg_ctx *ctx, const dg_instance_keys *keys, const dg_buf *header_bytes,
                const uint8_t *msg, size_t msg_len, const char *instance, dg_phi_sealed *out,
                char *err, size_t errlen)
{
    dg_phi_record rec;
    uint8_t *ct = NULL, tag[32], mac_key[32], pv_tag[32];
    size_t len = 0;
    int rc = DG_OK;

    memset(out, 0, sizeof *out);
    dg_buf_init(&out->record);
    memset(&rec, 0, sizeof rec);
    if (new_pad_id(rec.pad_id) != 0 || dg_random_secret(mac_key, sizeof mac_key) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "the random generator failed");
    if (dg_otp_encrypt((dg_otp_alphabet)ctx->otp_mode, msg, msg_len, &out->pad, &ct, &len) !=
        DG_OTP_OK) {
        dg_wipe(mac_key, sizeof mac_key);
        return dg_fail(err, errlen, DG_ECRYPTO, "one-time-pad encryption failed");
    }
    describe_pad(ctx, rec.pad_id, instance, len, &out->info);
    /*
     * Format 3: the pad's ciphertext is also hidden under the instance's data
     * key, so the key store alone (pads) plus the file gives nothing, and the
     * file shows no run of letters or digits (vigenere, numeric).
     */
    if (dg_ctr_xor(keys->phi_cipher, ct, len) != DG_SEAL_OK) {
        rc = dg_fail(err, errlen, DG_ECRYPTO, "hiding the patient record failed");
        goto done;
    }
    rec.version = DG_FORMAT_VERSION;
    rec.alphabet = (uint8_t)ctx->otp_mode;
    rec.policy = (uint8_t)ctx->otp_policy;
    rec.message_len = msg_len;
    rec.ct_len = len;
    rec.ct = ct;
    dg_phi_record_encode(&rec, &out->record);
    if (value_tag(mac_key, header_bytes->data, header_bytes->len, msg, msg_len, pv_tag) != 0) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "cannot authenticate the patient values");
        goto done;
    }
    dg_buf_put(&out->record, pv_tag, sizeof pv_tag);
    if (out->record.failed || record_tag(keys, header_bytes->data, header_bytes->len,
                                         out->record.data, out->record.len, tag) != 0) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "cannot authenticate the patient record");
        goto done;
    }
    dg_buf_put(&out->record, tag, sizeof tag);
    if (out->record.failed)
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    else if (seal_pad_at_rest(ctx, out, mac_key, len) != 0)
        rc = dg_fail(err, errlen, DG_ECRYPTO, "sealing the pad for the key store failed");
done:
    dg_wipe(mac_key, sizeof mac_key);
    free(ct); /* ciphertext: public */
    return rc;
}

int dg_phi_commit(dg_ctx *ctx, dg_phi_sealed *s, char *err, size_t errlen)
{
    char why[DG_ERRLEN];

    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open");
    if (dg_keystore_put(ctx->store, &s->info, s->pad, why, sizeof why) != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot store the one-time pad: %s", why);
    return DG_OK;
}

void dg_phi_sealed_free(dg_phi_sealed *s)
{
    if (s->pad != NULL)
        dg_otp_free_pad(s->pad, (size_t)s->info.length);
    s->pad = NULL;
    free(s->record.data);
    memset(&s->record, 0, sizeof s->record);
}

int dg_phi_verify(const dg_instance_keys *keys, const uint8_t *header_bytes, size_t header_len,
                  const uint8_t *record, size_t record_len, dg_phi_record *rec)
{
    uint8_t tag[32];

    if (dg_phi_record_decode(record, record_len, rec) != 0)
        return DG_EFORMAT;
    if (record_tag(keys, header_bytes, header_len, record, rec->signed_len, tag) != 0)
        return DG_ENOMEM;
    return dg_equal(tag, rec->tag, 32) ? DG_OK : DG_EAUTH;
}

/* One message for every way a record and a pad can disagree: it tells nothing about the pad. */
#define PAD_MISMATCH "the patient record and its one-time pad do not belong together (refused)"

/* The store is authoritative: its row must name this file's instance, policy and alphabet. */
static int row_fits(const dg_pad_info *info, const dg_phi_record *rec, const char *instance)
{
    return info->alphabet == rec->alphabet && info->policy == rec->policy &&
           strcmp(info->instance, instance) == 0;
}

/* A version-3 row: Seal(pad-at-rest key, aad, pad || MAC key); opened in place. */
static int open_pad_at_rest(const dg_ctx *ctx, const dg_pad_info *info, const dg_phi_record *rec,
                            uint8_t *row)
{
    size_t got = 0;
    dg_buf aad;
    int rc;

    dg_buf_init(&aad);
    pad_aad(info, &aad);
    rc = aad.failed ? DG_SEAL_EINVAL
                    : dg_open(&ctx->derived.pad_rest, aad.data, aad.len, row, (size_t)info->length,
                              row, (size_t)info->length, &got);
    free(aad.data);
    return rc == DG_SEAL_OK && got == rec->ct_len + 32 ? 0 : -1;
}

/* Gives a claimed single-use pad back after a failed restore (best effort). */
void dg_phi_release(dg_ctx *ctx, const dg_phi_record *rec)
{
    char why[DG_ERRLEN];

    if (ctx->store != NULL && rec->policy == DG_OTP_SINGLE_USE)
        (void)dg_keystore_release(ctx->store, rec->pad_id, why, sizeof why);
}

/*
 * Takes the record's pad from the store in one transaction (a single-use
 * pad is claimed: no other restore gets it) and checks it fits; on a
 * mismatch the claim is given back. *pad holds the pad (and, version 3,
 * its MAC key after ct_len bytes).
 */
static int fetch_pad(dg_ctx *ctx, const dg_phi_record *rec, const char *instance, uint8_t **pad,
                     size_t *pad_len, char *err, size_t errlen)
{
    dg_pad_info info;
    char why[DG_ERRLEN];
    int rc, fits;

    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE,
                       "no key store given: the patient header needs its one-time pad");
    rc = dg_keystore_claim(ctx->store, rec->pad_id, (int64_t)time(NULL), &info, pad, why,
                           sizeof why);
    if (rc == DG_KS_ENOTFOUND)
        return dg_fail(
            err, errlen, DG_ENOPAD,
            "the one-time pad %s of instance %s was destroyed or has expired (or another "
            "restore holds it); restore --deidentified still gives the pixels",
            rec->pad_id, instance[0] ? instance : "(no SOP Instance UID)");
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot read the key store: %s", why);
    *pad_len = (size_t)info.length;
    fits = row_fits(&info, rec, instance);
    if (fits && rec->version >= 3)
        fits = open_pad_at_rest(ctx, &info, rec, *pad) == 0;
    else if (fits)
        fits = info.length == rec->ct_len;
    if (!fits) {
        if (info.policy == DG_OTP_SINGLE_USE) /* claimed by us: give it back */
            (void)dg_keystore_release(ctx->store, rec->pad_id, why, sizeof why);
        dg_wipe(*pad, *pad_len);
        free(*pad);
        *pad = NULL;
        return dg_fail(err, errlen, DG_EAUTH, PAD_MISMATCH);
    }
    return DG_OK;
}

int dg_phi_open(dg_ctx *ctx, const dg_instance_keys *keys, const uint8_t *header_bytes,
                size_t header_len, const uint8_t *record, size_t record_len, const char *instance,
                dg_phi_record *rec, uint8_t **msg, char *err, size_t errlen)
{
    uint8_t *pad = NULL, tag[32], *ct = NULL;
    size_t got = 0, pad_len = 0;
    int rc;

    *msg = NULL;
    rc = dg_phi_verify(keys, header_bytes, header_len, record, record_len, rec);
    if (rc != DG_OK)
        return dg_fail(err, errlen, rc,
                       rc == DG_EAUTH ? "the patient record does not authenticate (altered file)"
                                      : "the patient record is malformed");
    rc = fetch_pad(ctx, rec, instance, &pad, &pad_len, err, errlen);
    if (rc != DG_OK)
        return rc;
    *msg = malloc(rec->message_len ? (size_t)rec->message_len : 1);
    ct = malloc(rec->ct_len ? (size_t)rec->ct_len : 1);
    if (ct != NULL)
        memcpy(ct, rec->ct, (size_t)rec->ct_len);
    if (*msg == NULL || ct == NULL)
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    else if (rec->version >= 3 &&
             dg_ctr_xor(keys->phi_cipher, ct, (size_t)rec->ct_len) != DG_SEAL_OK)
        rc = dg_fail(err, errlen, DG_ECRYPTO, "the cryptographic library failed");
    else if (dg_otp_decrypt((dg_otp_alphabet)rec->alphabet, ct, pad, (size_t)rec->ct_len, *msg,
                            (size_t)rec->message_len, &got) != DG_OTP_OK ||
             got != rec->message_len)
        rc = dg_fail(err, errlen, DG_EAUTH, "the patient record does not decrypt");
    else if (rec->version >= 3 &&
             (value_tag(pad + rec->ct_len, header_bytes, header_len, *msg, (size_t)got, tag) != 0 ||
              !dg_equal(tag, rec->pv_tag, 32)))
        rc = dg_fail(err, errlen, DG_EAUTH, PAD_MISMATCH);
    dg_wipe(pad, pad_len);
    free(pad);
    free(ct); /* the pad's ciphertext: uniform without the pad */
    if (rc != DG_OK) {
        dg_phi_release(ctx, rec);
        if (*msg != NULL)
            dg_wipe(*msg, (size_t)rec->message_len);
        free(*msg);
        *msg = NULL;
    }
    return rc;
}
