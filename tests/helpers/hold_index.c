/*
 * hold_index - hold an index's write lock for the end-to-end tests.
 *
 *   hold_index PATH
 *
 * Opens the index at PATH for writing (creating it), prints "locked" on
 * stdout, then keeps the lock until its stdin ends, so a test decides
 * exactly when another writer finds the index busy.  Exit status 0, or
 * 1 when the index cannot be opened.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_xapian.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: hold_index PATH\n", stderr);
		return 2;
	}
	ni_db *db = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	if (ni_db_open(argv[1], NI_DB_WRITE, ni_analyzer_settings(), &db,
		       &detail) != NI_OK) {
		fprintf(stderr, "hold_index: %s\n", ni_buf_str(&detail));
		ni_buf_release(&detail);
		return 1;
	}
	puts("locked");
	fflush(stdout);
	while (getchar() != EOF)
		;
	ni_db_close(db, NULL);
	return 0;
}
