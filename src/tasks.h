/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own count of tasks, to tell, without asking pmcd, whether
 * any process can have ended since a moment: tasks started since boot
 * (the "processes" line of /proc/stat) and tasks now (the fourth field of
 * /proc/loadavg, "running/all").  Both count threads.  A task leaves its
 * exit record when it exits but leaves the count only when reaped, so
 * between two readings at most those started (ended or zombies) and
 * those reaped (started + then - now) ended: an upper bound on the
 * processes that left a record, short only of older ones that exited and
 * wait, unreaped, for their parent.
 *
 * Read only when the agent samples the machine it runs on.
 */
#ifndef PP_TASKS_H
#define PP_TASKS_H

typedef struct {
    unsigned long long started;	/* tasks started since boot */
    unsigned long long now;	/* tasks now */
} pp_tasks;

/* read both from PROC (normally "/proc"): 0, or -1 when either cannot be
   read or parsed */
int pp_tasks_read(const char *proc, pp_tasks *t);

/* tasks that ended between two readings (then earlier), at most; the
   largest count when the readings disagree (the start count went back) */
unsigned long long pp_tasks_ended(const pp_tasks *then, const pp_tasks *now);

#endif
