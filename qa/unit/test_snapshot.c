/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the snapshot's pid index (src/snapshot.c): every process
 * is found by its pid whatever the order it was listed in, absent pids
 * are not, and an empty snapshot finds nothing.
 */
#include "snapshot.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

int
main(void)
{
    pp_snapshot *snap = calloc(1, sizeof(*snap));
    size_t i, n = 5000;
    int ok = 1, absent = 1;

    /* no processes yet */
    CHECK(pp_snapshot_index(snap) == 0);
    CHECK(pp_snapshot_proc(snap, 1) == NULL);

    snap->procs = calloc(n, sizeof(*snap->procs));
    snap->procs_max = n;
    snap->nprocs = n;
    for (i = 0; i < n; i++)	/* scrambled, as pmda-proc lists them */
	snap->procs[i].pid = (int)((i * 7919) % 65536) * 3 + 1;
    CHECK(pp_snapshot_index(snap) == 0);
    CHECK(snap->nslots >= 2 * n && (snap->nslots & (snap->nslots - 1)) == 0);
    for (i = 0; i < n; i++) {
	const pp_snap_proc *p = pp_snapshot_proc(snap, snap->procs[i].pid);
	if (p != &snap->procs[i])
	    ok = 0;
	/* pids between the listed ones are not there */
	if (pp_snapshot_proc(snap, snap->procs[i].pid + 1) != NULL)
	    absent = 0;
    }
    CHECK(ok);
    CHECK(absent);
    CHECK(pp_snapshot_proc(snap, 0) == NULL);
    CHECK(pp_snapshot_proc(snap, -5) == NULL);

    /* filled again: emptied, its arrays kept while they are big enough */
    {
	size_t naggs[PP_NAGG] = { 3, 2, 1 }, more[PP_NAGG] = { 300, 2, 1 };
	pp_snap_proc *procs = snap->procs;
	unsigned *slots = snap->slots;
	int k;

	snap->cycles = 42;
	snap = pp_snapshot_reuse(snap, n / 2, 100, naggs);
	CHECK(snap != NULL && snap->procs == procs && snap->cycles == 0);
	CHECK(snap->nprocs == 0 && snap->names_max >= 100);
	for (k = 0; k < PP_NAGG; k++)
	    CHECK(snap->aggs[k] != NULL && snap->aggs_max[k] >= naggs[k]);
	snap->nprocs = n / 2;
	CHECK(pp_snapshot_index(snap) == 0);
	CHECK(snap->slots != slots || snap->nslots >= n);
	CHECK(pp_snapshot_proc(snap, snap->procs[n / 2 - 1].pid) ==
	      &snap->procs[n / 2 - 1]);
	CHECK(pp_snapshot_proc(snap, snap->procs[n / 2].pid) == NULL);	/* gone */
	snap = pp_snapshot_reuse(snap, 2 * n, 100, more);
	CHECK(snap != NULL && snap->procs_max >= 2 * n &&
	      snap->aggs_max[0] >= 300);
	/* after a peak: arrays far too big are made smaller */
	snap = pp_snapshot_reuse(snap, 2 * n + 100000, 100, more);
	CHECK(snap != NULL && snap->procs_max >= 2 * n + 100000);
	snap = pp_snapshot_reuse(snap, 10, 100, naggs);
	CHECK(snap != NULL && snap->procs_max >= 10 && snap->procs_max < 2 * n);
	CHECK(snap->aggs_max[0] >= 3);	/* small ones stay as they are */
	/* a new one */
	pp_snapshot_free(pp_snapshot_reuse(NULL, 10, 10, naggs));
    }
    pp_snapshot_free(snap);
    return unit_done("test_snapshot");
}
