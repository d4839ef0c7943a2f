# fish completion for newsindex, and the helpers newsquery.fish uses
# (installed in fish's vendor_completions.d).  Options are read from
# the programs' own --help, so they follow the programs; the values of
# topic:, provider: and date: from the index, with 'newsindex stats
# --values FIELD'.

# The options PROGRAM [COMMAND] --help lists.
function __newsindex_options
    $argv --help 2>/dev/null | string match -r '^  -[^ ].*' |
        string replace -r '^  ' '' | string replace -r '  .*' '' |
        string match -ar -- '--?[A-Za-z0-9][A-Za-z0-9-]*'
end

# "--db PATH" as the command line so far gives it.
function __newsindex_db
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if test "$tokens[$i]" = --db; and test $i -lt (count $tokens)
            printf '%s\n' --db $tokens[(math $i + 1)]
            return
        else if string match -q -- '--db=*' $tokens[$i]
            printf '%s\n' $tokens[$i]
            return
        end
    end
end

# A word of a query: the fields, or FIELD:VALUE for each value of
# topic:, provider:, date: (months) and published: ("FIELD:\"A B\"" for
# a value with a blank: a phrase to the query).
function __newsindex_query_word
    set -l word (commandline -ct)
    set -l field \
        (string match -r '^(topic|provider|date|published):' -- $word)[2]
    if test -z "$field"
        # (lib/search/qparse.c FIELD_LIST)
        printf '%s\n' title: topic: provider: site: category: type: url: \
            date: quality: heat: published: lang:
        return
    end
    if test $field = published
        printf '%s\n' published:true published:false
        return
    end
    set -l listed $field
    test $field = date; and set listed month
    set -l values \
        (newsindex stats (__newsindex_db) --values $listed 2>/dev/null)
    for value in $values
        if string match -qr '\s' -- $value
            printf '%s:"%s"\n' $field $value
        else
            printf '%s:%s\n' $field $value
        end
    end
end

function __newsindex_commands
    newsindex help 2>/dev/null | string match -r '^  ([a-z]+)  ' |
        string match -r '^[a-z]+$'
end

# The command newsindex runs, once it is on the line.
function __newsindex_command
    set -l tokens (commandline -opc)
    set -l skip 0
    for token in $tokens[2..-1]
        if test $skip = 1
            set skip 0
        else if test "$token" = --db
            set skip 1
        else if not string match -q -- '-*' $token
            echo $token
            return
        end
    end
end

# Whether the word being completed is an option.
function __newsindex_at_option
    string match -q -- '-*' (commandline -ct)
end

complete -c newsindex -f
complete -c newsindex -n 'test -z "$(__newsindex_command)"' \
    -a '(__newsindex_commands)'
complete -c newsindex -n 'test "$(__newsindex_command)" = help' \
    -a '(__newsindex_commands)'
complete -c newsindex \
    -n '__newsindex_at_option; and test -n "$(__newsindex_command)"' \
    -a '(__newsindex_options newsindex (__newsindex_command))'
complete -c newsindex \
    -n '__newsindex_at_option; and test -z "$(__newsindex_command)"' \
    -a '--help --version --db'
complete -c newsindex \
    -n 'string match -qr "^(build|forget|watch)\$" -- "$(__newsindex_command)"' -F
complete -c newsindex -l db -r -F
complete -c newsindex -l values -x -a 'topic provider month'
