/*
 * The state file; see state.h.  A text file, one record a line, the name
 * last so that it may hold spaces:
 *
 *	procpower-state 1 TIME
 *	unattributed JOULES
 *	source JOULES NAME
 *	agg KIND ID JOULES LAST_ACTIVE NAME
 *
 * It is written after every cycle and before that cycle's snapshot is
 * published, so a counter never goes back after a restart, even one by
 * SIGKILL.  Processes are left out: writing thousands of lines a cycle
 * would cost more than the rest of the cycle, and a process's counter
 * restarting with its instance is what PCP clients expect.
 */
#include "state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC	"procpower-state 1"

int
pp_state_save(const char *path, const pp_state *st, double now)
{
    char tmp[4096];
    FILE *f;
    size_t i;
    int k, sts = 0;
    const pp_agg *a;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((f = fopen(tmp, "w")) == NULL)
	return -errno;
    fprintf(f, "%s %.3f\n", MAGIC, now);
    fprintf(f, "unattributed %.6f\n", *st->unattributed);
    for (k = 0; k < st->sources->n; k++) {
	const pp_source *s = &st->sources->s[k];
	if (s->energy > 0)
	    fprintf(f, "source %.6f %s\n", s->energy, s->name);
    }
    for (k = 0; k < PP_NAGG; k++)
	for (i = 0; i < st->aggs[k].hsize; i++)
	    for (a = st->aggs[k].hash[i]; a; a = a->next)
		fprintf(f, "agg %d %d %.6f %.3f %s\n", k, a->id, a->energy,
			a->last_active, a->name);
    if (ferror(f))
	sts = -EIO;
    if (fclose(f) != 0 && sts == 0)
	sts = -errno;
    if (sts == 0 && rename(tmp, path) < 0)
	sts = -errno;
    if (sts < 0)
	unlink(tmp);
    return sts;
}

/* the rest of the line after n space-separated fields */
static const char *
after_fields(const char *line, int n)
{
    while (n-- > 0) {
	line = strchr(line, ' ');
	if (line == NULL)
	    return NULL;
	line++;
    }
    return line;
}

int
pp_state_load(const char *path, const pp_state *st)
{
    FILE *f = fopen(path, "r");
    char line[8192], *nl;
    int restored = 0, kind, id;
    double v, w;

    if (f == NULL)
	return 0;
    if (fgets(line, sizeof(line), f) == NULL ||
	strncmp(line, MAGIC, strlen(MAGIC)) != 0) {
	fclose(f);
	return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
	const char *name;

	if ((nl = strchr(line, '\n')) == NULL)
	    continue;		/* a truncated last line: ignore it */
	*nl = '\0';
	if (sscanf(line, "unattributed %lf", &v) == 1 && v >= 0) {
	    *st->unattributed = v;
	    restored++;
	} else if (sscanf(line, "source %lf", &v) == 1 && v >= 0 &&
		   (name = after_fields(line, 2)) != NULL && *name) {
	    /* the source is found again by discovery, keeping this energy */
	    pp_source *s = pp_sources_adopt(st->sources, name);
	    if (s != NULL) {
		s->energy = v;
		restored++;
	    }
	} else if (sscanf(line, "agg %d %d %lf %lf", &kind, &id, &v, &w) == 4 &&
		   kind >= 0 && kind < PP_NAGG &&
		   (name = after_fields(line, 5)) != NULL && *name) {
	    if (pp_agg_restore(&st->aggs[kind], name, id, v, w) != NULL)
		restored++;
	}
    }
    fclose(f);
    return restored;
}
