/*
 * fuzz_dicom.c - libFuzzer harness for dicom/ alone: dg_dicom_parse (the
 * bounded raw scan, then DCMTK), every getter, and dg_dicom_write.
 *
 * Property beyond the sanitizers: a file dcmguard writes, dcmguard can read
 * back (protect writes with dg_dicom_write and restore reads with
 * dg_dicom_parse, so a written file that does not parse is a protected
 * image that cannot be restored).
 */
#include "fuzz_common.h"

static void read_everything(const dg_dicom *d)
{
    static const uint16_t tags[][2] = {{0x0008, 0x0016}, {0x0008, 0x0018}, {0x0010, 0x0010},
                                       {0x0010, 0x0020}, {0x0028, 0x0004}, {0x0028, 0x0008}};
    char text[80];
    dg_dicom_info info;
    uint64_t offset, length;
    const uint8_t *value;
    size_t value_len;

    if (dg_dicom_get_info(d, &info) != DG_DICOM_OK)
        dgf_die("dg_dicom_get_info", "failed on a parsed file");
    for (uint32_t i = 0; i < info.item_count; i++) {
        if (dg_dicom_get_item(d, i, &offset, &length) != DG_DICOM_OK)
            dgf_die("dg_dicom_get_item", "an item the info counts is missing");
    }
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        dg_dicom_get_string(d, tags[i][0], tags[i][1], text, sizeof text);
    dg_dicom_get_private(d, 0x7FD1, "DCMGUARD 1", 0x01, &value, &value_len);
}

static void write_and_read_back(dg_dicom *d)
{
    char err[DG_ERRLEN] = "";
    dg_dicom_info info;
    uint8_t *out = NULL;
    size_t out_len = 0;
    dg_dicom *again = NULL;

    dg_dicom_get_info(d, &info);
    /* Encapsulated pixel data cannot be written as explicit VR without a codec. */
    if (info.encapsulated)
        dg_dicom_remove_pixels(d);
    if (dg_dicom_write(d, DG_DICOM_TS_EXPLICIT_LE, &out, &out_len, err, sizeof err) != DG_DICOM_OK)
        return;
    if (dg_dicom_parse(out, out_len, &again, err, sizeof err) != DG_DICOM_OK)
        dgf_die("parse of a file dg_dicom_write made", err);
    dg_dicom_free(again);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DG_ERRLEN];
    dg_dicom *d = NULL;
    int rc;

    err[0] = '\0';
    rc = dg_dicom_parse(data, size, &d, err, sizeof err);
    if (rc != DG_DICOM_OK) {
        if (d != NULL)
            dgf_die("dg_dicom_parse", "refused but returned an object");
        if (err[0] == '\0' || strchr(err, '\n') != NULL)
            dgf_die("dg_dicom_parse", "refusal without a one-line reason");
        return 0;
    }
    read_everything(d);
    write_and_read_back(d);
    dg_dicom_free(d);
    return 0;
}
