/*
 * mhd.h - GNU libmicrohttpd, loaded with dlopen() when `newsquery
 * --serve` starts, so that a query on the command line does not load it.
 *
 * Why: linked, libmicrohttpd brings nine more shared libraries (gnutls,
 * nettle, gmp, p11-kit, ...) whose loading and constructors every
 * command-line query paid for, about 1 ms of a 3 ms `newsquery
 * --version` (docs/architecture.md, "libmicrohttpd, loaded on demand").
 *
 * How: newsquery is compiled against <microhttpd.h> (its types and
 * constants) but not linked with the library.  This header declares a
 * table of pointers, one per MHD function newsquery calls, then defines
 * each function's name to its entry, so that serve.c calls
 * MHD_queue_response(...) as before and reaches the library's function
 * through the table.  mhd_load() fills the table.  A function serve.c
 * starts to call must be added here (the table, the names in mhd.c and
 * a #define); until it is, the link fails on its name, as it should.
 *
 * Include this header instead of <microhttpd.h>, and after it.
 */
#ifndef NEWSQUERY_MHD_H
#define NEWSQUERY_MHD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

/* The type of each function, as <microhttpd.h> declares it (checked
 * below). */
typedef enum MHD_Result mhd_add_response_header_fn(
	struct MHD_Response *response, const char *header,
	const char *content);
typedef struct MHD_Response *mhd_create_response_from_buffer_fn(
	size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
typedef struct MHD_Response *mhd_create_response_from_callback_fn(
	uint64_t size, size_t block_size, MHD_ContentReaderCallback crc,
	void *crc_cls, MHD_ContentReaderFreeCallback crfc);
typedef void mhd_destroy_response_fn(struct MHD_Response *response);
typedef const union MHD_ConnectionInfo *mhd_get_connection_info_fn(
	struct MHD_Connection *connection,
	enum MHD_ConnectionInfoType info_type, ...);
typedef int mhd_get_connection_values_n_fn(
	struct MHD_Connection *connection, enum MHD_ValueKind kind,
	MHD_KeyValueIteratorN iterator, void *iterator_cls);
typedef const char *mhd_lookup_connection_value_fn(
	struct MHD_Connection *connection, enum MHD_ValueKind kind,
	const char *key);
typedef enum MHD_Result mhd_queue_response_fn(
	struct MHD_Connection *connection, unsigned int status_code,
	struct MHD_Response *response);
typedef void mhd_resume_connection_fn(struct MHD_Connection *connection);
typedef struct MHD_Daemon *mhd_start_daemon_fn(unsigned int flags,
	uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
	MHD_AccessHandlerCallback dh, void *dh_cls, ...);
typedef void mhd_stop_daemon_fn(struct MHD_Daemon *daemon);
typedef void mhd_suspend_connection_fn(struct MHD_Connection *connection);

/* The library's functions, each named as in the library without its
 * MHD_ prefix.  All NULL until mhd_load() succeeds. */
struct mhd_api {
	mhd_add_response_header_fn *add_response_header;
	mhd_create_response_from_buffer_fn *create_response_from_buffer;
	mhd_create_response_from_callback_fn *create_response_from_callback;
	mhd_destroy_response_fn *destroy_response;
	mhd_get_connection_info_fn *get_connection_info;
	mhd_get_connection_values_n_fn *get_connection_values_n;
	mhd_lookup_connection_value_fn *lookup_connection_value;
	mhd_queue_response_fn *queue_response;
	mhd_resume_connection_fn *resume_connection;
	mhd_start_daemon_fn *start_daemon;
	mhd_stop_daemon_fn *stop_daemon;
	mhd_suspend_connection_fn *suspend_connection;
};
extern struct mhd_api mhd_api;

/* A type above that is not the header's would call the library's
 * function wrongly: the compiler compares them (no call, no reference
 * to the library's symbol: _Generic does not evaluate its operand). */
#define MHD_SAME_TYPE(name) \
	_Static_assert(_Generic(&MHD_##name, mhd_##name##_fn *: 1, \
				default: 0), \
		       "mhd.h: MHD_" #name " is not as <microhttpd.h> says")
MHD_SAME_TYPE(add_response_header);
MHD_SAME_TYPE(create_response_from_buffer);
MHD_SAME_TYPE(create_response_from_callback);
MHD_SAME_TYPE(destroy_response);
MHD_SAME_TYPE(get_connection_info);
MHD_SAME_TYPE(get_connection_values_n);
MHD_SAME_TYPE(lookup_connection_value);
MHD_SAME_TYPE(queue_response);
MHD_SAME_TYPE(resume_connection);
MHD_SAME_TYPE(start_daemon);
MHD_SAME_TYPE(stop_daemon);
MHD_SAME_TYPE(suspend_connection);
#undef MHD_SAME_TYPE

/* From here on, a call of an MHD function is a call through the table. */
#define MHD_add_response_header (mhd_api.add_response_header)
#define MHD_create_response_from_buffer (mhd_api.create_response_from_buffer)
#define MHD_create_response_from_callback \
	(mhd_api.create_response_from_callback)
#define MHD_destroy_response (mhd_api.destroy_response)
#define MHD_get_connection_info (mhd_api.get_connection_info)
#define MHD_get_connection_values_n (mhd_api.get_connection_values_n)
#define MHD_lookup_connection_value (mhd_api.lookup_connection_value)
#define MHD_queue_response (mhd_api.queue_response)
#define MHD_resume_connection (mhd_api.resume_connection)
#define MHD_start_daemon (mhd_api.start_daemon)
#define MHD_stop_daemon (mhd_api.stop_daemon)
#define MHD_suspend_connection (mhd_api.suspend_connection)

/*
 * Load libmicrohttpd (the soname newsquery was built against, MHD_SONAME)
 * and fill mhd_api with its functions.  Once loaded, it stays: a second
 * call returns true at once.  Not thread-safe: call it before any thread
 * that uses the table starts.
 *
 * Returns true when every function was found.  Otherwise false, with
 * mhd_api left as it was (all NULL) and the cause in err (at most size
 * bytes with its NUL; lowercase, names the library and what the dynamic
 * loader said, e.g. "libmicrohttpd.so.12: cannot open shared object
 * file: No such file or directory").
 */
bool mhd_load(char *err, size_t size);

#endif
