/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks of stores to procpower.control.*; see control.h.
 */
#include "control.h"

#include <string.h>

/* the string of a store when it is a whole one: a NUL within its length */
static const char *
whole_string(const pmValueSet *vsp)
{
    const pmValueBlock *vb;
    size_t len;

    if (vsp->valfmt != PM_VAL_DPTR && vsp->valfmt != PM_VAL_SPTR)
	return NULL;
    vb = vsp->vlist[0].value.pval;
    if (vb == NULL || vb->vtype != PM_TYPE_STRING || vb->vlen <= PM_VAL_HDR_SIZE)
	return NULL;
    len = vb->vlen - PM_VAL_HDR_SIZE;
    if (memchr(vb->vbuf, '\0', len) == NULL)
	return NULL;
    return vb->vbuf;
}

pp_ctl_refusal
pp_control_check(const pmValueSet *vsp, int item, const char *const *present,
		 int npresent, pp_control_change *c)
{
    const char *name;
    int k;

    if (item != PP_CTL_INTERVAL && item != PP_CTL_SOURCE)
	return PP_CTL_NOT_STORABLE;
    if (vsp->numval != 1)
	return PP_CTL_NOT_ONE;
    if (item == PP_CTL_INTERVAL) {
	/* a 32-bit value always travels in place */
	long v;
	if (vsp->valfmt != PM_VAL_INSITU)
	    return PP_CTL_NOT_NUMBER;
	v = (long)(unsigned int)vsp->vlist[0].value.lval;
	if (!pp_interval_valid(v))
	    return PP_CTL_OUT_OF_RANGE;
	c->interval = (int)v;
	return PP_CTL_OK;
    }
    if ((name = whole_string(vsp)) == NULL)
	return PP_CTL_NOT_STRING;
    if (!pp_source_name_valid(name))
	return PP_CTL_NO_SUCH_SOURCE;
    if (strcmp(name, "auto") != 0) {
	for (k = 0; k < npresent; k++)
	    if (strcmp(present[k], name) == 0)
		break;
	if (k == npresent)
	    return PP_CTL_NO_SUCH_SOURCE;
    }
    c->has_source = 1;
    memcpy(c->source, name, strlen(name) + 1);	/* valid: < PP_NAMELEN */
    return PP_CTL_OK;
}

int
pp_control_error(pp_ctl_refusal r)
{
    switch (r) {
    case PP_CTL_OK:
	return 0;
    case PP_CTL_NOT_STORABLE:
	return PM_ERR_PERMISSION;
    case PP_CTL_NOT_ONE:
    case PP_CTL_NOT_NUMBER:
    case PP_CTL_OUT_OF_RANGE:
    case PP_CTL_NOT_STRING:
    case PP_CTL_NO_SUCH_SOURCE:
	break;
    }
    return PM_ERR_BADSTORE;
}
