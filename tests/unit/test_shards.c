/*
 * Tests of sharded indexes through the Xapian wrapper (ni_xapian.h):
 * the layout ni_db_create_sharded() makes, where writes go (each shard
 * is opened alone to look), the check of each shard's place, which
 * related record wins whatever the order, the repair of a build killed
 * between two shards' commits, and compaction and merging of parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "ni_buf.h"
#include "ni_xapian.h"

#define ANALYZER "test-analyzer"
#define SHARDS 3

static int make_dir(void **state)
{
	return make_fixture(state, "/tmp/ni-test-shards-XXXXXX");
}

static int remove_dir(void **state)
{
	return remove_fixture(state);
}

static void shard_path(const char *index, size_t k, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/shard-%zu", index, k);
	assert_true(n >= 0 && (size_t)n < size);
}

static void create(const char *path, size_t n)
{
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_create_sharded(path, n, ANALYZER, &msg);
	if (st != NI_OK)
		fail_msg("create %s: %s", path, ni_buf_str(&msg));
	assert_int_equal(msg.len, 0);
}

static ni_db *open_as(const char *path, enum ni_db_mode mode)
{
	return open_index(path, mode, ANALYZER);
}

/* Open the index at `path` and expect `want`; the message to free. */
static char *refused(const char *path, enum ni_db_mode mode, ni_status want)
{
	ni_db *db = (ni_db *)1;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_open(path, mode, ANALYZER, &db, &msg);
	if (st != want)
		fail_msg("open %s: status %d, wanted %d: %s", path, st, want,
			 ni_buf_str(&msg));
	assert_null(db);
	assert_true(msg.len > 0);
	return ni_buf_detach(&msg);
}

/*
 * Write a document with unique key `key`: an article file when `parent`
 * is NULL, else a related record listed by the article `parent`.  `tag`
 * (may be NULL) becomes a topic filter.  Returns the docid given.
 */
static uint32_t put(ni_db *db, const char *key, const char *parent,
		    const char *tag)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, "news", 4),
			 NI_OK);
	assert_int_equal(ni_doc_end_text(doc), NI_OK);
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_QUALITY, 50), NI_OK);
	if (parent)
		mark_related(doc, parent);
	if (tag)
		assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_TOPIC, tag,
						   strlen(tag)), NI_OK);
	assert_int_equal(ni_doc_set_data(doc, key, strlen(key)), NI_OK);
	uint32_t docid = 0;
	assert_int_equal(ni_db_replace(db, key, doc, &docid), NI_OK);
	assert_true(docid != 0);
	ni_doc_free(doc);
	return docid;
}

static uint64_t count_docs(ni_db *db)
{
	uint64_t count = 0;
	assert_int_equal(ni_db_doc_count(db, &count), NI_OK);
	return count;
}

static uint32_t find(ni_db *db, const char *key, int *related)
{
	uint32_t docid = 1;
	assert_int_equal(ni_db_find(db, key, &docid, related), NI_OK);
	return docid;
}

static char *metadata(ni_db *db, const char *key)
{
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(db, key, &value), NI_OK);
	assert_non_null(value);
	return value;
}

static void expect_metadata(ni_db *db, const char *key, const char *want)
{
	char *value = metadata(db, key);
	if (strcmp(value, want) != 0)
		fail_msg("metadata %s is \"%s\", wanted \"%s\"", key, value,
			 want);
	free(value);
}

/* The shard lines of the stub PATH/XAPIANDB, joined by '|'. */
static void stub_lines(const char *index, char *out, size_t size)
{
	char file[256];
	snprintf(file, sizeof file, "%s/XAPIANDB", index);
	FILE *in = fopen(file, "r");
	assert_non_null(in);
	char line[256];
	out[0] = '\0';
	while (fgets(line, sizeof line, in)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (out[0])
			strncat(out, "|", size - strlen(out) - 1);
		strncat(out, line, size - strlen(out) - 1);
	}
	fclose(in);
}

static void write_text(const char *file, const char *text)
{
	FILE *out = fopen(file, "w");
	assert_non_null(out);
	fputs(text, out);
	assert_int_equal(fclose(out), 0);
}

/* "https://example.com/N" */
static void url(char *out, size_t size, int n)
{
	snprintf(out, size, "https://example.com/%d", n);
}

/* The first URL from `from` on whose shard of n is (or is not) `k`. */
static int url_in(int from, size_t n, size_t k, bool in, char *out,
		  size_t size)
{
	for (int i = from;; i++) {
		url(out, size, i);
		if ((key_shard(out, n) == k) == in)
			return i;
	}
}

static void test_create_layout(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	char lines[256];
	stub_lines(f->path, lines, sizeof lines);
	assert_string_equal(lines, "auto shard-1|auto shard-2|auto shard-3");
	for (size_t k = 1; k <= SHARDS; k++) {
		char shard[160], place[16];
		shard_path(f->path, k, shard, sizeof shard);
		snprintf(place, sizeof place, "%zu/%d", k, SHARDS);
		/* Opened alone, each is an index of ours, in its place. */
		ni_db *db = open_as(shard, NI_DB_READ);
		expect_metadata(db, "newsindex.shard", place);
		expect_metadata(db, NI_META_SCHEMA, "2");
		expect_metadata(db, NI_META_ANALYZER, ANALYZER);
		assert_int_equal(count_docs(db), 0);
		ni_db_close(db, NULL);
	}
	/* Nothing is left where it was made. */
	DIR *dir = opendir(f->dir);
	assert_non_null(dir);
	struct dirent *e;
	while ((e = readdir(dir)))
		if (strstr(e->d_name, ".creating-"))
			fail_msg("left behind: %s", e->d_name);
	closedir(dir);

	ni_db *db = open_as(f->path, NI_DB_READ);
	assert_int_equal(ni_db_shard_count(db), SHARDS);
	ni_db_close(db, NULL);

	/* Made already (by another build): fine, and left as it was. */
	db = open_as(f->path, NI_DB_WRITE);
	put(db, "https://example.com/kept", NULL, NULL);
	ni_db_close(db, NULL);
	create(f->path, SHARDS);
	db = open_as(f->path, NI_DB_READ);
	assert_int_equal(count_docs(db), 1);
	ni_db_close(db, NULL);
}

static void expect_create_fails(const char *path, size_t n,
				const char *names)
{
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_create_sharded(path, n, ANALYZER, &msg);
	assert_int_not_equal(st, NI_OK);
	if (!strstr(ni_buf_str(&msg), names))
		fail_msg("the message does not name %s: %s", names,
			 ni_buf_str(&msg));
	ni_buf_release(&msg);
}

static void test_create_over_other_things_fails(void **state)
{
	struct db_fixture *f = *state;
	char plain[128], file[128];
	snprintf(plain, sizeof plain, "%s/plain", f->dir);
	snprintf(file, sizeof file, "%s/file", f->dir);
	ni_db *db = open_as(plain, NI_DB_WRITE);
	put(db, "https://example.com/1", NULL, NULL);
	ni_db_close(db, NULL);
	write_text(file, "not an index\n");

	expect_create_fails(plain, SHARDS, plain);
	expect_create_fails(file, SHARDS, file);
	/* Both are as they were. */
	db = open_as(plain, NI_DB_READ);
	assert_int_equal(count_docs(db), 1);
	assert_int_equal(ni_db_shard_count(db), 0);
	ni_db_close(db, NULL);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_db_create_sharded(f->path, 1, ANALYZER, &msg),
			 NI_EINVAL);
	assert_true(msg.len > 0);
	ni_buf_release(&msg);
	assert_int_not_equal(stat(f->path, &st), 0);
}

/* Each key of `keys` is found in its shard alone, and in no other. */
static void expect_placed(const char *index, char keys[][64], size_t n_keys,
			  size_t n)
{
	uint64_t total = 0;
	for (size_t k = 1; k <= n; k++) {
		char shard[160];
		shard_path(index, k, shard, sizeof shard);
		ni_db *db = open_as(shard, NI_DB_READ);
		for (size_t i = 0; i < n_keys; i++) {
			bool here = find(db, keys[i], NULL) != 0;
			if (here != (key_shard(keys[i], n) == k))
				fail_msg("%s is%s in shard %zu, its hash "
					 "places it in %zu", keys[i],
					 here ? "" : " not", k,
					 key_shard(keys[i], n));
		}
		total += count_docs(db);
		ni_db_close(db, NULL);
	}
	assert_int_equal(total, n_keys);
}

#define N_KEYS 30

static void test_writes_go_to_their_shard(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	assert_int_equal(ni_db_shard_count(db), SHARDS);
	char keys[N_KEYS][64];
	uint32_t ids[N_KEYS];
	size_t per_shard[SHARDS + 1] = {0};
	for (int i = 0; i < N_KEYS; i++) {
		url(keys[i], sizeof keys[i], i);
		ids[i] = put(db, keys[i], NULL, i % 2 ? "odd" : "even");
		/* Shard s (from 0) of N holds ids s + 1, N + s + 1, ... */
		assert_int_equal((ids[i] - 1) % SHARDS + 1,
				 key_shard(keys[i], SHARDS));
		per_shard[key_shard(keys[i], SHARDS)]++;
	}
	for (size_t k = 1; k <= SHARDS; k++)
		assert_true(per_shard[k] > 0);
	assert_int_equal(count_docs(db), N_KEYS);
	/* Written again: the same document, the same id. */
	assert_int_equal(put(db, keys[7], NULL, "odd"), ids[7]);
	assert_int_equal(count_docs(db), N_KEYS);
	for (int i = 0; i < N_KEYS; i++)
		assert_int_equal(find(db, keys[i], NULL), ids[i]);
	assert_int_equal(ni_db_commit(db), NI_OK);

	/* The values' ids are those ni_db_replace gave. */
	ni_values *values;
	assert_int_equal(ni_db_values(db, NI_SLOT_QUALITY, &values), NI_OK);
	uint32_t docid;
	const char *value;
	size_t len, seen = 0;
	ni_status st;
	while ((st = ni_values_next(values, &docid, &value, &len)) == NI_OK) {
		bool known = false;
		for (int i = 0; i < N_KEYS; i++)
			known = known || ids[i] == docid;
		if (!known)
			fail_msg("value of docid %u, which no write gave",
				 docid);
		seen++;
	}
	assert_int_equal(st, NI_DONE);
	ni_values_free(values);
	assert_int_equal(seen, N_KEYS);
	ni_db_close(db, NULL);
	expect_placed(f->path, keys, N_KEYS, SHARDS);

	/* Deleted by id: that document, and only it. */
	db = open_as(f->path, NI_DB_WRITE);
	for (int i = 0; i < N_KEYS; i++)
		assert_int_equal(find(db, keys[i], NULL), ids[i]);
	for (int i = 0; i < SHARDS; i++)
		assert_int_equal(ni_db_delete_docid(db, ids[i]), NI_OK);
	for (int i = 0; i < N_KEYS; i++)
		assert_int_equal(find(db, keys[i], NULL) != 0, i >= SHARDS);
	assert_int_equal(count_docs(db), N_KEYS - SHARDS);
	/* Deletions by filter and metadata reach every shard. */
	assert_int_equal(ni_db_delete_filtered(db, NI_FILTER_TOPIC, "odd", 3),
			 NI_OK);
	assert_int_equal(ni_db_set_metadata(db, "app.test", "every"), NI_OK);
	ni_db_close(db, NULL);
	uint64_t total = 0;
	for (size_t k = 1; k <= SHARDS; k++) {
		char shard[160];
		shard_path(f->path, k, shard, sizeof shard);
		db = open_as(shard, NI_DB_READ);
		uint64_t odd = 1, even = 0;
		assert_int_equal(ni_db_filter_count(db, NI_FILTER_TOPIC,
						    "odd", 3, &odd), NI_OK);
		assert_int_equal(odd, 0);
		assert_int_equal(ni_db_filter_count(db, NI_FILTER_TOPIC,
						    "even", 4, &even), NI_OK);
		assert_int_equal(even, count_docs(db));
		total += even;
		expect_metadata(db, "app.test", "every");
		ni_db_close(db, NULL);
	}
	/* The evens but 0 and 2, deleted by id. */
	assert_int_equal(total, N_KEYS / 2 - 2);
}

/* Swap two lines of the stub PATH/XAPIANDB. */
static void write_stub(const char *index, const char *lines)
{
	char file[256];
	snprintf(file, sizeof file, "%s/XAPIANDB", index);
	write_text(file, lines);
}

static void test_shards_out_of_place_are_not_written(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	for (int i = 0; i < N_KEYS; i++) {
		char key[64];
		url(key, sizeof key, i);
		put(db, key, NULL, NULL);
	}
	ni_db_close(db, NULL);

	write_stub(f->path, "auto shard-2\nauto shard-1\nauto shard-3\n");
	char *msg = refused(f->path, NI_DB_WRITE, NI_EINVAL);
	/* It names the shard, what it holds, and what to do. */
	if (!strstr(msg, "shard 1 of ") || !strstr(msg, "auto shard-2") ||
	    !strstr(msg, "shard 2/3") || !strstr(msg, "restore it") ||
	    !strstr(msg, "--rebuild --shards"))
		fail_msg("unhelpful message: %s", msg);
	free(msg);
	/* Searching does not depend on the order. */
	db = open_as(f->path, NI_DB_READ);
	assert_int_equal(count_docs(db), N_KEYS);
	ni_db_close(db, NULL);

	/* A shard left out: the others would be out of place. */
	write_stub(f->path, "auto shard-1\nauto shard-2\n");
	msg = refused(f->path, NI_DB_WRITE, NI_EINVAL);
	assert_non_null(strstr(msg, "shard 1/3"));
	free(msg);

	/* Remote shards are built on their host. */
	write_stub(f->path, "auto shard-1\nremote localhost:1\n"
		   "auto shard-3\n");
	msg = refused(f->path, NI_DB_WRITE, NI_EINVAL);
	if (!strstr(msg, "shard 2 of ") || !strstr(msg, "remote localhost:1")
	    || !strstr(msg, "only local shards"))
		fail_msg("unhelpful message: %s", msg);
	free(msg);

	/* In order again, it is written as before. */
	write_stub(f->path, "auto shard-1\nauto shard-2\nauto shard-3\n");
	db = open_as(f->path, NI_DB_WRITE);
	assert_int_equal(count_docs(db), N_KEYS);
	ni_db_close(db, NULL);

	/* A stub file of its own, listing the same shards: read only. */
	char stub[160];
	snprintf(stub, sizeof stub, "%s/stub", f->dir);
	write_text(stub, "auto db/shard-1\nauto db/shard-2\n"
		   "auto db/shard-3\n");
	msg = refused(stub, NI_DB_WRITE, NI_EDB_OPENING);
	if (!strstr(msg, stub) || !strstr(msg, "stub file"))
		fail_msg("unhelpful message: %s", msg);
	free(msg);
	db = open_as(stub, NI_DB_READ);
	assert_int_equal(count_docs(db), N_KEYS);
	ni_db_close(db, NULL);
}

/*
 * A stub may list a shard that is missing (left out when partial), but
 * never another program's Xapian database: that is a hard error in
 * every mode, as a schema mismatch is.
 */
static void test_foreign_shard_is_never_left_out(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	put(db, "https://example.com/1", NULL, NULL);
	ni_db_close(db, NULL);
	/* Documents and no newsindex settings: another program's. */
	char foreign[160];
	snprintf(foreign, sizeof foreign, "%s/foreign", f->dir);
	db = open_as(foreign, NI_DB_WRITE);
	put(db, "https://example.com/other", NULL, NULL);
	const char *keys[] = {"newsindex.schema", "newsindex.analyzer",
			      "newsindex.stemmer"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		assert_int_equal(ni_db_set_metadata(db, keys[i], ""), NI_OK);
	ni_db_close(db, NULL);

	write_stub(f->path, "auto shard-1\nauto shard-2\nauto shard-3\n"
		   "auto ../foreign\n");
	enum ni_db_mode modes[] = {NI_DB_READ, NI_DB_READ_PARTIAL};
	for (size_t m = 0; m < 2; m++) {
		char *msg = refused(f->path, modes[m], NI_EDB_FOREIGN);
		if (!strstr(msg, "shard 4 of ") ||
		    !strstr(msg, "not a newsindex index"))
			fail_msg("unhelpful message: %s", msg);
		free(msg);
	}
	/* A missing shard, by contrast, is left out when partial. */
	write_stub(f->path, "auto shard-1\nauto shard-2\nauto shard-3\n"
		   "auto nowhere\n");
	free(refused(f->path, NI_DB_READ, NI_EDB_NOT_FOUND));
	db = open_as(f->path, NI_DB_READ_PARTIAL);
	assert_int_equal(ni_db_missing_count(db), 1);
	assert_int_equal(count_docs(db), 1);
	ni_db_close(db, NULL);
}

/* Whether the shard folder k (from 1) of `index` holds `name`. */
static bool shard_holds(const char *index, size_t k, const char *name)
{
	char file[256];
	shard_path(index, k, file, sizeof file);
	strncat(file, "/", sizeof file - strlen(file) - 1);
	strncat(file, name, sizeof file - strlen(file) - 1);
	return access(file, F_OK) == 0;
}

/*
 * A shard a writer has created and not committed to yet is being built,
 * by a process the reader names: each shard's writer names itself in
 * its folder, as the writer of one index does.
 */
static void test_shard_being_built_names_its_writer(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	char shard[160];
	shard_path(f->path, 2, shard, sizeof shard);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", shard);
	assert_int_equal(system(cmd), 0);
	/* Made again, empty, by the writer; nothing committed. */
	ni_db *writer = open_as(f->path, NI_DB_WRITE);
	for (size_t k = 1; k <= SHARDS; k++)
		assert_true(shard_holds(f->path, k, "newsindex.writer"));
	char by[160];
	snprintf(by, sizeof by, "auto shard-2 is being built by process %ld "
		 "and has nothing in it yet; search it once that build has "
		 "committed", (long)getpid());
	char *msg = refused(f->path, NI_DB_READ, NI_EDB_BUILDING);
	if (!strstr(msg, by) || strstr(msg, "shard-2: "))
		fail_msg("unhelpful message: %s", msg);
	free(msg);
	/* Partial: left out, with the same words. */
	ni_db *db = open_as(f->path, NI_DB_READ_PARTIAL);
	assert_int_equal(ni_db_missing_count(db), 1);
	assert_non_null(strstr(ni_db_missing(db, 0), by));
	ni_db_close(db, NULL);
	assert_int_equal(ni_db_close(writer, NULL), NI_OK);
	for (size_t k = 1; k <= SHARDS; k++)
		assert_false(shard_holds(f->path, k, "newsindex.writer"));
	db = open_as(f->path, NI_DB_READ);
	ni_db_close(db, NULL);
}

/*
 * NI_DB_REBUILD only reads the shards it holds: nothing is recorded in
 * a shard it made (no place, no settings, no language), no batch is
 * counted, and shards out of place are read as they are, so that the
 * rebuild the refusal to write them advises can run.
 */
static void test_rebuild_writes_nothing_to_shards(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	put(db, "https://example.com/1", NULL, NULL);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	char shard[160];
	shard_path(f->path, 2, shard, sizeof shard);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", shard);
	assert_int_equal(system(cmd), 0);

	db = open_as(f->path, NI_DB_REBUILD);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	char *msg = refused(f->path, NI_DB_READ, NI_EDB_NOT_FOUND);
	if (!strstr(msg, "auto shard-2 is empty"))
		fail_msg("unexpected message: %s", msg);
	free(msg);
	db = open_as(f->path, NI_DB_READ_PARTIAL);
	expect_metadata(db, "newsindex.batch", "1");
	ni_db_close(db, NULL);

	write_stub(f->path, "auto shard-3\nauto shard-1\n");
	db = open_as(f->path, NI_DB_REBUILD);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	db = open_as(f->path, NI_DB_READ);
	expect_metadata(db, "newsindex.shard", "3/3");
	expect_metadata(db, "newsindex.batch", "1");
	ni_db_close(db, NULL);
}

static bool wins(ni_db *db, const char *key, const char *parent)
{
	bool won = false;
	assert_int_equal(ni_db_related_wins(db, key, parent, &won), NI_OK);
	return won;
}

/* The parent term's count for `parent`: its related records. */
static uint64_t records_of(ni_db *db, const char *parent)
{
	uint64_t count = 0;
	assert_int_equal(ni_db_filter_count(db, NI_FILTER_PARENT, parent,
					    strlen(parent), &count), NI_OK);
	return count;
}

#define KEY "https://example.com/listed"
#define FIRST "https://a.example/1"
#define SECOND "https://b.example/2"

static void test_related_record_of_the_first_parent_wins(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	assert_true(wins(db, KEY, SECOND));

	/* An article file beats every record. */
	put(db, KEY, NULL, NULL);
	assert_false(wins(db, KEY, FIRST));
	assert_false(wins(db, KEY, ""));
	assert_int_equal(ni_db_delete(db, KEY), NI_OK);

	/* Two parents, written in either order: the first's record. */
	const char *orders[2][2] = {{FIRST, SECOND}, {SECOND, FIRST}};
	for (int o = 0; o < 2; o++) {
		for (int i = 0; i < 2; i++)
			if (wins(db, KEY, orders[o][i]))
				put(db, KEY, orders[o][i], NULL);
		int related = 0;
		assert_true(find(db, KEY, &related) != 0);
		assert_true(related);
		assert_int_equal(records_of(db, FIRST), 1);
		assert_int_equal(records_of(db, SECOND), 0);
		/* Its own parent may write it again. */
		assert_true(wins(db, KEY, FIRST));
		assert_false(wins(db, KEY, SECOND));
		assert_int_equal(ni_db_delete(db, KEY), NI_OK);
	}
	assert_int_equal(count_docs(db), 0);
	ni_db_close(db, NULL);
}

/* Whether an entry of `folder` has a name ending in `suffix`. */
static bool has_entry_ending(const char *folder, const char *suffix)
{
	DIR *dir = opendir(folder);
	assert_non_null(dir);
	struct dirent *e;
	bool found = false;
	size_t n = strlen(suffix);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		found = found || (len >= n &&
				  !strcmp(e->d_name + len - n, suffix));
	}
	closedir(dir);
	return found;
}

/* That the document table's header (docs/schema.md) names the revision
 * `db` reads. */
static void table_is_current(ni_db *db)
{
	char *header = NULL;
	uint64_t revision = 0;
	bool known = false;
	assert_int_equal(ni_db_get_metadata(db, NI_META_DOC_TABLE, &header),
			 NI_OK);
	assert_int_equal(ni_db_revision(db, &revision, &known), NI_OK);
	const char *last = strrchr(header, ' ');
	assert_non_null(last);
	assert_int_equal(strtoull(last + 1, NULL, 10), revision);
	free(header);
}

/*
 * Parts as a parallel build writes them, merged: each part holds a
 * related record with the same URL (of another parent), and one part
 * the article file of a URL another lists.  Whatever the order of the
 * parts, the dedupe keeps what ni_db_related_wins would have.
 */
static void test_merged_parts_keep_the_winner(void **state)
{
	struct db_fixture *f = *state;
	char parts[2][160];
	for (int i = 0; i < 2; i++) {
		snprintf(parts[i], sizeof parts[i], "%s/part-%d", f->dir, i);
		create(parts[i], SHARDS);
	}
	ni_db *db = open_as(parts[0], NI_DB_WRITE);
	put(db, KEY, SECOND, NULL);
	put(db, "https://example.com/file", NULL, NULL);
	put(db, "https://example.com/only-0", NULL, NULL);
	ni_db_close(db, NULL);
	db = open_as(parts[1], NI_DB_WRITE);
	put(db, KEY, FIRST, NULL);
	put(db, "https://example.com/file", SECOND, NULL);
	put(db, "https://example.com/only-1", NULL, NULL);
	ni_db_close(db, NULL);

	for (int order = 0; order < 2; order++) {
		char index[160];
		snprintf(index, sizeof index, "%s/merged-%d", f->dir, order);
		create(index, SHARDS);
		db = open_as(index, NI_DB_WRITE);
		const char *list[2] = {parts[order], parts[1 - order]};
		if (ni_db_adopt_parts(db, list, 2) != NI_OK)
			fail_msg("adopt: %s", ni_db_errmsg(db));
		assert_int_equal(count_docs(db), 6);
		uint64_t removed = 0;
		assert_int_equal(ni_db_dedupe_keys(db, &removed), NI_OK);
		assert_int_equal(removed, 2);
		assert_int_equal(count_docs(db), 4);
		int related = 0;
		assert_true(find(db, KEY, &related) != 0);
		assert_true(related);
		assert_int_equal(records_of(db, FIRST), 1);
		assert_int_equal(records_of(db, SECOND), 0);
		assert_true(find(db, "https://example.com/file", &related));
		assert_false(related);
		assert_int_equal(ni_db_remove_leftovers(db), NI_OK);
		ni_db_close(db, NULL);
		assert_false(has_entry_ending(index, ".merged"));
		assert_false(has_entry_ending(index, ".empty"));
		/* Every document in its shard, the shards in their place. */
		char keys[4][64] = {KEY, "https://example.com/file",
				    "https://example.com/only-0",
				    "https://example.com/only-1"};
		expect_placed(index, keys, 4, SHARDS);
		for (size_t k = 1; k <= SHARDS; k++) {
			char shard[200], place[16];
			shard_path(index, k, shard, sizeof shard);
			snprintf(place, sizeof place, "%zu/%d", k, SHARDS);
			db = open_as(shard, NI_DB_READ);
			expect_metadata(db, "newsindex.shard", place);
			/* The deletions committed with the shard's document
			 * table (caught with them left to Xapian's close). */
			table_is_current(db);
			ni_db_close(db, NULL);
		}
	}
}

/*
 * A build killed between two shards' commits, made by hand: the parent
 * article's deletion is committed in its shard, its related record's
 * (in another shard) is not, and the batches differ.
 */
static void tear(const char *index, const char *parent, const char *batch)
{
	char shard[160];
	shard_path(index, key_shard(parent, SHARDS), shard, sizeof shard);
	ni_db *db = open_as(shard, NI_DB_WRITE);
	assert_int_equal(ni_db_delete(db, parent), NI_OK);
	if (batch)
		assert_int_equal(ni_db_set_metadata(db, "newsindex.batch",
						    batch), NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
}

static void expect_repair(ni_db *db, bool want_torn, uint64_t want_removed)
{
	uint64_t removed = 99;
	bool torn = !want_torn;
	assert_int_equal(ni_db_repair_shards(db, &removed, &torn), NI_OK);
	assert_int_equal(torn, want_torn);
	assert_int_equal(removed, want_removed);
}

static void repair_after_tear(struct db_fixture *f, const char *batch,
			      uint64_t want_removed)
{
	char parent[64], record[64], other[64];
	int p = url_in(0, SHARDS, 1, true, parent, sizeof parent);
	url_in(p + 1, SHARDS, 1, false, record, sizeof record);
	url_in(p + 1, SHARDS, 1, true, other, sizeof other);
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	put(db, parent, NULL, NULL);
	put(db, record, parent, NULL);
	put(db, other, NULL, NULL);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	tear(f->path, parent, batch);

	bool torn = batch != NULL;
	db = open_as(f->path, NI_DB_WRITE);
	expect_repair(db, torn, want_removed);
	assert_int_equal(find(db, record, NULL) == 0, want_removed == 1);
	assert_true(find(db, other, NULL) != 0);
	assert_int_equal(find(db, parent, NULL), 0);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	if (torn) {
		/* Not settled by a commit: a build killed before it indexed
		 * every file again leaves the next one to do it. */
		db = open_as(f->path, NI_DB_WRITE);
		expect_repair(db, true, 0);
		ni_db_shards_settled(db);
		assert_int_equal(ni_db_close(db, NULL), NI_OK);
	}
	db = open_as(f->path, NI_DB_WRITE);
	expect_repair(db, false, 0);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	/* Settled: the shards' last commit made their batches one. */
	char shard[160];
	char *first = NULL;
	for (size_t k = 1; k <= SHARDS; k++) {
		shard_path(f->path, k, shard, sizeof shard);
		db = open_as(shard, NI_DB_READ);
		char *value = metadata(db, "newsindex.batch");
		if (!first)
			first = value;
		else if (strcmp(first, value) != 0)
			fail_msg("shard %zu at batch %s, shard 1 at %s", k,
				 value, first);
		if (value != first)
			free(value);
		ni_db_close(db, NULL);
	}
	free(first);
}

static void test_repair_removes_orphans_of_a_torn_commit(void **state)
{
	repair_after_tear(*state, "99", 1);
}

static void test_repair_does_nothing_at_equal_batches(void **state)
{
	repair_after_tear(*state, NULL, 0);
}

static void test_compact_a_sharded_index(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	char keys[N_KEYS][64];
	for (int i = 0; i < N_KEYS; i++) {
		url(keys[i], sizeof keys[i], i);
		put(db, keys[i], NULL, NULL);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
	char dest[160];
	snprintf(dest, sizeof dest, "%s/compacted", f->dir);
	if (ni_db_compact_to(db, dest) != NI_OK)
		fail_msg("compact: %s", ni_db_errmsg(db));
	/* Not over something that is there. */
	assert_int_equal(ni_db_compact_to(db, dest), NI_EINVAL);
	assert_non_null(strstr(ni_db_errmsg(db), dest));
	ni_db_close(db, NULL);

	char lines[256];
	stub_lines(dest, lines, sizeof lines);
	assert_string_equal(lines, "auto shard-1|auto shard-2|auto shard-3");
	expect_placed(dest, keys, N_KEYS, SHARDS);
	/* Its shards keep their places: it can be written. */
	db = open_as(dest, NI_DB_WRITE);
	assert_int_equal(count_docs(db), N_KEYS);
	assert_int_equal(ni_db_shard_count(db), SHARDS);
	put(db, "https://example.com/new", NULL, NULL);
	ni_db_close(db, NULL);
}

/* A document of word "news" with unique key `key`, in story `story`. */
static void put_story(ni_db *db, const char *key, const char *story)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, "news", 4),
			 NI_OK);
	assert_int_equal(ni_doc_set_story(doc, story, strlen(story)), NI_OK);
	assert_int_equal(ni_doc_set_data(doc, key, strlen(key)), NI_OK);
	assert_int_equal(ni_db_replace(db, key, doc, NULL), NI_OK);
	ni_doc_free(doc);
}

/*
 * The copies of a story in two shards, each of which keeps a map of its
 * own stories that may have copies (NI_META_STORY_COPIES) without the
 * story, are counted by a reader of the whole index.
 */
static void test_copies_across_shards_are_counted(void **state)
{
	struct db_fixture *f = *state;
	create(f->path, SHARDS);
	ni_db *db = open_as(f->path, NI_DB_WRITE);
	char first[64], second[64];
	url_in(url_in(0, SHARDS, 1, true, first, sizeof first) + 1, SHARDS,
	       1, false, second, sizeof second);
	put_story(db, first, "story");
	put_story(db, second, "story");
	put_story(db, "https://example.com/other", "another");
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);

	db = open_as(f->path, NI_DB_READ);
	ni_query *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "news", 4, &q),
			 NI_OK);
	struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
				     .bm25_b = 0.75, .collapse = 1};
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, q, &p, &m), NI_OK);
	assert_int_equal(ni_mset_size(m), 2);
	uint32_t similar = 0;
	for (size_t k = 0; k < 2; k++) {
		struct ni_hit hit;
		ni_mset_hit(m, k, &hit);
		similar += hit.n_similar;
	}
	assert_int_equal(similar, 1);
	ni_mset_free(m);
	ni_query_free(q);
	ni_db_close(db, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, make_dir, remove_dir)
	const struct CMUnitTest tests[] = {
		T(test_create_layout),
		T(test_create_over_other_things_fails),
		T(test_writes_go_to_their_shard),
		T(test_shards_out_of_place_are_not_written),
		T(test_foreign_shard_is_never_left_out),
		T(test_shard_being_built_names_its_writer),
		T(test_rebuild_writes_nothing_to_shards),
		T(test_related_record_of_the_first_parent_wins),
		T(test_merged_parts_keep_the_winner),
		T(test_repair_removes_orphans_of_a_torn_commit),
		T(test_repair_does_nothing_at_equal_batches),
		T(test_compact_a_sharded_index),
		T(test_copies_across_shards_are_counted),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
