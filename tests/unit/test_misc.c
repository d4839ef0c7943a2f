/*
 * Tests of the small shared pieces: ni_buf, the index path rule, option
 * number parsing, colour choice, status strings, options, escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_control.h"
#include "ni_dbpath.h"
#include "ni_status.h"

static void test_buf_grows_and_formats(void **state)
{
	(void)state;
	struct ni_buf buf = NI_BUF_INIT;
	assert_string_equal(ni_buf_str(&buf), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ni_buf_addf(&buf, "%d,", i % 10), NI_OK);
	assert_int_equal(buf.len, 2000);
	assert_int_equal(strncmp(buf.data, "0,1,2,", 6), 0);
	assert_int_equal(buf.data[buf.len], '\0');
	ni_buf_truncate(&buf, 3);
	assert_string_equal(buf.data, "0,1");
	ni_buf_truncate(&buf, 10);  /* longer than the contents: no change */
	assert_string_equal(buf.data, "0,1");
	assert_int_equal(ni_buf_add(&buf, "a\0b", 3), NI_OK);
	assert_int_equal(buf.len, 6);
	char *text = ni_buf_detach(&buf);
	assert_memory_equal(text, "0,1a\0b", 7);
	assert_null(buf.data);
	assert_int_equal(buf.len, 0);
	free(text);
	text = ni_buf_detach(&buf);
	assert_string_equal(text, "");
	free(text);
	ni_buf_release(&buf);
}

static void test_grow_doubles_and_keeps(void **state)
{
	(void)state;
	int *items = NULL;
	size_t cap = 0;
	assert_int_equal(ni_grow(&items, &cap, 1, sizeof *items), NI_OK);
	assert_int_equal(cap, 16);
	for (int i = 0; i < 16; i++)
		items[i] = i;
	assert_int_equal(ni_grow(&items, &cap, 17, sizeof *items), NI_OK);
	assert_int_equal(cap, 32);
	assert_int_equal(items[15], 15);
	assert_int_equal(ni_grow(&items, &cap, 20, sizeof *items), NI_OK);
	assert_int_equal(cap, 32);  /* room enough: unchanged */
	assert_int_equal(ni_grow(&items, &cap, SIZE_MAX / 2, sizeof *items),
			 NI_ENOMEM);
	assert_int_equal(cap, 32);
	free(items);
}

static void expect_path(const char *flag, const char *env,
			const char *config, const char *xdg, const char *home,
			const char *expected)
{
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(ni_db_path_choose(flag, env, config, xdg, home, &out),
			 NI_OK);
	assert_string_equal(out.data, expected);
	ni_buf_release(&out);
}

static void test_index_path_rule(void **state)
{
	(void)state;
	expect_path("/f", "/e", "/c", "/x", "/h", "/f");
	expect_path(NULL, "/e", "/c", "/x", "/h", "/e");
	/* The config file's db comes after the environment's. */
	expect_path(NULL, NULL, "/c", "/x", "/h", "/c");
	expect_path("", "", "", "/x", "/h", "/x/newsindex");
	/* A relative XDG_DATA_HOME is invalid per the spec: ignored. */
	expect_path(NULL, NULL, NULL, "rel", "/h",
		    "/h/.local/share/newsindex");
	expect_path(NULL, NULL, NULL, NULL, "/h", "/h/.local/share/newsindex");
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(ni_db_path_choose(NULL, "", NULL, NULL, "", &out),
			 NI_EINVAL);
	ni_buf_release(&out);
}

static void test_number_parsing(void **state)
{
	(void)state;
	unsigned long u = 7;
	assert_true(ni_parse_unsigned("0", 10, &u));
	assert_int_equal(u, 0);
	assert_true(ni_parse_unsigned("10", 10, &u));
	assert_int_equal(u, 10);
	assert_false(ni_parse_unsigned("11", 10, &u));
	assert_false(ni_parse_unsigned("-1", 10, &u));
	assert_false(ni_parse_unsigned("+1", 10, &u));
	assert_false(ni_parse_unsigned(" 1", 10, &u));
	assert_false(ni_parse_unsigned("1x", 10, &u));
	assert_false(ni_parse_unsigned("", 10, &u));
	assert_false(ni_parse_unsigned("99999999999999999999999", -1UL, &u));
	double d = 0;
	assert_true(ni_parse_double("0.5", 0, 1, &d));
	assert_true(d == 0.5);
	assert_false(ni_parse_double("1.5", 0, 1, &d));
	assert_false(ni_parse_double("nan", 0, 1, &d));
	assert_false(ni_parse_double("inf", 0, 1e300, &d));
	assert_false(ni_parse_double("0.5x", 0, 1, &d));
	assert_false(ni_parse_double("", 0, 1, &d));
}

static void test_color_choice(void **state)
{
	(void)state;
	assert_true(ni_cli_use_color("always", -1));
	assert_false(ni_cli_use_color("never", -1));
	assert_false(ni_cli_use_color("sometimes", -1));
	/* -1 is no terminal: auto is off whatever NO_COLOR says. */
	assert_false(ni_cli_use_color("auto", -1));
}

/* "auto" on a real terminal: a new pseudo-terminal's master side. */
static void test_color_on_a_terminal(void **state)
{
	(void)state;
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		skip_because("no pseudo-terminal (/dev/ptmx)");
	}
	assert_int_equal(unsetenv("NO_COLOR"), 0);
	assert_int_equal(setenv("TERM", "xterm-256color", 1), 0);
	assert_true(ni_cli_use_color("auto", fd));
	assert_int_equal(setenv("NO_COLOR", "1", 1), 0);
	assert_false(ni_cli_use_color("auto", fd));
	assert_int_equal(setenv("NO_COLOR", "", 1), 0);
	assert_true(ni_cli_use_color("auto", fd));
	/* A dumb terminal would print the escape sequences as text. */
	assert_int_equal(setenv("TERM", "dumb", 1), 0);
	assert_false(ni_cli_use_color("auto", fd));
	assert_true(ni_cli_use_color("always", fd));
	assert_int_equal(unsetenv("TERM"), 0);
	assert_true(ni_cli_use_color("auto", fd));
	close(fd);
}

static void test_status_strings(void **state)
{
	(void)state;
	assert_string_equal(ni_status_str(NI_OK), "success");
	assert_string_equal(ni_status_str(NI_EDB_LOCKED),
			    "index is locked by another writer");
	/* Every status up to the last one has its own text. */
	for (int a = NI_OK; a <= NI_EDB_FOREIGN; a++)
		for (int b = a + 1; b <= NI_EDB_FOREIGN; b++)
			assert_string_not_equal(ni_status_str(a),
						ni_status_str(b));
	assert_string_equal(ni_status_str((ni_status)999), "unknown status");
}

static const struct option LONGOPTS[] = {
	{"db", required_argument, NULL, 'd'},
	{"strict", no_argument, NULL, 's'},
	{"shards", required_argument, NULL, 'S'},
	{"wait", optional_argument, NULL, 'W'},
	{NULL, 0, NULL, 0},
};

/*
 * Parse `args` (NULL-terminated, after the program's name) as a command
 * with options -q, -j N and LONGOPTS; `*seen` gets each option's
 * letter, and after the last the words left ("+WORD"); returns the
 * problem of the first refused option, or "" (static).
 */
static const char *parse(const char **args, char *seen, size_t size)
{
	static char problem_text[256];
	char *argv[16] = {"cmd"};
	int argc = 1;
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	struct ni_buf problem = NI_BUF_INIT;
	size_t at = 0;
	int got;
	optind = 0;  /* getopt starts afresh */
	while ((got = ni_cli_getopt(argc, argv, "qj:", LONGOPTS,
				    &problem)) != -1 && got != '?')
		at += (size_t)snprintf(seen + at, size - at, "%c", got);
	for (int i = optind; got != '?' && i < argc; i++)
		at += (size_t)snprintf(seen + at, size - at, "+%s", argv[i]);
	snprintf(problem_text, sizeof problem_text, "%s", ni_buf_str(&problem));
	ni_buf_release(&problem);
	return problem_text;
}

#define EXPECT_PROBLEM(want, ...) do { \
		const char *args[] = {__VA_ARGS__, NULL}; \
		char seen[64] = ""; \
		assert_string_equal(parse(args, seen, sizeof seen), want); \
	} while (0)

static void test_options_anywhere(void **state)
{
	(void)state;
	char seen[64] = "";
	const char *args[] = {"dir", "--db", "x", "more", "-q", "--", "-j",
			      NULL};
	assert_string_equal(parse(args, seen, sizeof seen), "");
	/* Options after the words are read; after "--" they are words. */
	assert_string_equal(seen, "dq+dir+more+-j");
	EXPECT_PROBLEM("unknown option '--bogus'", "dir", "--bogus");
	EXPECT_PROBLEM("unknown option '--bogus'", "--bogus=1");
	EXPECT_PROBLEM("unknown option '-x'", "-x");
	EXPECT_PROBLEM("unknown option '-x'", "-qx");
	EXPECT_PROBLEM("option '--db' needs a value", "dir", "--db");
	EXPECT_PROBLEM("option '-j' needs a value", "-qj");
	EXPECT_PROBLEM("option '--strict' takes no value", "--strict=yes");
	EXPECT_PROBLEM("option '--s' is ambiguous (--strict, --shards)",
		       "--s");
	/* What is repeated cannot reach a terminal raw, nor run long. */
	EXPECT_PROBLEM("unknown option '--\\x1b[31mred'", "--\x1b[31mred");
	EXPECT_PROBLEM("unknown option '--\\xe2\\x80\\xaemoc'",
		       "--\xe2\x80\xaemoc");
	/* Pasted text that starts with dashes: the way to give it. */
	EXPECT_PROBLEM("'--- a b' is no option: put -- before arguments "
		       "that start with '-'", "--- a b");
	EXPECT_PROBLEM("'---\\x0atitle: \"SenseTime Pulls Stock Sale D"
		       "...' is no option: put -- before arguments that "
		       "start with '-'",
		       "---\ntitle: \"SenseTime Pulls Stock Sale Due to U.S.\"");
	EXPECT_PROBLEM("'- ' is no option: put -- before arguments that "
		       "start with '-'", "- x");
	/* Abbreviations getopt accepts stay accepted. */
	EXPECT_PROBLEM("", "--st", "--wait", "--sh=2");
}

/* Option letters too many for ni_cli_getopt() are refused, never taken
 * for the end of the options. */
static void test_options_too_many_letters(void **state)
{
	(void)state;
	char letters[200];
	memset(letters, 'q', sizeof letters - 1);
	letters[sizeof letters - 1] = '\0';
	char *argv[] = {"cmd", "-q", NULL};
	struct ni_buf problem = NI_BUF_INIT;
	optind = 0;
	assert_int_equal(ni_cli_getopt(2, argv, letters, LONGOPTS, &problem),
			 '?');
	assert_non_null(strstr(ni_buf_str(&problem),
			       "are more than ni_cli_getopt() takes"));
	ni_buf_release(&problem);
	/* The longest that fits is read. */
	letters[126] = '\0';
	optind = 0;
	assert_int_equal(ni_cli_getopt(2, argv, letters, LONGOPTS, &problem),
			 'q');
	assert_int_equal(problem.len, 0);
}

/* What ni_cli_put_escaped() writes of `text` in style `how` (static). */
static const char *escaped(const char *text, enum ni_cli_escape how)
{
	static char out[256];
	memset(out, 0, sizeof out);
	FILE *f = fmemopen(out, sizeof out, "w");
	assert_non_null(f);
	ni_cli_put_escaped(f, text, how);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_escape_styles(void **state)
{
	(void)state;
	/* A tab, a backslash, a newline, an OSC title, a CSI (C1), a byte
	 * that is not UTF-8, and text that stays: é and U+00A0. */
	const char *text = "a\tb\\c\n\x1b]0;x\x07\xc2\x9b\xff "
			   "\xc3\xa9\xc2\xa0";
	assert_string_equal(escaped(text, NI_CLI_ESCAPE_HEX),
			    "a\\x09b\\c\\x0a\\x1b]0;x\\x07\\xc2\\x9b\\xff "
			    "\xc3\xa9\xc2\xa0");
	assert_string_equal(escaped(text, NI_CLI_ESCAPE_LINES),
			    "a\\x09b\\c\n\\x1b]0;x\\x07\\xc2\\x9b\\xff "
			    "\xc3\xa9\xc2\xa0");
	assert_string_equal(escaped(text, NI_CLI_ESCAPE_TSV),
			    "a\\tb\\\\c\\n\\x1b]0;x\\x07\\xc2\\x9b\\xff "
			    "\xc3\xa9\xc2\xa0");
	assert_string_equal(escaped(text, NI_CLI_ESCAPE_PATH),
			    "a\\tb\\c\\n\\x1b]0;x\\x07\\xc2\\x9b\\xff "
			    "\xc3\xa9\xc2\xa0");
	assert_string_equal(escaped(text, NI_CLI_ESCAPE_URL),
			    "a%09b\\c%0A%1B]0;x%07%C2%9B%FF \xc3\xa9\xc2\xa0");
	assert_string_equal(escaped(NULL, NI_CLI_ESCAPE_TSV), "");
	assert_string_equal(escaped("\r\x7f", NI_CLI_ESCAPE_PATH), "\\r\\x7f");

	/* The one test of a control, for every escaping. */
	assert_true(ni_is_control(0));
	assert_true(ni_is_control(0x1f));
	assert_true(ni_is_control(0x7f));
	assert_true(ni_is_control(0x9f));
	assert_true(ni_is_control(-1));
	assert_false(ni_is_control(' '));
	assert_false(ni_is_control(0xa0));
	assert_false(ni_is_control(0x7e));
	/* The controls that reorder text, escaped as controls are. */
	for (UChar32 c = 0x202A; c <= 0x202E; c++)
		assert_true(ni_is_bidi_control(c));
	for (UChar32 c = 0x2066; c <= 0x2069; c++)
		assert_true(ni_is_bidi_control(c));
	assert_false(ni_is_bidi_control(0x2029));
	assert_false(ni_is_bidi_control(0x202F));
	assert_false(ni_is_bidi_control(0x2065));
	assert_false(ni_is_bidi_control(0x206A));
	assert_false(ni_is_bidi_control(0x200F));  /* a mark, not an override */
	assert_string_equal(escaped("x.example/\xe2\x80\xaemoc.elgoog",
				    NI_CLI_ESCAPE_URL),
			    "x.example/%E2%80%AEmoc.elgoog");
	assert_string_equal(escaped("a\xe2\x81\xa6" "b", NI_CLI_ESCAPE_PATH),
			    "a\\xe2\\x81\\xa6b");
	assert_true(ni_has_control("ok\xc2\x85"));
	assert_true(ni_has_control("\xe2\x82"));
	assert_false(ni_has_control("caf\xc3\xa9 \xe4\xba\xba"));
}

static void test_flush_stdout_reports_write_errors(void **state)
{
	(void)state;
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_non_null(freopen("/dev/full", "w", stdout));
	assert_int_equal(ni_cli_finish_stdout(), 0);  /* nothing written */
	printf("text");
	assert_int_equal(ni_cli_finish_stdout(), ENOSPC);
	/* Still failed, and the cause is not made up. */
	assert_int_equal(ni_cli_finish_stdout(), -1);
	clearerr(stdout);
	/* cmocka reports on stdout: give it back. */
	assert_true(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows_and_formats),
		cmocka_unit_test(test_grow_doubles_and_keeps),
		cmocka_unit_test(test_index_path_rule),
		cmocka_unit_test(test_number_parsing),
		cmocka_unit_test(test_color_choice),
		cmocka_unit_test(test_color_on_a_terminal),
		cmocka_unit_test(test_status_strings),
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_options_too_many_letters),
		cmocka_unit_test(test_escape_styles),
		cmocka_unit_test(test_flush_stdout_reports_write_errors),
	};
	return tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
