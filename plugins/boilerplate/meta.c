/* Metadata the page shows but its head may not say: visible bylines and
 * date lines, as libgalley's recogniser reads them (galley/recognise.h).
 * Never replaces a value already set (the reader's meta tags and JSON-LD,
 * or the user's -M), except an author that is clearly the same byline
 * still carrying its "By", date or job title. */
#include <string.h>
#include <strings.h>

#include "boilerplate.h"

/* Does the signature hold `word` as a word, or at the end of a known
 * compound ("pubdate", "postdate", "entry-date", "updated")? Not inside
 * another word: "candidate", "validate", "runtime", "lifetime". */
static bool sig_has(const char *sig, const char *word) {
  static const char *const lead[] = {
      "pub",     "post",     "entry",   "article", "publish", "published",
      "story",   "news",     "created", "modified", "updated", "up",
      "last",    "blog",     "item",    "meta",    "release", "display",
      "date",    NULL};
  if (!sig)
    return false;
  for (const char *p = strstr(sig, word); p; p = strstr(p + 1, word)) {
    const char *s = p;
    while (s > sig && s[-1] >= 'a' && s[-1] <= 'z')
      s--;
    if (s == p)
      return true;
    for (size_t i = 0; lead[i]; i++)
      if ((size_t)(p - s) == strlen(lead[i]) &&
          strncmp(s, lead[i], (size_t)(p - s)) == 0)
        return true;
  }
  return false;
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
    const char *sig = bp_sig(c, c->rec[p].node);
    for (size_t k = 0; elsewhere[k]; k++)
      if (strstr(sig, elsewhere[k]))
        return true;
  }
  return false;
}

/* A candidate made of a byline's names, copied into the document. */
static int add_author(bp_ctx *c, galley_node *n, const char *t,
                      const galley_byline *by) {
  const char **names = galley_doc_alloc(c->doc, by->n_names * sizeof *names);
  if (!names)
    return GALLEY_ENOMEM;
  for (size_t k = 0; k < by->n_names; k++) {
    names[k] =
        galley_doc_strndup(c->doc, t + by->names[k].start, by->names[k].len);
    if (!names[k])
      return GALLEY_ENOMEM;
  }
  c->cand[c->n_cand++] =
      (bp_cand){n, names[0], names, by->n_names, true, false};
  return GALLEY_OK;
}

static int add_date(bp_ctx *c, galley_node *n, const char *iso,
                    bool from_byline) {
  const char *v = galley_doc_strndup(c->doc, iso, (size_t)-1);
  if (!v)
    return GALLEY_ENOMEM;
  c->cand[c->n_cand++] = (bp_cand){n, v, NULL, 0, false, from_byline};
  return GALLEY_OK;
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
    const char *dt = galley_node_get_attr(n, "datetime");
    galley_date d;
    int rc = GALLEY_OK;
    if (want_date && dt && galley_recognise_date(dt, strlen(dt), &d)) {
      if ((rc = add_date(c, n, d.iso, false)) != GALLEY_OK)
        return rc;
      continue;
    }
    bool para = k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_SPAN ||
                k == GALLEY_NODE_DIV || k == GALLEY_NODE_LINK;
    if (!para)
      continue; /* before its signature is made: most blocks stop here */
    /* Most of these nodes have nothing but their tag ("span", "a"): the
     * marks are looked for in it alone, without making a signature. */
    const char *sig = bp_bare_tag(n);
    if (!sig)
      sig = bp_sig(c, n);
    const char *rel = galley_node_get_attr(n, "rel");
    bool by = galley_recognise_byline_mark(sig) ||
              (rel && strcmp(rel, "author") == 0);
    bool dl = sig_has(sig, "date") || sig_has(sig, "time") ||
              sig_has(sig, "published");
    if (!by && !dl && k != GALLEY_NODE_PARAGRAPH)
      continue;
    char *t = bp_node_text(doc, n);
    if (!t || !*t)
      continue;
    size_t len = strlen(t);
    /* The recogniser (galley/recognise.h) reads the text: "By …" anywhere;
     * an element marked as a byline may leave out the "By". */
    galley_byline b;
    bool is_by = galley_recognise_byline(t, len, 0, &b) ||
                 (by && bp_utf8_len(t) < 80 && !strchr(t, '@') &&
                  galley_recognise_byline(t, len, GALLEY_BYLINE_MARKED, &b));
    if (want_author && is_by && !elsewhere_ancestor(c, i)) {
      if ((rc = add_author(c, n, t, &b)) != GALLEY_OK)
        return rc;
      /* The date a byline gives, for a page with no other. */
      if (want_date && b.has_date && c->n_cand < BP_MAX_CAND &&
          (rc = add_date(c, n, b.date.iso, true)) != GALLEY_OK)
        return rc;
      continue;
    }
    /* An element marked as a date may hold other words; a paragraph is
     * a date only when it is a dateline, not prose that names a day. */
    if (want_date &&
        (dl ? galley_recognise_date(t, len, &d)
            : k == GALLEY_NODE_PARAGRAPH &&
                  galley_recognise_dateline(t, len, &d)) &&
        (rc = add_date(c, n, d.iso, false)) != GALLEY_OK)
      return rc;
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
  galley_date d;
  if (at != have)
    return strncasecmp(have, "by ", 3) == 0 && at == have + 3 && !*rest;
  while (*rest == ' ' || *rest == ',')
    rest++;
  return galley_recognise_date(rest, strlen(rest), &d) || *rest == '|' ||
         *rest == '-' || (unsigned char)*rest == 0xe2 || *rest == '\0';
}

/* The document's authors are the first names of candidate `a`, and `a`
 * has more: "Lisa Kaczke" from a reader, "Lisa Kaczke and Trevor J.
 * Mitchell" in the article's byline. */
static bool more_names(const galley_doc *doc, const bp_cand *a) {
  size_t have = galley_doc_meta_count(doc, GALLEY_META_AUTHOR);
  if (have == 0 || have >= a->n_names)
    return false;
  for (size_t k = 0; k < have; k++)
    if (strcmp(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, k),
               a->names[k]) != 0)
      return false;
  return true;
}

/* Sets the authors to the names of candidate `a`. */
static int set_authors(galley_doc *doc, const bp_cand *a) {
  int rc = galley_doc_set_meta(doc, GALLEY_META_AUTHOR, a->names[0]);
  for (size_t k = 1; rc == GALLEY_OK && k < a->n_names; k++)
    rc = galley_doc_add_meta(doc, GALLEY_META_AUTHOR, a->names[k]);
  return rc;
}

/* Picks the byline and date: the first inside the article, else the first
 * on the page. */
int bp_meta_apply(bp_ctx *c) {
  /* [0] authors, [1] dates, [2] dates from bylines. */
  const bp_cand *best[3] = {NULL, NULL, NULL}, *first[3] = {NULL, NULL, NULL};
  for (size_t i = 0; i < c->n_cand; i++) {
    int k = c->cand[i].is_author ? 0 : c->cand[i].from_byline ? 2 : 1;
    if (!first[k])
      first[k] = &c->cand[i];
    if (!best[k] && c->top_node && inside(c->cand[i].node, c->top_node))
      best[k] = &c->cand[i];
  }
  const bp_cand *author = best[0] ? best[0] : first[0];
  const bp_cand *date = best[1]    ? best[1]
                        : first[1] ? first[1]
                        : best[2]  ? best[2]
                                   : first[2];
  int rc = GALLEY_OK;
  size_t have = galley_doc_meta_count(c->doc, GALLEY_META_AUTHOR);
  if (author && have == 0)
    rc = set_authors(c->doc, author);
  else if (author && have == 1 &&
           clearly_better(author->value,
                          galley_doc_get_meta(c->doc, GALLEY_META_AUTHOR))) {
    galley_job_info(c->job, "boilerplate: author \"%s\" replaces \"%s\"",
                    author->value,
                    galley_doc_get_meta(c->doc, GALLEY_META_AUTHOR));
    rc = set_authors(c->doc, author);
  } else if (author && more_names(c->doc, author)) {
    rc = set_authors(c->doc, author);
  }
  if (rc == GALLEY_OK && date && !galley_doc_get_meta(c->doc, GALLEY_META_DATE))
    rc = galley_doc_set_meta(c->doc, GALLEY_META_DATE, date->value);
  return rc;
}

/* ---- Excerpt ------------------------------------------------------------- */

/* Is paragraph `n` inside a figure or a caption (or, with `items`, a list
 * item), where the prose of a lead is not? (Not a table cell: old pages
 * lay out their whole article in one.) */
static bool in_figure(const galley_node *n, bool items) {
  int hops = 0;
  for (const galley_node *p = galley_node_parent(n); p && hops < 200;
       p = galley_node_parent(p), hops++) {
    galley_kind k = galley_node_kind(p);
    if (k == GALLEY_NODE_FIGURE || k == GALLEY_NODE_CAPTION ||
        (items && k == GALLEY_NODE_ITEM))
      return true;
  }
  return false;
}

/* A paragraph of the article's prose, not its furniture: no byline,
 * dateline, reading time or credit (galley/recognise.h), not in a
 * caption or a list item;
 * 80 characters or more, or a whole sentence of four words or more that
 * ends with "." or "!" ("Lorem ipsum dolor sit amet."). */
static bool real_paragraph(const galley_node *n, const char *t, bool items) {
  size_t len = strlen(t), chars = bp_utf8_len(t);
  galley_byline by;
  galley_date d;
  if (chars < 80) {
    size_t words = 1;
    for (const char *p = t; *p; p++)
      words += *p == ' ';
    char last = len ? t[len - 1] : 0;
    /* A short question is more often a subheading ("What's new in
     * 2.26?") than the lead. */
    if (words < 4 || (last != '.' && last != '!'))
      return false;
  }
  if (in_figure(n, items) || galley_recognise_byline(t, len, 0, &by) ||
      galley_recognise_dateline(t, len, &d) ||
      galley_recognise_reading_time(t, len, NULL, NULL) ||
      galley_recognise_credit(t, len, NULL) != GALLEY_CREDIT_NONE)
    return false;
  return true;
}

static int first_paragraph(bp_ctx *c, bool skip_items);

/* The excerpt: the page's description, else the article's first real
 * paragraph, cut at a word near 300 characters. */
int bp_meta_excerpt(bp_ctx *c) {
  if (galley_doc_get_meta(c->doc, GALLEY_META_DESCRIPTION))
    return GALLEY_OK;
  /* A list item's paragraph only on a page of nothing but lists. */
  for (int pass = 0; pass < 2; pass++) {
    int rc = first_paragraph(c, pass == 0);
    if (rc != GALLEY_OK || galley_doc_get_meta(c->doc, GALLEY_META_DESCRIPTION))
      return rc;
  }
  return GALLEY_OK;
}

static int first_paragraph(bp_ctx *c, bool skip_items) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(c->doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER ||
        galley_node_kind(n) != GALLEY_NODE_PARAGRAPH)
      continue;
    char *t = bp_node_text(c->doc, n);
    if (!t)
      return GALLEY_ENOMEM;
    if (!real_paragraph(n, t, skip_items))
      continue;
    size_t len = strlen(t);
    if (len > 300) {
      len = 300;
      while (len > 200 && t[len] != ' ')
        len--;
      t[len] = '\0';
    }
    return galley_doc_set_meta(c->doc, GALLEY_META_DESCRIPTION, t);
  }
  return GALLEY_OK;
}
