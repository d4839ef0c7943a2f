/* ni_docdata: see include/ni_docdata.h. */
#include "ni_docdata.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ni_dates.h"

/* Add key: "text" unless text is NULL.  False when out of memory. */
static int add_string(json_object *obj, const char *key, const char *text)
{
	if (!text)
		return 1;
	json_object *value = json_object_new_string(text);
	return value && json_object_object_add(obj, key, value) == 0;
}

static int add_provider(json_object *obj, const struct ni_provider *p)
{
	if (!p->name && !p->domain)
		return 1;
	json_object *provider = json_object_new_object();
	if (!provider || json_object_object_add(obj, "provider", provider))
		return 0;
	return add_string(provider, "name", p->name) &&
	       add_string(provider, "domain", p->domain);
}

static int add_topics(json_object *obj, char *const *topics, size_t n)
{
	json_object *list = json_object_new_array_ext((int)n);
	if (!list || json_object_object_add(obj, "topics", list))
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_object *topic = json_object_new_string(topics[i]);
		if (!topic || json_object_array_add(list, topic))
			return 0;
	}
	return 1;
}

static int add_facts(json_object *obj, const struct ni_article *a)
{
	if (a->published_at.present) {
		char date[21];
		if (!add_string(obj, "date", ni_format_iso8601(
					a->published_at.epoch, date)))
			return 0;
	}
	if (a->quality.present) {
		json_object *q = json_object_new_double(a->quality.value);
		if (!q || json_object_object_add(obj, "quality", q))
			return 0;
	}
	if (a->published.present) {
		json_object *p = json_object_new_boolean(a->published.value);
		if (!p || json_object_object_add(obj, "published", p))
			return 0;
	}
	return 1;
}

/* "image": the first image, for a thumbnail: its URL and size. */
static int add_image(json_object *obj, const struct ni_image *images,
		     size_t n)
{
	if (!n)
		return 1;
	json_object *image = json_object_new_object();
	if (!image || json_object_object_add(obj, "image", image) ||
	    !add_string(image, "url", images[0].url))
		return 0;
	const char *const keys[] = {"width", "height"};
	const int64_t sizes[] = {images[0].width, images[0].height};
	for (int i = 0; i < 2; i++) {
		json_object *size = sizes[i] > 0
			? json_object_new_int64(sizes[i]) : NULL;
		if (sizes[i] > 0 &&
		    (!size || json_object_object_add(image, keys[i], size)))
			return 0;
	}
	return 1;
}

ni_status ni_docdata_encode(const struct ni_article *a, const char *path,
			    const char *related_of, struct ni_buf *out)
{
	json_object *obj = json_object_new_object();
	const char *url = a->web_url ? a->web_url : a->original_url;
	int ok = obj && add_string(obj, "title", a->title) &&
		 add_string(obj, "excerpt", a->excerpt) &&
		 add_string(obj, "url", url) &&
		 add_string(obj, "path", path) &&
		 add_provider(obj, &a->provider) && add_facts(obj, a) &&
		 add_topics(obj, a->topics, a->n_topics) &&
		 add_string(obj, "category", a->category) &&
		 add_string(obj, "type", a->type) &&
		 add_string(obj, "related_of", related_of) &&
		 add_image(obj, a->images, a->n_images) &&
		 add_string(obj, "lang", a->lang[0] ? a->lang : NULL);
	ni_status status = NI_ENOMEM;
	if (ok) {
		size_t len;
		const char *text = json_object_to_json_string_length(
			obj, JSON_C_TO_STRING_PLAIN |
				     JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (text)
			status = ni_buf_add(out, text, len);
	}
	json_object_put(obj);
	return status;
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
		 take_string(obj, "lang", &out->lang) &&
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
	free(d->lang);
	free(d->type);
	free(d->related_of);
	for (size_t i = 0; i < d->n_topics; i++)
		free(d->topics[i]);
	free(d->topics);
	free(d->image.url);
	memset(d, 0, sizeof *d);
}
