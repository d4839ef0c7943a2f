/*
 * ni_url.h - the forms of one web address that name the same article.
 *
 * People paste an article's address as their browser or an app gave it
 * to them: with a share's tracking parameters (?utm_source=...), a
 * fragment (#comments), http for https, without "www." or with a slash
 * at the end.  The index holds the address as the article's front matter
 * wrote it, so each lookup by URL (url:, a pasted address, --like,
 * /api/article?url=) asks for each of these forms, not the pasted text
 * alone.  Nothing here reads or changes what is indexed.
 */
#ifndef NI_URL_H
#define NI_URL_H

#include <stddef.h>

#include "ni_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many forms: the URL as given, then 2 schemes x 2 hosts x
 * 2 paths x 2 queries. */
#define NI_URL_VARIANTS_MAX 17

/* Called with each form, `len` bytes (not NUL-terminated); a status
 * other than NI_OK stops the walk and is returned. */
typedef ni_status (*ni_url_each_fn)(const char *form, size_t len,
				    void *arg);

/*
 * Call `each` with `url` (`len` bytes) as given, then, for an http or
 * https URL with a host and without user information, each different
 * form of it:
 *   - the scheme lowercased, https and http;
 *   - the host lowercased, with and without a leading "www.", and
 *     without the scheme's default port (:80, :443);
 *   - the path as given and with its last '/' added or taken away
 *     ("" and "/" are each other's);
 *   - the query without tracking parameters (utm_*, fbclid, gclid and
 *     the others docs/query-syntax.md lists; no '?' if none is left),
 *     and also as given when that differs;
 *   - never the fragment (#...);
 *   - the article, not its AMP page: the page a Google AMP viewer
 *     (google.com/amp/s/HOST/PATH) or the AMP cache
 *     (X.cdn.ampproject.org/c/s/HOST/PATH) shows, without "amp." before
 *     the host, ".amp", "/amp" or "/amp/" after the path.
 * Each form is given once.  Any other URL is given as it is, only.
 * NI_ENOMEM, or `each`'s own status.
 */
ni_status ni_url_variants(const char *url, size_t len, ni_url_each_fn each,
			  void *arg);

#ifdef __cplusplus
}
#endif

#endif
