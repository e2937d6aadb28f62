#!/bin/sh
# make bench: pouch against the obvious baseline (gpg, tar) on this machine, in one run, then
# the exchange part (tests/bench/exchange.sh: pouchd against nginx with wrk, push and pull
# against curl). Prints figures; asserts nothing. BENCH_SMALL_RUNS, BENCH_BULK and
# BENCH_BIG_MB scale this part; exchange.sh names its own knobs. POUCH_BIN is the pouch binary,
# pouchd beside it.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN=${POUCH_BIN:-$SRC_DIR/build/pouch}
RUNS=${BENCH_SMALL_RUNS:-20}
BIG_MB=${BENCH_BIG_MB:-1024}
BULK=${BENCH_BULK:-200}
B=$(mktemp -d /tmp/pb.XXXXXX)
STARTED=$(date +%s)
export LC_ALL=C

stop() {
	for h in "$B/s" "$B/r"; do
		[ -d "$h/gnupg" ] && gpgconf --homedir "$h/gnupg" --kill all 2>/dev/null
	done
	rm -rf "$B"
}
trap stop EXIT
cd "$B"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
# peak RSS in MiB and elapsed seconds of a command: "seconds mib"
measure() {
	/usr/bin/time -f "%e %M" -o "$B/.t" "$@" >/dev/null 2>&1
	awk '{ printf "%.2f %.1f\n", $1, $2 / 1024 }' "$B/.t"
}
pouch() { "$POUCH_BIN" "$@"; }
g() { _h=$1; shift; gpg --homedir "$_h/gnupg" --batch --quiet --no-tty --trust-model always "$@"; }

mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//')
echo "pouch bench: $(nproc) cores, $mem, $cpu; $(gpg --version | head -1)"

pouch --home s init --agency GB-BENCH-S --name S --no-passphrase -q >/dev/null
pouch --home r init --agency GB-BENCH-R --name R --no-passphrase -q >/dev/null
pouch --home s key export -q -o s.asc && pouch --home r key export -q -o r.asc
pouch --home s partner add GB-BENCH-R --key r.asc -q >/dev/null
pouch --home r partner add GB-BENCH-S --key s.asc -q >/dev/null
S=$(pouch --home s whoami | sed -n 's/^fingerprint: *//p')
R=$(pouch --home r whoami | sed -n 's/^fingerprint: *//p')
cp "$SRC_DIR/tests/bench/report.json" report.json
head -c 20000 /dev/urandom >small.bin
mkdir -p pk base

echo
echo "small package (20 KB attachment), $RUNS runs each, seconds per run:"
t0=$(now)
i=0; while [ $i -lt $RUNS ]; do
	pouch --home s pack -q --to GB-BENCH-R --report report.json --attach small.bin -o pk >/dev/null
	i=$((i + 1)); done
t1=$(now)
# The gpg commands equivalent to one pack of FILES.
gpg_pack() {
	tar -cf base/c.tar "$@"
	g s --sign --encrypt --compress-algo none -u "$S" -r "$R" -r "$S" -o - base/c.tar \
		>base/p.pgp
	echo '{"header": 1}' >base/h.json
	g s --detach-sign -u "$S" -o - base/h.json >base/h.sig
}
i=0; while [ $i -lt $RUNS ]; do gpg_pack report.json small.bin; i=$((i + 1)); done
t2=$(now)
pkg=$(ls pk/*.pouch | head -1)
i=0; while [ $i -lt $RUNS ]; do pouch --home r verify "$pkg" >/dev/null; i=$((i + 1)); done
t3=$(now)
i=0; while [ $i -lt $RUNS ]; do g r --verify base/h.sig base/h.json 2>/dev/null; i=$((i + 1)); done
t4=$(now)
i=0; while [ $i -lt $RUNS ]; do
	rm -rf o && pouch --home r open "$pkg" -o o >/dev/null 2>&1; i=$((i + 1)); done
t5=$(now)
i=0; while [ $i -lt $RUNS ]; do
	rm -rf bo && mkdir bo && g r --decrypt base/p.pgp 2>/dev/null | tar -xf - -C bo
	i=$((i + 1)); done
t6=$(now)
row() { # name pouch-seconds gpg-seconds
	printf "  %-7s pouch %.3f s   gpg %.3f s   ratio %.2f\n" "$1" \
		"$(echo "$2 / $RUNS" | bc -l)" "$(echo "$3 / $RUNS" | bc -l)" "$(echo "$2 / $3" | bc -l)"
}
row pack "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")"
row verify "$(secs "$t2" "$t3")" "$(secs "$t3" "$t4")"
row open "$(secs "$t4" "$t5")" "$(secs "$t5" "$t6")"

echo
echo "bulk pack: $BULK small reports in one batch (pack --batch), against a shell loop of"
echo "the same gpg commands; seconds, packages per second, ratio to the loop:"
mkdir -p bulk/j1 bulk/j2
i=0; while [ $i -lt $BULK ]; do
	echo "{\"to\": \"GB-BENCH-R\", \"report\": \"$B/report.json\"}"; i=$((i + 1)); done \
	>bulk/b.jsonl
t0=$(now)
i=0; while [ $i -lt $BULK ]; do gpg_pack report.json; i=$((i + 1)); done
t1=$(now)
pouch --home s pack -q --batch bulk/b.jsonl -j 1 -o bulk/j1 >/dev/null
t2=$(now)
pouch --home s pack -q --batch bulk/b.jsonl -j 2 -o bulk/j2 >/dev/null
t3=$(now)
bulk_row() { # name seconds loop-seconds
	printf "  %-10s %7.1f s  %6.1f /s   ratio %.2f\n" "$1" "$2" "$(echo "$BULK / $2" | bc -l)" \
		"$(echo "$2 / $3" | bc -l)"
}
bulk_row "gpg loop" "$(secs "$t0" "$t1")" "$(secs "$t0" "$t1")"
bulk_row "batch -j1" "$(secs "$t1" "$t2")" "$(secs "$t0" "$t1")"
bulk_row "batch -j2" "$(secs "$t2" "$t3")" "$(secs "$t0" "$t1")"

echo
echo "large attachment ($BIG_MB MiB), one run each: MB/s and peak RSS"
head -c $((BIG_MB * 1048576)) /dev/urandom >big.bin
rm -rf pk && mkdir pk
set -- $(measure "$POUCH_BIN" --home s pack --to GB-BENCH-R --report report.json \
	--attach big.bin -o pk)
pack_s=$1 pack_m=$2
set -- $(measure gpg --homedir s/gnupg --batch --quiet --trust-model always --sign --encrypt \
	--compress-algo none -u "$S" -r "$R" -r "$S" -o base/big.pgp big.bin)
gpg_s=$1 gpg_m=$2
pkg=$(ls pk/*.pouch)
set -- $(measure "$POUCH_BIN" --home r open "$pkg" -o big-open)
open_s=$1 open_m=$2
set -- $(measure gpg --homedir r/gnupg --batch --quiet -o base/big.out --decrypt base/big.pgp)
dec_s=$1 dec_m=$2
cmp big.bin big-open/attachments/big.bin
mbs() { echo "$BIG_MB / $1" | bc -l; }
big_row() { # name pouch-seconds pouch-mib gpg-seconds gpg-mib
	printf "  %-7s pouch %6.1f MB/s (peak RSS %5.1f MiB)   gpg %6.1f MB/s (%5.1f MiB)" \
		"$1" "$(mbs "$2")" "$3" "$(mbs "$4")" "$5"
	printf "   ratio %.2f\n" "$(echo "$2 / $4" | bc -l)"
}
big_row pack "$pack_s" "$pack_m" "$gpg_s" "$gpg_m"
big_row open "$open_s" "$open_m" "$dec_s" "$dec_m"
echo "  (ratio: pouch's time over gpg's; MB = MiB here; pouch's RSS is its own process,"
echo "   the gpg and gpg-agent it runs are apart)"

POUCH_BUILD=$(cd "$(dirname "$POUCH_BIN")" && pwd) sh "$SRC_DIR/tests/bench/exchange.sh"
echo
echo "(the bench took $(($(date +%s) - STARTED)) s in all)"
