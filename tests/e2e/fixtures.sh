#!/bin/sh
# Test material made once per run of the suite (make test), shared read-only by its scripts:
# fixtures.sh DIR makes in DIR (short: /tmp/pf.XXXXXX) an initialised pouch home for each agency
# code the scripts use most, as `pouch init --no-passphrase` makes it, each key throwaway and
# made for this run only. lib.sh's init_agency copies one into a script's own trash directory
# (POUCH_FIXTURES=DIR) instead of generating a key; `pouch init` itself is tested afresh.
set -u
DIR=$1
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN="${POUCH_BUILD:-$SRC_DIR/build}/pouch"
export LC_ALL=C TZ=UTC HOME="$DIR"
unset GNUPGHOME POUCH_HOME XDG_DATA_HOME
for code in GB-MET GB-NCA-CEOP US-NCMEC XX-OTHER; do
	"$POUCH_BIN" --home "$DIR/$code" init --agency "$code" --name "Agency $code" \
		--no-passphrase >/dev/null 2>"$DIR/$code.err" &
done
wait
st=0
for code in GB-MET GB-NCA-CEOP US-NCMEC XX-OTHER; do
	gpgconf --homedir "$DIR/$code/gnupg" --kill all 2>/dev/null
	rm -f "$DIR/$code"/gnupg/S.*
	if [ -f "$DIR/$code/agency.json" ]; then rm -f "$DIR/$code.err"; else
		echo "fixtures.sh: cannot make the home of $code:" >&2
		cat "$DIR/$code.err" >&2
		st=1
	fi
done
exit $st
