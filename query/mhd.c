/*
 * mhd.c - libmicrohttpd's functions, looked up when --serve starts
 * (mhd.h says why).
 */
#include "mhd.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/*
 * The file name to load: the SONAME of the library newsquery was
 * compiled against, which query/meson.build reads from it (so a build on
 * a system with another major version loads that one, not one whose
 * functions may differ).  "libmicrohttpd.so.12" is the soname of every
 * release since 0.9.44 (2015), the one meson falls back to when it
 * cannot read the library's.  A bare soname, no path: the dynamic
 * loader looks for it as it would have for a linked library.
 */
#ifndef MHD_SONAME
#define MHD_SONAME "libmicrohttpd.so.12"
#endif

struct mhd_api mhd_api;

/* Each function's name in the library, and its entry in the table. */
#define ENTRY(name) {"MHD_" #name, offsetof(struct mhd_api, name)}
static const struct {
	const char *symbol;
	size_t offset;
} entries[] = {
	ENTRY(add_response_header),
	ENTRY(create_response_from_buffer),
	ENTRY(create_response_from_callback),
	ENTRY(destroy_response),
	ENTRY(get_connection_info),
	ENTRY(get_connection_values_n),
	ENTRY(lookup_connection_value),
	ENTRY(queue_response),
	ENTRY(resume_connection),
	ENTRY(start_daemon),
	ENTRY(stop_daemon),
	ENTRY(suspend_connection),
};
#undef ENTRY
_Static_assert(sizeof entries / sizeof entries[0] ==
	       sizeof(struct mhd_api) / sizeof(void (*)(void)),
	       "mhd.c: every entry of struct mhd_api needs its name here");
/* POSIX makes dlsym()'s object pointer a function's address; copied
 * with memcpy, which needs the two sizes to be the same. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
	       "mhd.c: a function pointer is not the size of a void *");

bool mhd_load(char *err, size_t size)
{
	if (mhd_api.start_daemon)
		return true;
	/* RTLD_NOW: a missing function of the library's own fails here,
	 * with --serve's message, not later in a request.  RTLD_LOCAL:
	 * its names (and its libraries') stay out of the program's. */
	void *library = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!library) {
		/* dlerror() names the file: "libmicrohttpd.so.12: cannot
		 * open shared object file: ..." */
		snprintf(err, size, "%s", dlerror());
		return false;
	}
	struct mhd_api loaded;
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		dlerror();
		void *function = dlsym(library, entries[i].symbol);
		const char *why = dlerror();
		if (!function || why) {
			/* glibc's says "FILE: undefined symbol: NAME". */
			if (why)
				snprintf(err, size, "%s", why);
			else
				snprintf(err, size, "%s: %s is NULL",
					 MHD_SONAME, entries[i].symbol);
			dlclose(library);
			return false;
		}
		memcpy((char *)&loaded + entries[i].offset, &function,
		       sizeof function);
	}
	/* Never dlclose()d: the server uses it until the program ends. */
	mhd_api = loaded;
	return true;
}
