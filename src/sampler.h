/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sampler: one PMAPI context (live pmcd or, later, an archive), the
 * process table, the power sources, process accounting and the
 * aggregates; each full cycle fetches, attributes and builds a snapshot.
 * It never sleeps and never reads the clock for its arithmetic: time comes
 * from the fetched results.
 */
#ifndef PP_SAMPLER_H
#define PP_SAMPLER_H

/*
 * Heap kept between cycles (glibc mallopt, set by the agent at start):
 * blocks up to PP_HEAP_MMAP come from the heap and up to PP_HEAP_TRIM of
 * its free top stays, so a cycle's fetch reuses the last one's memory
 * instead of faulting pages in again; the sampler gives it back once a
 * minute.
 */
#define PP_HEAP_MMAP	(2 << 20)
#define PP_HEAP_TRIM	(4 << 20)

#include <pcp/pmapi.h>
#include "accounting.h"
#include "aggregate.h"
#include "attrib.h"
#include "config.h"
#include "kin.h"
#include "snapshot.h"
#include "sources.h"
#include "state.h"
#include "tasks.h"

enum {
    PP_M_UTIME, PP_M_STIME,
    PP_M_CPU_USER, PP_M_CPU_NICE, PP_M_CPU_SYS, PP_M_CPU_INTR,
    PP_M_CPU_IDLE, PP_M_CPU_WAIT, PP_M_NCPU, PP_M_BOOTTIME,
    PP_M_FIXED		/* accounting, then source metrics follow */
};

/*
 * Details fetched once per new process, and the start time again for a
 * process that may be another by now (its pid has a new exit record)
 */
enum { PP_D_PSARGS, PP_D_CMD, PP_D_USER, PP_D_CGROUPS, PP_D_START, PP_D_COUNT };

typedef struct {
    int		ctx;		/* PMAPI context, -1 none */
    pp_config	cfg;
    int		local;		/* the context is this machine */
    int		live;		/* a pmcd (not an archive): sources fetched
				   on their own, see pp_sampler_cycle */

    pmID	fixed[PP_M_FIXED];
    int		fixed_type[PP_M_FIXED];
    pmID	detail[PP_D_COUNT];
    int		detail_type[PP_D_COUNT];
    pmInDom	proc_indom;

    pp_table	procs;
    pp_sources	sources;
    pp_accounting acct;
    pp_kin	kin;		/* parents of short-lived processes */
    pp_aggset	aggs[PP_NAGG];
    double	discovered;	/* time of the last look for sources, -1 none */
    int		agents_changed;	/* pmcd said an agent came, went or restarted */
    int		describe_all;	/* describe every listed process again: pmda-proc
				   may have restarted and names pids anew */
    int		procs_held;	/* cycles in a row taken again at the next
				   because pmda-proc did not answer */
    double	held_since;	/* monotonic time the first cycle after a
				   restart began to wait for pmda-proc, 0 */

    double	t_prev;		/* time of the previous full fetch, 0 none */
    int		interval;	/* the interval now (pp_sampler_set_interval),
				   0 until set: the configuration's */
    double	interval_prev;	/* the one in force at the last cycle */
    double	clock;		/* the agent's own time: the wall clock's at
				   the first cycle, then on by each interval
				   as measured (pp_interval_seconds), so that
				   a step of the wall clock does not move it;
				   for what lasts so long (grace, idleness) */
    double	t_src_prev;	/* of the previous fetch of the sources */
    double	m_prev, m_src_prev;	/* the monotonic clock at those */
    double	cpu_busy_prev, cpu_all_prev;
    int		cpu_primed;
    double	boot;		/* kernel.all.boottime at the last cycle, -1 */
    pp_state_gap gap;		/* the last cycle before a restart, from the
				   state: for the first cycle after it */

    unsigned long long cycles, errors, skipped;
    unsigned long long peeks;	/* reads of exit records between cycles */
    pp_tasks	tasks_read;	/* the kernel's tasks at the last read of
				   exit records (local only) */
    int		tasks_ok;	/* tasks_read holds a reading */
    double	m_acct_read;	/* the boot-time clock then */
    double	unattributed_energy;
    char	message[256];
    int		message_passes;	/* the message is of a passing state (a failed
				   fetch, no pmcd, no source): a good cycle
				   clears it; else it stays */
    pp_state_file statefile;	/* cfg.state, kept open */
    pp_snapshot	*spare;		/* one no longer read, to fill again */

    /*
     * Process names the table dropped, with the cycle count then: a
     * snapshot holds the table's names, so they are freed only once the
     * reader holds a snapshot made after (*adopted, the cycle count of
     * the snapshot it holds; NULL when none is held past a cycle).
     */
    struct pp_grave { char *name; unsigned long long cycle; } *grave;
    size_t	ngrave, gravemax;
    const unsigned long long *adopted;

    /*
     * Processes still listed whose details did not come with the fetch
     * that should have named them (the fetch failed, or pmda-proc had no
     * command line for them that time): looked at again next cycle, a
     * few times at most, named "<exiting>" meanwhile.
     */
    struct pp_retry { int pid; int tries; } *retry;
    size_t	nretry, retrymax;

    /* scratch reused every cycle */
    int		*newpids;
    size_t	newmax;
} pp_sampler;

void pp_sampler_init(pp_sampler *s, const pp_config *cfg);
void pp_sampler_free(pp_sampler *s);

/* open the context (PM_CONTEXT_HOST or PM_CONTEXT_ARCHIVE) and look up names */
int pp_sampler_open(pp_sampler *s, int type, const char *name);
void pp_sampler_close(pp_sampler *s);

/*
 * Open a second context to the sampled pmcd, used only to turn process
 * accounting back on; call it while the process still has the
 * credentials that may do so (root), before dropping them.
 */
int pp_sampler_open_store(pp_sampler *s);

/* between full cycles: a gauge sub-sample, a read of the exit records
   (pp_sampler_read_gap), or both */
int pp_sampler_subsample(pp_sampler *s, int gauges, int records);

/* seconds from the last read of the exit records to the next one
   between cycles (pp_acct_read_gap), negative for none */
double pp_sampler_read_gap(const pp_sampler *s);

/* how many gauges a sub-sample would read now (0: no need to wake) */
int pp_sampler_gauges(const pp_sampler *s);

/*
 * One full cycle with `want` as the wanted primary source ("auto" or a
 * name).  Returns 0 and a new snapshot in *out, or a PMAPI error (the
 * context is then suspect; the caller reconnects).
 */
int pp_sampler_cycle(pp_sampler *s, const char *want, pp_snapshot **out);

/* the interval now (a pmstore changes it): what a gap is measured against */
void pp_sampler_set_interval(pp_sampler *s, int seconds);

/* the state file of cfg.state: read at start-up, written now and then */
int pp_sampler_load_state(pp_sampler *s);
int pp_sampler_save_state(pp_sampler *s);

/* a snapshot that only carries status, when no cycle could run */
pp_snapshot *pp_sampler_status(pp_sampler *s);

#endif /* PP_SAMPLER_H */
