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
    free(snap->slots);

    snap->procs = calloc(n, sizeof(*snap->procs));
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
    pp_snapshot_free(snap);
    return unit_done("test_snapshot");
}
