/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idle N
 *
 * Start N idle processes (children that wait in pause()) and wait until
 * SIGTERM; then end them all.  Prints the first and last child's pid
 * once all N exist.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100, i;
    pid_t first = 0, pid = 0;
    struct sigaction sa = { .sa_handler = on_term };

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    setpgid(0, 0);
    for (i = 0; i < n && !stop; i++) {
	if ((pid = fork()) == 0) {
	    signal(SIGTERM, SIG_DFL);
	    for (;;)
		pause();
	}
	if (pid < 0) {
	    perror("fork");
	    break;
	}
	if (!first)
	    first = pid;
    }
    printf("%d %d %d\n", i, (int)first, (int)pid);
    fflush(stdout);
    while (!stop)
	pause();
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    while (wait(NULL) > 0)
	;
    return 0;
}
