# zsh -f zsh-complete.zsh FPATH_DIR <LINES: for each command line on standard input, the
# completions an interactive zsh (compinit, FPATH_DIR first in $fpath) offers at its end, one
# "N<TAB>MATCH" row per match, N counting the lines from 1. Runs zsh on a pseudo-terminal; a
# compadd wrapper reports every match, and a key bound to complete-word and then printing an
# end mark tells when the completion is over.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i || exit 1
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'PROMPT= ; RPROMPT= ; setopt nobeep; zstyle ":completion:*" menu no'
zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; builtin compadd "$@"; local x;
	for x in $m; do print -r -- "<m>$x</m>"; done; }'
zpty -w z '_cap() { zle complete-word; print -r -- "<""end>"; zle kill-whole-line; }'
zpty -w z 'zle -N _cap; bindkey "^T" _cap; print "<""ready>"'
while zpty -r z out; do [[ $out == *'<ready>'* ]] && break; done
n=0
while IFS= read -r cmdline; do
	n=$((n + 1))
	typeset -A seen=()
	zpty -w -n z "$cmdline"$'\C-t'
	while zpty -r z out; do
		for m in ${(M)${(s:<m>:)out}:#*</m>*}; do
			m=${m%%</m>*}
			[[ -n ${seen[$m]} ]] || { seen[$m]=1; print -r -- "$n	$m"; }
		done
		[[ $out == *'<end>'* ]] && break
	done
done
zpty -d z
