# Sourced by bench.sh and exchange.sh: the knobs, timing a command in turn with its baseline,
# and printing a figure beside its target. Needs BENCH_TMP, a scratch directory for its files.
#
# BENCH_QUICK=1 scales every count down (a check that the bench runs to the end, in a few
# minutes; its figures mean little). A knob given in the environment wins over either default.

# knob NAME FULL QUICK: the value of the environment variable NAME when set and not empty, else
# FULL, or QUICK with BENCH_QUICK=1.
knob() {
	eval "_kv=\${$1:-}"
	if [ -z "$_kv" ]; then
		if [ "${BENCH_QUICK:-0}" = 1 ]; then _kv=$3; else _kv=$2; fi
	fi
	echo "$_kv"
}

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
mib() { echo "$1 / 1024" | bc -l; }
# counted N WORD: "1 run", "3 runs" (WORD's plural with an s).
counted() { if [ "$1" = 1 ]; then echo "1 $2"; else echo "$1 $2s"; fi; }

# load: the load averages over 1, 5 and 15 minutes (the machine may be shared: absolute times
# drift with it, which is why every figure is timed in turn with its baseline).
load() { cut -d' ' -f1-3 /proc/loadavg; }

# lap TIMES COMMAND...: runs COMMAND (its output discarded, its errors shown when it fails) and
# appends its start and end times to the file TIMES; returns COMMAND's status.
lap() {
	_lf=$1
	shift
	_l0=$(now)
	"$@" >/dev/null 2>"$BENCH_TMP/.lap.err" && _ls=0 || _ls=$?
	echo "$_l0 $(now)" >>"$_lf"
	[ "$_ls" = 0 ] || { echo "bench: failed ($_ls): $*" >&2; cat "$BENCH_TMP/.lap.err" >&2; }
	return "$_ls"
}

# rss KIB-FILE COMMAND...: runs COMMAND under /usr/bin/time, appending its peak resident set
# in KiB to KIB-FILE: the largest of the process and the children it waited for (the gpg it
# runs; not gpg-agent, which is no child of it).
rss() {
	_rf=$1
	shift
	/usr/bin/time -a -f %M -o "$_rf" "$@"
}

# median TIMES / total TIMES: the median and the sum of the seconds in a lap file.
median() {
	awk '{ print $2 - $1 }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.6f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
total() { awk '{ t += $2 - $1 } END { printf "%.6f\n", t }' "$1"; }
# peak KIB-FILE: the largest figure in it, in MiB.
peak() { awk '$1 > m { m = $1 } END { printf "%.1f\n", m / 1024 }' "$1"; }
# ratio A B: A / B, two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0) ? a / b : 0 }'; }

# target VALUE OP LIMIT: "(target OP LIMIT: met)" or "...: missed)"; OP is <=, >=, < or >.
target() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		ok = op == "<=" ? v <= t : op == ">=" ? v >= t : op == "<" ? v < t : v > t
		printf "(target %s %s: %s)", op, t, ok ? "met" : "missed" }'
}

# machine: one line on the machine and its load, printed at the start and at the end.
machine() {
	echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' \
		/proc/meminfo), $(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo |
		sed 's/^ *//')"
}
