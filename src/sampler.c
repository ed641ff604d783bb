/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sampler; see sampler.h.  Every PMAPI call of the agent is here, in
 * sources.c or in accounting.c, and all of them run on the worker thread.
 */
#include "sampler.h"
#include "compat.h"
#include "state.h"
#include "values.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PP_HEAP_KEEP	(256 << 10)	/* bytes of free top kept at a give-back */
#define PP_HEAP_FREE_BLOCK (128 << 10)	/* a free() this big looks at the top */
#define DISCOVER_EVERY	60.0	/* seconds (of the fetches' time) between
				   looks for power sources that came or went */
/* what pmFetch says when agents came, went, restarted or renamed metrics */
#define AGENTS_CHANGED	(PMCD_AGENT_CHANGE | PMCD_NAMES_CHANGE)
/* cycles in a row taken again when pmda-proc fails to answer; after that
   (pmda-proc gone for good) processes are simply not seen */
#define PROCS_HOLD	2
/* seconds the first cycle after a restart waits for pmda-proc's answer */
#define GAP_WAIT	70.0
/* where the kernel's task counts are read (tasks.h), on this machine */
#define PROC_ROOT	"/proc"

static double mono_seconds(void);

static const char *fixed_names[PP_M_FIXED] = {
    [PP_M_UTIME] = "proc.psinfo.utime",
    [PP_M_STIME] = "proc.psinfo.stime",
    [PP_M_CPU_USER] = "kernel.all.cpu.user",
    [PP_M_CPU_NICE] = "kernel.all.cpu.nice",
    [PP_M_CPU_SYS] = "kernel.all.cpu.sys",
    [PP_M_CPU_INTR] = "kernel.all.cpu.intr",
    [PP_M_CPU_IDLE] = "kernel.all.cpu.idle",
    [PP_M_CPU_WAIT] = "kernel.all.cpu.wait.total",
    [PP_M_NCPU] = "hinv.ncpu",
    [PP_M_BOOTTIME] = "kernel.all.boottime",
};

static const char *detail_names[PP_D_COUNT] = {
    [PP_D_PSARGS] = "proc.psinfo.psargs",
    [PP_D_CMD] = "proc.psinfo.cmd",
    [PP_D_USER] = "proc.id.uid_nm",
    [PP_D_CGROUPS] = "proc.psinfo.cgroups",
    [PP_D_START] = "proc.psinfo.start_time",
};

static int
grow_scratch(void **v, size_t *max, size_t need, size_t size)
{
    void *nv;

    if (need <= *max)
	return 0;
    if ((nv = realloc(*v, need * 2 * size)) == NULL)
	return -1;
    *v = nv;
    *max = need * 2;
    return 0;
}

/* the table drops a name: keep it until no snapshot can hold it */
static void
retire_name(char *name, void *arg)
{
    pp_sampler *s = arg;

    if (grow_scratch((void **)&s->grave, &s->gravemax, s->ngrave + 1,
		     sizeof(*s->grave)) < 0)
	return;		/* out of memory: kept for good rather than freed early */
    s->grave[s->ngrave].name = name;
    s->grave[s->ngrave++].cycle = s->cycles;
}

/* free the names no snapshot the reader may hold has */
static void
bury(pp_sampler *s, int all)
{
    unsigned long long held = s->adopted && !all ?
	__atomic_load_n(s->adopted, __ATOMIC_ACQUIRE) : ~0ULL;
    size_t i = 0;

    while (i < s->ngrave && s->grave[i].cycle < held)
	free(s->grave[i++].name);
    if (i > 0) {
	memmove(s->grave, s->grave + i, (s->ngrave - i) * sizeof(*s->grave));
	s->ngrave -= i;
    }
}

/*
 * Give the heap's free memory back to the system.  malloc_trim() releases
 * free pages inside the heap, but not the free top of this thread's own
 * heap (a glibc arena), which goes back only on a free() of a large block
 * while the top exceeds the trim threshold; that is kept high (agent.c) so
 * that each cycle's fetch does not fault its pages in again.  So, once a
 * minute, the threshold is lowered for one such free().
 */
static void
give_back_heap(void)
{
    void *p;

    mallopt(M_TRIM_THRESHOLD, PP_HEAP_KEEP);
    if ((p = malloc(PP_HEAP_FREE_BLOCK)) != NULL)
	free(p);
    mallopt(M_TRIM_THRESHOLD, PP_HEAP_TRIM);
    malloc_trim(0);
}

void
pp_sampler_init(pp_sampler *s, const pp_config *cfg)
{
    int k;

    memset(s, 0, sizeof(*s));
    s->ctx = -1;
    s->cfg = *cfg;
    pp_table_init(&s->procs);
    s->procs.retire = retire_name;
    s->procs.retire_arg = s;
    pp_sources_init(&s->sources);
    pp_acct_init(&s->acct, cfg->accounting);
    pp_kin_init(&s->kin);
    for (k = 0; k < PP_NAGG; k++) {
	/* names longer than any command, with a space no user or cgroup
	   name of a process has: never a process's own */
	static const char *other[PP_NAGG] = {
	    "(other commands)", "(other users)", "(other cgroups)"
	};
	pp_aggset_init(&s->aggs[k]);
	pp_aggset_limit(&s->aggs[k], (size_t)cfg->aggregate_limit, other[k]);
    }
    pp_state_file_init(&s->statefile);
    s->boot = -1;
    s->gap.busy = s->gap.boot = -1;
}

void
pp_sampler_free(pp_sampler *s)
{
    int k;

    pp_sampler_close(s);
    pp_acct_free(&s->acct);
    pp_kin_free(&s->kin);
    s->procs.retire = NULL;		/* no snapshot is read any more */
    pp_table_free(&s->procs);
    bury(s, 1);
    free(s->grave);
    s->grave = NULL;
    s->ngrave = s->gravemax = 0;
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_free(&s->aggs[k]);
    pp_state_file_close(&s->statefile);
    pp_state_gap_free(&s->gap);
    pp_snapshot_free(s->spare);
    s->spare = NULL;
    free(s->newpids);
    s->newpids = NULL;
    free(s->retry);
    s->retry = NULL;
    s->nretry = s->retrymax = 0;
}

void
pp_sampler_close(pp_sampler *s)
{
    if (s->ctx >= 0) {
	pmDestroyContext(s->ctx);
	s->ctx = -1;
    }
}

static int
is_local(const char *host)
{
    return strcmp(host, "local:") == 0 || strcmp(host, "localhost") == 0 ||
	   strncmp(host, "unix:", 5) == 0 || strcmp(host, "127.0.0.1") == 0;
}

int
pp_sampler_open_store(pp_sampler *s)
{
    int sts;

    if (s->acct.store_ctx >= 0)
	return 0;
    if ((sts = pmNewContext(PM_CONTEXT_HOST, s->cfg.host)) < 0)
	return sts;
    s->acct.store_ctx = sts;
    return 0;
}

/* look names up; those that do not resolve stay PM_ID_NULL */
static void
lookup_all(int n, const char **names, pmID *ids, int *types)
{
    pmDesc desc;
    int i;

    pmLookupName(n, names, ids);
    for (i = 0; i < n; i++) {
	types[i] = PM_TYPE_U64;
	if (ids[i] != PM_ID_NULL && pmLookupDesc(ids[i], &desc) == 0)
	    types[i] = desc.type;
    }
}

/* pmda-proc's names resolve (they do not while it is down: pmcd asks it) */
static int
procs_named(const pp_sampler *s)
{
    return s->fixed[PP_M_UTIME] != PM_ID_NULL &&
	   s->fixed[PP_M_STIME] != PM_ID_NULL && s->proc_indom != PM_INDOM_NULL;
}

/*
 * Look the fixed and the details' names up: at the connection, and again
 * while pmda-proc's do not resolve (it was down or restarting then: once
 * back, the per-process figures come back with it).
 */
static void
lookup_metrics(pp_sampler *s)
{
    pmDesc desc;

    lookup_all(PP_M_FIXED, fixed_names, s->fixed, s->fixed_type);
    lookup_all(PP_D_COUNT, detail_names, s->detail, s->detail_type);
    s->proc_indom = PM_INDOM_NULL;
    if (s->fixed[PP_M_UTIME] != PM_ID_NULL &&
	pmLookupDesc(s->fixed[PP_M_UTIME], &desc) == 0)
	s->proc_indom = desc.indom;
    pp_kin_lookup(&s->kin);
    if (!procs_named(s)) {
	s->message_passes = 0;
	snprintf(s->message, sizeof(s->message), "proc.psinfo.utime/stime not "
		 "available (is pmda-proc installed?): no per-process figures");
    } else if (!s->message_passes)
	s->message[0] = '\0';	/* the one message that stays is that */
}

/* pmda-proc's names again, while they do not resolve */
static void
lookup_if_unnamed(pp_sampler *s)
{
    if (!procs_named(s))
	lookup_metrics(s);
}

int
pp_sampler_open(pp_sampler *s, int type, const char *name)
{
    int sts;

    pp_sampler_close(s);
    if ((sts = pmNewContext(type, name)) < 0) {
	s->message_passes = 1;
	snprintf(s->message, sizeof(s->message), "cannot connect to pmcd at "
		 "%s: %s", name, pmErrStr(sts));
	return sts;
    }
    s->ctx = sts;
    s->live = type == PM_CONTEXT_HOST;
    s->local = s->live && is_local(name);

    s->message_passes = 0;
    lookup_metrics(s);		/* and the message it leaves */
    pp_acct_lookup(&s->acct);
    s->discovered = -1;	/* look at once */
    /* a new connection: the next cycle primes again */
    s->t_prev = s->t_src_prev = 0;
    s->cpu_primed = 0;
    s->procs.primed = 0;
    s->procs_held = 0;
    s->held_since = 0;
    return 0;
}

static double
single(const pmResult *rp, const pp_sampler *s, int m)
{
    const pmValueSet *vs = pp_vset(rp, m);
    return vs ? pp_value_of(vs, 0, s->fixed_type[m]) : NAN;
}

int
pp_sampler_gauges(const pp_sampler *s)
{
    pmID list[PP_MAXSOURCES];

    return pp_sources_pmids(&s->sources, 1, list, PP_MAXSOURCES);
}

/* the exit records were read: what the kernel counted, and the time,
   just before the fetch */
static void
records_read(pp_sampler *s, const pp_tasks *tasks, double m)
{
    s->tasks_ok = tasks != NULL;
    if (tasks)
	s->tasks_read = *tasks;
    s->m_acct_read = m;
}

int
pp_sampler_subsample(pp_sampler *s, int gauges, int records)
{
    pmID list[PP_MAXSOURCES + PP_A_COUNT];
    pmResult *rp;
    int n = 0, na = 0, sts, have = 0;
    pp_tasks tasks;
    double ended, m = 0;

    if (s->ctx < 0)
	return PM_ERR_NOCONTEXT;
    if (gauges)
	n = pp_sources_pmids(&s->sources, 1, list, PP_MAXSOURCES);
    /* the exit records too, when pmda-proc could drop some before the
       cycle (not in a restart's gap, whose first cycle reads them all) */
    if (records && s->live && s->procs.primed && s->gap.time <= 0 &&
	!s->agents_changed) {
	/* on this machine, only when enough processes can have ended */
	have = s->local && pp_tasks_read(PROC_ROOT, &tasks) == 0;
	ended = have && s->tasks_ok ?
		(double)pp_tasks_ended(&s->tasks_read, &tasks) : -1;
	m = mono_seconds();
	if (pp_acct_read_due(&s->acct, ended, m - s->m_acct_read))
	    na = pp_acct_pmids(&s->acct, list + n, PP_A_COUNT);
    }
    if (n + na == 0)
	return 0;
    if ((sts = pmUseContext(s->ctx)) < 0 ||
	(sts = pmFetch(n + na, list, &rp)) < 0) {
	s->errors++;
	return sts;
    }
    if (sts & AGENTS_CHANGED) {
	/* look again now, so that the next readings go where they belong */
	pp_sources_rediscover(&s->sources, &s->cfg, s->local);
	s->agents_changed = 1;	/* the accounting records too, next cycle */
	na = 0;
    }
    if (n > 0)
	pp_sources_gauges(&s->sources, rp, s->cfg.max_watts);
    if (na > 0) {
	pp_acct_peek(&s->acct, rp, n, &s->procs, s->boot > 0 ? s->boot : NAN,
		     PP_RESULT_SECONDS(rp), s->aggs);
	s->peeks++;
	records_read(s, have ? &tasks : NULL, m);
    }
    pmFreeResult(rp);
    return 0;
}

void
pp_sampler_set_interval(pp_sampler *s, int seconds)
{
    if (seconds >= PP_INTERVAL_MIN && seconds <= PP_INTERVAL_MAX)
	s->interval = seconds;
}

/* the interval now: the configured one until a pmstore changes it */
static double
interval_now(const pp_sampler *s)
{
    return s->interval > 0 ? s->interval : s->cfg.interval;
}

double
pp_sampler_read_gap(const pp_sampler *s)
{
    return s->live ? pp_acct_read_gap(&s->acct) : -1;
}

/* point a process at its aggregates, dropping any it had before */
static void
set_aggregates(pp_sampler *s, pp_proc *p, const char *names[PP_NAGG])
{
    int k;

    for (k = 0; k < PP_NAGG; k++) {
	pp_agg_release(p->agg[k]);
	p->agg[k] = pp_agg_get(&s->aggs[k], names[k]);
	pp_agg_hold(p->agg[k]);
    }
}

/* name a process as pmda-proc does ("%06d " + argv[0]) and find its
   command, user and cgroup in the details fetched (vs, at index i);
   0 when they had no command line for it */
static int
describe(pp_sampler *s, pp_proc *p, const pmValueSet *vs[PP_D_COUNT], int i)
{
    int pid = p->pid;
    const char *args = pp_string_at(vs[PP_D_PSARGS], i, pid);
    const char *cmd = pp_string_at(vs[PP_D_CMD], i, pid);
    const char *user = pp_string_at(vs[PP_D_USER], i, pid);
    const char *aggnames[PP_NAGG];
    char name[4096 + 16], cgroup[1024];

    if (args != NULL && args[0] != '\0') {
	size_t len = strcspn(args, " ");
	if (len > 4096 - 7)
	    len = 4096 - 7;
	snprintf(name, sizeof(name), "%06d %.*s", pid, (int)len, args);
    } else
	snprintf(name, sizeof(name), "%06d <exiting>", pid);
    pp_proc_set_name(&s->procs, p, name);
    pp_cgroup_path(pp_string_at(vs[PP_D_CGROUPS], i, pid), cgroup,
		   sizeof(cgroup));
    aggnames[PP_AGG_COMMAND] = cmd && *cmd ? cmd : "(unknown)";
    aggnames[PP_AGG_USER] = user && *user ? user : "(unknown)";
    aggnames[PP_AGG_CGROUP] = cgroup;
    set_aggregates(s, p, aggnames);
    return args != NULL && args[0] != '\0';
}

/* how often a listed process's details are fetched before it keeps the
   name "<exiting>" (its command line unreadable: gone, or going) */
#define DESCRIBE_TRIES	3

/* look at pid's details again next cycle (tries: how many came empty) */
static void
add_retry(pp_sampler *s, int pid, int tries)
{
    if (grow_scratch((void **)&s->retry, &s->retrymax, s->nretry + 1,
		     sizeof(*s->retry)) < 0)
	return;
    s->retry[s->nretry].pid = pid;
    s->retry[s->nretry++].tries = tries;
}

/* pid has a new exit record this cycle while a process with it is listed */
static int
suspect(const pp_sampler *s, int pid)
{
    size_t i;

    for (i = 0; i < s->acct.nsuspect; i++)
	if (s->acct.suspect[i] == pid)
	    return 1;
    return 0;
}

/*
 * Describe the processes first seen this cycle (s->newpids[0..n)) and
 * look again at those whose pid has a new exit record while a process
 * with that pid is listed: one fetch limited to those pids, so pmda-proc
 * reads nothing more for the processes it already knows.  The start time
 * is fetched here only, not every cycle: a listed pid whose start time
 * differs from the one first seen is another process (its pid reused
 * within the interval), restarted and described anew.
 *
 * After an agent restarted (s->describe_all), every listed process is
 * looked at again: a pmda-proc that restarted (PCP's crashes now and
 * then, see README) names each pid by its command line now, not by the
 * one it first saw, and has lost the exit records that told of a pid
 * reused; the start times tell that instead, and the names follow
 * pmda-proc's again.
 */
static void
describe_processes(pp_sampler *s, size_t n)
{
    pmResult *rp = NULL;
    const pmValueSet *vs[PP_D_COUNT] = { NULL };
    struct pp_retry *again = s->retry;
    size_t i, all = n, want, nagain = s->nretry, retried, r;
    int k, every = s->describe_all;

    /* last cycle's processes whose details did not come, still listed;
       then the suspects already described (not new this cycle) or,
       after an agent restarted, every process already described */
    s->describe_all = 0;
    s->retry = NULL;
    s->nretry = s->retrymax = 0;
    want = n + nagain + (every ? s->procs.norder : s->acct.nsuspect) + 1;
    if (grow_scratch((void **)&s->newpids, &s->newmax, want, sizeof(int)) == 0) {
	size_t count = every ? s->procs.norder : s->acct.nsuspect;
	for (r = 0; r < nagain; r++) {
	    const pp_proc *p = pp_table_lookup(&s->procs, again[r].pid);
	    if (p != NULL && p->cycle == s->procs.cycle && p->gone_since == 0)
		s->newpids[all++] = p->pid;
	}
	retried = all;
	for (i = 0; i < count; i++) {
	    const pp_proc *p = every ? s->procs.order[i] :
		pp_table_lookup(&s->procs, s->acct.suspect[i]);
	    if (p != NULL && p->name != NULL && p->cycle == s->procs.cycle)
		s->newpids[all++] = p->pid;
	}
    } else
	retried = n;
    if (all == 0) {
	free(again);
	return;
    }
    if (s->detail[PP_D_PSARGS] != PM_ID_NULL && s->proc_indom != PM_INDOM_NULL &&
	pmDelProfile(s->proc_indom, 0, NULL) >= 0 &&
	pmAddProfile(s->proc_indom, (int)all, s->newpids) >= 0 &&
	pmFetch(PP_D_COUNT, s->detail, &rp) >= 0) {
	for (k = 0; k < PP_D_COUNT; k++)
	    vs[k] = pp_vset(rp, k);
    }
    if (s->proc_indom != PM_INDOM_NULL)
	pmAddProfile(s->proc_indom, 0, NULL);	/* all processes again */

    for (r = 0, i = 0; i < all; i++) {
	int pid = s->newpids[i];
	pp_proc *p = pp_table_lookup(&s->procs, pid);
	double start = pp_value_at(vs[PP_D_START], (int)i, pid,
				   s->detail_type[PP_D_START]);
	int tries = 0;

	if (p == NULL)
	    continue;
	if (i >= retried) {
	    /* gone since: nothing to do; the same process: nothing to do
	       unless every process is described again */
	    if (!isfinite(start))
		continue;
	    if (p->start != 0 && start != p->start)
		pp_table_reused(&s->procs, p, start, every && !suspect(s, pid));
	    else if (!every)
		continue;
	    else if (p->start == 0)
		p->start = start;
	} else if (i >= n) {
	    /* looked at again: its start time may have come only now; one
	       that differs from the one that came is another process, the
	       pid reused in this interval */
	    if (isfinite(start) && p->start == 0)
		p->start = start;
	    else if (isfinite(start) && start != p->start)
		pp_table_reused(&s->procs, p, start, 0);
	    /* which try this is (the list keeps last cycle's order) */
	    while (r < nagain && again[r].pid != pid)
		r++;
	    tries = r < nagain ? again[r].tries : DESCRIBE_TRIES;
	} else if (isfinite(start))
	    p->start = start;
	if (!describe(s, p, vs, (int)i) && i < retried &&
	    s->detail[PP_D_PSARGS] != PM_ID_NULL &&
	    tries + 1 < DESCRIBE_TRIES && p->gone_since == 0)
	    add_retry(s, pid, tries + 1);
    }
    free(again);
    if (rp)
	pmFreeResult(rp);
    if (all > 1000)
	malloc_trim(0);	/* a burst's details: give the memory back */
}

static void
reap(pp_proc *p, void *arg)
{
    pp_sampler *s = arg;
    int k;

    pp_acct_left(&s->acct, p);
    for (k = 0; k < PP_NAGG; k++) {
	pp_agg_release(p->agg[k]);
	p->agg[k] = NULL;
    }
}

/* this interval's figures into the aggregates, from processes and exits */
static void
account_aggregates(pp_sampler *s, const pp_split *split, double joules,
		   double now)
{
    size_t i, n;
    int k;
    pp_proc *p;

    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_begin(&s->aggs[k]);
    /* an idle process adds nothing (its aggregates stay active while it
       holds them, see pp_aggset_expire): the active ones only */
    n = s->procs.all_active ? s->procs.norder : s->procs.nactive;
    for (i = 0; i < n; i++) {
	p = s->procs.all_active ? s->procs.order[i] : s->procs.active[i];
	if (p->delta > 0)
	    for (k = 0; k < PP_NAGG; k++)
		pp_agg_add(p->agg[k], p->power,
			   joules > 0 ? p->share * joules : 0, now);
    }
    for (i = 0; i < s->acct.nexits; i++) {
	const pp_exit *e = &s->acct.exits[i];
	for (k = 0; k < PP_NAGG; k++)
	    pp_agg_add(e->agg[k], e->cpu_ms * split->watts_per_ms,
		       e->cpu_ms * split->joules_per_ms, now);
    }
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_expire(&s->aggs[k], now, s->cfg.aggregate_idle);
	pp_aggset_fold(&s->aggs[k]);
    }
}

static pp_snapshot *
build_snapshot(pp_sampler *s, double t, double dt, const pp_split *split,
	       int valid)
{
    pp_snapshot *snap;
    size_t i, n, bytes = 0, na[PP_NAGG];
    char *arena;
    int k;

    /* the live processes in the order recorded: memory order, mostly */
    n = s->procs.norder;
    for (k = 0; k < PP_NAGG; k++) {
	na[k] = s->aggs[k].count;
	bytes += s->aggs[k].name_bytes;
    }
    /* a snapshot nobody reads any more, if there is one: no allocation */
    snap = pp_snapshot_reuse(s->spare, n, bytes, na);
    s->spare = NULL;
    if (snap == NULL)
	return NULL;
    arena = snap->names;
    /* process names are the table's own, not copied: a name the table
       drops is freed only once no snapshot can hold it (retire_name) */
    for (i = 0; i < n; i++) {
	const pp_proc *p = s->procs.order[i];
	pp_snap_proc *sp = &snap->procs[i];

	sp->name = p->name ? p->name : "";
	sp->pid = p->pid;
	sp->power = p->power;
	sp->energy = p->energy;
	sp->share = 100.0 * p->share;
    }
    snap->nprocs = n;	/* indexed by the reader when it needs to be */

    for (k = 0; k < PP_NAGG; k++) {
	for (i = 0; i < na[k]; i++) {
	    const pp_agg *a = s->aggs[k].byid[i];
	    size_t len = strlen(a->name) + 1;
	    pp_snap_agg *d = &snap->aggs[k][i];
	    memcpy(arena, a->name, len);
	    d->name = arena;
	    arena += len;
	    d->id = a->id;
	    d->power = a->power;
	    d->energy = a->energy;
	}
	snap->naggs[k] = na[k];
    }

    snap->time = t;
    snap->interval = dt;
    snap->valid = valid;
    snap->cycles = s->cycles;
    snap->errors = s->errors;
    snap->skipped = s->skipped;
    snap->coverage = split ? split->coverage : 0;
    snap->primary_power = split ? split->power : 0;
    {
	static const pp_source_class view[PP_NVIEW] = {
	    [PP_VIEW_RAPL] = PP_CLASS_RAPL, [PP_VIEW_BATTERY] = PP_CLASS_BATTERY,
	    [PP_VIEW_SENSOR] = PP_CLASS_SENSOR, [PP_VIEW_MODEL] = PP_CLASS_MODEL,
	};
	for (k = 0; k < PP_NVIEW; k++) {
	    int v = valid ? pp_sources_view(&s->sources, view[k]) : -1;
	    snap->view_valid[k] = v >= 0;
	    snap->view_power[k] = v >= 0 ? s->sources.s[v].watts : 0;
	}
    }
    snap->unattributed_power = split ? split->unattributed_power : 0;
    snap->unattributed_energy = s->unattributed_energy;
    snprintf(snap->message, sizeof(snap->message), "%s", s->message);
    snprintf(snap->accounting, sizeof(snap->accounting), "%s", s->acct.status);
    snap->records = s->acct.counted;
    snap->records_missed = s->acct.missed;
    snap->record_reads = s->peeks;
    if (s->sources.primary >= 0)
	snprintf(snap->primary, sizeof(snap->primary), "%s",
		 s->sources.s[s->sources.primary].name);

    for (k = 0; k < s->sources.n; k++) {
	const pp_source *src = &s->sources.s[k];
	pp_snap_source *d = &snap->sources[snap->nsources++];
	d->id = src->id;
	snprintf(d->name, sizeof(d->name), "%s", src->name);
	d->present = src->present;
	d->valid = src->valid;
	d->power = src->watts;
	d->energy = src->energy;
	snprintf(d->status, sizeof(d->status), "%s%s", src->status,
		 k == s->sources.primary ? " (primary)" : "");
    }
    return snap;
}

pp_snapshot *
pp_sampler_status(pp_sampler *s)
{
    return build_snapshot(s, 0, 0, NULL, 0);
}

/*
 * A clock that is never stepped, to tell a step of the wall clock from an
 * interval: the boot-time clock, which (unlike the monotonic one) counts
 * the time the machine was suspended, as the wall clock does.
 */
static double
mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* record every process in the fetch; collects the new ones' pids */
static size_t
update_processes(pp_sampler *s, const pmResult *rp)
{
    const pmValueSet *ut = pp_vset(rp, PP_M_UTIME);
    const pmValueSet *st = pp_vset(rp, PP_M_STIME);
    size_t nnew = 0;
    int i;

    pp_table_begin(&s->procs);
    if (ut == NULL ||
	grow_scratch((void **)&s->newpids, &s->newmax, (size_t)ut->numval,
		     sizeof(int)) < 0)
	return 0;
    for (i = 0; i < ut->numval; i++) {
	int pid = ut->vlist[i].inst, isnew;
	double u = pp_value_of(ut, i, s->fixed_type[PP_M_UTIME]);
	double sy = pp_value_at(st, i, pid, s->fixed_type[PP_M_STIME]);
	pp_proc *p;

	if (!isfinite(u))
	    continue;
	if (!isfinite(sy))
	    sy = 0;
	/* start times come with the details of new processes */
	p = pp_table_update(&s->procs, pid, -1, u + sy, &isnew);
	if (p != NULL && isnew)
	    s->newpids[nnew++] = pid;
    }
    return nnew;
}

/* the machine's busy CPU ms in the interval and its utilisation (or -1) */
static void
machine_cpu(pp_sampler *s, const pmResult *rp, double *busy_ms, double *util)
{
    double busy = single(rp, s, PP_M_CPU_USER) + single(rp, s, PP_M_CPU_NICE) +
		  single(rp, s, PP_M_CPU_SYS) + single(rp, s, PP_M_CPU_INTR);
    double all = busy + single(rp, s, PP_M_CPU_IDLE) + single(rp, s, PP_M_CPU_WAIT);

    *busy_ms = 0;
    *util = -1;
    if (!isfinite(busy) || !isfinite(all))
	return;
    if (s->cpu_primed && busy >= s->cpu_busy_prev && all > s->cpu_all_prev) {
	*busy_ms = busy - s->cpu_busy_prev;
	*util = *busy_ms / (all - s->cpu_all_prev);
    }
    s->cpu_busy_prev = busy;
    s->cpu_all_prev = all;
    s->cpu_primed = 1;
}

/* the state's last cycle was in this boot (boot: kernel.all.boottime) */
static int
same_boot(const pp_sampler *s, double boot)
{
    return s->gap.boot > 0 && isfinite(boot) && boot > 0 &&
	   fabs(s->gap.boot - boot) <= 1;
}

/*
 * The first cycle after a restart: the energy of the gap since the last
 * cycle before it (joules) to the aggregates of the processes whose CPU
 * time over it is known for sure, by that time against the machine's
 * busy time (the rest stays the remainder's): those live before and
 * after, provably the same (pid, start time, CPU time not gone back, the
 * same boot), for their CPU time since the save; those that started in
 * it, for all of theirs; and those that ended in it, by their records
 * (pp_acct_records).  Processes' own counters start again with their
 * instances.  Returns the joules given.
 */
static double
share_gap(pp_sampler *s, double joules, double now)
{
    const pp_state_gap *g = &s->gap;
    pp_proc **who;
    double *ms, sum, busy = -1, price, given = 0, since = -1;
    size_t n, k;
    int a;

    if (!(joules > 0) || s->procs.norder == 0 || g->time <= 0 ||
	!same_boot(s, s->boot))
	return 0;		/* another boot: no process is the same */
    who = malloc(s->procs.norder * sizeof(*who));
    ms = malloc(s->procs.norder * sizeof(*ms));
    if (who == NULL || ms == NULL) {
	free(who);
	free(ms);
	return 0;
    }
    /* pmda-proc's start times are ms since boot */
    if (g->time > g->boot)
	since = (g->time - g->boot) * 1000;
    n = pp_table_gap(&s->procs, g->procs, g->nprocs, since, who, ms);
    for (sum = 0, k = 0; k < n; k++)
	sum += ms[k];
    if (s->cpu_primed && g->busy >= 0 && s->cpu_busy_prev >= g->busy)
	busy = s->cpu_busy_prev - g->busy;
    /* and the processes that ended in it (pp_acct_records), with what
       their records' ticks hid, as in any interval */
    if (busy >= 0)
	pp_acct_fill(&s->acct, busy - sum - pp_acct_exited_ms(&s->acct));
    sum += pp_acct_exited_ms(&s->acct);
    price = pp_gap_price(sum, busy, joules);
    for (k = 0; price > 0 && k < n; k++) {
	if (!(ms[k] > 0))
	    continue;
	for (a = 0; a < PP_NAGG; a++)
	    pp_agg_add(who[k]->agg[a], 0, ms[k] * price, now);
	given += ms[k] * price;
    }
    for (k = 0; price > 0 && k < s->acct.nexits; k++) {
	const pp_exit *e = &s->acct.exits[k];
	for (a = 0; a < PP_NAGG; a++)
	    pp_agg_add(e->agg[a], 0, e->cpu_ms * price, now);
	given += e->cpu_ms * price;
    }
    pmNotifyErr(LOG_INFO, "restart: over the %.1f s gap, %.0f ms of CPU of "
		"%zu processes live through it or started in it, %.0f ms of "
		"%zu that ended in it, %.0f ms busy", now - g->time,
		sum - pp_acct_exited_ms(&s->acct), n,
		pp_acct_exited_ms(&s->acct), s->acct.nexits, busy);
    free(who);
    free(ms);
    return given < joules ? given : joules;
}


/* the processes' CPU times came back as an error or with no value at all
   (a machine always runs some process, this agent at least: no values is
   no answer, not every process gone), or their names did not resolve:
   why (a PCP error code), else 0 */
static int
procs_failed(const pp_sampler *s, const pmResult *rp)
{
    if (!procs_named(s))
	return PM_ERR_NAME;
    if (rp->numpmid > PP_M_UTIME && rp->vset[PP_M_UTIME]->numval <= 0)
	return rp->vset[PP_M_UTIME]->numval < 0 ?
	       rp->vset[PP_M_UTIME]->numval : PM_ERR_VALUE;
    return 0;
}

/*
 * Whether to read nothing of this fetch because pmda-proc did not answer:
 * for PROCS_HOLD cycles in a row once processes are primed; at the first
 * cycle after a restart, for up to GAP_WAIT seconds, for the gap's energy
 * goes to the processes that lived through it only if their CPU times are
 * read with it (and pmcd starts a dead agent again within a minute).
 */
static int
hold_for_procs(pp_sampler *s, int why, double m)
{
    if (why == 0) {
	if (s->held_since > 0 && !s->procs.primed)
	    pmNotifyErr(LOG_INFO, "restart: pmda-proc answers after %.1f s",
			m - s->held_since);
	else if (s->procs_held >= PROCS_HOLD && s->procs.primed)
	    pmNotifyErr(LOG_INFO, "pmda-proc answers again: its processes "
			"are seen again");
	else if (s->procs_held > 0 && s->procs.primed)
	    pmNotifyErr(LOG_INFO, "pmda-proc answers again: the interval%s "
			"of the %d cycle%s held for it attributed with this "
			"one", s->procs_held > 1 ? "s" : "", s->procs_held,
			s->procs_held > 1 ? "s" : "");
	s->procs_held = 0;
	s->held_since = 0;
	return 0;
    }
    if (s->procs.primed)
	return s->procs_held < PROCS_HOLD;
    if (!s->live || s->gap.time <= 0)
	return 0;
    if (s->held_since <= 0) {
	s->held_since = m;
	pmNotifyErr(LOG_INFO, "restart: pmda-proc does not answer (%s): the "
		    "gap waits for it, up to %.0f s", pmErrStr(why), GAP_WAIT);
    }
    if (m - s->held_since < GAP_WAIT)
	return 1;
    if (s->procs_held > 0)
	pmNotifyErr(LOG_WARNING, "restart: no answer from pmda-proc in %.0f "
		    "s: the gap's energy is the remainder's", GAP_WAIT);
    s->procs_held = 0;
    return 0;
}

int
pp_sampler_cycle(pp_sampler *s, const char *want, pp_snapshot **out)
{
    pmID list[PP_M_FIXED + PP_A_COUNT + 2 * PP_MAXSOURCES];
    pmID srclist[2 * PP_MAXSOURCES];
    pmResult *rp, *src = NULL;
    int n = 0, nsrc, i, sts, valid = 0, ncpu, acct_first, priming, why;
    int have_tasks, nacct, held;
    pp_tasks tasks;
    double m_acct;
    size_t nnew;
    double t, dt, t_src, dt_src, busy_ms, util, joules = -1, m, m_src = 0, boot;
    pp_acct_gap gap;
    double cpu0 = cpu_seconds();
    pp_split split;

    *out = NULL;
    bury(s, 0);
    if (s->ctx < 0)
	return PM_ERR_NOCONTEXT;
    if ((sts = pmUseContext(s->ctx)) < 0)
	return sts;
    /* live, by the boot-time clock: a step of the wall clock does not
       hold discovery back */
    if (s->discovered < 0 ||
	(s->live ? s->m_prev : s->t_prev) - s->discovered >= DISCOVER_EVERY) {
	pp_sources_discover(&s->sources, &s->cfg, s->local);
	lookup_if_unnamed(s);
	s->discovered = s->live ? s->m_prev : s->t_prev;
	/* once a minute, give back the heap that processes gone, a burst
	   of new ones or a peak left free (kept between cycles otherwise) */
	pp_table_trim(&s->procs);
	pp_acct_trim(&s->acct);
	free(s->newpids);		/* sized again by the next fetch */
	s->newpids = NULL;
	s->newmax = 0;
	give_back_heap();
    }

    /*
     * The sources first, on their own, from a pmcd.  pmcd stamps a result
     * when the slowest of its agents has answered, and pmda-proc answering
     * for thousands of processes or a burst of exit records can take a
     * tenth of a second and more: a counter read at the start of such a
     * fetch would be measured against a later time, and the next interval
     * would read that much high (+22% over 1 s once, after a burst).
     * Alone, the sources' readings carry their own time.  An archive's
     * records are replayed as they were logged, in one fetch.
     */
    nsrc = pp_sources_pmids(&s->sources, 0, srclist, 2 * PP_MAXSOURCES);
    if (s->live && nsrc > 0) {
	if ((sts = pmFetch(nsrc, srclist, &src)) < 0) {
	    s->errors++;
	    s->message_passes = 1;
	    snprintf(s->message, sizeof(s->message), "fetch failed: %s",
		     pmErrStr(sts));
	    return sts;
	}
	m_src = mono_seconds();
	if (sts & AGENTS_CHANGED)
	    s->agents_changed = 1;
    }
    /* fixed metrics by position (PM_ID_NULL ones come back empty) */
    for (i = 0; i < PP_M_FIXED; i++)
	list[n++] = s->fixed[i];
    acct_first = n;
    nacct = pp_acct_pmids(&s->acct, list + n, PP_A_COUNT);
    n += nacct;
    if (src == NULL) {
	memcpy(list + n, srclist, nsrc * sizeof(pmID));
	n += nsrc;
    }
    have_tasks = nacct > 0 && s->local && pp_tasks_read(PROC_ROOT, &tasks) == 0;
    m_acct = s->live ? mono_seconds() : 0;
    if ((sts = pmFetch(n, list, &rp)) < 0) {
	s->errors++;
	s->message_passes = 1;
	snprintf(s->message, sizeof(s->message), "fetch failed: %s",
		 pmErrStr(sts));
	if (src)
	    pmFreeResult(src);
	return sts;
    }
    if (sts & AGENTS_CHANGED)
	s->agents_changed = 1;
    m = s->live ? mono_seconds() : 0;
    if (src == NULL)
	m_src = m;
    t = PP_RESULT_SECONDS(rp);
    dt = s->t_prev > 0 ? pp_interval_seconds(t - s->t_prev, m - s->m_prev) : 0;
    s->clock = s->clock > 0 && dt > 0 ? s->clock + dt : t;
    t_src = src ? PP_RESULT_SECONDS(src) : t;
    dt_src = s->t_src_prev > 0 ?
	pp_interval_seconds(t_src - s->t_src_prev, m_src - s->m_src_prev) : 0;
    if (s->t_prev > 0 && !(dt > 0 && dt_src > 0)) {
	/* same time stamp again (an archive's end, a clock step): nothing new */
	pmFreeResult(rp);
	if (src)
	    pmFreeResult(src);
	return 0;
    }
    why = procs_failed(s, rp);
    /* the intervals of the cycles held before this one are this one's */
    held = s->procs.primed ? s->procs_held : 0;
    if (hold_for_procs(s, why, m)) {
	/*
	 * pmda-proc did not answer this time (PCP 7.2.2's crashes now and
	 * then and pmcd starts it again): every process would seem gone
	 * and the interval's energy nobody's.  Read nothing: the next cycle
	 * takes both intervals, the sources' deltas and the processes' CPU
	 * times alike, as if this fetch had not been made.
	 */
	s->procs_held++;
	s->errors++;
	s->message_passes = 1;
	if (s->procs.primed)
	    snprintf(s->message, sizeof(s->message), "pmda-proc did not "
		     "answer (%s): the interval is attributed with the next",
		     pmErrStr(why));
	else
	    snprintf(s->message, sizeof(s->message), "pmda-proc did not "
		     "answer (%s): the restart's gap waits for it (up to "
		     "%.0f s)", pmErrStr(why), GAP_WAIT);
	pmFreeResult(rp);
	if (src)
	    pmFreeResult(src);
	lookup_if_unnamed(s);
	return 0;
    }
    priming = !s->procs.primed;
    /* the parents' reaped CPU time as near the records' fetch as can be:
       a child reaped in between is counted a cycle later (kin.h) */
    pp_kin_read(&s->kin);

    nnew = update_processes(s, rp);
    boot = single(rp, s, PP_M_BOOTTIME);
    gap.saved = s->gap.procs;
    gap.nsaved = s->gap.nprocs;
    gap.since = s->gap.time;
    gap.counted = s->gap.counted;
    gap.ncounted = s->gap.ncounted;
    /* records are remembered by the wall clock, as pmda-proc keeps them */
    pp_acct_records(&s->acct, rp, acct_first, &s->procs, boot, priming, t,
		    s->aggs, s->gap.time > 0 && same_boot(s, boot) ? &gap : NULL);
    if (s->live && nacct > 0)
	records_read(s, have_tasks ? &tasks : NULL, m_acct);
    /* the parents of short-lived processes bound their CPU time */
    pp_kin_plan(&s->kin, s->acct.exits, s->acct.nexits, &s->procs);
    if (s->live)
	pp_kin_base(&s->kin);
    pp_kin_fit(&s->kin, s->acct.exits, s->acct.nexits, &s->procs);
    machine_cpu(s, rp, &busy_ms, &util);
    ncpu = (int)single(rp, s, PP_M_NCPU);
    if (ncpu < 1)
	ncpu = 1;

    /* sources, and the primary's energy over the interval */
    if (s->agents_changed) {
	/*
	 * An agent came, went or restarted, or metrics came or went: look
	 * the sources up again before reading this fetch.  Those still at
	 * their metric and instance use it; those that moved (pmda-denki
	 * may number its zones differently) prime again.
	 */
	pp_sources_rediscover(&s->sources, &s->cfg, s->local);
	pp_acct_lookup(&s->acct);
	lookup_if_unnamed(s);	/* pmda-proc back: from the next fetch */
	s->discovered = s->live ? m : t;
	s->agents_changed = 0;
	s->describe_all = s->procs.primed && !priming;
    }
    /* a gap is measured against the interval in force over this one (a
       store may have shortened it since the last cycle), times the
       cycles it stands for */
    pp_sources_interval(&s->sources, src ? src : rp, dt_src, &s->cfg,
			fmax(interval_now(s), s->interval_prev) * (1 + held),
			ncpu, util);
    pmFreeResult(rp);
    if (src)
	pmFreeResult(src);
    i = pp_sources_choose(&s->sources, want);
    if (i >= 0 && s->sources.s[i].valid && dt_src > 0) {
	joules = s->sources.s[i].joules;
	valid = 1;
    } else if (!priming) {
	s->skipped++;
    }

    describe_processes(s, nnew);
    s->boot = isfinite(boot) && boot > 0 ? boot : -1;
    if (i >= 0 && s->sources.s[i].gap_carried) {
	/*
	 * The agent restarted and the primary's counter covered the gap
	 * (the primary's counter has its energy too): the processes that
	 * lived through it take their share, the rest is the remainder's.
	 */
	double gj = s->sources.s[i].gap_joules, given = share_gap(s, gj, t);
	s->unattributed_energy += gj - given;
	pmNotifyErr(LOG_INFO, "restart: %.3f J of %s over the gap carried "
		    "into its counter: %.3f J to the processes that lived "
		    "through it, %.3f J to the remainder", gj,
		    s->sources.s[i].name, given, gj - given);
    }
    /* kept while late exit records of the processes it saved may come
       (pmda-proc keeps them acct.control.lifetime, read once it has) */
    if (s->gap.time > 0 && !(t - s->gap.time <= s->acct.keep))
	pp_state_gap_free(&s->gap);
    /* what the machine was busy for beyond the live processes and the
       exit records' estimates: the records' truncation hid some of it */
    pp_acct_fill(&s->acct, busy_ms - pp_table_cpu(&s->procs) -
			   pp_acct_exited_ms(&s->acct));
    pp_table_split(&s->procs, pp_acct_exited_ms(&s->acct), joules, dt_src,
		   busy_ms, &split);
    s->unattributed_energy += split.unattributed_joules;
    /* by the agent's own time: a step of the wall clock neither expires
       an aggregate nor drops a process before its exit record can come */
    account_aggregates(s, &split, valid ? joules : 0, s->clock);
    /* exited processes stay findable a little while for their records:
       two intervals and 10 s, never less than the configured interval's */
    pp_table_sweep(&s->procs, s->clock, 2.0 * fmax(interval_now(s),
					       s->cfg.interval) + 10, reap, s);
    if (s->live)
	pp_acct_canary(&s->acct);	/* its record must come next cycle */
    pp_acct_keep_on(&s->acct, s->ctx);
    s->t_prev = t;
    s->t_src_prev = t_src;
    s->m_prev = m;
    s->m_src_prev = m_src;
    s->interval_prev = interval_now(s);
    s->cycles++;
    if (i < 0) {
	s->message_passes = 1;
	snprintf(s->message, sizeof(s->message), "no power source");
    } else if (why != 0 && procs_named(s)) {
	/* held as long as it may be: no process is seen, every one
	   seems gone, the interval's energy is the remainder's */
	s->message_passes = 1;
	snprintf(s->message, sizeof(s->message), "pmda-proc does not "
		 "answer (%s): no process seen, the energy is the "
		 "remainder's until it does", pmErrStr(why));
    } else if (s->message_passes) {
	s->message_passes = 0;
	s->message[0] = '\0';
    }

    *out = build_snapshot(s, t, dt_src, &split, valid);
    if (*out)
	(*out)->duration = (cpu_seconds() - cpu0) * 1000;
    return 0;
}

static void
state_of(pp_sampler *s, pp_state *st)
{
    st->aggs = s->aggs;
    st->sources = &s->sources;
    st->unattributed = &s->unattributed_energy;
    /* the last cycle's processes and CPU counter, for a restart's gap */
    st->procs = s->procs.primed ? &s->procs : NULL;
    st->busy = s->cpu_primed && s->boot > 0 ? s->cpu_busy_prev : -1;
    st->boot = s->boot;
    st->ncounted = pp_acct_recent(&s->acct, &st->counted);
    st->gap = &s->gap;
}

int
pp_sampler_load_state(pp_sampler *s)
{
    pp_state st;

    if (s->cfg.state[0] == '\0')
	return 0;
    state_of(s, &st);
    return pp_state_load(&s->statefile, s->cfg.state, &st);
}

int
pp_sampler_save_state(pp_sampler *s)
{
    pp_state st;

    if (s->cfg.state[0] == '\0' || s->cycles == 0)
	return 0;
    state_of(s, &st);
    return pp_state_save(&s->statefile, s->cfg.state, &st, s->t_prev);
}
