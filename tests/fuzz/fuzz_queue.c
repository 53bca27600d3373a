/*
 * fuzz_queue.c - libFuzzer harness for the gateway journal's reader of SOP
 * UIDs, dg_queue_key_file (plugin/queue.c): on every stored instance the
 * gateway names it by its SOP Instance UID, read by a bounded walk of the
 * File Meta and the top of the dataset, with the full parse as fallback.
 *
 * Properties beyond the sanitizers:
 *   - a refusal is clean (one line, a dg_status);
 *   - what is accepted is well formed: a key of DG_QUEUE_KEY_LEN lowercase
 *     hex digits and a SOP Class UID that fits;
 *   - the fast walk never disagrees with the full parse: when dcmguard's
 *     parser reads the file, the key is that of the SOP Instance UID it
 *     reads and the class is the SOP Class UID it reads. A disagreement
 *     would file an instance under another instance's name in the journal.
 */
#include "fuzz_common.h"

static dg_ctx *ctx;

static int is_key(const char *key)
{
    size_t n = strlen(key);

    if (n != DG_QUEUE_KEY_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
            return 0;
    return 1;
}

/* The full parse's view of the same file must name the same instance and class. */
static void agrees_with_parse(const uint8_t *data, size_t size, const char *key, const char *cls)
{
    char err[DG_ERRLEN] = "", key2[DG_QUEUE_KEY_LEN + 1];
    dg_dicom *d = NULL;
    dg_dicom_info info;

    if (dg_dicom_parse(data, size, &d, err, sizeof err) != DG_DICOM_OK)
        goto done;
    if (dg_dicom_get_info(d, &info) != DG_DICOM_OK || info.sop_instance_uid[0] == '\0')
        goto done;
    if (dg_queue_key(ctx, info.sop_instance_uid, key2, err, sizeof err) != DG_OK)
        dgf_die("dg_queue_key", err);
    if (strcmp(key, key2) != 0)
        dgf_die("dg_queue_key_file", "names another SOP Instance UID than the full parse reads");
    if (strcmp(cls, info.sop_class_uid) != 0)
        dgf_die("dg_queue_key_file", "reads another SOP Class UID than the full parse");
done:
    dg_dicom_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DG_ERRLEN], key[DG_QUEUE_KEY_LEN + 1], cls[DG_QUEUE_UID_MAX + 1];
    int rc;

    if (ctx == NULL)
        ctx = dgf_context();
    err[0] = '\0';
    memset(key, 'x', sizeof key);
    memset(cls, 'x', sizeof cls);
    rc = dg_queue_key_file(ctx, data, size, key, cls, err, sizeof err);
    if (rc != DG_OK) {
        dgf_check_refusal("dg_queue_key_file", rc, err, sizeof err);
        return 0;
    }
    if (memchr(key, '\0', sizeof key) == NULL || !is_key(key))
        dgf_die("dg_queue_key_file", "accepted with a key that is not 64 hex digits");
    if (memchr(cls, '\0', sizeof cls) == NULL)
        dgf_die("dg_queue_key_file", "accepted with an unterminated SOP Class UID");
    agrees_with_parse(data, size, key, cls);
    return 0;
}
