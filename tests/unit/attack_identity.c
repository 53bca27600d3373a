/*
 * attack_identity.c - the attacker of docs/threat-model.md who holds the
 * master key and protected files but not the key store (tests/identity.sh
 * runs it against files the built CLI protected).
 *
 *   attack_identity pseudonym MASTERKEY PROTECTED [SECRETFILE]
 *       Brute-forces every 6-digit Patient ID against the clear pseudonym
 *       with every key the attacker can derive from the master key (the
 *       version-2 label, the version-3 label applied to the master key);
 *       with SECRETFILE (an exported pseudonym secret: the inherent limit
 *       of docs/threat-model.md) also under the store's pseudonym key.
 *       Prints each confirmed value and "confirmed: N".
 *   attack_identity digests MASTERKEY PROTECTED ORIGINAL
 *       Opens the envelope with the master key and compares every 32-byte
 *       window of the header, the envelope's plaintext and the patient
 *       record with the SHA-256 of the original, of every hole's value
 *       (holes as the envelope lists them) and of all hole bytes together.
 *       Prints "holes: H", "digest matches: N" and, as a control that the
 *       scan works, "control matches: C" for the digest of the original
 *       with its holes zeroed (which the envelope is meant to hold).
 *   attack_identity envelope MASTERKEY PROTECTED OUT
 *       Writes to OUT everything the master key opens that is not pixels:
 *       the original's bytes outside the pixel segments as the envelope
 *       holds them (holes zeroed) and the recorded replacements. A search
 *       of OUT for patient values is the master-key holder's view.
 *   attack_identity forge MASTERKEY PROTECTED OUT policy|pad=ID
 *       Rewrites the patient record as a master-key holder can (flips the
 *       policy, or names pad ID), recomputes its data-key tag, writes OUT.
 */
#include "check.h"
#include "dicom.h"
#include "format.h"
#include "internal.h"
#include "kdf.h"
#include "keywrap.h"
#include "masterkey.h"
#include "seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct target {
    blob file;
    dg_dicom *dicom;
    const uint8_t *header, *envelope, *phi;
    size_t header_len, envelope_len, phi_len;
    dg_header h;
    dg_instance_keys keys;
    uint8_t *plain; /* the envelope, opened */
    size_t plain_len;
    dg_envelope env;
} target;

static void die(const char *what)
{
    fprintf(stderr, "attack_identity: %s\n", what);
    exit(2);
}

static void load_target(const char *path, target *t)
{
    char err[256];

    memset(t, 0, sizeof *t);
    t->file = load_path(path);
    if (t->file.data == NULL ||
        dg_dicom_parse(t->file.data, t->file.len, &t->dicom, err, sizeof err) != DG_DICOM_OK)
        die("cannot read the protected file");
    if (dg_dicom_get_private(t->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_HEADER,
                             &t->header, &t->header_len) != 0 ||
        dg_dicom_get_private(t->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_ENVELOPE,
                             &t->envelope, &t->envelope_len) != 0 ||
        dg_dicom_get_private(t->dicom, DG_PRIVATE_GROUP, DG_PRIVATE_CREATOR, DG_ELEM_PHI, &t->phi,
                             &t->phi_len) != 0 ||
        dg_header_decode(t->header, t->header_len, &t->h) != 0)
        die("no dcmguard block");
}

static void free_target(target *t)
{
    dg_dicom_free(t->dicom);
    free(t->file.data);
    free(t->plain);
}

/* With the master key: the data key (under whichever KEK the version uses) and the envelope. */
static void open_with_master(const char *keyfile, target *t)
{
    dg_master_key mk;
    uint8_t kek[32];
    size_t n = 0;
    char err[256];

    if (dg_master_key_load(keyfile, &mk, err, sizeof err) != 0)
        die(err);
    if (t->h.version >= 3)
        dg_kdf(mk.key, 32, "dcmguard/v3/key-wrap", NULL, 0, kek, 32);
    else
        memcpy(kek, mk.key, 32);
    if (dg_key_unwrap(kek, t->h.wrapped_key, t->h.wrapped_len, t->keys.data_key, 32, &n) != 0 ||
        dg_instance_keys_derive(&t->keys) != 0)
        die("the master key does not open this file");
    t->plain = malloc(t->envelope_len);
    if (t->plain == NULL ||
        dg_open(&t->keys.envelope, t->header, t->header_len, t->envelope, t->envelope_len, t->plain,
                t->envelope_len, &t->plain_len) != 0 ||
        dg_envelope_decode(t->plain, t->plain_len, &t->env) != 0)
        die("the envelope does not open");
}

/* ---- pseudonyms ---- */

/* deid.c's Patient ID pseudonym: DG- and the first 12 bytes of HMAC(key, "patient-id\0" value). */
static void patient_pseudonym(const uint8_t key[32], const char *value, char out[32])
{
    uint8_t msg[64], mac[32];
    size_t n = strlen(value);

    memcpy(msg, "patient-id", 11);
    memcpy(msg + 11, value, n);
    dg_hmac_sha256(key, 32, msg, 11 + n, mac);
    snprintf(out, 32, "DG-%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X%02X", mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5], mac[6], mac[7], mac[8], mac[9], mac[10], mac[11]);
}

static int read_secret(const char *path, uint8_t secret[32])
{
    blob b = load_path(path);
    const char *magic = "dcmguard-pseudonym-secret-v1 ";
    size_t at = strlen(magic);

    if (b.data == NULL || b.len < at + 64 || memcmp(b.data, magic, at) != 0)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf((const char *)b.data + at + 2 * i, "%2x", &v) != 1)
            return -1;
        secret[i] = (uint8_t)v;
    }
    free(b.data);
    return 0;
}

static int attack_pseudonym(int argc, char **argv)
{
    uint8_t keys[3][32], secret[32];
    int nkeys = 2, confirmed = 0;
    char clear[80], guess[8], candidate[32], err[256];
    dg_master_key mk;
    target t;

    load_target(argv[3], &t);
    if (dg_dicom_get_string(t.dicom, 0x0010, 0x0020, clear, sizeof clear) != 0)
        die("no clear Patient ID");
    if (dg_master_key_load(argv[2], &mk, err, sizeof err) != 0)
        die(err);
    dg_kdf(mk.key, 32, "dcmguard/v1/pseudonym", NULL, 0, keys[0], 32);
    dg_kdf(mk.key, 32, "dcmguard/v3/pseudonym", NULL, 0, keys[1], 32);
    if (argc > 4) {
        if (read_secret(argv[4], secret) != 0)
            die("not a pseudonym secret file");
        dg_kdf(secret, 32, "dcmguard/v3/pseudonym", NULL, 0, keys[nkeys++], 32);
    }
    for (int v = 0; v < 1000000; v++) {
        snprintf(guess, sizeof guess, "%06d", v);
        for (int k = 0; k < nkeys; k++) {
            patient_pseudonym(keys[k], guess, candidate);
            if (strcmp(candidate, clear) == 0) {
                printf("confirmed %s (key %d)\n", guess, k);
                confirmed++;
            }
        }
    }
    printf("confirmed: %d\n", confirmed);
    free_target(&t);
    return 0;
}

/* ---- digests ---- */

static unsigned count_windows(const uint8_t *buf, size_t len, const uint8_t (*digests)[32],
                              size_t n)
{
    unsigned found = 0;

    for (size_t at = 0; at + 32 <= len; at++)
        for (size_t i = 0; i < n; i++)
            if (buf[at] == digests[i][0] && memcmp(buf + at, digests[i], 32) == 0)
                found++;
    return found;
}

/* One key, one purpose: the data key must not unwrap under the master key itself. */
static int raw_master_unwraps(const char *keyfile, const target *t)
{
    dg_master_key mk;
    uint8_t out[64];
    size_t n = 0;
    char err[256];

    if (dg_master_key_load(keyfile, &mk, err, sizeof err) != 0)
        die(err);
    return dg_key_unwrap(mk.key, t->h.wrapped_key, t->h.wrapped_len, out, sizeof out, &n) == 0;
}

static int attack_digests(char **argv)
{
    blob orig = load_path(argv[4]);
    uint8_t(*digests)[32];
    uint8_t control[32], *zeroed, *all;
    size_t n = 0, total = 0;
    unsigned matches = 0, controls = 0;
    target t;

    load_target(argv[3], &t);
    open_with_master(argv[2], &t);
    if (orig.data == NULL || orig.len != t.env.original_size)
        die("the original does not fit this file");
    digests = calloc(t.env.hole_count + 2, 32);
    zeroed = malloc(orig.len);
    all = malloc(orig.len + 1);
    if (digests == NULL || zeroed == NULL || all == NULL)
        die("out of memory");
    memcpy(zeroed, orig.data, orig.len);
    dg_sha256(orig.data, orig.len, digests[n++]);
    for (uint32_t i = 0; i < t.env.hole_count; i++) {
        uint64_t off, len;
        dg_envelope_hole(&t.env, i, &off, &len);
        dg_sha256(orig.data + off, (size_t)len, digests[n++]);
        memcpy(all + total, orig.data + off, (size_t)len);
        memset(zeroed + off, 0, (size_t)len);
        total += (size_t)len;
    }
    dg_sha256(all, total, digests[n++]);
    dg_sha256(zeroed, orig.len, control);
    matches = count_windows(t.header, t.header_len, (const uint8_t(*)[32])digests, n) +
              count_windows(t.plain, t.plain_len, (const uint8_t(*)[32])digests, n) +
              count_windows(t.phi, t.phi_len, (const uint8_t(*)[32])digests, n);
    controls = count_windows(t.plain, t.plain_len, (const uint8_t(*)[32]) & control, 1);
    printf("holes: %u\ndigest matches: %u\ncontrol matches: %u\n", t.env.hole_count, matches,
           controls);
    printf("raw master key unwraps: %d\n", raw_master_unwraps(argv[2], &t));
    free(digests);
    free(zeroed);
    free(all);
    free(orig.data);
    free_target(&t);
    return 0;
}

/* ---- forging the patient record ---- */

static int attack_forge(char **argv)
{
    const char *how = argv[5];
    dg_phi_record rec;
    uint8_t *at, tag[32];
    dg_buf msg;
    target t;
    FILE *f;

    load_target(argv[3], &t);
    open_with_master(argv[2], &t);
    if (dg_phi_record_decode(t.phi, t.phi_len, &rec) != 0)
        die("the patient record is malformed");
    /* the record's bytes in the file itself (its length does not change) */
    at = NULL;
    for (size_t i = 0; i + t.phi_len <= t.file.len; i++)
        if (memcmp(t.file.data + i, t.phi, t.phi_len) == 0) {
            at = t.file.data + i;
            break;
        }
    if (at == NULL)
        die("the patient record is not in the file as it is");
    if (strcmp(how, "policy") == 0)
        at[7] ^= 1; /* "DGPI" u16 version, u8 alphabet, u8 policy */
    else if (strncmp(how, "pad=", 4) == 0 && strlen(how + 4) == DG_PAD_ID_LEN)
        memcpy(at + 8, how + 4, DG_PAD_ID_LEN);
    else
        die("forge wants policy or pad=ID");
    dg_buf_init(&msg);
    dg_buf_put(&msg, t.header, t.header_len);
    dg_buf_put(&msg, at, rec.signed_len);
    dg_hmac_sha256(t.keys.phi_mac, 32, msg.data, msg.len, tag);
    memcpy(at + rec.signed_len, tag, 32);
    f = fopen(argv[4], "wb");
    if (f == NULL || fwrite(t.file.data, 1, t.file.len, f) != t.file.len || fclose(f) != 0)
        die("cannot write the forged file");
    printf("forged %s\n", how);
    free(msg.data);
    free_target(&t);
    return 0;
}

/* ---- what the envelope shows ---- */

static int dump_envelope(char **argv)
{
    target t;
    FILE *f;

    load_target(argv[3], &t);
    open_with_master(argv[2], &t);
    f = fopen(argv[4], "wb");
    if (f == NULL || fwrite(t.env.prefix, 1, t.env.prefix_len, f) != t.env.prefix_len ||
        fwrite(t.env.suffix, 1, t.env.suffix_len, f) != t.env.suffix_len ||
        fwrite(t.env.replacements, 1, t.env.replacements_len, f) != t.env.replacements_len ||
        fclose(f) != 0)
        die("cannot write the envelope's view");
    printf("envelope: %llu bytes outside the pixels, %u holes\n",
           (unsigned long long)(t.env.prefix_len + t.env.suffix_len), t.env.hole_count);
    free_target(&t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "pseudonym") == 0)
        return attack_pseudonym(argc, argv);
    if (argc == 5 && strcmp(argv[1], "digests") == 0)
        return attack_digests(argv);
    if (argc == 6 && strcmp(argv[1], "forge") == 0)
        return attack_forge(argv);
    if (argc == 5 && strcmp(argv[1], "envelope") == 0)
        return dump_envelope(argv);
    fprintf(stderr, "usage: attack_identity pseudonym|digests|forge|envelope ...\n");
    return 2;
}
