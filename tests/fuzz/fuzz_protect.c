/*
 * fuzz_protect.c - libFuzzer harness for the DICOM input path of protect:
 * dg_protect on arbitrary bytes, as a modality or a network peer may send
 * them.
 *
 * Properties checked on every input, beyond the sanitizers' own:
 *   - a refusal is clean: a dg_status and one line saying why;
 *   - whatever protect accepts, restore gives back bit for bit (a protected
 *     file that cannot be restored is a lost image); in chaos mode, a
 *     compressed input comes back decoded (docs/chaos.md), so for those the
 *     restore must succeed and give a file dcmguard can parse.
 * Built twice: fuzz_protect (the default pixel mode, aes) and, with
 * -DDGF_CHAOS, fuzz_protect_chaos (chaos mode, which decodes compressed
 * input: JPEG, JPEG-LS, RLE, deflate).
 * Build: cmake -DDG_FUZZ=ON with clang (tests/fuzz/run.sh does it).
 */
#include "fuzz_common.h"

static dg_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = dgf_context();
#ifdef DGF_CHAOS
    if (dg_ctx_set_mode(ctx, DG_MODE_CHAOS) != DG_OK)
        dgf_die("chaos mode", "refused");
#endif
    return 0;
}

/* Chaos mode decodes compressed input: its restore gives the decoded image. */
static int decoded_on_purpose(const dg_protected *p)
{
#ifdef DGF_CHAOS
    char err[DG_ERRLEN], *text = NULL;
    int decoded = 0;

    if (dg_inspect(p->file, p->file_len, &text, err, sizeof err) == DG_OK)
        decoded = strstr(text, "decoded before protection") != NULL;
    free(text);
    return decoded;
#else
    (void)p;
    return 0;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DG_ERRLEN];
    dg_protected p;
    uint8_t *back = NULL;
    size_t back_len = 0;
    int rc;

    err[0] = '\0';
    rc = dg_protect(ctx, data, size, "fuzz.dcm", 0, &p, err, sizeof err);
    if (rc != DG_OK) {
        dgf_check_refusal("dg_protect", rc, err, sizeof err);
        return 0;
    }
    err[0] = '\0';
    rc = dg_restore(ctx, p.file, p.file_len, NULL, NULL, 0, &back, &back_len, err, sizeof err);
    if (rc != DG_OK)
        dgf_die("restore of a file just protected", err);
    if (decoded_on_purpose(&p)) {
        dg_dicom *d = NULL;
        if (dg_dicom_parse(back, back_len, &d, err, sizeof err) != DG_DICOM_OK)
            dgf_die("parse of a restored (decoded) file", err);
        dg_dicom_free(d);
    } else if (back_len != size || memcmp(back, data, size) != 0) {
        dgf_die("restore of a file just protected", "restored bytes differ from the input");
    }
    dg_secure_free(back, back_len);
    dg_protected_free(&p);
    return 0;
}
