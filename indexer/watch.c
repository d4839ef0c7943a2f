/*
 * newsindex watch - keep the index up to date as article files come,
 * change and go, within a second.
 *
 * First an ordinary incremental build of the sources (ni_updater_build),
 * then Linux inotify, the kernel's own interface (docs/architecture.md
 * says why no library): every folder under the sources is watched, and
 * the paths its events name are gathered into a batch, built
 * (ni_updater_paths: as a whole build would make them) and committed
 * once the events pause, or the batch is old or large enough.  When the
 * kernel's queue overflows, or a disk is unmounted, nothing is trusted:
 * a whole build again.  Folders it runs out of watches for are walked
 * again every --rescan seconds instead.
 */
/* ppoll(2): a wait for events that a signal ends, without a race. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_config.h"
#include "ni_strmap.h"
#include "ni_updater.h"
#include "ni_walk.h"
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"
#include "report.h"

const char WATCH_USAGE[] =
	"usage: newsindex watch [--db PATH] [--log] [--quiet]\n"
	"                       [--max-file-size BYTES]\n"
	"                       [--max-field-words N] [--rescan SECONDS]\n"
	"                       [--max-watches N] [SOURCE...]\n"
	"\n"
	"Keep the index up to date with the articles in each SOURCE (without\n"
	"SOURCE, the sources of earlier builds), as they are written: first\n"
	"an incremental build, as 'newsindex build' does, then each article\n"
	"file closed after writing, renamed or moved in, changed, deleted or\n"
	"moved out, and each folder made, removed or moved, is indexed in a\n"
	"batch committed within a second (a burst in batches of at most\n"
	"1000 paths).  Searches (newsquery, newsquery --serve) see each\n"
	"commit.  The index is then what a build of the same files would\n"
	"make.  Files are indexed once written, never half-written: a\n"
	"crawler's temporary file renamed into place is indexed once;\n"
	"hidden files and names that are not articles' (editors' swap files)\n"
	"are ignored, as build ignores them.  While watch runs, it is the\n"
	"index's one writer: build, compact and forget say so (with its pid)\n"
	"and exit 4.\n"
	"\n"
	"  --db PATH             the index (as for build)\n"
	"  --log                 a line on stdout for each batch (for a\n"
	"                        journal); on a terminal, a status line is\n"
	"                        kept on stderr instead\n"
	"  -q, --quiet           do not print warnings, only skipped files\n"
	"  --max-file-size BYTES, --max-field-words N   as for build\n"
	"  --rescan SECONDS      walk the folders it could not watch (out of\n"
	"                        inotify watches) again this often\n"
	"                        (default 60)\n"
	"  --max-watches N       watch at most N folders; the others are\n"
	"                        walked again every --rescan seconds\n"
	"                        (default: as many as the kernel allows,\n"
	"                        fs.inotify.max_user_watches)\n"
	"  -h, --help            show this help\n"
	"\n"
	"When the kernel's event queue overflows\n"
	"(fs.inotify.max_queued_events) or a disk under a source is\n"
	"unmounted, a whole incremental build runs again.\n"
	"\n"
	"SIGINT or SIGTERM finishes the batch, commits it and ends by that\n"
	"signal (status 130 or 143); after SIGKILL, the next watch or\n"
	"build makes the index what the files are.\n"
	"\n"
	"Exit status: 1 the index could not be written or a SOURCE read,\n"
	"2 bad usage, 4 another command is writing the index; stopped by a\n"
	"signal, that signal.\n";

/* A batch is built once events pause this long ... */
#define QUIET_MS 50
/* ... or its first event is this old, or it has this many paths. */
#define MAX_DELAY_MS 250
#define MAX_BATCH 1000

/* What inotify is asked for on each folder. */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
		    IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_EXCL_UNLINK)

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	stop_requested = sig;
	/* A second signal ends the program at once, as usual. */
	signal(sig, SIG_DFL);
}

struct watch_options {
	const char *db_flag;
	struct build_config c;
	bool log;
	bool quiet;
	double rescan_seconds;
	unsigned long max_watches;   /* 0: as many as the kernel allows */
};

struct watcher {
	const struct watch_options *o;
	const char *db_path;
	char **sources;
	size_t n_sources;
	int fd;                  /* inotify's */
	char **dirs;             /* the folder of each watch descriptor */
	size_t cap_dirs;
	size_t n_watched;
	/* Folders not watched (out of watches): walked every --rescan. */
	char **unwatched;
	size_t n_unwatched;
	bool said_out_of_watches;
	double next_rescan;
	/* The paths of the next batch, once each. */
	struct ni_strmap queued;
	char **batch;
	size_t n_batch;
	size_t cap_batch;
	double batch_since;      /* its first event; last event */
	double last_event;
	bool rebuild;            /* a whole build is due */
	/* What the status line and the log say. */
	struct reporter r;
	unsigned long batches;
	double last_commit;      /* seconds since start; < 0 none yet */
	unsigned long last_files;
	double rate;             /* articles a second of the last batch */
	ni_db *db;
	ni_updater *updater;
};

static double now_s(const struct watcher *w)
{
	return seconds_since(&w->r.start);
}

/* --- watching folders ------------------------------------------------- */

static void forget_watches(struct watcher *w)
{
	for (size_t i = 0; i < w->cap_dirs; i++) {
		free(w->dirs[i]);
		w->dirs[i] = NULL;
	}
	w->n_watched = 0;
	for (size_t i = 0; i < w->n_unwatched; i++)
		free(w->unwatched[i]);
	w->n_unwatched = 0;
}

static int note_unwatched(struct watcher *w, const char *dir, int err)
{
	char **list = realloc(w->unwatched,
			      (w->n_unwatched + 1) * sizeof *list);
	if (!list)
		return -1;
	w->unwatched = list;
	if (!(list[w->n_unwatched] = strdup(dir)))
		return -1;
	w->n_unwatched++;
	if (w->said_out_of_watches)
		return 0;
	w->said_out_of_watches = true;
	clear_progress(&w->r);
	fputs("newsindex: ", stderr);
	ni_cli_put_escaped(stderr, dir, NI_CLI_ESCAPE_HEX);
	if (err == ENOSPC || err == 0) {
		long max = -1;
		FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "r");
		if (f && fscanf(f, "%ld", &max) != 1)
			max = -1;
		if (f)
			fclose(f);
		if (err == 0)
			fprintf(stderr, ": not watched, over --max-watches "
				"%lu", w->o->max_watches);
		else
			fprintf(stderr, ": out of inotify watches "
				"(fs.inotify.max_user_watches is %ld); raise "
				"it with 'sysctl fs.inotify.max_user_watches="
				"%ld'", max, max > 0 ? max * 4 : 524288);
	} else {
		fprintf(stderr, ": cannot watch: %s", strerror(err));
	}
	fprintf(stderr, "; it and the folders it could not watch are walked "
		"again every %g s\n", w->o->rescan_seconds);
	return 0;
}

/* Remember that watch descriptor `wd` is on `dir`. */
static int note_watch(struct watcher *w, int wd, const char *dir)
{
	size_t at = (size_t)wd;
	if (at >= w->cap_dirs) {
		size_t cap = at * 2 + 64;
		char **dirs = realloc(w->dirs, cap * sizeof *dirs);
		if (!dirs)
			return -1;
		memset(dirs + w->cap_dirs, 0,
		       (cap - w->cap_dirs) * sizeof *dirs);
		w->dirs = dirs;
		w->cap_dirs = cap;
	}
	char *copy = strdup(dir);
	if (!copy)
		return -1;
	if (!w->dirs[at])
		w->n_watched++;
	free(w->dirs[at]);
	w->dirs[at] = copy;
	return 0;
}

/*
 * Watch `dir` and every folder under it a walk enters (not hidden ones),
 * each once (`seen`, by device and inode: links may loop).  -1 when
 * memory ran out.
 */
static int watch_tree(struct watcher *w, struct ni_buf *dir,
		      struct ni_strmap *seen)
{
	struct stat st;
	if (stat(dir->data, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	char id[64];
	int len = snprintf(id, sizeof id, "%llx:%llx",
			   (unsigned long long)st.st_dev,
			   (unsigned long long)st.st_ino);
	size_t ignored;
	if (ni_strmap_get(seen, id, (size_t)len, &ignored))
		return 0;
	if (ni_strmap_put(seen, id, (size_t)len, 0) != NI_OK)
		return -1;
	if (w->o->max_watches && w->n_watched >= w->o->max_watches)
		return note_unwatched(w, dir->data, 0);
	int wd = inotify_add_watch(w->fd, dir->data, WATCH_MASK);
	if (wd < 0)
		return errno == ENOENT || errno == ENOTDIR
			? 0 : note_unwatched(w, dir->data, errno);
	if (note_watch(w, wd, dir->data) != 0)
		return -1;
	DIR *d = opendir(dir->data);
	if (!d)
		return 0;  /* the build says why */
	size_t base = dir->len;
	int result = 0;
	const struct dirent *e;
	while (result == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (e->d_type != DT_DIR && e->d_type != DT_LNK &&
		     e->d_type != DT_UNKNOWN))
			continue;
		ni_buf_truncate(dir, base);
		if ((base > 1 && ni_buf_addch(dir, '/') != NI_OK) ||
		    ni_buf_adds(dir, e->d_name) != NI_OK)
			result = -1;
		else
			result = watch_tree(w, dir, seen);
	}
	ni_buf_truncate(dir, base);
	closedir(d);
	return result;
}

/* Watch the folder `path` and those under it; -1: out of memory. */
static int watch_folder(struct watcher *w, const char *path)
{
	struct ni_buf dir = NI_BUF_INIT;
	struct ni_strmap seen = NI_STRMAP_INIT;
	int result = ni_buf_adds(&dir, path) == NI_OK
		? watch_tree(w, &dir, &seen) : -1;
	ni_strmap_release(&seen);
	ni_buf_release(&dir);
	return result;
}

/*
 * Watch every source: a folder and all under it; a file by its folder
 * (a file renamed into its place is another file), whose other entries
 * are no source's.
 */
static int watch_sources(struct watcher *w)
{
	forget_watches(w);
	int result = 0;
	for (size_t i = 0; result == 0 && i < w->n_sources; i++) {
		struct stat st;
		const char *source = w->sources[i];
		if (stat(source, &st) == 0 && !S_ISDIR(st.st_mode)) {
			char *parent = strdup(source);
			char *slash = parent ? strrchr(parent, '/') : NULL;
			if (slash)
				slash[slash == parent] = '\0';
			int wd = parent ? inotify_add_watch(w->fd, parent,
							    WATCH_MASK) : -1;
			if (!parent)
				result = -1;
			else if (wd >= 0)
				result = note_watch(w, wd, parent);
			else
				result = note_unwatched(w, source, errno);
			free(parent);
		} else {
			result = watch_folder(w, source);
		}
	}
	return result;
}

/* No longer watch `dir` and the folders under it (moved out, gone). */
static void unwatch_under(struct watcher *w, const char *dir)
{
	for (size_t i = 0; i < w->cap_dirs; i++) {
		if (!w->dirs[i] || !ni_walk_is_under(w->dirs[i], dir))
			continue;
		inotify_rm_watch(w->fd, (int)i);
		free(w->dirs[i]);
		w->dirs[i] = NULL;
		w->n_watched--;
	}
}

/* --- gathering a batch -------------------------------------------------- */

/* Whether a walk of the sources lists `path`, a folder or a file. */
static bool reached(const struct watcher *w, const char *path, bool folder)
{
	for (size_t i = 0; i < w->n_sources; i++)
		if (ni_walk_reaches(path, w->sources[i], folder))
			return true;
	return false;
}

static int queue(struct watcher *w, const char *path)
{
	size_t ignored;
	size_t len = strlen(path);
	if (ni_strmap_get(&w->queued, path, len, &ignored))
		return 0;
	if (ni_strmap_put(&w->queued, path, len, 0) != NI_OK ||
	    ni_grow(&w->batch, &w->cap_batch, w->n_batch + 1,
		    sizeof *w->batch) != NI_OK ||
	    !(w->batch[w->n_batch] = strdup(path)))
		return -1;
	if (!w->n_batch++)
		w->batch_since = now_s(w);
	return 0;
}

/* A file just made: a hard link or a symbolic link is complete at
 * once; a new file is read when it is closed (IN_CLOSE_WRITE). */
static bool made_whole(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 &&
	       (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) &&
					st.st_nlink > 1));
}

/*
 * A symbolic link to a folder is walked as that folder, as a build walks
 * it, but inotify says IN_ISDIR only of a folder itself: a link made or
 * moved in is one when it leads to a folder now; one removed or moved
 * out was one when its path is watched as a folder.
 */
static bool is_folder_link(const struct watcher *w,
			   const struct inotify_event *e, const char *path)
{
	struct stat st;
	if (e->mask & (IN_CREATE | IN_MOVED_TO))
		return lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
		       stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	/* An article's name gone is a file's, the one event of many
	 * (rm -r): not looked for among every folder watched.  Should it
	 * be a link to a folder, its articles go all the same. */
	if (!(e->mask & (IN_DELETE | IN_MOVED_FROM)) ||
	    ni_walk_is_article_name(e->name))
		return false;
	for (size_t i = 0; i < w->cap_dirs; i++)
		if (w->dirs[i] && !strcmp(w->dirs[i], path))
			return true;
	return false;
}

static int on_folder_event(struct watcher *w, const struct inotify_event *e,
			   const char *path)
{
	if (!reached(w, path, true))
		return 0;
	if (e->mask & (IN_DELETE | IN_MOVED_FROM))
		unwatch_under(w, path);
	if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
		/* Watched before it is walked: nothing made meanwhile is
		 * missed. */
		if (watch_folder(w, path) != 0)
			return -1;
	}
	return queue(w, path);
}

static int on_event(struct watcher *w, const struct inotify_event *e)
{
	if (e->mask & (IN_Q_OVERFLOW | IN_UNMOUNT)) {
		w->rebuild = true;
		return 0;
	}
	const char *dir = e->wd >= 0 && (size_t)e->wd < w->cap_dirs
		? w->dirs[e->wd] : NULL;
	if (!dir)
		return 0;
	if (e->mask & IN_IGNORED) {
		free(w->dirs[e->wd]);
		w->dirs[e->wd] = NULL;
		w->n_watched--;
		return 0;
	}
	if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* A folder under a source is dealt with by its parent's
		 * event; a source itself gone or moved: build it whole. */
		for (size_t i = 0; i < w->n_sources; i++)
			if (ni_walk_is_under(w->sources[i], dir))
				w->rebuild = true;
		return 0;
	}
	if (!e->len)
		return 0;
	struct ni_buf path = NI_BUF_INIT;
	int result = ni_buf_addf(&path, "%s%s%s", dir,
				 strcmp(dir, "/") ? "/" : "", e->name) == NI_OK
		? 0 : -1;
	if (result == 0 && ((e->mask & IN_ISDIR) ||
			    is_folder_link(w, e, path.data)))
		result = on_folder_event(w, e, path.data);
	else if (result == 0 && reached(w, path.data, false) &&
		 (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
			     IN_DELETE | IN_ATTRIB) ||
		  ((e->mask & IN_CREATE) && made_whole(path.data))))
		result = queue(w, path.data);
	ni_buf_release(&path);
	return result;
}

/* Read the events there are; -1 when memory ran out, else 0. */
static int read_events(struct watcher *w)
{
	char buf[65536]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t got = read(w->fd, buf, sizeof buf);
		if (got <= 0)
			return got < 0 && errno != EAGAIN && errno != EINTR
				? -1 : 0;
		w->last_event = now_s(w);
		for (char *p = buf; p < buf + got;) {
			const struct inotify_event *e = (const void *)p;
			if (on_event(w, e) != 0)
				return -1;
			p += sizeof *e + e->len;
		}
		/* The rest stays in the kernel's queue until built. */
		if (w->n_batch >= MAX_BATCH)
			return 0;
	}
}

/* --- building a batch --------------------------------------------------- */

static void clear_batch(struct watcher *w)
{
	for (size_t i = 0; i < w->n_batch; i++)
		free(w->batch[i]);
	w->n_batch = 0;
	ni_strmap_release(&w->queued);
}

static void show_status(struct watcher *w)
{
	if (!w->r.terminal)
		return;
	struct ni_buf line = NI_BUF_INIT;
	ni_buf_addf(&line, "watching %zu folder%s", w->n_watched,
		    w->n_watched == 1 ? "" : "s");
	if (w->n_unwatched)
		ni_buf_addf(&line, " (%zu walked every %g s)", w->n_unwatched,
			    w->o->rescan_seconds);
	ni_buf_addf(&line, ", queue %zu", w->n_batch);
	if (w->last_commit >= 0) {
		time_t t = time(NULL) - (time_t)(now_s(w) - w->last_commit);
		struct tm tm;
		char when[16] = "";
		if (localtime_r(&t, &tm))
			strftime(when, sizeof when, "%H:%M:%S", &tm);
		ni_buf_addf(&line, ", last commit %s (%lu file%s), %.0f "
			    "articles/s", when, w->last_files,
			    w->last_files == 1 ? "" : "s", w->rate);
	}
	fprintf(stderr, "\r\033[K%s", ni_buf_str(&line));
	w->r.progress_shown = true;
	ni_buf_release(&line);
}

static void log_counts(const struct ni_build_counts *c)
{
	printf("added %lu, updated %lu, deleted %lu, skipped %lu, "
	       "duplicates %lu", c->added, c->updated, c->deleted,
	       c->skipped, c->duplicates);
}

/* A batch's line in the log: what it did, how long it took. */
static void log_batch(struct watcher *w, const char *what, size_t paths,
		      const struct ni_build_counts *c, double seconds)
{
	if (!w->o->log)
		return;
	uint64_t docs = 0, related = 0;
	ni_db_doc_count(w->db, &docs);
	ni_db_filter_count(w->db, NI_FILTER_RELATED, "", 0, &related);
	printf("%s", what);
	if (paths)
		printf(" of %zu path%s", paths, paths == 1 ? "" : "s");
	printf(": ");
	log_counts(c);
	printf(" in %.3f s; the index holds %llu article%s\n", seconds,
	       (unsigned long long)(docs - related),
	       docs - related == 1 ? "" : "s");
	fflush(stdout);
}

/* After a build: the status line and the rate. */
static void committed(struct watcher *w, const struct ni_build_counts *c,
		      double started)
{
	double now = now_s(w);
	double since = w->last_commit >= 0 && w->last_commit > started - 10
		? now - w->last_commit : now - started;
	w->last_files = c->added + c->updated + c->deleted;
	w->rate = since > 0 ? (double)(c->added + c->updated) / since : 0;
	w->last_commit = now;
	w->batches++;
}

/* Say a build's failure; the exit code. */
static int failed(struct watcher *w, ni_status status,
		  const struct ni_buf *errmsg)
{
	clear_progress(&w->r);
	report_error("%s: %s%s", w->db_path, ni_buf_str(errmsg),
		     status == NI_ENOSPC
		     ? "; the index keeps what its last commit had: free "
		       "some space and start watch again" : "");
	return NI_EXIT_FAILED;
}

/* A whole build, watches first: -1, or the exit code. */
static int build_whole(struct watcher *w, const char *what)
{
	double started = now_s(w);
	/* A fresh queue: what an old one still holds is built now. */
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		report_error("cannot use inotify: %s", strerror(errno));
		return NI_EXIT_FAILED;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = fd;
	if (watch_sources(w) != 0) {
		report_error("out of memory");
		return NI_EXIT_FAILED;
	}
	w->rebuild = false;
	clear_batch(w);
	w->next_rescan = now_s(w) + w->o->rescan_seconds;
	struct ni_build_counts counts;
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status status = ni_updater_build(w->updater, &counts, &errmsg);
	int code = status == NI_OK ? -1 : failed(w, status, &errmsg);
	ni_buf_release(&errmsg);
	if (code < 0) {
		committed(w, &counts, started);
		log_batch(w, what, 0, &counts, now_s(w) - started);
	}
	if (code < 0 && counts.stopped)
		code = NI_EXIT_OK;  /* stop_requested says how it ended */
	return code;
}

/* Build the batch, or what is walked again: -1, or the exit code. */
static int build_paths(struct watcher *w, char **paths, size_t n,
		       const char *what)
{
	double started = now_s(w);
	struct ni_build_counts counts;
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status status = ni_updater_paths(w->updater,
					    (const char *const *)paths, n,
					    &counts, &errmsg);
	int code = status == NI_OK ? -1 : failed(w, status, &errmsg);
	ni_buf_release(&errmsg);
	if (code < 0) {
		committed(w, &counts, started);
		log_batch(w, what, n, &counts, now_s(w) - started);
	}
	return code;
}

/* Build the first MAX_BATCH paths of the batch; the rest wait. */
static int build_batch(struct watcher *w)
{
	if (w->rebuild)
		return build_whole(w, "rescan (events were lost)");
	if (!w->n_batch)
		return -1;
	size_t n = w->n_batch < MAX_BATCH ? w->n_batch : MAX_BATCH;
	int code = build_paths(w, w->batch, n, "batch");
	for (size_t i = 0; i < n; i++)
		free(w->batch[i]);
	w->n_batch -= n;
	memmove(w->batch, w->batch + n, w->n_batch * sizeof *w->batch);
	ni_strmap_release(&w->queued);
	for (size_t i = 0; code < 0 && i < w->n_batch; i++)
		if (ni_strmap_put(&w->queued, w->batch[i],
				  strlen(w->batch[i]), 0) != NI_OK)
			code = NI_EXIT_FAILED;
	w->batch_since = now_s(w);
	return code;
}

/* The folders not watched: walked again, and watched if they can be. */
static int rescan_unwatched(struct watcher *w)
{
	char **dirs = w->unwatched;
	size_t n = w->n_unwatched;
	w->unwatched = NULL;
	w->n_unwatched = 0;
	w->said_out_of_watches = true;  /* said once is enough */
	int code = -1;
	for (size_t i = 0; code < 0 && i < n; i++)
		if (watch_folder(w, dirs[i]) != 0)
			code = NI_EXIT_FAILED;
	if (code < 0)
		code = build_paths(w, dirs, n, "rescan of unwatched folders");
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	w->next_rescan = now_s(w) + w->o->rescan_seconds;
	return code;
}

/* Milliseconds to wait for events: -1 for as long as it takes. */
static int timeout_ms(const struct watcher *w)
{
	double now = now_s(w), until = -1;
	if (w->rebuild || w->n_batch >= MAX_BATCH)
		return 0;
	if (w->n_batch) {
		double quiet = w->last_event + QUIET_MS / 1000.0;
		double late = w->batch_since + MAX_DELAY_MS / 1000.0;
		until = quiet < late ? quiet : late;
	}
	if (w->n_unwatched && (until < 0 || w->next_rescan < until))
		until = w->next_rescan;
	if (until < 0)
		return -1;
	double ms = (until - now) * 1000;
	return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms + 1;
}

/* Follow the events until a signal: the exit code. */
static int follow(struct watcher *w)
{
	sigset_t block, unblocked;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* Blocked but while waiting: a signal never stops a batch. */
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	int code = -1;
	while (code < 0 && !stop_requested) {
		show_status(w);
		int ms = timeout_ms(w);
		struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
		struct pollfd p = {.fd = w->fd, .events = POLLIN};
		int ready = ppoll(&p, 1, ms < 0 ? NULL : &ts, &unblocked);
		if (ready < 0 && errno != EINTR) {
			report_error("cannot wait for events: %s",
				     strerror(errno));
			code = NI_EXIT_FAILED;
		} else if (ready > 0 && read_events(w) != 0) {
			report_error("out of memory");
			code = NI_EXIT_FAILED;
		}
		if (code >= 0 || stop_requested)
			break;
		if (timeout_ms(w) == 0 && (w->rebuild || w->n_batch))
			code = build_batch(w);
		else if (w->n_unwatched && now_s(w) >= w->next_rescan)
			code = rescan_unwatched(w);
	}
	/* Stopped: what was gathered is built and committed first. */
	if (code < 0 && read_events(w) != 0)
		code = NI_EXIT_FAILED;
	while (code < 0 && (w->n_batch || w->rebuild))
		code = build_batch(w);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	clear_progress(&w->r);
	return code;
}

/* --- the command ---------------------------------------------------- */

static int parse_options(int argc, char **argv, struct watch_options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"log", no_argument, NULL, 'l'},
		{"quiet", no_argument, NULL, 'q'},
		{"max-file-size", required_argument, NULL, 'm'},
		{"max-field-words", required_argument, NULL, 'w'},
		{"rescan", required_argument, NULL, 'r'},
		{"max-watches", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = next_option(argc, argv, "qh", longopts)) != -1) {
		switch (opt) {
		case 'd':
			o->db_flag = optarg;
			break;
		case 'l':
			o->log = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'm':
		case 'w':
			if (parse_limit(opt, optarg, &o->c) >= 0)
				return NI_EXIT_USAGE;
			break;
		case 'r':
			if (!ni_parse_double(optarg, 0.1, 1e6,
					     &o->rescan_seconds))
				return usage_error(
					"watch", "--rescan: '%s' is not a "
					"number of seconds from 0.1", optarg);
			break;
		case 'W':
			if (!ni_parse_unsigned(optarg, 1UL << 31,
					       &o->max_watches) ||
			    !o->max_watches)
				return usage_error("watch", "--max-watches: "
						   "'%s' is not a number from "
						   "1", optarg);
			break;
		case 'h':
			fputs(WATCH_USAGE, stdout);
			return NI_EXIT_OK;
		default:
			return NI_EXIT_USAGE;
		}
	}
	return -1;
}

/* The sources: those named (each must be there), or remembered. */
static int find_sources(struct watcher *w, int argc, char **argv)
{
	size_t n = (size_t)(argc - optind);
	if (!n) {
		if (ni_build_sources(w->db, &w->sources, &w->n_sources) !=
		    NI_OK) {
			report_error("cannot read the sources of the index: "
				     "%s", ni_db_errmsg(w->db));
			return NI_EXIT_FAILED;
		}
		if (w->n_sources)
			return -1;
		report_error("no sources given, and this index has none "
			     "from earlier builds: name the folders of "
			     "articles to watch (newsindex watch DIR)");
		return NI_EXIT_USAGE;
	}
	if (!(w->sources = absolute_sources(argv + optind, n))) {
		report_error("out of memory");
		return NI_EXIT_FAILED;
	}
	w->n_sources = n;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(w->sources[i], &st) == 0)
			continue;
		report_error("%s: %s", w->sources[i], strerror(errno));
		return NI_EXIT_FAILED;
	}
	return -1;
}

/* The pid file (common.h): written, or said why not. */
static int write_pid_file(const char *path)
{
	struct ni_buf file = NI_BUF_INIT;
	FILE *f = ni_buf_addf(&file, "%s/%s", path, WATCH_PID_FILE) == NI_OK
		? fopen(file.data, "w") : NULL;
	int code = -1;
	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		report_error("cannot write %s: %s", ni_buf_str(&file),
			     strerror(errno));
		code = NI_EXIT_FAILED;
	}
	ni_buf_release(&file);
	return code;
}

static void remove_pid_file(const char *path)
{
	struct ni_buf file = NI_BUF_INIT;
	if (ni_buf_addf(&file, "%s/%s", path, WATCH_PID_FILE) == NI_OK)
		unlink(file.data);
	ni_buf_release(&file);
}

static int start(struct watcher *w, ni_analyzer *analyzer)
{
	const struct watch_options *o = w->o;
	struct ni_build_options options = {
		.max_file_bytes = o->c.max_file_bytes,
		.stop = &stop_requested,
		.jobs = 1,
		.max_field_words = o->c.max_field_words,
	};
	struct ni_build_callbacks cb = {report_file, report_duplicate,
					report_problem, NULL, &w->r};
	if (ni_updater_new(w->db, analyzer,
			   (const char *const *)w->sources, w->n_sources,
			   &options, &cb, &w->updater) != NI_OK) {
		report_error("out of memory");
		return NI_EXIT_FAILED;
	}
	int code = build_whole(w, "build");
	if (code < 0 && !stop_requested && o->log) {
		printf("watching %zu folders", w->n_watched);
		if (w->n_unwatched)
			printf(", %zu walked every %g s", w->n_unwatched,
			       o->rescan_seconds);
		printf("\n");
		fflush(stdout);
	}
	if (code < 0 && !stop_requested)
		code = follow(w);
	return code;
}

static int run(const char *path, const struct watch_options *o, int argc,
	       char **argv)
{
	bool terminal = isatty(STDERR_FILENO);
	struct watcher w = {.o = o, .db_path = path, .fd = -1,
			    .last_commit = -1,
			    .r = {.db_path = path, .quiet = o->quiet,
				  .terminal = terminal && !o->log}};
	clock_gettime(CLOCK_MONOTONIC, &w.r.start);
	ni_analyzer *analyzer = NULL;
	int code = open_for_writing(path, NI_DB_WRITE, 0, &w.db);
	if (code < 0)
		code = set_language(w.db, path, o->c.language);
	if (code < 0)
		code = find_sources(&w, argc, argv);
	if (code < 0 && ni_analyzer_new(&analyzer) != NI_OK) {
		report_error("cannot start the text analyzer");
		code = NI_EXIT_FAILED;
	}
	bool pid_written = code < 0 && (code = write_pid_file(path)) < 0;
	signal(SIGINT, request_stop);
	signal(SIGTERM, request_stop);
	if (code < 0)
		code = start(&w, analyzer);
	if (pid_written)
		remove_pid_file(path);
	ni_updater_free(w.updater);
	struct ni_buf detail = NI_BUF_INIT;
	if (w.db && ni_db_close(w.db, &detail) != NI_OK) {
		report_error("cannot commit to the index %s: %s", path,
			     ni_buf_str(&detail));
		code = NI_EXIT_FAILED;
	}
	ni_buf_release(&detail);
	ni_analyzer_free(analyzer);
	if (w.fd >= 0)
		close(w.fd);
	forget_watches(&w);
	free(w.dirs);
	free(w.unwatched);
	clear_batch(&w);
	free(w.batch);
	ni_sources_free(w.sources, w.n_sources);
	if (stop_requested && (code < 0 || code == NI_EXIT_OK))
		code = 128 + stop_requested;
	return code < 0 ? NI_EXIT_OK : code;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_options o = {
		.c.max_file_bytes = NI_DEFAULT_MAX_FILE_BYTES,
		.rescan_seconds = 60,
	};
	int code = parse_options(argc, argv, &o);
	if (code >= 0)
		return code;
	struct ni_config config = {0};
	struct ni_buf path = NI_BUF_INIT;
	code = load_build_config(o.db_flag, &o.c, &config, &path);
	if (code < 0)
		code = run(path.data, &o, argc, argv);
	ni_buf_release(&path);
	ni_config_clear(&config);
	return code;
}
