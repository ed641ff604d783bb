/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differences between the PCP versions this agent builds against:
 * Debian 12's 6.0.3 and upstream 7.x.
 */
#ifndef PP_COMPAT_H
#define PP_COMPAT_H

#include <pcp/pmapi.h>
#include <pcp/pmda.h>

/* 7.x hands PMDAs a pmdaResult (the old pmResult layout); 6.x has none */
#ifndef pmdaResult
#define pmdaResult pmResult
#endif

/* power units arrived in 7.2; before that watts and joules are "none" */
#if defined(PM_UNIT_POWER) && defined(PMDA_EXTRAUNITS)
#define PP_UNITS_WATT	PMDA_EXTRAUNITS(0,0,0,0,0,0,PM_UNIT_POWER,PM_POWER_W)
#define PP_UNITS_JOULE	PMDA_EXTRAUNITS(0,1,0,0,PM_TIME_SEC,0,PM_UNIT_POWER,PM_POWER_W)
#else
#define PP_UNITS_WATT	PMDA_PMUNITS(0,0,0,0,0,0)
#define PP_UNITS_JOULE	PMDA_PMUNITS(0,0,0,0,0,0)
#endif

/* seconds of a fetch's timestamp: timeval before PMAPI 4, timespec after */
#if defined(PMAPI_VERSION_4) && PMAPI_VERSION >= PMAPI_VERSION_4
#define PP_RESULT_SECONDS(r) \
	((double)(r)->timestamp.tv_sec + (double)(r)->timestamp.tv_nsec / 1e9)
#else
#define PP_RESULT_SECONDS(r) \
	((double)(r)->timestamp.tv_sec + (double)(r)->timestamp.tv_usec / 1e6)
#endif

#endif /* PP_COMPAT_H */
