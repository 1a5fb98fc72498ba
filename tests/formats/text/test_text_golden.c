/* Golden trees (in the xml form) of the text fixtures, golden text output,
 * and round trips: reading the writer's output gives the same structure,
 * and writing that again gives the same text. */
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

/* Fixtures read by the text reader; each has <name>.xml (its tree) and
 * <name>.out.txt (the tree written as text) beside it. */
static const char *const cases[] = {"structure", "article", "wrapped", NULL};

static char *fixture(const char *name, const char *ext) {
  char rel[256];
  snprintf(rel, sizeof rel, "text/%s%s", name, ext);
  char *data = tu_read_file(tu_fixture(rel), NULL);
  if (!data)
    fail_msg("missing fixture %s", tu_fixture(rel));
  return data;
}

static void golden(const char *actual, const char *name, const char *ext) {
  char rel[256];
  snprintf(rel, sizeof rel, "text/%s%s", name, ext);
  tu_assert_golden(actual, rel);
}

static void fixtures_read_to_their_golden_trees(void **state) {
  (void)state;
  for (size_t i = 0; cases[i]; i++) {
    char *text = fixture(cases[i], ".txt");
    galley_doc *doc = tt_read_ok(text, NULL);
    char *xml = tt_write(doc, "xml", NULL);
    golden(xml, cases[i], ".xml");
    free(xml);
    galley_doc_free(doc);
    free(text);
  }
}

static void fixtures_write_to_their_golden_text(void **state) {
  (void)state;
  for (size_t i = 0; cases[i]; i++) {
    char *text = fixture(cases[i], ".txt");
    char *out = tt_text_to_text(text, NULL);
    golden(out, cases[i], ".out.txt");
    free(out);
    free(text);
  }
}

static void trees_in_xml_form_write_to_their_golden_text(void **state) {
  (void)state;
  static const char *const xml_cases[] = {"writer-input", "writer-tight", NULL};
  for (size_t i = 0; xml_cases[i]; i++) {
    char *xml = fixture(xml_cases[i], ".xml");
    char *err = NULL;
    char *out = tu_convert("xml", "text", xml, strlen(xml), NULL, &err);
    if (!out)
      fail_msg("%s: %s", xml_cases[i], err ? err : "");
    golden(out, xml_cases[i], ".out.txt");
    free(out);
    free(xml);
  }
}

/* read(text) and read(write(read(text))) have the same shape. */
static void assert_same_shape_after_a_round_trip(const char *name,
                                                 const char *text,
                                                 const char *const *opts) {
  galley_doc *a = tt_read_ok(text, opts);
  char *written = tt_write(a, "text", opts);
  galley_doc *b = tt_read_ok(written, opts);
  char *sa = tt_shape(a), *sb = tt_shape(b);
  if (strcmp(sa, sb) != 0) {
    const char *x = sa, *y = sb;
    int line = 1;
    while (*x && *x == *y) {
      if (*x == '\n')
        line++;
      x++, y++;
    }
    while (x > sa && x[-1] != '\n')
      x--, y--;
    const char *xe = strchr(x, '\n'), *ye = strchr(y, '\n');
    print_error("%s: shape line %d differs after a round trip:\n"
                "  before: %.*s\n  after:  %.*s\n",
                name, line, xe ? (int)(xe - x) : (int)strlen(x), x,
                ye ? (int)(ye - y) : (int)strlen(y), y);
    fail();
  }
  /* And writing the re-read tree gives the same text. */
  char *again = tt_write(b, "text", opts);
  assert_string_equal(again, written);
  free(again);
  free(sa);
  free(sb);
  free(written);
  galley_doc_free(a);
  galley_doc_free(b);
}

static void reading_the_writers_output_gives_the_same_structure(void **state) {
  (void)state;
  const char *const wrap0[] = {"wrap=0", NULL};
  const char *const wrap30[] = {"wrap=30", NULL};
  for (size_t i = 0; cases[i]; i++) {
    char *text = fixture(cases[i], ".txt");
    assert_same_shape_after_a_round_trip(cases[i], text, NULL);
    assert_same_shape_after_a_round_trip(cases[i], text, wrap0);
    assert_same_shape_after_a_round_trip(cases[i], text, wrap30);
    free(text);
  }
}

static void written_text_is_a_fixed_point_after_one_pass(void **state) {
  (void)state;
  /* A tree from elsewhere may lose what text cannot say (a hard line
   * break, a definition list) on the first pass, never later. */
  char *xml = fixture("writer-input", ".xml");
  char *first = tu_convert("xml", "text", xml, strlen(xml), NULL, NULL);
  assert_non_null(first);
  char *second = tt_text_to_text(first, NULL);
  char *third = tt_text_to_text(second, NULL);
  assert_string_equal(third, second);
  free(first);
  free(second);
  free(third);
  free(xml);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fixtures_read_to_their_golden_trees),
      cmocka_unit_test(fixtures_write_to_their_golden_text),
      cmocka_unit_test(trees_in_xml_form_write_to_their_golden_text),
      cmocka_unit_test(reading_the_writers_output_gives_the_same_structure),
      cmocka_unit_test(written_text_is_a_fixed_point_after_one_pass),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
