/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shortburn MS
 *
 * Spin until this process has used MS milliseconds of CPU time, then
 * exit: a short-lived process of known CPU cost.
 */
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
    double want = argc > 1 ? atof(argv[1]) / 1000 : 0.030;
    struct timespec ts;
    volatile unsigned long spin = 0;

    do {
	for (int i = 0; i < 10000; i++)
	    spin++;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec + ts.tv_nsec / 1e9 < want);
    return 0;
}
