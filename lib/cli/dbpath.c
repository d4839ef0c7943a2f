/* ni_db_path_choose: see include/ni_dbpath.h. */
#include "ni_dbpath.h"

static int is_set(const char *value)
{
	return value && *value;
}

ni_status ni_db_path_choose(const char *flag, const char *env_db,
			    const char *config_db, const char *xdg_data_home,
			    const char *home, struct ni_buf *out)
{
	if (is_set(flag))
		return ni_buf_adds(out, flag);
	if (is_set(env_db))
		return ni_buf_adds(out, env_db);
	/* The environment beats the file: it is the more local choice. */
	if (is_set(config_db))
		return ni_buf_adds(out, config_db);
	/* XDG: a relative $XDG_DATA_HOME is invalid and must be ignored. */
	if (is_set(xdg_data_home) && xdg_data_home[0] == '/')
		return ni_buf_addf(out, "%s/newsindex", xdg_data_home);
	if (is_set(home))
		return ni_buf_addf(out, "%s/.local/share/newsindex", home);
	return NI_EINVAL;
}
