/*
 * config.h - the "DcmGuard" section of Orthanc's configuration, parsed and
 * checked before the gateway starts.
 *
 * dgo_config_parse takes the whole configuration as JSON text (what
 * OrthancPluginGetConfiguration returns), so tests and a fuzzer call it
 * without Orthanc. Every setting has a safe default except the two paths
 * that have none (MasterKey, KeyStore); an unknown or ill-typed setting is
 * an error, so that a typo never silently leaves a default in place.
 * docs/orthanc.md lists the settings.
 */
#ifndef DGO_CONFIG_H
#define DGO_CONFIG_H

#include "dcmguard.h"

#include <stddef.h>
#include <stdint.h>

#define DGO_PATH_MAX 4096
#define DGO_NAME_MAX 64 /* a modality's symbolic name, a user name */
#define DGO_USERS_MAX 16

typedef struct dgo_config {
    char master_key[DGO_PATH_MAX];     /* "MasterKey" */
    char key_store[DGO_PATH_MAX];      /* "KeyStore" */
    char journal[DGO_PATH_MAX];        /* "Journal": default beside the key store */
    int journal_full_sync;             /* "JournalFullSync": fsync every commit */
    dg_pixel_mode mode;                /* "Mode": "aes" | "chaos" */
    unsigned tile_rows, tile_cols;     /* "Tiles": "auto" (0 x 0) | "RxC" */
    unsigned threads;                  /* "Threads": 0 = every core */
    dg_otp_mode otp_mode;              /* "OtpMode": "binary" | "vigenere" | "numeric" */
    dg_otp_policy otp_policy;          /* "OtpPolicy": "reusable" | "single-use" */
    uint64_t otp_ttl;                  /* "OtpTimeToLive": "0" (never), "30d", ... */
    unsigned retain;                   /* "Retain": as protect --retain (DG_RETAIN_*) */
    char forward_to[DGO_NAME_MAX + 1]; /* "ForwardTo": a DicomModalities name; "" = none */
    unsigned forward_batch;            /* "ForwardBatch": instances per association */
    unsigned retry_first, retry_max;   /* "ForwardRetryFirst" / "ForwardRetryMax", seconds */
    unsigned forward_timeout;          /* "ForwardTimeout": DICOM timeout, seconds */
    unsigned forward_lease;            /* "ForwardLease": PostgreSQL journal, seconds */
    int restore_routes;                /* "EnableRestoreRoutes" */
    int key_routes;                    /* "EnableKeyRoutes" */
    unsigned user_count;               /* "RestoreUsers": who may use those routes */
    char users[DGO_USERS_MAX][DGO_NAME_MAX + 1];
    int audit_syslog; /* "AuditSyslog": each audit record also to syslog (DICOM audit XML) */
    /* "ForwardToDicomWeb": a server of the DICOMweb plugin ("DicomWeb": {"Servers": ...}),
     * sent to with STOW-RS; then forward_to holds that name too and forward_dicomweb is 1;
     * dicomweb_root is the DICOMweb plugin's "Root" ("/dicom-web/") */
    char forward_to_dicomweb[DGO_NAME_MAX + 1];
    int forward_dicomweb;
    char dicomweb_root[DGO_NAME_MAX + 1];
} dgo_config;

/*
 * Parses len bytes of JSON (the whole Orthanc configuration) into cfg.
 * Returns 0, or -1 with one line in err saying what is wrong.
 */
int dgo_config_parse(const char *json, size_t len, dgo_config *cfg, char *err, size_t errlen);

/*
 * The script language ("python", "java", "lua" ...) when a plugin file or
 * folder name looks like a plugin that runs user scripts; NULL otherwise.
 */
const char *dgo_scripting_plugin_name(const char *name);

#endif
