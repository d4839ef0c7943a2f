/* ni_walk: see include/ni_walk.h. */
#include "ni_walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ni_buf.h"

/* A folder already entered, by identity: links can lead back to it. */
struct visited {
	dev_t dev;
	ino_t ino;
};

struct walker {
	const struct ni_walk_callbacks *cb;
	struct visited *seen;
	size_t n_seen;
	size_t cap_seen;
	struct ni_buf path;      /* the path being built, grown per level */
	int stopped_by;
};

static const char *const ARTICLE_ENDINGS[] = {".txt", ".md", ".markdown"};

int ni_walk_is_article_name(const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof ARTICLE_ENDINGS / sizeof *ARTICLE_ENDINGS;
	     i++) {
		size_t n = strlen(ARTICLE_ENDINGS[i]);
		if (len > n && !strcasecmp(name + len - n, ARTICLE_ENDINGS[i]))
			return 1;
	}
	return 0;
}

bool ni_walk_is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len == 1 && dir[0] == '/')
		return path[0] == '/';  /* everything is under "/" */
	return !strncmp(path, dir, len) &&
	       (path[len] == '/' || path[len] == '\0');
}

bool ni_walk_reaches(const char *path, const char *source, bool is_folder)
{
	if (!ni_walk_is_under(path, source))
		return false;
	size_t len = strlen(source);
	while (len > 1 && source[len - 1] == '/')
		len--;
	if (len == 1)
		len = 0;  /* the root: every name after it counts */
	const char *rest = path + len;
	if (!*rest)
		return true;  /* the source itself */
	const char *name = rest;
	for (const char *p = rest; *p; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '.')
			return false;
		name = p + 1;
	}
	return is_folder || ni_walk_is_article_name(name);
}

int ni_walk_compare(const char *a, const char *b)
{
	for (;;) {
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
		int c = memcmp(a, b, la < lb ? la : lb);
		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		/* The same name: the one that ends here comes first. */
		if (!a[la] || !b[lb])
			return !a[la] ? (b[lb] ? -1 : 0) : 1;
		a += la + 1;
		b += lb + 1;
	}
}

static void report(struct walker *w, const char *path, int errnum,
		   bool is_source)
{
	if (w->cb->problem)
		w->cb->problem(w->cb->ctx, path, errnum, is_source);
}

/* Remember a folder; false (and *st left alone) if it was seen before. */
static ni_status mark_visited(struct walker *w, const struct stat *st,
			      bool *first_time)
{
	for (size_t i = 0; i < w->n_seen; i++) {
		if (w->seen[i].dev == st->st_dev &&
		    w->seen[i].ino == st->st_ino) {
			*first_time = false;
			return NI_OK;
		}
	}
	if (ni_grow(&w->seen, &w->cap_seen, w->n_seen + 1,
		    sizeof *w->seen) != NI_OK)
		return NI_ENOMEM;
	w->seen[w->n_seen++] = (struct visited){st->st_dev, st->st_ino};
	*first_time = true;
	return NI_OK;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The visible entries of a folder, sorted, so every build walks files in
 * the same order whatever the file system returns.
 */
static ni_status read_names(DIR *dir, char ***out, size_t *n_out)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		if (ni_grow(&names, &cap, n + 1, sizeof *names) != NI_OK)
			goto nomem;
		if (!(names[n] = strdup(entry->d_name)))
			goto nomem;
		n++;
	}
	if (n)
		qsort(names, n, sizeof *names, compare_names);
	*out = names;
	*n_out = n;
	return NI_OK;
nomem:
	free_names(names, n);
	return NI_ENOMEM;
}

static ni_status walk_path(struct walker *w, bool is_source);

static ni_status walk_folder(struct walker *w, const struct stat *st,
			     bool is_source)
{
	bool first_time;
	ni_status status = mark_visited(w, st, &first_time);
	if (status != NI_OK)
		return status;
	if (!first_time) {
		report(w, w->path.data, ELOOP, is_source);
		return NI_OK;
	}
	DIR *dir = opendir(w->path.data);
	if (!dir) {
		report(w, w->path.data, errno, is_source);
		return NI_OK;
	}
	char **names;
	size_t n_names;
	status = read_names(dir, &names, &n_names);
	closedir(dir);
	if (status != NI_OK)
		return status;
	size_t base = w->path.len;
	for (size_t i = 0; i < n_names && !w->stopped_by; i++) {
		ni_buf_truncate(&w->path, base);
		if (base && w->path.data[base - 1] != '/')
			status = ni_buf_addch(&w->path, '/');
		if (status == NI_OK)
			status = ni_buf_adds(&w->path, names[i]);
		if (status == NI_OK)
			status = walk_path(w, false);
		if (status != NI_OK)
			break;
	}
	ni_buf_truncate(&w->path, base);
	free_names(names, n_names);
	return status;
}

/* Walk w->path: a source named by the user, or an entry of a folder. */
static ni_status walk_path(struct walker *w, bool is_source)
{
	struct stat st;
	if (stat(w->path.data, &st) != 0) {
		/* A dangling link inside a folder is not worth a word. */
		if (is_source || errno != ENOENT)
			report(w, w->path.data, errno, is_source);
		return NI_OK;
	}
	if (S_ISDIR(st.st_mode))
		return walk_folder(w, &st, is_source);
	if (!S_ISREG(st.st_mode)) {
		if (is_source)
			report(w, w->path.data, EINVAL, true);
		return NI_OK;
	}
	const char *name = strrchr(w->path.data, '/');
	name = name ? name + 1 : w->path.data;
	if (is_source || ni_walk_is_article_name(name))
		w->stopped_by = w->cb->file(w->cb->ctx, w->path.data, &st);
	return NI_OK;
}

ni_status ni_walk(const char *const *sources, size_t n_sources,
		  const struct ni_walk_callbacks *callbacks, int *stopped_by)
{
	struct walker w = {.cb = callbacks, .path = NI_BUF_INIT};
	ni_status status = NI_OK;
	for (size_t i = 0; i < n_sources && !w.stopped_by; i++) {
		ni_buf_reset(&w.path);
		status = ni_buf_adds(&w.path, sources[i]);
		if (status == NI_OK)
			status = walk_path(&w, true);
		if (status != NI_OK)
			break;
	}
	if (stopped_by)
		*stopped_by = w.stopped_by;
	ni_buf_release(&w.path);
	free(w.seen);
	return status;
}
