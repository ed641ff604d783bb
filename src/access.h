/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may change the agent: pmcd tells the agent each client's user id
 * (from the credentials of a local connection, or an authenticated one),
 * context by context; stores are taken only from root and the agent's
 * own user (pcp).  A client pmcd could not vouch for (a TCP connection
 * without authentication) has no user id here and may not store.  Plain
 * numbers, no PCP calls.
 */
#ifndef PP_ACCESS_H
#define PP_ACCESS_H

#include <sys/types.h>

/* the users who may store, besides root */
void pp_access_init(uid_t agent_uid);

/* pmcd's word on a context: its client's user id; -1 when out of memory */
int pp_access_set_uid(int ctx, uid_t uid);

/* the client has gone */
void pp_access_end(int ctx);

/* may the client of this context change the agent? */
int pp_access_may_store(int ctx);

/* the client's user id if known (for the log), else -1 */
long pp_access_uid(int ctx);

void pp_access_free(void);

#endif /* PP_ACCESS_H */
