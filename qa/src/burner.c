/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * burner DUTY [SECONDS]
 *
 * Keep this process's CPU time at DUTY (0..1) of the wall-clock time since
 * it started, in slices of about 10 ms: it spins while its CPU time
 * (CLOCK_PROCESS_CPUTIME_ID) is behind DUTY x elapsed (CLOCK_MONOTONIC) and
 * sleeps while it is ahead.  Time lost to contention is made up later (at
 * most one second of it), so two burners keep a known CPU ratio even when
 * they compete for the CPUs.  Stops after SECONDS (default 600) so that a
 * forgotten burner does not run for ever.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SLICE		0.010	/* seconds */
#define MAX_DEBT	1.0	/* CPU seconds that may be made up later */

static double
clock_seconds(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_seconds(double s)
{
    struct timespec ts;

    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
	;
}

static double
number(const char *arg, const char *what, double lo, double hi)
{
    char *end;
    double v = strtod(arg, &end);

    if (end == arg || *end != '\0' || !(v >= lo && v <= hi)) {
	fprintf(stderr, "burner: %s must be a number from %g to %g, not \"%s\"\n",
		what, lo, hi, arg);
	exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    volatile unsigned long spin = 0;
    double duty, limit = 600, t0, c0, now, debt;
    int i;

    if (argc < 2 || argc > 3) {
	fprintf(stderr, "Usage: burner DUTY [SECONDS]\n");
	return 2;
    }
    duty = number(argv[1], "DUTY", 0, 1);
    if (argc == 3)
	limit = number(argv[2], "SECONDS", 0, 86400);

    t0 = clock_seconds(CLOCK_MONOTONIC);
    c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    while ((now = clock_seconds(CLOCK_MONOTONIC)) - t0 < limit) {
	debt = duty * (now - t0) - (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0);
	if (debt > MAX_DEBT) {
	    c0 += debt - MAX_DEBT;	/* forgive what cannot be made up */
	    debt = MAX_DEBT;
	}
	if (debt <= 0) {
	    /* ahead: sleep until DUTY x elapsed catches up, one slice at most */
	    double wait = duty > 0 ? -debt / duty : SLICE;
	    sleep_seconds(wait < SLICE ? (wait > 0.0005 ? wait : 0.0005) : SLICE);
	    continue;
	}
	/* behind: spin for one slice or until caught up */
	while (clock_seconds(CLOCK_MONOTONIC) - now < SLICE &&
	       clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0 <
	       duty * (clock_seconds(CLOCK_MONOTONIC) - t0))
	    for (i = 0; i < 20000; i++)
		spin++;
    }
    return 0;
}
