/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aggregates by name; see aggregate.h.
 */
#include "aggregate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_HASH	256

void
pp_aggset_init(pp_aggset *set)
{
    memset(set, 0, sizeof(*set));
    set->limit = PP_AGG_DEFAULT_LIMIT;
    set->byte_limit = PP_AGG_BYTE_LIMIT;
    set->other_name = "(other)";
}

void
pp_aggset_limit(pp_aggset *set, size_t limit, const char *other_name)
{
    set->limit = limit < 2 ? 2 : limit > PP_AGG_MAX_LIMIT ? PP_AGG_MAX_LIMIT : limit;
    if (other_name != NULL)
	set->other_name = other_name;
}

void
pp_aggset_free(pp_aggset *set)
{
    size_t i;
    pp_agg *a, *n;

    for (i = 0; i < set->hsize; i++)
	for (a = set->hash[i]; a; a = n) {
	    n = a->next;
	    free(a->name);
	    free(a);
	}
    free(set->hash);
    free(set->byid);
    memset(set, 0, sizeof(*set));
}

static size_t
name_hash(const char *s)
{
    uint32_t h = 2166136261u;	/* FNV-1a */

    while (*s)
	h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static int
grow(pp_aggset *set)
{
    size_t i, nsize = set->hsize ? set->hsize * 2 : INITIAL_HASH;
    pp_agg **nh = calloc(nsize, sizeof(*nh)), *a, *n;

    if (nh == NULL)
	return -1;
    for (i = 0; i < set->hsize; i++)
	for (a = set->hash[i]; a; a = n) {
	    size_t s = name_hash(a->name) & (nsize - 1);
	    n = a->next;
	    a->next = nh[s];
	    nh[s] = a;
	}
    free(set->hash);
    set->hash = nh;
    set->hsize = nsize;
    return 0;
}

/* where id is, or would go, in the id order (binary search) */
static size_t
byid_slot(const pp_aggset *set, int id)
{
    size_t lo = 0, hi = set->count;

    /* restored and new ones come last, mostly: look there first */
    if (hi == 0 || set->byid[hi - 1]->id < id)
	return hi;
    while (lo < hi) {
	size_t mid = lo + (hi - lo) / 2;
	if (set->byid[mid]->id < id)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    return lo;
}

/* a new aggregate into the id order at slot i */
static int
add_byid(pp_aggset *set, pp_agg *a, size_t i)
{
    if (set->count + 1 > set->byid_max) {
	size_t n = set->byid_max ? set->byid_max * 2 : 64;
	pp_agg **v = realloc(set->byid, n * sizeof(*v));
	if (v == NULL)
	    return -1;
	set->byid = v;
	set->byid_max = n;
    }
    memmove(&set->byid[i + 1], &set->byid[i], (set->count - i) * sizeof(set->byid[0]));
    set->byid[i] = a;
    return 0;
}

static pp_agg *
find(const pp_aggset *set, const char *name)
{
    pp_agg *a;

    if (set->hsize == 0)
	return NULL;
    for (a = set->hash[name_hash(name) & (set->hsize - 1)]; a; a = a->next)
	if (strcmp(a->name, name) == 0)
	    return a;
    return NULL;
}

/* create with this id at slot i of the id order */
static pp_agg *
create(pp_aggset *set, const char *name, int id, size_t i)
{
    pp_agg *a;
    size_t s;

    if (set->count + 1 > set->hsize && grow(set) < 0)
	return NULL;
    if ((a = calloc(1, sizeof(*a))) == NULL)
	return NULL;
    if ((a->name = strdup(name)) == NULL) {
	free(a);
	return NULL;
    }
    a->id = id;
    if (add_byid(set, a, i) < 0) {
	free(a->name);
	free(a);
	return NULL;
    }
    if (id == PP_AGG_OTHER_ID) {
	a->other = 1;
	set->other = a;
    } else if (set->next_id <= id)
	set->next_id = id + 1;		/* at most PP_AGG_OTHER_ID */
    s = name_hash(name) & (set->hsize - 1);
    a->next = set->hash[s];
    set->hash[s] = a;
    set->count++;
    set->name_bytes += strlen(name) + 1;
    return a;
}

static pp_agg *
other(pp_aggset *set)
{
    if (set->other == NULL)
	create(set, set->other_name, PP_AGG_OTHER_ID, set->count);
    return set->other;
}

pp_agg *
pp_agg_get(pp_aggset *set, const char *name)
{
    pp_agg *a = find(set, name);

    if (a != NULL)
	return a;
    if (set->next_id < 0 || set->next_id >= PP_AGG_OTHER_ID)
	return other(set);	/* ids have run out: never wrap */
    return create(set, name, set->next_id, byid_slot(set, set->next_id));
}

pp_agg *
pp_agg_restore(pp_aggset *set, const char *name, int id, double energy,
	       double last_active)
{
    size_t i;
    pp_agg *a;

    if (id < 0 || !(energy >= 0) || !isfinite(energy) ||
	!(last_active >= 0) || !isfinite(last_active))
	return NULL;
    if (find(set, name) != NULL)
	return NULL;
    i = byid_slot(set, id);
    if (i < set->count && set->byid[i]->id == id)
	return NULL;
    /* the other name goes with the other id, and only with it */
    if ((id == PP_AGG_OTHER_ID) != (strcmp(name, set->other_name) == 0))
	return NULL;
    if ((a = create(set, name, id, i)) == NULL)
	return NULL;
    a->energy = energy;
    a->last_active = last_active;
    return a;
}

void
pp_agg_hold(pp_agg *a)
{
    if (a)
	a->refs++;
}

void
pp_agg_release(pp_agg *a)
{
    if (a && a->refs > 0)
	a->refs--;
}

void
pp_aggset_begin(pp_aggset *set)
{
    size_t i;

    for (i = 0; i < set->count; i++)
	set->byid[i]->power = 0;
}

void
pp_agg_add(pp_agg *a, double watts, double joules, double now)
{
    if (a == NULL)
	return;
    a->power += watts;
    a->energy += joules;
    if (joules > 0 || a->refs > 0 || a->last_active == 0)
	a->last_active = now;
}

/* unlink a from its hash chain (it is there) */
static void
unhash(pp_aggset *set, pp_agg *a)
{
    pp_agg **pa = &set->hash[name_hash(a->name) & (set->hsize - 1)];

    while (*pa != a)
	pa = &(*pa)->next;
    *pa = a->next;
}

static void
drop(pp_aggset *set, pp_agg *a)
{
    unhash(set, a);
    set->name_bytes -= strlen(a->name) + 1;
    free(a->name);
    free(a);
}

size_t
pp_aggset_expire(pp_aggset *set, double now, double idle)
{
    size_t i, kept = 0, gone = 0;

    for (i = 0; i < set->count; i++) {
	pp_agg *a = set->byid[i];
	if (a->refs > 0)
	    a->last_active = now;	/* held by a live process: active */
	if (a->refs == 0 && !a->other && a->last_active > 0 &&
	    now - a->last_active > idle) {
	    drop(set, a);
	    gone++;
	} else
	    set->byid[kept++] = a;	/* the order stays */
    }
    set->count = kept;
    return gone;
}

static int
idle_first(const void *x, const void *y)
{
    const pp_agg *a = *(pp_agg *const *)x, *b = *(pp_agg *const *)y;

    if (a->last_active != b->last_active)
	return a->last_active < b->last_active ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int
over(const pp_aggset *set, size_t count, size_t bytes)
{
    return count > set->limit || bytes > set->byte_limit;
}

size_t
pp_aggset_fold(pp_aggset *set)
{
    pp_agg **cand, *o;
    size_t i, n = 0, count, bytes, gone = 0, kept = 0;

    if (!over(set, set->count, set->name_bytes))
	return 0;
    if ((cand = malloc(set->count * sizeof(*cand))) == NULL)
	return 0;	/* out of memory: try again next cycle */
    for (i = 0; i < set->count; i++)
	if (set->byid[i]->refs == 0 && !set->byid[i]->other)
	    cand[n++] = set->byid[i];
    /* all held by live processes: nothing to fold yet */
    if (n == 0 || (o = other(set)) == NULL) {
	free(cand);
	return 0;
    }
    qsort(cand, n, sizeof(*cand), idle_first);
    count = set->count;
    bytes = set->name_bytes;
    for (i = 0; i < n && over(set, count, bytes); i++) {
	pp_agg *a = cand[i];
	o->energy += a->energy;
	o->power += a->power;
	if (o->last_active < a->last_active)
	    o->last_active = a->last_active;
	count--;
	bytes -= strlen(a->name) + 1;
	a->refs = -1;		/* marks it for the sweep below */
	gone++;
    }
    free(cand);
    for (i = 0; i < set->count; i++) {
	pp_agg *a = set->byid[i];
	if (a->refs < 0)
	    drop(set, a);
	else
	    set->byid[kept++] = a;
    }
    set->count = kept;
    return gone;
}

/* the path of entry `which` ("" unified, "name=systemd", NULL any) */
static int
cgroup_entry(const char *cgroups, const char *which, const char **path,
	     size_t *plen)
{
    const char *p = cgroups;

    while (p && *p) {
	const char *end = strchr(p, ';'), *colon;
	size_t len = end ? (size_t)(end - p) : strlen(p);

	/* "hierarchy-id:controllers:path" (/proc) or "controllers:path" */
	colon = memchr(p, ':', len);
	if (colon != NULL) {
	    const char *ctl = p, *pth = colon + 1, *c2;
	    size_t clen = (size_t)(colon - p);
	    c2 = memchr(pth, ':', len - clen - 1);
	    if (c2 != NULL) {	/* three fields: skip the id */
		ctl = pth;
		clen = (size_t)(c2 - pth);
		pth = c2 + 1;
	    }
	    {
		size_t rest = len - (size_t)(pth - p);
		int root = rest == 1 && pth[0] == '/';
		if (rest > 0 && !root &&
		    (which == NULL ||
		     (strlen(which) == clen && strncmp(ctl, which, clen) == 0))) {
		    *path = pth;
		    *plen = rest;
		    return 1;
		}
	    }
	}
	p = end ? end + 1 : NULL;
    }
    return 0;
}

void
pp_cgroup_path(const char *cgroups, char *out, size_t len)
{
    const char *path = NULL;
    size_t plen = 0;

    if (cgroups == NULL ||
	(!cgroup_entry(cgroups, "", &path, &plen) &&
	 !cgroup_entry(cgroups, "name=systemd", &path, &plen) &&
	 !cgroup_entry(cgroups, NULL, &path, &plen))) {
	snprintf(out, len, "/");
	return;
    }
    snprintf(out, len, "%.*s", (int)plen, path);
}
