/*
 * pool.c - the worker threads behind dg_pool_run.
 *
 * One job at a time: run_lock serialises callers. Workers sleep on `wake`
 * until a new job generation appears, take iteration numbers from `next`
 * under the lock, and the last one to finish signals `done`.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct dg_pool {
    pthread_mutex_t run_lock; /* held by the caller for the whole of one job */
    pthread_mutex_t lock;     /* guards everything below */
    pthread_cond_t wake, done;
    pthread_t *threads;
    unsigned nthreads;
    int stopping;
    uint64_t generation;
    dg_pool_fn fn;
    void *arg;
    uint32_t count, next, finished, failed;
};

/* Takes the next iteration of the current job, or returns 0 when none is left. */
static int take(dg_pool *p, uint32_t *index)
{
    if (p->fn == NULL || p->next >= p->count)
        return 0;
    *index = p->next++;
    return 1;
}

static void work(dg_pool *p)
{
    uint32_t i;
    while (take(p, &i)) {
        dg_pool_fn fn = p->fn;
        void *arg = p->arg;
        int rc;
        pthread_mutex_unlock(&p->lock);
        rc = fn(arg, i);
        pthread_mutex_lock(&p->lock);
        if (rc != 0)
            p->failed++;
        if (++p->finished == p->count)
            pthread_cond_broadcast(&p->done);
    }
}

static void *worker_main(void *arg)
{
    dg_pool *p = arg;
    uint64_t seen = 0;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stopping)
            break;
        seen = p->generation;
        work(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 256 ? (unsigned)n : 1;
}

dg_pool *dg_pool_create(unsigned threads)
{
    dg_pool *p = calloc(1, sizeof *p);
    unsigned want;

    if (p == NULL)
        return NULL;
    want = (threads ? threads : online_cores()) - 1;
    pthread_mutex_init(&p->run_lock, NULL);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (want > 0) {
        p->threads = calloc(want, sizeof *p->threads);
        if (p->threads == NULL) {
            dg_pool_destroy(p);
            return NULL;
        }
    }
    for (unsigned i = 0; i < want; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break; /* fewer workers is slower, not wrong */
        p->nthreads++;
    }
    return p;
}

void dg_pool_destroy(dg_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->run_lock);
    free(p);
}

uint32_t dg_pool_run(dg_pool *p, uint32_t count, dg_pool_fn fn, void *arg)
{
    uint32_t failed;

    if (count == 0)
        return 0;
    pthread_mutex_lock(&p->run_lock);
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->arg = arg;
    p->count = count;
    p->next = p->finished = p->failed = 0;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    work(p);
    while (p->finished < p->count)
        pthread_cond_wait(&p->done, &p->lock);
    failed = p->failed;
    p->fn = NULL;
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_unlock(&p->run_lock);
    return failed;
}
