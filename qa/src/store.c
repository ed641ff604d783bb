/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store: pmStore as the tests need it, which pmstore cannot do: several
 * metrics in one store (all or nothing), a string without its NUL, and
 * many stores in a row.
 *
 *	store [-h HOST] [-n] METRIC=VALUE...	one pmStore of them all
 *	store [-h HOST] -r COUNT -i MS METRIC=VALUE...
 *		COUNT stores, each of the next METRIC=VALUE in turn, MS ms apart
 *
 * -n sends string values without their terminating NUL.  Prints the
 * error of the (last failed) store and exits 1 when one failed.
 */
#include <pcp/pmapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int nonul;

static pmValueSet *
value_set(const char *arg)
{
    char name[256], *eq = strchr(arg, '=');
    const char *names[1] = { name };
    pmValueSet *vs;
    pmAtomValue av;
    pmDesc desc;
    pmID pmid;
    int sts;

    if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
	fprintf(stderr, "store: %s is not METRIC=VALUE\n", arg);
	exit(2);
    }
    snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
    if ((sts = pmLookupName(1, names, &pmid)) < 0 ||
	(sts = pmLookupDesc(pmid, &desc)) < 0) {
	fprintf(stderr, "store: %s: %s\n", name, pmErrStr(sts));
	exit(2);
    }
    vs = calloc(1, sizeof(*vs));
    vs->pmid = pmid;
    vs->numval = 1;
    vs->vlist[0].inst = PM_IN_NULL;
    if (desc.type == PM_TYPE_STRING) {
	size_t len = strlen(eq + 1) + (nonul ? 0 : 1);
	pmValueBlock *vb = malloc(PM_VAL_HDR_SIZE + len + 8);
	memset(vb, 'x', PM_VAL_HDR_SIZE + len + 8);	/* no NUL after it */
	vb->vtype = PM_TYPE_STRING;
	vb->vlen = PM_VAL_HDR_SIZE + len;
	memcpy(vb->vbuf, eq + 1, len);
	vs->valfmt = PM_VAL_DPTR;
	vs->vlist[0].value.pval = vb;
    } else {
	av.ul = (unsigned int)strtoul(eq + 1, NULL, 10);
	vs->valfmt = PM_VAL_INSITU;	/* a 32-bit value travels in place */
	vs->vlist[0].value.lval = (int)av.ul;
    }
    return vs;
}

int
main(int argc, char **argv)
{
    const char *host = "local:";
    long count = 0, ms = 0, i;
    pmResult *rp;
    int c, n, sts, failed = 0;

    while ((c = getopt(argc, argv, "h:ni:r:")) != EOF) {
	switch (c) {
	case 'h': host = optarg; break;
	case 'n': nonul = 1; break;
	case 'i': ms = atol(optarg); break;
	case 'r': count = atol(optarg); break;
	default: return 2;
	}
    }
    n = argc - optind;
    if (n < 1)
	return 2;
    if ((sts = pmNewContext(PM_CONTEXT_HOST, host)) < 0) {
	fprintf(stderr, "store: %s: %s\n", host, pmErrStr(sts));
	return 2;
    }
    if (count == 0) {
	rp = calloc(1, sizeof(*rp) + n * sizeof(pmValueSet *));
	rp->numpmid = n;
	for (c = 0; c < n; c++)
	    rp->vset[c] = value_set(argv[optind + c]);
	if ((sts = pmStore(rp)) < 0) {
	    printf("%s\n", pmErrStr(sts));
	    return 1;
	}
	return 0;
    }
    rp = calloc(1, sizeof(*rp) + sizeof(pmValueSet *));
    rp->numpmid = 1;
    for (i = 0; i < count; i++) {
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	rp->vset[0] = value_set(argv[optind + i % n]);
	if ((sts = pmStore(rp)) < 0) {
	    printf("%s\n", pmErrStr(sts));
	    failed = 1;
	}
	free(rp->vset[0]);
	nanosleep(&ts, NULL);
    }
    return failed;
}
