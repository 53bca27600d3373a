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
#define _DEFAULT_SOURCE /* gethostname */
#include "gateway.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void check_loaded_plugins(void);

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

    char actor[DG_ACTOR_MAX + 1];

    p->set = 0;
    snprintf(actor, sizeof actor, "%.64s (instance received %s)", dgo.actor, origin_name(origin));
    dg_audit_set_thread_actor(actor);
    rc = dg_queue_key_file(dgo.ctx, data, size, p->key, p->sop_class, err, sizeof err);
    if (rc == DG_OK)
        rc = dg_protect(dgo.ctx, data, size, NULL, DG_PROTECT_REQUIRE_UIDS, &out, err, sizeof err);
    dg_audit_set_thread_actor(NULL);
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

    if (type == OrthancPluginChangeType_OrthancStarted) {
        check_loaded_plugins();
        dgo_forward_start();
    } else if (type == OrthancPluginChangeType_OrthancStopped)
        dgo_forward_stop();
    else if (type == OrthancPluginChangeType_Deleted &&
             resource == OrthancPluginResourceType_Instance &&
             dg_queue_removed(dgo.journal, id, err, sizeof err) != DG_OK)
        dgo_log_error("cannot journal the deletion of %s: %s", id, err);
    return OrthancPluginErrorCode_Success;
}

/*
 * Once every plugin is loaded: if one that runs user scripts is among them
 * (the configuration check could not see it, e.g. under another file
 * name), the restore and key routes answer 503 from now on.
 */
static void check_loaded_plugins(void)
{
    OrthancPluginMemoryBuffer buf = {0};
    json_t *list, *name;
    size_t i;

    if (!dgo.cfg.restore_routes && !dgo.cfg.key_routes)
        return;
    if (OrthancPluginRestApiGet(dgo.orthanc, &buf, "/plugins") != OrthancPluginErrorCode_Success) {
        dgo.routes_blocked = 1;
        dgo_log_error("cannot list Orthanc's plugins: the restore and key routes are disabled");
        return;
    }
    list = json_loadb(buf.data, buf.size, 0, NULL);
    OrthancPluginFreeMemoryBuffer(dgo.orthanc, &buf);
    json_array_foreach(list, i, name)
    {
        if (json_is_string(name) && dgo_scripting_plugin_name(json_string_value(name)) != NULL) {
            dgo.routes_blocked = 1;
            dgo_log_error(
                "the plugin \"%.64s\" runs user scripts inside Orthanc, where they bypass "
                "RestoreUsers and can read the master key: the restore and key routes are "
                "disabled (docs/orthanc.md: a restore-only Orthanc)",
                json_string_value(name));
        }
    }
    if (!json_is_array(list)) {
        dgo.routes_blocked = 1;
        dgo_log_error("cannot read Orthanc's plugin list: the restore and key routes are disabled");
    }
    json_decref(list);
}

/* A folder of "Plugins" holding a plugin that runs user scripts: its name, or NULL. */
static const char *scripting_plugin_in(const char *folder, char *found, size_t cap)
{
    DIR *d = opendir(folder);
    struct dirent *e;

    if (d == NULL)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && strstr(e->d_name, ".so") != NULL &&
            dgo_scripting_plugin_name(e->d_name) != NULL) {
            snprintf(found, cap, "%s/%s", folder, e->d_name);
            closedir(d);
            return found;
        }
    }
    closedir(d);
    return NULL;
}

/* Refuses the restore and key routes beside a folder of "Plugins" that holds a script runner. */
static int check_plugin_folders(const char *json)
{
    json_t *root = json_loads(json, 0, NULL), *p;
    char found[DGO_PATH_MAX + 256];
    struct stat st;
    size_t i;
    int rc = 0;

    if (!dgo.cfg.restore_routes && !dgo.cfg.key_routes)
        goto done;
    json_array_foreach(json_object_get(root, "Plugins"), i, p)
    {
        if (!json_is_string(p) || stat(json_string_value(p), &st) != 0 || !S_ISDIR(st.st_mode) ||
            scripting_plugin_in(json_string_value(p), found, sizeof found) == NULL)
            continue;
        dgo_log_error("configuration: the restore and key routes are refused beside %.300s, a "
                      "plugin that runs user scripts: its code bypasses RestoreUsers and can read "
                      "the master key (use a restore-only Orthanc, docs/orthanc.md)",
                      found);
        rc = -1;
        break;
    }
done:
    json_decref(root);
    return rc;
}

/*
 * Orthanc's --trace writes DIMSE dumps, with the original UIDs, to its log;
 * its --verbose names the UIDs a modality asks storage commitment for.
 */
static void warn_about_logging(void)
{
    uint32_t n = OrthancPluginGetCommandLineArgumentsCount(dgo.orthanc);
    int trace = 0, verbose = 0;

    for (uint32_t i = 0; i < n; i++) {
        char *arg = OrthancPluginGetCommandLineArgument(dgo.orthanc, i);
        if (arg == NULL)
            continue;
        trace |= strncmp(arg, "--trace", 7) == 0;
        verbose |= strncmp(arg, "--verbose", 9) == 0; /* also --verbose-CATEGORY */
        OrthancPluginFreeString(dgo.orthanc, arg);
    }
    if (trace)
        dgo_log_warning("Orthanc runs with trace logging: its log gets the received DICOM "
                        "requests before dcmguard protects them, original UIDs included; "
                        "use it only on test data (docs/orthanc.md)");
    else if (verbose)
        dgo_log_warning("Orthanc runs with verbose logging: its log names the original SOP "
                        "Instance UIDs of every storage commitment request; treat the log as "
                        "patient data (docs/orthanc.md)");
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
    if (rc != 0)
        dgo_log_error("configuration: %s", err);
    else
        rc = check_plugin_folders(json);
    OrthancPluginFreeString(dgo.orthanc, json);
    return rc;
}

/* The library's context: key, settings, key store. */
static int open_context(const dgo_config *c)
{
    char err[DG_ERRLEN];

    char host[64] = "localhost";

    if (dg_ctx_create(&dgo.ctx) != DG_OK) {
        dgo_log_error("out of memory");
        return -1;
    }
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(dgo.actor, sizeof dgo.actor, "orthanc-gateway@%s", host);
    dg_ctx_set_actor(dgo.ctx, dgo.actor);
    dg_ctx_set_audit_syslog(dgo.ctx, c->audit_syslog);
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

/* The gateway's start is an audited act (docs/audit.md). */
static int audit_start(void)
{
    char err[DG_ERRLEN], outcome[96];

    snprintf(outcome, sizeof outcome, "success (restore routes %s, key routes %s)",
             dgo.cfg.restore_routes ? "on" : "off", dgo.cfg.key_routes ? "on" : "off");
    if (dg_audit_note(dgo.ctx, "gateway-start", outcome, err, sizeof err) != DG_OK) {
        dgo_log_error("not started: cannot write the audit trail: %s", err);
        return -1;
    }
    return 0;
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
    warn_about_logging();
    if (audit_start() != 0) {
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
