#!/bin/sh
# The same package pushed by several clients at once: eight PUTs of one envelope are all held
# in their signature check (the test build's pgp.verify:N:hold=PATH fault), so all eight are
# verified before any is stored, then released together to race into the store. Exactly one
# stores it (201); the others get the original record (200, the same cursor); the store holds
# its files once and nothing else, and the listing shows it once. Then four `pouch push`
# processes, from four copies of the sender's home, deliver one package at once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults

N=8

# put_bg K ID: PUTs pk/ID.pouch as the centre in the background; status in put.K.st, body in
# put.K.body, process id in put.K.pid.
put_bg() {
	curl -sS --cacert servers.ca.pem --cert ceop.pem --key ceop.key -o "put.$1.body" \
		-w '%{http_code}' -X PUT -H "Content-Type: application/json" \
		--data-binary "@pk/$2.pouch" "https://127.0.0.1:$(pouchd_port)/v1/packages/$2" \
		>"put.$1.st" 2>"put.$1.err" &
	echo $! >"put.$1.pid"
}

# only_package DATA ID: the store in DATA holds ID's envelope and nothing else, its index one
# row, and no request directory or staged upload is left.
only_package() {
	ls "$1/packages" >files && echo "$2.pouch" >want && test_cmp want files &&
	test "$(sqlite3 "$1/pouchd.db" "SELECT count(*) FROM packages")" = 1 &&
	test -z "$(ls -A "$1/tmp")" && test -z "$(ls -A "$1/uploads")"
}

expect_success 'setup: GB-MET runs pouchd, each of the first eight verifications held' '
	exchange_setup && write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id &&
	stop_pouchd &&
	spec= && k=1 && while [ $k -le $N ]; do
		spec="$spec${spec:+,}pgp.verify:$k:hold=$TRASH/gate$k" && k=$((k + 1))
	done &&
	POUCH_FAULT=$spec start_pouchd metgw data
'

expect_success 'eight pushes of one package at once: one stores it, seven get its record' '
	id=$(cat id) &&
	k=1 && while [ $k -le $N ]; do put_bg $k "$id" && k=$((k + 1)); done &&
	k=1 && while [ $k -le $N ]; do
		wait_until "test -e gate$k.held" || return 1
		k=$((k + 1))
	done &&
	test -z "$(ls data/packages)" &&
	k=1 && gates= && while [ $k -le $N ]; do gates="$gates gate$k" && k=$((k + 1)); done &&
	touch $gates &&
	k=1 && while [ $k -le $N ]; do
		wait_until "ended $(cat put.$k.pid)" &&
		cat put.$k.st >>statuses && echo >>statuses &&
		jget put.$k.body cursor >>cursors || { cat put.$k.body put.$k.err; return 1; }
		k=$((k + 1))
	done &&
	test "$(grep -c "^201$" statuses)" = 1 && test "$(grep -c "^200$" statuses)" = 7 &&
	test "$(sort -u cursors | wc -l)" = 1 &&
	logged_count $N "PUT /v1/packages/{id} status=20[01] agency=GB-NCA-CEOP id=$id " &&
	only_package data "$id" && cmp "data/packages/$id.pouch" "pk/$id.pouch" &&
	test "$(listed met "$id")" = 1
'

expect_success 'four pouch push processes deliver one package at once: stored once' '
	k=1 && while [ $k -le $N ]; do : >gate$k && k=$((k + 1)); done &&
	stop_pouchd && rm -rf data && start_pouchd metgw data &&
	id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk) &&
	_url="https://127.0.0.1:$(pouchd_port)" &&
	for k in 1 2 3 4; do
		cp -a ceop c$k && rm -f c$k/gnupg/S.* &&
		pouch --home c$k partner set GB-MET --endpoint "$_url" -q >/dev/null || return 1
	done &&
	for k in 1 2 3 4; do
		pouch --home c$k push "pk/$id.pouch" >push.$k.out 2>push.$k.err &
		echo $! >push.$k.pid
	done &&
	for k in 1 2 3 4; do
		wait "$(cat push.$k.pid)" || { cat push.$k.err; return 1; }
	done &&
	logged_count 4 "PUT /v1/packages/{id} status=20[01] agency=GB-NCA-CEOP id=$id " &&
	only_package data "$id" && test "$(listed met "$id")" = 1
'

test_done
