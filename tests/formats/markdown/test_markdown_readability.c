/*
 * html -> markdown -> html on every Readability corpus page
 * (readability/NAME/source.html): what galley's tree holds of the page
 * (html -> html, the baseline) against what comes back through Markdown
 * (html -> markdown -> html). Counted on both, parsed with libxml2:
 *   - emphasised characters: the non-space characters inside em|i, inside
 *     strong|b and inside del|s|strike, each kind in document order
 *     (characters, not spans, since adjacent spans may merge and spaces of
 *     every kind, U+00A0 and U+2000..U+3000 included, move outside a span);
 *   - links: the href of each a (percent-decoded), as a multiset;
 *   - images: the src of each img (percent-decoded), as a multiset.
 * Kept = what the round trip has of the baseline's, per page: for
 * characters, those of the baseline's sequence found in order in the round
 * trip's (more emphasis is no loss); for links and images the multiset
 * intersection. Prints the counts and
 * every page that loses something; fails below 100%. Skips without the
 * corpus.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "testutil.h"

enum { EM, STRONG, DEL, KINDS };
static const char *kind_name[] = {"em", "strong", "del"};

typedef struct strs {
  char **v;
  size_t n, cap;
} strs;

typedef struct counts {
  char *emph[KINDS]; /* the emphasised characters, in order */
  size_t emph_len[KINDS], emph_cap[KINDS];
  strs links, images;
} counts;

static void add_str(strs *s, const char *v) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 64;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
  }
  size_t n = strlen(v);
  char *o = malloc(n + 1), *w = o;
  for (size_t i = 0; i < n; i++) {
    unsigned hi, lo;
    if (v[i] == '%' && i + 2 < n &&
        sscanf(v + i + 1, "%1x%1x", &hi, &lo) == 2) {
      *w++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *w++ = v[i];
    }
  }
  *w = 0;
  s->v[s->n++] = o;
}

static void add_chars(counts *c, int k, const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
      continue;
    if (p[0] == 0xc2 && p[1] == 0xa0) { /* no-break space */
      p++;
      continue;
    }
    /* U+2000..U+200A, U+202F, U+205F, U+3000: spaces of every kind */
    if ((p[0] == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8a || p[2] == 0xaf)) ||
        (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) ||
        (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)) {
      p += 2;
      continue;
    }
    if (c->emph_len[k] + 2 >= c->emph_cap[k]) {
      c->emph_cap[k] = c->emph_cap[k] ? 2 * c->emph_cap[k] : 256;
      c->emph[k] = realloc(c->emph[k], c->emph_cap[k]);
    }
    c->emph[k][c->emph_len[k]++] = (char)*p;
    c->emph[k][c->emph_len[k]] = 0;
  }
}

static void walk(counts *c, xmlNode *n, int depth[KINDS]) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE) {
      for (int k = 0; k < KINDS; k++)
        if (depth[k])
          add_chars(c, k, (const char *)n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *name = (const char *)n->name;
    if (!strcasecmp(name, "script") || !strcasecmp(name, "style"))
      continue;
    int k = -1;
    if (!strcasecmp(name, "em") || !strcasecmp(name, "i"))
      k = EM;
    else if (!strcasecmp(name, "strong") || !strcasecmp(name, "b"))
      k = STRONG;
    else if (!strcasecmp(name, "del") || !strcasecmp(name, "s") ||
             !strcasecmp(name, "strike"))
      k = DEL;
    if (!strcasecmp(name, "a")) {
      xmlChar *h = xmlGetProp(n, BAD_CAST "href");
      if (h)
        add_str(&c->links, (const char *)h);
      xmlFree(h);
    }
    if (!strcasecmp(name, "img")) {
      xmlChar *s = xmlGetProp(n, BAD_CAST "src");
      if (s)
        add_str(&c->images, (const char *)s);
      xmlFree(s);
    }
    if (k >= 0)
      depth[k]++;
    walk(c, n->children, depth);
    if (k >= 0)
      depth[k]--;
  }
}

static void count_html(counts *c, const char *html) {
  memset(c, 0, sizeof *c);
  htmlDocPtr d = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET);
  int depth[KINDS] = {0};
  if (d)
    walk(c, d->children, depth);
  xmlFreeDoc(d);
}

static void free_counts(counts *c) {
  for (int k = 0; k < KINDS; k++)
    free(c->emph[k]);
  for (size_t i = 0; i < c->links.n; i++)
    free(c->links.v[i]);
  for (size_t i = 0; i < c->images.n; i++)
    free(c->images.v[i]);
  free(c->links.v);
  free(c->images.v);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How many of `want`'s strings `got` has (multiset intersection); prints
 * up to three that are missing. */
static size_t kept_strs(strs *want, strs *got, const char *page,
                        const char *what) {
  if (want->n)
    qsort(want->v, want->n, sizeof *want->v, cmp_str);
  if (got->n)
    qsort(got->v, got->n, sizeof *got->v, cmp_str);
  size_t i = 0, j = 0, kept = 0, shown = 0;
  while (i < want->n) {
    int c = j < got->n ? strcmp(want->v[i], got->v[j]) : -1;
    if (c == 0) {
      kept++, i++, j++;
    } else if (c < 0) {
      if (shown++ < 3)
        printf("  %s: %s lost: %.120s\n", page, what, want->v[i]);
      i++;
    } else {
      j++;
    }
  }
  return kept;
}

/* Emphasised characters kept: the longest prefix of `want` that is a
 * subsequence of `got`, taken greedily, plus the rest once realigned (the
 * round trip may emphasise more than the tree's html does, a definition
 * term written **bold** for one; that is no loss). Bytes, so a character
 * cut short counts as lost. */
static size_t kept_chars(const char *want, size_t wn, const char *got,
                         size_t gn, const char *page, const char *kind) {
  size_t i = 0, j = 0, kept = 0;
  bool shown = false;
  while (i < wn) {
    size_t k = j;
    while (k < gn && got[k] != want[i])
      k++;
    if (k < gn) {
      kept++;
      j = k + 1;
    } else if (!shown) {
      shown = true;
      printf("  %s: %s characters lost from %zu of %zu: \"%.40s\"\n", page,
             kind, i, wn, want + i);
    }
    i++;
  }
  return kept;
}

int main(void) {
  const char *root = tu_corpus("readability");
  if (!root) {
    printf("SKIP: readability/ is not in the corpora\n");
    return 77;
  }
  DIR *dir = opendir(root);
  if (!dir) {
    printf("SKIP: cannot open %s\n", root);
    return 77;
  }
  char **names = NULL;
  size_t nn = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.')
      continue;
    names = realloc(names, (nn + 1) * sizeof *names);
    names[nn++] = strdup(e->d_name);
  }
  closedir(dir);
  qsort(names, nn, sizeof *names, cmp_str);

  size_t want_emph[KINDS] = {0}, kept_emph[KINDS] = {0};
  size_t want_links = 0, kept_links = 0, want_imgs = 0, kept_imgs = 0;
  size_t pages = 0;
  const char *opts[] = {"fragment=true", NULL};
  for (size_t p = 0; p < nn; p++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/source.html", root, names[p]);
    size_t len;
    char *src = tu_read_file(path, &len);
    if (!src) { /* README.md and the like */
      free(names[p]);
      continue;
    }
    pages++;
    char *err = NULL;
    char *base = tu_convert("html", "html", src, len, opts, &err);
    free(err);
    err = NULL;
    char *md = tu_convert("html", "markdown", src, len, NULL, &err);
    free(err);
    err = NULL;
    char *back =
        md ? tu_convert("markdown", "html", md, strlen(md), opts, &err) : NULL;
    free(err);
    if (!base || !back)
      printf("  %s: conversion failed (%s)\n", names[p],
             !base ? "html -> html"
             : !md ? "html -> markdown"
                   : "markdown -> html");
    counts w, g;
    count_html(&w, base ? base : "");
    count_html(&g, back ? back : "");
    for (int k = 0; k < KINDS; k++) {
      want_emph[k] += w.emph_len[k];
      kept_emph[k] += kept_chars(w.emph[k], w.emph_len[k], g.emph[k],
                                 g.emph_len[k], names[p], kind_name[k]);
    }
    want_links += w.links.n;
    kept_links += kept_strs(&w.links, &g.links, names[p], "link");
    want_imgs += w.images.n;
    kept_imgs += kept_strs(&w.images, &g.images, names[p], "image");
    free_counts(&w);
    free_counts(&g);
    free(base);
    free(md);
    free(back);
    free(src);
    free(names[p]);
  }
  free(names);
  bool ok = pages > 0;
  printf("\nReadability pages, html -> markdown -> html against html -> html "
         "(%zu pages):\n",
         pages);
  for (int k = 0; k < KINDS; k++) {
    printf("  %-6s characters kept: %zu/%zu\n", kind_name[k], kept_emph[k],
           want_emph[k]);
    ok = ok && kept_emph[k] == want_emph[k];
  }
  printf("  links (href) kept:     %zu/%zu\n", kept_links, want_links);
  printf("  images (src) kept:     %zu/%zu\n", kept_imgs, want_imgs);
  ok = ok && kept_links == want_links && kept_imgs == want_imgs;
  return ok ? 0 : 1;
}
