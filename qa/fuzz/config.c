/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: procpower.conf's parser (src/config.c).  Whatever the
 * text, the parser returns, and what it leaves is within the ranges the
 * rest of the agent relies on.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
quiet(void *arg, const char *file, int line, const char *message)
{
    (void)arg; (void)file; (void)line; (void)message;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    pp_config c;
    int i;

    if (text == NULL)
	return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    pp_config_defaults(&c);
    pp_config_parse(&c, "fuzz", text, quiet, NULL);
    if (!pp_interval_valid(c.interval) ||
	(c.subsamples != PP_SUBSAMPLES_AUTO &&
	 (c.subsamples < 1 || c.subsamples > PP_SUBSAMPLES_MAX)) ||
	pp_config_subsamples(&c, c.interval) < 1 ||
	pp_config_subsamples(&c, c.interval) > PP_SUBSAMPLES_MAX ||
	c.nsensors < 0 || c.nsensors > PP_MAXSENSORS ||
	c.nwraps < 0 || c.nwraps > PP_MAXWRAPS ||
	!(c.max_watts > 0) || !(c.aggregate_idle >= 60) ||
	c.aggregate_limit < 100 ||
	!(c.gap >= PP_GAP_MIN && c.gap <= PP_GAP_MAX) ||
	memchr(c.host, '\0', sizeof(c.host)) == NULL ||
	memchr(c.source, '\0', sizeof(c.source)) == NULL ||
	memchr(c.state, '\0', sizeof(c.state)) == NULL)
	abort();
    for (i = 0; i < c.nsensors; i++)
	if (!pp_source_name_valid(c.sensors[i].name) || !(c.sensors[i].scale > 0))
	    abort();
    free(text);
    return 0;
}
