/*
 * deid_table.c - PS3.15 Annex E Table E.1-1 (Basic Application Level
 * Confidentiality Profile and its options) as C data, and the lookup over it.
 *
 * Source: the machine-readable copy of the DICOM standard in the public
 * repository innolitics/dicom-standard, file
 * standard/confidentiality_profile_attributes.json at commit
 * 0d01bf11dfc1d0b73b6df85bbf6e1764d3c558a3 (85354 characters, 460 rows),
 * read on 2026-11-21. The rows below are generated from it; do not edit them
 * by hand, regenerate them.
 *
 * What was done to the data:
 * - The row "(gggg,eeee) where gggg is odd" (Private attributes: X, Retain
 *   Safe Private C) is not in the table: callers handle odd groups
 *   themselves, and dg_deid_lookup() returns NULL for every odd group (so
 *   (6001,4000), a private element, does not match the (60XX,4000) pattern).
 *   That leaves 459 rows: 456 exact tags, in ascending order for the binary
 *   search, then the 3 patterns (50XX,XXXX), (60XX,3000), (60XX,4000).
 * - An option column reading K sets that option's bit in retain, C sets it
 *   in clean. One cell reads neither: Referenced Patient Sequence
 *   (0008,1120) has "X" under Retain UIDs, so that row has no bit for it
 *   (the option removes the sequence as the basic profile does).
 * - The name "Icon Image Sequence\n\n(see Note 12)" has its white space
 *   collapsed.
 * - Rows kept as the JSON gives them although they may surprise: Digital
 *   Signature UID (0400,0100) and UID (0040,A124) are U with no K under
 *   Retain UIDs; Affected SOP Instance UID (0000,1000) is X with K under
 *   Retain UIDs; the command group 0000, the file meta group 0002 and the
 *   directory group 0004 appear.
 *
 * The generator (python3 gen.py confidentiality_profile_attributes.json):
 *
 *     import json, re, sys
 *     OPTS = ['rtnSafePrivOpt', 'rtnUIDsOpt', 'rtnDevIdOpt', 'rtnInstIdOpt', 'rtnPatCharsOpt',
 *             'rtnLongFullDatesOpt', 'rtnLongModifDatesOpt', 'cleanDescOpt', 'cleanStructContOpt',
 *             'cleanGraphOpt']
 *     ALIAS = ['O_SAFE_PRIV', 'O_UIDS', 'O_DEVICE', 'O_INST', 'O_PAT_CHARS', 'O_FULL_DATES',
 *              'O_MOD_DATES', 'O_DESC', 'O_STRUCT', 'O_GRAPH']
 *     CODE = {'Z/D': 'Z_D', 'X/Z': 'X_Z', 'X/D': 'X_D', 'X/Z/D': 'X_Z_D', 'X/Z/U*': 'X_Z_U'}
 *     exact, patterns = [], []
 *     for r in json.load(open(sys.argv[1])):
 *         g, e = re.fullmatch(r'\((\w{4}),(\w{4})\).*', r['tag'].upper()).groups()
 *         if 'ODD' in r['tag'].upper():
 *             continue  # private attributes: the caller handles odd groups
 *         tag = int((g + e).replace('X', '0'), 16)
 *         mask = int(re.sub('[^X]', 'F', g + e).replace('X', '0'), 16)
 *         bits = lambda v: ' | '.join(a for o, a in zip(OPTS, ALIAS) if r.get(o) == v) or '0'
 *         code = 'DG_DEID_' + CODE.get(r['basicProfile'], r['basicProfile'])
 *         name = ' '.join(r['name'].split())
 *         row = (tag, mask, code, bits('K'), bits('C'), '/' '*', name, '*' '/')
 *         (exact if mask == 0xFFFFFFFF else patterns).append(row)
 *     for row in sorted(exact) + sorted(patterns):
 *         print('    {0x%08X, 0x%08X, %s, %s, %s}, %s %s %s' % row)
 */
#include "deid_table.h"

/* Short names for the option bits, for the rows below only. */
#define O_SAFE_PRIV DG_DEID_OPT_SAFE_PRIVATE
#define O_UIDS DG_DEID_OPT_UIDS
#define O_DEVICE DG_DEID_OPT_DEVICE
#define O_INST DG_DEID_OPT_INSTITUTION
#define O_PAT_CHARS DG_DEID_OPT_PATIENT_CHARS
#define O_FULL_DATES DG_DEID_OPT_FULL_DATES
#define O_MOD_DATES DG_DEID_OPT_MODIFIED_DATES
#define O_DESC DG_DEID_OPT_CLEAN_DESC
#define O_STRUCT DG_DEID_OPT_CLEAN_STRUCT
#define O_GRAPH DG_DEID_OPT_CLEAN_GRAPH

/* Exact tags first (ascending), then the patterns. */
enum { DG_DEID_EXACT_ROWS = 456, DG_DEID_PATTERN_ROWS = 3 };

/* clang-format off */
const dg_deid_rule dg_deid_rules[DG_DEID_EXACT_ROWS + DG_DEID_PATTERN_ROWS] = {
    {0x00001000, 0xFFFFFFFF, DG_DEID_X, O_UIDS, 0}, /* Affected SOP Instance UID */
    {0x00001001, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Requested SOP Instance UID */
    {0x00020003, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Media Storage SOP Instance UID */
    {0x00041511, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced SOP Instance UID in File */
    {0x00080014, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Instance Creator UID */
    {0x00080015, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Instance Coercion DateTime */
    {0x00080018, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* SOP Instance UID */
    {0x00080020, 0xFFFFFFFF, DG_DEID_Z, O_FULL_DATES, O_MOD_DATES}, /* Study Date */
    {0x00080021, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Series Date */
    {0x00080022, 0xFFFFFFFF, DG_DEID_X_Z, O_FULL_DATES, O_MOD_DATES}, /* Acquisition Date */
    {0x00080023, 0xFFFFFFFF, DG_DEID_Z_D, O_FULL_DATES, O_MOD_DATES}, /* Content Date */
    {0x00080024, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Overlay Date */
    {0x00080025, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Curve Date */
    {0x0008002A, 0xFFFFFFFF, DG_DEID_X_Z_D, O_FULL_DATES, O_MOD_DATES}, /* Acquisition DateTime */
    {0x00080030, 0xFFFFFFFF, DG_DEID_Z, O_FULL_DATES, O_MOD_DATES}, /* Study Time */
    {0x00080031, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Series Time */
    {0x00080032, 0xFFFFFFFF, DG_DEID_X_Z, O_FULL_DATES, O_MOD_DATES}, /* Acquisition Time */
    {0x00080033, 0xFFFFFFFF, DG_DEID_Z_D, O_FULL_DATES, O_MOD_DATES}, /* Content Time */
    {0x00080034, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Overlay Time */
    {0x00080035, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Curve Time */
    {0x00080050, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Accession Number */
    {0x00080058, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Failed SOP Instance UID List */
    {0x00080080, 0xFFFFFFFF, DG_DEID_X_Z_D, O_INST, 0}, /* Institution Name */
    {0x00080081, 0xFFFFFFFF, DG_DEID_X, O_INST, 0}, /* Institution Address */
    {0x00080082, 0xFFFFFFFF, DG_DEID_X_Z_D, O_INST, 0}, /* Institution Code Sequence */
    {0x00080090, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Referring Physician's Name */
    {0x00080092, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referring Physician's Address */
    {0x00080094, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referring Physician's Telephone Numbers */
    {0x00080096, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referring Physician Identification Sequence */
    {0x0008009C, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Consulting Physician's Name */
    {0x0008009D, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Consulting Physician Identification Sequence */
    {0x00080201, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Timezone Offset From UTC */
    {0x00081010, 0xFFFFFFFF, DG_DEID_X_Z_D, O_DEVICE, 0}, /* Station Name */
    {0x00081030, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Study Description */
    {0x0008103E, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Series Description */
    {0x00081040, 0xFFFFFFFF, DG_DEID_X, O_INST, 0}, /* Institutional Department Name */
    {0x00081041, 0xFFFFFFFF, DG_DEID_X, O_INST, 0}, /* Institutional Department Type Code Sequence */
    {0x00081048, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Physician(s) of Record */
    {0x00081049, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Physician(s) of Record Identification Sequence */
    {0x00081050, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Performing Physician's Name */
    {0x00081052, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Performing Physician Identification Sequence */
    {0x00081060, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Name of Physician(s) Reading Study */
    {0x00081062, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Physician(s) Reading Study Identification Sequence */
    {0x00081070, 0xFFFFFFFF, DG_DEID_X_Z_D, 0, 0}, /* Operators' Name */
    {0x00081072, 0xFFFFFFFF, DG_DEID_X_D, 0, 0}, /* Operator Identification Sequence */
    {0x00081080, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Admitting Diagnoses Description */
    {0x00081084, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Admitting Diagnoses Code Sequence */
    {0x00081110, 0xFFFFFFFF, DG_DEID_X_Z, O_UIDS, 0}, /* Referenced Study Sequence */
    {0x00081111, 0xFFFFFFFF, DG_DEID_X_Z_D, O_UIDS, 0}, /* Referenced Performed Procedure Step Sequence */
    {0x00081120, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referenced Patient Sequence */
    {0x00081140, 0xFFFFFFFF, DG_DEID_X_Z_U, O_UIDS, 0}, /* Referenced Image Sequence */
    {0x00081155, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced SOP Instance UID */
    {0x00081195, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Transaction UID */
    {0x00082111, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Derivation Description */
    {0x00082112, 0xFFFFFFFF, DG_DEID_X_Z_U, O_UIDS, 0}, /* Source Image Sequence */
    {0x00083010, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Irradiation Event UID */
    {0x00084000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Identifying Comments */
    {0x00100010, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Patient's Name */
    {0x00100020, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Patient ID */
    {0x00100021, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Issuer of Patient ID */
    {0x00100030, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Patient's Birth Date */
    {0x00100032, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Birth Time */
    {0x00100040, 0xFFFFFFFF, DG_DEID_Z, O_PAT_CHARS, 0}, /* Patient's Sex */
    {0x00100050, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Insurance Plan Code Sequence */
    {0x00100101, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Primary Language Code Sequence */
    {0x00100102, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Primary Language Modifier Code Sequence */
    {0x00101000, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Other Patient IDs */
    {0x00101001, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Other Patient Names */
    {0x00101002, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Other Patient IDs Sequence */
    {0x00101005, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Birth Name */
    {0x00101010, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Patient's Age */
    {0x00101020, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Patient's Size */
    {0x00101030, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Patient's Weight */
    {0x00101040, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Address */
    {0x00101050, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Insurance Plan Identification */
    {0x00101060, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Mother's Birth Name */
    {0x00101080, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Military Rank */
    {0x00101081, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Branch of Service */
    {0x00101090, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Medical Record Locator */
    {0x00101100, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referenced Patient Photo Sequence */
    {0x00102000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Medical Alerts */
    {0x00102110, 0xFFFFFFFF, DG_DEID_X, 0, O_PAT_CHARS | O_DESC}, /* Allergies */
    {0x00102150, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Country of Residence */
    {0x00102152, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Region of Residence */
    {0x00102154, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Telephone Numbers */
    {0x00102155, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Telecom Information */
    {0x00102160, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Ethnic Group */
    {0x00102180, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Occupation */
    {0x001021A0, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Smoking Status */
    {0x001021B0, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Additional Patient History */
    {0x001021C0, 0xFFFFFFFF, DG_DEID_X, O_PAT_CHARS, 0}, /* Pregnancy Status */
    {0x001021D0, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Last Menstrual Date */
    {0x001021F0, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Religious Preference */
    {0x00102203, 0xFFFFFFFF, DG_DEID_X_Z, O_PAT_CHARS, 0}, /* Patient's Sex Neutered */
    {0x00102297, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Responsible Person */
    {0x00102299, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Responsible Organization */
    {0x00104000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Patient Comments */
    {0x00120010, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Clinical Trial Sponsor Name */
    {0x00120020, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Clinical Trial Protocol ID */
    {0x00120021, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Clinical Trial Protocol Name */
    {0x00120030, 0xFFFFFFFF, DG_DEID_Z, O_INST, 0}, /* Clinical Trial Site ID */
    {0x00120031, 0xFFFFFFFF, DG_DEID_Z, O_INST, 0}, /* Clinical Trial Site Name */
    {0x00120040, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Clinical Trial Subject ID */
    {0x00120042, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Clinical Trial Subject Reading ID */
    {0x00120050, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Clinical Trial Time Point ID */
    {0x00120051, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Clinical Trial Time Point Description */
    {0x00120060, 0xFFFFFFFF, DG_DEID_Z, O_INST, 0}, /* Clinical Trial Coordinating Center Name */
    {0x00120071, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Clinical Trial Series ID */
    {0x00120072, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Clinical Trial Series Description */
    {0x00120081, 0xFFFFFFFF, DG_DEID_D, O_INST, 0}, /* Clinical Trial Protocol Ethics Committee Name */
    {0x00120082, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Clinical Trial Protocol Ethics Committee Approval Number */
    {0x0016002B, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Maker Note */
    {0x0016004B, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Device Setting Description */
    {0x0016004D, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Camera Owner Name */
    {0x0016004E, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Lens Specification */
    {0x0016004F, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Lens Make */
    {0x00160050, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Lens Model */
    {0x00160051, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Lens Serial Number */
    {0x00160070, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Version ID */
    {0x00160071, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Latitude Ref */
    {0x00160072, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Latitude */
    {0x00160073, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Longitude Ref */
    {0x00160074, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Longitude */
    {0x00160075, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Altitude Ref */
    {0x00160076, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Altitude */
    {0x00160077, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Time Stamp */
    {0x00160078, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Satellites */
    {0x00160079, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Status */
    {0x0016007A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Measure Mode */
    {0x0016007B, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS DOP */
    {0x0016007C, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Speed Ref */
    {0x0016007D, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Speed */
    {0x0016007E, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Track Ref */
    {0x0016007F, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Track */
    {0x00160080, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Img Direction Ref */
    {0x00160081, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Img Direction */
    {0x00160082, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Map Datum */
    {0x00160083, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Latitude Ref */
    {0x00160084, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Latitude */
    {0x00160085, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Longitude Ref */
    {0x00160086, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Longitude */
    {0x00160087, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Bearing Ref */
    {0x00160088, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Bearing */
    {0x00160089, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Distance Ref */
    {0x0016008A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Dest Distance */
    {0x0016008B, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Processing Method */
    {0x0016008C, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Area Information */
    {0x0016008D, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* GPS Date Stamp */
    {0x0016008E, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* GPS Differential */
    {0x00180010, 0xFFFFFFFF, DG_DEID_Z_D, 0, O_DESC}, /* Contrast/Bolus Agent */
    {0x00181000, 0xFFFFFFFF, DG_DEID_X_Z_D, O_DEVICE, 0}, /* Device Serial Number */
    {0x00181002, 0xFFFFFFFF, DG_DEID_U, O_UIDS | O_DEVICE, 0}, /* Device UID */
    {0x00181004, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Plate ID */
    {0x00181005, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Generator ID */
    {0x00181007, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Cassette ID */
    {0x00181008, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Gantry ID */
    {0x00181009, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Unique Device Identifier */
    {0x0018100A, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* UDI Sequence */
    {0x0018100B, 0xFFFFFFFF, DG_DEID_U, O_UIDS | O_DEVICE, 0}, /* Manufacturer's Device Class UID */
    {0x00181030, 0xFFFFFFFF, DG_DEID_X_D, 0, O_DESC}, /* Protocol Name */
    {0x001811BB, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Acquisition Field Of View Label */
    {0x00181400, 0xFFFFFFFF, DG_DEID_X_D, 0, O_DESC}, /* Acquisition Device Processing Description */
    {0x00182042, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Target UID */
    {0x00184000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Acquisition Comments */
    {0x00185011, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Transducer Identification Sequence */
    {0x0018700A, 0xFFFFFFFF, DG_DEID_X_D, O_DEVICE, 0}, /* Detector ID */
    {0x00189185, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Respiratory Motion Compensation Technique Description */
    {0x00189367, 0xFFFFFFFF, DG_DEID_D, O_DEVICE, 0}, /* X-Ray Source ID */
    {0x00189369, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Source Start DateTime */
    {0x0018936A, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Source End DateTime */
    {0x00189371, 0xFFFFFFFF, DG_DEID_D, O_DEVICE, 0}, /* X-Ray Detector ID */
    {0x00189373, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* X-Ray Detector Label */
    {0x0018937B, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Multi-energy Acquisition Description */
    {0x0018937F, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Decomposition Description */
    {0x00189424, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Acquisition Protocol Description */
    {0x00189516, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Start Acquisition DateTime */
    {0x00189517, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* End Acquisition DateTime */
    {0x00189937, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Requested Series Description */
    {0x0018A003, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Contribution Description */
    {0x0020000D, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Study Instance UID */
    {0x0020000E, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Series Instance UID */
    {0x00200010, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Study ID */
    {0x00200052, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Frame of Reference UID */
    {0x00200200, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Synchronization Frame of Reference UID */
    {0x00203401, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Modifying Device ID */
    {0x00203406, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Modified Image Description */
    {0x00204000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Image Comments */
    {0x00209158, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Frame Comments */
    {0x00209161, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Concatenation UID */
    {0x00209164, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Dimension Organization UID */
    {0x00281199, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Palette Color Lookup Table UID */
    {0x00281214, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Large Palette Color Lookup Table UID */
    {0x00284000, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Image Presentation Comments */
    {0x00320012, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Study ID Issuer */
    {0x00321020, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Study Location */
    {0x00321021, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Study Location AE Title */
    {0x00321030, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for Study */
    {0x00321032, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Requesting Physician */
    {0x00321033, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Requesting Service */
    {0x00321060, 0xFFFFFFFF, DG_DEID_X_Z, 0, O_DESC}, /* Requested Procedure Description */
    {0x00321066, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for Visit */
    {0x00321067, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for Visit Code Sequence */
    {0x00321070, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Requested Contrast Agent */
    {0x00324000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Study Comments */
    {0x00340001, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Flow Identifier Sequence */
    {0x00340002, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Flow Identifier */
    {0x00340005, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Source Identifier */
    {0x00340007, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Frame Origin Timestamp */
    {0x00380004, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referenced Patient Alias Sequence */
    {0x00380010, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Admission ID */
    {0x00380011, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Issuer of Admission ID */
    {0x00380014, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Issuer of Admission ID Sequence */
    {0x0038001E, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Scheduled Patient Institution Residence */
    {0x00380020, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Admitting Date */
    {0x00380021, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Admitting Time */
    {0x00380040, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Discharge Diagnosis Description */
    {0x00380050, 0xFFFFFFFF, DG_DEID_X, 0, O_PAT_CHARS}, /* Special Needs */
    {0x00380060, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Service Episode ID */
    {0x00380061, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Issuer of Service Episode ID */
    {0x00380062, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Service Episode Description */
    {0x00380064, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Issuer of Service Episode ID Sequence */
    {0x00380300, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Current Patient Location */
    {0x00380400, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient's Institution Residence */
    {0x00380500, 0xFFFFFFFF, DG_DEID_X, 0, O_PAT_CHARS | O_DESC}, /* Patient State */
    {0x00384000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Visit Comments */
    {0x003A0310, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Multiplex Group UID */
    {0x003A0314, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Impedance Measurement DateTime */
    {0x00400001, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Station AE Title */
    {0x00400002, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step Start Date */
    {0x00400003, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step Start Time */
    {0x00400004, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step End Date */
    {0x00400005, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step End Time */
    {0x00400006, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Scheduled Performing Physician's Name */
    {0x00400007, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Scheduled Procedure Step Description */
    {0x00400009, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Scheduled Procedure Step ID */
    {0x0040000B, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Scheduled Performing Physician Identification Sequence */
    {0x00400010, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Station Name */
    {0x00400011, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Procedure Step Location */
    {0x00400012, 0xFFFFFFFF, DG_DEID_X, 0, O_PAT_CHARS}, /* Pre-Medication */
    {0x00400241, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Performed Station AE Title */
    {0x00400242, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Performed Station Name */
    {0x00400243, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Performed Location */
    {0x00400244, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step Start Date */
    {0x00400245, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step Start Time */
    {0x00400250, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step End Date */
    {0x00400251, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step End Time */
    {0x00400253, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Performed Procedure Step ID */
    {0x00400254, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Performed Procedure Step Description */
    {0x00400275, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Request Attributes Sequence */
    {0x00400280, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Comments on the Performed Procedure Step */
    {0x00400310, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Comments on Radiation Dose */
    {0x0040050A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Specimen Accession Number */
    {0x00400512, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Container Identifier */
    {0x00400513, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Issuer of the Container Identifier Sequence */
    {0x0040051A, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Container Description */
    {0x00400551, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Specimen Identifier */
    {0x00400554, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Specimen UID */
    {0x00400555, 0xFFFFFFFF, DG_DEID_X_Z, 0, O_STRUCT}, /* Acquisition Context Sequence */
    {0x00400562, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Issuer of the Specimen Identifier Sequence */
    {0x00400600, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Specimen Short Description */
    {0x00400602, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Specimen Detailed Description */
    {0x00400610, 0xFFFFFFFF, DG_DEID_Z, 0, O_STRUCT}, /* Specimen Preparation Sequence */
    {0x004006FA, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Slide Identifier */
    {0x00401001, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Requested Procedure ID */
    {0x00401002, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for the Requested Procedure */
    {0x00401004, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Patient Transport Arrangements */
    {0x00401005, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Requested Procedure Location */
    {0x0040100A, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for Requested Procedure Code Sequence */
    {0x00401010, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Names of Intended Recipients of Results */
    {0x00401011, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Intended Recipients of Results Identification Sequence */
    {0x00401101, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Person Identification Code Sequence */
    {0x00401102, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Person's Address */
    {0x00401103, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Person's Telephone Numbers */
    {0x00401104, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Person's Telecom Information */
    {0x00401400, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Requested Procedure Comments */
    {0x00402001, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for the Imaging Service Request */
    {0x00402008, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Order Entered By */
    {0x00402009, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Order Enterer's Location */
    {0x00402010, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Order Callback Phone Number */
    {0x00402011, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Order Callback Telecom Information */
    {0x00402016, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Placer Order Number / Imaging Service Request */
    {0x00402017, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Filler Order Number / Imaging Service Request */
    {0x00402400, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Imaging Service Request Comments */
    {0x00403001, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Confidentiality Constraint on Patient Data Description */
    {0x00404005, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step Start DateTime */
    {0x00404008, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step Expiration DateTime */
    {0x00404010, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Scheduled Procedure Step Modification DateTime */
    {0x00404011, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Expected Completion DateTime */
    {0x00404023, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced General Purpose Scheduled Procedure Step Transaction UID */
    {0x00404025, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Station Name Code Sequence */
    {0x00404027, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Scheduled Station Geographic Location Code Sequence */
    {0x00404028, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Performed Station Name Code Sequence */
    {0x00404030, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Performed Station Geographic Location Code Sequence */
    {0x00404034, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Scheduled Human Performers Sequence */
    {0x00404035, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Actual Human Performers Sequence */
    {0x00404036, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Human Performer's Organization */
    {0x00404037, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Human Performer's Name */
    {0x00404050, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step Start DateTime */
    {0x00404051, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Performed Procedure Step End DateTime */
    {0x00404052, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Procedure Step Cancellation DateTime */
    {0x0040A027, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Verifying Organization */
    {0x0040A073, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Verifying Observer Sequence */
    {0x0040A075, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Verifying Observer Name */
    {0x0040A078, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Author Observer Sequence */
    {0x0040A07A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Participant Sequence */
    {0x0040A07C, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Custodial Organization Sequence */
    {0x0040A088, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Verifying Observer Identification Code Sequence */
    {0x0040A123, 0xFFFFFFFF, DG_DEID_D, 0, 0}, /* Person Name */
    {0x0040A124, 0xFFFFFFFF, DG_DEID_U, 0, 0}, /* UID */
    {0x0040A171, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Observation UID */
    {0x0040A172, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Observation UID (Trial) */
    {0x0040A192, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Observation Date (Trial) */
    {0x0040A193, 0xFFFFFFFF, DG_DEID_X, O_FULL_DATES, O_MOD_DATES}, /* Observation Time (Trial) */
    {0x0040A307, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Current Observer (Trial) */
    {0x0040A352, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Verbal Source (Trial) */
    {0x0040A353, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Address (Trial) */
    {0x0040A354, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Telephone Number (Trial) */
    {0x0040A358, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Verbal Source Identifier Code Sequence (Trial) */
    {0x0040A402, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Observation Subject UID (Trial) */
    {0x0040A730, 0xFFFFFFFF, DG_DEID_D, 0, O_STRUCT}, /* Content Sequence */
    {0x0040DB0C, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Template Extension Organization UID */
    {0x0040DB0D, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Template Extension Creator UID */
    {0x0050001B, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Container Component ID */
    {0x00500020, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Device Description */
    {0x00500021, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Long Device Description */
    {0x00620021, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Tracking UID */
    {0x00700001, 0xFFFFFFFF, DG_DEID_D, 0, O_GRAPH}, /* Graphic Annotation Sequence */
    {0x00700084, 0xFFFFFFFF, DG_DEID_Z_D, 0, 0}, /* Content Creator's Name */
    {0x00700086, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Content Creator's Identification Code Sequence */
    {0x0070031A, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Fiducial UID */
    {0x00701101, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Presentation Display Collection UID */
    {0x00701102, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Presentation Sequence Collection UID */
    {0x00880140, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Storage Media File-set UID */
    {0x00880200, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Icon Image Sequence (see Note 12) */
    {0x00880904, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Topic Title */
    {0x00880906, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Topic Subject */
    {0x00880910, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Topic Author */
    {0x00880912, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Topic Keywords */
    {0x04000100, 0xFFFFFFFF, DG_DEID_U, 0, 0}, /* Digital Signature UID */
    {0x04000402, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referenced Digital Signature Sequence */
    {0x04000403, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Referenced SOP Instance MAC Sequence */
    {0x04000404, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* MAC */
    {0x04000550, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Modified Attributes Sequence */
    {0x04000551, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Nonconforming Modified Attributes Sequence */
    {0x04000552, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Nonconforming Data Element Value */
    {0x04000561, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Original Attributes Sequence */
    {0x04000600, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Instance Origin Status */
    {0x20300020, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Text String */
    {0x22000002, 0xFFFFFFFF, DG_DEID_X_Z, 0, O_DESC}, /* Label Text */
    {0x22000005, 0xFFFFFFFF, DG_DEID_X_Z, 0, 0}, /* Barcode Value */
    {0x30060002, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Structure Set Label */
    {0x30060004, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Structure Set Name */
    {0x30060006, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Structure Set Description */
    {0x30060008, 0xFFFFFFFF, DG_DEID_Z, O_FULL_DATES, O_MOD_DATES}, /* Structure Set Date */
    {0x30060009, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Structure Set Time */
    {0x30060024, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Frame of Reference UID */
    {0x30060026, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* ROI Name */
    {0x30060028, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* ROI Description */
    {0x30060038, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* ROI Generation Description */
    {0x30060085, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* ROI Observation Label */
    {0x30060088, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* ROI Observation Description */
    {0x300600A6, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* ROI Interpreter */
    {0x300600C2, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Related Frame of Reference UID */
    {0x30080054, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* First Treatment Date */
    {0x30080056, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Most Recent Treatment Date */
    {0x30080105, 0xFFFFFFFF, DG_DEID_X_Z, O_DEVICE, 0}, /* Source Serial Number */
    {0x30080250, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Treatment Date */
    {0x30080251, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Treatment Time */
    {0x300A0002, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* RT Plan Label */
    {0x300A0003, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* RT Plan Name */
    {0x300A0004, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* RT Plan Description */
    {0x300A0006, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* RT Plan Date */
    {0x300A0007, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* RT Plan Time */
    {0x300A000E, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Prescription Description */
    {0x300A0013, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Dose Reference UID */
    {0x300A0016, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Dose Reference Description */
    {0x300A0072, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Fraction Group Description */
    {0x300A0083, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Dose Reference UID */
    {0x300A00B2, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Treatment Machine Name */
    {0x300A00C3, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Beam Description */
    {0x300A00DD, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Bolus Description */
    {0x300A0196, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Fixation Device Description */
    {0x300A01A6, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Shielding Device Description */
    {0x300A01B2, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Setup Technique Description */
    {0x300A0216, 0xFFFFFFFF, DG_DEID_X, O_DEVICE, 0}, /* Source Manufacturer */
    {0x300A02EB, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Compensator Description */
    {0x300A0608, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Treatment Position Group Label */
    {0x300A0609, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Treatment Position Group UID */
    {0x300A0611, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* RT Accessory Holder Slot ID */
    {0x300A0615, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* RT Accessory Device Slot ID */
    {0x300A0619, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Radiation Dose Identification Label */
    {0x300A0623, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Radiation Dose In-Vivo Measurement Label */
    {0x300A062A, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* RT Tolerance Set Label */
    {0x300A0650, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Patient Setup UID */
    {0x300A0676, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Equipment Frame of Reference Description */
    {0x300A067C, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Radiation Generation Mode Label */
    {0x300A067D, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Radiation Generation Mode Description */
    {0x300A0700, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Treatment Session UID */
    {0x300A0734, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Treatment Tolerance Violation Description */
    {0x300A0736, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Treatment Tolerance Violation DateTime */
    {0x300A073A, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Recorded RT Control Point DateTime */
    {0x300A0741, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Interlock DateTime */
    {0x300A0742, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Interlock Description */
    {0x300A0760, 0xFFFFFFFF, DG_DEID_D, O_FULL_DATES, O_MOD_DATES}, /* Override DateTime */
    {0x300A0783, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Interlock Origin Description */
    {0x300C0113, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Reason for Omission Description */
    {0x300E0008, 0xFFFFFFFF, DG_DEID_X_Z, 0, 0}, /* Reviewer Name */
    {0x30100006, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Conceptual Volume UID */
    {0x3010000B, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Conceptual Volume UID */
    {0x3010000F, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Conceptual Volume Combination Description */
    {0x30100013, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Constituent Conceptual Volume UID */
    {0x30100015, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Source Conceptual Volume UID */
    {0x30100017, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Conceptual Volume Description */
    {0x3010001B, 0xFFFFFFFF, DG_DEID_Z, 0, 0}, /* Device Alternate Identifier */
    {0x3010002D, 0xFFFFFFFF, DG_DEID_D, O_DEVICE, 0}, /* Device Label */
    {0x30100031, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Fiducials UID */
    {0x30100033, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* User Content Label */
    {0x30100034, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* User Content Long Label */
    {0x30100035, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Entity Label */
    {0x30100036, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Entity Name */
    {0x30100037, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Entity Description */
    {0x30100038, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Entity Long Label */
    {0x3010003B, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* RT Treatment Phase UID */
    {0x30100043, 0xFFFFFFFF, DG_DEID_Z, O_DEVICE, 0}, /* Manufacturer's Device Identifier */
    {0x3010004C, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Intended Phase Start Date */
    {0x3010004D, 0xFFFFFFFF, DG_DEID_X_D, O_FULL_DATES, O_MOD_DATES}, /* Intended Phase End Date */
    {0x30100054, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* RT Prescription Label */
    {0x30100056, 0xFFFFFFFF, DG_DEID_X_D, 0, O_DESC}, /* RT Treatment Approach Label */
    {0x3010005A, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* RT Physician Intent Narrative */
    {0x3010005C, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Reason for Superseding */
    {0x30100061, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Prior Treatment Dose Description */
    {0x3010006E, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Dosimetric Objective UID */
    {0x3010006F, 0xFFFFFFFF, DG_DEID_U, O_UIDS, 0}, /* Referenced Dosimetric Objective UID */
    {0x30100077, 0xFFFFFFFF, DG_DEID_D, 0, O_DESC}, /* Treatment Site */
    {0x3010007A, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Treatment Technique Notes */
    {0x3010007B, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Prescription Notes */
    {0x3010007F, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Fractionation Notes */
    {0x30100081, 0xFFFFFFFF, DG_DEID_Z, 0, O_DESC}, /* Prescription Notes Sequence */
    {0x40000010, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Arbitrary */
    {0x40004000, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Text Comments */
    {0x40080042, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Results ID Issuer */
    {0x40080102, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Interpretation Recorder */
    {0x4008010A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Interpretation Transcriber */
    {0x4008010B, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Interpretation Text */
    {0x4008010C, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Interpretation Author */
    {0x40080111, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Interpretation Approver Sequence */
    {0x40080114, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Physician Approving Interpretation */
    {0x40080115, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Interpretation Diagnosis Description */
    {0x40080118, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Results Distribution List Sequence */
    {0x40080119, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Distribution Name */
    {0x4008011A, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Distribution Address */
    {0x40080202, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Interpretation ID Issuer */
    {0x40080300, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Impressions */
    {0x40084000, 0xFFFFFFFF, DG_DEID_X, 0, O_DESC}, /* Results Comments */
    {0xFFFAFFFA, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Digital Signatures Sequence */
    {0xFFFCFFFC, 0xFFFFFFFF, DG_DEID_X, 0, 0}, /* Data Set Trailing Padding */
    {0x50000000, 0xFF000000, DG_DEID_X, 0, O_GRAPH}, /* Curve Data */
    {0x60003000, 0xFF00FFFF, DG_DEID_X, 0, O_GRAPH}, /* Overlay Data */
    {0x60004000, 0xFF00FFFF, DG_DEID_X, 0, O_GRAPH}, /* Overlay Comments */
};
/* clang-format on */

#undef O_SAFE_PRIV
#undef O_UIDS
#undef O_DEVICE
#undef O_INST
#undef O_PAT_CHARS
#undef O_FULL_DATES
#undef O_MOD_DATES
#undef O_DESC
#undef O_STRUCT
#undef O_GRAPH

const size_t dg_deid_rule_count = sizeof dg_deid_rules / sizeof dg_deid_rules[0];

const dg_deid_rule *dg_deid_lookup(uint16_t group, uint16_t element)
{
    uint32_t tag = (uint32_t)group << 16 | element;
    size_t lo = 0, hi = DG_DEID_EXACT_ROWS;

    if (group & 1)
        return NULL; /* private: not in this table */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t t = dg_deid_rules[mid].tag;
        if (t == tag)
            return &dg_deid_rules[mid];
        if (t < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = DG_DEID_EXACT_ROWS; i < dg_deid_rule_count; i++)
        if ((tag & dg_deid_rules[i].mask) == dg_deid_rules[i].tag)
            return &dg_deid_rules[i];
    return NULL;
}
