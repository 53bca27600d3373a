/*
 * dcmguard.h - the public C API of dcmguard.
 *
 * dcmguard protects a DICOM instance on its way to an archive: the pixel
 * data is cut into a grid of tiles, each tile is encoded losslessly as
 * JPEG-LS, encrypted with AES-256-CBC under a fresh IV and authenticated
 * with HMAC-SHA256 (encrypt-then-MAC); everything else needed to rebuild
 * the original file byte for byte travels encrypted in a private block. The
 * protected file is still a valid DICOM file with a placeholder image of the
 * same geometry. Restoring with the master key gives back the original
 * file, bit for bit, or fails and gives nothing.
 *
 * Use: dg_ctx_create, then configure (a master key is required), then any
 * number of dg_protect / dg_restore calls (from any thread), then
 * dg_ctx_destroy. Every call returns DG_OK or a negative dg_status and, on
 * failure, writes one line saying why into err (never a secret).
 */
#ifndef DCMGUARD_H
#define DCMGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DG_BUILDING_LIBRARY)
#define DG_API __attribute__((visibility("default")))
#else
#define DG_API
#endif

typedef enum dg_status {
    DG_OK = 0,
    DG_EINVAL = -1,       /* a bad argument or option */
    DG_ENOMEM = -2,       /* out of memory */
    DG_EINPUT = -3,       /* the input is not a DICOM file dcmguard can read */
    DG_EFORMAT = -4,      /* the input is not a well-formed protected file */
    DG_EAUTH = -5,        /* authentication failed: wrong key, or altered data */
    DG_EKEY = -6,         /* the master key is missing, unreadable or not the one used */
    DG_ECODEC = -7,       /* encoding or decoding pixel data failed */
    DG_ECRYPTO = -8,      /* the cryptographic library failed */
    DG_EUNSUPPORTED = -9, /* valid, but something dcmguard does not handle */
    DG_ESLICE = -10,      /* a slice file is missing or is not the right one */
    DG_ESTORE = -11,      /* the key store cannot be opened, read or written */
    DG_ENOPAD = -12       /* the one-time pad of this instance was destroyed or has expired */
} dg_status;

/* The length an error buffer should have. */
#define DG_ERRLEN 512

typedef struct dg_ctx dg_ctx;

DG_API const char *dg_version(void);
DG_API const char *dg_status_name(int status);

DG_API int dg_ctx_create(dg_ctx **out);
DG_API void dg_ctx_destroy(dg_ctx *ctx);

/* Loads the master key made by `dcmguard keygen` (mode 0600 required). */
DG_API int dg_ctx_load_master_key(dg_ctx *ctx, const char *path, char *err, size_t errlen);

/* Writes a new random master key file (mode 0600); refuses to overwrite. */
DG_API int dg_master_key_file_create(const char *path, char *err, size_t errlen);

/* Wipes then frees a buffer that held restored (patient) data. */
DG_API void dg_secure_free(void *p, size_t len);

/* Grid of tiles per frame; 0 x 0 (the default) chooses from the image size. */
DG_API int dg_ctx_set_tiles(dg_ctx *ctx, unsigned rows, unsigned cols);

/* Worker threads for tiles; 0 (the default) uses every online core. */
DG_API int dg_ctx_set_threads(dg_ctx *ctx, unsigned threads);

/*
 * The key store: an SQLite file (created mode 0600 when absent) that holds
 * the one-time pads encrypting each instance's patient header. It is
 * required by dg_protect and, for the patient header, by dg_restore.
 * Opening it destroys every pad past its time.
 */
DG_API int dg_ctx_open_keystore(dg_ctx *ctx, const char *path, char *err, size_t errlen);

/* How the patient header is encrypted: XOR over bytes, letters mod 26, digits mod 10. */
typedef enum dg_otp_mode { DG_OTP_BINARY = 0, DG_OTP_VIGENERE = 1, DG_OTP_NUMERIC = 2 } dg_otp_mode;

/* What happens to a pad when restore uses it. */
typedef enum dg_otp_policy { DG_OTP_REUSABLE = 0, DG_OTP_SINGLE_USE = 1 } dg_otp_policy;

/*
 * Pad settings for the next dg_protect calls. ttl_seconds = 0 means the pad
 * never expires. Defaults: binary, reusable, no expiry (docs/header.md says
 * why: destroying a patient's identity is never done without being asked).
 */
DG_API int dg_ctx_set_otp(dg_ctx *ctx, dg_otp_mode mode, dg_otp_policy policy,
                          uint64_t ttl_seconds);

/*
 * Options of the de-identification profile (PS3.15 E.3): attributes these
 * options retain stay in the clear header. None is set by default.
 */
#define DG_RETAIN_UIDS (1u << 1)
#define DG_RETAIN_DEVICE (1u << 2)
#define DG_RETAIN_INSTITUTION (1u << 3)
#define DG_RETAIN_PATIENT_CHARS (1u << 4)
#define DG_RETAIN_FULL_DATES (1u << 5)
#define DG_RETAIN_MODIFIED_DATES (1u << 6) /* dates shifted by a per-patient offset */
#define DG_RETAIN_SAFE_PRIVATE (1u << 0)   /* the private attributes of PS3.15 Table E.3.10-1 */

/* dates and modified-dates exclude each other (DG_EINVAL). */
DG_API int dg_ctx_set_retain(dg_ctx *ctx, unsigned options);

/*
 * "safe-private,uids,device,institution,patient-chars,dates,modified-dates"
 * (any of them, comma-separated) into DG_RETAIN_* bits added to *bits.
 * Returns DG_OK or DG_EINVAL for an unknown name.
 */
DG_API int dg_parse_retain(const char *list, unsigned *bits);

/* Parses "30d", "12h", "90m", "45s" or "0" (never) into seconds. */
DG_API int dg_parse_duration(const char *text, uint64_t *seconds);

/* How the pixel data is protected. */
typedef enum dg_pixel_mode {
    DG_MODE_AES = 0,  /* JPEG-LS tiles under AES-256-CBC + HMAC (the default) */
    DG_MODE_CHAOS = 1 /* the research chaos cipher, in place (see docs/chaos.md) */
} dg_pixel_mode;

DG_API int dg_ctx_set_mode(dg_ctx *ctx, dg_pixel_mode mode);

/*
 * Key-store maintenance. dg_keys_list gives a malloc'd text (one line per
 * pad, or a JSON array when json is non-zero) of metadata only, never pad
 * bytes. dg_keys_purge destroys every pad past its time and says how many.
 * dg_keys_destroy destroys one pad by its id (DG_ENOPAD when absent).
 */
DG_API int dg_keys_list(dg_ctx *ctx, int json, char **text, char *err, size_t errlen);
DG_API int dg_keys_purge(dg_ctx *ctx, unsigned *destroyed, char *err, size_t errlen);
DG_API int dg_keys_destroy(dg_ctx *ctx, const char *id, char *err, size_t errlen);

/*
 * The audit trail (docs/audit.md). With a key store open, the library
 * appends one hash-chained record to the store for every protect, restore
 * (de-identified too), pad destruction (destroy, single-use claim, purge,
 * expiry) and key-store creation: UTC time, actor, action, pseudonymous
 * instance UID, pad id, outcome; never a patient value or a secret. An act
 * whose record cannot be written fails (DG_ESTORE).
 *
 * The actor of a record is the calling thread's (dg_audit_set_thread_actor,
 * a gateway sets it per request; NULL clears it), else the context's
 * (dg_ctx_set_actor, e.g. "user@host" for the CLI), else "unknown".
 * dg_audit_note appends a record of the caller's own (e.g. "gateway-start").
 * dg_audit_list gives a malloc'd text of the records with time >= since
 * (Unix seconds), one per line, a JSON array (json 1) or one DICOM audit
 * message per line (json DG_AUDIT_XML). dg_audit_verify checks the
 * whole chain: *intact is 1, or 0 with one line in *report saying which
 * record was edited, removed, inserted or reordered; anchor ("SEQ:HASH",
 * or NULL) must match a record, which catches a chain rewritten whole. On
 * success *report ends with the head ("N records, head SEQ:HASH").
 * With dg_ctx_set_audit_syslog(ctx, 1) each record is also sent to syslog
 * (facility LOG_AUTHPRIV) as a DICOM audit message (PS3.15 A.5, RFC 3881 XML).
 */
#define DG_ACTOR_MAX 128
#define DG_AUDIT_XML 2
DG_API int dg_ctx_set_actor(dg_ctx *ctx, const char *actor);
DG_API void dg_audit_set_thread_actor(const char *actor);
DG_API int dg_ctx_set_audit_syslog(dg_ctx *ctx, int on);
DG_API int dg_audit_note(dg_ctx *ctx, const char *action, const char *outcome, char *err,
                         size_t errlen);
DG_API int dg_audit_list(dg_ctx *ctx, int json, int64_t since, char **text, char *err,
                         size_t errlen);
DG_API int dg_audit_verify(dg_ctx *ctx, const char *anchor, int *intact, char **report, char *err,
                           size_t errlen);
/* The DICOM audit message (XML) of one record's fields; malloc'd, NULL when out of memory. */
DG_API char *dg_audit_xml(int64_t time, const char *actor, const char *action, const char *instance,
                          const char *pad, const char *outcome);

/*
 * 1 when a destroyed pad may still have a copy in the store's WAL (a
 * reader holds it): "destroyed, not yet scrubbed". Retried on every open
 * and write of the store.
 */
DG_API int dg_keys_scrub_pending(dg_ctx *ctx);

/* Gives back a single-use pad claimed by a restore that was interrupted. */
DG_API int dg_keys_release(dg_ctx *ctx, const char *id, char *err, size_t errlen);

/*
 * The pseudonym secret of a key store (both calls need the master key and
 * the store): export writes it to a new file (mode 0600) as
 * "dcmguard-pseudonym-secret-v1 <64 hex digits>"; import puts such a file
 * into a store that has no secret yet, so that it gives the same
 * pseudonyms as the store it came from.
 */
DG_API int dg_keys_export_secret(dg_ctx *ctx, const char *path, char *err, size_t errlen);
DG_API int dg_keys_import_secret(dg_ctx *ctx, const char *path, char *err, size_t errlen);

/* One encrypted tile kept outside the protected file (--slices-dir). */
typedef struct dg_slice {
    char name[256]; /* file name: <input name>.<id>.r<row>c<col>.enc */
    uint8_t *data;
    size_t len;
} dg_slice;

typedef struct dg_protected {
    uint8_t *file; /* the protected DICOM file */
    size_t file_len;
    dg_slice *slices; /* only with DG_PROTECT_SLICES */
    uint32_t slice_count;
} dg_protected;

/* Keep the encrypted tiles out of the file, as separate slices. */
#define DG_PROTECT_SLICES 1u
/*
 * Refuse an instance without a Study, Series or SOP Instance UID (an
 * archive such as Orthanc cannot store it, and Orthanc 1.10.1 logs the
 * original's identifiers when it finds one missing after the callback).
 */
#define DG_PROTECT_REQUIRE_UIDS 2u

/*
 * Protects one DICOM file held in memory. name (may be NULL) is not used:
 * slices are named from the protection id, and the protected file keeps
 * nothing of the input's name (the parameter stays for compatibility).
 * Free the result with dg_protected_free.
 */
DG_API int dg_protect(dg_ctx *ctx, const uint8_t *in, size_t in_len, const char *name,
                      unsigned flags, dg_protected *out, char *err, size_t errlen);
DG_API void dg_protected_free(dg_protected *p);

/*
 * Gives restore the slice called name: a malloc'd buffer the library frees.
 * Returns 0, or -1 when it cannot be read (err then says why).
 */
typedef int (*dg_slice_loader)(void *user, const char *name, uint8_t **data, size_t *len, char *err,
                               size_t errlen);

/* Give the pixels back under the de-identified header, without the pad. */
#define DG_RESTORE_DEIDENTIFIED 1u
/*
 * Do not consume a single-use pad: the caller calls dg_restore_done once
 * the restored file is safely stored (so a failed write loses nothing).
 */
#define DG_RESTORE_KEEP_PAD 2u
/*
 * With DG_RESTORE_DEIDENTIFIED: give the pixels back even when the header
 * does not say they are free of the patient's identity (Burned In Annotation
 * (0028,0301) absent or not NO, or Recognizable Visual Features (0028,0302) YES), which
 * is refused otherwise (DG_EUNSUPPORTED). Such output says Patient Identity
 * Removed (0012,0062) = NO.
 */
#define DG_RESTORE_BURNED_IN_OK 4u

/*
 * A de-identified file whose pixels may still show text: writes a one-line
 * warning into msg and returns 1 for the modalities prone to burned-in text
 * (US, SC, XA, ES, OT) and when Burned In Annotation is absent; 0 otherwise.
 */
DG_API int dg_burned_in_warning(const uint8_t *file, size_t len, char *msg, size_t cap);

/*
 * Restores the original file from a protected one. Slices are fetched
 * through load when the file was protected with DG_PROTECT_SLICES (load
 * may be NULL otherwise). *out is malloc'd; free it with dg_secure_free.
 * Nothing is returned unless every tile authenticated, the pad's MAC
 * verified and the SHA-256 of the rebuilt file equals the one recorded at
 * protection. A single-use pad is destroyed once the file is rebuilt,
 * unless flags has DG_RESTORE_KEEP_PAD.
 */
DG_API int dg_restore(dg_ctx *ctx, const uint8_t *in, size_t in_len, dg_slice_loader load,
                      void *user, unsigned flags, uint8_t **out, size_t *out_len, char *err,
                      size_t errlen);

/*
 * A DG_RESTORE_KEEP_PAD restore of a single-use pad claims it in the key
 * store (one write transaction: of concurrent restores exactly one gets
 * it). dg_restore_done, once the output is durable, destroys the claimed
 * pad (failing when it is not claimed); dg_restore_abandon gives it back
 * when the output could not be kept. A crash in between leaves the pad
 * claimed, not lost: `dcmguard keys release` gives it back.
 */
DG_API int dg_restore_abandon(dg_ctx *ctx, const uint8_t *in, size_t in_len, char *err,
                              size_t errlen);
DG_API int dg_restore_done(dg_ctx *ctx, const uint8_t *in, size_t in_len, char *err, size_t errlen);

/*
 * Describes a protected file without any key: a malloc'd text of
 * "name: value" lines (free with free()). Prints no secret.
 */
DG_API int dg_inspect(const uint8_t *in, size_t in_len, char **text, char *err, size_t errlen);

/*
 * ---- The gateway's journal and forwarding queue (plugin/queue.c) ----
 *
 * An SQLite file (WAL, busy timeout, created mode 0600) in which a gateway
 * records every instance it stored, named by a keyed hash (HKDF under the
 * master key) of its original SOP Instance UID, never by the UID, and
 * queues the instances to forward to an archive until the archive has
 * accepted them, retrying after a delay that doubles with each failure.
 * Storage commitment is answered from it; it survives restarts. Threads
 * may share one dg_queue. Times are Unix seconds.
 *
 * Named by a postgresql:// URI instead of a path, the journal lives in
 * that database (plugin/queue_pg.c), shared by several gateways: any of
 * them answers storage commitment and forwards any pending instance, and
 * dg_queue_due leases what it returns to this process for the lease
 * (dg_queue_set_lease), so that one gateway at a time works on an
 * instance; a gateway that dies mid-forward leaves the instance to another
 * once the lease has run out (the archive may then receive it twice).
 */
typedef struct dg_queue dg_queue;

#define DG_QUEUE_KEY_LEN 64  /* hex digits of an instance's keyed name */
#define DG_QUEUE_ID_MAX 64   /* longest id of a stored instance (Orthanc's have 44) */
#define DG_QUEUE_UID_MAX 64  /* longest DICOM UID */
#define DG_QUEUE_WHY_MAX 255 /* longest reason kept for a failed forwarding */

typedef enum dg_forward_state {
    DG_FORWARD_NONE = 0,    /* not to be forwarded */
    DG_FORWARD_PENDING = 1, /* waiting until the archive accepts it */
    DG_FORWARD_DONE = 2,    /* accepted by the archive */
    DG_FORWARD_DROPPED = 3  /* deleted from the gateway before the archive accepted it */
} dg_forward_state;

typedef struct dg_queue_entry {
    char sop_class[DG_QUEUE_UID_MAX + 1];
    char id[DG_QUEUE_ID_MAX + 1];
    int stored; /* the gateway still holds it */
    dg_forward_state forward;
    unsigned attempts; /* failed forwarding attempts so far */
    int64_t added;
    char last_error[DG_QUEUE_WHY_MAX + 1];
} dg_queue_entry;

typedef struct dg_queue_stats {
    uint64_t instances, pending, forwarded, dropped;
    int64_t next_attempt; /* earliest retry still pending; 0 when none */
} dg_queue_stats;

/*
 * Opens the journal at path, creating it when absent. full_sync makes every
 * commit wait for the disk (fsync); without it a commit survives a crash of
 * the process but maybe not of the machine, as Orthanc's own index does.
 */
DG_API int dg_queue_open(const char *path, int full_sync, dg_queue **out, char *err, size_t errlen);
DG_API void dg_queue_close(dg_queue *q);

/* Retry delays in seconds: first, doubled after each failure, at most max (defaults 5, 300). */
DG_API int dg_queue_set_backoff(dg_queue *q, unsigned first, unsigned max);

/* PostgreSQL journal: how long (seconds) what dg_queue_due returned stays ours (default 300). */
DG_API int dg_queue_set_lease(dg_queue *q, unsigned seconds);

/* The keyed name of a SOP Instance UID under the master key of ctx. */
DG_API int dg_queue_key(dg_ctx *ctx, const char *sop_instance_uid, char key[DG_QUEUE_KEY_LEN + 1],
                        char *err, size_t errlen);

/* Reads a DICOM file's SOP Class UID and the keyed name of its SOP Instance UID. */
DG_API int dg_queue_key_file(dg_ctx *ctx, const uint8_t *file, size_t len,
                             char key[DG_QUEUE_KEY_LEN + 1], char sop_class[DG_QUEUE_UID_MAX + 1],
                             char *err, size_t errlen);

/*
 * Records that the instance named key, of class sop_class, is stored as id;
 * with forward it is queued, due at once. Replaces any record of key or id.
 */
DG_API int dg_queue_add(dg_queue *q, const char *key, const char *sop_class, const char *id,
                        int forward, int64_t now, char *err, size_t errlen);

/* The record of key; *found is 0 when there is none. */
DG_API int dg_queue_find(dg_queue *q, const char *key, dg_queue_entry *entry, int *found, char *err,
                         size_t errlen);

/* Up to max ids whose forwarding is due at now, the longest waiting first. */
DG_API int dg_queue_due(dg_queue *q, int64_t now, char (*ids)[DG_QUEUE_ID_MAX + 1], unsigned max,
                        unsigned *count, char *err, size_t errlen);

/* The archive accepted id. */
DG_API int dg_queue_forwarded(dg_queue *q, const char *id, char *err, size_t errlen);

/* Forwarding id failed at now (why: one line, kept for status): retried after the delay. */
DG_API int dg_queue_failed(dg_queue *q, const char *id, int64_t now, const char *why, char *err,
                           size_t errlen);

/* id was deleted from the gateway; a forwarding still pending becomes DROPPED. */
DG_API int dg_queue_removed(dg_queue *q, const char *id, char *err, size_t errlen);

DG_API int dg_queue_get_stats(dg_queue *q, dg_queue_stats *stats, char *err, size_t errlen);

/*
 * Security analysis of pixel data (`dcmguard analyze`, docs/security-analysis.md):
 * the statistics the image-cipher literature reports (entropy, NPCR and UACI
 * with Wu et al.'s critical values, adjacent-pixel correlation, histogram
 * chi-square), for a plain DICOM image and its protected form. PROTECTED may
 * be NULL: the cipher image is then the chaos cipher's encryption of the plain
 * image by the tool itself. NPCR and UACI always come from the tool's own
 * chaos encryptions of the plain image (random key K; K with one bit flipped;
 * the image with one sample changed), since they need re-encryption. For an
 * AES-mode file the cipher image is the ciphertext of its tiles, read as
 * 8-bit samples. Passing these statistics says nothing about security: the
 * chaos cipher passes them and is broken (docs/chaos.md).
 */
typedef struct dg_analyze_options {
    unsigned bits;      /* 0: the plain image's BitsStored; 1..16: rescale it to this depth */
    unsigned rounds;    /* chaos rounds of the tool's encryptions; 0: 3 */
    unsigned positions; /* random one-sample changes besides (0,0), the centre and the end */
    uint64_t seed;      /* 0: fresh random keys and positions; else reproducible from seed */
    unsigned flags;     /* DG_ANALYZE_* */
} dg_analyze_options;

/* Only the statistics of the two images: no re-encryption (no NPCR or UACI). */
#define DG_ANALYZE_NO_SENSITIVITY 1u

typedef enum dg_verdict {
    DG_VERDICT_INFO = -1,
    DG_VERDICT_FAIL = 0,
    DG_VERDICT_PASS = 1
} dg_verdict;

/* One measured value. PASS means low <= value <= high (alpha = 0.05). */
typedef struct dg_analysis_row {
    char group[16]; /* "plain", "cipher", "placeholder", "pixel", "key", "wrong-key" */
    char name[48];  /* "entropy", "npcr (0,0)", "uaci bit 52", ... */
    double value;
    double expected;  /* an ideal cipher's mean; NaN when there is none */
    double low, high; /* acceptance interval; -HUGE_VAL or HUGE_VAL when open */
    int verdict;      /* dg_verdict; DG_VERDICT_INFO for values that are not tested */
} dg_analysis_row;

typedef struct dg_analysis dg_analysis;

DG_API int dg_analyze(const uint8_t *plain, size_t plain_len, const uint8_t *protected_file,
                      size_t protected_len, const dg_analyze_options *opt, dg_analysis **out,
                      char *err, size_t errlen);
DG_API size_t dg_analysis_row_count(const dg_analysis *a);
DG_API int dg_analysis_row_get(const dg_analysis *a, size_t i, dg_analysis_row *row);
/* A malloc'd report: a table a person can read, or JSON when json is non-zero. */
DG_API int dg_analysis_report(const dg_analysis *a, int json, char **text, char *err,
                              size_t errlen);
/* The paper's Figure 2 (images, histograms) with adjacent-pixel scatter plots, as a PNG. */
DG_API int dg_analysis_png(const dg_analysis *a, const char *path, char *err, size_t errlen);
DG_API void dg_analysis_free(dg_analysis *a);

#ifdef __cplusplus
}
#endif

#endif
