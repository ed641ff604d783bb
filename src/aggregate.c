/*
 * Aggregates by name; see aggregate.h.
 */
#include "aggregate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_HASH	256

void
pp_aggset_init(pp_aggset *set)
{
    memset(set, 0, sizeof(*set));
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

pp_agg *
pp_agg_get(pp_aggset *set, const char *name)
{
    pp_agg *a;
    size_t s;

    if (set->hsize) {
	for (a = set->hash[name_hash(name) & (set->hsize - 1)]; a; a = a->next)
	    if (strcmp(a->name, name) == 0)
		return a;
    }
    if (set->count + 1 > set->hsize && grow(set) < 0)
	return NULL;
    if ((a = calloc(1, sizeof(*a))) == NULL)
	return NULL;
    if ((a->name = strdup(name)) == NULL) {
	free(a);
	return NULL;
    }
    a->id = set->next_id++;
    s = name_hash(name) & (set->hsize - 1);
    a->next = set->hash[s];
    set->hash[s] = a;
    set->count++;
    return a;
}

pp_agg *
pp_agg_restore(pp_aggset *set, const char *name, int id, double energy,
	       double last_active)
{
    size_t i;
    pp_agg *a;

    if (id < 0 || !(energy >= 0))
	return NULL;
    for (i = 0; i < set->hsize; i++)
	for (a = set->hash[i]; a; a = a->next)
	    if (a->id == id || strcmp(a->name, name) == 0)
		return NULL;
    if ((a = pp_agg_get(set, name)) == NULL)
	return NULL;
    a->id = id;
    if (set->next_id <= id)
	set->next_id = id + 1;
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
    pp_agg *a;

    for (i = 0; i < set->hsize; i++)
	for (a = set->hash[i]; a; a = a->next)
	    a->power = 0;
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

size_t
pp_aggset_expire(pp_aggset *set, double now, double idle)
{
    size_t i, gone = 0;
    pp_agg **pa, *a;

    for (i = 0; i < set->hsize; i++) {
	pa = &set->hash[i];
	while ((a = *pa) != NULL) {
	    if (a->refs > 0)
		a->last_active = now;	/* held by a live process: active */
	    if (a->refs == 0 && a->last_active > 0 && now - a->last_active > idle) {
		*pa = a->next;
		free(a->name);
		free(a);
		set->count--;
		gone++;
	    } else
		pa = &a->next;
	}
    }
    return gone;
}

static int
by_id(const void *x, const void *y)
{
    int a = (*(const pp_agg *const *)x)->id, b = (*(const pp_agg *const *)y)->id;
    return (a > b) - (a < b);
}

size_t
pp_aggset_sorted(const pp_aggset *set, const pp_agg **v)
{
    size_t i, n = 0;
    pp_agg *a;

    for (i = 0; i < set->hsize; i++)
	for (a = set->hash[i]; a; a = a->next)
	    v[n++] = a;
    qsort(v, n, sizeof(*v), by_id);
    return n;
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
