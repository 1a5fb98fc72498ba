/* A normal form for HTML so two renderers' output can be compared. */
#ifndef MD_HTMLNORM_H
#define MD_HTMLNORM_H

#include <stdbool.h>

/**
 * `html` in a normal form, malloc'd: entities decoded and re-escaped one
 * way, tags lower-cased with sorted attributes and no self-closing slash,
 * whitespace between block tags dropped and other runs of whitespace
 * collapsed (outside <pre>). NULL when out of memory.
 */
char *htmlnorm(const char *html);

/**
 * htmlnorm, and with `urls` also href and src values percent-encoded the
 * way cmark-gfm encodes them, so that "/my uri" and "/my%20uri" compare
 * equal.
 */
char *htmlnorm_ex(const char *html, bool urls);

#endif
