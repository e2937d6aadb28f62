#!/bin/sh
# pouch pack --batch killed with kill -9 midway and run again: every line ends with exactly one
# package (none twice, none missing), no partial package is ever in the output directory, a
# changed line is packed again and an unchanged one never; -j1 and -j2 pack the same lines.
. "$(dirname "$0")/lib.sh"

N=24

# title_of FILE: the title of the report in package FILE, opened by met, and its attachments.
title_of() {
	rm -rf .opened && pouch --home met open "$1" -o .opened >/dev/null 2>&1 &&
	"$SYSTEM_PYTHON" -S -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(m["report"]["header"]["title"], *[a["name"] for a in m["attachments"]])' \
		.opened/pouch.json
}

# titles DIR: title_of every package in DIR, one per line.
titles() {
	for f in "$1"/*.pouch; do
		title_of "$f" || { echo "does not open: $f"; return 1; }
	done
}

# records DIR NAME: the line numbers of the state file's records, sorted.
records() {
	tail -n +2 "$1/.batch-$2.state" | cut -d" " -f1 | sort -n
}

expect_success "setup: a batch of $N lines, each its own inline report" '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	write_report base.json base && mkdir pk && echo attached >a.txt &&
	"$SYSTEM_PYTHON" -S - "$N" <<-\PY
	import json, sys
	r = json.load(open("base.json"))
	with open("b.jsonl", "w") as f:
	    for i in range(1, int(sys.argv[1]) + 1):
	        r["header"]["title"] = "line %d" % i
	        f.write(json.dumps({"to": "GB-MET", "report": r, "attachments": ["a.txt"]}) + "\n")
	PY
	seq 1 $N | sed "s/^/line /; s/\$/ a.txt/" >expect.titles
'

expect_success 'a batch killed with kill -9 midway leaves only whole packages' '
	"$POUCH_BIN" --home ceop pack --batch b.jsonl -o pk -j 1 >out1 2>err1 &
	pid=$! &&
	wait_until "test \$(ls pk | grep -c \"\\.pouch\$\") -ge 3" &&
	kill -9 $pid && { wait $pid; true; } &&
	wait_until "flock -n pk/.batch-b.jsonl.state true" &&
	n=$(ls pk/*.pouch | wc -l) && test "$n" -lt $N &&
	for f in pk/*.pouch; do pouch --home met verify "$f" >/dev/null || return 1; done &&
	ls -A pk | grep -v "\.pouch\$" >other &&
	printf ".batch-b.jsonl.stage\n.batch-b.jsonl.state\n" >expect && test_cmp expect other
'

expect_success 'run again: only the missing lines are packed, each line has one package' '
	pouch --home ceop pack --batch b.jsonl -o pk -j 2 >out2 &&
	seq 1 $N >expect && cut -d" " -f1 out2 >lines && test_cmp expect lines &&
	test "$(ls pk/*.pouch | wc -l)" = $N &&
	records pk b.jsonl >rec && test_cmp expect rec &&
	ls -A pk | grep -v "\.pouch\$" >other && echo .batch-b.jsonl.state >expect &&
	test_cmp expect other &&
	titles pk | sort -V >got && test_cmp expect.titles got &&
	for id in $(cut -d" " -f2 out1); do grep -q " $id\$" out2 || return 1; done
'

expect_success 'run a third time: nothing is packed' '
	ls pk >before && pouch --home ceop pack --batch b.jsonl -o pk -j 2 >out3 2>err3 &&
	test_cmp out2 out3 && ls pk >after && test_cmp before after &&
	grep -q "packed 0 lines" err3
'

expect_success 'a changed line is packed again, once; the others are not' '
	sed -i "5s/line 5/line 5, changed/" b.jsonl &&
	pouch --home ceop pack --batch b.jsonl -o pk >out4 2>err4 &&
	grep -q "line 5 changed since it was packed as $(sed -n "s/^5 //p" out2)" err4 &&
	test "$(ls pk/*.pouch | wc -l)" = $((N + 1)) &&
	diff out2 out4 | grep "^>" >new && test "$(wc -l <new)" = 1 && grep -q "^> 5 " new &&
	rm -rf .opened && pouch --home met open "pk/$(sed -n "s/^5 //p" out4).pouch" -o .opened \
		>/dev/null 2>&1 && grep -q "line 5, changed" .opened/pouch.json
'

expect_success 'on a terminal a progress line shows done/total, rate and time left' '
	mkdir tty &&
	script -qec "\"$POUCH_BIN\" --home ceop pack --batch b.jsonl -o tty -j 1" /dev/null \
		>tty.out 2>&1 </dev/null &&
	test "$(ls tty/*.pouch | wc -l)" = $N &&
	tr "\r" "\n" <tty.out |
		grep -aEq "^.\[Kpack --batch  [0-9]+/$N lines  [0-9.]+/s  [0-9]+:[0-9][0-9] left" &&
	! grep -aq "left" err3
'

expect_success '-j1 and -j2 pack the same lines with the same reports inside' '
	head -n 6 b.jsonl >six.jsonl && sed -i "3s/\"to\": \"GB-MET\"/\"to\": \"XX-NOPE\"/" six.jsonl &&
	mkdir j1 j2 &&
	must_fail 1 pouch --home ceop pack --batch six.jsonl -o j1 -j 1 && mv out o1 && mv err e1 &&
	must_fail 1 pouch --home ceop pack --batch six.jsonl -o j2 -j 2 && mv out o2 && mv err e2 &&
	cut -d" " -f1 o1 >l1 && cut -d" " -f1 o2 >l2 && test_cmp l1 l2 &&
	printf "1\n2\n4\n5\n6\n" >expect && test_cmp expect l1 && test_cmp e1 e2 &&
	for l in 1 2 4 5 6; do
		t1=$(title_of "j1/$(sed -n "s/^$l //p" o1).pouch") &&
		t2=$(title_of "j2/$(sed -n "s/^$l //p" o2).pouch") &&
		test "$t1" = "$t2" && test -n "$t1" || return 1
	done
'

test_done
