/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of what process accounting decides with plain numbers
 * (src/accounting.c): how soon records are read again between cycles, the
 * canary that tells records that stopped, and processes that left the
 * table with no record; and the kernel's task counts that tell whether a
 * read is due (src/tasks.c).  No PMAPI call is made.
 */
#include "accounting.h"
#include "tasks.h"
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_read_gap(void)
{
    pp_accounting a;

    pp_acct_init(&a, 1);
    CHECK(pp_acct_read_gap(&a) < 0);		/* not looked up */
    a.available = 1;
    CHECK(pp_acct_read_gap(&a) < 0);		/* off */
    a.enabled = 1;
    NEAR(pp_acct_read_gap(&a), 2, 1e-9);	/* at most 2 s apart */
    a.life = 60;
    a.read_rate = 100;				/* quiet */
    NEAR(pp_acct_read_gap(&a), 2, 1e-9);
    a.read_rate = 1500;				/* 1,500 new a read */
    NEAR(pp_acct_read_gap(&a), 1, 1e-9);
    a.read_rate = 3000;
    NEAR(pp_acct_read_gap(&a), 0.5, 1e-9);
    a.read_rate = 1e6;				/* never closer than 0.25 s */
    NEAR(pp_acct_read_gap(&a), 0.25, 1e-9);
    a.read_rate = 100;
    a.read_full = 1;				/* some may be lost already */
    NEAR(pp_acct_read_gap(&a), 0.25, 1e-9);
    a.read_full = 0;
    a.life = 3;					/* within half the lifetime */
    NEAR(pp_acct_read_gap(&a), 1.5, 1e-9);
    pp_acct_free(&a);
}

static void
test_read_due(void)
{
    pp_accounting a;

    pp_acct_init(&a, 1);
    a.available = a.enabled = 1;
    CHECK(pp_acct_read_due(&a, -1, 0));		/* not known: read */
    CHECK(pp_acct_read_due(&a, NAN, 0));
    CHECK(!pp_acct_read_due(&a, 0, 1));		/* none ended */
    CHECK(!pp_acct_read_due(&a, 1499, 1));	/* fewer than a read's worth */
    CHECK(pp_acct_read_due(&a, 1500, 1));
    /* lifetime not said: pmda-proc's default, 60 s */
    CHECK(!pp_acct_read_due(&a, 10, 29.9));
    CHECK(pp_acct_read_due(&a, 10, 30));
    a.life = 600;
    CHECK(!pp_acct_read_due(&a, 10, 299));
    a.life = 60;
    CHECK(!pp_acct_read_due(&a, 10, 29.9));
    CHECK(pp_acct_read_due(&a, 10, 30));	/* they could expire first */
    a.read_full = 1;				/* some may be lost already */
    CHECK(pp_acct_read_due(&a, 0, 0));
    pp_acct_free(&a);
}

/* a /proc of the test's own: stat (pad bytes before "processes"), loadavg */
static int
fake_proc(const char *dir, size_t pad, const char *processes,
	  const char *loadavg, pp_tasks *t)
{
    char path[512];
    FILE *f;
    size_t i;

    snprintf(path, sizeof(path), "%s/stat", dir);
    if ((f = fopen(path, "w")) == NULL)
	return -2;
    fputs("cpu  1 2 3 4 5 6 7 0 0 0\nintr", f);
    for (i = 0; i < pad; i += 2)
	fputs(" 0", f);
    /* a piece of the long line read in parts that looks like the line
       wanted: not taken for it */
    if (pad > 0)
	fputs(" processes 99", f);
    fprintf(f, "\nctxt 99\nbtime 1700000000\n%sprocs_running 1\n",
	    processes);
    fclose(f);
    snprintf(path, sizeof(path), "%s/loadavg", dir);
    if ((f = fopen(path, "w")) == NULL)
	return -2;
    fputs(loadavg, f);
    fclose(f);
    return pp_tasks_read(dir, t);
}

static void
test_tasks(void)
{
    char dir[] = "/tmp/pp-tasks.XXXXXX", path[600];
    pp_tasks t = { 0, 0 }, then, now;

    CHECK(pp_tasks_read("/proc", &t) == 0);	/* this machine's */
    CHECK(t.started > 0 && t.now > 0);
    CHECK(mkdtemp(dir) != NULL);
    CHECK(fake_proc(dir, 0, "processes 4242\n", "0.00 0.01 0.05 1/234 5678\n",
		    &t) == 0);
    CHECK(t.started == 4242 && t.now == 234);
    /* a machine of many CPUs and interrupts: far past the first buffer,
       and a long line whose second piece (fgets's 255 bytes: "intr" +
       125 * " 0" + " ") begins "processes 99" */
    CHECK(fake_proc(dir, 200000, "processes 7\n", "1 1 1 3/10 20\n", &t) == 0);
    CHECK(t.started == 7 && t.now == 10);
    CHECK(fake_proc(dir, 250, "processes 8\n", "1 1 1 3/10 20\n", &t) == 0);
    CHECK(t.started == 8);
    CHECK(fake_proc(dir, 0, "", "0.00 0.01 0.05 1/234 5678\n", &t) < 0);
    CHECK(fake_proc(dir, 0, "processes x\n", "0 0 0 1/2 3\n", &t) < 0);
    CHECK(fake_proc(dir, 0, "processes 5\n", "0 0 0 12 3\n", &t) < 0);
    CHECK(pp_tasks_read("/nonexistent", &t) < 0);
    snprintf(path, sizeof(path), "%s/stat", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/loadavg", dir);
    unlink(path);
    rmdir(dir);

    /* at most: all those started (ended, or zombies with their record
       written), and those reaped (then + started - now) */
    then.started = 1000; then.now = 300;
    now.started = 1000; now.now = 300;		/* none */
    CHECK(pp_tasks_ended(&then, &now) == 0);
    now.started = 1100;				/* 100 came and went */
    CHECK(pp_tasks_ended(&then, &now) == 200);
    now.now = 400;				/* or are zombies */
    CHECK(pp_tasks_ended(&then, &now) == 100);
    now.now = 250;				/* and 50 older ones were reaped */
    CHECK(pp_tasks_ended(&then, &now) == 250);
    now.started = 1000;				/* 300 older ones reaped */
    now.now = 0;
    CHECK(pp_tasks_ended(&then, &now) == 300);
    now.started = 1100; now.now = 500;		/* counts read apart: never < 0 */
    CHECK(pp_tasks_ended(&then, &now) == 100);
    now.started = 999;				/* went back: assume the worst */
    CHECK(pp_tasks_ended(&then, &now) > 1000000);
}

static void
test_canary(void)
{
    pp_accounting a;
    int first;

    pp_acct_init(&a, 1);
    a.available = 1;
    pp_acct_canary(&a);				/* off: none */
    CHECK(a.canary == 0 && !a.stalled && a.missed == 0);
    a.enabled = 1;
    pp_acct_canary(&a);
    CHECK(a.canary > 0 && !a.stalled && a.missed == 0);
    first = a.canary;
    a.canary_back = 1;				/* its record came */
    pp_acct_canary(&a);
    CHECK(!a.stalled && a.missed == 0);
    CHECK(a.canary > 0 && a.canary != first && !a.canary_back);
    pp_acct_canary(&a);				/* it did not */
    CHECK(a.stalled && a.missed == 1);
    pp_acct_canary(&a);
    CHECK(a.stalled && a.missed == 2);
    a.canary_back = 1;				/* back */
    pp_acct_canary(&a);
    CHECK(!a.stalled && a.missed == 2);
    a.enabled = 0;				/* turned off: not missed */
    pp_acct_canary(&a);
    CHECK(a.canary == 0 && !a.stalled && a.missed == 2);
    pp_acct_free(&a);
}

static void
test_left(void)
{
    pp_accounting a;
    pp_proc p;

    pp_acct_init(&a, 1);
    memset(&p, 0, sizeof(p));
    a.available = 1;
    a.enabled = 1;
    a.on_since = 1000;
    p.gone_since = 1100;
    pp_acct_left(&a, &p);			/* no record came */
    CHECK(a.missed == 1);
    p.settled = 1;				/* its record came */
    pp_acct_left(&a, &p);
    CHECK(a.missed == 1);
    p.settled = 0;
    p.gone_since = 1010;			/* left as accounting came on */
    pp_acct_left(&a, &p);
    CHECK(a.missed == 1);
    p.gone_since = 1100;
    a.enabled = 0;				/* accounting is off */
    pp_acct_left(&a, &p);
    CHECK(a.missed == 1);
    pp_acct_free(&a);
}

int
main(void)
{
    test_read_gap();
    test_read_due();
    test_tasks();
    test_canary();
    test_left();
    return unit_done("test_accounting");
}
