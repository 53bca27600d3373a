/*
 * gateway.h - what the files of the Orthanc plugin share: the one gateway
 * of the process (Orthanc loads a plugin once) and the logging helpers.
 *
 *   plugin.c   entry points, configuration, the ingest callbacks
 *   rest.c     the /dcmguard/... REST routes and their access filter
 *   forward.c  the forwarding worker thread
 *   commit.c   the storage commitment SCP
 */
#ifndef DGO_GATEWAY_H
#define DGO_GATEWAY_H

#include "config.h"
#include "dcmguard.h"

#include <orthanc/OrthancCPlugin.h>
#include <pthread.h>

typedef struct dgo_gateway {
    OrthancPluginContext *orthanc;
    dgo_config cfg;
    dg_ctx *ctx;
    dg_queue *journal;
    char actor[DG_ACTOR_MAX + 1]; /* "orthanc-gateway@HOST": the audit trail's actor */
    int routes_blocked;           /* a plugin that runs user scripts was found after start: 503 */
    /* The forwarding worker (forward.c). */
    pthread_t worker;
    int worker_started;
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake;
} dgo_gateway;

extern dgo_gateway dgo;

/* One line in Orthanc's log, prefixed with "dcmguard: ". Never pass a secret. */
void dgo_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dgo_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dgo_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* rest.c: registers the enabled routes; 0 or -1 (logged). */
int dgo_rest_register(void);

/* forward.c: the worker; start when Orthanc has started, stop before it stops. */
int dgo_forward_start(void);
void dgo_forward_stop(void);
void dgo_forward_wake(void);

/* commit.c: registers the storage commitment SCP; 0 or -1 (logged). */
int dgo_commit_register(void);

#endif
