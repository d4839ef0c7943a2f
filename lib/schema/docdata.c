/* ni_docdata: see include/ni_docdata.h. */
#include "ni_docdata.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_dates.h"

/*
 * The encoder writes the JSON itself, byte for byte as json-c wrote it
 * before (json_object_to_json_string_length() with
 * JSON_C_TO_STRING_PLAIN and _NOSLASHESCAPE; tests/unit/test_docdata.c
 * holds it to json-c's output): building json-c's objects for each
 * document, to print them once, cost some 40,000 instructions a
 * document.  Reading stays json-c's.
 */
struct writer {
	struct ni_buf *out;
	ni_status status;
	bool first;               /* no member yet in the open object */
};

/* Where `len` more bytes go (room for the NUL after them too), or NULL
 * with the status set; wrote() ends them. */
static char *room(struct writer *w, size_t len)
{
	if (w->status == NI_OK)
		w->status = ni_buf_grow(w->out, len);
	return w->status == NI_OK ? w->out->data + w->out->len : NULL;
}

/* The bytes written from room()'s pointer up to `end` are the text's. */
static void wrote(struct writer *w, char *end)
{
	w->out->len = (size_t)(end - w->out->data);
	*end = '\0';
}

static void put(struct writer *w, const char *bytes, size_t len)
{
	char *o = room(w, len);
	if (o) {
		memcpy(o, bytes, len);
		wrote(w, o + len);
	}
}

/* `text` as a JSON string, escaped as json-c escapes: the two-character
 * escapes, \u00XX for the other control characters, '/' as it is. */
static void put_quoted(struct writer *w, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(text);
	/* Six bytes for a byte at most, and the quotes. */
	if (len > (SIZE_MAX - 2) / 6)
		w->status = NI_ENOMEM;
	char *o = room(w, 6 * len + 2);
	if (!o)
		return;
	*o++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '\b': *o++ = 'b'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\f': *o++ = 'f'; break;
		case '"': case '\\': *o++ = (char)c; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 0xf];
			o += 5;
		}
	}
	*o++ = '"';
	wrote(w, o);
}

/* "name": (after a comma unless it is the object's first member). */
static void put_key(struct writer *w, const char *name)
{
	size_t len = strlen(name);
	char *o = room(w, len + 4);
	if (!o)
		return;
	if (!w->first)
		*o++ = ',';
	w->first = false;
	*o++ = '"';
	memcpy(o, name, len);
	o += len;
	*o++ = '"';
	*o++ = ':';
	wrote(w, o);
}

/* "name":{ ... the members that follow, until close(). */
static void open_object(struct writer *w, const char *name)
{
	put_key(w, name);
	put(w, "{", 1);
	w->first = true;
}

static void close_object(struct writer *w)
{
	put(w, "}", 1);
	w->first = false;
}

/* "name":"text", unless text is NULL. */
static void put_string(struct writer *w, const char *name, const char *text)
{
	if (!text)
		return;
	put_key(w, name);
	put_quoted(w, text);
}

/* The digits of `value`, as "%" PRIu64 prints them; their number. */
static size_t whole_digits(uint64_t value, char digits[21])
{
	char reversed[20];
	size_t n = 0;
	do {
		reversed[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	for (size_t i = 0; i < n; i++)
		digits[i] = reversed[n - 1 - i];
	digits[n] = '\0';
	return n;
}

/*
 * A finite number as json-c writes a double: "%.17g", with ".0" after a
 * whole number (45.0).  A whole number below 10^15 (a quality, always)
 * is its digits: "%.17g" uses no exponent for it.
 */
static void put_double(struct writer *w, const char *name, double value)
{
	char num[40];
	if (!signbit(value) && value < 1e15 &&
	    value == (double)(uint64_t)value)
		whole_digits((uint64_t)value, num);
	else
		snprintf(num, sizeof num, "%.17g", value);
	if (!strpbrk(num, ".e"))
		strcat(num, ".0");
	put_key(w, name);
	put(w, num, strlen(num));
}

/* A positive whole number, as json-c writes an int64. */
static void put_size(struct writer *w, const char *name, int64_t value)
{
	char num[21];
	size_t len = whole_digits((uint64_t)value, num);
	put_key(w, name);
	put(w, num, len);
}

static void put_provider(struct writer *w, const struct ni_provider *p)
{
	if (!p->name && !p->domain)
		return;
	open_object(w, "provider");
	put_string(w, "name", p->name);
	put_string(w, "domain", p->domain);
	close_object(w);
}

static void put_facts(struct writer *w, const struct ni_article *a)
{
	if (a->published_at.present) {
		char date[21];
		put_string(w, "date",
			   ni_format_iso8601(a->published_at.epoch, date));
	}
	/* Always a finite number: ni_parse_quality() takes no other. */
	if (a->quality.present)
		put_double(w, "quality", a->quality.value);
	if (a->published.present) {
		const char *flag = a->published.value ? "true" : "false";
		put_key(w, "published");
		put(w, flag, strlen(flag));
	}
}

static void put_topics(struct writer *w, char *const *topics, size_t n)
{
	put_key(w, "topics");
	put(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(w, ",", 1);
		put_quoted(w, topics[i]);
	}
	put(w, "]", 1);
}

/* "image": the first image, for a thumbnail: its URL and size. */
static void put_image(struct writer *w, const struct ni_image *images,
		      size_t n)
{
	if (!n)
		return;
	open_object(w, "image");
	put_string(w, "url", images[0].url);
	if (images[0].width > 0)
		put_size(w, "width", images[0].width);
	if (images[0].height > 0)
		put_size(w, "height", images[0].height);
	close_object(w);
}

ni_status ni_docdata_encode(const struct ni_article *a, const char *path,
			    const char *related_of, struct ni_buf *out)
{
	size_t len = out->len;
	struct writer w = {out, NI_OK, true};
	const char *url = a->web_url ? a->web_url : a->original_url;
	put(&w, "{", 1);
	put_string(&w, "title", a->title);
	put_string(&w, "excerpt", a->excerpt);
	put_string(&w, "url", url);
	put_string(&w, "path", path);
	put_provider(&w, &a->provider);
	put_facts(&w, a);
	put_topics(&w, a->topics, a->n_topics);
	put_string(&w, "category", a->category);
	put_string(&w, "type", a->type);
	put_string(&w, "related_of", related_of);
	put_image(&w, a->images, a->n_images);
	put(&w, "}", 1);
	if (w.status != NI_OK)
		ni_buf_truncate(out, len);
	return w.status;
}

/* A copy of obj[key] when it is a string; NULL otherwise. */
static int take_string(json_object *obj, const char *key, char **out)
{
	json_object *value;
	if (!json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, json_type_string))
		return 1;
	*out = strdup(json_object_get_string(value));
	return *out != NULL;
}

static int take_topics(json_object *obj, struct ni_docdata *out)
{
	json_object *list;
	if (!json_object_object_get_ex(obj, "topics", &list) ||
	    !json_object_is_type(list, json_type_array))
		return 1;
	size_t n = json_object_array_length(list);
	if (!n)
		return 1;
	if (!(out->topics = calloc(n, sizeof *out->topics)))
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_object *topic = json_object_array_get_idx(list, i);
		if (!json_object_is_type(topic, json_type_string))
			continue;
		char *copy = strdup(json_object_get_string(topic));
		if (!copy)
			return 0;
		out->topics[out->n_topics++] = copy;
	}
	return 1;
}

static void take_facts(json_object *obj, struct ni_docdata *out)
{
	json_object *value;
	if (json_object_object_get_ex(obj, "date", &value) &&
	    json_object_is_type(value, json_type_string))
		out->date.present = ni_parse_iso8601(
			json_object_get_string(value), &out->date.epoch);
	if (json_object_object_get_ex(obj, "quality", &value) &&
	    (json_object_is_type(value, json_type_double) ||
	     json_object_is_type(value, json_type_int))) {
		out->quality.present = true;
		out->quality.value = json_object_get_double(value);
	}
	if (json_object_object_get_ex(obj, "published", &value) &&
	    json_object_is_type(value, json_type_boolean)) {
		out->published.present = true;
		out->published.value = json_object_get_boolean(value);
	}
}

static int take_provider(json_object *obj, struct ni_docdata *out)
{
	json_object *provider;
	if (!json_object_object_get_ex(obj, "provider", &provider) ||
	    !json_object_is_type(provider, json_type_object))
		return 1;
	return take_string(provider, "name", &out->provider_name) &&
	       take_string(provider, "domain", &out->provider_domain);
}

/* A size of the image: a positive whole number, else 0 (not given). */
static int64_t take_size(json_object *image, const char *key)
{
	json_object *value;
	if (!json_object_object_get_ex(image, key, &value) ||
	    !json_object_is_type(value, json_type_int))
		return 0;
	int64_t size = json_object_get_int64(value);
	return size > 0 ? size : 0;
}

static int take_image(json_object *obj, struct ni_docdata *out)
{
	json_object *image;
	if (!json_object_object_get_ex(obj, "image", &image) ||
	    !json_object_is_type(image, json_type_object))
		return 1;
	out->image.width = take_size(image, "width");
	out->image.height = take_size(image, "height");
	return take_string(image, "url", &out->image.url);
}

ni_status ni_docdata_decode(const char *data, size_t len,
			    struct ni_docdata *out)
{
	memset(out, 0, sizeof *out);
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return NI_ENOMEM;
	json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
	json_tokener_free(tok);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NI_EPARSE;
	}
	int ok = take_string(obj, "title", &out->title) &&
		 take_string(obj, "excerpt", &out->excerpt) &&
		 take_string(obj, "url", &out->url) &&
		 take_string(obj, "path", &out->path) &&
		 take_provider(obj, out) &&
		 take_string(obj, "category", &out->category) &&
		 take_string(obj, "type", &out->type) &&
		 take_string(obj, "related_of", &out->related_of) &&
		 take_topics(obj, out) && take_image(obj, out);
	take_facts(obj, out);
	json_object_put(obj);
	if (!ok) {
		ni_docdata_clear(out);
		return NI_ENOMEM;
	}
	return NI_OK;
}

void ni_docdata_clear(struct ni_docdata *d)
{
	free(d->title);
	free(d->excerpt);
	free(d->url);
	free(d->path);
	free(d->provider_name);
	free(d->provider_domain);
	free(d->category);
	free(d->type);
	free(d->related_of);
	for (size_t i = 0; i < d->n_topics; i++)
		free(d->topics[i]);
	free(d->topics);
	free(d->image.url);
	memset(d, 0, sizeof *d);
}
