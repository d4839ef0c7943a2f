/*
 * fields_doc - the field table (include/ni_fields.h) as the documents
 * show it, so that they are written from it, not beside it.
 *
 *   fields_doc terms     docs/schema.md's table of term prefixes
 *   fields_doc filters   docs/query-syntax.md's table of filters
 *   fields_doc list      the names typed in queries, as error
 *                        messages list them ("title, topic, ...")
 *   fields_doc names     the same, one a line
 *   fields_doc facets    the facets' names, one a line
 *
 * tests/fields_docs.py puts the tables between the marks of each
 * document (`ninja -C build fields-docs`), and fails the `fields_docs`
 * test when a document differs from what this prints.  Not installed.
 */
#include <stdio.h>
#include <string.h>

#include "ni_fields.h"

/* "`name:`", and "(or `alias:`)" after it when it has one. */
static void print_name(const struct ni_field_spec *f)
{
	printf("`%s:`", f->name);
	if (f->alias)
		printf(" (or `%s:`)", f->alias);
}

/* The query fields that read a row's terms: its own, and any `also`. */
static void print_searched_by(const struct ni_field_spec *row,
			      const struct ni_field_spec *all, size_t n)
{
	if (row->kind == NI_KIND_TEXT && !row->name) {
		fputs("any word", stdout);
		return;
	}
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const struct ni_field_spec *f = &all[i];
		bool reads = f == row ||
			     (row->kind == NI_KIND_TERM && f->also >= 0 &&
			      f->also == row->filter);
		if (!f->name || !reads)
			continue;
		fputs(first ? "" : ", ", stdout);
		print_name(f);
		first = false;
	}
}

static void print_terms(void)
{
	size_t n;
	const struct ni_field_spec *all = ni_field_specs(&n);
	puts("| prefix | from | searched by | kind |");
	puts("| --- | --- | --- | --- |");
	for (size_t i = 0; i < n; i++) {
		const struct ni_field_spec *f = &all[i];
		if (!f->prefix)
			continue;
		if (*f->prefix)
			printf("| `%s` | %s | ", f->prefix, f->source);
		else
			printf("| (none) | %s | ", f->source);
		print_searched_by(f, all, n);
		if (f->kind != NI_KIND_TEXT) {
			printf(" | boolean, %s |\n",
			       f->folded ? "folded" : "as written");
			continue;
		}
		puts(" | free text, with positions |");
		printf("| `%s` | %s | ", f->stem_prefix, f->stems);
		print_searched_by(f, all, n);
		puts(" | free text: stems, no positions |");
	}
}

static void print_filters(void)
{
	size_t n;
	const struct ni_field_spec *all = ni_field_specs(&n);
	puts("| field | matches | value |");
	puts("| --- | --- | --- |");
	for (size_t i = 0; i < n; i++) {
		const struct ni_field_spec *f = &all[i];
		if (!f->name || f->kind == NI_KIND_TEXT)
			continue;
		fputs("| ", stdout);
		print_name(f);
		const char *how = f->kind != NI_KIND_TERM || f->read ? ""
				  : f->folded ? "folded: "
				  : f->filter == NI_FILTER_URL
				  ? "as written, or as a link is shared "
				    "(tracking parameters, http, `www.`; "
				    "see below): "
				  : "exactly as typed, case and all: ";
		printf(" | %s | %s%s |\n", f->help, how, f->values);
	}
}

static void print_names(void)
{
	size_t n;
	const struct ni_field_spec *all = ni_field_specs(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i].name)
			puts(all[i].name);
}

int main(int argc, char **argv)
{
	const char *what = argc == 2 ? argv[1] : "";
	char list[256];
	if (!strcmp(what, "terms")) {
		print_terms();
	} else if (!strcmp(what, "filters")) {
		print_filters();
	} else if (!strcmp(what, "list")) {
		ni_field_names(list, sizeof list);
		puts(list);
	} else if (!strcmp(what, "names")) {
		print_names();
	} else if (!strcmp(what, "facets")) {
		for (int f = 0; f < NI_FACET_COUNT; f++)
			puts(ni_facet_spec((enum ni_facet)f)->facet_name);
	} else {
		fputs("usage: fields_doc terms|filters|list|names|facets\n",
		      stderr);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
