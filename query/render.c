/* How newsquery shows results: see render.h and docs/json.md. */
#include "render.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unicode/utf8.h>

#include "ni_cli.h"
#include "ni_control.h"
#include "ni_dates.h"
#include "ni_fields.h"
#include "ni_snippet.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define UNDERLINE "\033[4m"
#define MATCH "\033[1;33m"    /* bold yellow: a matched word */
#define RESET "\033[0m"

/* JSON schema version of the output; bump it with docs/json.md. */
#define JSON_VERSION 1

/* Facet lines fit this many columns when the width is not known. */
#define DEFAULT_FACET_WIDTH 80

/* In the order of enum render_format. */
static const char *const FORMAT_NAMES[] = {
	"text", "json", "paths", "urls", "tsv", "jsonl", "atom",
};

bool render_format_named(const char *name, enum render_format *out)
{
	for (size_t i = 0; i < sizeof FORMAT_NAMES / sizeof *FORMAT_NAMES;
	     i++) {
		if (!strcmp(name, FORMAT_NAMES[i])) {
			*out = (enum render_format)i;
			return true;
		}
	}
	return false;
}

static const char *style(const struct render_context *ctx, const char *code)
{
	return ctx->color ? code : "";
}

/*
 * Write text from an article, turning control characters (an ESC could
 * restyle the terminal) into U+FFFD and invalid UTF-8 likewise, and
 * leaving out the controls that reorder text (ni_is_bidi_control()).
 */
static void put_clean(FILE *out, const char *text, int32_t len)
{
	/* text[clean, i) is yet to be written: one fwrite a run, not a
	 * character (a page's text is some thousands of characters). */
	int32_t clean = 0, i = 0;
	while (i < len) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, len, c);
		bool bidi = ni_is_bidi_control(c);
		if ((!ni_is_control(c) || c == '\t') && !bidi)
			continue;
		fwrite(text + clean, 1, (size_t)(start - clean), out);
		if (!bidi)
			fputs("\xef\xbf\xbd", out);
		clean = i;
	}
	fwrite(text + clean, 1, (size_t)(len - clean), out);
}

static void put_clean_str(FILE *out, const char *text)
{
	put_clean(out, text, (int32_t)strlen(text));
}

/* Write text[from, to), switching the match style on at span edges. */
static void put_marked(FILE *out, const struct render_context *ctx,
		       const struct ni_snippet *s, size_t from, size_t to,
		       size_t *span)
{
	const char *text = s->text.data;
	size_t at = from;
	while (at < to) {
		size_t next = to;
		bool inside = *span < s->n_spans && s->spans[*span].start <= at;
		if (*span < s->n_spans) {
			size_t edge = inside ? s->spans[*span].end
					     : s->spans[*span].start;
			if (edge > at && edge < next)
				next = edge;
		}
		if (inside)
			fputs(style(ctx, MATCH), out);
		put_clean(out, text + at, (int32_t)(next - at));
		if (inside)
			fputs(style(ctx, RESET), out);
		at = next;
		if (inside && *span < s->n_spans && at >= s->spans[*span].end)
			(*span)++;
	}
}

/* The end of the piece starting at `i`: a wide character, or up to a space. */
static int32_t piece_end(const char *text, int32_t i, int32_t len,
			 unsigned *cols)
{
	UChar32 c;
	U8_NEXT(text, i, len, c);
	*cols = ni_char_columns(c);
	if (c == ' ' || *cols == 2)
		return i;
	while (i < len) {
		int32_t at = i;
		U8_NEXT(text, i, len, c);
		unsigned w = ni_char_columns(c);
		if (c == ' ' || w == 2)
			return at;
		*cols += w;
	}
	return i;
}

/*
 * Print a snippet indented, its matched words marked, breaking lines at
 * spaces so none is wider than ctx->width columns (a word longer than a
 * line is left whole), and between any two wide characters, since CJK
 * text has no spaces.
 */
static void print_wrapped(FILE *out, const struct render_context *ctx,
			  const struct ni_snippet *s, unsigned indent)
{
	unsigned width = ctx->width > indent + 20 ? ctx->width - indent : 0;
	const char *text = ni_buf_str(&s->text);
	int32_t len = (int32_t)s->text.len, i = 0;
	unsigned col = 0;
	size_t span = 0;
	/* A space is written only before a piece on the same line, so
	 * that no line ends with one. */
	bool space = false;
	fprintf(out, "%*s", (int)indent, "");
	while (i < len) {
		unsigned cols;
		int32_t start = i;
		i = piece_end(text, i, len, &cols);
		if (text[start] == ' ') {
			space = col > 0;
			continue;
		}
		if (width && col > 0 && col + space + cols > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = 0;
		} else if (space) {
			fputc(' ', out);
			col++;
		}
		space = false;
		put_marked(out, ctx, s, (size_t)start, (size_t)i, &span);
		col += cols;
	}
	fputc('\n', out);
}

/* The line under the title: provider, date, quality, heat when sorted
 * by it, similar copies,
 * "related record"; none when the article has none of them. */
static void print_meta(FILE *out, const struct render_context *ctx,
		       const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	if (!doc->provider_name && !doc->provider_domain &&
	    !doc->date.present && !doc->quality.present && !hit->n_similar &&
	    !doc->related_of && !(ctx->show_heat && hit->heat >= 0))
		return;
	const char *sep = "";
	fprintf(out, "    %s", style(ctx, DIM));
	if (doc->provider_name || doc->provider_domain) {
		put_clean_str(out, doc->provider_name ? doc->provider_name
						      : doc->provider_domain);
		sep = " · ";
	}
	if (doc->date.present) {
		char date[21];
		ni_format_iso8601(doc->date.epoch, date);
		fprintf(out, "%s%.10s", sep, date);
		sep = " · ";
	}
	if (doc->quality.present) {
		fprintf(out, "%squality %g", sep, doc->quality.value);
		sep = " · ";
	}
	if (ctx->show_heat && hit->heat >= 0) {
		fprintf(out, "%sheat %g", sep, hit->heat);
		sep = " · ";
	}
	if (hit->n_similar) {
		fprintf(out, "%s+%u similar", sep, (unsigned)hit->n_similar);
		sep = " · ";
	}
	if (doc->related_of)
		fprintf(out, "%srelated record", sep);
	fprintf(out, "%s\n", style(ctx, RESET));
}

/* The URL, as an OSC 8 hyperlink where the terminal is told to link it. */
static void print_link(FILE *out, const struct render_context *ctx,
		       const char *link)
{
	fprintf(out, "    %s", style(ctx, UNDERLINE));
	if (ctx->hyperlinks) {
		fputs("\033]8;;", out);
		ni_cli_put_escaped(out, link, NI_CLI_ESCAPE_URL);
		fputs("\033\\", out);
	}
	put_clean_str(out, link);
	if (ctx->hyperlinks)
		fputs("\033]8;;\033\\", out);
	fprintf(out, "%s\n", style(ctx, RESET));
}

void render_explain(FILE *out, const struct ni_result *hit)
{
	fprintf(out, "%s · bm25 %.3f + quality %.3f + recency %.3f = %.3f",
		hit->all_words ? "all words" : "some words", hit->relevance,
		hit->quality_part, hit->recency_part, hit->score);
}

/* One line that says why the hit is where it is (docs/ranking.md). */
static void print_explain(FILE *out, const struct render_context *ctx,
			  const struct ni_result *hit)
{
	fprintf(out, "    %s", style(ctx, DIM));
	render_explain(out, hit);
	fprintf(out, "%s\n", style(ctx, RESET));
}

static void print_hit(FILE *out, const struct render_context *ctx,
		      size_t i, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	fprintf(out, "%s%2u. ", style(ctx, BOLD),
		ctx->offset + (unsigned)i + 1);
	put_clean_str(out, doc->title && *doc->title ? doc->title
						     : "(no title)");
	fprintf(out, "%s\n", style(ctx, RESET));
	print_meta(out, ctx, hit);
	const char *link = doc->url ? doc->url : doc->path;
	if (link)
		print_link(out, ctx, link);
	if (ctx->snippets && ctx->snippets[i].text.len)
		print_wrapped(out, ctx, &ctx->snippets[i], 4);
	if (ctx->explain)
		print_explain(out, ctx, hit);
}

/* Columns "value count" takes, with the " · " before it. */
static unsigned facet_columns(const struct ni_facet_list *list, size_t i)
{
	char count[24];
	int n = snprintf(count, sizeof count, " %llu",
			 (unsigned long long)list->counts[i]);
	return 3 + ni_text_columns(list->values[i], strlen(list->values[i])) +
	       (unsigned)n;
}

/*
 * "topic: AI 12 · Markets 8 · … (9 more)" for each facet asked for: the
 * most frequent values that fit on the line (JSON has them all).
 */
static void print_facets(FILE *out, const struct render_context *ctx,
			 const struct ni_results *r)
{
	/* Room for " · … (999 more)" at the end. */
	unsigned width = ctx->width ? ctx->width : DEFAULT_FACET_WIDTH;
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		if (!(ctx->facets & (1u << f)))
			continue;
		const struct ni_facet_list *list = &r->facets[f];
		const char *name = ni_facet_spec((enum ni_facet)f)->facet_name;
		fprintf(out, "%s%s:%s", style(ctx, BOLD), name,
			style(ctx, RESET));
		unsigned col = (unsigned)strlen(name) + 1;
		size_t i = 0;
		for (; i < list->n; i++) {
			unsigned need = facet_columns(list, i);
			if (i > 0 && col + need + 16 > width)
				break;
			fputs(i ? " · " : " ", out);
			put_clean_str(out, list->values[i]);
			fprintf(out, " %llu",
				(unsigned long long)list->counts[i]);
			col += need;
		}
		if (i < list->n)
			fprintf(out, " · … (%zu more)", list->n - i);
		if (!list->n)
			fputs(" none", out);
		fputc('\n', out);
	}
}

/* Whether `c` is a control that only separates words: a line break, a
 * tab, a form feed or NEL. */
static bool is_space_control(UChar32 c)
{
	return (c >= '\t' && c <= '\r') || c == 0x85;
}

/*
 * The query as put_clean() writes text, but each run of line breaks and
 * tabs as one space: a pasted paragraph is searched as its words, and a
 * U+FFFD where the reader sees a line break would say it was not.
 */
static void put_query_clean(FILE *out, const char *query)
{
	int32_t len = (int32_t)strlen(query), clean = 0, i = 0;
	while (i < len) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(query, i, len, c);
		if (!is_space_control(c))
			continue;
		put_clean(out, query + clean, start - clean);
		fputc(' ', out);
		while (i < len) {
			int32_t next = i;
			U8_NEXT(query, next, len, c);
			if (!is_space_control(c))
				break;
			i = next;
		}
		clean = i;
	}
	put_clean(out, query + clean, len - clean);
}

/*
 * The query in quotes that cannot be taken for part of it: "..." unless
 * it holds a double quote, then '...', or \u201c...\u201d when it holds
 * both.
 */
static void put_quoted(FILE *out, const char *query)
{
	const char *open = "\"", *close = "\"";
	if (strchr(query, '"') && !strchr(query, '\''))
		open = close = "'";
	else if (strchr(query, '"'))
		open = "\u201c", close = "\u201d";
	fputs(open, out);
	put_query_clean(out, query);
	fputs(close, out);
}

/* "1 article", "about 1200 stories": `n` and its noun. */
static void put_count(FILE *out, uint64_t n, bool exact, const char *one,
		      const char *many)
{
	fprintf(out, "%s%llu %s", exact ? "" : "about ",
		(unsigned long long)n, n == 1 ? one : many);
}

void render_totals(FILE *out, const struct ni_results *r)
{
	if (r->stories != r->total || r->stories_exact != r->total_exact) {
		put_count(out, r->stories, r->stories_exact, "story",
			  "stories");
		fputs(", ", out);
	}
	put_count(out, r->total, r->total_exact, "article", "articles");
}

static void print_header(FILE *out, const struct render_context *ctx,
			 const struct ni_results *r)
{
	fputs(style(ctx, DIM), out);
	render_totals(out, r);
	fputs(" for ", out);
	put_quoted(out, ctx->query);
	if (r->n_hits)
		fprintf(out, ", %u to %zu", ctx->offset + 1,
			ctx->offset + r->n_hits);
	fprintf(out, " (%.1f ms)%s\n", ctx->elapsed_ms, style(ctx, RESET));
}

void render_text(FILE *out, const struct render_context *ctx,
		 const struct ni_results *r)
{
	if (ctx->suggestion) {
		fputs("did you mean: ", out);
		put_clean_str(out, ctx->suggestion);
		fputs("\n", out);
	}
	if (r->total == 0 || (r->n_hits == 0 && ctx->limit > 0)) {
		/* Nothing matched, or --offset is past the last result. */
		if (r->total) {
			fprintf(out, "no results at --offset %u: ",
				ctx->offset);
			render_totals(out, r);
		} else {
			fputs("no results", out);
		}
		fputs(" for ", out);
		put_quoted(out, ctx->query);
		fputc('\n', out);
		return;
	}
	/* With --limit 0, the counts and facets alone. */
	print_header(out, ctx, r);
	if (ctx->facets) {
		fputc('\n', out);
		print_facets(out, ctx, r);
	}
	for (size_t i = 0; i < r->n_hits; i++) {
		fputc('\n', out);
		print_hit(out, ctx, i, &r->hits[i]);
	}
}

/* ---- lines for pipes ------------------------------------------------------ */

/*
 * One path or URL a line, or ended by a NUL (-0).  A path is written as
 * it is only with -0 and not on a terminal, the one place where every
 * name can pass whole and nothing can drive a terminal.
 */
static void put_item(FILE *out, const struct render_context *ctx,
		     const char *text, enum ni_cli_escape how)
{
	if (how == NI_CLI_ESCAPE_PATH && ctx->null && !ctx->terminal)
		fputs(text, out);
	else
		ni_cli_put_escaped(out, text, how);
	fputc(ctx->null ? '\0' : '\n', out);
}

static void put_tsv_line(FILE *out, const struct render_context *ctx,
			 size_t i, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	char date[21] = "";
	if (doc->date.present)
		ni_format_iso8601(doc->date.epoch, date);
	fprintf(out, "%u\t%.4f\t%s\t", ctx->offset + (unsigned)i + 1,
		hit->score, date);
	if (doc->quality.present)
		fprintf(out, "%g", doc->quality.value);
	const char *fields[] = {doc->provider_name, doc->title, doc->url,
				doc->path};
	for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
		fputc('\t', out);
		ni_cli_put_escaped(out, fields[f],
				   NI_CLI_ESCAPE_TSV);
	}
	if (ctx->explain)
		fprintf(out, "\t%s\t%.4f\t%.4f\t%.4f",
			hit->all_words ? "all words" : "some words",
			hit->relevance, hit->quality_part, hit->recency_part);
	fputc('\n', out);
}

void render_lines(FILE *out, enum render_format format,
		  const struct render_context *ctx,
		  const struct ni_results *r)
{
	if (format == FORMAT_TSV)
		fprintf(out, "rank\tscore\tdate\tquality\tprovider\ttitle\t"
			"url\tpath%s\n", ctx->explain
			? "\ttier\tbm25\tquality_part\trecency_part" : "");
	for (size_t i = 0; i < r->n_hits; i++) {
		const struct ni_docdata *doc = &r->hits[i].doc;
		if (format == FORMAT_TSV)
			put_tsv_line(out, ctx, i, &r->hits[i]);
		else if (format == FORMAT_PATHS && doc->path)
			put_item(out, ctx, doc->path, NI_CLI_ESCAPE_PATH);
		else if (format == FORMAT_URLS && doc->url)
			put_item(out, ctx, doc->url, NI_CLI_ESCAPE_URL);
	}
}

/* ---- JSON ----------------------------------------------------------------- */

/* How objects are written: one line, "/" as it is. */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* A number as JSON: an integer when it is one (37, not json-c's 37.0). */
static json_object *json_number(double value)
{
	if (value > -1e15 && value < 1e15 && value == (double)(int64_t)value)
		return json_object_new_int64((int64_t)value);
	return json_object_new_double(value);
}

/* obj[key] = value, taking ownership of value; false when out of memory. */
static bool put(json_object *obj, const char *key, json_object *value)
{
	if (!value)
		return false;
	return json_object_object_add(obj, key, value) == 0;
}

static bool put_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) == 0;
}

/* A string, or JSON null for a missing one. */
static bool put_string(json_object *obj, const char *key, const char *text)
{
	if (!text)
		return put_null(obj, key);
	return put(obj, key, json_object_new_string(text));
}

/*
 * Text of the user's own, which may not be valid UTF-8 (JSON must be):
 * each invalid byte becomes U+FFFD.
 */
static json_object *clean_string(const char *text)
{
	int32_t len = (int32_t)strlen(text), i = 0;
	struct ni_buf clean = NI_BUF_INIT;
	ni_status status = ni_buf_grow(&clean, (size_t)len);
	while (status == NI_OK && i < len) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, len, c);
		status = c < 0 ? ni_buf_adds(&clean, "\xef\xbf\xbd")
			       : ni_buf_add(&clean, text + start,
					    (size_t)(i - start));
	}
	json_object *string = status == NI_OK
		? json_object_new_string(ni_buf_str(&clean)) : NULL;
	ni_buf_release(&clean);
	return string;
}

/* Code points of text[0, byte) as clean_string() writes them. */
static int64_t clean_code_points(const char *text, size_t byte)
{
	int64_t n = 0;
	for (int32_t i = 0; i < (int32_t)byte; n++) {
		UChar32 c;
		U8_NEXT(text, i, (int32_t)byte, c);
		(void)c;
	}
	return n;
}

/* obj[key] = the strings, as a list. */
static bool put_strings(json_object *obj, const char *key,
			const char *const *strings, size_t n)
{
	json_object *list = json_object_new_array();
	bool ok = put(obj, key, list);
	for (size_t i = 0; ok && i < n; i++) {
		json_object *text = clean_string(strings[i]);
		ok = text && json_object_array_add(list, text) == 0;
		if (!ok)
			json_object_put(text);
	}
	return ok;
}

/* "missing_shards": what --allow-partial left out; [] when nothing. */
static bool put_missing(json_object *obj, const struct render_context *ctx)
{
	return put_strings(obj, "missing_shards", ctx->missing,
			   ctx->n_missing);
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
		    : put_null(obj, "published"));
	json_object *topics = json_object_new_array();
	ok = ok && put(obj, "topics", topics);
	for (size_t i = 0; ok && i < doc->n_topics; i++)
		ok = json_object_array_add(
			     topics, json_object_new_string(doc->topics[i])) == 0;
	return ok;
}

/* Code points in text[0, byte): what JSON readers index strings by. */
static int64_t code_points(const char *text, size_t byte)
{
	int64_t n = 0;
	for (size_t i = 0; i < byte; i++)
		n += ((unsigned char)text[i] & 0xc0) != 0x80;
	return n;
}

/*
 * {"text": ..., "highlights": [[start, end], ...]} in code points, or
 * null for no snippet (an article without an excerpt: docs/json.md).
 */
static bool put_snippet(json_object *obj, const struct ni_snippet *s)
{
	if (!s)
		return put_null(obj, "snippet");
	json_object *snippet = json_object_new_object();
	json_object *marks = json_object_new_array();
	bool ok = put(obj, "snippet", snippet) &&
		  put_string(snippet, "text", ni_buf_str(&s->text));
	if (!ok || !put(snippet, "highlights", marks)) {
		json_object_put(marks);
		return false;
	}
	const char *text = ni_buf_str(&s->text);
	for (size_t i = 0; ok && i < s->n_spans; i++) {
		json_object *pair = json_object_new_array();
		ok = pair && json_object_array_add(marks, pair) == 0 &&
		     json_object_array_add(pair, json_object_new_int64(
					code_points(text, s->spans[i].start))) == 0 &&
		     json_object_array_add(pair, json_object_new_int64(
					code_points(text, s->spans[i].end))) == 0;
	}
	return ok;
}

static bool put_explain(json_object *obj, const struct ni_result *hit)
{
	json_object *explain = json_object_new_object();
	return put(obj, "explain", explain) &&
	       put(explain, "tier", json_object_new_string(
				hit->all_words ? "all words" : "some words")) &&
	       put(explain, "bm25", json_number(hit->relevance)) &&
	       put(explain, "quality", json_number(hit->quality_part)) &&
	       put(explain, "recency", json_number(hit->recency_part));
}

/* A size in pixels, or null when the front matter gave none. */
static bool put_pixels(json_object *obj, const char *key, int64_t pixels)
{
	return pixels > 0 ? put(obj, key, json_object_new_int64(pixels))
			  : put_null(obj, key);
}

/*
 * "image": the article's first image as its front matter gives it:
 * {"url", "width", "height"}, the URL as written (any scheme: a reader
 * that shows it checks it, as the search page does), or null.
 */
static bool put_image(json_object *obj, const struct ni_docimage *image)
{
	if (!image->url)
		return put_null(obj, "image");
	json_object *o = json_object_new_object();
	return put(obj, "image", o) && put_string(o, "url", image->url) &&
	       put_pixels(o, "width", image->width) &&
	       put_pixels(o, "height", image->height);
}

/* What the index stores of an article, as a result shows it. */
static bool put_document(json_object *obj, const struct ni_docdata *doc)
{
	return put_string(obj, "title", doc->title) &&
	       put_string(obj, "excerpt", doc->excerpt) &&
	       put_string(obj, "url", doc->url) &&
	       put_string(obj, "path", doc->path) &&
	       put_string(obj, "related_of", doc->related_of) &&
	       put_provider(obj, doc) && put_facts(obj, doc) &&
	       put_image(obj, &doc->image) &&
	       put_string(obj, "lang", doc->lang);
}

static json_object *hit_object(const struct render_context *ctx, size_t i,
			       const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	json_object *obj = json_object_new_object();
	unsigned rank = ctx->offset + (unsigned)i + 1;
	bool ok = obj && put(obj, "rank", json_object_new_int((int)rank)) &&
		  put(obj, "score", json_number(hit->score)) &&
		  put(obj, "relevance", json_number(hit->relevance)) &&
		  (doc->quality.present
		   ? put(obj, "quality", json_number(doc->quality.value))
		   : put_null(obj, "quality")) &&
		  (hit->heat >= 0 ? put(obj, "heat", json_number(hit->heat))
				  : put_null(obj, "heat")) &&
		  put(obj, "all_words",
		      json_object_new_boolean(hit->all_words)) &&
		  put(obj, "similar",
		      json_object_new_int((int)hit->n_similar)) &&
		  put_document(obj, doc) &&
		  put_snippet(obj, ctx->snippets && ctx->snippets[i].text.len
				   ? &ctx->snippets[i] : NULL) &&
		  put_explain(obj, hit);
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/*
 * "notices": how the query was read ([] when as typed); "syntax_error":
 * null, or where the query did not parse when it was searched as words,
 * in code points of "query".
 */
static bool put_reading(json_object *obj, const struct render_context *ctx)
{
	bool ok = put_strings(obj, "notices",
			      (const char *const *)ctx->notices,
			      ctx->n_notices);
	const struct ni_qparse_error *e = ctx->syntax_error;
	if (!ok || !e)
		return ok && put_null(obj, "syntax_error");
	size_t len = strlen(ctx->query);
	size_t at = e->offset < len ? e->offset : len;
	size_t end = e->length < len - at ? at + e->length : len;
	json_object *error = json_object_new_object();
	return put(obj, "syntax_error", error) &&
	       put(error, "message", clean_string(e->message)) &&
	       put(error, "offset", json_object_new_int64(
			   clean_code_points(ctx->query, at))) &&
	       put(error, "length", json_object_new_int64(
			   clean_code_points(ctx->query + at, end - at)));
}

/* {"topic": [{"value": "AI", "count": 12}, ...], ...} as asked for. */
static bool put_facets(json_object *root, const struct render_context *ctx,
		       const struct ni_results *r)
{
	json_object *facets = json_object_new_object();
	bool ok = put(root, "facets", facets);
	for (int f = 0; ok && f < NI_FACET_COUNT; f++) {
		if (!(ctx->facets & (1u << f)))
			continue;
		json_object *list = json_object_new_array();
		ok = put(facets, ni_facet_spec((enum ni_facet)f)->facet_name,
			 list);
		for (size_t i = 0; ok && i < r->facets[f].n; i++) {
			json_object *entry = json_object_new_object();
			ok = entry && json_object_array_add(list, entry) == 0 &&
			     put_string(entry, "value",
					r->facets[f].values[i]) &&
			     put(entry, "count", json_object_new_int64(
					(int64_t)r->facets[f].counts[i]));
		}
	}
	return ok;
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
	bool ok = put(root, "version", json_object_new_int(JSON_VERSION)) &&
		  put(root, "query", clean_string(ctx->query)) &&
		  put(root, "total", json_object_new_int64(
					     (int64_t)r->total)) &&
		  put(root, "total_exact",
		      json_object_new_boolean(r->total_exact)) &&
		  put(root, "stories", json_object_new_int64(
					       (int64_t)r->stories)) &&
		  put(root, "stories_exact",
		      json_object_new_boolean(r->stories_exact)) &&
		  put(root, "offset", json_object_new_int((int)ctx->offset)) &&
		  (r->more ? put(root, "next_offset", json_object_new_int(
				 (int)(ctx->offset + r->n_hits)))
			   : put_null(root, "next_offset")) &&
		  (ctx->suggestion
		   ? put(root, "suggestion", clean_string(ctx->suggestion))
		   : put_null(root, "suggestion")) &&
		  put_reading(root, ctx) &&
		  put_missing(root, ctx) &&
		  put_facets(root, ctx, r);
	/* Added last so it comes last; owned by root from here on. */
	if (json_object_object_add(root, "results", hits) != 0) {
		json_object_put(hits);
		ok = false;
	}
	for (size_t i = 0; ok && i < r->n_hits; i++)
		ok = json_object_array_add(
			     hits, hit_object(ctx, i, &r->hits[i])) == 0;
	if (ok) {
		const char *text = json_object_to_json_string_ext(root,
								  JSON_FLAGS);
		ok = text != NULL;
		if (ok)
			ni_cli_put_json_line(out, text);
	}
	json_object_put(root);
	return ok;
}

bool render_jsonl(FILE *out, const struct render_context *ctx,
		  const struct ni_results *r)
{
	for (size_t i = 0; i < r->n_hits; i++) {
		json_object *hit = hit_object(ctx, i, &r->hits[i]);
		const char *text = hit ? json_object_to_json_string_ext(
						 hit, JSON_FLAGS) : NULL;
		if (text)
			ni_cli_put_json_line(out, text);
		json_object_put(hit);
		if (!text)
			return false;
	}
	return true;
}

/* ---- one article, for the server's /api/article ------------------------ */

/* Everything the index stores of an article (ni_docdata.h). */
static json_object *record_object(const struct ni_docdata *doc)
{
	json_object *obj = json_object_new_object();
	bool ok = obj && put_document(obj, doc) &&
		  (doc->quality.present
		   ? put(obj, "quality", json_number(doc->quality.value))
		   : put_null(obj, "quality")) &&
		  put_string(obj, "category", doc->category) &&
		  put_string(obj, "type", doc->type);
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

bool render_json_article(FILE *out, const struct ni_docdata *article,
			 const struct ni_results *related)
{
	json_object *root = json_object_new_object();
	json_object *list = json_object_new_array();
	bool ok = root && list &&
		  put(root, "version", json_object_new_int(JSON_VERSION)) &&
		  put(root, "article", record_object(article));
	if (ok && json_object_object_add(root, "related", list) == 0)
		list = NULL;  /* root's now */
	else
		ok = false;
	json_object *records = json_object_object_get(root, "related");
	for (size_t i = 0; ok && i < related->n_hits; i++) {
		json_object *record = record_object(&related->hits[i].doc);
		ok = record && json_object_array_add(records, record) == 0;
		if (!ok)
			json_object_put(record);
	}
	const char *text = ok ? json_object_to_json_string_ext(root,
							       JSON_FLAGS)
			      : NULL;
	if (text)
		ni_cli_put_json_line(out, text);
	json_object_put(list);
	json_object_put(root);
	return text != NULL;
}

int64_t render_code_points(const char *text, size_t byte)
{
	return clean_code_points(text, byte);
}
