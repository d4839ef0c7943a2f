/*
 * What a handler of the server uses to read its request and write its
 * response: see serve.h ("for handlers").  Apart from serve.c, which
 * calls the handlers, so that the handlers and the server do not call
 * each other.
 */
#include "serve.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ni_cli.h"

const struct query_bounds SERVE_BOUNDS = {SERVE_MAX_LIMIT, SERVE_MAX_OFFSET};

const char *serve_param(const struct serve_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

static bool listed(const char *name, const char *const *names)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

bool serve_check_params(const struct serve_request *req,
			const char *const *names, bool search_options,
			struct serve_response *res)
{
	for (size_t i = 0; i < req->n_params; i++) {
		const char *name = req->params[i].name;
		if (!listed(name, names) &&
		    !(search_options && query_option_known(name, true))) {
			serve_error(res, 400, name, "unknown parameter '%s'",
				    name);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(req->params[j].name, name)) {
				serve_error(res, 400, name, "%s: given twice",
					    name);
				return false;
			}
		}
	}
	return true;
}

bool serve_search_options(const struct serve_request *req,
			  struct query_options *out, const char **param,
			  struct ni_buf *problem)
{
	*out = req->ctx->settings->defaults;
	out->search.now = (int64_t)time(NULL);
	*param = NULL;
	for (size_t i = 0; i < req->n_params; i++) {
		const struct serve_param *p = &req->params[i];
		if (query_option_known(p->name, true) &&
		    !query_option_set(out, p->name, p->value, true,
				      &SERVE_BOUNDS, problem)) {
			*param = p->name;
			return false;
		}
	}
	return true;
}

bool serve_etag_matches(const struct serve_request *req, const char *etag)
{
	const char *p = req->if_none_match;
	size_t len = strlen(etag);
	while (p && *p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		size_t tag = strcspn(p, ",");
		while (tag && (p[tag - 1] == ' ' || p[tag - 1] == '\t'))
			tag--;
		if (tag == len && !memcmp(p, etag, len))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

ni_status serve_header(struct serve_response *res, const char *name,
		       const char *value)
{
	size_t was = res->headers.len;
	ni_status status = ni_buf_adds(&res->headers, name);
	if (status == NI_OK)
		status = ni_buf_addch(&res->headers, '\0');
	if (status == NI_OK)
		status = ni_buf_adds(&res->headers, value);
	if (status == NI_OK)
		status = ni_buf_addch(&res->headers, '\0');
	if (status != NI_OK)
		ni_buf_truncate(&res->headers, was);
	return status;
}

FILE *serve_stream_open(struct serve_stream *s)
{
	s->text = NULL;
	s->len = 0;
	s->file = open_memstream(&s->text, &s->len);
	return s->file;
}

ni_status serve_stream_close(struct serve_stream *s,
			     struct serve_response *res)
{
	if (!s->file)
		return NI_ENOMEM;
	bool ok = !ferror(s->file);
	ok = fclose(s->file) == 0 && ok;
	s->file = NULL;
	ni_status status = ok ? ni_buf_add(&res->body, s->text, s->len)
			      : NI_ENOMEM;
	free(s->text);
	s->text = NULL;
	return status;
}

ni_status serve_json_body(struct serve_response *res,
			  struct json_object *obj)
{
	const char *text = obj ? json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
			       : NULL;
	struct serve_stream s;
	if (!text || !serve_stream_open(&s))
		return NI_ENOMEM;
	ni_cli_put_json_line(s.file, text);
	return serve_stream_close(&s, res);
}

struct json_object *serve_error_json(unsigned status, const char *parameter,
				     const char *message)
{
	json_object *obj = json_object_new_object();
	if (obj &&
	    !json_object_object_add(obj, "version", json_object_new_int(1)) &&
	    !json_object_object_add(obj, "status",
				    json_object_new_int((int)status)) &&
	    !json_object_object_add(obj, "error",
				    json_object_new_string(message)) &&
	    !json_object_object_add(obj, "parameter", parameter
				    ? json_object_new_string(parameter)
				    : NULL))
		return obj;
	json_object_put(obj);
	return NULL;
}

ni_status serve_error(struct serve_response *res, unsigned status,
		      const char *parameter, const char *fmt, ...)
{
	struct ni_buf message = NI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ni_status st = ni_buf_vaddf(&message, fmt, ap);
	va_end(ap);
	json_object *obj = st == NI_OK
		? serve_error_json(status, parameter, ni_buf_str(&message))
		: NULL;
	if (obj) {
		ni_buf_reset(&res->body);
		res->status = status;
		res->content_type = SERVE_JSON_TYPE;
		st = serve_json_body(res, obj);
	} else {
		st = NI_ENOMEM;
	}
	json_object_put(obj);
	ni_buf_release(&message);
	return st;
}

void serve_response_reset(struct serve_response *res)
{
	res->status = 200;
	res->content_type = SERVE_JSON_TYPE;
	res->event_stream = false;
	ni_buf_reset(&res->body);
	ni_buf_reset(&res->headers);
}

void serve_response_release(struct serve_response *res)
{
	ni_buf_release(&res->body);
	ni_buf_release(&res->headers);
}

ni_status serve_open_index(const struct serve_settings *settings,
			   ni_db **db, struct ni_buf *detail)
{
	return ni_db_open(settings->db_path, settings->allow_partial
			  ? NI_DB_READ_PARTIAL : NI_DB_READ,
			  ni_analyzer_settings(), db, detail);
}

bool serve_is_origin(const char *text, size_t len)
{
	size_t at = !strncasecmp(text, "https://", 8) ? 8
		    : !strncasecmp(text, "http://", 7) ? 7 : 0;
	if (!at || at == len)
		return false;
	size_t host = text[at] == '['
		? 1 + strspn(text + at + 1, "0123456789abcdefABCDEF:.")
		: strspn(text + at, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	if (text[at] == '[' && host > 1 && at + host < len &&
	    text[at + host] == ']')
		host++;
	else if (text[at] == '[')
		return false;
	at += host;
	if (!host)
		return false;
	if (at < len && text[at] == ':') {
		size_t port = strspn(text + at + 1, "0123456789");
		if (!port || port > 5)
			return false;
		at += 1 + port;
	}
	return at == len;
}
