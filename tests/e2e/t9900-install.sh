#!/bin/sh
# make install: pouchd's systemd unit follows PREFIX, carries the sandbox that systemd's own
# `systemd-analyze security` asks for (exposure below EXPOSURE_MAX), and the pouchd user comes
# from a sysusers.d entry. Nothing is built here: the binaries come from POUCH_BUILD.
# T9900_UNIT=FILE checks FILE instead of the installed unit, to show that the checks fail on an
# older unit (git show main:cmd/pouchd/pouchd.service >/tmp/old.service;
# T9900_UNIT=/tmp/old.service prove tests/e2e/t9900-install.sh).
. "$(dirname "$0")/lib.sh"

ROOT=$TRASH/root
UNIT=${T9900_UNIT:-$ROOT/opt/x/lib/systemd/system/pouchd.service}
SYSUSERS=$ROOT/opt/x/lib/sysusers.d/pouchd.conf
EXPOSURE_MAX=2.0

expect_success 'make install DESTDIR=... PREFIX=/opt/x installs the programs, unit and user entry' '
	make -s -C "$SRC_DIR" -o all install BUILD="$POUCH_BUILD" DESTDIR="$ROOT" PREFIX=/opt/x \
		>make.log &&
	test -x "$ROOT/opt/x/bin/pouch" && test -x "$ROOT/opt/x/bin/pouchd" &&
	test -f "$ROOT/opt/x/share/man/man1/pouch.1" &&
	test -f "$ROOT/opt/x/share/doc/pouch/protocol.md" &&
	test -f "$ROOT/opt/x/lib/systemd/system/pouchd.service" && test -f "$SYSUSERS" &&
	! test -e "$ROOT/usr" && ! test -e "$ROOT/etc"
'

expect_success 'the unit runs pouchd from PREFIX, and no template placeholder is left' '
	grep -x "ExecStart=/opt/x/bin/pouchd --config /etc/pouchd/pouchd.json" "$UNIT" &&
	grep -x "Documentation=man:pouch(1) file:/opt/x/share/doc/pouch/protocol.md" "$UNIT" &&
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
		sed "s|=/opt/x/bin/|=$ROOT/opt/x/bin/|" "$UNIT" >pouchd.service &&
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

test_done
