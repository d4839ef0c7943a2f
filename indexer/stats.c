/*
 * newsindex stats - show what an index holds: as 'key: value' lines, as
 * one JSON object (--json, docs/json.md), or the values of one field
 * (--values FIELD: what shell completion offers after "topic:").
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_control.h"
#include "ni_fields.h"
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"

const char STATS_USAGE[] =
	"usage: newsindex stats [--db PATH] [--json] [--values FIELD]\n"
	"\n"
	"Print the index's path, its numbers of articles and related records,\n"
	"its last build and sources, and the schema and analyzer it was built\n"
	"with, one 'key: value' line each.  For a stub file of shards\n"
	"(docs/scaling.md): the totals, then a 'shard:' line for each shard\n"
	"and a 'missing:' line for each one that cannot be opened (exit\n"
	"status 1).\n"
	"\n"
	"  --db PATH       the index (as for build)\n"
	"  --json          the same as one JSON object (docs/json.md)\n"
	"  --values FIELD  instead, the values FIELD has in the index (topic,\n"
	"                  provider or month), one a line as written, most\n"
	"                  frequent first; with --json, with their counts.\n"
	"                  Values with control characters (or not UTF-8)\n"
	"                  are left out of the lines, escaped in JSON\n"
	"  -h, --help      show this help\n";

/* What stats prints, as one JSON object: the text form is made from it. */
static json_object *metadata_json(ni_db *db, const char *key)
{
	char *value = NULL;
	json_object *out = NULL;
	if (ni_db_get_metadata(db, key, &value) == NI_OK && *value)
		out = json_object_new_string(value);
	free(value);
	return out;
}

static void add_counts(json_object *obj, uint64_t docs, uint64_t related)
{
	json_object_object_add(obj, "articles",
			       json_object_new_int64((int64_t)(docs -
							       related)));
	json_object_object_add(obj, "related_records",
			       json_object_new_int64((int64_t)related));
}

/* The shards of a stub and those that cannot be opened; the exit code. */
static int shards_json(ni_db *db, json_object *root)
{
	int code = NI_EXIT_OK;
	json_object *shards = json_object_new_array();
	json_object *missing = json_object_new_array();
	for (size_t i = 0; i < ni_db_shard_count(db); i++) {
		struct ni_shard_info info;
		if (ni_db_shard_info(db, i, &info) != NI_OK) {
			report_error("%s", ni_db_errmsg(db));
			code = NI_EXIT_FAILED;
			continue;
		}
		json_object *shard = json_object_new_object();
		json_object_object_add(shard, "name",
				       json_object_new_string(info.name));
		add_counts(shard, info.docs, info.related);
		json_object_array_add(shards, shard);
	}
	for (size_t i = 0; i < ni_db_missing_count(db); i++) {
		json_object_array_add(missing, json_object_new_string(
						       ni_db_missing(db, i)));
		code = NI_EXIT_FAILED;
	}
	json_object_object_add(root, "shards", shards);
	json_object_object_add(root, "missing_shards", missing);
	return code;
}

/* The sources a bare build walks: each shard has its own, so none. */
static json_object *sources_json(ni_db *db)
{
	json_object *list = json_object_new_array();
	char **sources;
	size_t n;
	if (ni_db_shard_count(db) || ni_build_sources(db, &sources, &n) != NI_OK)
		return list;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, json_object_new_string(sources[i]));
	ni_sources_free(sources, n);
	return list;
}

/* Everything stats says about `db`; *code gets the exit code. */
static json_object *stats_json(ni_db *db, const char *path, int *code)
{
	json_object *root = json_object_new_object();
	uint64_t total = 0, related = 0;
	ni_db_doc_count(db, &total);
	ni_db_filter_count(db, NI_FILTER_RELATED, "", 0, &related);
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "index", json_object_new_string(path));
	add_counts(root, total, related);
	/* A stub's last builds are each shard's own. */
	json_object_object_add(root, "last_build",
			       ni_db_shard_count(db) ? NULL
			       : metadata_json(db, NI_META_LAST_BUILD));
	json_object_object_add(root, "sources", sources_json(db));
	json_object_object_add(root, "schema",
			       metadata_json(db, NI_META_SCHEMA));
	json_object_object_add(root, "analyzer",
			       metadata_json(db, NI_META_ANALYZER));
	json_object_object_add(root, "stemmer",
			       metadata_json(db, NI_META_STEMMER));
	*code = NI_EXIT_OK;
	if (ni_db_shard_count(db) || ni_db_missing_count(db))
		*code = shards_json(db, root);
	else {
		json_object_object_add(root, "shards", NULL);
		json_object_object_add(root, "missing_shards",
				       json_object_new_array());
	}
	return root;
}

static const char *string_of(json_object *obj, const char *key)
{
	json_object *value = json_object_object_get(obj, key);
	return value ? json_object_get_string(value) : NULL;
}

/* string_of for a key the report always has: "" rather than a NULL
 * that printf's %s must never see. */
static const char *text_of(json_object *obj, const char *key)
{
	const char *value = string_of(obj, key);
	return value ? value : "";
}

static long long number_of(json_object *obj, const char *key)
{
	return (long long)json_object_get_int64(
		json_object_object_get(obj, key));
}

/* `label: value` when the object has the key. */
static void print_line(json_object *obj, const char *label, const char *key)
{
	const char *value = string_of(obj, key);
	if (value)
		printf("%s: %s\n", label, value);
}

/* The text form: one 'key: value' line each, in the order of old. */
static void print_stats(json_object *root)
{
	printf("index: %s\narticles: %lld\nrelated records: %lld\n",
	       text_of(root, "index"), number_of(root, "articles"),
	       number_of(root, "related_records"));
	json_object *shards = json_object_object_get(root, "shards");
	json_object *missing = json_object_object_get(root, "missing_shards");
	if (shards) {  /* a stub of shards */
		size_t n = json_object_array_length(shards);
		printf("shards: %zu\n",
		       n + (missing ? json_object_array_length(missing) : 0));
		for (size_t i = 0; i < n; i++) {
			json_object *s = json_object_array_get_idx(shards, i);
			printf("shard: %s: articles %lld, related records "
			       "%lld\n", text_of(s, "name"),
			       number_of(s, "articles"),
			       number_of(s, "related_records"));
		}
		for (size_t i = 0; missing &&
				   i < json_object_array_length(missing); i++)
			printf("missing: %s\n", json_object_get_string(
				       json_object_array_get_idx(missing, i)));
	}
	print_line(root, "last build", "last_build");
	json_object *sources = json_object_object_get(root, "sources");
	for (size_t i = 0; i < json_object_array_length(sources); i++)
		printf("source: %s\n", json_object_get_string(
			       json_object_array_get_idx(sources, i)));
	print_line(root, "schema", "schema");
	print_line(root, "analyzer", "analyzer");
	print_line(root, "stemmer", "stemmer");
}

/*
 * The values of `facet` over every document, most frequent first, as
 * lines or (json) one object; the exit code.
 */
static int print_values(ni_db *db, const char *path, enum ni_facet facet,
			bool json)
{
	ni_query *all = NULL;
	ni_mset *mset = NULL;
	struct ni_search_params params = {
		.facets = 1u << facet,
	};
	const char *name = ni_facet_spec(facet)->facet_name;
	ni_status status = ni_query_match_all(&all);
	if (status == NI_OK)
		status = ni_db_search(db, all, &params, &mset);
	ni_query_free(all);
	if (status != NI_OK) {
		report_error("cannot list the values of %s in %s: %s",
			     name, path,
			     ni_db_errmsg(db));
		return NI_EXIT_FAILED;
	}
	const struct ni_facet_count *counts;
	size_t n;
	ni_mset_facet(mset, facet, &counts, &n);
	if (json) {
		json_object *root = json_object_new_object();
		json_object *values = json_object_new_array();
		json_object_object_add(root, "version", json_object_new_int(1));
		json_object_object_add(root, "index",
				       json_object_new_string(path));
		json_object_object_add(root, "field",
				       json_object_new_string(name));
		for (size_t i = 0; i < n; i++) {
			json_object *v = json_object_new_object();
			json_object_object_add(v, "value",
				json_object_new_string(counts[i].value));
			json_object_object_add(v, "count",
				json_object_new_int64(
					(int64_t)counts[i].count));
			json_object_array_add(values, v);
		}
		json_object_object_add(root, "values", values);
		ni_cli_put_json_line(stdout, json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PLAIN |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (size_t i = 0; i < n; i++)
			if (!ni_has_control(counts[i].value))
				puts(counts[i].value);
	}
	ni_mset_free(mset);
	return NI_EXIT_OK;
}

/* --values FIELD: the facet that counts it (ni_fields.h), or -1, said. */
static int value_field(const char *name)
{
	int facet = ni_facet_named(name, strlen(name));
	if (facet >= 0)
		return facet;
	/* "topic, provider, month" said "topic, provider or month". */
	char names[80];
	ni_facet_names(names, sizeof names);
	char *last = strrchr(names, ',');
	usage_error("stats", "--values: '%s' is not %.*s%s%s", name,
		    last ? (int)(last - names) : (int)strlen(names), names,
		    last ? " or" : "", last ? last + 1 : "");
	return -1;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"values", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db_flag = NULL;
	bool json = false;
	int field = -1;  /* the facet --values lists; none: the stats */
	int opt;
	while ((opt = next_option(argc, argv, "h", longopts)) != -1) {
		if (opt == 'd') {
			db_flag = optarg;
		} else if (opt == 'j') {
			json = true;
		} else if (opt == 'v') {
			if ((field = value_field(optarg)) < 0)
				return NI_EXIT_USAGE;
		} else if (opt == 'h') {
			fputs(STATS_USAGE, stdout);
			return NI_EXIT_OK;
		} else {
			return NI_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("stats", "stats takes no arguments but "
				   "options: '%s'", argv[optind]);
	/* Read even with --db: a broken file must not go unnoticed. */
	struct ni_config config = {0};
	int code = load_config(&config);
	if (code >= 0)
		return code;
	struct ni_buf path = NI_BUF_INIT;
	ni_status status = ni_cli_db_path(db_flag, config.db, &path);
	ni_config_clear(&config);
	if (status != NI_OK) {
		report_error("no index path: use --db PATH, set NEWSINDEX_DB "
			     "or HOME, or db in the config file");
		return NI_EXIT_USAGE;
	}
	ni_db *db = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	/* Partial: a shard down must not hide the others' numbers. */
	status = ni_db_open(path.data, NI_DB_READ_PARTIAL,
			    ni_analyzer_settings(), &db, &detail);
	if (status != NI_OK) {
		code = report_open_failure(path.data, status,
					   ni_buf_str(&detail));
	} else if (field >= 0) {
		code = print_values(db, path.data, (enum ni_facet)field, json);
	} else {
		json_object *root = stats_json(db, path.data, &code);
		if (json)
			ni_cli_put_json_line(stdout,
				json_object_to_json_string_ext(
					root, JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			print_stats(root);
		json_object_put(root);
	}
	ni_buf_release(&detail);
	ni_db_close(db, NULL);
	ni_buf_release(&path);
	return code;
}
