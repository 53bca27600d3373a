/*
 * config.c - parses and checks the "DcmGuard" section of the Orthanc
 * configuration (JSON, with libjansson). See config.h for the contract and
 * docs/orthanc.md for the settings.
 */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A printable copy of configuration text for an error message: one line, at most 64 characters. */
static const char *shown(const char *s, char out[68])
{
    size_t n = 0;
    for (; s[n] != '\0' && n < 64; n++)
        out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
    strcpy(out + n, s[n] != '\0' ? "..." : "");
    return out;
}

/* Copies a non-empty JSON string of at most cap - 1 bytes without NUL into out. */
static int get_text(const json_t *v, const char *name, char *out, size_t cap, int allow_empty,
                    char *err, size_t errlen)
{
    size_t n;
    if (!json_is_string(v))
        return fail(err, errlen, "DcmGuard.%s must be a string", name);
    n = json_string_length(v);
    if ((n == 0 && !allow_empty) || n >= cap || memchr(json_string_value(v), '\0', n) != NULL)
        return fail(err, errlen, "DcmGuard.%s must be a non-empty string of at most %zu bytes",
                    name, cap - 1);
    memcpy(out, json_string_value(v), n + 1);
    return 0;
}

static int get_bool(const json_t *v, const char *name, int *out, char *err, size_t errlen)
{
    if (!json_is_boolean(v))
        return fail(err, errlen, "DcmGuard.%s must be true or false", name);
    *out = json_is_true(v);
    return 0;
}

static int get_uint(const json_t *v, const char *name, unsigned lo, unsigned hi, unsigned *out,
                    char *err, size_t errlen)
{
    json_int_t n;
    if (!json_is_integer(v))
        return fail(err, errlen, "DcmGuard.%s must be an integer", name);
    n = json_integer_value(v);
    if (n < (json_int_t)lo || n > (json_int_t)hi)
        return fail(err, errlen, "DcmGuard.%s must be between %u and %u", name, lo, hi);
    *out = (unsigned)n;
    return 0;
}

/* Maps a string setting to one of names[]; *out is its index. */
static int get_choice(const json_t *v, const char *name, const char *const *names, int count,
                      int *out, char *err, size_t errlen)
{
    if (json_is_string(v))
        for (int i = 0; i < count; i++)
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = i;
                return 0;
            }
    return fail(err, errlen, "DcmGuard.%s must be one of \"%s\" ... \"%s\"", name, names[0],
                names[count - 1]);
}

static int set_mode(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    static const char *const names[] = {"aes", "chaos"};
    int i = 0;
    if (get_choice(v, "Mode", names, 2, &i, err, errlen) != 0)
        return -1;
    c->mode = i == 0 ? DG_MODE_AES : DG_MODE_CHAOS;
    return 0;
}

static int set_tiles(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    unsigned r, k;
    char tail;
    const char *s = json_string_value(v);

    if (s != NULL && strcmp(s, "auto") == 0) {
        c->tile_rows = c->tile_cols = 0;
        return 0;
    }
    if (s == NULL || sscanf(s, "%3ux%3u%c", &r, &k, &tail) != 2 || r < 1 || k < 1 || r > 256 ||
        k > 256)
        return fail(err, errlen, "DcmGuard.Tiles must be \"auto\" or \"RxC\" (1 to 256 each)");
    c->tile_rows = r;
    c->tile_cols = k;
    return 0;
}

static int set_otp_mode(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    static const char *const names[] = {"binary", "vigenere", "numeric"};
    static const dg_otp_mode modes[] = {DG_OTP_BINARY, DG_OTP_VIGENERE, DG_OTP_NUMERIC};
    int i = 0;
    if (get_choice(v, "OtpMode", names, 3, &i, err, errlen) != 0)
        return -1;
    c->otp_mode = modes[i];
    return 0;
}

static int set_otp_policy(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    static const char *const names[] = {"reusable", "single-use"};
    int i = 0;
    if (get_choice(v, "OtpPolicy", names, 2, &i, err, errlen) != 0)
        return -1;
    c->otp_policy = i == 0 ? DG_OTP_REUSABLE : DG_OTP_SINGLE_USE;
    return 0;
}

static int set_otp_ttl(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    if (!json_is_string(v) || dg_parse_duration(json_string_value(v), &c->otp_ttl) != DG_OK)
        return fail(err, errlen,
                    "DcmGuard.OtpTimeToLive must be \"0\" (never) or a duration such as \"30d\", "
                    "\"12h\", \"90m\", \"45s\"");
    return 0;
}

static int set_users(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    size_t i;
    json_t *u;

    if (!json_is_array(v) || json_array_size(v) > DGO_USERS_MAX)
        return fail(err, errlen, "DcmGuard.RestoreUsers must be an array of at most %d names",
                    DGO_USERS_MAX);
    json_array_foreach(v, i, u)
    {
        if (get_text(u, "RestoreUsers[]", c->users[i], sizeof c->users[i], 0, err, errlen) != 0)
            return -1;
    }
    c->user_count = (unsigned)json_array_size(v);
    return 0;
}

/* "Retain": the profile options, comma-separated as for protect --retain (docs/header.md). */
static int set_retain(dgo_config *c, const json_t *v, char *err, size_t errlen)
{
    unsigned bits = 0;

    if (!json_is_string(v) || dg_parse_retain(json_string_value(v), &bits) != DG_OK ||
        ((bits & DG_RETAIN_FULL_DATES) && (bits & DG_RETAIN_MODIFIED_DATES)))
        return fail(err, errlen,
                    "DcmGuard.Retain must be a string of names from safe-private, uids, device, "
                    "institution, patient-chars, dates, modified-dates (not both date options)");
    c->retain = bits;
    return 0;
}

/* Sets one setting of the section from its name; unknown names are errors. */
static int set_one(dgo_config *c, const char *name, const json_t *v, char *err, size_t errlen)
{
#define IS(s) (strcmp(name, s) == 0)
#define TEXT(field, empty) get_text(v, name, c->field, sizeof c->field, empty, err, errlen)
    if (IS("MasterKey"))
        return TEXT(master_key, 0);
    if (IS("KeyStore"))
        return TEXT(key_store, 0);
    if (IS("Journal"))
        return TEXT(journal, 0);
    if (IS("JournalFullSync"))
        return get_bool(v, name, &c->journal_full_sync, err, errlen);
    if (IS("Mode"))
        return set_mode(c, v, err, errlen);
    if (IS("Tiles"))
        return set_tiles(c, v, err, errlen);
    if (IS("Threads"))
        return get_uint(v, name, 0, 256, &c->threads, err, errlen);
    if (IS("OtpMode"))
        return set_otp_mode(c, v, err, errlen);
    if (IS("OtpPolicy"))
        return set_otp_policy(c, v, err, errlen);
    if (IS("OtpTimeToLive"))
        return set_otp_ttl(c, v, err, errlen);
    if (IS("ForwardTo"))
        return TEXT(forward_to, 1);
    if (IS("ForwardToDicomWeb"))
        return TEXT(forward_to_dicomweb, 1);
    if (IS("ForwardBatch"))
        return get_uint(v, name, 1, 1000, &c->forward_batch, err, errlen);
    if (IS("ForwardRetryFirst"))
        return get_uint(v, name, 1, 86400, &c->retry_first, err, errlen);
    if (IS("ForwardRetryMax"))
        return get_uint(v, name, 1, 7 * 86400, &c->retry_max, err, errlen);
    if (IS("ForwardTimeout"))
        return get_uint(v, name, 1, 3600, &c->forward_timeout, err, errlen);
    if (IS("ForwardLease"))
        return get_uint(v, name, 1, 86400, &c->forward_lease, err, errlen);
    if (IS("EnableRestoreRoutes"))
        return get_bool(v, name, &c->restore_routes, err, errlen);
    if (IS("EnableKeyRoutes"))
        return get_bool(v, name, &c->key_routes, err, errlen);
    if (IS("RestoreUsers"))
        return set_users(c, v, err, errlen);
    if (IS("AuditSyslog"))
        return get_bool(v, name, &c->audit_syslog, err, errlen);
    if (IS("Retain"))
        return set_retain(c, v, err, errlen);
#undef TEXT
#undef IS
    char buf[68];
    return fail(err, errlen, "unknown setting DcmGuard.%s (misspelt?)", shown(name, buf));
}

static void set_defaults(dgo_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = DG_MODE_AES;
    c->otp_mode = DG_OTP_BINARY;
    c->otp_policy = DG_OTP_REUSABLE;
    c->forward_batch = 16;
    c->retry_first = 5;
    c->retry_max = 300;
    c->forward_timeout = 60;
    c->forward_lease = 300;
}

/*
 * The default journal: dcmguard-journal.db in the key store's folder, or
 * the key store's PostgreSQL database (the journal shared by every gateway).
 */
static int default_journal(dgo_config *c, char *err, size_t errlen)
{
    if (strncmp(c->key_store, "postgresql://", 13) == 0 ||
        strncmp(c->key_store, "postgres://", 11) == 0) {
        memcpy(c->journal, c->key_store, strlen(c->key_store) + 1); /* same size of buffer */
        return 0;
    }
    const char *slash = strrchr(c->key_store, '/');
    int dir = slash == NULL ? 0 : (int)(slash - c->key_store) + 1;
    int n = snprintf(c->journal, sizeof c->journal, "%.*sdcmguard-journal.db", dir, c->key_store);
    if (n < 0 || (size_t)n >= sizeof c->journal)
        return fail(err, errlen, "DcmGuard.KeyStore is too long to put the journal beside it");
    return 0;
}

/* 1 when s contains word, ignoring ASCII case. */
static int contains_word(const char *s, const char *word)
{
    for (; *s != '\0'; s++) {
        size_t i = 0;
        while (word[i] != '\0' && (s[i] | 0x20) == word[i])
            i++;
        if (word[i] == '\0')
            return 1;
    }
    return 0;
}

/* A file name (its last path component) that looks like a plugin running user scripts. */
const char *dgo_scripting_plugin_name(const char *name)
{
    static const char *const words[] = {"python", "java", "lua"};
    const char *base = strrchr(name, '/');

    base = base != NULL ? base + 1 : name;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (contains_word(base, words[i]))
            return words[i];
    return NULL;
}

/*
 * Code that runs inside Orthanc calls the REST API without passing through
 * the HTTP filter that enforces RestoreUsers (and may forge any header), so
 * routes that give identities back are refused beside a script runner.
 */
static int check_scripting(const json_t *root, const dgo_config *c, char *err, size_t errlen)
{
    const json_t *plugins = json_object_get(root, "Plugins"), *p;
    const char *what = c->restore_routes ? "EnableRestoreRoutes" : "EnableKeyRoutes";
    char buf[68];
    size_t i;

    if (!c->restore_routes && !c->key_routes)
        return 0;
    if (json_is_true(json_object_get(root, "ExecuteLuaEnabled")))
        return fail(err, errlen,
                    "DcmGuard.%s is refused with \"ExecuteLuaEnabled\": true: a Lua script sent "
                    "to /tools/execute-script runs inside Orthanc, bypasses RestoreUsers and can "
                    "read the master key (use a restore-only Orthanc, docs/orthanc.md)",
                    what);
    if (json_object_get(root, "PythonScript") != NULL || json_object_get(root, "Java") != NULL)
        return fail(
            err, errlen,
            "DcmGuard.%s is refused beside a plugin that runs user scripts (PythonScript or "
            "Java is configured): its code bypasses RestoreUsers and can read the master "
            "key (use a restore-only Orthanc, docs/orthanc.md)",
            what);
    json_array_foreach(plugins, i, p)
    {
        if (json_is_string(p) && dgo_scripting_plugin_name(json_string_value(p)) != NULL)
            return fail(err, errlen,
                        "DcmGuard.%s is refused beside the plugin \"%s\", which runs user scripts: "
                        "its code bypasses RestoreUsers and can read the master key (use a "
                        "restore-only Orthanc, docs/orthanc.md)",
                        what, shown(json_string_value(p), buf));
    }
    return 0;
}

/*
 * ForwardToDicomWeb names a server of the DICOMweb plugin's section
 * ("DicomWeb": {"Servers": {NAME: ...}}, or servers kept in Orthanc's
 * database); keeps the plugin's Root for the STOW-RS route.
 */
static int check_dicomweb(const json_t *root, dgo_config *c, char *err, size_t errlen)
{
    const json_t *dw = json_object_get(root, "DicomWeb");
    const json_t *at = json_object_get(dw, "Root");
    char buf[68];

    if (c->forward_to[strcspn(c->forward_to, "/?#% \\")] != '\0')
        return fail(err, errlen, "DcmGuard.ForwardToDicomWeb \"%s\" cannot be part of a URI",
                    shown(c->forward_to, buf));
    if (!json_is_true(json_object_get(dw, "ServersInDatabase")) &&
        json_object_get(json_object_get(dw, "Servers"), c->forward_to) == NULL)
        return fail(err, errlen,
                    "DcmGuard.ForwardToDicomWeb \"%s\" is not a name in DicomWeb.Servers",
                    shown(c->forward_to, buf));
    snprintf(c->dicomweb_root, sizeof c->dicomweb_root, "/dicom-web/");
    if (json_is_string(at)) {
        const char *r = json_string_value(at);
        size_t n = strlen(r);
        if (n == 0 || r[0] != '/' || n + 2 > sizeof c->dicomweb_root || strchr(r, '?'))
            return fail(err, errlen, "DicomWeb.Root must be a path such as \"/dicom-web/\"");
        snprintf(c->dicomweb_root, sizeof c->dicomweb_root, "%s%s", r, r[n - 1] == '/' ? "" : "/");
    }
    return 0;
}

/* Settings of Orthanc itself that would defeat or contradict the gateway. */
static int check_orthanc(const json_t *root, dgo_config *c, char *err, size_t errlen)
{
    const json_t *ingest = json_object_get(root, "IngestTranscoding");
    const json_t *mods = json_object_get(root, "DicomModalities");
    const json_t *in_db = json_object_get(root, "DicomModalitiesInDatabase");
    const json_t *users = json_object_get(root, "RegisteredUsers");
    char buf[68];

    if (!json_is_false(json_object_get(root, "SaveJobs")))
        return fail(err, errlen,
                    "\"SaveJobs\" must be false (Orthanc's default is true): Orthanc would save "
                    "every storage commitment request in its database, with the SOP Instance UIDs "
                    "the modality asks about, which are the original UIDs");
    if (!json_is_false(json_object_get(root, "WebDavEnabled")) &&
        !json_is_false(json_object_get(root, "WebDavUploadAllowed")))
        return fail(err, errlen,
                    "WebDAV uploads must be off (\"WebDavUploadAllowed\": false, or "
                    "\"WebDavEnabled\": false; both are true by default): Orthanc keeps each "
                    "uploaded file unprotected in its temporary folder until it is processed, and "
                    "answers 201 Created even when dcmguard refuses it");
    if (json_is_string(ingest) && json_string_length(ingest) > 0)
        return fail(err, errlen,
                    "IngestTranscoding is set: Orthanc would re-encode the protected files after "
                    "dcmguard; remove it (dcmguard already stores pixels as JPEG-LS)");
    if (c->forward_to[0] != '\0' && !c->forward_dicomweb && !json_is_true(in_db) &&
        json_object_get(mods, c->forward_to) == NULL)
        return fail(err, errlen, "DcmGuard.ForwardTo \"%s\" is not a name in DicomModalities",
                    shown(c->forward_to, buf));
    if (c->forward_dicomweb && check_dicomweb(root, c, err, errlen) != 0)
        return -1;
    if (c->user_count > 0 && !json_is_true(json_object_get(root, "AuthenticationEnabled")))
        return fail(err, errlen, "DcmGuard.RestoreUsers needs \"AuthenticationEnabled\": true");
    for (unsigned i = 0; i < c->user_count; i++)
        if (json_object_get(users, c->users[i]) == NULL)
            return fail(err, errlen, "DcmGuard.RestoreUsers: \"%s\" is not in RegisteredUsers",
                        shown(c->users[i], buf));
    return check_scripting(root, c, err, errlen);
}

static int parse_section(const json_t *section, dgo_config *c, char *err, size_t errlen)
{
    const char *name;
    json_t *v;

    if (!json_is_object(section))
        return fail(err, errlen,
                    "no \"DcmGuard\" section in the Orthanc configuration: the gateway cannot "
                    "protect anything without its MasterKey and KeyStore");
    json_object_foreach((json_t *)section, name, v)
    {
        if (set_one(c, name, v, err, errlen) != 0)
            return -1;
    }
    if (c->master_key[0] == '\0')
        return fail(err, errlen, "DcmGuard.MasterKey is required (a file made by dcmguard keygen)");
    if (c->key_store[0] == '\0')
        return fail(err, errlen,
                    "DcmGuard.KeyStore is required (the key store's path or postgresql:// URI)");
    if (c->forward_to[0] != '\0' && c->forward_to_dicomweb[0] != '\0')
        return fail(err, errlen, "DcmGuard.ForwardTo and ForwardToDicomWeb: choose one archive");
    if (c->forward_to_dicomweb[0] != '\0') {
        memcpy(c->forward_to, c->forward_to_dicomweb, sizeof c->forward_to);
        c->forward_dicomweb = 1;
    }
    if (c->retry_max < c->retry_first)
        return fail(err, errlen, "DcmGuard.ForwardRetryMax is below ForwardRetryFirst");
    if (c->journal[0] == '\0')
        return default_journal(c, err, errlen);
    return 0;
}

int dgo_config_parse(const char *json, size_t len, dgo_config *cfg, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root;
    char buf[68];
    int rc;

    if (json == NULL || cfg == NULL)
        return fail(err, errlen, "no configuration");
    set_defaults(cfg);
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return fail(err, errlen, "the configuration is not valid JSON (line %d: %s)", jerr.line,
                    shown(jerr.text, buf));
    rc = json_is_object(root) ? 0 : fail(err, errlen, "the configuration is not a JSON object");
    if (rc == 0)
        rc = parse_section(json_object_get(root, "DcmGuard"), cfg, err, errlen);
    if (rc == 0)
        rc = check_orthanc(root, cfg, err, errlen);
    json_decref(root);
    return rc;
}
