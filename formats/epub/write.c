/* The epub writer: plans chapters, prepares each chapter's tree, hands it to
 * the html writer, and gathers the book's metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "writer.h"

/* ---- Copying the source tree into a chapter's tree ---------------------- */

static wfootnote *find_note(writer *w, const char *label) {
  smap_entry *e = label ? smap_get(&w->fn_index, label) : NULL;
  return e ? &w->fn[e->num] : NULL;
}

static galley_node *text_node(galley_doc *d, const char *s) {
  return galley_doc_new_text(d, s, (size_t)-1);
}

/* A reference to a footnote: <sup><a class="footnote-ref" …>n</a></sup>. The
 * DOM pass gives it epub:type="noteref". */
static int make_noteref(writer *w, galley_doc *d, galley_node *parent,
                        const galley_node *ref, wfootnote **pending,
                        size_t *n_pending) {
  wfootnote *f = find_note(w, galley_node_get_label(ref));
  if (!f) {
    const char *label = galley_node_get_label(ref);
    galley_job_warn(w->job, "footnote [%s] has no text; dropped it",
                    label ? label : "");
    return GALLEY_OK;
  }
  if (!f->number) {
    f->number = ++w->next_note;
    pending[(*n_pending)++] = f;
  }
  f->refs++;
  char href[48], id[48], num[24];
  snprintf(href, sizeof href, "#gfn-%d", f->number);
  if (f->refs == 1)
    snprintf(id, sizeof id, "gfnref-%d", f->number);
  else
    snprintf(id, sizeof id, "gfnref-%d-%d", f->number, f->refs);
  snprintf(num, sizeof num, "%d", f->number);
  galley_node *sup = galley_doc_new_node(d, GALLEY_NODE_SUPERSCRIPT);
  galley_node *a = galley_doc_new_node(d, GALLEY_NODE_LINK);
  galley_node *t = text_node(d, num);
  if (!sup || !a || !t || galley_node_set_url(a, href) ||
      galley_node_set_id(a, id) || galley_node_set_classes(a, "footnote-ref") ||
      galley_node_append_child(a, t) || galley_node_append_child(sup, a))
    return GALLEY_ENOMEM;
  /* A parent that holds no inlines refuses it: nothing to say then. */
  (void)galley_node_append_child(parent, sup);
  return GALLEY_OK;
}

/*
 * Copies `src` and its subtree under `parent` of document `d`, iteratively.
 * Footnote definitions stay behind (they go to the end of the chapter that
 * first cites them); references become noteref links; footnotes first cited
 * here are appended to `pending`.
 */
static int copy_subtree(writer *w, galley_doc *d, galley_node *parent,
                        galley_node *src, wfootnote **pending,
                        size_t *n_pending) {
  /* The copy's own parent links are the stack, as in galley_node_copy: an
   * EXIT arrives only for a node whose copy became `top`. */
  galley_node *top = parent;
  int rc = GALLEY_OK;
  galley_iter it;
  galley_iter_init(&it, src);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *s = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_EXIT) {
      top = galley_node_parent(top);
      continue;
    }
    galley_kind k = galley_node_kind(s);
    if (k == GALLEY_NODE_FOOTNOTE) {
      if (!galley_kind_is_leaf(k))
        galley_iter_reset(&it, s, GALLEY_EVENT_EXIT);
      continue;
    }
    if (k == GALLEY_NODE_FOOTNOTE_REF) {
      rc = make_noteref(w, d, top, s, pending, n_pending);
      if (rc)
        break;
      continue;
    }
    galley_node *n = galley_node_copy_shallow(d, s);
    if (!n) {
      rc = GALLEY_ENOMEM;
      break;
    }
    bool attached = galley_node_append_child(top, n) == GALLEY_OK;
    if (galley_kind_is_leaf(k))
      continue;
    if (!attached) {
      /* The chapter's container cannot hold it (never for a valid tree). */
      galley_iter_reset(&it, s, GALLEY_EVENT_EXIT);
      continue;
    }
    top = n;
  }
  return rc;
}

/* Appends the footnotes first cited in this chapter, in citation order,
 * inside <div class="footnotes">; notes cited inside notes join the list. */
static int append_notes(writer *w, galley_doc *d, galley_node *root,
                        wfootnote **pending, size_t *n_pending) {
  if (!*n_pending)
    return GALLEY_OK;
  galley_node *box = galley_doc_new_node(d, GALLEY_NODE_DIV);
  galley_node *hr = galley_doc_new_node(d, GALLEY_NODE_THEMATIC_BREAK);
  if (!box || !hr || galley_node_set_classes(box, "footnotes") ||
      galley_node_set_tag(box, "section") ||
      galley_node_append_child(box, hr) || galley_node_append_child(root, box))
    return GALLEY_ENOMEM;
  for (size_t i = 0; i < *n_pending; i++) {
    wfootnote *f = pending[i];
    f->emitted = true;
    char id[48], back[48];
    snprintf(id, sizeof id, "gfn-%d", f->number);
    snprintf(back, sizeof back, "#gfnref-%d", f->number);
    galley_node *note = galley_doc_new_node(d, GALLEY_NODE_DIV);
    if (!note || galley_node_set_tag(note, "aside") ||
        galley_node_set_id(note, id) ||
        galley_node_set_classes(note, "footnote") ||
        galley_node_append_child(box, note))
      return GALLEY_ENOMEM;
    for (galley_node *c = galley_node_first_child(f->def); c;
         c = galley_node_next(c)) {
      int rc = copy_subtree(w, d, note, c, pending, n_pending);
      if (rc)
        return rc;
    }
    if (f->refs == 0)
      continue;
    /* The note opens with its number, which leads back to where it is
     * cited ("1. The map is on show…"), as pandoc's books do: a reading
     * system that shows the notes in the flow, not in a pop-up, still
     * says which is which. */
    galley_node *first = galley_node_first_child(note);
    if (!first || galley_node_kind(first) != GALLEY_NODE_PARAGRAPH) {
      first = galley_doc_new_node(d, GALLEY_NODE_PARAGRAPH);
      if (!first || galley_node_prepend_child(note, first))
        return GALLEY_ENOMEM;
    }
    char num[24];
    snprintf(num, sizeof num, "%d", f->number);
    galley_node *a = galley_doc_new_node(d, GALLEY_NODE_LINK);
    galley_node *t = text_node(d, num);
    galley_node *dot = text_node(d, ". ");
    if (!a || !t || !dot || galley_node_set_url(a, back) ||
        galley_node_set_classes(a, "footnote-back") ||
        galley_node_append_child(a, t) ||
        galley_node_prepend_child(first, dot) ||
        galley_node_prepend_child(first, a))
      return GALLEY_ENOMEM;
  }
  *n_pending = 0;
  return GALLEY_OK;
}

static bool add_para(galley_doc *d, galley_node *root, const char *cls,
                     const char *text, const char *url) {
  galley_node *p = galley_doc_new_node(d, GALLEY_NODE_PARAGRAPH);
  galley_node *t = text_node(d, text);
  if (!p || !t || galley_node_set_classes(p, cls))
    return false;
  if (url) {
    galley_node *a = galley_doc_new_node(d, GALLEY_NODE_LINK);
    if (!a || galley_node_set_url(a, url) || galley_node_append_child(a, t) ||
        galley_node_append_child(p, a))
      return false;
  } else if (galley_node_append_child(p, t)) {
    return false;
  }
  return galley_node_append_child(root, p) == GALLEY_OK;
}

static char *node_text(galley_node *n) {
  char *t = galley_node_text(galley_node_doc(n), n);
  return t ? epub_collapse(t) : NULL;
}

/* The article's own first heading, when it repeats the title. */
static bool starts_with_title(galley_node *article, const char *title) {
  for (galley_node *c = galley_node_first_child(article); c;
       c = galley_node_next(c)) {
    if (galley_node_kind(c) != GALLEY_NODE_HEADING)
      return false;
    char *t = node_text(c);
    bool same = t && title && strcmp(t, title) == 0;
    free(t);
    return same;
  }
  return false;
}

/* Title, byline, date and source at the head of an article in a digest. */
static int article_header(writer *w, galley_doc *d, galley_node *root,
                          const wchapter *ch) {
  galley_node *art = ch->article;
  const char *author = galley_node_get_attr(art, "author");
  const char *date = galley_node_get_attr(art, "date");
  const char *url = galley_node_get_attr(art, "url");
  const char *source = galley_node_get_attr(art, "source");
  if (!url && source && epub_has_scheme(source)) {
    url = source;
    source = NULL;
  }
  if (!starts_with_title(art, ch->title)) {
    galley_node *h = galley_doc_new_node(d, GALLEY_NODE_HEADING);
    galley_node *t = text_node(d, ch->title);
    if (!h || !t || galley_node_set_level(h, 1) ||
        galley_node_append_child(h, t) || galley_node_append_child(root, h))
      return GALLEY_ENOMEM;
  }
  const char *lang = ch->lang && *ch->lang ? ch->lang : w->lang;
  char line[1024];
  bool ok = true;
  if (author && *author) {
    /* "By" in English, when the byline does not already say it. */
    snprintf(line, sizeof line, "%s%s",
             galley_byline_wants_by(author, lang) ? "By " : "", author);
    /* A digest joins an article's authors with "; ": a reader reads ", ". */
    for (char *semi = strstr(line, "; "); semi; semi = strstr(semi, "; "))
      *semi = ',';
    ok = ok && add_para(d, root, "byline", line, NULL);
  }
  char human[GALLEY_DATE_FORMAT_MAX];
  if (date && *date)
    ok = ok &&
         add_para(d, root, "dateline",
                  galley_date_format(date, lang, human, sizeof human) ? human
                                                                      : date,
                  NULL);
  if (source && *source)
    ok = ok && add_para(d, root, "source", source, NULL);
  if (url && *url)
    ok = ok && add_para(d, root, "source", url, url);
  return ok ? GALLEY_OK : GALLEY_ENOMEM;
}

/* Builds chapter `ci`'s own tree and renders it. */
static int prepare_chapter(writer *w, size_t ci) {
  wchapter *ch = &w->ch[ci];
  galley_doc *d = galley_doc_new();
  wfootnote **pending = calloc(w->n_fn + 1, sizeof *pending);
  size_t n_pending = 0;
  int rc = GALLEY_OK;
  if (!d || !pending) {
    rc = GALLEY_ENOMEM;
    goto done;
  }
  if (galley_doc_get_base(w->src))
    galley_doc_set_base(d, galley_doc_get_base(w->src));
  galley_node *root = galley_doc_root(d);
  if (ch->article) {
    /* The title heading comes first, then byline, date and source. */
    galley_node *c = galley_node_first_child(ch->article);
    if (starts_with_title(ch->article, ch->title)) {
      rc = copy_subtree(w, d, root, c, pending, &n_pending);
      c = galley_node_next(c);
    }
    if (!rc)
      rc = article_header(w, d, root, ch);
    for (; !rc && c; c = galley_node_next(c))
      rc = copy_subtree(w, d, root, c, pending, &n_pending);
  } else {
    for (galley_node *c = ch->first; !rc && c; c = galley_node_next(c)) {
      rc = copy_subtree(w, d, root, c, pending, &n_pending);
      if (c == ch->last)
        break;
    }
  }
  if (!rc && ci + 1 == w->n_ch) {
    /* Notes nobody cites still belong in the book: at its end. */
    for (size_t i = 0; i < w->n_fn; i++)
      if (!w->fn[i].number) {
        w->fn[i].number = ++w->next_note;
        pending[n_pending++] = &w->fn[i];
      }
  }
  if (!rc)
    rc = append_notes(w, d, root, pending, &n_pending);
  if (rc == GALLEY_ENOMEM)
    rc = galley_job_error(w->job, rc, "out of memory");
  if (!rc) {
    rc = epub_render_chapter(w, ci, d);
    d = NULL;
  }
done:
  free(pending);
  galley_doc_free(d);
  return rc;
}

/* ---- Planning ------------------------------------------------------------ */

static wchapter *new_chapter(writer *w) {
  if (galley_array_grow((void **)&w->ch, &w->cap_ch, w->n_ch + 1,
                        sizeof *w->ch) != GALLEY_OK)
    return NULL;
  wchapter *c = &w->ch[w->n_ch++];
  memset(c, 0, sizeof *c);
  char name[32];
  snprintf(name, sizeof name, "ch%03zu.xhtml", w->n_ch);
  c->file = strdup(name);
  return c->file ? c : NULL;
}

static bool is_article(const galley_node *n) {
  const char *v = galley_node_get_attr(n, "galley-article");
  return galley_node_kind(n) == GALLEY_NODE_DIV && v && strcmp(v, "1") == 0;
}

static bool starts_chapter(const galley_node *n, int level) {
  if (level <= 0)
    return false;
  if (galley_node_kind(n) == GALLEY_NODE_HEADING)
    return galley_node_get_level(n) <= level;
  if (galley_node_kind(n) == GALLEY_NODE_DIV) {
    galley_node *f = galley_node_first_child(n);
    return f && galley_node_kind(f) == GALLEY_NODE_HEADING &&
           galley_node_get_level(f) <= level;
  }
  return false;
}

static int plan_chapters(writer *w) {
  galley_node *root = galley_doc_root(w->src);
  for (galley_node *c = galley_node_first_child(root); c;
       c = galley_node_next(c))
    if (is_article(c))
      w->digest = true;
  if (w->digest) {
    galley_node *run = NULL;
    for (galley_node *c = galley_node_first_child(root); c;
         c = galley_node_next(c)) {
      if (!is_article(c)) {
        if (!run) {
          wchapter *ch = new_chapter(w);
          if (!ch)
            return GALLEY_ENOMEM;
          ch->first = run = c;
        }
        w->ch[w->n_ch - 1].last = c;
        continue;
      }
      run = NULL;
      wchapter *ch = new_chapter(w);
      if (!ch)
        return GALLEY_ENOMEM;
      ch->article = c;
      ch->lang = galley_node_get_attr(c, "language");
      ch->dir = galley_node_get_attr(c, GALLEY_META_DIRECTION);
      const char *t = galley_node_get_attr(c, "title");
      galley_node *h = galley_node_find(c, GALLEY_NODE_HEADING);
      if (t && *t)
        ch->title = epub_collapse(t);
      else if (h)
        ch->title = node_text(h);
      else {
        char name[32];
        snprintf(name, sizeof name, "Article %zu", w->n_ch);
        ch->title = strdup(name);
      }
      if (!ch->title)
        return GALLEY_ENOMEM;
    }
    return GALLEY_OK;
  }
  /* An article often sits in one wrapper (<article>, <main>): split inside. */
  galley_node *box = root;
  while (galley_node_child_count(box) == 1 &&
         galley_node_kind(galley_node_first_child(box)) == GALLEY_NODE_DIV)
    box = galley_node_first_child(box);
  long level = galley_job_option_int(w->job, "chapter-level", 1);
  size_t starts = 0;
  for (galley_node *c = galley_node_first_child(box); c;
       c = galley_node_next(c))
    starts += starts_chapter(c, (int)level);
  if (starts < 2) {
    wchapter *ch = new_chapter(w);
    if (!ch)
      return GALLEY_ENOMEM;
    ch->first = galley_node_first_child(box);
    ch->last = galley_node_last_child(box);
    return GALLEY_OK;
  }
  for (galley_node *c = galley_node_first_child(box); c;
       c = galley_node_next(c)) {
    if (w->n_ch == 0 || starts_chapter(c, (int)level)) {
      wchapter *ch = new_chapter(w);
      if (!ch)
        return GALLEY_ENOMEM;
      ch->first = c;
    }
    w->ch[w->n_ch - 1].last = c;
  }
  return GALLEY_OK;
}

static int collect_notes(writer *w) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(w->src));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || galley_node_kind(n) != GALLEY_NODE_FOOTNOTE)
      continue;
    const char *label = galley_node_get_label(n);
    bool added;
    smap_entry *e = smap_put(&w->fn_index, label ? label : "", &added);
    if (!e)
      return GALLEY_ENOMEM;
    if (!added) {
      galley_job_warn(w->job, "footnote [%s] is defined twice; kept the first",
                      label ? label : "");
      continue;
    }
    if (galley_array_grow((void **)&w->fn, &w->cap_fn, w->n_fn + 1,
                          sizeof *w->fn) != GALLEY_OK)
      return GALLEY_ENOMEM;
    e->num = w->n_fn;
    wfootnote *f = &w->fn[w->n_fn++];
    memset(f, 0, sizeof *f);
    f->label = label;
    f->def = n;
  }
  return GALLEY_OK;
}

/* ---- Metadata ------------------------------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i]))
      return false;
  return true;
}

/* The W3CDTF prefix of an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD), or NULL
 * when it does not start with a year. */
static char *w3c_date(const char *s) {
  if (!s)
    return NULL;
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  if (n < 4 || !digits(s, 4))
    return NULL;
  size_t keep = 4;
  if (n >= 7 && s[4] == '-' && digits(s + 5, 2)) {
    keep = 7;
    if (n >= 10 && s[7] == '-' && digits(s + 8, 2))
      keep = 10;
  }
  return strndup(s, keep);
}

/* Is `s` a plausible BCP 47 tag: letters, then letter/digit subtags. */
static bool valid_lang(const char *s) {
  if (!s || !*s)
    return false;
  size_t run = 0, i = 0;
  bool first = true;
  for (;; i++) {
    char c = s[i];
    if (c == '-' || c == '\0') {
      if (run == 0 || run > 8)
        return false;
      if (c == '\0')
        return true;
      run = 0;
      first = false;
      continue;
    }
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && !(is_digit(c) && !first))
      return false;
    run++;
  }
}

static int add_author(writer *w, const char *name) {
  char *a = epub_collapse(name);
  if (!a)
    return GALLEY_ENOMEM;
  if (!*a) {
    free(a);
    return GALLEY_OK;
  }
  /* A hash of those seen: thousands of authors cost linear time. */
  bool added;
  if (!smap_put(&w->author_set, a, &added)) {
    free(a);
    return GALLEY_ENOMEM;
  }
  if (!added) {
    free(a);
    return GALLEY_OK;
  }
  if (galley_array_grow((void **)&w->authors, &w->cap_authors, w->n_authors + 1,
                        sizeof *w->authors) != GALLEY_OK) {
    free(a);
    return GALLEY_ENOMEM;
  }
  w->authors[w->n_authors++] = a;
  return GALLEY_OK;
}

/* Splits an article's author attribute ("A; B" or "A and B"). */
static int add_authors_of(writer *w, const char *list) {
  char *copy = strdup(list);
  if (!copy)
    return GALLEY_ENOMEM;
  int rc = GALLEY_OK;
  char *p = copy;
  while (p && !rc) {
    char *semi = strchr(p, ';');
    if (semi)
      *semi = '\0';
    rc = add_author(w, p);
    p = semi ? semi + 1 : NULL;
  }
  free(copy);
  return rc;
}

static int book_metadata(writer *w) {
  const galley_doc *d = w->src;
  const char *lang = galley_doc_get_meta(d, GALLEY_META_LANGUAGE);
  if (!lang && w->digest)
    for (size_t i = 0; i < w->n_ch && !lang; i++)
      lang = w->ch[i].lang;
  /* Never a language the book is not in: "und" (undetermined) says so. */
  if (lang && !valid_lang(lang)) {
    galley_job_warn(w->job, "language '%s' is not a BCP 47 tag; using und",
                    lang);
    lang = "und";
  } else if (!lang) {
    galley_job_warn(w->job,
                    "no language given and none could be guessed from the "
                    "text (-M language=…); using und");
    lang = "und";
  }
  w->lang = strdup(lang);
  const char *dir = galley_doc_get_meta(d, GALLEY_META_DIRECTION);
  w->rtl = dir ? strcmp(dir, "rtl") == 0 : galley_lang_is_rtl(lang);
  for (size_t i = 0; i < w->n_ch; i++)
    if (w->ch[i].lang && !valid_lang(w->ch[i].lang))
      w->ch[i].lang = NULL;

  /* One walk of the metadata (asking for the i-th author walks it from the
   * start each time). */
  size_t na = 0;
  for (size_t i = 0; i < galley_doc_meta_size(d); i++) {
    const char *k, *v;
    if (!galley_doc_meta_entry(d, i, &k, &v) || !v ||
        strcmp(k, GALLEY_META_AUTHOR) != 0)
      continue;
    na++;
    if (add_author(w, v))
      return GALLEY_ENOMEM;
  }
  if (!na && w->digest)
    for (size_t i = 0; i < w->n_ch; i++) {
      const char *a = w->ch[i].article
                          ? galley_node_get_attr(w->ch[i].article, "author")
                          : NULL;
      if (a && add_authors_of(w, a))
        return GALLEY_ENOMEM;
    }
  w->date = w3c_date(galley_doc_get_meta(d, GALLEY_META_DATE));

  const char *sde = getenv("SOURCE_DATE_EPOCH");
  char stamp[32] = "1980-01-01T00:00:00Z";
  char *end = NULL;
  long long epoch = sde && *sde ? strtoll(sde, &end, 10) : -1;
  if (sde && *sde && end && !*end && epoch >= 0) {
    time_t t = (time_t)epoch;
    struct tm tm;
    if (gmtime_r(&t, &tm))
      strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  } else if (w->date && strlen(w->date) == 10) {
    snprintf(stamp, sizeof stamp, "%sT00:00:00Z", w->date);
  }
  w->modified = strdup(stamp);
  return w->lang && w->modified ? GALLEY_OK : GALLEY_ENOMEM;
}

/* The book's title: -M or the document's, else the first chapter title. */
static int book_title(writer *w) {
  const char *t = galley_doc_get_meta(w->src, GALLEY_META_TITLE);
  if (t && *t) {
    w->title = epub_collapse(t);
    return w->title ? GALLEY_OK : GALLEY_ENOMEM;
  }
  if (w->digest) {
    galley_job_warn(w->job, "a digest needs a title (-M title=…); using "
                            "\"Digest\"");
    w->title = strdup("Digest");
  } else {
    for (size_t i = 0; i < w->n_ch && !t; i++)
      if (w->ch[i].n_heads)
        t = w->ch[i].heads[0].text;
    /* Last, the input's file name without its folder and extension, as a
     * reader would see it on a shelf. */
    const char *loc = galley_job_location(w->job);
    if (!t && loc && strcmp(loc, "-") != 0 && strncmp(loc, "record ", 7)) {
      const char *base = strrchr(loc, '/');
      base = base ? base + 1 : loc;
      const char *dot = strrchr(base, '.');
      size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
      if (len) {
        galley_job_warn(w->job,
                        "no title and no heading; using the file "
                        "name \"%.*s\"",
                        (int)len, base);
        w->title = strndup(base, len);
        return w->title ? GALLEY_OK : GALLEY_ENOMEM;
      }
    }
    if (!t) {
      galley_job_warn(w->job, "no title and no heading; using \"Untitled\"");
      t = "Untitled";
    }
    w->title = strdup(t);
  }
  return w->title ? GALLEY_OK : GALLEY_ENOMEM;
}

static int read_file(galley_job *job, const char *path, size_t max,
                     unsigned char **data, size_t *len, const char *what) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return galley_job_error(job, GALLEY_EIO, "cannot read %s %s", what, path);
  galley_buf b;
  galley_buf_init(&b);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    galley_buf_add(&b, chunk, n);
    if (max && b.len > max) {
      fclose(f);
      galley_buf_free(&b);
      return galley_job_error(job, GALLEY_ELIMIT,
                              "%s %s is over the size limit of %zu bytes", what,
                              path, max);
    }
  }
  bool err = ferror(f);
  fclose(f);
  if (err) {
    galley_buf_free(&b);
    return galley_job_error(job, GALLEY_EIO, "cannot read %s %s", what, path);
  }
  *data = (unsigned char *)galley_buf_detach(&b, len);
  return *data ? GALLEY_OK
               : galley_job_error(job, GALLEY_ENOMEM, "out of memory");
}

static int choose_cover(writer *w) {
  const char *opt = galley_job_option(w->job, "cover");
  const galley_limits *lim = galley_job_limits(w->job);
  if (opt && *opt && strcmp(opt, "auto") != 0 && strcmp(opt, "none") != 0) {
    unsigned char *data;
    size_t len;
    int rc =
        read_file(w->job, opt, lim->max_image_size, &data, &len, "cover image");
    if (rc)
      return rc;
    if (!epub_sniff_image(data, len)) {
      free(data);
      return galley_job_error(w->job, GALLEY_EPARSE,
                              "cover %s is not a PNG, JPEG, GIF, WebP or SVG "
                              "image",
                              opt);
    }
    return epub_add_image(w, data, len, data, &w->cover);
  }
  if (opt && strcmp(opt, "none") == 0)
    return GALLEY_OK;
  const char *name = galley_doc_get_meta(w->src, GALLEY_META_COVER);
  const galley_resource *r =
      name ? galley_doc_find_resource(w->src, name) : NULL;
  if (r && epub_sniff_image(r->data, r->size))
    return epub_add_image(w, r->data, r->size, NULL, &w->cover);
  if (name && !r)
    galley_job_warn(w->job, "cover %s is not among the document's resources",
                    name);
  if (opt && strcmp(opt, "auto") == 0) {
    for (size_t i = 0; i < w->n_res; i++) {
      unsigned iw, ih;
      if (epub_image_size(w->res[i].data, w->res[i].size, &iw, &ih) &&
          (iw < ih ? iw : ih) >= 300 && (iw > ih ? iw : ih) >= 400) {
        w->cover = (long)i;
        break;
      }
    }
    if (w->cover < 0)
      galley_job_info(w->job, "cover=auto: no image of 400x300 or more");
  }
  return GALLEY_OK;
}

static int read_css(writer *w) {
  const char *path = galley_job_option(w->job, "css");
  if (!path || !*path)
    return GALLEY_OK;
  unsigned char *data;
  size_t len;
  int rc = read_file(w->job, path, galley_job_limits(w->job)->max_input_size,
                     &data, &len, "stylesheet");
  if (rc)
    return rc;
  w->css = (char *)data;
  w->css_len = len;
  return GALLEY_OK;
}

static void free_writer(writer *w) {
  for (size_t i = 0; i < w->n_ch; i++) {
    wchapter *c = &w->ch[i];
    free(c->file);
    free(c->title);
    if (c->dom)
      xmlFreeDoc(c->dom);
    for (size_t j = 0; j < c->n_heads; j++) {
      free(c->heads[j].id);
      free(c->heads[j].text);
    }
    free(c->heads);
    free(c->xhtml);
  }
  free(w->ch);
  for (size_t i = 0; i < w->n_res; i++) {
    free(w->res[i].href);
    free(w->res[i].id);
    free(w->res[i].owned);
  }
  free(w->res);
  free(w->fn);
  smap_free(&w->fn_index);
  idset_free(&w->ids);
  smap_free(&w->targets);
  smap_free(&w->res_by_url);
  smap_free(&w->author_set);
  free(w->title);
  free(w->lang);
  free(w->identifier);
  free(w->modified);
  free(w->date);
  for (size_t i = 0; i < w->n_authors; i++)
    free(w->authors[i]);
  free(w->authors);
  free(w->css);
}

int epub_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  writer w;
  memset(&w, 0, sizeof w);
  w.job = job;
  w.src = doc;
  w.cover = -1;
  w.html = galley_registry_find(galley_job_registry(job), "html");
  if (!w.html || !(w.html->caps & GALLEY_CAN_WRITE))
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "the epub writer needs the html format to write "
                            "chapters, and it is not loaded");
  w.title_page = galley_job_option_bool(job, "title-page", true);
  w.toc_depth = (int)galley_job_option_int(job, "toc-depth", 3);
  int rc = read_css(&w);
  if (!rc)
    rc = collect_notes(&w);
  if (!rc)
    rc = plan_chapters(&w);
  if (rc == GALLEY_ENOMEM)
    rc = galley_job_error(job, rc, "out of memory");
  for (size_t i = 0; !rc && i < w.n_ch; i++) {
    if (galley_job_cancelled(job))
      rc = galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
    else
      rc = prepare_chapter(&w, i);
  }
  for (size_t i = 0; !rc && i < w.n_ch; i++)
    rc = epub_clean_chapter(&w, i);
  if (!rc)
    rc = epub_link_chapters(&w);
  if (!rc)
    rc = book_metadata(&w);
  if (!rc)
    rc = book_title(&w);
  if (!rc)
    rc = choose_cover(&w);
  if (rc == GALLEY_ENOMEM)
    rc = galley_job_error(job, rc, "out of memory");
  for (size_t i = 0; !rc && i < w.n_ch; i++)
    rc = epub_finish_chapter(&w, i);
  if (!rc)
    rc = epub_build_package(&w, out);
  free_writer(&w);
  return rc;
}
