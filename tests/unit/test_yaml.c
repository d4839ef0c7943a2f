/*
 * Unit tests for lib/files/yaml.c, the event reader both YAML readers
 * share: opening (NUL bytes), documents (none, one, two), libyaml's
 * errors and their places, the depth limit, nulls, quoting and
 * describing values, and numbers under any locale.  The readers' own
 * behaviour is tested in test_article.c and test_config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "ni_yaml.h"

/* ---- helpers ---------------------------------------------------------- */

static struct ni_parse_error err;

/* Open `text` as the lines from `first_line` on of a file. */
static void open_ok(struct ni_yaml *y, const char *text, unsigned first_line,
		    unsigned max_depth)
{
	err = (struct ni_parse_error){0};
	assert_int_equal(ni_yaml_open(y, text, strlen(text), first_line,
				      max_depth, "test", &err),
			 NI_OK);
}

static void assert_error(unsigned line, unsigned column, const char *message)
{
	if (err.line != line || err.column != column ||
	    strcmp(err.message, message) != 0)
		fail_msg("got %u:%u \"%s\", expected %u:%u \"%s\"", err.line,
			 err.column, err.message, line, column, message);
}

/* Read events from the start until the `n`th scalar (1-based). */
static void to_scalar(struct ni_yaml *y, int n)
{
	while (n > 0) {
		assert_int_equal(ni_yaml_next(y), NI_OK);
		assert_int_not_equal(y->event.type, YAML_STREAM_END_EVENT);
		if (ni_yaml_is_scalar(y))
			n--;
	}
}

/* Read events to the end of the stream; the status that stopped it. */
static ni_status read_all(struct ni_yaml *y)
{
	ni_status st;
	do
		st = ni_yaml_next(y);
	while (st == NI_OK && y->event.type != YAML_STREAM_END_EVENT);
	return st;
}

/* ---- opening and documents -------------------------------------------- */

static void test_nul_byte(void **state)
{
	(void)state;
	struct ni_yaml y;
	static const char text[] = "a: 1\nb: \xc3\xa9x\0y\n";
	err = (struct ni_parse_error){0};
	assert_int_equal(ni_yaml_open(&y, text, sizeof text - 1, 5, 0, "test",
				      &err),
			 NI_EPARSE);
	/* Nothing to close.  The column counts é as one character. */
	assert_error(6, 6, "test contains a NUL byte");
}

static void test_one_document(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "--- {a: b}\n...\n", 1, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_START_EVENT);
	assert_int_equal(y.depth, 1);
	to_scalar(&y, 2);
	assert_string_equal(ni_yaml_scalar_text(&y), "b");
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_END_EVENT);
	assert_int_equal(y.depth, 0);
	assert_int_equal(ni_yaml_end_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_STREAM_END_EVENT);
	ni_yaml_close(&y);
}

static void test_no_document(void **state)
{
	(void)state;
	static const char *const empty[] = {"", "\n\n", "# just a comment\n"};
	for (size_t i = 0; i < sizeof empty / sizeof *empty; i++) {
		struct ni_yaml y;
		open_ok(&y, empty[i], 1, 0);
		assert_int_equal(ni_yaml_begin_document(&y), NI_DONE);
		assert_int_equal(y.event.type, YAML_STREAM_END_EVENT);
		ni_yaml_close(&y);
	}
}

static void test_two_documents(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\n---\nb: 2\n", 2, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_START_EVENT);
	to_scalar(&y, 2);
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* MAPPING-END */
	assert_int_equal(ni_yaml_end_document(&y), NI_EPARSE);
	assert_error(3, 1, "test holds more than one yaml document");
	ni_yaml_close(&y);
}

/* ---- libyaml's errors and places -------------------------------------- */

static void test_invalid_yaml(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\nb: [1, 2\nc: 3\n", 2, 0);
	assert_int_equal(read_all(&y), NI_EPARSE);
	assert_error(4, 2, "did not find expected ',' or ']' while parsing a "
		     "flow sequence");
	ni_yaml_close(&y);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\nb: x\xff\n", 1, 0);
	assert_int_equal(read_all(&y), NI_EPARSE);
	/* libyaml's reader gives a byte offset and the byte. */
	assert_error(2, 5, "invalid leading UTF-8 octet (#xff)");
	ni_yaml_close(&y);
}

/* Lines are the file's lines: a NEL (U+0085) inside a value is not one. */
static void test_positions(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: \"x\xc2\x85y\"\n\xc3\xa9\xc3\xa9: *z\n", 10, 0);
	to_scalar(&y, 3);
	assert_string_equal(ni_yaml_scalar_text(&y), "\xc3\xa9\xc3\xa9");
	unsigned line, column;
	ni_yaml_locate(&y, y.event.start_mark, &line, &column);
	assert_int_equal(line, 11);
	assert_int_equal(column, 1);
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_ALIAS_EVENT);
	/* Columns count characters, so "éé: " is four of them. */
	assert_int_equal(ni_yaml_fail_at(&y, y.event.start_mark, "%s %d",
					 "bad", 7),
			 NI_EPARSE);
	assert_error(11, 5, "bad 7");
	ni_yaml_close(&y);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: [[1]]\n", 1, 3);
	assert_int_equal(read_all(&y), NI_OK);
	ni_yaml_close(&y);

	open_ok(&y, "a: [[1]]\nb:\n  - [[2]]\n", 1, 3);
	assert_int_equal(read_all(&y), NI_EPARSE);
	assert_error(3, 6, "test nested deeper than 3 levels");
	ni_yaml_close(&y);

	/* 0 is no limit at all. */
	char deep[2001];
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	open_ok(&y, deep, 1, 0);
	assert_int_equal(read_all(&y), NI_OK);
	ni_yaml_close(&y);
}

/* ---- scalars ---------------------------------------------------------- */

static void test_nulls(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "- ~\n- null\n- Null\n- NULL\n-\n- ''\n- \"null\"\n"
		"- nULL\n- nul\n- ~~\n- {}\n", 1, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_false(ni_yaml_is_null(&y));  /* the sequence */
	static const bool expected[] = {
		true, true, true, true, true, false, false, false, false,
		false, false,
	};
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
		assert_int_equal(ni_yaml_next(&y), NI_OK);
		if (ni_yaml_is_null(&y) != expected[i])
			fail_msg("item %zu: is_null gave %d", i, !expected[i]);
	}
	ni_yaml_close(&y);
}

static void test_scalar_dup(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "\"a\\tb\": ''\n", 1, 0);
	to_scalar(&y, 1);
	char *copy = ni_yaml_scalar_dup(&y);
	assert_string_equal(copy, "a\tb");
	free(copy);
	to_scalar(&y, 1);
	copy = ni_yaml_scalar_dup(&y);
	assert_string_equal(copy, "");
	free(copy);
	ni_yaml_close(&y);
}

static void test_quote(void **state)
{
	(void)state;
	char out[NI_YAML_QUOTED_SIZE];
	assert_string_equal(ni_yaml_quote("say \"hi\"\\", 9, out),
			    "\"say \\\"hi\\\"\\\\\"");
	assert_string_equal(ni_yaml_quote("a\0b\x7f\n", 5, out),
			    "\"a\\x00b\\x7f\\x0a\"");
	assert_string_equal(ni_yaml_quote("", 0, out), "\"\"");
	/* C1 controls too (U+009B, a CSI); other non-ASCII stays. */
	assert_string_equal(ni_yaml_quote("a\xc2\x9b" "2J\xc2\xa0\xc3\xa9", 9,
					  out),
			    "\"a\\xc2\\x9b2J\xc2\xa0\xc3\xa9\"");
	/* And a byte that is not UTF-8, as the programs escape it. */
	assert_string_equal(ni_yaml_quote("a\xff\xe2\x82", 4, out),
			    "\"a\\xff\\xe2\\x82\"");

	/* Cut after 60 bytes, never inside a character. */
	char long_text[100];
	memset(long_text, 'x', 59);
	memcpy(long_text + 59, "\xc3\xa9yz", 4);
	assert_string_equal(ni_yaml_quote(long_text, 63, out),
			    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxx...\"");
	/* Exactly 60 bytes are not cut. */
	assert_string_equal(ni_yaml_quote(long_text + 1, 60, out) + 58,
			    "x\xc3\xa9\"");

	/* The worst case fits: every byte escaped, then the cut. */
	memset(long_text, '\x01', sizeof long_text);
	ni_yaml_quote(long_text, sizeof long_text, out);
	assert_int_equal(strlen(out), NI_YAML_QUOTED_SIZE - 1);
	assert_int_equal(strcmp(out + strlen(out) - 4, "...\""), 0);
}

static void test_describe(void **state)
{
	(void)state;
	struct ni_yaml y;
	char out[NI_YAML_QUOTED_SIZE];
	open_ok(&y, "[\"a\\\"b\", {}, [], &x 1, *x]\n", 1, 0);
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* STREAM-START */
	assert_string_equal(ni_yaml_describe(&y, out), "nothing");
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* DOCUMENT-START */
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_string_equal(ni_yaml_describe(&y, out), "a sequence");
	static const char *const expected[] = {
		"\"a\\\"b\"", "a mapping", NULL, "a sequence", NULL,
		"\"1\"", "an alias", "nothing",
	};
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
		assert_int_equal(ni_yaml_next(&y), NI_OK);
		if (expected[i])
			assert_string_equal(ni_yaml_describe(&y, out),
					    expected[i]);
	}
	assert_int_equal(y.event.type, YAML_SEQUENCE_END_EVENT);
	ni_yaml_close(&y);
}

/* ---- aliases ---------------------------------------------------------- */

/*
 * The events of `text` (opened with aliases expanded, or not), one word
 * each: a scalar's text ('quoted' when it was), [ ] { }, *name for an
 * alias handed over; `*st` is the status that stopped the reading.
 * The caller frees the string.
 */
static char *trace(const char *text, bool expand, unsigned max_depth,
		   ni_status *st)
{
	struct ni_yaml y;
	struct ni_buf out = NI_BUF_INIT;
	open_ok(&y, text, 1, max_depth);
	if (expand)
		ni_yaml_expand_aliases(&y);
	while ((*st = ni_yaml_next(&y)) == NI_OK &&
	       y.event.type != YAML_STREAM_END_EVENT) {
		const yaml_event_t *e = &y.event;
		ni_status added = NI_OK;
		switch (e->type) {
		case YAML_SCALAR_EVENT:
			added = ni_buf_addf(&out, e->data.scalar.style ==
					    YAML_PLAIN_SCALAR_STYLE
					    ? " %s" : " '%s'",
					    ni_yaml_scalar_text(&y));
			break;
		case YAML_SEQUENCE_START_EVENT:
			added = ni_buf_adds(&out, " [");
			break;
		case YAML_SEQUENCE_END_EVENT:
			added = ni_buf_adds(&out, " ]");
			break;
		case YAML_MAPPING_START_EVENT:
			added = ni_buf_adds(&out, " {");
			break;
		case YAML_MAPPING_END_EVENT:
			added = ni_buf_adds(&out, " }");
			break;
		case YAML_ALIAS_EVENT:
			added = ni_buf_addf(&out, " *%s",
					    e->data.alias.anchor);
			break;
		default:
			break;
		}
		assert_int_equal(added, NI_OK);
	}
	ni_yaml_close(&y);
	char *s = ni_buf_detach(&out);
	assert_non_null(s);
	return s;
}

/* `text`, aliases expanded, reads as `want` (see trace()). */
static void expect_trace(const char *text, const char *want)
{
	ni_status st;
	char *got = trace(text, true, 0, &st);
	assert_int_equal(st, NI_OK);
	if (strcmp(got, want) != 0)
		fail_msg("%s\n  read as:%s\n  wanted:%s", text, got, want);
	free(got);
}

/* `text` reads, aliases expanded, as `written_out` does without. */
static void expect_same_events(const char *text, const char *written_out)
{
	ni_status st;
	char *want = trace(written_out, false, 0, &st);
	assert_int_equal(st, NI_OK);
	expect_trace(text, want);
	free(want);
}

/* Without ni_yaml_expand_aliases() (the config file), an alias is
 * handed over as libyaml reads it, with no reason given. */
static void test_aliases_not_expanded_by_default(void **state)
{
	(void)state;
	ni_status st;
	char *got = trace("a: &x [1]\nb: *x\nc: *nowhere\n", false, 0, &st);
	assert_int_equal(st, NI_OK);
	assert_string_equal(got, " { a [ 1 ] b *x c *nowhere }");
	free(got);

	struct ni_yaml y;
	open_ok(&y, "a: &x 1\nb: *x\n", 1, 0);
	to_scalar(&y, 3);
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_ALIAS_EVENT);
	assert_null(y.alias_refusal);
	ni_yaml_close(&y);
}

/* Scalars, sequences and mappings, as PyYAML writes them reused. */
static void test_alias_expanded(void **state)
{
	(void)state;
	/* A scalar keeps its style: a quoted "null" is still text. */
	expect_same_events("t: &t \"Harbour cranes\"\ne: *t\n",
			   "t: \"Harbour cranes\"\ne: \"Harbour cranes\"\n");
	expect_same_events("a: &n 'null'\nb: *n\n", "a: 'null'\nb: 'null'\n");
	expect_same_events("topics: &id001\n- Shipping\n- Docks\n"
			   "related:\n- topics: *id001\n",
			   "topics: [Shipping, Docks]\n"
			   "related: [{topics: [Shipping, Docks]}]\n");
	expect_same_events("related:\n- &id002\n  title: R\n  webUrl: u\n"
			   "again: [*id002, *id002]\n",
			   "related: [{title: R, webUrl: u}]\n"
			   "again: [{title: R, webUrl: u}, "
			   "{title: R, webUrl: u}]\n");
	/* An alias as a key. */
	expect_same_events("k: &k title\n*k : x\n", "k: title\ntitle: x\n");
	/* Empty collections. */
	expect_same_events("a: &e []\nb: *e\nc: &m {}\nd: *m\n",
			   "a: []\nb: []\nc: {}\nd: {}\n");
}

/* Anchors inside anchored nodes, aliases inside replayed nodes, and an
 * anchor given again (an alias names the latest). */
static void test_alias_nested(void **state)
{
	(void)state;
	expect_same_events("a: &o {x: &i [1, &s 2], y: 3}\n"
			   "b: *i\nc: *s\nd: *o\n",
			   "a: {x: [1, 2], y: 3}\n"
			   "b: [1, 2]\nc: 2\nd: {x: [1, 2], y: 3}\n");
	expect_same_events("a: &a [1]\nb: &b [*a, {k: *a}]\nc: *b\n"
			   "d: [*b, *a]\n",
			   "a: [1]\nb: [[1], {k: [1]}]\nc: [[1], {k: [1]}]\n"
			   "d: [[[1], {k: [1]}], [1]]\n");
	expect_same_events("a: &x 1\nb: &x [2]\nc: *x\n",
			   "a: 1\nb: [2]\nc: [2]\n");
	/* Given again inside the first: the inner one from there on; a
	 * replay of the outer one still holds what was read then. */
	expect_same_events("a: &x [&x 1, *x]\nb: *x\n",
			   "a: [1, 1]\nb: 1\n");
	expect_same_events("a: &x [1, &x 2]\nb: &y [*x]\nc: *y\n",
			   "a: [1, 2]\nb: [2]\nc: [2]\n");
}

/* Every replayed event is placed at the alias's `*`. */
static void test_alias_positions(void **state)
{
	(void)state;
	struct ni_yaml y;
	unsigned line, column;
	open_ok(&y, "a: &r {t: \"x\xc3\xa9\", u: [1]}\n"
		"list:\n  - \xc3\xa9: 1\n    b:   *r\n", 4, 0);
	ni_yaml_expand_aliases(&y);
	to_scalar(&y, 10);  /* ... b, then the replay's t */
	assert_string_equal(ni_yaml_scalar_text(&y), "t");
	int events = 0;
	do {
		ni_yaml_locate(&y, y.event.start_mark, &line, &column);
		if (line != 7 || column != 10)
			fail_msg("replayed event %d at %u:%u, not 7:10",
				 events, line, column);
		events++;
		assert_int_equal(ni_yaml_next(&y), NI_OK);
	} while (y.event.type != YAML_MAPPING_END_EVENT || events < 6);
	assert_int_equal(events, 6);  /* t x u [ 1 ] */
	ni_yaml_locate(&y, y.event.start_mark, &line, &column);
	assert_int_equal(line, 7);
	assert_int_equal(column, 10);
	ni_yaml_close(&y);
}

/* An alias naming no anchor read so far stops the parse, as libyaml's
 * loader and PyYAML stop: at the alias. */
static void test_alias_undefined(void **state)
{
	(void)state;
	struct ni_yaml y;
	static const char *const texts[] = {
		"a: 1\nb:  *nope\n",
		"b: &no 1\nc:  *nope\nnope: &nope 2\n",  /* only later */
		"x: &o [1]\nb: [*nope]\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		open_ok(&y, texts[i], 1, 0);
		ni_yaml_expand_aliases(&y);
		assert_int_equal(read_all(&y), NI_EPARSE);
		assert_error(2, 5, "found undefined alias *nope");
		assert_int_equal(err.kind, NI_SKIP_INVALID_YAML);
		ni_yaml_close(&y);
	}
}

/* An alias inside the node it names is handed over, with the reason,
 * where it is read and in a replay. */
static void test_alias_inside_its_node(void **state)
{
	(void)state;
	expect_trace("a: &a [1, *a]\nb: *a\n",
		     " { a [ 1 *a ] b [ 1 *a ] }");
	expect_trace("m: &m {k: [*m]}\n", " { m { k [ *m ] } }");
	struct ni_yaml y;
	open_ok(&y, "a: &a [1, *a]\n", 1, 0);
	ni_yaml_expand_aliases(&y);
	to_scalar(&y, 2);
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_ALIAS_EVENT);
	assert_string_equal(y.alias_refusal,
			    "it is inside the node it names");
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_null(y.alias_refusal);
	ni_yaml_close(&y);
}

/* `&a <63 bytes>` then `b: [*a, ... n times]`, and more after. */
static char *many_aliases(size_t n, const char *tail)
{
	struct ni_buf buf = NI_BUF_INIT;
	char value[64];
	memset(value, 'v', 63);
	value[63] = '\0';
	assert_int_equal(ni_buf_addf(&buf, "a: &a %s\nb: [", value), NI_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ni_buf_adds(&buf, i ? ", *a" : "*a"), NI_OK);
	assert_int_equal(ni_buf_addf(&buf, "]\n%s", tail), NI_OK);
	char *s = ni_buf_detach(&buf);
	assert_non_null(s);
	return s;
}

/* How many of `text`'s events are aliases handed over (not expanded);
 * `*events` counts all events read. */
static size_t count_refused(const char *text, size_t *events,
			    const char **why)
{
	struct ni_yaml y;
	size_t refused = 0;
	*events = 0;
	*why = NULL;
	open_ok(&y, text, 1, 0);
	ni_yaml_expand_aliases(&y);
	ni_status st;
	while ((st = ni_yaml_next(&y)) == NI_OK &&
	       y.event.type != YAML_STREAM_END_EVENT) {
		++*events;
		if (y.event.type == YAML_ALIAS_EVENT) {
			refused++;
			assert_non_null(y.alias_refusal);
			*why = strcmp(y.alias_refusal, "it is inside the node "
				      "it names") ? "budget" : "inside";
		}
	}
	assert_int_equal(st, NI_OK);
	ni_yaml_close(&y);
	return refused;
}

/*
 * Replays may cost as much as the text is long, or 8192 (a scalar its
 * length plus one): 128 replays of 63 bytes are exactly 8192, one more
 * is refused, and so is every alias after it, however cheap.
 */
static void test_alias_budget(void **state)
{
	(void)state;
	size_t events;
	const char *why;
	char *text = many_aliases(128, "");
	assert_true(strlen(text) < NI_YAML_ALIAS_MIN_BUDGET);
	assert_int_equal(count_refused(text, &events, &why), 0);
	free(text);

	text = many_aliases(129, "c: &c 1\nd: *c\n");
	assert_int_equal(count_refused(text, &events, &why), 2);
	assert_string_equal(why, "budget");
	free(text);
	/* 64 bytes are left after 127: `*g` (91) is refused, and then
	 * `*c` (2) too. */
	text = many_aliases(127, "c: &c 1\ng: &g \"0123456789012345678901"
			    "23456789012345678901234567890123456789012345678"
			    "901234567890123456789\"\nx: *g\nd: *c\n");
	assert_int_equal(count_refused(text, &events, &why), 2);
	free(text);

	/* The message says how much aliases may add. */
	struct ni_yaml y;
	text = many_aliases(129, "");
	open_ok(&y, text, 1, 0);
	ni_yaml_expand_aliases(&y);
	to_scalar(&y, 3 + 128);
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_ALIAS_EVENT);
	assert_string_equal(y.alias_refusal,
			    "aliases may add at most 8192 bytes in all");
	ni_yaml_close(&y);
	free(text);

	/* A longer text may replay as much as its length. */
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&buf, "# "), NI_OK);
	for (int i = 0; i < 8200; i++)
		assert_int_equal(ni_buf_addch(&buf, 'p'), NI_OK);
	assert_int_equal(ni_buf_addch(&buf, '\n'), NI_OK);
	char *pad = ni_buf_detach(&buf);
	text = many_aliases(129, pad);
	assert_int_equal(count_refused(text, &events, &why), 0);
	free(text);
	free(pad);
}

/*
 * A billion laughs, 9 levels of 10 aliases (10^9 scalars written out),
 * reads as few events as its text and the budget allow; a smaller one,
 * 5 levels (10^5), that an unbounded expansion reads quickly too, is
 * held to the same bound.
 */
static char *laughs(int levels)
{
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&buf, "l0: &l0 [lol, lol, lol, lol, "
				     "lol, lol, lol, lol, lol, lol]\n"),
			 NI_OK);
	for (int i = 1; i < levels; i++) {
		assert_int_equal(ni_buf_addf(&buf, "l%d: &l%d [", i, i),
				 NI_OK);
		for (int j = 0; j < 10; j++)
			assert_int_equal(ni_buf_addf(&buf, "%s*l%d",
						     j ? ", " : "", i - 1),
					 NI_OK);
		assert_int_equal(ni_buf_adds(&buf, "]\n"), NI_OK);
	}
	assert_int_equal(ni_buf_addf(&buf, "top: *l%d\n", levels - 1),
			 NI_OK);
	char *s = ni_buf_detach(&buf);
	assert_non_null(s);
	return s;
}

static void test_billion_laughs(void **state)
{
	(void)state;
	for (int levels = 5; levels <= 9; levels += 4) {
		char *text = laughs(levels);
		size_t events;
		const char *why;
		size_t refused = count_refused(text, &events, &why);
		assert_true(refused > 0);
		assert_string_equal(why, "budget");
		/* Each replayed event costs at least 1. */
		if (events > strlen(text) + NI_YAML_ALIAS_MIN_BUDGET)
			fail_msg("%d levels: %zu events", levels, events);
		free(text);
	}
}

/* Nesting is counted through replays, and refused at the alias. */
static void test_alias_depth(void **state)
{
	(void)state;
	ni_status st;
	/* { b [ *a: [ [ 1 ] ] ] }: 4 levels. */
	char *got = trace("a: &a [[1]]\nb: [*a]\n", true, 4, &st);
	assert_int_equal(st, NI_OK);
	free(got);
	got = trace("a: &a [[1]]\nb: [ *a]\n", true, 3, &st);
	assert_int_equal(st, NI_EPARSE);
	assert_error(2, 6, "test nested deeper than 3 levels");
	assert_int_equal(err.kind, NI_SKIP_TOO_DEEP);
	free(got);
	/* Through an alias inside a replay too. */
	got = trace("a: &a [1]\nb: &b [*a]\nc: [*b]\n", true, 4, &st);
	assert_int_equal(st, NI_OK);
	free(got);
	got = trace("a: &a [1]\nb: &b [*a]\nc: [*b]\n", true, 3, &st);
	assert_int_equal(st, NI_EPARSE);
	assert_error(3, 5, "test nested deeper than 3 levels");
	free(got);
}

/* Closing in the middle of a replay frees what it holds (ASan). */
static void test_alias_close_mid_replay(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: &a {x: [1, 2], y: &b [3]}\nb: *a\nc: *b\n", 1, 0);
	ni_yaml_expand_aliases(&y);
	to_scalar(&y, 8);
	assert_string_equal(ni_yaml_scalar_text(&y), "x");
	ni_yaml_close(&y);
}

/* ---- numbers ---------------------------------------------------------- */

static void expect_number(const char *text, double expected)
{
	double value = -12345;
	if (!ni_yaml_read_number(text, strlen(text), &value))
		fail_msg("\"%s\" was refused", text);
	if (value != expected)
		fail_msg("\"%s\" gave %g, not %g", text, value, expected);
}

static void test_numbers(void **state)
{
	(void)state;
	expect_number("37", 37);
	expect_number("-1.5", -1.5);
	expect_number("+2.25", 2.25);
	expect_number("1e3", 1000);
	expect_number(".5", 0.5);
	expect_number("0x1A", 26);  /* strtod's hexadecimal: see the header */

	static const char *const bad[] = {
		"", " 1", "1 ", "inf", "-inf", "nan", ".nan", ".inf", "1e999",
		"12abc", "1_000", "0x", "1.2.3", "1,5", "e3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		double value = -12345;
		if (ni_yaml_read_number(bad[i], strlen(bad[i]), &value))
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_true(value == -12345);  /* untouched */
	}
	/* Any length is read whole: "0.5000...0001" with 200 decimals is
	 * 0.5 (it was refused past 63 bytes). */
	char digits[203];
	memset(digits, '0', sizeof digits);
	memcpy(digits, "0.5", 3);
	digits[sizeof digits - 1] = '1';
	double value;
	assert_true(ni_yaml_read_number(digits, sizeof digits, &value));
	assert_true(value == 0.5);
	digits[sizeof digits - 1] = 'x';
	assert_false(ni_yaml_read_number(digits, sizeof digits, &value));
	/* The length is what counts, not a NUL. */
	assert_false(ni_yaml_read_number("1\0", 2, &value));
	assert_true(ni_yaml_read_number("12", 1, &value) && value == 1);
}

/* Numbers use '.' whatever the locale says. */
static void test_locale_decimal_point(void **state)
{
	(void)state;
	use_decimal_comma_locale();
	double value;
	bool read = ni_yaml_read_number("0.25", 4, &value);
	bool comma = ni_yaml_read_number("0,25", 4, &value);
	setlocale(LC_NUMERIC, "C");
	assert_true(read && value == 0.25);
	assert_false(comma);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_one_document),
		cmocka_unit_test(test_no_document),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_invalid_yaml),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_scalar_dup),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_aliases_not_expanded_by_default),
		cmocka_unit_test(test_alias_expanded),
		cmocka_unit_test(test_alias_nested),
		cmocka_unit_test(test_alias_positions),
		cmocka_unit_test(test_alias_undefined),
		cmocka_unit_test(test_alias_inside_its_node),
		cmocka_unit_test(test_alias_budget),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_alias_depth),
		cmocka_unit_test(test_alias_close_mid_replay),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_locale_decimal_point),
	};
	return tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
