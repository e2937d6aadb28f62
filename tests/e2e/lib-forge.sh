# Hostile packages for the open tests, sourced after lib.sh: forge-package.py, and what a
# refused open must leave (nothing). The centre ceop and the force met, fingerprints $C, $M.
forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }
# nothing_left: no output directory 'opened', no partial one beside it, no seen record at met.
nothing_left() {
	test ! -e opened && ! ls -a . | grep -q "opened.part" &&
	test -z "$(ls met/seen 2>/dev/null)"
}
# forged OUT key=value...: a package forged by the centre for the force.
forged() {
	_out=$1
	shift
	forge ceop/gnupg "$_out" signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M "$@"
}
# setup_forge: the centre and the force, partners; their fingerprints into ./fprs.
setup_forge() {
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	C=$(fpr ceop) && M=$(fpr met) && echo "C=$C M=$M" >fprs
}
