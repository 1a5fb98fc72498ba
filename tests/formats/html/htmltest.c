/* Helpers for the html format's tests. */
#include "htmltest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "testutil.h"

galley_doc *ht_read(const char *src, size_t len, const char *const *opts,
                    char **err) {
  galley_registry *reg = tu_registry();
  const galley_plugin *html = galley_registry_find(reg, "html");
  if (err)
    *err = NULL;
  if (!html) {
    if (err)
      *err = strdup("no html plugin");
    return NULL;
  }
  galley_job *job = galley_job_new(reg);
  for (size_t i = 0; opts && opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    char key[128];
    size_t k = eq ? (size_t)(eq - opts[i]) : strlen(opts[i]);
    if (k >= sizeof key)
      k = sizeof key - 1;
    memcpy(key, opts[i], k);
    key[k] = 0;
    galley_job_set_option(job, key, eq ? eq + 1 : "true");
  }
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)src, len, "input", NULL};
  int rc = galley_job_build(job, &in, html, NULL, 0, doc);
  if (rc != GALLEY_OK) {
    if (err) {
      const char *m = galley_job_errmsg(job);
      *err = strdup(m ? m : galley_strerror(rc));
    }
    galley_doc_free(doc);
    doc = NULL;
  }
  galley_job_free(job);
  return doc;
}

static void add_word(ht_words *w, const char *s, size_t n) {
  if (w->n == w->cap) {
    w->cap = w->cap ? w->cap * 2 : 256;
    w->v = realloc(w->v, w->cap * sizeof *w->v);
  }
  w->v[w->n++] = strndup(s, n);
}

static bool is_sp(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Elements whose content a browser does not show. */
static bool invisible(const xmlNode *el) {
  static const char *const names[] = {
      "script",   "style",  "noscript", "template", "head",     "title",
      "iframe",   "object", "embed",    "svg",      "canvas",   "video",
      "audio",    "select", "textarea", "button",   "option",   "optgroup",
      "input",    "map",    "frameset", "noframes", "noembed",  "applet",
      "datalist", "param",  "source",   "track",    "progress", "math",
      "area",     "col",    "colgroup", NULL};
  for (size_t i = 0; names[i]; i++)
    if (!strcmp((const char *)el->name, names[i]))
      return true;
  for (const xmlAttr *a = el->properties; a; a = a->next) {
    if (!strcasecmp((const char *)a->name, "hidden"))
      return true;
    if (!strcasecmp((const char *)a->name, "style") && a->children &&
        a->children->content) {
      char buf[256];
      size_t k = 0;
      for (const xmlChar *p = a->children->content; *p && k + 1 < sizeof buf;
           p++)
        if (!is_sp(*p))
          buf[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
      buf[k] = 0;
      if (strstr(buf, "display:none") || strstr(buf, "visibility:hidden"))
        return true;
    }
  }
  return false;
}

static bool local_link(const xmlNode *a) {
  if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "a"))
    return false;
  for (const xmlAttr *p = a->properties; p; p = p->next)
    if (!strcasecmp((const char *)p->name, "href") && p->children &&
        p->children->content && p->children->content[0] == '#')
      return true;
  return false;
}

/* A note's mark and its way back, which every writer shows its own way (a
 * page's "[6]" is galley's "6", renumbered; "^" or "\u21a9" goes): a <sup>
 * holding one link inside the page and nothing else, and a link inside the
 * page that says "^", "\u21a9" or "\u2191". Left out of the words. */
static bool note_mark(const xmlNode *el) {
  if (!strcmp((const char *)el->name, "sup")) {
    const xmlNode *only = NULL;
    for (const xmlNode *c = el->children; c; c = c->next) {
      if (c->type == XML_TEXT_NODE && c->content &&
          strspn((const char *)c->content, " \t\r\n") ==
              strlen((const char *)c->content))
        continue;
      if (only)
        return false;
      only = c;
    }
    return only && local_link(only);
  }
  if (!local_link(el) || !el->children || el->children->next ||
      el->children->type != XML_TEXT_NODE || !el->children->content)
    return false;
  const char *t = (const char *)el->children->content;
  return !strcmp(t, "^") || !strcmp(t, "\xE2\x86\xA9") ||
         !strcmp(t, "\xE2\x86\xA9\xEF\xB8\x8E") || !strcmp(t, "\xE2\x86\x91");
}

static bool breaks_words(const xmlNode *el) {
  static const char *const names[] = {
      "p",       "div",        "h1",       "h2",      "h3",         "h4",
      "h5",      "h6",         "li",       "ul",      "ol",         "dl",
      "dt",      "dd",         "table",    "tr",      "td",         "th",
      "caption", "thead",      "tbody",    "tfoot",   "br",         "hr",
      "pre",     "blockquote", "section",  "article", "aside",      "nav",
      "header",  "footer",     "main",     "figure",  "figcaption", "address",
      "center",  "form",       "fieldset", "legend",  "details",    "summary",
      "body",    "html",       "img",      "hgroup",  "menu",       "dir",
      "listing", "xmp",        "dialog",   "marquee", "search",     NULL};
  for (size_t i = 0; names[i]; i++)
    if (!strcmp((const char *)el->name, names[i]))
      return true;
  return false;
}

typedef struct buf {
  char *s;
  size_t n, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t k) {
  if (b->n + k + 1 > b->cap) {
    while (b->n + k + 1 > b->cap)
      b->cap = b->cap ? b->cap * 2 : 4096;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->n, s, k);
  b->n += k;
}

void ht_visible_words(const char *html, size_t len, ht_words *out) {
  memset(out, 0, sizeof *out);
  int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
             HTML_PARSE_NOWARNING | XML_PARSE_HUGE;
  xmlDoc *d = htmlReadMemory(html, (int)len, NULL, NULL, opts);
  if (!d)
    return;
  buf t = {0};
  xmlNode *c = d->children;
  while (c) {
    bool descend = false;
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content)
        buf_add(&t, (const char *)c->content, strlen((char *)c->content));
    } else if (c->type == XML_ELEMENT_NODE && !invisible(c) &&
               !note_mark(c)) {
      descend = true;
      if (breaks_words(c))
        buf_add(&t, " ", 1);
      /* Browsers show <q> with quotation marks. */
      if (!strcmp((const char *)c->name, "q"))
        buf_add(&t, c->children ? "\xE2\x80\x9C" : "\xE2\x80\x9C\xE2\x80\x9D",
                c->children ? 3 : 6);
    }
    if (descend && c->children) {
      c = c->children;
      continue;
    }
    /* Leave finished elements, marking the end of each block. */
    while (!c->next && c->parent && c->parent != (xmlNode *)d) {
      c = c->parent;
      if (breaks_words(c))
        buf_add(&t, " ", 1);
      if (!strcmp((const char *)c->name, "q"))
        buf_add(&t, "\xE2\x80\x9D", 3);
    }
    c = c->next;
  }
  xmlFreeDoc(d);
  size_t i = 0;
  while (i < t.n) {
    while (i < t.n && is_sp((unsigned char)t.s[i]))
      i++;
    size_t s = i;
    while (i < t.n && !is_sp((unsigned char)t.s[i]))
      i++;
    if (i > s)
      add_word(out, t.s + s, i - s);
  }
  free(t.s);
}

void ht_words_free(ht_words *w) {
  for (size_t i = 0; i < w->n; i++)
    free(w->v[i]);
  free(w->v);
  memset(w, 0, sizeof *w);
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ht_missing_words(ht_words *in, ht_words *out, char *sample, size_t cap) {
  qsort(in->v, in->n, sizeof *in->v, cmp);
  qsort(out->v, out->n, sizeof *out->v, cmp);
  size_t i = 0, j = 0, missing = 0, used = 0;
  if (cap)
    sample[0] = 0;
  while (i < in->n) {
    int c = j < out->n ? strcmp(in->v[i], out->v[j]) : -1;
    if (c == 0) {
      i++;
      j++;
    } else if (c > 0) {
      j++;
    } else {
      missing++;
      size_t k = strlen(in->v[i]);
      if (used + k + 2 < cap) {
        memcpy(sample + used, in->v[i], k);
        used += k;
        sample[used++] = ' ';
        sample[used] = 0;
      }
      i++;
    }
  }
  return missing;
}
