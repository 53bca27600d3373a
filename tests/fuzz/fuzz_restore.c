/*
 * fuzz_restore.c - libFuzzer harness for the protected-file reader: the
 * DICOM parse of a protected file, its private block (header, envelope,
 * tiles), slice files, and dg_inspect, on arbitrary bytes.
 *
 * Input layout: the protected file, then optionally slices, each one as
 * DGF_SLICE_MARK, its file name, a newline, and its bytes. The slice loader
 * hands restore the slice of the name it asks for (or refuses). run.sh
 * makes the seeds this way from small testdata files, protected with and
 * without --slices-dir under the key it exports in DG_FUZZ_MASTER_KEY, so
 * that the seeds restore and the fuzzer starts from the deep paths.
 *
 * Properties: a refusal is a dg_status and one line; an accepted file gives
 * back a buffer of the size it claims; inspect prints text only.
 */
#include "fuzz_common.h"

#define DGF_SLICE_MARK "\n--dcmguard-fuzz-slice--\n"

static dg_ctx *ctx;

/* The input cut into the protected file and its slices (borrowed pointers). */
typedef struct parts {
    const uint8_t *data;
    size_t size;
    size_t file_len;
} parts;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = dgf_context();
    return 0;
}

static const uint8_t *find_mark(const uint8_t *p, const uint8_t *end)
{
    size_t mark = sizeof DGF_SLICE_MARK - 1;

    if ((size_t)(end - p) < mark)
        return NULL;
    return memmem(p, (size_t)(end - p), DGF_SLICE_MARK, mark);
}

static int load_slice(void *user, const char *name, uint8_t **data, size_t *len, char *err,
                      size_t errlen)
{
    const parts *in = user;
    const uint8_t *end = in->data + in->size;
    const uint8_t *p = in->data + in->file_len;
    size_t mark = sizeof DGF_SLICE_MARK - 1, name_len = strlen(name);

    while (p != NULL && p < end) {
        const uint8_t *start = p + mark, *nl, *next;
        nl = memchr(start, '\n', (size_t)(end - start));
        if (nl == NULL)
            break;
        next = find_mark(nl + 1, end);
        if ((size_t)(nl - start) == name_len && memcmp(start, name, name_len) == 0) {
            size_t n = (size_t)((next ? next : end) - (nl + 1));
            *data = malloc(n ? n : 1);
            if (*data == NULL)
                return -1;
            memcpy(*data, nl + 1, n);
            *len = n;
            return 0;
        }
        p = next;
    }
    snprintf(err, errlen, "no slice %s in the input", name);
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DG_ERRLEN];
    char *text = NULL;
    uint8_t *back = NULL;
    size_t back_len = 0;
    const uint8_t *mark = find_mark(data, data + size);
    parts in = {data, size, mark ? (size_t)(mark - data) : size};
    int rc;

    err[0] = '\0';
    rc = dg_inspect(data, in.file_len, &text, err, sizeof err);
    if (rc != DG_OK)
        dgf_check_refusal("dg_inspect", rc, err, sizeof err);
    else if (text == NULL || strlen(text) == 0)
        dgf_die("dg_inspect", "accepted but described nothing");
    free(text);

    err[0] = '\0';
    rc = dg_restore(ctx, data, in.file_len, load_slice, &in, 0, &back, &back_len, err, sizeof err);
    if (rc != DG_OK) {
        dgf_check_refusal("dg_restore", rc, err, sizeof err);
        return 0;
    }
    if (back == NULL && back_len != 0)
        dgf_die("dg_restore", "accepted but gave no buffer");
    dg_secure_free(back, back_len);
    return 0;
}
