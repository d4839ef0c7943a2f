#!/bin/bash
# Shell completion (completions/): commands, options, fields, and the
# values of topic:, provider: and date: read from the index.  bash by
# calling its functions as bash does (COMP_WORDS, split at colons);
# zsh by typing TAB into an interactive zsh (zpty); fish with
# 'complete -C'.  Without zsh or fish the test is skipped (scripts/setup
# installs them), after the rest has run.
. "$(dirname "$0")/lib.sh"

SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COMPLETIONS=$SOURCE_ROOT/completions
PATH=$(dirname "$NEWSINDEX"):$(dirname "$NEWSQUERY"):$PATH
DB=$WORK/db
expect_status 0 "an index of the samples" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"

# The fields each file offers are the field table's (include/ni_fields.h,
# as docs/fields_doc prints them), and so the query parser's.
expect_status 0 "the completions offer the names the programs take" -- python3 - "$SOURCE_ROOT" "$NI_FIELDS_DOC" <<'PY'
import re, subprocess, sys
root, fields_doc = sys.argv[1:3]
def table(what):
    return subprocess.run([fields_doc, what], check=True, text=True,
                          stdout=subprocess.PIPE).stdout.split()
parser = table("names")
assert len(parser) >= 10, parser
for name in ("newsindex.bash", "_newsindex", "newsindex.fish"):
    text = open(f"{root}/completions/{name}").read()
    offered = re.findall(r"([a-z]+):", re.search(r"title:(?:[\s\\]+[a-z]+:)*",
                                                  text).group(0))
    assert offered == parser, (name, offered, parser)

# The values of --format, --sort and --facets: newsquery's own names
# (query/options.c reads --sort and --facets).
render = open(f"{root}/query/render.c").read()
query = open(f"{root}/query/options.c").read()
def names(block):
    return sorted(re.findall(r'"([a-z-]+)"', block))
values = {
    "format": names(re.search(r"FORMAT_NAMES\[\] = \{(.*?)\}", render,
                              re.S).group(1)),
    "sort": names(re.search(r"set_sort.*?names\[\] = \{(.*?)\}", query,
                            re.S).group(1)),
    "facets": sorted(table("facets")),
}
for name in ("newsindex.bash", "_newsindex", "newsquery.fish"):
    text = open(f"{root}/completions/{name}").read()
    for option, want in values.items():
        line = re.search(rf"^.*(?:--|-l ){option}\b.*(?:offer \"|compadd -- |-a ')"
                         rf"([a-z -]+)", text, re.M)
        assert line, (name, option)
        assert sorted(line.group(1).split()) == want, (name, option, want)
PY

# ---- bash ----------------------------------------------------------------
# bash_complete WANT LINE: complete LINE (its last word) as bash would
# (words split at blanks and at colons, COMP_WORDBREAKS' default), and
# COMPREPLY, one word a line, must be WANT.
cat >"$WORK/bash-complete" <<'SH'
source "$1"
line=$2
COMP_LINE=$line
COMP_POINT=${#line}
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
# Split as bash does: at blanks, and a colon is a word of its own.
spaced=${line//:/ : }
read -ra COMP_WORDS <<<"$spaced"
[[ $line == *[\ :] ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
"_${COMP_WORDS[0]}"
printf '%s\n' "${COMPREPLY[@]}"
SH
bash_complete() {
	local want=$1 line=$2 got
	CHECKS=$((CHECKS + 1))
	got=$(bash --norc --noprofile "$WORK/bash-complete" \
		"$COMPLETIONS/newsindex.bash" "$line" 2>&1)
	if [ "$got" != "$want" ]; then
		fail "bash: '$line' completes to:"
		sed 's/^/  | /' <<<"$got" >&2
		sed 's/^/  want | /' <<<"$want" >&2
	fi
}
bash_complete "stats" "newsindex st"
bash_complete "$(printf 'check\ncompact')" "newsindex help c"
bash_complete "--strict" "newsindex build --st"
bash_complete "stats" "newsindex --db $DB st"
bash_complete "$(printf 'topic\nprovider\nmonth')" "newsindex stats --values "
bash_complete "$(printf -- '--limit\n--like')" "newsquery --li"
bash_complete "$(printf 'text\njson\njsonl\npaths\nurls\ntsv\natom')" "newsquery --format "
bash_complete "topic:" "newsquery sanctions to"
bash_complete "$(printf 'title:\ntopic:\ntype:')" "newsquery t"
bash_complete "AI" "newsquery --db $DB topic:A"
bash_complete "AI" "newsquery --db=$DB oil topic:a"
bash_complete "$(printf '\\"Der\\ Spiegel\\"\n\\"Die\\ Zeit\\"')" "newsquery --db $DB provider:d"
bash_complete "$(printf 'true\nfalse')" "newsquery published:"
bash_complete "2023-06" "newsquery --db $DB date:2023-06"

# The completion of a value with a blank is one query word, a phrase.
CHECKS=$((CHECKS + 1))
eval "set -- provider:\\\"Der\\ Spiegel\\\""
[ "$#" -eq 1 ] && [ "$1" = 'provider:"Der Spiegel"' ] ||
	fail "provider:\\\"Der\\ Spiegel\\\" is not the word provider:\"Der Spiegel\""
expect_status 0 "a completed provider searches" -- "$NEWSQUERY" --db "$DB" --format tsv "provider:\"Der Spiegel\""

# ---- zsh -----------------------------------------------------------------
# zsh_complete LINE WANT: type LINE and TAB into an interactive zsh
# with the completions (compinit), then Ctrl-A and "print -r -- " and
# Enter: zsh prints the completed line's words, which must be WANT.
# (Keys are read in order: TAB completes before Ctrl-A is read.)
zsh_complete() {
	local line=$1 want=$2
	CHECKS=$((CHECKS + 1))
	timeout 30 zsh -f -c '
		zmodload zsh/zpty
		zpty z "zsh -f -i"
		zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; PS1=\"> \"; unsetopt beep"
		zpty -w -n z "$2"$'"'"'\t'"'"'
		zpty -w z $'"'"'\x01print -r -- '"'"'
		zpty -w z "print END-OF-TEST"
		zpty -r z out "*print END-OF-TEST*END-OF-TEST*"
		zpty -d z
		print -r -- "$out"' _ "$COMPLETIONS" "$line" >"$WORK/zsh.out" 2>&1
	if ! tr -d '\r' <"$WORK/zsh.out" |
	     sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -qxF -- "$want"; then
		fail "zsh: '$line' TAB does not give '$want'"
		tail -c 600 "$WORK/zsh.out" | cat -v | sed 's/^/  | /' >&2
	fi
}
if have zsh "zsh completion"; then
	expect_status 0 "zsh reads _newsindex" -- zsh -n "$COMPLETIONS/_newsindex"
	zsh_complete "newsindex sta" "newsindex stats"
	zsh_complete "newsindex build --stri" "newsindex build --strict"
	zsh_complete "newsquery --db $DB topic:Mark" "newsquery --db $DB topic:Markets"
	zsh_complete "newsquery --db $DB provider:Der" "newsquery --db $DB provider:\"Der Spiegel\""
	zsh_complete "newsquery --db=$DB oil date:2022-0" "newsquery --db=$DB oil date:2022-07"
	zsh_complete "newsquery --db $DB topic:mark" "newsquery --db $DB topic:Markets"
	zsh_complete "newsquery published:t" "newsquery published:true"
	zsh_complete "newsquery --forma" "newsquery --format"
fi

# ---- fish ----------------------------------------------------------------
# fish_complete WANT LINE: fish's candidates for LINE must be WANT.
fish_complete() {
	local want=$1 line=$2
	CHECKS=$((CHECKS + 1))
	local got
	got=$(fish --no-config -c 'for f in $argv[1..2]; source $f; end
		complete -C $argv[3]' \
		"$COMPLETIONS/newsindex.fish" "$COMPLETIONS/newsquery.fish" \
		"$line" 2>&1 | cut -f1)
	if [ "$got" != "$want" ]; then
		fail "fish: '$line' completes to:"
		sed 's/^/  | /' <<<"$got" >&2
	fi
}
if have fish "fish completion"; then
	for file in newsindex.fish newsquery.fish; do
		expect_status 0 "fish reads $file" -- fish --no-execute "$COMPLETIONS/$file"
	done
	fish_complete "stats" "newsindex st"
	fish_complete "--strict" "newsindex build --st"
	fish_complete "$(printf 'month\nprovider\ntopic')" "newsindex stats --values "
	fish_complete "topic:Markets" "newsquery --db $DB topic:Mar"
	fish_complete "$(printf 'provider:"Der Spiegel"\nprovider:"Die Zeit"')" "newsquery --db $DB provider:D"
	fish_complete "date:2023-06" "newsquery --db=$DB date:2023-06"
	fish_complete "$(printf 'published:false\npublished:true')" "newsquery published:"
	fish_complete "--sort" "newsquery --so"
fi

finish
