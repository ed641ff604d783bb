/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acctoff
 *
 * Turn the kernel's process accounting off (acct(NULL)), behind the back
 * of whoever turned it on: pmda-proc goes on saying it is on, and serves
 * no new exit record.  Needs root.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
    if (acct(NULL) < 0) {
	perror("acctoff: acct(NULL)");
	return 1;
    }
    return 0;
}
