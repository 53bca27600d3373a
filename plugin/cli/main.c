/*
 * main.c - the dcmguard command line.
 *
 *   dcmguard keygen -o FILE
 *   dcmguard protect -k KEYFILE -s KEYSTORE -o OUT [--tiles RxC] [--otp MODE] ... IN...
 *   dcmguard restore -k KEYFILE -s KEYSTORE -o OUT [--deidentified] ... IN...
 *   dcmguard inspect FILE...
 *   dcmguard keys list|purge|destroy -s KEYSTORE [ID]
 *   dcmguard audit list|verify -s KEYSTORE [--json] [--since T] [--anchor SEQ:HASH]
 *
 * The CLI only calls the library's public API (dcmguard.h) and the file
 * helpers (files.h). Each input that fails gets one line on stderr naming
 * it and the reason; the others go on; the exit status is 0 only when every
 * input succeeded (1 otherwise, 2 for a usage error).
 */
#define _GNU_SOURCE
#include "dcmguard.h"
#include "files.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2

static const char usage_top[] =
    "usage: dcmguard <command> [options]\n"
    "\n"
    "Protects DICOM files: pixel data as JPEG-LS tiles encrypted with AES-256-CBC and\n"
    "authenticated with HMAC-SHA256, the patient header de-identified (PS3.15 Annex E)\n"
    "with its original values under a one-time pad kept in a key store; restores them\n"
    "bit for bit with the master key and the pad.\n"
    "\n"
    "commands:\n"
    "  keygen   make a new master key file (mode 0600)\n"
    "  protect  protect DICOM files\n"
    "  restore  give back the original files\n"
    "  inspect  describe a protected file (needs no key, prints no secret)\n"
    "  keys     list, purge or destroy the one-time pads of a key store\n"
    "  audit    list or verify the audit trail of a key store\n"
    "  analyze  security metrics of a cipher image against its plain image\n"
    "\n"
    "Run 'dcmguard <command> --help' for a command's options; 'dcmguard --version'.\n";

static const char usage_keygen[] =
    "usage: dcmguard keygen -o FILE\n"
    "\n"
    "Writes a new random 256-bit master key to FILE with mode 0600. An existing\n"
    "FILE is never overwritten. Keep the key safe: without it nothing protected\n"
    "under it can be restored.\n";

#define PROGRESS_HELP                                                                              \
    "      --progress         the live progress line even when stderr is not a\n"                  \
    "                         terminal (on a terminal it is on by default)\n"                      \
    "  -q, --quiet            no progress line\n"                                                  \
    "      --summary-json FILE  write the run's totals and each failed input with\n"               \
    "                         its reason to FILE (JSON; inputs named as given)\n"                  \
    "      --overwrite        replace an output file that already exists (by default\n"            \
    "                         it is refused: never overwritten)\n"

static const char usage_protect[] =
    "usage: dcmguard protect -k KEYFILE -s KEYSTORE -o OUT [options] IN...\n"
    "\n"
    "  -k, --key FILE         master key file (from 'dcmguard keygen')\n"
    "  -s, --keystore STORE   key store: an SQLite file (created mode 0600 when\n"
    "                         absent) or postgresql://... (libpq URI, no password)\n"
    "  -o, --output OUT       output file, or directory (see below)\n"
    "      --otp MODE         pad for the patient header: binary (default), vigenere\n"
    "                         (letters mod 26) or numeric (digits mod 10)\n"
    "      --otp-policy P     reusable (default) or single-use: destroyed by the\n"
    "                         first restore\n"
    "      --otp-ttl DURATION pads unused after 30d, 12h, 90m, 45s are destroyed;\n"
    "                         0 (default) never expires\n"
    "      --retain LIST      profile options that keep attributes in the clear:\n"
    "                         comma-separated from safe-private, uids, device,\n"
    "                         institution, patient-chars, dates, modified-dates\n"
    "                         (default: none; docs/header.md)\n"
    "      --mode MODE        aes (default): JPEG-LS tiles under AES-256-CBC + HMAC;\n"
    "                         chaos: the research chaos cipher of Hua et al., in\n"
    "                         place, keeping a viewable (scrambled) image. It has\n"
    "                         published practical attacks (chosen ciphertext, about\n"
    "                         M*N+1 queries) and an effective key far below 256\n"
    "                         bits: for research and comparison, not for patient\n"
    "                         data. Compressed input is decoded first; restore then\n"
    "                         gives the decoded image, uncompressed\n"
    "      --tiles RxC        tile grid per frame (default: from the image size)\n"
    "      --slices-dir DIR   keep each encrypted tile as its own .enc file in DIR\n"
    "      --threads N        worker threads (default: one per core)\n"
    "  -v, --verbose          one line per file on stdout\n" PROGRESS_HELP "\n"
    "IN may be files or directories (recursed). OUT is a directory, with names and\n"
    "relative paths mirrored under it, when an IN is a directory, when several INs\n"
    "are given, when OUT is an existing directory or ends with /; otherwise it is\n"
    "the output file.\n"
    "Outputs are written under a temporary name and renamed when complete.\n";

static const char usage_restore[] =
    "usage: dcmguard restore -k KEYFILE -s KEYSTORE -o OUT [options] IN...\n"
    "\n"
    "  -k, --key FILE         master key file the files were protected under\n"
    "  -s, --keystore STORE   key store holding the files' one-time pads\n"
    "  -o, --output OUT       output file, or directory (as for protect)\n"
    "      --deidentified     give the pixels back under the de-identified header,\n"
    "                         without the pad (-s not needed); refused when Burned\n"
    "                         In Annotation is absent or not NO, or Recognizable\n"
    "                         Visual Features is YES\n"
    "      --allow-burned-in  give such pixels back anyway (the output then says\n"
    "                         Patient Identity Removed NO)\n"
    "      --slices-dir DIR   where the .enc slices of the files are\n"
    "      --threads N        worker threads (default: one per core)\n"
    "  -v, --verbose          one line per file on stdout\n" PROGRESS_HELP "\n"
    "Writes the original file, byte for byte, or nothing: a wrong key, an altered\n"
    "byte, a missing or swapped slice, a destroyed or expired pad is an error.\n"
    "A single-use pad is destroyed once the restored file is safely written.\n"
    "Restored files hold patient data: they are created with mode 0600.\n";

static const char usage_keys[] =
    "usage: dcmguard keys list -s KEYSTORE [--json]\n"
    "       dcmguard keys purge -s KEYSTORE\n"
    "       dcmguard keys destroy -s KEYSTORE ID\n"
    "       dcmguard keys release -s KEYSTORE ID\n"
    "       dcmguard keys export-secret -k KEYFILE -s KEYSTORE -o FILE\n"
    "       dcmguard keys import-secret -k KEYFILE -s KEYSTORE FILE\n"
    "\n"
    "list shows each pad's metadata (id, mode, policy, times, length, pseudonymous\n"
    "instance, claimed), never pad bytes, and a pending scrub. purge destroys every\n"
    "pad past its time (opening the store does too). destroy destroys one pad: the\n"
    "patient header it encrypted is then gone for good (crypto-shredding); the\n"
    "pixels stay restorable. A destroyed pad is overwritten in place; while another\n"
    "process reads the store its WAL may keep an older copy: destroy and purge then\n"
    "say \"destroyed, not yet scrubbed\" and the next open or write finishes it.\n"
    "release gives back a single-use pad claimed by a restore that was interrupted.\n"
    "export-secret writes the store's pseudonym secret to a new file (mode 0600);\n"
    "import-secret puts it into a new store, which then gives the same pseudonyms\n"
    "(for sites that must share them). Both need the master key.\n";

static const char usage_audit[] =
    "usage: dcmguard audit list -s KEYSTORE [--json | --xml] [--since T]\n"
    "       dcmguard audit verify -s KEYSTORE [--anchor SEQ:HASH]\n"
    "\n"
    "Every protect, restore, pad destruction and key-store creation leaves one\n"
    "record in the key store: UTC time, actor, action, pseudonymous instance UID, pad\n"
    "id, outcome; never a patient value. Records are hash-chained. list shows them\n"
    "(--xml: one DICOM audit message, PS3.15 A.5, per line)\n"
    "(since T: 2026-12-07, 2026-12-07T05:40:00Z or Unix seconds). verify checks the\n"
    "chain, says which record was edited, removed, inserted or reordered (exit 1),\n"
    "and prints the head SEQ:HASH to keep elsewhere; --anchor checks a head kept\n"
    "before (a chain rewritten whole). See docs/audit.md.\n"
    "\n"
    "Every command that opens a key store takes --audit-syslog: each record is also\n"
    "sent to syslog (authpriv) as a DICOM audit message (PS3.15 A.5 XML).\n";

static const char usage_inspect[] =
    "usage: dcmguard inspect FILE...\n"
    "\n"
    "Describes how a protected file is protected. Needs no key; prints no secret.\n";

typedef struct options {
    const char *key, *keystore, *output, *slices_dir;
    unsigned tile_rows, tile_cols, threads;
    int verbose, deidentified, json, allow_burned_in, overwrite;
    int audit_syslog, xml;
    const char *since, *anchor;
    int progress; /* -1 --quiet, 0 on a terminal, 1 --progress */
    const char *summary_json;
    dg_otp_mode otp;
    dg_otp_policy policy;
    uint64_t ttl;
    unsigned retain;
    dg_pixel_mode mode;
} options;

enum {
    OPT_TILES = 256,
    OPT_SLICES,
    OPT_THREADS,
    OPT_HELP,
    OPT_OTP,
    OPT_POLICY,
    OPT_TTL,
    OPT_RETAIN,
    OPT_DEIDENTIFIED,
    OPT_ALLOW_BURNED_IN,
    OPT_JSON,
    OPT_MODE,
    OPT_AUDIT_SYSLOG,
    OPT_SINCE,
    OPT_ANCHOR,
    OPT_XML,
    OPT_PROGRESS,
    OPT_SUMMARY_JSON,
    OPT_OVERWRITE
};

static const struct option long_options[] = {
    {"key", required_argument, NULL, 'k'},
    {"keystore", required_argument, NULL, 's'},
    {"output", required_argument, NULL, 'o'},
    {"tiles", required_argument, NULL, OPT_TILES},
    {"slices-dir", required_argument, NULL, OPT_SLICES},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"verbose", no_argument, NULL, 'v'},
    {"otp", required_argument, NULL, OPT_OTP},
    {"otp-policy", required_argument, NULL, OPT_POLICY},
    {"otp-ttl", required_argument, NULL, OPT_TTL},
    {"retain", required_argument, NULL, OPT_RETAIN},
    {"deidentified", no_argument, NULL, OPT_DEIDENTIFIED},
    {"allow-burned-in", no_argument, NULL, OPT_ALLOW_BURNED_IN},
    {"json", no_argument, NULL, OPT_JSON},
    {"mode", required_argument, NULL, OPT_MODE},
    {"audit-syslog", no_argument, NULL, OPT_AUDIT_SYSLOG},
    {"since", required_argument, NULL, OPT_SINCE},
    {"anchor", required_argument, NULL, OPT_ANCHOR},
    {"xml", no_argument, NULL, OPT_XML},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"summary-json", required_argument, NULL, OPT_SUMMARY_JSON},
    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "dcmguard: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return EXIT_USAGE;
}

/*
 * A decimal number of digits only (no sign, no space) up to max, ending
 * where *end points; 0 or -1.
 */
static int parse_count(const char *s, unsigned max, unsigned *out, const char **end)
{
    unsigned long v = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max)
            return -1;
    }
    *out = (unsigned)v;
    *end = s;
    return 0;
}

static int parse_tiles(const char *s, unsigned *rows, unsigned *cols)
{
    const char *end;

    if (parse_count(s, 256, rows, &end) != 0 || *end != 'x' ||
        parse_count(end + 1, 256, cols, &end) != 0 || *end != '\0')
        return -1;
    return *rows >= 1 && *cols >= 1 ? 0 : -1;
}

static int parse_otp(const char *s, dg_otp_mode *mode)
{
    if (strcmp(s, "binary") == 0)
        *mode = DG_OTP_BINARY;
    else if (strcmp(s, "vigenere") == 0)
        *mode = DG_OTP_VIGENERE;
    else if (strcmp(s, "numeric") == 0)
        *mode = DG_OTP_NUMERIC;
    else
        return -1;
    return 0;
}

static int parse_policy(const char *s, dg_otp_policy *policy)
{
    if (strcmp(s, "reusable") == 0)
        *policy = DG_OTP_REUSABLE;
    else if (strcmp(s, "single-use") == 0)
        *policy = DG_OTP_SINGLE_USE;
    else
        return -1;
    return 0;
}

/* 1 when path can be created or replaced as a file (checked before the run, not after it). */
static int writable_path(const char *path)
{
    struct stat st;
    char *dir = strdup(path), *slash;
    int ok;

    if (dir == NULL)
        return 0;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        free(dir);
        return 0;
    }
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    ok = access(slash != NULL ? dir : ".", W_OK | X_OK) == 0;
    free(dir);
    return ok;
}

/* Parses argv from optind; returns 0, 1 for --help (printed), or EXIT_USAGE. */
static int parse_options(int argc, char **argv, const char *usage, options *o)
{
    int c;
    const char *rest;

    memset(o, 0, sizeof *o);
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:s:o:vq", long_options, NULL)) != -1) {
        switch (c) {
        case 'k':
            o->key = optarg;
            break;
        case 's':
            o->keystore = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'q':
            o->progress = -1;
            break;
        case OPT_PROGRESS:
            if (o->progress == 0)
                o->progress = 1; /* --quiet wins */
            break;
        case OPT_SUMMARY_JSON:
            o->summary_json = optarg;
            if (!writable_path(optarg))
                return usage_error(usage, "--summary-json: cannot write '%s'", optarg);
            break;
        case OPT_OVERWRITE:
            o->overwrite = 1;
            break;
        case OPT_TILES:
            if (parse_tiles(optarg, &o->tile_rows, &o->tile_cols) != 0)
                return usage_error(usage, "--tiles wants RxC with 1..256 each, not '%s'", optarg);
            break;
        case OPT_SLICES:
            o->slices_dir = optarg;
            break;
        case OPT_THREADS:
            if (parse_count(optarg, 256, &o->threads, &rest) != 0 || *rest != '\0')
                return usage_error(usage, "--threads wants a number 0..256, not '%s'", optarg);
            break;
        case OPT_OTP:
            if (parse_otp(optarg, &o->otp) != 0)
                return usage_error(usage, "--otp wants binary, vigenere or numeric, not '%s'",
                                   optarg);
            break;
        case OPT_POLICY:
            if (parse_policy(optarg, &o->policy) != 0)
                return usage_error(usage, "--otp-policy wants reusable or single-use, not '%s'",
                                   optarg);
            break;
        case OPT_TTL:
            if (dg_parse_duration(optarg, &o->ttl) != DG_OK)
                return usage_error(usage, "--otp-ttl wants 30d, 12h, 90m, 45s or 0, not '%s'",
                                   optarg);
            break;
        case OPT_RETAIN:
            if (dg_parse_retain(optarg, &o->retain) != DG_OK)
                return usage_error(usage,
                                   "--retain wants names from safe-private, uids, device, "
                                   "institution, patient-chars, dates, modified-dates, not '%s'",
                                   optarg);
            break;
        case OPT_ALLOW_BURNED_IN:
            o->allow_burned_in = 1;
            break;
        case OPT_DEIDENTIFIED:
            o->deidentified = 1;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_MODE:
            if (strcmp(optarg, "aes") == 0)
                o->mode = DG_MODE_AES;
            else if (strcmp(optarg, "chaos") == 0)
                o->mode = DG_MODE_CHAOS;
            else
                return usage_error(usage, "--mode wants aes or chaos, not '%s'", optarg);
            break;
        case OPT_AUDIT_SYSLOG:
            o->audit_syslog = 1;
            break;
        case OPT_SINCE:
            o->since = optarg;
            break;
        case OPT_ANCHOR:
            o->anchor = optarg;
            break;
        case OPT_XML:
            o->xml = 1;
            break;
        case OPT_HELP:
            fputs(usage, stdout);
            return 1;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    return 0;
}

static int cmd_keygen(int argc, char **argv)
{
    char err[DG_ERRLEN];
    options o;
    int rc = parse_options(argc, argv, usage_keygen, &o);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (o.output == NULL || optind != argc)
        return usage_error(usage_keygen, "%s", "keygen wants -o FILE and nothing else");
    if (dg_master_key_file_create(o.output, err, sizeof err) != DG_OK) {
        fprintf(stderr, "dcmguard: keygen: %s\n", err);
        return 1;
    }
    return 0;
}

/*
 * A context whose audit records name this OS user and host ("user@host"),
 * created before any key store is opened (opening may create one, audited).
 */
static dg_ctx *new_context(const options *o)
{
    char actor[DG_ACTOR_MAX + 1], host[64] = "localhost", uid[24];
    const struct passwd *pw = getpwuid(geteuid());
    dg_ctx *ctx = NULL;

    if (dg_ctx_create(&ctx) != DG_OK)
        return NULL;
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(uid, sizeof uid, "uid%u", (unsigned)geteuid());
    snprintf(actor, sizeof actor, "%.60s@%.63s", pw != NULL ? pw->pw_name : uid, host);
    dg_ctx_set_actor(ctx, actor);
    dg_ctx_set_audit_syslog(ctx, o->audit_syslog);
    return ctx;
}

/* Everything a protect or restore run shares. */
typedef struct run {
    options opt;
    dg_ctx *ctx;
    const char *slices_dir;
} run;

static int open_context(run *r, const char *usage)
{
    char err[DG_ERRLEN];

    if (r->opt.key == NULL || r->opt.output == NULL ||
        (r->opt.keystore == NULL && !r->opt.deidentified))
        return usage_error(usage, "%s", "-k KEYFILE, -s KEYSTORE and -o OUT are required");
    if ((r->ctx = new_context(&r->opt)) == NULL) {
        fprintf(stderr, "dcmguard: out of memory\n");
        return 1;
    }
    if (dg_ctx_load_master_key(r->ctx, r->opt.key, err, sizeof err) != DG_OK ||
        (r->opt.keystore != NULL &&
         dg_ctx_open_keystore(r->ctx, r->opt.keystore, err, sizeof err) != DG_OK)) {
        fprintf(stderr, "dcmguard: %s\n", err);
        return 1;
    }
    if (dg_ctx_set_tiles(r->ctx, r->opt.tile_rows, r->opt.tile_cols) != DG_OK ||
        dg_ctx_set_threads(r->ctx, r->opt.threads) != DG_OK ||
        dg_ctx_set_otp(r->ctx, r->opt.otp, r->opt.policy, r->opt.ttl) != DG_OK ||
        dg_ctx_set_retain(r->ctx, r->opt.retain) != DG_OK ||
        dg_ctx_set_mode(r->ctx, r->opt.mode) != DG_OK)
        return usage_error(usage, "%s",
                           "invalid --tiles, --threads, pad or --retain options (dates "
                           "and modified-dates exclude each other)");
    return 0;
}

/* Writes the slices of one protected file; on failure removes those written. */
static int write_slices(const run *r, const dg_protected *p, char *err, size_t errlen)
{
    char *path = NULL;
    uint32_t i;

    for (i = 0; i < p->slice_count; i++) {
        if (asprintf(&path, "%s/%s", r->slices_dir, p->slices[i].name) < 0) {
            snprintf(err, errlen, "out of memory");
            break;
        }
        if (dg_file_write(path, p->slices[i].data, p->slices[i].len, 0, err, errlen) != 0) {
            free(path);
            break;
        }
        free(path);
    }
    if (i == p->slice_count)
        return 0;
    while (i-- > 0)
        if (asprintf(&path, "%s/%s", r->slices_dir, p->slices[i].name) >= 0) {
            unlink(path);
            free(path);
        }
    return -1;
}

/* An output that exists and is not the job's own input is never overwritten. */
static int refuse_existing(const char *out, char *err, size_t errlen)
{
    struct stat st;

    if (lstat(out, &st) == 0)
        snprintf(err, errlen, "%s already exists: not overwritten", out);
    else if (errno == ENOENT)
        return 0;
    else
        snprintf(err, errlen, "cannot use %s: %s", out, strerror(errno));
    return -1;
}

static int protect_one(run *r, const dg_job *job, char *err, size_t errlen)
{
    uint8_t *in = NULL;
    size_t in_len = 0;
    dg_protected p;
    unsigned flags = r->slices_dir ? DG_PROTECT_SLICES : 0;
    int replace = r->opt.overwrite || dg_file_same(job->in, job->out), rc = -1;

    memset(&p, 0, sizeof p);
    if (!replace && refuse_existing(job->out, err, errlen) != 0)
        return -1;
    if (dg_file_read(job->in, &in, &in_len, err, errlen) != 0)
        return -1;
    if (dg_protect(r->ctx, in, in_len, dg_file_base(job->in), flags, &p, err, errlen) != DG_OK)
        goto done;
    /* Slices first: a protected file never exists without its slices. */
    if (r->slices_dir && write_slices(r, &p, err, errlen) != 0)
        goto done;
    if (dg_file_write(job->out, p.file, p.file_len, replace, err, errlen) != 0)
        goto done;
    if (r->opt.verbose)
        printf("protected %s -> %s (%zu -> %zu bytes%s)\n", job->in, job->out, in_len, p.file_len,
               p.slice_count ? ", plus slices" : "");
    rc = 0;
done:
    dg_protected_free(&p);
    free(in);
    return rc;
}

static int load_slice(void *user, const char *name, uint8_t **data, size_t *len, char *err,
                      size_t errlen)
{
    const run *r = user;
    char *path = NULL;
    int rc;

    if (asprintf(&path, "%s/%s", r->slices_dir, name) < 0)
        return -1;
    rc = dg_file_read(path, data, len, err, errlen);
    free(path);
    return rc;
}

static int restore_one(run *r, const dg_job *job, char *err, size_t errlen)
{
    uint8_t *in = NULL, *out = NULL;
    size_t in_len = 0, out_len = 0;
    unsigned flags = r->opt.deidentified ? DG_RESTORE_DEIDENTIFIED : DG_RESTORE_KEEP_PAD;
    char warning[200], *staged = NULL;
    int replace = r->opt.overwrite || dg_file_same(job->in, job->out), rc = -1;

    if (r->opt.deidentified && r->opt.allow_burned_in)
        flags |= DG_RESTORE_BURNED_IN_OK;
    if (!replace && refuse_existing(job->out, err, errlen) != 0)
        return -1;
    if (dg_file_read(job->in, &in, &in_len, err, errlen) != 0)
        return -1;
    if (dg_restore(r->ctx, in, in_len, r->slices_dir ? load_slice : NULL, r, flags, &out, &out_len,
                   err, errlen) != DG_OK)
        goto done;
    /*
     * Written and synced under a temporary name first; a single-use pad is
     * destroyed next, and only then does the output get its name: if the
     * pad cannot be destroyed, no original is left behind, so a released
     * pad never gives a second one.
     */
    if (dg_file_stage(job->out, out, out_len, &staged, err, errlen) != 0) {
        if (!r->opt.deidentified) /* the claimed single-use pad goes back */
            dg_restore_abandon(r->ctx, in, in_len, NULL, 0);
        goto done;
    }
    if (!r->opt.deidentified && dg_restore_done(r->ctx, in, in_len, err, errlen) != DG_OK) {
        dg_file_discard(staged);
        goto done;
    }
    if (dg_file_commit(staged, job->out, replace, err, errlen) != 0) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, "; the restored file is kept as %s", staged);
        free(staged);
        goto done;
    }
    if (r->opt.deidentified && dg_burned_in_warning(out, out_len, warning, sizeof warning))
        fprintf(stderr, "dcmguard: warning: %s: %s\n", job->in, warning);
    if (r->opt.verbose)
        printf("restored %s -> %s (%zu -> %zu bytes)\n", job->in, job->out, in_len, out_len);
    rc = 0;
done:
    dg_secure_free(out, out_len);
    free(in);
    return rc;
}

typedef int (*job_fn)(run *r, const dg_job *job, char *err, size_t errlen);

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Runs every planned job under the progress line; returns the number of failures. */
static int run_planned(run *r, const dg_jobs *jobs, const char *name, job_fn fn)
{
    char err[DG_ERRLEN];
    uint64_t total = 0;
    int failures = 0;
    dg_progress *p;

    for (size_t i = 0; i < jobs->count; i++)
        total += jobs->items[i].error ? 0 : file_size(jobs->items[i].in);
    p = dg_progress_start(name, jobs->count, total, r->opt.progress);
    for (size_t i = 0; i < jobs->count; i++) {
        const dg_job *job = &jobs->items[i];
        uint64_t size = job->error ? 0 : file_size(job->in);
        err[0] = 0;
        if (r->opt.verbose)
            dg_progress_clear(p); /* its line goes to stdout, maybe the same terminal */
        if (job->error != NULL || fn(r, job, err, sizeof err) != 0) {
            dg_progress_clear(p);
            fprintf(stderr, "dcmguard: %s: %s: %s\n", name, job->in, job->error ? job->error : err);
            dg_progress_done(p, job->in, size, job->error ? job->error : err);
            failures++;
        } else {
            dg_progress_done(p, job->in, size, NULL);
        }
    }
    if (dg_progress_finish(p, r->opt.summary_json, err, sizeof err) != 0) {
        fprintf(stderr, "dcmguard: %s: --summary-json: %s\n", name, err);
        failures++;
    }
    return failures;
}

/* 1 when the summary would be written over one of the run's inputs or outputs. */
static int summary_clashes(const char *summary, const dg_jobs *jobs)
{
    for (size_t i = 0; i < jobs->count; i++)
        if (strcmp(summary, jobs->items[i].out) == 0 || dg_file_same(summary, jobs->items[i].in) ||
            dg_file_same(summary, jobs->items[i].out))
            return 1;
    return 0;
}

static int run_jobs(int argc, char **argv, const char *name, const char *usage, job_fn fn)
{
    char err[DG_ERRLEN];
    run r;
    dg_jobs jobs;
    int rc, failures = 0;

    memset(&r, 0, sizeof r);
    rc = parse_options(argc, argv, usage, &r.opt);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (optind >= argc)
        return usage_error(usage, "%s needs at least one input", name);
    r.slices_dir = r.opt.slices_dir;
    rc = open_context(&r, usage);
    if (rc != 0) {
        dg_ctx_destroy(r.ctx);
        return rc;
    }
    if (dg_jobs_plan(argv + optind, argc - optind, r.opt.output, &jobs, err, sizeof err) != 0) {
        fprintf(stderr, "dcmguard: %s: %s\n", name, err);
        dg_ctx_destroy(r.ctx);
        return 1;
    }
    if (r.opt.summary_json != NULL && summary_clashes(r.opt.summary_json, &jobs)) {
        dg_jobs_free(&jobs);
        dg_ctx_destroy(r.ctx);
        return usage_error(usage, "--summary-json '%s' is one of the run's inputs or outputs",
                           r.opt.summary_json);
    }
    failures = run_planned(&r, &jobs, name, fn);
    dg_jobs_free(&jobs);
    dg_ctx_destroy(r.ctx);
    return failures ? 1 : 0;
}

static int cmd_inspect(int argc, char **argv)
{
    char err[DG_ERRLEN];
    options o;
    int rc = parse_options(argc, argv, usage_inspect, &o), failures = 0;

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (optind >= argc)
        return usage_error(usage_inspect, "%s", "inspect needs a file");
    for (int i = optind; i < argc; i++) {
        uint8_t *in = NULL;
        size_t in_len = 0;
        char *text = NULL;
        if (dg_file_read(argv[i], &in, &in_len, err, sizeof err) != 0 ||
            dg_inspect(in, in_len, &text, err, sizeof err) != DG_OK) {
            fprintf(stderr, "dcmguard: inspect: %s: %s\n", argv[i], err);
            failures++;
        } else {
            printf("file: %s\n%s", argv[i], text);
        }
        free(text);
        free(in);
    }
    return failures ? 1 : 0;
}

/* After destroy/purge: what a reader holding the WAL leaves to do. */
static const char *scrub_note(dg_ctx *ctx)
{
    return dg_keys_scrub_pending(ctx) ? " (destroyed, not yet scrubbed: another process holds the "
                                        "key store's WAL; the next open or write scrubs it)"
                                      : "";
}

/* keys export-secret / import-secret: they need the master key. */
static int secret_action(dg_ctx *ctx, const char *action, const options *o, int argc, char **argv,
                         char *err, size_t errlen)
{
    int export = strcmp(action, "export-secret") == 0;

    if (!export && strcmp(action, "import-secret") != 0)
        return EXIT_USAGE;
    if (o->key == NULL || (export ? (o->output == NULL || optind != argc) : optind + 1 != argc))
        return EXIT_USAGE;
    if (dg_ctx_load_master_key(ctx, o->key, err, errlen) != DG_OK)
        return 1;
    if (export ? dg_keys_export_secret(ctx, o->output, err, errlen)
               : dg_keys_import_secret(ctx, argv[optind], err, errlen))
        return 1;
    printf(export ? "exported the pseudonym secret to %s\n"
                  : "imported the pseudonym secret from %s\n",
           export ? o->output : argv[optind]);
    return 0;
}

static int keys_action(dg_ctx *ctx, const char *action, const options *o, int argc, char **argv,
                       char *err, size_t errlen)
{
    char *text = NULL;
    unsigned n = 0;

    if (strcmp(action, "list") == 0 && optind == argc) {
        if (dg_keys_list(ctx, o->json, &text, err, errlen) != DG_OK)
            return 1;
        fputs(text, stdout);
        free(text);
        if (dg_keys_scrub_pending(ctx))
            fprintf(o->json ? stderr : stdout,
                    "pending scrub: a destroyed pad may still be in the WAL (a reader holds it)\n");
        return 0;
    }
    if (strcmp(action, "purge") == 0 && optind == argc) {
        if (dg_keys_purge(ctx, &n, err, errlen) != DG_OK)
            return 1;
        printf("destroyed %u expired pad%s%s\n", n, n == 1 ? "" : "s", scrub_note(ctx));
        return 0;
    }
    if (strcmp(action, "destroy") == 0 && optind + 1 == argc) {
        if (dg_keys_destroy(ctx, argv[optind], err, errlen) != DG_OK)
            return 1;
        printf("destroyed pad %s%s\n", argv[optind], scrub_note(ctx));
        return 0;
    }
    if (strcmp(action, "release") == 0 && optind + 1 == argc) {
        if (dg_keys_release(ctx, argv[optind], err, errlen) != DG_OK)
            return 1;
        printf("released pad %s\n", argv[optind]);
        return 0;
    }
    return secret_action(ctx, action, o, argc, argv, err, errlen);
}

static int cmd_keys(int argc, char **argv)
{
    char err[DG_ERRLEN] = "";
    const char *action = argc > 1 ? argv[1] : "";
    dg_ctx *ctx = NULL;
    options o;
    int rc = parse_options(argc - 1, argv + 1, usage_keys, &o);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    optind++; /* back to positions in argv */
    if (o.keystore == NULL)
        return usage_error(usage_keys, "%s", "keys wants -s KEYSTORE");
    if ((ctx = new_context(&o)) == NULL ||
        dg_ctx_open_keystore(ctx, o.keystore, err, sizeof err) != DG_OK) {
        fprintf(stderr, "dcmguard: keys: %s\n", err[0] ? err : "out of memory");
        dg_ctx_destroy(ctx);
        return 1;
    }
    rc = keys_action(ctx, action, &o, argc, argv, err, sizeof err);
    dg_ctx_destroy(ctx);
    if (rc == EXIT_USAGE)
        return usage_error(usage_keys, "%s",
                           "keys wants list, purge, destroy ID, release ID, export-secret or "
                           "import-secret FILE (these two with -k)");
    if (rc != 0)
        fprintf(stderr, "dcmguard: keys %s: %s\n", action, err);
    return rc;
}

/* T as Unix seconds: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (UTC) or digits. */
static int parse_time(const char *text, int64_t *out)
{
    struct tm tm;
    const char *end;
    char *num_end;
    long long n;

    memset(&tm, 0, sizeof tm);
    if ((end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL && *end == '\0')
        goto utc;
    memset(&tm, 0, sizeof tm);
    if ((end = strptime(text, "%Y-%m-%d", &tm)) != NULL && *end == '\0')
        goto utc;
    n = strtoll(text, &num_end, 10);
    if (text[0] < '0' || text[0] > '9' || *num_end != '\0')
        return -1;
    *out = n;
    return 0;
utc:
    *out = (int64_t)timegm(&tm);
    return 0;
}

static int audit_action(dg_ctx *ctx, const char *action, const options *o, int argc, char *err,
                        size_t errlen)
{
    char *text = NULL;
    int64_t since = INT64_MIN;
    int intact = 0;

    if (strcmp(action, "list") == 0 && optind == argc && o->anchor == NULL) {
        if (o->since != NULL && parse_time(o->since, &since) != 0) {
            snprintf(err, errlen, "--since wants 2026-12-07, 2026-12-07T05:40:00Z or Unix seconds");
            return EXIT_USAGE;
        }
        if (dg_audit_list(ctx, o->xml ? DG_AUDIT_XML : o->json, since, &text, err, errlen) != DG_OK)
            return 1;
        fputs(text, stdout);
        free(text);
        return 0;
    }
    if (strcmp(action, "verify") == 0 && optind == argc && o->since == NULL) {
        if (dg_audit_verify(ctx, o->anchor, &intact, &text, err, errlen) != DG_OK)
            return 1;
        fputs(text, intact ? stdout : stderr);
        free(text);
        return intact ? 0 : 1;
    }
    snprintf(err, errlen, "audit wants list [--json] [--since T] or verify [--anchor SEQ:HASH]");
    return EXIT_USAGE;
}

static int cmd_audit(int argc, char **argv)
{
    char err[DG_ERRLEN] = "";
    const char *action = argc > 1 ? argv[1] : "";
    dg_ctx *ctx = NULL;
    options o;
    int rc = parse_options(argc - 1, argv + 1, usage_audit, &o);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    optind++; /* back to positions in argv */
    if (o.keystore == NULL)
        return usage_error(usage_audit, "%s", "audit wants -s KEYSTORE");
    if ((ctx = new_context(&o)) == NULL ||
        dg_ctx_open_keystore(ctx, o.keystore, err, sizeof err) != DG_OK) {
        fprintf(stderr, "dcmguard: audit: %s\n", err[0] ? err : "out of memory");
        dg_ctx_destroy(ctx);
        return 1;
    }
    rc = audit_action(ctx, action, &o, argc, err, sizeof err);
    dg_ctx_destroy(ctx);
    if (rc == EXIT_USAGE)
        return usage_error(usage_audit, "%s", err);
    if (rc != 0 && err[0] != '\0')
        fprintf(stderr, "dcmguard: audit %s: %s\n", action, err);
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL) {
        fputs(usage_top, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_top, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("dcmguard %s\n", dg_version());
        return 0;
    }
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc - 1, argv + 1);
    if (strcmp(cmd, "protect") == 0)
        return run_jobs(argc - 1, argv + 1, "protect", usage_protect, protect_one);
    if (strcmp(cmd, "restore") == 0)
        return run_jobs(argc - 1, argv + 1, "restore", usage_restore, restore_one);
    if (strcmp(cmd, "inspect") == 0)
        return cmd_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "analyze") == 0) {
        int dg_cli_analyze(int argc, char **argv); /* cli/analyze.c (issue 4) */
        return dg_cli_analyze(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc - 1, argv + 1);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(argc - 1, argv + 1);
    fprintf(stderr, "dcmguard: unknown command '%s'\n%s", cmd, usage_top);
    return EXIT_USAGE;
}
