/*
 * Unit tests for lib/index/builder.c with lib/index/document.c: what a build reports
 * of files that change between the walk and the read (deleted, replaced
 * by a FIFO), the skip counts by kind, and the word limit per field.
 * The end-to-end hostile cases are tests/e2e/hostile.sh; a file that
 * vanishes is tested here because only a callback between the walk and
 * the reads can make the race certain.  So is a file known twice (a
 * sharded build killed between two shards' commits), made by hand, and
 * so are stamps that differ from the file in one field each, or are
 * racy with other bytes (a change within one clock tick), written into
 * the index by hand.  And that an updated index holds what a first
 * build of the same files would (assert_same_as_fresh): a file that
 * becomes a duplicate, related records an article file kept out, or
 * another parent's, brought back.  And that a build of the paths that
 * changed (ni_build_paths, through ni_updater, as newsindex watch runs
 * it) makes what a whole build does.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "ni_analyzer.h"
#include "ni_builder.h"
#include "ni_search.h"
#include "ni_updater.h"
#include "ni_xapian.h"

struct fixture {
	char dir[64];
	char db_path[128];
	char src[128];
	ni_db *db;
	ni_analyzer *analyzer;
};

/* What the callbacks saw. */
struct seen {
	const char *remove_at_walk_end;  /* deleted once the walk is done */
	const char *fifo_at_walk_end;    /* replaced by a FIFO then */
	int progress_calls;
	unsigned long first_to_read;     /* counts->to_read at the first */
	char reasons[8][256];            /* "name: kind: reason" */
	size_t n_reasons;
	char warnings[8][256];           /* "name: message" */
	size_t n_warnings;
	unsigned long dropped;           /* skipped, its article deleted */
	/* When set, the highest N of a part DB.part-N seen at a progress
	 * call (-1: none). */
	const char *parts_of;
	int last_part;
};

/* A fixture with an index of `shards` shards (0: one index). */
static int setup_with(void **state, size_t shards)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/ni-test-builder-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof f->db_path, "%s/db", f->dir);
	snprintf(f->src, sizeof f->src, "%s/src", f->dir);
	assert_int_equal(mkdir(f->src, 0755), 0);
	assert_int_equal(ni_analyzer_new(&f->analyzer), NI_OK);
	if (shards)
		assert_int_equal(ni_db_create_sharded(f->db_path, shards,
						      ni_analyzer_settings(),
						      NULL), NI_OK);
	assert_int_equal(ni_db_open(f->db_path, NI_DB_WRITE,
				    ni_analyzer_settings(), &f->db, NULL),
			 NI_OK);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

#define SHARDS 3

static int setup_sharded(void **state)
{
	return setup_with(state, SHARDS);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	ni_db_close(f->db, NULL);
	ni_analyzer_free(f->analyzer);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void write_file(const struct fixture *f, const char *name,
		       const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", f->src, name);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs(text, out);
	assert_int_equal(fclose(out), 0);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void on_file(void *ctx, const char *path,
		    const struct ni_index_result *res)
{
	struct seen *s = ctx;
	if (!res->indexed && !res->key) {
		assert_true(s->n_reasons < 8);
		snprintf(s->reasons[s->n_reasons++], 256, "%s: %s: %s",
			 base_name(path), ni_skip_name(res->skip),
			 res->reason);
		s->dropped += res->dropped;
		return;
	}
	for (size_t i = 0; i < res->n_warnings && s->n_warnings < 8; i++)
		snprintf(s->warnings[s->n_warnings++], 256, "%s: %s",
			 base_name(path), res->warnings[i].message);
}

/* The first call comes when the walk is done, before any file is read. */
static void on_progress(void *ctx, const struct ni_build_counts *counts)
{
	struct seen *s = ctx;
	for (int j = 0; s->parts_of && j < 64; j++) {
		char part[256];
		struct stat st;
		snprintf(part, sizeof part, "%s.part-%d", s->parts_of, j);
		if (stat(part, &st) == 0 && j > s->last_part)
			s->last_part = j;
	}
	if (s->progress_calls++ || counts->done != 0)
		return;
	s->first_to_read = counts->to_read;
	if (s->remove_at_walk_end)
		assert_int_equal(unlink(s->remove_at_walk_end), 0);
	if (s->fifo_at_walk_end) {
		assert_int_equal(unlink(s->fifo_at_walk_end), 0);
		assert_int_equal(mkfifo(s->fifo_at_walk_end, 0644), 0);
	}
}

static ni_status build(struct fixture *f, const struct ni_build_options *o,
		       struct seen *s, struct ni_build_counts *counts)
{
	const char *sources[] = {f->src};
	struct ni_build_callbacks cb = {on_file, NULL, NULL, on_progress, s};
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status st = ni_build(f->db, f->analyzer, sources, 1, o, &cb,
				counts, &errmsg);
	if (st != NI_OK)
		fail_msg("build failed: %s", ni_buf_str(&errmsg));
	ni_buf_release(&errmsg);
	return st;
}

/*
 * Every document's data (article or related record: key, path, title,
 * related_of, date, quality, topics), sorted, one per line in `out`.
 */
static void all_documents(ni_db *db, struct ni_buf *out)
{
	ni_query *all;
	assert_int_equal(ni_query_match_all(&all), NI_OK);
	struct ni_search_params p = {.limit = 10000, .bm25_k1 = 1.6,
				     .bm25_b = 0.75};
	ni_mset *mset;
	assert_int_equal(ni_db_search(db, all, &p, &mset), NI_OK);
	size_t n = ni_mset_size(mset);
	char **lines = calloc(n ? n : 1, sizeof *lines);
	assert_non_null(lines);
	for (size_t i = 0; i < n; i++) {
		struct ni_hit hit;
		assert_int_equal(ni_mset_hit(mset, i, &hit), NI_OK);
		lines[i] = strndup(hit.data, hit.data_len);
		assert_non_null(lines[i]);
	}
	qsort(lines, n, sizeof *lines, compare_strings);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ni_buf_addf(out, "%s\n", lines[i]), NI_OK);
		free(lines[i]);
	}
	free(lines);
	ni_mset_free(mset);
	ni_query_free(all);
}

/*
 * The promise of an incremental build (docs/schema.md): the index holds
 * what a first build of the same files, one writer, would.  `when` says
 * which step of the test this is.
 */
static void assert_same_as_fresh(struct fixture *f, const char *when)
{
	char path[160];
	static unsigned fresh;
	snprintf(path, sizeof path, "%s/fresh-%u", f->dir, fresh++);
	size_t shards = ni_db_shard_count(f->db);
	if (shards > 1)
		assert_int_equal(ni_db_create_sharded(path, shards,
						      ni_analyzer_settings(),
						      NULL), NI_OK);
	ni_db *db;
	assert_int_equal(ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(),
				    &db, NULL), NI_OK);
	const char *sources[] = {f->src};
	struct ni_build_callbacks cb = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	assert_int_equal(ni_build(db, f->analyzer, sources, 1, &o, &cb, &c,
				  &errmsg), NI_OK);
	struct ni_buf want = NI_BUF_INIT, got = NI_BUF_INIT;
	all_documents(db, &want);
	all_documents(f->db, &got);
	if (strcmp(ni_buf_str(&want), ni_buf_str(&got)))
		fail_msg("%s: the index holds\n%sa first build holds\n%s",
			 when, ni_buf_str(&got), ni_buf_str(&want));
	ni_buf_release(&want);
	ni_buf_release(&got);
	ni_buf_release(&errmsg);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
}

static void test_vanished_and_replaced_files(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: kept\n---\n");
	write_file(f, "b.txt", "---\ntitle: gone\n---\n");
	write_file(f, "c.txt", "---\ntitle: fifo\n---\n");
	write_file(f, "d.txt", "no front matter\n");
	char gone[256], fifo[256];
	snprintf(gone, sizeof gone, "%s/b.txt", f->src);
	snprintf(fifo, sizeof fifo, "%s/c.txt", f->src);
	struct seen s = {.remove_at_walk_end = gone, .fifo_at_walk_end = fifo};
	struct ni_build_options o = {0};
	struct ni_build_counts c;

	/* A FIFO would block a plain open(): the build would hang here. */
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.files, 4);
	assert_int_equal(c.added, 1);
	assert_int_equal(c.skipped, 3);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.skipped_by[NI_SKIP_VANISHED], 1);
	assert_int_equal(c.skipped_by[NI_SKIP_UNREADABLE], 1);
	assert_int_equal(c.skipped_by[NI_SKIP_NO_FRONT_MATTER], 1);
	assert_int_equal(c.skipped_by[NI_SKIP_NONE], 0);
	assert_int_equal(s.n_reasons, 3);
	assert_string_equal(s.reasons[0], "b.txt: vanished: vanished before "
			    "it was read (deleted or renamed since the "
			    "folder was listed)");
	assert_string_equal(s.reasons[1], "c.txt: unreadable: not a regular "
			    "file");
	assert_string_equal(s.reasons[2], "d.txt: no front matter: no front "
			    "matter: the first line is not ---");
}

/*
 * The progress callback knows from its first call how many files will
 * be read: the time left is estimated over those, not over unchanged
 * files that cost nothing.
 */
static void test_progress_counts_files_to_read(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: one\n---\n");
	write_file(f, "b.txt", "---\ntitle: two\n---\n");
	write_file(f, "c.txt", "---\ntitle: three\n---\n");
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	struct seen s = {0};
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(s.first_to_read, 3);
	write_file(f, "b.txt", "---\ntitle: two, longer now\n---\n");
	s = (struct seen){0};
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.files, 3);
	assert_int_equal(c.unchanged, 2);
	assert_int_equal(s.first_to_read, 1);
}

static size_t search_hits(struct fixture *f, const char *word)
{
	struct ni_search_options o;
	ni_search_options_init(&o);
	struct ni_results r;
	struct ni_buf err = NI_BUF_INIT;
	ni_status st = ni_search(f->db, f->analyzer, word, &o, &r, &err);
	if (st != NI_OK)
		fail_msg("search failed: %s", ni_buf_str(&err));
	ni_buf_release(&err);
	size_t n = r.n_hits;
	ni_results_clear(&r);
	return n;
}

static void test_field_word_limit(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: one two three four\n"
		   "excerpt: five six\ntopics: [seven eight, nine]\n---\n");
	struct seen s = {0};
	struct ni_build_options o = {.max_field_words = 2};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 1);
	assert_int_equal(c.warned, 1);
	assert_int_equal(s.n_warnings, 2);
	assert_string_equal(s.warnings[0], "a.txt: title: only the first 2 "
			    "words are indexed (the limit of words per "
			    "field)");
	assert_string_equal(s.warnings[1], "a.txt: topics: only the first 2 "
			    "words are indexed (the limit of words per "
			    "field)");
	/* The first words are terms, the rest are not; a topic past the
	 * limit is not a filter either. */
	static const struct {
		const char *word;
		int found;
	} words[] = {
		{"one", 1}, {"two", 1}, {"three", 0}, {"five", 1},
		{"six", 1}, {"seven", 1}, {"eight", 1}, {"nine", 0},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		int found = search_hits(f, words[i].word) > 0;
		if (found != words[i].found)
			fail_msg("'%s' found: %d, wanted %d", words[i].word,
				 found, words[i].found);
	}
	uint64_t nine = 1;
	assert_int_equal(ni_db_filter_count(f->db, NI_FILTER_TOPIC, "nine", 4,
					    &nine), NI_OK);
	assert_int_equal(nine, 0);
}

/* "https://example.com/N" for the first N from `from` in shard `k`. */
static void url_in_shard(int from, size_t k, char *out, size_t size)
{
	for (int i = from;; i++) {
		snprintf(out, size, "https://example.com/%d", i);
		if (key_shard(out, SHARDS) == k)
			return;
	}
}

static uint32_t find(struct fixture *f, const char *key)
{
	uint32_t docid = 1;
	assert_int_equal(ni_db_find(f->db, key, &docid, NULL), NI_OK);
	return docid;
}

/*
 * A stale copy of the file `kept` (its document's stamp, `old` as its
 * key) and a related record it listed, as a sharded build killed between
 * two shards' commits leaves them: the article's key had moved to
 * another shard, where it was committed, and its deletion was not.
 */
static void add_stale_copy(struct fixture *f, const char *kept,
			   const char *old)
{
	ni_values *values;
	assert_int_equal(ni_db_values(f->db, NI_SLOT_FILE, &values), NI_OK);
	uint32_t docid;
	const char *value;
	size_t len;
	assert_int_equal(ni_values_next(values, &docid, &value, &len), NI_OK);
	assert_int_equal(docid, find(f, kept));
	/* "MTIME_NS SIZE\0PATH\0KEY": the same but the key. */
	char stamp[512];
	size_t keep = len - strlen(kept);
	assert_true(keep + strlen(old) < sizeof stamp);
	memcpy(stamp, value, keep);
	memcpy(stamp + keep, old, strlen(old));
	size_t stamp_len = keep + strlen(old);
	const char *path = value + strlen(value) + 1;
	assert_int_equal(ni_values_next(values, &docid, &value, &len),
			 NI_DONE);
	ni_doc *doc;
	assert_int_equal(ni_doc_new(f->db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, "stale", 5),
			 NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_PATH, path,
					   strlen(path)), NI_OK);
	assert_int_equal(ni_doc_set_text(doc, NI_SLOT_FILE, stamp, stamp_len),
			 NI_OK);
	assert_int_equal(ni_db_replace(f->db, old, doc, NULL), NI_OK);
	ni_doc_free(doc);
	ni_values_free(values);
	const char *record = "https://example.org/listed-by-the-stale-copy";
	assert_int_equal(ni_doc_new(f->db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_PARENT, old,
					   strlen(old)), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_RELATED, "", 0),
			 NI_OK);
	assert_int_equal(ni_db_replace(f->db, record, doc, NULL), NI_OK);
	ni_doc_free(doc);
	assert_int_equal(ni_db_commit(f->db), NI_OK);
}

/*
 * A file known twice (two documents with its path): both go, and the
 * file is indexed again, once, whichever copy the index lists first.
 */
static void test_file_known_twice(void **state)
{
	struct fixture *f = *state;
	char now[64], old[64], text[256];
	/* The file's key in the middle shard, so that its stale copy's
	 * docid can come before or after its own. */
	url_in_shard(0, 2, now, sizeof now);
	snprintf(text, sizeof text, "---\ntitle: moved\nwebUrl: %s\n---\n",
		 now);
	write_file(f, "a.txt", text);
	struct seen s = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 1);
	uint32_t id = find(f, now);
	assert_true(id != 0);

	static const size_t stale_shards[] = {1, SHARDS};
	for (size_t i = 0; i < 2; i++) {
		url_in_shard(100, stale_shards[i], old, sizeof old);
		add_stale_copy(f, now, old);
		uint64_t docs = 0;
		assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
		assert_int_equal(docs, 3);
		assert_true((find(f, old) < id) == (i == 0));

		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.files, 1);
		assert_int_equal(c.updated, 1);
		assert_int_equal(c.added + c.unchanged, 0);
		/* The stale copy goes as an old URL of the file, not as
		 * an article whose file is gone, whichever comes first. */
		assert_int_equal(c.deleted, 0);
		assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
		assert_int_equal(docs, 1);
		assert_int_equal(find(f, old), 0);
		assert_int_not_equal(find(f, now), 0);
		assert_int_equal(search_hits(f, "moved"), 1);
		assert_int_equal(search_hits(f, "stale"), 0);
		/* Its related record went with it. */
		uint64_t records = 1;
		assert_int_equal(ni_db_filter_count(f->db, NI_FILTER_PARENT,
						    old, strlen(old),
						    &records), NI_OK);
		assert_int_equal(records, 0);

		/* Settled: the next build finds it unchanged. */
		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.unchanged, 1);
		assert_int_equal(c.updated + c.added + c.deleted, 0);
		id = find(f, now);
	}
}

/*
 * A file whose URL changes keeps its related records: its old copy,
 * whose records would outrank the new ones (the old key comes first),
 * goes before they are written, not after.
 */
static void test_new_url_keeps_related_records(void **state)
{
	struct fixture *f = *state;
	static const char *const text =
		"---\ntitle: moved\nwebUrl: https://example.com/%d\n"
		"related:\n  - title: listed\n"
		"    webUrl: https://example.org/listed\n---\n";
	char article[256];
	struct seen s = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	/* ".../1" comes before ".../19", and the size differs. */
	static const int urls[] = {1, 19};
	for (int round = 0; round < 2; round++) {
		snprintf(article, sizeof article, text, urls[round]);
		write_file(f, "a.txt", article);
		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.added + c.updated, 1);
		assert_int_equal(c.related, 1);
		int related = 0;
		uint32_t docid = 0;
		assert_int_equal(ni_db_find(f->db, "https://example.org/listed",
					    &docid, &related), NI_OK);
		if (!docid)
			fail_msg("the related record is gone with URL %d",
				 urls[round]);
		assert_true(related);
		uint64_t docs = 0;
		assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
		assert_int_equal(docs, 2);
	}
	assert_int_equal(find(f, "https://example.com/1"), 0);
}

/* ---- the file stamp ----------------------------------------------------- */

/* The stamp of the file `name` in the index: its docid, and in `text`
 * the part before the path ("MTIME_NS CTIME_NS SIZE INODE HASH RACY"). */
static uint32_t get_stamp(struct fixture *f, const char *name, char *text,
			  size_t size)
{
	ni_values *values;
	assert_int_equal(ni_db_values(f->db, NI_SLOT_FILE, &values), NI_OK);
	uint32_t docid, found = 0;
	const char *value;
	size_t len;
	while (ni_values_next(values, &docid, &value, &len) == NI_OK) {
		const char *path = value + strlen(value) + 1;
		if (strcmp(base_name(path), name))
			continue;
		assert_true(strlen(value) < size);
		strcpy(text, value);
		found = docid;
	}
	ni_values_free(values);
	if (!found)
		fail_msg("no stamp of %s", name);
	return found;
}

/* Store `text` as the stamp of the file `name` (its path and key kept). */
static void set_stamp(struct fixture *f, const char *name, const char *text)
{
	char old[256], value[1024];
	uint32_t docid = get_stamp(f, name, old, sizeof old);
	ni_values *values;
	assert_int_equal(ni_db_values(f->db, NI_SLOT_FILE, &values), NI_OK);
	uint32_t id;
	const char *v;
	size_t len = 0, at = strlen(text) + 1;
	while (ni_values_next(values, &id, &v, &len) == NI_OK && id != docid)
		;
	assert_int_equal(id, docid);
	size_t rest = len - strlen(v) - 1;  /* path, NUL, key */
	assert_true(at + rest < sizeof value);
	memcpy(value, text, at);
	memcpy(value + at, v + strlen(v) + 1, rest);
	ni_values_free(values);
	assert_int_equal(ni_db_set_text(f->db, docid, NI_SLOT_FILE, value,
					at + rest), NI_OK);
	assert_int_equal(ni_db_commit(f->db), NI_OK);
}

struct stamp {
	long long mtime, ctime;
	unsigned long long size, inode, hash;
	int racy;
};

static void format(const struct stamp *t, char *text, size_t size)
{
	snprintf(text, size, "%lld %lld %llu %llu %016llx %d", t->mtime,
		 t->ctime, t->size, t->inode, t->hash, t->racy);
}

static void assert_same(const struct stamp *a, const struct stamp *b)
{
	char x[128], y[128];
	format(a, x, sizeof x);
	format(b, y, sizeof y);
	assert_string_equal(x, y);
}

static struct stamp parse(const char *text)
{
	struct stamp t;
	assert_int_equal(sscanf(text, "%lld %lld %llu %llu %llx %d", &t.mtime,
				&t.ctime, &t.size, &t.inode, &t.hash,
				&t.racy), 6);
	return t;
}

/* The stamp the file `name` has on disk now, but its hash: `hash`. */
static struct stamp stat_stamp(struct fixture *f, const char *name,
			       unsigned long long hash, int racy)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", f->src, name);
	assert_int_equal(stat(path, &st), 0);
	return (struct stamp){
		(long long)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
		(long long)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec,
		(unsigned long long)st.st_size,
		(unsigned long long)st.st_ino, hash, racy};
}

/* A build that reads only the file `a.txt`, or none. */
static void expect_read(struct fixture *f, const struct ni_build_options *o,
			bool read)
{
	struct seen s = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, o, &s, &c), NI_OK);
	assert_int_equal(c.files, 1);
	assert_int_equal(c.updated, read);
	assert_int_equal(c.unchanged, !read);
	assert_int_equal(c.added + c.deleted + c.skipped, 0);
}

/*
 * A stamp is what git's index compares: a file of the same size and
 * modification time is still another file when its inode or its status
 * change time differ (swapped by `mv`, copied with `cp -p`); a stamp of
 * the first format ("MTIME_NS SIZE") cannot tell, and is read again.
 */
static void test_stamp_compares_ctime_and_inode(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: alpha\n---\n");
	/* Changed a nanosecond before the build or earlier: settled. */
	struct ni_build_options o = {.racy_ns = 1};
	struct seen s = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 1);
	char text[256];
	get_stamp(f, "a.txt", text, sizeof text);
	struct stamp now = parse(text);
	struct stamp disk = stat_stamp(f, "a.txt", now.hash, 0);
	assert_same(&now, &disk);
	expect_read(f, &o, false);

	static const char *const what[] = {"mtime", "ctime", "size", "inode"};
	for (int field = 0; field < 4; field++) {
		struct stamp t = now;
		switch (field) {
		case 0: t.mtime++; break;
		case 1: t.ctime++; break;
		case 2: t.size++; break;
		default: t.inode++; break;
		}
		format(&t, text, sizeof text);
		set_stamp(f, "a.txt", text);
		struct seen s2 = {0};
		assert_int_equal(build(f, &o, &s2, &c), NI_OK);
		if (c.updated != 1)
			fail_msg("another %s, not read again", what[field]);
		expect_read(f, &o, false);
	}

	/* The first format: read once more, then stamped anew. */
	snprintf(text, sizeof text, "%lld %llu", now.mtime, now.size);
	set_stamp(f, "a.txt", text);
	expect_read(f, &o, true);
	get_stamp(f, "a.txt", text, sizeof text);
	struct stamp again = parse(text);
	assert_same(&again, &now);
	expect_read(f, &o, false);
}

/*
 * A stamp taken within NI_BUILD_RACY_NS of a change is racy: the next
 * build reads the file and compares its bytes, as git compares a racily
 * clean entry's contents; once the change is old enough, the stamp is
 * stored settled and the file is no longer read.
 */
static void test_racy_stamp_compares_bytes(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: alpha\n---\n");
	struct ni_build_options o = {0};
	struct seen s = {0};
	struct ni_build_counts c;
	/* Written just now: racy with the default. */
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	char text[256];
	get_stamp(f, "a.txt", text, sizeof text);
	struct stamp first = parse(text);
	assert_int_equal(first.racy, 1);

	/* Changed in place, to the same size, in the same clock tick:
	 * made so by giving the stamp the file's new times. */
	write_file(f, "a.txt", "---\ntitle: bravo\n---\n");
	struct stamp same_tick = stat_stamp(f, "a.txt", first.hash, 1);
	assert_int_equal(same_tick.size, first.size);
	assert_int_equal(same_tick.inode, first.inode);
	format(&same_tick, text, sizeof text);
	set_stamp(f, "a.txt", text);
	expect_read(f, &o, true);
	assert_int_equal(search_hits(f, "bravo"), 1);
	assert_int_equal(search_hits(f, "alpha"), 0);

	/* The same bytes: not read again, still racy while it is recent. */
	expect_read(f, &o, false);
	get_stamp(f, "a.txt", text, sizeof text);
	struct stamp kept = parse(text);
	assert_int_equal(kept.racy, 1);
	/* Older than the window: stored settled, the rest the same. */
	struct ni_build_options later = {.racy_ns = 1};
	expect_read(f, &later, false);
	get_stamp(f, "a.txt", text, sizeof text);
	struct stamp settled = parse(text);
	assert_int_equal(settled.racy, 0);
	settled.racy = 1;
	assert_same(&settled, &kept);
	/* A settled stamp's file is not read: another hash goes unseen. */
	settled.racy = 0;
	settled.hash++;
	format(&settled, text, sizeof text);
	set_stamp(f, "a.txt", text);
	expect_read(f, &later, false);
}

/*
 * A file that was an article and is no longer one (empty, invalid, gone
 * between the walk and the read) loses its article and its related
 * records, as a first build of the same files would not have them; the
 * callback is told, the build counts it deleted, and a good version of
 * the file brings it back.
 */
static void test_unindexable_file_loses_its_article(void **state)
{
	struct fixture *f = *state;
	static const char *const good =
		"---\ntitle: alpha\nwebUrl: https://example.com/a\n"
		"related:\n  - title: listed\n"
		"    webUrl: https://example.org/listed\n---\n";
	static const char *const bad[] = {
		"", "---\n---\n", "---\ntitle: [unclosed\n---\n",
		"no front matter\n", NULL,  /* NULL: gone after the walk */
	};
	char path[256];
	snprintf(path, sizeof path, "%s/a.txt", f->src);
	write_file(f, "b.txt", "---\ntitle: bravo\n---\n");
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(f, "a.txt", good);
		struct seen s = {0};
		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.added + c.updated, i == 0 ? 2 : 1);
		assert_int_equal(c.related, 1);
		assert_int_not_equal(find(f, "https://example.org/listed"), 0);

		/* Changed, to be read: then gone. */
		write_file(f, "a.txt", bad[i] ? bad[i] : "changed");
		s = (struct seen){.remove_at_walk_end = bad[i] ? NULL : path};
		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.skipped, 1);
		if (c.deleted != 1 || s.dropped != 1)
			fail_msg("case %zu: the article kept (%s)", i,
				 s.reasons[0]);
		assert_int_equal(c.unchanged, 1);
		assert_int_equal(find(f, "https://example.com/a"), 0);
		assert_int_equal(find(f, "https://example.org/listed"), 0);
		uint64_t docs = 0;
		assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
		assert_int_equal(docs, 1);
		assert_int_equal(search_hits(f, "alpha"), 0);

		/* Nothing more to delete the next time. */
		if (!bad[i])
			continue;
		s = (struct seen){0};
		assert_int_equal(build(f, &o, &s, &c), NI_OK);
		assert_int_equal(c.skipped, 1);
		assert_int_equal(c.deleted + s.dropped, 0);
	}
}

/*
 * Write the article `name`: its title, its webUrl (none when NULL) and
 * a related record for each URL of `related` (NULL-ended).
 */
static void article(const struct fixture *f, const char *name,
		    const char *title, const char *url,
		    const char *const *related)
{
	struct ni_buf text = NI_BUF_INIT;
	assert_int_equal(ni_buf_addf(&text, "---\ntitle: %s\n", title),
			 NI_OK);
	if (url)
		assert_int_equal(ni_buf_addf(&text, "webUrl: %s\n", url),
				 NI_OK);
	if (related && *related)
		assert_int_equal(ni_buf_adds(&text, "related:\n"), NI_OK);
	for (; related && *related; related++)
		assert_int_equal(ni_buf_addf(&text, "  - title: %s told by "
					     "%s\n    webUrl: %s\n", *related,
					     name, *related), NI_OK);
	assert_int_equal(ni_buf_adds(&text, "---\n"), NI_OK);
	write_file(f, name, ni_buf_str(&text));
	ni_buf_release(&text);
}

static void remove_file(const struct fixture *f, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", f->src, name);
	assert_int_equal(unlink(path), 0);
}

/* Build `f` (one writer) and compare it with a first build. */
static void build_and_compare(struct fixture *f, const char *when)
{
	struct seen s = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_same_as_fresh(f, when);
}

/*
 * A changed file whose new key another file holds is a duplicate: its
 * old article goes (its old URL, or its path), as a first build would
 * not have it.
 */
static void test_taken_key_drops_the_old_article(void **state)
{
	struct fixture *f = *state;
	article(f, "a.txt", "alpha", "https://x/a", NULL);
	article(f, "b.txt", "bravo", "https://x/b", NULL);
	build_and_compare(f, "first build");
	article(f, "b.txt", "bravo moved", "https://x/a", NULL);
	build_and_compare(f, "b.txt takes a.txt's URL");
	assert_int_equal(find(f, "https://x/b"), 0);
	build_and_compare(f, "again");
	remove_file(f, "a.txt");
	build_and_compare(f, "a.txt gone: b.txt has the URL");
	assert_int_not_equal(find(f, "https://x/a"), 0);

	/* Without a URL, its path is its key: another file's URL here
	 * (a file earlier in the walk: a first build gives it the key
	 * too, where a later holder would keep it). */
	char src[PATH_MAX], key[PATH_MAX + 16];
	assert_non_null(realpath(f->src, src));
	snprintf(key, sizeof key, "%s/d.txt", src);
	article(f, "c.txt", "charlie", key, NULL);
	article(f, "d.txt", "delta", "https://x/d", NULL);
	build_and_compare(f, "d.txt with a URL, c.txt with its path");
	article(f, "d.txt", "delta without a URL", NULL, NULL);
	build_and_compare(f, "d.txt's path is c.txt's");
	assert_int_equal(find(f, "https://x/d"), 0);
}

/*
 * A related record not written because an article file had its URL
 * comes back when that article goes: its file deleted, or given
 * another URL, in the build its lister changes or not.
 */
static void test_related_record_back_when_the_article_goes(void **state)
{
	struct fixture *f = *state;
	static const char *const r[] = {"https://x/r", NULL};
	int related = 0;
	uint32_t docid = 0;
	article(f, "a.txt", "alpha", "https://x/a", r);
	article(f, "r.txt", "romeo", "https://x/r", NULL);
	build_and_compare(f, "first build");
	remove_file(f, "r.txt");
	build_and_compare(f, "r.txt deleted");
	assert_int_equal(ni_db_find(f->db, "https://x/r", &docid, &related),
			 NI_OK);
	assert_true(docid && related);

	article(f, "r.txt", "romeo", "https://x/r", NULL);
	build_and_compare(f, "r.txt back");
	article(f, "r.txt", "romeo", "https://x/r2", NULL);
	build_and_compare(f, "r.txt has another URL");

	/* a.txt lists it again in the build that r.txt goes. */
	article(f, "a.txt", "alpha without", "https://x/a", NULL);
	article(f, "r.txt", "romeo", "https://x/r", NULL);
	build_and_compare(f, "r.txt has its URL again, a.txt lists none");
	article(f, "a.txt", "alpha", "https://x/a", r);
	remove_file(f, "r.txt");
	build_and_compare(f, "a.txt lists it as r.txt goes");

	article(f, "a.txt", "alpha without", "https://x/a", NULL);
	article(f, "r.txt", "romeo", "https://x/r", NULL);
	build_and_compare(f, "r.txt back again, a.txt lists none");
	article(f, "a.txt", "alpha", "https://x/a", r);
	article(f, "r.txt", "romeo", "https://x/r3", NULL);
	build_and_compare(f, "a.txt lists it as r.txt takes another URL");
}

/* Two articles list each other, and one goes. */
static void test_related_record_back_when_a_lister_goes(void **state)
{
	struct fixture *f = *state;
	static const char *const p[] = {"https://x/p", NULL};
	static const char *const q[] = {"https://x/q", NULL};
	article(f, "p.txt", "papa", "https://x/p", q);
	article(f, "q.txt", "quebec", "https://x/q", p);
	build_and_compare(f, "first build");
	remove_file(f, "q.txt");
	build_and_compare(f, "q.txt deleted");
	article(f, "q.txt", "quebec", "https://x/q", p);
	build_and_compare(f, "q.txt back");
	remove_file(f, "p.txt");
	build_and_compare(f, "p.txt deleted");
}

/* A file that becomes a duplicate gives up its URL to its lister. */
static void test_related_record_back_when_its_key_is_taken(void **state)
{
	struct fixture *f = *state;
	static const char *const b[] = {"https://x/b", NULL};
	article(f, "a.txt", "alpha", "https://x/a", NULL);
	article(f, "b.txt", "bravo", "https://x/b", NULL);
	article(f, "c.txt", "charlie", "https://x/c", b);
	build_and_compare(f, "first build");
	article(f, "b.txt", "bravo moved", "https://x/a", NULL);
	build_and_compare(f, "b.txt takes a.txt's URL");
}

/* Build the sources `sources` of `f` (one writer). */
static void build_sources(struct fixture *f, const char *const *sources,
			  size_t n)
{
	struct ni_build_callbacks cb = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	if (ni_build(f->db, f->analyzer, sources, n, &o, &cb, &c,
		     &errmsg) != NI_OK)
		fail_msg("build failed: %s", ni_buf_str(&errmsg));
	ni_buf_release(&errmsg);
}

/*
 * The article with a listed URL goes in a build of its source alone:
 * the lister, in another source, is not read then, and the next build
 * that walks it brings the record back.
 */
static void test_related_record_back_when_its_lister_is_walked(
	void **state)
{
	struct fixture *f = *state;
	static const char *const r[] = {"https://x/r", NULL};
	char other[160], path[200];
	snprintf(other, sizeof other, "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0755), 0);
	snprintf(path, sizeof path, "%s/r.txt", other);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs("---\ntitle: romeo\nwebUrl: https://x/r\n---\n", out);
	assert_int_equal(fclose(out), 0);
	article(f, "a.txt", "alpha", "https://x/a", r);
	const char *both[] = {f->src, other};
	build_sources(f, both, 2);
	assert_int_equal(unlink(path), 0);
	const char *alone[] = {other};
	build_sources(f, alone, 1);
	assert_int_equal(find(f, "https://x/r"), 0);
	build_sources(f, both, 2);
	int related = 0;
	uint32_t docid = 0;
	assert_int_equal(ni_db_find(f->db, "https://x/r", &docid, &related),
			 NI_OK);
	if (!docid)
		fail_msg("the record is not back");
	assert_true(related);
	assert_same_as_fresh(f, "the lister walked again");
	/* Done: the next build looks for no record. */
	char *restore = NULL;
	assert_int_equal(ni_db_get_metadata(f->db, NI_META_RESTORE, &restore),
			 NI_OK);
	assert_string_equal(restore, "");
	free(restore);
}

/*
 * When an article's URL is freed, a changed lister later in the walk
 * writes its record first; an unchanged lister whose key comes before
 * is the one whose record a first build holds.
 */
static void test_related_record_of_the_first_lister(void **state)
{
	struct fixture *f = *state;
	static const char *const r[] = {"https://x/r", NULL};
	article(f, "a.txt", "alpha", "https://x/a", r);
	article(f, "b.txt", "bravo", "https://x/r", NULL);
	article(f, "z.txt", "zulu", "https://x/z", r);
	build_and_compare(f, "first build");
	article(f, "b.txt", "bravo moved", "https://x/b", NULL);
	article(f, "z.txt", "zulu changed", "https://x/z", r);
	build_and_compare(f, "b.txt moved as z.txt changed");
}

static volatile sig_atomic_t stop_now;

/* A file with a warning stops the build (before the next file). */
static void stop_at_warning(void *ctx, const char *path,
			    const struct ni_index_result *res)
{
	(void)ctx;
	(void)path;
	if (res->n_warnings)
		stop_now = 1;
}

/*
 * The same, when the build stops before it can bring back records:
 * the next one finds the record a later lister wrote.
 */
static void test_related_record_of_the_first_lister_after_a_stop(
	void **state)
{
	struct fixture *f = *state;
	static const char *const r[] = {"https://x/r", NULL};
	article(f, "a.txt", "alpha", "https://x/a", r);
	article(f, "b.txt", "bravo", "https://x/r", NULL);
	article(f, "z.txt", "zulu", "https://x/z", r);
	article(f, "zz.txt", "zulu zulu", "https://x/zz", NULL);
	build_and_compare(f, "first build");
	article(f, "b.txt", "bravo moved", "https://x/b", NULL);
	/* Over the limit of words: a warning, and the build stops. */
	article(f, "z.txt", "zulu one two three", "https://x/z", r);
	article(f, "zz.txt", "zulu zulu changed", "https://x/zz", NULL);
	const char *sources[] = {f->src};
	struct ni_build_callbacks cb = {.file = stop_at_warning};
	struct ni_build_options o = {.stop = &stop_now,
				     .max_field_words = 3};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	stop_now = 0;
	assert_int_equal(ni_build(f->db, f->analyzer, sources, 1, &o, &cb,
				  &c, &errmsg), NI_OK);
	ni_buf_release(&errmsg);
	assert_true(c.stopped);
	assert_int_equal(c.updated, 2);
	stop_now = 0;
	build_and_compare(f, "the build after the stop");
}

/* Close the index and open it again, as the next build would. */
static void reopen(struct fixture *f)
{
	assert_int_equal(ni_db_close(f->db, NULL), NI_OK);
	assert_int_equal(ni_db_open(f->db_path, NI_DB_WRITE,
				    ni_analyzer_settings(), &f->db, NULL),
			 NI_OK);
}

/* Tear the sharded index of `f` as a build killed between two shards'
 * commits does: shard 1 a batch ahead of the others. */
static void tear(struct fixture *f)
{
	assert_int_equal(ni_db_close(f->db, NULL), NI_OK);
	char shard[160];
	snprintf(shard, sizeof shard, "%s/shard-1", f->db_path);
	ni_db *db;
	assert_int_equal(ni_db_open(shard, NI_DB_WRITE,
				    ni_analyzer_settings(), &db, NULL), NI_OK);
	assert_int_equal(ni_db_set_metadata(db, "newsindex.batch", "1000"),
			 NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	assert_int_equal(ni_db_open(f->db_path, NI_DB_WRITE,
				    ni_analyzer_settings(), &f->db, NULL),
			 NI_OK);
}

static volatile sig_atomic_t stop_at_once = 1;

/*
 * Torn shards may have lost writes no document tells of: every file is
 * indexed again, by as many builds as it takes (one stopped early
 * leaves the index torn), then the shards agree again.
 */
static void test_torn_shards_index_every_file_again(void **state)
{
	struct fixture *f = *state;
	char name[32];
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "%d.txt", i);
		write_file(f, name, "---\ntitle: torn\n---\n");
	}
	struct seen s = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 6);
	tear(f);

	/* Stopped before any file: still torn. */
	struct ni_build_options stopped = {.stop = &stop_at_once};
	assert_int_equal(build(f, &stopped, &s, &c), NI_OK);
	assert_true(c.stopped);
	assert_int_equal(c.updated + c.unchanged, 0);
	reopen(f);

	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.updated, 6);
	assert_int_equal(c.unchanged, 0);
	reopen(f);
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.unchanged, 6);
	assert_int_equal(c.updated, 0);
	uint64_t docs = 0;
	assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
	assert_int_equal(docs, 6);
}

/* The stored data version the index records; the caller frees it. */
static char *data_version(struct fixture *f)
{
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(f->db, NI_META_DATA, &value),
			 NI_OK);
	return value;
}

/*
 * An index whose documents keep an older stored data (before `image`)
 * is read again in full by the next build, once: a plain `newsindex
 * build` brings it up to date, no --rebuild needed, and a build
 * stopped on the way leaves it to be read again.
 */
static void test_older_stored_data_is_read_again(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", "---\ntitle: alpha\n---\n");
	write_file(f, "b.txt", "---\ntitle: beta\n---\n");
	struct seen s = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 2);
	char *version = data_version(f);
	assert_non_null(version);
	assert_string_equal(version, NI_DATA_VERSION);
	free(version);

	/* As an index written before the key was kept. */
	assert_int_equal(ni_db_set_metadata(f->db, NI_META_DATA, ""), NI_OK);
	assert_int_equal(ni_db_commit(f->db), NI_OK);
	struct ni_build_options stopped = {.stop = &stop_at_once};
	assert_int_equal(build(f, &stopped, &s, &c), NI_OK);
	assert_true(c.stopped);
	reopen(f);
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.updated, 2);
	assert_int_equal(c.unchanged, 0);
	version = data_version(f);
	assert_non_null(version);
	assert_string_equal(version, NI_DATA_VERSION);
	free(version);
	reopen(f);
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.unchanged, 2);
	assert_int_equal(c.updated, 0);
}

/* The number of articles with `word`, counted exactly. */
static uint64_t count_word(struct fixture *f, const char *word)
{
	struct ni_search_options o;
	ni_search_options_init(&o);
	o.limit = 0;
	o.exact_total = true;
	struct ni_results r = {0};
	struct ni_buf errmsg = NI_BUF_INIT;
	assert_int_equal(ni_search(f->db, f->analyzer, word, &o, &r, &errmsg),
			 NI_OK);
	uint64_t total = r.total;
	ni_results_clear(&r);
	ni_buf_release(&errmsg);
	return total;
}

/*
 * A URL two files share is the first file's in the walk (docs/schema.md),
 * however a parallel first build's writers race: the later file may be
 * read, and claim the URL, first in another writer.  One writer and
 * several must give the same index.
 */
static void test_parallel_build_keeps_the_first_file(void **state)
{
	struct fixture *f = *state;
	enum { PAIRS = 1200 };
	char name[32], text[128];
	for (int k = 0; k < PAIRS; k++) {
		for (int copy = 0; copy < 2; copy++) {
			snprintf(name, sizeof name, "%04d-%c.txt", k,
				 "ab"[copy]);
			snprintf(text, sizeof text, "---\ntitle: %s copy\n"
				 "webUrl: https://x.example/%d\n---\n",
				 copy ? "later" : "earlier", k);
			write_file(f, name, text);
		}
	}
	struct seen s = {0};
	struct ni_build_options o = {.jobs = 4};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, PAIRS);
	assert_int_equal(c.duplicates, PAIRS);
	uint64_t docs = 0;
	assert_int_equal(ni_db_doc_count(f->db, &docs), NI_OK);
	assert_int_equal(docs, PAIRS);
	assert_int_equal(count_word(f, "later"), 0);
	assert_int_equal(count_word(f, "earlier"), PAIRS);
}

/* What the duplicate callback saw of a build of triples "K-a/b/c". */
struct dups {
	unsigned long calls;
	unsigned long not_first;     /* said of a file other than a "-a" */
	char example[256];
};

static void on_duplicate(void *ctx, const char *path, const char *key,
			 const char *first_path)
{
	struct dups *d = ctx;
	(void)key;
	const char *first = base_name(first_path);
	d->calls++;
	if (strlen(first) < 6 || strcmp(first + strlen(first) - 6, "-a.txt"))
		snprintf(d->example, sizeof d->example, "%s: duplicate of %s",
			 base_name(path), first);
	d->not_first += strlen(first) < 6 ||
			strcmp(first + strlen(first) - 6, "-a.txt") != 0;
}

/*
 * A parallel build reports each duplicate once, as its count says, and
 * of the file that keeps the URL, as one writer does: with three copies
 * read in the reverse of the walk's order (the first is the longest to
 * read), the last is a duplicate of the first, not of the second, which
 * held the URL for a while.
 */
static void test_parallel_build_reports_the_winner(void **state)
{
	struct fixture *f = *state;
	/* As many files as a parallel build wants, in triples. */
	enum { TRIPLES = 700, PAD = 6000 };
	char *pad = malloc(PAD);
	assert_non_null(pad);
	for (int i = 0; i < PAD; i++)
		pad[i] = i % 6 == 5 ? ' ' : "abcde"[i % 6];
	const int pad_len[3] = {PAD, PAD / 10, 0};
	char name[32], text[PAD + 128];
	for (int k = 0; k < TRIPLES; k++)
		for (int copy = 0; copy < 3; copy++) {
			snprintf(name, sizeof name, "%04d-%c.txt", k,
				 "abc"[copy]);
			snprintf(text, sizeof text, "---\ntitle: copy %c\n"
				 "excerpt: x %.*s\n"
				 "webUrl: https://x.example/%d\n---\n",
				 "abc"[copy], pad_len[copy], pad, k);
			write_file(f, name, text);
		}
	free(pad);
	struct dups d = {0};
	const char *sources[] = {f->src};
	struct ni_build_callbacks cb = {NULL, on_duplicate, NULL, NULL, &d};
	struct ni_build_options o = {.jobs = 3};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	assert_int_equal(ni_build(f->db, f->analyzer, sources, 1, &o, &cb,
				  &c, &errmsg), NI_OK);
	ni_buf_release(&errmsg);
	assert_int_equal(c.added, TRIPLES);
	assert_int_equal(c.duplicates, 2 * TRIPLES);
	assert_int_equal(d.calls, c.duplicates);
	if (d.not_first)
		fail_msg("%lu duplicates not of the first file, e.g. %s",
			 d.not_first, d.example);
}

/*
 * In a parallel first build, a later file that claimed a URL before
 * the earlier one took it goes (drop_lost_files) with its related
 * records; one it had kept from being written by another article of
 * its part comes back there.  Triples "K-a" (slow to read), "K-b" with
 * a's URL, listing a related URL, and "K-c" listing it too: with two
 * writers, b and c are stored by one while the other reads a.
 */
static void restores_records_of_lost_files(struct fixture *f,
					   unsigned long part_files)
{
	enum { TRIPLES = 700, PAD = 20000 };
	char *pad = malloc(PAD + 1);
	assert_non_null(pad);
	for (int i = 0; i < PAD; i++)
		pad[i] = i % 6 == 5 ? ' ' : "abcde"[i % 6];
	pad[PAD] = '\0';
	char name[32], text[PAD + 256];
	for (int k = 0; k < TRIPLES; k++) {
		snprintf(name, sizeof name, "%04d-a.txt", k);
		snprintf(text, sizeof text, "---\ntitle: first\nexcerpt: x %s\n"
			 "webUrl: https://x.example/%d\n---\n", pad, k);
		write_file(f, name, text);
		/* b with a's URL, c with its own, both list the record. */
		for (int copy = 0; copy < 2; copy++) {
			snprintf(name, sizeof name, "%04d-%c.txt", k,
				 "bc"[copy]);
			snprintf(text, sizeof text, "---\ntitle: %s\n"
				 "webUrl: https://x.example/%d%s\nrelated:\n"
				 "  - {title: record, "
				 "webUrl: https://r.example/%d}\n---\n",
				 copy ? "third" : "second", k,
				 copy ? "-c" : "", k);
			write_file(f, name, text);
		}
	}
	free(pad);
	struct seen s = {.parts_of = f->db_path, .last_part = -1};
	struct ni_build_options o = {.jobs = 2, .part_files = part_files};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, 2 * TRIPLES);
	assert_int_equal(c.duplicates, TRIPLES);
	/* 2,100 files: a part a writer (part_files 0: 100,000), or some 7
	 * parts of 300 (the last progress call comes at 2,048 files). */
	if (part_files && s.last_part < 4)
		fail_msg("parts of %lu files: the last seen is part %d",
			 part_files, s.last_part);
	else if (!part_files && s.last_part != 1)
		fail_msg("one part a writer: the last seen is part %d",
			 s.last_part);
	unsigned missing = 0;
	for (int k = 0; k < TRIPLES; k++) {
		char url[64];
		snprintf(url, sizeof url, "https://r.example/%d", k);
		missing += find(f, url) == 0;
	}
	if (missing)
		fail_msg("%u related records of %d missing", missing,
			 TRIPLES);
	assert_same_as_fresh(f, "a parallel first build");
}

static void test_parallel_build_restores_records_of_lost_files(
	void **state)
{
	restores_records_of_lost_files(*state, 0);
}

/*
 * A writer starts a new part when its part has `part_files` files
 * (each commit costs more as a part's B-trees grow): files that lose
 * their URL to an earlier one are taken out of the part they went to,
 * which their writer has left, and the merge of all the parts holds
 * what one writer would have written.
 */
static void test_parallel_build_in_parts_of_bounded_size(void **state)
{
	restores_records_of_lost_files(*state, 300);
}

/*
 * "qv" and `k` (under 13^3) in three letters of a to m: a word of its
 * own, and the only one two deletions from itself with "xy" after it.
 */
static void word_of(int k, char word[6])
{
	snprintf(word, 6, "qv%c%c%c", 'a' + k / 169, 'a' + k / 13 % 13,
		 'a' + k % 13);
}

/*
 * The spelling data of a parallel build is written once, by its first
 * part, at its close (NI_DB_PART, ni_db_give_words): still every
 * batch's words of every part, counted as one writer counts them.
 * "wender" is one letter from both "lender", in the first 600 files,
 * and "tender", in the last 100 (the last batch of each part): the
 * more frequent one is offered.  And each file has a word of its own,
 * which two added letters must not hide, whichever part read it.
 */
static void test_parallel_build_spells_as_one_writer(void **state)
{
	struct fixture *f = *state;
	enum { FILES = 2100, LENDERS = 600, TENDERS = 100 };
	char name[32], text[128], word[6];
	for (int k = 0; k < FILES; k++) {
		snprintf(name, sizeof name, "%04d.txt", k);
		word_of(k, word);
		snprintf(text, sizeof text, "---\ntitle: %s %s\n"
			 "webUrl: https://x.example/%d\n---\n",
			 k < LENDERS ? "lender" : k >= FILES - TENDERS
			 ? "tender" : "other", word, k);
		write_file(f, name, text);
	}
	struct seen s = {0};
	struct ni_build_options o = {.jobs = 2, .commit_every = 100};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, FILES);
	struct ni_buf fix = NI_BUF_INIT;
	assert_int_equal(ni_db_spelling(f->db, "wender", 6, 2, &fix), NI_OK);
	assert_string_equal(ni_buf_str(&fix), "lender");
	int unknown = 0;
	for (int k = 0; k < FILES; k++) {
		char typo[8];
		word_of(k, word);
		snprintf(typo, sizeof typo, "%sxy", word);
		ni_buf_reset(&fix);
		assert_int_equal(ni_db_spelling(f->db, typo, 7, 2, &fix),
				 NI_OK);
		unknown += strcmp(ni_buf_str(&fix), word) != 0;
	}
	if (unknown)
		fail_msg("%d of %d files' own words not in the spelling "
			 "data", unknown, FILES);
	ni_buf_release(&fix);
}

/*
 * A parallel first build keeps its parts open to the merge: however
 * many files, it starts at most NI_BUILD_MAX_PARTS for each writer
 * (and one more each, its last), larger ones when files / part_files
 * would be more.  2,100 files in parts of 10 would be 210 parts.
 */
static void test_parallel_build_parts_are_bounded(void **state)
{
	struct fixture *f = *state;
	enum { FILES = 2100, JOBS = 2 };
	char name[32], text[128];
	for (int k = 0; k < FILES; k++) {
		snprintf(name, sizeof name, "%04d.txt", k);
		snprintf(text, sizeof text, "---\ntitle: file %d\n"
			 "webUrl: https://x.example/%d\n---\n", k, k);
		write_file(f, name, text);
	}
	struct seen s = {.parts_of = f->db_path, .last_part = -1};
	struct ni_build_options o = {.jobs = JOBS, .part_files = 10};
	struct ni_build_counts c;
	assert_int_equal(build(f, &o, &s, &c), NI_OK);
	assert_int_equal(c.added, FILES);
	/* Parts are numbered from 0. */
	int most = JOBS * (NI_BUILD_MAX_PARTS + 1) - 1;
	if (s.last_part < 4 || s.last_part > most)
		fail_msg("the last part seen is part %d, not 4 to %d",
			 s.last_part, most);
	assert_same_as_fresh(f, "a parallel first build in parts");
}

/* ---- builds of some paths (ni_build_paths, ni_updater) ---------------- */

/* The updater of `f`'s source, after a whole build. */
static ni_updater *start_updater(struct fixture *f)
{
	const char *sources[] = {f->src};
	struct ni_build_callbacks cb = {0};
	struct ni_build_options o = {0};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_updater *u;
	assert_int_equal(ni_updater_new(f->db, f->analyzer, sources, 1, &o,
					&cb, &u), NI_OK);
	assert_int_equal(ni_updater_build(u, &c, &errmsg), NI_OK);
	ni_buf_release(&errmsg);
	return u;
}

/*
 * Build the paths (names under f->src, NULL-ended) with `u`, compare
 * with a first build, and return the duplicates it reported.
 */
static unsigned long update(struct fixture *f, ni_updater *u,
			    const char *when, ...)
{
	char paths[8][256];
	const char *list[8];
	size_t n = 0;
	va_list ap;
	va_start(ap, when);
	for (const char *name; (name = va_arg(ap, const char *)); n++) {
		assert_true(n < 8);
		snprintf(paths[n], sizeof paths[n], "%s/%s", f->src, name);
		list[n] = paths[n];
	}
	va_end(ap);
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	assert_int_equal(ni_updater_paths(u, list, n, &c, &errmsg), NI_OK);
	ni_buf_release(&errmsg);
	assert_same_as_fresh(f, when);
	return c.duplicates;
}

/*
 * A build of the paths that changed makes the index a whole build
 * would: the files read claim URLs in the walk's order, whatever the
 * paths' order; a path under another is read once; what is gone goes;
 * hidden files and other names are not read; a duplicate takes its URL
 * once the file that had it goes.
 */
static void test_paths_as_a_whole_build(void **state)
{
	struct fixture *f = *state;
	char path[256];
	article(f, "a.txt", "alpha", "https://x/a", NULL);
	article(f, "b.txt", "bravo", "https://x/b", NULL);
	snprintf(path, sizeof path, "%s/sub", f->src);
	assert_int_equal(mkdir(path, 0755), 0);
	article(f, "sub/c.txt", "charlie", "https://x/c", NULL);
	ni_updater *u = start_updater(f);

	/* "m.txt" comes before "sub/..." in a walk: it keeps the URL. */
	article(f, "sub/n.txt", "november", "https://x/m", NULL);
	article(f, "m.txt", "mike", "https://x/m", NULL);
	assert_int_equal(update(f, u, "two new files, one URL", "sub/n.txt",
				"m.txt", NULL), 1);
	char sub2[256];
	snprintf(sub2, sizeof sub2, "%s/sub2", f->src);
	assert_int_equal(mkdir(sub2, 0755), 0);
	article(f, "sub2/d.txt", "delta", "https://x/d", NULL);
	assert_int_equal(update(f, u, "a folder and a file in it",
				"sub2/d.txt", "sub2", NULL), 0);
	remove_file(f, "a.txt");
	article(f, ".e.txt", "echo", "https://x/e", NULL);
	article(f, "e.txt.swp", "echo", "https://x/e", NULL);
	update(f, u, "a file gone, hidden and swap files", "a.txt", ".e.txt",
	       "e.txt.swp", NULL);
	/* An unchanged file keeps its URL. */
	article(f, "y.txt", "yankee", "https://x/b", NULL);
	assert_int_equal(update(f, u, "a new file with an unchanged one's "
				"URL", "y.txt", NULL), 1);
	/* m.txt goes: sub/n.txt, its duplicate, has the URL now, before
	 * z.txt, later in the walk. */
	remove_file(f, "m.txt");
	article(f, "z.txt", "zulu", "https://x/m", NULL);
	assert_int_equal(update(f, u, "the duplicate's URL free", "z.txt",
				"m.txt", NULL), 1);
	assert_int_equal(ni_updater_duplicates(u), 2);
	char away[256];
	snprintf(away, sizeof away, "%s/away", f->dir);
	assert_int_equal(rename(path, away), 0);
	update(f, u, "a folder moved out", "sub", NULL);
	/* A missing source deletes nothing, as a whole build. */
	snprintf(path, sizeof path, "%s/src-away", f->dir);
	assert_int_equal(rename(f->src, path), 0);
	const char *src[] = {""};
	struct ni_build_counts c;
	struct ni_buf errmsg = NI_BUF_INIT;
	src[0] = f->src;
	assert_int_equal(ni_updater_paths(u, src, 1, &c, &errmsg), NI_OK);
	assert_int_equal(c.deleted, 0);
	assert_int_equal(rename(path, f->src), 0);
	assert_same_as_fresh(f, "the source back");
	ni_buf_release(&errmsg);
	ni_updater_free(u);
}

/* The next number of a fixed sequence (an LCG): the same steps each run. */
static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/*
 * Random changes to a dozen files in two folders (URLs shared, so
 * duplicates come and go; related records listed; renames; the folder
 * moved out and back), each step built by the updater from the paths
 * it touched and, beside it, by a whole incremental build of another
 * index: both hold the same documents after every step.
 */
static void test_paths_random_steps(void **state)
{
	struct fixture *f = *state;
	char path[256], other[256], db2_path[160];
	snprintf(path, sizeof path, "%s/sub", f->src);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(db2_path, sizeof db2_path, "%s/whole", f->dir);
	size_t shards = ni_db_shard_count(f->db);
	if (shards > 1)
		assert_int_equal(ni_db_create_sharded(db2_path, shards,
						      ni_analyzer_settings(),
						      NULL), NI_OK);
	ni_db *db2;
	assert_int_equal(ni_db_open(db2_path, NI_DB_WRITE,
				    ni_analyzer_settings(), &db2, NULL), NI_OK);
	ni_updater *u = start_updater(f);
	const char *sources[] = {f->src};
	unsigned seed = 17;
	for (int step = 0; step < 150; step++) {
		char names[4][32];
		const char *list[4];
		size_t n = 0;
		for (unsigned ops = 1 + next_random(&seed) % 3; ops; ops--) {
			unsigned r = next_random(&seed);
			char *name = names[n];
			struct stat st;
			snprintf(path, sizeof path, "%s/sub", f->src);
			bool in_sub = r % 2 && stat(path, &st) == 0;
			snprintf(name, 32, "%s%u.txt", in_sub ? "sub/g" : "f",
				 (r >> 1) % 6);
			snprintf(path, sizeof path, "%s/%s", f->src, name);
			unsigned what = (r >> 4) % 8;
			if (what < 4) {
				char url[32], rel[32];
				const char *related[] = {rel, NULL};
				snprintf(url, sizeof url, "https://x/%u",
					 (r >> 7) % 5);
				snprintf(rel, sizeof rel, "https://x/%u",
					 (r >> 10) % 5);
				article(f, name, name, what ? url : NULL,
					(r >> 13) % 2 ? related : NULL);
			} else if (what < 6) {
				unlink(path);
			} else if (what == 6) {
				snprintf(names[++n], 32, "f%u.txt",
					 (r >> 7) % 6);
				snprintf(other, sizeof other, "%s/%s", f->src,
					 names[n]);
				rename(path, other);
			} else {
				/* The folder moved out, or back. */
				snprintf(name, 32, "sub");
				snprintf(path, sizeof path, "%s/sub", f->src);
				snprintf(other, sizeof other, "%s/away",
					 f->dir);
				if (rename(path, other) != 0)
					assert_int_equal(rename(other, path),
							 0);
			}
			n++;
			if (n >= 3)
				break;
		}
		for (size_t i = 0; i < n; i++) {
			static char full[4][256];
			snprintf(full[i], sizeof full[i], "%s/%s", f->src,
				 names[i]);
			list[i] = full[i];
		}
		struct ni_build_counts c;
		struct ni_buf errmsg = NI_BUF_INIT;
		struct ni_build_options o = {0};
		struct ni_build_callbacks cb = {0};
		assert_int_equal(ni_updater_paths(u, list, n, &c, &errmsg),
				 NI_OK);
		assert_int_equal(ni_build(db2, f->analyzer, sources, 1, &o,
					  &cb, &c, &errmsg), NI_OK);
		ni_buf_release(&errmsg);
		struct ni_buf want = NI_BUF_INIT, got = NI_BUF_INIT;
		all_documents(db2, &want);
		all_documents(f->db, &got);
		if (strcmp(ni_buf_str(&want), ni_buf_str(&got)))
			fail_msg("step %d: the updated index holds\n%sa whole "
				 "build holds\n%s", step, ni_buf_str(&got),
				 ni_buf_str(&want));
		ni_buf_release(&want);
		ni_buf_release(&got);
	}
	ni_updater_free(u);
	assert_int_equal(ni_db_close(db2, NULL), NI_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_vanished_and_replaced_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_as_a_whole_build,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_as_a_whole_build,
						setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(test_paths_random_steps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_random_steps,
						setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_progress_counts_files_to_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_word_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_known_twice,
						setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_new_url_keeps_related_records, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_older_stored_data_is_read_again, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_older_stored_data_is_read_again, setup_sharded,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_torn_shards_index_every_file_again, setup_sharded,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_keeps_the_first_file, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_keeps_the_first_file,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_reports_the_winner, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_spells_as_one_writer, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_spells_as_one_writer,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_stamp_compares_ctime_and_inode, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_stamp_compares_ctime_and_inode, setup_sharded,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_racy_stamp_compares_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_racy_stamp_compares_bytes, setup_sharded,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_unindexable_file_loses_its_article, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_unindexable_file_loses_its_article,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_taken_key_drops_the_old_article,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_taken_key_drops_the_old_article,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_the_article_goes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_the_article_goes,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_a_lister_goes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_a_lister_goes,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_its_key_is_taken,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_its_key_is_taken,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_restores_records_of_lost_files,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_restores_records_of_lost_files,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_in_parts_of_bounded_size,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_parts_are_bounded, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_parallel_build_in_parts_of_bounded_size,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_its_lister_is_walked,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_back_when_its_lister_is_walked,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_of_the_first_lister, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_of_the_first_lister,
			setup_sharded, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_of_the_first_lister_after_a_stop,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_related_record_of_the_first_lister_after_a_stop,
			setup_sharded, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
