#!/bin/sh
# `make deb`: a Debian package of this tree. Builds the programs with Debian's build flags in
# OUT/build, stages them with `make install PREFIX=/usr` in OUT/debian/pouch, adds what a binary
# package carries (control file with the dependencies dpkg-shlibdeps computes plus gnupg,
# maintainer scripts, md5sums, copyright, changelog.Debian.gz, compressed man pages), builds
# OUT/pouch_VERSION-REVISION_ARCH.deb and runs lintian on it: an error fails, warnings are
# printed. Environment: MAKE, DEB_REVISION (default 1), DEB_MAINTAINER, and DEB_PROGRAMS: a
# build directory whose pouch and pouchd are packaged as they are (for tests; nothing is built).
#
#   sh packaging/deb.sh OUT VERSION
set -eu

[ $# -eq 2 ] || { echo "usage: deb.sh OUT VERSION" >&2; exit 2; }
out=$1 version=$2-${DEB_REVISION:-1}
maintainer=${DEB_MAINTAINER:-pouch maintainers <pouch@example.org>}
make=${MAKE:-make}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
arch=$(dpkg --print-architecture)
deb=$out/pouch_${version}_$arch.deb
umask 022

cd "$top"
rm -rf "$out/debian" "$deb"
mkdir -p "$out/debian"
# dpkg-shlibdeps finds the package's tree as debian/PACKAGE, beside a debian/control.
printf 'Source: pouch\n\nPackage: pouch\nArchitecture: any\n' >"$out/debian/control"
root=$(cd "$out" && pwd)/debian/pouch

# The programs with Debian's hardening flags, in a build directory of their own.
if [ -n "${DEB_PROGRAMS:-}" ]; then
	build=$DEB_PROGRAMS
else
	build=$out/build
	$make --no-print-directory all BUILD="$build" CFLAGS="$(dpkg-buildflags --get CFLAGS)" \
		EXTRA_CFLAGS="$(dpkg-buildflags --get CPPFLAGS)" \
		LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
fi
# Debian 12 keeps units in /lib/systemd/system.
$make --no-print-directory -o all install BUILD="$build" DESTDIR="$root" PREFIX=/usr \
	UNITDIR=/lib/systemd/system >/dev/null

# dpkg keeps the list of the package's files; install's own manifest is not shipped.
rm -f "$root/usr/share/pouch/install-manifest"
rmdir "$root/usr/share/pouch"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$root/usr/bin/pouch" "$root/usr/sbin/pouchd"
find "$root/usr/share/man" -type f -exec gzip -9n {} +
doc=$root/usr/share/doc/pouch
sed "s|@MAINTAINER@|$maintainer|" "$here/deb/copyright" >"$doc/copyright"
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
{
	echo "pouch ($version) unstable; urgency=medium"
	echo
	echo "  * Built from the pouch source tree with make deb."
	echo
	echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$when")"
} | gzip -9n >"$doc/changelog.Debian.gz"

# Lintian's overrides, each with its reason.
install -D -m 0644 "$here/deb/lintian-overrides" "$root/usr/share/lintian/overrides/pouch"

# Dependencies: the shared libraries the programs link, and gnupg for the gpg and gpg-agent
# that GPGME runs.
mkdir -p "$root/DEBIAN"
shlibs=$(cd "$out" && dpkg-shlibdeps -O debian/pouch/usr/bin/pouch debian/pouch/usr/sbin/pouchd |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# libcurl and libarchive are loaded when first needed (pkg/base/dynlib.h), so dpkg-shlibdeps
# does not see them: their packages come from the shlibs files of the sonames pouch loads.
for lib in "libcurl 4" "libarchive 13"; do
	dep=$(sed -n "s/^$lib //p" /var/lib/dpkg/info/*.shlibs 2>/dev/null | head -n 1)
	[ -n "$dep" ] || { echo "deb.sh: no package provides $lib" >&2; exit 1; }
	shlibs="$shlibs, $dep"
done

for s in postinst prerm postrm; do
	install -m 0755 "$here/deb/$s" "$root/DEBIAN/$s"
done
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
	-e "s|@SIZE@|$(du -sk --exclude=DEBIAN "$root" | cut -f1)|" \
	-e "s|@DEPENDS@|$shlibs, gnupg|" "$here/deb/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
	LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

SOURCE_DATE_EPOCH=$when dpkg-deb --root-owner-group --build "$root" "$deb"
echo "deb.sh: built $deb"
lintian --fail-on error --display-level '>=warning' "$deb"
echo "deb.sh: lintian found no error in $deb"
