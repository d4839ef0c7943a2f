#!/bin/bash
# newsquery --format atom (newsquery(1), docs/serving.md "The Atom
# feed"): the feed a cron job publishes, from the real program over the
# samples and the hostile fixtures.  Every feed parses with a strict XML
# parser; the same query gives the same bytes again, and the same ids
# after build --rebuild; 20 entries unless --limit says (not the config
# file's limit); newest first, --sort (but date), --offset, --facets
# and --recent refused; links only with
# --feed-base; nothing matched is an empty feed and exit 1; the options
# that do not go with it are refused, saying why.
. "$(dirname "$0")/lib.sh"

DB=$WORK/db
expect_status 0 "an index of the samples and the hostile articles" -- \
	"$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES" \
	"$NI_TEST_FIXTURES/page" "$NI_TEST_FIXTURES/terminal" \
	"$NI_TEST_FIXTURES/feed"

# atom_check FILE PYTHON-EXPRESSION: evaluate over the feed in FILE
# parsed strictly (xml.dom.minidom), `raw` its bytes, `feed` its root,
# `entries` its entries, `text(node, name)` a child's text; prints the
# result.
atom_check() {
	python3 - "$1" "$2" <<'PY'
import re, sys, xml.dom.minidom
ATOM = "http://www.w3.org/2005/Atom"
raw = open(sys.argv[1], "rb").read()
feed = xml.dom.minidom.parseString(raw).documentElement
def kids(node, name):
    return [c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE
            and c.namespaceURI == ATOM and c.localName == name]
def text(node, name):
    return "".join(t.data for k in kids(node, name)[:1]
                   for t in k.childNodes if t.nodeType == t.TEXT_NODE)
entries = kids(feed, "entry")
print(eval(sys.argv[2]))
PY
}

# expect_atom FILE PYTHON-EXPRESSION WANT WHAT: atom_check prints WANT.
expect_atom() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(atom_check "$1" "$2" 2>&1)
	[ "$got" = "$3" ] || fail "$4: $2 is '$got', wanted '$3'"
}

for q in sanctions zebrafish zqxescape qvfeed the; do
	expect_status 0 "--format atom $q" -- "$NEWSQUERY" --db "$DB" \
		--format atom --limit 100 "$q"
	cp "$WORK/out" "$WORK/$q.atom"
	expect_atom "$WORK/$q.atom" \
		'feed.localName == "feed" and feed.namespaceURI == ATOM' True \
		"$q: an Atom feed that parses"
	expect_atom "$WORK/$q.atom" \
		'[text(e, "updated") for e in entries] == sorted((text(e, "updated") for e in entries), reverse=True)' \
		True "$q: newest first"
	expect_atom "$WORK/$q.atom" \
		'len({text(e, "id") for e in entries}) == len(entries)' True \
		"$q: ids unique"
	expect_atom "$WORK/$q.atom" \
		'bool(re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", raw))' \
		False "$q: no control, U+FFFE, U+FFFF or bidi control"
	expect_no_match "$WORK/$q.atom" '<link rel="(self|alternate)" type' \
		"$q: no links of its own without --feed-base"
done
expect_atom "$WORK/qvfeed.atom" \
	'[text(e, "title")[:20] for e in entries]' \
	"['Qvfeed hostile txt.e', 'Qvfeed without a URL', 'Qvfeed with a javasc', 'Qvfeed on an ftp ser']" \
	"the undated article is no entry"
expect_no_match "$WORK/qvfeed.atom" "$NI_TEST_FIXTURES" "no file path"

# The same feed again, and after the index is built anew.
expect_status 0 "again" -- "$NEWSQUERY" --db "$DB" --format atom \
	--limit 100 the
expect_same "the same query, the same feed" "$WORK/the.atom" "$WORK/out"
expect_status 0 "build --rebuild" -- "$NEWSINDEX" build --rebuild --db "$DB"
for q in the qvfeed; do
	expect_status 0 "$q after --rebuild" -- "$NEWSQUERY" --db "$DB" \
		--format atom --limit 100 "$q"
	expect_same "$q: the same feed after --rebuild" "$WORK/$q.atom" \
		"$WORK/out"
done

# Its length: 20, --limit's, never the config file's (the terminal's).
mkdir -p "$HOME/.config/newsindex"
echo "limit: 3" >"$HOME/.config/newsindex/config.yaml"
expect_status 0 "20 by default" -- "$NEWSQUERY" --db "$DB" --format atom the
expect_atom "$WORK/out" 'len(entries)' 20 "20 entries, whatever the config"
expect_status 0 "--limit 5" -- "$NEWSQUERY" --db "$DB" --format atom -n 5 the
expect_atom "$WORK/out" 'len(entries)' 5 "--limit 5: 5 entries"
rm "$HOME/.config/newsindex/config.yaml"
expect_status 0 "--sort date" -- "$NEWSQUERY" --db "$DB" --format atom \
	--sort date --limit 100 the
expect_same "--sort date is the feed's own order" "$WORK/the.atom" "$WORK/out"
# What a feed cannot follow is refused, not ignored.
for option in "--sort quality" "--sort relevance" "--offset 5" \
	"--facets topic" "--recent"; do
	# shellcheck disable=SC2086 # the option and its value
	expect_status 2 "$option" -- "$NEWSQUERY" --db "$DB" --format atom \
		$option the
	expect_line "$WORK/err" "newsquery: --format atom lists the newest articles first: it takes no --sort (but date), --offset, --facets or --recent" \
		"$option refused"
done

# Links with --feed-base, absolute.
expect_status 0 "--feed-base" -- "$NEWSQUERY" --db "$DB" --format atom \
	--feed-base https://news.example.org/n 'oil prices'
expect_line "$WORK/out" '<link rel="self" type="application/atom+xml" href="https://news.example.org/n/feed?q=oil%20prices"/>' \
	"the self link from --feed-base"
expect_line "$WORK/out" '<link rel="alternate" type="text/html" href="https://news.example.org/n/search?q=oil%20prices&amp;sort=date"/>' \
	"the alternate link from --feed-base"

# Nothing matched: an empty feed that still parses, and exit 1.
expect_status 1 "nothing matched" -- "$NEWSQUERY" --db "$DB" --format atom \
	zzqqxxnothing
expect_atom "$WORK/out" 'len(entries), text(feed, "updated")' \
	"(0, '1970-01-01T00:00:00Z')" "an empty feed, updated never moving"

# What does not go with it.
expect_status 2 "--feed-base alone" -- "$NEWSQUERY" --db "$DB" \
	--feed-base https://x.example/ oil
expect_only_line "$WORK/err" "newsquery: --feed-base goes with --format atom" \
	"--feed-base without --format atom"
for base in 'javascript:alert(1)' 'https://x.example/?a=1' \
	'https://x.example/#top' 'ftp://x.example/' 'https://x .example/'; do
	expect_status 2 "--feed-base $base" -- "$NEWSQUERY" --db "$DB" \
		--format atom --feed-base "$base" oil
	expect_only_line "$WORK/err" "newsquery: --feed-base: '$base' is not an http or https URL (https://news.example.org/)" \
		"--feed-base $base refused"
done
expect_status 2 "--like" -- "$NEWSQUERY" --db "$DB" --format atom \
	--like https://tass.com/economy/1545213
expect_only_line "$WORK/err" "newsquery: --format atom is the feed of a query: it takes no --like" \
	"--like refused"
expect_status 2 "--count" -- "$NEWSQUERY" --db "$DB" --format atom --count oil
expect_status 2 "--serve --feed-base" -- "$NEWSQUERY" --db "$DB" --serve \
	--feed-base https://x.example/
expect_only_line "$WORK/err" "newsquery: --feed-base goes with --format atom" \
	"--serve takes no --feed-base"

finish
