/* Internal declarations shared by the text plugin's reader and writer. */
#ifndef GALLEY_TEXT_H
#define GALLEY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <galley/galley.h>

/* ---- UTF-8 ----------------------------------------------------------------
 */

/** Byte length of the UTF-8 sequence that starts with byte `c` (1 for bad
 * bytes). */
size_t txt_seq_len(unsigned char c);

/* ---- String -> int map with borrowed keys ----------------------------------
 */
typedef struct tmap_slot {
  const char *key;
  size_t len;
  size_t value;
} tmap_slot;

typedef struct tmap {
  tmap_slot *slots;
  size_t cap;
  size_t count;
} tmap;

/** The value stored for `key`, or NULL. */
size_t *tmap_get(const tmap *m, const char *key, size_t len);
/** Stores `value` for `key` (borrowed: it must outlive the map). */
bool tmap_put(tmap *m, const char *key, size_t len, size_t value);
void tmap_free(tmap *m);

/* ---- Reader internals shared with the structure recovery ----------------- */

/** What the reader saw of each top-level block, for structure recovery. */
typedef struct txt_block {
  galley_node *node;
  galley_kind kind;
  int level;        /* HEADING: its level (from an underline) */
  size_t nlines;    /* source lines of a paragraph or heading */
  size_t width;     /* code points, lines joined, spaces collapsed */
  const char *text; /* a short paragraph's or heading's text (NULL: long) */
  size_t text_len;
} txt_block;

/**
 * Recovers the structure of a scraped article from its top-level blocks:
 * title, source, byline, date (into metadata) and subheadings.
 * `explicit_sub` is true when the text marked headings itself with
 * underlines (then no short line is promoted to a heading).
 */
/* Numbered notes ("[1]" in the text, "[1] …" lines at the end) made
 * footnotes, when the shape is clear (notes.c). */
int txt_numbered_notes(galley_doc *doc);

int txt_recover(galley_job *job, galley_doc *doc, txt_block *blocks, size_t n,
                bool explicit_sub);

/* ---- Callbacks -------------------------------------------------------------
 */
int txt_read(galley_job *job, const galley_input *in, galley_doc *doc);
int txt_write(galley_job *job, const galley_doc *doc, galley_sink *out);

#endif
