/* Which image an <img> stands for: <picture> sources, srcset, lazy-loading
 * attributes, <noscript> fallbacks and placeholders; and which images are
 * tracking pixels. Everything here reads the parsed page and decides; the
 * reader (read.c) resolves the address and makes the node. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

/* Width in pixels a reader's screen is taken to have: the largest srcset
 * candidate up to it wins. */
#define READER_WIDTH 1600
/* <source> elements of one <picture> looked at, at most. */
#define MAX_SOURCES 16
/* Nodes looked at inside a <noscript> or <picture> for its <img>. */
#define MAX_LOOK 256
/* A data: URL shorter than this is a placeholder (a 1x1 GIF is about 80
 * bytes, an empty sized SVG about 150), not a picture. */
#define DATA_PLACEHOLDER_MAX 512

/* ---- Placeholders ------------------------------------------------------ */

static bool placeholder(const char *u, size_t n) {
  while (n && html_is_space((unsigned char)*u)) {
    u++;
    n--;
  }
  if (n == 0 || u[0] == '#')
    return true;
  if (n >= 5 && strncasecmp(u, "data:", 5) == 0)
    return n < DATA_PLACEHOLDER_MAX;
  /* Only the file name decides: "/placeholder/" in a path is a folder. */
  size_t end = n;
  for (size_t i = 0; i < n; i++)
    if (u[i] == '?' || u[i] == '#') {
      end = i;
      break;
    }
  size_t start = end;
  while (start && u[start - 1] != '/')
    start--;
  const char *f = u + start;
  size_t fn = end - start;
  static const char *const names[] = {
      "blank.gif", "spacer.gif",  "pixel.gif", "transparent.gif", "1x1.",
      "clear.gif", "placeholder", "lazy-load", "lazyload",        "grey.gif",
      "gray.gif",  "loading.gif", "empty.gif", "dot.gif",         NULL};
  for (size_t i = 0; names[i]; i++)
    if (galley_find_ci(f, fn, names[i]))
      return true;
  return false;
}

/* ---- srcset ------------------------------------------------------------ */

typedef struct cand {
  const char *url;
  size_t len;
  long w;   /* width descriptor, 0 when none */
  double x; /* density descriptor; 1 when neither is given */
} cand;

/* Keeps the better of `best` and `c` by the reader's size rule: widths up
 * to READER_WIDTH, the widest; above it, the narrowest; densities, the
 * highest. A width beats a density (mixing them is invalid anyway). */
static void consider(cand *best, const cand *c) {
  if (!best->url) {
    *best = *c;
    return;
  }
  if (c->w && !best->w) {
    *best = *c;
    return;
  }
  if (!c->w && best->w)
    return;
  if (c->w) {
    bool fits = c->w <= READER_WIDTH, best_fits = best->w <= READER_WIDTH;
    if ((fits && (!best_fits || c->w > best->w)) ||
        (!fits && !best_fits && c->w < best->w))
      *best = *c;
    return;
  }
  if (c->x > best->x)
    *best = *c;
}

/* The candidate of a srcset a reader should get; false when none is usable
 * (empty, or only placeholders). The URL points into `set`. Parsed as the
 * HTML standard says: a URL runs to white space, and a comma at its end
 * closes the candidate; descriptors run to the next comma. */
static bool srcset_pick(const char *set, cand *out) {
  cand best = {0};
  const char *p = set;
  while (*p) {
    while (*p && (html_is_space((unsigned char)*p) || *p == ','))
      p++;
    if (!*p)
      break;
    cand c = {p, 0, 0, 1};
    while (*p && !html_is_space((unsigned char)*p))
      p++;
    c.len = (size_t)(p - c.url);
    bool closed = false;
    while (c.len && c.url[c.len - 1] == ',') {
      c.len--;
      closed = true;
    }
    if (!closed) {
      /* Descriptors: "480w", "2x", "1.5x", "300h" (ignored). */
      while (*p && *p != ',') {
        while (*p && html_is_space((unsigned char)*p))
          p++;
        const char *d = p;
        int paren = 0;
        while (*p &&
               (paren || (*p != ',' && !html_is_space((unsigned char)*p)))) {
          paren += *p == '(' ? 1 : *p == ')' && paren ? -1 : 0;
          p++;
        }
        size_t dn = (size_t)(p - d);
        if (dn >= 2) {
          char *end = NULL;
          double v = strtod(d, &end);
          if (end == d + dn - 1 && v > 0) {
            if ((d[dn - 1] == 'w' || d[dn - 1] == 'W') && v < 1e7)
              c.w = (long)v;
            else if (d[dn - 1] == 'x' || d[dn - 1] == 'X')
              c.x = v;
          }
        }
      }
    }
    if (c.len && !placeholder(c.url, c.len))
      consider(&best, &c);
  }
  if (!best.url)
    return false;
  *out = best;
  return true;
}

/* ---- One element's own pick ------------------------------------------ */

/* What an <img> or <source> offers, lazy attributes first (a lazy page
 * keeps a placeholder in the plain ones): a srcset's pick, else a single
 * address. Sets *ph when only a placeholder was found (kept in *out). */
static bool own_pick(const xmlNode *el, bool is_source, cand *out, bool *ph,
                     bool *plain) {
  static const char *const lazy_sets[] = {"data-srcset", "data-lazy-srcset",
                                          NULL};
  static const char *const lazy[] = {
      "data-src",  "data-lazy-src", "data-original",   "data-original-src",
      "data-lazy", "data-url",      "data-hi-res-src", NULL};
  *ph = false;
  *plain = false;
  for (size_t i = 0; lazy_sets[i]; i++) {
    const char *v = html_attr(el, lazy_sets[i]);
    if (v && srcset_pick(v, out))
      return true;
  }
  for (size_t i = 0; !is_source && lazy[i]; i++) {
    const char *v = html_attr(el, lazy[i]);
    if (v && !placeholder(v, strlen(v))) {
      *out = (cand){v, strlen(v), 0, 1};
      return true;
    }
  }
  const char *v = html_attr(el, "srcset");
  if (v && srcset_pick(v, out))
    return true;
  v = html_attr(el, "src");
  if (!is_source && v && *v) {
    *out = (cand){v, strlen(v), 0, 1};
    *ph = placeholder(v, strlen(v));
    *plain = true;
    return true;
  }
  return false;
}

/* ---- <picture> --------------------------------------------------------- */

/* The EPUB 3.3 core image types, which every output can carry. */
static bool core_type(const char *t, size_t n) {
  static const char *const core[] = {"image/jpeg", "image/png",     "image/gif",
                                     "image/webp", "image/svg+xml", NULL};
  for (size_t i = 0; core[i]; i++)
    if (strlen(core[i]) == n && strncasecmp(t, core[i], n) == 0)
      return true;
  return false;
}

typedef enum kind { K_CORE, K_UNKNOWN, K_OTHER } kind;

/* What type a source offers: its type attribute, else its URL's
 * extension. */
static kind source_kind(const xmlNode *src, const cand *c) {
  const char *t = html_attr(src, "type");
  if (t && *t) {
    size_t n = strcspn(t, "; \t");
    return core_type(t, n) ? K_CORE : K_OTHER;
  }
  size_t end = 0;
  while (end < c->len && c->url[end] != '?' && c->url[end] != '#')
    end++;
  size_t dot = end;
  while (dot && c->url[dot - 1] != '.' && c->url[dot - 1] != '/')
    dot--;
  if (!dot || c->url[dot - 1] != '.')
    return K_UNKNOWN;
  const char *e = c->url + dot;
  size_t en = end - dot;
  static const char *const core[] = {"jpg",  "jpeg", "png", "gif",
                                     "webp", "svg",  NULL};
  static const char *const other[] = {"avif", "jxl", "heic", "heif", "jp2",
                                      "tiff", "tif", "bmp",  NULL};
  for (size_t i = 0; core[i]; i++)
    if (strlen(core[i]) == en && strncasecmp(e, core[i], en) == 0)
      return K_CORE;
  for (size_t i = 0; other[i]; i++)
    if (strlen(other[i]) == en && strncasecmp(e, other[i], en) == 0)
      return K_OTHER;
  return K_UNKNOWN;
}

/* A media query for a small screen, a dark theme or print: a browser on a
 * reader's screen would pass it by. */
static bool narrow_media(const xmlNode *src) {
  const char *m = html_attr(src, "media");
  if (!m)
    return false;
  size_t n = strlen(m);
  return galley_find_ci(m, n, "max-width") || galley_find_ci(m, n, "dark") ||
         galley_find_ci(m, n, "print");
}

/* The <source> elements that go with `img`, in document order. libxml2's
 * HTML parser (before 2.14) does not know that <source> is void and nests
 * what follows inside it (<picture><source><source><img>); a newer one
 * makes them siblings. Both are walked: the chain of <source> parents up
 * to the <picture>, and the <source> siblings before each link of it. */
static size_t sources_of(const xmlNode *img, const xmlNode **out) {
  const xmlNode *chain[MAX_SOURCES + 1];
  size_t nc = 0;
  const xmlNode *c = img;
  while (nc <= MAX_SOURCES && c && !html_named(c, "picture")) {
    chain[nc++] = c;
    c = c->parent;
    if (c && !html_named(c, "source") && !html_named(c, "picture"))
      return 0;
  }
  if (!c)
    return 0;
  size_t n = 0;
  for (size_t k = nc; k-- > 0 && n < MAX_SOURCES;) {
    const xmlNode *before[MAX_SOURCES];
    size_t nb = 0;
    for (const xmlNode *s = chain[k]->prev; s && nb < MAX_SOURCES;
         s = s->prev) {
      if (html_named(s, "source"))
        before[nb++] = s;
      else if (s->type == XML_ELEMENT_NODE)
        break;
    }
    while (nb && n < MAX_SOURCES)
      out[n++] = before[--nb];
    if (k > 0 && n < MAX_SOURCES)
      out[n++] = chain[k]; /* a <source> the parser nested the rest in */
  }
  return n;
}

bool html_img_pick(const xmlNode *img, html_img *out) {
  memset(out, 0, sizeof *out);
  cand own = {0};
  bool own_ph = false, plain = false;
  bool have_own = own_pick(img, false, &own, &own_ph, &plain);
  /* Sources, ranked: a core type (0), an unknown one (1), the <img>'s own
   * address (2), a source for narrow screens or a theme (3), a type not
   * every output carries, AVIF and the like (4), a placeholder (5). */
  const xmlNode *srcs[MAX_SOURCES];
  size_t ns = sources_of(img, srcs);
  int best_rank = have_own ? (own_ph ? 5 : 2) : 6;
  cand best = own;
  for (size_t i = 0; i < ns; i++) {
    cand c;
    bool ph, unused;
    if (!own_pick(srcs[i], true, &c, &ph, &unused))
      continue;
    kind k = source_kind(srcs[i], &c);
    int rank = k == K_OTHER ? 4 : narrow_media(srcs[i]) ? 3 : (int)k;
    if (rank < best_rank) {
      best_rank = rank;
      best = c;
    }
  }
  if (best_rank == 6)
    return false;
  out->from_src_only = plain && (best_rank == 2 || best_rank == 5);
  out->url = best.url;
  out->len = best.len;
  out->placeholder = best_rank == 5;
  return true;
}

/* ---- Tracking pixels --------------------------------------------------- */

/* A size attribute of 0 or 1 pixel. */
static bool tiny(const char *v) {
  if (!v)
    return false;
  while (html_is_space((unsigned char)*v))
    v++;
  char *end = NULL;
  double d = strtod(v, &end);
  if (end == v)
    return false;
  while (html_is_space((unsigned char)*end))
    end++;
  return d <= 1 && (!*end || strcasecmp(end, "px") == 0);
}

bool html_img_is_tracker(const xmlNode *img, const html_img *pick) {
  /* Sizes only count for a plain src: a lazy image's size attributes may
   * be its placeholder's. */
  if ((!pick || pick->from_src_only) &&
      (tiny(html_attr(img, "width")) || tiny(html_attr(img, "height"))))
    return true;
  if (!pick || !pick->url)
    return false;
  const char *u = pick->url;
  size_t n = pick->len;
  /* The host, from "//" to the next "/", "?" or "#". */
  const char *h = NULL;
  size_t hn = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (u[i] == '/' && u[i + 1] == '/') {
      h = u + i + 2;
      while (h + hn < u + n && !strchr("/?#", h[hn]))
        hn++;
      break;
    }
    if (strchr("/?#", u[i]))
      break;
  }
  static const char *const hosts[] = {"google-analytics.com",
                                      "googletagmanager.com",
                                      "doubleclick.net",
                                      "scorecardresearch.com",
                                      "quantserve.com",
                                      "pixel.wp.com",
                                      "stats.wp.com",
                                      "bat.bing.com",
                                      "analytics.twitter.com",
                                      "px.ads.linkedin.com",
                                      "ct.pinterest.com",
                                      "amazon-adsystem.com",
                                      "adsrvr.org",
                                      "chartbeat.net",
                                      "pixel.parsely.com",
                                      "sb.scorecardresearch.com",
                                      "pixel.mathtag.com",
                                      "bounceexchange.com",
                                      NULL};
  for (size_t i = 0; h && hosts[i]; i++) {
    size_t k = strlen(hosts[i]);
    if (hn >= k && strncasecmp(h + hn - k, hosts[i], k) == 0 &&
        (hn == k || h[hn - k - 1] == '.'))
      return true;
  }
  static const char *const paths[] = {
      "facebook.com/tr",    "/__utm.gif",  "/b/ss/",
      "feedburner.com/~r/", "/beacon.gif", "/tracking.gif",
      "/tracking/pixel",    "/pixel.gif?", NULL};
  for (size_t i = 0; paths[i]; i++)
    if (galley_find_ci(u, n, paths[i]))
      return true;
  return false;
}

/* ---- <noscript> -------------------------------------------------------- */

/* The next element at or after `n` among siblings, skipping white space
 * text and comments; NULL at other content. `back` walks backwards. */
static const xmlNode *neighbour(const xmlNode *n, bool back) {
  for (; n; n = back ? n->prev : n->next) {
    if (n->type == XML_ELEMENT_NODE)
      return n;
    if (n->type == XML_COMMENT_NODE)
      continue;
    if (n->type == XML_TEXT_NODE && n->content) {
      const unsigned char *s = n->content;
      while (*s && html_is_space(*s))
        s++;
      if (!*s)
        continue;
    }
    return NULL;
  }
  return NULL;
}

/* The node after `n` in document order below `top`; `down` descends into
 * its children first. NULL past the end. */
static const xmlNode *step(const xmlNode *top, const xmlNode *n, bool down) {
  if (down && n->type == XML_ELEMENT_NODE && n->children)
    return n->children;
  while (n != top && !n->next)
    n = n->parent;
  return n == top ? NULL : n->next;
}

const xmlNode *html_img_next(const xmlNode *top, const xmlNode *cur) {
  const xmlNode *n = cur ? step(top, cur, false) : top->children;
  for (size_t look = 0; n && look < MAX_LOOK; look++) {
    if (html_named(n, "img") || html_named(n, "image"))
      return n;
    n = step(top, n, true);
  }
  return NULL;
}

/* Whether `el` (an <img>, or an element holding one, as <picture>) shows a
 * real image without scripts. */
static bool shows_image(const xmlNode *el) {
  const xmlNode *img = html_named(el, "img")       ? el
                       : html_named(el, "picture") ? html_img_next(el, NULL)
                                              : NULL;
  html_img p;
  return img && html_img_pick(img, &p) && !p.placeholder;
}

bool html_noscript_shows(const xmlNode *ns) {
  if (!html_img_next(ns, NULL))
    return false;
  /* The script-free copy of an image already shown beside it. */
  const xmlNode *prev = neighbour(ns->prev, true);
  const xmlNode *next = neighbour(ns->next, false);
  return !(prev && shows_image(prev)) && !(next && shows_image(next));
}

bool html_img_has_noscript(const xmlNode *img) {
  const xmlNode *n = neighbour(img->next, false);
  return html_named(n, "noscript") && html_img_next(n, NULL) != NULL;
}
