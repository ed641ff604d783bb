/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmResult value helpers; see values.h.
 */
#include "values.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

double
pp_value_of(const pmValueSet *vs, int j, int type)
{
    const pmValue *v = &vs->vlist[j];
    pmAtomValue av;

    if (vs->valfmt == PM_VAL_INSITU) {
	if (type == PM_TYPE_U32)
	    return (double)(uint32_t)v->value.lval;
	if (type == PM_TYPE_32)
	    return (double)v->value.lval;
    } else if (type == PM_TYPE_U64 && v->value.pval->vlen >= PM_VAL_HDR_SIZE + 8) {
	uint64_t u;
	memcpy(&u, v->value.pval->vbuf, sizeof(u));
	return (double)u;
    }
    if (pmExtractValue(vs->valfmt, v, type, &av, PM_TYPE_DOUBLE) < 0)
	return NAN;
    return av.d;
}

static int
index_of(const pmValueSet *vs, int j, int inst)
{
    int k;

    if (vs == NULL)
	return -1;
    if (j >= 0 && j < vs->numval && vs->vlist[j].inst == inst)
	return j;
    for (k = 0; k < vs->numval; k++)
	if (vs->vlist[k].inst == inst)
	    return k;
    return -1;
}

double
pp_value_at(const pmValueSet *vs, int j, int inst, int type)
{
    int k = index_of(vs, j, inst);

    return k < 0 ? NAN : pp_value_of(vs, k, type);
}

const char *
pp_string_at(const pmValueSet *vs, int j, int inst)
{
    int k = index_of(vs, j, inst);

    if (k < 0 || vs->valfmt == PM_VAL_INSITU)
	return NULL;
    return vs->vlist[k].value.pval->vbuf;
}

const pmValueSet *
pp_vset(const pmResult *rp, int i)
{
    if (i < 0 || i >= rp->numpmid || rp->vset[i]->numval <= 0)
	return NULL;
    return rp->vset[i];
}

int
pp_result_value(const pmResult *rp, pmID pmid, int type, int inst, double *out)
{
    int i, j, found = 0;
    double sum = 0;

    for (i = 0; i < rp->numpmid; i++) {
	const pmValueSet *vs = rp->vset[i];
	if (vs->pmid != pmid)
	    continue;
	for (j = 0; j < vs->numval; j++) {
	    if (inst != (int)PM_IN_NULL && vs->vlist[j].inst != inst)
		continue;
	    sum += pp_value_of(vs, j, type);
	    found++;
	}
	break;
    }
    if (!found || !isfinite(sum))
	return -1;
    *out = sum;
    return 0;
}
