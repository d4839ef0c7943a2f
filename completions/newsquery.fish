# fish completion for newsquery (installed in fish's
# vendor_completions.d, beside newsindex.fish, whose helpers it uses).

functions -q __newsindex_query_word
or source (dirname (status filename))/newsindex.fish

# The values OPTION takes, as newsquery --help gives them ("text
# (default), json or tsv": the words up to a ';').
function __newsquery_choices
    newsquery --help 2>/dev/null |
        string match -r "^  (?:.*, )?$argv[1] [A-Z]+ +(.*)" |
        string match -r '^[^ ].*' | string replace -r ';.*' '' |
        string replace -a '(default)' '' | string replace -ra ',| or ' ' ' |
        string split ' ' | string match -r '^[a-z][a-z-]*$'
end

complete -c newsquery -f
complete -c newsquery -n 'not __newsindex_at_option' \
    -a '(__newsindex_query_word)'
complete -c newsquery -n __newsindex_at_option \
    -a '(__newsindex_options newsquery)'
complete -c newsquery -l db -r -F
complete -c newsquery -l like -r -F
complete -c newsquery -l format -x -a '(__newsquery_choices --format)'
complete -c newsquery -l sort -x -a '(__newsquery_choices --sort)'
complete -c newsquery -l color -x -a 'auto always never'
complete -c newsquery -l hyperlinks -x -a 'auto always never'
complete -c newsquery -l facets -x -a 'topic provider month'
complete -c newsquery -l lang -x -a 'en de fr es it nl pt ru ar zh ja ko none'
