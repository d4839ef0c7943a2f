/* ni_buf: see include/ni_buf.h. */
#include "ni_buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ni_status ni_buf_grow(struct ni_buf *buf, size_t extra)
{
	if (extra > SIZE_MAX - buf->len - 1)
		return NI_ENOMEM;
	size_t need = buf->len + extra + 1;
	if (need <= buf->cap)
		return NI_OK;
	size_t cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *data = realloc(buf->data, cap);
	if (!data)
		return NI_ENOMEM;
	if (!buf->data)
		data[0] = '\0';
	buf->data = data;
	buf->cap = cap;
	return NI_OK;
}

ni_status ni_buf_add(struct ni_buf *buf, const void *bytes, size_t len)
{
	ni_status st = ni_buf_grow(buf, len);
	if (st != NI_OK)
		return st;
	if (len)
		memcpy(buf->data + buf->len, bytes, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return NI_OK;
}

ni_status ni_buf_adds(struct ni_buf *buf, const char *str)
{
	return ni_buf_add(buf, str, strlen(str));
}

ni_status ni_buf_addch(struct ni_buf *buf, char c)
{
	return ni_buf_add(buf, &c, 1);
}

ni_status ni_buf_vaddf(struct ni_buf *buf, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int need = vsnprintf(NULL, 0, fmt, ap);
	ni_status st = need < 0 ? NI_EINVAL : ni_buf_grow(buf, (size_t)need);
	if (st == NI_OK) {
		vsnprintf(buf->data + buf->len, (size_t)need + 1, fmt, again);
		buf->len += (size_t)need;
	}
	va_end(again);
	return st;
}

ni_status ni_buf_addf(struct ni_buf *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ni_status st = ni_buf_vaddf(buf, fmt, ap);
	va_end(ap);
	return st;
}

void ni_buf_reset(struct ni_buf *buf)
{
	ni_buf_truncate(buf, 0);
}

void ni_buf_truncate(struct ni_buf *buf, size_t len)
{
	if (!buf->data || len > buf->len)
		return;
	buf->len = len;
	buf->data[len] = '\0';
}

char *ni_buf_detach(struct ni_buf *buf)
{
	char *data = buf->data ? buf->data : strdup("");
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return data;
}

void ni_buf_release(struct ni_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

ni_status ni_grow(void *items, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return NI_OK;
	size_t grown = *cap ? *cap : 16;
	while (grown < want) {
		if (grown > SIZE_MAX / 2 / size)
			return NI_ENOMEM;
		grown *= 2;
	}
	void **array = items;
	void *bigger = realloc(*array, grown * size);
	if (!bigger)
		return NI_ENOMEM;
	*array = bigger;
	*cap = grown;
	return NI_OK;
}
