/* ni_updater: see include/ni_updater.h. */
#include "ni_updater.h"

#include <stdlib.h>
#include <string.h>

#include "ni_walk.h"

struct ni_updater {
	ni_db *db;
	ni_analyzer *analyzer;
	char **sources;
	size_t n_sources;
	struct ni_build_options options;
	struct ni_build_callbacks callbacks;  /* the caller's */
	/* The duplicates the builds reported, and those the one running
	 * reports (`fresh`). */
	struct ni_build_duplicate *dups;
	size_t n_dups;
	size_t cap_dups;
	struct ni_build_duplicate *fresh;
	size_t n_fresh;
	size_t cap_fresh;
	bool lost;        /* one could not be noted (no memory) */
	/* What the builds of some paths know of the index. */
	ni_build_state *state;
};

static void free_dups(struct ni_build_duplicate *dups, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(dups[i].path);
		free(dups[i].key);
	}
}

/* The builder's duplicate callback: noted, then the caller's. */
static void on_duplicate(void *ctx, const char *path, const char *key,
			 const char *first_path)
{
	ni_updater *u = ctx;
	bool noted = false;
	if (ni_grow(&u->fresh, &u->cap_fresh, u->n_fresh + 1,
		    sizeof *u->fresh) == NI_OK) {
		struct ni_build_duplicate *d = &u->fresh[u->n_fresh];
		*d = (struct ni_build_duplicate){strdup(path), strdup(key),
						 false};
		noted = d->path && d->key;
		if (noted)
			u->n_fresh++;
		else
			free_dups(d, 1);
	}
	/* Forgotten, it would stay out when its key is free again. */
	u->lost = u->lost || !noted;
	if (u->callbacks.duplicate)
		u->callbacks.duplicate(u->callbacks.ctx, path, key,
				       first_path);
}

/* The other callbacks go to the caller's as they are. */
static void on_file(void *ctx, const char *path,
		    const struct ni_index_result *result)
{
	ni_updater *u = ctx;
	if (u->callbacks.file)
		u->callbacks.file(u->callbacks.ctx, path, result);
}

static void on_problem(void *ctx, const char *path, int errnum,
		       bool is_source)
{
	ni_updater *u = ctx;
	if (u->callbacks.problem)
		u->callbacks.problem(u->callbacks.ctx, path, errnum,
				     is_source);
}

static void on_progress(void *ctx, const struct ni_build_counts *counts)
{
	ni_updater *u = ctx;
	if (u->callbacks.progress)
		u->callbacks.progress(u->callbacks.ctx, counts);
}

ni_status ni_updater_new(ni_db *db, ni_analyzer *analyzer,
			 const char *const *sources, size_t n_sources,
			 const struct ni_build_options *options,
			 const struct ni_build_callbacks *callbacks,
			 ni_updater **out)
{
	*out = NULL;
	ni_updater *u = calloc(1, sizeof *u);
	if (!u)
		return NI_ENOMEM;
	u->db = db;
	u->analyzer = analyzer;
	u->options = *options;
	u->callbacks = *callbacks;
	u->sources = calloc(n_sources ? n_sources : 1, sizeof *u->sources);
	u->state = ni_build_state_new();
	ni_status status = u->sources && u->state ? NI_OK : NI_ENOMEM;
	for (size_t i = 0; status == NI_OK && i < n_sources; i++) {
		u->sources[i] = strdup(sources[i]);
		if (u->sources[i])
			u->n_sources++;
		else
			status = NI_ENOMEM;
	}
	if (status != NI_OK) {
		ni_updater_free(u);
		return status;
	}
	*out = u;
	return NI_OK;
}

void ni_updater_free(ni_updater *u)
{
	if (!u)
		return;
	ni_sources_free(u->sources, u->n_sources);
	ni_build_state_free(u->state);
	free_dups(u->dups, u->n_dups);
	free(u->dups);
	free_dups(u->fresh, u->n_fresh);
	free(u->fresh);
	free(u);
}

size_t ni_updater_duplicates(const ni_updater *u)
{
	return u->n_dups;
}

static bool under_any(const char *path, const char *const *paths,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ni_walk_is_under(path, paths[i]))
			return true;
	return false;
}

/*
 * After a build: the duplicates it read or walked again go (each is
 * now an article, or was reported again), those it reported come.
 * `paths` NULL: a whole build, which reported all of them.
 */
static ni_status settle_dups(ni_updater *u, const char *const *paths,
			     size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < u->n_dups; i++) {
		struct ni_build_duplicate *d = &u->dups[i];
		if (!paths || d->read || under_any(d->path, paths, n))
			free_dups(d, 1);
		else
			u->dups[kept++] = *d;
	}
	u->n_dups = kept;
	ni_status status = ni_grow(&u->dups, &u->cap_dups,
				   u->n_dups + u->n_fresh, sizeof *u->dups);
	if (status != NI_OK) {
		free_dups(u->fresh, u->n_fresh);
		u->n_fresh = 0;
		return status;
	}
	if (u->n_fresh)
		memcpy(u->dups + u->n_dups, u->fresh,
		       u->n_fresh * sizeof *u->fresh);
	u->n_dups += u->n_fresh;
	u->n_fresh = 0;
	return NI_OK;
}

/* The build, with the updater's callbacks; `paths` NULL: whole. */
static ni_status run(ni_updater *u, const char *const *paths, size_t n,
		     struct ni_build_counts *counts, struct ni_buf *errmsg)
{
	struct ni_build_callbacks cb = {on_file, on_duplicate, on_problem,
					on_progress, u};
	const char *const *sources = (const char *const *)u->sources;
	struct ni_build_options options = u->options;
	u->lost = false;
	ni_status status;
	if (paths) {
		options.jobs = 1;
		options.stop = NULL;
		status = ni_build_paths(u->db, u->analyzer, sources,
					u->n_sources, paths, n, u->dups,
					u->n_dups, u->state, &options, &cb,
					counts, errmsg);
	} else {
		/* What the state knows may change: the next reads it. */
		ni_build_state *fresh = ni_build_state_new();
		if (!fresh)
			return NI_ENOMEM;
		ni_build_state_free(u->state);
		u->state = fresh;
		status = ni_build(u->db, u->analyzer, sources, u->n_sources,
				  &options, &cb, counts, errmsg);
	}
	ni_status settled = settle_dups(u, paths, n);
	if (status == NI_OK && (settled != NI_OK || u->lost)) {
		ni_buf_addf(errmsg, "cannot remember the duplicates: %s",
			    ni_status_str(NI_ENOMEM));
		status = NI_ENOMEM;
	}
	return status;
}

ni_status ni_updater_build(ni_updater *u, struct ni_build_counts *counts,
			   struct ni_buf *errmsg)
{
	return run(u, NULL, 0, counts, errmsg);
}

ni_status ni_updater_paths(ni_updater *u, const char *const *paths,
			   size_t n, struct ni_build_counts *counts,
			   struct ni_buf *errmsg)
{
	return run(u, paths, n, counts, errmsg);
}
