# SPDX-License-Identifier: GPL-2.0-or-later
# qa/common.sh: helpers of the integration tests qa/NNN.  Sourced (bash).
#
# A test is a bash script:
#
#	#!/bin/bash
#	# NNN: what it checks
#	# timeout: 120
#	. "$(dirname "$0")/common.sh"
#	qa_needs_pcp
#	...
#	qa_exit
#
# Diagnostics go to stderr (qa/results/NNN.full); a test with a golden
# qa/NNN.out prints only what it compares on stdout.  check_* helpers
# record failures and carry on; qa_exit exits 1 if any failed.  On a
# failure the exit trap appends the agent's log tail to stderr.
# Everything a test starts or changes is undone by its exit trap: burners
# and injectors are killed, saved files are put back.

set -u

# pmcd, pmlogger and the Python agents want the standard PATH
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C

QA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$QA_DIR")
QA_BIN=$QA_DIR/bin
QA_RESULTS=${QA_RESULTS:-$QA_DIR/results}
seq=$(basename "$0")

# every path from PCP's configuration (pcp.env reads pcp.conf); the
# defaults are Debian's, for a machine without PCP
if [ -f "${PCP_DIR:-}/etc/pcp.env" ]; then
    set +u
    . "${PCP_DIR:-}/etc/pcp.env"
    set -u
fi
PCP_PMDAS_DIR=${PCP_PMDAS_DIR:-/var/lib/pcp/pmdas}
PCP_RC_DIR=${PCP_RC_DIR:-/etc/init.d}
PCP_BINADM_DIR=${PCP_BINADM_DIR:-/usr/lib/pcp/bin}
PCP_SYSCONF_DIR=${PCP_SYSCONF_DIR:-/etc/pcp}
PCP_LOG_DIR=${PCP_LOG_DIR:-/var/log/pcp}
PCP_RUN_DIR=${PCP_RUN_DIR:-/run/pcp}
PCP_PMCDCONF_PATH=${PCP_PMCDCONF_PATH:-/etc/pcp/pmcd/pmcd.conf}

PP_DIR=$PCP_PMDAS_DIR/procpower
PP_AGENT=$PP_DIR/pmdaprocpower
PP_CONF=$PP_DIR/procpower.conf
PP_LOG=$PCP_LOG_DIR/pmcd/procpower.log
PP_STATE=${PCP_VAR_DIR:-/var/lib/pcp}/config/pmda/470.state
PP_DOMAIN=470
PMCD_LOG=$PCP_LOG_DIR/pmcd/pmcd.log
DENKI_DIR=$PCP_PMDAS_DIR/denki
# pmda-denki keeps reading its root after a test ends: not under $tmp.
# In memory, as sysfs is: on a disk's file system a write (qa/bin/inject's,
# 20 ms apart) waits for the journal now and then, 75-145 ms under a
# build's writes here, and a counter that stood still that long, then
# caught up, reads as a spike no agent made (qa/matrix gives a chroot its
# own /dev/shm)
if [ -z "${QA_DENKI_ROOT:-}" ] && [ "$(id -u)" = 0 ] && [ -d /dev/shm ] &&
    [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    DENKI_ROOT=/dev/shm/procpower-qa/denki-root
    # pmda-denki reads it as root: a directory another user placed in
    # /dev/shm (anyone may create one there) is not used
    if [ -e /dev/shm/procpower-qa ] &&
	{ [ -L /dev/shm/procpower-qa ] || [ ! -d /dev/shm/procpower-qa ] ||
	  [ "$(stat -c %u%A /dev/shm/procpower-qa)" != "0drwxr-xr-x" ]; }; then
	echo "$seq: /dev/shm/procpower-qa is not root's own directory (mode 755): remove it" >&2
	exit 1
    fi
    [ -d /dev/shm/procpower-qa ] || install -d -m 755 /dev/shm/procpower-qa
else
    DENKI_ROOT=${QA_DENKI_ROOT:-/var/tmp/procpower-qa/denki-root}
fi
# the sampling interval the agent is installed with (Install's -t)
QA_INSTALL_INTERVAL=${QA_INSTALL_INTERVAL:-2}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/procpower-qa-$seq.XXXXXX")
status=0
LAST_PID=
QA_PIDS=()
QA_CLEANUPS=()

# ---- messages, results, exit ----

note() { echo "$seq: $*" >&2; }

fail() {
    echo "$seq: FAIL: $*" >&2
    status=1
}

pass() { echo "$seq: ok: $*" >&2; }

# the test cannot run here: exit 2 with the reason for the runner
notrun() {
    echo "$seq: not run: $*" >&2
    [ -n "${QA_NOTRUN_FILE:-}" ] && echo "$*" > "$QA_NOTRUN_FILE"
    exit 2
}

# give up at once (set-up failed): exit 1
die() {
    fail "$*"
    exit 1
}

qa_exit() { exit "$status"; }

# run a command at exit (last registered runs first)
qa_at_exit() { QA_CLEANUPS+=("$*"); }

_qa_cleanup() {
    local rc=$? i pid
    trap '' INT TERM
    [ $rc -ne 0 ] && [ $rc -ne 2 ] && status=1
    # the log of the agent the test saw, before a cleanup restarts it
    if [ "$status" != 0 ] && [ -f "$PP_LOG" ]; then
	echo "---- last lines of $PP_LOG ----" >&2
	tail -25 "$PP_LOG" >&2
    fi
    for pid in "${QA_PIDS[@]}"; do
	kill "$pid" 2>/dev/null
    done
    for pid in "${QA_PIDS[@]}"; do
	wait "$pid" 2>/dev/null
    done
    for ((i = ${#QA_CLEANUPS[@]} - 1; i >= 0; i--)); do
	eval "${QA_CLEANUPS[i]}" || note "cleanup failed: ${QA_CLEANUPS[i]}"
    done
    rm -rf "$tmp"
    [ $rc -eq 2 ] && exit 2
    exit "$status"
}
trap _qa_cleanup EXIT
trap 'note "interrupted"; exit 1' INT TERM HUP

# ---- preconditions ----

# root, PCP and a running pmcd (started if it does not answer)
qa_needs_pcp() {
    [ "$(id -u)" = 0 ] || notrun "needs root"
    command -v pminfo >/dev/null || notrun "PCP is not installed"
    pmcd_running || notrun "pmcd does not answer"
}

qa_needs_helpers() {
    [ -x "$QA_BIN/burner" ] && [ -x "$QA_BIN/inject" ] ||
	notrun "helpers not built: make -C qa"
}

# ---- numbers ----

# true when the awk expression holds, e.g. fcmp "$a > 2 * $b"
fcmp() { awk "BEGIN { exit !($1) }" </dev/null; }

# print the value of an awk expression, e.g. calc "($e2 - $e1) / $dt"
calc() { awk "BEGIN { printf \"%.10g\n\", $1 }" </dev/null; }

is_number() {
    [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$ ]]
}

# check_near LABEL ACTUAL EXPECTED PERCENT [ABS]: |ACTUAL - EXPECTED| is
# within PERCENT of EXPECTED plus ABS (default 0)
check_near() {
    local label=$1 actual=$2 expected=$3 pct=$4 abs=${5:-0}
    if ! is_number "$actual"; then
	fail "$label: no number (got \"$actual\"), expected $expected"
	return 1
    fi
    if fcmp "($actual - $expected) ^ 2 <= ($pct / 100 * $expected + $abs) ^ 2"; then
	pass "$label: $actual (expected $expected +/- $pct%${5:+ + $abs})"
	return 0
    fi
    fail "$label: $actual, expected $expected +/- $pct%${5:+ + $abs}"
    return 1
}

# check_power LABEL WATTS EXPECTED SECONDS [COUNTERS]: a power figure from
# one interval of SECONDS, within 5% (the injector's files are up to its
# period old, 0.02 s: 1% of a 2 s interval, the rest its own lateness)
# plus the whole joule to which pmda-denki truncates each of the COUNTERS
# (default 1) that the figure sums
check_power() {
    check_near "$1" "$2" "$3" 5 "$(calc "${5:-1} / $4")"
}

# check_eq LABEL ACTUAL EXPECTED
check_eq() {
    if [ "$2" = "$3" ]; then
	pass "$1: \"$2\""
	return 0
    fi
    fail "$1: \"$2\", expected \"$3\""
    return 1
}

# check_match LABEL TEXT REGEX (extended)
check_match() {
    if [[ "$2" =~ $3 ]]; then
	pass "$1: \"$2\""
	return 0
    fi
    fail "$1: \"$2\" does not match /$3/"
    return 1
}

# check_row LABEL ROW PID NAME: a pmrep row names the process PID with
# the proc PMDA's instance name NAME ("%06d argv0"), which pmrep cuts to
# the width of its column: the row starts with the pid and a leading part
# of NAME's command, however long the path it was started from.
check_row() {
    local label=$1 row=$2 pid=$3 name=$4 first shown
    read -r first shown _ <<<"$row"
    if [ "$first" = "$(printf '%06d' "$pid")" ] && [ -n "$shown" ] &&
	[[ "${name#* }" == "$shown"* ]]; then
	pass "$1: \"$row\""
	return 0
    fi
    fail "$label: \"$row\" is not pid $pid with (a leading part of) \"${name#* }\""
    return 1
}

# check_true LABEL COMMAND...
check_true() {
    local label=$1
    shift
    if "$@"; then
	pass "$label"
	return 0
    fi
    fail "$label"
    return 1
}

# ---- the PCP version ----

# the version of PCP that pmcd runs (7.2.2)
pcp_version() {
    pmprobe -v pmcd.version 2>/dev/null | sed -n 's/^pmcd.version 1 "\(.*\)"$/\1/p'
}

# pcp_at_least VERSION: pmcd's PCP is VERSION or later
pcp_at_least() {
    local v
    v=$(pcp_version)
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$1" "$v" | sort -V | head -1)" = "$1" ]
}

# PCP 7.2 brought units of power (PM_UNIT_POWER); before, watts and joules
# are dimensionless with a "units" label
pcp_has_power_units() { pcp_at_least 7.2.0; }

# ---- background processes ----

# start a command in the background, killed at exit; its pid in LAST_PID
qa_spawn() {
    "$@" </dev/null >/dev/null &
    LAST_PID=$!
    QA_PIDS+=("$LAST_PID")
}

qa_kill() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

burner_start() { qa_spawn "$QA_BIN/burner" "$@"; }

# inject_start [-p SECONDS] ACTION...: see qa/src/inject.c
inject_start() {
    qa_spawn "$QA_BIN/inject" "$@"
    sleep 0.2
    kill -0 "$LAST_PID" 2>/dev/null || die "inject $* did not start"
}

# ---- busy time no process can be named for ----

# machine_busy_ms: CPU ms the machine has been busy for (/proc/stat)
machine_busy_ms() {
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {
	print ($2 + $3 + $4 + $7 + $8) * 1000 / hz; exit }' /proc/stat
}

# seen_reading: the machine's busy CPU ms (/proc/stat), then the CPU ms of
# every process this /proc lists and of everything they reaped (utime,
# stime, cutime, cstime of each: a process that ended counts in its
# parent's, up to init).  Between two readings, busy time beyond the
# second line's growth is no process's that pmda-proc can list:
# interrupts, and in qa/matrix's chroots the host's processes and the
# kernel's threads, which their pid namespace hides.
seen_reading() {
    machine_busy_ms
    cat /proc/[0-9]*/stat 2>/dev/null |
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 }
	    END { print t * 1000 / hz }'
}
# unseen_pct READING1 READING2: the busy time between two seen_readings
# no process can be named for, in percent of that busy time (0 or more)
unseen_pct() {
    paste "$1" "$2" | awk 'NR == 1 { b = $2 - $1 } NR == 2 { s = $2 - $1 }
	END { u = b > 0 ? 100 * (b - s) / b : 0; print (u > 0 ? u : 0) }'
}

# records_flow_again: after pmda-proc restarted, its exit records flow
# again and the agent says so (a window measured before would miss them)
records_flow_again() {
    wait_for 90 proc_answers || die "pmda-proc does not answer"
    acct_records_flow
    wait_for 20 eval '[[ "$(pp_value procpower.agent.accounting)" == on:* ]]' ||
	note "accounting status: $(pp_value procpower.agent.accounting)"
}

# A window measured while pmda-proc restarted (7.2.2's crashes as it
# frees records, see README) measures pmda-proc, not the agent: the
# exit records it held are lost to every client.  Tests measure such a
# window again:
#   for attempt in 1 2 3; do proc_window_begin; ...; proc_window_end && break; done
# proc_window_begin: note pmda-proc's pid as a window begins (in PROC_PID)
proc_window_begin() { PROC_PID=$(agent_pid "$PCP_PMDAS_DIR/proc/pmdaproc"); }
# proc_window_same: the same pmda-proc ran through the window
proc_window_same() { [ "$(agent_pid "$PCP_PMDAS_DIR/proc/pmdaproc")" = "$PROC_PID" ]; }
# proc_window_end [WHAT]: true if the same pmda-proc ran through the window;
# else say so (WHAT: what the test does next), wait until its records
# flow again, and be false
proc_window_end() {
    proc_window_same && return 0
    note "pmda-proc restarted in the window (pid $PROC_PID gone): ${1:-measuring again}"
    records_flow_again
    return 1
}

# ---- pmcd ----

pmcd_running() {
    pmprobe pmcd.version >/dev/null 2>&1 && return 0
    note "starting pmcd"
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PCP_RC_DIR/pmcd" start >/dev/null 2>&1
    wait_for 30 pmprobe_ok pmcd.version
}

pmcd_restart() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PCP_RC_DIR/pmcd" restart \
	>"$tmp/pmcd-restart.log" 2>&1 || { cat "$tmp/pmcd-restart.log" >&2; return 1; }
    wait_for 30 pmprobe_ok pmcd.version
}

pmcd_hup() { kill -HUP "$(cat "$PCP_RUN_DIR/pmcd.pid")"; }

# pmprobe_ok METRIC: the metric has at least one value
pmprobe_ok() {
    local n
    n=$(pmprobe "$1" 2>/dev/null | awk '{ print $2 }')
    [ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null
}

# proc_answers: pmda-proc answers (pmcd starts a dead agent again on
# SIGHUP, sent here when it does not); for wait_for
proc_answers() { pmprobe_ok proc.nprocs || { pmcd_hup; return 1; }; }

# acct_keep_records: no exit record expires from pmda-proc until the test
# ends (acct.control.lifetime an hour; again after pmda-proc restarted).
# pmda-proc crashes now and then when records expire (a use-after-free in
# its acct.c, see README): a test whose own steps must not meet that
# crash keeps them; at its end they expire there and then (a fetch of the
# records makes pmda-proc let them go) and the test waits out the crash,
# if it comes, rather than the next test.  pmda-proc then keeps a single
# record per pid for the hour.
acct_keep_records() {
    if [ -z "${ACCT_LIFETIME:-}" ]; then
	# pmda-proc may be restarting (7.2.2's does, see README): wait
	wait_for 30 _acct_lifetime ||
	    die "no acct.control.lifetime from pmda-proc"
	ACCT_LIFETIME=$(cat "$tmp/acct-lifetime")
	qa_at_exit acct_expire_records
    fi
    wait_for 30 _acct_store 3600 || die "cannot store acct.control.lifetime"
}
_acct_lifetime() {
    pmprobe -v acct.control.lifetime 2>/dev/null |
	awk '$2 == 1 { print $3 }' >"$tmp/acct-lifetime"
    is_number "$(cat "$tmp/acct-lifetime")" || { proc_answers; return 1; }
}
_acct_store() {
    pmstore acct.control.lifetime "$1" >/dev/null 2>&1 || { proc_answers; return 1; }
}
acct_expire_records() {
    wait_for 30 _acct_store "$ACCT_LIFETIME" ||
	note "cannot set acct.control.lifetime back to $ACCT_LIFETIME"
    pminfo -f acct.psinfo.btime >/dev/null 2>&1
    sleep 1
    wait_for 90 proc_answers || note "pmda-proc does not answer after its records expired"
}

# acct_needs_on: process accounting on, or notrun when pmda-proc has none;
# a pmda-proc restarting (7.2.2's crashes, see README) is waited for, not
# taken for one without accounting (CI once skipped 202 so)
acct_needs_on() {
    wait_for 60 _acct_enable && return 0
    pminfo acct.control.enable_acct >/dev/null 2>&1 && proc_answers &&
	die "pmda-proc answers but acct.control.enable_acct 1 cannot be stored"
    proc_answers || die "pmda-proc does not answer"
    notrun "pmda-proc has no process accounting"
}
_acct_enable() {
    pmstore acct.control.enable_acct 1 >/dev/null 2>&1 && return 0
    proc_answers
    return 1
}

# acct_records_flow: pmda-proc serves exit records: a pmda-proc that has
# just started may serve none for a while (its accounting file is opened
# again, and 7.2's waits a minute after a failed open), and one that
# restarts meanwhile has lost the record of a process that exited before
# (CI once waited 90 s for one): a new process each try
acct_records_flow() {
    wait_for 150 _fresh_record || die "pmda-proc serves no exit records"
}
_record_of() { pminfo -f acct.psinfo.btime 2>/dev/null | grep -q "inst \[$1 "; }
_fresh_record() {
    local pid
    /bin/true & pid=$!
    wait "$pid"
    wait_for 10 _record_of "$pid"
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until COMMAND succeeds
wait_for() {
    local limit=$1 end
    shift
    end=$(( $(date +%s%N) + limit * 1000000000 ))
    until "$@"; do
	[ "$(date +%s%N)" -lt "$end" ] || return 1
	sleep 0.2
    done
    return 0
}

# the pid of a pmcd agent running EXECUTABLE (a child of pmcd or pmdaroot)
agent_pid() {
    local pmcd
    pmcd=$(cat "$PCP_RUN_DIR/pmcd.pid" 2>/dev/null) || return 1
    ps -eo pid=,ppid=,args= | awk -v exe="$1" -v pmcd="$pmcd" '
	{ parent[$1] = $2; if ($3 == exe) cand[$1] = $2 }
	END {
	    for (p in cand)
		if (cand[p] == pmcd || parent[cand[p]] == pmcd) { print p; exit 0 }
	    exit 1
	}'
}

# true while process PID exists and is not a zombie
alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ "$state" != Z* ]]
}

# restart_agent EXECUTABLE [COMMAND]: kill the agent and, once it is gone,
# run COMMAND (if any) and have pmcd start the agent again
restart_agent() {
    local exe=$1 hook=${2:-} old new
    old=$(agent_pid "$exe") || { note "no running $exe"; return 1; }
    kill "$old"
    _old_gone() { ! alive "$old"; }
    wait_for 10 _old_gone || { note "$exe ($old) does not exit"; return 1; }
    [ -n "$hook" ] && eval "$hook"
    _new_agent() {
	new=$(agent_pid "$exe") && [ "$new" != "$old" ] && return 0
	pmcd_hup 2>/dev/null
	return 1
    }
    wait_for 20 _new_agent || { note "pmcd did not restart $exe"; return 1; }
}

# ---- the procpower agent ----

pp_installed() {
    grep -q "^procpower[ 	]" "$PCP_PMCDCONF_PATH" 2>/dev/null &&
	[ -x "$PP_AGENT" ] && pminfo procpower.agent.cycles >/dev/null 2>&1
}

# ./Install from the repository, quiet unless it fails
pp_install() {
    note "installing the agent (./Install, interval $QA_INSTALL_INTERVAL s)"
    if ! (cd "$REPO_DIR" && PROCPOWER_INTERVAL=$QA_INSTALL_INTERVAL ./Install \
	      </dev/null >"$tmp/install.log" 2>&1); then
	cat "$tmp/install.log" >&2
	fail "./Install failed"
	return 1
    fi
    [ -n "${QA_INSTALL_STAMP:-}" ] && touch "$QA_INSTALL_STAMP"
    return 0
}

# install the agent once per qa/run (and whenever it is not installed)
pp_ensure_installed() {
    if [ -n "${QA_INSTALL_STAMP:-}" ] && [ -f "$QA_INSTALL_STAMP" ] && pp_installed; then
	return 0
    fi
    pp_install || die "cannot install the agent"
}

pp_cycles() {
    pmprobe -v procpower.agent.cycles 2>/dev/null |
	awk '$2 == 1 { print $3; exit 0 } { exit 1 }'
}

# wait until the agent has completed N more cycles (default 1)
pp_wait_cycles() {
    local n=${1:-1} start interval limit
    start=$(pp_cycles) || { fail "procpower.agent.cycles has no value"; return 1; }
    interval=$(pp_interval)
    limit=$(( (n + 2) * ${interval:-10} + 10 ))
    _pp_cycles_reached() {
	local c
	c=$(pp_cycles) && [ "$c" -ge $((start + n)) ]
    }
    wait_for "$limit" _pp_cycles_reached && return 0
    fail "the agent did not complete $n cycles in $limit s (cycles $start -> $(pp_cycles))"
    return 1
}

# restart the agent (configuration re-read, sources discovered again) and
# wait for its first cycle; with "clean", without its state files
pp_restart() {
    local hook=
    [ "${1:-}" = clean ] && hook="rm -f '$PP_STATE' '$PP_STATE.1'"
    restart_agent "$PP_AGENT" "$hook" || { fail "cannot restart the agent"; return 1; }
    wait_for 20 pp_cycles >/dev/null || { fail "restarted agent does not answer"; return 1; }
}

pp_interval() {
    pmprobe -v procpower.control.interval 2>/dev/null | awk '$2 == 1 { print $3 }'
}

# pp_primary_is NAME: procpower.control.source is NAME now
pp_primary_is() { [ "$(pp_value procpower.control.source)" = "$1" ]; }

pp_set_interval() {
    pmstore procpower.control.interval "$1" >/dev/null ||
	{ fail "pmstore procpower.control.interval $1 failed"; return 1; }
    [ "$(pp_interval)" = "$1" ] || { fail "interval is not $1 after pmstore"; return 1; }
}

# a fresh agent sampling every SECONDS, with two cycles done (primed, then
# one attributed interval); its state file is removed first, so that no
# counter or source of an earlier test comes back
pp_fresh_agent() {
    pp_ensure_installed
    pp_restart clean || die "no agent"
    pp_set_interval "$1" || die "cannot set the interval"
    pp_wait_cycles 2 || die "the agent does not cycle"
}

# replace procpower.conf for this test (the original comes back at exit,
# and the agent is restarted with it)
pp_write_conf() {
    pp_ensure_installed		# an Install would write its own
    if [ ! -e "$tmp/procpower.conf.saved" ]; then
	if [ -f "$PP_CONF" ]; then
	    cp -p "$PP_CONF" "$tmp/procpower.conf.saved"
	    qa_at_exit "cp -p '$tmp/procpower.conf.saved' '$PP_CONF'; pp_restart >/dev/null 2>&1"
	else
	    : > "$tmp/procpower.conf.saved"
	    qa_at_exit "rm -f '$PP_CONF'; pp_restart >/dev/null 2>&1"
	fi
    fi
    cat > "$PP_CONF"
}

# ---- reading values ----

# pp_fetch FILE METRIC...: pminfo -f of the metrics into FILE, all from
# the same snapshot of the agent (retried if a cycle ended in between)
pp_fetch() {
    local out=$1 c1 c2 try
    shift
    for try in 1 2 3 4 5; do
	c1=$(pp_cycles)
	pminfo -f "$@" >"$out" 2>&1
	c2=$(pp_cycles)
	[ -n "$c1" ] && [ "$c1" = "$c2" ] && return 0
    done
    note "pp_fetch: cycles kept changing ($c1 -> $c2)"
    return 0
}

# pp_get FILE METRIC [INSTANCE]: the value of METRIC (of its instance named
# INSTANCE) in a pp_fetch FILE; strings without their quotes
pp_get() {
    awk -v m="$2" -v want="${3-}" -v byid=0 -f "$QA_DIR/pminfo-value.awk" "$1"
}

# pp_get_id FILE METRIC ID: the value of the instance numbered ID
pp_get_id() {
    awk -v m="$2" -v want="$3" -v byid=1 -f "$QA_DIR/pminfo-value.awk" "$1"
}

# pp_instname FILE METRIC ID: the name of instance ID
pp_instname() {
    awk -v m="$2" -v want="$3" -v byid=1 -v name=1 -f "$QA_DIR/pminfo-value.awk" "$1"
}

# pp_sum FILE METRIC: the sum of all instances' values
pp_sum() {
    awk -v m="$2" -v want="" -v byid=0 -v sum=1 -f "$QA_DIR/pminfo-value.awk" "$1"
}

# pp_value METRIC [INSTANCE]: fetch one value now
pp_value() {
    pp_fetch "$tmp/value" "$1"
    pp_get "$tmp/value" "$@" && return 0
    # not there: what was, for the log
    note "pp_value: no value of $1${2:+ for \"$2\"} in:"
    cat "$tmp/value" >&2
    return 1
}

# proc_instname PID: pmda-proc's instance name for process PID, which the
# agent's must equal.  pmda-proc reads a process's command line once, when
# it first lists its pid: a process it first listed between the fork and
# the exec that started it (a shell's child, for a moment) keeps the
# shell's name there until pmda-proc restarts.  Waits for pmda-proc to
# answer (PCP 7.2.2's restarts now and then, see README).
proc_instname() {
    _proc_named() {
	pminfo -f proc.psinfo.pid >"$tmp/proc-names" 2>/dev/null &&
	    pp_instname "$tmp/proc-names" proc.psinfo.pid "$1" >"$tmp/proc-name"
    }
    wait_for 20 _proc_named "$1" && cat "$tmp/proc-name"
}

# cpu_reading PID: four lines, the CPU ms of process PID so far (utime +
# stime), the machine's busy ms (/proc/stat's user nice system irq
# softirq, as kernel.all.cpu's user nice sys intr), the CPU ms of PID's
# reaped children (cutime + cstime) and the machine's forks so far
cpu_reading() {
    local stat
    stat=$(sed 's/^.*) //' "/proc/$1/stat")
    awk -v hz="$(getconf CLK_TCK)" -v stat="$stat" 'BEGIN { split(stat, f, " ") }
	$1 == "cpu" { busy = ($2 + $3 + $4 + $7 + $8) * 1000 / hz }
	$1 == "processes" { forks = $2 }
	END { print (f[12] + f[13]) * 1000 / hz; print busy
	      print (f[14] + f[15]) * 1000 / hz; print forks }' /proc/stat
}

# cpu_share FILE1 FILE2: between two cpu_readings, the process's CPU time
# as a percentage of the machine's busy time (its first two lines)
cpu_share() {
    paste "$1" "$2" | awk 'NR == 1 { b = $2 - $1 } NR == 2 { m = $2 - $1 }
	END { print (m > 0 ? 100 * b / m : 0) }'
}

# pp_watch_source LABEL: one reading of procpower.system.energy and .power
# of the source $WATCH_SRC, kept in WATCH_E; counts in WATCH_BACK each
# time its counter went back and in WATCH_SPIKES each power above
# $WATCH_WATTS (+10% + 1 W), noting them with LABEL
WATCH_E=0 WATCH_BACK=0 WATCH_SPIKES=0
pp_watch_source() {
    local e p
    pp_fetch "$tmp/watch" procpower.system.energy procpower.system.power
    e=$(pp_get "$tmp/watch" procpower.system.energy "$WATCH_SRC")
    p=$(pp_get "$tmp/watch" procpower.system.power "$WATCH_SRC")
    if is_number "$e"; then
	fcmp "$e < $WATCH_E - 1e-6" &&
	    { WATCH_BACK=$((WATCH_BACK + 1)); note "$1: went back: $WATCH_E -> $e"; }
	WATCH_E=$e
    fi
    if is_number "$p" && fcmp "$p > $WATCH_WATTS * 1.1 + 1"; then
	WATCH_SPIKES=$((WATCH_SPIKES + 1)); note "$1: spike: $p W"
    fi
}

# ---- pmda-denki on a fake sysfs tree ----

# the denki agent's root path in pmcd.conf ("" when not installed)
denki_root_in_pmcd() {
    awk '$1 == "denki" { for (i = 1; i < NF; i++) if ($i == "-r") print $(i+1) }' \
	"$PCP_PMCDCONF_PATH"
}

# install pmda-denki with -r DENKI_ROOT (its Install must run in its
# directory)
denki_install() {
    sed "s|^args=\"-U root\"|args=\"-U root -r $DENKI_ROOT\"|" "$DENKI_DIR/Install" \
	>"$tmp/denki-install"
    grep -q -- "-r $DENKI_ROOT" "$tmp/denki-install" ||
	{ fail "cannot set args in $DENKI_DIR/Install"; return 1; }
    if ! (cd "$DENKI_DIR" && sh "$tmp/denki-install" </dev/null >"$tmp/denki.log" 2>&1); then
	cat "$tmp/denki.log" >&2
	fail "pmda-denki Install failed"
	return 1
    fi
}

denki_remove() {
    (cd "$DENKI_DIR" && ./Remove </dev/null >"$tmp/denki-remove.log" 2>&1) ||
	{ cat "$tmp/denki-remove.log" >&2; fail "pmda-denki Remove failed"; return 1; }
}

# (re)start pmda-denki on DENKI_ROOT: a restart when it already runs on
# it (it reads the tree's layout at start), else an Install
denki_start() {
    if [ "$(denki_root_in_pmcd)" = "$DENKI_ROOT" ] &&
       agent_pid "$DENKI_DIR/pmdadenki" >/dev/null; then
	restart_agent "$DENKI_DIR/pmdadenki" || denki_install
    else
	denki_install
    fi
}

# ---- the machines the tests run on ----
#
# Descriptions for qa/mkroot, which writes the sysfs tree (and MSR files)
# pmda-denki reads; a test may also give its own.

# a one-package laptop: package-0 with its core and uncore sub-domains and
# dram, a psys zone the kernel shows beside them, a battery whose level
# holds still (not discharging: on mains) and an AC adapter
MACHINE_LAPTOP='cpus 4
rapl package-0 core uncore dram
rapl psys
battery BAT0 energy_now 34710000 power_now 26439000 capacity 96 status Full
mains AC'

# a two-socket server, zones numbered by the kernel out of the packages'
# order (intel-rapl:0 is package-1), no dram, no battery
MACHINE_SERVER='cpus 32 packages 2
rapl package-1 core
rapl package-0 core'

# no RAPL: one battery with energy_now and power_now
MACHINE_BATTERY='cpus 8
battery BAT0 energy_now 52000000 power_now 4077000 capacity 80 status Discharging'

# two batteries: one whose level is charge (uAh), one energy (uWh)
MACHINE_TWO_BATTERIES='cpus 4
battery BAT0 charge_now 1523000 power_now 1576000 capacity 23
battery BAT1 energy_now 15870000 power_now 0 capacity 96
mains AC'

# a Kaby Lake laptop whose RAPL MSRs include psys (the whole platform):
# pmda-denki 6.3 and later read them (denki.rapl.msr), 6.0 does not
MACHINE_PSYS='cpus 4
rapl package-0 core uncore dram
rapl psys
msr 142
mains AC'

# pmda-denki's metrics of RAPL and batteries, every version's name
DENKI_METRICS=(denki.rapl.sysfs denki.rapl.msr denki.rapl denki.rapl.rate
    denki.bat.power_now)

# denki_has METRIC: pmda-denki exports METRIC (with values)
denki_has() { pmprobe_ok "$1"; }

# denki_machine DESCRIPTION: DENKI_ROOT is a fresh tree written by
# qa/mkroot from DESCRIPTION, and pmda-denki runs on it, exporting values
denki_machine() {
    [ -x "$DENKI_DIR/pmdadenki" ] || notrun "pmda-denki is not available"
    "$QA_DIR/mkroot" "$DENKI_ROOT" <<<"$1" || die "qa/mkroot cannot write the machine"
    denki_start || die "cannot start pmda-denki on $DENKI_ROOT"
    _denki_answers() {
	local m
	for m in "${DENKI_METRICS[@]}"; do
	    pmprobe_ok "$m" && return 0
	done
	return 1
    }
    wait_for 20 _denki_answers || die "pmda-denki exports no values from $DENKI_ROOT"
    note "pmda-denki runs on $DENKI_ROOT: $(echo "$1" | tr '\n' ';')"
}

# rapl_file ZONE_NAME [PACKAGE_DIR]: the energy_uj file of the RAPL zone
# named ZONE_NAME (package-0, core, dram ...), optionally within the zone
# directory PACKAGE_DIR (e.g. intel-rapl:1)
rapl_file() {
    local dir=$DENKI_ROOT/sys/class/powercap/intel-rapl f
    [ -n "${2:-}" ] && dir=$dir/$2
    while read -r f; do
	if [ "$(cat "$f")" = "$1" ]; then
	    echo "$(dirname "$f")/energy_uj"
	    return 0
	fi
    done < <(find "$dir" -name name | sort)
    note "no RAPL zone $1 in $dir"
    return 1
}

# msr_file [PACKAGE]: the MSR device file pmda-denki reads for a package
# (default 0): that of the package's first CPU
msr_file() {
    local f
    f=$(ls -d "$DENKI_ROOT"/dev/cpu/*/msr 2>/dev/null | sort -V | sed -n "$(( ${1:-0} + 1 ))p")
    [ -n "$f" ] || { note "no MSR file for package ${1:-0} in $DENKI_ROOT"; return 1; }
    echo "$f"
}

# the MSR energy registers, by the name pmda-denki gives their instance
msr_register() {
    case $1 in
    package) echo 0x611 ;;
    cores) echo 0x639 ;;
    uncore) echo 0x641 ;;
    dram) echo 0x619 ;;
    psys) echo 0x64d ;;
    *) return 1 ;;
    esac
}

# inject_msr [-p SECONDS] REGISTER=WATTS...: an injector making package
# 0's MSR energy counters (package, cores, uncore, dram, psys) grow at
# WATTS
inject_msr() {
    local spec reg file args=()
    if [ "${1:-}" = -p ]; then
	args=(-p "$2")
	shift 2
    fi
    file=$(msr_file) || die "no MSR file to inject into"
    for spec in "$@"; do
	reg=$(msr_register "${spec%%=*}") || die "no MSR register ${spec%%=*}"
	args+=(msr "$file" "$reg" "${spec#*=}")
    done
    inject_start "${args[@]}"
}

# the directory of the (first) battery
battery_dir() {
    local t
    for t in "$DENKI_ROOT"/sys/class/power_supply/*/type; do
	if [ "$(cat "$t" 2>/dev/null)" = Battery ]; then
	    dirname "$t"
	    return 0
	fi
    done
    note "no battery in $DENKI_ROOT"
    return 1
}

# set_file FILE VALUE: write atomically, as the injector does
set_file() {
    echo "$2" >"$1.qa-tmp" && mv "$1.qa-tmp" "$1"
}

# microwatts or microjoules per second for WATTS
uw() { awk "BEGIN { printf \"%.0f\n\", $1 * 1000000 }" </dev/null; }

# ---- logs ----

# the agent's log lines matching an extended regex
pp_log_grep() { grep -E -- "$1" "$PP_LOG" 2>/dev/null; }

# ---- power and energy checks over a window of cycles ----

# pp_window_start: wait for a cycle to end, then snapshot the agent into
# $tmp/window.start (what pp_window_end compares with)
PP_WINDOW_METRICS=(procpower.agent.cycles procpower.agent.interval
    procpower.agent.errors procpower.agent.skipped procpower.agent.status
    procpower.control.source procpower.system.power procpower.system.energy)
pp_window_start() {
    pp_wait_cycles 1
    pp_fetch "$tmp/window.start" "${PP_WINDOW_METRICS[@]}"
}

# pp_window_end CYCLES: wait CYCLES more cycles, snapshot into
# $tmp/window.end; WINDOW_SECS is the time between the two snapshots'
# cycles: cycles x interval, and an interval more for each cycle the agent
# took again at the next (pmda-proc not answering: procpower.agent.errors)
pp_window_end() {
    pp_wait_cycles "$1"
    pp_fetch "$tmp/window.end" "${PP_WINDOW_METRICS[@]}"
    pp_window_close "$tmp/window.end"
}

# pp_window_close FILE: end the window with the snapshot FILE
pp_window_close() {
    local c1 c2
    [ "$1" = "$tmp/window.end" ] || cp "$1" "$tmp/window.end"
    local e1 e2
    c1=$(pp_get "$tmp/window.start" procpower.agent.cycles)
    c2=$(pp_get "$tmp/window.end" procpower.agent.cycles)
    e1=$(pp_get "$tmp/window.start" procpower.agent.errors)
    e2=$(pp_get "$tmp/window.end" procpower.agent.errors)
    WINDOW_SECS=$(calc "($c2 - $c1 + ${e2:-0} - ${e1:-0}) * $(pp_interval)")
    note "window: cycles $c1 -> $c2, errors ${e1:-?} -> ${e2:-?}, $WINDOW_SECS s"
}

# pp_each_cycle N COMMAND...: after each of the next N cycles, snapshot
# the agent into $tmp/cycle.I (I = 1..N) and run COMMAND FILE
pp_each_cycle() {
    local n=$1 i
    shift
    for ((i = 1; i <= n; i++)); do
	pp_wait_cycles 1 || return 1
	pp_fetch "$tmp/cycle.$i" "${PP_WINDOW_METRICS[@]}"
	"$@" "$tmp/cycle.$i"
    done
}

# check_energy_rates SOURCE=WATTS...: procpower.system.energy of each
# SOURCE grew at WATTS (within 5%) over the window
check_energy_rates() {
    local spec src watts e1 e2
    for spec in "$@"; do
	src=${spec%%=*}
	watts=${spec#*=}
	e1=$(pp_get "$tmp/window.start" procpower.system.energy "$src")
	e2=$(pp_get "$tmp/window.end" procpower.system.energy "$src")
	if ! is_number "$e1" || ! is_number "$e2"; then
	    fail "energy of $src: no value (start \"$e1\", end \"$e2\")"
	    continue
	fi
	check_near "energy rate of $src over ${WINDOW_SECS}s" \
	    "$(calc "($e2 - $e1) / $WINDOW_SECS")" "$watts" 5
    done
}

# check_power_values FILE SOURCE=WATTS[/COUNTERS]...: procpower.system.power
# of each SOURCE in FILE (a pp_fetch with procpower.agent.interval) as
# check_power has it; COUNTERS: how many of pmda-denki's counters the
# source adds up (rapl=18/2: package and dram), each truncated on its own
check_power_values() {
    local file=$1 spec src watts secs
    shift
    secs=$(pp_get "$file" procpower.agent.interval)
    is_number "$secs" || { fail "no procpower.agent.interval in $file"; return 1; }
    for spec in "$@"; do
	src=${spec%%=*}
	watts=${spec#*=}
	check_power "power of $src" "$(pp_get "$file" procpower.system.power "$src")" \
	    "${watts%/*}" "$secs" "$( [[ "$watts" == */* ]] && echo "${watts#*/}")"
    done
}

# inject_rapl [-p SECONDS] [PACKAGE_DIR/]ZONE=WATTS...: start an injector
# that makes each RAPL zone's energy_uj grow at WATTS, e.g. package-0=15 or
# intel-rapl:1/core=5 (the zone "core" of the second package), rewriting
# the files every SECONDS (qa/src/inject.c's default, 0.02: a reading is
# up to that old, so a 1 s interval may see 2% more or less than WATTS)
inject_rapl() {
    local spec zone file args=()
    if [ "${1:-}" = -p ]; then
	args=(-p "$2")
	shift 2
    fi
    for spec in "$@"; do
	zone=${spec%=*}
	if [[ "$zone" == */* ]]; then
	    file=$(rapl_file "${zone#*/}" "${zone%%/*}")
	else
	    file=$(rapl_file "$zone")
	fi || die "cannot inject into $zone"
	args+=(rate "$file" "$(uw "${spec##*=}")")
    done
    inject_start "${args[@]}"
}

# ---- the agent under dbpmda, without pmcd between ----

# dbpmda_agent_conf: a procpower.conf of the test's own in $tmp, so that a
# second agent neither reads the installed configuration nor writes the
# installed agent's state file
dbpmda_agent_conf() {
    chmod 711 "$tmp"
    install -d -m 1777 "$tmp/agent"	# the agent runs as $PCP_USER
    printf 'state %s\n' "$tmp/agent/state" >"$tmp/agent.conf"
}

# dbpmda_run: dbpmda with the agent's namespace, commands from stdin
dbpmda_run() {
    # the agent's version exchange within 60 s, not dbpmda's default 3:
    # under valgrind on a loaded machine it took longer (trixie, CI)
    dbpmda -q 60 -n "$PP_DIR/root" -ie 2>&1
}

# the "open pipe" command that starts the agent (with a command such as
# valgrind in front if given): interval 1 s, the test's configuration and
# log
dbpmda_open() {
    echo "open pipe ${*:+$* }$PP_AGENT -d $PP_DOMAIN -t 1 -c $tmp/agent.conf -l $tmp/agent.log"
}
