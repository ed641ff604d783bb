/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power sources: one small driver per kind (pmda-denki RAPL of every
 * version, pmda-denki batteries, metrics named in the configuration, the
 * CPU-utilisation model), discovered by metric name in the sampler's PMAPI
 * context, plus the choice of the primary source.
 */
#ifndef PP_SOURCES_H
#define PP_SOURCES_H

#include <pcp/pmapi.h>
#include "attrib.h"
#include "config.h"

#define PP_MAXSOURCES	64
#define PP_MAXMEMBERS	16
#define PP_STATUSLEN	160

typedef enum {
    PP_KIND_COUNTER,	/* cumulative joules */
    PP_KIND_GAUGE,	/* instant watts, sub-sampled */
    PP_KIND_SUM,	/* sum of other sources (rapl = packages + dram) */
    PP_KIND_MODEL,	/* estimated from CPU utilisation */
} pp_source_kind;

/* what a source covers; also the order of preference for "auto" */
typedef enum {
    PP_CLASS_PSYS,	/* RAPL platform domain: the whole SoC and more */
    PP_CLASS_SENSOR,	/* a whole-system sensor named by the user */
    PP_CLASS_BATTERY,	/* a battery, whole system while discharging */
    PP_CLASS_RAPL,	/* packages plus DRAM */
    PP_CLASS_MODEL,
    PP_CLASS_PACKAGE,	/* members of PP_CLASS_RAPL, never primary alone */
    PP_CLASS_DRAM,
    PP_CLASS_SUBDOMAIN,	/* core, uncore: inside a package */
} pp_source_class;

typedef struct {
    char		name[PP_NAMELEN];	/* instance name in procpower */
    int			id;			/* stable instance id */
    pp_source_kind	kind;
    pp_source_class	cls;
    int			present;	/* found by the last discovery */

    /* where the readings come from */
    char		metric[PP_METRICLEN];
    pmID		pmid;
    int			type;		/* PM_TYPE_* of the metric */
    int			inst;		/* PM_IN_NULL: sum of all instances */
    double		scale;		/* reading x scale = joules or watts */
    pmID		level_pmid;	/* battery: energy level, PM_ID_NULL */
    int			level_type;
    int			level_inst;

    int			members[PP_MAXMEMBERS];	/* PP_KIND_SUM: indexes */
    int			nmembers;
    int			moved;		/* found elsewhere by a rediscovery:
					   its next reading only primes */

    /* arithmetic state */
    pp_counter		counter;
    pp_gauge		gauge;
    pp_battery		battery;	/* its charge level over time */
    int			discharging;

    /*
     * Across a restart of the agent: the counter's last reading and its
     * time, saved in the state; the first reading after the restart
     * takes the energy of the gap from it when that is unambiguous.
     */
    double		t_read;		/* time of counter.last, 0 none */
    double		gap_raw, gap_time;	/* restored; gap_time 0 none */
    double		gap_joules;	/* carried at this interval */
    int			gap_carried;	/* gap_joules holds one */

    /* the last interval */
    int			valid;		/* joules/seconds trustworthy */
    double		joules;
    double		seconds;
    double		watts;
    double		energy;		/* sum of trusted joules since start */
    char		status[PP_STATUSLEN];
} pp_source;

typedef struct {
    int		n;
    pp_source	s[PP_MAXSOURCES];
    int		primary;	/* index of the primary source, -1 none */
} pp_sources;

void pp_sources_init(pp_sources *ss);

/*
 * Look up every known kind of source in the current PMAPI context and the
 * user's sensors from cfg.  Sources found before keep their state and id;
 * those no longer found are marked absent, with a status saying why.
 * local_sysfs: the context is this machine, so RAPL wrap ranges may be
 * read from /sys.  Returns the number of present sources.
 */
int pp_sources_discover(pp_sources *ss, const pp_config *cfg, int local_sysfs);

/*
 * After pmcd said an agent came, went or restarted, or its namespace
 * changed (any agent: pmcd does not say which): look every source up
 * again.  A source at the same metric and instance as before keeps its
 * readings, and the fetch that carried the news is good for it: its
 * agent answers for the same instance, and a counter that restarted from
 * zero goes backwards and is seen as a reset.  A source whose metric or
 * instance moved (pmda-denki renumbering its zones after a restart) or
 * that is new starts again: the fetch's value at its old instance may be
 * another source's, so its next reading only primes.  Returns the number
 * of present sources.
 */
int pp_sources_rediscover(pp_sources *ss, const pp_config *cfg, int local_sysfs);

/* the metrics to fetch: all (full cycle), or the gauges to read between
   cycles (not a battery that was not discharging at the last cycle) */
int pp_sources_pmids(const pp_sources *ss, int gauges_only, pmID *list, int max);

/* feed a sub-sample fetch to the gauges */
void pp_sources_gauges(pp_sources *ss, const pmResult *rp, double max_watts);

/*
 * Close an interval at a full fetch: counters from their deltas, gauges
 * from their sub-samples, sums from their members, the model from
 * util (0..1, negative when unknown) over ncpu CPUs.  interval: the
 * sampling interval now (a pmstore changes it), which tells a gap from
 * an interval (pp_gap_untold).
 */
void pp_sources_interval(pp_sources *ss, const pmResult *rp, double dt,
			 const pp_config *cfg, double interval, int ncpu,
			 double util);

/*
 * Choose the primary source: the one named by `want` if present, else by
 * preference (see pp_source_class).  Returns its index or -1.
 */
int pp_sources_choose(pp_sources *ss, const char *want);

/*
 * A source by name, added (absent until a discovery finds it) if it is
 * not known yet: for state restored from before a restart.  NULL if full.
 */
pp_source *pp_sources_adopt(pp_sources *ss, const char *name);

/*
 * The source that stands for a kind of source in per-process views: for
 * RAPL psys if there is one, else packages plus DRAM; the discharging
 * battery with the most power; the first sensor; the model.  -1 if none
 * is present with a trusted interval.
 */
int pp_sources_view(const pp_sources *ss, pp_source_class cls);

/* a source by name, -1 if none */
int pp_sources_find(const pp_sources *ss, const char *name);

#endif /* PP_SOURCES_H */
