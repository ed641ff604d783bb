/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: reading a state file back (src/state.c) from any
 * bytes.  Whatever the file holds, what is restored is finite,
 * non-negative and in range, ids are unique and below the "other" id,
 * and a state written from it reads back the same.
 */
#include "state.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64], path1[72];

static void
check(const pp_aggset *aggs, const pp_sources *src, double unattr)
{
    size_t i;
    int k;

    if (!isfinite(unattr) || unattr < 0)
	abort();
    for (k = 0; k < src->n; k++)
	if (!isfinite(src->s[k].energy) || src->s[k].energy < 0)
	    abort();
    for (k = 0; k < PP_NAGG; k++) {
	if (aggs[k].next_id < 0 || aggs[k].next_id > PP_AGG_OTHER_ID)
	    abort();
	for (i = 0; i < aggs[k].count; i++) {
	    const pp_agg *a = aggs[k].byid[i];
	    if (!isfinite(a->energy) || a->energy < 0 || a->id < 0 ||
		(i > 0 && aggs[k].byid[i - 1]->id >= a->id) ||
		(a->id == PP_AGG_OTHER_ID) != (a->other != 0) ||
		pp_agg_get((pp_aggset *)&aggs[k], a->name) != a)
		abort();
	}
    }
}

static int
load(const char *file, pp_aggset *aggs, pp_sources *src, double *unattr)
{
    pp_state_gap gap = { NULL, 0, 0, -1, -1, -1 };
    pp_state st = { aggs, src, unattr, NULL, 0, 0, &gap };
    pp_state_file f;
    size_t i;
    int k, n;

    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_init(&aggs[k]);
    pp_sources_init(src);
    *unattr = 0;
    pp_state_file_init(&f);
    (void)file;
    n = pp_state_load(&f, path, &st);
    pp_state_file_close(&f);
    /* the processes a restart's gap is shared by: in order, once each */
    for (i = 0; i < gap.nprocs; i++)
	if (gap.procs[i].pid < 1 || !(gap.procs[i].cpu >= 0) ||
	    (i > 0 && gap.procs[i].pid <= gap.procs[i - 1].pid))
	    __builtin_trap();
    pp_state_gap_free(&gap);
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pp_aggset aggs[PP_NAGG], back[PP_NAGG];
    pp_sources src, src2;
    double unattr, unattr2;
    pp_state st = { aggs, &src, &unattr, NULL, 0, 0, NULL };
    pp_state_file wf;
    FILE *fp;
    int k, n, n2;

    if (path[0] == '\0') {
	snprintf(path, sizeof(path), "/tmp/procpower-fuzz-%d.state", (int)getpid());
	snprintf(path1, sizeof(path1), "%s.1", path);
    }
    unlink(path1);
    if ((fp = fopen(path, "w")) == NULL)
	return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    n = load(path, aggs, &src, &unattr);
    check(aggs, &src, unattr);
    if (n > 0) {
	/* written again and read back: the same counts */
	unlink(path);
	pp_state_file_init(&wf);
	if (pp_state_save(&wf, path, &st, 1000) == 0) {
	    n2 = load(path, back, &src2, &unattr2);
	    check(back, &src2, unattr2);
	    for (k = 0; k < PP_NAGG; k++)
		if (back[k].count != aggs[k].count)
		    abort();
	    if (unattr2 != unattr && fabs(unattr2 - unattr) > 1e-6 * (1 + unattr))
		abort();
	    (void)n2;
	    for (k = 0; k < PP_NAGG; k++)
		pp_aggset_free(&back[k]);
	}
	pp_state_file_close(&wf);
    }
    for (k = 0; k < PP_NAGG; k++)
	pp_aggset_free(&aggs[k]);
    unlink(path);
    unlink(path1);
    return 0;
}
