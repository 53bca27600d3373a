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
        if (is_pixel_data(e))
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

int dg_phi_seal(const dg_ctx *ctx, const dg_instance_keys *keys, const dg_buf *header_bytes,
                const uint8_t *msg, size_t msg_len, const char *instance, dg_phi_sealed *out,
                char *err, size_t errlen)
{
    dg_phi_record rec;
    uint8_t *ct = NULL, tag[32];
    size_t len = 0;
    int rc = DG_OK;

    memset(out, 0, sizeof *out);
    dg_buf_init(&out->record);
    memset(&rec, 0, sizeof rec);
    if (new_pad_id(rec.pad_id) != 0)
        return dg_fail(err, errlen, DG_ECRYPTO, "the random generator failed");
    if (dg_otp_encrypt((dg_otp_alphabet)ctx->otp_mode, msg, msg_len, &out->pad, &ct, &len) !=
        DG_OTP_OK)
        return dg_fail(err, errlen, DG_ECRYPTO, "one-time-pad encryption failed");
    rec.alphabet = (uint8_t)ctx->otp_mode;
    rec.policy = (uint8_t)ctx->otp_policy;
    rec.message_len = msg_len;
    rec.ct_len = len;
    rec.ct = ct;
    dg_phi_record_encode(&rec, &out->record);
    if (out->record.failed || record_tag(keys, header_bytes->data, header_bytes->len,
                                         out->record.data, out->record.len, tag) != 0) {
        rc = dg_fail(err, errlen, DG_ENOMEM, "cannot authenticate the patient record");
        goto done;
    }
    dg_buf_put(&out->record, tag, sizeof tag);
    describe_pad(ctx, rec.pad_id, instance, len, &out->info);
    if (out->record.failed)
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
done:
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

static int fetch_pad(dg_ctx *ctx, const dg_phi_record *rec, const char *instance, uint8_t **pad,
                     char *err, size_t errlen)
{
    dg_pad_info info;
    char why[DG_ERRLEN];
    int rc;

    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE,
                       "no key store given: the patient header needs its one-time pad");
    rc = dg_keystore_get(ctx->store, rec->pad_id, (int64_t)time(NULL), &info, pad, why, sizeof why);
    if (rc == DG_KS_ENOTFOUND)
        return dg_fail(err, errlen, DG_ENOPAD,
                       "the one-time pad %s of instance %s was destroyed or has expired "
                       "(restore --deidentified still gives the pixels)",
                       rec->pad_id, instance);
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot read the key store: %s", why);
    if (info.length != rec->ct_len || info.alphabet != rec->alphabet) {
        dg_wipe(*pad, (size_t)info.length);
        free(*pad);
        *pad = NULL;
        return dg_fail(err, errlen, DG_EAUTH, "the pad %s does not fit this file", rec->pad_id);
    }
    return DG_OK;
}

int dg_phi_open(dg_ctx *ctx, const dg_instance_keys *keys, const uint8_t *header_bytes,
                size_t header_len, const uint8_t *record, size_t record_len, const char *instance,
                dg_phi_record *rec, uint8_t **msg, char *err, size_t errlen)
{
    uint8_t *pad = NULL;
    size_t got = 0;
    int rc;

    *msg = NULL;
    rc = dg_phi_verify(keys, header_bytes, header_len, record, record_len, rec);
    if (rc != DG_OK)
        return dg_fail(err, errlen, rc,
                       rc == DG_EAUTH ? "the patient record does not authenticate (altered file)"
                                      : "the patient record is malformed");
    rc = fetch_pad(ctx, rec, instance, &pad, err, errlen);
    if (rc != DG_OK)
        return rc;
    *msg = malloc(rec->message_len ? (size_t)rec->message_len : 1);
    if (*msg == NULL)
        rc = dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    else if (dg_otp_decrypt((dg_otp_alphabet)rec->alphabet, rec->ct, pad, (size_t)rec->ct_len, *msg,
                            (size_t)rec->message_len, &got) != DG_OTP_OK ||
             got != rec->message_len)
        rc = dg_fail(err, errlen, DG_EAUTH, "the patient record does not decrypt");
    dg_wipe(pad, (size_t)rec->ct_len);
    free(pad);
    if (rc != DG_OK && *msg != NULL) {
        dg_wipe(*msg, (size_t)rec->message_len);
        free(*msg);
        *msg = NULL;
    }
    return rc;
}
