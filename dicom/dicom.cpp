/*
 * dicom.cpp - the C API of dicom.h over DCMTK's dcmdata.
 *
 * A dg_dicom holds one DcmFileFormat read from memory plus the result of
 * the raw scan (scan.cpp) of the same bytes. Parsing accepts a file only
 * when the scan passes, DCMTK reads it with no error, and both agree on the
 * top-level Pixel Data. Everything else is a thin wrapper: find, put and
 * delete top-level elements, build encapsulated pixel data, keep a private
 * block of OB elements, and write a Part-10 file to memory.
 *
 * dg_dicom_parse_borrowed leaves large values in the caller's buffer:
 * DCMTK defers a value longer than its maxReadLength when its input stream
 * can make a factory for reading it later; BorrowingStream is a buffer
 * stream that can (BorrowedValue reopens the same buffer at the value).
 *
 * No C++ type or exception leaves this file: every entry point runs its
 * work inside GUARDED, which turns exceptions into DG_DICOM_ENOMEM or
 * DG_DICOM_EINTERNAL. Separate dg_dicom objects may be used from separate
 * threads; DCMTK's data dictionary is shared but locked by DCMTK itself.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcdicent.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dcmtk/dcmdata/dcvrobow.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/oflog/oflog.h"

#include <memory>
#include <new>
#include <string>
#include <vector>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dicom.h"
#include "scan.h"

/* How written files name their implementation in the File Meta group. */
#define DG_IMPLEMENTATION_CLASS_UID "2.25.234275894715281624714077322282656924413"
#define DG_IMPLEMENTATION_VERSION_NAME "DCMGUARD"

/* Output is taken from DCMTK in chunks of this size. */
#define WRITE_CHUNK (1024 * 1024)

struct dg_dicom {
    DcmFileFormat file;
    dg_scan scan;
    dg_dicom_info info;                 /* the file as parsed */
    std::vector<offile_off_t> borrowed; /* offsets of the values left in the buffer */
};

/* Reads one deferred value from the caller's buffer, from offset on. */
class BorrowedValue : public DcmInputStreamFactory
{
  public:
    BorrowedValue(const uint8_t *buf, size_t len, offile_off_t offset)
        : buf_(buf), len_(len), offset_(offset)
    {
    }
    DcmInputStream *create() const override
    {
        DcmInputBufferStream *s = new DcmInputBufferStream();
        s->setBuffer(buf_ + offset_, (offile_off_t)len_ - offset_);
        s->setEos();
        return s;
    }
    DcmInputStreamFactory *clone() const override
    {
        return new BorrowedValue(*this);
    }
    DcmInputStreamFactoryType ident() const override
    {
        return DFT_DcmInputFileStreamFactory;
    }

  private:
    const uint8_t *buf_;
    size_t len_;
    offile_off_t offset_;
};

/* A buffer stream whose large values DCMTK may leave where they are. */
class BorrowingStream : public DcmInputBufferStream
{
  public:
    BorrowingStream(const uint8_t *buf, size_t len, std::vector<offile_off_t> *borrowed)
        : buf_(buf), len_(len), borrowed_(borrowed)
    {
        setBuffer(buf, (offile_off_t)len);
        setEos();
        unfiltered_ = currentProducer();
    }
    /* None once a filter (inflate) sits between the buffer and DCMTK: positions differ. */
    DcmInputStreamFactory *newFactory() const override
    {
        offile_off_t at = tell();
        if (currentProducer() != unfiltered_ || at < 0 || (size_t)at > len_)
            return NULL;
        borrowed_->push_back(at);
        return new BorrowedValue(buf_, len_, at);
    }

  private:
    const uint8_t *buf_;
    size_t len_;
    std::vector<offile_off_t> *borrowed_;
    const DcmProducer *unfiltered_;
};

/* A growing malloc'd buffer. */
struct out_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Runs the body of an entry point, turning any C++ exception into a status. */
#define GUARDED(call)                                                                              \
    try {                                                                                          \
        return (call);                                                                             \
    } catch (const std::bad_alloc &) {                                                             \
        return DG_DICOM_ENOMEM;                                                                    \
    } catch (...) {                                                                                \
        return DG_DICOM_EINTERNAL;                                                                 \
    }

static int set_error(char *err, size_t errlen, int status, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return status;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return status;
}

/* ---- one-time setup ---------------------------------------------------- */

static int init_dcmtk(void)
{
    /* dcmdata warns on stderr about every oddity; the caller gets errors. */
    OFLog::getLogger("dcmtk.dcmdata").setLogLevel(OFLogger::FATAL_LOG_LEVEL);
    return dcmDataDict.isDictionaryLoaded() ? 1 : 0;
}

/* Quiets dcmdata and checks its data dictionary, once per process. */
static int dcmtk_ready(void)
{
    static const int ready = init_dcmtk(); /* thread-safe since C++11 */
    return ready;
}

/* ---- small helpers ----------------------------------------------------- */

static DcmDataset *dataset_of(const dg_dicom *d)
{
    return const_cast<DcmFileFormat &>(d->file).getDataset();
}

/* Copies s without leading and trailing spaces (and NULs); 0 if it does not fit. */
static int copy_trimmed(const OFString &s, char *out, size_t cap)
{
    size_t begin = 0;
    size_t end = s.length();

    while (begin < end && (s[begin] == ' ' || s[begin] == '\0'))
        begin++;
    while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\0'))
        end--;
    if (end - begin + 1 > cap)
        return 0;
    memcpy(out, s.c_str() + begin, end - begin);
    out[end - begin] = '\0';
    return 1;
}

static void get_trimmed_or_empty(DcmDataset *ds, const DcmTagKey &key, char *out, size_t cap)
{
    OFString value;

    out[0] = '\0';
    if (ds->findAndGetOFStringArray(key, value).good() && !copy_trimmed(value, out, cap))
        out[0] = '\0';
}

static uint16_t get_u16_or_zero(DcmDataset *ds, const DcmTagKey &key)
{
    Uint16 value = 0;

    if (ds->findAndGetUint16(key, value).bad())
        return 0;
    return value;
}

static uint16_t read_u16(const uint8_t *p, int big_endian)
{
    if (big_endian)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

/* Element tags the editing functions may touch: not File Meta, not items. */
static int editable_tag(uint16_t group)
{
    return group != 0x0002 && group != 0xFFFE;
}

/* ---- parsing ----------------------------------------------------------- */

static int read_with_dcmtk(dg_dicom *d, const uint8_t *buf, size_t len, int no_meta, int borrow,
                           char *err, size_t errlen)
{
    DcmInputBufferStream plain;
    BorrowingStream borrowing(buf, len, &d->borrowed);
    DcmInputBufferStream &stream = borrow && !d->scan.deflated ? borrowing : plain;
    const Uint32 max_read = &stream == &borrowing ? DG_DICOM_BORROW_BYTES : DCM_MaxReadLength;
    OFCondition cond;

    if (&stream == &plain) {
        plain.setBuffer(buf, (offile_off_t)len);
        plain.setEos();
    }
    if (no_meta) {
        /*
         * Without File Meta, DcmFileFormat::read guesses the encoding on its
         * own (big endian included) whatever it is told; the dataset reader
         * takes the encoding the scan checked.
         */
        DcmDataset *ds = d->file.getDataset();
        E_TransferSyntax xfer = DcmXfer(d->scan.transfer_syntax).getXfer();
        ds->transferInit();
        cond = ds->read(stream, xfer, EGL_noChange, max_read);
        ds->transferEnd();
    } else {
        d->file.transferInit();
        cond = d->file.read(stream, EXS_Unknown, EGL_noChange, max_read);
        d->file.transferEnd();
    }
    if (cond != EC_Normal)
        return set_error(err, errlen, DG_DICOM_EPARSE, "DCMTK: %s", cond.text());
    if (!d->file.getMetaInfo()->tagExists(DCM_TransferSyntaxUID) && !no_meta)
        return set_error(err, errlen, DG_DICOM_EPARSE, "DCMTK found no Transfer Syntax UID");
    return DG_DICOM_OK;
}

/*
 * A file without File Meta: DCMTK guessed the encoding from the bytes, as
 * the scan did; the two guesses must be the same.
 */
static int same_guess(dg_dicom *d, const char *scanned_ts, char *err, size_t errlen)
{
    DcmXfer dcmtk(d->file.getDataset()->getOriginalXfer());
    DcmXfer scanned(scanned_ts);

    if (dcmtk.isExplicitVR() != scanned.isExplicitVR() ||
        dcmtk.getByteOrder() != scanned.getByteOrder())
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "no File Meta, and DCMTK and the scan guess different encodings");
    return DG_DICOM_OK;
}

/* DCMTK's native Pixel Data must hold the very bytes the scan located. */
static int same_native_pixels(DcmElement *pixels, const uint8_t *bytes, size_t length,
                              int big_endian)
{
    Uint16 *words = NULL;
    Uint8 *value = NULL;
    size_t i;

    if (length == 0)
        return 1;
    if (pixels->getVR() != EVR_OW) {
        return pixels->getUint8Array(value).good() && value != NULL &&
               memcmp(value, bytes, length) == 0;
    }
    /* DCMTK hands out OW in host byte order whatever the file's order. */
    if (pixels->getUint16Array(words).bad() || words == NULL)
        return 0;
    for (i = 0; i < length / 2; i++) {
        if (words[i] != read_u16(bytes + 2 * i, big_endian))
            return 0;
    }
    return 1;
}

/* DCMTK rounds an odd value length up to even as it reads. */
static int same_length(uint64_t dcmtk_length, uint64_t scanned_length)
{
    return dcmtk_length == scanned_length ||
           ((scanned_length & 1) != 0 && dcmtk_length == scanned_length + 1);
}

static int is_borrowed(const dg_dicom *d, uint64_t offset)
{
    for (offile_off_t at : d->borrowed)
        if ((uint64_t)at == offset)
            return 1;
    return 0;
}

static int check_native(dg_dicom *d, DcmElement *pixels, const uint8_t *buf, char *err,
                        size_t errlen)
{
    const dg_scan *s = &d->scan;
    Uint32 length = pixels->getLength(EXS_LittleEndianExplicit, EET_UndefinedLength);

    if (!same_length(length, s->pixel_value_length))
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree on the Pixel Data length (%llu vs %lu)",
                         (unsigned long long)s->pixel_value_length, (unsigned long)length);
    /* Left in the buffer: DCMTK will read the very bytes the scan located iff it left them there.
     */
    if (!pixels->valueLoaded())
        return is_borrowed(d, s->pixel_value_offset)
                   ? DG_DICOM_OK
                   : set_error(err, errlen, DG_DICOM_EPARSE,
                               "scan and DCMTK disagree on where the Pixel Data starts");
    if (!same_native_pixels(pixels, buf + s->pixel_value_offset, (size_t)s->pixel_value_length,
                            s->big_endian))
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree on the Pixel Data bytes");
    return DG_DICOM_OK;
}

static int check_encapsulated(dg_dicom *d, DcmPixelData *pixels, char *err, size_t errlen)
{
    const DcmRepresentationParameter *param = NULL;
    DcmPixelSequence *seq = NULL;
    DcmPixelItem *item = NULL;
    E_TransferSyntax rep = EXS_Unknown;
    unsigned long i;

    pixels->getOriginalRepresentationKey(rep, param);
    if (pixels->getEncapsulatedRepresentation(rep, param, seq).bad() || seq == NULL)
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree: DCMTK did not read encapsulated Pixel Data");
    if (seq->card() != d->scan.item_count)
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree on the Pixel Data items (%u vs %lu)",
                         d->scan.item_count, seq->card());
    for (i = 0; i < seq->card(); i++) {
        if (seq->getItem(item, i).bad() ||
            !same_length(item->getLength(), d->scan.items[i].length - 8))
            return set_error(err, errlen, DG_DICOM_EPARSE,
                             "scan and DCMTK disagree on the length of Pixel Data item %lu", i);
    }
    return DG_DICOM_OK;
}

/* DCMTK holds a top-level Pixel Data iff the scan found one, and the same one. */
static int check_agreement(dg_dicom *d, const uint8_t *buf, char *err, size_t errlen)
{
    DcmElement *pixels = NULL;
    int found = dataset_of(d)->findAndGetElement(DCM_PixelData, pixels).good();

    if (d->scan.deflated)
        return DG_DICOM_OK;
    if (found != d->scan.has_pixels)
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree on the presence of Pixel Data");
    if (!found)
        return DG_DICOM_OK;
    if (pixels->ident() != EVR_PixelData)
        return set_error(err, errlen, DG_DICOM_EPARSE,
                         "scan and DCMTK disagree: (7FE0,0010) is not pixel data to DCMTK");
    if (d->scan.encapsulated)
        return check_encapsulated(d, OFstatic_cast(DcmPixelData *, pixels), err, errlen);
    return check_native(d, pixels, buf, err, errlen);
}

static void fill_info(dg_dicom *d)
{
    DcmDataset *ds = dataset_of(d);
    dg_dicom_info *info = &d->info;
    const dg_scan *s = &d->scan;
    Sint32 frames = 0;
    Uint16 rows = 0, cols = 0;

    memset(info, 0, sizeof(*info));
    memcpy(info->transfer_syntax, s->transfer_syntax, sizeof(info->transfer_syntax));
    get_trimmed_or_empty(ds, DCM_SOPClassUID, info->sop_class_uid, sizeof(info->sop_class_uid));
    get_trimmed_or_empty(ds, DCM_SOPInstanceUID, info->sop_instance_uid,
                         sizeof(info->sop_instance_uid));
    get_trimmed_or_empty(ds, DCM_PhotometricInterpretation, info->photometric,
                         sizeof(info->photometric));
    info->big_endian = s->big_endian;
    info->deflated = s->deflated;
    info->has_pixels = ds->tagExists(DCM_PixelData) ? 1 : 0;
    info->encapsulated = s->encapsulated;
    ds->findAndGetUint16(DCM_Rows, rows);
    ds->findAndGetUint16(DCM_Columns, cols);
    info->rows = rows;
    info->cols = cols;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1)
        frames = 1;
    info->frames = (uint32_t)frames;
    info->samples_per_pixel = get_u16_or_zero(ds, DCM_SamplesPerPixel);
    info->bits_allocated = get_u16_or_zero(ds, DCM_BitsAllocated);
    info->bits_stored = get_u16_or_zero(ds, DCM_BitsStored);
    info->high_bit = get_u16_or_zero(ds, DCM_HighBit);
    info->pixel_representation = get_u16_or_zero(ds, DCM_PixelRepresentation);
    info->planar_configuration = get_u16_or_zero(ds, DCM_PlanarConfiguration);
    info->pixels_located = s->has_pixels;
    info->pixel_value_offset = s->pixel_value_offset;
    info->pixel_value_length = s->pixel_value_length;
    info->item_count = s->item_count;
    info->dataset_offset = s->dataset_offset;
}

static int parse(dg_dicom *d, const uint8_t *buf, size_t len, int borrow, char *err, size_t errlen)
{
    int rc;

    if (!dcmtk_ready())
        return set_error(err, errlen, DG_DICOM_EINTERNAL,
                         "DCMTK's data dictionary is not loaded (see DCMDICTPATH)");
    rc = dg_scan_file(buf, len, &d->scan, err, errlen);
    if (rc == DG_DICOM_OK)
        rc = read_with_dcmtk(d, buf, len, d->scan.no_meta, borrow, err, errlen);
    if (rc == DG_DICOM_OK && d->scan.no_meta)
        rc = same_guess(d, d->scan.transfer_syntax, err, errlen);
    if (rc == DG_DICOM_OK)
        rc = check_agreement(d, buf, err, errlen);
    if (rc == DG_DICOM_OK)
        fill_info(d);
    return rc;
}

static int parse_new(const uint8_t *buf, size_t len, int borrow, dg_dicom **out, char *err,
                     size_t errlen)
{
    dg_dicom *d = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (buf == NULL || out == NULL)
        return set_error(err, errlen, DG_DICOM_EINVAL, "no buffer to parse");
    try {
        d = new dg_dicom();
        rc = parse(d, buf, len, borrow, err, errlen);
    } catch (const std::bad_alloc &) {
        rc = set_error(err, errlen, DG_DICOM_ENOMEM, "out of memory while parsing");
    } catch (...) {
        rc = set_error(err, errlen, DG_DICOM_EINTERNAL, "DCMTK failed while parsing");
    }
    if (rc != DG_DICOM_OK) {
        dg_dicom_free(d);
        return rc;
    }
    *out = d;
    return DG_DICOM_OK;
}

int dg_dicom_parse(const uint8_t *buf, size_t len, dg_dicom **out, char *err, size_t errlen)
{
    return parse_new(buf, len, 0, out, err, errlen);
}

int dg_dicom_parse_borrowed(const uint8_t *buf, size_t len, dg_dicom **out, char *err,
                            size_t errlen)
{
    return parse_new(buf, len, 1, out, err, errlen);
}

void dg_dicom_free(dg_dicom *d)
{
    if (d == NULL)
        return;
    dg_scan_free(&d->scan);
    try {
        delete d;
    } catch (...) {
        /* a destructor that throws leaves nothing more to do */
    }
}

int dg_dicom_get_info(const dg_dicom *d, dg_dicom_info *info)
{
    if (d == NULL || info == NULL)
        return DG_DICOM_EINVAL;
    *info = d->info;
    return DG_DICOM_OK;
}

int dg_dicom_get_item(const dg_dicom *d, uint32_t i, uint64_t *offset, uint64_t *length)
{
    if (d == NULL || offset == NULL || length == NULL)
        return DG_DICOM_EINVAL;
    if (i >= d->scan.item_count)
        return DG_DICOM_ENOTFOUND;
    *offset = d->scan.items[i].offset;
    *length = d->scan.items[i].length;
    return DG_DICOM_OK;
}

/* ---- reading and editing top-level elements ---------------------------- */

static int get_string(const dg_dicom *d, uint16_t group, uint16_t element, char *out, size_t cap)
{
    OFString value;
    OFCondition cond = dataset_of(d)->findAndGetOFStringArray(DcmTagKey(group, element), value);

    if (cond == EC_TagNotFound)
        return DG_DICOM_ENOTFOUND;
    if (cond.bad() || !copy_trimmed(value, out, cap))
        return DG_DICOM_EINVAL;
    return DG_DICOM_OK;
}

int dg_dicom_get_string(const dg_dicom *d, uint16_t group, uint16_t element, char *out, size_t cap)
{
    if (d == NULL || out == NULL || cap == 0)
        return DG_DICOM_EINVAL;
    out[0] = '\0';
    GUARDED(get_string(d, group, element, out, cap));
}

static int set_string(dg_dicom *d, uint16_t group, uint16_t element, const char *value)
{
    DcmTag tag(group, element);

    if (!DcmVR(tag.getEVR()).isaString())
        return DG_DICOM_EINVAL;
    if (dataset_of(d)->putAndInsertString(tag, value, OFTrue).bad())
        return DG_DICOM_EINVAL;
    return DG_DICOM_OK;
}

int dg_dicom_set_string(dg_dicom *d, uint16_t group, uint16_t element, const char *value)
{
    if (d == NULL || value == NULL || !editable_tag(group))
        return DG_DICOM_EINVAL;
    GUARDED(set_string(d, group, element, value));
}

static int set_u16(dg_dicom *d, uint16_t group, uint16_t element, uint16_t value)
{
    DcmTag tag(group, element);

    if (tag.getEVR() != EVR_US && tag.getEVR() != EVR_xs)
        return DG_DICOM_EINVAL;
    tag.setVR(DcmVR(EVR_US));
    if (dataset_of(d)->putAndInsertUint16(tag, value, 0, OFTrue).bad())
        return DG_DICOM_EINVAL;
    return DG_DICOM_OK;
}

int dg_dicom_set_u16(dg_dicom *d, uint16_t group, uint16_t element, uint16_t value)
{
    if (d == NULL || !editable_tag(group))
        return DG_DICOM_EINVAL;
    GUARDED(set_u16(d, group, element, value));
}

static int remove_element(DcmDataset *ds, const DcmTagKey &key)
{
    OFCondition cond = ds->findAndDeleteElement(key, OFFalse, OFFalse);

    if (cond.bad() && cond != EC_TagNotFound)
        return DG_DICOM_EINTERNAL;
    return DG_DICOM_OK;
}

int dg_dicom_remove(dg_dicom *d, uint16_t group, uint16_t element)
{
    if (d == NULL || !editable_tag(group))
        return DG_DICOM_EINVAL;
    GUARDED(remove_element(dataset_of(d), DcmTagKey(group, element)));
}

static int remove_offset_tables(DcmDataset *ds)
{
    int rc = remove_element(ds, DCM_ExtendedOffsetTable);

    if (rc == DG_DICOM_OK)
        rc = remove_element(ds, DCM_ExtendedOffsetTableLengths);
    return rc;
}

static int remove_pixels(DcmDataset *ds)
{
    int rc = remove_element(ds, DCM_PixelData);

    if (rc == DG_DICOM_OK)
        rc = remove_offset_tables(ds);
    return rc;
}

int dg_dicom_remove_pixels(dg_dicom *d)
{
    if (d == NULL)
        return DG_DICOM_EINVAL;
    GUARDED(remove_pixels(dataset_of(d)));
}

/* ---- encapsulated pixel data ------------------------------------------- */

/* A pixel item holding a copy of bytes, padded to an even length with 0x00. */
static DcmPixelItem *new_pixel_item(const uint8_t *bytes, size_t length)
{
    std::unique_ptr<DcmPixelItem> item(new DcmPixelItem(DCM_PixelItemTag));
    Uint32 padded = (Uint32)(length + (length & 1));
    Uint8 *value = NULL;

    if (padded == 0)
        return item.release();
    /* createUint8Array zero-fills, which provides the pad byte. */
    if (item->createUint8Array(padded, value).bad() || value == NULL)
        return NULL;
    memcpy(value, bytes, length);
    return item.release();
}

/*
 * The Basic Offset Table: for each frame the offset of its item from the
 * first byte of the first frame's item. Fails if an offset needs 33 bits.
 */
static DcmPixelItem *new_offset_table(const size_t *lengths, uint32_t count)
{
    std::unique_ptr<uint8_t[]> table(new uint8_t[(size_t)count * 4]);
    uint64_t offset = 0;
    uint32_t i;

    for (i = 0; i < count; i++) {
        if (offset > UINT32_MAX)
            return NULL;
        table[i * 4 + 0] = (uint8_t)offset;
        table[i * 4 + 1] = (uint8_t)(offset >> 8);
        table[i * 4 + 2] = (uint8_t)(offset >> 16);
        table[i * 4 + 3] = (uint8_t)(offset >> 24);
        offset += 8 + (uint64_t)lengths[i] + (lengths[i] & 1);
    }
    return new_pixel_item(table.get(), (size_t)count * 4);
}

static int insert_pixel_item(DcmPixelSequence *seq, DcmPixelItem *item)
{
    if (item == NULL)
        return DG_DICOM_EINVAL;
    if (seq->insert(item).bad()) {
        delete item;
        return DG_DICOM_EINTERNAL;
    }
    return DG_DICOM_OK;
}

static int set_encapsulated_pixels(DcmDataset *ds, const uint8_t *const *frames,
                                   const size_t *lengths, uint32_t count)
{
    std::unique_ptr<DcmPixelSequence> seq(new DcmPixelSequence(DCM_PixelSequenceTag));
    DcmPixelData *pixels;
    uint32_t i;
    int rc;

    rc = insert_pixel_item(seq.get(), new_offset_table(lengths, count));
    for (i = 0; i < count && rc == DG_DICOM_OK; i++)
        rc = insert_pixel_item(seq.get(), new_pixel_item(frames[i], lengths[i]));
    if (rc != DG_DICOM_OK)
        return rc;
    pixels = new DcmPixelData(DCM_PixelData);
    /* Writing as JPEG-LS then emits this representation as it is: no codec. */
    pixels->putOriginalRepresentation(EXS_JPEGLSLossless, NULL, seq.release());
    if (ds->insert(pixels, OFTrue).bad()) {
        delete pixels;
        return DG_DICOM_EINTERNAL;
    }
    return remove_offset_tables(ds);
}

/* Native pixel data: OB for 8-bit samples, OW (host order) for 16-bit ones. */
static int set_native_pixels(DcmDataset *ds, const void *samples, size_t len, int bits_allocated)
{
    OFCondition cond;
    int rc = remove_pixels(ds);

    if (rc != DG_DICOM_OK)
        return rc;
    if (bits_allocated == 8)
        cond =
            ds->putAndInsertUint8Array(DCM_PixelData, (const Uint8 *)samples, (unsigned long)len);
    else
        cond = ds->putAndInsertUint16Array(DCM_PixelData, (const Uint16 *)samples,
                                           (unsigned long)(len / 2));
    return cond.good() ? DG_DICOM_OK : DG_DICOM_EINTERNAL;
}

int dg_dicom_set_native_pixels(dg_dicom *d, const void *samples, size_t len, int bits_allocated)
{
    if (d == NULL || samples == NULL || (bits_allocated != 8 && bits_allocated != 16) ||
        (bits_allocated == 16 && len % 2 != 0) || len > 0xFFFFFFF0u)
        return DG_DICOM_EINVAL;
    GUARDED(set_native_pixels(dataset_of(d), samples, len, bits_allocated));
}

/* RLE Lossless is decoded by dcmdata's own codec (no external library). */
static int decode_rle(dg_dicom *d)
{
    DcmDataset *ds = dataset_of(d);
    OFCondition cond;

    static const bool registered = (DcmRLEDecoderRegistration::registerCodecs(), true);

    (void)registered; /* registered once, thread-safely (C++11 static init) */
    cond = ds->chooseRepresentation(EXS_LittleEndianExplicit, NULL);
    if (cond.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit))
        return DG_DICOM_EPARSE;
    return DG_DICOM_OK;
}

int dg_dicom_decode_rle(dg_dicom *d)
{
    if (d == NULL || strcmp(d->info.transfer_syntax, "1.2.840.10008.1.2.5") != 0)
        return DG_DICOM_EINVAL;
    GUARDED(decode_rle(d));
}

static int valid_frames(const uint8_t *const *frames, const size_t *lengths, uint32_t count)
{
    uint32_t i;

    if (frames == NULL || lengths == NULL || count == 0 || count > UINT32_MAX / 4)
        return 0;
    for (i = 0; i < count; i++) {
        if (frames[i] == NULL || lengths[i] == 0 || lengths[i] > 0xFFFFFFFEu - 1)
            return 0;
    }
    return 1;
}

int dg_dicom_set_encapsulated_pixels(dg_dicom *d, const uint8_t *const *frames,
                                     const size_t *lengths, uint32_t count)
{
    if (d == NULL || !valid_frames(frames, lengths, count))
        return DG_DICOM_EINVAL;
    GUARDED(set_encapsulated_pixels(dataset_of(d), frames, lengths, count));
}

/* ---- private blocks ---------------------------------------------------- */

static int valid_private_group(uint16_t group)
{
    return (group & 1) != 0 && group > 0x0008 && group != 0xFFFF;
}

/* A creator is a LO value: 1 to 64 characters, no backslash, no control. */
static int valid_creator(const char *creator)
{
    size_t n = 0;

    if (creator == NULL || creator[0] == ' ' || creator[0] == '\0')
        return 0;
    for (; creator[n] != '\0'; n++) {
        if (n == 64 || creator[n] == '\\' || (unsigned char)creator[n] < 0x20)
            return 0;
    }
    return creator[n - 1] != ' ';
}

/* The slot 0x10..0xFF whose creator element holds creator, or 0. */
static unsigned find_creator_slot(DcmDataset *ds, uint16_t group, const char *creator)
{
    char found[68];
    OFString value;
    unsigned slot;

    for (slot = 0x10; slot <= 0xFF; slot++) {
        if (ds->findAndGetOFStringArray(DcmTagKey(group, (Uint16)slot), value).bad())
            continue;
        if (copy_trimmed(value, found, sizeof(found)) && strcmp(found, creator) == 0)
            return slot;
    }
    return 0;
}

static unsigned find_free_slot(DcmDataset *ds, uint16_t group)
{
    unsigned slot;

    for (slot = 0x10; slot <= 0xFF; slot++) {
        if (!ds->tagExists(DcmTagKey(group, (Uint16)slot)))
            return slot;
    }
    return 0;
}

/* The slot holding creator, reserving a free one (and writing it) if needed. */
static int reserve_slot(DcmDataset *ds, uint16_t group, const char *creator, unsigned *slot)
{
    *slot = find_creator_slot(ds, group, creator);
    if (*slot != 0)
        return DG_DICOM_OK;
    *slot = find_free_slot(ds, group);
    if (*slot == 0)
        return DG_DICOM_EINVAL;
    if (ds->putAndInsertString(DcmTag(group, (Uint16)*slot, EVR_LO), creator).bad())
        return DG_DICOM_EINTERNAL;
    return DG_DICOM_OK;
}

static int put_private(DcmDataset *ds, uint16_t group, const char *creator, uint8_t element,
                       const uint8_t *value, size_t length)
{
    std::unique_ptr<DcmOtherByteOtherWord> elem;
    unsigned slot;
    int rc;

    rc = reserve_slot(ds, group, creator, &slot);
    if (rc != DG_DICOM_OK)
        return rc;
    elem.reset(new DcmOtherByteOtherWord(DcmTag(group, (Uint16)(slot << 8 | element), EVR_OB)));
    if (elem->putUint8Array(value, (unsigned long)length).bad())
        return DG_DICOM_EINTERNAL;
    if (ds->insert(elem.get(), OFTrue).bad())
        return DG_DICOM_EINTERNAL;
    elem.release();
    return DG_DICOM_OK;
}

int dg_dicom_put_private(dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                         const uint8_t *value, size_t length)
{
    if (d == NULL || !valid_private_group(group) || !valid_creator(creator))
        return DG_DICOM_EINVAL;
    if ((value == NULL && length != 0) || length > 0xFFFFFFFEu)
        return DG_DICOM_EINVAL;
    GUARDED(put_private(dataset_of(d), group, creator, element, value, length));
}

static int put_private_parts(DcmDataset *ds, uint16_t group, const char *creator, uint8_t element,
                             const uint8_t *const *parts, const size_t *lens, size_t n,
                             size_t total)
{
    std::unique_ptr<DcmOtherByteOtherWord> elem;
    Uint8 *bytes = NULL;
    unsigned slot;
    size_t at = 0;
    int rc;

    rc = reserve_slot(ds, group, creator, &slot);
    if (rc != DG_DICOM_OK)
        return rc;
    elem.reset(new DcmOtherByteOtherWord(DcmTag(group, (Uint16)(slot << 8 | element), EVR_OB)));
    if (total > 0) {
        /* an odd length gets a zero byte, as putUint8Array pads it */
        if (elem->createUint8Array((Uint32)(total + (total & 1)), bytes).bad() || bytes == NULL)
            return DG_DICOM_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            memcpy(bytes + at, parts[i], lens[i]);
            at += lens[i];
        }
        if (total & 1)
            bytes[total] = 0;
    }
    if (ds->insert(elem.get(), OFTrue).bad())
        return DG_DICOM_EINTERNAL;
    elem.release();
    return DG_DICOM_OK;
}

int dg_dicom_put_private_parts(dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                               const uint8_t *const *parts, const size_t *lens, size_t n)
{
    size_t total = 0;

    if (d == NULL || !valid_private_group(group) || !valid_creator(creator) ||
        (n > 0 && (parts == NULL || lens == NULL)))
        return DG_DICOM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if ((parts[i] == NULL && lens[i] != 0) || lens[i] > 0xFFFFFFFCu - total)
            return DG_DICOM_EINVAL;
        total += lens[i];
    }
    GUARDED(put_private_parts(dataset_of(d), group, creator, element, parts, lens, n, total));
}

static int get_private(DcmDataset *ds, uint16_t group, const char *creator, uint8_t element,
                       const uint8_t **value, size_t *length)
{
    static const uint8_t empty[1] = {0};
    unsigned slot = find_creator_slot(ds, group, creator);
    DcmElement *elem = NULL;
    Uint8 *bytes = NULL;

    if (slot == 0)
        return DG_DICOM_ENOTFOUND;
    if (ds->findAndGetElement(DcmTagKey(group, (Uint16)(slot << 8 | element)), elem).bad())
        return DG_DICOM_ENOTFOUND;
    /*
     * OB as written; after an implicit VR round trip DCMTK has no VR for the
     * tag and says EVR_UNKNOWN (or UN). All three hold bytes in file order.
     */
    if (elem->ident() != EVR_OB && elem->ident() != EVR_UN && elem->ident() != EVR_UNKNOWN)
        return DG_DICOM_EPARSE;
    if (elem->getLength() == 0) {
        *value = empty;
        *length = 0;
        return DG_DICOM_OK;
    }
    if (elem->getUint8Array(bytes).bad() || bytes == NULL)
        return DG_DICOM_EINTERNAL;
    *value = bytes;
    *length = elem->getLength();
    return DG_DICOM_OK;
}

int dg_dicom_get_private(const dg_dicom *d, uint16_t group, const char *creator, uint8_t element,
                         const uint8_t **value, size_t *length)
{
    if (d == NULL || value == NULL || length == NULL || !valid_private_group(group) ||
        !valid_creator(creator))
        return DG_DICOM_EINVAL;
    *value = NULL;
    *length = 0;
    GUARDED(get_private(dataset_of(d), group, creator, element, value, length));
}

static int remove_private_block(DcmDataset *ds, uint16_t group, const char *creator)
{
    unsigned slot = find_creator_slot(ds, group, creator);
    unsigned element;
    int rc = DG_DICOM_OK;

    if (slot == 0)
        return DG_DICOM_OK;
    for (element = 0; element <= 0xFF && rc == DG_DICOM_OK; element++)
        rc = remove_element(ds, DcmTagKey(group, (Uint16)(slot << 8 | element)));
    if (rc == DG_DICOM_OK)
        rc = remove_element(ds, DcmTagKey(group, (Uint16)slot));
    return rc;
}

int dg_dicom_remove_private_block(dg_dicom *d, uint16_t group, const char *creator)
{
    if (d == NULL || !valid_private_group(group) || !valid_creator(creator))
        return DG_DICOM_EINVAL;
    GUARDED(remove_private_block(dataset_of(d), group, creator));
}

/* ---- the element list and the editing walk ----------------------------- */

int dg_dicom_elements(const dg_dicom *d, const dg_dicom_element **list, size_t *count)
{
    if (d == NULL || list == NULL || count == NULL)
        return DG_DICOM_EINVAL;
    *list = d->scan.elements;
    *count = d->scan.element_count;
    return DG_DICOM_OK;
}

struct editor {
    dg_dicom_editor fn;
    void *user;
    char replacement[1024];
};

static int edit_item(struct editor *ed, DcmItem *item, unsigned depth);

/* What the editor is shown of one element. */
static void describe(DcmElement *el, unsigned depth, OFString &value, dg_dicom_visit *v)
{
    DcmVR vr(el->getVR());
    const char *name = vr.getVRName();

    v->group = el->getGTag();
    v->element = el->getETag();
    v->vr[0] = name[0];
    v->vr[1] = name[0] ? name[1] : '\0';
    v->vr[2] = '\0';
    v->depth = depth;
    v->value = NULL;
    v->creator = NULL;
    if (vr.isaString() && el->getOFStringArray(value).good())
        v->value = value.c_str();
    if ((v->group & 1) && v->element >= 0x1000)
        v->creator = el->getTag().getPrivateCreator();
}

/* Every value byte of el set to zero, its length kept. */
static int zero_element(DcmElement *el)
{
    Uint32 length = el->getLength();
    void *bytes = NULL;
    OFCondition cond = EC_IllegalCall;

    if (length == 0)
        return DG_DICOM_OK;
    switch (el->getVR()) {
    case EVR_OB:
    case EVR_UN:
        cond = el->getUint8Array(*reinterpret_cast<Uint8 **>(&bytes));
        break;
    case EVR_OW:
        cond = el->getUint16Array(*reinterpret_cast<Uint16 **>(&bytes));
        break;
    case EVR_OL:
        cond = el->getUint32Array(*reinterpret_cast<Uint32 **>(&bytes));
        break;
    case EVR_OF:
        cond = el->getFloat32Array(*reinterpret_cast<Float32 **>(&bytes));
        break;
    case EVR_OD:
        cond = el->getFloat64Array(*reinterpret_cast<Float64 **>(&bytes));
        break;
    case EVR_OV:
        cond = el->getUint64Array(*reinterpret_cast<Uint64 **>(&bytes));
        break;
    default: /* ox and the like: whichever form the element holds */
        cond = el->getUint16Array(*reinterpret_cast<Uint16 **>(&bytes));
        if (cond.bad() || bytes == NULL)
            cond = el->getUint8Array(*reinterpret_cast<Uint8 **>(&bytes));
        break;
    }
    if (cond.bad() || bytes == NULL)
        return DG_DICOM_EINVAL;
    memset(bytes, 0, length);
    return DG_DICOM_OK;
}

/* Pixel Data held as fragments (an encapsulated transfer syntax). */
static bool is_encapsulated_pixels(DcmElement *el)
{
    E_TransferSyntax ts = EXS_Unknown;
    const DcmRepresentationParameter *param = NULL;

    if (el->ident() != EVR_PixelData)
        return false;
    OFstatic_cast(DcmPixelData *, el)->getOriginalRepresentationKey(ts, param);
    return ts != EXS_Unknown && DcmXfer(ts).isEncapsulated();
}

/* A replacement for a binary element: the string's bytes, padded to an even length. */
static int replace_bytes(DcmElement *el, const char *text)
{
    size_t n = strlen(text);
    std::string bytes(text, n);

    if (n % 2)
        bytes.push_back(' ');
    return el->putUint8Array(reinterpret_cast<const Uint8 *>(bytes.data()),
                             OFstatic_cast(unsigned long, bytes.size()))
                   .good()
               ? DG_DICOM_OK
               : DG_DICOM_EINVAL;
}

static int walk_into(struct editor *ed, DcmElement *el, unsigned depth)
{
    DcmSequenceOfItems *sq;

    if (el->ident() != EVR_SQ)
        return DG_DICOM_OK;
    if (depth + 1 > DG_DICOM_MAX_DEPTH)
        return DG_DICOM_EPARSE;
    sq = OFstatic_cast(DcmSequenceOfItems *, el);
    for (unsigned long i = 0; i < sq->card(); i++) {
        int rc = edit_item(ed, sq->getItem(i), depth + 1);
        if (rc != DG_DICOM_OK)
            return rc;
    }
    return DG_DICOM_OK;
}

static int empty_element(DcmElement *el)
{
    if (el->ident() == EVR_SQ) {
        OFstatic_cast(DcmSequenceOfItems *, el)->clear();
        return DG_DICOM_OK;
    }
    return el->clear().good() ? DG_DICOM_OK : DG_DICOM_EINTERNAL;
}

/* Applies the editor to element i of item; *removed tells whether it went. */
static int edit_element(struct editor *ed, DcmItem *item, unsigned long i, unsigned depth,
                        int *removed)
{
    DcmElement *el = item->getElement(i);
    dg_dicom_visit v;
    OFString value;
    int action;

    *removed = 0;
    describe(el, depth, value, &v);
    ed->replacement[0] = '\0';
    action = ed->fn(ed->user, &v, ed->replacement, sizeof(ed->replacement));
    switch (action) {
    case DG_DICOM_KEEP:
        return walk_into(ed, el, depth);
    case DG_DICOM_REMOVE:
        delete item->remove(i);
        *removed = 1;
        return DG_DICOM_OK;
    case DG_DICOM_EMPTY:
        return empty_element(el);
    case DG_DICOM_REPLACE:
        if (el->ident() == EVR_SQ)
            return empty_element(el);
        if (el->ident() == EVR_OB || el->ident() == EVR_UN)
            return replace_bytes(el, ed->replacement);
        return el->putString(ed->replacement).good() ? DG_DICOM_OK : DG_DICOM_EINVAL;
    case DG_DICOM_ZERO:
        if (is_encapsulated_pixels(el)) { /* fragments in an item: no samples to zero, so they go */
            delete item->remove(i);
            *removed = 1;
            return DG_DICOM_OK;
        }
        return zero_element(el);
    default:
        return DG_DICOM_EINVAL;
    }
}

static int edit_item(struct editor *ed, DcmItem *item, unsigned depth)
{
    unsigned long i = 0;

    if (item == NULL)
        return DG_DICOM_OK;
    while (i < item->card()) {
        int removed = 0;
        int rc = edit_element(ed, item, i, depth, &removed);
        if (rc != DG_DICOM_OK)
            return rc;
        if (!removed)
            i++;
    }
    return DG_DICOM_OK;
}

static int edit(dg_dicom *d, dg_dicom_editor fn, void *user)
{
    std::unique_ptr<struct editor> ed(new struct editor());

    ed->fn = fn;
    ed->user = user;
    return edit_item(ed.get(), dataset_of(d), 0);
}

int dg_dicom_edit(dg_dicom *d, dg_dicom_editor fn, void *user)
{
    if (d == NULL || fn == NULL)
        return DG_DICOM_EINVAL;
    GUARDED(edit(d, fn, user));
}

static int dict_vr(uint16_t group, uint16_t element, char vr[3])
{
    const DcmDataDictionary &dict = dcmDataDict.rdlock();
    const DcmDictEntry *entry = dict.findEntry(DcmTagKey(group, element), NULL);
    int known = entry != NULL;

    vr[0] = '\0';
    if (known) {
        const char *name = entry->getVR().getVRName();
        vr[0] = name[0];
        vr[1] = name[0] ? name[1] : '\0';
        vr[2] = '\0';
    }
    dcmDataDict.rdunlock();
    return known;
}

int dg_dicom_dict_vr(uint16_t group, uint16_t element, char vr[3])
{
    if (vr == NULL)
        return 0;
    vr[0] = '\0';
    if (!dcmtk_ready())
        return 0;
    try {
        return dict_vr(group, element, vr);
    } catch (...) {
        return 0;
    }
}

static int add_code(DcmDataset *ds, const DcmTagKey &key, const char *value, const char *scheme,
                    const char *meaning)
{
    DcmItem *item = NULL;

    if (ds->findOrCreateSequenceItem(key, item, -2 /* append */).bad() || item == NULL)
        return DG_DICOM_EINVAL;
    if (item->putAndInsertString(DCM_CodeValue, value).bad() ||
        item->putAndInsertString(DCM_CodingSchemeDesignator, scheme).bad() ||
        item->putAndInsertString(DCM_CodeMeaning, meaning).bad())
        return DG_DICOM_EINTERNAL;
    return DG_DICOM_OK;
}

int dg_dicom_add_code(dg_dicom *d, uint16_t group, uint16_t element, const char *value,
                      const char *scheme, const char *meaning)
{
    if (d == NULL || !editable_tag(group) || value == NULL || scheme == NULL || meaning == NULL)
        return DG_DICOM_EINVAL;
    GUARDED(add_code(dataset_of(d), DcmTagKey(group, element), value, scheme, meaning));
}

/* ---- writing ----------------------------------------------------------- */

static int append(struct out_buffer *ob, const void *data, size_t len)
{
    uint8_t *grown;
    size_t cap;

    if (len <= ob->cap - ob->len) {
        memcpy(ob->data + ob->len, data, len);
        ob->len += len;
        return DG_DICOM_OK;
    }
    cap = ob->cap != 0 ? ob->cap : WRITE_CHUNK;
    while (cap - ob->len < len) {
        if (cap > SIZE_MAX / 2)
            return DG_DICOM_ENOMEM;
        cap *= 2;
    }
    grown = (uint8_t *)realloc(ob->data, cap);
    if (grown == NULL)
        return DG_DICOM_ENOMEM;
    ob->data = grown;
    ob->cap = cap;
    return append(ob, data, len);
}

/* A fresh File Meta group naming dcmguard as the implementation. */
static int prepare_meta(DcmFileFormat *file, E_TransferSyntax xfer)
{
    DcmMetaInfo *meta = file->getMetaInfo();

    if (file->validateMetaInfo(xfer, EWM_createNewMeta).bad())
        return DG_DICOM_EINTERNAL;
    if (meta->putAndInsertString(DCM_ImplementationClassUID, DG_IMPLEMENTATION_CLASS_UID).bad() ||
        meta->putAndInsertString(DCM_ImplementationVersionName, DG_IMPLEMENTATION_VERSION_NAME)
            .bad())
        return DG_DICOM_EINTERNAL;
    if (meta->computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, EXS_LittleEndianExplicit,
                                           EET_UndefinedLength)
            .bad())
        return DG_DICOM_EINTERNAL;
    return DG_DICOM_OK;
}

/* Lets DCMTK write into a chunk, moving each full chunk to ob. */
static OFCondition write_chunks(DcmFileFormat *file, E_TransferSyntax xfer, struct out_buffer *ob,
                                uint8_t *chunk, int *rc)
{
    DcmOutputBufferStream stream(chunk, WRITE_CHUNK);
    OFCondition cond = EC_StreamNotifyClient;
    offile_off_t filled;
    void *data;

    while (cond == EC_StreamNotifyClient && *rc == DG_DICOM_OK) {
        cond = file->write(stream, xfer, EET_ExplicitLength, NULL, EGL_recalcGL, EPD_noChange, 0, 0,
                           0, EWM_dontUpdateMeta);
        if (cond == EC_Normal)
            stream.flush();
        stream.flushBuffer(data, filled);
        *rc = append(ob, data, (size_t)filled);
    }
    return cond;
}

/*
 * Reserves what DCMTK says the file will take (preamble and prefix, File
 * Meta, dataset), so that a large output is allocated once rather than
 * grown and copied.
 */
static void reserve_output(DcmFileFormat *file, E_TransferSyntax xfer, struct out_buffer *ob)
{
    Uint32 meta =
        file->getMetaInfo()->calcElementLength(EXS_LittleEndianExplicit, EET_ExplicitLength);
    Uint32 data = file->getDataset()->calcElementLength(xfer, EET_ExplicitLength);
    size_t want = (size_t)meta + data + 132 + 4096;

    if (meta == DCM_UndefinedLength || data == DCM_UndefinedLength || want <= WRITE_CHUNK)
        return;
    ob->data = (uint8_t *)malloc(want);
    ob->cap = ob->data != NULL ? want : 0;
}

static int write_to_memory(DcmFileFormat *file, E_TransferSyntax xfer, struct out_buffer *ob,
                           char *err, size_t errlen)
{
    std::unique_ptr<uint8_t[]> chunk(new uint8_t[WRITE_CHUNK]);
    OFCondition cond;
    int rc = DG_DICOM_OK;

    reserve_output(file, xfer, ob);

    file->transferInit();
    cond = write_chunks(file, xfer, ob, chunk.get(), &rc);
    file->transferEnd();
    if (rc != DG_DICOM_OK)
        return set_error(err, errlen, rc, "out of memory while writing");
    if (cond != EC_Normal)
        return set_error(err, errlen, DG_DICOM_EINTERNAL, "DCMTK: %s", cond.text());
    if (ob->len < 132 || memcmp(ob->data + 128, "DICM", 4) != 0)
        return set_error(err, errlen, DG_DICOM_EINTERNAL, "DCMTK wrote no DICM prefix");
    memset(ob->data, 0, 128); /* the preamble of the parsed file is not kept */
    return DG_DICOM_OK;
}

static int write_file(dg_dicom *d, E_TransferSyntax xfer, struct out_buffer *ob, char *err,
                      size_t errlen)
{
    int rc;

    if (!d->file.canWriteXfer(xfer, EXS_Unknown))
        return set_error(err, errlen, DG_DICOM_EINVAL,
                         "DCMTK cannot write the dataset as %s: its Pixel Data needs a codec",
                         DcmXfer(xfer).getXferName());
    rc = prepare_meta(&d->file, xfer);
    if (rc != DG_DICOM_OK)
        return set_error(err, errlen, rc, "DCMTK could not build the File Meta Information");
    return write_to_memory(&d->file, xfer, ob, err, errlen);
}

int dg_dicom_write(dg_dicom *d, dg_dicom_ts ts, uint8_t **out, size_t *out_len, char *err,
                   size_t errlen)
{
    struct out_buffer ob = {NULL, 0, 0};
    E_TransferSyntax xfer;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (d == NULL || out == NULL || out_len == NULL)
        return set_error(err, errlen, DG_DICOM_EINVAL, "nothing to write");
    if (ts == DG_DICOM_TS_EXPLICIT_LE)
        xfer = EXS_LittleEndianExplicit;
    else if (ts == DG_DICOM_TS_JPEGLS_LOSSLESS)
        xfer = EXS_JPEGLSLossless;
    else if (ts == DG_DICOM_TS_AS_PARSED)
        xfer = DcmXfer(d->info.transfer_syntax).getXfer();
    else
        return set_error(err, errlen, DG_DICOM_EINVAL, "unknown transfer syntax %d", (int)ts);
    try {
        rc = write_file(d, xfer, &ob, err, errlen);
    } catch (const std::bad_alloc &) {
        rc = set_error(err, errlen, DG_DICOM_ENOMEM, "out of memory while writing");
    } catch (...) {
        rc = set_error(err, errlen, DG_DICOM_EINTERNAL, "DCMTK failed while writing");
    }
    if (rc != DG_DICOM_OK) {
        free(ob.data);
        return rc;
    }
    *out = ob.data;
    *out_len = ob.len;
    return DG_DICOM_OK;
}
