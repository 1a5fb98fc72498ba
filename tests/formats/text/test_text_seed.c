/* The seed article (shared corpora): the text reader finds its title,
 * source, date and subheading. Skipped (exit 77) without the corpora. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "texttest.h"

#define TITLE "Russia's UK envoy: COVID-19 vaccine hacking claims nonsensical"
#define SUBHEADING "'Russia has no interest in meddling with UK affairs'"

static char *seed;

static int load(void **state) {
  (void)state;
  const char *path = tu_corpus("seed/article-with-boilerplate.txt");
  seed = path ? tu_read_file(path, NULL) : NULL;
  return seed ? 0 : -1;
}

static int unload(void **state) {
  (void)state;
  free(seed);
  return 0;
}

static void assert_text(const galley_node *n, const char *expected) {
  char *t = tt_text(n);
  assert_string_equal(t, expected);
  free(t);
}

static void title_source_and_date_go_to_metadata(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(seed, NULL);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE), TITLE);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_SOURCE),
                      "Iran Press TV");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE),
                      "2020-07-19T06:10");
  assert_null(galley_doc_get_meta(doc, GALLEY_META_AUTHOR));
  galley_doc_free(doc);
}

static void boilerplate_lines_are_not_the_title(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(seed, NULL);
  galley_node *r = galley_doc_root(doc);
  /* Banner, section label and source label stay paragraphs, for the
   * boilerplate transform to judge; the title is a level-1 heading. */
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(galley_node_kind(tt_child(r, i)), GALLEY_NODE_PARAGRAPH);
  galley_node *h = tt_child(r, 3);
  assert_int_equal(galley_node_kind(h), GALLEY_NODE_HEADING);
  assert_int_equal(galley_node_get_level(h), 1);
  assert_text(h, TITLE);
  assert_int_equal(galley_node_kind(galley_node_last_child(r)),
                   GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void the_quoted_line_is_the_only_subheading(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(seed, NULL);
  size_t h2 = 0;
  for (galley_node *n = galley_node_first_child(galley_doc_root(doc)); n;
       n = galley_node_next(n)) {
    if (galley_node_kind(n) != GALLEY_NODE_HEADING ||
        galley_node_get_level(n) != 2)
      continue;
    assert_text(n, SUBHEADING);
    h2++;
  }
  assert_int_equal(h2, 1);
  galley_doc_free(doc);
}

static void written_as_text_the_title_appears_once(void **state) {
  (void)state;
  char *out = tt_text_to_text(seed, NULL);
  const char *first = strstr(out, TITLE "\n===");
  assert_non_null(first);
  assert_null(strstr(first + 1, TITLE));
  assert_non_null(strstr(out, SUBHEADING "\n---"));
  free(out);
}

static void the_round_trip_keeps_metadata_and_headings(void **state) {
  (void)state;
  galley_doc *a = tt_read_ok(seed, NULL);
  char *text = tt_write(a, "text", NULL);
  galley_doc *b = tt_read_ok(text, NULL);
  char *sa = tt_shape(a), *sb = tt_shape(b);
  assert_string_equal(sa, sb);
  free(sa);
  free(sb);
  free(text);
  galley_doc_free(a);
  galley_doc_free(b);
}

int main(void) {
  if (!tu_corpus("seed/article-with-boilerplate.txt")) {
    fprintf(stderr, "shared corpora not found: skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(title_source_and_date_go_to_metadata),
      cmocka_unit_test(boilerplate_lines_are_not_the_title),
      cmocka_unit_test(the_quoted_line_is_the_only_subheading),
      cmocka_unit_test(written_as_text_the_title_appears_once),
      cmocka_unit_test(the_round_trip_keeps_metadata_and_headings),
  };
  return cmocka_run_group_tests(tests, load, unload);
}
