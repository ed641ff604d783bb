/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshot helpers; see snapshot.h.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

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

/* *v to hold at least n items of size bytes (kept if it does, unless it
   is far too big: after a peak of processes); -1 */
static int
room(void **v, size_t *max, size_t n, size_t size)
{
    void *nv;

    if (n == 0)
	n = 1;
    if (*v != NULL && n <= *max && *max <= 4 * n + 1024)
	return 0;
    n += n / 4;		/* some room to grow */
    if ((nv = realloc(*v, n * size)) == NULL)
	return -1;
    *v = nv;
    *max = n;
    return 0;
}

pp_snapshot *
pp_snapshot_reuse(pp_snapshot *old, size_t nprocs, size_t name_bytes,
		  const size_t naggs[PP_NAGG])
{
    pp_snapshot *snap = old ? old : calloc(1, sizeof(*snap));
    pp_snapshot keep;
    int k;

    if (snap == NULL)
	return NULL;
    keep = *snap;
    memset(snap, 0, sizeof(*snap));
    snap->procs = keep.procs;
    snap->procs_max = keep.procs_max;
    snap->slots = keep.slots;
    snap->nslots = keep.nslots;
    snap->names = keep.names;
    snap->names_max = keep.names_max;
    for (k = 0; k < PP_NAGG; k++) {
	snap->aggs[k] = keep.aggs[k];
	snap->aggs_max[k] = keep.aggs_max[k];
    }
    if (room((void **)&snap->procs, &snap->procs_max, nprocs,
	     sizeof(*snap->procs)) < 0 ||
	room((void **)&snap->names, &snap->names_max, name_bytes, 1) < 0)
	goto fail;
    for (k = 0; k < PP_NAGG; k++)
	if (room((void **)&snap->aggs[k], &snap->aggs_max[k], naggs[k],
		 sizeof(pp_snap_agg)) < 0)
	    goto fail;
    return snap;
fail:
    pp_snapshot_free(snap);
    return NULL;
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
    if (snap->slots != NULL && snap->nslots == n)
	memset(snap->slots, 0, n * sizeof(*snap->slots));	/* used again */
    else {
	free(snap->slots);
	snap->nslots = 0;
	if ((snap->slots = calloc(n, sizeof(*snap->slots))) == NULL)
	    return -1;
	snap->nslots = n;
    }
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
