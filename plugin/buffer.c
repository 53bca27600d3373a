/*
 * buffer.c - growable buffers and bounded readers.
 */
#include "buffer.h"
#include "random.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

void dg_release_free_memory(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}

void dg_buf_init(dg_buf *b)
{
    memset(b, 0, sizeof *b);
}

void dg_buf_free(dg_buf *b)
{
    dg_wipe(b->data, b->len);
    free(b->data);
    dg_buf_init(b);
}

int dg_buf_reserve(dg_buf *b, size_t extra)
{
    size_t cap;
    uint8_t *p;

    if (b->failed)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    /* No realloc: the old bytes may be secret and must be wiped, not left behind. */
    p = malloc(cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    if (b->len > 0)
        memcpy(p, b->data, b->len);
    dg_wipe(b->data, b->len);
    free(b->data);
    b->data = p;
    b->cap = cap;
    return 0;
}

void dg_buf_put(dg_buf *b, const void *p, size_t n)
{
    if (n == 0 || dg_buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void dg_buf_put_u8(dg_buf *b, uint8_t v)
{
    dg_buf_put(b, &v, 1);
}

void dg_buf_put_u16(dg_buf *b, uint16_t v)
{
    uint8_t t[2];
    dg_store_u16(t, v);
    dg_buf_put(b, t, 2);
}

void dg_buf_put_u32(dg_buf *b, uint32_t v)
{
    uint8_t t[4];
    dg_store_u32(t, v);
    dg_buf_put(b, t, 4);
}

void dg_buf_put_u64(dg_buf *b, uint64_t v)
{
    dg_buf_put_u32(b, (uint32_t)v);
    dg_buf_put_u32(b, (uint32_t)(v >> 32));
}

void dg_reader_init(dg_reader *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->left = p ? n : 0;
    r->failed = 0;
}

const uint8_t *dg_read(dg_reader *r, size_t n)
{
    const uint8_t *p;
    if (r->failed || n > r->left) {
        r->failed = 1;
        return NULL;
    }
    p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

int dg_read_copy(dg_reader *r, void *out, size_t n)
{
    const uint8_t *p = dg_read(r, n);
    if (p == NULL)
        return -1;
    if (n > 0)
        memcpy(out, p, n);
    return 0;
}

uint8_t dg_read_u8(dg_reader *r)
{
    const uint8_t *p = dg_read(r, 1);
    return p ? p[0] : 0;
}

uint16_t dg_read_u16(dg_reader *r)
{
    const uint8_t *p = dg_read(r, 2);
    return p ? dg_load_u16(p) : 0;
}

uint32_t dg_read_u32(dg_reader *r)
{
    const uint8_t *p = dg_read(r, 4);
    return p ? dg_load_u32(p) : 0;
}

uint64_t dg_read_u64(dg_reader *r)
{
    uint64_t lo = dg_read_u32(r);
    uint64_t hi = dg_read_u32(r);
    return lo | hi << 32;
}

void dg_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void dg_store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t dg_load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t dg_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void dg_store_u64(uint8_t *p, uint64_t v)
{
    dg_store_u32(p, (uint32_t)v);
    dg_store_u32(p + 4, (uint32_t)(v >> 32));
}

uint64_t dg_load_u64(const uint8_t *p)
{
    return (uint64_t)dg_load_u32(p) | (uint64_t)dg_load_u32(p + 4) << 32;
}
