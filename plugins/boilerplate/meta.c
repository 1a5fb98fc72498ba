/* Metadata the page shows but its head may not say: visible bylines, date
 * lines, the headline, and an excerpt. Never replaces a value already set
 * (the reader's meta tags and JSON-LD, or the user's -M). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boilerplate.h"

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static int month_of(const char *w, size_t n) {
  if (n < 3)
    return 0;
  for (int m = 0; m < 12; m++)
    if (strncasecmp(w, months[m], 3) == 0)
      return m + 1;
  return 0;
}

bool bp_parse_date(const char *s, char *out, size_t outlen) {
  if (!s || outlen < 32)
    return false;
  while (*s && isspace((unsigned char)*s))
    s++;
  /* ISO 8601 already: keep the date and, when given, the time. */
  if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
      isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
      s[4] == '-' && isdigit((unsigned char)s[5]) &&
      isdigit((unsigned char)s[6]) && s[7] == '-' &&
      isdigit((unsigned char)s[8]) && isdigit((unsigned char)s[9])) {
    size_t n = 10;
    if (s[10] == 'T')
      while (s[n] && !isspace((unsigned char)s[n]) && n < 31)
        n++;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
  }
  int year = 0, month = 0, day = 0, words = 0;
  const char *p = s;
  while (*p) {
    while (*p && !isalnum((unsigned char)*p))
      p++;
    const char *w = p;
    while (*p && isalnum((unsigned char)*p))
      p++;
    size_t n = (size_t)(p - w);
    if (n == 0)
      break;
    if (++words > 12)
      return false;
    if (isdigit((unsigned char)w[0])) {
      int v = atoi(w);
      if (n == 4 && v >= 1900 && v <= 2100 && !year)
        year = v;
      else if (n <= 2 && v >= 1 && v <= 31 && !day && *p != ':' &&
               !(w > s && w[-1] == ':'))
        day = v;
      else if (n >= 3 && n <= 4 && isalpha((unsigned char)w[n - 1]) && !day)
        day = v; /* 19th, 1st */
    } else if (!month) {
      month = month_of(w, n);
    }
  }
  if (!year || !month || !day)
    return false;
  snprintf(out, outlen, "%04d-%02d-%02d", year, month, day);
  return true;
}

bool bp_byline_names(const char *s, const char **names, size_t *len) {
  while (*s && isspace((unsigned char)*s))
    s++;
  if (strncasecmp(s, "by ", 3) != 0 && strncasecmp(s, "by:", 3) != 0)
    return false;
  s += 3;
  while (*s && (isspace((unsigned char)*s) || *s == ':'))
    s++;
  if (!isupper((unsigned char)*s) && !((unsigned char)*s & 0x80))
    return false;
  const char *e = s;
  int words = 0;
  bool inword = false;
  for (; *e; e++) {
    if (*e == '|' || *e == ',' || *e == '\n' ||
        (*e == ' ' && (e[1] == '-' || e[1] == '|')))
      break;
    if (isspace((unsigned char)*e))
      inword = false;
    else if (!inword) {
      inword = true;
      words++;
    }
  }
  while (e > s && isspace((unsigned char)e[-1]))
    e--;
  if (words == 0 || words > 8)
    return false;
  *names = s;
  *len = (size_t)(e - s);
  return true;
}

static bool sig_has(const char *sig, const char *word) {
  return sig && strstr(sig, word) != NULL;
}

/* Reads bylines and dates from the page before anything is dropped. */
int bp_meta_collect(bp_ctx *c) {
  galley_doc *doc = c->doc;
  bool want_author = galley_doc_meta_count(doc, GALLEY_META_AUTHOR) == 0;
  bool want_date = galley_doc_get_meta(doc, GALLEY_META_DATE) == NULL;
  const char *author = NULL, *date = NULL;
  /* Records are in document order; the first byline and date win. */
  for (size_t i = 1; i < c->n && (want_author || want_date); i++) {
    const bp_rec *r = &c->rec[i];
    galley_node *n = r->node;
    galley_kind k = r->kind;
    if (galley_kind_is_leaf(k) || r->text > 100 || r->text == 0)
      continue;
    const char *sig = bp_node_signature(doc, n);
    const char *dt = galley_node_get_attr(n, "datetime");
    char buf[64];
    if (want_date && !date && dt && bp_parse_date(dt, buf, sizeof buf))
      date = galley_doc_strndup(doc, buf, (size_t)-1);
    const char *rel = galley_node_get_attr(n, "rel");
    bool by = sig_has(sig, "byline") || sig_has(sig, "author") ||
              (rel && strcmp(rel, "author") == 0);
    bool dl = sig_has(sig, "date") || sig_has(sig, "time") ||
              sig_has(sig, "published");
    bool para = k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_SPAN ||
                k == GALLEY_NODE_DIV || k == GALLEY_NODE_LINK;
    if (!para || (!by && !dl && k != GALLEY_NODE_PARAGRAPH))
      continue;
    char *t = bp_node_text(doc, n);
    if (!t || !*t)
      continue;
    const char *names;
    size_t nlen;
    if (want_author && !author) {
      if (bp_byline_names(t, &names, &nlen))
        author = galley_doc_strndup(doc, names, nlen);
      else if (by && k != GALLEY_NODE_PARAGRAPH && bp_utf8_len(t) < 60 &&
               !bp_parse_date(t, buf, sizeof buf) && !strchr(t, '@'))
        author = t;
    }
    if (want_date && !date && (dl || k == GALLEY_NODE_PARAGRAPH) &&
        bp_parse_date(t, buf, sizeof buf))
      date = galley_doc_strndup(doc, buf, (size_t)-1);
  }
  if (author && want_author)
    galley_doc_add_meta(doc, GALLEY_META_AUTHOR, author);
  if (date && want_date)
    galley_doc_set_meta(doc, GALLEY_META_DATE, date);
  return GALLEY_OK;
}
