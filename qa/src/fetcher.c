/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetcher N PREFIX: N fetches of every metric under PREFIX (all their
 * instances), one after the other through one context, as a busy client
 * (a dashboard, many pmreps) would.  Prints how many failed and the
 * slowest fetch in ms; exits 1 if any failed.
 */
#include <pcp/pmapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pmID pmids[256];
static int npmids;

static void
add(const char *name)
{
    pmID id;

    if (npmids < 256 && pmLookupName(1, &name, &id) == 1)
	pmids[npmids++] = id;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    long n, i, failed = 0;
    double worst = 0, t;
    pmResult *rp;
    int sts;

    if (argc != 3)
	return 2;
    n = atol(argv[1]);
    if ((sts = pmNewContext(PM_CONTEXT_HOST, "local:")) < 0 ||
	(sts = pmTraversePMNS(argv[2], add)) < 0) {
	fprintf(stderr, "fetcher: %s\n", pmErrStr(sts));
	return 2;
    }
    for (i = 0; i < n; i++) {
	t = now();
	if ((sts = pmFetch(npmids, pmids, &rp)) < 0) {
	    if (failed++ < 5)
		fprintf(stderr, "fetcher: fetch %ld: %s\n", i, pmErrStr(sts));
	    if (sts == PM_ERR_IPC || sts == -ECONNRESET || sts == PM_ERR_NOCONTEXT)
		break;
	    continue;
	}
	pmFreeResult(rp);
	t = now() - t;
	if (t > worst)
	    worst = t;
    }
    printf("%ld fetches of %d metrics, %ld failed, slowest %.1f ms\n",
	   i, npmids, failed, worst * 1000);
    return failed > 0;
}
