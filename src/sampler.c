/*
 * The sampler; see sampler.h.  Every PMAPI call of the agent is here or in
 * sources.c, and both run on the worker thread only.
 */
#include "sampler.h"
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DISCOVER_EVERY	6	/* full cycles between source discoveries */

static const char *fixed_names[PP_M_FIXED] = {
    [PP_M_UTIME] = "proc.psinfo.utime",
    [PP_M_STIME] = "proc.psinfo.stime",
    [PP_M_START] = "proc.psinfo.start_time",
    [PP_M_CPU_USER] = "kernel.all.cpu.user",
    [PP_M_CPU_NICE] = "kernel.all.cpu.nice",
    [PP_M_CPU_SYS] = "kernel.all.cpu.sys",
    [PP_M_CPU_INTR] = "kernel.all.cpu.intr",
    [PP_M_CPU_IDLE] = "kernel.all.cpu.idle",
    [PP_M_CPU_WAIT] = "kernel.all.cpu.wait.total",
    [PP_M_CPU_STEAL] = "kernel.all.cpu.steal",
    [PP_M_NCPU] = "hinv.ncpu",
};

void
pp_sampler_init(pp_sampler *s, const pp_config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->ctx = -1;
    s->cfg = *cfg;
    pp_table_init(&s->procs);
    pp_sources_init(&s->sources);
}

void
pp_sampler_free(pp_sampler *s)
{
    pp_sampler_close(s);
    pp_table_free(&s->procs);
    free(s->newpids);
    free(s->sorted);
    s->newpids = NULL;
    s->sorted = NULL;
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
pp_sampler_open(pp_sampler *s, int type, const char *name)
{
    int i, sts;
    pmDesc desc;
    const char *names[PP_M_FIXED + 1];
    pmID ids[PP_M_FIXED + 1];

    pp_sampler_close(s);
    if ((sts = pmNewContext(type, name)) < 0) {
	snprintf(s->message, sizeof(s->message), "cannot connect to pmcd at "
		 "%s: %s", name, pmErrStr(sts));
	return sts;
    }
    s->ctx = sts;
    s->local = type == PM_CONTEXT_HOST && is_local(name);

    for (i = 0; i < PP_M_FIXED; i++)
	names[i] = fixed_names[i];
    names[PP_M_FIXED] = "proc.psinfo.psargs";
    /* names that do not resolve come back as PM_ID_NULL */
    sts = pmLookupName(PP_M_FIXED + 1, names, ids);
    for (i = 0; i < PP_M_FIXED; i++) {
	s->fixed[i] = ids[i];
	s->fixed_type[i] = PM_TYPE_U64;
	if (ids[i] != PM_ID_NULL && pmLookupDesc(ids[i], &desc) == 0)
	    s->fixed_type[i] = desc.type;
    }
    s->psargs = ids[PP_M_FIXED];
    s->proc_indom = PM_INDOM_NULL;
    if (s->fixed[PP_M_UTIME] != PM_ID_NULL &&
	pmLookupDesc(s->fixed[PP_M_UTIME], &desc) == 0)
	s->proc_indom = desc.indom;
    if (s->fixed[PP_M_UTIME] == PM_ID_NULL || s->fixed[PP_M_STIME] == PM_ID_NULL) {
	snprintf(s->message, sizeof(s->message), "proc.psinfo.utime/stime not "
		 "available (is pmda-proc installed?): no per-process figures");
    } else
	s->message[0] = '\0';
    (void)sts;
    s->discover_in = 0;
    /* a new connection: the next cycle primes again */
    s->t_prev = 0;
    s->cpu_primed = 0;
    s->procs.primed = 0;
    return 0;
}

/* a value of a known type as a double, quickly for the common integers */
static double
value_of(const pmValueSet *vs, int j, int type)
{
    const pmValue *v = &vs->vlist[j];
    pmAtomValue av;

    if (vs->valfmt == PM_VAL_INSITU) {
	if (type == PM_TYPE_U32)
	    return (double)(uint32_t)v->value.lval;
	if (type == PM_TYPE_32)
	    return (double)v->value.lval;
    } else if (type == PM_TYPE_U64 && v->value.pval->vlen >= PM_VAL_HDR_SIZE + 8) {
	uint64_t u;
	memcpy(&u, v->value.pval->vbuf, sizeof(u));
	return (double)u;
    }
    if (pmExtractValue(vs->valfmt, v, type, &av, PM_TYPE_DOUBLE) < 0)
	return NAN;
    return av.d;
}

static const pmValueSet *
vset_of(const pmResult *rp, int i)
{
    if (i >= rp->numpmid || rp->vset[i]->numval <= 0)
	return NULL;
    return rp->vset[i];
}

static double
single(const pmResult *rp, const pp_sampler *s, int m)
{
    const pmValueSet *vs = vset_of(rp, m);
    return vs ? value_of(vs, 0, s->fixed_type[m]) : NAN;
}

/* the value of vs for instance inst, trying index j first */
static double
value_at(const pmValueSet *vs, int j, int inst, int type)
{
    int k;

    if (vs == NULL)
	return NAN;
    if (j < vs->numval && vs->vlist[j].inst == inst)
	return value_of(vs, j, type);
    for (k = 0; k < vs->numval; k++)
	if (vs->vlist[k].inst == inst)
	    return value_of(vs, k, type);
    return NAN;
}

int
pp_sampler_subsample(pp_sampler *s)
{
    pmID list[PP_MAXSOURCES];
    pmResult *rp;
    int n, sts;

    if (s->ctx < 0)
	return PM_ERR_NOCONTEXT;
    if ((n = pp_sources_pmids(&s->sources, 1, list, PP_MAXSOURCES)) == 0)
	return 0;
    if ((sts = pmUseContext(s->ctx)) < 0 || (sts = pmFetch(n, list, &rp)) < 0) {
	s->errors++;
	return sts;
    }
    pp_sources_gauges(&s->sources, rp, s->cfg.max_watts);
    pmFreeResult(rp);
    return 0;
}

/* name newly seen processes as pmda-proc does: "%06d " + argv[0] */
static void
name_new_processes(pp_sampler *s, size_t n)
{
    pmResult *rp = NULL;
    const pmValueSet *vs = NULL;
    size_t i;
    int k;
    char name[4096 + 16];

    if (n == 0)
	return;
    if (s->psargs != PM_ID_NULL && s->proc_indom != PM_INDOM_NULL &&
	pmDelProfile(s->proc_indom, 0, NULL) >= 0 &&
	pmAddProfile(s->proc_indom, (int)n, s->newpids) >= 0 &&
	pmFetch(1, &s->psargs, &rp) >= 0)
	vs = rp->vset[0];
    if (s->proc_indom != PM_INDOM_NULL)
	pmAddProfile(s->proc_indom, 0, NULL);	/* all processes again */

    for (i = 0; i < n; i++) {
	int pid = s->newpids[i];
	const char *args = NULL;
	pp_proc *p = pp_table_lookup(&s->procs, pid);

	if (p == NULL)
	    continue;
	for (k = 0; vs && k < vs->numval; k++)
	    if (vs->vlist[k].inst == pid && vs->valfmt != PM_VAL_INSITU) {
		args = vs->vlist[k].value.pval->vbuf;
		break;
	    }
	if (args != NULL && args[0] != '\0') {
	    size_t len = strcspn(args, " ");
	    if (len > 4096 - 7)
		len = 4096 - 7;
	    snprintf(name, sizeof(name), "%06d %.*s", pid, (int)len, args);
	} else
	    snprintf(name, sizeof(name), "%06d <exiting>", pid);
	pp_proc_set_name(p, name);
    }
    if (rp)
	pmFreeResult(rp);
}

static pp_snapshot *
build_snapshot(pp_sampler *s, double t, double dt, const pp_split *split,
	       int valid)
{
    pp_snapshot *snap = calloc(1, sizeof(*snap));
    size_t i, n, bytes = 0;
    char *arena;
    int k;

    if (snap == NULL)
	return NULL;
    if (s->procs.count > s->sortedmax) {
	size_t want = s->procs.count * 2;
	const pp_proc **v = realloc(s->sorted, want * sizeof(*v));
	if (v == NULL) {
	    free(snap);
	    return NULL;
	}
	s->sorted = v;
	s->sortedmax = want;
    }
    n = pp_table_sorted(&s->procs, s->sorted);
    for (i = 0; i < n; i++)
	bytes += strlen(s->sorted[i]->name ? s->sorted[i]->name : "") + 1;
    snap->procs = malloc((n ? n : 1) * sizeof(*snap->procs));
    snap->names = arena = malloc(bytes ? bytes : 1);
    if (snap->procs == NULL || arena == NULL) {
	pp_snapshot_free(snap);
	return NULL;
    }
    for (i = 0; i < n; i++) {
	const pp_proc *p = s->sorted[i];
	const char *nm = p->name ? p->name : "";
	size_t len = strlen(nm) + 1;
	pp_snap_proc *sp = &snap->procs[i];

	memcpy(arena, nm, len);
	sp->name = arena;
	arena += len;
	sp->pid = p->pid;
	sp->power = p->power;
	sp->energy = p->energy;
	sp->share = 100.0 * p->share;
    }
    snap->nprocs = n;

    snap->time = t;
    snap->interval = dt;
    snap->valid = valid;
    snap->cycles = s->cycles;
    snap->errors = s->errors;
    snap->skipped = s->skipped;
    snap->coverage = split ? split->coverage : 0;
    snap->unattributed_power = split ? split->unattributed_power : 0;
    snap->unattributed_energy = s->unattributed_energy;
    snprintf(snap->message, sizeof(snap->message), "%s", s->message);
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

static double
cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
pp_sampler_cycle(pp_sampler *s, const char *want, pp_snapshot **out)
{
    pmID list[PP_M_FIXED + 2 * PP_MAXSOURCES];
    pmResult *rp;
    int n = 0, i, sts, valid = 0, ncpu;
    size_t nnew = 0;
    double t, dt, busy = NAN, all, busy_ms = 0, util = -1, joules = -1;
    double cpu0 = cpu_seconds();
    const pmValueSet *ut, *st, *sv;
    pp_split split;

    *out = NULL;
    if (s->ctx < 0)
	return PM_ERR_NOCONTEXT;
    if ((sts = pmUseContext(s->ctx)) < 0)
	return sts;
    if (s->discover_in-- <= 0) {
	pp_sources_discover(&s->sources, &s->cfg, s->local);
	s->discover_in = DISCOVER_EVERY;
    }

    /* fixed metrics by position (PM_ID_NULL ones come back empty) */
    for (i = 0; i < PP_M_FIXED; i++)
	list[n++] = s->fixed[i];
    n += pp_sources_pmids(&s->sources, 0, list + n, 2 * PP_MAXSOURCES);
    if ((sts = pmFetch(n, list, &rp)) < 0) {
	s->errors++;
	snprintf(s->message, sizeof(s->message), "fetch failed: %s",
		 pmErrStr(sts));
	return sts;
    }
    t = PP_RESULT_SECONDS(rp);
    dt = s->t_prev > 0 ? t - s->t_prev : 0;
    if (s->t_prev > 0 && !(dt > 0)) {
	/* same time stamp again (an archive's end, a clock step): nothing new */
	pmFreeResult(rp);
	return 0;
    }

    /* processes */
    pp_table_begin(&s->procs);
    ut = vset_of(rp, PP_M_UTIME);
    st = vset_of(rp, PP_M_STIME);
    sv = vset_of(rp, PP_M_START);
    if (ut != NULL && (size_t)ut->numval > s->newmax) {
	int *v = realloc(s->newpids, ut->numval * 2 * sizeof(int));
	if (v != NULL) {
	    s->newpids = v;
	    s->newmax = ut->numval * 2;
	}
    }
    for (i = 0; ut != NULL && i < ut->numval; i++) {
	int pid = ut->vlist[i].inst, isnew;
	double u = value_of(ut, i, s->fixed_type[PP_M_UTIME]);
	double sy = value_at(st, i, pid, s->fixed_type[PP_M_STIME]);
	double start = value_at(sv, i, pid, s->fixed_type[PP_M_START]);
	pp_proc *p;

	if (!isfinite(u))
	    continue;
	if (!isfinite(sy))
	    sy = 0;
	if (!isfinite(start))
	    start = 0;
	p = pp_table_update(&s->procs, pid, start, u + sy, &isnew);
	if (p != NULL && isnew && nnew < s->newmax)
	    s->newpids[nnew++] = pid;
    }

    /* the machine's CPU time */
    all = busy = single(rp, s, PP_M_CPU_USER) + single(rp, s, PP_M_CPU_NICE) +
	  single(rp, s, PP_M_CPU_SYS) + single(rp, s, PP_M_CPU_INTR);
    all += single(rp, s, PP_M_CPU_IDLE) + single(rp, s, PP_M_CPU_WAIT);
    ncpu = (int)single(rp, s, PP_M_NCPU);
    if (ncpu < 1)
	ncpu = 1;
    if (isfinite(busy) && isfinite(all)) {
	if (s->cpu_primed && busy >= s->cpu_busy_prev && all > s->cpu_all_prev) {
	    busy_ms = busy - s->cpu_busy_prev;
	    util = busy_ms / (all - s->cpu_all_prev);
	}
	s->cpu_busy_prev = busy;
	s->cpu_all_prev = all;
	s->cpu_primed = 1;
    }

    /* sources, and the primary's energy over the interval */
    pp_sources_interval(&s->sources, rp, dt, &s->cfg, ncpu, util);
    pmFreeResult(rp);
    i = pp_sources_choose(&s->sources, want);
    if (i >= 0 && s->sources.s[i].valid && dt > 0) {
	joules = s->sources.s[i].joules;
	valid = 1;
    } else if (s->t_prev > 0) {
	s->skipped++;
    }

    name_new_processes(s, nnew);
    pp_table_split(&s->procs, 0, joules, dt, busy_ms, &split);
    s->unattributed_energy += split.unattributed_joules;
    pp_table_sweep(&s->procs, t, 0, NULL, NULL);
    s->t_prev = t;
    s->cycles++;
    if (i < 0)
	snprintf(s->message, sizeof(s->message), "no power source");
    else if (strncmp(s->message, "fetch failed", 12) == 0 ||
	     strncmp(s->message, "cannot connect", 14) == 0)
	s->message[0] = '\0';

    *out = build_snapshot(s, t, dt, &split, valid);
    if (*out)
	(*out)->duration = (cpu_seconds() - cpu0) * 1000;
    return 0;
}
