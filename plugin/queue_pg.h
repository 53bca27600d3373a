/*
 * queue_pg.h - the gateway's journal and forwarding queue on PostgreSQL
 * (queue_pg.c), behind the dg_queue_* API of dcmguard.h: queue.c hands a
 * dg_queue whose journal is a postgresql:// URI to these functions. Same
 * arguments and results as the public functions of the same name, already
 * checked by queue.c.
 */
#ifndef DG_QUEUE_PG_H
#define DG_QUEUE_PG_H

#include "dcmguard.h"

typedef struct dg_queue_pg dg_queue_pg;

int dg_queue_pg_open(const char *uri, dg_queue_pg **out, char *err, size_t errlen);
void dg_queue_pg_close(dg_queue_pg *q);
void dg_queue_pg_set_backoff(dg_queue_pg *q, unsigned first, unsigned max);
void dg_queue_pg_set_lease(dg_queue_pg *q, unsigned seconds);
int dg_queue_pg_add(dg_queue_pg *q, const char *key, const char *sop_class, const char *id,
                    int forward, int64_t now, char *err, size_t errlen);
int dg_queue_pg_find(dg_queue_pg *q, const char *key, dg_queue_entry *entry, int *found, char *err,
                     size_t errlen);
int dg_queue_pg_due(dg_queue_pg *q, int64_t now, char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned max,
                    unsigned *count, char *err, size_t errlen);
int dg_queue_pg_forwarded(dg_queue_pg *q, const char *id, char *err, size_t errlen);
int dg_queue_pg_failed(dg_queue_pg *q, const char *id, int64_t now, const char *why, char *err,
                       size_t errlen);
int dg_queue_pg_removed(dg_queue_pg *q, const char *id, char *err, size_t errlen);
int dg_queue_pg_get_stats(dg_queue_pg *q, dg_queue_stats *st, char *err, size_t errlen);

#endif
