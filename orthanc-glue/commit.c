/*
 * commit.c - the storage commitment SCP. A modality asks about the SOP
 * instances it sent, by their original UIDs; the answer comes from the
 * journal (the gateway stores instances under de-identified UIDs, so
 * Orthanc's own index cannot answer). Success only for an instance stored
 * protected and, when forwarding is configured, accepted by the archive.
 */
#include "gateway.h"

#include <string.h>

/* The answer for one journal record (found) against the class asked about. */
static OrthancPluginStorageCommitmentFailureReason judge(const dg_queue_entry *e, int found,
                                                         const char *sop_class)
{
    if (!found)
        return OrthancPluginStorageCommitmentFailureReason_NoSuchObjectInstance;
    if (strcmp(e->sop_class, sop_class) != 0)
        return OrthancPluginStorageCommitmentFailureReason_ClassInstanceConflict;
    if (dgo.cfg.forward_to[0] != '\0' && e->forward == DG_FORWARD_DONE)
        return OrthancPluginStorageCommitmentFailureReason_Success; /* the archive has it */
    if (!e->stored)
        return OrthancPluginStorageCommitmentFailureReason_NoSuchObjectInstance;
    if (dgo.cfg.forward_to[0] != '\0')
        return OrthancPluginStorageCommitmentFailureReason_ProcessingFailure; /* not yet forwarded
                                                                               */
    return OrthancPluginStorageCommitmentFailureReason_Success;
}

static OrthancPluginErrorCode lookup(OrthancPluginStorageCommitmentFailureReason *target,
                                     void *handler, const char *sop_class, const char *sop_instance)
{
    char err[DG_ERRLEN], key[DG_QUEUE_KEY_LEN + 1];
    dg_queue_entry e;
    int found = 0;

    (void)handler;
    if (dg_queue_key(dgo.ctx, sop_instance, key, err, sizeof err) != DG_OK ||
        dg_queue_find(dgo.journal, key, &e, &found, err, sizeof err) != DG_OK) {
        dgo_log_error("storage commitment: %s", err);
        *target = OrthancPluginStorageCommitmentFailureReason_ProcessingFailure;
        return OrthancPluginErrorCode_Success;
    }
    *target = judge(&e, found, sop_class);
    return OrthancPluginErrorCode_Success;
}

static OrthancPluginErrorCode factory(void **handler, const char *job, const char *transaction,
                                      const char *const *classes, const char *const *instances,
                                      uint32_t count, const char *remote, const char *called)
{
    (void)job;
    (void)transaction;
    (void)classes;
    (void)instances;
    (void)called;
    *handler = &dgo; /* no state per request: every lookup reads the journal */
    dgo_log_info("storage commitment asked by %.16s for %u instance(s)", remote, count);
    return OrthancPluginErrorCode_Success;
}

static void destructor(void *handler)
{
    (void)handler;
}

int dgo_commit_register(void)
{
    if (OrthancPluginRegisterStorageCommitmentScpCallback(
            dgo.orthanc, factory, destructor, lookup) != OrthancPluginErrorCode_Success) {
        dgo_log_error("cannot register the storage commitment SCP");
        return -1;
    }
    return 0;
}
