/* EPUBs written by pandoc and calibre (and publisher samples) read
 * correctly: every one opens, and its text matches the text of the page or
 * Markdown it was made from. Skipped (77) when the corpora are absent. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epubtest.h"
#include "testutil.h"

typedef struct words {
  char **w;
  size_t n, cap;
} words;

static void add_word(words *ws, const char *s, size_t len) {
  if (ws->n == ws->cap) {
    ws->cap = ws->cap ? ws->cap * 2 : 1024;
    ws->w = realloc(ws->w, ws->cap * sizeof *ws->w);
  }
  char *c = malloc(len + 1);
  for (size_t i = 0; i < len; i++)
    c[i] = (char)tolower((unsigned char)s[i]);
  c[len] = '\0';
  ws->w[ws->n++] = c;
}

static bool word_byte(unsigned char c) {
  return isalnum(c) || c == '_' || c >= 0x80;
}

static void split(words *ws, const char *s) {
  while (*s) {
    while (*s && !word_byte((unsigned char)*s))
      s++;
    const char *b = s;
    while (*s && word_byte((unsigned char)*s))
      s++;
    if (s > b)
      add_word(ws, b, (size_t)(s - b));
  }
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static words doc_words(const galley_doc *doc) {
  words ws = {0};
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    const char *lit = galley_node_get_literal(galley_iter_node(&it));
    if (ev == GALLEY_EVENT_ENTER && lit)
      split(&ws, lit);
  }
  if (ws.n)
    qsort(ws.w, ws.n, sizeof *ws.w, cmp);
  return ws;
}

static size_t common(const words *a, const words *b) {
  size_t i = 0, j = 0, n = 0;
  while (i < a->n && j < b->n) {
    int c = strcmp(a->w[i], b->w[j]);
    if (c == 0) {
      n++;
      i++;
      j++;
    } else if (c < 0) {
      i++;
    } else {
      j++;
    }
  }
  return n;
}

static void free_words(words *ws) {
  for (size_t i = 0; i < ws->n; i++)
    free(ws->w[i]);
  free(ws->w);
}

/* Footnote labels must be unique in the merged book (each chapter of
 * pandoc's starts again at fn1), and every reference must find its note. */
static bool notes_consistent(const galley_doc *doc, const char *name) {
  words defs = {0}, refs = {0};
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    const char *label = galley_node_get_label(n);
    if (ev != GALLEY_EVENT_ENTER || !label)
      continue;
    if (galley_node_kind(n) == GALLEY_NODE_FOOTNOTE)
      add_word(&defs, label, strlen(label));
    else if (galley_node_kind(n) == GALLEY_NODE_FOOTNOTE_REF)
      add_word(&refs, label, strlen(label));
  }
  if (defs.n)
    qsort(defs.w, defs.n, sizeof *defs.w, cmp);
  bool ok = true;
  for (size_t i = 1; i < defs.n; i++)
    if (!strcmp(defs.w[i], defs.w[i - 1])) {
      printf("FAIL %s: footnote label %s twice\n", name, defs.w[i]);
      ok = false;
    }
  for (size_t i = 0; i < refs.n; i++)
    if (!defs.n || !bsearch(&refs.w[i], defs.w, defs.n, sizeof *defs.w, cmp)) {
      printf("FAIL %s: reference to a missing note %s\n", name, refs.w[i]);
      ok = false;
    }
  free_words(&defs);
  free_words(&refs);
  return ok;
}

static galley_doc *read_path(const char *from, const char *path, char **err) {
  size_t len;
  char *data = tu_read_file(path, &len);
  if (!data) {
    *err = strdup("cannot read the file");
    return NULL;
  }
  galley_doc *d = et_read_doc(from, data, len, NULL, err);
  free(data);
  return d;
}

int main(void) {
  const char *manifest = tu_corpus("epub/manifest.tsv");
  if (!manifest) {
    printf("corpora not found; skipping\n");
    return 77;
  }
  char *tsv = tu_read_file(manifest, NULL);
  char root[4096];
  snprintf(root, sizeof root, "%s", manifest);
  root[strlen(root) - strlen("epub/manifest.tsv")] = '\0';
  int failed = 0, checked = 0;
  double worst_recall = 1, worst_precision = 1;
  char *save = NULL;
  char *line = strtok_r(tsv, "\n", &save); /* the header */
  while ((line = strtok_r(NULL, "\n", &save))) {
    char *fields[8] = {0};
    char *p = line;
    for (int i = 0; i < 8 && p; i++) {
      fields[i] = p;
      p = strchr(p, '\t');
      if (p)
        *p++ = '\0';
    }
    if (!fields[2])
      continue;
    char path[8192], src[8192];
    snprintf(path, sizeof path, "%sepub/%s", root, fields[0]);
    char *err = NULL;
    galley_doc *book = read_path("epub", path, &err);
    checked++;
    if (!book) {
      printf("FAIL %s: %s\n", fields[0], err ? err : "?");
      failed++;
      free(err);
      continue;
    }
    if (!notes_consistent(book, fields[0]))
      failed++;
    const char *title = galley_doc_get_meta(book, "title");
    words e = doc_words(book);
    bool want_title = fields[7] && *fields[7];
    if ((want_title && (!title || !*title)) || e.n == 0) {
      printf("FAIL %s: no title or no text\n", fields[0]);
      failed++;
    }
    if (strncmp(fields[2], "IDPF/", 5) == 0) {
      printf("ok   %s: %zu words, \"%s\"\n", fields[0], e.n,
             title ? title : "");
      free_words(&e);
      galley_doc_free(book);
      continue;
    }
    snprintf(src, sizeof src, "%s%s", root, fields[2]);
    size_t sl = strlen(src);
    const char *from =
        sl > 3 && !strcmp(src + sl - 3, ".md") ? "markdown" : "html";
    galley_doc *orig = read_path(from, src, &err);
    if (!orig) {
      printf("FAIL %s: source %s: %s\n", fields[0], fields[2], err ? err : "?");
      failed++;
      free(err);
    } else {
      words s = doc_words(orig);
      size_t c = common(&e, &s);
      double recall = s.n ? (double)c / (double)s.n : 1;
      double precision = e.n ? (double)c / (double)e.n : 1;
      /* pandoc drops parts of some pages (forms, odd markup), and a very
       * short page is all title: hence the margins. */
      bool ok = recall >= 0.70 && (s.n < 50 || precision >= 0.90);
      printf("%s %s: %zu words, recall %.3f, precision %.3f\n",
             ok ? "ok  " : "FAIL", fields[0], e.n, recall, precision);
      if (!ok)
        failed++;
      if (recall < worst_recall)
        worst_recall = recall;
      if (s.n >= 50 && precision < worst_precision)
        worst_precision = precision;
      free_words(&s);
      galley_doc_free(orig);
    }
    free_words(&e);
    galley_doc_free(book);
  }
  printf("%d EPUBs read, %d failed; worst recall %.3f, worst precision %.3f\n",
         checked, failed, worst_recall, worst_precision);
  free(tsv);
  return failed ? 1 : 0;
}
