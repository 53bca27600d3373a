/*
 * analyze.c - `dcmguard analyze PLAIN [PROTECTED] [--json] [--png FILE]`:
 * the command line of the security-analysis tool (plugin/analyze.c does the
 * work through the public API of dcmguard.h).
 */
#define _GNU_SOURCE
#include "dcmguard.h"
#include "files.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

int dg_cli_analyze(int argc, char **argv);

static const char usage_analyze[] =
    "usage: dcmguard analyze PLAIN [PROTECTED] [options]\n"
    "\n"
    "Computes, for the pixel data, the statistics that image-cipher papers report: global\n"
    "(and, for 8 bits, local) entropy against the ideal value for the image's size and depth;\n"
    "NPCR and UACI for a one-sample change and for one-bit key changes, with Wu et al.'s\n"
    "critical values; horizontal, vertical and diagonal adjacent-pixel correlation; histogram\n"
    "chi-square. Each test says PASS or FAIL at alpha = 0.05.\n"
    "\n"
    "  PROTECTED            the protected form of PLAIN. Its Pixel Data is the cipher image;\n"
    "                       for an AES-mode file (the default mode) the cipher image is the\n"
    "                       ciphertext of its encrypted tiles read as 8-bit samples (the Pixel\n"
    "                       Data there is only a placeholder). Without PROTECTED the cipher\n"
    "                       image is the chaos cipher's encryption of PLAIN by this tool.\n"
    "      --json           JSON for scripts instead of the table\n"
    "      --png FILE       draw the figure (images, histograms, scatter plots) into FILE\n"
    "      --bits B         stretch PLAIN linearly to B bits (1..16) before analysing it\n"
    "      --rounds R       chaos rounds of the tool's own encryptions (default 3)\n"
    "      --positions N    random one-sample changes besides (0,0), centre, end (default 100)\n"
    "      --seed S         derive the tool's throwaway keys and positions from S (reproducible)\n"
    "      --stats-only     no re-encryption: no NPCR or UACI\n"
    "\n"
    "NPCR and UACI need re-encryption, so they always come from the tool's own encryptions\n"
    "of PLAIN with the chaos cipher under a throwaway key (that key, the key with one bit\n"
    "flipped, the image with one sample changed by +1).\n"
    "\n"
    "These statistics say how a cipher image looks, not whether it is secure. The chaos\n"
    "cipher is a published research design (Hua et al. 2018, Khan et al.) with practical\n"
    "published attacks (chosen ciphertext, about M*N+1 queries), an effective key far below\n"
    "256 bits and no integrity of its own: it passes these tests and is broken. dcmguard\n"
    "offers it for research, comparison and compatibility only; AES mode is the default.\n";

enum {
    OPT_JSON = 256,
    OPT_PNG,
    OPT_BITS,
    OPT_ROUNDS,
    OPT_POSITIONS,
    OPT_SEED,
    OPT_STATS,
    OPT_HELP
};

static const struct option analyze_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"png", required_argument, NULL, OPT_PNG},
    {"bits", required_argument, NULL, OPT_BITS},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"positions", required_argument, NULL, OPT_POSITIONS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"stats-only", no_argument, NULL, OPT_STATS},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct analyze_args {
    dg_analyze_options opt;
    const char *png, *plain, *protected_file;
    int json;
} analyze_args;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "dcmguard: analyze: %s%s\n%s", what, arg, usage_analyze);
    return EXIT_USAGE;
}

/* Reads an unsigned number in [lo, hi] from s; 0 or -1. */
static int parse_number(const char *s, unsigned long long lo, unsigned long long hi,
                        unsigned long long *v)
{
    char *end = NULL;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    *v = strtoull(s, &end, 10);
    return *end == '\0' && *v >= lo && *v <= hi ? 0 : -1;
}

static int parse_option(int c, analyze_args *a)
{
    unsigned long long v = 0;

    switch (c) {
    case OPT_JSON:
        a->json = 1;
        return 0;
    case OPT_PNG:
        a->png = optarg;
        return 0;
    case OPT_BITS:
        if (parse_number(optarg, 1, 16, &v) != 0)
            return usage_error("--bits wants 1..16, not ", optarg);
        a->opt.bits = (unsigned)v;
        return 0;
    case OPT_ROUNDS:
        if (parse_number(optarg, 1, 16, &v) != 0)
            return usage_error("--rounds wants 1..16, not ", optarg);
        a->opt.rounds = (unsigned)v;
        return 0;
    case OPT_POSITIONS:
        if (parse_number(optarg, 0, 100000, &v) != 0)
            return usage_error("--positions wants 0..100000, not ", optarg);
        a->opt.positions = (unsigned)v;
        return 0;
    case OPT_SEED:
        if (parse_number(optarg, 1, UINT64_MAX, &v) != 0)
            return usage_error("--seed wants a number from 1, not ", optarg);
        a->opt.seed = v;
        return 0;
    case OPT_STATS:
        a->opt.flags |= DG_ANALYZE_NO_SENSITIVITY;
        return 0;
    default:
        fputs(usage_analyze, stderr);
        return EXIT_USAGE;
    }
}

/* 0, 1 after --help, or EXIT_USAGE. */
static int parse_args(int argc, char **argv, analyze_args *a)
{
    int c, rc;

    memset(a, 0, sizeof *a);
    a->opt.positions = 100;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", analyze_options, NULL)) != -1) {
        if (c == OPT_HELP) {
            fputs(usage_analyze, stdout);
            return 1;
        }
        rc = parse_option(c, a);
        if (rc != 0)
            return rc;
    }
    if (optind >= argc || argc - optind > 2)
        return usage_error("wants PLAIN and at most one PROTECTED", "");
    a->plain = argv[optind];
    a->protected_file = optind + 1 < argc ? argv[optind + 1] : NULL;
    return 0;
}

/* Runs the analysis on files already read; prints the report; writes the PNG. */
static int analyze_files(const analyze_args *a, const uint8_t *plain, size_t plain_len,
                         const uint8_t *prot, size_t prot_len)
{
    char err[DG_ERRLEN];
    dg_analysis *an = NULL;
    char *text = NULL;
    int rc = 1;

    if (dg_analyze(plain, plain_len, prot, prot_len, &a->opt, &an, err, sizeof err) != DG_OK ||
        dg_analysis_report(an, a->json, &text, err, sizeof err) != DG_OK) {
        fprintf(stderr, "dcmguard: analyze: %s\n", err);
        goto done;
    }
    fputs(text, stdout);
    if (a->png != NULL && dg_analysis_png(an, a->png, err, sizeof err) != DG_OK) {
        fprintf(stderr, "dcmguard: analyze: %s: %s\n", a->png, err);
        goto done;
    }
    rc = 0;
done:
    free(text);
    dg_analysis_free(an);
    return rc;
}

int dg_cli_analyze(int argc, char **argv)
{
    char err[DG_ERRLEN];
    analyze_args a;
    uint8_t *plain = NULL, *prot = NULL;
    size_t plain_len = 0, prot_len = 0;
    int rc = parse_args(argc, argv, &a);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (dg_file_read(a.plain, &plain, &plain_len, err, sizeof err) != 0 ||
        (a.protected_file != NULL &&
         dg_file_read(a.protected_file, &prot, &prot_len, err, sizeof err) != 0)) {
        fprintf(stderr, "dcmguard: analyze: %s\n", err);
        rc = 1;
    } else {
        rc = analyze_files(&a, plain, plain_len, prot, prot_len);
    }
    dg_secure_free(plain, plain_len);
    free(prot);
    return rc;
}
