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

/*
 * Whether `c` is an explicit directional embedding, override or isolate
 * (U+202A..U+202E, U+2066..U+2069): invisible, they reorder what follows
 * them, so that a title could show a URL, or words, in an order that is
 * not theirs (CVE-2021-42574, "Trojan Source").  What people read (the
 * text output, the page, a query echoed under its error) leaves them
 * out: the Unicode bidirectional algorithm still orders Arabic and
 * Hebrew text without them, and the page isolates each field
 * (dir="auto").  The escapings of ni_cli_put_escaped() escape them as
 * they do a control.  JSON keeps them: it is data, not a display.
 */
bool ni_is_bidi_control(UChar32 c);

/* Whether `text` (NUL-terminated) holds what ni_is_control() finds. */
bool ni_has_control(const char *text);

#endif
