# bash completion for pouch                                        -*- shell-script -*-
# Installed as share/bash-completion/completions/pouch (or `source` this file). Completes the
# commands (two-word ones such as `partner add` too), each command's options, the global
# options anywhere on the line, agency codes from `pouch partner list` where a CODE is
# expected (--to A,B as a list), and files or directories where a FILE or DIR is.
# tests/e2e/t9910-completion.sh checks that it knows every command and option `pouch` has.
# Words compgen -W gives (commands, options, codes) have no blanks, hence unquoted $(...).
# shellcheck disable=SC2046

_pouch_commands='audit ceiling endpoint forward help inbox init key open outbox pack partner
permit pull push report route show status verify whoami'
_pouch_globals='--home --json -q --quiet --help'

# _pouch_subcommands WORD: the second words of the two-word commands starting with WORD.
_pouch_subcommands() {
	case $1 in
	audit) echo 'show verify' ;;
	endpoint) echo 'set show' ;;
	key) echo 'add export rotate' ;;
	outbox) echo 'cancel retry' ;;
	partner) echo 'add add-key list remove revoke set show' ;;
	report) echo 'new validate' ;;
	esac
}

# _pouch_options COMMAND: the options of COMMAND ("partner add" for a two-word one).
_pouch_options() {
	case $1 in
	'audit show' | 'audit verify' | 'endpoint show' | 'partner list' | \
		'partner show' | 'report validate' | status | verify | whoami) echo '--json' ;;
	show) echo '--format -o --output --force --json' ;;
	'endpoint set') echo '--endpoint --ca --pin --client-cert --client-key' ;;
	inbox) echo '--from --priority --opened --unopened --since --until --json' ;;
	init) echo '--agency --code --name --expires --passphrase-file --no-passphrase --force
		--gateway --key --fingerprint' ;;
	'key add') echo '--key --fingerprint --overlap' ;;
	'key export') echo '-o --output --force' ;;
	'key rotate') echo '--overlap --expires --passphrase-file --no-passphrase -o --output' ;;
	open) echo '-o --output --passphrase-file --json' ;;
	outbox) echo '--all --json' ;;
	'outbox cancel' | 'outbox retry') echo '--to --json' ;;
	pack) echo '--to --report --attach --priority --expires --no-self -o --output
		--passphrase-file --batch -j --jobs --all-or-nothing' ;;
	'partner add') echo '--key --fingerprint --name --endpoint --ca --pin --client-cert
		--client-key --client-cn' ;;
	'partner add-key') echo '--key --fingerprint --overlap' ;;
	ceiling) echo '--json' ;;
	forward) echo '--to --permission --expires --no-self -o --output --passphrase-file
		--json' ;;
	permit) echo '--to --expires -o --output --passphrase-file --json' ;;
	'partner revoke') echo '--revocation' ;;
	'partner set') echo '--endpoint --no-endpoint --ca --pin --no-tls --client-cert
		--client-key --no-client --client-cn --no-client-cn' ;;
	pull) echo '--from --limit --passphrase-file --json' ;;
	push) echo '--endpoint --retries --parallel --json' ;;
	'report new') echo '--scheme --template -o --output --json' ;;
	route) echo '--table -o --output --force --allow-unrouted --batch-out --json' ;;
	esac
}

# _pouch_argument COMMAND OPTION: what OPTION's argument is (file, dir, code, codes,
# priority, scheme, template, format, value), or nothing when it takes none.
_pouch_argument() {
	case $2 in
	--home) echo dir ;;
	--report | --attach | --key | --ca | --client-cert | --client-key | --revocation | \
		--passphrase-file | --permission | --batch | --table | --batch-out) echo file ;;
	-o | --output) case $1 in open | route) echo dir ;; *) echo file ;; esac ;;
	--to) case $1 in outbox* | permit) echo code ;; *) echo codes ;; esac ;;
	--from) echo code ;;
	--priority) echo priority ;;
	--scheme) echo scheme ;;
	--template) echo template ;;
	--format) echo format ;;
	--agency | --code | --name | --expires | --fingerprint | --overlap | --endpoint | --pin | \
		--client-cn | --limit | --retries | --parallel | --since | --until | -j | --jobs) echo value ;;
	esac
}

# _pouch_codes POUCH HOME: the agency codes in the partner directory of HOME (pouch's default
# home when empty).
_pouch_codes() {
	local pouch=$1
	shift
	"$pouch" ${1:+--home "$1"} -q partner list 2>/dev/null |
		awk '$1 ~ /^[A-Z0-9][A-Z0-9-]+$/ && $1 != "CODE" { print $1 }'
}

# _pouch_reply PREFIX WORD...: COMPREPLY is PREFIX followed by each WORD, each once.
_pouch_reply() {
	local prefix=$1 w seen=' '
	shift
	COMPREPLY=()
	for w in "$@"; do
		[[ $seen == *" $w "* ]] && continue
		seen="$seen$w "
		COMPREPLY+=("$prefix$w")
	done
}

_pouch() {
	local words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' opt='' prefix='' cmd='' sub='' home='' npos=0 i w kind
	local IFS=$' \t\n'
	COMPREPLY=()
	[ "$cword" -gt 0 ] && prev=${words[cword - 1]}

	# What is on the line before the word being completed: the command, its second word, the
	# home (for the partner codes) and how many arguments.
	i=1
	while [ "$i" -lt "$cword" ]; do
		w=${words[i]}
		case $w in
		--home=*) home=${w#--home=} ;;
		-*)
			if [ -n "$(_pouch_argument "$cmd" "$w")" ] && [ $((i + 1)) -lt "$cword" ]; then
				[ "${words[i + 1]}" = = ] && [ $((i + 2)) -lt "$cword" ] && i=$((i + 1))
				[ "$w" = --home ] && home=${words[i + 1]}
				i=$((i + 1))
			fi
			;;
		=) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -z "$sub" ] && [ -n "$(_pouch_subcommands "$cmd")" ]; then
				sub=$w
			else
				npos=$((npos + 1))
			fi
			;;
		esac
		i=$((i + 1))
	done
	[ -n "$sub" ] && cmd="$cmd $sub"

	# An option's argument: --opt ARG, --opt=ARG (one word, or three where bash breaks at '=').
	if [ "$cur" = = ] && [ "${prev#-}" != "$prev" ]; then
		opt=$prev cur=
	elif [ "$prev" = = ] && [ "$cword" -ge 2 ]; then
		opt=${words[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
	elif [ "${prev#-}" != "$prev" ]; then
		opt=$prev
	fi
	kind=
	[ -n "$opt" ] && kind=$(_pouch_argument "$cmd" "$opt")
	case $kind in
	file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	code | codes)
		# A list: complete its last item. Codes are case-insensitive on input.
		if [ "$kind" = codes ] && [[ $cur == *,* ]]; then
			prefix=$prefix${cur%,*}, cur=${cur##*,}
		fi
		_pouch_reply "$prefix" $(compgen -W "$(_pouch_codes "${words[0]}" "$home")" \
			-- "${cur^^}")
		return 0
		;;
	priority)
		_pouch_reply "$prefix" $(compgen -W 'immediate urgent routine information' -- "$cur")
		return 0
		;;
	scheme)
		_pouch_reply "$prefix" $(compgen -W 'uk-3x5x2 uk-5x5x5 europol-4x4' -- "$cur")
		return 0
		;;
	template)
		_pouch_reply "$prefix" $(compgen -W 'dissemination referral immediate' -- "$cur")
		return 0
		;;
	format)
		_pouch_reply "$prefix" $(compgen -W 'text json html' -- "$cur")
		return 0
		;;
	value) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		if [ -z "$cmd" ]; then
			_pouch_reply '' $(compgen -W "$_pouch_globals --version" -- "$cur")
		else
			_pouch_reply '' $(compgen -W "$(_pouch_options "$cmd") $_pouch_globals" -- "$cur")
		fi
		return 0
	fi
	if [ -z "$cmd" ]; then
		_pouch_reply '' $(compgen -W "$_pouch_commands" -- "$cur")
		return 0
	fi
	if [ -z "$sub" ] && [ -n "$(_pouch_subcommands "$cmd")" ]; then
		_pouch_reply '' $(compgen -W "$(_pouch_subcommands "$cmd")" -- "$cur")
		return 0
	fi
	case $cmd in
	help)
		if [ "$npos" -eq 0 ]; then
			_pouch_reply '' $(compgen -W "$_pouch_commands" -- "$cur")
		fi
		;;
	open | verify | push | show)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	forward)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	ceiling)
		[ "$npos" -eq 0 ] && _pouch_reply '' $(compgen -W 'OFFICIAL SECRET TOP-SECRET none' \
			-- "${cur^^}")
		;;
	'partner add-key' | 'partner remove' | 'partner revoke' | 'partner set' | 'partner show')
		if [ "$npos" -eq 0 ]; then
			_pouch_reply '' $(compgen -W "$(_pouch_codes "${words[0]}" "$home")" -- "${cur^^}")
		fi
		;;
	esac
	return 0
}

complete -F _pouch pouch
