/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's count of tasks; see tasks.h.
 */
#include "tasks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAT_MAX	(4 << 20)	/* /proc/stat of thousands of CPUs */

/* the whole of a /proc file, NUL-terminated, in *buf (grown as needed) */
static ssize_t
slurp(const char *path, char **buf, size_t *size)
{
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
	return -1;
    for (;;) {
	ssize_t r;

	if (len + 1 >= *size) {
	    size_t want = *size ? 2 * *size : 8192;
	    char *b;

	    if (want > STAT_MAX || (b = realloc(*buf, want)) == NULL) {
		close(fd);
		return -1;
	    }
	    *buf = b;
	    *size = want;
	}
	r = read(fd, *buf + len, *size - len - 1);
	if (r < 0 && errno == EINTR)
	    continue;
	if (r < 0) {
	    close(fd);
	    return -1;
	}
	if (r == 0)
	    break;
	len += (size_t)r;
    }
    close(fd);
    (*buf)[len] = '\0';
    return (ssize_t)len;
}

int
pp_tasks_read(const char *proc, pp_tasks *t)
{
    /* the thread that samples is the only reader: its buffer is kept */
    static __thread char *buf;
    static __thread size_t size;
    char path[256];
    const char *p;
    char *end;
    unsigned long long started, now;

    snprintf(path, sizeof(path), "%s/stat", proc);
    if (slurp(path, &buf, &size) < 0)
	return -1;
    if (strncmp(buf, "processes ", 10) == 0)
	p = buf + 10;
    else if ((p = strstr(buf, "\nprocesses ")) != NULL)
	p += 11;
    else
	return -1;
    errno = 0;
    started = strtoull(p, &end, 10);
    if (end == p || errno != 0)
	return -1;

    /* "0.00 0.01 0.05 1/234 5678" */
    snprintf(path, sizeof(path), "%s/loadavg", proc);
    if (slurp(path, &buf, &size) < 0 || (p = strchr(buf, '/')) == NULL)
	return -1;
    p++;
    errno = 0;
    now = strtoull(p, &end, 10);
    if (end == p || errno != 0)
	return -1;
    t->started = started;
    t->now = now;
    return 0;
}

unsigned long long
pp_tasks_ended(const pp_tasks *then, const pp_tasks *now)
{
    unsigned long long started;

    if (now->started < then->started)
	return ~0ULL;
    started = now->started - then->started;
    /* ended = started - (now - then), never below 0 */
    if (now->now >= then->now)
	return started > now->now - then->now ?
	       started - (now->now - then->now) : 0;
    return started + (then->now - now->now);
}
