#!/bin/sh
# Shell completion (cmd/pouch/completion): the bash and zsh scripts know every command that
# `pouch --help` lists and every long option that each `pouch CMD --help` and the global
# options show, so neither can drift from the program silently; and they really complete:
# commands, two-word commands, options, agency codes from the partner directory for --to
# (a list, case-insensitive, from the --home on the line), files and directories.
# bash: the script is sourced and its function called with COMP_WORDS/COMP_CWORD set. zsh
# (when installed): an interactive zsh on a pseudo-terminal (tests/e2e/zsh-complete.zsh).
. "$(dirname "$0")/lib.sh"

COMP="$SRC_DIR/cmd/pouch/completion"
# `pouch` on PATH, as a user types it; the scripts run it for the partner codes.
mkdir bin && ln -s "$POUCH_BIN" bin/pouch
PATH="$TRASH/bin:$PATH"

# The commands `pouch --help` lists (one or two words), and the long options of each.
pouch --help >help.out 2>&1
sed -n '/^commands:/,/^$/p' help.out |
	sed -n 's/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\)  .*$/\1/p' >commands
sed -n '/^options:/,/^$/p' help.out | grep -o -- '\(^\|[ ,]\)--*[a-z][a-z-]*' |
	sed 's/^[ ,]*//' | sort -u >globals
while read -r c; do
	# Quoted text is prose ("only in a gateway home ('pouch init --gateway')").
	# shellcheck disable=SC2086 # two-word commands split on purpose
	pouch $c --help 2>&1 | sed "s/'[^']*'//g" | grep -o -- '--[a-z][a-z-]*' |
		grep -vx -- --help | sort -u | sed "s/^/$c	/"
done <commands >options

expect_success 'pouch --help lists the commands, global options and their options' '
	test "$(wc -l <commands)" -ge 20 && grep -qx "partner add" commands &&
	grep -qx pack commands && grep -qx -- --home globals && grep -qx -- --json globals &&
	grep -qx -- -q globals && grep -qx "pack	--to" options
'

# bash_complete WORD...: the completions bash offers for the last WORD, one per line.
cat >complete.bash <<'EOS'
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_pouch
printf '%s\n' "${COMPREPLY[@]}"
EOS
bash_complete() {
	bash complete.bash "$COMP/pouch.bash" "$@"
}

# has_all FILE WANTED: every line of WANTED is a line of FILE.
has_all() {
	_missing=$(sort -u "$2" | comm -23 - "$(sort -u "$1" >"$1.s" && echo "$1.s")")
	[ -z "$_missing" ] || { echo "missing:"; echo "$_missing"; return 1; }
}

expect_success 'bash: every command and every second word completes' '
	bash_complete pouch "" >top &&
	cut -d" " -f1 commands | sort -u >want && has_all top want &&
	for first in $(grep " " commands | cut -d" " -f1 | sort -u); do
		bash_complete pouch "$first" "" >sub &&
		grep "^$first " commands | cut -d" " -f2 >want && has_all sub want || exit 1
	done
'

expect_success 'bash: the global options, and every option of every command' '
	bash_complete pouch - >got && has_all got globals &&
	while read -r c; do
		# shellcheck disable=SC2086
		bash_complete pouch $c -- >got &&
		grep "^$c	" options | cut -f2 >want && has_all got want &&
		bash_complete pouch $c - >got && has_all got globals || { echo "in: $c"; exit 1; }
	done <commands
'

expect_success 'bash: commands, options and option values complete' '
	test "$(bash_complete pouch pa | tr "\n" " ")" = "pack partner " &&
	test "$(bash_complete pouch pack --t)" = --to &&
	test "$(bash_complete pouch partner a | tr "\n" " ")" = "add add-key " &&
	test "$(bash_complete pouch --home h whoami --js)" = --json &&
	test "$(bash_complete pouch pack --priority ur)" = urgent &&
	test "$(bash_complete pouch help ver)" = verify
'

expect_success 'bash: files where a FILE is expected, directories where a DIR is' '
	mkdir reports.d && : >report.json && : >report.txt &&
	test "$(bash_complete pouch pack --report report.j)" = report.json &&
	test "$(bash_complete pouch verify report.t)" = report.txt &&
	test "$(bash_complete pouch open x.pouch -o rep)" = reports.d &&
	test "$(bash_complete pouch --home rep)" = reports.d
'

# A home with two partners, for the agency codes.
expect_success 'a home with the partners GB-NCA-CEOP and US-NCMEC' '
	init_agency a GB-MET &&
	testkeys_make "$KEYS" GB-NCA-CEOP >/dev/null && testkeys_make "$KEYS" US-NCMEC >/dev/null &&
	pouch --home a partner add GB-NCA-CEOP --key GB-NCA-CEOP.asc -q &&
	pouch --home a partner add US-NCMEC --key US-NCMEC.asc -q
'

expect_success 'bash: agency codes from the partner directory of the --home on the line' '
	test "$(bash_complete pouch --home a pack --to "" | tr "\n" " ")" = \
		"GB-NCA-CEOP US-NCMEC " &&
	test "$(bash_complete pouch pack --home a --to u)" = US-NCMEC &&
	test "$(bash_complete pouch pack --home=a --to GB-NCA-CEOP,U)" = GB-NCA-CEOP,US-NCMEC &&
	test "$(bash_complete pouch --home a pack --to=gb)" = --to=GB-NCA-CEOP &&
	test "$(bash_complete pouch --home a partner show US)" = US-NCMEC &&
	test "$(bash_complete pouch --home a pull --from G)" = GB-NCA-CEOP &&
	test -z "$(bash_complete pouch --home nohome pack --to "")"
'

if command -v zsh >/dev/null 2>&1; then
	# zsh_complete <LINES: "N<TAB>MATCH" rows (zsh-complete.zsh).
	zsh_complete() {
		timeout 600 zsh -f "$SRC_DIR/tests/e2e/zsh-complete.zsh" "$COMP"
	}
	# zsh_matches N: the matches of line N.
	zsh_matches() {
		awk -F "	" -v n="$1" "\$1 == n { print \$2 }" zsh.out
	}

	expect_success 'zsh: the script parses' 'zsh -n "$COMP/_pouch"'

	expect_success 'zsh: every command, every option of every command, the global options' '
		{ echo "" && cut -d" " -f1 commands | sort -u | sed "s/\$/ /" &&
			sed "s/\$/ --/" commands && sed "s/\$/ -/" commands && echo -; } |
			sed "s/^/pouch /" >lines && zsh_complete <lines >zsh.out &&
		n=0 && while IFS= read -r line; do
			n=$((n + 1)) && zsh_matches $n >got &&
			case $line in
			"pouch ") cut -d" " -f1 commands >want ;;
			"pouch -") cp globals want ;;
			*" --") c=${line#pouch } c=${c% --} &&
				grep "^$c	" options | cut -f2 >want ;;
			*" -") cp globals want ;;
			*) f=${line#pouch } f=${f% } && : >want &&
				{ grep "^$f " commands | cut -d" " -f2 >want || :; } ;;
			esac && has_all got want || { echo "for: $line"; exit 1; }
		done <lines
	'

	expect_success 'zsh: commands, options, agency codes and files complete' '
		mkdir reports.z && : >reports.f && cat >lines <<-\EOL &&
		pouch pa
		pouch pack --t
		pouch partner a
		pouch --home a pack --to 
		pouch pack --home a --to u
		pouch pack --home=a --to=GB-NCA-CEOP,U
		pouch --home a partner show 
		pouch pack --priority ur
		pouch open x.pouch -o reports.
		EOL
		zsh_complete <lines >zsh.out &&
		test "$(zsh_matches 1 | tr "\n" " ")" = "pack partner " &&
		test "$(zsh_matches 2)" = --to &&
		test "$(zsh_matches 3 | tr "\n" " ")" = "add add-key " &&
		test "$(zsh_matches 4 | sort | tr "\n" " ")" = "GB-NCA-CEOP US-NCMEC " &&
		test "$(zsh_matches 5)" = US-NCMEC &&
		zsh_matches 6 | grep -qx US-NCMEC &&
		test "$(zsh_matches 7 | sort | tr "\n" " ")" = "GB-NCA-CEOP US-NCMEC " &&
		test "$(zsh_matches 8)" = urgent &&
		zsh_matches 9 | grep -x "reports.z" && ! zsh_matches 9 | grep -x "reports.f"
	'
else
	skip_test 'zsh: the script parses' 'no zsh on this machine'
	skip_test 'zsh: every command, every option of every command, the global options' \
		'no zsh on this machine'
	skip_test 'zsh: commands, options, agency codes and files complete' 'no zsh on this machine'
fi

test_done
