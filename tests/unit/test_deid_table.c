/*
 * test_deid_table.c - tests of plugin/deid_table.c, PS3.15 Table E.1-1 as
 * data: the order the binary search relies on, the row count, lookups of
 * exact tags and of the repeating-group patterns, and a few option bits.
 */
#include "check.h"
#include "deid.h"
#include "deid_table.h"

#include <stdio.h>

/* Rows of PS3.15 2026c Table E.1-1 (plugin/deid_data/table-E.1-1.tsv), less the
 * private-attributes row. */
#define TABLE_ROWS 656

static int basic_of(uint16_t group, uint16_t element)
{
    const dg_deid_rule *r = dg_deid_lookup(group, element);
    return r ? r->basic : -1;
}

static void test_order_and_count(void)
{
    size_t i, exact = 0;

    CHECK(dg_deid_rule_count == TABLE_ROWS - 1);
    /* the exact tags come first, strictly ascending; then only patterns */
    while (exact < dg_deid_rule_count && dg_deid_rules[exact].mask == 0xFFFFFFFFu)
        exact++;
    CHECK(exact == 652);
    for (i = 1; i < exact; i++)
        CHECK(dg_deid_rules[i - 1].tag < dg_deid_rules[i].tag);
    for (i = exact; i < dg_deid_rule_count; i++) {
        CHECK(dg_deid_rules[i].mask != 0xFFFFFFFFu);
        CHECK((dg_deid_rules[i].tag & ~dg_deid_rules[i].mask) == 0);
    }
    /* no odd (private) group in the table, every code in range */
    for (i = 0; i < dg_deid_rule_count; i++) {
        CHECK(((dg_deid_rules[i].tag >> 16) & 1) == 0);
        CHECK(dg_deid_rules[i].basic <= DG_DEID_X_Z_U);
        CHECK((dg_deid_rules[i].retain & dg_deid_rules[i].clean) == 0);
    }
    /* every exact row is found by the lookup, and is that row */
    for (i = 0; i < exact; i++) {
        uint32_t t = dg_deid_rules[i].tag;
        CHECK(dg_deid_lookup((uint16_t)(t >> 16), (uint16_t)t) == &dg_deid_rules[i]);
    }
}

static void test_lookups(void)
{
    const dg_deid_rule *r;

    CHECK(basic_of(0x0010, 0x0010) == DG_DEID_Z);     /* Patient's Name */
    CHECK(basic_of(0x0010, 0x0020) == DG_DEID_Z_D);   /* Patient ID: Z/D in 2026c */
    CHECK(basic_of(0x0008, 0x0018) == DG_DEID_U);     /* SOP Instance UID */
    CHECK(basic_of(0x0020, 0x000D) == DG_DEID_U);     /* Study Instance UID */
    CHECK(basic_of(0x0040, 0xA730) == DG_DEID_D);     /* Content Sequence */
    CHECK(basic_of(0x0008, 0x0080) == DG_DEID_X_Z_D); /* Institution Name */
    CHECK(basic_of(0x0070, 0x0084) == DG_DEID_Z_D);   /* Content Creator's Name */
    CHECK(basic_of(0x0008, 0x1140) == DG_DEID_X_Z_U); /* Referenced Image Sequence */
    CHECK(basic_of(0x0000, 0x1000) == DG_DEID_X);     /* Affected SOP Instance UID, first row */
    CHECK(basic_of(0xFFFC, 0xFFFC) == DG_DEID_X);     /* Data Set Trailing Padding, last exact */

    /* (60XX,4000) Overlay Comments and (60XX,3000) Overlay Data */
    r = dg_deid_lookup(0x6002, 0x4000);
    CHECK(r && r->tag == 0x60004000u && r->mask == 0xFF00FFFFu && r->basic == DG_DEID_X);
    CHECK(r && r->clean == DG_DEID_OPT_CLEAN_GRAPH && r->retain == 0);
    r = dg_deid_lookup(0x6000, 0x4000);
    CHECK(r && r->tag == 0x60004000u);
    r = dg_deid_lookup(0x601E, 0x3000);
    CHECK(r && r->tag == 0x60003000u);
    CHECK(dg_deid_lookup(0x6002, 0x0010) == NULL); /* Overlay Rows: not tabled */
    /* (50XX,XXXX) Curve Data */
    r = dg_deid_lookup(0x5010, 0x0020);
    CHECK(r && r->tag == 0x50000000u && r->mask == 0xFF000000u && r->basic == DG_DEID_X);
    CHECK(r && r->clean == DG_DEID_OPT_CLEAN_GRAPH);
    /* private groups and untabled tags */
    CHECK(dg_deid_lookup(0x6001, 0x4000) == NULL);
    CHECK(dg_deid_lookup(0x0009, 0x0010) == NULL);
    CHECK(dg_deid_lookup(0x0028, 0x0010) == NULL); /* Rows */
    CHECK(dg_deid_lookup(0x7FE0, 0x0010) == NULL); /* Pixel Data */
    CHECK(dg_deid_lookup(0x0000, 0x0000) == NULL);
    CHECK(dg_deid_lookup(0xFFFE, 0xE000) == NULL);
    CHECK(dg_deid_lookup(0xFFFF, 0xFFFF) == NULL);
}

static void test_options(void)
{
    const dg_deid_rule *r;

    r = dg_deid_lookup(0x0010, 0x0040); /* Patient's Sex */
    CHECK(r && (r->retain & DG_DEID_OPT_PATIENT_CHARS));
    r = dg_deid_lookup(0x0008, 0x0020); /* Study Date */
    CHECK(r && r->basic == DG_DEID_Z);
    CHECK(r && r->retain == DG_DEID_OPT_FULL_DATES && r->clean == DG_DEID_OPT_MODIFIED_DATES);
    r = dg_deid_lookup(0x0008, 0x1010); /* Station Name */
    CHECK(r && r->basic == DG_DEID_X_Z_D && r->retain == DG_DEID_OPT_DEVICE);
    r = dg_deid_lookup(0x0018, 0x1002); /* Device UID */
    CHECK(r && r->retain == (DG_DEID_OPT_UIDS | DG_DEID_OPT_DEVICE));
    r = dg_deid_lookup(0x0008, 0x0080); /* Institution Name */
    CHECK(r && r->retain == DG_DEID_OPT_INSTITUTION);
    r = dg_deid_lookup(0x0020, 0x000D); /* Study Instance UID */
    CHECK(r && r->retain == DG_DEID_OPT_UIDS && r->clean == 0);
    r = dg_deid_lookup(0x0010, 0x2110); /* Allergies */
    CHECK(r && r->clean == (DG_DEID_OPT_PATIENT_CHARS | DG_DEID_OPT_CLEAN_DESC));
    r = dg_deid_lookup(0x0040, 0xA730); /* Content Sequence */
    CHECK(r && r->clean == DG_DEID_OPT_CLEAN_STRUCT);
    r = dg_deid_lookup(0x0008, 0x1120); /* Referenced Patient Sequence: K under Retain UIDs */
    CHECK(r && r->basic == DG_DEID_X && r->retain == DG_DEID_OPT_UIDS && r->clean == 0);
}

/* Table E.3.10-1 (matched by creator and element) and the allow-list. */
static void test_safe_private_and_allow(void)
{
    CHECK(dg_deid_safe_count == 479);
    CHECK(dg_deid_safe_private(0x7053, 0x1000, "Philips PET Private Group"));   /* SUV Factor */
    CHECK(dg_deid_safe_private(0x7053, 0x1100, "Philips PET Private Group  ")); /* any slot */
    CHECK(!dg_deid_safe_private(0x7053, 0x1000, "Another Creator"));
    CHECK(!dg_deid_safe_private(0x7053, 0x10FE, "Philips PET Private Group"));
    CHECK(!dg_deid_safe_private(0x7053, 0x0010, "Philips PET Private Group")); /* a creator */
    CHECK(dg_deid_safe_creator(0x7053, "Philips PET Private Group"));
    CHECK(!dg_deid_safe_creator(0x7055, "Philips PET Private Group"));
    CHECK(dg_deid_allowed(0x0028, 0x1054));          /* Rescale Type */
    CHECK(dg_deid_allowed(0x0008, 0x0100));          /* Code Value */
    CHECK(!dg_deid_allowed(0x0008, 0x0104));         /* Code Meaning: free text, denied */
    CHECK(!dg_deid_allowed(0x0040, 0xA160));         /* Text Value */
    for (size_t i = 0; i < dg_deid_allow_count; i++) /* never a tag the table lists */
        CHECK(dg_deid_lookup((uint16_t)(dg_deid_allow_rows[i].tag >> 16),
                             (uint16_t)dg_deid_allow_rows[i].tag) == NULL);
}

static dg_deid_act act_of(uint16_t g, uint16_t e, const char *vr, int seq, const char *creator,
                          unsigned options)
{
    dg_deid_elem el = {g, e, vr, seq, creator};
    return dg_deid_classify(&el, options);
}

/* deid.c's classification: the table, deny by default, payloads, private attributes, options. */
static void test_classify(void)
{
    const unsigned none = 0, mod = DG_DEID_OPT_MODIFIED_DATES, full = DG_DEID_OPT_FULL_DATES;
    const char *pet = "Philips PET Private Group";
    dg_deid_elem creator = {0x7053, 0x0010, "LO", 0, pet};

    CHECK(act_of(0x0010, 0x0010, "PN", 0, NULL, none) == DG_ACT_EMPTY); /* Patient's Name: Z */
    CHECK(act_of(0x0008, 0x0018, "UI", 0, NULL, none) == DG_ACT_UID);   /* SOP Instance UID */
    CHECK(act_of(0x0008, 0x0018, "UI", 0, NULL, DG_DEID_OPT_UIDS) == DG_ACT_KEEP);
    CHECK(act_of(0x0008, 0x0012, "DA", 0, NULL, none) != DG_ACT_KEEP); /* Instance Creation Date */
    CHECK(act_of(0x0008, 0x0012, "DA", 0, NULL, full) == DG_ACT_KEEP);
    CHECK(act_of(0x0008, 0x0012, "DA", 0, NULL, mod) == DG_ACT_SHIFT);
    CHECK(act_of(0x0008, 0x0013, "TM", 0, NULL, mod) == DG_ACT_KEEP); /* times of day stay */
    /* deny by default */
    CHECK(act_of(0x0008, 0x0104, "LO", 0, NULL, none) == DG_ACT_DUMMY);  /* Code Meaning */
    CHECK(act_of(0x0040, 0xA160, "UT", 0, NULL, none) != DG_ACT_KEEP);   /* Text Value */
    CHECK(act_of(0x0008, 0x0100, "SH", 0, NULL, none) == DG_ACT_KEEP);   /* Code Value: allowed */
    CHECK(act_of(0x0028, 0x0010, "US", 0, NULL, none) == DG_ACT_KEEP);   /* Rows */
    CHECK(act_of(0x0018, 0x9074, "DT", 0, NULL, none) != DG_ACT_KEEP);   /* Frame Acquisition DT */
    CHECK(act_of(0x7776, 0x0010, "LO", 0, NULL, none) == DG_ACT_REMOVE); /* unknown, text */
    CHECK(act_of(0x7776, 0x0012, "", 0, NULL, none) == DG_ACT_REMOVE);   /* unknown, implicit */
    CHECK(act_of(0x7776, 0x0014, "US", 0, NULL, none) == DG_ACT_REMOVE); /* unknown, a number */
    CHECK(act_of(0x7776, 0x0016, "??", 0, NULL, none) == DG_ACT_REMOVE); /* DCMTK's implicit */
    CHECK(act_of(0x0020, 0x0012, "LO", 0, NULL, none) == DG_ACT_DUMMY);  /* an IS written as LO */
    CHECK(act_of(0x0020, 0x0012, "IS", 0, NULL, none) == DG_ACT_KEEP);   /* Acquisition Number */
    CHECK(act_of(0x0020, 0x0012, "", 0, NULL, none) == DG_ACT_KEEP);     /* the same, implicit */
    CHECK(act_of(0x0020, 0x0242, "UI", 0, NULL, none) == DG_ACT_UID);    /* unlisted UID */
    CHECK(act_of(0x0020, 0x0242, "", 0, NULL, none) == DG_ACT_UID);      /* the same, implicit */
    CHECK(act_of(0x0020, 0x0242, "UI", 0, NULL, DG_DEID_OPT_UIDS) == DG_ACT_KEEP);
    CHECK(act_of(0x7FE0, 0x0010, "OB", 0, NULL, none) == DG_ACT_ZERO);   /* nested Pixel Data */
    CHECK(act_of(0x0066, 0x0016, "OF", 0, NULL, none) == DG_ACT_ZERO);   /* a surface's points */
    CHECK(act_of(0x0028, 0x1201, "OW", 0, NULL, none) == DG_ACT_KEEP);   /* a palette: allowed */
    CHECK(act_of(0x0028, 0x3006, "OW", 0, NULL, none) == DG_ACT_KEEP);   /* LUT Data: allowed */
    CHECK(act_of(0x0028, 0x3006, "", 0, NULL, none) == DG_ACT_KEEP);     /* the same, implicit */
    CHECK(act_of(0x0028, 0x1201, "UT", 0, NULL, none) == DG_ACT_DUMMY);  /* allowed, but text */
    CHECK(act_of(0x0008, 0x0016, "UI", 0, NULL, none) == DG_ACT_KEEP);   /* SOP Class: allowed */
    CHECK(act_of(0x0008, 0x1150, "UI", 0, NULL, none) == DG_ACT_KEEP);   /* Ref. SOP Class */
    CHECK(act_of(0x0008, 0x010D, "UI", 0, NULL, none) == DG_ACT_UID);    /* a creator's UID */
    CHECK(act_of(0x0008, 0x0104, "DA", 0, NULL, full) == DG_ACT_DUMMY);  /* text written as DA */
    CHECK(act_of(0x0008, 0x0104, "TM", 0, NULL, mod) == DG_ACT_DUMMY);   /* text written as TM */
    CHECK(act_of(0x0014, 0x3050, "FL", 0, NULL, none) == DG_ACT_REMOVE); /* bulk written as FL */
    CHECK(act_of(0x0014, 0x3050, "OW", 0, NULL, none) == DG_ACT_ZERO);
    CHECK(act_of(0x0008, 0x1125, "OB", 0, NULL, none) == DG_ACT_REMOVE); /* a sequence as OB */
    CHECK(act_of(0x0008, 0x1125, "OW", 0, NULL, none) == DG_ACT_REMOVE);
    CHECK(act_of(0x0010, 0x1022, "DS", 0, NULL, none) == DG_ACT_DUMMY); /* Body Mass Index */
    CHECK(act_of(0x0010, 0x1022, "DS", 0, NULL, DG_DEID_OPT_PATIENT_CHARS) == DG_ACT_KEEP);
    CHECK(act_of(0x0010, 0x9431, "FL", 0, NULL, none) == DG_ACT_DUMMY);  /* Body Thickness */
    CHECK(act_of(0x0010, 0x0022, "CS", 0, NULL, none) == DG_ACT_REMOVE); /* Type of Patient ID */
    CHECK(act_of(0x0010, 0x2210, "CS", 0, NULL, none) == DG_ACT_KEEP);   /* BIPED: allowed */
    CHECK(act_of(0x0040, 0xA30A, "DS", 0, NULL, none) == DG_ACT_DUMMY);  /* SR Numeric Value */
    CHECK(act_of(0x0040, 0xA161, "FD", 0, NULL, none) == DG_ACT_DUMMY);  /* Floating Point V. */
    CHECK(act_of(0x0040, 0xA30A, "DS", 0, NULL, DG_DEID_OPT_PATIENT_CHARS) == DG_ACT_KEEP);
    /* sequences */
    CHECK(act_of(0x0040, 0xA730, "SQ", 1, NULL, none) == DG_ACT_KEEP); /* Content Seq.: D, walked */
    CHECK(act_of(0x0008, 0x1111, "SQ", 1, NULL, none) == DG_ACT_KEEP); /* Ref. PPS Seq.: X/Z/D */
    CHECK(act_of(0x0040, 0xA730, "UN", 0, NULL, none) != DG_ACT_KEEP); /* a sequence as UN bytes */
    CHECK(act_of(0x0088, 0x0200, "SQ", 1, NULL, none) == DG_ACT_REMOVE); /* Icon Image Sequence */
    /* payloads */
    CHECK(act_of(0x5400, 0x1010, "OW", 0, NULL, none) == DG_ACT_ZERO);     /* Waveform Data */
    CHECK(act_of(0x6002, 0x3000, "OW", 0, NULL, none) == DG_ACT_ZERO);     /* Overlay Data */
    CHECK(act_of(0x7FE0, 0x0008, "OF", 0, NULL, none) == DG_ACT_ZERO);     /* Float Pixel Data */
    CHECK(act_of(0x0042, 0x0011, "OB", 0, NULL, none) == DG_ACT_DOCUMENT); /* Encapsulated Doc. */
    CHECK(act_of(0x6002, 0x0022, "LO", 0, NULL, none) == DG_ACT_DUMMY);    /* Overlay Description */
    CHECK(act_of(0x5000, 0x2000, "OB", 0, NULL, none) == DG_ACT_REMOVE);   /* 50xx: X */
    /* private attributes */
    CHECK(act_of(0x7053, 0x1000, "DS", 0, pet, none) == DG_ACT_REMOVE);
    CHECK(act_of(0x7053, 0x1000, "DS", 0, pet, DG_DEID_OPT_SAFE_PRIVATE) == DG_ACT_KEEP);
    CHECK(act_of(0x7053, 0x1099, "LO", 0, pet, DG_DEID_OPT_SAFE_PRIVATE) == DG_ACT_REMOVE);
    CHECK(act_of(0x7053, 0x1000, "DS", 0, "Other", DG_DEID_OPT_SAFE_PRIVATE) == DG_ACT_REMOVE);
    CHECK(dg_deid_classify(&creator, DG_DEID_OPT_SAFE_PRIVATE) == DG_ACT_KEEP);
    CHECK(!dg_deid_is_hole(DG_ACT_REMOVE, &creator)); /* creators are never holes */
    /* File Meta: deny by default */
    CHECK(!dg_deid_meta_is_phi(0x0010) && dg_deid_meta_is_phi(0x0003) &&
          dg_deid_meta_is_phi(0x0026));
}

int main(void)
{
    test_order_and_count();
    test_lookups();
    test_options();
    test_safe_private_and_allow();
    test_classify();
    return check_summary("test_deid_table");
}
