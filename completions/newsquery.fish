# fish completion for newsquery (installed in fish's
# vendor_completions.d, beside newsindex.fish, whose helpers it uses).

functions -q __newsindex_query_word
or source (dirname (status filename))/newsindex.fish

complete -c newsquery -f
complete -c newsquery -n 'not __newsindex_at_option' \
    -a '(__newsindex_query_word)'
complete -c newsquery -n __newsindex_at_option \
    -a '(__newsindex_options newsquery)'
complete -c newsquery -l db -r -F
complete -c newsquery -l like -r -F
complete -c newsquery -l log -r -F
# (The names options.c and render.c take: completion.sh checks.)
complete -c newsquery -l format -x -a 'text json jsonl paths urls tsv atom'
complete -c newsquery -l sort -x -a 'relevance date date-asc quality heat'
complete -c newsquery -l color -x -a 'auto always never'
complete -c newsquery -l hyperlinks -x -a 'auto always never'
complete -c newsquery -l facets -x -a 'topic provider month'
complete -c newsquery -l lang -x -a 'en de fr es it nl pt ru ar zh ja ko none'
