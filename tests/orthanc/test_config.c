/*
 * test_config.c - unit tests of the gateway's configuration parser
 * (orthanc-glue/config.c): defaults, every setting, and the mistakes that
 * must keep Orthanc from starting.
 */
#include "check.h"
#include "config.h"

#include <stdio.h>
#include <string.h>

static dgo_config cfg;
static char err[512];

/* Parses json as given, with "SaveJobs": false added when it does not set SaveJobs. */
static int parse(const char *json)
{
    static char with[4096];
    const char *open = strchr(json, '{');

    err[0] = '\0';
    if (open != NULL && strstr(json, "SaveJobs") == NULL && strstr(json, "WebDav") == NULL &&
        strlen(json) + 64 < sizeof with) {
        const char *rest = open + 1 + strspn(open + 1, " \n");
        snprintf(with, sizeof with, "%.*s\"SaveJobs\": false, \"WebDavEnabled\": false%s%s",
                 (int)(open + 1 - json), json, *rest == '}' ? "" : ", ", rest);
        json = with;
    }
    return dgo_config_parse(json, strlen(json), &cfg, err, sizeof err);
}

/* parse must fail with a message containing why. */
static int refused(const char *json, const char *why)
{
    return parse(json) != 0 && strstr(err, why) != NULL && strchr(err, '\n') == NULL;
}

#define MIN "\"MasterKey\": \"/k/master.key\", \"KeyStore\": \"/k/keys.db\""

/* Orthanc saves storage commitment jobs, with the UIDs asked about, unless told not to. */
static void test_save_jobs(void)
{
    CHECK(refused("{\"DcmGuard\": {" MIN "}, \"SaveJobs\": true}", "SaveJobs"));
    CHECK(refused("{\"DcmGuard\": {" MIN "}, \"SaveJobs\": \"false\"}", "SaveJobs"));
    CHECK(parse("{\"DcmGuard\": {" MIN "}, \"SaveJobs\": false, \"WebDavEnabled\": false}") == 0);
    const char absent[] = "{\"DcmGuard\": {" MIN "}, \"Name\": \"SaveJob\"}";
    CHECK(dgo_config_parse(absent, strlen(absent), &cfg, err, sizeof err) != 0 &&
          strstr(err, "SaveJobs") != NULL); /* absent: Orthanc's default, true */
}

/* WebDAV uploads wait unprotected in Orthanc's temporary folder. */
static void test_webdav(void)
{
    const char *off = "\"SaveJobs\": false";
    char j[512];

    snprintf(j, sizeof j, "{\"DcmGuard\": {" MIN "}, %s}", off);
    CHECK(dgo_config_parse(j, strlen(j), &cfg, err, sizeof err) != 0 &&
          strstr(err, "WebDavUploadAllowed") != NULL); /* both absent: Orthanc's defaults */
    snprintf(j, sizeof j, "{\"DcmGuard\": {" MIN "}, %s, \"WebDavEnabled\": true}", off);
    CHECK(refused(j, "WebDAV"));
    snprintf(j, sizeof j, "{\"DcmGuard\": {" MIN "}, %s, \"WebDavEnabled\": false}", off);
    CHECK(parse(j) == 0);
    snprintf(j, sizeof j, "{\"DcmGuard\": {" MIN "}, %s, \"WebDavUploadAllowed\": false}", off);
    CHECK(parse(j) == 0);
}

static void test_defaults(void)
{
    CHECK(parse("{\"DcmGuard\": {" MIN "}}") == 0);
    CHECK(strcmp(cfg.master_key, "/k/master.key") == 0);
    CHECK(strcmp(cfg.journal, "/k/dcmguard-journal.db") == 0);
    CHECK(cfg.mode == DG_MODE_AES && cfg.tile_rows == 0 && cfg.tile_cols == 0);
    CHECK(cfg.threads == 0 && cfg.otp_mode == DG_OTP_BINARY && cfg.otp_policy == DG_OTP_REUSABLE);
    CHECK(cfg.otp_ttl == 0 && cfg.forward_to[0] == '\0' && cfg.forward_batch == 16);
    CHECK(cfg.retry_first == 5 && cfg.retry_max == 300 && cfg.forward_timeout == 60);
    CHECK(cfg.restore_routes == 0 && cfg.key_routes == 0 && cfg.user_count == 0);
    CHECK(cfg.journal_full_sync == 0);
    CHECK(parse("{\"DcmGuard\": {\"MasterKey\": \"m\", \"KeyStore\": \"ks\"}}") == 0);
    CHECK(strcmp(cfg.journal, "dcmguard-journal.db") == 0);
    CHECK(cfg.forward_lease == 300);
    /* a PostgreSQL key store: the journal is in the same database by default */
    CHECK(parse("{\"DcmGuard\": {\"MasterKey\": \"m\","
                " \"KeyStore\": \"postgresql:///dg?host=/run/postgresql\"}}") == 0);
    CHECK(strcmp(cfg.journal, "postgresql:///dg?host=/run/postgresql") == 0);
    CHECK(parse("{\"DcmGuard\": {\"MasterKey\": \"m\", \"KeyStore\": \"postgres:///dg\","
                " \"ForwardLease\": 30}}") == 0);
    CHECK(strcmp(cfg.journal, "postgres:///dg") == 0 && cfg.forward_lease == 30);
    CHECK(
        refused("{\"DcmGuard\": {\"MasterKey\": \"m\", \"KeyStore\": \"k\", \"ForwardLease\": 0}}",
                "ForwardLease"));
}

static void test_every_setting(void)
{
    CHECK(
        parse("{\"DcmGuard\": {" MIN ", \"Journal\": \"/j.db\", \"JournalFullSync\": true,"
              "\"Mode\": \"chaos\", \"Tiles\": \"3x4\", \"Threads\": 2, \"OtpMode\": \"numeric\","
              "\"OtpPolicy\": \"single-use\", \"OtpTimeToLive\": \"30d\", \"ForwardTo\": \"pacs\","
              "\"ForwardBatch\": 5, \"ForwardRetryFirst\": 2, \"ForwardRetryMax\": 9,"
              "\"ForwardTimeout\": 7, \"EnableRestoreRoutes\": true, \"EnableKeyRoutes\": true,"
              "\"RestoreUsers\": [\"alice\"]},"
              "\"DicomModalities\": {\"pacs\": [\"PACS\", \"10.0.0.1\", 104]},"
              "\"AuthenticationEnabled\": true, \"RegisteredUsers\": {\"alice\": \"x\"}}") == 0);
    CHECK(strcmp(cfg.journal, "/j.db") == 0 && cfg.journal_full_sync == 1);
    CHECK(cfg.mode == DG_MODE_CHAOS && cfg.tile_rows == 3 && cfg.tile_cols == 4);
    CHECK(cfg.threads == 2 && cfg.otp_mode == DG_OTP_NUMERIC);
    CHECK(cfg.otp_policy == DG_OTP_SINGLE_USE && cfg.otp_ttl == 30 * 86400);
    CHECK(strcmp(cfg.forward_to, "pacs") == 0 && cfg.forward_batch == 5);
    CHECK(cfg.retry_first == 2 && cfg.retry_max == 9 && cfg.forward_timeout == 7);
    CHECK(cfg.restore_routes == 1 && cfg.key_routes == 1);
    CHECK(cfg.user_count == 1 && strcmp(cfg.users[0], "alice") == 0);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"Tiles\": \"auto\", \"OtpMode\": \"vigenere\"}}") == 0);
    CHECK(cfg.tile_rows == 0 && cfg.otp_mode == DG_OTP_VIGENERE);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"ForwardTo\": \"x\"}, \"DicomModalitiesInDatabase\": "
                "true}") == 0);
}

static void test_mistakes(void)
{
    CHECK(refused("", "not valid JSON"));
    CHECK(refused("[1]", "not a JSON object"));
    CHECK(refused("{}", "no \"DcmGuard\" section"));
    CHECK(refused("{\"DcmGuard\": 3}", "no \"DcmGuard\" section"));
    CHECK(refused("{\"DcmGuard\": {\"KeyStore\": \"k\"}}", "MasterKey is required"));
    CHECK(refused("{\"DcmGuard\": {\"MasterKey\": \"k\"}}", "KeyStore is required"));
    CHECK(refused("{\"DcmGuard\": {\"MasterKey\": \"\", \"KeyStore\": \"k\"}}", "MasterKey"));
    CHECK(refused("{\"DcmGuard\": {\"MasterKey\": 1, \"KeyStore\": \"k\"}}", "MasterKey"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"EnableRestoreRoute\": true}}", "unknown setting"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Mode\": \"rot13\"}}", "Mode"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Tiles\": \"0x2\"}}", "Tiles"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Tiles\": \"2x2x\"}}", "Tiles"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Tiles\": \"257x1\"}}", "Tiles"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Tiles\": 4}}", "Tiles"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Threads\": -1}}", "Threads"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Threads\": 1.5}}", "Threads"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"OtpTimeToLive\": \"30\"}}", "OtpTimeToLive"));
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"Retain\": \"safe-private,modified-dates\"}}") == 0 &&
          cfg.retain == (DG_RETAIN_SAFE_PRIVATE | DG_RETAIN_MODIFIED_DATES));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Retain\": \"names\"}}", "Retain"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Retain\": \"dates,modified-dates\"}}", "Retain"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Retain\": [\"uids\"]}}", "Retain"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"OtpPolicy\": \"once\"}}", "OtpPolicy"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"EnableKeyRoutes\": 1}}", "EnableKeyRoutes"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardTo\": \"pacs\"}}", "not a name in"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardBatch\": 0}}", "ForwardBatch"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardRetryFirst\": 9, \"ForwardRetryMax\": 3}}",
                  "below"));
    CHECK(refused("{\"DcmGuard\": {" MIN "}, \"IngestTranscoding\": \"1.2.840.10008.1.2.4.80\"}",
                  "IngestTranscoding"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"RestoreUsers\": [\"a\"]}}", "AuthenticationEnabled"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"RestoreUsers\": [\"a\"]}, \"AuthenticationEnabled\": "
                  "true, \"RegisteredUsers\": {\"b\": \"x\"}}",
                  "not in RegisteredUsers"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"RestoreUsers\": \"a\"}}", "RestoreUsers"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"MasterKey\": \"twice\"}}", "not valid JSON"));
    /* Found by fuzz_config: configuration text in a message must not break it into lines. */
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"Jou\\nalFullSync\": true}}", "DcmGuard.Jou?al"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardTo\": \"a\\rb\"}}", "\"a?b\""));
    CHECK(refused("{\"DcmGuard\": {\"RestoreUsers\": [\"x\\\n", "not valid JSON"));
}

static void test_limits(void)
{
    static char big[3 * DGO_PATH_MAX];
    int n = snprintf(big, sizeof big, "{\"DcmGuard\": {\"KeyStore\": \"k\", \"MasterKey\": \"");
    memset(big + n, 'a', DGO_PATH_MAX);
    strcpy(big + n + DGO_PATH_MAX, "\"}}");
    CHECK(refused(big, "at most 4095 bytes"));
    CHECK(parse("{\"DcmGuard\": {\"MasterKey\": \"a\\u0000b\", \"KeyStore\": \"k\"}}") != 0);
    CHECK(dgo_config_parse(NULL, 0, &cfg, err, sizeof err) != 0);
    CHECK(dgo_config_parse("{\"DcmGuard\": {" MIN "}}", 10, &cfg, NULL, 0) != 0);
}

/* ForwardToDicomWeb: a server of the DICOMweb plugin's section, sent to with STOW-RS. */
static void test_dicomweb(void)
{
#define DW "\"DicomWeb\": {\"Servers\": {\"vna\": [\"http://10.0.0.2/dicom-web/\"]}}"
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"vna\"}, " DW "}") == 0);
    CHECK(strcmp(cfg.forward_to, "vna") == 0 && cfg.forward_dicomweb == 1);
    CHECK(strcmp(cfg.dicomweb_root, "/dicom-web/") == 0);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"vna\"}, \"DicomWeb\": "
                "{\"Root\": \"/web\", \"Servers\": {\"vna\": [\"http://h/\"]}}}") == 0);
    CHECK(strcmp(cfg.dicomweb_root, "/web/") == 0);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"x\"}, \"DicomWeb\": "
                "{\"ServersInDatabase\": true}}") == 0);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"ForwardTo\": \"pacs\"}, "
                "\"DicomModalities\": {\"pacs\": [\"PACS\", \"h\", 104]}}") == 0);
    CHECK(cfg.forward_dicomweb == 0);
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"pacs\"}, " DW "}",
                  "not a name in DicomWeb.Servers"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"vna\"}}",
                  "not a name in DicomWeb.Servers"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardTo\": \"pacs\", \"ForwardToDicomWeb\": "
                  "\"vna\"}, \"DicomModalities\": {\"pacs\": [\"PACS\", \"h\", 104]}, " DW "}",
                  "choose one archive"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"a/b\"}, \"DicomWeb\": "
                  "{\"Servers\": {\"a/b\": [\"http://h/\"]}}}",
                  "cannot be part of a URI"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": \"vna\"}, \"DicomWeb\": "
                  "{\"Root\": \"web\", \"Servers\": {\"vna\": [\"http://h/\"]}}}",
                  "DicomWeb.Root"));
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"ForwardToDicomWeb\": 3}, " DW "}",
                  "ForwardToDicomWeb"));
#undef DW
}

/* Issue 13: no restore or key route beside code that runs inside Orthanc. */
static void test_script_runners(void)
{
#define ON ", \"EnableRestoreRoutes\": true"
    CHECK(
        refused("{\"DcmGuard\": {" MIN ON "}, \"ExecuteLuaEnabled\": true}", "ExecuteLuaEnabled"));
    CHECK(refused("{\"DcmGuard\": {" MIN
                  ", \"EnableKeyRoutes\": true}, \"ExecuteLuaEnabled\": true}",
                  "DcmGuard.EnableKeyRoutes is refused"));
    CHECK(parse("{\"DcmGuard\": {" MIN "}, \"ExecuteLuaEnabled\": true}") == 0); /* routes off */
    CHECK(parse("{\"DcmGuard\": {" MIN ON "}, \"ExecuteLuaEnabled\": false}") == 0);
    CHECK(refused("{\"DcmGuard\": {" MIN ON "}, \"PythonScript\": \"/x.py\"}", "PythonScript"));
    CHECK(refused("{\"DcmGuard\": {" MIN ON "}, \"Java\": {}}", "Java"));
    CHECK(refused("{\"DcmGuard\": {" MIN ON "}, \"Plugins\": [\"/p/libOrthancPython.so\"]}",
                  "libOrthancPython.so"));
    CHECK(refused("{\"DcmGuard\": {" MIN ON "}, \"Plugins\": [\"/p/libOrthancJava.so\"]}", "Java"));
    /* only the file name counts: a folder whose path merely contains "lua" is not a script runner
     */
    CHECK(parse("{\"DcmGuard\": {" MIN ON "}, \"Plugins\": [\"/evaluation/plugins\"]}") == 0);
    CHECK(dgo_scripting_plugin_name("/usr/lib/libOrthancPython3.11.so") != NULL);
    CHECK(dgo_scripting_plugin_name("/usr/share/orthanc/plugins/libOrthancDicomWeb.so") == NULL);
    CHECK(parse("{\"DcmGuard\": {" MIN ", \"AuditSyslog\": true}}") == 0 && cfg.audit_syslog == 1);
    CHECK(refused("{\"DcmGuard\": {" MIN ", \"AuditSyslog\": 1}}", "AuditSyslog"));
#undef ON
}

int main(void)
{
    test_save_jobs();
    test_webdav();
    test_script_runners();
    test_defaults();
    test_every_setting();
    test_mistakes();
    test_limits();
    test_dicomweb();
    return check_summary("orthanc_config");
}
