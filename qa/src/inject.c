/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inject [-p SECONDS] [-t SECONDS] ACTION...
 *
 * Drive files of a fake sysfs tree (pmda-denki -r ROOT) so that the agent
 * sees power flow.  Every period (-p, default 0.1 s) each file is rewritten
 * atomically (written beside it, then renamed over it) with an integer:
 *
 *   rate FILE PER_SECOND       the number in FILE grows by PER_SECOND every
 *                              second (negative: shrinks), from the value the
 *                              file held at start; energy_uj at W watts is
 *                              "rate FILE W*1000000"
 *   wrap FILE PER_SECOND MAX   the same, modulo MAX (a RAPL counter wrapping
 *                              at max_energy_range_uj)
 *   cycle FILE V1,V2,...       V1, V2, ... in turn, one each period
 *
 * Runs until killed, or for -t SECONDS (default 900) at most.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXFILES	16
#define MAXVALUES	16

typedef struct {
    const char	*path;
    int		cycle;		/* 1: cycle through values[], 0: rate */
    double	rate;		/* per second */
    long long	start;		/* value at start */
    long long	modulo;		/* 0: none */
    long long	values[MAXVALUES];
    int		nvalues;
} target;

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
usage(void)
{
    fprintf(stderr, "Usage: inject [-p SECONDS] [-t SECONDS] "
	    "{rate FILE PER_SECOND | wrap FILE PER_SECOND MAX | "
	    "cycle FILE V1,V2,...}...\n");
    exit(2);
}

static double
number(const char *arg)
{
    char *end;
    double v = strtod(arg, &end);

    if (end == arg || *end != '\0' || !isfinite(v)) {
	fprintf(stderr, "inject: \"%s\" is not a number\n", arg);
	exit(2);
    }
    return v;
}

static long long
read_value(const char *path)
{
    FILE *f = fopen(path, "r");
    long long v = 0;

    if (f == NULL || fscanf(f, "%lld", &v) != 1) {
	fprintf(stderr, "inject: cannot read a number from %s: %s\n", path,
		f ? "bad contents" : strerror(errno));
	exit(1);
    }
    fclose(f);
    return v;
}

static void
write_value(const char *path, long long v)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.inject-tmp", path);
    if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%lld\n", v) < 0 ||
	fclose(f) != 0 || rename(tmp, path) < 0) {
	fprintf(stderr, "inject: cannot write %s: %s\n", path, strerror(errno));
	exit(1);
    }
}

static int
parse_values(target *t, char *list)
{
    char *tok;

    for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
	if (t->nvalues == MAXVALUES)
	    return -1;
	t->values[t->nvalues++] = llround(number(tok));
    }
    return t->nvalues > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    target targets[MAXFILES];
    double period = 0.1, limit = 900, t0, t;
    int c, i, n = 0;
    long tick;

    while ((c = getopt(argc, argv, "+p:t:")) != -1) {
	if (c == 'p')
	    period = number(optarg);
	else if (c == 't')
	    limit = number(optarg);
	else
	    usage();
    }
    if (!(period > 0) || optind == argc)
	usage();
    for (i = optind; i < argc; n++) {
	target *tg = &targets[n];

	if (n == MAXFILES || i + 2 >= argc)
	    usage();
	memset(tg, 0, sizeof(*tg));
	tg->path = argv[i + 1];
	if (strcmp(argv[i], "rate") == 0 || strcmp(argv[i], "wrap") == 0) {
	    int wrap = argv[i][0] == 'w';
	    if (wrap && i + 3 >= argc)
		usage();
	    tg->rate = number(argv[i + 2]);
	    tg->start = read_value(tg->path);
	    if (wrap && (tg->modulo = llround(number(argv[i + 3]))) <= 0)
		usage();
	    i += wrap ? 4 : 3;
	} else if (strcmp(argv[i], "cycle") == 0) {
	    tg->cycle = 1;
	    if (parse_values(tg, argv[i + 2]) < 0)
		usage();
	    i += 3;
	} else
	    usage();
    }

    t0 = now();
    for (tick = 0; (t = now()) - t0 < limit; tick++) {
	for (i = 0; i < n; i++) {
	    target *tg = &targets[i];
	    long long v;

	    if (tg->cycle)
		v = tg->values[tick % tg->nvalues];
	    else {
		v = tg->start + llround(tg->rate * (t - t0));
		if (tg->modulo)
		    v = ((v % tg->modulo) + tg->modulo) % tg->modulo;
	    }
	    write_value(tg->path, v);
	}
	/* the next tick on the period's grid, whatever writing cost */
	t = t0 + (tick + 1) * period - now();
	if (t > 0) {
	    struct timespec ts = { (time_t)t, (long)((t - (long)t) * 1e9) };
	    nanosleep(&ts, NULL);
	}
    }
    return 0;
}
