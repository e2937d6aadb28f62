#!/bin/sh
# pouch pack --batch: one package per line; a bad line of each kind is reported with its line
# number and does not stop the good ones (exit 1), the good ones open at their recipients;
# --all-or-nothing writes nothing unless every line packs; usage errors are exit 2.
. "$(dirname "$0")/lib.sh"

# title PACKAGE HOME: the title of the report inside PACKAGE, opened by HOME.
title() {
	rm -rf .opened && pouch --home "$2" open "$1" -o .opened >/dev/null 2>&1 &&
	"$SYSTEM_PYTHON" -S -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(m["report"]["header"]["title"], *[a["name"] for a in m["attachments"]])' \
		.opened/pouch.json
}

expect_success 'setup: a national centre, two partners, a batch with good and bad lines' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	partners ceop met && partners ceop ncmec && mkdir in pk &&
	write_report in/one.json "line one" && write_report in/two.json "line two" urgent &&
	write_report three.json "line nine" && echo note >in/note.txt &&
	"$SYSTEM_PYTHON" -S - <<-\PY
	import json
	inline = json.load(open("three.json"))
	lines = [
	    {"to": ["GB-MET"], "report": "one.json", "attachments": ["note.txt"]},
	    {"to": "gb-met,US-NCMEC", "report": "two.json", "priority": "URGENT"},
	    "not json {",
	    {"to": "GB-MET", "report": "one.json", "colour": "red"},
	    {"to": "GB-MET", "report": {"format": "pouch-report/1"}},
	    {"to": "XX-NOPE", "report": "one.json"},
	    {"to": "GB-MET", "report": "gone.json"},
	    {"to": "GB-MET", "report": "one.json", "attachments": ["gone.bin"]},
	    {"to": ["GB-MET"], "report": inline},
	    "",
	    {"to": "GB-MET", "report": "one.json", "priority": "immediate"},
	]
	with open("in/b.jsonl", "w") as f:
	    for l in lines:
	        f.write((l if isinstance(l, str) else json.dumps(l)) + "\n")
	PY
'

expect_success 'the good lines are packed, each bad one named with its line number (exit 1)' '
	must_fail 1 pouch --home ceop pack --batch in/b.jsonl -o pk -j 2 &&
	cut -d" " -f1 out >lines && printf "1\n2\n9\n" >expect && test_cmp expect lines &&
	test "$(ls pk/*.pouch | wc -l)" = 3 && pouch_lines err &&
	grep -q "^pouch: line 3: the line is not valid JSON" err &&
	grep -q "^pouch: line 4: unknown member .colour." err &&
	grep -q "^pouch: line 5: report .(inline). is not valid: [0-9]* errors: header: missing" err &&
	grep -q "^pouch: line 6: no partner .XX-NOPE." err &&
	grep -q "^pouch: line 7: cannot open .in/gone.json.: No such file" err &&
	grep -q "^pouch: line 8: cannot open attachment .in/gone.bin.: No such file" err &&
	grep -q "^pouch: line 11: .priority. immediate differs from the report" err &&
	test "$(grep -c "^pouch: line " err)" = 7 &&
	grep -q "^pouch: 7 of 10 lines not packed (lines 3, 4, 5, 6, 7, 8, 11); 3 packed now, 0 before" err
'

expect_success 'the packages open at their recipients, each with its own line'\''s report' '
	id1=$(sed -n "s/^1 //p" out) && id2=$(sed -n "s/^2 //p" out) &&
	id9=$(sed -n "s/^9 //p" out) &&
	test "$(title "pk/$id1.pouch" met)" = "line one note.txt" &&
	test "$(title "pk/$id2.pouch" met)" = "line two" &&
	test "$(title "pk/$id2.pouch" ncmec)" = "line two" &&
	test "$(title "pk/$id9.pouch" met)" = "line nine" &&
	pouch --home met verify "pk/$id2.pouch" --json >v.json &&
	test "$(json_field v.json priority)" = urgent
'

expect_success 'the refusals and the packages are in the audit trail' '
	pouch --home ceop audit show --json >audit.json &&
	test "$(grep -o "\"event\":\"pack\"" audit.json | wc -l)" -ge 4 &&
	grep -q "\"verdict\":\"refused\"" audit.json && pouch --home ceop audit verify >/dev/null
'

expect_success 'run again: the packed lines are not packed twice, the bad ones fail again' '
	must_fail 1 pouch --home ceop pack --batch in/b.jsonl -o pk -j 1 &&
	cut -d" " -f1 out >lines && test_cmp expect lines &&
	test "$(ls pk/*.pouch | wc -l)" = 3 &&
	grep -q "); 0 packed now, 3 before\$" err
'

expect_success '--all-or-nothing with one bad line writes nothing' '
	mkdir aon && head -n 2 in/b.jsonl >in/aon.jsonl && sed -n 4p in/b.jsonl >>in/aon.jsonl &&
	must_fail 1 pouch --home ceop pack --batch in/aon.jsonl -o aon --all-or-nothing &&
	test ! -s out && ls -A aon >left && test "$(cat left)" = .batch-aon.jsonl.state &&
	grep -q "^pouch: line 3: unknown member" err &&
	grep -q "^pouch: nothing packed (--all-or-nothing): 1 of 3 lines failed (line 3)" err
'

expect_success '--all-or-nothing with good lines only packs them all' '
	head -n 2 in/b.jsonl >in/aon.jsonl &&
	pouch --home ceop pack --batch in/aon.jsonl -o aon --all-or-nothing >out &&
	test "$(ls aon/*.pouch | wc -l)" = 2 && test "$(wc -l <out)" = 2 &&
	for id in $(cut -d" " -f2 out); do
		pouch --home met verify "aon/$id.pouch" >/dev/null || return 1
	done
'

expect_success 'standard input: relative paths from the current directory' '
	mkdir std && (cd in && pouch --home ../ceop pack --batch - -o ../std <b.jsonl >../out \
		2>../err; test $? = 1) && test "$(wc -l <out)" = 3 &&
	test -f std/.batch-stdin.state
'

expect_success 'usage errors are exit 2, before anything is packed' '
	must_fail 2 pouch --home ceop pack --batch nosuch.jsonl -o pk &&
	error_is "cannot open .nosuch.jsonl." &&
	must_fail 2 pouch --home ceop pack --batch in/b.jsonl -j 0 -o pk &&
	grep -q "invalid --jobs .0." err &&
	must_fail 2 pouch --home ceop pack --batch in/b.jsonl --report in/one.json -o pk &&
	grep -q "not from --report" err &&
	must_fail 2 pouch --home ceop pack --batch in/b.jsonl --to GB-MET -o pk &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report in/one.json -j 2 &&
	grep -q "goes with --batch only" err &&
	must_fail 2 pouch --home ceop pack --batch in/b.jsonl -o pk -j &&
	grep -q "requires an argument -- .j." err &&
	must_fail 3 pouch --home ceop pack --batch in/b.jsonl -o nodir &&
	error_is "cannot write in .nodir.: no such directory" &&
	test "$(ls pk/*.pouch | wc -l)" = 3
'

test_done
