/* Helpers for the html format's tests: reading into a tree in-process and
 * the visible words of a page, as a browser would show them. */
#ifndef GALLEY_HTMLTEST_H
#define GALLEY_HTMLTEST_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * Reads `len` bytes of HTML with the html reader and the options `opts`
 * ("key=value", NULL-terminated; may be NULL). Returns the document (the
 * caller frees it), or NULL with the job's error in *err (malloc'd).
 */
galley_doc *ht_read(const char *src, size_t len, const char *const *opts,
                    char **err);

/** A list of words (malloc'd strings). */
typedef struct ht_words {
  char **v;
  size_t n, cap;
} ht_words;

/**
 * The words of the text a browser shows for `html`: no script, style,
 * head, forms, hidden elements; blocks and <br> separate words.
 */
void ht_visible_words(const char *html, size_t len, ht_words *out);
void ht_words_free(ht_words *w);

/**
 * How many words of `in` (as a multiset) are missing from `out`; the first
 * few go into `sample` (NUL-terminated).
 */
size_t ht_missing_words(ht_words *in, ht_words *out, char *sample, size_t cap);

#endif
