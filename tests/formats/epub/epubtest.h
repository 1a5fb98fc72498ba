/* Helpers for the epub tests: conversions that keep binary output, zip
 * entries, tree copies and flattened text for comparisons. */
#ifndef GALLEY_EPUBTEST_H
#define GALLEY_EPUBTEST_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct et_result {
  int rc;
  unsigned char *data; /* malloc'd output */
  size_t len;
  char *diags; /* every diagnostic, one per line, malloc'd */
} et_result;

/** Converts `len` bytes from `from` to `to`. `base` is the input's folder;
 *  `opts` and `meta` are NULL-terminated "key=value" lists (may be NULL). */
et_result et_convert(const char *from, const char *to, const void *input,
                     size_t len, const char *base, const char *const *opts,
                     const char *const *meta);
/** Writes `doc` with format `to`. */
et_result et_write_doc(const galley_doc *doc, const char *to,
                       const char *const *opts);
/* The same, with `root` (may be NULL) the one folder local images may be
 * read from, as a host gives the folders its inputs came from. */
et_result et_write_doc_from(const galley_doc *doc, const char *to,
                            const char *const *opts, const char *root);
/** Reads `len` bytes with format `from` into a new document (NULL on error,
 *  with the message in *err when err is not NULL). */
galley_doc *et_read_doc(const char *from, const void *input, size_t len,
                        const char *base, char **err);
void et_free(et_result *r);

/** Entry `name` of a zip in memory, malloc'd and NUL-terminated; NULL when
 *  absent. */
char *et_zip_entry(const unsigned char *zip, size_t len, const char *name,
                   size_t *n);
/** Entry `name` of the EPUB `r` made, malloc'd and NUL-terminated; fails
 *  the running cmocka test when the book has no such entry. */
char *et_entry(const et_result *r, const char *name);
/** Number of entries whose name starts with `prefix`. */
size_t et_zip_count(const unsigned char *zip, size_t len, const char *prefix);

/** Copies the subtree of `src` (another document) under `parent`. */
int et_copy_tree(galley_node *parent, const galley_node *src);

/** The tree flattened into a comparable string: kinds that carry structure
 *  (headings with levels, paragraphs, lists, items, tables, cells, images,
 *  quotes, code, notes), text with white space folded; wrappers (DIV, SPAN),
 *  ids, attributes and URLs left out. Footnote texts are collected sorted at
 *  the end. With `remote_as_text`, an image with an http(s) URL counts as
 *  its alt text. malloc'd. */
char *et_flatten(const galley_doc *doc, bool remote_as_text);

/** Writes `len` bytes to a new temporary file; returns its malloc'd path. */
char *et_temp_file(const void *data, size_t len, const char *suffix);

/** epubcheck's verdict on the book `data`: 0 when it reports nothing
 *  (no fatal, error or warning), 1 when it reports something (its log is
 *  printed as TAP comments), -1 when it did not run, with the reason
 *  printed: not installed, or GALLEY_SKIP_EPUBCHECK set (the ASan run of
 *  .ci/run leaves epubcheck to the normal run). */
int et_epubcheck(const unsigned char *data, size_t len);

#endif
