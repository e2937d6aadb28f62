#!/bin/sh
# make deb (packaging/deb.sh): the Debian package holds what make install puts under /usr
# (man pages compressed, the unit in /lib/systemd/system, zsh completion where Debian's zsh
# looks), with copyright, changelog.Debian.gz, md5sums, the maintainer scripts and Depends
# from the programs' libraries plus gnupg, and lintian finds no error in it. The programs of
# POUCH_BUILD are packaged as they are (DEB_PROGRAMS): nothing is compiled here. Skipped
# where dpkg-dev or lintian is missing (`make deb` installs them).
. "$(dirname "$0")/lib.sh"

for tool in dpkg-deb dpkg-shlibdeps lintian strip; do
	command -v $tool >/dev/null 2>&1 && continue
	echo "1..0 # skip no $tool on this machine (make deb installs it)"
	exit 0
done

VERSION=$(cat "$SRC_DIR/VERSION")
DEB=$TRASH/out/pouch_$VERSION-1_$(dpkg --print-architecture).deb

expect_success 'deb.sh builds the package and lintian finds no error' '
	DEB_PROGRAMS="$POUCH_BUILD" sh "$SRC_DIR/packaging/deb.sh" "$TRASH/out" "$VERSION" \
		>deb.log 2>&1 || { cat deb.log; exit 1; }
	test -f "$DEB" && grep "lintian found no error" deb.log &&
	! grep "^E: " deb.log
'

expect_success 'its files: programs, man pages, completion, unit, user, docs' '
	dpkg-deb -c "$DEB" >contents && dpkg-deb -x "$DEB" x &&
	for f in usr/bin/pouch usr/sbin/pouchd lib/systemd/system/pouchd.service \
		usr/lib/sysusers.d/pouchd.conf usr/share/bash-completion/completions/pouch \
		usr/share/zsh/vendor-completions/_pouch usr/share/doc/pouch/copyright \
		usr/share/doc/pouch/changelog.Debian.gz usr/share/doc/pouch/examples/pouchd.json \
		usr/share/doc/pouch/spec/protocol.md usr/share/man/man1/pouch.1.gz; do
		test -f "x/$f" || { echo "missing: $f"; exit 1; }
	done &&
	! grep -e install-manifest -e "^-.*/usr/share/man/.*[^z]$" -e "/usr/local" contents &&
	! grep -v " root/root " contents &&
	grep -x "ExecStart=/usr/sbin/pouchd --config /etc/pouchd/pouchd.json" \
		x/lib/systemd/system/pouchd.service &&
	test "$(x/usr/bin/pouch --version | head -1)" = "$("$POUCH_BIN" --version | head -1)"
'

expect_success 'its control file: version, Depends (libraries and gnupg), scripts, md5sums' '
	dpkg-deb -e "$DEB" ctl &&
	grep -x "Version: $VERSION-1" ctl/control &&
	grep "^Depends: .*libgpgme11.*, gnupg$" ctl/control &&
	grep "^Depends: .*libc6 (>= " ctl/control &&
	grep "^Depends: .*libcurl4 (>= .*libarchive13 (>= " ctl/control &&
	test -x ctl/postinst && test -x ctl/prerm && test -x ctl/postrm &&
	grep systemd-sysusers ctl/postinst &&
	(cd x && md5sum -c --quiet ../ctl/md5sums) &&
	test "$(wc -l <ctl/md5sums)" = "$(grep -c "^-" contents)"
'

test_done
