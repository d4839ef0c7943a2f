/*
 * Tests of the source walker: which files it finds, in what order, and
 * what it says about link loops, missing sources and unreadable folders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ni_buf.h"
#include "ni_walk.h"

struct seen {
	struct ni_buf files;      /* one line per file, relative to the root */
	struct ni_buf problems;   /* "errno-name path source?" per line */
	size_t root_len;
	int stop_after;
	int n_files;
};

static int on_file(void *ctx, const char *path, const struct stat *st)
{
	struct seen *s = ctx;
	assert_true(S_ISREG(st->st_mode));
	ni_buf_addf(&s->files, "%s\n", path + s->root_len);
	return ++s->n_files == s->stop_after ? 42 : 0;
}

static void on_problem(void *ctx, const char *path, int errnum,
		       bool is_source)
{
	struct seen *s = ctx;
	const char *name = errnum == ELOOP ? "ELOOP"
			 : errnum == ENOENT ? "ENOENT"
			 : errnum == EACCES ? "EACCES"
			 : errnum == EINVAL ? "EINVAL" : "other";
	const char *shown = strlen(path) >= s->root_len ? path + s->root_len
							: path;
	ni_buf_addf(&s->problems, "%s %s%s\n", name, shown,
		    is_source ? " (source)" : "");
}

static char root[64];

static void touch(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void make(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/ni-test-walk-XXXXXX");
	if (!mkdtemp(root) || chmod(root, 0755) != 0)
		return -1;
	make("a");
	make("a/sub");
	make(".hidden");
	touch("a/2.txt");
	touch("a/1.md");
	touch("a/notes.csv");
	touch("a/sub/3.MARKDOWN");
	touch("a/.secret.txt");
	touch(".hidden/4.txt");
	touch("top.txt");
	touch("explicit.json");
	char link[256], target[256];
	/* A link back up to the root: a loop the walk must not follow. */
	snprintf(link, sizeof link, "%s/a/sub/loop", root);
	if (symlink(root, link) != 0)
		return -1;
	snprintf(link, sizeof link, "%s/a/dangling.txt", root);
	snprintf(target, sizeof target, "%s/nowhere", root);
	return symlink(target, link);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", root,
		 root);
	return system(cmd);
}

static void walk(struct seen *s, const char *const *rel, size_t n)
{
	char paths[4][256];
	const char *sources[4];
	for (size_t i = 0; i < n; i++) {
		snprintf(paths[i], sizeof paths[i], "%s%s", root, rel[i]);
		sources[i] = paths[i];
	}
	s->root_len = strlen(root);
	struct ni_walk_callbacks cb = {on_file, on_problem, s};
	int stopped = -1;
	assert_int_equal(ni_walk(sources, n, &cb, &stopped), NI_OK);
	assert_int_equal(stopped, s->n_files == s->stop_after ? 42 : 0);
}

static void release(struct seen *s)
{
	ni_buf_release(&s->files);
	ni_buf_release(&s->problems);
}

static void test_finds_articles_in_order_and_ends_loops(void **state)
{
	(void)state;
	struct seen s = {NI_BUF_INIT, NI_BUF_INIT, 0, 0, 0};
	const char *sources[] = {""};
	walk(&s, sources, 1);
	assert_string_equal(ni_buf_str(&s.files),
			    "/a/1.md\n/a/2.txt\n/a/sub/3.MARKDOWN\n"
			    "/top.txt\n");
	/* The loop is reported once, as a link loop inside the walk. */
	assert_string_equal(ni_buf_str(&s.problems), "ELOOP /a/sub/loop\n");
	release(&s);
}

static void test_named_files_are_read_whatever_their_name(void **state)
{
	(void)state;
	struct seen s = {NI_BUF_INIT, NI_BUF_INIT, 0, 0, 0};
	const char *sources[] = {"/explicit.json", "/missing", "/a/2.txt"};
	walk(&s, sources, 3);
	assert_string_equal(ni_buf_str(&s.files),
			    "/explicit.json\n/a/2.txt\n");
	assert_string_equal(ni_buf_str(&s.problems),
			    "ENOENT /missing (source)\n");
	release(&s);
}

static void test_callback_stops_the_walk(void **state)
{
	(void)state;
	struct seen s = {NI_BUF_INIT, NI_BUF_INIT, 0, 2, 0};
	const char *sources[] = {"/a"};
	walk(&s, sources, 1);
	assert_string_equal(ni_buf_str(&s.files), "/a/1.md\n/a/2.txt\n");
	release(&s);
}

/* The walk of the unreadable folder, in a process that cannot read it. */
static int walk_unreadable(void)
{
	struct seen s = {NI_BUF_INIT, NI_BUF_INIT, 0, 0, 0};
	char path[256];
	snprintf(path, sizeof path, "%s/a", root);
	const char *sources[] = {path};
	s.root_len = strlen(root);
	struct ni_walk_callbacks cb = {on_file, on_problem, &s};
	if (ni_walk(sources, 1, &cb, NULL) != NI_OK)
		return 1;
	int wrong = strcmp(ni_buf_str(&s.files), "/a/1.md\n/a/2.txt\n") ||
		    strcmp(ni_buf_str(&s.problems), "EACCES /a/sub\n");
	if (wrong)
		fprintf(stderr, "files:\n%sproblems:\n%s", ni_buf_str(&s.files),
			ni_buf_str(&s.problems));
	release(&s);
	return wrong;
}

static void test_unreadable_folder_is_reported(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/a/sub", root);
	assert_int_equal(chmod(path, 0), 0);
	/* Root reads everything, so walk as "nobody" in a child. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 ||
				       setuid(65534) != 0))
			_exit(2);
		_exit(walk_unreadable());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(path, 0755);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_article_names(void **state)
{
	(void)state;
	assert_true(ni_walk_is_article_name("x.txt"));
	assert_true(ni_walk_is_article_name("x.TXT"));
	assert_true(ni_walk_is_article_name("x.md"));
	assert_true(ni_walk_is_article_name("x.markdown"));
	assert_false(ni_walk_is_article_name(".txt"));
	assert_false(ni_walk_is_article_name("x.txt~"));
	assert_false(ni_walk_is_article_name("x.csv"));
	assert_false(ni_walk_is_article_name("txt"));
}

/* A path under a folder, by text: what a walk of the folder lists. */
static void test_under(void **state)
{
	(void)state;
	assert_true(ni_walk_is_under("/a/b", "/a"));
	assert_true(ni_walk_is_under("/a/b", "/a/"));
	assert_true(ni_walk_is_under("/a/b", "/a/b"));
	assert_true(ni_walk_is_under("/a/b/c.txt", "/a"));
	assert_true(ni_walk_is_under("/a", "/"));
	assert_false(ni_walk_is_under("/a/b2", "/a/b"));
	assert_false(ni_walk_is_under("/a", "/a/b"));
	assert_false(ni_walk_is_under("/ab", "/a"));
}

/* What a walk of a source may list, by the names from it down. */
static void test_reaches(void **state)
{
	(void)state;
	assert_true(ni_walk_reaches("/n", "/n", true));
	assert_true(ni_walk_reaches("/n/a.md", "/n", false));
	assert_true(ni_walk_reaches("/n/a.md", "/n/", false));
	assert_true(ni_walk_reaches("/n/a.md", "/n//", false));
	assert_true(ni_walk_reaches("/n/sub/a.txt", "/n", false));
	assert_true(ni_walk_reaches("/n/sub", "/n", true));
	/* A source named as a file is read whatever its name. */
	assert_true(ni_walk_reaches("/n/notes.csv", "/n/notes.csv", false));
	assert_false(ni_walk_reaches("/n/notes.csv", "/n", false));
	assert_false(ni_walk_reaches("/n/.hidden/a.md", "/n", false));
	assert_false(ni_walk_reaches("/n/.a.md", "/n", false));
	assert_false(ni_walk_reaches("/n2/a.md", "/n", false));
	/* Hidden names above the source do not count: a collection kept
	 * in ~/.local/share is walked like any other. */
	assert_true(ni_walk_reaches("/h/.local/n/a.md", "/h/.local/n", false));
	assert_true(ni_walk_reaches("/h/.local/n/a.md", "/h/.local/n/",
				    false));
	assert_false(ni_walk_reaches("/h/.local/n/.git/a.md", "/h/.local/n",
				     false));
	/* The root: every name below it counts. */
	assert_true(ni_walk_reaches("/a.md", "/", false));
	assert_false(ni_walk_reaches("/.h/a.md", "/", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_articles_in_order_and_ends_loops),
		cmocka_unit_test(test_named_files_are_read_whatever_their_name),
		cmocka_unit_test(test_callback_stops_the_walk),
		cmocka_unit_test(test_unreadable_folder_is_reported),
		cmocka_unit_test(test_article_names),
		cmocka_unit_test(test_under),
		cmocka_unit_test(test_reaches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
