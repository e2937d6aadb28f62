#!/bin/sh
# Writes on stdout the C source of the pages `pouch help` prints: each built man page given as
# an argument (NAME.N), rendered as plain text by mandoc, one string per line.
set -eu

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp" "$tmp.roff"' EXIT

echo '/* Generated from the man pages in docs/man by docs/man/help-pages.sh: do not edit. */'
echo '#include <stddef.h>'
echo
echo '#include "cmd.h"'
n=0
for page in "$@"; do
	mandoc -Tascii "$page" >"$tmp.roff"
	col -bx <"$tmp.roff" >"$tmp"
	rm -f "$tmp.roff"
	echo
	echo "static const char *const page$n[] = {"
	# Backslash and quote escaped; every '?' too, so that no "??x" is read as a trigraph.
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/\t"/' -e 's/$/",/' "$tmp"
	echo '	NULL,'
	echo '};'
	n=$((n + 1))
done
echo
echo 'const struct help_page help_pages[] = {'
n=0
for page in "$@"; do
	name=$(basename "$page")
	echo "	{ \"${name%.*}\", page$n },"
	n=$((n + 1))
done
echo '	{ NULL, NULL },'
echo '};'
