/*
 * deid.c - the de-identification walk: the profile's action for each
 * attribute (deid_table.c holds Table E.1-1), dummy values that fit each
 * VR, keyed pseudonyms for UIDs and Patient ID, and the attributes that
 * say the header was de-identified and how.
 */
#include "deid.h"
#include "deid_table.h"
#include "kdf.h"
#include "random.h"

#include <stdio.h>
#include <string.h>

#define PATIENT_ID_GROUP 0x0010
#define PATIENT_ID_ELEMENT 0x0020

dg_deid_act dg_deid_action(uint16_t group, uint16_t element, unsigned options)
{
    const dg_deid_rule *rule;

    if (group & 1)
        return DG_ACT_REMOVE; /* private attributes and their creators */
    rule = dg_deid_lookup(group, element);
    if (rule == NULL)
        return DG_ACT_KEEP;
    if (rule->retain & options)
        return DG_ACT_KEEP;
    switch (rule->basic) {
    case DG_DEID_K:
        return DG_ACT_KEEP;
    case DG_DEID_X:
        return DG_ACT_REMOVE;
    case DG_DEID_Z:
    case DG_DEID_X_Z:
        return DG_ACT_EMPTY;
    case DG_DEID_U:
    case DG_DEID_X_Z_U:
        return DG_ACT_UID;
    default: /* D, C (cleaned to a dummy), Z/D, X/D, X/Z/D: a dummy keeps type 1 valid */
        return DG_ACT_DUMMY;
    }
}

int dg_deid_meta_is_phi(uint16_t element)
{
    switch (element) {
    case 0x0003: /* Media Storage SOP Instance UID */
    case 0x0016: /* Source Application Entity Title */
    case 0x0017: /* Sending Application Entity Title */
    case 0x0018: /* Receiving Application Entity Title */
    case 0x0100: /* Private Information Creator UID */
    case 0x0102: /* Private Information */
        return 1;
    default:
        return 0;
    }
}

/* ---- pseudonyms -------------------------------------------------------- */

/* Writes the 128-bit big-endian number n in decimal. */
static void decimal128(const uint8_t n[16], char *out, size_t cap)
{
    uint8_t v[16];
    char digits[40];
    size_t count = 0, i;
    int nonzero = 1;

    memcpy(v, n, 16);
    while (nonzero && count < sizeof digits) {
        unsigned rem = 0;
        nonzero = 0;
        for (i = 0; i < 16; i++) {
            unsigned cur = (rem << 8) | v[i];
            v[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            nonzero |= v[i];
        }
        digits[count++] = (char)('0' + rem);
    }
    for (i = 0; i < count && i + 1 < cap; i++)
        out[i] = digits[count - 1 - i];
    out[i < cap ? i : cap - 1] = '\0';
}

static int mac_of(const dg_deid *s, const char *domain, const char *value, size_t len,
                  uint8_t mac[32])
{
    uint8_t msg[512];
    size_t dlen = strlen(domain);

    if (dlen + 1 + len > sizeof msg)
        return -1;
    memcpy(msg, domain, dlen);
    msg[dlen] = 0;
    memcpy(msg + dlen + 1, value, len);
    return dg_hmac_sha256(s->pseudonym_key, sizeof s->pseudonym_key, msg, dlen + 1 + len, mac);
}

/* One UID (len characters, trimmed) as 2.25.<decimal>. */
static int uid_pseudonym(const dg_deid *s, const char *uid, size_t len, char *out, size_t cap)
{
    uint8_t mac[32];

    if (cap < 45 || mac_of(s, "uid", uid, len, mac) != 0)
        return -1;
    memcpy(out, "2.25.", 5);
    decimal128(mac, out + 5, cap - 5);
    return 0;
}

/* Every UID of a multi-valued UI value, keeping the backslashes. */
static int uid_list_pseudonym(const dg_deid *s, const char *value, char *out, size_t cap)
{
    size_t at = 0;

    out[0] = '\0';
    while (value != NULL && *value != '\0') {
        const char *end = strchr(value, '\\');
        size_t len = end ? (size_t)(end - value) : strlen(value);
        while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\0'))
            len--;
        if (len > 0) {
            if (uid_pseudonym(s, value, len, out + at, cap - at) != 0)
                return -1;
            at += strlen(out + at);
        }
        if (end == NULL)
            break;
        if (at + 2 > cap)
            return -1;
        out[at++] = '\\';
        out[at] = '\0';
        value = end + 1;
    }
    return 0;
}

static int patient_id_pseudonym(const dg_deid *s, const char *value, char *out, size_t cap)
{
    uint8_t mac[32];
    size_t len = value ? strlen(value) : 0;

    while (len > 0 && value[len - 1] == ' ')
        len--;
    if (len == 0) {
        out[0] = '\0';
        return 0;
    }
    if (cap < 28 || mac_of(s, "patient-id", value, len, mac) != 0)
        return -1;
    snprintf(out, cap, "DG-%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X", mac[0], mac[1],
             mac[2], mac[3], mac[4], mac[5], mac[6], mac[7], mac[8], mac[9], mac[10], mac[11]);
    return 0;
}

/* ---- dummies ----------------------------------------------------------- */

static int vr_is(const char *vr, const char *list)
{
    /* list is "AA BB CC": two letters, then a space or the end */
    for (; list[0] != '\0' && list[1] != '\0'; list += list[2] == ' ' ? 3 : 2)
        if (vr[0] == list[0] && vr[1] == list[1])
            return 1;
    return 0;
}

/* A dummy that fits the VR, or NULL when the value is simply emptied. */
static const char *dummy_for(const char *vr)
{
    if (vr_is(vr, "AE CS LO LT PN SH ST UC UT"))
        return "ANONYMOUS";
    if (vr_is(vr, "AS"))
        return "000Y";
    if (vr_is(vr, "DA"))
        return "19000101";
    if (vr_is(vr, "DT"))
        return "19000101000000";
    if (vr_is(vr, "TM"))
        return "000000";
    if (vr_is(vr, "DS IS US SS UL SL FL FD SV UV"))
        return "0";
    return NULL;
}

/* ---- the walk ---------------------------------------------------------- */

/* Protection computes the value and records it; a replay reads it back. */
static int replacement(dg_deid *s, const dg_dicom_visit *v, dg_deid_act kind, char *out, size_t cap)
{
    if (s->replay) {
        const dg_buf *b = s->replacements;
        const char *at, *nul;
        size_t n;
        if (s->replay_at >= b->len)
            return -1;
        at = (const char *)b->data + s->replay_at;
        nul = memchr(at, '\0', b->len - s->replay_at);
        n = nul ? (size_t)(nul - at) : cap;
        if (n + 1 > cap)
            return -1;
        memcpy(out, at, n + 1);
        s->replay_at += n + 1;
        return 0;
    }
    if (kind == DG_ACT_UID ? uid_list_pseudonym(s, v->value, out, cap)
                           : patient_id_pseudonym(s, v->value, out, cap))
        return -1;
    dg_buf_put(s->replacements, out, strlen(out) + 1);
    return s->replacements->failed ? -1 : 0;
}

static int decide(void *user, const dg_dicom_visit *v, char *out, size_t cap)
{
    dg_deid *s = user;
    dg_deid_act act = dg_deid_action(v->group, v->element, s->options);
    const char *dummy;

    if (v->group == 0x7FE0 && (v->element == 0x0008 || v->element == 0x0009))
        return DG_DICOM_REMOVE; /* Float and Double Float Pixel Data: pictures, kept sealed only */
    if (act == DG_ACT_UID && vr_is(v->vr, "SQ"))
        act = DG_ACT_KEEP; /* X/Z/U* on a sequence: keep it, the UIDs inside get theirs */
    if (act == DG_ACT_DUMMY && vr_is(v->vr, "UI"))
        act = DG_ACT_UID;
    if (act != DG_ACT_KEEP && v->group == PATIENT_ID_GROUP && v->element == PATIENT_ID_ELEMENT)
        act = DG_ACT_PATIENT_ID;
    switch (act) {
    case DG_ACT_KEEP:
        return DG_DICOM_KEEP;
    case DG_ACT_REMOVE:
        return DG_DICOM_REMOVE;
    case DG_ACT_EMPTY:
        return DG_DICOM_EMPTY;
    case DG_ACT_DUMMY:
        dummy = dummy_for(v->vr);
        if (dummy == NULL)
            return DG_DICOM_EMPTY;
        snprintf(out, cap, "%s", dummy);
        return DG_DICOM_REPLACE;
    default: /* a UID or the Patient ID: keyed pseudonyms */
        if (!vr_is(v->vr, "UI LO SH CS"))
            return DG_DICOM_EMPTY;
        if (replacement(s, v, act, out, cap) != 0) {
            s->failed = 1;
            return -1;
        }
        return DG_DICOM_REPLACE;
    }
}

/* CID 7050 codes for what was done. */
static int describe_method(dg_dicom *d, unsigned options)
{
    int rc = dg_dicom_remove(d, 0x0012, 0x0064);
    if (rc == 0)
        rc = dg_dicom_set_string(d, 0x0012, 0x0062, "YES");
    if (rc == 0)
        rc = dg_dicom_set_string(d, 0x0012, 0x0063,
                                 "DCMGUARD: PS3.15 E.1-1 BASIC PROFILE, KEYED UID PSEUDONYMS");
    if (rc == 0)
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113100", "DCM",
                               "Basic Application Confidentiality Profile");
    if (rc == 0 && (options & DG_DEID_OPT_PATIENT_CHARS))
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113108", "DCM",
                               "Retain Patient Characteristics Option");
    if (rc == 0 && (options & DG_DEID_OPT_DEVICE))
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113109", "DCM", "Retain Device Identity Option");
    if (rc == 0 && (options & DG_DEID_OPT_INSTITUTION))
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113112", "DCM",
                               "Retain Institution Identity Option");
    if (rc == 0 && (options & DG_DEID_OPT_FULL_DATES)) {
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113106", "DCM",
                               "Retain Longitudinal Temporal Information Full Dates Option");
        if (rc == 0)
            rc = dg_dicom_set_string(d, 0x0028, 0x0303, "UNMODIFIED");
    }
    return rc == 0 ? 0 : -1;
}

int dg_deidentify(dg_dicom *d, dg_deid *state)
{
    state->failed = 0;
    if (dg_dicom_edit(d, decide, state) != DG_DICOM_OK || state->failed)
        return -1;
    if (state->replay && state->replay_at != state->replacements->len)
        return -1;
    return describe_method(d, state->options);
}
