#!/bin/sh
# pouch open: the id check and the seen record are one atomic step, taken before the output
# directory is moved into place. Two opens racing with two different packages under one
# (sender, id) end with exactly one opened and recorded, the other refused as a conflict with no
# directory; two opens of the same package both succeed, exactly one of them first.
. "$(dirname "$0")/lib.sh"

forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }
# hsha FILE: the SHA-256 of an envelope's header bytes (what seen/ records).
hsha() {
	"$SYSTEM_PYTHON" -c 'import base64, hashlib, json, sys
print(hashlib.sha256(base64.b64decode(json.load(open(sys.argv[1]))["header"])).hexdigest())' "$1"
}
PAIRS=12

expect_success 'setup: a centre and a force; pairs of different packages sharing an id' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	C=$(fpr ceop) && M=$(fpr met) && mkdir pk && i=0 &&
	while [ $i -lt $PAIRS ]; do
		id=$("$SYSTEM_PYTHON" -c "import uuid; print(uuid.uuid4())") &&
		for v in a b; do
			forge ceop/gnupg "pk/$i$v.pouch" signer=$C encrypt_to=$M \
				sender=GB-NCA-CEOP:$C recipients=GB-MET:$M id=$id \
				entries="[[\"v.txt\", \"$v\"]]" || return 1
		done &&
		echo "$id" >"pk/$i.id" && i=$((i + 1)) || return 1
	done
'

# race I: opens pk/Ia and pk/Ib at once into oIa and oIb; exit codes in rc.Ia, rc.Ib.
race() {
	for v in a b; do
		(pouch --home met open "pk/$1$v.pouch" -o "o$1$v" >"out.$1$v" 2>"err.$1$v"
		 echo $? >"rc.$1$v") &
	done
	wait
}

expect_success 'racing opens of two packages under one id: exactly one wins, every time' '
	i=0 && while [ $i -lt $PAIRS ]; do race $i; i=$((i + 1)); done &&
	i=0 && while [ $i -lt $PAIRS ]; do
		id=$(cat "pk/$i.id") && a=$(cat "rc.${i}a") && b=$(cat "rc.${i}b") &&
		case "$a$b" in
		01) win=a lose=b ;;
		10) win=b lose=a ;;
		*) echo "pair $i: exit codes $a and $b, want one 0 and one 1"; return 1 ;;
		esac &&
		test -d "o$i$win/attachments" && test ! -e "o$i$lose" &&
		! ls -a . | grep -q "^o$i$lose.part" &&
		test "$(cat "o$i$win/attachments/v.txt")" = "$win" &&
		test "$(wc -l <"err.$i$lose")" = 1 &&
		grep -q "^pouch: .*package id $id conflicts with a different package opened" \
			"err.$i$lose" &&
		test "$(head -c 64 "met/seen/GB-NCA-CEOP.$id")" = "$(hsha "pk/$i$win.pouch")" || {
			echo "pair $i: winner $win"; cat "err.$i$lose"; return 1; }
		i=$((i + 1))
	done
'

expect_success 'the loser stays refused afterwards, and the winner reopens as seen before' '
	i=0 && while [ $i -lt $PAIRS ]; do
		if [ -d "o${i}a" ]; then win=a lose=b; else win=b lose=a; fi &&
		must_fail 1 pouch --home met open "pk/$i$lose.pouch" -o "again$i" &&
		test ! -e "again$i" &&
		pouch --home met open "pk/$i$win.pouch" -o "re$i" --json >j &&
		test "$(json_field j seen_before)" = True || return 1
		i=$((i + 1))
	done
'

expect_success 'racing opens of the same package: both open, exactly one of them first' '
	rm -rf met/seen o* rc.* && i=0 &&
	while [ $i -lt $PAIRS ]; do
		for n in 1 2; do
			(pouch --home met open "pk/${i}a.pouch" -o "s$i.$n" --json >"j.$i.$n" \
				2>/dev/null; echo $? >"rc.$i.$n") &
		done
		wait
		test "$(cat "rc.$i.1")$(cat "rc.$i.2")" = 00 &&
		test -d "s$i.1/attachments" && test -d "s$i.2/attachments" &&
		firsts=$(for n in 1 2; do json_field "j.$i.$n" seen_before; done | grep -c False) &&
		test "$firsts" = 1 || { echo "pair $i: $firsts first opens"; return 1; }
		i=$((i + 1))
	done
'

expect_success 'a record from before records were per sender (seen/ID) is still honoured' '
	rm -rf met/seen && mkdir -m 700 met/seen && id=$(cat pk/0.id) &&
	hsha pk/0a.pouch >"met/seen/$id" &&
	pouch --home met open pk/0a.pouch -o legacy --json >j &&
	test "$(json_field j seen_before)" = True &&
	must_fail 1 pouch --home met open pk/0b.pouch -o legacy2 &&
	error_is "package id $id conflicts with a different package opened before \(recorded" &&
	test ! -e legacy2
'

test_done
