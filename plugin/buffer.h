/*
 * buffer.h - a growable byte buffer for writing binary records, and a
 * bounded reader for parsing them back. All integers are little endian.
 * A reader never reads past its end: after the first failed read every
 * later read fails too, so a parser may check once, at the end.
 */
#ifndef DG_BUFFER_H
#define DG_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct dg_buf {
    uint8_t *data;
    size_t len, cap;
    int failed; /* an allocation failed: the content is incomplete */
} dg_buf;

void dg_buf_init(dg_buf *b);
void dg_buf_free(dg_buf *b); /* wipes the bytes before freeing */
int dg_buf_reserve(dg_buf *b, size_t extra);
void dg_buf_put(dg_buf *b, const void *p, size_t n);
void dg_buf_put_u8(dg_buf *b, uint8_t v);
void dg_buf_put_u16(dg_buf *b, uint16_t v);
void dg_buf_put_u32(dg_buf *b, uint32_t v);
void dg_buf_put_u64(dg_buf *b, uint64_t v);

/*
 * Gives freed heap memory back to the system (glibc's malloc_trim), so that
 * the many small buffers of a large file, once freed, stop counting in the
 * process's resident memory. Nothing elsewhere.
 */
void dg_release_free_memory(void);

typedef struct dg_reader {
    const uint8_t *p;
    size_t left;
    int failed;
} dg_reader;

void dg_reader_init(dg_reader *r, const uint8_t *p, size_t n);
const uint8_t *dg_read(dg_reader *r, size_t n); /* NULL (and failed) when short */
int dg_read_copy(dg_reader *r, void *out, size_t n);
uint8_t dg_read_u8(dg_reader *r);
uint16_t dg_read_u16(dg_reader *r);
uint32_t dg_read_u32(dg_reader *r);
uint64_t dg_read_u64(dg_reader *r);

/* Little-endian helpers for fixed layouts. */
void dg_store_u16(uint8_t *p, uint16_t v);
void dg_store_u32(uint8_t *p, uint32_t v);
uint16_t dg_load_u16(const uint8_t *p);
uint32_t dg_load_u32(const uint8_t *p);
void dg_store_u64(uint8_t *p, uint64_t v);
uint64_t dg_load_u64(const uint8_t *p);

#endif
