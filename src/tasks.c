/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's count of tasks; see tasks.h.
 */
#include "tasks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the number after KEY at the start of a line of PATH: 0, or -1 */
static int
line_value(const char *path, const char *key, unsigned long long *v)
{
    char line[256], *end;
    size_t klen = strlen(key);
    int at_start = 1, found = -1;
    FILE *f = fopen(path, "re");

    if (f == NULL)
	return -1;
    /* lines longer than the buffer (/proc/stat's "intr") come in pieces:
       only a piece that starts a line is looked at */
    while (fgets(line, sizeof(line), f) != NULL) {
	size_t len = strlen(line);

	if (at_start && strncmp(line, key, klen) == 0) {
	    errno = 0;
	    *v = strtoull(line + klen, &end, 10);
	    if (end != line + klen && errno == 0)
		found = 0;
	    break;
	}
	at_start = len > 0 && line[len - 1] == '\n';
    }
    fclose(f);
    return found;
}

int
pp_tasks_read(const char *proc, pp_tasks *t)
{
    char path[256], line[128], *p, *end;
    unsigned long long started, now;
    FILE *f;

    snprintf(path, sizeof(path), "%s/stat", proc);
    if (line_value(path, "processes ", &started) < 0)
	return -1;
    /* "0.00 0.01 0.05 1/234 5678" */
    snprintf(path, sizeof(path), "%s/loadavg", proc);
    if ((f = fopen(path, "re")) == NULL)
	return -1;
    p = fgets(line, sizeof(line), f);
    fclose(f);
    if (p == NULL || (p = strchr(line, '/')) == NULL)
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
    unsigned long long started, reaped;

    if (now->started < then->started)
	return ~0ULL;
    started = now->started - then->started;
    /* tasks reaped: then + started - now, never below 0 */
    reaped = then->now + started > now->now ?
	     then->now + started - now->now : 0;
    /* every one started may have ended, reaped or not yet (a zombie has
       left its record already), and those reaped include the older ones
       that ended */
    return started + reaped;
}
