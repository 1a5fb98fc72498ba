/*
 * A structural normal form of HTML, for comparing documents that say the
 * same thing in different markup (turndown's cases against galley's
 * Markdown rendered by cmark-gfm, and round trips). The rules:
 *
 * - Parsed with libxml2's HTML parser. Each element below becomes an open
 *   and a close token; every other element is transparent (its content
 *   stays), except script, style, head, title, template, noscript and
 *   comments, which are dropped:
 *   h1..h6, ul, ol, li, blockquote, table, tr, td (th is td: GFM puts th
 *   only in its header row; thead/tbody/tfoot transparent; a row with no
 *   cells is dropped; cells outside a row get one, as an HTML5 parser
 *   gives them), pre (a code inside pre is part of it), code, em (em|i),
 *   strong (strong|b), del (del|s|strike), a (href, percent-decoded), img
 *   (src percent-decoded, alt with whitespace collapsed; one without src
 *   is dropped), br, hr, and a checkbox input (checked or not: a task).
 * - p, div and the other HTML block elements are boundaries, not tokens:
 *   Markdown wraps loose text in a paragraph and tight list items in none,
 *   so only where a paragraph ends counts, not the element that says so.
 * - Text: whitespace runs (space, tab, CR, LF, FF, no-break space)
 *   collapse to one space outside pre; text is trimmed at every boundary
 *   and block token. Inside pre the text is kept exactly, less one final
 *   newline.
 * - Spaces at the edge of an inline element (em, strong, del, a, code)
 *   move outside it ("<em> a</em>" is " <em>a</em>"); an em, strong, del
 *   or code with no text or image left inside is dropped; a close followed
 *   directly by an open of the same inline kind merges (adjacent spans are
 *   one span); a br with no text, image or checkbox before or after it in
 *   its block (inline elements' edges aside) is dropped, since Markdown
 *   cannot write one there.
 */
#ifndef MD_STRUCT_H
#define MD_STRUCT_H

#include <libxml/HTMLparser.h>
#include <stddef.h>

typedef struct mds {
  char **tok; /* "<em", "</em", "<a href", "T text", "|" (boundary)... */
  size_t n, cap;
} mds;

/* The normal form of the children of `node` (and `node` itself when `self`). */
void mds_of_node(mds *out, xmlNode *node, int self);
/* The normal form of an HTML string (a fragment or a document). */
void mds_of_html(mds *out, const char *html);
/* Same tokens? Returns -1 if equal, else the first differing index. */
long mds_diff(const mds *a, const mds *b);
void mds_free(mds *m);
/* Token i, or "(end)". */
const char *mds_at(const mds *m, size_t i);

#endif
