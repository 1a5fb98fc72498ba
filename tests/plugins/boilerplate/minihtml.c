/* A small HTML-to-tree builder for the boilerplate tests and benchmark, used
 * only when the build has no html reader: it maps elements the way the html
 * reader does (tag, id, classes and attributes kept on blocks and spans) so
 * the transform can be measured on real pages. Test code, not a reader. */
#include "minihtml.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

typedef struct mh {
  galley_doc *doc;
  int depth;
} mh;

enum { MAX_DEPTH = 300 };

static bool in_list(const char *name, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strcasecmp(name, list[i]) == 0)
      return true;
  return false;
}

static const char *const skip_tags[] = {
    "script", "style",  "noscript", "template", "svg",   "iframe", "head",
    "object", "embed",  "canvas",   "video",    "audio", "select", "input",
    "button", "option", "textarea", "link",     "meta",  "title",  NULL};
static const char *const div_tags[] = {
    "div",     "section", "article", "main",   "nav",      "header",
    "footer",  "aside",   "form",    "center", "details",  "summary",
    "address", "hgroup",  "body",    "html",   "fieldset", "dl",
    "dd",      "menu",    "noindex", NULL};
static const char *const para_tags[] = {"p", "dt", "legend", NULL};

static bool is_block_tag(const char *n) {
  static const char *const inl[] = {
      "a",    "abbr", "b",     "bdi",     "bdo",    "br",     "cite", "code",
      "data", "dfn",  "em",    "i",       "img",    "kbd",    "mark", "q",
      "s",    "samp", "small", "span",    "strong", "sub",    "sup",  "time",
      "u",    "var",  "wbr",   "font",    "label",  "strike", "del",  "ins",
      "tt",   "big",  "nobr",  "picture", "source", NULL};
  /* Unknown and custom elements wrap layout, like div. */
  if (!in_list(n, inl) && !in_list(n, skip_tags))
    return true;
  static const char *const other[] = {
      "h1",    "h2",    "h3",    "h4",      "h5",         "h6",
      "ul",    "ol",    "li",    "pre",     "table",      "tr",
      "td",    "th",    "hr",    "figure",  "blockquote", "figcaption",
      "tbody", "thead", "tfoot", "caption", NULL};
  return in_list(n, div_tags) || in_list(n, para_tags) || in_list(n, other);
}

static void copy_attrs(galley_node *g, xmlNode *el) {
  galley_node_set_tag(g, (const char *)el->name);
  for (xmlAttr *a = el->properties; a; a = a->next) {
    xmlChar *v = xmlNodeGetContent((xmlNode *)a);
    const char *k = (const char *)a->name;
    if (strcmp(k, "id") == 0)
      galley_node_set_id(g, (const char *)v);
    else if (strcmp(k, "class") == 0)
      galley_node_set_classes(g, (const char *)v);
    else
      galley_node_set_attr(g, k, (const char *)v);
    xmlFree(v);
  }
}

static bool is_hidden(xmlNode *el) {
  if (xmlHasProp(el, (const xmlChar *)"hidden"))
    return true;
  xmlChar *st = xmlGetProp(el, (const xmlChar *)"style");
  bool h = false;
  if (st) {
    char *s = (char *)st;
    h = strstr(s, "display:none") || strstr(s, "display: none");
    xmlFree(st);
  }
  return h;
}

static void add_text(mh *m, galley_node *inl, const char *s) {
  char buf[8192];
  size_t o = 0;
  bool sp = false;
  galley_node *last = galley_node_last_child(inl);
  bool lead_space_ok = last != NULL;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      sp = true;
      continue;
    }
    if (sp && (o > 0 || lead_space_ok) && o < sizeof buf - 1)
      buf[o++] = ' ';
    sp = false;
    if (o < sizeof buf - 1)
      buf[o++] = (char)c;
  }
  if (sp && o < sizeof buf - 1 && (o > 0 || lead_space_ok))
    buf[o++] = ' ';
  if (o == 0)
    return;
  galley_node *t = galley_doc_new_text(m->doc, buf, o);
  galley_node_append_child(inl, t);
}

static void inline_children(mh *m, xmlNode *first, galley_node *inl);

static void inline_el(mh *m, xmlNode *el, galley_node *inl) {
  const char *n = (const char *)el->name;
  if (in_list(n, skip_tags) || is_hidden(el))
    return;
  galley_node *g = NULL;
  if (!strcasecmp(n, "br")) {
    galley_node_append_child(
        inl, galley_doc_new_node(m->doc, GALLEY_NODE_LINE_BREAK));
    return;
  }
  if (!strcasecmp(n, "img")) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_IMAGE);
    xmlChar *src = xmlGetProp(el, (const xmlChar *)"src");
    xmlChar *alt = xmlGetProp(el, (const xmlChar *)"alt");
    galley_node_set_url(g, src ? (const char *)src : "");
    if (alt && *alt)
      galley_node_append_child(
          g, galley_doc_new_text(m->doc, (const char *)alt, (size_t)-1));
    xmlFree(src);
    xmlFree(alt);
    galley_node_append_child(inl, g);
    return;
  }
  if (!strcasecmp(n, "code") || !strcasecmp(n, "kbd") || !strcasecmp(n, "tt")) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_CODE);
    xmlChar *t = xmlNodeGetContent(el);
    galley_node_set_literal(g, (const char *)t);
    xmlFree(t);
    galley_node_append_child(inl, g);
    return;
  }
  if (!strcasecmp(n, "a")) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_LINK);
    xmlChar *h = xmlGetProp(el, (const xmlChar *)"href");
    galley_node_set_url(g, h ? (const char *)h : "");
    xmlFree(h);
  } else if (!strcasecmp(n, "em") || !strcasecmp(n, "i"))
    g = galley_doc_new_node(m->doc, GALLEY_NODE_EMPH);
  else if (!strcasecmp(n, "strong") || !strcasecmp(n, "b"))
    g = galley_doc_new_node(m->doc, GALLEY_NODE_STRONG);
  else if (!strcasecmp(n, "sup"))
    g = galley_doc_new_node(m->doc, GALLEY_NODE_SUPERSCRIPT);
  else if (!strcasecmp(n, "sub"))
    g = galley_doc_new_node(m->doc, GALLEY_NODE_SUBSCRIPT);
  else if (is_block_tag(n)) {
    /* A block inside an inline: flattened, with a space between. */
    add_text(m, inl, " ");
    inline_children(m, el->children, inl);
    add_text(m, inl, " ");
    return;
  } else {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_SPAN);
  }
  copy_attrs(g, el);
  if (galley_node_append_child(inl, g) != GALLEY_OK)
    return;
  inline_children(m, el->children, g);
}

static void inline_children(mh *m, xmlNode *first, galley_node *inl) {
  if (++m->depth > MAX_DEPTH) {
    m->depth--;
    return;
  }
  for (xmlNode *c = first; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      add_text(m, inl, (const char *)c->content);
    else if (c->type == XML_ELEMENT_NODE)
      inline_el(m, c, inl);
  }
  m->depth--;
}

static void block_children(mh *m, xmlNode *first, galley_node *box);

static galley_node *make_block(mh *m, xmlNode *el, galley_node *box) {
  const char *n = (const char *)el->name;
  galley_kind bk = galley_node_kind(box);
  galley_node *g;
  if (in_list(n, para_tags)) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_PARAGRAPH);
    copy_attrs(g, el);
    galley_node_append_child(box, g);
    inline_children(m, el->children, g);
    return g;
  }
  if (n[0] == 'h' && n[1] >= '1' && n[1] <= '6' && !n[2]) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_HEADING);
    galley_node_set_level(g, n[1] - '0');
    copy_attrs(g, el);
    galley_node_append_child(box, g);
    inline_children(m, el->children, g);
    return g;
  }
  if (!strcasecmp(n, "pre")) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_CODE_BLOCK);
    xmlChar *t = xmlNodeGetContent(el);
    galley_node_set_literal(g, (const char *)t);
    xmlFree(t);
    copy_attrs(g, el);
    galley_node_append_child(box, g);
    return g;
  }
  if (!strcasecmp(n, "hr")) {
    g = galley_doc_new_node(m->doc, GALLEY_NODE_THEMATIC_BREAK);
    galley_node_append_child(box, g);
    return g;
  }
  galley_kind k = GALLEY_NODE_DIV;
  if (!strcasecmp(n, "ul") || !strcasecmp(n, "ol"))
    k = GALLEY_NODE_LIST;
  else if (!strcasecmp(n, "li"))
    k = bk == GALLEY_NODE_LIST ? GALLEY_NODE_ITEM : GALLEY_NODE_DIV;
  else if (!strcasecmp(n, "blockquote"))
    k = GALLEY_NODE_BLOCK_QUOTE;
  else if (!strcasecmp(n, "table"))
    k = GALLEY_NODE_TABLE;
  else if (!strcasecmp(n, "tr"))
    k = bk == GALLEY_NODE_TABLE ? GALLEY_NODE_TABLE_ROW : GALLEY_NODE_DIV;
  else if (!strcasecmp(n, "td") || !strcasecmp(n, "th"))
    k = bk == GALLEY_NODE_TABLE_ROW ? GALLEY_NODE_TABLE_CELL : GALLEY_NODE_DIV;
  else if (!strcasecmp(n, "tbody") || !strcasecmp(n, "thead") ||
           !strcasecmp(n, "tfoot")) {
    if (bk == GALLEY_NODE_TABLE) {
      block_children(m, el->children, box);
      return box;
    }
  } else if (!strcasecmp(n, "figure"))
    k = GALLEY_NODE_FIGURE;
  else if (!strcasecmp(n, "figcaption") || !strcasecmp(n, "caption"))
    k = (bk == GALLEY_NODE_FIGURE || bk == GALLEY_NODE_TABLE)
            ? GALLEY_NODE_CAPTION
            : GALLEY_NODE_DIV;
  if (!galley_kind_can_contain(bk, k)) {
    if (bk == GALLEY_NODE_LIST) {
      galley_node *it = galley_doc_new_node(m->doc, GALLEY_NODE_ITEM);
      galley_node_append_child(box, it);
      return make_block(m, el, it);
    }
    if (bk == GALLEY_NODE_TABLE || bk == GALLEY_NODE_TABLE_ROW) {
      block_children(m, el->children, box);
      return box;
    }
    k = GALLEY_NODE_DIV;
  }
  g = galley_doc_new_node(m->doc, k);
  if (k == GALLEY_NODE_LIST)
    galley_node_set_list_ordered(g, !strcasecmp(n, "ol"));
  if (k == GALLEY_NODE_TABLE_CELL)
    galley_node_set_cell_header(g, !strcasecmp(n, "th"));
  copy_attrs(g, el);
  if (galley_node_append_child(box, g) != GALLEY_OK)
    return NULL;
  block_children(m, el->children, g);
  return g;
}

static galley_node *inline_box(mh *m, galley_node *box, galley_node **para) {
  galley_kind bk = galley_node_kind(box);
  if (bk == GALLEY_NODE_TABLE_CELL || bk == GALLEY_NODE_CAPTION)
    return box;
  if (bk == GALLEY_NODE_LIST || bk == GALLEY_NODE_TABLE ||
      bk == GALLEY_NODE_TABLE_ROW)
    return NULL;
  if (!*para) {
    *para = galley_doc_new_node(m->doc, GALLEY_NODE_PARAGRAPH);
    galley_node_append_child(box, *para);
  }
  return *para;
}

static void block_children(mh *m, xmlNode *first, galley_node *box) {
  if (++m->depth > MAX_DEPTH) {
    m->depth--;
    return;
  }
  galley_node *para = NULL;
  for (xmlNode *c = first; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      const char *s = (const char *)c->content;
      bool blank = true;
      for (const char *p = s; *p; p++)
        if (!strchr(" \t\r\n\f", *p))
          blank = false;
      if (blank && !para)
        continue;
      galley_node *inl = inline_box(m, box, &para);
      if (inl)
        add_text(m, inl, s);
    } else if (c->type == XML_ELEMENT_NODE) {
      const char *n = (const char *)c->name;
      if (in_list(n, skip_tags) || is_hidden(c))
        continue;
      if (is_block_tag(n)) {
        para = NULL;
        make_block(m, c, box);
      } else {
        galley_node *inl = inline_box(m, box, &para);
        if (inl)
          inline_el(m, c, inl);
      }
    }
  }
  m->depth--;
}

static void head_meta(galley_doc *doc, xmlNode *head) {
  for (xmlNode *c = head ? head->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (!strcasecmp((const char *)c->name, "title") &&
        !galley_doc_get_meta(doc, "title")) {
      xmlChar *t = xmlNodeGetContent(c);
      galley_doc_set_meta(doc, "title", (const char *)t);
      xmlFree(t);
    } else if (!strcasecmp((const char *)c->name, "meta")) {
      xmlChar *p = xmlGetProp(c, (const xmlChar *)"property");
      if (!p)
        p = xmlGetProp(c, (const xmlChar *)"name");
      xmlChar *v = xmlGetProp(c, (const xmlChar *)"content");
      if (p && v) {
        const char *k = (const char *)p;
        if (!strcmp(k, "og:title"))
          galley_doc_set_meta(doc, "title", (const char *)v);
        else if (!strcmp(k, "author"))
          galley_doc_add_meta(doc, "author", (const char *)v);
        else if (!strcmp(k, "og:site_name"))
          galley_doc_set_meta(doc, "publisher", (const char *)v);
        else if (!strcmp(k, "article:published_time"))
          galley_doc_set_meta(doc, "date", (const char *)v);
        else if (!strcmp(k, "description") || !strcmp(k, "og:description"))
          galley_doc_set_meta(doc, "description", (const char *)v);
      }
      xmlFree(p);
      xmlFree(v);
    }
  }
}

galley_doc *minihtml_parse(const char *data, size_t len) {
  htmlDocPtr h = htmlReadMemory(data, (int)len, NULL, "utf-8",
                                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                    HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (!h)
    return NULL;
  galley_doc *doc = galley_doc_new();
  mh m = {doc, 0};
  xmlNode *root = xmlDocGetRootElement(h);
  xmlNode *body = NULL, *head = NULL;
  for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (!strcasecmp((const char *)c->name, "body"))
      body = c;
    if (!strcasecmp((const char *)c->name, "head"))
      head = c;
  }
  head_meta(doc, head);
  if (root) {
    xmlChar *lang = xmlGetProp(root, (const xmlChar *)"lang");
    if (lang)
      galley_doc_set_meta(doc, "language", (const char *)lang);
    xmlFree(lang);
  }
  if (body)
    block_children(&m, body->children, galley_doc_root(doc));
  xmlFreeDoc(h);
  return doc;
}
