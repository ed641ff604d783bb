/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inject [-p SECONDS] [-t SECONDS] ACTION...
 *
 * Drive files of a fake sysfs tree (pmda-denki -r ROOT) so that the agent
 * sees power flow.  Every period (-p, default 0.02 s) each file is rewritten
 * atomically (written beside it, then renamed over it) with an integer:
 *
 *   rate FILE PER_SECOND       the number in FILE grows by PER_SECOND every
 *                              second (negative: shrinks), from the value the
 *                              file held at start; energy_uj at W watts is
 *                              "rate FILE W*1000000"
 *   wrap FILE PER_SECOND MAX   the same, modulo MAX (a RAPL counter wrapping
 *                              at max_energy_range_uj)
 *   busy FILE PER_CPU_SECOND   the number grows by PER_CPU_SECOND for each
 *                              second of CPU time the machine is busy for
 *                              (/proc/stat: user, nice, system, irq,
 *                              softirq): energy_uj of a machine drawing W
 *                              watts per busy CPU and nothing idle, so
 *                              that every interval's energy is in
 *                              proportion to its busy time
 *   cycle FILE V1,V2,...       V1, V2, ... in turn, one each period
 *   msr FILE REGISTER WATTS    an MSR device file (qa/mkroot's msr): the
 *                              32-bit energy count at byte offset REGISTER
 *                              (0x611 package, 0x639 cores, 0x641 uncore,
 *                              0x619 dram, 0x64d psys) grows at WATTS, in
 *                              the energy unit its 0x606 register gives,
 *                              wrapping at 2^32 as the hardware's does;
 *                              the file is written whole, then renamed
 *
 * Runs until killed, or for -t SECONDS (default 900) at most.
 *
 * A hardware counter is never stale, and a file that fell behind and then
 * caught up would read as a spike that the agent did not make: inject runs
 * at a real-time priority where it may (root), and says on stderr when
 * two writes were more than 50 ms further apart than the period all the
 * same.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXFILES	16
#define MAXVALUES	16
#define MSR_SIZE	4096
#define MSR_UNIT	0x606

typedef struct {
    const char	*path;
    int		cycle;		/* 1: cycle through values[], 0: rate */
    int		busy;		/* rate per busy CPU second (busy) */
    double	rate;		/* per second */
    long long	start;		/* value at start */
    long long	modulo;		/* 0: none */
    long long	values[MAXVALUES];
    int		nvalues;
    long	reg;		/* msr: the register's offset, else -1 */
    double	unit;		/* msr: joules per count */
} target;

/* an MSR device file, written whole with every register it holds */
typedef struct {
    const char	*path;
    unsigned char buf[MSR_SIZE];
    size_t	len;
} msrfile;

static msrfile	msrs[MAXFILES];
static int	nmsrs;

/* CPU seconds the machine has been busy for (/proc/stat's first line) */
static double
busy_seconds(void)
{
    static long hz;
    unsigned long long v[7] = { 0 };
    FILE *f = fopen("/proc/stat", "r");

    if (hz == 0 && (hz = sysconf(_SC_CLK_TCK)) <= 0)
	hz = 100;
    if (f == NULL || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu",
			    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			    &v[6]) != 7) {
	fprintf(stderr, "inject: cannot read /proc/stat\n");
	exit(1);
    }
    fclose(f);
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
}

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
	    "busy FILE PER_CPU_SECOND | "
	    "cycle FILE V1,V2,... | msr FILE REGISTER WATTS}...\n");
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

static msrfile *
msr_open(const char *path)
{
    msrfile *m;
    FILE *f;
    int i;

    for (i = 0; i < nmsrs; i++)
	if (strcmp(msrs[i].path, path) == 0)
	    return &msrs[i];
    m = &msrs[nmsrs++];
    m->path = path;
    if ((f = fopen(path, "r")) == NULL ||
	(m->len = fread(m->buf, 1, sizeof(m->buf), f)) < MSR_UNIT + 8) {
	fprintf(stderr, "inject: %s is not an MSR file of qa/mkroot's\n", path);
	exit(1);
    }
    fclose(f);
    return m;
}

static unsigned long long
msr_get(const msrfile *m, long reg)
{
    unsigned long long v = 0;
    int i;

    for (i = 7; i >= 0; i--)
	v = (v << 8) | m->buf[reg + i];
    return v;
}

static void
msr_put(msrfile *m, long reg, unsigned long long v)
{
    int i;

    for (i = 0; i < 8; i++, v >>= 8)
	m->buf[reg + i] = v & 0xff;
}

static void
msr_write(const msrfile *m)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.inject-tmp", m->path);
    if ((f = fopen(tmp, "w")) == NULL || fwrite(m->buf, 1, m->len, f) != m->len ||
	fclose(f) != 0 || rename(tmp, m->path) < 0) {
	fprintf(stderr, "inject: cannot write %s: %s\n", m->path, strerror(errno));
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
    double period = 0.02, limit = 900, t0, t, b0, t_write = 0;
    int c, i, n = 0, nlate = 0;
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
	tg->reg = -1;
	if (strcmp(argv[i], "msr") == 0) {
	    msrfile *m;
	    char *end;
	    if (i + 3 >= argc)
		usage();
	    m = msr_open(tg->path);
	    tg->reg = strtol(argv[i + 2], &end, 0);
	    if (*end != '\0' || tg->reg <= MSR_UNIT || tg->reg + 8 > (long)m->len)
		usage();
	    tg->unit = pow(0.5, (double)((msr_get(m, MSR_UNIT) >> 8) & 0x1f));
	    tg->rate = number(argv[i + 3]) / tg->unit;
	    tg->start = (long long)(msr_get(m, tg->reg) & 0xffffffffULL);
	    i += 4;
	} else if (strcmp(argv[i], "rate") == 0 || strcmp(argv[i], "wrap") == 0) {
	    int wrap = argv[i][0] == 'w';
	    if (wrap && i + 3 >= argc)
		usage();
	    tg->rate = number(argv[i + 2]);
	    tg->start = read_value(tg->path);
	    if (wrap && (tg->modulo = llround(number(argv[i + 3]))) <= 0)
		usage();
	    i += wrap ? 4 : 3;
	} else if (strcmp(argv[i], "busy") == 0) {
	    tg->busy = 1;
	    tg->rate = number(argv[i + 2]);
	    tg->start = read_value(tg->path);
	    i += 3;
	} else if (strcmp(argv[i], "cycle") == 0) {
	    tg->cycle = 1;
	    if (parse_values(tg, argv[i + 2]) < 0)
		usage();
	    i += 3;
	} else
	    usage();
    }

    {
	/* a little above every normal task; it sleeps between writes */
	struct sched_param sp = { .sched_priority = 1 };
	(void)sched_setscheduler(0, SCHED_FIFO, &sp);
    }
    t0 = now();
    b0 = busy_seconds();
    for (tick = 0; (t = now()) - t0 < limit; tick++) {
	double b = busy_seconds() - b0;

	if (tick > 0 && t - t_write > period + 0.05 && nlate++ < 20)
	    fprintf(stderr, "inject: no write for %.0f ms (%.1f s in)\n",
		    (t - t_write) * 1000, t - t0);
	t_write = t;

	for (i = 0; i < n; i++) {
	    target *tg = &targets[i];
	    long long v;

	    if (tg->busy)
		v = tg->start + llround(tg->rate * b);
	    else if (tg->cycle)
		v = tg->values[tick % tg->nvalues];
	    else {
		v = tg->start + llround(tg->rate * (t - t0));
		if (tg->modulo)
		    v = ((v % tg->modulo) + tg->modulo) % tg->modulo;
	    }
	    if (tg->reg >= 0)
		msr_put(msr_open(tg->path), tg->reg, (unsigned long long)v & 0xffffffffULL);
	    else
		write_value(tg->path, v);
	}
	for (i = 0; i < nmsrs; i++)
	    msr_write(&msrs[i]);
	/* the next tick on the period's grid, whatever writing cost */
	t = t0 + (tick + 1) * period - now();
	if (t > 0) {
	    struct timespec ts = { (time_t)t, (long)((t - (long)t) * 1e9) };
	    nanosleep(&ts, NULL);
	}
    }
    return 0;
}
