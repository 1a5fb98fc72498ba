/* cmark-gfm's own HTML for a Markdown text, with the named extensions
 * ("table", "strikethrough", …; NULL-terminated), footnotes and raw HTML
 * on: what the tests compare galley's output or structure with. */
#ifndef GALLEY_TEST_CMARKHTML_H
#define GALLEY_TEST_CMARKHTML_H

/** The HTML (malloc'd), or NULL when out of memory. */
char *cmark_gfm_html(const char *md, const char *const *extensions);

#endif
