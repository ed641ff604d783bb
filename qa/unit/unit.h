/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A very small unit-test harness: CHECK and NEAR count and report
 * failures with their line, and unit_done() prints a summary and returns
 * the exit status.
 */
#ifndef PP_UNIT_H
#define PP_UNIT_H

#include <math.h>
#include <stdio.h>

static int unit_checks, unit_failures;

#define CHECK(cond) do { \
	unit_checks++; \
	if (!(cond)) { \
	    unit_failures++; \
	    fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	} \
    } while (0)

/* |got - want| <= tol */
#define NEAR(got, want, tol) do { \
	double g_ = (got), w_ = (want); \
	unit_checks++; \
	if (!(fabs(g_ - w_) <= (tol))) { \
	    unit_failures++; \
	    fprintf(stderr, "%s:%d: FAILED: %s = %.9g, want %.9g (+-%g)\n", \
		    __FILE__, __LINE__, #got, g_, w_, (double)(tol)); \
	} \
    } while (0)

static int
unit_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
    return unit_failures ? 1 : 0;
}

#endif
