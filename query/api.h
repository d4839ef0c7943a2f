/*
 * api.h - the server's JSON API (docs/serving.md): the handlers the
 * route table of serve.c names, each as serve.h's serve_handler says.
 *
 *   /api/search    newsquery --json, with its options as parameters
 *   /api/article   the stored record of one article, and its related ones
 *   /api/suggest   completions of the query's last word, from the index
 *                  (format=opensearch: OpenSearch's suggestions, app.h)
 *   /api/stats     the index and the server, in numbers
 *   /healthz       whether the index can be searched
 */
#ifndef NEWSQUERY_API_H
#define NEWSQUERY_API_H

#include "serve.h"

/* The type of /api/suggest?format=opensearch (OpenSearch's
 * suggestions extension). */
#define API_SUGGESTIONS_TYPE "application/x-suggestions+json"

ni_status api_search(const struct serve_request *req,
		     struct serve_response *res);
ni_status api_article(const struct serve_request *req,
		      struct serve_response *res);
ni_status api_suggest(const struct serve_request *req,
		      struct serve_response *res);
ni_status api_stats(const struct serve_request *req,
		    struct serve_response *res);
ni_status api_healthz(const struct serve_request *req,
		      struct serve_response *res);

#endif
