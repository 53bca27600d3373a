/*
 * pool.h - a fixed set of worker threads that run the iterations of one
 * parallel loop at a time. The caller's thread works too, and dg_pool_run
 * returns when every iteration is done. Several callers may share a pool:
 * their loops take turns.
 */
#ifndef DG_POOL_H
#define DG_POOL_H

#include <stdint.h>

typedef struct dg_pool dg_pool;

/* One iteration: returns 0, or non-zero to report failure (the others still run). */
typedef int (*dg_pool_fn)(void *arg, uint32_t index);

/* threads = 0 means one per online core; 1 means no worker (the caller does all). */
dg_pool *dg_pool_create(unsigned threads);
void dg_pool_destroy(dg_pool *p);

/* Runs fn(arg, i) for i in [0, count); returns the number of failed iterations. */
uint32_t dg_pool_run(dg_pool *p, uint32_t count, dg_pool_fn fn, void *arg);

#endif
