# SPDX-License-Identifier: GPL-2.0-or-later
# What the benchmarks share; sourced by bench/run, churn, calls and logger
# with HERE set to bench/.

BIN=$HERE/bin
set +u; . "${PCP_DIR:-}/etc/pcp.env"; set -u

# bench_needs NAME: root, and the agent installed and answering
bench_needs() {
    [ "$(id -u)" = 0 ] || { echo "bench/$1: run as root" >&2; exit 1; }
    pmprobe procpower.agent.cycles >/dev/null 2>&1 ||
	{ echo "bench/$1: the agent is not installed (./Install)" >&2; exit 1; }
}

# bench_build PROG [LIBS...]: bench/PROG.c into bench/bin/PROG when newer
bench_build() {
    local p=$1
    shift
    mkdir -p "$BIN"
    if [ ! -x "$BIN/$p" ] || [ "$HERE/$p.c" -nt "$BIN/$p" ]; then
	cc -O2 -Wall -o "$BIN/$p" "$HERE/$p.c" "$@" ||
	    { echo "bench: cannot build bench/bin/$p" >&2; exit 1; }
    fi
}

# the pid of a pmcd agent by its executable's path
agent_pid() {
    pgrep -f "^$1( |$)" | head -1
}

# CPU ns of all threads of a process
cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# the agent's cycles so far
cycles() { pmprobe -v procpower.agent.cycles | awk '{ print $3 }'; }

# processes on the machine
nprocs() { ls -d /proc/[0-9]* 2>/dev/null | wc -l; }
