/* The structural normal form (rules in mdstruct.h). */
#include "mdstruct.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void push(mds *m, char *t) {
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 64;
    m->tok = realloc(m->tok, m->cap * sizeof *m->tok);
  }
  m->tok[m->n++] = t;
}

static char *cat2(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  return s;
}

static char *pct_decode(const char *v) {
  size_t n = strlen(v);
  char *o = malloc(n + 1), *w = o;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (v[i] == '%' && i + 2 < n &&
        sscanf(v + i + 1, "%1x%1x", (unsigned *)&hi, (unsigned *)&lo) == 2) {
      *w++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *w++ = v[i];
    }
  }
  *w = 0;
  return o;
}

static bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static const char *canon(const char *n) {
  static const char *same[] = {
      "h1",     "h2",         "h3",    "h4",  "h5", "h6",  "ul",   "ol",
      "li",     "blockquote", "table", "tr",  "td", "pre", "code", "em",
      "strong", "del",        "a",     "img", "br", "hr",  NULL};
  for (size_t i = 0; same[i]; i++)
    if (!strcasecmp(n, same[i]))
      return same[i];
  if (!strcasecmp(n, "th"))
    return "td";
  if (!strcasecmp(n, "i"))
    return "em";
  if (!strcasecmp(n, "b"))
    return "strong";
  if (!strcasecmp(n, "s") || !strcasecmp(n, "strike"))
    return "del";
  return NULL;
}

static bool is_boundary(const char *n) {
  static const char *b[] = {
      "p",      "div",   "section", "article", "header",     "footer",
      "nav",    "aside", "main",    "figure",  "figcaption", "dl",
      "dt",     "dd",    "address", "caption", "details",    "summary",
      "center", "body",  "html",    "form",    "fieldset",   NULL};
  for (size_t i = 0; b[i]; i++)
    if (!strcasecmp(n, b[i]))
      return true;
  return false;
}

static bool is_dropped(const char *n) {
  return !strcasecmp(n, "script") || !strcasecmp(n, "style") ||
         !strcasecmp(n, "head") || !strcasecmp(n, "title") ||
         !strcasecmp(n, "template") || !strcasecmp(n, "noscript");
}

static void text_tok(mds *m, const char *s, bool pre) {
  size_t n = strlen(s);
  char *t = malloc(n + 3), *w = t;
  *w++ = 'T';
  *w++ = ' ';
  for (size_t i = 0; i < n; i++) {
    if (!pre && (unsigned char)s[i] == 0xc2 &&
        (unsigned char)s[i + 1] == 0xa0) {
      *w++ = ' '; /* a no-break space is a space here */
      i++;
      continue;
    }
    if (!pre && is_ws(s[i])) {
      while (i + 1 < n && is_ws(s[i + 1]))
        i++;
      *w++ = ' ';
    } else {
      *w++ = s[i];
    }
  }
  *w = 0;
  push(m, t);
}

static void walk(mds *m, xmlNode *node, bool pre);
static void element(mds *m, xmlNode *e, bool pre);

static bool is_cell(xmlNode *n) {
  return n->type == XML_ELEMENT_NODE &&
         (!strcasecmp((const char *)n->name, "td") ||
          !strcasecmp((const char *)n->name, "th"));
}

/* A table or row group's children; cells outside a row get one, as an
 * HTML5 parser would give them. */
static void row_group(mds *m, xmlNode *e) {
  bool open = false;
  for (xmlNode *n = e->children; n; n = n->next) {
    if (is_cell(n) && !open) {
      push(m, strdup("<tr"));
      open = true;
    } else if (!is_cell(n) && n->type == XML_ELEMENT_NODE && open) {
      push(m, strdup("</tr"));
      open = false;
    }
    if (n->type == XML_ELEMENT_NODE)
      element(m, n, false);
  }
  if (open)
    push(m, strdup("</tr"));
}

static void element(mds *m, xmlNode *e, bool pre) {
  const char *name = (const char *)e->name;
  if (is_dropped(name))
    return;
  if (!strcasecmp(name, "input")) {
    xmlChar *type = xmlGetProp(e, BAD_CAST "type");
    if (type && !strcasecmp((char *)type, "checkbox"))
      push(m, strdup(xmlHasProp(e, BAD_CAST "checked") ? "[x]" : "[ ]"));
    xmlFree(type);
    return;
  }
  const char *c = canon(name);
  if (!strcasecmp(name, "thead") || !strcasecmp(name, "tbody") ||
      !strcasecmp(name, "tfoot")) {
    row_group(m, e);
    return;
  }
  if (c && !strcmp(c, "table")) {
    push(m, strdup("<table"));
    row_group(m, e);
    push(m, strdup("</table"));
    return;
  }
  if (!c) {
    bool b = is_boundary(name);
    if (b)
      push(m, strdup("|"));
    walk(m, e->children, pre);
    if (b)
      push(m, strdup("|"));
    return;
  }
  if (!strcmp(c, "code") && pre) {
    walk(m, e->children, pre);
    return;
  }
  if (!strcmp(c, "br") || !strcmp(c, "hr")) {
    push(m, cat2("<", c));
    return;
  }
  if (!strcmp(c, "img")) {
    xmlChar *src = xmlGetProp(e, BAD_CAST "src");
    xmlChar *alt = xmlGetProp(e, BAD_CAST "alt");
    char *d = pct_decode(src ? (char *)src : "");
    size_t len = strlen(d) + (alt ? strlen((char *)alt) : 0) + 32;
    char *t = malloc(len);
    snprintf(t, len, "<img src=%s alt=%s", d, alt ? (char *)alt : "");
    /* whitespace in alt collapses as text does */
    char *w = t;
    for (char *p = t; *p; p++) {
      if (is_ws(*p) && w > t && w[-1] == ' ')
        continue;
      *w++ = is_ws(*p) ? ' ' : *p;
    }
    *w = 0;
    if (src && *src) /* no source, nothing to see */
      push(m, t);
    else
      free(t);
    free(d);
    xmlFree(src);
    xmlFree(alt);
    return;
  }
  if (!strcmp(c, "a")) {
    xmlChar *href = xmlGetProp(e, BAD_CAST "href");
    if (!href) { /* an anchor without a target is no link */
      walk(m, e->children, pre);
      return;
    }
    char *d = pct_decode((char *)href);
    push(m, cat2("<a href=", d));
    free(d);
    xmlFree(href);
    walk(m, e->children, pre);
    push(m, strdup("</a"));
    return;
  }
  push(m, cat2("<", c));
  if (!strcmp(c, "pre")) {
    size_t at = m->n;
    walk(m, e->children, true);
    /* one text token for the block, less one final newline */
    size_t len = 0;
    for (size_t i = at; i < m->n; i++)
      if (m->tok[i][0] == 'T')
        len += strlen(m->tok[i] + 2);
    char *t = malloc(len + 3), *w = t;
    *w++ = 'T';
    *w++ = ' ';
    for (size_t i = at; i < m->n; i++) {
      if (m->tok[i][0] == 'T') {
        size_t l = strlen(m->tok[i] + 2);
        memcpy(w, m->tok[i] + 2, l);
        w += l;
      }
      free(m->tok[i]);
    }
    *w = 0;
    if (w > t + 2 && w[-1] == '\n')
      w[-1] = 0;
    m->n = at;
    if (t[2])
      push(m, t);
    else
      free(t);
    push(m, strdup("</pre"));
    return;
  }
  walk(m, e->children, pre);
  push(m, cat2("</", c));
}

static void walk(mds *m, xmlNode *node, bool pre) {
  for (xmlNode *n = node; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content && *n->content)
        text_tok(m, (const char *)n->content, pre);
    } else if (n->type == XML_ELEMENT_NODE) {
      element(m, n, pre);
    }
  }
}

static bool is_inline(const char *t) {
  const char *k = t[0] == '<' && t[1] == '/' ? t + 2 : t + 1;
  if (t[0] != '<')
    return false;
  return !strcmp(k, "em") || !strcmp(k, "strong") || !strcmp(k, "del") ||
         !strcmp(k, "code") ||
         (!strncmp(k, "a", 1) && (k[1] == 0 || k[1] == ' '));
}
static bool is_open(const char *t) { return t[0] == '<' && t[1] != '/'; }
static bool is_text(const char *t) { return t[0] == 'T'; }

static void del_at(mds *m, size_t i) {
  free(m->tok[i]);
  memmove(m->tok + i, m->tok + i + 1, (m->n - i - 1) * sizeof *m->tok);
  m->n--;
}
static void ins_at(mds *m, size_t i, char *t) {
  push(m, NULL);
  memmove(m->tok + i + 1, m->tok + i, (m->n - i - 1) * sizeof *m->tok);
  m->tok[i] = t;
}

/* Merges adjacent text; returns true if anything changed. */
static bool merge_text(mds *m) {
  bool ch = false;
  for (size_t i = 0; i + 1 < m->n; i++) {
    if (is_text(m->tok[i]) && is_text(m->tok[i + 1])) {
      char *s = cat2(m->tok[i], m->tok[i + 1] + 2);
      free(m->tok[i]);
      m->tok[i] = s;
      del_at(m, i + 1);
      i--;
      ch = true;
    }
  }
  /* collapse double spaces created by merging (not in pre: pre text is one
   * token already and never merges with a neighbour outside) */
  return ch;
}

static void collapse_spaces(char *t) {
  char *w = t + 2;
  for (char *r = t + 2; *r; r++) {
    if (*r == ' ' && w > t + 2 && w[-1] == ' ')
      continue;
    *w++ = *r;
  }
  *w = 0;
}

static bool in_pre_at(const mds *m, size_t i) {
  return i > 0 && !strcmp(m->tok[i - 1], "<pre");
}

/* Is there text, an image or a checkbox from token i on in direction dir
 * before anything that is not an inline element's open or close? */
static bool content_beside(const mds *m, size_t i, int dir) {
  for (long k = (long)i + dir; k >= 0 && (size_t)k < m->n; k += dir) {
    const char *t = m->tok[k];
    if (is_text(t) || !strncmp(t, "<img", 4) || t[0] == '[')
      return true;
    if (!is_inline(t))
      return false;
  }
  return false;
}

static void finish(mds *m) {
  bool changed = true;
  while (changed) {
    changed = merge_text(m);
    for (size_t i = 0; i < m->n; i++) {
      char *t = m->tok[i];
      if (is_text(t) && !in_pre_at(m, i)) {
        collapse_spaces(t);
        /* trim next to anything that is not an inline token */
        bool left =
            i == 0 || (!is_inline(m->tok[i - 1]) && !is_text(m->tok[i - 1]));
        bool right = i + 1 == m->n ||
                     (!is_inline(m->tok[i + 1]) && !is_text(m->tok[i + 1]));
        if (i > 0 && !strcmp(m->tok[i - 1], "<br"))
          left = true;
        if (i + 1 < m->n && !strcmp(m->tok[i + 1], "<br"))
          right = true;
        size_t len = strlen(t);
        if (right && len > 2 && t[len - 1] == ' ') {
          t[--len] = 0;
          changed = true;
        }
        if (left && t[2] == ' ') {
          memmove(t + 2, t + 3, len - 2);
          changed = true;
        }
        if (!t[2]) {
          del_at(m, i--);
          changed = true;
          continue;
        }
        /* spaces at an inline element's edge move outside it */
        if (i > 0 && is_inline(m->tok[i - 1]) && is_open(m->tok[i - 1]) &&
            t[2] == ' ') {
          memmove(t + 2, t + 3, strlen(t + 3) + 1);
          ins_at(m, i - 1, strdup("T  "));
          changed = true;
          continue;
        }
        len = strlen(t);
        if (i + 1 < m->n && is_inline(m->tok[i + 1]) &&
            !is_open(m->tok[i + 1]) && len > 2 && t[len - 1] == ' ') {
          t[len - 1] = 0;
          ins_at(m, i + 2, strdup("T  "));
          changed = true;
          continue;
        }
      }
    }
    for (size_t i = 0; i + 1 < m->n; i++) {
      const char *a = m->tok[i], *b = m->tok[i + 1];
      /* empty em/strong/del/code */
      if (is_open(a) && is_inline(a) && strncmp(a, "<a", 2) && b[0] == '<' &&
          b[1] == '/' && !strcmp(a + 1, b + 2)) {
        del_at(m, i);
        del_at(m, i);
        changed = true;
        i = i > 0 ? i - 1 : 0;
        continue;
      }
      /* </em><em> merges */
      if (a[0] == '<' && a[1] == '/' && is_inline(a) && strcmp(a, "</a") &&
          is_open(b) && !strcmp(a + 2, b + 1)) {
        del_at(m, i);
        del_at(m, i);
        changed = true;
        continue;
      }
    }
    for (size_t i = 0; i + 1 < m->n; i++)
      if (!strcmp(m->tok[i], "<tr") && !strcmp(m->tok[i + 1], "</tr")) {
        del_at(m, i);
        del_at(m, i);
        changed = true;
      }
    /* br first or last in its block; boundaries collapse */
    for (size_t i = 0; i < m->n; i++) {
      const char *t = m->tok[i];
      bool bound_prev =
          i == 0 || (!is_text(m->tok[i - 1]) && !is_inline(m->tok[i - 1]) &&
                     strncmp(m->tok[i - 1], "<img", 4));
      if (!strcmp(t, "<br") &&
          (!content_beside(m, i, -1) || !content_beside(m, i, 1))) {
        del_at(m, i--);
        changed = true;
      } else if (!strcmp(t, "|") &&
                 (i == 0 || !strcmp(m->tok[i - 1], "|") || bound_prev)) {
        /* a boundary only matters between two runs of inline content */
        del_at(m, i--);
        changed = true;
      }
    }
  }
  /* trailing boundaries and boundaries before block tokens */
  for (size_t i = 0; i < m->n; i++)
    if (!strcmp(m->tok[i], "|") &&
        (i + 1 == m->n ||
         (!is_text(m->tok[i + 1]) && !is_inline(m->tok[i + 1]) &&
          strncmp(m->tok[i + 1], "<img", 4) && strcmp(m->tok[i + 1], "<br") &&
          strncmp(m->tok[i + 1], "[", 1))))
      del_at(m, i--);
}

void mds_of_node(mds *out, xmlNode *node, int self) {
  if (self)
    element(out, node, false);
  else
    walk(out, node->children, false);
  finish(out);
}

void mds_of_html(mds *out, const char *html) {
  htmlDocPtr d = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET);
  if (!d)
    return;
  for (xmlNode *n = d->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      element(out, n, false);
    else if (n->type == XML_TEXT_NODE)
      text_tok(out, (const char *)n->content, false);
  finish(out);
  xmlFreeDoc(d);
}

long mds_diff(const mds *a, const mds *b) {
  size_t i = 0;
  for (; i < a->n && i < b->n; i++)
    if (strcmp(a->tok[i], b->tok[i]))
      return (long)i;
  return a->n == b->n ? -1 : (long)i;
}

const char *mds_at(const mds *m, size_t i) {
  return i < m->n ? m->tok[i] : "(end)";
}

void mds_free(mds *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->tok[i]);
  free(m->tok);
  m->tok = NULL;
  m->n = m->cap = 0;
}
