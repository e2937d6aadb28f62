#!/bin/sh
# Lists as repeated options or commas; agency codes and priorities in any case on input,
# canonical on output (codes upper case, priorities lower case).
. "$(dirname "$0")/lib.sh"

expect_success 'setup: three agencies, the first with both others as partners' '
	pouch --home a init --agency gb-nca --name A --no-passphrase >/dev/null &&
	test "$(home_code a)" = GB-NCA &&
	init_agency b GB-MET && init_agency c US-NCMEC &&
	pouch --home b key export -o b.asc && pouch --home c key export -o c.asc &&
	pouch --home a partner add gb-met --key b.asc >/dev/null &&
	pouch --home a partner add Us-Ncmec --key c.asc >/dev/null &&
	pouch --home a partner list >out && grep -q "GB-MET" out && grep -q "US-NCMEC" out &&
	! grep -q "gb-met\|Us-Ncmec" out && test -f a/partners/GB-MET.json &&
	write_report report.json t urgent
'

expect_success '--to A --to B is --to A,B; codes and the priority in any case' '
	pouch --home a pack --to gb-met --to us-ncmec --priority URGENT --report report.json \
		-o p1.pouch >/dev/null &&
	pouch --home a pack --to GB-MET,us-ncmec --report report.json -o p2.pouch >/dev/null &&
	for p in p1 p2; do
		"$SYSTEM_PYTHON" - "$p.pouch" <<-\PY || return 1
		import base64, json, sys
		h = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["header"]))
		assert [r["agency"] for r in h["recipients"]] == ["GB-MET", "US-NCMEC"], h
		PY
	done &&
	pouch --home a --json verify p1.pouch >v.json && grep -q "\"urgent\"" v.json &&
	! grep -q URGENT v.json
'

expect_success 'the same recipient twice, in any case or spelling, is refused' '
	must_fail 2 pouch --home a pack --to GB-MET --to gb-met --report report.json -o x.pouch &&
	error_is "recipient .GB-MET. given twice" && test ! -e x.pouch
'

expect_success 'partner show, set and remove take a code in any case' '
	pouch --home a partner show gb-met >out && grep -q "GB-MET" out &&
	pouch --home a partner set gb-met --endpoint https://127.0.0.1:9/ -q >/dev/null &&
	pouch --home a partner remove us-ncmec -q >/dev/null &&
	pouch --home a partner list >out && ! grep -q US-NCMEC out
'

expect_success 'an invalid code is still refused, shown as it was taken' '
	must_fail 2 pouch --home a pack --to "gb met" --report report.json -o y.pouch &&
	grep -q "GB MET" err
'

test_done
