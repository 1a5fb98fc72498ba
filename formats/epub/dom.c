/* The epub writer's chapter pages: the html writer's XHTML parsed into a DOM,
 * cleaned to what EPUB content documents allow, images embedded, links and
 * ids made to work across the chapter files, and serialised again. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/uri.h>

#include "writer.h"

static bool in_list(const char *name, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(name, list[i]) == 0)
      return true;
  return false;
}

static const char *const block_keep[] = {
    "div",     "p",          "h1",  "h2",    "h3",      "h4",         "h5",
    "h6",      "blockquote", "ul",  "ol",    "li",      "dl",         "dt",
    "dd",      "pre",        "hr",  "table", "caption", "thead",      "tbody",
    "tfoot",   "tr",         "th",  "td",    "figure",  "figcaption", "section",
    "article", "aside",      "nav", NULL};
static const char *const inline_keep[] = {
    "a",    "em",   "strong", "i",     "b",    "u",   "s",    "del", "ins",
    "sup",  "sub",  "code",   "kbd",   "samp", "var", "span", "br",  "img",
    "abbr", "cite", "q",      "small", "mark", "dfn", "wbr",  NULL};
static const char *const drop_all[] = {
    "script",   "style",    "iframe",   "object",   "embed",    "video",
    "audio",    "source",   "track",    "canvas",   "form",     "input",
    "button",   "select",   "textarea", "option",   "optgroup", "noscript",
    "template", "link",     "meta",     "base",     "head",     "title",
    "map",      "area",     "dialog",   "frame",    "frameset", "applet",
    "param",    "svg",      "math",     "datalist", "output",   "progress",
    "meter",    "colgroup", "col",      NULL};
static const char *const unwrap_tags[] = {"html", "body", "picture", NULL};
static const char *const phrasing_parents[] = {
    "p",    "h1",   "h2",     "h3",    "h4",   "h5",   "h6",  "pre",
    "a",    "em",   "strong", "i",     "b",    "u",    "s",   "del",
    "ins",  "sup",  "sub",    "code",  "kbd",  "samp", "var", "span",
    "abbr", "cite", "q",      "small", "mark", "dfn",  NULL};
static const char *const void_tags[] = {
    "area", "base", "br",     "col",   "embed", "hr",    "img", "input",
    "link", "meta", "source", "track", "wbr",   "param", NULL};

static const char *name_of(const xmlNode *n) { return (const char *)n->name; }

static bool is_el(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE && strcmp(name_of(n), name) == 0;
}

static char *attr(xmlNode *n, const char *name) {
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  if (!v)
    return NULL;
  char *s = strdup((const char *)v);
  xmlFree(v);
  return s;
}

static void set_attr(xmlNode *n, const char *name, const char *value) {
  xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

/* Sets epub:type (the serialiser writes the epub prefix), and the ARIA
 * role that says the same to assistive technology. */
static void set_epub_type(xmlNode *n, const char *value) {
  xmlSetProp(n, (const xmlChar *)"epub:type", (const xmlChar *)value);
  const char *role = epub_role_for((const char *)n->name, value);
  if (role)
    xmlSetProp(n, (const xmlChar *)"role", (const xmlChar *)role);
}

static bool is_epub_type(const xmlAttr *a) {
  if (strcmp((const char *)a->name, "epub:type") == 0)
    return true;
  return a->ns && a->ns->href &&
         strcmp((const char *)a->ns->href, EPUB_NS_OPS) == 0 &&
         strcmp((const char *)a->name, "type") == 0;
}

static bool is_xml_lang(const xmlAttr *a) {
  return a->ns && a->ns->prefix &&
         strcmp((const char *)a->ns->prefix, "xml") == 0 &&
         strcmp((const char *)a->name, "lang") == 0;
}

/* ---- Rendering ------------------------------------------------------------
 */

static xmlNode *find_body(xmlDoc *doc) {
  xmlNode *root = xmlDocGetRootElement(doc);
  for (xmlNode *n = root; n; n = epub_dom_next(root, n, false))
    if (n->type == XML_ELEMENT_NODE && strcasecmp(name_of(n), "body") == 0)
      return n;
  return NULL;
}

/* A document given to libxml2 in pieces through a read callback: the
 * chapter's XHTML between an opening and a closing wrapper, never joined
 * into one copy (and never copied whole by libxml2 either). */
typedef struct pieces {
  const char *part[3];
  size_t len[3];
  int at;
} pieces;

static int pieces_read(void *ctx, char *out, int len) {
  pieces *p = ctx;
  size_t want = len > 0 ? (size_t)len : 0, got = 0;
  while (got < want && p->at < 3) {
    size_t n = p->len[p->at];
    if (n > want - got)
      n = want - got;
    if (n)
      memcpy(out + got, p->part[p->at], n);
    got += n;
    p->part[p->at] += n;
    p->len[p->at] -= n;
    if (p->len[p->at] == 0)
      p->at++;
  }
  return (int)got;
}

static pieces wrapped(const char *open, const char *s, size_t len,
                      const char *close) {
  pieces p = {{open, s, close}, {strlen(open), len, strlen(close)}, 0};
  return p;
}

static xmlDoc *parse_xhtml(const char *s, size_t len, xmlNode **body) {
  bool whole = false;
  for (size_t i = 0; i + 5 <= len && !whole; i++)
    whole = s[i] == '<' && strncasecmp(s + i + 1, "body", 4) == 0;
  pieces p = whole ? wrapped("", s, len, "")
                   : wrapped("<body xmlns=\"" EPUB_NS_XHTML
                             "\" xmlns:epub=\"" EPUB_NS_OPS "\">",
                             s, len, "</body>");
  /* XML_PARSE_HUGE lifts libxml2's nesting cap of 256: the tree's own depth
   * limit already bounds what the html writer made. It writes no DTD (raw
   * HTML goes through its HTML parser), and epub_xml_read would refuse one
   * that declares an entity, so nothing here is ever expanded. */
  bool entities;
  xmlDoc *doc =
      epub_xml_read(pieces_read, &p, "UTF-8",
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                        XML_PARSE_NOCDATA | XML_PARSE_HUGE,
                    &entities);
  if (!doc) {
    /* Not well-formed (an entity, raw HTML): the HTML parser recovers, and
     * never expands an entity of a DTD. */
    p = whole ? wrapped("", s, len, "")
              : wrapped("<html><body>", s, len, "</body></html>");
    doc = htmlReadIO(pieces_read, NULL, &p, NULL, "UTF-8",
                     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                         HTML_PARSE_NONET);
  }
  if (doc)
    *body = find_body(doc);
  if (doc && !*body) {
    xmlFreeDoc(doc);
    doc = NULL;
  }
  return doc;
}

int epub_render_chapter(writer *w, size_t ci, galley_doc *tree) {
  galley_job *job = w->job;
  /* The html writer's XHTML mode, body only, no stylesheet of its own
   * (the book has one) and no data: URIs: the writer's own values for this call, whatever
   * the user set for html. */
  static const galley_option_value chapter_mode[] = {
      {"xhtml", "true"},
      {"fragment", "true"},
      {"css", NULL},
      {"self-contained", NULL}, /* the book holds the images itself */
  };
  galley_sink *sink = galley_sink_new_memory();
  int rc = GALLEY_OK;
  if (!sink)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  if (!rc)
    rc = galley_plugin_write_with(job, w->html, tree, sink, chapter_mode,
                                  sizeof chapter_mode / sizeof chapter_mode[0]);
  /* The XHTML holds the chapter now: its tree goes before the DOM grows. */
  galley_doc_free(tree);
  if (!rc) {
    size_t len;
    const char *data = galley_sink_data(sink, &len);
    wchapter *ch = &w->ch[ci];
    xmlResetLastError();
    ch->dom = parse_xhtml(data, len, &ch->body);
    const xmlError *err = ch->dom ? NULL : xmlGetLastError();
    if (!ch->dom && err && err->code == XML_ERR_NO_MEMORY)
      rc =
          galley_job_error(job, GALLEY_ENOMEM,
                           "out of memory while preparing chapter %zu", ci + 1);
    else if (!ch->dom)
      rc = galley_job_error(job, GALLEY_EPARSE,
                            "the html writer's XHTML for chapter %zu cannot "
                            "be parsed",
                            ci + 1);
  }
  galley_sink_free(sink);
  return rc;
}

/* ---- Cleaning --------------------------------------------------------------
 */

char *epub_ncname(const char *s) {
  size_t n = strlen(s);
  char *out = malloc(n + 4);
  if (!out)
    return NULL;
  size_t o = 0;
  bool dash = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) {
      dash = o > 0;
      continue;
    }
    if (dash)
      out[o++] = '-';
    dash = false;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  if (o == 0 || !((out[0] >= 'a' && out[0] <= 'z') ||
                  (out[0] >= 'A' && out[0] <= 'Z') || out[0] == '_')) {
    memmove(out + 3, out, o + 1);
    memcpy(out, "id-", 3);
    if (o == 0)
      out[2] = '\0';
  }
  return out;
}

/* Registers an id of chapter `ci`: made a valid XML name, unique in the book,
 * and remembered as the target of links to its old value. */
static char *register_id(writer *w, size_t ci, const char *old) {
  char *base = epub_ncname(old);
  char *id = base ? idset_claim(&w->ids, base) : NULL;
  free(base);
  if (!id)
    return NULL;
  if (old) {
    bool added;
    smap_entry *t = smap_put(&w->targets, old, &added);
    if (!t) {
      free(id);
      return NULL;
    }
    if (added) {
      t->value = strdup(id);
      t->num = ci;
      if (!t->value) {
        free(id);
        return NULL;
      }
    }
  }
  return id;
}

/* A language tag of letters, then letter or digit subtags of up to 8. */
static bool lang_tag(const char *s) {
  size_t run = 0;
  bool first = true;
  for (;; s++) {
    if (*s == '-' || !*s) {
      if (run == 0 || run > 8)
        return false;
      if (!*s)
        return true;
      run = 0;
      first = false;
      continue;
    }
    if (!isalpha((unsigned char)*s) && (first || !isdigit((unsigned char)*s)))
      return false;
    run++;
  }
}

static bool allowed_attr(const char *el, const xmlAttr *a, const char *value) {
  const char *an = (const char *)a->name;
  if (a->ns && !is_xml_lang(a) && !is_epub_type(a))
    return false;
  if (is_xml_lang(a) || !strcmp(an, "lang"))
    return lang_tag(value);
  if (!strcmp(an, "class") || !strcmp(an, "title") || !strcmp(an, "id"))
    return true;
  if (!strcmp(an, "dir"))
    return !strcmp(value, "ltr") || !strcmp(value, "rtl") ||
           !strcmp(value, "auto");
  bool number = *value != '\0';
  for (const char *p = value; *p; p++)
    if (*p < '0' || *p > '9')
      number = false;
  if (!strcmp(el, "a"))
    return !strcmp(an, "href");
  if (!strcmp(el, "img"))
    return !strcmp(an, "src") || !strcmp(an, "alt") ||
           ((!strcmp(an, "width") || !strcmp(an, "height")) && number);
  if (!strcmp(el, "ol")) {
    if (!strcmp(an, "start"))
      return number || (value[0] == '-' && value[1]);
    if (!strcmp(an, "reversed"))
      return !*value || !strcmp(value, "reversed");
    if (!strcmp(an, "type"))
      return strlen(value) == 1 && strchr("1aAiI", value[0]);
    return false;
  }
  if (!strcmp(el, "li"))
    return !strcmp(an, "value") && number;
  if (!strcmp(el, "input")) /* a task item's box (task_box) */
    return !strcmp(an, "type") || !strcmp(an, "disabled") ||
           !strcmp(an, "checked") || !strcmp(an, "aria-label");
  if (!strcmp(el, "td") || !strcmp(el, "th")) {
    if (!strcmp(an, "colspan") || !strcmp(an, "rowspan"))
      return number && atoi(value) >= 1;
    if (!strcmp(an, "style"))
      return !strncmp(value, "text-align:", 11) &&
             strspn(value + 11, " leftrightcenr;") == strlen(value + 11);
    if (!strcmp(an, "scope") && !strcmp(el, "th"))
      return !strcmp(value, "row") || !strcmp(value, "col") ||
             !strcmp(value, "rowgroup") || !strcmp(value, "colgroup");
  }
  return false;
}

/* Moves the children of `n` to where it is and removes it; returns the node
 * the walk continues with. */
static xmlNode *unwrap(xmlNode *root, xmlNode *n) {
  xmlNode *first = n->children;
  while (n->children) {
    xmlNode *c = n->children;
    xmlUnlinkNode(c);
    xmlAddPrevSibling(n, c);
  }
  xmlNode *next = first ? first : epub_dom_next(root, n, true);
  xmlUnlinkNode(n);
  xmlFreeNode(n);
  return next;
}

static xmlNode *drop(xmlNode *root, xmlNode *n) {
  xmlNode *next = epub_dom_next(root, n, true);
  xmlUnlinkNode(n);
  xmlFreeNode(n);
  return next;
}

/* Whether an image is all that a link around it shows: dropping it would
 * leave a link nobody can see or follow. A link with more than a few dozen
 * nodes shows something else anyway. */
static bool only_content_of_link(xmlNode *img) {
  xmlNode *a = img->parent;
  for (int up = 0; a && up < 8 && !is_el(a, "a"); up++)
    a = a->parent;
  if (!is_el(a, "a"))
    return false;
  xmlNode *n = a->children;
  for (int seen = 0; n && seen < 64; seen++) {
    if (n->type == XML_TEXT_NODE && n->content)
      for (const xmlChar *p = n->content; *p; p++)
        if (!isspace(*p))
          return false;
    if (n != img && is_el(n, "img"))
      return false;
    n = epub_dom_next(a, n, false);
  }
  return !n;
}

/* Drops an image the book cannot hold, keeping its alt text in its place;
 * an image-only link keeps something to click: the image's title, or a
 * word for what was there. */
static xmlNode *drop_image(xmlNode *root, xmlNode *n) {
  char *alt = attr(n, "alt");
  if ((!alt || !*alt) && only_content_of_link(n)) {
    free(alt);
    alt = attr(n, "title");
    if (!alt || !*alt) {
      free(alt);
      alt = strdup("[image]");
    }
  }
  if (alt && *alt)
    xmlAddPrevSibling(n, xmlNewText((const xmlChar *)alt));
  free(alt);
  return drop(root, n);
}

static bool inside(const xmlNode *n, const char *name) {
  for (const xmlNode *p = n->parent; p; p = p->parent)
    if (is_el(p, name))
      return true;
  return false;
}

static const char *rename_for(const xmlNode *n) {
  const char *nm = name_of(n);
  static const char *const to_div[] = {
      "header",  "footer", "main",      "address", "details", "summary",
      "center",  "hgroup", "fieldset",  "legend",  "menu",    "dir",
      "listing", "xmp",    "plaintext", "body",    NULL};
  static const char *const to_span[] = {
      "time", "data", "ruby", "rt",    "rp",      "bdo",   "bdi",
      "big",  "font", "nobr", "blink", "marquee", "label", NULL};
  if (!strcmp(nm, "strike"))
    return "s";
  if (!strcmp(nm, "tt"))
    return "code";
  if (!strcmp(nm, "acronym"))
    return "abbr";
  if (in_list(nm, to_div))
    return "div";
  if (in_list(nm, to_span))
    return "span";
  const xmlNode *p = n->parent;
  if (p && p->type == XML_ELEMENT_NODE && in_list(name_of(p), phrasing_parents))
    return "span";
  return "div";
}

/* Checks an element that is kept against where it stands. */
static const char *misplaced(const xmlNode *n) {
  const char *nm = name_of(n);
  const xmlNode *p = n->parent;
  const char *pn = p && p->type == XML_ELEMENT_NODE ? name_of(p) : "body";
  if (!strcmp(nm, "li") && strcmp(pn, "ul") && strcmp(pn, "ol"))
    return "div";
  if ((!strcmp(nm, "dt") || !strcmp(nm, "dd")) && strcmp(pn, "dl"))
    return "div";
  if ((!strcmp(nm, "thead") || !strcmp(nm, "tbody") || !strcmp(nm, "tfoot") ||
       !strcmp(nm, "caption")) &&
      strcmp(pn, "table"))
    return "div";
  if (!strcmp(nm, "tr") && strcmp(pn, "table") && strcmp(pn, "thead") &&
      strcmp(pn, "tbody") && strcmp(pn, "tfoot"))
    return "div";
  if ((!strcmp(nm, "td") || !strcmp(nm, "th")) && strcmp(pn, "tr"))
    return "div";
  if (!strcmp(nm, "figcaption") &&
      (strcmp(pn, "figure") || (xmlPreviousElementSibling((xmlNode *)n) &&
                                xmlNextElementSibling((xmlNode *)n))))
    return "div";
  if (!strcmp(nm, "caption") && xmlPreviousElementSibling((xmlNode *)n))
    return "div";
  return NULL;
}

/* A <dl> must be groups of <dt>s then <dd>s; one that is not becomes divs. */
static void fix_dl(xmlNode *dl) {
  int state = 0; /* 0: expecting dt, 1: after dt, 2: after dd */
  bool ok = true;
  for (xmlNode *c = dl->children; c && ok; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (is_el(c, "dt"))
      state = 1;
    else if (is_el(c, "dd"))
      ok = state != 0, state = 2;
    else
      ok = false;
  }
  if (ok && state != 1)
    return;
  xmlNodeSetName(dl, (const xmlChar *)"div");
  for (xmlNode *c = dl->children; c; c = c->next)
    if (is_el(c, "dt") || is_el(c, "dd"))
      xmlNodeSetName(c, (const xmlChar *)"div");
}

/* A task item's box as the html writer writes it: a disabled checkbox
 * first in a list item. It stays (readers show it ticked or not), named
 * for assistive technology. */
static bool task_box(xmlNode *n) {
  if (!is_el(n, "input") || !is_el(n->parent, "li") ||
      n->parent->children != n)
    return false;
  char *type = attr(n, "type");
  bool box = type && !strcmp(type, "checkbox") &&
             xmlHasProp(n, (const xmlChar *)"disabled");
  free(type);
  if (box && !xmlHasProp(n, (const xmlChar *)"aria-label"))
    set_attr(n, "aria-label",
             xmlHasProp(n, (const xmlChar *)"checked") ? "done" : "not done");
  return box;
}

int epub_clean_chapter(writer *w, size_t ci) {
  wchapter *ch = &w->ch[ci];
  xmlNode *root = ch->body;
  xmlNode *n = root->children;
  while (n) {
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE ||
        n->type == XML_DTD_NODE) {
      n = drop(root, n);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) {
      n = epub_dom_next(root, n, true);
      continue;
    }
    /* Elements of other vocabularies (SVG, MathML) and unsafe ones go. */
    if ((n->ns && n->ns->href &&
         strcmp((const char *)n->ns->href, EPUB_NS_XHTML) != 0) ||
        (in_list(name_of(n), drop_all) && !task_box(n))) {
      n = drop(root, n);
      continue;
    }
    if (in_list(name_of(n), unwrap_tags) || (is_el(n, "a") && inside(n, "a"))) {
      n = unwrap(root, n);
      continue;
    }
    if (!in_list(name_of(n), block_keep) && !in_list(name_of(n), inline_keep) &&
        !is_el(n, "input")) { /* an input here is a task box */
      xmlNodeSetName(n, (const xmlChar *)rename_for(n));
    } else {
      const char *to = misplaced(n);
      if (to)
        xmlNodeSetName(n, (const xmlChar *)to);
    }
    const char *el = name_of(n);
    if (is_el(n, "img")) {
      xmlChar *src = xmlGetProp(n, (const xmlChar *)"src");
      bool none = !src || !*src;
      xmlFree(src);
      if (none) {
        n = drop_image(root, n);
        continue;
      }
    }
    /* An old-style anchor <a name> becomes an id. */
    if (is_el(n, "a") && !xmlHasProp(n, (const xmlChar *)"id")) {
      char *nm = attr(n, "name");
      if (nm && *nm)
        set_attr(n, "id", nm);
      free(nm);
    }
    for (xmlAttr *a = n->properties; a;) {
      xmlAttr *next = a->next;
      xmlChar *v = xmlNodeGetContent((xmlNode *)a);
      bool keep = v && allowed_attr(el, a, (const char *)v);
      if (!keep)
        xmlRemoveProp(a);
      xmlFree(v);
      a = next;
    }
    char *id = attr(n, "id");
    if (id) {
      char *fresh = *id ? register_id(w, ci, id) : NULL;
      if (*id && !fresh) {
        free(id);
        return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
      }
      if (fresh)
        set_attr(n, "id", fresh);
      else
        xmlUnsetProp(n, (const xmlChar *)"id");
      free(fresh);
      free(id);
    }
    /* Our own footnote markup gets its EPUB semantics. */
    char *cls = attr(n, "class");
    char *href = is_el(n, "a") ? attr(n, "href") : NULL;
    if (href && !strncmp(href, "#gfn-", 5) && cls &&
        strstr(cls, "footnote-ref"))
      set_epub_type(n, "noteref");
    if (cls && !strcmp(cls, "footnote") &&
        xmlHasProp(n, (const xmlChar *)"id")) {
      xmlNodeSetName(n, (const xmlChar *)"aside");
      set_epub_type(n, "footnote");
    }
    if (cls && !strcmp(cls, "footnotes"))
      set_epub_type(n, "footnotes");
    if (href && !strncmp(href, "#gfnref-", 8) && cls &&
        strstr(cls, "footnote-back"))
      set_attr(n, "role", "doc-backlink");
    free(cls);
    free(href);
    /* An image without alt gets alt="" once it is known to stay (a11y.c
     * counts it as missing, not decorative). */
    n = epub_dom_next(root, n, false);
  }
  epub_fix_headings(root);
  /* Content models that need the whole element: checked once it is clean. */
  for (n = root->children; n; n = epub_dom_next(root, n, false))
    if (is_el(n, "dl"))
      fix_dl(n);
  return GALLEY_OK;
}

/* ---- Images ----------------------------------------------------------------
 */

int epub_add_image(writer *w, const unsigned char *data, size_t size,
                   unsigned char *owned, long *out) {
  const galley_limits *lim = galley_job_limits(w->job);
  *out = -1;
  const char *mt = epub_sniff_image(data, size);
  if (!mt) {
    free(owned);
    return GALLEY_EUNSUPPORTED;
  }
  uint64_t h = epub_hash(data, size, 0);
  for (size_t i = 0; i < w->n_res; i++)
    if (w->res[i].hash == h && w->res[i].size == size &&
        memcmp(w->res[i].data, data, size) == 0) {
      *out = (long)i;
      free(owned);
      return GALLEY_OK;
    }
  if (lim->max_image_size && size > lim->max_image_size) {
    free(owned);
    return galley_job_error(w->job, GALLEY_ELIMIT,
                            "an image of %zu bytes is over the image size "
                            "limit of %zu",
                            size, lim->max_image_size);
  }
  if (lim->max_resource_bytes &&
      size > lim->max_resource_bytes - w->res_bytes &&
      size + w->res_bytes > lim->max_resource_bytes) {
    free(owned);
    return galley_job_error(w->job, GALLEY_ELIMIT,
                            "images add up to more than the resource limit of "
                            "%zu bytes",
                            lim->max_resource_bytes);
  }
  if (galley_array_grow((void **)&w->res, &w->cap_res, w->n_res + 1,
                        sizeof *w->res) != GALLEY_OK) {
    free(owned);
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
  }
  wres *r = &w->res[w->n_res];
  memset(r, 0, sizeof *r);
  char name[64], id[32];
  snprintf(id, sizeof id, "img-%03zu", w->n_res + 1);
  snprintf(name, sizeof name, "images/%s.%s", id, epub_image_ext(mt));
  r->href = strdup(name);
  r->id = strdup(id);
  if (!r->href || !r->id) {
    free(r->href);
    free(r->id);
    free(owned);
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
  }
  r->media_type = mt;
  r->data = data;
  r->size = size;
  r->owned = owned;
  r->hash = h;
  w->res_bytes += size;
  *out = (long)w->n_res++;
  return GALLEY_OK;
}

static int b64(int c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

/* The bytes of a data: URI (malloc'd), or NULL. */
static unsigned char *data_uri(const char *uri, size_t *len) {
  const char *comma = strchr(uri, ',');
  if (!comma)
    return NULL;
  bool base64 = comma - uri >= 7 && strncasecmp(comma - 7, ";base64", 7) == 0;
  const char *p = comma + 1;
  if (!base64) {
    char *d = epub_percent_decode(p, strlen(p));
    if (d)
      *len = strlen(d);
    return (unsigned char *)d;
  }
  size_t n = strlen(p);
  unsigned char *out = malloc(n / 4 * 3 + 4);
  if (!out)
    return NULL;
  size_t o = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64((unsigned char)p[i]);
    if (v < 0)
      continue; /* white space, padding */
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  *len = o;
  return out;
}

static bool remote_url(const char *u) {
  return !strncmp(u, "//", 2) || !strncasecmp(u, "http:", 5) ||
         !strncasecmp(u, "https:", 6) || !strncasecmp(u, "ftp:", 4);
}

/* Reads `rel` (already a clean relative path) under one of the roots;
 * GALLEY_EUNSUPPORTED, silently, when the job may read no local file. */
static int read_local(writer *w, const char *base, const char *rel,
                      unsigned char **data, size_t *len) {
  /* Checked here, where every local read goes through, and not against the
   * roots: a document may name its own base (the xml form's base=, a
   * digest article's), so "no roots" must not depend on what it says. */
  if (!galley_job_local_files(w->job))
    return GALLEY_EUNSUPPORTED;
  size_t n_roots = galley_job_resource_path_count(w->job) + 1;
  const galley_limits *lim = galley_job_limits(w->job);
  bool refused = false; /* warned already: a root's path leads outside it */
  for (size_t i = 0; i < n_roots; i++) {
    const char *root = i == 0 ? base : galley_job_resource_path(w->job, i - 1);
    if (!root || !*root || epub_has_scheme(root))
      continue;
    char *rroot = realpath(root, NULL);
    if (!rroot)
      continue;
    size_t rl = strlen(rroot);
    char *full = malloc(rl + strlen(rel) + 2);
    char *rp = NULL;
    if (full) {
      sprintf(full, "%s/%s", rroot, rel);
      rp = realpath(full, NULL);
    }
    /* Where the name resolves from may be the document's own base, which a
     * document can set to anything: what may be read is the job's to say
     * (the input's folder and --resource-path). */
    bool under = rp &&
                 (rl == 1 || (!strncmp(rp, rroot, rl) && rp[rl] == '/')) &&
                 galley_job_resource_allowed(w->job, rp);
    struct stat st;
    int rc = GALLEY_ENOTFOUND;
    if (under && stat(rp, &st) == 0 && S_ISREG(st.st_mode)) {
      if (lim->max_image_size && (size_t)st.st_size > lim->max_image_size) {
        rc = galley_job_error(w->job, GALLEY_ELIMIT,
                              "image %s is over the image size limit of %zu "
                              "bytes",
                              rel, lim->max_image_size);
      } else {
        FILE *f = fopen(rp, "rb");
        galley_buf b;
        galley_buf_init(&b);
        if (f) {
          char chunk[65536];
          size_t got;
          while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            galley_buf_add(&b, chunk, got);
          fclose(f);
          *data = (unsigned char *)galley_buf_detach(&b, len);
          rc = *data ? GALLEY_OK : GALLEY_ENOMEM;
        }
      }
    } else if (rp && !under) {
      galley_job_warn(w->job, "image %s leaves the input folder; not read",
                      rel);
      refused = true;
    }
    free(rroot);
    free(full);
    free(rp);
    if (rc != GALLEY_ENOTFOUND)
      return rc;
  }
  return refused ? GALLEY_EINVALID : GALLEY_ENOTFOUND;
}

/* Finds or embeds the image at `src`; `*out` is -1 when it cannot be had. */
static int resolve_image(writer *w, const char *base, const char *src,
                         long *out) {
  *out = -1;
  /* The same name may mean two files for two articles of a digest. */
  size_t klen = strlen(base ? base : "") + strlen(src) + 2;
  char *key = malloc(klen);
  if (!key)
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
  snprintf(key, klen, "%s\n%s", base ? base : "", src);
  smap_entry *cached = smap_get(&w->res_by_url, key);
  if (cached) {
    free(key);
    *out = (long)cached->num - 1;
    return GALLEY_OK;
  }
  int rc = GALLEY_OK;
  unsigned char *data = NULL;
  size_t len = 0;
  const galley_resource *r = galley_doc_find_resource(w->src, src);
  if (!r) {
    char *dec = epub_percent_decode(src, strlen(src));
    if (dec)
      r = galley_doc_find_resource(w->src, dec);
    free(dec);
  }
  if (r) {
    rc = epub_add_image(w, r->data, r->size, NULL, out);
    if (rc == GALLEY_EUNSUPPORTED) {
      galley_job_warn(w->job,
                      "resource %s is not an image EPUB can hold; "
                      "kept its alt text",
                      src);
      rc = GALLEY_OK;
    }
  } else if (!strncasecmp(src, "data:", 5)) {
    data = data_uri(src, &len);
    if (!data)
      galley_job_warn(w->job, "a data: image cannot be decoded; kept its alt "
                              "text");
  } else if (remote_url(src) || (base && remote_url(base))) {
    /* A page can hold hundreds: name the first few, count the rest. */
    if (++w->remote_images <= 3)
      galley_job_warn(w->job,
                      "remote image %s cannot be fetched; kept its alt "
                      "text",
                      src);
  } else if (!strncasecmp(src, "file:", 5)) {
    galley_job_warn(w->job,
                    "image %s: file: URLs are not read; kept its alt "
                    "text",
                    src);
  } else if (epub_has_scheme(src)) {
    galley_job_warn(w->job, "image %s is not a local file; kept its alt text",
                    src);
  } else {
    size_t n = strcspn(src, "?#");
    char *dec = epub_percent_decode(src, n);
    char *rel = dec && dec[0] != '/' ? epub_join_path("", dec) : NULL;
    if (!dec) {
      rc = GALLEY_ENOMEM;
    } else if (!rel) {
      galley_job_warn(w->job,
                      "image %s is outside the input folder; not "
                      "read",
                      src);
    } else {
      rc = read_local(w, base, rel, &data, &len);
      if (rc == GALLEY_EUNSUPPORTED)
        galley_job_warn(w->job,
                        "image %s: local files are not read for this "
                        "input; kept its alt text",
                        src);
      if (rc == GALLEY_ENOTFOUND)
        galley_job_warn(w->job, "image %s not found; kept its alt text", src);
      if (rc == GALLEY_ENOTFOUND || rc == GALLEY_EINVALID ||
          rc == GALLEY_EUNSUPPORTED)
        rc = GALLEY_OK;
    }
    free(dec);
    free(rel);
  }
  if (data && !rc) {
    rc = epub_add_image(w, data, len, data, out);
    if (rc == GALLEY_EUNSUPPORTED) {
      galley_job_warn(w->job,
                      "image %.80s is not PNG, JPEG, GIF, WebP or SVG; "
                      "kept its alt text",
                      src);
      rc = GALLEY_OK;
    }
  } else if (data) {
    free(data);
  }
  if (rc) {
    free(key);
    return rc == GALLEY_ENOMEM ? galley_job_error(w->job, rc, "out of memory")
                               : rc;
  }
  smap_entry *e = smap_put(&w->res_by_url, key, NULL);
  free(key);
  if (!e)
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
  e->num = (size_t)(*out + 1);
  return GALLEY_OK;
}

/* ---- Links ----------------------------------------------------------------
 */

bool epub_safe_scheme(const char *u) {
  static const char *const ok[] = {
      "http:", "https:", "mailto:", "ftp:", "tel:", NULL};
  for (size_t i = 0; ok[i]; i++)
    if (!strncasecmp(u, ok[i], strlen(ok[i])))
      return true;
  return false;
}

char *epub_clean_url(const char *u) {
  galley_buf b;
  galley_buf_init(&b);
  bool hash = false;
  for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
    unsigned char c = *p;
    bool bad = c <= 0x20 || c >= 0x7F || strchr("<>\"`{}|\\^", c);
    if (c == '#') {
      bad = hash;
      hash = true;
    }
    if (c == '%' && !(isxdigit(p[1]) && isxdigit(p[2])))
      bad = true;
    if (bad)
      galley_buf_printf(&b, "%%%02X", c);
    else
      galley_buf_add(&b, p, 1);
  }
  return galley_buf_detach(&b, NULL);
}

/* Whether a URL of a safe scheme is well formed enough for validators: a
 * host of letters, digits, dots and dashes for http(s) and ftp, something
 * after the colon for mailto and tel. */
bool epub_well_formed_url(const char *u) {
  const char *colon = strchr(u, ':');
  if (!colon || !colon[1])
    return false;
  if (strncasecmp(u, "http", 4) && strncasecmp(u, "ftp", 3))
    return true;
  if (strncmp(colon, "://", 3))
    return false;
  const char *h = colon + 3;
  size_t n = strcspn(h, "/?#");
  const char *at = memchr(h, '@', n);
  if (at) {
    n -= (size_t)(at + 1 - h);
    h = at + 1;
  }
  if (n && h[0] == '[')
    return memchr(h, ']', n) != NULL;
  size_t host = 0;
  while (host < n && h[host] != ':') {
    unsigned char c = (unsigned char)h[host];
    if (!isalnum(c) && c != '-' && c != '.')
      return false;
    host++;
  }
  for (size_t i = host + 1; i < n; i++)
    if (!isdigit((unsigned char)h[i]))
      return false;
  return host > 0;
}

static char *fix_href(writer *w, size_t ci, const char *href) {
  if (href[0] == '#') {
    char *frag = epub_percent_decode(href + 1, strlen(href + 1));
    if (!frag)
      return NULL;
    smap_entry *e = smap_get(&w->targets, frag);
    if (!e)
      e = smap_get(&w->targets, href + 1);
    free(frag);
    if (!e)
      return strdup("");
    galley_buf b;
    galley_buf_init(&b);
    if (e->num != ci)
      galley_buf_puts(&b, w->ch[e->num].file);
    galley_buf_printf(&b, "#%s", e->value);
    return galley_buf_detach(&b, NULL);
  }
  if (epub_safe_scheme(href))
    return epub_well_formed_url(href) ? epub_clean_url(href) : strdup("");
  if (!strncmp(href, "//", 2)) {
    char *tmp = malloc(strlen(href) + 7);
    if (!tmp)
      return NULL;
    sprintf(tmp, "https:%s", href);
    char *r = epub_well_formed_url(tmp) ? epub_clean_url(tmp) : strdup("");
    free(tmp);
    return r;
  }
  const char *base = galley_doc_get_base(w->src);
  if (!epub_has_scheme(href) && base &&
      (!strncasecmp(base, "http:", 5) || !strncasecmp(base, "https:", 6))) {
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
    char *r = abs && epub_well_formed_url((const char *)abs)
                  ? epub_clean_url((const char *)abs)
                  : strdup("");
    xmlFree(abs);
    return r;
  }
  return strdup("");
}

static int add_heading(wchapter *ch, int level, char *id, char *text) {
  if (galley_array_grow((void **)&ch->heads, &ch->cap_heads, ch->n_heads + 1,
                        sizeof *ch->heads) != GALLEY_OK)
    return GALLEY_ENOMEM;
  ch->heads[ch->n_heads].level = level;
  ch->heads[ch->n_heads].id = id;
  ch->heads[ch->n_heads].text = text;
  ch->n_heads++;
  return GALLEY_OK;
}

static int link_chapter(writer *w, size_t ci) {
  wchapter *ch = &w->ch[ci];
  /* An article of a digest may bring its own folder. */
  const char *base =
      ch->article ? galley_node_get_attr(ch->article, "base") : NULL;
  if (!base)
    base = galley_doc_get_base(w->src);
  xmlNode *root = ch->body;
  xmlNode *n = root->children;
  int rc = GALLEY_OK;
  size_t k = 0;
  while (n && !rc) {
    if (n->type != XML_ELEMENT_NODE) {
      n = epub_dom_next(root, n, true);
      continue;
    }
    const char *el = name_of(n);
    if (!strcmp(el, "img")) {
      char *src = attr(n, "src");
      long idx = -1;
      rc = src ? resolve_image(w, base, src, &idx) : GALLEY_ENOMEM;
      if (rc) {
        free(src);
        break;
      }
      if (idx < 0) {
        free(src);
        n = drop_image(root, n);
        continue;
      }
      /* The name it had, for a11y.c to tell an alt that repeats it. */
      if (strncasecmp(src, "data:", 5) != 0)
        set_attr(n, "galley-src", src);
      free(src);
      set_attr(n, "src", w->res[idx].href);
    } else if (!strcmp(el, "a") && xmlHasProp(n, (const xmlChar *)"href")) {
      char *href = attr(n, "href");
      char *fixed = href ? fix_href(w, ci, href) : NULL;
      free(href);
      if (!fixed) {
        rc = GALLEY_ENOMEM;
        break;
      }
      if (!*fixed) {
        free(fixed);
        n = unwrap(root, n);
        continue;
      }
      set_attr(n, "href", fixed);
      free(fixed);
    } else if (el[0] == 'h' && el[1] >= '1' && el[1] <= '6' && !el[2]) {
      char *id = attr(n, "id");
      if (!id) {
        char tmp[48];
        snprintf(tmp, sizeof tmp, "h-%zu-%zu", ci + 1, ++k);
        id = register_id(w, ci, tmp);
        if (!id) {
          rc = GALLEY_ENOMEM;
          break;
        }
        set_attr(n, "id", id);
      }
      xmlChar *t = xmlNodeGetContent(n);
      char *text = epub_collapse(t ? (const char *)t : "");
      xmlFree(t);
      if (!text || add_heading(ch, el[1] - '0', id, text)) {
        free(id);
        free(text);
        rc = GALLEY_ENOMEM;
        break;
      }
    }
    n = epub_dom_next(root, n, false);
  }
  if (rc == GALLEY_ENOMEM)
    return galley_job_error(w->job, rc, "out of memory");
  return rc;
}

int epub_link_chapters(writer *w) {
  for (size_t i = 0; i < w->n_ch; i++) {
    int rc = link_chapter(w, i);
    if (rc)
      return rc;
    epub_a11y_chapter(w, i);
    if (i + 1 == w->n_ch && w->remote_images > 3)
      galley_job_warn(w->job,
                      "%zu more remote images cannot be fetched; kept "
                      "their alt text",
                      w->remote_images - 3);
    wchapter *ch = &w->ch[i];
    if (!ch->title) {
      for (size_t j = 0; j < ch->n_heads && !ch->title; j++)
        if (*ch->heads[j].text) {
          ch->title = strdup(ch->heads[j].text);
          if (!ch->title)
            return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
          ch->title_is_heading = j == 0;
        }
    } else if (ch->n_heads && strcmp(ch->heads[0].text, ch->title) == 0) {
      /* A titled chapter (a digest's article) that opens with its title:
       * the table of contents lists it once. */
      ch->title_is_heading = true;
    }
  }
  return GALLEY_OK;
}

/* ---- Serialising -----------------------------------------------------------
 */

static void open_tag(galley_buf *b, xmlNode *n) {
  galley_buf_printf(b, "<%s", name_of(n));
  for (xmlAttr *a = n->properties; a; a = a->next) {
    const char *an = (const char *)a->name;
    char qname[128];
    if (is_epub_type(a))
      an = "epub:type";
    else if (is_xml_lang(a))
      an = "xml:lang";
    else if (a->ns)
      continue;
    snprintf(qname, sizeof qname, "%s", an);
    xmlChar *v = xmlNodeGetContent((xmlNode *)a);
    galley_buf_printf(b, " %s=\"", qname);
    epub_escape(b, v ? (const char *)v : "");
    galley_buf_puts(b, "\"");
    xmlFree(v);
  }
}

void epub_serialize(galley_buf *b, xmlNode *root) {
  xmlNode *n = root->children;
  while (n) {
    if (n->type == XML_ELEMENT_NODE) {
      open_tag(b, n);
      if (n->children) {
        galley_buf_puts(b, ">");
        n = n->children;
        continue;
      }
      if (in_list(name_of(n), void_tags))
        galley_buf_puts(b, " />");
      else
        galley_buf_printf(b, "></%s>", name_of(n));
    } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      epub_escape(b, (const char *)n->content);
    }
    for (;;) {
      if (n->next) {
        n = n->next;
        break;
      }
      n = n->parent;
      if (!n || n == root) {
        n = NULL;
        break;
      }
      galley_buf_printf(b, "</%s>", name_of(n));
    }
  }
}

void epub_xhtml_head(writer *w, galley_buf *b, const char *title,
                     const char *lang, const char *dir,
                     const char *body_attrs) {
  /* A digest's article has the direction its page gave (rtl-1: Latin
   * text set right to left), else a chapter in a language of its own has
   * that language's; the others the book's. */
  bool rtl = dir && *dir ? strcmp(dir, "rtl") == 0
             : lang && strcmp(lang, w->lang) != 0 ? galley_lang_is_rtl(lang)
                                                  : w->rtl;
  if (!lang)
    lang = w->lang;
  galley_buf_puts(
      b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
         "<html xmlns=\"" EPUB_NS_XHTML "\" xmlns:epub=\"" EPUB_NS_OPS
         "\" xml:lang=\"");
  epub_escape(b, lang);
  galley_buf_puts(b, "\" lang=\"");
  epub_escape(b, lang);
  galley_buf_puts(b, rtl ? "\" dir=\"rtl\">\n<head>" : "\">\n<head>");
  galley_buf_puts(b, "\n<meta charset=\"utf-8\" />\n<title>");
  epub_escape(b, title && *title ? title : w->title);
  galley_buf_puts(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" "
                     "href=\"style.css\" />\n</head>\n<body");
  if (body_attrs)
    galley_buf_puts(b, body_attrs);
  galley_buf_puts(b, ">\n");
}

int epub_finish_chapter(writer *w, size_t ci) {
  wchapter *ch = &w->ch[ci];
  galley_buf b;
  galley_buf_init(&b);
  epub_xhtml_head(w, &b, ch->title, ch->lang, ch->dir, NULL);
  epub_serialize(&b, ch->body);
  galley_buf_puts(&b, "\n</body>\n</html>\n");
  ch->xhtml = galley_buf_detach(&b, &ch->xhtml_len);
  if (!ch->xhtml)
    return galley_job_error(w->job, GALLEY_ENOMEM, "out of memory");
  /* The DOM is done with: a long chapter should not be held twice. */
  xmlFreeDoc(ch->dom);
  ch->dom = NULL;
  ch->body = NULL;
  return GALLEY_OK;
}
