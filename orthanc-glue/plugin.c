/*
 * plugin.c - the Orthanc entry points of the dcmguard gateway and its
 * ingest path.
 *
 * Every instance Orthanc receives, whatever its origin, reaches
 * on_received before anything is stored; it is protected there (and named
 * for the journal) or refused. A refusal is an invalid action, on which
 * Orthanc 1.10.1 raises an error, stores nothing and tells the sender
 * (C-STORE status 0xA700, HTTP 500): Discard would answer Success. Then
 * on_filter checks that what Orthanc is about to store is exactly the file
 * dcmguard made, and on_stored journals it (and queues it for forwarding).
 * Orthanc runs all three in the receiving thread, one after the other,
 * which is what the thread-local `pending` relies on. docs/orthanc.md
 * explains the choices.
 */
#include "gateway.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef DG_VERSION
#define DG_VERSION "0.0.0"
#endif

/* Not an OrthancPluginReceivedInstanceAction: Orthanc raises ErrorCode_Plugin and stores nothing.
 */
#define DGO_REFUSE ((OrthancPluginReceivedInstanceAction)0)

dgo_gateway dgo;

/* What on_received made for the instance this thread is storing. */
typedef struct pending {
    int set;
    const void *data; /* the protected file Orthanc owns now */
    uint64_t size;
    char key[DG_QUEUE_KEY_LEN + 1];
    char sop_class[DG_QUEUE_UID_MAX + 1];
} pending;

static _Thread_local pending tl_pending;

#define DGO_LOG(name, orthanc_fn)                                                                  \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        char line[1024] = "dcmguard: ";                                                            \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vsnprintf(line + 10, sizeof line - 10, fmt, ap);                                           \
        va_end(ap);                                                                                \
        if (dgo.orthanc != NULL)                                                                   \
            orthanc_fn(dgo.orthanc, line);                                                         \
    }
DGO_LOG(dgo_log_error, OrthancPluginLogError)
DGO_LOG(dgo_log_warning, OrthancPluginLogWarning)
DGO_LOG(dgo_log_info, OrthancPluginLogInfo)

static const char *origin_name(OrthancPluginInstanceOrigin origin)
{
    switch (origin) {
    case OrthancPluginInstanceOrigin_DicomProtocol:
        return "over DICOM (C-STORE)";
    case OrthancPluginInstanceOrigin_RestApi:
        return "over the REST API";
    case OrthancPluginInstanceOrigin_Plugin:
        return "from a plugin";
    case OrthancPluginInstanceOrigin_Lua:
        return "from a Lua script";
    case OrthancPluginInstanceOrigin_WebDav:
        return "over WebDAV";
    default:
        return "from an unknown origin";
    }
}

/* Protects one received instance into a buffer Orthanc owns; refuses it on any failure. */
static OrthancPluginReceivedInstanceAction on_received(OrthancPluginMemoryBuffer64 *modified,
                                                       const void *data, uint64_t size,
                                                       OrthancPluginInstanceOrigin origin)
{
    char err[DG_ERRLEN] = "";
    dg_protected out = {0};
    pending *p = &tl_pending;
    int rc;

    p->set = 0;
    rc = dg_queue_key_file(dgo.ctx, data, size, p->key, p->sop_class, err, sizeof err);
    if (rc == DG_OK)
        rc = dg_protect(dgo.ctx, data, size, NULL, 0, &out, err, sizeof err);
    if (rc == DG_OK && OrthancPluginCreateMemoryBuffer64(dgo.orthanc, modified, out.file_len) !=
                           OrthancPluginErrorCode_Success) {
        rc = DG_ENOMEM;
        snprintf(err, sizeof err, "Orthanc cannot allocate %zu bytes", out.file_len);
    }
    if (rc != DG_OK) {
        dgo_log_error("refused an instance received %s: %s; nothing was stored",
                      origin_name(origin), err);
        dg_protected_free(&out);
        return DGO_REFUSE;
    }
    /* The one copy: the SDK wants a buffer it allocated (about the size of the JPEG-LS data). */
    memcpy(modified->data, out.file, out.file_len);
    p->data = modified->data;
    p->size = out.file_len;
    p->set = 1;
    dg_protected_free(&out);
    return OrthancPluginReceivedInstanceAction_Modify;
}

/* 1 when instance holds exactly the file on_received made in this thread. */
static int is_pending(const OrthancPluginDicomInstance *instance)
{
    const pending *p = &tl_pending;
    const void *data = OrthancPluginGetInstanceData(dgo.orthanc, instance);
    int64_t size = OrthancPluginGetInstanceSize(dgo.orthanc, instance);

    return p->set && data != NULL && size >= 0 && (uint64_t)size == p->size &&
           (data == p->data || memcmp(data, p->data, p->size) == 0);
}

/* Last check before storage, for every origin: only dcmguard's output is stored. */
static int32_t on_filter(const OrthancPluginDicomInstance *instance)
{
    if (is_pending(instance))
        return 1;
    dgo_log_error("refused to store an instance that is not the file dcmguard made for it "
                  "(did IngestTranscoding or another plugin change it?)");
    return -1; /* an error, not a discard: the sender is told */
}

static OrthancPluginErrorCode on_stored(const OrthancPluginDicomInstance *instance, const char *id)
{
    char err[DG_ERRLEN];
    pending *p = &tl_pending;
    int forward = dgo.cfg.forward_to[0] != '\0';

    if (!is_pending(instance)) {
        dgo_log_error("instance %s was stored without dcmguard's check", id);
        return OrthancPluginErrorCode_Plugin;
    }
    p->set = 0;
    if (dg_queue_add(dgo.journal, p->key, p->sop_class, id, forward, (int64_t)time(NULL), err,
                     sizeof err) != DG_OK) {
        dgo_log_error(
            "instance %s is stored protected but not journaled (no storage commitment%s): "
            "%s",
            id, forward ? ", no forwarding" : "", err);
        return OrthancPluginErrorCode_Plugin;
    }
    if (forward)
        dgo_forward_wake();
    return OrthancPluginErrorCode_Success;
}

static OrthancPluginErrorCode on_change(OrthancPluginChangeType type,
                                        OrthancPluginResourceType resource, const char *id)
{
    char err[DG_ERRLEN];

    if (type == OrthancPluginChangeType_OrthancStarted)
        dgo_forward_start();
    else if (type == OrthancPluginChangeType_OrthancStopped)
        dgo_forward_stop();
    else if (type == OrthancPluginChangeType_Deleted &&
             resource == OrthancPluginResourceType_Instance &&
             dg_queue_removed(dgo.journal, id, err, sizeof err) != DG_OK)
        dgo_log_error("cannot journal the deletion of %s: %s", id, err);
    return OrthancPluginErrorCode_Success;
}

static int load_config(void)
{
    char err[DG_ERRLEN];
    char *json = OrthancPluginGetConfiguration(dgo.orthanc);
    int rc;

    if (json == NULL) {
        dgo_log_error("cannot read Orthanc's configuration");
        return -1;
    }
    rc = dgo_config_parse(json, strlen(json), &dgo.cfg, err, sizeof err);
    OrthancPluginFreeString(dgo.orthanc, json);
    if (rc != 0)
        dgo_log_error("configuration: %s", err);
    return rc;
}

/* The library's context: key, settings, key store. */
static int open_context(const dgo_config *c)
{
    char err[DG_ERRLEN];

    if (dg_ctx_create(&dgo.ctx) != DG_OK) {
        dgo_log_error("out of memory");
        return -1;
    }
    if (dg_ctx_load_master_key(dgo.ctx, c->master_key, err, sizeof err) != DG_OK) {
        dgo_log_error("DcmGuard.MasterKey %s: %s", c->master_key, err);
        return -1;
    }
    if (dg_ctx_set_tiles(dgo.ctx, c->tile_rows, c->tile_cols) != DG_OK ||
        dg_ctx_set_threads(dgo.ctx, c->threads) != DG_OK ||
        dg_ctx_set_mode(dgo.ctx, c->mode) != DG_OK ||
        dg_ctx_set_retain(dgo.ctx, c->retain) != DG_OK ||
        dg_ctx_set_otp(dgo.ctx, c->otp_mode, c->otp_policy, c->otp_ttl) != DG_OK) {
        dgo_log_error("the library refused the DcmGuard settings");
        return -1;
    }
    if (dg_ctx_open_keystore(dgo.ctx, c->key_store, err, sizeof err) != DG_OK) {
        dgo_log_error("DcmGuard.KeyStore %s: %s", c->key_store, err);
        return -1;
    }
    return 0;
}

static int open_journal(const dgo_config *c)
{
    char err[DG_ERRLEN];

    if (dg_queue_open(c->journal, c->journal_full_sync, &dgo.journal, err, sizeof err) != DG_OK) {
        dgo_log_error("DcmGuard.Journal: %s", err);
        return -1;
    }
    dg_queue_set_backoff(dgo.journal, c->retry_first, c->retry_max);
    dg_queue_set_lease(dgo.journal, c->forward_lease);
    return 0;
}

static int register_ingest(void)
{
    OrthancPluginContext *o = dgo.orthanc;

    if (OrthancPluginRegisterReceivedInstanceCallback(o, on_received) !=
        OrthancPluginErrorCode_Success) {
        dgo_log_error("cannot register the received-instance callback (does another plugin "
                      "already modify received instances?)");
        return -1;
    }
    if (OrthancPluginRegisterIncomingDicomInstanceFilter(o, on_filter) !=
        OrthancPluginErrorCode_Success) {
        dgo_log_error("cannot register the filter of instances about to be stored");
        return -1;
    }
    OrthancPluginRegisterOnStoredInstanceCallback(o, on_stored);
    OrthancPluginRegisterOnChangeCallback(o, on_change);
    return 0;
}

static void close_all(void)
{
    dgo_forward_stop();
    dg_queue_close(dgo.journal);
    dgo.journal = NULL;
    dg_ctx_destroy(dgo.ctx);
    dgo.ctx = NULL;
}

ORTHANC_PLUGINS_API int32_t OrthancPluginInitialize(OrthancPluginContext *context)
{
    dgo.orthanc = context;
    pthread_mutex_init(&dgo.lock, NULL);
    pthread_cond_init(&dgo.wake, NULL);
    if (!OrthancPluginCheckVersionAdvanced(context, 1, 10, 0)) {
        dgo_log_error("needs Orthanc 1.10.0 or later (this is %s)", context->orthancVersion);
        return -1;
    }
    OrthancPluginSetDescription(context, "dcmguard: protects every received DICOM instance "
                                         "(JPEG-LS tiles under AES-256 + HMAC) before storage");
    if (load_config() != 0 || open_context(&dgo.cfg) != 0 || open_journal(&dgo.cfg) != 0 ||
        register_ingest() != 0 || dgo_commit_register() != 0 || dgo_rest_register() != 0) {
        dgo_log_error("not started, so that Orthanc does not start and store unprotected data");
        close_all();
        return -1;
    }
    dgo_log_warning("protecting every received instance; journal %s; forwarding to %s; "
                    "restore routes %s, key routes %s",
                    dgo.cfg.journal, dgo.cfg.forward_to[0] ? dgo.cfg.forward_to : "nobody",
                    dgo.cfg.restore_routes ? "on" : "off", dgo.cfg.key_routes ? "on" : "off");
    return 0;
}

ORTHANC_PLUGINS_API void OrthancPluginFinalize(void)
{
    close_all();
}

ORTHANC_PLUGINS_API const char *OrthancPluginGetName(void)
{
    return "dcmguard";
}

ORTHANC_PLUGINS_API const char *OrthancPluginGetVersion(void)
{
    return DG_VERSION;
}
