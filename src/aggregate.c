/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* a new aggregate into the id order, after those with lower ids */
static int
add_byid(pp_aggset *set, pp_agg *a)
{
    size_t i;

    if (set->count + 1 > set->byid_max) {
	size_t n = set->byid_max ? set->byid_max * 2 : 64;
	pp_agg **v = realloc(set->byid, n * sizeof(*v));
	if (v == NULL)
	    return -1;
	set->byid = v;
	set->byid_max = n;
    }
    /* at the end but when restored with an id of its own */
    for (i = set->count; i > 0 && set->byid[i - 1]->id > a->id; i--)
	set->byid[i] = set->byid[i - 1];
    set->byid[i] = a;
    return 0;
}

/* find by name, or create with this id (the next one when id < 0) */
static pp_agg *
get(pp_aggset *set, const char *name, int id)
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
    a->id = id >= 0 ? id : set->next_id;
    if (add_byid(set, a) < 0) {
	free(a->name);
	free(a);
	return NULL;
    }
    if (set->next_id <= a->id)
	set->next_id = a->id + 1;
    s = name_hash(name) & (set->hsize - 1);
    a->next = set->hash[s];
    set->hash[s] = a;
    set->count++;
    set->name_bytes += strlen(name) + 1;
    return a;
}

pp_agg *
pp_agg_get(pp_aggset *set, const char *name)
{
    return get(set, name, -1);
}

pp_agg *
pp_agg_restore(pp_aggset *set, const char *name, int id, double energy,
	       double last_active)
{
    size_t i;
    pp_agg *a;

    if (id < 0 || !(energy >= 0))
	return NULL;
    for (i = 0; i < set->count; i++)
	if (set->byid[i]->id == id || strcmp(set->byid[i]->name, name) == 0)
	    return NULL;
    if ((a = get(set, name, id)) == NULL)
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

size_t
pp_aggset_expire(pp_aggset *set, double now, double idle)
{
    size_t i, kept = 0, gone = 0;

    for (i = 0; i < set->count; i++) {
	pp_agg *a = set->byid[i];
	if (a->refs > 0)
	    a->last_active = now;	/* held by a live process: active */
	if (a->refs == 0 && a->last_active > 0 && now - a->last_active > idle) {
	    unhash(set, a);
	    set->name_bytes -= strlen(a->name) + 1;
	    free(a->name);
	    free(a);
	    gone++;
	} else
	    set->byid[kept++] = a;	/* the order stays */
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
