/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-context credentials; see access.h.
 */
#include "access.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CONTEXTS	(1 << 20)	/* pmcd's context numbers are small */

typedef struct {
    int		known;
    uid_t	uid;
} client;

static client	*clients;
static size_t	nclients;
static uid_t	agent;

void
pp_access_init(uid_t agent_uid)
{
    agent = agent_uid;
}

int
pp_access_set_uid(int ctx, uid_t uid)
{
    if (ctx < 0 || ctx >= MAX_CONTEXTS)
	return -1;
    if ((size_t)ctx >= nclients) {
	size_t n = (size_t)ctx * 2 + 16;
	client *v = realloc(clients, n * sizeof(*v));
	if (v == NULL)
	    return -1;
	memset(v + nclients, 0, (n - nclients) * sizeof(*v));
	clients = v;
	nclients = n;
    }
    clients[ctx].known = 1;
    clients[ctx].uid = uid;
    return 0;
}

void
pp_access_end(int ctx)
{
    if (ctx >= 0 && (size_t)ctx < nclients)
	clients[ctx].known = 0;
}

long
pp_access_uid(int ctx)
{
    if (ctx < 0 || (size_t)ctx >= nclients || !clients[ctx].known)
	return -1;
    return (long)clients[ctx].uid;
}

int
pp_access_may_store(int ctx)
{
    long uid = pp_access_uid(ctx);

    return uid == 0 || (uid > 0 && (uid_t)uid == agent);
}

void
pp_access_free(void)
{
    free(clients);
    clients = NULL;
    nclients = 0;
}
