/*
 * Snapshot helpers; see snapshot.h.
 */
#include "snapshot.h"

#include <stdlib.h>

void
pp_snapshot_free(pp_snapshot *snap)
{
    int k;

    if (snap == NULL)
	return;
    free(snap->procs);
    free(snap->slots);
    free(snap->names);
    for (k = 0; k < PP_NAGG; k++)
	free(snap->aggs[k]);
    free(snap);
}

static size_t
pid_slot(int pid, size_t nslots)
{
    return ((unsigned)pid * 2654435761u) & (nslots - 1);
}

int
pp_snapshot_index(pp_snapshot *snap)
{
    size_t i, n = 64;

    while (n < 2 * snap->nprocs)
	n *= 2;
    if ((snap->slots = calloc(n, sizeof(*snap->slots))) == NULL)
	return -1;
    snap->nslots = n;
    for (i = 0; i < snap->nprocs; i++) {
	size_t h = pid_slot(snap->procs[i].pid, n);
	while (snap->slots[h] != 0)
	    h = (h + 1) & (n - 1);
	snap->slots[h] = (unsigned)i + 1;
    }
    return 0;
}

const pp_snap_proc *
pp_snapshot_proc(const pp_snapshot *snap, int pid)
{
    size_t h;

    if (snap->nslots == 0)
	return NULL;
    for (h = pid_slot(pid, snap->nslots); snap->slots[h] != 0;
	 h = (h + 1) & (snap->nslots - 1))
	if (snap->procs[snap->slots[h] - 1].pid == pid)
	    return &snap->procs[snap->slots[h] - 1];
    return NULL;
}

const pp_snap_agg *
pp_snapshot_agg(const pp_snapshot *snap, int k, int id)
{
    size_t lo = 0, hi = snap->naggs[k];
    const pp_snap_agg *v = snap->aggs[k];

    while (lo < hi) {
	size_t mid = (lo + hi) / 2;
	if (v[mid].id < id)
	    lo = mid + 1;
	else if (v[mid].id > id)
	    hi = mid;
	else
	    return &v[mid];
    }
    return NULL;
}
