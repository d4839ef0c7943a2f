# bash completion for newsindex and newsquery                 -*- sh -*-
#
# Installed as bash-completion's completions/newsindex and
# completions/newsquery (each loads this whole file).  Needs nothing
# from bash-completion.  Options are read from the programs' own --help,
# so they follow the programs; the values of topic:, provider: and
# date: from the index, with 'newsindex stats --values FIELD'.

# The fields of a query (lib/search/qparse.c FIELD_LIST), with their colon.
_newsindex_fields="title: topic: provider: site: category: type: url:
	date: quality: heat: published: lang:"

# _newsindex_options PROGRAM [COMMAND]: the options its --help lists.
_newsindex_options()
{
	"$@" --help 2>/dev/null |
		sed -n 's/^  \(-[^ ].*\)/\1/p' | sed 's/  .*//' |
		grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9-]*'
}

# _newsindex_db: "--db PATH" as the words so far give it, for
# 'newsindex stats' to read the same index.
_newsindex_db()
{
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db) printf '%s\n' --db "${COMP_WORDS[i + 1]}"; return ;;
		--db=*) printf '%s\n' "${COMP_WORDS[i]}"; return ;;
		esac
	done
}

# _newsindex_word: the word being completed, colons and all (bash
# splits "topic:AI" at the colon when COMP_WORDBREAKS has one).
_newsindex_word()
{
	local line=${COMP_LINE:0:COMP_POINT}
	printf '%s' "${line##*[[:space:]]}"
}

# _newsindex_reply WORD CANDIDATE...: COMPREPLY gets the candidates
# that start with WORD (case aside; a candidate's quotes and
# backslashes aside), less what bash already has before the word's
# last colon.
_newsindex_reply()
{
	local word=$1 c plain had_nocase=0
	shift
	shopt -q nocasematch && had_nocase=1
	shopt -s nocasematch
	COMPREPLY=()
	for c in "$@"; do
		plain=${c//[\\\"]/}
		[[ $plain == "$word"* ]] && COMPREPLY+=("$c")
	done
	((had_nocase)) || shopt -u nocasematch
	if [[ $word == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local before=${word%"${word##*:}"}
		COMPREPLY=("${COMPREPLY[@]#"$before"}")
	fi
}

# _newsindex_values FIELD DB-ARGS...: FIELD:VALUE for each value of the
# index, quoted for the query language and the shell when it has a
# blank ("provider:\"Der\ Spiegel\"").
_newsindex_values()
{
	local field=$1 listed=$1 value
	shift
	[[ $field == date ]] && listed=month
	while IFS= read -r value; do
		if [[ $value == *[[:space:]]* ]]; then
			printf '%q\n' "$field:\"$value\""
		else
			printf '%s\n' "$field:$value"
		fi
	done < <(newsindex stats "$@" --values "$listed" 2>/dev/null)
}

# _newsindex_query_word WORD: fields, or a field's values.
_newsindex_query_word()
{
	local word=$1 field candidates=()
	case $word in
	topic:* | provider:* | date:* | published:*)
		field=${word%%:*}
		if [[ $field == published ]]; then
			candidates=(published:true published:false)
		else
			mapfile -t candidates < <(_newsindex_values "$field" \
				$(_newsindex_db))
		fi
		_newsindex_reply "$word" "${candidates[@]}"
		;;
	*:*) ;;
	*)
		_newsindex_reply "$word" $_newsindex_fields
		# A field's name wants its value right after the colon.
		compopt -o nospace 2>/dev/null
		;;
	esac
}

# _newsindex_offer WORDS: COMPREPLY gets those of WORDS that start with
# the word being completed ($cur, the caller's).
_newsindex_offer()
{
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# _newsindex_files: COMPREPLY gets the file names that start with $cur.
_newsindex_files()
{
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_newsquery()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local word
	word=$(_newsindex_word)
	case $prev in
	--db | --like | --log) _newsindex_files; return ;;
	# (The names options.c and render.c take: completion.sh checks.)
	--format) _newsindex_offer "text json jsonl paths urls tsv atom"; return ;;
	--sort) _newsindex_offer "relevance date date-asc quality heat"; return ;;
	--color | --hyperlinks) _newsindex_offer "auto always never"; return ;;
	--facets) _newsindex_offer "topic provider month"; return ;;
	--lang) _newsindex_offer "en de fr es it nl pt ru ar zh ja ko none"
		return ;;
	esac
	if [[ $word == -* ]]; then
		_newsindex_offer "$(_newsindex_options "${COMP_WORDS[0]}")"
		return
	fi
	_newsindex_query_word "$word"
}

_newsindex()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i command=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db) ((i++)) ;;
		-*) ;;
		*) command=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--db) _newsindex_files; return ;;
	--values) _newsindex_offer "topic provider month"; return ;;
	--jobs | -j | --shards | --max-file-size | --max-field-words | \
	--rescan | --max-watches) return ;;
	esac
	local commands
	commands=$("${COMP_WORDS[0]}" help 2>/dev/null |
		sed -n 's/^  \([a-z]\+\)  .*/\1/p')
	if [[ -z $command && $cur == -* ]]; then
		_newsindex_offer "--help --version --db"
	elif [[ -z $command || $command == help ]]; then
		_newsindex_offer "$commands"
	elif [[ $cur == -* ]]; then
		_newsindex_offer "$(_newsindex_options "${COMP_WORDS[0]}" \
			"$command")"
	elif [[ $command == build || $command == forget ||
	      $command == watch ]]; then
		_newsindex_files
	fi
}

complete -F _newsindex newsindex
complete -F _newsquery newsquery
