/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the aggregates (src/aggregate.c): ids, accumulation that
 * outlives processes, expiry, and the cgroup path of a process.
 */
#include "aggregate.h"
#include "unit.h"

#include <string.h>

static void
test_accumulate(void)
{
    pp_aggset set;
    pp_agg *cc1, *cc1b, *make;

    pp_aggset_init(&set);
    cc1 = pp_agg_get(&set, "cc1");
    make = pp_agg_get(&set, "make");
    CHECK(cc1 != NULL && make != NULL && cc1 != make);
    CHECK(cc1->id == 0 && make->id == 1);
    cc1b = pp_agg_get(&set, "cc1");
    CHECK(cc1b == cc1);			/* same name, same aggregate */
    CHECK(set.count == 2);

    /* two cc1 processes in one interval, then one exits and another runs */
    pp_aggset_begin(&set);
    pp_agg_hold(cc1);
    pp_agg_hold(cc1);
    pp_agg_add(cc1, 3, 30, 10);
    pp_agg_add(cc1, 2, 20, 10);
    NEAR(cc1->power, 5, 1e-12);
    NEAR(cc1->energy, 50, 1e-12);
    pp_agg_release(cc1);		/* exits */
    pp_aggset_begin(&set);
    NEAR(cc1->power, 0, 0);		/* power is per interval */
    pp_agg_add(cc1, 4, 40, 20);
    NEAR(cc1->energy, 90, 1e-12);	/* energy keeps counting */
    pp_agg_release(cc1);
    pp_agg_release(cc1);		/* never below zero */
    CHECK(cc1->refs == 0);

    /* expiry: only with no references and idle for longer than the rule */
    pp_agg_hold(make);
    pp_agg_add(make, 0, 0, 20);
    CHECK(pp_aggset_expire(&set, 1000, 3600) == 0);
    CHECK(pp_aggset_expire(&set, 20 + 3601, 3600) == 1);	/* cc1 goes */
    CHECK(set.count == 1);
    /* held, it was active at every expiry: idle only from its release */
    NEAR(make->last_active, 20 + 3601, 0);
    pp_agg_release(make);
    CHECK(pp_aggset_expire(&set, 20 + 3601 + 3600, 3600) == 0);
    CHECK(pp_aggset_expire(&set, 20 + 3601 + 3601, 3600) == 1);
    CHECK(set.count == 0);

    /* a name seen again after expiry starts from zero with a new id */
    cc1 = pp_agg_get(&set, "cc1");
    CHECK(cc1->id == 2 && cc1->energy == 0);

    /* many names: growth keeps every one findable, sorted by id */
    {
	char name[32];
	int i, ok = 1;
	for (i = 0; i < 5000; i++) {
	    snprintf(name, sizeof(name), "cmd%d", i);
	    pp_agg_get(&set, name);
	}
	for (i = 0; i < 5000; i++) {
	    snprintf(name, sizeof(name), "cmd%d", i);
	    if (pp_agg_get(&set, name)->id != i + 3)
		ok = 0;
	}
	CHECK(ok);
	CHECK(set.count == 5001);
	for (i = 1; i < 5001; i++)
	    if (set.byid[i - 1]->id >= set.byid[i]->id)
		ok = 0;
	CHECK(ok);
    }
    pp_aggset_free(&set);
}

/* the id order and the names' size, through restores and expiry */
static void
test_order(void)
{
    pp_aggset set;
    pp_agg *a;
    size_t i;
    int ok = 1;

    pp_aggset_init(&set);
    CHECK(pp_agg_restore(&set, "sshd", 7, 5, 100) != NULL);
    CHECK(pp_agg_restore(&set, "bash", 3, 1, 100) != NULL);	/* lower id */
    CHECK(pp_agg_restore(&set, "other", 3, 1, 100) == NULL);	/* id taken */
    CHECK(pp_agg_restore(&set, "bash", 9, 1, 100) == NULL);	/* name taken */
    a = pp_agg_get(&set, "cc1");
    CHECK(a->id == 8);			/* after the highest restored */
    CHECK(set.count == 3 && set.byid[0]->id == 3 && set.byid[1]->id == 7 &&
	  set.byid[2] == a);
    CHECK(set.name_bytes == strlen("sshd") + strlen("bash") + strlen("cc1") + 3);

    /* the middle one expires: the others keep their order, names shrink */
    pp_agg_hold(set.byid[0]);
    pp_agg_hold(a);
    CHECK(pp_aggset_expire(&set, 100 + 3601, 3600) == 1);
    CHECK(set.count == 2 && set.byid[0]->id == 3 && set.byid[1] == a);
    CHECK(set.name_bytes == strlen("bash") + strlen("cc1") + 2);
    CHECK(pp_agg_get(&set, "sshd")->id == 9);	/* back, a new id, last */
    for (i = 1; i < set.count; i++)
	if (set.byid[i - 1]->id >= set.byid[i]->id)
	    ok = 0;
    CHECK(ok && set.count == 3);
    pp_aggset_free(&set);
}

/* bounded whatever users run: the longest idle fold into "other" */
static void
test_fold(void)
{
    pp_aggset set;
    pp_agg *held, *a;
    char name[32];
    double total = 0, sum = 0;
    size_t i;
    int k;

    pp_aggset_init(&set);
    pp_aggset_limit(&set, 100, "(other commands)");
    held = pp_agg_get(&set, "held");
    pp_agg_hold(held);
    pp_agg_add(held, 1, 1, 1);		/* the oldest, but a live one's */
    total += 1;
    for (k = 0; k < 1000; k++) {
	snprintf(name, sizeof(name), "c%d", k);
	a = pp_agg_get(&set, name);
	pp_agg_add(a, 0.5, k + 1.0, 10 + k);	/* c0 idle longest */
	total += k + 1.0;
    }
    CHECK(set.count == 1001 && set.other == NULL);
    CHECK(pp_aggset_fold(&set) == 1001 - 99);
    CHECK(set.count == 100 && set.other != NULL);
    CHECK(strcmp(set.other->name, "(other commands)") == 0);
    CHECK(set.other->id == PP_AGG_OTHER_ID);
    for (i = 0; i < set.count; i++)
	sum += set.byid[i]->energy;
    NEAR(sum, total, 1e-6);		/* nothing lost */
    CHECK(pp_agg_get(&set, "held") == held);	/* held: kept */
    CHECK(pp_agg_get(&set, "c999")->energy == 1000);	/* newest kept */
    CHECK(set.byid[set.count - 1] == set.other);	/* the highest id */
    /* a folded name seen again starts afresh with a new id */
    a = pp_agg_get(&set, "c0");
    CHECK(a->energy == 0 && a->id == 1001);
    CHECK(pp_aggset_fold(&set) == 1 && set.count == 100);
    /* other is never expired */
    CHECK(pp_aggset_expire(&set, 1e9, 3600) == 100 - 2);
    CHECK(set.count == 2 && set.other != NULL);
    pp_agg_release(held);

    /* names too long in total fold too */
    set.byte_limit = 1000;
    for (k = 0; k < 50; k++) {
	char big[200];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = (char)('A' + k % 26);
	big[1] = (char)('A' + k / 26);
	pp_agg_add(pp_agg_get(&set, big), 0, 1, 2e9 + k);
    }
    pp_aggset_fold(&set);
    CHECK(set.name_bytes <= 1000);
    pp_aggset_free(&set);
}

/* ids never wrap: once they run out, new names count under "other" */
static void
test_ids(void)
{
    pp_aggset set;
    pp_agg *a, *b;
    size_t i;
    int ok = 1;

    pp_aggset_init(&set);
    CHECK(pp_agg_restore(&set, "last", PP_AGG_OTHER_ID - 1, 1, 5) != NULL);
    CHECK(set.next_id == PP_AGG_OTHER_ID);
    a = pp_agg_get(&set, "new");
    CHECK(a == set.other && a->id == PP_AGG_OTHER_ID);
    b = pp_agg_get(&set, "newer");
    CHECK(b == a && set.next_id == PP_AGG_OTHER_ID);
    /* the other name only with the other id, and no second other */
    CHECK(pp_agg_restore(&set, "(other)", 5, 1, 5) == NULL);
    CHECK(pp_agg_restore(&set, "x", PP_AGG_OTHER_ID, 1, 5) == NULL);
    pp_aggset_free(&set);

    /* restoring refuses what is not a finite count of joules */
    pp_aggset_init(&set);
    CHECK(pp_agg_restore(&set, "inf", 1, 1.0 / 0.0, 5) == NULL);
    CHECK(pp_agg_restore(&set, "nan", 2, 0.0 / 0.0, 5) == NULL);
    CHECK(pp_agg_restore(&set, "neg", 3, -1, 5) == NULL);
    CHECK(pp_agg_restore(&set, "t", 4, 1, 1.0 / 0.0) == NULL);
    CHECK(set.count == 0);
    /* many, in id order (as a state file has them) and out of it */
    for (i = 0; i < 20000; i++) {
	char name[32];
	snprintf(name, sizeof(name), "n%zu", i);
	if (pp_agg_restore(&set, name, (int)(i % 2 ? 40000 - i : i), 1, 5) == NULL)
	    ok = 0;
    }
    CHECK(ok && set.count == 20000);
    for (i = 1; i < set.count; i++)
	if (set.byid[i - 1]->id >= set.byid[i]->id)
	    ok = 0;
    CHECK(ok);
    pp_aggset_free(&set);
}

static void
test_cgroup(void)
{
    char out[256];

    /* unified hierarchy */
    pp_cgroup_path("0::/system.slice/pmcd.service", out, sizeof(out));
    CHECK(strcmp(out, "/system.slice/pmcd.service") == 0);
    /* pmda-proc's form: "controller:path;..."; v2 entry has no name */
    pp_cgroup_path("name=systemd:/user.slice/user-1000.slice/session-2.scope;"
		   "cpu:/;:/user.slice/user-1000.slice/session-2.scope", out,
		   sizeof(out));
    CHECK(strcmp(out, "/user.slice/user-1000.slice/session-2.scope") == 0);
    /* v1 only: systemd's hierarchy first */
    pp_cgroup_path("cpu:/a;name=systemd:/system.slice/docker-1.scope;:/", out,
		   sizeof(out));
    CHECK(strcmp(out, "/system.slice/docker-1.scope") == 0);
    /* else any controller's path that is not the root */
    pp_cgroup_path("name=systemd:/;pids:/;memory:/process_api/3633;:/", out,
		   sizeof(out));
    CHECK(strcmp(out, "/process_api/3633") == 0);
    /* nothing: the root */
    pp_cgroup_path("name=systemd:/;:/", out, sizeof(out));
    CHECK(strcmp(out, "/") == 0);
    pp_cgroup_path("", out, sizeof(out));
    CHECK(strcmp(out, "/") == 0);
    pp_cgroup_path(NULL, out, sizeof(out));
    CHECK(strcmp(out, "/") == 0);
    /* truncated output stays a string */
    pp_cgroup_path("0::/a/very/long/path", out, 5);
    CHECK(strlen(out) == 4);
}

int
main(void)
{
    test_accumulate();
    test_order();
    test_fold();
    test_ids();
    test_cgroup();
    return unit_done("test_aggregate");
}
