/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attribution arithmetic: energy from counters and gauges, and the split of
 * a source's energy over processes by CPU time.  Plain numbers only: no PCP
 * calls and no clock, so the same code serves live sampling, archive replay
 * and the unit tests.
 *
 * Units throughout: seconds for time stamps and intervals, milliseconds for
 * CPU time (as pmda-proc and pmda-linux export it), joules and watts.
 */
#ifndef PP_ATTRIB_H
#define PP_ATTRIB_H

#include <stddef.h>

struct pp_agg;

/* ---- energy counters (RAPL, user "joules" metrics) ---- */

typedef enum {
    PP_DELTA_OK = 0,	/* a trustworthy delta */
    PP_DELTA_WRAPPED,	/* trustworthy, the counter wrapped at its range */
    PP_DELTA_PRIMING,	/* first reading: nothing to compare with */
    PP_DELTA_RESET,	/* went backwards with no known range: skipped */
    PP_DELTA_IMPLAUSIBLE,/* more than max_watts over the interval: skipped */
    PP_DELTA_BADVALUE,	/* negative, NaN or infinite reading: skipped */
} pp_delta_status;

typedef struct {
    double	last;		/* last reading, joules */
    double	range;		/* value at which the counter wraps, 0 unknown */
    int		primed;
} pp_counter;

/*
 * Feed one reading taken dt seconds after the previous one.  On OK or
 * WRAPPED *joules is the energy over the interval, otherwise 0.  The
 * reading always becomes the new reference, so one bad interval costs
 * one interval, never a spike later.
 */
pp_delta_status pp_counter_feed(pp_counter *c, double value, double dt,
				double max_watts, double *joules);
int pp_delta_usable(pp_delta_status s);
const char *pp_delta_text(pp_delta_status s);

/*
 * The length of an interval from the wall clock (pmcd's time stamps,
 * which an archive replays too) and a clock that is never stepped and
 * counts suspended time (the boot-time clock) read around the same
 * fetches (0 when there is none: an archive).  The wall clock's, unless
 * it was stepped in between (backwards, or apart from the other by more
 * than PP_CLOCK_STEP seconds and 10%): then the other's, so a clock step
 * neither stalls the agent nor makes a spike, and a suspended machine's
 * interval is as long as the suspension.
 */
#define PP_CLOCK_STEP	1.0
double pp_interval_seconds(double wall, double mono);

/*
 * A gap: two readings of a source more than GAP seconds apart (the
 * configuration's "gap", 600 by default) and more than twice the
 * interval (a suspended laptop, a stalled agent or pmcd, a restart).  A
 * source tells the energy in a gap only when it can say it unambiguously:
 * a counter with no range, or one that cannot have wrapped twice in it
 * (the gap at max_watts under its range); never a gauge, whose power
 * between two readings so far apart is unknown (a battery read 15 W
 * before a suspension and after it, not during it).  pp_gap_untold is 1
 * for a reading DT seconds after the last that cannot tell its interval's
 * energy: the interval is skipped, never a spike.
 */
int pp_gap_untold(double dt, double interval, double gap, int gauge,
		  double range, double max_watts);

/* ---- power gauges (battery power_now, user "watts" metrics) ---- */

typedef struct {
    double	t_start;	/* start of the current interval */
    double	t_last;		/* time of the last sub-sample */
    double	w_last;		/* watts at the last sub-sample */
    double	area;		/* joules integrated since t_start */
    int		have;		/* a sub-sample has been seen */
    int		nsamples;	/* sub-samples since t_start */
} pp_gauge;

/*
 * Add a sub-sample; the power between sub-samples is integrated by the
 * trapezoid rule.  Negative, NaN and absurd readings are refused (-1).
 * A time stamp more than PP_CLOCK_STEP before the last (the clock
 * stepped back) starts the interval again from this reading.
 */
int pp_gauge_add(pp_gauge *g, double t, double watts, double max_watts);

/*
 * Close the interval that ends at the last sub-sample: returns the number
 * of sub-sample spans it covered (0: nothing to report) and the energy and
 * duration covered.  The last sub-sample starts the next interval.
 */
int pp_gauge_take(pp_gauge *g, double *joules, double *seconds);

/* ---- whether a battery powers the machine ---- */

/*
 * A battery powers the machine while its charge level falls.  Batteries
 * update their level in steps (every few seconds to a minute), so a level
 * that holds still for a while does not end discharging at once: only a
 * rising level (charging) does, or a level that has not fallen for `hold`
 * seconds (on mains, full).
 */
typedef struct {
    double	level;		/* last level seen */
    double	fell_at;	/* time the level last fell, 0 never */
    int		seen;
} pp_battery;

#define PP_BATTERY_HOLD	15.0	/* seconds; at least two intervals */

/* feed the level at time t; returns 1 while discharging */
int pp_battery_level(pp_battery *b, double t, double level, double hold);

/* ---- CPU time of an exited process, from its accounting record ---- */

/*
 * The kernel writes a process accounting record's user and system times
 * truncated to whole ticks of 1/AHZ s (10 ms): a 30 ms process reads 20
 * ms, a third short.  A field of a tick or more loses half a tick on
 * average; a field that reads 0 mostly hides a millisecond or so (sleep,
 * true, a shell waiting for its children).  So: for a process that was
 * busy most of its life (the record accounts for half its elapsed time or
 * more), the sum plus one tick, but no more than its elapsed time plus
 * half a tick when one thread could have used it all; otherwise the sum plus half a tick per
 * non-zero field and a tenth of a tick per zero one; never more than its
 * elapsed time allows, unless the record itself says more (threads).  The
 * elapsed time is truncated to ticks as well (the kernel writes whole
 * ticks: /bin/true's 2 ms reads 0), so a process may have lived up to a
 * tick longer than its record says.
 */
#define PP_ACCT_TICK_MS	10.0

double pp_acct_cpu_ms(double utime_ms, double stime_ms, double etime_ms,
		      double tick_ms);

/* the most CPU time such a record can hide: up to a tick per field */
double pp_acct_cpu_max_ms(double utime_ms, double stime_ms, double etime_ms,
			  double tick_ms);

/*
 * Share out `residue` ms of CPU time that the machine was busy for but no
 * process accounts for over n estimates, each by at most headroom[i]
 * (what its record's truncation may hide), in proportion to it: the
 * machine's own busy time settles what the records' ticks cannot tell.
 * Returns how much was shared out.
 */
double pp_fill_residue(double *cpu, const double *headroom, size_t n,
		       double residue);

/*
 * Fit n estimates to a known total: a parent's reaped children's CPU time
 * (cutime + cstime, which the kernel keeps in nanoseconds) settles what
 * their records' ticks cannot tell.  Each cpu[i] moves within [lo[i],
 * hi[i]] (what its record allows), in proportion to its room on that
 * side, so that the sum is `target`, or as near as the bounds let it.
 * Returns the sum reached; `target` less it is what the bounds refused.
 */
double pp_fit_total(double *cpu, const double *lo, const double *hi,
		    size_t n, double target);

/* ---- the CPU-utilisation model for machines without a sensor ---- */

/*
 * Watts for ncpu CPUs busy for the fraction util (0..1) of the interval,
 * each drawing idle_w when idle and busy_w when fully busy.
 */
double pp_model_watts(int ncpu, double util, double idle_w, double busy_w);

/* ---- processes ---- */

/*
 * A process.  What every cycle touches comes first, in one cache line of
 * an entry aligned to it: at 5,000 processes the cycle's own arithmetic
 * costs less than the cache misses of reaching the entries.
 */
typedef struct pp_proc {
    int		pid;
    unsigned	cycle;		/* cycle in which it was last seen */
    double	cpu;		/* last utime+stime seen, ms */
    double	delta;		/* CPU ms in the current interval */
    double	share;		/* fraction of the interval's CPU, 0..1 */
    double	power;		/* watts over the interval */
    double	energy;		/* joules since it was first seen */
    char	*name;		/* instance name, "%06d cmd" */
    unsigned	order_index;	/* where it was recorded in its last cycle */
    unsigned	active_cycle;	/* last cycle it was on the active list */
    /* then what new, exiting and reused processes need */
    double	gone_since;	/* time it was first missed, 0 while live */
    double	start;		/* start time (pid reuse key), 0 unknown */
    int		settled;	/* its exit record has been counted */
    unsigned	born;		/* cycle it was first seen in */
    struct pp_agg *agg[3];	/* command, user, cgroup (aggregate.h) */
    struct pp_proc *next;	/* hash chain */
    struct pp_slab *slab;	/* the block it is in */
} __attribute__((aligned(64))) pp_proc;

enum { PP_AGG_COMMAND, PP_AGG_USER, PP_AGG_CGROUP, PP_NAGG };

typedef struct {
    pp_proc	**hash;
    size_t	hsize;
    size_t	count;		/* entries, live and gone */
    size_t	live;		/* entries seen in the current cycle */
    unsigned	cycle;		/* current cycle number */
    unsigned long generation;	/* changes whenever the live set does */
    int		primed;		/* a complete cycle has been seen */
    pp_proc	*free;		/* recycled entries */
    struct pp_slab *slabs;	/* where entries are allocated, in blocks */
    /* this cycle's processes, in the order they were recorded, and the
       last cycle's: a fetch lists processes in the same order each time,
       so the next one recorded is most often the next one of last cycle,
       found without touching the hash (whose cache misses would cost more
       than the rest of the cycle's arithmetic) */
    pp_proc	**order, **prev;
    size_t	norder, ordermax, nprev, prevmax, cursor;
    size_t	again;		/* of last cycle's, how many recorded again */
    double	cpu_sum;	/* CPU ms of this cycle's processes */
    /* this cycle's processes that used CPU time (delta > 0): the only ones
       the split gives a share to and the caller adds up (most processes
       are idle in any interval); the last cycle's are set back to 0 when
       the next begins.  all_active: the list is incomplete (out of
       memory), every live process is to be looked at. */
    pp_proc	**active;
    size_t	nactive, activemax;
    int		all_active;
    /* entries missed and kept for their grace period */
    pp_proc	**missing;
    size_t	nmissing, missingmax;
    /*
     * A name no longer wanted goes to retire(name, retire_arg) when set,
     * which frees it once nothing can still read it (snapshots of the
     * table hold its names), else it is freed at once.
     */
    void	(*retire)(char *name, void *arg);
    void	*retire_arg;
} pp_table;

void pp_table_init(pp_table *t);
void pp_table_free(pp_table *t);

/* start a cycle: every process not seen in it is swept at the end */
void pp_table_begin(pp_table *t);

/*
 * Record a live process's cumulative CPU time.  Returns its entry; *isnew
 * tells whether it was unknown (new, or a pid reused), in which case the
 * caller should give it a name with pp_proc_set_name().  start is its
 * start time, or negative when not known this cycle: then a pid counts as
 * reused when its CPU time went back (no process's does), and a new
 * entry's start is 0 until the caller sets it; pp_table_reused() restarts
 * an entry that turns out to be another process later in the cycle.
 * A process first seen after the table is primed counts all of its CPU
 * time since it started; in the priming cycle only the reference is kept.
 * An entry reused for a new process keeps its old agg pointers, for the
 * caller to release and replace.
 */
pp_proc *pp_table_update(pp_table *t, int pid, double start, double cpu_ms,
			 int *isnew);
int pp_proc_set_name(pp_table *t, pp_proc *p, const char *name);

/*
 * p, recorded this cycle, is another process that started at start.  Its
 * CPU time since it started is this interval's, unless late: the reuse was
 * found only now, after earlier intervals had counted part of that time
 * for the process p was taken for; then only this interval's CPU time
 * counts, so that no CPU time is counted twice.
 */
void pp_table_reused(pp_table *t, pp_proc *p, double start, int late);
pp_proc *pp_table_lookup(const pp_table *t, int pid);

/* result of one interval's split */
typedef struct {
    double	cpu_procs;	/* CPU ms of all processes, live and exited */
    double	cpu_total;	/* the denominator: max(processes, busy) */
    double	power;		/* source watts over the interval */
    double	joules;		/* source joules over the interval */
    double	unattributed_share;	/* fraction no process accounts for */
    double	unattributed_power;
    double	unattributed_joules;
    double	coverage;	/* percent of busy CPU named, 0..100 */
    double	joules_per_ms;	/* energy of one ms of CPU in this interval */
    double	watts_per_ms;	/* power of one ms of CPU in this interval */
} pp_split;

/* CPU ms of the live processes in the current cycle */
double pp_table_cpu(const pp_table *t);

/*
 * Split `joules` of energy over `seconds` across the processes seen in
 * this cycle by their CPU time, with exited_ms the CPU time in the
 * interval of processes that exited (priced with out->joules_per_ms by
 * the caller) and busy_ms the machine's busy CPU time in the interval (0
 * when unknown).  joules < 0 means the interval could not be trusted: CPU
 * references move on, nothing is attributed.
 */
void pp_table_split(pp_table *t, double exited_ms, double joules,
		    double seconds, double busy_ms, pp_split *out);

/*
 * Processes not seen in this cycle are gone: they leave the live set at
 * once (gone_since = now) but stay findable for `grace` seconds so that
 * their exit record can be matched; then fn is called and they are
 * dropped.  Returns the number dropped.
 */
typedef void (*pp_exit_fn)(pp_proc *p, void *arg);
size_t pp_table_sweep(pp_table *t, double now, double grace, pp_exit_fn fn,
		      void *arg);

/*
 * Give back what a peak of processes left behind: blocks of entries all
 * free, a hash table and lists far larger than the processes now need.
 * Between cycles only (no entry is held then).  Returns blocks freed.
 */
size_t pp_table_trim(pp_table *t);

/* ---- a restart's gap ---- */

/* a live process as the state file saved it (state.h) */
typedef struct {
    int		pid;
    double	start;		/* start time, as pmda-proc gives it */
    double	cpu;		/* utime+stime, ms */
} pp_saved_proc;

/* pid's entry in saved[0 .. n), in ascending pid order; NULL none */
const pp_saved_proc *pp_saved_find(const pp_saved_proc *saved, size_t n,
				   int pid);

/*
 * After a restart, the live processes of t (this cycle's, start time
 * known) whose CPU time over the gap is known for sure: those saved
 * before it (the same pid, the same start time, CPU time not gone back)
 * for their CPU time since the save, and those that started in the gap
 * (start time after since_ms, in pmda-proc's start time units; negative:
 * unknown, none) for all of theirs.  For each, who[k] and that CPU time
 * in ms[k] (both with room for t->norder).  saved[] is in ascending pid
 * order.  Returns how many.
 */
size_t pp_table_gap(const pp_table *t, const pp_saved_proc *saved,
		    size_t nsaved, double since_ms, pp_proc **who, double *ms);

/*
 * Joules per ms of CPU over a gap of `joules`: the processes' procs_ms
 * against the machine's busy_ms over the same gap, the larger of the
 * two, so that what no process accounts for stays the remainder's.  0
 * when nothing can be priced, and when busy_ms is negative (unknown: then
 * the processes' share of the gap cannot be told and all of it is the
 * remainder's).
 */
double pp_gap_price(double procs_ms, double busy_ms, double joules);

/*
 * The live processes are t->order[0 .. t->norder): in the order they were
 * recorded this cycle, which is the order of pmda-proc's own instances.
 * Those that used CPU time in the interval are t->active[0 .. t->nactive)
 * unless t->all_active; every other live process has share and power 0.
 */

#endif /* PP_ATTRIB_H */
