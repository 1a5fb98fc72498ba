/* Finding the article in a tree and dropping everything else. Every drop
 * names its rule (see README.md in this folder for what each one means). */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boilerplate.h"

/* ---- Records --------------------------------------------------------- */

static bool article_hint(const galley_node *n);
/* Whether record r has an ancestor of `kind` at most `hops` levels up. */
static bool under(const bp_ctx *c, const bp_rec *r, galley_kind kind,
                  int hops) {
  for (int p = r->parent; p > 0 && hops-- > 0; p = c->rec[p].parent)
    if (c->rec[p].kind == kind)
      return true;
  return false;
}

/* Inside a figure (a few levels up). */
static bool in_figure(const bp_ctx *c, const bp_rec *r) {
  return under(c, r, GALLEY_NODE_FIGURE, 6);
}

static int grow(bp_ctx *c) {
  if (galley_array_grow((void **)&c->rec, &c->cap, c->n + 1, sizeof *c->rec) !=
      GALLEY_OK)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  return GALLEY_OK;
}

/* Counts the characters that are not space of a text, its commas and its
 * sentence ends ("..." and "?!" end one sentence); the full-width comma
 * and the ideographic comma and full stop count too. One pass, bytes
 * classified without the locale (white space is ASCII's). */
static void count_text(bp_rec *r, const char *s, bool in_link) {
  unsigned n = 0, commas = 0, stops = 0;
  bool after_stop = false; /* the byte before is '.', '!' or '?' */
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    unsigned char ch = *p;
    if (ch < 0x80) {
      bool stop = ch == '.' || ch == '!' || ch == '?';
      if (ch == ',')
        commas++;
      else if (stop && !after_stop)
        stops++;
      after_stop = stop;
      if (ch != ' ' && (ch < '\t' || ch > '\r'))
        n++;
      continue;
    }
    if ((ch & 0xC0) != 0x80) {
      n++;
      if ((ch == 0xEF && p[1] == 0xBC && p[2] == 0x8C) ||
          (ch == 0xE3 && p[1] == 0x80 && p[2] == 0x81))
        commas++;
      else if (ch == 0xE3 && p[1] == 0x80 && p[2] == 0x82 && !after_stop)
        stops++;
    }
    after_stop = false;
  }
  r->text += n;
  r->commas += commas;
  r->stops += stops;
  if (in_link)
    r->link += n;
}

/* Builds one record per node in document order and sums each subtree's
 * statistics into its root, walking the array backwards (no recursion). */
/* Counts record r's text (a text node's): from the build before when the
 * node is found there, near where the last one was, with the same
 * literal; else counted. `seen`: where the search in the build before
 * is. Appends the counts to this build's. */
static int text_counts(bp_ctx *c, bp_rec *r, size_t *seen, bool in_link) {
  const char *lit = galley_node_get_literal(r->node);
  const bp_tcount *old = c->tc[0];
  size_t n_old = c->n_tc[0], j = *seen;
  size_t stop = j + 16 < n_old ? j + 16 : n_old;
  while (j < stop && old[j].node != r->node)
    j++;
  if (j < stop && old[j].lit == lit) {
    r->text = old[j].text;
    r->commas = old[j].commas;
    r->stops = old[j].stops;
    if (in_link)
      r->link = r->text;
    *seen = j + 1;
  } else {
    count_text(r, lit, in_link);
  }
  if (c->n_tc[1] == c->cap_tc[1] &&
      galley_array_grow((void **)&c->tc[1], &c->cap_tc[1], c->n_tc[1] + 1,
                        sizeof *c->tc[1]) != GALLEY_OK)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  c->tc[1][c->n_tc[1]++] =
      (bp_tcount){r->node, lit, r->text, r->commas, r->stops};
  return GALLEY_OK;
}

static int build(bp_ctx *c) {
  c->n = 0;
  c->n_tc[1] = 0;
  size_t seen = 0;
  galley_node *root = galley_doc_root(c->doc);
  size_t stack_cap = 64, depth = 0;
  int *stack = malloc(stack_cap * sizeof *stack);
  if (!stack)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  int links = 0, images = 0;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  int rc = GALLEY_OK;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *node = galley_iter_node(&it);
    galley_kind k = galley_node_kind(node);
    if (ev == GALLEY_EVENT_EXIT) {
      if (depth > 0)
        c->rec[stack[--depth]].end = (int)c->n;
      if (k == GALLEY_NODE_LINK)
        links--;
      if (k == GALLEY_NODE_IMAGE)
        images--;
      continue;
    }
    if (c->n == c->cap && (rc = grow(c)) != GALLEY_OK)
      goto done;
    int idx = (int)c->n++;
    bp_rec *r = &c->rec[idx];
    memset(r, 0, sizeof *r);
    r->node = node;
    r->kind = k;
    r->parent = depth > 0 ? stack[depth - 1] : -1;
    r->end = idx + 1;
    switch (k) {
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE:
    case GALLEY_NODE_CODE_BLOCK:
      if (!images && (rc = text_counts(c, r, &seen, links > 0)) != GALLEY_OK)
        goto done;
      break;
    case GALLEY_NODE_IMAGE: r->images = 1; break;
    case GALLEY_NODE_ITEM: r->items = 1; break;
    case GALLEY_NODE_HEADING: r->heads = 1; break;
    case GALLEY_NODE_FIGURE: r->figures = 1; break;
    case GALLEY_NODE_DIV: r->hints = article_hint(node); break;
    default: break;
    }
    if (!galley_kind_is_leaf(k)) {
      if (depth == stack_cap &&
          galley_array_grow((void **)&stack, &stack_cap, depth + 1,
                            sizeof *stack) != GALLEY_OK) {
        rc = galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
        goto done;
      }
      stack[depth++] = idx;
      if (k == GALLEY_NODE_LINK)
        links++;
      if (k == GALLEY_NODE_IMAGE)
        images++;
    }
  }
  for (size_t i = c->n; i-- > 1;) {
    bp_rec *r = &c->rec[i];
    if (r->kind == GALLEY_NODE_PARAGRAPH && r->text >= 40) {
      r->paras++;
      if (r->link * 2 < r->text)
        r->prose += r->text;
    }
    bp_rec *p = &c->rec[r->parent];
    p->text += r->text;
    p->link += r->link;
    p->commas += r->commas;
    p->stops += r->stops;
    p->paras += r->paras;
    p->prose += r->prose;
    p->images += r->images;
    p->items += r->items;
    p->heads += r->heads;
    p->figures += r->figures;
    p->hints += r->hints;
  }
done:
  free(stack);
  if (rc == GALLEY_OK) { /* this build's counts are the next one's before */
    bp_tcount *t = c->tc[0];
    size_t cap = c->cap_tc[0];
    c->tc[0] = c->tc[1];
    c->n_tc[0] = c->n_tc[1];
    c->cap_tc[0] = c->cap_tc[1];
    c->tc[1] = t;
    c->cap_tc[1] = cap;
    c->n_tc[1] = 0;
  }
  return rc;
}

static double link_density(const bp_rec *r) {
  return r->text ? (double)r->link / r->text : 0.0;
}

/* ---- Vocabulary of ids, classes and roles ---------------------------- */

/* Words that mark a container as page furniture. Matched against the words
 * of "id classes tag role itemprop" (split at space, '-', '_' and ':').
 * Strong words name a thing that is never the article (comments, share
 * bars, ads); weak words name layout that sometimes wraps it (a sidebar
 * layout, a widget area). */
static const char *const strong_words[] = {
    "nav",         "navbar",       "navigation", "menu",     "menubar",
    "breadcrumb",  "breadcrumbs",  "share",      "sharing",  "social",
    "subscribe",   "subscription", "newsletter", "signup",   "related",
    "recommended", "recirc",       "trending",   "popular",  "comment",
    "comments",    "disqus",       "cookie",     "cookies",  "consent",
    "gdpr",        "ad",           "ads",        "advert",   "advertisement",
    "advertising", "sponsor",      "sponsored",  "promo",    "outbrain",
    "taboola",     "pagination",   "pager",      "popup",    "modal",
    "toolbar",     "skip",         "donate",     "donation", "contentinfo",
    "dialog",      "alertdialog",  "footer",     "byline",   "dateline",
    "timestamp",   "gallery",      "slideshow",  "carousel", "cta",
    NULL};
static const char *const weak_words[] = {
    "sidebar", "aside",    "masthead",  "banner",  "promotion",     "widget",
    "tags",    "tag",      "topics",    "more",    "complementary", "alert",
    "print",   "author",   "meta",      "caption", "credit",        "hidden",
    "sr",      "visually", "offscreen", NULL};

/* Words that mark the article itself, and embeds (a quoted tweet) that
 * belong to it. */
static const char *const article_words[] = {
    "article", "articlebody", "article-body", "story",    "post",
    "entry",   "content",     "main",         "body",     "text",
    "hentry",  "blog",        "prose",        "richtext", "page",
    "embed",   "embedded",    "tweet",        NULL};

/* The three lists in one table, each word with the first list that has
 * it (article, then strong, then weak): a word of a signature is looked up
 * once. Built once. */
enum { W_NONE, W_ARTICLE, W_STRONG, W_WEAK };
#define WORD_SLOTS 512
static struct word_slot {
  const char *w;
  size_t n;
  int cls;
} word_table[WORD_SLOTS];
static pthread_once_t word_once = PTHREAD_ONCE_INIT;

static struct word_slot *word_slot(const char *w, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)w[i]) * 16777619u;
  size_t i = h & (WORD_SLOTS - 1);
  while (word_table[i].w &&
         !(word_table[i].n == n && memcmp(word_table[i].w, w, n) == 0))
    i = (i + 1) & (WORD_SLOTS - 1);
  return &word_table[i];
}

static void add_words(const char *const *list, int cls) {
  for (size_t i = 0; list[i]; i++) {
    struct word_slot *s = word_slot(list[i], strlen(list[i]));
    if (!s->w) {
      s->w = list[i];
      s->n = strlen(list[i]);
      s->cls = cls;
    }
  }
}

static void build_words(void) {
  add_words(article_words, W_ARTICLE);
  add_words(strong_words, W_STRONG);
  add_words(weak_words, W_WEAK);
}

static int word_class(const char *w, size_t n) {
  pthread_once(&word_once, build_words);
  const struct word_slot *s = word_slot(w, n);
  return s->w ? s->cls : W_NONE;
}

/* True when one of the strings of `list` (NULL-terminated) occurs in s. */
static bool has_any(const char *s, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strstr(s, list[i]))
      return true;
  return false;
}

/* What the words of a signature say. */
typedef struct sigwords {
  int chrome, strong, article;
} sigwords;

/* Furniture words that are also found joined to others in one class name
 * ("sharedaddy", "relatedposts", "commentsarea", "cookiebanner"): matched
 * inside a word when at least three more letters are joined to them, so
 * that "shared" or "footers" are not. The first `strong_stems` are
 * strong. */
static const char *const joined_stems[] = {
    "related",    "share",      "sharing",     "social",  "subscribe",
    "newsletter", "recommend",  "trending",    "comments", "disqus",
    "cookie",     "advert",     "sponsor",     "outbrain", "taboola",
    "breadcrumb", "pagination", "navigation",  "navbar",  "gallery",
    "slideshow",  "carousel",   "signup",      "footer",  "sidebar",
    "widget",     NULL};
enum { strong_stems = 24 };

static int joined_word(const char *w, size_t n) {
  /* The shortest stem ("share") and three letters more. */
  if (n < 8)
    return 0;
  for (size_t i = 0; joined_stems[i]; i++) {
    const char *st = joined_stems[i];
    for (size_t at = 0; at < n; at++) {
      if (w[at] != st[0])
        continue;
      size_t l = 1;
      while (st[l] && at + l < n && w[at + l] == st[l])
        l++;
      if (!st[l]) {
        if (n >= l + 3)
          return i < strong_stems ? 2 : 1;
        break; /* too few letters joined to it: the next stem */
      }
    }
  }
  return 0;
}

/* Scans the words of sig[0..len) (split at space, '-', '_', ':'). */
static sigwords scan_sig_n(const char *sig, size_t len) {
  sigwords s = {0, 0, 0};
  const char *p = sig, *end = sig + len;
  bool negated = false;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '-' || *p == '_' || *p == ':'))
      p++;
    const char *w = p;
    while (p < end && *p != ' ' && *p != '-' && *p != '_' && *p != ':')
      p++;
    size_t n = (size_t)(p - w);
    if (n == 0)
      continue;
    /* "non-ad-column", "no-comments": the word is denied. */
    if ((n == 3 && memcmp(w, "non", 3) == 0) ||
        (n == 2 && memcmp(w, "no", 2) == 0)) {
      negated = p < end && (*p == '-' || *p == '_');
      continue;
    }
    if (negated) {
      negated = false;
      continue;
    }
    int cls = word_class(w, n);
    if (cls == W_ARTICLE) {
      s.article++;
      continue;
    }
    int joined = 0;
    if (cls == W_STRONG || (joined = joined_word(w, n)) == 2) {
      s.strong++;
      s.chrome++;
    } else if (cls == W_WEAK || joined == 1) {
      s.chrome++;
    }
  }
  return s;
}

/* True when `word` is one of the words of sig (split as scan_sig_n). */
static bool sig_has(const char *sig, const char *word) {
  size_t l = strlen(word);
  for (const char *f = strstr(sig, word); f; f = strstr(f + 1, word)) {
    bool before = f == sig || strchr(" -_:", f[-1]);
    bool after = f[l] == '\0' || strchr(" -_:", f[l]);
    if (before && after)
      return true;
  }
  return false;
}

static sigwords scan_sig(const char *sig) {
  return scan_sig_n(sig, strlen(sig));
}

/* True when every word of an id is in the text of the heading that opens
 * the block (or is the block): an id made from the heading
 * ("file-sharing-basics" over "File sharing basics") names the section,
 * not a furniture role. */
static bool id_from_heading(bp_ctx *c, const galley_node *n, const char *id,
                            size_t len) {
  const galley_node *h = NULL;
  if (galley_node_kind(n) == GALLEY_NODE_HEADING)
    h = n;
  const galley_node *k = galley_node_first_child(n);
  for (int hops = 0; !h && k && hops < 3; hops++) {
    if (galley_node_kind(k) == GALLEY_NODE_HEADING)
      h = k;
    else if (galley_kind_is_block(galley_node_kind(k)) &&
             galley_node_first_child(k) &&
             galley_node_kind(galley_node_first_child(k)) ==
                 GALLEY_NODE_HEADING)
      h = galley_node_first_child(k);
    else
      k = galley_node_next(k);
  }
  if (!h)
    return false;
  char *t = bp_node_text(c->doc, h);
  if (!t || !*t)
    return false;
  for (char *q = t; *q; q++)
    *q = (char)tolower((unsigned char)*q);
  const char *p = id, *end = id + len;
  size_t words = 0;
  while (p < end) {
    while (p < end && !isalpha((unsigned char)*p))
      p++;
    const char *w = p;
    while (p < end && isalpha((unsigned char)*p))
      p++;
    size_t wn = (size_t)(p - w);
    if (wn == 0)
      continue;
    char word[64];
    if (wn >= sizeof word)
      return false;
    memcpy(word, w, wn);
    word[wn] = '\0';
    if (!strstr(t, word))
      return false;
    words++;
  }
  return words > 0;
}

/* The words of a node's id and of its classes, tag, role and itemprop. An
 * article word in the id ("like-post-wrapper") does not cancel a strong
 * furniture word in the classes ("sharedaddy"); an id made from the
 * section's heading says nothing. */
static sigwords node_words(bp_ctx *c, const galley_node *n) {
  const char *sig = bp_sig(c, n);
  const char *id = galley_node_get_id(n);
  size_t idlen = id ? strlen(id) : 0;
  if (!idlen || strlen(sig) < idlen)
    return scan_sig(sig);
  sigwords si = scan_sig_n(sig, idlen);
  sigwords sc = scan_sig(sig + idlen);
  if (si.chrome && id_from_heading(c, n, sig, idlen))
    si = (sigwords){0, 0, 0};
  sigwords s = {si.chrome + sc.chrome, si.strong + sc.strong, sc.article};
  if (!sc.strong)
    s.article += si.article;
  return s;
}

/* Tags whose element is page furniture wherever it is. */
static bool chrome_tag(const char *tag) {
  static const char *const tags[] = {"nav",    "aside",  "footer",
                                     "form",   "button", "select",
                                     "dialog", "menu",   NULL};
  if (!tag)
    return false;
  for (size_t i = 0; tags[i]; i++)
    if (strcmp(tag, tags[i]) == 0)
      return true;
  return false;
}

static bool article_hint(const galley_node *n) {
  const char *tag = galley_node_get_tag(n);
  const char *ip = galley_node_get_attr(n, "itemprop");
  if (ip && strstr(ip, "articleBody"))
    return true;
  return tag && (strcmp(tag, "article") == 0 || strcmp(tag, "main") == 0);
}

/* A box that holds a picture and names itself a caption, figure, image,
 * photo or picture (WordPress's div.wp-caption, "type-image") is a
 * figure written without <figure>: it belongs to
 * the article as a figure does, whatever else its class says, unless a
 * strong word says otherwise. */
static bool caption_box(bp_ctx *c, const bp_rec *r) {
  if (r->images == 0 || r->text >= 600)
    return false;
  const char *sig = bp_sig(c, r->node);
  static const char *const words[] = {"caption", "figure", "image", "photo",
                                      "picture", NULL};
  for (size_t i = 0; words[i]; i++)
    if (sig_has(sig, words[i]))
      return true;
  return false;
}

/* aria-hidden="true": hidden from screen readers, who are told the same
 * apart or nothing (decoration). Not a formula's rendering (MathJax,
 * KaTeX): what screen readers get instead is MathML, which the readers do
 * not turn into text, so the rendering is all the text has. */
static bool aria_hidden(bp_ctx *c, const bp_rec *r) {
  const char *aria = galley_node_get_attr(r->node, "aria-hidden");
  if (!aria || strcmp(aria, "true") != 0)
    return false;
  static const char *const math[] = {"mjx", "mathjax", "katex", "math", NULL};
  const char *sig = bp_sig(c, r->node);
  for (size_t i = 0; math[i]; i++)
    if (strstr(sig, math[i]))
      return false;
  return true;
}

/* Inside a link (a few levels up). */
static bool in_link(const bp_ctx *c, const bp_rec *r) {
  return under(c, r, GALLEY_NODE_LINK, 4);
}

/* Inside a caption (a few levels up): there, only a strong word removes a
 * block that names itself a caption ("wp-caption-text" in a figcaption). */
static bool in_caption_node(const bp_ctx *c, const bp_rec *r) {
  return under(c, r, GALLEY_NODE_CAPTION, 3);
}

/* The record of the sibling just before record i, or -1. */
static int prev_sibling(const bp_ctx *c, int i) {
  int p = c->rec[i].parent;
  if (p < 0)
    return -1;
  int j = p + 1;
  while (j < i && c->rec[j].end < i)
    j = c->rec[j].end;
  return j < i && c->rec[j].end == i ? j : -1;
}

/* Rule caption-box (a change, not a removal): a block that names itself a
 * caption ("wp-caption-text", "image__caption", "dnd-caption-wrapper"),
 * holds no picture and says under 600 characters is the caption of the
 * picture it sits with: in a box that holds pictures and little else
 * besides it (80 characters), or right after a block that is only
 * pictures. The box (or the picture's block) becomes a figure and the block
 * its caption, so that writers show a caption and the rules keep it as
 * they keep <figure> and <figcaption>. Returns the number of figures made,
 * or -1 when out of memory. */
/* The inline form of caption-box: a span named a caption in the paragraph
 * of its picture ("<img><br><span class=pb-caption>…"). The paragraph
 * becomes a figure's, the span and what follows it the caption's.
 * Returns 1 when made, 0 when not, -1 when out of memory. */
static int inline_caption(bp_ctx *c, const bp_rec *r) {
  const bp_rec *p = &c->rec[r->parent];
  if (r->parent <= 0 || p->kind != GALLEY_NODE_PARAGRAPH || !p->images ||
      p->text > r->text + 80 || c->rec[p->parent].kind == GALLEY_NODE_CAPTION ||
      in_figure(c, p))
    return 0;
  galley_node *fig = galley_doc_new_node(c->doc, GALLEY_NODE_FIGURE);
  galley_node *cap = galley_doc_new_node(c->doc, GALLEY_NODE_CAPTION);
  galley_node *q = galley_doc_new_node(c->doc, GALLEY_NODE_PARAGRAPH);
  if (!fig || !cap || !q)
    return -1;
  if (galley_node_wrap(p->node, fig) != GALLEY_OK)
    return 0;
  int rc = galley_node_append_child(fig, cap);
  if (rc == GALLEY_OK)
    rc = galley_node_append_child(cap, q);
  for (galley_node *n = r->node, *next; n && rc == GALLEY_OK; n = next) {
    next = galley_node_next(n);
    rc = galley_node_append_child(q, n);
  }
  /* The break that set the caption under the picture. */
  for (galley_node *l; rc == GALLEY_OK && (l = galley_node_last_child(p->node));) {
    galley_kind k = galley_node_kind(l);
    const char *lit = k == GALLEY_NODE_TEXT ? galley_node_get_literal(l) : NULL;
    if (k != GALLEY_NODE_LINE_BREAK && k != GALLEY_NODE_SOFT_BREAK &&
        !(lit && lit[strspn(lit, " \t\n")] == '\0'))
      break;
    galley_node_unlink(l);
  }
  return rc == GALLEY_ENOMEM ? -1 : 1;
}

static int rule_caption_boxes(bp_ctx *c) {
  int made = 0;
  for (size_t i = 1; i < c->n; i++) {
    const bp_rec *r = &c->rec[i];
    if ((r->kind != GALLEY_NODE_SPAN && r->kind != GALLEY_NODE_DIV &&
         r->kind != GALLEY_NODE_PARAGRAPH) ||
        r->images || r->text == 0 || r->text >= 600 || r->heads ||
        !sig_has(bp_sig(c, r->node), "caption") ||
        node_words(c, r->node).strong)
      continue;
    if (r->kind == GALLEY_NODE_SPAN) {
      int got = inline_caption(c, r);
      if (got < 0)
        return -1;
      if (got) {
        made++;
        i = (size_t)c->rec[r->parent].end - 1;
      }
      continue;
    }
    const bp_rec *box = &c->rec[r->parent];
    galley_node *pic = NULL;
    if (r->parent > 0 && box->kind == GALLEY_NODE_DIV && box->images &&
        box->text <= r->text + 80 && box->heads == 0 && !article_hint(box->node)) {
      pic = box->node;
    } else {
      int s = prev_sibling(c, (int)i);
      if (s > 0 && c->rec[s].images && c->rec[s].text == 0 &&
          (c->rec[s].kind == GALLEY_NODE_DIV ||
           c->rec[s].kind == GALLEY_NODE_PARAGRAPH) &&
          box->kind != GALLEY_NODE_FIGURE && box->kind != GALLEY_NODE_CAPTION) {
        pic = c->rec[s].node;
      }
    }
    if (!pic)
      continue;
    galley_node *fig = galley_doc_new_node(c->doc, GALLEY_NODE_FIGURE);
    galley_node *cap = galley_doc_new_node(c->doc, GALLEY_NODE_CAPTION);
    if (!fig || !cap)
      return -1;
    /* Edits that the tree refuses (a figure where its parent may not hold
     * one) leave it valid: the first leaves it as it was. */
    if (galley_node_wrap(pic, fig) != GALLEY_OK)
      continue;
    int rc;
    if (pic == box->node) { /* the box's blocks are the figure's */
      rc = galley_node_unwrap(pic);
      if (rc == GALLEY_OK)
        rc = galley_node_wrap(r->node, cap);
    } else { /* the caption joins the picture */
      rc = galley_node_append_child(fig, cap);
      if (rc == GALLEY_OK)
        rc = galley_node_append_child(cap, r->node);
    }
    if (rc == GALLEY_ENOMEM)
      return -1;
    made++;
    /* The records of the box are stale now: go on after it. */
    i = (size_t)(pic == box->node ? box->end : r->end) - 1;
  }
  return made;
}

/* The class/id weight: Readability's idea, our words. */
static int class_weight(bp_ctx *c, const galley_node *n) {
  const char *sig = bp_sig(c, n);
  if (!*sig)
    return 0;
  sigwords s = node_words(c, n);
  int w = 0;
  if (s.chrome)
    w -= 25;
  if (s.article)
    w += 25;
  const char *ip = galley_node_get_attr(n, "itemprop");
  if (ip && strstr(ip, "articleBody"))
    w += 50;
  return w;
}

/* ---- Dropping ---------------------------------------------------------- */

static int drop(bp_ctx *c, int i, const char *rule) {
  /* A caption's only block goes with the caption: no empty caption is
   * written. */
  for (int k = i, p = c->rec[i].parent;
       p > 0 && p + 1 == k && c->rec[p].end == c->rec[k].end &&
       (c->rec[p].kind == GALLEY_NODE_DIV ||
        c->rec[p].kind == GALLEY_NODE_CAPTION);
       k = p, p = c->rec[p].parent)
    if (c->rec[p].kind == GALLEY_NODE_CAPTION) {
      i = p;
      break;
    }
  bp_rec *r = &c->rec[i];
  /* Callers skip a dropped node's subtree, so no ancestor is dropped. */
  if (r->rule)
    return GALLEY_OK;
  r->rule = rule;
  if (galley_array_grow((void **)&c->drops, &c->cap_drops, c->n_drops + 1,
                        sizeof *c->drops) != GALLEY_OK)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  c->drops[c->n_drops++] = (bp_drop){rule, r->node, r->text};
  return GALLEY_OK;
}

/* Drops every block of record `i`'s subtree but record `keep` and the
 * blocks that hold it. GALLEY_OK or GALLEY_ENOMEM. */
static int drop_around(bp_ctx *c, int i, int keep, const char *rule) {
  for (int j = i + 1; j < c->rec[i].end; j++) {
    if (j == keep) {
      j = c->rec[j].end - 1;
      continue;
    }
    if (j < keep && keep < c->rec[j].end)
      continue; /* holds it: into it */
    if (drop(c, j, rule) != GALLEY_OK)
      return GALLEY_ENOMEM;
    j = c->rec[j].end - 1;
  }
  return GALLEY_OK;
}

/* Rule standfirst: the one paragraph of prose in a <header> that also
 * holds the headline (a heading) is the article's lead, "the standfirst"
 * under the title: a sentence or more (60 to 600 characters, ending in a
 * stop), not mostly links, not a byline or a dateline, in a header that
 * comes before three quarters of the page's prose. Its record, else 0. */
static int standfirst(bp_ctx *c, int i) {
  const bp_rec *h = &c->rec[i];
  if (h->heads == 0)
    return 0;
  /* Over the article, not after it (a comment section's header). */
  unsigned before = 0;
  for (int j = 1; j < i; j++)
    if (c->rec[j].kind == GALLEY_NODE_PARAGRAPH && c->rec[j].text >= 40)
      before += c->rec[j].text;
  if (before * 4 > c->rec[0].prose)
    return 0;
  int found = 0;
  for (int j = i + 1; j < h->end; j++) {
    const bp_rec *r = &c->rec[j];
    if (r->kind != GALLEY_NODE_PARAGRAPH || r->text < 60)
      continue;
    if (found || r->text > 600 || r->link * 2 >= r->text || r->stops == 0 ||
        under(c, r, GALLEY_NODE_LINK, 4))
      return 0;
    found = j;
  }
  if (!found)
    return 0;
  char *t = bp_node_text(c->doc, c->rec[found].node);
  galley_byline by;
  galley_date d;
  if (!t || !bp_ends_sentence(t) ||
      galley_recognise_byline(t, strlen(t), 0, &by) ||
      galley_recognise_dateline(t, strlen(t), &d))
    return 0;
  return found;
}

/* Unlinks every node marked in this round. */
static void apply_drops(bp_ctx *c) {
  for (size_t i = 0; i < c->n; i++)
    if (c->rec[i].rule) {
      galley_node_unlink(c->rec[i].node);
      i = (size_t)c->rec[i].end - 1;
    }
}

static bool is_container(galley_kind k) {
  return k == GALLEY_NODE_DIV || k == GALLEY_NODE_LIST ||
         k == GALLEY_NODE_TABLE || k == GALLEY_NODE_BLOCK_QUOTE ||
         k == GALLEY_NODE_FIGURE || k == GALLEY_NODE_DEFINITION_LIST;
}

/* ---- Rule: chrome-tag, chrome-class, hidden --------------------------- */

/* An inline box that a page shows only on hover or click (a person's
 * card with links to their other stories), written into the paragraph. */
static bool hover_sig(bp_ctx *c, const galley_node *n) {
  const char *sig = bp_sig(c, n);
  static const char *const words[] = {"rollover", "tooltip", "hovercard",
                                      "popover",  "popup",   NULL};
  return has_any(sig, words);
}

static bool is_hover_card(bp_ctx *c, const bp_rec *r) {
  if (r->text == 0 || !hover_sig(c, r->node))
    return false;
  /* The wrapper of the trigger (the name) and its card: only the card
   * goes, the name stays in the sentence. */
  for (galley_node *k = galley_node_first_child(r->node); k;
       k = galley_node_next(k))
    if (galley_node_kind(k) == GALLEY_NODE_SPAN && hover_sig(c, k))
      return false;
  /* A box that is only its link ("<a class=popup>the report</a>" in a
   * span) is the trigger: its words are part of the sentence. */
  galley_node *k = galley_node_first_child(r->node);
  while (k && galley_node_kind(k) == GALLEY_NODE_TEXT &&
         !*galley_node_get_literal(k))
    k = galley_node_next(k);
  if (k && galley_node_kind(k) == GALLEY_NODE_LINK && !galley_node_next(k) &&
      r->link == r->text)
    return false;
  return true;
}

/* Rule caption-credit: inside a figure, a span that credits the picture
 * ("Credit: EPA", class="credit", "copyright") or labels it for screen
 * readers only ("Image caption" in class="off-screen"), when the figure
 * says more than it: the caption stays, its credit goes. */
static bool is_caption_credit(bp_ctx *c, const bp_rec *r) {
  int fig = -1, hops = 0;
  for (int p = r->parent; p > 0 && hops < 5; p = c->rec[p].parent, hops++)
    if (c->rec[p].kind == GALLEY_NODE_FIGURE) {
      fig = p;
      break;
    }
  if (fig < 0)
    return false;
  /* "Image", "Photo", "Video": what the figure is, said for screen
   * readers (a class that hides it, or a hash of one). */
  if (r->text <= 12) {
    static const char *const media[] = {"image", "photo", "video", "picture",
                                        "graphic", "illustration", "foto",
                                        "bild", "imagen", "audio", NULL};
    char *t = bp_node_text(c->doc, r->node);
    size_t a = t ? strspn(t, " \t\n") : 0, n = t ? strlen(t) : 0;
    while (n > a && strchr(" \t\n:", t[n - 1]))
      n--;
    for (size_t i = 0; t && media[i]; i++)
      if (n - a == strlen(media[i]) && strncasecmp(t + a, media[i], n - a) == 0)
        return true;
  }
  const char *sig = bp_sig(c, r->node);
  static const char *const marks[] = {
      "credit",    "copyright",     "photographer", "off-screen",
      "offscreen", "sr-only",       "visually-hidden", "visuallyhidden",
      "screen-reader", NULL};
  bool marked = false;
  for (size_t i = 0; marks[i] && !marked; i++)
    marked = strstr(sig, marks[i]) != NULL;
  if (!marked) {
    char *t = bp_node_text(c->doc, r->node);
    marked = t && galley_recognise_credit(t, strlen(t), NULL) ==
                      GALLEY_CREDIT_PICTURE;
  }
  /* The caption's own words must remain. */
  return marked && c->rec[fig].text > r->text + 20;
}

/* Rule edit-link: "[edit]", "[edit source]" after a heading's text (a
 * wiki's section edit link): a control of the site, not words of the
 * heading. */
static bool is_edit_link(bp_ctx *c, const bp_rec *r) {
  if (!under(c, r, GALLEY_NODE_HEADING, 3))
    return false;
  char *t = bp_node_text(c->doc, r->node);
  if (!t)
    return false;
  char buf[16];
  size_t o = 0;
  for (const char *q = t; *q; q++) {
    if (*q == '[' || *q == ']' || *q == '|' || *q == ' ')
      continue;
    if (o + 1 >= sizeof buf)
      return false;
    buf[o++] = (char)tolower((unsigned char)*q);
  }
  buf[o] = '\0';
  return strcmp(buf, "edit") == 0 || strcmp(buf, "editsource") == 0;
}

/* A link that opens a share dialog with text filled in. */
static bool share_intent(const char *u) {
  if (!u)
    return false;
  static const char *const intents[] = {
      "twitter.com/intent/", "twitter.com/share", "x.com/intent/",
      "facebook.com/sharer", "linkedin.com/shareArticle", NULL};
  return has_any(u, intents);
}

/* Rule share-label: the button of a quote offered for sharing, inline
 * beside it: a span or link that says only "Click to tweet", "Tweet
 * this" or "Share this quote". (The quote stays: link-line leaves a
 * paragraph whose link is a share intent.) */
static bool is_share_label(bp_ctx *c, const bp_rec *r) {
  char *t = bp_node_text(c->doc, r->node);
  if (!t)
    return false;
  static const char *const labels[] = {
      "click to tweet", "click to tweet this", "tweet this", "tweet this quote",
      "share this quote", "click to share", "tweet", NULL};
  char low[32];
  size_t o = 0;
  for (const char *q = t; *q && o + 1 < sizeof low; q++)
    if (!strchr(":.!", *q))
      low[o++] = (char)tolower((unsigned char)*q);
  while (o > 0 && low[o - 1] == ' ')
    o--;
  low[o] = '\0';
  for (size_t i = 0; labels[i]; i++)
    if (strcmp(low, labels[i]) == 0)
      /* "Tweet" alone only as a link that opens the share dialog. */
      return strcmp(labels[i], "tweet") != 0 ||
             (r->kind == GALLEY_NODE_LINK &&
              share_intent(galley_node_get_url(r->node)));
  return false;
}

/* Removes page furniture before scoring: navigation, sidebars, share bars,
 * cookie notices. A container that holds most of the page's paragraphs is
 * never furniture, whatever its class says (some sites wrap the whole page
 * in class="page-with-sidebar"). */
static bool is_cta(const char *t);

/* Rule promo-figure: a figure whose caption is a short call to action
 * ("Need more space? Subscribe to our sister title …" under a magazine's
 * cover): an advertisement set as a picture. */
static bool promo_figure(bp_ctx *c, const bp_rec *r) {
  if (r->text == 0 || r->text >= 200 || r->stops > 2)
    return false;
  char *t = bp_node_text(c->doc, r->node);
  return t && is_cta(t);
}

/* Rule template asked of a block's text (when its keys are not known). */
static bool template_text(bp_ctx *c, const bp_rec *r) {
  char *t = bp_node_text(c->doc, r->node);
  return t && bp_batch_template(c->batch, "", t);
}

/* keys: each record's template key (bp_batch_keys), or NULL. */
static int furniture(bp_ctx *c, const uint64_t *keys) {
  const bp_rec *root = &c->rec[0];
  /* The article element (article, main, itemprop=articleBody) of three
   * paragraphs or more that holds the most prose: it and every block
   * around it stay, whatever their class says (an article shown in a
   * class="modal" layer over a stream of teasers). */
  int best_hint = -1;
  for (size_t i = 1; i < c->n; i++) {
    const bp_rec *r = &c->rec[i];
    if (r->kind == GALLEY_NODE_DIV && r->paras >= 3 && article_hint(r->node) &&
        (best_hint < 0 || r->prose > c->rec[best_hint].prose))
      best_hint = (int)i;
  }
  for (size_t i = 1; i < c->n; i++) {
    bp_rec *r = &c->rec[i];
    if (r->kind == GALLEY_NODE_SPAN && r->text > 0 && r->text < 160 &&
        is_caption_credit(c, r)) {
      if (drop(c, (int)i, "caption-credit") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    if ((r->kind == GALLEY_NODE_SPAN || r->kind == GALLEY_NODE_LINK) &&
        r->text > 0 && r->text <= 14 && is_edit_link(c, r)) {
      if (drop(c, (int)i, "edit-link") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    /* The quote itself keeps its words, not the share dialog's address
     * (a reference no reader follows); the records are built again after
     * this pass. */
    if (r->kind == GALLEY_NODE_LINK && r->text >= 40 &&
        share_intent(galley_node_get_url(r->node))) {
      if (galley_node_unwrap(r->node) != GALLEY_OK)
        return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
      continue;
    }
    if ((r->kind == GALLEY_NODE_SPAN || r->kind == GALLEY_NODE_LINK) &&
        r->text > 0 && r->text <= 24 && is_share_label(c, r)) {
      if (drop(c, (int)i, "share-label") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    /* An inline element hidden from screen readers is decoration (an
     * icon's glyph, a separator) or a visual copy of words said to them
     * apart; inside a link it may be the link's only words, so there it
     * stays. */
    if (r->kind == GALLEY_NODE_SPAN && r->text > 0 && !r->images) {
      if (aria_hidden(c, r) && !in_link(c, r)) {
        if (drop(c, (int)i, "hidden") != GALLEY_OK)
          return GALLEY_ENOMEM;
        i = (size_t)r->end - 1;
        continue;
      }
    }
    if (r->kind == GALLEY_NODE_SPAN && is_hover_card(c, r)) {
      if (drop(c, (int)i, "hover-card") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    if (!is_container(r->kind) && r->kind != GALLEY_NODE_PARAGRAPH &&
        r->kind != GALLEY_NODE_HEADING)
      continue;
    if (article_hint(r->node))
      continue;
    if (galley_node_get_attr(r->node, "hidden") || aria_hidden(c, r)) {
      if (drop(c, (int)i, "hidden") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    /* Most of the page's paragraphs, or most of its prose (a page whose
     * article sits beside a stream of many short teasers). */
    bool big = r->paras >= 3 && (r->paras * 2 >= root->paras ||
                                 r->prose * 2 >= root->prose);
    bool holds_article = best_hint > (int)i && best_hint < r->end;
    const char *tag = galley_node_get_tag(r->node);
    if (chrome_tag(tag) && r->kind != GALLEY_NODE_PARAGRAPH &&
        !(big && r->hints > 0) && !holds_article) {
      if (drop(c, (int)i, "chrome-tag") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    if (tag && strcmp(tag, "header") == 0 && r->paras < 2 && !big) {
      /* A page header; an article's own <header> keeps its headline, which
       * metadata already has, but not its standfirst (rule standfirst). */
      int lead = standfirst(c, (int)i);
      if (lead > 0 ? drop_around(c, (int)i, lead, "chrome-tag")
                   : drop(c, (int)i, "chrome-tag") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    /* Figures and captions belong to the article whatever their class
     * says ("wp-caption", "has-caption"), unless the caption sells: rule
     * promo-figure. */
    if (r->kind == GALLEY_NODE_FIGURE || r->kind == GALLEY_NODE_CAPTION ||
        (tag && (strcmp(tag, "figure") == 0 || strcmp(tag, "figcaption") == 0))) {
      if (r->kind == GALLEY_NODE_FIGURE && promo_figure(c, r)) {
        if (drop(c, (int)i, "promo-figure") != GALLEY_OK)
          return GALLEY_ENOMEM;
        i = (size_t)r->end - 1;
      }
      continue;
    }
    const char *sig = bp_sig(c, r->node);
    /* Rule template: the block repeats across the batch's pages. */
    if (keys ? bp_batch_template_key(c->batch, keys[i])
             : c->batch && template_text(c, r)) {
      if (drop(c, (int)i, "template") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    if (!*sig)
      continue;
    sigwords s = node_words(c, r->node);
    if (!s.strong && (caption_box(c, r) || in_caption_node(c, r)))
      continue;
    /* Even a strong word does not drop the article's own wrapper. */
    bool wrapper = (big && r->hints > 0) || holds_article;
    if ((s.strong && !s.article && !wrapper) ||
        (s.chrome && !s.article && !big && r->paras < 3)) {
      if (drop(c, (int)i, "chrome-class") != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
    }
  }
  return GALLEY_OK;
}

/* The records' template keys are computed in one walk of the tree (it has
 * not changed since the records were built), not by copying and hashing
 * each block's text, nested blocks again and again. */
static int rule_furniture(bp_ctx *c) {
  size_t n = 0;
  uint64_t *keys = c->batch ? bp_batch_keys(c->batch, c->doc, &n) : NULL;
  if (keys && n != c->n) { /* never: then each text is asked */
    free(keys);
    keys = NULL;
  }
  int rc = furniture(c, keys);
  free(keys);
  return rc;
}

/* ---- Scoring ----------------------------------------------------------- */

static void init_candidate(bp_ctx *c, bp_rec *r) {
  if (r->candidate)
    return;
  r->candidate = true;
  double s = 0;
  switch (r->kind) {
  case GALLEY_NODE_DIV: {
    const char *tag = galley_node_get_tag(r->node);
    if (tag && (strcmp(tag, "form") == 0 || strcmp(tag, "address") == 0))
      s = -3;
    else if (tag && (strcmp(tag, "article") == 0 || strcmp(tag, "main") == 0))
      s = 10;
    else
      s = 5;
    break;
  }
  case GALLEY_NODE_BLOCK_QUOTE:
  case GALLEY_NODE_TABLE_CELL: s = 3; break;
  case GALLEY_NODE_LIST:
  case GALLEY_NODE_ITEM:
  case GALLEY_NODE_DEFINITION_LIST: s = -3; break;
  default: break;
  }
  r->weight = class_weight(c, r->node);
  r->score = s + r->weight;
}

static bool scorable(galley_kind k) {
  return k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_CODE_BLOCK ||
         k == GALLEY_NODE_TABLE_CELL || k == GALLEY_NODE_DEFINITION;
}

/* Picks the container with the best content score (Readability's scheme:
 * each paragraph gives its parent points for length and commas, less to
 * each further ancestor). */
static int choose_top(bp_ctx *c) {
  for (size_t i = 1; i < c->n; i++) {
    bp_rec *r = &c->rec[i];
    if (!scorable(r->kind) || r->text < (unsigned)c->min_para)
      continue;
    /* Text that is mostly links is a menu, not a paragraph. */
    if (link_density(r) > 0.5)
      continue;
    double pts = 1 + r->commas + (r->text / 100 < 3 ? r->text / 100 : 3);
    int level = 0;
    for (int p = r->parent; p > 0 && level < 5; p = c->rec[p].parent) {
      bp_rec *a = &c->rec[p];
      if (!is_container(a->kind) && a->kind != GALLEY_NODE_ITEM &&
          a->kind != GALLEY_NODE_TABLE_CELL && a->kind != GALLEY_NODE_TABLE_ROW)
        continue;
      /* A row takes a level (as in HTML, where a cell's points reach the
       * table two levels up) but is never a candidate itself. */
      if (a->kind == GALLEY_NODE_TABLE_ROW) {
        level++;
        continue;
      }
      init_candidate(c, a);
      double div = level == 0 ? 1 : level == 1 ? 2 : level * 3;
      a->score += pts / div;
      level++;
    }
  }
  int top = -1;
  double best = 0;
  unsigned small = c->rec[0].text / 8 < 250 ? c->rec[0].text / 8 : 250;
  for (size_t i = 1; i < c->n; i++) {
    bp_rec *r = &c->rec[i];
    if (!r->candidate)
      continue;
    r->score *= 1 - link_density(r);
    /* A small box (a teaser, a title strip) cannot win on its class name
     * alone: below 250 characters (less on a page with little text) its
     * score shrinks with its size when the top is chosen (not when the top's
     * rivals and siblings are weighed). */
    double pick = r->score;
    if (r->text < small)
      pick *= r->text / (double)small;
    if (top < 0 || pick > best) {
      best = pick;
      top = (int)i;
    }
  }
  if (top < 0)
    return 0;
  /* Rule split-article: when three or more of the best containers (within
   * 75% of the top score) sit under one ancestor of the top, the article is
   * split among them and that ancestor is the content. */
  int alt[5];
  size_t n_alt = 0;
  for (size_t i = 1; i < c->n && n_alt < 5; i++) {
    const bp_rec *r = &c->rec[i];
    if ((int)i != top && r->candidate && r->score >= c->rec[top].score * 0.75 &&
        r->weight >= 0 && !((int)i > top && (int)i < c->rec[top].end))
      alt[n_alt++] = (int)i;
  }
  if (n_alt >= 3) {
    for (int p = c->rec[top].parent; p > 0; p = c->rec[p].parent) {
      size_t inside = 0;
      for (size_t k = 0; k < n_alt; k++)
        if (alt[k] > p && alt[k] < c->rec[p].end)
          inside++;
      if (inside >= 3) {
        top = p;
        break;
      }
    }
  }
  /* A table or a list is part of an article, not one: its container is. */
  if ((c->rec[top].kind == GALLEY_NODE_TABLE ||
       c->rec[top].kind == GALLEY_NODE_LIST) &&
      c->rec[top].parent > 0)
    top = c->rec[top].parent;
  /* Climb while the parent scores nearly as well, or while the top is the
   * only child (the article split into several containers shows up as a
   * parent that collects their points). */
  for (;;) {
    int p = c->rec[top].parent;
    if (p <= 0)
      break;
    bp_rec *pr = &c->rec[p];
    bool only = galley_node_child_count(pr->node) == 1;
    if (!only && !(pr->candidate && pr->score >= c->rec[top].score * 0.9))
      break;
    if (pr->text > c->rec[top].text * 3 && !only)
      break;
    top = p;
  }
  return top;
}

/* A box of short labels and statements: a container with some text, few
 * links, no furniture class, no heading of more than 30 characters, and
 * a picture only beside less than 100 characters (a rating's badge). */
static bool labelled_box(bp_ctx *c, const bp_rec *s) {
  if (!is_container(s->kind) || s->text < 5 || link_density(s) >= 0.3 ||
      ((s->images || s->figures) && s->text >= 100) ||
      class_weight(c, s->node) < 0)
    return false;
  for (size_t k = (size_t)(s - c->rec) + 1; k < (size_t)s->end; k++)
    if (c->rec[k].kind == GALLEY_NODE_HEADING && c->rec[k].text > 30)
      return false;
  return true;
}

/* Keeps siblings of the top container that look like more of the article
 * (a paragraph beside it, a container with a good score); marks the rest of
 * the page outside-content. */
static int keep_content(bp_ctx *c, int top) {
  bp_rec *t = &c->rec[top];
  double threshold = t->score * 0.2 > 10 ? t->score * 0.2 : 10;
  bool *keep = calloc(c->n, sizeof *keep);
  if (!keep)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  keep[top] = true;
  bool in_article = t->parent > 0 && article_hint(c->rec[t->parent].node);
  if (t->parent >= 0) {
    for (size_t i = (size_t)t->parent + 1; i < (size_t)c->rec[t->parent].end;
         i = (size_t)c->rec[i].end) {
      bp_rec *s = &c->rec[i];
      if ((int)i == top)
        continue;
      double ld = link_density(s);
      bool ok = false;
      const char *stag = galley_node_get_tag(s->node);
      if (chrome_tag(stag) || (stag && strcmp(stag, "header") == 0))
        continue;
      if (s->candidate && s->score >= threshold && ld < 0.3 && s->weight >= 0)
        ok = true;
      else if (s->kind == GALLEY_NODE_PARAGRAPH) {
        if (s->text > 80 && ld < 0.25)
          ok = true;
        else if (s->text > 20 && ld == 0 && s->stops > 0)
          ok = true;
      } else if (is_container(s->kind) && s->paras > 0 && ld < 0.25 &&
                 class_weight(c, s->node) >= 0 &&
                 s->stops * 80 >= s->text / 2) {
        /* The article split over sibling containers, a paragraph each. */
        ok = true;
      } else if (in_article && labelled_box(c, s)) {
        /* Inside the article element, a box of short labels and
         * statements beside the text (the claim and the rating of a fact
         * check, "Key points") is the article's; a headline block (a
         * heading of more than 30 characters, a picture) is not. */
        ok = true;
      } else if ((s->kind == GALLEY_NODE_FIGURE ||
                  s->kind == GALLEY_NODE_HEADING) &&
                 (int)i > top && i == (size_t)c->rec[top].end)
        ok = true;
      if (ok)
        keep[i] = true;
    }
  }
  /* Rule same-class: the article split over boxes of one class, each in
   * its own wrapper ("story-body" under one "story-body-supplemental",
   * then another): a container under the top's grandparent whose first
   * class name is the top's, with prose and few links, is more of it. */
  const char *tcls = galley_node_get_classes(t->node);
  size_t tlen = tcls ? strcspn(tcls, " ") : 0;
  int g = t->parent > 0 ? c->rec[t->parent].parent : -1;
  if (tlen > 0 && g >= 0) {
    for (size_t i = (size_t)g + 1; i < (size_t)c->rec[g].end; i++) {
      const bp_rec *s = &c->rec[i];
      if ((int)i == top) {
        i = (size_t)s->end - 1;
        continue;
      }
      if (!is_container(s->kind))
        continue;
      const char *scls = galley_node_get_classes(s->node);
      if (!scls || strcspn(scls, " ") != tlen || memcmp(scls, tcls, tlen) != 0)
        continue;
      if (s->paras > 0 && s->text >= 80 && link_density(s) < 0.3 &&
          class_weight(c, s->node) >= 0) {
        keep[i] = true;
        i = (size_t)s->end - 1;
      }
    }
  }
  /* The article element one level further up (the text in a wrapper
   * beside the boxes): its other children are asked the same. */
  int up = t->parent > 0 ? c->rec[t->parent].parent : -1;
  if (!in_article && up > 0 && article_hint(c->rec[up].node)) {
    for (size_t i = (size_t)up + 1; i < (size_t)c->rec[up].end;
         i = (size_t)c->rec[i].end)
      if ((int)i != t->parent && labelled_box(c, &c->rec[i]))
        keep[i] = true;
  }
  /* Everything that is neither kept, inside a kept node, nor an ancestor of
   * one goes. */
  bool *anc = calloc(c->n, sizeof *anc);
  if (!anc) {
    free(keep);
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < c->n; i++)
    if (keep[i])
      for (int p = c->rec[i].parent; p >= 0 && !anc[p]; p = c->rec[p].parent)
        anc[p] = true;
  int rc = GALLEY_OK;
  for (size_t i = 1; i < c->n && rc == GALLEY_OK;) {
    if (keep[i]) {
      i = (size_t)c->rec[i].end;
      continue;
    }
    if (!anc[i]) {
      rc = drop(c, (int)i, "outside-content");
      i = (size_t)c->rec[i].end;
      continue;
    }
    i++;
  }
  free(keep);
  free(anc);
  return rc;
}

/* ---- Cleaning inside the content --------------------------------------- */

static const char *const cta_phrases[] = {"make a charitable donation",
                                          "donate",
                                          "mailing list",
                                          "newsletter",
                                          "subscribe",
                                          "sign up",
                                          "follow us",
                                          "share this",
                                          "share on",
                                          "click here",
                                          "advertisement",
                                          "all rights reserved",
                                          "copyright ©",
                                          "read more",
                                          "related:",
                                          "recommended for you",
                                          "support our journalism",
                                          "get the app",
                                          "download the app",
                                          "terms of service",
                                          "privacy policy",
                                          "share it",
                                          "you may also like",
                                          "popular on",
                                          "more great",
                                          "have a tip",
                                          "follow her on",
                                          "follow him on",
                                          "follow me on",
                                          "may be reached at",
                                          "sharing is caring",
                                          "tell us what you think",
                                          "requires javascript",
                                          "don't miss",
                                          "don\xe2\x80\x99t miss",
                                          "see more",
                                          "if you enjoyed",
                                          "read next",
                                          "most read",
                                          "most popular",
                                          "also read",
                                          "read also",
                                          "join our",
                                          "email us at",
                                          "follow us on",
                                          "successfully subscribed",
                                          "thanks for subscribing",
                                          NULL};

/* The phrase as words of the text: "subscribe" is not in "subscribers",
 * "donate" not in "donated". */
static bool has_phrase(const char *low, const char *phrase) {
  size_t n = strlen(phrase);
  for (const char *f = strstr(low, phrase); f; f = strstr(f + 1, phrase)) {
    bool before = f == low || !isalpha((unsigned char)f[-1]);
    bool after = !isalpha((unsigned char)phrase[n - 1]) ||
                 !isalpha((unsigned char)f[n]);
    if (before && after)
      return true;
  }
  return false;
}

/* t in lower case (ASCII) into low[0, cap); false when it does not fit:
 * only short lines are asked about their phrases. */
static bool lower_into(char *low, size_t cap, const char *t) {
  size_t n = strlen(t);
  if (n >= cap)
    return false;
  for (size_t i = 0; i <= n; i++)
    low[i] = (char)tolower((unsigned char)t[i]);
  return true;
}

/* Whether one of `phrases` (lower case) stands as words in `low`. */
static bool any_phrase(const char *low, const char *const *phrases) {
  for (size_t i = 0; phrases[i]; i++)
    if (has_phrase(low, phrases[i]))
      return true;
  return false;
}

static bool is_cta(const char *t) {
  char low[1024];
  return lower_into(low, sizeof low, t) && any_phrase(low, cta_phrases);
}

/* "Get New York Today in your inbox", "… delivered to your inbox": a
 * newsletter offered, when the line links to it or opens by offering
 * ("Get …", "Receive …"); prose speaks of an inbox too. */
static bool is_inbox_offer(const char *t, bool linked) {
  if (!linked && strncasecmp(t, "get ", 4) != 0 &&
      strncasecmp(t, "receive ", 8) != 0)
    return false;
  static const char *const phrases[] = {"in your inbox", "to your inbox",
                                        "in your mailbox", NULL};
  char low[1024];
  return lower_into(low, sizeof low, t) && any_phrase(low, phrases);
}

/* A heading, or a short paragraph standing in for one (<p
 * class="titulo">): the first of them equal to the title is the
 * headline. */
static bool is_heading_like(const bp_rec *r) {
  return r->kind == GALLEY_NODE_HEADING ||
         (r->kind == GALLEY_NODE_PARAGRAPH && r->text < 300);
}

/* A list of headlines: three or more items, (nearly) each one short line,
 * mostly link, with at most one sentence end ("The strange life of a
 * coder"). A list of changes that each cite a bug number is prose. */
static bool teaser_list(const bp_ctx *c, const bp_rec *r) {
  size_t self = (size_t)(r - c->rec), items = 0, teasers = 0;
  for (size_t i = self + 1; i < (size_t)r->end; i = (size_t)c->rec[i].end) {
    const bp_rec *it = &c->rec[i];
    if (it->kind != GALLEY_NODE_ITEM)
      return false;
    items++;
    if (it->link * 2 >= it->text && it->text <= 110 && it->stops <= 1)
      teasers++;
  }
  /* One odd item (a promotion written as a sentence) does not save it. */
  return items >= 3 && teasers * 5 >= items * 4;
}

/* A list of two or more items, each with a link in it, nearly all (four
 * in five) a line of under 120 characters with at most one sentence
 * end. */
static bool headline_items(const bp_ctx *c, const bp_rec *r) {
  size_t self = (size_t)(r - c->rec), items = 0, lines = 0;
  for (size_t i = self + 1; i < (size_t)r->end; i = (size_t)c->rec[i].end) {
    const bp_rec *it = &c->rec[i];
    if (it->kind != GALLEY_NODE_ITEM || it->link == 0)
      return false;
    items++;
    if (it->text < 120 && it->stops <= 1)
      lines++;
  }
  return items >= 2 && lines * 5 >= items * 4;
}

/* A teaser: a short box (under 300 characters, no long paragraph) that
 * links to another page by its title: a picture and a headline, perhaps a
 * line of summary. */
static bool teaser_item(const bp_rec *it) {
  if (it->kind != GALLEY_NODE_DIV && it->kind != GALLEY_NODE_ITEM)
    return false;
  return it->text > 0 && it->text < 300 && it->link >= 8 &&
         it->link * 10 >= it->text && it->paras <= 1 && it->stops <= 3;
}

/* A block of teasers: three or more child boxes, nearly all of them
 * teasers (a heading over them aside): "Most popular", a related-posts
 * grid, written as boxes rather than a list. Two are enough under a label
 * that says so ("Related", "You may also like", "More from …"). */
static bool related_label(bp_ctx *c, const bp_rec *r) {
  if (r->text == 0 || r->text > 40)
    return false;
  char *t = bp_node_text(c->doc, r->node);
  if (!t)
    return false;
  static const char *const labels[] = {
      "related",          "related posts",  "related articles",
      "related stories",  "related content", "you may also like",
      "you might also like", "more stories", "more from",
      "most popular",     "most read",      "recommended",
      "recommended for you", "read next",   "read more",
      "also read",        "see also",       "further reading",
      "popular posts",    "trending",       "more like this",
      NULL};
  char low[48];
  size_t o = 0;
  for (const char *q = t; *q && o + 1 < sizeof low; q++)
    if (!strchr(":.!?\xe2\x80\xa6", *q))
      low[o++] = (char)tolower((unsigned char)*q);
  while (o > 0 && low[o - 1] == ' ')
    o--;
  low[o] = '\0';
  for (size_t i = 0; labels[i]; i++)
    if (strcmp(low, labels[i]) == 0 ||
        (strncmp(low, labels[i], strlen(labels[i])) == 0 &&
         strcmp(labels[i], "more from") == 0))
      return true;
  return false;
}

static bool teaser_block(bp_ctx *c, const bp_rec *r) {
  size_t self = (size_t)(r - c->rec), boxes = 0, teasers = 0;
  bool labelled = false, first = true;
  for (size_t i = self + 1; i < (size_t)r->end; i = (size_t)c->rec[i].end) {
    const bp_rec *it = &c->rec[i];
    if (first && (it->kind == GALLEY_NODE_HEADING ||
                  it->kind == GALLEY_NODE_PARAGRAPH) &&
        related_label(c, it)) {
      labelled = true;
      first = false;
      continue;
    }
    first = false;
    if (it->kind == GALLEY_NODE_HEADING || it->text == 0)
      continue;
    boxes++;
    if (teaser_item(it))
      teasers++;
  }
  if (labelled)
    return teasers >= 2 && teasers * 5 >= boxes * 4;
  return teasers >= 3 && teasers * 5 >= boxes * 4;
}

/* The host of an absolute web address without a leading "www.", as
 * [*start, *start + *len); false for anything else. */
static bool url_host(const char *u, const char **start, size_t *len) {
  if (!u)
    return false;
  const char *p = strstr(u, "://");
  if (!p || (strncasecmp(u, "http", 4) != 0))
    return false;
  p += 3;
  if (strncasecmp(p, "www.", 4) == 0)
    p += 4;
  size_t n = strcspn(p, "/:?#");
  if (n == 0)
    return false;
  *start = p;
  *len = n;
  return true;
}

/* Rule off-site-links: links that lead away from the page's own site (a
 * change log citing its bug tracker, a list of sources) are the
 * article's references, not the site's navigation; teasers and menus
 * link to the site itself. True when the block has two or more links
 * and two thirds of them go to another host than the page's URL (which
 * must be known), and prose of the article follows it (a list of
 * sources at the end is judged as before). */
/* What cleaning works out once for the whole pass (linear): where the
 * article's last paragraph of prose is, and each block's off-site
 * verdict (0 not asked yet, 1 yes, -1 no). */
typedef struct bp_clean {
  size_t last_prose; /* index of the last prose paragraph, or 0 */
  signed char *offsite;
} bp_clean;

static bool offsite_links(bp_ctx *c, bp_clean *k, const bp_rec *r) {
  size_t self = (size_t)(r - c->rec);
  if (k->offsite[self])
    return k->offsite[self] > 0;
  k->offsite[self] = -1;
  const char *page, *h;
  size_t plen, hlen;
  if (!url_host(galley_doc_get_meta(c->doc, GALLEY_META_URL), &page, &plen))
    return false;
  size_t links = 0, away = 0;
  for (size_t i = self + 1; i < (size_t)r->end; i++) {
    if (c->rec[i].kind != GALLEY_NODE_LINK)
      continue;
    links++;
    if (url_host(galley_node_get_url(c->rec[i].node), &h, &hlen) &&
        !(hlen == plen && strncasecmp(h, page, plen) == 0))
      away++;
  }
  /* Cleaning runs on what is left of the page: the article. */
  if (links >= 2 && away * 3 >= links * 2 && k->last_prose >= (size_t)r->end)
    k->offsite[self] = 1;
  return k->offsite[self] > 0;
}

static bool has_price(const char *t);

/* Readability's conditional cleaning, with our names: a container inside the
 * article goes when its shape says it is not prose. */
static const char *judge_container(bp_ctx *c, bp_clean *k, const bp_rec *r) {
  if (r->kind != GALLEY_NODE_DIV && r->kind != GALLEY_NODE_LIST &&
      r->kind != GALLEY_NODE_TABLE)
    return NULL;
  if (article_hint(r->node))
    return NULL;
  /* An inline element that held blocks (a <span> or <cite> the reader
   * made a container) is part of its paragraph; judge the block around. */
  const char *tag = galley_node_get_tag(r->node);
  if (r->kind == GALLEY_NODE_DIV && tag &&
      (strcmp(tag, "span") == 0 || strcmp(tag, "cite") == 0 ||
       strcmp(tag, "a") == 0 || strcmp(tag, "small") == 0 ||
       strcmp(tag, "label") == 0 || strcmp(tag, "em") == 0 ||
       strcmp(tag, "strong") == 0 || strcmp(tag, "b") == 0 ||
       strcmp(tag, "i") == 0 || strcmp(tag, "figure") == 0 ||
       strcmp(tag, "figcaption") == 0))
    return NULL;
  int weight = class_weight(c, r->node);
  double ld = link_density(r);
  bool is_list = r->kind == GALLEY_NODE_LIST;
  if (r->text == 0)
    return NULL; /* empty: rule_empty_lists, after the cleaning */
  if (weight < 0 && r->paras < 2 &&
      !((caption_box(c, r) || in_caption_node(c, r)) &&
        !node_words(c, r->node).strong))
    return "chrome-class";
  if (r->commas >= 10)
    return NULL;
  unsigned paras = r->paras;
  if (!is_list && r->items > paras + 1 && ld > 0.3)
    return "link-list";
  /* Items of 80+ characters on average are prose, links or not. */
  bool prose_items = is_list && r->items && r->text / r->items >= 80;
  if (is_list && r->text < 400) {
    /* A product's places to buy it, with prices, is not navigation. */
    char *t = bp_node_text(c->doc, r->node);
    if (t && has_price(t))
      return NULL;
  }
  bool references = is_list && offsite_links(c, k, r);
  if (is_list && ld > 0.5 && r->stops < r->items && !prose_items &&
      !references)
    return "link-list";
  if (is_list && teaser_list(c, r) && !references)
    return "link-list";
  if (!is_list && r->kind == GALLEY_NODE_DIV && teaser_block(c, r))
    return "teaser-block";
  if (!is_list && weight < 25 && ld > 0.33 && r->text > 0)
    return "link-dense";
  if (weight >= 25 && ld > 0.5)
    return "link-dense";
  if (r->images > 1 && paras * 2 < r->images && !r->figures && r->text < 200)
    return "image-strip";
  return NULL;
}

/* A paragraph under 600 characters that is 60% link text: what a label
 * for links elsewhere may stand over. */
static bool mostly_links(const bp_rec *r) {
  return r->kind == GALLEY_NODE_PARAGRAPH && r->text < 600 &&
         r->link * 10 >= r->text * 6;
}

/* A paragraph that opens with a label for links elsewhere ("DON'T MISS",
 * "Related:", "Read more:") and is mostly those links. */
static bool labelled_links(bp_ctx *c, const bp_rec *r) {
  if (!mostly_links(r))
    return false;
  char *t = bp_node_text(c->doc, r->node);
  if (!t)
    return false;
  static const char *const labels[] = {
      "don't miss",  "don\xe2\x80\x99t miss", "related",   "read more",
      "see also",    "also read",           "read also", "read next",
      "more:",       "most read",           "recommended", "you may also like",
      "you might also like", NULL};
  for (size_t i = 0; labels[i]; i++)
    if (strncasecmp(t, labels[i], strlen(labels[i])) == 0)
      return true;
  return false;
}

/* Rule labelled-list, written as a paragraph: the links under a removed
 * label for more reading ("DON'T MISS", then "Headline [INSIGHT] |
 * Headline [VIDEO]"), two or more of them, 60% of its text, set on
 * lines of their own. */
static bool labelled_link_lines(bp_ctx *c, const bp_rec *r) {
  if (!mostly_links(r))
    return false;
  size_t links = 0, breaks = 0;
  for (int i = (int)(r - c->rec) + 1; i < r->end; i++) {
    galley_kind kind = c->rec[i].kind;
    links += kind == GALLEY_NODE_LINK;
    breaks += kind == GALLEY_NODE_LINE_BREAK;
  }
  return links >= 2 && breaks + 1 >= links;
}

/* A price: a currency sign next to a digit ("$39.99", "£11", "49 €"). */
static bool has_price(const char *t) {
  static const char *const signs[] = {"$", "\xc2\xa3", "\xe2\x82\xac",
                                      "\xc2\xa5", "\xe2\x82\xb9", NULL};
  for (size_t i = 0; signs[i]; i++) {
    size_t l = strlen(signs[i]);
    for (const char *f = strstr(t, signs[i]); f; f = strstr(f + l, signs[i]))
      if (isdigit((unsigned char)f[l]) ||
          (f > t + 1 && f[-1] == ' ' && isdigit((unsigned char)f[-2])) ||
          (f > t && isdigit((unsigned char)f[-1])))
        return true;
  }
  return false;
}

static bool link_only_paragraph(bp_ctx *c, bp_clean *k, const bp_rec *r) {
  if (labelled_links(c, r))
    return true;
  if (r->kind != GALLEY_NODE_PARAGRAPH || r->text == 0 || r->text >= 120 ||
      r->link * 10 < r->text * 9)
    return false;
  /* A quote offered for sharing ("click to tweet"): its link is a share
   * intent, its words are the article's. */
  if (r->text >= 40)
    for (size_t i = (size_t)(r - c->rec) + 1; i < (size_t)r->end; i++)
      if (c->rec[i].kind == GALLEY_NODE_LINK &&
          share_intent(galley_node_get_url(c->rec[i].node)))
        return false;
  /* "Get it on Amazon for $39.99": a product's price and where to buy
   * it, the substance of a buying guide. */
  char *t = bp_node_text(c->doc, r->node);
  if (t && has_price(t))
    return false;
  /* Part of a list item with more text (a reference whose title is its
   * link, then the publisher and date, split by a block inside the
   * <cite>): the item is judged as a whole. */
  int hops = 0;
  for (int p = r->parent; p > 0 && hops < 2; p = c->rec[p].parent, hops++)
    if (c->rec[p].kind == GALLEY_NODE_ITEM) {
      if (c->rec[p].text > r->text + 3)
        return false;
      /* An item of a list of places to buy a product, with prices. */
      const bp_rec *list = &c->rec[c->rec[p].parent];
      if (list->kind == GALLEY_NODE_LIST && list->text < 400) {
        char *lt = bp_node_text(c->doc, list->node);
        if (lt && has_price(lt))
          return false;
      }
      /* An item of a list of the article's references (off-site-links). */
      if (list->kind == GALLEY_NODE_LIST && offsite_links(c, k, list))
        return false;
      break;
    }
  return true;
}

/* Lines that label page furniture when they stand alone. */
static const char *const label_lines[] = {
    "advert",  "advertisement", "ad",
    "ads",     "sponsored",     "comments",
    "comment", "caption",       "close",
    "more",    "related",       "share",
    "print",   "email",         "menu",
    "search",  "loading",       "continue reading",
    "anzeige", "publicidad",    "publicité",
    "pubblicità", "publicidade", "iklan",
    "реклама", "terkait",       "теги",
    NULL};

/* "Image 1 of 5", "Photo 2/9", "3 of 12": a gallery's counter. */
static bool is_counter(const char *t) {
  static const char *const words[] = {"image ", "photo ", "slide ", "picture ",
                                      NULL};
  for (size_t i = 0; words[i]; i++)
    if (strncasecmp(t, words[i], strlen(words[i])) == 0) {
      t += strlen(words[i]);
      break;
    }
  if (!isdigit((unsigned char)*t))
    return false;
  while (isdigit((unsigned char)*t))
    t++;
  while (*t == ' ')
    t++;
  if (strncasecmp(t, "of", 2) == 0)
    t += 2;
  else if (*t == '/')
    t++;
  else
    return false;
  while (*t == ' ')
    t++;
  if (!isdigit((unsigned char)*t))
    return false;
  while (isdigit((unsigned char)*t))
    t++;
  while (*t == ' ')
    t++;
  return *t == '\0';
}

/* "6", "12 ": a number alone, which in a figure is its gallery's count of
 * pictures. */
static bool is_bare_number(const char *t) {
  while (*t == ' ')
    t++;
  size_t digits = strspn(t, "0123456789");
  t += digits;
  while (*t == ' ')
    t++;
  return digits && digits <= 4 && *t == '\0';
}

/* "5 min read", "Reading time: 4 minutes", "Tempo de leitura: 2 minutos":
 * the reading time a page prints under its headline. */
static bool is_reading_time(const char *t) {
  size_t n = strlen(t);
  if (n > 60 || !strpbrk(t, "0123456789"))
    return false;
  static const char *const phrases[] = {
      "min read",          "minute read",      "minutes read",
      "mins read",         "reading time",     "read time",
      "tempo de leitura",  "tiempo de lectura", "temps de lecture",
      "lesezeit",          "leestijd",         "tempo di lettura",
      NULL};
  char low[64];
  for (size_t i = 0; i <= n; i++)
    low[i] = (char)tolower((unsigned char)t[i]);
  return has_any(low, phrases);
}

/* "0 Comments", "12 comentários", "3 Kommentare": a comment counter. */
static bool is_comment_count(const char *t) {
  if (!isdigit((unsigned char)*t))
    return false;
  while (isdigit((unsigned char)*t))
    t++;
  while (*t == ' ')
    t++;
  static const char *const words[] = {"comment",    "comments",  "comentario",
                                      "comentarios", "comentário", "comentários",
                                      "kommentar",  "kommentare", "commentaire",
                                      "commentaires", "commenti",  "reactions",
                                      "responses",  "replies",    NULL};
  for (size_t i = 0; words[i]; i++)
    if (strcasecmp(t, words[i]) == 0)
      return true;
  return false;
}

/* "Media playback is unsupported on your device", "Your browser does not
 * support the video tag": what a player says where it cannot play, left in
 * the page for browsers without its script. */
static bool is_player_message(const char *t) {
  static const char *const phrases[] = {
      "playback is unsupported", "playback is not supported",
      "playback isn't supported", "does not support the video",
      "doesn't support the video", "does not support html5 video",
      "does not support the audio", "doesn't support the audio",
      "does not support video", "does not support audio",
      "enable javascript to watch", "enable javascript to view",
      "javascript is required to play", NULL};
  char low[160];
  return lower_into(low, sizeof low, t) && has_any(low, phrases);
}

static bool is_label_line(const char *t) {
  if (is_counter(t) || is_reading_time(t) || is_comment_count(t) ||
      is_player_message(t) ||
      (strncasecmp(t, "disclaimer:", 11) == 0 && strlen(t) < 1200))
    return true;
  /* A list of the article's tags or categories. */
  static const char *const lists[] = {
      "tags:",       "tags ",       "tagged:", "tagged with",
      "filed under", "categories:", "topics:", NULL};
  for (size_t i = 0; lists[i]; i++)
    if (strncasecmp(t, lists[i], strlen(lists[i])) == 0 && strlen(t) < 400 &&
        !bp_ends_sentence(t))
      return true;
  char buf[40];
  size_t o = 0;
  for (const char *p = t; *p && o + 1 < sizeof buf; p++)
    if (!strchr(" :.!?\t", *p) || (o > 0 && *p == ' ' && p[1] && p[1] != ' '))
      buf[o++] = (char)tolower((unsigned char)*p);
  buf[o] = '\0';
  if (strlen(t) >= sizeof buf - 1)
    return false;
  for (size_t i = 0; label_lines[i]; i++)
    if (strcmp(buf, label_lines[i]) == 0)
      return true;
  return false;
}

/* A line that is mostly web addresses, two or more, written out or as
 * the text of their links (image lists and tracking data that leaked into
 * the text; "Listen: http://po.st/… Download: http://po.st/…"). */
static size_t space_at(const char *p) {
  if (*p == ' ' || *p == '\t' || *p == '\n')
    return 1;
  return (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0 ? 2 : 0;
}

static bool is_url_line(const char *t) {
  size_t total = 0, url = 0, urls = 0;
  for (const char *p = t; *p;) {
    for (size_t sp; (sp = space_at(p)) != 0;)
      p += sp;
    const char *w = p;
    while (*p && !space_at(p))
      p++;
    size_t n = (size_t)(p - w);
    total += n;
    if ((*w == 'h' && (strncmp(w, "http://", 7) == 0 ||
                       strncmp(w, "https://", 8) == 0)) ||
        (*w == 'w' && strncmp(w, "www.", 4) == 0)) {
      url += n;
      urls++;
    }
  }
  /* One address alone, or with its citation, is a source the article
   * cites: a leak is a run of them. */
  return urls >= 2 && url * 2 > total;
}

/* A line of at most ten words, not a sentence, that the recogniser calls a
 * dateline ("Updated 1:39 am EST, Wednesday, November 20, 2019", "5:45 AM
 * PST 11/19/2019 by Patrick Shanley"): the date is metadata. A short line
 * that only mentions a date ("Posted by kovarex, TOGos on 2019-02-15, all
 * posts") is not one. */
static bool is_date_line(const bp_rec *r, const char *t) {
  galley_date d;
  /* A line set out in parts ("Le Monde | 04.05.2015 à 13h36 • Mis à jour
   * le 05.05.2015 | Par Martin Untersinger") may be longer: ten words a
   * part, as the recogniser checks each part; four parts at most, so a
   * longer text (a paragraph of prose) is none, its parts not counted. */
  if (r->text > 80 * 4)
    return false;
  unsigned parts = 1;
  for (const char *p = strchr(t, ' '); p; p = strchr(p + 1, ' '))
    if (strncmp(p, " | ", 3) == 0 || strncmp(p, " \xe2\x80\xa2 ", 5) == 0 ||
        strncmp(p, " \xc2\xb7 ", 4) == 0)
      parts++;
  if (parts > 4)
    parts = 4;
  if (r->text > 80 * parts || !galley_recognise_dateline(t, strlen(t), &d))
    return false;
  unsigned words = 0;
  for (const char *p = t; *p; p++)
    if (*p == ' ')
      words++;
  /* A closing parenthesis ends a sentence only after . ! or ?: "Par
   * Martin Untersinger (avec Damien Leloup)" is no sentence. */
  size_t n = strlen(t);
  bool sentence = bp_ends_sentence(t);
  if (sentence && n >= 2 && t[n - 1] == ')' && !strchr(".!?", t[n - 2]))
    sentence = false;
  return words <= 10 * parts && !sentence;
}

/* Inside a figure, or a box that is one (caption_box). */
static bool in_caption(bp_ctx *c, const bp_rec *r) {
  if (in_figure(c, r))
    return true;
  int hops = 0;
  for (int p = r->parent; p > 0 && hops < 3; p = c->rec[p].parent, hops++)
    if (is_container(c->rec[p].kind) && caption_box(c, &c->rec[p]))
      return true;
  return false;
}

/* The small words inside a name: "Mark di Stefano", "Ludwig van Beethoven",
 * "Maria dos Santos". */
static bool name_particle(const char *p) {
  static const char *const words[] = {
      "di ", "de ", "da ", "del ", "della ", "van ", "von ", "der ", "den ",
      "du ", "la ", "le ", "dos ", "das ", "ter ", "ten ", "bin ", "ibn ",
      "al-", "el-", NULL};
  for (size_t i = 0; words[i]; i++)
    if (strncmp(p, words[i], strlen(words[i])) == 0)
      return true;
  return false;
}

/* "Ascom is a global provider…", "Regan is a Connecticut native…": one to
 * five capitalised words (a name's particles aside: "Mark di Stefano"),
 * then "is a", "is an", "is the" or "was a". */
static bool is_self_description(const char *t) {
  static const char *const first[] = {"I am a ", "I am an ", "I'm a ",
                                      "I'm an ", "I\xe2\x80\x99m a ",
                                      "I\xe2\x80\x99m an ", NULL};
  for (size_t i = 0; first[i]; i++)
    if (strncmp(t, first[i], strlen(first[i])) == 0)
      return true;
  const char *p = t;
  for (int words = 0; words < 6; words++) {
    if (!isupper((unsigned char)*p) && !((unsigned char)*p & 0x80) &&
        !(words > 0 && name_particle(p)))
      return false;
    while (*p && *p != ' ')
      p++;
    if (*p != ' ')
      return false;
    p++;
    static const char *const verbs[] = {"is a ",  "is an ", "is the ",
                                        "was a ", "are a ", NULL};
    for (size_t v = 0; verbs[v]; v++)
      if (strncmp(p, verbs[v], strlen(verbs[v])) == 0)
        return true;
  }
  return false;
}

/* A paragraph short enough for the byline rule that the recogniser reads
 * as a byline; `first` gets its first name. */
static bool byline_para(const bp_rec *r, const char *t, galley_span *first) {
  galley_byline by;
  if (r->kind != GALLEY_NODE_PARAGRAPH || r->text >= 80 ||
      !galley_recognise_byline(t, strlen(t), 0, &by))
    return false;
  *first = by.names[0];
  return true;
}

/* True when the article holds bylines of two different people: it is a
 * listing (a front page, a weekly edition) whose items each carry their
 * own byline, and those bylines are part of the items ("By Nathan Willis"
 * over one story, "By Jonathan Corbet" over the next). An article's own
 * byline, even said twice, names the same people. */
static int listing_bylines(bp_ctx *c, int top, bool *listing) {
  const char *seen = NULL;
  size_t seen_len = 0;
  *listing = false;
  for (size_t i = (size_t)top + 1; i < (size_t)c->rec[top].end; i++) {
    const bp_rec *r = &c->rec[i];
    if (r->rule) {
      i = (size_t)r->end - 1;
      continue;
    }
    if (r->kind != GALLEY_NODE_PARAGRAPH || r->text >= 80)
      continue;
    char *t = bp_node_text(c->doc, r->node);
    if (!t)
      return GALLEY_ENOMEM;
    galley_span name;
    if (!byline_para(r, t, &name))
      continue;
    if (!seen) {
      seen = t + name.start;
      seen_len = name.len;
    } else if (name.len != seen_len ||
               memcmp(seen, t + name.start, name.len) != 0) {
      *listing = true;
      return GALLEY_OK;
    }
  }
  return GALLEY_OK;
}

/* An e-mail address: letters, '@', a domain with a dot. */
static bool has_email(const char *t) {
  for (const char *at = strchr(t, '@'); at; at = strchr(at + 1, '@')) {
    if (at == t || !isalnum((unsigned char)at[-1]))
      continue;
    const char *d = at + 1;
    while (isalnum((unsigned char)*d) || *d == '-')
      d++;
    if (d > at + 1 && *d == '.' && isalpha((unsigned char)d[1]))
      return true;
  }
  return false;
}

/* A telephone number given as one, to call: "202-628-8500 tel", "Tel.
 * +44 (0)20 7946 0000", "phone (555) 010-2345": a run of nine or more
 * digits in groups (spaces, '-', '.', '/', parentheses, '+' between them)
 * and the word tel, phone, telephone, fax or call. */
static bool has_phone(const char *low) {
  static const char *const labels[] = {"tel", "tel.", "phone", "telephone",
                                       "fax", "call", NULL};
  bool label = false;
  for (size_t i = 0; labels[i] && !label; i++)
    label = has_phrase(low, labels[i]);
  if (!label)
    return false;
  size_t digits = 0;
  for (const char *p = low; *p; p++) {
    if (isdigit((unsigned char)*p)) {
      if (++digits >= 9)
        return true;
    } else if (!(digits && strchr(" -./()+", *p) &&
                 (isdigit((unsigned char)p[1]) || strchr(" -./()+", p[1])))) {
      digits = 0;
    }
  }
  return false;
}

/* What ends an article without being part of it: an invitation, an
 * author's contact, a credit for reporting, an affiliate notice. Phrases
 * that address the reader or speak of the article, not phrases that
 * merely mention subscribers or a book. */
static const char *const promo_phrases[] = {
    "subscribe to our", "subscribe now",     "subscribe to the",
    "subscribe for",    "sign up for",       "sign up to",
    "sign up here",     "join our",          "join the conversation",
    "follow us",        "follow him",        "follow her",
    "follow me",        "follow them",       "may earn",
    "earn a commission", "affiliate commission", "affiliate link",
    "comments are closed", "like this:",     "contributed reporting",
    "reach the reporters",
    "contributed to this report", "reach the reporter", "write to ",
    "email us",         "e-mail us",         "get the latest",
    "if you enjoyed",    "support our",
    "have a tip",       "may be reached",    "full coverage",
    "click here",       "read more",
    "listen to",        "download the",
    "podcast on",       NULL};

static bool is_promo(const char *t) {
  char low[700];
  if (!lower_into(low, sizeof low, t))
    return false;
  if (any_phrase(low, promo_phrases))
    return true;
  /* "Follow The Times on Facebook", "Follow Newsbeat on Instagram". */
  static const char *const nets[] = {"twitter", "facebook", "instagram",
                                     "linkedin", "youtube", NULL};
  for (const char *f = strstr(low, "follow "); f; f = strstr(f + 1, "follow "))
    for (size_t k = 0; nets[k]; k++) {
      const char *net = strstr(f, nets[k]);
      if (net && net - f < 80)
        return true;
    }
  /* A short line with the author's address, or the site's: "The Hill
   * 1625 K Street … | 202-628-8500 tel | 202-628-8503 fax". */
  return strlen(t) < 300 && (has_email(t) || has_phone(low));
}

/* The first place of needle (ASCII) in t, ignoring case. */
static const char *ci_find(const char *t, const char *needle) {
  return galley_find_ci(t, strlen(t), needle);
}

/* True when one of `list` (ASCII, lower case) occurs in t, in any case. */
static bool ci_any(const char *t, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (ci_find(t, list[i]))
      return true;
  return false;
}

/* Rule copyright-line: a short paragraph that states who owns the page
 * ("The contents of this site are ©2019 Capitol Hill Publishing Corp.",
 * "Copyright 2019 The Associated Press. All rights reserved."): the
 * copyright sign or word next to a year, or "all rights reserved". */
static bool is_copyright(const char *t) {
  if (strlen(t) >= 300)
    return false;
  if (ci_find(t, "all rights reserved"))
    return true;
  static const char *const marks[] = {"\xc2\xa9", "copyright", "(c)", NULL};
  for (size_t i = 0; marks[i]; i++)
    for (const char *f = ci_find(t, marks[i]); f;
         f = ci_find(f + 1, marks[i])) {
      const char *y = f + strlen(marks[i]);
      for (int k = 0; k < 4 && *y && !isdigit((unsigned char)*y); k++)
        y++;
      if ((strncmp(y, "19", 2) == 0 || strncmp(y, "20", 2) == 0) &&
          isdigit((unsigned char)y[2]) && isdigit((unsigned char)y[3]) &&
          !isdigit((unsigned char)y[4]))
        return true;
    }
  return false;
}

/* Rule comment-policy: a short notice about the comments under the
 * article ("Note: we are temporarily moderating all comments",
 * "Comentários … não serão aprovados pelo moderador"): a word for
 * comments and a word for moderation or rules in one paragraph. */
static bool is_comment_policy(const char *t) {
  if (strlen(t) >= 400)
    return false;
  static const char *const comments[] = {"comment", "coment", "kommentar",
                                         "commentaire", NULL};
  static const char *const rules[] = {"moderat", "aprovad", "approv",
                                      "guideline", "policy", "netiquette",
                                      "respeito", "respect", NULL};
  return ci_any(t, comments) && ci_any(t, rules);
}

/* The first walk of rule_clean: each block of the article, judged. */
static int rule_clean_blocks(bp_ctx *c, int top, bp_clean *k) {
  bool listing;
  int headline_done = 0;
  if (listing_bylines(c, top, &listing) != GALLEY_OK)
    return GALLEY_ENOMEM;
  size_t label_end = 0; /* the record after a dropped label line */
  enum { CAPTIONS = 64 };
  const char *captions[CAPTIONS];
  size_t n_captions = 0;
  for (size_t i = (size_t)top + 1; i < (size_t)c->rec[top].end; i++) {
    bp_rec *r = &c->rec[i];
    if (r->rule)
      continue;
    /* Rule labelled-list: the list under a label line that was dropped
     * ("More Great WIRED Stories", "Related") goes with it when each of
     * its items is a short line with a link: the label says what the
     * list is, so the items need not be all link. */
    const char *why = judge_container(c, k, r);
    if (!why && i == label_end && r->kind == GALLEY_NODE_LIST &&
        headline_items(c, r))
      why = "labelled-list";
    if (why) {
      if (drop(c, (int)i, why) != GALLEY_OK)
        return GALLEY_ENOMEM;
      i = (size_t)r->end - 1;
      continue;
    }
    if (r->kind != GALLEY_NODE_HEADING && r->kind != GALLEY_NODE_PARAGRAPH)
      continue;
    char *t = bp_node_text(c->doc, r->node);
    if (!t)
      return GALLEY_ENOMEM;
    galley_byline by;
    galley_credit credit = r->text < 300
                               ? galley_recognise_credit(t, strlen(t), NULL)
                               : GALLEY_CREDIT_NONE;
    why = NULL;
    if (is_heading_like(r) && !c->keep_title && !headline_done && c->headline &&
        bp_same_text(t, c->headline)) {
      headline_done = 1;
      why = "headline-in-metadata";
    } else if (r->text < 160 && r->stops <= 2 &&
               (is_cta(t) || is_inbox_offer(t, r->link > 0))) {
      why = "call-to-action";
    } else if (link_only_paragraph(c, k, r)) {
      why = "link-line";
    } else if (i == label_end && labelled_link_lines(c, r)) {
      why = "labelled-list";
    } else if (r->text < 80 && galley_recognise_byline(t, strlen(t), 0, &by)) {
      if (!listing)
        why = "byline";
    } else if (is_label_line(t) || (in_figure(c, r) && is_bare_number(t))) {
      why = "label-line";
    } else if (r->text < 300 && credit == GALLEY_CREDIT_REPORTING) {
      why = "credit-line";
    } else if (is_date_line(r, t)) {
      why = "date-line";
    } else if (r->text <= 240 && credit == GALLEY_CREDIT_PICTURE &&
               !in_figure(c, r)) {
      why = "image-credit";
    } else if (is_url_line(t)) {
      why = "url-line";
    } else if (r->text < 300 && is_copyright(t)) {
      why = "copyright-line";
    } else if (r->text < 400 && r->stops <= 3 && is_comment_policy(t)) {
      why = "comment-policy";
    }
    /* A label for more reading: a paragraph goes now, a heading with its
     * section (list-heading, below); either way the list under it is
     * asked as labelled. */
    bool label = !why && r->text <= 40 && related_label(c, r);
    if (label && r->kind == GALLEY_NODE_PARAGRAPH)
      why = "label-line";
    /* Rule repeated-caption: a caption said again word for word under
     * another picture (one line under every photo of a gallery) is said
     * once. A paragraph that holds the picture is not a caption: its
     * text is the picture's alt text (which rule alt-repeats-text empties
     * when the caption says it too). */
    if (!why && r->kind == GALLEY_NODE_PARAGRAPH && r->text > 0 &&
        r->text < 300 && !r->images && in_caption(c, r)) {
      bool again = false;
      for (size_t q = 0; q < n_captions && !again; q++)
        again = bp_same_text(t, captions[q]);
      if (again)
        why = "repeated-caption";
      else if (n_captions < CAPTIONS)
        captions[n_captions++] = t;
    }
    if (why && drop(c, (int)i, why) != GALLEY_OK)
      return GALLEY_ENOMEM;
    if (label || (why && r->text <= 60 && (strcmp(why, "call-to-action") == 0 ||
                                           strcmp(why, "label-line") == 0)))
      label_end = (size_t)r->end;
    i = (size_t)r->end - 1;
  }
  return GALLEY_OK;
}

/* The walks of rule_clean over the article's end: about-blurb, end-promo,
 * list-heading. */
static int rule_clean_ends(bp_ctx *c, int top) {
  /* Rule about-blurb: among the last three paragraphs, one that is alone
   * in its block (first in its container or after a rule, and last) and
   * reads "<Name> is a …" is the site's or the author's
   * self-description. */
  /* What is gone already: a dropped node or one inside it (one forward
   * pass; parents come before children). */
  bool *gone = calloc(c->n, sizeof *gone);
  if (!gone)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  for (size_t i = 1; i < c->n; i++)
    gone[i] = c->rec[i].rule != NULL || gone[c->rec[i].parent];
  size_t seen = 0;
  int rc = GALLEY_OK;
  for (size_t i = (size_t)c->rec[top].end;
       i-- > (size_t)top + 1 && seen < 3 && rc == GALLEY_OK;) {
    bp_rec *r = &c->rec[i];
    if (r->kind != GALLEY_NODE_PARAGRAPH || r->text < 40 || gone[i])
      continue;
    seen++;
    galley_node *prev = galley_node_prev(r->node);
    galley_kind pk = prev ? galley_node_kind(prev) : GALLEY_NODE_NONE;
    /* After a rule, or after the author's name as a short heading. */
    if (prev && pk != GALLEY_NODE_THEMATIC_BREAK &&
        !(pk == GALLEY_NODE_HEADING && !galley_node_prev(prev) &&
          bp_utf8_len(bp_node_text(c->doc, prev)) < 60))
      continue;
    /* A definition that starts a section ("BED is a condition…") has more
     * of the section after it; a blurb ends its block. */
    galley_node *next = galley_node_next(r->node);
    if (next && galley_node_kind(next) == GALLEY_NODE_PARAGRAPH)
      continue;
    if (r->text > 900)
      continue;
    char *t = bp_node_text(c->doc, r->node);
    if (!t)
      rc = GALLEY_ENOMEM;
    else if (is_self_description(t))
      rc = drop(c, (int)i, "about-blurb");
  }
  /* Rule end-promo: from the article's end backwards, the blocks after its
   * last paragraph of prose that invite, credit or sell ("Follow him on
   * Twitter", "Write to … at name@example.com", "X contributed
   * reporting", "may earn a commission"), whatever their number of
   * sentences. A paragraph of 150+ characters that is not one ends the
   * walk: the article's own prose is never judged. */
  size_t walked = 0;
  for (size_t i = (size_t)c->rec[top].end;
       i-- > (size_t)top + 1 && walked < 8 && rc == GALLEY_OK;) {
    bp_rec *r = &c->rec[i];
    if ((r->kind != GALLEY_NODE_PARAGRAPH && r->kind != GALLEY_NODE_HEADING) ||
        r->text == 0 || gone[i] || r->rule)
      continue;
    if (in_figure(c, r))
      continue;
    walked++;
    char *t = r->text < 700 ? bp_node_text(c->doc, r->node) : NULL;
    if (r->text < 700 && !t) {
      rc = GALLEY_ENOMEM;
      break;
    }
    if (t && (is_promo(t) || is_inbox_offer(t, r->link > 0)))
      rc = drop(c, (int)i, "end-promo");
    else if (r->kind == GALLEY_NODE_PARAGRAPH && r->text >= 150)
      break;
  }
  free(gone);
  if (rc != GALLEY_OK)
    return rc;
  /* Rule list-heading: a heading whose section was dropped ("More Great
   * Stories" over a link list), or that ends the article, goes with it. */
  for (size_t i = (size_t)top + 1; i < (size_t)c->rec[top].end; i++) {
    bp_rec *r = &c->rec[i];
    if (r->rule) {
      i = (size_t)r->end - 1;
      continue;
    }
    if (r->kind != GALLEY_NODE_HEADING || r->text > 80)
      continue;
    size_t j = (size_t)r->end;
    int parent = r->parent;
    bool next_dropped = false, last = true;
    while (j < (size_t)c->rec[parent].end) {
      if (!c->rec[j].rule) {
        last = false;
        break;
      }
      next_dropped = true;
      j = (size_t)c->rec[j].end;
    }
    if ((next_dropped && (last || c->rec[j].kind == GALLEY_NODE_HEADING)) ||
        (last && parent == top && (size_t)r->end == (size_t)c->rec[top].end)) {
      if (drop(c, (int)i, "list-heading") != GALLEY_OK)
        return GALLEY_ENOMEM;
    }
    i = (size_t)r->end - 1;
  }
  return GALLEY_OK;
}

/* Rule chart-labels: a box of one picture and four or more short lines
 * that end no sentence (under 40 characters, no link), and nothing
 * longer: the labels a chart's text layer draws over its picture (ai2html's
 * "$900", "billion", "'28", each page width's copy again). Out of their
 * places they read as a list of scraps; the picture stays. */
static int rule_chart_labels(bp_ctx *c, int top) {
  /* Inner boxes first (children come after their parent): the labels are
   * the picture's own box's, not the lines around the chart. */
  for (size_t i = (size_t)c->rec[top].end; i-- > (size_t)top + 1;) {
    const bp_rec *r = &c->rec[i];
    if (r->kind != GALLEY_NODE_DIV || r->images != 1 || r->figures ||
        r->heads || r->text == 0 || r->text >= 1000 || article_hint(r->node))
      continue;
    size_t labels = 0;
    bool other = false;
    for (size_t k = i + 1; k < (size_t)r->end && !other; k++) {
      const bp_rec *q = &c->rec[k];
      if (q->rule)
        continue;
      if (q->kind == GALLEY_NODE_LIST || q->kind == GALLEY_NODE_TABLE ||
          q->kind == GALLEY_NODE_CAPTION)
        other = true;
      else if (q->kind == GALLEY_NODE_PARAGRAPH && !q->images && q->text > 0) {
        const char *t = q->text < 40 && !q->link
                            ? bp_node_text(c->doc, q->node) : NULL;
        if (!t || bp_ends_sentence(t))
          other = true; /* (out of memory too: nothing is dropped) */
        else
          labels++;
      }
    }
    if (other || labels < 4)
      continue;
    for (size_t k = i + 1; k < (size_t)r->end; k++) {
      const bp_rec *q = &c->rec[k];
      if (q->kind == GALLEY_NODE_PARAGRAPH && !q->rule && !q->images &&
          q->text > 0 && drop(c, (int)k, "chart-labels") != GALLEY_OK)
        return GALLEY_ENOMEM;
    }
  }
  return GALLEY_OK;
}

static int rule_clean(bp_ctx *c, int top) {
  bp_clean k = {0, calloc(c->n ? c->n : 1, 1)};
  if (!k.offsite)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  for (size_t i = c->n; i-- > 1;)
    if (c->rec[i].kind == GALLEY_NODE_PARAGRAPH && c->rec[i].text >= 100 &&
        c->rec[i].link * 4 < c->rec[i].text && !c->rec[i].rule) {
      k.last_prose = i;
      break;
    }
  int rc = rule_chart_labels(c, top);
  if (rc == GALLEY_OK)
    rc = rule_clean_blocks(c, top, &k);
  free(k.offsite);
  return rc != GALLEY_OK ? rc : rule_clean_ends(c, top);
}

/* Rule empty-list: a list item that shows nothing (no text, picture or
 * code), its words removed by the rules above (a date line, a share
 * count) or left for a script to fill; a list of such items goes whole.
 * Written, they would be bullets with nothing beside them. Other empty
 * boxes write nothing and may be anchors, so they stay. */
static bool shows_nothing(const bp_rec *r) {
  return r->text == 0 && !r->images && !r->figures &&
         !galley_node_find(r->node, GALLEY_NODE_CODE_BLOCK) &&
         !galley_node_find(r->node, GALLEY_NODE_TABLE);
}

static int rule_empty_lists(bp_ctx *c) {
  for (size_t i = 1; i < c->n;) {
    const bp_rec *r = &c->rec[i];
    if (!r->rule && (r->kind == GALLEY_NODE_LIST ||
                     r->kind == GALLEY_NODE_ITEM) && shows_nothing(r)) {
      int rc = drop(c, (int)i, "empty-list");
      if (rc != GALLEY_OK)
        return rc;
      i = (size_t)r->end;
      continue;
    }
    i++;
  }
  return GALLEY_OK;
}

/* Rule stray-break: a thematic break (a horizontal rule) with nothing of
 * the article before it, or after it, or between it and the break before:
 * it divided blocks that were removed (the rule over a page's footer, two
 * rules around a dropped promotion), and would divide nothing. */
static int rule_stray_breaks(bp_ctx *c) {
  bool seen = false; /* text, a picture, code or a table so far */
  int pending = -1;  /* a break with nothing after it yet */
  for (size_t i = 1; i < c->n; i++) {
    const bp_rec *r = &c->rec[i];
    if (r->rule) {
      i = (size_t)r->end - 1;
      continue;
    }
    switch (r->kind) {
    case GALLEY_NODE_THEMATIC_BREAK:
      if (!seen || pending >= 0) {
        if (drop(c, (int)i, "stray-break") != GALLEY_OK)
          return GALLEY_ENOMEM;
      } else {
        pending = (int)i;
      }
      break;
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE:
    case GALLEY_NODE_CODE_BLOCK:
      if (r->text == 0)
        break;
      /* fall through */
    case GALLEY_NODE_IMAGE:
    case GALLEY_NODE_TABLE:
      seen = true;
      pending = -1;
      break;
    default: break;
    }
  }
  if (pending >= 0 && drop(c, pending, "stray-break") != GALLEY_OK)
    return GALLEY_ENOMEM;
  return GALLEY_OK;
}

/* Rule alt-repeats-text: an image's alt text that repeats its figure's
 * caption, the paragraph beside it, or an earlier image's alt text says
 * nothing new; it is emptied (the image stays) so that text output does not
 * say it twice. */
static const char *block_text_near(bp_ctx *c, galley_node *img) {
  galley_node *b = galley_node_parent(img);
  while (b && !galley_kind_is_block(galley_node_kind(b)))
    b = galley_node_parent(b);
  if (!b)
    return NULL;
  galley_node *fig = galley_node_parent(b);
  for (int hops = 0;
       fig && hops < 2 && galley_node_kind(fig) != GALLEY_NODE_FIGURE; hops++)
    fig = galley_node_parent(fig);
  if (fig && galley_node_kind(fig) == GALLEY_NODE_FIGURE) {
    for (galley_node *k = galley_node_first_child(fig); k;
         k = galley_node_next(k))
      if (galley_node_kind(k) == GALLEY_NODE_CAPTION)
        return bp_node_text(c->doc, k);
  }
  galley_node *next = galley_node_next(b);
  return next ? bp_node_text(c->doc, next) : NULL;
}

static const char *block_text_before(bp_ctx *c, galley_node *img) {
  galley_node *b = galley_node_parent(img);
  while (b && !galley_kind_is_block(galley_node_kind(b)))
    b = galley_node_parent(b);
  /* The picture's block may open a box of its own: the box's neighbour. */
  for (int hops = 0; b && !galley_node_prev(b) && hops < 2; hops++)
    b = galley_node_parent(b);
  galley_node *prev = b ? galley_node_prev(b) : NULL;
  return prev ? bp_node_text(c->doc, prev) : NULL;
}

static int rule_alt(bp_ctx *c) {
  enum { SEEN = 64 };
  const char *seen[SEEN];
  size_t n_seen = 0;
  for (size_t i = 1; i < c->n; i++) {
    bp_rec *r = &c->rec[i];
    if (r->kind != GALLEY_NODE_IMAGE || !galley_node_first_child(r->node))
      continue;
    char *alt = bp_node_text(c->doc, r->node);
    if (!alt)
      return GALLEY_ENOMEM;
    if (!*alt)
      continue;
    bool repeat = false;
    for (size_t k = 0; k < n_seen && !repeat; k++)
      repeat = bp_same_text(alt, seen[k]);
    const char *near = block_text_near(c, r->node);
    if (!repeat && near && *near &&
        (bp_same_text(alt, near) ||
         (strlen(alt) > 20 && strstr(near, alt) != NULL)))
      repeat = true;
    /* Or the heading or paragraph just before the picture's block (the
     * standfirst over a lead picture whose alt is the same sentence). */
    const char *before = repeat ? NULL : block_text_before(c, r->node);
    if (before && bp_same_text(alt, before))
      repeat = true;
    if (!repeat) {
      if (n_seen < SEEN)
        seen[n_seen++] = alt;
      continue;
    }
    if (galley_array_grow((void **)&c->drops, &c->cap_drops, c->n_drops + 1,
                          sizeof *c->drops) != GALLEY_OK)
      return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
    c->drops[c->n_drops++] =
        (bp_drop){"alt-repeats-text", r->node, bp_utf8_len(alt)};
    galley_node *k;
    while ((k = galley_node_first_child(r->node)))
      galley_node_unlink(k);
  }
  return GALLEY_OK;
}

/* ---- Flat documents (scraped plain text) ------------------------------- */

/* In a document of bare paragraphs, the article is the run between its
 * headline (or first sentence paragraph) and its last sentence paragraph;
 * short non-sentence lines outside it are chrome (banners, section and
 * source labels, mailing-list lines). Inside it only calls to action go. */
static int rule_flat(bp_ctx *c) {
  size_t nb = 0;
  int *blocks = malloc((c->n + 1) * sizeof *blocks);
  char **texts = malloc((c->n + 1) * sizeof *texts);
  int rc = GALLEY_OK;
  if (!blocks || !texts) {
    rc = galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 1; i < c->n; i = (size_t)c->rec[i].end) {
    blocks[nb] = (int)i;
    texts[nb] = bp_node_text(c->doc, c->rec[i].node);
    if (!texts[nb]) {
      rc = GALLEY_ENOMEM;
      goto done;
    }
    nb++;
  }
  /* Where the article starts: the headline, else the first sentence-like
   * paragraph of some length. */
  size_t start = nb, end = 0;
  for (size_t b = 0; b < nb; b++) {
    if (c->headline && bp_same_text(texts[b], c->headline)) {
      start = b;
      break;
    }
  }
  for (size_t b = 0; b < nb; b++) {
    const bp_rec *r = &c->rec[blocks[b]];
    bool body = r->text >= 80 && bp_ends_sentence(texts[b]);
    if (body && start == nb)
      start = b;
    if (body)
      end = b;
  }
  if (start == nb) {
    start = 0;
    end = nb ? nb - 1 : 0;
  }
  for (size_t b = 0; b < nb; b++) {
    const bp_rec *r = &c->rec[blocks[b]];
    /* Only paragraphs are lines of chrome: headings, lists, quotes and code
     * are structure the reader recognised (Markdown is flat too). */
    bool shortline = r->kind == GALLEY_NODE_PARAGRAPH && r->text < 100 &&
                     !bp_ends_sentence(texts[b]);
    const char *why = NULL;
    if (c->batch && bp_batch_template(c->batch, "", texts[b]))
      why = "template";
    else if ((r->kind == GALLEY_NODE_PARAGRAPH ||
              r->kind == GALLEY_NODE_HEADING) &&
             r->text < 160 && is_cta(texts[b]) && r->stops <= 2)
      why = "call-to-action";
    else if ((b < start || b > end) && shortline)
      why = b < start ? "before-headline" : "after-article";
    else if ((b < start || b > end) && r->text < 160 &&
             (r->kind == GALLEY_NODE_PARAGRAPH) && r->stops <= 1 &&
             texts[b][0] && strchr("!", texts[b][strlen(texts[b]) - 1]))
      why = "call-to-action";
    if (why && (rc = drop(c, blocks[b], why)) != GALLEY_OK)
      goto done;
  }
done:
  free(blocks);
  free(texts);
  return rc;
}

/* ---- The whole run ------------------------------------------------------ */

static bool has_containers(const bp_ctx *c) {
  for (size_t i = 1; i < c->n; i++)
    if (is_container(c->rec[i].kind) && c->rec[i].kind != GALLEY_NODE_LIST &&
        c->rec[i].kind != GALLEY_NODE_BLOCK_QUOTE &&
        c->rec[i].kind != GALLEY_NODE_FIGURE &&
        c->rec[i].kind != GALLEY_NODE_TABLE)
      return true;
  return false;
}

int bp_strip(bp_ctx *c) {
  int rc = build(c);
  if (rc != GALLEY_OK)
    return rc;
  if ((rc = bp_meta_collect(c)) != GALLEY_OK)
    return rc;
  c->flat = !has_containers(c);
  if (c->flat) {
    if ((rc = rule_flat(c)) != GALLEY_OK)
      return rc;
    apply_drops(c);
    return bp_meta_apply(c);
  }
  if (galley_job_cancelled(c->job))
    return galley_job_error(c->job, GALLEY_ECANCELLED, "cancelled");
  int made = rule_caption_boxes(c);
  if (made < 0)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  if (made > 0 && (rc = build(c)) != GALLEY_OK)
    return rc;
  if ((rc = rule_furniture(c)) != GALLEY_OK)
    return rc;
  apply_drops(c);
  if ((rc = build(c)) != GALLEY_OK)
    return rc;
  int top = choose_top(c);
  if (top <= 0) {
    galley_job_warn(c->job, "boilerplate: no content block found; the whole "
                            "page is kept");
    top = 0;
  } else if ((rc = keep_content(c, top)) != GALLEY_OK) {
    return rc;
  }
  c->top = top;
  c->top_node = c->rec[top].node;
  if ((rc = bp_meta_apply(c)) != GALLEY_OK)
    return rc;
  apply_drops(c);
  if ((rc = build(c)) != GALLEY_OK)
    return rc;
  if ((rc = rule_clean(c, 0)) != GALLEY_OK)
    return rc;
  apply_drops(c);
  if ((rc = build(c)) != GALLEY_OK)
    return rc;
  size_t dropped = c->n_drops;
  if ((rc = rule_empty_lists(c)) != GALLEY_OK ||
      (rc = rule_stray_breaks(c)) != GALLEY_OK)
    return rc;
  if (c->n_drops > dropped) { /* rare: only then the records again */
    apply_drops(c);
    if ((rc = build(c)) != GALLEY_OK)
      return rc;
  }
  return rule_alt(c);
}
