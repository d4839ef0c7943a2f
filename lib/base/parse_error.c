/*
 * ni_parse_error: see include/ni_parse_error.h.
 */
#include "ni_parse_error.h"

#include <stdarg.h>
#include <stdio.h>

void ni_parse_error_set(struct ni_parse_error *err, unsigned line,
			unsigned column, const char *fmt, ...)
{
	va_list ap;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

const char *ni_skip_name(enum ni_skip kind)
{
	static const char *const names[NI_SKIP_KINDS] = {
		[NI_SKIP_NONE] = "not skipped",
		[NI_SKIP_EMPTY] = "empty",
		[NI_SKIP_NO_FRONT_MATTER] = "no front matter",
		[NI_SKIP_UNCLOSED] = "unclosed front matter",
		[NI_SKIP_BINARY] = "binary",
		[NI_SKIP_INVALID_UTF8] = "invalid UTF-8",
		[NI_SKIP_INVALID_YAML] = "invalid YAML",
		[NI_SKIP_NOT_MAPPING] = "not a mapping",
		[NI_SKIP_TOO_DEEP] = "too deeply nested",
		[NI_SKIP_TOO_LARGE] = "too large",
		[NI_SKIP_UNREADABLE] = "unreadable",
		[NI_SKIP_VANISHED] = "vanished",
	};
	return kind < NI_SKIP_KINDS ? names[kind] : "unknown";
}
