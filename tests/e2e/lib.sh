# End-to-end test library: a trash directory per script, TAP output, expect_success,
# must_fail (an exit above 128 is a crash, never a pass) and test_cmp. Modelled on git's
# t/test-lib.sh. Scripts source it, call expect_success/must_fail, and end with test_done.
set -u

TEST_NAME=$(basename "$0" .sh)
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BUILD=${POUCH_BUILD:-$SRC_DIR/build}
POUCH_BIN="$POUCH_BUILD/pouch"
SYSTEM_PYTHON=/usr/bin/python3 # with -S where the standard library is enough: a faster start

[ -x "$POUCH_BIN" ] || { echo "Bail out! no pouch binary at $POUCH_BIN"; exit 1; }

# Short path: gpg-agent's socket lives in the GnuPG home and its path has a length limit.
TRASH=$(mktemp -d /tmp/ph.XXXXXX) || { echo "Bail out! mktemp failed"; exit 1; }
chmod 755 "$TRASH"
cd "$TRASH" || exit 1
# Nothing outside the trash directory: not the user's home, not ~/.gnupg.
export HOME="$TRASH/h"
mkdir -m 700 "$HOME"
unset GNUPGHOME POUCH_HOME XDG_DATA_HOME
export LC_ALL=C TZ=UTC
# Under the sanitizers a finding aborts (status above 128), so must_fail never mistakes it
# for the refusal it expected.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}"
KEYS="$TRASH/kg" # GnuPG home where the tests make partner keys
mkdir -m 700 "$KEYS"

. "$SRC_DIR/keys/testkeys.sh"

test_count=0
test_failures=0

# Every GnuPG home in the trash directory gets its agent stopped, wherever its socket lives
# (in the home, or under /run/user where that exists).
stop_agents() {
	find "$TRASH" \( -name pubring.kbx -o -name private-keys-v1.d \) 2>/dev/null |
		while read -r f; do dirname "$f"; done | sort -u |
		while read -r d; do gpgconf --homedir "$d" --kill all 2>/dev/null; done
}

# POUCH_TEST_KEYS=FILE: each script adds a line to FILE with how many keys gpg generated in its
# trash directory (gpg writes a revocation certificate for each) and how many homes with their
# key it copied from the run's fixtures instead.
count_keys() {
	_all=$(find "$TRASH" -path '*/openpgp-revocs.d/*.rev' 2>/dev/null | wc -l)
	_cp=$(find "$TRASH" -maxdepth 1 -name '.fixture.*' | wc -l)
	echo "$TEST_NAME generated=$((_all - _cp)) copied=$_cp" >>"$POUCH_TEST_KEYS"
}

cleanup() {
	[ -z "${POUCH_TEST_KEYS:-}" ] || count_keys
	[ ! -f "$TRASH/.py/pid" ] || kill "$(cat "$TRASH/.py/pid")" 2>/dev/null
	stop_agents
	cd /
	rm -rf "$TRASH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pouch() {
	"$POUCH_BIN" "$@"
}

# pyrun CHECKER ARGS...: what "$SYSTEM_PYTHON" CHECKER ARGS does (its output, its status), for
# the suite's Python checkers, run by this script's own tests/e2e/pyserve.py (started at the
# first call, stopped by cleanup): a fork of a process that imported jsonschema once, instead
# of a third of a second of Python starting up. One call at a time; no standard input.
pyrun() {
	_pd=$TRASH/.py
	if [ ! -e "$_pd/ready" ]; then
		mkdir -p "$_pd" && mkfifo "$_pd/req" "$_pd/resp" || return 125
		"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/pyserve.py" "$_pd" </dev/null >/dev/null \
			2>"$_pd/log" &
		echo $! >"$_pd/pid"
		wait_until "[ -e '$_pd/ready' ] || ! kill -0 $! 2>/dev/null"
		[ -e "$_pd/ready" ] || { cat "$_pd/log" >&2; return 125; }
	fi
	printf '%s\0' "$PWD" "$@" >"$_pd/req" && read -r _pst <"$_pd/resp" || return 125
	cat "$_pd/out" && cat "$_pd/err" >&2
	return "$_pst"
}

# expect_success 'description' 'shell commands chained with &&'
expect_success() {
	test_count=$((test_count + 1))
	_t0=$(date +%s.%N)
	if (eval "$2") >"$TRASH/.log" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		sed 's/^/# /' "$TRASH/.log"
	fi
	# POUCH_TEST_TIMES=1: each case's wall-clock time as a TAP comment (where a run's time goes).
	[ -z "${POUCH_TEST_TIMES:-}" ] || echo "# $(echo "$(date +%s.%N) - $_t0" | bc) s"
}

# skip_test 'description' 'reason': a case this machine cannot run, reported as skipped.
skip_test() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # skip $2"
}

# need_faults: ends the script, skipped, unless the programs are a test build with the
# fault-injection hook (POUCH_FAULT=SITE:N[:stop|:hold=PATH]; `make test` and `make check`
# build one). Sites: fs.write, fs.fsync, fs.rename (every rename or link that puts a file in
# place), fs.copy (the start of a file copy; use with :stop), db.commit, audit.append,
# batch.state (pack --batch writing its state file), batch.move (a kept package moved out of
# its stage), route.write (route writing a staged report), pgp.verify (a detached signature
# checked by gpg, its result not yet read; use with :stop or :hold=PATH, which holds that one
# thread until PATH exists).
need_faults() {
	case $("$POUCH_BIN" --version) in
	*"fault injection"*) return 0 ;;
	esac
	echo "1..0 # skip $POUCH_BIN is not a test build with fault injection (make test)"
	exit 0
}

# wait_until COMMANDS: runs the shell COMMANDS until they succeed. Nothing here is a measure of
# speed: it gives up (returns 1) only after thousands of tries, a guard against a hang.
wait_until() {
	_w=0
	until eval "$1"; do
		_w=$((_w + 1))
		[ $_w -lt 6000 ] || { echo "gave up waiting until: $1" >&2; return 1; }
		sleep 0.1
	done
}

# ended PID: process PID has ended (is gone, or a zombie its parent has not reaped yet).
ended() {
	case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) in
	Z* | "") return 0 ;;
	esac
	return 1
}

# wait_stopped PID [OTHER]: waits (up to five minutes) until process PID has stopped itself at
# a fault site (state T: returns 0), or PID or OTHER has ended (returns 1).
wait_stopped() {
	_i=0
	while [ $_i -lt 6000 ]; do
		case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) in
		T*) return 0 ;;
		Z* | "") return 1 ;;
		esac
		if [ -n "${2:-}" ]; then
			case $(sed 's/^.*) //' "/proc/$2/stat" 2>/dev/null) in
			Z* | "") return 1 ;;
			esac
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# pouch_lines FILE: every line of FILE is a pouch message ("pouch: ...").
pouch_lines() {
	! grep -v "^pouch: " "$1"
}

# must_fail STATUS command...: succeeds only when command exits with exactly STATUS (not a
# crash: above 128 is reported as one). Its stdout goes to ./out, stderr to ./err.
must_fail() {
	_want=$1
	shift
	"$@" >out 2>err
	_got=$?
	if [ "$_got" -gt 128 ]; then
		echo "crash: '$*' died with status $_got" >&2
		cat err >&2
		return 1
	fi
	if [ "$_got" -eq 0 ]; then
		echo "unexpected success: '$*'" >&2
		return 1
	fi
	if [ "$_got" -ne "$_want" ]; then
		echo "'$*' exited $_got, expected $_want" >&2
		cat err >&2
		return 1
	fi
	return 0
}

# error_is PATTERN: ./err holds exactly one line, "pouch: ..." matching the extended regex.
error_is() {
	if [ "$(wc -l <err)" -ne 1 ] || ! grep -Eq -- "^pouch: $1" err; then
		echo "expected one error line matching 'pouch: $1', got:" >&2
		cat err >&2
		return 1
	fi
}

# test_cmp EXPECTED ACTUAL
test_cmp() {
	diff -u "$1" "$2"
}

# home_state DIR: what a failed command must not change (records and keyring contents).
home_state() {
	(cd "$1" && find . -path ./gnupg -prune -o -type f -print | LC_ALL=C sort |
		xargs -r sha256sum)
	if [ -d "$1/gnupg" ]; then
		gpg --homedir "$1/gnupg" --with-colons --list-keys 2>/dev/null | grep -E '^(fpr|pub|sub|rev)'
		gpg --homedir "$1/gnupg" --with-colons --list-secret-keys 2>/dev/null | grep '^fpr'
	fi
}

# init_agency DIR CODE [NAME]: an initialised home with an unprotected key.
# refused STATUS PATTERN pouch-args...: fails with STATUS and one matching error line, and
# leaves home a unchanged.
refused() {
	_st=$1 _pat=$2
	shift 2
	home_state a >before &&
	must_fail "$_st" pouch --home a "$@" &&
	error_is "$_pat" &&
	home_state a >after && test_cmp before after
}

# A suite run (make test) has made the home of the commonest agencies once, in POUCH_FIXTURES
# (tests/e2e/fixtures.sh): the first home of such an agency a script makes is a copy of it,
# with the default name, its own from then on. Any other (a second one of the same code in
# the script, or another name) gets a key of its own, as without POUCH_FIXTURES.
init_agency() {
	if [ -n "${POUCH_FIXTURES:-}" ] && [ $# -eq 2 ] && [ ! -e "$1" ] &&
		[ -f "$POUCH_FIXTURES/$2/agency.json" ] && [ ! -e "$TRASH/.fixture.$2" ]; then
		: >"$TRASH/.fixture.$2" && cp -Rp "$POUCH_FIXTURES/$2" "$1"
		return
	fi
	pouch --home "$1" init --agency "$2" --name "${3:-Agency $2}" --no-passphrase >/dev/null
}

# json_field FILE KEY: a top-level field of a JSON document.
json_field() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$1" "$2"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failures" -eq 0 ]
}

# pouch_as_nobody ARGS...: runs pouch as an unprivileged user, to test a home that is not
# writable (root ignores file modes). The binary is copied into the trash directory first, as
# the checkout may not be open to other users. Without root it runs pouch as is.
pouch_as_nobody() {
	if [ "$(id -u)" -ne 0 ]; then
		"$POUCH_BIN" "$@"
		return
	fi
	if [ ! -x "$TRASH/bin/pouch" ]; then
		mkdir -p "$TRASH/bin" && cp "$POUCH_BIN" "$TRASH/bin/pouch" &&
			chmod 755 "$TRASH/bin" "$TRASH/bin/pouch" || return 125
	fi
	setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- \
		env HOME="$HOME" LC_ALL=C PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" \
		UBSAN_OPTIONS="$UBSAN_OPTIONS" "$TRASH/bin/pouch" "$@"
}

# partners A B: homes A and B (initialised) pin each other's keys.
partners() {
	pouch --home "$1" key export -o "$TRASH/.k1.asc" &&
	pouch --home "$2" key export -o "$TRASH/.k2.asc" &&
	pouch --home "$1" partner add "$(home_code "$2")" --key "$TRASH/.k2.asc" -q >/dev/null &&
	pouch --home "$2" partner add "$(home_code "$1")" --key "$TRASH/.k1.asc" -q >/dev/null &&
	rm -f "$TRASH/.k1.asc" "$TRASH/.k2.asc"
}

# home_code DIR: the agency code of an initialised home.
home_code() {
	pouch --home "$1" whoami | sed -n 's/^agency: *//p'
}

# b64_member FILE MEMBER OUT: decodes a base64 member of an envelope ("payload.inline" for
# the inline payload) into OUT.
b64_member() {
	"$SYSTEM_PYTHON" -S -c 'import base64, json, sys
e = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    e = e[k]
open(sys.argv[3], "wb").write(base64.b64decode(e))' "$1" "$2" "$3"
}

# write_report FILE [TITLE [PRIORITY [ORIGINATOR]]]: a small, complete and valid report
# (spec/report.md) for tests that need one to pack: 3x5x2, OFFICIAL-SENSITIVE, TLP:AMBER,
# handling code P, one graded item. PRIORITY (routine by default) immediate or urgent adds
# the reason, respond-by time and 24/7 contact those need.
write_report() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
path, title, priority, originator = sys.argv[1:5]
p = {"level": priority}
if priority in ("immediate", "urgent"):
    p.update(reason="test: a child believed at risk", respond_by="2099-01-01T00:00:00Z",
             contact_24x7="+441632960000")
r = {"format": "pouch-report/1",
     "header": {"reference": "TEST-0001", "title": title, "created": "2026-01-01T00:00:00Z",
                "originator": {"agency": originator, "unit": "test unit",
                               "officer": "T1", "contact_24x7": "+441632960000"}},
     "handling": {"classification": {"tier": "OFFICIAL", "sensitive": True, "caveats": []},
                  "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"],
                  "purpose": "test", "legal_basis": "test"},
     "priority": p,
     "items": [{"n": 1, "text": "a test item", "grade": {"source": "2", "intelligence": "B"}}]}
with open(path, "w") as f:
    json.dump(r, f, indent=1)' "$1" "${2:-t}" "${3:-routine}" "${4:-GB-TEST}"
}
