# End to end: options, help, exit codes and the index location rule.
. "$(dirname "$0")/lib.sh"

expect_status 0 "newsindex --help" -- "$NEWSINDEX" --help
expect_match "$WORK/out" '^usage: newsindex' "newsindex usage"
expect_match "$WORK/out" '^  build ' "build listed"
expect_status 0 "newsindex build --help" -- "$NEWSINDEX" build --help
expect_match "$WORK/out" '^usage: newsindex build' "build usage"
expect_status 0 "newsquery --help" -- "$NEWSQUERY" --help
expect_match "$WORK/out" '^usage: newsquery' "newsquery usage"
expect_match "$WORK/out" '--quality-weight' "quality weight documented"
expect_status 0 "newsindex --version" -- "$NEWSINDEX" --version
expect_match "$WORK/out" '^newsindex [0-9]+\.[0-9]+\.[0-9]+$' "newsindex version"
expect_status 0 "newsquery --version" -- "$NEWSQUERY" --version
expect_match "$WORK/out" '^newsquery [0-9]+\.[0-9]+\.[0-9]+$' "newsquery version"

# No index yet: exit 2 and say what to run.
expect_status 2 "query before any build" -- "$NEWSQUERY" --db "$WORK/none" word
expect_match "$WORK/err" "no index at $WORK/none: run 'newsindex build" "missing index message"
expect_status 1 "stats before any build" -- "$NEWSINDEX" stats --db "$WORK/none"

# A source that does not exist: the rest is indexed, the exit is 1.
expect_status 1 "missing source" -- "$NEWSINDEX" build --db "$WORK/db" "$WORK/nowhere" "$NI_TEST_SAMPLES"
expect_match "$WORK/err" "$WORK/nowhere: No such file or directory" "missing source named"
expect_match "$WORK/out" '^added [1-9][0-9]*, ' "other sources indexed"

# Usage errors are exit 2, with a message that says what is wrong; on an
# index that exists and sources that do, so that nothing else is wrong.
expect_status 2 "no command" -- "$NEWSINDEX"
expect_match "$WORK/err" '^usage: newsindex ' "no command: the usage"
expect_status 2 "unknown command" -- "$NEWSINDEX" frobnicate
expect_line "$WORK/err" "newsindex: 'frobnicate' is not a command; see 'newsindex --help'" "unknown command named"
expect_status 2 "build without sources" -- "$NEWSINDEX" build --db "$WORK/none"
expect_match "$WORK/err" '^newsindex: no sources given' "no sources message"
expect_status 2 "bad --max-file-size" -- "$NEWSINDEX" build --db "$WORK/db" --max-file-size lots "$NI_TEST_SAMPLES"
expect_line "$WORK/err" "newsindex: --max-file-size: 'lots' is not a number of bytes" "bad size named"
expect_status 2 "query without words" -- "$NEWSQUERY" --db "$WORK/db"
expect_line "$WORK/err" "newsquery: no query given: newsquery WORDS... (see --help)" "no query message"
expect_status 2 "bad --limit" -- "$NEWSQUERY" --db "$WORK/db" --limit ten sanctions
expect_line "$WORK/err" "newsquery: --limit: 'ten' is not a whole number from 0 to 10000" "bad limit named"
expect_status 2 "bad --quality-weight" -- "$NEWSQUERY" --db "$WORK/db" --quality-weight -1 sanctions
expect_line "$WORK/err" "newsquery: --quality-weight: '-1' is not a number from 0 to 1000" "bad quality weight named"
expect_status 2 "bad --color" -- "$NEWSQUERY" --db "$WORK/db" --color sometimes sanctions
expect_line "$WORK/err" "newsquery: --color: 'sometimes' is not auto, always or never" "bad color named"
expect_status 2 "unknown option" -- "$NEWSQUERY" --db "$WORK/db" --frob sanctions
expect_line "$WORK/err" "newsquery: unknown option '--frob' (see --help)" "unknown option named"
# Front matter pasted whole starts with dashes: a query, not an option.
expect_status 0 "pasted front matter" -- "$NEWSQUERY" --db "$WORK/db" \
	--format urls "$(printf -- '---\ntitle: SenseTime sanctions\n---')"
expect_no_match "$WORK/err" "option" "pasted front matter is no option"
expect_match "$WORK/out" "sensetime" "pasted front matter searched"

# Exit 0 on a match, 1 on none.
expect_status 0 "a match" -- "$NEWSQUERY" --db "$WORK/db" sanctions
expect_status 1 "no match" -- "$NEWSQUERY" --db "$WORK/db" zzyzxqqq
expect_match "$WORK/out" '^no results for "zzyzxqqq"$' "no results message"
expect_status 2 "nothing searchable" -- "$NEWSQUERY" --db "$WORK/db" '?!'
expect_match "$WORK/err" '^newsquery: the query has no words to search for$' "nothing searchable named"

# The default index: $NEWSINDEX_DB, else XDG_DATA_HOME, else HOME.
expect_status 0 "build into the HOME default" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $HOME/\.local/share/newsindex holds" "HOME default"
expect_status 0 "query the HOME default" -- "$NEWSQUERY" sanctions
expect_status 0 "XDG_DATA_HOME" -- env XDG_DATA_HOME="$WORK/xdg" "$NEWSINDEX" build "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $WORK/xdg/newsindex holds" "XDG default"
expect_status 0 "NEWSINDEX_DB" -- env NEWSINDEX_DB="$WORK/env-db" "$NEWSINDEX" build "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $WORK/env-db holds" "NEWSINDEX_DB"
expect_status 0 "query NEWSINDEX_DB" -- env NEWSINDEX_DB="$WORK/env-db" "$NEWSQUERY" sanctions

# Colour: only when asked for (stdout is not a terminal here).
expect_status 0 "--color always" -- "$NEWSQUERY" --color always sanctions
expect_match "$WORK/out" $'\033\\[1m' "bold title with --color always"
expect_status 0 "--color never" -- "$NEWSQUERY" --color never sanctions
expect_no_match "$WORK/out" $'\033' "no escapes with --color never"

# A dash and a word that is no option is a query word (query_cli.sh).
expect_status 0 "-x is a query word" -- "$NEWSQUERY" sanctions -x
finish
