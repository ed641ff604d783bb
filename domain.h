/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Performance Metrics Domain Number for the procpower PMDA,
 * taken from the end-user range 385-510 of $PCP_VAR_DIR/pmns/stdpmid.
 */
#define PROCPOWER 470
