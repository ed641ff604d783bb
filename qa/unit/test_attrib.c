/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the attribution arithmetic (src/attrib.c) with plain
 * numbers: counters (wrap, reset, spikes), gauges, the model, shares and
 * conservation, new, exited and reused processes.
 */
#include "attrib.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void
test_counter(void)
{
    pp_counter c;
    double j;

    memset(&c, 0, sizeof(c));
    CHECK(pp_counter_feed(&c, 1000, 10, 1e4, &j) == PP_DELTA_PRIMING);
    NEAR(j, 0, 0);
    CHECK(pp_counter_feed(&c, 1150, 10, 1e4, &j) == PP_DELTA_OK);
    NEAR(j, 150, 1e-9);
    /* a standstill is a real zero, not an error */
    CHECK(pp_counter_feed(&c, 1150, 10, 1e4, &j) == PP_DELTA_OK);
    NEAR(j, 0, 0);

    /* wrap at a known range (RAPL max_energy_range_uj / 1e6) */
    c.range = 262143.328850;
    c.last = 262100;
    CHECK(pp_counter_feed(&c, 57, 10, 1e4, &j) == PP_DELTA_WRAPPED);
    NEAR(j, 262143.328850 - 262100 + 57, 1e-6);
    CHECK(pp_delta_usable(PP_DELTA_WRAPPED));

    /* backwards with no known range: a reset, skipped, no negative */
    memset(&c, 0, sizeof(c));
    pp_counter_feed(&c, 5000, 10, 1e4, &j);
    CHECK(pp_counter_feed(&c, 12, 10, 1e4, &j) == PP_DELTA_RESET);
    NEAR(j, 0, 0);
    CHECK(!pp_delta_usable(PP_DELTA_RESET));

    /* a gap (a laptop suspended three hours, an agent stalled): a
       counter that could have wrapped twice, and any gauge, cannot tell
       it; intervals, however long the configured one, are intervals */
    CHECK(!pp_gap_untold(10, 10, 600, 0, 262143.33, 1e4));
    CHECK(!pp_gap_untold(10, 10, 600, 1, 0, 1e4));
    CHECK(!pp_gap_untold(599, 10, 600, 0, 262143.33, 1e4));
    CHECK(!pp_gap_untold(599, 10, 600, 1, 0, 1e4));
    CHECK(pp_gap_untold(3 * 3600, 10, 600, 0, 262143.33, 1e4));
    CHECK(pp_gap_untold(3 * 3600, 10, 600, 1, 0, 1e4));
    CHECK(pp_gap_untold(601, 10, 600, 1, 0, 1e4));
    /* no range: it cannot wrap, the counter says it all */
    CHECK(!pp_gap_untold(3 * 3600, 10, 600, 0, 0, 1e4));
    /* a machine configured for at most 20 W cannot wrap twice in 3 h */
    CHECK(!pp_gap_untold(3 * 3600, 10, 600, 0, 262143.33, 20));
    CHECK(pp_gap_untold(4 * 3600, 10, 600, 0, 262143.33, 20));
    /* an hour's interval is not a gap; two and more are */
    CHECK(!pp_gap_untold(3600, 3600, 600, 1, 0, 1e4));
    CHECK(!pp_gap_untold(7200, 3600, 600, 0, 262143.33, 1e4));
    CHECK(pp_gap_untold(7201, 3600, 600, 1, 0, 1e4));
    /* a configured gap of 5 s at 1 s intervals: 6 s is one */
    CHECK(!pp_gap_untold(5, 1, 5, 1, 0, 1e4));
    CHECK(pp_gap_untold(6, 1, 5, 1, 0, 1e4));
    CHECK(!pp_gap_untold(6, 1, 5, 0, 262143.33, 1e4));
    CHECK(pp_gap_untold(6, 2.5, 5, 1, 0, 1e4));
    CHECK(!pp_gap_untold(6, 3, 5, 1, 0, 1e4));
    /* and the next interval goes on from the new reference */
    CHECK(pp_counter_feed(&c, 112, 10, 1e4, &j) == PP_DELTA_OK);
    NEAR(j, 100, 1e-9);

    /* a wrap range that does not explain the old reading: reset */
    memset(&c, 0, sizeof(c));
    c.range = 100;
    pp_counter_feed(&c, 5000, 10, 1e4, &j);
    CHECK(pp_counter_feed(&c, 10, 10, 1e4, &j) == PP_DELTA_RESET);

    /* a spike (e.g. a misread wrap) above max_watts is skipped */
    memset(&c, 0, sizeof(c));
    pp_counter_feed(&c, 0, 10, 1e4, &j);
    CHECK(pp_counter_feed(&c, 4e6, 10, 1e4, &j) == PP_DELTA_IMPLAUSIBLE);
    NEAR(j, 0, 0);
    CHECK(pp_counter_feed(&c, 4e6 + 200, 10, 1e4, &j) == PP_DELTA_OK);
    NEAR(j, 200, 1e-9);

    /* NaN, infinite and negative readings never become the reference */
    CHECK(pp_counter_feed(&c, NAN, 10, 1e4, &j) == PP_DELTA_BADVALUE);
    CHECK(pp_counter_feed(&c, -5, 10, 1e4, &j) == PP_DELTA_BADVALUE);
    CHECK(pp_counter_feed(&c, INFINITY, 10, 1e4, &j) == PP_DELTA_BADVALUE);
    CHECK(pp_counter_feed(&c, 4e6 + 300, 10, 1e4, &j) == PP_DELTA_OK);
    NEAR(j, 100, 1e-9);

    /* zero or negative dt cannot give a power */
    CHECK(pp_counter_feed(&c, 4e6 + 400, 0, 1e4, &j) == PP_DELTA_IMPLAUSIBLE);

    /* whole-joule truncation (pmda-denki): 10 intervals of 15.5 W over 1 s */
    memset(&c, 0, sizeof(c));
    {
	double truth = 1000.3, sum = 0;
	int i;
	pp_counter_feed(&c, floor(truth), 1, 1e4, &j);
	for (i = 0; i < 10; i++) {
	    truth += 15.5;
	    CHECK(pp_counter_feed(&c, floor(truth), 1, 1e4, &j) == PP_DELTA_OK);
	    CHECK(j >= 0);
	    sum += j;
	}
	NEAR(sum, 155, 1.0);	/* error bounded by one joule overall */
    }
}

static void
test_gauge(void)
{
    pp_gauge g;
    double j, s;

    memset(&g, 0, sizeof(g));
    CHECK(pp_gauge_take(&g, &j, &s) == 0);
    CHECK(pp_gauge_add(&g, 100, 10, 1e4) == 0);	/* primes */
    CHECK(pp_gauge_take(&g, &j, &s) == 0);
    /* 10 W rising linearly to 30 W over 2 s, then 30 W for 2 s */
    CHECK(pp_gauge_add(&g, 102, 30, 1e4) == 0);
    CHECK(pp_gauge_add(&g, 104, 30, 1e4) == 0);
    CHECK(pp_gauge_take(&g, &j, &s) == 2);
    NEAR(s, 4, 1e-9);
    NEAR(j, 40 + 60, 1e-9);
    NEAR(j / s, 25, 1e-9);	/* not the last reading (30) */

    /* the next interval starts at the last reading */
    CHECK(pp_gauge_add(&g, 106, 10, 1e4) == 0);
    CHECK(pp_gauge_take(&g, &j, &s) == 1);
    NEAR(j / s, 20, 1e-9);

    /* alternating readings average out */
    {
	int i;
	for (i = 1; i <= 100; i++)
	    pp_gauge_add(&g, 106 + i * 0.1, (i % 2) ? 30 : 10, 1e4);
	CHECK(pp_gauge_take(&g, &j, &s) == 100);
	NEAR(j / s, 20, 0.2);
    }

    /* bad readings are refused and change nothing */
    CHECK(pp_gauge_add(&g, 200, -1, 1e4) < 0);
    CHECK(pp_gauge_add(&g, 200, NAN, 1e4) < 0);
    CHECK(pp_gauge_add(&g, 200, 1e6, 1e4) < 0);
    CHECK(pp_gauge_add(&g, 115.5, 5, 1e4) < 0);	/* older time stamp */
    CHECK(pp_gauge_take(&g, &j, &s) == 0);
    CHECK(j == 0 && s == 0);

    /* the clock stepped back an hour: start again from there, no stall */
    CHECK(pp_gauge_add(&g, 116 - 3600, 12, 1e4) == 0);
    CHECK(pp_gauge_take(&g, &j, &s) == 0);
    CHECK(pp_gauge_add(&g, 118 - 3600, 12, 1e4) == 0);
    CHECK(pp_gauge_take(&g, &j, &s) == 1);
    NEAR(j / s, 12, 1e-9);
    /* stepped forward an hour: the average stays the power, no spike */
    CHECK(pp_gauge_add(&g, 120, 12, 1e4) == 0);
    CHECK(pp_gauge_take(&g, &j, &s) == 1);
    NEAR(j / s, 12, 1e-9);
}

/* an interval's length when the wall clock is stepped */
static void
test_clock(void)
{
    NEAR(pp_interval_seconds(10.02, 10), 10.02, 0);	/* as stamped */
    NEAR(pp_interval_seconds(10.9, 10), 10.9, 0);		/* jitter */
    NEAR(pp_interval_seconds(-3590, 10), 10, 0);		/* back an hour */
    NEAR(pp_interval_seconds(0, 10), 10, 0);		/* back 10 s */
    NEAR(pp_interval_seconds(3610, 10), 10, 0);		/* forward an hour */
    NEAR(pp_interval_seconds(3610, 3600), 3610, 0);	/* a long interval */
    NEAR(pp_interval_seconds(5, 0), 5, 0);		/* an archive */
    NEAR(pp_interval_seconds(-1, 0), -1, 0);		/* its end: no interval */
}

static void
test_battery(void)
{
    pp_battery b;

    memset(&b, 0, sizeof(b));
    CHECK(pp_battery_level(&b, 0, 50.0, 15) == 0);	/* one reading */
    CHECK(pp_battery_level(&b, 2, 49.9, 15) == 1);	/* falls */
    /* the level holds still between a battery's updates: still discharging */
    CHECK(pp_battery_level(&b, 10, 49.9, 15) == 1);
    CHECK(pp_battery_level(&b, 17, 49.9, 15) == 1);
    /* ... but not for longer than the hold: on mains, full */
    CHECK(pp_battery_level(&b, 18, 49.9, 15) == 0);
    CHECK(pp_battery_level(&b, 20, 49.8, 15) == 1);	/* falls again */
    CHECK(pp_battery_level(&b, 22, 49.9, 15) == 0);	/* rises: charging */
    CHECK(pp_battery_level(&b, 24, 49.9, 15) == 0);
    /* no reading: the state ages out like a steady level */
    CHECK(pp_battery_level(&b, 26, 49.8, 15) == 1);
    CHECK(pp_battery_level(&b, 30, NAN, 15) == 1);
    CHECK(pp_battery_level(&b, 50, NAN, 15) == 0);
}

static void
test_acct_estimate(void)
{
    /* the kernel writes elapsed time in whole ticks too (10 ms here) */
    /* 30 ms of CPU in 31 ms, recorded as 20 + 0 in 30: busy, a tick added */
    NEAR(pp_acct_cpu_ms(20, 0, 30, 10), 30, 1e-9);
    /* but never more than it lived: 10 + 10 in under 20 ms */
    NEAR(pp_acct_cpu_ms(10, 10, 10, 10), 20, 1e-9);
    /* /bin/true: 0 + 0 in 0 (it lived 2 ms): about a ms a field, not 0 */
    NEAR(pp_acct_cpu_ms(0, 0, 0, 10), 2, 1e-9);
    /* sleep 0.2: 0 + 0 in 200 ms: about a millisecond per field */
    NEAR(pp_acct_cpu_ms(0, 0, 200, 10), 2, 1e-9);
    /* a shell that mostly waited: half a tick per non-zero field */
    NEAR(pp_acct_cpu_ms(10, 10, 5000, 10), 30, 1e-9);
    NEAR(pp_acct_cpu_ms(10, 0, 5000, 10), 16, 1e-9);
    /* several threads: more CPU than elapsed time, the record stands */
    NEAR(pp_acct_cpu_ms(300, 100, 250, 10), 400, 1e-9);
    /* bad fields are zero; an unknown elapsed time bounds nothing */
    NEAR(pp_acct_cpu_ms(NAN, -4, 0, 10), 2, 1e-9);
    NEAR(pp_acct_cpu_ms(20, 0, NAN, 10), 26, 1e-9);
    /* a record with no room for its estimate: a tick beyond its elapsed
       time at most (an elapsed time longer than 0 is never below it) */
    NEAR(pp_acct_cpu_ms(0, 0, 0, 1), 0.2, 1e-9);
    /* over CPU-bound processes of spread-out lengths it is unbiased */
    {
	double truth = 0, est = 0;
	int i;
	for (i = 0; i < 1000; i++) {
	    double u = 20 + 15.0 * i / 1000, s = 3.0 * ((i * 7) % 10) / 10;
	    truth += u + s;
	    est += pp_acct_cpu_ms(10 * floor(u / 10), 10 * floor(s / 10),
				  10 * floor((u + s + 1) / 10), 10);
	}
	NEAR(est / truth, 1, 0.05);
    }
}

static void
test_fill(void)
{
    double cpu[3] = { 20, 2, 5 }, room[3] = { 10, 18, 0 };

    /* the records' bounds: a tick a field, within the elapsed time */
    NEAR(pp_acct_cpu_max_ms(20, 0, 30, 10), 40, 1e-9);
    NEAR(pp_acct_cpu_max_ms(20, 0, 20, 10), 30, 1e-9);
    NEAR(pp_acct_cpu_max_ms(0, 0, 200, 10), 20, 1e-9);
    NEAR(pp_acct_cpu_max_ms(0, 0, 0, 10), 10, 1e-9);	/* lived < a tick */
    NEAR(pp_acct_cpu_max_ms(300, 100, 250, 10), 400, 1e-9);
    /* residue shared in proportion to the room, never beyond it */
    NEAR(pp_fill_residue(cpu, room, 3, 14), 14, 1e-9);
    NEAR(cpu[0], 25, 1e-9);
    NEAR(cpu[1], 11, 1e-9);
    NEAR(cpu[2], 5, 1e-9);
    cpu[0] = 20; cpu[1] = 2;
    NEAR(pp_fill_residue(cpu, room, 3, 1000), 28, 1e-9);	/* capped */
    NEAR(cpu[0], 30, 1e-9);
    NEAR(cpu[1], 20, 1e-9);
    /* no residue, no room: nothing moves */
    NEAR(pp_fill_residue(cpu, room, 3, -5), 0, 0);
    NEAR(pp_fill_residue(cpu, room, 3, NAN), 0, 0);
    room[0] = room[1] = 0;
    NEAR(pp_fill_residue(cpu, room, 3, 10), 0, 0);
    NEAR(cpu[0], 30, 1e-9);
}

/* children's estimates fitted to their parent's reaped CPU time */
static void
test_fit_total(void)
{
    double cpu[3] = { 1, 1, 25 }, lo[3] = { 0, 0, 20 }, hi[3] = { 10, 10, 40 };
    double c2[3];

    /* up: in proportion to the room above (9, 9, 15 of 33) */
    NEAR(pp_fit_total(cpu, lo, hi, 3, 43.5), 43.5, 1e-9);
    NEAR(cpu[0], 5.5, 1e-9);
    NEAR(cpu[1], 5.5, 1e-9);
    NEAR(cpu[2], 32.5, 1e-9);
    /* down: in proportion to the room below (1, 1, 5 of 7) */
    cpu[0] = 1; cpu[1] = 1; cpu[2] = 25;
    NEAR(pp_fit_total(cpu, lo, hi, 3, 23.5), 23.5, 1e-9);
    NEAR(cpu[0], 0.5, 1e-9);
    NEAR(cpu[2], 22.5, 1e-9);
    /* bounds hold: no more than the records allow, no less */
    cpu[0] = 1; cpu[1] = 1; cpu[2] = 25;
    NEAR(pp_fit_total(cpu, lo, hi, 3, 500), 60, 1e-9);
    NEAR(cpu[1], 10, 1e-9);
    cpu[0] = 1; cpu[1] = 1; cpu[2] = 25;
    NEAR(pp_fit_total(cpu, lo, hi, 3, 0), 20, 1e-9);
    CHECK(cpu[0] >= 0 && cpu[1] >= 0 && cpu[2] >= 20);
    /* NaN and the sum itself change nothing */
    memcpy(c2, cpu, sizeof(c2));
    NEAR(pp_fit_total(cpu, lo, hi, 3, NAN), 20, 1e-9);
    NEAR(pp_fit_total(cpu, lo, hi, 3, 20), 20, 1e-9);
    CHECK(memcmp(c2, cpu, sizeof(c2)) == 0);
    NEAR(pp_fit_total(cpu, lo, hi, 0, 5), 0, 0);
}

static void
test_model(void)
{
    NEAR(pp_model_watts(4, 0, 0.74, 3.5), 4 * 0.74, 1e-9);
    NEAR(pp_model_watts(4, 1, 0.74, 3.5), 4 * 3.5, 1e-9);
    NEAR(pp_model_watts(2, 0.5, 1, 3), 2 * 2, 1e-9);
    /* out-of-range utilisation is clamped, never negative */
    NEAR(pp_model_watts(2, -3, 1, 3), 2, 1e-9);
    NEAR(pp_model_watts(2, 7, 1, 3), 6, 1e-9);
    NEAR(pp_model_watts(2, NAN, 1, 3), 2, 1e-9);
    NEAR(pp_model_watts(0, 0, 1, 3), 1, 1e-9);
}

/* sum of power and energy over the table */
static void
totals(const pp_table *t, double *power, double *energy, double *share)
{
    size_t i;
    const pp_proc *p;

    *power = *energy = *share = 0;
    for (i = 0; i < t->hsize; i++)
	for (p = t->hash[i]; p; p = p->next) {
	    *power += p->power;
	    *energy += p->energy;
	    *share += p->share;
	}
}

static void
cycle(pp_table *t, const int *pids, const double *cpu, int n)
{
    int i, isnew;
    pp_table_begin(t);
    for (i = 0; i < n; i++)
	pp_table_update(t, pids[i], 1000 + pids[i], cpu[i], &isnew);
}

static void
test_split(void)
{
    pp_table t;
    pp_split sp;
    double pw, en, sh;
    int pids[3] = { 10, 20, 30 };
    double cpu[3] = { 0, 0, 0 };
    pp_proc *a, *b, *c;

    pp_table_init(&t);

    /* priming: nothing attributed, references kept */
    cpu[0] = 5000; cpu[1] = 100; cpu[2] = 0;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, -1, 0, 0, &sp);
    totals(&t, &pw, &en, &sh);
    NEAR(pw, 0, 0);
    NEAR(en, 0, 0);

    /* 10 s, 200 J (20 W); CPU 3000, 1000, 0 ms; busy 4000 ms: all named */
    cpu[0] += 3000; cpu[1] += 1000;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 200, 10, 4000, &sp);
    a = pp_table_lookup(&t, 10);
    b = pp_table_lookup(&t, 20);
    c = pp_table_lookup(&t, 30);
    NEAR(a->share, 0.75, 1e-12);
    NEAR(a->power, 15, 1e-9);
    NEAR(b->power, 5, 1e-9);
    NEAR(c->power, 0, 0);
    NEAR(a->energy, 150, 1e-9);
    NEAR(sp.unattributed_power, 0, 1e-12);
    NEAR(sp.coverage, 100, 1e-9);

    /* busy 5000 ms but processes only 4000: 1000 ms unattributed */
    cpu[0] += 3000; cpu[1] += 1000;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 200, 10, 5000, &sp);
    NEAR(a->power, 12, 1e-9);
    NEAR(b->power, 4, 1e-9);
    NEAR(sp.unattributed_power, 4, 1e-9);
    NEAR(sp.coverage, 80, 1e-9);
    totals(&t, &pw, &en, &sh);
    /* conservation: processes + remainder = the source */
    NEAR(pw + sp.unattributed_power, 20, 1e-9);
    NEAR(sh + sp.unattributed_share, 1, 1e-12);
    NEAR(en, 150 + 50 + 120 + 40, 1e-9);

    /* processes report more CPU than the machine (sampling skew): the
       denominator is the larger, so shares never exceed the whole */
    cpu[0] += 3000; cpu[1] += 1000;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 100, 10, 3000, &sp);
    totals(&t, &pw, &en, &sh);
    NEAR(pw + sp.unattributed_power, 10, 1e-9);
    NEAR(sp.unattributed_power, 0, 1e-12);
    CHECK(sh <= 1 + 1e-12);

    /* a completely idle interval: everything unattributed */
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 50, 10, 0, &sp);
    totals(&t, &pw, &en, &sh);
    NEAR(pw, 0, 0);
    NEAR(sp.unattributed_power, 5, 1e-9);

    /* an untrusted interval: CPU references move on, nothing attributed */
    en = a->energy;
    cpu[0] += 9000;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, -1, 10, 9000, &sp);
    NEAR(a->energy, en, 0);
    NEAR(a->power, 0, 0);
    NEAR(sp.unattributed_power, 0, 0);
    /* ... and the CPU of the skipped interval is not carried over */
    cpu[0] += 1000; cpu[1] += 1000;
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 100, 10, 2000, &sp);
    NEAR(a->power, 5, 1e-9);

    pp_table_free(&t);
}

/*
 * Only processes that used CPU time are on the active list, the split
 * gives shares to them alone, and the last interval's shares end when
 * the next one begins; with the list incomplete (out of memory) every
 * live process is looked at, with the same result.
 */
static void
test_active(void)
{
    pp_table t;
    pp_split sp;
    double pw, en, sh;
    int pids[3] = { 10, 20, 30 };
    double cpu[3] = { 100, 100, 100 };
    pp_proc *a, *b, *c;
    int all;

    pp_table_init(&t);
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, -1, 0, 0, &sp);	/* priming */
    CHECK(t.nactive == 0);
    a = pp_table_lookup(&t, 10);
    b = pp_table_lookup(&t, 20);
    c = pp_table_lookup(&t, 30);

    cpu[0] += 1000;
    cycle(&t, pids, cpu, 3);
    CHECK(t.nactive == 1 && t.active[0] == a);
    pp_table_split(&t, 0, 100, 10, 1000, &sp);
    NEAR(a->power, 10, 1e-9);
    NEAR(a->share, 1, 1e-12);

    for (all = 0; all < 2; all++) {
	/* the other one works now: the first one's power ends */
	cpu[1] += 500;
	cpu[2] += 500;
	cycle(&t, pids, cpu, 3);
	CHECK(t.nactive == 2 && t.active[0] == b && t.active[1] == c);
	t.all_active = all;		/* as if the list had run out */
	pp_table_split(&t, 0, 100, 10, 1000, &sp);
	NEAR(a->power, 0, 0);
	NEAR(a->share, 0, 0);
	NEAR(b->power, 5, 1e-9);
	NEAR(c->share, 0.5, 1e-12);
	totals(&t, &pw, &en, &sh);
	NEAR(pw, 10, 1e-9);
	NEAR(sh, 1, 1e-12);
	NEAR(en, 100 + 100 * (all + 1), 1e-9);
    }
    /* all idle: nothing active, no power left anywhere */
    cycle(&t, pids, cpu, 3);
    pp_table_split(&t, 0, 100, 10, 1000, &sp);
    CHECK(t.nactive == 0);
    totals(&t, &pw, &en, &sh);
    NEAR(pw, 0, 0);
    NEAR(sh, 0, 0);
    /* all of last cycle's seen again: nothing missed, nothing swept */
    CHECK(t.again == t.nprev && pp_table_sweep(&t, 100, 0, NULL, NULL) == 0);
    /* one leaves as another comes: as many as before, one missed */
    pids[2] = 40;
    cycle(&t, pids, cpu, 3);
    CHECK(t.again == 2 && t.nprev == 3);
    CHECK(pp_table_sweep(&t, 100, 0, NULL, NULL) == 1);
    CHECK(pp_table_lookup(&t, 30) == NULL && t.count == 3);
    pp_table_free(&t);
}

static int exited_pid;
static double exited_energy;

static void
on_exit_cb(pp_proc *p, void *arg)
{
    (void)arg;
    exited_pid = p->pid;
    exited_energy = p->energy;
}

static void
test_lifecycle(void)
{
    pp_table t;
    pp_split sp;
    pp_proc *p;
    int isnew;

    pp_table_init(&t);
    /* priming cycle: existing processes only set references */
    pp_table_begin(&t);
    p = pp_table_update(&t, 1, 0, 500, &isnew);
    CHECK(isnew);
    pp_table_update(&t, 2, 0, 500, &isnew);
    pp_table_split(&t, 0, -1, 0, 0, &sp);
    NEAR(p->delta, 0, 0);

    /* a new process counts all of its CPU since it started */
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 1500, &isnew);	/* +1000 */
    CHECK(!isnew);
    pp_table_update(&t, 2, 0, 500, &isnew);
    p = pp_table_update(&t, 3, 77, 1000, &isnew);	/* new: 1000 */
    CHECK(isnew);
    CHECK(pp_proc_set_name(&t, p, "000003 burner") == 0);
    pp_table_split(&t, 0, 100, 10, 2000, &sp);
    NEAR(p->power, 5, 1e-9);
    NEAR(pp_table_lookup(&t, 1)->power, 5, 1e-9);
    CHECK(pp_table_sweep(&t, 100, 0, on_exit_cb, NULL) == 0);

    /* pid 2 exits: swept with its energy, reported once */
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 2500, &isnew);
    p = pp_table_update(&t, 3, 77, 2000, &isnew);
    CHECK(!isnew);
    NEAR(p->delta, 1000, 0);
    pp_table_split(&t, 0, 100, 10, 2000, &sp);
    exited_pid = 0;
    CHECK(pp_table_sweep(&t, 100, 0, on_exit_cb, NULL) == 1);
    CHECK(exited_pid == 2);
    NEAR(exited_energy, 0, 0);
    CHECK(pp_table_lookup(&t, 2) == NULL);
    CHECK(t.count == 2);

    /* pid 3 reused by another process (other start time): starts at zero,
       counting the new process's own CPU time only */
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 3500, &isnew);
    p = pp_table_update(&t, 3, 99, 300, &isnew);
    CHECK(isnew);
    CHECK(p->name == NULL);	/* the caller names it again */
    NEAR(p->energy, 0, 0);
    NEAR(p->delta, 300, 0);
    pp_table_split(&t, 0, 130, 10, 1300, &sp);
    NEAR(p->energy, 30, 1e-9);
    NEAR(pp_table_lookup(&t, 1)->energy, 50 + 50 + 100, 1e-9);

    /* the live set for snapshots: in the order recorded */
    CHECK(t.norder == 2);
    CHECK(t.order[0]->pid == 1 && t.order[1]->pid == 3);
    pp_table_free(&t);
}

static void
test_many(void)
{
    /* growth of the hash table and recycling of entries at scale */
    pp_table t;
    pp_split sp;
    int i, isnew, round;
    double pw, en, sh;

    pp_table_init(&t);
    for (round = 0; round < 4; round++) {
	pp_table_begin(&t);
	for (i = 0; i < 20000; i++) {
	    int pid = round % 2 ? i + 100000 : i + 1;	/* half churn */
	    pp_table_update(&t, pid, round % 2, 10.0 * (round + 1), &isnew);
	}
	pp_table_split(&t, 0, 1000, 10, 0, &sp);
	pp_table_sweep(&t, 100, 0, NULL, NULL);
	CHECK(t.count == 20000);
	totals(&t, &pw, &en, &sh);
	if (round > 0)
	    NEAR(pw + sp.unattributed_power, 100, 1e-6);
    }

    /* the peak passes: 100 stay, the blocks and hash of the rest go */
    pp_table_trim(&t);			/* blocks the churn left empty */
    CHECK(pp_table_trim(&t) == 0);	/* nothing more */
    pp_table_begin(&t);
    for (i = 0; i < 100; i++)
	pp_table_update(&t, 100000 + i, 1, 40, &isnew);
    pp_table_split(&t, 0, 1000, 10, 0, &sp);
    CHECK(pp_table_sweep(&t, 100, 0, NULL, NULL) == 19900);
    CHECK(pp_table_trim(&t) > 0);
    CHECK(t.hsize <= 1024 && t.ordermax <= 1024 && t.prevmax <= 1024);
    /* the table works on: the ones kept are found, new ones come */
    pp_table_begin(&t);
    for (i = 0; i < 100; i++) {
	pp_proc *p = pp_table_update(&t, 100000 + i, 1, 50, &isnew);
	if (p == NULL || isnew || p->delta != 10)
	    break;
    }
    CHECK(i == 100);
    for (i = 0; i < 1000; i++)
	if (pp_table_update(&t, 500000 + i, 1, 1, &isnew) == NULL || !isnew)
	    break;
    CHECK(i == 1000 && t.count == 1100);
    pp_table_split(&t, 0, 1000, 10, 0, &sp);
    CHECK(pp_table_sweep(&t, 100, 0, NULL, NULL) == 0);
    CHECK(pp_table_lookup(&t, 100000 + 99) != NULL &&
	  pp_table_lookup(&t, 500999) != NULL);
    pp_table_free(&t);
}

static void
test_exits(void)
{
    /* exited processes: kept findable for a grace period, priced by
       joules_per_ms, and part of the named CPU */
    pp_table t;
    pp_split sp;
    pp_proc *p;
    int isnew;
    double pw, en, sh;

    pp_table_init(&t);
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 0, &isnew);
    pp_table_update(&t, 2, 0, 0, &isnew);
    pp_table_split(&t, 0, -1, 0, 0, &sp);
    pp_table_sweep(&t, 0, 30, NULL, NULL);
    CHECK(t.live == 2);

    /* pid 2 exits; its last 500 ms since it was sampled come from its
       exit record, plus 500 ms of a process never sampled at all */
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 1000, &isnew);
    pp_table_split(&t, 1000, 200, 10, 2000, &sp);
    NEAR(sp.joules_per_ms, 0.1, 1e-12);
    NEAR(sp.watts_per_ms, 0.01, 1e-12);
    NEAR(pp_table_lookup(&t, 1)->power, 10, 1e-9);
    NEAR(sp.coverage, 100, 1e-9);
    NEAR(sp.unattributed_power, 0, 1e-12);
    /* live 10 W + exited 1000 ms x 0.01 W/ms = the source's 20 W */
    totals(&t, &pw, &en, &sh);
    NEAR(pw + 1000 * sp.watts_per_ms, 20, 1e-9);
    CHECK(pp_table_sweep(&t, 10, 30, on_exit_cb, NULL) == 0);
    CHECK(t.live == 1);
    p = pp_table_lookup(&t, 2);
    CHECK(p != NULL && p->gone_since == 10);
    NEAR(p->power, 0, 0);
    CHECK(t.norder == 1);	/* gone ones are not listed */

    /* exited CPU larger than the machine's busy time: shares still sum to 1 */
    pp_table_begin(&t);
    pp_table_update(&t, 1, 0, 2000, &isnew);
    pp_table_split(&t, 3000, 100, 10, 2000, &sp);
    NEAR(pp_table_lookup(&t, 1)->share + 3000 * sp.joules_per_ms / 100, 1, 1e-12);

    /* after the grace period the gone entry is dropped, once */
    exited_pid = 0;
    CHECK(pp_table_sweep(&t, 45, 30, on_exit_cb, NULL) == 1);
    CHECK(exited_pid == 2);
    CHECK(pp_table_lookup(&t, 2) == NULL);

    /* the generation moves exactly when the live set changes */
    {
	unsigned long g = t.generation;
	pp_table_begin(&t);
	pp_table_update(&t, 1, 0, 2100, &isnew);
	pp_table_sweep(&t, 50, 30, NULL, NULL);
	CHECK(t.generation == g);			/* same processes */
	pp_table_begin(&t);
	pp_table_update(&t, 1, 0, 2200, &isnew);
	pp_table_update(&t, 9, 0, 10, &isnew);
	CHECK(t.generation == g + 1);			/* one came */
	pp_table_begin(&t);
	pp_table_update(&t, 1, 0, 2300, &isnew);
	pp_table_sweep(&t, 52, 30, NULL, NULL);
	CHECK(t.generation == g + 2);			/* one went */
	pp_table_begin(&t);
	pp_table_update(&t, 9, 5, 0, &isnew);		/* pid 9 again, reused */
	CHECK(isnew && t.generation == g + 3);
	pp_table_update(&t, 1, 0, 2000, &isnew);
	pp_table_sweep(&t, 53, 0, NULL, NULL);
    }

    /* a process missed by one fetch and seen again is live again */
    pp_table_begin(&t);
    pp_table_split(&t, 0, 100, 10, 0, &sp);
    pp_table_sweep(&t, 55, 30, NULL, NULL);
    CHECK(t.live == 0 && pp_table_lookup(&t, 1)->gone_since == 55);
    pp_table_begin(&t);
    p = pp_table_update(&t, 1, 0, 2500, &isnew);
    CHECK(!isnew && p->gone_since == 0);
    NEAR(p->delta, 500, 0);
    pp_table_free(&t);
}

static void
test_unknown_start(void)
{
    /*
     * Start times fetched only for new processes (start < 0 each cycle):
     * a pid whose CPU time goes back is another process; one found out
     * later in the cycle is restarted by pp_table_reused; the CPU sum,
     * the split and the pid order follow.
     */
    pp_table t;
    pp_split sp;
    pp_proc *p, *q;
    int isnew;

    pp_table_init(&t);
    pp_table_begin(&t);
    p = pp_table_update(&t, 7, -1, 1000, &isnew);
    CHECK(isnew && p->start == 0);
    p->start = 4242;			/* the caller's fetch of it */
    pp_table_update(&t, 3, -1, 1000, &isnew);
    pp_table_split(&t, 0, 10, 1, 0, &sp);	/* priming */
    pp_table_sweep(&t, 1, 10, NULL, NULL);
    CHECK(t.norder == 2);			/* as recorded: 7, 3 */
    CHECK(t.order[0]->pid == 7 && t.order[1]->pid == 3);

    pp_table_begin(&t);
    p = pp_table_update(&t, 3, -1, 1600, &isnew);	/* +600 */
    CHECK(!isnew);
    NEAR(p->delta, 600, 1e-9);
    q = pp_table_update(&t, 7, -1, 200, &isnew);	/* went back: reused */
    CHECK(isnew && q->start == 0 && q->name == NULL);
    NEAR(q->delta, 200, 1e-9);		/* all of the new one's time */
    NEAR(pp_table_cpu(&t), 800, 1e-9);
    /* recorded twice in a cycle: counted once, the later figure */
    pp_table_update(&t, 3, -1, 1700, &isnew);
    NEAR(p->delta, 700, 1e-9);
    NEAR(pp_table_cpu(&t), 900, 1e-9);
    CHECK(t.norder == 2);
    pp_table_split(&t, 0, 9, 1, 0, &sp);
    NEAR(p->energy + q->energy, 9, 1e-9);
    NEAR(q->power, 2, 1e-9);
    pp_table_sweep(&t, 2, 10, NULL, NULL);

    /* the same CPU time or more, but the caller learns it is another */
    pp_table_begin(&t);
    p = pp_table_update(&t, 3, -1, 1800, &isnew);	/* +100 */
    q = pp_table_update(&t, 7, -1, 500, &isnew);	/* +300 */
    pp_proc_set_name(&t, q, "000007 old");
    NEAR(pp_table_cpu(&t), 400, 1e-9);
    {
	unsigned long g = t.generation;
	pp_table_reused(&t, q, 9999, 0);
	CHECK(t.generation != g && q->name == NULL);
    }
    CHECK(q->start == 9999 && q->energy == 0);
    NEAR(q->delta, 500, 1e-9);		/* all of it is the new one's */
    NEAR(pp_table_cpu(&t), 600, 1e-9);
    pp_table_split(&t, 0, 6, 1, 0, &sp);
    NEAR(q->power, 5, 1e-9);
    NEAR(p->power, 1, 1e-9);
    /* everything recorded: nothing to sweep, the live count is right */
    CHECK(pp_table_sweep(&t, 3, 0, NULL, NULL) == 0);
    CHECK(t.live == 2);

    /* found out late (pmda-proc restarted): earlier intervals counted
       part of its time already, so only this interval's counts */
    pp_table_begin(&t);
    p = pp_table_update(&t, 3, -1, 1900, &isnew);	/* +100 */
    q = pp_table_update(&t, 7, -1, 800, &isnew);	/* +300 */
    NEAR(pp_table_cpu(&t), 400, 1e-9);
    pp_table_reused(&t, q, 8888, 1);
    CHECK(q->start == 8888 && q->energy == 0);
    NEAR(q->delta, 300, 1e-9);		/* not its 800 since it started */
    NEAR(pp_table_cpu(&t), 400, 1e-9);
    pp_table_split(&t, 0, 4, 1, 0, &sp);
    NEAR(q->power, 3, 1e-9);
    NEAR(p->power, 1, 1e-9);
    CHECK(pp_table_sweep(&t, 4, 0, NULL, NULL) == 0);
    /* a known start still decides when given */
    pp_table_begin(&t);
    pp_table_update(&t, 3, -1, 2000, &isnew);
    q = pp_table_update(&t, 7, 8888, 900, &isnew);
    CHECK(!isnew);
    pp_table_begin(&t);
    q = pp_table_update(&t, 7, 1, 1000, &isnew);
    CHECK(isnew);
    pp_table_free(&t);
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void
test_churn(void)
{
    /*
     * Through random churn (processes coming, going, missed once and seen
     * again, pids reused, entries recycled, recorded in any order) the
     * live set is the cycle's list and every entry is live or missing.
     */
    enum { MAXPID = 3000, CYCLES = 200 };
    static int live[MAXPID], list[MAXPID], want[MAXPID];
    static double cpu[MAXPID];
    pp_table t;
    pp_split sp;
    int c, i, n, isnew, ok = 1, calls_ok = 1;
    unsigned seed = 12345;

    pp_table_init(&t);
    for (i = 0; i < MAXPID; i++)
	live[i] = (i % 3) == 0;
    for (c = 0; c < CYCLES; c++) {
	int got[MAXPID], ng = 0, nw = 0;

	/* churn: a few come and go each cycle */
	for (i = 0; i < 40; i++) {
	    int pid = (int)((seed = seed * 1103515245 + 12345) >> 8) % MAXPID;
	    live[pid] = !live[pid];
	    if (live[pid] && (seed & 256))
		cpu[pid] = 0;		/* another process on that pid */
	}
	/* the order a fetch lists them in: a fixed scramble, some missed */
	n = 0;
	for (i = 0; i < MAXPID; i++) {
	    int pid = (i * 1237) % MAXPID;
	    if (live[pid] && !(c % 7 == 3 && pid % 50 == 0))
		list[n++] = pid + 1;
	}
	pp_table_begin(&t);
	for (i = 0; i < n; i++) {
	    cpu[list[i] - 1] += 1;
	    pp_table_update(&t, list[i], -1, cpu[list[i] - 1], &isnew);
	}
	pp_table_split(&t, 0, 1, 1, 0, &sp);
	pp_table_sweep(&t, c, c % 2 ? 0 : 3, NULL, NULL);	/* recycling */
	if (t.norder + t.nmissing != t.count)	/* every entry accounted for */
	    calls_ok = 0;
	/* the live set is exactly this cycle's list, each once */
	for (i = 0; i < n; i++)
	    want[nw++] = list[i];
	for (i = 0; i < (int)t.norder; i++)
	    got[ng++] = t.order[i]->pid;
	qsort(want, (size_t)nw, sizeof(int), cmp_int);
	qsort(got, (size_t)ng, sizeof(int), cmp_int);
	if (ng != nw)
	    ok = 0;
	for (i = 0; ok && i < nw; i++)
	    if (got[i] != want[i])
		ok = 0;
    }
    CHECK(ok);
    CHECK(calls_ok);
    pp_table_free(&t);
}

static void
test_compact(void)
{
    /* churn scatters the live entries over the blocks; the minute's trim
       moves them side by side in fetch order, and nothing is lost */
    pp_table t;
    pp_split sp;
    pp_proc *p;
    char name[32];
    double energy[7000] = { 0 };
    int i, isnew, jumps, bad;
    size_t k;

    pp_table_init(&t);
    pp_table_begin(&t);
    for (i = 1; i <= 3000; i++)
	pp_table_update(&t, i, 1, 0, &isnew);
    pp_table_split(&t, 0, 100, 10, 0, &sp);
    pp_table_sweep(&t, 10, 5, NULL, NULL);
    /* the even ones end; the odd ones use CPU and are named */
    pp_table_begin(&t);
    for (i = 1; i <= 3000; i += 2) {
	p = pp_table_update(&t, i, 1, i, &isnew);
	snprintf(name, sizeof(name), "%06d cmd%d", i, i % 7);
	pp_proc_set_name(&t, p, name);
    }
    pp_table_split(&t, 0, 100, 10, 3000 * 1500.0, &sp);
    pp_table_sweep(&t, 20, 5, NULL, NULL);
    pp_table_sweep(&t, 40, 5, NULL, NULL);	/* past their grace */
    CHECK(t.count == 1500);
    /* new ones take the entries the even ones left; pid 1 is missed */
    pp_table_begin(&t);
    for (i = 3; i <= 3000; i += 2)
	pp_table_update(&t, i, 1, i + 1, &isnew);
    for (i = 5001; i <= 6500; i++)
	pp_table_update(&t, i, 1, 2, &isnew);
    pp_table_split(&t, 0, 100, 10, 0, &sp);
    pp_table_sweep(&t, 50, 1000, NULL, NULL);
    CHECK(t.count == 3000 && t.norder == 2999 && t.nmissing == 1);
    for (k = 0; k < t.norder; k++)
	energy[t.order[k]->pid] = t.order[k]->energy;
    for (jumps = 0, k = 1; k < t.norder; k++)
	jumps += t.order[k] != t.order[k - 1] + 1;
    CHECK(jumps > 1000);		/* scattered */

    pp_table_trim(&t);
    for (jumps = 0, k = 1; k < t.norder; k++)
	jumps += t.order[k] != t.order[k - 1] + 1;
    CHECK(jumps <= (int)(t.norder / 256) + 1);	/* side by side */
    CHECK(t.count == 3000 && t.norder == 2999 && t.nmissing == 1);
    for (bad = 0, k = 0; k < t.norder; k++) {
	p = t.order[k];
	bad += pp_table_lookup(&t, p->pid) != p || p->order_index != k ||
	       p->energy != energy[p->pid];
	if (p->pid <= 3000) {
	    snprintf(name, sizeof(name), "%06d cmd%d", p->pid, p->pid % 7);
	    bad += p->name == NULL || strcmp(p->name, name) != 0;
	}
    }
    CHECK(bad == 0);
    CHECK(t.nactive > 0);
    for (bad = 0, k = 0; k < t.nactive; k++)
	bad += t.order[t.active[k]->order_index] != t.active[k];
    CHECK(bad == 0);
    CHECK(pp_table_lookup(&t, 1) == t.missing[0]);
    CHECK(pp_table_trim(&t) == 0);	/* nothing more to do */

    /* the next cycle finds every one, pid 1 back from its absence */
    pp_table_begin(&t);
    bad = 0;
    p = pp_table_update(&t, 1, 1, 1, &isnew);
    bad += p == NULL || isnew;
    for (i = 3; i <= 3000; i += 2) {
	p = pp_table_update(&t, i, 1, i + 11, &isnew);
	bad += p == NULL || isnew || p->delta != 10;
    }
    for (i = 5001; i <= 6500; i++) {
	p = pp_table_update(&t, i, 1, 12, &isnew);
	bad += p == NULL || isnew || p->delta != 10;
    }
    CHECK(bad == 0);
    pp_table_split(&t, 0, 100, 10, 0, &sp);
    CHECK(pp_table_sweep(&t, 60, 1000, NULL, NULL) == 0);
    CHECK(t.count == 3000 && t.norder == 3000);
    /* and new entries come after the moved ones */
    pp_table_begin(&t);
    p = pp_table_update(&t, 9999, 1, 0, &isnew);
    CHECK(p != NULL && isnew && pp_table_lookup(&t, 9999) == p);
    pp_table_free(&t);
}

/*
 * A restart's gap: the processes that lived through it (same pid, same
 * start, CPU time not gone back) get their CPU time since the save,
 * priced against the machine's busy time over the gap; the rest of the
 * gap's energy is the remainder's.
 */
static void
test_gap(void)
{
    pp_table t;
    pp_saved_proc saved[] = {
	{ 10, 1000, 500 },	/* the same process, 300 ms more */
	{ 20, 2000, 100 },	/* the pid reused: another start */
	{ 30, 3000, 900 },	/* CPU time went back: not the same */
	{ 40, 4000, 50 },	/* exited in the gap: not in the table */
	{ 50, 5000, 0 },	/* the same, idle through the gap */
    };
    pp_proc *who[8];
    double ms[8], price;
    int isnew;
    size_t n;
    pp_proc *p;

    pp_table_init(&t);
    pp_table_begin(&t);
    p = pp_table_update(&t, 10, 1000, 800, &isnew);
    p->start = 1000;
    p = pp_table_update(&t, 20, 2600, 400, &isnew);
    p->start = 2600;
    p = pp_table_update(&t, 30, 3000, 200, &isnew);
    p->start = 3000;
    p = pp_table_update(&t, 50, 5000, 0, &isnew);
    p->start = 5000;
    p = pp_table_update(&t, 60, 6000, 70, &isnew);	/* new in the gap */
    p->start = 6000;
    /* the gap's start not known: those saved only */
    n = pp_table_gap(&t, saved, 5, -1, who, ms);
    CHECK(n == 2);
    CHECK(n == 2 && who[0]->pid == 10 && who[1]->pid == 50);
    NEAR(ms[0], 300, 1e-9);
    NEAR(ms[1], 0, 1e-9);
    /* the gap began at 2500: pid 20 (taken again at 2600) and 60 (6000)
       started in it, all their CPU time is the gap's; 30 did not */
    n = pp_table_gap(&t, saved, 5, 2500, who, ms);
    CHECK(n == 4);
    CHECK(n == 4 && who[0]->pid == 10 && who[1]->pid == 20 &&
	  who[2]->pid == 50 && who[3]->pid == 60);
    if (n == 4) {
	NEAR(ms[1], 400, 1e-9);
	NEAR(ms[3], 70, 1e-9);
    }
    CHECK(pp_saved_find(saved, 5, 40) == &saved[3]);
    CHECK(pp_saved_find(saved, 5, 41) == NULL);
    CHECK(pp_saved_find(saved, 5, 5) == NULL);
    CHECK(pp_saved_find(saved, 5, 99) == NULL);
    /* 300 ms of processes in 1200 ms busy: a quarter of 12 J to them */
    price = pp_gap_price(300, 1200, 12);
    NEAR(price * 300, 3, 1e-9);
    /* busy time below the processes' (counted apart): all to them */
    NEAR(pp_gap_price(300, 200, 12) * 300, 12, 1e-9);
    /* unknown busy time (a reboot, an older state), no energy, no CPU,
       nonsense: nothing priced, all of it the remainder's */
    CHECK(pp_gap_price(300, -1, 12) == 0);
    CHECK(pp_gap_price(300, 1200, 0) == 0);
    CHECK(pp_gap_price(0, 1200, 12) == 0);
    CHECK(pp_gap_price(NAN, 1200, 12) == 0);
    CHECK(pp_gap_price(300, INFINITY, 12) == 0);
    CHECK(pp_gap_price(300, 1200, INFINITY) == 0);
    /* nothing saved */
    CHECK(pp_table_gap(&t, NULL, 0, -1, who, ms) == 0);
    pp_table_free(&t);
}

int
main(void)
{
    test_counter();
    test_gauge();
    test_clock();
    test_model();
    test_battery();
    test_acct_estimate();
    test_fill();
    test_fit_total();
    test_split();
    test_active();
    test_lifecycle();
    test_many();
    test_exits();
    test_unknown_start();
    test_churn();
    test_compact();
    test_gap();
    return unit_done("test_attrib");
}
