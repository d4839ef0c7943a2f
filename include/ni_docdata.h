/*
 * ni_docdata.h - what the index stores with each article for display.
 *
 * Each Xapian document carries, as its data, one JSON object with what a
 * result needs to be shown without reading the article's file again
 * (docs/schema.md gives the format):
 *   {"title", "excerpt", "url", "path", "provider": {"name", "domain"},
 *    "date", "quality", "published", "topics": [...], "category", "type",
 *    "related_of", "image": {"url", "width", "height"}, "lang"}
 * Absent values are left out.  The indexer encodes it, the query side
 * decodes it; this module is the only place that knows the format.
 *
 * Ownership: ni_docdata_decode() fills a struct whose strings it owns;
 * ni_docdata_clear() frees them.
 */
#ifndef NI_DOCDATA_H
#define NI_DOCDATA_H

#include <stddef.h>
#include <stdint.h>

#include "ni_article.h"
#include "ni_buf.h"
#include "ni_status.h"

struct ni_docdata {
	char *title;
	char *excerpt;
	char *url;             /* webUrl, else originalUrl */
	char *path;            /* absolute path of the article's file */
	char *provider_name;
	char *provider_domain;
	char *category;
	char *type;
	char *related_of;      /* the parent's key, for a related record */
	char *lang;            /* its `lang` as a BCP 47 tag ("de-AT") */
	struct ni_opt_time date;
	struct ni_opt_double quality;
	struct ni_opt_bool published;
	char **topics;
	size_t n_topics;
	/* The article's first image (images[0]), as written: any URL (the
	 * page shows only https), its size 0 when not given; url NULL when
	 * the article has none (or was indexed before images were kept). */
	struct ni_docimage {
		char *url;
		int64_t width, height;
	} image;
};

/*
 * Append the document data of `article`, read from the file at `path`
 * (absolute), to `out`; `related_of` is the key of the article it is a
 * related record of, or NULL.  NI_ENOMEM on failure.
 */
ni_status ni_docdata_encode(const struct ni_article *article,
			    const char *path, const char *related_of,
			    struct ni_buf *out);

/*
 * Read document data written by ni_docdata_encode().  `data` is borrowed
 * for the call.  On NI_OK the caller clears `*out` with
 * ni_docdata_clear(); NI_EPARSE when the data is not such an object.
 */
ni_status ni_docdata_decode(const char *data, size_t len,
			    struct ni_docdata *out);

/* Free what `data` owns and zero it.  Safe on a zeroed struct. */
void ni_docdata_clear(struct ni_docdata *data);

#endif
