#!/bin/sh
# make bench: pouch against the obvious baseline (gpg, tar) on this machine, in one run, then
# the exchange part (tests/bench/exchange.sh: pouchd against nginx with wrk, push and pull
# against curl, 8 clients at once, listing by cursor). Prints figures beside their targets;
# asserts nothing. The machine may be shared, so absolute times drift: each figure is timed in
# turn with its baseline, run after run, and the ratio is what to read; the load average is
# printed at the start and the end. POUCH_BIN is the pouch binary, pouchd beside it.
#   BENCH_QUICK=1      every count scaled down: a check that the bench runs to the end
#   BENCH_SMALL_RUNS   runs of each small-package operation (default 20)
#   BENCH_BULK         reports in the bulk pack (default 1000) ...
#   BENCH_BULK_ROUNDS  ... packed in this many rounds (default 5), each round the gpg loop,
#                      pack --batch -j1 and -j2 in turn on BENCH_BULK / BENCH_BULK_ROUNDS lines
#   BENCH_BIG_MB       the large attachment in MiB (default 200)
#   BENCH_BIG_RUNS     runs of each large-attachment operation (default 3)
# exchange.sh names its own knobs.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN=${POUCH_BIN:-$SRC_DIR/build/pouch}
BENCH_TMP=$(mktemp -d /tmp/pb.XXXXXX)
. "$SRC_DIR/tests/bench/common.sh"
RUNS=$(knob BENCH_SMALL_RUNS 20 3)
BULK=$(knob BENCH_BULK 1000 20)
BULK_ROUNDS=$(knob BENCH_BULK_ROUNDS 5 2)
BIG_MB=$(knob BENCH_BIG_MB 200 8)
BIG_RUNS=$(knob BENCH_BIG_RUNS 3 1)
B=$BENCH_TMP
STARTED=$(date +%s)
export LC_ALL=C

stop() {
	for h in "$B/s" "$B/r"; do
		[ -d "$h/gnupg" ] && gpgconf --homedir "$h/gnupg" --kill all 2>/dev/null
	done
	rm -rf "$B"
}
trap stop EXIT
trap 'exit 130' INT TERM
cd "$B"

pouch() { "$POUCH_BIN" "$@"; }
g() { _h=$1; shift; gpg --homedir "$_h/gnupg" --batch --quiet --no-tty --trust-model always "$@"; }

echo "pouch bench$([ "${BENCH_QUICK:-0}" = 1 ] && echo ' (quick: scaled down)'): $(machine);"
echo "$(gpg --version | head -1); load average at the start: $(load)"

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

# The gpg commands equivalent to one pack of FILES: the tar, one sign+encrypt, one detached
# signature of the header.
gpg_pack() {
	tar -cf base/c.tar "$@" &&
	g s --sign --encrypt --compress-algo none -u "$S" -r "$R" -r "$S" -o - base/c.tar \
		>base/p.pgp &&
	echo '{"header": 1}' >base/h.json &&
	g s --detach-sign -u "$S" -o - base/h.json >base/h.sig
}
gpg_verify() { g r --verify base/h.sig base/h.json; }
gpg_open() { rm -rf bo && mkdir bo && g r --decrypt base/p.pgp | tar -xf - -C bo; }
pouch_open() { rm -rf o && pouch --home r open "$1" -o o; }

# --- small package: pack, verify, open, each pouch and gpg in turn, run after run ------------
# One pack of each first: gpg-agent started, the files every later run uses.
pouch --home s pack -q --to GB-BENCH-R --report report.json --attach small.bin -o pk >/dev/null
gpg_pack report.json small.bin
pkg=$(ls pk/*.pouch | head -1)
i=0
while [ $i -lt "$RUNS" ]; do
	lap t.pack.p pouch --home s pack -q --to GB-BENCH-R --report report.json \
		--attach small.bin -o pk
	lap t.pack.g gpg_pack report.json small.bin
	lap t.verify.p pouch --home r verify "$pkg"
	lap t.verify.g gpg_verify
	lap t.open.p pouch_open "$pkg"
	lap t.open.g gpg_open
	i=$((i + 1))
done
# Peak RSS from one more run of each (not timed: /usr/bin/time would add its own start).
rss m.pack "$POUCH_BIN" --home s pack -q --to GB-BENCH-R --report report.json --attach small.bin \
	-o pk >/dev/null
rss m.verify "$POUCH_BIN" --home r verify "$pkg" >/dev/null 2>&1
rm -rf o && rss m.open "$POUCH_BIN" --home r open "$pkg" -o o >/dev/null 2>&1

echo
echo "small package (20 KB attachment): $(counted "$RUNS" run) of each, pouch and the gpg commands in turn;"
echo "median seconds per run, ratio pouch over gpg, pouch's peak RSS:"
row() { # name target
	_p=$(median "t.$1.p") _g=$(median "t.$1.g")
	_r=$(ratio "$_p" "$_g")
	printf "  %-7s pouch %.4f s   gpg %.4f s   ratio %5.2f %-22s  %5.1f MiB\n" "$1" "$_p" "$_g" \
		"$_r" "$(target "$_r" '<=' "$2")" "$(peak "m.$1")"
}
row pack 3
row verify 4
row open 3

# --- bulk pack: the gpg loop, pack --batch -j1 and -j2 in turn, round after round ------------
PER=$((BULK / BULK_ROUNDS))
BULK=$((PER * BULK_ROUNDS))
mkdir -p bulk
i=0
while [ $i -lt $PER ]; do
	echo "{\"to\": \"GB-BENCH-R\", \"report\": \"$B/report.json\"}"
	i=$((i + 1))
done >bulk/b.jsonl
gpg_loop() {
	_i=0
	while [ $_i -lt "$1" ]; do
		gpg_pack report.json || return 1
		_i=$((_i + 1))
	done
}
batch() { # JOBS ROUND
	mkdir "bulk/j$1-$2" &&
	rss "m.j$1" "$POUCH_BIN" --home s pack -q --batch bulk/b.jsonl -j "$1" -o "bulk/j$1-$2"
}
r=0
while [ $r -lt "$BULK_ROUNDS" ]; do
	lap t.loop gpg_loop "$PER"
	lap t.j1 batch 1 $r
	lap t.j2 batch 2 $r
	r=$((r + 1))
done
n=$(ls bulk/j1-*/*.pouch bulk/j2-*/*.pouch | wc -l)
[ "$n" -eq $((2 * BULK)) ] || { echo "bench: the batches packed $n packages, not $((2 * BULK))" >&2; exit 1; }
loop=$(total t.loop) j1=$(total t.j1) j2=$(total t.j2)

echo
echo "bulk pack of $BULK small reports (pack --batch) against a shell loop of the same gpg"
echo "commands, in $(counted "$BULK_ROUNDS" round) of $PER (each round: the loop, -j1, -j2); seconds in all,"
echo "packages per second, ratio to the loop, peak RSS:"
bulk_row() { # name seconds [target-text RSS-file]
	printf "  %-10s %7.1f s %7.1f /s   ratio %5.2f %-22s %s\n" "$1" "$2" \
		"$(echo "$BULK / $2" | bc -l)" "$(ratio "$2" "$loop")" "${3:-}" \
		"$([ -n "${4:-}" ] && echo "$(peak "$4") MiB")"
}
bulk_row "gpg loop" "$loop"
bulk_row "batch -j1" "$j1" "$(target "$(ratio "$j1" "$loop")" '<=' 1.3)" m.j1
bulk_row "batch -j2" "$j2" "" m.j2
printf "  -j2 over -j1: %.2f %s\n" "$(ratio "$j2" "$j1")" "$(target "$(ratio "$j2" "$j1")" '<' 1)"

# --- large attachment: pack and open, each pouch and gpg alone in turn -----------------------
head -c $((BIG_MB * 1048576)) /dev/urandom >big.bin
pouch_big_pack() { rm -rf pkb && mkdir pkb && rss m.bpack "$POUCH_BIN" --home s pack \
	--to GB-BENCH-R --report report.json --attach big.bin -o pkb; }
gpg_big_pack() { rss m.gpack gpg --homedir s/gnupg --batch --quiet --yes --trust-model always \
	--sign --encrypt --compress-algo none -u "$S" -r "$R" -r "$S" -o base/big.pgp big.bin; }
pouch_big_open() { rm -rf big-open && rss m.bopen "$POUCH_BIN" --home r open pkb/*.pouch \
	-o big-open; }
gpg_big_open() { rss m.gopen gpg --homedir r/gnupg --batch --quiet --yes -o base/big.out \
	--decrypt base/big.pgp; }
i=0
while [ $i -lt "$BIG_RUNS" ]; do
	lap t.bpack pouch_big_pack
	lap t.gpack gpg_big_pack
	lap t.bopen pouch_big_open
	lap t.gopen gpg_big_open
	i=$((i + 1))
done
cmp big.bin big-open/attachments/big.bin

echo
echo "large attachment ($BIG_MB MiB): $(counted "$BIG_RUNS" run) of each, pouch and gpg alone in turn;"
echo "MB/s of the median run, peak RSS (MB = MiB here):"
mbs() { echo "$BIG_MB / $1" | bc -l; }
big_row() { # name pouch-times pouch-rss gpg-times gpg-rss target
	_p=$(median "$2") _g=$(median "$4")
	_r=$(ratio "$_p" "$_g")
	printf "  %-5s pouch %6.1f MB/s (%5.1f MiB)   gpg %6.1f MB/s (%5.1f MiB)   ratio %.2f %s\n" \
		"$1" "$(mbs "$_p")" "$(peak "$3")" "$(mbs "$_g")" "$(peak "$5")" "$_r" \
		"$(target "$_r" '<=' "$6")"
}
big_row pack t.bpack m.bpack t.gpack m.gpack 1.7
big_row open t.bopen m.bopen t.gopen m.gopen 2
printf "  pouch's peak RSS stays flat: %s MiB at most %s\n" \
	"$(cat m.bpack m.bopen >m.big && peak m.big)" "$(target "$(peak m.big)" '<=' 64)"
echo "  (ratio: pouch's time over gpg's; RSS: the largest of the process and the gpg it waits"
echo "   for, gpg-agent apart)"
echo "load average after the packing: $(load)"

POUCH_BUILD=$(cd "$(dirname "$POUCH_BIN")" && pwd) sh "$SRC_DIR/tests/bench/exchange.sh"
echo
echo "(the bench took $(($(date +%s) - STARTED)) s in all; load average at the end: $(load))"
