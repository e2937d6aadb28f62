# Test and demo material only: the exact commands that make the throwaway OpenPGP keys pouch's
# tests and demo use. Never use these keys, or keys made this way, for real packages.
# Sourced by tests/e2e/lib.sh; every function works in the GnuPG home given as $1, which the
# caller creates short (mktemp -d /tmp/ph.XXXXXX: gpg-agent's socket path has a length limit)
# and stops with 'gpgconf --homedir DIR --kill all'.

# gpg in that home, unattended, with an empty passphrase.
testkeys_gpg() {
	_h=$1
	shift
	gpg --homedir "$_h" --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"
}

# testkeys_make HOME NAME [SUBKEY_USAGE [EXPIRY [FAKED_TIME]]]
# Makes an ed25519 key with user ID NAME (sign, certify) and, unless SUBKEY_USAGE is "none",
# a cv25519 subkey for SUBKEY_USAGE (default encr), both expiring after EXPIRY (default 1y),
# created at FAKED_TIME (gpg's --faked-system-time, e.g. 20200101T000000) when given.
# Writes NAME.asc (armored public key) and NAME.fpr (primary fingerprint) in the current
# directory, and NAME.rev (a revocation certificate for the key).
testkeys_make() {
	_h=$1 _name=$2 _usage=${3:-encr} _exp=${4:-1y} _fake=
	# Frozen ("!"): a clock that ran on from FAKED_TIME would date the key a second after
	# the start, and the subkey's gpg, starting at FAKED_TIME again, would find it in the
	# future ("Time conflict") whenever the first gpg took a second or more.
	[ -n "${5:-}" ] && _fake="--faked-system-time ${5%!}!"
	# shellcheck disable=SC2086
	testkeys_gpg "$_h" $_fake --quick-gen-key "$_name" ed25519 sign,cert "$_exp" || return 1
	_fpr=$(gpg --homedir "$_h" --with-colons --list-keys "=$_name" |
		awk -F: '/^fpr/ { print $10; exit }')
	[ -n "$_fpr" ] || return 1
	if [ "$_usage" != none ]; then
		# shellcheck disable=SC2086
		testkeys_gpg "$_h" $_fake --quick-add-key "$_fpr" cv25519 "$_usage" "$_exp" ||
			return 1
	fi
	testkeys_gpg "$_h" --armor --export "$_fpr" >"$_name.asc" || return 1
	echo "$_fpr" >"$_name.fpr"
	# gpg keeps a revocation certificate for every key it makes, its armor line disarmed
	# with a leading ':' so that it is not imported by accident.
	sed 's/^:-----BEGIN/-----BEGIN/' "$_h/openpgp-revocs.d/$_fpr.rev" >"$_name.rev"
}

# testkeys_secret HOME NAME: writes NAME.sec.asc, the armored secret key of NAME.
testkeys_secret() {
	testkeys_gpg "$1" --armor --export-secret-keys "$(cat "$2.fpr")" >"$2.sec.asc"
}

# testkeys_revoked HOME NAME: writes NAME.revoked.asc, NAME's public key with its revocation.
testkeys_revoked() {
	testkeys_gpg "$1" --import "$2.rev" &&
		testkeys_gpg "$1" --armor --export "$(cat "$2.fpr")" >"$2.revoked.asc"
}
