#!/bin/sh
# `make install` and `make uninstall`. install copies the files listed on standard input and
# records in a manifest each file it wrote and each directory it had to create; uninstall
# removes exactly those, the directories only when nothing else has been put in them since.
#
#   sh packaging/install.sh install DESTDIR MANIFEST <list   (lines: MODE SOURCE TARGET)
#   sh packaging/install.sh uninstall DESTDIR MANIFEST
#
# TARGET and MANIFEST are absolute paths without DESTDIR, and the manifest names them that way
# ("f PATH" for a file, "d PATH" for a directory), so a staged tree's manifest names the paths
# the files will have. Installing again adds to the manifest of the install before.
set -eu

die() {
	echo "install.sh: $*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: install.sh install|uninstall DESTDIR MANIFEST"
action=$1 dest=$2 manifest=$3
case $manifest in /*) ;; *) die "manifest path '$manifest' is not absolute" ;; esac
tmp=$(mktemp) || die "cannot make a temporary file"
trap 'rm -f "$tmp"' EXIT

# mkdirs DIR: creates DIR (absolute, without DESTDIR) and its missing parents, noting each.
mkdirs() {
	_path=
	# shellcheck disable=SC2086 # split on '/' on purpose
	IFS=/ && set -f && set -- $1 && unset IFS && set +f
	for _c in "$@"; do
		[ -n "$_c" ] || continue
		_path=$_path/$_c
		[ -d "$dest$_path" ] && continue
		mkdir -m 0755 "$dest$_path" || die "cannot create directory '$dest$_path'"
		echo "d $_path" >>"$tmp"
	done
}

install_files() {
	[ -z "$dest" ] || mkdir -p "$dest" || die "cannot create '$dest'"
	[ ! -f "$dest$manifest" ] || cat "$dest$manifest" >>"$tmp"
	while read -r mode src target; do
		[ -n "$mode" ] || continue
		case $target in /*) ;; *) die "target '$target' is not absolute" ;; esac
		[ -f "$src" ] || die "cannot install '$src': no such file"
		mkdirs "$(dirname "$target")"
		install -m "$mode" "$src" "$dest$target" || die "cannot install '$dest$target'"
		echo "f $target" >>"$tmp"
	done
	mkdirs "$(dirname "$manifest")"
	echo "f $manifest" >>"$tmp"
	if ! awk '!seen[$0]++' "$tmp" >"$dest$manifest.new" ||
		! mv "$dest$manifest.new" "$dest$manifest"; then
		die "cannot write the manifest '$dest$manifest'"
	fi
	echo "installed $(grep -c '^f ' "$dest$manifest") files; manifest: $dest$manifest"
}

uninstall_files() {
	[ -f "$dest$manifest" ] ||
		die "no manifest '$dest$manifest': nothing was installed with these PREFIX and DESTDIR"
	cp "$dest$manifest" "$tmp"
	while read -r kind path; do
		[ "$kind" = f ] || continue
		rm -f "$dest$path" || die "cannot remove '$dest$path'"
	done <"$tmp"
	# The deepest directories first; one that holds something else stays.
	grep '^d ' "$tmp" | cut -c3- | sort -r | while read -r path; do
		[ -d "$dest$path" ] || continue
		rmdir "$dest$path" 2>/dev/null || echo "kept '$dest$path': not empty"
	done
	echo "removed $(grep -c '^f ' "$tmp") files"
}

case $action in
install) install_files ;;
uninstall) uninstall_files ;;
*) die "unknown action '$action'" ;;
esac
