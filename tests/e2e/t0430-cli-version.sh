#!/bin/sh
# pouch --version and pouchd --version: the program's version on the first line, then the
# version of each library in use, as the running program sees it, one "NAME VERSION" a line.
. "$(dirname "$0")/lib.sh"

POUCHD_BIN="$POUCH_BUILD/pouchd"
version=$(cat "$SRC_DIR/VERSION")

# lib_version FILE NAME: the version FILE gives for library NAME.
lib_version() {
	sed -n "s/^$2 \([^ ]*\).*/\1/p" "$1"
}

expect_success 'pouch --version: the version first, then every library with a version' '
	pouch --version >out &&
	head -n 1 out | grep -Eq "^pouch $version( \(test build with fault injection\))?$" &&
	for lib in GPGME gpg libcurl GnuTLS SQLite jansson libarchive; do
		lib_version out $lib | grep -Eq "^[0-9]+\.[0-9]+" ||
			{ echo "no version for $lib"; cat out; exit 1; }
	done &&
	test "$(wc -l <out)" -eq 8
'

expect_success 'the gpg line is the gpg GnuPG runs' '
	pouch --version >out &&
	test "$(lib_version out gpg)" = "$(gpg --version | sed -n "1s/^gpg (GnuPG) //p")"
'

expect_success 'the library lines are the installed libraries where pkg-config knows them' '
	command -v pkg-config >/dev/null || exit 0
	pouch --version >out &&
	for pair in GPGME:gpgme GnuTLS:gnutls SQLite:sqlite3 jansson:jansson \
		libarchive:libarchive libcurl:libcurl; do
		name=${pair%%:*} pc=${pair#*:}
		want=$(pkg-config --modversion "$pc" 2>/dev/null) || continue
		test "$(lib_version out "$name")" = "$want" ||
			{ echo "$name: $(lib_version out "$name"), pkg-config: $want"; exit 1; }
	done
'

expect_success '--version with --json, before or after, is one JSON object' '
	for args in "--version --json" "--json --version"; do
		pouch $args >out &&
		"$SYSTEM_PYTHON" - "$version" <<-\EOT || exit 1
		import json, sys
		v = json.load(open("out"))
		assert v["version"] == sys.argv[1], v
		for k in ("gpgme", "gpg", "libcurl", "gnutls", "sqlite", "jansson", "libarchive"):
		    assert v["libraries"][k][0].isdigit(), (k, v)
		EOT
	done
'

# libcurl and libarchive (and the dozens of libraries they need) are loaded by the commands that
# use them, not at every start: the loader's own account (LD_DEBUG) names what it opened.
expect_success 'libcurl and libarchive are loaded only by what uses them' '
	! ldd "$POUCH_BUILD/pouch" | grep -E "libcurl|libarchive" &&
	LD_DEBUG=files pouch --home "$TRASH/h" help >/dev/null 2>ld.out &&
	! grep -E "file=(libcurl|libarchive)" ld.out && grep "file=libgpgme" ld.out &&
	LD_DEBUG=files pouch --version >/dev/null 2>ld.out &&
	grep "file=libcurl.so.4 " ld.out && grep "file=libarchive.so.13 " ld.out
'

expect_success '--version needs no home and makes none' '
	pouch --home "$TRASH/none" --version >out &&
	test ! -e "$TRASH/none" && test ! -e "$HOME/.local"
'

expect_success 'pouchd --version: its version, then its libraries' '
	"$POUCHD_BIN" --version >out &&
	head -n 1 out | grep -Eq "^pouchd $version( \(test build with fault injection\))?$" &&
	for lib in GPGME gpg libmicrohttpd GnuTLS SQLite jansson libarchive; do
		lib_version out $lib | grep -Eq "^[0-9]+\.[0-9]+" ||
			{ echo "no version for $lib"; cat out; exit 1; }
	done
'

test_done
