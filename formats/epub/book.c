/* The epub writer's package: OPF, nav, NCX, cover and title pages, the
 * stylesheet, and the zip around them with fixed times and order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zip.h>

#include "writer.h"

static const char default_css[] =
    "/* galley's default stylesheet: plain CSS every reading system knows. "
    "*/\n"
    "body { margin: 0 4%; line-height: 1.45; }\n"
    "h1, h2, h3, h4, h5, h6 { line-height: 1.2; margin: 1.2em 0 0.5em; "
    "page-break-after: avoid; }\n"
    "p { margin: 0 0 0.8em; }\n"
    "blockquote { margin: 1em 2em; }\n"
    "pre { white-space: pre-wrap; font-size: 0.85em; }\n"
    "code, kbd, samp, pre { font-family: monospace; }\n"
    "img { max-width: 100%; }\n"
    "figure { margin: 1em 0; text-align: center; }\n"
    "figcaption { font-size: 0.9em; font-style: italic; }\n"
    "table { border-collapse: collapse; margin: 1em 0; }\n"
    "th, td { border: 1px solid #999; padding: 0.2em 0.5em; vertical-align: "
    "top; }\n"
    "hr { border: 0; border-top: 1px solid #999; margin: 1.5em 0; }\n"
    "sup, sub { line-height: 0; }\n"
    ".titlepage { text-align: center; margin-top: 20%; }\n"
    ".titlepage ol.articles { margin: 2em 0 0; padding: 0; "
    "list-style-type: none; }\n"
    ".titlepage ol.articles li { margin: 0 0 0.5em; }\n"
    ".titlepage ol.articles .dateline { display: block; font-size: 0.9em; }\n"
    ".byline, .dateline, .source { font-style: italic; margin: 0 0 0.3em; }\n"
    "section.footnotes { font-size: 0.9em; }\n"
    "aside.footnote { margin: 0.5em 0; }\n"
    ".cover { text-align: center; margin: 0; padding: 0; }\n"
    "nav ol { list-style-type: none; }\n";

/* ---- The table of contents ------------------------------------------------
 */

typedef struct tocent {
  int depth;
  const char *label;
  char *href;
} tocent;

typedef struct toc {
  tocent *e;
  size_t n, cap;
  int max_depth;
} toc;

static bool toc_add(toc *t, int depth, const char *label, const char *file,
                    const char *id) {
  if (galley_array_grow((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e) !=
      GALLEY_OK)
    return false;
  size_t len = strlen(file) + (id ? strlen(id) + 2 : 1);
  char *href = malloc(len);
  if (!href)
    return false;
  snprintf(href, len, "%s%s%s", file, id ? "#" : "", id ? id : "");
  t->e[t->n].depth = depth;
  t->e[t->n].label = label;
  t->e[t->n].href = href;
  t->n++;
  if (depth > t->max_depth)
    t->max_depth = depth;
  return true;
}

static void toc_free(toc *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->e[i].href);
  free(t->e);
}

static const char *chapter_label(writer *w, size_t i, char *tmp, size_t n) {
  if (w->ch[i].title && *w->ch[i].title)
    return w->ch[i].title;
  if (i == 0)
    return w->title;
  snprintf(tmp, n, "Section %zu", i + 1);
  return tmp;
}

/* A digest: one entry per article (chapter), with its headings to
 * toc-depth nested below. The labels of untitled chapters live in `names`
 * (n_ch slots of 32 bytes). */
static bool digest_toc(writer *w, toc *t, char (*names)[32]) {
  for (size_t i = 0; i < w->n_ch; i++) {
    wchapter *ch = &w->ch[i];
    if (!toc_add(t, 0, chapter_label(w, i, names[i], 32), ch->file, NULL))
      return false;
    int stack[8];
    int sp = 0;
    for (size_t j = ch->title_is_heading ? 1 : 0; j < ch->n_heads; j++) {
      wheading *h = &ch->heads[j];
      if (h->level > w->toc_depth || !*h->text)
        continue;
      while (sp > 0 && stack[sp - 1] >= h->level)
        sp--;
      if (!toc_add(t, 1 + sp, h->text, ch->file, h->id))
        return false;
      stack[sp++] = h->level;
    }
  }
  return true;
}

/* One article: its title first, linking to the top, then its sections
 * beside it, each heading under the nearest heading of a higher level
 * before it (a chapter file opens with its heading: that entry links to
 * the file). A heading that repeats the title at the very top is the
 * title's entry. A chapter that does not open with a heading gets an
 * entry of its own, its headings below it. */
static bool article_toc(writer *w, toc *t, char (*names)[32]) {
  if (!toc_add(t, 0, w->title, w->ch[0].file, NULL))
    return false;
  int stack[8];
  int sp = 0;
  for (size_t i = 0; i < w->n_ch; i++) {
    wchapter *ch = &w->ch[i];
    if (i > 0 && !ch->title_is_heading) {
      if (!toc_add(t, 0, chapter_label(w, i, names[i], 32), ch->file, NULL))
        return false;
      sp = 0;
      stack[sp++] = 0; /* below every heading level */
    }
    for (size_t j = 0; j < ch->n_heads; j++) {
      wheading *h = &ch->heads[j];
      bool opens = j == 0 && ch->title_is_heading;
      if (!*h->text || (!opens && h->level > w->toc_depth))
        continue;
      if (i == 0 && opens && strcmp(h->text, w->title) == 0)
        continue;
      while (sp > 0 && stack[sp - 1] >= h->level)
        sp--;
      /* The first file's top is the title's: its headings link to
       * themselves. */
      if (!toc_add(t, sp, h->text, ch->file, opens && i > 0 ? NULL : h->id))
        return false;
      if (sp < 7)
        stack[sp++] = h->level;
    }
  }
  return true;
}

static bool build_toc(writer *w, toc *t, char (*names)[32]) {
  return w->digest ? digest_toc(w, t, names) : article_toc(w, t, names);
}

static void nav_list(galley_buf *b, const toc *t) {
  galley_buf_puts(b, "<ol>\n");
  int cur = -1;
  for (size_t i = 0; i < t->n; i++) {
    const tocent *e = &t->e[i];
    if (cur >= 0 && e->depth > cur) {
      galley_buf_puts(b, "\n<ol>\n");
    } else if (cur >= 0) {
      galley_buf_puts(b, "</li>\n");
      for (int d = cur; d > e->depth; d--)
        galley_buf_puts(b, "</ol>\n</li>\n");
    }
    galley_buf_puts(b, "<li><a href=\"");
    epub_escape(b, e->href);
    galley_buf_puts(b, "\">");
    epub_escape(b, e->label);
    galley_buf_puts(b, "</a>");
    cur = e->depth;
  }
  if (cur >= 0) {
    galley_buf_puts(b, "</li>\n");
    for (int d = cur; d > 0; d--)
      galley_buf_puts(b, "</ol>\n</li>\n");
  }
  galley_buf_puts(b, "</ol>\n");
}

static void nav_doc(writer *w, galley_buf *b, const toc *t) {
  epub_xhtml_head(w, b, "Contents", NULL, NULL, NULL);
  galley_buf_puts(b, "<nav epub:type=\"toc\" id=\"toc\" "
                     "role=\"doc-toc\">\n<h1>Contents</h1>\n");
  nav_list(b, t);
  galley_buf_puts(b, "</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" "
                     "hidden=\"hidden\">\n<h2>Landmarks</h2>\n<ol>\n");
  if (w->cover_page)
    galley_buf_puts(b,
                    "<li><a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a>"
                    "</li>\n");
  if (w->title_page)
    galley_buf_puts(b,
                    "<li><a epub:type=\"titlepage\" href=\"title.xhtml\">Title "
                    "page</a></li>\n");
  galley_buf_printf(
      b, "<li><a epub:type=\"bodymatter\" href=\"%s\">Start</a></li>\n",
      w->ch[0].file);
  galley_buf_puts(b, "</ol>\n</nav>\n</body>\n</html>\n");
}

static void ncx_doc(writer *w, galley_buf *b, const toc *t) {
  galley_buf_puts(
      b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx xmlns=\"" EPUB_NS_NCX
         "\" version=\"2005-1\" xml:lang=\"");
  epub_escape(b, w->lang);
  galley_buf_puts(b, "\">\n<head>\n<meta name=\"dtb:uid\" content=\"");
  epub_escape(b, w->identifier);
  galley_buf_printf(
      b,
      "\"/>\n<meta name=\"dtb:depth\" content=\"%d\"/>\n"
      "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n"
      "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n"
      "<docTitle><text>",
      t->max_depth + 1);
  epub_escape(b, w->title);
  galley_buf_puts(b, "</text></docTitle>\n<navMap>\n");
  /* The same target always gets the same playOrder, as NCX readers expect;
   * the values count distinct targets in order of appearance. */
  smap plays; /* href -> its playOrder */
  memset(&plays, 0, sizeof plays);
  int cur = -1, order = 0;
  for (size_t i = 0; i < t->n; i++) {
    const tocent *e = &t->e[i];
    if (cur >= 0 && e->depth <= cur)
      for (int d = cur; d >= e->depth; d--)
        galley_buf_puts(b, "</navPoint>\n");
    bool added;
    smap_entry *p = smap_put(&plays, e->href, &added);
    if (!p) {
      b->failed = true;
      break;
    }
    if (added)
      p->num = (size_t)++order;
    int play = (int)p->num;
    galley_buf_printf(
        b, "<navPoint id=\"np-%zu\" playOrder=\"%d\">\n<navLabel><text>", i + 1,
        play);
    epub_escape(b, e->label);
    galley_buf_puts(b, "</text></navLabel>\n<content src=\"");
    epub_escape(b, e->href);
    galley_buf_puts(b, "\"/>\n");
    cur = e->depth;
  }
  for (int d = cur; d >= 0; d--)
    galley_buf_puts(b, "</navPoint>\n");
  smap_free(&plays);
  galley_buf_puts(b, "</navMap>\n</ncx>\n");
}

/* ---- Pages ------------------------------------------------------------------
 */

static void byline(writer *w, galley_buf *b) {
  if (!w->n_authors)
    return;
  /* "By" only in English and only when the byline does not say it; "and"
   * before the last name only in English. */
  bool english = galley_byline_wants_by("x", w->lang);
  galley_buf_puts(b, "<p class=\"byline\">");
  if (galley_byline_wants_by(w->authors[0], w->lang))
    galley_buf_puts(b, "By ");
  for (size_t i = 0; i < w->n_authors; i++) {
    if (i)
      galley_buf_puts(b, i + 1 == w->n_authors && english ? " and " : ", ");
    epub_escape(b, w->authors[i]);
  }
  galley_buf_puts(b, "</p>\n");
}

/* A date as readers write it in `lang`; a value that is not ISO 8601 as it
 * is. */
static void human_date(galley_buf *b, const char *cls, const char *date,
                       const char *lang) {
  char human[GALLEY_DATE_FORMAT_MAX];
  size_t n = galley_date_format(date, lang, human, sizeof human);
  galley_buf_printf(b, "<p class=\"%s\">", cls);
  epub_escape(b, n ? human : date);
  galley_buf_puts(b, "</p>\n");
}

/* A digest's title page lists its articles, each with its own date. */
static void article_list(writer *w, galley_buf *b) {
  bool any = false;
  for (size_t i = 0; i < w->n_ch; i++) {
    const wchapter *ch = &w->ch[i];
    if (!ch->article)
      continue;
    if (!any)
      galley_buf_puts(b, "<ol class=\"articles\">\n");
    any = true;
    galley_buf_printf(b, "<li><a href=\"%s\">", ch->file);
    epub_escape(b, ch->title ? ch->title : "");
    galley_buf_puts(b, "</a>");
    const char *date = galley_node_get_attr(ch->article, "date");
    if (date && *date) {
      const char *lang = ch->lang && *ch->lang ? ch->lang : w->lang;
      char human[GALLEY_DATE_FORMAT_MAX];
      size_t n = galley_date_format(date, lang, human, sizeof human);
      galley_buf_puts(b, " <span class=\"dateline\">");
      epub_escape(b, n ? human : date);
      galley_buf_puts(b, "</span>");
    }
    galley_buf_puts(b, "</li>\n");
  }
  if (any)
    galley_buf_puts(b, "</ol>\n");
}

static void title_doc(writer *w, galley_buf *b) {
  const galley_doc *d = w->src;
  epub_xhtml_head(w, b, w->title, NULL, NULL, NULL);
  galley_buf_puts(b, "<section epub:type=\"titlepage\" class=\"titlepage\">\n"
                     "<h1 class=\"title\">");
  epub_escape(b, w->title);
  galley_buf_puts(b, "</h1>\n");
  const char *sub = galley_doc_get_meta(d, GALLEY_META_SUBTITLE);
  if (sub && *sub) {
    galley_buf_puts(b, "<p class=\"subtitle\">");
    epub_escape(b, sub);
    galley_buf_puts(b, "</p>\n");
  }
  byline(w, b);
  const char *date = galley_doc_get_meta(d, GALLEY_META_DATE);
  if (date && *date)
    human_date(b, "dateline", date, w->lang);
  const char *pub = galley_doc_get_meta(d, GALLEY_META_PUBLISHER);
  if (pub && *pub) {
    galley_buf_puts(b, "<p class=\"publisher\">");
    epub_escape(b, pub);
    galley_buf_puts(b, "</p>\n");
  }
  const char *source = galley_doc_get_meta(d, GALLEY_META_SOURCE);
  if (source && *source && !epub_has_scheme(source) &&
      !(pub && strcmp(pub, source) == 0)) {
    galley_buf_puts(b, "<p class=\"source\">");
    epub_escape(b, source);
    galley_buf_puts(b, "</p>\n");
  }
  const char *url = galley_doc_get_meta(d, GALLEY_META_URL);
  if (url && epub_safe_scheme(url) && epub_well_formed_url(url)) {
    char *clean = epub_clean_url(url);
    if (clean) {
      galley_buf_puts(b, "<p class=\"source\"><a href=\"");
      epub_escape(b, clean);
      galley_buf_puts(b, "\">");
      epub_escape(b, url);
      galley_buf_puts(b, "</a></p>\n");
      free(clean);
    } else {
      b->failed = true;
    }
  }
  if (w->digest)
    article_list(w, b);
  galley_buf_puts(b, "</section>\n</body>\n</html>\n");
}

static void cover_doc(writer *w, galley_buf *b) {
  epub_xhtml_head(w, b, "Cover", NULL, NULL, NULL);
  galley_buf_printf(
      b,
      "<section epub:type=\"cover\" class=\"cover\">\n<img role=\"doc-cover\" "
      "src=\"%s\" alt=\"",
      w->res[w->cover].href);
  epub_escape(b, w->title);
  galley_buf_puts(b, "\" />\n</section>\n</body>\n</html>\n");
}

/* ---- The package document -------------------------------------------------
 */

static void dc(galley_buf *b, const char *el, const char *value,
               const char *attrs) {
  if (!value || !*value)
    return;
  galley_buf_printf(b, "<dc:%s%s>", el, attrs ? attrs : "");
  epub_escape(b, value);
  galley_buf_printf(b, "</dc:%s>\n", el);
}

static void opf_doc(writer *w, galley_buf *b) {
  const galley_doc *d = w->src;
  galley_buf_puts(
      b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package "
         "xmlns=\"" EPUB_NS_OPF
         "\" version=\"3.0\" unique-identifier=\"bookid\" xml:lang=\"");
  epub_escape(b, w->lang);
  galley_buf_puts(b, "\">\n<metadata xmlns:dc=\"" EPUB_NS_DC "\">\n");
  dc(b, "identifier", w->identifier, " id=\"bookid\"");
  dc(b, "title", w->title, NULL);
  dc(b, "language", w->lang, NULL);
  for (size_t i = 0; i < w->n_authors; i++) {
    char attrs[48];
    snprintf(attrs, sizeof attrs, " id=\"creator%zu\"", i + 1);
    dc(b, "creator", w->authors[i], attrs);
    galley_buf_printf(b,
                      "<meta refines=\"#creator%zu\" property=\"role\" "
                      "scheme=\"marc:relators\">aut</meta>\n",
                      i + 1);
  }
  dc(b, "date", w->date, NULL);
  dc(b, "publisher", galley_doc_get_meta(d, GALLEY_META_PUBLISHER), NULL);
  const char *url = galley_doc_get_meta(d, GALLEY_META_URL);
  dc(b, "source", url ? url : galley_doc_get_meta(d, GALLEY_META_SOURCE), NULL);
  dc(b, "description", galley_doc_get_meta(d, GALLEY_META_DESCRIPTION), NULL);
  for (size_t i = 0; i < galley_doc_meta_size(d); i++) {
    const char *k, *v;
    if (galley_doc_meta_entry(d, i, &k, &v) && v &&
        strcmp(k, GALLEY_META_KEYWORD) == 0)
      dc(b, "subject", v, NULL);
  }
  epub_a11y_metadata(w, b);
  galley_buf_printf(b, "<meta property=\"dcterms:modified\">%s</meta>\n",
                    w->modified);
  if (w->cover >= 0)
    galley_buf_printf(b, "<meta name=\"cover\" content=\"%s\"/>\n",
                      w->res[w->cover].id);
  galley_buf_puts(
      b, "</metadata>\n<manifest>\n"
         "<item id=\"nav\" href=\"nav.xhtml\" "
         "media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n"
         "<item id=\"ncx\" href=\"toc.ncx\" "
         "media-type=\"application/x-dtbncx+xml\"/>\n"
         "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n");
  if (w->cover_page)
    galley_buf_puts(b, "<item id=\"cover-page\" href=\"cover.xhtml\" "
                       "media-type=\"application/xhtml+xml\"/>\n");
  if (w->title_page)
    galley_buf_puts(b, "<item id=\"title-page\" href=\"title.xhtml\" "
                       "media-type=\"application/xhtml+xml\"/>\n");
  for (size_t i = 0; i < w->n_ch; i++) {
    size_t n = strlen(w->ch[i].file) - strlen(".xhtml");
    galley_buf_printf(b,
                      "<item id=\"%.*s\" href=\"%s\" "
                      "media-type=\"application/xhtml+xml\"/>\n",
                      (int)n, w->ch[i].file, w->ch[i].file);
  }
  for (size_t i = 0; i < w->n_res; i++)
    galley_buf_printf(b, "<item id=\"%s\" href=\"%s\" media-type=\"%s\"%s/>\n",
                      w->res[i].id, w->res[i].href, w->res[i].media_type,
                      (long)i == w->cover ? " properties=\"cover-image\"" : "");
  galley_buf_puts(b, w->rtl ? "</manifest>\n<spine toc=\"ncx\" "
                              "page-progression-direction=\"rtl\">\n"
                            : "</manifest>\n<spine toc=\"ncx\">\n");
  if (w->cover_page)
    galley_buf_puts(b, "<itemref idref=\"cover-page\"/>\n");
  if (w->title_page)
    galley_buf_puts(b, "<itemref idref=\"title-page\"/>\n");
  for (size_t i = 0; i < w->n_ch; i++) {
    size_t n = strlen(w->ch[i].file) - strlen(".xhtml");
    galley_buf_printf(b, "<itemref idref=\"%.*s\"/>\n", (int)n, w->ch[i].file);
  }
  galley_buf_puts(b, "</spine>\n<guide>\n");
  if (w->cover_page)
    galley_buf_puts(b, "<reference type=\"cover\" title=\"Cover\" "
                       "href=\"cover.xhtml\"/>\n");
  if (w->title_page)
    galley_buf_puts(b, "<reference type=\"title-page\" title=\"Title page\" "
                       "href=\"title.xhtml\"/>\n");
  galley_buf_printf(b,
                    "<reference type=\"text\" title=\"Start\" href=\"%s\"/>\n",
                    w->ch[0].file);
  galley_buf_puts(b, "</guide>\n</package>\n");
}

static const char container_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<container version=\"1.0\" xmlns=\"" EPUB_NS_CONTAINER "\">\n"
    "<rootfiles>\n<rootfile full-path=\"EPUB/package.opf\" "
    "media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n"
    "</container>\n";

/* An identifier from the book's content, shaped as a UUID (version 5 bits),
 * so the same input gives the same identifier. */
static char *content_identifier(writer *w) {
  uint64_t h1 = epub_hash(w->title, strlen(w->title), 1);
  uint64_t h2 = epub_hash(w->title, strlen(w->title), 2);
  for (size_t i = 0; i < w->n_ch; i++)
    epub_hash2(w->ch[i].xhtml, w->ch[i].xhtml_len, &h1, &h2,
               0x9e3779b97f4a7c15ULL);
  for (size_t i = 0; i < w->n_res; i++) {
    h1 ^= w->res[i].hash + i;
    h2 = epub_hash(&w->res[i].hash, sizeof w->res[i].hash, h2);
  }
  unsigned char u[16];
  for (int i = 0; i < 8; i++) {
    u[i] = (unsigned char)(h1 >> (8 * i));
    u[8 + i] = (unsigned char)(h2 >> (8 * i));
  }
  u[6] = (unsigned char)((u[6] & 0x0F) | 0x50);
  u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
  char *s = malloc(48);
  if (!s)
    return NULL;
  snprintf(s, 48,
           "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%"
           "02x%02x%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
           u[11], u[12], u[13], u[14], u[15]);
  return s;
}

/* ---- The zip
 * ----------------------------------------------------------------- */

typedef struct zentry {
  char *name;
  char *data;               /* owned */
  const unsigned char *ext; /* borrowed instead of data */
  size_t len;
  bool store;
} zentry;

typedef struct zlist {
  zentry *e;
  size_t n, cap;
  bool failed;
} zlist;

static void zl_add(zlist *z, const char *name, char *data, const void *ext,
                   size_t len, bool store) {
  char *nm = strdup(name);
  if (!z->failed && galley_array_grow((void **)&z->e, &z->cap, z->n + 1,
                                      sizeof *z->e) != GALLEY_OK)
    z->failed = true;
  if (z->failed || !nm || (!data && !ext)) {
    z->failed = true;
    free(nm);
    free(data);
    return;
  }
  z->e[z->n].name = nm;
  z->e[z->n].data = data;
  z->e[z->n].ext = ext;
  z->e[z->n].len = len;
  z->e[z->n].store = store;
  z->n++;
}

static void zl_add_buf(zlist *z, const char *name, galley_buf *b) {
  size_t len = 0;
  char *data = galley_buf_detach(b, &len);
  zl_add(z, name, data, NULL, len, false);
}

static void zl_free(zlist *z) {
  for (size_t i = 0; i < z->n; i++) {
    free(z->e[i].name);
    free(z->e[i].data);
  }
  free(z->e);
}

/* The DOS date and time of the book's dcterms:modified (UTC). */
static void dos_stamp(const char *iso, zip_uint16_t *dtime,
                      zip_uint16_t *ddate) {
  int y = 1980, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6 ||
      y < 1980 || y > 2107) {
    y = 1980, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  }
  *ddate = (zip_uint16_t)(((y - 1980) << 9) | (mo << 5) | d);
  *dtime = (zip_uint16_t)((h << 11) | (mi << 5) | (s / 2));
}

static int write_zip(writer *w, const zlist *z, galley_sink *out) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
  zip_t *za = NULL;
  int rc = GALLEY_OK;
  const char *what = "cannot build the zip";
  if (!mem)
    goto fail;
  zip_source_keep(mem);
  za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
  if (!za)
    goto fail;
  zip_uint16_t dtime, ddate;
  dos_stamp(w->modified, &dtime, &ddate);
  for (size_t i = 0; i < z->n; i++) {
    const void *bytes = z->e[i].data ? (const void *)z->e[i].data : z->e[i].ext;
    zip_source_t *s = zip_source_buffer(za, bytes, z->e[i].len, 0);
    if (!s)
      goto fail_za;
    zip_int64_t idx = zip_file_add(za, z->e[i].name, s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(s);
      goto fail_za;
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx,
                                 z->e[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 z->e[i].store ? 0 : 9) < 0 ||
        zip_file_set_dostime(za, (zip_uint64_t)idx, dtime, ddate, 0) < 0)
      goto fail_za;
  }
  if (zip_close(za) < 0)
    goto fail_za;
  za = NULL;
  zip_stat_t st;
  if (zip_source_open(mem) < 0)
    goto fail;
  if (zip_source_stat(mem, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
    zip_source_close(mem);
    goto fail;
  }
  char chunk[65536];
  zip_int64_t got;
  zip_uint64_t total = 0;
  while ((got = zip_source_read(mem, chunk, sizeof chunk)) > 0) {
    total += (zip_uint64_t)got;
    if (galley_sink_write(out, chunk, (size_t)got) != GALLEY_OK) {
      rc = galley_job_error(w->job, GALLEY_EIO, "cannot write the EPUB");
      break;
    }
  }
  zip_source_close(mem);
  zip_source_free(mem);
  if (!rc && (got < 0 || total != st.size))
    rc = galley_job_error(w->job, GALLEY_EIO, "cannot read back the zip");
  return rc;
fail_za:
  what = zip_strerror(za);
  rc = galley_job_error(w->job, GALLEY_EIO, "zip: %s", what);
  zip_discard(za);
  zip_source_free(mem);
  return rc;
fail:
  rc = galley_job_error(w->job, GALLEY_EIO, "%s: %s", what,
                        zip_error_strerror(&ze));
  zip_error_fini(&ze);
  if (mem)
    zip_source_free(mem);
  return rc;
}

int epub_build_package(writer *w, galley_sink *out) {
  const char *id = galley_doc_get_meta(w->src, GALLEY_META_IDENTIFIER);
  w->identifier = id && *id ? strdup(id) : content_identifier(w);
  w->cover_page = w->cover >= 0;
  epub_a11y_warn(w);
  if (w->cover >= 0)
    w->res[w->cover].cover = true;
  if (!w->identifier)
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");

  toc t;
  memset(&t, 0, sizeof t);
  char(*names)[32] = calloc(w->n_ch, sizeof *names);
  zlist z;
  memset(&z, 0, sizeof z);
  int rc = GALLEY_OK;
  if (!names || !build_toc(w, &t, names)) {
    rc = galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  galley_buf b;
  /* The order is part of the format: mimetype first and stored, then the
   * container, then the package and everything it lists. */
  zl_add(&z, "mimetype", NULL, "application/epub+zip", 20, true);
  zl_add(&z, "META-INF/container.xml", NULL, container_xml,
         sizeof container_xml - 1, false);
  galley_buf_init(&b);
  opf_doc(w, &b);
  zl_add_buf(&z, "EPUB/package.opf", &b);
  galley_buf_init(&b);
  nav_doc(w, &b, &t);
  zl_add_buf(&z, "EPUB/nav.xhtml", &b);
  galley_buf_init(&b);
  ncx_doc(w, &b, &t);
  zl_add_buf(&z, "EPUB/toc.ncx", &b);
  if (w->css)
    zl_add(&z, "EPUB/style.css", NULL, w->css, w->css_len, false);
  else
    zl_add(&z, "EPUB/style.css", NULL, default_css, sizeof default_css - 1,
           false);
  if (w->cover_page) {
    galley_buf_init(&b);
    cover_doc(w, &b);
    zl_add_buf(&z, "EPUB/cover.xhtml", &b);
  }
  if (w->title_page) {
    galley_buf_init(&b);
    title_doc(w, &b);
    zl_add_buf(&z, "EPUB/title.xhtml", &b);
  }
  for (size_t i = 0; i < w->n_ch; i++) {
    char name[64];
    snprintf(name, sizeof name, "EPUB/%s", w->ch[i].file);
    zl_add(&z, name, NULL, w->ch[i].xhtml, w->ch[i].xhtml_len, false);
  }
  for (size_t i = 0; i < w->n_res; i++) {
    char name[64];
    snprintf(name, sizeof name, "EPUB/%s", w->res[i].href);
    bool packed = strcmp(w->res[i].media_type, "image/svg+xml") != 0;
    zl_add(&z, name, NULL, w->res[i].data, w->res[i].size, packed);
  }
  if (z.failed) {
    rc = galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  rc = write_zip(w, &z, out);
done:
  zl_free(&z);
  toc_free(&t);
  free(names);
  return rc;
}
