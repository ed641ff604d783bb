/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state [N ...]: what the agent's state file costs with N aggregates of
 * each kind that hold the most (commands, cgroups), each named as a
 * user of `exec -a` could name it (60 bytes, all distinct): the time to
 * write it (the first save formats every line, the next copies them),
 * its text's size and the file's (room is kept for growth, given back
 * when a text needs a quarter of it), and the time to read it back into empty sets as the agent
 * does when it starts.  Restoring was quadratic once (20,000 / 40,000 /
 * 80,000 aggregates: 0.8 / 3.8 / 12.6 s); it must grow with N.
 * Built from the agent's own src/state.c and src/aggregate.c.
 */
#include "aggregate.h"
#include "sources.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sets(pp_aggset *aggs)
{
    int k;
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_init(&aggs[k]);
	pp_aggset_limit(&aggs[k], PP_AGG_MAX_LIMIT, NULL);
    }
}

static int
measure(size_t n)
{
    static pp_aggset aggs[PP_NAGG], back[PP_NAGG];
    static pp_sources src, src2;
    char path[] = "/tmp/procpower-bench-state-XXXXXX", path1[64], name[64];
    double unattr = 0, unattr2 = 0, t0, t1, t2, t3;
    pp_state st = { aggs, &src, &unattr, NULL, -1, -1, NULL, NULL, 0 };
    pp_state st2 = { back, &src2, &unattr2, NULL, -1, -1, NULL, NULL, 0 };
    pp_state_file wf, rf;
    struct stat sb;
    size_t i, restored = 0;
    int k, fd = mkstemp(path), r;

    if (fd < 0)
	return -1;
    close(fd);
    snprintf(path1, sizeof(path1), "%s.1", path);
    sets(aggs);
    sets(back);
    pp_sources_init(&src);
    pp_sources_init(&src2);
    pp_state_file_init(&wf);
    pp_state_file_init(&rf);
    for (k = 0; k < PP_NAGG; k++)
	for (i = 0; i < n; i++) {
	    pp_agg *a;
	    snprintf(name, sizeof(name), "k%d-%08zu-%s", k, i * 2654435761u % 100000000,
		     "a-command-name-a-user-gave-with-exec-a-or-prctl");
	    if ((a = pp_agg_get(&aggs[k], name)) == NULL)
		return -1;
	    a->energy = i * 0.37;
	    a->last_active = 1000 + i % 600;
	}
    t0 = now();
    r = pp_state_save(&wf, path, &st, 2000);
    t1 = now();
    r |= pp_state_save(&wf, path, &st, 2010);	/* PATH.1: the second file */
    r |= pp_state_save(&wf, path, &st, 2020);	/* PATH again, lines copied */
    t2 = now();
    if (r != 0 || stat(path, &sb) < 0)
	return -1;
    r = pp_state_load(&rf, path, &st2);
    t3 = now();
    for (k = 0; k < PP_NAGG; k++)
	restored += back[k].count;
    printf("%8zu %10zu %10.1f %10.1f %10.1f %10.1f %10.1f %10zu\n", n,
	   n * PP_NAGG, (t1 - t0) * 1e3, (t2 - t1) / 2 * 1e3, (t3 - t2) * 1e3,
	   wf.len / 1048576.0, sb.st_size / 1048576.0, restored);
    unlink(path);
    unlink(path1);
    pp_state_file_close(&wf);
    pp_state_file_close(&rf);
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&aggs[k]);
	pp_aggset_free(&back[k]);
    }
    return r < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
    size_t def[] = { 20000, 40000, 80000 };
    int i, n = argc > 1 ? argc - 1 : 3;

    printf("the agent's state file with N aggregates of each kind (%d kinds), names of 60 bytes; ms\n",
	   PP_NAGG);
    printf("%8s %10s %10s %10s %10s %10s %10s %10s\n", "N", "in all",
	   "1st save", "next save", "restore", "text MiB", "file MiB",
	   "restored");
    for (i = 0; i < n; i++)
	if (measure(argc > 1 ? (size_t)atol(argv[i + 1]) : def[i]) < 0) {
	    fprintf(stderr, "state: cannot measure\n");
	    return 1;
	}
    return 0;
}
