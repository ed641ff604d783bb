/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power source drivers; see sources.h.
 */
#include "sources.h"
#include "compat.h"
#include "values.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pp_sources_init(pp_sources *ss)
{
    memset(ss, 0, sizeof(*ss));
    ss->primary = -1;
}

int
pp_sources_find(const pp_sources *ss, const char *name)
{
    int i;

    for (i = 0; i < ss->n; i++)
	if (strcmp(ss->s[i].name, name) == 0)
	    return i;
    return -1;
}

pp_source *
pp_sources_adopt(pp_sources *ss, const char *name)
{
    int i = pp_sources_find(ss, name);
    pp_source *s;

    if (i >= 0)
	return &ss->s[i];
    if (ss->n == PP_MAXSOURCES || strlen(name) >= PP_NAMELEN)
	return NULL;
    i = ss->n++;
    s = &ss->s[i];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->id = i;
    s->level_pmid = PM_ID_NULL;
    s->pmid = PM_ID_NULL;
    if (strcmp(name, "model") == 0) {
	/* a name no sensor may take: restored from the state, the model is
	   the model, "not used" while a sensor measures, never "missing" */
	s->kind = PP_KIND_MODEL;
	s->cls = PP_CLASS_MODEL;
    }
    return s;
}

/* find or add a source by name, present; NULL when the table is full */
static pp_source *
source_get(pp_sources *ss, const char *name, pp_source_kind kind,
	   pp_source_class cls)
{
    pp_source *s = pp_sources_adopt(ss, name);

    if (s == NULL)
	return NULL;
    if (s->kind != kind) {	/* a name reused for another kind: restart */
	memset(&s->counter, 0, sizeof(s->counter));
	memset(&s->gauge, 0, sizeof(s->gauge));
    }
    s->kind = kind;
    s->cls = cls;
    s->present = 1;
    s->scale = 1;
    s->nmembers = 0;
    return s;
}

/* ---- wrap ranges of local RAPL zones, from /sys ---- */

typedef struct {
    char	name[PP_NAMELEN];	/* as pmda-denki names the instance */
    double	range;			/* joules */
} sysfs_range;

static int
read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    char *nl;

    if (f == NULL)
	return -1;
    if (fgets(buf, (int)len, f) == NULL) {
	fclose(f);
	return -1;
    }
    fclose(f);
    if ((nl = strchr(buf, '\n')) != NULL)
	*nl = '\0';
    return 0;
}

static int
local_rapl_ranges(sysfs_range *r, int max)
{
    const char *dir = "/sys/class/powercap";
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0, pkg, sub;
    char path[512], name[PP_NAMELEN], range[64];

    if (d == NULL)
	return 0;
    while ((e = readdir(d)) != NULL && n + 2 <= max) {
	int parts = sscanf(e->d_name, "intel-rapl:%d:%d", &pkg, &sub);
	if (parts < 1)
	    continue;
	snprintf(path, sizeof(path), "%s/%s/name", dir, e->d_name);
	if (read_line(path, name, sizeof(name)) < 0)
	    continue;
	snprintf(path, sizeof(path), "%s/%s/max_energy_range_uj", dir, e->d_name);
	if (read_line(path, range, sizeof(range)) < 0 || atof(range) <= 0)
	    continue;
	/* pmda-denki: plain names on one socket, "P-name" on several */
	snprintf(r[n].name, sizeof(r[n].name), "%.40s", name);
	r[n++].range = atof(range) / 1e6;
	snprintf(r[n].name, sizeof(r[n].name), "%d-%.40s", pkg, name);
	r[n++].range = atof(range) / 1e6;
    }
    closedir(d);
    return n;
}

static double
wrap_range(const pp_config *cfg, const char *source, const char *instance,
	   const sysfs_range *r, int nr)
{
    int i;

    for (i = 0; i < cfg->nwraps; i++)
	if (strcmp(cfg->wraps[i].source, source) == 0)
	    return cfg->wraps[i].range;
    for (i = 0; i < nr; i++)
	if (strcmp(r[i].name, instance) == 0)
	    return r[i].range;
    return 0;
}

/* ---- discovery helpers ---- */

static int
lookup(const char *metric, pmID *pmid, pmDesc *desc)
{
    char *names[1];

    names[0] = (char *)metric;
    if (pmLookupName(1, (const char **)names, pmid) < 0 || *pmid == PM_ID_NULL)
	return -1;
    if (pmLookupDesc(*pmid, desc) < 0)
	return -1;
    if (desc->type == PM_TYPE_STRING || desc->type == PM_TYPE_AGGREGATE ||
	desc->type == PM_TYPE_EVENT || desc->type == PM_TYPE_HIGHRES_EVENT ||
	desc->type == PM_TYPE_AGGREGATE_STATIC)
	return -1;
    return 0;
}

static pp_source_class
rapl_class(const char *instance)
{
    if (strstr(instance, "psys"))
	return PP_CLASS_PSYS;
    if (strstr(instance, "package") || strstr(instance, "pkg"))
	return PP_CLASS_PACKAGE;
    if (strstr(instance, "dram"))
	return PP_CLASS_DRAM;
    return PP_CLASS_SUBDOMAIN;
}

/*
 * pmda-denki RAPL: 7.x and 6.3.7+ "denki.rapl.sysfs" and "denki.rapl.msr",
 * 6.2-6.3.4 "denki.rapl", 6.0 "denki.rapl.rate" (a counter of joules
 * whatever the descriptor says).  Whole joules, counters.
 */
static void
discover_rapl(pp_sources *ss, const pp_config *cfg, const sysfs_range *r,
	      int nr)
{
    static const struct { const char *metric, *prefix; } drv[] = {
	{ "denki.rapl.sysfs", "rapl." },
	{ "denki.rapl", "rapl." },
	{ "denki.rapl.rate", "rapl." },
	{ "denki.rapl.msr", "rapl-msr." },
    };
    int d, i, n, *insts;
    char **names, sname[PP_NAMELEN];
    pmID pmid;
    pmDesc desc;
    int have_sysfs = 0, members[PP_MAXMEMBERS], nmembers = 0;

    for (d = 0; d < (int)(sizeof(drv) / sizeof(drv[0])); d++) {
	if (d == 2 && have_sysfs)
	    continue;
	if (lookup(drv[d].metric, &pmid, &desc) < 0 || desc.indom == PM_INDOM_NULL)
	    continue;
	if ((n = pmGetInDom(desc.indom, &insts, &names)) <= 0)
	    continue;
	for (i = 0; i < n; i++) {
	    pp_source_class cls = rapl_class(names[i]);
	    pp_source *s;
	    const char *inst = names[i];

	    /* msr names end in "_energy": rapl-msr.package, rapl-msr.psys */
	    char shortname[PP_NAMELEN], *suffix;
	    snprintf(shortname, sizeof(shortname), "%.48s", inst);
	    if ((suffix = strstr(shortname, "_energy")) != NULL)
		*suffix = '\0';
	    snprintf(sname, sizeof(sname), "%s%s", drv[d].prefix, shortname);
	    if ((s = source_get(ss, sname, PP_KIND_COUNTER, cls)) == NULL)
		break;
	    snprintf(s->metric, sizeof(s->metric), "%s", drv[d].metric);
	    s->pmid = pmid;
	    s->type = desc.type;
	    s->inst = insts[i];
	    s->counter.range = wrap_range(cfg, sname, inst, d == 3 ? NULL : r,
					  d == 3 ? 0 : nr);
	    if ((cls == PP_CLASS_PACKAGE || cls == PP_CLASS_DRAM) &&
		nmembers < PP_MAXMEMBERS) {
		/* packages plus DRAM: sysfs if there is any, else MSR */
		if (d == 3 && have_sysfs)
		    continue;
		members[nmembers++] = (int)(s - ss->s);
	    }
	}
	if (d < 3 && n > 0)
	    have_sysfs = 1;
	free(insts);
	free(names);
    }
    
    if (nmembers > 0) {
	int has_package = 0;
	for (i = 0; i < nmembers; i++)
	    if (ss->s[members[i]].cls == PP_CLASS_PACKAGE)
		has_package = 1;
	if (has_package) {
	    pp_source *s = source_get(ss, "rapl", PP_KIND_SUM, PP_CLASS_RAPL);
	    if (s != NULL) {
		memcpy(s->members, members, nmembers * sizeof(int));
		s->nmembers = nmembers;
		snprintf(s->metric, sizeof(s->metric), "packages + dram");
	    }
	}
    }
}

/*
 * pmda-denki batteries: "denki.bat.power_now" (watts, all versions) with
 * the charge level "denki.bat.energy_now" (7.x, Wh) or
 * "denki.bat.energy_now_raw" (6.0) to tell discharging from charging.
 */
static void
discover_batteries(pp_sources *ss)
{
    pmID pmid, lpmid = PM_ID_NULL;
    pmDesc desc, ldesc;
    int i, j, n, ln = 0, *insts, *linsts = NULL;
    char **names, **lnames = NULL;

    if (lookup("denki.bat.power_now", &pmid, &desc) < 0 ||
	desc.indom == PM_INDOM_NULL)
	return;
    if ((n = pmGetInDom(desc.indom, &insts, &names)) <= 0)
	return;
    if ((lookup("denki.bat.energy_now", &lpmid, &ldesc) == 0 ||
	 lookup("denki.bat.energy_now_raw", &lpmid, &ldesc) == 0) &&
	ldesc.indom != PM_INDOM_NULL) {
	if ((ln = pmGetInDom(ldesc.indom, &linsts, &lnames)) < 0)
	    ln = 0;
    } else
	lpmid = PM_ID_NULL;
    for (i = 0; i < n; i++) {
	pp_source *s = source_get(ss, names[i], PP_KIND_GAUGE, PP_CLASS_BATTERY);
	if (s == NULL)
	    break;
	snprintf(s->metric, sizeof(s->metric), "denki.bat.power_now");
	s->pmid = pmid;
	s->type = desc.type;
	s->inst = insts[i];
	s->level_pmid = PM_ID_NULL;
	for (j = 0; j < ln; j++)
	    if (strcmp(lnames[j], names[i]) == 0) {
		s->level_pmid = lpmid;
		s->level_type = ldesc.type;
		s->level_inst = linsts[j];
	    }
    }
    free(insts);
    free(names);
    if (ln > 0) {
	free(linsts);
	free(lnames);
    }
}

static void
discover_sensors(pp_sources *ss, const pp_config *cfg)
{
    int i;

    for (i = 0; i < cfg->nsensors; i++) {
	const pp_sensor *sn = &cfg->sensors[i];
	pmID pmid;
	pmDesc desc;
	int inst = PM_IN_NULL;
	pp_source *s;
	int k = pp_sources_find(ss, sn->name);

	if (lookup(sn->metric, &pmid, &desc) < 0) {
	    if (k >= 0)
		snprintf(ss->s[k].status, PP_STATUSLEN,
			 "missing: metric %s not found", sn->metric);
	    continue;
	}
	if (sn->instance[0] != '\0') {
	    if (desc.indom == PM_INDOM_NULL ||
		(inst = pmLookupInDom(desc.indom, sn->instance)) < 0) {
		if (k >= 0)
		    snprintf(ss->s[k].status, PP_STATUSLEN,
			     "missing: instance \"%s\" of %s not found",
			     sn->instance, sn->metric);
		continue;
	    }
	}
	s = source_get(ss, sn->name,
		       sn->unit == PP_UNIT_WATTS ? PP_KIND_GAUGE : PP_KIND_COUNTER,
		       PP_CLASS_SENSOR);
	if (s == NULL)
	    break;
	snprintf(s->metric, sizeof(s->metric), "%s", sn->metric);
	s->pmid = pmid;
	s->type = desc.type;
	s->inst = inst;
	s->scale = sn->scale;
	s->counter.range = sn->range > 0 ? sn->range :
			   wrap_range(cfg, sn->name, "", NULL, 0);
	s->level_pmid = PM_ID_NULL;
    }
}

int
pp_sources_discover(pp_sources *ss, const pp_config *cfg, int local_sysfs)
{
    sysfs_range ranges[64];
    int nr = local_sysfs ? local_rapl_ranges(ranges, 64) : 0;
    int i, present = 0, measured = 0;

    for (i = 0; i < ss->n; i++)
	ss->s[i].present = 0;
    discover_rapl(ss, cfg, ranges, nr);
    discover_batteries(ss);
    discover_sensors(ss, cfg);

    for (i = 0; i < ss->n; i++)
	if (ss->s[i].present && ss->s[i].cls != PP_CLASS_BATTERY)
	    measured++;
    /* the model stands in where nothing but a battery (or nothing) measures */
    if (cfg->model == PP_MODEL_ON ||
	(cfg->model == PP_MODEL_AUTO && measured == 0)) {
	pp_source *s = source_get(ss, "model", PP_KIND_MODEL, PP_CLASS_MODEL);
	if (s != NULL)
	    snprintf(s->metric, sizeof(s->metric), "kernel.all.cpu.*");
    }
    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];
	if (s->present)
	    present++;
	else if (s->kind == PP_KIND_MODEL) {
	    snprintf(s->status, PP_STATUSLEN, "not used: a sensor measures power");
	    s->valid = 0;
	    s->watts = 0;
	} else if (strncmp(s->status, "missing", 7) != 0) {
	    snprintf(s->status, PP_STATUSLEN, "missing: %s no longer exports "
		     "this source", s->metric[0] ? s->metric : "its metric");
	    s->valid = 0;
	    s->watts = s->joules = 0;
	    memset(&s->counter, 0, sizeof(s->counter));
	    memset(&s->gauge, 0, sizeof(s->gauge));
	}
    }
    return present;
}

/* where a source's readings come from, to tell whether it moved */
typedef struct {
    int		present;
    pmID	pmid, level_pmid;
    int		inst, level_inst;
} source_place;

int
pp_sources_rediscover(pp_sources *ss, const pp_config *cfg, int local_sysfs)
{
    source_place before[PP_MAXSOURCES];
    int i, n = ss->n, present;

    for (i = 0; i < n; i++) {
	const pp_source *s = &ss->s[i];
	before[i].present = s->present;
	before[i].pmid = s->pmid;
	before[i].inst = s->inst;
	before[i].level_pmid = s->level_pmid;
	before[i].level_inst = s->level_inst;
    }
    present = pp_sources_discover(ss, cfg, local_sysfs);
    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];
	double range = s->counter.range;

	if (!s->present || s->kind == PP_KIND_SUM || s->kind == PP_KIND_MODEL)
	    continue;
	if (i < n && before[i].present && before[i].pmid == s->pmid &&
	    before[i].inst == s->inst && before[i].level_pmid == s->level_pmid &&
	    before[i].level_inst == s->level_inst)
	    continue;
	memset(&s->counter, 0, sizeof(s->counter));
	s->counter.range = range;
	memset(&s->gauge, 0, sizeof(s->gauge));
	memset(&s->battery, 0, sizeof(s->battery));
	s->discharging = 0;
	s->moved = 1;
    }
    return present;
}

int
pp_sources_pmids(const pp_sources *ss, int gauges_only, pmID *list, int max)
{
    int i, j, n = 0;

    for (i = 0; i < ss->n; i++) {
	const pp_source *s = &ss->s[i];
	pmID want[2] = { s->pmid, s->level_pmid };
	int k;

	if (!s->present || s->pmid == PM_ID_NULL)
	    continue;
	if (gauges_only && s->kind != PP_KIND_GAUGE)
	    continue;
	/* a battery charging or full says nothing of what the machine
	   draws: its reading of each cycle is enough to see it discharge */
	if (gauges_only && s->cls == PP_CLASS_BATTERY && !s->discharging)
	    continue;
	for (k = 0; k < (gauges_only ? 1 : 2); k++) {
	    if (want[k] == PM_ID_NULL)
		continue;
	    for (j = 0; j < n; j++)
		if (list[j] == want[k])
		    break;
	    if (j == n && n < max)
		list[n++] = want[k];
	}
    }
    return n;
}

void
pp_sources_gauges(pp_sources *ss, const pmResult *rp, double max_watts)
{
    double t = PP_RESULT_SECONDS(rp), v;
    int i;

    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];
	if (!s->present || s->kind != PP_KIND_GAUGE || s->moved)
	    continue;
	if (pp_result_value(rp, s->pmid, s->type, s->inst, &v) == 0)
	    pp_gauge_add(&s->gauge, t, v * s->scale, max_watts);
    }
}

static void
close_counter(pp_source *s, const pmResult *rp, double dt, double interval,
	      double gap_max, double max_watts)
{
    double v, j;
    pp_delta_status st;

    if (pp_result_value(rp, s->pmid, s->type, s->inst, &v) < 0) {
	snprintf(s->status, PP_STATUSLEN, "missing: no value from %s", s->metric);
	return;
    }
    if (!s->counter.primed && s->gap_time > 0) {
	/*
	 * The first reading after the agent restarted: the counter's last
	 * reading before it is in the state.  The energy in between is
	 * carried when the counter says it unambiguously: forwards, or one
	 * wrap when the gap is too short for two; else it is skipped,
	 * never a spike.
	 */
	double gap = PP_RESULT_SECONDS(rp) - s->gap_time;
	s->counter.primed = 1;
	s->counter.last = s->gap_raw;
	s->gap_time = 0;
	st = pp_counter_feed(&s->counter, v * s->scale, gap, max_watts, &j);
	s->t_read = PP_RESULT_SECONDS(rp);
	if (pp_delta_usable(st) && gap > 0 && gap <= gap_max &&
	    (st != PP_DELTA_WRAPPED || gap * max_watts < s->counter.range)) {
	    s->gap_joules = j;
	    s->gap_carried = 1;
	    snprintf(s->status, PP_STATUSLEN, "priming after a restart: "
		     "%.3f J of its %.1f s carried", j, gap);
	} else
	    snprintf(s->status, PP_STATUSLEN, "priming after a restart: its "
		     "%.0f s not carried (%s)", gap, gap > gap_max ?
		     "too long" : pp_delta_text(st));
	if (st == PP_DELTA_BADVALUE)
	    s->counter.primed = 0;	/* the next reading primes: the saved
					   one must not stand for an interval */
	return;
    }
    st = pp_counter_feed(&s->counter, v * s->scale, dt, max_watts, &j);
    s->t_read = PP_RESULT_SECONDS(rp);
    s->valid = pp_delta_usable(st);
    s->joules = j;
    snprintf(s->status, PP_STATUSLEN, "%s", pp_delta_text(st));
    if (s->valid && pp_gap_untold(dt, interval, gap_max, 0,
				  s->counter.range, max_watts)) {
	s->valid = 0;		/* the next interval starts from this reading */
	s->joules = 0;
	snprintf(s->status, PP_STATUSLEN, "interval skipped: a gap of %.0f s "
		 "could hold more than one wrap of the counter", dt);
    }
}

static void
close_gauge(pp_source *s, const pmResult *rp, double dt, double interval,
	    double gap_max, double max_watts)
{
    double v, j, secs, t = PP_RESULT_SECONDS(rp);
    int n;

    if (s->cls == PP_CLASS_BATTERY) {
	/* the level tells discharging from charging, whatever power_now says */
	double hold = dt * 2 > PP_BATTERY_HOLD ? dt * 2 : PP_BATTERY_HOLD;
	if (s->level_pmid == PM_ID_NULL ||
	    pp_result_value(rp, s->level_pmid, s->level_type, s->level_inst, &v) < 0)
	    v = NAN;
	s->discharging = pp_battery_level(&s->battery, t, v, hold);
    }
    if (pp_result_value(rp, s->pmid, s->type, s->inst, &v) < 0) {
	snprintf(s->status, PP_STATUSLEN, "missing: no value from %s", s->metric);
	return;
    }
    if (pp_gauge_add(&s->gauge, t, v * s->scale, max_watts) < 0)
	snprintf(s->status, PP_STATUSLEN, "bad reading %g refused", v);
    if ((n = pp_gauge_take(&s->gauge, &j, &secs)) == 0) {
	snprintf(s->status, PP_STATUSLEN, "priming: first reading");
	return;
    }
    if (pp_gap_untold(dt, interval, gap_max, 1, 0, max_watts)) {
	/* taken: the next interval starts from this reading */
	snprintf(s->status, PP_STATUSLEN, "interval skipped: a gap of %.0f s "
		 "between readings (what it drew then is unknown)", dt);
	return;
    }
    /* the average over the sub-samples, over the cycle's interval */
    s->joules = j / secs * dt;
    s->valid = 1;
    if (s->cls == PP_CLASS_BATTERY && s->level_pmid == PM_ID_NULL)
	s->discharging = s->joules > 0;	/* no level to tell: trust power */
    if (s->cls == PP_CLASS_BATTERY && !(s->joules > 0))
	s->discharging = 0;
    snprintf(s->status, PP_STATUSLEN, "ok, average of %d readings%s", n + 1,
	     s->cls != PP_CLASS_BATTERY ? "" :
	     s->discharging ? ", discharging" : ", not discharging");
}

void
pp_sources_interval(pp_sources *ss, const pmResult *rp, double dt,
		    const pp_config *cfg, double interval, int ncpu, double util)
{
    int i, k;

    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];

	s->valid = 0;
	s->joules = 0;
	s->gap_joules = 0;
	s->gap_carried = 0;
	if (!s->present)
	    continue;
	if (s->moved) {
	    s->moved = 0;
	    snprintf(s->status, PP_STATUSLEN, "priming: found at another "
		     "instance after an agent changed");
	    continue;
	}
	switch (s->kind) {
	case PP_KIND_COUNTER:
	    close_counter(s, rp, dt, interval, cfg->gap, cfg->max_watts);
	    break;
	case PP_KIND_GAUGE:
	    close_gauge(s, rp, dt, interval, cfg->gap, cfg->max_watts);
	    break;
	case PP_KIND_MODEL:
	    if (util < 0 || !(dt > 0)) {
		snprintf(s->status, PP_STATUSLEN,
			 "priming: needs two readings of kernel.all.cpu");
		break;
	    }
	    s->joules = pp_model_watts(ncpu, util, cfg->model_idle,
				       cfg->model_busy) * dt;
	    s->valid = 1;
	    snprintf(s->status, PP_STATUSLEN, "estimated: %d CPUs at %.0f%% busy, "
		     "%g-%g W each", ncpu, util * 100, cfg->model_idle,
		     cfg->model_busy);
	    break;
	case PP_KIND_SUM:
	    break;	/* after its members, below */
	}
    }
    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];
	if (!s->present || s->kind != PP_KIND_SUM)
	    continue;
	s->valid = s->nmembers > 0;
	for (k = 0; k < s->nmembers; k++) {
	    const pp_source *m = &ss->s[s->members[k]];
	    if (!m->valid) {
		s->valid = 0;
		snprintf(s->status, PP_STATUSLEN, "%s: %s", m->name, m->status);
		break;
	    }
	    s->joules += m->joules;
	}
	if (s->valid)
	    snprintf(s->status, PP_STATUSLEN, "ok, sum of %d domains", s->nmembers);
	else
	    s->joules = 0;
	/* a restart's gap: carried when every member's was */
	for (k = 0; k < s->nmembers && ss->s[s->members[k]].gap_carried; k++)
	    ;
	if (s->nmembers > 0 && k == s->nmembers) {
	    for (k = 0; k < s->nmembers; k++)
		s->gap_joules += ss->s[s->members[k]].gap_joules;
	    s->gap_carried = 1;
	}
    }
    for (i = 0; i < ss->n; i++) {
	pp_source *s = &ss->s[i];
	s->seconds = dt;
	if (s->valid && dt > 0) {
	    s->watts = s->joules / dt;
	    s->energy += s->joules;
	} else
	    s->watts = 0;
	s->energy += s->gap_joules;	/* no power: no interval of its own */
    }
}

int
pp_sources_choose(pp_sources *ss, const char *want)
{
    int i, best = -1;
    double best_watts = -1;
    static const pp_source_class order[] = {
	PP_CLASS_PSYS, PP_CLASS_SENSOR, PP_CLASS_BATTERY, PP_CLASS_RAPL,
	PP_CLASS_MODEL,
    };
    int o;

    if (want && strcmp(want, "auto") != 0) {
	i = pp_sources_find(ss, want);
	if (i >= 0 && ss->s[i].present)
	    return ss->primary = i;
    }
    for (o = 0; o < (int)(sizeof(order) / sizeof(order[0])) && best < 0; o++)
	for (i = 0; i < ss->n; i++) {
	    const pp_source *s = &ss->s[i];
	    if (!s->present || s->cls != order[o])
		continue;
	    if (s->cls == PP_CLASS_BATTERY) {
		/* a battery covers the machine only while it powers it */
		if (s->discharging && s->watts > best_watts) {
		    best = i;
		    best_watts = s->watts;
		}
	    } else {
		best = i;
		break;
	    }
	}
    return ss->primary = best;
}

int
pp_sources_view(const pp_sources *ss, pp_source_class cls)
{
    int i, best = -1;

    for (i = 0; i < ss->n; i++) {
	const pp_source *s = &ss->s[i];
	if (!s->present || !s->valid)
	    continue;
	switch (cls) {
	case PP_CLASS_RAPL:
	    if (s->cls == PP_CLASS_PSYS)
		return i;
	    if (s->cls == PP_CLASS_RAPL && best < 0)
		best = i;
	    break;
	case PP_CLASS_BATTERY:
	    if (s->cls == PP_CLASS_BATTERY && s->discharging &&
		(best < 0 || s->watts > ss->s[best].watts))
		best = i;
	    break;
	default:
	    if (s->cls == cls)
		return i;
	}
    }
    return best;
}
