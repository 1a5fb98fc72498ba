/* Metadata the page shows but its head may not say: visible bylines, date
 * lines, the headline, and an excerpt. Never replaces a value already set
 * (the reader's meta tags and JSON-LD, or the user's -M). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boilerplate.h"

/* Month names, English first; then Spanish, Portuguese, French, German,
 * Italian and Dutch, whose dates pages write in words as often. */
static const char *const months[][12] = {
    {"january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"},
    {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
     "septiembre", "octubre", "noviembre", "diciembre"},
    {"janeiro", "fevereiro", "mar\xc3\xa7o", "abril", "maio", "junho", "julho",
     "agosto", "setembro", "outubro", "novembro", "dezembro"},
    {"janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin", "juillet",
     "ao\xc3\xbbt", "septembre", "octobre", "novembre",
     "d\xc3\xa9"
     "cembre"},
    {"januar", "februar", "m\xc3\xa4rz", "april", "mai", "juni", "juli",
     "august", "september", "oktober", "november", "dezember"},
    {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
     "agosto", "settembre", "ottobre", "novembre", "dicembre"},
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
     "september", "oktober", "november", "december"},
};

/* 1-12 when the word is a month's name or its abbreviation of three or
 * more letters ("Sep", "Sept", "September"), else 0. "Mary" and "Marine"
 * are not months. Other languages count only as whole names. */
static int month_of(const char *w, size_t n) {
  if (n < 3)
    return 0;
  for (size_t l = 0; l < sizeof months / sizeof *months; l++)
    for (int m = 0; m < 12; m++) {
      size_t len = strlen(months[l][m]);
      if (l == 0 ? (n <= len && strncasecmp(w, months[l][m], n) == 0)
                 : (n == len && strncasecmp(w, months[l][m], n) == 0))
        return m + 1;
    }
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
    while (*p && !isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
      p++;
    const char *w = p;
    while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80)))
      p++;
    size_t n = (size_t)(p - w);
    if (n == 0)
      break;
    if (++words > 14)
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

/* Words of an ancestor's signature that put a byline out of the article:
 * a related-stories teaser has bylines too. */
static const char *const elsewhere[] = {
    "taboola", "outbrain", "related", "recommend", "comment",
    "sidebar", "footer",   "nav",     "promo",     "trending",
    "popular", "recirc",   "teaser",  "widget",    NULL};

static bool elsewhere_ancestor(bp_ctx *c, size_t i) {
  int hops = 0;
  for (int p = c->rec[i].parent; p > 0 && hops < 40;
       p = c->rec[p].parent, hops++) {
    const char *sig = bp_node_signature(c->doc, c->rec[p].node);
    for (size_t k = 0; elsewhere[k]; k++)
      if (strstr(sig, elsewhere[k]))
        return true;
  }
  return false;
}

/* A byline's names: "By " and what follows the names (a date, a job title
 * after a separator, trailing dashes) cut off. */
static const char *clean_names(galley_doc *doc, const char *t) {
  const char *names;
  size_t n;
  /* A date after the name: a month word followed by a number, or a digit. */
  size_t len = strlen(t), cut = len;
  for (size_t i = 1; i < cut; i++) {
    char buf[64];
    size_t w = 0;
    while (isalpha((unsigned char)t[i + w]))
      w++;
    if (t[i - 1] == ' ' && i > 2 &&
        (isdigit((unsigned char)t[i]) ||
         (month_of(t + i, w) && bp_parse_date(t + i, buf, sizeof buf)))) {
      cut = i;
      break;
    }
  }
  t = galley_doc_strndup(doc, t, cut);
  if (bp_byline_names(t, &names, &n))
    t = galley_doc_strndup(doc, names, n);
  len = strlen(t);
  cut = len;
  /* What follows a separator is a job title or a site, not a name. */
  static const char *const seps[] = {
      " - ", " | ", "\xe2\x80\xa2", "\xe2\x80\x94", "\xe2\x80\x93", ",",
      "|",   NULL};
  for (size_t k = 0; seps[k]; k++) {
    const char *p = strstr(t, seps[k]);
    if (p && p > t && (size_t)(p - t) < cut)
      cut = (size_t)(p - t);
  }
  while (cut > 0 &&
         (isspace((unsigned char)t[cut - 1]) || strchr("-:;,.|", t[cut - 1])))
    cut--;
  if (cut == 0)
    return NULL;
  return galley_doc_strndup(doc, t, cut);
}

/* Reads byline and date candidates from the page before anything is
 * dropped; bp_meta_apply picks among them once the article is known. */
int bp_meta_collect(bp_ctx *c) {
  galley_doc *doc = c->doc;
  /* Bylines are read even when the document has an author: a visible
   * byline can clean up a value that carries its date or "By". */
  bool want_author = true;
  bool want_date = galley_doc_get_meta(doc, GALLEY_META_DATE) == NULL;
  c->n_cand = 0;
  for (size_t i = 1; i < c->n && c->n_cand < BP_MAX_CAND; i++) {
    const bp_rec *r = &c->rec[i];
    galley_node *n = r->node;
    galley_kind k = r->kind;
    if (galley_kind_is_leaf(k) || r->text > 100 || r->text == 0)
      continue;
    const char *sig = bp_node_signature(doc, n);
    const char *dt = galley_node_get_attr(n, "datetime");
    char buf[64];
    if (want_date && dt && bp_parse_date(dt, buf, sizeof buf)) {
      c->cand[c->n_cand++] =
          (bp_cand){n, galley_doc_strndup(doc, buf, (size_t)-1), false};
      continue;
    }
    const char *rel = galley_node_get_attr(n, "rel");
    bool by = sig_has(sig, "byline") || sig_has(sig, "author") ||
              sig_has(sig, "writtenby") || (rel && strcmp(rel, "author") == 0);
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
    bool is_by = bp_byline_names(t, &names, &nlen);
    if (want_author &&
        (is_by || (by && bp_utf8_len(t) < 80 && !strchr(t, '@'))) &&
        !elsewhere_ancestor(c, i)) {
      const char *v = clean_names(doc, t);
      if (v && !bp_parse_date(v, buf, sizeof buf)) {
        c->cand[c->n_cand++] = (bp_cand){n, v, true};
        continue;
      }
    }
    if (want_date && (dl || k == GALLEY_NODE_PARAGRAPH) &&
        bp_parse_date(t, buf, sizeof buf))
      c->cand[c->n_cand++] =
          (bp_cand){n, galley_doc_strndup(doc, buf, (size_t)-1), false};
  }
  return GALLEY_OK;
}

static bool inside(const galley_node *n, const galley_node *top) {
  for (int hops = 0; n && hops < 200; n = galley_node_parent(n), hops++)
    if (n == top)
      return true;
  return false;
}

/* A found name is clearly better than the value the document has when that
 * value is the same byline with its "By", date or job title still on:
 * "By Jane Doe", "Jane Doe March 3, 2026", "Jane Doe | Staff Writer". */
static bool clearly_better(const char *found, const char *have) {
  size_t fl = strlen(found), hl = strlen(have);
  const char *at = strstr(have, found);
  if (!at || fl >= hl)
    return false;
  const char *rest = at + fl;
  char buf[64];
  if (at != have)
    return strncasecmp(have, "by ", 3) == 0 && at == have + 3 && !*rest;
  while (*rest == ' ' || *rest == ',')
    rest++;
  return bp_parse_date(rest, buf, sizeof buf) || *rest == '|' || *rest == '-' ||
         (unsigned char)*rest == 0xe2 || *rest == '\0';
}

/* Picks the byline and date: the first inside the article, else the first
 * on the page. */
int bp_meta_apply(bp_ctx *c) {
  const char *best[2] = {NULL, NULL}, *first[2] = {NULL, NULL};
  for (size_t i = 0; i < c->n_cand; i++) {
    int k = c->cand[i].is_author ? 0 : 1;
    if (!first[k])
      first[k] = c->cand[i].value;
    if (!best[k] && c->top_node && inside(c->cand[i].node, c->top_node))
      best[k] = c->cand[i].value;
  }
  const char *author = best[0] ? best[0] : first[0];
  const char *date = best[1] ? best[1] : first[1];
  int rc = GALLEY_OK;
  size_t have = galley_doc_meta_count(c->doc, GALLEY_META_AUTHOR);
  if (author && have == 0)
    rc = galley_doc_add_meta(c->doc, GALLEY_META_AUTHOR, author);
  else if (author && have == 1 &&
           clearly_better(author,
                          galley_doc_get_meta(c->doc, GALLEY_META_AUTHOR))) {
    galley_job_info(c->job, "boilerplate: author \"%s\" replaces \"%s\"",
                    author, galley_doc_get_meta(c->doc, GALLEY_META_AUTHOR));
    rc = galley_doc_set_meta(c->doc, GALLEY_META_AUTHOR, author);
  }
  if (rc == GALLEY_OK && date && !galley_doc_get_meta(c->doc, GALLEY_META_DATE))
    rc = galley_doc_set_meta(c->doc, GALLEY_META_DATE, date);
  return rc;
}
