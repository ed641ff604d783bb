/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawner PERIOD SECONDS COMMAND [ARG...]
 *
 * Start COMMAND every PERIOD seconds (one at a time is not required: each
 * runs on its own) for SECONDS, reaping the children as they exit, so
 * their CPU time adds up in this process's cutime and cstime
 * (/proc/PID/stat fields 16 and 17), which a test reads as the truth.
 * Stops at SECONDS or SIGTERM, after reaping every child.
 *
 * COMMAND "-" execs nothing: each child exits at once (its exit record
 * named after the spawner), a fork storm at a rate that does not depend
 * on how fast the machine runs programs (a shell loop of /bin/true made
 * 160 to 2,000 a second here, the dynamic loader's CPU time).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    double period, until, next;
    struct sigaction sa = { .sa_handler = on_term };

    if (argc < 4) {
	fprintf(stderr, "usage: spawner PERIOD SECONDS COMMAND [ARG...]\n");
	return 2;
    }
    period = atof(argv[1]);
    until = now() + atof(argv[2]);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (next = now(); !stop && now() < until; next += period) {
	pid_t pid = fork();
	struct timespec ts;
	double left;

	if (pid == 0) {
	    if (strcmp(argv[3], "-") == 0)
		_exit(0);
	    execv(argv[3], argv + 3);
	    _exit(127);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
	    ;
	left = next + period - now();
	if (left > 0) {
	    ts.tv_sec = (time_t)left;
	    ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
	    nanosleep(&ts, NULL);
	}
    }
    while (wait(NULL) > 0 || errno == EINTR)
	;
    return 0;
}
