#!/bin/bash
# 'meson install' into a temporary DESTDIR: the programs, the man pages,
# the shell completions where each shell looks, and every document the
# man pages name; the installed programs and completion work.
. "$(dirname "$0")/lib.sh"

SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEST=$WORK/dest
expect_status 0 "meson install --destdir" -- meson install -C "$MESON_BUILD_ROOT" --destdir "$DEST" --no-rebuild --quiet
(cd "$DEST" && find . -type f | sed 's|^\./||' | sort) >"$WORK/installed"
prefix=$(dirname "$(dirname "$(grep -m1 '/bin/newsindex$' "$WORK/installed")")")

# installed FILE: FILE (relative to the prefix) was installed.
installed() {
	expect_line "$WORK/installed" "$prefix/$1" "installs $1"
}
installed bin/newsindex
installed bin/newsquery
installed share/man/man1/newsindex.1
installed share/man/man1/newsquery.1
installed share/bash-completion/completions/newsindex
installed share/bash-completion/completions/newsquery
installed share/zsh/site-functions/_newsindex
installed share/fish/vendor_completions.d/newsindex.fish
installed share/fish/vendor_completions.d/newsquery.fish
# The documents the man pages and --help texts point to, and those the
# installed documents point to in turn.
for doc in $(cat "$SOURCE_ROOT"/docs/*.1 "$SOURCE_ROOT"/indexer/*.c \
		"$SOURCE_ROOT"/query/*.c | grep -oE 'docs/[a-z-]+\.md' | sort -u); do
	installed "share/doc/newsindex/${doc#docs/}"
done
for doc in $(grep -h '/share/doc/newsindex/.*\.md$' "$WORK/installed" |
		sed "s|^|$DEST/|" | xargs cat |
		grep -oE 'docs/[a-z-]+\.md' | sort -u); do
	installed "share/doc/newsindex/${doc#docs/}"
done
CHECKS=$((CHECKS + 1))
! grep -vE '^[^/]+(/[^/]+)*/(bin|share/(man|bash-completion|zsh|fish|doc))/' "$WORK/installed" ||
	fail "installs something else"

# What was installed works from there.
BIN=$DEST/$prefix/bin
expect_status 0 "the installed newsindex" -- "$BIN/newsindex" --version
expect_status 0 "the installed newsquery" -- "$BIN/newsquery" --version
expect_status 0 "the installed bash completion" -- env PATH="$BIN:$PATH" bash --norc --noprofile -c '
	source "$1"
	COMP_LINE="newsindex st"; COMP_POINT=${#COMP_LINE}
	COMP_WORDS=(newsindex st); COMP_CWORD=1
	_newsindex
	[ "${COMPREPLY[*]}" = stats ]' _ "$DEST/$prefix/share/bash-completion/completions/newsquery"

finish
