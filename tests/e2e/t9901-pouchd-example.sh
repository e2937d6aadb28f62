#!/bin/sh
# The example configuration `make install` puts in share/doc/pouch/examples: it names every
# setting pouchd has (each --option of `pouchd --help`, '-' written '_'), and pouchd accepts it
# and starts from it, with its paths moved into the trash directory (certificates, home and
# store made there) and the address given as a flag on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

EXAMPLE="$SRC_DIR/cmd/pouchd/pouchd.json.example"

expect_success 'the example names every setting pouchd has, and only those' '
	"$POUCHD_BIN" --help | grep -o -- "--[a-z][a-z-]*" | grep -vx -- "--config" |
		sed "s/^--//; s/-/_/g" | sort -u >flags &&
	"$SYSTEM_PYTHON" -c "import json, sys
print(\"\\n\".join(sorted(json.load(open(sys.argv[1])))))" "$EXAMPLE" >keys &&
	test "$(wc -l <flags)" -ge 16 && test_cmp flags keys
'

expect_success 'pouchd starts from the example (its paths here, the address a flag)' '
	mkdir -p etc var/lib/pouchd &&
	sed -e "s|\"/etc/pouchd/|\"$PWD/etc/|" -e "s|\"/var/lib/pouchd/|\"$PWD/var/lib/pouchd/|" \
		"$EXAMPLE" >etc/pouchd.json &&
	! grep -e "\"/etc/" -e "\"/var/" etc/pouchd.json &&
	make_ca servers && make_ca clients && make_cert servers srv 127.0.0.1 server &&
	cp srv.pem etc/server.pem && cp srv.key etc/server.key && cp clients.ca.pem etc/clients-ca.pem &&
	init_agency var/lib/pouchd/home GB-MET &&
	{ "$POUCHD_BIN" --config etc/pouchd.json --listen 127.0.0.1:0 2>pouchd.log & pid=$!; } &&
	i=0 && while ! grep -q "listening on" pouchd.log && kill -0 $pid 2>/dev/null &&
		[ $i -lt 6000 ]; do sleep 0.05; i=$((i + 1)); done &&
	{ grep "listening on" pouchd.log || { cat pouchd.log; exit 1; }; } &&
	test -d var/lib/pouchd/store &&
	kill $pid && wait $pid
'

test_done
