/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks of a store to procpower.control.*, apart from the PMDA so
 * that they can be fuzzed: each value is checked into a pending change,
 * nothing is applied here.  Why a value is refused is an enum; the
 * caller words it.
 */
#ifndef PP_CONTROL_H
#define PP_CONTROL_H

#include <pcp/pmapi.h>
#include <stddef.h>
#include "config.h"

enum { PP_CTL_INTERVAL, PP_CTL_SOURCE, PP_CTL_COUNT };	/* item numbers */

typedef enum {
    PP_CTL_OK,
    PP_CTL_NOT_STORABLE,	/* not a control item */
    PP_CTL_NOT_ONE,		/* not exactly one value */
    PP_CTL_NOT_NUMBER,		/* an interval that is not a 32-bit value */
    PP_CTL_OUT_OF_RANGE,	/* an interval outside 1 to 3600 s */
    PP_CTL_NOT_STRING,		/* a source that is not a whole string */
    PP_CTL_NO_SUCH_SOURCE,	/* neither "auto" nor a source present now */
} pp_ctl_refusal;

typedef struct {
    int		interval;		/* seconds, 0: unchanged */
    int		has_source;
    char	source[PP_NAMELEN];
} pp_control_change;

/*
 * Check one value set of a store to control item `item` against the
 * sources present now; fills *c.  Returns PP_CTL_OK or why it is refused.
 */
pp_ctl_refusal pp_control_check(const pmValueSet *vsp, int item,
				const char *const *present, int npresent,
				pp_control_change *c);

/* the PCP error code a refusal answers with */
int pp_control_error(pp_ctl_refusal r);

#endif /* PP_CONTROL_H */
