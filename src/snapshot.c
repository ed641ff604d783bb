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
    free(snap->names);
    for (k = 0; k < PP_NAGG; k++)
	free(snap->aggs[k]);
    free(snap);
}

const pp_snap_proc *
pp_snapshot_proc(const pp_snapshot *snap, int pid)
{
    size_t lo = 0, hi = snap->nprocs;

    while (lo < hi) {
	size_t mid = (lo + hi) / 2;
	if (snap->procs[mid].pid < pid)
	    lo = mid + 1;
	else if (snap->procs[mid].pid > pid)
	    hi = mid;
	else
	    return &snap->procs[mid];
    }
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
