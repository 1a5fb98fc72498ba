/* The epub writer's state, shared by write.c, dom.c and book.c. */
#ifndef GALLEY_EPUB_WRITER_H
#define GALLEY_EPUB_WRITER_H

#include "epub.h"

/* An embedded file: an image or the cover. */
typedef struct wres {
  char *href; /* relative to the package folder: "images/img-001.png" */
  char *id;
  const char *media_type;
  const unsigned char *data;
  size_t size;
  unsigned char *owned; /* freed with the writer when the bytes are ours */
  uint64_t hash;
  bool cover;
} wres;

typedef struct wheading {
  int level;
  char *id;
  char *text;
} wheading;

typedef struct wchapter {
  char *file; /* "ch001.xhtml" */
  char *title;
  const char *lang; /* borrowed; NULL: the book's */
  xmlDoc *dom;
  xmlNode *body;
  wheading *heads;
  size_t n_heads, cap_heads;
  /* What the chapter holds in the source tree: children first..last of
   * a container (inclusive), or one article DIV. */
  galley_node *article;
  galley_node *first, *last;
  bool title_is_heading; /* the first heading gave the title */
  char *xhtml;           /* the finished file */
  size_t xhtml_len;
} wchapter;

typedef struct wfootnote {
  const char *label;
  galley_node *def;
  int number;   /* 0 until first referenced */
  int refs;     /* references so far */
  bool emitted; /* its aside was written */
} wfootnote;

typedef struct writer {
  galley_job *job;
  const galley_doc *src;
  const galley_plugin *html;
  wchapter *ch;
  size_t n_ch, cap_ch;
  wres *res;
  size_t n_res, cap_res;
  size_t res_bytes;
  wfootnote *fn;
  size_t n_fn, cap_fn;
  smap fn_index; /* label -> index + 1 in num */
  int next_note;
  idset ids;    /* every id in the book */
  smap targets; /* an id of the source -> chapter index in num, new id */
  smap res_by_url;
  bool digest;
  /* Book metadata, malloc'd. */
  char *title, *lang, *identifier, *modified, *date;
  char **authors;
  size_t n_authors, cap_authors;
  smap author_set; /* the authors above, for de-duplication */
  char *css;
  size_t css_len;
  long cover; /* index in res, or -1 */
  bool title_page, cover_page;
  bool rtl; /* the book is written right to left (direction, or language) */
  int toc_depth;
  size_t remote_images; /* dropped so far, for one summary warning */
} writer;

/* dom.c */
/** Renders chapter `ci` (its tree in `tree`, which this frees) to XHTML
 *  through the html writer and parses the result into the chapter's DOM. */
int epub_render_chapter(writer *w, size_t ci, galley_doc *tree);
/** Cleans a chapter's DOM for EPUB: elements and attributes that EPUB
 *  content documents allow, footnote markup, unique ids. */
int epub_clean_chapter(writer *w, size_t ci);
/** Resolves images and links of every chapter, collects headings. */
int epub_link_chapters(writer *w);
/** Serialises chapter `ci` as a complete XHTML content document. */
int epub_finish_chapter(writer *w, size_t ci);
/** Adds (or finds) an image resource from bytes; `*out` its index. When
 *  `owned` is not NULL the writer takes it over (and frees it) in any case. */
int epub_add_image(writer *w, const unsigned char *data, size_t size,
                   unsigned char *owned, long *out);
/** Makes `s` a valid XML name without colons (malloc'd). */
char *epub_ncname(const char *s);
/** Serialises the children of `root` as XHTML into `b`. */
void epub_serialize(galley_buf *b, xmlNode *root);
/** Opening of an XHTML content document up to and including <body…>. */
void epub_xhtml_head(writer *w, galley_buf *b, const char *title,
                     const char *lang, const char *body_attrs);

/** True for the URL schemes a book may link to (http, https, mailto…). */
bool epub_safe_scheme(const char *u);
/** Whether a URL of a safe scheme has a host (or address) validators take. */
bool epub_well_formed_url(const char *u);
/** Percent-encodes what a URL may not hold as is (malloc'd). */
char *epub_clean_url(const char *u);

/* book.c */
/** Writes the package (OPF, nav, NCX, pages, files) as a zip to `out`. */
int epub_build_package(writer *w, galley_sink *out);

#endif
