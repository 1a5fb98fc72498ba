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
  const char *dir;  /* borrowed: the article's direction; NULL: by lang */
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

/* What the chapters hold, for the accessibility metadata (a11y.c). */
typedef struct epub_a11y {
  size_t images;    /* every image the chapters show */
  size_t described; /* with a text alternative */
  size_t missing;   /* an empty alt, or none */
  size_t poor;      /* an alt that is a file name or "image" */
  size_t tables;
  bool headings;
} epub_a11y;

enum { EPUB_ALT_TEXT, EPUB_ALT_DECORATIVE, EPUB_ALT_MISSING, EPUB_ALT_POOR };

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
  epub_a11y a11y;
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
/** Opening of an XHTML content document up to and including <body…>:
 * in `lang` (NULL: the book's), written in direction `dir` ("rtl" or
 * "ltr"; NULL: the language's, or the book's for the book's language). */
void epub_xhtml_head(writer *w, galley_buf *b, const char *title,
                     const char *lang, const char *dir,
                     const char *body_attrs);

/** True for the URL schemes a book may link to (http, https, mailto…). */
bool epub_safe_scheme(const char *u);
/** Whether a URL of a safe scheme has a host (or address) validators take. */
bool epub_well_formed_url(const char *u);
/** Percent-encodes what a URL may not hold as is (malloc'd). */
char *epub_clean_url(const char *u);

/* a11y.c */
/** The ARIA role that matches epub:type `type` on element `el`, or NULL
 *  when there is none (or `el` may not carry it). */
const char *epub_role_for(const char *el, const char *type);
/** What an image's alt text is worth: EPUB_ALT_TEXT, _DECORATIVE (empty),
 *  _MISSING (NULL) or _POOR (a file name, "image"…). `src` may be NULL. */
int epub_alt_kind(const char *alt, const char *src);
/** Headings of a chapter DOM without skipped levels; empty ones become
 *  paragraphs. */
void epub_fix_headings(xmlNode *root);
/** Roles, alt text, header scopes and link names of chapter `ci`, counted
 *  into w->a11y. */
void epub_a11y_chapter(writer *w, size_t ci);
/** Whether the book passes the checks behind dcterms:conformsTo. */
bool epub_a11y_conforms(const writer *w);
/** One warning for images without a meaningful text alternative. */
void epub_a11y_warn(writer *w);
/** The accessibility metadata of the package document. */
void epub_a11y_metadata(const writer *w, galley_buf *b);

/* book.c */
/** Writes the package (OPF, nav, NCX, pages, files) as a zip to `out`. */
int epub_build_package(writer *w, galley_sink *out);

#endif
