/* What newsindex build and watch say of each file: see report.h. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ni_cli.h"

double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void clear_progress(struct reporter *r)
{
	if (r->progress_shown) {
		fputs("\r\033[K", stderr);
		r->progress_shown = false;
	}
}

/* A file's name may hold anything, an escape too: it is escaped. */
static void print_place(const char *path, unsigned line, unsigned column)
{
	ni_cli_put_escaped(stderr, path, NI_CLI_ESCAPE_HEX);
	fputs(": ", stderr);
	if (line)
		fprintf(stderr, "line %u col %u: ", line, column);
}

void report_file(void *ctx, const char *path,
		 const struct ni_index_result *res)
{
	struct reporter *r = ctx;
	clear_progress(r);
	if (!res->indexed && !res->key) {
		print_place(path, res->line, res->column);
		ni_cli_put_escaped(stderr, res->reason,
				   NI_CLI_ESCAPE_HEX);
		if (res->dropped)
			fputs("; its article is deleted", stderr);
		fputc('\n', stderr);
		return;
	}
	if (r->quiet)
		return;
	for (size_t i = 0; i < res->n_warnings; i++) {
		print_place(path, res->warnings[i].line,
			    res->warnings[i].column);
		fputs("warning: ", stderr);
		ni_cli_put_escaped(stderr, res->warnings[i].message,
				   NI_CLI_ESCAPE_HEX);
		fputc('\n', stderr);
	}
	if (res->n_warnings_dropped) {
		print_place(path, 0, 0);
		fprintf(stderr, "warning: %zu more warnings\n",
			res->n_warnings_dropped);
	}
	if (res->n_words_dropped) {
		print_place(path, 0, 0);
		fprintf(stderr, "warning: %zu words longer than %d bytes not "
			"indexed\n", res->n_words_dropped,
			NI_ANALYZER_MAX_WORD);
	}
}

void report_duplicate(void *ctx, const char *path, const char *key,
		      const char *first_path)
{
	clear_progress(ctx);
	/* The key is a URL from the article: untrusted. */
	print_place(path, 0, 0);
	fputs("skipped: ", stderr);
	ni_cli_put_escaped(stderr, key, NI_CLI_ESCAPE_HEX);
	fputs(" is already the article of ", stderr);
	ni_cli_put_escaped(stderr, first_path, NI_CLI_ESCAPE_HEX);
	fputc('\n', stderr);
}

void report_problem(void *ctx, const char *path, int errnum,
		    bool is_source)
{
	struct reporter *r = ctx;
	clear_progress(r);
	fputs("newsindex: ", stderr);
	print_place(path, 0, 0);
	if (errnum == ELOOP) {
		fputs("skipped: a link loop (a link to itself or to a folder "
		      "already walked), or a folder named twice\n", stderr);
		return;
	}
	fputs(errnum == EINVAL ? "skipped: not a regular file or folder"
	      : strerror(errnum), stderr);
	if (!is_source) {
		fputc('\n', stderr);
		return;
	}
	/* A source the index remembers (one it does not is left out
	 * before, leave_out_unwalkable): an unmounted disk, or gone. */
	fputs("; its articles are kept: build again once it is back, or "
	      "if it is gone for good, run 'newsindex forget --db ", stderr);
	ni_cli_put_escaped(stderr, r->db_path, NI_CLI_ESCAPE_HEX);
	fputc(' ', stderr);
	ni_cli_put_escaped(stderr, path, NI_CLI_ESCAPE_HEX);
	fputs("'\n", stderr);
}

