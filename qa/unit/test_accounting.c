/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of what process accounting decides with plain numbers
 * (src/accounting.c): how soon records are read again between cycles, the
 * canary that tells records that stopped, and processes that left the
 * table with no record.  No PMAPI call is made.
 */
#include "accounting.h"
#include "unit.h"

#include <string.h>

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
    test_canary();
    test_left();
    return unit_done("test_accounting");
}
