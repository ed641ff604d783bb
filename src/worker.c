/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker thread; see worker.h.
 */
#include "worker.h"
#include "sampler.h"

#include <pcp/pmapi.h>
#include <pcp/pmda.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECONNECT_WAIT	2.0	/* seconds between attempts to reach pmcd */
#define ROOT_AT_MOST	30.0	/* seconds root is kept waiting for pmcd */
#define READ_BEFORE_CYCLE 0.25	/* no read of exit records closer to the cycle,
				   which reads them itself (s) */
#define MERGE_WAKES	0.25	/* a gauge reading and a read of exit records
				   this close (s) share one wake-up */

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* tell the worker the control values changed (main thread) */
static void
poke(pp_worker *w)
{
    char c = 1;

    /* a full pipe already holds a wake-up: nothing lost */
    if (write(w->wake[1], &c, 1) < 0 && errno != EAGAIN)
	pmNotifyErr(LOG_WARNING, "cannot wake the sampler: %s", strerror(errno));
}

/*
 * Sleep until the monotonic time `until`, or until the control values
 * change or stop is asked.  Returns 1 if woken early by a change.
 * A poll of the wake pipe, not a condition variable: a timed-out
 * pthread_cond_timedwait marks the mutex contended and so costs a futex
 * wake-up each cycle, and this sleep is the agent's most frequent one.
 */
static int
wait_until(pp_worker *w, double until, unsigned *seen)
{
    struct pollfd pfd = { .fd = w->wake[0], .events = POLLIN };
    struct timespec ts;
    char drain[64];
    int changed = 0, done = 0;
    double left, whole;

    while (!done && (left = until - now()) > 0) {
	ts.tv_nsec = (long)(modf(left, &whole) * 1e9);
	ts.tv_sec = (time_t)whole;
	if (ppoll(&pfd, 1, &ts, NULL) <= 0)
	    continue;	/* timed out (the loop ends) or a signal */
	while (read(w->wake[0], drain, sizeof(drain)) == (ssize_t)sizeof(drain))
	    ;
	pthread_mutex_lock(&w->lock);
	done = w->stop;
	if (w->interval != (int)(*seen)) {
	    *seen = (unsigned)w->interval;
	    changed = done = 1;
	}
	pthread_mutex_unlock(&w->lock);
    }
    return changed;
}

/*
 * Log what changed since the last snapshot: the message, the primary, and
 * a source's state when the first word of its status changes.  Here, not
 * in the main thread, which takes snapshots only when asked.
 */
static void
log_message(pp_worker *w, const char *message)
{
    if (message[0] && strcmp(w->logged_message, message) != 0)
	pmNotifyErr(LOG_WARNING, "%s", message);
}

static void
log_changes(pp_worker *w, const pp_snapshot *snap)
{
    int i, j;

    log_message(w, snap->message);
    if (w->logged && strcmp(w->logged_primary, snap->primary) != 0)
	pmNotifyErr(LOG_INFO, "primary source is now %s",
		    snap->primary[0] ? snap->primary : "(none)");
    for (i = 0; i < snap->nsources; i++) {
	const pp_snap_source *s = &snap->sources[i];
	const char *o = NULL;
	size_t n = strcspn(s->status, " :,");
	for (j = 0; w->logged && j < w->nlogged; j++)
	    if (w->logged_id[j] == s->id)
		o = w->logged_status[j];
	if (o == NULL || strcspn(o, " :,") != n || strncmp(o, s->status, n) != 0)
	    pmNotifyErr(LOG_INFO, "source %s: %s", s->name, s->status);
    }
    snprintf(w->logged_message, sizeof(w->logged_message), "%s", snap->message);
    snprintf(w->logged_primary, sizeof(w->logged_primary), "%s", snap->primary);
    for (i = 0; i < snap->nsources; i++) {
	w->logged_id[i] = snap->sources[i].id;
	snprintf(w->logged_status[i], sizeof(w->logged_status[i]), "%s",
		 snap->sources[i].status);
    }
    w->nlogged = snap->nsources;
    w->logged = 1;
}

static void
publish(pp_worker *w, pp_sampler *s, pp_snapshot *snap)
{
    pp_snapshot *old;

    if (snap == NULL) {
	/* a cycle held for pmda-proc: the last snapshot stands, the
	   message why goes to the log */
	log_message(w, s->message);
	snprintf(w->logged_message, sizeof(w->logged_message), "%s",
		 s->message);
	return;
    }
    log_changes(w, snap);
    pthread_mutex_lock(&w->lock);
    old = w->latest;
    w->latest = snap;
    pthread_mutex_unlock(&w->lock);
    /* never taken, superseded: the next cycle fills it again */
    if (old != NULL && s->spare == NULL)
	s->spare = old;
    else
	pp_snapshot_free(old);
}

static void
save_state(pp_sampler *s)
{
    static int last;	/* log a failure once, not every cycle */
    int sts = pp_sampler_save_state(s);

    if (sts < 0 && sts != last)
	pmNotifyErr(LOG_WARNING, "cannot write %s: %s; counters will start "
		    "from zero after a restart", s->cfg.state, pmErrStr(sts));
    last = sts;
}

static int
stopping(pp_worker *w)
{
    int stop;

    pthread_mutex_lock(&w->lock);
    stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

/*
 * Make sure the sampler has its context.  The first time, while the
 * process still runs as root, it also keeps a context that may turn
 * process accounting on, and then drops to the agent's user: as soon as
 * it has that context, and after ROOT_AT_MOST seconds whatever pmcd does
 * (accounting is then left as pmcd has it).
 */
static int
connect_sampler(pp_worker *w, pp_sampler *s, double started)
{
    if (s->ctx >= 0)
	return 0;
    if (w->username != NULL) {
	if (s->cfg.accounting && pp_sampler_open_store(s) < 0) {
	    if (now() - started < ROOT_AT_MOST) {
		s->message_passes = 1;
		snprintf(s->message, sizeof(s->message),
			 "waiting for pmcd at %.200s", s->cfg.host);
		return -1;
	    }
	    pmNotifyErr(LOG_WARNING, "pmcd did not answer in %.0f s: running "
			"as %s without the means to turn process accounting "
			"back on", ROOT_AT_MOST, w->username);
	}
	pmSetProcessIdentity(w->username);
	w->username = NULL;
    }
    if (pp_sampler_open(s, PM_CONTEXT_HOST, s->cfg.host) < 0) {
	s->errors++;
	return -1;
    }
    return 0;
}

/*
 * Read the counters saved before the restart, once, as the agent's own
 * user (never as root: the directory is the pcp user's), and say what was
 * wrong with either file.
 */
static void
load_state(pp_sampler *s)
{
    const pp_state_file *f = &s->statefile;
    int restored = pp_sampler_load_state(s), k;
    char name[PP_METRICLEN + 8];

    for (k = 0; s->cfg.state[0] && k < 2; k++) {
	if (f->problem[k] == PP_STATE_OK || f->problem[k] == PP_STATE_MISSING)
	    continue;
	snprintf(name, sizeof(name), k ? "%s.1" : "%s", s->cfg.state);
	pmNotifyErr(LOG_WARNING, "state file %s: %s%s", name,
		    pp_state_problem_text(f->problem[k]),
		    f->loaded >= 0 ? "; the other one is used" : "");
    }
    if (restored < 0)
	snprintf(s->message, sizeof(s->message), "no whole state file at "
		 "%.200s: counters start from zero", s->cfg.state);
    else if (restored > 0)
	pmNotifyErr(LOG_INFO, "restored %d counters from %s%s", restored,
		    f->loaded ? "its copy " : "", s->cfg.state);
    if (f->refused > 0)
	pmNotifyErr(LOG_WARNING, "state file: %d line%s refused (not a finite "
		    "count in range)", f->refused, f->refused == 1 ? "" : "s");
}

/*
 * Wait for the next cycle: `interval` seconds after the last one started.
 * A store of the interval moves that time (from the same start) but never
 * starts a cycle by itself: however many stores come, cycles are at
 * least PP_INTERVAL_MIN seconds apart.
 */
static void
wait_next(pp_worker *w, double start, unsigned *seen)
{
    while (!stopping(w) && wait_until(w, start + *seen, seen))
	;
}

static void *
run(void *arg)
{
    pp_worker *w = arg;
    pp_sampler *s = calloc(1, sizeof(*s));
    unsigned interval_seen;
    char source[PP_NAMELEN];
    int loaded = 0;
    double started = now(), start = -PP_INTERVAL_MIN;

    if (s == NULL)
	return NULL;
    pp_sampler_init(s, &w->cfg);
    s->adopted = &w->adopted;
    pthread_mutex_lock(&w->lock);
    interval_seen = (unsigned)w->interval;
    pthread_mutex_unlock(&w->lock);

    while (!stopping(w)) {
	pp_snapshot *snap = NULL;
	int k, sub;
	double last_read;
	double span;

	if (connect_sampler(w, s, started) < 0) {
	    publish(w, s, pp_sampler_status(s));
	    wait_until(w, now() + RECONNECT_WAIT, &interval_seen);
	    continue;
	}
	if (!loaded) {		/* root has been dropped by now */
	    load_state(s);
	    loaded = 1;
	}
	pthread_mutex_lock(&w->lock);
	snprintf(source, sizeof(source), "%s", w->source);
	pthread_mutex_unlock(&w->lock);

	/* the floor, whatever happened since (a failed cycle, a reconnection) */
	while (!stopping(w) && now() < start + PP_INTERVAL_MIN)
	    wait_until(w, start + PP_INTERVAL_MIN, &interval_seen);
	if (stopping(w))
	    break;
	start = now();
	pp_sampler_set_interval(s, (int)interval_seen);
	if (pp_sampler_cycle(s, source, &snap) < 0) {
	    /* pmcd went away or the context broke: reconnect from scratch */
	    pp_sampler_close(s);
	    publish(w, s, pp_sampler_status(s));
	    continue;
	}
	save_state(s);		/* before publishing: counters never go back */
	publish(w, s, snap);

	/* gauge sub-samples spread over the interval, and reads of exit
	   records as often as they come, then the next cycle */
	span = interval_seen;
	/* with neither to read between cycles, sleep through to the next */
	sub = pp_sampler_gauges(s) > 0 ? pp_config_subsamples(&s->cfg, span) : 1;
	last_read = start;
	for (k = 1;;) {
	    double gap = pp_sampler_read_gap(s), tg, tr, t, merge;
	    int gauge, records;

	    tg = k < sub ? start + span * k / sub : INFINITY;
	    tr = gap > 0 ? last_read + gap : INFINITY;
	    if (tr > start + span - READ_BEFORE_CYCLE)
		tr = INFINITY;		/* the cycle reads them */
	    t = tg < tr ? tg : tr;
	    if (isinf(t))
		break;
	    if (wait_until(w, t, &interval_seen))
		break;		/* the interval changed: start again */
	    /* one wake-up for both when they fall close together: each
	       costs the thread tens of microseconds, a read a little early
	       nothing (the records' gap is the most it may be) */
	    merge = gap > 0 && gap / 4 < MERGE_WAKES ? gap / 4 : MERGE_WAKES;
	    gauge = tg <= t + merge;
	    records = tr <= t + merge;
	    if (pp_sampler_subsample(s, gauge && sub > 1, records) < 0)
		break;
	    if (gauge)
		k++;
	    if (records)
		last_read = now();
	}
	/* a pmstore of the interval counts from this cycle's start */
	wait_next(w, start, &interval_seen);
    }
    save_state(s);
    pp_sampler_free(s);
    free(s);
    return NULL;
}

int
pp_worker_start(pp_worker *w, const pp_config *cfg, const char *username)
{
    int i;

    memset(w, 0, sizeof(*w));
    w->cfg = *cfg;
    w->username = username;
    w->interval = cfg->interval;
    snprintf(w->source, sizeof(w->source), "%s", cfg->source);
    pthread_mutex_init(&w->lock, NULL);
    if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0)
	return -errno;
    if ((i = pthread_create(&w->thread, NULL, run, w)) != 0) {
	close(w->wake[0]);
	close(w->wake[1]);
	return -i;
    }
    w->started = 1;
    return 0;
}

void
pp_worker_stop(pp_worker *w)
{
    if (!w->started)
	return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_mutex_unlock(&w->lock);
    poke(w);
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    w->started = 0;
    pp_snapshot_free(w->latest);
    w->latest = NULL;
}

pp_snapshot *
pp_worker_take(pp_worker *w)
{
    pp_snapshot *snap;

    pthread_mutex_lock(&w->lock);
    snap = w->latest;
    w->latest = NULL;
    pthread_mutex_unlock(&w->lock);
    return snap;
}

void
pp_worker_adopted(pp_worker *w, const pp_snapshot *snap)
{
    __atomic_store_n(&w->adopted, snap->cycles, __ATOMIC_RELEASE);
}

void
pp_worker_set_interval(pp_worker *w, int seconds)
{
    pthread_mutex_lock(&w->lock);
    w->interval = seconds;
    pthread_mutex_unlock(&w->lock);
    poke(w);
}

void
pp_worker_set_source(pp_worker *w, const char *name)
{
    pthread_mutex_lock(&w->lock);
    snprintf(w->source, sizeof(w->source), "%s", name);
    pthread_mutex_unlock(&w->lock);
}

int
pp_worker_interval(pp_worker *w)
{
    int v;

    pthread_mutex_lock(&w->lock);
    v = w->interval;
    pthread_mutex_unlock(&w->lock);
    return v;
}

void
pp_worker_source(pp_worker *w, char *buf, size_t len)
{
    pthread_mutex_lock(&w->lock);
    snprintf(buf, len, "%s", w->source);
    pthread_mutex_unlock(&w->lock);
}
