/* Article metadata from a page's <head>: title, meta tags, the canonical
 * link and JSON-LD, each field taken from its most trusted source. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "html.h"

enum { M_TITLE, M_DESC, M_PUB, M_DATE, M_LANG, M_URL, M_N };

/* The more a source is meant for machines, the more it is trusted: JSON-LD,
 * then Dublin Core and Open Graph, then plain meta tags, then <title>. The
 * order follows what Readability found works on real pages. */
enum {
  P_JSONLD = 100,
  P_DC = 90,
  P_OG = 80,
  P_NAME = 70,
  P_TWITTER = 60,
  P_TITLE = 50,
  P_WEAK = 40,
};

/* A growing array of owned strings. */
typedef struct strs {
  char **v;
  size_t n, cap;
} strs;

static void strs_add(strs *l, const char *v) {
  if (!v || !*v || l->n >= 64)
    return;
  char *c = strdup(v);
  if (!c)
    return;
  if (galley_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) !=
      GALLEY_OK) {
    free(c);
    return;
  }
  l->v[l->n++] = c;
}

static void strs_free(strs *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

typedef struct list {
  char **v;
  size_t n, cap;
  int pri;
  /* The values by their hash ignoring case, open addressing: 1 + a
   * position in v, 0 for an empty slot (a page of 40,000 keywords compared
   * each with all before it: 2 s). */
  size_t *index;
  size_t index_cap;
} list;

struct html_meta {
  char *val[M_N];
  int pri[M_N];
  list authors, keywords;
  char *doc_title; /* the <title> text */
  char *ld_name;   /* JSON-LD name, when it also had a headline */
  bool jsonld_done;
  /* Every name the page gives its site (og:site_name, application-name,
   * publisher, twitter:site, the canonical URL) and every title it
   * declares: a title's suffix is cut when it names the site. */
  strs sites, titles;
  bool named_site; /* a site name besides URLs */
  const char *dir; /* "rtl" or "ltr": <html dir> or else <body dir> */
};

html_meta *html_meta_new(void) { return calloc(1, sizeof(html_meta)); }

static void list_clear(list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  l->n = 0;
  if (l->index)
    memset(l->index, 0, l->index_cap * sizeof *l->index);
}

/* A hash that strcasecmp's equal strings share. */
static size_t fold_hash(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++)
    h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 1099511628211u;
  return h;
}

/* The index slot of the value equal to `c` but for case, or the empty slot
 * where it would go. */
static size_t *list_slot(const list *l, const char *c) {
  size_t i = fold_hash(c) & (l->index_cap - 1);
  while (l->index[i] && strcasecmp(l->v[l->index[i] - 1], c) != 0)
    i = (i + 1) & (l->index_cap - 1);
  return &l->index[i];
}

void html_meta_free(html_meta *m) {
  if (!m)
    return;
  for (int i = 0; i < M_N; i++)
    free(m->val[i]);
  list_clear(&m->authors);
  list_clear(&m->keywords);
  free(m->doc_title);
  free(m->ld_name);
  strs_free(&m->sites);
  strs_free(&m->titles);
  free(m->authors.v);
  free(m->keywords.v);
  free(m->authors.index);
  free(m->keywords.index);
  free(m);
}

/* Puts the UTF-8 bytes of code point `cp` at `o`; their count. */
static size_t put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80)
    return o[0] = (char)cp, 1;
  if (cp < 0x800)
    return o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F)),
           2;
  if (cp < 0x10000)
    return o[0] = (char)(0xE0 | (cp >> 12)),
           o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
           o[2] = (char)(0x80 | (cp & 0x3F)), 3;
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Character references left in a value that was escaped twice
 * (content="That&amp;#039;s" reads as "That&#039;s"): decoded in place, as
 * Readability does for metadata. Numeric references, the five XML names
 * and the typographic ones pages escape most (nbsp, ndash, mdash, the
 * quotes, hellip); a reference to no character (0, a surrogate, past U+10FFFF) gives
 * U+FFFD; anything else ("&#xg;", "AT&T") stays as written. No output is
 * longer than its reference, so the string only shrinks. */
static void unescape_refs(char *s) {
  static const struct {
    const char *name, *c;
  } named[] = {{"amp;", "&"},
               {"lt;", "<"},
               {"gt;", ">"},
               {"quot;", "\""},
               {"apos;", "'"},
               {"nbsp;", "\xc2\xa0"},
               {"ndash;", "\xe2\x80\x93"},
               {"mdash;", "\xe2\x80\x94"},
               {"lsquo;", "\xe2\x80\x98"},
               {"rsquo;", "\xe2\x80\x99"},
               {"ldquo;", "\xe2\x80\x9c"},
               {"rdquo;", "\xe2\x80\x9d"},
               {"hellip;", "\xe2\x80\xa6"}};
  char *o = s;
  for (const char *p = s; *p;) {
    if (*p != '&') {
      *o++ = *p++;
      continue;
    }
    if (p[1] == '#') {
      const char *q = p + 2;
      bool hex = *q == 'x' || *q == 'X';
      if (hex)
        q++;
      unsigned long cp = 0;
      size_t digits = 0;
      for (; hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q);
           q++, digits++)
        if (cp <= 0x10FFFF)
          cp = cp * (hex ? 16 : 10) +
               (unsigned long)(isdigit((unsigned char)*q)
                                   ? *q - '0'
                                   : (tolower((unsigned char)*q) - 'a' + 10));
      if (digits && *q == ';') {
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
          cp = 0xFFFD;
        o += put_utf8(o, cp);
        p = q + 1;
        continue;
      }
    } else {
      bool done = false;
      for (size_t k = 0; k < sizeof named / sizeof *named && !done; k++) {
        size_t l = strlen(named[k].name);
        if (strncmp(p + 1, named[k].name, l) == 0) {
          for (const char *c = named[k].c; *c; c++)
            *o++ = *c;
          p += 1 + l;
          done = true;
        }
      }
      if (done)
        continue;
    }
    *o++ = *p++;
  }
  *o = '\0';
}

/* A value as a field keeps it: white space collapsed, references that
 * were escaped twice decoded. */
static char *clean_value(const char *v) {
  char *c = html_collapse(v);
  if (c)
    unescape_refs(c);
  return c;
}

static void set_field(html_meta *m, int f, const char *v, int pri) {
  if (!v)
    return;
  if (f == M_TITLE || f == M_PUB || f == M_URL) {
    char *c = clean_value(v);
    strs_add(f == M_TITLE ? &m->titles : &m->sites, c);
    if (f == M_PUB && c && *c)
      m->named_site = true;
    free(c);
  }
  if (pri <= m->pri[f])
    return;
  char *c = clean_value(v);
  if (!c || !*c) {
    free(c);
    return;
  }
  free(m->val[f]);
  m->val[f] = c;
  m->pri[f] = pri;
}

/* Adds `v` to a list filled from one source only: a better source
 * replaces what a worse one gave. */
static void list_add(list *l, const char *v, int pri) {
  if (!v || pri < l->pri)
    return;
  char *c = clean_value(v);
  if (!c)
    return;
  if (!*c) {
    free(c);
    return;
  }
  if (pri > l->pri) {
    list_clear(l);
    l->pri = pri;
  }
  if (l->index_cap && *list_slot(l, c)) {
    free(c);
    return;
  }
  if ((l->n + 1) * 2 > l->index_cap) {
    size_t cap = l->index_cap ? l->index_cap * 2 : 16;
    size_t *index = calloc(cap, sizeof *index);
    if (!index) {
      free(c);
      return;
    }
    free(l->index);
    l->index = index;
    l->index_cap = cap;
    for (size_t i = 0; i < l->n; i++)
      *list_slot(l, l->v[i]) = i + 1;
  }
  if (galley_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) !=
      GALLEY_OK) {
    free(c);
    return;
  }
  *list_slot(l, c) = l->n + 1;
  l->v[l->n++] = c;
}

static bool looks_like_url(const char *v) {
  return strncasecmp(v, "http://", 7) == 0 ||
         strncasecmp(v, "https://", 8) == 0 || v[0] == '/';
}

/* Does a declared author carry more than names: a "By", a date, a handle,
 * a link, a separator before a job title? Names alone ("Bruno (Henrique
 * Zecchin) Rodrigues") are kept as declared. */
static bool needs_cleaning(const char *v) {
  static const char *const marks[] = {"@",  "://",          "|",
                                      " - ", "\xe2\x80\x93", "\xe2\x80\x94",
                                      "\xc2\xb7", "\n",     NULL};
  galley_byline by;
  size_t n = strlen(v);
  for (size_t i = 0; marks[i]; i++)
    if (strstr(v, marks[i]))
      return true;
  for (const char *p = v; *p; p++)
    if (isdigit((unsigned char)*p))
      return true;
  /* A byline word first: "By Jane Doe", "Posted by …", "Por …". */
  return galley_recognise_byline(v, n, 0, &by);
}

/* A declared author is cleaned by the same recogniser as a visible byline
 * (galley/recognise.h): "By Jane Doe | Staff Writer" gives "Jane Doe",
 * "Jane Doe and John Roe" two names. A value the recogniser does not read
 * as names (an organisation written in small letters, a phrase) is kept as
 * declared, without a leading "By". */
static void add_author(html_meta *m, const char *v, int pri) {
  if (!v || looks_like_url(v))
    return;
  while (*v && html_is_space((unsigned char)*v))
    v++;
  char *c = clean_value(v);
  if (!c)
    return;
  galley_byline by;
  size_t len = strlen(c);
  if (len < 200 && needs_cleaning(c) &&
      galley_recognise_byline(c, len, GALLEY_BYLINE_MARKED, &by)) {
    for (size_t i = 0; i < by.n_names; i++) {
      char *name = strndup(c + by.names[i].start, by.names[i].len);
      if (name)
        list_add(&m->authors, name, pri);
      free(name);
    }
  } else {
    list_add(&m->authors, strncasecmp(c, "by ", 3) == 0 ? c + 3 : c, pri);
  }
  free(c);
}

static void add_keywords(html_meta *m, const char *v, int pri) {
  if (!v)
    return;
  const char *p = v;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *one = strndup(p, n);
    if (one) {
      list_add(&m->keywords, one, pri);
      free(one);
    }
    p += n;
    if (*p == ',')
      p++;
  }
}

/* One name of a <meta name|property> and its content. */
static void meta_name(html_meta *m, const char *name, size_t n,
                      const char *content, int bonus) {
  char key[64];
  if (n == 0 || n >= sizeof key)
    return;
  for (size_t i = 0; i < n; i++)
    key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
  key[n] = 0;
  /* dc.title, dc:title and dcterms.title are all Dublin Core. */
  const char *k = key;
  bool dc = false;
  if (strncmp(k, "dcterms.", 8) == 0 || strncmp(k, "dcterms:", 8) == 0 ||
      strncmp(k, "dcterm:", 7) == 0) {
    k = strpbrk(k, ".:") + 1;
    dc = true;
  } else if (strncmp(k, "dc.", 3) == 0 || strncmp(k, "dc:", 3) == 0) {
    k += 3;
    dc = true;
  }
  if (dc) {
    if (!strcmp(k, "title"))
      set_field(m, M_TITLE, content, P_DC + bonus);
    else if (!strcmp(k, "creator"))
      add_author(m, content, P_DC + bonus);
    else if (!strcmp(k, "description"))
      set_field(m, M_DESC, content, P_DC + bonus);
    else if (!strcmp(k, "publisher"))
      set_field(m, M_PUB, content, P_NAME + bonus);
    else if (!strcmp(k, "date") || !strcmp(k, "created") ||
             !strcmp(k, "issued") || !strcmp(k, "date.issued"))
      set_field(m, M_DATE, content, P_NAME + bonus);
    else if (!strcmp(k, "language"))
      set_field(m, M_LANG, content, P_NAME + bonus);
    return;
  }
  if (!strcmp(k, "og:title"))
    set_field(m, M_TITLE, content, P_OG + bonus);
  else if (!strcmp(k, "title"))
    set_field(m, M_TITLE, content, P_NAME + bonus);
  else if (!strcmp(k, "twitter:title"))
    set_field(m, M_TITLE, content, P_TWITTER + bonus);
  else if (!strcmp(k, "author") || !strcmp(k, "parsely-author") ||
           !strcmp(k, "og:article:author"))
    add_author(m, content, P_NAME + bonus);
  else if (!strcmp(k, "article:author") || !strcmp(k, "sailthru.author") ||
           !strcmp(k, "byl"))
    add_author(m, content, P_TWITTER + bonus);
  else if (!strcmp(k, "og:description"))
    set_field(m, M_DESC, content, P_OG + bonus);
  else if (!strcmp(k, "description"))
    set_field(m, M_DESC, content, P_NAME + bonus);
  else if (!strcmp(k, "twitter:description"))
    set_field(m, M_DESC, content, P_TWITTER + bonus);
  else if (!strcmp(k, "og:site_name"))
    set_field(m, M_PUB, content, P_OG + bonus);
  else if (!strcmp(k, "application-name"))
    set_field(m, M_PUB, content, P_WEAK + bonus);
  else if (!strcmp(k, "twitter:site") || !strcmp(k, "apple-mobile-web-app-title")) {
    /* Names of the site, never its publisher field: "@BBCNews". */
    if (!looks_like_url(content)) {
      strs_add(&m->sites, content[0] == '@' ? content + 1 : content);
      m->named_site = true;
    }
  }
  else if (!strcmp(k, "article:published_time") || !strcmp(k, "datepublished"))
    set_field(m, M_DATE, content, P_OG + bonus);
  else if (!strcmp(k, "parsely-pub-date") || !strcmp(k, "publish-date") ||
           !strcmp(k, "pubdate") || !strcmp(k, "og:published_time") ||
           !strcmp(k, "published_time") || !strcmp(k, "sailthru.date") ||
           !strcmp(k, "date"))
    set_field(m, M_DATE, content, P_TWITTER + bonus);
  else if (!strcmp(k, "og:locale")) {
    char *l = strdup(content);
    if (l) {
      for (char *p = l; *p; p++)
        if (*p == '_')
          *p = '-';
      set_field(m, M_LANG, l, P_WEAK + bonus);
      free(l);
    }
  } else if (!strcmp(k, "og:url"))
    set_field(m, M_URL, content, P_OG + bonus);
  else if (!strcmp(k, "news_keywords"))
    add_keywords(m, content, P_OG + bonus);
  else if (!strcmp(k, "keywords"))
    add_keywords(m, content, P_NAME + bonus);
  else if (!strcmp(k, "article:tag"))
    add_keywords(m, content, P_TWITTER + bonus);
  else if (!strcmp(k, "parsely-title"))
    set_field(m, M_TITLE, content, P_NAME + bonus);
}

void html_meta_element(html_meta *m, xmlNode *el) {
  const char *name = (const char *)el->name;
  if (!strcmp(name, "html") || !strcmp(name, "body")) {
    const char *dir = html_attr(el, "dir");
    if (dir && !m->dir)
      m->dir = !strcasecmp(dir, "rtl")   ? "rtl"
               : !strcasecmp(dir, "ltr") ? "ltr"
                                         : NULL;
    if (!strcmp(name, "body"))
      return;
  }
  if (!strcmp(name, "html")) {
    const char *lang = html_attr(el, "lang");
    if (!lang)
      lang = html_attr(el, "xml:lang");
    set_field(m, M_LANG, lang, P_JSONLD);
    return;
  }
  if (!strcmp(name, "title")) {
    xmlChar *t = xmlNodeGetContent(el);
    if (t) {
      set_field(m, M_TITLE, (const char *)t, P_TITLE);
      if (!m->doc_title)
        m->doc_title = html_collapse((const char *)t);
      xmlFree(t);
    }
    return;
  }
  if (!strcmp(name, "link")) {
    const char *rel = html_attr(el, "rel"), *href = html_attr(el, "href");
    if (rel && href && strcasecmp(rel, "canonical") == 0)
      set_field(m, M_URL, href, P_JSONLD);
    return;
  }
  if (strcmp(name, "meta") != 0)
    return;
  const char *content = html_attr(el, "content");
  if (!content)
    return;
  const char *equiv = html_attr(el, "http-equiv");
  if (equiv && strcasecmp(equiv, "content-language") == 0)
    set_field(m, M_LANG, content, P_TWITTER);
  /* The same key as a property (RDFa, Open Graph's own form) wins over it
   * as a name. */
  static const char *const keys[] = {"name", "property", "itemprop", NULL};
  static const int bonus[] = {0, 1, 0};
  for (size_t i = 0; keys[i]; i++) {
    const char *v = html_attr(el, keys[i]);
    if (!v)
      continue;
    /* Some pages give several names at once: "og:title twitter:title". */
    const char *p = v;
    while (*p) {
      while (*p && html_is_space((unsigned char)*p))
        p++;
      const char *s = p;
      while (*p && !html_is_space((unsigned char)*p))
        p++;
      meta_name(m, s, (size_t)(p - s), content, bonus[i]);
    }
  }
}

bool html_meta_byline(html_meta *m, const char *text) {
  galley_byline by;
  if (!galley_recognise_byline(text, strlen(text), GALLEY_BYLINE_MARKED, &by))
    return false;
  for (size_t i = 0; i < by.n_names; i++) {
    char *name = strndup(text + by.names[i].start, by.names[i].len);
    if (!name)
      return false;
    add_author(m, name, P_WEAK);
    free(name);
  }
  return true;
}

/* The text of a byline element as it is gathered: white space collapsed
 * within each line, empty lines dropped, at most 100 bytes. */
typedef struct lines {
  char out[104];
  size_t o;
  bool space, line, full;
} lines;

static void lines_put(lines *l, unsigned char c) {
  if (c == '\n') {
    l->line = l->o > 0;
    l->space = false;
  } else if (html_is_space(c)) {
    l->space = l->o > 0;
  } else if (l->o + 2 >= 100) {
    l->full = true;
  } else {
    if (l->line)
      l->out[l->o++] = '\n';
    else if (l->space)
      l->out[l->o++] = ' ';
    l->line = l->space = false;
    l->out[l->o++] = (char)c;
  }
}

/* Gathers the text under `n`, a newline around each block element:
 * "<a>Ben Silverman</a><div>Games Editor</div>" reads as two lines, and
 * the recogniser stops the names at the line's end. */
static void block_text(xmlNode *n, lines *l, int depth) {
  static const char *const blocks[] = {
      "div", "p",  "li", "br", "h1",      "h2",     "h3",     "h4",  "h5",
      "h6",  "ul", "ol", "dl", "dd",      "dt",     "section", "header",
      "footer", "address", "table", "tr", "td", "figure", "blockquote", NULL};
  for (xmlNode *c = n->children; c && !l->full; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      for (const xmlChar *p = c->content; p && *p && !l->full; p++)
        lines_put(l, *p);
      continue;
    }
    if (c->type != XML_ELEMENT_NODE || depth > 16)
      continue;
    bool block = false;
    for (size_t i = 0; blocks[i] && !block; i++)
      block = strcasecmp((const char *)c->name, blocks[i]) == 0;
    if (block)
      lines_put(l, '\n');
    block_text(c, l, depth + 1);
    if (block)
      lines_put(l, '\n');
  }
}

/* `sub` in `s`, ignoring case; "comment" not as the start of
 * "commentary" (an opinion column's byline is the article's). */
static bool has_ci(const char *s, const char *sub) {
  size_t n = strlen(sub);
  for (; *s; s++)
    if (strncasecmp(s, sub, n) == 0 &&
        !(strcmp(sub, "comment") == 0 && strncasecmp(s + n, "ary", 3) == 0))
      return true;
  return false;
}

/* Is `el` inside a block that holds other people's bylines: related
 * stories, comments, a sidebar, a "follow these authors" widget? Its class
 * or id says so. */
static bool elsewhere(xmlNode *el) {
  static const char *const words[] = {
      "related", "comment", "recommend", "promo",  "teaser",
      "widget",  "follow",  "trending", "popular",  "outbrain", "taboola",
      NULL};
  int hops = 0;
  /* Up to the article or the body, whose classes describe the whole
   * page ("single-post sidebar-primary"). */
  for (xmlNode *p = el; p && p->type == XML_ELEMENT_NODE && hops < 40 &&
                        !html_named(p, "body") && !html_named(p, "article") &&
                        !html_named(p, "main");
       p = p->parent, hops++) {
    const char *attrs[] = {html_attr(p, "class"), html_attr(p, "id")};
    for (size_t a = 0; a < 2; a++)
      for (size_t i = 0; attrs[a] && words[i]; i++)
        if (has_ci(attrs[a], words[i]))
          return true;
  }
  return false;
}

bool html_meta_byline_element(html_meta *m, xmlNode *el) {
  if (elsewhere(el))
    return false;
  lines l = {.o = 0};
  block_text(el, &l, 0);
  l.out[l.o] = '\0';
  return l.o > 0 && !l.full && html_meta_byline(m, l.out);
}

/* ---- JSON-LD ------------------------------------------------------------ */

/* How deeply the arrays and objects of `s` nest, counted without parsing,
 * so that a hostile script never reaches the recursive parser and free. */
static size_t json_nesting(const char *s, size_t n) {
  size_t depth = 0, max = 0;
  bool str = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        str = false;
    } else if (c == '"') {
      str = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max)
        max = depth;
    } else if ((c == '}' || c == ']') && depth) {
      depth--;
    }
  }
  return max;
}

static bool type_is_article(json_t *type) {
  static const char *const types[] = {"Article",
                                      "NewsArticle",
                                      "BlogPosting",
                                      "ReportageNews",
                                      "AnalysisNewsArticle",
                                      "OpinionNewsArticle",
                                      "BackgroundNewsArticle",
                                      "ReviewNewsArticle",
                                      "ScholarlyArticle",
                                      "MedicalScholarlyArticle",
                                      "TechArticle",
                                      "Report",
                                      "SatiricalArticle",
                                      "SocialMediaPosting",
                                      "LiveBlogPosting",
                                      "DiscussionForumPosting",
                                      "AdvertiserContentArticle",
                                      "AskPublicNewsArticle",
                                      NULL};
  if (json_is_array(type)) {
    size_t i;
    json_t *t;
    json_array_foreach(type, i, t) if (type_is_article(t)) return true;
    return false;
  }
  const char *s = json_string_value(type);
  if (!s)
    return false;
  const char *slash = strrchr(s, '/');
  if (slash)
    s = slash + 1; /* "http://schema.org/NewsArticle" */
  for (size_t i = 0; types[i]; i++)
    if (strcmp(s, types[i]) == 0)
      return true;
  /* schema.org keeps adding kinds: ReportageNewsArticle, SatiricalArticle… */
  size_t n = strlen(s);
  return n > 7 && strcmp(s + n - 7, "Article") == 0;
}

/* A referenced node ({"@id": …}) found in the same @graph. */
static json_t *deref(json_t *v, json_t *graph) {
  if (!json_is_object(v) || json_object_get(v, "name") || !graph)
    return v;
  const char *id = json_string_value(json_object_get(v, "@id"));
  if (!id)
    return v;
  size_t i;
  json_t *o;
  json_array_foreach(graph, i, o) {
    const char *oid = json_string_value(json_object_get(o, "@id"));
    if (oid && strcmp(oid, id) == 0)
      return o;
  }
  return v;
}

static const char *name_of(json_t *v, json_t *graph) {
  v = deref(v, graph);
  if (json_is_string(v))
    return json_string_value(v);
  return json_string_value(json_object_get(v, "name"));
}

/* Two values the same but for case and white space. */
static bool same_text(const char *a, const char *b) {
  if (!a || !b)
    return false;
  char *x = html_collapse(a), *y = html_collapse(b);
  bool same = x && y && strcasecmp(x, y) == 0;
  free(x);
  free(y);
  return same;
}

static void from_article(html_meta *m, json_t *a, json_t *graph) {
  json_t *v = json_object_get(a, "headline");
  json_t *name = json_object_get(a, "name");
  json_t *pub = json_object_get(a, "publisher");
  if (json_is_array(pub))
    pub = json_array_get(pub, 0);
  const char *pub_name = name_of(pub, graph);
  /* A "name" that is the publisher's ("name": "NBC News") names the site,
   * not the article: it never becomes the title. */
  if (json_is_string(name) && same_text(json_string_value(name), pub_name)) {
    strs_add(&m->sites, json_string_value(name));
    name = NULL;
  }
  if (!json_is_string(v))
    v = name;
  else if (json_is_string(name) && !m->ld_name)
    m->ld_name = html_collapse(json_string_value(name));
  set_field(m, M_TITLE, json_string_value(v), P_JSONLD);
  set_field(m, M_DESC, json_string_value(json_object_get(a, "description")),
            P_JSONLD);
  set_field(m, M_DATE, json_string_value(json_object_get(a, "datePublished")),
            P_JSONLD);
  set_field(m, M_PUB, pub_name, P_JSONLD);
  set_field(m, M_LANG, json_string_value(json_object_get(a, "inLanguage")),
            P_OG);
  json_t *au = json_object_get(a, "author");
  if (json_is_array(au)) {
    size_t i;
    json_t *one;
    json_array_foreach(au, i, one) add_author(m, name_of(one, graph), P_JSONLD);
  } else if (au) {
    add_author(m, name_of(au, graph), P_JSONLD);
  }
}

/* The first article node of a JSON-LD value: the value itself, an element
 * of a top-level array, or a member of an @graph. */
static bool find_article(html_meta *m, json_t *root) {
  if (json_is_array(root)) {
    size_t i;
    json_t *o;
    json_array_foreach(root, i, o) if (find_article(m, o)) return true;
    return false;
  }
  if (!json_is_object(root))
    return false;
  json_t *graph = json_object_get(root, "@graph");
  if (!json_is_array(graph))
    graph = NULL;
  if (type_is_article(json_object_get(root, "@type"))) {
    from_article(m, root, graph);
    return true;
  }
  if (graph) {
    size_t i;
    json_t *o;
    json_array_foreach(graph, i, o) {
      if (json_is_object(o) && type_is_article(json_object_get(o, "@type"))) {
        from_article(m, o, graph);
        return true;
      }
    }
  }
  return false;
}

void html_meta_jsonld(html_meta *m, galley_job *job, const char *text,
                      size_t len) {
  if (m->jsonld_done)
    return;
  /* Scripts are sometimes wrapped in comment or CDATA markers. */
  const char *p = text, *end = text + len;
  for (;;) {
    while (p < end && html_is_space((unsigned char)*p))
      p++;
    if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
      p += 4;
    else if (end - p >= 11 && memcmp(p, "//<![CDATA[", 11) == 0)
      p += 11;
    else if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
      p += 9;
    else
      break;
  }
  if (p >= end || (*p != '{' && *p != '['))
    return;
  if (json_nesting(p, (size_t)(end - p)) > 64) {
    galley_job_warn(job, "JSON-LD nested too deeply; ignored");
    return;
  }
  json_error_t err;
  json_t *root = json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK, &err);
  if (!root) {
    galley_job_info(job, "JSON-LD not valid JSON (%s); ignored", err.text);
    return;
  }
  m->jsonld_done = find_article(m, root);
  json_decref(root);
}

/* ---- Result ------------------------------------------------------------ */

/* The part of `t` after its last " | ", " - ", " – ", " — " or " · ", NULL
 * when none. */
static const char *title_tail(const char *t) {
  static const char *const seps[] = {" | ", " - ", " \xe2\x80\x93 ",
                                     " \xe2\x80\x94 ", " \xc2\xb7 ", NULL};
  const char *best = NULL;
  for (size_t k = 0; seps[k]; k++) {
    size_t l = strlen(seps[k]);
    for (const char *p = strstr(t, seps[k]); p; p = strstr(p + 1, seps[k]))
      if (!best || p + l > best)
        best = p + l;
  }
  return best && *best ? best : NULL;
}

/* Cuts the site's name from the title ("Mozilla - Wikipedia", "Title |
 * eHow"): galley_recognise_title_site with every name the page gives its
 * site, and besides those the part two different declared titles end with
 * ("How to X (with Pictures) | eHow" and "How to X | eHow": "eHow"), and,
 * on a page that names no site, its author's name (a personal site's
 * "Post | Section | Jane Doe"). */
static void clean_title(html_meta *m) {
  char *t = m->val[M_TITLE];
  if (!t)
    return;
  size_t n = 0;
  const char *sites[64 + 64 + 16 + 1];
  for (size_t i = 0; i < m->sites.n && n < 64; i++)
    sites[n++] = m->sites.v[i];
  size_t reps = 0;
  for (size_t i = 0; i < m->titles.n && reps < 64; i++)
    for (size_t j = i + 1; j < m->titles.n && reps < 64; j++) {
      const char *a = title_tail(m->titles.v[i]);
      const char *b = title_tail(m->titles.v[j]);
      if (a && b && strcasecmp(a, b) == 0 &&
          (a - m->titles.v[i] != b - m->titles.v[j] ||
           strncasecmp(m->titles.v[i], m->titles.v[j],
                       (size_t)(a - m->titles.v[i])) != 0))
        sites[n++] = a, reps++;
    }
  if (!m->named_site)
    for (size_t i = 0; i < m->authors.n && i < 16; i++)
      sites[n++] = m->authors.v[i];
  sites[n] = NULL;
  galley_span kept;
  if (!galley_recognise_title_site(t, strlen(t), sites, &kept) || !kept.len)
    return;
  memmove(t, t + kept.start, kept.len);
  t[kept.len] = '\0';
}

int html_meta_apply(html_meta *m, galley_doc *doc) {
  static const char *const keys[M_N] = {
      GALLEY_META_TITLE, GALLEY_META_DESCRIPTION, GALLEY_META_PUBLISHER,
      GALLEY_META_DATE,  GALLEY_META_LANGUAGE,    GALLEY_META_URL};
  /* Some pages put a category in the JSON-LD headline and the title in
   * its name; the page's <title> tells which one is the title. */
  if (m->ld_name && m->doc_title && m->pri[M_TITLE] == P_JSONLD &&
      !strstr(m->doc_title, m->val[M_TITLE]) &&
      strstr(m->doc_title, m->ld_name)) {
    free(m->val[M_TITLE]);
    m->val[M_TITLE] = m->ld_name;
    m->ld_name = NULL;
  }
  clean_title(m);
  for (int i = 0; i < M_N; i++)
    if (m->val[i] && galley_doc_set_meta(doc, keys[i], m->val[i]))
      return GALLEY_ENOMEM;
  if (m->dir && galley_doc_set_meta(doc, GALLEY_META_DIRECTION, m->dir))
    return GALLEY_ENOMEM;
  for (size_t i = 0; i < m->authors.n; i++)
    if (galley_doc_add_meta(doc, GALLEY_META_AUTHOR, m->authors.v[i]))
      return GALLEY_ENOMEM;
  for (size_t i = 0; i < m->keywords.n; i++)
    if (galley_doc_add_meta(doc, GALLEY_META_KEYWORD, m->keywords.v[i]))
      return GALLEY_ENOMEM;
  return GALLEY_OK;
}
