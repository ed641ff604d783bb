/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading numbers out of a pmResult quickly: the common integer types
 * without pmExtractValue, and an instance looked up where it usually is.
 */
#ifndef PP_VALUES_H
#define PP_VALUES_H

#include <pcp/pmapi.h>

/* value j of vs as a double (NaN if it cannot be converted) */
double pp_value_of(const pmValueSet *vs, int j, int type);

/* the value for instance inst, trying index j first (NaN if absent) */
double pp_value_at(const pmValueSet *vs, int j, int inst, int type);

/* the value set at index i of a result, NULL if it holds no values */
const pmValueSet *pp_vset(const pmResult *rp, int i);

/* a string value for instance inst, NULL if absent */
const char *pp_string_at(const pmValueSet *vs, int j, int inst);

/* the value of one instance (PM_IN_NULL: the sum of all) of a metric */
int pp_result_value(const pmResult *rp, pmID pmid, int type, int inst,
		    double *out);

#endif /* PP_VALUES_H */
