/*
 * ni_control.h - control characters in untrusted text.
 *
 * Text from articles and their files' names may hold anything, an escape
 * sequence too.  Every escaping of it, for a terminal, a TSV, a URL or a
 * message (the programs' ni_cli_put_escaped(), the YAML readers'
 * ni_yaml_quote()), asks this one test, so they agree on what is unsafe.
 */
#ifndef NI_CONTROL_H
#define NI_CONTROL_H

#include <stdbool.h>

#include <unicode/umachine.h>

/*
 * Whether `c`, as U8_NEXT() reads it, could drive a terminal: a C0
 * control, DEL, a C1 control (U+0080..U+009F; U+009B is a CSI to some
 * terminals), or a byte that is not UTF-8 (c < 0).
 */
bool ni_is_control(UChar32 c);

/* Whether `text` (NUL-terminated) holds what ni_is_control() finds. */
bool ni_has_control(const char *text);

#endif
