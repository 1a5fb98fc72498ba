/* Tests of the gemtext example plugin: golden trees of the fixtures, stable
 * round trips, the writer's mapping of what gemtext cannot say, the probe,
 * and an HTML article that keeps every word. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

/* The names of the .gmi files in fixtures/gemtext, sorted; NULL-terminated,
 * malloc'd. */
static char **gmi_fixtures(void) {
  const char *dir = tu_fixture("gemtext");
  struct dirent **names = NULL;
  int n = scandir(dir, &names, NULL, alphasort);
  assert_true(n > 0);
  char **out = calloc((size_t)n + 1, sizeof *out);
  size_t k = 0;
  for (int i = 0; i < n; i++) {
    size_t len = strlen(names[i]->d_name);
    if (len > 4 && strcmp(names[i]->d_name + len - 4, ".gmi") == 0)
      out[k++] = strdup(names[i]->d_name);
    free(names[i]);
  }
  free(names);
  assert_true(k >= 4);
  return out;
}

static void free_list(char **l) {
  for (char **p = l; *p; p++)
    free(*p);
  free(l);
}

static char *read_fixture(const char *rel, size_t *len) {
  char *s = tu_read_file(tu_fixture(rel), len);
  assert_non_null(s);
  return s;
}

static char *convert(const char *from, const char *to, const char *in) {
  char *err = NULL;
  char *out = tu_convert(from, to, in, strlen(in), NULL, &err);
  if (!out)
    fail_msg("%s -> %s failed: %s", from, to, err ? err : "?");
  free(err);
  return out;
}

static void every_fixture_reads_into_its_golden_tree(void **state) {
  (void)state;
  char **names = gmi_fixtures();
  for (char **p = names; *p; p++) {
    char rel[256], golden[256];
    snprintf(rel, sizeof rel, "gemtext/%s", *p);
    snprintf(golden, sizeof golden, "gemtext/%.*s.xml", (int)(strlen(*p) - 4),
             *p);
    size_t len;
    char *in = read_fixture(rel, &len);
    char *xml = convert("gemtext", "xml", in);
    tu_assert_golden(xml, golden);
    free(xml);
    free(in);
  }
  free_list(names);
}

static void writing_what_was_read_reaches_a_fixpoint_at_once(void **state) {
  (void)state;
  char **names = gmi_fixtures();
  for (char **p = names; *p; p++) {
    char rel[256];
    snprintf(rel, sizeof rel, "gemtext/%s", *p);
    size_t len;
    char *in = read_fixture(rel, &len);
    char *once = convert("gemtext", "gemtext", in);
    char *twice = convert("gemtext", "gemtext", once);
    if (strcmp(once, twice) != 0)
      fail_msg("%s: gmi -> gmi -> gmi differs:\n%s\n---\n%s", *p, once, twice);
    free(once);
    free(twice);
    free(in);
  }
  free_list(names);
}

static void a_markdown_document_writes_its_golden_gemtext(void **state) {
  (void)state;
  size_t len;
  char *md = read_fixture("gemtext/write/mixed.md", &len);
  char *gmi = convert("markdown", "gemtext", md);
  tu_assert_golden(gmi, "gemtext/write/mixed.gmi");
  char *again = convert("gemtext", "gemtext", gmi);
  char *third = convert("gemtext", "gemtext", again);
  assert_string_equal(again, third);
  free(third);
  free(again);
  free(gmi);
  free(md);
}

static void
a_paragraph_with_two_links_writes_them_after_its_text(void **state) {
  (void)state;
  char *gmi = convert("markdown", "gemtext",
                      "See [one](https://a.example/1) and *[two](/2)*.\n");
  assert_string_equal(gmi, "See one and two.\n"
                           "=> https://a.example/1 one\n"
                           "=> /2 two\n");
  free(gmi);
}

static void a_link_line_reads_as_a_paragraph_holding_one_link(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_job *job = galley_job_new(tu_registry());
  const galley_plugin *p = galley_registry_find(tu_registry(), "gemtext");
  assert_non_null(p);
  const char *src = "=> gemini://example.org/x  The label\n";
  galley_input in = {(const unsigned char *)src, strlen(src), "t", NULL};
  assert_int_equal(galley_plugin_read(job, p, &in, doc), GALLEY_OK);
  galley_node *para = galley_node_first_child(galley_doc_root(doc));
  assert_int_equal(galley_node_kind(para), GALLEY_NODE_PARAGRAPH);
  galley_node *link = galley_node_first_child(para);
  assert_int_equal(galley_node_kind(link), GALLEY_NODE_LINK);
  assert_null(galley_node_next(link));
  assert_string_equal(galley_node_get_url(link), "gemini://example.org/x");
  assert_string_equal(galley_node_text(doc, link), "The label");
  galley_job_free(job);
  galley_doc_free(doc);
}

static void text_that_looks_like_a_marker_survives_a_round_trip(void **state) {
  (void)state;
  const char *cases[] = {"# not a heading",
                         "=> not a link",
                         "* not an item",
                         "> not a quote",
                         "``` not a fence",
                         "#",
                         "=>"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    galley_doc *doc = galley_doc_new();
    galley_node *para = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
    galley_node_append_child(galley_doc_root(doc), para);
    galley_node_append_child(para, galley_doc_new_text(doc, cases[i], -1));
    galley_job *job = galley_job_new(tu_registry());
    const galley_plugin *p = galley_registry_find(tu_registry(), "gemtext");
    galley_sink *out = galley_sink_new_memory();
    assert_int_equal(galley_plugin_write(job, p, doc, out), GALLEY_OK);
    size_t len;
    const char *gmi = galley_sink_data(out, &len);
    galley_doc *back = galley_doc_new();
    galley_input in = {(const unsigned char *)gmi, len, "t", NULL};
    assert_int_equal(galley_plugin_read(job, p, &in, back), GALLEY_OK);
    galley_node *bp = galley_node_first_child(galley_doc_root(back));
    assert_int_equal(galley_node_kind(bp), GALLEY_NODE_PARAGRAPH);
    assert_string_equal(galley_node_text(back, bp), cases[i]);
    galley_doc_free(back);
    galley_sink_free(out);
    galley_job_free(job);
    galley_doc_free(doc);
  }
}

static void invalid_utf8_is_refused_naming_the_byte(void **state) {
  (void)state;
  char *err = NULL;
  const char in[] = "# ok\nbad \xc3\x28 here\n";
  char *out = tu_convert("gemtext", "xml", in, sizeof in - 1, NULL, &err);
  assert_null(out);
  assert_non_null(err);
  assert_non_null(strstr(err, "not valid UTF-8 at byte 9"));
  free(err);
}

static void
the_probe_prefers_link_lines_and_leaves_headings_to_markdown(void **state) {
  (void)state;
  galley_registry *reg = tu_registry();
  const char *gmi = "# Title\n\n=> gemini://x/ one\n=> gemini://y/ two\n";
  const galley_plugin *best = galley_registry_probe(
      reg, (const unsigned char *)gmi, strlen(gmi), GALLEY_CAN_READ);
  assert_non_null(best);
  assert_string_equal(best->name, "gemtext");
  const char *md = "# Title\n\nSome *text* and [a link](http://x).\n";
  best = galley_registry_probe(reg, (const unsigned char *)md, strlen(md),
                               GALLEY_CAN_READ);
  assert_non_null(best);
  assert_string_equal(best->name, "markdown");
  const galley_plugin *p = galley_registry_find(reg, "gemtext");
  assert_int_equal(p->probe((const unsigned char *)"<html>", 6), 0);
  assert_int_equal(p->probe((const unsigned char *)"", 0), 0);
  assert_ptr_equal(galley_registry_find_ext(reg, "gmi", GALLEY_CAN_READ), p);
  assert_ptr_equal(galley_registry_find_ext(reg, "GEMINI", GALLEY_CAN_WRITE),
                   p);
}

/* Splits s into words (runs of letters, digits and non-ASCII bytes). */
static size_t words(const char *s, char ***out) {
  size_t n = 0, cap = 64;
  char **w = malloc(cap * sizeof *w);
  while (*s) {
    while (*s && !(((unsigned char)*s >= 0x80) || (*s >= '0' && *s <= '9') ||
                   (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
      s++;
    const char *start = s;
    while (*s && (((unsigned char)*s >= 0x80) || (*s >= '0' && *s <= '9') ||
                  (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
      s++;
    if (s > start) {
      if (n == cap)
        w = realloc(w, (cap *= 2) * sizeof *w);
      w[n++] = strndup(start, (size_t)(s - start));
    }
  }
  *out = w;
  return n;
}

static void html_article_to_gemtext_keeps_every_word(void **state) {
  (void)state;
  size_t len;
  char *html = read_fixture("sample/article.html", &len);
  /* Every word of the tree: the xml form holds all of its text. */
  galley_registry *reg = tu_registry();
  galley_doc *doc = galley_doc_new();
  galley_job *job = galley_job_new(reg);
  galley_input in = {(const unsigned char *)html, len, "article.html", NULL};
  assert_int_equal(
      galley_plugin_read(job, galley_registry_find(reg, "html"), &in, doc),
      GALLEY_OK);
  /* Each text node on its own: blocks are not separated by spaces. */
  char *text = NULL;
  size_t text_len = 0;
  FILE *f = open_memstream(&text, &text_len);
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  while (galley_iter_next(&it) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE ||
        k == GALLEY_NODE_CODE_BLOCK)
      fprintf(f, "%s\n", galley_node_get_literal(n));
  }
  fclose(f);
  char *gmi = convert("html", "gemtext", html);
  char **want, **have;
  size_t n_want = words(text, &want), n_have = words(gmi, &have);
  assert_true(n_want > 200);
  size_t missing = 0;
  for (size_t i = 0; i < n_want; i++) {
    size_t j = 0;
    while (j < n_have && strcmp(want[i], have[j]) != 0)
      j++;
    if (j == n_have) {
      print_message("missing word: %s\n", want[i]);
      missing++;
    }
  }
  assert_int_equal(missing, 0);
  /* And gemtext's own shape: a title heading, link lines, no markup. */
  assert_non_null(strstr(gmi, "\n=> "));
  assert_null(strstr(gmi, "<p>"));
  for (size_t i = 0; i < n_want; i++)
    free(want[i]);
  for (size_t i = 0; i < n_have; i++)
    free(have[i]);
  free(want);
  free(have);
  free(gmi);
  free(text);
  galley_job_free(job);
  galley_doc_free(doc);
  free(html);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_fixture_reads_into_its_golden_tree),
      cmocka_unit_test(writing_what_was_read_reaches_a_fixpoint_at_once),
      cmocka_unit_test(a_markdown_document_writes_its_golden_gemtext),
      cmocka_unit_test(a_paragraph_with_two_links_writes_them_after_its_text),
      cmocka_unit_test(a_link_line_reads_as_a_paragraph_holding_one_link),
      cmocka_unit_test(text_that_looks_like_a_marker_survives_a_round_trip),
      cmocka_unit_test(invalid_utf8_is_refused_naming_the_byte),
      cmocka_unit_test(
          the_probe_prefers_link_lines_and_leaves_headings_to_markdown),
      cmocka_unit_test(html_article_to_gemtext_keeps_every_word),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
