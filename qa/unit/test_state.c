/*
 * Unit tests of the state file (src/state.c): counters of sources,
 * aggregates and the remainder survive a save and a load with their
 * instance ids; a foreign or truncated file restores nothing wrong.
 */
#include "state.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
    char path[] = "/tmp/procpower-state-XXXXXX";
    int fd = mkstemp(path), k;
    pp_aggset aggs[PP_NAGG], back[PP_NAGG];
    pp_sources src, src2;
    double unattr = 12.5, unattr2 = 0;
    pp_state st = { aggs, &src, &unattr }, st2 = { back, &src2, &unattr2 };
    pp_agg *a;
    FILE *f;

    CHECK(fd >= 0);
    close(fd);
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_init(&aggs[k]);
	pp_aggset_init(&back[k]);
    }
    pp_sources_init(&src);
    pp_sources_init(&src2);

    pp_sources_adopt(&src, "rapl")->energy = 1234.5;
    pp_sources_adopt(&src, "battery-0")->energy = 99;
    pp_agg_get(&aggs[PP_AGG_COMMAND], "make");
    a = pp_agg_get(&aggs[PP_AGG_COMMAND], "cc1 plus");	/* a space */
    a->energy = 500.25;
    a->last_active = 1000;
    pp_agg_get(&aggs[PP_AGG_CGROUP], "/system.slice/x.service")->energy = 7;

    CHECK(pp_state_save(path, &st, 2000) == 0);
    CHECK(pp_state_load(path, &st2) == 6);
    NEAR(unattr2, 12.5, 1e-6);
    CHECK(pp_sources_find(&src2, "rapl") >= 0);
    NEAR(src2.s[pp_sources_find(&src2, "rapl")].energy, 1234.5, 1e-6);
    CHECK(src2.s[0].present == 0);	/* until a discovery finds it */
    a = pp_agg_get(&back[PP_AGG_COMMAND], "cc1 plus");
    CHECK(a->id == 1);
    NEAR(a->energy, 500.25, 1e-6);
    NEAR(a->last_active, 1000, 1e-3);
    CHECK(pp_agg_get(&back[PP_AGG_COMMAND], "make")->id == 0);
    /* new aggregates get ids after the restored ones */
    CHECK(pp_agg_get(&back[PP_AGG_COMMAND], "ld")->id >= 2);
    NEAR(pp_agg_get(&back[PP_AGG_CGROUP], "/system.slice/x.service")->energy,
	 7, 1e-6);

    /* not a state file: nothing restored */
    f = fopen(path, "w");
    fputs("hello\nsource 5 rapl\n", f);
    fclose(f);
    unattr2 = 0;
    CHECK(pp_state_load(path, &st2) == -1);
    /* a truncated last line and junk are skipped */
    f = fopen(path, "w");
    fputs("procpower-state 1 5\nunattributed 3\nagg 9 1 2 3 x\n"
	  "agg 0 1 -5 3 neg\nsource 4", f);
    fclose(f);
    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&back[k]);
	pp_aggset_init(&back[k]);
    }
    pp_sources_init(&src2);
    CHECK(pp_state_load(path, &st2) == 1);
    NEAR(unattr2, 3, 0);
    CHECK(src2.n == 0);
    CHECK(back[0].count == 0);
    /* no file: nothing, no error */
    unlink(path);
    CHECK(pp_state_load(path, &st2) == 0);
    /* an unwritable place: an error, no crash */
    CHECK(pp_state_save("/nonexistent/dir/state", &st, 1) < 0);

    for (k = 0; k < PP_NAGG; k++) {
	pp_aggset_free(&aggs[k]);
	pp_aggset_free(&back[k]);
    }
    return unit_done("test_state");
}
