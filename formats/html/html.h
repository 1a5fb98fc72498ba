/* Declarations shared by the files of the html format module. */
#ifndef GALLEY_HTML_H
#define GALLEY_HTML_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

/* read.c */
int html_read(galley_job *job, const galley_input *in, galley_doc *doc);
/* xmlmem.c: libxml2's memory from a per-thread arena between xm_begin and
 * xm_end (nested: the outermost pair counts); xm_setup installs the hooks,
 * once, before libxml2 is used. */
void xm_setup(void);
void xm_begin(void);
void xm_end(void);
/* The same, in html.so: through html-libxml.mod (module.c). */
int html_read_lazily(galley_job *job, const galley_input *in,
                     galley_doc *doc);

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
/** The same for a byline element: its text with a line break at each block
 * inside it ("Ben Silverman" / "Games Editor"), so that a job title in a
 * block of its own is not read as part of the name. */
bool html_meta_byline_element(html_meta *m, xmlNode *el);
/** Writes what was found into the document, best source first. */
int html_meta_apply(html_meta *m, galley_doc *doc);

/* images.c: the image an <img> stands for, and the images not worth one. */

typedef struct html_img {
  const char *url; /* part of an attribute's value: `len` bytes */
  size_t len;
  bool placeholder;   /* only a placeholder was found (a tiny data: URL, a
                         spacer GIF) */
  bool from_src_only; /* the plain src, with no lazy or srcset alternative */
} html_img;

/** Picks what a reader should see for `img`: among its <picture>'s
 *  sources and its own lazy, srcset and src attributes, a core image type
 *  first, the largest srcset candidate up to 1600 px wide (or the highest
 *  density). False when it names no image at all. */
bool html_img_pick(const xmlNode *img, html_img *out);
/** True for a tracking pixel: 0 or 1 px wide or high by its attributes, or
 *  an address of a known beacon. `pick` may be NULL. */
bool html_img_is_tracker(const xmlNode *img, const html_img *pick);
/** True when a <noscript> holding an image follows `img`: the script-free
 *  copy, which shows instead of a placeholder. */
bool html_img_has_noscript(const xmlNode *img);
/** Whether a <noscript> should show its images: it holds one, and the
 *  element beside it is not the same image already showing. */
bool html_noscript_shows(const xmlNode *ns);
/** The next <img> below `top` after `cur` (NULL: the first), in document
 *  order; NULL when there is none within a few hundred nodes. */
const xmlNode *html_img_next(const xmlNode *top, const xmlNode *cur);

/* links.c: what relative links and images resolve against. */

typedef struct html_links {
  galley_job *job;
  const char *dir; /* the input's folder (in the document's arena), or NULL
                      when the input is not a local file */
  char *fetched;   /* the address the page was fetched from, or NULL */
  char *page;      /* the page's own address: fetched, else its canonical
                      or og:url; NULL when it has none */
  char *base_href; /* its <base href> as an absolute web address, or NULL */
  const char *web; /* what references resolve against: base_href, else
                      page; NULL when there is none */
} html_links;

/** Finds the addresses in `xd` and in what the runner put in `doc`
 *  (a web base, or url metadata, for a fetched page); a page that is not
 *  a local file takes an absolute <base href> as the document's base.
 *  GALLEY_OK or GALLEY_ENOMEM; html_links_free in both cases. */
int html_links_init(html_links *l, galley_job *job, galley_doc *doc,
                    xmlDoc *xd);
void html_links_free(html_links *l);
/** `ref` (white space collapsed) as it should be written: a malloc'd
 *  absolute address, or NULL to keep it as written (in-document, already
 *  absolute, nothing to resolve against, or an `image` that exists as a
 *  local file beside the page); NULL with *oom set when out of memory. */
char *html_links_resolve(const html_links *l, const char *ref, bool image,
                         bool *oom);

/* Small helpers. */
/** HTML's white space (the pre-scans of a page test every byte with it). */
static inline bool html_is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
/** Copies `s` with runs of white space made one space and both ends trimmed. */
char *html_collapse(const char *s);
/** The value of libxml2 element `el`'s attribute `name` (any case): "" for
 *  one without a value, NULL when absent. */
const char *html_attr(const xmlNode *el, const char *name);
/** Whether `n` (may be NULL) is an element named `name` (any case). Inline,
 *  and first letters compared before the names: the walks ask it of every
 *  element, several names each. */
static inline bool html_named(const xmlNode *n, const char *name) {
  if (!n || n->type != XML_ELEMENT_NODE)
    return false;
  const char *a = (const char *)n->name;
  /* Letters equal in any case are equal with bit 5 set. */
  return (((unsigned char)a[0] | 0x20) == ((unsigned char)name[0] | 0x20)) &&
         strcasecmp(a, name) == 0;
}
/** Whether the space-separated list `list` (may be NULL) holds `word`
 *  (any case). */
bool html_has_word(const char *list, const char *word);

#endif
