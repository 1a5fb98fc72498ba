/* Active content: what no writer emits by default. Raw HTML that a
 * document carries (Markdown's inline HTML, an xml tree's raw nodes) and
 * link targets can run script in a reader's browser; these take it out,
 * the way GitHub's Markdown does (GFM's tag filter, with the attribute
 * and URL checks an HTML sanitizer adds). Writers call them unless the
 * user asked for raw output (`-O unsafe=true`, cmark-gfm's word). */
#ifndef GALLEY_SAFE_H
#define GALLEY_SAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** False when `url` runs script or a page of its own when followed:
 *  `javascript:`, `vbscript:`, `livescript:` and `data:` URLs (a `data:`
 *  image is safe when `image` is true: an image source cannot run
 *  script). The scheme is read as a browser reads it: character
 *  references decoded ("&#106;avascript:"), blanks and control
 *  characters anywhere in it ignored ("java\tscript:"), any case. NULL
 *  and relative references are safe. */
GALLEY_EXPORT bool galley_url_is_safe(const char *url, bool image);

/** False when the attribute `name` = `value` (`value` as text: its
 *  references already decoded) runs script: an event handler (`on…`),
 *  `srcdoc`, or a URL attribute (`href`, `src`, `action`, `formaction`,
 *  `xlink:href`, `data`, `poster`, `background`, `srcset`…) whose value
 *  `galley_url_is_safe` refuses (`src`, `srcset` and `poster` may hold a
 *  `data:` image). Writers that copy a node's attributes ask before
 *  writing one. */
GALLEY_EXPORT bool galley_attr_is_safe(const char *name, const char *value);

/**
 * Appends the raw HTML `html` (`len` bytes) to `out` with its active
 * content defused:
 *
 * - the tags GFM's tag filter names (script, style, iframe, title,
 *   textarea, xmp, noembed, noframes, plaintext) and those that load or
 *   redirect (object, embed, applet, base, meta, link, frame, frameset)
 *   have their "<" written as "&lt;", so they show as text;
 * - an event-handler attribute is dropped, and so is a URL attribute
 *   whose value `galley_url_is_safe` refuses (a `data:` image stays on
 *   `src`), and a `style` that holds `expression(` or `url(javascript:`;
 * - an unterminated tag's "<" becomes "&lt;".
 *
 * Everything else (text, comments, other tags and attributes) is copied
 * as written; a tag whose attributes change is rewritten with its kept
 * attributes in double quotes. Pure string work, linear in `len`.
 */
GALLEY_EXPORT void galley_html_defuse(galley_buf *out, const char *html,
                                      size_t len);

#ifdef __cplusplus
}
#endif

#endif
