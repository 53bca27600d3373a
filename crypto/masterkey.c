/*
 * masterkey.c - creating and loading master key files.
 */
#define _POSIX_C_SOURCE 200809L
#include "masterkey.h"
#include "kdf.h"
#include "private_file.h"
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MAGIC "dcmguard-master-key-v1 "
#define KEY_LINE_LEN (sizeof(KEY_MAGIC) - 1 + 64 + 1)

static const char hexdigits[] = "0123456789abcdef";

void dg_key_id_hex(const uint8_t id[DG_KEY_ID_LEN], char out[2 * DG_KEY_ID_LEN + 1])
{
    for (int i = 0; i < DG_KEY_ID_LEN; i++) {
        out[2 * i] = hexdigits[id[i] >> 4];
        out[2 * i + 1] = hexdigits[id[i] & 15];
    }
    out[2 * DG_KEY_ID_LEN] = 0;
}

int dg_master_key_derive_id(dg_master_key *mk)
{
    return dg_kdf(mk->key, sizeof mk->key, "dcmguard/v1/key-id", NULL, 0, mk->id, sizeof mk->id);
}

void dg_master_key_wipe(dg_master_key *mk)
{
    dg_wipe(mk, sizeof *mk);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int dg_master_key_create(const char *path, char *err, size_t errlen)
{
    uint8_t key[32];
    char line[KEY_LINE_LEN + 1];
    size_t off = sizeof(KEY_MAGIC) - 1;
    int fd = -1, rc = -1;

    if (dg_random_secret(key, sizeof key) != 0) {
        snprintf(err, errlen, "%s: the random generator failed", path);
        goto done;
    }
    memcpy(line, KEY_MAGIC, off);
    for (size_t i = 0; i < sizeof key; i++) {
        line[off++] = hexdigits[key[i] >> 4];
        line[off++] = hexdigits[key[i] & 15];
    }
    line[off++] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == EEXIST ? "already exists (a key file is never overwritten)"
                                 : strerror(errno));
        goto done;
    }
    if (fchmod(fd, 0600) != 0 || write_all(fd, line, off) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "%s: cannot write the key: %s", path, strerror(errno));
        close(fd);
        fd = -1;
        unlink(path);
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write the key: %s", path, strerror(errno));
        unlink(path);
        rc = -1;
    }
    dg_wipe(key, sizeof key);
    dg_wipe(line, sizeof line);
    return rc;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_key_line(const char *line, size_t len, uint8_t key[32])
{
    size_t off = sizeof(KEY_MAGIC) - 1;
    if (len < off + 64 || memcmp(line, KEY_MAGIC, off) != 0)
        return -1;
    for (size_t i = 0; i < 32; i++) {
        int hi = hex_value(line[off + 2 * i]), lo = hex_value(line[off + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    for (size_t i = off + 64; i < len; i++)
        if (line[i] != '\n' && line[i] != '\r' && line[i] != ' ')
            return -1;
    return 0;
}

int dg_master_key_load(const char *path, dg_master_key *mk, char *err, size_t errlen)
{
    char buf[KEY_LINE_LEN + 8], why[256];
    struct stat st;
    ssize_t n = 0;
    int fd, rc = -1;

    memset(mk, 0, sizeof *mk);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "key file %s: %s", path,
                 errno == ELOOP ? "is a symbolic link (refused: it could point anywhere)"
                                : strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "key file %s: not a regular file", path);
        goto done;
    }
    /* the file opened (O_NOFOLLOW: never through a link) and its folder */
    if (dg_private_file_check(&st, why, sizeof why) != 0 ||
        dg_private_folder_check(path, why, sizeof why) != 0) {
        snprintf(err, errlen, "key file %s: %s", path, why);
        goto done;
    }
    n = read(fd, buf, sizeof buf);
    if (n < 0 || (size_t)n >= sizeof buf || parse_key_line(buf, (size_t)n, mk->key) != 0) {
        snprintf(err, errlen, "key file %s: not a dcmguard master key file", path);
        goto done;
    }
    if (dg_master_key_derive_id(mk) != 0) {
        snprintf(err, errlen, "key file %s: cannot derive the key id", path);
        goto done;
    }
    rc = 0;
done:
    close(fd);
    dg_wipe(buf, sizeof buf);
    if (rc != 0)
        dg_master_key_wipe(mk);
    return rc;
}
