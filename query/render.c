/* How newsquery shows results: see render.h and docs/json.md. */
#include "render.h"

#include <json-c/json.h>
#include <string.h>
#include <unicode/utf8.h>

#include "ni_article.h"
#include "ni_snippet.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define UNDERLINE "\033[4m"
#define RESET "\033[0m"

/* JSON schema version of the output; bump it with docs/json.md. */
#define JSON_VERSION 1

static const char *style(const struct render_context *ctx, const char *code)
{
	return ctx->color ? code : "";
}

/*
 * Print `text` indented, breaking lines at spaces so none is wider than
 * ctx->width columns (a word longer than a line is left whole), and
 * between any two wide characters, since CJK text has no spaces.
 */
static void print_wrapped(FILE *out, const struct render_context *ctx,
			  const char *text, unsigned indent)
{
	unsigned width = ctx->width > indent + 20 ? ctx->width - indent : 0;
	int32_t len = (int32_t)strlen(text), i = 0;
	unsigned col = 0;
	fprintf(out, "%*s", (int)indent, "");
	while (i < len) {
		/* The next piece: one wide character, or a run up to a space. */
		int32_t start = i, end = i;
		unsigned piece_cols = 0;
		UChar32 c;
		U8_NEXT(text, end, len, c);
		piece_cols = ni_char_columns(c);
		if (c != ' ' && piece_cols < 2) {
			int32_t next = end;
			while (next < len) {
				int32_t at = next;
				U8_NEXT(text, next, len, c);
				unsigned w = ni_char_columns(c);
				if (c == ' ' || w == 2) {
					next = at;
					break;
				}
				piece_cols += w;
			}
			end = next;
		}
		i = end;
		if (text[start] == ' ') {
			if (col > 0 && width && col + 1 >= width) {
				fprintf(out, "\n%*s", (int)indent, "");
				col = 0;
			} else if (col > 0) {
				fputc(' ', out);
				col++;
			}
			continue;
		}
		if (width && col > 0 && col + piece_cols > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = 0;
		}
		fwrite(text + start, 1, (size_t)(end - start), out);
		col += piece_cols;
	}
	fputc('\n', out);
}

static void print_meta(FILE *out, const struct render_context *ctx,
		       const struct ni_docdata *doc)
{
	const char *sep = "";
	fprintf(out, "    %s", style(ctx, DIM));
	if (doc->provider_name || doc->provider_domain) {
		fputs(doc->provider_name ? doc->provider_name
					 : doc->provider_domain, out);
		sep = " · ";
	}
	if (doc->date.present) {
		char date[21];
		ni_format_iso8601(doc->date.epoch, date);
		fprintf(out, "%s%.10s", sep, date);
		sep = " · ";
	}
	if (doc->quality.present)
		fprintf(out, "%squality %g", sep, doc->quality.value);
	fprintf(out, "%s\n", style(ctx, RESET));
}

static void print_hit(FILE *out, const struct render_context *ctx,
		      unsigned rank, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	const char *title = doc->title && *doc->title ? doc->title
						      : "(no title)";
	fprintf(out, "%s%2u. %s%s\n", style(ctx, BOLD), rank, title,
		style(ctx, RESET));
	print_meta(out, ctx, doc);
	const char *link = doc->url ? doc->url : doc->path;
	if (link)
		fprintf(out, "    %s%s%s\n", style(ctx, UNDERLINE), link,
			style(ctx, RESET));
	if (doc->excerpt && *doc->excerpt)
		print_wrapped(out, ctx, doc->excerpt, 4);
}

void render_text(FILE *out, const struct render_context *ctx,
		 const struct ni_results *r)
{
	if (r->n_hits == 0) {
		if (r->total && ctx->offset)
			fprintf(out, "no results past the first %llu for "
				"\"%s\"\n", (unsigned long long)r->total,
				ctx->query);
		else
			fprintf(out, "no results for \"%s\"\n", ctx->query);
		return;
	}
	fprintf(out, "%s%s%llu result%s for \"%s\", %u to %zu (%.1f ms)%s\n",
		style(ctx, DIM), r->total_exact ? "" : "about ",
		(unsigned long long)r->total, r->total == 1 ? "" : "s",
		ctx->query, ctx->offset + 1, ctx->offset + r->n_hits,
		ctx->elapsed_ms, style(ctx, RESET));
	for (size_t i = 0; i < r->n_hits; i++) {
		fputc('\n', out);
		print_hit(out, ctx, ctx->offset + (unsigned)i + 1, &r->hits[i]);
	}
}

/* ---- JSON ----------------------------------------------------------------- */

/* obj[key] = value, taking ownership of value; false when out of memory. */
static bool put(json_object *obj, const char *key, json_object *value)
{
	if (!value)
		return false;
	return json_object_object_add(obj, key, value) == 0;
}

/* A string, or JSON null for a missing one. */
static bool put_string(json_object *obj, const char *key, const char *text)
{
	if (!text)
		return json_object_object_add(obj, key, NULL) == 0;
	return put(obj, key, json_object_new_string(text));
}

static bool put_provider(json_object *obj, const struct ni_docdata *doc)
{
	json_object *provider = json_object_new_object();
	return put(obj, "provider", provider) &&
	       put_string(provider, "name", doc->provider_name) &&
	       put_string(provider, "domain", doc->provider_domain);
}

static bool put_facts(json_object *obj, const struct ni_docdata *doc)
{
	char date[21];
	bool ok = put_string(obj, "date", doc->date.present
			     ? ni_format_iso8601(doc->date.epoch, date) : NULL);
	ok = ok && (doc->published.present
		    ? put(obj, "published",
			  json_object_new_boolean(doc->published.value))
		    : json_object_object_add(obj, "published", NULL) == 0);
	json_object *topics = json_object_new_array();
	ok = ok && put(obj, "topics", topics);
	for (size_t i = 0; ok && i < doc->n_topics; i++)
		ok = json_object_array_add(
			     topics, json_object_new_string(doc->topics[i])) == 0;
	return ok;
}

static json_object *hit_object(unsigned rank, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	json_object *obj = json_object_new_object();
	bool ok = obj && put(obj, "rank", json_object_new_int((int)rank)) &&
		  put(obj, "score", json_object_new_double(hit->score)) &&
		  put(obj, "relevance",
		      json_object_new_double(hit->relevance)) &&
		  (doc->quality.present
		   ? put(obj, "quality",
			 json_object_new_double(doc->quality.value))
		   : json_object_object_add(obj, "quality", NULL) == 0) &&
		  put(obj, "all_words",
		      json_object_new_boolean(hit->all_words)) &&
		  put_string(obj, "title", doc->title) &&
		  put_string(obj, "excerpt", doc->excerpt) &&
		  put_string(obj, "url", doc->url) &&
		  put_string(obj, "path", doc->path) &&
		  put_provider(obj, doc) && put_facts(obj, doc);
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

bool render_json(FILE *out, const struct render_context *ctx,
		 const struct ni_results *r)
{
	json_object *root = json_object_new_object();
	json_object *hits = json_object_new_array();
	if (!root || !hits) {
		json_object_put(root);
		json_object_put(hits);
		return false;
	}
	bool ok = put(root, "version",
			      json_object_new_int(JSON_VERSION)) &&
		  put(root, "query", json_object_new_string(ctx->query)) &&
		  put(root, "total", json_object_new_int64(
					     (int64_t)r->total)) &&
		  put(root, "total_exact",
		      json_object_new_boolean(r->total_exact)) &&
		  put(root, "offset", json_object_new_int((int)ctx->offset));
	/* Added last so it comes last; owned by root from here on. */
	if (json_object_object_add(root, "results", hits) != 0) {
		json_object_put(hits);
		ok = false;
	}
	for (size_t i = 0; ok && i < r->n_hits; i++)
		ok = json_object_array_add(
			     hits, hit_object(ctx->offset + (unsigned)i + 1,
					      &r->hits[i])) == 0;
	if (ok) {
		const char *text = json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PLAIN |
				      JSON_C_TO_STRING_NOSLASHESCAPE);
		ok = text != NULL;
		if (ok)
			fprintf(out, "%s\n", text);
	}
	json_object_put(root);
	return ok;
}
