/* Notes found in a page or a book by their shape, for every reader: the
 * blocks that are notes become FOOTNOTEs and the links to them
 * FOOTNOTE_REFs (galley_doc_find_notes, tree.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

/* ---- A small map from a borrowed string to a number and a string ------ */

typedef struct entry {
  const char *key;
  size_t num;
  const char *value;
} entry;

typedef struct map {
  entry *slot;
  size_t cap, n; /* cap: a power of two, or 0 */
} map;

static entry *map_get(const map *m, const char *key) {
  if (!m->cap)
    return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = label_hash(key) & mask;; i = (i + 1) & mask) {
    if (!m->slot[i].key)
      return NULL;
    if (strcmp(m->slot[i].key, key) == 0)
      return &m->slot[i];
  }
}

/* The entry of `key`, added (zeroed) when new; NULL when out of memory.
 * `key` must outlive the map. */
static entry *map_put(map *m, const char *key, bool *added) {
  *added = false;
  entry *e = map_get(m, key);
  if (e)
    return e;
  if (2 * (m->n + 1) > m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 16;
    entry *slot = calloc(cap, sizeof *slot);
    if (!slot)
      return NULL;
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->slot[i].key)
        continue;
      size_t j = label_hash(m->slot[i].key) & (cap - 1);
      while (slot[j].key)
        j = (j + 1) & (cap - 1);
      slot[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = slot;
    m->cap = cap;
  }
  size_t i = label_hash(key) & (m->cap - 1);
  while (m->slot[i].key)
    i = (i + 1) & (m->cap - 1);
  m->slot[i].key = key;
  m->n++;
  *added = true;
  return &m->slot[i];
}

typedef struct nodelist {
  galley_node **v;
  size_t n, cap;
} nodelist;

static bool add(nodelist *l, galley_node *x) {
  if (galley_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) !=
      GALLEY_OK)
    return false;
  l->v[l->n++] = x;
  return true;
}

/* ---- What a note and its reference look like --------------------------- */

static bool has_word(const char *list, const char *word) {
  size_t n = strlen(word);
  for (const char *p = list; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == '\n')
      p++;
    size_t k = strcspn(p, " \t\n");
    if (k == n && strncasecmp(p, word, n) == 0)
      return true;
    p += k;
  }
  return false;
}

static bool has_role(const galley_node *n, const char *role) {
  return has_word(galley_node_get_attr(n, "role"), role);
}

static bool is_notes_box(const galley_node *n) {
  return n && galley_node_kind(n) == GALLEY_NODE_DIV &&
         (galley_node_has_class(n, "footnotes") ||
          has_role(n, "doc-endnotes") || galley_node_has_class(n, "endnotes"));
}

static bool is_note_box(const galley_node *n) {
  return n && galley_node_kind(n) == GALLEY_NODE_DIV && galley_node_get_id(n) &&
         (galley_node_has_class(n, "footnote") || has_role(n, "doc-footnote") ||
          has_role(n, "doc-endnote") || galley_node_has_class(n, "endnote") ||
          galley_node_has_class(n, "rearnote") ||
          is_notes_box(galley_node_parent(n)));
}

static bool inside(const galley_node *n, const galley_node *box) {
  for (const galley_node *p = n; p; p = galley_node_parent(p))
    if (p == box)
      return true;
  return false;
}

static bool blank(const char *s) {
  return !s || strspn(s, " \t\n\r") == strlen(s);
}

/* The text of a short subtree, trimmed, into `buf`; false when it is
 * longer than the buffer or holds more than text. */
static bool short_text(const galley_node *x, char *buf, size_t size) {
  size_t n = 0;
  galley_citer it;
  galley_citer_init(&it, x);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *c = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER || c == x)
      continue;
    galley_kind k = galley_node_kind(c);
    if (k != GALLEY_NODE_TEXT && k != GALLEY_NODE_EMPH &&
        k != GALLEY_NODE_STRONG && k != GALLEY_NODE_SUPERSCRIPT &&
        k != GALLEY_NODE_SPAN)
      return false;
    const char *lit = k == GALLEY_NODE_TEXT ? galley_node_get_literal(c) : "";
    size_t len = lit ? strlen(lit) : 0;
    if (n + len >= size)
      return false;
    memcpy(buf + n, lit, len);
    n += len;
  }
  buf[n] = 0;
  size_t lead = strspn(buf, " \t\n\r");
  memmove(buf, buf + lead, n - lead + 1);
  n -= lead;
  while (n && strchr(" \t\n\r", buf[n - 1]))
    buf[--n] = 0;
  return true;
}

/* Whether a link's text is a note's mark: "1", "[12]", "(a)", "iv", "*",
 * a dagger or a section sign. */
static bool marker_text(const galley_node *a) {
  char buf[32];
  if (!short_text(a, buf, sizeof buf))
    return false;
  size_t n = strlen(buf);
  const char *p = buf;
  if (n >= 2 && ((p[0] == '[' && p[n - 1] == ']') ||
                 (p[0] == '(' && p[n - 1] == ')'))) {
    p++;
    n -= 2;
  }
  if (n == 0)
    return false;
  if (!strcmp(p, "\xE2\x80\xA0") || !strcmp(p, "\xE2\x80\xA1") ||
      !strcmp(p, "\xC2\xA7"))
    return true; /* dagger, double dagger, section sign */
  if (n > 4)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z') ||
          (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '*'))
      return false;
  return true;
}

/* The first link inside `box` (depth first), or NULL. */
static galley_node *first_link(galley_node *box) {
  galley_iter it;
  galley_iter_init(&it, box);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE)
    if (ev == GALLEY_EVENT_ENTER &&
        galley_node_kind(galley_iter_node(&it)) == GALLEY_NODE_LINK)
      return galley_iter_node(&it);
  return NULL;
}

/* The id a reference is known by: its own, or its <sup>'s. */
static const char *ref_id(const galley_node *a) {
  const char *id = galley_node_get_id(a);
  const galley_node *p = galley_node_parent(a);
  if ((!id || !*id) && p && galley_node_kind(p) == GALLEY_NODE_SUPERSCRIPT)
    id = galley_node_get_id(p);
  return id && *id ? id : NULL;
}

/* Whether link `a`, pointing at block `t`, is a note reference: `t` is
 * marked as a note, or `a` shows a marker and says it is a reference
 * (role doc-noteref, class noteref), or `t` links back to it, or `t`'s id
 * names a note ("note-1", "fn2", "footnote_3", "endnote-4", "en5"). */
static bool is_reference(const galley_node *a, galley_node *t, bool boxed) {
  if (boxed)
    return true;
  galley_kind tk = galley_node_kind(t);
  if (tk != GALLEY_NODE_PARAGRAPH && tk != GALLEY_NODE_ITEM &&
      tk != GALLEY_NODE_DIV)
    return false;
  if (inside(a, t) || !marker_text(a))
    return false;
  if (has_role(a, "doc-noteref") || galley_node_has_class(a, "noteref"))
    return true;
  const char *back = ref_id(a);
  galley_node *l = first_link(t);
  const char *u = l ? galley_node_get_url(l) : NULL;
  if (back && u && u[0] == '#' && !strcmp(u + 1, back))
    return true;
  const char *id = galley_node_get_id(t);
  static const char *const prefixes[] = {"note", "fn", "footnote", "endnote",
                                         "en", NULL};
  for (size_t i = 0; id && prefixes[i]; i++) {
    size_t n = strlen(prefixes[i]);
    if (!strncasecmp(id, prefixes[i], n) &&
        (id[n] == '-' || id[n] == '_' || (id[n] >= '0' && id[n] <= '9')))
      return true;
  }
  return false;
}

/* A link's place: the <sup> around it when it holds nothing else. */
static galley_node *link_place(galley_node *a) {
  galley_node *p = galley_node_parent(a);
  if (p && galley_node_kind(p) == GALLEY_NODE_SUPERSCRIPT &&
      galley_node_child_count(p) == 1)
    return p;
  return a;
}

/* The link back from a note to its reference at the note's end ("↩",
 * "↑", "^"): a reading system's furniture. */
static void drop_backlink(galley_node *note) {
  galley_node *last = galley_node_last_child(note);
  if (!last || galley_node_kind(last) != GALLEY_NODE_PARAGRAPH)
    return;
  galley_node *a = galley_node_last_child(last);
  while (a && galley_node_kind(a) == GALLEY_NODE_TEXT &&
         blank(galley_node_get_literal(a)))
    a = galley_node_prev(a);
  if (!a || galley_node_kind(a) != GALLEY_NODE_LINK)
    return;
  const char *url = galley_node_get_url(a);
  char c[32];
  bool back = url && url[0] == '#' && short_text(a, c, sizeof c) &&
              (!strcmp(c, "\xE2\x86\xA9") ||
               !strcmp(c, "\xE2\x86\xA9\xEF\xB8\x8E") ||
               !strcmp(c, "\xE2\x86\x91") || !strcmp(c, "^"));
  if (!back)
    return;
  while (galley_node_next(a))
    galley_node_unlink(galley_node_next(a));
  galley_node_unlink(a);
  galley_node *sp = galley_node_last_child(last);
  if (sp && galley_node_kind(sp) == GALLEY_NODE_TEXT) {
    const char *lit = galley_node_get_literal(sp);
    size_t len = lit ? strlen(lit) : 0;
    while (len && (lit[len - 1] == ' ' || lit[len - 1] == '\n'))
      len--;
    if (len == 0)
      galley_node_unlink(sp);
    else
      galley_node_set_literal_n(sp, lit, len);
  }
  if (!galley_node_first_child(last))
    galley_node_unlink(last);
}

/* A note that opens with the link back to its reference ("3. The note",
 * calibre's and many publishers' shape): the number goes, and the
 * punctuation after it. */
static void drop_leading_backlink(galley_node *note, const char *back) {
  galley_node *a = first_link(note);
  const char *u = a ? galley_node_get_url(a) : NULL;
  if (!a || !u || u[0] != '#' || !back || strcmp(u + 1, back))
    return;
  /* With the inlines around it that hold nothing else (Wikipedia's
   * <span class="mw-cite-backlink"><b><a>^</a></b></span>), and only when
   * nothing but white space comes before it. */
  galley_node *at = a;
  for (galley_node *up = galley_node_parent(at);
       up && up != note && !galley_kind_is_block(galley_node_kind(up)) &&
       galley_node_child_count(up) == 1;
       up = galley_node_parent(up))
    at = up;
  for (galley_node *x = galley_node_prev(at); x; x = galley_node_prev(x))
    if (galley_node_kind(x) != GALLEY_NODE_TEXT ||
        !blank(galley_node_get_literal(x)))
      return;
  galley_node *next = galley_node_next(at);
  galley_node_unlink(at);
  if (next && galley_node_kind(next) == GALLEY_NODE_TEXT) {
    const char *lit = galley_node_get_literal(next);
    size_t k = strspn(lit, ".):] \t\n");
    if (lit[k])
      galley_node_set_literal_n(next, lit + k, strlen(lit + k));
    else
      galley_node_unlink(next);
  }
}

static int make_ref(galley_doc *doc, galley_node *a, const char *label) {
  galley_node *ref = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE_REF);
  if (!ref || galley_node_set_label(ref, label))
    return GALLEY_ENOMEM;
  galley_node_replace(link_place(a), ref);
  return GALLEY_OK;
}

/* Block `x` made FOOTNOTE `f` where it stands. */
static void make_note(galley_node *x, galley_node *f, const char *back) {
  galley_kind k = galley_node_kind(x);
  if (k == GALLEY_NODE_PARAGRAPH) {
    /* The paragraph goes into the note, without its id. */
    if (galley_node_replace(x, f) || galley_node_append_child(f, x))
      return;
    galley_node_set_id(x, NULL);
  } else {
    while (galley_node_first_child(x))
      if (galley_node_append_child(f, galley_node_first_child(x)))
        galley_node_unlink(galley_node_first_child(x));
    if (k == GALLEY_NODE_ITEM) {
      /* A note can stand in no list: it follows the list, and a list left
       * empty goes. */
      galley_node *list = galley_node_parent(x);
      galley_node *after = list;
      while (galley_node_next(after) &&
             galley_node_kind(galley_node_next(after)) == GALLEY_NODE_FOOTNOTE)
        after = galley_node_next(after);
      if (galley_node_insert_after(after, f))
        return;
      galley_node_unlink(x);
      if (!galley_node_first_child(list))
        galley_node_unlink(list);
    } else if (galley_node_replace(x, f)) {
      return;
    }
  }
  drop_backlink(f);
  drop_leading_backlink(f, back);
}

GALLEY_API int galley_doc_find_notes(galley_doc *doc, galley_node *root) {
  if (!doc || !root)
    return GALLEY_EINVALID;
  nodelist boxes = {0}, links = {0}, rules = {0}, notes = {0}, made = {0};
  map ids = {0}, done = {0}, labels = {0};
  bool added;
  int rc = GALLEY_OK;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while (!rc && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    galley_kind k = galley_node_kind(x);
    const char *id = galley_node_get_id(x);
    /* A box straight under the root is a book's chapter, not a note. */
    bool block = (k == GALLEY_NODE_DIV && galley_node_parent(x) != root) ||
                 k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_ITEM;
    if (k == GALLEY_NODE_FOOTNOTE && galley_node_get_label(x)) {
      if (!map_put(&labels, galley_node_get_label(x), &added) ||
          (added && !add(&made, x)))
        rc = GALLEY_ENOMEM;
    } else if (block && id && *id) {
      entry *e = map_put(&ids, id, &added);
      bool box = k == GALLEY_NODE_DIV && is_note_box(x);
      if (!e || !add(&boxes, x))
        rc = GALLEY_ENOMEM;
      else if (added || box)
        e->num = boxes.n * 2 + (box ? 1 : 0);
    } else if (k == GALLEY_NODE_LINK) {
      const char *u = galley_node_get_url(x);
      if (u && u[0] == '#' && u[1] && !add(&links, x))
        rc = GALLEY_ENOMEM;
    } else if (k == GALLEY_NODE_THEMATIC_BREAK &&
               is_notes_box(galley_node_parent(x))) {
      if (!add(&rules, x))
        rc = GALLEY_ENOMEM;
    }
  }
  /* Boxes marked as notes are notes even when nothing links to them. */
  for (size_t i = 0; !rc && i < boxes.n; i++) {
    galley_node *b = boxes.v[i];
    if (galley_node_kind(b) != GALLEY_NODE_DIV || !is_note_box(b))
      continue;
    if (!map_put(&done, galley_node_get_id(b), &added) || !add(&notes, b))
      rc = GALLEY_ENOMEM;
  }
  for (size_t i = 0; !rc && i < links.n; i++) {
    galley_node *a = links.v[i];
    const char *label = galley_node_get_url(a) + 1;
    entry *e = map_get(&ids, label);
    if (!e) {
      /* A reference to a note a reader already made; the first one's id
       * is what the note's way back leads to. */
      entry *l = map_get(&labels, label);
      if (l && marker_text(a)) {
        if (!l->value)
          l->value = ref_id(a);
        rc = make_ref(doc, a, label);
      }
      continue;
    }
    galley_node *t = boxes.v[e->num / 2 - 1];
    if (inside(a, t) || !is_reference(a, t, e->num & 1))
      continue;
    entry *d = map_put(&done, label, &added);
    if (!d || (added && !add(&notes, t))) {
      rc = GALLEY_ENOMEM;
      break;
    }
    if (!d->value)
      d->value = ref_id(a);
  }
  /* Every link with a note's mark to a note found is a reference to it (a
   * note cited twice links back to one of its references only). */
  for (size_t i = 0; !rc && i < links.n; i++) {
    galley_node *a = links.v[i];
    const char *label = galley_node_get_url(a) + 1;
    entry *e = map_get(&ids, label);
    if (!e || !map_get(&done, label) ||
        inside(a, boxes.v[e->num / 2 - 1]) || !((e->num & 1) || marker_text(a)))
      continue;
    rc = make_ref(doc, a, label);
  }
  for (size_t i = 0; !rc && i < notes.n; i++) {
    galley_node *x = notes.v[i];
    const char *id = galley_node_get_id(x);
    entry *d = map_get(&done, id);
    galley_node *f = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE);
    if (!f || galley_node_set_label(f, id)) {
      rc = GALLEY_ENOMEM;
      break;
    }
    make_note(x, f, d ? d->value : NULL);
  }
  /* A note a reader made loses its way back too ("^" first, "↩" last). */
  for (size_t i = 0; !rc && i < made.n; i++) {
    entry *l = map_get(&labels, galley_node_get_label(made.v[i]));
    if (l && l->value) {
      drop_backlink(made.v[i]);
      drop_leading_backlink(made.v[i], l->value);
    }
  }
  for (size_t i = 0; !rc && i < rules.n; i++)
    galley_node_unlink(rules.v[i]);
  free(boxes.v);
  free(links.v);
  free(rules.v);
  free(notes.v);
  free(made.v);
  free(ids.slot);
  free(done.slot);
  free(labels.slot);
  return rc;
}
