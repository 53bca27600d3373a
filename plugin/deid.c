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

static int vr_is(const char *vr, const char *list);

/* Sample payloads: zeros in the clear, the samples sealed under the data key in the envelope. */
static int is_sample_payload(uint16_t group, uint16_t element)
{
    return (group == 0x5400 && element == 0x1010) ||                      /* Waveform Data */
           (group == 0x5600 && element == 0x0020) ||                      /* Spectroscopy Data */
           ((group & 0xFF01) == 0x6000 && element == 0x3000) ||           /* Overlay Data */
           (group == 0x7FE0 && (element == 0x0008 || element == 0x0009)); /* Float Pixel Data */
}

/* Private attributes: a hole, unless safe-private keeps a row of Table E.3.10-1. */
static dg_deid_act classify_private(const dg_deid_elem *e, unsigned options)
{
    if (!(options & DG_DEID_OPT_SAFE_PRIVATE) || e->element < 0x0010)
        return DG_ACT_REMOVE;
    if (e->element <= 0x00FF)
        return dg_deid_safe_creator(e->group, e->creator) ? DG_ACT_KEEP : DG_ACT_REMOVE;
    return dg_deid_safe_private(e->group, e->element, e->creator) ? DG_ACT_KEEP : DG_ACT_REMOVE;
}

/* The basic profile's action for a listed attribute (compound codes resolved, see header.md). */
static dg_deid_act basic_action(const dg_deid_rule *rule, const char *vr, int sequence)
{
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
        return sequence ? DG_ACT_KEEP
                        : DG_ACT_UID; /* a sequence keeps its items, their UIDs change */
    default: /* D, C, Z/D, X/D, X/Z/D: a sequence is kept with every value inside treated */
        if (sequence)
            return DG_ACT_KEEP;
        return vr_is(vr, "UI") ? DG_ACT_UID : DG_ACT_DUMMY;
    }
}

/* Dates and times the table does not list, and the date columns' options. */
static dg_deid_act date_action(const char *vr, unsigned options, dg_deid_act otherwise)
{
    if (options & DG_DEID_OPT_FULL_DATES)
        return DG_ACT_KEEP;
    if (options & DG_DEID_OPT_MODIFIED_DATES)
        return vr_is(vr, "TM") ? DG_ACT_KEEP : DG_ACT_SHIFT; /* whole days: times stay */
    return otherwise;
}

/*
 * A sequence the file does not encode as one (a known SQ written as UN of
 * defined length) is opaque bytes: it cannot be walked, so it cannot stay.
 */
static dg_deid_act opaque_sequence(dg_deid_act act, const char *vr, int sequence)
{
    if (!sequence && vr_is(vr, "SQ") && act == DG_ACT_KEEP)
        return DG_ACT_REMOVE;
    return act;
}

static dg_deid_act classify_standard(const dg_deid_elem *e, unsigned options, const char *vr,
                                     const char *file_vr, int known);

/*
 * The VR the file itself gives an element, when it says more than "opaque
 * bytes": NULL for implicit VR ("" or DCMTK's "??") and for UN.
 */
static const char *told_vr(const char *vr)
{
    if (vr == NULL || vr[0] == '\0' || vr_is(vr, "UN ??"))
        return NULL;
    return vr;
}

dg_deid_act dg_deid_classify(const dg_deid_elem *e, unsigned options)
{
    char dict[3];
    const char *vr, *file_vr = told_vr(e->vr);
    int known;

    if (e->group & 1)
        return classify_private(e, options);
    if (is_sample_payload(e->group, e->element))
        return DG_ACT_ZERO;
    if (e->group == 0x0042 && e->element == 0x0011)
        return DG_ACT_DOCUMENT;
    known = dg_dicom_dict_vr(e->group, e->element, dict);
    vr = known ? dict : (file_vr != NULL ? file_vr : "UN");
    return opaque_sequence(classify_standard(e, options, vr, file_vr, known), vr, e->is_sequence);
}

#define DG_TEXT_VRS "PN LO LT SH ST UT UC UR AE"
#define DG_BINARY_VRS "OB OW OF OD OL OV UN ox px"
#define DG_NUMBER_VRS "DS IS US SS UL SL FL FD SV UV" /* their dummy is 0 (dummy_for) */

/* 1 when the file wrote the dictionary's VR, or one of the forms a multi-VR entry allows. */
static int same_vr(const char *dict, const char *file_vr)
{
    if (file_vr == NULL || (dict[0] == file_vr[0] && dict[1] == file_vr[1]))
        return 1;
    return (vr_is(dict, "ox px") && vr_is(file_vr, "OB OW")) ||
           (vr_is(dict, "xs") && vr_is(file_vr, "US SS")) ||
           (vr_is(dict, "lt") && vr_is(file_vr, "US SS OW"));
}

/*
 * Numbers that describe the patient although the table does not list them:
 * the rest of the Patient group (Body Mass Index, Measured AP Dimension,
 * Examined Body Thickness, ...) and the numeric values of structured
 * content (a dose report's Subject Age, Patient Height and Weight are NUM
 * items). Kept only under --retain patient-chars, like Patient's Age, Size
 * and Weight.
 */
static int describes_patient(uint16_t group, uint16_t element)
{
    return group == 0x0010 ||
           (group == 0x0040 && (element == 0xA30A || (element >= 0xA161 && element <= 0xA163)));
}

/*
 * Deny by default, for what the table does not list. The dictionary's VR
 * and the one the file wrote (when it wrote one) are both asked, and the
 * stricter answer wins: a number or a date written as text is text. The
 * allow-list holds only for a value written in its attribute's own VR.
 */
static dg_deid_act unlisted(unsigned options, uint16_t group, uint16_t element, const char *vr,
                            const char *file_vr)
{
    const char *written = file_vr != NULL ? file_vr : vr;

#define EITHER(list) (vr_is(vr, list) || (file_vr != NULL && vr_is(file_vr, list)))
    if (vr_is(vr, "SQ"))
        return DG_ACT_REMOVE; /* a sequence written as opaque bytes: its items cannot be walked */
    if (dg_deid_allowed(group, element) && same_vr(vr, file_vr))
        return DG_ACT_KEEP;
    if (EITHER(DG_TEXT_VRS))
        return DG_ACT_DUMMY;
    if (EITHER("DA DT TM"))
        return date_action(vr_is(written, "DA DT TM") ? written : vr, options, DG_ACT_DUMMY);
    if (EITHER("UI")) /* references to instances, frames of reference, sites: pseudonyms too */
        return (options & DG_DEID_OPT_UIDS) ? DG_ACT_KEEP : DG_ACT_UID;
    if (vr_is(vr, DG_BINARY_VRS)) /* pixels, meshes, maps: zeros, sealed in the envelope */
        return vr_is(written, DG_BINARY_VRS) ? DG_ACT_ZERO : DG_ACT_REMOVE;
    if (vr_is(written, DG_BINARY_VRS))
        return DG_ACT_REMOVE; /* a value written as bytes its attribute does not have: opaque */
    if (describes_patient(group, element) && !(options & DG_DEID_OPT_PATIENT_CHARS))
        return vr_is(written, DG_NUMBER_VRS) ? DG_ACT_DUMMY : DG_ACT_REMOVE;
    return DG_ACT_KEEP; /* numbers and coded strings */
#undef EITHER
}

static dg_deid_act classify_standard(const dg_deid_elem *e, unsigned options, const char *vr,
                                     const char *file_vr, int known)
{
    const dg_deid_rule *rule;
    int sequence = e->is_sequence;

    rule = dg_deid_lookup(e->group, e->element);
    if (rule != NULL) {
        if (rule->retain & options)
            return DG_ACT_KEEP;
        if ((rule->clean & DG_DEID_OPT_MODIFIED_DATES) && (options & DG_DEID_OPT_MODIFIED_DATES) &&
            (sequence || vr_is(vr, "DA DT TM")))
            return sequence ? DG_ACT_KEEP : date_action(vr, DG_DEID_OPT_MODIFIED_DATES, 0);
        return basic_action(rule, vr, sequence);
    }
    if (sequence || e->element == 0x0000)
        return DG_ACT_KEEP; /* walked into; group lengths are recomputed */
    if (!known)
        return DG_ACT_REMOVE; /* not in the dictionary: whatever VR the file gives it, opaque */
    return unlisted(options, e->group, e->element, vr, file_vr);
}

int dg_deid_is_hole(dg_deid_act act, const dg_deid_elem *e)
{
    if ((e->group & 1) && e->element >= 0x0010 && e->element <= 0x00FF)
        return 0; /* a private creator */
    return act != DG_ACT_KEEP && act != DG_ACT_ZERO;
}

int dg_deid_meta_is_phi(uint16_t element)
{
    switch (element) { /* deny by default: only the technical elements are not holes */
    case 0x0000:       /* File Meta Information Group Length */
    case 0x0001:       /* File Meta Information Version */
    case 0x0002:       /* Media Storage SOP Class UID */
    case 0x0010:       /* Transfer Syntax UID */
    case 0x0012:       /* Implementation Class UID */
    case 0x0013:       /* Implementation Version Name */
        return 0;
    default: /* SOP Instance UID, AE titles, presentation addresses, private information, ... */
        return 1;
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
    if (vr_is(vr, DG_NUMBER_VRS))
        return "0";
    return NULL;
}

/* ---- the walk ---------------------------------------------------------- */

/* ---- modified dates ---------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    long era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    long era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)yoe + era * 400 + (*m <= 2);
}

/* YYYYMMDD at p shifted by days into out (8 characters); -1 when p is not a date. */
static int shift_one(const char *p, size_t len, long days, char *out)
{
    unsigned m, d;
    long y;

    if (len < 8)
        return -1;
    for (size_t i = 0; i < 8; i++)
        if (p[i] < '0' || p[i] > '9')
            return -1;
    y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    m = (unsigned)((p[4] - '0') * 10 + (p[5] - '0'));
    d = (unsigned)((p[6] - '0') * 10 + (p[7] - '0'));
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return -1;
    snprintf(out, 9, "%04ld%02u%02u", y, m % 100u, d % 100u);
    return 0;
}

/* n digits at p (n may be 0). */
static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/*
 * What may follow a shifted date and stay: nothing for a DA; for a DT only a
 * time HHMMSS (or its start), a fraction and a UTC offset. Anything else (a
 * range "-YYYYMMDD", a second date) would leave an unshifted date beside a
 * shifted one, and so give away the patient's shift.
 */
static int date_tail_ok(const char *vr, const char *t, size_t n)
{
    size_t i = 0;

    if (!vr_is(vr, "DT"))
        return n == 0;
    while (i < n && i < 6 && t[i] >= '0' && t[i] <= '9')
        i++;
    if (i < n && t[i] == '.') {
        size_t f = ++i;
        while (i < n && i - f < 6 && t[i] >= '0' && t[i] <= '9')
            i++;
        if (i == f)
            return 0;
    }
    if (i < n && (t[i] == '+' || t[i] == '-') && n - i == 5 && digits(t + i + 1, 4))
        i = n;
    return i == n;
}

/*
 * Every value of a DA or DT (backslash-separated) with its date part moved
 * by days; a value that is not a full date (a year only, a range, trailing
 * text) becomes the dummy.
 */
static int shift_dates(const char *value, const char *vr, long days, char *out, size_t cap)
{
    size_t at = 0;

    out[0] = '\0';
    while (value != NULL) {
        const char *end = strchr(value, '\\');
        size_t len = end ? (size_t)(end - value) : strlen(value);
        char date[16];
        while (len > 0 && value[len - 1] == ' ')
            len--;
        if (len > 0) {
            if (at + len + 16 > cap)
                return -1;
            if (len >= 8 && date_tail_ok(vr, value + 8, len - 8) &&
                shift_one(value, len, days, date) == 0) {
                memcpy(out + at, date, 8);
                memcpy(out + at + 8, value + 8, len - 8); /* a DT keeps its time */
                at += len;
            } else {
                const char *dummy = vr_is(vr, "DT") ? "19000101000000" : "19000101";
                memcpy(out + at, dummy, strlen(dummy));
                at += strlen(dummy);
            }
        }
        if (end == NULL)
            break;
        out[at++] = '\\';
        value = end + 1;
    }
    out[at] = '\0';
    return 0;
}

/*
 * This patient's offset: HMAC-SHA256 under a key of its own, HKDF(pseudonym
 * key, "dcmguard/v1/date-shift"), of the original Patient ID (or, without
 * one, of the Patient's Name), as a whole number of days in
 * [-DG_DEID_SHIFT_MAX_DAYS, -1].
 */
static int patient_shift(dg_deid *s, dg_dicom *d)
{
    uint8_t key[32], mac[32];
    char who[256] = "";
    size_t len;
    uint32_t n;
    int rc;

    if (dg_dicom_get_string(d, 0x0010, 0x0020, who, sizeof who) != 0 || who[0] == '\0')
        dg_dicom_get_string(d, 0x0010, 0x0010, who, sizeof who);
    len = strlen(who);
    rc = dg_kdf(s->pseudonym_key, sizeof s->pseudonym_key, "dcmguard/v1/date-shift", NULL, 0, key,
                sizeof key);
    if (rc == 0)
        rc = dg_hmac_sha256(key, sizeof key, (const uint8_t *)who, len, mac);
    n = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 | (uint32_t)mac[2] << 8 | mac[3];
    s->shift_days = -(long)(1 + n % DG_DEID_SHIFT_MAX_DAYS);
    dg_wipe(key, sizeof key);
    dg_wipe(mac, sizeof mac);
    dg_wipe(who, sizeof who);
    return rc == 0 ? 0 : -1;
}

/* ---- dummy documents --------------------------------------------------- */

static const char DUMMY_PDF[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                                "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                                "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
                                "trailer<</Root 1 0 R>>\n%%EOF\n";

/* A document of the same kind that says nothing (the original travels under the pad). */
static const char *dummy_document(const char *mime)
{
    if (strstr(mime, "xml") != NULL || strstr(mime, "XML") != NULL)
        return "<?xml version=\"1.0\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>\n";
    if (strstr(mime, "stl") != NULL)
        return "solid removed\nendsolid removed\n";
    if (strstr(mime, "obj") != NULL || strstr(mime, "mtl") != NULL)
        return "# removed by dcmguard\n";
    return DUMMY_PDF;
}

/* ---- the walk ---------------------------------------------------------- */

/* Protection computes the value and records it; a replay reads it back. */
static int replacement(dg_deid *s, const dg_dicom_visit *v, dg_deid_act kind, char *out, size_t cap)
{
    int rc;

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
    if (kind == DG_ACT_UID)
        rc = uid_list_pseudonym(s, v->value, out, cap);
    else if (kind == DG_ACT_SHIFT)
        rc = shift_dates(v->value, v->vr, s->shift_days, out, cap);
    else
        rc = patient_id_pseudonym(s, v->value, out, cap);
    if (rc != 0)
        return -1;
    dg_buf_put(s->replacements, out, strlen(out) + 1);
    return s->replacements->failed ? -1 : 0;
}

/* The private creator of a visited element: its block's, or its own value. */
static const char *creator_of(const dg_dicom_visit *v)
{
    if ((v->group & 1) && v->element >= 0x0010 && v->element <= 0x00FF)
        return v->value;
    return v->creator;
}

static int decide(void *user, const dg_dicom_visit *v, char *out, size_t cap)
{
    dg_deid *s = user;
    dg_deid_elem e = {v->group, v->element, v->vr, vr_is(v->vr, "SQ"), creator_of(v)};
    dg_deid_act act;
    const char *dummy;

    if (v->depth == 0 && v->group == 0x7FE0 && v->element == 0x0010)
        return DG_DICOM_KEEP; /* the pixels: protection puts the placeholder in their place */
    act = dg_deid_classify(&e, s->options);

    if (act == DG_ACT_KEEP && v->group == 0x0042 && v->element == 0x0015) {
        snprintf(out, cap, "%zu", strlen(dummy_document(s->mime))); /* the dummy's length */
        return DG_DICOM_REPLACE;
    }
    if (act != DG_ACT_KEEP && act != DG_ACT_ZERO && v->group == PATIENT_ID_GROUP &&
        v->element == PATIENT_ID_ELEMENT)
        act = DG_ACT_PATIENT_ID;
    if (act == DG_ACT_SHIFT && !vr_is(v->vr, "DA DT"))
        act = DG_ACT_DUMMY;
    switch (act) {
    case DG_ACT_KEEP:
        return DG_DICOM_KEEP;
    case DG_ACT_REMOVE:
        return DG_DICOM_REMOVE;
    case DG_ACT_EMPTY:
        return DG_DICOM_EMPTY;
    case DG_ACT_ZERO:
        return DG_DICOM_ZERO;
    case DG_ACT_DOCUMENT:
        snprintf(out, cap, "%s", dummy_document(s->mime));
        return DG_DICOM_REPLACE;
    case DG_ACT_DUMMY:
        dummy = dummy_for(v->vr);
        if (dummy == NULL)
            return DG_DICOM_EMPTY;
        snprintf(out, cap, "%s", dummy);
        return DG_DICOM_REPLACE;
    default: /* a UID, the Patient ID or a shifted date: computed, then recorded */
        if (!vr_is(v->vr, "UI LO SH CS DA DT"))
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
        rc = dg_dicom_set_string(
            d, 0x0012, 0x0063, "DCMGUARD: PS3.15 2026C E.1-1 BASIC PROFILE, KEYED UID PSEUDONYMS");
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
    if (rc == 0 && (options & DG_DEID_OPT_SAFE_PRIVATE))
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113111", "DCM", "Retain Safe Private Option");
    if (rc == 0 && (options & DG_DEID_OPT_UIDS))
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113110", "DCM", "Retain UIDs Option");
    if (rc == 0 && (options & DG_DEID_OPT_FULL_DATES)) {
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113106", "DCM",
                               "Retain Longitudinal Temporal Information Full Dates Option");
        if (rc == 0)
            rc = dg_dicom_set_string(d, 0x0028, 0x0303, "UNMODIFIED");
    } else if (rc == 0 && (options & DG_DEID_OPT_MODIFIED_DATES)) {
        rc = dg_dicom_add_code(d, 0x0012, 0x0064, "113107", "DCM",
                               "Retain Longitudinal Temporal Information Modified Dates Option");
        if (rc == 0)
            rc = dg_dicom_set_string(d, 0x0028, 0x0303, "MODIFIED");
    }
    return rc == 0 ? 0 : -1;
}

int dg_deidentify(dg_dicom *d, dg_deid *state)
{
    state->failed = 0;
    state->mime[0] = '\0';
    dg_dicom_get_string(d, 0x0042, 0x0012, state->mime, sizeof state->mime);
    if (!state->replay && (state->options & DG_DEID_OPT_MODIFIED_DATES) &&
        patient_shift(state, d) != 0)
        return -1;
    if (dg_dicom_edit(d, decide, state) != DG_DICOM_OK || state->failed)
        return -1;
    if (state->replay && state->replay_at != state->replacements->len)
        return -1;
    return describe_method(d, state->options);
}
