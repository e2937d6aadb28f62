#!/bin/sh
# pouch pack --batch at its two steps that can be cut: killed after a package's record is
# written but before the package moved into place (the next run moves it: the same package,
# never a second one), a state file that cannot be written (the package is not kept: exit 3,
# the next run packs the line), a move that fails (kept, moved by the next run).
. "$(dirname "$0")/lib.sh"
need_faults

N=4

expect_success "setup: a batch of $N lines" '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	write_report r.json t && mkdir pk pk2 pk3 &&
	for i in $(seq 1 $N); do
		echo "{\"to\": \"GB-MET\", \"report\": \"r.json\"}" || return 1
	done >b.jsonl
'

expect_success 'killed between the record and the move: the next run moves that package' '
	POUCH_FAULT=batch.move:2:stop "$POUCH_BIN" --home ceop pack --batch b.jsonl -o pk -j 1 \
		>out1 2>err1 &
	pid=$! && wait_stopped $pid && kill -9 $pid && { wait $pid; true; } &&
	wait_until "flock -n pk/.batch-b.jsonl.state true" &&
	id2=$(sed -n "3s/^2 [0-9a-f]* //p" pk/.batch-b.jsonl.state) && test -n "$id2" &&
	test -f "pk/.batch-b.jsonl.stage/$id2.pouch" && test ! -e "pk/$id2.pouch" &&
	test "$(ls pk/*.pouch | wc -l)" = 1 &&
	pouch --home ceop pack --batch b.jsonl -o pk >out2 &&
	test "$(sed -n "s/^2 //p" out2)" = "$id2" && test -f "pk/$id2.pouch" &&
	test "$(ls pk/*.pouch | wc -l)" = $N && test ! -e pk/.batch-b.jsonl.stage &&
	for f in pk/*.pouch; do pouch --home met verify "$f" >/dev/null || return 1; done
'

expect_success 'a state file that cannot be written keeps no package (exit 3)' '
	POUCH_FAULT=batch.state:1 must_fail 3 pouch --home ceop pack --batch b.jsonl -o pk2 -j 1 &&
	grep -q "^pouch: line 1: cannot write batch state" err &&
	grep -q "^pouch: line $N: not packed: the batch stopped" err &&
	! grep -q "^1 " pk2/.batch-b.jsonl.state && test "$(ls pk2 | wc -l)" -le 1 &&
	pouch --home ceop pack --batch b.jsonl -o pk2 >out &&
	test "$(ls pk2/*.pouch | wc -l)" = $N && test "$(wc -l <out)" = $N
'

expect_success 'a move that fails: the package is kept and the next run moves it' '
	POUCH_FAULT=batch.move:1 must_fail 3 pouch --home ceop pack --batch b.jsonl -o pk3 -j 1 &&
	grep "^pouch: line 1: packed as [0-9a-f-]*, kept in .pk3/.batch-b.jsonl.stage." err |
		grep -q "until the next run: cannot move" &&
	id1=$(sed -n "s/^pouch: line 1: packed as \([0-9a-f-]*\),.*/\1/p" err) &&
	test ! -e "pk3/$id1.pouch" && test "$(ls pk3/*.pouch | wc -l)" = $((N - 1)) &&
	pouch --home ceop pack --batch b.jsonl -o pk3 >out &&
	test "$(sed -n "s/^1 //p" out)" = "$id1" && test "$(ls pk3/*.pouch | wc -l)" = $N
'

test_done
