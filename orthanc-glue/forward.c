/*
 * forward.c - the forwarding worker: one thread that takes the instances
 * due in the journal (plugin/queue.c) and sends them to the configured
 * archive through Orthanc's own REST route /modalities/{name}/store
 * (C-STORE), never from inside a callback. A batch goes over one
 * association; when it fails, each of its instances is tried alone so
 * that one refused instance does not hold back the others. Failures are
 * retried after the journal's back-off; the journal survives restarts.
 * With "ForwardToDicomWeb" the same queue goes to a DICOMweb server with
 * STOW-RS instead, through the DICOMweb plugin's client route
 * /dicom-web/servers/{name}/stow.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "gateway.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int kicked; /* under dgo.lock: new work arrived */

/* Sends ids over one association; 0 when the archive accepted every one. */
static int store(char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned n, char *why, size_t whylen)
{
    OrthancPluginMemoryBuffer answer = {0};
    OrthancPluginErrorCode code;
    json_t *req = json_pack("{s:[],s:b,s:i}", "Resources", "Synchronous", 1, "Timeout",
                            (json_int_t)dgo.cfg.forward_timeout);
    json_t *reply = NULL;
    char uri[DGO_NAME_MAX + 32], *body = NULL;
    int rc = -1;

    for (unsigned i = 0; req != NULL && i < n; i++)
        json_array_append_new(json_object_get(req, "Resources"), json_string(ids[i]));
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    if (body == NULL) {
        snprintf(why, whylen, "out of memory");
        goto done;
    }
    snprintf(uri, sizeof uri, "/modalities/%s/store", dgo.cfg.forward_to);
    code = OrthancPluginRestApiPost(dgo.orthanc, &answer, uri, body, strlen(body));
    if (code != OrthancPluginErrorCode_Success) {
        snprintf(why, whylen, "%s", OrthancPluginGetErrorDescription(dgo.orthanc, code));
        rc = code == OrthancPluginErrorCode_UnknownResource ? 1 : -1;
        goto done;
    }
    reply = json_loadb(answer.data, answer.size, 0, NULL);
    if (json_integer_value(json_object_get(reply, "FailedInstancesCount")) == 0 &&
        json_integer_value(json_object_get(reply, "InstancesCount")) == (json_int_t)n)
        rc = 0;
    else
        snprintf(why, whylen, "the archive refused %lld of %u instances",
                 (long long)json_integer_value(json_object_get(reply, "FailedInstancesCount")), n);
done:
    if (answer.data != NULL)
        OrthancPluginFreeMemoryBuffer(dgo.orthanc, &answer);
    json_decref(reply);
    free(body);
    json_decref(req);
    return rc;
}

/* 1 when Orthanc no longer has the instance id (deleted since it was queued). */
static int gone(const char *id)
{
    OrthancPluginMemoryBuffer answer = {0};
    char uri[DG_QUEUE_ID_MAX + 16];

    snprintf(uri, sizeof uri, "/instances/%s", id);
    if (OrthancPluginRestApiGet(dgo.orthanc, &answer, uri) == OrthancPluginErrorCode_Success) {
        OrthancPluginFreeMemoryBuffer(dgo.orthanc, &answer);
        return 0;
    }
    return 1;
}

/*
 * Sends ids with STOW-RS through the DICOMweb plugin (a synchronous job);
 * 0 when the server accepted every one (the plugin fails the whole call
 * when the server answers an HTTP error or lists a failed instance).
 */
static int stow(char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned n, char *why, size_t whylen)
{
    OrthancPluginMemoryBuffer answer = {0};
    OrthancPluginErrorCode code;
    json_t *req = json_pack("{s:[],s:b}", "Resources", "Synchronous", 1);
    char uri[2 * DGO_NAME_MAX + 32], *body = NULL;

    for (unsigned i = 0; req != NULL && i < n; i++)
        json_array_append_new(json_object_get(req, "Resources"), json_string(ids[i]));
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (body == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    snprintf(uri, sizeof uri, "%sservers/%s/stow", dgo.cfg.dicomweb_root, dgo.cfg.forward_to);
    /* AfterPlugins: the route belongs to the DICOMweb plugin, not to Orthanc's core */
    code = OrthancPluginRestApiPostAfterPlugins(dgo.orthanc, &answer, uri, body, strlen(body));
    free(body);
    if (answer.data != NULL)
        OrthancPluginFreeMemoryBuffer(dgo.orthanc, &answer);
    if (code == OrthancPluginErrorCode_Success)
        return 0;
    snprintf(why, whylen, "STOW-RS: %s", OrthancPluginGetErrorDescription(dgo.orthanc, code));
    /* an unknown route or server is also UnknownResource: only a deleted instance is dropped */
    return n == 1 && gone(ids[0]) ? 1 : -1;
}

/* Records the outcome of sending one instance (rc as store returns). */
static void record(const char *id, int rc, const char *why)
{
    char err[DG_ERRLEN];
    int r;

    if (rc == 0)
        r = dg_queue_forwarded(dgo.journal, id, err, sizeof err);
    else if (rc == 1)
        r = dg_queue_removed(dgo.journal, id, err, sizeof err);
    else
        r = dg_queue_failed(dgo.journal, id, (int64_t)time(NULL), why, err, sizeof err);
    if (rc == 1)
        dgo_log_error("instance %s is gone from Orthanc: it was never forwarded", id);
    if (r != DG_OK)
        dgo_log_error("cannot journal the forwarding of %s: %s", id, err);
}

static int stopping(void)
{
    int s;
    pthread_mutex_lock(&dgo.lock);
    s = dgo.stopping;
    pthread_mutex_unlock(&dgo.lock);
    return s;
}

static void forward_batch(char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned n)
{
    char why[DG_QUEUE_WHY_MAX + 1] = "";
    int rc =
        dgo.cfg.forward_dicomweb ? stow(ids, n, why, sizeof why) : store(ids, n, why, sizeof why);

    if (rc == 0 || n == 1) {
        if (rc != 0)
            dgo_log_warning("forwarding %s to %s failed, will retry: %s", ids[0],
                            dgo.cfg.forward_to, why);
        for (unsigned i = 0; i < n; i++)
            record(ids[i], rc, why);
        if (rc == 0)
            dgo_log_info("forwarded %u instance(s) to %s", n, dgo.cfg.forward_to);
        return;
    }
    for (unsigned i = 0; i < n && !stopping(); i++)
        forward_batch(ids + i, 1);
}

/* Sleeps up to one second, or until woken or stopped. */
static void nap(void)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_mutex_lock(&dgo.lock);
    while (!kicked && !dgo.stopping && pthread_cond_timedwait(&dgo.wake, &dgo.lock, &until) == 0)
        ;
    kicked = 0;
    pthread_mutex_unlock(&dgo.lock);
}

static void *worker(void *unused)
{
    char err[DG_ERRLEN];
    unsigned n, max = dgo.cfg.forward_batch;
    char(*ids)[DG_QUEUE_ID_MAX + 1] = calloc(max, sizeof *ids);

    (void)unused;
    if (ids == NULL) {
        dgo_log_error("out of memory: forwarding stopped");
        return NULL;
    }
    while (!stopping()) {
        if (dg_queue_due(dgo.journal, (int64_t)time(NULL), ids, max, &n, err, sizeof err) !=
            DG_OK) {
            dgo_log_error("forwarding: %s", err);
            n = 0;
        }
        if (n > 0)
            forward_batch(ids, n);
        else
            nap();
    }
    free(ids);
    return NULL;
}

int dgo_forward_start(void)
{
    int rc = 0;

    if (dgo.cfg.forward_to[0] == '\0')
        return 0;
    pthread_mutex_lock(&dgo.lock);
    if (!dgo.worker_started) {
        dgo.stopping = 0;
        rc = pthread_create(&dgo.worker, NULL, worker, NULL) == 0 ? 0 : -1;
        dgo.worker_started = rc == 0;
    }
    pthread_mutex_unlock(&dgo.lock);
    if (rc != 0)
        dgo_log_error("cannot start the forwarding thread: instances stay queued");
    return rc;
}

void dgo_forward_stop(void)
{
    int started;

    pthread_mutex_lock(&dgo.lock);
    started = dgo.worker_started;
    dgo.stopping = 1;
    pthread_cond_broadcast(&dgo.wake);
    pthread_mutex_unlock(&dgo.lock);
    if (started)
        pthread_join(dgo.worker, NULL);
    dgo.worker_started = 0;
}

void dgo_forward_wake(void)
{
    pthread_mutex_lock(&dgo.lock);
    kicked = 1;
    pthread_cond_signal(&dgo.wake);
    pthread_mutex_unlock(&dgo.lock);
}
