/*
 * The agent's counters across restarts: when pmcd restarts, the agent is
 * restarted with it, and without this every energy counter would start
 * again from zero (a counter reset in every archive).  The state file
 * holds each source's and aggregate's energy, with the aggregates'
 * instance ids, and the unattributed energy; it is read back at start-up.
 */
#ifndef PP_STATE_H
#define PP_STATE_H

#include "aggregate.h"
#include "attrib.h"
#include "sources.h"

typedef struct {
    pp_aggset	*aggs;		/* PP_NAGG sets */
    pp_sources	*sources;
    double	*unattributed;	/* joules */
} pp_state;

/* write atomically (temporary file, rename); 0 or -errno */
int pp_state_save(const char *path, const pp_state *st, double now);

/*
 * Read a state file written by pp_state_save: restores energies and ids.
 * Returns the number of records restored, 0 when there is no file, -1
 * when it is not a state file (then nothing is restored).
 */
int pp_state_load(const char *path, const pp_state *st);

#endif /* PP_STATE_H */
