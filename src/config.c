/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procpower.conf parser; see config.h and the CONFIGURATION section of
 * pmdaprocpower.1 for the format.
 */
#include "config.h"
#include "aggregate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pp_config_defaults(pp_config *c)
{
    memset(c, 0, sizeof(*c));
    c->interval = PP_DEFAULT_INTERVAL;
    c->subsamples = PP_DEFAULT_SUBSAMPLES;
    snprintf(c->host, sizeof(c->host), "%s", PP_DEFAULT_HOST);
    snprintf(c->source, sizeof(c->source), "%s", PP_DEFAULT_SOURCE);
    c->max_watts = PP_DEFAULT_MAX_WATTS;
    c->model = PP_MODEL_AUTO;
    c->model_idle = PP_DEFAULT_MODEL_IDLE;
    c->model_busy = PP_DEFAULT_MODEL_BUSY;
    c->accounting = 1;
    c->aggregate_idle = PP_DEFAULT_AGG_IDLE;
    c->aggregate_limit = PP_AGG_DEFAULT_LIMIT;
    c->gap = PP_DEFAULT_GAP;
}

int
pp_config_subsamples(const pp_config *c, double interval)
{
    double n;

    if (c->subsamples != PP_SUBSAMPLES_AUTO)
	return c->subsamples;
    n = isfinite(interval) && interval > 0 ?
	ceil(interval / PP_GAUGE_EVERY - 1e-9) : 1;
    return n < 1 ? 1 : n > PP_SUBSAMPLES_MAX ? PP_SUBSAMPLES_MAX : (int)n;
}

int
pp_interval_valid(long seconds)
{
    return seconds >= PP_INTERVAL_MIN && seconds <= PP_INTERVAL_MAX;
}

int
pp_source_name_valid(const char *name)
{
    size_t n = strlen(name);
    const char *p;

    if (n == 0 || n >= PP_NAMELEN)
	return 0;
    for (p = name; *p; p++)
	if (!isalnum((unsigned char)*p) && strchr("-_.:", *p) == NULL)
	    return 0;
    return 1;
}

#define MAXWORDS 12

typedef struct {
    const char		*file;
    int			line;
    pp_config_report	report;
    void		*arg;
    int			errors;
} parse_state;

static void
bad(parse_state *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->errors++;
    if (s->report)
	s->report(s->arg, s->file, s->line, msg);
}

static int
number(const char *word, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(word, &end);
    if (errno || end == word || *end != '\0' || !isfinite(v) || v < lo || v > hi)
	return -1;
    *out = v;
    return 0;
}

static int
split(char *line, char **w)
{
    int n = 0;
    char *p = line;

    while (*p) {
	while (isspace((unsigned char)*p))
	    p++;
	if (*p == '\0' || *p == '#')
	    break;
	if (n == MAXWORDS)
	    return MAXWORDS + 1;
	w[n++] = p;
	while (*p && !isspace((unsigned char)*p))
	    p++;
	if (*p)
	    *p++ = '\0';
    }
    return n;
}

static void
parse_sensor(pp_config *c, parse_state *s, char **w, int n)
{
    /* sensor NAME METRIC [INSTANCE] watts|joules [scale X] [range J] */
    pp_sensor sn;
    int i = 3, j;
    double v;

    if (n < 4) {
	bad(s, "'sensor' needs NAME METRIC [INSTANCE] watts|joules; line ignored");
	return;
    }
    memset(&sn, 0, sizeof(sn));
    sn.scale = 1;
    if (!pp_source_name_valid(w[1]) || strcmp(w[1], "auto") == 0 ||
	strcmp(w[1], "model") == 0 || strcmp(w[1], "rapl") == 0) {
	bad(s, "sensor name '%s' is not usable (letters, digits, - _ . : only; "
	       "auto, model and rapl are reserved); line ignored", w[1]);
	return;
    }
    if (strncmp(w[2], "procpower.", 10) == 0 || strlen(w[2]) >= PP_METRICLEN) {
	bad(s, "sensor metric '%s' cannot be used (procpower's own metrics "
	       "would deadlock the agent); line ignored", w[2]);
	return;
    }
    snprintf(sn.name, sizeof(sn.name), "%s", w[1]);
    snprintf(sn.metric, sizeof(sn.metric), "%s", w[2]);
    if (strcmp(w[3], "watts") != 0 && strcmp(w[3], "joules") != 0) {
	if (n < 5) {
	    bad(s, "sensor '%s': expected 'watts' or 'joules' after the metric; "
		   "line ignored", w[1]);
	    return;
	}
	snprintf(sn.instance, sizeof(sn.instance), "%s", w[3]);
	i = 4;
    }
    if (strcmp(w[i], "watts") == 0)
	sn.unit = PP_UNIT_WATTS;
    else if (strcmp(w[i], "joules") == 0)
	sn.unit = PP_UNIT_JOULES;
    else {
	bad(s, "sensor '%s': unit '%s' is neither 'watts' nor 'joules'; "
	       "line ignored", w[1], w[i]);
	return;
    }
    for (i++; i < n; i += 2) {
	if (i + 1 >= n || number(w[i + 1], 1e-12, 1e12, &v) < 0) {
	    bad(s, "sensor '%s': '%s' needs a positive number; line ignored",
		w[1], w[i]);
	    return;
	}
	if (strcmp(w[i], "scale") == 0)
	    sn.scale = v;
	else if (strcmp(w[i], "range") == 0)
	    sn.range = v;
	else {
	    bad(s, "sensor '%s': unknown option '%s' (scale, range); "
		   "line ignored", w[1], w[i]);
	    return;
	}
    }
    for (j = 0; j < c->nsensors; j++)
	if (strcmp(c->sensors[j].name, sn.name) == 0) {
	    c->sensors[j] = sn;		/* a later line replaces it */
	    return;
	}
    if (c->nsensors == PP_MAXSENSORS) {
	bad(s, "more than %d sensors; line ignored", PP_MAXSENSORS);
	return;
    }
    c->sensors[c->nsensors++] = sn;
}

static void
parse_line(pp_config *c, parse_state *s, char *line)
{
    char *w[MAXWORDS];
    int n = split(line, w);
    double v, v2;
    int j;

    if (n == 0)
	return;
    if (n > MAXWORDS) {
	bad(s, "too many words; line ignored");
	return;
    }
    if (strcmp(w[0], "interval") == 0) {
	if (n != 2 || number(w[1], PP_INTERVAL_MIN, PP_INTERVAL_MAX, &v) < 0 ||
	    v != floor(v))
	    bad(s, "'interval' needs whole seconds from %d to %d; "
		   "keeping %d", PP_INTERVAL_MIN, PP_INTERVAL_MAX, c->interval);
	else
	    c->interval = (int)v;
    } else if (strcmp(w[0], "subsamples") == 0) {
	if (n == 2 && strcmp(w[1], "auto") == 0)
	    c->subsamples = PP_SUBSAMPLES_AUTO;
	else if (n != 2 || number(w[1], 1, PP_SUBSAMPLES_MAX, &v) < 0 ||
		 v != floor(v)) {
	    char was[16] = "auto";

	    if (c->subsamples != PP_SUBSAMPLES_AUTO)
		snprintf(was, sizeof(was), "%d", c->subsamples);
	    bad(s, "'subsamples' needs auto or a whole number from 1 to %d; "
		   "keeping %s", PP_SUBSAMPLES_MAX, was);
	} else
	    c->subsamples = (int)v;
    } else if (strcmp(w[0], "host") == 0) {
	if (n != 2 || strlen(w[1]) >= sizeof(c->host))
	    bad(s, "'host' needs one host specification; keeping %s", c->host);
	else
	    snprintf(c->host, sizeof(c->host), "%s", w[1]);
    } else if (strcmp(w[0], "source") == 0) {
	if (n != 2 || !pp_source_name_valid(w[1]))
	    bad(s, "'source' needs one source name or 'auto'; keeping %s",
		c->source);
	else
	    snprintf(c->source, sizeof(c->source), "%s", w[1]);
    } else if (strcmp(w[0], "max_watts") == 0) {
	if (n != 2 || number(w[1], 1, 1e7, &v) < 0)
	    bad(s, "'max_watts' needs watts from 1 to 10000000; keeping %g",
		c->max_watts);
	else
	    c->max_watts = v;
    } else if (strcmp(w[0], "model") == 0) {
	if (n == 2 && strcmp(w[1], "auto") == 0)
	    c->model = PP_MODEL_AUTO;
	else if (n == 2 && strcmp(w[1], "on") == 0)
	    c->model = PP_MODEL_ON;
	else if (n == 2 && strcmp(w[1], "off") == 0)
	    c->model = PP_MODEL_OFF;
	else if (n == 3 && number(w[1], 0, 1000, &v) == 0 &&
		 number(w[2], 0, 1000, &v2) == 0 && v2 >= v) {
	    c->model_idle = v;
	    c->model_busy = v2;
	} else
	    bad(s, "'model' needs auto, on, off, or IDLE_WATTS BUSY_WATTS per "
		   "CPU (0..1000, busy >= idle); keeping %g %g",
		c->model_idle, c->model_busy);
    } else if (strcmp(w[0], "sensor") == 0) {
	parse_sensor(c, s, w, n);
    } else if (strcmp(w[0], "state") == 0) {
	if (n != 2 || strlen(w[1]) >= sizeof(c->state) ||
	    (w[1][0] != '/' && strcmp(w[1], "none") != 0))
	    bad(s, "'state' needs an absolute file name or none; keeping %s",
		c->state[0] ? c->state : "none");
	else
	    snprintf(c->state, sizeof(c->state), "%s",
		     strcmp(w[1], "none") == 0 ? "" : w[1]);
    } else if (strcmp(w[0], "accounting") == 0) {
	if (n == 2 && strcmp(w[1], "on") == 0)
	    c->accounting = 1;
	else if (n == 2 && strcmp(w[1], "off") == 0)
	    c->accounting = 0;
	else
	    bad(s, "'accounting' needs on or off; keeping %s",
		c->accounting ? "on" : "off");
    } else if (strcmp(w[0], "aggregate_idle") == 0) {
	if (n != 2 || number(w[1], 60, 1e9, &v) < 0)
	    bad(s, "'aggregate_idle' needs seconds from 60; keeping %g",
		c->aggregate_idle);
	else
	    c->aggregate_idle = v;
    } else if (strcmp(w[0], "aggregate_limit") == 0) {
	if (n != 2 || number(w[1], 100, PP_AGG_MAX_LIMIT, &v) < 0 ||
	    v != (int)v)
	    bad(s, "'aggregate_limit' needs a whole number from 100 to %d; "
		"keeping %d", PP_AGG_MAX_LIMIT, c->aggregate_limit);
	else
	    c->aggregate_limit = (int)v;
    } else if (strcmp(w[0], "gap") == 0) {
	if (n != 2 || number(w[1], PP_GAP_MIN, PP_GAP_MAX, &v) < 0)
	    bad(s, "'gap' needs seconds from %d to %d; keeping %g",
		PP_GAP_MIN, PP_GAP_MAX, c->gap);
	else
	    c->gap = v;
    } else if (strcmp(w[0], "wrap") == 0) {
	if (n != 3 || !pp_source_name_valid(w[1]) ||
	    number(w[2], 1e-6, 1e15, &v) < 0) {
	    bad(s, "'wrap' needs SOURCE JOULES (a positive number); line ignored");
	    return;
	}
	for (j = 0; j < c->nwraps; j++)
	    if (strcmp(c->wraps[j].source, w[1]) == 0)
		break;
	if (j == PP_MAXWRAPS) {
	    bad(s, "more than %d wrap lines; line ignored", PP_MAXWRAPS);
	    return;
	}
	snprintf(c->wraps[j].source, sizeof(c->wraps[j].source), "%s", w[1]);
	c->wraps[j].range = v;
	if (j == c->nwraps)
	    c->nwraps++;
    } else {
	bad(s, "unknown keyword '%s' (interval, subsamples, host, source, "
	       "max_watts, model, sensor, wrap, accounting, aggregate_idle, "
	       "aggregate_limit, gap, state); "
	       "line ignored", w[0]);
    }
}

int
pp_config_parse(pp_config *c, const char *file, const char *text,
		pp_config_report report, void *arg)
{
    parse_state s = { file, 0, report, arg, 0 };
    const char *p = text, *nl;
    char line[1024];

    while (*p) {
	size_t len;

	s.line++;
	nl = strchr(p, '\n');
	len = nl ? (size_t)(nl - p) : strlen(p);
	if (len >= sizeof(line))
	    bad(&s, "line longer than %d characters; line ignored",
		(int)sizeof(line) - 1);
	else {
	    memcpy(line, p, len);
	    line[len] = '\0';
	    parse_line(c, &s, line);
	}
	p += len;
	if (*p == '\n')
	    p++;
    }
    return s.errors;
}

int
pp_config_load(pp_config *c, const char *path, pp_config_report report,
	       void *arg)
{
    FILE *f = fopen(path, "r");
    char *text;
    long size;
    int n;

    if (f == NULL)
	return 0;
    if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
	size > 1024 * 1024 || fseek(f, 0, SEEK_SET) < 0 ||
	(text = malloc(size + 1)) == NULL) {
	fclose(f);
	if (report)
	    report(arg, path, 0, "cannot read the file; defaults kept");
	return 1;
    }
    size = (long)fread(text, 1, size, f);
    text[size] = '\0';
    fclose(f);
    n = pp_config_parse(c, path, text, report, arg);
    free(text);
    return n;
}
