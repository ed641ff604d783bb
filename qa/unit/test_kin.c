/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the parents' bound (src/kin.c) with plain numbers: which
 * records form a family, the fit to a parent's reaped CPU time, what is
 * carried, and which parents are followed.  No PMAPI call is made:
 * readings are set as pp_kin_read would set them.
 */
#include "kin.h"
#include "unit.h"

#include <string.h>

static pp_table t;

/* a cycle in which the processes pids[0..n) are listed */
static void
cycle(const int *pids, int n)
{
    int i, isnew;

    pp_table_begin(&t);
    for (i = 0; i < n; i++)
	pp_table_update(&t, pids[i], 5000 + pids[i], 100, &isnew);
    pp_table_sweep(&t, 1e6 + t.cycle, 30, NULL, NULL);
}

/* an exit of pid, child of ppid: an estimate of 1 ms, 0 to 11 allowed */
static pp_exit
ex(int pid, int ppid)
{
    pp_exit e;

    memset(&e, 0, sizeof(e));
    e.pid = pid;
    e.ppid = ppid;
    e.cpu_ms = 1;
    e.lo = 0;
    e.headroom = 10;
    return e;
}

static double
sum(const pp_exit *e, int n)
{
    double s = 0;
    int i;

    for (i = 0; i < n; i++)
	s += e[i].cpu_ms;
    return s;
}

/* as pp_kin_read would after a reading of `reaped` */
static void
reading(pp_kin *k, int pid, double reaped)
{
    size_t i;

    for (i = 0; i < k->n; i++)
	if (k->v[i].pid == pid) {
	    k->v[i].delta = isfinite(k->v[i].reaped) ?
			    reaped - k->v[i].reaped : NAN;
	    k->v[i].reaped = reaped;
	}
}

/* a cycle's plan and fit, with the readings set before */
static void
fit(pp_kin *k, pp_exit *e, size_t n)
{
    pp_kin_plan(k, e, n, &t);
    pp_kin_fit(k, e, n, &t);
}

static void
test_family(void)
{
    pp_kin k;
    int live[] = { 1, 100, 150 };
    pp_exit e[6];
    size_t i;

    pp_table_init(&t);
    pp_kin_init(&k);
    cycle(live, 3);
    cycle(live, 3);

    /* first seen heading a family: followed, nothing fitted */
    e[0] = ex(200, 100);
    e[1] = ex(201, 100);
    fit(&k, e, 2);
    CHECK(k.n == 1 && k.v[0].pid == 100);
    NEAR(sum(e, 2), 2, 0);
    CHECK(k.unfitted == 2 && k.fitted == 0);

    /* its first reading is a base: still nothing fitted */
    cycle(live, 3);
    reading(&k, 100, 1000);
    e[0] = ex(202, 100);
    fit(&k, e, 1);
    NEAR(e[0].cpu_ms, 1, 0);
    NEAR(e[0].headroom, 10, 0);

    /* then the records are fitted to what it reaped: its children, and a
       grandchild whose parent is one of the records (a subshell's);
       another parent's children are not its */
    cycle(live, 3);
    reading(&k, 100, 1012);
    e[0] = ex(203, 100);
    e[1] = ex(204, 203);
    e[2] = ex(205, 204);
    e[3] = ex(206, 150);
    e[4] = ex(207, 999);	/* a parent not listed: left as it is */
    fit(&k, e, 5);
    NEAR(e[0].cpu_ms + e[1].cpu_ms + e[2].cpu_ms, 12, 1e-9);
    NEAR(e[0].cpu_ms, 4, 1e-9);
    NEAR(e[0].headroom, 0, 0);
    NEAR(e[3].cpu_ms, 1, 0);
    NEAR(e[3].headroom, 10, 0);
    NEAR(e[4].cpu_ms, 1, 0);
    CHECK(k.n == 2 && k.v[0].pid == 100 && k.v[1].pid == 150);
    NEAR(k.v[0].carry, 0, 1e-9);
    CHECK(k.fitted == 3);

    /* CPU time counted while a child was sampled alive is not again */
    cycle(live, 3);
    reading(&k, 100, 1032);
    e[0] = ex(208, 100);
    e[0].before = 15;
    e[1] = ex(209, 100);
    fit(&k, e, 2);
    NEAR(sum(e, 2), 5, 1e-9);

    /* more than the records allow: they reach their bounds, and a little
       is carried to the next interval (2 ticks + 10% of what it reaped) */
    cycle(live, 3);
    reading(&k, 100, 1132);
    e[0] = ex(210, 100);
    e[1] = ex(211, 100);
    fit(&k, e, 2);
    NEAR(sum(e, 2), 22, 1e-9);
    NEAR(k.v[0].carry, 30, 1e-9);
    NEAR(k.refused_ms, 48, 1e-9);
    /* ... where a late record takes it */
    cycle(live, 3);
    reading(&k, 100, 1132);
    e[0] = ex(212, 100);
    e[0].cpu_ms = 20;
    e[0].lo = 20;
    e[0].headroom = 20;
    fit(&k, e, 1);
    NEAR(e[0].cpu_ms, 30, 1e-9);
    NEAR(k.v[0].carry, 0, 1e-9);

    /* fewer than the records say (a record counted before its parent
       reaped it): no record below its ticks, the rest carried back */
    cycle(live, 3);
    reading(&k, 100, 1137);
    e[0] = ex(213, 100);
    e[0].cpu_ms = 20;
    e[0].lo = 20;
    e[0].headroom = 5;
    fit(&k, e, 1);
    NEAR(e[0].cpu_ms, 20, 1e-9);
    NEAR(k.v[0].carry, -15, 1e-9);

    /* a reading with no record: what it reaped waits, within the limit */
    cycle(live, 3);
    reading(&k, 100, 1147);
    fit(&k, e, 0);
    NEAR(k.v[0].carry, -5, 1e-9);

    /* a member that heads a family of its own: not fitted */
    cycle(live, 3);
    reading(&k, 100, 1160);
    e[0] = ex(150, 100);
    e[1] = ex(214, 100);
    fit(&k, e, 2);
    NEAR(sum(e, 2), 2, 0);
    NEAR(e[1].headroom, 10, 0);

    /* a member followed and read: what it reaped by then is its own
       family's, the rest its parent's (it ended: its reading fails) */
    cycle(live, 3);
    reading(&k, 100, 1160);
    reading(&k, 150, 500);
    fit(&k, e, 0);
    cycle(live, 3);
    reading(&k, 100, 1160 + 500 + 9);	/* 150 and all it reaped */
    for (i = 0; i < k.n; i++)
	if (k.v[i].pid == 150)
	    k.v[i].stale = 1;		/* as a failed read leaves it */
    e[0] = ex(150, 100);
    e[1] = ex(215, 150);		/* reaped by 150 after its reading */
    fit(&k, e, 2);
    NEAR(sum(e, 2), 9 + k.v[0].carry, 1e-9);
    NEAR(e[0].headroom + e[1].headroom, 0, 0);

    /* a ppid loop ends without a head */
    cycle(live, 3);
    e[0] = ex(300, 301);
    e[1] = ex(301, 300);
    fit(&k, e, 2);
    NEAR(sum(e, 2), 2, 0);

    pp_kin_free(&k);
    pp_table_free(&t);
}

static void
test_followed(void)
{
    pp_kin k;
    int live[] = { 100, 101 }, fewer[] = { 101 };
    pp_exit e[PP_KIN_MAX + 2];
    int i;
    pp_proc *p;

    pp_table_init(&t);
    pp_kin_init(&k);
    cycle(live, 2);
    cycle(live, 2);
    e[0] = ex(200, 100);
    e[1] = ex(201, 101);
    fit(&k, e, 2);
    CHECK(k.n == 2);

    /* another process with the pid: started again, nothing fitted */
    cycle(live, 2);
    reading(&k, 100, 10);
    cycle(live, 2);
    reading(&k, 100, 20);
    p = pp_table_lookup(&t, 100);
    p->start += 1;
    e[0] = ex(202, 100);
    fit(&k, e, 1);
    NEAR(e[0].cpu_ms, 1, 0);
    CHECK(!isfinite(k.v[0].reaped));

    /* gone from the table: no longer followed */
    cycle(fewer, 1);
    fit(&k, e, 0);
    CHECK(k.n == 1 && k.v[0].pid == 101);

    /* idle for more than PP_KIN_IDLE cycles: no longer followed */
    for (i = 0; i <= PP_KIN_IDLE; i++) {
	cycle(fewer, 1);
	fit(&k, e, 0);
    }
    CHECK(k.n == 0);

    /* no more than PP_KIN_MAX, whatever runs */
    {
	static int many[PP_KIN_MAX + 2];
	for (i = 0; i < PP_KIN_MAX + 2; i++) {
	    many[i] = 1000 + i;
	    e[i] = ex(5000 + i, many[i]);
	}
	cycle(many, PP_KIN_MAX + 2);
	fit(&k, e, PP_KIN_MAX + 2);
	CHECK(k.n == PP_KIN_MAX);
	for (i = 1; i < (int)k.n; i++)
	    CHECK(k.v[i - 1].pid < k.v[i].pid);
    }
    pp_kin_free(&k);
    pp_table_free(&t);
}

/* a head first listed this cycle started since the last: its first
   reading is its interval's (pp_kin_base), one listed before only a base */
static void
test_new_head(void)
{
    pp_kin k;
    int before[] = { 1, 100 }, now[] = { 1, 100, 300 };
    pp_exit e[2];

    pp_table_init(&t);
    pp_kin_init(&k);
    cycle(before, 2);
    cycle(before, 2);
    t.primed = 1;		/* as pp_table_split leaves it */
    cycle(now, 3);
    e[0] = ex(301, 300);
    e[1] = ex(101, 100);
    pp_kin_plan(&k, e, 2, &t);
    CHECK(k.n == 2 && k.v[0].pid == 100 && k.v[1].pid == 300);
    CHECK(!k.v[0].from_zero && k.v[1].from_zero);
    pp_kin_fit(&k, e, 2, &t);		/* not read: left as they are */
    NEAR(sum(e, 2), 2, 0);
    pp_kin_free(&k);
    pp_table_free(&t);
}

int
main(void)
{
    test_family();
    test_new_head();
    test_followed();
    return unit_done("test_kin");
}
