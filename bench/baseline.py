#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
baseline.py CYCLES OUTFILE

The design pmda-procpower replaces, for the benchmark: a Python PMAPI
client that, every cycle, fetches pid, utime and the command line of every
process and a power counter, attributes the counter's delta by each
process's share of utime, and writes the result as an OpenMetrics text
file for pmda-openmetrics to parse on every fetch.  Runs CYCLES cycles
back to back and prints its own CPU per cycle in milliseconds.
"""
import os
import resource
import sys

from pcp import pmapi
import cpmapi as c_api


def cpu_ms():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return (ru.ru_utime + ru.ru_stime) * 1000


def main():
    cycles, outfile = int(sys.argv[1]), sys.argv[2]
    ctx = pmapi.pmContext(c_api.PM_CONTEXT_HOST, "local:")
    names = ["proc.psinfo.pid", "proc.psinfo.utime", "proc.psinfo.psargs"]
    power = None
    for candidate in ("denki.rapl.rate", "denki.rapl.sysfs", "denki.rapl"):
        try:
            ctx.pmLookupName(candidate)
            power = candidate
            break
        except pmapi.pmErr:
            pass
    if power:
        names.append(power)
    pmids = ctx.pmLookupName(names)
    descs = ctx.pmLookupDescs(pmids)
    last_utime, last_energy = {}, None
    start = cpu_ms()
    for _ in range(cycles):
        result = ctx.pmFetch(pmids)
        values = []
        for i in range(3):
            col = {}
            for j in range(result.contents.get_numval(i)):
                inst = result.contents.get_inst(i, j)
                atom = ctx.pmExtractValue(result.contents.get_valfmt(i),
                                          result.contents.get_vlist(i, j),
                                          descs[i].type, descs[i].type)
                col[inst] = atom.cp.decode(errors="replace") if descs[i].type == c_api.PM_TYPE_STRING \
                    else atom.ull if descs[i].type == c_api.PM_TYPE_U64 else atom.ul
            values.append(col)
        energy = 0.0
        if power and result.contents.get_numval(3) > 0:
            for j in range(result.contents.get_numval(3)):
                atom = ctx.pmExtractValue(result.contents.get_valfmt(3),
                                          result.contents.get_vlist(3, j),
                                          descs[3].type, c_api.PM_TYPE_DOUBLE)
                energy += atom.d
        ctx.pmFreeResult(result)
        pids, utime, args = values
        delta = {p: max(0, u - last_utime.get(p, u)) for p, u in utime.items()}
        total = sum(delta.values()) or 1
        joules = energy - last_energy if last_energy is not None else 0.0
        last_utime, last_energy = utime, energy
        lines = ["# TYPE procpower_watts gauge"]
        for inst, d in delta.items():
            cmd = str(args.get(inst, "")).replace("\\", "\\\\").replace('"', '\\"')[:64]
            lines.append('procpower_watts{pid="%d",cmd="%s"} %.6f'
                         % (pids.get(inst, inst), cmd, joules * d / total))
        tmp = outfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n# EOF\n")
        os.rename(tmp, outfile)
    print("%.3f" % ((cpu_ms() - start) / cycles))


if __name__ == "__main__":
    main()
