# SPDX-License-Identifier: GPL-2.0-or-later
# Shell functions shared by ./Install and .ci/run: get PCP and its
# development files onto a Debian machine and make sure pmcd runs.
# Sourced, not run.

PROCPOWER_PACKAGES="pcp libpcp3-dev libpcp-pmda3-dev make gcc"

# a directory holding a no-op systemctl: the pcp package's postinst calls
# systemctl, which fails where systemd is not PID 1 (containers, CI VMs)
_procpower_fake_systemctl() {
    _pp_fake=$(mktemp -d /tmp/procpower-systemctl.XXXXXX) || return 1
    printf '#!/bin/sh\nexit 0\n' > "$_pp_fake/systemctl"
    chmod 755 "$_pp_fake/systemctl"
    echo "$_pp_fake"
}

_procpower_systemd_pid1() {
    [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

procpower_packages() {
    missing=""
    for p in $PROCPOWER_PACKAGES
    do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "Installing packages:$missing"
    if ! command -v apt-get >/dev/null 2>&1
    then
	echo "No apt-get: install$missing by hand, then run this again" >&2
	return 1
    fi
    fake=""
    dpkgpath=/usr/sbin:/usr/bin:/sbin:/bin
    if ! _procpower_systemd_pid1
    then
	fake=$(_procpower_fake_systemctl) || return 1
	dpkgpath=$fake:$dpkgpath
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1
    # apt sets PATH for dpkg from DPkg::Path, so the fake goes in there
    apt-get install -y -qq -o DPkg::Path="$dpkgpath" $missing >/tmp/procpower-apt.log 2>&1
    sts=$?
    if [ $sts != 0 ]
    then
	# a half-configured pcp from an earlier attempt: configure it again
	PATH=$dpkgpath dpkg --configure -a >>/tmp/procpower-apt.log 2>&1 && \
	apt-get install -y -qq -o DPkg::Path="$dpkgpath" $missing >>/tmp/procpower-apt.log 2>&1
	sts=$?
    fi
    [ -n "$fake" ] && rm -rf "$fake"
    if [ $sts != 0 ]
    then
	echo "Package installation failed; see /tmp/procpower-apt.log" >&2
	tail -5 /tmp/procpower-apt.log >&2
	return 1
    fi
    return 0
}

# start pmcd if it is not answering, with the standard PATH its Python
# agents need
procpower_pmcd_running() {
    if pmprobe pmcd.version >/dev/null 2>&1
    then
	return 0
    fi
    echo "Starting pmcd ..."
    if _procpower_systemd_pid1
    then
	systemctl start pmcd
    else
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /etc/init.d/pmcd start >/dev/null 2>&1
    fi
    tries=30
    while [ $tries -gt 0 ]
    do
	pmprobe pmcd.version >/dev/null 2>&1 && return 0
	sleep 1
	tries=$((tries - 1))
    done
    echo "pmcd does not answer; see \$PCP_LOG_DIR/pmcd/pmcd.log" >&2
    return 1
}
