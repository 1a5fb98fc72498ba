/* URL references as RFC 3986 defines them: telling an absolute URL from a
 * relative reference, and resolving one against a base (section 5). For
 * readers that turn a page's relative links and images into working
 * absolute ones. Pure string work: nothing is fetched, looked up or
 * percent-decoded. */
#ifndef GALLEY_URL_H
#define GALLEY_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** True when `s` starts with a scheme and its colon, as RFC 3986 spells a
 *  scheme: a letter, then letters, digits, "+", "-" or "." ("https:",
 *  "mailto:", "data:"). False for NULL, for relative references ("a/b",
 *  "//host/x", "#note") and for "1x:y" (not a scheme). */
GALLEY_EXPORT bool galley_url_has_scheme(const char *s);

/** True when `s` is an absolute http or https URL with an authority
 *  ("https://example.org/a"; the scheme in any case). */
GALLEY_EXPORT bool galley_url_is_web(const char *s);

/**
 * Resolves the reference `ref` against the absolute URL `base` as RFC 3986
 * section 5.2 says (the strict parser: a reference with a scheme is taken
 * as it is, dot segments removed): "../c?q" against "http://a/b/c/d" is
 * "http://a/b/c?q", "//h/x" takes the base's scheme, "" is the base
 * without its fragment, "#f" is the base with fragment f. The base's own
 * fragment never carries over. A reference with its own scheme and a path
 * that does not start with "/" (mailto:, data:, urn:) is kept as written.
 * Nothing is normalised beyond that (case,
 * percent-encoding and ports are left as written).
 *
 * On success sets `*out` to a malloc'd string the caller frees with free()
 * and returns GALLEY_OK. GALLEY_EINVALID (and `*out` NULL) when an argument
 * is NULL or `base` has no scheme; GALLEY_ENOMEM when out of memory.
 */
GALLEY_EXPORT int galley_url_resolve(char **out, const char *base,
                                     const char *ref);

#ifdef __cplusplus
}
#endif
#endif
