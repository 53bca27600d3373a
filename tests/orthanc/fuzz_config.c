/*
 * fuzz_config.c - libFuzzer harness for the gateway's configuration reader
 * (orthanc-glue/config.c): any bytes as the Orthanc configuration JSON.
 * Built with -DDG_FUZZ=ON and clang (tests/CMakeLists.txt); seeds in
 * tests/orthanc/config-seeds/.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "config.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dgo_config cfg;
    char err[512];

    if (dgo_config_parse((const char *)data, size, &cfg, err, sizeof err) != 0) {
        if (memchr(err, '\n', strnlen(err, sizeof err)) != NULL)
            __builtin_trap(); /* errors are one line */
        return 0;
    }
    if (cfg.master_key[0] == '\0' || cfg.key_store[0] == '\0' || cfg.journal[0] == '\0' ||
        cfg.retry_max < cfg.retry_first || cfg.user_count > DGO_USERS_MAX)
        __builtin_trap(); /* accepted, yet not what parse promises */
    return 0;
}
