/* Declarations shared by the files of the html format module. */
#ifndef GALLEY_HTML_H
#define GALLEY_HTML_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/HTMLparser.h>

/* read.c */
int html_read(galley_job *job, const galley_input *in, galley_doc *doc);

/* write.c */
int html_write(galley_job *job, const galley_doc *doc, galley_sink *out);

/* encoding.c */

/**
 * Decides the input's encoding (byte-order mark, the `encoding` option, the
 * page's own declaration, then a check of the bytes) and converts it to
 * UTF-8. On success `*out` is either `data` itself (already clean UTF-8; no
 * copy) or a malloc'd buffer the caller frees; `*out_len` its length.
 */
int html_decode(galley_job *job, const unsigned char *data, size_t len,
                unsigned char **out, size_t *out_len, bool *copied);

/* meta.c: metadata from <head>, meta tags and JSON-LD. */

typedef struct html_meta html_meta;

html_meta *html_meta_new(void);
void html_meta_free(html_meta *m);
/** Feeds a <title>, <meta>, <link> or <html> element. */
void html_meta_element(html_meta *m, xmlNode *el);
/** Feeds the text of a <script type="application/ld+json">. */
void html_meta_jsonld(html_meta *m, galley_job *job, const char *text,
                      size_t len);
/** The text of an element marked as a byline: its names, as libgalley's
 * recogniser cleans them (galley_recognise_byline), are the weakest source
 * of an author. False when the text holds no name (a date, "View author
 * archive"). */
bool html_meta_byline(html_meta *m, const char *text);
/** Writes what was found into the document, best source first. */
int html_meta_apply(html_meta *m, galley_doc *doc);

/* Small helpers. */
bool html_is_space(unsigned char c);
/** Copies `s` with runs of white space made one space and both ends trimmed. */
char *html_collapse(const char *s);

#endif
