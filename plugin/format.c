/*
 * format.c - encoding and strict decoding of the header, the envelope and
 * segment record heads. Decoders accept exactly what the encoders write:
 * right magic, right version, every length in bounds, nothing left over.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>

static const uint8_t header_magic[4] = {'D', 'G', 'P', 'H'};
static const uint8_t envelope_magic[4] = {'D', 'G', 'E', 'N'};
static const uint8_t tile_magic[4] = {'D', 'G', 'T', 'L'};
static const uint8_t phi_magic[4] = {'D', 'G', 'P', 'I'};

const uint16_t dg_bind_tags[DG_BIND_FIELDS][2] = {
    {0x0010, 0x0020}, {0x0020, 0x000D}, {0x0020, 0x000E}, {0x0008, 0x0018}, {0x0008, 0x0016}};
const char *const dg_bind_names[DG_BIND_FIELDS] = {
    "Patient ID", "Study Instance UID", "Series Instance UID", "SOP Instance UID", "SOP Class UID"};

static int known_version(uint16_t v)
{
    return v == DG_FORMAT_VERSION || v == DG_FORMAT_VERSION_2;
}

void dg_header_encode(const dg_header *h, dg_buf *out)
{
    dg_buf_put(out, header_magic, 4);
    dg_buf_put_u16(out, h->version);
    dg_buf_put_u16(out, h->mode);
    dg_buf_put_u32(out, h->flags);
    dg_buf_put(out, h->key_id, DG_KEY_ID_LEN);
    dg_buf_put(out, h->protection_id, DG_PROTECTION_ID_LEN);
    dg_buf_put_u16(out, h->wrapped_len);
    dg_buf_put(out, h->wrapped_key, h->wrapped_len);
    dg_buf_put_u8(out, h->pixel_kind);
    dg_buf_put_u8(out, h->codec);
    dg_buf_put_u32(out, h->segment_count);
    dg_buf_put_u32(out, h->frames);
    dg_buf_put_u16(out, h->tile_rows);
    dg_buf_put_u16(out, h->tile_cols);
    dg_buf_put_u64(out, h->original_size);
    for (int i = 0; h->version >= 3 && i < DG_BIND_FIELDS; i++) {
        size_t n = strlen(h->bind[i]);
        dg_buf_put_u8(out, (uint8_t)n);
        dg_buf_put(out, h->bind[i], n);
    }
    if (h->version >= 3 && (out->len & 1)) /* a DICOM value has an even length */
        dg_buf_put_u8(out, 0);
}

int dg_header_decode(const uint8_t *p, size_t n, dg_header *h)
{
    dg_reader r;
    const uint8_t *magic;

    memset(h, 0, sizeof *h);
    dg_reader_init(&r, p, n);
    magic = dg_read(&r, 4);
    if (magic == NULL || memcmp(magic, header_magic, 4) != 0)
        return -1;
    h->version = dg_read_u16(&r);
    h->mode = dg_read_u16(&r);
    h->flags = dg_read_u32(&r);
    dg_read_copy(&r, h->key_id, DG_KEY_ID_LEN);
    dg_read_copy(&r, h->protection_id, DG_PROTECTION_ID_LEN);
    h->wrapped_len = dg_read_u16(&r);
    if (h->wrapped_len > DG_WRAP_MAX)
        return -1;
    dg_read_copy(&r, h->wrapped_key, h->wrapped_len);
    h->pixel_kind = dg_read_u8(&r);
    h->codec = dg_read_u8(&r);
    h->segment_count = dg_read_u32(&r);
    h->frames = dg_read_u32(&r);
    h->tile_rows = dg_read_u16(&r);
    h->tile_cols = dg_read_u16(&r);
    h->original_size = dg_read_u64(&r);
    for (int i = 0; h->version >= 3 && i < DG_BIND_FIELDS; i++) {
        uint8_t len = dg_read_u8(&r);
        dg_read_copy(&r, h->bind[i], len);
        if (r.failed || memchr(h->bind[i], 0, len) != NULL)
            return -1;
    }
    if (h->version >= 3 && ((n & 1) || (r.left == 1 && dg_read_u8(&r) != 0)))
        return -1; /* version 3 is padded to an even length with one 0x00 */
    if (r.failed || r.left != 0)
        return -1;
    if (!known_version(h->version) ||
        (h->mode != DG_MODE_AES_TILES && h->mode != DG_MODE_CHAOS_PIXELS) ||
        (h->flags & ~(DG_FLAG_SLICES | DG_FLAG_DECODED)) != 0)
        return -1;
    return 0;
}

static void put_model(dg_buf *out, const dg_pixmodel *m)
{
    dg_buf_put_u8(out, m->kind);
    dg_buf_put_u8(out, m->sample_bytes);
    dg_buf_put_u8(out, m->planar);
    dg_buf_put_u8(out, m->big_endian);
    dg_buf_put_u16(out, m->sign_flip);
    dg_buf_put_u16(out, m->components);
    dg_buf_put_u32(out, m->width);
    dg_buf_put_u32(out, m->height);
    dg_buf_put_u32(out, m->frames);
    dg_buf_put_u16(out, m->tile_rows);
    dg_buf_put_u16(out, m->tile_cols);
    dg_buf_put_u32(out, m->segment_count);
    dg_buf_put_u64(out, m->frame_bytes);
    dg_buf_put_u64(out, m->chunk_bytes);
    dg_buf_put_u64(out, m->covered);
}

static void get_model(dg_reader *r, dg_pixmodel *m)
{
    m->kind = dg_read_u8(r);
    m->sample_bytes = dg_read_u8(r);
    m->planar = dg_read_u8(r);
    m->big_endian = dg_read_u8(r);
    m->sign_flip = dg_read_u16(r);
    m->components = dg_read_u16(r);
    m->width = dg_read_u32(r);
    m->height = dg_read_u32(r);
    m->frames = dg_read_u32(r);
    m->tile_rows = dg_read_u16(r);
    m->tile_cols = dg_read_u16(r);
    m->segment_count = dg_read_u32(r);
    m->frame_bytes = dg_read_u64(r);
    m->chunk_bytes = dg_read_u64(r);
    m->covered = dg_read_u64(r);
}

/* The chaos section: cipher parameters, digest of the cipher image, residual bits. */
static int get_chaos(dg_reader *r, dg_envelope *e)
{
    e->chaos_bits = dg_read_u8(r);
    e->chaos_signed = dg_read_u8(r);
    e->chaos_rounds = dg_read_u8(r);
    e->chaos_key_counter = dg_read_u32(r);
    dg_read_copy(r, e->chaos_digest, 32);
    e->chaos_residual_len = dg_read_u64(r);
    if (r->failed || e->chaos_bits < 1 || e->chaos_bits > 16 || e->chaos_signed > 1 ||
        e->chaos_rounds < 1 || e->chaos_rounds > 16 ||
        (e->chaos_residual_len != 0 && e->chaos_residual_len != e->model.covered) ||
        e->chaos_residual_len > r->left)
        return -1;
    e->chaos_residual = e->chaos_residual_len ? dg_read(r, (size_t)e->chaos_residual_len) : NULL;
    return r->failed ? -1 : 0;
}

/* Holes are sorted, disjoint, inside the file and outside the pixel bytes. */
static int holes_fit(const dg_envelope *e)
{
    uint64_t next = 0, pix_end = e->pixel_offset + e->model.covered;

    for (uint32_t i = 0; i < e->hole_count; i++) {
        uint64_t off = dg_load_u64(e->holes + (size_t)i * 16);
        uint64_t len = dg_load_u64(e->holes + (size_t)i * 16 + 8);
        if (off < next || len == 0 || len > e->original_size || off > e->original_size - len)
            return 0;
        if (off < pix_end && off + len > e->pixel_offset && e->model.covered > 0)
            return 0;
        next = off + len;
    }
    return 1;
}

void dg_envelope_encode(const dg_envelope *e, dg_buf *out)
{
    size_t base_len = strlen(e->slice_base);

    dg_buf_put(out, envelope_magic, 4);
    dg_buf_put_u16(out, e->version);
    dg_buf_put(out, e->sha256, 32);
    dg_buf_put_u64(out, e->original_size);
    dg_buf_put_u64(out, e->pixel_offset);
    put_model(out, &e->model);
    dg_buf_put_u16(out, (uint16_t)base_len);
    dg_buf_put(out, e->slice_base, base_len);
    dg_buf_put_u32(out, e->hole_count);
    dg_buf_put(out, e->holes, (size_t)e->hole_count * 16);
    dg_buf_put_u32(out, e->deid_options);
    dg_buf_put_u64(out, e->replacements_len);
    dg_buf_put(out, e->replacements, e->replacements_len);
    if (e->model.kind == DG_PIX_CHAOS) {
        dg_buf_put_u8(out, e->chaos_bits);
        dg_buf_put_u8(out, e->chaos_signed);
        dg_buf_put_u8(out, e->chaos_rounds);
        dg_buf_put_u32(out, e->chaos_key_counter);
        dg_buf_put(out, e->chaos_digest, 32);
        dg_buf_put_u64(out, e->chaos_residual_len);
        dg_buf_put(out, e->chaos_residual, e->chaos_residual_len);
    }
    dg_buf_put_u64(out, e->prefix_len);
    dg_buf_put(out, e->prefix, e->prefix_len);
    dg_buf_put_u64(out, e->suffix_len);
    dg_buf_put(out, e->suffix, e->suffix_len);
}

int dg_envelope_decode(const uint8_t *p, size_t n, dg_envelope *e)
{
    dg_reader r;
    const uint8_t *magic;
    uint16_t base_len;

    memset(e, 0, sizeof *e);
    dg_reader_init(&r, p, n);
    magic = dg_read(&r, 4);
    if (magic == NULL || memcmp(magic, envelope_magic, 4) != 0)
        return -1;
    e->version = dg_read_u16(&r);
    if (!known_version(e->version))
        return -1;
    dg_read_copy(&r, e->sha256, 32);
    e->original_size = dg_read_u64(&r);
    e->pixel_offset = dg_read_u64(&r);
    get_model(&r, &e->model);
    base_len = dg_read_u16(&r);
    if (base_len > DG_SLICE_BASE_MAX)
        return -1;
    dg_read_copy(&r, e->slice_base, base_len);
    e->hole_count = dg_read_u32(&r);
    if (e->hole_count > r.left / 16)
        return -1;
    e->holes = dg_read(&r, (size_t)e->hole_count * 16);
    e->deid_options = dg_read_u32(&r);
    e->replacements_len = dg_read_u64(&r);
    e->replacements =
        dg_read(&r, e->replacements_len > r.left ? r.left + 1 : (size_t)e->replacements_len);
    if (e->model.kind == DG_PIX_CHAOS && get_chaos(&r, e) != 0)
        return -1;
    e->prefix_len = dg_read_u64(&r);
    e->prefix = dg_read(&r, e->prefix_len > r.left ? r.left + 1 : (size_t)e->prefix_len);
    e->suffix_len = dg_read_u64(&r);
    e->suffix = dg_read(&r, e->suffix_len > r.left ? r.left + 1 : (size_t)e->suffix_len);
    if (r.failed || r.left != 0)
        return -1;
    if (e->prefix_len != e->pixel_offset ||
        e->prefix_len + e->model.covered + e->suffix_len != e->original_size)
        return -1;
    if (!holes_fit(e))
        return -1;
    return dg_pix_check(&e->model);
}

void dg_envelope_hole(const dg_envelope *e, uint32_t i, uint64_t *offset, uint64_t *length)
{
    *offset = dg_load_u64(e->holes + (size_t)i * 16);
    *length = dg_load_u64(e->holes + (size_t)i * 16 + 8);
}

void dg_phi_record_encode(const dg_phi_record *r, dg_buf *out)
{
    dg_buf_put(out, phi_magic, 4);
    dg_buf_put_u16(out, r->version);
    dg_buf_put_u8(out, r->alphabet);
    dg_buf_put_u8(out, r->policy);
    dg_buf_put(out, r->pad_id, DG_PAD_ID_LEN);
    dg_buf_put_u64(out, r->message_len);
    dg_buf_put_u64(out, r->ct_len);
    dg_buf_put(out, r->ct, r->ct_len);
}

static int is_hex_id(const char *id)
{
    for (int i = 0; i < DG_PAD_ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return 1;
}

int dg_phi_record_decode(const uint8_t *p, size_t n, dg_phi_record *r)
{
    dg_reader rd;
    const uint8_t *magic;

    memset(r, 0, sizeof *r);
    dg_reader_init(&rd, p, n);
    magic = dg_read(&rd, 4);
    if (magic == NULL || memcmp(magic, phi_magic, 4) != 0)
        return -1;
    r->version = dg_read_u16(&rd);
    if (!known_version(r->version))
        return -1;
    r->alphabet = dg_read_u8(&rd);
    r->policy = dg_read_u8(&rd);
    dg_read_copy(&rd, r->pad_id, DG_PAD_ID_LEN);
    r->pad_id[DG_PAD_ID_LEN] = '\0';
    r->message_len = dg_read_u64(&rd);
    r->ct_len = dg_read_u64(&rd);
    if (rd.failed || r->ct_len > rd.left || rd.left - r->ct_len < DG_PHI_TAG_LEN)
        return -1;
    r->ct = dg_read(&rd, (size_t)r->ct_len);
    if (r->version >= 3)
        r->pv_tag = dg_read(&rd, DG_PHI_TAG_LEN);
    r->signed_len = n - rd.left;
    r->tag = dg_read(&rd, DG_PHI_TAG_LEN);
    /* a DICOM value has an even length: an odd record comes back with one 0x00 */
    if (rd.left == 1 && (n & 1) == 0 && rd.p[0] == 0)
        dg_read(&rd, 1);
    if (rd.failed || rd.left != 0 || r->alphabet > 2 || r->policy > 1 || !is_hex_id(r->pad_id))
        return -1;
    return 0;
}

void dg_tile_head_for(const dg_header *h, const dg_pixmodel *m, uint32_t seg, dg_tile_head *t)
{
    memset(t, 0, sizeof *t);
    t->version = h->version;
    t->codec = h->codec;
    memcpy(t->protection_id, h->protection_id, DG_PROTECTION_ID_LEN);
    memcpy(t->key_id, h->key_id, DG_KEY_ID_LEN);
    t->segment = seg;
    t->frame = seg;
    if (m->kind == DG_PIX_TILED) {
        dg_tile tile;
        dg_pix_tile(m, seg, &tile);
        t->frame = tile.frame;
        t->row = tile.row;
        t->col = tile.col;
    }
}

void dg_tile_head_encode(const dg_tile_head *t, uint8_t out[DG_TILE_HEAD_LEN])
{
    memcpy(out, tile_magic, 4);
    dg_store_u16(out + 4, t->version);
    dg_store_u16(out + 6, t->codec);
    memcpy(out + 8, t->protection_id, DG_PROTECTION_ID_LEN);
    memcpy(out + 24, t->key_id, DG_KEY_ID_LEN);
    dg_store_u32(out + 32, t->segment);
    dg_store_u32(out + 36, t->frame);
    dg_store_u16(out + 40, t->row);
    dg_store_u16(out + 42, t->col);
    dg_store_u32(out + 44, t->reserved);
    dg_store_u32(out + 48, t->sealed_len);
}

int dg_tile_head_decode(const uint8_t in[DG_TILE_HEAD_LEN], dg_tile_head *t)
{
    if (memcmp(in, tile_magic, 4) != 0)
        return -1;
    t->version = dg_load_u16(in + 4);
    t->codec = dg_load_u16(in + 6);
    memcpy(t->protection_id, in + 8, DG_PROTECTION_ID_LEN);
    memcpy(t->key_id, in + 24, DG_KEY_ID_LEN);
    t->segment = dg_load_u32(in + 32);
    t->frame = dg_load_u32(in + 36);
    t->row = dg_load_u16(in + 40);
    t->col = dg_load_u16(in + 42);
    t->reserved = dg_load_u32(in + 44);
    t->sealed_len = dg_load_u32(in + 48);
    if (!known_version(t->version) || t->reserved != 0)
        return -1;
    return 0;
}

int dg_slice_name(const char *base, const uint8_t protection_id[DG_PROTECTION_ID_LEN],
                  int multi_frame, uint32_t frame, uint16_t row, uint16_t col, char *out,
                  size_t cap)
{
    char id[2 * DG_PROTECTION_ID_LEN + 1];
    int n;

    if (base == NULL || base[0] == '\0') { /* since issue 11: the whole protection id */
        for (size_t i = 0; i < DG_PROTECTION_ID_LEN; i++)
            snprintf(id + 2 * i, 3, "%02x", protection_id[i]);
        if (multi_frame)
            n = snprintf(out, cap, "%s.f%u.r%uc%u.enc", id, (unsigned)frame, (unsigned)row,
                         (unsigned)col);
        else
            n = snprintf(out, cap, "%s.r%uc%u.enc", id, (unsigned)row, (unsigned)col);
        return n > 0 && (size_t)n < cap ? 0 : -1;
    }
    if (multi_frame)
        n = snprintf(out, cap, "%s.%02x%02x%02x%02x.f%u.r%uc%u.enc", base, protection_id[0],
                     protection_id[1], protection_id[2], protection_id[3], (unsigned)frame,
                     (unsigned)row, (unsigned)col);
    else
        n = snprintf(out, cap, "%s.%02x%02x%02x%02x.r%uc%u.enc", base, protection_id[0],
                     protection_id[1], protection_id[2], protection_id[3], (unsigned)row,
                     (unsigned)col);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}
