/*
 * ni_buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Used wherever the library builds text of unknown length: terms, error
 * messages, document data.  Modeled on git's strbuf: a zeroed struct
 * (NI_BUF_INIT) is an empty buffer that owns nothing yet.
 *
 * Ownership: the buffer owns `data`; ni_buf_release() frees it.  `data` is
 * valid until the next call that grows the buffer.  A buffer whose append
 * failed keeps its previous contents.
 */
#ifndef NI_BUF_H
#define NI_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "ni_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ni_buf {
	char *data;   /* NUL-terminated; NULL until something is appended */
	size_t len;   /* bytes in use, not counting the NUL */
	size_t cap;   /* bytes allocated */
};

#define NI_BUF_INIT {NULL, 0, 0}

/* Make room for `extra` more bytes (plus the NUL).  NI_ENOMEM on failure. */
ni_status ni_buf_grow(struct ni_buf *buf, size_t extra);

/* Append `len` bytes; NI_ENOMEM on failure. */
ni_status ni_buf_add(struct ni_buf *buf, const void *bytes, size_t len);

/* Append a NUL-terminated string. */
ni_status ni_buf_adds(struct ni_buf *buf, const char *str);

/* Append one byte. */
ni_status ni_buf_addch(struct ni_buf *buf, char c);

/* Append printf-style formatted text. */
ni_status ni_buf_addf(struct ni_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
ni_status ni_buf_vaddf(struct ni_buf *buf, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Empty the buffer but keep its memory. */
void ni_buf_reset(struct ni_buf *buf);

/* Cut the buffer to `len` bytes (len must not exceed buf->len). */
void ni_buf_truncate(struct ni_buf *buf, size_t len);

/*
 * Hand the contents to the caller: returns a NUL-terminated string the
 * caller frees with free() (an empty string, never NULL, unless out of
 * memory), and leaves the buffer empty.
 */
char *ni_buf_detach(struct ni_buf *buf);

/* Free the memory and leave an empty buffer.  Safe on an empty buffer. */
void ni_buf_release(struct ni_buf *buf);

/*
 * Make the array `*items` (of `*cap` elements of `size` bytes) hold at
 * least `want` elements, doubling its capacity (git's ALLOC_GROW).  On
 * NI_ENOMEM the array is unchanged.  `*items` may be NULL with *cap 0.
 */
ni_status ni_grow(void *items, size_t *cap, size_t want, size_t size);

/* The contents as a C string: "" for a buffer that owns nothing yet. */
static inline const char *ni_buf_str(const struct ni_buf *buf)
{
	return buf->data ? buf->data : "";
}

#ifdef __cplusplus
}
#endif

#endif
