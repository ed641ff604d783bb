/*
 * floor MODE COUNT
 *
 * The benchmark's minimal PMAPI client.  MODE "proc": COUNT fetches of
 * proc.psinfo.utime and stime of every process (the least any agent
 * sampling through pmcd must do each cycle).  MODE "serve": COUNT times,
 * the instance names of procpower.process.power and a fetch of it (what a
 * client showing per-process power does).  Prints this process's own CPU
 * time and the wall time per round, in milliseconds, and the values seen:
 *	cpu_ms_per_round wall_ms_per_round values_per_round
 */
#include <pcp/pmapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double
cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
	   ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static double
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
    const char *proc[] = { "proc.psinfo.utime", "proc.psinfo.stime" };
    const char *serve[] = { "procpower.process.power" };
    int serving, count, n, i, sts, *insts;
    pmID ids[2];
    pmDesc desc;
    pmResult *rp;
    char **names;
    double c0, w0;
    long values = 0;

    if (argc != 3 || ((serving = strcmp(argv[1], "serve") == 0) == 0 &&
		      strcmp(argv[1], "proc") != 0)) {
	fprintf(stderr, "usage: floor proc|serve COUNT\n");
	return 2;
    }
    count = atoi(argv[2]);
    n = serving ? 1 : 2;
    if ((sts = pmNewContext(PM_CONTEXT_HOST, "local:")) < 0 ||
	(sts = pmLookupName(n, serving ? serve : proc, ids)) < 0 ||
	(sts = pmLookupDesc(ids[0], &desc)) < 0) {
	fprintf(stderr, "floor: %s\n", pmErrStr(sts));
	return 1;
    }
    c0 = cpu_ms();
    w0 = wall_ms();
    for (i = 0; i < count; i++) {
	if (serving) {
	    if ((sts = pmGetInDom(desc.indom, &insts, &names)) < 0) {
		fprintf(stderr, "floor: pmGetInDom: %s\n", pmErrStr(sts));
		return 1;
	    }
	    free(insts);
	    free(names);
	}
	if ((sts = pmFetch(n, ids, &rp)) < 0) {
	    fprintf(stderr, "floor: pmFetch: %s\n", pmErrStr(sts));
	    return 1;
	}
	values += rp->vset[0]->numval;
	pmFreeResult(rp);
    }
    printf("%.3f %.3f %ld\n", (cpu_ms() - c0) / count, (wall_ms() - w0) / count,
	   values / count);
    return 0;
}
