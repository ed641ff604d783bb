/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attribution arithmetic; see attrib.h.
 */
#include "attrib.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- counters ---- */

pp_delta_status
pp_counter_feed(pp_counter *c, double value, double dt, double max_watts,
		double *joules)
{
    double d;
    pp_delta_status s;

    *joules = 0;
    if (!isfinite(value) || value < 0)
	return PP_DELTA_BADVALUE;	/* keep the old reference */
    if (!c->primed) {
	c->last = value;
	c->primed = 1;
	return PP_DELTA_PRIMING;
    }
    d = value - c->last;
    s = PP_DELTA_OK;
    if (d < 0) {
	/*
	 * Backwards: a wrap if the counter has a known range and the
	 * old reading lay within it, else a reset (reboot, driver reload,
	 * agent of the source restarted).
	 */
	if (c->range > 0 && c->last <= c->range) {
	    d = (c->range - c->last) + value;
	    s = PP_DELTA_WRAPPED;
	} else {
	    s = PP_DELTA_RESET;
	}
    }
    c->last = value;
    if (s == PP_DELTA_RESET)
	return s;
    if (!(dt > 0) || (max_watts > 0 && d / dt > max_watts))
	return PP_DELTA_IMPLAUSIBLE;
    *joules = d;
    return s;
}

int
pp_delta_usable(pp_delta_status s)
{
    return s == PP_DELTA_OK || s == PP_DELTA_WRAPPED;
}

const char *
pp_delta_text(pp_delta_status s)
{
    switch (s) {
    case PP_DELTA_OK:		return "ok";
    case PP_DELTA_WRAPPED:	return "ok, counter wrapped at its range";
    case PP_DELTA_PRIMING:	return "priming: first reading";
    case PP_DELTA_RESET:	return "interval skipped: counter went backwards (reset)";
    case PP_DELTA_IMPLAUSIBLE:	return "interval skipped: implausible power";
    case PP_DELTA_BADVALUE:	return "interval skipped: bad reading";
    }
    return "?";
}

int
pp_gap_untold(double dt, double interval, double gap, int gauge,
	      double range, double max_watts)
{
    if (!(dt > gap && dt > 2 * interval))
	return 0;		/* an interval, not a gap */
    if (gauge)
	return 1;
    return range > 0 && !(dt * max_watts < range);
}

/* ---- gauges ---- */

int
pp_gauge_add(pp_gauge *g, double t, double watts, double max_watts)
{
    if (!isfinite(watts) || watts < 0 || (max_watts > 0 && watts > max_watts))
	return -1;
    if (!g->have) {
	g->have = 1;
	g->t_start = g->t_last = t;
	g->w_last = watts;
	g->area = 0;
	g->nsamples = 0;
	return 0;
    }
    if (t < g->t_last - PP_CLOCK_STEP) {
	/* the clock was stepped back: start again from this reading */
	g->t_start = g->t_last = t;
	g->w_last = watts;
	g->area = 0;
	g->nsamples = 0;
	return 0;
    }
    if (!(t > g->t_last))
	return -1;		/* same or older time stamp: nothing new */
    g->area += (t - g->t_last) * (watts + g->w_last) / 2;
    g->t_last = t;
    g->w_last = watts;
    g->nsamples++;
    return 0;
}

double
pp_interval_seconds(double wall, double mono)
{
    double off;

    if (!(mono > 0))
	return wall;		/* no monotonic time: an archive */
    off = wall - mono;
    if (wall > 0 && off * off <= (PP_CLOCK_STEP + 0.1 * mono) * (PP_CLOCK_STEP + 0.1 * mono))
	return wall;		/* as measured by the time stamps */
    return mono;		/* the wall clock was stepped in between */
}

int
pp_gauge_take(pp_gauge *g, double *joules, double *seconds)
{
    int n = g->nsamples;

    *joules = g->area;
    *seconds = g->t_last - g->t_start;
    g->area = 0;
    g->t_start = g->t_last;
    g->nsamples = 0;
    if (n == 0 || !(*seconds > 0)) {
	*joules = *seconds = 0;
	return 0;
    }
    return n;
}

/* ---- batteries ---- */

int
pp_battery_level(pp_battery *b, double t, double level, double hold)
{
    if (!isfinite(level))
	return b->fell_at > 0 && t - b->fell_at <= hold;
    if (b->seen && level < b->level)
	b->fell_at = t;
    else if (b->seen && level > b->level)
	b->fell_at = 0;		/* charging */
    b->level = level;
    b->seen = 1;
    return b->fell_at > 0 && t - b->fell_at <= hold;
}

/* ---- accounting records ---- */

/* a record's field in ms: negative and non-finite ones are empty */
static double
field_ms(double ms)
{
    return isfinite(ms) && ms > 0 ? ms : 0;
}

/*
 * A process cannot use more CPU than it lived, unless its record says so.
 * The elapsed time is truncated to ticks too: it lived less than a tick
 * longer than that.
 */
static double
within_elapsed(double est, double truncated, double etime_ms, double tick_ms)
{
    double lived = etime_ms + tick_ms;

    if (isfinite(etime_ms) && etime_ms >= 0 && est > lived)
	return lived > truncated ? lived : truncated;
    return est;
}

double
pp_acct_cpu_ms(double utime_ms, double stime_ms, double etime_ms,
	       double tick_ms)
{
    double u = field_ms(utime_ms), s = field_ms(stime_ms), truncated = u + s;
    double est;

    if (isfinite(etime_ms) && etime_ms > 0 && truncated >= etime_ms / 2) {
	/* busy all along: a tick lost over its two fields, but one thread
	   used no more than it lived, which is half a tick beyond its
	   truncated elapsed time on average */
	est = truncated + tick_ms;
	if (truncated <= etime_ms + tick_ms / 2 && est > etime_ms + tick_ms / 2)
	    est = etime_ms + tick_ms / 2;
    } else
	est = truncated + (u > 0 ? tick_ms / 2 : tick_ms / 10) +
	      (s > 0 ? tick_ms / 2 : tick_ms / 10);
    return within_elapsed(est, truncated, etime_ms, tick_ms);
}

double
pp_acct_cpu_max_ms(double utime_ms, double stime_ms, double etime_ms,
		   double tick_ms)
{
    double truncated = field_ms(utime_ms) + field_ms(stime_ms);

    return within_elapsed(truncated + 2 * tick_ms, truncated, etime_ms, tick_ms);
}

double
pp_fill_residue(double *cpu, const double *headroom, size_t n, double residue)
{
    double room = 0, fill;
    size_t i;

    if (!isfinite(residue) || residue <= 0)
	return 0;
    for (i = 0; i < n; i++)
	if (headroom[i] > 0)
	    room += headroom[i];
    if (room <= 0)
	return 0;
    fill = residue < room ? residue : room;
    for (i = 0; i < n; i++)
	if (headroom[i] > 0)
	    cpu[i] += headroom[i] * fill / room;
    return fill;
}

double
pp_fit_total(double *cpu, const double *lo, const double *hi, size_t n,
	     double target)
{
    double sum = 0, room = 0, move, r;
    size_t i;

    for (i = 0; i < n; i++)
	sum += cpu[i];
    if (!isfinite(target))
	return sum;
    move = target - sum;
    for (i = 0; i < n; i++) {
	r = move > 0 ? hi[i] - cpu[i] : cpu[i] - lo[i];
	if (r > 0)
	    room += r;
    }
    if (move == 0 || room <= 0)
	return sum;
    if (fabs(move) > room)
	move = move > 0 ? room : -room;
    for (i = 0; i < n; i++) {
	r = move > 0 ? hi[i] - cpu[i] : cpu[i] - lo[i];
	if (r > 0)
	    cpu[i] += r * move / room;
	sum += r > 0 ? r * move / room : 0;
    }
    return sum;
}

/* ---- model ---- */

double
pp_model_watts(int ncpu, double util, double idle_w, double busy_w)
{
    if (ncpu < 1)
	ncpu = 1;
    if (!isfinite(util) || util < 0)
	util = 0;
    if (util > 1)
	util = 1;
    return ncpu * (idle_w + util * (busy_w - idle_w));
}

/* ---- process table ---- */

#define PP_INITIAL_HASH	1024

void
pp_table_init(pp_table *t)
{
    memset(t, 0, sizeof(*t));
}

/*
 * Entries come from blocks, side by side in the order processes were
 * first seen, which is the order a fetch lists them in each cycle: the
 * cycle walks memory forward instead of jumping around it.
 */
#define PP_SLAB	256

/* what each cycle reads and writes of every process: one cache line */
_Static_assert(offsetof(pp_proc, active_cycle) + sizeof(unsigned) <= 64,
	       "the per-cycle fields of pp_proc outgrew a cache line");

struct pp_slab {
    pp_proc		entry[PP_SLAB];
    size_t		used;		/* entries handed out once */
    size_t		live;		/* of those, not free now */
    struct pp_slab	*next;
};

/* an entry, zeroed: a free one, else the next of the newest block */
static pp_proc *
new_entry(pp_table *t)
{
    struct pp_slab *b = t->slabs;
    pp_proc *p;

    if (t->free) {
	p = t->free;
	t->free = p->next;
	b = p->slab;
    } else {
	if (b == NULL || b->used == PP_SLAB) {
	    if ((b = aligned_alloc(64, sizeof(*b))) == NULL)
		return NULL;
	    b->used = b->live = 0;
	    b->next = t->slabs;
	    t->slabs = b;
	}
	p = &b->entry[b->used++];
    }
    memset(p, 0, sizeof(*p));
    p->slab = b;
    b->live++;
    return p;
}

void
pp_table_free(pp_table *t)
{
    size_t i;
    pp_proc *p;
    struct pp_slab *b, *nb;

    for (i = 0; i < t->hsize; i++)
	for (p = t->hash[i]; p; p = p->next)
	    free(p->name);
    for (b = t->slabs; b; b = nb) {
	nb = b->next;
	free(b);
    }
    free(t->hash);
    free(t->order);
    free(t->prev);
    free(t->missing);
    free(t->active);
    memset(t, 0, sizeof(*t));
}

static size_t
slot(const pp_table *t, int pid)
{
    return ((unsigned)pid * 2654435761u) & (t->hsize - 1);
}

/* the hash table with nsize slots (a power of two); -1 out of memory */
static int
rehash(pp_table *t, size_t nsize)
{
    size_t i;
    pp_proc **nh = calloc(nsize, sizeof(*nh));
    pp_proc *p, *n;
    size_t old = t->hsize;
    pp_proc **oh = t->hash;

    if (nh == NULL)
	return -1;
    t->hash = nh;
    t->hsize = nsize;
    for (i = 0; i < old; i++)
	for (p = oh[i]; p; p = n) {
	    size_t s = slot(t, p->pid);
	    n = p->next;
	    p->next = nh[s];
	    nh[s] = p;
	}
    free(oh);
    return 0;
}

static int
grow(pp_table *t)
{
    return rehash(t, t->hsize ? t->hsize * 2 : PP_INITIAL_HASH);
}

static void
drop_name(pp_table *t, pp_proc *p)
{
    if (p->name != NULL) {
	if (t->retire)
	    t->retire(p->name, t->retire_arg);
	else
	    free(p->name);
    }
    p->name = NULL;
}

/* append p to a list of entries; -1 when out of memory */
static int
append(pp_proc ***v, size_t *n, size_t *max, pp_proc *p)
{
    if (*n == *max) {
	size_t m = *max ? *max * 2 : 1024;
	pp_proc **nv = realloc(*v, m * sizeof(*nv));
	if (nv == NULL)
	    return -1;
	*v = nv;
	*max = m;
    }
    (*v)[(*n)++] = p;
    return 0;
}

void
pp_table_begin(pp_table *t)
{
    pp_proc **v = t->prev;
    size_t max = t->prevmax, i;

    /* last cycle's order becomes the guide for this one's */
    t->prev = t->order;
    t->prevmax = t->ordermax;
    t->nprev = t->norder;
    t->order = v;
    t->ordermax = max;
    t->cursor = 0;
    t->again = 0;
    t->cycle++;
    t->norder = 0;
    t->cpu_sum = 0;
    /* last interval's shares end with it (the list's entries are all
       still in the table: only entries missed in a cycle are dropped) */
    for (i = 0; i < t->nactive; i++)
	t->active[i]->share = t->active[i]->power = 0;
    t->nactive = 0;
    if (t->all_active)
	for (i = 0; i < t->nprev; i++)
	    t->prev[i]->share = t->prev[i]->power = 0;
    t->all_active = 0;
}

/* p used CPU time in this interval: on the active list, once */
static void
mark_active(pp_table *t, pp_proc *p)
{
    if (!(p->delta > 0) || p->active_cycle == t->cycle)
	return;
    p->active_cycle = t->cycle;
    if (append(&t->active, &t->nactive, &t->activemax, p) < 0)
	t->all_active = 1;
}

/* note p as recorded in this cycle; -1 when out of memory */
static int
record(pp_table *t, pp_proc *p)
{
    p->order_index = (unsigned)t->norder;
    return append(&t->order, &t->norder, &t->ordermax, p);
}

/*
 * The entry of pid: most often the one after the last found in last
 * cycle's order; otherwise from the hash, and the guide resumes after it.
 * Entries in last cycle's order are all still in the table (none is
 * swept before a cycle in which it was not recorded).
 */
static pp_proc *
find(pp_table *t, int pid)
{
    pp_proc *p;

    /* the entries coming next: their cache misses overlap with this one */
    if (t->cursor + 8 < t->nprev)
	__builtin_prefetch(t->prev[t->cursor + 8], 1);
    if (t->cursor < t->nprev && (p = t->prev[t->cursor])->pid == pid) {
	t->cursor++;
	return p;
    }
    p = pp_table_lookup(t, pid);
    if (p != NULL && p->cycle == t->cycle - 1 && p->order_index < t->nprev &&
	t->prev[p->order_index] == p)
	t->cursor = p->order_index + 1;
    return p;
}

pp_proc *
pp_table_lookup(const pp_table *t, int pid)
{
    pp_proc *p;

    if (t->hsize == 0)
	return NULL;
    for (p = t->hash[slot(t, pid)]; p; p = p->next)
	if (p->pid == pid)
	    return p;
    return NULL;
}

static void
proc_restart(pp_proc *p, const pp_table *t, double start, double cpu_ms)
{
    p->start = start;
    p->gone_since = 0;
    p->settled = 0;
    p->born = t->cycle;
    /* new since the last cycle: all its CPU time is in this interval */
    p->delta = t->primed ? cpu_ms : 0;
    p->cpu = cpu_ms;
    p->share = p->power = p->energy = 0;
}

pp_proc *
pp_table_update(pp_table *t, int pid, double start, double cpu_ms, int *isnew)
{
    pp_proc *p = find(t, pid);

    if (!isfinite(cpu_ms) || cpu_ms < 0)
	cpu_ms = 0;
    *isnew = 0;
    if (p != NULL && p->cycle == t->cycle) {
	/* recorded twice in a cycle: the later figure stands */
	t->cpu_sum -= p->delta;
	p->delta += cpu_ms - p->cpu;
	if (p->delta < 0)
	    p->delta = 0;
	p->cpu = cpu_ms;
	t->cpu_sum += p->delta;
	mark_active(t, p);
	return p;
    }
    if (p != NULL && p->cycle + 1 == t->cycle)
	t->again++;		/* one of last cycle's, recorded again */
    if (p != NULL && (start >= 0 ? p->start != start : cpu_ms < p->cpu)) {
	/* pid reused by another process: it starts from zero */
	proc_restart(p, t, start >= 0 ? start : 0, cpu_ms);
	t->generation++;
	drop_name(t, p);
	*isnew = 1;
    } else if (p != NULL) {
	if (p->cycle + 1 != t->cycle && p->gone_since != 0) {
	    /* missed once but still there */
	    p->gone_since = 0;
	    t->generation++;
	}
	p->delta = cpu_ms - p->cpu;
	if (p->delta < 0)	/* cannot happen for one process; be safe */
	    p->delta = 0;
	p->cpu = cpu_ms;
    } else {
	if (t->count + 1 > t->hsize && grow(t) < 0)
	    return NULL;
	if ((p = new_entry(t)) == NULL)
	    return NULL;
	p->pid = pid;
	proc_restart(p, t, start >= 0 ? start : 0, cpu_ms);
	size_t s = slot(t, pid);
	p->next = t->hash[s];
	t->hash[s] = p;
	t->count++;
	t->generation++;
	*isnew = 1;
    }
    if (record(t, p) < 0)
	return NULL;	/* not in this cycle: swept as gone, then found again */
    p->cycle = t->cycle;
    t->cpu_sum += p->delta;
    mark_active(t, p);
    return p;
}

void
pp_table_reused(pp_table *t, pp_proc *p, double start, int late)
{
    double delta = p->delta;

    t->cpu_sum -= p->delta;
    proc_restart(p, t, start, p->cpu);
    if (late)
	p->delta = delta;
    t->cpu_sum += p->delta;
    mark_active(t, p);
    t->generation++;
    drop_name(t, p);
}

int
pp_proc_set_name(pp_table *t, pp_proc *p, const char *name)
{
    char *copy = strdup(name);

    if (copy == NULL)
	return -1;
    drop_name(t, p);
    p->name = copy;
    return 0;
}

double
pp_table_cpu(const pp_table *t)
{
    return t->cpu_sum;
}

void
pp_table_split(pp_table *t, double exited_ms, double joules, double seconds,
	       double busy_ms, pp_split *out)
{
    size_t i;
    pp_proc *p;
    double sum = 0, total, watts;
    int trusted = joules >= 0 && seconds > 0 && isfinite(joules);

    memset(out, 0, sizeof(*out));
    sum = t->cpu_sum;
    if (isfinite(exited_ms) && exited_ms > 0 && t->primed)
	sum += exited_ms;
    if (!isfinite(busy_ms) || busy_ms < 0)
	busy_ms = 0;
    total = sum > busy_ms ? sum : busy_ms;
    watts = trusted ? joules / seconds : 0;

    out->cpu_procs = sum;
    out->cpu_total = total;
    out->power = watts;
    out->joules = trusted ? joules : 0;
    out->coverage = total > 0 ? 100.0 * sum / total : 0;

    /* the others' shares and power are 0 (pp_table_begin, proc_restart) */
    for (i = 0; i < (t->all_active ? t->norder : t->nactive); i++) {
	p = t->all_active ? t->order[i] : t->active[i];
	p->share = total > 0 ? p->delta / total : 0;
	if (trusted && t->primed) {
	    p->power = p->share * watts;
	    p->energy += p->share * joules;
	} else {
	    p->power = 0;
	}
    }

    if (trusted && t->primed) {
	out->unattributed_share = total > 0 ? (total - sum) / total : 1;
	out->unattributed_power = out->unattributed_share * watts;
	out->unattributed_joules = out->unattributed_share * joules;
	out->joules_per_ms = total > 0 ? joules / total : 0;
	out->watts_per_ms = total > 0 ? watts / total : 0;
    }
    t->primed = 1;
}

/* take p out of the table and keep its entry for another process */
static void
drop_entry(pp_table *t, pp_proc *p)
{
    pp_proc **pp = &t->hash[slot(t, p->pid)];

    while (*pp != NULL && *pp != p)
	pp = &(*pp)->next;
    if (*pp == p)
	*pp = p->next;
    drop_name(t, p);
    p->next = t->free;
    t->free = p;
    p->slab->live--;
    t->count--;
}

/* p was not recorded this cycle: out of the live set from now on */
static void
missed(pp_table *t, pp_proc *p, double now)
{
    p->gone_since = now;
    t->generation++;
    p->power = p->share = 0;
}

/* the old way: every entry looked at, the missing list made again */
static size_t
sweep_all(pp_table *t, double now, double grace, pp_exit_fn fn, void *arg)
{
    size_t i, gone = 0;
    pp_proc *p, *next;

    t->nmissing = 0;
    for (i = 0; i < t->hsize; i++)
	for (p = t->hash[i]; p; p = next) {
	    next = p->next;
	    if (p->cycle == t->cycle)
		continue;
	    if (p->gone_since == 0)
		missed(t, p, now);
	    if (now - p->gone_since < grace &&
		append(&t->missing, &t->nmissing, &t->missingmax, p) == 0)
		continue;
	    if (fn)
		fn(p, arg);
	    drop_entry(t, p);
	    gone++;
	}
    return gone;
}

size_t
pp_table_sweep(pp_table *t, double now, double grace, pp_exit_fn fn,
	       void *arg)
{
    size_t i, kept = 0, gone = 0;
    pp_proc *p;
    int lost = 0;

    t->live = t->norder;
    /* newly missed: recorded last cycle, not in this one (none when all
       of last cycle's were recorded again: no entry need be looked at) */
    for (i = 0; t->again < t->nprev && i < t->nprev; i++) {
	p = t->prev[i];
	if (p->cycle != t->cycle && p->gone_since == 0) {
	    missed(t, p, now);
	    if (append(&t->missing, &t->nmissing, &t->missingmax, p) < 0)
		lost = 1;
	}
    }
    /* the missing: seen again, still in their grace, or dropped */
    for (i = 0; i < t->nmissing; i++) {
	p = t->missing[i];
	if (p->cycle == t->cycle)
	    continue;		/* back in the live set */
	if (now - p->gone_since < grace) {
	    t->missing[kept++] = p;
	    continue;
	}
	if (fn)
	    fn(p, arg);
	drop_entry(t, p);
	gone++;
    }
    t->nmissing = kept;
    /* entries neither live nor on the list (out of memory, or a sweep
       without a cycle begun): look at all of them */
    if (lost || t->norder + t->nmissing != t->count)
	gone += sweep_all(t, now, grace, fn, arg);
    return gone;
}

/* a list of n entries allocated for far more: made smaller */
static void
shrink(pp_proc ***v, size_t n, size_t *max)
{
    size_t want = n < 512 ? 1024 : 2 * n;
    pp_proc **nv;

    if (*max <= 2 * want || (nv = realloc(*v, want * sizeof(*nv))) == NULL)
	return;
    *v = nv;
    *max = want;
}

/*
 * Processes that came and went leave the live entries scattered over the
 * blocks (a new one takes the entry a gone one left), and a cycle walking
 * them in fetch order then jumps around memory: after a peak of 20,000,
 * 5,000 processes cost the cycle 0.2 ms more than the same 5,000 side by
 * side.  Scattered: more than one in eight not right after the one before.
 */
static int
scattered(const pp_table *t)
{
    size_t i, jumps = 0;

    for (i = 1; i < t->norder; i++)
	if (t->order[i] != t->order[i - 1] + 1)
	    jumps++;
    return jumps > t->norder / 8 + 1;
}

/* the j-th entry of the new blocks takes p's place (p->next leads to it) */
static pp_proc *
move_entry(pp_proc *p, struct pp_slab **blocks, size_t j)
{
    struct pp_slab *b = blocks[j / PP_SLAB];
    pp_proc *q = &b->entry[j % PP_SLAB];

    *q = *p;
    q->slab = b;
    b->used++;
    b->live++;
    p->next = q;
    return q;
}

/*
 * The entries moved into new blocks: the live ones side by side in the
 * order of the last fetch, then the missing; the old blocks freed.
 * Nothing is done if a block cannot be had, or if the lists do not hold
 * every entry.  Between cycles only.
 */
static void
compact(pp_table *t)
{
    size_t n = t->count, nb = (n + PP_SLAB - 1) / PP_SLAB, i, j = 0;
    struct pp_slab **blocks, *b, *nextb;
    pp_proc *p;

    if (n == 0 || t->norder + t->nmissing != n)
	return;
    /* each entry on one list only: the live of the last cycle, the rest */
    for (i = 0; i < t->norder; i++)
	if (t->order[i]->cycle != t->cycle)
	    return;
    for (i = 0; i < t->nmissing; i++)
	if (t->missing[i]->cycle == t->cycle)
	    return;
    if ((blocks = calloc(nb, sizeof(*blocks))) == NULL)
	return;
    for (i = 0; i < nb; i++)
	if ((blocks[i] = aligned_alloc(64, sizeof(*blocks[i]))) == NULL) {
	    while (i > 0)
		free(blocks[--i]);
	    free(blocks);
	    return;
	}
    for (i = 0; i < nb; i++) {
	blocks[i]->used = blocks[i]->live = 0;
	/* the last block, the one with room, first on the list */
	blocks[i]->next = i > 0 ? blocks[i - 1] : NULL;
    }
    for (i = 0; i < t->norder; i++)
	t->order[i] = move_entry(t->order[i], blocks, j++);
    for (i = 0; i < t->nmissing; i++)
	t->missing[i] = move_entry(t->missing[i], blocks, j++);
    /* last cycle's active ones are among its live ones, moved */
    for (i = 0; i < t->nactive; i++)
	t->active[i] = t->active[i]->next;
    for (b = t->slabs; b; b = nextb) {
	nextb = b->next;
	free(b);
    }
    t->slabs = blocks[nb - 1];
    t->free = NULL;
    memset(t->hash, 0, t->hsize * sizeof(*t->hash));
    for (i = 0; i < n; i++) {
	size_t k = slot(t, (p = &blocks[i / PP_SLAB]->entry[i % PP_SLAB])->pid);
	p->next = t->hash[k];
	t->hash[k] = p;
    }
    free(blocks);
}

size_t
pp_table_trim(pp_table *t)
{
    struct pp_slab **bp, *b;
    pp_proc **fp, *p;
    size_t freed = 0, n = PP_INITIAL_HASH;

    /* blocks with no live entry: their entries off the free list, then
       the blocks themselves */
    for (b = t->slabs; b; b = b->next)
	if (b->live == 0)
	    break;
    if (b != NULL) {
	for (fp = &t->free; (p = *fp) != NULL;)
	    if (p->slab->live == 0)
		*fp = p->next;
	    else
		fp = &p->next;
	for (bp = &t->slabs; (b = *bp) != NULL;)
	    if (b->live == 0) {
		*bp = b->next;
		free(b);
		freed++;
	    } else
		bp = &b->next;
    }
    /* a hash at least twice the size it would grow to again */
    while (n < t->count)
	n *= 2;
    if (t->hsize > 2 * n)
	rehash(t, n);
    /* the cycle before last's list: replaced when the next one begins,
       and it may hold entries of the blocks just freed */
    t->nprev = 0;
    t->cursor = 0;
    if (scattered(t))
	compact(t);
    shrink(&t->order, t->norder, &t->ordermax);
    shrink(&t->prev, t->nprev, &t->prevmax);
    shrink(&t->active, t->nactive, &t->activemax);
    shrink(&t->missing, t->nmissing, &t->missingmax);
    return freed;
}

/* ---- a restart's gap ---- */

const pp_saved_proc *
pp_saved_find(const pp_saved_proc *saved, size_t n, int pid)
{
    size_t lo = 0, hi = n, mid;

    while (lo < hi) {
	mid = lo + (hi - lo) / 2;
	if (saved[mid].pid < pid)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return lo < n && saved[lo].pid == pid ? &saved[lo] : NULL;
}

size_t
pp_table_gap(const pp_table *t, const pp_saved_proc *saved, size_t nsaved,
	     double since_ms, pp_proc **who, double *ms)
{
    const pp_saved_proc *s;
    size_t i, n = 0;
    pp_proc *p;

    for (i = 0; i < t->norder; i++) {
	p = t->order[i];
	if (p->start <= 0 || !(p->cpu >= 0))
	    continue;
	s = pp_saved_find(saved, nsaved, p->pid);
	/* start times are whole ms (written with three decimals) */
	if (s != NULL && fabs(s->start - p->start) <= 0.5) {
	    if (!(p->cpu >= s->cpu))
		continue;	/* not the same after all */
	    who[n] = p;
	    ms[n++] = p->cpu - s->cpu;
	} else if (since_ms >= 0 && p->start > since_ms) {
	    who[n] = p;		/* started in the gap */
	    ms[n++] = p->cpu;
	}
    }
    return n;
}

double
pp_gap_price(double procs_ms, double busy_ms, double joules)
{
    double total;

    if (!isfinite(procs_ms) || procs_ms <= 0 || !isfinite(joules) ||
	joules <= 0 || !isfinite(busy_ms) || busy_ms < 0)
	return 0;
    total = busy_ms > procs_ms ? busy_ms : procs_ms;
    return joules / total;
}
