/* The html format on real pages: the article extraction benchmark's pages
 * and Readability's test pages. Skipped (77) without the corpora. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "htmltest.h"
#include "testutil.h"

typedef struct pages {
  char **path;
  size_t n;
} pages;

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* aeb/html/<id>.html, or readability/<name>/source.html for each folder. */
static void list_pages(pages *p, const char *dir, bool readability) {
  p->path = NULL;
  p->n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    if (readability)
      snprintf(path, sizeof path, "%s/%s/source.html", dir, e->d_name);
    else if (strstr(e->d_name, ".html"))
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    else
      continue;
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    fclose(f);
    p->path = realloc(p->path, (p->n + 1) * sizeof *p->path);
    p->path[p->n++] = strdup(path);
  }
  closedir(d);
  qsort(p->path, p->n, sizeof *p->path, by_name);
}

static void free_pages(pages *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->path[i]);
  free(p->path);
}

static pages all;

/* Reads, converts to the tree's xml form, and back to HTML keeping every
 * visible word. */
static void every_page_reads_and_keeps_its_words_through_html(void **state) {
  (void)state;
  size_t failures = 0, words = 0;
  for (size_t i = 0; i < all.n; i++) {
    size_t len;
    char *src = tu_read_file(all.path[i], &len);
    assert_non_null(src);
    char *err = NULL;
    char *xml = tu_convert("html", "xml", src, len, NULL, &err);
    if (!xml) {
      printf("# %s: html -> xml failed: %s\n", all.path[i], err);
      failures++;
    }
    free(xml);
    free(err);
    char *out = tu_convert("html", "html", src, len, NULL, &err);
    if (!out) {
      printf("# %s: html -> html failed: %s\n", all.path[i], err);
      failures++;
      free(err);
      free(src);
      continue;
    }
    ht_words in, got;
    ht_visible_words(src, len, &in);
    ht_visible_words(out, strlen(out), &got);
    char sample[200];
    size_t missing = ht_missing_words(&in, &got, sample, sizeof sample);
    words += in.n;
    if (missing) {
      printf("# %s: %zu of %zu words missing: %s\n", all.path[i], missing, in.n,
             sample);
      failures++;
    }
    ht_words_free(&in);
    ht_words_free(&got);
    free(out);
    free(src);
  }
  printf("# %zu pages, %zu visible words, %zu failures\n", all.n, words,
         failures);
  assert_int_equal(failures, 0);
}

/* Written, read and written again, a page comes out the same: the reader
 * takes back everything the writer says. */
static void every_page_written_is_a_fixpoint(void **state) {
  (void)state;
  size_t moved = 0;
  for (size_t i = 0; i < all.n; i++) {
    size_t len;
    char *src = tu_read_file(all.path[i], &len);
    assert_non_null(src);
    char *once = tu_convert("html", "html", src, len, NULL, NULL);
    char *twice =
        once ? tu_convert("html", "html", once, strlen(once), NULL, NULL)
             : NULL;
    if (!twice || strcmp(once, twice) != 0) {
      printf("# %s: output read again writes differently\n", all.path[i]);
      moved++;
    }
    free(once);
    free(twice);
    free(src);
  }
  printf("# %zu pages, %zu not fixpoints of read + write\n", all.n, moved);
  assert_int_equal(moved, 0);
}

static void every_page_as_xhtml_is_well_formed_xml(void **state) {
  (void)state;
  const char *opts[] = {"xhtml=true", NULL};
  size_t bad = 0;
  for (size_t i = 0; i < all.n; i++) {
    size_t len;
    char *src = tu_read_file(all.path[i], &len);
    assert_non_null(src);
    char *err = NULL;
    char *out = tu_convert("html", "html", src, len, opts, &err);
    if (!out) {
      printf("# %s: %s\n", all.path[i], err);
      bad++;
    } else {
      xmlDoc *d = xmlReadMemory(out, (int)strlen(out), NULL, "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING | XML_PARSE_HUGE);
      if (!d) {
        const xmlError *e = xmlGetLastError();
        printf("# %s: not well-formed XML: %s", all.path[i],
               e && e->message ? e->message : "?\n");
        bad++;
      }
      xmlFreeDoc(d);
    }
    free(out);
    free(err);
    free(src);
  }
  printf("# %zu pages as XHTML, %zu not well-formed\n", all.n, bad);
  assert_int_equal(bad, 0);
}

/* ---- Readability's expected metadata ------------------------------------ */

/* Lower case, single spaces, no leading "by ", for comparing. */
static char *norm(const char *s) {
  if (!s)
    return NULL;
  char *o = malloc(strlen(s) + 1), *w = o;
  bool sp = false;
  while (*s == ' ' || *s == '\n' || *s == '\t')
    s++;
  if (!strncasecmp(s, "by ", 3))
    s += 3;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
      sp = w != o;
      continue;
    }
    if (sp)
      *w++ = ' ';
    sp = false;
    *w++ = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
  }
  *w = 0;
  return o;
}

typedef struct field {
  const char *name;
  size_t expected, matched;
} field;

static void count(field *f, const char *want, const char *got,
                  const char *page) {
  if (!want || !*want)
    return;
  f->expected++;
  char *a = norm(want), *b = norm(got);
  bool ok = b && strcmp(a, b) == 0;
  if (ok)
    f->matched++;
  else if (getenv("HT_VERBOSE"))
    printf("#   %s %s: want \"%s\" got \"%s\"\n", page, f->name, a,
           b ? b : "(none)");
  free(a);
  free(b);
}

static void readability_metadata_mostly_matches(void **state) {
  (void)state;
  const char *root = tu_corpus("readability");
  pages p;
  list_pages(&p, root, true);
  field f[] = {{"title", 0, 0},
               {"byline", 0, 0},
               {"excerpt", 0, 0},
               {"siteName", 0, 0},
               {"publishedTime", 0, 0}};
  for (size_t i = 0; i < p.n; i++) {
    char meta_path[4096];
    snprintf(meta_path, sizeof meta_path, "%s", p.path[i]);
    char *slash = strrchr(meta_path, '/');
    strcpy(slash + 1, "expected-metadata.json");
    json_error_t jerr;
    json_t *exp = json_load_file(meta_path, 0, &jerr);
    if (!exp)
      continue;
    size_t len;
    char *src = tu_read_file(p.path[i], &len);
    char *err = NULL;
    galley_doc *doc = ht_read(src, len, NULL, &err);
    assert_non_null(doc);
    *slash = 0;
    const char *page = strrchr(meta_path, '/') + 1;
    count(&f[0], json_string_value(json_object_get(exp, "title")),
          galley_doc_get_meta(doc, GALLEY_META_TITLE), page);
    /* The byline is all authors, as Readability joins them. */
    char authors[1024] = "";
    for (size_t k = 0; k < galley_doc_meta_count(doc, GALLEY_META_AUTHOR);
         k++) {
      if (k)
        strncat(authors, ", ", sizeof authors - strlen(authors) - 1);
      strncat(authors, galley_doc_meta_value(doc, GALLEY_META_AUTHOR, k),
              sizeof authors - strlen(authors) - 1);
    }
    count(&f[1], json_string_value(json_object_get(exp, "byline")),
          *authors ? authors : NULL, page);
    count(&f[2], json_string_value(json_object_get(exp, "excerpt")),
          galley_doc_get_meta(doc, GALLEY_META_DESCRIPTION), page);
    count(&f[3], json_string_value(json_object_get(exp, "siteName")),
          galley_doc_get_meta(doc, GALLEY_META_PUBLISHER), page);
    count(&f[4], json_string_value(json_object_get(exp, "publishedTime")),
          galley_doc_get_meta(doc, GALLEY_META_DATE), page);
    galley_doc_free(doc);
    free(src);
    json_decref(exp);
  }
  size_t te = 0, tm = 0;
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    printf("# %-14s %3zu of %3zu match (%.0f%%)\n", f[i].name, f[i].matched,
           f[i].expected,
           f[i].expected ? 100.0 * (double)f[i].matched / (double)f[i].expected
                         : 0.0);
    te += f[i].expected;
    tm += f[i].matched;
  }
  printf("# all fields     %3zu of %3zu match (%.0f%%) over %zu pages\n", tm,
         te, te ? 100.0 * (double)tm / (double)te : 0.0, p.n);
  free_pages(&p);
  /* Readability also guesses from the page's text (a byline element, the
   * first paragraph as excerpt); a reader only takes what the page
   * declares, so the bar is what that reaches, not 100%. */
  assert_true(tm * 100 >= te * 80);
}

int main(void) {
  /* tu_corpus answers in one static buffer: keep copies. */
  char *aeb = tu_corpus("aeb/html") ? strdup(tu_corpus("aeb/html")) : NULL;
  char *rdb =
      tu_corpus("readability") ? strdup(tu_corpus("readability")) : NULL;
  if (!aeb || !rdb) {
    free(aeb);
    free(rdb);
    printf("# corpora not found; skipping\n");
    return 77;
  }
  pages a, r;
  list_pages(&a, aeb, false);
  list_pages(&r, rdb, true);
  free(aeb);
  free(rdb);
  all.n = a.n + r.n;
  all.path = malloc(all.n * sizeof *all.path);
  memcpy(all.path, a.path, a.n * sizeof *a.path);
  memcpy(all.path + a.n, r.path, r.n * sizeof *r.path);
  free(a.path);
  free(r.path);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_page_reads_and_keeps_its_words_through_html),
      cmocka_unit_test(every_page_written_is_a_fixpoint),
      cmocka_unit_test(every_page_as_xhtml_is_well_formed_xml),
      cmocka_unit_test(readability_metadata_mostly_matches),
  };
  int rc = cmocka_run_group_tests_name("html corpus", tests, NULL, NULL);
  free_pages(&all);
  return rc;
}
