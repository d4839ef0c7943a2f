/*
 * ni_dbpath.h - where the index lives when the user does not say.
 *
 * Both programs must agree on the index they use, so both call this one
 * function: the --db value if given, else $NEWSINDEX_DB, else the config
 * file's `db` (ni_config.h), else $XDG_DATA_HOME/newsindex, else
 * $HOME/.local/share/newsindex.  The environment's and the config file's
 * values are passed in rather than read here, so the library never reads
 * configuration itself and the rule can be tested.
 */
#ifndef NI_DBPATH_H
#define NI_DBPATH_H

#include "ni_buf.h"
#include "ni_status.h"

/*
 * Append the chosen path to `out`.  Each argument may be NULL or "" for
 * "not set".  NI_EINVAL when nothing is set, not even `home`; NI_ENOMEM.
 */
ni_status ni_db_path_choose(const char *flag, const char *env_db,
			    const char *config_db, const char *xdg_data_home,
			    const char *home, struct ni_buf *out);

#endif
