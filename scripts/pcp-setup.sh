# SPDX-License-Identifier: GPL-2.0-or-later
# Shell functions shared by ./Install, ./Remove and .ci/run: find PCP (its
# paths from pcp.conf, never a distribution's layout), get PCP and what the
# agent builds with where they are missing (apt-get on Debian and Ubuntu,
# dnf or yum on Fedora, RHEL and CentOS Stream), and make sure pmcd runs.
# Sourced, not run.

# pcp.conf, as pcp.env finds it
procpower_pcp_conf() {
    if [ -n "${PCP_CONF:-}" ]; then
	echo "$PCP_CONF"
    elif [ -n "${PCP_DIR:-}" ]; then
	echo "$PCP_DIR/etc/pcp.conf"
    else
	echo /etc/pcp.conf
    fi
}

# procpower_pcp_var NAME: a setting of pcp.conf (empty if there is none)
procpower_pcp_var() {
    _pp_conf=$(procpower_pcp_conf)
    [ -f "$_pp_conf" ] || return 1
    sed -n -e "s/^$1=\"*\([^\"]*\)\"*\$/\1/p" "$_pp_conf" | tail -1
}

# what is missing to build and run the agent, as words: pcp (pmcd and
# pcp.conf), pcp-devel (the PMDA headers and libraries), cc, make
procpower_missing() {
    _pp_missing=""
    if [ ! -f "$(procpower_pcp_conf)" ] || [ -z "$(procpower_pcp_var PCP_BINADM_DIR)" ] ||
       [ ! -x "$(procpower_pcp_var PCP_BINADM_DIR)/pmcd" ]; then
	_pp_missing="pcp pcp-devel"
    else
	_pp_inc=$(procpower_pcp_var PCP_INC_DIR)
	[ -f "${_pp_inc:-/usr/include/pcp}/pmda.h" ] || _pp_missing="pcp-devel"
    fi
    command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 ||
	_pp_missing="$_pp_missing cc"
    command -v make >/dev/null 2>&1 || _pp_missing="$_pp_missing make"
    echo $_pp_missing
}

# the package manager of this machine: apt-get, dnf, yum, or none
procpower_package_manager() {
    for _pp_pm in apt-get dnf yum; do
	if command -v "$_pp_pm" >/dev/null 2>&1; then
	    echo "$_pp_pm"
	    return 0
	fi
    done
    echo none
}

# procpower_package_names MANAGER WORD...: the packages that give WORDs
procpower_package_names() {
    _pp_pm=$1
    shift
    _pp_names=""
    for _pp_w in "$@"; do
	case $_pp_pm:$_pp_w in
	apt-get:pcp) _pp_names="$_pp_names pcp" ;;
	apt-get:pcp-devel) _pp_names="$_pp_names libpcp3-dev libpcp-pmda3-dev" ;;
	apt-get:cc) _pp_names="$_pp_names gcc" ;;
	dnf:pcp|yum:pcp) _pp_names="$_pp_names pcp" ;;
	dnf:pcp-devel|yum:pcp-devel) _pp_names="$_pp_names pcp-libs-devel" ;;
	*:cc) _pp_names="$_pp_names gcc" ;;
	*) _pp_names="$_pp_names $_pp_w" ;;
	esac
    done
    echo $_pp_names
}

# a directory holding a no-op systemctl: Debian's pcp package's postinst
# calls systemctl, which fails where systemd is not PID 1 (containers, CI)
_procpower_fake_systemctl() {
    _pp_fake=$(mktemp -d /tmp/procpower-systemctl.XXXXXX) || return 1
    printf '#!/bin/sh\nexit 0\n' > "$_pp_fake/systemctl"
    chmod 755 "$_pp_fake/systemctl"
    echo "$_pp_fake"
}

_procpower_systemd_pid1() {
    [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

PROCPOWER_APT_LOG=/tmp/procpower-apt.log

# procpower_install_packages NAME...: install packages of this machine's
# package manager; 1 (with what to do) if that cannot be done
procpower_install_packages() {
    _pp_pm=$(procpower_package_manager)
    case $_pp_pm in
    apt-get)
	_pp_fake=""
	_pp_dpkgpath=/usr/sbin:/usr/bin:/sbin:/bin
	if ! _procpower_systemd_pid1; then
	    _pp_fake=$(_procpower_fake_systemctl) || return 1
	    _pp_dpkgpath=$_pp_fake:$_pp_dpkgpath
	fi
	# apt sets PATH for dpkg from DPkg::Path, so the fake goes in there
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$PROCPOWER_APT_LOG" 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    -o DPkg::Path="$_pp_dpkgpath" "$@" >>"$PROCPOWER_APT_LOG" 2>&1
	_pp_sts=$?
	if [ $_pp_sts != 0 ]; then
	    # a half-configured pcp from an earlier attempt: configure it again
	    PATH=$_pp_dpkgpath dpkg --configure -a >>"$PROCPOWER_APT_LOG" 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-o DPkg::Path="$_pp_dpkgpath" "$@" >>"$PROCPOWER_APT_LOG" 2>&1
	    _pp_sts=$?
	fi
	[ -n "$_pp_fake" ] && rm -rf "$_pp_fake"
	;;
    dnf|yum)
	"$_pp_pm" install -y "$@" >"$PROCPOWER_APT_LOG" 2>&1
	_pp_sts=$?
	;;
    *)
	echo "No package manager (apt-get, dnf or yum) to install: $*" >&2
	return 1
	;;
    esac
    if [ $_pp_sts != 0 ]; then
	echo "Installing $* with $_pp_pm failed; see $PROCPOWER_APT_LOG:" >&2
	tail -5 "$PROCPOWER_APT_LOG" >&2
	return 1
    fi
    return 0
}

# PCP, its PMDA headers and libraries, a compiler and make: installed with
# the machine's package manager when missing; where there is none, says
# exactly what to install and returns 1
procpower_packages() {
    _pp_need=$(procpower_missing)
    [ -z "$_pp_need" ] && return 0
    _pp_pm=$(procpower_package_manager)
    if [ "$_pp_pm" = none ]; then
	echo "Missing:" >&2
	for _pp_w in $_pp_need; do
	    case $_pp_w in
	    pcp) echo "  PCP itself (pmcd and $(procpower_pcp_conf)): the package pcp, or https://pcp.io" >&2 ;;
	    pcp-devel) echo "  PCP's PMDA headers and libraries (pmda.h, libpcp_pmda): libpcp-pmda3-dev (Debian, Ubuntu), pcp-libs-devel (Fedora, RHEL)" >&2 ;;
	    cc) echo "  a C compiler (gcc or cc)" >&2 ;;
	    make) echo "  make" >&2 ;;
	    esac
	done
	echo "No package manager (apt-get, dnf or yum) was found to install them: install them, then run this again." >&2
	return 1
    fi
    _pp_pkgs=$(procpower_package_names "$_pp_pm" $_pp_need)
    echo "Installing packages ($_pp_pm): $_pp_pkgs"
    procpower_install_packages $_pp_pkgs || return 1
    # Fedora and RHEL package pmda-denki on its own: take it where it exists
    case $_pp_pm in
    dnf|yum)
	"$_pp_pm" install -y pcp-pmda-denki >>"$PROCPOWER_APT_LOG" 2>&1 || :
	;;
    esac
    _pp_need=$(procpower_missing)
    if [ -n "$_pp_need" ]; then
	echo "Still missing after installing $_pp_pkgs: $_pp_need" >&2
	return 1
    fi
    return 0
}

# start pmcd: with systemd where it is PID 1, else PCP's rc script (from
# PCP_RC_DIR), with the standard PATH its Python agents need
procpower_pmcd_start() {
    if _procpower_systemd_pid1; then
	systemctl start pmcd
    else
	_pp_rc=$(procpower_pcp_var PCP_RC_DIR)
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${_pp_rc:-/etc/init.d}/pmcd" start >/dev/null 2>&1
    fi
}

# start pmcd if it is not answering
procpower_pmcd_running() {
    if pmprobe pmcd.version >/dev/null 2>&1; then
	return 0
    fi
    echo "Starting pmcd ..."
    procpower_pmcd_start
    _pp_tries=30
    while [ $_pp_tries -gt 0 ]; do
	pmprobe pmcd.version >/dev/null 2>&1 && return 0
	sleep 1
	_pp_tries=$((_pp_tries - 1))
    done
    echo "pmcd does not answer; see \$PCP_LOG_DIR/pmcd/pmcd.log" >&2
    return 1
}
