/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the configuration parser (src/config.c): every keyword,
 * and bad lines reported with their line number while defaults stay.
 */
#include "config.h"
#include "unit.h"

#include <string.h>

static char reports[4096];
static int nreports;

static void
report(void *arg, const char *file, int line, const char *message)
{
    size_t len = strlen(reports);
    (void)arg;
    nreports++;
    snprintf(reports + len, sizeof(reports) - len, "%s:%d: %s\n", file, line,
	     message);
}

static int
parse(pp_config *c, const char *text)
{
    reports[0] = '\0';
    nreports = 0;
    pp_config_defaults(c);
    return pp_config_parse(c, "test.conf", text, report, NULL);
}

int
main(void)
{
    pp_config c;

    /* defaults */
    pp_config_defaults(&c);
    CHECK(c.interval == 10 && c.subsamples == PP_SUBSAMPLES_AUTO);
    /* auto: a gauge reading every 2 s, whatever the interval */
    CHECK(pp_config_subsamples(&c, 10) == 5);
    CHECK(pp_config_subsamples(&c, 2) == 1);
    CHECK(pp_config_subsamples(&c, 1) == 1);
    CHECK(pp_config_subsamples(&c, 3) == 2);
    CHECK(pp_config_subsamples(&c, 60) == 30);
    CHECK(pp_config_subsamples(&c, 3600) == PP_SUBSAMPLES_MAX);
    CHECK(pp_config_subsamples(&c, NAN) == 1);
    CHECK(strcmp(c.host, "local:") == 0 && strcmp(c.source, "auto") == 0);
    CHECK(c.model == PP_MODEL_AUTO);
    NEAR(c.model_idle, 0.74, 0);
    NEAR(c.model_busy, 3.5, 0);
    CHECK(c.accounting == 1);
    NEAR(c.aggregate_idle, 86400, 0);
    NEAR(c.gap, 600, 0);

    /* every keyword, with comments and blank lines */
    CHECK(parse(&c,
	"# a comment\n"
	"\n"
	"interval 5   # trailing comment\n"
	"subsamples 10\n"
	"host pmcd.example\n"
	"source rapl.psys\n"
	"max_watts 500\n"
	"model on\n"
	"model 1.5 4\n"
	"sensor mains lmsensors.power.total watts\n"
	"sensor meter meter.energy socket-1 joules scale 0.001 range 4294967.296\n"
	"wrap rapl.package-0 262143.32885\n"
	"accounting off\n"
	"aggregate_idle 3600\n"
	"gap 4.5\n") == 0);
    CHECK(c.accounting == 0);
    NEAR(c.gap, 4.5, 0);
    NEAR(c.aggregate_idle, 3600, 0);
    CHECK(nreports == 0);
    CHECK(c.interval == 5 && c.subsamples == 10);
    CHECK(pp_config_subsamples(&c, 2) == 10);	/* as configured */
    CHECK(strcmp(c.host, "pmcd.example") == 0);
    CHECK(strcmp(c.source, "rapl.psys") == 0);
    NEAR(c.max_watts, 500, 0);
    CHECK(c.model == PP_MODEL_ON);
    NEAR(c.model_idle, 1.5, 0);
    NEAR(c.model_busy, 4, 0);
    CHECK(c.nsensors == 2);
    CHECK(strcmp(c.sensors[0].name, "mains") == 0);
    CHECK(strcmp(c.sensors[0].metric, "lmsensors.power.total") == 0);
    CHECK(c.sensors[0].instance[0] == '\0');
    CHECK(c.sensors[0].unit == PP_UNIT_WATTS);
    NEAR(c.sensors[0].scale, 1, 0);
    CHECK(strcmp(c.sensors[1].instance, "socket-1") == 0);
    CHECK(c.sensors[1].unit == PP_UNIT_JOULES);
    NEAR(c.sensors[1].scale, 0.001, 0);
    NEAR(c.sensors[1].range, 4294967.296, 1e-9);
    CHECK(c.nwraps == 1 && strcmp(c.wraps[0].source, "rapl.package-0") == 0);
    NEAR(c.wraps[0].range, 262143.32885, 1e-9);

    /* bad lines: reported with file and line, defaults stay */
    CHECK(parse(&c,
	"interval 5\n"
	"interval banana\n"
	"frobnicate yes\n"
	"interval 0\n"
	"interval 3601\n"
	"interval 2.5\n"
	"subsamples 0\n"
	"max_watts -1\n"
	"model 5 1\n"
	"source bad/name\n"
	"sensor x\n"
	"sensor auto foo.bar watts\n"
	"sensor loop procpower.system.power watts\n"
	"sensor s foo.bar volts extra\n"
	"sensor s foo.bar watts scale\n"
	"wrap rapl.package-0 -3\n"
	"accounting maybe\n"
	"aggregate_idle 5\n"
	"gap 1\n"
	"gap 86401\n") == 19);
    CHECK(nreports == 19);
    CHECK(strstr(reports, "test.conf:20: 'gap' needs seconds from 2 to 86400; keeping 600") != NULL);
    CHECK(c.accounting == 1);
    NEAR(c.aggregate_idle, 86400, 0);
    CHECK(c.interval == 5);
    CHECK(c.subsamples == PP_SUBSAMPLES_AUTO);
    NEAR(c.max_watts, 10000, 0);
    NEAR(c.model_idle, 0.74, 0);
    CHECK(strcmp(c.source, "auto") == 0);
    CHECK(c.nsensors == 0 && c.nwraps == 0);
    CHECK(strstr(reports, "test.conf:2: 'interval' needs whole seconds") != NULL);
    CHECK(strstr(reports, "test.conf:3: unknown keyword 'frobnicate'") != NULL);
    CHECK(strstr(reports, "test.conf:13:") != NULL &&
	  strstr(reports, "deadlock") != NULL);
    CHECK(strstr(reports, "test.conf:16:") != NULL);
    CHECK(strstr(reports, "test.conf:1:") == NULL);

    /* the state file: an absolute path, or none */
    CHECK(parse(&c, "state /var/tmp/pp.state\n") == 0);
    CHECK(strcmp(c.state, "/var/tmp/pp.state") == 0);
    CHECK(parse(&c, "state none\n") == 0 && c.state[0] == '\0');
    CHECK(parse(&c, "state relative/file\n") == 1);

    /* a later sensor line of the same name replaces the earlier one */
    CHECK(parse(&c, "sensor a x.y watts\nsensor a x.z joules\n") == 0);
    CHECK(c.nsensors == 1 && strcmp(c.sensors[0].metric, "x.z") == 0);

    /* an over-long line is refused, not truncated into something else */
    {
	char text[2100];
	memset(text, 'x', sizeof(text));
	memcpy(text, "interval 7 #", 12);
	text[sizeof(text) - 1] = '\0';
	CHECK(parse(&c, text) == 1);
	CHECK(c.interval == 10);
    }

    /* no trailing newline, CRLF-free text, empty text */
    CHECK(parse(&c, "interval 20") == 0 && c.interval == 20);
    CHECK(parse(&c, "") == 0 && c.interval == 10);

    /* the shared value checks */
    CHECK(pp_interval_valid(1) && pp_interval_valid(3600));
    CHECK(!pp_interval_valid(0) && !pp_interval_valid(3601) && !pp_interval_valid(-1));
    CHECK(pp_source_name_valid("rapl.package-0") && pp_source_name_valid("battery-0"));
    CHECK(!pp_source_name_valid("") && !pp_source_name_valid("a b") &&
	  !pp_source_name_valid("x\"y"));

    /* subsamples: auto again, and a bad one keeps what was set */
    pp_config_defaults(&c);
    CHECK(parse(&c, "subsamples 4\nsubsamples auto\n") == 0);
    CHECK(c.subsamples == PP_SUBSAMPLES_AUTO);
    CHECK(parse(&c, "subsamples 7\nsubsamples 61\n") == 1);
    CHECK(c.subsamples == 7 && strstr(reports, "keeping 7") != NULL);
    CHECK(parse(&c, "subsamples auto\nsubsamples 1.5\n") == 1);
    CHECK(c.subsamples == PP_SUBSAMPLES_AUTO &&
	  strstr(reports, "keeping auto") != NULL);

    /* a missing file is no error and changes nothing */
    pp_config_defaults(&c);
    CHECK(pp_config_load(&c, "/nonexistent/procpower.conf", report, NULL) == 0);
    CHECK(c.interval == 10);

    if (unit_failures)
	fputs(reports, stderr);
    return unit_done("test_config");
}
