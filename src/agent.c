/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmdaprocpower: the PMDA.  Metric and instance tables, the pmcd callbacks
 * and the main loop.  The callbacks answer from the last snapshot the
 * worker completed and never call pmcd; all sampling is in the worker.
 */
#include "access.h"
#include "compat.h"
#include "config.h"
#include "control.h"
#include "sampler.h"
#include "snapshot.h"
#include "state.h"
#include "worker.h"
#include "../domain.h"

#include <errno.h>
#include <malloc.h>
#include <pwd.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

enum {
    INDOM_PROCESS, INDOM_SOURCE, INDOM_COMMAND, INDOM_USER, INDOM_CGROUP,
    NUM_INDOMS
};

enum {	/* procpower.agent items */
    AG_CYCLES, AG_DURATION, AG_ERRORS, AG_SKIPPED, AG_STATUS, AG_PROCESSES,
    AG_MESSAGE, AG_INTERVAL, AG_ACCOUNTING, AG_RECORDS, AG_RECORDS_MISSED,
    AG_RECORD_READS,
};

enum {	/* clusters */
    CL_PROCESS, CL_SYSTEM, CL_CONTROL, CL_AGENT,
    CL_COMMAND, CL_USER, CL_CGROUP,	/* aggregates, in PP_AGG_* order */
};

static pmdaIndom indomtab[NUM_INDOMS] = {
    { INDOM_PROCESS, 0, NULL },
    { INDOM_SOURCE, 0, NULL },
    { INDOM_COMMAND, 0, NULL },
    { INDOM_USER, 0, NULL },
    { INDOM_CGROUP, 0, NULL },
};

#define PROC_IND	INDOM_PROCESS
#define SRC_IND		INDOM_SOURCE
#define NO_IND		PM_INDOM_NULL
#define UNITS_NONE	PMDA_PMUNITS(0,0,0,0,0,0)
#define UNITS_COUNT	PMDA_PMUNITS(0,0,1,0,0,PM_COUNT_ONE)
#define UNITS_SEC	PMDA_PMUNITS(0,1,0,0,PM_TIME_SEC,0)
#define UNITS_MSEC	PMDA_PMUNITS(0,1,0,0,PM_TIME_MSEC,0)

static pmdaMetric metrictab[] = {
    /* procpower.process.{power,energy,share} */
    { NULL, { PMDA_PMID(CL_PROCESS, 0), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_PROCESS, 1), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
    { NULL, { PMDA_PMID(CL_PROCESS, 2), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, UNITS_NONE } },
    /* procpower.process.by_source.{rapl,battery,sensor,model} */
    { NULL, { PMDA_PMID(CL_PROCESS, 3), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_PROCESS, 4), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_PROCESS, 5), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_PROCESS, 6), PM_TYPE_DOUBLE, PROC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    /* procpower.system.{power,energy,coverage,unattributed.power,...energy} */
    { NULL, { PMDA_PMID(CL_SYSTEM, 0), PM_TYPE_DOUBLE, SRC_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_SYSTEM, 1), PM_TYPE_DOUBLE, SRC_IND,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
    { NULL, { PMDA_PMID(CL_SYSTEM, 2), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_INSTANT, UNITS_NONE } },
    { NULL, { PMDA_PMID(CL_SYSTEM, 3), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_SYSTEM, 4), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
    /* procpower.system.primary.power */
    { NULL, { PMDA_PMID(CL_SYSTEM, 5), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    /* procpower.control.{interval,source} */
    { NULL, { PMDA_PMID(CL_CONTROL, PP_CTL_INTERVAL), PM_TYPE_U32, NO_IND,
	PM_SEM_DISCRETE, UNITS_SEC } },
    { NULL, { PMDA_PMID(CL_CONTROL, PP_CTL_SOURCE), PM_TYPE_STRING, NO_IND,
	PM_SEM_DISCRETE, UNITS_NONE } },
    /* procpower.agent.* */
    { NULL, { PMDA_PMID(CL_AGENT, AG_CYCLES), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },		/* cycles */
    { NULL, { PMDA_PMID(CL_AGENT, AG_DURATION), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_INSTANT, UNITS_MSEC } },			/* duration */
    { NULL, { PMDA_PMID(CL_AGENT, AG_ERRORS), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },		/* errors */
    { NULL, { PMDA_PMID(CL_AGENT, AG_SKIPPED), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },		/* skipped */
    { NULL, { PMDA_PMID(CL_AGENT, AG_STATUS), PM_TYPE_STRING, SRC_IND,
	PM_SEM_DISCRETE, UNITS_NONE } },		/* status */
    { NULL, { PMDA_PMID(CL_AGENT, AG_PROCESSES), PM_TYPE_U32, NO_IND,
	PM_SEM_INSTANT, UNITS_COUNT } },		/* processes */
    { NULL, { PMDA_PMID(CL_AGENT, AG_MESSAGE), PM_TYPE_STRING, NO_IND,
	PM_SEM_DISCRETE, UNITS_NONE } },		/* message */
    { NULL, { PMDA_PMID(CL_AGENT, AG_INTERVAL), PM_TYPE_DOUBLE, NO_IND,
	PM_SEM_INSTANT, UNITS_SEC } },			/* interval covered */
    { NULL, { PMDA_PMID(CL_AGENT, AG_ACCOUNTING), PM_TYPE_STRING, NO_IND,
	PM_SEM_DISCRETE, UNITS_NONE } },
    { NULL, { PMDA_PMID(CL_AGENT, AG_RECORDS), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },
    { NULL, { PMDA_PMID(CL_AGENT, AG_RECORDS_MISSED), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },
    { NULL, { PMDA_PMID(CL_AGENT, AG_RECORD_READS), PM_TYPE_U64, NO_IND,
	PM_SEM_COUNTER, UNITS_COUNT } },
    /* procpower.{command,user,cgroup}.{power,energy} */
    { NULL, { PMDA_PMID(CL_COMMAND, 0), PM_TYPE_DOUBLE, INDOM_COMMAND,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_COMMAND, 1), PM_TYPE_DOUBLE, INDOM_COMMAND,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
    { NULL, { PMDA_PMID(CL_USER, 0), PM_TYPE_DOUBLE, INDOM_USER,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_USER, 1), PM_TYPE_DOUBLE, INDOM_USER,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
    { NULL, { PMDA_PMID(CL_CGROUP, 0), PM_TYPE_DOUBLE, INDOM_CGROUP,
	PM_SEM_INSTANT, PP_UNITS_WATT } },
    { NULL, { PMDA_PMID(CL_CGROUP, 1), PM_TYPE_DOUBLE, INDOM_CGROUP,
	PM_SEM_COUNTER, PP_UNITS_JOULE } },
};

static pp_worker	worker;
static pp_snapshot	*current;	/* owned by the main thread */
static pmdaInstid	*proc_insts;
static size_t		proc_insts_max;
static pmdaInstid	source_insts[PP_MAXSOURCES];
static pmdaInstid	*agg_insts[PP_NAGG];
static size_t		agg_insts_max[PP_NAGG];
static int		source_stored;	/* a pmstore not yet used by a cycle */
static char		*username;
static char		agent_user[64];	/* who may store, besides root */
static char		confpath[MAXPATHLEN];
static char		helppath[MAXPATHLEN];

/* ---- snapshots ---- */

/* make room for n instances in a table; -1 when out of memory */
static int
room(pmdaInstid **v, size_t *max, size_t n)
{
    pmdaInstid *nv;

    if (n <= *max)
	return 0;
    if ((nv = realloc(*v, n * 2 * sizeof(*nv))) == NULL)
	return -1;
    *v = nv;
    *max = n * 2;
    return 0;
}

/*
 * The process instances and the pid index of the current snapshot, built
 * only when a request needs them (a fetch of a per-process metric, the
 * instances of the process domain): pmlogger or a client asking only the
 * machine's or the aggregates' figures costs nothing per process here.
 */
static int	procs_ready;

static int
need_processes(void)
{
    size_t i;

    if (procs_ready || current == NULL)
	return 0;
    if (room(&proc_insts, &proc_insts_max, current->nprocs) < 0 ||
	pp_snapshot_index(current) < 0) {
	pmNotifyErr(LOG_ERR, "out of memory for %zu processes", current->nprocs);
	return -ENOMEM;
    }
    for (i = 0; i < current->nprocs; i++) {
	proc_insts[i].i_inst = current->procs[i].pid;
	proc_insts[i].i_name = (char *)current->procs[i].name;
    }
    indomtab[INDOM_PROCESS].it_set = proc_insts;
    indomtab[INDOM_PROCESS].it_numinst = (int)current->nprocs;
    procs_ready = 1;
    return 0;
}

static void
adopt(pp_snapshot *snap)
{
    size_t i;
    int k;

    for (k = 0; k < PP_NAGG; k++)
	if (room(&agg_insts[k], &agg_insts_max[k], snap->naggs[k]) < 0) {
	    pmNotifyErr(LOG_ERR, "out of memory for %zu aggregates",
			snap->naggs[k]);
	    pp_snapshot_free(snap);
	    return;
	}
    /* the process instances follow when asked for: need_processes */
    indomtab[INDOM_PROCESS].it_numinst = 0;
    procs_ready = 0;

    for (k = 0; k < snap->nsources; k++) {
	source_insts[k].i_inst = snap->sources[k].id;
	source_insts[k].i_name = snap->sources[k].name;
    }
    indomtab[INDOM_SOURCE].it_set = source_insts;
    indomtab[INDOM_SOURCE].it_numinst = snap->nsources;

    for (k = 0; k < PP_NAGG; k++) {
	for (i = 0; i < snap->naggs[k]; i++) {
	    agg_insts[k][i].i_inst = snap->aggs[k][i].id;
	    agg_insts[k][i].i_name = (char *)snap->aggs[k][i].name;
	}
	indomtab[INDOM_COMMAND + k].it_set = agg_insts[k];
	indomtab[INDOM_COMMAND + k].it_numinst = (int)snap->naggs[k];
    }

    pp_snapshot_free(current);
    current = snap;
    pp_worker_adopted(&worker, snap);	/* names of older ones may go */
    source_stored = 0;
}

static const pp_snap_source *
source_by_id(unsigned int inst)
{
    int k;

    for (k = 0; current && k < current->nsources; k++)
	if ((unsigned int)current->sources[k].id == inst)
	    return &current->sources[k];
    return NULL;
}

/* ---- callbacks ---- */

static int
finite_value(double v, pmAtomValue *atom)
{
    if (!isfinite(v) || v < 0)
	return 0;	/* never export NaN or a negative figure */
    atom->d = v;
    return 1;
}

/* a process's value of a metric of the process cluster */
static int
proc_value(const pp_snap_proc *p, unsigned int item, pmAtomValue *atom)
{
    switch (item) {
    case 0:
	return current->valid ? finite_value(p->power, atom) : 0;
    case 1:
	return finite_value(p->energy, atom);
    case 2:
	return current->valid ? finite_value(p->share, atom) : 0;
    case 3: case 4: case 5: case 6:
	/* the process's share of one kind of source's power */
	if (!current->valid || !current->view_valid[item - 3])
	    return 0;
	return finite_value(p->share / 100 * current->view_power[item - 3],
			    atom);
    }
    return PM_ERR_PMID;
}

static int
fetch_value(pmdaMetric *mdesc, unsigned int inst, pmAtomValue *atom)
{
    unsigned int cluster = pmID_cluster(mdesc->m_desc.pmid);
    unsigned int item = pmID_item(mdesc->m_desc.pmid);
    static char text[PP_NAMELEN];
    const pp_snap_proc *p;
    const pp_snap_source *s;

    if (cluster == CL_CONTROL) {
	if (item == PP_CTL_INTERVAL) {
	    atom->ul = (unsigned int)pp_worker_interval(&worker);
	    return 1;
	}
	if (item == PP_CTL_SOURCE) {
	    /*
	     * The source in use; the one just stored until the next cycle
	     * uses it, "auto" until a cycle has chosen one.
	     */
	    if (current && current->primary[0] && !source_stored) {
		atom->cp = current->primary;
	    } else {
		pp_worker_source(&worker, text, sizeof(text));
		atom->cp = text;
	    }
	    return 1;
	}
	return PM_ERR_PMID;
    }
    if (current == NULL)
	return PM_ERR_AGAIN;	/* the first cycle has not completed */

    switch (cluster) {
    case CL_PROCESS:
	if ((p = pp_snapshot_proc(current, (int)inst)) == NULL)
	    return PM_ERR_INST;
	return proc_value(p, item, atom);
    case CL_SYSTEM:
	if (item <= 1) {
	    if ((s = source_by_id(inst)) == NULL)
		return PM_ERR_INST;
	    if (!s->present)
		return 0;
	    if (item == 0)
		return s->valid ? finite_value(s->power, atom) : 0;
	    return finite_value(s->energy, atom);
	}
	switch (item) {
	case 2:
	    return current->valid ? finite_value(current->coverage, atom) : 0;
	case 3:
	    return current->valid ?
		finite_value(current->unattributed_power, atom) : 0;
	case 4:
	    return finite_value(current->unattributed_energy, atom);
	case 5:
	    return current->valid ? finite_value(current->primary_power, atom) : 0;
	}
	return PM_ERR_PMID;
    case CL_AGENT:
	switch (item) {
	case AG_CYCLES: atom->ull = current->cycles; return 1;
	case AG_DURATION: return finite_value(current->duration, atom);
	case AG_ERRORS: atom->ull = current->errors; return 1;
	case AG_SKIPPED: atom->ull = current->skipped; return 1;
	case AG_STATUS:
	    if ((s = source_by_id(inst)) == NULL)
		return PM_ERR_INST;
	    atom->cp = (char *)s->status;
	    return 1;
	case AG_PROCESSES: atom->ul = (unsigned int)current->nprocs; return 1;
	case AG_MESSAGE:
	    atom->cp = current->message[0] ? current->message : "ok";
	    return 1;
	case AG_INTERVAL: return finite_value(current->interval, atom);
	case AG_ACCOUNTING: atom->cp = current->accounting; return 1;
	case AG_RECORDS: atom->ull = current->records; return 1;
	case AG_RECORDS_MISSED: atom->ull = current->records_missed; return 1;
	case AG_RECORD_READS: atom->ull = current->record_reads; return 1;
	}
	return PM_ERR_PMID;
    case CL_COMMAND:
    case CL_USER:
    case CL_CGROUP: {
	const pp_snap_agg *a = pp_snapshot_agg(current, (int)(cluster - CL_COMMAND),
						(int)inst);
	if (a == NULL)
	    return PM_ERR_INST;
	if (item == 0)
	    return current->valid ? finite_value(a->power, atom) : 0;
	if (item == 1)
	    return finite_value(a->energy, atom);
	return PM_ERR_PMID;
    }
    }
    return PM_ERR_PMID;
}

/* energy counters to the microjoule, as the state holds them: after a
   restart they go on from the very value last exported, never below */
static void
as_exported(const pmDesc *d, pmAtomValue *atom)
{
    if (d->type == PM_TYPE_DOUBLE && d->sem == PM_SEM_COUNTER)
	atom->d = pp_state_joules(atom->d);
}

static int
procpower_fetch_cb(pmdaMetric *mdesc, unsigned int inst, pmAtomValue *atom)
{
    int sts = fetch_value(mdesc, inst, atom);

    if (sts > 0)
	as_exported(&mdesc->m_desc, atom);
    return sts;
}

/* why a value of a store is refused, for the log */
static void
log_refusal(const pmValueSet *vsp, pp_ctl_refusal r)
{
    const char *what = pmID_item(vsp->pmid) == PP_CTL_SOURCE ?
	"procpower.control.source" : "procpower.control.interval";
    const char *why = NULL;

    switch (r) {
    case PP_CTL_OK:
    case PP_CTL_NOT_STORABLE:
	return;
    case PP_CTL_NOT_ONE:
	why = "not one value";
	break;
    case PP_CTL_NOT_NUMBER:
	why = "not a 32-bit value";
	break;
    case PP_CTL_NOT_STRING:
	why = "not a whole string";
	break;
    case PP_CTL_OUT_OF_RANGE:
	pmNotifyErr(LOG_WARNING, "pmstore %s %u refused: must be %d to %d "
		    "seconds", what, (unsigned int)vsp->vlist[0].value.lval,
		    PP_INTERVAL_MIN, PP_INTERVAL_MAX);
	return;
    case PP_CTL_NO_SUCH_SOURCE:
	pmNotifyErr(LOG_WARNING, "pmstore %s \"%.64s\" refused: not 'auto' "
		    "nor a present source", what, vsp->vlist[0].value.pval->vbuf);
	return;
    }
    pmNotifyErr(LOG_WARNING, "pmstore %s refused: %s", what, why);
}

/*
 * A store is taken from root and the agent's user only (pmcd tells who
 * the client is: see the attribute callback), and whole or not at all:
 * every value is checked before any is applied.
 */
static int
procpower_store(pmdaResult *result, pmdaExt *pmda)
{
    pp_control_change c = { 0 };
    const char *present[PP_MAXSOURCES];
    pp_ctl_refusal r;
    int i, k, n = 0;

    if (!pp_access_may_store(pmda->e_context)) {
	long uid = pp_access_uid(pmda->e_context);
	if (uid < 0)
	    pmNotifyErr(LOG_WARNING, "pmstore refused: a client whose user "
			"pmcd does not know (not a local connection)");
	else
	    pmNotifyErr(LOG_WARNING, "pmstore refused: uid %ld is neither "
			"root nor %s", uid, agent_user);
	return PM_ERR_PERMISSION;
    }
    for (k = 0; current && k < current->nsources; k++)
	if (current->sources[k].present)
	    present[n++] = current->sources[k].name;
    for (i = 0; i < result->numpmid; i++) {
	pmValueSet *vsp = result->vset[i];
	int item = pmID_cluster(vsp->pmid) == CL_CONTROL ?
		   (int)pmID_item(vsp->pmid) : -1;
	if ((r = pp_control_check(vsp, item, present, n, &c)) != PP_CTL_OK) {
	    log_refusal(vsp, r);
	    return pp_control_error(r);
	}
    }
    if (c.interval > 0) {
	pp_worker_set_interval(&worker, c.interval);
	pmNotifyErr(LOG_INFO, "interval set to %d seconds (uid %ld)",
		    c.interval, pp_access_uid(pmda->e_context));
    }
    if (c.has_source) {
	pp_worker_set_source(&worker, c.source);
	source_stored = 1;
	pmNotifyErr(LOG_INFO, "primary source set to %s (uid %ld)", c.source,
		    pp_access_uid(pmda->e_context));
    }
    return 0;
}

/* pmcd's word on who a client is */
static int
procpower_attribute(int ctx, int attr, const char *value, int length,
		    pmdaExt *pmda)
{
    if (attr == PMDA_ATTR_USERID && value != NULL && length > 0) {
	char *end;
	unsigned long uid;
	errno = 0;
	uid = strtoul(value, &end, 10);
	if (errno == 0 && end != value && *end == '\0' && uid < (uid_t)-1 &&
	    pp_access_set_uid(ctx, (uid_t)uid) < 0)
	    return -ENOMEM;
    }
    return pmdaAttribute(ctx, attr, value, length, pmda);
}

static void
procpower_end_context(int ctx)
{
    pp_access_end(ctx);
}

/*
 * The values of the process cluster, served without pmdaFetch's work per
 * value: it allocates a block for every double it sends and frees it
 * after the reply (at 5,000 processes a quarter of the agent's CPU for a
 * fetch of one metric, with a callback and a pid lookup each).  Here a
 * request's doubles sit side by side in one slab kept for the next, and
 * their value sets say so (PM_VAL_SPTR: the blocks are not freed after
 * the reply, the value sets are, as pmdaFetch's are).
 */
typedef union {
    pmValueBlock	vb;
    char		room[PM_VAL_HDR_SIZE + sizeof(double) + 4];	/* 16 */
} proc_block;

static proc_block	*slab;		/* one request's process values */
static size_t		slab_max;

static int
room_slab(size_t n)
{
    proc_block *nb;

    /* as big as the biggest recent request; a peak is given back */
    if (n <= slab_max && n >= slab_max / 2)
	return 0;
    if ((nb = realloc(slab, n * sizeof(*nb))) == NULL)
	return n <= slab_max ? 0 : -1;
    slab = nb;
    slab_max = n;
    return 0;
}

static const pmdaMetric *
metric_of(pmID pmid)
{
    size_t i;

    for (i = 0; i < sizeof(metrictab) / sizeof(metrictab[0]); i++)
	if (metrictab[i].m_desc.pmid == pmid)
	    return &metrictab[i];
    return NULL;
}

/* the value set of one process metric, its values in slab from *used */
static pmValueSet *
proc_vset(pmValueSet *vs, const pmdaMetric *m, size_t *used, pmdaExt *pmda)
{
    const pp_snap_proc *procs = current->procs;
    size_t n = current->nprocs, k = 0;
    pmValueSet *nv;
    pmAtomValue atom;
    int inst, j = 0;

    if ((nv = realloc(vs, sizeof(*vs) + (n ? n - 1 : 0) * sizeof(pmValue))) == NULL)
	return vs;	/* left with no values */
    vs = nv;
    __pmdaStartInst(m->m_desc.indom, pmda);
    while ((size_t)j < n && __pmdaNextInst(&inst, pmda)) {
	/* the instances come in the snapshot's order, those the client's
	   profile leaves out skipped */
	const pp_snap_proc *p = k < n && procs[k].pid == inst ? &procs[k] :
				pp_snapshot_proc(current, inst);
	proc_block *b;

	if (p == NULL || proc_value(p, pmID_item(m->m_desc.pmid), &atom) <= 0)
	    continue;
	k = (size_t)(p - procs) + 1;
	as_exported(&m->m_desc, &atom);
	b = &slab[(*used)++];
	b->vb.vtype = PM_TYPE_DOUBLE;
	b->vb.vlen = PM_VAL_HDR_SIZE + sizeof(double);
	memcpy(b->room + PM_VAL_HDR_SIZE, &atom.d, sizeof(double));
	vs->vlist[j].inst = inst;
	vs->vlist[j++].value.pval = &b->vb;
    }
    vs->numval = j;
    vs->valfmt = j > 0 ? PM_VAL_SPTR : PM_VAL_INSITU;
    return vs;
}

static int
procpower_fetch(int n, pmID *pmids, pmdaResult **resp, pmdaExt *pmda)
{
    size_t want, used = 0;
    int i, sts, nproc = 0;

    for (i = 0; i < n; i++)
	if (pmID_cluster(pmids[i]) == CL_PROCESS)
	    nproc++;
    if (nproc == 0)
	return pmdaFetch(n, pmids, resp, pmda);
    if ((sts = need_processes()) < 0)
	return sts;
    want = (size_t)nproc * (current ? current->nprocs : 0);
    if (current == NULL || current->nprocs == 0 || room_slab(want) < 0)
	return pmdaFetch(n, pmids, resp, pmda);	/* the slow way */

    /* pmdaFetch answers the rest, shown no process to walk through: it
       leaves an empty value set for each process metric, filled here */
    indomtab[INDOM_PROCESS].it_numinst = 0;
    sts = pmdaFetch(n, pmids, resp, pmda);
    indomtab[INDOM_PROCESS].it_numinst = (int)current->nprocs;
    if (sts < 0)
	return sts;
    for (i = 0; i < n; i++) {
	const pmdaMetric *m;

	if (pmID_cluster(pmids[i]) != CL_PROCESS ||
	    (m = metric_of(pmids[i])) == NULL ||
	    (*resp)->vset[i]->numval != 0)
	    continue;	/* no such metric: pmdaFetch said so */
	(*resp)->vset[i] = proc_vset((*resp)->vset[i], m, &used, pmda);
    }
    return 0;
}

static int
procpower_instance(pmInDom indom, int inst, char *name, pmInResult **result,
		   pmdaExt *pmda)
{
    int sts;

    if (pmInDom_serial(indom) == INDOM_PROCESS && (sts = need_processes()) < 0)
	return sts;
    return pmdaInstance(indom, inst, name, result, pmda);
}

static int
procpower_label(int ident, int type, pmLabelSet **lpp, pmdaExt *pmda)
{
    if ((type & PM_LABEL_INSTANCES) &&
	pmInDom_serial((pmInDom)ident) == INDOM_PROCESS && need_processes() < 0)
	return -ENOMEM;
    if (type == PM_LABEL_ITEM) {
	unsigned int cluster = pmID_cluster((pmID)ident);
	unsigned int item = pmID_item((pmID)ident);
	const char *units = NULL;

	int figures = cluster == CL_PROCESS || cluster == CL_SYSTEM ||
		      cluster == CL_COMMAND || cluster == CL_USER ||
		      cluster == CL_CGROUP;

	if (figures && (item == 0 || (cluster == CL_SYSTEM && (item == 3 || item == 5)) ||
			(cluster == CL_PROCESS && item >= 3)))
	    units = "watt";
	else if (figures && (item == 1 || (cluster == CL_SYSTEM && item == 4)))
	    units = "joule";
	else if ((cluster == CL_PROCESS && item == 2) ||
		 (cluster == CL_SYSTEM && item == 2))
	    units = "percent";
	if (units)
	    pmdaAddLabels(lpp, "{\"units\":\"%s\"}", units);
    }
    return pmdaLabel(ident, type, lpp, pmda);
}

/* ---- set-up and the main loop ---- */

static void
config_report(void *arg, const char *file, int line, const char *message)
{
    (void)arg;
    if (line > 0)
	pmNotifyErr(LOG_WARNING, "%s:%d: %s", file, line, message);
    else
	pmNotifyErr(LOG_WARNING, "%s: %s", file, message);
}

static pmLongOptions longopts[] = {
    PMDA_OPTIONS_HEADER("Options"),
    PMOPT_DEBUG,
    PMDAOPT_DOMAIN,
    PMDAOPT_LOGFILE,
    PMDAOPT_USERNAME,
    { "config", 1, 'c', "FILE", "configuration file [$PCP_PMDAS_DIR/procpower/procpower.conf]" },
    { "host", 1, 'H', "HOST", "sample this pmcd [local:]" },
    { "interval", 1, 't', "SECONDS", "sampling interval [10]" },
    PMOPT_HELP,
    PMDA_OPTIONS_END
};

static pmdaOptions opts = {
    .short_options = "c:D:d:H:l:t:U:?",
    .long_options = longopts,
};

/* the newest snapshot, if the worker made one since */
static void
take_snapshot(void)
{
    pp_snapshot *snap = pp_worker_take(&worker);

    if (snap)
	adopt(snap);
}

/*
 * Answer pmcd.  A snapshot is taken when pmcd asks something, not when
 * the worker makes it (waking this thread every cycle would cost more
 * than answering), and at least every ADOPT_EVERY seconds, so that the
 * names of processes gone, which the worker frees once no snapshot
 * held here can show them, do not pile up while nobody asks.
 */
#define ADOPT_EVERY	30

static void
main_loop(pmdaInterface *dispatch)
{
    int infd = __pmdaInFd(dispatch);
    struct timeval tv;
    fd_set fds;
    int n;

    for (;;) {
	FD_ZERO(&fds);
	FD_SET(infd, &fds);
	tv.tv_sec = ADOPT_EVERY;
	tv.tv_usec = 0;
	if ((n = select(infd + 1, &fds, NULL, NULL, &tv)) < 0) {
	    if (errno == EINTR)
		continue;
	    pmNotifyErr(LOG_ERR, "select: %s", strerror(errno));
	    break;
	}
	take_snapshot();
	if (n > 0 && __pmdaMainPDU(dispatch) < 0)
	    break;	/* pmcd closed the pipe: exit */
    }
}

int
main(int argc, char **argv)
{
    pmdaInterface dispatch;
    pp_config cfg;
    char *end;
    long interval = -1;
    const char *host = NULL;
    int c, sep = pmPathSeparator();

    pmSetProgname(argv[0]);
    pmGetUsername(&username);
    pmsprintf(helppath, sizeof(helppath), "%s%c" "procpower" "%c" "help",
	      pmGetConfig("PCP_PMDAS_DIR"), sep, sep);
    pmsprintf(confpath, sizeof(confpath), "%s%c" "procpower" "%c" "procpower.conf",
	      pmGetConfig("PCP_PMDAS_DIR"), sep, sep);
    pmdaDaemon(&dispatch, PMDA_INTERFACE_7, pmGetProgname(), PROCPOWER,
	       "procpower.log", helppath);

    while ((c = pmdaGetOptions(argc, argv, &opts, &dispatch)) != EOF) {
	switch (c) {
	case 'c':
	    pmsprintf(confpath, sizeof(confpath), "%s", opts.optarg);
	    break;
	case 'H':
	    host = opts.optarg;
	    break;
	case 't':
	    interval = strtol(opts.optarg, &end, 10);
	    if (*end != '\0' || !pp_interval_valid(interval)) {
		pmprintf("%s: -t needs whole seconds from %d to %d\n",
			 pmGetProgname(), PP_INTERVAL_MIN, PP_INTERVAL_MAX);
		opts.errors++;
	    }
	    break;
	default:
	    opts.errors++;
	}
    }
    if (opts.errors) {
	pmdaUsageMessage(&opts);
	exit(1);
    }
    if (opts.username)
	username = opts.username;

    pmdaOpenLog(&dispatch);
    /*
     * Every cycle frees and allocates the same few large blocks (the
     * fetch's PDU, a snapshot): keep them in the heap instead of giving
     * them back and faulting them in again, page by page, each cycle.
     */
    mallopt(M_MMAP_THRESHOLD, PP_HEAP_MMAP);
    mallopt(M_TRIM_THRESHOLD, PP_HEAP_TRIM);

    /* defaults, then the file, then the command line */
    pp_config_defaults(&cfg);
    pmsprintf(cfg.state, sizeof(cfg.state), "%s%c" "config" "%c" "pmda" "%c"
	      "%d.state", pmGetConfig("PCP_VAR_DIR"), sep, sep, sep, PROCPOWER);
    if (access(confpath, R_OK) == 0) {
	int bad = pp_config_load(&cfg, confpath, config_report, NULL);
	pmNotifyErr(bad ? LOG_WARNING : LOG_INFO, "read %s: %d bad line%s",
		    confpath, bad, bad == 1 ? "" : "s");
    } else
	pmNotifyErr(LOG_INFO, "no %s: using defaults", confpath);
    if (interval > 0)
	cfg.interval = (int)interval;
    if (host)
	pmsprintf(cfg.host, sizeof(cfg.host), "%s", host);
    if (cfg.subsamples == PP_SUBSAMPLES_AUTO)
	pmNotifyErr(LOG_INFO, "sampling %s every %d s, gauges read every "
		    "%g s, primary source %s", cfg.host, cfg.interval,
		    PP_GAUGE_EVERY, cfg.source);
    else
	pmNotifyErr(LOG_INFO, "sampling %s every %d s, %d gauge readings per "
		    "interval, primary source %s", cfg.host, cfg.interval,
		    cfg.subsamples, cfg.source);

    if (dispatch.status != 0) {
	pmNotifyErr(LOG_ERR, "PMDA set-up failed: %s", pmErrStr(dispatch.status));
	exit(1);
    }
    /*
     * Stores only from root and the agent's user: pmcd passes each
     * client's credentials to an agent that asks for them.
     */
    {
	struct passwd *pw = getpwnam(username);
	pp_access_init(pw ? pw->pw_uid : 0);
	snprintf(agent_user, sizeof(agent_user), "%s", pw ? username : "root");
    }
    pmdaSetCommFlags(&dispatch, PMDA_FLAG_AUTHORIZE);
    dispatch.version.seven.attribute = procpower_attribute;
    pmdaSetEndContextCallBack(&dispatch, procpower_end_context);
    dispatch.version.any.store = procpower_store;
    dispatch.version.seven.label = procpower_label;
    dispatch.version.any.fetch = procpower_fetch;
    dispatch.version.any.instance = procpower_instance;
    pmdaSetFetchCallBack(&dispatch, procpower_fetch_cb);
    pmdaSetFlags(&dispatch, PMDA_EXT_FLAG_HASHED);
    pmdaInit(&dispatch, indomtab, NUM_INDOMS, metrictab,
	     sizeof(metrictab) / sizeof(metrictab[0]));
    pmdaConnect(&dispatch);
    if (dispatch.status != 0) {
	pmNotifyErr(LOG_ERR, "cannot connect to pmcd: %s",
		    pmErrStr(dispatch.status));
	exit(1);
    }

    /*
     * Drop root now, unless process accounting is wanted: then the worker
     * drops it once it holds the one context that may turn accounting
     * back on (it resets whenever pmcd restarts).
     */
    if (geteuid() != 0 || strcmp(username, "root") == 0 || !cfg.accounting) {
	pmSetProcessIdentity(username);
	username = NULL;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((c = pp_worker_start(&worker, &cfg, username)) < 0) {
	pmNotifyErr(LOG_ERR, "cannot start the sampling thread: %s",
		    pmErrStr(c));
	exit(1);
    }
    main_loop(&dispatch);
    pp_worker_stop(&worker);
    pp_snapshot_free(current);
    free(proc_insts);
    free(slab);
    pp_access_free();
    exit(0);
}
