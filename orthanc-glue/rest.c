/*
 * rest.c - the gateway's REST routes, all under /dcmguard/:
 *
 *   GET    /dcmguard/status                   journal and forwarding counts (always on)
 *   POST   /dcmguard/instances/{id}/restore   the original of a stored instance  }
 * EnableRestoreRoutes POST   /dcmguard/restore                  the original of the protected body
 * } GET    /dcmguard/keys                     pad metadata (JSON)                } EnableKeyRoutes
 *   POST   /dcmguard/keys/purge               destroys the expired pads          }
 *   POST   /dcmguard/keys/{id}                destroys one pad (DELETE as well)  }
 *
 * Nothing that changes state answers a GET (a cross-site GET from a browser
 * with cached credentials must not consume a single-use pad): GET on a
 * restore route is a 405. The restore-deidentified routes answer the pixels
 * under the de-identified header, without the pad (refused unless Burned In
 * Annotation says NO, or with the header X-Dcmguard-Allow-Burned-In: yes). Disabled routes are not
 * registered at all, so Orthanc answers 404. With RestoreUsers, an HTTP
 * filter lets only those users (authenticated by Orthanc) reach the restore
 * and key routes, and every route checks the user again itself. Each
 * restore and key change is audited under the user's name (dg_audit_*).
 * Restores run without Orthanc's plugin lock, beside ingestion.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "gateway.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int basic_user(const char *header, char *user, size_t cap);
static int user_allowed(uint32_t count, const char *const *keys, const char *const *values);

/* The audit action of a guarded URI. */
static const char *action_of(const char *uri)
{
    return strstr(uri, "restore") != NULL ? "restore" : "keys";
}

/* Audits a refused call to uri by the user of an Authorization header (or none). */
static void audit_refusal(uint32_t count, const char *const *keys, const char *const *values,
                          const char *uri, const char *why)
{
    char user[DGO_NAME_MAX + 2] = "", actor[DG_ACTOR_MAX + 1], err[DG_ERRLEN];

    for (uint32_t i = 0; i < count; i++)
        if (strcmp(keys[i], "authorization") == 0 && basic_user(values[i], user, sizeof user) == 0)
            break;
    snprintf(actor, sizeof actor, "orthanc:%s", user[0] ? user : "(no user)");
    dg_audit_set_thread_actor(actor);
    if (dg_audit_note(dgo.ctx, action_of(uri), why, err, sizeof err) != DG_OK)
        dgo_log_error("cannot audit a refused call: %s", err);
    dg_audit_set_thread_actor(NULL);
    explicit_bzero(user, sizeof user);
}

/* Answers status with a one-line JSON error. */
static OrthancPluginErrorCode answer_error(OrthancPluginRestOutput *out, uint16_t status,
                                           const char *why)
{
    json_t *j = json_pack("{s:s,s:i}", "Error", why, "HttpStatus", (int)status);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;

    OrthancPluginSendHttpStatus(dgo.orthanc, out, status, body ? body : "",
                                body ? (uint32_t)strlen(body) : 0);
    free(body);
    json_decref(j);
    return OrthancPluginErrorCode_Success;
}

static OrthancPluginErrorCode answer_json(OrthancPluginRestOutput *out, json_t *j)
{
    char *body = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

    if (body == NULL)
        return answer_error(out, 500, "out of memory");
    OrthancPluginAnswerBuffer(dgo.orthanc, out, body, strlen(body), "application/json");
    free(body);
    return OrthancPluginErrorCode_Success;
}

/* The HTTP status for a library failure. */
static uint16_t http_status(int rc)
{
    switch (rc) {
    case DG_EINVAL:
    case DG_EINPUT:
    case DG_EFORMAT:
    case DG_EUNSUPPORTED:
    case DG_ESLICE:
        return 400; /* not a protected file dcmguard can restore */
    case DG_EAUTH:
    case DG_EKEY:
        return 422; /* altered, or protected under another master key */
    case DG_ENOPAD:
        return 410; /* the pad was destroyed: the identity is gone for good */
    default:
        return 500;
    }
}

/*
 * The caller of a guarded route, checked again here: the HTTP filter only
 * sees requests from outside, not calls made inside Orthanc (plugins, Lua).
 * Writes the actor name for the audit trail ("orthanc:USER", or
 * "orthanc:(no user)" without RestoreUsers) and answers 403 or 503 itself
 * when the caller may not go on: returns 0 to go on, -1 when answered.
 */
static int admit(OrthancPluginRestOutput *out, const OrthancPluginHttpRequest *req,
                 const char *method, char actor[DG_ACTOR_MAX + 1])
{
    char user[DGO_NAME_MAX + 2] = "";

    if (dgo.routes_blocked) {
        audit_refusal(req->headersCount, req->headersKeys, req->headersValues, method,
                      "refused: a plugin that runs user scripts is loaded");
        answer_error(out, 503,
                     "the restore and key routes are disabled: a plugin that runs user "
                     "scripts is loaded (see Orthanc's log)");
        return -1;
    }
    if (dgo.cfg.user_count > 0 &&
        !user_allowed(req->headersCount, req->headersKeys, req->headersValues)) {
        dgo_log_warning("refused %s to a caller not in DcmGuard.RestoreUsers", method);
        audit_refusal(req->headersCount, req->headersKeys, req->headersValues, method,
                      "refused: not in DcmGuard.RestoreUsers");
        answer_error(out, 403, "not a user in DcmGuard.RestoreUsers");
        return -1;
    }
    for (uint32_t i = 0; i < req->headersCount; i++)
        if (strcmp(req->headersKeys[i], "authorization") == 0 &&
            basic_user(req->headersValues[i], user, sizeof user) == 0)
            break;
    snprintf(actor, DG_ACTOR_MAX + 1, "orthanc:%s", user[0] ? user : "(no user)");
    explicit_bzero(user, sizeof user);
    dg_audit_set_thread_actor(actor);
    return 0;
}

/* Ends what admit began: this HTTP thread serves other callers next. */
static OrthancPluginErrorCode dismiss(OrthancPluginErrorCode rc)
{
    dg_audit_set_thread_actor(NULL);
    return rc;
}

/*
 * The restore flags a request asks for. Orthanc gives a POST no query
 * arguments, so "?deidentified=1" would be dropped without a word and the
 * original answered: the de-identified form is a route of its own
 * (restore-deidentified), and the burned-in override a header, whose loss
 * can only make the answer a refusal.
 */
static unsigned restore_flags(const OrthancPluginHttpRequest *req, const char *route)
{
    unsigned flags = DG_RESTORE_KEEP_PAD;

    if (strcmp(route, "restore-deidentified") == 0) {
        flags |= DG_RESTORE_DEIDENTIFIED;
        for (uint32_t i = 0; i < req->headersCount; i++)
            if (strcasecmp(req->headersKeys[i], "x-dcmguard-allow-burned-in") == 0 &&
                strcmp(req->headersValues[i], "yes") == 0)
                flags |= DG_RESTORE_BURNED_IN_OK;
    }
    return flags;
}

/* Restores a protected file and answers the original (or an error). */
static OrthancPluginErrorCode answer_restored(OrthancPluginRestOutput *out, const void *data,
                                              size_t size, unsigned flags, const char *what)
{
    char err[DG_ERRLEN];
    uint8_t *orig = NULL;
    size_t len = 0;
    int rc;

    rc = dg_restore(dgo.ctx, data, size, NULL, NULL, flags, &orig, &len, err, sizeof err);
    if (rc == DG_OK && len > UINT32_MAX) {
        dg_secure_free(orig, len);
        if (!(flags & DG_RESTORE_DEIDENTIFIED)) /* a single-use pad stays for another way */
            (void)dg_restore_abandon(dgo.ctx, data, size, NULL, 0);
        return answer_error(out, 413, "the restored file is larger than 4 GB");
    }
    if (rc != DG_OK) {
        dgo_log_warning("restore refused: %s", err);
        return answer_error(out, http_status(rc), err);
    }
    OrthancPluginAnswerBuffer(dgo.orthanc, out, orig, (uint32_t)len, "application/dicom");
    dg_secure_free(orig, len);
    dgo_log_warning("restored %s%s over REST", what,
                    (flags & DG_RESTORE_DEIDENTIFIED) ? " (de-identified)" : "");
    /* A de-identified answer used no pad: a single-use one stays (as in the CLI). */
    if (!(flags & DG_RESTORE_DEIDENTIFIED) &&
        dg_restore_done(dgo.ctx, data, size, err, sizeof err) != DG_OK)
        dgo_log_error("restore answered, but its single-use pad was not destroyed: %s", err);
    return OrthancPluginErrorCode_Success;
}

static OrthancPluginErrorCode restore_stored(OrthancPluginRestOutput *out, const char *url,
                                             const OrthancPluginHttpRequest *req)
{
    OrthancPluginMemoryBuffer file = {0};
    OrthancPluginErrorCode rc;
    char what[DG_ACTOR_MAX + 96], actor[DG_ACTOR_MAX + 1];

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Post) {
        audit_refusal(req->headersCount, req->headersKeys, req->headersValues, "a restore",
                      "refused: a restore must be a POST (405)");
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "POST");
        return OrthancPluginErrorCode_Success;
    }
    if (admit(out, req, "a restore", actor) != 0)
        return OrthancPluginErrorCode_Success;
    if (OrthancPluginGetDicomForInstance(dgo.orthanc, &file, req->groups[0]) !=
        OrthancPluginErrorCode_Success)
        return dismiss(answer_error(out, 404, "no such instance"));
    snprintf(what, sizeof what, "instance %.64s for %s", req->groups[0], actor);
    rc = answer_restored(out, file.data, file.size, restore_flags(req, req->groups[1]), what);
    OrthancPluginFreeMemoryBuffer(dgo.orthanc, &file);
    return dismiss(rc);
}

static OrthancPluginErrorCode restore_body(OrthancPluginRestOutput *out, const char *url,
                                           const OrthancPluginHttpRequest *req)
{
    char what[DG_ACTOR_MAX + 96], actor[DG_ACTOR_MAX + 1];

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Post) {
        audit_refusal(req->headersCount, req->headersKeys, req->headersValues, "a restore",
                      "refused: a restore must be a POST (405)");
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "POST");
        return OrthancPluginErrorCode_Success;
    }
    if (admit(out, req, "a restore", actor) != 0)
        return OrthancPluginErrorCode_Success;
    snprintf(what, sizeof what, "a posted file for %s", actor);
    return dismiss(
        answer_restored(out, req->body, req->bodySize, restore_flags(req, req->groups[0]), what));
}

static OrthancPluginErrorCode keys_list(OrthancPluginRestOutput *out, const char *url,
                                        const OrthancPluginHttpRequest *req)
{
    char err[DG_ERRLEN], *text = NULL, actor[DG_ACTOR_MAX + 1];
    int rc;

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Get) {
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "GET");
        return OrthancPluginErrorCode_Success;
    }
    if (admit(out, req, "the pad list", actor) != 0)
        return OrthancPluginErrorCode_Success;
    rc = dg_keys_list(dgo.ctx, 1, &text, err, sizeof err);
    if (rc != DG_OK)
        return dismiss(answer_error(out, http_status(rc), err));
    OrthancPluginAnswerBuffer(dgo.orthanc, out, text, strlen(text), "application/json");
    free(text);
    return dismiss(OrthancPluginErrorCode_Success);
}

static OrthancPluginErrorCode keys_purge(OrthancPluginRestOutput *out, const char *url,
                                         const OrthancPluginHttpRequest *req)
{
    char err[DG_ERRLEN], actor[DG_ACTOR_MAX + 1];
    unsigned destroyed = 0;
    json_t *j;
    OrthancPluginErrorCode rc;

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Post) {
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "POST");
        return OrthancPluginErrorCode_Success;
    }
    if (admit(out, req, "a purge", actor) != 0)
        return OrthancPluginErrorCode_Success;
    if (dg_keys_purge(dgo.ctx, &destroyed, err, sizeof err) != DG_OK)
        return dismiss(answer_error(out, 500, err));
    dgo_log_warning("key store purged over REST by %s: %u pad(s) destroyed", actor, destroyed);
    j = json_pack("{s:I}", "Destroyed", (json_int_t)destroyed);
    rc = answer_json(out, j);
    json_decref(j);
    return dismiss(rc);
}

static OrthancPluginErrorCode keys_destroy(OrthancPluginRestOutput *out, const char *url,
                                           const OrthancPluginHttpRequest *req)
{
    char err[DG_ERRLEN], actor[DG_ACTOR_MAX + 1];
    int rc;

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Post &&
        req->method != OrthancPluginHttpMethod_Delete) {
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "POST,DELETE");
        return OrthancPluginErrorCode_Success;
    }
    if (admit(out, req, "a pad destruction", actor) != 0)
        return OrthancPluginErrorCode_Success;
    rc = dg_keys_destroy(dgo.ctx, req->groups[0], err, sizeof err);
    if (rc == DG_ENOPAD)
        return dismiss(answer_error(out, 404, err));
    if (rc != DG_OK)
        return dismiss(answer_error(out, 500, err));
    dgo_log_warning("pad %.32s destroyed over REST by %s", req->groups[0], actor);
    OrthancPluginAnswerBuffer(dgo.orthanc, out, "{}", 2, "application/json");
    return dismiss(OrthancPluginErrorCode_Success);
}

static OrthancPluginErrorCode status(OrthancPluginRestOutput *out, const char *url,
                                     const OrthancPluginHttpRequest *req)
{
    char err[DG_ERRLEN];
    dg_queue_stats s;
    json_t *j;
    OrthancPluginErrorCode rc;

    (void)url;
    if (req->method != OrthancPluginHttpMethod_Get) {
        OrthancPluginSendMethodNotAllowed(dgo.orthanc, out, "GET");
        return OrthancPluginErrorCode_Success;
    }
    if (dg_queue_get_stats(dgo.journal, &s, err, sizeof err) != DG_OK)
        return answer_error(out, 500, err);
    j = json_pack("{s:s,s:s,s:b,s:b,s:{s:I,s:I,s:I,s:I,s:I}}", "Version", dg_version(), "ForwardTo",
                  dgo.cfg.forward_to, "RestoreRoutes", dgo.cfg.restore_routes, "KeyRoutes",
                  dgo.cfg.key_routes, "Journal", "Instances", (json_int_t)s.instances,
                  "ForwardPending", (json_int_t)s.pending, "Forwarded", (json_int_t)s.forwarded,
                  "ForwardDropped", (json_int_t)s.dropped, "NextAttempt",
                  (json_int_t)s.next_attempt);
    rc = answer_json(out, j);
    json_decref(j);
    return rc;
}

/* The user name of a "Basic" Authorization header (Orthanc has checked the password). */
static int basic_user(const char *header, char *user, size_t cap)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned acc = 0, bits = 0;
    size_t n = 0;

    if (strncmp(header, "Basic ", 6) != 0)
        return -1;
    for (const char *p = header + 6; *p != '\0' && *p != '='; p++) {
        const char *c = strchr(b64, *p);
        char ch;
        if (c == NULL)
            return -1;
        acc = (acc << 6) | (unsigned)(c - b64);
        bits += 6;
        if (bits < 8)
            continue;
        bits -= 8;
        ch = (char)((acc >> bits) & 0xff);
        if (ch == ':') { /* the password follows: never decoded */
            user[n] = '\0';
            return n > 0 ? 0 : -1;
        }
        if (ch == '\0' || n + 1 >= cap)
            return -1;
        user[n++] = ch;
    }
    return -1;
}

/* 1 when uri names anything of the gateway but its status, in any case or spelling. */
static int guarded(const char *uri)
{
    static const char word[] = "dcmguard";

    if (strcmp(uri, "/dcmguard/status") == 0)
        return 0;
    for (const char *p = uri; *p != '\0'; p++) {
        size_t i = 0;
        while (word[i] != '\0' && (p[i] | 0x20) == word[i])
            i++;
        if (word[i] == '\0')
            return 1;
    }
    return 0;
}

static int user_allowed(uint32_t count, const char *const *keys, const char *const *values)
{
    char user[DGO_NAME_MAX + 2];
    int ok = 0;

    for (uint32_t i = 0; i < count && !ok; i++) {
        if (strcmp(keys[i], "authorization") != 0 || basic_user(values[i], user, sizeof user))
            continue;
        for (unsigned u = 0; u < dgo.cfg.user_count && !ok; u++)
            ok = strcmp(user, dgo.cfg.users[u]) == 0;
        explicit_bzero(user, sizeof user);
    }
    return ok;
}

static int32_t filter(OrthancPluginHttpMethod method, const char *uri, const char *ip,
                      uint32_t count, const char *const *keys, const char *const *values,
                      uint32_t argc, const char *const *argk, const char *const *argv)
{
    (void)method;
    (void)ip;
    (void)argc;
    (void)argk;
    (void)argv;
    if (!guarded(uri))
        return 1;
    if (user_allowed(count, keys, values))
        return 1;
    dgo_log_warning("refused %.200s to a user not in DcmGuard.RestoreUsers", uri);
    audit_refusal(count, keys, values, uri, "refused: not in DcmGuard.RestoreUsers");
    return 0;
}

int dgo_rest_register(void)
{
    OrthancPluginContext *o = dgo.orthanc;

    OrthancPluginRegisterRestCallbackNoLock(o, "/dcmguard/status", status);
    if (dgo.cfg.restore_routes) {
        OrthancPluginRegisterRestCallbackNoLock(
            o, "/dcmguard/instances/([^/]+)/(restore|restore-deidentified)", restore_stored);
        OrthancPluginRegisterRestCallbackNoLock(o, "/dcmguard/(restore|restore-deidentified)",
                                                restore_body);
    }
    if (dgo.cfg.key_routes) {
        OrthancPluginRegisterRestCallbackNoLock(o, "/dcmguard/keys", keys_list);
        OrthancPluginRegisterRestCallbackNoLock(o, "/dcmguard/keys/purge", keys_purge);
        OrthancPluginRegisterRestCallbackNoLock(o, "/dcmguard/keys/([0-9a-fA-F]+)", keys_destroy);
    }
    if (dgo.cfg.user_count > 0 && OrthancPluginRegisterIncomingHttpRequestFilter2(o, filter) !=
                                      OrthancPluginErrorCode_Success) {
        dgo_log_error("cannot register the HTTP filter that enforces DcmGuard.RestoreUsers");
        return -1;
    }
    return 0;
}
