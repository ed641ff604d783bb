/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parents of short-lived processes, and what their children used.
 *
 * The kernel adds a reaped child's CPU time (with what that child had
 * reaped itself) to its parent's cutime and cstime, kept in nanoseconds
 * and truncated to ticks only when read; each exit record's fields are
 * truncated to ticks (a shell loop of /bin/true reads 0 in every record,
 * each process having used about 2 ms).  So over an interval, a parent's
 * cutime + cstime delta is what its children whose records came in that
 * interval used, to a tick: their estimates are fitted to it
 * (pp_fit_total), each within what its record allows.
 *
 * A record's family head is its nearest ancestor that is not itself one
 * of the interval's records (a subshell's children belong to the shell
 * that reaps the subshell).  Heads are followed from the cycle they first
 * head a family: read then for a base, fitted from the next cycle on (a
 * head that started since the last cycle at once: all it reaped is this
 * interval's).  A
 * member followed itself (a configure script that ended, its children
 * fitted to it while it ran) brings its whole reaped time to its parent:
 * what it had reaped by its last reading was fitted before and is taken
 * off; a member never read leaves its family to the estimates.  What a fit
 * cannot place within the records' bounds is carried to the parent's next
 * interval, within a limit: a child may exit and be reaped between the
 * cycle's fetch and the parents' reading, its record counted a cycle
 * later.
 */
#ifndef PP_KIN_H
#define PP_KIN_H

#include <stddef.h>
#include <pcp/pmapi.h>
#include "accounting.h"
#include "attrib.h"

#define PP_KIN_MAX	256	/* parents followed at once */
#define PP_KIN_IDLE	10	/* cycles one is followed with no child record */

typedef struct {
    int		pid;
    double	start;		/* its start (pp_proc.start), 0 unknown */
    double	reaped;		/* cutime + cstime, ms, last read; NaN none */
    int		stale;		/* the last read failed: no delta next */
    int		from_zero;	/* started since the last cycle: its first
				   reading is all its interval's */
    double	delta;		/* ... over the last interval; NaN unknown */
    double	carry;		/* ms the last fit could not place */
    unsigned	seen;		/* cycle it last headed a family */
} pp_kin_parent;

typedef struct {
    pmID	pmid[2];	/* proc.psinfo.cutime, cstime */
    int		type[2];
    pmInDom	indom;		/* pmda-proc's processes */
    int		available;
    pp_kin_parent v[PP_KIN_MAX];	/* ascending pid */
    size_t	n;
    /* scratch: the interval's exits by pid and by family head */
    size_t	*order;
    int		*head;
    double	*fit;		/* a family's bounds and estimates */
    size_t	max;
    size_t	planned;	/* exits pp_kin_plan found heads for */
    /* since start: records fitted to their parents, and left to the
       estimates (no followed head, a first reading, a member followed) */
    unsigned long long fitted, unfitted;
    double	refused_ms;	/* carry limits dropped, ms since start */
} pp_kin;

void pp_kin_init(pp_kin *k);
void pp_kin_free(pp_kin *k);

/* look up cutime and cstime in the current context */
void pp_kin_lookup(pp_kin *k);

/* read the followed parents' cutime + cstime: just after the cycle's
   fetch, whose records the fit takes */
void pp_kin_read(pp_kin *k);

/*
 * Find the family heads of the interval's exits (pp_accounting.exits) in
 * the process table of this cycle, and follow the new ones.  No PMAPI call.
 */
void pp_kin_plan(pp_kin *k, const pp_exit *exits, size_t n,
		 const pp_table *procs);

/* read the parents pp_kin_plan began to follow: a base for their next
   interval, or the whole of this one's for those that started in it */
void pp_kin_base(pp_kin *k);

/*
 * Fit the exits pp_kin_plan was given to their parents' readings, and stop
 * following parents gone or idle.  No PMAPI call.
 */
void pp_kin_fit(pp_kin *k, pp_exit *exits, size_t n, const pp_table *procs);

#endif /* PP_KIN_H */
