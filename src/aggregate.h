/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aggregates that outlive processes: power and energy per command, per
 * user and per cgroup.  Keyed by name, with instance ids that stay the same
 * while the aggregate exists.  Plain numbers, no PCP calls.
 *
 * An aggregate's energy is the sum of the energy its processes (live and
 * exited) were given in each interval, so it keeps counting when they exit
 * and others start.  One that has had no live process and no energy for
 * `idle` seconds may be expired: it leaves the set (and the instance
 * domain), and comes back from zero with a new id if it is seen again.
 */
#ifndef PP_AGGREGATE_H
#define PP_AGGREGATE_H

#include <stddef.h>

typedef struct pp_agg {
    char		*name;
    int			id;		/* instance id, stable while it exists */
    double		power;		/* W in the current interval */
    double		energy;		/* J since it was created */
    double		last_active;	/* time it last had energy or a process */
    int			refs;		/* live processes counting on it */
    struct pp_agg	*next;		/* hash chain */
} pp_agg;

typedef struct {
    pp_agg	**hash;
    size_t	hsize;
    size_t	count;
    int		next_id;
    pp_agg	**byid;		/* the count aggregates in id order, kept so
				   (a new one has the highest id) */
    size_t	byid_max;
    size_t	name_bytes;	/* their names' lengths, NULs included */
} pp_aggset;

void pp_aggset_init(pp_aggset *set);
void pp_aggset_free(pp_aggset *set);

/* find or create by name; NULL only when out of memory */
pp_agg *pp_agg_get(pp_aggset *set, const char *name);

/*
 * Re-create an aggregate saved before a restart with its id and energy;
 * NULL if the name or the id is taken, or out of memory.
 */
pp_agg *pp_agg_restore(pp_aggset *set, const char *name, int id,
		       double energy, double last_active);

/* take and drop a live process's reference */
void pp_agg_hold(pp_agg *a);
void pp_agg_release(pp_agg *a);

/* all aggregates in id order: set->byid[0 .. set->count - 1] */

/* start an interval: every aggregate's power goes back to zero */
void pp_aggset_begin(pp_aggset *set);

/* add a process's figures for the interval ending at `now` */
void pp_agg_add(pp_agg *a, double watts, double joules, double now);

/* drop aggregates with no references and no activity for idle seconds */
size_t pp_aggset_expire(pp_aggset *set, double now, double idle);


/*
 * The cgroup a process runs in, from pmda-proc's proc.psinfo.cgroups
 * ("controller:path;..."): the unified (v2) path, else the systemd one,
 * else the first controller's that is not "/", else "/".
 */
void pp_cgroup_path(const char *cgroups, char *out, size_t len);

#endif /* PP_AGGREGATE_H */
