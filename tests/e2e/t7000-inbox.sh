#!/bin/sh
# pouch inbox and pouch open ID, the officer's view: immediate packages first and marked, the
# filters (--from, --priority, --opened/--unopened, --since/--until), expiry and opened shown,
# --json; open by an inbox id, its start or SENDER/ID (an ambiguous start names the
# candidates); the reminder to phone the 24/7 contact when an immediate package is packed,
# pushed or pulled.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
trap 'stop_pouchd KILL; cleanup' EXIT

# send HOME PRIORITY: packs a package of that priority from HOME to GB-MET into pk/, pushes it
# and appends its id to ids.PRIORITY.
send() {
	write_report "report.$2.json" "t7000 $2" "$2" &&
	_id=$(pouch --home "$1" pack --to GB-MET --report "report.$2.json" --priority "$2" -o pk \
		2>pack.err) &&
	pouch --home "$1" push "pk/$_id.pouch" >push.out 2>push.err && echo "$_id" >>"ids.$2"
}

REMIND='is immediate: also phone the'
TO_MET='recipient.s 24/7 contact now (GB-MET)'

expect_success 'setup: three agencies, pouchd; packages of each priority pushed to GB-MET' '
	exchange_setup && mkdir pk &&
	send ceop routine && ! grep -q "$REMIND" pack.err push.err &&
	send ceop immediate &&
	grep -q "^pouch: warning: package $(cat ids.immediate) $REMIND $TO_MET" \
		pack.err &&
	grep -q "^pouch: warning: package $(cat ids.immediate) $REMIND $TO_MET" \
		push.err &&
	send ncmec urgent
'

expect_success 'pack and push --json: the reminder is a member of the output, not a line' '
	write_report r.json t immediate &&
	pouch --home ceop pack --to GB-MET --report r.json --priority immediate -o pk --json \
		>pack.json 2>pack.err &&
	id=$(jget pack.json id) && echo "$id" >>ids.immediate &&
	jget pack.json reminder | grep -q "^package $id $REMIND $TO_MET" &&
	grep -q "$REMIND" pack.err &&
	pouch --home ceop push "pk/$id.pouch" --json >push.json 2>push.err &&
	head -n 1 push.json | jget /dev/stdin reminder | grep -q "$REMIND $TO_MET" &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" pack 0 \
		pack.json &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" push 0 push.json
'

expect_success 'pull reminds to phone the sender for each immediate package, on stderr' '
	pouch --home met pull >pull.out 2>pull.err &&
	test "$(grep -c "$REMIND sender.s 24/7 contact now (GB-NCA-CEOP)" pull.err)" = 2 &&
	! grep -q "$REMIND" pull.out && ! grep -q "(US-NCMEC)" pull.err
'

expect_success 'inbox: immediate first and marked, then urgent, then routine' '
	pouch --home met inbox >out &&
	test "$(wc -l <out)" = 4 &&
	sed -n 1,2p out | grep -c "^!! [0-9a-f-]* GB-NCA-CEOP IMMEDIATE " | grep -qx 2 &&
	sed -n 3p out | grep -q "^$(cat ids.urgent) US-NCMEC urgent " &&
	sed -n 4p out | grep -Eqx "$(cat ids.routine) GB-NCA-CEOP routine [0-9T:-]+Z receipt sent, \
good, expires [0-9T:-]+Z, not opened"
'

expect_success 'inbox filters: --from, --priority, --opened, --unopened, --since, --until' '
	pouch --home met inbox --from us-ncmec >out && test "$(wc -l <out)" = 1 &&
	grep -q "^$(cat ids.urgent) " out &&
	pouch --home met inbox --priority immediate >out && test "$(wc -l <out)" = 2 &&
	pouch --home met inbox --priority routine --from US-NCMEC >out 2>err && test ! -s out &&
	grep -q "no package in the inbox matches" err &&
	pouch --home met inbox --opened >out && test ! -s out &&
	pouch --home met inbox --unopened >out && test "$(wc -l <out)" = 4 &&
	pouch --home met inbox --since 2000-01-01 --until 2099-12-31 >out &&
	test "$(wc -l <out)" = 4 &&
	pouch --home met inbox --since 2099-01-01 >out && test ! -s out &&
	pouch --home met inbox --until 2000-01-01T00:00:00Z >out && test ! -s out
'

expect_success 'inbox: bad filters are usage errors' '
	must_fail 2 pouch --home met inbox --priority soon && grep -q "invalid priority" err &&
	must_fail 2 pouch --home met inbox --opened --unopened &&
	must_fail 2 pouch --home met inbox --since yesterday && grep -q "invalid --since" err &&
	must_fail 2 pouch --home met inbox --from "bad code"
'

expect_success 'open ID: a whole id, a start of one, SENDER/ID' '
	id=$(cat ids.routine) &&
	pouch --home met open "$id" -o o1 >out && grep -q "^opened package $id from GB-NCA-CEOP" out &&
	test -f o1/pouch.json &&
	pouch --home met open "$(echo "$id" | cut -c1-8)" -o o2 >out 2>err &&
	grep -q "was opened before" err &&
	pouch --home met open "gb-nca-ceop/$id" -o o3 >out &&
	uid=$(cat ids.urgent) &&
	pouch --home met open "US-NCMEC/$(echo "$uid" | cut -c1-6)" -o o4 >out &&
	grep -q "^opened package $uid from US-NCMEC" out &&
	pouch --home met audit show --json >audit.json &&
	grep -q "\"event\":\"open\",[^}]*\"id\":\"$id\"" audit.json
'

expect_success 'show and forward take an inbox id, its start or SENDER/ID, as open does' '
	id=$(cat ids.routine) && mkdir here && cd here &&
	pouch --home ../met open "$id" >/dev/null 2>&1 && test -d "$id" &&
	pouch --home ../met show "$(echo "$id" | cut -c1-8)" >show1 &&
	pouch --home ../met show "GB-NCA-CEOP/$id" >show2 && test_cmp show1 show2 &&
	grep -q "TLP:AMBER" show1 && pouch --home ../met show "$id" --json >j &&
	test "$(jget j id)" = "$id" &&
	pouch --home ../met forward "$(echo "$id" | cut -c1-8)" --to GB-NCA-CEOP -o . >fwd.id &&
	test -f "$(cat fwd.id).pouch" && cd .. &&
	must_fail 2 pouch --home met show "$(echo "$id" | cut -c1-8)"
'

expect_success 'inbox shows what was opened, and --opened and --unopened follow it' '
	pouch --home met inbox --opened >out && test "$(wc -l <out)" = 2 &&
	grep -Eq "^$(cat ids.routine) .*, opened [0-9T:-]+Z$" out &&
	pouch --home met inbox --unopened >out && test "$(wc -l <out)" = 2 &&
	pouch --home met inbox --json >inbox.json &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" inbox 0 \
		inbox.json &&
	"$SYSTEM_PYTHON" -S -c "import json
a = json.load(open(\"inbox.json\"))
assert [i[\"priority\"] for i in a] == [\"immediate\", \"immediate\", \"urgent\", \"routine\"], a
assert [i[\"opened\"] is not None for i in a] == [False, False, True, True], a"
'

expect_success 'open ID: unknown, too short, ambiguous (naming the candidates)' '
	must_fail 2 pouch --home met open 00000000-0000-4000-8000-000000000000 &&
	error_is "no package .00000000-0000-4000-8000-000000000000. in the inbox" &&
	id=$(cat ids.routine) && other=$(echo "$id" | cut -c1-8)-0000-4000-8000-000000000000 &&
	sqlite3 met/state.db "INSERT INTO incoming SELECT \"$other\", source, \"US-NCMEC\",
		\"US-NCMEC.$other\", digest, size, payload_size, verdict, reason, header_sha256,
		priority, created, expires, received, receipt, receipt_sent FROM incoming
		WHERE id = \"$id\"" &&
	must_fail 2 pouch --home met open "$(echo "$id" | cut -c1-8)" -o o5 &&
	error_is ".$(echo "$id" | cut -c1-8). is ambiguous: 2 packages in the inbox match \
\(GB-NCA-CEOP/$id, US-NCMEC/$other\)" &&
	test ! -e o5 &&
	pouch --home met open "GB-NCA-CEOP/$(echo "$id" | cut -c1-8)" -o o5 >/dev/null &&
	pouch --home met open "$id" -o o6 >/dev/null
'

expect_success 'open ID of a quarantined package is refused, saying why' '
	sqlite3 met/state.db "UPDATE incoming SET verdict = \"bad\", reason = \"test reason\"
		WHERE id = \"$(cat ids.urgent)\"" &&
	must_fail 1 pouch --home met open "$(cat ids.urgent)" -o o7 &&
	error_is "package US-NCMEC/$(cat ids.urgent) is in quarantine: test reason" &&
	test ! -e o7
'

expect_success 'a file of that name is opened as the file, not looked up in the inbox' '
	id=$(cat ids.routine) && cp "pk/$id.pouch" "$id" &&
	pouch --home met open "$id" -o o8 >out && grep -q "^opened package $id" out
'

test_done
