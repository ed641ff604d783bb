# SPDX-License-Identifier: GPL-2.0-or-later
# Pick values out of "pminfo -f" output (used by qa/common.sh).
#   -v m=METRIC        the metric
#   -v want=INSTANCE   an instance name, or its number with -v byid=1;
#                      empty for a metric without instances
#   -v name=1          print the instance's name instead of its value
#   -v sum=1           print the sum of all instances' values
# Strings are printed without their quotes.  Exit status 1: not found.

function unquote(s) {
    if (s ~ /^".*"$/)
	s = substr(s, 2, length(s) - 2)
    return s
}

/^[^ \t]/ { cur = $0; next }
cur != m { next }

/^[ \t]+inst \[/ {
    rest = $0
    sub(/^[ \t]+inst \[/, "", rest)
    id = rest
    sub(/ .*/, "", id)
    nm = rest
    sub(/^[0-9]+ or "/, "", nm)
    sub(/"\] value .*$/, "", nm)
    v = rest
    sub(/^.*\] value /, "", v)
    v = unquote(v)
    if (sum) { total += v; n++; next }
    if ((byid && id == want) || (!byid && nm == want)) {
	print name ? nm : v
	found = 1
	exit 0
    }
    next
}

/^[ \t]+value / && want == "" && !sum {
    v = $0
    sub(/^[ \t]+value /, "", v)
    print unquote(v)
    found = 1
    exit 0
}

END {
    if (sum && n > 0) { printf "%.10g\n", total; exit 0 }
    exit found ? 0 : 1
}
