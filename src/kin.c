/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parents' reaped CPU time bounding their children's records; see kin.h.
 */
#include "kin.h"
#include "values.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_DEPTH	16	/* ancestors followed through the records */

static const char *names[2] = { "proc.psinfo.cutime", "proc.psinfo.cstime" };

void
pp_kin_init(pp_kin *k)
{
    memset(k, 0, sizeof(*k));
    k->indom = PM_INDOM_NULL;
}

void
pp_kin_free(pp_kin *k)
{
    free(k->order);
    free(k->head);
    free(k->fit);
    k->order = NULL;
    k->head = NULL;
    k->fit = NULL;
    k->max = 0;
    k->n = 0;
}

void
pp_kin_lookup(pp_kin *k)
{
    pmDesc desc;
    int i;

    k->available = 0;
    k->indom = PM_INDOM_NULL;
    if (pmLookupName(2, names, k->pmid) < 0)
	return;
    for (i = 0; i < 2; i++) {
	if (k->pmid[i] == PM_ID_NULL || pmLookupDesc(k->pmid[i], &desc) < 0)
	    return;
	k->type[i] = desc.type;
	k->indom = desc.indom;
    }
    k->available = 1;
}

/* read the followed parents (only those never read when fresh) */
static void
read_parents(pp_kin *k, int fresh)
{
    int pids[PP_KIN_MAX];
    size_t idx[PP_KIN_MAX];
    const pmValueSet *cu = NULL, *cs = NULL;
    pmResult *rp = NULL;
    size_t i, m = 0;

    for (i = 0; i < k->n; i++)
	if (!fresh || !isfinite(k->v[i].reaped)) {
	    idx[m] = i;
	    pids[m++] = k->v[i].pid;
	}
    if (m == 0)
	return;
    if (k->available && pmDelProfile(k->indom, 0, NULL) >= 0 &&
	pmAddProfile(k->indom, (int)m, pids) >= 0 &&
	pmFetch(2, k->pmid, &rp) >= 0) {
	cu = pp_vset(rp, 0);
	cs = pp_vset(rp, 1);
    }
    if (k->available)
	pmAddProfile(k->indom, 0, NULL);	/* all processes again */
    for (i = 0; i < m; i++) {
	pp_kin_parent *p = &k->v[idx[i]];
	double r = pp_value_at(cu, (int)i, p->pid, k->type[0]) +
		   pp_value_at(cs, (int)i, p->pid, k->type[1]);

	if (!isfinite(r)) {
	    /* gone (or not read): its last reading stays, for a family it
	       is a member of (fit_family); the next is no delta of it */
	    p->delta = NAN;
	    p->stale = 1;
	    continue;
	}
	if (p->from_zero && !isfinite(p->reaped))
	    p->delta = r;	/* started since the last cycle */
	else
	    p->delta = !p->stale && isfinite(p->reaped) && r >= p->reaped ?
		       r - p->reaped : NAN;
	p->from_zero = 0;
	p->reaped = r;
	p->stale = 0;
    }
    if (rp != NULL)
	pmFreeResult(rp);
}

void
pp_kin_read(pp_kin *k)
{
    read_parents(k, 0);
}

void
pp_kin_base(pp_kin *k)
{
    read_parents(k, 1);
}

/* the followed parent of pid, or NULL (v is in ascending pid order) */
static pp_kin_parent *
find(pp_kin *k, int pid)
{
    size_t lo = 0, hi = k->n;

    while (lo < hi) {
	size_t mid = lo + (hi - lo) / 2;
	if (k->v[mid].pid < pid)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return lo < k->n && k->v[lo].pid == pid ? &k->v[lo] : NULL;
}

static pp_kin_parent *
follow(pp_kin *k, const pp_proc *p, unsigned cycle)
{
    size_t i;

    if (k->n == PP_KIN_MAX)
	return NULL;
    for (i = k->n; i > 0 && k->v[i - 1].pid > p->pid; i--)
	k->v[i] = k->v[i - 1];
    k->v[i].pid = p->pid;
    k->v[i].start = p->start;
    k->v[i].reaped = k->v[i].delta = NAN;
    k->v[i].stale = 0;
    k->v[i].carry = 0;
    k->v[i].seen = cycle;
    k->v[i].from_zero = 0;
    k->n++;
    return &k->v[i];
}

static const pp_exit *sort_exits;
static const int *sort_head;

static int
by_pid(const void *a, const void *b)
{
    int x = sort_exits[*(const size_t *)a].pid;
    int y = sort_exits[*(const size_t *)b].pid;
    return (x > y) - (x < y);
}

static int
by_head(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int x = sort_head[i], y = sort_head[j];
    return x != y ? (x > y) - (x < y) : (i > j) - (i < j);
}

/* the exit whose pid is pid, from order (n exits sorted by pid), or -1 */
static long
exit_of(const pp_exit *exits, const size_t *order, size_t n, int pid)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
	size_t mid = lo + (hi - lo) / 2;
	if (exits[order[mid]].pid < pid)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return lo < n && exits[order[lo]].pid == pid ? (long)order[lo] : -1;
}

/* what a fit may leave to the parent's next interval: a child or two */
static double
carry_limit(double delta)
{
    return 2 * PP_ACCT_TICK_MS + 0.1 * fabs(delta);
}

/*
 * Fit the family of members fam[0..m) to parent p's reading.  What a
 * member followed itself had reaped by its last reading went to its own
 * family's records before (taken, ms): its parent reaps that again.
 */
static void
fit_family(pp_kin *k, pp_kin_parent *p, pp_exit *exits, const size_t *fam,
	   size_t m, double taken)
{
    double *lo = k->fit, *hi = lo + m, *cpu = hi + m;
    double target = p->delta + p->carry - taken, reached, left, lim;
    size_t i;

    for (i = 0; i < m; i++) {
	const pp_exit *e = &exits[fam[i]];
	target -= e->before;
	cpu[i] = e->cpu_ms;
	lo[i] = e->lo < e->cpu_ms ? e->lo : e->cpu_ms;
	hi[i] = e->cpu_ms + e->headroom;
    }
    reached = pp_fit_total(cpu, lo, hi, m, target > 0 ? target : 0);
    for (i = 0; i < m; i++) {
	pp_exit *e = &exits[fam[i]];
	e->cpu_ms = cpu[i];
	e->headroom = 0;	/* settled: the machine's residue is not theirs */
    }
    left = target - reached;
    lim = carry_limit(p->delta);
    p->carry = fabs(left) <= lim ? left : copysign(lim, left);
    k->refused_ms += fabs(left - p->carry);
    k->fitted += m;
}

/* the live table entry of pid this cycle, or NULL */
static const pp_proc *
live_entry(const pp_table *procs, int pid)
{
    const pp_proc *pr = pid > 0 ? pp_table_lookup(procs, pid) : NULL;

    return pr != NULL && pr->cycle == procs->cycle && pr->gone_since == 0 ?
	   pr : NULL;
}

void
pp_kin_plan(pp_kin *k, const pp_exit *exits, size_t n, const pp_table *procs)
{
    size_t i, j;

    k->planned = 0;
    if (n > k->max) {
	size_t want = n > 2 * k->max ? n : 2 * k->max;
	size_t *o = realloc(k->order, want * sizeof(*o));
	int *h = o ? realloc(k->head, want * sizeof(*h)) : NULL;
	double *f = h ? realloc(k->fit, 3 * want * sizeof(*f)) : NULL;
	if (o != NULL)
	    k->order = o;
	if (h != NULL)
	    k->head = h;
	if (f == NULL)
	    return;
	k->fit = f;
	k->max = want;
    }
    /* each exit's family head: its nearest ancestor not among them */
    for (i = 0; i < n; i++)
	k->order[i] = i;
    sort_exits = exits;
    qsort(k->order, n, sizeof(*k->order), by_pid);
    for (i = 0; i < n; i++) {
	int h = exits[i].ppid, depth = 0;
	long x;

	while (h > 0 && depth++ < HEAD_DEPTH &&
	       (x = exit_of(exits, k->order, n, h)) >= 0)
	    h = exits[x].ppid;
	k->head[i] = depth > HEAD_DEPTH ? -1 : h;
    }
    /* family by family; a live head not followed yet is from now on, and
       one that started since the last cycle reaped all its children in
       this interval: its first reading is its delta (pp_kin_base) */
    for (i = 0; i < n; i++)
	k->order[i] = i;
    sort_head = k->head;
    qsort(k->order, n, sizeof(*k->order), by_head);
    for (i = 0; i < n; i = j) {
	int h = k->head[k->order[i]];
	const pp_proc *pr = live_entry(procs, h);
	pp_kin_parent *p;

	for (j = i; j < n && k->head[k->order[j]] == h; j++)
	    ;
	if (pr != NULL && (p = find(k, h)) == NULL &&
	    (p = follow(k, pr, procs->cycle)) != NULL)
	    p->from_zero = procs->primed && pr->born == procs->cycle;
    }
    k->planned = n;
}

void
pp_kin_fit(pp_kin *k, pp_exit *exits, size_t n, const pp_table *procs)
{
    size_t i, j, w;
    unsigned cycle = procs->cycle;

    if (k->planned != n) {
	k->unfitted += n;	/* out of memory */
	n = 0;
    }
    for (i = 0; i < n; i = j) {
	int h = k->head[k->order[i]], known = 1;
	const pp_proc *pr;
	pp_kin_parent *p, *f;
	double taken = 0;

	/* members followed themselves (a shell whose children were
	   fitted to it, a configure script ended): known only when read */
	for (j = i; j < n && k->head[k->order[j]] == h; j++) {
	    if ((f = find(k, exits[k->order[j]].pid)) == NULL)
		continue;
	    if (isfinite(f->reaped))
		taken += f->reaped;
	    else
		known = 0;
	}
	if ((pr = live_entry(procs, h)) == NULL || (p = find(k, h)) == NULL) {
	    k->unfitted += j - i;	/* no live head to read */
	    continue;
	}
	p->seen = cycle;
	if (p->start != pr->start) {
	    /* another process with its pid: start again */
	    p->start = pr->start;
	    p->reaped = p->delta = NAN;
	    p->carry = 0;
	}
	if (!isfinite(p->delta) || !known) {
	    k->unfitted += j - i;
	    p->carry = 0;
	    p->delta = NAN;
	    continue;
	}
	fit_family(k, p, exits, k->order + i, j - i, taken);
	p->delta = NAN;		/* taken */
    }
    k->planned = 0;
    /* parents whose children's records did not come this time: what they
       reaped waits for them (a little of it); gone or idle ones go */
    for (i = w = 0; i < k->n; i++) {
	pp_kin_parent *p = &k->v[i];
	const pp_proc *pr = pp_table_lookup(procs, p->pid);

	if (pr == NULL || pr->cycle != cycle || pr->gone_since != 0 ||
	    cycle - p->seen > PP_KIN_IDLE)
	    continue;
	if (isfinite(p->delta)) {
	    double c = p->carry + p->delta, lim = carry_limit(p->delta);
	    p->carry = fabs(c) <= lim ? c : copysign(lim, c);
	    p->delta = NAN;
	}
	k->v[w++] = *p;
    }
    k->n = w;
}
