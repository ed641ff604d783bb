/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * storm RATE SECONDS
 *
 * A fork storm at a rate that does not depend on how fast the machine
 * runs programs: RATE children a second, each of which exits at once
 * (no exec: each still leaves an exit record, named "storm"), reaped as
 * they go, for SECONDS or until SIGTERM.  A shell loop of /bin/true
 * makes 150 to 1,000 a second depending on the machine (the dynamic
 * loader's CPU time); this makes RATE wherever a fork takes less than
 * 1/RATE s.  Prints how many it started.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = on_term };
    double rate, start, until;
    unsigned long n = 0;

    if (argc != 3 || (rate = atof(argv[1])) <= 0) {
	fprintf(stderr, "usage: storm RATE SECONDS\n");
	return 2;
    }
    start = now();
    until = start + atof(argv[2]);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop && now() < until) {
	double left = start + n / rate - now();
	pid_t pid;

	if (left > 0) {
	    struct timespec ts;
	    ts.tv_sec = (time_t)left;
	    ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
	    nanosleep(&ts, NULL);
	    continue;
	}
	if ((pid = fork()) == 0)
	    _exit(0);
	if (pid > 0)
	    n++;
	while (waitpid(-1, NULL, WNOHANG) > 0)
	    ;
    }
    while (wait(NULL) > 0 || errno == EINTR)
	;
    printf("%lu\n", n);
    return 0;
}
