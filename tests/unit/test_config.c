/*
 * Unit tests for lib/files/config.c and ni_cli_load_config(): which file is
 * read, every setting, every error with its line, column and message,
 * missing files (named or not), ~/ expansion, facets as text or a list,
 * the size cap.  Files are written to a fresh temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_config.h"

#define HOME "/home/u"

/* The temporary folder of the current test, and a file in it. */
static char tmp_dir[] = "/tmp/ni-config-test-XXXXXX";
static char config_path[sizeof tmp_dir + 32];

/* ---- helpers ---------------------------------------------------------- */

static int make_tmp_dir(void **state)
{
	(void)state;
	if (!mkdtemp(tmp_dir))
		return -1;
	snprintf(config_path, sizeof config_path, "%s/config.yaml", tmp_dir);
	return 0;
}

static int remove_tmp_dir(void **state)
{
	(void)state;
	char command[sizeof tmp_dir + 16];
	snprintf(command, sizeof command, "rm -rf '%s'", tmp_dir);
	return system(command) == 0 ? 0 : -1;
}

static void write_bytes(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot write '%s'", path);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_config(const char *text)
{
	write_bytes(config_path, text, strlen(text));
}

static bool all_zero(const struct ni_config *config)
{
	static const struct ni_config zero;
	return !memcmp(config, &zero, sizeof zero);
}

/* Load `len` bytes as a config file that must be fine. */
static void load_ok_len(const char *text, size_t len, const char *home,
			struct ni_config *config)
{
	struct ni_parse_error err = {0};
	write_bytes(config_path, text, len);
	ni_status st = ni_config_load(config_path, true, home, config, &err);
	if (st != NI_OK)
		fail_msg("load failed (%d) at %u:%u: %s", st, err.line,
			 err.column, err.message);
}

static void load_ok(const char *text, struct ni_config *config)
{
	load_ok_len(text, strlen(text), HOME, config);
}

static void expect_empty(const char *text, size_t len)
{
	struct ni_config config;
	load_ok_len(text, len, HOME, &config);
	assert_true(all_zero(&config));
}

/* Loading must fail with NI_EPARSE, this place and this message. */
static void expect_error_home(const char *text, const char *home,
			      unsigned line, unsigned column,
			      const char *message)
{
	struct ni_config config;
	struct ni_parse_error err;
	memset(&config, 0xAB, sizeof config);  /* must come back zeroed */
	write_config(text);
	ni_status st = ni_config_load(config_path, true, home, &config, &err);
	if (st != NI_EPARSE)
		fail_msg("status %d, wanted NI_EPARSE, for: %s", st, text);
	if (strcmp(err.message, message) || err.line != line ||
	    err.column != column)
		fail_msg("for: %s\n  got %u:%u: %s\n  wanted %u:%u: %s", text,
			 err.line, err.column, err.message, line, column,
			 message);
	assert_true(all_zero(&config));
}

static void expect_error(const char *text, unsigned line, unsigned column,
			 const char *message)
{
	expect_error_home(text, HOME, line, column, message);
}

static void expect_facets(const char *text, const char *facets)
{
	struct ni_config config;
	load_ok(text, &config);
	assert_non_null(config.facets);
	assert_string_equal(config.facets, facets);
	ni_config_clear(&config);
}

static void expect_db(const char *text, const char *home, const char *db)
{
	struct ni_config config;
	load_ok_len(text, strlen(text), home, &config);
	assert_non_null(config.db);
	assert_string_equal(config.db, db);
	ni_config_clear(&config);
}

/* ---- which file ------------------------------------------------------- */

static void expect_path(const char *env, const char *xdg, const char *home,
			const char *expected, bool expected_explicit)
{
	struct ni_buf out = NI_BUF_INIT;
	bool explicit_path = !expected_explicit;
	assert_int_equal(ni_config_path(env, xdg, home, &out, &explicit_path),
			 NI_OK);
	assert_string_equal(out.data, expected);
	assert_true(explicit_path == expected_explicit);
	ni_buf_release(&out);
}

static void test_path_choice(void **state)
{
	(void)state;
	expect_path("/c/my.yaml", "/x", "/h", "/c/my.yaml", true);
	/* A named file is taken as written, even relative. */
	expect_path("my.yaml", NULL, NULL, "my.yaml", true);
	expect_path(NULL, "/x", "/h", "/x/newsindex/config.yaml", false);
	expect_path("", "/x", "", "/x/newsindex/config.yaml", false);
	/* A relative XDG_CONFIG_HOME is invalid per the spec: ignored. */
	expect_path(NULL, "rel", "/h", "/h/.config/newsindex/config.yaml",
		    false);
	expect_path("", "", "/h", "/h/.config/newsindex/config.yaml", false);

	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(ni_config_path(NULL, "rel", "", &out, NULL),
			 NI_EINVAL);
	assert_null(out.data);
	/* explicit_path may be NULL. */
	assert_int_equal(ni_config_path(NULL, NULL, "/h", &out, NULL), NI_OK);
	ni_buf_release(&out);
}

/* ---- settings --------------------------------------------------------- */

static void test_every_setting(void **state)
{
	(void)state;
	struct ni_config c;
	load_ok("# ~/.config/newsindex/config.yaml\n"
		"db: ~/news/index            # the index\n"
		"limit: 20\n"
		"quality_weight: 1.5\n"
		"bm25_k1: 1.6\n"
		"bm25_b: 0.75\n"
		"color: always\n"
		"hyperlinks: never\n"
		"recent_half_life_days: 7\n"
		"facets: topic,provider\n", &c);
	assert_string_equal(c.db, HOME "/news/index");
	assert_true(c.has_limit);
	assert_int_equal(c.limit, 20);
	assert_true(c.has_quality_weight);
	assert_true(c.quality_weight == 1.5);
	assert_true(c.has_bm25_k1);
	assert_true(c.bm25_k1 == 1.6);
	assert_true(c.has_bm25_b);
	assert_true(c.bm25_b == 0.75);
	assert_string_equal(c.color, "always");
	assert_string_equal(c.hyperlinks, "never");
	assert_true(c.has_recent_half_life_days);
	assert_true(c.recent_half_life_days == 7);
	assert_string_equal(c.facets, "topic,provider");
	ni_config_clear(&c);
	assert_true(all_zero(&c));
	ni_config_clear(&c);  /* twice is fine */

	/* One setting: the others stay unset. */
	load_ok("limit: 5", &c);
	assert_true(c.has_limit);
	assert_int_equal(c.limit, 5);
	c.has_limit = false;
	c.limit = 0;
	assert_true(all_zero(&c));

	/* The ends of every range are in it. */
	load_ok("limit: 10000\nquality_weight: 0\nbm25_k1: 100\n"
		"bm25_b: 0\nrecent_half_life_days: 36500\n", &c);
	assert_int_equal(c.limit, 10000);
	assert_true(c.quality_weight == 0 && c.has_quality_weight);
	assert_true(c.bm25_k1 == 100);
	assert_true(c.bm25_b == 0 && c.has_bm25_b);
	assert_true(c.recent_half_life_days == 36500);
	load_ok("limit: 1\nquality_weight: 1000\nbm25_k1: 0\nbm25_b: 1\n"
		"recent_half_life_days: 0.5\n", &c);
	assert_int_equal(c.limit, 1);
	assert_true(c.quality_weight == 1000);
	assert_true(c.bm25_k1 == 0 && c.has_bm25_k1);
	assert_true(c.bm25_b == 1);
	assert_true(c.recent_half_life_days == 0.5);

	/* Quoted values read as plain ones; other number forms. */
	load_ok("limit: \"20\"\nquality_weight: '2'\nbm25_k1: 1e1\n"
		"bm25_b: .5\ncolor: \"auto\"\n", &c);
	assert_int_equal(c.limit, 20);
	assert_true(c.quality_weight == 2);
	assert_true(c.bm25_k1 == 10);
	assert_true(c.bm25_b == 0.5);
	assert_string_equal(c.color, "auto");
	ni_config_clear(&c);

	/* Flow style, CRLF line endings, a byte order mark, "...". */
	load_ok("\xEF\xBB\xBF{limit: 7, color: never}\r\n...\r\n", &c);
	assert_int_equal(c.limit, 7);
	assert_string_equal(c.color, "never");
	ni_config_clear(&c);

	/* Anchors alone are harmless; tags are not looked at. */
	load_ok("limit: &n 9\nbm25_b: !!float 0.5\n", &c);
	assert_int_equal(c.limit, 9);
	assert_true(c.bm25_b == 0.5);
}

static void test_empty_config(void **state)
{
	(void)state;
	expect_empty("", 0);
	expect_empty("\n\n  \n", 5);
	expect_empty("# only\n# comments\n", 18);
	expect_empty("\xEF\xBB\xBF", 3);
	expect_empty("---\n", 4);
	expect_empty("--- # nothing\n...\n", 18);
	expect_empty("~\n", 2);
	expect_empty("{}\n", 3);
	/* A setting with a null value is not set. */
	const char *nulls = "db:\nlimit: ~\ncolor: null\nfacets: NULL\n"
			    "bm25_b:   # later\n";
	expect_empty(nulls, strlen(nulls));
}

static void test_db_expansion(void **state)
{
	(void)state;
	expect_db("db: ~/news/index", "/home/u", "/home/u/news/index");
	expect_db("db: ~/news", "/home/u/", "/home/u/news");
	expect_db("db: ~/news", "/", "/news");
	expect_db("db: '~/'", "/h", "/h/");
	expect_db("db: /srv/news", NULL, "/srv/news");
	/* Only a leading ~/ is expanded. */
	expect_db("db: /srv/~/news", "/h", "/srv/~/news");

	expect_error_home("db: ~/news", NULL, 1, 5,
			  "db: cannot expand ~/: HOME is not set");
	expect_error_home("db: ~/news", "", 1, 5,
			  "db: cannot expand ~/: HOME is not set");
	expect_error("db: ~bob/news", 1, 5,
		     "db: expected an absolute path or one starting with ~/, "
		     "got \"~bob/news\"");
	expect_error("db: news/index", 1, 5,
		     "db: expected an absolute path or one starting with ~/, "
		     "got \"news/index\"");
	expect_error("db: \"~\"", 1, 5,
		     "db: expected an absolute path or one starting with ~/, "
		     "got \"~\"");
	expect_error("db: ''", 1, 5,
		     "db: expected an absolute path or one starting with ~/, "
		     "got \"\"");
	expect_error("db: {path: /x}", 1, 5,
		     "db: expected an absolute path or one starting with ~/, "
		     "got a mapping");
	expect_error("db: \"/a\\0b\"", 1, 5, "db: text contains a NUL byte");
}

static void test_facets(void **state)
{
	(void)state;
	expect_facets("facets: topic,provider", "topic,provider");
	/* Text is kept as written. */
	expect_facets("facets: 'topic, provider'", "topic, provider");
	expect_facets("facets: ''", "");
	expect_facets("facets:\n  - topic\n  - provider\n", "topic,provider");
	expect_facets("facets:\n- topic\n", "topic");
	expect_facets("facets: [topic, provider, date]",
		      "topic,provider,date");
	expect_facets("facets: []", "");

	const char *name = "a name (text without commas)";
	char message[128];
	snprintf(message, sizeof message,
		 "facets[1]: expected %s, got a list", name);
	expect_error("facets: [topic, [provider]]", 1, 17, message);
	snprintf(message, sizeof message,
		 "facets[0]: expected %s, got a mapping", name);
	expect_error("facets:\n  - {a: b}\n", 2, 5, message);
	snprintf(message, sizeof message,
		 "facets[1]: expected %s, got \"b,c\"", name);
	expect_error("facets: [a, 'b,c']", 1, 13, message);
	/* Columns count characters, not bytes. */
	expect_error("facets: [\xC3\xA9t\xC3\xA9, 'b,c']", 1, 15, message);
	snprintf(message, sizeof message,
		 "facets[1]: expected %s, got \"\"", name);
	expect_error("facets:\n  - a\n  -\n  - b\n", 3, 4, message);
	snprintf(message, sizeof message,
		 "facets[0]: expected %s, got \"~\"", name);
	expect_error("facets: [~, b]", 1, 10, message);
	/* Quoted, "~" is a name like any other. */
	expect_facets("facets: ['~', b]", "~,b");
	expect_error("facets: {topic: 1}", 1, 9,
		     "facets: expected text or a list of names, got a "
		     "mapping");
	expect_error("facets: [a, *x]", 1, 13,
		     "facets[1]: aliases are not allowed (*x): write the "
		     "value out");
	expect_error("facets: [a, \"b\\0\"]", 1, 13,
		     "facets[1]: text contains a NUL byte");
}

/* ---- errors ----------------------------------------------------------- */

static void test_unknown_setting(void **state)
{
	(void)state;
	expect_error("limt: 20\n", 1, 1, "unknown setting 'limt'");
	expect_error("limit: 20\ncolor: auto\n  \ncolour: never\n", 4, 1,
		     "unknown setting 'colour'");
	/* Names are case-sensitive, and a number is a name too. */
	expect_error("Limit: 20\n", 1, 1, "unknown setting 'Limit'");
	expect_error("5: x\n", 1, 1, "unknown setting '5'");
	expect_error("{limit: 5, db: /x, qw: 1}", 1, 20,
		     "unknown setting 'qw'");
	expect_error("\"a\\tb\": 1\n", 1, 1, "unknown setting 'a\\x09b'");
	expect_error("? [a]\n: 1\n", 1, 3,
		     "config file: expected a setting's name, got a list");
	expect_error("limit: &k 5\n*k : 3\n", 2, 1,
		     "config file: aliases are not allowed (*k): write the "
		     "value out");
	/* A long name is cut in the message. */
	char text[200], message[200];
	memset(text, 'x', 100);
	strcpy(text + 100, ": 1");
	snprintf(message, sizeof message, "unknown setting '%.60s...'", text);
	expect_error(text, 1, 1, message);
}

static void test_wrong_values(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned column;
		const char *message;
	} cases[] = {
		{"limit: lots", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"lots\""},
		{"limit: 0", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"0\""},
		{"limit: 10001", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"10001\""},
		{"limit: 99999999999999999999999", 8,
		 "limit: expected a whole number from 1 to 10000, got "
		 "\"99999999999999999999999\""},
		{"limit: -1", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"-1\""},
		{"limit: +5", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"+5\""},
		{"limit: 20.0", 8, "limit: expected a whole number from 1 to "
		 "10000, got \"20.0\""},
		{"limit: ' 20'", 8, "limit: expected a whole number from 1 to "
		 "10000, got \" 20\""},
		{"limit: [20]", 8, "limit: expected a whole number from 1 to "
		 "10000, got a list"},
		{"quality_weight: -1", 17, "quality_weight: expected a number "
		 "from 0 to 1000, got \"-1\""},
		{"quality_weight: 1000.5", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"1000.5\""},
		{"quality_weight: high", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"high\""},
		{"quality_weight: .inf", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \".inf\""},
		{"quality_weight: nan", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"nan\""},
		{"quality_weight: 0x10", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"0x10\""},
		{"quality_weight: 1e999", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"1e999\""},
		{"quality_weight: 1.5.2", 17, "quality_weight: expected a "
		 "number from 0 to 1000, got \"1.5.2\""},
		{"bm25_k1: 101", 10, "bm25_k1: expected a number from 0 to "
		 "100, got \"101\""},
		{"bm25_k1: {a: 1}", 10, "bm25_k1: expected a number from 0 "
		 "to 100, got a mapping"},
		{"bm25_b: 1.5", 9, "bm25_b: expected a number from 0 to 1, "
		 "got \"1.5\""},
		{"bm25_b: \"\"", 9, "bm25_b: expected a number from 0 to 1, "
		 "got \"\""},
		{"recent_half_life_days: 0", 24, "recent_half_life_days: "
		 "expected a number above 0 and at most 36500, got \"0\""},
		{"recent_half_life_days: 36501", 24, "recent_half_life_days: "
		 "expected a number above 0 and at most 36500, got \"36501\""},
		{"recent_half_life_days: -3", 24, "recent_half_life_days: "
		 "expected a number above 0 and at most 36500, got \"-3\""},
		{"color: sometimes", 8, "color: expected auto, always or "
		 "never, got \"sometimes\""},
		/* YAML 1.1 would call these booleans; say what is wanted. */
		{"color: no", 8, "color: expected auto, always or never, got "
		 "\"no\""},
		{"color: Auto", 8, "color: expected auto, always or never, "
		 "got \"Auto\""},
		{"hyperlinks: yes", 13, "hyperlinks: expected auto, always or "
		 "never, got \"yes\""},
		{"hyperlinks: [auto]", 13, "hyperlinks: expected auto, always "
		 "or never, got a list"},
		{"limit: 5\nbm25_k1: *x", 10, "bm25_k1: aliases are not "
		 "allowed (*x): write the value out"},
		/* A long value is cut, control characters escaped. */
		{"color: \"\\x01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxx\"", 8, "color: expected auto, always "
		 "or never, got \"\\x01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxx...\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned line = strchr(cases[i].text, '\n') ? 2 : 1;
		expect_error(cases[i].text, line, cases[i].column,
			     cases[i].message);
	}
}

static void test_bad_documents(void **state)
{
	(void)state;
	expect_error("- limit\n- 5\n", 1, 1,
		     "config file: expected settings as name: value lines, "
		     "got a list");
	expect_error("hello\n", 1, 1,
		     "config file: expected settings as name: value lines, "
		     "got \"hello\"");
	expect_error("limit: 5\nlimit: 6\n", 2, 1,
		     "limit: set twice (first on line 1)");
	expect_error("limit: 5\n---\nlimit: 6\n", 2, 1,
		     "config file holds more than one yaml document");
	expect_error("limit: 5\ncolor: 'auto\n", 3, 1,
		     "found unexpected end of stream while scanning a quoted "
		     "scalar");
	expect_error("facets: [a, b\ncolor: auto\n", 2, 6,
		     "did not find expected ',' or ']' while parsing a flow "
		     "sequence");
	expect_error("db: /x\n  limit: 5\n", 2, 8,
		     "mapping values are not allowed in this context");
	expect_error("limit: 5\n\tcolor: auto\n", 2, 1,
		     "found a tab character that violates indentation while "
		     "scanning a plain scalar (a tab: YAML indents with "
		     "spaces)");
	expect_error("db: /\xFF\n", 1, 6,
		     "invalid leading UTF-8 octet (#xff)");
}

static void test_nul_byte(void **state)
{
	(void)state;
	struct ni_config config;
	struct ni_parse_error err;
	write_bytes(config_path, "limit: 5\ndb: /x\0y\n", 18);
	assert_int_equal(ni_config_load(config_path, false, HOME, &config,
					&err), NI_EPARSE);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 7);
	assert_string_equal(err.message, "config file contains a NUL byte");
	assert_true(all_zero(&config));
}

static void test_deep_nesting(void **state)
{
	(void)state;
	/* Refused at the first list inside the list, however deep. */
	struct ni_buf text = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&text, "facets: "), NI_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(ni_buf_addch(&text, '['), NI_OK);
	expect_error(text.data, 1, 10,
		     "facets[0]: expected a name (text without commas), got "
		     "a list");
	ni_buf_release(&text);
	expect_error("color: {a: {b: {c: [1]}}}", 1, 8,
		     "color: expected auto, always or never, got a mapping");
}

static void test_size_limit(void **state)
{
	(void)state;
	struct ni_config config;
	struct ni_parse_error err;
	char *text = malloc(NI_CONFIG_MAX_BYTES + 1);
	assert_non_null(text);
	/* Exactly the cap: a comment, then a setting. */
	memset(text, ' ', NI_CONFIG_MAX_BYTES);
	text[0] = '#';
	memcpy(text + NI_CONFIG_MAX_BYTES - 9, "\nlimit: 3", 9);
	load_ok_len(text, NI_CONFIG_MAX_BYTES, HOME, &config);
	assert_int_equal(config.limit, 3);
	/* One byte more. */
	text[NI_CONFIG_MAX_BYTES] = '\n';
	write_bytes(config_path, text, NI_CONFIG_MAX_BYTES + 1);
	assert_int_equal(ni_config_load(config_path, false, HOME, &config,
					&err), NI_EPARSE);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.column, 0);
	assert_string_equal(err.message, "config file is larger than 64 KiB");
	assert_true(all_zero(&config));
	free(text);
}

/* ---- files ------------------------------------------------------------ */

static void test_missing_file(void **state)
{
	(void)state;
	struct ni_config config;
	struct ni_parse_error err = {7, 7, "untouched", NI_SKIP_NONE};
	char path[sizeof tmp_dir + 64];

	/* Not named by the user: nothing configured. */
	snprintf(path, sizeof path, "%s/none.yaml", tmp_dir);
	memset(&config, 0xAB, sizeof config);
	assert_int_equal(ni_config_load(path, false, HOME, &config, &err),
			 NI_OK);
	assert_true(all_zero(&config));
	assert_int_equal(err.line, 7);
	assert_string_equal(err.message, "untouched");
	/* Nor is a missing folder, or a file where a folder should be. */
	snprintf(path, sizeof path, "%s/no/such/config.yaml", tmp_dir);
	assert_int_equal(ni_config_load(path, false, HOME, &config, NULL),
			 NI_OK);
	write_config("limit: 5\n");
	snprintf(path, sizeof path, "%s/config.yaml/config.yaml", tmp_dir);
	assert_int_equal(ni_config_load(path, false, HOME, &config, NULL),
			 NI_OK);
	assert_true(all_zero(&config));

	/* Named ($NEWSINDEX_CONFIG): it must exist. */
	snprintf(path, sizeof path, "%s/none.yaml", tmp_dir);
	memset(&config, 0xAB, sizeof config);
	assert_int_equal(ni_config_load(path, true, HOME, &config, &err),
			 NI_EIO);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.column, 0);
	assert_string_equal(err.message, "No such file or directory");
	assert_true(all_zero(&config));
	assert_int_equal(ni_config_load(path, true, HOME, &config, NULL),
			 NI_EIO);
}

static void test_unreadable_file(void **state)
{
	(void)state;
	struct ni_config config;
	struct ni_parse_error err;

	/* A folder, named or not. */
	assert_int_equal(ni_config_load(tmp_dir, false, HOME, &config, &err),
			 NI_EIO);
	assert_string_equal(err.message, "Is a directory");
	assert_int_equal(err.line, 0);
	assert_true(all_zero(&config));

	write_config("limit: 5\n");
	assert_int_equal(chmod(config_path, 0), 0);
	if (geteuid() != 0) {  /* root reads it anyway */
		assert_int_equal(ni_config_load(config_path, false, HOME,
						&config, &err), NI_EIO);
		assert_string_equal(err.message, "Permission denied");
		assert_true(all_zero(&config));
	}
	assert_int_equal(chmod(config_path, 0600), 0);

	assert_int_equal(ni_config_load(NULL, false, HOME, &config, &err),
			 NI_EINVAL);
	assert_int_equal(ni_config_load(config_path, false, HOME, NULL, &err),
			 NI_EINVAL);
}

/* Numbers use '.' whatever the locale says. */
static void test_locale_decimal_point(void **state)
{
	(void)state;
	use_decimal_comma_locale();
	struct ni_config config;
	load_ok("bm25_b: 0.25\nquality_weight: 2.5", &config);
	assert_true(config.bm25_b == 0.25);
	assert_true(config.quality_weight == 2.5);
	expect_error("bm25_b: 0,25", 1, 9,
		     "bm25_b: expected a number from 0 to 1, got \"0,25\"");
	setlocale(LC_NUMERIC, "C");
}

/* ---- ni_cli_load_config: the environment ------------------------------ */

static void set_env(const char *name, const char *value)
{
	if (value)
		assert_int_equal(setenv(name, value, 1), 0);
	else
		assert_int_equal(unsetenv(name), 0);
}

static void test_cli_load_config(void **state)
{
	(void)state;
	struct ni_config config;
	struct ni_parse_error err;
	struct ni_buf used = NI_BUF_INIT;
	char home[sizeof tmp_dir + 16], dir[sizeof tmp_dir + 64];

	/* $NEWSINDEX_CONFIG names the file. */
	write_config("db: ~/idx\nlimit: 4\n");
	set_env("NEWSINDEX_CONFIG", config_path);
	set_env("XDG_CONFIG_HOME", NULL);
	set_env("HOME", "/home/v");
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_OK);
	assert_string_equal(used.data, config_path);
	assert_string_equal(config.db, "/home/v/idx");
	assert_int_equal(config.limit, 4);
	ni_config_clear(&config);
	ni_buf_reset(&used);

	/* ... and then it must exist; the error names nothing else. */
	set_env("NEWSINDEX_CONFIG", "/nonexistent/config.yaml");
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_EIO);
	assert_string_equal(used.data, "/nonexistent/config.yaml");
	assert_string_equal(err.message, "No such file or directory");
	ni_buf_reset(&used);

	/* Else $HOME/.config/newsindex/config.yaml, which may be missing. */
	set_env("NEWSINDEX_CONFIG", "");
	snprintf(home, sizeof home, "%s/home", tmp_dir);
	set_env("HOME", home);
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_OK);
	assert_true(all_zero(&config));
	assert_true(strstr(used.data, "/home/.config/newsindex/config.yaml"));
	ni_buf_reset(&used);
	snprintf(dir, sizeof dir, "%s/.config", home);
	assert_int_equal(mkdir(home, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof dir, "%s/.config/newsindex", home);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof dir, "%s/.config/newsindex/config.yaml", home);
	write_bytes(dir, "limt: 4\n", 8);
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_EPARSE);
	assert_string_equal(used.data, dir);
	assert_string_equal(err.message, "unknown setting 'limt'");
	assert_int_equal(err.line, 1);
	ni_buf_reset(&used);

	/* Else $XDG_CONFIG_HOME/newsindex/config.yaml, when absolute. */
	set_env("XDG_CONFIG_HOME", tmp_dir);
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_OK);
	assert_true(strstr(used.data, "/newsindex/config.yaml"));
	assert_true(all_zero(&config));
	ni_buf_reset(&used);
	set_env("XDG_CONFIG_HOME", "relative");
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_EPARSE);
	assert_string_equal(used.data, dir);
	ni_buf_reset(&used);

	/* Nowhere to look: nothing configured. */
	set_env("XDG_CONFIG_HOME", NULL);
	set_env("HOME", NULL);
	assert_int_equal(ni_cli_load_config(&config, &used, &err), NI_OK);
	assert_true(all_zero(&config));
	assert_int_equal(used.len, 0);
	ni_buf_release(&used);
}

/* newsindex build's limits: whole numbers in their ranges. */
static void test_build_limits(void **state)
{
	(void)state;
	struct ni_config c;
	load_ok("max_file_size: 1000\nmax_field_words: 50\n", &c);
	assert_true(c.has_max_file_size);
	assert_int_equal(c.max_file_size, 1000);
	assert_true(c.has_max_field_words);
	assert_int_equal(c.max_field_words, 50);
	ni_config_clear(&c);
	load_ok("max_file_size: 4294967295\nmax_field_words: 10000000\n",
		&c);
	assert_int_equal(c.max_file_size, 4294967295u);
	assert_int_equal(c.max_field_words, 10000000);
	ni_config_clear(&c);
	expect_error("max_field_words: 0\n", 1, 18,
		     "max_field_words: expected a whole number from 1 to "
		     "10000000, got \"0\"");
	expect_error("max_field_words: 10000001\n", 1, 18,
		     "max_field_words: expected a whole number from 1 to "
		     "10000000, got \"10000001\"");
	expect_error("max_file_size: 4294967296\n", 1, 16,
		     "max_file_size: expected a whole number of bytes from 1 "
		     "to 4294967295, got \"4294967296\"");
	expect_error("max_file_size: 16M\n", 1, 16,
		     "max_file_size: expected a whole number of bytes from 1 "
		     "to 4294967295, got \"16M\"");
}

/* language: a code or a stemmer's name, kept as the stemmer's name. */
static void test_language(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *language;
	} cases[] = {
		{"language: de-DE\n", "german"},
		{"language: english\n", "english"},
		{"language: zh-Hans\n", "none"},
		{"limit: 3\n", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct ni_config c;
		load_ok(cases[i].text, &c);
		if (cases[i].language)
			assert_string_equal(c.language, cases[i].language);
		else
			assert_null(c.language);
		ni_config_clear(&c);
	}
	expect_error("language: klingon\n", 1, 11,
		     "language: expected a language code (en, de, zh-Hans) "
		     "or a stemmer's name (english), got \"klingon\"");
	expect_error("language: [de]\n", 1, 11,
		     "language: expected a language code (en, de, zh-Hans) "
		     "or a stemmer's name (english), got a list");
}

static void test_feedback(void **state)
{
	(void)state;
	struct ni_config c;
	load_ok("feedback: false\n", &c);
	assert_true(c.has_feedback);
	assert_false(c.feedback);
	ni_config_clear(&c);
	load_ok("feedback: true\n", &c);
	assert_true(c.has_feedback);
	assert_true(c.feedback);
	ni_config_clear(&c);
	load_ok("feedback:\n", &c);
	assert_false(c.has_feedback);
	ni_config_clear(&c);
	/* YAML 1.1's yes and no are not booleans here: be explicit. */
	expect_error("feedback: no\n", 1, 11,
		     "feedback: expected true or false, got \"no\"");
	expect_error("feedback: [true]\n", 1, 11,
		     "feedback: expected true or false, got a list");
}

static void test_strict_syntax(void **state)
{
	(void)state;
	struct ni_config c;
	load_ok("strict_syntax: true\n", &c);
	assert_true(c.has_strict_syntax);
	assert_true(c.strict_syntax);
	ni_config_clear(&c);
	load_ok("strict_syntax: false\n", &c);
	assert_true(c.has_strict_syntax);
	assert_false(c.strict_syntax);
	ni_config_clear(&c);
	load_ok("strict_syntax:\n", &c);
	assert_false(c.has_strict_syntax);
	ni_config_clear(&c);
	expect_error("strict_syntax: yes\n", 1, 16,
		     "strict_syntax: expected true or false, got \"yes\"");
}

/* newsquery --serve's settings (docs/serving.md). */
static void test_serve(void **state)
{
	(void)state;
	struct ni_config c;
	load_ok("serve: 127.0.0.1:9000\nserve_threads: 4\n"
		"serve_paths: true\nthumbnails: false\n", &c);
	assert_string_equal(c.serve, "127.0.0.1:9000");
	assert_true(c.has_serve_threads);
	assert_int_equal(c.serve_threads, 4);
	assert_true(c.has_serve_paths && c.serve_paths);
	assert_true(c.has_thumbnails && !c.thumbnails);
	ni_config_clear(&c);
	load_ok("serve: \"[::1]:8765\"\nserve_threads: 1024\n", &c);
	assert_string_equal(c.serve, "[::1]:8765");
	assert_int_equal(c.serve_threads, 1024);
	ni_config_clear(&c);
	load_ok("serve: 0\n", &c);
	assert_string_equal(c.serve, "0");
	ni_config_clear(&c);
	expect_error("serve: localhost\n", 1, 8,
		     "serve: expected [HOST:]PORT (8765, 127.0.0.1:8765, "
		     "[::1]:8765), got \"localhost\"");
	expect_error("serve: 65536\n", 1, 8,
		     "serve: expected [HOST:]PORT (8765, 127.0.0.1:8765, "
		     "[::1]:8765), got \"65536\"");
	expect_error("serve: [8765]\n", 1, 8,
		     "serve: expected [HOST:]PORT (8765, 127.0.0.1:8765, "
		     "[::1]:8765), got a list");
	expect_error("serve_threads: 0\n", 1, 16,
		     "serve_threads: expected a whole number from 1 to 1024, "
		     "got \"0\"");
	expect_error("thumbnails: no\n", 1, 13,
		     "thumbnails: expected true or false, got \"no\"");
	/* Origins as text or a list; what an origin is, the server says. */
	load_ok("allow_origin: \"*\"\n", &c);
	assert_string_equal(c.allow_origin, "*");
	ni_config_clear(&c);
	load_ok("allow_origin: [http://localhost:3000, https://a.example]\n",
		&c);
	assert_string_equal(c.allow_origin,
			    "http://localhost:3000,https://a.example");
	ni_config_clear(&c);
	load_ok("allow_host: [news.example.org, b.example]\n", &c);
	assert_string_equal(c.allow_host, "news.example.org,b.example");
	ni_config_clear(&c);
	expect_error("allow_origin: {a: b}\n", 1, 15,
		     "allow_origin: expected an origin, *, or a list of "
		     "origins, got a mapping");
}

/* "[HOST:]PORT", as --serve and the config file's serve take it. */
static void test_listen_address(void **state)
{
	(void)state;
	char host[NI_HOST_MAX];
	unsigned port;
	static const struct {
		const char *text, *host;
		unsigned port;
	} good[] = {
		{"8765", "", 8765}, {"0", "", 0}, {"65535", "", 65535},
		{":80", "", 80}, {"127.0.0.1:8765", "127.0.0.1", 8765},
		{"localhost:1", "localhost", 1},
		{"news.example.org:443", "news.example.org", 443},
		{"[::1]:8765", "::1", 8765},
		{"[fe80::1%eth0]:80", "fe80::1%eth0", 80},
		{"0.0.0.0:0", "0.0.0.0", 0},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		assert_true(ni_listen_address(good[i].text, host, &port));
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	static const char *const bad[] = {
		"", "x", "65536", "123456", "-1", "+80", "80 ", " 80",
		"localhost", "localhost:", "localhost:http", "::1:80",
		"[::1]", "[::1:80", "[]:80", "[::1]x:80", "[not v6]:80",
		"a b:80", "host/x:80", "1:2:3", "8765\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (ni_listen_address(bad[i], host, &port))
			fail_msg("'%s' is taken as an address", bad[i]);
	/* A host of NI_HOST_MAX bytes or more does not fit. */
	char longest[NI_HOST_MAX + 8];
	memset(longest, 'a', NI_HOST_MAX);
	strcpy(longest + NI_HOST_MAX, ":80");
	assert_false(ni_listen_address(longest, host, &port));
	strcpy(longest + NI_HOST_MAX - 1, ":80");
	assert_true(ni_listen_address(longest, host, &port));
	assert_int_equal(strlen(host), NI_HOST_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve),
		cmocka_unit_test(test_listen_address),
		cmocka_unit_test(test_path_choice),
		cmocka_unit_test(test_feedback),
		cmocka_unit_test(test_strict_syntax),
		cmocka_unit_test(test_every_setting),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_empty_config),
		cmocka_unit_test(test_db_expansion),
		cmocka_unit_test(test_facets),
		cmocka_unit_test(test_unknown_setting),
		cmocka_unit_test(test_wrong_values),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_locale_decimal_point),
		cmocka_unit_test(test_cli_load_config),
		cmocka_unit_test(test_language),
	};
	return tests_status(cmocka_run_group_tests(tests, make_tmp_dir,
						   remove_tmp_dir));
}
