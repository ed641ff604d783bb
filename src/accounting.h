/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process accounting: the CPU time of processes that exited between two
 * samples, from the proc PMDA's acct.* records.  Each record is counted
 * once: a process sampled while alive contributes only the CPU time since
 * its last sample, one never sampled all of it.  Keeps accounting on where
 * it may (acct.control.enable_acct resets whenever pmcd restarts).
 */
#ifndef PP_ACCOUNTING_H
#define PP_ACCOUNTING_H

#include <stdint.h>
#include <pcp/pmapi.h>
#include "aggregate.h"
#include "attrib.h"

enum {
    PP_A_BTIME, PP_A_UTIME, PP_A_STIME, PP_A_ETIME, PP_A_PPID, PP_A_USER,
    PP_A_ENABLED, PP_A_LIFETIME, PP_A_COUNT
};

/* one exited process's CPU time in the current interval */
typedef struct {
    double	cpu_ms;		/* estimated from the record */
    double	headroom;	/* how much more its record may hide */
    double	lo;		/* the least its record allows (its ticks) */
    double	before;		/* CPU ms counted while it was sampled alive */
    int		pid;
    int		ppid;		/* its parent, -1 unknown or not to fit */
    pp_agg	*agg[PP_NAGG];
} pp_exit;

typedef struct pp_seen pp_seen;

/*
 * The gap a restart left, for the first cycle after it: the processes
 * live at its start (ascending pid order) and that start (seconds since
 * the epoch, as a record's begin time).
 */
typedef struct {
    const pp_saved_proc *saved;
    size_t	nsaved;
    double	since;
    /* records counted before it that began in since's second (pid << 32
       | begin time, ascending): not counted again */
    const uint64_t *counted;
    size_t	ncounted;
} pp_acct_gap;

typedef struct {
    pmID	pmid[PP_A_COUNT];
    int		type[PP_A_COUNT];
    pmInDom	indom;
    int		available;	/* the acct metrics exist */
    int		enabled;	/* acct.control.enable_acct was 1 */
    int		want;		/* keep accounting on (configuration) */
    int		store_ctx;	/* a context allowed to turn it on, -1 none */
    char	status[160];

    pp_seen	**seen;		/* records already counted (hash) */
    size_t	nseen;
    size_t	hseen;
    pp_seen	*oldest, *newest;	/* the same, in the order counted */
    /* the keys of those counted by the last two calls, the last call's
       from recent_cut on (pp_acct_recent) */
    uint64_t	*recent;
    size_t	nrecent, recentmax, recent_cut;
    double	keep;		/* seconds one is remembered: a minute more
				   than pmda-proc keeps its records */

    pp_exit	*exits;		/* this interval's exits */
    size_t	nexits;
    size_t	maxexits;
    unsigned long long counted;	/* records counted since start */
    int		taken;		/* a cycle took the exits: the next read
				   starts a new interval */
    double	read_time;	/* time of the last read (a result's) */
    double	read_rate;	/* new records a second it found */
    int		read_full;	/* it found as many new as pmda-proc keeps */
    double	life;		/* seconds pmda-proc keeps a record */

    /*
     * Records that did not come: processes sampled alive that left with
     * none, and canaries.  A canary is a child the agent starts and ends
     * each cycle: its record must be in the next cycle's; when it is not,
     * records have stopped (accounting turned off behind pmda-proc's
     * back, its file replaced, pmda-proc restarted and lost what it held).
     */
    unsigned long long missed;
    double	on_since;	/* time accounting was last seen turned on,
				   0 while off */
    int		canary;		/* pid of the last canary, 0 none */
    double	canary_time;	/* when it ended (seconds since the epoch) */
    int		canary_back;	/* its record came */
    int		stalled;	/* the last canary's record did not come */

    /* pids listed with a new exit record matching them, this interval
       (reads between cycles too): the process exited after the listing,
       or its pid was reused; the cycle describes them again */
    int		*suspect;
    size_t	nsuspect, maxsuspect;

    /* this cycle's records not counted yet: instance and begin time */
    int		*cand_inst;
    double	*cand_btime;
    size_t	ncand, maxcand;
} pp_accounting;

void pp_acct_init(pp_accounting *a, int want);
void pp_acct_free(pp_accounting *a);

/* look up the acct metrics in the current context */
void pp_acct_lookup(pp_accounting *a);

/*
 * append to a fetch list what is fetched of every record each cycle (its
 * begin time, to tell the new ones), whether accounting is on and how
 * long pmda-proc keeps records; returns how many (0 when unavailable)
 */
int pp_acct_pmids(const pp_accounting *a, pmID *list, int max);

/*
 * Turn the records in a full fetch (rp, with the acct metrics at index
 * `first` onwards) into this interval's exits.  boottime (seconds since
 * the epoch, NaN unknown) matches records to table entries by start
 * time.  In the priming cycle records are only remembered, except, after
 * a restart (gap not NULL), those of processes that ended in the gap: the
 * exits then hold each one's CPU time in the gap, for the gap's share
 * (sampler.c), none of the interval's.  While gap is given, a later
 * record of a process live before the restart counts only its CPU time
 * since then.  Aggregates of
 * a process never sampled come from its record (command, user) and its
 * parent (cgroup).  ctx is the sampling context, for instance names.
 */
void pp_acct_records(pp_accounting *a, const pmResult *rp, int first,
		     pp_table *procs, double boottime, int priming, double now,
		     pp_aggset sets[PP_NAGG], const pp_acct_gap *gap);

/*
 * Between cycles (no gap, not priming): the records pmda-proc holds now
 * (rp with the acct metrics from index first on), added to this interval's
 * exits, so that none is dropped from its 5,000 before the cycle reads
 * them.  A process still in the table whose record came has gone since.
 */
void pp_acct_peek(pp_accounting *a, const pmResult *rp, int first,
		  pp_table *procs, double boottime, double now,
		  pp_aggset sets[PP_NAGG]);

/*
 * Seconds from the last read of the records to the next, for none to be
 * dropped before it (pmda-proc keeps 5,000, each acct.control.lifetime
 * seconds), by the rate the last read found them at: from 0.25 s to 2 s;
 * negative when accounting is off.
 */
double pp_acct_read_gap(const pp_accounting *a);

/*
 * Whether a read between cycles is worth its fetch (of every record
 * pmda-proc holds, a tenth of a millisecond a thousand) when at most
 * `ended` processes ended since the last read, `since` seconds ago (the
 * sampler's count of the kernel's tasks, see tasks.h; negative: not
 * known, read).  Not while fewer than PEEK_NEW can have come, unless
 * pmda-proc was found dropping them or they could expire first.
 */
int pp_acct_read_due(const pp_accounting *a, double ended, double since);

/*
 * At the end of a live cycle: whether the last canary's record came (a
 * missing one counts as missed and the status says records stopped), and
 * a new canary.
 */
void pp_acct_canary(pp_accounting *a);

/* a process sampled alive left the table: its record should have come */
void pp_acct_left(pp_accounting *a, const pp_proc *p);

/*
 * The records counted in the last two cycles, as pid << 32 | begin time
 * (seconds): a state file keeps those that began in its last cycle's
 * second, which the cycle after a restart could not tell from records of
 * processes that began in the gap.  Returns how many are in *keys.
 */
size_t pp_acct_recent(const pp_accounting *a, const uint64_t **keys);

/* total CPU ms of this interval's exits */
double pp_acct_exited_ms(const pp_accounting *a);

/*
 * Give the exits the CPU time the machine was busy for beyond what live
 * processes and the exits' estimates account for, within what their
 * records' truncation may hide (see pp_fill_residue).
 */
void pp_acct_fill(pp_accounting *a, double residue_ms);

/* between cycles: lists a burst of records left far too big made smaller */
void pp_acct_trim(pp_accounting *a);

/* if accounting is off, turn it on where the agent may, or say why not */
void pp_acct_keep_on(pp_accounting *a, int ctx);

#endif /* PP_ACCOUNTING_H */
