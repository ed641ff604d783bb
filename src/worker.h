/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker thread: owns the sampler (and so every PMAPI call), keeps the
 * sampling schedule, and hands each completed snapshot to the PMDA's main
 * thread.  The lock guards only the hand-over and the control values; it
 * is never held across a pmFetch.
 */
#ifndef PP_WORKER_H
#define PP_WORKER_H

#include <pthread.h>
#include "config.h"
#include "snapshot.h"

typedef struct {
    pthread_mutex_t	lock;
    int			wake[2];	/* a byte written: control changed */
    pthread_t		thread;
    int			started;

    /* control, set by the main thread (pmstore) */
    int			interval;
    char		source[PP_NAMELEN];
    int			stop;

    /* hand-over: the newest snapshot not yet taken */
    pp_snapshot		*latest;

    /* the worker's: what was last logged of the sources' states */
    int			logged, nlogged;
    char		logged_message[256];
    char		logged_primary[PP_NAMELEN];
    int			logged_id[PP_MAXSOURCES];
    char		logged_status[PP_MAXSOURCES][PP_STATUSLEN + 32];

    /* the cycle count of the snapshot the main thread holds (atomic):
       the names of older ones may be freed */
    unsigned long long	adopted;

    pp_config		cfg;		/* the worker's starting configuration */
    const char		*username;	/* identity to drop to, NULL: done */
} pp_worker;

/*
 * Start the worker.  With a username, the process still has the
 * credentials it started with (root): the worker first opens the context
 * that may turn process accounting on, then drops to that user, before it
 * opens its sampling context.
 */
int pp_worker_start(pp_worker *w, const pp_config *cfg, const char *username);
void pp_worker_stop(pp_worker *w);

/*
 * main thread: take the newest snapshot (NULL if none since last time);
 * nothing wakes the main thread for it: it takes one when pmcd asks
 * something, and now and then (see agent.c)
 */
pp_snapshot *pp_worker_take(pp_worker *w);

/* the main thread now holds snap, and no older one: call after each take */
void pp_worker_adopted(pp_worker *w, const pp_snapshot *snap);

/* main thread: change the control values; the worker notices at once */
void pp_worker_set_interval(pp_worker *w, int seconds);
void pp_worker_set_source(pp_worker *w, const char *name);
int pp_worker_interval(pp_worker *w);
void pp_worker_source(pp_worker *w, char *buf, size_t len);

#endif /* PP_WORKER_H */
