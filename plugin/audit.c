/*
 * audit.c - the audit trail of the public API (dcmguard.h, docs/audit.md):
 * who did what to which pseudonymous instance and pad, with what outcome.
 * Records are hash-chained by crypto/audit.c and stored by the key store's
 * backend (crypto/keystore.c); optionally each is also sent to syslog as a
 * DICOM audit message (PS3.15 A.5 / RFC 3881 XML).
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include "audit.h"
#include "buffer.h"
#include "internal.h"
#include "keystore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static _Thread_local char thread_actor[DG_ACTOR_MAX + 1];

DG_API void dg_audit_set_thread_actor(const char *actor)
{
    snprintf(thread_actor, sizeof thread_actor, "%s", actor != NULL ? actor : "");
}

DG_API int dg_ctx_set_actor(dg_ctx *ctx, const char *actor)
{
    if (ctx == NULL || actor == NULL || strlen(actor) > DG_ACTOR_MAX)
        return DG_EINVAL;
    snprintf(ctx->actor, sizeof ctx->actor, "%s", actor);
    return DG_OK;
}

DG_API int dg_ctx_set_audit_syslog(dg_ctx *ctx, int on)
{
    if (ctx == NULL)
        return DG_EINVAL;
    ctx->audit_syslog = on != 0;
    return DG_OK;
}

static const char *actor_of(const dg_ctx *ctx)
{
    if (thread_actor[0] != '\0')
        return thread_actor;
    return ctx->actor[0] != '\0' ? ctx->actor : "unknown";
}

static void format_utc(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%lld", (long long)t);
}

/* ---- the DICOM audit message ---- */

/* Appends text with the five XML special characters escaped. */
static void put_xml_text(dg_buf *b, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            dg_buf_put(b, "&amp;", 5);
            break;
        case '<':
            dg_buf_put(b, "&lt;", 4);
            break;
        case '>':
            dg_buf_put(b, "&gt;", 4);
            break;
        case '"':
            dg_buf_put(b, "&quot;", 6);
            break;
        case '\'':
            dg_buf_put(b, "&apos;", 6);
            break;
        default:
            dg_buf_put(b, p, 1);
        }
    }
}

static void put_str(dg_buf *b, const char *s)
{
    dg_buf_put(b, s, strlen(s));
}

/* Appends text as base64 (the type of ParticipantObjectDetail's value in the DICOM schema). */
static void put_base64(dg_buf *b, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char out[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                       i + 2 < n ? b64[v & 63] : '='};
        dg_buf_put(b, out, 4);
    }
}

/* The PS3.15 A.5 event of an action: EventID code, meaning, EventActionCode. */
static void event_of(const char *action, const char **code, const char **meaning, const char **act)
{
    *code = "110103";
    *meaning = "DICOM Instances Accessed";
    *act = "R";
    if (strcmp(action, "protect") == 0)
        *act = "C";
    else if (strncmp(action, "pad-", 4) == 0)
        *act = "D";
    else if (strcmp(action, "restore") == 0 || strcmp(action, "restore-deidentified") == 0) {
        *code = "110110";
        *meaning = "Patient Record";
    } else if (strcmp(action, "keystore-create") == 0 || strcmp(action, "gateway-start") == 0) {
        *code = "110100";
        *meaning = "Application Activity";
        *act = "E";
    }
}

DG_API char *dg_audit_xml(int64_t time, const char *actor, const char *action, const char *instance,
                          const char *pad, const char *outcome)
{
    const char *code, *meaning, *act;
    char when[32];
    dg_buf b;

    if (actor == NULL || action == NULL || outcome == NULL)
        return NULL;
    event_of(action, &code, &meaning, &act);
    format_utc(time, when);
    dg_buf_init(&b);
    put_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage>"
                "<EventIdentification EventActionCode=\"");
    put_str(&b, act);
    put_str(&b, "\" EventDateTime=\"");
    put_str(&b, when);
    put_str(&b, "\" EventOutcomeIndicator=\"");
    put_str(&b, strncmp(outcome, "success", 7) == 0 ? "0" : "4");
    put_str(&b, "\"><EventID csd-code=\"");
    put_str(&b, code);
    put_str(&b, "\" codeSystemName=\"DCM\" originalText=\"");
    put_str(&b, meaning);
    put_str(&b, "\"/><EventOutcomeDescription>");
    put_xml_text(&b, outcome);
    put_str(&b, "</EventOutcomeDescription></EventIdentification>"
                "<ActiveParticipant UserID=\"");
    put_xml_text(&b, actor);
    put_str(&b, "\" UserIsRequestor=\"true\"/>"
                "<AuditSourceIdentification AuditSourceID=\"dcmguard\"/>");
    if (instance != NULL && instance[0] != '\0') {
        put_str(&b, "<ParticipantObjectIdentification ParticipantObjectID=\"");
        put_xml_text(&b, instance);
        put_str(&b, "\" ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"3\">"
                    "<ParticipantObjectIDTypeCode csd-code=\"pseudonymous-sop-instance-uid\" "
                    "codeSystemName=\"dcmguard\" originalText=\"pseudonymous SOP Instance "
                    "UID\"/>");
        put_str(&b, "<ParticipantObjectDetail type=\"dcmguard-action\" value=\"");
        put_base64(&b, action);
        put_str(&b, "\"/>");
        if (pad != NULL && pad[0] != '\0') {
            put_str(&b, "<ParticipantObjectDetail type=\"dcmguard-pad\" value=\"");
            put_base64(&b, pad);
            put_str(&b, "\"/>");
        }
        put_str(&b, "</ParticipantObjectIdentification>");
    }
    put_str(&b, "</AuditMessage>");
    dg_buf_put(&b, "", 1);
    if (b.failed) {
        dg_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

static void send_syslog(const dg_audit_record *r)
{
    char *xml = dg_audit_xml(r->time, r->actor, r->action, r->instance, r->pad, r->outcome);

    if (xml == NULL)
        return;
    syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", xml);
    free(xml);
}

/* ---- writing ---- */

static int append(dg_ctx *ctx, dg_audit_record *r, char *err, size_t errlen)
{
    char why[DG_ERRLEN];

    int rc = dg_keystore_audit_append(ctx->store, r, why, sizeof why);

    if (rc == DG_KS_EUNSUPPORTED) /* a backend without a trail yet: docs/audit.md */
        return DG_OK;
    if (rc != DG_KS_OK)
        return dg_fail(err, errlen, DG_ESTORE, "cannot write the audit record: %s", why);
    if (ctx->audit_syslog)
        send_syslog(r);
    return DG_OK;
}

int dg_audit_event(dg_ctx *ctx, const char *action, const char *instance, const char *pad,
                   int status, const char *why, char *err, size_t errlen)
{
    char outcome[DG_AUDIT_OUTCOME_MAX + 1];
    dg_audit_record r;

    if (ctx == NULL || ctx->store == NULL)
        return DG_OK; /* no trail without a store: docs/audit.md */
    if (status == DG_OK)
        snprintf(outcome, sizeof outcome, "success");
    else
        snprintf(outcome, sizeof outcome, "refused: %s",
                 why != NULL && why[0] ? why : dg_status_name(status));
    dg_audit_fill(&r, (int64_t)time(NULL), actor_of(ctx), action, instance, pad, outcome);
    return append(ctx, &r, err, errlen);
}

DG_API int dg_audit_note(dg_ctx *ctx, const char *action, const char *outcome, char *err,
                         size_t errlen)
{
    dg_audit_record r;

    if (ctx == NULL || action == NULL || outcome == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "invalid arguments to dg_audit_note");
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open");
    dg_audit_fill(&r, (int64_t)time(NULL), actor_of(ctx), action, NULL, NULL, outcome);
    return append(ctx, &r, err, errlen);
}

/* ---- reading ---- */

typedef struct listing {
    dg_buf text;
    int json;
    unsigned count;
    dg_audit_record *all; /* verify: every record */
    size_t n, cap;
} listing;

static void put_json_string(dg_buf *b, const char *s)
{
    dg_buf_put(b, "\"", 1);
    for (const char *p = s; *p != '\0'; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = *p;
            dg_buf_put(b, esc, 2);
        } else if ((unsigned char)*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(unsigned char)*p);
            dg_buf_put(b, esc, 6);
        } else {
            dg_buf_put(b, p, 1);
        }
    }
    dg_buf_put(b, "\"", 1);
}

static int list_one(void *user, const dg_audit_record *r)
{
    listing *l = user;
    char when[32], head[64];

    format_utc(r->time, when);
    if (l->json == DG_AUDIT_XML) {
        char *xml = dg_audit_xml(r->time, r->actor, r->action, r->instance, r->pad, r->outcome);
        if (xml == NULL)
            return -1;
        put_str(&l->text, xml);
        put_str(&l->text, "\n");
        free(xml);
    } else if (l->json) {
        snprintf(head, sizeof head, "%s{\"seq\":%lld,\"time\":", l->count ? "," : "",
                 (long long)r->seq);
        put_str(&l->text, head);
        put_json_string(&l->text, when);
        const char *names[] = {"actor", "action", "instance", "pad", "outcome", "prev", "hash"};
        const char *values[] = {r->actor,   r->action, r->instance, r->pad,
                                r->outcome, r->prev,   r->hash};
        for (int i = 0; i < 7; i++) {
            put_str(&l->text, ",\"");
            put_str(&l->text, names[i]);
            put_str(&l->text, "\":");
            put_json_string(&l->text, values[i]);
        }
        put_str(&l->text, "}");
    } else {
        snprintf(head, sizeof head, "%lld  %s  ", (long long)r->seq, when);
        put_str(&l->text, head);
        put_str(&l->text, r->actor);
        put_str(&l->text, "  ");
        put_str(&l->text, r->action);
        put_str(&l->text, "  instance=");
        put_str(&l->text, r->instance[0] ? r->instance : "-");
        put_str(&l->text, "  pad=");
        put_str(&l->text, r->pad[0] ? r->pad : "-");
        put_str(&l->text, "  ");
        put_str(&l->text, r->outcome);
        put_str(&l->text, "\n");
    }
    l->count++;
    return l->text.failed ? -1 : 0;
}

static int need_store(dg_ctx *ctx, char *err, size_t errlen)
{
    if (ctx == NULL)
        return dg_fail(err, errlen, DG_EINVAL, "no context");
    if (ctx->store == NULL)
        return dg_fail(err, errlen, DG_ESTORE, "no key store open");
    return DG_OK;
}

DG_API int dg_audit_list(dg_ctx *ctx, int json, int64_t since, char **text, char *err,
                         size_t errlen)
{
    char why[DG_ERRLEN];
    listing l;
    int rc = need_store(ctx, err, errlen);

    if (rc != DG_OK || text == NULL)
        return rc != DG_OK ? rc : DG_EINVAL;
    *text = NULL;
    memset(&l, 0, sizeof l);
    dg_buf_init(&l.text);
    l.json = json;
    if (json == 1)
        put_str(&l.text, "[");
    if (dg_keystore_audit_list(ctx->store, since, list_one, &l, why, sizeof why) != DG_KS_OK) {
        dg_buf_free(&l.text);
        return dg_fail(err, errlen, DG_ESTORE, "cannot read the audit trail: %s", why);
    }
    dg_buf_put(&l.text, json == 1 ? "]\n" : "", json == 1 ? 3 : 1);
    if (l.text.failed) {
        dg_buf_free(&l.text);
        return dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    }
    *text = (char *)l.text.data;
    return DG_OK;
}

static int keep_one(void *user, const dg_audit_record *r)
{
    listing *l = user;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        dg_audit_record *all =
            cap > SIZE_MAX / sizeof *all ? NULL : realloc(l->all, cap * sizeof *all);
        if (all == NULL)
            return -1;
        l->all = all;
        l->cap = cap;
    }
    l->all[l->n++] = *r;
    return 0;
}

/* 1 when some record has the seq and hash of anchor "SEQ:HASH"; -1 when anchor is malformed. */
static int anchor_holds(const listing *l, const char *anchor)
{
    long long seq;
    char hash[DG_AUDIT_HASH_HEX + 2];

    if (sscanf(anchor, "%lld:%65s", &seq, hash) != 2 || strlen(hash) != DG_AUDIT_HASH_HEX)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        if (l->all[i].seq == seq)
            return strcmp(l->all[i].hash, hash) == 0;
    return 0;
}

DG_API int dg_audit_verify(dg_ctx *ctx, const char *anchor, int *intact, char **report, char *err,
                           size_t errlen)
{
    char why[DG_ERRLEN], line[DG_ERRLEN + 160];
    listing l;
    int rc = need_store(ctx, err, errlen), broken;

    if (rc != DG_OK || intact == NULL || report == NULL)
        return rc != DG_OK ? rc : DG_EINVAL;
    *report = NULL;
    *intact = 0;
    memset(&l, 0, sizeof l);
    if (dg_keystore_audit_list(ctx->store, INT64_MIN, keep_one, &l, why, sizeof why) != DG_KS_OK) {
        free(l.all);
        /* a row too damaged to read is itself a finding */
        snprintf(line, sizeof line, "audit trail broken: %s\n", why);
        *report = strdup(line);
        return *report != NULL ? DG_OK : dg_fail(err, errlen, DG_ENOMEM, "out of memory");
    }
    broken = dg_audit_check(l.all, l.n, why, sizeof why);
    if (broken < 0) {
        free(l.all);
        return dg_fail(err, errlen, DG_ECRYPTO, "%s", why);
    }
    if (broken)
        snprintf(line, sizeof line, "audit trail broken: %s\n", why);
    else if (anchor != NULL && anchor_holds(&l, anchor) != 1)
        snprintf(line, sizeof line, "audit trail broken: the anchor %.80s %s\n", anchor,
                 anchor_holds(&l, anchor) < 0
                     ? "is not SEQ:HASH (64 hex digits)"
                     : "matches no record (the chain was rewritten or cut)");
    else {
        *intact = 1;
        snprintf(line, sizeof line, "audit trail intact: %zu records, head %lld:%s\n", l.n,
                 l.n ? (long long)l.all[l.n - 1].seq : 0LL, l.n ? l.all[l.n - 1].hash : "-");
    }
    free(l.all);
    *report = strdup(line);
    return *report != NULL ? DG_OK : dg_fail(err, errlen, DG_ENOMEM, "out of memory");
}
