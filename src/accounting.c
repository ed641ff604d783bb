/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process accounting records; see accounting.h.
 */
#include "accounting.h"
#include "values.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define SEEN_KEEP	600.0	/* seconds a counted record is remembered
				   when pmda-proc does not say how long it
				   keeps records (acct.control.lifetime) */
#define SEEN_MARGIN	60.0	/* ... and beyond that lifetime when it does */
#define PEEK_NEW	1500	/* new records one read may find */
#define PEEK_MIN_GAP	0.25	/* seconds between two reads, at least */
#define PEEK_EVERY	2.0	/* seconds between two reads, at most: a
				   storm that starts just after one fills
				   5,000 by the next beyond 2,500 exits a
				   second */
#define LIFE_DEFAULT	60.0	/* pmda-proc's acct.control.lifetime, when
				   it does not say */
#define RING_NEAR_FULL	4900	/* pmda-proc keeps 5,000 (RINGBUF_SIZE) */
#define LEFT_AFTER_ON	30.0	/* a process that left this long after
				   accounting came on left a record */

struct pp_seen {
    uint64_t	key;		/* pid << 32 | begin time */
    double	when;
    pp_seen	*next;		/* hash chain */
    pp_seen	*later;		/* the one counted after it */
};

static const char *names[PP_A_COUNT] = {
    [PP_A_BTIME] = "acct.psinfo.btime",
    [PP_A_UTIME] = "acct.psinfo.utime",
    [PP_A_STIME] = "acct.psinfo.stime",
    [PP_A_ETIME] = "acct.psinfo.etime",
    [PP_A_PPID] = "acct.psinfo.ppid",
    [PP_A_USER] = "acct.id.uid_nm",
    [PP_A_ENABLED] = "acct.control.enable_acct",
    [PP_A_LIFETIME] = "acct.control.lifetime",	/* not needed */
};

void
pp_acct_init(pp_accounting *a, int want)
{
    memset(a, 0, sizeof(*a));
    a->want = want;
    a->store_ctx = -1;
    a->indom = PM_INDOM_NULL;
    a->keep = SEEN_KEEP;
    snprintf(a->status, sizeof(a->status), "not looked up yet");
}

static void
seen_clear(pp_accounting *a)
{
    size_t i;
    pp_seen *s, *n;

    for (i = 0; i < a->hseen; i++)
	for (s = a->seen[i]; s; s = n) {
	    n = s->next;
	    free(s);
	}
    free(a->seen);
    a->seen = NULL;
    a->hseen = a->nseen = 0;
    a->oldest = a->newest = NULL;
}

void
pp_acct_free(pp_accounting *a)
{
    seen_clear(a);
    free(a->recent);
    a->recent = NULL;
    a->nrecent = a->recentmax = a->recent_cut = 0;
    free(a->exits);
    a->exits = NULL;
    free(a->suspect);
    a->suspect = NULL;
    a->nsuspect = a->maxsuspect = 0;
    free(a->cand_inst);
    free(a->cand_btime);
    a->cand_inst = NULL;
    a->cand_btime = NULL;
    a->ncand = a->maxcand = 0;
    if (a->store_ctx >= 0)
	pmDestroyContext(a->store_ctx);
    a->store_ctx = -1;
}

/* *v (n items of size bytes used, *max allocated) made smaller when far
   too big */
static void
shrink(void **v, size_t n, size_t *max, size_t size)
{
    size_t want = n < 512 ? 1024 : 2 * n;
    void *nv;

    if (*max <= 2 * want || (nv = realloc(*v, want * size)) == NULL)
	return;
    *v = nv;
    *max = want;
}

void
pp_acct_trim(pp_accounting *a)
{
    size_t m1 = a->maxcand, m2 = a->maxcand;

    shrink((void **)&a->exits, a->nexits, &a->maxexits, sizeof(*a->exits));
    shrink((void **)&a->suspect, a->nsuspect, &a->maxsuspect,
	   sizeof(*a->suspect));
    /* two lists of one size: the smaller of what each holds now */
    shrink((void **)&a->cand_inst, a->ncand, &m1, sizeof(*a->cand_inst));
    shrink((void **)&a->cand_btime, a->ncand, &m2, sizeof(*a->cand_btime));
    a->maxcand = m1 < m2 ? m1 : m2;
}

void
pp_acct_lookup(pp_accounting *a)
{
    pmDesc desc;
    int i;

    a->available = 0;
    if (!a->want) {
	snprintf(a->status, sizeof(a->status), "not used (accounting off in "
		 "procpower.conf): short-lived processes count as unattributed");
	return;
    }
    if (pmLookupName(PP_A_COUNT, names, a->pmid) < 0) {
	snprintf(a->status, sizeof(a->status), "unavailable: this pmda-proc has "
		 "no acct metrics; short-lived processes count as unattributed");
	return;
    }
    for (i = 0; i < PP_A_COUNT; i++) {
	if (i == PP_A_LIFETIME && (a->pmid[i] == PM_ID_NULL ||
				   pmLookupDesc(a->pmid[i], &desc) < 0)) {
	    a->pmid[i] = PM_ID_NULL;	/* remembered SEEN_KEEP seconds */
	    continue;
	}
	if (a->pmid[i] == PM_ID_NULL || pmLookupDesc(a->pmid[i], &desc) < 0) {
	    snprintf(a->status, sizeof(a->status), "unavailable: %s not found; "
		     "short-lived processes count as unattributed", names[i]);
	    return;
	}
	a->type[i] = desc.type;
	if (i == PP_A_BTIME)
	    a->indom = desc.indom;
    }
    a->available = 1;
}

int
pp_acct_pmids(const pp_accounting *a, pmID *list, int max)
{
    if (!a->available || max < 3)
	return 0;
    list[0] = a->pmid[PP_A_BTIME];	/* of every record: which are new */
    list[1] = a->pmid[PP_A_ENABLED];
    list[2] = a->pmid[PP_A_LIFETIME];	/* PM_ID_NULL comes back empty */
    return 3;
}

/* a record not counted yet, to fetch the details of */
static int
add_candidate(pp_accounting *a, int inst, double btime)
{
    if (a->ncand == a->maxcand) {
	size_t n = a->maxcand ? a->maxcand * 2 : 64;
	int *v = realloc(a->cand_inst, n * sizeof(*v));
	double *b = v ? realloc(a->cand_btime, n * sizeof(*b)) : NULL;
	if (v != NULL)
	    a->cand_inst = v;
	if (b == NULL)
	    return -1;	/* looked at next cycle */
	a->cand_btime = b;
	a->maxcand = n;
    }
    a->cand_inst[a->ncand] = inst;
    a->cand_btime[a->ncand++] = btime;
    return 0;
}

/* ---- the set of records already counted ---- */

static pp_seen **
seen_slot(pp_accounting *a, uint64_t key)
{
    return &a->seen[(key * 0x9E3779B97F4A7C15ull) >> 40 & (a->hseen - 1)];
}

static int
seen_has(pp_accounting *a, uint64_t key)
{
    pp_seen *s;

    if (a->hseen == 0)
	return 0;
    for (s = *seen_slot(a, key); s; s = s->next)
	if (s->key == key)
	    return 1;
    return 0;
}

/* the hash with nsize buckets (a power of two); -1 out of memory */
static int
seen_rehash(pp_accounting *a, size_t nsize)
{
    pp_seen **nh = calloc(nsize, sizeof(*nh)), *s;

    if (nh == NULL)
	return -1;
    free(a->seen);
    a->seen = nh;
    a->hseen = nsize;
    for (s = a->oldest; s; s = s->later) {
	pp_seen **slot = seen_slot(a, s->key);
	s->next = *slot;
	*slot = s;
    }
    return 0;
}

static void
seen_add(pp_accounting *a, uint64_t key, double now)
{
    pp_seen *s;

    if (a->nseen + 1 > a->hseen &&
	seen_rehash(a, a->hseen ? a->hseen * 2 : 256) < 0)
	return;
    if ((s = malloc(sizeof(*s))) == NULL)
	return;
    s->key = key;
    s->when = now;
    if (a->nrecent == a->recentmax) {
	size_t n = a->recentmax ? a->recentmax * 2 : 64;
	uint64_t *v = realloc(a->recent, n * sizeof(*v));
	if (v != NULL) {
	    a->recent = v;
	    a->recentmax = n;
	}
    }
    if (a->nrecent < a->recentmax)
	a->recent[a->nrecent++] = key;
    s->next = *seen_slot(a, key);
    *seen_slot(a, key) = s;
    /* counted in time order: the oldest are the first to go */
    s->later = NULL;
    if (a->newest)
	a->newest->later = s;
    else
	a->oldest = s;
    a->newest = s;
    a->nseen++;
}

/* forget the records counted more than a->keep ago, when pmda-proc has
   dropped them: the oldest first, none other looked at; the hash shrinks
   after a burst */
static void
seen_expire(pp_accounting *a, double now)
{
    pp_seen *s, **ps;

    while ((s = a->oldest) != NULL && now - s->when > a->keep) {
	for (ps = seen_slot(a, s->key); *ps != s; ps = &(*ps)->next)
	    ;
	*ps = s->next;
	a->oldest = s->later;
	if (a->oldest == NULL)
	    a->newest = NULL;
	free(s);
	a->nseen--;
    }
    if (a->hseen > 256 && a->nseen * 4 < a->hseen)
	seen_rehash(a, a->hseen / 2);
}

/* ---- records ---- */

size_t
pp_acct_recent(const pp_accounting *a, const uint64_t **keys)
{
    *keys = a->recent;
    return a->nrecent;
}

/* the record of key was counted before the gap (gap->counted ascending) */
static int
counted_before(const pp_acct_gap *gap, uint64_t key)
{
    size_t lo = 0, hi = gap->ncounted;

    while (lo < hi) {
	size_t mid = lo + (hi - lo) / 2;
	if (gap->counted[mid] < key)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return lo < gap->ncounted && gap->counted[lo] == key;
}

static pp_exit *
new_exit(pp_accounting *a)
{
    if (a->nexits == a->maxexits) {
	size_t want = a->maxexits ? a->maxexits * 2 : 64;
	pp_exit *v = realloc(a->exits, want * sizeof(*v));
	if (v == NULL)
	    return NULL;
	a->exits = v;
	a->maxexits = want;
    }
    return &a->exits[a->nexits++];
}

static const char *
instance_name(int inst, const int *insts, char **inames, int n)
{
    int i;

    for (i = 0; i < n; i++)
	if (insts[i] == inst)
	    return inames[i];
    return NULL;
}

static void
add_suspect(pp_accounting *a, int pid)
{
    if (a->nsuspect == a->maxsuspect) {
	size_t n = a->maxsuspect ? a->maxsuspect * 2 : 64;
	int *v = realloc(a->suspect, n * sizeof(*v));
	if (v == NULL)
	    return;	/* not looked at again: counted when it has gone */
	a->suspect = v;
	a->maxsuspect = n;
    }
    a->suspect[a->nsuspect++] = pid;
}

/* the records in rp (acct metrics from first on): see pp_acct_records */
static void
collect(pp_accounting *a, const pmResult *rp, int first, pp_table *procs,
	double boottime, int priming, double now, pp_aggset sets[PP_NAGG],
	const pp_acct_gap *gap, int peek)
{
    static const int detail[] = {
	PP_A_UTIME, PP_A_STIME, PP_A_ETIME, PP_A_PPID, PP_A_USER
    };
    enum { D_UTIME, D_STIME, D_ETIME, D_PPID, D_USER, D_COUNT };
    const pmValueSet *bt, *en, *lt, *ut = NULL, *st = NULL, *et = NULL,
		     *pp = NULL, *us = NULL;
    pmResult *dr = NULL;
    pmID dids[D_COUNT];
    int j, n = 0, *insts = NULL;
    size_t c;
    char **inames = NULL;

    if (a->taken) {
	/* the first read since a cycle took the exits: a new interval */
	a->taken = 0;
	a->nexits = 0;
	a->nsuspect = 0;
	/* the last interval's keys stay, the one's before go */
	if (a->recent_cut > 0)
	    memmove(a->recent, a->recent + a->recent_cut,
		    (a->nrecent - a->recent_cut) * sizeof(*a->recent));
	a->nrecent -= a->recent_cut;
	a->recent_cut = a->nrecent;
    }
    if (!peek)
	a->taken = 1;
    a->ncand = 0;
    if (!a->available)
	return;
    bt = pp_vset(rp, first);
    en = pp_vset(rp, first + 1);
    a->enabled = en && pp_value_of(en, 0, a->type[PP_A_ENABLED]) > 0;
    if (!a->enabled)
	a->on_since = 0;
    else if (a->on_since == 0)
	a->on_since = now;
    if ((lt = pp_vset(rp, first + 2)) != NULL) {
	double life = pp_value_of(lt, 0, a->type[PP_A_LIFETIME]);
	a->life = isfinite(life) && life > 0 ? life : 0;
	a->keep = a->life > 0 ? a->life + SEEN_MARGIN : SEEN_KEEP;
    }

    /* records stay for acct.control.lifetime: most were seen before */
    for (j = 0; bt != NULL && j < bt->numval; j++) {
	int pid = bt->vlist[j].inst;
	double btime = pp_value_of(bt, j, a->type[PP_A_BTIME]);
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)btime;

	if (!isfinite(btime) || seen_has(a, key))
	    continue;
	if (pid == a->canary && fabs(btime - a->canary_time) <= 2)
	    a->canary_back = 1;
	if (add_candidate(a, pid, btime) < 0)
	    break;
    }
    /* the rate records come at, for the next read (pp_acct_read_gap) */
    if (a->read_time > 0 && now > a->read_time)
	a->read_rate = a->ncand / (now - a->read_time);
    /* all new, and as many as pmda-proc keeps: some may have been dropped
       already; read again as soon as may be */
    a->read_full = bt != NULL && a->ncand >= (size_t)bt->numval &&
		   a->ncand >= RING_NEAR_FULL;
    a->read_time = now;
    if (a->ncand == 0) {
	seen_expire(a, now);
	return;
    }
    /* the details of the new ones only: pmda-proc sends no more */
    for (j = 0; j < D_COUNT; j++)
	dids[j] = a->pmid[detail[j]];
    if (a->indom != PM_INDOM_NULL && pmDelProfile(a->indom, 0, NULL) >= 0 &&
	pmAddProfile(a->indom, (int)a->ncand, a->cand_inst) >= 0 &&
	pmFetch(D_COUNT, dids, &dr) >= 0) {
	ut = pp_vset(dr, D_UTIME);
	st = pp_vset(dr, D_STIME);
	et = pp_vset(dr, D_ETIME);
	pp = pp_vset(dr, D_PPID);
	us = pp_vset(dr, D_USER);
    }
    if (a->indom != PM_INDOM_NULL)
	pmAddProfile(a->indom, 0, NULL);	/* every record again */

    for (c = 0; c < a->ncand; c++) {
	int pid = a->cand_inst[c];
	double btime = a->cand_btime[c];
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)btime;
	double u, sy, el, cpu, most, ppid;
	pp_proc *p;
	pp_exit *e;
	const pp_saved_proc *sv;
	int match, k;

	j = (int)c;		/* where its details are, most likely */
	/* seconds, truncated to ticks: corrected, see pp_acct_cpu_ms */
	u = 1000 * pp_value_at(ut, j, pid, a->type[PP_A_UTIME]);
	sy = 1000 * pp_value_at(st, j, pid, a->type[PP_A_STIME]);
	el = 1000 * pp_value_at(et, j, pid, a->type[PP_A_ETIME]);
	if (!isfinite(u) || !isfinite(sy) || !isfinite(el))
	    continue;		/* gone from pmda-proc meanwhile: next cycle */
	cpu = pp_acct_cpu_ms(u, sy, el, PP_ACCT_TICK_MS);
	most = pp_acct_cpu_max_ms(u, sy, el, PP_ACCT_TICK_MS);
	p = pp_table_lookup(procs, pid);
	match = p != NULL && (!isfinite(boottime) || p->start == 0 ||
			      fabs(boottime + p->start / 1000 - btime) <= 2);
	if (match && p->cycle == procs->cycle && p->gone_since == 0) {
	    /* in this cycle's process list: count it next cycle, when it
	       has gone; unless the listed one is another (see sampler.c).
	       Between cycles the list is the last cycle's: it has gone,
	       and the next cycle describes whatever that cycle lists with
	       its pid again (another process may have it by then) */
	    add_suspect(a, pid);
	    if (!peek)
		continue;
	}
	seen_add(a, key, now);
	if (match && p->settled)
	    continue;
	/*
	 * After a restart, a process live before it that ended in the gap
	 * (or whose record came only now): only its CPU time since the
	 * last cycle before the restart, which counted the rest.
	 */
	sv = gap && !match && isfinite(boottime) ?
	     pp_saved_find(gap->saved, gap->nsaved, pid) : NULL;
	if (sv != NULL && fabs(boottime + sv->start / 1000 - btime) <= 2) {
	    cpu = cpu > sv->cpu ? cpu - sv->cpu : 0;
	    most = most > sv->cpu ? most - sv->cpu : 0;
	} else
	    sv = NULL;
	if (priming) {
	    /*
	     * The first cycle after a restart counts for its gap the
	     * processes that ended in it: those live at its start (above),
	     * and those that started in it (not live then), for all their
	     * CPU time.  A record's begin time is whole seconds, so one
	     * that began in the second the gap began in may be of either
	     * kind, or of a process that ended before the gap: the state
	     * kept the records of that second counted before it.
	     */
	    if (gap == NULL || !isfinite(boottime) ||
		(sv == NULL && (!(btime + 1 > gap->since) ||	/* whole s */
				counted_before(gap, key))))
		continue;
	    match = 0;		/* named by its record */
	}
	if ((e = new_exit(a)) == NULL)
	    break;
	a->counted++;
	e->headroom = most > cpu ? most - cpu : 0;
	e->pid = pid;
	/* its parent's reaped CPU time bounds it (kin.h), but not in a
	   restart's gap, which the fit does not cover */
	ppid = pp_value_at(pp, j, pid, a->type[PP_A_PPID]);
	e->ppid = sv == NULL && !priming && isfinite(ppid) ? (int)ppid : -1;
	e->lo = u + sy < cpu ? u + sy : cpu;
	e->before = 0;
	if (match) {
	    /* sampled while alive: only the CPU time since its last sample */
	    e->cpu_ms = cpu > p->cpu ? cpu - p->cpu : 0;
	    if (most - p->cpu < e->cpu_ms + e->headroom)
		e->headroom = most > p->cpu + e->cpu_ms ?
			      most - p->cpu - e->cpu_ms : 0;
	    e->before = cpu > p->cpu ? p->cpu : cpu;
	    e->lo = e->lo > p->cpu ? e->lo - p->cpu : 0;
	    p->settled = 1;
	    for (k = 0; k < PP_NAGG; k++)
		e->agg[k] = p->agg[k];
	    continue;
	}
	/* never sampled: all of its CPU time, under its own name and user */
	e->cpu_ms = cpu;
	if (inames == NULL && a->indom != PM_INDOM_NULL &&
	    (n = pmGetInDom(a->indom, &insts, &inames)) < 0)
	    n = 0;
	{
	    const char *cmd = instance_name(pid, insts, inames, n);
	    const char *user = pp_string_at(us, j, pid);
	    pp_proc *parent = isfinite(ppid) ? pp_table_lookup(procs, (int)ppid) : NULL;

	    e->agg[PP_AGG_COMMAND] = pp_agg_get(&sets[PP_AGG_COMMAND],
						cmd && *cmd ? cmd : "(unknown)");
	    e->agg[PP_AGG_USER] = pp_agg_get(&sets[PP_AGG_USER],
					     user && *user ? user : "(unknown)");
	    /* a child runs in its parent's cgroup unless moved */
	    e->agg[PP_AGG_CGROUP] = parent && parent->agg[PP_AGG_CGROUP] ?
		parent->agg[PP_AGG_CGROUP] :
		pp_agg_get(&sets[PP_AGG_CGROUP], "(unknown)");
	}
    }
    if (n > 0) {
	free(insts);
	free(inames);
    }
    if (dr != NULL)
	pmFreeResult(dr);
    seen_expire(a, now);
}

void
pp_acct_records(pp_accounting *a, const pmResult *rp, int first,
		pp_table *procs, double boottime, int priming, double now,
		pp_aggset sets[PP_NAGG], const pp_acct_gap *gap)
{
    collect(a, rp, first, procs, boottime, priming, now, sets, gap, 0);
}

void
pp_acct_peek(pp_accounting *a, const pmResult *rp, int first,
	     pp_table *procs, double boottime, double now,
	     pp_aggset sets[PP_NAGG])
{
    collect(a, rp, first, procs, boottime, 0, now, sets, NULL, 1);
}

double
pp_acct_read_gap(const pp_accounting *a)
{
    double gap = PEEK_EVERY;

    if (!a->available || !a->enabled)
	return -1;
    /* each read to find at most PEEK_NEW new records, a third of what
       pmda-proc keeps: room for the rate to treble before the next */
    if (a->read_full)
	gap = PEEK_MIN_GAP;
    else if (a->read_rate > 0 && PEEK_NEW / a->read_rate < gap)
	gap = PEEK_NEW / a->read_rate;
    /* and within half the time pmda-proc keeps a record */
    if (a->life > 0 && a->life / 2 < gap)
	gap = a->life / 2;
    return gap < PEEK_MIN_GAP ? PEEK_MIN_GAP : gap;
}

int
pp_acct_read_due(const pp_accounting *a, double ended, double since)
{
    if (!(ended >= 0) || a->read_full || ended >= PEEK_NEW)
	return 1;
    /* a record is kept acct.control.lifetime: read within half of it */
    return !(since < (a->life > 0 ? a->life : LIFE_DEFAULT) / 2);
}

void
pp_acct_canary(pp_accounting *a)
{
    pid_t pid;

    if (!a->available || !a->enabled) {
	a->canary = 0;
	a->stalled = 0;
	return;
    }
    if (a->canary > 0) {
	a->stalled = !a->canary_back;
	if (a->stalled)
	    a->missed++;
    }
    a->canary = 0;
    a->canary_back = 0;
    /* a child that only ends: vfork copies no page table (the agent may
       hold megabytes), and _exit is all a threaded process's child may do */
    if ((pid = vfork()) == 0)
	_exit(0);
    if (pid < 0)
	return;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
	;
    a->canary = (int)pid;
    a->canary_time = (double)time(NULL);
}

void
pp_acct_left(pp_accounting *a, const pp_proc *p)
{
    /* sampled alive while accounting was on, and it stayed on since */
    if (!p->settled && a->enabled && a->on_since > 0 &&
	p->gone_since - a->on_since > LEFT_AFTER_ON)
	a->missed++;
}

double
pp_acct_exited_ms(const pp_accounting *a)
{
    size_t i;
    double sum = 0;

    for (i = 0; i < a->nexits; i++)
	sum += a->exits[i].cpu_ms;
    return sum;
}

void
pp_acct_fill(pp_accounting *a, double residue_ms)
{
    size_t i;
    double *cpu, *room;

    if (a->nexits == 0 || !(residue_ms > 0))
	return;
    cpu = malloc(a->nexits * sizeof(double));
    room = malloc(a->nexits * sizeof(double));
    if (cpu != NULL && room != NULL) {
	for (i = 0; i < a->nexits; i++) {
	    cpu[i] = a->exits[i].cpu_ms;
	    room[i] = a->exits[i].headroom;
	}
	pp_fill_residue(cpu, room, a->nexits, residue_ms);
	for (i = 0; i < a->nexits; i++)
	    a->exits[i].cpu_ms = cpu[i];
    }
    free(cpu);
    free(room);
}

void
pp_acct_keep_on(pp_accounting *a, int ctx)
{
    pmResult *rp;
    pmValueSet *vs;
    int sts;

    if (!a->available)
	return;
    if (a->enabled && a->stalled) {
	snprintf(a->status, sizeof(a->status), "on, but records stopped: "
		 "none came for a process the agent ended a cycle ago (%llu "
		 "missed); short-lived processes count as unattributed",
		 a->missed);
	return;
    }
    if (a->enabled) {
	snprintf(a->status, sizeof(a->status), "on: %llu exited processes "
		 "counted", a->counted);
	return;
    }
    if (a->store_ctx < 0) {
	snprintf(a->status, sizeof(a->status), "off, and this agent may not "
		 "turn it on (needs root: pmstore acct.control.enable_acct 1): "
		 "short-lived processes count as unattributed");
	return;
    }
    /* a store of the value 1 through the context opened as root */
    rp = calloc(1, sizeof(*rp));
    vs = calloc(1, sizeof(*vs));
    if (rp == NULL || vs == NULL) {
	free(rp);
	free(vs);
	return;
    }
    rp->numpmid = 1;
    rp->vset[0] = vs;
    vs->pmid = a->pmid[PP_A_ENABLED];
    vs->numval = 1;
    vs->valfmt = PM_VAL_INSITU;
    vs->vlist[0].inst = PM_IN_NULL;
    vs->vlist[0].value.lval = 1;
    if ((sts = pmUseContext(a->store_ctx)) >= 0)
	sts = pmStore(rp);
    free(vs);
    free(rp);
    pmUseContext(ctx);
    if (sts < 0)
	snprintf(a->status, sizeof(a->status), "off, and turning it on failed: "
		 "%s", pmErrStr(sts));
    else
	snprintf(a->status, sizeof(a->status), "turned on by the agent");
}
