/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the checks of a store to procpower.control.*
 * (src/control.c) on value sets as pmcd could hand them over: any item,
 * number of values, value format and bytes.  A value is refused or gives
 * an interval within range or a source that is "auto" or present.
 */
#include "control.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const present[] = { "rapl", "rapl.dram", "battery-0" };
    pp_control_change c = { 0 };
    pmValueSet *vs;
    pmValueBlock *vb = NULL;
    pp_ctl_refusal r;
    int item, k, vtype;

    if (size < 4)
	return 0;
    item = data[0] % 4 - 1;			/* -1 to 2 */
    vs = calloc(1, sizeof(*vs) + sizeof(pmValue));
    vs->numval = data[1] % 3;
    vs->valfmt = data[2] % 3;			/* INSITU, DPTR, SPTR */
    vtype = data[3] % 2 ? PM_TYPE_STRING : PM_TYPE_U32;
    data += 4;
    size -= 4;
    if (vs->valfmt == PM_VAL_INSITU) {
	int v = 0;
	memcpy(&v, data, size < sizeof(v) ? size : sizeof(v));
	vs->vlist[0].value.lval = v;
    } else {
	/* a block of exactly the bytes given, as pmcd allocates it */
	vb = malloc(PM_VAL_HDR_SIZE + size);
	vb->vtype = vtype;
	vb->vlen = PM_VAL_HDR_SIZE + size;
	memcpy(vb->vbuf, data, size);
	vs->vlist[0].value.pval = vb;
    }
    r = pp_control_check(vs, item, present, 3, &c);
    if (r == PP_CTL_OK) {
	if (c.interval && !pp_interval_valid(c.interval))
	    abort();
	if (c.has_source) {
	    int ok = strcmp(c.source, "auto") == 0;
	    for (k = 0; k < 3; k++)
		ok |= strcmp(c.source, present[k]) == 0;
	    if (!ok)
		abort();
	}
	if (!c.interval && !c.has_source)
	    abort();
    } else if (pp_control_error(r) >= 0)
	abort();
    free(vb);
    free(vs);
    return 0;
}
