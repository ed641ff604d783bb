/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * churn RATE NAMES
 *
 * Process churn for the memory benchmark: RATE new processes a second,
 * each with one of NAMES command names (its comm, as pmda-proc's
 * proc.psinfo.cmd gives it), living between 0 and 4 seconds and burning a
 * little CPU, so that some are sampled alive and some are only seen in
 * their exit records.  Runs until SIGTERM, reaping every child.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

int
main(int argc, char **argv)
{
    int rate = argc > 1 ? atoi(argv[1]) : 50, names = argc > 2 ? atoi(argv[2]) : 40;
    struct sigaction sa = { .sa_handler = on_term };
    unsigned seed = 1;
    long n = 0;

    if (rate < 1 || names < 1) {
	fprintf(stderr, "usage: churn RATE NAMES\n");
	return 2;
    }
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop) {
	pid_t pid;
	seed = seed * 1103515245 + 12345;
	if ((pid = fork()) == 0) {
	    char comm[16];
	    struct timespec end, t;
	    double life = (seed >> 8) % 4000 / 1000.0;
	    snprintf(comm, sizeof(comm), "churn%ld", (long)((seed >> 4) % names));
	    prctl(PR_SET_NAME, comm);
	    clock_gettime(CLOCK_MONOTONIC, &end);
	    end.tv_sec += (time_t)life;
	    /* a few ms of CPU, then sleep out the rest */
	    do
		clock_gettime(CLOCK_MONOTONIC, &t);
	    while ((t.tv_sec - end.tv_sec + (time_t)life) * 1000000000L +
		   t.tv_nsec - end.tv_nsec < 3000000L);
	    sleep((unsigned)life);
	    _exit(0);
	}
	n++;
	while (waitpid(-1, NULL, WNOHANG) > 0)
	    ;
	usleep(1000000 / rate);
    }
    while (wait(NULL) > 0)
	;
    printf("%ld processes\n", n);
    return 0;
}
