/* Declarations shared by the files of the epub format module. */
#ifndef GALLEY_EPUB_H
#define GALLEY_EPUB_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#define EPUB_NS_XHTML "http://www.w3.org/1999/xhtml"
#define EPUB_NS_OPS "http://www.idpf.org/2007/ops"
#define EPUB_NS_OPF "http://www.idpf.org/2007/opf"
#define EPUB_NS_DC "http://purl.org/dc/elements/1.1/"
#define EPUB_NS_NCX "http://www.daisy.org/z3986/2005/ncx/"
#define EPUB_NS_CONTAINER "urn:oasis:names:tc:opendocument:xmlns:container"
#define EPUB_NS_SVG "http://www.w3.org/2000/svg"
#define EPUB_NS_MATHML "http://www.w3.org/1998/Math/MathML"

/* util.c */
/** Appends `s` with &, <, > and " escaped (for text and attribute values). */
void epub_escape(galley_buf *b, const char *s);
void epub_escape_n(galley_buf *b, const char *s, size_t len);

/** FNV-1a, 64 bits, seeded. */
uint64_t epub_hash(const void *data, size_t len, uint64_t seed);
void epub_hash2(const void *data, size_t len, uint64_t *h1, uint64_t *h2,
                uint64_t tweak);

/** Media type of an image from its first bytes (PNG, JPEG, GIF, WebP, SVG),
 *  or NULL. */
const char *epub_sniff_image(const unsigned char *data, size_t len);
/** The usual file extension for an image media type ("png"). */
const char *epub_image_ext(const char *media_type);
/** Pixel size of a PNG, JPEG, GIF or WebP image; false when unknown. */
bool epub_image_size(const unsigned char *data, size_t len, unsigned *w,
                     unsigned *h);

/** Decodes %XX escapes into a malloc'd string; NULL when out of memory. */
char *epub_percent_decode(const char *s, size_t len);
/** True when `url` starts with a scheme ("http:", "data:"). */
bool epub_has_scheme(const char *url);
/** Normalises a relative path against directory `dir` (which ends in '/' or
 *  is empty): resolves "." and "..". Returns a malloc'd string, or NULL when
 *  the path leaves the root or memory runs out. */
char *epub_join_path(const char *dir, const char *rel);
/** Trims ASCII white space and folds runs of it into one space (malloc'd). */
char *epub_collapse(const char *s);

/** Parses an XML document pulled through `read` (libxml2's
 *  xmlInputReadCallback, with `io`) with the parser `options`, in
 *  `encoding` (NULL: as the document says). A document whose DTD declares
 *  an entity (general or parameter, internal or external) is refused at
 *  that declaration, before anything is expanded: NULL with `*entities`
 *  set. NULL otherwise when it is not well-formed or memory runs out. */
xmlDoc *epub_xml_read(xmlInputReadCallback read, void *io, const char *encoding,
                      int options, bool *entities);

/** Iterative pre-order walk of a libxml2 subtree: the node after `n` below
 *  `root`, or NULL. `skip_children` passes over n's subtree. */
xmlNode *epub_dom_next(xmlNode *root, xmlNode *n, bool skip_children);

/* A string map with insertion order kept (keys and values malloc'd). */
typedef struct smap_entry {
  char *key;
  char *value;
  size_t num;
} smap_entry;

typedef struct smap {
  smap_entry *items;
  size_t n, cap;
  size_t *slots; /* open addressing: index + 1, 0 = empty */
  size_t n_slots;
} smap;

void smap_free(smap *m);
/** The entry of `key`, or NULL. */
smap_entry *smap_get(const smap *m, const char *key);
/** Adds `key` (copied) unless present; returns its entry, NULL when out of
 *  memory. `*added` tells whether it is new. */
smap_entry *smap_put(smap *m, const char *key, bool *added);

/* idset.c: the ids of one book, a hash set (open addressing) that also
 * makes a repeated id unique in constant time per copy. */
typedef struct idset_slot {
  char *id;    /* malloc'd; NULL: an empty slot */
  size_t next; /* the suffix idset_claim tries first for this id; 0: 2 */
} idset_slot;

typedef struct idset {
  idset_slot *slots;
  size_t n, n_slots; /* n_slots: 0 or a power of two, at least 2n */
  uint64_t seed;
} idset;

/** Frees the ids; the set is empty (and usable) afterwards. */
void idset_free(idset *s);
/** True when `id` is in the set. */
bool idset_has(const idset *s, const char *id);
/** Adds a copy of `id`: 1 when added, 0 when it was there already,
 *  GALLEY_ENOMEM. */
int idset_add(idset *s, const char *id);
/** Adds `want` made unique: `want` itself when the set lacks it, else the
 *  first of "want-2", "want-3", … that it lacks. Returns that id, malloc'd
 *  (the caller frees it), or NULL when out of memory. */
char *idset_claim(idset *s, const char *want);

/* write.c and read.c */
int epub_write(galley_job *job, const galley_doc *doc, galley_sink *out);
int epub_read(galley_job *job, const galley_input *in, galley_doc *doc);

#endif
