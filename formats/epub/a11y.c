/* The epub writer's accessibility: ARIA roles for the EPUB semantics it
 * writes, text alternatives told apart (described, decorative, missing),
 * header cells with their scope, headings without skipped levels, links a
 * screen reader can name, and the package's accessibility metadata (EPUB
 * Accessibility 1.1), which claims only what this book has. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "writer.h"

/* ---- Roles ------------------------------------------------------------------
 */

/* The DPUB-ARIA role that goes with an epub:type, and the elements that may
 * carry it (ARIA in HTML); NULL elements: any. */
typedef struct type_role {
  const char *type, *role;
  const char *const *on;
} type_role;

static const char *const on_link[] = {"a", NULL};
static const char *const on_note[] = {"aside", "div", "p", "span", NULL};
static const char *const on_nav[] = {"nav", "section", "div", NULL};
static const char *const on_break[] = {"hr", "div", "span", NULL};
static const char *const on_img[] = {"img", NULL};
static const char *const on_section[] = {"section", "div", NULL};

static const type_role type_roles[] = {
    {"noteref", "doc-noteref", on_link},
    {"biblioref", "doc-biblioref", on_link},
    {"glossref", "doc-glossref", on_link},
    {"backlink", "doc-backlink", on_link},
    {"referrer", "doc-backlink", on_link},
    {"footnote", "doc-footnote", on_note},
    {"endnote", "doc-endnote", NULL},
    {"toc", "doc-toc", on_nav},
    {"page-list", "doc-pagelist", on_nav},
    {"pagebreak", "doc-pagebreak", on_break},
    {"cover", "doc-cover", on_img},
    {"chapter", "doc-chapter", on_section},
    {"part", "doc-part", on_section},
    {"endnotes", "doc-endnotes", on_section},
    {"subtitle", "doc-subtitle", NULL},
    {NULL, NULL, NULL},
};

const char *epub_role_for(const char *el, const char *type) {
  for (size_t i = 0; type_roles[i].type; i++) {
    if (strcmp(type_roles[i].type, type) != 0)
      continue;
    const char *const *on = type_roles[i].on;
    if (!on)
      return type_roles[i].role;
    for (size_t j = 0; on[j]; j++)
      if (strcmp(on[j], el) == 0)
        return type_roles[i].role;
    return NULL;
  }
  return NULL;
}

/* ---- Text alternatives ------------------------------------------------------
 */

static bool ends_with_ci(const char *s, size_t n, const char *tail) {
  size_t t = strlen(tail);
  return n >= t && strncasecmp(s + n - t, tail, t) == 0;
}

int epub_alt_kind(const char *alt, const char *src) {
  if (!alt)
    return EPUB_ALT_MISSING;
  while (isspace((unsigned char)*alt))
    alt++;
  size_t n = strlen(alt);
  while (n && isspace((unsigned char)alt[n - 1]))
    n--;
  if (n == 0)
    return EPUB_ALT_DECORATIVE;
  /* A file name says nothing of what the picture shows. */
  static const char *const exts[] = {".jpg",  ".jpeg", ".png", ".gif",
                                     ".webp", ".svg",  ".bmp", ".tif",
                                     ".tiff", ".avif", NULL};
  for (size_t i = 0; exts[i]; i++)
    if (ends_with_ci(alt, n, exts[i]))
      return EPUB_ALT_POOR;
  if (src) {
    const char *base = strrchr(src, '/');
    base = base ? base + 1 : src;
    size_t bl = strcspn(base, ".?#");
    if (bl && bl == n && strncasecmp(base, alt, n) == 0)
      return EPUB_ALT_POOR;
  }
  /* Words that only say there is a picture. */
  static const char *const empty_words[] = {
      "image",       "img",      "photo", "picture", "graphic",
      "placeholder", "untitled", "alt",   "null",    "spacer",
      "figure",      "icon",     NULL};
  for (size_t i = 0; empty_words[i]; i++)
    if (strlen(empty_words[i]) == n && strncasecmp(alt, empty_words[i], n) == 0)
      return EPUB_ALT_POOR;
  return EPUB_ALT_TEXT;
}

/* ---- The chapter pass -------------------------------------------------------
 */

static bool is_el(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, name) == 0;
}

static bool heading_level(const xmlNode *n, int *level) {
  if (!n || n->type != XML_ELEMENT_NODE)
    return false;
  const char *nm = (const char *)n->name;
  if (nm[0] != 'h' || nm[1] < '1' || nm[1] > '6' || nm[2])
    return false;
  *level = nm[1] - '0';
  return true;
}

static bool has_prop(xmlNode *n, const char *name) {
  return xmlHasProp(n, (const xmlChar *)name) != NULL;
}

static void set_prop(xmlNode *n, const char *name, const char *value) {
  xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

/* Whether `n` gives a screen reader something to say: text that is not
 * white space, or an image with an alternative. */
static bool speaks(xmlNode *n) {
  for (xmlNode *c = n->children; c; c = epub_dom_next(n, c, false)) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content)
      for (const xmlChar *p = c->content; *p; p++)
        if (!isspace(*p))
          return true;
    if (is_el(c, "img")) {
      xmlChar *alt = xmlGetProp(c, (const xmlChar *)"alt");
      bool said = false;
      for (const xmlChar *p = alt; p && *p && !said; p++)
        said = !isspace(*p);
      xmlFree(alt);
      if (said)
        return true;
    }
  }
  return false;
}

void epub_fix_headings(xmlNode *root) {
  /* A heading with nothing to say is no heading; the others go down one
   * level at a time: a level skipped in the source (h2 then h4) is closed
   * up (h2, h3), and what follows keeps its place under it. The first
   * heading of a file keeps its level. */
  struct {
    int orig, eff;
  } stack[8];
  int sp = 0;
  for (xmlNode *n = root->children; n; n = epub_dom_next(root, n, false)) {
    int level;
    if (!heading_level(n, &level))
      continue;
    if (!speaks(n)) {
      xmlNodeSetName(n, (const xmlChar *)"p");
      continue;
    }
    while (sp > 0 && stack[sp - 1].orig >= level)
      sp--;
    int eff = sp > 0 ? stack[sp - 1].eff + 1 : level;
    if (sp > 0 && eff > level)
      eff = level;
    if (eff != level) {
      char name[4] = {'h', (char)('0' + eff), '\0', '\0'};
      xmlNodeSetName(n, (const xmlChar *)name);
    }
    if (sp < 8) {
      stack[sp].orig = level;
      stack[sp].eff = eff;
      sp++;
    }
  }
}

/* The scope of a row's header cells: the cells of a header row (in thead,
 * or a row of header cells only) head columns; a header cell first in a row
 * of data heads that row. One look at the row, however wide. */
static void th_scopes(xmlNode *tr) {
  bool col = tr->parent && is_el(tr->parent, "thead");
  if (!col) {
    col = true;
    for (xmlNode *c = tr->children; c && col; c = c->next)
      if (is_el(c, "td"))
        col = false;
  }
  bool first = true;
  for (xmlNode *c = tr->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (is_el(c, "th") && !has_prop(c, "scope"))
      set_prop(c, "scope", col || !first ? "col" : "row");
    first = false;
  }
}

/* A link that shows nothing to read: named after its title, else after its
 * address; a link that shows nothing at all is no link. */
static void name_link(xmlNode *a) {
  if (speaks(a) || has_prop(a, "aria-label"))
    return;
  bool shows = false;
  for (xmlNode *c = a->children; c && !shows; c = epub_dom_next(a, c, false))
    shows = is_el(c, "img");
  if (!shows) {
    xmlUnsetProp(a, (const xmlChar *)"href");
    return;
  }
  xmlChar *label = xmlGetProp(a, (const xmlChar *)"title");
  if (!label || !*label) {
    xmlFree(label);
    label = xmlGetProp(a, (const xmlChar *)"href");
  }
  const char *s = label ? (const char *)label : "";
  const char *colon = strstr(s, "://");
  if (colon)
    s = colon + 3;
  else if (!strncasecmp(s, "mailto:", 7) || !strncasecmp(s, "tel:", 4))
    s = strchr(s, ':') + 1;
  set_prop(a, "aria-label", s);
  xmlFree(label);
}

void epub_a11y_chapter(writer *w, size_t ci) {
  xmlNode *root = w->ch[ci].body;
  for (xmlNode *n = root->children; n; n = epub_dom_next(root, n, false)) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *el = (const char *)n->name;
    if (!strcmp(el, "img")) {
      xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");
      xmlChar *src = xmlGetProp(n, (const xmlChar *)"galley-src");
      int kind = epub_alt_kind((const char *)alt, (const char *)src);
      xmlFree(alt);
      xmlFree(src);
      xmlUnsetProp(n, (const xmlChar *)"galley-src");
      w->a11y.images++;
      /* The tree keeps an image's alt text as its children: an empty alt
       * and none at all read the same, so neither counts as described. */
      if (kind == EPUB_ALT_MISSING || kind == EPUB_ALT_DECORATIVE) {
        w->a11y.missing++;
        set_prop(n, "alt", "");
      } else if (kind == EPUB_ALT_POOR) {
        w->a11y.poor++;
      } else {
        w->a11y.described++;
      }
      /* alt="" says decorative: assistive technology skips it. */
      if ((kind == EPUB_ALT_MISSING || kind == EPUB_ALT_DECORATIVE) &&
          !has_prop(n, "role"))
        set_prop(n, "role", "presentation");
    } else if (!strcmp(el, "tr")) {
      th_scopes(n);
    } else if (!strcmp(el, "table")) {
      w->a11y.tables++;
    }
  }
  /* Links last: their images have their final alt text now. */
  for (xmlNode *n = root->children; n; n = epub_dom_next(root, n, false))
    if (is_el(n, "a") && has_prop(n, "href"))
      name_link(n);
  if (w->ch[ci].n_heads)
    w->a11y.headings = true;
}

/* ---- Package metadata
 * ---------------------------------------------------------
 */

static void meta_prop(galley_buf *b, const char *prop, const char *value) {
  galley_buf_printf(b, "<meta property=\"%s\">", prop);
  epub_escape(b, value);
  galley_buf_puts(b, "</meta>\n");
}

/* Writes the document's own values for `key` as `prop`; false when it has
 * none. */
static bool meta_from_doc(galley_buf *b, const galley_doc *d, const char *key,
                          const char *prop, bool split) {
  bool any = false;
  for (size_t i = 0; i < galley_doc_meta_size(d); i++) {
    const char *k, *v;
    if (!galley_doc_meta_entry(d, i, &k, &v) || !v || strcmp(k, key) != 0)
      continue;
    char *copy = strdup(v);
    if (!copy) {
      b->failed = true;
      return true;
    }
    char *p = copy;
    while (p) {
      char *comma = split ? strchr(p, ',') : NULL;
      if (comma)
        *comma = '\0';
      char *t = epub_collapse(p);
      if (t && *t) {
        meta_prop(b, prop, t);
        any = true;
      } else if (!t) {
        b->failed = true;
      }
      free(t);
      p = comma ? comma + 1 : NULL;
    }
    free(copy);
  }
  return any;
}

bool epub_a11y_conforms(const writer *w) {
  const epub_a11y *a = &w->a11y;
  return a->missing == 0 && a->poor == 0 && strcmp(w->lang, "und") != 0 &&
         !w->css;
}

void epub_a11y_warn(writer *w) {
  const epub_a11y *a = &w->a11y;
  size_t lacking = a->missing + a->poor;
  if (lacking)
    galley_job_warn(w->job,
                    "%zu of %zu image%s %s no text alternative (%zu empty "
                    "or none, %zu only a file name or a word like "
                    "\"image\"); the book does not claim that text alone "
                    "suffices, nor conformance",
                    lacking, a->images, a->images == 1 ? "" : "s",
                    lacking == 1 ? "has" : "have", a->missing, a->poor);
}

static void summary(const writer *w, galley_buf *b) {
  const epub_a11y *a = &w->a11y;
  galley_buf_puts(b, "This publication ");
  if (epub_a11y_conforms(w))
    galley_buf_puts(b, "meets EPUB Accessibility 1.1 and WCAG 2.1 Level AA "
                       "as far as galley checks it (an automated conversion, "
                       "not reviewed by a person). It ");
  galley_buf_puts(b, "has a table of contents");
  galley_buf_puts(b, a->headings ? ", headings that give its structure" : "");
  galley_buf_puts(b, " and one reading order");
  if (!w->css)
    galley_buf_puts(b, "; its text can be resized and restyled");
  galley_buf_puts(b, ".");
  size_t lacking = a->missing + a->poor;
  if (a->images == 0 && w->cover < 0)
    galley_buf_puts(b, " It has no images.");
  else if (lacking == 0)
    galley_buf_puts(b, " Every image has a text alternative.");
  else
    galley_buf_printf(b,
                      " %zu of its %zu image%s %s no meaningful text "
                      "alternative (those without any are marked "
                      "decorative).",
                      lacking, a->images, a->images == 1 ? "" : "s",
                      lacking == 1 ? "has" : "have");
  if (!strcmp(w->lang, "und"))
    galley_buf_puts(b, " Its language is not known.");
  if (w->css)
    galley_buf_puts(b, " It uses a stylesheet galley did not check.");
  galley_buf_puts(b, " No hazards are known.");
}

void epub_a11y_metadata(const writer *w, galley_buf *b) {
  const galley_doc *d = w->src;
  const epub_a11y *a = &w->a11y;
  bool visual = w->n_res > 0;
  bool textual_enough = a->missing == 0 && a->poor == 0;
  if (!meta_from_doc(b, d, "accessMode", "schema:accessMode", true)) {
    meta_prop(b, "schema:accessMode", "textual");
    if (visual)
      meta_prop(b, "schema:accessMode", "visual");
  }
  if (!meta_from_doc(b, d, "accessModeSufficient",
                     "schema:accessModeSufficient", false)) {
    if (textual_enough)
      meta_prop(b, "schema:accessModeSufficient", "textual");
    if (visual)
      meta_prop(b, "schema:accessModeSufficient", "textual,visual");
  }
  if (!meta_from_doc(b, d, "accessibilityFeature",
                     "schema:accessibilityFeature", true)) {
    meta_prop(b, "schema:accessibilityFeature", "tableOfContents");
    meta_prop(b, "schema:accessibilityFeature", "readingOrder");
    if (a->headings)
      meta_prop(b, "schema:accessibilityFeature", "structuralNavigation");
    if (a->described)
      meta_prop(b, "schema:accessibilityFeature", "alternativeText");
    if (!w->css)
      meta_prop(b, "schema:accessibilityFeature", "displayTransformability");
  }
  if (!meta_from_doc(b, d, "accessibilityHazard", "schema:accessibilityHazard",
                     true))
    meta_prop(b, "schema:accessibilityHazard", "none");
  if (!meta_from_doc(b, d, "accessibilitySummary",
                     "schema:accessibilitySummary", false)) {
    const char *opt = galley_job_option(w->job, "a11y-summary");
    if (opt && *opt) {
      meta_prop(b, "schema:accessibilitySummary", opt);
    } else {
      galley_buf s;
      galley_buf_init(&s);
      summary(w, &s);
      if (s.failed || !s.data)
        b->failed = true;
      else
        meta_prop(b, "schema:accessibilitySummary", s.data);
      galley_buf_free(&s);
    }
  }
  if (!meta_from_doc(b, d, "conformsTo", "dcterms:conformsTo", false) &&
      epub_a11y_conforms(w))
    meta_prop(b, "dcterms:conformsTo",
              "EPUB Accessibility 1.1 - WCAG 2.1 Level AA");
}
