/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reuse PID COMMAND [ARG...]
 *
 * Start COMMAND as process PID, a pid that was just freed, the way
 * checkpoint/restore tools do: write PID - 1 to the kernel's last pid
 * (/proc/sys/kernel/ns_last_pid, root only) and fork.  The child execs
 * COMMAND only once it is known to have PID; if another process took the
 * pid first it is dropped and the write tried again.  Then it waits for
 * COMMAND (so that it is reaped even where pid 1 reaps nothing), passing
 * on SIGTERM and SIGINT, and exits with its status; 1 if it could not
 * start it as PID in 100 tries.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t started;

static void
pass_on(int sig)
{
    if (started > 0)
	kill(started, sig);
}

int
main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = pass_on };
    int status;
    pid_t want, child;
    int go[2], try, fd;
    char text[32];

    if (argc < 3 || (want = (pid_t)atoi(argv[1])) <= 1) {
	fprintf(stderr, "usage: reuse PID COMMAND [ARG...]\n");
	return 2;
    }
    for (try = 0; try < 100; try++) {
	if ((fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR)) < 0) {
	    perror("reuse: /proc/sys/kernel/ns_last_pid");
	    return 1;
	}
	flock(fd, LOCK_EX);	/* as CRIU does: one writer at a time */
	snprintf(text, sizeof(text), "%d", (int)want - 1);
	if (write(fd, text, strlen(text)) < 0 || pipe(go) < 0) {
	    perror("reuse");
	    return 1;
	}
	if ((child = fork()) == 0) {
	    char c;
	    close(fd);
	    close(go[1]);
	    if (read(go[0], &c, 1) != 1)
		_exit(0);	/* not the pid wanted: just go */
	    close(go[0]);
	    execvp(argv[2], argv + 2);
	    _exit(127);
	}
	close(fd);		/* and its lock */
	close(go[0]);
	if (child == want) {
	    started = child;
	    sigaction(SIGTERM, &sa, NULL);
	    sigaction(SIGINT, &sa, NULL);
	    if (write(go[1], "x", 1) != 1)
		return 1;
	    close(go[1]);
	    while (waitpid(child, &status, 0) < 0)
		;		/* interrupted by a signal passed on */
	    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	close(go[1]);		/* the child exits */
	if (child > 0)
	    waitpid(child, NULL, 0);
	usleep(1000);
    }
    fprintf(stderr, "reuse: could not start a process as pid %d\n", (int)want);
    return 1;
}
