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
 *
 * What a set holds is bounded whatever users run (any user can make a
 * new command name): past `limit` aggregates, or `byte_limit` bytes of
 * names, the ones idle longest are folded into the set's "other"
 * aggregate (its energy and power added there), so no energy is lost
 * and the sums still add up.  Ids never wrap: the other aggregate has
 * PP_AGG_OTHER_ID, every other id is below it, and once ids run out new
 * names count under "other".
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
    int			other;		/* the set's "other": never folded
					   nor expired */
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
    size_t	limit;		/* most aggregates kept, "other" included */
    size_t	byte_limit;	/* most bytes of names kept */
    const char	*other_name;	/* a name no process can have */
    pp_agg	*other;		/* created at the first fold */
} pp_aggset;

#define PP_AGG_OTHER_ID		2147483647	/* INT_MAX */
#define PP_AGG_DEFAULT_LIMIT	4000
#define PP_AGG_MAX_LIMIT	100000
#define PP_AGG_BYTE_LIMIT	(8u << 20)

/* an empty set with the default limits and this kind's other name */
void pp_aggset_init(pp_aggset *set);
void pp_aggset_limit(pp_aggset *set, size_t limit, const char *other_name);
void pp_aggset_free(pp_aggset *set);

/* find or create by name (the other aggregate once ids have run out);
   NULL only when out of memory */
pp_agg *pp_agg_get(pp_aggset *set, const char *name);

/*
 * Re-create an aggregate saved before a restart with its id and energy
 * (PP_AGG_OTHER_ID: the other aggregate); NULL if the name or the id is
 * taken, the energy is not a finite number of joules, or out of memory.
 * Linear in the number restored when they come in id order.
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
 * Fold the aggregates idle longest into "other" until the set is within
 * its limits (those live processes hold stay); returns how many went.
 */
size_t pp_aggset_fold(pp_aggset *set);


/*
 * The cgroup a process runs in, from pmda-proc's proc.psinfo.cgroups
 * ("controller:path;..."): the unified (v2) path, else the systemd one,
 * else the first controller's that is not "/", else "/".
 */
void pp_cgroup_path(const char *cgroups, char *out, size_t len);

#endif /* PP_AGGREGATE_H */
