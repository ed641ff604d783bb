/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor MODE COUNT
 * floor proc-paced COUNT INTERVAL
 * floor window AGENT_PID PROC_PID CYCLES INTERVAL [SETTLE]
 *
 * The benchmark's minimal PMAPI client.  MODE "proc": COUNT fetches of
 * proc.psinfo.utime and stime of every process (the least any agent
 * sampling through pmcd must do each cycle).  MODE "proc-kept": the same
 * with glibc told to keep freed memory in the heap (as the agent does)
 * rather than give it back and fault it in again at the next fetch.
 * MODE "proc-paced": the same as proc-kept, one fetch every INTERVAL
 * seconds (sleeping between, as a sampling agent does: each fetch then
 * starts with cold caches and a wake-up).  MODE "serve": COUNT times,
 * the instance names of procpower.process.power and a fetch of it (what a
 * client showing per-process power does).  "window": waits for SETTLE
 * cycles of the agent (default 1: its next one; more let it read the exit
 * records of processes that ended just before and name this one), then
 * for CYCLES more, from one process that sleeps through them with no
 * request to the agent (no process started or ended in the window, so
 * none adds exit records for the agent to read), and prints the CPU ns the agent's and pmda-proc's threads
 * spent (/proc/PID/task/<*>/schedstat) and the cycles:
 *	agent_ns proc_ns cycles
 * Otherwise it prints this process's own CPU
 * time and the wall time per round, in milliseconds, and the values seen:
 *	cpu_ms_per_round wall_ms_per_round values_per_round
 */
#include <pcp/pmapi.h>
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

/* CPU ns of all threads of a process */
static unsigned long long
task_ns(int pid)
{
    char path[320], line[256];
    unsigned long long sum = 0, v;
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    if ((d = opendir(path)) == NULL)
	return 0;
    while ((e = readdir(d)) != NULL) {
	FILE *f;
	if (e->d_name[0] == '.')
	    continue;
	snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", pid, e->d_name);
	if ((f = fopen(path, "r")) == NULL)
	    continue;
	if (fgets(line, sizeof(line), f) && sscanf(line, "%llu", &v) == 1)
	    sum += v;
	fclose(f);
    }
    closedir(d);
    return sum;
}

static int cycles_type;

static long
agent_cycles(pmID id)
{
    pmResult *rp;
    pmAtomValue av;
    long c = -1;

    if (pmFetch(1, &id, &rp) >= 0) {
	if (rp->vset[0]->numval == 1 &&
	    pmExtractValue(rp->vset[0]->valfmt, &rp->vset[0]->vlist[0],
			   cycles_type, &av, PM_TYPE_64) >= 0)
	    c = (long)av.ll;
	pmFreeResult(rp);
    }
    return c;
}

/* sleep most of the way to `want` cycles, then poll for it */
static long
wait_cycles(pmID id, long want, long now, double interval)
{
    double left = (want - now) * interval - 0.5;
    long c = now;

    if (left > 0)
	usleep((useconds_t)(left * 1e6));
    while ((c = agent_cycles(id)) >= 0 && c < want)
	usleep(100000);
    return c;
}

static int
window(int argc, char **argv)
{
    const char *name = "procpower.agent.cycles";
    int agent, proc, cycles, settle, sts;
    double interval;
    unsigned long long a0, p0, a1, p1;
    long c0, c1;
    pmDesc desc;
    pmID id;

    if (argc != 6 && argc != 7) {
	fprintf(stderr, "usage: floor window AGENT_PID PROC_PID CYCLES INTERVAL [SETTLE]\n");
	return 2;
    }
    agent = atoi(argv[2]);
    proc = atoi(argv[3]);
    cycles = atoi(argv[4]);
    interval = atof(argv[5]);
    settle = argc == 7 ? atoi(argv[6]) : 1;
    if (settle < 1)
	settle = 1;
    if ((sts = pmNewContext(PM_CONTEXT_HOST, "local:")) < 0 ||
	(sts = pmLookupName(1, &name, &id)) < 0 ||
	(sts = pmLookupDesc(id, &desc)) < 0) {
	fprintf(stderr, "floor: %s\n", pmErrStr(sts));
	return 1;
    }
    cycles_type = desc.type;
    /* from just after the settle cycles, for `cycles` more */
    if ((c0 = agent_cycles(id)) < 0 ||
	(c0 = wait_cycles(id, c0 + settle, c0, interval)) < 0)
	return 1;
    a0 = task_ns(agent);
    p0 = task_ns(proc);
    /*
     * No fetch inside the window (each would be a request the agent
     * answers): sleep to half an interval after the last cycle's end,
     * read the CPU times, and only then ask how many cycles there were.
     */
    usleep((useconds_t)((cycles + 0.5) * interval * 1e6));
    a1 = task_ns(agent);
    p1 = task_ns(proc);
    if ((c1 = agent_cycles(id)) < 0)
	return 1;
    printf("%llu %llu %ld\n", a1 - a0, p1 - p0, c1 - c0);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *proc[] = { "proc.psinfo.utime", "proc.psinfo.stime" };
    const char *serve[] = { "procpower.process.power" };
    int serving, paced, count, n, i, sts, *insts;
    useconds_t pause_us = 0;
    pmID ids[2];
    pmDesc desc;
    pmResult *rp;
    char **names;
    double c0, w0;
    long values = 0;

    if (argc > 1 && strcmp(argv[1], "window") == 0)
	return window(argc, argv);
    paced = strcmp(argv[1], "proc-paced") == 0;
    if ((argc != 3 + paced) || ((serving = strcmp(argv[1], "serve") == 0) == 0 &&
		      strcmp(argv[1], "proc") != 0 && !paced &&
		      strcmp(argv[1], "proc-kept") != 0)) {
	fprintf(stderr, "usage: floor proc|proc-kept|serve COUNT\n"
			"       floor proc-paced COUNT INTERVAL\n");
	return 2;
    }
    if (paced)
	pause_us = (useconds_t)(atof(argv[3]) * 1e6);
    if (strcmp(argv[1], "proc-kept") == 0 || paced) {
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
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
	if (pause_us)
	    usleep(pause_us);
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
    printf("%.3f %.3f %ld\n", (cpu_ms() - c0) / count,
	   (wall_ms() - w0) / count - pause_us / 1e3,
	   values / count);
    return 0;
}
