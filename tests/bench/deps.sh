#!/bin/sh
# make bench's own Debian packages (BENCH_DEBS in the Makefile: wrk, nginx, ...), installed when
# missing as `make deps` does. nginx is only a baseline the bench runs as its own foreground
# child: no service may start while apt-get installs it, and its unit is left disabled.
# Usage: sh tests/bench/deps.sh PACKAGE...
set -eu

missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "make bench: missing Debian packages; run as root:" >&2
	echo "apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

# policy-rc.d answering 101 forbids every service start (invoke-rc.d, deb-systemd-invoke) for
# the duration of the install; an existing one is put back afterwards, whatever happens.
POLICY=/usr/sbin/policy-rc.d
SAVED=$POLICY.pouch-bench
restore() {
	rm -f "$POLICY"
	if [ -e "$SAVED" ] || [ -L "$SAVED" ]; then mv "$SAVED" "$POLICY"; fi
}
if [ -e "$SAVED" ] || [ -L "$SAVED" ]; then
	echo "make bench: $SAVED exists (an interrupted run?); put it back as $POLICY first" >&2
	exit 1
fi
if [ -e "$POLICY" ] || [ -L "$POLICY" ]; then mv "$POLICY" "$SAVED"; fi
trap restore EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

echo "installing for make bench:$missing"
apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
# The packages enable their units for the next boot; the ones installed here stay off.
for p in $missing; do
	case $p in
	nginx*)
		if command -v systemctl >/dev/null 2>&1; then
			systemctl disable --quiet nginx.service 2>/dev/null || :
		fi
		if command -v update-rc.d >/dev/null 2>&1; then
			update-rc.d nginx disable >/dev/null 2>&1 || :
		fi
		;;
	esac
done
