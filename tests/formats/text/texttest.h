/* Helpers for the text plugin's tests: read text into a tree, write a tree
 * as text or in the xml form, and walk to a node. */
#ifndef GALLEY_TEXTTEST_H
#define GALLEY_TEXTTEST_H

#include <galley/galley.h>
#include <stddef.h>

/**
 * Reads `len` bytes of text with the text reader and the options `opts`
 * ("key=value", NULL-terminated; may be NULL). Returns the document, or NULL
 * with the status in *rc and the message (malloc'd) in *err when not NULL.
 */
galley_doc *tt_read(const char *text, size_t len, const char *const *opts,
                    int *rc, char **err);
/** tt_read of a NUL-terminated string that must succeed. */
galley_doc *tt_read_ok(const char *text, const char *const *opts);
/** The document written by `format`'s writer with `opts`; malloc'd. */
char *tt_write(const galley_doc *doc, const char *format,
               const char *const *opts);
/** The document in the xml form, without line="N" fields; malloc'd. */
char *tt_xml(const galley_doc *doc);
/** Child `i` (0-based) of `n`, failing the test when there is none. */
galley_node *tt_child(const galley_node *n, size_t i);
/** The concatenated text of `n` (breaks as spaces); malloc'd. */
char *tt_text(const galley_node *n);
/**
 * The document's shape: metadata, then one line per node with its kind and
 * fields, indented by depth; a run of TEXT and SOFT_BREAK siblings is one
 * line of text with white space collapsed, so that texts wrapped
 * differently have the same shape. Source lines are left out. malloc'd.
 */
char *tt_shape(const galley_doc *doc);
/** Text read then written as text with `opts`; malloc'd. */
char *tt_text_to_text(const char *text, const char *const *opts);

#endif
