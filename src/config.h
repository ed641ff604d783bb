/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's configuration: defaults, and the parser of procpower.conf.
 * No PCP calls; errors go to a caller-supplied reporter with line numbers.
 */
#ifndef PP_CONFIG_H
#define PP_CONFIG_H

#define PP_NAMELEN	64
#define PP_METRICLEN	256
#define PP_MAXSENSORS	16
#define PP_MAXWRAPS	32

#define PP_INTERVAL_MIN	1
#define PP_INTERVAL_MAX	3600

typedef enum { PP_UNIT_WATTS, PP_UNIT_JOULES } pp_unit;

/* a power source named by the user: one metric, maybe one instance */
typedef struct {
    char	name[PP_NAMELEN];	/* source name, e.g. "mains" */
    char	metric[PP_METRICLEN];	/* PCP metric name */
    char	instance[PP_METRICLEN];	/* instance name, "" for all/none */
    pp_unit	unit;
    double	scale;			/* multiply readings by this */
    double	range;			/* joules counters: wrap range, 0 unknown */
} pp_sensor;

typedef struct {
    char	source[PP_NAMELEN];
    double	range;			/* joules */
} pp_wrap;

typedef enum { PP_MODEL_AUTO, PP_MODEL_ON, PP_MODEL_OFF } pp_model_mode;

typedef struct {
    int		interval;		/* seconds between cycles */
    int		subsamples;		/* gauge readings per interval, or
					   PP_SUBSAMPLES_AUTO */
    char	host[PP_METRICLEN];	/* where to sample, "local:" */
    char	source[PP_NAMELEN];	/* primary source, "auto" */
    double	max_watts;		/* plausibility limit per source */
    pp_model_mode model;
    double	model_idle;		/* watts per CPU, idle */
    double	model_busy;		/* watts per CPU, fully busy */
    int		nsensors;
    pp_sensor	sensors[PP_MAXSENSORS];
    int		nwraps;
    pp_wrap	wraps[PP_MAXWRAPS];
    int		accounting;		/* keep process accounting on */
    char	state[PP_METRICLEN];	/* state file, "" none */
    double	aggregate_idle;		/* seconds before an idle aggregate goes */
    int		aggregate_limit;	/* most aggregates kept per kind */
    double	gap;			/* seconds between two readings past
					   which a source that cannot tell
					   its energy skips the interval */
} pp_config;

/* defaults; documented in README.md and pmdaprocpower.1 */
#define PP_DEFAULT_INTERVAL	10
#define PP_SUBSAMPLES_AUTO	0	/* a gauge reading every PP_GAUGE_EVERY s */
#define PP_GAUGE_EVERY		2.0
#define PP_SUBSAMPLES_MAX	60
#define PP_DEFAULT_SUBSAMPLES	PP_SUBSAMPLES_AUTO
#define PP_DEFAULT_HOST		"local:"
#define PP_DEFAULT_SOURCE	"auto"
#define PP_DEFAULT_MAX_WATTS	10000.0
#define PP_DEFAULT_MODEL_IDLE	0.74
#define PP_DEFAULT_MODEL_BUSY	3.5
#define PP_DEFAULT_AGG_IDLE	86400.0
#define PP_DEFAULT_GAP		600.0	/* longer than any interval's
					   lateness, shorter than a suspend */
#define PP_GAP_MIN		2
#define PP_GAP_MAX		86400

void pp_config_defaults(pp_config *c);

typedef void (*pp_config_report)(void *arg, const char *file, int line,
				 const char *message);

/*
 * Parse configuration text into c, which should hold the defaults.  A bad
 * line is reported and ignored: whatever it would have set keeps its
 * previous value.  Returns the number of bad lines.
 */
int pp_config_parse(pp_config *c, const char *file, const char *text,
		    pp_config_report report, void *arg);

/* read and parse a file; a missing file is not an error (returns 0) */
int pp_config_load(pp_config *c, const char *path,
		   pp_config_report report, void *arg);

/* gauge readings per interval of that many seconds: the configured
   number, or with PP_SUBSAMPLES_AUTO one every PP_GAUGE_EVERY s (what
   matters for a gauge's average is how often it is read, not how many
   times a cycle: 5 at the default 10 s, 1 at 2 s) */
int pp_config_subsamples(const pp_config *c, double interval);

/* value checks shared by the parser and pmstore */
int pp_interval_valid(long seconds);
int pp_source_name_valid(const char *name);

#endif /* PP_CONFIG_H */
