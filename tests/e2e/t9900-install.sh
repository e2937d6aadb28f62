#!/bin/sh
# make install and make uninstall: install puts the programs, every man page (in the section
# its suffix names), bash and zsh completion, the unit, the sysusers.d entry, the example
# configuration and the spec under PREFIX (and nothing outside it), and records them;
# uninstall removes exactly that, leaving what was there before. pouchd's systemd unit follows
# PREFIX, carries the sandbox that systemd's own `systemd-analyze security` asks for (exposure
# below EXPOSURE_MAX), and the pouchd user comes from a sysusers.d entry. Nothing is built
# here: the binaries come from POUCH_BUILD.
# T9900_UNIT=FILE checks FILE instead of the installed unit, to show that the checks fail on an
# older unit (git show main:cmd/pouchd/pouchd.service >/tmp/old.service;
# T9900_UNIT=/tmp/old.service prove tests/e2e/t9900-install.sh).
. "$(dirname "$0")/lib.sh"

ROOT=$TRASH/root
UNIT=${T9900_UNIT:-$ROOT/opt/x/lib/systemd/system/pouchd.service}
SYSUSERS=$ROOT/opt/x/lib/sysusers.d/pouchd.conf
EXPOSURE_MAX=2.0

# mk TARGET [VAR=VALUE...]: make TARGET in the source tree with the programs of POUCH_BUILD.
mk() {
	make -s -C "$SRC_DIR" -o all "$@" BUILD="$POUCH_BUILD"
}

# files DIR: every file and link under DIR, one path per line, sorted.
files() {
	(cd "$1" && find . ! -type d | LC_ALL=C sort)
}

# Already there before the install: a file in a directory install also writes to, and an empty
# directory of its own. Uninstall must leave both.
mkdir -p "$ROOT/opt/x/share/man/man1" "$ROOT/opt/x/share/empty"
echo other >"$ROOT/opt/x/share/man/man1/other.1"

expect_success 'make install DESTDIR=... PREFIX=/opt/x installs the programs, unit and user entry' '
	mk install DESTDIR="$ROOT" PREFIX=/opt/x >make.log &&
	test -x "$ROOT/opt/x/bin/pouch" && test -x "$ROOT/opt/x/sbin/pouchd" &&
	test -f "$ROOT/opt/x/share/doc/pouch/spec/protocol.md" &&
	test -f "$ROOT/opt/x/lib/systemd/system/pouchd.service" && test -f "$SYSUSERS" &&
	test "$(ls "$ROOT")" = opt && test "$(ls "$ROOT/opt")" = x
'

expect_success 'every man page, in the section its suffix names' '
	mk --eval "print-man-pages: ; @echo \$(MAN_PAGES)" print-man-pages >pages &&
	test -s pages &&
	for p in $(cat pages); do
		n=${p##*/} &&
		cmp "$(cd "$SRC_DIR" && cd "$(dirname "$p")" && pwd)/$n" \
			"$ROOT/opt/x/share/man/man${n##*.}/$n" || exit 1
	done &&
	test -f "$ROOT/opt/x/share/man/man1/pouch.1"
'

expect_success 'completion for bash and zsh, where each shell looks' '
	cmp "$SRC_DIR/cmd/pouch/completion/pouch.bash" \
		"$ROOT/opt/x/share/bash-completion/completions/pouch" &&
	cmp "$SRC_DIR/cmd/pouch/completion/_pouch" "$ROOT/opt/x/share/zsh/site-functions/_pouch"
'

expect_success 'the example configuration and the whole spec under share/doc/pouch' '
	cmp "$SRC_DIR/cmd/pouchd/pouchd.json.example" \
		"$ROOT/opt/x/share/doc/pouch/examples/pouchd.json" &&
	test -s "$ROOT/opt/x/share/doc/pouch/examples/README" &&
	(cd "$SRC_DIR" && find spec -type f) >spec.files && test "$(wc -l <spec.files)" -gt 10 &&
	while read -r f; do
		cmp "$SRC_DIR/$f" "$ROOT/opt/x/share/doc/pouch/$f" || exit 1
	done <spec.files
'

expect_success 'the manifest names every file install wrote, without DESTDIR' '
	m=$ROOT/opt/x/share/pouch/install-manifest &&
	sed -n "s/^f //p" "$m" | LC_ALL=C sort >listed &&
	files "$ROOT" | sed "s/^\.//" | grep -vx /opt/x/share/man/man1/other.1 >present &&
	test_cmp present listed
'

expect_success 'the unit runs pouchd from PREFIX, and no template placeholder is left' '
	grep -x "ExecStart=/opt/x/sbin/pouchd --config /etc/pouchd/pouchd.json" "$UNIT" &&
	grep -x "Documentation=man:pouchd(8) man:pouch(1) file:/opt/x/share/doc/pouch/spec/protocol.md" \
		"$UNIT" &&
	! grep "@[A-Z]*@" "$UNIT" && ! grep /usr/local "$UNIT"
'

expect_success 'the unit carries the sandbox directives' '
	for d in User=pouchd Group=pouchd ProtectClock=yes ProtectKernelLogs=yes \
		ProtectHostname=yes RestrictSUIDSGID=yes RestrictRealtime=yes PrivateMounts=yes \
		ProtectProc=invisible ProcSubset=pid SystemCallFilter=@system-service \
		"SystemCallFilter=~@privileged @resources" SystemCallErrorNumber=EPERM \
		"IPAddressDeny=link-local multicast" NoNewPrivileges=yes CapabilityBoundingSet= \
		ProtectSystem=strict PrivateUsers=yes; do
		grep -qx -- "$d" "$UNIT" || { echo "missing: $d"; exit 1; }
	done
'

expect_success 'the sysusers.d entry makes the pouchd system user the unit runs as' '
	grep -Eqx "u pouchd - \"[^\"]+\" /var/lib/pouchd" "$SYSUSERS" &&
	if command -v systemd-sysusers >/dev/null 2>&1; then
		mkdir -p users/etc && systemd-sysusers --root="$PWD/users" "$SYSUSERS" &&
		grep -E "^pouchd:x:[0-9]+:[0-9]+:[^:]*:/var/lib/pouchd:" users/etc/passwd &&
		grep -E "^pouchd:x:[0-9]+:" users/etc/group
	fi
'

if command -v systemd-analyze >/dev/null 2>&1; then
	expect_success 'systemd-analyze verify accepts the unit without a warning' '
		sed "s|=/opt/x/sbin/|=$ROOT/opt/x/sbin/|" "$UNIT" >pouchd.service &&
		systemd-analyze verify --man=no "$PWD/pouchd.service" 2>verify.err &&
		cat verify.err && ! test -s verify.err
	'
	expect_success "systemd-analyze security: exposure below $EXPOSURE_MAX" '
		systemd-analyze security --offline=yes "$UNIT" >security.out 2>&1 &&
		score=$(sed -n "s/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p" \
			security.out) &&
		echo "exposure: $score" && test -n "$score" &&
		awk -v s="$score" -v m="$EXPOSURE_MAX" "BEGIN { exit !(s < m) }"
	'
else
	skip_test 'systemd-analyze verify accepts the unit' 'no systemd-analyze on this machine'
	skip_test "systemd-analyze security: exposure below $EXPOSURE_MAX" \
		'no systemd-analyze on this machine'
fi

expect_success 'make install again, then make uninstall: only what was there before is left' '
	mk install DESTDIR="$ROOT" PREFIX=/opt/x >make.log &&
	mk uninstall DESTDIR="$ROOT" PREFIX=/opt/x >uninstall.log &&
	test "$(files "$ROOT")" = ./opt/x/share/man/man1/other.1 &&
	test -d "$ROOT/opt/x/share/empty" &&
	test "$(cd "$ROOT" && find . -type d | LC_ALL=C sort | tr "\n" " ")" = \
		". ./opt ./opt/x ./opt/x/share ./opt/x/share/empty ./opt/x/share/man ./opt/x/share/man/man1 "
'

expect_success 'uninstall into a fresh DESTDIR removes the directories install made' '
	mk install DESTDIR="$TRASH/fresh" PREFIX=/usr BINDIR=/usr/games MANDIR=/usr/man \
		>make.log &&
	test -x "$TRASH/fresh/usr/games/pouch" && test -f "$TRASH/fresh/usr/man/man1/pouch.1" &&
	mk uninstall DESTDIR="$TRASH/fresh" PREFIX=/usr >uninstall.log &&
	test -z "$(ls -A "$TRASH/fresh")"
'

expect_success 'uninstall without an install says so (exit 2 from make)' '
	must_fail 2 mk uninstall DESTDIR="$TRASH/none" PREFIX=/opt/x &&
	grep "no manifest .*/none/opt/x/share/pouch/install-manifest" err
'

test_done
