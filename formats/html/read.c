/* The HTML reader: libxml2's forgiving parser, then one iterative walk that
 * maps elements onto galley's tree. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

/* ---- What each element is ------------------------------------------------ */

typedef enum tagcode {
  T_OTHER = 0, /* unknown or custom: a span, or a div when it holds blocks */
  T_DROP,      /* dropped with everything inside */
  T_PASS,      /* no node of its own; its content stays */
  T_META,      /* <meta>, <link>, <title>, <base>: metadata only */
  T_SCRIPT,
  T_HEAD,
  T_HTML,
  T_DIV,
  T_P,
  T_H,
  T_UL,
  T_OL,
  T_LI,
  T_DL,
  T_DT,
  T_DD,
  T_BLOCKQUOTE,
  T_PRE,
  T_HR,
  T_TABLE,
  T_CAPTION,
  T_TGROUP,
  T_TR,
  T_TD,
  T_TH,
  T_FIGURE,
  T_FIGCAPTION,
  T_LAST_BLOCK = T_FIGCAPTION,
  T_IMG,
  T_BR,
  T_WBR,
  T_A,
  T_EMPH,
  T_STRONG,
  T_STRIKE,
  T_SUB,
  T_SUP,
  T_CODE,
  T_Q,
  T_SPAN,
  T_INPUT,
  T_MATH,
} tagcode;

/* Sorted by name for bsearch. */
static const struct tagdef {
  const char *name;
  unsigned char code;
} tags[] = {
    {"a", T_A},
    {"abbr", T_SPAN},
    {"acronym", T_SPAN},
    {"address", T_DIV},
    {"applet", T_DROP},
    {"area", T_DROP},
    {"article", T_DIV},
    {"aside", T_DIV},
    {"audio", T_DROP},
    {"b", T_STRONG},
    {"base", T_META},
    {"basefont", T_DROP},
    {"bdi", T_SPAN},
    {"bdo", T_SPAN},
    {"big", T_SPAN},
    {"blink", T_SPAN},
    {"blockquote", T_BLOCKQUOTE},
    {"body", T_PASS},
    {"br", T_BR},
    {"button", T_DROP},
    {"canvas", T_DROP},
    {"caption", T_CAPTION},
    {"center", T_DIV},
    {"cite", T_SPAN},
    {"code", T_CODE},
    {"col", T_DROP},
    {"colgroup", T_DROP},
    {"data", T_SPAN},
    {"datalist", T_DROP},
    {"dd", T_DD},
    {"del", T_STRIKE},
    {"details", T_DIV},
    {"dfn", T_SPAN},
    {"dialog", T_DIV},
    {"dir", T_UL},
    {"div", T_DIV},
    {"dl", T_DL},
    {"dt", T_DT},
    {"em", T_EMPH},
    {"embed", T_DROP},
    {"fieldset", T_DIV},
    {"figcaption", T_FIGCAPTION},
    {"figure", T_FIGURE},
    {"font", T_SPAN},
    {"footer", T_DIV},
    {"form", T_DIV},
    {"frame", T_DROP},
    {"frameset", T_DROP},
    {"h1", T_H},
    {"h2", T_H},
    {"h3", T_H},
    {"h4", T_H},
    {"h5", T_H},
    {"h6", T_H},
    {"head", T_HEAD},
    {"header", T_DIV},
    {"hgroup", T_DIV},
    {"hr", T_HR},
    {"html", T_HTML},
    {"i", T_EMPH},
    {"iframe", T_DROP},
    {"image", T_IMG},
    {"img", T_IMG},
    {"input", T_INPUT},
    {"ins", T_SPAN},
    {"kbd", T_CODE},
    {"label", T_SPAN},
    {"legend", T_DIV},
    {"li", T_LI},
    {"link", T_META},
    {"listing", T_PRE},
    {"main", T_DIV},
    {"map", T_DROP},
    {"mark", T_SPAN},
    {"marquee", T_DIV},
    {"math", T_MATH},
    {"menu", T_UL},
    {"meta", T_META},
    {"meter", T_SPAN},
    {"nav", T_DIV},
    {"nobr", T_SPAN},
    {"noembed", T_DROP},
    {"noframes", T_DROP},
    {"noscript", T_DROP},
    {"object", T_DROP},
    {"ol", T_OL},
    {"optgroup", T_DROP},
    {"option", T_DROP},
    {"output", T_SPAN},
    {"p", T_P},
    {"param", T_DROP},
    {"picture", T_PASS},
    {"plaintext", T_PRE},
    {"pre", T_PRE},
    {"progress", T_DROP},
    {"q", T_Q},
    {"rb", T_SPAN},
    {"rp", T_SPAN},
    {"rt", T_SPAN},
    {"rtc", T_SPAN},
    {"ruby", T_SPAN},
    {"s", T_STRIKE},
    {"samp", T_CODE},
    {"script", T_SCRIPT},
    {"search", T_DIV},
    {"section", T_DIV},
    {"select", T_DROP},
    {"slot", T_PASS},
    {"small", T_SPAN},
    {"source", T_PASS}, /* libxml2 < 2.14 nests what follows in it */
    {"span", T_SPAN},
    {"strike", T_STRIKE},
    {"strong", T_STRONG},
    {"style", T_DROP},
    {"sub", T_SUB},
    {"summary", T_DIV},
    {"sup", T_SUP},
    {"svg", T_DROP},
    {"table", T_TABLE},
    {"tbody", T_TGROUP},
    {"td", T_TD},
    {"template", T_DROP},
    {"textarea", T_DROP},
    {"tfoot", T_TGROUP},
    {"th", T_TH},
    {"thead", T_TGROUP},
    {"time", T_SPAN},
    {"title", T_META},
    {"tr", T_TR},
    {"track", T_DROP},
    {"tt", T_CODE},
    {"u", T_SPAN},
    {"ul", T_UL},
    {"var", T_SPAN},
    {"video", T_DROP},
    {"wbr", T_WBR},
    {"xmp", T_PRE},
};

static int tagcmp(const void *key, const void *def) {
  return strcmp(key, ((const struct tagdef *)def)->name);
}

static tagcode tag_of(const xmlNode *el) {
  const struct tagdef *d = bsearch(el->name, tags, sizeof tags / sizeof tags[0],
                                   sizeof tags[0], tagcmp);
  return d ? (tagcode)d->code : T_OTHER;
}

static bool is_block_code(tagcode c) { return c >= T_DIV && c <= T_LAST_BLOCK; }

/* True when the space-separated list `list` holds `word` (any case). */
bool html_has_word(const char *list, const char *word) {
  if (!list)
    return false;
  size_t n = strlen(word);
  const char *p = list;
  while (*p) {
    while (*p && html_is_space((unsigned char)*p))
      p++;
    const char *s = p;
    while (*p && !html_is_space((unsigned char)*p))
      p++;
    if ((size_t)(p - s) == n && strncasecmp(s, word, n) == 0)
      return true;
  }
  return false;
}

/* Lower case for ASCII letters (a quick first test before strcasecmp). */
static unsigned char low(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

const char *html_attr(const xmlNode *el, const char *name) {
  unsigned char first = low((unsigned char)name[0]);
  for (const xmlAttr *a = el->properties; a; a = a->next)
    if (low(a->name[0]) == first &&
        strcasecmp((const char *)a->name, name) == 0)
      return a->children && a->children->content
                 ? (const char *)a->children->content
                 : "";
  return NULL;
}

/* The element's DPUB-ARIA role; without one, the role its EPUB 3 epub:type
 * stands for (the W3C's DPUB-ARIA mapping), so that a book's notes and page
 * breaks read as a web page's do. */
static const char *semantic_role(const xmlNode *el) {
  const char *role = html_attr(el, "role");
  if (role && *role)
    return role;
  const char *t = html_attr(el, "epub:type");
  for (const xmlAttr *a = el->properties; !t && a; a = a->next)
    if (a->ns && a->ns->prefix && !strcmp((const char *)a->ns->prefix, "epub") &&
        !strcmp((const char *)a->name, "type"))
      t = a->children && a->children->content
              ? (const char *)a->children->content
              : "";
  static const char *const map[][2] = {
      {"noteref", "doc-noteref"},     {"footnote", "doc-footnote"},
      {"endnote", "doc-endnote"},     {"rearnote", "doc-endnote"},
      {"footnotes", "doc-endnotes"},  {"endnotes", "doc-endnotes"},
      {"rearnotes", "doc-endnotes"},  {"pagebreak", "doc-pagebreak"},
      {"backlink", "doc-backlink"}};
  for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
    if (html_has_word(t, map[i][0]))
      return map[i][1];
  return role;
}

/* An element a browser would not show. */
static bool hidden(const xmlNode *el) {
  if (html_attr(el, "hidden"))
    return true;
  const char *style = html_attr(el, "style");
  if (!style)
    return false;
  char buf[256];
  size_t k = 0;
  for (const char *p = style; *p && k + 1 < sizeof buf; p++)
    if (!html_is_space((unsigned char)*p))
      buf[k++] = (char)(*p | (*p >= 'A' && *p <= 'Z' ? 0x20 : 0));
  buf[k] = 0;
  return strstr(buf, "display:none") || strstr(buf, "visibility:hidden");
}

/* Whether an element holds blocks (or unknown elements, which in practice
 * wrap layout), so that it is a container rather than an inline. */
static bool has_block_child(const xmlNode *el) {
  for (const xmlNode *c = el->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    tagcode t = tag_of(c);
    if (is_block_code(t) || t == T_OTHER)
      return true;
  }
  return false;
}

/* ---- Reader state -------------------------------------------------------- */

typedef enum ftype { F_BLOCK, F_INLINE, F_PASS, F_FLAT } ftype;

typedef struct frame {
  xmlNode *src;
  galley_node *node; /* F_BLOCK: the container; F_INLINE: the template */
  galley_node *leaf; /* F_BLOCK: the open block that takes inlines, or NULL */
  galley_node *irow; /* F_BLOCK of a TABLE: a row made for stray cells */
  size_t blk;        /* index of the innermost F_BLOCK frame */
  unsigned char type;
  unsigned char quote;      /* F_INLINE: a <q> */
  unsigned char saved_part; /* F_PASS: row part before a thead/tbody */
  unsigned char saved_fn;   /* F_PASS: footnote mode before */
  unsigned char explicit_p; /* F_BLOCK: a <p> element */
} frame;

/* An inline element that is open. Its node is made lazily, when content
 * arrives, and made again (a clone) in each new block its content reaches:
 * <a href><div>x</div><div>y</div></a> links both x and y. */
typedef struct ientry {
  galley_node *tmpl;
  galley_node *cur;
  bool used;
} ientry;

typedef struct rd {
  galley_job *job;
  galley_doc *doc;
  frame *st;
  size_t n, cap;
  ientry *il;
  size_t nil, ilcap, nvalid;
  galley_buf tb;    /* text not yet made into a node */
  const char *pend; /* a first piece of text not yet copied (add_text) */
  size_t pend_n;
  galley_node *towner;
  bool space;      /* white space seen, not yet written */
  bool line_start; /* nothing written since the block or line began */
  bool after_back;  /* a note's leading way back ("1" in "1. Text") skipped:
                     * the "." or ")" after it goes too */
  unsigned char part;
  unsigned char footnotes;
  html_links links; /* what relative addresses resolve against */
  size_t max_depth;
  html_meta *meta;
  size_t count;
  unsigned byline_tries;
  bool byline_done;
  int rc;
} rd;

static int nomem(rd *r) {
  r->rc = galley_job_error(r->job, GALLEY_ENOMEM, "out of memory");
  return r->rc;
}

static galley_node *new_node(rd *r, galley_kind kind, const xmlNode *src) {
  galley_node *n = galley_doc_new_node(r->doc, kind);
  if (!n) {
    nomem(r);
    return NULL;
  }
  if (src) {
    long line = xmlGetLineNo((xmlNode *)src);
    if (line > 0 && line <= INT32_MAX)
      galley_node_set_line(n, (int)line);
  }
  return n;
}

static int flush_text(rd *r) {
  if (r->tb.len == 0 && !r->pend)
    return GALLEY_OK;
  galley_node *t = r->pend ? galley_doc_new_text(r->doc, r->pend, r->pend_n)
                           : galley_doc_new_text(r->doc, r->tb.data, r->tb.len);
  galley_buf_clear(&r->tb);
  r->pend = NULL;
  if (!t)
    return nomem(r);
  if (galley_node_append_child(r->towner, t) != GALLEY_OK) {
    r->rc = galley_job_error(r->job, GALLEY_EINVALID,
                             "html reader: text cannot go in a %s",
                             galley_kind_name(galley_node_kind(r->towner)));
    return r->rc;
  }
  return GALLEY_OK;
}

static int copy_text(rd *r, const char *s, size_t n);

static int add_text(rd *r, galley_node *owner, const char *s, size_t n) {
  if (owner != r->towner) {
    if (flush_text(r))
      return r->rc;
    r->towner = owner;
  }
  /* The first piece of a run is only remembered: it points into the parsed
   * page (or a constant), which lives until the walk ends. A run of one
   * piece (a 200 MB paragraph) then goes to the arena in one copy. */
  if (r->tb.len == 0 && !r->pend) {
    r->pend = s;
    r->pend_n = n;
    return GALLEY_OK;
  }
  if (r->pend) {
    const char *p = r->pend;
    r->pend = NULL;
    if (copy_text(r, p, r->pend_n))
      return r->rc;
  }
  return copy_text(r, s, n);
}

static int copy_text(rd *r, const char *s, size_t n) {
  if (galley_buf_add(&r->tb, s, n) != GALLEY_OK)
    return nomem(r);
  return GALLEY_OK;
}

static int append(rd *r, galley_node *parent, galley_node *child) {
  if (flush_text(r))
    return r->rc;
  if (galley_node_append_child(parent, child) != GALLEY_OK) {
    r->rc = galley_job_error(r->job, GALLEY_EINVALID,
                             "html reader: a %s cannot go in a %s",
                             galley_kind_name(galley_node_kind(child)),
                             galley_kind_name(galley_node_kind(parent)));
    return r->rc;
  }
  return GALLEY_OK;
}

static int set_str(rd *r, galley_node *n,
                   int (*set)(galley_node *, const char *), const char *v) {
  if (!v)
    return GALLEY_OK;
  char *c = html_collapse(v);
  if (!c)
    return nomem(r);
  int rc = *c ? set(n, c) : GALLEY_OK;
  free(c);
  if (rc == GALLEY_ENOMEM)
    return nomem(r);
  return GALLEY_OK;
}

/* Tag name, id and classes: what the boilerplate transform judges by. */
static int keep_attrs(rd *r, galley_node *n, const xmlNode *el) {
  if (galley_node_set_tag(n, (const char *)el->name) != GALLEY_OK)
    return nomem(r);
  const char *id = html_attr(el, "id");
  if (set_str(r, n, galley_node_set_id, id) ||
      set_str(r, n, galley_node_set_classes, html_attr(el, "class")))
    return r->rc;
  const char *role = semantic_role(el);
  if (role && *role && galley_node_set_attr(n, "role", role) != GALLEY_OK)
    return nomem(r);
  static const char *const keep[] = {"lang", "dir", "itemprop", "rel", NULL};
  for (size_t i = 0; keep[i]; i++) {
    const char *v = html_attr(el, keep[i]);
    if (v && *v && galley_node_set_attr(n, keep[i], v) != GALLEY_OK)
      return nomem(r);
  }
  /* An abbreviation's expansion, a time's machine-readable value; what is
   * hidden from screen readers (decoration, or a visual copy of words said
   * to them apart: the boilerplate transform's rule hidden). */
  galley_kind k = galley_node_kind(n);
  if (k == GALLEY_NODE_SPAN || k == GALLEY_NODE_DIV) {
    static const char *const more[] = {"title", "datetime", NULL};
    for (size_t i = 0; more[i]; i++) {
      const char *v = html_attr(el, more[i]);
      if (v && *v && galley_node_set_attr(n, more[i], v) != GALLEY_OK)
        return nomem(r);
    }
    const char *ah = html_attr(el, "aria-hidden");
    if (ah && strcasecmp(ah, "true") == 0 &&
        galley_node_set_attr(n, "aria-hidden", "true") != GALLEY_OK)
      return nomem(r);
  }
  return GALLEY_OK;
}

/* A link's or image's address as the document keeps it: white space
 * collapsed, resolved against the page's web address (links.c). */
static char *resolve(rd *r, const char *href, bool image) {
  char *c = html_collapse(href);
  if (!c) {
    nomem(r);
    return NULL;
  }
  bool oom = false;
  char *abs = html_links_resolve(&r->links, c, image, &oom);
  char *out =
      oom ? NULL : galley_doc_strndup(r->doc, abs ? abs : c, (size_t)-1);
  free(abs);
  free(c);
  if (!out)
    nomem(r);
  return out;
}

/* ---- Frames -------------------------------------------------------------- */

static frame *top(rd *r) { return &r->st[r->n - 1]; }
static frame *blk(rd *r) { return &r->st[top(r)->blk]; }

static frame *push(rd *r, xmlNode *src, ftype type) {
  if (r->max_depth && r->n > r->max_depth) {
    r->rc = galley_job_error(r->job, GALLEY_ELIMIT,
                             "elements nest deeper than the depth limit of "
                             "%zu (line %ld)",
                             r->max_depth, xmlGetLineNo(src));
    return NULL;
  }
  if (galley_array_grow((void **)&r->st, &r->cap, r->n + 1, sizeof *r->st) !=
      GALLEY_OK) {
    nomem(r);
    return NULL;
  }
  frame *f = &r->st[r->n];
  memset(f, 0, sizeof *f);
  f->src = src;
  f->type = (unsigned char)type;
  f->blk = r->n ? r->st[r->n - 1].blk : 0;
  if (type == F_BLOCK)
    f->blk = r->n;
  r->n++;
  return f;
}

static galley_kind kind_of(const galley_node *n) { return galley_node_kind(n); }

static bool leaf_kind(galley_kind k) {
  return k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_HEADING ||
         k == GALLEY_NODE_TERM;
}

/* What content inside a list goes into: its last item, and inside a
 * definition list its last definition, each made when missing. NULL when
 * out of memory. */
static galley_node *list_slot(rd *r, galley_node *list) {
  galley_kind want = kind_of(list) == GALLEY_NODE_LIST ? GALLEY_NODE_ITEM
                                                       : GALLEY_NODE_DEFINITION;
  galley_node *c = galley_node_last_child(list);
  if (c && kind_of(c) == want)
    return c;
  if (!(c = new_node(r, want, NULL)) || append(r, list, c))
    return NULL;
  return c;
}

/* Opens the block that inline content of block frame `b` goes into. */
static galley_node *open_leaf(rd *r, frame *b) {
  galley_node *n = b->node, *c, *p;
  switch (kind_of(n)) {
  case GALLEY_NODE_PARAGRAPH:
  case GALLEY_NODE_HEADING:
  case GALLEY_NODE_TERM: return n;
  case GALLEY_NODE_TABLE_CELL:
  case GALLEY_NODE_CAPTION:
    c = galley_node_last_child(n);
    if (!c || galley_kind_is_inline(kind_of(c)))
      return n;
    break;
  case GALLEY_NODE_LIST:
  case GALLEY_NODE_DEFINITION_LIST:
    if (!(n = list_slot(r, n)))
      return NULL;
    break;
  case GALLEY_NODE_TABLE:
    if (!(c = new_node(r, GALLEY_NODE_TABLE_ROW, NULL)) || append(r, n, c) ||
        galley_node_set_row_part(c, r->part))
      return NULL;
    b->irow = c;
    n = c;
    /* fall through */
  case GALLEY_NODE_TABLE_ROW:
    if (!(c = new_node(r, GALLEY_NODE_TABLE_CELL, NULL)) || append(r, n, c))
      return NULL;
    return c;
  default: break;
  }
  if (!(p = new_node(r, GALLEY_NODE_PARAGRAPH, NULL)) || append(r, n, p))
    return NULL;
  return p;
}

static galley_node *clone_inline(rd *r, const galley_node *t) {
  galley_node *c = new_node(r, kind_of(t), NULL);
  if (!c)
    return NULL;
  galley_node_set_line(c, galley_node_get_line(t));
  if (galley_node_get_tag(t))
    galley_node_set_tag(c, galley_node_get_tag(t));
  if (galley_node_get_classes(t))
    galley_node_set_classes(c, galley_node_get_classes(t));
  if (kind_of(t) == GALLEY_NODE_LINK) {
    galley_node_set_url(c, galley_node_get_url(t));
    if (galley_node_get_title(t))
      galley_node_set_title(c, galley_node_get_title(t));
  }
  const char *k, *v;
  for (size_t i = 0; galley_node_attr_at(t, i, &k, &v); i++)
    if (strcmp(k, "id") != 0 && strcmp(k, "class") != 0 &&
        strcmp(k, "tag") != 0)
      galley_node_set_attr(c, k, v);
  return c;
}

/* Where inline content goes now: opens the block and re-opens the inline
 * elements that wrap it. Writes a pending space first. */
static galley_node *content(rd *r) {
  frame *b = blk(r);
  if (!b->leaf) {
    b->leaf = open_leaf(r, b);
    if (!b->leaf)
      return NULL;
    r->nvalid = 0;
  }
  galley_node *deep = r->nvalid ? r->il[r->nvalid - 1].cur : b->leaf;
  if (r->space) {
    r->space = false;
    if (add_text(r, deep, " ", 1))
      return NULL;
  }
  for (size_t i = r->nvalid; i < r->nil; i++) {
    ientry *e = &r->il[i];
    galley_node *c = e->used ? clone_inline(r, e->tmpl) : e->tmpl;
    if (!c || append(r, deep, c))
      return NULL;
    e->used = true;
    e->cur = c;
    deep = c;
  }
  r->nvalid = r->nil;
  r->line_start = false;
  return deep;
}

static void close_leaf(rd *r, frame *b) {
  b->leaf = NULL;
  r->space = false;
  r->line_start = true;
  r->after_back = false;
  r->nvalid = 0;
}

/* Makes a cell or caption that held inlines hold them in a paragraph, so
 * that a block can follow. */
static int wrap_inlines(rd *r, galley_node *n) {
  galley_node *c = galley_node_first_child(n);
  if (!c || !galley_kind_is_inline(kind_of(c)))
    return GALLEY_OK;
  if (flush_text(r))
    return r->rc;
  galley_node *p = new_node(r, GALLEY_NODE_PARAGRAPH, NULL);
  if (!p)
    return r->rc;
  while ((c = galley_node_first_child(n)) != NULL)
    if (append(r, p, c))
      return r->rc;
  return append(r, n, p);
}

/* The container a new block goes into, below block frame `b`. */
static galley_node *block_parent(rd *r, frame *b) {
  galley_node *n = b->node;
  if (flush_text(r))
    return NULL;
  switch (kind_of(n)) {
  case GALLEY_NODE_TABLE_CELL:
  case GALLEY_NODE_CAPTION:
    if (wrap_inlines(r, n))
      return NULL;
    break;
  case GALLEY_NODE_LIST:
    /* <ul><ul>…</ul></ul>: the nested list belongs to the item before. */
  case GALLEY_NODE_DEFINITION_LIST:
    if (!(n = list_slot(r, n)))
      return NULL;
    break;
  default: break;
  }
  close_leaf(r, b);
  return n;
}

static int push_block(rd *r, xmlNode *el, galley_node *parent,
                      galley_node *node) {
  if (keep_attrs(r, node, el) || append(r, parent, node))
    return r->rc;
  frame *f = push(r, el, F_BLOCK);
  if (!f)
    return r->rc;
  f->node = node;
  close_leaf(r, f);
  return GALLEY_OK;
}

static int push_inline(rd *r, xmlNode *el, galley_node *node) {
  if (keep_attrs(r, node, el))
    return r->rc;
  frame *f = push(r, el, F_INLINE);
  if (!f)
    return r->rc;
  f->node = node;
  if (galley_array_grow((void **)&r->il, &r->ilcap, r->nil + 1,
                        sizeof *r->il) != GALLEY_OK)
    return nomem(r);
  r->il[r->nil++] = (ientry){node, NULL, false};
  return GALLEY_OK;
}

/* An item with two paragraphs (text, a block, text) is not tight: written
 * without <p> tags the paragraphs would run together. */
static bool has_split_item(const galley_node *list) {
  for (galley_node *it = galley_node_first_child(list); it;
       it = galley_node_next(it)) {
    int paragraphs = 0;
    for (galley_node *c = galley_node_first_child(it); c;
         c = galley_node_next(c))
      if (kind_of(c) == GALLEY_NODE_PARAGRAPH && ++paragraphs > 1)
        return true;
  }
  return false;
}

static int pop(rd *r) {
  frame *f = top(r);
  switch (f->type) {
  case F_INLINE: {
    ientry *e = &r->il[r->nil - 1];
    if (f->quote) {
      galley_node *d = content(r);
      if (!d || add_text(r, d, "\xE2\x80\x9D", 3))
        return r->rc;
    } else if (!e->used && galley_node_get_id(e->tmpl)) {
      /* An empty anchor still marks a place that links point to. */
      if (!content(r))
        return r->rc;
    }
    r->nil--;
    if (r->nvalid > r->nil)
      r->nvalid = r->nil;
    break;
  }
  case F_BLOCK: {
    if (flush_text(r))
      return r->rc;
    galley_node *n = f->node;
    galley_kind k = kind_of(n);
    close_leaf(r, f);
    galley_node *parent = galley_node_parent(n);
    bool empty = galley_node_first_child(n) == NULL;
    if (empty && !galley_node_get_id(n) &&
        (leaf_kind(k) || k == GALLEY_NODE_DIV || k == GALLEY_NODE_LIST ||
         k == GALLEY_NODE_TABLE || k == GALLEY_NODE_TABLE_ROW ||
         k == GALLEY_NODE_DEFINITION_LIST || k == GALLEY_NODE_BLOCK_QUOTE ||
         k == GALLEY_NODE_FIGURE || k == GALLEY_NODE_CAPTION ||
         k == GALLEY_NODE_FOOTNOTE))
      galley_node_unlink(n);
    else if (k == GALLEY_NODE_LIST && galley_node_get_list_tight(n))
      galley_node_set_list_tight(n, !has_split_item(n));
    else if (f->explicit_p && parent && kind_of(parent) == GALLEY_NODE_ITEM &&
             galley_node_parent(parent))
      galley_node_set_list_tight(galley_node_parent(parent), false);
    break;
  }
  case F_PASS:
    r->part = f->saved_part;
    r->footnotes = f->saved_fn;
    break;
  case F_FLAT:
    if (!r->line_start)
      r->space = true;
    break;
  }
  r->n--;
  return GALLEY_OK;
}

/* ---- Text ------------------------------------------------------------- */

static int on_text(rd *r, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  if (r->after_back) {
    while (*p == '.' || *p == ')' || *p == ']' || *p == ':')
      p++;
    if (*p)
      r->after_back = false;
  }
  while (*p) {
    if (html_is_space(*p)) {
      if (!r->line_start)
        r->space = true;
      p++;
      continue;
    }
    const unsigned char *e = p;
    /* Take words with single spaces between them in one step. */
    for (;;) {
      while (*e && !html_is_space(*e))
        e++;
      if (e[0] == ' ' && e[1] && !html_is_space(e[1]))
        e++;
      else
        break;
    }
    galley_node *d = content(r);
    if (!d || add_text(r, d, (const char *)p, (size_t)(e - p)))
      return r->rc;
    p = e;
  }
  return GALLEY_OK;
}

/* The node after `c` in document order inside `root`: its first child when
 * `descend`, else the next sibling of it or of its nearest ancestor below
 * `root`; NULL when the subtree is done. */
static xmlNode *next_below(xmlNode *root, xmlNode *c, bool descend) {
  if (descend && c->children)
    return c->children;
  while (c && c != root && !c->next)
    c = c->parent;
  return c && c != root ? c->next : NULL;
}

/* The text of a subtree (for <pre> and <code>), walked without recursion. */
static int subtree_text(rd *r, xmlNode *el, char **out, size_t *out_len) {
  galley_buf buf = GALLEY_BUF_INIT;
  xmlNode *c = el->children;
  while (c) {
    const char *piece = NULL;
    bool descend = false;
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      piece = (const char *)c->content;
    else if (c->type == XML_ELEMENT_NODE) {
      tagcode t = tag_of(c);
      if (t == T_BR)
        piece = "\n";
      else if (t != T_DROP && t != T_SCRIPT && !hidden(c))
        descend = true;
    }
    if (piece && galley_buf_puts(&buf, piece) != GALLEY_OK) {
      galley_buf_free(&buf);
      return nomem(r);
    }
    c = next_below(el, c, descend);
  }
  *out = galley_buf_detach(&buf, out_len);
  return *out ? GALLEY_OK : nomem(r);
}

/* "language-c", "lang-c" (and highlighters' "highlight-source-c") name the
 * language of a code block. */
static const char *lang_from_class(const char *cls, size_t *n) {
  static const char *const prefixes[] = {"language-", "lang-",
                                         "highlight-source-", NULL};
  const char *p = cls;
  while (p && *p) {
    while (*p && html_is_space((unsigned char)*p))
      p++;
    const char *s = p;
    while (*p && !html_is_space((unsigned char)*p))
      p++;
    for (size_t i = 0; prefixes[i]; i++) {
      size_t k = strlen(prefixes[i]);
      if ((size_t)(p - s) > k && strncasecmp(s, prefixes[i], k) == 0) {
        *n = (size_t)(p - s) - k;
        return s + k;
      }
    }
  }
  return NULL;
}

static int on_pre(rd *r, xmlNode *el, galley_node *parent) {
  char *text;
  size_t len;
  if (subtree_text(r, el, &text, &len))
    return r->rc;
  galley_node *n = new_node(r, GALLEY_NODE_CODE_BLOCK, el);
  if (!n) {
    free(text);
    return r->rc;
  }
  /* The newline right after the <pre> tag is not content (HTML drops
   * it); one after <pre><code> is, a blank first line. */
  const char *t = text;
  bool after_tag = el->children && el->children->type == XML_TEXT_NODE;
  if (after_tag && *t == '\n')
    t++;
  else if (after_tag && t[0] == '\r' && t[1] == '\n')
    t += 2;
  int rc = galley_node_set_literal(n, t);
  free(text);
  if (rc)
    return nomem(r);
  size_t ln = 0;
  const char *lang = lang_from_class(html_attr(el, "class"), &ln);
  for (xmlNode *c = el->children; !lang && c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && tag_of(c) == T_CODE)
      lang = lang_from_class(html_attr(c, "class"), &ln);
  if (!lang) {
    lang = html_attr(el, "data-lang");
    ln = lang ? strlen(lang) : 0;
  }
  if (lang && ln) {
    char *info = galley_doc_strndup(r->doc, lang, ln);
    if (!info || galley_node_set_info(n, info))
      return nomem(r);
  }
  if (keep_attrs(r, n, el))
    return r->rc;
  return append(r, parent, n);
}

static int on_code(rd *r, xmlNode *el) {
  char *text;
  size_t len;
  if (subtree_text(r, el, &text, &len))
    return r->rc;
  char *c = html_collapse(text);
  bool lead = len && html_is_space((unsigned char)text[0]);
  bool trail = len && html_is_space((unsigned char)text[len - 1]);
  free(text);
  if (!c)
    return nomem(r);
  if (!*c) {
    free(c);
    if ((lead || trail) && !r->line_start)
      r->space = true;
    return GALLEY_OK;
  }
  if (lead && !r->line_start)
    r->space = true;
  galley_node *d = content(r);
  galley_node *n = d ? new_node(r, GALLEY_NODE_CODE, el) : NULL;
  int rc = n ? galley_node_set_literal(n, c) : r->rc;
  free(c);
  if (!n)
    return r->rc;
  if (rc)
    return nomem(r);
  if (keep_attrs(r, n, el) || append(r, d, n))
    return r->rc;
  if (trail)
    r->space = true;
  return GALLEY_OK;
}

/* ---- Images ----------------------------------------------------------- */

/* An image: the one a reader should see (images.c), none for a tracking
 * pixel, and none for a placeholder whose <noscript> copy comes next. */
static int on_img(rd *r, xmlNode *el) {
  html_img pick;
  bool any = html_img_pick(el, &pick);
  if (html_img_is_tracker(el, any ? &pick : NULL)) {
    /* Gone, but it stood between words as an image does. */
    if (!r->line_start)
      r->space = true;
    return GALLEY_OK;
  }
  if ((!any || pick.placeholder) && html_img_has_noscript(el))
    return GALLEY_OK;
  char *url = NULL;
  if (any && !pick.placeholder) {
    char *raw = galley_doc_strndup(r->doc, pick.url, pick.len);
    if (!raw || !(url = resolve(r, raw, true)))
      return r->rc ? r->rc : nomem(r);
  }
  const char *alt = html_attr(el, "alt");
  char *calt = alt ? html_collapse(alt) : NULL;
  if (alt && !calt)
    return nomem(r);
  if (!url && (!calt || !*calt)) {
    free(calt);
    return GALLEY_OK;
  }
  galley_node *d = content(r);
  galley_node *n = d ? new_node(r, GALLEY_NODE_IMAGE, el) : NULL;
  if (!n || galley_node_set_url(n, url ? url : "") ||
      set_str(r, n, galley_node_set_title, html_attr(el, "title")) ||
      keep_attrs(r, n, el)) {
    free(calt);
    return r->rc ? r->rc : nomem(r);
  }
  if (calt && *calt) {
    galley_node *t = galley_doc_new_text(r->doc, calt, (size_t)-1);
    if (!t || galley_node_append_child(n, t)) {
      free(calt);
      return nomem(r);
    }
  }
  free(calt);
  return append(r, d, n);
}

/* ---- Footnotes as pandoc, cmark-gfm and this writer mark them --------- */

static bool is_noteref(const xmlNode *a) {
  const char *href = html_attr(a, "href");
  if (!href || href[0] != '#')
    return false;
  if (html_has_word(semantic_role(a), "doc-noteref") ||
      html_has_word(html_attr(a, "class"), "footnote-ref") ||
      html_attr(a, "data-footnote-ref"))
    return true;
  const xmlNode *p = a->parent;
  return p && p->type == XML_ELEMENT_NODE &&
         strcmp((const char *)p->name, "sup") == 0 &&
         html_has_word(html_attr(p, "class"), "footnote-ref");
}

static bool is_backref(const xmlNode *a) {
  return html_has_word(semantic_role(a), "doc-backlink") ||
         html_has_word(html_attr(a, "class"), "footnote-back") ||
         html_has_word(html_attr(a, "class"), "footnote-backref") ||
         html_attr(a, "data-footnote-backref");
}

static bool is_notes_section(const xmlNode *el) {
  return html_has_word(semantic_role(el), "doc-endnotes") ||
         html_has_word(html_attr(el, "class"), "footnotes") || html_attr(el, "data-footnotes");
}

/* A <sup> that only wraps a note reference adds nothing to it. */
static bool sup_of_noteref(const xmlNode *sup) {
  const xmlNode *only = NULL;
  for (const xmlNode *c = sup->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      if (only)
        return false;
      only = c;
    } else if (c->type == XML_TEXT_NODE && c->content) {
      for (const xmlChar *p = c->content; *p; p++)
        if (!html_is_space(*p))
          return false;
    }
  }
  return only && strcmp((const char *)only->name, "a") == 0 && is_noteref(only);
}

static int on_noteref(rd *r, xmlNode *a) {
  galley_node *d = content(r);
  galley_node *n = d ? new_node(r, GALLEY_NODE_FOOTNOTE_REF, a) : NULL;
  if (!n)
    return r->rc;
  if (galley_node_set_label(n, html_attr(a, "href") + 1))
    return nomem(r);
  /* What the page showed ("1", "[a]"), should the note itself not be
   * found: then the reference goes back to being a link. */
  xmlChar *t = xmlNodeGetContent(a);
  char *c = t ? html_collapse((const char *)t) : NULL;
  int rc = c && *c ? galley_node_set_attr(n, "text", c) : GALLEY_OK;
  free(c);
  const xmlNode *up = a->parent;
  if (rc == GALLEY_OK && up && up->type == XML_ELEMENT_NODE &&
      strcmp((const char *)up->name, "sup") == 0)
    rc = galley_node_set_attr(n, "sup", "true");
  xmlFree(t);
  if (rc)
    return nomem(r);
  return append(r, d, n);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Notes the page marks in its own way are found by their shape
 * (galley_doc_find_notes: a "1" linking to a paragraph that links back);
 * then a reference whose note is not in the page becomes the link it was. */
static int join_notes(rd *r) {
  if (galley_doc_find_notes(r->doc, galley_doc_root(r->doc)))
    return nomem(r);
  size_t n = 0, cap = 0, nrefs = 0;
  const char **labels = NULL;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(r->doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (kind_of(x) == GALLEY_NODE_FOOTNOTE_REF)
      nrefs++;
    if (kind_of(x) != GALLEY_NODE_FOOTNOTE || !galley_node_get_label(x))
      continue;
    if (galley_array_grow((void **)&labels, &cap, n + 1, sizeof *labels) !=
        GALLEY_OK) {
      free(labels);
      return nomem(r);
    }
    labels[n++] = galley_node_get_label(x);
  }
  if (!nrefs) {
    free(labels);
    return GALLEY_OK;
  }
  /* Labels found are kept; the rest become links again. */
  if (n)
    qsort(labels, n, sizeof *labels, cmp_str);
  galley_iter_init(&it, galley_doc_root(r->doc));
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || kind_of(x) != GALLEY_NODE_FOOTNOTE_REF)
      continue;
    const char *label = galley_node_get_label(x);
    if (!label || (n && bsearch(&label, labels, n, sizeof *labels, cmp_str))) {
      /* Found: what the page showed is no longer needed. */
      galley_node_set_attr(x, "text", NULL);
      galley_node_set_attr(x, "sup", NULL);
      continue;
    }
    galley_node *link = galley_doc_new_node(r->doc, GALLEY_NODE_LINK);
    char *url = link ? galley_doc_alloc(r->doc, strlen(label) + 2) : NULL;
    const char *text = galley_node_get_attr(x, "text");
    galley_node *t =
        url ? galley_doc_new_text(r->doc, text ? text : label, (size_t)-1)
            : NULL;
    if (!t) {
      free(labels);
      return nomem(r);
    }
    url[0] = '#';
    strcpy(url + 1, label);
    galley_node_set_url(link, url);
    galley_node_set_tag(link, "a");
    galley_node_set_line(link, galley_node_get_line(x));
    galley_node_append_child(link, t);
    galley_node *put = link;
    if (galley_node_get_attr(x, "sup")) {
      put = galley_doc_new_node(r->doc, GALLEY_NODE_SUPERSCRIPT);
      if (!put) {
        free(labels);
        return nomem(r);
      }
      galley_node_append_child(put, link);
    }
    galley_node_replace(x, put);
    /* Go on after it: it has no references inside. */
    galley_iter_reset(&it, put, GALLEY_EVENT_EXIT);
  }
  free(labels);
  return GALLEY_OK;
}

/* ---- Metadata in <head> -------------------------------------------------- */

static void on_script(rd *r, xmlNode *el) {
  const char *type = html_attr(el, "type");
  if (!type || strncasecmp(type, "application/ld+json", 19) != 0)
    return;
  xmlChar *text = xmlNodeGetContent(el);
  if (text) {
    html_meta_jsonld(r->meta, r->job, (const char *)text,
                     strlen((const char *)text));
    xmlFree(text);
  }
}

/* <base href> is found before the walk (links.c): it applies to the
 * whole page, wherever it is. */
static int on_base(rd *r, xmlNode *el) {
  (void)r;
  (void)el;
  return GALLEY_OK;
}

static int on_head(rd *r, xmlNode *head) {
  xmlNode *c = head->children;
  while (c) {
    bool descend = false;
    if (c->type == XML_ELEMENT_NODE) {
      tagcode t = tag_of(c);
      if (t == T_META) {
        if (strcmp((const char *)c->name, "base") == 0) {
          if (on_base(r, c))
            return r->rc;
        } else {
          html_meta_element(r->meta, c);
        }
      } else if (t == T_SCRIPT) {
        on_script(r, c);
      } else if (t != T_DROP) {
        descend = true;
      }
    }
    c = next_below(head, c, descend);
  }
  return GALLEY_OK;
}

/* ---- Elements ------------------------------------------------------------ */

static galley_node *block_node(rd *r, galley_kind kind, xmlNode *el) {
  return new_node(r, kind, el);
}

static int push_pass(rd *r, xmlNode *el) {
  frame *f = push(r, el, F_PASS);
  if (!f)
    return r->rc;
  f->saved_part = r->part;
  f->saved_fn = r->footnotes;
  return GALLEY_OK;
}

static int push_flat(rd *r, xmlNode *el) {
  if (!r->line_start)
    r->space = true;
  return push(r, el, F_FLAT) ? GALLEY_OK : r->rc;
}

/* A byline in the text ("By Ann Author"), where the head names nobody.
 * The same signs Readability looks for; the text goes through libgalley's
 * recogniser, which keeps the names and drops a date, a job title or a
 * handle, and says no to a date or a link's label. Only the first few
 * candidates are read, so that nesting cannot make this quadratic. */
static void maybe_byline(rd *r, xmlNode *el) {
  /* The four attributes in one pass over the element's (the first of each
   * name, as html_attr finds); most elements have none. */
  const char *cls = NULL, *id = NULL, *rel = NULL, *itemprop = NULL;
  for (const xmlAttr *a = el->properties; a; a = a->next) {
    const char *k = (const char *)a->name, **slot = NULL;
    switch (low((unsigned char)k[0])) {
    case 'c': slot = strcasecmp(k, "class") ? NULL : &cls; break;
    case 'i':
      slot = !strcasecmp(k, "id")         ? &id
             : !strcasecmp(k, "itemprop") ? &itemprop
                                          : NULL;
      break;
    case 'r': slot = strcasecmp(k, "rel") ? NULL : &rel; break;
    default: break;
    }
    if (slot && !*slot)
      *slot = a->children && a->children->content
                  ? (const char *)a->children->content
                  : "";
  }
  if (!cls && !id && !rel && !itemprop)
    return;
  /* As Readability, also a "dateline" element: the names it holds. */
  bool sign = html_has_word(rel, "author") ||
              html_has_word(itemprop, "author") ||
              galley_recognise_byline_mark(cls) ||
              galley_recognise_byline_mark(id) ||
              (cls && galley_find_ci(cls, strlen(cls), "dateline")) ||
              (id && galley_find_ci(id, strlen(id), "dateline"));
  if (!sign || ++r->byline_tries > 8)
    return;
  if (html_meta_byline_element(r->meta, el))
    r->byline_done = true;
}

/* Handles one element; sets *descend when a frame was pushed for it. */
static int on_element(rd *r, xmlNode *el, bool *descend) {
  tagcode t = tag_of(el);
  *descend = false;
  if (t == T_HEAD)
    return on_head(r, el);
  if (t == T_DROP) {
    /* A <noscript> shows the images of a page whose script would load
     * them, unless the image beside it already shows. */
    if (strcmp((const char *)el->name, "noscript") == 0 &&
        html_noscript_shows(el))
      for (const xmlNode *i = html_img_next(el, NULL); i && !r->rc;
           i = html_img_next(el, i))
        if (!hidden(i))
          on_img(r, (xmlNode *)i);
    return r->rc;
  }
  if (t == T_SCRIPT) {
    on_script(r, el);
    return GALLEY_OK;
  }
  if (t == T_META) {
    if (strcmp((const char *)el->name, "meta") == 0 ||
        strcmp((const char *)el->name, "link") == 0)
      html_meta_element(r->meta, el);
    else if (strcmp((const char *)el->name, "base") == 0)
      return on_base(r, el);
    return GALLEY_OK;
  }
  if (hidden(el))
    return GALLEY_OK;
  if (!r->byline_done)
    maybe_byline(r, el);

  frame *b = blk(r);
  galley_kind bk = kind_of(b->node);
  /* libxml2 nests <dd>a<dd>b and <dt>a<dt>b; a browser makes siblings. */
  bool dl_sibling =
      (t == T_DT || t == T_DD) &&
      (bk == GALLEY_NODE_DEFINITION || bk == GALLEY_NODE_TERM) &&
      kind_of(galley_node_parent(b->node)) == GALLEY_NODE_DEFINITION_LIST;
  bool flat = leaf_kind(bk) && !dl_sibling;
  bool in_table = bk == GALLEY_NODE_TABLE || bk == GALLEY_NODE_TABLE_ROW;
  galley_node *n, *parent;

  /* Unknown elements and spans are inline unless they hold blocks. */
  if ((t == T_OTHER || t == T_SPAN) && has_block_child(el))
    t = T_DIV;

  if (is_block_code(t)) {
    if (flat) {
      *descend = true;
      return push_flat(r, el);
    }
    if (r->footnotes && (t == T_UL || t == T_OL)) {
      *descend = true;
      return push_pass(r, el);
    }
    if (r->footnotes && t == T_HR)
      return GALLEY_OK;
    if (is_notes_section(el)) {
      *descend = true;
      if (push_pass(r, el))
        return r->rc;
      r->footnotes = 1;
      return GALLEY_OK;
    }
    /* Anything but the table's own parts, in a table or a row, passes its
     * content on (to a cell made for it): a browser would move it out. */
    bool cell = t == T_TD || t == T_TH;
    bool part = bk == GALLEY_NODE_TABLE
                    ? cell || t == T_TR || t == T_TGROUP || t == T_CAPTION
                    : cell || t == T_TR;
    if (in_table && !part) {
      *descend = true;
      return push_pass(r, el);
    }
    if (bk == GALLEY_NODE_DEFINITION_LIST && t == T_DIV) {
      *descend = true;
      return push_pass(r, el);
    }
  }

  switch (t) {
  case T_HTML:
  case T_PASS:
    /* <html> and <body> say the page's language and direction. */
    if (t == T_HTML || strcmp((const char *)el->name, "body") == 0)
      html_meta_element(r->meta, el);
    *descend = true;
    return push_pass(r, el);
  case T_BR:
    r->space = false;
    if (!b->leaf)
      return GALLEY_OK; /* a <br> that starts a block shows nothing */
    n = content(r);
    if (!n)
      return r->rc;
    {
      galley_node *br = new_node(r, GALLEY_NODE_LINE_BREAK, el);
      if (!br || append(r, n, br))
        return r->rc;
    }
    r->line_start = true;
    r->after_back = false;
    return GALLEY_OK;
  case T_WBR: return GALLEY_OK;
  case T_IMG: return on_img(r, el);
  case T_INPUT: {
    const char *type = html_attr(el, "type");
    if (bk == GALLEY_NODE_ITEM && !b->leaf && type &&
        strcasecmp(type, "checkbox") == 0 && !galley_node_first_child(b->node))
      galley_node_set_task(b->node, html_attr(el, "checked") ? GALLEY_TASK_DONE
                                                        : GALLEY_TASK_OPEN);
    return GALLEY_OK;
  }
  case T_MATH: {
    const char *alt = html_attr(el, "alttext");
    return alt ? on_text(r, alt) : GALLEY_OK;
  }
  case T_CODE: return on_code(r, el);
  case T_PRE:
    if (!(parent = block_parent(r, b)))
      return r->rc;
    return on_pre(r, el, parent);
  case T_HR:
    if (!(parent = block_parent(r, b)) ||
        !(n = block_node(r, GALLEY_NODE_THEMATIC_BREAK, el)) ||
        keep_attrs(r, n, el))
      return r->rc;
    return append(r, parent, n);
  case T_A: {
    if (r->footnotes && is_backref(el)) {
      /* At a note's start, it is the note's number ("1. Text"). */
      r->after_back = r->line_start;
      return GALLEY_OK;
    }
    if (is_noteref(el))
      return on_noteref(r, el);
    const char *href = html_attr(el, "href");
    bool js = href && strncasecmp(href, "javascript:", 11) == 0;
    if (href && !js) {
      char *u = resolve(r, href, false);
      if (!u || !(n = new_node(r, GALLEY_NODE_LINK, el)) ||
          galley_node_set_url(n, u) ||
          set_str(r, n, galley_node_set_title, html_attr(el, "title")))
        return r->rc ? r->rc : nomem(r);
    } else {
      if (!(n = new_node(r, GALLEY_NODE_SPAN, el)))
        return r->rc;
      const char *name = html_attr(el, "name");
      if (name && !html_attr(el, "id") && set_str(r, n, galley_node_set_id, name))
        return r->rc;
    }
    *descend = true;
    return push_inline(r, el, n);
  }
  case T_EMPH:
  case T_STRONG:
  case T_STRIKE:
  case T_SUB:
  case T_SUP:
  case T_SPAN:
  case T_OTHER:
  case T_Q: {
    if (t == T_SUP && sup_of_noteref(el)) {
      *descend = true;
      return push_pass(r, el);
    }
    static const galley_kind k[] = {
        [T_EMPH] = GALLEY_NODE_EMPH,       [T_STRONG] = GALLEY_NODE_STRONG,
        [T_STRIKE] = GALLEY_NODE_STRIKE,   [T_SUB] = GALLEY_NODE_SUBSCRIPT,
        [T_SUP] = GALLEY_NODE_SUPERSCRIPT, [T_SPAN] = GALLEY_NODE_SPAN,
        [T_OTHER] = GALLEY_NODE_SPAN,      [T_Q] = GALLEY_NODE_SPAN,
    };
    if (!(n = new_node(r, k[t], el)))
      return r->rc;
    *descend = true;
    if (push_inline(r, el, n))
      return r->rc;
    if (t == T_Q) {
      top(r)->quote = 1;
      galley_node *d = content(r);
      if (!d || add_text(r, d, "\xE2\x80\x9C", 3))
        return r->rc;
    }
    return GALLEY_OK;
  }
  default: break;
  }

  /* Blocks. */
  galley_kind kind = GALLEY_NODE_DIV;
  parent = NULL;
  switch (t) {
  case T_P: kind = GALLEY_NODE_PARAGRAPH; break;
  case T_H: kind = GALLEY_NODE_HEADING; break;
  case T_UL:
  case T_OL: kind = GALLEY_NODE_LIST; break;
  case T_LI:
    if (bk == GALLEY_NODE_LIST) {
      kind = GALLEY_NODE_ITEM;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = b->node;
    } else if (r->footnotes && html_attr(el, "id")) {
      kind = GALLEY_NODE_FOOTNOTE;
    }
    break;
  case T_DL: kind = GALLEY_NODE_DEFINITION_LIST; break;
  case T_DT:
  case T_DD:
    if (bk == GALLEY_NODE_DEFINITION_LIST) {
      kind = t == T_DT ? GALLEY_NODE_TERM : GALLEY_NODE_DEFINITION;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = b->node;
    } else if (dl_sibling) {
      kind = t == T_DT ? GALLEY_NODE_TERM : GALLEY_NODE_DEFINITION;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = galley_node_parent(b->node);
    }
    break;
  case T_BLOCKQUOTE: kind = GALLEY_NODE_BLOCK_QUOTE; break;
  case T_TABLE: kind = GALLEY_NODE_TABLE; break;
  case T_TGROUP:
    if (bk == GALLEY_NODE_TABLE) {
      *descend = true;
      if (push_pass(r, el))
        return r->rc;
      r->part = el->name[1] == 'h'   ? GALLEY_ROW_HEAD
                : el->name[1] == 'f' ? GALLEY_ROW_FOOT
                                     : GALLEY_ROW_BODY;
      return GALLEY_OK;
    }
    *descend = true;
    return push_pass(r, el);
  case T_TR:
    if (bk == GALLEY_NODE_TABLE) {
      kind = GALLEY_NODE_TABLE_ROW;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = b->node;
    } else if (bk == GALLEY_NODE_TABLE_ROW) {
      *descend = true;
      return push_pass(r, el);
    }
    break;
  case T_TD:
  case T_TH:
    if (in_table) {
      kind = GALLEY_NODE_TABLE_CELL;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = b->node;
      if (bk == GALLEY_NODE_TABLE) {
        /* A cell outside any row gets one. */
        if (!b->irow || galley_node_last_child(b->node) != b->irow) {
          if (!(b->irow = new_node(r, GALLEY_NODE_TABLE_ROW, el)) ||
              galley_node_set_row_part(b->irow, r->part) ||
              append(r, b->node, b->irow))
            return r->rc;
        }
        parent = b->irow;
      }
    }
    break;
  case T_CAPTION:
    if (bk == GALLEY_NODE_TABLE) {
      kind = GALLEY_NODE_CAPTION;
      if (flush_text(r))
        return r->rc;
      close_leaf(r, b);
      parent = b->node;
    }
    break;
  case T_FIGURE: kind = GALLEY_NODE_FIGURE; break;
  case T_FIGCAPTION:
    if (bk == GALLEY_NODE_FIGURE)
      kind = GALLEY_NODE_CAPTION;
    break;
  default: break;
  }
  if (!parent && !(parent = block_parent(r, b)))
    return r->rc;
  if (!(n = block_node(r, kind, el)))
    return r->rc;
  switch (kind) {
  case GALLEY_NODE_HEADING: galley_node_set_level(n, el->name[1] - '0'); break;
  case GALLEY_NODE_LIST:
    galley_node_set_list_tight(n, true);
    if (t == T_OL) {
      galley_node_set_list_ordered(n, true);
      const char *start = html_attr(el, "start");
      long v = start ? strtol(start, NULL, 10) : 1;
      if (v > -1000000000L && v < 1000000000L)
        galley_node_set_list_start(n, (int)v);
    }
    break;
  case GALLEY_NODE_TABLE_ROW: galley_node_set_row_part(n, r->part); break;
  case GALLEY_NODE_TABLE_CELL: {
    galley_node_set_cell_header(n, t == T_TH);
    const char *v = html_attr(el, "colspan");
    long s = v ? strtol(v, NULL, 10) : 1;
    galley_node_set_colspan(n, s >= 1 && s <= 1000 ? (int)s : 1);
    v = html_attr(el, "rowspan");
    s = v ? strtol(v, NULL, 10) : 1;
    galley_node_set_rowspan(n, s >= 1 && s <= 65534 ? (int)s : 1);
    v = html_attr(el, "align");
    const char *style = html_attr(el, "style");
    if (style && strstr(style, "text-align")) {
      const char *p = strstr(style, "text-align");
      v = p + 10;
      while (*v == ':' || html_is_space((unsigned char)*v))
        v++;
    }
    if (v) {
      galley_align a = GALLEY_ALIGN_NONE;
      if (strncasecmp(v, "left", 4) == 0)
        a = GALLEY_ALIGN_LEFT;
      else if (strncasecmp(v, "center", 6) == 0)
        a = GALLEY_ALIGN_CENTER;
      else if (strncasecmp(v, "right", 5) == 0)
        a = GALLEY_ALIGN_RIGHT;
      galley_node_set_cell_align(n, a);
    }
    break;
  }
  case GALLEY_NODE_FOOTNOTE:
    if (set_str(r, n, galley_node_set_label, html_attr(el, "id")))
      return r->rc;
    break;
  default: break;
  }
  if (push_block(r, el, parent, n))
    return r->rc;
  top(r)->explicit_p = t == T_P;
  if (kind == GALLEY_NODE_FOOTNOTE)
    galley_node_set_id(n, NULL);
  *descend = true;
  return GALLEY_OK;
}

/* ---- The walk --------------------------------------------------------------
 */

static int walk(rd *r, xmlDoc *xd) {
  frame *root = push(r, (xmlNode *)xd, F_BLOCK);
  if (!root)
    return r->rc;
  root->node = galley_doc_root(r->doc);
  r->line_start = true;
  r->after_back = false;
  xmlNode *cur = xd->children;
  for (;;) {
    if (!cur) {
      if (r->n == 1)
        break;
      xmlNode *src = top(r)->src;
      if (pop(r))
        return r->rc;
      cur = src->next;
      continue;
    }
    if ((++r->count & 0xFFF) == 0 && galley_job_cancelled(r->job))
      return r->rc = galley_job_error(r->job, GALLEY_ECANCELLED, "cancelled");
    bool descend = false;
    if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
      if (cur->content && on_text(r, (const char *)cur->content))
        return r->rc;
    } else if (cur->type == XML_ELEMENT_NODE) {
      if (on_element(r, cur, &descend))
        return r->rc;
    }
    if (descend) {
      if (cur->children) {
        cur = cur->children;
        continue;
      }
      if (pop(r))
        return r->rc;
    }
    cur = cur->next;
  }
  if (flush_text(r))
    return r->rc;
  return GALLEY_OK;
}

/* Finds the internal subset of a DOCTYPE in the prolog (`<!DOCTYPE html [
 * … ]>`, found in XHTML): [*start, *end) from its '[' to its ']'. libxml2's
 * HTML parser does not know subsets and keeps their declarations as text,
 * so the reader cuts the subset out (its entities are never expanded
 * anyway). One pass; quotes and comments inside the subset are skipped. */
static const unsigned char *find(const unsigned char *p, size_t n,
                                 const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; i++)
    if (p[i] == (unsigned char)needle[0] && memcmp(p + i, needle, k) == 0)
      return p + i;
  return NULL;
}

static bool dtd_subset(const unsigned char *p, size_t n, size_t *start,
                       size_t *end) {
  size_t i = 0;
  for (;;) {
    while (i < n && html_is_space(p[i]))
      i++;
    if (i + 1 < n && p[i] == '<' && p[i + 1] == '?') {
      const unsigned char *e = find(p + i, n - i, "?>");
      if (!e)
        return false;
      i = (size_t)(e - p) + 2;
    } else if (i + 3 < n && memcmp(p + i, "<!--", 4) == 0) {
      const unsigned char *e = find(p + i + 4, n - i - 4, "-->");
      if (!e)
        return false;
      i = (size_t)(e - p) + 3;
    } else {
      break;
    }
  }
  if (n - i < 9 || strncasecmp((const char *)p + i, "<!DOCTYPE", 9) != 0)
    return false;
  unsigned char quote = 0;
  size_t j = i + 9;
  for (; j < n; j++) {
    unsigned char c = p[j];
    if (quote) {
      if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return false;
    } else if (c == '[') {
      break;
    }
  }
  if (j >= n)
    return false;
  *start = j;
  quote = 0;
  for (j++; j < n; j++) {
    unsigned char c = p[j];
    if (quote) {
      if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '<' && j + 3 < n && memcmp(p + j, "<!--", 4) == 0) {
      const unsigned char *e = find(p + j + 4, n - j - 4, "-->");
      if (!e)
        return false;
      j = (size_t)(e - p) + 2;
    } else if (c == ']') {
      *end = j + 1;
      return true;
    }
  }
  return false;
}

/* A start tag as next_start_tag reads it. */
typedef struct start_tag {
  size_t at;             /* its '<' */
  size_t name, name_len; /* its name's letters */
  size_t attrs;          /* how many attributes it has */
  bool self_closing;     /* it ends with "/>" (libxml2 then opens no body) */
} start_tag;

static bool is_name_byte(unsigned char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
         c == ':' || c == '-' || c == '_' || c == '.';
}

/*
 * The next start tag of the page from p[*i] on, read as libxml2 2.9's
 * HTML parser reads one: '<' and a letter, attributes between blanks,
 * their quoted values skipped, an unquoted one up to a blank or '>';
 * comments and processing instructions (`<?php … >`, to the first '>')
 * skipped, and the text of a script or a style (up to the first
 * "</script" or "</style", in any case, as libxml2 ends it) is not
 * markup. Moves *i past the tag and fills *t; false when there is none.
 */
static bool next_start_tag(const unsigned char *p, size_t n, size_t *i,
                           start_tag *t) {
  while (*i < n) {
    const unsigned char *lt = memchr(p + *i, '<', n - *i);
    if (!lt) {
      *i = n;
      return false;
    }
    size_t k = (size_t)(lt - p) + 1;
    if (n - k >= 3 && memcmp(p + k, "!--", 3) == 0) {
      const unsigned char *e = find(p + k + 3, n - k - 3, "-->");
      *i = e ? (size_t)(e - p) + 3 : n;
      continue;
    }
    if (k < n && p[k] == '?') { /* a processing instruction: up to '>' */
      const unsigned char *e = memchr(p + k, '>', n - k);
      *i = e ? (size_t)(e - p) + 1 : n;
      continue;
    }
    *t = (start_tag){.at = k - 1, .name = k};
    while (k < n && ((p[k] | 0x20) >= 'a' && (p[k] | 0x20) <= 'z'))
      k++;
    t->name_len = k - t->name;
    *i = k;
    if (!t->name_len)
      continue;
    while (k < n && !html_is_space(p[k]) && p[k] != '>' &&
           !(p[k] == '/' && k + 1 < n && p[k + 1] == '>'))
      k++;
    for (;;) {
      while (k < n && html_is_space(p[k]))
        k++;
      if (k >= n || p[k] == '>')
        break;
      if (p[k] == '/' && k + 1 < n && p[k + 1] == '>') {
        t->self_closing = true;
        k++;
        break;
      }
      t->attrs++;
      while (k < n && !html_is_space(p[k]) && p[k] != '>' && p[k] != '=' &&
             !(p[k] == '/' && k + 1 < n && p[k + 1] == '>'))
        k++;
      while (k < n && html_is_space(p[k]))
        k++;
      if (k < n && p[k] == '=') {
        k++;
        while (k < n && html_is_space(p[k]))
          k++;
        if (k < n && (p[k] == '"' || p[k] == '\'')) {
          const unsigned char *q = memchr(p + k + 1, p[k], n - k - 1);
          k = q ? (size_t)(q - p) + 1 : n;
        } else {
          while (k < n && !html_is_space(p[k]) && p[k] != '>')
            k++;
        }
      }
    }
    *i = k < n ? k + 1 : n;
    return true;
  }
  return false;
}

/* Whether start tag t is named `name` (small letters), in any case: its
 * letters, and no other byte of a name after them. */
static bool tag_named(const unsigned char *p, size_t n, const start_tag *t,
                      const char *name) {
  size_t len = strlen(name);
  return t->name_len == len &&
         strncasecmp((const char *)p + t->name, name, len) == 0 &&
         (t->name + len >= n || !is_name_byte(p[t->name + len]));
}

/* Whether tag t is a <script> or a <style> whose text libxml2 reads raw
 * (one that closes itself has none); *end_tag is then "</script" or
 * "</style". */
static bool opens_raw_text(const unsigned char *p, size_t n,
                           const start_tag *t, const char **end_tag) {
  static const char *const raw[] = {"</script", "</style"};
  if (t->self_closing)
    return false;
  for (size_t k = 0; k < 2; k++)
    if (tag_named(p, n, t, raw[k] + 2)) {
      *end_tag = raw[k];
      return true;
    }
  return false;
}

/* Where the raw text from p[i] on ends: at the first `end_tag`, in any
 * case, or at the end of the page. */
static size_t raw_text_end(const unsigned char *p, size_t n, size_t i,
                           const char *end_tag) {
  size_t len = strlen(end_tag);
  while (i < n) {
    const unsigned char *e = memchr(p + i, '<', n - i);
    if (!e)
      return n;
    i = (size_t)(e - p);
    if (n - i >= len && strncasecmp((const char *)p + i, end_tag, len) == 0)
      return i;
    i++;
  }
  return n;
}

/*
 * libxml2 2.9's HTML parser compares each attribute of a start tag with
 * every one before it, so a tag of 40,000 attributes took 6 s and one of
 * 100,000 a minute (found by tests/hostile/superlinear.py). Real tags have
 * a few dozen at most. The pre-scan counts the attributes of each start
 * tag; when the tags of more than 64 attributes add up to more comparisons
 * than 10 million and 16 per byte of the page, the page is refused,
 * naming the tag of the most so far.
 */
typedef struct attr_tally {
  double budget, cost;
  size_t most, most_count; /* the tag of the most so far */
} attr_tally;

/* Counts tag t; true when the page is over the budget. */
static bool tally_tag(attr_tally *a, const start_tag *t) {
  if (t->attrs <= 64)
    return false;
  a->cost += (double)t->attrs * (double)t->attrs / 2;
  if (t->attrs > a->most_count) {
    a->most = t->at;
    a->most_count = t->attrs;
  }
  return a->cost > a->budget;
}

/*
 * Where the content of an <svg> that starts at p[i] (just after its start
 * tag) ends: the offset of its "</svg>", when libxml2 would read that
 * content as a tree of its own that the walk drops whole and nothing else
 * looks into; 0 when it might not be. Inline icons and charts are a tenth
 * of the bytes libxml2 reads of real pages (their path data is read a
 * character at a time). Only content made of tags, comments and blanks,
 * properly nested, whose every element is unknown to libxml2's HTML
 * parser (so none closes an element outside, or is read raw), is not an
 * SVG <image> (the image finder looks for those) and holds no text (the
 * byline's text gatherer reads below every element).
 */
static size_t svg_content_end(const unsigned char *p, size_t n, size_t i,
                              attr_tally *tally) {
  enum { MAX_NEST = 32, MAX_NAME = 24 };
  char open[MAX_NEST][MAX_NAME];
  size_t depth = 0;
  for (;;) {
    while (i < n && html_is_space(p[i]))
      i++;
    if (i >= n || p[i] != '<')
      return 0;
    if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
      /* A plain comment only: libxml2 2.9 also ends one abruptly
       * ("<!-->", "<!--->") or at "--!>", and reads on as markup. */
      const unsigned char *body = p + i + 4,
                          *e = find(body, n - i - 4, "-->");
      if (!e || e == body || body[0] == '>' || body[0] == '-' ||
          memchr(body, '>', (size_t)(e - body)))
        return 0;
      i = (size_t)(e - p) + 3;
      continue;
    }
    bool end = i + 1 < n && p[i + 1] == '/';
    size_t at = i, name = i + (end ? 2 : 1), k = name;
    while (k < n && is_name_byte(p[k]))
      k++;
    size_t len = k - name;
    if (!len || len >= MAX_NAME)
      return 0;
    char lower[MAX_NAME];
    for (size_t j = 0; j < len; j++)
      lower[j] = (char)low(p[name + j]);
    lower[len] = '\0';
    if (end) {
      while (k < n && html_is_space(p[k]))
        k++;
      if (k >= n || p[k] != '>')
        return 0;
      if (depth == 0)
        return strcmp(lower, "svg") == 0 ? at : 0;
      if (strcmp(lower, open[depth - 1]) != 0)
        return 0;
      depth--;
      i = k + 1;
      continue;
    }
    start_tag t;
    size_t j = at;
    if (!next_start_tag(p, n, &j, &t) || t.at != at ||
        htmlTagLookup((const xmlChar *)lower) || strcmp(lower, "image") == 0)
      return 0;
    /* Over the budget here is over it whether the content is cut or not
     * (uncut, the same tags are counted in the same order). */
    if (tally_tag(tally, &t))
      return 0;
    if (!t.self_closing) {
      if (depth == MAX_NEST)
        return 0;
      memcpy(open[depth++], lower, len + 1);
    }
    i = j;
  }
}

/* What libxml2 is not given (a script's or a style's text, an svg's
 * content): bytes [start, end) of the page, read as their `newlines` line
 * ends. */
typedef struct raw_cut {
  size_t start, end, newlines;
} raw_cut;

/* Adds bytes [start, end) of the page to the cuts; false when out of
 * memory. */
static bool add_cut(raw_cut **list, size_t *count, size_t *cap,
                    const unsigned char *p, size_t start, size_t end) {
  if (galley_array_grow((void **)list, cap, *count + 1, sizeof **list) !=
      GALLEY_OK)
    return false;
  raw_cut *c = &(*list)[(*count)++];
  *c = (raw_cut){.start = start, .end = end};
  for (const unsigned char *nl = p + start;
       (nl = memchr(nl, '\n', (size_t)(p + end - nl))) != NULL; nl++)
    c->newlines++;
  return true;
}

/*
 * The pre-scan of a page, one pass over its start tags. Counts their
 * attributes into *tally (above), stopping when the page is over its
 * budget (tally->cost > tally->budget), and finds what libxml2 need not
 * be given. The text of scripts and styles is half the bytes of real pages
 * (of the 215 corpus pages' 41 MB, 31% is script and 21% style), and
 * libxml2 reads it a character at a time into text nodes that the walk
 * throws away. Finds each such text of 64 bytes or more, to be given to
 * libxml2 as its line ends only (so that every line keeps its number),
 * except a script's whose tag says JSON-LD (`application/ld+json`, the one
 * script the walk reads), and the content of each inline <svg> that
 * libxml2 would read as a tree of its own (svg_content_end). *cuts is
 * malloc'd (NULL when there are none); false when out of memory.
 */
static bool prescan(const unsigned char *p, size_t n, attr_tally *tally,
                    raw_cut **cuts, size_t *n_cuts) {
  raw_cut *list = NULL;
  size_t count = 0, cap = 0;
  size_t i = 0;
  start_tag t;
  /* Cutting stops where libxml2 reads on in a way not followed here; the
   * attributes are counted to the end. */
  bool cutting = true;
  *cuts = NULL;
  *n_cuts = 0;
  while (next_start_tag(p, n, &i, &t)) {
    if (tally_tag(tally, &t))
      break;
    const char *end_tag;
    if (cutting && !t.self_closing && tag_named(p, n, &t, "svg")) {
      attr_tally before = *tally;
      size_t end = svg_content_end(p, n, i, tally);
      if (tally->cost > tally->budget)
        break;
      if (end && end - i >= 64) {
        if (!add_cut(&list, &count, &cap, p, i, end)) {
          free(list);
          return false;
        }
        i = end;
      } else {
        *tally = before; /* its tags are counted as they come */
      }
      continue;
    }
    if (!opens_raw_text(p, n, &t, &end_tag))
      continue;
    /* A text that opens with a tag ("<script><noscript>…") may be no
     * text for libxml2: a tag that would close the script closes it there,
     * and what follows is markup. Not followed here: nothing from there
     * on is cut. */
    if (i + 1 < n && p[i] == '<' &&
        (((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z') ||
         p[i + 1] == '_' || p[i + 1] == ':'))
      cutting = false;
    size_t end = raw_text_end(p, n, i, end_tag);
    /* An end tag with a longer name ("</scripts>") does not close the
     * script for libxml2, which reads on as script in a way not followed
     * here: nothing from there on is cut. */
    size_t tag_len = strlen(end_tag);
    if (end + tag_len < n && is_name_byte(p[end + tag_len]))
      cutting = false;
    bool json = galley_find_ci((const char *)p + t.at, i - t.at, "ld+json");
    size_t body = i;
    i = end;
    if (!cutting || json || end - body < 64)
      continue;
    if (!add_cut(&list, &count, &cap, p, body, end)) {
      free(list);
      return false;
    }
  }
  *cuts = list;
  *n_cuts = count;
  return true;
}

/* The page as libxml2 reads it: its bytes with the cuts' text left out
 * (their line ends kept), a window at a time, copied from the page itself
 * (nothing of its size is allocated). */
typedef struct cut_cursor {
  const unsigned char *p;
  size_t n, pos;
  const raw_cut *cuts;
  size_t n_cuts, next;
  size_t newlines; /* line ends still owed for the cut just passed */
} cut_cursor;

static int cut_cursor_read(void *ctx, char *out, int len) {
  cut_cursor *c = ctx;
  size_t want = len > 0 ? (size_t)len : 0, w = 0;
  while (w < want) {
    if (c->newlines) {
      size_t k = c->newlines < want - w ? c->newlines : want - w;
      memset(out + w, '\n', k);
      w += k;
      c->newlines -= k;
      continue;
    }
    if (c->next < c->n_cuts && c->pos == c->cuts[c->next].start) {
      c->newlines = c->cuts[c->next].newlines;
      c->pos = c->cuts[c->next].end;
      c->next++;
      continue;
    }
    size_t stop = c->next < c->n_cuts ? c->cuts[c->next].start : c->n;
    if (c->pos >= stop)
      break;
    size_t k = stop - c->pos < want - w ? stop - c->pos : want - w;
    memcpy(out + w, c->p + c->pos, k);
    w += k;
    c->pos += k;
  }
  return (int)w;
}

/* Notes a failed allocation among libxml2's errors (see html_read). */
#if LIBXML_VERSION >= 21200
static void watch_error(void *ctx, const xmlError *e) {
#else
static void watch_error(void *ctx, xmlErrorPtr e) {
#endif
  if (e && e->code == XML_ERR_NO_MEMORY)
    *(bool *)ctx = true;
}

int html_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  /* libxml2 builds its whole DOM before the tree is made, so the node limit
   * is checked on an estimate first: every tag opens or closes at most one
   * element, and the text between n_tags is at most one node more. */
  size_t max_nodes = galley_job_limits(job)->max_nodes;
  if (max_nodes) {
    size_t n_tags = 0;
    const unsigned char *p = in->data, *end = in->data + in->size;
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
      n_tags++;
      p++;
    }
    if (n_tags > max_nodes)
      return galley_job_error(job, GALLEY_ELIMIT,
                              "the page has %zu tags, over the node limit of "
                              "%zu (-O max-nodes)",
                              n_tags, max_nodes);
  }
  unsigned char *buf = NULL;
  size_t len = 0;
  bool copied = false;
  int rc = html_decode(job, in->data, in->size, &buf, &len, &copied);
  if (rc)
    return rc;
  if (len > INT_MAX) {
    if (copied)
      free(buf);
    return galley_job_error(job, GALLEY_ELIMIT,
                            "input too large for the HTML parser");
  }
  attr_tally tally = {.budget = 1e7 + 16.0 * (double)len};
  size_t sub_start = 0, sub_end = 0, sub_lines = 0;
  bool subset = dtd_subset(buf, len, &sub_start, &sub_end);
  if (subset) {
    for (size_t j = sub_start; j < sub_end; j++)
      sub_lines += buf[j] == '\n';
    unsigned char *cut = malloc(len - (sub_end - sub_start) + 1);
    if (!cut) {
      if (copied)
        free(buf);
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    }
    memcpy(cut, buf, sub_start);
    memcpy(cut + sub_start, buf + sub_end, len - sub_end);
    len -= sub_end - sub_start;
    cut[len] = 0;
    if (copied)
      free(buf);
    buf = cut;
    copied = true;
  }
  raw_cut *cuts = NULL;
  size_t n_cuts = 0;
  if (!prescan(buf, len, &tally, &cuts, &n_cuts)) {
    if (copied)
      free(buf);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  if (tally.cost > tally.budget) {
    /* Its line in the page as it came (the subset's lines included). */
    size_t line = 1 + (subset && tally.most >= sub_start ? sub_lines : 0);
    for (size_t j = 0; j < tally.most; j++)
      line += buf[j] == '\n';
    free(cuts);
    if (copied)
      free(buf);
    return galley_job_error(job, GALLEY_ELIMIT,
                            "a tag on line %zu has %zu attributes: too many "
                            "for the HTML parser (its time grows with their "
                            "square)",
                            line, tally.most_count);
  }
  if (subset)
    galley_job_info(job, "the DOCTYPE's internal subset was skipped "
                         "(its entities are not expanded)");
  rd r = {.job = job, .doc = doc};
  r.max_depth = galley_job_limits(job)->max_depth;
  r.meta = html_meta_new();
  /* libxml2's tree of the page from this thread's arena until done. */
  xm_begin();
  htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
  xmlDoc *xd = NULL;
  if (!r.meta || !ctxt) {
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  /* NONET: never fetch anything; HUGE lifts libxml2's fixed depth of 256
   * (our own limit applies in the walk) and its text size limit; IGNORE_ENC
   * because the bytes are UTF-8 by now, whatever the page says. */
  int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
             HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | XML_PARSE_HUGE |
             HTML_PARSE_IGNORE_ENC;
  /* libxml2 in recovery mode stops at a failed allocation and hands back
   * what it had (a silently shortened document), and a later error (an
   * "empty document") can hide the memory one from ctxt->errNo. So every
   * error of this parse is watched (this thread's handler, restored after);
   * the handler also keeps libxml2 from printing on stderr. */
  xmlStructuredErrorFunc old_handler = xmlStructuredError;
  void *old_context = xmlStructuredErrorContext;
  bool nomem = false;
  xmlSetStructuredErrorFunc(&nomem, watch_error);
  /* The bytes go to libxml2 through a read callback, a window at a time:
   * htmlCtxtReadMemory would copy the whole input first (a 200 MB page
   * would then be held twice while its DOM grows). */
  cut_cursor src = {.p = buf, .n = len, .cuts = cuts, .n_cuts = n_cuts};
  xd = htmlCtxtReadIO(ctxt, cut_cursor_read, NULL, &src, NULL, "UTF-8", opts);
  xmlSetStructuredErrorFunc(old_context, old_handler);
  if (nomem || ctxt->errNo == XML_ERR_NO_MEMORY) {
    rc = galley_job_error(job, GALLEY_ENOMEM,
                          "out of memory while parsing the HTML");
    goto done;
  }
  if (!xd) {
    /* An empty or all-blank page parses to nothing; that is an empty doc. */
    size_t i = 0;
    while (i < len && html_is_space(buf[i]))
      i++;
    if (i == len) {
      rc = GALLEY_OK;
      goto done;
    }
    rc = galley_job_error(job, GALLEY_EPARSE, "not parseable as HTML");
    goto done;
  }
  /* The parser's own copy of the input is not needed for the walk: freed
   * now, a 200 MB page fits in 1 GiB (the hostile suite checks it). */
  htmlFreeParserCtxt(ctxt);
  ctxt = NULL;
  rc = html_links_init(&r.links, job, doc, xd);
  if (rc == GALLEY_ENOMEM)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  if (rc == GALLEY_OK)
    rc = walk(&r, xd);
  if (rc == GALLEY_OK)
    rc = join_notes(&r);
  if (rc == GALLEY_OK)
    rc = html_meta_apply(r.meta, doc);
  /* One message: nomem() has already said it for what the walk ran out of. */
  if (rc == GALLEY_ENOMEM && galley_job_status(job) != GALLEY_ENOMEM)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
done:
  if (xd)
    xmlFreeDoc(xd);
  if (ctxt)
    htmlFreeParserCtxt(ctxt);
  xm_end();
  html_meta_free(r.meta);
  free(r.st);
  free(r.il);
  galley_buf_free(&r.tb);
  html_links_free(&r.links);
  free(cuts);
  if (copied)
    free(buf);
  return rc;
}
