/* The part of the html format that needs libxml2 (and jansson): the reader
 * and the raw-HTML-to-XML step of XHTML output, built as its own module,
 * html-libxml.mod, beside html.so. html.so loads it the first time it
 * reads a page or writes raw HTML as XHTML, so that writing HTML from
 * another format never loads libxml2 and the libraries behind it (ICU,
 * libstdc++, liblzma): they cost every conversion to HTML most of its
 * start-up. */
#ifndef GALLEY_HTML_LIBXML_MODULE_H
#define GALLEY_HTML_LIBXML_MODULE_H

#include <galley/galley.h>
#include <stddef.h>

#define HTML_LIBXML_FILE "html-libxml.mod"
#define HTML_LIBXML_ENTRY "galley_html_libxml"
#define HTML_LIBXML_VERSION 1u

typedef struct html_libxml {
  /* The reader: html_read of read.c. */
  int (*read)(galley_job *job, const galley_input *in, galley_doc *doc);
  /* Raw HTML (n bytes) parsed and written back as XML: *out (malloc'd,
   * *out_len bytes) is its body's content; *out NULL when it has none.
   * GALLEY_OK, or GALLEY_ENOMEM. */
  int (*raw_xhtml)(const char *raw, size_t n, char **out, size_t *out_len);
} html_libxml;

/* The module's one export: its table when `version` is the one it was
 * built with, else NULL. Sets up libxml2 the first time. */
typedef const html_libxml *(*html_libxml_entry)(unsigned version);
const html_libxml *galley_html_libxml(unsigned version);

/* module.c, in html.so: the table, loaded on first use; NULL (and *why
 * set to a message) when it cannot be. */
const html_libxml *html_libxml_get(const char **why);

#endif
