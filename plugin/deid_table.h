/*
 * deid_table.h - PS3.15 Annex E Table E.1-1 as data: for each attribute,
 * the action of the Basic Application Level Confidentiality Profile and
 * which options change it.
 */
#ifndef DG_DEID_TABLE_H
#define DG_DEID_TABLE_H
#include <stddef.h>
#include <stdint.h>

/* Actions of the profile (PS3.15 E.1.1). Compound codes are kept as written. */
typedef enum dg_deid_code {
    DG_DEID_D,
    DG_DEID_Z,
    DG_DEID_X,
    DG_DEID_K,
    DG_DEID_C,
    DG_DEID_U,
    DG_DEID_Z_D,
    DG_DEID_X_Z,
    DG_DEID_X_D,
    DG_DEID_X_Z_D,
    DG_DEID_X_Z_U
} dg_deid_code;

/* Options (bit flags) whose column says K ("retain") for a row. */
enum {
    DG_DEID_OPT_SAFE_PRIVATE = 1u << 0,
    DG_DEID_OPT_UIDS = 1u << 1,
    DG_DEID_OPT_DEVICE = 1u << 2,
    DG_DEID_OPT_INSTITUTION = 1u << 3,
    DG_DEID_OPT_PATIENT_CHARS = 1u << 4,
    DG_DEID_OPT_FULL_DATES = 1u << 5,
    DG_DEID_OPT_MODIFIED_DATES = 1u << 6,
    DG_DEID_OPT_CLEAN_DESC = 1u << 7,
    DG_DEID_OPT_CLEAN_STRUCT = 1u << 8,
    DG_DEID_OPT_CLEAN_GRAPH = 1u << 9
};

typedef struct dg_deid_rule {
    uint32_t tag;    /* (group << 16) | element, with the X digits of a pattern as 0 */
    uint32_t mask;   /* bits of tag that must match: 0xFFFFFFFF for a plain tag,
                        0xFF00FFFF for (60XX,4000), 0xFF000000 for (50XX,XXXX) */
    uint8_t basic;   /* dg_deid_code */
    uint16_t retain; /* DG_DEID_OPT_* whose column is K for this row */
    uint16_t clean;  /* DG_DEID_OPT_* whose column is C for this row */
} dg_deid_rule;

extern const dg_deid_rule dg_deid_rules[];
extern const size_t dg_deid_rule_count;

/* The rule for a tag, or NULL when the table does not list it (binary search on exact tags, then
 * the patterns). */
const dg_deid_rule *dg_deid_lookup(uint16_t group, uint16_t element);

#endif
