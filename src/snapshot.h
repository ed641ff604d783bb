/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot: everything the agent exports, as of the last completed
 * sampling cycle.  The sampler builds one per cycle; the PMDA's main thread
 * takes it over whole and answers pmcd from it alone.
 */
#ifndef PP_SNAPSHOT_H
#define PP_SNAPSHOT_H

#include <stddef.h>
#include "attrib.h"
#include "config.h"
#include "sources.h"

typedef struct {
    int		pid;
    double	power;		/* W over the last interval */
    double	energy;		/* J since first seen */
    double	share;		/* percent */
    const char	*name;		/* "%06d cmd": the sampler's own copy, kept
				   while a snapshot may hold it */
} pp_snap_proc;

/* an aggregate: a command, a user or a cgroup */
typedef struct {
    int		id;		/* stable instance id */
    double	power;
    double	energy;
    const char	*name;		/* in the snapshot's arena */
} pp_snap_agg;

typedef struct {
    int		id;		/* stable instance id */
    char	name[PP_NAMELEN];
    int		present;
    int		valid;		/* power is from a trusted interval */
    double	power;
    double	energy;
    char	status[PP_STATUSLEN + 32];
} pp_snap_source;

/* per-process power by a kind of source, side by side */
enum { PP_VIEW_RAPL, PP_VIEW_BATTERY, PP_VIEW_SENSOR, PP_VIEW_MODEL, PP_NVIEW };

typedef struct pp_snapshot {
    double		time;		/* of the cycle's fetch, seconds */
    double		interval;	/* seconds the figures cover */
    int			valid;		/* the primary's interval was trusted */
    unsigned long long	cycles;		/* completed cycles */
    unsigned long long	errors;		/* failed cycles and fetches */
    unsigned long long	skipped;	/* intervals not attributed */
    double		duration;	/* ms of CPU the last cycle took */
    char		primary[PP_NAMELEN];
    char		message[256];	/* last problem, "" if none */
    double		coverage;	/* percent */
    double		primary_power;	/* W of the primary over the interval */
    double		view_power[PP_NVIEW];	/* W of each kind's source */
    int			view_valid[PP_NVIEW];	/* ... when there is one */
    double		unattributed_power;
    double		unattributed_energy;

    size_t		nprocs;		/* in pmda-proc's instance order */
    pp_snap_proc	*procs;
    unsigned		*slots;		/* pid hash: index + 1, 0 free */
    size_t		nslots;		/* a power of two */
    char		*names;		/* arena of the aggregates' names */

    size_t		naggs[PP_NAGG];	/* sorted by id */
    pp_snap_agg		*aggs[PP_NAGG];

    /* room in the arrays, kept when a snapshot is used again */
    size_t		procs_max, names_max, aggs_max[PP_NAGG];
    char		accounting[160];	/* process accounting state */
    unsigned long long	records;	/* exit records counted */
    unsigned long long	records_missed;	/* ... that did not come */
    unsigned long long	record_reads;	/* reads of them between cycles */

    int			nsources;
    pp_snap_source	sources[PP_MAXSOURCES];
} pp_snapshot;

void pp_snapshot_free(pp_snapshot *s);

/*
 * A snapshot to fill: old (one no longer read) emptied with its arrays
 * kept, or a new one when old is NULL; then room for nprocs processes,
 * name_bytes of aggregate names and naggs[k] aggregates of each kind.
 * NULL when out of memory (old is freed then).
 */
pp_snapshot *pp_snapshot_reuse(pp_snapshot *old, size_t nprocs,
			       size_t name_bytes, const size_t naggs[PP_NAGG]);

/* index the processes by pid (snap->procs filled in); -1 out of memory */
int pp_snapshot_index(pp_snapshot *s);

/* a process by pid (from the hash); NULL if absent */
const pp_snap_proc *pp_snapshot_proc(const pp_snapshot *s, int pid);

/* an aggregate of kind k by id (binary search); NULL if absent */
const pp_snap_agg *pp_snapshot_agg(const pp_snapshot *s, int k, int id);

#endif /* PP_SNAPSHOT_H */
