/* The HTML writer: an HTML5 document, a body fragment, or polyglot XHTML. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "html.h"
#include "libxml_module.h"

/* A reading measure: about 65-70 characters a line (55ch: "ch" is the
 * width of "0", wider than the average letter of running text, so 55ch
 * holds about 68 characters of Times or Georgia), centred, with
 * room between the lines; the title block as a reader view sets it. */
static const char default_css[] =
    "body { max-width: 55ch; margin: 2em auto; padding: 0 1.25em;\n"
    "  font-family: Georgia, 'Times New Roman', serif; font-size: 1.125em;\n"
    "  line-height: 1.6; color: #222; background: #fff; }\n"
    "h1, h2, h3, h4, h5, h6 { line-height: 1.25;\n"
    "  font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }\n"
    ".title-block { margin: 0 0 2em; padding-bottom: 1em;\n"
    "  border-bottom: 1px solid #ddd; }\n"
    ".title-block h1 { font-size: 2em; margin: 0.25em 0 0.4em; }\n"
    ".title-block .site { margin: 0; font-size: 0.85em;\n"
    "  text-transform: uppercase; letter-spacing: 0.05em; }\n"
    ".title-block .site a { color: #666; text-decoration: none; }\n"
    ".title-block .site, .credits, p.byline, p.dateline, p.source {\n"
    "  font-family: system-ui, -apple-system, 'Segoe UI', sans-serif;\n"
    "  color: #666; }\n"
    ".credits { margin: 0; font-size: 0.95em; }\n"
    "p.byline, p.dateline, p.source { font-size: 0.95em; margin: 0.3em 0; }\n"
    "img { max-width: 100%; height: auto; }\n"
    "pre { overflow-x: auto; padding: 0.75em; background: #f5f5f5; }\n"
    "code { font-family: Menlo, Consolas, 'DejaVu Sans Mono', monospace;\n"
    "  font-size: 0.9em; }\n"
    "blockquote { margin: 1em 0; padding-left: 1em;\n"
    "  border-left: 3px solid #ccc; color: #555; }\n"
    "table { border-collapse: collapse; margin: 1em 0; }\n"
    "th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; }\n"
    "figure { margin: 1em 0; }\n"
    "figcaption { font-size: 0.9em; color: #555; }\n"
    ".footnotes { font-size: 0.9em; }\n";

/* ---- A set of strings (ids in use) ------------------------------------- */

typedef struct strslot {
  char *key;     /* NULL: empty */
  unsigned next; /* unique_id's next suffix to try for this id; 0: 2 */
} strslot;

typedef struct strset {
  strslot *slot;
  size_t cap, n;
} strset;

static size_t hash(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The slot of `k`, or NULL. */
static strslot *set_find(const strset *s, const char *k) {
  if (!s->cap)
    return NULL;
  for (size_t i = hash(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->slot[i].key)
      return NULL;
    if (strcmp(s->slot[i].key, k) == 0)
      return &s->slot[i];
  }
}

static bool set_has(const strset *s, const char *k) {
  return set_find(s, k) != NULL;
}

static int set_add(strset *s, const char *k) {
  if (set_has(s, k))
    return GALLEY_OK;
  if ((s->n + 1) * 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    strslot *slot = calloc(cap, sizeof *slot);
    if (!slot)
      return GALLEY_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->slot[i].key)
        continue;
      size_t j = hash(s->slot[i].key) & (cap - 1);
      while (slot[j].key)
        j = (j + 1) & (cap - 1);
      slot[j] = s->slot[i];
    }
    free(s->slot);
    s->slot = slot;
    s->cap = cap;
  }
  char *c = strdup(k);
  if (!c)
    return GALLEY_ENOMEM;
  size_t i = hash(k) & (s->cap - 1);
  while (s->slot[i].key)
    i = (i + 1) & (s->cap - 1);
  s->slot[i].key = c;
  s->slot[i].next = 0;
  s->n++;
  return GALLEY_OK;
}

static void set_free(strset *s) {
  for (size_t i = 0; i < s->cap; i++)
    free(s->slot[i].key);
  free(s->slot);
}

/* ---- Writer state ------------------------------------------------------ */

typedef struct note {
  const galley_node *def;
  int number; /* 0 until referenced or placed */
  int refs;
  char *id, *refid;
} note;

typedef struct w {
  galley_job *job;
  galley_sink *out;
  bool xhtml;
  bool self_contained; /* images from resources as data: URIs */
  bool unsafe;         /* raw HTML and script links as they are */
  size_t defused;      /* links, images and raw HTML made safe */
  int rc;
  size_t len;
  strset all;  /* every id the document carries */
  strset used; /* ids written so far */
  const galley_doc *doc;
  note *notes; /* note n is notes[n - 1] (galley_doc_note_number) */
  size_t nnotes, notecap;
  char buf[1 << 16];
} w;

static void flush(w *o) {
  if (o->len && o->rc == GALLEY_OK) {
    if (galley_sink_write(o->out, o->buf, o->len) != GALLEY_OK)
      o->rc = galley_job_error(o->job, GALLEY_EIO, "cannot write the output");
  }
  o->len = 0;
}

static void put(w *o, const char *s, size_t n) {
  if (n > sizeof o->buf - o->len) {
    flush(o);
    if (n > sizeof o->buf) {
      if (o->rc == GALLEY_OK && galley_sink_write(o->out, s, n) != GALLEY_OK)
        o->rc = galley_job_error(o->job, GALLEY_EIO, "cannot write the output");
      return;
    }
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

static void puts_(w *o, const char *s) { put(o, s, strlen(s)); }

/* What esc looks at: bit 1 in text, bit 2 in an attribute (the bytes of
 * the others are copied as they are, in runs). */
static const unsigned char esc_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 2, 3, 3, 3, 3, 3, /* 00 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 10 */
    0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, /* 30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 70 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 80 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 90 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* A0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* B0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* C0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* D0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* E0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* F0 */
};

/* Valid UTF-8 only (an invalid byte becomes U+FFFD), no C0 controls but
 * tab and newline, and &, <, > (and " in attributes) as the five
 * references XML also knows. */
static void esc(w *o, const char *s, size_t n, bool attr) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  const unsigned char *run = p;
  const unsigned char mask = attr ? 2 : 1;
  while (p < end) {
    while (!(esc_class[*p] & mask) && ++p < end)
      ;
    if (p == end)
      break;
    unsigned char c = *p;
    if (c >= 0x80) {
      uint32_t cp = 0;
      size_t k = galley_utf8_decode((const char *)p, (size_t)(end - p), &cp);
      /* U+FFFE and U+FFFF are UTF-8 but not characters XML allows. */
      if (k && cp != 0xFFFE && cp != 0xFFFF) {
        p += k;
        continue;
      }
      put(o, (const char *)run, (size_t)(p - run));
      put(o, "\xEF\xBF\xBD", 3);
      p++;
      run = p;
      continue;
    }
    const char *rep = NULL;
    if (c == '&')
      rep = "&amp;";
    else if (c == '<')
      rep = "&lt;";
    else if (c == '>')
      rep = "&gt;";
    else if (c == '"' && attr)
      rep = "&quot;";
    else if (c < 0x20 && c != '\n' && c != '\t')
      rep = c == '\r' ? "" : " ";
    else if (c == '\n' && attr)
      rep = " ";
    if (rep) {
      put(o, (const char *)run, (size_t)(p - run));
      puts_(o, rep);
      run = p + 1;
    }
    p++;
  }
  put(o, (const char *)run, (size_t)(p - run));
}

static void text(w *o, const char *s) {
  if (s)
    esc(o, s, strlen(s), false);
}

static void attr(w *o, const char *name, const char *value) {
  put(o, " ", 1);
  puts_(o, name);
  puts_(o, "=\"");
  if (value)
    esc(o, value, strlen(value), true);
  put(o, "\"", 1);
}

/* A URL attribute, percent-encoded the way the CommonMark reference
 * renderer does: bytes a URL may not hold raw (controls, space, non-ASCII
 * and "<>[\\]^`{|}) become %XX; everything else, existing %XX escapes
 * included, stays as it is. */
static void url_attr(w *o, const char *name, const char *url) {
  static const char hex[] = "0123456789ABCDEF";
  put(o, " ", 1);
  puts_(o, name);
  puts_(o, "=\"");
  const unsigned char *p = (const unsigned char *)(url ? url : "");
  const unsigned char *run = p;
  for (; *p; p++) {
    if (*p > 0x20 && *p < 0x7f && !strchr("\"<>[\\]^`{|}", *p))
      continue;
    if (p > run)
      esc(o, (const char *)run, (size_t)(p - run), true);
    char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
    put(o, enc, 3);
    run = p + 1;
  }
  if (p > run)
    esc(o, (const char *)run, (size_t)(p - run), true);
  put(o, "\"", 1);
}

/* src="data:TYPE;base64,..." with the bytes of resource `r`. */
static void data_uri_attr(w *o, const galley_resource *r) {
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  puts_(o, " src=\"data:");
  esc(o, r->media_type, strlen(r->media_type), true);
  puts_(o, ";base64,");
  const unsigned char *d = r->data;
  size_t i = 0;
  char q[4];
  for (; i + 3 <= r->size; i += 3) {
    unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = b64[(v >> 6) & 63];
    q[3] = b64[v & 63];
    put(o, q, 4);
  }
  if (i < r->size) {
    unsigned v = (unsigned)d[i] << 16;
    if (i + 1 < r->size)
      v |= (unsigned)d[i + 1] << 8;
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = i + 1 < r->size ? b64[(v >> 6) & 63] : '=';
    q[3] = '=';
    put(o, q, 4);
  }
  put(o, "\"", 1);
}

static void nomem(w *o) {
  if (o->rc == GALLEY_OK)
    o->rc = galley_job_error(o->job, GALLEY_ENOMEM, "out of memory");
}

/* An id not used yet: `want` itself, or want-2, want-3… */
static char *unique_id(w *o, const char *want) {
  size_t n = strlen(want);
  char *id = malloc(n + 24);
  if (!id) {
    nomem(o);
    return NULL;
  }
  /* Ids may not hold white space. */
  for (size_t i = 0; i <= n; i++)
    id[i] = html_is_space((unsigned char)want[i]) ? '-' : want[i];
  strslot *base = set_find(&o->used, id);
  if (!base) {
    if (set_add(&o->used, id)) {
      free(id);
      nomem(o);
      return NULL;
    }
    return id;
  }
  /* The id remembers where its suffixes stopped: every id-k below `next`
   * is in use already (the set only grows), so starting there finds what
   * starting from 2 would, and n copies of one id cost O(n), not O(n^2). */
  unsigned k = base->next < 2 ? 2 : base->next;
  do
    snprintf(id + n, 24, "-%u", k++);
  while (set_has(&o->used, id));
  base->next = k; /* before the add, which may move every slot */
  if (set_add(&o->used, id)) {
    free(id);
    nomem(o);
    return NULL;
  }
  return id;
}

/* A fresh id for something the writer makes: also unlike any id of the
 * document, so that no later element loses its own. */
static char *fresh_id(w *o, const char *want) {
  size_t n = strlen(want);
  char *id = malloc(n + 24);
  if (!id) {
    nomem(o);
    return NULL;
  }
  memcpy(id, want, n + 1);
  for (unsigned k = 2; set_has(&o->used, id) || set_has(&o->all, id); k++)
    snprintf(id + n, 24, "-%u", k);
  if (set_add(&o->used, id)) {
    free(id);
    nomem(o);
    return NULL;
  }
  return id;
}

static bool attr_name_ok(const char *k) {
  if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
    return false;
  if (strncasecmp(k, "on", 2) == 0)
    return false; /* event handlers never pass through */
  for (const char *p = k; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
      return false;
  return true;
}

/* WAI-ARIA 1.2 roles and the DPUB ones; a page's own inventions would make
 * the output invalid (epubcheck refuses them). */
static bool role_ok(const char *v) {
  static const char *const roles[] = {"alert",
                                      "alertdialog",
                                      "application",
                                      "article",
                                      "banner",
                                      "blockquote",
                                      "button",
                                      "caption",
                                      "cell",
                                      "checkbox",
                                      "code",
                                      "columnheader",
                                      "combobox",
                                      "complementary",
                                      "contentinfo",
                                      "definition",
                                      "deletion",
                                      "dialog",
                                      "directory",
                                      "document",
                                      "emphasis",
                                      "feed",
                                      "figure",
                                      "form",
                                      "generic",
                                      "grid",
                                      "gridcell",
                                      "group",
                                      "heading",
                                      "img",
                                      "insertion",
                                      "link",
                                      "list",
                                      "listbox",
                                      "listitem",
                                      "log",
                                      "main",
                                      "marquee",
                                      "math",
                                      "menu",
                                      "menubar",
                                      "menuitem",
                                      "menuitemcheckbox",
                                      "menuitemradio",
                                      "meter",
                                      "navigation",
                                      "none",
                                      "note",
                                      "option",
                                      "paragraph",
                                      "presentation",
                                      "progressbar",
                                      "radio",
                                      "radiogroup",
                                      "region",
                                      "row",
                                      "rowgroup",
                                      "rowheader",
                                      "scrollbar",
                                      "search",
                                      "searchbox",
                                      "separator",
                                      "slider",
                                      "spinbutton",
                                      "status",
                                      "strong",
                                      "subscript",
                                      "superscript",
                                      "switch",
                                      "tab",
                                      "table",
                                      "tablist",
                                      "tabpanel",
                                      "term",
                                      "textbox",
                                      "time",
                                      "timer",
                                      "toolbar",
                                      "tooltip",
                                      "tree",
                                      "treegrid",
                                      "treeitem",
                                      NULL};
  if (strncmp(v, "doc-", 4) == 0)
    return true;
  for (size_t i = 0; roles[i]; i++)
    if (strcmp(v, roles[i]) == 0)
      return true;
  return false;
}

/* Whether attribute `k` = `v` is valid HTML on a `tag` element. */
static bool attr_valid(const char *tag, const char *k, const char *v) {
  if (!strcmp(k, "role"))
    return role_ok(v);
  if (!strcmp(k, "datetime"))
    return !strcmp(tag, "time") || !strcmp(tag, "ins") || !strcmp(tag, "del");
  if (!strcmp(k, "rel"))
    return !strcmp(tag, "a");
  if (!strcmp(k, "dir"))
    return !strcmp(v, "ltr") || !strcmp(v, "rtl") || !strcmp(v, "auto");
  if (!strcmp(k, "aria-hidden"))
    return !strcmp(v, "true") || !strcmp(v, "false");
  return true;
}

/* id, class and the node's other attributes, each once. `skip` names the
 * attributes the caller writes itself ("href title"). */
static void common_attrs(w *o, const char *tag, const galley_node *n,
                         const char *skip) {
  const char *id = galley_node_get_id(n);
  if (id && *id) {
    char *u = unique_id(o, id);
    if (u) {
      attr(o, "id", u);
      free(u);
    }
  }
  const char *cls = galley_node_get_classes(n);
  if (cls && *cls)
    attr(o, "class", cls);
  /* A digest's article (galley-article="1") carries its page's metadata
   * as attributes: its language and direction become lang and dir; the
   * rest (title, author, the folder it was read from…) is no HTML. */
  bool article = galley_node_get_attr(n, "galley-article") != NULL;
  if (article) {
    const char *lang = galley_node_get_attr(n, GALLEY_META_LANGUAGE);
    const char *dir = galley_node_get_attr(n, GALLEY_META_DIRECTION);
    if (lang && *lang)
      attr(o, "lang", lang);
    if (dir && attr_valid(tag, "dir", dir))
      attr(o, "dir", dir);
  }
  const char *k, *v;
  for (size_t i = 0; galley_node_attr_at(n, i, &k, &v); i++) {
    if (!k || !v || !strcmp(k, "id") || !strcmp(k, "class") ||
        !strcmp(k, "tag") || !strcmp(k, "style") || !attr_name_ok(k) ||
        !attr_valid(tag, k, v) || article)
      continue;
    if (!o->unsafe && !galley_attr_is_safe(k, v)) {
      o->defused++;
      continue;
    }
    if (skip) {
      size_t kn = strlen(k);
      const char *s = strstr(skip, k);
      if (s && (s == skip || s[-1] == ' ') && (s[kn] == 0 || s[kn] == ' '))
        continue;
    }
    attr(o, k, v);
  }
}

static const char *void_end(const w *o) { return o->xhtml ? " />" : ">"; }

/* The text of a subtree (an image's alt, a heading for <title>). */
static char *plain_text(const galley_node *root) {
  galley_buf buf = GALLEY_BUF_INIT;
  galley_citer it;
  galley_citer_init(&it, root);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    galley_kind k = galley_node_kind(n);
    const char *s = NULL;
    if (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE)
      s = galley_node_get_literal(n);
    else if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK)
      s = " ";
    if (!s)
      continue;
    galley_buf_puts(&buf, s);
  }
  return galley_buf_detach(&buf, NULL); /* NULL when out of memory */
}

/* ---- Footnotes ----------------------------------------------------------- */

/* A label's note: its number is libgalley's (the order of first
 * references, then the notes nothing refers to). */
static note *find_note(w *o, const char *label) {
  size_t num = label ? galley_doc_note_number(o->doc, label) : 0;
  return num && num <= o->nnotes ? &o->notes[num - 1] : NULL;
}

/* Collects every id, every footnote and the order of first references. */
static void prepass(w *o, const galley_doc *doc) {
  o->doc = doc;
  galley_citer it;
  galley_citer_init(&it, galley_doc_root_const(doc));
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    const char *id = galley_node_get_id(n);
    if (id && *id && set_add(&o->all, id))
      nomem(o);
    galley_kind k = galley_node_kind(n);
    const char *label = galley_node_get_label(n);
    if ((k != GALLEY_NODE_FOOTNOTE && k != GALLEY_NODE_FOOTNOTE_REF) || !label)
      continue;
    /* Every labelled note and reference has a number; 0 is no memory. */
    size_t num = galley_doc_note_number(doc, label);
    if (!num || galley_array_grow((void **)&o->notes, &o->notecap, num,
                                  sizeof *o->notes) != GALLEY_OK) {
      nomem(o);
      return;
    }
    if (num > o->nnotes) {
      memset(o->notes + o->nnotes, 0,
             (num - o->nnotes) * sizeof *o->notes);
      o->nnotes = num;
    }
    note *f = &o->notes[num - 1];
    f->number = (int)num;
    if (k == GALLEY_NODE_FOOTNOTE && !f->def)
      f->def = n;
  }
  for (size_t i = 0; i < o->nnotes; i++) {
    char want[32];
    snprintf(want, sizeof want, "fn-%d", o->notes[i].number);
    o->notes[i].id = fresh_id(o, want);
    snprintf(want, sizeof want, "fnref-%d", o->notes[i].number);
    o->notes[i].refid = fresh_id(o, want);
  }
}

static void write_ref(w *o, const galley_node *n) {
  const char *label = galley_node_get_label(n);
  note *f = find_note(o, label);
  char num[32];
  if (!f || !f->def) {
    put(o, "<sup>[", 6);
    text(o, label);
    put(o, "]</sup>", 7);
    return;
  }
  snprintf(num, sizeof num, "%d", f->number);
  puts_(o, "<sup><a");
  put(o, " href=\"#", 8);
  text(o, f->id);
  put(o, "\"", 1);
  attr(o, "class", "footnote-ref");
  if (f->refs++ == 0) {
    attr(o, "id", f->refid);
  } else {
    char want[64];
    snprintf(want, sizeof want, "%s-%d", f->refid, f->refs);
    char *id = fresh_id(o, want);
    if (id)
      attr(o, "id", id);
    free(id);
  }
  attr(o, "role", "doc-noteref");
  put(o, ">", 1);
  puts_(o, num);
  puts_(o, "</a></sup>");
}

/* ---- Raw HTML in XHTML output ---------------------------------------------
 */

/* Raw HTML from another format is parsed and written back as XML, so that
 * XHTML output stays well-formed whatever the raw bytes were (by
 * html-libxml.mod, loaded now if no page was read before). */
static void raw_as_xhtml(w *o, const char *raw) {
  const char *why = NULL;
  const html_libxml *t = html_libxml_get(&why);
  if (!t) {
    if (o->rc == GALLEY_OK)
      o->rc = galley_job_error(o->job, GALLEY_EUNSUPPORTED,
                               "raw HTML cannot be written as XHTML: %s", why);
    return;
  }
  char *x = NULL;
  size_t n = 0;
  if (t->raw_xhtml(raw, strlen(raw), &x, &n) != GALLEY_OK) {
    nomem(o);
    return;
  }
  if (x)
    put(o, x, n);
  free(x);
}

/* ---- The body --------------------------------------------------------------
 */

static bool safe_block_tag(const char *t) {
  static const char *const ok[] = {"section", "article", "main",   "header",
                                   "footer",  "nav",     "aside",  "address",
                                   "details", "summary", "hgroup", NULL};
  for (size_t i = 0; t && ok[i]; i++)
    if (!strcmp(t, ok[i]))
      return true;
  return false;
}

static bool safe_inline_tag(const char *t) {
  static const char *const ok[] = {"abbr", "cite", "dfn", "mark", "small",
                                   "time", "u",    "ins", "bdi",  "bdo",
                                   "data", "var",  NULL};
  for (size_t i = 0; t && ok[i]; i++)
    if (!strcmp(t, ok[i]))
      return true;
  return false;
}

static bool tight_item_para(const galley_node *n) {
  const galley_node *item = galley_node_parent_const(n);
  if (!item || galley_node_kind(item) != GALLEY_NODE_ITEM)
    return false;
  const galley_node *list = galley_node_parent_const(item);
  return list && galley_node_kind(list) == GALLEY_NODE_LIST &&
         galley_node_get_list_tight(list);
}

static const char *row_group(galley_row_part p) {
  return p == GALLEY_ROW_HEAD   ? "thead"
         : p == GALLEY_ROW_FOOT ? "tfoot"
                                : "tbody";
}

static bool same_group(const galley_node *a, const galley_node *b) {
  return a && b && galley_node_kind(a) == GALLEY_NODE_TABLE_ROW &&
         galley_node_kind(b) == GALLEY_NODE_TABLE_ROW &&
         galley_node_get_row_part(a) == galley_node_get_row_part(b);
}

static void open_tag(w *o, const char *tag, const galley_node *n,
                     const char *skip) {
  put(o, "<", 1);
  puts_(o, tag);
  if (n)
    common_attrs(o, tag, n, skip);
}

static void close_tag(w *o, const char *tag, bool nl) {
  put(o, "</", 2);
  puts_(o, tag);
  put(o, nl ? ">\n" : ">", nl ? 2 : 1);
}

static const char *div_tag(const galley_node *n) {
  const char *t = galley_node_get_tag(n);
  return safe_block_tag(t) ? t : "div";
}

static const char *span_tag(const galley_node *n) {
  const char *t = galley_node_get_tag(n);
  return safe_inline_tag(t) ? t : "span";
}

static const char *code_tag(const galley_node *n) {
  const char *t = galley_node_get_tag(n);
  return t && (!strcmp(t, "kbd") || !strcmp(t, "samp")) ? t : "code";
}

/* A plain element: `tag` with the node's common attributes, opened at ENTER
 * (a block one ends its start tag with a newline) and closed at EXIT. */
static void element(w *o, const char *tag, const galley_node *n, bool enter,
                    bool block) {
  if (enter) {
    open_tag(o, tag, n, NULL);
    put(o, block ? ">\n" : ">", block ? 2 : 1);
  } else {
    close_tag(o, tag, true);
  }
}

/* A box that holds notes and nothing else (a page's list of notes, its
 * items made footnotes): nothing of it is left where it stood. */
static bool only_notes(const galley_node *n) {
  const galley_node *c = galley_node_first_child_const(n);
  for (; c; c = galley_node_next_const(c))
    if (galley_node_kind(c) != GALLEY_NODE_FOOTNOTE)
      return false;
  return galley_node_first_child_const(n) != NULL;
}

/* Writes the subtree of `root` (the document, or one footnote). */
static void body(w *o, const galley_node *root, const note *as_note) {
  galley_citer it;
  galley_citer_init(&it, root);
  galley_event ev;
  char tmp[32];
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE && !o->rc) {
    const galley_node *n = galley_citer_node(&it);
    bool enter = ev == GALLEY_EVENT_ENTER;
    const galley_node *parent = galley_node_parent_const(n);
    switch (galley_node_kind(n)) {
    case GALLEY_NODE_DOCUMENT: break;
    case GALLEY_NODE_DIV:
      if (only_notes(n)) {
        /* Its notes are written with the others at the end. */
        galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
        break;
      }
      element(o, div_tag(n), n, enter, true);
      break;
    case GALLEY_NODE_PARAGRAPH:
      if (tight_item_para(n)) {
        if (!enter && galley_node_next_const(n))
          put(o, "\n", 1);
        break;
      }
      if (enter) {
        open_tag(o, "p", n, NULL);
        put(o, ">", 1);
      } else {
        if (as_note && parent == root && !galley_node_next_const(n)) {
          put(o, " <a href=\"#", 11);
          text(o, as_note->refid);
          puts_(o, "\" class=\"footnote-back\" role=\"doc-backlink\">"
                   "\xE2\x86\xA9\xEF\xB8\x8E</a>");
        }
        close_tag(o, "p", true);
      }
      break;
    case GALLEY_NODE_HEADING: {
      int level = galley_node_get_level(n);
      if (level < 1)
        level = 1;
      if (level > 6)
        level = 6;
      snprintf(tmp, sizeof tmp, "h%d", level);
      element(o, tmp, n, enter, false);
      break;
    }
    case GALLEY_NODE_BLOCK_QUOTE:
      element(o, "blockquote", n, enter, true);
      break;
    case GALLEY_NODE_LIST: {
      bool ordered = galley_node_get_list_ordered(n);
      const char *tag = ordered ? "ol" : "ul";
      if (enter) {
        open_tag(o, tag, n, "start");
        int start = galley_node_get_list_start(n);
        if (ordered && start != 1) {
          snprintf(tmp, sizeof tmp, "%d", start);
          attr(o, "start", tmp);
        }
        put(o, ">\n", 2);
      } else {
        close_tag(o, tag, true);
      }
      break;
    }
    case GALLEY_NODE_ITEM:
      if (enter) {
        open_tag(o, "li", n, NULL);
        put(o, ">", 1);
        galley_task task = galley_node_get_task(n);
        if (task != GALLEY_TASK_NONE) {
          puts_(o, "<input type=\"checkbox\" disabled=\"\"");
          if (task == GALLEY_TASK_DONE)
            puts_(o, " checked=\"\"");
          puts_(o, void_end(o));
          put(o, " ", 1);
        }
        const galley_node *first = galley_node_first_child_const(n);
        if (first && !tight_item_para(first))
          put(o, "\n", 1);
      } else {
        close_tag(o, "li", true);
      }
      break;
    case GALLEY_NODE_CODE_BLOCK: {
      open_tag(o, "pre", NULL, NULL);
      const char *id = galley_node_get_id(n);
      if (id && *id) {
        char *u = unique_id(o, id);
        if (u)
          attr(o, "id", u);
        free(u);
      }
      puts_(o, "><code");
      const char *info = galley_node_get_info(n);
      if (info && *info) {
        size_t k = 0;
        while (info[k] && !html_is_space((unsigned char)info[k]))
          k++;
        put(o, " class=\"language-", 17);
        esc(o, info, k, true);
        put(o, "\"", 1);
      }
      put(o, ">", 1);
      text(o, galley_node_get_literal(n));
      puts_(o, "</code></pre>\n");
      break;
    }
    case GALLEY_NODE_RAW_BLOCK:
    case GALLEY_NODE_RAW_INLINE: {
      const char *fmt = galley_node_get_format(n);
      const char *lit = galley_node_get_literal(n);
      if (!fmt || !lit || (strcasecmp(fmt, "html") && strcasecmp(fmt, "xhtml")))
        break;
      galley_buf safe = GALLEY_BUF_INIT;
      if (!o->unsafe) {
        galley_html_defuse(&safe, lit, strlen(lit));
        if (safe.failed) {
          nomem(o);
          break;
        }
        if (strcmp(safe.data ? safe.data : "", lit))
          o->defused++;
        lit = safe.data ? safe.data : "";
      }
      if (o->xhtml)
        raw_as_xhtml(o, lit);
      else
        puts_(o, lit);
      free(safe.data);
      if (galley_node_kind(n) == GALLEY_NODE_RAW_BLOCK)
        put(o, "\n", 1);
      break;
    }
    case GALLEY_NODE_THEMATIC_BREAK:
      open_tag(o, "hr", n, NULL);
      puts_(o, void_end(o));
      put(o, "\n", 1);
      break;
    case GALLEY_NODE_TABLE: element(o, "table", n, enter, true); break;
    case GALLEY_NODE_TABLE_ROW: {
      const char *group = row_group(galley_node_get_row_part(n));
      if (enter) {
        if (!same_group(galley_node_prev_const(n), n)) {
          put(o, "<", 1);
          puts_(o, group);
          put(o, ">\n", 2);
        }
        open_tag(o, "tr", n, NULL);
        put(o, ">\n", 2);
      } else {
        close_tag(o, "tr", true);
        if (!same_group(n, galley_node_next_const(n)))
          close_tag(o, group, true);
      }
      break;
    }
    case GALLEY_NODE_TABLE_CELL: {
      const char *tag = galley_node_get_cell_header(n) ? "th" : "td";
      if (enter) {
        open_tag(o, tag, n, "colspan rowspan");
        int span = galley_node_get_colspan(n);
        if (span > 1) {
          snprintf(tmp, sizeof tmp, "%d", span);
          attr(o, "colspan", tmp);
        }
        span = galley_node_get_rowspan(n);
        if (span > 1) {
          snprintf(tmp, sizeof tmp, "%d", span);
          attr(o, "rowspan", tmp);
        }
        switch (galley_node_get_cell_align(n)) {
        case GALLEY_ALIGN_LEFT: attr(o, "style", "text-align: left"); break;
        case GALLEY_ALIGN_CENTER: attr(o, "style", "text-align: center"); break;
        case GALLEY_ALIGN_RIGHT: attr(o, "style", "text-align: right"); break;
        default: break;
        }
        put(o, ">", 1);
      } else {
        close_tag(o, tag, true);
      }
      break;
    }
    case GALLEY_NODE_FIGURE: element(o, "figure", n, enter, true); break;
    case GALLEY_NODE_CAPTION: {
      const char *tag = parent && galley_node_kind(parent) == GALLEY_NODE_TABLE
                            ? "caption"
                            : "figcaption";
      element(o, tag, n, enter, false);
      break;
    }
    case GALLEY_NODE_DEFINITION_LIST: element(o, "dl", n, enter, true); break;
    case GALLEY_NODE_TERM: element(o, "dt", n, enter, false); break;
    case GALLEY_NODE_DEFINITION: element(o, "dd", n, enter, true); break;
    case GALLEY_NODE_FOOTNOTE:
      if (n == root) {
        if (enter) {
          put(o, "<li id=\"", 8);
          text(o, as_note->id);
          put(o, "\">\n", 3);
        } else {
          const galley_node *last = galley_node_last_child_const(n);
          if (!last || galley_node_kind(last) != GALLEY_NODE_PARAGRAPH) {
            put(o, "<a href=\"#", 10);
            text(o, as_note->refid);
            puts_(o, "\" class=\"footnote-back\" role=\"doc-backlink\">"
                     "\xE2\x86\xA9\xEF\xB8\x8E</a>");
          }
          close_tag(o, "li", true);
        }
      } else {
        /* Written at the end, in the notes section. */
        galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      }
      break;
    case GALLEY_NODE_TEXT: text(o, galley_node_get_literal(n)); break;
    case GALLEY_NODE_SOFT_BREAK: put(o, "\n", 1); break;
    case GALLEY_NODE_LINE_BREAK:
      puts_(o, o->xhtml ? "<br />\n" : "<br>\n");
      break;
    case GALLEY_NODE_EMPH:
    case GALLEY_NODE_STRONG:
    case GALLEY_NODE_STRIKE:
    case GALLEY_NODE_SUPERSCRIPT:
    case GALLEY_NODE_SUBSCRIPT:
    case GALLEY_NODE_SPAN: {
      static const char *const names[] = {
          [GALLEY_NODE_EMPH] = "em",       [GALLEY_NODE_STRONG] = "strong",
          [GALLEY_NODE_STRIKE] = "del",    [GALLEY_NODE_SUPERSCRIPT] = "sup",
          [GALLEY_NODE_SUBSCRIPT] = "sub", [GALLEY_NODE_SPAN] = "span",
      };
      galley_kind k = galley_node_kind(n);
      const char *tag = k == GALLEY_NODE_SPAN ? span_tag(n) : names[k];
      if (enter) {
        open_tag(o, tag, n, NULL);
        put(o, ">", 1);
      } else {
        close_tag(o, tag, false);
      }
      break;
    }
    case GALLEY_NODE_CODE: {
      const char *tag = code_tag(n);
      open_tag(o, tag, n, NULL);
      put(o, ">", 1);
      text(o, galley_node_get_literal(n));
      close_tag(o, tag, false);
      break;
    }
    case GALLEY_NODE_LINK:
      if (enter) {
        open_tag(o, "a", n, "href title");
        const char *url = galley_node_get_url(n);
        if (url && !o->unsafe && !galley_url_is_safe(url, false)) {
          o->defused++; /* the link's words stay, not what it runs */
          url = NULL;
        }
        if (url)
          url_attr(o, "href", url);
        const char *title = galley_node_get_title(n);
        if (title && *title)
          attr(o, "title", title);
        put(o, ">", 1);
      } else {
        close_tag(o, "a", false);
      }
      break;
    case GALLEY_NODE_IMAGE: {
      char *alt = plain_text(n);
      if (!alt) {
        nomem(o);
        break;
      }
      const char *url = galley_node_get_url(n);
      if (url && !o->unsafe && !galley_url_is_safe(url, true)) {
        o->defused++; /* an image that runs script: its alt text only */
        text(o, alt);
        free(alt);
        galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
        break;
      }
      open_tag(o, "img", n, "src alt title");
      const galley_resource *res =
          o->self_contained && url
              ? galley_doc_find_resource(galley_node_doc(n), url)
              : NULL;
      if (res && res->media_type && !strncmp(res->media_type, "image/", 6))
        data_uri_attr(o, res);
      else
        url_attr(o, "src", url);
      attr(o, "alt", alt);
      free(alt);
      const char *title = galley_node_get_title(n);
      if (title && *title)
        attr(o, "title", title);
      puts_(o, void_end(o));
      /* The alt text is written; the children need no visit. */
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      break;
    }
    case GALLEY_NODE_FOOTNOTE_REF: write_ref(o, n); break;
    default: break;
    }
  }
}

static void notes_section(w *o) {
  int count = 0;
  for (size_t i = 0; i < o->nnotes; i++)
    count += o->notes[i].def != NULL;
  if (!count)
    return;
  char *id = fresh_id(o, "footnotes");
  puts_(o, "<section");
  if (id)
    attr(o, "id", id);
  free(id);
  puts_(o, " class=\"footnotes\" role=\"doc-endnotes\">\n<hr");
  puts_(o, void_end(o));
  puts_(o, "\n<ol>\n");
  /* In the order of their numbers: notes[] is indexed by number. */
  for (size_t i = 0; i < o->nnotes && !o->rc; i++)
    if (o->notes[i].def)
      body(o, o->notes[i].def, &o->notes[i]);
  puts_(o, "</ol>\n</section>\n");
}

/* ---- The document around it ------------------------------------------------
 */

static void meta_tag(w *o, const char *kind, const char *name,
                     const char *content) {
  puts_(o, "<meta");
  attr(o, kind, name);
  attr(o, "content", content);
  puts_(o, void_end(o));
  put(o, "\n", 1);
}

static int style(w *o) {
  const char *path = galley_job_option(o->job, "css");
  char *css = NULL;
  if (path && *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
      return galley_job_error(o->job, GALLEY_EIO,
                              "cannot read stylesheet %s: %s", path,
                              strerror(errno));
    galley_buf b = GALLEY_BUF_INIT;
    galley_buf_reserve(&b, 4095);
    while (!b.failed) {
      size_t got = fread(b.data + b.len, 1, b.cap - b.len - 1, f);
      galley_buf_set_len(&b, b.len + got);
      if (got == 0)
        break;
      if (b.len + 1 == b.cap) {
        if (b.cap > (64u << 20)) {
          fclose(f);
          galley_buf_free(&b);
          return galley_job_error(o->job, GALLEY_ELIMIT,
                                  "stylesheet %s is over 64 MiB", path);
        }
        galley_buf_reserve(&b, b.cap - b.len); /* doubles it */
      }
    }
    bool err = ferror(f);
    fclose(f);
    css = galley_buf_detach(&b, NULL);
    if (!css)
      return galley_job_error(o->job, GALLEY_ENOMEM, "out of memory");
    if (err) {
      free(css);
      return galley_job_error(o->job, GALLEY_EIO, "cannot read stylesheet %s",
                              path);
    }
  }
  const char *s = css ? css : default_css;
  puts_(o, "<style>\n");
  bool cdata = o->xhtml && strpbrk(s, "<&");
  if (cdata)
    puts_(o, "/*<![CDATA[*/\n");
  /* Nothing in the sheet may end the element or the CDATA section early. */
  for (const char *p = s; *p; p++) {
    if (*p == '<' && !o->xhtml && strncasecmp(p, "</style", 7) == 0)
      put(o, "<\\", 2);
    else if (cdata && strncmp(p, "]]>", 3) == 0) {
      puts_(o, "]]]]><![CDATA[>");
      p += 2;
    } else
      put(o, p, 1);
  }
  if (cdata)
    puts_(o, "\n/*]]>*/");
  puts_(o, "</style>\n");
  free(css);
  return GALLEY_OK;
}

static int head(w *o, const galley_doc *doc) {
  const char *lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
  puts_(o, "<!DOCTYPE html>\n<html");
  if (o->xhtml)
    attr(o, "xmlns", "http://www.w3.org/1999/xhtml");
  if (lang && *lang) {
    attr(o, "lang", lang);
    if (o->xhtml)
      attr(o, "xml:lang", lang);
  }
  const char *dir = galley_doc_get_meta(doc, GALLEY_META_DIRECTION);
  if (dir && !strcmp(dir, "rtl"))
    attr(o, "dir", "rtl");
  puts_(o, ">\n<head>\n<meta charset=\"utf-8\"");
  puts_(o, void_end(o));
  puts_(o, "\n<meta name=\"viewport\" content=\"width=device-width, "
           "initial-scale=1\"");
  puts_(o, void_end(o));
  puts_(o, "\n<title>");
  const char *title = galley_doc_get_meta(doc, GALLEY_META_TITLE);
  if (title && *title) {
    text(o, title);
  } else {
    /* A page needs a title: the first heading's text will do. */
    const galley_node *h =
        galley_node_find(galley_doc_root_const(doc), GALLEY_NODE_HEADING);
    char *t = h ? plain_text(h) : NULL;
    if (t && *t) {
      char *c = html_collapse(t);
      text(o, c ? c : t);
      free(c);
    } else {
      puts_(o, "Untitled");
    }
    free(t);
  }
  puts_(o, "</title>\n");
  size_t nk = galley_doc_meta_count(doc, GALLEY_META_KEYWORD);
  for (size_t i = 0; i < galley_doc_meta_size(doc); i++) {
    const char *k, *v;
    if (!galley_doc_meta_entry(doc, i, &k, &v) || !v)
      continue;
    if (!strcmp(k, GALLEY_META_TITLE) || !strcmp(k, GALLEY_META_LANGUAGE) ||
        !strcmp(k, GALLEY_META_DIRECTION) ||
        !strcmp(k, GALLEY_META_KEYWORD) || !strcmp(k, GALLEY_META_COVER))
      continue;
    if (!strcmp(k, GALLEY_META_URL)) {
      puts_(o, "<link rel=\"canonical\"");
      attr(o, "href", v);
      puts_(o, void_end(o));
      put(o, "\n", 1);
    } else if (!strcmp(k, GALLEY_META_PUBLISHER)) {
      meta_tag(o, "property", "og:site_name", v);
    } else if (!strcmp(k, GALLEY_META_DATE)) {
      meta_tag(o, "name", "dcterms.date", v);
    } else if (attr_name_ok(k)) {
      meta_tag(o, "name", k, v);
    }
  }
  if (nk) {
    /* One walk of the metadata: asking for the i-th keyword walks it from
     * the start (40,000 keywords took 2.6 s). */
    puts_(o, "<meta name=\"keywords\" content=\"");
    bool first = true;
    for (size_t i = 0; i < galley_doc_meta_size(doc); i++) {
      const char *k, *v;
      if (!galley_doc_meta_entry(doc, i, &k, &v) ||
          strcmp(k, GALLEY_META_KEYWORD) != 0)
        continue;
      if (!first)
        put(o, ", ", 2);
      first = false;
      esc(o, v, strlen(v), true);
    }
    put(o, "\"", 1);
    puts_(o, void_end(o));
    put(o, "\n", 1);
  }
  int rc = style(o);
  if (rc)
    return rc;
  puts_(o, "</head>\n<body>\n");
  return GALLEY_OK;
}

/* ---- The title block ------------------------------------------------------
 */

static void credit_sep(w *o, bool *any) {
  if (*any)
    puts_(o, " \xC2\xB7 ");
  *any = true;
}

/* The title, byline, date and site of a standalone document, as a reader
 * view shows them: the site above the title, the credits under it. Not
 * written when the body's first heading already is the title (the page
 * shows its own, or this is galley's output read again). */
static void title_block(w *o, const galley_doc *doc) {
  const char *title = galley_doc_get_meta(doc, GALLEY_META_TITLE);
  /* "Untitled" is what head() writes for a document without a title or a
   * heading; read again, it is no title to show. */
  if (title && (!*title || strcmp(title, "Untitled") == 0))
    title = NULL;
  if (title && galley_doc_shows_title(doc))
    return;
  const char *lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
  const char *date = galley_doc_get_meta(doc, GALLEY_META_DATE);
  const char *pub = galley_doc_get_meta(doc, GALLEY_META_PUBLISHER);
  const char *source = galley_doc_get_meta(doc, GALLEY_META_SOURCE);
  const char *url = galley_doc_get_meta(doc, GALLEY_META_URL);
  size_t nauthors = galley_doc_meta_count(doc, GALLEY_META_AUTHOR);
  (void)pub;
  char sitebuf[512];
  const char *site = galley_doc_site(doc, sitebuf, sizeof sitebuf);
  if (source && (!*source || (site && strcmp(source, site) == 0)))
    source = NULL;
  char human[GALLEY_DATE_FORMAT_MAX];
  if (date && !*date)
    date = NULL;
  size_t hn = date ? galley_date_format(date, lang, human, sizeof human) : 0;
  if (!title && !site && !nauthors && !date)
    return;
  puts_(o, "<header class=\"title-block\">\n");
  if (site) {
    puts_(o, "<p class=\"site\">");
    if (url && galley_url_is_web(url)) {
      puts_(o, "<a");
      url_attr(o, "href", url);
      put(o, ">", 1);
      text(o, site);
      puts_(o, "</a>");
    } else {
      text(o, site);
    }
    puts_(o, "</p>\n");
  }
  if (title) {
    puts_(o, "<h1 class=\"title\">");
    char *c = html_collapse(title);
    text(o, c ? c : title);
    free(c);
    puts_(o, "</h1>\n");
  }
  if (nauthors || date || source) {
    bool any = false;
    puts_(o, "<p class=\"credits\">");
    if (nauthors) {
      credit_sep(o, &any);
      puts_(o, "<span class=\"byline\">");
      /* One walk of the metadata: asking for the i-th author walks it. */
      size_t k = 0;
      for (size_t i = 0; i < galley_doc_meta_size(doc); i++) {
        const char *key, *v;
        if (!galley_doc_meta_entry(doc, i, &key, &v) || !v ||
            strcmp(key, GALLEY_META_AUTHOR) != 0)
          continue;
        if (k == 0 && galley_byline_wants_by(v, lang))
          puts_(o, "By ");
        if (k++)
          puts_(o, ", ");
        text(o, v);
      }
      puts_(o, "</span>");
    }
    if (date) {
      credit_sep(o, &any);
      if (hn) {
        /* The date part of the value: what <time> takes without a zone. */
        size_t dn = strcspn(date, "Tt ");
        char iso[16];
        snprintf(iso, sizeof iso, "%.*s", (int)(dn < 15 ? dn : 15), date);
        puts_(o, "<time class=\"date\"");
        attr(o, "datetime", iso);
        put(o, ">", 1);
        text(o, human);
        puts_(o, "</time>");
      } else {
        puts_(o, "<span class=\"date\">");
        text(o, date);
        puts_(o, "</span>");
      }
    }
    if (source) {
      credit_sep(o, &any);
      puts_(o, "<span class=\"source\">");
      text(o, source);
      puts_(o, "</span>");
    }
    puts_(o, "</p>\n");
  }
  puts_(o, "</header>\n");
}

int html_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  w *o = calloc(1, sizeof *o);
  if (!o)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  o->job = job;
  o->out = out;
  o->xhtml = galley_job_option_bool(job, "xhtml", false);
  bool fragment = galley_job_option_bool(job, "fragment", false);
  o->self_contained = galley_job_option_bool(job, "self-contained", false);
  /* EPUB chapters (XHTML) never carry script, whatever was asked. */
  o->unsafe = !o->xhtml && galley_job_option_bool(job, "unsafe", false);
  prepass(o, doc);
  int rc = o->rc;
  if (rc == GALLEY_OK && !fragment)
    rc = head(o, doc);
  if (rc == GALLEY_OK && !fragment &&
      galley_job_option_bool(job, "title-block", true))
    title_block(o, doc);
  if (rc == GALLEY_OK) {
    body(o, galley_doc_root_const(doc), NULL);
    notes_section(o);
    if (o->defused)
      galley_job_warn(job,
                      "%zu links, images or raw HTML tags that could run "
                      "script defused (-O unsafe=true keeps them as they are)",
                      o->defused);
    if (!fragment)
      puts_(o, "</body>\n</html>\n");
    flush(o);
    rc = o->rc;
  }
  for (size_t i = 0; i < o->nnotes; i++) {
    free(o->notes[i].id);
    free(o->notes[i].refid);
  }
  free(o->notes);
  set_free(&o->all);
  set_free(&o->used);
  free(o);
  return rc;
}
