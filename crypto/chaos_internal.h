/*
 * chaos_internal.h - the chaos cipher's engine with its memory budget
 * exposed, so that the tests can check that grouping the rounds' keystreams
 * (chaos.c) never changes the output. Not part of the API.
 */
#ifndef DG_CHAOS_INTERNAL_H
#define DG_CHAOS_INTERNAL_H

#include "chaos.h"

/*
 * dg_chaos_encrypt (decrypt = 0) or dg_chaos_decrypt (decrypt = 1), with at
 * most stream_budget bytes of keystream held at once (at least one round's
 * is always held).
 */
int dg_chaos_run(const uint8_t *key, size_t key_len, unsigned rounds, const dg_chaos_image *img,
                 void *samples, size_t samples_len, int decrypt, size_t stream_budget);

#endif
