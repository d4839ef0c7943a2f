/*
 * replay.c - run files through a fuzz target without libFuzzer.
 *
 *   replay_TARGET PATH...
 *
 * Each PATH is a file, or a folder whose files are run in name order
 * (names starting with "." are skipped, so an empty folder can be kept
 * in git with a .gitkeep).  This is how every build, gcc or clang, with
 * or without sanitizers, runs the seed corpus and the past findings of
 * tests/fuzz/ as `meson test --suite fuzz`.
 *
 * Each input is copied into a buffer of exactly its size, as libFuzzer
 * does, so AddressSanitizer sees a read past its end.  The name of each
 * file is printed before it runs, so the last name in the log is the
 * culprit of a crash.  Fails (exit 1) when a PATH cannot be read or when
 * no file at all was run: a wrong path must not pass as a clean replay.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* Exactly the file's size, so a read past the end is caught. */
	size_t len = (size_t)st.st_size;
	uint8_t *data = malloc(len ? len : 1);
	int bad = !data || fread(data, 1, len, f) != len;
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(data);
		return -1;
	}
	printf("replay: %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int not_hidden(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

/* Run the files of folder `dir`; returns how many, or -1. */
static long run_folder(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, not_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	long ran = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (ran >= 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			ran = run_file(path) == 0 ? ran + 1 : -1;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	long total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long ran;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: '%s': %s\n", argv[i],
				strerror(errno));
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? run_folder(argv[i])
					  : run_file(argv[i]) == 0;
		if (ran < 0)
			return 1;
		total += ran;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no files to run\n");
		return 1;
	}
	printf("replay: %ld files, all passed\n", total);
	return 0;
}
